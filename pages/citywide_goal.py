"""One citywide goal: how far its bureau goals have come, which bureaus carry it, and where."""

import streamlit as st

from equity_tracking import ui
from equity_tracking.analytics.states import ACTION_STATUS, HEALTH
from equity_tracking.charts import goal as charts
from equity_tracking.charts.style import health_chart
from equity_tracking.dashboards import goal as view
from equity_tracking.dashboards import intros
from equity_tracking.dashboards.common import (
    bureau_chart_table,
    bureau_detail_table,
    counts_line,
    fiscal_year_choices,
    fiscal_year_key,
    health_tables,
    is_baseline_year,
    number_param,
)
from equity_tracking.formatting import md
from equity_tracking.navigation import GOAL
from equity_tracking.periods import fiscal_year_label

ctx = ui.guard("goal")
st.title("Citywide goals")
ui.page_intro(intros.GOAL, last_updated=ctx.last_updated())
citywide_goals = ctx.read("citywide_goals")
if citywide_goals.empty:
    st.info(
        "The Citywide Racial Equity Goals are not in the database yet, so there is nothing to show. "
        "An equity-office administrator can load the plan framework with the plans, or load the demo "
        "city with `python -m equity_tracking load-demo`."
    )
    st.stop()
numbers = ", ".join(str(number) for number in citywide_goals["number"])
chosen = ui.url_choice(
    GOAL,
    view.goal_options(citywide_goals),
    label="Citywide goal",
    normalize=number_param,
    not_found=lambda asked: (
        f"There is no citywide goal “{asked}”. The Council adopted goals {numbers}: choose one below."
    ),
    list_link=("The three goals, on the citywide overview", "home", {}),
)
goal = view.chosen_goal(citywide_goals, chosen)
goal_id, number = int(goal["id"]), int(goal["number"])
year = ui.pick_fiscal_year(ctx)
fy, fy_key = fiscal_year_label(year), fiscal_year_key(year)
baseline = is_baseline_year(year, fiscal_year_choices(ctx.read("plans")))
public = ctx.analytics(year)
goals = ctx.read("goals")
headline = ctx.memo(
    "goal-headline",
    lambda: view.goal_headline(public, goals=goals, citywide_goal_id=goal_id),
    goal=number,
    year=year,
)

st.header(f"Goal {number} · {md(goal['short_title'])}")
ui.text(goal["text"])
st.caption(md(view.adoption_text(goal)))
if headline.n_goals == 0:
    st.info(
        f"No bureau goal maps to goal {number} yet, so there is no progress to show. Each bureau maps every "
        "goal of its racial equity plan to one citywide goal; the Office of Equity and Human Rights sets the "
        "mapping when it adds a plan.",
        icon=":material/info:",
    )
    st.stop()


def _build() -> dict:
    """The goal's tables and figures for the year: built once, then redrawn."""
    contributions = view.bureau_contributions(
        public, goals=goals, bureaus=ctx.read("bureaus", include_inactive=True), citywide_goal_id=goal_id
    )
    focus = view.focus_area_breakdown(
        public, goals=goals, focus_areas=ctx.read("focus_areas"), citywide_goal_id=goal_id
    )
    by_strategy = view.strategy_breakdown(
        public,
        goals=goals,
        strategies=ctx.read("strategies"),
        links=ctx.read("goal_strategy_links"),
        citywide_goal_id=goal_id,
    )
    health = health_tables(headline.health)
    return {
        "contributions": contributions,
        "contributions_chart": charts.contributions_chart(
            contributions, goal_number=number, fiscal_year_label=fy
        ),
        "contributions_table": bureau_chart_table(contributions),
        "contributions_data": contributions.drop(columns=["progress_text"]),
        "contributions_alt": view.contributions_alt(contributions, goal_number=number, fiscal_year_label=fy),
        "contributions_detail": bureau_detail_table(contributions),
        "health_chart": health_chart(headline.health, title=f"Goal {number}: measures by health, {fy}"),
        "health_table": health.table,
        "health_data": health.data,
        "focus_chart": charts.breakdown_chart(
            focus, by="focus area", goal_number=number, fiscal_year_label=fy
        ),
        "focus_table": view.breakdown_table(focus, heading="Focus area"),
        "focus_alt": view.breakdown_alt(focus, by="focus area", goal_number=number, fiscal_year_label=fy),
        "strategies_chart": charts.breakdown_chart(
            by_strategy, by="strategy", goal_number=number, fiscal_year_label=fy
        ),
        "strategies_table": view.breakdown_table(by_strategy, heading="Strategy"),
        "strategies_alt": view.breakdown_alt(
            by_strategy, by="strategy", goal_number=number, fiscal_year_label=fy
        ),
    }


