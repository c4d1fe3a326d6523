"""The citizen's journeys on the public portal, in a real browser (issue 3 "Show"; SPEC §3, §6, §7, §9, §11)."""
from __future__ import annotations

import datetime as dt
import re

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import (SIZES, UNIT, UNIT_PATH, Browser, catalogue, csrf_session, default_report, make_driver, multipart,
                      uid)

MISSING_ID = "/t/0000000000"


def wrong_pin(pin: str) -> str:
    return "".join(str((int(c) + 1) % 10) if c.isdigit() else ("X" if c.upper() != "X" else "Y") for c in pin)


def page_ok(b: Browser, path: str):
    """Opens a public page that must exist (200), so that checks of what it does not show are not vacuous."""
    r = requests.get(b.portal.url(path), timeout=15)
    assert r.status_code == 200, f"{path} should be a page (200), got {r.status_code}"
    b.go(path)


def search_list(b: Browser, query: str):
    """Searches the public list with its own search box, as a visitor would."""
    page_ok(b, "/laporan")
    boxes = b.finds("form input[name=q], form input[type=search]")
    assert boxes, "the list page /laporan has no search box (input name=q or type=search)"
    box = boxes[0]
    box.clear()
    box.send_keys(query)
    b.submit_form(box.find_element(By.XPATH, "./ancestor::form"))


def list_pages(b: Browser, limit: int = 15):
    """Walks the public list from its first page through its rel=next links; yields after each page loads."""
    page_ok(b, "/laporan")
    for _ in range(limit):
        yield b
        nxt = b.finds("a[rel~=next]")
        if not nxt:
            return
        b.go(nxt[0].get_attribute("href"))


# --------------------------------------------------------------------------------------------------
# Journeys


def test_submit_track_reply_confirm_and_rate(phone: Browser, officers, images):
    """At phone width: submit with two attachments, look the complaint up by its ID, reply to a request for
    information through the secret link, then confirm the final answer and rate it 4 with a comment."""
    b, tag = phone, uid()
    data = default_report(tag)
    receipt = b.submit_report(data, files=images)

    # The confirmation page: tracking ID, PIN and secret link.
    assert re.fullmatch(r"[0-9A-Z]{6,20}", receipt.tracking_id), f"data-tracking-id is not a canonical ID: {receipt.tracking_id!r}"
    assert receipt.shown_id, "the tracking ID is not shown in .tracking-id"
    assert re.sub(r"[^0-9A-Z]", "", receipt.shown_id.upper()) == receipt.tracking_id, \
        f"shown ID {receipt.shown_id!r} is not the tracking ID {receipt.tracking_id}"
    assert re.fullmatch(r"[0-9A-Za-z]{4,12}", receipt.pin), f"PIN looks wrong: {receipt.pin!r}"
    assert f"/t/{receipt.tracking_id}?s=" in receipt.link, f"the secret link does not open /t/{{id}}?s=…: {receipt.link}"
    tid = receipt.tracking_id
    months = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember")
    assert any(m in b.text() for m in months), "the confirmation page does not say when the next step is due, in words"

    stored = officers.complaint(tid)
    assert stored["title"] == data["title"] and stored["channel"] == "web" and stored["state"] == "baru"
    assert stored["target_unit"] == UNIT and stored["category"] == "kesehatan"
    types = sorted(a["content_type"] for a in stored.get("attachments") or [])
    assert types == ["image/jpeg", "image/png"], f"the two attachments were not stored: {stored.get('attachments')}"

    # Look-up by ID from the home page (typed in lower case, as read over the phone).
    b.cookies_clear()
    b.go("/")
    box = b.find("form[action='/lacak'] input[name=id]")
    box.send_keys(receipt.shown_id.lower())
    b.submit_form(box.find_element(By.XPATH, "./ancestor::form"))
    assert b.path == f"/t/{tid}", f"the look-up of {receipt.shown_id.lower()} should lead to /t/{tid}, got {b.url}"
    # Not verified yet (issue 19 fix 6): the public side shows nothing of it, but the page offers the PIN form, and the
    # reporter's PIN opens it.
    assert data["title"] not in b.text(), "the public page of an unverified report shows its title"
    assert not b.is_private(), "the public tracking page shows the private view without the secret"
    pin_box = b.find("input[name=pin]")
    pin_box.send_keys(receipt.pin)
    b.submit_form(pin_box.find_element(By.XPATH, "./ancestor::form"))
    assert b.path == f"/t/{tid}" and data["title"] in b.text(), f"the PIN did not open the unverified report ({b.url})"
    b.cookies_clear()

    # The officer asks for more information; the reporter answers through the secret link.
    question = f"Mohon sebutkan nama loket yang tutup {tag}"
    officers.act(tid, "request_info", "koord", text=question)
    b.open_private(receipt)
    assert question in b.text(), "the private view does not show the officer's question"
    reply_form = (b.finds("form#reply-form") or [None])[0]
    assert reply_form is not None, "the private view has no reply form (form#reply-form) while information is requested"
    b.layout_at_phone("private view asking for information")
    reply_form = (b.finds("form#reply-form") or [None])[0]
    reply = f"Loket pendaftaran umum, lantai satu {tag}"
    b.find("textarea", within=reply_form).send_keys(reply)
    b.submit_form(reply_form)
    assert officers.complaint(tid)["state"] == "baru", "the reply did not send the complaint back to the coordinator"
    assert reply in officers.events(tid), "the reporter's reply text is not in the complaint's events"
    assert (b.finds("form#reply-form") or [None])[0] is None, "the reply form is still offered after replying"

    # Verified, followed up and answered; the reporter confirms and rates.
    follow, final = f"Petugas meninjau puskesmas {tag}", f"Jam buka loket sudah ditertibkan {tag}"
    officers.act(tid, "verify", "koord", unit=UNIT)
    officers.act(tid, "follow_up", "dinkes", text=follow)
    officers.act(tid, "respond_final", "dinkes", text=final)
    b.go(f"/t/{tid}")
    assert b.is_private(), "the private view was lost (the cookie from the secret link did not last)"
    assert final in b.text(), "the private view does not show the final answer"
    assert b.form_for("/konfirmasi") is not None and b.form_for("/sanggah") is not None, \
        "the private view of an answered complaint does not offer confirm and dispute"
    b.layout_at_phone("private view with the final answer")
    b.submit_form(b.form_for("/konfirmasi"))
    assert officers.complaint(tid)["state"] == "selesai", "confirming did not close the complaint"

    rate_form = b.form_for("/nilai")
    assert rate_form is not None, "no rating form (POST /t/{id}/nilai) after confirming"
    b.check(b.find("input[type=radio][value='4']", within=rate_form), True)
    comment = f"Terima kasih, sekarang loket buka tepat waktu {tag}"
    b.find("textarea", within=rate_form).send_keys(comment)
    b.submit_form(rate_form)
    after = officers.complaint(tid)
    assert after["rating"] == 4, f"the rating was not stored as 4: {after['rating']}"
    assert comment in officers.events(tid), "the rating comment is not in the complaint's events"

    # The public page (no cookie) shows the public timeline.
    public = requests.get(officers.url(f"/t/{tid}"), timeout=15)
    assert public.status_code == 200
    for text in (follow, final):
        assert text in public.text, f"the public tracking page does not show the public text {text!r}"
    assert data["name"] not in public.text and data["email"] not in public.text, "the public page shows the reporter's contact"


