"""The account page's words: who a principal is and what their roles let them do, in plain language."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from equity_tracking.formatting import md
from equity_tracking.permissions import ROLE_LABELS, Principal, Role

ROLE_MEANING = {
    Role.BUREAU_EDITOR: "updates the bureau's measures, action statuses and annual narratives, and sees "
    "the bureau's unpublished work",
    Role.ANALYST: "sees every bureau's unpublished work and reviews what bureaus submit",
    Role.ADMIN: "publishes, manages users and the plan structure, and sees everything",
}


@dataclass(frozen=True)
class AccountSummary:
    name: str
    email: str
    roles: list[str]  # one Markdown line per role


def account_summary(principal: Principal, *, bureaus: pd.DataFrame) -> AccountSummary:
    """What the account page says about ``principal`` (text from the database made Markdown-safe)."""
    names = dict(zip(bureaus["id"], bureaus["name"], strict=True)) if not bureaus.empty else {}
    by_role: dict[Role, list[str]] = {}
    for role, bureau_id in principal.roles:
        by_role.setdefault(role, [])
        if bureau_id is not None:
            by_role[role].append(str(names.get(bureau_id, f"bureau {bureau_id}")))
    lines = []
    for role in sorted(by_role, key=list(Role).index):
        where = f" for {md(', '.join(sorted(by_role[role])))}" if by_role[role] else ""
        lines.append(f"**{ROLE_LABELS[role]}**{where}: {ROLE_MEANING[role]}.")
    return AccountSummary(
        name=md(principal.display_name or principal.username),
        email=md(principal.username),
        roles=lines or ["No role yet: you see what the public sees."],
    )
