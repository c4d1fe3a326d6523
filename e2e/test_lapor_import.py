"""Moving from SP4N-LAPOR! in a real browser (issue 15): Kota Banjarbaru loads its agencies and imports LAPOR's export.

The province's sysadmin checks, then loads, Banjarbaru's organisation CSV on the organisation page; Banjarbaru's
coordinator checks a "Laporan Ringkas" export (title block, Indonesian dates, Rahasia rows) on the import page and sees
the counts and the agency that matches no unit, with nothing written; imports it; opens the page of agencies without a
unit, saves an alias for it; imports the same export again: nothing is duplicated and the alias reaches the complaint.
axe-core and the 360 px layout on every page.
"""
from __future__ import annotations

import csv
from pathlib import Path

from selenium.webdriver.support.ui import Select

from conftest import Browser, catalogue, make_driver, uid

T = catalogue("id")
KOTA = "63.72"


def press(b: Browser, css: str):
    """Clicks one of a form's submit buttons and waits for the page it leads to."""
    old = b.find("html")
    b.click(b.find(css))
    b.wait_for(lambda: _gone(old), f"the page after {css}")


def _gone(element) -> bool:
    try:
        element.tag_name
        return False
    except Exception:
        return True


def export_file(folder: Path, tag: str) -> Path:
    """A LAPOR "Laporan Ringkas" export of three reports, as LAPOR writes it (title block, then the header)."""
    path = folder / f"laporan-ringkas-{tag}.csv"
    header = ["Tracking ID", "Tanggal Laporan Masuk", "Waktu Laporan Masuk", "Klasifikasi Laporan", "ID Kategori", "Kategori",
              "Judul Laporan", "Isi Laporan Awal", "Isi Laporan Akhir", "Tipe Laporan (Anonim/Rahasia)", "Sumber Laporan",
              "Instansi Induk", "Instansi Terdisposisi", "Status Laporan", "Alasan Tunda/Arsip", "Provinsi", "Kota/Kabupaten"]
    rows = [
        [f"E2E{tag}1", "3 Agu 2024", "10:22:00", "Pengaduan Berkadar Pengawasan", "945", "Kesehatan", f"Antrean puskesmas {tag}",
         "Antrean panjang.", "Antrean panjang sejak subuh.", "Rahasia", "Website", "Pemerintah Kota Banjarbaru",
         "Dinas Kesehatan Kota Banjarbaru", "Ditutup oleh Sistem", "", "Kalimantan Selatan", "Kota Banjarbaru"],
        [f"E2E{tag}2", "5 Agu 2024", "08:00:00", "Aspirasi", "963", "Infrastruktur", f"Jalan berlubang {tag}", "Jalan berlubang.",
         "Jalan berlubang di Landasan Ulin.", "Anonim", "Android", "Pemerintah Kota Banjarbaru", "Dinas PUPR Kota Banjarbaru",
         "Ditutup oleh Pelapor", "", "Kalimantan Selatan", "Kota Banjarbaru"],
        [f"E2E{tag}3", "6 Sep 2024", "09:15:00", "Permintaan Informasi", "", "", f"Jadwal posyandu {tag}", "Kapan jadwalnya?",
         "Kapan jadwal posyandu bulan ini?", "", "SMS", "Pemerintah Kota Banjarbaru", "Dinas PUPR Kota Banjarbaru",
         "Menunggu Kelengkapan Informasi", "", "Kalimantan Selatan", "Kota Banjarbaru"],
    ]
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerows([["Judul Laporan", "", "Laporan Ringkas"], [], ["Nama Instansi", "", "Pemerintah Kota Banjarbaru"], [],
                      ["Periode Masuk", "", "(2024-01-01) - (2024-09-30)"], [], [], [], [], [], header] + rows)
    return path


def org_file(folder: Path) -> Path:
    path = folder / "banjarbaru-opd.csv"
    path.write_text("jurisdiction,slug,name,kind,parent,aliases\n"
                    f"{KOTA},dinkes,Dinas Kesehatan Kota Banjarbaru,agency,,Dinkes Banjarbaru\n"
                    f"{KOTA},dpupr,Dinas Pekerjaan Umum dan Penataan Ruang Kota Banjarbaru,agency,,\n", encoding="utf-8")
    return path


