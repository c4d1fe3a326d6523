"""Triage that learns, in a real browser (issue 16): Kabupaten Tanah Laut's history comes in through the LAPOR import API,
the province's sysadmin trains the model on the triage page and sees its measured accuracy, and Tanah Laut's coordinator
opens a new health report: the verify form, with JavaScript off, shows the health office as a learned suggestion with
its reason in words ("mirip N laporan yang ditangani …"); verifying sends the report there. axe-core on both pages.
"""
from __future__ import annotations

import csv
import random
import re
from pathlib import Path

from selenium.webdriver.support.ui import Select

from conftest import Browser, catalogue, make_driver, uid

T = catalogue("id")
KAB = "63.01"
UNITS = {
    "dinkes": "Dinas Kesehatan Kabupaten Tanah Laut",
    "pupr": "Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Tanah Laut",
    "dishub": "Dinas Perhubungan Kabupaten Tanah Laut",
}
TOPICS = {
    "dinkes": ["puskesmas", "obat", "dokter", "antrean pasien", "bidan", "imunisasi", "rumah sakit", "perawat", "posyandu", "demam berdarah"],
    "pupr": ["jalan berlubang", "aspal", "drainase", "saluran air", "jembatan", "trotoar", "gorong-gorong", "banjir", "galian", "longsor"],
    "dishub": ["lampu lalu lintas", "parkir liar", "angkot", "terminal", "rambu", "ojek", "truk", "macet", "halte", "kendaraan"],
}
FILLERS = ["sudah lama", "warga resah", "di dekat pasar", "sejak minggu lalu", "di RT 05", "setiap pagi", "belum ada tanggapan"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]


def history_file(folder: Path, tag: str, count: int = 150) -> Path:
    """A LAPOR "Laporan Ringkas" export of `count` finished reports dispositioned to Tanah Laut's three units."""
    rng = random.Random(7)
    header = ["Tracking ID", "Tanggal Laporan Masuk", "Waktu Laporan Masuk", "Klasifikasi Laporan", "ID Kategori", "Kategori",
              "Judul Laporan", "Isi Laporan Awal", "Isi Laporan Akhir", "Tipe Laporan (Anonim/Rahasia)", "Sumber Laporan",
              "Instansi Induk", "Instansi Terdisposisi", "Status Laporan", "Alasan Tunda/Arsip", "Provinsi", "Kota/Kabupaten"]
    rows = []
    slugs = list(UNITS)
    for i in range(count):
        slug = slugs[i % 3]
        a, b = rng.choice(TOPICS[slug]), rng.choice(TOPICS[slug])
        day = i % 300
        rows.append([f"TL{tag}{i:04d}", f"{day % 28 + 1} {MONTHS[min(day // 28, 11)]} 2024", "10:22:00",
                     "Pengaduan Tidak Berkadar Pengawasan", "", "", f"Keluhan {a}", a, f"Ada masalah {a} dan {b}, {rng.choice(FILLERS)}.",
                     "Anonim", "Website", "Pemerintah Kabupaten Tanah Laut", UNITS[slug], "Ditutup oleh Sistem", "",
                     "Kalimantan Selatan", "Kabupaten Tanah Laut"])
    path = folder / f"tanah-laut-{tag}.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerows([["Judul Laporan", "", "Laporan Ringkas"], [], ["Nama Instansi", "", "Pemerintah Kabupaten Tanah Laut"], [],
                      [], [], [], [], [], [], header] + rows)
    return path


def org_file(folder: Path) -> Path:
    path = folder / "tanah-laut-opd.csv"
    path.write_text("jurisdiction,slug,name,kind,parent\n" + "".join(f"{KAB},{slug},{name},agency,\n" for slug, name in UNITS.items()),
                    encoding="utf-8")
    return path


def press(b: Browser, css: str):
    old = b.find("html")
    b.click(b.find(css))
    b.wait_for(lambda: _gone(old), f"the page after {css}")


def _gone(element) -> bool:
    try:
        element.tag_name
        return False
    except Exception:
        return True


