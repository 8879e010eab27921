"""The public's judged views on disk (``equity_tracking.snapshots``): a fresh process starts from the
view another process judged, never from one of another data version, database or code, never from
a file someone else could have written; ``prepare-views`` suppresses every measure ahead, and a view
restored from it shows exactly what suppressing on demand shows."""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pandas as pd
import pytest
from apptest_support import metrics, open_app, table_with, texts
from golden_city import build_golden_city
from principals import STAFF
from sqlalchemy.orm import Session

from equity_tracking import models, publication, reads, snapshots, writes
from equity_tracking.analytics.frames import FRAME_STORE
from equity_tracking.cli import main
from equity_tracking.permissions import PUBLISHED_ONLY
from equity_tracking.suppression import PublicView


@pytest.fixture
def golden(database_factory):
    engine = database_factory.new_engine()
    build_golden_city(engine)
    return engine


def _saved() -> None:
    """Wait for the snapshots being written in the background."""
    snapshots.wait_for_saves()


def _a_fresh_process() -> None:
    """What a new process holds: nothing in memory (the snapshot folder is on disk)."""
    _saved()
    publication.forget()


def _public_version(engine) -> str:
    """The data version a public view (and its snapshot) is filed under."""
    return reads.data_version(engine, PUBLISHED_ONLY)


def _files(folder) -> list[str]:
    return sorted(path.name for path in folder.glob(f"*{snapshots.SUFFIX}")) if folder.exists() else []


def _no_judging(monkeypatch) -> None:
    """Make reading the analytics frames fail: a view must then come from a snapshot."""

    def refuse(*args, **kwargs):
        raise AssertionError("the frames were read: the view was judged, not loaded")

    monkeypatch.setattr(FRAME_STORE, "frames", refuse)


def _assert_same_analytics(left: PublicView, right: PublicView) -> None:
    pd.testing.assert_frame_equal(left.measure_status, right.measure_status)
    pd.testing.assert_frame_equal(left.actions, right.actions)
    assert left.as_of == right.as_of
    assert left.rollups.keys() == right.rollups.keys()
    for level, frame in left.rollups.items():
        pd.testing.assert_frame_equal(frame, right.rollups[level])


def test_a_fresh_process_starts_from_the_view_another_judged(golden, own_snapshot_folder, monkeypatch):
    judged = publication.public_view(golden, fiscal_year=2018)
    _a_fresh_process()
    assert len(_files(own_snapshot_folder)) == 1
    assert _files(own_snapshot_folder)[0].endswith("_2019-09-30.view")  # FY 2018-19's reporting deadline

    _no_judging(monkeypatch)
    loaded = publication.public_view(golden, fiscal_year=2018)
    assert loaded is not judged
    _assert_same_analytics(loaded, judged)
    # The golden city's M1 is on track in FY 2018-19 (tests/golden_city.py): the loaded judgement says so.
    status = loaded.measure_status.set_index("measure_id")
    assert status.loc[1, "health"] == judged.measure_status.set_index("measure_id").loc[1, "health"]
    assert publication.VIEWS.held(golden, fiscal_year=2018) is loaded  # kept like a judged view


def test_a_write_makes_the_snapshot_of_the_older_version_useless_and_it_is_deleted(
    golden, own_snapshot_folder
):
    publication.public_view(golden, fiscal_year=2018)
    _a_fresh_process()
    before = _files(own_snapshot_folder)
    with Session(golden) as session:  # a corrected, published FY 2018-19 value of M3 (period 3)
        session.add(
            models.MeasureValue(
                measure_id=3,
                period_id=3,
                value=61.5,
                review_status=models.ReviewStatus.PUBLISHED,
                entered_at=dt.datetime(2019, 9, 1, tzinfo=dt.UTC),  # before the year's reporting deadline
            )
        )
        writes.bump_data_version(session.connection(), public=True)  # as a publication counts it
        session.commit()

    view = publication.public_view(golden, fiscal_year=2018)
    m3 = view.measure_status.set_index("measure_id").loc[3]
    assert m3["current_value"] == 61.5  # judged again from the database, not taken from the old file
    _saved()
    after = _files(own_snapshot_folder)
    assert len(after) == 1
    assert after != before  # the older version's file was deleted


def test_only_the_publics_views_are_written(golden, own_snapshot_folder):
    publication.public_view(golden, fiscal_year=2018, viewer=STAFF)
    _saved()
    assert _files(own_snapshot_folder) == []