def test_dispute_the_final_answer(browser: Browser, officers):
    b, tag = browser, uid()
    receipt = b.submit_report(default_report(tag))
    tid = receipt.tracking_id
    b.driver.refresh()
    assert receipt.pin not in b.text() and receipt.link not in b.html(), "reloading the confirmation page shows the PIN and secret again"
    officers.answer(tid, tag)
    b.open_private(receipt)
    form = b.form_for("/sanggah")
    assert form is not None, "the private view of an answered complaint has no dispute form (POST /t/{id}/sanggah)"
    reason = f"Loket masih tutup sampai jam sepuluh {tag}"
    areas = b.finds("textarea", within=form)
    if areas:
        areas[0].send_keys(reason)
    b.submit_form(form)
    after = officers.complaint(tid)
    assert after["state"] == "diproses", f"disputing should reopen the complaint (diproses), got {after['state']}"
    assert after["reopen_count"] == 1
    if areas:
        assert reason in officers.events(tid), "the dispute's reason is not in the complaint's events"
    assert b.form_for("/sanggah") is None and b.form_for("/konfirmasi") is None, "confirm/dispute still offered after disputing"


def test_pin_unlocks_and_a_wrong_pin_is_refused(browser: Browser, officers):
    b = browser
    receipt = b.submit_report()
    tid = receipt.tracking_id
    b.cookies_clear()
    b.go(f"/t/{tid}")
    assert not b.is_private(), "the tracking page is private without secret or PIN"
    form = b.form_for("/pin")
    assert form is not None, "the public tracking page has no PIN form (POST /t/{id}/pin)"

    box = b.find("input:not([type=hidden]):not([type=submit])", within=form)
    box.send_keys(wrong_pin(receipt.pin))
    b.submit_form(form)
    assert not b.is_private(), "a wrong PIN opened the private view"
    assert b.form_errors().strip(), f"a wrong PIN is refused without a message:\n{b.text()[:1000]}"

    form = b.form_for("/pin")
    assert form is not None, "after a wrong PIN the PIN form is not offered again"
    box = b.find("input:not([type=hidden]):not([type=submit])", within=form)
    box.clear()
    box.send_keys(receipt.pin)
    b.submit_form(form)
    assert b.path == f"/t/{tid}", f"the PIN should lead back to /t/{tid}, got {b.url}"
    assert b.is_private(), f"the right PIN did not open the private view:\n{b.text()[:1000]}"

    b.submit_form(b.form_for("/keluar"))
    b.go(f"/t/{tid}")
    assert not b.is_private(), "after leaving (POST /t/{id}/keluar) the private view is still open"


