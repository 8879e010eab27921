"""Numbers as people read them, and downloads that spreadsheets cannot run as formulas."""

import pandas as pd
import pytest

from equity_tracking.formatting import csv_bytes, number, percent, state_text


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


def test_csv_download_defuses_formulas_and_keeps_accents():
    frame = pd.DataFrame({"Bureau": ['=HYPERLINK("x")', "Bureau of Émergency", "-1+1"], "n": [1, 2, 3]})
    text = csv_bytes(frame).decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert "'-1+1" in text
    assert "Bureau of Émergency" in text
    assert text.splitlines()[0] == "Bureau,n"
