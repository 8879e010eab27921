"""The reference-data workspace (``equity_tracking.reference_admin``) on a real database: race/ethnicity
groups and roll-ups, benchmark populations and their shares, reporting cycles. Each write's happy path
and history, refusals (audited, nothing changed), validation naming every bad field, unchanged saves
writing nothing. Expected figures are worked out by hand from the golden city (tests/golden_city.py):
groups Asian (1), Black (2), Hispanic or Latino (3), White (4), Unknown or declined (5), People of color
(6 = 1 + 2 + 3); residents (benchmark 1, 2016) 10 / 10 / 20 / 60 / 0 %; cycles FY 2016-17 to FY 2020-21,
each due 30 September after its year."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from golden_city import build_golden_city
from principals import make_user
from sqlalchemy import Engine, func, select, text

from equity_tracking import accounts, reads, writes
from equity_tracking import reference_admin as admin
from equity_tracking.models import (
    STRUCTURE_CHANGES_KEY,
    AppMetadata,
    AuditEntry,
    RaceGroup,
    ReportingCycle,
    table_of,
)
from equity_tracking.permissions import PermissionDeniedError, Role
from equity_tracking.validation import ValidationError

ASIAN, BLACK, HISPANIC, WHITE, UNKNOWN, POC = 1, 2, 3, 4, 5, 6
RESIDENTS = 1
TABLES = (
    "race_groups",
    "race_group_memberships",
    "benchmark_populations",
    "benchmark_shares",
    "reporting_cycles",
)


@pytest.fixture
def city(database_factory) -> Engine:
    engine = database_factory.new_engine()
    build_golden_city(engine)
    people = {}
    for who, role, bureaus in [
        ("admin", Role.ADMIN, ()),
        ("analyst", Role.ANALYST, ()),
        ("AA", Role.BUREAU_EDITOR, ("AA",)),
    ]:
        user_id = make_user(engine, f"{who.lower()}@city.example", role, *bureaus, name=f"Person {who}")
        people[who] = accounts.current_principal(engine, user_id)
    engine.people = people  # type: ignore[attr-defined]
    return engine


def _admin(city):
    return city.people["admin"]


def _snapshot(engine: Engine) -> dict:
    """Every reference row, the data version and the audit log's changes (not its refusals)."""
    with engine.connect() as connection:
        rows = {
            table: sorted(map(tuple, connection.execute(text(f"SELECT * FROM {table}")))) for table in TABLES
        }
        changes = connection.execute(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action != "refused")
        ).scalar_one()
    return {"rows": rows, "version": reads.data_version(engine), "changes": changes}


def _entries(engine: Engine, action: str) -> list[tuple[str | None, dict]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(AuditEntry.entity_id, AuditEntry.detail)
            .where(AuditEntry.action == action)
            .order_by(AuditEntry.id)
        ).all()
    return [(entity_id, detail) for entity_id, detail in rows]


def _structure_changes(engine: Engine) -> int:
    """How many times the data version moved on as structural (every process reads again)."""
    with engine.connect() as connection:
        found = connection.execute(
            select(AppMetadata.value).where(AppMetadata.key == STRUCTURE_CHANGES_KEY)
        ).scalar_one_or_none()
    return int(found or 0)


def _fields(error: ValidationError) -> dict[str, str]:
    return {problem.field: problem.message for problem in error.errors}


def _group(engine: Engine, group_id: int):
    with engine.connect() as connection:
        return connection.execute(select(table_of(RaceGroup)).where(RaceGroup.id == group_id)).one()


# --- groups ---------------------------------------------------------------------------------------------


def test_an_admin_creates_a_group_with_its_history_and_a_new_data_version(city):
    before = reads.data_version(city)
    group_id = admin.create_group(city, actor=_admin(city), key="somali", name="Somali", sort_order=8)
    assert group_id == 7  # after the golden city's six
    frame = admin.groups(city).set_index("id")
    assert frame.loc[7, ["key", "name", "sort_order", "is_rollup", "is_unknown", "active"]].tolist() == [
        "somali", "Somali", 8, False, False, True,
    ]  # fmt: skip
    [(entity_id, detail)] = _entries(city, "race_group_created")
    assert entity_id == "7"
    assert detail["after"]["name"] == "Somali"
    assert detail["actor"] == "admin@city.example"
    assert reads.data_version(city) != before


