"""The officer workspace in a real browser (issue 5 "Show"; SPEC §1, §4, §5, §6, §11).

Each role's main journey end to end, every person in their own browser (own cookies, own session): a complaint
from the portal is verified and dispositioned by the coordinator, followed up and answered by the unit's liaison,
confirmed by the reporter; a returned complaint is redispositioned; an extension is requested and decided; a
duplicate is merged; a walk-in complaint is entered; TOTP enrolment, and sign-in with a right and a wrong code.
Then axe-core (no serious or critical violation) and the 360 px layout on every officer page.

Officers (conftest.OFFICERS): koord (coordinator of 63), dinkes and pupr (liaisons of 63/dinkes and 63/dpupr),
kadinkes (unit head of 63/dinkes), dinkes2fa (a liaison who enrols in two-factor here).
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import shutil
import struct
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import pytest
import requests
from PIL import Image
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import signed_in_desks, OFFICERS, UNIT, Browser, catalogue, default_report, missing, uid

T = catalogue("id")
DPUPR = "63/dpupr"
DINKES_NAME = "Dinas Kesehatan"
DPUPR_NAME = "Dinas Pekerjaan Umum dan Penataan Ruang"


def say(key: str, **values) -> str:
    """A catalogue string with its {placeholders} filled, as the page shows it."""
    text = T[key]
    for name, value in values.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def pattern(key: str) -> str:
    """A catalogue string with {n} as a number, as a regular expression."""
    return r"\d+".join(re.escape(part) for part in T[key].split("{n}"))


COUNTDOWN = re.compile(rf"^(?:{pattern('ws_days_left')}|{re.escape(T['ws_due_today'])}|{pattern('ws_overdue_days')})$")


# --------------------------------------------------------------------------------------------------
# Reading the officer pages


def case_path(tid: str) -> str:
    return f"/petugas/aduan/{tid}"


def queue_row(b: Browser, section: str, tid: str):
    """The row of complaint `tid` in the queue section with id `section` on the current page, or None."""
    assert b.has(f"section#{section}"), f"{b.url} has no queue section #{section}:\n{b.text()[:1500]}"
    rows = b.finds(f"section#{section} tbody tr:has(a[href='{case_path(tid)}'])")
    return rows[0] if rows else None


def require_row(b: Browser, section: str, tid: str):
    row = queue_row(b, section, tid)
    assert row is not None, \
        f"complaint {tid} is not in the queue section #{section} of {b.url}:\n{b.find(f'section#{section}').text[:1500]}"
    return row


def state(b: Browser) -> str:
    """The complaint's state as the complaint page shows it."""
    return b.find("article.case dl.facts .state").text.strip()


def fact(b: Browser, key: str) -> str:
    """The complaint page's fact (dd) under the term T[key], or ''."""
    dds = b.driver.find_elements(By.XPATH, f"//article[contains(@class,'case')]/dl[contains(@class,'facts')]"
                                           f"/dt[normalize-space()='{T[key]}']/following-sibling::dd[1]")
    return dds[0].text.strip() if dds else ""


def timeline(b: Browser) -> str:
    return b.find("section[aria-labelledby=timeline-title]").text


def dues(b: Browser) -> dict[str, list[str]]:
    """The dues table: stage name → its cells (stage, unit, started, due, ended, status); the last row of a stage wins."""
    rows = {}
    for tr in b.finds("section[aria-labelledby=dues-title] tbody tr"):
        cells = [td.text.strip() for td in tr.find_elements(By.CSS_SELECTOR, "td")]
        rows[cells[0]] = cells
    return rows


def open_case(b: Browser, tid: str, via_section: str | None = None):
    """Opens the complaint page, by clicking its row in a queue section of the current page when given."""
    if via_section:
        link = require_row(b, via_section, tid).find_element(By.CSS_SELECTOR, f"a[href='{case_path(tid)}']")
        b.click(link)
        b.wait_for(lambda: b.path == case_path(tid), f"the complaint page {case_path(tid)} after clicking its row")
    else:
        b.go(case_path(tid))
    assert b.path == case_path(tid) and b.has("article.case"), f"the complaint page of {tid} did not open: {b.url}\n{b.text()[:800]}"


def action_form(b: Browser, action: str):
    """The action's form, opened as an officer does: by its name in the list of actions (a <details>)."""
    forms = b.finds(f"form#form-{action}")
    assert forms, f"the complaint page {b.url} offers no #form-{action}; forms: {[f.get_attribute('id') for f in b.finds('form')]}"
    open_action(b, forms[0])
    return forms[0]


def open_action(b: Browser, form):
    details = b.driver.execute_script("return arguments[0].closest('details')", form)
    if details is not None and details.get_attribute("open") is None:
        b.click(details.find_element(By.CSS_SELECTOR, "summary"))
        b.wait_for(lambda: details.get_attribute("open") is not None, "the action's form to open")


def type_into(b: Browser, css: str, text: str, within=None):
    field = b.find(css, within=within)
    field.clear()
    field.send_keys(text)
    return field


def submit_action(b: Browser, form, action: str, landing: str):
    """Submits an action form; the page must come back at `landing` with ?ok={action} and its confirmation."""
    b.submit_form(form)
    query = parse_qs(urlparse(b.url).query)
    assert b.path == landing and query.get("ok") == [action], (
        f"{action} should lead to {landing}?ok={action}, got {b.url}\n{b.alert() or b.text()[:1200]}")
    assert b.notice() == T[f"ws_done_{action}"], f"after {action} the page says {b.notice()!r}, not {T[f'ws_done_{action}']!r}"


