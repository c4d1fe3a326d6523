"""The sysadmin's API key and Open311 attribute pages in a real browser (issue 8).

The province's sysadmin creates a key bound to Dinas Kesehatan (read-scope, 5 a minute), copies it from the page
(shown once), the key reads the unit's listing over the API, the key's page shows the use of today; then a
required list attribute is added to a category and shows up in the Open311 service definition. axe-core and the
360 px layout on each page.
"""
from __future__ import annotations

import re

import requests
from selenium.webdriver.support.ui import Select

from conftest import UNIT, Browser, catalogue, make_driver, uid

T = catalogue("id")


def test_sysadmin_api_keys_and_attributes(portal, chromium, officers):
    b = Browser(make_driver(), portal)
    try:
        b.sign_in("admin", expect=None)
        b.go("/petugas/admin/kunci-api")
        assert b.h1() == T["admin_section_api_keys"], b.text()[:500]
        b.check_phone_and_desktop("API keys, empty")

        name = f"Sistem Dinkes {uid()}"
        form = b.form_for("/petugas/admin/kunci-api")
        b.find("#name", within=form).send_keys(name)
        b.click(b.find("input[name='s_read-scope']", within=form))
        Select(b.find("#scope", within=form)).select_by_value(UNIT)
        limit = b.find("#rate_limit", within=form)
        limit.clear()
        limit.send_keys("5")
        b.submit_form(form)
        key = b.find("#apikey-value").text.strip()
        assert key.startswith("aduan_"), b.text()[:500]
        b.check_phone_and_desktop("API key created")

        r = requests.get(portal.url("/api/v1/complaints"), headers={"X-API-Key": key}, timeout=30)
        assert r.status_code == 200 and "items" in r.json(), f"{r.status_code} {r.text[:300]}"
        r = requests.get(portal.url("/api/v1/categories"), headers={"X-API-Key": key}, timeout=30)
        assert r.status_code == 403, f"a read-scope key read public data: {r.status_code}"

        b.go("/petugas/admin/kunci-api")
        b.click(b.find(f"a[href^='/petugas/admin/kunci-api/']"))
        b.wait_for(lambda: b.h1() == name, "the key's page")
        assert key not in b.html(), "the key is shown again on its page"
        usage = b.find("#usage-caption").find_element("xpath", "..")
        first = usage.find_elements("css selector", "tbody tr")[0]
        counts = [td.text.strip() for td in first.find_elements("css selector", "td")]
        assert counts == ["1", "1"], f"today's use and refusal: {first.text}"
        # The day in words (issue 19, fix 8), not an ISO date.
        day = first.find_element("css selector", "th").text
        assert not re.search(r"\d{4}-\d{2}-\d{2}", day) and re.search(r"\d{4}$", day), f"the day in words: {day!r}"
        b.check_phone_and_desktop("API key page")

        code = f"ruang{uid()}"
        b.go("/petugas/admin/kategori/kesehatan.rs/atribut")
        form = b.form_for("/petugas/admin/kategori/kesehatan.rs/atribut")
        b.find("#code", within=form).send_keys(code)
        Select(b.find("#datatype", within=form)).select_by_value("singlevaluelist")
        b.find("#description", within=form).send_keys("Ruang perawatan")
        b.click(b.find("input[name=required]", within=form))
        b.find("#values", within=form).send_keys("igd=IGD\nrawat-inap=Rawat inap")
        b.submit_form(form)
        assert b.notice() == T["admin_done_attribute_save"], b.alert() or b.text()[:500]
        b.check_phone_and_desktop("Open311 attributes")
        d = requests.get(portal.url("/open311/v2/services/kesehatan.rs.json"), timeout=30).json()
        assert [a["code"] for a in d["attributes"]] == [code] and d["attributes"][0]["required"] is True, d
    finally:
        b.driver.quit()
