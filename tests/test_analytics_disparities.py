"""Disaggregated measures on hand-made frames: shares, representation, roll-up groups, equity scores."""

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from equity_tracking.analytics.disparities import (
    disparities_by_period,
    disparity_summary,
    group_shares,
    group_values,
)
from equity_tracking.periods import fiscal_year_label
from equity_tracking.rules import entry_cutoff

ASIAN, BLACK, HISPANIC, WHITE, UNKNOWN, POC = 1, 2, 3, 4, 9, 10
GROUPS = pd.DataFrame(
    {
        "id": [ASIAN, BLACK, HISPANIC, WHITE, UNKNOWN, POC],
        "key": [
            "asian",
            "black_african_american",
            "hispanic_latino",
            "white",
            "unknown_declined",
            "people_of_color",
        ],
        "name": [
            "Asian",
            "Black or African American",
            "Hispanic or Latino",
            "White",
            "Unknown or declined",
            "People of color",
        ],
        "sort_order": [1, 2, 3, 4, 9, 10],
        "is_rollup": [False, False, False, False, False, True],
    }
)
MEMBERSHIPS = pd.DataFrame({"rollup_id": [POC, POC, POC], "member_id": [ASIAN, BLACK, HISPANIC]})
BENCHMARK = pd.DataFrame(
    {
        "benchmark_id": 1,
        "group_id": [ASIAN, BLACK, HISPANIC, WHITE, UNKNOWN],
        "share": [0.1, 0.1, 0.2, 0.6, 0.0],
    }
)
HEADCOUNT, PROMOTION, SEPARATION, DOLLARS, NEUTRAL_RATE = 1, 2, 3, 4, 5
MEASURES = pd.DataFrame(
    {
        "measure_id": [HEADCOUNT, PROMOTION, SEPARATION, DOLLARS, NEUTRAL_RATE],
        "unit": ["count", "percent", "percent", "dollars", "percent"],
        "polarity": ["neutral", "higher_is_better", "lower_is_better", "higher_is_better", "neutral"],
        "benchmark_id": pd.array([1, 1, None, None, None], dtype="Int64"),
        "baseline_period_id": pd.array([2016] * 5, dtype="Int64"),
    }
)
_versions = itertools.count(1)


def rows(measure_id: int, year: int, by_group: dict, *, lag_days: int = 30) -> list[dict]:
    """Group rows for one fiscal year: a number per group, or (numerator, denominator) for a rate."""
    result = []
    for group_id, reported in by_group.items():
        numerator, denominator = reported if isinstance(reported, tuple) else (np.nan, np.nan)
        # A rate with a zero or negative denominator (bad input) keeps whatever value was typed in.
        rate = 100 * numerator / denominator if isinstance(reported, tuple) and denominator > 0 else 5.0
        value = rate if isinstance(reported, tuple) else float(reported)
        result.append(
            {
                "version_id": next(_versions),
                "measure_id": measure_id,
                "period_id": year,
                "group_id": group_id,
                "value": value,
                "numerator": float(numerator),
                "denominator": float(denominator),
                "period_label": fiscal_year_label(year),
                "period_start": pd.Timestamp(year, 7, 1),
                "period_end": pd.Timestamp(year + 1, 6, 30),
                "entered_at": pd.Timestamp(year + 1, 6, 30, tz="UTC") + pd.Timedelta(days=lag_days),
            }
        )
    return result


def analyse(all_rows: list[dict], *, as_of: str = "2022-01-01", measures: pd.DataFrame = MEASURES):
    values = pd.DataFrame(all_rows)
    grouped = group_values(values, as_of=as_of, groups=GROUPS, memberships=MEMBERSHIPS, measures=measures)
    shares = group_shares(
        grouped, measures=measures, groups=GROUPS, memberships=MEMBERSHIPS, benchmark_shares=BENCHMARK
    )
    by_period = disparities_by_period(shares, measures=measures, groups=GROUPS)
    return shares, by_period, disparity_summary(by_period, measures=measures)


HEADCOUNT_2016 = {ASIAN: 10, BLACK: 5, HISPANIC: 25, WHITE: 60, UNKNOWN: 10}
PROMOTIONS_2016 = {ASIAN: (2, 20), BLACK: (1, 20), HISPANIC: (3, 30), WHITE: (12, 120), UNKNOWN: (0, 10)}
PROMOTIONS_2017 = {ASIAN: (3, 20), BLACK: (2, 20), HISPANIC: (3, 30), WHITE: (12, 120)}