def session_cookies(b: Browser) -> dict:
    return {c["name"]: c["value"] for c in b.driver.get_cookies()}


def at_both_sizes(b: Browser, name: str, label: str):
    """Screenshots docs/screenshots/{name}-desktop.png and -phone.png; at 360 px the page must not scroll sideways."""
    b.resize("desktop")
    b.driver.refresh()
    b.screenshot(name)
    b.resize("phone")
    b.driver.refresh()
    b.layout_at_phone(label)
    b.screenshot(name)
    b.resize("desktop")
    b.driver.refresh()


# --------------------------------------------------------------------------------------------------
# Test data


@pytest.fixture(scope="session")
def answer_pdf(tmp_path_factory) -> Path:
    """A one-page PDF (made with Pillow) for the unit's final answer."""
    path = tmp_path_factory.mktemp("answer") / "jawaban-dinkes.pdf"
    page = Image.new("RGB", (200, 280), (255, 255, 255))
    for y in range(40, 240, 20):
        for x in range(30, 170):
            page.putpixel((x, y), (0, 0, 0))
    page.save(path, "PDF", resolution=72)
    assert path.read_bytes()[:5] == b"%PDF-"
    return path


def dispositioned(officers, tag: str, unit: str = UNIT, **fields) -> str:
    """A complaint submitted through the API and verified to `unit` by the coordinator through the API."""
    sub = officers.submit_api(title=f"Obat habis di apotek puskesmas {tag}", target_unit=unit, category="kesehatan",
                              body=f"Sudah tiga kali saya datang, obat hipertensi selalu kosong di apotek puskesmas. {tag}", **fields)
    officers.act(sub["tracking_id"], "verify", "koord", unit=unit)
    return sub["tracking_id"]


# --------------------------------------------------------------------------------------------------
# (1) From the portal to "Selesai": reporter, coordinator, liaison, reporter


