"""What the browser downloads (issue #12): Streamlit's static files compressed once
(``equity_tracking.compression``), its page shell carrying ``ui.css``, and the first frame laid out
as the page will be.

The middleware is tested over Starlette's own ``StaticFiles`` (what Streamlit serves its files
with), then against the real ``streamlit run serve.py``: a JavaScript file comes back gzip-encoded
and decompresses to exactly the file, a client that accepts no coding gets the file itself, and in
Chromium the main area does not jump when the script's first output arrives.
"""

from __future__ import annotations

import gzip
import http.client
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import brotli
import pytest
from starlette.applications import Starlette
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.testclient import TestClient

from equity_tracking import compression
from equity_tracking.compression import (
    CompressedFiles,
    PrecompressedStatic,
    StyledShell,
    accepted_encodings,
    private_folder,
    shell_with_style,
)

SCRIPT = ("// a script that compresses well\n" + "export const value = 'equity';\n" * 400).encode()
SHELL = b"<!DOCTYPE html><html><head><title>Streamlit</title></head><body><div id=root></div></body></html>"


@pytest.fixture
def static_root(tmp_path: Path) -> Path:
    """A folder shaped like Streamlit's: a script worth compressing, a tiny one, an image, a font."""
    root = tmp_path / "static"
    (root / "static" / "js").mkdir(parents=True)
    (root / "static" / "js" / "index.abc123.js").write_bytes(SCRIPT)
    (root / "static" / "js" / "tiny.js").write_bytes(b"export {};\n")
    (root / "static" / "logo.png").write_bytes(os.urandom(4096))
    (root / "static" / "font.woff2").write_bytes(os.urandom(4096))
    (root / "index.html").write_bytes(SHELL)
    return root


def _client(root: Path, cache_dir: Path | None = None) -> tuple[TestClient, CompressedFiles]:
    files = CompressedFiles(root, cache_dir)
    app = PrecompressedStatic(StaticFiles(directory=root, html=True), files=files)
    return TestClient(app, base_url="http://localhost"), files


def _raw(client: TestClient, path: str, **headers: str):
    """The response and its body as sent (httpx would decode it). httpx asks for every coding it
    knows unless told otherwise: here a request accepts none unless it says so."""
    with client.stream("GET", path, headers={"Accept-Encoding": "identity", **headers}) as response:
        return response, b"".join(response.iter_raw())


# --- codings ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip, deflate, br, zstd", {"br", "gzip"}),  # what Chromium sends
        ("gzip", {"gzip"}),
        ("x-gzip", {"gzip"}),
        ("br;q=0, gzip;q=0.5", {"gzip"}),
        ("*", {"br", "gzip"}),
        ("*;q=0.1, br;q=0", {"gzip"}),
        ("identity", set()),
        ("gzip;q=zero", set()),
        ("", set()),
        (None, set()),
    ],
)
def test_the_codings_a_browser_accepts(header, accepted):
    assert accepted_encodings(header) == accepted


@pytest.mark.parametrize("coding", ["gzip", "br"])
def test_each_coding_gives_back_the_same_bytes(coding):
    packed = compression.compress(SCRIPT, coding)
    assert len(packed) < len(SCRIPT) / 10
    assert compression.decompress(packed, coding) == SCRIPT
    assert compression.compress(SCRIPT, coding) == packed  # no timestamp: the same file, the same bytes


# --- the files, compressed once --------------------------------------------------------------------------


def test_only_text_files_worth_compressing_are_taken(static_root, tmp_path):
    outside = tmp_path / "outside.js"
    outside.write_bytes(SCRIPT)
    (static_root / "static" / "js" / "link.js").symlink_to(outside)  # resolves out of the folder
    files = CompressedFiles(static_root, None)
    assert set(files.files) == {"static/js/index.abc123.js"}  # not tiny.js, the image, the font, the link
    assert files.size("static/js/index.abc123.js") == len(SCRIPT)
    assert files.size("static/logo.png") is None


