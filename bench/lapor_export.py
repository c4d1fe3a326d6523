#!/usr/bin/env python3
"""Writes a synthetic SP4N-LAPOR! "Laporan Ringkas" export in the layout LAPOR writes (issue 15), for bench/lapor-import.sh.

usage: lapor_export.py OUT.xlsx N [--first NUMBER]

The workbook is written the way the real export is: one sheet, a title block in rows 1-10, the header in row 11, every
cell an inline string (`t="inlineStr"`), dates as "29 May 2023" and times as "04:05:34". The values follow the shapes of
the real export (statuses, classifications, flags, sources, archive sentences, bodies of a few hundred characters)
but are made up here: nothing is taken from the real sample. The sheet is streamed into the ZIP, so N = 50,000 needs
no memory to speak of.
"""
import random
import sys
import zipfile
from xml.sax.saxutils import escape

HEADER = ["Tracking ID", "Tanggal Laporan Masuk", "Waktu Laporan Masuk", "Klasifikasi Laporan", "ID Kategori", "Kategori",
          "Judul Laporan", "Isi Laporan Awal", "Isi Laporan Akhir", "Tipe Laporan (Anonim/Rahasia)", "Sumber Laporan",
          "Instansi Induk", "Instansi Terdisposisi", "Status Laporan", "Alasan Tunda/Arsip", "Provinsi", "Kota/Kabupaten"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
CLASSES = [("Pengaduan Berkadar Pengawasan", 80), ("Pengaduan Tidak Berkadar Pengawasan", 7), ("Permintaan Informasi", 9),
           ("Aspirasi", 3), ("", 1)]
FLAGS = [("Anonim", 35), ("Rahasia", 28), ("Anonim|Rahasia", 27), ("", 10)]
SOURCES = [("Website", 62), ("Android", 23), ("Website - pemerintah-kabupaten-banjar", 10), ("SMS", 3), ("ios", 1),
           ("Hotline Service", 1)]
STATUSES = [("Ditutup oleh Sistem", 75), ("Ditutup oleh Pelapor", 6), ("Ditutup oleh Admin", 2), ("Diarsipkan oleh Admin", 6),
            ("Diarsipkan oleh Sistem", 4), ("Diarsipkan oleh Pelapor", 1), ("Menunggu Kelengkapan Informasi", 5), ("Konten Terblokir", 1)]
REASONS = {"Diarsipkan oleh Admin": "Laporan ini diarsipkan karena Mengandung SARA, Tidak Memiliki Bukti Dukung, Tidak Jelas, dan "
                                    "Tidak Relevan dengan Kinerja Pemerintah",
           "Diarsipkan oleh Sistem": "Laporan diarsipkan karena sudah mencapai batas kadaluarsa pengaduan.",
           "Diarsipkan oleh Pelapor": "Laporan ini diarsipkan sesuai dengan keinginan Pelapor"}
AGENCIES = ["Dinas Kesehatan Kab. Banjar", "Dinas Pekerjaan Umum dan Penataan Ruang Kab. Banjar", "Dinas Sosial Kabupaten Banjar",
            "Dinas Pendidikan Kab. Banjar", "Dinas Kependudukan dan Pencatatan Sipil Kab. Banjar", "Dinas Lingkungan Hidup Kab. Banjar",
            "Dinas Perhubungan Kab. Banjar", "Satuan Polisi Pamong Praja Kab. Banjar", "Kecamatan Martapura", "Kecamatan Gambut",
            "Kecamatan Sungai Tabuk", "Kecamatan Astambul", "Kecamatan Karang Intan", "RSUD Ratu Zalecha", "Inspektorat Kab. Banjar",
            "Pemerintah Kabupaten Banjar", ""]
TOPICS = ["jalan rusak", "banjir", "bantuan sosial", "KTP elektronik", "pelayanan puskesmas", "sampah", "lampu jalan", "air bersih",
          "sekolah", "perizinan usaha", "pungutan liar", "parkir liar", "jaringan listrik", "drainase tersumbat"]
WORDS = ("warga mohon segera ditindaklanjuti sudah lama tidak ada perbaikan dari pemerintah setempat kami berharap ada petugas yang "
         "datang meninjau lokasi karena kondisi semakin parah setiap hari terutama saat hujan deras anak sekolah kesulitan lewat "
         "dan pengendara motor sering terjatuh terima kasih atas perhatiannya").split()


def pick(rng, weighted):
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def row_xml(r, cells):
    out = [f'<row r="{r}">']
    for i, value in enumerate(cells):
        if value:
            col = chr(65 + i)
            out.append(f'<c r="{col}{r}" t="inlineStr"><is><t>{escape(value)}</t></is></c>')
    out.append("</row>")
    return "".join(out)


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    first = int(sys.argv[sys.argv.index("--first") + 1]) if "--first" in sys.argv else 7_000_000
    rng = random.Random(20240601)
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
        'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="Laporan Ringkas" sheetId="1" state="visible" r:id="rId1" /></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet1.xml" /></Relationships>',
    }
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            def put(text):
                sheet.write(text.encode("utf-8"))
            put(f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:Q{n + 11}" /><sheetData>')
            block = [["Judul Laporan", "", "Laporan Ringkas"], [], ["Nama Instansi", "", "Pemerintah Kabupaten Banjar"], [],
                     ["Tanggal Generate", "", "2025-11-14"], [], ["Periode Masuk", "", "(2021-01-01) - (2023-12-31)"], [], ["Pengelola"], []]
            for i, cells in enumerate(block, start=1):
                put(row_xml(i, cells))
            put(row_xml(11, HEADER))
            for k in range(n):
                topic = rng.choice(TOPICS)
                title = f"{topic.capitalize()} di desa {rng.randint(1, 300)}"
                body = title + " " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 140))) + "."
                status = pick(rng, STATUSES)
                agency = "" if status == "Konten Terblokir" else rng.choice(AGENCIES)
                day = rng.randint(1, 28)
                cells = [str(first + k), f"{day} {rng.choice(MONTHS)} {rng.randint(2021, 2023)}",
                         f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}", pick(rng, CLASSES),
                         str(rng.randint(100, 1500)), f"Lainnya terkait {topic}", title, body, body.lower(), pick(rng, FLAGS),
                         pick(rng, SOURCES), "Pemerintah Kabupaten Banjar", agency, status, REASONS.get(status, ""),
                         "Kalimantan Selatan", rng.choice(["Banjar", "Kota Banjarmasin", "Kota Banjarbaru", ""])]
                put(row_xml(12 + k, cells))
            put("</sheetData></worksheet>")


if __name__ == "__main__":
    main()