def test_officer_main_journey_portal_to_closed(person, officers, images, answer_pdf):
    tag = uid()
    data = default_report(tag)

    # The citizen reports on a phone, with a photo.
    citizen = person(kind="phone")
    receipt = citizen.submit_report(data, files=[images[0]])
    tid = receipt.tracking_id

    # The coordinator finds it waiting for verification, with a working-day countdown.
    koord = person("koord")
    row = require_row(koord, "verifikasi", tid)
    countdown = row.find_element(By.CSS_SELECTOR, ".countdown").text.strip()
    assert COUNTDOWN.match(countdown), f"the queue row's countdown {countdown!r} is not like {T['ws_days_left']!r}"
    assert row.find_elements(By.CSS_SELECTOR, f"input[type=checkbox][name='ids[]'][value='{tid}'][form=bulk-form]"), \
        "the verification queue row has no bulk checkbox (ids[] in form bulk-form)"
    assert T["do_verify"] in row.text, f"the row does not name the next step {T['do_verify']!r}:\n{row.text}"
    at_both_sizes(koord, "officer-home-coordinator", "coordinator's queue")

    # The complaint page: the photo, the reporter, and the suggested unit preselected.
    open_case(koord, tid, via_section="verifikasi")
    assert koord.h1() == data["title"], f"the complaint page's heading is {koord.h1()!r}"
    assert state(koord) == T["state_baru"], f"a new complaint shows state {state(koord)!r}"
    assert COUNTDOWN.match(koord.find("article.case dl.facts .countdown").text.strip()), "the complaint page shows no countdown"
    photos = [a.text for a in koord.finds("section[aria-labelledby=chronology-title] a[href*='/lampiran/']")]
    assert photos == [images[0].name], f"the reporter's photo is not listed on the complaint page: {photos}"
    assert data["name"] in koord.text() and data["email"] in koord.text(), "the coordinator does not see the reporter's contact"
    form = action_form(koord, "verify")
    assert form.get_attribute("action").endswith(f"/petugas/aduan/{tid}") and \
        koord.find("input[name=aksi]", within=form).get_attribute("value") == "verify"
    suggestions = koord.find(".suggestions", within=form).text
    for expected in (DINKES_NAME, T["ws_reason_reporter_target"], T["ws_reason_category_default"]):
        assert expected in suggestions, f"the suggested unit does not show {expected!r}:\n{suggestions}"
    chosen = Select(koord.find("#verify-unit", within=form)).first_selected_option.get_attribute("value")
    assert chosen == UNIT, f"the suggested unit {UNIT} is not preselected (selected: {chosen})"
    at_both_sizes(koord, "officer-complaint", "complaint page for the coordinator")

    # Verify and disposition to Dinas Kesehatan, with a public and an internal text.
    form = action_form(koord, "verify")
    Select(koord.find("#verify-unit", within=form)).select_by_value(UNIT)
    type_into(koord, "#verify-text", f"Aduan diteruskan ke Dinas Kesehatan {tag}", within=form)
    type_into(koord, "#verify-internal", f"Mohon cek jam buka loket {tag}", within=form)
    submit_action(koord, form, "verify", case_path(tid))
    assert state(koord) == T["state_didisposisikan"], f"after verifying the page shows {state(koord)!r}"
    assert fact(koord, "tracking_unit") == DINKES_NAME, f"the handling unit shown is {fact(koord, 'tracking_unit')!r}"
    assert not koord.has("form#form-verify"), "the verify form is still offered after verifying"
    stored = officers.complaint(tid)
    assert (stored["state"], stored["unit"], stored["category"]) == ("didisposisikan", UNIT, "kesehatan"), stored

    # The liaison: in the unit's queue, and new in the inbox.
    dinkes = person("dinkes")
    row = require_row(dinkes, "unit", tid)
    assert COUNTDOWN.match(row.find_element(By.CSS_SELECTOR, ".countdown").text.strip()), "the unit queue row shows no countdown"
    assert T["do_follow_up"] in row.text, f"the unit queue row does not name the next step {T['do_follow_up']!r}:\n{row.text}"
    at_both_sizes(dinkes, "officer-home-liaison", "liaison's queue")
    badge = dinkes.finds("header nav a[href='/petugas/kotak-masuk'] .badge")
    assert badge and re.match(r"\d+", badge[0].text), "the navigation shows no unread count for the inbox"
    dinkes.click(dinkes.find("header nav a[href='/petugas/kotak-masuk']"))
    dinkes.wait_for(lambda: dinkes.path == "/petugas/kotak-masuk", "the inbox")
    item = dinkes.finds(f"ul.inbox li:has(a[href='{case_path(tid)}'])")
    assert item, f"the inbox does not list {tid}:\n{dinkes.text()[:1500]}"
    assert "unread" in item[0].get_attribute("class").split() and T["inbox_new"] in item[0].text, \
        f"the disposition is not shown as new in the inbox:\n{item[0].text}"
    assert T["event_verify"] in item[0].text, f"the inbox item does not say what happened ({T['event_verify']!r}):\n{item[0].text}"
    dinkes.submit_form(dinkes.form_for("/petugas/kotak-masuk/dibaca"))
    item = dinkes.find(f"ul.inbox li:has(a[href='{case_path(tid)}'])")
    assert "unread" not in (item.get_attribute("class") or "").split(), "marking all as read left the item unread"

    # A response template, kept on the templates page and used for the follow-up.
    dinkes.go("/petugas/templat")
    form = dinkes.find("form#template-form")
    Select(dinkes.find("#tpl-unit", within=form)).select_by_value(UNIT)
    Select(dinkes.find("#tpl-category", within=form)).select_by_value("")
    template_title = f"Peninjauan puskesmas {tag}"
    template_body = f"Petugas Dinas Kesehatan telah meninjau puskesmas dan menertibkan jam buka loket. {tag}"
    type_into(dinkes, "#tpl-title", template_title, within=form)
    type_into(dinkes, "#tpl-body", template_body, within=form)
    dinkes.submit_form(form)
    assert dinkes.notice() == T["templates_done_save"], f"saving a template: {dinkes.notice() or dinkes.alert()!r}"
    assert template_title in dinkes.find("table").text, "the new template is not listed"

    open_case(dinkes, tid)
    assert f"Mohon cek jam buka loket {tag}" in timeline(dinkes), "the liaison does not see the coordinator's internal note"
    links = [a for a in dinkes.finds("#jawab a") if a.text.strip() == template_title]
    assert links, f"the follow-up form does not offer the unit's template {template_title!r}"
    dinkes.click(links[0])
    dinkes.wait_for(lambda: "templat=" in dinkes.url, "the complaint page with the template chosen")
    form = action_form(dinkes, "follow_up")
    assert dinkes.find("#follow-text", within=form).get_attribute("value") == template_body, \
        "choosing the template did not fill the follow-up text"
    submit_action(dinkes, form, "follow_up", case_path(tid))
    assert state(dinkes) == T["state_diproses"], f"after the follow-up the page shows {state(dinkes)!r}"

    # The final answer, with a PDF.
    final = f"Jam buka loket sudah ditertibkan mulai pukul tujuh pagi {tag}"
    form = action_form(dinkes, "respond_final")
    assert form.get_attribute("enctype") == "multipart/form-data"
    type_into(dinkes, "#final-text", final, within=form)
    dinkes.find("#final-files", within=form).send_keys(str(answer_pdf))
    submit_action(dinkes, form, "respond_final", case_path(tid))
    assert state(dinkes) == T["state_ditanggapi"], f"after the final answer the page shows {state(dinkes)!r}"
    pdf_links = [a for a in dinkes.finds("section[aria-labelledby=timeline-title] a[href*='/lampiran/']") if a.text == answer_pdf.name]
    assert pdf_links, f"the final answer's PDF is not in the timeline:\n{timeline(dinkes)[:1500]}"
    r = requests.get(pdf_links[0].get_attribute("href"), cookies=session_cookies(dinkes), timeout=15)
    assert r.status_code == 200 and r.headers.get("content-type", "").startswith("application/pdf") and r.content[:5] == b"%PDF-", \
        f"the answer's PDF does not download: {r.status_code} {r.headers.get('content-type')}"
    assert queue_row(dinkes.go("/petugas"), "unit", tid) is None, "an answered complaint is still in the unit's work queue"

    # The reporter confirms through the secret link.
    citizen.open_private(receipt)
    assert final in citizen.text() and template_body in citizen.text(), "the reporter does not see the follow-up and the answer"
    confirm = citizen.form_for("/konfirmasi")
    assert confirm is not None, "the reporter is not offered the confirm form"
    citizen.submit_form(confirm)
    assert officers.complaint(tid)["state"] == "selesai", "confirming did not close the complaint"

    # The officers see it closed.
    open_case(koord, tid)
    assert state(koord) == T["state_selesai"], f"after the reporter confirmed the officer page shows {state(koord)!r}"
    assert T["event_confirm"] in timeline(koord), "the confirmation is not in the officer's timeline"