def test_a_new_group_may_not_be_named_as_another_group_is_known(city):
    for name, key, field in [
        ("Latino", "latino_group", "name"),  # an alias of Hispanic or Latino
        ("  ASIAN ", "asian_2", "name"),  # another group's name, ignoring case and spacing
        ("Black/African-American", "black_2", "name"),  # its name, ignoring punctuation
        ("People of colour", "poc_2", "name"),  # the roll-up's alias
        ("Whites", "white", "key"),  # another group's key
        ("Caucasian people", "caucasian", "key"),  # the key reads as White's alias
    ]:
        with pytest.raises(ValidationError) as refused:
            admin.create_group(city, actor=_admin(city), key=key, name=name, sort_order=9)
        assert list(_fields(refused.value)) == [field], name
    assert len(admin.groups(city)) == 6


def test_every_bad_field_of_a_new_group_is_named_at_once(city):
    before = _snapshot(city)
    with pytest.raises(ValidationError) as refused:
        admin.create_group(city, actor=_admin(city), key="Bad Key!", name="   ", sort_order="first")
    fields = _fields(refused.value)
    assert set(fields) == {"key", "name", "sort_order"}
    assert "lower-case letters" in fields["key"]
    assert fields["name"] == "Enter a name."
    assert "is not a number" in fields["sort_order"]
    assert _snapshot(city) == before


def test_rename_with_history_and_an_unchanged_rename_writes_nothing(city):
    assert admin.rename_group(city, actor=_admin(city), group_id=ASIAN, name="Asian American") is True
    assert _group(city, ASIAN).name == "Asian American"
    [(entity_id, detail)] = _entries(city, "race_group_changed")
    assert (entity_id, detail["before"], detail["after"]) == (
        "1",
        {"name": "Asian"},
        {"name": "Asian American"},
    )
    history = admin.history(city, actor=_admin(city), entity=admin.GROUP_ENTITY, entity_id=ASIAN)
    assert list(history["change"]) == ["name: Asian → Asian American"]
    assert list(history["user"]) == ["Person admin"]

    before = _snapshot(city)
    assert admin.rename_group(city, actor=_admin(city), group_id=ASIAN, name=" Asian American ") is False
    assert _snapshot(city) == before


def test_a_rename_may_not_take_another_groups_name(city):
    with pytest.raises(ValidationError) as refused:
        admin.rename_group(city, actor=_admin(city), group_id=ASIAN, name="Hispanic")
    assert "Hispanic or Latino" in _fields(refused.value)["name"]
    # Its own name in other letters is no collision.
    assert admin.rename_group(city, actor=_admin(city), group_id=ASIAN, name="ASIAN") is True


def test_reorder_moves_only_the_groups_whose_place_changes(city):
    # White first, then the others as they were: 4, 1, 2, 3, 5, 6 → White 1, Asian 2, Black 3,
    # Hispanic 4 (all four moved), Unknown 5 and People of color 6 (unchanged).
    assert admin.reorder_groups(
        city, actor=_admin(city), group_ids=[WHITE, ASIAN, BLACK, HISPANIC, UNKNOWN, POC]
    )
    frame = admin.groups(city)
    assert list(frame["id"]) == [4, 1, 2, 3, 5, 6]
    assert list(frame["sort_order"]) == [1, 2, 3, 4, 5, 6]
    assert sorted(entity_id for entity_id, _ in _entries(city, "race_group_changed")) == ["1", "2", "3", "4"]
    with pytest.raises(ValidationError) as refused:
        admin.reorder_groups(city, actor=_admin(city), group_ids=[WHITE, ASIAN])
    assert list(_fields(refused.value)) == ["order"]


