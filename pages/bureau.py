"""One bureau: its racial equity plan, goals, actions, results scorecard and disparities by race."""

import streamlit as st

from equity_tracking import rules, ui
from equity_tracking.analytics.states import ACTION_STATUS, HEALTH
from equity_tracking.charts import bureau as charts
from equity_tracking.dashboards import bureau as view
from equity_tracking.formatting import csv_bytes
from equity_tracking.periods import fiscal_year_label
from equity_tracking.rules import reporting_deadline


def _build(bureau_id: int, year: int):
    """The page's tables and figures for one bureau and year."""
    plan = rules.plan_for_fiscal_year(ctx.read("plans", bureau_id=bureau_id), year)
    if plan is None:
        return None, {}
    page = view.bureau_page(
        ctx.analytics(year),
        plan=plan,
        goals=view.plan_goals(ctx.read("goals", bureau_id=bureau_id), int(plan["id"])),
        measures=ctx.read("measures", bureau_id=bureau_id),
        updates=ctx.read("action_updates", bureau_id=bureau_id),
        definitions=ctx.read("measure_definitions").set_index("measure_id"),
        benchmarks=ctx.read("benchmark_share_frame"),
        groups=ctx.read("race_groups"),
        memberships=ctx.read("race_group_membership_frame"),
        year=year,
        fiscal_year_key=ui.fiscal_year_key(year),
        fiscal_year_label=fiscal_year_label(year),
    )
    return page, charts.page_figures(page, fiscal_year_label=fiscal_year_label(year))


ctx = ui.guard("bureau")
st.title("Bureaus")
bureaus = ctx.read("bureaus")
if bureaus.empty:
    st.info(
        "No bureaus are in the database yet, so there is no plan to show. An equity-office "
        "administrator can import the bureaus and their plans, or load the demo city with "
        "`python -m equity_tracking load-demo`."
    )
    st.stop()
options = view.bureau_options(bureaus)
bureau = view.bureau_row(bureaus, ui.choice_picker("Bureau", options, key="bureau"))
year = ui.pick_fiscal_year(ctx)
fy, fy_key, deadline = (
    fiscal_year_label(year),
    ui.fiscal_year_key(year),
    view.date_text(reporting_deadline(year)),
)
bureau_id = int(bureau["id"])
page, figures = ctx.memo("bureau-page", lambda: _build(bureau_id, year), bureau_id=bureau_id, year=year)

st.header(bureau["name"])
if bureau["earlier_names"]:
    st.caption(f"Formerly: {bureau['earlier_names']}.")
if page is None:
    st.info(
        f"{bureau['name']} has no racial equity plan in the tracker for {fy}. The bureau's equity "
        "lead can send its plan to the Office of Equity and Human Rights, which imports plans.",
        icon=":material/info:",
    )
    st.stop()

# --- the plan summary -----------------------------------------------------------------------------
summary = page.summary
st.subheader(summary["title"])
st.caption(
    f"{summary['span']} · version {summary['version']} · {summary['status_text']} · "
    f"adopted {summary['adopted_text']}"
)
if page.measures_reported_in_year == 0 and summary["n_measures"]:
    st.warning(
        f"{bureau['name']} has not reported any values for {fy} by its reporting deadline ({deadline}); "
        "the figures are the latest it reported before then. " + view.WHO_ENTERS_VALUES,
        icon=":material/hourglass_bottom:",
    )
with st.container(horizontal=True):
    st.metric(
        "Overall progress",
        summary["progress_text"],
        help=f"Mean progress to target of the plan's goals. {summary['progress_reason']}",
        border=True,
        width=165,
    )
    st.metric(
        "Updated on time",
        summary["freshness_text"],
        help=(
            f"Measures and actions updated on time: {summary['measures_current']} of "
            f"{summary['measures_expected']} measures and {summary['actions_current']} of "
            f"{summary['n_actions']} actions."
        ),
        border=True,
        width=165,
    )
    st.metric("⚠ Actions overdue", f"{summary['actions_overdue']:,}", border=True, width=165)
st.markdown(f"**{summary['n_measures']:,} measures by health**")
with st.container(horizontal=True):
    for label, value in view.count_tiles(summary["health"], HEALTH, always=("on_track", "behind", "at_risk")):
        st.metric(label, value, border=True, width=165)
st.markdown(f"**{summary['n_actions']:,} actions by status**")
with st.container(horizontal=True):
    for label, value in view.count_tiles(
        summary["actions"], ACTION_STATUS, always=("completed", "on_track", "major_disruption")
    ):
        st.metric(label, value, border=True, width=165)
