"""What the annual progress reports say (equity_tracking.annual_report), on the golden city.

Every expected figure is worked out by hand from tests/golden_city.py (its docstring gives the
inputs) and written here as a literal, never computed by the code under test. The layout (HTML and
PDF) is tested in test_annual_report_render.py.
"""

from __future__ import annotations

import re

import pytest

from equity_tracking.annual_report import AnnualReport, ReportError, Section, bureau_report, city_report

FY_2018 = 2018  # FY 2018-19, judged as of 30 September 2019


@pytest.fixture(scope="module")
def city(golden_engine) -> AnnualReport:
    return city_report(golden_engine, fiscal_year=FY_2018)


@pytest.fixture(scope="module")
def alpha(golden_engine) -> AnnualReport:
    return bureau_report(golden_engine, fiscal_year=FY_2018, bureau_code="AA")


def every_text(report: AnnualReport) -> str:
    """Every string the report holds, as one text."""
    parts = [report.title, *report.summary, *report.method]

    def walk(section: Section) -> None:
        parts.extend([section.heading, *section.paragraphs, *section.items])
        parts.extend(text for term, items in section.terms for text in (term, *items))
        for chart in section.charts:
            parts.extend(
                [chart.chart.title, chart.alt, *chart.notes, chart.table.caption, *chart.table.header]
            )
            parts.extend(cell for row in chart.table.rows for cell in row)
        for table in section.tables:
            parts.extend([table.caption, *table.header, *(cell for row in table.rows for cell in row)])
        for subsection in section.subsections:
            walk(subsection)

    for section in report.sections:
        walk(section)
    return "\n".join(parts)


def rows_of(section: Section, caption_start: str) -> list[tuple[str, ...]]:
    tables = [*section.tables, *(chart.table for chart in section.charts)]
    table = next(table for table in tables if table.caption.startswith(caption_start))
    return [tuple(row) for row in table.rows]


# --- the plain-language summary comes first -----------------------------------------------------------


def test_the_citywide_summary_says_who_reported_every_measure_due(city):
    # Due for FY 2018-19: AA's M1, M2, M3 (all reported), BB's M4 (last value FY 2017-18), CC's M5
    # (reported): 2 of 3 bureaus reported every measure due, 4 of 5 measures (80.0 %).
    assert city.summary[0] == (
        "2 of 3 bureaus reported every measure due for FY 2018-19 by 30 September 2019; 4 of the 5 "
        "measures due (80.0 %) were reported."
    )
    # M3 and M5 on track, M1 behind, M4 out of date, M2 tracked; A2 completed, A1 overdue.
    assert city.summary[1] == (
        "Of the city's 5 measures, 2 are on track, 1 is behind, 1 is out of date and 1 is tracked but not "
        "judged."
    )
    assert city.summary[2] == "Of the city's 2 actions, 1 is completed and 1 is overdue."
    # Goal 1: (45 + 20) ÷ 2; goal 2: AA-G2 alone; goal 3: CC-G1 alone (the draft's CC-G2 never counts).
    assert "goal 1 (End disparities in City government) 32.5 %" in city.summary[3]
    assert "goal 2 (Strengthen outreach and access) 95.0 %" in city.summary[3]
    assert "goal 3 (Collaborate to eliminate inequity) 60.0 %" in city.summary[3]
    assert city.summary[4] == "1 of 3 bureaus published their own account of the year."  # BB's is submitted


def test_a_bureaus_summary_gives_its_own_figures(alpha, golden_engine):
    assert alpha.title == "Bureau of Alpha: annual progress report, FY 2018-19"
    assert alpha.summary[:3] == (
        "Bureau of Alpha reported 3 of the 3 measures due for FY 2018-19 by 30 September 2019.",
        "Of its 3 measures, 1 is on track, 1 is behind and 1 is tracked but not judged.",
        "Of its 2 actions, 1 is completed and 1 is overdue.",
    )
    # Goals AA-G1 45.0 % (M1; M2 is not judged) and AA-G2 95.0 % → 70.0 %; expected (49.97 + 100) ÷ 2.
    assert alpha.summary[3] == (
        "On average its goals have come 70.0 % of the way from baseline to target; 75.0 % was expected "
        "by now."
    )
    beta = bureau_report(golden_engine, fiscal_year=FY_2018, bureau_code="bb")  # codes as typed
    assert (
        beta.summary[0]
        == "Bureau of Beta reported 0 of the 1 measure due for FY 2018-19 by 30 September 2019."
    )
    assert beta.summary[-1] == "It had not published its own account of FY 2018-19 (its annual narrative)."