def test_lapor_import_journey(portal, chromium, officers, tmp_path):
    tag = uid()
    export = export_file(tmp_path, tag)

    # The province's sysadmin loads Banjarbaru's agencies: checks first (nothing changes), then loads.
    admin = Browser(make_driver(), portal)
    try:
        admin.sign_in("admin", expect=None)
        admin.go(f"/petugas/admin/organisasi/{KOTA}")
        admin.find("#org-file").send_keys(str(org_file(tmp_path)))
        press(admin, "#org-check")
        summary = admin.find("#org-import-summary").text
        assert summary.startswith("Pemeriksaan: 2 unit akan dibuat, 0 diubah, 1 alias ditambah"), summary
        assert "Dinas Kesehatan Kota Banjarbaru" not in " ".join(e.text for e in admin.finds("tbody th")), "a check created the unit"
        admin.check_phone_and_desktop("organisation CSV checked")
        admin.find("#org-file").send_keys(str(org_file(tmp_path)))
        press(admin, "#org-load")
        assert admin.find("#org-import-summary").text.startswith("Dimuat: 2 unit dibuat"), admin.text()[:600]
        assert "Dinas Pekerjaan Umum dan Penataan Ruang Kota Banjarbaru" in " ".join(e.text for e in admin.finds("tbody th"))
    finally:
        admin.driver.quit()

    b = Browser(make_driver(), portal)
    try:
        b.sign_in("koord.bjb")
        b.go("/petugas/impor-ekspor")
        assert b.h1() == T["interop_title"], b.text()[:500]
        Select(b.find("#lapor-jurisdiction")).select_by_value(KOTA)

        # Check first: counts, flags and the agency without a unit; nothing written.
        b.find("#lapor-file").send_keys(str(export))
        press(b, "#lapor-check")
        summary = b.find("#import-summary").text
        assert summary.startswith("Pemeriksaan 3 baris: 3 akan dibuat, 0 sudah ada"), summary
        assert b.find("#import-source").text.endswith("Pemerintah Kota Banjarbaru · (2024-01-01) - (2024-09-30)")
        states = {r.find_element("css selector", "th").text: r.find_element("css selector", "td").text
                  for r in b.finds("#by-state tbody tr")}
        assert states == {T["state_selesai"]: "2", T["state_baru"]: "1"}, states
        flags = {r.find_element("css selector", "th").text: r.find_element("css selector", "td").text for r in b.finds("#by-flag tbody tr")}
        assert flags[T["interop_flag_confidential"]] == "1" and flags[T["interop_flag_anonymous"]] == "1", flags
        unmapped = [r.text for r in b.finds("#import-unmapped tbody tr")]
        assert unmapped == ["Dinas PUPR Kota Banjarbaru 2"], unmapped
        r = portal.api("GET", f"/api/v1/complaints?scope={KOTA}&q={tag}", "koord.bjb")
        assert r.status_code == 200 and r.json()["total"] == 0, f"a check wrote complaints: {r.text[:300]}"
        b.check_phone_and_desktop("LAPOR import checked")

        # Import.
        Select(b.find("#lapor-jurisdiction")).select_by_value(KOTA)
        b.find("#lapor-file").send_keys(str(export))
        press(b, "#lapor-import")
        assert b.find("#import-summary").text == "3 dibuat, 0 sudah ada, 0 mendapat unit, 0 ditolak.", b.text()[:600]
        r = portal.api("GET", f"/api/v1/complaints?scope={KOTA}&q={tag}&per_page=100", "koord.bjb")
        items = {i["title"]: i for i in r.json()["items"]}
        assert len(items) == 3, r.text[:500]
        assert items[f"Antrean puskesmas {tag}"]["confidential"] is True
        assert items[f"Jalan berlubang {tag}"].get("unit") is None

        # The agencies without a unit: save an alias.
        b.click(b.find("#agencies-link"))
        b.wait_for(lambda: b.path == "/petugas/impor-ekspor/instansi", "the agencies page")
        row = [r for r in b.finds("#agencies-unmapped tbody tr") if r.find_element("css selector", "th").text == "Dinas PUPR Kota Banjarbaru"]
        assert row and row[0].find_element("css selector", "td.num").text == "2", b.text()[:800]
        b.check_phone_and_desktop("LAPOR agencies without a unit")
        Select(row[0].find_element("css selector", "select")).select_by_value(f"{KOTA}/dpupr")
        old = b.find("html")
        b.click(row[0].find_element("css selector", "button"))
        b.wait_for(lambda: _gone(old), "the page after saving the alias")
        assert b.notice() == T["interop_alias_saved"], b.text()[:600]
        assert "Dinas PUPR Kota Banjarbaru" in b.find("#agencies-saved").text
        b.check_phone_and_desktop("LAPOR agencies, alias saved")

        # Import again: nothing duplicated, the alias reaches the two complaints.
        b.go("/petugas/impor-ekspor")
        Select(b.find("#lapor-jurisdiction")).select_by_value(KOTA)
        b.find("#lapor-file").send_keys(str(export))
        press(b, "#lapor-import")
        assert b.find("#import-summary").text == "0 dibuat, 3 sudah ada, 2 mendapat unit, 0 ditolak.", b.text()[:600]
        r = portal.api("GET", f"/api/v1/complaints?scope={KOTA}&q={tag}&per_page=100", "koord.bjb")
        items = {i["title"]: i for i in r.json()["items"]}
        assert len(items) == 3 and items[f"Jalan berlubang {tag}"].get("unit") == f"{KOTA}/dpupr", r.text[:600]
        b.check_phone_and_desktop("LAPOR import again")
        # The Rahasia report is not public.
        tid = items[f"Antrean puskesmas {tag}"]["tracking_id"]
        assert portal.api("GET", f"/t/{tid}").status_code == 404
    finally:
        b.driver.quit()
