"""The read layer, checked against independent computations on the raw tables of the demo city."""

import pandas as pd
import pytest
from principals import PUBLIC, STAFF
from sqlalchemy import insert, text

from equity_tracking import reads, rules
from equity_tracking.models import Bureau


def _raw(engine, sql: str) -> pd.DataFrame:
    with engine.connect() as connection:
        return pd.read_sql(text(sql), connection)


def test_citywide_goals_are_the_three_adopted_goals_in_order(demo_engine):
    goals = reads.citywide_goals(demo_engine)
    assert goals["number"].tolist() == [1, 2, 3]
    assert goals["text"].str.startswith("We will").all()
    assert "fairness in hiring and promotions" in goals.loc[0, "text"]


def test_bureaus_carry_codes_and_earlier_names(demo_engine):
    bureaus = reads.bureaus(demo_engine)
    assert len(bureaus) >= 26
    assert {"WA", "TR", "PK", "PL", "FR", "ES", "HC", "OE"} <= set(bureaus["code"])
    earlier = " ".join(bureaus["earlier_names"])
    assert "Office of Neighborhood Involvement" in earlier
    assert "Portland Development Commission" in earlier


def test_plans_show_fiscal_year_span(demo_engine):
    plans = reads.plans(demo_engine, viewer=PUBLIC)
    assert len(plans) == len(reads.bureaus(demo_engine))
    assert set(plans["span"]) == {"FY 2016-17 to FY 2020-21"}


def test_goals_map_to_citywide_goal_focus_area_and_strategies(demo_engine):
    goals = reads.goals(demo_engine, viewer=PUBLIC)
    assert set(goals["citywide_goal_number"]) == {1, 2, 3}
    assert goals["focus_area_name"].notna().all()
    assert (goals["strategies"] != "").all()
    one_bureau = goals["bureau_id"].iloc[0]
    assert set(reads.goals(demo_engine, bureau_id=int(one_bureau), viewer=PUBLIC)["bureau_id"]) == {
        one_bureau
    }


@pytest.mark.parametrize(("viewer", "where"), [(PUBLIC, "WHERE review_status = 'published'"), (STAFF, "")])
def test_actions_take_status_from_the_latest_update_the_viewer_may_see(demo_engine, viewer, where):
    actions = reads.actions(demo_engine, viewer=viewer).set_index("id")
    updates = _raw(
        demo_engine,
        f"SELECT action_id, status, percent_complete, reported_at, id FROM action_updates {where}",
    )
    updates["reported_at"] = pd.to_datetime(updates["reported_at"], utc=True)
    latest = updates.sort_values(["reported_at", "id"]).groupby("action_id").tail(1).set_index("action_id")
    assert len(latest) > 0
    joined = actions.join(latest.add_suffix("_raw"), how="inner")
    assert (joined["status"] == joined["status_raw"]).all()
    assert (joined["percent_complete"] == joined["percent_complete_raw"]).all()


def _expected_latest_totals(engine, statuses: tuple[str, ...]) -> pd.Series:
    values = _raw(
        engine,
        "SELECT v.id, v.measure_id, v.period_id, v.value, v.review_status, p.end_date, p.start_date "
        "FROM measure_values v JOIN periods p ON p.id = v.period_id WHERE v.group_id IS NULL",
    )
    values = values[values["review_status"].isin(statuses)]
    newest_version = values.sort_values("id").groupby(["measure_id", "period_id"]).tail(1)
    newest_version = newest_version.assign(
        end_date=pd.to_datetime(newest_version["end_date"]),
        start_date=pd.to_datetime(newest_version["start_date"]),
    )
    # Period order: by end date, and a quarter before the fiscal year that ends with it.
    ordered = newest_version.sort_values(["end_date", "start_date"], ascending=[True, False])
    return ordered.groupby("measure_id").tail(1).set_index("measure_id")["value"]


@pytest.mark.parametrize(
    ("viewer", "statuses"),
    [(PUBLIC, ("published",)), (STAFF, ("draft", "submitted", "approved", "published"))],
)
def test_value_frame_holds_the_newest_visible_version_of_each_total(demo_engine, viewer, statuses):
    frame = reads.measure_value_frame(demo_engine, viewer=viewer)
    totals = frame[frame["group_id"] == 0]
    latest = rules.latest_period_last(totals, by=["measure_id"]).groupby("measure_id").tail(1)
    expected = _expected_latest_totals(demo_engine, statuses)
    reported = latest.set_index("measure_id")["value"]
    assert len(reported) == len(expected) > 0
    pd.testing.assert_series_equal(
        reported.sort_index(), expected.sort_index(), check_names=False, check_index_type=False
    )


