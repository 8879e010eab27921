"""Test files for the importer, written by hand: a small city as sheets of text, and ways to write
it as a folder of CSVs or an ``.xlsx`` workbook; and a snapshot of every table, to tell that an
import changed nothing.

The small city (every figure typed here is asserted by hand in ``tests/test_import.py``):

- bureaus TR "Bureau of Transportation" and WA "Water Bureau";
- TR goal G1 (citywide goal 2, workforce) with action A1; WA goal G1 (citywide goal 1, community
  access);
- TR ``hires_poc`` (percent, higher, annual, not disaggregated), baseline 20 in "FY 2016-17",
  target 30 in "FY2021" (= FY 2020-21): values "FY 2016-17" 20.0 and "2017-18" 22.4;
- TR ``employees`` (count, neutral, annual, disaggregated), baseline 100 in "CY 2016" (a calendar
  year), target 120 in "FY 2020-21": FY 2016-17 total 20 = Black 5 ("Black") + White 15;
  "FY2018" (= FY 2017-18) total 24 = Black 6 ("african american") + White 18; FY 2018-19 total 30
  = Black 7 ("BLACK") + White 23;
- WA ``calls_answered`` (percent, lower, quarterly, not disaggregated), baseline 80 in "FY 2016-17
  Q1", target 90 in "FY 2019-20 Q4": "FY 2016-17 Q2" 85.5.

Twelve value rows in all (the last one is sheet row 13). Imported as of :data:`TODAY`.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, func, select, text

from equity_tracking.models import Base
from equity_tracking.workbook import write_csv_folder, write_xlsx

TODAY = dt.date(2022, 1, 15)

BUREAUS = [
    {"code": "TR", "name": "Bureau of Transportation"},
    {"code": "WA", "name": "Water Bureau"},
]
GOALS = [
    {"bureau_code": "TR", "goal_key": "G1", "title": "A workforce that reflects the city",
     "citywide_goal": "2", "focus_area": "workforce"},
    {"bureau_code": "WA", "goal_key": "G1", "title": "Every caller is answered",
     "citywide_goal": "1", "focus_area": "Community access and partnership"},
]  # fmt: skip
ACTIONS = [
    {"bureau_code": "TR", "goal_key": "G1", "action_key": "A1", "title": "Recruit at job fairs",
     "lead": "Human Resources", "start_date": "2016-07-01", "due_date": "2019-06-30", "status": "On track"},
]  # fmt: skip
MEASURES = [
    {"bureau_code": "TR", "goal_key": "G1", "measure_key": "hires_poc", "name": "New hires of color (%)",
     "unit": "percent", "polarity": "higher", "frequency": "annual", "baseline_value": "20",
     "baseline_period": "FY 2016-17", "target_value": "30", "target_period": "FY2021", "disaggregated": "no"},
    {"bureau_code": "TR", "goal_key": "G1", "measure_key": "employees", "name": "Employees",
     "unit": "count", "polarity": "neutral", "frequency": "annual", "baseline_value": "100",
     "baseline_period": "CY 2016", "target_value": "120", "target_period": "FY 2020-21",
     "disaggregated": "yes"},
    {"bureau_code": "WA", "goal_key": "G1", "measure_key": "calls_answered", "name": "Calls answered (%)",
     "unit": "percent", "polarity": "lower", "frequency": "quarterly", "baseline_value": "80",
     "baseline_period": "FY 2016-17 Q1", "target_value": "90", "target_period": "FY 2019-20 Q4",
     "disaggregated": "no"},
]  # fmt: skip


def _value(measure: str, period: str, value: str, group: str | None = None, code: str = "TR") -> dict:
    return {"bureau_code": code, "measure_key": measure, "period": period, "group": group, "value": value,
            "numerator": None, "denominator": None, "note": None}  # fmt: skip


VALUES = [
    _value("hires_poc", "FY 2016-17", "20.0"),  # sheet row 2
    _value("hires_poc", "2017-18", "22.4"),  # 3
    _value("employees", "FY 2016-17", "20"),  # 4
    _value("employees", "FY 2016-17", "5", "Black"),  # 5
    _value("employees", "FY 2016-17", "15", "White"),  # 6
    _value("employees", "FY2018", "24"),  # 7
    _value("employees", "FY2018", "6", "african american"),  # 8
    _value("employees", "FY2018", "18", "White"),  # 9
    _value("employees", "FY 2018-19", "30"),  # 10
    _value("employees", "FY 2018-19", "7", "BLACK"),  # 11
    _value("employees", "FY 2018-19", "23", "White"),  # 12
    _value("calls_answered", "FY 2016-17 Q2", "85.5", code="WA"),  # 13
]
LAST_VALUE_ROW = 13


def small_city() -> dict[str, pd.DataFrame]:
    """The small city as sheets of text (fresh frames: a test may change them)."""
    sheets = {"bureaus": BUREAUS, "goals": GOALS, "actions": ACTIONS, "measures": MEASURES, "values": VALUES}
    return {name: pd.DataFrame(rows, dtype=object) for name, rows in sheets.items()}


def as_csv_folder(folder: Path, sheets: Mapping[str, pd.DataFrame]) -> Path:
    write_csv_folder(folder, sheets)
    return folder


def as_xlsx(path: Path, sheets: Mapping[str, pd.DataFrame]) -> Path:
    write_xlsx(path, sheets)
    return path


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, sheets)
    return buffer.getvalue()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def csv_files(sheets: Mapping[str, pd.DataFrame]) -> dict[str, bytes]:
    """The sheets as uploaded CSV files, ``{"values.csv": b"..."}``."""
    return {f"{name}.csv": csv_bytes(frame) for name, frame in sheets.items()}


# --- what the database holds -----------------------------------------------------------------------


def snapshot(engine: Engine) -> dict[str, object]:
    """Every table's row count, the data-version counters and the edit versions: an import that
    changed nothing leaves this as it was."""
    counts: dict[str, object] = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            counts[table.name] = connection.execute(select(func.count()).select_from(table)).scalar_one()
        counts["app_metadata values"] = sorted(
            tuple(row) for row in connection.execute(text("SELECT key, value FROM app_metadata"))
        )
        counts["edit_versions values"] = sorted(
            tuple(row) for row in connection.execute(text("SELECT key, version FROM edit_versions"))
        )
    return counts


# --- hand-made workbooks --------------------------------------------------------------------------

_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
_OPENXML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_CONTENT_TYPES = (
    _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_OPENXML}.sheet.main+xml"/>'
    "{overrides}"
    f'<Override PartName="/xl/styles.xml" ContentType="{_OPENXML}.styles+xml"/></Types>'
)
_SHEET_TYPE = f"{_OPENXML}.worksheet+xml"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_ROOT_RELS = (
    _XML + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
# Two cell styles: the default, and bold on yellow (what the empty formatted rows carry).
_STYLES = (
    _XML + '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFFFFF00"/><bgColor indexed="64"/></patternFill>'
    "</fill></fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def _column_letter(position: int) -> str:
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _sheet_xml(frame: pd.DataFrame, empty_formatted_rows: int) -> bytes:
    """A worksheet of inline strings, then ``empty_formatted_rows`` rows with only a style (what a
    spreadsheet leaves behind when a person formats whole columns down to row 1,000,000)."""
    rows = [list(frame.columns), *frame.itertuples(index=False)]
    last = f"{_column_letter(max(0, len(frame.columns) - 1))}{len(rows) + empty_formatted_rows}"
    parts = [  # Excel writes the sheet's dimension first; openpyxl reads it to size the sheet
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:{last}"/><sheetData>'
    ]
    for number, row in enumerate(rows, start=1):
        cells = "".join(
            f'<c r="{_column_letter(i)}{number}" t="inlineStr"><is><t>{_escape(str(v))}</t></is></c>'
            for i, v in enumerate(row)
            if v is not None and not (isinstance(v, float) and pd.isna(v))
        )
        parts.append(f'<row r="{number}">{cells}</row>')
    start = len(rows) + 1
    empty = "".join(
        f'<row r="{number}" s="1" customFormat="1"><c r="A{number}" s="1"/></row>'
        for number in range(start, start + empty_formatted_rows)
    )
    parts.append(empty)
    parts.append("</sheetData></worksheet>")
    return "".join(parts).encode()


def handmade_xlsx(path: Path, sheets: Mapping[str, pd.DataFrame], *, empty_formatted_rows: int = 0) -> Path:
    """A workbook written part by part (no openpyxl), so that a million formatted rows take
    seconds: each sheet's rows as inline strings, the last sheet followed by
    ``empty_formatted_rows`` empty rows that carry only a cell style."""
    names = list(sheets)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        overrides = "\n".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_SHEET_TYPE}"/>'
            for i in range(1, len(names) + 1)
        )
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES.format(overrides=overrides))
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr(
            "xl/workbook.xml",
            _XML + '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'xmlns:r="{_RELATIONSHIPS}"><sheets>'
            + "".join(f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, 1))
            + "</sheets></workbook>",
        )
        relationships = [(f"worksheets/sheet{i}.xml", "worksheet") for i in range(1, len(names) + 1)]
        relationships.append(("styles.xml", "styles"))
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            _XML
            + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(
                f'<Relationship Id="rId{i}" Target="{target}" Type="{_RELATIONSHIPS}/{kind}"/>'
                for i, (target, kind) in enumerate(relationships, start=1)
            )
            + "</Relationships>",
        )
        archive.writestr("xl/styles.xml", _STYLES)
        for i, name in enumerate(names, start=1):
            extra = empty_formatted_rows if i == len(names) else 0
            archive.writestr(f"xl/worksheets/sheet{i}.xml", _sheet_xml(sheets[name], extra))
    return path
