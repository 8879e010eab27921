"""Sign in: with the city's identity provider when it is configured, or with a local account."""

import streamlit as st

from equity_tracking import accounts, ui

ctx = ui.guard("sign_in")
st.title("Sign in")
st.markdown(
    "Bureau equity leads and equity-office staff sign in to see and update unpublished work. "
    "Everything published is open to everyone without signing in."
)
notice = ui.session_notice()
if notice:
    st.warning(notice, icon=":material/info:")
if ui.sso_refused():
    st.button("Sign out of the city account", on_click=ui.sso_sign_out, icon=":material/logout:")
elif ui.sso_configured():
    st.button(
        "Sign in with your City account",
        on_click=ui.sso_sign_in,
        type="primary",
        icon=":material/badge:",
    )
    st.caption("Or, if the equity office gave you a tracker password:")

with st.form("sign-in", enter_to_submit=True):
    email = st.text_input("Email", autocomplete="username", max_chars=320)
    password = st.text_input("Password", type="password", autocomplete="current-password", max_chars=1024)
    submitted = st.form_submit_button("Sign in", icon=":material/login:")

if submitted:
    try:
        principal = accounts.sign_in(ctx.engine, email=email, password=password)
    except accounts.SignInError as error:
        st.error(str(error), icon=":material/error:")
    else:
        ui.start_session(principal, method="password")
        ui.go_to("home")
st.caption(
    "Forgotten your password, or locked out? Ask the equity office: an administrator can set a new "
    "one. After 5 wrong passwords in a row an account locks for 15 minutes, then longer each time."
)
