"""Plain language (issue #11): every public page opens with a two-sentence summary, a box of what it
cannot tell you, and the date of the last update; the terms that need one are explained where a
page first uses them, and the methodology page has a glossary of them all.

The last update is worked out by hand from the golden city (tests/golden_city.py): its newest
published row is M1's FY 2019-20 value, entered on 14 Aug 2020 at 17:00 UTC (10:00 in Portland), and
published before publication times were kept, so counted from its entry. The FY 2020-21 value (14
Aug 2021) is only submitted, and the action updates (1 Aug 2019) and the published narrative (1 Sep
2019) are older.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pandas as pd
import pytest
from apptest_support import open_app, open_folded, shown, texts
from golden_city import build_golden_city
from principals import PUBLIC, STAFF
from sqlalchemy import update
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from equity_tracking import glossary, reads
from equity_tracking.dashboards import intros
from equity_tracking.models import MeasureValue, ReviewStatus

LAST_UPDATED = "Last updated 14 Aug 2020"
CAVEATS = "What this page cannot tell you"
PAGES = {
    "home": ("pages/home.py", {"fy": "2018-19"}, intros.HOME),
    "goal": ("pages/citywide_goal.py", {"goal": "1", "fy": "2018-19"}, intros.GOAL),
    "bureau": ("pages/bureau.py", {"bureau": "AA", "fy": "2018-19"}, intros.BUREAU),
    "measure": ("pages/measure.py", {"measure": "2", "fy": "2018-19"}, intros.MEASURE),
    "compare": ("pages/compare.py", {"fy": "2018-19"}, intros.COMPARE),
    "workforce": ("pages/workforce.py", {"fy": "2018-19"}, intros.WORKFORCE),
    "reports": ("pages/reports.py", {"fy": "2018-19"}, intros.REPORTS),
    "methodology": ("pages/methodology.py", {}, intros.METHODOLOGY),
}
# How a page names each term (the RBA category by its question: M2 asks "Is anyone better off?").
MENTIONS = {
    "Focus area": r"focus area",
    "GARE strategy": r"\bstrateg(y|ies)\b",
    "RBA category": r"\bRBA\b|how much did we do|how well did we do it|is anyone better off",
    "Representation index": r"representation index",
    "Equity score": r"equity score",
}
# Where each term first appears on the golden city's pages, by reading them.
FIRST_USES = {
    ("goal", "Focus area"),  # the "By focus area and by strategy" heading
    ("goal", "GARE strategy"),
    ("bureau", "Focus area"),  # the goals table's column
    ("bureau", "Equity score"),  # the disparities section
    ("bureau", "Representation index"),  # the M2 panel's table
    ("measure", "RBA category"),  # the line under the measure's name
    ("compare", "Focus area"),  # the page's first paragraph
    ("workforce", "Representation index"),  # the page's first paragraph
}


@pytest.fixture(scope="module")
def golden(database_factory):
    engine = database_factory.new_engine()
    build_golden_city(engine)
    return engine


@pytest.fixture(scope="module")
def pages(golden) -> Iterator[dict[str, AppTest]]:
    """Every public page of the golden city, run once for this module's tests."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        runs = {}
        for name, (script, query, _intro) in PAGES.items():
            app = open_app(script, golden, monkeypatch, query=query)
            app.run()
            assert not app.exception, (name, app.exception)
            runs[name] = open_folded(app)
        yield runs


def _explained(term: str) -> str:
    return f"{glossary.name(term)}: {glossary.explain(term)}"


def _in_order(app: AppTest) -> list[tuple[str, str]]:
    """The page's elements in reading order: (kind, text as shown); a table is one element holding
    its headings and cells, a folded section its title."""

    def walk(node) -> Iterator[tuple[str, str]]:
        children = getattr(node, "children", None)
        if children is not None:
            if getattr(node, "label", None):
                yield "expander", shown(str(node.label))
            for child in children.values():
                yield from walk(child)
            return
        value = getattr(node, "value", None)
        if isinstance(value, pd.DataFrame):
            cells = " ".join(str(cell) for cell in value.to_numpy().ravel())
            yield "table", shown(" ".join(map(str, value.columns)) + " " + cells)
        elif isinstance(value, str):
            yield node.type, shown(value)
        elif getattr(node, "label", None):
            yield node.type, shown(str(node.label))

    return list(walk(app.main))


