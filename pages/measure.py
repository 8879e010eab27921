"""One performance measure: turning the curve, its values by race/ethnicity, its data and notes."""

import streamlit as st

from equity_tracking import rules, suppression, ui
from equity_tracking.charts import measure as charts
from equity_tracking.dashboards import intros
from equity_tracking.dashboards import measure as view
from equity_tracking.dashboards.common import (
    WHO_REPORTS,
    bureau_code_param,
    bureau_options,
    bureau_row,
    fiscal_year_key,
    number_param,
)
from equity_tracking.formatting import date_text, md
from equity_tracking.navigation import BUREAU, MEASURE
from equity_tracking.periods import fiscal_year_label

ctx = ui.guard("measure")
st.title("Measures")
ui.page_intro(intros.MEASURE, last_updated=ctx.last_updated())
bureaus = ctx.read("bureaus")
definitions = ctx.read("measure_definitions")
if bureaus.empty or definitions.empty:
    st.info(
        "No performance measures are in the database yet, so there is nothing to show. The Office of "
        "Equity and Human Rights adds each bureau's measures with its plan; an administrator can load the "
        "demo city with `python -m equity_tracking load-demo`."
    )
    st.stop()
# A link may carry only ?measure=87: the measure's bureau is chosen for it (and wins over any other).
owner = view.bureau_code_for_measure(
    definitions, bureaus, ctx.read("plans"), number_param(st.query_params.get(MEASURE, ""))
)
if owner is not None:
    st.query_params[BUREAU] = owner
code = ui.url_choice(
    BUREAU,
    bureau_options(bureaus),
    label="Bureau",
    normalize=bureau_code_param,
    resets=(MEASURE,),
    not_found=lambda asked: f"No bureau with the code “{asked}” is in the tracker. Choose one below.",
    list_link=("Every bureau, on the citywide overview", "home", {}),
)
bureau = bureau_row(bureaus, code)
bureau_id = int(bureau["id"])
goals = ctx.read("goals", bureau_id=bureau_id)
measures = view.adopted_measures(
    ctx.read("measures", bureau_id=bureau_id), goals, ctx.read("plans", bureau_id=bureau_id)
)
if measures.empty:
    st.info(f"{md(bureau['name'])} has no performance measures in the tracker yet. {WHO_REPORTS}")
    st.stop()
measure_id = int(
    ui.url_choice(
        MEASURE,
        view.measure_options(measures),
        label="Measure",
        normalize=number_param,
        not_found=lambda asked: (
            f"No measure numbered “{asked}” is in the tracker. Choose one of "
            f"{md(bureau['name'])}'s measures below."
        ),
        list_link=(
            f"Every measure of {bureau['name']}, in its scorecard",
            "bureau",
            {"bureau": bureau["code"]},
        ),
    )
)
year = ui.pick_fiscal_year(ctx)
fy, fy_key = fiscal_year_label(year), fiscal_year_key(year)
deadline = date_text(rules.reporting_deadline(year))


def _build():
    """The page's tables and figures for this measure and year (cached)."""
    measure = measures[measures["id"] == measure_id].iloc[0]
    action_id = view.action_id_of(measure)
    public = ctx.analytics(year)
    page = view.measure_page(
        measure,
        status=view.status_row(public.measure_status, measure_id),
        history=ctx.read(
            "measure_history",
            measure_id=measure_id,
            include_superseded=True,
        ),
        interim=ctx.read("interim_target_frame"),
        updates=view.no_updates() if action_id is None else ctx.read("action_updates", action_id=action_id),
        goals=goals,
        actions=ctx.read("actions", bureau_id=bureau_id),
        bureau_name=str(bureau["name"]),
        groups=ctx.read("race_groups"),
        public_groups=public.group_shares([measure_id]),
        as_of=rules.reporting_deadline(year),
    )
    return page, charts.page_figures(page, fiscal_year_label=fy)


page, figures = ctx.memo("measure-page", _build, measure_id=measure_id, year=year)
measure = page.measure

st.header(md(measure["name"]))
st.caption(md(page.describe))
if str(measure.get("rba_category")) in view.RBA_TEXT:  # the line above asks the measure's RBA question
    ui.terms("RBA category")
ui.link(f"{bureau['name']}: the bureau's plan", "bureau", bureau=bureau["code"], fy=fy_key)
st.markdown(f"Source: {md(measure['data_source'] or 'not recorded')}")
if not page.headline:
    st.info(
        f"No values for this measure had been published by {deadline}, the reporting deadline for {fy}. "
        + WHO_REPORTS,
        icon=":material/info:",
    )
else:
    head = page.headline
    with st.container(horizontal=True):
        ui.tile("Current", head["current"])
        ui.tile("Prior", head["prior"])
        ui.tile("Target", head["target"])
        ui.tile(
            "Progress to target",
            head["progress"],
            help=md(head["progress_help"]),
        )
        ui.tile("Forecast", head["forecast"], help=md(head["forecast_help"]))
        ui.tile("Next value due", head["next_due"])
    st.caption(md(head["periods"]))
    with st.container(horizontal=True):
        for badge in head["badges"]:
            st.badge(md(badge["text"]), color=badge["colour"], help=md(badge["help"]))
    expected = (
        f"Expected by {md(head['current_period'])}: **{head['expected']}** · " if head["directional"] else ""
    )
    st.markdown(f"{expected}Change since the first value: **{head['baseline_change']}**")

st.subheader("Turning the curve")
if "curve" in figures:
    ui.chart(
        figures["curve"],
        table=page.curve_table.drop(columns="value"),
        data=page.curve_table.rename(columns={"Series": "series", "Period": "period", "Value": "value_text"}),
        alt=page.curve_alt,
        key="curve",
        file_name=f"measure-{measure_id}-curve-{fy_key}.csv",
    )
else:
    st.info("There is no baseline, target or value to draw yet.")

if measure["disaggregated"]:
    st.subheader("By race/ethnicity")
    if page.groups.empty:
        st.info(f"No values by race/ethnicity had been published by {deadline}. {WHO_REPORTS}")
    else:
        if page.any_suppressed:
            st.caption(suppression.NOTE)
        ui.chart(
            figures["groups"],
            table=view.group_table(page.groups),
            data=view.group_data(page.groups),
            alt=page.group_alt,
            key="groups",
            file_name=f"measure-{measure_id}-groups-{fy_key}.csv",
        )

st.subheader("Data")
if page.data.empty:
    st.info(f"No values had been published by {deadline}. {WHO_REPORTS}")
else:
    with ui.section(f"Every value published by {deadline} ({len(page.data):,})", key="data"):
        ui.table(page.data, key="values")
    ui.download(page.data_download, file_name=f"measure-{measure_id}-data-{fy_key}.csv", key="data")

st.subheader("Notes and updates")
if page.action_title:
    st.caption(f"Notes on the values, and status updates on the related action: {md(page.action_title)}.")
if page.timeline.empty:
    st.info(f"No notes or action updates had been reported by {deadline}.")
else:
    with ui.section(
        f"Notes and updates ({len(page.timeline):,})", key="timeline", expanded=len(page.timeline) <= 3
    ):
        for row in page.timeline.itertuples():
            st.markdown(f"**{row.Date}** · {md(row.What)}")
            ui.text(row.Text)