def test_a_wrong_pin_is_refused_over_http(officers):
    sub = officers.submit_api()
    tid = sub["tracking_id"]
    # Not verified yet: the page is the one 404 of a hidden or unknown number, with the PIN form.
    s, token = csrf_session(officers, f"/t/{tid}", status=404)
    r = s.post(officers.url(f"/t/{tid}/pin"), data={"_csrf": token, "pin": wrong_pin(sub["pin"])}, allow_redirects=False, timeout=15)
    assert 400 <= r.status_code < 500, f"a wrong PIN should be refused with a 4xx, got {r.status_code}"
    page = s.get(officers.url(f"/t/{tid}"), timeout=15).text
    assert f"/t/{tid}/keluar" not in page and f"/t/{tid}/nilai" not in page, "a wrong PIN opened the private view"


def test_validation_errors_next_to_fields_with_input_kept(browser: Browser, portal):
    b, tag = browser, uid()
    future = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    bad = default_report(tag, title="", body="pendek", incident_date=future)
    b.go("/lapor")
    form = b.fill_report(bad)
    b.submit_form(form)
    assert b.path == "/lapor", f"a form with errors should come back on /lapor, got {b.url}"
    for field in ("title", "body", "incident_date"):
        errors = b.finds(f"#{field}-error")
        assert errors and errors[0].is_displayed(), f"no message next to the {field} field"
        same_field = b.driver.execute_script(
            "const f = document.getElementById(arguments[0]), e = document.getElementById(arguments[0] + '-error');"
            "const box = f && f.closest('.field'); return !!box && box.contains(e);", field)
        assert same_field, f"the {field} message is not next to its field"
        assert b.find(f"#{field}").get_attribute("aria-invalid") == "true", f"{field} is not marked aria-invalid"
        described = b.find(f"#{field}").get_attribute("aria-describedby") or ""
        assert f"{field}-error" in described.split(), f"{field} is not described by its message"
    assert b.find("#body").get_attribute("value") == "pendek", "the body typed was lost"
    for field in ("name", "email", "address", "phone"):
        assert b.find(f"#{field}").get_attribute("value") == bad[field], f"the {field} typed was lost"
    assert b.find("#incident_date").get_attribute("value") == future
    assert b.find("select[name=category]").get_attribute("value") == "kesehatan", "the category chosen was lost"
    assert b.has("#form-errors"), "no error summary at the top of the form"

    # The same POST over HTTP answers 422.
    s, token = csrf_session(portal)
    fields = {"_csrf": token, "type": "pengaduan", "title": "", "body": "pendek", "jurisdiction": "63"}
    r = s.post(portal.url("/lapor"), files=multipart(fields), allow_redirects=False, timeout=15)
    assert r.status_code == 422, f"a form with errors should answer 422, got {r.status_code}"


def test_confidential_complaint_is_on_no_public_page(browser: Browser, officers):
    b, tag = browser, uid()
    token = f"Zebra{tag}"
    public = b.submit_report(default_report(tag, title=f"Jembatan kayu lapuk {token} terbuka"))
    secret_title = f"Pungutan liar di loket {token} rahasia"
    confidential = b.submit_report(default_report(tag, title=secret_title), confidential=True)
    assert officers.complaint(confidential.tracking_id)["confidential"] is True, "the confidential box was not stored"
    for receipt in (public, confidential):
        officers.answer(receipt.tracking_id, tag)

    def absent(where: str, id_too: bool = True):
        assert secret_title not in b.html(), f"the confidential complaint's title is on {where} ({b.url})"
        # (Its own address and the look-up box may carry the ID that the visitor typed.)
        if id_too:
            assert confidential.tracking_id not in b.html(), f"the confidential complaint's ID is on {where} ({b.url})"

    b.cookies_clear()
    for path in ("/", "/laporan", UNIT_PATH, "/statistik"):
        page_ok(b, path)
        absent(path)
    for _ in list_pages(b):
        absent("the public list")
    search_list(b, token)
    assert f"Jembatan kayu lapuk {token}" in b.text(), \
        f"the search for {token} does not find the public complaint (so it cannot show the confidential one is hidden)"
    absent("the search results")

    r = requests.get(officers.url(f"/t/{confidential.tracking_id}"), timeout=15)
    assert r.status_code == 404, f"/t/{{id}} of a confidential complaint should be 404, got {r.status_code}"
    assert secret_title not in r.text
    b.go(f"/t/{confidential.tracking_id}")
    absent("its tracking page", id_too=False)
    b.go(f"/lacak?id={confidential.tracking_id}")
    absent("the look-up", id_too=False)
    b.go("/bahasa/en?next=/laporan")
    absent("the English list")

    # The reporter still follows a confidential complaint with the secret link (as the form promises).
    b.open_private(confidential)
    assert secret_title in b.text(), "the reporter's private view of a confidential complaint does not show it"