def test_unpublished_values_reach_staff_reads_only(demo_engine):
    raw = _raw(demo_engine, "SELECT id, review_status FROM measure_values").set_index("id")["review_status"]
    public = reads.measure_value_frame(demo_engine, viewer=PUBLIC, include_superseded=True)
    staff = reads.measure_value_frame(demo_engine, viewer=STAFF, include_superseded=True)
    assert (raw.reindex(public["version_id"]) == "published").all()
    assert (raw.reindex(staff["version_id"]) != "published").any()
    assert len(staff) == len(raw)


def test_measures_carry_baseline_and_target_periods(demo_engine):
    measures = reads.measures(demo_engine, viewer=PUBLIC)
    assert measures["baseline_value"].notna().all()
    assert set(measures["baseline_period"]) == {"FY 2016-17"}
    assert set(measures["target_period"]) == {"FY 2020-21"}


def test_measure_history_shows_current_versions_and_staff_see_superseded(demo_engine):
    corrected = _raw(
        demo_engine, "SELECT measure_id, replaces_id, id FROM measure_values WHERE replaces_id IS NOT NULL"
    )
    assert not corrected.empty, "the demo city has corrections"
    measure_id = int(corrected["measure_id"].iloc[0])
    history = reads.measure_history(demo_engine, measure_id=measure_id, viewer=STAFF)
    assert history["is_current"].all()
    assert int(corrected["replaces_id"].iloc[0]) not in set(history["version_id"])
    full = reads.measure_history(demo_engine, measure_id=measure_id, viewer=STAFF, include_superseded=True)
    assert int(corrected["replaces_id"].iloc[0]) in set(full["version_id"])
    assert not full.set_index("version_id").loc[int(corrected["replaces_id"].iloc[0]), "is_current"]
    assert len(full) == len(history) + (corrected["measure_id"] == measure_id).sum()


def test_measure_history_is_ordered_by_period_and_labels_the_total(demo_engine):
    disaggregated = reads.measures(demo_engine, viewer=PUBLIC).query("disaggregated").iloc[0]
    history = reads.measure_history(demo_engine, measure_id=int(disaggregated["id"]), viewer=PUBLIC)
    assert history["period_end"].is_monotonic_increasing
    assert "All" in set(history["group_name"])
    assert history["group_key"].ne("").sum() > 0


def test_reads_on_empty_database_return_empty_frames(engine):
    assert reads.annual_reports(engine, viewer=PUBLIC).empty
    assert reads.measures(engine, viewer=PUBLIC).empty
    assert reads.demo_marker(engine) is None
    assert reads.table_counts(engine)["measure_values"] == 0


def test_data_version_changes_when_data_changes(engine):
    before = reads.data_version(engine)
    with engine.begin() as connection:
        connection.execute(insert(Bureau).values(code="ZZ", name="Test Bureau", active=True))
    assert reads.data_version(engine) != before


def test_demo_marker_describes_the_demo(demo_engine):
    marker = reads.demo_marker(demo_engine)
    assert marker["seed"] == 2016
    assert marker["scale"] == 1


def test_latest_value_prefers_the_fiscal_year_over_its_last_quarter(engine):
    # The same rule in SQL (the history's order) and in pandas (the value frame's series).
    from equity_tracking.models import (
        BureauGoal,
        CitywideGoal,
        FocusArea,
        Frequency,
        Measure,
        MeasureValue,
        Plan,
        Polarity,
        RbaCategory,
        ReportingPeriod,
        ReviewStatus,
        Unit,
    )
    from equity_tracking.periods import fiscal_quarter, fiscal_year

    with engine.begin() as connection:
        ids = {}
        for name, statement in {
            "city": insert(CitywideGoal).values(number=1, short_title="G", text="Goal"),
            "area": insert(FocusArea).values(key="workforce", name="Workforce", sort_order=0),
            "bureau": insert(Bureau).values(code="WA", name="Water", active=True),
        }.items():
            ids[name] = connection.execute(statement).inserted_primary_key[0]
        ids["plan"] = connection.execute(
            insert(Plan).values(
                bureau_id=ids["bureau"], title="P", first_fiscal_year=2016, last_fiscal_year=2020,
                version=1, status="active",
            )
        ).inserted_primary_key[0]  # fmt: skip
        ids["goal"] = connection.execute(
            insert(BureauGoal).values(
                plan_id=ids["plan"], key="G1", title="G", citywide_goal_id=ids["city"],
                focus_area_id=ids["area"], sort_order=0,
            )
        ).inserted_primary_key[0]  # fmt: skip
        ids["measure"] = connection.execute(
            insert(Measure).values(
                goal_id=ids["goal"], key="M1", name="Headcount", unit=Unit.COUNT,
                polarity=Polarity.HIGHER_IS_BETTER, rba_category=RbaCategory.HOW_MUCH,
                frequency=Frequency.QUARTERLY, disaggregated=False, weight=1.0, sort_order=0,
            )
        ).inserted_primary_key[0]  # fmt: skip
        for period, value in ((fiscal_year(2017), 120.0), (fiscal_quarter(2017, 4), 118.0)):
            period_id = connection.execute(
                insert(ReportingPeriod).values(
                    label=period.label, kind=period.kind, start_date=period.start_date,
                    end_date=period.end_date, fiscal_year=period.fiscal_year, quarter=period.quarter,
                )
            ).inserted_primary_key[0]  # fmt: skip
            connection.execute(
                insert(MeasureValue).values(
                    measure_id=ids["measure"], period_id=period_id, value=value,
                    review_status=ReviewStatus.PUBLISHED,
                )
            )  # fmt: skip
    values = reads.measure_value_frame(engine, viewer=PUBLIC)
    [latest] = rules.one_per_period_end(values).tail(1).itertuples()
    assert (str(latest.period_label), latest.value) == ("FY 2017-18", 120.0)
    history = reads.measure_history(engine, measure_id=ids["measure"], viewer=PUBLIC)
    assert history["period"].tolist() == ["FY 2017-18 Q4", "FY 2017-18"]  # the year comes last