def test_verify_form_shows_learned_suggestion(portal, chromium, officers, tmp_path):
    tag = uid()[:6]

    # The province's sysadmin loads Tanah Laut's three units.
    admin = Browser(make_driver(), portal)
    try:
        admin.sign_in("admin", expect=None)
        admin.go(f"/petugas/admin/organisasi/{KAB}")
        admin.find("#org-file").send_keys(str(org_file(tmp_path)))
        press(admin, "#org-load")
        assert UNITS["dinkes"] in admin.text(), admin.text()[:600]
    finally:
        admin.driver.quit()

    # Tanah Laut's coordinator imports 150 past reports through the API.
    with history_file(tmp_path, tag).open("rb") as f:
        r = portal.api("POST", "/api/v1/import/lapor", "koord.tl", files={"file": ("export.csv", f, "text/csv")}, data={"jurisdiction": KAB})
    assert r.status_code == 200 and r.json()["created"] == 150, r.text[:600]

    # The sysadmin trains the model on the triage page and sees its figures.
    admin = Browser(make_driver(), portal)
    try:
        admin.sign_in("admin", expect=None)
        admin.go(f"/petugas/admin/triase?j={KAB}")
        assert admin.h1() == T["admin_section_triage"], admin.text()[:500]
        press(admin, "form[action$='/triase/63.01/latih'] button")
        assert admin.notice() == T["admin_done_triage_trained"], admin.text()[:600]
        facts = admin.find("#triage-model-facts").text
        assert "150" in facts, facts
        table = admin.find("#triage-table").text
        assert "top-1" in table and re.search(r"\d+\.\d%", table), table
        admin.axe("triage page")
    finally:
        admin.driver.quit()

    # A new report with no category and no chosen unit: the API suggests the health office first.
    complaint = portal.submit_api(jurisdiction=KAB, title=f"Obat habis di puskesmas {tag}",
                                  body="Sudah tiga hari obat untuk anak tidak ada dan dokter jaga tidak datang ke puskesmas.")
    tid = complaint["tracking_id"]
    s = portal.api("POST", "/api/v1/triage/suggest", "koord.tl",
                   json={"title": f"Obat habis di puskesmas {tag}", "body": "dokter jaga tidak datang", "jurisdiction": KAB})
    assert s.status_code == 200 and s.json()["units"][0]["unit"] == f"{KAB}/dinkes", s.text[:600]

    # The coordinator's verify form, without JavaScript, shows it with its reason in words.
    b = Browser(make_driver(javascript=False), portal)
    try:
        b.sign_in("koord.tl")
        b.go(f"/petugas/aduan/{tid}")
        items = b.finds("#form-verify .suggestions li")
        learned = [li for li in items if li.get_attribute("data-unit") == f"{KAB}/dinkes"]
        assert learned, [li.text for li in items]
        text = learned[0].text
        assert UNITS["dinkes"] in text and "keyakinan" in text, text
        assert re.search(r"mirip \d+ laporan yang ditangani " + re.escape(UNITS["dinkes"]), text), text
        model_note = b.find("#triage-suggestions").text
        assert "150" in model_note, model_note
        chosen = Select(b.find("#verify-unit")).first_selected_option.get_attribute("value")
        lead = b.finds("#triage-suggestions .triage-lead")
        if lead:  # preselected only when the model says it is clearly ahead
            assert chosen == f"{KAB}/dinkes" and UNITS["dinkes"] in lead[0].text, (chosen, lead[0].text)
        # axe-core needs JavaScript: the same page in a browser that runs it.
        a = Browser(make_driver(), portal)
        try:
            a.sign_in("koord.tl")
            a.go(f"/petugas/aduan/{tid}")
            a.axe("verify form with learned suggestions")
        finally:
            a.driver.quit()
        # The coordinator decides: the health office.
        Select(b.find("#verify-unit")).select_by_value(f"{KAB}/dinkes")
        press(b, "#form-verify button[type=submit]")
    finally:
        b.driver.quit()
    assert portal.complaint(tid, "koord.tl").get("unit") == f"{KAB}/dinkes"
