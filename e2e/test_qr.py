"""The QR channel in a real browser (issue 4 "Show": "A browser test of the `/q/{code}` journey on a 360 px screen";
SPEC §6 "QR codes").

A coordinator makes a code through the API; the code's PNG (and its A4 poster) is decoded with two independent
decoders, `zbarimg` (Debian zbar-tools, poppler-utils' `pdftoppm` for the poster) and zxing-cpp (PyPI), and the
decoded address is opened in headless Chromium at 360×800 like a phone that scanned it. With CI=true a missing
decoder FAILS the run (the CI script installs them); on a developer's machine it skips.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from PIL import Image

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import BIN, IN_CI, OFFICERS, Browser, Portal, catalogue, csrf_session, missing, multipart, uid

QR_UNIT = "63/rsud-ulin"
QR_UNIT_NAME = "RSUD Ulin Banjarmasin"
COORDINATOR = "koord"  # coordinator of jurisdiction 63 (conftest.OFFICERS)

try:
    import zxingcpp
except ImportError:  # pragma: no cover - depends on the machine
    zxingcpp = None


# --------------------------------------------------------------------------------------------------
# Helpers


def create_code(portal: Portal, label: str | None = None, unit: str = QR_UNIT, location: str | None = None) -> dict:
    body = {"unit": unit, "label": label or f"Loket Poli Anak {uid()}"}
    if location:
        body["location"] = location
    r = portal.api("POST", "/api/v1/qr", COORDINATOR, json=body)
    assert r.status_code == 201, f"POST /api/v1/qr as the coordinator: {r.status_code} {r.text[:500]}"
    code = r.json()
    for key in ("code", "url", "png_url", "svg_url", "poster_url", "snippet_url", "scans", "complaints"):
        assert key in code, f"the created code has no {key!r}: {code}"
    assert code["url"] == portal.url(f"/q/{code['code']}"), f"the code's url is not {portal.base}/q/{{code}}: {code['url']}"
    assert code["scans"] == 0 and code["complaints"] == 0, f"a new code should start at 0 scans and 0 complaints: {code}"
    return code


def listed(portal: Portal, code: str, unit: str = QR_UNIT) -> dict:
    r = portal.api("GET", "/api/v1/qr", COORDINATOR, params={"unit": unit})
    assert r.status_code == 200, f"GET /api/v1/qr?unit={unit}: {r.status_code} {r.text[:300]}"
    rows = [row for row in r.json() if row["code"] == code]
    assert rows, f"code {code} is not in GET /api/v1/qr?unit={unit}"
    return rows[0]


def manage(portal: Portal, code: str, action: str) -> dict:
    r = portal.api("POST", f"/api/v1/qr/{code}/{action}", COORDINATOR)
    assert r.status_code == 200, f"POST /api/v1/qr/{code}/{action}: {r.status_code} {r.text[:300]}"
    return r.json()


def download(portal: Portal, path: str, folder: Path, name: str, content_type: str) -> Path:
    r = requests.get(portal.url(path), timeout=30)
    assert r.status_code == 200, f"GET {path}: {r.status_code} {r.text[:300]}"
    assert r.headers.get("content-type", "").startswith(content_type), f"GET {path} is {r.headers.get('content-type')}, not {content_type}"
    out = folder / name
    out.write_bytes(r.content)
    return out


def _zbarimg() -> str:
    tool = shutil.which("zbarimg")
    if not tool:
        missing("zbarimg is missing: apt-get install -y zbar-tools")
    return tool


def decode_image(path: Path) -> list[str]:
    """The QR payloads in an image, read by zbarimg and (when present, always in CI) zxing-cpp; both must agree."""
    p = subprocess.run([_zbarimg(), "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(path)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, f"zbarimg found no QR code in {path.name} (exit {p.returncode}): {p.stderr.strip()[:300]}"
    by_zbar = [line for line in p.stdout.splitlines() if line.strip()]
    if zxingcpp is None:
        if IN_CI:
            pytest.fail("zxing-cpp is missing: pip install -r qr-conformance/requirements.txt (CI=true: fails, never skips)",
                        pytrace=False)
        return by_zbar
    with Image.open(path) as img:
        by_zxing = [r.text for r in zxingcpp.read_barcodes(img.convert("L")) if r.format == zxingcpp.BarcodeFormat.QRCode]
    assert sorted(by_zbar) == sorted(by_zxing), f"{path.name}: zbarimg read {by_zbar}, zxing-cpp read {by_zxing}"
    return by_zbar


def fill_qr_form(b: Browser, title: str, body: str, email: str = "", phone: str = "", files=()):
    form = b.find("form.report")
    for name, value in (("title", title), ("body", body), ("email", email), ("phone", phone)):
        field = b.find(f"#{name}", within=form)
        field.clear()
        if value:
            field.send_keys(value)
    if files:
        b.find("input[type=file]", within=form).send_keys("\n".join(str(p) for p in files))
    return form


def assert_qr_form(b: Browser, code: str):
    assert b.path == f"/q/{code}", f"expected the QR form at /q/{code}, got {b.url}"
    assert QR_UNIT_NAME in b.h1(), f"the QR form's heading does not name the unit {QR_UNIT_NAME!r}: {b.h1()!r}"
    form = b.form_for(f"/q/{code}")
    assert form is not None, f"the page at /q/{code} has no form posting back to /q/{code}"
    assert not b.finds("select[name=target_unit], select[name=jurisdiction]", within=form), \
        "the QR form asks for the unit or jurisdiction, though the code presets it"
    return form


def assert_qr_mark(stored: dict, code: str):
    """The officers see which code a complaint came through (issue 4: "marked with its unit and QR code")."""
    assert "qr_code" in stored, (f"GET /api/v1/complaints/{stored['tracking_id']} does not say which QR code the complaint "
                                 f"came through (no qr_code field; fields: {sorted(stored)})")
    assert stored["qr_code"] == code, f"the complaint is marked with QR code {stored['qr_code']!r}, not {code}"


def submit_visible_at_phone(b: Browser, label: str):
    button = b.find("form.report button[type=submit]")
    b.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    assert button.is_displayed() and button.is_enabled(), f"{label}: the submit button is not visible at 360 px"


def open_replaced(b: Browser, portal: Portal) -> tuple[dict, dict]:
    """A code rotated once; the browser on the old code's page."""
    old = create_code(portal, label=f"Loket Farmasi {uid()}")
    new = manage(portal, old["code"], "rotate")
    b.go(f"/q/{old['code']}")
    return old, new


