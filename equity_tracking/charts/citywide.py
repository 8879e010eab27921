"""Figures for the citywide overview, from the shared chart stack."""

from __future__ import annotations

import pandas as pd

from equity_tracking.charts.style import MEASURES_SOURCE as SOURCE
from equity_tracking.charts.style import Chart, escaped, health_chart, heatmap, labelled_bars
from equity_tracking.dashboards.citywide import REPORTING
from equity_tracking.formatting import percent


def goal_health_chart(counts: dict[str, int], *, goal_number: int, fiscal_year_label: str) -> Chart:
    """One citywide goal's measures by health."""
    return health_chart(counts, title=f"Goal {goal_number}: measures by health, {fiscal_year_label}")


def grid_chart(grid: pd.DataFrame, *, fiscal_year_label: str) -> Chart:
    data = grid.assign(Bureau=escaped(grid["Bureau"]))
    figure = heatmap(
        data,
        x="Goal",
        y="Bureau",
        z="progress_pct",
        text="text",
        x_title="Citywide goal",
        colourbar_title="Progress (%)",
    )
    return Chart(figure, f"Progress to target by bureau and citywide goal, {fiscal_year_label}", SOURCE)


def reporting_chart(table: pd.DataFrame, *, fiscal_year_label: str) -> Chart:
    """Each bureau's share of due measures reported, its reporting state written with its name (on a
    line of its own, so a phone never cuts it off)."""
    frame = table.copy()
    frame["label"] = [
        f"{name} · {state}" for name, state in zip(escaped(frame["name"]), frame["Reporting"], strict=True)
    ]
    frame["colour"] = frame["reporting"].map(lambda key: REPORTING[key].colour)
    frame["bar_text"] = frame["reported_pct"].map(percent).where(frame["measures_due"] > 0, "nothing due")
    frame["hover"] = frame["label"] + "<br>last value for " + frame["last_reported"]
    figure = labelled_bars(
        frame, label="label", value="reported_pct", text="bar_text", colour="colour", hover="hover",
        x_title="Share of the measures due that were reported (%)",
    )  # fmt: skip
    return Chart(figure, f"Measures reported by each bureau, {fiscal_year_label}", SOURCE)
