"""Figures for comparing bureaus on a focus area or on a measure (labelled bars, as on the goal page)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from equity_tracking.analytics.states import HEALTH
from equity_tracking.charts.goal import SOURCE, labelled_bars, progress_bars
from equity_tracking.dashboards.compare import unit_word
from equity_tracking.dashboards.goal import bar_label, ranked_labels

HEADROOM = 1.12  # room right of the longest bar (or target) for the value written after it
TICKS = {"dollars": {"tickprefix": "$"}, "percent": {"ticksuffix": " %"}}


def focus_chart(comparison: pd.DataFrame, *, focus_name: str, fiscal_year_label: str) -> go.Figure:
    """Bureaus ranked by the mean progress of their goals in one focus area."""
    data = comparison.copy()
    data["label"] = ranked_labels(data)
    return progress_bars(
        data,
        label="label",
        title=f"{focus_name}: bureaus ranked by progress, {fiscal_year_label}",
        x_title="Mean progress to target (%)",
    )


def value_chart(part: pd.DataFrame, *, name: str, unit: str, fiscal_year_label: str) -> go.Figure:
    """Each bureau's latest value of one measure (bars) and its target (a black tick)."""
    data = part.copy()
    data["label"] = [
        bar_label(row.label, f"reported for {row.current_period}" if row.stale else "")
        for row in data.itertuples()
    ]
    data["bar_text"] = data["value_text"].where(data["current_value"].notna(), "no value reported yet")
    data["hover"] = (
        data["label"]
        + "<br>"
        + data["value_text"]
        + " ("
        + data["current_period"]
        + ")<br>target "
        + data["target_text"]
    )
    data["target_hover"] = (
        data["label"] + "<br>target " + data["target_text"] + " by " + data["target_period"]
    )
    values = pd.concat([data["current_value"], data["target_value"]]).dropna()
    low = min(float(values.min()), 0.0) if len(values) else 0.0
    high = max(float(values.max()), 0.0) if len(values) else 1.0
    return labelled_bars(
        data,
        label="label",
        value="current_value",
        text="bar_text",
        hover="hover",
        target="target_value",
        target_text="target_hover",
        value_name="Latest value",
        title=f"{name}, {fiscal_year_label}",
        source=SOURCE,
        x_title=f"Latest value ({unit_word(unit)})",
        x_range=(low * HEADROOM, (high or 1.0) * HEADROOM),
        x_axis=TICKS.get(unit),
    )


def measure_progress_chart(comparison: pd.DataFrame, *, name: str, fiscal_year_label: str) -> go.Figure:
    """Each bureau's progress to target on one measure, coloured and labelled by health."""
    data = comparison.copy()
    data["label"] = [bar_label(row.label, row.health_text) for row in data.itertuples()]
    data["colour"] = data["health"].map(lambda state: HEALTH[state].colour)
    return progress_bars(
        data,
        label="label",
        colour="colour",
        title=f"{name}: progress to target, {fiscal_year_label}",
        x_title="Progress from baseline to target (%)",
    )
