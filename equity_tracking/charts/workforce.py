"""Figures for the workforce representation page, from the shared chart stack."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from equity_tracking.analytics.states import CATEGORICAL_COLOURS, PALETTE
from equity_tracking.charts.style import Chart, escaped, house_layout, labelled_bars, paired_bars
from equity_tracking.dashboards.common import fiscal_year_key
from equity_tracking.dashboards.workforce import hidden_every_year
from equity_tracking.formatting import index, percent
from equity_tracking.suppression import HIDDEN_LABEL

SOURCE = "bureaus' headcounts by race/ethnicity"


def _source(benchmark: str) -> str:
    return f"{SOURCE}; residents: {benchmark}"


SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "cross", "star", "triangle-down", "hexagon")
DASHES = ("solid", "dot", "dash", "longdash", "dashdot", "longdashdot")


def city_year_chart(rows: pd.DataFrame, *, fiscal_year_label: str, benchmark: str) -> Chart:
    """Each group's share of the city's workforce beside its share of the residents."""
    hidden = rows["suppressed"].astype(bool)
    share = (rows["share"] * 100).where(~hidden)
    figure = paired_bars(
        escaped(rows["group"]),
        [
            (
                "City workforce",
                share,
                [HIDDEN_LABEL if h else percent(v) for v, h in zip(share, hidden, strict=True)],
                PALETTE["blue"],
            ),
            (
                "Residents",
                rows["benchmark_share"] * 100,
                [percent(v * 100) for v in rows["benchmark_share"]],
                PALETTE["orange"],
            ),
        ],
        x_title="Share (%)",
    )
    return Chart(
        figure, f"The city's workforce against its residents, {fiscal_year_label}", _source(benchmark)
    )


def city_trend_chart(over_time: pd.DataFrame, *, benchmark: str) -> Chart:
    """Each group's share of the city's workforce year by year: one line per group (its own colour,
    marker and dash); a hidden year leaves a gap, and a group hidden in every year is left out of
    the chart (its table says so)."""
    layout = house_layout(x_title="Fiscal year", y_title="Share (%)", height=420, legend_rows=5)
    figure = go.Figure(layout=layout)
    groups = over_time.drop_duplicates("group").sort_values("sort_order")["group"].tolist()
    never_shown = set(hidden_every_year(over_time))
    for position, group in enumerate(groups):  # colours keep their group whoever is left out
        if group in never_shown:
            continue
        part = over_time[over_time["group"] == group]
        figure.add_trace(
            go.Scatter(
                x=[fiscal_year_key(int(year)) for year in part["fiscal_year"]],
                y=part["share_pct"].where(~part["hidden"]),
                mode="lines+markers",
                name=escaped([group])[0],
                line={
                    "color": CATEGORICAL_COLOURS[position % len(CATEGORICAL_COLOURS)],
                    "dash": DASHES[position % len(DASHES)],
                    "width": 2,
                },
                marker={"symbol": SYMBOLS[position % len(SYMBOLS)], "size": 8},
                connectgaps=False,
                hovertemplate="%{x}: %{y:.1f} %<extra>" + escaped([group])[0] + "</extra>",
            )
        )
    top = (
        float(np.nanmax(over_time["share_pct"].to_numpy(float)))
        if over_time["share_pct"].notna().any()
        else 100.0
    )
    figure.update_yaxes(range=[0, min(100.0, top * 1.15 + 1)])
    figure.update_xaxes(type="category")
    return Chart(figure, "Each group's share of the city's workforce, year by year", _source(benchmark))


def bureaus_chart(rows: pd.DataFrame, *, group: str, fiscal_year_label: str, benchmark: str) -> Chart:
    """Bureaus ranked by their representation index for one group, with parity (1.0) marked."""
    data = rows.assign(label=escaped(rows["name"]))
    hidden = data["suppressed"].astype(bool)
    data["value"] = data["index"].where(~hidden)
    data["text"] = [HIDDEN_LABEL if h else index(v) for v, h in zip(data["index"], hidden, strict=True)]
    data["parity"] = 1.0
    data["parity_text"] = "Parity: 1.00"
    top = max(float(data["value"].max()) if data["value"].notna().any() else 1.0, 1.0)
    figure = labelled_bars(
        data,
        label="label",
        value="value",
        text="text",
        x_title="Representation index (1.0 = parity)",
        x_range=(0, top * 1.05),
        target="parity",
        target_text="parity_text",
        target_name="Parity (1.0)",
        value_name="Representation index",
    )
    return Chart(
        figure, f"{group}: each bureau's representation index, {fiscal_year_label}", _source(benchmark)
    )
