"""The inspectorate's monitoring journey in a real browser (issue 7 "Show"; SPEC §1, §8, §11).

The provincial inspector opens the monev dashboard, picks a month and ticks "termasuk kabupaten/kota", reads the
headline figures and the units ranking, follows the "received" figure to the complaints behind it (the same count),
opens a complaint of Dinas Kesehatan and issues a formal warning (teguran); the unit head sees it on their home page
and answers it; the inspector then finds it answered, with the response, and the printable evaluation report counts
it (SPBE indicator 42 evidence) next to the Road Map indicators; the CSV downloads. A kota inspector is held to their
kota; the governor reads without acting. Then axe-core and the 360 px layout on the monev and warning pages.

Officers (conftest.OFFICERS): irprov (inspector of 63), irkota (inspector of 63.71 Kota Banjarmasin), gubernur
(executive of 63), kadinkes (unit head of 63/dinkes), dinkes (liaison of 63/dinkes), koord (coordinator of 63).
"""
from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlencode, urlparse
from zoneinfo import ZoneInfo

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import signed_in_desks, UNIT, Browser, catalogue, uid


def open_action(b: Browser, form):
    """Opens an action's form on the complaint page by its name in the list of actions (a <details>)."""
    details = b.driver.execute_script("return arguments[0].closest('details')", form)
    if details is not None and details.get_attribute("open") is None:
        b.click(details.find_element(By.CSS_SELECTOR, "summary"))

T = catalogue("id")
KOTA = "63.71"
KOTA_NAME = "Kota Banjarmasin"
DINKES_NAME = "Dinas Kesehatan"
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember")


def this_month() -> tuple[int, int, dt.date, dt.date]:
    """The current month in Kalimantan Selatan's time (WITA): year, month, first and last day."""
    today = dt.datetime.now(ZoneInfo("Asia/Makassar")).date()
    first = today.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return today.year, today.month, first, last


def monev_query(**extra) -> str:
    year, month, _, _ = this_month()
    return urlencode({"j": "63", "periode": "month", "tahun": year, "ke": month, "sub": "1", **extra})


def has_query(url: str, **expected) -> bool:
    """Whether the URL's query holds these parameters with these values (others, e.g. an empty as-of date, may be there)."""
    query = parse_qs(urlparse(url).query)
    return all(query.get(k) == (v if isinstance(v, list) else [v]) for k, v in expected.items())


def number(text: str) -> int:
    """A count as the pages write it ("1.234" in Indonesian)."""
    digits = re.sub(r"[.,\s\u00a0]", "", text)
    assert digits.isdigit(), f"not a count: {text!r}"
    return int(digits)


def session_cookies(b: Browser) -> dict:
    return {c["name"]: c["value"] for c in b.driver.get_cookies()}


def status_of(b: Browser, path: str) -> requests.Response:
    """The same request as the browser's, with its session, to read the HTTP status the browser does not expose."""
    return requests.get(b.portal.url(path), cookies=session_cookies(b), timeout=30, allow_redirects=False)


def type_into(b: Browser, css: str, text: str, within=None):
    field = b.find(css, within=within)
    field.clear()
    field.send_keys(text)
    return field


def hint(b: Browser) -> str:
    """The dashboard's line under the filters: period, scope, as-of, read-only."""
    return b.find("main form.filters + p.hint").text


def figure(b: Browser, key: str):
    """The headline figure (li of ul.figures) labelled T[key], and its value."""
    items = [li for li in b.finds("section[aria-labelledby=monev-headline] ul.figures > li")
             if li.text.strip().endswith(T[key])]
    assert items, (f"the headline figures have no {T[key]!r}: "
                   f"{[li.text for li in b.finds('section[aria-labelledby=monev-headline] ul.figures > li')]}")
    return items[0], number(b.find("strong", within=items[0]).text)