def test_unverified_report_is_public_only_after_verification(browser: Browser, officers):
    """Issue 19 fix 6, SPEC §9: a new report is on no public page until the coordinator verifies it; its reporter's
    own page works at once. Checked as a visitor in both languages, then again after the coordinator verified it."""
    b, tag = browser, uid()
    token = f"Kuda{tag}"
    title = f"Petugas loket {token} meminta uang"
    receipt = b.submit_report(default_report(tag, title=title))
    tid = receipt.tracking_id
    b.open_private(receipt)
    assert title in b.text(), "the reporter's own page does not show the new report at once"

    def hidden(where: str):
        assert title not in b.html() and token not in b.text(), f"the unverified report is on {where} ({b.url})"

    b.cookies_clear()
    for lang in ("id", "en"):
        b.go(f"/bahasa/{lang}?next=/laporan")
        for _ in list_pages(b):
            hidden(f"the public list ({lang})")
        search_list(b, token)
        hidden(f"the search results ({lang})")
        b.go(f"/t/{tid}")
        hidden(f"its tracking page without the secret ({lang})")
    r = requests.get(officers.url(f"/t/{tid}"), timeout=15)
    assert r.status_code == 404 and title not in r.text, f"/t/{{id}} of an unverified report: {r.status_code}"
    r = requests.get(officers.url(f"/api/v1/complaints/{tid}"), timeout=15)
    assert r.status_code == 404, f"the public API read of an unverified report: {r.status_code}"
    r = requests.get(officers.url(f"/open311/v2/requests/{tid}.json"), timeout=15)
    assert r.status_code == 404, f"Open311 read of an unverified report: {r.status_code}"

    officers.act(tid, "verify", "koord", unit=UNIT)
    r = requests.get(officers.url(f"/t/{tid}"), timeout=15)
    assert r.status_code == 200 and title in r.text, f"the verified report's public page: {r.status_code}"
    for lang in ("id", "en"):
        b.go(f"/bahasa/{lang}?next=/laporan")
        search_list(b, token)
        assert title in b.text(), f"the search does not find the verified report ({lang})"


def test_anonymous_reporters_name_is_on_no_page(browser: Browser, officers):
    b, tag = browser, uid()
    data = default_report(tag, name=f"Rahmat Hidayatullah {tag}", email=f"rahmat.{tag}@example.org", phone="082155550123")
    receipt = b.submit_report(data, anonymous=True)
    tid = receipt.tracking_id
    identity = (data["name"], data["email"], "082155550123", "Rahmat Hidayatullah")

    def absent(where: str):
        html = b.html()
        for value in identity:
            assert value not in html, f"the anonymous reporter's {value!r} is on {where} ({b.url})"

    absent("the confirmation page")
    stored = officers.complaint(tid)
    assert stored["anonymous"] is True, "the anonymous box was not stored"
    assert not stored.get("reporter"), f"the officers' API shows the anonymous reporter: {stored.get('reporter')}"
    officers.answer(tid, tag)

    b.open_private(receipt)
    absent("the private tracking view")
    b.cookies_clear()
    b.go(f"/t/{tid}")
    assert data["title"] in b.text(), "the anonymous complaint's public page does not show it"
    absent("the public tracking page")
    for path in ("/", "/laporan", UNIT_PATH, "/statistik"):
        page_ok(b, path)
        absent(path)
    search_list(b, tag)
    assert data["title"] in b.text(), "the search does not find the anonymous complaint"
    absent("the search results")
    b.go(f"/bahasa/en?next=/t/{tid}")
    absent("the English tracking page")


def test_public_list_shows_non_confidential_complaints(browser: Browser, answered):
    b = browser
    found = False
    for _ in list_pages(b):
        if answered["tracking_id"] in b.html():
            found = True
            break
    assert found, f"the answered public complaint {answered['tracking_id']} is not in the public list"


