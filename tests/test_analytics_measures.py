"""Measure judgements on hand-made frames: every number here is worked out by hand in the comments."""

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from equity_tracking.analytics.measures import expected_progress, expected_values, measure_status
from equity_tracking.analytics.values import values_as_of
from equity_tracking.periods import fiscal_year_label
from equity_tracking.rules import entry_cutoff

_versions = itertools.count(1)
BASELINE_END = pd.Timestamp("2017-06-30")  # FY 2016-17
TARGET_END = pd.Timestamp("2021-06-30")  # FY 2020-21: 1461 days after the baseline period ends


def fy_end(year: int) -> pd.Timestamp:
    return pd.Timestamp(year + 1, 6, 30)


def definition(measure_id: int, **overrides) -> dict:
    row = {
        "measure_id": measure_id,
        "goal_id": 1,
        "plan_id": 1,
        "bureau_id": 1,
        "polarity": "higher_is_better",
        "frequency": "annual",
        "weight": 1.0,
        "baseline_value": 50.0,
        "baseline_period_id": 2016,
        "baseline_period": "FY 2016-17",
        "baseline_period_end": BASELINE_END,
        "target_value": 70.0,
        "target_period": "FY 2020-21",
        "target_period_end": TARGET_END,
        "ended_on": pd.NaT,
    }
    row.update(overrides)
    return row


def yearly(
    measure_id: int, by_year: dict[int, float], *, group_id: int = 0, lag_days: int = 30
) -> list[dict]:
    """Fiscal-year values, each entered ``lag_days`` after its year ended."""
    return [
        {
            "version_id": next(_versions),
            "measure_id": measure_id,
            "period_id": year,
            "group_id": group_id,
            "value": float(value),
            "numerator": np.nan,
            "denominator": np.nan,
            "period_label": fiscal_year_label(year),
            "period_start": pd.Timestamp(year, 7, 1),
            "period_end": fy_end(year),
            "entered_at": (fy_end(year) + pd.Timedelta(days=lag_days, hours=12)).tz_localize("UTC"),
        }
        for year, value in by_year.items()
    ]


VALUE_COLUMNS = list(yearly(0, {2016: 0.0})[0])


def status(definitions: list[dict], rows: list[dict], *, as_of="2019-09-30", interim=None) -> pd.DataFrame:
    values = pd.DataFrame(rows, columns=VALUE_COLUMNS)
    result = measure_status(pd.DataFrame(definitions), values, as_of=as_of, interim_targets=interim)
    return result.set_index("measure_id")


# --- progress, variance, percent of target --------------------------------------------------------


def test_progress_is_share_of_distance_from_baseline_to_target():
    # Baseline 50, target 70: a latest value of 60 is 10 of the 20 → 50 %.
    row = status([definition(1)], yearly(1, {2016: 50, 2017: 55, 2018: 60})).loc[1]
    assert row["current_value"] == 60
    assert row["prior_value"] == 55
    assert row["current_period"] == "FY 2018-19"
    assert row["progress"] == pytest.approx(0.5)
    assert row["progress_pct_clamped"] == pytest.approx(50.0)
    assert row["variance_from_target"] == pytest.approx(-10.0)
    assert row["percent_of_target"] == pytest.approx(60 / 70 * 100)


def test_progress_works_when_target_is_below_baseline():
    # Baseline 20, target 10 (lower is better): 15 is half-way.
    row = status(
        [definition(1, baseline_value=20.0, target_value=10.0, polarity="lower_is_better")],
        yearly(1, {2016: 20, 2017: 18, 2018: 15}),
    ).loc[1]
    assert row["progress"] == pytest.approx(0.5)
    assert row["health"] == "on_track"


def test_progress_is_clamped_for_display_but_kept_raw():
    frame = status(
        [definition(1), definition(2)],
        yearly(1, {2016: 50, 2018: 80}) + yearly(2, {2016: 50, 2018: 40}),
    )
    assert frame.loc[1, "progress"] == pytest.approx(1.5)
    assert frame.loc[1, "progress_pct_clamped"] == 100
    assert frame.loc[2, "progress"] == pytest.approx(-0.5)
    assert frame.loc[2, "progress_pct_clamped"] == 0