def ranking_row(b: Browser, section: str, name: str) -> list[str]:
    """The cells (rank, name, dispositioned, …) of the row named `name` in the ranking section `section`."""
    rows = b.driver.find_elements(By.XPATH, f"//section[@aria-labelledby='{section}']//tbody/tr[th[normalize-space()='{name}']]")
    assert rows, f"the ranking #{section} has no row for {name!r}:\n{b.find(f'section[aria-labelledby={section}]').text[:1500]}"
    return [c.text.strip() for c in rows[0].find_elements(By.XPATH, "./td|./th")]


def warning_card(b: Browser, section: str, text: str):
    """The warning card (article.warning-card) holding `text` in the section labelled by `section`, or None."""
    cards = [a for a in b.finds(f"section[aria-labelledby={section}] article.warning-card") if text in a.text]
    return cards[0] if cards else None


def api_received(portal, user: str, **params) -> int:
    r = portal.api("GET", "/api/v1/monev/summary", user, params=params)
    assert r.status_code == 200, f"GET /api/v1/monev/summary {params} as {user}: {r.status_code} {r.text[:300]}"
    return r.json()["received"]


def shots(b: Browser, name: str, label: str):
    """docs/screenshots/{name}-desktop.png and -phone.png of the current page; at 360 px it must not scroll sideways."""
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


def complaints(officers, tag: str) -> dict:
    """Three complaints of this month: two dispositioned to Dinas Kesehatan (one followed up, one not yet), one
    new in Kota Banjarmasin (counted only with the kabupaten/kota)."""
    def submit(**fields) -> str:
        return officers.submit_api(**fields)["tracking_id"]

    followed = submit(title=f"Antrean apotek puskesmas panjang {tag}", category="kesehatan", target_unit=UNIT,
                      body=f"Antrean di apotek puskesmas lebih dari dua jam setiap pagi. {tag}")
    officers.act(followed, "verify", "koord", unit=UNIT)
    officers.act(followed, "follow_up", "dinkes", text=f"Petugas menambah loket apotek {tag}")
    silent = submit(title=f"Obat hipertensi kosong di puskesmas {tag}", category="kesehatan", target_unit=UNIT,
                    body=f"Sudah tiga kali saya datang, obat hipertensi selalu kosong di apotek puskesmas. {tag}")
    officers.act(silent, "verify", "koord", unit=UNIT)
    kota = submit(title=f"Drainase tersumbat di Banjarmasin Tengah {tag}", jurisdiction=KOTA,
                  body=f"Saluran air di depan pasar tersumbat sampah dan meluap saat hujan. {tag}")
    return {"followed": followed, "silent": silent, "kota": kota}


# --------------------------------------------------------------------------------------------------
# (1) Dashboard → drill-down → warning → acknowledgement → report


