"""Audit log (equity-office staff): who did what, when, and every refusal, filtered by day, person,
action and kind of record, with a CSV of what is shown. ``equity_tracking.audit.entries`` refuses
anyone who may not view the log, whatever this page shows."""

import datetime as dt

import streamlit as st

from equity_tracking import audit, ui

ctx = ui.guard("audit")
st.title("Audit log")
st.markdown(
    "Every change to plan data, every review step, every sign-in and every refusal, newest first. "
    "Times are in UTC."
)
held = audit.filters(ctx.engine, actor=ctx.principal)
names = held.people
today = dt.date.today()
top = st.columns(2)
with top[0]:
    since = st.date_input("From", value=today - dt.timedelta(days=30), key="since")
with top[1]:
    until = st.date_input("To", value=today, key="until")
bottom = st.columns(3)
with bottom[0]:
    user_id = ui.any_or_one("Person", names, every="Everyone", key="person")
with bottom[1]:
    chosen_actions = st.multiselect("Actions", held.actions, key="actions", placeholder="Every action")
with bottom[2]:
    entity = ui.any_or_one(
        "Kind of record", {kind: kind for kind in held.entities}, every="Every kind", key="entity"
    )
log = audit.entries(
    ctx.engine,
    actor=ctx.principal,
    since=since,
    until=until,
    user_id=user_id,
    actions=chosen_actions,
    entity=entity,
)
if log.empty:
    st.info("No entries match these filters.", icon=":material/search_off:")
else:
    st.markdown(
        f"{len(log):,} entries"
        + (
            " (the newest; narrow the filters to see older ones)."
            if len(log) >= audit.AUDIT_PAGE_LIMIT
            else "."
        )
    )
    shown = log.assign(at=log["at"].dt.strftime("%Y-%m-%d %H:%M:%S")).rename(
        columns={
            "at": "When (UTC)",
            "user": "Who",
            "action": "Action",
            "entity": "Record",
            "entity_id": "Record id",
            "detail": "Detail",
        }
    )
    ui.dataframe(shown.drop(columns=["id"]), hide_index=True, key="audit-table")
    ui.download(log, file_name=f"audit-log-{since}-to-{until}.csv", key="audit-log")
