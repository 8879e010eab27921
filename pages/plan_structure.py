"""Plan structure (administrators): bureaus and their names, plans and their versions, goals, actions,
measures and interim targets. Every change goes through ``equity_tracking.plan_admin``, which checks
the permission, validates on the server and writes the history; this page shows the forms, each
refused field next to itself, and each record's history."""

import datetime as dt
from collections.abc import Callable

import pandas as pd
import streamlit as st

from equity_tracking import plan_admin, ui
from equity_tracking.dashboards import plan_structure as shape

ctx = ui.guard("plan_structure")
st.title("Plan structure")
st.markdown(
    "Bureaus, their plans and versions, goals, actions and measures. Every change is kept in the "
    "record's history; nothing is deleted: archive what is retired, and start a new version to "
    "revise a plan in force. See the administrators' guide (docs/admin.md)."
)


def _history(entity: str, record_id: int) -> None:
    ui.history_section(
        lambda: shape.history_table(
            plan_admin.history(ctx.engine, actor=ctx.principal, entity=entity, record_id=record_id)
        ),
        key=f"{entity}-{record_id}",
    )


def _archive_button(entity: str, record_id: int, row: pd.Series, what: str, form: str) -> None:
    archived = shape.is_archived(row)
    label = f"Restore this {what}" if archived else f"Archive this {what}"
    if st.button(
        label, icon=":material/unarchive:" if archived else ":material/archive:", key=f"archive-{form}"
    ):
        ui.save_form(
            ctx,
            form,
            lambda: plan_admin.set_archived(
                ctx.engine, actor=ctx.principal, entity=entity, record_id=record_id, archived=not archived
            ),
            f"{'Restored' if archived else 'Archived'} the {what}.",
        )