# --- goals ----------------------------------------------------------------------------------------
st.header("Goals")
if page.goals.empty:
    st.info(
        "This plan has no goals in the tracker yet. The bureau's equity lead can add them, each mapped "
        "to a citywide goal and a focus area."
    )
else:
    st.dataframe(
        page.goals,
        hide_index=True,
        width="stretch",
        column_config={
            "Goal": st.column_config.TextColumn("Goal", width="medium"),
            "Progress": st.column_config.ProgressColumn(
                "Progress", min_value=0, max_value=100, format="%.1f %%", width="small"
            ),
            "Progress to target": None,
        },
    )
    ui.chart(
        figures["goal-health"],
        table=page.goal_health[page.goal_health["Measures"] > 0][["Goal", "Health", "Measures"]],
        alt=page.goals_alt,
        key="goal-health",
        file_name=f"{bureau['code']}-goals-{fy_key}.csv",
    )

# --- actions --------------------------------------------------------------------------------------
st.header("Actions")
if page.actions.empty:
    st.info("This plan has no actions in the tracker yet. The bureau's equity lead can add them.")
else:
    st.caption(f"Status as of {deadline}, with the latest update reported by then.")
    st.dataframe(
        page.actions,
        hide_index=True,
        width="stretch",
        column_config={
            "Action": st.column_config.TextColumn("Action", width="medium"),
            "Latest update": st.column_config.TextColumn("Latest update", width="large"),
        },
    )

# --- results scorecard ----------------------------------------------------------------------------
st.header("Results scorecard")
if page.scorecard.empty:
    st.info(
        "This plan has no performance measures in the tracker yet. The bureau's equity lead can add "
        "them with a baseline and a target."
    )
else:
    if page.measures_with_values == 0:
        st.info(
            f"{bureau['name']} had not published any values by {deadline}, so nothing can be judged yet. "
            + view.WHO_ENTERS_VALUES,
            icon=":material/info:",
        )
    st.caption(
        "Current and prior are the two latest values; variance and % of target compare the current value "
        "with the target; the trend counts the periods it has run; the forecast extends a straight line "
        "through recent values to the target period. Open a measure for its chart."
    )
    st.dataframe(
        page.scorecard.drop(columns="measure_id"),
        hide_index=True,
        width="stretch",
        column_config={
            "Open": st.column_config.LinkColumn("Open", display_text="Open", width="small"),
            "Measure": st.column_config.TextColumn("Measure", width="medium"),
        },
    )
    st.download_button(
        "Download the scorecard (CSV)",
        data=csv_bytes(page.scorecard.drop(columns=["Open", "measure_id"])),
        file_name=f"{bureau['code']}-scorecard-{fy_key}.csv",
        mime="text/csv",
        icon=":material/download:",
    )

# --- disparities ----------------------------------------------------------------------------------
st.header("Disparities by race: workforce and contracting")
if not page.disparities:
    st.info(
        "This plan has no workforce or contracting measure broken down by race/ethnicity. The bureau's "
        "equity lead can add one (for example employees by race/ethnicity) to compare with the city's "
        "population."
    )
else:
    st.caption(view.SCORE_CAVEAT)
    st.caption(view.SUPPRESSED_NOTE)
for panel in page.disparities:
    with st.container(border=True):
        st.subheader(panel.name)
        st.caption(f"{panel.focus_area} · [Open this measure]({panel.link})")
        st.metric(
            "Equity score",
            panel.card["score_text"],
            delta=panel.card["change_text"],
            help=f"{view.SCORE_CAVEAT} {panel.card['change_reason']}",
            border=True,
            width=260,
        )
        st.markdown(panel.card["text"])
        if panel.table.empty:
            st.info(
                f"No values by race/ethnicity had been published by {deadline}. " + view.WHO_ENTERS_VALUES
            )
        elif panel.kind == "shares":
            ui.chart(
                figures[f"shares-{panel.measure_id}"],
                table=panel.table[
                    ["Group", "Count", "Share", "Benchmark share", "Representation index", "Reading"]
                ],
                alt=panel.alt,
                key=f"shares-{panel.measure_id}",
                file_name=f"{bureau['code']}-{panel.key}-shares-{fy_key}.csv",
            )
        else:
            st.dataframe(panel.table[["Group", "Value"]], hide_index=True, width="stretch")
