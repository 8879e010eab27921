"""Citywide overview: are the bureaus' racial equity plans working, goal by goal and bureau by bureau?"""

import streamlit as st

from equity_tracking import ui
from equity_tracking.analytics.states import ACTION_STATUS, HEALTH
from equity_tracking.charts import citywide as charts
from equity_tracking.dashboards import citywide as view
from equity_tracking.formatting import bureau_table, percent
from equity_tracking.periods import fiscal_year_label

ctx = ui.guard("home")
st.title("Citywide overview")
st.markdown(
    "How the City of Portland's bureaus are carrying out their five-year **racial equity plans**, "
    "under the Citywide Racial Equity Goals that City Council adopted as binding policy on "
    "8 July 2015 (Resolution 37144)."
)
year = ui.pick_fiscal_year(ctx)
fy = fiscal_year_label(year)
analytics = ctx.analytics(year)
citywide_goals = ctx.read("citywide_goals")
bureaus = ctx.read("bureaus")
city = view.city_row(analytics)
goal_progress = view.goal_progress(analytics, citywide_goals)
reporting = view.bureau_reporting(analytics, bureaus=bureaus, fiscal_year_shown=year)
goal_health = view.goal_health(analytics, citywide_goals)
heatmap = view.bureau_goal_heatmap(
    analytics, goals=ctx.read("goals"), bureaus=bureaus, citywide_goals=citywide_goals
)
figures = ctx.memo(
    "overview-figures",
    lambda: charts.page_figures(
        goal_health=goal_health, heatmap=heatmap, reporting=reporting, fiscal_year_label=fy
    ),
    year=year,
)

st.header("Progress toward the citywide goals")
tiles = st.columns(len(goal_progress) or 1)
for tile, goal in zip(tiles, goal_progress.itertuples(), strict=False):
    with tile.container(border=True):
        # The goal's name as text (it wraps), the number as a metric: metric labels get truncated.
        st.markdown(f"**Goal {goal.number}** · {goal.short_title}")
        st.metric(
            "Progress to target",
            goal.progress_text,
            help=f"Mean progress of the {goal.n_goals} bureau goals under it. {goal.progress_reason}",
        )

health = view.health_counts(city)
actions = view.action_counts(city)
on_time, with_plans = view.reported_on_time(reporting)
without_data = health["not_started"] + health["no_data"] + health["cannot_judge"]
tiles = [
    (
        f"{HEALTH['on_track'].icon} On track or achieved",
        f"{health['on_track'] + health['achieved']:,}",
        "Measures at or above 95 % of the progress expected by now, or at their target.",
    ),
    (f"{HEALTH['behind'].icon} Behind", f"{health['behind']:,}", HEALTH["behind"].description),
    (f"{HEALTH['at_risk'].icon} At risk", f"{health['at_risk']:,}", HEALTH["at_risk"].description),
    (
        f"{HEALTH['no_data'].icon} Without data",
        f"{without_data:,}",
        "Measures not started (nothing reported after the baseline), with no data, or that cannot be "
        "judged (the measure page says why).",
    ),
    ("Reported on time", f"{on_time} of {with_plans} bureaus", f"Bureaus with values for {fy} on time."),
]
for start in range(0, len(tiles), 2):
    # Two tiles a row: their labels stay whole, and they stack on a phone.
    for column, (label, value, help_text) in zip(st.columns(2), tiles[start : start + 2], strict=False):
        column.metric(label, value, help=help_text, border=True)
st.markdown(
    f"Of **{int(city['n_measures']):,}** measures, **{health['achieved']:,}** have reached their target and "
    f"**{without_data:,}** have no data to judge yet (not started, no data or cannot be judged). "
    f"Actions: "
    + ", ".join(
        f"{ACTION_STATUS[status].icon} {ACTION_STATUS[status].label.lower()} **{count:,}**"
        for status, count in actions.items()
    )
    + "."
)

st.header("Each citywide goal")
for goal in goal_progress.itertuples():
    with st.container(border=True):
        st.subheader(f"Goal {goal.number} · {goal.short_title}")
        st.markdown(goal.text)
        st.markdown(
            f"Progress **{goal.progress_text}** across {goal.n_goals} bureau goals, "
            f"{goal.n_measures:,} measures and {goal.n_actions:,} actions. "
            f"[Open this goal](goal?goal={goal.number}&fy={ui.fiscal_year_key(year)})"
        )
        counts = goal_health[goal_health["number"] == goal.number]
        ui.chart(
            figures[f"goal-health-{goal.number}"],
            table=counts[["Health", "Measures"]],
            alt=(
                f"Bar chart: measures under goal {goal.number} by health in {fy}. "
                + "; ".join(f"{row.Health}: {row.Measures}" for row in counts.itertuples())
                + "."
            ),
            key=f"goal-health-{goal.number}",
            file_name=f"goal-{goal.number}-health-{ui.fiscal_year_key(year)}.csv",
        )

st.header("Bureaus by citywide goal")
ui.chart(
    figures["heatmap"],
    table=heatmap.rename(columns={"text": "Progress", "goals": "Bureau goals"})[
        ["Bureau", "Goal", "Progress", "Bureau goals"]
    ],
    alt=(
        f"Heatmap: each bureau's mean progress to target under each citywide goal in {fy}; "
        "darker cells are further from target, and a dash means the bureau has no goal under it."
    ),
    key="heatmap",
    file_name=f"bureau-by-goal-{ui.fiscal_year_key(year)}.csv",
)

st.header("Who is reporting")
stopped = reporting[reporting["reporting"].isin(["stopped", "never"])]
if stopped.empty:
    st.success(f"Every bureau has reported within the last year as of {fy}.", icon=":material/check_circle:")
else:
    st.warning(
        f"{len(stopped)} bureau(s) have stopped reporting: " + ", ".join(stopped["name"]) + ".",
        icon=":material/warning:",
    )
ui.chart(
    figures["reporting"],
    table=view.reporting_table(reporting),
    alt=(
        f"Bar chart: the share of each bureau's measures and actions updated on time in {fy}, "
        f"lowest first. {on_time} of {with_plans} bureaus reported on time."
    ),
    key="reporting",
    file_name=f"reporting-{ui.fiscal_year_key(year)}.csv",
)

st.header("Bureaus and their plans")
overview = ctx.read("bureau_overview")
table = bureau_table(overview)
table.insert(
    0,
    "Open",
    [f"bureau?bureau={code}&fy={ui.fiscal_year_key(year)}" for code in overview["code"]],
)
table["Progress"] = overview["id"].map(reporting.set_index("id")["progress_pct"]).map(percent)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    height=36 * (len(table) + 1) + 3,
    column_config={"Open": st.column_config.LinkColumn("Open", display_text="Open")},
)