def test_list_filters_and_paging(browser: Browser, officers, answered):
    """The list's own filter form: state and unit narrow the rows; every page of the list is reachable."""
    b = browser
    waiting = officers.submit_api(title=f"Trotoar rusak di taman kota {uid()}", category="kesehatan")
    page_ok(b, "/laporan")
    form = b.find("form[role=search], form.filters")
    Select(b.find("select[name=state]", within=form)).select_by_value("ditanggapi")
    Select(b.find("select[name=unit]", within=form)).select_by_value(UNIT)
    b.submit_form(form)
    assert "state=ditanggapi" in b.url, f"the state filter is not in the address: {b.url}"
    states = [e.get_attribute("class") for e in b.finds("table .state")]
    assert states, f"no rows for state=ditanggapi and unit={UNIT}, though {answered['tracking_id']} is such a complaint"
    assert all("state-ditanggapi" in c for c in states), f"the state filter lets other states through: {states}"
    assert answered["tracking_id"] in b.html(), "the answered complaint is missing from its filter's results"
    assert waiting["tracking_id"] not in b.html(), "a complaint in another state shows under the ditanggapi filter"
    assert Select(b.find("select[name=state]")).first_selected_option.get_attribute("value") == "ditanggapi", \
        "the chosen filter is not kept in the form"


def test_unit_card_and_statistics(browser: Browser, answered):
    b = browser
    b.go(f"/t/{answered['tracking_id']}")
    links = b.finds(f"a[href$='{UNIT_PATH}']")
    assert links, f"the tracking page does not link the handling unit's card ({UNIT_PATH})"
    b.click(links[0])
    assert b.path == UNIT_PATH, f"the unit link leads to {b.url}"
    page_ok(b, UNIT_PATH)
    assert "Dinas Kesehatan" in b.text(), "the unit card does not name the unit"
    assert re.search(r"\d", b.text()), "the unit card shows no figures"
    page_ok(b, "/statistik")
    assert b.h1(), "the statistics page has no heading"
    assert re.search(r"\d", b.text()), "the statistics page shows no figures"


# --------------------------------------------------------------------------------------------------
# Every public page: axe, 360 px


def open_page(b: Browser, name: str, answered: dict, images=()) -> None:
    """Brings the browser to one of the public pages by name."""
    tid = answered["tracking_id"]
    if name == "confirmation":
        b.submit_report(default_report(), files=list(images))
    elif name == "form-errors":
        b.go("/lapor")
        b.submit_form(b.fill_report(default_report(title="", body="x")))
        assert b.path == "/lapor" and b.has("#form-errors"), f"the form with errors did not come back:\n{b.text()[:1000]}"
    elif name == "tracking-private":
        b.driver.get(b.portal.url(answered["secret_path"]))
        assert b.is_private(), "the secret link did not open the private view"
    elif name == "search":
        search_list(b, "puskesmas")
    elif name == "home-en":
        b.go("/bahasa/en?next=/")
        assert b.lang() == "en"
    elif name == "404-en":
        b.go("/bahasa/en?next=" + MISSING_ID)
        assert b.lang() == "en"
    elif name == "404":
        b.go(MISSING_ID)
    else:
        page_ok(b, {"home": "/", "form": "/lapor", "lookup": "/lacak", "tracking-public": f"/t/{tid}", "list": "/laporan",
                    "unit-card": UNIT_PATH, "statistics": "/statistik", "sign-in": "/akun/masuk", "sign-up": "/akun/daftar"}[name])


PAGES = ["home", "form", "form-errors", "confirmation", "lookup", "tracking-public", "tracking-private", "list", "search",
         "unit-card", "statistics", "sign-in", "sign-up", "404", "home-en", "404-en"]


@pytest.mark.parametrize("name", PAGES)
def test_axe_no_serious_or_critical_violations(browser: Browser, answered, name):
    open_page(browser, name, answered)
    browser.axe(name)


@pytest.mark.parametrize("name", PAGES)
def test_works_at_360px(phone: Browser, answered, images, name):
    open_page(phone, name, answered, images)
    if name in ("home", "form-errors", "tracking-private"):
        phone.axe(f"{name} at 360 px")
    phone.layout_at_phone(name)
    if name in ("home", "form", "form-errors"):
        button = phone.find("form.report button[type=submit]")
        phone.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
        assert button.is_displayed() and button.is_enabled(), f"{name}: the form's submit button is not visible at 360 px"


def test_submit_at_360px_by_tapping(phone: Browser, officers, images):
    receipt = phone.submit_report(default_report(), files=images[:1])
    assert officers.complaint(receipt.tracking_id)["state"] == "baru"
    phone.layout_at_phone("confirmation")


