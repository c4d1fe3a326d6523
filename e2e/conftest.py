"""Browser tests of the public portal, the QR channel and the officer workspace (issues 3, 4, 5; SPEC §3, §6, §7, §9, §11).

One `aduan serve` per session on a random port with a temporary data folder and the officers of
`OFFICERS`; headless Chromium from Debian (`chromium` + `chromium-driver`) driven by selenium; axe-core
(axe-selenium-python) for accessibility. With CI=true a missing browser, driver or server binary FAILS
the run: it is never skipped.

Environment: ADUAN_BIN (default .build/debug/aduan), CHROMIUM_BIN (/usr/bin/chromium),
CHROMEDRIVER_BIN (/usr/bin/chromedriver), E2E_KEEP_DATA=1 keeps the server's data folder and log.
"""
from __future__ import annotations

import base64
import contextlib
import datetime as dt
import itertools
import json
import os
import re
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests
from axe_selenium_python import Axe
from PIL import Image
from selenium import webdriver
from selenium.common.exceptions import (ElementClickInterceptedException, ElementNotInteractableException,
                                        TimeoutException)
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "testsupport"))
from aduan_server import free_port, run, serving  # noqa: E402  (shared with open311-conformance/)

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(os.environ.get("ADUAN_BIN") or ROOT / ".build" / "debug" / "aduan")
if not BIN.is_absolute():
    BIN = (Path.cwd() / BIN).resolve()
CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")
IN_CI = os.environ.get("CI", "").lower() == "true"
SCREENSHOTS = ROOT / "docs" / "screenshots"
CATALOGUES = ROOT / "Sources" / "App" / "Resources" / "i18n"

try:  # a current axe-core for axe-selenium-python to inject (see requirements.txt)
    import axe_core_python
    AXE_SCRIPT = str(Path(axe_core_python.__file__).parent / "axe.min.js")
except ImportError:
    if IN_CI:
        raise
    AXE_SCRIPT = None

SIZES = {"phone": (360, 800), "desktop": (1280, 900)}
# Each becomes `aduan user create --username NAME --password … --role … --scope …` before the server starts.
OFFICERS = {
    "koord": ("koord-password-1", "coordinator", "63"),
    "dinkes": ("dinkes-password-1", "liaison", "63/dinkes"),
    "pupr": ("pupr-password-1", "liaison", "63/dpupr"),
    "kadinkes": ("kadinkes-password-1", "unit_head", "63/dinkes"),
    # Enrols in two-factor during e2e/test_officer.py; no other test signs in as this officer.
    "dinkes2fa": ("dinkes2fa-password-1", "liaison", "63/dinkes"),
    # The monitoring journey (e2e/test_monev.py): the provincial and a kota inspectorate, and the governor.
    "irprov": ("irprov-password-1", "inspector", "63"),
    "irkota": ("irkota-password-1", "inspector", "63.71"),
    "gubernur": ("gubernur-password-1", "executive", "63"),
    # The province's sysadmin: API keys and Open311 attributes (e2e/test_admin_keys.py).
    "admin": ("admin-password-1", "sysadmin", "63"),
    # Kota Banjarbaru's coordinator: the SP4N-LAPOR! import journey (e2e/test_lapor_import.py), kept out of the province.
    "koord.bjb": ("koordbjb-password-1", "coordinator", "63.72"),
    # Kabupaten Tanah Laut's coordinator: learned triage on the verify form (e2e/test_triage.py), kept out of the province.
    "koord.tl": ("koordtl-password-1", "coordinator", "63.01"),
}
UNIT = "63/dinkes"
UNIT_PATH = "/unit/63/dinkes"
# The one loopback port the server may send webhooks to (a real receiver in e2e/test_webhook_test_event.py).
WEBHOOK_PORT = free_port()


def missing(what: str):
    """A missing prerequisite: a failure in CI, a skip on a developer's machine."""
    if IN_CI:
        pytest.fail(f"{what} (CI=true: the e2e suite fails rather than skips)", pytrace=False)
    pytest.skip(what)


_counter = itertools.count(1)


def uid() -> str:
    """A short token unique in this run, made only of letters and digits (safe in titles and searches)."""
    return f"{uuid.uuid4().hex[:6]}{next(_counter)}"