def test_the_baseline_year_says_so_instead_of_progress(golden_engine):
    report = city_report(golden_engine, fiscal_year=2016)
    assert any("FY 2016-17 is the baseline year" in sentence for sentence in report.summary)
    assert not any("Progress toward the citywide goals" in sentence for sentence in report.summary)


# --- plan status: actions by status, measures by health, out-of-date measures named ---------------------


def test_plan_status_counts_actions_and_measures(alpha, city):
    status = alpha.section("plan-status")
    assert rows_of(status, "Actions by status") == [
        ("★ Completed", "1", "50.0 %"),
        ("◷ Overdue", "1", "50.0 %"),
    ]
    assert rows_of(status, "Measures by health") == [
        ("✓ On track", "1", "33.3 %"),
        ("! Behind", "1", "33.3 %"),
        ("◇ Tracked, not judged", "1", "33.3 %"),
    ]
    assert rows_of(city.section("plan-status"), "Measures by health") == [
        ("✓ On track", "2", "40.0 %"),
        ("! Behind", "1", "20.0 %"),
        ("◷ Out of date", "1", "20.0 %"),
        ("◇ Tracked, not judged", "1", "20.0 %"),
    ]
    # Each chart is described in words, and has its table.
    for chart in status.charts:
        assert chart.alt.startswith("Bar chart of ")
        assert chart.table.rows


def test_out_of_date_measures_are_named(golden_engine, city, alpha):
    # M4's FY 2018-19 value was due by 30 September 2019 and never came: out of date since FY 2017-18.
    beta = bureau_report(golden_engine, fiscal_year=FY_2018, bureau_code="BB")
    assert beta.section("out-of-date").items == ("Share of managers of color (last reported FY 2017-18)",)
    assert city.section("out-of-date").terms == (
        ("Bureau of Beta: 1", ("Share of managers of color (last reported FY 2017-18)",)),
    )
    assert alpha.section("out-of-date").items == ()
    reporting = {row[0]: row[1:] for row in rows_of(city.section("reporting"), "Who reported")}
    assert reporting == {
        "Bureau of Alpha": ("✓ Reported on time", "3 of 3", "0", "FY 2018-19"),
        "Bureau of Beta": ("! Missed this year", "0 of 1", "1", "FY 2017-18"),
        "Bureau of Gamma": ("✓ Reported on time", "1 of 1", "0", "FY 2018-19"),
    }


def test_the_city_report_rolls_up_by_citywide_goal(city):
    # Goal 1: AA-G1 45.0 % and BB-G1 20.0 %; goal 2: AA-G2 95.0 %; goal 3: CC-G1 60.0 %. Expected under
    # goal 1: (49.97 (M1) + 24.98 (M4)) ÷ 2 = 37.5 %.
    assert city.section("citywide-goal-1").paragraphs[1] == (
        "Progress 32.5 % (37.5 % expected by now) across 2 bureau goals of 2 bureaus, 3 measures and 0 "
        "actions."
    )
    assert city.section("citywide-goal-3").paragraphs[2] == "Its measures: 1 is on track."
    assert rows_of(city.section("bureau-by-goal"), "Progress to target by bureau and citywide goal") == [
        ("Bureau of Alpha", "45.0 %", "95.0 %", "—"),
        ("Bureau of Beta", "20.0 %", "—", "—"),
        ("Bureau of Gamma", "—", "—", "60.0 %"),
    ]
    assert [row[:2] for row in rows_of(city.section("citywide-goals"), "Progress to target")] == [
        ("Goal 1 · End disparities in City government", "32.5 %"),
        ("Goal 2 · Strengthen outreach and access", "95.0 %"),
        ("Goal 3 · Collaborate to eliminate inequity", "60.0 %"),
    ]


# --- the bureaus' own words ------------------------------------------------------------------------------


def test_the_bureaus_narrative_is_in_its_report_and_the_citys(alpha, city):
    parts = dict(alpha.section("narrative").terms)
    assert parts == {
        "Highlights": ("Hired two community liaisons.",),
        "Challenges and lessons": ("The translation budget was cut.",),
        "Priorities for next year": ("Translate the permit guide.",),
    }
    narratives = city.section("narratives")
    assert [section.heading for section in narratives.subsections] == ["Bureau of Alpha"]
    assert dict(narratives.subsections[0].terms) == parts
    assert "No narrative published for FY 2018-19: Bureau of Beta, Bureau of Gamma." in narratives.paragraphs


