"""The shared rules (equity_tracking.rules), each checked by hand: the reporting deadline, the as-of
cutoff in the city's time zone, the newest version, a fiscal year over its fourth quarter, and the
plan version in force."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from principals import PUBLIC

from equity_tracking import rules


def test_a_fiscal_year_is_judged_three_months_after_it_ends():
    # FY 2018-19 ends on 30 June 2019; bureaus have until 30 September to report it.
    assert rules.reporting_deadline(2018) == dt.date(2019, 9, 30)
    assert rules.reporting_deadline(2016) == dt.date(2017, 9, 30)


def test_the_entry_cutoff_is_midnight_in_portland_not_in_utc():
    # 30 September 2019 ends at 07:00 UTC on 1 October (Pacific daylight time, UTC−7)...
    assert rules.entry_cutoff("2019-09-30") == pd.Timestamp("2019-10-01 07:00", tz="UTC")
    # ... and 31 December 2019 at 08:00 UTC on 1 January (standard time, UTC−8).
    assert rules.entry_cutoff("2019-12-31") == pd.Timestamp("2020-01-01 08:00", tz="UTC")


def test_as_of_day_reads_an_instant_in_the_city():
    # 03:00 UTC on 1 October is still 30 September in Portland.
    assert rules.as_of_day(pd.Timestamp("2019-10-01 03:00", tz="UTC")) == pd.Timestamp("2019-09-30")


def test_the_next_value_is_due_one_period_and_its_grace_after_the_latest():
    ends = pd.Series(pd.to_datetime(["2019-06-30", "2019-06-30", "2019-12-31", "2020-01-31", "2019-06-30"]))
    frequency = pd.Series(["annual", "quarterly", "quarterly", "monthly", "every blue moon"])
    due = rules.next_value_due(ends, frequency)
    assert due.tolist() == [
        pd.Timestamp("2020-09-30"),  # FY 2019-20's reporting deadline: 30 June 2020 + 92 days
        pd.Timestamp("2019-11-14"),  # the quarter ending 30 September, + 45 days
        pd.Timestamp("2020-05-15"),  # the quarter ending 31 March 2020, + 45 days
        pd.Timestamp("2020-03-30"),  # February 2020 ends on the 29th (a leap year), + 30 days
        pd.Timestamp("2020-09-30"),  # an unknown frequency counts as annual
    ]
    assert due[0] == pd.Timestamp(rules.reporting_deadline(2019))


def test_visible_as_of_needs_the_period_ended_and_the_version_entered_by_then():
    frame = pd.DataFrame(
        {
            "period_end": pd.to_datetime(["2019-06-30", "2019-06-30", "2020-06-30"]),
            "entered_at": pd.to_datetime(
                ["2019-10-01 06:59", "2019-10-01 07:00", "2019-08-01 00:00"], utc=True
            ),
        }
    )
    # One minute before midnight in Portland counts; midnight does not; a period ending later never.
    assert rules.visible_as_of(frame["period_end"], frame["entered_at"], "2019-09-30").tolist() == [
        True,
        False,
        False,
    ]
    assert rules.visible_as_of(None, frame["entered_at"], "2019-09-30").tolist() == [True, False, True]


def test_the_newest_version_wins_whatever_the_row_order():
    frame = pd.DataFrame(
        {
            "measure_id": [1, 1, 1, 2],
            "period_id": [5, 5, 6, 5],
            "group_id": [0, 0, 0, 0],
            "version_id": [30, 10, 20, 40],
            "value": [3.0, 1.0, 2.0, 4.0],
        }
    )
    newest = rules.newest_versions(frame)
    assert newest["value"].tolist() == [3.0, 2.0, 4.0]
    # Keys that are not small integers take the slower path and give the same answer.
    text_keys = frame.assign(period_id=frame["period_id"].map({5: "FY 2017-18", 6: "FY 2018-19"}))
    assert rules.newest_versions(text_keys)["value"].tolist() == [3.0, 2.0, 4.0]


def test_a_fiscal_year_beats_its_fourth_quarter():
    frame = pd.DataFrame(
        {
            "measure_id": [1, 1, 1],
            "label": ["FY 2017-18 Q4", "FY 2017-18", "FY 2016-17"],
            "period_start": pd.to_datetime(["2018-04-01", "2017-07-01", "2016-07-01"]),
            "period_end": pd.to_datetime(["2018-06-30", "2018-06-30", "2017-06-30"]),
        }
    )
    assert rules.latest_period_last(frame)["label"].tolist() == ["FY 2016-17", "FY 2017-18 Q4", "FY 2017-18"]
    assert rules.one_per_period_end(frame, by=["measure_id"])["label"].tolist() == [
        "FY 2016-17",
        "FY 2017-18",
    ]


def _plans(*rows):
    return pd.DataFrame(
        rows,
        columns=[
            "id",
            "bureau_id",
            "first_fiscal_year",
            "last_fiscal_year",
            "version",
            "status",
            "adopted_on",
        ],
    )


def test_a_draft_version_is_never_in_force():
    plans = _plans(
        (1, 7, 2016, 2020, 1, "active", dt.date(2016, 6, 1)),
        (2, 7, 2016, 2020, 2, "draft", None),
    )
    assert rules.plans_in_force(plans, as_of="2019-09-30")["id"].tolist() == [1]
    assert rules.plan_for_fiscal_year(plans, 2018)["id"] == 1


def test_a_version_counts_from_its_adoption():
    # Version 2 was adopted on 1 March 2019 and version 1 is "superseded" today; as of 30 September
    # 2018, version 1 was the plan in force.
    plans = _plans(
        (1, 7, 2016, 2020, 1, "superseded", dt.date(2016, 6, 1)),
        (2, 7, 2016, 2020, 2, "active", dt.date(2019, 3, 1)),
    )
    assert rules.plans_in_force(plans, as_of="2018-09-30")["id"].tolist() == [1]
    assert rules.plans_in_force(plans, as_of="2019-09-30")["id"].tolist() == [2]
    assert rules.plan_for_fiscal_year(plans, 2017)["id"] == 1
    assert rules.plan_for_fiscal_year(plans, 2018)["id"] == 2


def test_each_bureau_and_plan_period_has_its_own_version_in_force():
    plans = _plans(
        (1, 7, 2016, 2020, 1, "completed", None),
        (2, 8, 2016, 2020, 1, "active", None),
        (3, 7, 2021, 2025, 1, "active", dt.date(2021, 6, 1)),
    )
    # Before FY 2021-22 begins, the next plan is not yet in force.
    assert rules.plans_in_force(plans, as_of="2020-09-30")["id"].tolist() == [1, 2]
    assert rules.plans_in_force(plans, as_of="2021-09-30")["id"].tolist() == [1, 3, 2]
    assert rules.plan_for_fiscal_year(plans[plans["bureau_id"] == 7], 2022)["id"] == 3
    # After its plan ends, a bureau's latest earlier plan is shown; before any plan, none.
    assert rules.plan_for_fiscal_year(plans[plans["bureau_id"] == 8], 2023)["id"] == 2
    assert rules.plan_for_fiscal_year(plans, 2015) is None
    assert rules.plan_for_fiscal_year(_plans(), 2018) is None


def test_the_newest_action_update_wins_and_the_later_entry_breaks_a_tie():
    at = pd.Timestamp("2019-08-01 17:00", tz="UTC")
    updates = pd.DataFrame(
        {
            "update_id": [3, 1, 2, 4],
            "action_id": [7, 7, 7, 8],
            "status": ["completed", "on_track", "delayed", "on_track"],
            "reported_at": [at, at - pd.Timedelta(days=400), at, at + pd.Timedelta(days=2)],
        }
    )
    newest = rules.newest_action_updates(updates)
    # Action 7: two updates at the same instant; the later entry (id 3) is what the bureau last said.
    assert newest["status"].to_dict() == {7: "completed", 8: "on_track"}
    # As of 1 August 2019 (Portland): action 8's update came two days later; action 7's counts.
    as_of_then = rules.newest_action_updates(updates, as_of=dt.date(2019, 8, 1))
    assert as_of_then["status"].to_dict() == {7: "completed"}
    # As of the year before, only action 7's first update had been made.
    assert rules.newest_action_updates(updates, as_of=dt.date(2018, 12, 31))["status"].to_dict() == {
        7: "on_track"
    }


# --- one rule, every path: SQL, the analytics and the pages agree on the golden city ----------------


@pytest.fixture(scope="module")
def golden(database_factory):
    from golden_city import build_golden_city

    engine = database_factory.new_engine()
    build_golden_city(engine)
    return engine


@pytest.mark.parametrize(
    ("year", "current", "prior"),
    [
        (2018, ("FY 2018-19", 24.5), ("FY 2017-18", 22.0)),  # the correction came after the deadline
        (2019, ("FY 2019-20", 28.0), ("FY 2018-19", 25.0)),  # a year later it counts
    ],
)
def test_every_path_to_a_value_gives_the_same_answer(golden, year, current, prior):
    from equity_tracking import reads
    from equity_tracking.analytics import load_frames, run_analytics
    from equity_tracking.analytics.values import total_series
    from equity_tracking.dashboards import measure as measure_view

    as_of = rules.reporting_deadline(year)
    # 1. The analytics, from every version of every value, judged as of the date.
    analytics = run_analytics(load_frames(golden, include_superseded=True, viewer=PUBLIC), as_of=as_of)
    row = analytics.measures.set_index("measure_id").loc[1]
    assert (row["current_period"], row["current_value"]) == current
    assert (row["prior_period"], row["prior_value"]) == prior
    # 2. SQL: the as-of cutoff in the query, the newest version of what is left.
    frame = reads.measure_value_frame(golden, as_of=as_of, viewer=PUBLIC)
    series = total_series(frame[frame["measure_id"] == 1])
    assert [
        (str(label), value) for label, value in zip(series["period_label"], series["value"], strict=True)
    ][-2:] == [
        prior,
        current,
    ]
    # 3. The measure page: every version with its entry time, the rule applied in pandas.
    history = reads.measure_history(golden, measure_id=1, include_superseded=True, viewer=PUBLIC)
    totals = measure_view.total_series(measure_view.history_as_of(history, as_of))
    assert list(zip(totals["period"], totals["value"], strict=True))[-2:] == [prior, current]


def test_the_newest_version_today_is_the_same_in_sql_and_in_pandas(golden):
    from equity_tracking import reads

    # SQL window (the history's "is_current") and pandas (newest_versions) on the same rows.
    history = reads.measure_history(golden, measure_id=1, include_superseded=True, viewer=PUBLIC)
    current_in_sql = history[history["is_current"]].set_index("period")["value"].to_dict()
    newest = rules.newest_versions(history, key=("period", "group_key"))
    assert newest.set_index("period")["value"].to_dict() == current_in_sql
    assert current_in_sql["FY 2018-19"] == 25.0  # the correction


def test_the_plan_in_force_is_the_same_for_the_pages_and_the_analytics(golden):
    from equity_tracking import reads
    from equity_tracking.analytics import load_frames, run_analytics

    plans = reads.plans(golden, viewer=PUBLIC)
    analytics = run_analytics(load_frames(golden, viewer=PUBLIC), as_of=rules.reporting_deadline(2018))
    judged_goals = set(analytics.rollups["goal"]["entity_id"])
    goals = reads.goals(golden, viewer=PUBLIC)
    for bureau_id, bureau_plans in plans.groupby("bureau_id"):
        plan = rules.plan_for_fiscal_year(bureau_plans, 2018)
        assert plan["version"] == 1  # Gamma's draft version 2 never
        assert set(goals.loc[goals["bureau_id"] == bureau_id, "id"]) & judged_goals == set(
            goals.loc[goals["plan_id"] == plan["id"], "id"]
        )


def test_the_newest_action_update_is_the_same_in_sql_and_in_pandas(golden):
    from equity_tracking import reads

    # SQL window (reads.actions) and pandas (newest_action_updates) over the same updates. By hand:
    # action 1 was updated once (on track, 40 %); action 2 twice, last as completed in August 2019.
    in_sql = reads.actions(golden, viewer=PUBLIC).set_index("id")
    in_pandas = rules.newest_action_updates(reads.action_update_frame(golden, viewer=PUBLIC))
    assert in_sql.loc[[1, 2], "status"].tolist() == ["on_track", "completed"]
    assert in_pandas.loc[[1, 2], "status"].tolist() == ["on_track", "completed"]
    assert (
        in_sql.loc[[1, 2], "percent_complete"].tolist() == in_pandas.loc[[1, 2], "percent_complete"].tolist()
    )
