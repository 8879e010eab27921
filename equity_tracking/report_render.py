"""Annual reports as files: a web page (HTML) and an accessible PDF, with every chart drawn as SVG.

Owns how an :class:`~equity_tracking.annual_report.AnnualReport` is laid out and handed out:

- **HTML** through one Jinja2 template (``templates/report.html.j2``, autoescaped: every string from
  the report is text), semantic for screen readers: one ``h1``, headings in order, tables with
  captions and ``th scope``, ``lang="en"`` and a title;
- **PDF** through WeasyPrint from the same HTML, as PDF/UA-1 (``pdf_variant="pdf/ua-1"``: a tagged
  structure tree in reading order, the document's language and title, the PDF/UA identification in
  its metadata), with no resource fetched from anywhere;
- **charts** as SVG, drawn by kaleido in the system's Chromium (one kaleido server per process,
  started on the first chart, offline: MathJax off and plotly.js from the plotly package), shown as
  an image whose ``alt`` is the chart's text alternative (the PDF figure's ``/Alt``).

:func:`make_report` is what the page and the command line call.
"""

from __future__ import annotations

import base64
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup, escape
from sqlalchemy import Engine

from equity_tracking.annual_report import AnnualReport, ReportChart, ReportError, bureau_report, city_report

Progress = Callable[[str, float], None]
TEMPLATES = Path(__file__).with_name("templates")
CHART_WIDTH_PX = 680  # about an A4 page's text width at 96 px per inch; the SVG scales to fit
DEFAULT_HEIGHT_PX = 420
PDF_VARIANT = "pdf/ua-1"
FORMATS = {"pdf": "application/pdf", "html": "text/html"}


def _keep_together(value: object) -> object:
    """Every "12.5 %" with a no-break space, so that a line never starts with the sign."""
    return value.replace(" %", "\u00a0%") if isinstance(value, str) else value


_environment = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=True, keep_trailing_newline=True, finalize=_keep_together
)
_kaleido_lock = threading.Lock()  # one chart at a time: kaleido's sync server is not thread-safe


@dataclass(frozen=True)
class RenderedReport:
    """A report file, ready to hand out."""

    data: bytes
    file_name: str
    mime: str
    title: str


def _quiet(step: str, fraction: float) -> None:
    """No progress to show."""


def make_report(
    engine: Engine,
    *,
    fiscal_year: int,
    bureau_code: str | None = None,
    file_format: str = "pdf",
    site_url: str | None = None,
    progress: Progress = _quiet,
) -> RenderedReport:
    """A bureau's annual progress report (``bureau_code``), or the citywide one (None), for
    ``fiscal_year`` as a PDF or an HTML file; ``progress(step, fraction)`` hears how far it is.
    Raises :class:`ReportError` for an unknown bureau, a year no plan covers, or a missing Chromium."""
    if file_format not in FORMATS:
        raise ReportError(f"A report is made as {' or '.join(FORMATS)}, not “{file_format}”.")
    if bureau_code:
        report = bureau_report(
            engine, fiscal_year=fiscal_year, bureau_code=bureau_code, site_url=site_url, progress=progress
        )
    else:
        report = city_report(engine, fiscal_year=fiscal_year, site_url=site_url, progress=progress)
    html = render_html(report, progress=_scaled(progress, 0.45, 0.85 if file_format == "pdf" else 1.0))
    if file_format == "html":
        data = html.encode("utf-8")
    else:
        progress("Laying out the PDF", 0.85)
        data = html_to_pdf(html)
    progress("Done", 1.0)
    subject = (report.bureau_code or "city").lower()
    return RenderedReport(
        data=data,
        file_name=f"annual-report-{subject}-{report.fiscal_year_key}.{file_format}",
        mime=FORMATS[file_format],
        title=report.title,
    )


def _scaled(progress: Progress, start: float, end: float) -> Progress:
    return lambda step, fraction: progress(step, start + (end - start) * fraction)


def render_html(report: AnnualReport, *, progress: Progress = _quiet) -> str:
    """The report as one self-contained HTML page (its style sheet and charts inline)."""
    charts = report.charts()
    images = {}
    for number, chart in enumerate(charts, start=1):
        progress(f"Drawing chart {number} of {len(charts)}: {chart.chart.title}", (number - 1) / len(charts))
        images[chart.key] = chart_image(chart)
    return _environment.get_template("report.html.j2").render(report=report, images=images)


