"""One performance measure: its headline figures, turn-the-curve series, values by race/ethnicity
(suppressed), its data and a dated timeline of notes.

Pure functions of the measure's history, its row of the public analytics and a few small reads.
Every value is picked by the rules every page shares (:mod:`equity_tracking.rules`: what could be
seen by the fiscal year's reporting deadline, the newest version, a fiscal year over its fourth
quarter), and every value by race/ethnicity passes the suppression module before anything is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from equity_tracking import rules, suppression
from equity_tracking.analytics.states import (
    ACTION_STATUS,
    CANNOT_JUDGE,
    FRESHNESS,
    HEALTH,
    PALETTE,
    PROJECTION,
    TREND,
)
from equity_tracking.dashboards.common import REVIEW_TEXT, health_text, next_due_text, trend_text
from equity_tracking.formatting import MISSING, date_text, number, percent, signed_percent, state_text

UNIT_TITLES = {
    "percent": "Percent (%)",
    "count": "Count",
    "dollars": "US dollars ($)",
    "rate": "Rate",
    "days": "Days",
}
POLARITY_TEXT = {
    "higher_is_better": "higher is better",
    "lower_is_better": "lower is better",
    "neutral": "tracked, not judged by direction",
}
RBA_TEXT = {
    "how_much": "How much did we do?",
    "how_well": "How well did we do it?",
    "better_off": "Is anyone better off?",
}
FREQUENCY_TEXT = {"annual": "every year", "quarterly": "every quarter", "monthly": "every month"}
HISTORY_KEY = ("period", "group_key")


# --- choosing the measure ------------------------------------------------------------------------------


def measure_options(measures: pd.DataFrame) -> dict[str, str]:
    """``{str(measure id): "G1-A1-M1 · name"}`` in plan order."""
    return {
        str(int(measure_id)): f"{key} · {name}"
        for measure_id, key, name in zip(measures["id"], measures["key"], measures["name"], strict=True)
    }


def adopted_measures(measures: pd.DataFrame, goals: pd.DataFrame, plans: pd.DataFrame) -> pd.DataFrame:
    """A bureau's measures in plan versions that are not drafts (a draft is never public)."""
    adopted = plans.loc[rules.is_adopted(plans), "id"]
    goal_ids = goals.loc[goals["plan_id"].isin(adopted), "id"]
    return measures[measures["goal_id"].isin(goal_ids)].reset_index(drop=True)


def bureau_code_for_measure(
    definitions: pd.DataFrame, bureaus: pd.DataFrame, plans: pd.DataFrame, measure: object
) -> str | None:
    """The code of the bureau an adopted measure (its id, as text or number) belongs to, or None: a
    draft's measure is no one's, so a link to it does not tell whose draft it is."""
    try:
        measure_id = int(str(measure).strip())
    except ValueError:
        return None
    adopted = definitions["plan_id"].isin(plans.loc[rules.is_adopted(plans), "id"])
    owner = definitions.loc[adopted & (definitions["measure_id"] == measure_id), "bureau_id"]
    if owner.empty:
        return None
    code = bureaus.loc[bureaus["id"] == int(owner.iat[0]), "code"]
    return None if code.empty else str(code.iat[0])


# --- values as of a date --------------------------------------------------------------------------------


def history_as_of(history: pd.DataFrame, as_of: object) -> pd.DataFrame:
    """From ``reads.measure_history(include_superseded=True)``: one row per (period, group), the
    newest version the reader could see by the end of ``as_of`` (``visible_at``) for periods ended
    by then, in period order, with
    ``corrected_later`` where a newer version was published after that date."""
    if history.empty:
        return history.assign(corrected_later=pd.Series(dtype=bool))
    visible = history[rules.visible_as_of(history["period_end"], history["visible_at"], as_of)]
    newest = rules.newest_versions(visible, key=HISTORY_KEY)
    newest = newest.assign(corrected_later=~newest["is_current"].astype(bool))
    return rules.latest_period_last(newest).reset_index(drop=True)


