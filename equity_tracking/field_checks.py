"""Reading what an administrator typed into a form of the admin workspace (the plan structure and the
reference data): free text, short keys, whole numbers, dates, a choice of an enum and a period label.

Each reader takes the raw value (anything may arrive: text, None, a number, a date) and the field's
name, and returns the checked value, or None with one plain :class:`FieldError` added to ``errors``
for that field, so a form names every bad field at once (:func:`raise_if`). Pure functions of plain
values, no database; numbers and stored text are read by :mod:`equity_tracking.validation`.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from typing import TypeVar

from equity_tracking import validation
from equity_tracking.periods import Period, PeriodLabelError, parse_label
from equity_tracking.validation import FieldError, ValidationError

E = TypeVar("E", bound=enum.Enum)
KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}")  # a goal's, action's or measure's key, e.g. G1
KEY_RULE = "Use letters, digits, dots, dashes or underscores only (at most 40)."
KEY_LIMIT = 40


def raise_if(errors: list[FieldError]) -> None:
    """Refuse the form (:class:`ValidationError`, every bad field named) if anything was wrong."""
    if errors:
        raise ValidationError(errors)


def _blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def text(raw: object, field: str, limit: int, errors: list[FieldError], *, required: str = "") -> str | None:
    """Free text (at most ``limit`` characters, stripped; blank is None). ``required`` is the
    message when it is blank, e.g. "Enter the goal's title."; without it, blank is allowed."""
    before = len(errors)
    checked = validation.check_text(raw, field, limit, errors)
    if checked is None and required and len(errors) == before:
        errors.append(FieldError(field, required))
    return checked


def key(
    raw: object,
    field: str,
    errors: list[FieldError],
    *,
    pattern: re.Pattern[str] = KEY,
    rule: str = KEY_RULE,
    example: str = "G1",
) -> str | None:
    """A short key that imports and links use: required, and matching ``pattern`` (``rule`` says
    how, in words)."""
    checked = text(raw, field, KEY_LIMIT, errors, required=f"Enter a short key, e.g. {example}.")
    if checked is not None and not pattern.fullmatch(checked):
        errors.append(FieldError(field, rule))
        return None
    return checked


def whole(
    raw: object, field: str, errors: list[FieldError], *, low: int, high: int, required: bool, what: str = ""
) -> int | None:
    """A whole number from ``low`` to ``high`` (None when blank and not ``required``); ``what`` names
    it in the message, e.g. "the year of the figures"."""
    number = validation.read_number(raw, field, errors, required=required)
    if number is None:
        return None
    if number != int(number) or not low <= number <= high:
        rule = f"a whole number from {low} to {high}"
        errors.append(FieldError(field, f"Enter {what}: {rule}." if what else f"Enter {rule}."))
        return None
    return int(number)


def date(raw: object, field: str, errors: list[FieldError], *, required: bool = False) -> dt.date | None:
    """A day, as a date or as typed (YYYY-MM-DD); None when blank and not ``required``."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if _blank(raw) and not required:
        return None
    try:
        return dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        errors.append(FieldError(field, "Enter a date as YYYY-MM-DD, e.g. 2021-09-30."))
        return None


def choice(raw: object, choices: type[E], field: str, errors: list[FieldError]) -> E | None:
    """One of the enum ``choices`` (by its value)."""
    try:
        return choices(raw)
    except ValueError:
        errors.append(FieldError(field, "Choose one of the options."))
        return None


def period(raw: object, field: str, errors: list[FieldError]) -> Period | None:
    """A period label as typed (e.g. "FY 2016-17"), read but not looked up: None when blank."""
    if isinstance(raw, Period):
        return raw
    if _blank(raw):
        return None
    try:
        return parse_label(str(raw))
    except PeriodLabelError as error:
        errors.append(FieldError(field, str(error)))
        return None
