"""The Users page's table and labels, from ``accounts.users``."""

from __future__ import annotations

import pandas as pd

from equity_tracking.permissions import ROLE_LABELS, Role

ROLE_CHOICES = {role.value: ROLE_LABELS[role] for role in Role}


def _when(moment: object) -> str:
    if moment is None or pd.isna(moment):
        return "Never"
    return pd.Timestamp(moment).strftime("%Y-%m-%d %H:%M UTC")


def _status(active: bool, locked_until: object, now: pd.Timestamp) -> str:
    if not active:
        return "Disabled"
    if locked_until is not None and not pd.isna(locked_until):
        until = pd.Timestamp(locked_until)
        until = until.tz_localize("UTC") if until.tzinfo is None else until
        if until > now:
            return f"Locked until {until:%H:%M} UTC"
    return "Active"


def users_table(people: pd.DataFrame, *, now: pd.Timestamp | None = None) -> pd.DataFrame:
    """One row per user, as an administrator reads it (from ``accounts.users``)."""
    now = now if now is not None else pd.Timestamp.now(tz="UTC")
    return pd.DataFrame(
        {
            "Email": people["email"].astype(str),
            "Name": people["display_name"].astype(str),
            "Role": people["role"].map(lambda role: ROLE_CHOICES.get(role, "No role")),
            "Bureaus": [
                ", ".join(codes) if role == Role.BUREAU_EDITOR.value else "All"
                for codes, role in zip(people["bureau_codes"], people["role"], strict=True)
            ],
            "Status": [
                _status(bool(active), locked, now)
                for active, locked in zip(people["active"], people["locked_until"], strict=True)
            ],
            "Signs in with": people["has_password"].map(
                {True: "Password or City account", False: "City account"}
            ),
            "Last sign-in": people["last_sign_in_at"].map(_when),
        }
    )


def user_label(people: pd.DataFrame, user_id: object) -> str:
    row = people.set_index("id").loc[user_id]
    return f"{row['display_name']} ({row['email']})"
