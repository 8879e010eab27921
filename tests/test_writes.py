"""The write path (``equity_tracking.writes``) on a real database: each rule of saving, review and
publishing, compare-and-set between two real connections, and a busy database. Expected figures
are worked out by hand from the golden city (tests/golden_city.py)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from golden_city import build_golden_city
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from principals import make_user
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import OperationalError

from equity_tracking import accounts, db, reads, writes
from equity_tracking.models import AuditEntry, MeasureValue, ReportingPeriod, ReviewStep
from equity_tracking.permissions import PUBLIC, PermissionDeniedError, Role, Viewer
from equity_tracking.validation import Entry, ValidationError

AFTER_THE_PLAN = dt.date(2022, 1, 15)  # every period of the golden plan (FY 2016-17 to 2020-21) has ended
M1, M2 = 1, 2  # M1: share of new hires (percent); M2: employees by race/ethnicity (count)
GROUPS = {"asian": 1, "black": 2, "hispanic": 3, "white": 4, "unknown": 5, "people_of_color": 6}


@pytest.fixture(scope="module")
def module_factory(tmp_path_factory):
    from conftest import DatabaseFactory

    factory = DatabaseFactory(tmp_path_factory.mktemp("write-databases"))
    yield factory
    factory.cleanup()


def _city(factory):
    engine = factory.new_engine()
    golden = build_golden_city(engine)
    people = {}
    for key, role, bureaus in [
        ("analyst", Role.ANALYST, ()),
        ("admin", Role.ADMIN, ()),
        ("AA", Role.BUREAU_EDITOR, ("AA",)),
        ("BB", Role.BUREAU_EDITOR, ("BB",)),
    ]:
        user_id = make_user(engine, f"{key.lower()}@city.example", role, *bureaus, name=f"Person {key}")
        people[key] = accounts.current_principal(engine, user_id)
    engine.people = people  # type: ignore[attr-defined]
    engine.golden = golden  # type: ignore[attr-defined]
    return engine


@pytest.fixture
def city(database_factory):
    return _city(database_factory)


def _period(engine, label: str) -> int:
    with engine.connect() as connection:
        return connection.execute(
            select(ReportingPeriod.id).where(ReportingPeriod.label == label)
        ).scalar_one()


def _count(engine, model) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar_one()


def _save(engine, who="AA", *, measure=M2, period="FY 2020-21", base=0, **kwargs):
    kwargs.setdefault("total", Entry(230))
    return writes.save_period_values(
        engine,
        actor=engine.people[who],
        measure_id=measure,
        period_id=_period(engine, period),
        base_version=base,
        today=AFTER_THE_PLAN,
        **kwargs,
    )


# 230 employees: 15 + 15 + 35 + 155 + 10 = 230 (every group given, adding up).
HEADCOUNT = {
    GROUPS["asian"]: Entry(15),
    GROUPS["black"]: Entry(15),
    GROUPS["hispanic"]: Entry(35),
    GROUPS["white"]: Entry(155),
    GROUPS["unknown"]: Entry(10),
}


def test_an_editor_saves_a_period_as_drafts_with_audit_and_a_new_data_version(city):
    before_version, before_rows = reads.data_version(city), _count(city, MeasureValue)
    saved = _save(city, groups=HEADCOUNT, note="Headcount on 30 June 2021", source="HR system")
    assert saved.version == 1
    assert len(saved.value_ids) == 6  # the total and five groups
    assert _count(city, MeasureValue) == before_rows + 6
    assert reads.data_version(city) != before_version
    with city.connect() as connection:
        rows = connection.execute(
            select(MeasureValue.group_id, MeasureValue.value, MeasureValue.review_status, MeasureValue.note)
            .where(MeasureValue.id.in_(saved.value_ids))
            .order_by(MeasureValue.id)
        ).all()
        audit = connection.execute(select(AuditEntry.action).where(AuditEntry.action == "values_saved")).all()
    assert [(group, value) for group, value, _, _ in rows] == [
        (None, 230.0), (1, 15.0), (2, 15.0), (3, 35.0), (4, 155.0), (5, 10.0),
    ]  # fmt: skip
    assert {status.value for _, _, status, _ in rows} == {"draft"}
    assert rows[0][3] == "Headcount on 30 June 2021"
    assert len(audit) == 1
    public = reads.values_in_review(city, viewer=PUBLIC, review_status="draft")
    assert public.empty  # a draft is never public
    mine = reads.values_in_review(
        city, viewer=Viewer(city.people["AA"], include_unpublished=True), review_status="draft"
    )
    assert sorted(mine["value"]) == [10.0, 15.0, 15.0, 35.0, 155.0, 230.0]
    # FY 2018-19's published headcount (220, and White 150) is shown beside the draft.
    total = mine[mine["group"] == ""].iloc[0]
    assert total["last_published"] == 220.0
    assert mine[mine["group"] == "White"].iloc[0]["last_published"] == 150.0


@pytest.mark.parametrize(
    ("entry", "unit_measure", "field", "words"),
    [
        (Entry(150), M1, "total.value", "between 0 and 100"),
        (Entry(-1), M1, "total.value", "between 0 and 100"),
        (Entry(2.5), M2, "total.value", "whole number"),
        (Entry(-3), M2, "total.value", "cannot be negative"),
        (Entry("abc"), M2, "total.value", "is not a number"),
        (Entry(float("nan")), M2, "total.value", "not NaN"),
        (Entry(float("inf")), M1, "total.value", "not NaN"),
        (Entry(1e300), M2, "total.value", "far too large"),
        (Entry(True), M2, "total.value", "not yes or no"),
        (Entry(None), M2, "total.value", "Enter a number"),
        (Entry(30, numerator=40, denominator=100), M1, "total.value", "give 40.0 %"),
        (Entry(30, numerator=3, denominator=0), M1, "total.denominator", "above zero"),
    ],
)
def test_bad_numbers_are_refused_next_to_their_field_and_nothing_is_saved(
    city, entry, unit_measure, field, words
):
    before = _count(city, MeasureValue), reads.data_version(city)
    with pytest.raises(ValidationError) as refused:
        _save(city, measure=unit_measure, total=entry)
    assert [(error.field, words in error.message) for error in refused.value.errors] == [(field, True)]
    assert (_count(city, MeasureValue), reads.data_version(city)) == before


def test_groups_that_do_not_add_up_need_a_note(city):
    short = {**HEADCOUNT, GROUPS["white"]: Entry(150)}  # 225, not 230
    with pytest.raises(ValidationError) as refused:
        _save(city, groups=short)
    assert refused.value.errors[0].field == "note"
    assert "add up to 225, not the total's 230" in refused.value.errors[0].message
    saved = _save(city, groups=short, note="Five people hired on the last day have no record yet.")
    assert len(saved.value_ids) == 6


def test_a_group_that_is_unknown_or_a_roll_up_is_refused(city):
    with pytest.raises(ValidationError) as refused:
        _save(city, groups={99: Entry(1), GROUPS["people_of_color"]: Entry(65)})
    assert {error.field for error in refused.value.errors} == {"group.99", "group.6"}


def test_the_period_must_lie_inside_the_plan_have_ended_and_be_of_the_measures_kind(city):
    with city.begin() as connection:
        connection.execute(
            insert(ReportingPeriod).values(
                id=1000, label="FY 2021-22", kind="fiscal_year", start_date=dt.date(2021, 7, 1),
                end_date=dt.date(2022, 6, 30), fiscal_year=2021,
            )
        )  # fmt: skip
    cases = [
        ({"period": "FY 2021-22"}, "outside the plan"),
        ({"period": "FY 2017-18 Q4"}, "reported annual"),
    ]
    for arguments, words in cases:
        with pytest.raises(ValidationError) as refused:
            _save(city, **arguments)
        assert words in refused.value.errors[0].message
    with pytest.raises(ValidationError) as refused:
        writes.save_period_values(
            city, actor=city.people["AA"], measure_id=M2, period_id=_period(city, "FY 2020-21"),
            total=Entry(230), base_version=0, today=dt.date(2021, 3, 1),
        )  # fmt: skip
    assert "has not ended yet" in refused.value.errors[0].message


def test_a_jump_of_more_than_three_times_the_prior_value_needs_confirmation(city):
    # M1's newest earlier total is FY 2019-20's 28.0; 95 is 3.4 times that, 84 is exactly 3 times.
    with pytest.raises(writes.ConfirmationNeededError, match="from 28 to 95"):
        _save(city, measure=M1, total=Entry(95))
    assert _save(city, measure=M1, total=Entry(84)).version == 1
    assert _save(city, measure=M1, total=Entry(95), base=1, confirm_jump=True).version == 2


def test_free_text_is_kept_as_typed_and_nul_is_refused(city):
    markup = '<script>alert(1)</script> **bold** =HYPERLINK("http://x")'
    saved = _save(city, note=markup)
    with city.connect() as connection:
        stored = connection.execute(
            select(MeasureValue.note).where(MeasureValue.id == saved.value_ids[0])
        ).scalar_one()
    assert stored == markup
    with pytest.raises(ValidationError, match="NUL"):
        _save(city, base=1, note="bad\x00byte")


def test_a_stale_version_is_refused_and_shows_the_other_persons_value(city):
    _save(city, total=Entry(231))
    before = _count(city, MeasureValue)
    with pytest.raises(writes.ConflictError) as refused:
        _save(city, total=Entry(229))  # started from version 0 too
    assert "Person AA saved a total of 231" in str(refused.value)
    assert refused.value.version == 1
    assert _count(city, MeasureValue) == before


def test_two_real_connections_saving_at_once_one_wins_and_one_is_refused(city):
    """Two threads, each on its own connection of the real database, save from version 0 together."""
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def save(value: int) -> None:
        start.wait()
        try:
            _save(city, total=Entry(value))
            outcomes.append("saved")
        except writes.ConflictError:
            outcomes.append("refused")

    threads = [threading.Thread(target=save, args=(value,)) for value in (231, 232)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["refused", "saved"]
    with city.connect() as connection:
        totals = connection.execute(
            select(MeasureValue.value).where(
                MeasureValue.measure_id == M2,
                MeasureValue.group_id.is_(None),
                MeasureValue.review_status == "draft",
            )
        ).all()
    assert len(totals) == 1


def test_the_whole_review_flow_keeps_every_step_as_a_row(city):
    aa = city.golden.bureaus["AA"]
    people = city.people
    _save(city, total=Entry(231))
    with pytest.raises(PermissionDeniedError):
        writes.submit_cycle(city, actor=people["BB"], bureau_id=aa, fiscal_year=2020)
    # The golden city's FY 2020-21 figure of M1 (29.0) is already submitted; the draft joins it.
    assert writes.submit_cycle(city, actor=people["AA"], bureau_id=aa, fiscal_year=2020) == 1
    with pytest.raises(ValidationError, match="comment"):
        writes.return_cycle(city, actor=people["analyst"], bureau_id=aa, fiscal_year=2020, comment="  ")
    with pytest.raises(PermissionDeniedError):
        writes.approve_cycle(city, actor=people["AA"], bureau_id=aa, fiscal_year=2020)
    returned = writes.return_cycle(
        city,
        actor=people["analyst"],
        bureau_id=aa,
        fiscal_year=2020,
        comment="The headcount looks one too high.",
    )
    assert returned == 2  # the draft that was submitted, and M1's 29.0
    _save(city, total=Entry(230), base=1)
    assert writes.submit_cycle(city, actor=people["AA"], bureau_id=aa, fiscal_year=2020) == 3
    with pytest.raises(writes.WriteError, match="nothing to publish"):
        writes.publish_cycle(city, actor=people["admin"], bureau_id=aa, fiscal_year=2020)
    assert writes.approve_cycle(city, actor=people["analyst"], bureau_id=aa, fiscal_year=2020) == 3
    with pytest.raises(PermissionDeniedError):
        writes.publish_cycle(city, actor=people["analyst"], bureau_id=aa, fiscal_year=2020)
    version_before = reads.data_version(city)
    assert writes.publish_cycle(city, actor=people["admin"], bureau_id=aa, fiscal_year=2020) == 3
    assert reads.data_version(city) != version_before
    with city.connect() as connection:
        steps = connection.execute(
            select(ReviewStep.state, ReviewStep.comment, ReviewStep.rows_moved).order_by(ReviewStep.id)
        ).all()
    assert [(state.value, comment, moved) for state, comment, moved in steps] == [
        ("submitted", None, 1),
        ("returned", "The headcount looks one too high.", 2),
        ("submitted", None, 3),
        ("approved", None, 3),
        ("published", None, 3),
    ]
    # The public now sees 230 as FY 2020-21's headcount, and M1's 29.0.
    public = reads.measure_value_frame(city, viewer=PUBLIC)
    fy2020 = public[public["period_label"] == "FY 2020-21"] if "period_label" in public else public
    published = set(zip(fy2020["measure_id"], fy2020["value"], strict=True))
    assert (M2, 230.0) in published
    assert (M1, 29.0) in published
    assert (M2, 231.0) not in published
    history = reads.review_steps(city, viewer=PUBLIC, bureau_id=aa)
    assert list(history["state"]) == ["published"]  # the public sees when it was published, not the review

    # As of 1 January 2022, M1's 29.0 (entered 14 Aug 2021, published today) was not yet public:
    # the public's past view leaves it out, staff saw it then; as of today both see it.
    def m1_totals(viewer, as_of):
        frame = reads.measure_value_frame(city, viewer=viewer, as_of=as_of)
        return set(frame.loc[(frame["measure_id"] == M1) & (frame["group_id"] == 0), "value"])

    staff = Viewer(people["analyst"], include_unpublished=True)
    assert 29.0 not in m1_totals(PUBLIC, "2022-01-01")
    assert 29.0 in m1_totals(staff, "2022-01-01")
    assert 29.0 in m1_totals(PUBLIC, dt.date.today())


def test_restoring_a_version_adds_a_row_with_its_numbers(city):
    first = _save(city, total=Entry(231))
    _save(city, total=Entry(240), base=1)
    restored = writes.restore_value(
        city, actor=city.people["AA"], value_id=first.value_ids[0], base_version=2, reason="240 was a typo"
    )
    with city.connect() as connection:
        rows = connection.execute(
            select(MeasureValue.id, MeasureValue.value, MeasureValue.replaces_id)
            .where(
                MeasureValue.measure_id == M2,
                MeasureValue.group_id.is_(None),
                MeasureValue.review_status == "draft",
            )
            .order_by(MeasureValue.id)
        ).all()
    assert [value for _, value, _ in rows] == [231.0, 240.0, 231.0]
    assert rows[-1][0] == restored
    assert rows[-1][2] == rows[1][0]


def test_action_updates_and_narratives_are_checked_and_versioned(city):
    aa, editor = city.golden.bureaus["AA"], city.people["AA"]
    with pytest.raises(ValidationError) as refused:
        writes.record_action_update(
            city, actor=editor, action_id=1, status="finished-ish", percent_complete=120, narrative="",
            fiscal_year=2020, base_version=0,
        )  # fmt: skip
    assert {error.field for error in refused.value.errors} == {"status", "percent_complete", "narrative"}
    assert writes.record_action_update(
        city, actor=editor, action_id=1, status="on_track", percent_complete=60,
        narrative="Half the documents are done.", fiscal_year=2020, base_version=0,
    ) == 1  # fmt: skip
    with pytest.raises(ValidationError, match="one to three"):
        writes.save_narrative(
            city, actor=editor, bureau_id=aa, fiscal_year=2020, highlights=["a", "b", "c", "d"],
            challenges=["c"], priorities=["p"], base_version=0,
        )  # fmt: skip
    assert writes.save_narrative(
        city, actor=editor, bureau_id=aa, fiscal_year=2020, highlights=["Hired a liaison."],
        challenges=["Budget."], priorities=["Translate more."], base_version=0,
    ) == 1  # fmt: skip
    writes.save_narrative(
        city, actor=editor, bureau_id=aa, fiscal_year=2020, highlights=["Hired two liaisons."],
        challenges=["Budget."], priorities=["Translate more."], base_version=1,
    )  # fmt: skip
    with pytest.raises(writes.ConflictError, match="Person AA saved the narrative"):
        writes.save_narrative(
            city, actor=editor, bureau_id=aa, fiscal_year=2020, highlights=["x"], challenges=["y"],
            priorities=["z"], base_version=1,
        )  # fmt: skip
    newest = reads.annual_reports(
        city, viewer=Viewer(editor, include_unpublished=True), bureau_id=aa, fiscal_year=2020
    )
    assert list(newest["highlights"]) == [["Hired two liaisons."]]
    work = reads.cycle_work(
        city, viewer=Viewer(editor, include_unpublished=True), bureau_id=aa, fiscal_year=2020
    )
    drafts = work[work["review_status"] == "draft"].set_index("kind")["rows"].to_dict()
    assert drafts == {"action updates": 1, "narrative": 1}


def test_a_busy_database_is_tried_again_then_refused_in_words(city):
    attempts = []

    def always_locked(connection):
        attempts.append(1)
        raise OperationalError("UPDATE", {}, Exception("database is locked"))

    with pytest.raises(db.DatabaseBusyError, match="nothing was saved"):
        db.writing(city, always_locked)
    assert len(attempts) == db.WRITE_ATTEMPTS

    def locked_twice(connection):
        attempts.append(1)
        if len(attempts) <= db.WRITE_ATTEMPTS + 2:
            raise OperationalError("UPDATE", {}, Exception("database is locked"))
        return connection.execute(text("SELECT 1")).scalar_one()

    assert db.writing(city, locked_twice) == 1


def test_a_write_waits_for_another_writer_to_finish(city):
    """A real lock held by another connection: the save waits for it (SQLite's busy timeout, or
    PostgreSQL's row lock) instead of failing."""
    holding = threading.Event()
    release = threading.Event()

    def hold() -> None:
        def work(connection):
            connection.execute(text("UPDATE app_metadata SET value = value WHERE key = 'data_changes'"))
            writes.bump_data_version(connection)
            holding.set()
            release.wait(timeout=30)

        db.writing(city, work)

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(timeout=30)
    threading.Timer(0.5, release.set).start()
    assert _save(city, total=Entry(231)).version == 1
    holder.join(timeout=30)


numbers = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(["12", "1,200", "-0", "1e5", "NaN", "inf", "<b>9</b>", "=1+1", "**3**"]),
)  # fmt: skip


