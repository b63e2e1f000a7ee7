"""The documentation site builds with ``mkdocs build --strict`` and renders styled pages.

The built site is served from a local http.server on 127.0.0.1 and screenshotted with
headless Chromium (``apt-get install -y chromium``); screenshots are kept under
build/screenshots/. A page that lost its stylesheet renders as black text on white, so
the check samples the top band of the screenshot for the theme's indigo header.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import struct
import subprocess
import sys
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "screenshots"
# mkdocs-material's "indigo" primary colour (--md-primary-fg-color: #4051b5).
INDIGO = (0x40, 0x51, 0xB5)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_strict_build_has_every_page(site: Path) -> None:
    for page in (
        "index.html",
        "query-language/index.html",
        "getting-started/index.html",
        "cli/index.html",
        "reference/query/index.html",
    ):
        assert (site / page).is_file(), page


def test_query_reference_embeds_the_grammar_file(site: Path) -> None:
    html = (site / "query-language" / "index.html").read_text(encoding="utf-8")
    grammar = (ROOT / "grammar" / "accsyn.lark").read_text(encoding="utf-8")
    # Every grammar rule name appears in the rendered page (highlighted, so split in spans).
    for name in ("where_statement", "cmp_not_in", "paren_list", "DQSTRING"):
        assert name in grammar
        assert name in html


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail(
        "headless Chromium is needed for the docs screenshots: "
        "apt-get update && apt-get install -y chromium"
    )


def _screenshot(url: str, png: Path, tmp_path: Path) -> None:
    png.parent.mkdir(parents=True, exist_ok=True)
    if png.exists():
        png.unlink()
    cmd = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        f"--screenshot={png}",
        "--window-size=1280,900",
        url,
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert png.is_file(), f"no screenshot from chromium:\n{result.stdout}\n{result.stderr}"


def _read_png_rows(path: Path, max_rows: int) -> tuple[int, list[bytes], int]:
    """Decode the first ``max_rows`` rows of an 8-bit RGB/RGBA PNG (stdlib only)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    width = height = bpp = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            assert depth == 8 and colour in (2, 6) and interlace == 0
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(min(height, max_rows)):
        start = y * (stride + 1)
        kind = raw[start]
        line = bytearray(raw[start + 1 : start + 1 + stride])
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prev, strict=True))
        elif kind == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, rows, bpp


def _close(pixel: tuple[int, ...], colour: tuple[int, int, int], tolerance: int = 24) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=False))


def _assert_styled(png: Path) -> None:
    width, rows, bpp = _read_png_rows(png, max_rows=200)
    # The top of the header bar, above the logo, title and search box.
    samples = [tuple(row[x * bpp : x * bpp + 3]) for row in rows[1:5] for x in range(0, width, 8)]
    # The middle of the bar, between the title and the search box.
    samples += [
        tuple(row[x * bpp : x * bpp + 3]) for row in rows[10:40] for x in range(400, 950, 16)
    ]
    indigo = sum(_close(px, INDIGO) for px in samples)
    assert indigo / len(samples) > 0.8, "the material header colour is missing: page unstyled?"
    body = [tuple(row[x * bpp : x * bpp + 3]) for row in rows[80:200] for x in range(0, width, 8)]
    non_white = sum(1 for px in body if min(px) < 235)
    assert non_white > 0, "the page body is blank"


@pytest.mark.parametrize(
    ("path", "name"),
    [("/", "home.png"), ("/query-language/", "query-language.png")],
)
def test_pages_render_styled(server: str, path: str, name: str, tmp_path: Path) -> None:
    png = SCREENSHOTS / name
    _screenshot(server + path, png, tmp_path)
    _assert_styled(png)
