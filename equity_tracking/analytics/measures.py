"""Measure judgements as of a date: one scorecard row per performance measure.

Owns, for every measure at once (vectorised over all measures, never a loop over them): the current,
prior and first values; variance from target and percent of target; progress to target (raw and
clamped); expected progress (linear from baseline to target, through interim targets); health; trend
and how long it has run; baseline % change; a least-squares forecast and "projected to meet target";
and whether the measure is overdue. Each judgement carries a state key, a label, an icon and a reason
in words, so a page never has to interpret a missing number. ``docs/methodology.md`` explains each
formula for the public.

Inputs: ``measures`` as from ``reads.measure_definitions`` (``measure_id``, ``polarity``,
``frequency``, ``baseline_value``/``_period_end``/``_period``, ``target_value``/``_period_end``/
``_period``, ``ended_on``, …), values as described in :mod:`.values`, and optionally interim targets
(``measure_id``, ``period_end``, ``value``).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from equity_tracking import rules
from equity_tracking.analytics import _text
from equity_tracking.analytics.states import CANNOT_JUDGE, FRESHNESS, HEALTH, PROJECTION, TREND
from equity_tracking.analytics.values import (
    TOTAL_GROUP_ID,
    position_in_series,
    total_series,
    values_as_of,
)
from equity_tracking.rules import as_of_day

ON_TRACK_RATIO = 0.95  # actual ÷ expected progress at or above this is on track
BEHIND_RATIO = 0.85  # … at or above this (and below on track) is behind; below it, at risk
# Ratios are compared after rounding to this many decimals, so that the floating-point noise of a
# unit conversion (dollars → thousands) can never flip a judgement that sits exactly on a boundary.
JUDGEMENT_DECIMALS = 9
FORECAST_POINTS = 5  # the forecast fits a straight line through at most this many recent values
MIN_FORECAST_POINTS = 3  # two points always fit a line exactly; three are the least worth fitting
DAYS_PER_YEAR = 365.25
FORECAST_EPOCH = pd.Timestamp("2000-01-01")  # the fit's x is years since this date (well conditioned)

DEFINITION_COLUMNS = (
    "measure_id",
    "goal_id",
    "plan_id",
    "bureau_id",
    "unit",
    "polarity",
    "frequency",
    "weight",
    "baseline_value",
    "baseline_period",
    "baseline_period_end",
    "target_value",
    "target_period",
    "target_period_end",
    "ended_on",
)


def measure_status(
    measures: pd.DataFrame,
    values: pd.DataFrame,
    *,
    as_of: dt.date | str | pd.Timestamp,
    interim_targets: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per measure, judged with only what could be seen at the end of ``as_of``.

    Columns, besides the definition columns passed in (measure_id, goal_id, plan_id, bureau_id,
    polarity, frequency, weight, baseline_value/_period/_period_end, target_value/_period/
    _period_end, ended_on) and ``ended``:

    - current_value/_period_id/_period/_period_end, prior_…, first_… (the latest, the one before,
      the earliest reported total; ``*_period`` is the label, "" when there is none), n_values;
    - variance_from_target, percent_of_target, progress (raw fraction), progress_pct,
      progress_pct_clamped (0–100), expected_value, expected_progress (at the latest value's
      period end), health_ratio;
    - health (:data:`~equity_tracking.analytics.states.HEALTH_ORDER`), health_label, health_icon,
      health_reason;
    - trend, trend_periods, trend_label, trend_icon, trend_reason;
    - baseline_change_pct, baseline_change_reason;
    - forecast_value (none once the target period is reported), forecast_points, projection ("yes",
      "no", "not_enough_data", "final", "cannot_judge"), projection_label, projection_icon,
      projection_reason;
    - next_due, overdue, freshness ("current", "update_overdue", "complete", "ended"),
      freshness_label, freshness_icon, freshness_reason; last_entered_at (UTC: when the newest of its
      totals seen by then was entered; only for frames with ``entered_at``);
    - directional (False for a measure with no better direction, which is tracked, never judged).

    Numbers are NaN where they cannot be worked out; every state, label, icon and reason column is
    filled (the state says "cannot_judge" and the reason says why). State columns are Categoricals.
    """
    day = as_of_day(as_of)
    # Only the totals are needed here; selecting versions on them alone is a sixth of the work.
    totals = values[values["group_id"].to_numpy() == TOTAL_GROUP_ID]
    series = total_series(values_as_of(totals, as_of=day))
    frame = _definitions(measures, day)
    frame = frame.join(_series_points(series), on="measure_id")
    frame["n_values"] = frame["n_values"].fillna(0).astype("int64")
    frame = _fill_labels(frame)
    frame = _add_progress(frame)
    frame = _add_expected(frame, interim_targets)
    frame = _add_freshness(frame, day)
    frame = _add_health(frame, day)
    frame = _add_trend(frame, series)
    frame = _add_baseline_change(frame)
    return _add_forecast(frame, series)