# --- expected progress ----------------------------------------------------------------------------


def test_expected_progress_is_linear_in_time_from_baseline_to_target():
    definitions = pd.DataFrame([definition(1)])
    # 30 June 2019 is 730 of the 1461 days from 30 June 2017 to 30 June 2021.
    assert expected_progress(definitions, at=pd.Timestamp("2019-06-30")).iloc[0] == pytest.approx(730 / 1461)
    assert expected_progress(definitions, at=BASELINE_END).iloc[0] == 0
    assert expected_progress(definitions, at=pd.Timestamp("2016-01-01")).iloc[0] == 0
    assert expected_progress(definitions, at=pd.Timestamp("2023-01-01")).iloc[0] == 1


def test_expected_progress_passes_through_interim_targets():
    definitions = pd.DataFrame([definition(1, baseline_value=0.0, target_value=100.0)])
    interim = pd.DataFrame({"measure_id": [1], "period_end": [fy_end(2018)], "value": [80.0]})
    at = pd.Series(pd.to_datetime(["2018-06-30"]))
    # Half-way (365 of 730 days) to the interim target of 80 → 40.
    assert expected_values(definitions, at=at, interim_targets=interim).iloc[0] == pytest.approx(40.0)
    assert expected_values(definitions, at=fy_end(2018), interim_targets=interim).iloc[0] == pytest.approx(
        80.0
    )
    # 366 of the 731 days from the interim target to the final one: 80 + 20 × 366 / 731.
    after = expected_values(definitions, at=fy_end(2019), interim_targets=interim).iloc[0]
    assert after == pytest.approx(80 + 20 * 366 / 731)


# --- health ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latest", "health"),
    [
        (60.0, "on_track"),  # progress 0.50 ÷ expected 0.4997 = 1.001
        (59.0, "behind"),  # 0.45 ÷ 0.4997 = 0.901
        (54.0, "at_risk"),  # 0.20 ÷ 0.4997 = 0.400
        (45.0, "at_risk"),  # went backwards
        (70.0, "achieved"),  # reached the target early
        (71.0, "achieved"),
    ],
)
def test_health_compares_actual_with_expected_progress(latest, health):
    row = status([definition(1)], yearly(1, {2016: 50, 2017: 55, 2018: latest})).loc[1]
    assert row["expected_progress"] == pytest.approx(730 / 1461)
    assert row["health"] == health
    assert row["health_label"]
    assert row["health_icon"]
    assert row["health_reason"]


def test_health_boundaries_are_ninety_five_and_eighty_five_percent():
    # Baseline 0, target 200 by FY 2020-21, with an interim target of 100 for FY 2018-19: a value
    # for FY 2018-19 is expected to have made exactly half the distance (100 of 200), so progress
    # ÷ expected is the value ÷ 100.
    interim = pd.DataFrame(
        {"measure_id": [1, 2, 3, 4], "period_end": [fy_end(2018)] * 4, "value": [100.0] * 4}
    )
    frame = status(
        [definition(m, baseline_value=0.0, target_value=200.0) for m in (1, 2, 3, 4)],
        yearly(1, {2018: 95}) + yearly(2, {2018: 94.9}) + yearly(3, {2018: 85}) + yearly(4, {2018: 84.9}),
        interim=interim,
    )
    assert frame["expected_progress"].tolist() == pytest.approx([0.5] * 4)
    assert frame["health"].tolist() == ["on_track", "behind", "behind", "at_risk"]


def test_health_not_started_when_only_the_baseline_is_reported():
    # FY 2016-17 ends 30 June 2017; the next annual value (FY 2017-18's) is due by that year's
    # reporting deadline, 30 June 2018 + 92 days = 30 September 2018; the day before, not yet.
    row = status([definition(1)], yearly(1, {2016: 50}), as_of="2018-09-29").loc[1]
    assert row["health"] == "not_started"
    # A year later nothing more has come: the measure is out of date, not "not started".
    later = status([definition(1)], yearly(1, {2016: 50}), as_of="2019-09-30").loc[1]
    assert later["health"] == "out_of_date"
    assert later["health_reason"].startswith(
        "Last reported for FY 2016-17; the next value was due by 30 Sep 2018"
    )
    assert "FY 2016-17" in row["health_reason"]