def catalogue(lang: str) -> dict:
    path = CATALOGUES / f"{lang}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


# --------------------------------------------------------------------------------------------------
# The server



class Portal:
    """The running server: its base URL, and the officers' side through the JSON API."""

    def __init__(self, base: str, data_dir: str, log_path: Path):
        self.base = base
        self.data_dir = data_dir
        self.log_path = log_path
        self._tokens: dict[str, str] = {}

    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.base + path

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no server log)"

    def token(self, user: str) -> str:
        if user not in self._tokens:
            r = requests.post(self.url("/api/v1/auth/token"), json={"username": user, "password": OFFICERS[user][0]}, timeout=15)
            assert r.status_code == 200, f"officer {user} could not sign in: {r.status_code} {r.text[:300]}"
            self._tokens[user] = r.json()["token"]
        return self._tokens[user]

    def api(self, method: str, path: str, user: str | None = None, **kw) -> requests.Response:
        headers = kw.pop("headers", {})
        if user:
            headers["Authorization"] = f"Bearer {self.token(user)}"
        return requests.request(method, self.url(path), headers=headers, timeout=30, **kw)

    def act(self, tid: str, action: str, user: str, **body) -> dict:
        """An officer's action on a complaint; fails the test with the server's answer if it is refused."""
        r = self.api("POST", f"/api/v1/complaints/{tid}/actions/{action}", user, json=body)
        assert r.status_code == 200, f"officer {user} {action} on {tid}: {r.status_code} {r.text[:500]}"
        return r.json()

    def complaint(self, tid: str, user: str = "koord") -> dict:
        r = self.api("GET", f"/api/v1/complaints/{tid}", user)
        assert r.status_code == 200, f"GET complaint {tid} as {user}: {r.status_code} {r.text[:300]}"
        return r.json()

    def events(self, tid: str, user: str = "koord") -> str:
        r = self.api("GET", f"/api/v1/complaints/{tid}/events", user)
        assert r.status_code == 200, f"GET events of {tid}: {r.status_code} {r.text[:300]}"
        return r.text

    def answer(self, tid: str, tag: str = "") -> dict:
        """The officers take a complaint from `baru` to `ditanggapi` (final answer posted), with public texts."""
        self.act(tid, "verify", "koord", unit=UNIT)
        self.act(tid, "follow_up", "dinkes", text=f"Tindak lanjut: petugas sudah meninjau lokasi {tag}".strip())
        return self.act(tid, "respond_final", "dinkes", text=f"Jawaban akhir: layanan sudah diperbaiki {tag}".strip())

    def submit_api(self, **fields) -> dict:
        """A complaint through the JSON API (for fixtures where the web form is not what is tested)."""
        body = {"title": f"Lampu jalan padam {uid()}", "body": "Lampu jalan di depan sekolah padam sejak dua minggu lalu.",
                "jurisdiction": "63", "reporter": {"name": "Pelapor Uji", "email": "pelapor@example.org"}}
        body.update(fields)
        r = self.api("POST", "/api/v1/complaints", json=body)
        assert r.status_code == 201, f"API submission: {r.status_code} {r.text[:500]}"
        return r.json()



@pytest.fixture(scope="session")
def portal():
    if not (BIN.is_file() and os.access(BIN, os.X_OK)):
        missing(f"server binary {BIN} is missing: run `swift build` first or set ADUAN_BIN")

    def setup(env: dict) -> None:
        env["ADUAN_OUTBOUND_ALLOW"] = f"127.0.0.1:{WEBHOOK_PORT}"
        run([BIN, "migrate"], env, "aduan migrate")
        run([BIN, "seed"], env, "aduan seed")
        for name, (password, role, scope) in OFFICERS.items():
            run([BIN, "user", "create", "--username", name, "--password", password, "--role", role, "--scope", scope], env,
                f"aduan user create {name}")

    with serving(BIN, "aduan-e2e-", "E2E_KEEP_DATA", setup) as (base, data_dir, log_path):
        yield Portal(base, data_dir, log_path)


@pytest.fixture(scope="session")
def officers(portal):
    """Every officer can sign in (their API tokens are cached on the portal; taken before test_officer.py enrols
    dinkes2fa in two-factor, since that test asks for this fixture)."""
    for name in OFFICERS:
        portal.token(name)
    return portal


