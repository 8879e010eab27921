"""Downloads: the data behind every public table and chart, as a CSV file and as an Excel workbook.

Owns:
- **hidden figures in a download**: a download frame marks each row that holds hidden figures in a
  boolean ``hidden`` column, and leaves those figures empty. :func:`labelled` writes
  :data:`~equity_tracking.suppression.HIDDEN_LABEL` ("hidden") into each empty number cell of such a
  row, so a hidden figure is never read as blank or zero; the ``hidden`` column stays (yes/no), and
  the other figures stay numbers;
- :func:`csv_bytes`: the CSV file (:func:`equity_tracking.formatting.csv_bytes` of the labelled
  frame: raw numbers, ISO dates, text made inert);
- :func:`xlsx_bytes`: the Excel workbook, with three sheets: the data (numbers as numbers, dates as
  dates, a bold and frozen header row), a "Data dictionary" sheet (what each column means, from
  :mod:`equity_tracking.dictionary`) and an "About" sheet (source, as-of date, when the file was
  made, whether it includes unpublished work, and the suppression rule).

Text cells go through :func:`equity_tracking.formatting.inert` in both formats: the one rule that
keeps a spreadsheet from running a cell as a formula. Pure pandas and openpyxl (no Streamlit).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from equity_tracking import formatting, suppression
from equity_tracking.dictionary import column_meaning
from equity_tracking.rules import CITY_TIMEZONE

HIDDEN_COLUMN = "hidden"
SOURCE = "City of Portland, Office of Equity and Human Rights — Equity Plan Tracker"
DEMO_SOURCE = "Demo data — not real City figures: generated for demonstration by the Equity Plan Tracker"
DATA_SHEET, DICTIONARY_SHEET, ABOUT_SHEET = "Data", "Data dictionary", "About"
HIDDEN_IN_FILES = (
    f'In this file a hidden figure\'s cell reads "{suppression.HIDDEN_LABEL}" (never blank or zero), '
    "and the row's hidden column says yes."
)
HIDDEN_IN_DOWNLOADS = (  # beside the download buttons, when the file holds hidden figures
    f'In the downloads, a hidden figure reads "{suppression.HIDDEN_LABEL}" and its row\'s hidden column '
    "says yes; the Excel file's About sheet gives the rule."
)
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_DATE_FORMAT, _INSTANT_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"
_MIN_WIDTH, _MAX_WIDTH = 8, 60  # characters: a column is as wide as its longest cell, within these


def source_text(demo: Mapping | None) -> str:
    """Who the data comes from: the City's office, or the demo's label when the data is the demo."""
    if demo is None:
        return SOURCE
    return f"{DEMO_SOURCE} (seed {demo.get('seed', '?')}, scale {demo.get('scale', '?')})"


# --- hidden figures -----------------------------------------------------------------------------------


def labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each empty number cell of a row whose ``hidden`` is true reading "hidden".

    A column that holds such a cell becomes a column of numbers and that label; every other column,
    and a frame without a ``hidden`` column or hidden rows, is returned as it is."""
    if HIDDEN_COLUMN not in frame.columns:
        return frame
    hidden = frame[HIDDEN_COLUMN].fillna(False).astype(bool)
    if not hidden.any():
        return frame
    result = frame.copy()
    for column in _number_columns(frame):
        blank = hidden & frame[column].isna()
        if blank.any():
            result[column] = frame[column].astype(object).where(~blank, suppression.HIDDEN_LABEL)
    return result


def hidden_count(frame: pd.DataFrame) -> int:
    """How many figures of ``frame`` :func:`labelled` marks hidden."""
    if HIDDEN_COLUMN not in frame.columns:
        return 0
    hidden = frame[HIDDEN_COLUMN].fillna(False).astype(bool)
    if not hidden.any():  # most tables, on every rerun of a page
        return 0
    return int(sum((hidden & frame[column].isna()).sum() for column in _number_columns(frame)))


def _number_columns(frame: pd.DataFrame) -> list[str]:
    return [
        column
        for column in frame.columns
        if column != HIDDEN_COLUMN
        and pd.api.types.is_numeric_dtype(frame[column])
        and not pd.api.types.is_bool_dtype(frame[column])
    ]