def test_monev_inspector_journey(person, officers):
    tag = uid()
    made = complaints(officers, tag)
    year, month, first, last = this_month()

    # The provincial inspector opens Monev from the navigation: by default the province alone, this year.
    ir = person("irprov")
    ir.click(ir.find("header nav a[href='/petugas/monev']"))
    ir.wait_for(lambda: ir.path == "/petugas/monev", "the monev dashboard")
    assert ir.find("header nav a[href='/petugas/monev']").text.strip() == T["monev_nav"]
    assert ir.h1().startswith(T["monev_title"]), f"the dashboard's heading is {ir.h1()!r}"
    assert T["monev_read_only"] not in hint(ir), "the inspector's dashboard says it is read-only"

    # Picks this month with the kabupaten/kota.
    form = ir.find("main form.filters")
    Select(ir.find("#monev-j", within=form)).select_by_value("63")
    # The period is one choice (a whole year, a quarter or a month), so no "month/quarter number" box for a year.
    period = Select(ir.find("#monev-period", within=form))
    groups = [g.get_attribute("label") for g in ir.finds("#monev-period optgroup")]
    assert groups == [T["monev_period_year"], T["monev_period_quarter"], T["monev_period_month"]], groups
    assert T["monev_period_index"] not in ir.text(), f"the dashboard still offers {T['monev_period_index']!r}"
    period.select_by_value(f"month-{month}")
    Select(ir.find("#monev-year", within=form)).select_by_value(str(year))
    ir.check(ir.find("input[type=checkbox][name=sub]", within=form), True)
    ir.submit_form(form)
    assert ir.path == "/petugas/monev" and has_query(ir.url, j="63", periode=f"month-{month}", tahun=str(year), sub="1"), \
        f"the filter form led to {ir.url}"
    assert Select(ir.find("#monev-period")).first_selected_option.get_attribute("value") == f"month-{month}", "the period is not kept"
    assert f"{MONTHS[month - 1]} {year}" in hint(ir) and T["stats_including_sub"] in hint(ir), \
        f"the dashboard does not name the period and the scope: {hint(ir)!r}"
    assert ir.find("input[type=checkbox][name=sub]").is_selected(), "the kabupaten/kota box is not kept ticked"

    # The headline figures; the same engine answers the API, and the kota's complaint counts only with sub=1.
    _, received = figure(ir, "stats_received")
    _, dispositioned = figure(ir, "stats_dispositioned")
    assert received >= 3 and dispositioned >= 2, f"received {received}, dispositioned {dispositioned} after three new complaints"
    window = {"from": first.isoformat(), "to": last.isoformat()}
    assert api_received(officers, "irprov", scope="63", include_sub="true", **window) == received, \
        "the dashboard's received figure differs from GET /api/v1/monev/summary for the same scope and period"
    assert api_received(officers, "irprov", scope="63", **window) < received, \
        "the province without its kabupaten/kota counts as many complaints as with them (the kota complaint is missing)"

    # The units ranking (Dinas Kesehatan with its two dispositions) and the kabupaten/kota ranking.
    cells = ranking_row(ir, "monev-units", DINKES_NAME)
    assert number(cells[2]) >= 2, f"Dinas Kesehatan's row shows {cells[2]} dispositioned: {cells}"
    link = ir.driver.find_element(By.XPATH, f"//section[@aria-labelledby='monev-units']//tbody/tr/th/a[normalize-space()='{DINKES_NAME}']")
    assert "unit=63%2Fdinkes" in link.get_attribute("href"), f"the unit's row does not lead to its complaints: {link.get_attribute('href')}"
    ranking_row(ir, "monev-places", KOTA_NAME)
    assert ir.has("svg.chart[role=img] title"), "the dashboard draws no SVG chart with a title"
    shots(ir, "officer-monev", "monev dashboard (province with kabupaten/kota, this month)")

    # The CSV link.
    csv_links = [a.get_attribute("href") for a in ir.finds("main a") if "/petugas/monev.csv?" in (a.get_attribute("href") or "")]
    assert csv_links, "the dashboard has no link to monev.csv"
    assert parse_qs(urlparse(csv_links[0]).query).get("sub") == ["1"], f"the CSV link loses the scope: {csv_links[0]}"
    r = requests.get(csv_links[0], cookies=session_cookies(ir), timeout=30)
    assert r.status_code == 200 and r.headers.get("content-type", "").startswith("text/csv"), \
        f"the CSV does not download: {r.status_code} {r.headers.get('content-type')}"
    assert re.search(r'attachment; filename="monev-63-[^"]*\.csv"', r.headers.get("content-disposition", "")), r.headers.get("content-disposition")
    text = r.content.decode("utf-8-sig")
    assert f"{T['monev_metric_received']},{received},received\r\n" in text and f",63/dinkes,{DINKES_NAME}," in text, \
        f"the CSV lacks the figures:\n{text[:800]}"

    # The "received" figure leads to the same complaints: the officer list narrowed to the scope and the period.
    received_li, shown = figure(ir, "stats_received")   # found again: the screenshots reloaded the page
    assert shown == received, f"reloading the dashboard changed the received figure from {received} to {shown}"
    ir.click(received_li.find_element(By.CSS_SELECTOR, "a"))
    ir.wait_for(lambda: ir.path == "/petugas/aduan", "the complaint list behind the received figure")
    assert has_query(ir.url, j="63", sub="1", dari=first.isoformat(), sampai=last.isoformat()), f"the drill-down went to {ir.url}"
    assert not {"state", "unit", "terlambat", "q"} & set(parse_qs(urlparse(ir.url).query)), f"the received figure narrows further: {ir.url}"
    status = ir.find("main p[role=status]").text
    m = re.match(rf"{re.escape(T['ws_list_total'])}\s*([\d.]+)", status)
    assert m and number(m.group(1)) == received, f"the list says {status!r}, the dashboard {received} {T['stats_received']}"
    assert ir.h1().startswith(T["ws_list_title_filtered"] + ": ") and str(first.year) in ir.h1(), \
        f"the filtered list's heading does not name its filters: {ir.h1()!r}"
    narrowed = ir.find("main p.hint").text
    assert T["ws_list_narrowed"] in narrowed and "Kalimantan Selatan" in narrowed and str(first.year) in narrowed, \
        f"the list does not say in words that it is narrowed to the scope and period: {narrowed!r}"
    for tid in made.values():
        assert ir.has(f"main a[href='/petugas/aduan/{tid}']"), f"the drill-down list does not show {tid}"

    # The complaint of Dinas Kesehatan that has no follow-up yet: a warning needs a real text.
    ir.click(ir.find(f"main a[href='/petugas/aduan/{made['silent']}']"))
    ir.wait_for(lambda: ir.path == f"/petugas/aduan/{made['silent']}", "the complaint page")
    form = ir.find("form#form-warn")
    open_action(ir, form)
    assert DINKES_NAME in ir.find("h3", within=form).text, f"the warning form does not name the unit: {ir.find('h3', within=form).text!r}"
    assert ir.find("input[name=unit]", within=form).get_attribute("value") == UNIT
    type_into(ir, "textarea[name=text]", "Segera", within=form)
    # The browser refuses a too-short text before sending; the server refuses it as well.
    area = ir.find("textarea[name=text]", within=form)
    assert ir.driver.execute_script("return arguments[0].validity.tooShort", area), "the browser does not check the warning's length"
    ir.driver.execute_script("arguments[0].removeAttribute('minlength')", area)
    ir.submit_form(form)
    assert ir.find("#warn-text-error").text.strip() == T["warnings_error_text"], f"a 6-character warning: {ir.alert() or ir.text()[:600]!r}"
    assert ir.find("#warn-text").get_attribute("value") == "Segera", "the refused warning's text was not kept"
    form = ir.find("form#form-warn")
    open_action(ir, form)
    warning = f"Aduan {made['silent']} belum ditindaklanjuti. Mohon tindak lanjut dalam 2 hari kerja {tag}"
    type_into(ir, "textarea[name=text]", warning, within=form)
    ir.submit_form(form)
    assert ir.path == "/petugas/teguran" and parse_qs(urlparse(ir.url).query).get("ok") == ["issued"], f"issuing led to {ir.url}"
    assert ir.notice() == T["warnings_done_issued"], f"after issuing: {ir.notice() or ir.alert()!r}"
    card = warning_card(ir, "open-title", warning)
    assert card is not None, f"the new warning is not waiting for the unit head:\n{ir.text()[:1500]}"
    assert card.find_elements(By.CSS_SELECTOR, f"a[href='/petugas/aduan/{made['silent']}']"), "the warning does not link its complaint"
    assert DINKES_NAME in card.find_element(By.CSS_SELECTOR, "h3").text
    assert not card.find_elements(By.CSS_SELECTOR, "form"), "the inspector is offered to answer their own warning"

    # The unit's liaison reads it but may not answer it.
    liaison = person("dinkes").go("/petugas/teguran")
    card = warning_card(liaison, "open-title", warning)
    assert card is not None and not card.find_elements(By.CSS_SELECTOR, "form"), \
        "the liaison should see the unit's warning without the answer form"

    # The unit head sees it on their home page and answers it.
    head = person("kadinkes")
    due = head.finds("section.warnings-due")
    assert due and head.find("h2", within=due[0]).text.startswith(T["warnings_to_acknowledge"]), \
        f"the unit head's home has no {T['warnings_to_acknowledge']!r} section:\n{head.text()[:1200]}"
    assert warning in due[0].text, f"the warning is not on the unit head's home:\n{due[0].text[:1200]}"
    head.click(head.find("a[href='/petugas/teguran']", within=due[0]))
    head.wait_for(lambda: head.path == "/petugas/teguran", "the warnings page")
    card = warning_card(head, "open-title", warning)
    assert card is not None, f"the warning is not on the unit head's warnings page:\n{head.text()[:1500]}"
    form = card.find_element(By.CSS_SELECTOR, "form")
    assert re.search(r"/petugas/teguran/\d+/terima$", form.get_attribute("action")), form.get_attribute("action")
    button = head.find("button[type=submit]", within=form)
    assert button.text.strip() == T["warnings_acknowledge"], f"the answer button says {button.text!r}"
    response = f"Obat sudah dipesan ke gudang farmasi provinsi, apotek buka stok darurat mulai besok {tag}"
    type_into(head, "textarea[name=response]", response, within=form)
    head.submit_form(form)
    assert head.path == "/petugas/teguran" and head.notice() == T["warnings_done_acknowledged"], \
        f"answering led to {head.url}: {head.notice() or head.alert()!r}"
    assert warning_card(head, "open-title", warning) is None, "the answered warning still waits for an answer"
    assert warning_card(head, "done-title", warning) is not None, "the answered warning is not under the answered ones"
    assert not head.go("/petugas").finds("section.warnings-due") or warning not in head.find("section.warnings-due").text, \
        "the answered warning is still on the unit head's home"

    # The inspector finds it answered, with the response.
    ir.go("/petugas/teguran")
    assert warning_card(ir, "open-title", warning) is None, "the inspector still sees the warning as unanswered"
    card = warning_card(ir, "done-title", warning)
    assert card is not None, f"the inspector does not see the warning under {T['warnings_done']!r}:\n{ir.text()[:1500]}"
    assert ir.find("#done-title").text.startswith(T["warnings_done"])
    assert response in card.text and f"{T['warnings_acknowledged_by']} kadinkes" in card.text, \
        f"the answered warning does not show the response and who gave it:\n{card.text}"

    # The printable evaluation report for the same scope and period.
    ir.go(f"/petugas/monev?{monev_query()}")
    report = [a for a in ir.finds("main a") if a.text.strip() == T["monev_report_link"]]
    assert report, f"the dashboard has no {T['monev_report_link']!r} link"
    ir.click(report[0])
    ir.wait_for(lambda: ir.path == "/petugas/monev/laporan", "the evaluation report")
    assert has_query(ir.url, **parse_qs(monev_query())), f"the report lost the scope or period: {ir.url}"
    headings = [h.text.strip() for h in ir.finds("main h2")]
    for expected in ("Bukti SPBE indikator 42", "Indikator Road Map"):
        assert any(h.startswith(expected) for h in headings), f"the report has no {expected!r} section: {headings}"
    roadmap = ir.find("section[aria-labelledby=report-roadmap] ul.figures").text
    assert re.search(rf"\b{received}\b\s*{re.escape(T['monev_roadmap_received'])}", roadmap), \
        f"the Road Map figures do not count the {received} complaints: {roadmap!r}"
    evidence = ir.find("section[aria-labelledby=report-spbe] table").text
    m = re.search(r"(\d+) teguran, (\d+) ditanggapi", evidence)
    assert m and int(m.group(1)) >= 1 and int(m.group(2)) >= 1, f"the SPBE evidence does not count the answered warning:\n{evidence}"
    assert ir.has("main a[href*='/petugas/monev.csv?']"), "the report has no CSV link"