def html_to_pdf(html: str) -> bytes:
    """A tagged PDF (PDF/UA-1) of a report's HTML. Nothing is fetched: the page is self-contained
    (its charts are data URIs), and any other URL in it, planted or not, is refused."""
    from weasyprint import HTML  # imported when needed: it takes a second to load
    from weasyprint.urls import URLFetcher

    document = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=("data",)), media_type="print")
    return bytes(document.write_pdf(pdf_variant=PDF_VARIANT))


# --- charts as SVG -----------------------------------------------------------------------------------------

_SVG_OPEN = re.compile(r"<svg\b([^>]*)>")
_LINK_TAG = re.compile(r"</?a\b[^>]*>")
_ACTIVE = re.compile(r"<(?:script|foreignObject|iframe)\b|<[^>]*\son\w+\s*=|javascript:", re.IGNORECASE)


def chart_svg(chart: ReportChart) -> str:
    """The chart's figure as an SVG document, titled with its text alternative."""
    svg = _inert(draw_svg(chart.chart.figure))
    match = _SVG_OPEN.search(svg)
    if match is None:
        raise ReportError(f"The chart “{chart.chart.title}” could not be drawn.")
    opening = f"<svg{_without_size(match.group(1))}><title>{escape(chart.alt)}</title>"
    return svg[: match.start()] + opening + svg[match.end() :]


def chart_image(chart: ReportChart) -> Markup:
    """The chart as an image in the page: ``<img>`` of its SVG (a data URI), its text alternative as
    ``alt`` (WeasyPrint writes it as the PDF figure's ``/Alt``). An SVG shown as an image can run and
    load nothing in a browser, and its many shapes stay out of the page's own structure."""
    data = base64.b64encode(chart_svg(chart).encode("utf-8")).decode("ascii")
    return Markup('<img class="chart" src="data:image/svg+xml;base64,{}" alt="{}">').format(data, chart.alt)


def _inert(svg: str) -> str:
    """Kaleido's SVG with no link left in it, and refused if anything in it could run. Text from the
    database reaches a figure escaped (``formatting.plain``), so neither should happen: this is the
    last check before the SVG goes into the report."""
    svg = _LINK_TAG.sub("", svg)
    if _ACTIVE.search(svg):
        raise ReportError("A chart could not be drawn safely, so the report was not made.")
    return svg


def _without_size(attributes: str) -> str:
    """The SVG's own attributes without its fixed pixel size (its viewBox keeps the proportions, and
    the style sheet sets the width), so that it fits the page."""
    return re.sub(r'\s(?:width|height)="[^"]*"', "", attributes)


def draw_svg(figure: object) -> str:
    """A plotly figure as SVG text, drawn by kaleido in the system's Chromium."""
    import kaleido  # imported when needed: it starts nothing until a chart is drawn

    layout = getattr(figure, "layout", None)
    height = getattr(layout, "height", None) or DEFAULT_HEIGHT_PX
    with _kaleido_lock:
        _start_kaleido(kaleido)
        try:
            svg = kaleido.calc_fig_sync(
                figure, opts={"format": "svg", "width": CHART_WIDTH_PX, "height": height}
            )
        except Exception as error:  # Chromium gone or stuck: start afresh next time
            kaleido.stop_sync_server(silence_warnings=True)
            raise ReportError(
                f"A chart could not be drawn ({type(error).__name__}); please try again."
            ) from error
    return svg.decode("utf-8") if isinstance(svg, bytes) else str(svg)


def _start_kaleido(kaleido: Any) -> None:
    """Start this process's kaleido server unless it is running (the caller holds the lock): MathJax
    off (no download), plotly.js from the installed plotly package, the system's Chromium. A server
    whose thread has ended (its browser failed) is replaced: a call to it would wait for ever."""
    server = kaleido._global_server  # kaleido's one sync server; it has no public liveness check
    thread = getattr(server, "_thread", None)
    if server.is_running() and thread is not None and thread.is_alive():
        return
    if server.is_running():
        kaleido.stop_sync_server(silence_warnings=True)
    from choreographer.browsers.chromium import Chromium

    if Chromium.find_browser(skip_local=False) is None:
        # Checked first: a server started without a browser would wait for it for ever.
        raise ReportError(
            "Charts are drawn by Chromium, which is not installed here. Install Debian's chromium "
            "package (`make chromium`), or set BROWSER_PATH to a Chromium or Chrome."
        )
    kaleido.start_sync_server(mathjax=False, timeout=90, silence_warnings=True)
