"""Issue 19, "location on a map", in both languages, at 360 px and 1366 px.

There is no internet here: the test starts its own tile server on loopback (any /z/x/y.png is a PNG drawn with Pillow,
and every request is recorded) and the sysadmin points the tile-server setting at it on the settings page (restored to
OpenStreetMap afterwards). The oracle for positions is the OSM wiki's slippy-map formula, written again below in
Python: a click at a known offset from the map's centre must store the point that offset stands for, and the tiles the
browser asks for must be the ones that formula names.

- A citizen drops a pin by clicking the map, sends the form, and the officer sees the exact pin and coordinates.
- With the keyboard: Enter drops the pin at the cross in the middle, arrows move the map, "remove pin" takes it away.
- Without JavaScript the map is not shown and the form goes with the address alone; when the tile server does not
  answer, the form says so in the page's language and goes with the address alone too.
- The public tracking page shows a verified report's pin rounded to 3 decimals; a confidential report shows none,
  nor do the public API and Open311.
- axe finds no serious or critical violation on the form with the map, the officer's page and the tracking page.
"""
from __future__ import annotations

import io
import math
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from PIL import Image, ImageDraw
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from conftest import UNIT, Browser, catalogue, default_report, free_port, make_driver, signed_in_desks, uid

CENTER = (-3.3194, 114.5908)     # where the form's map opens (set below)
ZOOM = 15
TILE = 256
SIZES = {"phone": (360, 800), "desktop": (1366, 900)}


# -- the oracle: OSM wiki, "Slippy map tilenames" ------------------------------------------------------------------

def world_pixel(lat: float, lng: float, zoom: int) -> tuple[float, float]:
    n = 2.0 ** zoom * TILE
    r = math.radians(lat)
    return (lng + 180.0) / 360.0 * n, (1.0 - math.log(math.tan(r) + 1.0 / math.cos(r)) / math.pi) / 2.0 * n


def lat_lng(x: float, y: float, zoom: int) -> tuple[float, float]:
    n = 2.0 ** zoom * TILE
    return math.degrees(math.atan(math.sinh(math.pi * (1.0 - 2.0 * y / n)))), x / n * 360.0 - 180.0


def public(value: float) -> str:
    """3 decimals, halves away from zero (the server's `GeoPoint.publiclyRounded`)."""
    return f"{math.copysign(math.floor(abs(value) * 1000 + 0.5) / 1000, value):.3f}"


# -- a tile server on loopback ----------------------------------------------------------------------------------------

class Tiles:
    def __init__(self):
        self.requested: list[tuple[int, int, int]] = []
        self.failing = False   # answers 503 to every tile while set (a tile server that is down)
        self.port = free_port()
        tiles = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                parts = self.path.split("?")[0].strip("/").split("/")
                try:
                    z, x, y = int(parts[0]), int(parts[1]), int(parts[2].removesuffix(".png"))
                except (IndexError, ValueError):
                    self.send_error(404)
                    return
                tiles.requested.append((z, x, y))
                if tiles.failing:
                    self.send_error(503)
                    return
                img = Image.new("RGB", (TILE, TILE), (222, 235, 214) if (x + y) % 2 else (236, 228, 212))
                draw = ImageDraw.Draw(img)
                draw.rectangle((0, 0, TILE - 1, TILE - 1), outline=(160, 160, 160))
                draw.text((8, 8), f"{z}/{x}/{y}", fill=(60, 60, 60))
                out = io.BytesIO()
                img.save(out, "PNG")
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(out.tell()))
                self.end_headers()
                self.wfile.write(out.getvalue())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def template(self) -> str:
        return f"http://127.0.0.1:{self.port}/{{z}}/{{x}}/{{y}}.png"