# --------------------------------------------------------------------------------------------------
# (2) A kota inspector sees their kota only; (3) the governor reads only


def test_monev_kota_inspector_is_held_to_the_kota(person, officers):
    tag = uid()
    officers.submit_api(title=f"Lampu jalan padam di Banjarmasin Utara {tag}", jurisdiction=KOTA)
    b = person("irkota")
    b.click(b.find("header nav a[href='/petugas/monev']"))
    b.wait_for(lambda: b.path == "/petugas/monev", "the monev dashboard")
    options = [(o.get_attribute("value"), o.text.strip()) for o in Select(b.find("#monev-j")).options]
    assert options == [(KOTA, KOTA_NAME)], f"a kota inspector is offered {options}"
    assert KOTA_NAME in b.h1(), f"the kota inspector's dashboard heading: {b.h1()!r}"
    assert not b.has("input[name=sub]"), "a kota (no kabupaten/kota below it) offers the kabupaten/kota box"
    _, received = figure(b, "stats_received")
    assert received >= 1, "the kota's own complaint is not counted"

    for path in ("/petugas/monev?j=63", f"/petugas/monev?{monev_query()}", f"/petugas/monev/laporan?{monev_query()}",
                 f"/petugas/monev.csv?{monev_query()}"):
        r = status_of(b, path)
        assert r.status_code == 403, f"{path} as the inspector of {KOTA}: {r.status_code}, should be 403"
    b.go("/petugas/monev?j=63")
    assert T["monev_forbidden"] in b.text(), f"the 403 page does not say why:\n{b.text()[:800]}"
    assert not b.has("ul.figures"), "the 403 page shows figures"