def open_inactive(b: Browser, portal: Portal) -> dict:
    code = create_code(portal, label=f"Loket Radiologi {uid()}")
    manage(portal, code["code"], "deactivate")
    b.go(f"/q/{code['code']}")
    return code


# --------------------------------------------------------------------------------------------------
# (0) The officers' QR page, /petugas/qr (first in this file, so that its screenshot shows few codes)


def sign_in(b: Browser, user: str = COORDINATOR):
    b.go("/petugas/masuk")
    form = b.form_for("/petugas/masuk")
    assert form is not None, "/petugas/masuk has no sign-in form posting to /petugas/masuk"
    b.find("#username", within=form).send_keys(user)
    b.find("#password", within=form).send_keys(OFFICERS[user][0])
    b.submit_form(form)
    assert b.path == "/petugas", f"signing in as {user} should lead to /petugas, got {b.url}\n{b.form_errors() or b.text()[:800]}"


def qr_card(b: Browser, code: str | None = None, label: str | None = None):
    cards = [c for c in b.finds("article.qr-card")
             if (code is None or c.get_attribute("data-code") == code) and (label is None or label in c.text)]
    assert cards, f"no card on /petugas/qr for code={code} label={label!r}:\n{b.text()[:1500]}"
    return cards[0]


def card_fact(b: Browser, card, key: str) -> str:
    term = catalogue("id")[key]
    dd = card.find_elements(By.XPATH, f".//dt[normalize-space()='{term}']/following-sibling::dd[1]")
    assert dd, f"the card of {card.get_attribute('data-code')} has no {term!r}"
    return dd[0].text.strip()