def _definitions(measures: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    present = [column for column in DEFINITION_COLUMNS if column in measures.columns]
    frame = measures[present].copy().reset_index(drop=True)
    for column in ("baseline_value", "target_value"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    for column in ("baseline_period_end", "target_period_end", "ended_on"):
        frame[column] = pd.to_datetime(frame[column]) if column in frame else pd.NaT
    for column in ("baseline_period", "target_period"):
        frame[column] = _text.label_text(frame[column]) if column in frame else ""
    known = frame["frequency"].isin(list(rules.PERIOD_MONTHS))
    frame["frequency"] = frame["frequency"].where(known, "annual")
    if "unit" not in frame:
        frame["unit"] = "count"
    # A measure with no better direction is reported, never judged against its target.
    frame["directional"] = (frame["polarity"] != "neutral").to_numpy()
    # An ended measure stops being expected to report, but keeps its history and its judgement.
    frame["ended"] = (frame["ended_on"].notna() & (frame["ended_on"] <= day)).to_numpy()
    return frame


def _series_points(series: pd.DataFrame) -> pd.DataFrame:
    """Current (latest), prior and first value of every measure with at least one value."""
    from_start, from_end = position_in_series(series)
    points = pd.DataFrame(
        index=pd.Index(series.loc[from_end == 0, "measure_id"].to_numpy(), name="measure_id")
    )
    for prefix, mask in (("current", from_end == 0), ("prior", from_end == 1), ("first", from_start == 0)):
        rows = series[mask].set_index("measure_id")
        points[f"{prefix}_value"] = rows["value"]
        points[f"{prefix}_period_id"] = rows["period_id"].astype("Int64")
        points[f"{prefix}_period"] = rows["period_label"]
        points[f"{prefix}_period_end"] = rows["period_end"]
    points["n_values"] = series.groupby("measure_id", sort=False).size()
    if "entered_at" in series.columns:  # when the bureau last reported a total, of any period
        points["last_entered_at"] = series.groupby("measure_id", sort=False)["entered_at"].max()
    return points


def _fill_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """Period label columns as plain text, "" where there is no such value (never NaN)."""
    for column in ("current_period", "prior_period", "first_period"):
        frame[column] = _text.label_text(frame[column])
    return frame


def _progress_of(frame: pd.DataFrame, value: pd.Series) -> pd.Series:
    """(value − baseline) ÷ (target − baseline); missing where the distance is zero or unknown."""
    distance = frame["target_value"] - frame["baseline_value"]
    distance = distance.where(distance != 0)
    return (value - frame["baseline_value"]) / distance


def _add_progress(frame: pd.DataFrame) -> pd.DataFrame:
    target = frame["target_value"]
    frame["variance_from_target"] = frame["current_value"] - target
    frame["percent_of_target"] = frame["current_value"] / target.where(target != 0) * 100
    frame["progress"] = _progress_of(frame, frame["current_value"]).where(frame["directional"])
    frame["progress_pct"] = frame["progress"] * 100
    # Shown clamped: a measure past its target is "100 %", one that went backwards "0 %".
    frame["progress_pct_clamped"] = frame["progress_pct"].clip(0, 100)
    return frame


def _add_expected(frame: pd.DataFrame, interim_targets: pd.DataFrame | None) -> pd.DataFrame:
    """The value and the progress expected by the latest value's period. Expected progress is held
    between 0 and 1 (an interim target outside the baseline–target range cannot ask for more than
    the whole distance, or less than none), and the expected value follows it."""
    raw = expected_values(frame, at=frame["current_period_end"], interim_targets=interim_targets)
    frame["expected_progress"] = _progress_of(frame, raw).clip(0, 1)
    distance = frame["target_value"] - frame["baseline_value"]
    frame["expected_value"] = frame["baseline_value"] + frame["expected_progress"] * distance
    return frame


def _knots(frame: pd.DataFrame, interim_targets: pd.DataFrame | None) -> pd.DataFrame:
    """The path expected of each judgeable measure: baseline, interim targets, target, by date."""
    usable = frame[_definition_problem(frame) == ""]
    parts = [
        pd.DataFrame(
            {
                "measure_id": usable["measure_id"],
                "end": usable[f"{kind}_period_end"],
                "knot": usable[f"{kind}_value"],
            }
        )
        for kind in ("baseline", "target")
    ]
    if interim_targets is not None and not interim_targets.empty:
        interim = interim_targets.merge(usable[["measure_id", "baseline_period_end", "target_period_end"]])
        # Only interim targets strictly between baseline and target shape the path.
        inside = (interim["period_end"] > interim["baseline_period_end"]) & (
            interim["period_end"] < interim["target_period_end"]
        )
        interim = interim[inside & interim["value"].notna()]
        parts.append(
            pd.DataFrame(
                {"measure_id": interim["measure_id"], "end": interim["period_end"], "knot": interim["value"]}
            )
        )
    knots = pd.concat(parts, ignore_index=True)
    knots["end"] = pd.to_datetime(knots["end"]).astype("datetime64[ns]")
    knots["measure_id"] = knots["measure_id"].astype("int64")
    return knots.sort_values("end", kind="stable").reset_index(drop=True)


def expected_values(
    frame: pd.DataFrame, *, at: pd.Series | pd.Timestamp, interim_targets: pd.DataFrame | None = None
) -> pd.Series:
    """The value each measure was expected to have on a date: linear between baseline and target,
    or piecewise linear through interim targets; the target itself after the target period.

    ``at`` is one date for every measure or a Series of dates aligned with ``frame``. Missing where
    the measure cannot be judged or the date is missing.
    """
    dates = at if isinstance(at, pd.Series) else pd.Series(pd.Timestamp(at), index=frame.index)
    left = pd.DataFrame({"measure_id": frame["measure_id"].astype("int64"), "at": pd.to_datetime(dates)})
    left["at"] = left["at"].astype("datetime64[ns]")
    left = left[left["at"].notna()].sort_values("at", kind="stable")
    knots = _knots(frame, interim_targets)
    before = pd.merge_asof(left, knots, left_on="at", right_on="end", by="measure_id", direction="backward")
    after = pd.merge_asof(left, knots, left_on="at", right_on="end", by="measure_id", direction="forward")
    span = (after["end"] - before["end"]).dt.days.to_numpy(float)
    elapsed = (before["at"] - before["end"]).dt.days.to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        between = (
            before["knot"].to_numpy()
            + (after["knot"].to_numpy() - before["knot"].to_numpy()) * elapsed / span
        )
    # On a knot, or past the last one (the target), or before the first one (the baseline).
    expected = np.where(span > 0, between, np.where(before["knot"].notna(), before["knot"], after["knot"]))
    return pd.Series(expected, index=left.index).reindex(frame.index)


def expected_progress(
    frame: pd.DataFrame, *, at: pd.Series | pd.Timestamp, interim_targets: pd.DataFrame | None = None
) -> pd.Series:
    """Progress (0 at baseline, 1 at target) each measure was expected to have made by ``at``, held
    between 0 and 1."""
    return _progress_of(frame, expected_values(frame, at=at, interim_targets=interim_targets)).clip(0, 1)


def _definition_problem(frame: pd.DataFrame) -> pd.Series:
    """Why a measure's own definition stops it being judged against its target ("" if it does not)."""
    problems = _text.choose(
        [
            frame["baseline_value"].isna(),
            frame["baseline_period_end"].isna(),
            frame["target_value"].isna(),
            frame["target_period_end"].isna(),
            np.isclose(frame["target_value"], frame["baseline_value"], rtol=1e-12, atol=0),
            frame["target_period_end"] <= frame["baseline_period_end"],
        ],
        [
            "No baseline value has been set.",
            "No baseline period has been set.",
            "No target has been set.",
            "No target period has been set.",
            "The target equals the baseline, so there is no distance to make progress along.",
            "The target period is not after the baseline period.",
        ],
        "",
    )
    return pd.Series(problems, index=frame.index)


def _at_least(values: pd.Series, threshold: float) -> np.ndarray:
    return (values.round(JUDGEMENT_DECIMALS) >= threshold).to_numpy()


def reaches_target(frame: pd.DataFrame, value: pd.Series) -> np.ndarray:
    """Whether ``value`` has reached each measure's target, compared as both are shown
    (:func:`equity_tracking.rules.as_displayed`) in the direction from baseline to target; so a
    badge can never contradict the two figures printed beside it."""
    units = frame["unit"]
    shown, target = rules.as_displayed(value, units), rules.as_displayed(frame["target_value"], units)
    direction = np.sign(frame["target_value"] - frame["baseline_value"]).to_numpy(float)
    with np.errstate(invalid="ignore"):
        return ((shown - target).to_numpy(float) * direction >= 0) & (direction != 0)


def _add_health(frame: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    problem = _definition_problem(frame)
    judgeable = (problem == "").to_numpy()
    ratio = frame["progress"] / frame["expected_progress"].where(frame["expected_progress"] > 0)
    frame["health_ratio"] = ratio.where(judgeable & frame["directional"].to_numpy())
    has_data = frame["n_values"].to_numpy() > 0
    not_started = (frame["current_period_end"] <= frame["baseline_period_end"]).to_numpy()
    target_reported = (frame["current_period_end"] >= frame["target_period_end"]).to_numpy()
    # An ended measure keeps its judgement as of its last value: it will not report its target period.
    target_passed = (frame["target_period_end"] < day).to_numpy() & ~frame["ended"].to_numpy()
    achieved = reaches_target(frame, frame["current_value"])
    on_track, behind = _at_least(ratio, ON_TRACK_RATIO), _at_least(ratio, BEHIND_RATIO)
    # Interim targets can hold the expected path at the baseline for a while (nothing expected yet):
    # then keeping level or better is on track, and going backwards is at risk.
    nothing_expected = (frame["expected_progress"] <= 0).to_numpy()
    kept_pace = (frame["progress"] >= frame["expected_progress"]).to_numpy()
    conditions = [
        ~frame["directional"].to_numpy() & has_data,
        ~judgeable,
        ~has_data,
        frame["overdue"].to_numpy(bool),
        achieved,
        target_reported,
        target_passed,
        not_started,
        on_track | (nothing_expected & kept_pace),
        behind & ~nothing_expected,
        ratio.notna().to_numpy() | nothing_expected,
    ]
    states = [
        "tracked",
        CANNOT_JUDGE,
        "no_data",
        "out_of_date",
        "achieved",
        "missed",
        "awaiting_final",
        "not_started",
        "on_track",
        "behind",
        "at_risk",
    ]
    frame["health"] = _text.choose(conditions, states, CANNOT_JUDGE)
    progress, expected = _text.percent_text(frame["progress"]), _text.percent_text(frame["expected_progress"])
    when = _text.label_text(frame["current_period"])
    target_period = _text.label_text(frame["target_period"])
    pace = (
        progress + " of the way from baseline to target by " + when + "; " + expected + " expected by then."
    )
    frame["health_reason"] = _text.choose(
        conditions,
        [
            "Tracked, not judged: the measure has no better direction, so no value is better than another.",
            problem,
            "Nothing has been reported yet.",
            "Last reported for "
            + when
            + "; the next value was due by "
            + _text.date_text(frame["next_due"])
            + ", so the measure is not judged until the bureau reports again.",
            "Reached the target by " + when + " (" + progress + " of the way from baseline).",
            "The target period ("
            + target_period
            + ") has been reported, and the target was not reached ("
            + progress
            + " of the way from baseline).",
            "The target period ("
            + target_period
            + ") has ended; its value is due by "
            + _text.date_text(frame["next_due"])
            + ".",
            "Nothing has been reported after the baseline period (" + frame["baseline_period"] + ").",
            pace,
            pace,
            pace,
        ],
        "The progress expected by the latest value's period cannot be worked out.",
    )
    return _text.add_style_columns(frame, "health", HEALTH)


def _add_trend(frame: pd.DataFrame, series: pd.DataFrame) -> pd.DataFrame:
    runs = _trend_runs(series)
    frame = frame.join(runs, on="measure_id")
    direction = frame["trend_direction"].fillna(0).to_numpy()
    polarity = frame["polarity"].to_numpy(object)
    lower = polarity == "lower_is_better"
    neutral = polarity == "neutral"
    better = np.where(lower, -direction, direction)
    judged = frame["n_values"].to_numpy() >= 2
    frame["trend"] = _text.choose(
        [~judged, direction == 0, neutral & (direction > 0), neutral, better > 0],
        [CANNOT_JUDGE, "no_change", "rising", "falling", "improving"],
        "worsening",
    )
    frame["trend_periods"] = frame["trend_periods"].where(judged, 0).fillna(0).astype("int64")
    periods = frame["trend_periods"].astype(str) + np.where(
        frame["trend_periods"] == 1, " period", " periods"
    )
    moved = np.where(
        direction > 0, "Went up", np.where(direction < 0, "Went down", "Stayed the same")
    ).astype(object)
    frame["trend_reason"] = _text.choose(
        [frame["n_values"].to_numpy() == 0, ~judged],
        ["Nothing has been reported yet.", "Only one value so far: a trend needs two."],
        pd.Series(moved, index=frame.index) + " for " + periods + " in a row.",
    )
    frame = frame.drop(columns="trend_direction")
    return _text.add_style_columns(frame, "trend", TREND)


def _trend_runs(series: pd.DataFrame) -> pd.DataFrame:
    """Direction of the latest change (+1, 0, −1) and how many changes in a row went that way."""
    measure = series["measure_id"].to_numpy()
    value = series["value"].to_numpy(float)
    same_measure = np.zeros(len(series), dtype=bool)
    same_measure[1:] = measure[1:] == measure[:-1]
    change = np.zeros(len(series))
    change[1:] = value[1:] - value[:-1]
    # Differences below a billionth of the values' size are rounding, not movement.
    scale = np.maximum(np.abs(value), np.abs(np.r_[0.0, value[:-1]]))
    direction = np.where(np.abs(change) <= 1e-9 * scale, 0, np.sign(change))
    steps = pd.DataFrame({"measure_id": measure, "direction": direction})[same_measure]
    new_run = (steps["direction"] != steps["direction"].shift()) | (
        steps["measure_id"] != steps["measure_id"].shift()
    )
    steps["run"] = new_run.cumsum()
    run_length = steps.groupby("run").size()
    last = steps.groupby("measure_id", sort=False).tail(1).set_index("measure_id")
    return pd.DataFrame({"trend_direction": last["direction"], "trend_periods": last["run"].map(run_length)})


def _add_baseline_change(frame: pd.DataFrame) -> pd.DataFrame:
    """Change since the first value entered, as a percentage of its size (Clear Impact's "baseline %
    change"): (current − first) ÷ |first| × 100, so that a rise is positive even from below zero."""
    first = frame["first_value"]
    usable = (frame["n_values"] >= 2) & (first != 0) & first.notna()
    frame["baseline_change_pct"] = ((frame["current_value"] - first) / first.abs() * 100).where(usable)
    frame["baseline_change_reason"] = _text.choose(
        [frame["n_values"].to_numpy() == 0, frame["n_values"].to_numpy() == 1, (first == 0).to_numpy()],
        [
            "Nothing has been reported yet.",
            "Only one value so far: a change needs two.",
            "The first value is zero, so a percentage change cannot be computed.",
        ],
        "Change from the first value entered (" + _text.label_text(frame["first_period"]) + ").",
    )
    return frame


def _add_forecast(frame: pd.DataFrame, series: pd.DataFrame) -> pd.DataFrame:
    """The least-squares forecast at the target period and whether it reaches the target, compared
    as both are shown (:func:`reaches_target`). Once the target period itself has been reported there
    is nothing left to forecast: no forecast is given, and the state says so."""
    fit = _least_squares(series)
    frame = frame.join(fit, on="measure_id")
    frame["forecast_points"] = frame["forecast_points"].fillna(0).astype("int64")
    years = (frame["target_period_end"] - FORECAST_EPOCH).dt.days / DAYS_PER_YEAR
    fitted = frame["fit_mean_value"] + frame["fit_slope"] * (years - frame["fit_mean_year"])
    enough = (frame["forecast_points"] >= MIN_FORECAST_POINTS).to_numpy()
    problem = _definition_problem(frame)
    reported_target = (frame["current_period_end"] >= frame["target_period_end"]).to_numpy()
    frame["forecast_value"] = fitted.where(enough & ~reported_target)
    forecast_progress = _progress_of(frame, frame["forecast_value"])
    directional = frame["directional"].to_numpy()
    conditions = [~directional, (problem != "").to_numpy(), reported_target, ~enough]
    meets = reaches_target(frame, frame["forecast_value"])
    frame["projection"] = _text.choose(
        [*conditions, meets], [CANNOT_JUDGE, CANNOT_JUDGE, "final", "not_enough_data", "yes"], "no"
    )
    count = frame["n_values"].astype(str)
    too_few = f"A forecast needs at least {MIN_FORECAST_POINTS} values; there " + np.where(
        frame["n_values"] == 1, "is ", "are "
    )
    fitted_line = (
        "A straight line through the last "
        + frame["forecast_points"].astype(str)
        + " values reaches "
        + _text.percent_text(forecast_progress)
        + " of the way to target by "
        + frame["target_period"]
        + "."
    )
    frame["projection_reason"] = _text.choose(
        conditions,
        [
            "Tracked, not judged: the measure has no better direction.",
            problem,
            "The target period (" + _text.label_text(frame["target_period"]) + ") has been reported, "
            "so there is nothing left to forecast; its health says whether the target was reached.",
            too_few + count + ".",
        ],
        fitted_line,
    )
    frame = frame.drop(columns=["fit_mean_value", "fit_mean_year", "fit_slope"])
    return _text.add_style_columns(frame, "projection", PROJECTION)


def _least_squares(series: pd.DataFrame) -> pd.DataFrame:
    """Slope and centre of an ordinary least-squares line through each measure's recent values."""
    _, from_end = position_in_series(series)
    recent = series.loc[from_end < FORECAST_POINTS, ["measure_id", "period_end", "value"]]
    year = (recent["period_end"] - FORECAST_EPOCH).dt.days / DAYS_PER_YEAR
    grouped = pd.DataFrame(
        {"measure_id": recent["measure_id"], "year": year, "value": recent["value"]}
    ).groupby("measure_id", sort=False)
    mean_year, mean_value = grouped["year"].transform("mean"), grouped["value"].transform("mean")
    moments = (
        pd.DataFrame(
            {
                "measure_id": recent["measure_id"],
                "sxy": (year - mean_year) * (recent["value"] - mean_value),
                "sxx": (year - mean_year) ** 2,
            }
        )
        .groupby("measure_id", sort=False)[["sxy", "sxx"]]
        .sum()
    )
    return pd.DataFrame(
        {
            "forecast_points": grouped.size(),
            "fit_mean_year": grouped["year"].mean(),
            "fit_mean_value": grouped["value"].mean(),
            "fit_slope": moments["sxy"] / moments["sxx"].where(moments["sxx"] > 0),
        }
    )


def _add_freshness(frame: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """Overdue: the next value should have been in (its period over, plus a grace period) by ``day``.

    A measure that has ended, or has been reported through its target period, expects no further
    value and is never overdue."""
    ended = frame["ended"].to_numpy()
    complete = ~ended & (frame["current_period_end"] >= frame["target_period_end"]).to_numpy()
    # Dated from the latest value; a measure with none is dated from its baseline period.
    reference = frame["current_period_end"].fillna(frame["baseline_period_end"])
    frame["next_due"] = rules.next_value_due(reference, frame["frequency"]).where(~ended & ~complete)
    # Due by the end of its day, and the as-of date is the end of ``day``: due that day and not in is late.
    overdue = ~ended & ~complete & (frame["next_due"].isna() | (frame["next_due"] <= day)).to_numpy()
    frame["overdue"] = overdue
    frame["freshness"] = _text.choose(
        [ended, complete, overdue], ["ended", "complete", "update_overdue"], "current"
    )
    last = _text.choose(
        [(frame["current_period"] == "").to_numpy()],
        ["Nothing reported"],
        "Last reported for " + _text.label_text(frame["current_period"]),
    )
    due = (
        pd.Series(last, index=frame.index) + "; the next value " + np.where(overdue, "was", "is") + " due by "
    )
    frame["freshness_reason"] = _text.choose(
        [ended, complete, frame["next_due"].isna().to_numpy()],
        [
            "Ended on " + _text.date_text(frame["ended_on"]) + "; no further values expected.",
            "Reported through its target period ("
            + _text.label_text(frame["target_period"])
            + "); no further values expected.",
            "Nothing reported and no baseline period to date it from.",
        ],
        due + _text.date_text(frame["next_due"]) + ".",
    )
    return _text.add_style_columns(frame, "freshness", FRESHNESS)