def test_attachment_previews_with_javascript(browser: Browser, images):
    """Progressive enhancement: with JavaScript, chosen files are previewed before sending."""
    b = browser
    b.go("/lapor")
    b.find("form.report input[type=file]").send_keys("\n".join(str(p) for p in images))
    b.wait_for(lambda: len(b.finds("#attachment-previews figure")) == 2, "two previews of the chosen files")


def test_form_works_without_javascript(portal, chromium, officers, images):
    driver = make_driver(javascript=False)
    try:
        b = Browser(driver, portal)
        b.go("/lapor")
        b.find("form.report input[type=file]").send_keys(str(images[0]))
        assert not b.finds("#attachment-previews figure"), "page scripts still run: JavaScript is not disabled"
        receipt = b.submit_report(default_report(), files=images)
        stored = officers.complaint(receipt.tracking_id)
        assert stored["channel"] == "web" and len(stored.get("attachments") or []) == 2
    finally:
        driver.quit()


# --------------------------------------------------------------------------------------------------
# Language, errors, protection


def test_english_switch(browser: Browser):
    b = browser
    b.go("/")
    assert b.lang() == "id", "Indonesian is not the default"
    indonesian_h1 = b.h1()
    switch = [a for a in b.finds("a[href^='/bahasa/en']")]
    assert switch, "no link to switch to English on the home page"
    b.click(switch[0])
    assert b.path == "/", f"the switch should come back to the same page, got {b.url}"
    assert b.lang() == "en", "after switching, <html lang> is not en"
    en, id_ = catalogue("en"), catalogue("id")
    if en.get("home_heading"):
        assert b.h1() == en["home_heading"], f"the English home heading is {b.h1()!r}, not {en['home_heading']!r}"
    assert b.h1() != indonesian_h1, "the heading did not change language"
    words = re.findall(r"[a-z]+", b.text().lower())
    assert sum(w in ("the", "your", "and", "you", "to", "of") for w in words) >= 5, "the home page does not read as English"
    b.go("/lapor")
    assert b.lang() == "en", "the language choice is not kept on the next page"
    if en.get("form_submit"):
        assert b.find("form.report button[type=submit]").text.strip() == en["form_submit"]
    b.go("/bahasa/id?next=/lapor")
    assert b.path == "/lapor" and b.lang() == "id"
    if id_.get("form_submit"):
        assert b.find("form.report button[type=submit]").text.strip() == id_["form_submit"]


def test_language_switch_refuses_other_sites(portal):
    for nxt in ("https://example.org/", "//example.org/", "/\\example.org"):
        r = requests.get(portal.url("/bahasa/en"), params={"next": nxt}, allow_redirects=False, timeout=15)
        location = r.headers.get("location", "")
        assert r.status_code in (302, 303, 307) and location.startswith("/") and not location.startswith("//"), \
            f"/bahasa/en?next={nxt} redirects to {location!r}"


# Issue 17, finding 1: a CR/LF in `next` wrote a second header (the attacker's session cookie), a tab passed the
# open-redirect check. Python's own HTTP parser reads the answer. An address holding a control character once decoded
# is refused at the door (400: no Location, no cookie); any other hostile target is sent to "/" with only the
# language cookie.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@pytest.mark.parametrize("nxt", ["/\r\nSet-Cookie: aduan_session=planted", "/\nSet-Cookie: aduan_session=planted",
                                 "/\t/evil.example/phish", "/%0d%0aSet-Cookie:%20aduan_session=planted", "javascript:alert(1)"])
def test_language_switch_adds_no_header(portal, nxt):
    r = requests.get(portal.url("/bahasa/en"), params={"next": nxt}, allow_redirects=False, timeout=15)
    assert all("\r" not in v and "\n" not in v for v in r.headers.values())
    if CONTROL.search(nxt):
        assert r.status_code == 400 and "location" not in r.headers, f"{nxt!r}: {r.status_code} {r.headers.get('location')!r}"
        assert not r.cookies.keys(), f"{nxt!r} set cookies {sorted(r.cookies.keys())}"
        return
    assert r.status_code == 303 and r.headers.get("location") == "/", f"{nxt!r} redirects to {r.headers.get('location')!r}"
    assert set(r.cookies.keys()) == {"aduan_lang"}, f"{nxt!r} set cookies {sorted(r.cookies.keys())}"


