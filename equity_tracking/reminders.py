"""Reminders to bureau leads: for each bureau, what is due within some days or already late in the
cycle being reported now, and who leads it; sent as plain-text email through the city's SMTP
server when asked (``python -m equity_tracking reminders --send``).

What is due is decided in :mod:`equity_tracking.due`, exactly as "My bureau" shows it. Reading
runs as the server operator (the command line holds the database already); nothing is written but
one audit entry per message sent.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage

from sqlalchemy import Engine, select

from equity_tracking import audit, due, reads
from equity_tracking.models import Bureau, Role, User, UserRole
from equity_tracking.periods import fiscal_year_label
from equity_tracking.permissions import OPERATOR, Viewer
from equity_tracking.settings import SmtpSettings

EVERYTHING = Viewer(OPERATOR, include_unpublished=True)


@dataclass(frozen=True)
class Reminder:
    """What one bureau owes for its current cycle, and to whom the reminder goes."""

    bureau_id: int
    bureau_code: str
    bureau_name: str
    cycle: str
    due_on: dt.date
    late: bool
    values: list[str] = field(default_factory=list)  # "measure (period)"
    actions: list[str] = field(default_factory=list)
    narrative_missing: bool = False
    drafts: int = 0
    leads: list[tuple[str, str]] = field(default_factory=list)  # (email, name)

    @property
    def owed(self) -> int:
        return len(self.values) + len(self.actions) + int(self.narrative_missing) + self.drafts

    def text(self) -> str:
        """The reminder as plain text (the body of the email, and what the command prints)."""
        when = "was due" if self.late else "is due"
        deadline = f"{self.due_on:%-d %B %Y}"
        lines = [f"{self.bureau_name} ({self.bureau_code}): the {self.cycle} report {when} by {deadline}."]
        if self.values:
            lines.append(f"  Values to enter ({len(self.values)}):")
            lines += [f"    - {item}" for item in self.values]
        if self.actions:
            lines.append(f"  Actions without a status update ({len(self.actions)}):")
            lines += [f"    - {item}" for item in self.actions]
        if self.narrative_missing:
            lines.append("  The annual narrative is not written yet.")
        if self.drafts:
            lines.append(f"  {self.drafts} draft(s) saved but not submitted for review.")
        return "\n".join(lines)


def reminders(engine: Engine, *, today: dt.date, within_days: int) -> list[Reminder]:
    """Every bureau whose current cycle is late, or due within ``within_days``, with something owed."""
    leads = _leads(engine)
    return [
        dataclasses.replace(reminder, leads=leads.get(reminder.bureau_id, []))
        for reminder in due_status(engine, viewer=EVERYTHING, today=today)
        if reminder.owed and (reminder.late or (reminder.due_on - today).days <= within_days)
    ]


def due_status(engine: Engine, *, viewer: Viewer, today: dt.date) -> list[Reminder]:
    """Where every bureau with a plan under way stands in its current cycle, as ``viewer`` may see
    it (the staff overview; the reminders read it as the operator)."""
    cycles = reads.reporting_cycles(engine)
    periods = reads.period_frame(engine)
    found = []
    for bureau in reads.bureaus(engine).itertuples():
        reminder = _for_bureau(engine, viewer, bureau, cycles, periods, today=today)
        if reminder is not None:
            found.append(reminder)
    return found


def _for_bureau(
    engine: Engine, viewer: Viewer, bureau, cycles, periods, *, today: dt.date
) -> Reminder | None:
    bureau_id = int(bureau.id)
    plan = due.current_plan(reads.plans(engine, viewer=viewer, bureau_id=bureau_id))
    if plan is None or plan["status"] == "completed":
        return None
    inside = due.plan_cycles(cycles, plan)
    cycle = due.current_cycle(inside, today)
    if cycle is None:
        return None
    due_on = inside.set_index("fiscal_year").loc[cycle, "due_on"].date()
    goals = reads.goals(engine, viewer=viewer, bureau_id=bureau_id, plan_id=int(plan["id"]))
    measures = reads.measures(engine, viewer=viewer, bureau_id=bureau_id)
    measures = measures[measures["goal_id"].isin(goals["id"])]
    actions = reads.actions(engine, viewer=viewer, bureau_id=bureau_id)
    actions = actions[actions["goal_id"].isin(goals["id"])]
    entries = reads.bureau_entries(engine, viewer=viewer, bureau_id=bureau_id, fiscal_year=cycle)
    missing = due.due_values(measures, periods, entries, fiscal_year=cycle, due_on=due_on, today=today)
    quiet = due.due_actions(
        actions, reads.action_updates(engine, viewer=viewer, bureau_id=bureau_id), fiscal_year=cycle
    )
    narratives = reads.annual_reports(engine, viewer=viewer, bureau_id=bureau_id, fiscal_year=cycle)
    work = reads.cycle_work(engine, viewer=viewer, bureau_id=bureau_id, fiscal_year=cycle)
    drafts = int(work.loc[work["review_status"] == "draft", "rows"].sum())
    return Reminder(
        bureau_id=bureau_id,
        bureau_code=str(bureau.code),
        bureau_name=str(bureau.name),
        cycle=fiscal_year_label(cycle),
        due_on=due_on,
        late=today > due_on,
        values=[f"{row.measure} ({row.period})" for row in missing.itertuples()],
        actions=list(quiet["action"]),
        narrative_missing=narratives.empty,
        drafts=drafts,
    )


def _leads(engine: Engine) -> dict[int, list[tuple[str, str]]]:
    """Per bureau, the active editors who lead its reporting: (email, name)."""
    statement = (
        select(UserRole.bureau_id, User.email, User.username, User.display_name)
        .join(User, User.id == UserRole.user_id)
        .join(Bureau, Bureau.id == UserRole.bureau_id)
        .where(UserRole.role == Role.BUREAU_EDITOR, User.active.is_(True), User.archived_at.is_(None))
        .order_by(UserRole.bureau_id, User.display_name)
    )
    leads: dict[int, list[tuple[str, str]]] = {}
    with engine.connect() as connection:
        for bureau_id, email, username, name in connection.execute(statement):
            if bureau_id is not None:
                leads.setdefault(int(bureau_id), []).append((email or username, name))
    return leads


def send(engine: Engine, found: Sequence[Reminder], smtp: SmtpSettings) -> int:
    """Email each reminder to its bureau's leads, one message per lead; returns how many were sent.
    Each message sent is audited."""
    sent = 0
    with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as server:
        if smtp.starttls:
            server.starttls()
        if smtp.user:
            server.login(smtp.user, smtp.password or "")
        for reminder in found:
            for email, name in reminder.leads:
                server.send_message(_message(reminder, email, name, smtp.sender))
                audit.record_alone(
                    engine, actor=OPERATOR, action="reminder_sent", entity="bureau",
                    entity_id=reminder.bureau_code,
                    detail={"to": email, "cycle": reminder.cycle, "late": reminder.late},
                )  # fmt: skip
                sent += 1
    return sent


def _message(reminder: Reminder, email: str, name: str, sender: str) -> EmailMessage:
    message = EmailMessage()
    state = "late" if reminder.late else "due soon"
    message["Subject"] = f"Racial equity plan report {state}: {reminder.bureau_name}, {reminder.cycle}"
    message["From"] = sender
    message["To"] = email
    message.set_content(
        f"Hello {name},\n\n{reminder.text()}\n\n"
        "Enter and submit them on the tracker's “My bureau” page.\n\n"
        "— The Office of Equity and Human Rights\n"
    )
    return message
