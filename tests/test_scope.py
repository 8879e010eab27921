"""The viewer scope, applied in SQL: a city with unpublished work in two bureaus, read as each role;
and the write path, which refuses a principal without the permission even when called directly.

The fixture is the golden city (golden_city.py) plus, added here by hand:
- bureau AA (id 1): M1's FY 2020-21 value 29.0 is submitted (golden), and a draft action update on
  action A1 ("completed", 100 %) after its published "on track, 40 %";
- bureau BB (id 2): a submitted annual narrative for FY 2018-19 (golden);
- bureau CC (id 3): a draft plan revision with goal CC-G2 and measure M6 (golden), and a submitted
  value of M5 for FY 2019-20 (999.0) added here.
"""

from __future__ import annotations

import datetime as dt

import pytest
from golden_city import build_golden_city
from principals import PUBLIC, make_user
from sqlalchemy import insert, select, text

from equity_tracking import accounts, reads, writes
from equity_tracking.models import ActionUpdate, MeasureValue, ReportingPeriod
from equity_tracking.permissions import ANONYMOUS, PermissionDeniedError, Role, Viewer
from equity_tracking.validation import Entry

AA, BB, CC = 1, 2, 3


@pytest.fixture(scope="module")
def city(database_factory):
    engine = database_factory.new_engine()
    golden = build_golden_city(engine)
    with engine.begin() as connection:
        fy2019 = connection.execute(
            select(ReportingPeriod.id).where(ReportingPeriod.label == "FY 2019-20")
        ).scalar_one()
        connection.execute(
            insert(ActionUpdate).values(
                action_id=1,
                status="completed",
                percent_complete=100.0,
                narrative="Draft: all documents translated.",
                reported_at=dt.datetime(2020, 8, 1, tzinfo=dt.UTC),
                review_status="draft",
            )
        )
        connection.execute(
            insert(MeasureValue).values(
                measure_id=golden.measures["M5"],
                period_id=fy2019,
                value=999.0,
                review_status="submitted",
            )
        )
    engine.m5 = golden.measures["M5"]  # type: ignore[attr-defined]
    engine.m6 = golden.measures["M6"]  # type: ignore[attr-defined]
    people = {}
    for key, role, bureaus in [
        ("analyst", Role.ANALYST, ()),
        ("admin", Role.ADMIN, ()),
        ("AA", Role.BUREAU_EDITOR, ("AA",)),
        ("BB", Role.BUREAU_EDITOR, ("BB",)),
        ("CC", Role.BUREAU_EDITOR, ("CC",)),
    ]:
        user_id = make_user(engine, f"{key.lower()}@city.example", role, *bureaus)
        people[key] = accounts.current_principal(engine, user_id)
    engine.people = people  # type: ignore[attr-defined]
    return engine


def _viewer(city, who: str) -> Viewer:
    people = city.people
    return {
        "public": PUBLIC,
        "public asking for unpublished": Viewer(include_unpublished=True),
        "analyst, switch off": Viewer(people["analyst"]),
        "analyst": Viewer(people["analyst"], include_unpublished=True),
        "admin": Viewer(people["admin"], include_unpublished=True),
        "editor of AA": Viewer(people["AA"], include_unpublished=True),
        "editor of CC": Viewer(people["CC"], include_unpublished=True),
    }[who]


# Which bureaus' unpublished work each viewer sees, by hand.
SEES = {
    "public": set(),
    "public asking for unpublished": set(),
    "analyst, switch off": set(),
    "analyst": {AA, BB, CC},
    "admin": {AA, BB, CC},
    "editor of AA": {AA},
    "editor of CC": {CC},
}


@pytest.mark.parametrize("who", list(SEES))
def test_measure_values(city, who):
    values = reads.measure_value_frame(city, viewer=_viewer(city, who), include_superseded=True)
    m1_2020 = values[(values["measure_id"] == 1) & (values["period_label"] == "FY 2020-21")]
    m5_999 = values[(values["measure_id"] == city.m5) & (values["value"] == 999.0)]
    assert len(m1_2020) == (1 if AA in SEES[who] else 0)
    assert len(m5_999) == (1 if CC in SEES[who] else 0)
    # M6 hangs from Gamma's draft plan revision: its value is published, but the plan is not.
    assert bool((values["measure_id"] == city.m6).any()) is (CC in SEES[who])
    assert values.loc[m1_2020.index, "is_published"].eq(False).all()