def _one(frame: pd.DataFrame, **where) -> pd.Series:
    mask = np.logical_and.reduce([frame[column] == value for column, value in where.items()])
    (row,) = [row for _, row in frame[mask].iterrows()]
    return row


# --- shares, representation, roll-ups -------------------------------------------------------------


def test_group_shares_are_of_people_whose_race_is_known():
    shares, _, _ = analyse(rows(HEADCOUNT, 2016, HEADCOUNT_2016))
    black = _one(shares, group_id=BLACK)
    assert black["known_total"] == 100  # the 10 of unknown race/ethnicity are left out
    assert black["share"] == pytest.approx(0.05)


def test_representation_index_is_share_over_benchmark_share():
    shares, _, _ = analyse(rows(HEADCOUNT, 2016, HEADCOUNT_2016))
    index = shares.set_index("group_id")["representation_index"]
    assert index[ASIAN] == pytest.approx(1.0)  # 10 % of staff, 10 % of residents: parity
    assert index[BLACK] == pytest.approx(0.5)
    assert index[HISPANIC] == pytest.approx(1.25)
    assert np.isnan(index[UNKNOWN])
    assert _one(shares, group_id=UNKNOWN)["representation_state"] == "cannot_judge"


def test_parity_gap_in_people_and_in_hires():
    shares, _, _ = analyse(rows(HEADCOUNT, 2016, HEADCOUNT_2016))
    black, hispanic = _one(shares, group_id=BLACK), _one(shares, group_id=HISPANIC)
    assert black["parity_gap"] == pytest.approx(5.0)  # 10 % of 100 is 10; there are 5
    assert black["hires_to_parity"] == 6  # (5 + 6) ÷ (100 + 6) ≥ 10 % > (5 + 5) ÷ (100 + 5)
    assert hispanic["parity_gap"] == pytest.approx(-5.0)
    assert hispanic["hires_to_parity"] == 0


def test_people_of_color_rollup_sums_member_counts():
    shares, _, _ = analyse(rows(HEADCOUNT, 2016, HEADCOUNT_2016))
    poc = _one(shares, group_id=POC)
    assert poc["is_rollup"]
    assert poc["value"] == 40
    assert poc["members_reported"] == 3
    assert poc["benchmark_share"] == pytest.approx(0.4)  # summed from the members' shares
    assert poc["representation_index"] == pytest.approx(1.0)


def test_people_of_color_rollup_of_a_rate_is_pooled_numerators_over_denominators():
    shares, _, _ = analyse(rows(PROMOTION, 2016, PROMOTIONS_2016))
    poc = _one(shares, group_id=POC)
    assert poc["numerator"] == 6
    assert poc["denominator"] == 70
    assert poc["value"] == pytest.approx(100 * 6 / 70)
    assert poc["representation_state"] == "cannot_judge"
    assert "rate" in poc["representation_reason"]


def test_rate_shares_are_of_numerator_and_denominator():
    shares, _, _ = analyse(rows(PROMOTION, 2016, PROMOTIONS_2016))
    white = _one(shares, group_id=WHITE)
    assert white["share"] == pytest.approx(12 / 18)  # of the 18 promotions of known race
    assert white["denominator_share"] == pytest.approx(120 / 190)


# --- disparity ratio and equity score -------------------------------------------------------------


def test_disparity_ratio_of_a_rate_compares_best_and_worst_off_group():
    _, by_period, _ = analyse(rows(PROMOTION, 2016, PROMOTIONS_2016))
    row = _one(by_period, period_id=2016)
    assert row["basis"] == "value"
    assert row["n_groups"] == 4  # unknown race/ethnicity and the roll-up are not compared
    assert row["disparity_ratio"] == pytest.approx(2.0)  # 10 % ÷ 5 %
    assert row["equity_score"] == 40
    assert row["advantaged_group"] == "Asian"  # the first of the groups at 10 %
    assert row["disadvantaged_group"] == "Black or African American"
    assert row["disparity_state"] == "judged"


