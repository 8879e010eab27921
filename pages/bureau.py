"""One bureau: its racial equity plan, annual narrative, goals, actions, results scorecard and
disparities by race/ethnicity."""

import streamlit as st

from equity_tracking import rules, ui
from equity_tracking.analytics.states import ACTION_STATUS, HEALTH
from equity_tracking.charts import bureau as charts
from equity_tracking.dashboards import bureau as view
from equity_tracking.dashboards import intros
from equity_tracking.dashboards.common import (
    HEADLINE_HEALTH,
    WHO_REPORTS,
    bureau_code_param,
    bureau_options,
    bureau_row,
    count_tiles,
    fiscal_year_choices,
    fiscal_year_key,
    is_baseline_year,
    narrative,
    unpublished_note,
)
from equity_tracking.formatting import date_text, md, plural
from equity_tracking.navigation import BUREAU
from equity_tracking.periods import fiscal_year_label
from equity_tracking.suppression import NOTE as SUPPRESSION_NOTE

ctx = ui.guard("bureau")
st.title("Bureaus")
ui.page_intro(intros.BUREAU, last_updated=ctx.last_updated())
bureaus = ctx.read("bureaus")
if bureaus.empty:
    st.info(
        "No bureaus are in the database yet, so there is no plan to show. An equity-office "
        "administrator can import the bureaus and their plans, or load the demo city with "
        "`python -m equity_tracking load-demo`."
    )
    st.stop()
code = ui.url_choice(
    BUREAU,
    bureau_options(bureaus),
    label="Bureau",
    normalize=bureau_code_param,
    not_found=lambda asked: (
        f"No bureau with the code “{asked}” is in the tracker. Choose one below, or see "
        "every bureau on the citywide overview."
    ),
    list_link=("Every bureau, on the citywide overview", "home", {}),
)
bureau = bureau_row(bureaus, code)
year = ui.pick_fiscal_year(ctx)
fy, fy_key = fiscal_year_label(year), fiscal_year_key(year)
deadline = date_text(rules.reporting_deadline(year))
baseline = is_baseline_year(year, fiscal_year_choices(ctx.read("plans")))
bureau_id = int(bureau["id"])
plan = rules.plan_for_fiscal_year(ctx.read("plans", bureau_id=bureau_id), year)

st.header(md(bureau["name"]))
if bureau["earlier_names"]:
    st.caption(f"Formerly: {md(bureau['earlier_names'])}.")
if plan is None:
    st.info(
        f"{md(bureau['name'])} had no racial equity plan in force for {fy}. The Office of Equity and Human "
        "Rights adds a bureau's plan once Council or the bureau adopts it.",
        icon=":material/info:",
    )
    st.stop()


def _build() -> dict:
    """Every table and figure of this bureau's page for the year: built once, then redrawn."""
    public = ctx.analytics(year)
    goals = view.plan_goals(ctx.read("goals", bureau_id=bureau_id), int(plan["id"]))
    measures = ctx.read("measures", bureau_id=bureau_id)
    plan_measures = measures[measures["goal_id"].isin(goals["id"])]
    health = view.goal_health(public, goals) if len(goals) else None
    benchmarks = ctx.read("benchmark_share_frame")
    panels = view.disparity_panels(
        public,
        measures=measures,
        goals=goals,
        groups=ctx.read("race_groups"),
        benchmark_names=dict(zip(benchmarks["benchmark_id"], benchmarks["benchmark_name"], strict=False)),
    )
    return {
        "summary": view.plan_summary(public, plan),
        "goals": goals,
        "reported": view.reported_in_year(public, plan_measures["id"], year),
        "has_measures": not plan_measures.empty,
        "goal_table": view.goal_table(public, goals, baseline=baseline),
        "goal_health": None if health is None else health.drop(columns="state"),
        "goal_chart": None if health is None else charts.goal_health_chart(health, fiscal_year_label=fy),
        "goal_data": view.goal_data(public, goals),
        "actions": view.actions_table(public, goals, ctx.read("action_updates", bureau_id=bureau_id)),
        "actions_data": view.actions_data(public, goals),
        "scorecard": view.scorecard(public, measures, goals, fiscal_year_key=fy_key),
        "scorecard_data": view.scorecard_data(public, measures, goals),
        "panels": panels,
        "panel_charts": {
            panel.measure_id: charts.shares_chart(
                panel.chart_rows,
                measure_name=panel.name,
                benchmark_name=panel.benchmark_name,
                period=panel.period,
            )
            for panel in panels
            if panel.kind == "shares" and not panel.table.empty
        },
    }


built = ctx.memo("bureau-page", _build, bureau=code, year=year)
summary, goals, panels = built["summary"], built["goals"], built["panels"]

# --- the plan summary -----------------------------------------------------------------------------
st.subheader(md(summary["title"]))
st.caption(
    md(
        f"{summary['span']} · version {summary['version']} · {summary['status_text']} · "
        f"adopted {summary['adopted_text']}"
    )
)
if summary["n_measures"] and built["reported"] == 0:
    st.warning(
        f"{md(bureau['name'])} had not reported any value for {fy} by its reporting deadline ({deadline}); "
        "the figures below are the latest it reported before then. " + WHO_REPORTS,
        icon=":material/hourglass_bottom:",
    )
