"""AppTest of the working pages: "My bureau" (a bureau lead enters figures, an action update and the
narrative, and submits) and the review queue (a reviewer returns or approves, an admin publishes).
Expected figures come from the golden city (tests/golden_city.py), worked out by hand."""

from __future__ import annotations

import pytest
from apptest_support import open_app, shown, table_with, tables, texts
from golden_city import build_golden_city
from principals import make_user
from sqlalchemy import select, text

from equity_tracking import accounts, publication, reads, snapshots
from equity_tracking.models import MeasureValue
from equity_tracking.permissions import PUBLISHED_ONLY, Role

TOKEN = "_equity_session_token"


@pytest.fixture
def city(database_factory):
    """The golden city (with its reporting cycles, FY 2016-17 to FY 2020-21) and three people."""
    engine = database_factory.new_engine()
    build_golden_city(engine)
    engine.ids = {  # type: ignore[attr-defined]
        who: make_user(engine, f"{who}@city.example", role, *bureaus, name=f"Person {who}")
        for who, role, bureaus in [
            ("alpha", Role.BUREAU_EDITOR, ("AA",)),
            ("analyst", Role.ANALYST, ()),
            ("admin", Role.ADMIN, ()),
        ]
    }
    return engine


def _as(city, who: str) -> dict:
    principal = accounts.current_principal(city, city.ids[who])
    assert principal is not None
    return {TOKEN: accounts.open_session(city, principal, method="password")}


def _open(script: str, city, monkeypatch, who: str):
    app = open_app(script, city, monkeypatch, state=_as(city, who))
    app.run()
    app.run()  # the second run's widget ids are the ones a click refers to (see test_sign_in)
    assert not app.exception, app.exception
    return app


def _button(app, label: str):
    return next(button for button in app.button if button.label == label)


def _text_input(app, label: str):
    return next(box for box in app.text_input if box.label == label)


def test_a_bureau_lead_sees_what_is_due_for_the_cycle(city, monkeypatch):
    app = _open("pages/my_bureau.py", city, monkeypatch, "alpha")
    shown = texts(app)
    # FY 2020-21 (the latest cycle of the plan, due 30 Sep 2021): M1's 29.0 is submitted already;
    # M2 and M3 have no FY 2020-21 value; A1 has no update for the cycle (A2 is completed); no
    # narrative yet. Today is past the due date, so it is late.
    assert "The FY 2020-21 report is due by 30 Sep 2021. Some of it is late" in shown
    assert "2 measure values to enter" in shown
    assert "1 action without a status update this cycle" in shown
    assert "The annual narrative for FY 2020-21 is not written yet." in shown
    assert list(table_with(app, "Measure")["Measure"]) == [
        "Employees by race/ethnicity",
        "Vital documents translated",
    ]
    assert list(table_with(app, "Action")["Action"]) == ["Translate the vital documents"]


def test_a_bad_figure_is_refused_next_to_its_field_then_saved_and_submitted(city, monkeypatch):
    app = _open("pages/my_bureau.py", city, monkeypatch, "alpha")
    next(box for box in app.selectbox if box.label == "Measure").set_value(2)  # M2, headcount by race
    app.run()
    _text_input(app, "Total").input("2.5")
    _text_input(app, "Asian").input("abc")
    _button(app, "Save draft").click()
    app.run()
    errors = [shown(error.value) for error in app.error]
    assert "A count must be a whole number." in errors
    assert any("“abc” is not a number" in error for error in errors)
    with city.connect() as connection:
        before = connection.execute(select(MeasureValue.id).where(MeasureValue.measure_id == 2)).all()
    # 230 = 15 + 15 + 35 + 155 + 10
    headcount = [
        ("Total", "230"), ("Asian", "15"), ("Black or African American", "15"), ("Hispanic or Latino", "35"),
        ("White", "155"), ("Unknown or declined", "10"),
    ]  # fmt: skip
    for label, value in headcount:
        _text_input(app, label).input(value)
    _button(app, "Save draft").click()
    app.run()
    assert not app.exception, app.exception
    assert "Saved as a draft (6 figures)." in texts(app)
    with city.connect() as connection:
        after = connection.execute(select(MeasureValue.id).where(MeasureValue.measure_id == 2)).all()
    assert len(after) == len(before) + 6
    _button(app, "Submit the FY 2020-21 report").click()
    app.run()
    # The six new drafts; M1's 29.0 was submitted already.
    assert "Submitted 6 items for review." in texts(app)


