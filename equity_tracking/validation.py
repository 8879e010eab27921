"""What a bureau's entry must be before it is saved: the rules the forms and the write path share.

Owns reading a number from what a person typed (numbers only: no NaN, no infinity, nothing
absurdly large), the bounds of each unit (percentages within 0–100, counts whole and non-negative),
the groups adding up to the total (within a tolerance, or a note says why not), a period that lies
inside the plan and has ended, the kind of period a measure reports, free text that can be stored,
and the jump from the prior value that needs a person to confirm it.

Pure functions of plain values, no database (which period a measure reports comes from
:mod:`equity_tracking.periods`): :mod:`equity_tracking.writes` calls them inside its transaction,
and the forms show each :class:`FieldError` next to the field it names. Field names
are ``total.value``, ``group.<group id>.numerator`` and so on, ``note``, ``source``, ``period``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from equity_tracking.periods import kind_reported

LARGEST_NUMBER = 1e12  # no city figure comes near a trillion; anything larger is a typing slip
JUMP_FACTOR = 3.0  # a value more than 3× (or under a third of) the prior one asks for confirmation
SUM_TOLERANCE = 0.005  # the groups may differ from the total by 0.5 % (at least 1) for rounding
PERCENT_TOLERANCE = 0.5  # a percentage may differ from numerator ÷ denominator by half a point
NOTE_LIMIT = 2000
SOURCE_LIMIT = 300
NARRATIVE_LIMIT = 4000
NARRATIVE_ITEM_LIMIT = 1000
NON_NEGATIVE_UNITS = frozenset({"count", "dollars", "days", "rate", "percent"})


@dataclass(frozen=True)
class FieldError:
    """One problem with one field: the field's name and a sentence for the person who typed it."""

    field: str
    message: str


class ValidationError(ValueError):
    """An entry that cannot be saved; ``errors`` names every bad field at once. Nothing was saved."""

    def __init__(self, errors: Sequence[FieldError]):
        self.errors = list(errors)
        super().__init__("; ".join(f"{error.field}: {error.message}" for error in self.errors))


@dataclass(frozen=True)
class Entry:
    """One figure as typed (total or one group): a value, and optionally its numerator and
    denominator. Anything may arrive here (text, None, NaN); :func:`read_entry` checks it."""

    value: object = None
    numerator: object = None
    denominator: object = None

    @property
    def is_blank(self) -> bool:
        """Nothing typed in any of the three (a group left out)."""
        return all(
            part is None or (isinstance(part, str) and not part.strip())
            for part in (self.value, self.numerator, self.denominator)
        )


@dataclass(frozen=True)
class Figure:
    """A checked figure: numbers only."""

    value: float
    numerator: float | None = None
    denominator: float | None = None


def read_number(raw: object, field: str, errors: list[FieldError], *, required: bool) -> float | None:
    """``raw`` as a finite number, or None when it is blank; a problem is added to ``errors``."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            errors.append(FieldError(field, "Enter a number."))
        return None
    if isinstance(raw, bool):
        errors.append(FieldError(field, "Enter a number, not yes or no."))
        return None
    try:
        number = float(raw.replace(",", "").strip() if isinstance(raw, str) else raw)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        errors.append(FieldError(field, f"“{str(raw)[:40]}” is not a number. Enter digits only, e.g. 42.5."))
        return None
    if math.isnan(number) or math.isinf(number):
        errors.append(FieldError(field, "Enter an ordinary number (not NaN or infinity)."))
        return None
    if abs(number) > LARGEST_NUMBER:
        errors.append(FieldError(field, "This number is far too large for a city figure; check for a typo."))
        return None
    return number


def check_unit(number: float, unit: str, field: str, errors: list[FieldError]) -> None:
    """The unit's bounds: percentages 0–100, counts whole and non-negative, nothing below zero."""
    if unit == "percent" and not 0 <= number <= 100:
        errors.append(FieldError(field, "A percentage must be between 0 and 100."))
    elif unit in NON_NEGATIVE_UNITS and number < 0:
        errors.append(FieldError(field, "This figure cannot be negative."))
    elif unit == "count" and number != int(number):
        errors.append(FieldError(field, "A count must be a whole number."))


def read_entry(
    entry: Entry, unit: str, name: str, errors: list[FieldError], *, required: bool
) -> Figure | None:
    """One figure checked: its value (in the unit's bounds), numerator and denominator (counts, the
    denominator above zero, the numerator not above it) and, for a percentage, that the value is the
    numerator's share of the denominator."""
    before = len(errors)
    value = read_number(entry.value, f"{name}.value", errors, required=required)
    numerator = read_number(entry.numerator, f"{name}.numerator", errors, required=False)
    denominator = read_number(entry.denominator, f"{name}.denominator", errors, required=False)
    if value is None:
        if numerator is not None or denominator is not None:
            errors.append(
                FieldError(f"{name}.value", "Enter the value as well as its numerator and denominator.")
            )
        return None
    check_unit(value, unit, f"{name}.value", errors)
    if numerator is not None:
        check_unit(numerator, "count", f"{name}.numerator", errors)
    if denominator is not None and denominator <= 0:
        errors.append(FieldError(f"{name}.denominator", "The denominator must be above zero."))
    elif numerator is not None and denominator is not None:
        if numerator > denominator and unit == "percent":
            errors.append(
                FieldError(f"{name}.numerator", "The numerator cannot be larger than the denominator.")
            )
        elif unit == "percent" and abs(100 * numerator / denominator - value) > PERCENT_TOLERANCE:
            share = 100 * numerator / denominator
            errors.append(
                FieldError(
                    f"{name}.value", f"The numerator and denominator give {share:.1f} %, not {value:g} %."
                )
            )
    if len(errors) > before:
        return None
    return Figure(value, numerator, denominator)


