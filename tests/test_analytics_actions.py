"""Action judgements on hand-made frames: status as of a date, overdue, expected % complete, freshness."""

import pandas as pd
import pytest

from equity_tracking.analytics.actions import action_status


def _utc(day: str) -> pd.Timestamp:
    return pd.Timestamp(day, tz="UTC") + pd.Timedelta(hours=17)


ACTIONS = pd.DataFrame(
    {
        "action_id": [1, 2, 3, 4, 5, 6],
        "goal_id": [1, 1, 1, 2, 2, 2],
        "start_date": pd.to_datetime(
            ["2017-07-01", "2017-07-01", "2017-07-01", "2017-07-01", "2020-01-01", "2017-07-01"]
        ),
        "due_date": pd.to_datetime(
            ["2019-06-30", "2021-06-30", "2021-06-30", None, "2021-06-30", "2021-06-30"]
        ),
        # The status stored on the action (a copy of its latest update): the analytics ignore it.
        "status": ["completed", "on_track", "on_track", "not_started", "not_started", "on_track"],
        "percent_complete": [100.0, 30.0, 40.0, 0.0, 0.0, 10.0],
    }
)
UPDATES = pd.DataFrame(
    {
        "update_id": [1, 2, 3, 4, 5],
        "action_id": [1, 1, 1, 3, 6],
        "status": ["on_track", "some_disruption", "completed", "on_track", "on_track"],
        "percent_complete": [20.0, 50.0, 100.0, 40.0, 10.0],
        "reported_at": [
            _utc("2017-09-01"),
            _utc("2018-09-01"),
            _utc("2019-08-01"),
            _utc("2019-01-15"),
            _utc("2017-10-01"),
        ],
    }
)


def judged(as_of: str) -> pd.DataFrame:
    return action_status(ACTIONS, UPDATES, as_of=as_of).set_index("action_id")


def test_status_comes_from_the_latest_update_by_the_as_of_date():
    frame = judged("2018-12-31")
    assert frame.loc[1, "status"] == "some_disruption"
    assert frame.loc[1, "percent_complete"] == 50
    assert frame.loc[1, "status_label"] == "Some disruption"
    assert frame.loc[1, "last_update_at"] == _utc("2018-09-01")
    assert judged("2019-08-01").loc[1, "status"] == "completed"


def test_action_without_an_update_by_then_had_not_started():
    row = judged("2018-12-31").loc[3]  # its first update is in January 2019
    assert row["status"] == "not_started"
    assert row["percent_complete"] == 0
    assert not row["has_update"]


def test_action_never_updated_counts_as_not_started_whatever_is_stored_on_it():
    row = judged("2018-12-31").loc[2]  # stored as "on track, 30 %" but no dated update says so
    assert row["status"] == "not_started"
    assert row["percent_complete"] == 0


def test_overdue_when_due_date_passed_and_not_completed():
    assert not judged("2019-06-30").loc[1, "overdue"]  # due that day
    assert judged("2019-07-15").loc[1, "overdue"]  # past due, still "some disruption"
    assert not judged("2019-08-02").loc[1, "overdue"]  # completed


def test_expected_percent_complete_grows_evenly_from_start_to_due_date():
    row = judged("2018-12-31").loc[1]
    # 548 of the 729 days from 1 July 2017 to 30 June 2019.
    assert row["expected_percent_complete"] == pytest.approx(548 / 729 * 100)
    assert row["schedule_gap"] == pytest.approx(50 - 548 / 729 * 100)
    assert judged("2016-01-01").loc[1, "expected_percent_complete"] == 0
    assert judged("2020-01-01").loc[1, "expected_percent_complete"] == 100


def test_expected_percent_complete_cannot_be_judged_without_a_due_date():
    row = judged("2018-12-31").loc[4]
    assert row["expected_state"] == "cannot_judge"
    assert row["expected_reason"] == "No due date has been set."
    assert pd.isna(row["expected_percent_complete"])
    assert not row["overdue"]


def test_updates_older_than_a_year_and_a_quarter_are_overdue():
    frame = judged("2018-12-31")
    assert frame.loc[6, "freshness"] == "update_overdue"  # last update 1 October 2017
    assert frame.loc[6, "days_since_update"] == 456
    assert frame.loc[1, "freshness"] == "current"
    assert frame.loc[5, "freshness"] == "current"  # starts in 2020
    assert frame.loc[5, "freshness_reason"] == "Not due to start yet."


def test_closed_actions_need_no_further_updates():
    row = judged("2023-01-01").loc[1]
    assert row["status"] == "completed"
    assert row["freshness"] == "current"
    assert row["freshness_reason"].startswith("Closed")


def test_text_columns_are_never_missing():
    frame = judged("2018-12-31")
    text = [column for column in frame.columns if column.endswith(("_label", "_icon", "_reason"))]
    assert frame[[*text, "status", "freshness", "expected_state"]].notna().all().all()
    assert (frame[text] != "").all().all()


def test_as_of_ignores_updates_made_later():
    early = action_status(ACTIONS, UPDATES, as_of="2018-12-31")
    visible = UPDATES[
        UPDATES["reported_at"] < pd.Timestamp("2019-01-01 08:00", tz="UTC")
    ]  # midnight in Portland
    pd.testing.assert_frame_equal(early, action_status(ACTIONS, visible, as_of="2018-12-31"))


def test_an_action_past_due_and_not_completed_is_overdue_whatever_it_reported():
    # Action 2 reported nothing (not started), action 6 last said "on track" in 2017; both are due on
    # 30 June 2021. Action 1 was completed before its due date.
    frame = judged("2021-09-30")
    assert frame.loc[6, "reported_status"] == "on_track"
    assert frame.loc[6, "status"] == "overdue"
    assert frame.loc[6, "status_label"] == "Overdue"
    assert frame.loc[2, "status"] == "overdue"
    assert frame.loc[1, "status"] == "completed"
    # Before the due date the reported status stands.
    assert judged("2021-06-30").loc[6, "status"] == "on_track"