def test_officer_qr_page_create_count_rotate(browser: Browser, officers, tmp_path):
    """The coordinator signs in, makes a code with the page's form, sees its scans, complaints and conversion,
    downloads its images and poster, copies the snippet, and rotates it with the button."""
    b, tag = browser, uid()
    r = requests.get(officers.url("/petugas/qr"), allow_redirects=False, timeout=15)
    to = urlparse(r.headers.get("location", ""))
    assert r.status_code in (302, 303) and to.path == "/petugas/masuk" and parse_qs(to.query).get("next") in (None, ["/petugas/qr"]), \
        f"/petugas/qr without signing in should redirect to /petugas/masuk (next=/petugas/qr), got {r.status_code} {r.headers.get('location')}"

    sign_in(b)
    links = b.finds("a[href='/petugas/qr']")
    assert links, "the officer's home page does not link to /petugas/qr"
    b.click(links[0])
    assert b.path == "/petugas/qr", f"the link should open /petugas/qr, got {b.url}"

    # Create through the page.
    label, location = f"Loket Poli Anak {tag}", f"Gedung A lantai 1 {tag}"
    form = b.form_for("/petugas/qr")
    assert form is not None, "/petugas/qr has no create form for the coordinator"
    Select(b.find("select[name=unit]", within=form)).select_by_value(QR_UNIT)
    b.find("[name=label]", within=form).send_keys(label)
    b.find("[name=location]", within=form).send_keys(location)
    b.submit_form(form)
    assert b.path == "/petugas/qr", f"creating a code should come back to /petugas/qr, got {b.url}"
    assert b.has("[role=status]"), "no confirmation after creating a code"
    card = qr_card(b, label=label)
    code = card.get_attribute("data-code")
    assert code and QR_UNIT_NAME in card.text and location in card.text, f"the new code's card:\n{card.text}"
    row = listed(officers, code)
    assert (row["label"], row["location"], row["active"]) == (label, location, True), f"the code made on the page: {row}"
    assert card.find_element(By.CSS_SELECTOR, "dd.scans").text.strip() == "0"
    assert card.find_element(By.CSS_SELECTOR, "dd.complaints").text.strip() == "0"

    # Downloads: SVG, PNG (decodes to the code's address), poster PDF; the snippet, read-only.
    hrefs = [a.get_attribute("href") for a in card.find_elements(By.CSS_SELECTOR, "a")]
    wanted = {"SVG": (".svg", "image/svg+xml"), "PNG": (".png", "image/png"), "poster": ("/poster.pdf", "application/pdf")}
    for what, (suffix, ctype) in wanted.items():
        found = [h for h in hrefs if urlparse(h).path == f"/api/v1/qr/{code}{suffix}"]
        assert found, f"the card of {code} has no {what} download link (…/{code}{suffix}); links: {hrefs}"
        saved = download(officers, found[0], tmp_path, f"dl-{what}{suffix.replace('/', '-')}", ctype)
        if what == "PNG":
            assert decode_image(saved) == [row["url"]], "the PNG offered on the page does not decode to the code's address"
    area = card.find_element(By.CSS_SELECTOR, "textarea")
    assert area.get_attribute("readonly") is not None, "the snippet's textarea is not read-only"
    assert f'href="{row["url"]}"' in area.get_attribute("value"), f"the snippet does not link to {row['url']}"

    # Two scans and one complaint through the code; the page shows the same counts as the API.
    for _ in range(2):
        assert requests.get(officers.url(f"/q/{code}"), timeout=15).status_code == 200
    s, token = csrf_session(officers, f"/q/{code}")
    r = s.post(officers.url(f"/q/{code}"), allow_redirects=False, timeout=15, files=multipart({
        "_csrf": token, "type": "pengaduan", "title": f"Ruang tunggu panas {tag}",
        "body": "Pendingin udara di ruang tunggu poli anak mati, anak-anak kepanasan."}))
    assert r.status_code == 303, f"the QR complaint was not accepted: {r.status_code}"
    row = listed(officers, code)
    assert row["scans"] >= 3 and row["complaints"] == 1, f"the API counts after 3 scans and 1 complaint: {row}"
    b.driver.refresh()
    card = qr_card(b, code=code)
    assert card.find_element(By.CSS_SELECTOR, "dd.scans").text.strip() == str(row["scans"]), "the page's scans differ from the API's"
    assert card.find_element(By.CSS_SELECTOR, "dd.complaints").text.strip() == "1", "the page does not count the complaint"
    conversion = card_fact(b, card, "officer_qr_conversion")
    assert conversion == f"{100 * row['complaints'] / row['scans']:.0f}%", \
        f"the page shows conversion {conversion!r} for {row['complaints']} complaint(s) over {row['scans']} scans"

    # Rotate with the button.
    rotate = [f for f in card.find_elements(By.CSS_SELECTOR, "form") if (f.get_attribute("action") or "").endswith(f"/petugas/qr/{code}/rotate")]
    assert rotate, f"the card of {code} has no rotate button"
    b.submit_form(rotate[0])
    assert b.path == "/petugas/qr" and b.has("[role=status]"), f"rotating should come back to /petugas/qr with a message, got {b.url}"
    new = listed(officers, code)["replaced_by"]
    assert new, f"rotating with the button did not replace {code}: {listed(officers, code)}"
    old_card = qr_card(b, code=code)
    assert not old_card.find_elements(By.CSS_SELECTOR, "form"), "the replaced code still offers rotate/deactivate"
    assert new in old_card.text, f"the replaced code's card does not name its successor {new}"
    new_card = qr_card(b, code=new)
    assert label in new_card.text and new_card.find_elements(By.CSS_SELECTOR, f"form[action$='/petugas/qr/{new}/rotate']"), \
        "the new code's card lacks the label or its buttons"
    assert listed(officers, new)["active"] is True

    b.axe("/petugas/qr (desktop)")
    b.screenshot("officer-qr")
    b.resize("phone")
    b.driver.refresh()
    b.layout_at_phone("/petugas/qr")
    b.axe("/petugas/qr at 360 px")

    # Deactivate with the button: the code's page then leads to the general form.
    deactivate = b.find(f"article.qr-card[data-code='{new}'] form[action$='/petugas/qr/{new}/deactivate']")
    b.submit_form(deactivate)
    assert listed(officers, new)["active"] is False, "the deactivate button did not deactivate the code"
    b.go(f"/q/{new}")
    assert b.has("main a[href='/lapor']"), "the deactivated code's page does not link to /lapor"


