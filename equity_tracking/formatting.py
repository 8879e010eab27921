"""Presentation helpers without Streamlit: numbers and states as people read them, text from the
database made inert, and downloads that are data.

Owns:
- how a number, percentage, ratio, date or state is written for people (one decimal for
  percentages, whole people and dollars, three decimals for a disparity ratio, icon + label);
- **text that came from the database or an import is text**: :func:`md` makes a string inert inside
  Markdown (no link, image, heading, table, list, HTML or directive can be planted through a note or
  a name), and :func:`plain` does the same for the pseudo-HTML that plotly reads in chart text;
- **downloads are data**: :func:`csv_bytes` writes raw numbers, ISO dates and codes, quotes every
  text field (so a line break inside a note cannot split a row), and makes inert only the text
  cells a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import re

import numpy as np
import pandas as pd

from equity_tracking.rules import CITY_TIMEZONE, display_decimals

# --- numbers and states as people read them ----------------------------------------------------------

UNIT_SUFFIX = {"percent": " %", "rate": "", "days": " days", "count": "", "dollars": ""}
RATIO_DECIMALS = 3  # disparity ratios are rounded to 3 decimals before scoring, and printed so
INDEX_DECIMALS = 2  # a representation index: 0.51 of parity
MISSING = "—"


def percent(value: float | None, *, decimals: int = 1) -> str:
    """``56.475`` → ``"56.5 %"``; missing → ``"—"`` (never "nan")."""
    if value is None or pd.isna(value):
        return MISSING
    return f"{value:,.{decimals}f} %"


def number(value: float | None, *, unit: str = "count", decimals: int | None = None) -> str:
    """A measure value with thousands separators and its unit: ``$1,250,000``, ``42.0 %``, ``12 days``."""
    if value is None or pd.isna(value):
        return MISSING
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


def difference(value: float | None, *, unit: str) -> str:
    """A signed difference in the measure's unit, in *points* for a percentage ("−5.5 points": the
    distance between two percentages is not a percentage of anything)."""
    if value is None or pd.isna(value):
        return MISSING
    shown = round(float(value), display_decimals(unit))  # no sign on a difference shown as zero
    sign = "+" if shown > 0 else "−" if shown < 0 else ""
    if unit == "percent":
        return f"{sign}{abs(shown):,.{display_decimals(unit)}f} points"
    if sign and unit == "dollars":
        # A word joiner keeps "−" and "$" on one line: a browser may break between the two signs.
        sign += WORD_JOINER
    return sign + number(abs(shown), unit=unit)


def signed_percent(value: float | None) -> str:
    """A change in percent with an explicit sign: ``"+25.0 %"``, ``"−3.0 %"``."""
    if value is None or pd.isna(value):
        return MISSING
    sign = "+" if value > 0 else "−" if value < 0 else ""
    return sign + percent(abs(value))


def ratio(value: float | None) -> str:
    """A disparity ratio as the method rounds it: ``3.125``; missing → ``"—"``."""
    if value is None or pd.isna(value):
        return MISSING
    return f"{value:,.{RATIO_DECIMALS}f}"


def index(value: float | None) -> str:
    """A representation index: ``0.51``; missing → ``"—"``."""
    if value is None or pd.isna(value):
        return MISSING
    return f"{value:,.{INDEX_DECIMALS}f}"


def date_text(day: object) -> str:
    """``2020-11-30`` → ``"30 Nov 2020"`` (an instant is read in the city's time zone); missing → "—"."""
    if day is None or pd.isna(day):
        return MISSING
    stamp = pd.Timestamp(day)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(CITY_TIMEZONE)
    return f"{stamp.day} {stamp:%b %Y}"


def state_text(icon: str, label: str) -> str:
    """A judgement as icon and words together (never colour alone): ``"✓ On track"``."""
    return f"{icon} {label}".strip()


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 measure``, ``3 measures`` (``words`` for an irregular plural)."""
    return f"{count:,} {word if count == 1 else (words or word + 's')}"


# --- text from the database is text ------------------------------------------------------------------

# Every ASCII punctuation character may be backslash-escaped in CommonMark: escaping all of them
# leaves no link, image, emphasis, heading, table, list, HTML tag, autolink, math or Streamlit
# directive (":red[...]") that a planted string could open.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:\"'&=%^@,;?/])")
_WHITESPACE = re.compile(r"\s+")
# GitHub's "autolink literals" (https://…, www.…, name@host.org) are found in the text after escapes
# are resolved, so escaping cannot stop them. A word joiner (U+2060: invisible, never read aloud,
# no line break) after the scheme, after "www" and after "@" breaks each pattern.
WORD_JOINER = "\u2060"
_AUTOLINK_START = re.compile(r"(?i)\b(?:https?|ftp|mailto|www)(?=\\[:.])|\\@")


def md(text: object) -> str:
    """A string from the database, safe to put inside Markdown: shown exactly as typed, on one line
    (a line break would let it start a heading or a list), with nothing in it interpreted."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return ""
    flat = _WHITESPACE.sub(" ", str(text)).strip()
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", flat)
    return _AUTOLINK_START.sub(lambda match: match.group(0) + WORD_JOINER, escaped)


def md_link(label: object, url: str) -> str:
    """A Markdown link to one of the app's own pages (``url`` from ``navigation.href``), its label
    written as text: ``[Bureau of X](bureau?bureau=XX)``."""
    return f"[{md(label)}]({url})"


def plain(text: object) -> str:
    """A string from the database, safe inside plotly's chart text, titles and hover labels (which
    read ``<a href>``, ``<b>`` and ``<br>``): shown as typed, nothing interpreted."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return ""
    return html.escape(_WHITESPACE.sub(" ", str(text)).strip(), quote=False)


# --- downloads are data ------------------------------------------------------------------------------

# A text cell starting with one of these is read as a formula (or splits into one) by spreadsheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
# Control characters other than tab, line feed and carriage return: NUL ends a string in many
# readers, and none of them may stand in an Excel file (its XML forbids them), so they are removed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def inert(value: object) -> object:
    """A cell of a download, safe to open in a spreadsheet (OWASP's advice on CSV injection): text
    loses its control characters other than tab, line feed and carriage return (NUL among them),
    then text starting with ``=``, ``+``, ``-``, ``@``, tab, carriage return or line feed gets a
    leading ``'``, so no spreadsheet runs it as a formula. Anything that is not text (a number, a
    negative one too) is returned as it is. The one rule of the CSV and the Excel downloads."""
    if not isinstance(value, str):
        return value
    text = _CONTROL.sub("", value) if _CONTROL.search(value) else value
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _as_data(column: pd.Series) -> pd.Series:
    """Dates as ISO text (2019-06-30), instants as ISO text in UTC, text made inert; numbers stay
    numbers (a negative number is a number, not a formula)."""
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        return column.dt.tz_convert("UTC").map(lambda stamp: stamp.isoformat() if pd.notna(stamp) else "")
    if pd.api.types.is_datetime64_any_dtype(column):
        return column.map(lambda stamp: stamp.date().isoformat() if pd.notna(stamp) else "")
    if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
        return column
    values = column.astype(object).map(
        lambda value: value.isoformat() if isinstance(value, dt.date) else inert(value)
    )
    return values.where(column.notna(), "")


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with a BOM, so Excel reads accents): every text field quoted, numbers raw."""
    data = pd.DataFrame({column: _as_data(frame[column]) for column in frame.columns})
    # Booleans as words a spreadsheet reads, not "True"/"False" in quotes.
    for column in data.columns:
        if pd.api.types.is_bool_dtype(data[column]):
            data[column] = np.where(data[column], "yes", "no")
    text = data.to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    return text.encode("utf-8-sig")