def test_disparity_respects_lower_is_better():
    separations = {ASIAN: (2, 20), BLACK: (4, 20), WHITE: (5, 100)}
    _, by_period, _ = analyse(rows(SEPARATION, 2016, separations))
    row = _one(by_period, period_id=2016)
    assert row["advantaged_group"] == "White"  # 5 % leave: the lowest is the best
    assert row["disadvantaged_group"] == "Black or African American"
    assert row["disparity_ratio"] == pytest.approx(4.0)
    assert row["equity_score"] == 27  # 40 − floor((4 − 2) ÷ 0.15)


def test_disparity_of_counts_compares_representation():
    _, by_period, _ = analyse(rows(HEADCOUNT, 2016, HEADCOUNT_2016))
    row = _one(by_period, period_id=2016)
    assert row["basis"] == "representation"
    assert row["advantaged_group"] == "Hispanic or Latino"  # index 1.25
    assert row["disadvantaged_group"] == "Black or African American"  # index 0.5
    assert row["disparity_ratio"] == pytest.approx(2.5)
    assert row["equity_score"] == 37  # 40 − floor(0.5 ÷ 0.15)


@pytest.mark.parametrize(
    ("measure_id", "by_group", "reason"),
    [
        (DOLLARS, {ASIAN: 100, WHITE: 900}, "benchmark population"),
        (NEUTRAL_RATE, {ASIAN: (1, 10), WHITE: (2, 10)}, "no better direction"),
        (PROMOTION, {ASIAN: (1, 10)}, "Fewer than two groups"),
        (PROMOTION, {ASIAN: (1, 10), BLACK: (0, 10), WHITE: (2, 10)}, "Black or African American"),
        (PROMOTION, {ASIAN: (1, 10), WHITE: (2, 0)}, "zero or negative denominator"),
        (PROMOTION, {ASIAN: (1, 10), WHITE: (2, -5)}, "zero or negative denominator"),
    ],
)
def test_disparity_cannot_be_judged_with_a_reason(measure_id, by_group, reason):
    _, by_period, _ = analyse(rows(measure_id, 2016, by_group))
    row = _one(by_period, period_id=2016)
    assert row["disparity_state"] == "cannot_judge"
    assert row["disparity_state_label"] == "Cannot be judged"
    assert reason in row["disparity_reason"]
    assert pd.isna(row["equity_score"])
    assert row["advantaged_group"] == ""


def test_change_score_is_latest_minus_baseline_year():
    _, _, summary = analyse(rows(PROMOTION, 2016, PROMOTIONS_2016) + rows(PROMOTION, 2017, PROMOTIONS_2017))
    row = _one(summary, measure_id=PROMOTION)
    assert row["period_id"] == 2017
    assert row["equity_score"] == 60  # 15 % ÷ 10 % = 1.5
    assert row["baseline_equity_score"] == 40
    assert row["change_score"] == 20
    assert row["change_state"] == "judged"


def test_groups_absent_in_a_year_are_named_and_stop_the_change_score():
    later = {ASIAN: (3, 20), BLACK: (2, 20), WHITE: (12, 120)}  # no Hispanic or Latino employees
    _, by_period, summary = analyse(rows(PROMOTION, 2016, PROMOTIONS_2016) + rows(PROMOTION, 2017, later))
    row = _one(by_period, period_id=2017)
    assert row["groups_missing"] == "Hispanic or Latino"
    assert "Not reported this period: Hispanic or Latino." in row["disparity_reason"]
    change = _one(summary, measure_id=PROMOTION)
    assert pd.isna(change["change_score"])
    assert change["change_state"] == "cannot_judge"
    assert "groups reported differ" in change["change_reason"]


def test_change_score_needs_a_later_year_than_the_baseline():
    _, _, summary = analyse(rows(PROMOTION, 2016, PROMOTIONS_2016))
    assert "Only the baseline year" in _one(summary, measure_id=PROMOTION)["change_reason"]


def test_text_columns_are_never_missing():
    everything = (
        rows(HEADCOUNT, 2016, HEADCOUNT_2016)
        + rows(PROMOTION, 2016, PROMOTIONS_2016)
        + rows(PROMOTION, 2017, {ASIAN: (1, 10)})
        + rows(DOLLARS, 2016, {ASIAN: 1, WHITE: 2})
    )
    shares, by_period, summary = analyse(everything)
    for frame in (shares, by_period, summary):
        text = [
            column for column in frame.columns if column.endswith(("_label", "_icon", "_reason", "_state"))
        ]
        assert frame[text].notna().all().all()
        assert frame[["groups_missing"] if "groups_missing" in frame else []].notna().all().all()


