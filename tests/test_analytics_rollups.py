"""Roll-ups on hand-made frames: goals, plans, bureaus, citywide goals, focus areas, strategies."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from equity_tracking.analytics.rollups import LEVELS, all_rollups

# Goals 1 and 2 belong to bureau 1 (plan 1), goal 3 to bureau 2 (plan 2); all serve citywide goal 1.
HIERARCHY = pd.DataFrame(
    {
        "goal_id": [1, 2, 3],
        "plan_id": [1, 1, 2],
        "bureau_id": [1, 1, 2],
        "citywide_goal_id": [1, 1, 1],
        "focus_area_id": [1, 1, 2],
    }
)
LINKS = pd.DataFrame({"goal_id": [1, 1, 2, 3], "strategy_id": [1, 2, 2, 1]})
MEASURES = pd.DataFrame(
    {
        "measure_id": [1, 2, 3, 4, 5],
        "goal_id": [1, 1, 2, 2, 3],
        "weight": [1.0, 1.0, 1.0, 1.0, 1.0],
        "progress_pct_clamped": [20.0, 60.0, 100.0, np.nan, 10.0],
        "expected_progress": [0.3, 0.5, 0.5, 0.5, 0.2],
        "health": ["at_risk", "on_track", "achieved", "no_data", "at_risk"],
        "freshness": ["current", "update_overdue", "current", "update_overdue", "ended"],
        "ended": [False, False, False, False, True],
    }
)
ACTIONS = pd.DataFrame(
    {
        "action_id": [1, 2, 3],
        "goal_id": [1, 2, 3],
        "status": ["completed", "on_track", "major_disruption"],
        "overdue": [False, False, True],
        "freshness": ["current", "update_overdue", "current"],
    }
)
SCORES = pd.DataFrame(
    {
        "measure_id": [1, 2, 5],
        "equity_score": pd.array([40, 60, 90], dtype="Int64"),
        "change_score": pd.array([10, None, -5], dtype="Int64"),
    }
)


def levels(*, measures=MEASURES, scores=SCORES) -> dict[str, pd.DataFrame]:
    result = all_rollups(
        measure_status=measures,
        action_status=ACTIONS,
        disparity_summary=scores,
        hierarchy=HIERARCHY,
        goal_strategies=LINKS,
    )
    return {level: frame.set_index("entity_id") for level, frame in result.items()}


def test_goal_progress_is_the_mean_of_its_measures_progress():
    goals = levels()["goal"]
    assert goals.loc[1, "progress"] == pytest.approx(0.40)  # (20 % + 60 %) ÷ 2
    assert goals.loc[2, "progress"] == pytest.approx(1.00)  # the measure with no data is left out
    assert goals.loc[2, "n_progress"] == 1
    assert goals.loc[1, "progress_reason"] == "Mean progress of 2 measures."


def test_goal_progress_is_weighted_by_measure_weights():
    weighted = MEASURES.assign(weight=[1.0, 3.0, 1.0, 1.0, 1.0])
    goal = levels(measures=weighted)["goal"].loc[1]
    assert goal["progress"] == pytest.approx(0.50)  # (20 + 3 × 60) ÷ 4
    assert goal["expected"] == pytest.approx(0.45)  # (0.3 + 3 × 0.5) ÷ 4


def test_expected_progress_is_averaged_over_the_same_measures_and_goals():
    result = levels()
    assert result["goal"].loc[1, "expected"] == pytest.approx(0.40)  # (0.3 + 0.5) ÷ 2
    assert result["goal"].loc[2, "expected"] == pytest.approx(0.50)  # measure 4 has no progress: left out
    assert result["bureau"].loc[1, "expected_pct"] == pytest.approx(45.0)  # (40 % + 50 %) ÷ 2
    assert result["city"].loc[0, "expected"] == pytest.approx((0.4 + 0.5 + 0.2) / 3)


def test_higher_levels_average_their_goals():
    result = levels()
    assert result["bureau"].loc[1, "progress"] == pytest.approx(0.70)  # (40 % + 100 %) ÷ 2
    assert result["plan"].loc[2, "progress"] == pytest.approx(0.10)
    assert result["citywide_goal"].loc[1, "progress"] == pytest.approx(0.50)  # (40 + 100 + 10) ÷ 3
    assert result["focus_area"].loc[2, "progress"] == pytest.approx(0.10)
    assert result["city"].loc[0, "progress_pct"] == pytest.approx(50.0)


def test_a_goal_counts_under_every_strategy_it_names():
    strategies = levels()["strategy"]
    assert strategies.loc[1, "progress"] == pytest.approx(0.25)  # goals 1 and 3
    assert strategies.loc[2, "progress"] == pytest.approx(0.70)  # goals 1 and 2
    assert strategies.loc[2, "n_measures"] == 4


def test_counts_by_health_and_action_status():
    bureau = levels()["bureau"].loc[1]
    assert bureau["n_goals"] == 2
    assert bureau["n_measures"] == 4
    assert (bureau["health_at_risk"], bureau["health_on_track"], bureau["health_achieved"]) == (1, 1, 1)
    assert bureau["health_no_data"] == 1
    assert bureau["health_behind"] == 0
    assert (bureau["n_actions"], bureau["actions_completed"], bureau["actions_on_track"]) == (2, 1, 1)
    assert levels()["bureau"].loc[2, "actions_overdue"] == 1


def test_freshness_is_the_share_of_measures_and_actions_that_are_current():
    bureau = levels()["bureau"]
    # Bureau 1: measures 1 and 3 current of 4; action 1 current of 2 → 3 of 6.
    assert bureau.loc[1, "measure_freshness"] == pytest.approx(0.5)
    assert bureau.loc[1, "action_freshness"] == pytest.approx(0.5)
    assert bureau.loc[1, "freshness"] == pytest.approx(0.5)
    # Bureau 2: its only measure has ended, so only its action counts.
    assert bureau.loc[2, "measures_expected"] == 0
    assert np.isnan(bureau.loc[2, "measure_freshness"])
    assert bureau.loc[2, "freshness"] == pytest.approx(1.0)


def test_equity_scores_roll_up_by_plain_means():
    result = levels()
    assert result["goal"].loc[1, "equity_score_mean"] == pytest.approx(50.0)  # (40 + 60) ÷ 2
    assert result["goal"].loc[1, "change_score_mean"] == pytest.approx(10.0)  # only one change score
    assert result["city"].loc[0, "equity_score_mean"] == pytest.approx(190 / 3)
    assert result["city"].loc[0, "n_scored"] == 3


def test_entity_without_progress_cannot_be_judged_with_a_reason():
    measures = MEASURES.assign(progress_pct_clamped=[20.0, 60.0, 100.0, np.nan, np.nan])
    bureau = levels(measures=measures)["bureau"].loc[2]
    assert bureau["progress_state"] == "cannot_judge"
    assert bureau["progress_reason"] == "No measure here has progress to report yet."
    assert np.isnan(bureau["progress"])


def test_every_level_has_one_row_per_entity():
    result = levels()
    assert set(result) == set(LEVELS)
    assert list(result["goal"].index) == [1, 2, 3]
    assert list(result["bureau"].index) == [1, 2]
    assert list(result["strategy"].index) == [1, 2]
    assert list(result["city"].index) == [0]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=3),
            st.one_of(st.none(), st.floats(min_value=0, max_value=100)),
            st.floats(min_value=0.1, max_value=10),
            st.one_of(st.none(), st.integers(min_value=1, max_value=100)),
        ),
        min_size=1,
        max_size=20,
    ),
)
def test_a_rollup_lies_between_the_smallest_and_largest_of_its_parts(parts):
    measures = pd.DataFrame(
        {
            "measure_id": range(1, len(parts) + 1),
            "goal_id": [goal for goal, _, _, _ in parts],
            "progress_pct_clamped": [np.nan if progress is None else progress for _, progress, _, _ in parts],
            "weight": [weight for _, _, weight, _ in parts],
            "expected_progress": 0.5,
            "health": "on_track",
            "freshness": "current",
            "ended": False,
        }
    )
    scores = pd.DataFrame(
        {
            "measure_id": measures["measure_id"],
            "equity_score": pd.array([score for _, _, _, score in parts], dtype="Int64"),
            "change_score": pd.array([None] * len(parts), dtype="Int64"),
        }
    )
    result = levels(measures=measures, scores=scores)
    goals = result["goal"]
    for goal_id, parts_of_goal in measures.groupby("goal_id"):
        progress = parts_of_goal["progress_pct_clamped"].dropna() / 100
        if progress.empty:
            assert np.isnan(goals.loc[goal_id, "progress"])
        else:
            assert progress.min() - 1e-12 <= goals.loc[goal_id, "progress"] <= progress.max() + 1e-12
    for level in ("bureau", "citywide_goal", "strategy", "city"):
        for value in result[level]["progress"].dropna():
            assert goals["progress"].min() - 1e-12 <= value <= goals["progress"].max() + 1e-12
    known = scores["equity_score"].dropna()
    for value in result["city"]["equity_score_mean"].dropna():
        assert known.min() - 1e-9 <= value <= known.max() + 1e-9
