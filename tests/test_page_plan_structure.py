"""AppTest of the Plan structure page (administrators): an admin changes a measure's target and sees
it saved, a bad figure is refused next to its field, and a bureau editor gets the guard and no data.
Expected figures come from the golden city (tests/golden_city.py): M3 "Vital documents translated",
under AA's goal AA-G2, has a target of 50 by FY 2020-21."""

from __future__ import annotations

import pytest
from apptest_support import open_app, shown, table_with, texts
from golden_city import build_golden_city
from principals import make_user
from sqlalchemy import select

from equity_tracking import accounts
from equity_tracking.models import AuditEntry, Measure
from equity_tracking.permissions import Role

TOKEN = "_equity_session_token"
AA_G2, M3 = 2, 3


@pytest.fixture
def city(database_factory):
    engine = database_factory.new_engine()
    build_golden_city(engine)
    engine.ids = {  # type: ignore[attr-defined]
        who: make_user(engine, f"{who}@city.example", role, *bureaus, name=f"Person {who}")
        for who, role, bureaus in [("admin", Role.ADMIN, ()), ("alpha", Role.BUREAU_EDITOR, ("AA",))]
    }
    return engine


def _open(city, monkeypatch, who: str):
    principal = accounts.current_principal(city, city.ids[who])
    token = accounts.open_session(city, principal, method="password")
    app = open_app("pages/plan_structure.py", city, monkeypatch, state={TOKEN: token})
    app.run()
    app.run()  # the second run's widget ids are the ones a click refers to (see test_sign_in)
    assert not app.exception, app.exception
    return app


def _pick(app, label: str, value) -> None:
    next(box for box in app.selectbox if box.label == label).set_value(value)
    app.run()
    assert not app.exception, app.exception


def _measure_m3(app) -> None:
    _pick(app, "Goal", AA_G2)
    _pick(app, "Measure", M3)


def _text_input(app, label: str):
    return next(box for box in app.text_input if box.label == label)


def _target(city) -> float:
    with city.connect() as connection:
        return connection.execute(select(Measure.target_value).where(Measure.id == M3)).scalar_one()


def test_an_admin_changes_a_measure_target_and_sees_it_saved(city, monkeypatch):
    app = _open(city, monkeypatch, "admin")
    assert "Plan structure" in texts(app)
    _measure_m3(app)
    measures = table_with(app, "Target").set_index("Key")
    assert measures.loc["M3", "Target"] == "50 (FY 2020-21)"
    assert _text_input(app, "Target value").value == "50"
    _text_input(app, "Target value").input("60")
    next(button for button in app.button if button.label == "Save measure").click()
    app.run()
    assert not app.exception, app.exception
    assert "Saved the measure." in texts(app)
    assert _target(city) == 60.0
    assert table_with(app, "Target").set_index("Key").loc["M3", "Target"] == "60 (FY 2020-21)"
    # The History section of the measure shows the change, its value before and after.
    history = table_with(app, "Change")
    assert list(history["Change"]) == ["target_value: 50.0 → 60.0"]


def test_a_bad_target_is_refused_next_to_its_field(city, monkeypatch):
    app = _open(city, monkeypatch, "admin")
    _measure_m3(app)
    _text_input(app, "Target value").input("lots")
    _text_input(app, "Baseline period (e.g. FY 2016-17)").input("someday")
    next(button for button in app.button if button.label == "Save measure").click()
    app.run()
    assert not app.exception, app.exception
    errors = [shown(error.value) for error in app.error]
    assert "“lots” is not a number. Enter digits only, e.g. 42.5." in errors
    assert any(error.startswith("'someday' is not a period.") for error in errors)
    # Each message stands right under its own field in the form.
    order = [_named(element) for element in _leaves(app.main)]
    at = order.index("Target value")
    assert order[at + 1] == "“lots” is not a number. Enter digits only, e.g. 42.5."
    assert _target(city) == 50.0


def _named(element) -> str:
    """A widget by its label, anything else by what it shows."""
    label = getattr(element, "label", None)
    return str(label) if isinstance(label, str) else shown(str(getattr(element, "value", "")))


def _leaves(node):
    children = getattr(node, "children", None)
    if not children:
        yield node
        return
    for child in children.values():
        yield from _leaves(child)


def test_a_bureau_editor_gets_the_guard_and_no_data(city, monkeypatch):
    app = _open(city, monkeypatch, "alpha")
    shown_text = texts(app)
    assert "Your account does not give access to this page." in shown_text
    assert "Vital documents translated" not in shown_text
    assert not app.table
    assert not app.text_input
    assert not [box for box in app.selectbox if box.label == "Bureau"]
    with city.connect() as connection:
        refusals = connection.execute(
            select(AuditEntry.detail).where(
                AuditEntry.action == "refused", AuditEntry.user_id == city.ids["alpha"]
            )
        ).scalars()
        assert any(detail.get("page") == "plan_structure" for detail in refusals)


def test_an_admin_renames_a_bureau_and_starts_a_new_plan_version(city, monkeypatch):
    app = _open(city, monkeypatch, "admin")
    _text_input(app, "Bureau name").input("Bureau of Omega")
    next(button for button in app.button if button.label == "Save bureau").click()
    app.run()
    assert not app.exception, app.exception
    shown_text = texts(app)
    assert "Saved the bureau." in shown_text
    assert "Formerly Bureau of Alpha." in shown_text
    next(button for button in app.button if button.label == "Start a new version (a draft copy)").click()
    app.run()
    assert not app.exception, app.exception
    assert "Started a new version as a draft" in texts(app)
    plans = table_with(app, "Version")
    assert list(zip(plans["Version"], plans["Status"], strict=True)) == [(1, "Active"), (2, "Draft")]