def save_map_setting(admin: Browser, template: str, attribution: str, lat: str, lng: str, zoom: str):
    admin.go("/petugas/admin/pengaturan")
    form = admin.form_for("/petugas/admin/pengaturan/peta")
    assert form is not None, "the settings page has no map form"
    for name, value in (("map_template", template), ("map_attribution", attribution), ("map_lat", lat), ("map_lng", lng), ("map_zoom", zoom)):
        field = admin.find(f"#{name}", within=form)
        field.clear()
        field.send_keys(value)
    admin.submit_form(form)
    assert admin.path == "/petugas/admin/pengaturan" and admin.notice(), f"the map setting was not saved:\n{admin.form_errors() or admin.text()[:800]}"


@pytest.fixture(scope="module")
def tiles(portal, chromium, officers):
    server = Tiles()
    with signed_in_desks(portal, ("admin",)) as desks:
        save_map_setting(desks["admin"], server.template, "© OpenStreetMap contributors (uji)", str(CENTER[0]), str(CENTER[1]), str(ZOOM))
        try:
            yield server
        finally:
            save_map_setting(desks["admin"], "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "© OpenStreetMap contributors",
                             "-3.3194", "114.5908", "12")
            server.server.shutdown()


@pytest.fixture(scope="module")
def koord(portal, chromium, officers):
    with signed_in_desks(portal, ("koord",)) as desks:
        yield desks["koord"]


def sized(b: Browser, size: str) -> Browser:
    width, height = SIZES[size]
    b.kind = "phone" if size == "phone" else "desktop"
    b.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": size == "phone"})
    if size == "phone":
        b.driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 1})
    return b


def open_form(b: Browser, lang: str):
    b.go(f"/bahasa/{lang}?next=/lapor")
    assert b.lang() == lang
    b.wait_for(lambda: b.find("#map-picker").is_displayed(), "the map to be shown (map.js)")
    b.wait_for(lambda: b.driver.execute_script(
        "const t = document.querySelectorAll('#map-picker img.map-tile');"
        "return t.length > 0 && Array.prototype.every.call(t, i => i.complete && i.naturalWidth === 256);"), "the tiles to load")
    view = b.find(".map-view")
    b.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", view)
    return view


def pin_fields(b: Browser) -> tuple[str, str]:
    return b.find("input[name=lat]").get_attribute("value"), b.find("input[name=lng]").get_attribute("value")