# --------------------------------------------------------------------------------------------------
# (2) Returned by the unit, redispositioned by the coordinator


def test_officer_returned_complaint_is_redispositioned(person, officers):
    tag = uid()
    sub = officers.submit_api(title=f"Jembatan kayu di Sungai Andai rapuh {tag}", target_unit=UNIT, category="kesehatan",
                              body=f"Papan jembatan kayu banyak yang lapuk, anak sekolah takut lewat. {tag}")
    tid = sub["tracking_id"]

    # The coordinator verifies it with the bulk form (tick, choose the unit, apply).
    koord = person("koord")
    require_row(koord, "verifikasi", tid)
    koord.check(koord.find(f"#pick-{tid}"), True)
    bulk = koord.find("form#bulk-form")
    Select(koord.find("#bulk-action", within=bulk)).select_by_value("verify")
    Select(koord.find("#bulk-unit", within=bulk)).select_by_value(UNIT)
    koord.submit_form(bulk)
    assert koord.path == "/petugas", f"the bulk action should come back to /petugas, got {koord.url}\n{koord.alert()}"
    assert koord.notice() == say("ws_bulk_done", n=1, refused=0), f"the bulk result says {koord.notice()!r}"
    assert officers.complaint(tid)["unit"] == UNIT

    # The liaison returns it: not the health office's matter.
    dinkes = person("dinkes")
    open_case(dinkes, tid, via_section="unit")
    reason = f"Jembatan adalah kewenangan Dinas PUPR, bukan Dinas Kesehatan {tag}"
    form = action_form(dinkes, "return")
    type_into(dinkes, "#return-reason", reason, within=form)
    dinkes.submit_form(form)
    # The unit can no longer read the complaint, so the page goes to the queue with a confirmation.
    assert dinkes.path in ("/petugas", case_path(tid)) and dinkes.notice(), \
        f"returning should confirm on the queue or the complaint page, got {dinkes.url}\n{dinkes.alert() or dinkes.text()[:800]}"
    assert officers.complaint(tid)["state"] == "baru"
    assert queue_row(dinkes.go("/petugas"), "unit", tid) is None, "the returned complaint is still in the unit's queue"

    # The coordinator sees the flag and redispositions to Dinas PUPR.
    koord.go("/petugas")
    row = require_row(koord, "verifikasi", tid)
    flags = [li.text.strip() for li in row.find_elements(By.CSS_SELECTOR, "ul.flags li")]
    assert T["ws_flag_returned"] in flags, f"the returned complaint's row has no {T['ws_flag_returned']!r} flag: {flags}"
    assert T["do_redispose"] in row.text, f"the row does not name the next step {T['do_redispose']!r}:\n{row.text}"
    open_case(koord, tid, via_section="verifikasi")
    assert T["ws_flag_returned"] in koord.find("article.case > ul.flags").text
    assert reason in timeline(koord) and T["event_return"] in timeline(koord), "the return and its reason are not in the timeline"
    form = action_form(koord, "verify")
    assert koord.find("input[name=aksi]", within=form).get_attribute("value") == "redispose", \
        f"a returned complaint's form should redispose, it posts {koord.find('input[name=aksi]', within=form).get_attribute('value')}"
    assert koord.find("h3", within=form).text.strip() == T["do_redispose"]
    Select(koord.find("#verify-unit", within=form)).select_by_value(DPUPR)
    type_into(koord, "#verify-internal", f"Dialihkan ke PUPR {tag}", within=form)
    submit_action(koord, form, "redispose", case_path(tid))
    assert state(koord) == T["state_didisposisikan"] and fact(koord, "tracking_unit") == DPUPR_NAME, \
        f"after redisposing: state {state(koord)!r}, unit {fact(koord, 'tracking_unit')!r}"
    assert officers.complaint(tid)["unit"] == DPUPR

    # Dinas PUPR's liaison has it; Dinas Kesehatan's does not.
    pupr = person("pupr")
    open_case(pupr, tid, via_section="unit")
    action_form(pupr, "follow_up")
    assert queue_row(dinkes.go("/petugas"), "unit", tid) is None


# --------------------------------------------------------------------------------------------------
# (3) An extension, requested by the unit and approved by the coordinator


MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember")


def day_of(text: str):
    """The calendar day in a date written the Indonesian way, in full or short ("3 Desember 2026", "3 Des 2026 23:59"),
    or None."""
    m = re.search(r"(\d{1,2}) ([A-Z][a-z]+) (\d{4})", text)
    if not m:
        return None
    month = m.group(2).replace("Agt", "Agu")[:3]
    months = [name[:3] for name in MONTHS]
    return dt.date(int(m.group(3)), months.index(month) + 1, int(m.group(1))) if month in months else None