def test_a_file_is_compressed_once_and_kept(static_root, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    files = CompressedFiles(static_root, cache)
    first = files.compressed("static/js/index.abc123.js", "gzip").result(timeout=60)
    assert gzip.decompress(first) == SCRIPT
    assert files.compressed("static/js/index.abc123.js", "gzip").done()  # in memory now
    assert len(list(cache.glob("*.gzip"))) == 1

    # Another process finds it in the cache folder and compresses nothing.
    def refuse(data: bytes, coding: str) -> bytes:
        raise AssertionError("compressed again")

    monkeypatch.setattr(compression, "compress", refuse)
    again = CompressedFiles(static_root, cache)
    assert again.compressed("static/js/index.abc123.js", "gzip").result(timeout=60) == first


def test_a_cached_file_that_does_not_match_is_made_again(static_root, tmp_path):
    cache = tmp_path / "cache"
    CompressedFiles(static_root, cache).compressed("static/js/index.abc123.js", "br").result(timeout=60)
    (kept,) = cache.glob("*.br")
    kept.write_bytes(brotli.compress(b"alert('not the file')"))
    files = CompressedFiles(static_root, cache)
    data = files.compressed("static/js/index.abc123.js", "br").result(timeout=60)
    assert brotli.decompress(data) == SCRIPT
    assert brotli.decompress(kept.read_bytes()) == SCRIPT  # and the cache holds the right bytes again


def test_a_changed_file_is_compressed_anew(static_root):
    files = CompressedFiles(static_root, None)
    script = static_root / "static" / "js" / "index.abc123.js"
    files.compressed("static/js/index.abc123.js", "gzip").result(timeout=60)
    script.write_bytes(SCRIPT + b"// one more line\n")
    data = files.compressed("static/js/index.abc123.js", "gzip").result(timeout=60)
    assert gzip.decompress(data) == script.read_bytes()


def test_a_cache_folder_others_may_write_to_is_not_used(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    assert private_folder(shared) is None
    assert private_folder(tmp_path / "mine") == tmp_path / "mine"
    assert (tmp_path / "mine").stat().st_mode & 0o777 == 0o700
    assert private_folder(None) is None


# --- serving them ------------------------------------------------------------------------------------------


def test_a_script_is_served_gzip_encoded_with_streamlits_headers(static_root):
    client, _ = _client(static_root)
    plain, plain_body = _raw(client, "/static/js/index.abc123.js")
    packed, packed_body = _raw(client, "/static/js/index.abc123.js", **{"Accept-Encoding": "gzip"})
    assert plain_body == SCRIPT
    assert "content-encoding" not in plain.headers
    assert plain.headers["vary"] == "Accept-Encoding"  # a cache in between must tell the two apart
    assert packed.headers["content-encoding"] == "gzip"
    assert gzip.decompress(packed_body) == SCRIPT
    assert packed.headers["content-length"] == str(len(packed_body))
    assert packed.headers["content-type"] == plain.headers["content-type"]
    assert packed.headers["last-modified"] == plain.headers["last-modified"]
    assert packed.headers["etag"] == "W/" + plain.headers["etag"]  # weak: the same content, other bytes
    assert packed.headers["vary"] == "Accept-Encoding"


def test_brotli_is_served_once_it_has_been_made(static_root):
    client, files = _client(static_root)
    first, body = _raw(client, "/static/js/index.abc123.js", **{"Accept-Encoding": "gzip, br"})
    # gzip while brotli is being made in the background; on a small file the background may already
    # have finished (a race the test must not depend on): either way the bytes are the script.
    decode = {"gzip": gzip.decompress, "br": brotli.decompress}[first.headers["content-encoding"]]
    assert decode(body) == SCRIPT
    files.compressed("static/js/index.abc123.js", "br").result(timeout=60)
    later, body = _raw(client, "/static/js/index.abc123.js", **{"Accept-Encoding": "gzip, br"})
    assert later.headers["content-encoding"] == "br"
    assert brotli.decompress(body) == SCRIPT
    only_brotli, _ = _raw(client, "/static/js/index.abc123.js", **{"Accept-Encoding": "br"})
    assert only_brotli.headers["content-encoding"] == "br"


def test_a_revalidation_with_the_weak_etag_gets_304(static_root):
    client, _ = _client(static_root)
    packed = client.get("/static/js/index.abc123.js", headers={"Accept-Encoding": "gzip"})
    again = client.get(
        "/static/js/index.abc123.js",
        headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["etag"]},
    )
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["vary"] == "Accept-Encoding"


def test_a_head_gets_the_compressed_length_and_no_body(static_root):
    client, _ = _client(static_root)
    packed = client.get("/static/js/index.abc123.js", headers={"Accept-Encoding": "gzip"})
    head = client.head("/static/js/index.abc123.js", headers={"Accept-Encoding": "gzip"})
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-encoding"] == "gzip"
    assert head.headers["content-length"] == packed.headers["content-length"]


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/static/js/tiny.js", {}),  # too small to gain
        ("/static/logo.png", {}),  # compressed already
        ("/static/font.woff2", {}),
        ("/static/js/index.abc123.js", {"Range": "bytes=0-99"}),  # a range is of the file's own bytes
    ],
)
def test_what_is_not_worth_compressing_goes_out_as_it_is(static_root, path, headers):
    client, _ = _client(static_root)
    response, body = _raw(client, path, **{"Accept-Encoding": "gzip, br", **headers})
    assert "content-encoding" not in response.headers
    assert body == (static_root / path.lstrip("/")).read_bytes()[: 100 if headers else None]


