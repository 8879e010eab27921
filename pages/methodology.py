"""Methodology and about: how every number is judged, in plain language, and what each field means."""

import streamlit as st

from equity_tracking import glossary, open_data, ui
from equity_tracking.dashboards import intros
from equity_tracking.dictionary import data_dictionary
from equity_tracking.docs import methodology_sections

ctx = ui.guard("methodology")
st.title("Methodology and about")
ui.page_intro(intros.METHODOLOGY, last_updated=ctx.last_updated())
st.markdown(
    "The Equity Plan Tracker shows how the City's bureaus are carrying out their five-year racial "
    "equity plans under the Citywide Racial Equity Goals. Bureaus report their measures and the "
    "status of their actions every year; the Office of Equity and Human Rights reviews and publishes "
    "them."
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

# Open data (issue #11): everything published in one file, and the API (equity_tracking.open_data).
st.header("Open data")
st.markdown(
    "Everything the tracker publishes, in one zip file: a CSV file each for the citywide goals, the "
    "bureaus and their plans, the measures and every published value of every measure (by "
    "race/ethnicity too, with small numbers hidden as on these pages), what each column means, this "
    "data dictionary, and a README that says where the data come from and when. The same data are "
    "served as an open-data API at `/api/v1` (described at `/api/v1/openapi.json`)."
)
ui.download_file(
    "Download everything published (zip)",
    data=lambda: open_data.bundle_zip(ctx.engine),
    file_name=open_data.bundle_file_name(),
    mime="application/zip",
    key="open-data",
)

st.header("Glossary")
st.markdown("The terms the pages use, in one line each. A page also explains a term where it first uses it.")
for term, line in glossary.TERMS.items():
    st.markdown(f"**{term}**: {line}")

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
