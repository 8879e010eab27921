"""The process's one store of public views (``publication``): shared by the pages and the API, bounded
by bytes, and rid of a data version's views as soon as the next version's view is built."""

from __future__ import annotations

import gc

import pandas as pd
import pytest
from apptest_support import open_app
from golden_city import build_golden_city
from principals import STAFF
from sqlalchemy.orm import Session

from equity_tracking import models, publication, reads
from equity_tracking.analytics.frames import FrameStore, held_bytes
from equity_tracking.permissions import PUBLIC, PUBLISHED_ONLY
from equity_tracking.publication import ViewStore
from equity_tracking.shared_cache import SharedCache


@pytest.fixture
def golden(database_factory, monkeypatch):
    # Views judged here, not loaded from snapshots (tests/test_snapshots.py): a loaded view's frames
    # take other sizes than the judged one's, and sizes are what the budget tests measure.
    monkeypatch.setenv("EQUITY_SNAPSHOT_DIR", "")
    engine = database_factory.new_engine()
    build_golden_city(engine)
    publication.forget()
    yield engine
    publication.forget()


def _add_a_value(engine) -> None:
    """A new published value of M3, counted as a publication (as the importer and the review's
    last step count theirs)."""
    from equity_tracking.writes import bump_data_version

    with Session(engine) as session:
        session.add(
            models.MeasureValue(
                measure_id=3, period_id=4, value=60.0, review_status=models.ReviewStatus.PUBLISHED
            )
        )  # M3, FY 2019-20 (the golden city's period ids are its fiscal year - 2015)
        bump_data_version(session.connection(), public=True)
        session.commit()


def _years(store: ViewStore) -> list[str]:
    return [as_of for _url, _version, _scope, as_of in store.contents()]


def test_a_newer_data_version_drops_the_views_of_the_older_one(golden):
    store = ViewStore(budget=10**12)
    before = reads.data_version(golden, PUBLISHED_ONLY)
    store.view(golden, fiscal_year=2017)
    store.view(golden, fiscal_year=2018)
    store.view(golden, fiscal_year=2018, viewer=STAFF)
    # The public's views are filed under the public's version, a staff view under the full one.
    assert sorted(version for _url, version, _scope, _as_of in store.contents()) == sorted(
        [before, before, reads.data_version(golden)]
    )

    _add_a_value(golden)
    after = reads.data_version(golden, PUBLISHED_ONLY)
    assert after != before
    store.view(golden, fiscal_year=2016)  # the first public view of the new version drops the older ones
    assert [(version, as_of) for _url, version, scope, as_of in store.contents() if scope.published_only] == [
        (after, "2017-09-30")
    ]
    assert store.held(golden, fiscal_year=2018, data_version=before) is None


def test_a_view_judged_for_a_version_already_gone_is_given_but_not_kept(golden):
    store = ViewStore(budget=10**12)
    view = store.view(golden, fiscal_year=2018, data_version="a version the database no longer has")
    assert view.measure_status is not None
    assert store.contents() == []


def test_the_store_keeps_within_its_byte_budget_least_recently_used_first(golden):
    sizes = {}
    for year in (2016, 2017, 2018):
        sizes[year] = held_bytes(ViewStore(budget=10**12).view(golden, fiscal_year=year))
    assert all(size > 0 for size in sizes.values())
    store = ViewStore(budget=sum(sizes.values()) - 1)  # any two views fit, not three
    store.view(golden, fiscal_year=2016)
    store.view(golden, fiscal_year=2017)
    store.held(golden, fiscal_year=2016)  # read again: 2017 is now the least recently used
    store.view(golden, fiscal_year=2018)
    assert _years(store) == ["2017-09-30", "2019-09-30"]  # FY 2016-17 and FY 2018-19's deadlines
    assert store.nbytes <= sum(sizes.values()) - 1


def test_a_tiny_budget_keeps_only_the_view_just_built(golden):
    store = ViewStore(budget=1)
    store.view(golden, fiscal_year=2016)
    newest = store.view(golden, fiscal_year=2018)
    assert _years(store) == ["2019-09-30"]
    assert store.nbytes > 1  # over budget alone: kept, or every request would judge again
    assert store.view(golden, fiscal_year=2018) is newest


def test_the_budget_is_read_from_the_environment(golden, monkeypatch):
    monkeypatch.setenv(publication.BUDGET_VARIABLE, "0.000001")
    store = ViewStore()
    store.view(golden, fiscal_year=2016)
    store.view(golden, fiscal_year=2017)
    assert len(store.contents()) == 1
    monkeypatch.setenv(publication.BUDGET_VARIABLE, "not a number")  # the default (250 MB), not a crash
    store.view(golden, fiscal_year=2018)
    assert len(store.contents()) == 2


def test_the_pages_and_the_api_share_one_view(golden, monkeypatch):
    app = open_app("pages/home.py", golden, monkeypatch, query={"fy": "2018-19"})
    app.run()
    assert not app.exception, app.exception
    from_the_page = publication.VIEWS.held(golden, fiscal_year=2018)
    assert from_the_page is not None
    assert publication.public_view(golden, fiscal_year=2018, viewer=PUBLIC) is from_the_page
    assert len(publication.VIEWS.contents()) == 1


def test_the_frame_store_keeps_within_its_budget_and_the_newest_frames_of_a_key(golden):
    store = FrameStore(budget=1)
    store.frames(golden, viewer=PUBLIC, key="public")
    staff = store.frames(golden, viewer=STAFF, key="staff")
    assert store.contents() == ["staff"]  # the scope read last stays, even alone over budget
    _add_a_value(golden)
    caught_up = store.frames(golden, viewer=STAFF, key="staff")
    assert store.contents() == ["staff"]
    assert len(caught_up.values) == len(staff.values) + 1


