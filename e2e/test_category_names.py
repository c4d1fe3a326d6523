"""A category's names in both languages, edited by the province's sysadmin in a real browser (issue 19, fix 8).

The sysadmin gives Pariwisata a new English name on the category's page; the English report form then offers it,
the Indonesian form keeps the Indonesian name, and Open311 names the service by the client's Accept-Language. An
empty Indonesian name is refused beside its field, in the page's language, with the English name as typed kept.
axe-core and the 360 px layout on the page, in both languages. The names are put back afterwards.
"""
from __future__ import annotations

import requests

from conftest import Browser, catalogue, make_driver, uid

ID, EN = catalogue("id"), catalogue("en")
PAGE = "/petugas/admin/kategori/pariwisata/atribut"


def service_name(portal, accept_language: str) -> str:
    services = requests.get(portal.url("/open311/v2/services.json"), headers={"Accept-Language": accept_language}, timeout=30).json()
    return next(s["service_name"] for s in services if s["service_code"] == "pariwisata")


def test_sysadmin_names_a_category_in_english(portal, chromium, officers):
    b = Browser(make_driver(), portal)
    english = f"Tourism and Travel {uid()}"
    original_en = ""
    try:
        b.sign_in("admin", expect=None)
        b.go(f"/bahasa/en?next={PAGE}")
        assert b.find("#category-name").get_attribute("value") == "Pariwisata"
        original_en = b.find("#category-name-en").get_attribute("value")
        b.check_phone_and_desktop("category names (en)")

        form = b.form_for("/petugas/admin/kategori/pariwisata/nama")
        b.find("#category-name", within=form).clear()
        field = b.find("#category-name-en", within=form)
        field.clear()
        field.send_keys(english)
        b.submit_form(form)
        # Refused in the page's language, beside its field, with what was typed kept.
        error = b.find("#category-name-error").text
        assert error == EN["admin_category_error_name"], error
        assert b.find("#category-name-en").get_attribute("value") == english
        assert b.find("#category-name").get_attribute("aria-invalid") == "true"
        b.check_phone_and_desktop("category names, refused (en)")
        assert service_name(portal, "en") != english, "a refused name was saved"

        form = b.form_for("/petugas/admin/kategori/pariwisata/nama")
        b.find("#category-name", within=form).send_keys("Pariwisata")
        b.submit_form(form)
        assert b.notice() == EN["admin_done_category_names"], b.alert() or b.text()[:500]

        b.go("/lapor")
        assert english in b.html()
        b.go(f"/bahasa/id?next={PAGE}")
        assert b.find("#category-name-en").get_attribute("value") == english
        b.check_phone_and_desktop("category names (id)")
        b.go("/lapor")
        assert english not in b.html() and ">Pariwisata<" in b.html()
        assert service_name(portal, "en-US,en;q=0.9") == english
        assert service_name(portal, "id-ID,id;q=0.9,en;q=0.5") == "Pariwisata"
    finally:
        try:
            b.go(PAGE)
            form = b.form_for("/petugas/admin/kategori/pariwisata/nama")
            b.find("#category-name", within=form).clear()
            b.find("#category-name", within=form).send_keys("Pariwisata")
            b.find("#category-name-en", within=form).clear()
            b.find("#category-name-en", within=form).send_keys(original_en)
            b.submit_form(form)
        finally:
            b.driver.quit()
