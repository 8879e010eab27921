"""The annual progress reports as files: the command line writes them, the PDF is tagged (PDF/UA-1)
and says the key numbers in its text, hidden figures stay hidden in every format, planted text is
text, and the Bureau reports page makes one on a click.

On the golden city (tests/golden_city.py: every figure worked out by hand there). Each file is made
once per module; its pages are rendered to PNG under tests/artifacts/reports/ to be looked at.
"""

from __future__ import annotations

import base64
import contextlib
import io
import itertools
import re
from html.parser import HTMLParser
from pathlib import Path

import pypdf
import pypdfium2
import pytest
from apptest_support import open_app, texts
from hostile_city import build_hostile_city

from equity_tracking.cli import main
from equity_tracking.report_render import render_html

FILES = {
    "city.pdf": [],
    "aa.pdf": ["--bureau", "AA"],
    "aa.html": ["--bureau", "aa", "--format", "html"],
}


@pytest.fixture(scope="module")
def made(golden_engine, tmp_path_factory) -> dict[str, tuple[int, str, Path]]:
    """Each report written once by the command line: (exit code, what it printed, the file)."""
    folder = tmp_path_factory.mktemp("reports")
    url = golden_engine.url.render_as_string(hide_password=False)
    results = {}
    for name, options in FILES.items():
        path = folder / name
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(
                ["--database-url", url, "report", "--year", "2018-19", *options, "--output", str(path)]
            )
        results[name] = (code, out.getvalue() + err.getvalue(), path)
    return results


def pdf_text(path: Path) -> str:
    """The PDF's text as a reader's software extracts it, with every run of white space as one space."""
    reader = pypdf.PdfReader(path)
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


class _Page(HTMLParser):
    """Headings, tags with their attributes, and the text of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_title = tag == "title"  # the page's own comes first, in its head

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        self.text.append(data)
        if self._in_title and not self.title:
            self.title = data


def parsed(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def plain_text(html: str) -> str:
    return " ".join(" ".join(parsed(html).text).split())


# --- the command line --------------------------------------------------------------------------------


def test_the_command_line_writes_each_report(made):
    for code, said, path in made.values():
        assert code == 0, said
        assert f"Wrote {path}" in said
        assert path.stat().st_size > 10_000
    assert made["city.pdf"][2].read_bytes().startswith(b"%PDF-1.7")
    assert "Racial equity plans: citywide annual progress report, FY 2018-19" in made["city.pdf"][1]
    assert "Bureau of Alpha: annual progress report, FY 2018-19" in made["aa.html"][1]
    assert made["aa.html"][2].read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--year", "2018-19", "--bureau", "ZZ"], "error: No bureau has the code “ZZ”."),
        (
            ["--year", "2030-31"],
            "error: No plan covers FY 2030-31: the plans cover FY 2016-17 to FY 2020-21.",
        ),
        (["--year", "2018-20"], "a fiscal year spans two consecutive years"),
        (["--year", "2018"], "'2018' is not a fiscal year: write it as 2018-19."),
        (["--year", "2018-19", "--format", "docx"], "invalid choice: 'docx'"),
    ],
)
def test_the_command_line_refuses_what_it_cannot_report(golden_engine, tmp_path, capsys, options, message):
    url = golden_engine.url.render_as_string(hide_password=False)
    with contextlib.suppress(SystemExit):  # argparse exits with 2 for a bad argument
        assert main(["--database-url", url, "report", *options, "--output", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err
    assert not list(tmp_path.iterdir())  # nothing written


# --- the PDF: key numbers, structure, and a look at every page ---------------------------------------------


def test_the_citywide_pdf_says_the_key_numbers(made):
    text = pdf_text(made["city.pdf"][2]).replace("\xa0", " ")
    # Hand-worked in golden_city.py: 2 of 3 bureaus reported every measure due, 4 of 5 measures.
    assert "2 of 3 bureaus reported every measure due for FY 2018-19 by 30 September 2019" in text
    assert "4 of the 5 measures due (80.0 %) were reported" in text
    for figure in ("32.5 %", "95.0 %", "60.0 %"):  # progress under citywide goals 1, 2 and 3
        assert figure in text
    assert "Share of managers of color (last reported FY 2017-18)" in text
    assert "Hired two community liaisons." in text
    assert "Not yet reviewed." not in text  # Bureau of Beta's narrative was only submitted


def test_the_pdf_is_tagged_for_accessibility(made):
    for name, title in (
        ("city.pdf", "Racial equity plans: citywide annual progress report, FY 2018-19"),
        ("aa.pdf", "Bureau of Alpha: annual progress report, FY 2018-19"),
    ):
        reader = pypdf.PdfReader(made[name][2])
        catalog = reader.trailer["/Root"]
        assert bool(catalog["/MarkInfo"]["/Marked"])
        assert catalog["/Lang"] == "en"
        assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
        assert reader.metadata.title == title
        assert reader.metadata.author == "Office of Equity and Human Rights"
        xmp = catalog["/Metadata"].get_object().get_data().decode("utf-8")
        assert 'pdfuaid:part="1"' in xmp  # PDF/UA-1 identification
        kinds, figures = _structure(catalog["/StructTreeRoot"])
        assert {
            "/Document",
            "/H1",
            "/H2",
            "/H3",
            "/P",
            "/Table",
            "/TH",
            "/TD",
            "/Caption",
            "/L",
            "/LI",
        } <= kinds
        # Every chart is a figure with its text alternative.
        assert len(figures) >= 3
        assert all(alt.startswith(("Bar chart", "Line chart")) for alt in figures)


def _structure(root) -> tuple[set[str], list[str]]:
    """The structure types in the tag tree, and each figure's /Alt."""
    kinds: set[str] = set()
    alts: list[str] = []
    stack = [root.get_object()]
    while stack:
        element = stack.pop()
        if isinstance(element, pypdf.generic.IndirectObject):
            element = element.get_object()
        if not isinstance(element, dict):
            continue
        if "/S" in element:
            kinds.add(str(element["/S"]))
            if element["/S"] == "/Figure":
                alts.append(str(element.get("/Alt", "")))
        children = element.get("/K", [])
        stack.extend(children if isinstance(children, list) else [children])
    return kinds, alts


