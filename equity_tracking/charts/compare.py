"""Figures for comparing bureaus on a focus area or on a measure, from the shared chart stack."""

from __future__ import annotations

import pandas as pd

from equity_tracking.analytics.states import HEALTH
from equity_tracking.charts.style import MEASURES_SOURCE as SOURCE
from equity_tracking.charts.style import Chart, escaped, labelled_bars, progress_bars
from equity_tracking.dashboards.common import bar_label, ranked_labels
from equity_tracking.dashboards.compare import unit_word

TICKS = {"dollars": {"tickprefix": "$"}, "percent": {"ticksuffix": " %"}}


def focus_chart(comparison: pd.DataFrame, *, focus_name: str, fiscal_year_label: str) -> Chart:
    """Bureaus ranked by the mean progress of their goals in one focus area."""
    data = comparison.assign(name=escaped(comparison["name"]))
    data["label"] = ranked_labels(data)
    figure = progress_bars(data, label="label", x_title="Mean progress to target (%)")
    return Chart(figure, f"{focus_name}: bureaus ranked by progress, {fiscal_year_label}", SOURCE)


def value_chart(part: pd.DataFrame, *, name: str, unit: str, fiscal_year_label: str) -> Chart:
    """Each bureau's latest value of one measure (bars) and its target (a black tick)."""
    data = part.assign(label=escaped(part["label"]))
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
    if unit == "percent":
        high = min(high, 100.0)  # a percentage axis stops at 100
    figure = labelled_bars(
        data,
        label="label",
        value="current_value",
        text="bar_text",
        hover="hover",
        target="target_value",
        target_text="target_hover",
        value_name="Latest value",
        x_title=f"Latest value ({unit_word(unit)})",
        x_range=(low, high or 1.0),
        x_axis=TICKS.get(unit),
    )
    return Chart(figure, f"{name}, {fiscal_year_label}", SOURCE)


def measure_progress_chart(comparison: pd.DataFrame, *, name: str, fiscal_year_label: str) -> Chart:
    """Each bureau's progress to target on one measure, coloured and labelled by health."""
    data = comparison.assign(label=escaped(comparison["label"]))
    data["label"] = [bar_label(row.label, row.health_text) for row in data.itertuples()]
    data["colour"] = data["health"].map(lambda state: HEALTH[state].colour)
    figure = progress_bars(
        data, label="label", colour="colour", x_title="Progress from baseline to target (%)"
    )
    return Chart(figure, f"{name}: progress to target, {fiscal_year_label}", SOURCE)