built = ctx.memo("goal-page", _build, goal=number, year=year)

tiles = st.columns(3)
tiles[0].metric(
    "Progress to target",
    "Baseline year" if baseline else headline.progress_text,
    help="Mean progress to target of the bureau goals under this citywide goal. "
    + md(headline.progress_reason),
    border=True,
)
tiles[1].metric(
    "Bureau goals", f"{headline.n_goals:,}", help=f"From {headline.n_bureaus:,} bureaus' plans.", border=True
)
tiles[2].metric(
    "Measures", f"{headline.n_measures:,}", help=f"And {headline.n_actions:,} actions.", border=True
)
with st.container(border=True):
    st.markdown(
        f"**Measures by health** ({headline.n_measures:,}): "
        + (md(counts_line(headline.health, HEALTH)) or "no measures yet")
    )
    st.markdown(
        f"**Actions by status** ({headline.n_actions:,}): "
        + (md(counts_line(headline.actions, ACTION_STATUS)) or "no actions yet")
    )

st.header("The bureaus' contributions")
st.markdown(
    f"Each of the **{headline.n_bureaus}** bureaus with goals under goal {number}, ranked by the mean "
    "progress to target of those goals. The goal's own progress is the mean over all its bureau goals, so "
    "bureaus with more goals weigh more in it."
)
contributions = built["contributions"]
ui.chart(
    built["contributions_chart"],
    table=built["contributions_table"],
    data=built["contributions_data"],
    alt=built["contributions_alt"],
    key="contributions",
    file_name=f"goal-{number}-bureaus-{fy_key}.csv",
)
with ui.section("Each bureau's goals and measures (table)", key="bureau-table"):
    ui.dataframe(
        built["contributions_detail"],
        hide_index=True,
        width="stretch",
        column_config={"Progress (%)": st.column_config.NumberColumn(format="%.1f %%")},
    )
with ui.section("Open a bureau's page", key="bureau-links"):
    ui.links(
        [
            (name, "bureau", {"bureau": code, "fy": fy_key})
            for name, code in zip(contributions["name"], contributions["code"], strict=True)
        ]
    )

st.header("The health of its measures")
ui.chart(
    built["health_chart"],
    table=built["health_table"],
    data=built["health_data"],
    alt=view.health_alt(headline.health, subject=f"under goal {number}", fiscal_year_label=fy),
    key="health",
    file_name=f"goal-{number}-health-{fy_key}.csv",
)

st.header("By focus area and by strategy")
ui.terms("Focus area", "GARE strategy")
with ui.section("By focus area", key="focus-areas", expanded=True):
    ui.chart(
        built["focus_chart"],
        table=built["focus_table"],
        alt=built["focus_alt"],
        key="focus-areas",
        file_name=f"goal-{number}-focus-areas-{fy_key}.csv",
    )
with ui.section("By strategy", key="strategies"):
    st.markdown("A bureau goal that names several strategies counts under each of them.")
    ui.chart(
        built["strategies_chart"],
        table=built["strategies_table"],
        alt=built["strategies_alt"],
        key="strategies",
        file_name=f"goal-{number}-strategies-{fy_key}.csv",
    )