@pytest.mark.parametrize("who", list(SEES))
def test_plan_versions_goals_and_measures(city, who):
    viewer = _viewer(city, who)
    draft_seen = CC in SEES[who]
    assert (2 in set(reads.plans(city, viewer=viewer, bureau_id=CC)["version"])) is draft_seen
    assert ("CC-G2" in set(reads.goals(city, viewer=viewer)["key"])) is draft_seen
    assert ("M6" in set(reads.measures(city, viewer=viewer)["key"])) is draft_seen
    assert ("M6" in set(reads.measure_definitions(city, viewer=viewer)["key"])) is draft_seen


@pytest.mark.parametrize("who", list(SEES))
def test_action_updates(city, who):
    viewer = _viewer(city, who)
    updates = reads.action_updates(city, viewer=viewer, action_id=1)
    assert ("Draft: all documents translated." in set(updates["narrative"])) is (AA in SEES[who])
    action = reads.actions(city, viewer=viewer).set_index("id").loc[1]
    expected = ("completed", 100.0) if AA in SEES[who] else ("on_track", 40.0)
    assert (action["status"], action["percent_complete"]) == expected
    frame = reads.action_update_frame(city, viewer=viewer)
    assert len(frame[frame["action_id"] == 1]) == (2 if AA in SEES[who] else 1)


@pytest.mark.parametrize("who", list(SEES))
def test_annual_narratives(city, who):
    narratives = reads.annual_reports(city, viewer=_viewer(city, who), fiscal_year=2018)
    assert set(narratives["bureau_code"]) == ({"AA", "BB"} if BB in SEES[who] else {"AA"})


def test_measure_history_shows_a_draft_only_to_its_bureau(city):
    for viewer, expected in [(PUBLIC, 0), (_viewer(city, "editor of CC"), 1)]:
        history = reads.measure_history(city, measure_id=city.m5, viewer=viewer)
        assert (history["value"] == 999.0).sum() == expected
        draft_plan = reads.measure_history(city, measure_id=city.m6, viewer=viewer, include_superseded=True)
        assert len(draft_plan) == expected


# --- the write path --------------------------------------------------------------------------------------


def _fy(city, label: str) -> int:
    with city.connect() as connection:
        return connection.execute(
            select(ReportingPeriod.id).where(ReportingPeriod.label == label)
        ).scalar_one()


def _refusals(city) -> int:
    with city.connect() as connection:
        return connection.execute(
            text("SELECT COUNT(*) FROM audit_log WHERE action = 'refused'")
        ).scalar_one()


@pytest.mark.parametrize("who", ["BB", "CC", "analyst", "public"])
def test_entering_a_value_of_another_bureaus_measure_is_refused_and_audited(city, who):
    principal = city.people.get(who, ANONYMOUS)
    everything = Viewer(city.people["admin"], include_unpublished=True)
    before_values = len(reads.measure_value_frame(city, viewer=everything))
    before_refusals = _refusals(city)
    with pytest.raises(PermissionDeniedError):
        _save(city, principal, 1.0)
    assert len(reads.measure_value_frame(city, viewer=everything)) == before_values
    assert _refusals(city) == before_refusals + 1


def test_an_editor_enters_a_draft_of_their_own_bureau_and_reads_it_back(database_factory):
    engine = database_factory.new_engine()
    build_golden_city(engine)
    user_id = make_user(engine, "aa@city.example", Role.BUREAU_EDITOR, "AA")
    editor = accounts.current_principal(engine, user_id)
    assert editor is not None
    before = reads.data_version(engine)
    [value_id] = _save(engine, editor, 31.0).value_ids
    assert reads.data_version(engine) != before
    mine = reads.measure_value_frame(
        engine, viewer=Viewer(editor, include_unpublished=True), include_superseded=True
    )
    assert value_id in set(mine["version_id"])
    public = reads.measure_value_frame(engine, viewer=PUBLIC, include_superseded=True)
    assert value_id not in set(public["version_id"])
    with engine.connect() as connection:
        status, entry = connection.execute(
            text(
                "SELECT v.review_status, a.action FROM measure_values v "
                "JOIN audit_log a ON a.entity = 'measure_value' AND a.entity_id = CAST(v.id AS VARCHAR(60)) "
                "WHERE v.id = :id"
            ),
            {"id": value_id},
        ).one()
    assert (status, entry) == ("draft", "values_saved")