# --------------------------------------------------------------------------------------------------
# The browser


def _chromium_available():
    for path, what in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromedriver")):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            missing(f"{what} is missing at {path}: apt-get install -y chromium chromium-driver")


def make_driver(javascript: bool = True) -> webdriver.Chrome:
    options = Options()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900",
                "--no-first-run", "--disable-extensions", "--disable-background-networking", "--hide-scrollbars"):
        options.add_argument(arg)
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(60)
    return driver


@dataclass
class Receipt:
    """What the confirmation page shows."""
    tracking_id: str   # canonical (data-tracking-id)
    shown_id: str      # as printed for people
    pin: str
    link: str          # the secret link

    @property
    def secret_path(self) -> str:
        u = urlparse(self.link)
        return u.path + ("?" + u.query if u.query else "")


def default_report(tag: str | None = None, **overrides) -> dict:
    tag = tag or uid()
    data = {
        "type": "pengaduan",
        "title": f"Antrean puskesmas sangat lama {tag}",
        "body": f"Sejak pukul tujuh pagi saya menunggu di puskesmas tetapi loket baru dibuka pukul sepuluh. Catatan {tag}.",
        "incident_date": (dt.date.today() - dt.timedelta(days=3)).isoformat(),
        "jurisdiction": "63",
        "address": "Jl. Ahmad Yani km 5, Banjarmasin",
        "category": "kesehatan",
        "target_unit": UNIT,
        "name": f"Budi Santoso {tag}",
        "email": f"budi.{tag}@example.org",
        "phone": "081234567890",
    }
    data.update(overrides)
    return data