def test_a_reviewer_returns_with_a_comment_the_lead_sees_and_an_admin_publishes(city, monkeypatch):
    app = _open("pages/review.py", city, monkeypatch, "analyst")
    shown = texts(app)
    assert "Waiting for review: by bureau and cycle" in shown
    summary = tables(app)[0]
    # Golden: AA's FY 2020-21 figure (M1, 29.0) and BB's FY 2018-19 narrative are submitted.
    assert set(zip(summary["Bureau"], summary["Cycle"], strict=True)) >= {("Bureau of Alpha", "FY 2020-21")}
    next(box for box in app.selectbox if box.label == "Bureau and cycle").set_value((1, 2020))
    app.run()
    _button(app, "Return to the bureau").click()
    app.run()
    assert "Say what the bureau should change before it submits again." in texts(app)
    next(box for box in app.text_area if box.label.startswith("Comment")).input("Check the new-hire share.")
    _button(app, "Return to the bureau").click()
    app.run()
    assert "Returned 1 item." in texts(app)
    lead = _open("pages/my_bureau.py", city, monkeypatch, "alpha")
    assert "Returned by Person analyst" in texts(lead)
    assert "Check the new-hire share." in texts(lead)
    _button(lead, "Submit the FY 2020-21 report").click()
    lead.run()
    assert "Submitted 1 item for review." in texts(lead)
    app = _open("pages/review.py", city, monkeypatch, "analyst")
    next(box for box in app.selectbox if box.label == "Bureau and cycle").set_value((1, 2020))
    app.run()
    _button(app, "Approve everything submitted").click()
    app.run()
    assert "Approved 1 item." in texts(app)
    assert not [
        button for button in app.button if button.label == "Publish the approved work"
    ]  # analysts don't
    admin = _open("pages/review.py", city, monkeypatch, "admin")
    next(box for box in admin.selectbox if box.label == "State").set_value("approved")
    admin.run()
    _button(admin, "Publish the approved work").click()
    admin.run()
    assert "Published 1 item." in texts(admin)
    with city.connect() as connection:
        status, published_at = connection.execute(
            text(
                "SELECT review_status, published_at FROM measure_values WHERE measure_id = 1 AND value = 29.0"
            )
        ).one()
    assert status == "published"
    assert published_at is not None
    # The public's opening year (FY 2020-21, the plans' last, whose deadline has passed) is prepared
    # in the background for the next visitor, suppressed tables and all.
    publication.wait_for_preparations()
    version = reads.data_version(city, PUBLISHED_ONLY)
    prepared = snapshots.load(city, data_version=version, as_of="2021-09-30")
    assert prepared is not None
    assert prepared.tables is not None


def test_the_working_pages_are_refused_to_those_without_the_permission(city, monkeypatch):
    public = open_app("pages/my_bureau.py", city, monkeypatch)
    public.run()
    assert "This page is for City staff. Sign in to open it." in texts(public)
    lead = _open("pages/review.py", city, monkeypatch, "alpha")
    assert "Review queue" not in [title.value for title in lead.title]


def test_staff_read_the_audit_log_with_filters_and_bureau_leads_may_not(city, monkeypatch):
    from equity_tracking import audit, writes
    from equity_tracking.permissions import PermissionDeniedError
    from equity_tracking.validation import Entry

    alpha = accounts.current_principal(city, city.ids["alpha"])
    assert alpha is not None
    writes.save_period_values(city, actor=alpha, measure_id=3, period_id=_period(city, "FY 2020-21"),
                              total=Entry(50), base_version=0)  # fmt: skip
    with pytest.raises(PermissionDeniedError):
        audit.entries(city, actor=alpha)  # a bureau lead may not read the log
    app = _open("pages/audit_log.py", city, monkeypatch, "admin")
    next(box for box in app.multiselect if box.label == "Actions").set_value(["values_saved"])
    app.run()
    assert not app.exception, app.exception
    [shown] = [frame.value for frame in app.dataframe]
    assert list(shown["Action"]) == ["values_saved"]
    assert list(shown["Who"]) == ["Person alpha"]
    refused = _open("pages/audit_log.py", city, monkeypatch, "alpha")
    assert "Audit log" not in [title.value for title in refused.title]
    analyst_view = _open("pages/audit_log.py", city, monkeypatch, "analyst")  # staff may read it
    assert "Audit log" in [title.value for title in analyst_view.title]


def _period(city, label: str) -> int:
    from equity_tracking.models import ReportingPeriod

    with city.connect() as connection:
        return connection.execute(
            select(ReportingPeriod.id).where(ReportingPeriod.label == label)
        ).scalar_one()


