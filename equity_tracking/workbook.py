"""Spreadsheets in and out: an ``.xlsx`` workbook, a folder of ``.csv`` files, or uploaded files,
read as sheets of text cells; and sheets written back as a workbook or a folder of CSVs.

Owns what a file must be before its cells are read: a real workbook (not another kind of zip, not
a zip bomb), UTF-8 CSV, no formulas (a formula's value is whatever the spreadsheet last computed,
which an import cannot check), and at most :data:`MAX_ROWS` rows a sheet. Every cell is read as
text (or None when blank) with its spreadsheet row number in ``ROW``, so that the import can name
the sheet, row and column of every bad cell (:class:`CellError`).

Workbooks are read and written with openpyxl: it is the reader pandas itself uses for ``.xlsx``,
is maintained, streams large sheets (read-only mode), and tells a formula from its value. Faster
readers (calamine) return a formula's cached value and would let a formula through unseen.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

ROW = "sheet_row"  # the column holding each row's number in the spreadsheet (the header is row 1)
MAX_ROWS = 1_048_576  # Excel's own limit; more is not a spreadsheet
MAX_UNPACKED_BYTES = 1_000_000_000  # a workbook that unpacks to more than 1 GB is refused (zip bomb)
MAX_FILE_BYTES = 200_000_000
CSV_ENCODING = "utf-8-sig"  # UTF-8, with or without Excel's byte-order mark

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class CellError:
    """One problem, where a person can find it: the sheet, the spreadsheet row (None: the whole
    sheet), the column (None: the whole row) and the reason in words."""

    sheet: str
    row: int | None
    column: str | None
    reason: str

    def where(self) -> str:
        place = self.sheet
        if self.row is not None:
            place += f", row {self.row}"
        if self.column is not None:
            place += f", column {self.column}"
        return place


class ImportRefusedError(ValueError):
    """A file that cannot be imported; ``errors`` lists every bad cell at once. Nothing was changed."""

    def __init__(self, errors: Sequence[CellError]):
        self.errors = sorted(errors, key=lambda e: (e.sheet, e.row or 0, e.column or ""))
        count = len(self.errors)
        first = f" First: {self.errors[0].where()}: {self.errors[0].reason}" if self.errors else ""
        super().__init__(f"The file was not imported: {count} problem{'s' * (count != 1)}.{first}")

    def report(self) -> pd.DataFrame:
        """The problems as a table (sheet, row, column, problem), for the screen and as a download."""
        return pd.DataFrame(
            [(e.sheet, e.row, e.column, e.reason) for e in self.errors],
            columns=["sheet", "row", "column", "problem"],
        ).astype({"row": "Int64"})


def refuse(
    sheet: str, reason: str, *, row: int | None = None, column: str | None = None
) -> ImportRefusedError:
    return ImportRefusedError([CellError(sheet, row, column, reason)])


# --- reading ---------------------------------------------------------------------------------------


def read_path(path: Path, progress: Progress | None = None) -> dict[str, pd.DataFrame]:
    """The sheets of ``path``: an ``.xlsx`` workbook, one ``.csv`` file, or a folder of ``.csv`` files
    (each file a sheet, named by its file name)."""
    if path.is_dir():
        files = sorted(path.glob("*.csv"))
        if not files:
            raise refuse(path.name, "This folder holds no .csv files.")
        return read_files({file.name: file.read_bytes() for file in files}, progress)
    if not path.exists():
        raise refuse(path.name, "There is no such file or folder.")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise refuse(path.name, f"The file is larger than {MAX_FILE_BYTES // 1_000_000} MB.")
    return read_files({path.name: path.read_bytes()}, progress)


def read_files(files: Mapping[str, bytes], progress: Progress | None = None) -> dict[str, pd.DataFrame]:
    """The sheets of uploaded files: one ``.xlsx`` workbook, or ``.csv`` files named after sheets."""
    if not files:
        raise refuse("(no file)", "Choose a workbook (.xlsx) or the .csv files to import.")
    for name, data in files.items():
        if len(data) > MAX_FILE_BYTES:
            raise refuse(name, f"The file is larger than {MAX_FILE_BYTES // 1_000_000} MB.")
    workbooks = [name for name in files if name.lower().endswith(".xlsx")]
    if workbooks:
        if len(files) > 1:
            raise refuse(workbooks[0], "Import one workbook at a time, without other files.")
        return read_xlsx(workbooks[0], files[workbooks[0]], progress)
    sheets: dict[str, pd.DataFrame] = {}
    for number, (name, data) in enumerate(files.items()):
        if progress:
            progress(f"Reading {name}", number / len(files))
        if not name.lower().endswith(".csv"):
            raise refuse(name, "Only .xlsx workbooks and .csv files can be imported.")
        sheets[_sheet_name(name[: -len(".csv")])] = read_csv(name, data)
    return sheets


def _sheet_name(name: str) -> str:
    return name.strip().casefold().replace(" ", "_")


def _column_name(name: object) -> str:
    return "" if name is None else str(name).strip().casefold().replace(" ", "_")


def read_csv(name: str, data: bytes) -> pd.DataFrame:
    """One CSV file as a sheet of text cells."""
    try:
        text = data.decode(CSV_ENCODING)
    except UnicodeDecodeError as error:
        raise refuse(
            name,
            f"This file is not UTF-8 text (byte {error.start + 1} cannot be read). In Excel, save it as "
            "'CSV UTF-8 (Comma delimited)'.",
        ) from None
    if "\x00" in text:
        raise refuse(name, "This file holds NUL characters: it is not a text CSV file.")
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise refuse(name, f"This file cannot be read as CSV: {error}.") from None
    return _frame(_sheet_name(name.removesuffix(".csv")), rows, start=1)


def read_xlsx(name: str, data: bytes, progress: Progress | None = None) -> dict[str, pd.DataFrame]:
    """A workbook's sheets as text cells; formulas refused, each named by its cell."""
    from python_calamine import CalamineWorkbook  # only an import needs it

    parts = _check_zip(name, data)
    formulas = _formula_cells(data, parts)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets: dict[str, pd.DataFrame] = {}
        for number, title in enumerate(workbook.sheet_names):
            if progress:
                progress(f"Reading sheet {title}", number / max(1, len(workbook.sheet_names)))
            sheet = _sheet_name(title)
            rows = workbook.get_sheet_by_name(title).to_python(skip_empty_area=False)
            if len(rows) > MAX_ROWS:
                raise refuse(sheet, f"This sheet has more than {MAX_ROWS:,} rows.")
            sheets[sheet] = _frame(sheet, rows, start=1)
    except ImportRefusedError:
        raise
    except Exception as error:
        raise refuse(name, f"This workbook is damaged and cannot be read ({type(error).__name__}).") from None
    if formulas:
        headers = {sheet: list(frame.columns) for sheet, frame in sheets.items()}
        raise ImportRefusedError([_formula_error(headers, *cell) for cell in formulas])
    return sheets


