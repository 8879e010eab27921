"""My account: who I am signed in as, my role and bureaus, and signing out."""

import streamlit as st

from equity_tracking import accounts, ui
from equity_tracking.dashboards.account import account_summary

ctx = ui.guard("account")
st.title("My account")
summary = account_summary(ctx.principal, bureaus=ctx.read("bureaus", include_inactive=True))
st.markdown(f"**{summary.name}**  \n{summary.email}")
for line in summary.roles:
    st.markdown(f"- {line}")
started = ui.session_started()
if started is not None:
    st.caption(f"Signed in at {started:%H:%M} UTC. {accounts.SESSION_POLICY}")
if st.button("Sign out", type="primary", icon=":material/logout:"):
    ui.sign_out(ctx)