def test_archive_and_restore_a_group(city):
    assert admin.set_group_active(city, actor=_admin(city), group_id=BLACK, active=False) is True
    assert _group(city, BLACK).active is False
    before = _snapshot(city)
    assert admin.set_group_active(city, actor=_admin(city), group_id=BLACK, active=False) is False
    assert _snapshot(city) == before
    assert admin.set_group_active(city, actor=_admin(city), group_id=BLACK, active=True) is True
    details = [detail["after"] for _, detail in _entries(city, "race_group_changed")]
    assert details == [{"active": False}, {"active": True}]


# --- roll-ups -------------------------------------------------------------------------------------------


def test_an_admin_creates_a_rollup_of_base_groups_with_its_members_in_its_history(city):
    rollup = admin.create_rollup(
        city, actor=_admin(city), key="black_hispanic", name="Black or Hispanic", sort_order=7,
        member_ids=[HISPANIC, BLACK],
    )  # fmt: skip
    row = admin.groups(city).set_index("id").loc[rollup]
    assert bool(row["is_rollup"]) is True
    assert row["members"] == "Black or African American, Hispanic or Latino"
    [(entity_id, detail)] = _entries(city, "rollup_members_changed")
    assert entity_id == str(rollup)
    assert (detail["before"], detail["after"]) == ({"members": []}, {"members": [2, 3]})


@pytest.mark.parametrize(
    ("members", "words"),
    [
        ([ASIAN], "at least two"),
        ([ASIAN, POC], "People of color is a roll-up itself"),
        ([ASIAN, UNKNOWN], "Unknown or declined records that race is not known"),
        ([ASIAN, 99], "there is no group 99"),
    ],
)
def test_a_rollup_adds_up_two_or_more_known_base_groups(city, members, words):
    before = _snapshot(city)
    with pytest.raises(ValidationError) as refused:
        admin.create_rollup(city, actor=_admin(city), key="mix", name="Mix", sort_order=7, member_ids=members)
    assert words in _fields(refused.value)["members"]
    assert _snapshot(city) == before


def test_changing_a_rollups_members_is_recorded_and_the_same_members_write_nothing(city):
    structural = _structure_changes(city)
    assert (
        admin.set_rollup_members(city, actor=_admin(city), rollup_id=POC, member_ids=[BLACK, ASIAN]) is True
    )
    assert admin.groups(city).set_index("id").loc[POC, "member_ids"] == [ASIAN, BLACK]
    [(_, detail)] = _entries(city, "rollup_members_changed")
    assert (detail["before"]["members"], detail["after"]["members"]) == ([1, 2, 3], [1, 2])
    history = admin.history(city, actor=_admin(city), entity=admin.GROUP_ENTITY, entity_id=POC)
    assert list(history["change"]) == ["members: [1, 2, 3] → [1, 2]"]
    assert _structure_changes(city) == structural + 1  # membership rows are not saved by save_row
    before = _snapshot(city)
    assert (
        admin.set_rollup_members(city, actor=_admin(city), rollup_id=POC, member_ids=[ASIAN, BLACK]) is False
    )
    assert _snapshot(city) == before
    with pytest.raises(writes.WriteError, match="Only a roll-up has members"):
        admin.set_rollup_members(city, actor=_admin(city), rollup_id=WHITE, member_ids=[ASIAN, BLACK])


# --- benchmark populations ------------------------------------------------------------------------------


def _acs_2021(city) -> int:
    return admin.create_benchmark(
        city,
        actor=_admin(city),
        key="acs_2021",
        name="City residents",
        source="ACS 5-year estimates",
        year=2021,
    )