def test_officer_qr_page_for_the_unit_is_read_only(browser: Browser, officers):
    """The unit's liaison sees its codes' counts but no create form and no buttons (coordinator only)."""
    b = browser
    code = create_code(officers, label=f"Loket IGD {uid()}")
    sign_in(b, "dinkes")
    b.go("/petugas/qr")
    assert b.path == "/petugas/qr", f"the liaison cannot open /petugas/qr: {b.url}"
    card = qr_card(b, code=code["code"])
    assert card.find_element(By.CSS_SELECTOR, "dd.scans").text.strip() == "0"
    assert not b.form_for("/petugas/qr"), "the liaison is offered the create form"
    assert not card.find_elements(By.CSS_SELECTOR, "form"), "the liaison is offered rotate/deactivate"


# --------------------------------------------------------------------------------------------------
# (1) The journey at 360×800


def test_scan_and_report_at_360px(phone: Browser, officers, images, tmp_path):
    """Create a code, decode its PNG, open the decoded address on a phone, report with a photo, and see the
    complaint (channel qr) and the code's counts in the API."""
    b, tag = phone, uid()
    code = create_code(officers, label=f"Loket Poli Anak {tag}")
    assert code["png_url"] == f"/api/v1/qr/{code['code']}.png", f"png_url: {code['png_url']}"
    png = download(officers, code["png_url"], tmp_path, "code.png", "image/png")
    decoded = decode_image(png)
    assert decoded == [code["url"]], f"the PNG decodes to {decoded}, not the code's address {code['url']}"

    # The phone opens what it read.
    b.driver.get(decoded[0])
    assert_qr_form(b, code["code"])
    assert code["label"] in b.text(), f"the QR form does not show the service point's label {code['label']!r}"
    b.layout_at_phone("QR form")
    submit_visible_at_phone(b, "QR form")
    b.screenshot("qr-form")

    title = f"Antrean poli anak tidak bergerak {tag}"
    body = f"Sudah dua jam menunggu di loket poli anak, nomor antrean tidak dipanggil sama sekali. Catatan {tag}."
    email = f"ibu.{tag}@example.org"
    form = fill_qr_form(b, title, body, email=email, phone="081355550123", files=[images[0]])
    b.submit_form(form)
    assert b.path == "/lapor/terkirim", f"submitting the QR form should lead to /lapor/terkirim, got {b.url}\n{b.form_errors() or b.text()[:1500]}"
    receipt = b.receipt()
    assert re.fullmatch(r"[0-9A-Z]{6,20}", receipt.tracking_id), f"no canonical tracking ID on the receipt: {receipt.tracking_id!r}"
    assert receipt.pin and f"/t/{receipt.tracking_id}?s=" in receipt.link, "the receipt lacks the PIN or the secret link"
    b.layout_at_phone("receipt after a QR report")

    stored = officers.complaint(receipt.tracking_id)
    assert stored["channel"] == "qr", f"a complaint through /q/{{code}} should have channel qr, got {stored['channel']!r}"
    assert stored["target_unit"] == QR_UNIT, f"the complaint's target unit is {stored.get('target_unit')!r}, not the code's {QR_UNIT}"
    assert stored["jurisdiction"] == "63", f"the complaint's jurisdiction is {stored.get('jurisdiction')!r}"
    assert stored["state"] == "baru", f"a new QR complaint should wait in the coordinator's queue (baru), got {stored['state']}"
    assert stored["title"] == title and stored["body"] == body
    types = [a["content_type"] for a in stored.get("attachments") or []]
    assert types == ["image/jpeg"], f"the photo was not stored: {stored.get('attachments')}"

    row = listed(officers, code["code"])
    assert row["scans"] >= 1, f"opening the QR page was not counted as a scan: {row}"
    assert row["complaints"] == 1, f"the code should count 1 complaint: {row}"
    assert row["conversion"] == pytest.approx(row["complaints"] / row["scans"]), f"conversion is not complaints/scans: {row}"
    assert_qr_mark(stored, code["code"])


