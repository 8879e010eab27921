"""My bureau (bureau leads, and the equity office on their behalf): what is due this cycle, and
forms to enter a period's figures, action status updates and the annual narrative, save drafts and
submit the cycle for review. Every save goes through ``equity_tracking.writes``, which checks the
permission, validates on the server and refuses a stale edit; this page only shows the answers."""

import datetime as dt
from collections.abc import Callable

import pandas as pd
import streamlit as st

from equity_tracking import formatting, ui, writes
from equity_tracking.dashboards import workspace
from equity_tracking.db import DatabaseBusyError
from equity_tracking.navigation import BUREAU
from equity_tracking.periods import kind_reported
from equity_tracking.permissions import Permission, bureaus_with
from equity_tracking.validation import Entry, ValidationError

ctx = ui.guard("my_bureau")
st.title("My bureau")
today = dt.date.today()

bureaus = ctx.read("bureaus")
editable = bureaus_with(ctx.principal, Permission.EDIT_BUREAU_DATA)
mine = bureaus if editable is None else bureaus[bureaus["id"].isin(sorted(editable))]
code = ui.url_choice(
    BUREAU,
    dict(zip(mine["code"], mine["name"], strict=True)),
    label="Bureau",
    not_found=lambda asked: f"You do not enter work for a bureau called “{asked}”.",
)
bureau = mine[mine["code"] == code].iloc[0]
bureau_id = int(bureau["id"])

plan = workspace.current_plan(ctx.read("plans", bureau_id=bureau_id))
if plan is None:
    st.info("This bureau has no racial equity plan in the tracker yet, so nothing is due.")
    st.stop()
cycles = workspace.plan_cycles(ctx.read("reporting_cycles"), plan)
if cycles.empty:
    st.info("No reporting cycle falls inside this bureau's plan yet. The equity office sets them up.")
    st.stop()
labels = dict(zip(cycles["fiscal_year"], cycles["label"], strict=True))
default_cycle = workspace.current_cycle(cycles, today)
cycle = st.selectbox(
    "Reporting cycle",
    list(labels),
    index=list(labels).index(default_cycle),
    format_func=lambda year: f"{labels[year]} report",
    key="cycle",
)
due_on = cycles.set_index("fiscal_year").loc[cycle, "due_on"].date()

# --- where the cycle stands -------------------------------------------------------------------------
steps = ctx.read("review_steps", bureau_id=bureau_id, fiscal_year=cycle)
if not steps.empty and steps.iloc[0]["state"] == "returned":
    latest = steps.iloc[0]
    st.warning(
        f"**Returned by {formatting.md(latest['actor'])} on {formatting.date_text(latest['at'])}:** "
        f"{formatting.md(latest['comment'])}",
        icon=":material/undo:",
    )
# --- what is due ----------------------------------------------------------------------------------
goals = ctx.read("goals", bureau_id=bureau_id, plan_id=int(plan["id"]))
measures = ctx.read("measures", bureau_id=bureau_id)
measures = measures[measures["goal_id"].isin(goals["id"])]
actions = ctx.read("actions", bureau_id=bureau_id)
actions = actions[actions["goal_id"].isin(goals["id"])]
periods = ctx.read("period_frame")
entries = ctx.read("bureau_entries", bureau_id=bureau_id, fiscal_year=cycle)
updates = ctx.read("action_updates", bureau_id=bureau_id)
narratives = ctx.read("annual_reports", bureau_id=bureau_id, fiscal_year=cycle)
missing = workspace.due_values(measures, periods, entries, fiscal_year=cycle, due_on=due_on, today=today)
quiet = workspace.due_actions(actions, updates, fiscal_year=cycle)
counts = workspace.cycle_counts(ctx.read("cycle_work", bureau_id=bureau_id, fiscal_year=cycle))
outstanding = len(missing) + len(quiet) + int(narratives.empty) + counts.get("draft", 0)
late = today > due_on and outstanding > 0
st.markdown(
    f"The {labels[cycle]} report is due by **{formatting.date_text(due_on)}**"
    + (". Some of it is **late**: it is past the due date and not all submitted." if late else ".")
)
tiles = st.columns(4)
for column, status in zip(tiles, workspace.REVIEW_WORDS, strict=True):
    with column:  # a working page: every count here is of unpublished work, so no "incl." mark
        st.metric(workspace.REVIEW_WORDS[status], f"{counts.get(status, 0):,}", border=True)

st.header("What is due")
if not outstanding:
    st.success("Everything for this cycle has been entered and submitted.", icon=":material/task_alt:")
