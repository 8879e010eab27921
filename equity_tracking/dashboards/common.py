"""What every dashboard shares: the fiscal-year choice and how its as-of date is described.

"FY 2018-19" on a dashboard means the plans as they stood at that year's reporting deadline
(:func:`equity_tracking.rules.reporting_deadline`, 30 September 2019): every value reported for the
year by then counts, and nothing reported later does.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from equity_tracking.periods import fiscal_year_label
from equity_tracking.rules import reporting_deadline


def fiscal_year_key(start_year: int) -> str:
    """``2018`` → ``"2018-19"``, the form used in URLs (``?fy=2018-19``)."""
    return fiscal_year_label(start_year).removeprefix("FY ")


def fiscal_year_from_key(key: str) -> int:
    return int(str(key)[:4])


def as_of_caption(start_year: int) -> str:
    deadline = reporting_deadline(start_year)
    return (
        f"As reported by {deadline.day} {deadline:%B %Y}, three months after {fiscal_year_label(start_year)} "
        "ended. Values reported later are not counted."
    )


def fiscal_year_choices(plans: pd.DataFrame) -> list[int]:
    """Every fiscal year any plan covers, oldest first (empty when there are no plans)."""
    if plans.empty:
        return []
    first, last = int(plans["first_fiscal_year"].min()), int(plans["last_fiscal_year"].max())
    return list(range(first, last + 1))


def default_fiscal_year(choices: list[int], *, today: dt.date) -> int | None:
    """The latest fiscal year whose reporting deadline has passed, else the first one."""
    if not choices:
        return None
    reported = [year for year in choices if reporting_deadline(year) <= today]
    return reported[-1] if reported else choices[0]