def test_nothing_unpublished_is_in_any_report(golden_engine, city):
    beta = bureau_report(golden_engine, fiscal_year=FY_2018, bureau_code="BB")
    gamma = bureau_report(golden_engine, fiscal_year=FY_2018, bureau_code="CC")
    texts = "\n".join(every_text(report) for report in (city, beta, gamma))
    assert "Not yet reviewed." not in texts  # Beta's narrative was only submitted
    assert "A goal in a draft revision" not in texts  # Gamma's version 2 is a draft
    assert "A measure of the draft revision" not in texts
    # FY 2020-21: M1's 29.0 was only submitted, so the latest public value is FY 2019-20's 28.0.
    later = bureau_report(golden_engine, fiscal_year=2020, bureau_code="AA")
    measures = {row[0]: row[1:] for row in rows_of(later.section("measures"), "The plan's measures")}
    assert measures["Share of new hires who are people of color"][:2] == (
        "◷ Out of date (last reported FY 2019-20)",
        "28.0 % (FY 2019-20)",
    )
    assert "29.0 %" not in every_text(later)
    # FY 2018-19's 24.5 was corrected to 25.0 after the deadline: the report keeps what was public then.
    alpha = bureau_report(golden_engine, fiscal_year=FY_2018, bureau_code="AA")
    current = {row[0]: row[2] for row in rows_of(alpha.section("measures"), "The plan's measures")}
    assert current["Share of new hires who are people of color"] == "24.5 % (FY 2018-19)"


# --- figures by race/ethnicity, suppressed ------------------------------------------------------------------


def test_small_counts_are_hidden_in_the_demographic_tables(alpha):
    section = alpha.section("demographics")
    (headcount,) = section.subsections
    assert headcount.heading == "Employees by race/ethnicity"
    (chart,) = headcount.charts
    assert chart.chart.title == "Employees by race/ethnicity, FY 2016-17 and FY 2018-19"
    assert chart.table.header == ("Group", "FY 2016-17", "FY 2018-19", "Share of the city's residents")
    # FY 2016-17: Asian 5 is small; White (the largest) and People of color (47) hide with it. Of the 197
    # whose race is known, Black 12 is 6.1 % and Hispanic 30 is 15.2 %. FY 2018-19 (212 known): nothing
    # small, Asian 15 is 7.1 %, White 150 is 70.8 %.
    assert chart.table.rows == (
        ("Asian", "hidden", "15 (7.1 %)", "10.0 %"),
        ("Black or African American", "12 (6.1 %)", "14 (6.6 %)", "10.0 %"),
        ("Hispanic or Latino", "30 (15.2 %)", "33 (15.6 %)", "20.0 %"),
        ("White", "hidden", "150 (70.8 %)", "60.0 %"),
        ("People of color", "hidden", "62 (29.2 %)", "—"),
    )
    text = every_text(alpha)
    for hidden_figure in ("2.5 %", "76.1 %", "23.9 %", "(47", " 5 ("):  # 5, 150 and 47 of 197 in FY 2016-17
        assert hidden_figure not in text
    assert any(paragraph.startswith("To protect privacy") for paragraph in section.paragraphs)
    # Ratio (150 ÷ 0.6) ÷ (14 ÷ 0.1) = 1.786 → equity score 49; its change score is hidden.
    assert chart.notes[0].startswith("Equity score: 49 of 100.")


def test_the_city_report_shows_the_workforce_hidden_where_small(city):
    trend = next(chart for chart in city.charts() if chart.key == "workforce-trend")
    rows = {row[0]: row[1:] for row in trend.table.rows}
    assert rows["Asian"] == ("hidden", "7.1 %")
    assert rows["Black or African American"] == ("6.1 %", "6.6 %")
    assert rows["White"] == ("hidden", "70.8 %")


# --- what cannot be reported -------------------------------------------------------------------------------


def test_an_unknown_bureau_or_year_is_refused_in_words(golden_engine):
    with pytest.raises(
        ReportError, match=re.escape("No bureau has the code “ZZ”. The bureaus' codes: AA, BB, CC.")
    ):
        bureau_report(golden_engine, fiscal_year=FY_2018, bureau_code="zz")
    with pytest.raises(
        ReportError, match=re.escape("No plan covers FY 2030-31: the plans cover FY 2016-17 to FY 2020-21.")
    ):
        city_report(golden_engine, fiscal_year=2030)
