"""Methodology and about: how every number is judged, in plain language, and what each field means."""

import streamlit as st

from equity_tracking import ui
from equity_tracking.dictionary import data_dictionary
from equity_tracking.docs import methodology_sections
from equity_tracking.formatting import csv_bytes

ctx = ui.guard("methodology")
st.title("Methodology and about")
st.markdown(
    "The Equity Plan Tracker shows how the City's bureaus are carrying out their five-year racial "
    "equity plans under the Citywide Racial Equity Goals. Bureaus report their measures and the "
    "status of their actions every year; the Office of Equity and Human Rights reviews and publishes "
    "them. This page explains how the tracker judges them, and what it cannot tell you."
)
if ctx.demo is not None:
    st.info(
        "The data on this site is a generated demo: Portland's real bureau names and the Council's "
        "real goals, with fictional plans and numbers.",
        icon=":material/science:",
    )

sections = methodology_sections()
if not sections:
    st.warning("The methodology document is missing from this installation (docs/methodology.md).")
for title, body in sections:
    with st.expander(title, expanded=False):
        st.markdown(body)

st.header("Data dictionary")
dictionary = data_dictionary()
st.dataframe(dictionary, hide_index=True, width="stretch", height=36 * (len(dictionary) + 1) + 3)
st.download_button(
    "Download the data dictionary (CSV)",
    data=csv_bytes(dictionary),
    file_name="data-dictionary.csv",
    mime="text/csv",
    icon=":material/download:",
)

st.header("About the data")
st.markdown(
    "- **Fiscal years** run July to June and are written FY 2018-19. A dashboard set to a fiscal year "
    "shows the plans as they stood on 30 September after it ended, when annual reports are due.\n"
    "- **Published values only.** Bureaus enter values as drafts; the equity office reviews and "
    "publishes them. Corrections never overwrite history: the newest published version is shown.\n"
    "- **Small numbers.** Counts below 10 people are not shown by race/ethnicity, so that no one can "
    "be identified.\n"
    "- **Plain means.** Progress and equity scores are averaged without weights unless a measure says "
    "otherwise; one strong measure can hide a weak one, so every page lets you open the details."
)