def test_health_no_data_when_nothing_is_reported():
    row = status([definition(1)], []).loc[1]
    assert row["health"] == "no_data"
    assert row["n_values"] == 0
    assert row["current_period"] == ""


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"baseline_value": np.nan}, "No baseline value"),
        ({"baseline_period_end": pd.NaT}, "No baseline period"),
        ({"target_value": np.nan}, "No target"),
        ({"target_value": 50.0}, "target equals the baseline"),
        ({"target_period_end": BASELINE_END}, "not after the baseline"),
    ],
)
def test_health_cannot_be_judged_with_a_reason_for_bad_definitions(overrides, reason):
    row = status([definition(1, **overrides)], yearly(1, {2016: 50, 2018: 60})).loc[1]
    assert row["health"] == "cannot_judge"
    assert row["health_label"] == "Cannot be judged"
    assert reason in row["health_reason"]
    assert np.isnan(row["health_ratio"])
    assert row["projection"] == "cannot_judge"


def test_health_uses_the_latest_value_not_the_as_of_date():
    # FY 2017-18 (ends 30 June 2018) reported 55: 0.25 progress; 365/1461 = 0.2498 expected by then.
    row = status([definition(1)], yearly(1, {2016: 50, 2017: 55}), as_of="2019-03-01").loc[1]
    assert row["expected_progress"] == pytest.approx(365 / 1461)
    assert row["health"] == "on_track"


# --- trend and baseline change --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("polarity", "values", "trend", "periods"),
    [
        ("higher_is_better", [1, 2, 3, 4], "improving", 3),
        ("lower_is_better", [1, 2, 3, 4], "worsening", 3),
        ("neutral", [1, 2, 3, 4], "rising", 3),
        ("higher_is_better", [1, 3, 2, 1], "worsening", 2),
        ("lower_is_better", [4, 3, 5, 4], "improving", 1),
        ("neutral", [5, 4, 3], "falling", 2),
        ("higher_is_better", [5, 4, 4], "no_change", 1),
    ],
)
def test_trend_direction_follows_polarity_and_counts_its_run(polarity, values, trend, periods):
    rows = yearly(1, dict(zip(range(2016, 2016 + len(values)), values, strict=True)))
    row = status([definition(1, polarity=polarity)], rows, as_of="2021-12-31").loc[1]
    assert row["trend"] == trend
    assert row["trend_periods"] == periods
    assert str(periods) in row["trend_reason"]


def test_trend_cannot_be_judged_from_a_single_value():
    row = status([definition(1)], yearly(1, {2016: 50})).loc[1]
    assert row["trend"] == "cannot_judge"
    assert row["trend_periods"] == 0
    assert "Only one value" in row["trend_reason"]


def test_baseline_change_is_against_the_first_value_entered():
    frame = status(
        [definition(1), definition(2)],
        yearly(1, {2017: 40, 2018: 50}) + yearly(2, {2016: 0, 2018: 5}),
    )
    assert frame.loc[1, "baseline_change_pct"] == pytest.approx(25.0)  # 40 → 50
    assert np.isnan(frame.loc[2, "baseline_change_pct"])
    assert "zero" in frame.loc[2, "baseline_change_reason"]


# --- forecast and projection ----------------------------------------------------------------------


def _on_line(days: int, *, slope_per_day: float, start: float = 50.0) -> float:
    return start + slope_per_day * days


def test_forecast_extends_a_least_squares_line_to_the_target_period():
    # Values exactly on a line that reaches 58 on 30 June 2021 (1461 days after the baseline).
    slope = 8 / 1461
    by_year = {
        year: _on_line((fy_end(year) - BASELINE_END).days, slope_per_day=slope) for year in range(2016, 2020)
    }
    frame = status(
        [definition(1, target_value=58.0), definition(2, target_value=60.0)],
        yearly(1, by_year) + yearly(2, by_year),
        as_of="2020-12-31",
    )
    assert frame.loc[1, "forecast_value"] == pytest.approx(58.0)
    assert frame.loc[1, "forecast_points"] == 4
    assert frame.loc[1, "projection"] == "yes"
    assert frame.loc[2, "projection"] == "no"