def total_series(values: pd.DataFrame) -> pd.DataFrame:
    """The measure's totals in period order, one per period end (a fiscal year over its Q4)."""
    return rules.one_per_period_end(values[values["group_key"] == ""])


# --- the turn-the-curve chart ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Curve:
    """The series of a turn-the-curve chart; each frame has period_end, value, label, text."""

    actuals: pd.DataFrame
    baseline: pd.DataFrame  # one row or none
    expected: pd.DataFrame  # baseline, interim targets, target
    target: pd.DataFrame  # one row or none
    forecast: pd.DataFrame  # the latest value and the forecast at the target period, or none


def _points(ends: list, values: list, labels: list, unit: str) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"period_end": pd.to_datetime(pd.Series(ends, dtype=object)), "value": values, "label": labels}
    )
    frame["value"] = frame["value"].astype(float)
    frame["text"] = [number(value, unit=unit) for value in frame["value"]]
    return frame


def curve(measure: pd.Series, status: pd.Series | None, totals: pd.DataFrame, interim: pd.DataFrame) -> Curve:
    """Baseline, actuals, the expected path (straight from baseline to target, through any interim
    targets), the target and the forecast of one measure."""
    unit = str(measure["unit"])
    empty = _points([], [], [], unit)
    has_baseline = pd.notna(measure["baseline_value"]) and pd.notna(measure["baseline_period_end"])
    has_target = pd.notna(measure["target_value"]) and pd.notna(measure["target_period_end"])
    baseline = (
        _points(
            [measure["baseline_period_end"]], [measure["baseline_value"]], [measure["baseline_period"]], unit
        )
        if has_baseline
        else empty
    )
    target = (
        _points([measure["target_period_end"]], [measure["target_value"]], [measure["target_period"]], unit)
        if has_target
        else empty
    )
    expected = empty
    if has_baseline and has_target and measure["target_period_end"] > measure["baseline_period_end"]:
        inside = interim[
            (interim["period_end"] > measure["baseline_period_end"])
            & (interim["period_end"] < measure["target_period_end"])
        ]
        expected = pd.concat(
            [
                baseline,
                _points(list(inside["period_end"]), list(inside["value"]), list(inside["period"]), unit),
                target,
            ],
            ignore_index=True,
        )
    actuals = _points(list(totals["period_end"]), list(totals["value"]), list(totals["period"]), unit)
    forecast = empty
    if status is not None and pd.notna(status.get("forecast_value")) and has_target and len(actuals):
        forecast = _points(
            [actuals["period_end"].iat[-1], measure["target_period_end"]],
            [actuals["value"].iat[-1], status["forecast_value"]],
            [actuals["label"].iat[-1], measure["target_period"]],
            unit,
        )
    return Curve(actuals=actuals, baseline=baseline, expected=expected, target=target, forecast=forecast)


def curve_table(points: Curve) -> pd.DataFrame:
    """The chart's data: Series, Period, Value (as written on the chart), value (the number)."""
    parts = [
        ("Actual", points.actuals),
        ("Baseline", points.baseline),
        ("Expected path", points.expected),
        ("Target", points.target),
        ("Forecast", points.forecast.iloc[1:]),
    ]
    rows = [
        {"Series": name, "Period": label, "Value": text, "value": value}
        for name, frame in parts
        for label, text, value in zip(frame["label"], frame["text"], frame["value"], strict=True)
    ]
    return pd.DataFrame(rows, columns=["Series", "Period", "Value", "value"])