def test_snapshots_are_off_when_the_folder_setting_is_empty(golden, own_snapshot_folder, monkeypatch):
    monkeypatch.setenv(snapshots.FOLDER_VARIABLE, "")
    publication.public_view(golden, fiscal_year=2018)
    _a_fresh_process()
    assert not own_snapshot_folder.exists()
    assert snapshots.folder() is None


def test_a_file_others_may_write_is_never_loaded(golden, own_snapshot_folder, monkeypatch):
    publication.public_view(golden, fiscal_year=2018)
    _a_fresh_process()
    (path,) = own_snapshot_folder.glob("*.view")
    assert own_snapshot_folder.stat().st_mode & 0o777 == 0o700
    assert path.stat().st_mode & 0o777 == 0o600
    path.chmod(0o620)  # writable by the group: pickle would run whatever someone put there
    assert snapshots.load(golden, data_version=_public_version(golden), as_of="2019-09-30") is None
    view = publication.public_view(golden, fiscal_year=2018)  # judged again instead
    assert not view.measure_status.empty


def test_a_damaged_file_is_a_miss_not_a_failed_page(golden, own_snapshot_folder):
    publication.public_view(golden, fiscal_year=2018)
    _a_fresh_process()
    (path,) = own_snapshot_folder.glob("*.view")
    path.write_bytes(path.read_bytes()[:100])  # cut short, as by a full disk
    assert snapshots.load(golden, data_version=_public_version(golden), as_of="2019-09-30") is None
    assert not publication.public_view(golden, fiscal_year=2018).measure_status.empty


def test_other_code_never_reads_this_codes_judgements(golden, own_snapshot_folder, monkeypatch):
    publication.public_view(golden, fiscal_year=2018)
    _a_fresh_process()
    monkeypatch.setattr(snapshots, "_CODE", ["the fingerprint of another release"])
    assert snapshots.load(golden, data_version=_public_version(golden), as_of="2019-09-30") is None


def test_each_database_has_its_own_identity_and_files(database_factory, own_snapshot_folder):
    first, second = database_factory.new_engine(), database_factory.new_engine()
    build_golden_city(first)
    build_golden_city(second)
    identity = snapshots.database_identity(first)
    assert identity
    assert snapshots.database_identity(first) == identity  # made once, then kept
    assert snapshots.database_identity(second) not in (None, identity)
    assert _public_version(first) == _public_version(second)  # the same data version …
    publication.public_view(first, fiscal_year=2018)
    _a_fresh_process()
    # … but the second database never reads the first one's judgement
    assert snapshots.load(second, data_version=_public_version(second), as_of="2019-09-30") is None


def test_a_replaced_sqlite_file_is_not_taken_for_the_old_one(database_factory, own_snapshot_folder, tmp_path):
    engine = database_factory.new_engine()
    if engine.url.get_backend_name() != "sqlite":
        pytest.skip("a database file is SQLite's")
    build_golden_city(engine)
    spare = database_factory.new_engine()
    build_golden_city(spare)
    publication.public_view(engine, fiscal_year=2018)
    _a_fresh_process()
    engine.dispose()
    shutil.copyfile(spare.url.database, engine.url.database)  # same URL, same data version, other file
    assert snapshots.load(engine, data_version=_public_version(engine), as_of="2019-09-30") is None


def test_prepared_views_show_exactly_what_suppressing_on_demand_shows(
    demo_engine, own_snapshot_folder, monkeypatch
):
    """Every measure of the demo city (shared workforce indicators included): the group rows,
    disparities, summaries and the indicator grids of a view restored from ``prepare-views`` equal
    those a view suppresses a measure at a time, as the pages ask."""
    url = demo_engine.url.render_as_string(hide_password=False)
    assert main(["--database-url", url, "prepare-views", "--fiscal-year", "2018-19"]) == 0
    (path,) = own_snapshot_folder.glob("*_2019-09-30.view")
    assert os.path.getsize(path) > 0
    publication.forget()

    on_demand = publication.build_public_view(
        FRAME_STORE.frames(demo_engine, viewer=publication.PUBLIC, key="on demand"), as_of="2019-09-30"
    )
    _no_judging(monkeypatch)

    def refuse(measure_ids):
        raise AssertionError("suppressed again: the prepared tables were not used")

    restored = publication.public_view(demo_engine, fiscal_year=2018)
    monkeypatch.setattr(restored, "_suppress", refuse)  # this view only; on_demand suppresses as pages do
    measures = restored.measures
    assert len(measures) > 100
    for _bureau_id, mine in measures.groupby("bureau_id"):
        ids = list(mine["measure_id"])
        pd.testing.assert_frame_equal(restored.group_shares(ids), on_demand.group_shares(ids))
        pd.testing.assert_frame_equal(restored.disparities(ids), on_demand.disparities(ids))
        pd.testing.assert_frame_equal(restored.disparity_summary(ids), on_demand.disparity_summary(ids))
    shared = measures[measures["indicator"].notna() & measures["unit"].eq("count")]
    assert not shared.empty  # the demo city's workforce headcounts: suppressed across bureaus
    for _indicator, members in shared.groupby("indicator"):
        ids = list(members["measure_id"])
        pd.testing.assert_frame_equal(restored.indicator_grid(ids), on_demand.indicator_grid(ids))
    assert restored.group_shares(ids)["suppressed"].any()  # small counts are hidden in the tables too