def test_forecast_matches_numpy_polyfit_on_noisy_points():
    by_year = {2016: 50, 2017: 53, 2018: 52, 2019: 57}
    row = status([definition(1)], yearly(1, by_year), as_of="2020-12-31").loc[1]
    years = np.array([(fy_end(year) - pd.Timestamp("2000-01-01")).days / 365.25 for year in by_year])
    slope, intercept = np.polyfit(years, list(by_year.values()), 1)
    target_year = (TARGET_END - pd.Timestamp("2000-01-01")).days / 365.25
    assert row["forecast_value"] == pytest.approx(intercept + slope * target_year)


def test_projection_needs_three_values():
    row = status([definition(1)], yearly(1, {2016: 50, 2017: 55})).loc[1]
    assert row["projection"] == "not_enough_data"
    assert np.isnan(row["forecast_value"])
    assert "at least 3" in row["projection_reason"]


def test_after_the_target_period_is_reported_the_measure_is_achieved_or_missed():
    frame = status(
        [definition(1), definition(2)],
        yearly(1, {2016: 50, 2018: 60, 2019: 64, 2020: 71})
        + yearly(2, {2016: 50, 2018: 60, 2019: 64, 2020: 65}),
        as_of="2021-12-31",
    )
    assert frame["health"].tolist() == ["achieved", "missed"]
    # Nothing is left to forecast: no forecast figure, and a state that says why.
    assert frame["projection"].tolist() == ["final", "final"]
    assert frame["forecast_value"].isna().all()
    # Reported through the target period: no further value is due, so never overdue.
    assert frame["freshness"].tolist() == ["complete", "complete"]
    assert not frame["overdue"].any()


# --- overdue --------------------------------------------------------------------------------------


def test_annual_measure_is_overdue_at_the_next_years_reporting_deadline():
    # FY 2017-18 ends 30 June 2018; FY 2018-19's value is due by its reporting deadline, 30 June 2019
    # + 92 days = 30 September 2019. Not in by the end of that day: overdue.
    rows = yearly(1, {2016: 50, 2017: 55})
    assert not status([definition(1)], rows, as_of="2019-09-29").loc[1, "overdue"]
    late = status([definition(1)], rows, as_of="2019-09-30").loc[1]
    assert late["overdue"]
    assert late["freshness"] == "update_overdue"
    assert late["next_due"] == pd.Timestamp("2019-09-30")
    assert "30 Sep 2019" in late["freshness_reason"]
    # The same rule across a leap year: FY 2019-20's value is due 30 September 2020 (not 27 September).
    leap = status([definition(1)], yearly(1, {2016: 50, 2018: 60}), as_of="2020-09-29").loc[1]
    assert (leap["next_due"], leap["overdue"]) == (pd.Timestamp("2020-09-30"), False)


def test_quarterly_measure_is_overdue_sooner():
    rows = yearly(1, {2016: 50, 2017: 55})
    # After 30 June 2018 the next quarter ends 30 September; + 45 days' grace = 14 November 2018.
    on_time = status([definition(1, frequency="quarterly")], rows, as_of="2018-11-13").loc[1]
    assert (on_time["next_due"], on_time["overdue"]) == (pd.Timestamp("2018-11-14"), False)
    assert status([definition(1, frequency="quarterly")], rows, as_of="2018-11-14").loc[1, "overdue"]


def test_monthly_measure_is_due_a_month_and_its_grace_after_its_latest_month():
    # After January 2021 (ends 31 January) the next month ends 28 February; + 30 days = 30 March 2021.
    january = {
        "period_id": 900,
        "period_label": "January 2021",
        "period_start": pd.Timestamp("2021-01-01"),
        "period_end": pd.Timestamp("2021-01-31"),
        "entered_at": pd.Timestamp("2021-02-10 12:00", tz="UTC"),
    }
    rows = [*yearly(1, {2016: 50}), {**yearly(1, {2020: 52})[0], **january}]
    row = status([definition(1, frequency="monthly")], rows, as_of="2021-03-29").loc[1]
    assert (row["next_due"], row["overdue"]) == (pd.Timestamp("2021-03-30"), False)


