"""Text from the database is text: on every page of the hostile city (the golden city with planted
names, titles, notes and narratives), nothing planted reaches Markdown, HTML or chart text in a form
that could act, and everything planted is still shown, exactly as typed."""

from __future__ import annotations

import json
import re

import pytest
from apptest_support import open_app, open_folded, texts
from hostile_city import build_hostile_city

# Planted fragments that would act if they reached Markdown (or a chart) as written.
ACTING = (
    "](https://evil.example",  # a link or an image
    "![EVIL",
    "<img",
    "<a href",
    "<a ",
    "<b>EVIL",
    ":red[EVIL",
    ":material/warning:",
    "$EVIL^2$",
    "\n# EVIL",
    "\n- **1 Jan 2019**",  # a fake timeline entry
    "| EVIL | table |",
)
# GitHub-flavoured Markdown's autolink literals: a scheme and "://", "www.", or an e-mail address.
AUTOLINK = re.compile(r"(?i)\b(?:https?|ftp)://|\bwww\.|\w@\w")

PAGES = (
    ("app.py", {"fy": "2018-19"}),
    ("pages/citywide_goal.py", {"goal": "1", "fy": "2018-19"}),
    ("pages/bureau.py", {"bureau": "AA", "fy": "2018-19"}),
    ("pages/bureau.py", {"bureau": "BB", "fy": "2018-19"}),
    ("pages/measure.py", {"measure": "1", "fy": "2018-19"}),
    ("pages/compare.py", {"focus": "workforce", "fy": "2018-19"}),
    ("pages/workforce.py", {"fy": "2018-19"}),
    ("pages/reports.py", {"fy": "2018-19"}),
)


@pytest.fixture(scope="module")
def hostile(database_factory):
    engine = database_factory.new_engine()
    build_hostile_city(engine)
    return engine


def _markdown_sources(app) -> list[str]:
    """Every string the page hands to Streamlit's Markdown: text elements, alerts, headings,
    expander labels, metric help, badges, link labels and the cells of HTML tables."""
    sources = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "info",
        "warning",
        "error",
        "success",
    ):
        sources += [str(element.value) for element in getattr(app, kind)]
    sources += [str(expander.label) for expander in app.expander]
    sources += [str(metric.proto.help) for metric in app.metric]
    sources += [str(link.proto.label) for link in app.get("page_link")]
    for table in app.table:
        sources += [str(cell) for cell in table.value.to_numpy().ravel()]
        sources += [str(column) for column in table.value.columns]
    return sources


def _acts(fragment: str, source: str) -> bool:
    """Whether ``fragment`` occurs in Markdown source other than behind a backslash (a backslash
    before punctuation makes it a literal character, which is how text is made inert)."""
    start = source.find(fragment)
    while start != -1:
        if start == 0 or source[start - 1] != "\\":
            return True
        start = source.find(fragment, start + 1)
    return False


@pytest.mark.parametrize(("script", "query"), PAGES, ids=[f"{s}?{q}" for s, q in PAGES])
def test_nothing_planted_can_act_anywhere(hostile, monkeypatch, script, query):
    app = open_app(script, hostile, monkeypatch, query=query)
    app.run()
    assert not app.exception
    open_folded(app)  # what is built only while open, too
    for source in _markdown_sources(app):
        for fragment in ACTING:
            assert not _acts(fragment, source), (fragment, source[:200])
        # Autolinks are found after escapes are resolved (invisible word joiners kept, as they are).
        assert not AUTOLINK.search(re.sub(r"\\(.)", r"\1", source)), source[:200]
    for chart in app.get("plotly_chart"):
        spec = json.dumps(json.loads(chart.proto.spec))
        for fragment in ("<a href", "<a ", "<b>EVIL", "<img"):
            assert fragment not in spec, fragment


def test_what_was_planted_is_shown_as_typed(hostile, monkeypatch):
    app = open_app("pages/bureau.py", hostile, monkeypatch, query={"bureau": "BB", "fy": "2018-19"})
    app.run()
    assert "Bureau of Beta [EVIL click here](https://evil.example/phish)" in texts(app)
    measure = open_app("pages/measure.py", hostile, monkeypatch, query={"measure": "1", "fy": "2018-19"})
    measure.run()
    # The note (with its planted line break and fake timeline entry) is one line of plain text.
    notes = [element.value for element in measure.text]
    assert any(note.startswith('=HYPERLINK("https://evil.example"') for note in notes)
    assert "Share of new hires <img src=https://evil.example/x.png onerror=alert(1)>" in texts(measure)
