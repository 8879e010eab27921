"""Downloads (issue #11): every public table and chart's data as CSV and as Excel, read back with
the csv module, pandas and openpyxl.

- text that a spreadsheet would run as a formula is inert in both formats, while numbers (a
  negative one too) stay numbers and dates stay dates;
- the Excel file has its data, "Data dictionary" and "About" sheets;
- a hidden figure reads "hidden" in both formats, never blank or zero: on a frame built by hand,
  and on the golden city's measure M2, whose FY 2016-17 Asian count (5) is hidden with White and
  People of color (tests/golden_city.py);
- the pages offer both files, marked when they include unpublished work.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest
from apptest_support import open_app, open_folded
from golden_city import build_golden_city
from principals import make_user

from equity_tracking import accounts, reads, ui
from equity_tracking.dashboards import measure as measure_view
from equity_tracking.dictionary import column_meaning
from equity_tracking.downloads import csv_bytes, source_text, xlsx_bytes
from equity_tracking.permissions import Role
from equity_tracking.publication import public_view

SOURCE = "City of Portland, Office of Equity and Human Rights — Equity Plan Tracker"
TOKEN = "_equity_session_token"  # ui's session key for a password session (AppTest has no cookies)
INCLUDE_UNPUBLISHED = "_equity_include_unpublished"

# Text cells a spreadsheet would run (or split into a formula), and what the files hold instead, by
# hand: a leading apostrophe; NUL is removed (it cannot stand in an Excel file, and ends a string in
# many CSV readers), and what is left follows the same rule.
PLANTED = {
    "=1+1": "'=1+1",
    "+1": "'+1",
    "-1": "'-1",
    "@SUM(A1:A2)": "'@SUM(A1:A2)",
    "\tcmd": "'\tcmd",
    "\rcmd": "'\rcmd",
    "\ncmd": "'\ncmd",
    "\x00cmd": "cmd",
    "\x00=1+1": "'=1+1",
    "Bureau of Émergency": "Bureau of Émergency",
}


def _planted_frame() -> pd.DataFrame:
    count = len(PLANTED)
    return pd.DataFrame(
        {
            "note": list(PLANTED),
            "value": [-3.0] + [float(number) for number in range(1, count)],
            "people": [-3, *range(1, count)],
            "period_end": pd.to_datetime(["2019-06-30"] * count),
            "entered_at": pd.to_datetime(["2019-08-14 17:00"] * count, utc=True),
            "corrected_later": [True] + [False] * (count - 1),
        }
    )


def _workbook(frame: pd.DataFrame, **options) -> openpyxl.Workbook:
    data = xlsx_bytes(
        frame,
        title=options.pop("title", "Planted text"),
        source=options.pop("source", SOURCE),
        as_of=options.pop("as_of", "30 Sep 2019"),
        made_at=options.pop("made_at", dt.datetime(2024, 3, 1, 20, 30, tzinfo=dt.UTC)),
        **options,
    )
    return openpyxl.load_workbook(io.BytesIO(data))


def _csv_rows(frame: pd.DataFrame) -> list[list[str]]:
    return list(csv.reader(io.StringIO(csv_bytes(frame).decode("utf-8-sig"), newline="")))


# --- formulas, numbers and dates -----------------------------------------------------------------------


def test_the_csv_makes_formula_text_inert_and_keeps_numbers_numbers():
    frame = _planted_frame()
    rows = _csv_rows(frame)
    assert rows[0] == ["note", "value", "people", "period_end", "entered_at", "corrected_later"]
    assert [row[0] for row in rows[1:]] == list(PLANTED.values())
    assert rows[1][1:] == ["-3.0", "-3", "2019-06-30", "2019-08-14T17:00:00+00:00", "yes"]
    back = pd.read_csv(io.BytesIO(csv_bytes(frame)), encoding="utf-8-sig")
    assert pd.api.types.is_float_dtype(back["value"])
    assert back["value"].iloc[0] == -3.0
    assert pd.api.types.is_integer_dtype(back["people"])
    assert back["people"].iloc[0] == -3
    assert back["note"].tolist() == list(PLANTED.values())


def test_the_excel_file_makes_formula_text_inert_and_keeps_numbers_and_dates():
    sheet = _workbook(_planted_frame())["Data"]
    assert [cell.value for cell in sheet[1]] == [
        "note",
        "value",
        "people",
        "period_end",
        "entered_at",
        "corrected_later",
    ]
    notes = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type == "s" for cell in notes)  # text, never a formula ("f")
    # Excel's XML reads a carriage return back as a line feed; it stays behind the apostrophe.
    expected = [text.replace("\r", "\n") for text in PLANTED.values()]
    assert [cell.value for cell in notes] == expected
    first = sheet[2]
    assert (first[1].value, first[1].data_type) == (-3, "n")  # a negative number is a number
    assert (first[2].value, first[2].data_type) == (-3, "n")
    assert first[3].is_date
    assert first[3].value == dt.datetime(2019, 6, 30)
    assert first[3].number_format == "yyyy-mm-dd"
    assert first[4].is_date
    assert first[4].value == dt.datetime(2019, 8, 14, 17, 0)
    assert first[5].value == "yes"
    file = xlsx_bytes(_planted_frame(), title="t", source=SOURCE, as_of=None)
    back = pd.read_excel(io.BytesIO(file), engine="openpyxl")
    assert pd.api.types.is_numeric_dtype(back["value"])
    assert back["value"].iloc[0] == -3
    assert pd.api.types.is_datetime64_any_dtype(back["period_end"])


def test_the_excel_file_has_data_dictionary_and_about_sheets():
    frame = pd.DataFrame(
        {"group": ["Asian", "Black"], "representation_index": [0.71, 0.66], "made_up_column": [1, 2]}
    )
    book = _workbook(
        frame,
        title="Employees by race/ethnicity, FY 2018-19",
        as_of="30 Sep 2019, the reporting deadline of FY 2018-19",
        dictionary={"made_up_column": "A column this test describes itself."},
    )
    assert book.sheetnames == ["Data", "Data dictionary", "About"]
    data = book["Data"]
    assert data.freeze_panes == "A2"
    assert all(cell.font.bold for cell in data[1])
    assert data.column_dimensions["B"].width >= len("representation_index")

    dictionary = {row[0]: row[1:] for row in book["Data dictionary"].iter_rows(min_row=2, values_only=True)}
    assert list(dictionary) == ["group", "representation_index", "made_up_column"]
    assert dictionary["representation_index"][:2] == (
        "A group's share of a bureau's workforce (or contract dollars) divided by its share of the city's "
        "residents; 1.0 is parity.",
        "number",
    )
    assert dictionary["made_up_column"][:2] == ("A column this test describes itself.", "whole number")
    assert dictionary["group"][1] == "text"

    about = dict(book["About"].iter_rows(min_row=2, values_only=True))
    assert about["Title"] == "Employees by race/ethnicity, FY 2018-19"
    assert about["Source"] == SOURCE
    assert about["Figures as of"] == "30 Sep 2019, the reporting deadline of FY 2018-19"
    assert about["File made"] == "2024-03-01 12:30 (Portland time)"  # 20:30 UTC is 12:30 PST
    assert about["Includes unpublished work"] == "No: published figures only."
    assert "fewer than 10 people" in about["Hidden figures"]
    assert about["Hidden figures"].endswith("This file holds 0 hidden figures.")


def test_the_about_sheet_says_when_the_data_is_the_demo_or_includes_unpublished_work():
    book = _workbook(
        pd.DataFrame({"value": [1.0]}),
        source=source_text({"seed": 2016, "scale": 1}),
        includes_unpublished=True,
    )
    about = dict(book["About"].iter_rows(min_row=2, values_only=True))
    assert about["Source"].startswith("Demo data — not real City figures")
    assert "seed 2016, scale 1" in about["Source"]
    assert about["Includes unpublished work"].startswith("Yes")


# --- hidden figures --------------------------------------------------------------------------------------


def test_hidden_figures_read_hidden_never_blank_or_zero():
    frame = pd.DataFrame(
        {
            "group": ["Asian", "Black", "White"],
            "employees": [None, 12.0, 150.0],
            "share_pct": [None, 6.6, None],  # White's share is missing for another reason: not hidden
            "residents_pct": [10.0, 10.0, 60.0],
            "hidden": [True, False, False],
        }
    )
    rows = _csv_rows(frame)
    assert rows[1:] == [
        ["Asian", "hidden", "hidden", "10.0", "yes"],
        ["Black", "12.0", "6.6", "10.0", "no"],
        ["White", "150.0", "", "60.0", "no"],
    ]
    book = _workbook(frame)
    cells = [[cell.value for cell in row] for row in book["Data"].iter_rows(min_row=2)]
    assert cells == [
        ["Asian", "hidden", "hidden", 10, "yes"],
        ["Black", 12, 6.6, 10, "no"],
        ["White", 150, None, 60, "no"],
    ]
    about = dict(book["About"].iter_rows(min_row=2, values_only=True))
    assert about["Hidden figures"].endswith("This file holds 2 hidden figures.")
    assert 'a hidden figure\'s cell reads "hidden"' in about["Hidden figures"]
    types = {row[0]: row[2] for row in book["Data dictionary"].iter_rows(min_row=2, values_only=True)}
    assert types["employees"] == 'number, or "hidden"'
    assert types["residents_pct"] == "number"


@pytest.fixture(scope="module")
def golden(database_factory):
    engine = database_factory.new_engine()
    build_golden_city(engine)
    return engine


def test_the_golden_measure_downloads_its_hidden_counts_as_hidden(golden):
    """The measure page's group chart data for M2 (its download), as of FY 2018-19: in FY 2016-17
    Asian (5) is hidden, and White and People of color with it; Black 12, Hispanic 30 and Unknown 3
    are shown; nothing is hidden in FY 2018-19 (tests/golden_city.py)."""
    rows = measure_view.group_values(
        public_view(golden, fiscal_year=2018).group_shares([2]),
        unit="count",
        groups=reads.race_groups(golden),
    )
    data = measure_view.group_data(rows)
    body = _csv_rows(data)
    header = body[0]
    first_year = {
        row[header.index("group")]: (row[header.index("value")], row[header.index("hidden")])
        for row in body[1:]
        if row[header.index("period")] == "FY 2016-17"
    }
    assert first_year == {
        "Asian": ("hidden", "yes"),
        "Black or African American": ("12.0", "no"),
        "Hispanic or Latino": ("30.0", "no"),
        "White": ("hidden", "yes"),
        "Unknown or declined": ("3.0", "no"),
        "People of color": ("hidden", "yes"),
    }
    assert all(row[header.index("value")] != "hidden" for row in body[1:] if row[0] == "FY 2018-19")
    sheet = _workbook(data)["Data"]
    excel = {
        (row[0], row[2]): row[3]
        for row in sheet.iter_rows(min_row=2, values_only=True)
        if row[0] == "FY 2016-17"
    }
    assert excel[("FY 2016-17", "Asian")] == "hidden"
    assert excel[("FY 2016-17", "Black or African American")] == 12
    assert excel[("FY 2016-17", "Unknown or declined")] == 3


# --- the pages offer both files -----------------------------------------------------------------------------


def _labels(app) -> list[str]:
    return [button.label for button in app.get("download_button")]


def test_a_public_page_offers_every_download_as_csv_and_excel(golden, monkeypatch):
    app = open_app("pages/bureau.py", golden, monkeypatch, query={"bureau": "AA", "fy": "2018-19"})
    app.run()
    assert not app.exception, app.exception
    labels = _labels(app)
    csv_labels = [label for label in labels if label.endswith("(CSV)")]
    assert csv_labels, labels
    assert [label for label in labels if label.endswith("(Excel)")] == [
        label.replace("(CSV)", "(Excel)") for label in csv_labels
    ]
    assert "Download the scorecard (CSV)" in labels
    assert "Download the scorecard (Excel)" in labels
    # Every chart's data table: the M2 panel's chart, and the goals' health chart.
    assert labels.count("Download the data (Excel)") >= 2


def test_the_file_names_and_labels_say_when_they_include_unpublished_work():
    assert ui.download_names(
        "Download the scorecard (CSV)", "TR-scorecard-2018-19.csv", unpublished=False
    ) == (
        "Download the scorecard (CSV)",
        "Download the scorecard (Excel)",
        "TR-scorecard-2018-19.csv",
        "TR-scorecard-2018-19.xlsx",
    )
    assert ui.download_names("Download the data (CSV)", "measure-1-data-2018-19.csv", unpublished=True) == (
        "Download the data (CSV), including unpublished work",
        "Download the data (Excel), including unpublished work",
        "measure-1-data-2018-19-including-unpublished.csv",
        "measure-1-data-2018-19-including-unpublished.xlsx",
    )


def test_downloads_that_include_unpublished_work_say_so(golden, monkeypatch):
    user = make_user(golden, "analyst@downloads.example", Role.ANALYST)
    principal = accounts.current_principal(golden, user)
    assert principal is not None
    token = accounts.open_session(golden, principal, method="password")
    app = open_app(
        "pages/measure.py",
        golden,
        monkeypatch,
        state={TOKEN: token, INCLUDE_UNPUBLISHED: True},
        query={"measure": "1", "fy": "2018-19"},
    )
    app.run()
    assert not app.exception, app.exception
    labels = _labels(app)
    assert "Download the data (CSV), including unpublished work" in labels
    assert "Download the data (Excel), including unpublished work" in labels
    assert not [label for label in labels if not label.endswith(", including unpublished work")]


PUBLIC_PAGES = (
    ("pages/home.py", {"fy": "2018-19"}),
    ("pages/citywide_goal.py", {"goal": "1", "fy": "2018-19"}),
    ("pages/bureau.py", {"bureau": "AA", "fy": "2018-19"}),
    ("pages/measure.py", {"measure": "2", "fy": "2018-19"}),
    ("pages/compare.py", {"fy": "2018-19"}),
    ("pages/workforce.py", {"fy": "2018-19"}),
    ("pages/reports.py", {"fy": "2018-19"}),
    ("pages/methodology.py", {}),
)


def test_every_download_of_the_public_pages_describes_its_columns(golden, monkeypatch):
    """The Excel files' data dictionary has a meaning for every column of every download the golden
    city's public pages offer (recorded as the pages call ``ui.download``)."""
    offered: dict[str, list[str]] = {}
    original = ui.download

    def recording(data, **options):
        offered[options["file_name"]] = [
            column
            for column in data.columns
            if column_meaning(str(column)) is None and column not in (options.get("dictionary") or {})
        ]
        original(data, **options)

    monkeypatch.setattr(ui, "download", recording)
    for script, query in PUBLIC_PAGES:
        app = open_app(script, golden, monkeypatch, query=query)
        app.run()
        assert not app.exception, (script, app.exception)
        open_folded(app)  # the downloads of what is built only while open, too
    assert len(offered) >= 20, sorted(offered)  # every chart's data and every table
    assert {name: columns for name, columns in offered.items() if columns} == {}