# Every write the library has, called directly with a principal who lacks its permission: each is
# refused, audited, and changes nothing. (A new write must be added here.)
def _every_write(city):
    admin_id = city.people["admin"].user_id
    assignment = accounts.Assignment(Role.ADMIN)
    return {
        "create_user": lambda actor: accounts.create_user(
            city, actor=actor, email="x@city.example", assignment=assignment, password="long enough password"
        ),
        "change_role": lambda actor: accounts.change_role(
            city, actor=actor, user_id=admin_id, assignment=assignment
        ),
        "set_active": lambda actor: accounts.set_active(city, actor=actor, user_id=admin_id, active=False),
        "archive_user": lambda actor: accounts.archive_user(city, actor=actor, user_id=admin_id),
        "reset_password": lambda actor: accounts.reset_password(
            city, actor=actor, email="admin@city.example", password="long enough password"
        ),
        "list_users": lambda actor: accounts.users(city, actor=actor),
        "save_period_values": lambda actor: _save(city, actor, 1.0),
        "restore_value": lambda actor: writes.restore_value(
            city, actor=actor, value_id=1, base_version=0, reason="test"
        ),
        "record_action_update": lambda actor: writes.record_action_update(
            city, actor=actor, action_id=1, status="on_track", percent_complete=50, narrative="x",
            fiscal_year=2020, base_version=0,
        ),
        "save_narrative": lambda actor: writes.save_narrative(
            city, actor=actor, bureau_id=1, fiscal_year=2020, highlights=["a"], challenges=["b"],
            priorities=["c"], base_version=0,
        ),
        "submit_cycle": lambda actor: writes.submit_cycle(city, actor=actor, bureau_id=1, fiscal_year=2020),
        "return_cycle": lambda actor: writes.return_cycle(
            city, actor=actor, bureau_id=1, fiscal_year=2020, comment="x"
        ),
        "approve_cycle": lambda actor: writes.approve_cycle(city, actor=actor, bureau_id=1, fiscal_year=2020),
        "publish_cycle": lambda actor: writes.publish_cycle(city, actor=actor, bureau_id=1, fiscal_year=2020),
    }  # fmt: skip


def _save(engine, actor, value: float):
    return writes.save_period_values(
        engine,
        actor=actor,
        measure_id=1,
        period_id=_fy(engine, "FY 2020-21"),
        total=Entry(value),
        base_version=0,
    )


def _fingerprint(city) -> tuple:
    with city.connect() as connection:
        return tuple(
            connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
            for table in (
                "users",
                "user_roles",
                "measure_values",
                "action_updates",
                "annual_reports",
                "review_steps",
            )
        ) + tuple(connection.execute(text("SELECT username, active, password_hash FROM users ORDER BY id")))


WRITES = [
    "create_user",
    "change_role",
    "set_active",
    "archive_user",
    "reset_password",
    "list_users",
    "save_period_values",
    "restore_value",
    "record_action_update",
    "save_narrative",
    "submit_cycle",
    "return_cycle",
    "approve_cycle",
    "publish_cycle",
]
# Reviewers (analysts) may return and approve; everyone else below may do none of these writes.
REFUSED = {"return_cycle": ["public", "CC"], "approve_cycle": ["public", "CC"]}


@pytest.mark.parametrize(
    ("write", "who"),
    [(write, who) for write in WRITES for who in REFUSED.get(write, ["public", "analyst", "CC"])],
)
def test_every_write_refuses_a_principal_without_its_permission(city, write, who):
    principal = city.people.get(who, ANONYMOUS)
    before, refusals = _fingerprint(city), _refusals(city)
    with pytest.raises(PermissionDeniedError):
        _every_write(city)[write](principal)
    assert _fingerprint(city) == before
    assert _refusals(city) == refusals + 1


def test_every_function_that_takes_an_actor_is_in_the_list_above():
    import inspect

    takes_actor = {
        f"{module.__name__.rsplit('.', 1)[-1]}.{name}"
        for module in (accounts, writes)
        for name, function in inspect.getmembers(module, inspect.isfunction)
        # The public write API (a private helper is part of the public function that calls it).
        if function.__module__ == module.__name__
        and not name.startswith("_")
        and "actor" in inspect.signature(function).parameters
    }
    listed = {f"{'writes' if hasattr(writes, name) else 'accounts'}.{name}" for name in WRITES}
    assert takes_actor == (listed - {"accounts.list_users"}) | {"accounts.users"}