def test_a_file_streamlit_does_not_serve_is_not_served(static_root):
    # Streamlit stays the judge: a 404 (or any answer but a plain 200 for the file) is passed on.
    files = CompressedFiles(static_root, None)

    async def not_found(scope, receive, send):
        await HTMLResponse("Not found", status_code=404)(scope, receive, send)

    client = TestClient(PrecompressedStatic(not_found, files=files))
    response = client.get("/static/js/index.abc123.js", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 404
    assert response.text == "Not found"


def test_the_base_path_is_taken_off_before_the_file_is_looked_up(static_root):
    files = CompressedFiles(static_root, None)
    inner = StaticFiles(directory=static_root)
    app = Starlette(routes=[Mount("/tracker", app=inner)])
    client = TestClient(PrecompressedStatic(app, files=files, base_path=lambda: "/tracker/"))
    response, body = _raw(client, "/tracker/static/js/index.abc123.js", **{"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == SCRIPT


# --- the page shell ----------------------------------------------------------------------------------------


def test_the_stylesheet_goes_at_the_end_of_the_shells_head():
    styled = shell_with_style(SHELL, "main { margin: 0; }")
    assert styled.index(b"main { margin: 0; }") < styled.index(b"</head>")
    assert styled.count(b"<style") == 1
    with pytest.raises(ValueError, match="cannot close"):
        shell_with_style(SHELL, "a {} </style><script>alert(1)</script>")


def _shell_app(static_root: Path, *, gzip_everything: bool = False):
    async def other_page(request):
        return HTMLResponse("<html><head></head><body>another page</body></html>")

    app = Starlette(
        routes=[Route("/other", other_page), Mount("/", app=StaticFiles(directory=static_root, html=True))]
    )
    inner = GZipMiddleware(app, minimum_size=10) if gzip_everything else app
    return StyledShell(inner, shell=static_root / "index.html", style="main { margin: 0; }")


@pytest.mark.parametrize("gzip_everything", [False, True])
def test_the_shell_is_served_styled_wherever_it_is_served(static_root, gzip_everything):
    # Streamlit compresses the shell itself on some paths (its fallback for a page's URL) and not on
    # others ("/"): either way the styled shell goes out, compressed as the browser accepts.
    client = TestClient(_shell_app(static_root, gzip_everything=gzip_everything))
    for path in ("/", "/index.html"):
        response, body = _raw(client, path, **{"Accept-Encoding": "gzip"})
        assert response.headers["content-encoding"] == "gzip"
        assert gzip.decompress(body) == shell_with_style(SHELL, "main { margin: 0; }")
        assert "etag" not in response.headers  # the file's validators would not change with the style
        assert "last-modified" not in response.headers
        assert response.headers["vary"] == "Accept-Encoding"
    plain = client.get("/", headers={"Accept-Encoding": "identity"})
    assert plain.content == shell_with_style(SHELL, "main { margin: 0; }")
    assert "content-encoding" not in plain.headers
    other = client.get("/other")
    assert other.text == "<html><head></head><body>another page</body></html>"


# --- the real server ---------------------------------------------------------------------------------------


def _get(base_url: str, path: str, **headers: str) -> tuple[int, http.client.HTTPMessage, bytes]:
    port = urlsplit(base_url).port
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Host": f"127.0.0.1:{port}", **headers})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def test_the_server_sends_its_javascript_gzip_encoded(golden_server):
    status, headers, shell = _get(golden_server, "/")
    assert status == 200
    assert b"data-equity-shell-style" in shell  # the page shell carries ui.css
    script = re.search(rb'src="\./(static/js/index\.[^"]+\.js)"', shell)
    assert script is not None
    path = "/" + script.group(1).decode()

    status, plain_headers, plain = _get(golden_server, path)
    assert status == 200
    assert "Content-Encoding" not in plain_headers  # a client that accepts no coding gets the file
    assert len(plain) == int(plain_headers["Content-Length"])

    status, headers, packed = _get(golden_server, path, **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed) == plain
    assert len(packed) < len(plain) / 2
    assert headers["Content-Type"] == plain_headers["Content-Type"]
    assert headers["Cache-Control"] == plain_headers["Cache-Control"] == "public, immutable, max-age=31536000"
    assert headers["ETag"] == "W/" + plain_headers["ETag"]
    assert headers["Vary"] == "Accept-Encoding"
    assert headers["X-Content-Type-Options"] == "nosniff"  # serve.py's security headers still apply


LAYOUT_SHIFTS = """
window.__shifts = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shifts.push(entry.value);
}).observe({type: 'layout-shift', buffered: true});
"""


@pytest.mark.browser
@pytest.mark.parametrize("width", [1350, 412])
def test_the_main_area_does_not_jump_when_the_page_arrives(browser, golden_server, width):
    # Before ui.css was in the page shell the first frame had no sidebar and a narrow column, and the
    # whole main area then moved 300 px to the right: 0.23 of layout shift (Core Web Vitals' "good"
    # is at most 0.1).
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        context.add_init_script(LAYOUT_SHIFTS)
        page = context.new_page()
        page.goto(f"{golden_server}/methodology")
        page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)
        page.wait_for_selector("[data-testid='stSidebar']", state="attached", timeout=60_000)
        assert sum(page.evaluate("window.__shifts")) <= 0.1
    finally:
        context.close()