# --- the opening of every page --------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(PAGES))
def test_every_public_page_opens_with_a_summary_its_caveats_and_the_last_update(pages, name):
    app, intro = pages[name], PAGES[name][2]
    assert len(re.findall(r"[.?!](?:\s|$)", intro.summary)) == 2, intro.summary  # two sentences
    order = [text for _kind, text in _in_order(app)]
    summary = order.index(intro.summary)
    assert order[summary - 1] == app.title[0].value  # right under the page's title
    caveats = next(text for text in order if text.startswith(CAVEATS))
    assert [line.removeprefix("- ") for line in caveats.split("\n")[2:]] == list(intro.caveats)
    assert order.index(caveats) == summary + 1
    assert order[summary + 2] == f"{LAST_UPDATED}: the newest figure, action update or report published."


def test_the_caveats_say_what_the_issue_asks_in_plain_words(pages):
    bureau = texts(pages["bureau"])
    assert "The figures are what the bureaus report." in bureau
    assert "A high score can mean that every group is doing equally badly." in bureau
    assert "Groups of fewer than 10 people are hidden to protect privacy" in bureau


def test_the_last_update_is_the_newest_publication_the_viewer_may_see(database_factory):
    engine = database_factory.new_engine()
    build_golden_city(engine)
    newest = pd.Timestamp("2020-08-14 17:00", tz="UTC")
    assert reads.last_published(engine, viewer=PUBLIC)["last_published_at"].iloc[0] == newest
    # Staff who include unpublished work see the same date: the FY 2020-21 value is not published.
    assert reads.last_published(engine, viewer=STAFF)["last_published_at"].iloc[0] == newest
    published_at = dt.datetime(2021, 10, 5, 16, 30, tzinfo=dt.UTC)
    with Session(engine) as session, session.begin():
        session.execute(
            update(MeasureValue)
            .where(MeasureValue.review_status == ReviewStatus.SUBMITTED)
            .values(review_status=ReviewStatus.PUBLISHED, published_at=published_at)
        )
    assert reads.last_published(engine, viewer=PUBLIC)["last_published_at"].iloc[0] == pd.Timestamp(
        published_at
    )


def test_a_city_with_nothing_published_says_so(engine, monkeypatch):
    app = open_app("pages/methodology.py", engine, monkeypatch)
    app.run()
    assert not app.exception, app.exception
    assert "Last updated nothing has been published yet" in texts(app)


# --- terms and the glossary --------------------------------------------------------------------------------


def test_the_glossary_is_on_the_methodology_page_with_every_term(pages):
    order = _in_order(pages["methodology"])
    heading = order.index(("header", "Glossary"))
    glossary_lines = [text for _kind, text in order[heading:]]
    for term in ("Representation index", "Equity score", "RBA category", "Focus area", "GARE strategy"):
        assert _explained(term) in glossary_lines, term


@pytest.mark.parametrize(("name", "term"), sorted(FIRST_USES))
def test_a_term_is_explained_where_a_page_first_uses_it(pages, name, term):
    order = _in_order(pages[name])
    explanation = _explained(term)
    assert ("caption", explanation) in order, f"{term} is not explained on {name}"
    explained = order.index(("caption", explanation))
    first = next(
        position
        for position, (_kind, text) in enumerate(order)
        if re.search(MENTIONS[term], text, flags=re.IGNORECASE) and not text.startswith(f"{term}: ")
    )
    # Right after the first use (after the other terms explained there), or before it in its section.
    between = [text for _kind, text in order[first + 1 : explained]]
    lines = {_explained(other) for other in glossary.TERMS}
    assert all(text in lines for text in between), f"{term} is explained after its first use on {name}"

    def section(position: int) -> int:
        return max(i for i, (kind, _text) in enumerate(order[: position + 1]) if kind in ("title", "header"))

    assert section(explained) == section(first), f"{term} is explained in another section of {name}"


@pytest.mark.parametrize("name", list(PAGES))
def test_no_page_uses_a_term_without_explaining_it(pages, name):
    order = _in_order(pages[name])
    for term, pattern in MENTIONS.items():
        explanation = _explained(term)
        mentioned = any(
            re.search(pattern, text, flags=re.IGNORECASE) and explanation not in text for _kind, text in order
        )
        if mentioned:
            assert any(explanation in text for _kind, text in order), f"{term} is used on {name}"
            assert (name, term) in FIRST_USES or name == "methodology", (name, term)
