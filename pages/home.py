"""Overview: the three Citywide Racial Equity Goals and every bureau's plan at a glance."""

import streamlit as st

from equity_tracking import ui
from equity_tracking.formatting import bureau_table, csv_bytes

ctx = ui.guard("home")
goals = ctx.read("citywide_goals")
overview = ctx.read("bureau_overview")

st.title("Equity Plan Tracker")
st.markdown(
    "How the City of Portland's bureaus are carrying out their five-year **racial equity plans**, "
    "under the Citywide Racial Equity Goals that City Council adopted as binding policy on "
    "8 July 2015 (Resolution 37144)."
)

st.header("Citywide Racial Equity Goals")
if goals.empty:
    st.info("The citywide goals have not been loaded yet. An equity-office administrator can load them.")
for goal in goals.itertuples():
    with st.container(border=True):
        st.markdown(f"**Goal {goal.number} · {goal.short_title}**")
        st.markdown(goal.text)

st.header("Bureaus and their plans")
if overview.empty:
    st.info(
        "No bureau plans are in the database yet. An equity-office administrator can import them, "
        "or load the demo city with `python -m equity_tracking load-demo`."
    )
else:
    totals = st.columns(4)
    totals[0].metric("Bureaus", f"{len(overview):,}")
    totals[1].metric("Bureau goals", f"{overview['goals'].sum():,}")
    totals[2].metric("Actions", f"{overview['actions'].sum():,}")
    totals[3].metric("Performance measures", f"{overview['measures'].sum():,}")
    table = bureau_table(overview)
    st.dataframe(table, hide_index=True, width="stretch", height=36 * (len(table) + 1) + 3)
    st.download_button(
        "Download this table (CSV)",
        data=csv_bytes(table),
        file_name="bureaus.csv",
        mime="text/csv",
        icon=":material/download:",
    )