if not missing.empty:
    st.markdown(f"**{formatting.plural(len(missing), 'measure value')} to enter** (each period's total):")
    due_table = missing[["measure", "period", "due"]].rename(columns=str.capitalize)
    ui.table(due_table, key="due-values", phone_fold="Values")
if not quiet.empty:
    st.markdown(f"**{formatting.plural(len(quiet), 'action')} without a status update this cycle:**")
    ui.table(quiet[["action", "last status"]].rename(columns=str.capitalize), key="due-actions")
if narratives.empty:
    st.markdown(f"**The annual narrative** for {labels[cycle]} is not written yet.")


# --- forms ------------------------------------------------------------------------------------------
def _starting_version(form: str, key: str) -> int:
    """The version this form's edit started from (kept across reruns until a save or a conflict)."""
    if f"base-{form}" not in st.session_state:  # read once, not on every rerun
        st.session_state[f"base-{form}"] = writes.edit_versions(ctx.engine, [key])[key]
    return st.session_state[f"base-{form}"]


def _restart(form: str, message: str, *, ok: bool, also: tuple[str, ...] = ()) -> None:
    """After a save or a conflict: forget the typed values and the starting version of the form (and
    of the forms in ``also``, which edit the same thing), and say why."""
    for each in (form, *also):
        for name in [name for name in st.session_state if str(name).startswith(f"{each}-")]:
            del st.session_state[name]
        st.session_state.pop(f"base-{each}", None)
    ui.flash(form, message, ok=ok)
    st.rerun()


def _attempt(
    form: str,
    save: Callable[[], object],
    done: Callable[[object], str],
    field: Callable[[str], str] = lambda name: name,
    also: tuple[str, ...] = (),
) -> None:
    """Run a save and show what it said on the form's next run: each refused field next to itself
    (``field`` maps the write path's field names to the form's), a conflict (the form reloads the
    saved figures), anything else refused in a line, or success."""
    try:
        result = save()
    except ValidationError as refused:
        ui.set_form_errors(form, {field(error.field): error.message for error in refused.errors})
    except writes.ConfirmationNeededError as unusual:
        ui.set_form_errors(form, {"confirm": str(unusual)})
    except writes.ConflictError as conflict:
        _restart(form, f"{conflict} The form now shows the saved version.", ok=False, also=also)
    except (writes.WriteError, DatabaseBusyError) as refused:
        ui.flash(form, str(refused), ok=False)
    else:
        _restart(form, done(result), ok=True, also=also)
    st.rerun()


def _bring_back(form: str, values: dict[str, object]) -> None:
    """Put an earlier version into the form, to be saved as a new version (a button's handler runs
    after the form's fields exist, so the values wait in the session for the next run)."""
    st.session_state[f"_load-{form}"] = values
    st.rerun()


def _apply_bring_back(form: str) -> None:
    """Before the form's fields are drawn: fill them with a version asked for on the last run."""
    for key, value in st.session_state.pop(f"_load-{form}", {}).items():
        st.session_state[f"{form}-{key}"] = value


def _text(number: object) -> str:
    return "" if number is None or pd.isna(number) else f"{float(number):g}"


st.header("Enter figures")
if measures.empty:
    st.info("This plan has no performance measures.")
