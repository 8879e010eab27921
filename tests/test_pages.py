"""Every page on the golden city, in Streamlit's AppTest, through the router as a reader reaches it.

Every expected figure is worked out by hand in ``golden_city.py`` (its docstring) and written here as
a literal: never computed by the code under test.
"""

from __future__ import annotations

import pytest
from apptest_support import metrics, open_app, table_with, tables, texts
from golden_city import build_golden_city
from streamlit.testing.v1 import AppTest


@pytest.fixture(scope="module")
def golden(database_factory):
    engine = database_factory.new_engine()
    build_golden_city(engine)
    return engine


def run(script: str, golden, monkeypatch, **query: str) -> AppTest:
    app = open_app(script, golden, monkeypatch, query=query)
    app.run()
    assert not app.exception, app.exception
    return app


# --- the citywide overview ------------------------------------------------------------------------------


def test_overview_shows_the_hand_worked_figures(golden, monkeypatch):
    app = run("pages/home.py", golden, monkeypatch, fy="2018-19")
    tiles = metrics(app)
    # Citywide goal 1: AA-G1 45.0 % and BB-G1 20.0 %; goal 2: AA-G2 95.0 %; goal 3: CC-G1 60.0 % (the
    # draft revision's goal, at 100 %, would make it 80.0 %).
    assert [metric.value for metric in app.metric if metric.label == "Progress to target"] == [
        "32.5 %",
        "95.0 %",
        "60.0 %",
    ]
    assert tiles["✓ On track or achieved"] == "2"  # M3 and M5
    assert tiles["! Behind"] == "1"  # M1
    assert tiles["✕ At risk"] == "0"
    assert tiles["◷ Out of date"] == "1"  # M4: last reported FY 2017-18
    assert tiles["– Without data"] == "0"
    # AA reported 3 of 3 due measures, BB 0 of 1, CC 1 of 1: 4 of 5 due measures.
    assert tiles["Reported every measure due"] == "2 of 3 bureaus"
    reported = next(metric for metric in app.metric if metric.label == "Reported every measure due")
    assert "80.0 % of due measures reported" in str(reported.proto.delta)
    assert "Actions: ★ Completed 1 · ◷ Overdue 1" in texts(app)


def test_overview_table_of_every_bureau(golden, monkeypatch):
    app = run("pages/home.py", golden, monkeypatch, fy="2018-19")
    staff = table_with(app, "Due measures reported (%)").set_index("Code")
    assert staff.loc["AA", "Reporting"] == "✓ Reported on time"
    assert staff.loc["BB", "Reporting"] == "! Missed this year"  # last value for FY 2017-18
    assert staff.loc["AA", "Due measures reported (%)"] == 100.0
    assert staff.loc["BB", "Due measures reported (%)"] == 0.0
    assert staff.loc["AA", "Progress (%)"] == 70.0  # (45.0 + 95.0) ÷ 2
    assert staff.loc["AA", "Expected by now (%)"] == 75.0  # (49.97 + 100) ÷ 2
    assert staff.loc["BB", "◷ Out of date"] == 1
    assert staff.loc["AA", "Overdue actions"] == 1
    assert staff.loc["BB", "Latest value for"] == "FY 2017-18"


def test_overview_in_the_baseline_year_says_so(golden, monkeypatch):
    app = run("pages/home.py", golden, monkeypatch, fy="2016-17")
    assert "FY 2016-17 is the baseline year" in texts(app)
    assert {metric.value for metric in app.metric if metric.label == "Progress to target"} == {
        "Baseline year"
    }


# --- a citywide goal ---------------------------------------------------------------------------------------


def test_goal_three_counts_only_the_plan_version_in_force(golden, monkeypatch):
    app = run("pages/citywide_goal.py", golden, monkeypatch, goal="3", fy="2018-19")
    tiles = metrics(app)
    assert tiles["Progress to target"] == "60.0 %"  # not 80.0 %: the draft revision does not count
    assert tiles["Bureau goals"] == "1"
    assert "A goal in a draft revision" not in texts(app)


def test_goal_one_ranks_the_bureaus(golden, monkeypatch):
    app = run("pages/citywide_goal.py", golden, monkeypatch, goal="1", fy="2018-19")
    ranked = table_with(app, "Goals with progress")
    assert ranked[["Rank", "Bureau", "Progress"]].values.tolist() == [
        ["1", "Bureau of Alpha", "45.0 %"],
        ["2", "Bureau of Beta", "20.0 %"],
    ]


# --- a bureau ---------------------------------------------------------------------------------------------