def test_officer_extension_requested_and_approved(person, officers):
    tag = uid()
    tid = dispositioned(officers, tag)

    dinkes = person("dinkes")
    open_case(dinkes, tid, via_section="unit")
    before = dues(dinkes).get(T["stage_resolution"])
    assert before, f"the dues table has no {T['stage_resolution']!r} row after the disposition: {dues(dinkes)}"
    form = action_form(dinkes, "request_extension")
    type_into(dinkes, "#req-days", "5", within=form)
    type_into(dinkes, "#req-reason", f"Menunggu pengiriman obat dari provinsi {tag}", within=form)
    submit_action(dinkes, form, "request_extension", case_path(tid))
    assert not dinkes.has("form#form-request_extension"), "an extension can be requested only once, but the form is still offered"
    assert say("ws_flag_extension", n=5) in dinkes.find("article.case > ul.flags").text

    koord = person("koord")
    row = require_row(koord, "perpanjangan", tid)
    assert say("ws_flag_extension", n=5) in row.text, f"the extension row does not say 5 HK:\n{row.text}"
    open_case(koord, tid, via_section="perpanjangan")
    form = action_form(koord, "decide_extension")
    assert "5 HK" in form.text, f"the decision form does not show the days asked:\n{form.text}"
    assert f"Menunggu pengiriman obat dari provinsi {tag}" in timeline(koord), "the coordinator does not see the reason"
    koord.check(koord.find("input[type=radio][name=approve][value='1']", within=form), True)
    submit_action(koord, form, "decide_extension", case_path(tid))

    after = dues(koord).get(T["stage_resolution"])
    assert after and after[3] != before[3], f"approving 5 HK did not move the resolution due: before {before}, after {after}"
    old_day, new_day = day_of(before[3]), day_of(after[3])
    assert old_day and new_day and (new_day - old_day).days >= 5, \
        f"the resolution due should move by 5 working days (≥ 5 calendar days): {before[3]!r} → {after[3]!r}"
    assert T["event_decide_extension"] in timeline(koord) and after[3] in timeline(koord), \
        "the timeline does not record the decision with the new due"
    assert queue_row(koord.go("/petugas"), "perpanjangan", tid) is None, "a decided extension is still in the queue"


# --------------------------------------------------------------------------------------------------
# (4) A duplicate is merged into the original


def road_reports(officers, tag: str) -> tuple[str, str]:
    """Two reports of the same pothole by two people; the second is the duplicate."""
    original = officers.submit_api(
        title=f"Jalan Sutoyo S {tag} berlubang besar dekat pasar", category="infrastruktur.jalan",
        body=f"Lubang besar di Jalan Sutoyo S {tag} dekat pasar sudah dua minggu, motor sering jatuh saat hujan.",
        reporter={"name": "Rahmat", "email": f"rahmat.{tag}@example.org"})
    duplicate = officers.submit_api(
        title=f"Lubang besar Jalan Sutoyo S {tag} dekat pasar", category="infrastruktur.jalan",
        body=f"Jalan Sutoyo S {tag} dekat pasar berlubang besar, sudah banyak motor jatuh kalau hujan.",
        reporter={"name": "Siti", "email": f"siti.{tag}@example.org"})
    return original["tracking_id"], duplicate["tracking_id"]


def test_officer_duplicate_is_merged(person, officers):
    tag = uid()
    original, duplicate = road_reports(officers, tag)

    koord = person("koord")
    open_case(koord, duplicate, via_section="verifikasi")
    form = action_form(koord, "merge")
    choice = koord.finds(f"input[type=radio][name=into][value='{original}']", within=form)
    listed = [r.get_attribute("value") for r in koord.finds("input[type=radio][name=into]", within=form)]
    assert choice, f"the merge form does not list {original} as a likely duplicate (listed: {listed})"
    label = choice[0].find_element(By.XPATH, "./ancestor::label").text
    assert T["ws_signal_similar_text"] in label and re.search(r"\d+%", label), f"the candidate shows no score or signals: {label!r}"
    koord.check(choice[0], True)
    submit_action(koord, form, "merge", case_path(original))
    assert T["event_merged_duplicate"] in timeline(koord), "the original's timeline does not record the merged duplicate"

    stored = officers.complaint(duplicate)
    assert (stored["state"], stored["merged_into"], stored["archive_reason"]) == ("diarsipkan", original, "duplikat"), stored
    open_case(koord, duplicate)
    assert state(koord) == T["state_diarsipkan"], f"the merged duplicate shows {state(koord)!r}"
    links = koord.finds(f"article.case dl.facts a[href='{case_path(original)}']")
    assert links and fact(koord, "tracking_merged_into"), f"the duplicate's page does not link to the original {original}"
    koord.click(links[0])
    koord.wait_for(lambda: koord.path == case_path(original), "the original's page after following the link")
    assert state(koord) == T["state_baru"], "the original should still wait for verification"


# --------------------------------------------------------------------------------------------------
# (5) Walk-in entry by the coordinator