def test_ended_measure_is_never_overdue_but_keeps_its_judgement():
    rows = yearly(1, {2016: 50, 2017: 52})
    row = status([definition(1, ended_on=pd.Timestamp("2018-12-31"))], rows, as_of="2021-12-31").loc[1]
    assert row["ended"]
    assert not row["overdue"]
    assert row["freshness"] == "ended"
    assert row["health"] == "at_risk"


# --- display columns are never missing ------------------------------------------------------------


def test_text_columns_are_never_missing_in_any_state():
    definitions = [
        definition(1),
        definition(2, baseline_value=np.nan),
        definition(3, target_value=50.0),
        definition(4),
        definition(5),
    ]
    rows = yearly(1, {2016: 50, 2017: 55, 2018: 60}) + yearly(2, {2018: 1}) + yearly(4, {2016: 50})
    frame = status(definitions, rows)
    text = [column for column in frame.columns if column.endswith(("_label", "_icon", "_reason", "_period"))]
    text += ["health", "trend", "projection", "freshness"]
    assert frame[text].notna().all().all()
    assert (frame[[column for column in text if column.endswith(("_label", "_reason"))]] != "").all().all()


# --- properties -----------------------------------------------------------------------------------

_value = st.integers(min_value=-1000, max_value=1000).map(float)
_POLARITIES = ["higher_is_better", "lower_is_better", "neutral"]
# Each example judges a batch of measures in one call: a call costs the same for 1 measure or 10.
_measures = st.lists(
    st.tuples(_value, _value, st.lists(_value, min_size=1, max_size=5), st.sampled_from(_POLARITIES)),
    min_size=1,
    max_size=8,
)


def _judge(
    measures: list[tuple], *, factor: float = 1.0, mirror: bool = False, flip: bool = False
) -> pd.DataFrame:
    sign = -1.0 if mirror else 1.0
    swap = {
        "higher_is_better": "lower_is_better",
        "lower_is_better": "higher_is_better",
        "neutral": "neutral",
    }
    definitions, rows = [], []
    for measure_id, (baseline, target, series, polarity) in enumerate(measures, start=1):
        definitions.append(
            definition(
                measure_id,
                baseline_value=sign * baseline * factor,
                target_value=sign * target * factor,
                polarity=swap[polarity] if flip else polarity,
            )
        )
        rows += yearly(
            measure_id, {2016 + index: sign * value * factor for index, value in enumerate(series)}
        )
    return status(definitions, rows, as_of="2021-12-31")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(measures=_measures, scale=st.sampled_from([0.001, 0.01, 0.1, 3.0, 100.0, 1000.0, 1e6]))
def test_progress_does_not_change_when_the_unit_is_scaled(measures, scale):
    plain, scaled = _judge(measures), _judge(measures, factor=scale)
    for column in ("trend", "trend_periods"):
        assert plain[column].tolist() == scaled[column].tolist()
    # Whole numbers scaled by whole numbers are shown exactly, so the judgements that compare shown
    # figures (achieved, projected) agree too; a fraction of a unit may round to the target as shown.
    if scale >= 1:
        for column in ("health", "projection"):
            assert plain[column].tolist() == scaled[column].tolist()
    for column in ("progress", "expected_progress", "baseline_change_pct"):
        assert scaled[column].to_numpy() == pytest.approx(
            plain[column].to_numpy(), rel=1e-9, abs=1e-12, nan_ok=True
        )


_MIRROR = {"improving": "worsening", "worsening": "improving"}
_NEUTRAL_MIRROR = {"rising": "falling", "falling": "rising"}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(measures=_measures)
def test_flipping_polarity_mirrors_the_judgement(measures):
    original = _judge(measures)
    # The same values judged the other way round: the trend mirrors; its length does not change.
    flipped = _judge(measures, flip=True)
    assert flipped["trend"].tolist() == [_MIRROR.get(trend, trend) for trend in original["trend"]]
    assert flipped["trend_periods"].tolist() == original["trend_periods"].tolist()
    # The mirror image (values negated, polarity flipped) tells the same story: the same judgements.
    # Neutral measures have no better direction: their values simply move the other way.
    mirror = _judge(measures, mirror=True, flip=True)
    assert mirror["trend"].tolist() == [_NEUTRAL_MIRROR.get(trend, trend) for trend in original["trend"]]
    for column in ("health", "trend_periods", "projection"):
        assert mirror[column].tolist() == original[column].tolist()
    assert mirror["progress"].to_numpy() == pytest.approx(original["progress"].to_numpy(), nan_ok=True)


