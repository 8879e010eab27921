"""Figures for the bureau page: measures by health per goal, and group shares against a benchmark.

Also owns :func:`finish`, the layout both the bureau and the measure page put on top of the house
style so that a figure reads on a 390 px phone: long titles, source notes and category labels wrap
onto several lines instead of being cut off, and the legend sits at the bottom edge of the figure,
below the source note, with room to wrap.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from equity_tracking.analytics.states import HEALTH, HEALTH_ORDER, PALETTE
from equity_tracking.charts.style import house_style, wrap

SOURCE = "bureau performance measures reported to the Office of Equity and Human Rights"
ROW_HEIGHT_PX = 40
TITLE_WIDTH = 40  # characters per title line: fits a phone at the house title size
SOURCE_WIDTH = 36  # characters per source-note line (it starts at the plot's left edge)
LABEL_WIDTH = 18  # characters per line of a category label
LEGEND_ROW_PX = 21
TITLE_LINE_PX = 22
SOURCE_LINE_PX = 14
DARK_TEXT = "#1B1F24"


def chart(
    figure: go.Figure,
    *,
    title: str,
    source: str,
    x_title: str | None,
    y_title: str | None = None,
    height: int,
    legend_rows: int = 0,
) -> go.Figure:
    """The house style, then :func:`finish`. ``height`` is the figure's height for a one-line title
    and source and no legend (room for more is added); ``legend_rows`` how many rows the legend may
    need on a phone (0: no legend)."""
    wrapped_title = wrap(title, TITLE_WIDTH)
    # The house style writes "Source: " before the note: wrap with it, then hand the rest over.
    wrapped_source = wrap("Source: " + source, SOURCE_WIDTH).removeprefix("Source: ")
    figure = house_style(
        figure,
        title=wrapped_title,
        source=wrapped_source,
        x_title=x_title,
        y_title=y_title,
        height=height,
        show_legend=legend_rows > 0,
    )
    return finish(
        figure,
        title_lines=wrapped_title.count("<br>") + 1,
        source_lines=wrapped_source.count("<br>") + 1,
        legend_rows=legend_rows,
    )


def finish(figure: go.Figure, *, title_lines: int, source_lines: int, legend_rows: int) -> go.Figure:
    """Make room above the plot for a title of several lines, and below it for a source note of
    several lines and a legend at the bottom edge of the figure (where a tall plot cannot push it
    onto the source note, as a legend placed relative to the plot would be)."""
    top = (figure.layout.margin.t or 56) + TITLE_LINE_PX * (title_lines - 1)
    legend_room = LEGEND_ROW_PX * legend_rows + (8 if legend_rows else 0)
    bottom = (figure.layout.margin.b or 72) + SOURCE_LINE_PX * (source_lines - 1) + legend_room
    height = (figure.layout.height or 450) + (top - (figure.layout.margin.t or 56))
    height += bottom - (figure.layout.margin.b or 72)
    figure.update_layout(
        margin={"t": top, "b": bottom},
        height=height,
        legend={"yref": "container", "y": 0, "yanchor": "bottom", "xref": "container", "x": 0},
    )
    return figure


def goal_health_chart(frame: pd.DataFrame, *, fiscal_year_label: str) -> go.Figure:
    """One stacked bar per goal: its measures by health, each segment written as icon and count
    ("✓ 3") so the states read without colour; the legend names every icon.

    ``frame`` is :func:`~equity_tracking.dashboards.bureau.goal_health` (Goal, state, Measures)."""
    goals = list(dict.fromkeys(frame["Goal"]))
    labels = [wrap(goal, LABEL_WIDTH, max_lines=2) for goal in goals]
    figure = go.Figure()
    shown_states = 0
    for state in HEALTH_ORDER:
        part = frame[frame["state"] == state].set_index("Goal").reindex(goals)
        counts = part["Measures"].fillna(0).astype(int)
        if int(counts.sum()) == 0:
            continue
        shown_states += 1
        style = HEALTH[state]
        figure.add_trace(
            go.Bar(
                x=counts.to_numpy(),
                y=labels,
                orientation="h",
                name=f"{style.icon} {style.label}",
                marker={"color": style.colour, "line": {"color": "#FFFFFF", "width": 1}},
                text=[f"{style.icon} {count}" if count else "" for count in counts],
                textposition="inside",
                insidetextanchor="middle",
                textangle=0,
                # Dark text reads on every palette colour but the blue (contrast ≥ 4.5:1).
                textfont={"color": "#FFFFFF" if style.colour == PALETTE["blue"] else DARK_TEXT},
                customdata=goals,
                hovertemplate=f"%{{customdata}}<br>{style.icon} {style.label}: %{{x}}<extra></extra>",
            )
        )
    figure.update_layout(
        barmode="stack", uniformtext={"minsize": 10, "mode": "hide"}, legend={"traceorder": "normal"}
    )
    figure.update_yaxes(autorange="reversed", type="category")
    return chart(
        figure,
        title=f"Measures by health under each goal, {fiscal_year_label}",
        source=SOURCE,
        x_title="Number of measures",
        height=130 + ROW_HEIGHT_PX * max(len(goals), 1) + 72,
        legend_rows=(shown_states + 1) // 2,
    )


def shares_chart(
    table: pd.DataFrame, *, measure_name: str, benchmark_name: str | None, period: str
) -> go.Figure:
    """Each group's share of the measure (e.g. the bureau's employees) beside its share of the
    benchmark population, as two labelled bars per group; hidden small counts are written out.

    ``table`` is :func:`~equity_tracking.dashboards.bureau.representation_table`."""
    groups = [wrap(group, LABEL_WIDTH, max_lines=2) for group in table["Group"]]
    shown = table["share_pct"].astype(float)
    subject = measure_name if "race" in measure_name.lower() else f"{measure_name} by race/ethnicity"
    figure = go.Figure(
        go.Bar(
            x=shown.fillna(0).to_numpy(),
            y=groups,
            orientation="h",
            name=f"Share of {measure_name.lower()}",
            marker={"color": PALETTE["blue"]},
            text=[
                hidden or f"{value:.1f} %"
                for hidden, value in zip(table["hidden"], shown.fillna(0), strict=True)
            ],
            textposition="outside",
            cliponaxis=False,
            customdata=table["Group"],
            hovertemplate="%{customdata}: %{text}<extra>" + measure_name.replace("%", "%%") + "</extra>",
        )
    )
    benchmark = table["benchmark_pct"].astype(float)
    has_benchmark = benchmark_name is not None and benchmark.notna().any()
    if has_benchmark:
        figure.add_trace(
            go.Bar(
                x=benchmark.fillna(0).to_numpy(),
                y=groups,
                orientation="h",
                name=f"Share of {benchmark_name}",
                marker={"color": PALETTE["orange"]},
                text=[percent_text(value) for value in benchmark],
                textposition="outside",
                cliponaxis=False,
                customdata=table["Group"],
                hovertemplate="%{customdata}: %{text}<extra>" + benchmark_name + "</extra>",
            )
        )
    top = max(
        float(shown.max()) if shown.notna().any() else 0.0,
        float(benchmark.max()) if has_benchmark else 0.0,
        1.0,
    )
    figure.update_layout(barmode="group", bargap=0.22, bargroupgap=0.04, legend={"traceorder": "normal"})
    # Room to the right of the longest bar for its label (e.g. "fewer than 10").
    figure.update_xaxes(range=[0, min(top * 1.4, 140)])
    figure.update_yaxes(autorange="reversed", type="category")
    rows = len(groups) * (2 if has_benchmark else 1)
    return chart(
        figure,
        title=f"{subject}, {period}",
        source=SOURCE + (f"; benchmark: {benchmark_name}" if has_benchmark else ""),
        x_title="Share of the total of known race/ethnicity (%)",
        # A group's two bars, or one bar and a label of two lines, each get their room.
        height=130 + max(19 * rows + 8 * len(groups), 34 * len(groups), 19) + 72,
        legend_rows=2 if has_benchmark else 1,
    )


def percent_text(value: float) -> str:
    return "—" if pd.isna(value) else f"{value:.1f} %"


def page_figures(page, *, fiscal_year_label: str) -> dict[str, go.Figure]:
    """Every figure of a :class:`~equity_tracking.dashboards.bureau.BureauPage`, by chart key."""
    figures = {}
    if len(page.goal_health):
        figures["goal-health"] = goal_health_chart(page.goal_health, fiscal_year_label=fiscal_year_label)
    for panel in page.disparities:
        if panel.kind == "shares" and len(panel.table):
            figures[f"shares-{panel.measure_id}"] = shares_chart(
                panel.table,
                measure_name=panel.name,
                benchmark_name=panel.benchmark_name,
                period=str(panel.table["period"].iat[0]),
            )
    return figures