def test_officer_walk_in_entry_gives_a_receipt(person, officers):
    tag = uid()
    koord = person("koord")
    koord.click(koord.find("header nav a[href='/petugas/aduan/baru']"))
    koord.wait_for(lambda: koord.path == "/petugas/aduan/baru", "the walk-in entry form")
    data = default_report(tag, title=f"Pelayanan KTP lambat di kecamatan {tag}", category="adminduk", target_unit="")
    form = koord.fill_report(data)
    koord.check(koord.find("input[type=radio][name=medium][value=phone]", within=form), True)
    koord.submit_form(form)
    assert koord.path == "/petugas/aduan/baru/tanda-terima", \
        f"entering a complaint should lead to the receipt, got {koord.url}\n{koord.form_errors() or koord.text()[:1200]}"
    tid = koord.find(".tracking-id").get_attribute("data-tracking-id")
    pin = koord.find(".pin").text.strip()
    link = koord.find("dd.secret-link").text.strip()
    assert re.fullmatch(r"[0-9A-Z]{6,20}", tid or "") and pin, f"the receipt lacks the tracking ID or PIN: {tid!r} {pin!r}"
    assert link.startswith(officers.url(f"/t/{tid}?s=")), f"the receipt's secret link is not /t/{tid}?s=…: {link!r}"
    koord.axe("walk-in receipt (desktop)")
    koord.resize("phone")
    koord.layout_at_phone("walk-in receipt")
    koord.axe("walk-in receipt at 360 px")
    koord.resize("desktop")

    koord.driver.refresh()
    assert koord.path == "/petugas" and pin not in koord.text(), f"the receipt shows again on reload: {koord.url}"
    stored = officers.complaint(tid)
    assert (stored["channel"], stored["state"], stored["title"]) == ("officer", "baru", data["title"]), stored
    open_case(koord, tid, via_section="verifikasi")
    assert fact(koord, "ws_channel").startswith(T["stats_channel_officer"]), f"the channel shown is {fact(koord, 'ws_channel')!r}"

    # The citizen's secret link works.
    citizen = person()
    citizen.driver.get(link)
    citizen.wait_for(lambda: citizen.path == f"/t/{tid}", "the tracking page from the walk-in receipt's link")
    assert citizen.is_private(), "the walk-in receipt's secret link does not open the private view"


# --------------------------------------------------------------------------------------------------
# (6) Two-factor: enrolment from the QR code, then sign-in with and without the right code