def test_bureau_alpha(golden, monkeypatch):
    app = run("pages/bureau.py", golden, monkeypatch, bureau="AA", fy="2018-19")
    tiles = metrics(app)
    assert tiles["Overall progress"] == "70.0 %"
    assert tiles["Expected by now"] == "75.0 %"
    assert tiles["◷ Actions overdue"] == "1"
    assert tiles["✓ On track"] == "1"  # M3
    assert tiles["! Behind"] == "1"  # M1
    assert tiles["◇ Tracked, not judged"] == "1"  # M2
    shown = texts(app)
    # The published narrative for the year.
    for line in (
        "Hired two community liaisons.",
        "The translation budget was cut.",
        "Translate the permit guide.",
    ):
        assert f"• {line}" in shown
    actions = table_with(app, "Latest update").set_index("Action")
    assert (
        actions.loc["A1 · Translate the vital documents", "Status"] == "◷ Overdue (last reported: on track)"
    )
    assert actions.loc["A2 · Hire interpreters", "Status"] == "★ Completed"
    card = table_with(app, "Next value due")
    m1 = card[card["Measure"].str.contains("Share of new hires who are people of color")].iloc[0]
    assert m1["Measure"].endswith("(measure?measure=1&fy=2018-19)")  # a link to the measure's page
    assert (m1["Health"], m1["Next value due"], m1["Current"], m1["Prior"]) == (
        "! Behind",
        "30 Sep 2020",
        "24.5 %",
        "22.0 %",
    )
    assert (m1["Variance"], m1["% of target"]) == ("−5.5 points", "81.7 %")
    m2 = card[card["Measure"].str.contains("Employees by race/ethnicity")].iloc[0]
    assert m2["Health"] == "◇ Tracked, not judged"
    # Employees by race in FY 2018-19: nothing small, scored 49 (ratio 1.786).
    assert "Employees by race/ethnicity · equity score: 49 of 100" in shown
    assert "The ratio of their representation indices is 1.786." in shown
    groups = table_with(app, "Representation index").set_index("Group")
    assert groups.loc["Asian", "Share"] == "7.1 %"
    assert groups.loc["Black or African American", "Representation index"] == "0.66"
    assert groups.loc["White", "Representation index"] == "1.18"
    assert groups.loc["People of color", "Count"] == "62"
    assert "8 of 220 people (3.6 %) did not state their race/ethnicity" in shown
    # A phone gets the scorecard as one card per measure: the essentials, under the measure's link.
    assert (
        "Health: ! Behind  \nCurrent: 24.5 %  \nTarget: 30.0 % by FY 2020-21  \nNext value due: 30 Sep 2020"
    ) in shown


def test_bureau_beta_is_out_of_date_and_its_submitted_narrative_stays_private(golden, monkeypatch):
    app = run("pages/bureau.py", golden, monkeypatch, bureau="BB", fy="2018-19")
    card = table_with(app, "Next value due")
    assert card["Health"].tolist() == ["◷ Out of date (last reported FY 2017-18)"]
    assert card["Next value due"].tolist() == ["overdue since 30 Sep 2019"]
    assert "Not yet reviewed." not in texts(app)
    assert "No annual narrative for FY 2018-19 has been published" in texts(app)
    assert "had not reported any value for FY 2018-19" in texts(app)
    assert "1 measure by health" in texts(app)  # M4 alone: one measure, not "1 measures"


def test_bureau_gamma_shows_only_the_version_in_force(golden, monkeypatch):
    app = run("pages/bureau.py", golden, monkeypatch, bureau="CC", fy="2018-19")
    shown = texts(app)
    assert "Bureau of Gamma Racial Equity Plan" in shown
    assert "version 1" in shown
    assert "draft revision" not in shown
    assert table_with(app, "Focus area")["Goal"].tolist() == ["CC-G1 · Serve every neighborhood"]


def test_the_baseline_year_hides_the_equity_score_that_would_give_a_small_count_away(golden, monkeypatch):
    # FY 2016-17: Asian 5 is hidden with White and People of color; the score compares Asian, so it
    # is hidden too, and no figure of the three is shown.
    app = run("pages/bureau.py", golden, monkeypatch, bureau="AA", fy="2016-17")
    assert "Employees by race/ethnicity · equity score: Hidden" in texts(app)
    groups = table_with(app, "Representation index").set_index("Group")
    for group in ("Asian", "White", "People of color"):
        assert set(groups.loc[group, ["Count", "Share", "Representation index"]]) == {"hidden"}
    assert groups.loc["Black or African American", "Count"] == "12"
    assert groups.loc["Hispanic or Latino", "Count"] == "30"