PERIOD_LABELS = ["FY 2016-17", "FY 2020-21", "FY 2017-18 Q4"]  # in the plan, the latest, a quarter


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    value=numbers,
    numerator=numbers,
    denominator=numbers,
    note=st.one_of(st.none(), st.text(max_size=40)),
    period=st.one_of(st.sampled_from(PERIOD_LABELS), st.integers(min_value=-3, max_value=500)),
    groups=st.dictionaries(st.integers(min_value=-2, max_value=12), numbers, max_size=3),
    stale=st.booleans(),
)
def test_any_input_is_saved_whole_or_refused_in_words_with_nothing_changed(
    module_factory, value, numerator, denominator, note, period, groups, stale
):
    engine = _hypothesis_city(module_factory)
    before = _count(engine, MeasureValue), reads.data_version(engine)
    period_id = _period(engine, period) if isinstance(period, str) else period  # or an id that may not exist
    key = writes.period_key(M1, period_id)
    version = writes.edit_versions(engine, [key])[key]
    outcome: writes.SavedPeriod | ValidationError | writes.WriteError
    entries = {group: Entry(raw) for group, raw in groups.items()}
    try:
        outcome = writes.save_period_values(
            engine, actor=engine.people["AA"], measure_id=M1, period_id=period_id,
            total=Entry(value, numerator, denominator), groups=entries, note=note, confirm_jump=True,
            today=AFTER_THE_PLAN, base_version=version - 1 if stale else version,
        )  # fmt: skip
    except writes.WriteError as refused:  # a stale version (a conflict) or a period that does not exist
        outcome = refused
    except ValidationError as refused:
        outcome = refused
    if isinstance(outcome, ValidationError | writes.WriteError):
        assert str(outcome)
        assert (_count(engine, MeasureValue), reads.data_version(engine)) == before
    else:
        with engine.connect() as connection:
            stored = connection.execute(
                select(MeasureValue.value).where(MeasureValue.id == outcome.value_ids[0])
            ).scalar_one()
        assert 0 <= stored <= 100