def test_prepare_views_refuses_when_snapshots_are_off(demo_engine, monkeypatch, capsys):
    monkeypatch.setenv(snapshots.FOLDER_VARIABLE, "")
    url = demo_engine.url.render_as_string(hide_password=False)
    assert main(["--database-url", url, "prepare-views"]) == 1
    assert "Snapshots are off" in capsys.readouterr().err


def test_a_page_opened_from_a_prepared_view_shows_the_hand_worked_figures(golden, monkeypatch):
    """The bureau page of the golden city's AA in FY 2018-19 (figures worked out in golden_city.py,
    as in test_pages.py), in a process that has judged nothing: everything comes from the file."""
    url = golden.url.render_as_string(hide_password=False)
    assert main(["--database-url", url, "prepare-views", "--fiscal-year", "2018-19"]) == 0
    publication.forget()
    _no_judging(monkeypatch)
    app = open_app("pages/bureau.py", golden, monkeypatch, query={"bureau": "AA", "fy": "2018-19"})
    app.run()
    assert not app.exception, app.exception
    tiles = metrics(app)
    assert tiles["Overall progress"] == "70.0 %"
    assert tiles["✓ On track"] == "1"  # M3
    assert tiles["! Behind"] == "1"  # M1
    assert "Employees by race/ethnicity · equity score: 49 of 100" in texts(app)
    groups = table_with(app, "Representation index").set_index("Group")
    assert groups.loc["Asian", "Share"] == "7.1 %"
    assert groups.loc["People of color", "Count"] == "62"


def test_a_judged_view_never_replaces_a_prepared_one(golden, own_snapshot_folder):
    url = golden.url.render_as_string(hide_password=False)
    assert main(["--database-url", url, "prepare-views", "--fiscal-year", "2018-19"]) == 0
    version = _public_version(golden)
    prepared = snapshots.load(golden, data_version=version, as_of="2019-09-30")
    assert prepared is not None
    assert prepared.tables is not None
    bare = snapshots.Judged(analytics=prepared.analytics, measures=prepared.measures, setup=prepared.setup)
    snapshots.save_in_background(golden, bare, data_version=version, as_of="2019-09-30").join()
    kept = snapshots.load(golden, data_version=version, as_of="2019-09-30")
    assert kept is not None
    assert kept.tables is not None  # the suppressed tables are still there


def test_preparing_again_at_the_same_version_leaves_the_file_alone(golden, own_snapshot_folder):
    """``prepare-views`` from cron: a year already prepared at the public's current version is not
    judged or written again."""
    url = golden.url.render_as_string(hide_password=False)
    assert main(["--database-url", url, "prepare-views", "--fiscal-year", "2018-19"]) == 0
    (path,) = own_snapshot_folder.glob("*.view")
    written = path.stat().st_mtime_ns
    publication.forget()
    assert main(["--database-url", url, "prepare-views", "--fiscal-year", "2018-19"]) == 0
    assert path.stat().st_mtime_ns == written
    assert publication.VIEWS.contents() == []  # nothing was judged


def test_a_publication_s_views_are_prepared_in_the_background_once_asked(
    golden, monkeypatch, own_snapshot_folder
):
    version = reads.data_version(golden, PUBLISHED_ONLY)
    monkeypatch.setenv(snapshots.FOLDER_VARIABLE, "")
    assert publication.prepare_in_background(golden, fiscal_years=[2018]) is None  # snapshots are off
    monkeypatch.setenv(snapshots.FOLDER_VARIABLE, str(own_snapshot_folder))
    thread = publication.prepare_in_background(golden, fiscal_years=[2018, 2019])
    assert thread is not None
    publication.wait_for_preparations()
    for as_of in ("2019-09-30", "2020-09-30"):  # FY 2018-19's and FY 2019-20's deadlines
        prepared = snapshots.load(golden, data_version=version, as_of=as_of)
        assert prepared is not None
        assert prepared.tables is not None
    assert not thread.is_alive()