def totp(secret: str, step: int) -> str:
    """RFC 6238 TOTP (HMAC-SHA1, 6 digits) for the 30-second step `step`."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def test_totp_reference_vector():
    """RFC 6238 appendix B, SHA-1: the helper above computes what authenticator apps do."""
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp(secret, 59 // 30) == "287082" and totp(secret, 1111111109 // 30) == "081804"


def qr_payloads(b: Browser, img, folder: Path) -> list[str]:
    """The QR code in an <img> as Chromium draws it (4× larger, on white, with a quiet zone), read by zbarimg."""
    tool = shutil.which("zbarimg")
    if not tool:
        missing("zbarimg is missing: apt-get install -y zbar-tools")
    box = b.driver.execute_script("""
        const box = document.createElement('div'), copy = document.createElement('img');
        copy.src = arguments[0].src;
        Object.assign(box.style, {position: 'fixed', left: '0', top: '0', padding: '48px', background: '#fff', zIndex: '2147483647'});
        Object.assign(copy.style, {display: 'block', width: '720px', height: '720px', imageRendering: 'pixelated'});
        box.appendChild(copy);
        document.body.appendChild(box);
        return box;""", img)
    b.wait_for(lambda: b.driver.execute_script("return arguments[0].firstChild.complete", box), "the QR image to draw")
    png = folder / "totp-qr.png"
    png.write_bytes(box.screenshot_as_png)
    b.driver.execute_script("arguments[0].remove()", box)
    p = subprocess.run([tool, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(png)], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, f"zbarimg found no QR code in the enrolment image (exit {p.returncode}): {p.stderr.strip()[:300]}"
    return [line for line in p.stdout.splitlines() if line.strip()]


def test_officer_totp_enrolment_and_sign_in(person, officers, tmp_path):
    user = "dinkes2fa"
    b = person(user)
    b.go("/petugas/akun")
    assert b.path == "/petugas/akun", f"the account page did not open: {b.url}"

    # The page shows the secret as text and as a QR code of an otpauth:// URI.
    secret = b.find("#totp-secret").text.strip()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret), f"#totp-secret is not a 160-bit base32 secret: {secret!r}"
    img = b.find("img.totp-qr")
    src = img.get_attribute("src")
    assert src.startswith("data:image/svg+xml;base64,"), f"the QR code is not an inline SVG data URI: {src[:60]!r}"
    assert base64.b64decode(src.split(",", 1)[1]).lstrip()[:4] in (b"<svg", b"<?xm"), "the QR data URI is not SVG"
    assert img.get_attribute("alt") == T["account_2fa_qr_alt"]
    decoded = qr_payloads(b, img, tmp_path)
    assert len(decoded) == 1, f"zbarimg read {decoded} from the enrolment QR code"
    uri = urlparse(decoded[0])
    params = {k: v[0] for k, v in parse_qs(uri.query).items()}
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp"), f"the QR code is not an otpauth://totp/ URI: {decoded[0]}"
    label = unquote(uri.path).lstrip("/")
    assert label.endswith(f":{user}") and label.startswith("Aduan"), f"the URI's label does not name the issuer and the officer: {label!r}"
    assert params.get("secret") == secret, f"the QR code's secret {params.get('secret')!r} is not the one shown ({secret})"
    # The issuer names the installation ("Aduan <host>") and matches the label's issuer part, as the apps expect.
    issuer, _, account = label.partition(":")
    assert account == user and ":" not in issuer, f"the label must have one colon, between issuer and account: {label!r}"
    assert (params.get("issuer"), params.get("algorithm", "SHA1"), params.get("digits", "6"), params.get("period", "30")) == \
        (issuer, "SHA1", "6", "30"), f"unexpected otpauth parameters: {params}"

    # A wrong code does not enrol; the right one does and shows ten recovery codes once.
    form = b.form_for("/petugas/akun/2fa")
    now_step = int(time.time()) // 30
    near = {totp(secret, s) for s in range(now_step - 1, now_step + 2)}
    wrong = next(c for c in (f"{(int(totp(secret, now_step)) + k) % 1_000_000:06d}" for k in range(1, 10)) if c not in near)
    type_into(b, "#enrol-code", wrong, within=form)
    b.submit_form(form)
    assert b.alert() == T["account_error_code"], f"a wrong enrolment code: {b.alert()!r}"
    assert b.find("#totp-secret").text.strip() == secret, "after a wrong code the page offers a different secret"
    form = b.form_for("/petugas/akun/2fa")
    enrolled_step = int(time.time()) // 30
    type_into(b, "#enrol-code", totp(secret, enrolled_step), within=form)
    b.submit_form(form)
    assert b.notice() == T["account_done_enrolled"], f"enrolling: {b.notice() or b.alert()!r}"
    codes = [c.text.strip() for c in b.finds("section.recovery ol.codes code")]
    assert len(codes) == 10 and len(set(codes)) == 10 and all(re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}", c) for c in codes), \
        f"expected 10 distinct recovery codes like XXXXX-XXXXX: {codes}"
    assert not b.has("#totp-secret"), "the secret is still shown after enrolment"
    b.axe("account page with the recovery codes")
    b.driver.refresh()
    assert not any(c in b.text() for c in codes), "the recovery codes show again after a reload"

    # Signed out, the account page asks for sign-in and comes back to it afterwards.
    b.sign_out()
    b.go("/petugas/akun")
    assert b.path == "/petugas/masuk" and parse_qs(urlparse(b.url).query).get("next") == ["/petugas/akun"], \
        f"/petugas/akun signed out should redirect to the sign-in with next=/petugas/akun, got {b.url}"

    # Password only: refused, asking for the code.
    b.sign_in(user, expect=None)
    assert b.path == "/petugas/masuk" and b.alert() == T["officer_error_totp"], \
        f"a password without the code should be refused asking for the code; at {b.url}: {b.alert()!r}"
    assert b.find("#username").get_attribute("value") == user, "the username typed was lost"
    b.axe("sign-in asking for the code")

    # A wrong code: refused.
    step = int(time.time()) // 30
    near = {totp(secret, s) for s in range(step - 1, step + 3)}
    wrong = next(c for c in ("000000", "123456", "999999", "424242") if c not in near)
    b.sign_in(user, totp=wrong, expect=None)
    assert b.path == "/petugas/masuk" and b.alert() == T["officer_error_signin"], \
        f"a wrong code should be refused; at {b.url}: {b.alert()!r}"
    b.go("/petugas")
    assert b.path == "/petugas/masuk", "a wrong code signed the officer in"

    # The right code (a later step than the one used to enrol: a code counts once) works, and `next` is kept.
    b.go("/petugas/akun")
    step = max(int(time.time()) // 30, enrolled_step + 1)
    b.sign_in(user, totp=totp(secret, step), expect="/petugas/akun")
    assert T["account_2fa_on"] in b.text(), "the account page does not say two-factor is on"

    # The same code again is refused (replay), a recovery code works once.
    b.sign_out()
    b.sign_in(user, totp=totp(secret, step), expect=None)
    assert b.path == "/petugas/masuk", "a TOTP code was accepted twice"
    b.sign_in(user, totp=codes[0].lower(), expect="/petugas")
    b.sign_out()
    b.sign_in(user, totp=codes[0], expect=None)
    assert b.path == "/petugas/masuk", "a recovery code was accepted twice"

    # The API token needs the code too.
    r = requests.post(officers.url("/api/v1/auth/token"), json={"username": user, "password": OFFICERS[user][0]}, timeout=15)
    assert r.status_code == 401 and r.json()["error"]["code"] == "totp_required", \
        f"API sign-in without the code: {r.status_code} {r.text[:200]}"

    # Checked last, so that the sign-in checks above run whatever it says: authenticator apps split the label at its
    # first colon into issuer and account ("Key Uri Format": neither may contain a colon), so the label must be
    # `issuer:account` with exactly one colon, or the app shows a wrong issuer and account name.
    issuer, _, account = label.partition(":")
    assert label.count(":") == 1 and account.strip() == user and issuer.startswith("Aduan"), (
        f"the otpauth label {label!r} has {label.count(':')} colons: an authenticator app would show issuer {issuer!r} "
        f"and account {account!r} instead of 'Aduan…' and {user!r} (the site address in the label carries the colons)")


# --------------------------------------------------------------------------------------------------
# (7) Accessibility and the 360 px layout of every officer page


ROLES = ("koord", "dinkes", "kadinkes")


@pytest.fixture(scope="module")
def desks(portal, chromium, officers):
    """One signed-in browser per role for the page checks, kept for the module."""
    with signed_in_desks(portal, ROLES) as opened:
        yield opened


@pytest.fixture(scope="module")
def scenes(officers, desks) -> dict:
    """Complaints in the states whose pages carry the most forms, and a response template of Dinas Kesehatan (so that
    the templates page has its table and the liaison's complaint page its template list)."""
    tag = uid()
    b = desks["dinkes"].go("/petugas/templat")
    form = b.find("form#template-form")
    Select(b.find("#tpl-unit", within=form)).select_by_value(UNIT)
    type_into(b, "#tpl-title", f"Obat sedang dipesan {tag}", within=form)
    type_into(b, "#tpl-body", "Obat sudah dipesan ke gudang farmasi provinsi dan akan tiba minggu ini.", within=form)
    b.submit_form(form)
    assert b.notice() == T["templates_done_save"], f"saving a template: {b.notice() or b.alert()!r}"
    original, duplicate = road_reports(officers, tag)          # `baru`, with a likely duplicate listed
    unit_case = dispositioned(officers, tag)                   # `didisposisikan` at Dinas Kesehatan
    asked = dispositioned(officers, tag + "x")                 # an extension waiting for the coordinator
    officers.act(asked, "request_extension", "dinkes", days=3, internal_text="Menunggu hasil laboratorium")
    returned = dispositioned(officers, tag + "r")              # returned, to be redispositioned
    officers.act(returned, "return", "dinkes", internal_text="Bukan kewenangan unit")
    return {"tag": tag, "new": duplicate, "original": original, "unit": unit_case, "extension": asked, "returned": returned}


PAGES = {
    # name: (role, path with {placeholders} from `scenes`)
    "home-coordinator": ("koord", "/petugas"),
    "home-liaison": ("dinkes", "/petugas"),
    "home-unit-head": ("kadinkes", "/petugas"),
    "complaint-new": ("koord", "/petugas/aduan/{new}"),
    "complaint-returned": ("koord", "/petugas/aduan/{returned}"),
    "complaint-extension": ("koord", "/petugas/aduan/{extension}"),
    "complaint-liaison": ("dinkes", "/petugas/aduan/{unit}"),
    "complaint-unit-head": ("kadinkes", "/petugas/aduan/{unit}"),
    "list": ("koord", "/petugas/aduan?q={tag}"),
    "list-filtered": ("koord", "/petugas/aduan?state=baru&terlambat=1"),
    "inbox-coordinator": ("koord", "/petugas/kotak-masuk"),
    "inbox-liaison": ("dinkes", "/petugas/kotak-masuk"),
    "templates": ("dinkes", "/petugas/templat"),
    "account": ("koord", "/petugas/akun"),
    "intake": ("koord", "/petugas/aduan/baru"),
    "qr": ("koord", "/petugas/qr"),
    "import-export": ("koord", "/petugas/impor-ekspor"),
    "export-liaison": ("dinkes", "/petugas/impor-ekspor"),
}


@pytest.mark.parametrize("kind", ["phone", "desktop"])
@pytest.mark.parametrize("page", list(PAGES))
def test_officer_pages_axe_and_360px(desks, scenes, page, kind):
    role, template = PAGES[page]
    b = desks[role]
    b.resize(kind)
    path = template.format(**scenes)
    b.go(path)
    assert b.path == urlparse(path).path, f"{page}: {path} as {role} ended at {b.url}\n{b.text()[:800]}"
    assert b.h1(), f"{page}: the page has no heading"
    assert b.lang() == "id", f"{page}: no <html lang=id>"
    if page == "home-unit-head":
        assert b.has("ul.figures"), "the unit head's home shows no unit figures"
        require_row(b, "kepala-63-dinkes", scenes["unit"])
    if page == "list":
        assert b.has(f"a[href='{case_path(scenes['new'])}']"), f"searching the list for {scenes['tag']} does not find the complaint"
    if page == "complaint-new":
        assert b.has(f"form#form-merge input[name=into][value='{scenes['original']}']"), "no likely duplicate on the merge form"
    if page == "complaint-liaison":
        assert b.has("#jawab a[href*='templat=']"), "the liaison's complaint page lists no response template"
    if page == "templates":
        assert b.has("table"), "the templates page shows no table of templates"
    if kind == "phone":
        b.layout_at_phone(f"{page} ({path} as {role})")
    b.axe(f"{page} as {role}")


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_officer_signed_out_pages_axe_and_360px(browser: Browser, kind):
    """Sign-in (empty, and with an error), forgotten password (form, and after sending)."""
    b = browser
    b.resize(kind)
    b.go("/petugas/masuk")
    b.axe("sign-in")
    if kind == "phone":
        b.layout_at_phone("sign-in")
    # An unknown username, so that no real officer collects failed sign-ins (five lock the account).
    b.sign_in(f"tidak-ada-{uid()}", password="not-the-password", expect="/petugas/masuk")
    assert b.alert() == T["officer_error_signin"], f"a wrong password: {b.alert()!r}"
    b.axe("sign-in with an error")
    b.click(b.find("a[href='/petugas/lupa-sandi']"))
    b.wait_for(lambda: b.path == "/petugas/lupa-sandi", "the forgotten-password page")
    b.axe("forgotten password")
    if kind == "phone":
        b.layout_at_phone("forgotten password")
    type_into(b, "#forgot-username", f"tidak-ada-{uid()}")
    b.submit_form(b.form_for("/petugas/lupa-sandi"))
    assert b.notice() == T["forgot_sent"], f"the forgotten-password form's answer: {b.notice() or b.alert()!r}"
    b.axe("forgotten password, sent")
