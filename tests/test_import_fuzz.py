"""Bad input for the spreadsheet import (issue #10): every malformed file ends in
:class:`ImportRefusedError` (a clear message, never another exception) and an unchanged database.

Hypothesis breaks the small city of ``tests/import_files.py`` cell by cell (wrong types, huge and
negative numbers, dates in the wrong form, unknown bureaus, goals, measures and groups, repeated
keys, missing sheets and columns, formulas, random text); fixed cases cover files that are not
spreadsheets at all, and a workbook formatted down to row 1,000,000.
"""

from __future__ import annotations

import io
import os
import random
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from import_files import TODAY, csv_files, handmade_xlsx, small_city, snapshot, xlsx_bytes
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import Engine

from equity_tracking import importing
from equity_tracking.import_contract import SHEETS
from equity_tracking.permissions import OPERATOR
from equity_tracking.workbook import ImportRefusedError

# Examples per property: few in the suite (it runs twice, on SQLite and PostgreSQL, on two slow cores);
# EQUITY_FUZZ_EXAMPLES=150 for a deeper run (done once for this change: all passed).
EXAMPLES = int(os.environ.get("EQUITY_FUZZ_EXAMPLES", "12"))
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
REQUIRED = {sheet.name: [f.name for f in sheet.fields if f.required] for sheet in SHEETS if sheet.required}

# Cells and what makes each of them wrong, whatever row of its sheet it is in.
NUMBERS = ["abc", "1e999", "-1e999", "1e300", "-5", "NaN", "inf", "1.2.3", "12 apples", "0x1F", "--1"]
DATES = ["30/06/2021", "2021/06/30", "20210630", "2021-13-01", "2021-02-30", "June 30, 2021", "yesterday"]
CHOICES = ["sometimes", "maybe", "??", "", "higher-ish", "<b>yes</b>"]
PERIODS = ["sometime", "FY 2016-18", "Q5 2019", "FY 2030-31", "FY 2016-17 Q5", "FY 16", "2016-2017-2018"]
BAD_CELLS: dict[tuple[str, str], list[str]] = {
    ("values", "value"): [*NUMBERS, ""],
    ("values", "numerator"): ["abc", "-3", "2.5", "1e999", "1e300"],
    ("values", "denominator"): ["0", "-1", "abc", "1e999"],
    ("values", "measure_key"): ["no_such_measure", "G1", "", "a key with spaces", "x" * 41],
    ("values", "bureau_code"): ["ZZ", "TOOLONGCODE", "T-R"],
    ("values", "group"): ["Martian", "People of color", "POC", "Blackish", "Black and White"],
    ("values", "period"): [*PERIODS, ""],
    ("measures", "baseline_value"): NUMBERS,
    ("measures", "target_value"): NUMBERS,
    ("measures", "unit"): CHOICES,
    ("measures", "polarity"): CHOICES,
    ("measures", "frequency"): CHOICES,
    ("measures", "disaggregated"): CHOICES,
    ("measures", "goal_key"): ["G9", "", "g 1"],
    ("measures", "baseline_period"): PERIODS[:3],
    ("measures", "name"): ["", "x" * 301],
    ("actions", "start_date"): DATES,
    ("actions", "due_date"): DATES,
    ("actions", "status"): CHOICES,
    ("actions", "goal_key"): ["G9", ""],
    ("goals", "citywide_goal"): ["0", "4", "one", "", "1.5", "-1", "(1)", "goal 2", "²"],
    ("goals", "sort_order"): ["²", "-1", "1.5", "first", "١x"],
    ("goals", "focus_area"): ["", "Parks", "workforce and more"],
    ("goals", "bureau_code"): ["ZZ", "", "TOOLONGCODE"],
    ("bureaus", "name"): ["", "x" * 201],
    ("bureaus", "code"): ["", "T R", "TOOLONGCODE", "é"],
}


# --- helpers ---------------------------------------------------------------------------------------


def as_files(sheets: dict[str, pd.DataFrame], workbook: bool) -> dict[str, bytes]:
    if not workbook:
        return csv_files(sheets)
    clean = {
        name: frame.map(lambda v: ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v)
        for name, frame in sheets.items()
    }  # openpyxl cannot write control characters into a workbook
    return {"city.xlsx": xlsx_bytes(clean)}


def refused_unchanged(engine: Engine, files: dict[str, bytes]) -> ImportRefusedError:
    """Import ``files``: it must be refused with a clear message, and change nothing."""
    before = snapshot(engine)
    with pytest.raises(ImportRefusedError) as refused:
        importing.import_files(engine, files, actor=OPERATOR, today=TODAY)
    error = refused.value
    assert error.errors, "a refusal names at least one problem"
    assert str(error).startswith("The file was not imported: ")
    for problem in error.errors:
        assert problem.reason
        assert problem.reason.strip()
    report = error.report()
    assert list(report.columns) == ["sheet", "row", "column", "problem"]
    assert len(report) == len(error.errors)
    assert snapshot(engine) == before
    return error


