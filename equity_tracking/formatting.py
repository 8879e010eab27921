"""Presentation helpers without Streamlit: tables shaped for people, and safe downloads.

Owns column names as people read them and CSV export that spreadsheet programs cannot mistake for
formulas (a cell starting with =, +, - or @ is prefixed with an apostrophe).
"""

from __future__ import annotations

import pandas as pd

from equity_tracking.rules import display_decimals

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def bureau_table(overview: pd.DataFrame) -> pd.DataFrame:
    """The home page's bureau list: readable headings, no internal ids."""
    return overview.rename(
        columns={
            "name": "Bureau",
            "code": "Code",
            "service_area": "Service area",
            "goals": "Goals",
            "actions": "Actions",
            "measures": "Measures",
        }
    )[["Bureau", "Code", "Service area", "Goals", "Actions", "Measures"]]


def _defuse(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with BOM, so Excel reads accents) where no text cell can run as a formula."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(_defuse)
    return safe.to_csv(index=False).encode("utf-8-sig")


# --- numbers and states as people read them ----------------------------------------------------

UNIT_SUFFIX = {"percent": " %", "rate": "", "days": " days", "count": "", "dollars": ""}


def percent(value: float | None, *, decimals: int = 1) -> str:
    """``56.475`` → ``"56.5 %"``; missing → ``"—"`` (never "nan")."""
    if value is None or pd.isna(value):
        return "—"
    return f"{value:,.{decimals}f} %"


def number(value: float | None, *, unit: str = "count", decimals: int | None = None) -> str:
    """A measure value with thousands separators and its unit: ``$1,250,000``, ``42.0 %``, ``12 days``."""
    if value is None or pd.isna(value):
        return "—"
    if decimals is None:
        # As the judgements round (rules.display_decimals): people and dollars whole (a forecast of
        # 676.3 employees reads "676"), the rest with one decimal; whole days without one.
        decimals = display_decimals(unit)
        if unit == "days" and float(value).is_integer():
            decimals = 0
    text = f"{abs(value):,.{decimals}f}"
    sign = "-" if value < 0 else ""
    if unit == "dollars":
        return f"{sign}${text}"
    return f"{sign}{text}{UNIT_SUFFIX.get(unit, '')}"


def state_text(icon: str, label: str) -> str:
    """A judgement as icon and words together (never colour alone): ``"✓ On track"``."""
    return f"{icon} {label}".strip()
