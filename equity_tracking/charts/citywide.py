"""Figures for the citywide overview."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from equity_tracking.analytics.states import HEALTH, HEALTH_ORDER
from equity_tracking.charts.style import heatmap, horizontal_bars, state_counts_bar
from equity_tracking.dashboards.citywide import REPORTING
from equity_tracking.formatting import percent

SOURCE = "bureau performance measures reported to the Office of Equity and Human Rights"


def goal_health_chart(counts: dict[str, int], *, goal_number: int, fiscal_year_label: str) -> go.Figure:
    return state_counts_bar(
        counts,
        styles=HEALTH,
        order=HEALTH_ORDER,
        title=f"Goal {goal_number}: measures by health, {fiscal_year_label}",
        source=SOURCE,
        x_title="Number of measures",
    )


def heatmap_chart(frame: pd.DataFrame, *, fiscal_year_label: str) -> go.Figure:
    return heatmap(
        frame,
        x="Goal",
        y="Bureau",
        z="progress_pct",
        text="text",
        title=f"Progress to target by bureau and citywide goal, {fiscal_year_label}",
        source=SOURCE,
        x_title="Citywide goal",
        y_title="Bureau",
        colourbar_title="Progress (%)",
    )


def reporting_chart(reporting: pd.DataFrame, *, fiscal_year_label: str) -> go.Figure:
    frame = reporting.copy()
    frame["colour"] = frame["reporting"].map(lambda key: REPORTING[key].colour)
    frame["bar_text"] = frame["freshness_pct"].map(percent) + " · " + frame["Reporting"]
    frame["hover"] = (
        frame["name"] + "<br>last reported: " + frame["last_reported"] + "<br>" + frame["Reporting"]
    )
    return horizontal_bars(
        frame,
        category="name",
        value="freshness_pct",
        text="bar_text",
        colour="colour",
        hover="hover",
        title=f"Reporting freshness by bureau, {fiscal_year_label}",
        source=SOURCE,
        x_title="Measures and actions updated on time (%)",
    )


def page_figures(
    *, goal_health: pd.DataFrame, heatmap: pd.DataFrame, reporting: pd.DataFrame, fiscal_year_label: str
) -> dict[str, go.Figure]:
    """Every figure of the overview, by chart key (the page caches them per fiscal year)."""
    figures = {
        f"goal-health-{number}": goal_health_chart(
            dict(zip(counts["state"], counts["Measures"], strict=True)),
            goal_number=int(number),
            fiscal_year_label=fiscal_year_label,
        )
        for number, counts in goal_health.groupby("number")
    }
    figures["heatmap"] = heatmap_chart(heatmap, fiscal_year_label=fiscal_year_label)
    figures["reporting"] = reporting_chart(reporting, fiscal_year_label=fiscal_year_label)
    return figures
