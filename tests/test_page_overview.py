"""The citywide overview in AppTest: every number shown equals what the analytics compute."""

from pathlib import Path

import pytest
from apptest_support import open_app
from streamlit.testing.v1 import AppTest

from equity_tracking import reads
from equity_tracking.dashboards import citywide
from equity_tracking.formatting import percent
from equity_tracking.rules import reporting_deadline

APP = str(Path(__file__).resolve().parent.parent / "app.py")
FISCAL_YEAR = 2018  # FY 2018-19


@pytest.fixture(scope="module")
def expected(analytics_as_of):
    return analytics_as_of(FISCAL_YEAR)


def _open(monkeypatch, engine, *, fy: str | None = "2018-19") -> AppTest:
    app = open_app("app.py", engine, monkeypatch, query={"fy": fy} if fy else None)
    app.run()
    assert not app.exception
    return app


def _metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def test_overview_goal_tiles_equal_citywide_rollups(demo_engine, monkeypatch, expected):
    app = _open(monkeypatch, demo_engine)
    metrics = _metrics(app)
    rollup = expected.rollups["citywide_goal"].set_index("entity_id")
    shown = [metric.value for metric in app.metric if metric.label == "Progress to target"]
    goals = reads.citywide_goals(demo_engine)
    assert shown == [percent(rollup.loc[goal_id, "progress_pct"]) for goal_id in goals["id"]]
    tile_titles = [m.value for m in app.markdown if m.value.startswith("**Goal ")]
    assert tile_titles == [f"**Goal {g.number}** · {g.short_title}" for g in goals.itertuples()]
    assert metrics  # the health tiles follow


def test_overview_health_tiles_equal_measure_health(demo_engine, monkeypatch, expected):
    app = _open(monkeypatch, demo_engine)
    metrics = _metrics(app)
    health = expected.measures["health"].value_counts()
    assert metrics["✓ On track or achieved"] == f"{health.get('on_track', 0) + health.get('achieved', 0):,}"
    assert metrics["! Behind"] == f"{health.get('behind', 0):,}"
    assert metrics["✕ At risk"] == f"{health.get('at_risk', 0):,}"
    without = sum(health.get(state, 0) for state in ("not_started", "no_data", "cannot_judge"))
    assert metrics["– Without data"] == f"{without:,}"
    assert without > 0, "the demo city has measures that never reported"


def test_overview_reported_on_time_counts_bureaus_with_values_for_the_year(
    demo_engine, monkeypatch, expected
):
    app = _open(monkeypatch, demo_engine)
    latest = expected.measures.groupby("bureau_id")["current_period_end"].max()
    year_start = reporting_deadline(FISCAL_YEAR - 1).replace(month=7, day=1)  # 1 July 2018
    on_time = int((latest >= str(year_start)).sum())
    bureaus = len(reads.bureaus(demo_engine))
    assert _metrics(app)["Reported on time"] == f"{on_time} of {bureaus} bureaus"
    assert 0 < on_time < bureaus, "the demo city has bureaus that stopped reporting"


def test_overview_names_bureaus_that_stopped_reporting(demo_engine, monkeypatch, analytics_as_of):
    app = _open(monkeypatch, demo_engine, fy="2020-21")
    reporting = citywide.bureau_reporting(
        analytics_as_of(2020),
        bureaus=reads.bureaus(demo_engine),
        fiscal_year_shown=2020,
    )
    stopped = reporting.loc[reporting["reporting"] == "stopped", "name"].tolist()
    assert stopped
    [warning] = [w.value for w in app.warning if "stopped reporting" in w.value]
    for name in stopped:
        assert name in warning


def test_overview_heatmap_table_matches_bureau_goal_means(demo_engine, monkeypatch, expected):
    app = _open(monkeypatch, demo_engine)
    goals = reads.goals(demo_engine)
    goal_progress = expected.rollups["goal"].set_index("entity_id")["progress_pct"]
    bureau = reads.bureaus(demo_engine).iloc[0]
    mine = goals[(goals["bureau_id"] == bureau["id"]) & (goals["citywide_goal_number"] == 1)]
    heat_table = next(frame.value for frame in app.dataframe if "Bureau goals" in frame.value.columns)
    cell = heat_table[(heat_table["Bureau"] == bureau["name"]) & (heat_table["Goal"] == "Goal 1")]
    expected_text = percent(goal_progress.loc[mine["id"]].mean()) if len(mine) else "—"
    assert cell["Progress"].iloc[0] == expected_text


def test_overview_shows_each_goal_text(demo_engine, monkeypatch):
    app = _open(monkeypatch, demo_engine)
    text = "\n".join(element.value for element in app.markdown)
    for goal in reads.citywide_goals(demo_engine).itertuples():
        assert goal.text in text


def test_overview_reopens_the_fiscal_year_in_the_url(demo_engine, monkeypatch):
    app = _open(monkeypatch, demo_engine, fy="2017-18")
    assert app.selectbox(key="fy").value == "2017-18"
    assert any("30 September 2018" in caption.value for caption in app.caption)
    assert app.query_params["fy"] == "2017-18"


def test_overview_ignores_an_invalid_fiscal_year_in_the_url(demo_engine, monkeypatch):
    app = _open(monkeypatch, demo_engine, fy="1999-00")
    assert app.selectbox(key="fy").value in {"2016-17", "2017-18", "2018-19", "2019-20", "2020-21"}


def test_overview_on_empty_database_explains_what_is_missing(engine, monkeypatch):
    app = _open(monkeypatch, engine, fy=None)
    assert any("No bureau plans are in the database yet" in info.value for info in app.info)
    assert not app.metric
