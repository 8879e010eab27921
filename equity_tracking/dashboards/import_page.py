"""The Import data page's pieces, from :mod:`equity_tracking.importing`: the template workbook, the
words said after a check or an import, the problems table, and one progress bar for the whole run."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from equity_tracking import exporting, import_contract, importing, workbook
from equity_tracking.formatting import csv_bytes, plural
from equity_tracking.permissions import Viewer

TEMPLATE_FILE = "equity-tracker-import-template.xlsx"
EXPORT_FILE = "equity-tracker-published.xlsx"
PROBLEMS_FILE = "import-problems.csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REQUIRED_SHEETS = tuple(sheet.name for sheet in import_contract.SHEETS if sheet.required)
FORMAT_GUIDE = "docs/import-format.md"


def export_bytes(engine) -> bytes:
    """Everything published, in the import format (:mod:`equity_tracking.exporting`), as an ``.xlsx``:
    a city's own copy to edit and import again, or to move to another database."""
    buffer = io.BytesIO()
    workbook.write_xlsx(buffer, exporting.export_sheets(engine, viewer=Viewer()))
    return buffer.getvalue()


def template_bytes() -> bytes:
    """An ``.xlsx`` of the sheets an import needs, each with its header and one example row."""
    buffer = io.BytesIO()
    workbook.write_xlsx(buffer, importing.template_sheets())
    return buffer.getvalue()


@dataclass(frozen=True)
class Outcome:
    """What a check or an import said: ``kind`` is "done", "refused", "denied" or "failed"."""

    kind: str
    message: str
    dry_run: bool = False
    changes_anything: bool = False
    problems: pd.DataFrame | None = None  # the refusal's report (sheet, row, column, problem)


def done(result: importing.ImportResult) -> Outcome:
    if result.dry_run:
        message = f"{result.summary()} This was a check: nothing was saved."
        if result.changes_anything:
            message += " Press “Import” to import the file."
    else:
        message = result.summary()
    return Outcome("done", message, dry_run=result.dry_run, changes_anything=result.changes_anything)


def refused(error: workbook.ImportRefusedError) -> Outcome:
    count = len(error.errors)
    return Outcome(
        "refused",
        f"The file was not imported: {plural(count, 'problem')}. Nothing was changed.",
        problems=error.report(),
    )


def denied(what: str) -> Outcome:
    asked = f" {what}" if what else " import this file"
    return Outcome("denied", f"Your account may not{asked}. Nothing was changed.")


def failed(reason: str) -> Outcome:
    return Outcome("failed", f"{reason} Nothing was changed.")


INTERRUPTED = (
    "The last check or import stopped before it finished (the page was used while it ran), so "
    "nothing was changed. Run it again and wait for it to finish."
)


def problems_table(report: pd.DataFrame) -> pd.DataFrame:
    """The refusal's report as the page shows it: a blank row means the whole sheet, a blank column
    the whole row."""
    return pd.DataFrame(
        {
            "Sheet": report["sheet"].astype(str),
            "Row": report["row"].astype("Int64"),
            "Column": report["column"].map(
                lambda column: "" if column is None or pd.isna(column) else column
            ),
            "Problem": report["problem"].astype(str),
        }
    )


def problems_csv(report: pd.DataFrame) -> bytes:
    """The refusal's report as a CSV file (sheet, row, column, problem); cells copied from the file
    are written as text, never as formulas."""
    return csv_bytes(report)


def one_bar(show: Callable[[str, float], None]) -> Callable[[str, float], None]:
    """The importer's ``progress`` callback (its fractions run from reading the file to writing the
    figures), drawn on one bar that never goes back, even if a report arrives out of order."""
    shown = 0.0

    def report(step: str, fraction: float) -> None:
        nonlocal shown
        shown = max(shown, min(1.0, max(0.0, float(fraction))))
        show(f"{step}…" if shown < 1 else step, shown)

    return report