else:
    names = dict(zip(measures["id"], measures["name"], strict=True))
    measure_id = st.selectbox("Measure", list(names), format_func=names.get, key="measure")
    measure = measures.set_index("id").loc[measure_id]
    kind = kind_reported(str(measure["frequency"])).value
    choices = periods[(periods["fiscal_year"] == cycle) & (periods["kind"] == kind)]
    period_labels = dict(zip(choices["period_id"], choices["label"], strict=True))
    period_id = st.selectbox("Period", list(period_labels), format_func=period_labels.get, key="period")
    form = f"values-{measure_id}-{period_id}"
    base = _starting_version(form, writes.period_key(measure_id, period_id))
    ui.show_flash(form)
    errors = ui.form_errors(form)
    saved = entries[(entries["measure_id"] == measure_id) & (entries["period_id"] == period_id)].set_index(
        "group_id"
    )
    groups = ctx.read("race_groups")
    groups = groups[groups["takes_figures"].astype(bool)]
    unit = formatting.md(measure["unit"])
    with st.form(form):
        st.markdown(f"Unit: **{unit}**. Leave a group blank if it is not reported.")
        rows = [(0, "Total")] + (
            list(zip(groups["id"], groups["name"], strict=True)) if bool(measure["disaggregated"]) else []
        )
        for group_id, group_name in rows:
            name = "total" if group_id == 0 else f"group.{group_id}"
            current = saved.loc[group_id] if group_id in saved.index else None
            cells = st.columns(3)
            for cell, part, label in zip(
                cells, ("value", "numerator", "denominator"), ("", " numerator", " denominator"), strict=True
            ):
                with cell:
                    st.text_input(
                        f"{group_name}{label}",
                        value=_text(None if current is None else current[part]),
                        key=f"{form}-{name}.{part}",
                    )
                    ui.field_error(errors, f"{name}.{part}")
            ui.field_error(errors, name)
        st.text_area(
            "Note (why the groups do not add up, a change of method…)", key=f"{form}-note", max_chars=2000
        )
        ui.field_error(errors, "note")
        st.text_input("Source", key=f"{form}-source", max_chars=300)
        ui.field_error(errors, "source")
        ui.field_error(errors, "period")
        confirm = False
        if errors.get("confirm"):
            st.warning(errors["confirm"], icon=":material/help:")
            confirm = st.checkbox("Yes, this figure is right", key=f"{form}-confirm")
        if st.form_submit_button("Save draft", icon=":material/save:"):
            typed = st.session_state

            def entry(name: str) -> Entry:
                return Entry(
                    *(typed.get(f"{form}-{name}.{part}") for part in ("value", "numerator", "denominator"))
                )

            _attempt(
                form,
                lambda: writes.save_period_values(
                    ctx.engine,
                    actor=ctx.principal,
                    measure_id=int(measure_id),
                    period_id=int(period_id),
                    total=entry("total"),
                    groups={int(group_id): entry(f"group.{group_id}") for group_id, _ in rows[1:]
                            if not entry(f"group.{group_id}").is_blank},
                    note=typed.get(f"{form}-note"),
                    source=typed.get(f"{form}-source"),
                    base_version=base,
                    confirm_jump=confirm,
                ),
                lambda saved: f"Saved as a draft ({formatting.plural(len(saved.value_ids), 'figure')}).",
            )  # fmt: skip
    with ui.section("History of this measure", key=f"history-{measure_id}"):
        history = ctx.read("value_versions", measure_id=int(measure_id))
        ui.table(workspace.history_table(history), key=f"history-table-{measure_id}", phone_fold="Versions")
        this_period = history[history["period"] == period_labels[period_id]]
        if len(this_period) > 1:
            restore_form = f"restore-{measure_id}-{period_id}"
            ui.show_flash(restore_form)
            with st.form(restore_form):
                labels_of = dict(
                    zip(this_period["value_id"], workspace.version_labels(this_period), strict=True)
                )
                chosen = st.selectbox("Version to bring back", list(labels_of), format_func=labels_of.get)
                reason = st.text_input("Why", key=f"{restore_form}-reason", max_chars=2000)
                if st.form_submit_button("Restore this version", icon=":material/history:"):
                    _attempt(
                        restore_form,
                        lambda: writes.restore_value(
                            ctx.engine,
                            actor=ctx.principal,
                            value_id=int(chosen),
                            base_version=base,
                            reason=reason,
                        ),
                        lambda _: "Restored it as a new draft; the newer versions stay in the history.",
                        also=(form,),
                    )

st.header("Action status updates")
if actions.empty:
    st.info("This plan has no actions.")
else:
    titles = dict(zip(actions["id"], actions["title"], strict=True))
    action_id = st.selectbox("Action", list(titles), format_func=titles.get, key="action")
    form = f"action-{action_id}"
    base = _starting_version(form, writes.action_key(int(action_id)))
    ui.show_flash(form)
    errors = ui.form_errors(form)
    statuses = workspace.ACTION_STATUSES
    _apply_bring_back(form)
    with st.form(form):
        st.selectbox(
            "Status",
            statuses,
            format_func=lambda value: value.replace("_", " ").capitalize(),
            key=f"{form}-status",
        )
        ui.field_error(errors, "status")
        st.number_input("Percent complete", min_value=0, max_value=100, step=5, key=f"{form}-percent")
        ui.field_error(errors, "percent_complete")
        st.text_area("What happened this year", key=f"{form}-narrative", max_chars=4000)
        ui.field_error(errors, "narrative")
        if st.form_submit_button("Save update", icon=":material/save:"):
            typed = st.session_state
            _attempt(
                form,
                lambda: writes.record_action_update(
                    ctx.engine, actor=ctx.principal, action_id=int(action_id),
                    status=typed.get(f"{form}-status"), percent_complete=typed.get(f"{form}-percent"),
                    narrative=typed.get(f"{form}-narrative"), fiscal_year=int(cycle), base_version=base,
                ),
                lambda _: "Saved the update as a draft.",
            )  # fmt: skip
    with ui.section("History of this action", key=f"action-history-{action_id}"):
        mine = updates[updates["action_id"] == action_id]
        ui.table(workspace.update_table(mine), key=f"updates-{action_id}")
        if not mine.empty:
            earlier = dict(zip(mine["update_id"], workspace.update_labels(mine), strict=True))
            chosen = st.selectbox("Version to bring back", list(earlier), format_func=earlier.get,
                                  key=f"pick-{form}")  # fmt: skip
            if st.button("Put this version in the form", icon=":material/history:", key=f"load-{form}"):
                row = mine.set_index("update_id").loc[chosen]
                _bring_back(form, {"status": row["status"], "percent": int(row["percent_complete"]),
                                   "narrative": row["narrative"] or ""})  # fmt: skip