def _formula_error(headers: dict[str, list[str]], title: str, column: int, row: int) -> CellError:
    sheet = _sheet_name(title)
    names = headers.get(sheet, [])
    named = names[column] if column < len(names) and names[column] != ROW else f"column {column + 1}"
    return CellError(sheet, row, named, "This cell holds a formula; type or paste its value instead.")


def _check_zip(name: str, data: bytes) -> list[zipfile.ZipInfo]:
    """A workbook is a zip of XML parts: refuse anything else, and a zip that unpacks too large."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise refuse(name, "This is not an Excel workbook (.xlsx): it cannot be opened as one.") from None
    names = {part.filename for part in parts}
    if "xl/workbook.xml" not in names:
        raise refuse(name, "This is a zip file, but not an Excel workbook (it has no xl/workbook.xml).")
    if sum(part.file_size for part in parts) > MAX_UNPACKED_BYTES:
        raise refuse(name, "This workbook unpacks to more than 1 GB; it is refused as unsafe.")
    return parts


# calamine gives a formula's cached value, so formulas are found in the sheets' XML: a cell element
# (any namespace prefix) and the formula element inside it.
_SHEET_ENTRY = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_SHEET_ENTRY_REVERSED = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\br:id="([^"]*)"[^>]*?\bname="([^"]*)"')
_RELATIONSHIP = re.compile(rb'<Relationship\b[^>]*?\bId="([^"]*)"[^>]*?\bTarget="([^"]*)"')
_RELATIONSHIP_REVERSED = re.compile(rb'<Relationship\b[^>]*?\bTarget="([^"]*)"[^>]*?\bId="([^"]*)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL_REFERENCE = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]+)(\d+)"')
MAX_FORMULAS_LISTED = 1000


def _formula_cells(data: bytes, parts: list[zipfile.ZipInfo]) -> list[tuple[str, int, int]]:
    """(sheet title, column index, row number) of every formula cell (at most
    :data:`MAX_FORMULAS_LISTED`)."""
    import html

    found: list[tuple[str, int, int]] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for title, part in _sheet_parts(archive, {info.filename for info in parts}).items():
            xml = archive.read(part)
            for formula in _FORMULA.finditer(xml):
                cell_start = max(xml.rfind(b"<c ", 0, formula.start()), xml.rfind(b":c ", 0, formula.start()))
                reference = _CELL_REFERENCE.match(xml, xml.rfind(b"<", 0, cell_start + 1))
                if reference is None:
                    continue
                found.append((html.unescape(title.decode()), _column_index(reference[1]), int(reference[2])))
                if len(found) >= MAX_FORMULAS_LISTED:
                    return found
    return found


def _sheet_parts(archive: zipfile.ZipFile, names: set[str]) -> dict[bytes, str]:
    """Each sheet's title → the zip part holding its XML."""
    workbook = archive.read("xl/workbook.xml")
    relations = archive.read("xl/_rels/workbook.xml.rels") if "xl/_rels/workbook.xml.rels" in names else b""
    targets = dict(_RELATIONSHIP.findall(relations)) | {
        i: t for t, i in _RELATIONSHIP_REVERSED.findall(relations)
    }
    entries = dict(_SHEET_ENTRY.findall(workbook)) | {
        n: i for i, n in _SHEET_ENTRY_REVERSED.findall(workbook)
    }
    parts: dict[bytes, str] = {}
    for title, relation in entries.items():
        target = targets.get(relation, b"").decode()
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        if part in names:
            parts[title] = part
    return parts


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + (letter - ord("A") + 1)
    return index - 1