_HYPOTHESIS_CITY: dict = {}


def _hypothesis_city(factory):
    if "engine" not in _HYPOTHESIS_CITY:
        _HYPOTHESIS_CITY["engine"] = _city(factory)
    return _HYPOTHESIS_CITY["engine"]


def _each_kind_of_edit(city):
    """Each write of plan data in the order a cycle goes (each one's precondition is the one before)."""
    aa, people = city.golden.bureaus["AA"], city.people
    cycle = {"bureau_id": aa, "fiscal_year": 2020}
    first: dict = {}
    return [
        ("a period's figures", lambda: first.setdefault("saved", _save(city, total=Entry(231)))),
        ("a restored version", lambda: writes.restore_value(
            city, actor=people["AA"], value_id=first["saved"].value_ids[0], base_version=1,
            reason="as it was")),
        ("an action update", lambda: writes.record_action_update(
            city, actor=people["AA"], action_id=1, status="on_track", percent_complete=50, narrative="Going.",
            fiscal_year=2020, base_version=0)),
        ("a narrative", lambda: writes.save_narrative(
            city, actor=people["AA"], highlights=["h"], challenges=["c"], priorities=["p"], base_version=0,
            **cycle)),
        ("a submission", lambda: writes.submit_cycle(city, actor=people["AA"], **cycle)),
        ("a return", lambda: writes.return_cycle(city, actor=people["analyst"], comment="Fix it.", **cycle)),
        ("a resubmission", lambda: writes.submit_cycle(city, actor=people["AA"], **cycle)),
        ("an approval", lambda: writes.approve_cycle(city, actor=people["analyst"], **cycle)),
        ("a publication", lambda: writes.publish_cycle(city, actor=people["admin"], **cycle)),
    ]  # fmt: skip