def curve_alt(points: Curve, *, unit: str, status: pd.Series | None) -> str:
    """The text alternative of the turn-the-curve chart: baseline, latest, expected, target, forecast."""
    parts = ["Line chart"]
    if len(points.baseline):
        parts.append(f"baseline {points.baseline['text'].iat[0]} in {points.baseline['label'].iat[0]}")
    if len(points.actuals):
        count = len(points.actuals)
        parts.append(
            f"{count} reported value{'s' if count != 1 else ''}, the latest "
            f"{points.actuals['text'].iat[-1]} in {points.actuals['label'].iat[-1]}"
        )
        if status is not None and pd.notna(status.get("expected_value")):
            parts.append(f"{number(status['expected_value'], unit=unit)} expected by then")
    else:
        parts.append("no values reported yet")
    if len(points.target):
        parts.append(f"target {points.target['text'].iat[0]} by {points.target['label'].iat[0]}")
    if len(points.forecast):
        parts.append(f"forecast {points.forecast['text'].iat[-1]} by {points.forecast['label'].iat[-1]}")
    return "; ".join(parts) + "."


# --- values by race/ethnicity ---------------------------------------------------------------------------


def group_values(public_rows: pd.DataFrame, *, unit: str, groups: pd.DataFrame) -> pd.DataFrame:
    """The measure's values by group in every period, as the public view gives them (suppressed, the
    same figures as on every other page): period, period_start, period_end, group, group_key, value
    (NaN where hidden), value_text ("hidden" where hidden), suppressed, sort_order."""
    columns = [
        "period", "period_start", "period_end", "group", "group_key",
        "value", "value_text", "suppressed", "sort_order",
    ]  # fmt: skip
    if public_rows.empty:
        return pd.DataFrame(columns=columns)
    lookup = groups.set_index("id")
    hidden = public_rows["suppressed"].astype(bool).to_numpy()
    rows = pd.DataFrame(
        {
            "period": public_rows["period_label"].astype(str).to_numpy(),
            "period_start": pd.to_datetime(public_rows["period_start"]).to_numpy(),
            "period_end": pd.to_datetime(public_rows["period_end"]).to_numpy(),
            "group": public_rows["group_id"].map(lookup["name"]).astype(str).to_numpy(),
            "group_key": public_rows["group_id"].map(lookup["key"]).astype(str).to_numpy(),
            "value": public_rows["value"].astype(float).to_numpy(),
            "suppressed": hidden,
            "sort_order": public_rows["group_id"].map(lookup["sort_order"]).to_numpy(),
        }
    )
    rows["value_text"] = np.where(
        hidden, suppression.HIDDEN_LABEL, [number(value, unit=unit) for value in rows["value"]]
    )
    return rows.sort_values(
        ["period_end", "period_start", "sort_order"], ascending=[True, False, True], kind="stable"
    )[columns]


def group_table(rows: pd.DataFrame) -> pd.DataFrame:
    """The group chart's data for people: Period, Group, Value ("hidden" where hidden)."""
    return pd.DataFrame(
        {
            "Period": rows["period"].astype(str).to_numpy(),
            "Group": rows["group"].astype(str).to_numpy(),
            "Value": rows["value_text"].to_numpy(),
        }
    )


def group_data(rows: pd.DataFrame) -> pd.DataFrame:
    """The group chart's data as data: period, group, value (empty where hidden), hidden."""
    return pd.DataFrame(
        {
            "period": rows["period"].astype(str).to_numpy(),
            "period_end": pd.to_datetime(rows["period_end"]).to_numpy(),
            "group": rows["group"].astype(str).to_numpy(),
            "value": rows["value"].to_numpy(float),
            "hidden": rows["suppressed"].astype(bool).to_numpy(),
        }
    )


def group_alt(rows: pd.DataFrame) -> str:
    """The group chart's text alternative: each group's value in the latest period."""
    if rows.empty:
        return ""
    latest_period = rows["period"].iat[-1]
    latest = rows[rows["period"] == latest_period]
    parts = [f"{group}: {text}" for group, text in zip(latest["group"], latest["value_text"], strict=True)]
    periods = rows["period"].nunique()
    return (
        f"Line chart, one line per group over {periods} period{'s' if periods != 1 else ''}. "
        f"In {latest_period}: " + "; ".join(parts) + "."
    )


# --- the data table and the notes ---------------------------------------------------------------------------


