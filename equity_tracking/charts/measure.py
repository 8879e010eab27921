"""Figures for the measure page, on the house layout: the turn-the-curve chart and the values by
race/ethnicity (one line per group, hidden values leaving a gap)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from equity_tracking.analytics.states import CATEGORICAL_COLOURS, PALETTE
from equity_tracking.charts.style import Chart, house_layout
from equity_tracking.dashboards.common import fiscal_year_key
from equity_tracking.dashboards.measure import UNIT_TITLES, Curve
from equity_tracking.formatting import plain

# Marker symbols and line dashes that tell the groups apart without colour.
SYMBOLS = (
    "circle", "square", "diamond", "triangle-up", "x",
    "cross", "star", "triangle-down", "hexagon", "pentagon",
)  # fmt: skip
DASHES = ("solid", "dot", "dash", "longdash", "dashdot", "longdashdot")
CURVE_HEIGHT_PX = 430
GROUP_HEIGHT_PX = 430
X_TITLE = "Fiscal year (value at the end of each period)"


def _fiscal_year_ticks(dates: pd.Series) -> tuple[list[pd.Timestamp], list[str]]:
    """One tick per fiscal year end (30 June) across the dates, labelled "2018-19" (short enough
    for five of them to sit side by side on a phone)."""
    dates = pd.to_datetime(dates.dropna())
    if dates.empty:
        return [], []
    first = dates.min().year - (1 if dates.min().month <= 6 else 0)
    last = dates.max().year - (1 if dates.max().month <= 6 else 0)
    years = range(first, last + 1)
    return [pd.Timestamp(year + 1, 6, 30) for year in years], [fiscal_year_key(year) for year in years]


def _x_axis(figure: go.Figure, dates: pd.Series) -> None:
    ticks, labels = _fiscal_year_ticks(dates)
    if ticks:
        pad = pd.Timedelta(days=120)
        figure.update_xaxes(
            type="date",
            tickvals=ticks,
            ticktext=labels,
            tickangle=0,
            tickfont={"size": 11},
            range=[min(ticks) - pad, max(ticks) + pad],
        )


def _custom(frame: pd.DataFrame) -> list[list[str]]:
    """(period label, value as written) for hover texts, the label escaped for plotly."""
    return [[plain(label), text] for label, text in zip(frame["label"], frame["text"], strict=True)]


def _shown_text(frame: pd.DataFrame, skip: pd.Series | None = None) -> list[str]:
    texts = frame["text"].tolist()
    if skip is None:
        return texts
    return ["" if date in set(skip) else text for date, text in zip(frame["period_end"], texts, strict=True)]


def turn_the_curve_chart(
    points: Curve, *, measure_name: str, unit: str, source: str, fiscal_year_label: str
) -> Chart:
    """Baseline, actual values, the expected path from baseline to target, the target, and the
    forecast (dashed). Each series has its own marker and line style as well as its colour, and
    the key values are written on the chart."""
    figure = go.Figure(
        layout=house_layout(
            x_title=X_TITLE, y_title=UNIT_TITLES.get(unit, unit), height=CURVE_HEIGHT_PX, legend_rows=3
        )
    )
    rising = (
        len(points.target)
        and len(points.baseline)
        and points.target["value"].iat[0] >= points.baseline["value"].iat[0]
    )
    if len(points.expected):
        figure.add_trace(
            go.Scatter(
                x=points.expected["period_end"],
                y=points.expected["value"],
                mode="lines+markers",
                name="Expected path",
                line={"color": PALETTE["grey"], "dash": "dot", "width": 2},
                marker={"symbol": "circle-open", "size": 7},
                customdata=_custom(points.expected),
                hovertemplate="Expected in %{customdata[0]}: %{customdata[1]}<extra></extra>",
            )
        )
    if len(points.actuals):
        texts = _shown_text(points.actuals, skip=points.baseline["period_end"])
        if len(points.actuals) > 6:  # many values: write only the latest
            texts = [""] * (len(texts) - 1) + texts[-1:]
        figure.add_trace(
            go.Scatter(
                x=points.actuals["period_end"],
                y=points.actuals["value"],
                mode="lines+markers+text",
                name="Actual",
                line={"color": PALETTE["blue"], "width": 3},
                marker={"symbol": "circle", "size": 8},
                text=texts,
                # Away from the line: it arrives from the lower left when rising, leaves to the lower
                # right when falling.
                textposition="top left" if rising else "top right",
                customdata=_custom(points.actuals),
                hovertemplate="%{customdata[0]}: %{customdata[1]}<extra>Actual</extra>",
            )
        )
    forecast_above = (
        len(points.forecast)
        and len(points.target)
        and points.forecast["value"].iat[-1] > points.target["value"].iat[0]
    )
    if len(points.forecast):
        figure.add_trace(
            go.Scatter(
                x=points.forecast["period_end"],
                y=points.forecast["value"],
                mode="lines+markers+text",
                name="Forecast",
                line={"color": PALETTE["orange"], "dash": "dash", "width": 2},
                marker={"symbol": ["circle", "diamond-open"], "size": [1, 11], "line": {"width": 2}},
                text=["", "Forecast " + points.forecast["text"].iat[-1]],
                textposition="top left" if forecast_above else "bottom left",
                customdata=_custom(points.forecast),
                hovertemplate="Forecast for %{customdata[0]}: %{customdata[1]}<extra></extra>",
            )
        )
    if len(points.baseline):
        figure.add_trace(
            go.Scatter(
                x=points.baseline["period_end"],
                y=points.baseline["value"],
                mode="markers+text",
                name="Baseline",
                marker={"symbol": "square", "size": 11, "color": PALETTE["black"]},
                text=["Baseline " + points.baseline["text"].iat[0]],
                # Away from the line, which leaves the baseline towards the target.
                textposition="bottom right" if rising else "top right",
                customdata=_custom(points.baseline),
                hovertemplate="Baseline, %{customdata[0]}: %{customdata[1]}<extra></extra>",
            )
        )
    if len(points.target):
        figure.add_trace(
            go.Scatter(
                x=points.target["period_end"],
                y=points.target["value"],
                mode="markers+text",
                name="Target",
                marker={"symbol": "star", "size": 15, "color": PALETTE["bluish_green"]},
                text=["Target " + points.target["text"].iat[0]],
                textposition="bottom left" if forecast_above else "top left",
                customdata=_custom(points.target),
                hovertemplate="Target for %{customdata[0]}: %{customdata[1]}<extra></extra>",
            )
        )
    frames = (points.actuals, points.baseline, points.target, points.expected, points.forecast)
    _x_axis(figure, pd.concat([frame["period_end"] for frame in frames]))
    values = pd.concat([frame["value"] for frame in frames]).dropna()
    if len(values):
        low, high = float(values.min()), float(values.max())
        pad = (high - low) * 0.2 or max(abs(high) * 0.1, 1.0)
        bottom = max(low - pad, 0.0) if low >= 0 else low - pad  # no negative axis for values never below 0
        top = high + pad
        if unit == "percent" and high <= 100:
            top = min(top, 100.0)  # a percentage axis stops at 100
        figure.update_yaxes(range=[bottom, top])
    figure.update_layout(hovermode="closest")
    return Chart(figure, f"{measure_name}: turning the curve, as of {fiscal_year_label}", source)


def group_chart(
    rows: pd.DataFrame, *, measure_name: str, unit: str, source: str, fiscal_year_label: str
) -> Chart:
    """One line per race/ethnicity group over the periods, each with its own colour, marker symbol
    and dash; hidden figures leave a gap.

    ``rows`` is :func:`~equity_tracking.dashboards.measure.group_values`."""
    groups = rows.drop_duplicates("group").sort_values("sort_order", kind="stable")["group"].tolist()
    # On a phone each group's name takes a row of the legend.
    figure = go.Figure(
        layout=house_layout(
            x_title=X_TITLE,
            y_title=UNIT_TITLES.get(unit, unit),
            height=GROUP_HEIGHT_PX,
            legend_rows=len(groups),
        )
    )
    for position, group in enumerate(groups):
        part = rows[rows["group"] == group]
        figure.add_trace(
            go.Scatter(
                x=part["period_end"],
                y=part["value"],
                mode="lines+markers",
                name=plain(group),
                line={
                    "color": CATEGORICAL_COLOURS[position % len(CATEGORICAL_COLOURS)],
                    "dash": DASHES[position % len(DASHES)],
                    "width": 2,
                },
                marker={"symbol": SYMBOLS[position % len(SYMBOLS)], "size": 8},
                connectgaps=False,
                customdata=list(
                    zip(part["period"], [plain(group)] * len(part), part["value_text"], strict=True)
                ),
                hovertemplate="%{customdata[0]}<br>%{customdata[1]}: %{customdata[2]}<extra></extra>",
            )
        )
    _x_axis(figure, rows["period_end"])
    figure.update_layout(hovermode="closest")
    if unit == "percent":
        figure.update_yaxes(rangemode="tozero", range=[0, 100] if rows["value"].max() > 50 else None)
    subject = measure_name if "race" in measure_name.lower() else f"{measure_name} by race/ethnicity"
    return Chart(figure, f"{subject}, as of {fiscal_year_label}", source)


def page_figures(page, *, fiscal_year_label: str) -> dict[str, Chart]:
    """The figures of a :class:`~equity_tracking.dashboards.measure.MeasurePage`, by chart key:
    "curve" when there is anything to draw, "groups" when there are values by group."""
    name, unit = str(page.measure["name"]), str(page.measure["unit"])
    figures = {}
    if page.n_values or len(page.curve.expected):
        figures["curve"] = turn_the_curve_chart(
            page.curve, measure_name=name, unit=unit, source=page.source, fiscal_year_label=fiscal_year_label
        )
    if len(page.groups):
        figures["groups"] = group_chart(
            page.groups, measure_name=name, unit=unit, source=page.source, fiscal_year_label=fiscal_year_label
        )
    return figures
