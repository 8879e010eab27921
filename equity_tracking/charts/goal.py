"""Figures for the citywide-goal page, from the shared chart stack: the bureaus' contributions ranked,
the health of the goal's measures, and progress by focus area and by strategy."""

from __future__ import annotations

import pandas as pd

from equity_tracking.charts.style import MEASURES_SOURCE as SOURCE
from equity_tracking.charts.style import Chart, escaped, progress_bars
from equity_tracking.dashboards.common import bar_label, goals_text, ranked_labels


def contributions_chart(contributions: pd.DataFrame, *, goal_number: int, fiscal_year_label: str) -> Chart:
    """The bureaus ranked by mean progress of their goals under one citywide goal."""
    data = contributions.assign(name=escaped(contributions["name"]))
    data["label"] = ranked_labels(data)
    figure = progress_bars(data, label="label", x_title="Mean progress to target (%)")
    return Chart(figure, f"Goal {goal_number}: bureaus ranked by progress, {fiscal_year_label}", SOURCE)


def breakdown_chart(frame: pd.DataFrame, *, by: str, goal_number: int, fiscal_year_label: str) -> Chart:
    """Progress of a citywide goal's bureau goals by focus area or strategy."""
    data = frame.copy()
    data["label"] = [
        bar_label(name, goals_text(n)) for name, n in zip(escaped(data["name"]), data["n_goals"], strict=True)
    ]
    figure = progress_bars(
        data,
        label="label",
        x_title="Mean progress to target (%)",
        missing=["no bureau goals here" if n == 0 else "no progress to report yet" for n in data["n_goals"]],
    )
    return Chart(figure, f"Goal {goal_number}: progress by {by}, {fiscal_year_label}", SOURCE)
