"""Figures for the bureau page, from the shared chart stack: measures by health under each goal, and
each group's share against the benchmark population."""

from __future__ import annotations

import pandas as pd

from equity_tracking.analytics.states import HEALTH, HEALTH_ORDER, PALETTE
from equity_tracking.charts.style import MEASURES_SOURCE as SOURCE
from equity_tracking.charts.style import Chart, escaped, paired_bars, stacked_rows
from equity_tracking.formatting import percent
from equity_tracking.suppression import HIDDEN_LABEL


def goal_health_chart(frame: pd.DataFrame, *, fiscal_year_label: str) -> Chart:
    """One stacked bar per goal: its measures by health (``frame`` is ``bureau.goal_health``)."""
    goals = list(dict.fromkeys(frame["Goal"]))
    segments = []
    for state in HEALTH_ORDER:
        part = frame[frame["state"] == state].set_index("Goal")["Measures"].reindex(goals).fillna(0)
        if part.sum():
            style = HEALTH[state]
            segments.append(
                (f"{style.icon} {style.label}", part.astype(int).tolist(), style.icon, style.colour)
            )
    figure = stacked_rows(escaped(goals), segments, x_title="Number of measures")
    return Chart(figure, f"Measures by health under each goal, {fiscal_year_label}", SOURCE)


def shares_chart(rows: pd.DataFrame, *, measure_name: str, benchmark_name: str | None, period: str) -> Chart:
    """Each group's share (of people or dollars) beside its share of the benchmark population;
    hidden figures are written as such, never drawn as zero."""
    measure_share = rows["share_pct"].where(~rows["hidden"])
    series = [
        (
            f"Share of {measure_name.lower()}",
            measure_share,
            [
                HIDDEN_LABEL if hidden else percent(value)
                for hidden, value in zip(rows["hidden"], rows["share_pct"], strict=True)
            ],
            PALETTE["blue"],
        )
    ]
    if benchmark_name is not None and rows["benchmark_pct"].notna().any():
        series.append(
            (
                f"Share of {benchmark_name}",
                rows["benchmark_pct"],
                [percent(value) for value in rows["benchmark_pct"]],
                PALETTE["orange"],
            )
        )
    figure = paired_bars(
        escaped(rows["group"]),
        [(name, values, texts, colour) for name, values, texts, colour in series],
        x_title="Share (%)",
    )
    subject = measure_name if "race" in measure_name.lower() else f"{measure_name} by race/ethnicity"
    against = f", against {benchmark_name}" if benchmark_name else ""
    return Chart(
        figure,
        f"{subject}{against}, {period}",
        SOURCE + (f"; benchmark: {benchmark_name}" if benchmark_name else ""),
    )
