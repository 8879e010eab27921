"""Numbers as people read them, and downloads that spreadsheets cannot run as formulas."""

import csv
import io
import re

import pandas as pd
import pytest

from equity_tracking.formatting import csv_bytes, difference, md, number, percent, plain, ratio, state_text


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (1250000, "dollars", "$1,250,000"),
        (-1250.4, "dollars", "-$1,250"),
        (676.3, "count", "676"),
        (42, "percent", "42.0 %"),
        (3.25, "rate", "3.2"),
        (12, "days", "12 days"),
        (12.5, "days", "12.5 days"),
        (None, "count", "—"),
        (float("nan"), "percent", "—"),
    ],
)
def test_number_formats_each_unit_for_people(value, unit, expected):
    assert number(value, unit=unit) == expected


def test_percent_has_one_decimal_and_a_dash_when_missing():
    assert percent(56.475) == "56.5 %"
    assert percent(1234.5) == "1,234.5 %"
    assert percent(None) == "—"


def test_state_text_pairs_icon_and_label():
    assert state_text("✓", "On track") == "✓ On track"


def test_csv_download_is_data_that_no_spreadsheet_runs():
    frame = pd.DataFrame(
        {
            "bureau": ['=HYPERLINK("x")', "Bureau of Émergency", "-1+1", "line one\r=cmd|' /C calc'!A0"],
            "value": [1.5, -2.0, 3.0, None],
            "period_end": pd.to_datetime(["2019-06-30", "2018-06-30", None, "2017-06-30"]),
            "hidden": [True, False, False, True],
        }
    )
    text = csv_bytes(frame).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["bureau", "value", "period_end", "hidden"]
    assert [row[0] for row in rows[1:]] == [
        '\'=HYPERLINK("x")',  # a formula made inert
        "Bureau of Émergency",
        "'-1+1",
        "line one\r=cmd|' /C calc'!A0",  # the carriage return stays inside its quoted cell
    ]
    assert [row[1] for row in rows[1:]] == ["1.5", "-2.0", "3.0", ""]  # numbers stay numbers
    assert [row[2] for row in rows[1:]] == ["2019-06-30", "2018-06-30", "", "2017-06-30"]  # ISO dates
    assert [row[3] for row in rows[1:]] == ["yes", "no", "no", "yes"]
    assert text.count("\r\n") == 5  # four rows and the header: the note's "\r" split nothing
    assert '"-2.0"' not in text  # numbers are written unquoted


def test_markdown_and_chart_text_from_the_database_stay_text():
    planted = "![x](https://evil.example/p.png) [a](https://evil.example) # H <b>b</b> :red[c] $x$"
    escaped = md(planted)
    assert "](" not in escaped.replace("\\]\\(", "")
    assert re.sub(r"\\(.)", r"\1", escaped).replace("\u2060", "") == planted  # shown exactly as typed
    assert md("two\nlines") == "two lines"  # a line break could start a heading or a list
    assert plain("<a href='https://evil.example'>x</a>") == "&lt;a href='https://evil.example'&gt;x&lt;/a&gt;"


def test_addresses_in_database_text_do_not_become_links():
    # GitHub-flavoured Markdown turns bare addresses into links after escapes are resolved; an
    # invisible word joiner (U+2060) right after the scheme, "www" and "@" breaks each pattern.
    escaped = md("See https://evil.example, WWW.evil.example or write to ask@evil.example")
    assert "https\u2060\\:" in escaped
    assert "WWW\u2060\\." in escaped
    assert "ask\\@\u2060evil" in escaped
    assert md("wwwx httpserver") == "wwwx httpserver"  # only the patterns themselves


def test_a_percentage_difference_is_written_in_points():
    assert difference(-5.5, unit="percent") == "−5.5 points"
    assert difference(2.0, unit="count") == "+2"
    assert difference(-0.02, unit="percent") == "0.0 points"  # no sign on what is shown as zero
    assert ratio(3.125) == "3.125"


def test_a_negative_dollar_difference_never_breaks_between_its_signs():
    # Browsers may wrap between "−" and "$" in a narrow table cell ("−" alone on a line).
    assert difference(-284053, unit="dollars") == "−\u2060$284,053"
    assert difference(284053, unit="dollars") == "+\u2060$284,053"
    assert difference(-3, unit="count") == "−3"  # a sign before a digit never breaks