def test_monev_executive_reads_only(person, officers):
    tag = uid()
    sub = officers.submit_api(title=f"Puskesmas tutup sebelum jam pelayanan {tag}", category="kesehatan", target_unit=UNIT)
    officers.act(sub["tracking_id"], "verify", "koord", unit=UNIT)
    b = person("gubernur")
    nav = [a.get_attribute("href") for a in b.finds("header nav a")]
    assert any(h.endswith("/petugas/monev") for h in nav), "the governor has no Monev link"
    assert not any(h.endswith("/petugas/teguran") for h in nav), "the governor is offered the warnings page"
    b.go(f"/petugas/monev?{monev_query()}")
    assert T["monev_read_only"] in hint(b), f"the governor's dashboard does not say {T['monev_read_only']!r}: {hint(b)!r}"
    figure(b, "stats_received")
    ranking_row(b, "monev-units", DINKES_NAME)
    b.go(f"/petugas/aduan/{sub['tracking_id']}")
    assert b.has("article.case"), f"the governor cannot read a complaint of the province:\n{b.text()[:600]}"
    assert not b.has("form#form-warn"), "the governor is offered to issue a warning"
    assert status_of(b, "/petugas/teguran").status_code == 403, "the warnings page opens for the governor"


# --------------------------------------------------------------------------------------------------
# (4) Accessibility and the 360 px layout