st.header("Annual narrative")
form = f"narrative-{cycle}"
base = _starting_version(form, writes.narrative_key(bureau_id, int(cycle)))
ui.show_flash(form)
errors = ui.form_errors(form)
written = narratives.iloc[0] if not narratives.empty else None
_apply_bring_back(form)
with st.form(form):
    lists = {}
    for part, heading in (
        ("highlights", "Highlights"),
        ("challenges", "Challenges"),
        ("priorities", "Next year's priorities"),
    ):
        st.markdown(f"**{heading}** (one to three)")
        items = [*(written[part] if written is not None else []), "", "", ""]
        for number in (1, 2, 3):  # the saved text, unless a version was brought back or typed
            st.session_state.setdefault(f"{form}-{part}.{number}", items[number - 1])
        lists[part] = [
            st.text_input(f"{heading} {number}", key=f"{form}-{part}.{number}") for number in (1, 2, 3)
        ]
        ui.field_error(errors, part)
    if st.form_submit_button("Save narrative", icon=":material/save:"):
        _attempt(
            form,
            lambda: writes.save_narrative(
                ctx.engine, actor=ctx.principal, bureau_id=bureau_id, fiscal_year=int(cycle),
                base_version=base, **lists,
            ),
            lambda _: "Saved the narrative as a draft.",
            field=lambda name: name.split(".")[0],
        )  # fmt: skip

with ui.section("History of this narrative", key=f"narrative-history-{cycle}"):
    versions = ctx.read("narrative_versions", bureau_id=bureau_id, fiscal_year=int(cycle))
    if versions.empty:
        st.markdown("No version has been saved yet.")
    else:
        ui.table(workspace.narrative_history_table(versions), key=f"narrative-versions-{cycle}")
        earlier = dict(zip(versions["report_id"], workspace.narrative_labels(versions), strict=True))
        chosen = st.selectbox(
            "Version to bring back", list(earlier), format_func=earlier.get, key=f"pick-{form}"
        )
        if st.button("Put this version in the form", icon=":material/history:", key=f"load-{form}"):
            row = versions.set_index("report_id").loc[chosen]
            parts = ("highlights", "challenges", "priorities")
            _bring_back(form, {f"{part}.{number}": [*row[part], "", "", ""][number - 1]
                               for part in parts for number in (1, 2, 3)})  # fmt: skip

st.header("Submit for review")
drafts = counts.get("draft", 0)
ui.show_flash("submit")
if drafts:
    st.markdown(
        f"{formatting.plural(drafts, 'draft')} for {labels[cycle]}. Submitting sends them to the equity "
        "office, which approves them or returns them to you with a comment."
    )
    if st.button(f"Submit the {labels[cycle]} report", icon=":material/send:", type="primary"):
        try:
            moved = writes.submit_cycle(
                ctx.engine, actor=ctx.principal, bureau_id=bureau_id, fiscal_year=int(cycle)
            )
        except (writes.WriteError, DatabaseBusyError) as refused:
            ui.flash("submit", str(refused), ok=False)
        else:
            ui.flash("submit", f"Submitted {formatting.plural(moved, 'item')} for review.", ok=True)
        st.rerun()
else:
    st.markdown("There are no drafts to submit for this cycle.")
with ui.section("Review history of this cycle", key="steps"):
    if steps.empty:
        st.markdown("Nothing has been submitted for this cycle yet.")
    else:
        ui.table(workspace.step_table(steps), key="steps-table")
