"""Review queue (equity-office staff): every bureau's submitted work beside what was last published,
filtered by bureau, cycle and state; approve a bureau's cycle in bulk, return it with a comment,
and (administrators) publish what was approved. ``equity_tracking.writes`` checks each permission
itself; a button shown here is only a convenience."""

import datetime as dt

import streamlit as st

from equity_tracking import formatting, reminders, ui, writes
from equity_tracking.dashboards import workspace
from equity_tracking.db import DatabaseBusyError
from equity_tracking.permissions import Permission, allowed
from equity_tracking.validation import ValidationError

ctx = ui.guard("review")
st.title("Review queue")
st.markdown(
    "Bureaus submit their figures, action updates and narratives for each reporting cycle. Approve a "
    "bureau's cycle, or return it with a comment the bureau will see. Approved work becomes public "
    "when an administrator publishes it."
)

today = dt.date.today()
st.header("Due and late, by bureau")
status = ctx.memo(
    "due-status", lambda: reminders.due_status(ctx.engine, viewer=ctx.viewer, today=today), day=str(today)
)
overview = workspace.due_table(status, today)
if overview.empty:
    st.info("No bureau has a plan under way with a reporting cycle.", icon=":material/event_available:")
else:
    late = int(overview["State"].str.startswith("Late").sum())
    st.markdown(f"{formatting.plural(late, 'bureau')} late, of {len(overview)} with a plan under way.")
    ui.table(overview, key="due-overview", phone_title="Bureau", phone_fold="Bureaus")
    ui.download(overview, file_name=f"due-and-late-{today}.csv", key="due-overview")

bureaus = ctx.read("bureaus")
cycles = ctx.read("reporting_cycles")
names = dict(zip(bureaus["id"], bureaus["name"], strict=True))
cycle_labels = dict(zip(cycles["fiscal_year"], cycles["label"], strict=True))
filters = st.columns(3)
with filters[0]:
    bureau_id = ui.any_or_one("Bureau", names, every="Every bureau", key="bureau")
with filters[1]:
    newest_first = {year: cycle_labels[year] for year in reversed(list(cycle_labels))}
    cycle = ui.any_or_one("Cycle", newest_first, every="Every cycle", key="cycle")
with filters[2]:
    state = st.selectbox(
        "State",
        ["submitted", "approved", "draft", "published"],
        format_func=workspace.REVIEW_WORDS.get,
        key="state",
    )

work = ctx.read("cycle_work", bureau_id=bureau_id, fiscal_year=cycle)
waiting = workspace.queue_summary(work, names, cycle_labels, state=state)
st.header(f"{workspace.REVIEW_WORDS[state]}: by bureau and cycle")
if waiting.empty:
    st.info(f"Nothing is “{workspace.REVIEW_WORDS[state].lower()}” for this choice.", icon=":material/inbox:")
else:
    ui.table(waiting.drop(columns=["bureau_id", "fiscal_year"]), key="queue-summary")

st.header("Decide")
ui.show_flash("decide")
decidable = waiting if state in ("submitted", "approved") else waiting.iloc[0:0]
if decidable.empty:
    st.markdown("Choose the state “Waiting for review” or “Approved” to act on a bureau's cycle.")
else:
    pairs = list(zip(decidable["bureau_id"], decidable["fiscal_year"], strict=True))
    chosen = st.selectbox(
        "Bureau and cycle",
        pairs,
        format_func=lambda pair: f"{names[pair[0]]}, {cycle_labels.get(pair[1], pair[1])}",
        key="decide-pair",
    )
    chosen_bureau, chosen_cycle = int(chosen[0]), int(chosen[1])

    def _decide(step, done: str, **arguments) -> None:
        try:
            moved = step(
                ctx.engine,
                actor=ctx.principal,
                bureau_id=chosen_bureau,
                fiscal_year=chosen_cycle,
                **arguments,
            )
        except ValidationError as refused:
            ui.flash("decide", " ".join(error.message for error in refused.errors), ok=False)
        except (writes.WriteError, PermissionError, DatabaseBusyError) as refused:
            ui.flash("decide", str(refused), ok=False)
        else:
            ui.flash("decide", f"{done} {formatting.plural(moved, 'item')}.", ok=True)
            if step is writes.publish_cycle:
                ui.prepare_public_views(ctx)
        st.rerun()

    if state == "submitted":
        if st.button("Approve everything submitted", icon=":material/done_all:", type="primary"):
            _decide(writes.approve_cycle, "Approved")
        comment = st.text_area(
            "Comment for the bureau (needed to return)", key="return-comment", max_chars=2000
        )
        if st.button("Return to the bureau", icon=":material/undo:"):
            _decide(writes.return_cycle, "Returned", comment=comment)
    elif allowed(ctx.principal, Permission.PUBLISH):
        if st.button("Publish the approved work", icon=":material/public:", type="primary"):
            _decide(writes.publish_cycle, "Published")
    else:
        st.markdown("An administrator publishes approved work.")

values = ctx.read("values_in_review", review_status=state, bureau_id=bureau_id, fiscal_year=cycle)
st.header("Figures")
if values.empty:
    st.markdown("No figures in this state for this choice.")
else:
    shown = workspace.review_table(values)
    warned = int((shown["Warning"] != "").sum())
    st.markdown(
        f"{formatting.plural(len(shown), 'figure')}"
        + (f", {formatting.plural(warned, 'figure')} with a warning to check first." if warned else ".")
    )
    ui.dataframe(shown.sort_values("Warning", ascending=False, kind="stable"), hide_index=True, height=420)
    ui.download(shown, file_name=f"review-queue-{state}.csv", key="queue-values")

updates = ctx.read("updates_in_review", review_status=state, bureau_id=bureau_id, fiscal_year=cycle)
narratives = ctx.read("annual_reports", bureau_id=bureau_id, fiscal_year=cycle)
narratives = narratives[narratives["review_status"] == state]
with ui.section(f"Action updates ({len(updates):,})", key="queue-updates"):
    if updates.empty:
        st.markdown("No action updates in this state for this choice.")
    else:
        ui.table(workspace.updates_in_review_table(updates), key="queue-updates-table", phone_title="Action")
with ui.section(f"Annual narratives ({len(narratives):,})", key="queue-narratives"):
    if narratives.empty:
        st.markdown("No narratives in this state for this choice.")
    else:
        ui.table(workspace.narrative_table(narratives), key="queue-narratives-table", phone_title="Bureau")
