"""Compare bureaus: one focus area, or one measure that several bureaus report, side by side."""

import streamlit as st

from equity_tracking import ui
from equity_tracking.analytics.states import HEALTH
from equity_tracking.charts import compare as charts
from equity_tracking.charts.style import health_chart
from equity_tracking.dashboards import compare as view
from equity_tracking.dashboards import intros
from equity_tracking.dashboards.common import (
    bureau_chart_table,
    bureau_detail_table,
    fiscal_year_key,
    health_counts,
    health_tables,
)
from equity_tracking.formatting import md, percent
from equity_tracking.periods import fiscal_year_label

ctx = ui.guard("compare")
st.title("Compare bureaus")
ui.page_intro(intros.COMPARE, last_updated=ctx.last_updated())
st.markdown(
    "Choose a **focus area** of the racial equity plans, or a **measure** that several bureaus report, "
    "and see how the bureaus compare on it."
)
ui.terms("Focus area")
mode = st.segmented_control(
    "Compare by", view.MODES, default=view.BY_FOCUS_AREA, required=True, key="by", bind="query-params"
)

if mode == view.BY_MEASURE:
    definitions = ctx.read("measure_definitions")
    names = view.shared_measure_names(definitions)
    if not names:
        st.info(
            "No measure is reported under the same name by two or more bureaus yet, so there is nothing to "
            "compare. When bureaus adopt the same measure (for example the share of new hires who are people "
            "of color), the Office of Equity and Human Rights can give it one common name in every plan."
        )
        st.stop()
    name = ui.url_choice(
        "measure_name",
        names,
        label="Measure",
        help="Measures that at least two bureaus report.",
        not_found=lambda asked: (
            f"No measure called “{asked}” is reported by two or more bureaus. Choose one below."
        ),
    )
    year = ui.pick_fiscal_year(ctx)
    fy, fy_key = fiscal_year_label(year), fiscal_year_key(year)
    comparison = view.measure_comparison(
        ctx.analytics(year),
        definitions=definitions,
        bureaus=ctx.read("bureaus", include_inactive=True),
        name=name,
        fiscal_year=year,
    )
    st.header(md(name))
    units = ", ".join(view.UNIT_NAMES.get(unit, unit) for unit in comparison["unit"].unique())
    polarity = "; ".join(view.POLARITY_TEXT.get(value, value) for value in comparison["polarity"].unique())
    st.caption(f"Unit: {units}. {polarity}.")
    counts = view.health_counts(comparison)
    tiles = st.columns(3)
    tiles[0].metric("Bureaus reporting it", f"{comparison['bureau_id'].nunique():,}", border=True)
    if comparison["polarity"].eq("neutral").all():
        tiles[1].metric(f"{HEALTH['tracked'].icon} Tracked, not judged", f"{len(comparison):,}", border=True)
    else:
        tiles[1].metric(
            "★ ✓ Achieved or on track",
            f"{counts['achieved'] + counts['on_track']:,} of {len(comparison):,}",
            border=True,
        )
        tiles[2].metric(
            "! ✕ ⊘ Behind, at risk or missed",
            f"{counts['behind'] + counts['at_risk'] + counts['missed']:,} of {len(comparison):,}",
            border=True,
        )

    st.subheader("Latest value and target")
    for unit, part in view.by_unit(comparison):
        ui.chart(
            charts.value_chart(part, name=name, unit=unit, fiscal_year_label=fy),
            table=view.value_chart_table(part),
            data=part[
                [
                    "code",
                    "bureau",
                    "key",
                    "unit",
                    "current_value",
                    "current_period",
                    "target_value",
                    "target_period",
                ]
            ],
            alt=view.value_alt(part, name=name, fiscal_year_label=fy),
            key=f"values-{unit}",
            file_name=f"compare-values-{unit}-{fy_key}.csv",
        )
    if not comparison["polarity"].eq("neutral").all():
        st.subheader("Progress to target and health")
        ui.chart(
            charts.measure_progress_chart(comparison, name=name, fiscal_year_label=fy),
            table=view.progress_chart_table(comparison),
            data=comparison[["code", "bureau", "key", "progress_pct", "health"]],
            alt=view.progress_alt(comparison, name=name, fiscal_year_label=fy),
            key="progress",
            file_name=f"compare-progress-{fy_key}.csv",
        )
    with ui.section("Every bureau's figures (table)", key="measure-table"):
        ui.dataframe(view.measure_table(comparison), hide_index=True, width="stretch")
        ui.download(
            comparison[
                [
                    "code",
                    "bureau",
                    "measure_id",
                    "key",
                    "unit",
                    "polarity",
                    "current_value",
                    "current_period",
                    "target_value",
                    "target_period",
                    "progress_pct",
                    "health",
                    "health_reason",
                ]
            ],
            file_name=f"compare-measure-{fy_key}.csv",
            label="Download every bureau's figures (CSV)",
            key="measure-table",
        )
    with ui.section("Open a bureau's page", key="measure-links"):
        ui.links(
            [
                (label, "bureau", {"bureau": code, "fy": fy_key})
                for label, code in zip(comparison["label"], comparison["code"], strict=True)
            ]
        )