def _text(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _day(value: object) -> dt.date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()  # type: ignore[arg-type]


# --- the bureau -----------------------------------------------------------------------------------
bureaus = ctx.read("bureaus", include_inactive=True)
with ui.section("Add a bureau", key="add-bureau"):
    ui.show_flash("new-bureau")
    errors = ui.form_errors("new-bureau")
    with st.form("new-bureau"):
        code = st.text_input("Budget code (up to 8 letters or digits)", max_chars=8, key="new-bureau-code")
        ui.field_error(errors, "code")
        name = st.text_input("Name of the new bureau", max_chars=200, key="new-bureau-name")
        ui.field_error(errors, "name")
        area = st.text_input("Service area (optional)", max_chars=200, key="new-bureau-area")
        ui.field_error(errors, "service_area")
        if st.form_submit_button("Add bureau", icon=":material/add:"):
            ui.save_form(
                ctx,
                "new-bureau",
                lambda: plan_admin.create_bureau(
                    ctx.engine, actor=ctx.principal, code=code, name=name, service_area=area
                ),
                "Added the bureau.",
            )
if bureaus.empty:
    st.info("There are no bureaus yet. Add one above.")
    st.stop()
labels = {
    int(row.id): f"{row.name} ({row.code})" + ("" if row.active else " (archived)")
    for row in bureaus.itertuples()
}
bureau_id = st.selectbox("Bureau", list(labels), format_func=labels.get, key="pick-bureau")
bureau = bureaus.set_index("id").loc[bureau_id]
held = plan_admin.bureau_structure(ctx.engine, actor=ctx.principal, bureau_id=int(bureau_id))

st.header("Bureau")
if bureau["earlier_names"]:
    st.caption(f"Formerly {ui.md(bureau['earlier_names'])}.")
form = f"bureau-{bureau_id}"
ui.show_flash(form)
errors = ui.form_errors(form)
with st.form(form):
    new_name = st.text_input("Bureau name", value=str(bureau["name"]), max_chars=200, key=f"{form}-name")
    ui.field_error(errors, "name")
    renamed_on = st.date_input("Renamed on (the new name applies from this day)", key=f"{form}-on")
    ui.field_error(errors, "on")
    area = st.text_input(
        "Service area", value=_text(bureau["service_area"]), max_chars=200, key=f"{form}-service_area"
    )
    ui.field_error(errors, "service_area")
    if st.form_submit_button("Save bureau", icon=":material/save:"):
        ui.save_form(
            ctx,
            form,
            lambda: plan_admin.save_bureau(
                ctx.engine,
                actor=ctx.principal,
                bureau_id=int(bureau_id),
                name=new_name,
                service_area=area,
                on=renamed_on,
            ),
            "Saved the bureau. A new name keeps the old one as “Formerly …”.",
        )
active = bool(bureau["active"])
if st.button(
    "Archive this bureau" if active else "Restore this bureau",
    key=f"active-{bureau_id}",
    icon=":material/archive:" if active else ":material/unarchive:",
):
    ui.save_form(
        ctx,
        form,
        lambda: plan_admin.set_bureau_active(
            ctx.engine, actor=ctx.principal, bureau_id=int(bureau_id), active=not active
        ),
        "Archived the bureau." if active else "Restored the bureau.",
    )
_history("bureau", int(bureau_id))

# --- plans and versions ---------------------------------------------------------------------------
st.header("Plans")
plans = held.plans
with ui.section("Add a plan", key=f"add-plan-{bureau_id}"):
    form = f"new-plan-{bureau_id}"
    ui.show_flash(form)
    errors = ui.form_errors(form)
    with st.form(form):
        title = st.text_input("Title", max_chars=300, key=f"{form}-title")
        ui.field_error(errors, "title")
        first = st.number_input(
            "First fiscal year (2021 is FY 2021-22)",
            min_value=1990,
            max_value=2100,
            value=dt.date.today().year,
            key=f"{form}-first",
        )
        ui.field_error(errors, "first_fiscal_year")
        last = st.number_input(
            "Last fiscal year",
            min_value=1990,
            max_value=2100,
            value=dt.date.today().year + 4,
            key=f"{form}-last",
        )
        ui.field_error(errors, "last_fiscal_year")
        if st.form_submit_button("Add plan (as a draft)", icon=":material/add:"):
            ui.save_form(
                ctx,
                form,
                lambda: plan_admin.create_plan(
                    ctx.engine,
                    actor=ctx.principal,
                    bureau_id=int(bureau_id),
                    title=title,
                    first_fiscal_year=first,
                    last_fiscal_year=last,
                ),
                "Added the plan as a draft.",
            )
if plans.empty:
    st.info("This bureau has no plan yet.")
    st.stop()
ui.table(shape.plans_table(plans), key="plans", phone_title="Title")
plan_labels = {int(row["id"]): shape.plan_label(row) for _, row in plans.iterrows()}
plan_id = st.selectbox(
    "Plan version",
    list(plan_labels),
    index=len(plan_labels) - 1,
    format_func=plan_labels.get,
    key=f"pick-plan-{bureau_id}",
)
plan = plans.set_index("id").loc[plan_id]
form = f"plan-{plan_id}"
ui.show_flash(form)
errors = ui.form_errors(form)
moves = shape.next_statuses(str(plan["status"]))
if moves:
    status = st.selectbox("Change the status to", moves, format_func=shape.words, key=f"{form}-status")
    ui.field_error(errors, "status")
    if st.button("Change status", key=f"{form}-move"):
        ui.save_form(
            ctx,
            form,
            lambda: plan_admin.set_plan_status(
                ctx.engine, actor=ctx.principal, plan_id=int(plan_id), status=status
            ),
            f"The plan is now {shape.words(status).lower()}. An active version supersedes the one before.",
        )
if st.button("Start a new version (a draft copy)", icon=":material/content_copy:", key=f"{form}-version"):
    ui.save_form(
        ctx,
        form,
        lambda: plan_admin.new_plan_version(ctx.engine, actor=ctx.principal, plan_id=int(plan_id)),
        "Started a new version as a draft, with a copy of the goals, actions and measures.",
    )
_history("plan", int(plan_id))

# --- goals ----------------------------------------------------------------------------------------
st.header("Goals")
goals = held.goals[held.goals["plan_id"] == plan_id]
citywide = ctx.read("citywide_goals")
citywide_names = {int(row.id): f"{row.number}. {row.short_title}" for row in citywide.itertuples()}
focus = ctx.read("focus_areas")
focus_names = {int(row.id): str(row.name) for row in focus.itertuples()}
if not goals.empty:
    ui.table(shape.goals_table(goals, citywide_names, focus_names), key="goals", phone_title="Title")
goal_options = shape.choices(goals, "title", new="Add a new goal")
goal_id = st.selectbox(
    "Goal",
    list(goal_options),
    format_func=goal_options.get,
    key=f"pick-goal-{plan_id}",
    index=min(1, len(goal_options) - 1),
)
goal = goals.set_index("id").loc[goal_id] if goal_id else pd.Series(dtype=object)
form = f"goal-{plan_id}-{goal_id}"
ui.show_flash(form)
errors = ui.form_errors(form)
with st.form(form):
    key = st.text_input(
        "Key (unique in the plan)", value=_text(goal.get("key")), max_chars=40, key=f"{form}-key"
    )
    ui.field_error(errors, "key")
    title = st.text_input("Title", value=_text(goal.get("title")), max_chars=300, key=f"{form}-title")
    ui.field_error(errors, "title")
    description = st.text_area(
        "Description", value=_text(goal.get("description")), max_chars=4000, key=f"{form}-description"
    )
    ui.field_error(errors, "description")
    city_ids = list(citywide_names)
    city_goal = st.selectbox(
        "Citywide goal",
        city_ids,
        format_func=citywide_names.get,
        key=f"{form}-citywide",
        index=city_ids.index(goal["citywide_goal_id"]) if goal_id else 0,
    )
    ui.field_error(errors, "citywide_goal_id")
    focus_ids = list(focus_names)
    focus_area = st.selectbox(
        "Focus area",
        focus_ids,
        format_func=focus_names.get,
        key=f"{form}-focus",
        index=focus_ids.index(goal["focus_area_id"]) if goal_id else 0,
    )
    ui.field_error(errors, "focus_area_id")
    order = st.number_input(
        "Place in the list",
        min_value=0,
        max_value=10_000,
        step=1,
        key=f"{form}-order",
        value=int(goal.get("sort_order", 0) or 0),
    )
    ui.field_error(errors, "sort_order")
    if st.form_submit_button("Save goal", icon=":material/save:"):
        ui.save_form(
            ctx,
            form,
            lambda: plan_admin.save_goal(
                ctx.engine,
                actor=ctx.principal,
                plan_id=int(plan_id),
                goal_id=int(goal_id) or None,
                key=key,
                title=title,
                description=description,
                citywide_goal_id=city_goal,
                focus_area_id=focus_area,
                sort_order=order,
            ),
            "Saved the goal.",
        )
if not goal_id:
    st.stop()
_archive_button("bureau_goal", int(goal_id), goal, "goal", form)
_history("bureau_goal", int(goal_id))

# --- actions --------------------------------------------------------------------------------------
st.header("Actions of this goal")
actions = held.actions[held.actions["goal_id"] == goal_id]
if not actions.empty:
    ui.table(shape.actions_table(actions), key="actions", phone_title="Title")
action_options = shape.choices(actions, "title", new="Add a new action")
action_id = st.selectbox(
    "Action", list(action_options), format_func=action_options.get, key=f"pick-action-{goal_id}"
)
action = actions.set_index("id").loc[action_id] if action_id else pd.Series(dtype=object)
form = f"action-{goal_id}-{action_id}"
ui.show_flash(form)
errors = ui.form_errors(form)
with st.form(form):
    key = st.text_input(
        "Key (unique in the goal)", value=_text(action.get("key")), max_chars=40, key=f"{form}-key"
    )
    ui.field_error(errors, "key")
    title = st.text_input("Title", value=_text(action.get("title")), max_chars=400, key=f"{form}-title")
    ui.field_error(errors, "title")
    lead = st.text_input(
        "Lead (accountable position)", value=_text(action.get("lead")), max_chars=200, key=f"{form}-lead"
    )
    ui.field_error(errors, "lead")
    start = st.date_input("Start date", value=_day(action.get("start_date")), key=f"{form}-start")
    ui.field_error(errors, "start_date")
    due_on = st.date_input("Due date", value=_day(action.get("due_date")), key=f"{form}-due")
    ui.field_error(errors, "due_date")
    statuses = shape.ACTION_STATUSES
    action_status = st.selectbox(
        "Status",
        statuses,
        format_func=shape.words,
        key=f"{form}-status",
        index=statuses.index(action["status"]) if action_id else 0,
    )
    ui.field_error(errors, "status")
    if st.form_submit_button("Save action", icon=":material/save:"):
        ui.save_form(
            ctx,
            form,
            lambda: plan_admin.save_action(
                ctx.engine,
                actor=ctx.principal,
                goal_id=int(goal_id),
                action_id=int(action_id) or None,
                key=key,
                title=title,
                lead=lead,
                start_date=start,
                due_date=due_on,
                status=action_status,
                description=_text(action.get("description")) or None,
                sort_order=int(action.get("sort_order", 0) or 0),
            ),
            "Saved the action.",
        )
if action_id:
    _archive_button("action", int(action_id), action, "action", form)
    _history("action", int(action_id))

# --- measures and interim targets -----------------------------------------------------------------
st.header("Measures of this goal")
measures = held.measures[held.measures["goal_id"] == goal_id]
if not measures.empty:
    ui.table(shape.measures_table(measures, held.periods), key="measures", phone_title="Name")
measure_options = shape.choices(measures, "name", new="Add a new measure")
measure_id = st.selectbox(
    "Measure", list(measure_options), format_func=measure_options.get, key=f"pick-measure-{goal_id}"
)
measure = measures.set_index("id").loc[measure_id] if measure_id else pd.Series(dtype=object)
form = f"measure-{goal_id}-{measure_id}"
ui.show_flash(form)
errors = ui.form_errors(form)


def _pick(label: str, options: list, field: str, format_func: Callable = shape.words) -> object:
    """A choice of the measure form, starting at the measure's own (the first option for a new one)."""
    current = measure.get(field)
    index = options.index(current) if current in options else 0
    chosen = st.selectbox(label, options, index=index, format_func=format_func, key=f"{form}-{field}")
    ui.field_error(errors, field)
    return chosen


def _typed(label: str, field: str, value: str, **options: object) -> str:
    typed = st.text_input(label, value=value, key=f"{form}-{field}", **options)  # type: ignore[arg-type]
    ui.field_error(errors, field)
    return typed


with st.form(form):
    typed = {
        "key": _typed("Key (unique in the goal)", "key", _text(measure.get("key")), max_chars=40),
        "name": _typed("Name", "name", _text(measure.get("name")), max_chars=300),
        "unit": _pick("Unit", shape.UNITS, "unit", str),
        "polarity": _pick("Polarity", list(shape.POLARITIES), "polarity", shape.POLARITIES.get),
        "rba_category": _pick("Results-Based Accountability", list(shape.RBA), "rba_category", shape.RBA.get),
        "frequency": _pick("Reported", shape.FREQUENCIES, "frequency"),
    }
    left, right = st.columns(2)
    with left:
        typed["baseline_value"] = _typed(
            "Baseline value", "baseline_value", shape.number_text(measure.get("baseline_value"))
        )
        typed["baseline_period"] = _typed(
            "Baseline period (e.g. FY 2016-17)",
            "baseline_period",
            shape.period_text(measure.get("baseline_period_id"), held.periods),
        )
    with right:
        typed["target_value"] = _typed(
            "Target value", "target_value", shape.number_text(measure.get("target_value"))
        )
        typed["target_period"] = _typed(
            "Target period (e.g. FY 2020-21)",
            "target_period",
            shape.period_text(measure.get("target_period_id"), held.periods),
        )
    typed["disaggregated"] = st.checkbox(
        "Reported by race/ethnicity",
        value=bool(measure.get("disaggregated", False)),
        key=f"{form}-disaggregated",
    )
    typed["data_source"] = _typed(
        "Data source", "data_source", _text(measure.get("data_source")), max_chars=300
    )
    typed["indicator"] = _typed(
        "Shared indicator key (optional)", "indicator", _text(measure.get("indicator")), max_chars=60
    )
    if st.form_submit_button("Save measure", icon=":material/save:"):
        fields = plan_admin.MeasureFields(
            **typed,
            description=_text(measure.get("description")) or None,
            sort_order=int(measure.get("sort_order", 0) or 0),
        )
        ui.save_form(
            ctx,
            form,
            lambda: plan_admin.save_measure(
                ctx.engine,
                actor=ctx.principal,
                goal_id=int(goal_id),
                measure_id=int(measure_id) or None,
                fields=fields,
            ),
            "Saved the measure.",
        )
if not measure_id:
    st.stop()
_archive_button("measure", int(measure_id), measure, "measure", form)
_history("measure", int(measure_id))

st.subheader("Interim targets")
targets = held.interim_targets[held.interim_targets["measure_id"] == measure_id]
if targets.empty:
    st.markdown("This measure has no interim target.")
else:
    ui.table(shape.interim_table(targets), key="interim-targets")
form = f"interim-{measure_id}"
ui.show_flash(form)
errors = ui.form_errors(form)
with st.form(form):
    period = st.text_input("Period (e.g. FY 2018-19)", max_chars=32, key=f"{form}-period")
    ui.field_error(errors, "period")
    value = st.text_input("Interim target (leave blank to clear it)", key=f"{form}-value")
    ui.field_error(errors, "value")
    if st.form_submit_button("Save interim target", icon=":material/save:"):
        ui.save_form(
            ctx,
            form,
            lambda: plan_admin.set_interim_target(
                ctx.engine, actor=ctx.principal, measure_id=int(measure_id), period=period, value=value
            ),
            "Saved the interim target.",
        )