def test_code_made_with_the_cli_opens_the_form(phone: Browser, portal):
    """`aduan qr create` prints the code, then its address; that address opens the form."""
    env = dict(os.environ, ADUAN_DATA_DIR=portal.data_dir, ADUAN_BASE_URL=portal.base, LOG_LEVEL="warning")
    env.pop("DATABASE_URL", None)
    p = subprocess.run([str(BIN), "qr", "create", "--unit", QR_UNIT, "--label", "Loket Poli Anak"], env=env,
                       capture_output=True, text=True, timeout=60, cwd=portal.data_dir)
    assert p.returncode == 0, f"aduan qr create failed ({p.returncode}):\n{p.stdout}\n{p.stderr}"
    lines = [line.strip() for line in p.stdout.splitlines() if line.strip()]
    assert len(lines) >= 2, f"aduan qr create should print the code then the URL, printed:\n{p.stdout}"
    code, url = lines[0], lines[1]
    assert url == portal.url(f"/q/{code}"), f"aduan qr create printed {url!r}, not {portal.base}/q/{code}"
    phone.driver.get(url)
    assert_qr_form(phone, code)


# --------------------------------------------------------------------------------------------------
# (2) Validation, and the same protections as the portal form


def test_validation_errors_keep_the_unit_and_the_input(phone: Browser, officers):
    b, tag = phone, uid()
    code = create_code(officers)
    b.go(f"/q/{code['code']}")
    email = f"warga.{tag}@example.org"
    form = fill_qr_form(b, title="", body="pendek", email=email, phone="081355550999")
    b.submit_form(form)
    assert_qr_form(b, code["code"])
    assert b.has("[role=alert]"), "no error summary on the QR form with errors"
    for field in ("title", "body"):
        errors = b.finds(f"#{field}-error")
        assert errors and errors[0].is_displayed(), f"no message next to the {field} field"
        assert b.find(f"#{field}").get_attribute("aria-invalid") == "true", f"{field} is not marked aria-invalid"
        assert f"{field}-error" in (b.find(f"#{field}").get_attribute("aria-describedby") or "").split(), \
            f"{field} is not described by its message"
    assert b.find("#body").get_attribute("value") == "pendek", "the body typed was lost"
    assert b.find("#email").get_attribute("value") == email, "the e-mail typed was lost"
    assert b.find("#phone").get_attribute("value") == "081355550999", "the phone typed was lost"
    b.layout_at_phone("QR form with errors")
    submit_visible_at_phone(b, "QR form with errors")
    b.axe("QR form with errors at 360 px")

    # Corrected, the same page sends the complaint to the code's unit.
    form = fill_qr_form(b, title=f"Toilet ruang tunggu rusak {tag}",
                        body=f"Toilet di ruang tunggu poli anak rusak dan tidak bisa dipakai sejak kemarin {tag}.",
                        email=email, phone="081355550999")
    b.submit_form(form)
    assert b.path == "/lapor/terkirim", f"the corrected QR form should be accepted, got {b.url}\n{b.form_errors() or b.text()[:1000]}"
    stored = officers.complaint(b.receipt().tracking_id)
    assert (stored["channel"], stored["target_unit"]) == ("qr", QR_UNIT), stored
    assert listed(officers, code["code"])["complaints"] == 1, "a form sent back with errors was counted as a complaint"
    assert_qr_mark(stored, code["code"])


