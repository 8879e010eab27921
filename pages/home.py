"""Citywide overview: are the bureaus' racial equity plans working, goal by goal and bureau by bureau?"""

import streamlit as st

from equity_tracking import ui
from equity_tracking.analytics.states import ACTION_STATUS, HEALTH
from equity_tracking.charts import citywide as charts
from equity_tracking.dashboards import citywide as view
from equity_tracking.dashboards import intros
from equity_tracking.dashboards.common import (
    counts_line,
    fiscal_year_choices,
    fiscal_year_key,
    health_counts,
    health_tables,
    is_baseline_year,
)
from equity_tracking.formatting import md, percent, plural
from equity_tracking.periods import fiscal_year_label

ctx = ui.guard("home")
st.title("Citywide overview")
ui.page_intro(intros.HOME, last_updated=ctx.last_updated())
year = ui.pick_fiscal_year(ctx)
fy, fy_key = fiscal_year_label(year), fiscal_year_key(year)
baseline = is_baseline_year(year, fiscal_year_choices(ctx.read("plans")))
public = ctx.analytics(year)
citywide_goals = ctx.read("citywide_goals")
bureaus = ctx.read("bureaus")


def _build() -> dict:
    """The overview's tables and figures for the year: built once, then redrawn."""
    goals = view.goal_progress(public, citywide_goals)
    city = view.city_row(public)
    table = view.bureau_table(public, bureaus=bureaus, fiscal_year=year)
    grid = view.bureau_goal_grid(
        public, goals=ctx.read("goals"), bureaus=bureaus, citywide_goals=citywide_goals
    )
    health = {int(goal.id): view.goal_health(public, int(goal.id)) for goal in goals.itertuples()}
    return {
        "goals": goals,
        "city": city,
        "headline_counts": view.headline_counts(city),
        "reporting": view.reported_on_time(table),
        "stopped": view.stopped_names(table),
        "bureaus": table,
        "staff": view.staff_table(table),
        "reporting_table": table[
            ["name", "Reporting", "measures_due", "measures_reported", "reported_pct", "last_reported"]
        ].rename(
            columns={
                "name": "Bureau",
                "measures_due": "Measures due",
                "measures_reported": "Reported",
                "reported_pct": "Reported (%)",
                "last_reported": "Latest value for",
            }
        ),
        "bureaus_data": table.drop(columns=["Reporting"]).rename(
            columns={"name": "bureau", "code": "bureau_code"}
        ),
        "goal_health": {goal_id: health_tables(counts) for goal_id, counts in health.items()},
        "goal_charts": {
            int(goal.id): charts.goal_health_chart(
                health[int(goal.id)], goal_number=goal.number, fiscal_year_label=fy
            )
            for goal in goals.itertuples()
        },
        "grid_chart": charts.grid_chart(grid, fiscal_year_label=fy),
        "grid_table": view.grid_table(grid),
        "grid_data": view.grid_data(grid),
        "reporting_chart": charts.reporting_chart(table, fiscal_year_label=fy),
    }


built = ctx.memo("overview-page", _build, year=year)
goals, city, table = built["goals"], built["city"], built["bureaus"]

st.header("Progress toward the citywide goals")
st.caption(
    "The Citywide Racial Equity Goals that City Council adopted as binding policy on 8 July 2015 "
    "(Resolution 37144); every bureau goal maps to one of them."
)
for tile, goal in zip(st.columns(len(goals) or 1), goals.itertuples(), strict=False):
    with tile.container(border=True):
        # The goal's name as text (it wraps), the number as a metric: metric labels get truncated.
        st.markdown(f"**Goal {goal.number}** · {md(goal.short_title)}")
        if baseline:
            ui.metric("Progress to target", "Baseline year", help="Progress is judged from the next year on.")
        else:
            ui.metric(
                "Progress to target",
                goal.progress_text,
                help=f"Mean progress of the {goal.n_goals} bureau goals under it; "
                f"{percent(goal.expected_pct)} was expected by now. {md(goal.progress_reason)}",
            )

counts = built["headline_counts"]
reporting = built["reporting"]
with st.container(horizontal=True):  # tiles wrap: three or more a row on a desktop, two on a phone
    for key, label, help_text in view.HEADLINE_TILES:
        ui.tile(label, f"{counts[key]:,}", help=help_text)