def test_an_admin_creates_a_benchmark_and_sets_its_shares(city):
    benchmark = _acs_2021(city)
    # 8 % + 6 % + 10 % + 70 % + 0 % = 94 % (the rest: groups not listed, e.g. multiracial).
    shares = {ASIAN: 0.08, BLACK: "0.06", HISPANIC: 0.1, WHITE: 0.7, UNKNOWN: 0}
    assert admin.set_benchmark_shares(city, actor=_admin(city), benchmark_id=benchmark, shares=shares) is True
    listed = admin.benchmarks(city, actor=_admin(city)).set_index("id")
    assert listed.loc[benchmark, ["name", "source", "year", "groups_given"]].tolist() == [
        "City residents", "ACS 5-year estimates", 2021, 5,
    ]  # fmt: skip
    assert listed.loc[benchmark, "share_total"] == pytest.approx(0.94)
    assert listed.loc[RESIDENTS, "share_total"] == pytest.approx(1.0)
    assert list(listed.index) == [benchmark, RESIDENTS]  # by year, newest first
    shares_frame = admin.benchmark_shares(city, actor=_admin(city))
    mine = shares_frame[shares_frame["benchmark_id"] == benchmark]
    assert list(mine["group"]) == [
        "Asian",
        "Black or African American",
        "Hispanic or Latino",
        "White",
        "Unknown or declined",
    ]
    assert list(mine["share"]) == [0.08, 0.06, 0.1, 0.7, 0.0]
    assert [entity_id for entity_id, _ in _entries(city, "benchmark_share_created")] == [
        f"{benchmark}:{group}" for group in (1, 2, 3, 4, 5)
    ]
    before = _snapshot(city)
    assert (
        admin.set_benchmark_shares(city, actor=_admin(city), benchmark_id=benchmark, shares=shares) is False
    )
    assert _snapshot(city) == before


def test_shares_adding_up_to_more_than_the_whole_population_are_refused_with_their_sum(city):
    before = _snapshot(city)
    # The residents' shares add up to 1.0; Asian 0.10 → 0.20 makes 1.10.
    with pytest.raises(ValidationError) as refused:
        admin.set_benchmark_shares(city, actor=_admin(city), benchmark_id=RESIDENTS, shares={ASIAN: 0.2})
    assert "add up to 1.100 (110.0 %)" in _fields(refused.value)["shares"]
    assert _snapshot(city) == before
    # Rounding: 0.104 makes 1.004, within half a point of the whole.
    assert admin.set_benchmark_shares(city, actor=_admin(city), benchmark_id=RESIDENTS, shares={ASIAN: 0.104})


def test_each_bad_share_is_named(city):
    with pytest.raises(ValidationError) as refused:
        admin.set_benchmark_shares(
            city, actor=_admin(city), benchmark_id=RESIDENTS, shares={ASIAN: 1.5, BLACK: "ten", POC: 0.4}
        )
    fields = _fields(refused.value)
    assert set(fields) == {"share.1", "share.2", "share.6"}
    assert "from 0 to 1" in fields["share.1"]
    assert "base groups only" in fields["share.6"]


def test_a_blank_share_removes_the_figure_with_its_history(city):
    structural = _structure_changes(city)
    assert admin.set_benchmark_shares(city, actor=_admin(city), benchmark_id=RESIDENTS, shares={UNKNOWN: ""})
    shares = admin.benchmark_shares(city, actor=_admin(city))
    assert list(shares["group_id"]) == [1, 2, 3, 4]
    assert _entries(city, "benchmark_share_removed") == [
        ("1:5", {"actor": "admin@city.example", "before": {"share": 0.0}})
    ]
    history = admin.history(city, actor=_admin(city), entity=admin.BENCHMARK_ENTITY, entity_id=RESIDENTS)
    assert list(history["change"]) == ["share: 0.0 → —"]
    assert _structure_changes(city) == structural + 1


def test_every_bad_field_of_a_benchmark_is_named_at_once(city):
    with pytest.raises(ValidationError) as refused:
        admin.create_benchmark(city, actor=_admin(city), key="residents", name="", source=" ", year=1850)
    assert set(_fields(refused.value)) == {"key", "name", "source", "year"}
    assert "already has the key residents" in _fields(refused.value)["key"]


