"""Users (administrators only): create accounts, change roles and bureaus, disable, archive, and
set a new password. Every change goes through ``equity_tracking.accounts``, which checks the
permission itself and writes the audit log."""

import streamlit as st

from equity_tracking import accounts, ui
from equity_tracking.dashboards.users import ROLE_CHOICES, user_label, users_table

ctx = ui.guard("users")
st.title("Users")
st.markdown(
    "Who may sign in, and what they may do. Users are archived, never deleted, so the audit log "
    "always names who did what. Roles come from here, never from the identity provider."
)
bureaus = ctx.read("bureaus")
bureau_names = dict(zip(bureaus["code"], bureaus["name"], strict=True))
people = accounts.users(ctx.engine, actor=ctx.principal)
ui.table(users_table(people), key="users", phone_title="Email")


def _assignment(role: str, codes: list[str]) -> accounts.Assignment:
    return accounts.Assignment(accounts.Role(role), tuple(codes))


def _done(message: str) -> None:
    st.success(message, icon=":material/check_circle:")


with ui.section("Add a user", key="add-user"), st.form("add-user", clear_on_submit=True):
    email = st.text_input("Email", max_chars=320)
    name = st.text_input("Name as shown on pages", max_chars=200)
    role = st.selectbox("Role", list(ROLE_CHOICES), format_func=ROLE_CHOICES.get)
    codes = st.multiselect("Bureaus (bureau editors only)", list(bureau_names), format_func=bureau_names.get)
    password = st.text_input(
        "Password (leave empty for single sign-on only)", type="password", autocomplete="new-password"
    )
    if st.form_submit_button("Add user", icon=":material/person_add:"):
        try:
            accounts.create_user(
                ctx.engine,
                actor=ctx.principal,
                email=email,
                display_name=name or None,
                assignment=_assignment(role, codes),
                password=password or None,
            )
        except accounts.AccountError as error:
            st.error(str(error), icon=":material/error:")
        else:
            _done(f"Added {email}.")

if not people.empty:
    with ui.section("Change a user", key="change-user", expanded=False):
        chosen = st.selectbox(
            "User",
            list(people["id"]),
            format_func=lambda user_id: user_label(people, user_id),
            key="pick-user",
        )
        row = people.set_index("id").loc[chosen]
        with st.form("change-role"):
            role = st.selectbox(
                "Role",
                list(ROLE_CHOICES),
                index=list(ROLE_CHOICES).index(row["role"]) if row["role"] in ROLE_CHOICES else 0,
                format_func=ROLE_CHOICES.get,
            )
            codes = st.multiselect(
                "Bureaus (bureau editors only)",
                list(bureau_names),
                default=[code for code in row["bureau_codes"] if code in bureau_names],
                format_func=bureau_names.get,
            )
            if st.form_submit_button("Save role and bureaus"):
                try:
                    accounts.change_role(
                        ctx.engine,
                        actor=ctx.principal,
                        user_id=int(chosen),
                        assignment=_assignment(role, codes),
                    )
                except accounts.AccountError as error:
                    st.error(str(error), icon=":material/error:")
                else:
                    _done("Saved.")
        with st.form("reset-password", clear_on_submit=True):
            new_password = st.text_input("New password", type="password", autocomplete="new-password")
            if st.form_submit_button("Set password and unlock"):
                try:
                    accounts.reset_password(
                        ctx.engine, actor=ctx.principal, email=str(row["email"]), password=new_password
                    )
                except accounts.AccountError as error:
                    st.error(str(error), icon=":material/error:")
                else:
                    _done("New password set; any lockout is lifted.")
        left, right = st.columns(2)
        with left:
            active = bool(row["active"])
            if st.button("Disable" if active else "Enable", icon=":material/block:", key="toggle-active"):
                try:
                    accounts.set_active(
                        ctx.engine, actor=ctx.principal, user_id=int(chosen), active=not active
                    )
                except accounts.AccountError as error:
                    st.error(str(error), icon=":material/error:")
                else:
                    st.rerun()
        with right:
            if st.button("Archive", icon=":material/archive:", key="archive"):
                try:
                    accounts.archive_user(ctx.engine, actor=ctx.principal, user_id=int(chosen))
                except accounts.AccountError as error:
                    st.error(str(error), icon=":material/error:")
                else:
                    st.rerun()
