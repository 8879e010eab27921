"""Reporting periods: Portland's fiscal years and quarters, and calendar years.

Owns parsing and formatting of period labels ("FY 2016-17", "FY 2016-17 Q1", "CY 2019"; parsing
also reads "2016-17", "FY2017" — the fiscal year ending in 2017 — and a bare year, as spreadsheets
write them) and the dates behind them. Periods are stored with their start and end dates so that
they sort and compare correctly in SQL and in pandas; the label is for people. A fiscal year is
identified by the calendar year in which it *starts*: FY 2016-17 runs 1 July 2016 to 30 June 2017
and has ``fiscal_year=2016``.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass

FISCAL_YEAR_START_MONTH = 7  # Portland's fiscal year runs July–June.


class PeriodKind(enum.StrEnum):
    FISCAL_YEAR = "fiscal_year"
    FISCAL_QUARTER = "fiscal_quarter"
    CALENDAR_YEAR = "calendar_year"


class PeriodLabelError(ValueError):
    """A period label that cannot be read; the message says what is accepted."""


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period. Ordering is by end date, then the shorter period first."""

    end_date: dt.date
    start_date: dt.date
    kind: PeriodKind
    fiscal_year: int | None = None
    quarter: int | None = None
    calendar_year: int | None = None

    @property
    def label(self) -> str:
        return format_label(self)

    def sort_key(self) -> tuple[dt.date, int]:
        # Q4 of FY 2016-17 and the whole fiscal year end on the same day; the quarter comes first.
        return (self.end_date, -self.start_date.toordinal())


# "FY 2016-17", "2016-17", "fy2016-2017", each with an optional quarter ("FY 2016-17 Q2").
_FY = re.compile(r"^\s*(?:FY\s*)?(\d{4})\s*[-–/]\s*(\d{2}|\d{4})\s*(?:Q([1-4]))?\s*$", re.IGNORECASE)
# "FY2017" or "FY 2017": the fiscal year that *ends* in 2017, as budget documents write it.
_FY_ENDING = re.compile(r"^\s*FY\s*(\d{4})\s*(?:Q([1-4]))?\s*$", re.IGNORECASE)
_CY = re.compile(r"^\s*(?:CY\s*)?(\d{4})\s*$", re.IGNORECASE)

ACCEPTED_FORMS = (
    '"FY 2016-17" or "2016-17" (fiscal year), "FY2017" (the fiscal year ending in 2017), '
    '"FY 2016-17 Q1" (fiscal quarter) or "CY 2019" / "2019" (calendar year)'
)


def fiscal_year(start_year: int) -> Period:
    """The fiscal year that starts on 1 July of ``start_year``."""
    return Period(
        end_date=dt.date(start_year + 1, FISCAL_YEAR_START_MONTH, 1) - dt.timedelta(days=1),
        start_date=dt.date(start_year, FISCAL_YEAR_START_MONTH, 1),
        kind=PeriodKind.FISCAL_YEAR,
        fiscal_year=start_year,
    )


def fiscal_quarter(start_year: int, quarter: int) -> Period:
    """Quarter 1–4 of a fiscal year; Q1 is July–September."""
    if quarter not in (1, 2, 3, 4):
        raise PeriodLabelError(f"A fiscal quarter is 1 to 4, not {quarter}.")
    first_month = FISCAL_YEAR_START_MONTH + 3 * (quarter - 1)
    year = start_year + (first_month - 1) // 12
    month = (first_month - 1) % 12 + 1
    start = dt.date(year, month, 1)
    next_start = dt.date(year + (month + 2) // 12, (month + 2) % 12 + 1, 1)
    return Period(
        end_date=next_start - dt.timedelta(days=1),
        start_date=start,
        kind=PeriodKind.FISCAL_QUARTER,
        fiscal_year=start_year,
        quarter=quarter,
    )


def calendar_year(year: int) -> Period:
    return Period(
        end_date=dt.date(year, 12, 31),
        start_date=dt.date(year, 1, 1),
        kind=PeriodKind.CALENDAR_YEAR,
        calendar_year=year,
    )


def fiscal_year_label(start_year: int) -> str:
    """``2018`` → ``"FY 2018-19"``."""
    return f"FY {start_year}-{(start_year + 1) % 100:02d}"


_FISCAL_YEAR_TEXT = re.compile(r"\s*(?:fy\s*)?(\d{4})\s*[-–/]\s*(\d{2})\s*", flags=re.IGNORECASE)


def fiscal_year_from_text(text: str) -> int | None:
    """A fiscal year as links and people write it ("2018-19", "FY 2018-19", "fy2018-19", "2018/19")
    → the year it starts in (2018); None when the text is not one (or its years do not follow on)."""
    match = _FISCAL_YEAR_TEXT.fullmatch(str(text))
    if match is None:
        return None
    start = int(match.group(1))
    return start if int(match.group(2)) == (start + 1) % 100 else None


def format_label(period: Period) -> str:
    if period.kind is PeriodKind.CALENDAR_YEAR:
        return f"CY {period.calendar_year}"
    if period.fiscal_year is None:
        raise PeriodLabelError(f"A {period.kind.value.replace('_', ' ')} needs its fiscal year.")
    if period.kind is PeriodKind.FISCAL_QUARTER:
        return f"{fiscal_year_label(period.fiscal_year)} Q{period.quarter}"
    return fiscal_year_label(period.fiscal_year)


# The years a plan's periods may lie in: a typo such as 1899 or 20199 is refused, not stored.
EARLIEST_YEAR, LATEST_YEAR = 1990, 2100


def parse_label(label: str) -> Period:
    """Read a period label; raise :class:`PeriodLabelError` naming the accepted forms, or the
    plausible years (:data:`EARLIEST_YEAR` to :data:`LATEST_YEAR`) for a year outside them."""
    period = _parse_label(str(label))
    if not EARLIEST_YEAR <= period.start_date.year <= LATEST_YEAR:
        raise PeriodLabelError(
            f"{label!r} is not a year of a plan: use a year from {EARLIEST_YEAR} to {LATEST_YEAR}."
        )
    return period


def _parse_label(text: str) -> Period:
    if match := _FY.match(text):
        start_year = int(match.group(1))
        end_part = match.group(2)
        expected_end = start_year + 1 if len(end_part) == 4 else (start_year + 1) % 100
        if int(end_part) != expected_end:
            raise PeriodLabelError(
                f"{text!r}: a fiscal year spans two consecutive years, e.g. {fiscal_year_label(start_year)}."
            )
        if match.group(3):
            return fiscal_quarter(start_year, int(match.group(3)))
        return fiscal_year(start_year)
    if match := _FY_ENDING.match(text):
        start_year = int(match.group(1)) - 1
        return fiscal_quarter(start_year, int(match.group(2))) if match.group(2) else fiscal_year(start_year)
    if match := _CY.match(text):
        return calendar_year(int(match.group(1)))
    raise PeriodLabelError(f"{text!r} is not a period. Use {ACCEPTED_FORMS}.")


def kind_reported(frequency: str) -> PeriodKind:
    """The kind of period a measure reported at ``frequency`` enters its values for: a quarter for
    a quarterly measure, the fiscal year otherwise."""
    return PeriodKind.FISCAL_QUARTER if frequency == "quarterly" else PeriodKind.FISCAL_YEAR


def fiscal_year_containing(day: dt.date) -> int:
    """The start year of the fiscal year that contains ``day``."""
    return day.year if day.month >= FISCAL_YEAR_START_MONTH else day.year - 1


def fiscal_year_end(start_year: int) -> dt.date:
    return fiscal_year(start_year).end_date