def test_qr_form_over_http(portal, officers):
    """422 on errors; 403 without the CSRF token; a filled honeypot is refused; the unit cannot be changed."""
    code = create_code(officers)
    path = f"/q/{code['code']}"
    s, token = csrf_session(portal, path)
    good = {"type": "pengaduan", "title": f"Uji formulir QR {uid()}", "body": "Kursi di ruang tunggu banyak yang patah dan berbahaya."}
    r = s.post(portal.url(path), files=multipart({"_csrf": token, "type": "pengaduan", "title": "", "body": "x"}),
               allow_redirects=False, timeout=15)
    assert r.status_code == 422, f"POST {path} with errors should answer 422, got {r.status_code}"
    assert QR_UNIT_NAME in r.text, "the QR form with errors does not name the unit"
    r = s.post(portal.url(path), files=multipart(good), allow_redirects=False, timeout=15)
    assert r.status_code == 403, f"POST {path} without _csrf should be 403, got {r.status_code}"
    r = s.post(portal.url(path), files=multipart({**good, "_csrf": token, "website": "http://spam.example"}), allow_redirects=False, timeout=15)
    assert r.status_code in (400, 422), f"POST {path} with the honeypot filled should be refused, got {r.status_code}"
    assert listed(officers, code["code"])["complaints"] == 0, "a refused POST was stored as a complaint"
    # A crafted target_unit/jurisdiction does not move the complaint away from the code's unit.
    r = s.post(portal.url(path), files=multipart({**good, "_csrf": token, "target_unit": "63/dinkes", "jurisdiction": "6371"}),
               allow_redirects=False, timeout=15)
    assert r.status_code == 303 and r.headers.get("location", "").endswith("/lapor/terkirim"), \
        f"a valid POST {path} should be 303 to /lapor/terkirim, got {r.status_code} {r.headers.get('location')}"
    assert listed(officers, code["code"])["complaints"] == 1
    r = requests.get(portal.url("/q/TIDAKADA99"), timeout=15)
    assert r.status_code == 404 and r.headers.get("content-type", "").startswith("text/html"), \
        f"an unknown code should be a friendly 404 page, got {r.status_code} {r.headers.get('content-type')}"


# --------------------------------------------------------------------------------------------------
# (3) Rotated and deactivated codes


def test_rotated_code_leads_to_the_new_form(phone: Browser, officers):
    b = phone
    old, new = open_replaced(b, officers)
    assert new["code"] != old["code"] and new["unit"] == QR_UNIT and new["label"] == old["label"], \
        f"rotating should give a new code for the same unit and label: {new}"
    row = listed(officers, old["code"])
    assert row["active"] is False and row["replaced_by"] == new["code"], f"the old code is not marked replaced: {row}"
    assert b.path == f"/q/{old['code']}", f"the old code's address moved to {b.url}"
    assert not b.has("form.report"), "the rotated code still shows the report form"
    assert QR_UNIT_NAME in b.text(), "the replaced page does not name the unit"
    links = b.finds(f"main a[href='/q/{new['code']}'], a[href='/q/{new['code']}']")
    assert links, f"the replaced page does not link to the new code /q/{new['code']}:\n{b.text()[:800]}"
    b.layout_at_phone("replaced code page")
    b.click(links[0])
    assert_qr_form(b, new["code"])

    # The old address still answers 200 (a printed poster is not an error).
    r = requests.get(officers.url(f"/q/{old['code']}"), timeout=15)
    assert r.status_code == 200, f"the replaced page should answer 200, got {r.status_code}"