def _hidden_lookup(values: pd.DataFrame, groups_shown: pd.DataFrame) -> pd.Series:
    """Per row of ``values``: whether it is a hidden group figure (as :func:`group_values` says)."""
    if groups_shown.empty:
        return pd.Series(False, index=values.index)
    hidden = set(
        zip(
            groups_shown.loc[groups_shown["suppressed"], "period"],
            groups_shown.loc[groups_shown["suppressed"], "group_key"],
            strict=True,
        )
    )
    return pd.Series(
        [(period, key) in hidden for period, key in zip(values["period"], values["group_key"], strict=True)],
        index=values.index,
    )


def data_table(values: pd.DataFrame, groups_shown: pd.DataFrame, *, unit: str) -> pd.DataFrame:
    """Every value shown, newest period first, for people: Period, Group, Value
    ("hidden" where hidden), Note, Review status."""
    hidden = _hidden_lookup(values, groups_shown)
    ordered = values.assign(_group=values["group_key"] != "", _hidden=hidden).sort_values(
        ["period_end", "period_start", "_group"], ascending=[False, False, True], kind="stable"
    )
    notes = []
    for note, corrected in zip(ordered["note"], ordered["corrected_later"], strict=True):
        text = "" if note is None or pd.isna(note) else str(note)
        if corrected:
            text = (text + " " if text else "") + "A correction was published later."
        notes.append(text or MISSING)
    return pd.DataFrame(
        {
            "Period": ordered["period"].astype(str).to_numpy(),
            "Group": np.where(ordered["group_key"] == "", "All (total)", ordered["group_name"].astype(str)),
            "Value": np.where(
                ordered["_hidden"],
                suppression.HIDDEN_LABEL,
                [number(value, unit=unit) for value in ordered["value"]],
            ),
            "Note": notes,
            "Review status": ordered["review_status"]
            .map(lambda key: REVIEW_TEXT.get(str(key), str(key)))
            .to_numpy(),
        }
    )


def data_download(values: pd.DataFrame, groups_shown: pd.DataFrame) -> pd.DataFrame:
    """Every value shown, as data: period, period_end, group_key, value (empty where hidden), note,
    review_status, entered_at, corrected_later."""
    hidden = _hidden_lookup(values, groups_shown).to_numpy()
    return pd.DataFrame(
        {
            "period": values["period"].astype(str).to_numpy(),
            "period_end": pd.to_datetime(values["period_end"]).to_numpy(),
            "group_key": values["group_key"].to_numpy(),
            "group": np.where(values["group_key"] == "", "All", values["group_name"]),
            "value": values["value"].astype(float).where(~hidden).to_numpy(),
            "hidden": hidden,
            "note": values["note"].to_numpy(),
            "review_status": values["review_status"].to_numpy(),
            "entered_at": pd.to_datetime(values["entered_at"], utc=True),
            "corrected_later": values["corrected_later"].astype(bool).to_numpy(),
        }
    )


def timeline(values: pd.DataFrame, updates: pd.DataFrame, *, as_of: object) -> pd.DataFrame:
    """Notes on the values and the related action's status updates, newest first: at, Date, What,
    Text (plain text, as typed)."""
    noted = values[values["note"].notna() & (values["note"].astype(str).str.strip() != "")]
    rows = [
        {"at": entered, "Date": date_text(entered), "What": f"Note on the {period} value", "Text": str(note)}
        for entered, period, note in zip(noted["entered_at"], noted["period"], noted["note"], strict=True)
    ]
    visible = updates[rules.visible_as_of(None, updates["visible_at"], as_of)] if len(updates) else updates
    for update in visible.to_dict("records"):
        style = ACTION_STATUS.get(str(update["status"]))
        status = state_text(style.icon, style.label) if style else str(update["status"])
        narrative = (
            update["narrative"] if update["narrative"] and pd.notna(update["narrative"]) else "No narrative."
        )
        rows.append(
            {
                "at": update["reported_at"],
                "Date": date_text(update["reported_at"]),
                "What": f"Action update: {status}, "
                f"{percent(update['percent_complete'], decimals=0)} complete",
                "Text": str(narrative),
            }
        )
    frame = pd.DataFrame(rows, columns=["at", "Date", "What", "Text"])
    if frame.empty:
        return frame
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    return frame.sort_values("at", ascending=False, kind="stable").reset_index(drop=True)