@pytest.mark.parametrize("size", ["phone", "desktop"])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_citizen_drops_a_pin_and_the_officer_sees_it(portal, tiles, koord, browser, lang, size):
    words = catalogue(lang)
    b = sized(browser, size)
    view = open_form(b, lang)
    # The tiles asked for are those around the configured centre at its zoom.
    cx, cy = world_pixel(*CENTER, ZOOM)
    assert (ZOOM, int(cx // TILE), int(cy // TILE)) in tiles.requested, f"tile of the centre not requested: {tiles.requested[-12:]}"
    assert words["map_legend"] in b.text() and "© OpenStreetMap contributors (uji)" in b.text()
    if size == "phone":
        b.layout_at_phone(f"the report form with the map ({lang})")
    b.axe(f"the report form with the map ({lang}, {size})")

    # A click 60 px right of and 40 px above the middle of the map.
    dx, dy = 60, -40
    ActionChains(b.driver).move_to_element_with_offset(view, dx, dy).click().perform()
    b.wait_for(lambda: pin_fields(b)[0] != "", "the pin's coordinates in the form")
    lat, lng = (float(v) for v in pin_fields(b))
    want_lat, want_lng = lat_lng(cx + dx, cy + dy, ZOOM)
    # One pixel at zoom 15 is 4.3e-5 degrees: the click may land a pixel or two off, a wrong formula lands tens away.
    assert abs(lat - want_lat) < 1.5e-4 and abs(lng - want_lng) < 1.5e-4, f"pin at {lat},{lng}, expected about {want_lat},{want_lng}"
    assert lng > CENTER[1] and lat > CENTER[0], "right of and above the centre is east and north"
    status = b.find(".map-status").text
    assert status == words["map_said_dropped"].replace("{coordinates}", f"{lat:.6f}, {lng:.6f}"), status
    assert b.find("[data-map=remove]").is_displayed() and b.find(".map-marker").is_displayed()

    tag = uid()
    form = b.fill_report(default_report(tag))
    b.submit_form(form)
    assert b.path == "/lapor/terkirim", b.form_errors() or b.text()[:800]
    tid = b.receipt().tracking_id
    stored = portal.complaint(tid)
    assert abs(stored["lat"] - lat) < 1e-9 and abs(stored["lng"] - lng) < 1e-9 and stored["address"]

    # The officer's page: the exact coordinates, a map of zoom 17 from the configured server with the pin.
    koord.go(f"/bahasa/{lang}?next=/petugas/aduan/{tid}")
    assert koord.find("#place-coordinates").text == f"{lat:.6f}, {lng:.6f}"
    tx, ty = world_pixel(lat, lng, 17)
    hrefs = [i.get_attribute("href") for i in koord.finds("svg.map-svg image")]
    assert f"http://127.0.0.1:{tiles.port}/17/{int(tx // TILE)}/{int(ty // TILE)}.png" in hrefs, hrefs
    assert koord.find("svg.map-svg").get_attribute("aria-label") == words["map_pin_label"].replace("{coordinates}", f"{lat:.6f}, {lng:.6f}")
    koord.wait_for(lambda: (17, int(tx // TILE), int(ty // TILE)) in tiles.requested, "the officer's browser to load the tile")
    koord.axe(f"the officer's complaint page with the pin ({lang})")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_keyboard_drops_moves_and_removes_the_pin(portal, tiles, browser, lang):
    words = catalogue(lang)
    b = sized(browser, "phone")
    view = open_form(b, lang)
    b.driver.execute_script("arguments[0].focus()", view)
    assert b.driver.switch_to.active_element == view, "the map takes the keyboard focus"
    keys = lambda *k: ActionChains(b.driver).send_keys(*k).perform()  # noqa: E731  (to the focused map)
    keys(Keys.ENTER)
    b.wait_for(lambda: pin_fields(b)[0] != "", "Enter to drop the pin")
    lat, lng = (float(v) for v in pin_fields(b))
    assert abs(lat - CENTER[0]) < 2e-6 and abs(lng - CENTER[1]) < 2e-6, "Enter drops the pin at the cross in the middle"
    keys(Keys.ARROW_RIGHT)   # the map moves 64 px east: the cross is now over a point further east
    keys(Keys.ENTER)
    moved_lat, moved_lng = (float(v) for v in pin_fields(b))
    cx, cy = world_pixel(*CENTER, ZOOM)
    want = lat_lng(cx + 64, cy, ZOOM)
    assert abs(moved_lng - want[1]) < 2e-6 and abs(moved_lat - want[0]) < 2e-6, (moved_lat, moved_lng, want)
    b.click(b.find("[data-map=remove]"))
    assert pin_fields(b) == ("", "")
    assert b.find(".map-status").text == words["map_said_removed"]
    assert not b.find(".map-marker").is_displayed()
    form = b.fill_report(default_report())
    b.submit_form(form)
    assert b.path == "/lapor/terkirim", b.form_errors()
    stored = portal.complaint(b.receipt().tracking_id)
    assert stored.get("lat") is None and stored.get("lng") is None


@pytest.mark.parametrize("lang", ["id", "en"])
def test_when_tiles_do_not_load_the_form_says_so_and_goes_with_the_address(portal, tiles, browser, lang):
    words = catalogue(lang)
    b = sized(browser, "phone")
    tiles.failing = True
    try:
        b.go(f"/bahasa/{lang}?next=/lapor")
        b.wait_for(lambda: "map-failed" in (b.find("#map-picker").get_attribute("class") or ""), "the map to give up on its tiles")
        assert b.find(".map-status").text == words["map_said_failed"]
        assert not b.find(".map-view").is_displayed() and pin_fields(b) == ("", "")
        b.layout_at_phone(f"the report form whose tiles failed ({lang})")
        b.axe(f"the report form whose tiles failed ({lang})")
        data = default_report(address=f"Jl. Veteran gang 3 {uid()}")
        b.submit_form(b.fill_report(data))
        assert b.path == "/lapor/terkirim", b.form_errors() or b.text()[:800]
        stored = portal.complaint(b.receipt().tracking_id)
        assert stored["address"] == data["address"] and stored.get("lat") is None
    finally:
        tiles.failing = False


@pytest.mark.parametrize("lang", ["id", "en"])
def test_without_javascript_the_address_alone_is_sent(portal, tiles, chromium, lang):
    b = Browser(make_driver(javascript=False), portal)
    try:
        sized(b, "phone")
        b.go(f"/bahasa/{lang}?next=/lapor")
        assert b.lang() == lang
        assert b.has("#map-picker") and not b.find("#map-picker").is_displayed(), "without JavaScript the map stays hidden"
        assert b.find("#address").is_displayed()
        b.layout_at_phone(f"the report form without JavaScript ({lang})")
        data = default_report(address=f"Jl. Pangeran Antasari no. 12 {uid()}")
        form = b.fill_report(data)
        b.submit_form(form)
        assert b.path == "/lapor/terkirim", b.form_errors() or b.text()[:800]
        stored = portal.complaint(b.receipt().tracking_id)
        assert stored["address"] == data["address"] and stored.get("lat") is None and stored.get("lng") is None
    finally:
        b.driver.quit()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_public_pages_show_a_rounded_pin_and_none_for_confidential_reports(portal, tiles, browser, lang):
    words = catalogue(lang)
    exact = (-3.3164876, 114.5937625)
    shown = portal.submit_api(title=f"Drainase tersumbat {uid()}", lat=exact[0], lng=exact[1], address="Jl. Lambung Mangkurat")["tracking_id"]
    portal.act(shown, "verify", "koord", unit=UNIT)
    hidden = portal.submit_api(title=f"Pungutan liar di kantor {uid()}", lat=-3.2971234, lng=114.6012345, confidential=True)["tracking_id"]
    portal.act(hidden, "verify", "koord", unit=UNIT)

    b = sized(browser, "phone")
    b.go(f"/bahasa/{lang}?next=/t/{shown}")
    rounded = f"{public(exact[0])}, {public(exact[1])}"
    assert rounded == "-3.316, 114.594"
    assert b.find("#place-coordinates").text == rounded
    assert words["map_rounded_note"] in b.text()
    source = b.html()
    assert "3164876" not in source and "5937625" not in source and "-3.316487" not in source
    px, py = world_pixel(-3.316, 114.594, 15)
    hrefs = [i.get_attribute("href") for i in b.finds("svg.map-svg image")]
    assert f"http://127.0.0.1:{tiles.port}/15/{int(px // TILE)}/{int(py // TILE)}.png" in hrefs, hrefs
    b.layout_at_phone(f"the tracking page with a rounded pin ({lang})")
    b.axe(f"the tracking page with a rounded pin ({lang})")

    b.go(f"/t/{hidden}")
    assert "-3.297" not in b.html() and "114.601" not in b.html() and not b.has("#place-coordinates")

    api = requests.get(portal.url(f"/api/v1/complaints/{shown}"), timeout=15).json()
    assert (api["lat"], api["lng"]) == (-3.316, 114.594)
    assert requests.get(portal.url(f"/api/v1/complaints/{hidden}"), timeout=15).status_code == 404
    georeport = requests.get(portal.url("/open311/v2/requests.json"), timeout=15).text
    assert "114.5937625" not in georeport and "114.6012345" not in georeport and "114.601" not in georeport