def test_edit_a_benchmark_and_an_unchanged_edit_writes_nothing(city):
    changed = admin.edit_benchmark(
        city,
        actor=_admin(city),
        benchmark_id=RESIDENTS,
        name="the city's residents",
        source="ACS 2016",
        year="2016",
    )
    assert changed is True
    [(entity_id, detail)] = _entries(city, "benchmark_population_changed")
    assert (entity_id, detail["before"], detail["after"]) == ("1", {"source": None}, {"source": "ACS 2016"})
    before = _snapshot(city)
    assert not admin.edit_benchmark(
        city,
        actor=_admin(city),
        benchmark_id=RESIDENTS,
        name="the city's residents",
        source="ACS 2016",
        year=2016,
    )
    assert _snapshot(city) == before


def test_archive_and_restore_a_benchmark(city):
    benchmark = _acs_2021(city)
    assert admin.set_benchmark_archived(city, actor=_admin(city), benchmark_id=benchmark, archived=True)
    assert list(admin.benchmarks(city, actor=_admin(city))["id"]) == [RESIDENTS]
    everything = admin.benchmarks(city, actor=_admin(city), include_archived=True).set_index("id")
    assert bool(everything.loc[benchmark, "archived"]) is True
    before = _snapshot(city)
    assert not admin.set_benchmark_archived(city, actor=_admin(city), benchmark_id=benchmark, archived=True)
    assert _snapshot(city) == before
    assert admin.set_benchmark_archived(city, actor=_admin(city), benchmark_id=benchmark, archived=False)
    assert list(admin.benchmarks(city, actor=_admin(city))["id"]) == [benchmark, RESIDENTS]


def test_archived_benchmarks_are_listed_only_for_administrators(city):
    with pytest.raises(PermissionDeniedError):
        admin.benchmarks(city, actor=city.people["analyst"], include_archived=True)
    assert [detail["what"] for _, detail in _entries(city, "refused")] == [
        "list archived benchmark populations"
    ]


# --- reporting cycles -----------------------------------------------------------------------------------


def test_an_admin_creates_next_years_cycle(city):
    year = admin.create_cycle(
        city, actor=_admin(city), fiscal_year=2021, opens_on="2022-07-01", due_on=dt.date(2022, 9, 30)
    )
    assert year == 2021
    newest = admin.cycles(city).iloc[0]
    assert (newest["label"], newest["opens_on"], newest["due_on"]) == (
        "FY 2021-22",
        dt.date(2022, 7, 1),
        dt.date(2022, 9, 30),
    )
    [(entity_id, detail)] = _entries(city, "reporting_cycle_created")
    assert entity_id == "2021"
    assert detail["after"] == {"fiscal_year": 2021, "opens_on": "2022-07-01", "due_on": "2022-09-30"}


def test_a_fiscal_year_has_one_cycle_and_its_due_date_follows_its_opening(city):
    with pytest.raises(ValidationError) as refused:
        admin.create_cycle(
            city, actor=_admin(city), fiscal_year=2020, opens_on="2021-07-01", due_on="2021-06-30"
        )
    fields = _fields(refused.value)
    assert fields["fiscal_year"] == "FY 2020-21 has a reporting cycle already; change its dates."
    assert fields["due_on"] == "The due date must be on or after the day the cycle opens (1 July 2021)."
    with pytest.raises(ValidationError) as refused:
        admin.create_cycle(city, actor=_admin(city), fiscal_year="20x1", opens_on="1 July", due_on=None)
    assert set(_fields(refused.value)) == {"fiscal_year", "opens_on", "due_on"}


def test_change_a_cycles_due_date_with_history(city):
    assert admin.change_cycle_dates(
        city, actor=_admin(city), fiscal_year=2020, opens_on=dt.date(2021, 7, 1), due_on=dt.date(2021, 10, 15)
    )
    with city.connect() as connection:
        due = connection.execute(
            select(ReportingCycle.due_on).where(ReportingCycle.fiscal_year == 2020)
        ).scalar_one()
    assert due == dt.date(2021, 10, 15)
    history = admin.history(city, actor=_admin(city), entity=admin.CYCLE_ENTITY, entity_id=2020)
    assert list(history["change"]) == ["due_on: 2021-09-30 → 2021-10-15"]  # the opening date did not move
    before = _snapshot(city)
    assert not admin.change_cycle_dates(
        city, actor=_admin(city), fiscal_year=2020, opens_on="2021-07-01", due_on="2021-10-15"
    )
    assert _snapshot(city) == before
    with pytest.raises(writes.WriteError, match="no reporting cycle for FY 2030-31"):
        admin.change_cycle_dates(
            city, actor=_admin(city), fiscal_year=2030, opens_on="2031-07-01", due_on="2031-09-30"
        )