def check_text(raw: object, field: str, limit: int, errors: list[FieldError]) -> str | None:
    """Free text as it will be stored (and later shown as text, never as markup): at most ``limit``
    characters, no NUL (no database can keep it). Blank becomes None."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        errors.append(FieldError(field, "Enter text here."))
        return None
    text = raw.strip()
    if "\x00" in text:
        errors.append(
            FieldError(field, "This text holds a character that cannot be stored (NUL); remove it.")
        )
        return None
    if len(text) > limit:
        errors.append(FieldError(field, f"Keep this to {limit:,} characters; it has {len(text):,}."))
        return None
    return text or None


def parts_sum(figures: Mapping[int, Figure], unit: str, total: Figure) -> tuple[str, float, float] | None:
    """Where the groups fail to add up to the total, as (what, their sum, the total), else None.
    Counts are added as values; other units by their numerators and denominators, when given."""
    pairs: list[tuple[str, float, float | None]] = []
    if unit == "count":
        pairs.append(("values", sum(figure.value for figure in figures.values()), total.value))
    for what in ("numerator", "denominator"):
        parts = [getattr(figure, what) for figure in figures.values()]
        if parts and all(part is not None for part in parts):
            pairs.append((f"{what}s", sum(parts), getattr(total, what)))
    for what, summed, whole in pairs:
        if whole is not None and abs(summed - whole) > max(1.0, SUM_TOLERANCE * abs(whole)):
            return what, summed, whole
    return None


def check_groups_add_up(
    figures: Mapping[int, Figure], unit: str, total: Figure | None, note: str | None, errors: list[FieldError]
) -> None:
    """Every group given and not adding up to the total needs a note that says why."""
    if total is None or not figures or note:
        return
    mismatch = parts_sum(figures, unit, total)
    if mismatch is not None:
        what, summed, whole = mismatch
        errors.append(
            FieldError(
                "note",
                f"The groups' {what} add up to {summed:,.6g}, not the total's {whole:,.6g}. Correct them, or "
                "say in the note why they differ (for example, people who declined to give their race).",
            )
        )


def check_period(
    *,
    period_start: dt.date,
    period_end: dt.date,
    period_kind: str,
    frequency: str,
    plan_start: dt.date,
    plan_end: dt.date,
    today: dt.date,
    errors: list[FieldError],
) -> None:
    """The period must lie inside the plan, have ended, and be the kind the measure reports."""
    if period_start < plan_start or period_end > plan_end:
        errors.append(
            FieldError(
                "period",
                f"This period lies outside the plan ({plan_start:%-d %B %Y} to {plan_end:%-d %B %Y}).",
            )
        )
    elif period_end >= today:
        errors.append(
            FieldError("period", f"This period has not ended yet (it ends on {period_end:%-d %B %Y}).")
        )
    wanted = kind_reported(frequency).value
    if period_kind != wanted:
        errors.append(
            FieldError(
                "period", f"This measure is reported {frequency}; choose a {wanted.replace('_', ' ')}."
            )
        )


def jump_from_prior(value: float, prior: float | None) -> str | None:
    """A sentence asking to confirm a value more than :data:`JUMP_FACTOR` times the prior value (or
    less than a third of it); None when the change is ordinary or there is nothing to compare."""
    if prior is None or (prior == 0 and value == 0):
        return None
    low, high = sorted((abs(value), abs(prior)))
    if low == 0 or high / low > JUMP_FACTOR:
        return (
            f"The total changes from {prior:,.6g} to {value:,.6g}, more than {JUMP_FACTOR:g}× the prior "
            "period's. Check it, then confirm that it is right."
        )
    return None


def check_narrative_items(raw: object, field: str, errors: list[FieldError]) -> list[str]:
    """One to three short texts (blank ones dropped)."""
    if not isinstance(raw, list | tuple):
        errors.append(FieldError(field, "Enter one to three items."))
        return []
    items: list[str] = []
    for index, item in enumerate(raw, start=1):
        text = check_text(item, f"{field}.{index}", NARRATIVE_ITEM_LIMIT, errors)
        if text:
            items.append(text)
    if not 1 <= len(items) <= 3:
        errors.append(FieldError(field, f"Enter one to three items (there are {len(items)})."))
    return items