@st.composite
def _history(draw):
    """Two measures' yearly values with random reporting lags, some corrected later."""
    rows = []
    for measure_id in (1, 2, 3):
        for year in range(2016, 2021):
            if draw(st.booleans()):
                lag = draw(st.integers(min_value=1, max_value=700))
                rows += yearly(measure_id, {year: draw(_value)}, lag_days=lag)
                if draw(st.integers(min_value=0, max_value=3)) == 0:  # a correction, entered later
                    rows += yearly(measure_id, {year: draw(_value)}, lag_days=lag + draw(st.integers(1, 400)))
    return rows


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=_history(),
    as_of=st.dates(min_value=pd.Timestamp("2017-01-01").date(), max_value=pd.Timestamp("2023-01-01").date()),
)
def test_as_of_an_earlier_date_never_uses_later_values(rows, as_of):
    assume(rows)
    values = pd.DataFrame(rows)
    visible = values[
        (values["period_end"] <= pd.Timestamp(as_of)) & (values["entered_at"] < entry_cutoff(as_of))
    ]
    definitions = pd.DataFrame(
        [
            definition(1),
            definition(2, polarity="lower_is_better", target_value=30.0),
            definition(3, frequency="quarterly"),
        ]
    )
    everything = measure_status(definitions, values, as_of=as_of)
    only_earlier = measure_status(definitions, visible if not visible.empty else values.iloc[:0], as_of=as_of)
    pd.testing.assert_frame_equal(everything, only_earlier, check_dtype=False, check_categorical=False)


def test_values_as_of_picks_the_newest_version_entered_by_then():
    first = yearly(1, {2017: 10}, lag_days=10)
    correction = yearly(1, {2017: 12}, lag_days=100)
    values = pd.DataFrame(first + correction)
    before = values_as_of(values, as_of=fy_end(2017) + pd.Timedelta(days=50))
    after = values_as_of(values, as_of=fy_end(2017) + pd.Timedelta(days=200))
    assert before["value"].tolist() == [10.0]
    assert after["value"].tolist() == [12.0]
    assert values_as_of(values, as_of=fy_end(2017) - pd.Timedelta(days=1)).empty


def test_values_as_of_counts_the_whole_as_of_day_in_portland():
    # Entered at 23:30 on 15 August in Portland, which is 06:30 UTC on 16 August.
    row = yearly(1, {2017: 10})[0] | {"entered_at": pd.Timestamp("2018-08-16 06:30", tz="UTC")}
    values = pd.DataFrame([row])
    assert len(values_as_of(values, as_of="2018-08-15")) == 1
    assert values_as_of(values, as_of="2018-08-14").empty


# --- judgements that age, end and agree with the figures shown -------------------------------------


def test_a_stale_measure_is_out_of_date_never_on_track():
    # FY 2017-18: progress 5 ÷ 20 = 0.25 against 365 ÷ 1461 = 0.2498 expected → on track while the
    # next value is not yet due (FY 2018-19's reporting deadline, 30 September 2019)...
    rows = yearly(1, {2016: 50, 2017: 55})
    assert status([definition(1)], rows, as_of="2019-09-29").loc[1, "health"] == "on_track"
    # ... and out of date once that day ends without it: it does not count as on track any more.
    late = status([definition(1)], rows, as_of="2019-09-30").loc[1]
    assert late["health"] == "out_of_date"
    assert late["health_label"] == "Out of date"
    assert "Last reported for FY 2017-18" in late["health_reason"]


