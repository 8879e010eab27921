"""AppTest of "Groups, benchmarks and cycles" (administrators) on the golden city (tests/golden_city.py):
reporting cycles FY 2016-17 to FY 2020-21, each due 30 September after its year; residents (2016)
Asian 10 %, Black 10 %, Hispanic or Latino 20 %, White 60 %, Unknown 0 %."""

from __future__ import annotations

import datetime as dt

import pytest
from apptest_support import open_app, shown, table_with, texts
from golden_city import build_golden_city
from principals import make_user

from equity_tracking import accounts, publication, reads, snapshots
from equity_tracking.permissions import PUBLISHED_ONLY, Role

TOKEN = "_equity_session_token"
PAGE = "pages/reference_data.py"


@pytest.fixture
def city(database_factory):
    engine = database_factory.new_engine()
    build_golden_city(engine)
    engine.ids = {  # type: ignore[attr-defined]
        who: make_user(engine, f"{who}@city.example", role, *bureaus, name=f"Person {who}")
        for who, role, bureaus in [
            ("admin", Role.ADMIN, ()),
            ("analyst", Role.ANALYST, ()),
            ("alpha", Role.BUREAU_EDITOR, ("AA",)),
        ]
    }
    return engine


def _open(city, monkeypatch, who: str):
    principal = accounts.current_principal(city, city.ids[who])
    app = open_app(
        PAGE, city, monkeypatch, state={TOKEN: accounts.open_session(city, principal, method="password")}
    )
    app.run()
    app.run()  # the second run's widget ids are the ones a click refers to (see test_sign_in)
    assert not app.exception, app.exception
    return app


def _due_on(app):
    return next(box for box in app.date_input if box.label == "Due on" and box.value == dt.date(2021, 9, 30))


def _save_dates(app):
    next(button for button in app.button if button.label == "Save dates").click()
    app.run()
    assert not app.exception, app.exception


def test_an_admin_moves_a_cycles_due_date_and_sees_it(city, monkeypatch):
    app = _open(city, monkeypatch, "admin")
    cycles = table_with(app, "Due on")
    # Newest first; FY 2020-21 is due on its reporting deadline, 30 Sep 2021.
    assert list(cycles["Fiscal year"]) == [
        "FY 2020-21",
        "FY 2019-20",
        "FY 2018-19",
        "FY 2017-18",
        "FY 2016-17",
    ]
    assert cycles.iloc[0]["Due on"] == "30 Sep 2021"
    _due_on(app).set_value(dt.date(2021, 10, 15))
    _save_dates(app)
    assert "The FY 2020-21 cycle is now due on 15 Oct 2021." in texts(app)
    assert table_with(app, "Due on").iloc[0]["Due on"] == "15 Oct 2021"
    history = table_with(app, "Change")
    assert list(history["Change"]) == ["due_on: 2021-09-30 → 2021-10-15"]
    assert list(history["Who"]) == ["Person admin"]
    # A structural change moves the public's data version: the public's opening year (FY 2020-21,
    # the plans' last, as of 30 September after it) is prepared in the background for the next visitor.
    publication.wait_for_preparations()
    version = reads.data_version(city, PUBLISHED_ONLY)
    assert snapshots.load(city, data_version=version, as_of="2021-09-30") is not None


def test_a_due_date_before_the_opening_is_refused_next_to_its_field(city, monkeypatch):
    app = _open(city, monkeypatch, "admin")
    _due_on(app).set_value(dt.date(2021, 6, 30))  # FY 2020-21's cycle opens on 1 July 2021
    _save_dates(app)
    message = "The due date must be on or after the day the cycle opens (1 July 2021)."
    assert [shown(error.value) for error in app.error] == [message]
    # Right under the field it names: the element after the "Due on" date input in its form.
    form = next(form for form in app.get("form") if any(box.label == "Due on" for box in form.date_input))
    children = list(form.children.values())
    due = next(index for index, child in enumerate(children) if getattr(child, "label", None) == "Due on")
    assert shown(getattr(children[due + 1], "value", "")) == message
    assert table_with(app, "Due on").iloc[0]["Due on"] == "30 Sep 2021"  # nothing saved


def test_the_benchmark_tab_shows_the_residents_shares(city, monkeypatch):
    app = _open(city, monkeypatch, "admin")
    populations = table_with(app, "Shares add up to")
    assert populations.iloc[0].tolist() == [
        "the city's residents",
        "2016",
        "—",
        "residents",
        "100.0 %",
        "In use",
    ]
    shares = next(frame for frame in app.dataframe if "Share" in frame.value.columns).value
    assert shares.values.tolist() == [
        ["Asian", "10.0 %"], ["Black or African American", "10.0 %"], ["Hispanic or Latino", "20.0 %"],
        ["White", "60.0 %"], ["Unknown or declined", "0.0 %"],
    ]  # fmt: skip
    assert "Each group's share of the city's residents, 2016" in texts(app)


@pytest.mark.parametrize("who", ["analyst", "alpha"])
def test_anyone_but_an_administrator_sees_the_guard_and_no_data(city, monkeypatch, who):
    app = _open(city, monkeypatch, who)
    assert [error.value for error in app.error] == ["Your account does not give access to this page."]
    on_page = texts(app)
    for data in ("FY 2020-21", "Hispanic or Latino", "residents", "Groups, benchmarks and cycles"):
        assert data not in on_page
    assert not app.table
    assert not app.get("form")