def test_every_kind_of_edit_changes_the_data_version(city):
    for kind, edit in _each_kind_of_edit(city):
        before = reads.data_version(city)
        edit()
        assert reads.data_version(city) != before, kind


def test_only_a_publication_changes_the_publics_data_version(city):
    """The public's version (``reads.data_version`` for published rows only) moves with what the
    public can see: nothing of a cycle until it is published, and then it moves."""
    from equity_tracking.permissions import PUBLISHED_ONLY

    for kind, edit in _each_kind_of_edit(city):
        public_before, full_before = reads.data_version(city, PUBLISHED_ONLY), reads.data_version(city)
        edit()
        assert reads.data_version(city) != full_before, kind
        if kind == "a publication":
            assert reads.data_version(city, PUBLISHED_ONLY) != public_before, kind
        else:
            assert reads.data_version(city, PUBLISHED_ONLY) == public_before, kind


@pytest.mark.parametrize("who", ["public", "analyst", "AA"])
def test_a_held_frame_caught_up_equals_a_fresh_read(city, who):
    """After new values, a return, a resubmission, an approval and a publication, the frame a
    process caught up (reading only what changed) is the frame a fresh process reads."""
    import pandas as pd

    from equity_tracking.analytics.frames import FrameStore, load_frames

    viewer = PUBLIC if who == "public" else Viewer(city.people[who], include_unpublished=True)
    store = FrameStore()
    store.frames(city, viewer=viewer, key="city")
    for _, edit in _each_kind_of_edit(city):
        edit()
        held = store.frames(city, viewer=viewer, key="city").values
        fresh = load_frames(city, viewer=viewer).values
        pd.testing.assert_frame_equal(held.reset_index(drop=True), fresh.reset_index(drop=True))


