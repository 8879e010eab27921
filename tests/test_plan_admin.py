"""The plan-structure workspace's write path (``equity_tracking.plan_admin``) on a real database: each
change with its history in the audit log, refusals, field errors, unchanged saves, renames, new plan
versions, interim targets and archiving. Expected figures are worked out by hand from the golden
city (tests/golden_city.py): AA's plan 1 holds goals AA-G1 (M1, M2) and AA-G2 (M3, actions A1, A2);
M3 has an interim target of 80 for FY 2018-19."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from golden_city import build_golden_city
from principals import make_user
from sqlalchemy import func, select

from equity_tracking import accounts, due, plan_admin, reads, writes
from equity_tracking.analytics import load_frames, run_analytics
from equity_tracking.models import (
    STRUCTURE_CHANGES_KEY,
    Action,
    AppMetadata,
    AuditEntry,
    Bureau,
    BureauGoal,
    BureauName,
    InterimTarget,
    Measure,
    MeasureValue,
    Plan,
    ReportingPeriod,
)
from equity_tracking.permissions import PermissionDeniedError, Role, Viewer
from equity_tracking.plan_admin import MeasureFields
from equity_tracking.validation import ValidationError

AA, AA_PLAN = 1, 1
G1, G2 = 1, 2
M1, M3 = 1, 3
A1, A2 = 1, 2


@pytest.fixture
def city(database_factory):
    engine = database_factory.new_engine()
    build_golden_city(engine)
    engine.people = {  # type: ignore[attr-defined]
        who: accounts.current_principal(
            engine, make_user(engine, f"{who}@city.example", role, *bureaus, name=f"Person {who}")
        )
        for who, role, bureaus in [
            ("admin", Role.ADMIN, ()),
            ("editor", Role.BUREAU_EDITOR, ("AA",)),
            ("analyst", Role.ANALYST, ()),
        ]
    }
    return engine


def _admin(city):
    return city.people["admin"]


def _scalar(city, statement):
    with city.connect() as connection:
        return connection.execute(statement).scalar_one_or_none()


def _entries(city, action: str) -> list[dict]:
    with city.connect() as connection:
        details = connection.execute(
            select(AuditEntry.detail).where(AuditEntry.action == action).order_by(AuditEntry.id)
        ).scalars()
        return [detail if isinstance(detail, dict) else json.loads(detail) for detail in details]


def _audit_count(city) -> int:
    return _scalar(city, select(func.count()).select_from(AuditEntry))


def _structure_changes(city) -> int:
    return int(_scalar(city, select(AppMetadata.value).where(AppMetadata.key == STRUCTURE_CHANGES_KEY)) or 0)


def _fields(field_errors: ValidationError) -> dict[str, str]:
    return {error.field: error.message for error in field_errors.errors}


M3_AS_SAVED = MeasureFields(
    key="M3",
    name="Vital documents translated",
    unit="count",
    polarity="higher_is_better",
    rba_category="better_off",
    frequency="annual",
    baseline_value=10,
    baseline_period="FY 2016-17",
    target_value=50,
    target_period="FY 2020-21",
    sort_order=3,
)


# --- bureaus --------------------------------------------------------------------------------------


def test_a_new_bureau_is_saved_with_its_history_and_a_structural_data_version(city):
    before = _structure_changes(city)
    new_id = plan_admin.create_bureau(city, actor=_admin(city), code=" dd ", name="Bureau of Delta")
    assert _scalar(city, select(Bureau.code).where(Bureau.id == new_id)) == "DD"  # kept in capitals
    [created] = _entries(city, "bureau_created")
    assert created["after"] == {"code": "DD", "name": "Bureau of Delta", "service_area": None, "active": True}
    assert _structure_changes(city) == before + 1


def test_a_bureau_with_bad_fields_names_every_one(city):
    with pytest.raises(ValidationError) as refused:
        plan_admin.create_bureau(city, actor=_admin(city), code="TOO LONG", name="  ")
    assert set(_fields(refused.value)) == {"code", "name"}
    with pytest.raises(ValidationError) as taken:
        plan_admin.create_bureau(city, actor=_admin(city), code="aa", name="Another Alpha")
    assert _fields(taken.value) == {"code": "Another bureau already has the code AA."}
    assert _scalar(city, select(func.count()).select_from(Bureau)) == 3


def test_a_rename_keeps_the_old_name_until_the_day_before(city):
    admin = _admin(city)
    assert plan_admin.rename_bureau(
        city, actor=admin, bureau_id=AA, name="Bureau of Omega", on=dt.date(2019, 7, 1)
    )
    assert plan_admin.rename_bureau(
        city, actor=admin, bureau_id=AA, name="Bureau of Psi", on=dt.date(2021, 1, 1)
    )
    with city.connect() as connection:
        names = connection.execute(
            select(BureauName.name, BureauName.valid_from, BureauName.valid_to)
            .where(BureauName.bureau_id == AA)
            .order_by(BureauName.valid_to)
        ).all()
    assert [tuple(row) for row in names] == [
        ("Bureau of Alpha", None, dt.date(2019, 6, 30)),
        ("Bureau of Omega", dt.date(2019, 7, 1), dt.date(2020, 12, 31)),
    ]
    shown = reads.bureaus(city).set_index("code").loc["AA"]
    assert shown["name"] == "Bureau of Psi"
    assert shown["earlier_names"] == "Bureau of Alpha; Bureau of Omega"
    assert _entries(city, "bureau_changed")[0]["before"] == {"name": "Bureau of Alpha"}
    # The same name again changes nothing and writes nothing.
    entries = _audit_count(city)
    assert not plan_admin.rename_bureau(city, actor=admin, bureau_id=AA, name="Bureau of Psi")
    assert _audit_count(city) == entries


def test_a_bureau_is_archived_and_restored(city):
    admin = _admin(city)
    assert plan_admin.set_bureau_active(city, actor=admin, bureau_id=2, active=False)
    assert "BB" not in set(reads.bureaus(city)["code"])
    assert "BB" in set(reads.bureaus(city, include_inactive=True)["code"])
    assert not plan_admin.set_bureau_active(city, actor=admin, bureau_id=2, active=False)
    assert plan_admin.set_bureau_active(city, actor=admin, bureau_id=2, active=True)
    assert plan_admin.set_service_area(city, actor=admin, bureau_id=2, service_area="Public safety")
    assert _scalar(city, select(Bureau.service_area).where(Bureau.id == 2)) == "Public safety"


def test_the_bureau_form_saves_its_name_and_service_area_together_or_not_at_all(city):
    admin = _admin(city)
    before, version = _audit_count(city), _structure_changes(city)
    with pytest.raises(ValidationError) as refused:
        plan_admin.save_bureau(
            city, actor=admin, bureau_id=AA, name="Bureau of Omega", service_area="x" * 201
        )
    assert list(_fields(refused.value)) == ["service_area"]
    assert (_audit_count(city), _structure_changes(city)) == (before, version)  # the new name is not kept
    assert plan_admin.save_bureau(
        city,
        actor=admin,
        bureau_id=AA,
        name="Bureau of Omega",
        service_area="Streets",
        on=dt.date(2020, 7, 1),
    )
    assert _structure_changes(city) == version + 1  # one change of the structure, not one per field
    shown = reads.bureaus(city).set_index("code").loc["AA"]
    assert (shown["name"], shown["service_area"]) == ("Bureau of Omega", "Streets")


def test_a_new_name_applies_after_the_current_one_took_effect(city):
    admin = _admin(city)
    plan_admin.rename_bureau(city, actor=admin, bureau_id=AA, name="Bureau of Omega", on=dt.date(2020, 7, 1))
    with pytest.raises(ValidationError) as refused:
        plan_admin.rename_bureau(
            city, actor=admin, bureau_id=AA, name="Bureau of Psi", on=dt.date(2020, 7, 1)
        )
    assert _fields(refused.value) == {
        "on": "The current name applies from 1 July 2020; a new name must apply from a later day."
    }
    assert reads.bureaus(city).set_index("code").loc["AA", "name"] == "Bureau of Omega"


def test_only_goals_actions_and_measures_are_archived_by_set_archived(city):
    with pytest.raises(writes.WriteError, match="not 'plan'"):
        plan_admin.set_archived(city, actor=_admin(city), entity="plan", record_id=AA_PLAN, archived=True)


# --- refusals -------------------------------------------------------------------------------------


WRITES = {
    "create_bureau": lambda city, who: plan_admin.create_bureau(city, actor=who, code="DD", name="Delta"),
    "rename_bureau": lambda city, who: plan_admin.rename_bureau(city, actor=who, bureau_id=AA, name="Omega"),
    "save_bureau": lambda city, who: plan_admin.save_bureau(
        city, actor=who, bureau_id=AA, name="Omega", service_area="Streets"
    ),
    "set_bureau_active": lambda city, who: plan_admin.set_bureau_active(
        city, actor=who, bureau_id=AA, active=False
    ),
    "create_plan": lambda city, who: plan_admin.create_plan(
        city, actor=who, bureau_id=AA, title="Next plan", first_fiscal_year=2021, last_fiscal_year=2025
    ),
    "new_plan_version": lambda city, who: plan_admin.new_plan_version(city, actor=who, plan_id=AA_PLAN),
    "set_plan_status": lambda city, who: plan_admin.set_plan_status(
        city, actor=who, plan_id=AA_PLAN, status="completed"
    ),
    "save_goal": lambda city, who: plan_admin.save_goal(
        city,
        actor=who,
        plan_id=AA_PLAN,
        goal_id=G1,
        key="AA-G1",
        title="Changed",
        citywide_goal_id=1,
        focus_area_id=1,
    ),
    "save_action": lambda city, who: plan_admin.save_action(
        city, actor=who, goal_id=G2, action_id=A1, key="A1", title="Changed", status="on_track"
    ),
    "save_measure": lambda city, who: plan_admin.save_measure(
        city, actor=who, goal_id=G2, measure_id=M3, fields=M3_AS_SAVED
    ),
    "set_interim_target": lambda city, who: plan_admin.set_interim_target(
        city, actor=who, measure_id=M3, period="FY 2018-19", value=None
    ),
    "set_archived": lambda city, who: plan_admin.set_archived(
        city, actor=who, entity="measure", record_id=M3, archived=True
    ),
}


def _snapshot(city) -> tuple:
    models = (Bureau, BureauName, Plan, BureauGoal, Action, Measure, InterimTarget, ReportingPeriod)
    with city.connect() as connection:
        counts = tuple(
            connection.execute(select(func.count()).select_from(model)).scalar_one() for model in models
        )
        names = tuple(connection.execute(select(Bureau.name, Bureau.active).order_by(Bureau.id)).all())
        archived = connection.execute(
            select(func.count()).where(Measure.archived_at.is_not(None))
        ).scalar_one()
    return counts, names, archived, reads.data_version(city)


@pytest.mark.parametrize("write", list(WRITES))
@pytest.mark.parametrize("who", ["editor", "analyst"])
def test_an_editor_or_analyst_is_refused_audited_and_nothing_changes(city, write, who):
    before = _snapshot(city)
    with pytest.raises(PermissionDeniedError):
        WRITES[write](city, city.people[who])
    assert _snapshot(city) == before
    [refusal] = _entries(city, "refused")
    assert refusal["permission"] == "manage_plan_structure"
    assert refusal["actor"] == f"{who}@city.example"


def test_reading_the_structure_or_a_history_is_refused_to_an_editor(city):
    with pytest.raises(PermissionDeniedError):
        plan_admin.bureau_structure(city, actor=city.people["editor"], bureau_id=AA)
    with pytest.raises(PermissionDeniedError):
        plan_admin.history(city, actor=city.people["editor"], entity="measure", record_id=M3)
    assert len(_entries(city, "refused")) == 2


# --- plans and versions ---------------------------------------------------------------------------


def test_a_new_plan_and_its_field_errors(city):
    admin = _admin(city)
    with pytest.raises(ValidationError) as refused:
        plan_admin.create_plan(
            city,
            actor=admin,
            bureau_id=AA,
            title="",
            first_fiscal_year="2021",
            last_fiscal_year="2019",
            status="superseded",
        )
    assert set(_fields(refused.value)) == {"title", "last_fiscal_year", "status"}
    plan_id = plan_admin.create_plan(
        city, actor=admin, bureau_id=AA, title="Second plan", first_fiscal_year="2021", last_fiscal_year=2025
    )
    with city.connect() as connection:
        plan = connection.execute(
            select(Plan.version, Plan.status, Plan.first_fiscal_year).where(Plan.id == plan_id)
        ).one()
    assert (plan.version, plan.status.value, plan.first_fiscal_year) == (1, "draft", 2021)


def test_a_new_version_copies_the_structure_under_the_same_keys(city):
    admin = _admin(city)
    new_id = plan_admin.new_plan_version(city, actor=admin, plan_id=AA_PLAN)
    with city.connect() as connection:
        plan = connection.execute(
            select(Plan.version, Plan.status, Plan.adopted_on).where(Plan.id == new_id)
        ).one()
        assert (plan.version, plan.status.value, plan.adopted_on) == (2, "draft", None)
        goals = dict(
            connection.execute(
                select(BureauGoal.key, BureauGoal.id).where(BureauGoal.plan_id == new_id)
            ).all()
        )
        assert set(goals) == {"AA-G1", "AA-G2"}
        actions = connection.execute(select(Action.key).where(Action.goal_id == goals["AA-G2"])).scalars()
        assert sorted(actions) == ["A1", "A2"]
        measures = dict(
            connection.execute(
                select(Measure.key, Measure.id).where(Measure.goal_id.in_(goals.values()))
            ).all()
        )
        assert set(measures) == {"M1", "M2", "M3"}
        interim = connection.execute(
            select(InterimTarget.value, InterimTarget.period_id).where(
                InterimTarget.measure_id == measures["M3"]
            )
        ).all()
        assert [tuple(row) for row in interim] == [(80.0, 3)]  # FY 2018-19 is period 3
    assert _entries(city, "plan_version_started")[0] | {"actor": ""} == {
        "actor": "",
        "from_plan": AA_PLAN,
        "goals": 2,
        "actions": 2,
        "measures": 3,
        "interim_targets": 1,
    }
    # A draft is not what bureaus report against until it is made active; then version 1 is superseded.
    assert plan_admin.set_plan_status(city, actor=admin, plan_id=new_id, status="active")
    with city.connect() as connection:
        statuses = dict(
            connection.execute(select(Plan.version, Plan.status).where(Plan.bureau_id == AA)).all()
        )
    assert {version: status.value for version, status in statuses.items()} == {1: "superseded", 2: "active"}


def test_only_the_allowed_status_changes(city):
    admin = _admin(city)
    with pytest.raises(ValidationError) as refused:
        plan_admin.set_plan_status(city, actor=admin, plan_id=4, status="completed")  # CC's draft
    assert _fields(refused.value) == {"status": "A draft plan can become active, not completed."}
    assert plan_admin.set_plan_status(city, actor=admin, plan_id=AA_PLAN, status="completed")
    with pytest.raises(ValidationError):
        plan_admin.set_plan_status(city, actor=admin, plan_id=AA_PLAN, status="active")
    assert not plan_admin.set_plan_status(city, actor=admin, plan_id=AA_PLAN, status="completed")


# --- goals, actions, measures ---------------------------------------------------------------------


def test_an_unchanged_save_writes_nothing(city):
    admin = _admin(city)
    entries, version = _audit_count(city), reads.data_version(city)
    saved = plan_admin.save_goal(
        city,
        actor=admin,
        plan_id=AA_PLAN,
        goal_id=G1,
        key="AA-G1",
        title="Hire a workforce that reflects Portland",
        citywide_goal_id=1,
        focus_area_id=1,
        sort_order=1,
    )
    assert not saved.changed
    assert not plan_admin.save_measure(
        city, actor=admin, goal_id=G2, measure_id=M3, fields=M3_AS_SAVED
    ).changed
    assert (_audit_count(city), reads.data_version(city)) == (entries, version)


def test_a_goal_key_is_unique_in_its_plan_and_every_bad_field_is_named(city):
    with pytest.raises(ValidationError) as refused:
        plan_admin.save_goal(
            city,
            actor=_admin(city),
            plan_id=AA_PLAN,
            key="AA-G2",
            title="",
            citywide_goal_id=9,
            focus_area_id="x",
        )
    assert _fields(refused.value) == {
        "key": "Another goal of this plan already has the key AA-G2.",
        "title": "Enter the goal's title.",
        "citywide_goal_id": "Choose one of the citywide goals.",
        "focus_area_id": "Choose one of the focus areas.",
    }


def test_an_action_is_added_and_its_dates_checked(city):
    admin = _admin(city)
    with pytest.raises(ValidationError) as refused:
        plan_admin.save_action(
            city,
            actor=admin,
            goal_id=G2,
            key="A3",
            title="Train the front desk",
            start_date="2019-07-01",
            due_date="2019-06-30",
            status="sleeping",
        )
    assert set(_fields(refused.value)) == {"due_date", "status"}
    saved = plan_admin.save_action(
        city,
        actor=admin,
        goal_id=G2,
        key="A3",
        title="Train the front desk",
        lead="Training lead",
        start_date="2019-07-01",
        due_date=dt.date(2020, 6, 30),
    )
    assert saved.changed
    [created] = [entry for entry in _entries(city, "action_created") if entry["after"]["key"] == "A3"]
    assert created["after"]["due_date"] == "2020-06-30"
    assert created["after"]["status"] == "not_started"


def test_a_measure_target_change_keeps_the_before_value_and_adds_a_new_period(city):
    admin = _admin(city)
    fields = MeasureFields(**{**M3_AS_SAVED.__dict__, "target_value": "60", "target_period": "2021-22"})
    assert plan_admin.save_measure(city, actor=admin, goal_id=G2, measure_id=M3, fields=fields).changed
    [period] = _entries(city, "period_created")
    assert period["after"]["label"] == "FY 2021-22"
    new_period = _scalar(city, select(ReportingPeriod.id).where(ReportingPeriod.label == "FY 2021-22"))
    [changed] = _entries(city, "measure_changed")
    assert changed["before"] == {"target_value": 50.0, "target_period_id": 5}
    assert changed["after"] == {"target_value": 60.0, "target_period_id": new_period}
    history = plan_admin.history(city, actor=admin, entity="measure", record_id=M3)
    assert list(history["action"]) == ["measure_changed"]


def test_a_measure_with_bad_fields_names_every_one(city):
    typed = MeasureFields(
        key="M 9",
        name="Share of permits",
        unit="percent",
        polarity="upwards",
        rba_category="better_off",
        frequency="annual",
        baseline_value="abc",
        baseline_period="FY 2016-17",
        target_value=150,
        target_period="next year",
    )
    with pytest.raises(ValidationError) as refused:
        plan_admin.save_measure(city, actor=_admin(city), goal_id=G2, fields=typed)
    errors = _fields(refused.value)
    assert set(errors) == {"key", "polarity", "baseline_value", "target_value", "target_period"}
    assert errors["target_value"] == "A percentage must be between 0 and 100."
    assert _scalar(city, select(func.count()).select_from(Measure)) == 6


def test_interim_targets_are_set_changed_and_cleared_with_their_history(city):
    admin = _admin(city)
    assert plan_admin.set_interim_target(city, actor=admin, measure_id=M3, period="FY2020", value="45")
    assert plan_admin.set_interim_target(city, actor=admin, measure_id=M3, period="FY 2018-19", value=60)
    assert not plan_admin.set_interim_target(city, actor=admin, measure_id=M3, period="2018-19", value=60)
    assert plan_admin.set_interim_target(city, actor=admin, measure_id=M3, period="FY 2018-19", value="")
    with city.connect() as connection:
        left = connection.execute(
            select(InterimTarget.period_id, InterimTarget.value).where(InterimTarget.measure_id == M3)
        ).all()
    assert [tuple(row) for row in left] == [(4, 45.0)]  # "FY2020" is FY 2019-20, period 4
    assert _entries(city, "interim_target_changed")[0]["before"] == {"value": 80.0}
    [cleared] = _entries(city, "interim_target_cleared")
    assert cleared["before"] == {"measure_id": M3, "period_id": 3, "value": 60.0}


def test_one_function_finds_or_adds_a_period(city):
    admin = _admin(city)
    with city.begin() as connection:
        assert plan_admin.period_id(connection, "FY2017", actor=admin) == 1  # FY 2016-17, already there
        added = plan_admin.period_id(connection, "CY 2019", actor=admin)
        assert plan_admin.period_id(connection, "2019", actor=admin) == added
    assert (
        _scalar(city, select(ReportingPeriod.kind).where(ReportingPeriod.id == added)).value
        == "calendar_year"
    )


# --- archiving ------------------------------------------------------------------------------------


def _due_for_aa(city):
    staff = Viewer(city.people["admin"], include_unpublished=True)
    goals = reads.goals(city, viewer=staff, bureau_id=AA, plan_id=AA_PLAN)
    measures = reads.measures(city, viewer=staff, bureau_id=AA)
    actions = reads.actions(city, viewer=staff, bureau_id=AA)
    entries = reads.bureau_entries(city, viewer=staff, bureau_id=AA, fiscal_year=2020)
    missing = due.due_values(
        measures[measures["goal_id"].isin(goals["id"])],
        reads.period_frame(city),
        entries,
        fiscal_year=2020,
        due_on=dt.date(2021, 9, 30),
        today=dt.date(2022, 1, 15),
    )
    updates = reads.action_updates(city, viewer=staff, bureau_id=AA)
    quiet = due.due_actions(actions[actions["goal_id"].isin(goals["id"])], updates, fiscal_year=2020)
    return list(missing["measure"]), list(quiet["action"]), list(measures["name"])


def test_archived_measures_and_actions_leave_the_due_work_and_forms_but_keep_their_values(city):
    admin = _admin(city)
    # FY 2020-21: M2 and M3 have no value (M1's is submitted); A1 has no update (A2 is completed).
    assert _due_for_aa(city)[:2] == (
        ["Employees by race/ethnicity", "Vital documents translated"],
        ["Translate the vital documents"],
    )
    assert plan_admin.set_archived(city, actor=admin, entity="measure", record_id=M3, archived=True)
    assert plan_admin.set_archived(city, actor=admin, entity="action", record_id=A1, archived=True)
    missing, quiet, offered = _due_for_aa(city)
    assert (missing, quiet) == (["Employees by race/ethnicity"], [])
    assert "Vital documents translated" not in offered
    # Its three values (FY 2016-17 to FY 2018-19) stay in the database.
    assert _scalar(city, select(func.count()).where(MeasureValue.measure_id == M3)) == 3
    assert plan_admin.set_archived(city, actor=admin, entity="measure", record_id=M3, archived=False)
    assert _due_for_aa(city)[0] == ["Employees by race/ethnicity", "Vital documents translated"]


def test_an_archived_goal_takes_its_actions_and_measures_out_of_the_public_views(city):
    assert plan_admin.set_archived(
        city, actor=_admin(city), entity="bureau_goal", record_id=G2, archived=True
    )
    missing, quiet, _ = _due_for_aa(city)
    assert (missing, quiet) == (["Employees by race/ethnicity"], [])
    public = Viewer()
    frames = load_frames(city, viewer=public)
    assert 3 not in set(frames.measures["measure_id"])
    assert "AA-G2" not in set(frames.hierarchy["key"])
    assert not set(frames.actions["action_id"]) & {A1, A2}
    results = run_analytics(frames, as_of="2019-09-30")  # judged without it, and without failing
    assert results is not None
    assert set(reads.goals(city, viewer=public, bureau_id=AA)["key"]) == {"AA-G1"}