def test_annual_reports_are_published_ones_unless_staff_ask(database_factory):
    from golden_city import build_golden_city

    engine = database_factory.new_engine()
    build_golden_city(engine)
    public = reads.annual_reports(engine, fiscal_year=2018, viewer=PUBLIC)
    assert public["bureau_code"].tolist() == ["AA"]  # Beta's is only submitted
    assert public["highlights"].iloc[0] == ["Hired two community liaisons."]
    staff = reads.annual_reports(engine, fiscal_year=2018, viewer=STAFF)
    assert sorted(staff["bureau_code"]) == ["AA", "BB"]


@pytest.fixture
def golden_with_a_draft(database_factory):
    """The golden city (see golden_city.py) with a draft correction of Alpha's M1 for FY 2018-19,
    26.0, over its published correction (25.0, itself over the first figure, 24.5)."""
    from golden_city import build_golden_city

    from equity_tracking.models import MeasureValue, ReviewStatus

    engine = database_factory.new_engine()
    build_golden_city(engine)
    with engine.begin() as connection:
        corrected = connection.execute(
            text("SELECT id FROM measure_values WHERE measure_id = 1 AND period_id = 3 AND value = 25.0")
        ).scalar_one()
        connection.execute(
            insert(MeasureValue).values(
                measure_id=1, period_id=3, value=26.0, review_status=ReviewStatus.DRAFT, replaces_id=corrected
            )
        )
    return engine


def _entries(engine, viewer, fiscal_year: int) -> list[tuple]:
    frame = reads.bureau_entries(engine, viewer=viewer, bureau_id=1, fiscal_year=fiscal_year)
    return sorted(
        zip(frame["measure_id"], frame["group_id"], frame["value"], frame["review_status"], strict=True)
    )


# Alpha's figures for FY 2018-19, worked by hand from golden_city.py: M2's total and its five groups
# (Asian 15, Black 14, Hispanic 33, White 150, Unknown 8) and M3's 48; none of Gamma's (M5 160).
ALPHA_2018 = [
    (2, 0, 220.0, "published"),
    (2, 1, 15.0, "published"),
    (2, 2, 14.0, "published"),
    (2, 3, 33.0, "published"),
    (2, 4, 150.0, "published"),
    (2, 5, 8.0, "published"),
    (3, 0, 48.0, "published"),
]


def test_a_bureaus_entries_are_the_newest_versions_its_reader_may_see(golden_with_a_draft):
    engine = golden_with_a_draft
    # M1 FY 2018-19: the public sees the published correction; staff the draft over it.
    assert _entries(engine, PUBLIC, 2018) == [(1, 0, 25.0, "published"), *ALPHA_2018]
    assert _entries(engine, STAFF, 2018) == [(1, 0, 26.0, "draft"), *ALPHA_2018]
    # FY 2020-21: M1's 29.0 is only submitted.
    assert _entries(engine, PUBLIC, 2020) == []
    assert _entries(engine, STAFF, 2020) == [(1, 0, 29.0, "submitted")]


def test_a_bureaus_review_queue_and_cycle_counts_rank_only_its_own_versions(golden_with_a_draft):
    engine = golden_with_a_draft
    drafts = reads.values_in_review(
        engine, viewer=STAFF, review_status="draft", bureau_id=1, fiscal_year=2018
    )
    assert drafts[["measure_id", "value", "last_published"]].values.tolist() == [[1, 26.0, 25.0]]
    work = reads.cycle_work(engine, viewer=STAFF, bureau_id=1, fiscal_year=2018)
    values = work[work["kind"] == "values"].set_index("review_status")["rows"].to_dict()
    assert values == {"published": 7, "draft": 1}
    public = reads.cycle_work(engine, viewer=PUBLIC, bureau_id=1, fiscal_year=2018)
    assert public[public["kind"] == "values"].set_index("review_status")["rows"].to_dict() == {"published": 8}