def test_a_new_data_version_drops_the_pages_cached_reads_and_tables(golden):
    """The pages' caches (``PageContext.read`` and ``memo``) are keyed on the data version: once a
    newer one is seen, the older one's entries go, instead of staying until pushed out by count."""
    from equity_tracking import ui
    from equity_tracking.permissions import PUBLISHED_ONLY

    url = golden.url.render_as_string(hide_password=False)
    builds: list[int] = []

    def build() -> int:
        builds.append(1)
        return len(builds)

    def assembled(version: str) -> object:
        return ui._memo("a page's tables", url, version, PUBLISHED_ONLY, (), build)

    ui._drop_superseded_caches(url, "version 1")
    assert assembled("version 1") == 1
    ui._drop_superseded_caches(url, "version 1")  # the same version again: nothing dropped
    assert assembled("version 1") == 1
    ui._drop_superseded_caches(url, "version 2")
    assert assembled("version 1") == 2  # built again: the entry of the older version was dropped
    ui._drop_superseded_caches("sqlite:///another.db", "version 9")  # another database's versions
    assert assembled("version 1") == 2


def test_a_draft_leaves_the_publics_views_alone_and_a_staff_view_is_judged_again(golden):
    from equity_tracking import writes

    public = publication.public_view(golden, fiscal_year=2018)
    staff = publication.public_view(golden, fiscal_year=2018, viewer=STAFF)
    with Session(golden) as session:  # a bureau's draft of M3 for FY 2019-20
        session.add(
            models.MeasureValue(
                measure_id=3, period_id=4, value=61.0, review_status=models.ReviewStatus.DRAFT
            )
        )
        session.commit()
    assert publication.public_view(golden, fiscal_year=2018) is public  # nothing the public sees moved
    assert publication.public_view(golden, fiscal_year=2018, viewer=STAFF) is not staff
    with golden.begin() as connection:  # a publication, as writes.publish_cycle counts it
        writes.bump_data_version(connection, public=True)
    assert publication.public_view(golden, fiscal_year=2018) is not public


def test_a_page_changing_a_cached_read_leaves_the_next_reader_s_frame_as_read(golden):
    """Cached reads are shared by every session of a process (no copy on each hit): what one page
    writes into its frame must not reach the next run's."""
    from equity_tracking import ui

    url = golden.url.render_as_string(hide_password=False)
    context = ui.PageContext(golden, url, "version 1", PUBLIC, None)
    first = context.read("bureaus")
    names = list(first["name"])
    first["name"] = "changed by a page"
    first.loc[first.index[0], "code"] = "XX"
    again = context.read("bureaus")
    assert list(again["name"]) == names
    assert "XX" not in set(again["code"])


def test_what_a_table_derives_from_a_frame_is_kept_while_that_frame_lives():
    from equity_tracking import ui

    store = ui._DerivedStore(capacity=2)
    derived: list[str] = []

    def derive(label: str):
        return lambda: derived.append(label) or label

    shared = pd.DataFrame({"a": [1]})
    assert store.get(shared, "cells", derive("first")) == "first"
    assert store.get(shared, "cells", derive("second")) == "first"  # the same frame: kept
    assert store.get(shared, "cards", derive("cards")) == "cards"  # another derivation of it
    assert derived == ["first", "cards"]
    other = pd.DataFrame({"a": [1]})  # equal, but another frame
    assert store.get(other, "cells", derive("other")) == "other"
    assert store.get(shared, "cells", derive("again")) == "again"  # pushed out: capacity 2
    assert len(store) == 2
    del other  # a frame made for one run: its entry goes with it
    gc.collect()
    assert len(store) == 1
    assert store.get(shared, "cells", derive("kept")) == "again"


def test_a_crowd_asking_a_cold_cache_for_the_same_page_builds_it_once():
    import threading
    import time

    cache = SharedCache(max_entries=2)
    builds: list[str] = []

    def build() -> str:
        builds.append("built")
        time.sleep(0.05)  # long enough for every viewer to arrive while it builds
        return "page"

    got: list[str] = []
    crowd = [
        threading.Thread(target=lambda: got.append(cache.get(("overview", 2018), build))) for _ in range(8)
    ]
    for viewer in crowd:
        viewer.start()
    for viewer in crowd:
        viewer.join()
    assert got == ["page"] * 8
    assert builds == ["built"]
    cache.get(("goal", 1), lambda: "goal 1")
    cache.get(("goal", 2), lambda: "goal 2")  # a third key: the least recently used goes
    assert cache.get(("overview", 2018), lambda: "built again") == "built again"
    with pytest.raises(ZeroDivisionError):
        cache.get(("broken",), lambda: 1 / 0)
    assert cache.get(("broken",), lambda: "fixed") == "fixed"  # a failed build is not kept
    cache.clear()
    assert cache.get(("goal", 2), lambda: "after clear") == "after clear"


def test_a_build_that_started_before_a_clear_does_not_put_its_result_back():
    cache = SharedCache(max_entries=4)

    def build_while_cleared() -> str:
        cache.clear()  # a newer data version seen while this old one was being built
        return "old version's page"

    assert cache.get(("overview",), build_while_cleared) == "old version's page"  # the asker gets it
    assert cache.get(("overview",), lambda: "built again") == "built again"  # but it was not kept
