"""The citizen form's agency choice and its uploads (issue 19, fixes 4 and 5), in a real browser.

Fix 4: "Instansi yang dituju" is a <select> of agencies by name under their region (<optgroup>), usable without
JavaScript; a typed name still finds its unit; an unknown value gets the catalogue's helpful error, in the page's
language, with what was typed kept. Fix 5: a file over the limit is named by the browser beside the field in the
page's language and the form is not sent; without the browser check, the server names the file and says it is too
big, and the page says which files must be chosen again.
"""
from __future__ import annotations

import re

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import UNIT, Browser, catalogue, csrf_session, default_report, make_driver, multipart, uid

CATALOGUES = {"id": catalogue("id"), "en": catalogue("en")}
DPUPR = "63/dpupr"
DPUPR_NAME = "Dinas Pekerjaan Umum dan Penataan Ruang"


def jurisdiction_name(portal, code: str) -> str:
    r = requests.get(portal.url("/api/v1/jurisdictions"), timeout=15)
    assert r.status_code == 200
    rows = r.json()
    rows = rows.get("jurisdictions", rows) if isinstance(rows, dict) else rows
    return next(j["name"] for j in rows if j["code"] == code)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_agency_is_chosen_by_name_grouped_by_region_without_javascript(portal, officers, lang):
    T = CATALOGUES[lang]
    b = Browser(make_driver(javascript=False), portal)
    try:
        b.go(f"/bahasa/{lang}?next=/lapor")
        form = b.find("form.report")
        select = b.find("select#target_unit", within=form)
        region = jurisdiction_name(portal, "63")
        groups = {g.get_attribute("label"): g for g in select.find_elements(By.CSS_SELECTOR, "optgroup")}
        assert region in groups, f"no group for {region!r} among {list(groups)[:8]}"
        names = [o.text.strip() for o in groups[region].find_elements(By.CSS_SELECTOR, "option")]
        assert DPUPR_NAME in names and names == sorted(names), f"the region's agencies are not listed by name: {names[:8]}"
        assert not any(re.fullmatch(r"\d+(\.\d+)?/[\w-]+", n) for n in names), "agencies are shown as codes"
        assert select.find_elements(By.CSS_SELECTOR, "option")[0].get_attribute("value") == "", "no 'not sure' choice first"
        data = default_report(uid(), target_unit=DPUPR, category="infrastruktur.jalan")
        b.fill_report(data)
        assert Select(select).first_selected_option.text.strip() == DPUPR_NAME
        b.submit_form(form)
        assert b.path == "/lapor/terkirim", f"the form without JavaScript was not accepted: {b.form_errors() or b.text()[:800]}"
        tid = b.receipt().tracking_id
        assert officers.complaint(tid)["target_unit"] == DPUPR
    finally:
        b.driver.quit()

    # Sent without the list: a name finds its unit; an abbreviation is refused with the catalogue's words.
    s, token = csrf_session(portal, f"/lapor?lang={lang}")
    s.cookies.set("aduan_lang", lang)
    fields = {"_csrf": token, "type": "pengaduan", "title": f"Jalan rusak {uid()}", "jurisdiction": "63",
              "body": "Jalan di depan pasar rusak parah dan berlubang sejak bulan lalu.", "target_unit": "dinas pekerjaan umum dan penataan ruang"}
    r = s.post(portal.url("/lapor"), files=multipart(fields), allow_redirects=False, timeout=15)
    assert r.status_code == 303, f"a unit named by its name was refused: {r.status_code} {r.text[:400]}"
    fields.update(title=f"Jalan rusak {uid()}", target_unit="PUPR")
    r = s.post(portal.url("/lapor"), files=multipart(fields), allow_redirects=False, timeout=15)
    assert r.status_code == 422 and T["error_target_unit"] in r.text.replace("&#39;", "'"), \
        f"an unknown agency should be refused with {T['error_target_unit']!r}: {r.status_code}"
    assert fields["title"] in r.text, "the typed title was not kept"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_file_over_the_limit_is_named_and_not_sent(person, officers, tmp_path, lang):
    T = CATALOGUES[lang]
    big = tmp_path / "foto-besar.jpg"
    with open(big, "wb") as f:                        # over the 10 MB per file of the default settings
        f.write(b"\xff\xd8\xff\xe0" + b"\0" * (10 * 1048576 + 10))
    b: Browser = person(kind="phone")
    b.go(f"/bahasa/{lang}?next=/lapor")
    data = default_report(uid())
    form = b.fill_report(data, files=[big])
    check = b.find("#attachments-check", within=form)
    expected = T["ws_err_attachments_large"].replace("{file}", big.name).replace("{mb}", "10")
    assert check.text.strip() == expected, f"the browser's check reads {check.text!r}, not {expected!r}"
    b.layout_at_phone(f"citizen form with a file too big ({lang})")
    b.submit_form(form, wait=False)
    assert b.path == "/lapor", f"the form was sent with a file over the limit: {b.url}"
    assert not b.has(".tracking-id"), "a complaint was created although the browser check failed"
    b.axe(f"citizen form with a file too big ({lang})")


def test_server_asks_to_choose_files_again_after_a_refusal(portal):
    """A good file but another field wrong: the page names the file that was not kept. (The server's refusal of a file
    over the limit is checked in Tests/AppTests/CaseFormTests.swift with a 1 MB limit: a debug build parses a 10 MB
    multipart body too slowly for this suite.)"""
    s, token = csrf_session(portal)
    fields = {"_csrf": token, "type": "pengaduan", "title": "", "jurisdiction": "63",
              "body": "Jalan di depan pasar rusak parah dan berlubang sejak bulan lalu."}
    from io import BytesIO
    from PIL import Image
    buffer = BytesIO()
    Image.new("RGB", (32, 24), (30, 160, 90)).save(buffer, "PNG")
    files = multipart(fields) + [("attachments[]", ("papan.png", buffer.getvalue(), "image/png"))]
    r = s.post(portal.url("/lapor"), files=files, allow_redirects=False, timeout=60)
    T = CATALOGUES["id"]
    assert r.status_code == 422, f"a report without a title: {r.status_code}"
    assert T["form_files_again"].replace("{files}", "papan.png") in r.text, "the page does not name the file to choose again"