def test_deactivated_code_leads_to_the_general_form(phone: Browser, officers):
    b = phone
    code = open_inactive(b, officers)
    row = listed(officers, code["code"])
    assert row["active"] is False and not row.get("replaced_by"), f"the deactivated code: {row}"
    assert not b.has("form.report"), "the deactivated code still shows the report form"
    assert QR_UNIT_NAME in b.text(), "the inactive page does not name the unit"
    links = b.finds("main a[href='/lapor'], a.button[href='/lapor']")
    assert links, f"the inactive code's page does not link to /lapor:\n{b.text()[:800]}"
    b.layout_at_phone("inactive code page")
    b.click(links[0])
    assert b.path == "/lapor" and b.has("form.report"), f"the link should open the general form, got {b.url}"
    r = officers.api("POST", f"/api/v1/qr/{code['code']}/rotate", COORDINATOR)
    assert r.status_code == 409, f"rotating an inactive code should be refused with 409, got {r.status_code}"


# --------------------------------------------------------------------------------------------------
# (4) Accessibility


@pytest.mark.parametrize("kind", ["phone", "desktop"])
@pytest.mark.parametrize("page", ["form", "replaced", "inactive"])
def test_axe_on_qr_pages(browser: Browser, officers, page, kind):
    b = browser
    b.resize(kind)
    if page == "form":
        code = create_code(officers)
        b.go(f"/q/{code['code']}")
        assert_qr_form(b, code["code"])
    elif page == "replaced":
        open_replaced(b, officers)
    else:
        open_inactive(b, officers)
    assert b.h1(), f"the QR {page} page has no heading"
    assert b.lang() == "id", f"the QR {page} page has no <html lang=id>"
    b.axe(f"QR {page} page")


# --------------------------------------------------------------------------------------------------
# (5) The poster


def test_poster_pdf_decodes_to_the_codes_address(officers, tmp_path):
    if not shutil.which("pdftoppm"):
        missing("pdftoppm is missing: apt-get install -y poppler-utils")
    code = create_code(officers, label=f"Loket Pendaftaran {uid()}")
    pdf = download(officers, code["poster_url"], tmp_path, "poster.pdf", "application/pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-", "the poster is not a PDF"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60) if shutil.which("pdfinfo") else None
    if info is not None:
        assert info.returncode == 0, f"pdfinfo cannot read the poster: {info.stderr[:300]}"
        size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info.stdout)
        assert size and abs(float(size.group(1)) - 595.28) < 2 and abs(float(size.group(2)) - 841.89) < 2, \
            f"the poster is not A4 portrait:\n{info.stdout}"
    p = subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "poster")],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, f"pdftoppm cannot render the poster: {p.stderr[:300]}"
    pages = sorted(tmp_path.glob("poster*.png"))
    assert pages, "pdftoppm made no image of the poster"
    decoded = decode_image(pages[0])
    assert decoded == [code["url"]], f"the poster decodes to {decoded}, not the code's address {code['url']}"
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, timeout=60).stdout
        assert QR_UNIT_NAME in text, f"the poster does not name the unit:\n{text[:500]}"


def test_svg_decodes_and_snippet_links_the_code(officers, tmp_path):
    """The SVG and the website snippet are what an agency pastes; both lead to the code's form."""
    code = create_code(officers)
    svg = download(officers, code["svg_url"], tmp_path, "code.svg", "image/svg+xml")
    assert svg.read_text().lstrip().startswith(("<svg", "<?xml")), "the SVG download is not SVG"
    r = requests.get(officers.url(code["snippet_url"]), timeout=15)
    assert r.status_code == 200, f"GET {code['snippet_url']}: {r.status_code}"
    assert f'href="{code["url"]}"' in r.text, f"the snippet does not link to {code['url']}:\n{r.text[:500]}"
    assert "<script" not in r.text.lower(), "the website snippet contains a script"
    for bad in ("?size=0", "?size=33", "?level=X"):
        r = requests.get(officers.url(code["png_url"] + bad), timeout=15)
        assert 400 <= r.status_code < 500, f"GET {code['png_url']}{bad} should be refused with a 4xx, got {r.status_code}"