def test_after_the_target_period_ends_its_value_is_awaited_then_late():
    # Target FY 2020-21 ends 30 June 2021; the latest value is for FY 2019-20 (30 June 2020), so the
    # next is due by FY 2020-21's reporting deadline, 30 June 2021 + 92 days = 30 September 2021.
    rows = yearly(1, {2016: 50, 2018: 60, 2019: 66})
    waiting = status([definition(1)], rows, as_of="2021-07-15").loc[1]
    assert waiting["health"] == "awaiting_final"
    assert "due by 30 Sep 2021" in waiting["health_reason"]
    assert status([definition(1)], rows, as_of="2021-09-29").loc[1, "health"] == "awaiting_final"
    assert status([definition(1)], rows, as_of="2021-09-30").loc[1, "health"] == "out_of_date"


def test_a_measure_without_a_better_direction_is_tracked_not_judged():
    row = status([definition(1, polarity="neutral")], yearly(1, {2016: 50, 2017: 55, 2018: 60})).loc[1]
    assert row["health"] == "tracked"
    assert row["health_label"] == "Tracked, not judged"
    assert np.isnan(row["progress"])  # no progress to roll up either
    assert row["projection"] == "cannot_judge"
    assert row["trend"] == "rising"


def test_the_forecast_badge_agrees_with_the_figures_shown():
    # Percent, baseline 12.5 → target 22.5 by FY 2020-21. Values on a straight line rising 2.5 a year
    # (12.46, 14.96, 17.46, 19.96) point to 22.46 at the target period: 99.6 % of the distance,
    # which the page prints as "22.5 %" beside a target of "22.5 %" — so it is projected to meet it.
    definitions = [definition(1, unit="percent", baseline_value=12.5, target_value=22.5)]
    rows = yearly(1, {2016: 12.46, 2017: 14.96, 2018: 17.46, 2019: 19.96})
    row = status(definitions, rows, as_of="2020-09-30").loc[1]
    assert row["forecast_value"] == pytest.approx(22.46, abs=0.02)
    assert f"{row['forecast_value']:.1f} %" == "22.5 %"
    assert row["projection"] == "yes"
    # The same rule decides "achieved": 22.46 is shown as 22.5 %, the target.
    reached = status(definitions, yearly(1, {2016: 12.46, 2019: 22.46}), as_of="2020-09-30").loc[1]
    assert reached["health"] == "achieved"
    # A count is shown whole: in the target year, 99.6 of 100 people is shown as 100 (achieved), but
    # 99.4 as 99 (missed).
    counts = [definition(m, unit="count", baseline_value=0.0, target_value=100.0) for m in (1, 2)]
    near = status(
        counts, yearly(1, {2016: 0, 2020: 99.6}) + yearly(2, {2016: 0, 2020: 99.4}), as_of="2021-09-30"
    )
    assert near["health"].tolist() == ["achieved", "missed"]


def test_expected_progress_is_held_between_none_and_all_of_the_distance():
    # Interim targets outside the baseline–target range (0 → 100): 150 for FY 2018-19 and −50 for
    # FY 2017-18 would ask for 150 % and −50 % of the distance; they are held at 100 % and 0 %.
    interim = pd.DataFrame(
        {"measure_id": [1, 2], "period_end": [fy_end(2018), fy_end(2017)], "value": [150.0, -50.0]}
    )
    definitions = [definition(m, baseline_value=0.0, target_value=100.0) for m in (1, 2)]
    frame = status(
        definitions, yearly(1, {2018: 96}) + yearly(2, {2017: 0}), interim=interim, as_of="2019-09-27"
    )
    assert frame["expected_progress"].tolist() == [1.0, 0.0]
    assert frame["expected_value"].tolist() == [100.0, 0.0]
    # 96 % of 100 % expected is on track (against 150 % it would have been at risk); keeping level
    # where nothing is expected yet is on track too.
    assert frame["health"].tolist() == ["on_track", "on_track"]


def test_baseline_change_is_relative_to_the_size_of_the_first_value():
    # From −10 to −5: up 5, which is 50 % of the first value's size.
    row = status(
        [definition(1, baseline_value=-10.0, target_value=0.0)], yearly(1, {2016: -10, 2017: -5})
    ).loc[1]
    assert row["baseline_change_pct"] == pytest.approx(50.0)
