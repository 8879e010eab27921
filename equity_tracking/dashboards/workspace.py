"""The bureau lead's workspace ("My bureau") and the equity office's review queue, as plain tables:
where a cycle stands in review, the history of a measure and an action, and each submitted figure
beside the last published one. What is due and late is decided in :mod:`equity_tracking.due`.

Pure pandas over frames from :mod:`equity_tracking.reads`; the pages render what these return.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from equity_tracking.due import current_cycle, current_plan, due_actions, due_values, plan_cycles
from equity_tracking.formatting import date_text
from equity_tracking.models import ActionStatus
from equity_tracking.periods import fiscal_year_label
from equity_tracking.validation import jump_from_prior

__all__ = ["current_cycle", "current_plan", "due_actions", "due_values", "plan_cycles"]
ACTION_STATUSES = [status.value for status in ActionStatus]
REVIEW_WORDS = {
    "draft": "Draft",
    "submitted": "Waiting for review",
    "approved": "Approved, not yet published",
    "published": "Published",
}
STEP_WORDS = {
    "submitted": "Submitted",
    "returned": "Returned to the bureau",
    "approved": "Approved",
    "published": "Published",
}


def cycle_counts(work: pd.DataFrame) -> dict[str, int]:
    """Rows of the cycle in each review status."""
    return {status: int(rows) for status, rows in work.groupby("review_status")["rows"].sum().items()}


def step_table(steps: pd.DataFrame) -> pd.DataFrame:
    """Review steps as people read them: When, Step, By, Comment."""
    return pd.DataFrame(
        {
            "When (UTC)": steps["at"].dt.strftime("%Y-%m-%d %H:%M"),
            "Step": steps["state"].map(STEP_WORDS),
            "By": steps["actor"],
            "Comment": steps["comment"].fillna(""),
        }
    )


def review_table(values: pd.DataFrame) -> pd.DataFrame:
    """Each figure in review beside the last published one, with the change and any warning."""
    last = values["last_published"].astype(float)
    change = values["value"].astype(float) - last
    return pd.DataFrame(
        {
            "Bureau": values["bureau_name"],
            "Measure": values["measure_name"],
            "Period": values["period"],
            "Group": values["group"].replace("", "Total"),
            "Submitted": values["value"].map(lambda number: f"{number:,.6g}"),
            "Last published": last.map(lambda number: "none yet" if pd.isna(number) else f"{number:,.6g}"),
            "Change": change.map(lambda number: "" if pd.isna(number) else f"{number:+,.6g}"),
            "Warning": [
                jump_from_prior(value, None if pd.isna(prior) else prior) or ""
                for value, prior in zip(values["value"].astype(float), last, strict=True)
            ],
            "Note": values["note"].fillna(""),
            "Entered by": values["entered_by"],
        }
    )


def history_table(versions: pd.DataFrame) -> pd.DataFrame:
    """Every version of a measure's figures, newest first, as people read them."""
    return pd.DataFrame(
        {
            "Period": versions["period"],
            "Group": versions["group"].replace("", "Total"),
            "Value": versions["value"].map(lambda number: f"{number:,.6g}"),
            "Status": versions["review_status"].map(REVIEW_WORDS),
            "Entered by": versions["entered_by"],
            "Entered (UTC)": versions["entered_at"].dt.strftime("%Y-%m-%d %H:%M"),
            "Note": versions["note"].fillna(""),
        }
    )


def update_table(updates: pd.DataFrame) -> pd.DataFrame:
    """An action's status updates, newest first, as people read them."""
    newest_first = updates.sort_values(["reported_at", "update_id"], ascending=False)
    return pd.DataFrame(
        {
            "Reported (UTC)": newest_first["reported_at"].dt.strftime("%Y-%m-%d"),
            "Status": newest_first["status"].str.replace("_", " ").str.capitalize(),
            "Complete": newest_first["percent_complete"].map(lambda number: f"{number:g} %"),
            "Review": newest_first["review_status"].map(REVIEW_WORDS),
            "By": newest_first["author"],
            "What happened": newest_first["narrative"].fillna(""),
        }
    )


