"""Import data (administrators): upload a workbook, or CSV files, of bureaus, goals, actions, measures
and figures; check it first, then import it. ``equity_tracking.importing`` checks the permission,
checks every cell and imports all or nothing; this page only passes the files and shows the answer:
what changed, or every problem with its sheet, row and column."""

import streamlit as st

from equity_tracking import importing, ui
from equity_tracking.dashboards import import_page as shape
from equity_tracking.db import DatabaseBusyError, DatabaseError
from equity_tracking.formatting import md
from equity_tracking.permissions import Permission, PermissionDeniedError, allowed
from equity_tracking.workbook import ImportRefusedError

ctx = ui.guard("import_data")
OUTCOME, RUNNING = "_import-outcome", "_import-running"

st.title("Import data")
st.markdown(
    "Bring plans and years of figures in from a spreadsheet: one Excel workbook (.xlsx), or one .csv "
    "file per sheet. The file needs five sheets, named "
    + ", ".join(f"**{sheet}**" for sheet in shape.REQUIRED_SHEETS)
    + "; each starts with a header row, and may have no other rows. The format guide "
    f"({shape.FORMAT_GUIDE} in the tracker's repository) explains every column; the template below has "
    "them all, with an example row."
)
st.markdown(
    "Nothing is imported from a file with a problem: every problem is listed with its sheet, row and "
    "column, and nothing changes until the file is right. Importing the same file twice changes "
    "nothing the second time."
)
ui.download_file(
    "Download the template",
    data=shape.template_bytes,
    file_name=shape.TEMPLATE_FILE,
    mime=shape.XLSX_MIME,
    key="import-template",
)
ui.download_file(
    "Export everything published (.xlsx)",
    data=lambda: shape.export_bytes(ctx.engine),
    file_name=shape.EXPORT_FILE,
    mime=shape.XLSX_MIME,
    key="import-export",
)


def _forget_outcome() -> None:
    """A new file or a new choice: what was said about the last one no longer holds."""
    st.session_state.pop(OUTCOME, None)


st.header("Your file")
files = ui.uploaded_files(
    "Workbook (.xlsx) or .csv files",
    types=("xlsx", "csv"),
    key="import-files",
    help=f"One workbook, or a .csv file per sheet named after it (values.csv …); up to "
    f"{ui.upload_limit_mb()} MB each.",
    on_change=_forget_outcome,
)
publish = False
if allowed(ctx.principal, Permission.PUBLISH):
    publish = st.checkbox(
        "Publish the figures at once",
        key="import-publish",
        on_change=_forget_outcome,
        help="For figures that are public already (a city's past reports).",
    )
st.caption(
    "Published figures show on the public pages as soon as they are imported. Otherwise they arrive "
    "as drafts, which each bureau checks and submits for review, as if typed in on its own page."
)


def _run(dry_run: bool) -> None:
    """Check (``dry_run``) or import the chosen files; keep what was said for the page to show."""
    st.session_state.pop(OUTCOME, None)
    st.session_state[RUNNING] = True  # still set on the next run: the page was used meanwhile
    public_changed = False
    with ui.progress_bar("Reading the file") as report:
        try:
            result = importing.import_files(
                ctx.engine,
                files,
                actor=ctx.principal,
                publish=publish,
                dry_run=dry_run,
                progress=shape.one_bar(report),
            )
        except ImportRefusedError as refusal:
            outcome = shape.refused(refusal)
        except PermissionDeniedError as denial:
            outcome = shape.denied(denial.what)
        except (DatabaseBusyError, DatabaseError) as error:
            outcome = shape.failed(str(error))
        else:
            outcome = shape.done(result)
            public_changed = not dry_run and result.changes_anything and (publish or result.structural)
        # Kept before anything else is drawn: a click meanwhile would stop the script at the next
        # drawing, and an import that has been saved must still say so.
        st.session_state[OUTCOME] = outcome
        st.session_state.pop(RUNNING, None)
    if public_changed:  # what the public sees has changed: prepare it for the next visitor
        ui.prepare_public_views(ctx)


check, run = st.columns(2)
with check:
    checking = st.button("Check the file", icon=":material/rule:", key="import-check", width="stretch")
with run:
    importing_now = st.button(
        "Import", icon=":material/upload:", type="primary", key="import-run", width="stretch"
    )
if checking or importing_now:
    if files:
        _run(dry_run=checking)
    else:
        _forget_outcome()
        st.warning("Choose a workbook (.xlsx) or the .csv files first.", icon=":material/upload_file:")

if st.session_state.pop(RUNNING, False):
    st.warning(shape.INTERRUPTED, icon=":material/warning:")
outcome = st.session_state.get(OUTCOME)
if outcome is not None:
    if outcome.kind == "done":
        if outcome.changes_anything and not outcome.dry_run:
            st.success(md(outcome.message), icon=":material/check_circle:")
        else:
            st.info(md(outcome.message), icon=":material/info:")
    elif outcome.kind == "refused":
        st.error(md(outcome.message), icon=":material/error:")
        st.markdown("Correct these cells in your file, then check it again.")
        table = shape.problems_table(outcome.problems)
        ui.long_table(
            table,
            key="import-problems",
            phone_title="Sheet",
            widths={"Sheet": "small", "Row": "small", "Column": "small", "Problem": 720},
            wrap="Problem",
            rest="“Download the problems (CSV)” lists them all.",
        )
        ui.download_file(
            "Download the problems (CSV)",
            data=lambda: shape.problems_csv(outcome.problems),
            file_name=shape.PROBLEMS_FILE,
            mime="text/csv",
            key="import-problems",
        )
    elif outcome.kind == "denied":
        st.error(md(outcome.message), icon=":material/block:")
    else:
        st.error(md(outcome.message), icon=":material/error:")
