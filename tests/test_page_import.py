"""AppTest of the Import data page (issue #10): an administrator downloads the template, uploads a
workbook (or CSV files), checks it, and imports it; a file with problems is refused with every
problem listed by sheet, row and column, and nothing changes; bureau editors and the public see the
page's guard and no upload.

The workbooks are typed out here by hand, and so is every expected problem and row.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest
from apptest_support import open_app, shown, table_with, texts
from principals import make_user
from sqlalchemy import select

from equity_tracking import accounts, importing, workbook
from equity_tracking.dashboards import import_page
from equity_tracking.models import Bureau, Measure, MeasureValue
from equity_tracking.permissions import Role

TOKEN = "_equity_session_token"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ADMIN = "admin@city.example"


def sheets(values: list[dict]) -> dict[str, pd.DataFrame]:
    """Bureau TR, its goal, action and one percentage measure (FY 2016-17 to FY 2020-21), with
    ``values``."""
    return {
        "bureaus": pd.DataFrame([{"code": "TR", "name": "Bureau of Transportation"}]),
        "goals": pd.DataFrame([{
            "bureau_code": "TR", "goal_key": "G1", "title": "A workforce like the city",
            "citywide_goal": "2", "focus_area": "workforce",
        }]),
        "actions": pd.DataFrame([{
            "bureau_code": "TR", "goal_key": "G1", "action_key": "A1", "title": "Recruit at job fairs",
            "lead": "Human Resources", "start_date": "2016-07-01", "due_date": "2019-06-30",
            "status": "on track",
        }]),
        "measures": pd.DataFrame([{
            "bureau_code": "TR", "goal_key": "G1", "measure_key": "staff_of_color",
            "name": "Staff of color (%)", "unit": "percent", "polarity": "higher", "frequency": "annual",
            "baseline_value": "21.5",
            "baseline_period": "FY 2016-17", "target_value": "30", "target_period": "FY 2020-21",
            "disaggregated": "yes",
        }]),
        "values": pd.DataFrame(values, columns=["measure_key", "period", "group", "value", "numerator",
                                                "denominator", "note"]),
    }  # fmt: skip


def value(period: str, figure: str, group: str = "") -> dict:
    return {"measure_key": "staff_of_color", "period": period, "group": group, "value": figure,
            "numerator": "", "denominator": "", "note": ""}  # fmt: skip


GOOD = [value("FY 2017-18", "22.4"), value("FY 2018-19", "23.5")]
# Row 2: a percentage of 140; row 4: a group nobody configured (row 3 is fine).
BAD = [value("FY 2017-18", "140"), value("FY 2018-19", "25"), value("FY 2018-19", "20", "Martian")]


def xlsx(values: list[dict]) -> bytes:
    buffer = io.BytesIO()
    workbook.write_xlsx(buffer, sheets(values))
    return buffer.getvalue()


@pytest.fixture
def city(engine):
    """A fresh, empty database with an administrator."""
    engine.admin_id = make_user(engine, ADMIN, Role.ADMIN, name="Ada Admin")  # type: ignore[attr-defined]
    return engine


def _session(engine, user_id: int) -> dict:
    principal = accounts.current_principal(engine, user_id)
    assert principal is not None
    return {TOKEN: accounts.open_session(engine, principal, method="password")}


def _open(engine, monkeypatch, user_id: int | None):
    app = open_app(
        "pages/import_data.py", engine, monkeypatch, state=_session(engine, user_id) if user_id else None
    )
    app.run()
    app.run()  # the second run's widget ids are the ones a click refers to (see test_sign_in)
    assert not app.exception, app.exception
    return app


def _click(app, label: str) -> None:
    next(button for button in app.button if button.label == label).click()
    app.run()
    assert not app.exception, app.exception


def _upload(app, *files: tuple[str, bytes, str]) -> None:
    app.file_uploader(key="import-files").set_value(list(files))
    app.run()
    assert not app.exception, app.exception


def _rows(engine) -> dict[str, list]:
    with engine.connect() as connection:
        return {
            "bureaus": connection.execute(select(Bureau.code, Bureau.name)).all(),
            "measures": connection.execute(select(Measure.key, Measure.name)).all(),
            "values": connection.execute(
                select(MeasureValue.value, MeasureValue.group_id, MeasureValue.review_status).order_by(
                    MeasureValue.value
                )
            ).all(),
        }


def test_an_administrator_sees_the_intro_the_template_and_the_upload(city, monkeypatch):
    app = _open(city, monkeypatch, city.admin_id)
    said = texts(app)
    assert [title.value for title in app.title] == ["Import data"]
    assert "The file needs five sheets, named bureaus, goals, actions, measures, values" in said
    assert "docs/import-format.md" in said
    assert [button.label for button in app.get("download_button")] == [
        "Download the template",
        "Export everything published (.xlsx)",
    ]
    [uploader] = app.file_uploader
    assert uploader.label == "Workbook (.xlsx) or .csv files"
    assert uploader.accept_multiple_files
    assert sorted(uploader.allowed_type) == [".csv", ".xlsx"]
    assert [box.label for box in app.checkbox] == ["Publish the figures at once"]
    assert "Otherwise they arrive as drafts, which each bureau checks and submits" in said
    assert [button.label for button in app.button] == ["Check the file", "Import"]


def test_the_template_has_the_five_sheets_and_imports_as_it_stands(city):
    read = workbook.read_files({"template.xlsx": import_page.template_bytes()})
    assert list(read) == ["bureaus", "goals", "actions", "measures", "values"]
    assert list(read["bureaus"].columns) == ["code", "name", workbook.ROW]
    admin = accounts.current_principal(city, city.admin_id)
    assert importing.import_files(city, {"template.xlsx": import_page.template_bytes()}, actor=admin,
                                  dry_run=True).changes_anything  # fmt: skip


def test_without_a_file_the_buttons_ask_for_one(city, monkeypatch):
    app = _open(city, monkeypatch, city.admin_id)
    _click(app, "Import")
    assert "Choose a workbook (.xlsx) or the .csv files first." in texts(app)
    assert not app.error


def test_a_file_with_problems_is_refused_with_each_problem_and_nothing_changes(city, monkeypatch):
    before = _rows(city)
    app = _open(city, monkeypatch, city.admin_id)
    _upload(app, ("bad.xlsx", xlsx(BAD), XLSX))
    _click(app, "Import")
    [error] = [shown(error.value) for error in app.error]
    assert error == "The file was not imported: 2 problems. Nothing was changed."
    problems = table_with(app, "Problem")
    assert list(problems.columns) == ["Sheet", "Row", "Column", "Problem"]
    assert list(zip(problems["Sheet"], problems["Row"], problems["Column"], strict=True)) == [
        ("values", 2, "value"),
        ("values", 4, "group"),
    ]
    assert problems["Problem"][0] == "A percentage must be between 0 and 100."
    assert problems["Problem"][1].startswith("“Martian” is not one of the race/ethnicity groups: ")
    assert "Black or African American" in problems["Problem"][1]  # it lists the groups there are
    assert "Download the problems (CSV)" in [button.label for button in app.get("download_button")]
    assert _rows(city) == before
    # A check says the same, and the page says it again after an unrelated rerun.
    _click(app, "Check the file")
    assert [shown(error.value) for error in app.error] == [error]
    app.run()
    assert [shown(error.value) for error in app.error] == [error]


def test_a_good_file_is_checked_then_imported_then_changes_nothing(city, monkeypatch):
    app = _open(city, monkeypatch, city.admin_id)
    _upload(app, ("plan.xlsx", xlsx(GOOD), XLSX))
    _click(app, "Check the file")
    [said] = [shown(info.value) for info in app.info if "Would change" in shown(info.value)]
    assert "This was a check: nothing was saved." in said
    assert _rows(city)["bureaus"] == []  # a check saves nothing
    _click(app, "Import")
    [said] = [shown(success.value) for success in app.success]
    assert said.startswith("Imported: ")
    assert "2 figures added as drafts" in said
    rows = _rows(city)
    assert rows["bureaus"] == [("TR", "Bureau of Transportation")]
    assert rows["measures"] == [("staff_of_color", "Staff of color (%)")]
    assert [(float(v), g, str(getattr(s, "value", s))) for v, g, s in rows["values"]] == [
        (22.4, None, "draft"),
        (23.5, None, "draft"),
    ]
    _click(app, "Import")  # the same file again
    assert "Nothing changed: the database already holds everything in this file." in texts(app)
    assert not app.success
    assert len(_rows(city)["values"]) == 2


def test_csv_files_published_at_once(city, monkeypatch):
    app = _open(city, monkeypatch, city.admin_id)
    files = [
        (f"{name}.csv", frame.to_csv(index=False).encode(), "text/csv")
        for name, frame in sheets(GOOD).items()
    ]
    _upload(app, *files)
    next(box for box in app.checkbox if box.label == "Publish the figures at once").check()
    app.run()
    _click(app, "Import")
    [said] = [shown(success.value) for success in app.success]
    assert "2 figures published" in said
    assert {str(getattr(s, "value", s)) for _, _, s in _rows(city)["values"]} == {"published"}


def test_bureau_editors_and_the_public_see_the_guard_and_no_upload(city, monkeypatch):
    admin = accounts.current_principal(city, city.admin_id)
    importing.import_files(city, {"plan.xlsx": xlsx(GOOD)}, actor=admin)
    editor_id = make_user(city, "editor@city.example", Role.BUREAU_EDITOR, "TR", name="Ed Editor")
    editor = _open(city, monkeypatch, editor_id)
    assert "Your account does not give access to this page." in texts(editor)
    assert not editor.file_uploader
    assert not editor.button
    assert "Import data" not in [title.value for title in editor.title]
    public = _open(city, monkeypatch, None)
    assert "This page is for City staff. Sign in to open it." in texts(public)
    assert not public.file_uploader
    assert not public.button


def test_one_progress_bar_for_reading_checking_and_writing_never_goes_back(city):
    admin = accounts.current_principal(city, city.admin_id)
    shown: list[tuple[str, float]] = []
    report = import_page.one_bar(lambda step, fraction: shown.append((step, fraction)))
    importing.import_files(city, {"plan.xlsx": xlsx(GOOD)}, actor=admin, progress=report)
    fractions = [fraction for _, fraction in shown]
    assert fractions == sorted(fractions)
    reading = ["bureaus", "goals", "actions", "measures", "values"]
    assert [step for step, _ in shown[:5]] == [f"Reading sheet {sheet}…" for sheet in reading]
    assert fractions[4] == pytest.approx(0.16)  # the fifth of five sheets (4 / 5), in the first 20 %
    assert shown[5][0] == "Checking the plan structure…"
    assert shown[-1] == ("Done", 1.0)