texts = st.one_of(
    st.none(), st.integers(), st.floats(allow_nan=True), st.text(max_size=30),
    st.text(min_size=4001, max_size=4100),
    st.sampled_from(["<script>x</script>", "=CMD()", "a\x00b", "**bold** [link](http://x)"]),
)  # fmt: skip


def _rows(engine) -> tuple:
    with engine.connect() as connection:
        counts = [
            connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
            for table in ("action_updates", "annual_reports", "review_steps", "audit_log")
        ]
    return (*counts, reads.data_version(engine))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    status=st.one_of(st.sampled_from(["on_track", "completed", "done", ""]), st.none(), st.integers()),
    percent=st.one_of(
        st.none(), st.floats(allow_nan=True, allow_infinity=True), st.integers(), st.text(max_size=5)
    ),
    narrative=texts,
    items=st.lists(texts, max_size=5),
    comment=texts,
)
def test_any_action_update_narrative_or_review_comment_is_saved_whole_or_refused_in_words(
    module_factory, status, percent, narrative, items, comment
):
    engine = _hypothesis_city(module_factory)
    people, aa = engine.people, engine.golden.bureaus["AA"]
    action, narrative_of_2020 = writes.action_key(1), writes.narrative_key(aa, 2020)
    versions = writes.edit_versions(engine, [action, narrative_of_2020])
    attempts = [
        lambda: writes.record_action_update(
            engine, actor=people["AA"], action_id=1, status=status, percent_complete=percent,
            narrative=narrative, fiscal_year=2020, base_version=versions[action],
        ),
        lambda: writes.save_narrative(
            engine, actor=people["AA"], bureau_id=aa, fiscal_year=2020, highlights=items, challenges=items,
            priorities=items, base_version=versions[narrative_of_2020],
        ),
        lambda: writes.return_cycle(
            engine, actor=people["analyst"], bureau_id=aa, fiscal_year=2019, comment=comment
        ),
    ]  # fmt: skip
    for attempt in attempts:
        before = _rows(engine)
        said = ""
        try:
            attempt()
        except (ValidationError, writes.WriteError) as refused:
            said = str(refused) or "(no message)"
        if said:
            assert said != "(no message)"
            assert _rows(engine) == before


def test_a_stale_action_update_is_refused_and_shows_the_other_persons_status(city):
    editor = city.people["AA"]
    update = {"action_id": 1, "fiscal_year": 2020}
    writes.record_action_update(
        city,
        actor=editor,
        status="on_track",
        percent_complete=60,
        narrative="Half done.",
        base_version=0,
        **update,
    )
    with pytest.raises(writes.ConflictError, match="Person AA set it to “on track”, 60 % complete"):
        writes.record_action_update(
            city,
            actor=editor,
            status="completed",
            percent_complete=100,
            narrative="Done.",
            base_version=0,
            **update,
        )