on_time = f"{reporting['bureaus_on_time']} of {reporting['bureaus_due']} bureaus"
ui.metric(
    "Reported every measure due",
    on_time,
    delta=f"{percent(reporting['share_pct'])} of due measures reported",
    delta_color="off",
    delta_arrow="off",
    help=(
        f"Bureaus that reported a value for every measure due for {fy} by the reporting deadline: "
        f"{reporting['measures_reported']:,} of {reporting['measures_due']:,} due measures were reported."
    ),
    border=True,
)
st.markdown(
    f"{plural(int(city['n_measures']), 'measure')} in the plans in force. Measures by health: "
    f"{md(counts_line(health_counts(city), HEALTH))}. Actions: "
    f"{md(counts_line(view.actions_by_status(city), ACTION_STATUS))}."
)

st.header("Each citywide goal")
for goal in goals.itertuples():
    with ui.folded(
        f"Goal {goal.number} · {goal.short_title}: {goal.progress_text}", key=f"goal-{goal.number}"
    ) as is_open:
        if not is_open:
            continue
        ui.text(goal.text)
        st.markdown(
            f"Progress **{goal.progress_text}** ({percent(goal.expected_pct)} expected by now) across "
            f"{plural(goal.n_goals, 'bureau goal')}, {plural(goal.n_measures, 'measure')} and "
            f"{plural(goal.n_actions, 'action')}."
        )
        ui.link(f"Open goal {goal.number}: {goal.short_title}", "goal", goal=goal.number, fy=fy_key)
        goal_health = built["goal_health"][int(goal.id)]
        ui.chart(
            built["goal_charts"][int(goal.id)],
            table=goal_health.table,
            data=goal_health.data,
            alt=f"Bar chart of the measures under goal {goal.number} by health: {goal_health.counts_text}.",
            key=f"goal-health-{goal.number}",
            file_name=f"goal-{goal.number}-health-{fy_key}.csv",
        )

st.header("Bureaus by citywide goal")
wide, narrow = ui.by_width("grid")
with wide:
    ui.chart(
        built["grid_chart"],
        table=built["grid_table"],
        data=built["grid_data"],
        alt="Each bureau's mean progress to target under each citywide goal; darker cells are further from "
        "target, and a dash means the bureau has no goal under it.",
        key="grid",
        file_name=f"bureau-by-goal-{fy_key}.csv",
    )
with narrow:
    st.markdown(f"**Progress to target by bureau and citywide goal, {fy}**")
    st.caption("A dash: the bureau has no goal under that citywide goal.")
    ui.table(built["grid_table"], key="grid")

st.header("Who is reporting")
stopped = built["stopped"]
if stopped:
    st.warning(
        f"{plural(len(stopped), 'bureau')} had stopped reporting by {fy}'s deadline: "
        + ", ".join(md(name) for name in stopped)
        + ".",
        icon=":material/warning:",
    )
else:
    st.success(f"Every bureau has reported within the last year as of {fy}.", icon=":material/check_circle:")
with ui.folded(f"Measures reported by each bureau, {fy}", key="reporting") as is_open:
    if is_open:
        ui.chart(
            built["reporting_chart"],
            table=built["reporting_table"],
            alt=f"{reporting['bureaus_on_time']} of {reporting['bureaus_due']} bureaus reported every "
            "measure due.",
            key="reporting",
            file_name=f"reporting-{fy_key}.csv",
        )

st.header("Every bureau at a glance")
st.markdown(
    "One row per bureau, to see who is behind: measures by health (out of date included), overdue "
    "actions, the share of the measures due that were reported, the last report and progress against "
    "what was expected by now. Select a column heading to sort."
)
ui.dataframe(
    built["staff"],
    hide_index=True,
    width="stretch",
    column_config={
        "Bureau": st.column_config.TextColumn(pinned=True, width="medium"),
        "Due measures reported (%)": st.column_config.NumberColumn(format="%.1f %%"),
        "Progress (%)": st.column_config.NumberColumn(format="%.1f %%"),
        "Expected by now (%)": st.column_config.NumberColumn(format="%.1f %%"),
        "Last report": st.column_config.DateColumn(format="D MMM YYYY"),
    },
)
ui.download(
    built["bureaus_data"],
    file_name=f"bureaus-{fy_key}.csv",
    label="Download every bureau's figures (CSV)",
    key="bureaus",
)
with ui.folded("Open a bureau's page", key="bureau-links") as is_open:
    if is_open:
        ui.links(
            [
                (name, "bureau", {"bureau": code, "fy": fy_key})
                for name, code in zip(bureaus["name"], bureaus["code"], strict=True)
            ]
        )