def test_every_page_renders_to_an_image(made, artifacts_dir):
    """Each PDF page as a PNG in tests/artifacts/reports/ (looked at by eye when the layout changes):
    every page has something on it, and the first page starts with the title."""
    folder = artifacts_dir / "reports"
    folder.mkdir(exist_ok=True)
    for name in ("city.pdf", "aa.pdf"):
        stem = name.removesuffix(".pdf")
        for stale in folder.glob(f"{stem}-page-*.png"):
            stale.unlink()
        document = pypdfium2.PdfDocument(made[name][2])
        assert len(document) >= 3
        for number, page in enumerate(document, start=1):
            image = page.render(scale=1.5).to_pil()
            image.save(folder / f"{stem}-page-{number}.png")
            darkest, lightest = image.convert("L").getextrema()
            assert darkest < 100  # some dark text on it
            assert lightest == 255  # on white paper
        first = document[0].get_textpage().get_text_range()
        assert first.lstrip().startswith("Office of Equity and Human Rights · annual progress report")
        document.close()


# --- hidden figures stay hidden, in every format ----------------------------------------------------------


def test_a_hidden_figure_reads_hidden_and_its_value_is_nowhere(made):
    # FY 2016-17 headcount: Asian 5 is small; White 150 and People of color 47 hide with it. Of the 197
    # people of known race they would be 2.5 %, 76.1 % and 23.9 %.
    html = made["aa.html"][2].read_text(encoding="utf-8")
    for text in (plain_text(html), pdf_text(made["aa.pdf"][2])):
        text = text.replace("\xa0", " ")
        assert "Asian hidden 15 (7.1 %)" in text  # the table row: FY 2016-17 hidden, FY 2018-19 shown
        assert "White hidden 150 (70.8 %)" in text
        assert text.count("hidden") >= 4  # three table cells, and the footnote
        for value in ("2.5 %", "76.1 %", "23.9 %", "(47", "5 (2"):
            assert value not in text
        assert "To protect privacy, a count of fewer than 10 people" in text


