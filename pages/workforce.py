"""Workforce representation: is the city's workforce, and each bureau's, becoming more representative
of the city's residents?"""

import streamlit as st

from equity_tracking import ui
from equity_tracking.charts import workforce as charts
from equity_tracking.dashboards import intros
from equity_tracking.dashboards import workforce as view
from equity_tracking.dashboards.common import fiscal_year_key, number_param
from equity_tracking.periods import fiscal_year_label
from equity_tracking.suppression import NOTE as SUPPRESSION_NOTE

ctx = ui.guard("workforce")
st.title("Workforce representation")
ui.page_intro(intros.WORKFORCE, last_updated=ctx.last_updated())
st.markdown(
    "Each race/ethnicity group's share of the City's workforce, and of each bureau's, against its share of "
    "the city's residents. A **representation index** of 1.0 is parity; below 1.0 the group is "
    "under-represented. The **gap to parity** is how many more (or fewer) people of the group the workforce "
    "would need to match the residents."
)
ui.terms("Representation index")
year = ui.pick_fiscal_year(ctx)
fy, fy_key = fiscal_year_label(year), fiscal_year_key(year)
definitions = ctx.read("measure_definitions")
groups = ctx.read("race_groups")
grid = ctx.memo(
    "workforce-grid", lambda: view.workforce_grid(ctx.analytics(year), definitions, groups), year=year
)
if grid.empty or year not in view.years(grid):
    st.info(
        f"No bureau had published its headcount by race/ethnicity for {fy} by the reporting deadline, so "
        "there is nothing to add up yet. Bureaus report the headcount with their annual report.",
        icon=":material/info:",
    )
    st.stop()
bureaus = ctx.read("bureaus", include_inactive=True)
benchmark = view.benchmark_name(definitions, ctx.read("benchmark_share_frame"))
st.caption(SUPPRESSION_NOTE)


def _city_charts() -> dict:
    """The city's year and its years so far: built once per year, then redrawn for every viewer."""
    city = grid[(grid["fiscal_year"] == year) & (grid["bureau_id"] == 0)]
    over_time = view.city_over_time(grid)
    return {
        "year_chart": charts.city_year_chart(city, fiscal_year_label=fy, benchmark=benchmark),
        "year_table": view.city_year(grid, year),
        "year_data": view.grid_data(city, bureaus),
        "trend_chart": charts.city_trend_chart(over_time, benchmark=benchmark),
        "trend_table": view.city_over_time_table(over_time),
        "trend_data": view.grid_data(grid[grid["bureau_id"] == 0], bureaus),
        "never_shown": view.hidden_every_year(over_time),
    }


def _group_chart(group_id: int, group_name: str) -> dict:
    """Every bureau's figures for one group in the year."""
    rows = view.bureaus_for_group(grid, year=year, group_id=group_id, bureaus=bureaus)
    return {
        "chart": charts.bureaus_chart(rows, group=group_name, fiscal_year_label=fy, benchmark=benchmark),
        "table": view.bureau_table(rows),
        "data": view.grid_data(rows, bureaus),
    }


built = ctx.memo("workforce-city", _city_charts, year=year)
st.header(f"The city's workforce, {fy}")
ui.chart(
    built["year_chart"],
    table=built["year_table"],
    data=built["year_data"],
    alt="Bar chart: each group's share of the city's workforce beside its share of the residents.",
    key="city-year",
    file_name=f"workforce-city-{fy_key}.csv",
)

st.header("Year by year")
never_shown = built["never_shown"]
not_drawn = f" Hidden in every year, so not drawn: {', '.join(never_shown)}." if never_shown else ""
ui.chart(
    built["trend_chart"],
    table=built["trend_table"],
    data=built["trend_data"],
    alt=f"Line chart: each group's share of the city's workforce in each fiscal year up to {fy}." + not_drawn,
    key="city-trend",
    file_name=f"workforce-city-by-year-{fy_key}.csv",
)

st.header("Bureau by bureau")
group_options = view.group_options(grid)
group_id = int(
    ui.url_choice(
        "group",
        group_options,
        label="Race/ethnicity group",
        normalize=number_param,
        not_found=lambda asked: (
            f"No race/ethnicity group numbered “{asked}” is counted here. Choose one below."
        ),
    )
)
group_name = group_options[str(group_id)]
by_group = ctx.memo("workforce-group", lambda: _group_chart(group_id, group_name), year=year, group=group_id)
ui.chart(
    by_group["chart"],
    table=by_group["table"],
    data=by_group["data"],
    alt=f"Bar chart: each bureau's representation index for {group_name} in {fy}, most represented first; "
    "hidden figures are marked hidden.",
    key="bureaus",
    file_name=f"workforce-bureaus-group-{group_id}-{fy_key}.csv",
)