def success_or_refusal(engine: Engine, files: dict[str, bytes]) -> None:
    before = snapshot(engine)
    refused: ImportRefusedError | None = None
    try:
        importing.import_files(engine, files, actor=OPERATOR, today=TODAY)
    except ImportRefusedError as error:
        refused = error
    if refused is not None:
        assert refused.errors
        assert str(refused).startswith("The file was not imported: ")
        assert snapshot(engine) == before


def cells() -> st.SearchStrategy[tuple[str, int, str, str]]:
    """(sheet, spreadsheet row, column, bad text)."""

    @st.composite
    def one(draw) -> tuple[str, int, str, str]:
        sheet, column = draw(st.sampled_from(sorted(BAD_CELLS)))
        rows = len(small_city()[sheet])
        return (
            sheet,
            draw(st.integers(2, rows + 1)),
            column,
            draw(st.sampled_from(BAD_CELLS[(sheet, column)])),
        )

    return one()


def changed(sheets: dict[str, pd.DataFrame], edits) -> dict[str, pd.DataFrame]:
    sheets = {name: frame.copy() for name, frame in sheets.items()}
    for sheet, row, column, text in edits:
        sheets[sheet].loc[row - 2, column] = text
    return sheets


# --- hypothesis -------------------------------------------------------------------------------------


@FUZZ
@given(edits=st.lists(cells(), min_size=1, max_size=3), workbook=st.booleans())
def test_bad_cells_are_refused_by_name_and_change_nothing(engine, edits, workbook):
    refused = refused_unchanged(engine, as_files(changed(small_city(), edits), workbook))
    named = {(error.sheet, error.row) for error in refused.errors}
    # At least one of the broken cells is named by its sheet and row (when two edits land on the
    # same cell, the last one counts; a bad value in a repeated group may be named on another row
    # of its measure period, and a cell made blank may only be caught with its whole row).
    assert any((sheet, row) in named for sheet, row, _, _ in edits) or any(
        error.sheet in {sheet for sheet, *_ in edits} for error in refused.errors
    )


@FUZZ
@given(data=st.data(), workbook=st.booleans())
def test_missing_sheets_and_columns_are_refused(engine, data, workbook):
    sheets = small_city()
    sheet = data.draw(st.sampled_from(sorted(REQUIRED)))
    if data.draw(st.booleans(), label="drop the whole sheet"):
        del sheets[sheet]
        where = (sheet, None, None)
    else:
        column = data.draw(st.sampled_from(REQUIRED[sheet]))
        sheets[sheet] = sheets[sheet].drop(columns=[column])
        where = (sheet, 1, None)
    refused = refused_unchanged(engine, as_files(sheets, workbook))
    assert where in [(e.sheet, e.row, e.column) for e in refused.errors]


@FUZZ
@given(data=st.data(), workbook=st.booleans())
def test_repeated_keys_are_refused(engine, data, workbook):
    sheets = small_city()
    sheet = data.draw(st.sampled_from(["bureaus", "goals", "actions", "measures", "values"]))
    frame = sheets[sheet]
    position = data.draw(st.integers(0, len(frame) - 1))
    sheets[sheet] = pd.concat([frame, frame.iloc[[position]]], ignore_index=True)
    refused = refused_unchanged(engine, as_files(sheets, workbook))
    assert any(error.sheet == sheet for error in refused.errors)


HOSTILE_TEXT = st.one_of(
    st.text(max_size=60),
    st.sampled_from([
        "\x00", "a\x00b", "<script>alert(1)</script>", "<b>bold</b>", "x" * 5000, "=1+1", "+1", "@SUM(A1)",
        "\u202etxt", "１２", "٣", "1e-320", "-0", " ", "\n", '"', "'", ",", "NULL", "None", "nan", "🙂",
    ]),
)  # fmt: skip


@FUZZ
@given(data=st.data(), workbook=st.booleans())
def test_random_text_in_any_cells_is_imported_or_refused(engine, data, workbook):
    sheets = small_city()
    edits = []
    for _ in range(data.draw(st.integers(1, 8), label="cells")):
        sheet = data.draw(st.sampled_from(sorted(sheets)))
        frame = sheets[sheet]
        row = data.draw(st.integers(2, len(frame) + 1))
        column = data.draw(st.sampled_from(list(frame.columns)))
        edits.append((sheet, row, column, data.draw(HOSTILE_TEXT)))
    success_or_refusal(engine, as_files(changed(sheets, edits), workbook))


@FUZZ
@given(text=HOSTILE_TEXT, sheet=st.sampled_from(sorted(REQUIRED)), workbook=st.booleans())
def test_random_text_in_every_cell_of_a_sheet_is_imported_or_refused(engine, text, sheet, workbook):
    sheets = small_city()
    sheets[sheet] = sheets[sheet].map(lambda _: text)
    success_or_refusal(engine, as_files(sheets, workbook))