# --- the files a browser gets -----------------------------------------------------------------------


@pytest.mark.browser
def test_the_browser_downloads_the_excel_file_with_hidden_figures_labelled(browser, golden_server):
    from browser_support import DESKTOP, Contexts, goto, press_to_download, wait_drawn

    contexts = Contexts(browser)
    try:
        page = goto(contexts.new_page(DESKTOP), golden_server + "/measure?measure=2&fy=2016-17")
        downloads = page.locator(".st-key-downloads-groups")
        section = page.locator("[data-testid='stExpander']").filter(has=downloads)
        section.locator("summary").click()
        wait_drawn(page)
        button = section.get_by_role("button", name="Download the data (Excel)")
        with page.expect_download() as download:
            press_to_download(button)
        assert download.value.suggested_filename == "measure-2-groups-2016-17.xlsx"
        book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    finally:
        contexts.close()
    assert book.sheetnames == ["Data", "Data dictionary", "About"]
    values = {row[2]: row[3] for row in book["Data"].iter_rows(min_row=2, values_only=True)}
    assert values == {
        "Asian": "hidden",
        "Black or African American": 12,
        "Hispanic or Latino": 30,
        "White": "hidden",
        "Unknown or declined": 3,
        "People of color": "hidden",
    }
    about = dict(book["About"].iter_rows(min_row=2, values_only=True))
    assert about["Source"] == SOURCE
    assert about["Figures as of"].startswith("30 Sep 2017, the reporting deadline of FY 2016-17")
    assert about["Title"] == "Employees by race/ethnicity, as of FY 2016-17"
