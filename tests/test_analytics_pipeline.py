"""The whole analysis on the demo city, checked against hand computation from the raw tables."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from principals import PUBLIC, STAFF
from sqlalchemy import text

from equity_tracking import ratio_to_score, reads
from equity_tracking.analytics import load_frames, run_analytics

AS_OF = dt.date(2021, 12, 1)
EARLIER = dt.date(2019, 3, 1)


def _raw(engine, sql: str) -> pd.DataFrame:
    with engine.connect() as connection:
        return pd.read_sql(text(sql), connection)


@pytest.fixture(scope="module")
def frames(demo_engine):
    return load_frames(demo_engine, viewer=PUBLIC)


@pytest.fixture(scope="module")
def analytics(frames):
    return run_analytics(frames, as_of=AS_OF)


@pytest.fixture(scope="module")
def raw_totals(demo_engine) -> pd.DataFrame:
    """Published totals, newest version per (measure, period), with period dates: by hand."""
    values = _raw(
        demo_engine,
        "SELECT v.id, v.measure_id, v.period_id, v.value, v.entered_at, p.end_date, p.start_date, p.label "
        "FROM measure_values v JOIN periods p ON p.id = v.period_id "
        "WHERE v.group_id IS NULL AND v.review_status = 'published'",
    )
    values["end_date"] = pd.to_datetime(values["end_date"])
    values["entered_at"] = pd.to_datetime(values["entered_at"], utc=True)
    newest = values.sort_values("id").groupby(["measure_id", "period_id"]).tail(1)
    return newest.sort_values(["measure_id", "end_date"])


def test_every_measure_action_and_level_is_judged(demo_engine, analytics):
    assert len(analytics.measures) == len(reads.measures(demo_engine, viewer=PUBLIC))
    assert len(analytics.actions) == len(reads.actions(demo_engine, viewer=PUBLIC))
    assert len(analytics.rollups["bureau"]) == len(reads.bureaus(demo_engine))
    assert analytics.rollups["citywide_goal"]["entity_id"].tolist() == [1, 2, 3]
    assert len(analytics.rollups["goal"]) == len(reads.goals(demo_engine, viewer=PUBLIC))
    # The demo's deliberate mix of profiles shows up in the judgements: in the middle of the plans...
    earlier = run_analytics(load_frames(demo_engine, viewer=PUBLIC), as_of=EARLIER)
    assert {"on_track", "behind", "at_risk", "achieved", "tracked"} <= set(earlier.measures["health"])
    # ... and after their target year, when every measure has been achieved, missed, or gone stale.
    assert {"achieved", "missed", "out_of_date", "tracked"} <= set(analytics.measures["health"])
    assert not {"on_track", "behind", "at_risk"} & set(analytics.measures["health"])
    assert analytics.measures["overdue"].any()
    assert (analytics.disparities["disparity_state"] == "judged").any()


GRACE_DAYS = {"annual": 365 + 90, "quarterly": 92 + 45}


def _hand_health(measure, history, progress: float, expected: float) -> str:
    """Health by the rules in docs/methodology.md, worked out here without the analytics."""
    if measure["polarity"] == "neutral":
        return "tracked"
    last_end = history["end_date"].iloc[-1]
    reported_target = last_end >= measure["target_period_end"]
    due = last_end + pd.Timedelta(days=GRACE_DAYS[measure["frequency"]])
    if not reported_target and due < pd.Timestamp(AS_OF):
        return "out_of_date"
    decimals = 0 if measure["unit"] in ("count", "dollars") else 1
    current, target = round(history["value"].iloc[-1], decimals), round(measure["target_value"], decimals)
    upward = measure["target_value"] > measure["baseline_value"]
    if (current >= target) if upward else (current <= target):
        return "achieved"
    if reported_target:
        return "missed"
    ratio = progress / expected
    return "on_track" if ratio >= 0.95 else "behind" if ratio >= 0.85 else "at_risk"


def test_measure_numbers_match_hand_computation(demo_engine, analytics, raw_totals):
    definitions = reads.measures(demo_engine, viewer=PUBLIC).set_index("id")
    interim = set(_raw(demo_engine, "SELECT measure_id FROM interim_targets")["measure_id"])
    judged = analytics.measures.set_index("measure_id")
    counts = raw_totals.groupby("measure_id").size()
    checked = [m for m in counts[counts >= 3].index if m not in interim][:12]
    assert len(checked) == 12
    for measure_id in checked:
        history = raw_totals[raw_totals["measure_id"] == measure_id]
        measure, row = definitions.loc[measure_id], judged.loc[measure_id]
        current, prior = history["value"].iloc[-1], history["value"].iloc[-2]
        baseline, target = measure["baseline_value"], measure["target_value"]
        directional = measure["polarity"] != "neutral"
        progress = (current - baseline) / (target - baseline) if directional else np.nan
        elapsed = (history["end_date"].iloc[-1] - measure["baseline_period_end"]).days
        expected = min(1.0, elapsed / (measure["target_period_end"] - measure["baseline_period_end"]).days)
        assert row["current_value"] == pytest.approx(current)
        assert row["prior_value"] == pytest.approx(prior)
        assert row["current_period"] == history["label"].iloc[-1]
        assert row["progress"] == pytest.approx(progress, nan_ok=True)
        assert row["expected_progress"] == pytest.approx(expected)
        assert row["health"] == _hand_health(measure, history, progress, expected)
        first = history["value"].iloc[0]
        change = (current - first) / abs(first) * 100 if first != 0 else np.nan
        assert row["baseline_change_pct"] == pytest.approx(change, nan_ok=True)


def test_corrected_value_is_the_one_judged(demo_engine, analytics):
    corrections = _raw(
        demo_engine,
        "SELECT c.measure_id, c.period_id, c.value FROM measure_values c "
        "WHERE c.replaces_id IS NOT NULL AND c.review_status = 'published'",
    )
    assert not corrections.empty
    judged = analytics.measures[["measure_id", "current_period_id", "current_value"]].dropna()
    judged = judged.astype({"current_period_id": "int64"}).rename(columns={"current_period_id": "period_id"})
    hits = corrections.merge(judged, on=["measure_id", "period_id"])
    assert not hits.empty
    assert np.allclose(hits["value"], hits["current_value"])


def test_disparity_of_a_rate_matches_hand_computation(demo_engine, analytics):
    groups = reads.race_groups(demo_engine).set_index("id")
    comparable = groups[~groups["is_rollup"].astype(bool) & (groups["key"] != "unknown_declined")].index
    rows = _raw(
        demo_engine,
        "SELECT v.measure_id, v.period_id, v.group_id, v.value FROM measure_values v "
        "JOIN measures m ON m.id = v.measure_id "
        "WHERE v.group_id IS NOT NULL AND m.unit = 'percent' AND m.polarity = 'higher_is_better' "
        "AND v.review_status = 'published'",
    )
    rows = rows[rows["group_id"].isin(comparable)]
    per_period = rows.groupby(["measure_id", "period_id"])["value"].agg(["min", "max", "size"])
    usable = per_period[(per_period["min"] > 0) & (per_period["size"] >= 2)]
    assert len(usable) >= 3
    judged = analytics.disparities.set_index(["measure_id", "period_id"])
    for (measure_id, period_id), hand in usable.head(10).iterrows():
        row = judged.loc[(measure_id, period_id)]
        ratio = round(hand["max"] / hand["min"], 3)
        assert row["disparity_ratio"] == pytest.approx(ratio)
        assert row["equity_score"] == ratio_to_score(ratio)
        assert row["disparity_state"] == "judged"


def test_representation_of_headcount_matches_hand_computation(demo_engine, analytics):
    shares = reads.benchmark_share_frame(demo_engine).set_index("group_id")["share"]
    groups = reads.race_groups(demo_engine).set_index("key")["id"]
    black = groups["black_african_american"]
    headcount = _raw(
        demo_engine,
        "SELECT v.measure_id, v.period_id, v.group_id, v.value FROM measure_values v "
        "JOIN measures m ON m.id = v.measure_id "
        "WHERE m.name = 'Employees by race/ethnicity' AND v.group_id IS NOT NULL",
    )
    first = headcount[headcount["measure_id"] == headcount["measure_id"].min()]
    first = first[first["period_id"] == first["period_id"].min()]
    known = first[first["group_id"] != groups["unknown_declined"]]["value"].sum()
    count = first.set_index("group_id").loc[black, "value"]
    row = analytics.group_shares.set_index(["measure_id", "period_id", "group_id"]).loc[
        (first["measure_id"].iloc[0], first["period_id"].iloc[0], black)
    ]
    assert row["share"] == pytest.approx(count / known)
    assert row["representation_index"] == pytest.approx(count / known / shares[black])
    assert row["parity_gap"] == pytest.approx(shares[black] * known - count)


def test_people_of_color_rows_are_computed_for_every_disaggregated_period(analytics):
    shares = analytics.group_shares
    poc = shares[shares["is_rollup"]]
    reported = shares[~shares["is_rollup"]][["measure_id", "period_id"]].drop_duplicates()
    assert len(poc) == len(reported)
    assert (poc["members_reported"] > 0).all()


def test_as_of_in_the_database_agrees_with_as_of_in_pandas(demo_engine):
    loaded_then = run_analytics(load_frames(demo_engine, as_of=EARLIER, viewer=PUBLIC), as_of=EARLIER)
    judged_then = run_analytics(
        load_frames(demo_engine, include_superseded=True, viewer=PUBLIC), as_of=EARLIER
    )
    columns = ["measure_id", "current_value", "current_period", "progress", "health", "trend", "overdue"]
    pd.testing.assert_frame_equal(
        loaded_then.measures[columns],
        judged_then.measures[columns],
        check_dtype=False,
        check_categorical=False,
    )
    pd.testing.assert_frame_equal(loaded_then.actions, judged_then.actions, check_dtype=False)
    assert loaded_then.measures["current_period_end"].max() <= pd.Timestamp(EARLIER)


def test_as_of_an_earlier_date_sees_less(frames, analytics):
    earlier = run_analytics(frames, as_of=EARLIER)
    assert earlier.measures["n_values"].sum() < analytics.measures["n_values"].sum()
    assert (earlier.measures["current_period_end"].dropna() <= pd.Timestamp(EARLIER)).all()
    assert (earlier.disparities["period_end"] <= pd.Timestamp(EARLIER)).all()
    assert (earlier.actions["last_update_at"].dropna() < pd.Timestamp("2019-03-02 08:00", tz="UTC")).all()


def test_staff_view_includes_submitted_values(demo_engine, analytics):
    staff = run_analytics(load_frames(demo_engine, viewer=STAFF), as_of=AS_OF)
    assert staff.measures["n_values"].sum() > analytics.measures["n_values"].sum()


def test_text_columns_are_never_missing_anywhere(analytics):
    frames = [analytics.measures, analytics.disparities, analytics.disparity_summary, analytics.actions]
    frames += [analytics.group_shares, *analytics.rollups.values()]
    for frame in frames:
        text_columns = [
            column
            for column in frame.columns
            if column.endswith(("_label", "_icon", "_reason", "_state", "_period", "_group"))
            or column in ("health", "trend", "projection", "freshness", "status")
        ]
        assert text_columns
        assert frame[text_columns].notna().all().all(), frame[text_columns].isna().sum()


def test_nothing_is_judged_before_any_plan_is_in_force(frames):
    assert run_analytics(frames, as_of=dt.date(2016, 1, 1)).measures.empty


def test_analytics_of_an_empty_database_are_empty_not_errors(engine):
    result = run_analytics(load_frames(engine, viewer=PUBLIC), as_of=AS_OF)
    assert result.measures.empty
    assert result.disparities.empty
    assert all(frame.empty for frame in result.rollups.values())


def test_analytics_before_anything_was_reported_say_no_data(frames):
    # Every demo plan was adopted by October 2016; nothing is reported before FY 2016-17 ends.
    before = run_analytics(frames, as_of=dt.date(2016, 12, 31))
    assert len(before.measures) == len(frames.measures)
    assert set(before.measures["health"]) == {"no_data"}
    assert not before.measures["overdue"].any()  # nothing was due yet
    assert before.disparities.empty
    # Actions were updated in the first half of FY 2016-17 already; none was past due yet.
    assert not before.actions["overdue"].any()
    city = before.rollups["city"].iloc[0]
    assert city["progress_state"] == "cannot_judge"
    assert city["health_no_data"] == len(before.measures)


def test_reporting_for_a_year_counts_every_measure_due(database_factory):
    # The golden city as of FY 2018-19 (worked by hand in golden_city.py): Alpha reported its 3 due
    # measures, Beta none of its 1 (last value FY 2017-18), Gamma its 1; the draft's measure is not due.
    from golden_city import build_golden_city

    from equity_tracking.analytics.reporting import bureau_reporting, measures_due
    from equity_tracking.rules import reporting_deadline

    engine = database_factory.new_engine()
    build_golden_city(engine)
    analytics = run_analytics(load_frames(engine, viewer=PUBLIC), as_of=reporting_deadline(2018))
    due = measures_due(analytics.measures, fiscal_year=2018).set_index("measure_id")
    assert due["due"].to_dict() == {1: True, 2: True, 3: True, 4: True, 5: True}
    assert due["reported"].to_dict() == {1: True, 2: True, 3: True, 4: False, 5: True}
    by_bureau = bureau_reporting(analytics.measures, analytics.actions, fiscal_year=2018).set_index(
        "bureau_id"
    )
    assert by_bureau["measures_due"].to_dict() == {1: 3, 2: 1, 3: 1}
    assert by_bureau["measures_reported"].to_dict() == {1: 3, 2: 0, 3: 1}
    assert by_bureau["reported_all"].to_dict() == {1: True, 2: False, 3: True}
    # Alpha's last report: the interpreters' update of 1 August 2019 (values of FY 2018-19 came later
    # in August: 14 August for M1, 45 days after 30 June for the others).
    assert by_bureau.loc[1, "last_report_at"] == pd.Timestamp("2019-08-14 17:00", tz="UTC")
    assert by_bureau.loc[2, "last_report_at"] == pd.Timestamp("2018-08-14 17:00", tz="UTC")


def test_a_quarterly_measure_reports_the_year_with_its_fourth_quarter():
    # FY 2018-19 ends 30 June 2019. A quarterly measure whose latest value is the third quarter (ends 31
    # March 2019) has not reported the year; one with the fourth quarter (ends 30 June) has.
    from equity_tracking.analytics.reporting import measures_due

    frame = pd.DataFrame(
        {
            "measure_id": [1, 2],
            "bureau_id": [1, 1],
            "baseline_period_end": pd.to_datetime(["2017-06-30"] * 2),
            "target_period_end": pd.to_datetime(["2021-06-30"] * 2),
            "ended_on": [pd.NaT, pd.NaT],
            "current_period_end": pd.to_datetime(["2019-03-31", "2019-06-30"]),
            "frequency": ["quarterly", "quarterly"],
        }
    )
    due = measures_due(frame, fiscal_year=2018).set_index("measure_id")
    assert due["due"].to_dict() == {1: True, 2: True}
    assert due["reported"].to_dict() == {1: False, 2: True}
