"""The street map on a ward page in a real browser (headless Chromium), drawn over tiles from a tile
server the test runs itself, checked with axe-core; and the page whole without it."""

import re
import struct
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from axe_playwright_python.sync_playwright import Axe

# Committed data, so that the live server's thread sees it.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RYE_LANE = "/southwark/rye-lane/"
MAP = "Street map of Rye Lane ward"


def _png(size: int = 256) -> bytes:
    """A plain pale square, as a tile server would send one."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xe8\xf0\xe0" * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@pytest.fixture
def tile_server():
    """A tile server on a free local port: a tile for any /{z}/{x}/{y}.png, recording each asked for."""
    tile, asked = _png(), []

    class Tiles(BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            if not re.fullmatch(r"/\d+/\d+/\d+\.png", self.path):
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(tile)))
            self.end_headers()
            self.wfile.write(tile)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", asked
    server.shutdown()
    server.server_close()


@pytest.fixture
def site(live_server, sample_london_committed):
    return live_server.url


def _watch(page) -> list[str]:
    """What the browser blocked or failed to run on the page: CSP reports and script errors."""
    problems = []
    page.on("console", lambda message: "Content Security Policy" in message.text and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    return problems


def _serious(page) -> list:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    return [(v["id"], v["impact"]) for v in results.response["violations"] if v["impact"] in {"serious", "critical"}]


def test_the_ward_is_drawn_on_a_street_map_from_the_configured_tile_server(browser, site, tile_server, map_tiles):
    tiles, asked = tile_server
    map_tiles(tiles + "/{z}/{x}/{y}.png", attribution="Test tiles © Example Mapping")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = _watch(page)

    page.goto(site + RYE_LANE)
    street_map = page.get_by_role("region", name=MAP)
    street_map.locator("img.leaflet-tile-loaded").first.wait_for()
    page.wait_for_load_state("networkidle")

    drawn = street_map.locator("img.leaflet-tile").evaluate_all(
        "tiles => tiles.filter(tile => tile.complete && tile.naturalWidth === 256).map(tile => tile.src)"
    )
    assert drawn and all(src.startswith(tiles + "/") for src in drawn)
    assert asked and all(re.fullmatch(r"/1[0-9]/\d+/\d+\.png", path) for path in asked)  # street level
    outline = street_map.locator("path.slippy-map__outline")
    assert outline.count() == 1 and outline.bounding_box()["width"] > 100  # fitted to the map
    assert "Test tiles © Example Mapping" in street_map.locator(".leaflet-control-attribution").inner_text()
    assert page.get_by_role("group", name="Map of Rye Lane ward").is_visible()  # the drawn map stays
    assert problems == []
    assert _serious(page) == []

    # By keyboard: Tab reaches the map, the arrow keys move it and + zooms in; Tab goes on through its
    # buttons and out again.
    page.get_by_role("link", name="Join the Rye Lane ward panel online").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == MAP
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"  # focus shows
    pane = street_map.locator(".leaflet-map-pane")
    before = pane.evaluate("pane => pane.style.transform")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "before => document.querySelector('.leaflet-map-pane').style.transform !== before", arg=before
    )
    zoom = max(int(path.split("/")[1]) for path in asked)
    page.keyboard.press("NumpadAdd")
    page.wait_for_function(
        "zoom => [...document.querySelectorAll('img.leaflet-tile-loaded')].some(t => t.src.includes(`/${zoom}/`))",
        arg=zoom + 1,
    )
    names = []
    for _ in range(4):
        page.keyboard.press("Tab")
        names.append(
            page.evaluate("document.activeElement.getAttribute('aria-label') || document.activeElement.textContent")
        )
    assert names[:2] == ["Zoom in", "Zoom out"]
    assert page.evaluate("!document.querySelector('.slippy-map').contains(document.activeElement)")  # no trap
    assert problems == []


def test_on_a_phone_the_street_map_fits_and_passes_axe(browser, site, tile_server, map_tiles):
    tiles, _ = tile_server
    map_tiles(tiles + "/{z}/{x}/{y}.png")
    page = browser.new_page(viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True)

    page.goto(site + RYE_LANE)
    street_map = page.get_by_role("region", name=MAP)
    street_map.locator("img.leaflet-tile-loaded").first.wait_for()

    assert street_map.bounding_box()["width"] <= 320
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert street_map.locator(".leaflet-control-attribution").is_visible()
    assert _serious(page) == []


def test_with_no_tile_server_or_no_javascript_the_page_shows_its_drawn_map_and_asks_for_no_tiles(
    browser, site, tile_server, map_tiles
):
    tiles, asked = tile_server
    loaded = []
    page = browser.new_page()
    page.on("request", lambda request: loaded.append(request.url))
    problems = _watch(page)

    page.goto(site + RYE_LANE)  # nothing configured
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("group", name="Map of Rye Lane ward").is_visible()
    assert page.locator(".leaflet-container, [data-slippy-map]").count() == 0
    assert not [url for url in loaded if "leaflet" in url or "slippy_map" in url]
    assert _serious(page) == [] and problems == []

    map_tiles(tiles + "/{z}/{x}/{y}.png")
    without_js = browser.new_context(java_script_enabled=False).new_page()
    without_js.goto(site + RYE_LANE)
    without_js.wait_for_load_state("networkidle")
    assert without_js.get_by_role("group", name="Map of Rye Lane ward").is_visible()
    assert not without_js.get_by_role("region", name=MAP).is_visible()
    assert asked == []