# --- the HTML: semantic, self-contained, and text is text --------------------------------------------------


def test_the_html_is_a_semantic_page(made):
    html = made["aa.html"][2].read_text(encoding="utf-8")
    page = parsed(html)
    tags = [tag for tag, _ in page.tags]
    assert page.tags[0] == ("html", {"lang": "en"})
    assert page.title == "Bureau of Alpha: annual progress report, FY 2018-19"
    headings = [int(tag[1]) for tag in tags if re.fullmatch(r"h[1-6]", tag)]
    assert headings[0] == 1
    assert headings.count(1) == 1
    assert all(later <= earlier + 1 for earlier, later in itertools.pairwise(headings))
    assert tags.count("table") == tags.count("caption")
    assert all(attrs.get("scope") in ("col", "row") for tag, attrs in page.tags if tag == "th")
    # Every chart is an SVG image with its text alternative, under its title, and followed by its table.
    images = [attrs for tag, attrs in page.tags if tag == "img"]
    assert len(images) == tags.count("figcaption") == 3  # actions, measures, employees by race
    for attrs in images:
        assert attrs["src"].startswith("data:image/svg+xml;base64,")
        assert attrs["alt"].startswith("Bar chart of ")
    svg = base64.b64decode(images[2]["src"].split(",", 1)[1]).decode("utf-8")
    assert "<title>Bar chart of each group's share of “Employees by race/ethnicity”" in svg.replace(
        "&#39;", "'"
    )
    # Nothing is fetched from anywhere: no script, no style sheet, frame or image from elsewhere.
    assert "script" not in tags
    assert not [attrs for tag, attrs in page.tags if tag in ("link", "iframe")]


def test_planted_text_stays_text(database_factory, tmp_path):
    engine = database_factory.new_engine()
    build_hostile_city(engine)
    from equity_tracking.annual_report import bureau_report

    html = render_html(bureau_report(engine, fiscal_year=2018, bureau_code="AA"))
    page = parsed(html)
    # Nothing planted became a tag or an address: no element points at evil.example.
    assert not [attrs for _, attrs in page.tags if any("evil" in str(value) for value in attrs.values())]
    shown = plain_text(html)
    assert "<a href='https://evil.example/chart'>EVIL chart link</a>" in shown  # the goal's title, as typed
    assert "[EVIL click here](https://evil.example/phish)" in shown  # the narrative, as typed


# --- the page: a click makes the report, with a progress bar, then a download ------------------------------


def test_the_reports_page_makes_a_report_on_a_click(golden_engine, monkeypatch):
    app = open_app("pages/reports.py", golden_engine, monkeypatch, query={"fy": "2018-19"})
    app.run()
    assert not app.exception, app.exception
    assert "Annual progress report, FY 2018-19" in texts(app)
    assert "Download the report (HTML)" not in [button.label for button in app.get("download_button")]
    app.selectbox(key="annual-report-for").set_value("AA")
    app.radio(key="annual-report-format").set_value("html")
    app.button(key="annual-report-make").click()
    app.run()
    assert not app.exception, app.exception
    labels = [button.label for button in app.get("download_button")]
    assert "Download the report (HTML)" in labels
    assert "annual-report-aa-2018-19.html" in texts(app)
    # Another choice: the download of the old one goes (it is not the report asked for).
    app.radio(key="annual-report-format").set_value("pdf")
    app.run()
    assert "Download the report (HTML)" not in [button.label for button in app.get("download_button")]
    # Back to HTML and a second click: made again (the progress bar drawn again, nothing replayed).
    app.radio(key="annual-report-format").set_value("html")
    app.button(key="annual-report-make").click()
    app.run()
    assert not app.exception, app.exception
    assert "Download the report (HTML)" in [button.label for button in app.get("download_button")]