class Browser:
    """A headless Chromium at phone or desktop size, with the helpers the tests share."""

    def __init__(self, driver: webdriver.Chrome, portal: Portal):
        self.driver = driver
        self.portal = portal
        self.kind = "desktop"
        self.resize("desktop")

    # navigation ----------------------------------------------------------------------------------
    def resize(self, kind: str):
        """Emulates the viewport exactly (a phone is a mobile viewport, so a page without a viewport
        meta tag or with fixed widths shows as too wide)."""
        width, height = SIZES[kind]
        self.kind = kind
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": kind == "phone"})
        if kind == "phone":
            self.driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 1})

    def go(self, path: str):
        self.driver.get(self.portal.url(path))
        return self

    @property
    def path(self) -> str:
        return urlparse(self.driver.current_url).path

    @property
    def url(self) -> str:
        return self.driver.current_url

    def find(self, css: str, within=None):
        return (within or self.driver).find_element(By.CSS_SELECTOR, css)

    def finds(self, css: str, within=None) -> list:
        return (within or self.driver).find_elements(By.CSS_SELECTOR, css)

    def has(self, css: str) -> bool:
        return bool(self.finds(css))

    def html(self) -> str:
        return self.driver.page_source

    def text(self) -> str:
        return self.driver.execute_script("return document.body ? document.body.innerText : ''")

    def lang(self) -> str:
        return self.driver.execute_script("return document.documentElement.lang")

    def h1(self) -> str:
        h = self.finds("h1")
        return h[0].text.strip() if h else ""

    def wait_for(self, predicate, what: str, timeout: float = 15):
        try:
            WebDriverWait(self.driver, timeout).until(lambda d: predicate())
        except TimeoutException:
            raise AssertionError(f"timed out waiting for {what}; at {self.url}\n{self.text()[:1500]}") from None

    def click(self, element):
        """A real click, after scrolling the element into view (so an element that cannot be reached fails)."""
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center', inline: 'nearest'})", element)
        element.click()

    def submit_form(self, form, wait: bool = True):
        """Clicks the form's own submit button and waits for the next page."""
        button = self.find("button[type=submit], input[type=submit], button:not([type])", within=form)
        old = self.find("html")
        self.click(button)
        if wait:
            self.wait_for(lambda: _stale(old), "the page after submitting a form")
            self.wait_for(lambda: self.driver.execute_script("return document.readyState") == "complete", "the page to load")

    def form_for(self, action_suffix: str):
        forms = [f for f in self.finds("form") if (f.get_attribute("action") or "").rstrip("/").endswith(action_suffix)]
        return forms[0] if forms else None

    def cookies_clear(self):
        self.driver.delete_all_cookies()

    # officers --------------------------------------------------------------------------------------
    def sign_in(self, user: str, totp: str | None = None, password: str | None = None, expect: str | None = "/petugas"):
        """Signs in on /petugas/masuk (or on the sign-in page already open, e.g. after a redirect with `next`).
        With `expect`, fails unless the browser ends up on that path."""
        if self.path != "/petugas/masuk":
            self.go("/petugas/masuk")
        form = self.form_for("/petugas/masuk")
        assert form is not None, f"{self.url} has no sign-in form posting to /petugas/masuk"
        for name, value in (("username", user), ("password", OFFICERS[user][0] if password is None else password), ("totp", totp or "")):
            field = self.find(f"#{name}", within=form)
            field.clear()
            if value:
                field.send_keys(value)
        self.submit_form(form)
        if expect is not None:
            assert self.path == expect, (f"signing in as {user} should lead to {expect}, got {self.url}\n"
                                         f"{self.form_errors() or self.text()[:800]}")
        return self

    def sign_out(self):
        """The sign-out button in the officer navigation."""
        buttons = self.finds("header nav form[action='/petugas/keluar'] button[type=submit]")
        assert buttons, f"no sign-out button (form posting /petugas/keluar) in the officer navigation at {self.url}"
        old = self.find("html")
        self.click(buttons[0])
        self.wait_for(lambda: _stale(old), "the page after signing out")
        assert self.path == "/petugas/masuk", f"signing out should lead to /petugas/masuk, got {self.url}"
        return self

    def notice(self) -> str:
        shown = self.finds(".notice[role=status]")
        return shown[0].text.strip() if shown else ""

    def alert(self) -> str:
        shown = self.finds(".alert[role=alert]")
        return shown[0].text.strip() if shown else ""

    # checks ---------------------------------------------------------------------------------------
    def axe(self, label: str):
        """Runs axe-core on the current page; fails on any 'serious' or 'critical' violation, listed readably."""
        axe = Axe(self.driver, AXE_SCRIPT) if AXE_SCRIPT else Axe(self.driver)
        axe.inject()
        results = axe.run()
        bad = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
        if bad:
            lines = [f"axe-core {results.get('testEngine', {}).get('version', '?')}: {len(bad)} serious/critical violation(s) on {label} ({self.url}, {self.kind}):"]
            for v in bad:
                lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
                for node in v["nodes"][:8]:
                    lines.append(f"    at {' '.join(map(str, node.get('target', [])))}")
                    lines.append(f"       {node.get('html', '')[:200]}")
                    summary = (node.get("failureSummary") or "").replace("\n", "\n       ")
                    if summary:
                        lines.append(f"       {summary}")
                if len(v["nodes"]) > 8:
                    lines.append(f"    … and {len(v['nodes']) - 8} more")
            pytest.fail("\n".join(lines), pytrace=False)
        return results

    def check_phone_and_desktop(self, label: str):
        """The page at 360 px (layout, then axe) and at the desktop size (axe), in that order; ends at desktop size."""
        for kind in ("phone", "desktop"):
            self.resize(kind)
            if kind == "phone":
                self.layout_at_phone(label)
            self.axe(f"{label} ({kind})")

    def layout_at_phone(self, label: str):
        """At 360 px: no horizontal scrolling, and every visible button can be reached and clicked."""
        metrics = self.driver.execute_script(
            "return {inner: window.innerWidth, scroll: document.documentElement.scrollWidth}")
        # A phone widens its layout viewport to fit content that is too wide, so both numbers must stay at 360.
        assert metrics["inner"] == 360 and metrics["scroll"] <= 360, (
            f"{label}: the page is wider than a 360 px phone (window.innerWidth {metrics['inner']}, "
            f"document.documentElement.scrollWidth {metrics['scroll']}); sticking out: {self.widest()}")
        problems = self.driver.execute_script("""
            const out = [];
            for (const b of document.querySelectorAll('button, input[type=submit]')) {
              if (b.closest('[hidden], [aria-hidden=true]') || b.offsetParent === null) continue;
              const folded = b.closest('details');  // inside a closed <details> (not its summary): not shown
              if (folded && !folded.open && !b.closest('summary')) continue;
              b.scrollIntoView({block: 'center', inline: 'nearest'});
              const r = b.getBoundingClientRect();
              const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
              const label = (b.innerText || b.value || b.outerHTML).trim().slice(0, 60);
              if (r.width < 1 || r.height < 1) out.push(label + ': has no size');
              else if (r.left < 0 || r.right > window.innerWidth + 0.5) out.push(label + ': outside the viewport (' + r.left + '..' + r.right + ')');
              else if (!(hit === b || b.contains(hit))) out.push(label + ': covered by ' + (hit ? hit.outerHTML.slice(0, 80) : 'nothing'));
            }
            window.scrollTo(0, 0);
            return out;""")
        assert not problems, f"{label}: buttons not clickable at 360 px:\n" + "\n".join(problems)

    def widest(self) -> str:
        """The elements that stick out to the right, to say why a page scrolls sideways."""
        return self.driver.execute_script("""
            const w = 360, out = [];
            for (const e of document.querySelectorAll('body *')) {
              const r = e.getBoundingClientRect();
              if (r.right > w + 0.5 && out.length < 5) out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
                 (e.className && typeof e.className === 'string' ? '.' + e.className.trim().replace(/\\s+/g, '.') : '') + ' right=' + Math.round(r.right));
            }
            return out.join(', ') || 'no single element (is there a viewport meta tag?)';""")

    def screenshot(self, name: str) -> Path:
        """Full-page PNG in docs/screenshots/{name}-{phone|desktop}.png, overwriting."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        width, _ = SIZES[self.kind]
        height = self.driver.execute_script(
            "return Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)")
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": min(int(height), 12000), "scale": 1}})
        path = SCREENSHOTS / f"{name}-{self.kind}.png"
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    # the report form ------------------------------------------------------------------------------
    def fill_report(self, data: dict, files: list[Path] = (), anonymous: bool = False, confidential: bool = False):
        """Fills the complaint form on the current page (the form with class `report`) like a person would."""
        form = self.find("form.report")
        if data.get("type"):
            self.check(self.find(f"input[name=type][value='{data['type']}']", within=form), True)
        for name in ("title", "body", "address", "name", "email", "phone"):
            if name in data and self.finds(f"[name='{name}']:not([type=hidden])", within=form):
                field = self.find(f"[name='{name}']:not([type=hidden])", within=form)
                field.clear()
                if data[name]:
                    field.send_keys(data[name])
        if "incident_date" in data:
            # Typing into a date input depends on the browser's locale; set the ISO value as the picker does.
            field = self.find("[name=incident_date]", within=form)
            self.driver.execute_script(
                "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
                "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));", field, data["incident_date"])
        for name in ("jurisdiction", "category", "target_unit"):
            if name in data and self.finds(f"select[name='{name}']", within=form):
                Select(self.find(f"select[name='{name}']", within=form)).select_by_value(data[name])
        self.check(self.find("input[name=anonymous]", within=form), anonymous)
        self.check(self.find("input[name=confidential]", within=form), confidential)
        if files:
            self.find("input[type=file]", within=form).send_keys("\n".join(str(p) for p in files))
        return form

    def check(self, box, state: bool):
        if box.is_selected() == state:
            return
        try:
            self.click(box)
        except (ElementClickInterceptedException, ElementNotInteractableException):
            # A styled control: click its label, as a person would.
            self.click(box.find_element(By.XPATH, "./ancestor::label"))
        assert box.is_selected() == state, f"could not set {box.get_attribute('name')} to {state}"

    def submit_report(self, data: dict | None = None, files: list[Path] = (), anonymous: bool = False,
                      confidential: bool = False, path: str = "/lapor") -> Receipt:
        """Opens the form, fills it, submits it and reads the confirmation page."""
        self.go(path)
        form = self.fill_report(data or default_report(), files, anonymous, confidential)
        self.submit_form(form)
        assert self.path == "/lapor/terkirim", (f"submitting the form should lead to /lapor/terkirim, got {self.url}\n"
                                                f"{self.form_errors() or self.text()[:1500]}")
        return self.receipt()

    def receipt(self) -> Receipt:
        tid = self.find(".tracking-id")
        link = self.find("a.secret-link").get_attribute("href")
        return Receipt(tracking_id=(tid.get_attribute("data-tracking-id") or "").strip(), shown_id=tid.text.strip(),
                       pin=self.find(".pin").text.strip(), link=link)

    def form_errors(self) -> str:
        return "\n".join(e.text for e in self.finds(".error, [role=alert]"))

    # tracking ---------------------------------------------------------------------------------------
    def open_private(self, receipt: Receipt):
        """Follows the secret link; the server sets a cookie and redirects to the clean /t/{id}."""
        self.driver.get(receipt.link)
        self.wait_for(lambda: self.path == f"/t/{receipt.tracking_id}", f"the redirect from the secret link to /t/{receipt.tracking_id}")
        assert "s=" not in urlparse(self.url).query, f"the secret stays in the address bar: {self.url}"
        assert self.is_private(), f"the secret link did not open the private view of {receipt.tracking_id}:\n{self.text()[:1500]}"

    def is_private(self) -> bool:
        return self.form_for("/keluar") is not None


def _stale(element) -> bool:
    try:
        element.tag_name
        return False
    except Exception:
        return True


@contextlib.contextmanager
def signed_in_desks(portal: Portal, roles):
    """One signed-in browser per officer name, closed afterwards (module fixtures of the page checks use it)."""
    opened = {}
    try:
        for role in roles:
            opened[role] = Browser(make_driver(), portal).sign_in(role)
        yield opened
    finally:
        for b in opened.values():
            b.driver.quit()


@pytest.fixture(scope="session")
def chromium():
    _chromium_available()
    return True


@pytest.fixture
def browser(portal, chromium):
    driver = make_driver()
    try:
        yield Browser(driver, portal)
    finally:
        driver.quit()


@pytest.fixture
def phone(browser):
    browser.resize("phone")
    return browser


@pytest.fixture
def person(portal, chromium):
    """A factory of browsers, one per person in a journey (own cookies, own session): `person()` for a
    citizen, `person("koord")` for an officer already signed in. All are closed after the test."""
    drivers = []

    def make(officer: str | None = None, kind: str = "desktop") -> Browser:
        driver = make_driver()
        drivers.append(driver)
        b = Browser(driver, portal)
        if kind != "desktop":
            b.resize(kind)
        if officer:
            b.sign_in(officer)
        return b

    try:
        yield make
    finally:
        for driver in drivers:
            driver.quit()


# --------------------------------------------------------------------------------------------------
# Test data


@pytest.fixture(scope="session")
def images(tmp_path_factory) -> list[Path]:
    """A small JPEG and a small PNG, made here with Pillow."""
    folder = tmp_path_factory.mktemp("attachments")
    jpeg, png = folder / "foto-antrean.jpg", folder / "papan-jadwal.png"
    img = Image.new("RGB", (160, 120), (200, 80, 40))
    for x in range(0, 160, 16):
        for y in range(120):
            img.putpixel((x, y), (20, 120, 200))
    img.save(jpeg, "JPEG", quality=85)
    Image.new("RGBA", (96, 64), (30, 160, 90, 255)).save(png, "PNG")
    return [jpeg, png]


@pytest.fixture(scope="session")
def answered(officers) -> dict:
    """A complaint (through the API) taken to `ditanggapi` by the officers: the private view then shows the
    confirm, dispute and rating forms; the public page a timeline; the unit card and list have a row."""
    sub = officers.submit_api(title=f"Jalan berlubang di depan pasar {uid()}", target_unit=UNIT, category="kesehatan")
    officers.answer(sub["tracking_id"], "contoh")
    sub["secret_path"] = f"/t/{sub['tracking_id']}?s={sub['secret']}"
    return sub


def csrf_session(portal: Portal, path: str = "/lapor", status: int = 200) -> tuple[requests.Session, str]:
    """A requests session holding the CSRF cookie, and the token of the form on `path` (answered with `status`)."""
    s = requests.Session()
    r = s.get(portal.url(path), timeout=15)
    assert r.status_code == status, f"GET {path}: {r.status_code}"
    m = re.search(r'name="_csrf"\s+value="([^"]+)"', r.text) or re.search(r'value="([^"]+)"\s+name="_csrf"', r.text)
    assert m, f"no _csrf field in the form on {path}"
    return s, m.group(1)


def multipart(fields: dict) -> list:
    """Form fields as multipart parts without files (what a browser sends for this form with no attachment)."""
    return [(k, (None, v)) for k, v in fields.items()]
