"""Fiscal-year periods: labels, dates and ordering."""

import datetime as dt

import pytest

from equity_tracking.periods import (
    PeriodKind,
    PeriodLabelError,
    calendar_year,
    fiscal_quarter,
    fiscal_year,
    fiscal_year_containing,
    fiscal_year_label,
    parse_label,
)


def test_fiscal_year_runs_july_to_june():
    period = fiscal_year(2016)
    assert (period.start_date, period.end_date) == (dt.date(2016, 7, 1), dt.date(2017, 6, 30))
    assert period.label == "FY 2016-17"


def test_fiscal_year_label_wraps_the_century():
    assert fiscal_year_label(1999) == "FY 1999-00"
    assert parse_label("FY 1999-00") == fiscal_year(1999)


@pytest.mark.parametrize(
    ("quarter", "start", "end"),
    [
        (1, dt.date(2018, 7, 1), dt.date(2018, 9, 30)),
        (2, dt.date(2018, 10, 1), dt.date(2018, 12, 31)),
        (3, dt.date(2019, 1, 1), dt.date(2019, 3, 31)),
        (4, dt.date(2019, 4, 1), dt.date(2019, 6, 30)),
    ],
)
def test_fiscal_quarter_dates_follow_the_fiscal_year(quarter, start, end):
    period = fiscal_quarter(2018, quarter)
    assert (period.start_date, period.end_date) == (start, end)
    assert period.label == f"FY 2018-19 Q{quarter}"


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("FY 2016-17", fiscal_year(2016)),
        ("fy2016-2017", fiscal_year(2016)),
        ("FY 2016-17 Q3", fiscal_quarter(2016, 3)),
        ("CY 2019", calendar_year(2019)),
        ("2019", calendar_year(2019)),
        # As spreadsheets write them: no "FY", or the year the fiscal year ends in.
        ("2016-17", fiscal_year(2016)),
        (" 2016/2017 ", fiscal_year(2016)),
        ("2016-17 Q2", fiscal_quarter(2016, 2)),
        ("FY2017", fiscal_year(2016)),
        ("fy 2017", fiscal_year(2016)),
        ("FY2017 Q1", fiscal_quarter(2016, 1)),
    ],
)
def test_parse_label_accepts_common_spellings(label, expected):
    assert parse_label(label) == expected


@pytest.mark.parametrize(
    "label", ["FY 2016-18", "2016-18", "Q1 2016", "FY 2016-17 Q5", "FY17", "2016 Q1", ""]
)
def test_parse_label_rejects_with_accepted_forms(label):
    with pytest.raises(PeriodLabelError, match="FY 2016-17"):
        parse_label(label)


def test_periods_sort_by_end_date_with_quarter_before_its_year():
    periods = [fiscal_year(2017), calendar_year(2017), fiscal_quarter(2016, 4), fiscal_year(2016)]
    ordered = sorted(periods, key=lambda period: period.sort_key())
    assert [period.label for period in ordered] == ["FY 2016-17 Q4", "FY 2016-17", "CY 2017", "FY 2017-18"]


def test_fiscal_year_containing_switches_on_first_of_july():
    assert fiscal_year_containing(dt.date(2019, 6, 30)) == 2018
    assert fiscal_year_containing(dt.date(2019, 7, 1)) == 2019
    assert fiscal_year(2019).kind is PeriodKind.FISCAL_YEAR


@pytest.mark.parametrize("label", ["1899", "FY 1899-00", "CY 20199", "FY2102", "2200-01 Q1"])
def test_a_year_no_plan_can_have_is_refused(label):
    with pytest.raises(PeriodLabelError):
        parse_label(label)