def test_cookie_planting_link_in_the_browser(browser: Browser):
    """The issue's links, opened in Chromium: the browser stays on the site, on a readable refusal with a way home,
    and holds no session cookie."""
    b = browser
    b.cookies_clear()
    for link in ("/bahasa/id?next=/%0d%0aSet-Cookie:%20aduan_session=planted;%20Path=/", "/bahasa/id?next=/%09/evil.example/phish"):
        b.go(link)
        assert b.url.startswith(b.portal.base) and b.path == "/bahasa/id", f"the link left the page: {b.url}"
        assert b.h1() and b.has("main a[href='/']"), "the refusal has no heading or no way home"
        text = b.text()
        assert not re.search(r"Abort|Fatal|Traceback|\.swift|Vapor|\{\"error", text), f"the refusal shows internals:\n{text}"
        names = {c["name"] for c in b.driver.get_cookies()}
        assert "aduan_session" not in names, f"the link planted a session cookie: {sorted(names)}"


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("path", [MISSING_ID, "/halaman/yang/tidak/ada"])
def test_friendly_404(browser: Browser, portal, lang, path):
    r = requests.get(portal.url(path), cookies={"aduan_lang": lang}, timeout=15)
    assert r.status_code == 404, f"{path} should be 404, got {r.status_code}"
    assert r.headers.get("content-type", "").startswith("text/html"), f"{path}: the 404 is not an HTML page"
    b = browser
    b.go(f"/bahasa/{lang}?next={path}")
    assert b.lang() == lang, f"the 404 page is not in {lang}"
    assert b.h1(), "the 404 page has no heading"
    assert b.has("main a[href='/']"), "the 404 page has no link back home"
    text = b.text()
    assert not re.search(r"Abort|Fatal|Traceback|\.swift|Vapor|\{\"error", text), f"the 404 page shows internals:\n{text}"
    cat = catalogue(lang)
    other = catalogue("en" if lang == "id" else "id")
    if cat.get("site_name") and other.get("error_home") and cat.get("error_home") != other.get("error_home"):
        assert cat["error_home"] in text, f"the 404 page's way home is not in {lang}"


def test_favicon_is_a_real_icon(portal):
    """Issue 19 fix 9: /favicon.ico is served, and it is an icon an independent decoder (Pillow) reads."""
    from io import BytesIO
    from PIL import Image
    r = requests.get(portal.url("/favicon.ico"), timeout=15)
    assert r.status_code == 200, f"/favicon.ico: {r.status_code}"
    assert r.headers.get("content-type", "").startswith(("image/x-icon", "image/vnd.microsoft.icon")), r.headers.get("content-type")
    icon = Image.open(BytesIO(r.content))
    assert icon.format == "ICO" and icon.size[0] >= 16, f"not an icon: {icon.format} {icon.size}"
    assert {(16, 16), (32, 32)} <= set(icon.info.get("sizes", set())), f"icon sizes: {icon.info.get('sizes')}"


BAD_PATHS = [
    "/" + "a" * 5000, "/css/" + "a" * 5000, "/js/" + "b" * 300 + ".js", "/t/" + "A" * 5000, "/laporan/" + "x" * 5000,
    "/../../etc/passwd", "/css/../../Package.swift", "/css/..%2f..%2fPackage.swift", "/%2e%2e/%2e%2e/etc/passwd",
    "/css/%2e%2e/app.css", "/js/.hidden", "/%ff%fe%fd", "/%zz", "/unit/%c0%ae%c0%ae", "/t/%e2%82%ac",
    "/petugas/" + "p" * 5000, "/favicon.ico/..", "/css/app.css.png",
]
# An address with a control character once decoded (NUL, CR, LF) stays a 400, refused at the door before anything
# reads or logs it (docs/security.md, `RequestLimitsMiddleware`): never a 500 either.
CONTROL_PATHS = ["/css/%00.css", "/t/%00", "/css/app.css%00.png", "/%0d%0a" + "x" * 5000]


def raw_get(portal, path: str) -> tuple[int, str]:
    """GET with the path sent byte for byte (requests and browsers would normalise the dot segments away)."""
    import http.client
    from urllib.parse import urlparse
    u = urlparse(portal.base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=15)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, r.read().decode("utf-8", "replace")
    finally:
        conn.close()


def test_every_bad_path_is_a_404_never_a_500(portal):
    """Issue 19 fix 9: a path of 5,000 characters, odd bytes or `..` is a plain 404 in the visitor's language,
    never a 500 (the file system's "File name too long"), a 403 or a 400; none is logged as bad_request or as a
    failure, and no file outside the public folder is ever served."""
    before = portal.log_path.stat().st_size if portal.log_path.exists() else 0
    for path in BAD_PATHS:
        status, body = raw_get(portal, path)
        assert status == 404, f"{path[:80]}… ({len(path)} characters): {status} {body[:200]}"
        assert "root:" not in body and "swift-tools-version" not in body, f"{path[:80]}: a file outside Public was served"
    status, body = raw_get(portal, "/css/app.css")
    assert status == 200 and "{" in body, "the stylesheet itself is still served"
    logged = portal.log_path.read_text(errors="replace")[before:] if portal.log_path.exists() else ""
    assert "bad_request" not in logged, f"a bad path was logged as bad_request:\n{logged[-2000:]}"
    assert "request failed" not in logged and "File name too long" not in logged, f"a bad path failed:\n{logged[-2000:]}"
    for path in CONTROL_PATHS:
        status, body = raw_get(portal, path)
        assert status == 400, f"{path[:40]}… ({len(path)} characters): {status} {body[:200]}"