# --- the headline -------------------------------------------------------------------------------------

# Streamlit badge colours for the palette's state colours (a badge also carries the icon and label).
BADGE_COLOURS = {
    PALETTE["blue"]: "blue",
    PALETTE["sky_blue"]: "blue",
    PALETTE["bluish_green"]: "green",
    PALETTE["orange"]: "orange",
    PALETTE["vermillion"]: "red",
    PALETTE["reddish_purple"]: "violet",
    PALETTE["grey"]: "gray",
}


def _badge(status: pd.Series, column: str, styles: Mapping, text: str | None = None) -> dict[str, str]:
    style = styles.get(str(status[column]))
    return {
        "text": text or state_text(str(status[f"{column}_icon"]), str(status[f"{column}_label"])),
        "colour": BADGE_COLOURS.get(style.colour, "gray") if style else "gray",
        "help": str(status.get(f"{column}_reason", "")),
    }


def _projection_text(status: pd.Series) -> str:
    """The projection badge: "✓ Projected to meet target" says what it is about by itself, "? Cannot
    be judged" does not, so those that cannot say so name the forecast."""
    icon, label = str(status["projection_icon"]), str(status["projection_label"])
    if str(status["projection"]) in (CANNOT_JUDGE, "not_enough_data"):
        label = f"Forecast: {label.lower()}"
    return state_text(icon, label)


def headline(measure: pd.Series, status: pd.Series | None) -> dict[str, object]:
    """The measure's tiles and badges as text: current, prior, target, progress, expected, forecast
    (or why there is none); health (out of date says since when), trend, projection, and when the
    next value is due. Empty when nothing had been reported."""
    unit = str(measure["unit"])
    if status is None or int(status.get("n_values", 0)) == 0:
        return {}
    trend = trend_text(
        str(status["trend_icon"]),
        str(status["trend_label"]),
        int(status["trend_periods"]),
        str(status["trend"]),
    )
    target_period = str(measure.get("target_period") or "")
    prior_period = str(status["prior_period"])
    periods = f"Current: {status['current_period']}" + (f" · prior: {prior_period}" if prior_period else "")
    if target_period:
        periods += f" · target: {target_period}"
    final = str(status["projection"]) == "final"
    return {
        "periods": periods + ".",
        "current": number(status["current_value"], unit=unit),
        "current_period": str(status["current_period"]),
        "prior": number(status["prior_value"], unit=unit),
        "target": number(measure["target_value"], unit=unit),
        "progress": percent(status["progress_pct_clamped"]),
        "progress_help": str(status["health_reason"]),
        "expected": number(status["expected_value"], unit=unit),
        "directional": bool(status.get("directional", True)),
        "baseline_change": signed_percent(status["baseline_change_pct"]),
        "baseline_change_help": str(status["baseline_change_reason"]),
        "forecast": "Final value in" if final else number(status["forecast_value"], unit=unit),
        "forecast_help": str(status["projection_reason"]),
        "next_due": next_due_text(status),
        "badges": [
            _badge(
                status,
                "health",
                HEALTH,
                text=health_text(str(status["health"]), str(status["current_period"])),
            ),
            _badge(status, "trend", TREND, text=trend),
            _badge(status, "projection", PROJECTION, text=_projection_text(status)),
            _badge(status, "freshness", FRESHNESS),
        ],
    }