DESK_ROLES = ("irprov", "kadinkes", "gubernur")


@pytest.fixture(scope="module")
def desks(portal, chromium, officers):
    with signed_in_desks(portal, DESK_ROLES) as opened:
        yield opened


@pytest.fixture(scope="module")
def open_warning(officers, desks):
    """A warning to Dinas Kesehatan from the warnings page's own form, open while the pages are checked (so the unit
    head's page carries the answer form); answered afterwards, so that other tests find no open warning."""
    complaints(officers, uid())
    tag = uid()
    text = f"Rekap tindak lanjut Dinas Kesehatan bulan ini belum dikirim {tag}"
    b = desks["irprov"].go("/petugas/teguran")
    form = b.find("form#form-warn-unit")
    Select(b.find("#warn-unit", within=form)).select_by_value(UNIT)
    type_into(b, "#warn-unit-text", text, within=form)
    b.submit_form(form)
    assert b.notice() == T["warnings_done_issued"], f"issuing from the warnings page: {b.notice() or b.alert()!r}"
    yield text
    head = desks["kadinkes"].go("/petugas/teguran")
    card = warning_card(head, "open-title", text)
    if card is not None and card.find_elements(By.CSS_SELECTOR, "form"):
        form = card.find_element(By.CSS_SELECTOR, "form")
        type_into(head, "textarea[name=response]", f"Rekap sudah dikirim hari ini {tag}", within=form)
        head.submit_form(form)