# --- a measure --------------------------------------------------------------------------------------------


def test_measure_one_as_of_fy_2018_19(golden, monkeypatch):
    app = run("pages/measure.py", golden, monkeypatch, measure="1", fy="2018-19")
    tiles = metrics(app)
    assert (tiles["Current"], tiles["Prior"], tiles["Target"]) == ("24.5 %", "22.0 %", "30.0 %")
    assert (tiles["Progress to target"], tiles["Forecast"], tiles["Next value due"]) == (
        "45.0 %",
        "28.9 %",
        "30 Sep 2020",
    )
    assert "Expected by FY 2018-19: 25.0 %" in texts(app)
    assert "✕ Not projected to meet target" in texts(app)  # 28.9 % by FY 2020-21, short of 30.0 %
    data = table_with(app, "Review status")
    latest = data[data["Period"] == "FY 2018-19"].iloc[0]
    assert latest["Value"] == "24.5 %"  # the correction came after the deadline...
    assert latest["Note"] == "Hires counted at the offer. A correction was published later."
    assert "FY 2019-20" not in set(data["Period"])  # ... and later periods are not shown
    assert "FY 2017-18 Q4" in set(data["Period"])  # the quarter is listed, but the year is the value


def test_measure_one_a_year_later_uses_the_correction(golden, monkeypatch):
    app = run("pages/measure.py", golden, monkeypatch, measure="1", fy="2019-20")
    tiles = metrics(app)
    assert (tiles["Current"], tiles["Prior"], tiles["Progress to target"]) == ("28.0 %", "25.0 %", "80.0 %")


def test_measure_values_by_race_are_suppressed(golden, monkeypatch):
    app = run("pages/measure.py", golden, monkeypatch, measure="2", fy="2018-19")
    groups = next(frame for frame in tables(app) if list(frame.columns) == ["Period", "Group", "Value"])
    in_2016 = groups[groups["Period"] == "FY 2016-17"].set_index("Group")["Value"]
    assert in_2016[["Asian", "White", "People of color"]].tolist() == ["hidden"] * 3
    assert in_2016[["Black or African American", "Hispanic or Latino", "Unknown or declined"]].tolist() == [
        "12",
        "30",
        "3",
    ]
    in_2018 = groups[groups["Period"] == "FY 2018-19"].set_index("Group")["Value"]
    assert in_2018[["Asian", "People of color"]].tolist() == ["15", "62"]
    # The data table hides the same figures.
    data = table_with(app, "Review status")
    assert data[(data["Period"] == "FY 2016-17") & (data["Group"] == "Asian")]["Value"].tolist() == ["hidden"]
    assert "Expected by" not in texts(app)  # a measure with no better direction expects nothing
    # ... and forecasts nothing: the badge names the forecast rather than a bare "cannot be judged".
    assert "? Forecast: cannot be judged" in texts(app)


# --- compare, workforce, reports, methodology -------------------------------------------------------------


def test_compare_a_focus_area(golden, monkeypatch):
    app = run("pages/compare.py", golden, monkeypatch, focus="workforce", fy="2018-19")
    ranked = table_with(app, "Goals with progress")
    assert ranked[["Rank", "Bureau", "Progress"]].values.tolist() == [
        ["1", "Bureau of Alpha", "45.0 %"],
        ["2", "Bureau of Beta", "20.0 %"],
    ]
    assert metrics(app)["Bureaus with goals here"] == "2 of 3"


def test_compare_by_measure_says_no_measure_is_shared(golden, monkeypatch):
    app = run("pages/compare.py", golden, monkeypatch, by="Measure", fy="2018-19")
    assert "No measure is reported under the same name by two or more bureaus" in texts(app)


def test_workforce_adds_up_the_headcounts_and_hides_small_ones(golden, monkeypatch):
    app = run("pages/workforce.py", golden, monkeypatch, fy="2018-19")
    city = table_with(app, "Gap to parity (people)").set_index("Group")
    # The city is Bureau of Alpha alone: 212 people of known race, Asian 15 (7.1 %, index 0.71).
    assert (city.loc["Asian", "Employees"], city.loc["Asian", "Share"]) == ("15", "7.1 %")
    assert city.loc["Asian", "Representation index"] == "0.71"
    assert city.loc["White", "Gap to parity (people)"] == "23 more than parity"  # 150 − 0.6 × 212 = 22.8
    # The charts name the population the headcounts are compared with, as the city named it.
    assert "residents: the city's residents" in texts(app)
    early = run("pages/workforce.py", golden, monkeypatch, fy="2016-17")
    city_2016 = table_with(early, "Gap to parity (people)").set_index("Group")
    assert city_2016.loc["Asian", "Employees"] == "hidden"


