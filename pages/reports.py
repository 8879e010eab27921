"""Bureau reports: what every bureau said about its year, gathered in one place."""

import streamlit as st

from equity_tracking import ui
from equity_tracking.dashboards import reports as view
from equity_tracking.dashboards.common import WHO_REPORTS, fiscal_year_key, unpublished_note
from equity_tracking.formatting import md, plural
from equity_tracking.periods import fiscal_year_label

ctx = ui.guard("reports")
st.title("Bureau reports")
st.markdown(
    "Each year every bureau writes what went well, what got in the way and what it will do next. These are "
    "the bureaus' own words, as published by the Office of Equity and Human Rights."
)
year = ui.pick_fiscal_year(ctx)
fy, fy_key = fiscal_year_label(year), fiscal_year_key(year)
reports = ctx.read("annual_reports", fiscal_year=year)
bureaus = ctx.read("bureaus")
missing = view.without_narrative(reports, bureaus)
ui.tile("Bureaus with a published report", f"{len(reports)} of {len(bureaus)}", width=260)
if reports.empty:
    st.info(f"No bureau's report for {fy} has been published yet. {WHO_REPORTS}", icon=":material/info:")
    st.stop()
if missing:
    st.caption(f"No report published for {fy}: {md(', '.join(missing))}.")
statuses = dict(zip(reports["bureau_code"], reports["review_status"], strict=True))
for code, name, parts in view.narratives_by_bureau(reports):
    title = f"{name}: {plural(sum(len(texts) for _, texts in parts), 'item')}"
    if note := unpublished_note(statuses[code]):
        title = f"{title} — {note}"
    with ui.section(title, key=f"report-{code}"):
        for heading, texts in parts:
            st.markdown(f"**{heading}**")
            for item in texts:
                ui.text(f"• {item}")
        ui.link(f"{name}: the bureau's plan and figures", "bureau", bureau=code, fy=fy_key)
ui.download(
    view.narratives_data(reports),
    file_name=f"bureau-reports-{fy_key}.csv",
    label="Download every report (CSV)",
    key="reports",
)