def describe(measure: pd.Series, goal: pd.Series | None) -> str:
    """One line on what the measure is (plain text): goal, unit, polarity, frequency, RBA question."""
    parts = []
    if goal is not None:
        parts.append(f"{goal['key']} · {goal['title']}")
    parts.append(UNIT_TITLES.get(str(measure["unit"]), str(measure["unit"])).split(" (")[0])
    parts.append(POLARITY_TEXT.get(str(measure["polarity"]), str(measure["polarity"])))
    parts.append(f"reported {FREQUENCY_TEXT.get(str(measure['frequency']), str(measure['frequency']))}")
    if str(measure.get("rba_category")) in RBA_TEXT:
        parts.append(RBA_TEXT[str(measure["rba_category"])])
    if bool(measure.get("disaggregated")):
        parts.append("by race/ethnicity")
    return " · ".join(parts)


# --- the whole page -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasurePage:
    measure: pd.Series
    describe: str
    source: str
    headline: dict
    curve: Curve
    curve_table: pd.DataFrame
    curve_alt: str
    groups: pd.DataFrame  # group_values
    group_alt: str
    any_suppressed: bool
    data: pd.DataFrame
    data_download: pd.DataFrame
    timeline: pd.DataFrame
    action_title: str | None
    n_values: int


def measure_page(
    measure: pd.Series,
    *,
    status: pd.Series | None,
    history: pd.DataFrame,
    interim: pd.DataFrame,
    updates: pd.DataFrame,
    goals: pd.DataFrame,
    actions: pd.DataFrame,
    bureau_name: str,
    groups: pd.DataFrame,
    public_groups: pd.DataFrame,
    as_of: object,
) -> MeasurePage:
    """Everything the measure page shows, as of a date (the fiscal year's reporting deadline).

    ``measure`` is its row of ``reads.measures``; ``status`` its row of the analytics' measure status
    (or None); ``history`` ``reads.measure_history(include_superseded=True)``; ``interim``
    ``reads.interim_target_frame`` (any measures); ``updates`` the updates of the measure's action
    (``reads.action_updates``); ``goals`` and ``actions`` the bureau's (``reads.goals``,
    ``reads.actions``); ``public_groups`` its group rows from the public view (suppressed)."""
    unit = str(measure["unit"])
    values = history_as_of(history, as_of)
    totals = total_series(values)
    points = curve(measure, status, totals, interim[interim["measure_id"] == measure["id"]])
    by_group = group_values(public_groups, unit=unit, groups=groups)
    source = str(measure["data_source"]) if measure.get("data_source") else "bureau records"
    goal = goals[goals["id"] == measure["goal_id"]]
    action = actions[actions["id"] == action_id_of(measure)]
    return MeasurePage(
        measure=measure,
        describe=describe(measure, None if goal.empty else goal.iloc[0]),
        source=f"{source} ({bureau_name})",
        headline=headline(measure, status),
        curve=points,
        curve_table=curve_table(points),
        curve_alt=curve_alt(points, unit=unit, status=status),
        groups=by_group,
        group_alt=group_alt(by_group),
        any_suppressed=bool(by_group["suppressed"].any()) if len(by_group) else False,
        data=data_table(values, by_group, unit=unit),
        data_download=data_download(values, by_group),
        timeline=timeline(values, updates, as_of=as_of),
        action_title=None if action.empty else f"{action['key'].iat[0]} · {action['title'].iat[0]}",
        n_values=len(totals),
    )


def status_row(status: pd.DataFrame, measure_id: int) -> pd.Series | None:
    match = status[status["measure_id"] == measure_id]
    return None if match.empty else match.iloc[0]


def action_id_of(measure: pd.Series) -> int | None:
    """The id of the action a measure tracks, or None."""
    value = measure.get("action_id")
    return None if value is None or pd.isna(value) else int(value)


def no_updates() -> pd.DataFrame:
    """An empty frame shaped like ``reads.action_updates``' result."""
    return pd.DataFrame(
        {
            "update_id": pd.Series(dtype="int64"),
            "action_id": pd.Series(dtype="int64"),
            "status": pd.Series(dtype=object),
            "percent_complete": pd.Series(dtype=float),
            "narrative": pd.Series(dtype=object),
            "reported_at": pd.Series(dtype="datetime64[ns, UTC]"),
            "visible_at": pd.Series(dtype="datetime64[ns, UTC]"),
        }
    )
