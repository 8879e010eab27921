"""Methodology and about: how every number is judged, in plain language, and what each field means."""

import streamlit as st

from equity_tracking import ui
from equity_tracking.dictionary import data_dictionary
from equity_tracking.docs import methodology_sections

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
with ui.section(f"Every field, what it means and how it is written ({len(dictionary)})", key="dictionary"):
    ui.table(dictionary, key="dictionary", phone_title="Field")
ui.download(
    dictionary, file_name="data-dictionary.csv", label="Download the data dictionary (CSV)", key="dictionary"
)

st.header("About the data")
st.markdown(
    "- **Fiscal years** run July to June and are written FY 2018-19. A dashboard set to a fiscal year "
    "shows the plans as they stood on 30 September after it ended, when annual reports are due.\n"
    "- **Published values only.** Bureaus enter values as drafts; the equity office reviews and "
    "publishes them. Corrections never overwrite history: the newest published version is shown.\n"
    "- **Small numbers.** A count of fewer than 10 people in a race/ethnicity group is hidden, together "
    "with any other figure that would let a reader work it out, so that no one can be identified.\n"
    "- **Means.** A goal's progress is the mean of its measures' progress (weighted where a plan gives a "
    "measure more weight); everything above is a plain mean of goals. One strong measure can hide a weak "
    "one, so every page lets you open the details."
)