# --- properties -----------------------------------------------------------------------------------

_rate = st.tuples(st.integers(min_value=0, max_value=50), st.integers(min_value=1, max_value=60)).filter(
    lambda pair: pair[0] <= pair[1]
)
_rates_by_group = st.dictionaries(
    st.sampled_from([ASIAN, BLACK, HISPANIC, WHITE]), _rate, min_size=1, max_size=4
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_rates_by_group, min_size=1, max_size=5))
def test_flipping_polarity_swaps_advantaged_and_disadvantaged_groups(years):
    all_rows = [
        row for year, by_group in enumerate(years, start=2016) for row in rows(PROMOTION, year, by_group)
    ]
    _, higher, _ = analyse(all_rows)
    flipped = MEASURES.assign(polarity=MEASURES["polarity"].replace({"higher_is_better": "lower_is_better"}))
    _, lower, _ = analyse(all_rows, measures=flipped)
    assert higher["disparity_ratio"].to_numpy() == pytest.approx(
        lower["disparity_ratio"].to_numpy(), nan_ok=True
    )
    assert higher["equity_score"].equals(lower["equity_score"])
    assert higher["advantaged_group_id"].equals(lower["disadvantaged_group_id"])
    assert higher["disadvantaged_group_id"].equals(lower["advantaged_group_id"])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_rates_by_group.filter(lambda by_group: len(set(by_group) - {WHITE}) > 0))
def test_people_of_color_rate_lies_between_its_members_rates(by_group):
    shares, _, _ = analyse(rows(PROMOTION, 2016, by_group))
    members = shares[shares["group_id"].isin([ASIAN, BLACK, HISPANIC])]["value"]
    poc = _one(shares, group_id=POC)["value"]
    assert members.min() - 1e-9 <= poc <= members.max() + 1e-9


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(_rates_by_group, st.integers(min_value=1, max_value=600)), min_size=1, max_size=5),
    st.dates(min_value=pd.Timestamp("2017-01-01").date(), max_value=pd.Timestamp("2022-12-31").date()),
)
def test_as_of_an_earlier_date_never_uses_later_group_values(years, as_of):
    all_rows = [
        row
        for year, (by_group, lag) in enumerate(years, start=2016)
        for row in rows(PROMOTION, year, by_group, lag_days=lag)
    ]
    values = pd.DataFrame(all_rows)
    visible = values[
        (values["period_end"] <= pd.Timestamp(as_of)) & (values["entered_at"] < entry_cutoff(as_of))
    ]
    everything = analyse(all_rows, as_of=str(as_of))
    only_earlier = analyse(visible.to_dict("records"), as_of=str(as_of)) if len(visible) else None
    if only_earlier is None:
        assert everything[1].empty
        return
    for full, earlier in zip(everything, only_earlier, strict=True):
        pd.testing.assert_frame_equal(full, earlier, check_dtype=False, check_categorical=False)


def test_the_disparity_ratio_is_rounded_half_up_before_scoring():
    # Promotion rates 20.29 % and 20 %: the ratio 1.0145 rounds half up to 1.015 (score
    # 100 − floor(15 ÷ 5) = 97); rounding half to even, as binary floats do, would give 1.014 (98).
    _, by_period, _ = analyse(rows(PROMOTION, 2016, {ASIAN: (2029, 10000), WHITE: (2000, 10000)}))
    row = _one(by_period, period_id=2016)
    assert row["disparity_ratio"] == 1.015
    assert row["equity_score"] == 97
    assert row["disparity_reason_code"] == "scored"


def test_a_period_without_a_score_says_why_in_a_code():
    _, by_period, _ = analyse(
        rows(PROMOTION, 2016, {ASIAN: (0, 20), WHITE: (12, 120)})
        + rows(NEUTRAL_RATE, 2016, {ASIAN: (2, 20), WHITE: (12, 120)})
        + rows(PROMOTION, 2017, {WHITE: (12, 120)})
    )
    codes = by_period.set_index(["measure_id", "period_id"])["disparity_reason_code"]
    assert codes[(PROMOTION, 2016)] == "zero_value"
    assert codes[(NEUTRAL_RATE, 2016)] == "no_direction"
    assert codes[(PROMOTION, 2017)] == "too_few_groups"