# --- the two formats -------------------------------------------------------------------------------


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The CSV download: UTF-8 with a BOM, every text field quoted and made inert, numbers raw, dates
    ISO, hidden figures "hidden"."""
    return formatting.csv_bytes(labelled(frame))


def xlsx_bytes(
    frame: pd.DataFrame,
    *,
    title: str,
    source: str,
    as_of: str | None,
    dictionary: Mapping[str, str] | None = None,
    includes_unpublished: bool = False,
    made_at: dt.datetime | None = None,
) -> bytes:
    """The Excel download of ``frame``: sheets "Data", "Data dictionary" and "About".

    ``as_of`` says what date the figures stand at (e.g. "30 Sep 2019, FY 2018-19's reporting
    deadline"; None: as published when the file was made); ``dictionary`` describes columns that
    :func:`equity_tracking.dictionary.column_meaning` does not know (or better, for this file);
    ``made_at`` (default now) is written in the city's time."""
    workbook = Workbook()
    data = workbook.active
    assert data is not None  # a new workbook has one sheet
    data.title = DATA_SHEET
    shown = labelled(frame)
    _write_data(data, shown)
    _write_table(
        workbook.create_sheet(DICTIONARY_SHEET),
        ["Column", "Meaning", "Type", "Unit or format"],
        _dictionary_rows(frame, shown, dictionary or {}),
        widths=(28, 80, 22, 30),
    )
    made = made_at or dt.datetime.now(dt.UTC)
    _write_table(
        workbook.create_sheet(ABOUT_SHEET),
        ["About this file", ""],
        _about_rows(
            frame,
            title=title,
            source=source,
            as_of=as_of,
            includes_unpublished=includes_unpublished,
            made_at=made,
        ),
        widths=(28, 110),
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_data(sheet: Worksheet, frame: pd.DataFrame) -> None:
    """The data with one header row (bold, frozen, filterable), each cell as its type."""
    sheet.append([formatting.inert(str(column)) for column in frame.columns])
    formats = [_number_format(frame[column]) for column in frame.columns]
    for row in frame.itertuples(index=False):
        sheet.append([_cell(value) for value in row])
    for position, number_format in enumerate(formats, start=1):
        if number_format is None:
            continue
        for (cell,) in sheet.iter_rows(min_row=2, min_col=position, max_col=position):
            if isinstance(cell.value, dt.date):
                cell.number_format = number_format
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.data_type = "s"
    sheet.freeze_panes = "A2"
    if len(frame.columns):
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + 1}"
    for position, column in enumerate(frame.columns, start=1):
        longest = max([len(str(column)), *(len(_width_text(value)) for value in frame[column].head(500))])
        sheet.column_dimensions[get_column_letter(position)].width = min(
            _MAX_WIDTH, max(_MIN_WIDTH, longest + 2)
        )


def _write_table(sheet: Worksheet, header: list[str], rows: list[list[str]], *, widths: tuple) -> None:
    """A sheet of text: a bold header row, wrapped cells, fixed column widths."""
    sheet.append(header)
    for row in rows:
        sheet.append([_cell(value) for value in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    for position, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width


def _cell(value: object) -> object:
    """One value as an Excel cell: numbers stay numbers, dates dates (instants in UTC, Excel has no
    time zones), booleans yes/no, text made inert; missing values are empty."""
    if value is None or value is pd.NaT or (not isinstance(value, str) and _missing(value)):
        return None
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, pd.Timestamp | dt.datetime | np.datetime64):
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is not None:
            return stamp.tz_convert("UTC").tz_localize(None).to_pydatetime()
        return stamp.date() if stamp == stamp.normalize() else stamp.to_pydatetime()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.integer | np.floating):
        return value.item()
    if isinstance(value, int | float):
        return value
    return formatting.inert(str(value))


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or another container: not missing
        return False


def _number_format(column: pd.Series) -> str | None:
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        return _INSTANT_FORMAT
    if pd.api.types.is_datetime64_any_dtype(column):
        times = column.dropna()
        return _DATE_FORMAT if (times == times.dt.normalize()).all() else _INSTANT_FORMAT
    if column.dtype == object and column.map(lambda value: isinstance(value, dt.date)).any():
        return _DATE_FORMAT
    return None


def _width_text(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return "" if value is None or _missing(value) else str(value)


# --- the dictionary and about sheets ----------------------------------------------------------------


def column_type(column: pd.Series) -> str:
    """What a download column holds, in words: number, whole number, date, date and time (UTC),
    yes or no, or text."""
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        return "date and time (UTC)"
    if pd.api.types.is_datetime64_any_dtype(column):
        return "date"
    if pd.api.types.is_bool_dtype(column):
        return "yes or no"
    if pd.api.types.is_integer_dtype(column):
        return "whole number"
    if pd.api.types.is_numeric_dtype(column):
        return "number"
    values = column.dropna()
    if len(values) and values.map(lambda value: isinstance(value, dt.date)).all():
        return "date"
    return "text"


def _dictionary_rows(frame: pd.DataFrame, shown: pd.DataFrame, descriptions: Mapping[str, str]) -> list:
    rows = []
    for column in frame.columns:
        known = column_meaning(str(column))
        meaning = descriptions.get(column) or (known[0] if known else "")
        kind = column_type(frame[column])
        if shown[column].dtype == object and frame[column].dtype != object:
            kind += f', or "{suppression.HIDDEN_LABEL}"'  # labelled hidden figures
        rows.append([column, meaning or "As its name says.", kind, known[1] if known else ""])
    return rows


def _about_rows(
    frame: pd.DataFrame,
    *,
    title: str,
    source: str,
    as_of: str | None,
    includes_unpublished: bool,
    made_at: dt.datetime,
) -> list[list[str]]:
    made = pd.Timestamp(made_at).tz_convert(CITY_TIMEZONE) if made_at.tzinfo else pd.Timestamp(made_at)
    hidden = hidden_count(frame)
    return [
        ["Title", title],
        ["Source", source],
        ["Figures as of", as_of or "As published when this file was made."],
        ["File made", f"{made:%Y-%m-%d %H:%M} (Portland time)"],
        [
            "Includes unpublished work",
            "Yes: drafts, submissions and approvals that the Office of Equity and Human Rights has not "
            "published are included."
            if includes_unpublished
            else "No: published figures only.",
        ],
        ["Rows", f"{len(frame):,}"],
        [
            "Hidden figures",
            f"{suppression.NOTE} {HIDDEN_IN_FILES} This file holds {hidden:,} hidden figure"
            f"{'' if hidden == 1 else 's'}.",
        ],
        [
            "Columns",
            f'The "{DICTIONARY_SHEET}" sheet says what each column means; the methodology page of the '
            "Equity Plan Tracker explains how every figure is worked out.",
        ],
        [
            "Text that looks like a formula",
            "A text cell that a spreadsheet would run as a formula (starting with =, +, -, @ or a tab or "
            "line break) starts with an apostrophe ('), so that it stays text.",
        ],
    ]
