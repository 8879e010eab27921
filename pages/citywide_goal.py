"""One citywide goal: how far its bureau goals have come, which bureaus carry it, and where."""

import streamlit as st

from equity_tracking import ui
from equity_tracking.charts import goal as charts
from equity_tracking.dashboards import goal as view
from equity_tracking.periods import fiscal_year_label

ctx = ui.guard("goal")
st.title("Citywide goals")
citywide_goals = ctx.read("citywide_goals")
if citywide_goals.empty:
    st.info(
        "The Citywide Racial Equity Goals are not in the database yet, so there is nothing to show. "
        "An equity-office administrator can load the plan framework with the plans, or load the demo "
        "city with `python -m equity_tracking load-demo`."
    )
    st.stop()
goal = view.chosen_goal(
    citywide_goals, ui.choice_picker("Citywide goal", view.goal_options(citywide_goals), key="goal")
)
goal_id, number = int(goal["id"]), int(goal["number"])
year = ui.pick_fiscal_year(ctx)
fy, fy_key = fiscal_year_label(year), ui.fiscal_year_key(year)
analytics = ctx.analytics(year)
goals = ctx.read("goals")
headline = view.goal_headline(analytics, goals=goals, citywide_goal_id=goal_id)

st.header(f"Goal {number} · {goal['short_title']}")
st.markdown(f"> {goal['text']}")
st.caption(view.adoption_text(goal))
if headline.n_goals == 0:
    st.info(
        f"No bureau goal maps to goal {number} yet, so there is no progress to show. Each "
        "bureau maps every goal of its racial equity plan to one citywide goal; the Office of Equity "
        "and Human Rights can ask bureaus to map their goals, or set the mapping when it imports a plan.",
        icon=":material/info:",
    )
    st.stop()

tiles = st.columns(3)
tiles[0].metric(
    "Progress to target",
    headline.progress_text,
    help=f"Mean progress to target of the bureau goals under this citywide goal. {headline.progress_reason}",
    border=True,
)
tiles[1].metric(
    "Bureau goals",
    f"{headline.n_goals:,}",
    help=f"From {headline.n_bureaus:,} bureaus' plans.",
    border=True,
)
tiles[2].metric(
    "Measures", f"{headline.n_measures:,}", help=f"And {headline.n_actions:,} actions.", border=True
)
with st.container(border=True):
    st.markdown(f"**Measures by health** ({headline.n_measures:,}): {view.health_line(headline.health)}")
    st.markdown(f"**Actions by status** ({headline.n_actions:,}): {view.actions_line(headline.actions)}")

st.header("The bureaus' contributions")
st.markdown(
    f"Each of the **{headline.n_bureaus}** bureaus with goals under goal {number}, ranked by the "
    "mean progress to target of those goals. The goal's own progress is the mean over all its bureau "
    "goals, so bureaus with more goals weigh more in it."
)
contributions = view.bureau_contributions(
    analytics,
    goals=goals,
    bureaus=ctx.read("bureaus", include_inactive=True),
    citywide_goal_id=goal_id,
    fiscal_year_key=fy_key,
)
ui.chart(
    charts.contributions_chart(contributions, goal_number=number, fiscal_year_label=fy),
    table=view.bureau_chart_table(contributions),
    alt=view.contributions_alt(contributions, goal_number=number, fiscal_year_label=fy),
    key="contributions",
    file_name=f"goal-{number}-bureaus-{fy_key}.csv",
)
st.dataframe(
    view.bureau_detail_table(contributions),
    hide_index=True,
    width="stretch",
    column_config={"Open": st.column_config.LinkColumn("Open", display_text="Open", help="The bureau page")},
)

st.header("The health of its measures")
ui.chart(
    charts.health_chart(headline.health, title=f"Goal {number}: measures by health, {fy}"),
    table=view.health_table(headline.health),
    alt=view.health_alt(headline.health, subject=f"under goal {number}", fiscal_year_label=fy),
    key="health",
    file_name=f"goal-{number}-health-{fy_key}.csv",
)

st.header("By focus area")
focus = view.focus_area_breakdown(
    analytics, goals=goals, focus_areas=ctx.read("focus_areas"), citywide_goal_id=goal_id
)
ui.chart(
    charts.breakdown_chart(focus, by="focus area", goal_number=number, fiscal_year_label=fy),
    table=view.breakdown_table(focus, heading="Focus area"),
    alt=view.breakdown_alt(focus, by="focus area", goal_number=number, fiscal_year_label=fy),
    key="focus-areas",
    file_name=f"goal-{number}-focus-areas-{fy_key}.csv",
)

st.header("By strategy")
st.markdown("A bureau goal that names several strategies counts under each of them.")
by_strategy = view.strategy_breakdown(
    analytics,
    goals=goals,
    strategies=ctx.read("strategies"),
    links=ctx.read("goal_strategy_links"),
    citywide_goal_id=goal_id,
)
ui.chart(
    charts.breakdown_chart(by_strategy, by="strategy", goal_number=number, fiscal_year_label=fy),
    table=view.breakdown_table(by_strategy, heading="Strategy"),
    alt=view.breakdown_alt(by_strategy, by="strategy", goal_number=number, fiscal_year_label=fy),
    key="strategies",
    file_name=f"goal-{number}-strategies-{fy_key}.csv",
)
