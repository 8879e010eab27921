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

st.header(f"The city's workforce, {fy}")
city = grid[(grid["fiscal_year"] == year) & (grid["bureau_id"] == 0)]
ui.chart(
    charts.city_year_chart(city, fiscal_year_label=fy, benchmark=benchmark),
    table=view.city_year(grid, year),
    data=view.grid_data(city, bureaus),
    alt="Bar chart: each group's share of the city's workforce beside its share of the residents.",
    key="city-year",
    file_name=f"workforce-city-{fy_key}.csv",
)

st.header("Year by year")
over_time = view.city_over_time(grid)
never_shown = view.hidden_every_year(over_time)
not_drawn = f" Hidden in every year, so not drawn: {', '.join(never_shown)}." if never_shown else ""
ui.chart(
    charts.city_trend_chart(over_time, benchmark=benchmark),
    table=over_time.assign(
        Year=[fiscal_year_label(int(y)) for y in over_time["fiscal_year"]],
        Share=[
            ("hidden" if h else f"{v:.1f} %")
            for v, h in zip(over_time["share_pct"], over_time["hidden"], strict=True)
        ],
        Residents=[f"{v:.1f} %" for v in over_time["residents_pct"]],
    )[["Year", "group", "Share", "Residents"]].rename(columns={"group": "Group"}),
    data=view.grid_data(grid[grid["bureau_id"] == 0], bureaus),
    alt=f"Line chart: each group's share of the city's workforce in each fiscal year up to {fy}." + not_drawn,
    key="city-trend",
    file_name=f"workforce-city-by-year-{fy_key}.csv",
)

st.header("Bureau by bureau")
group_id = int(
    ui.url_choice(
        "group",
        view.group_options(grid),
        label="Race/ethnicity group",
        normalize=number_param,
        not_found=lambda asked: (
            f"No race/ethnicity group numbered “{asked}” is counted here. Choose one below."
        ),
    )
)
group_name = view.group_options(grid)[str(group_id)]
rows = view.bureaus_for_group(grid, year=year, group_id=group_id, bureaus=bureaus)
ui.chart(
    charts.bureaus_chart(rows, group=group_name, fiscal_year_label=fy, benchmark=benchmark),
    table=view.bureau_table(rows),
    data=view.grid_data(rows, bureaus),
    alt=f"Bar chart: each bureau's representation index for {group_name} in {fy}, most represented first; "
    "hidden figures are marked hidden.",
    key="bureaus",
    file_name=f"workforce-bureaus-group-{group_id}-{fy_key}.csv",
)