def _cell_text(value: object) -> str | None:
    """A cell as the text a person would read in it; None when blank."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _frame(sheet: str, rows: Sequence[Sequence[Any]], *, start: int) -> pd.DataFrame:
    """Rows (the first is the header) as a frame of text cells, blank rows dropped, with ``ROW``."""
    if not rows or not any(_cell_text(value) for value in rows[0]):
        return pd.DataFrame({ROW: pd.Series(dtype="int64")})
    header = [_column_name(value) for value in rows[0]]
    while header and not header[-1]:
        header.pop()
    records: list[list[Any]] = []
    numbers: list[int] = []
    for number, row in enumerate(rows[1:], start=start + 1):
        cells = [_cell_text(value) for value in row[: len(header)]]
        if any(cell is not None for cell in cells):
            records.append(cells + [None] * (len(header) - len(cells)))
            numbers.append(number)
    named = [name or f"column_{position + 1}" for position, name in enumerate(header)]
    frame = pd.DataFrame(records, columns=named, dtype=object)
    frame[ROW] = numbers
    return frame


# --- writing ---------------------------------------------------------------------------------------


def write_xlsx(path: Path | io.BytesIO, sheets: Mapping[str, pd.DataFrame]) -> None:
    """Sheets as one workbook; text stays text (a cell starting with "=" is not made a formula)."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    for name, frame in sheets.items():
        worksheet = workbook.create_sheet(name)
        worksheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            worksheet.append([_as_cell(worksheet, value) for value in row])
    workbook.save(path)


def _as_cell(worksheet, value: object) -> object:
    from openpyxl.cell import WriteOnlyCell

    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(worksheet, value=value)
        cell.data_type = "s"  # openpyxl would otherwise store it as a formula
        return cell
    return value


def write_csv_folder(folder: Path, sheets: Mapping[str, pd.DataFrame]) -> None:
    """Sheets as ``<sheet>.csv`` files in ``folder`` (UTF-8)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in sheets.items():
        frame.to_csv(folder / f"{name}.csv", index=False, encoding="utf-8", lineterminator="\n")
