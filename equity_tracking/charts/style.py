"""The house style and the generic figures several dashboards share."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from equity_tracking.analytics.states import CATEGORICAL_COLOURS, PALETTE

FONT = "Source Sans Pro, Helvetica Neue, Arial, sans-serif"
TEXT_COLOUR = "#1B1F24"
GRID_COLOUR = "#E3E7ED"
BAR_HEIGHT_PX = 30  # per category on horizontal bar charts, so labels never overlap
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}


def wrap(text: str, width: int, *, max_lines: int | None = None) -> str:
    """``text`` broken into lines of at most about ``width`` characters, with ``<br>`` (plotly's
    line break) between them, preferring to break after " · ", else at a space (a single long word
    stays whole). With ``max_lines``, the last line kept ends in "…". Charts must stay readable on a
    390 px phone, where plotly neither wraps titles nor labels by itself."""
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
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
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
        **extra,
    }


def house_layout(
    *,
    title: str,
    source: str,
    x_title: str | None = None,
    y_title: str | None = None,
    height: int | None = None,
    show_legend: bool = True,
    xaxis: dict | None = None,
    yaxis: dict | None = None,
) -> dict:
    """The layout every figure shares: title, axis titles, a source note under the plot, readable
    fonts and the palette, on plotly's bare "none" template.

    Built as one dict and given to ``go.Figure`` at construction: plotly's named templates are
    deep-copied and validated on every use, and piecemeal ``update_*`` calls re-validate, which
    together cost ~50 ms a figure and made warm page runs slow.
    """
    return {
        "template": "none",
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        "font": {"family": FONT, "size": 13, "color": TEXT_COLOUR},
        "colorway": list(CATEGORICAL_COLOURS),
        "margin": {"l": 8, "r": 16, "t": 56, "b": 100},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0, "title": {"text": ""}},
        "showlegend": show_legend,
        "hoverlabel": {"font": {"family": FONT}},
        "height": height,
        "xaxis": _axis(x_title, **(xaxis or {})),
        "yaxis": _axis(y_title, **(yaxis or {})),
        "annotations": [
            {
                "text": f"Source: {source}",
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 0,
                "yshift": -76,
                "xanchor": "left",
                "yanchor": "top",
                "showarrow": False,
                "align": "left",  # a source note of several lines stays flush left
                "font": {"size": 11, "color": "#4A5360"},
            }
        ],
    }


def house_style(figure: go.Figure, **layout: object) -> go.Figure:
    """Apply :func:`house_layout` to a figure built elsewhere (slower than building with it)."""
    figure.update_layout(house_layout(**layout))
    return figure


def horizontal_bars(
    frame: pd.DataFrame,
    *,
    category: str,
    value: str,
    text: str,
    title: str,
    source: str,
    x_title: str,
    colour: str | None = None,
    hover: str | None = None,
    x_range: Sequence[float] | None = (0, 100),
) -> go.Figure:
    """One bar per row, in the frame's order from the top, with its value written at the bar's end.

    ``colour`` names a column of hex colours (e.g. each row's state colour); ``text`` a column of
    labels such as "56.5 % · ✓ On track", so the state is readable without the colour.
    """
    bar = go.Bar(
        x=frame[value],
        y=frame[category],
        orientation="h",
        text=frame[text],
        textposition="outside",
        cliponaxis=False,
        marker_color=frame[colour] if colour else PALETTE["blue"],
        hovertext=frame[hover] if hover else None,
        hoverinfo="text" if hover else "x+y",
    )
    # Room to the right of a full bar for its label.
    xaxis = {} if x_range is None else {"range": [x_range[0], x_range[1] * 1.25]}
    layout = house_layout(
        title=title,
        source=source,
        x_title=x_title,
        height=110 + BAR_HEIGHT_PX * max(len(frame), 1) + 100,
        show_legend=False,
        xaxis=xaxis,
        yaxis={"autorange": "reversed", "type": "category"},
    )
    return go.Figure(bar, layout=layout)


def state_counts_bar(
    counts: Mapping[str, int],
    *,
    styles: Mapping[str, object],
    order: Sequence[str],
    title: str,
    source: str,
    x_title: str,
) -> go.Figure:
    """Counts by state (e.g. measures by health) as labelled bars: "✓ On track" — 116."""
    rows = [
        {
            "state": f"{styles[key].icon} {styles[key].label}",
            "count": int(counts.get(key, 0)),
            "colour": styles[key].colour,
        }
        for key in order
        if key in styles
    ]
    frame = pd.DataFrame(rows)
    frame["text"] = frame["count"].map("{:,}".format)
    top = max(int(frame["count"].max()) if len(frame) else 0, 1)
    return horizontal_bars(
        frame,
        category="state",
        value="count",
        text="text",
        colour="colour",
        title=title,
        source=source,
        x_title=x_title,
        x_range=(0, top),
    )


def heatmap(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    z: str,
    text: str,
    title: str,
    source: str,
    x_title: str,
    y_title: str,
    colourbar_title: str,
) -> go.Figure:
    """A grid with every cell's value written in it; an empty cell reads "—".

    Cividis is a sequential scale designed to read the same with and without colour-vision
    deficiency; the numbers in the cells carry the meaning on their own.
    """
    grid = frame.pivot(index=y, columns=x, values=z)
    labels = frame.pivot(index=y, columns=x, values=text).reindex_like(grid).fillna("—")
    cells = go.Heatmap(
        z=grid.to_numpy(),
        x=[str(column) for column in grid.columns],
        y=[str(row) for row in grid.index],
        text=labels.to_numpy(),
        texttemplate="%{text}",
        colorscale="Cividis",
        zmin=0,
        zmax=100,
        colorbar={"title": {"text": colourbar_title}},
        hovertemplate=f"%{{y}}<br>%{{x}}: %{{text}}<extra>{colourbar_title}</extra>",
        xgap=2,
        ygap=2,
    )
    layout = house_layout(
        title=title,
        source=source,
        x_title=x_title,
        y_title=y_title,
        height=140 + 28 * max(len(grid), 1) + 100,
        show_legend=False,
        xaxis={"side": "top", "type": "category"},
        yaxis={"autorange": "reversed", "type": "category"},
    )
    return go.Figure(cells, layout=layout)
