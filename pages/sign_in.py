"""Sign in: with the city's identity provider when it is configured, or with a tracker password (a
form the server itself serves, so that the session survives reloads and new tabs)."""

import streamlit as st

from equity_tracking import ui

ctx = ui.guard("sign_in")
st.title("Sign in")
st.markdown(
    "Bureau equity leads and equity-office staff sign in to see and update unpublished work. "
    "Everything published is open to everyone without signing in."
)
if ui.sso_refused():
    st.warning(ui.session_notice() or "", icon=":material/info:")
    st.button("Sign out of the City account", on_click=ui.sso_sign_out, icon=":material/logout:")
elif ui.sso_configured():
    st.button(
        "Sign in with your City account",
        on_click=ui.sso_sign_in,
        type="primary",
        icon=":material/badge:",
    )
ui.plain_link("Sign in with a tracker password", ui.PASSWORD_SIGN_IN_URL)
st.caption(
    "A tracker password is for people the equity office gave one to. Forgotten it, or locked out? "
    "Ask the equity office: an administrator can set a new one."
)