def test_reports_show_only_published_narratives(golden, monkeypatch):
    app = run("pages/reports.py", golden, monkeypatch, fy="2018-19")
    assert metrics(app)["Bureaus with a published report"] == "1 of 3"
    shown = texts(app)
    assert "• Hired two community liaisons." in shown
    assert "Not yet reviewed." not in shown
    assert "No report published for FY 2018-19: Bureau of Beta, Bureau of Gamma." in shown


def test_methodology_shows_its_sections_and_the_dictionary(golden, monkeypatch):
    app = run("pages/methodology.py", golden, monkeypatch)
    labels = [expander.label for expander in app.expander]
    for section in ("Health", "Small numbers are hidden", "Reporting on time", "Workforce representation"):
        assert section in labels
    assert "Hidden" in set(table_with(app, "Meaning")["Field"])


# --- links that keep the reader's place, and links that ask for nothing that exists ------------------------


@pytest.mark.parametrize(
    ("script", "query", "message"),
    [
        ("pages/bureau.py", {"bureau": "XX"}, "No bureau with the code “XX” is in the tracker."),
        ("pages/measure.py", {"measure": "99999"}, "No measure numbered “99999” is in the tracker."),
        ("pages/measure.py", {"measure": "6"}, "No measure numbered “6” is in the tracker."),  # a draft's
        ("pages/citywide_goal.py", {"goal": "7"}, "There is no citywide goal “7”."),
        ("pages/home.py", {"fy": "1999-00"}, "No plan in the tracker covers the fiscal year “1999-00”."),
    ],
)
def test_a_link_to_something_that_does_not_exist_says_so(golden, monkeypatch, script, query, message):
    app = run(script, golden, monkeypatch, **query)
    assert message in texts(app)
    assert not app.metric  # nothing else is shown in its place
    assert not tables(app)
    if script != "pages/home.py":  # a link to where every option is listed
        assert app.get("page_link")


def test_a_link_to_a_drafts_measure_does_not_say_whose_draft_it_is(golden, monkeypatch):
    # Measure 6 is in Bureau of Gamma's draft revision: the page must not pick Gamma for it.
    app = run("pages/measure.py", golden, monkeypatch, measure="6")
    assert app.selectbox[0].value != "CC"
    assert "Gamma" not in texts(app)


def test_a_link_is_read_the_way_people_write_it(golden, monkeypatch):
    app = run("pages/measure.py", golden, monkeypatch, measure="+1", fy="FY 2018-19")
    assert app.query_params["measure"] == "1"
    assert app.query_params["fy"] == "2018-19"
    assert app.query_params["bureau"] == "AA"  # the measure's bureau
    assert metrics(app)["Current"] == "24.5 %"
    lower = run("pages/bureau.py", golden, monkeypatch, bureau=" bb ", fy="2018-19")
    assert "Bureau of Beta" in texts(lower)
    assert lower.query_params["bureau"] == "BB"


def test_a_repeated_parameter_keeps_one_copy(golden, monkeypatch):
    app = open_app("pages/bureau.py", golden, monkeypatch)
    app.query_params["bureau"] = ["BB", "AA"]
    app.run()
    assert app.query_params["bureau"] == "AA"  # the last one, as browsers read it
    assert "Bureau of Alpha" in texts(app)


def test_the_year_and_the_bureau_follow_the_reader_to_another_page(golden, monkeypatch):
    app = run("pages/bureau.py", golden, monkeypatch, bureau="BB", fy="2017-18")
    # A sidebar click opens the next page without the URL's parameters: the session brings them back.
    app.query_params.clear()
    app.switch_page("pages/measure.py").run()
    assert not app.exception
    assert app.query_params["fy"] == "2017-18"
    assert app.query_params["bureau"] == "BB"
    assert metrics(app)["Current"] == "12.0 %"  # M4, Bureau of Beta's only measure


def test_workforce_trend_names_the_groups_it_cannot_draw(golden, monkeypatch):
    # In FY 2016-17 the golden city is Bureau of Alpha alone, and its Asian count (5) hides with
    # White and People of color (see golden_city), so the line chart up to that year has no point to
    # draw for those three, and its text alternative says so; by FY 2018-19 nothing is hidden.
    early = texts(run("pages/workforce.py", golden, monkeypatch, fy="2016-17"))
    assert "Hidden in every year, so not drawn: Asian, White, People of color." in early
    later = texts(run("pages/workforce.py", golden, monkeypatch, fy="2018-19"))
    assert "so not drawn" not in later