# --- refusals -------------------------------------------------------------------------------------------

WRITES = {
    "create_group": lambda city, who: admin.create_group(
        city, actor=who, key="somali", name="Somali", sort_order=8
    ),
    "rename_group": lambda city, who: admin.rename_group(
        city, actor=who, group_id=ASIAN, name="Asian American"
    ),
    "reorder_groups": lambda city, who: admin.reorder_groups(city, actor=who, group_ids=[6, 5, 4, 3, 2, 1]),
    "archive_group": lambda city, who: admin.set_group_active(city, actor=who, group_id=ASIAN, active=False),
    "create_rollup": lambda city, who: admin.create_rollup(
        city, actor=who, key="mix", name="Mix", sort_order=7, member_ids=[1, 2]
    ),
    "set_rollup_members": lambda city, who: admin.set_rollup_members(
        city, actor=who, rollup_id=POC, member_ids=[1, 2]
    ),
    "create_benchmark": lambda city, who: admin.create_benchmark(
        city, actor=who, key="acs", name="ACS", source="ACS", year=2021
    ),
    "edit_benchmark": lambda city, who: admin.edit_benchmark(
        city, actor=who, benchmark_id=RESIDENTS, name="Residents", source="ACS", year=2016
    ),
    "archive_benchmark": lambda city, who: admin.set_benchmark_archived(
        city, actor=who, benchmark_id=RESIDENTS, archived=True
    ),
    "set_benchmark_shares": lambda city, who: admin.set_benchmark_shares(
        city, actor=who, benchmark_id=RESIDENTS, shares={ASIAN: 0.05}
    ),
    "create_cycle": lambda city, who: admin.create_cycle(
        city, actor=who, fiscal_year=2021, opens_on="2022-07-01", due_on="2022-09-30"
    ),
    "change_cycle_dates": lambda city, who: admin.change_cycle_dates(
        city, actor=who, fiscal_year=2020, opens_on="2021-07-01", due_on="2021-12-31"
    ),
}


@pytest.mark.parametrize("write", list(WRITES))
@pytest.mark.parametrize("who", ["AA", "analyst"])
def test_a_bureau_editor_and_an_analyst_are_refused_audited_and_change_nothing(city, write, who):
    before = _snapshot(city)
    with pytest.raises(PermissionDeniedError):
        WRITES[write](city, city.people[who])
    assert _snapshot(city) == before
    [(_, detail)] = _entries(city, "refused")
    assert detail["permission"] == "manage_plan_structure"
    assert detail["actor"] == f"{who.lower()}@city.example"


def test_a_refusal_comes_before_validation(city):
    # An editor learns nothing about the data from a refused write: not even that its fields are bad.
    with pytest.raises(PermissionDeniedError):
        admin.create_group(city, actor=city.people["AA"], key="asian", name="", sort_order="x")


def test_the_history_is_for_those_who_may_read_the_audit_log(city):
    admin.rename_group(city, actor=_admin(city), group_id=ASIAN, name="Asian American")
    analysts = admin.history(city, actor=city.people["analyst"], entity=admin.GROUP_ENTITY, entity_id=ASIAN)
    assert len(analysts) == 1
    with pytest.raises(PermissionDeniedError):
        admin.history(city, actor=city.people["AA"], entity=admin.GROUP_ENTITY, entity_id=ASIAN)
    assert json.loads(json.dumps(_entries(city, "refused")[0][1]))["permission"] == "view_audit_log"