with st.container(horizontal=True):
    ui.tile(
        "Overall progress",
        "Baseline year" if baseline else summary["progress_text"],
        help=f"Mean progress to target of the plan's goals; {summary['expected_text']} was expected by now. "
        + md(summary["progress_reason"]),
    )
    ui.tile("Expected by now", "—" if baseline else summary["expected_text"])
    ui.tile(
        "Updated on time",
        summary["freshness_text"],
        help=(
            f"Measures and actions updated on time: {summary['measures_current']} of "
            f"{summary['measures_expected']} measures and {summary['actions_current']} of "
            f"{summary['n_actions']} actions."
        ),
    )
    ui.tile(
        f"{ACTION_STATUS['overdue'].icon} Actions overdue",
        f"{summary['actions_overdue']:,}",
    )
st.markdown(f"**{plural(summary['n_measures'], 'measure')} by health**")
with st.container(horizontal=True):
    for label, value in count_tiles(summary["health"], HEALTH, always=HEADLINE_HEALTH):
        ui.tile(label, value)

# --- the annual narrative -------------------------------------------------------------------------
st.header(f"What {md(bureau['name'])} reported for {fy}")
reports = ctx.read("annual_reports", bureau_id=bureau_id, fiscal_year=year)
parts = narrative(reports.iloc[0]) if len(reports) else []
if parts and (note := unpublished_note(reports.iloc[0]["review_status"])):
    st.caption(f":material/visibility: {note}")
if not parts:
    st.info(f"No annual narrative for {fy} has been published. {WHO_REPORTS}", icon=":material/info:")
for heading, texts in parts:
    st.markdown(f"**{heading}**")
    for item in texts:
        ui.text(f"• {item}")

# --- goals ----------------------------------------------------------------------------------------
st.header("Goals")
if goals.empty:
    st.info(
        "This plan has no goals in the tracker yet. The Office of Equity and Human Rights adds them with "
        "the plan."
    )
else:
    ui.terms("Focus area")
    ui.table(built["goal_table"], key="goals")
    with ui.section("Measures by health under each goal (chart)", key="goal-health"):
        ui.chart(
            built["goal_chart"],
            table=built["goal_health"],
            data=built["goal_data"],
            alt=f"Stacked bars: the measures under each of the plan's {len(goals)} goals by health.",
            key="goal-health",
            file_name=f"{bureau['code']}-goals-{fy_key}.csv",
        )

# --- actions --------------------------------------------------------------------------------------
st.header("Actions")
actions = built["actions"]
if actions.empty:
    st.info("This plan has no actions in the tracker yet.")
else:
    counts = summary["actions"]
    st.markdown(
        " · ".join(
            f"{ACTION_STATUS[key].icon} {ACTION_STATUS[key].label} **{count:,}**"
            for key, count in counts.items()
            if count
        )
    )
    with ui.section(f"Every action, with its latest update by {deadline}", key="actions"):
        ui.table(actions, key="actions")
        ui.download(
            built["actions_data"],
            file_name=f"{bureau['code']}-actions-{fy_key}.csv",
            key="actions",
        )

# --- results scorecard ----------------------------------------------------------------------------
st.header("Results scorecard")
if not built["has_measures"]:
    st.info("This plan has no performance measures in the tracker yet.")
else:
    st.caption(
        "Health and when the next value is due come first; then the current and prior values, the target, "
        "the variance from it (in points for a percentage), the trend and how many periods it has run, "
        "the change since the first value, and a forecast at the target year. Select a measure's name for "
        "its chart."
    )
    ui.table(
        built["scorecard"],
        key="scorecard",
        links={"Measure": "measure_url"},
        # A phone gets the essentials; the measure's own page, and the download, have the rest.
        phone_columns=["Health", "Current", "Target", "Next value due"],
        phone_fold="Every measure, one card each",
    )
    ui.download(
        built["scorecard_data"],
        file_name=f"{bureau['code']}-scorecard-{fy_key}.csv",
        label="Download the scorecard (CSV)",
        key="scorecard",
    )

# --- disparities ----------------------------------------------------------------------------------
st.header("Disparities by race: workforce and contracting")
if not panels:
    st.info(
        "This plan has no workforce or contracting measure broken down by race/ethnicity, so there is "
        "nothing to compare with the city's population here."
    )
else:
    ui.terms("Equity score", "Representation index")
    st.caption(view.SCORE_CAVEAT)
    if any(panel.any_hidden for panel in panels):
        st.caption(SUPPRESSION_NOTE)
for panel in panels:
    with ui.section(f"{panel.name} · equity score: {panel.score_text}", key=f"panel-{panel.measure_id}"):
        st.caption(md(panel.focus_area))
        ui.link(f"Open the measure: {panel.name}", "measure", measure=panel.measure_id, fy=fy_key)
        ui.metric(
            "Equity score",
            panel.score_text,
            delta=panel.change_text,
            help=view.SCORE_CAVEAT,
            border=True,
            width=260,
        )
        ui.text(panel.sentence)
        if panel.table.empty:
            st.info(f"No values by race/ethnicity had been published by {deadline}.")
            continue
        if panel.kind == "shares":
            ui.chart(
                built["panel_charts"][panel.measure_id],
                table=panel.table,
                data=panel.data,
                alt=f"Bar chart of each group's share in {panel.period}"
                + (f" beside its share of {panel.benchmark_name}" if panel.benchmark_name else "")
                + ". Hidden figures are marked hidden.",
                key=f"shares-{panel.measure_id}",
                file_name=f"{bureau['code']}-measure-{panel.measure_id}-groups-{fy_key}.csv",
            )
        else:
            ui.table(panel.table, key=f"disparity-{panel.measure_id}")
            ui.download(
                panel.data,
                file_name=f"{bureau['code']}-measure-{panel.measure_id}-groups-{fy_key}.csv",
                key=f"values-{panel.measure_id}",
            )
        if panel.unknown_note:
            st.caption(md(panel.unknown_note))