@settings(FUZZ, max_examples=max(6, EXAMPLES // 2))
@given(data=st.data())
def test_formula_cells_are_refused_by_their_cell(engine, data):
    sheets = small_city()
    sheet = data.draw(st.sampled_from(sorted(sheets)))
    frame = sheets[sheet]
    row = data.draw(st.integers(2, len(frame) + 1))
    position = data.draw(st.integers(0, len(frame.columns) - 1))
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(sheets)))
    workbook[sheet].cell(row=row, column=position + 1, value="=SUM(A1:A2)")  # a real formula
    assert workbook[sheet].cell(row=row, column=position + 1).data_type == "f"
    buffer = io.BytesIO()
    workbook.save(buffer)
    refused = refused_unchanged(engine, {"city.xlsx": buffer.getvalue()})
    assert (sheet, row, frame.columns[position]) in [(e.sheet, e.row, e.column) for e in refused.errors]


@settings(FUZZ, max_examples=EXAMPLES)
@given(data=st.binary(max_size=2000), name=st.sampled_from(["values.xlsx", "values.csv", "v.xlsx"]))
def test_random_bytes_are_refused(engine, data, name):
    refused_unchanged(engine, {name: data})


# --- files that are not spreadsheets ---------------------------------------------------------------


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


GARBAGE = random.Random(2016).randbytes(10_000_000)


@pytest.mark.parametrize(
    ("files", "says"),
    [
        ({"city.xlsx": b""}, "not an Excel workbook"),
        ({"values.csv": b""}, "no 'bureaus' sheet"),
        ({f"{name}.csv": b"" for name in REQUIRED}, "The header row lacks the column(s): code, name."),
        ({"city.xlsx": GARBAGE}, "not an Excel workbook"),
        ({"values.csv": GARBAGE}, "not UTF-8"),
        ({"city.xlsx": _zip({"hello.txt": b"hello", "word/document.xml": b"<w/>"})}, "no xl/workbook.xml"),
        ({"city.xlsx": _zip({"xl/workbook.xml": b"<not a workbook"})}, "workbook"),
        ({"city.xlsx": _zip({"xl/workbook.xml": GARBAGE[:1000]})}, "workbook"),
        ({"values.txt": b"measure_key,period\n"}, "Only .xlsx workbooks and .csv files"),
        ({"a.xlsx": b"PK", "b.xlsx": b"PK"}, "one workbook at a time"),
        ({}, "Choose a workbook"),
    ],
    ids=[
        "empty-xlsx", "empty-csv", "empty-csvs", "10MB-garbage-xlsx", "10MB-garbage-csv", "zip-of-a-docx",
        "broken-workbook-xml", "garbage-workbook-xml", "txt", "two-workbooks", "nothing",
    ],
)  # fmt: skip
def test_files_that_are_not_spreadsheets_are_refused(engine, files, says):
    refused = refused_unchanged(engine, files)
    assert says in " ".join(error.reason for error in refused.errors)


def test_a_csv_that_is_not_utf8_is_refused_with_advice(engine):
    files = csv_files(small_city())
    files["bureaus.csv"] = "code,name\nTR,Bureau de la Sécurité\n".encode("latin-1")
    refused = refused_unchanged(engine, files)
    assert [(e.sheet, e.row, e.column) for e in refused.errors] == [("bureaus.csv", None, None)]
    assert "not UTF-8" in refused.errors[0].reason
    assert "CSV UTF-8" in refused.errors[0].reason


def test_a_csv_with_nul_characters_is_refused(engine):
    files = csv_files(small_city())
    files["values.csv"] = files["values.csv"].replace(b"22.4", b"22\x004")
    refused = refused_unchanged(engine, files)
    assert "NUL" in refused.errors[0].reason


# --- a million formatted rows ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def million_rows(tmp_path_factory) -> tuple[Path, Path]:
    """The small city as a workbook whose values sheet is formatted down to row 1,000,013, written
    part by part (seconds, not the minutes openpyxl would take), once per session: one as is,
    one with a percentage of 140 in the last value row (13)."""
    folder = tmp_path_factory.mktemp("million")
    good = handmade_xlsx(folder / "million.xlsx", small_city(), empty_formatted_rows=1_000_000)
    sheets = small_city()
    sheets["values"].loc[11, "value"] = "140"
    bad = handmade_xlsx(folder / "million-bad.xlsx", sheets, empty_formatted_rows=1_000_000)
    return good, bad


def test_a_million_empty_formatted_rows_are_read_quickly_and_ignored(engine, million_rows):
    """How quickly: docs/benchmarks.md (about 2 s to read); a test asserts no wall-clock time."""
    good, bad = million_rows
    refused = refused_unchanged(engine, {bad.name: bad.read_bytes()})
    assert [(e.sheet, e.row, e.column) for e in refused.errors] == [("values", 13, "value")]

    result = importing.import_path(engine, good, actor=OPERATOR, today=TODAY)
    assert result.values_added == 12  # the million empty rows add nothing
