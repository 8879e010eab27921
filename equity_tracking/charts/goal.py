"""Figures for the citywide-goal page, and the labelled bar chart the comparison page shares.

Ranked bars carry their category's name on a line of its own above the bar (not as a y-axis tick
label), so a long bureau name stays whole and the bars keep the chart's full width on a 390 px phone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from equity_tracking.analytics.states import HEALTH, HEALTH_ORDER, PALETTE
from equity_tracking.charts.style import TEXT_COLOUR, house_layout, wrap
from equity_tracking.dashboards.goal import bar_label, goals_text, ranked_labels

# Two lines, so that the note fits a 390 px phone.
SOURCE = "bureau performance measures reported to<br>the Office of Equity and Human Rights"
# The y axis counts pixels, so every row is exactly as tall as it needs: its label (one line, or two
# when longer than fits a phone: a 390 px screen leaves some 350 px, about 46 characters of 13 px
# text), then its bar, then a gap.
LINE_PX, BAR_PX, GAP_PX = 17, 20, 13
TOP_PAD_PX = 6  # between the legend or title and the first label
LABEL_CHARS = 46
TITLE_CHARS = 46  # of 16 px bold title text, on a 390 px phone
TITLE_LINE_PX = 20
TOP_PX, BOTTOM_PX, LEGEND_PX = 64, 112, 28
RIGHT_PX = 72  # room for the value written after a full-length bar ("100.0 %", "$1,250,000")


def styled_layout(*, title: str, source: str, x_title: str, height: int) -> dict:
    """The house layout (a fresh dict each call) for a figure to extend."""
    return house_layout(title=title, source=source, x_title=x_title, height=height)


def labelled_bars(
    frame: pd.DataFrame,
    *,
    label: str,
    value: str,
    text: str,
    title: str,
    source: str,
    x_title: str,
    colour: str | None = None,
    hover: str | None = None,
    x_range: Sequence[float] | None = (0, 100),
    target: str | None = None,
    target_text: str | None = None,
    value_name: str = "Value",
    x_axis: Mapping[str, object] | None = None,
) -> go.Figure:
    """One bar per row, in the frame's order from the top, each with its ``label`` written above it
    and its ``text`` after its end (after the target, when that lies further right); a row without a
    value gets no bar but keeps its text (e.g. "no data"). ``colour`` names a column of hex colours;
    ``target`` a column of targets, drawn as a black tick across the bar (with a legend), and
    ``target_text`` a column of words for its hover; ``x_axis`` adds plotly x-axis settings (e.g. a
    ``tickprefix`` of "$").

    Built from plain dicts on the house style's layout, without plotly's per-property validation
    (``_validate=False``): the traces here are fixed and simple, and validating them would take
    longer than the rest of a page run.
    """
    count = len(frame)
    values = pd.to_numeric(frame[value], errors="coerce").astype(float)
    hover_text = frame[hover] if hover else frame[label] + ": " + frame[text]
    start = float(x_range[0]) if x_range is not None else 0.0
    labels = [wrap(_escape(name), LABEL_CHARS) for name in frame[label]]
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
                "name": "Target",
                "hovertext": [str(item) for item in words[keep]],
                "hoverinfo": "text",
                "cliponaxis": False,
            }
        )
    title_text = wrap(title, TITLE_CHARS)
    top = TOP_PX + legend_px + TITLE_LINE_PX * title_text.count("<br>")
    plot_px = max(cursor, LINE_PX + BAR_PX + GAP_PX)
    layout = styled_layout(title=title_text, source=source, x_title=x_title, height=top + plot_px + BOTTOM_PX)
    layout["margin"] = {"l": 8, "r": RIGHT_PX, "t": top, "b": BOTTOM_PX}
    layout["showlegend"] = targets is not None
    layout["legend"] = {"orientation": "h", "x": 0, "xanchor": "left", "y": 1, "yanchor": "bottom"}
    layout["yaxis"] = {
        **layout.get("yaxis", {}),
        "range": [plot_px, 0],
        "showticklabels": False,
        "showgrid": False,
        "showline": False,
        "ticks": "",
        "zeroline": False,
        "fixedrange": True,
    }
    layout["xaxis"] = {**layout.get("xaxis", {}), "showgrid": True, "zeroline": True, "fixedrange": True}
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


def _escape(text: str) -> str:
    # Plotly reads a few HTML-like tags in text; names are plain text.
    return str(text).replace("<", "&lt;").replace(">", "&gt;")


def progress_bars(
    frame: pd.DataFrame,
    *,
    label: str,
    title: str,
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
        title=title,
        source=SOURCE,
        x_title=x_title,
    )


def contributions_chart(
    contributions: pd.DataFrame, *, goal_number: int, fiscal_year_label: str
) -> go.Figure:
    """The bureaus ranked by mean progress of their goals under one citywide goal."""
    data = contributions.copy()
    data["label"] = ranked_labels(data)
    return progress_bars(
        data,
        label="label",
        title=f"Goal {goal_number}: bureaus ranked by progress, {fiscal_year_label}",
        x_title="Mean progress to target (%)",
    )


def health_chart(health: Mapping[str, int], *, title: str) -> go.Figure:
    """Measures by health, one bar per state labelled "✓ On track" with its count."""
    states = [state for state in HEALTH_ORDER if state in health]
    frame = pd.DataFrame(
        {
            "label": [f"{HEALTH[state].icon} {HEALTH[state].label}" for state in states],
            "count": [int(health[state]) for state in states],
            "colour": [HEALTH[state].colour for state in states],
        }
    )
    frame["text"] = frame["count"].map("{:,}".format)
    top = max(int(frame["count"].max()) if len(frame) else 0, 1)
    return labelled_bars(
        frame,
        label="label",
        value="count",
        text="text",
        colour="colour",
        title=title,
        source=SOURCE,
        x_title="Number of measures",
        x_range=(0, top),
    )


def breakdown_chart(frame: pd.DataFrame, *, by: str, goal_number: int, fiscal_year_label: str) -> go.Figure:
    """Progress of a citywide goal's bureau goals by focus area or strategy."""
    data = frame.copy()
    data["label"] = [bar_label(row.name, goals_text(row.n_goals)) for row in data.itertuples()]
    return progress_bars(
        data,
        label="label",
        title=f"Goal {goal_number}: progress by {by}, {fiscal_year_label}",
        x_title="Mean progress to target (%)",
        missing=["no bureau goals here" if n == 0 else "no progress to report yet" for n in data["n_goals"]],
    )