def queue_summary(work: pd.DataFrame, bureau_names: dict, cycle_labels: dict, *, state: str) -> pd.DataFrame:
    """One row per bureau and cycle with work in ``state``: how many figures, action updates and
    narratives (bureau_id and fiscal_year kept for the page's choice)."""
    chosen = work[work["review_status"] == state]
    if chosen.empty:
        return pd.DataFrame(
            columns=["bureau_id", "fiscal_year", "Bureau", "Cycle", "Figures", "Action updates", "Narrative"]
        )
    counts = chosen.pivot_table(
        index=["bureau_id", "fiscal_year"], columns="kind", values="rows", aggfunc="sum", fill_value=0
    )
    counts = counts.reindex(columns=["values", "action updates", "narrative"], fill_value=0).reset_index()
    return pd.DataFrame(
        {
            "bureau_id": counts["bureau_id"].astype(int),
            "fiscal_year": counts["fiscal_year"].astype(int),
            "Bureau": counts["bureau_id"].map(bureau_names),
            "Cycle": counts["fiscal_year"].map(lambda year: cycle_labels.get(year, str(year))),
            "Figures": counts["values"].astype(int),
            "Action updates": counts["action updates"].astype(int),
            "Narrative": counts["narrative"].map(lambda rows: "yes" if rows else "no"),
        }
    ).sort_values(["Bureau", "Cycle"], ignore_index=True)


def version_labels(versions: pd.DataFrame) -> list[str]:
    """One line per version of a figure, for choosing one to bring back."""
    return [
        f"{group if group else 'Total'}: {value:,.6g}, {status.lower()}, by {who or 'someone'} at "
        f"{entered:%Y-%m-%d %H:%M} UTC"
        for group, value, status, who, entered in zip(
            versions["group"], versions["value"], versions["review_status"].map(REVIEW_WORDS),
            versions["entered_by"], versions["entered_at"], strict=True,
        )
    ]  # fmt: skip


def due_table(status: list, today: dt.date) -> pd.DataFrame:
    """The staff overview of what every bureau owes in its current cycle (``reminders.due_status``):
    late first, then by due date."""
    rows = []
    for bureau in status:
        days = (bureau.due_on - today).days
        if not bureau.owed:
            state = "Up to date"
        elif bureau.late:
            state = f"Late: due {date_text(bureau.due_on)}"
        else:
            state = f"Due in {days} day{'s' if days != 1 else ''} ({date_text(bureau.due_on)})"
        rows.append(
            {
                "Bureau": bureau.bureau_name,
                "Cycle": bureau.cycle,
                "State": state,
                "Values to enter": len(bureau.values),
                "Actions without an update": len(bureau.actions),
                "Narrative": "missing" if bureau.narrative_missing else "written",
                "Drafts not submitted": bureau.drafts,
                "_order": (0 if bureau.late and bureau.owed else 1 if bureau.owed else 2, bureau.due_on),
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)


def updates_in_review_table(updates: pd.DataFrame) -> pd.DataFrame:
    """Action updates in review, as people read them."""
    return pd.DataFrame(
        {
            "Bureau": updates["bureau_name"],
            "Action": updates["action"],
            "Status": updates["status"].str.replace("_", " ").str.capitalize(),
            "Complete": updates["percent_complete"].map(lambda number: f"{number:g} %"),
            "What happened": updates["narrative"].fillna(""),
            "By": updates["author"],
        }
    )


def narrative_table(narratives: pd.DataFrame) -> pd.DataFrame:
    """Annual narratives in review: each list as lines."""
    return pd.DataFrame(
        {
            "Bureau": narratives["bureau_name"],
            "Year": narratives["fiscal_year"].map(fiscal_year_label),
            **{
                heading: narratives[column].map(lambda items: " · ".join(items))
                for column, heading in (
                    ("highlights", "Highlights"),
                    ("challenges", "Challenges"),
                    ("priorities", "Next year's priorities"),
                )
            },
        }
    )


def update_labels(updates: pd.DataFrame) -> list[str]:
    """One line per status update, for choosing one to bring back."""
    return [
        f"{str(status).replace('_', ' ').capitalize()}, {percent:g} %, {reported:%Y-%m-%d} "
        f"({REVIEW_WORDS[review].lower()})"
        for status, percent, reported, review in zip(
            updates["status"],
            updates["percent_complete"],
            updates["reported_at"],
            updates["review_status"],
            strict=True,
        )
    ]


def narrative_history_table(versions: pd.DataFrame) -> pd.DataFrame:
    """Every version of a narrative, newest first."""
    return pd.DataFrame(
        {
            "Saved (UTC)": versions["updated_at"].dt.strftime("%Y-%m-%d %H:%M"),
            "By": versions["updated_by"],
            "Status": versions["review_status"].map(REVIEW_WORDS),
            "Highlights": versions["highlights"].map(" · ".join),
            "Challenges": versions["challenges"].map(" · ".join),
            "Next year's priorities": versions["priorities"].map(" · ".join),
        }
    )


def narrative_labels(versions: pd.DataFrame) -> list[str]:
    return [
        f"Saved {saved:%Y-%m-%d %H:%M} UTC by {who or 'someone'} ({REVIEW_WORDS[review].lower()})"
        for saved, who, review in zip(
            versions["updated_at"], versions["updated_by"], versions["review_status"], strict=True
        )
    ]