PAGES = {
    # name: (role, path)
    "monev": ("irprov", f"/petugas/monev?{monev_query()}"),
    "monev-report": ("irprov", f"/petugas/monev/laporan?{monev_query()}"),
    "monev-executive": ("gubernur", "/petugas/monev"),
    "executive-home": ("gubernur", "/petugas"),
    "drill-down": ("irprov", "/petugas/aduan?" + urlencode({"j": "63", "sub": "1", "dari": this_month()[2].isoformat(),
                                                               "sampai": this_month()[3].isoformat()})),
    "statistics": ("irprov", "/statistik?j=63&sub=1"),
    "unit-card": ("irprov", "/unit/63/dinkes"),
    "warnings-inspector": ("irprov", "/petugas/teguran"),
    "warnings-unit-head": ("kadinkes", "/petugas/teguran"),
}


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("kind", ["phone", "desktop"])
@pytest.mark.parametrize("page", list(PAGES))
def test_monev_pages_axe_and_360px(desks, open_warning, page, kind, lang):
    role, path = PAGES[page]
    b = desks[role]
    b.resize(kind)
    path = path + ("&" if "?" in path else "?") + f"lang={lang}"
    b.go(path)
    assert b.path == urlparse(path).path, f"{page}: {path} as {role} ended at {b.url}\n{b.text()[:800]}"
    assert b.h1() and b.lang() == lang, f"{page}: no heading or no <html lang={lang}>"
    if page.startswith("monev"):
        assert b.has("ul.figures") and b.has("section[aria-labelledby=monev-units] .table-wrap table"), \
            f"{page}: no figures or no units ranking inside .table-wrap"
        assert b.has("figure.chart svg[role=img] title") and b.has("details.chart-data table"), f"{page}: no chart with its table"
    if page == "executive-home":
        assert b.has("section.executive-summary ul.figures li[data-metric=received]") and \
            b.has("section.executive-summary a[href^='/petugas/monev?j=63']"), "the executive's home has no headline figures or no link"
    if page == "warnings-unit-head":
        card = warning_card(b, "open-title", open_warning)
        assert card is not None and card.find_elements(By.CSS_SELECTOR, "form textarea[name=response]"), \
            "the unit head's warnings page has no answer form for the open warning"
    if page == "warnings-inspector":
        assert b.has("form#form-warn-unit") and warning_card(b, "open-title", open_warning) is not None
    # Dates are written in the page's language, never as 2026-03-02.
    iso = re.findall(r"\b\d{4}-\d{2}-\d{2}\b", b.text())
    assert not iso, f"{page}: dates shown unformatted: {iso[:5]}"
    if lang == "en":
        text = b.text()
        leaks = [T[k] for k in ("stats_received", "stats_headline_heading", "monev_units_heading", "stats_col_overdue",
                                 "monev_report_options", "ws_list_title_filtered", "ws_executive_dashboard") if T[k] in text]
        assert not leaks, f"{page}: Indonesian on an English page: {leaks}"
    if kind == "phone":
        b.layout_at_phone(f"{page} ({path} as {role})")
    b.axe(f"{page} as {role} ({lang})")