def test_a_save_someone_else_beat_is_refused_with_their_value_and_a_version_can_be_restored(
    city, monkeypatch
):
    from equity_tracking import writes
    from equity_tracking.validation import Entry

    app = _open("pages/my_bureau.py", city, monkeypatch, "alpha")
    next(box for box in app.selectbox if box.label == "Measure").set_value(3)  # M3, documents translated
    app.run()
    # Someone else (here, the same bureau's lead in another tab) saves 52 after this form opened.
    alpha = accounts.current_principal(city, city.ids["alpha"])
    theirs = writes.save_period_values(city, actor=alpha, measure_id=3, period_id=_period(city, "FY 2020-21"),
                                       total=Entry(52), base_version=0)  # fmt: skip
    _text_input(app, "Total").input("55")
    _button(app, "Save draft").click()
    app.run()
    assert "Someone else saved this while you were editing: Person alpha saved a total of 52" in texts(app)
    assert _text_input(app, "Total").value == "52"  # the form now shows theirs
    _text_input(app, "Total").input("55")
    _button(app, "Save draft").click()
    app.run()
    assert "Saved as a draft (1 figure)." in texts(app)
    # Bring 52 back: a new row, the history keeps 55.
    box = next(box for box in app.selectbox if box.label == "Version to bring back")
    assert any(option.startswith("Total: 52, draft, by Person alpha") for option in box.options)
    box.set_value(theirs.value_ids[0])
    _text_input(app, "Why").input("55 counted one document twice.")
    _button(app, "Restore this version").click()
    app.run()
    assert not app.exception, app.exception
    assert "Restored it as a new draft; the newer versions stay in the history." in texts(app)
    with city.connect() as connection:
        totals = [row[0] for row in connection.execute(text(
            "SELECT value FROM measure_values WHERE measure_id = 3 AND entered_by_id IS NOT NULL ORDER BY id"
        ))]  # fmt: skip
    assert totals == [52.0, 55.0, 52.0]


def test_the_review_queue_shows_what_each_bureau_owes_and_who_is_late(city, monkeypatch):
    app = _open("pages/review.py", city, monkeypatch, "analyst")
    overview = table_with(app, "Actions without an update")
    alpha = overview[overview["Bureau"] == "Bureau of Alpha"].iloc[0]
    # As on My bureau: FY 2020-21, due 30 Sep 2021 (past), M2 and M3 to enter, A1 without an
    # update, no narrative; nothing saved as a draft.
    assert alpha["Cycle"] == "FY 2020-21"
    assert alpha["State"] == "Late: due 30 Sep 2021"
    assert (alpha["Values to enter"], alpha["Actions without an update"]) == (2, 1)
    assert (alpha["Narrative"], alpha["Drafts not submitted"]) == ("missing", 0)
    # Golden: Bureau of Beta's FY 2018-19 narrative ("Not yet reviewed.") is the one submitted.
    assert "Annual narratives (1)" in texts(app)
    assert "Not yet reviewed." in "\n".join(str(frame.to_dict()) for frame in tables(app))


def test_an_earlier_narrative_can_be_brought_back_and_saved_as_a_new_version(city, monkeypatch):
    app = _open("pages/my_bureau.py", city, monkeypatch, "alpha")
    _text_input(app, "Highlights 1").input("Hired two liaisons.")
    _text_input(app, "Challenges 1").input("The budget was cut.")
    _text_input(app, "Next year's priorities 1").input("Translate the permit guide.")
    _button(app, "Save narrative").click()
    app.run()
    assert "Saved the narrative as a draft." in texts(app)
    _text_input(app, "Highlights 1").input("Hired three liaisons.")
    _button(app, "Save narrative").click()
    app.run()
    assert _text_input(app, "Highlights 1").value == "Hired three liaisons."
    # Bring the first version back, then save it: a third version with the first one's words.
    versions = [box for box in app.selectbox if box.label == "Version to bring back"][-1]
    versions.set_value(_narrative_ids(city)[0])
    [button for button in app.button if button.label == "Put this version in the form"][-1].click()
    app.run()
    assert _text_input(app, "Highlights 1").value == "Hired two liaisons."
    _button(app, "Save narrative").click()
    app.run()
    assert not app.exception, app.exception
    from equity_tracking.models import AnnualReport

    with city.connect() as connection:
        saved = connection.execute(
            select(AnnualReport.highlights)
            .where(AnnualReport.bureau_id == 1, AnnualReport.fiscal_year == 2020)
            .order_by(AnnualReport.id)
        ).scalars()
        assert list(saved) == [["Hired two liaisons."], ["Hired three liaisons."], ["Hired two liaisons."]]


def _narrative_ids(city) -> list[int]:
    with city.connect() as connection:
        return [row[0] for row in connection.execute(
            text("SELECT id FROM annual_reports WHERE bureau_id = 1 AND fiscal_year = 2020 ORDER BY id")
        )]  # fmt: skip


def test_an_archived_group_is_not_offered_in_the_figures_form(city, monkeypatch):
    from equity_tracking import reference_admin
    from equity_tracking.permissions import Principal

    admin = Principal(user_id=city.ids["admin"], username="admin", roles=frozenset({(Role.ADMIN, None)}))
    reference_admin.set_group_active(city, actor=admin, group_id=1, active=False)  # Asian
    app = _open("pages/my_bureau.py", city, monkeypatch, "alpha")
    next(box for box in app.selectbox if box.label == "Measure").set_value(2)  # M2, headcount by race
    app.run()
    labels = [box.label for box in app.text_input]
    # The golden city's base groups but Asian; never the roll-up (People of color).
    assert [label for label in labels if label in {"Asian", "Black or African American", "Hispanic or Latino",
            "White", "Unknown or declined", "People of color"}] == [
        "Black or African American", "Hispanic or Latino", "White", "Unknown or declined"
    ]  # fmt: skip