else:
    focus_areas = ctx.read("focus_areas")
    if focus_areas.empty:
        st.info(
            "The plan focus areas are not in the database yet, so there is nothing to compare. An "
            "equity-office administrator can load them with the plans, or load the demo city with "
            "`python -m equity_tracking load-demo`."
        )
        st.stop()
    key = ui.url_choice(
        "focus",
        view.focus_options(focus_areas),
        label="Focus area",
        not_found=lambda asked: f"There is no focus area “{asked}”. Choose one below.",
    )
    area = focus_areas[focus_areas["key"] == key].iloc[0]
    year = ui.pick_fiscal_year(ctx)
    fy, fy_key = fiscal_year_label(year), fiscal_year_key(year)

    def _focus_build() -> dict:
        """The focus area's comparison, charts and tables for the year: built once, then redrawn."""
        public = ctx.analytics(year)
        comparison = view.focus_area_comparison(
            public,
            goals=ctx.read("goals"),
            bureaus=ctx.read("bureaus", include_inactive=True),
            focus_area_id=int(area["id"]),
        )
        row = view.focus_area_row(public, int(area["id"]))
        if comparison.empty or row is None:
            return {"comparison": comparison, "row": row}
        health = health_counts(row)
        tables = health_tables(health)
        return {
            "comparison": comparison,
            "row": row,
            "chart": charts.focus_chart(comparison, focus_name=area["name"], fiscal_year_label=fy),
            "chart_table": bureau_chart_table(comparison),
            "chart_data": comparison.drop(columns=["progress_text"]),
            "alt": view.focus_alt(comparison, focus_name=area["name"], fiscal_year_label=fy),
            "detail": bureau_detail_table(comparison),
            "health_chart": health_chart(health, title=f"{area['name']}: measures by health, {fy}"),
            "health_table": tables.table,
            "health_data": tables.data,
            "health_alt": f"Bar chart of the measures in {area['name']} by health: {tables.counts_text}.",
        }

    built = ctx.memo("compare-focus", _focus_build, focus=key, year=year)
    comparison, row = built["comparison"], built["row"]
    st.header(md(area["name"]))
    if isinstance(area["description"], str) and area["description"]:
        ui.text(area["description"])
    if comparison.empty or row is None:
        st.info(
            f"No bureau has a goal in {md(area['name'])} yet, so there is nothing to compare. Bureaus assign "
            "each goal of their racial equity plan to a focus area; the Office of Equity and Human Rights "
            "records it when it adds a plan.",
            icon=":material/info:",
        )
        st.stop()
    tiles = st.columns(3)
    tiles[0].metric(
        "Progress to target",
        percent(row["progress_pct"]),
        help=f"Mean progress of every bureau goal in this focus area. {md(row['progress_reason'])}",
        border=True,
    )
    active = ctx.read("bureaus")
    tiles[1].metric("Bureaus with goals here", view.coverage_text(comparison, active), border=True)
    tiles[2].metric("Bureau goals", f"{int(row['n_goals']):,}", border=True)
    missing = view.bureaus_without(comparison, active)
    if missing:
        st.caption(f"No goal in this focus area: {md(', '.join(missing))}.")

    st.subheader("Bureaus ranked by progress")
    ui.chart(
        built["chart"],
        table=built["chart_table"],
        data=built["chart_data"],
        alt=built["alt"],
        key="focus",
        file_name=f"compare-{key}-{fy_key}.csv",
    )
    with ui.section("Each bureau's goals and measures (table)", key="focus-table"):
        ui.dataframe(
            built["detail"],
            hide_index=True,
            width="stretch",
            column_config={"Progress (%)": st.column_config.NumberColumn(format="%.1f %%")},
        )
    with ui.section("Open a bureau's page", key="focus-links"):
        ui.links(
            [
                (name, "bureau", {"bureau": code, "fy": fy_key})
                for name, code in zip(comparison["name"], comparison["code"], strict=True)
            ]
        )
    st.subheader("The health of every measure in it")
    ui.chart(
        built["health_chart"],
        table=built["health_table"],
        data=built["health_data"],
        alt=built["health_alt"],
        key="focus-health",
        file_name=f"compare-{key}-health-{fy_key}.csv",
    )
