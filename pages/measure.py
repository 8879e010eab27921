"""One performance measure: turning the curve, its values by race/ethnicity, its data and notes."""

import streamlit as st

from equity_tracking import ui
from equity_tracking.charts import measure as charts
from equity_tracking.dashboards import bureau as bureau_view
from equity_tracking.dashboards import measure as view
from equity_tracking.formatting import csv_bytes
from equity_tracking.periods import fiscal_year_label
from equity_tracking.rules import reporting_deadline


def _build(measure_id: int, year: int):
    """The page's tables and figures for one measure and year."""
    definitions = ctx.read("measure_definitions")
    bureau_id = int(definitions.loc[definitions["measure_id"] == measure_id, "bureau_id"].iat[0])
    measures = ctx.read("measures", bureau_id=bureau_id)
    measure = measures[measures["id"] == measure_id].iloc[0]
    action_id = view.action_id_of(measure)
    page = view.measure_page(
        measure,
        status=view.status_row(ctx.analytics(year).measures, measure_id),
        history=ctx.read(
            "measure_history",
            measure_id=measure_id,
            published_only=ctx.published_only,
            include_superseded=True,
        ),
        interim=ctx.read("interim_target_frame"),
        updates=(view.no_updates() if action_id is None else ctx.read("action_updates", action_id=action_id)),
        goals=ctx.read("goals", bureau_id=bureau_id),
        actions=ctx.read("actions", bureau_id=bureau_id),
        bureau_name=str(ctx.read("bureaus").set_index("id").at[bureau_id, "name"]),
        groups=ctx.read("race_groups"),
        memberships=ctx.read("race_group_membership_frame"),
        as_of=reporting_deadline(year),
    )
    return page, charts.page_figures(page, fiscal_year_label=fiscal_year_label(year))


ctx = ui.guard("measure")
st.title("Measures")
bureaus = ctx.read("bureaus")
definitions = ctx.read("measure_definitions")
if bureaus.empty or definitions.empty:
    st.info(
        "No performance measures are in the database yet, so there is nothing to show. Bureaus' equity "
        "leads add measures to their plans; an equity-office administrator can import plans, or load the "
        "demo city with `python -m equity_tracking load-demo`."
    )
    st.stop()
# Links carry ?measure=87&fy=2018-19 (the bureau is found from the measure) or ?bureau=TR.
view.seed_bureau_from_measure(st.session_state, st.query_params, definitions=definitions, bureaus=bureaus)
options = bureau_view.bureau_options(bureaus)
bureau = bureau_view.bureau_row(bureaus, ui.choice_picker("Bureau", options, key="bureau"))
measures = ctx.read("measures", bureau_id=int(bureau["id"]))
if measures.empty:
    st.info(
        f"{bureau['name']} has no performance measures in the tracker yet. The bureau's equity lead can "
        "add them to its racial equity plan, each with a baseline and a target."
    )
    st.stop()
measure_options = view.measure_options(measures)
measure_id = int(ui.choice_picker("Measure", measure_options, key="measure"))
year = ui.pick_fiscal_year(ctx)
fy, fy_key = fiscal_year_label(year), ui.fiscal_year_key(year)
deadline = bureau_view.date_text(reporting_deadline(year))
page, figures = ctx.memo("measure-page", lambda: _build(measure_id, year), measure_id=measure_id, year=year)
measure = page.measure

st.header(measure["name"])
st.caption(page.describe)
st.markdown(
    f"[{bureau['name']}]({bureau_view.bureau_link(bureau['code'], fy_key)}) · Source: "
    f"{measure['data_source'] or 'not recorded'}"
)
if not page.headline:
    st.info(
        f"No values for this measure had been published by {deadline}, the reporting deadline for {fy}. "
        + bureau_view.WHO_ENTERS_VALUES,
        icon=":material/info:",
    )
else:
    head = page.headline
    with st.container(horizontal=True):
        st.metric("Current", head["current"], border=True, width=165)
        st.metric("Prior", head["prior"], border=True, width=165)
        st.metric("Target", head["target"], border=True, width=165)
        st.metric("Progress to target", head["progress"], help=head["progress_help"], border=True, width=165)
        st.metric("Forecast", head["forecast"], help=head["forecast_help"], border=True, width=165)
    st.caption(head["periods"])
    with st.container(horizontal=True):
        for badge in head["badges"]:
            st.badge(badge["text"], color=badge["colour"], help=badge["help"])
    st.markdown(
        f"Expected by {head['current_period']}: **{head['expected']}** · Change since the first value: "
        f"**{head['baseline_change']}**"
    )

st.subheader("Turning the curve")
if "curve" in figures:
    ui.chart(
        figures["curve"],
        table=page.curve_table,
        alt=page.curve_alt,
        key="curve",
        file_name=f"measure-{measure_id}-curve-{fy_key}.csv",
    )
else:
    st.info(
        "There is no baseline, target or value to draw yet. The bureau's equity lead can set the "
        "baseline and target and enter values."
    )

if measure["disaggregated"]:
    st.subheader("By race/ethnicity")
    if page.groups.empty:
        st.info(
            f"No values by race/ethnicity had been published by {deadline}. " + bureau_view.WHO_ENTERS_VALUES
        )
    else:
        if page.any_suppressed:
            st.caption(bureau_view.SUPPRESSED_NOTE)
        ui.chart(
            figures["groups"],
            table=page.group_table,
            alt=page.group_alt,
            key="groups",
            file_name=f"measure-{measure_id}-groups-{fy_key}.csv",
        )

st.subheader("Data")
if page.data.empty:
    st.info(f"No values had been published by {deadline}. " + bureau_view.WHO_ENTERS_VALUES)
else:
    st.dataframe(
        page.data,
        hide_index=True,
        width="stretch",
        column_config={"Note": st.column_config.TextColumn("Note", width="large")},
    )
    st.download_button(
        "Download the data (CSV)",
        data=csv_bytes(page.data),
        file_name=f"measure-{measure_id}-data-{fy_key}.csv",
        mime="text/csv",
        icon=":material/download:",
    )

st.subheader("Notes and updates")
if page.action_title:
    st.caption(f"Notes on the values, and status updates on the related action: {page.action_title}.")
if page.timeline.empty:
    st.info(
        f"No notes or action updates had been reported by {deadline}. The bureau's equity lead adds notes "
        "with values and reports on actions at least once a year."
    )
else:
    st.markdown("\n".join(f"- **{row.Date}** · {row.What}: {row.Text}" for row in page.timeline.itertuples()))
