"""Compare bureaus: one focus area, or one measure that several bureaus report, side by side."""

import streamlit as st

from equity_tracking import ui
from equity_tracking.charts import compare as charts
from equity_tracking.charts.goal import health_chart
from equity_tracking.dashboards import compare as view
from equity_tracking.dashboards.citywide import health_counts
from equity_tracking.dashboards.goal import bureau_chart_table, bureau_detail_table, health_alt, health_table
from equity_tracking.formatting import percent
from equity_tracking.periods import fiscal_year_label

ctx = ui.guard("compare")
st.title("Compare bureaus")
st.markdown(
    "Choose a **focus area** of the racial equity plans, or a **measure** that several bureaus report, "
    "and see how the bureaus compare on it."
)
mode = st.segmented_control(
    "Compare by", view.MODES, default=view.BY_FOCUS_AREA, required=True, key="by", bind="query-params"
)
LINK = {"Open": st.column_config.LinkColumn("Open", display_text="Open", help="The bureau's page")}

if mode == view.BY_MEASURE:
    definitions = ctx.read("measure_definitions")
    names = view.shared_measure_names(definitions)
    if not names:
        st.info(
            "No measure is reported under the same name by two or more bureaus yet, so there is nothing "
            "to compare. When bureaus adopt the same measure (for example the share of new hires who are "
            "people of color), the Office of Equity and Human Rights can give it one common name in "
            "every plan, and it will appear here."
        )
        st.stop()
    name = ui.choice_picker(
        "Measure", names, key="measure_name", help="Measures that at least two bureaus report."
    )
    year = ui.pick_fiscal_year(ctx)
    fy = fiscal_year_label(year)
    comparison = view.measure_comparison(
        ctx.analytics(year),
        definitions=definitions,
        bureaus=ctx.read("bureaus", include_inactive=True),
        name=name,
        fiscal_year=year,
    )
    st.header(name)
    units = ", ".join(view.UNIT_NAMES.get(unit, unit) for unit in comparison["unit"].unique())
    polarity = "; ".join(view.POLARITY_TEXT.get(value, value) for value in comparison["polarity"].unique())
    st.caption(f"Unit: {units}. {polarity}.")
    counts = view.health_counts(comparison)
    tiles = st.columns(3)
    tiles[0].metric("Bureaus reporting it", f"{comparison['bureau_id'].nunique():,}", border=True)
    tiles[1].metric(
        "★ ✓ Measures achieved or on track",
        f"{counts['achieved'] + counts['on_track']:,} of {len(comparison):,}",
        border=True,
    )
    tiles[2].metric(
        "! ✕ Measures behind or at risk",
        f"{counts['behind'] + counts['at_risk']:,} of {len(comparison):,}",
        border=True,
    )

    st.subheader("Latest value and target")
    for unit, part in view.by_unit(comparison):
        ui.chart(
            charts.value_chart(part, name=name, unit=unit, fiscal_year_label=fy),
            table=view.value_chart_table(part),
            alt=view.value_alt(part, name=name, fiscal_year_label=fy),
            key=f"values-{unit}",
            file_name=f"compare-values-{unit}-{ui.fiscal_year_key(year)}.csv",
        )

    st.subheader("Progress to target and health")
    ui.chart(
        charts.measure_progress_chart(comparison, name=name, fiscal_year_label=fy),
        table=view.progress_chart_table(comparison),
        alt=view.progress_alt(comparison, name=name, fiscal_year_label=fy),
        key="progress",
        file_name=f"compare-progress-{ui.fiscal_year_key(year)}.csv",
    )
    st.dataframe(view.measure_table(comparison), hide_index=True, width="stretch", column_config=LINK)
else:
    focus_areas = ctx.read("focus_areas")
    if focus_areas.empty:
        st.info(
            "The plan focus areas are not in the database yet, so there is nothing to compare. An "
            "equity-office administrator can load them with the plans, or load the demo city with "
            "`python -m equity_tracking load-demo`."
        )
        st.stop()
    key = ui.choice_picker("Focus area", view.focus_options(focus_areas), key="focus")
    area = focus_areas[focus_areas["key"] == key].iloc[0]
    year = ui.pick_fiscal_year(ctx)
    fy = fiscal_year_label(year)
    analytics = ctx.analytics(year)
    bureaus = ctx.read("bureaus", include_inactive=True)
    comparison = view.focus_area_comparison(
        analytics,
        goals=ctx.read("goals"),
        bureaus=bureaus,
        focus_area_id=int(area["id"]),
        fiscal_year_key=ui.fiscal_year_key(year),
    )
    st.header(area["name"])
    if isinstance(area["description"], str) and area["description"]:
        st.markdown(area["description"])
    row = view.focus_area_row(analytics, int(area["id"]))
    if comparison.empty or row is None:
        st.info(
            f"No bureau has a goal in {area['name']} yet, so there is nothing to compare. Bureaus assign "
            "each goal of their racial equity plan to a focus area; the Office of Equity and Human Rights "
            "can ask bureaus to add goals here, or correct the focus area when it imports a plan.",
            icon=":material/info:",
        )
        st.stop()
    tiles = st.columns(3)
    tiles[0].metric(
        "Progress to target",
        percent(row["progress_pct"]),
        help=f"Mean progress of every bureau goal in this focus area. {row['progress_reason']}",
        border=True,
    )
    active = ctx.read("bureaus")
    tiles[1].metric("Bureaus with goals here", view.coverage_text(comparison, active), border=True)
    tiles[2].metric("Bureau goals", f"{int(row['n_goals']):,}", border=True)

    missing = view.bureaus_without(comparison, active)
    if missing:
        st.caption(f"No goal in this focus area: {', '.join(missing)}.")

    st.subheader("Bureaus ranked by progress")
    ui.chart(
        charts.focus_chart(comparison, focus_name=area["name"], fiscal_year_label=fy),
        table=bureau_chart_table(comparison),
        alt=view.focus_alt(comparison, focus_name=area["name"], fiscal_year_label=fy),
        key="focus",
        file_name=f"compare-{key}-{ui.fiscal_year_key(year)}.csv",
    )

    st.subheader("Each bureau's goals and measures")
    st.dataframe(bureau_detail_table(comparison), hide_index=True, width="stretch", column_config=LINK)
    st.subheader("The health of every measure in it")
    health = health_counts(row)
    ui.chart(
        health_chart(health, title=f"{area['name']}: measures by health, {fy}"),
        table=health_table(health),
        alt=health_alt(health, subject=f"in {area['name']}", fiscal_year_label=fy),
        key="focus-health",
        file_name=f"compare-{key}-health-{ui.fiscal_year_key(year)}.csv",
    )
