"""Bureau reports: the annual progress report of a bureau, or of the whole city, made on a click as
PDF or HTML (equity_tracking.report_render); and what every bureau said about its year, gathered in
one place."""

import streamlit as st

from equity_tracking import ui
from equity_tracking.annual_report import ReportError
from equity_tracking.dashboards import intros
from equity_tracking.dashboards import reports as view
from equity_tracking.dashboards.common import WHO_REPORTS, bureau_options, fiscal_year_key, unpublished_note
from equity_tracking.formatting import md, plural
from equity_tracking.periods import fiscal_year_label
from equity_tracking.report_render import make_report

ctx = ui.guard("reports")
st.title("Bureau reports")
ui.page_intro(intros.REPORTS, last_updated=ctx.last_updated())
year = ui.pick_fiscal_year(ctx)
fy, fy_key = fiscal_year_label(year), fiscal_year_key(year)
reports = ctx.read("annual_reports", fiscal_year=year)
bureaus = ctx.read("bureaus")

# --- the annual progress report (equity_tracking.annual_report, .report_render) ----------------------
CITY, MADE = "", "_annual-report"
st.header(f"Annual progress report, {fy}")
st.markdown(
    "A report to take away, print or pass on: a plain-language summary, the plan's status, the bureau's own "
    "narrative, figures by race/ethnicity and notes on method. The citywide report is the one for Council. "
    "It holds published figures only, with small numbers hidden, whoever makes it."
)
choices = {CITY: "The whole city (for Council)", **bureau_options(bureaus)}
subject = st.selectbox("Report for", list(choices), format_func=choices.get, key="annual-report-for")
formats = {"pdf": "PDF (accessible, for printing)", "html": "Web page (HTML)"}
file_format = st.radio(
    "Format", list(formats), format_func=formats.get, horizontal=True, key="annual-report-format"
)
wanted = (year, subject, file_format)
if st.button("Make the report", icon=":material/description:", type="primary", key="annual-report-make"):
    st.session_state.pop(MADE, None)
    # The tracker's address, for the report's link to the methodology page (".../reports" → "...").
    site = (st.context.url or "").rsplit("/", 1)[0] or None
    # Made on each click, not through a shared cache: the progress bar is drawn while it is made,
    # and a cache would replay those drawings into a page that no longer holds the bar. The slow part
    # (judging the city) is kept by equity_tracking.publication between clicks.
    with ui.progress_bar("Making the report") as progress:
        try:
            made = make_report(
                ctx.engine, fiscal_year=year, bureau_code=subject or None, file_format=file_format,
                site_url=site, progress=progress,
            )  # fmt: skip
        except ReportError as error:
            st.error(md(str(error)), icon=":material/error:")
        else:
            st.session_state[MADE] = (wanted, made)
kept = st.session_state.get(MADE)
if kept is not None and kept[0] == wanted:
    ui.download_file(
        f"Download the report ({file_format.upper()})",
        data=kept[1].data,
        file_name=kept[1].file_name,
        mime=kept[1].mime,
        key="annual-report",
        primary=True,
    )
    st.caption(md(f"{kept[1].title} · {kept[1].file_name}"))

st.header(f"What each bureau wrote about {fy}")
missing = view.without_narrative(reports, bureaus)
ui.tile("Bureaus with a published report", f"{len(reports)} of {len(bureaus)}", width=260)
if reports.empty:
    st.info(f"No bureau's report for {fy} has been published yet. {WHO_REPORTS}", icon=":material/info:")
    st.stop()
if missing:
    st.caption(f"No report published for {fy}: {md(', '.join(missing))}.")


def _narratives() -> dict:
    """Each bureau's narrative as the page writes it, and the download: built once, then redrawn."""
    statuses = dict(zip(reports["bureau_code"], reports["review_status"], strict=True))
    sections = []
    for code, name, parts in view.narratives_by_bureau(reports):
        title = f"{name}: {plural(sum(len(texts) for _, texts in parts), 'item')}"
        if note := unpublished_note(statuses[code]):
            title = f"{title} — {note}"
        # One element per bureau, each item's text made inert (md): 260 bureaus' narratives are
        # thousands of items, and every element costs every rerun of every reader (0.3-0.4 s a
        # rerun with an element per heading). The bureau's own page shows each item as typed.
        body = "\n\n".join(
            f"**{md(heading)}**  \n" + "  \n".join(f"• {md(item)}" for item in items)
            for heading, items in parts
        )
        sections.append((code, name, title, body))
    return {"sections": sections, "data": view.narratives_data(reports)}


narratives = ctx.memo("reports-narratives", _narratives, year=year)
for code, name, title, body in narratives["sections"]:
    with ui.section(title, key=f"report-{code}"):
        st.markdown(body)
        ui.link(f"{name}: the bureau's plan and figures", "bureau", bureau=code, fy=fy_key)
ui.download(
    narratives["data"],
    file_name=f"bureau-reports-{fy_key}.csv",
    label="Download every report (CSV)",
    key="reports",
)