def test_csrf_is_required_on_the_form(portal):
    s, token = csrf_session(portal)
    fields = {"type": "pengaduan", "title": f"Uji CSRF {uid()}", "body": "Laporan uji tanpa token formulir sama sekali.",
              "jurisdiction": "63"}
    r = s.post(portal.url("/lapor"), files=multipart(fields), allow_redirects=False, timeout=15)
    assert r.status_code == 403, f"POST /lapor without _csrf should be 403, got {r.status_code}"
    r = s.post(portal.url("/lapor"), files=multipart({**fields, "_csrf": "x" + token}), allow_redirects=False, timeout=15)
    assert r.status_code == 403, f"POST /lapor with a wrong _csrf should be 403, got {r.status_code}"
    r = requests.post(portal.url("/lapor"), files=multipart({**fields, "_csrf": token}), allow_redirects=False, timeout=15)
    assert r.status_code == 403, f"POST /lapor with a token but no cookie should be 403, got {r.status_code}"
    r = s.post(portal.url("/lapor"), files=multipart({**fields, "_csrf": token}), allow_redirects=False, timeout=15)
    assert r.status_code == 303 and r.headers.get("location", "").endswith("/lapor/terkirim"), \
        f"the same POST with the token should be accepted (303 to /lapor/terkirim), got {r.status_code} {r.headers.get('location')}"


@pytest.mark.parametrize("action", ["pin", "balas", "konfirmasi", "sanggah", "nilai", "keluar"])
def test_csrf_is_required_on_tracking_forms(portal, answered, action):
    tid = answered["tracking_id"]
    s, _ = csrf_session(portal, f"/t/{tid}")
    r = s.post(portal.url(f"/t/{tid}/{action}"), data={"pin": answered["pin"], "text": "tanpa token", "rating": "4"},
               allow_redirects=False, timeout=15)
    assert r.status_code == 403, f"POST /t/{{id}}/{action} without _csrf should be 403, got {r.status_code}"


def test_honeypot_refuses_bots(portal):
    s, token = csrf_session(portal)
    title = f"Uji honeypot {uid()}"
    fields = {"_csrf": token, "type": "pengaduan", "title": title, "body": "Laporan dari robot yang mengisi semua kolom.",
              "jurisdiction": "63", "website": "http://spam.example"}
    r = s.post(portal.url("/lapor"), files=multipart(fields), allow_redirects=False, timeout=15)
    assert r.status_code in (400, 422), f"a filled honeypot should be refused, got {r.status_code}"


@pytest.mark.parametrize("path", ["/", "/lapor", "/laporan", "/statistik", UNIT_PATH, "/akun/masuk", MISSING_ID])
def test_security_headers_and_no_inline_script(portal, path):
    r = requests.get(portal.url(path), timeout=15)
    csp = r.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp, f"{path}: weak or missing CSP: {csp!r}"
    assert r.headers.get("x-content-type-options") == "nosniff"
    inline = [m for m in re.findall(r"<script\b([^>]*)>", r.text, re.I) if "src=" not in m]
    assert not inline, f"{path}: inline <script> blocks, which the CSP forbids"
    assert not re.search(r"\son[a-z]+\s*=\s*\"", r.text), f"{path}: inline event handlers, which the CSP forbids"
    assert not re.search(r"<style\b|\sstyle=\"", r.text, re.I), f"{path}: inline styles, which the CSP (style-src 'self') blocks"


# --------------------------------------------------------------------------------------------------
# Screenshots for docs/


@pytest.mark.parametrize("kind", list(SIZES))
def test_screenshots(browser: Browser, answered, images, kind):
    """docs/screenshots/{page}-{phone|desktop}.png, taken on every run."""
    b = browser
    b.resize(kind)
    shots = []
    for name, page in (("home", "home"), ("form-errors", "form-errors"), ("confirmation", "confirmation"),
                       ("tracking-private", "tracking-private"), ("list", "list"), ("statistics", "statistics")):
        open_page(b, page, answered, images)
        shots.append(b.screenshot(name))
    for path in shots:
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 2000, f"{path} is not a real screenshot"
