"""The one chart stack: the house style and the generic figures every page builds its charts from.

Owns what every figure shares: no title inside the plot (a chart's title is written above it as
page text, so it wraps to whatever width the reader has), axes with units, the colour-blind-safe
Okabe–Ito palette with every state also written as icon + label, percentage axes that stop at 100,
no toolbar, and text that reads at a phone's width (category names on a line of their own above
their bar, never cut off with "…"). Page chart modules only choose data and words.

Every string that reaches a figure from the database passes :func:`~equity_tracking.formatting.plain`
first: plotly reads ``<a href>`` and ``<b>`` in chart text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import get_colorscale, sample_colorscale

from equity_tracking.analytics.states import CATEGORICAL_COLOURS, HEALTH, HEALTH_ORDER, PALETTE, StateStyle
from equity_tracking.formatting import plain

FONT = "Source Sans Pro, Helvetica Neue, Arial, sans-serif"
TEXT_COLOUR = "#1B1F24"
GRID_COLOUR = "#E3E7ED"
# No toolbar: its buttons are eight tab stops per chart for nothing a reader needs (the data table
# and download sit under every chart).
PLOTLY_CONFIG = {"displayModeBar": False, "responsive": True, "scrollZoom": False}

# Labelled bars: each row's name on a line of its own (one, or two when longer than fits a 390 px
# phone: some 46 characters of 13 px text), then its bar, then a gap. The y axis counts pixels.
LINE_PX, BAR_PX, GAP_PX = 17, 20, 13
TOP_PAD_PX = 6
LABEL_CHARS = 46
LEGEND_PX = 28
RIGHT_PX = 96  # room after a full-length bar for the value written there ("100.0 %", "$1,250,000")
MEASURES_SOURCE = "bureau performance measures reported to the Office of Equity and Human Rights"
HEATMAP_SCALE = "Cividis"  # reads the same with and without colour-vision deficiency


@dataclass(frozen=True)
class Chart:
    """A figure and the words around it: its title (written above it) and its source (under it)."""

    figure: go.Figure
    title: str
    source: str


def wrap(text: str, width: int) -> str:
    """``text`` broken into lines of at most about ``width`` characters with ``<br>`` (plotly's line
    break), preferring to break after " · ", else at a space; never cut short (a single word longer
    than the width stays whole)."""
    text = str(text)
    lines = []
    while len(text) > width:
        cut, skip = text.rfind(" · ", 0, width + 1), 3
        if cut <= 0:
            cut, skip = text.rfind(" ", 0, width + 1), 1
        if cut <= 0:
            break
        lines.append(text[:cut])
        text = text[cut + skip :]
    lines.append(text)
    return "<br>".join(lines)


def _axis(title: str | None, **extra: object) -> dict:
    return {
        "title": {"text": title},
        "gridcolor": GRID_COLOUR,
        "showline": True,
        "linecolor": "#444B55",
        "ticks": "outside",
        "automargin": True,
        "zeroline": False,
        "fixedrange": True,  # no accidental zoom on a phone
        **extra,
    }


def house_layout(
    *,
    x_title: str | None = None,
    y_title: str | None = None,
    height: int | None = None,
    show_legend: bool = True,
    legend_rows: int = 1,
    xaxis: dict | None = None,
    yaxis: dict | None = None,
) -> dict:
    """The layout every figure shares, on plotly's bare "none" template: readable fonts, the
    palette, and a legend at the bottom edge with room for ``legend_rows`` rows on a phone.

    Built as one dict and given to ``go.Figure`` at construction: plotly's named templates are
    deep-copied and validated on every use, and piecemeal ``update_*`` calls re-validate.
    """
    bottom = 48 + (22 * legend_rows + 8 if show_legend else 0)
    return {
        "template": "none",
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "font": {"family": FONT, "size": 13, "color": TEXT_COLOUR},
        "colorway": list(CATEGORICAL_COLOURS),
        "margin": {"l": 8, "r": 16, "t": 12, "b": bottom},
        # At the bottom edge of the figure (not below the plot, where a tall plot would push it off).
        "legend": {
            "orientation": "h",
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
            "xref": "container",
            "x": 0,
            "title": {"text": ""},
            "traceorder": "normal",
        },
        "showlegend": show_legend,
        "hoverlabel": {"font": {"family": FONT}},
        "height": height,
        "xaxis": _axis(x_title, **(xaxis or {})),
        "yaxis": _axis(y_title, **(yaxis or {})),
    }


# --- labelled bars: every bar chart of the tracker ----------------------------------------------------


def labelled_bars(
    frame: pd.DataFrame,
    *,
    label: str,
    value: str,
    text: str,
    x_title: str,
    colour: str | None = None,
    hover: str | None = None,
    x_range: Sequence[float] | None = (0, 100),
    target: str | None = None,
    target_text: str | None = None,
    target_name: str = "Target",
    value_name: str = "Value",
    x_axis: Mapping[str, object] | None = None,
) -> go.Figure:
    """One bar per row, in the frame's order from the top, each with its ``label`` written above it
    and its ``text`` after its end (after the target, when that lies further right); a row without a
    value gets no bar but keeps its text (e.g. "no data"). ``colour`` names a column of hex colours;
    ``target`` a column of targets, drawn as a black tick across the bar (in the legend as
    ``target_name``);
    ``x_axis`` adds plotly x-axis settings (e.g. a ``tickprefix`` of "$"). Labels, texts and hover
    texts are written as given: callers pass text from the database through ``plain`` first.

    Built from plain dicts on the house layout, without plotly's per-property validation
    (``_validate=False``): the traces here are fixed and simple, and validating them would take
    longer than the rest of a page run.
    """
    count = len(frame)
    values = pd.to_numeric(frame[value], errors="coerce").astype(float)
    hover_text = frame[hover] if hover else frame[label] + ": " + frame[text]
    start = float(x_range[0]) if x_range is not None else 0.0
    labels = [wrap(name, LABEL_CHARS) for name in frame[label]]
    label_y, bar_y, cursor = [], [], TOP_PAD_PX
    for name in labels:
        cursor += LINE_PX * (name.count("<br>") + 1)
        label_y.append(cursor)
        bar_y.append(cursor + 3 + BAR_PX / 2)
        cursor += 3 + BAR_PX + GAP_PX
    ends = values.fillna(start)
    targets = None
    if target is not None:
        targets = pd.to_numeric(frame[target], errors="coerce").astype(float)
        ends = pd.concat([ends, targets], axis=1).max(axis=1)
    traces = [
        {
            "type": "bar",
            "orientation": "h",
            "x": values.fillna(start).tolist(),
            "y": bar_y,
            "width": BAR_PX,
            "marker": {"color": frame[colour].tolist() if colour else PALETTE["blue"]},
            "hovertext": [str(item) for item in hover_text],
            "hoverinfo": "text",
            "name": value_name,
            "showlegend": target is not None,
        },
        _text_trace(ends.tolist(), bar_y, [f" {item}" for item in frame[text]], "middle right"),
        # "top right": the label's bottom edge sits at its y, just above its bar.
        _text_trace([start] * count, label_y, labels, "top right"),
    ]
    legend_px = 0
    if targets is not None:
        legend_px = LEGEND_PX
        keep = targets.notna().to_numpy()
        words = frame[target_text] if target_text else targets.map(str)
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": targets[keep].tolist(),
                "y": [position for position, kept in zip(bar_y, keep, strict=True) if kept],
                "marker": {
                    "symbol": "line-ns",
                    "size": 22,
                    "color": PALETTE["black"],
                    "line": {"width": 3, "color": PALETTE["black"]},
                },
                "name": target_name,
                "hovertext": [str(item) for item in words[keep]],
                "hoverinfo": "text",
                "cliponaxis": False,
            }
        )
    plot_px = max(cursor, LINE_PX + BAR_PX + GAP_PX)
    layout = house_layout(x_title=x_title, height=plot_px + 60 + legend_px, show_legend=False)
    layout["margin"] = {"l": 8, "r": RIGHT_PX, "t": 8 + legend_px, "b": 52}
    layout["showlegend"] = targets is not None
    layout["legend"] = {"orientation": "h", "x": 0, "xanchor": "left", "y": 1, "yanchor": "bottom"}
    layout["yaxis"] = {
        **layout["yaxis"],
        "range": [plot_px, 0],
        "showticklabels": False,
        "showgrid": False,
        "showline": False,
        "ticks": "",
        "zeroline": False,
    }
    layout["xaxis"] = {**layout["xaxis"], "showgrid": True, "zeroline": True}
    if x_range is not None:
        layout["xaxis"]["range"] = [float(bound) for bound in x_range]
    layout["xaxis"].update(x_axis or {})
    return go.Figure(data=traces, layout=layout, _validate=False)


def _text_trace(x: list, y: list, text: list, position: str) -> dict:
    return {
        "type": "scatter",
        "mode": "text",
        "x": x,
        "y": y,
        "text": text,
        "textposition": position,
        "textfont": {"size": 13, "color": TEXT_COLOUR},
        "hoverinfo": "skip",
        "showlegend": False,
        "cliponaxis": False,
    }


def progress_bars(
    frame: pd.DataFrame,
    *,
    label: str,
    x_title: str,
    colour: str | None = None,
    missing: str | Sequence[str] = "no progress to report yet",
) -> go.Figure:
    """Progress 0–100 % per row (``progress_pct``, ``progress_text``); ``missing`` (words, or words
    per row) where there is none."""
    data = frame.copy()
    missing_text = pd.Series(missing, index=data.index) if not isinstance(missing, str) else missing
    data["bar_text"] = data["progress_text"].where(data["progress_pct"].notna(), missing_text)
    data["hover"] = data[label] + "<br>" + data["bar_text"]
    return labelled_bars(
        data,
        label=label,
        value="progress_pct",
        text="bar_text",
        hover="hover",
        colour=colour,
        x_title=x_title,
    )


def state_bars(
    counts: Mapping[str, int], *, styles: Mapping[str, StateStyle], order: Sequence[str], x_title: str
) -> go.Figure:
    """Counts by state (e.g. measures by health) as labelled bars, "✓ On track" above a bar of its
    count; states with no count are left off (a reader looks for what is there)."""
    states = [state for state in order if state in styles and int(counts.get(state, 0)) > 0]
    frame = pd.DataFrame(
        {
            "label": [f"{styles[state].icon} {styles[state].label}" for state in states],
            "count": [int(counts[state]) for state in states],
            "colour": [styles[state].colour for state in states],
        }
    )
    frame["text"] = frame["count"].map("{:,}".format)
    top = max(int(frame["count"].max()) if len(frame) else 0, 1)
    return labelled_bars(
        frame, label="label", value="count", text="text", colour="colour", x_title=x_title, x_range=(0, top)
    )


def health_chart(counts: Mapping[str, int], *, title: str) -> Chart:
    """Measures by health, one bar per state that has any, labelled "✓ On track" with its count."""
    figure = state_bars(counts, styles=HEALTH, order=HEALTH_ORDER, x_title="Number of measures")
    return Chart(figure, title, MEASURES_SOURCE)


def stacked_rows(
    rows: Sequence[str],
    segments: Sequence[tuple[str, Sequence[int], str, str]],
    *,
    x_title: str,
) -> go.Figure:
    """One stacked bar per row (e.g. a goal's measures by health), each row's name on a line of its
    own above its bar. ``segments`` is (name, counts per row, short text, colour): each piece of a bar
    is written with its short text and count ("✓ 3"), so it reads without colour, and the legend
    names every piece in full."""
    labels = [wrap(row, LABEL_CHARS) for row in rows]
    label_y, bar_y, cursor = [], [], TOP_PAD_PX
    for name in labels:
        cursor += LINE_PX * (name.count("<br>") + 1)
        label_y.append(cursor)
        bar_y.append(cursor + 3 + BAR_PX / 2)
        cursor += 3 + BAR_PX + GAP_PX
    traces: list[dict] = []
    totals = np.zeros(len(rows))
    for name, counts, short, colour in segments:
        counts_array = np.asarray(counts, dtype=float)
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "x": counts_array.tolist(),
                "y": bar_y,
                "width": BAR_PX,
                "name": name,
                "marker": {"color": colour, "line": {"color": "#FFFFFF", "width": 1}},
                "text": [f"{short} {int(count)}" if count else "" for count in counts_array],
                "textposition": "inside",
                "insidetextanchor": "middle",
                "textangle": 0,
                # Black reads on every palette colour but the dark blue (at least 4.5 : 1).
                "textfont": {"color": readable_on(colour), "size": 12},
                "hovertext": [
                    f"{row}<br>{name}: {int(count)}" for row, count in zip(rows, counts_array, strict=True)
                ],
                "hoverinfo": "text",
            }
        )
        totals += counts_array
    traces.append(_text_trace([0.0] * len(rows), label_y, labels, "top right"))
    plot_px = max(cursor, LINE_PX + BAR_PX + GAP_PX)
    legend_rows = (len(segments) + 1) // 2
    layout = house_layout(x_title=x_title, height=plot_px + 60 + 22 * legend_rows, legend_rows=legend_rows)
    layout.update(barmode="stack", uniformtext={"minsize": 10, "mode": "hide"})
    layout["yaxis"] = {
        **layout["yaxis"],
        "range": [plot_px, 0],
        "showticklabels": False,
        "showgrid": False,
        "showline": False,
        "ticks": "",
    }
    layout["xaxis"] = {**layout["xaxis"], "range": [0, max(float(totals.max(initial=0)), 1.0)]}
    layout["margin"]["r"] = 24
    return go.Figure(data=traces, layout=layout, _validate=False)


def paired_bars(
    labels: Sequence[str],
    series: Sequence[tuple[str, pd.Series, Sequence[str], str]],
    *,
    x_title: str,
    x_max: float = 100.0,
) -> go.Figure:
    """Two or more bars per category, side by side (e.g. a group's share of a workforce beside its
    share of the city's residents): ``series`` is (name, values, texts written after each bar,
    colour). Categories are wrapped onto lines of their own above their bars; a missing value draws
    no bar but keeps its text (e.g. "hidden")."""
    rows = len(labels) * len(series)
    traces = [
        go.Bar(
            x=pd.to_numeric(values, errors="coerce").fillna(0).to_numpy(),
            y=[wrap(label, 22) for label in labels],
            orientation="h",
            name=name,
            marker={"color": colour},
            text=list(texts),
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{text}<extra>" + name.replace("%", "%%") + "</extra>",
        )
        for name, values, texts, colour in series
    ]
    layout = house_layout(
        x_title=x_title,
        height=80 + max(19 * rows + 12 * len(labels), 40 * len(labels)) + 24 * len(series),
        legend_rows=len(series),
        xaxis={"range": [0, x_max]},
        yaxis={"autorange": "reversed", "type": "category", "automargin": True},
    )
    layout["margin"]["r"] = RIGHT_PX
    layout.update(barmode="group", bargap=0.22, bargroupgap=0.04)
    return go.Figure(traces, layout=layout)


# --- the grid -------------------------------------------------------------------------------------


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def readable_on(background: str) -> str:
    """Black or white, whichever reads better on ``background``."""
    return "#000000" if contrast("#000000", background) >= contrast("#FFFFFF", background) else "#FFFFFF"


def _to_hex(colour: str) -> str:
    if colour.startswith("#"):
        return colour
    channels = [
        round(float(part)) for part in colour[colour.index("(") + 1 : colour.index(")")].split(",")[:3]
    ]
    return "#" + "".join(f"{channel:02X}" for channel in channels)


def heatmap(
    frame: pd.DataFrame, *, x: str, y: str, z: str, text: str, x_title: str, colourbar_title: str
) -> go.Figure:
    """A grid with every cell's value written in it, in black or white, whichever reads better on
    the cell's colour (at least 4.5 : 1 on the whole scale); an empty cell reads "—"."""
    grid = frame.pivot(index=y, columns=x, values=z)
    labels = frame.pivot(index=y, columns=x, values=text).reindex_like(grid).fillna("—")
    values = grid.to_numpy(float)
    scale = get_colorscale(HEATMAP_SCALE)
    cell_colours = np.full(values.shape, "#FFFFFF", dtype=object)
    known = np.isfinite(values)
    cell_colours[known] = [
        _to_hex(colour) for colour in sample_colorscale(scale, np.clip(values[known], 0, 100) / 100)
    ]
    columns, rows = [str(column) for column in grid.columns], [str(row) for row in grid.index]
    cells = go.Heatmap(
        z=values,
        x=columns,
        y=rows,
        colorscale=HEATMAP_SCALE,
        zmin=0,
        zmax=100,
        colorbar={"title": {"text": colourbar_title}},
        hoverinfo="skip",
        xgap=2,
        ygap=2,
    )
    # The numbers as a scatter of text over the cells: each can have its own colour.
    xs, ys = np.meshgrid(np.arange(len(columns)), np.arange(len(rows)))
    words = go.Scatter(
        x=[columns[i] for i in xs.ravel()],
        y=[rows[j] for j in ys.ravel()],
        mode="text",
        text=labels.to_numpy().ravel().tolist(),
        textfont={"color": [readable_on(colour) for colour in cell_colours.ravel()], "size": 13},
        hovertext=[
            f"{row}<br>{column}: {label}"
            for row, column, label in zip(
                [rows[j] for j in ys.ravel()],
                [columns[i] for i in xs.ravel()],
                labels.to_numpy().ravel(),
                strict=True,
            )
        ],
        hoverinfo="text",
        showlegend=False,
    )
    layout = house_layout(
        x_title=x_title,
        height=80 + 28 * max(len(grid), 1),
        show_legend=False,
        xaxis={"side": "top", "type": "category"},
        yaxis={"autorange": "reversed", "type": "category"},
    )
    layout["margin"] = {"l": 8, "r": 16, "t": 56, "b": 16}
    return go.Figure([cells, words], layout=layout)


def escaped(values: Sequence[object]) -> list[str]:
    """Text from the database, ready for a figure (:func:`~equity_tracking.formatting.plain`)."""
    return [plain(value) for value in values]
