#!/usr/bin/env python3
"""Writes the sample SP4N-LAPOR! admin exports used by LaporImportTests (run from this folder; needs openpyxl).

lapor-export.csv   the export as CSV (comma-separated, UTF-8)
lapor-export.xlsx  the same rows as a workbook: a title block above the header, real date cells, shared strings
lapor-export-bad.csv  semicolon-separated (Excel in an Indonesian locale), with rows that must be rejected
"""
import csv
import datetime as dt

import openpyxl
from openpyxl.styles import Font

HEADER = ["No. Tiket", "Judul", "Isi Laporan", "Kategori", "Tanggal Laporan", "Status", "Instansi", "Anonim", "Rahasia"]
ROWS = [
    ["4417021", "Antrean poli RSUD sangat panjang",
     "Saya mengantre sejak pukul 06.00 di poli penyakit dalam dan baru dilayani pukul 13.00. Mohon ditambah loket pendaftaran.",
     "Kesehatan", dt.datetime(2025, 3, 3, 8, 15), "Belum Terverifikasi", "Dinas Kesehatan Provinsi Kalimantan Selatan", "Tidak", "Tidak"],
    ["4417388", "Jalan Trans Kalimantan km 17 berlubang",
     'Lubang besar di lajur kiri, banyak pengendara motor jatuh, "terutama malam hari". Mohon segera diperbaiki.',
     "Infrastruktur", dt.datetime(2025, 3, 5, 14, 20), "Terverifikasi", "Dinas Pekerjaan Umum dan Penataan Ruang", "Tidak", "Tidak"],
    ["4418102", "Pungutan liar pengurusan KTP",
     "Petugas meminta uang Rp50.000 agar KTP elektronik cepat jadi.\nKejadian di loket 3, hari Senin pagi.",
     "Administrasi Kependudukan", dt.datetime(2025, 3, 7, 10, 0), "Dalam Proses", "Disdukcapil Kota Banjarmasin", "Ya", "Ya"],
    ["4419550", "Banjir rob di Jalan Sutoyo S",
     "Setiap pasang naik air masuk ke rumah warga setinggi 30 cm. Drainase tersumbat sampah.",
     "Sumber Daya Air dan Banjir", dt.datetime(2025, 3, 10, 9, 30), "Selesai", "Dinas PUPR", "Tidak", "Tidak"],
    ["4420001", "Bantuan sosial tidak tepat sasaran",
     "Tetangga saya yang mampu menerima bantuan sembako, sedangkan lansia di RT kami tidak menerima.",
     "Sosial dan Bantuan Sosial", dt.datetime(2025, 3, 12, 11, 0), "Diarsipkan", "Dinas Sosial", "Ya", "Tidak"],
    ["4420777", "Sampah menumpuk di Pasar Lima",
     "Sampah tidak diangkut selama seminggu, bau menyengat dan mengganggu pedagang serta pembeli.",
     "Topik Lainnya", dt.datetime(2025, 3, 14, 16, 45, 10), "Didisposisikan", "Dinas Lingkungan Hidup", "Tidak", "Tidak"],
    ["4421234", "Lampu penerangan jalan padam",
     "Lampu jalan di sepanjang Jalan Ahmad Yani km 5 padam sejak dua minggu, rawan kejahatan.",
     "Infrastruktur", dt.datetime(2025, 3, 15, 19, 2), "Tunda", "", "Tidak", "Tidak"],
]


def csv_date(value, day_first=False):
    return value.strftime("%d/%m/%Y %H:%M" if day_first else "%Y-%m-%d %H:%M:%S")


with open("lapor-export.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(HEADER)
    for i, row in enumerate(ROWS):
        row = list(row)
        # LAPOR writes dates in more than one way; the importer reads both.
        row[4] = csv_date(row[4], day_first=(i % 2 == 1))
        w.writerow(row)

wb = openpyxl.Workbook()
ws = wb.active
ws.title = "Laporan"
ws.append(["Ekspor Laporan SP4N-LAPOR! — Pemerintah Provinsi Kalimantan Selatan"])
ws.append(["Dicetak 17 Maret 2025"])
ws.append([])
ws.append(HEADER)
for cell in ws[4]:
    cell.font = Font(bold=True)
for row in ROWS:
    ws.append(row)
    ws.cell(row=ws.max_row, column=5).number_format = "dd/mm/yyyy hh:mm"
wb.save("lapor-export.xlsx")

BAD = [
    HEADER,
    ["4430001", "Pelayanan puskesmas lambat", "Dokter jaga datang terlambat dua jam, pasien menumpuk di ruang tunggu.",
     "Kesehatan", "2025-03-16 08:00", "Belum Terverifikasi", "Dinas Kesehatan", "Tidak", "Tidak"],
    ["4430002", "Tanggal tidak jelas", "Isi laporan yang cukup panjang untuk lolos pemeriksaan.", "Kesehatan",
     "kemarin sore", "Belum Terverifikasi", "", "Tidak", "Tidak"],
    ["4430003", "Status aneh", "Isi laporan yang cukup panjang untuk lolos pemeriksaan.", "Kesehatan",
     "2025-03-16", "Sedang Dipikirkan", "", "Tidak", "Tidak"],
    ["", "Tanpa nomor tiket", "Isi laporan yang cukup panjang untuk lolos pemeriksaan.", "Kesehatan",
     "2025-03-16", "Selesai", "", "Tidak", "Tidak"],
    ["4430001", "Nomor tiket ganda", "Isi laporan yang cukup panjang untuk lolos pemeriksaan.", "Kesehatan",
     "2025-03-16", "Selesai", "", "Tidak", "Tidak"],
    ["4430005", "Anonim salah isi", "Isi laporan yang cukup panjang untuk lolos pemeriksaan.", "Kesehatan",
     "2025-03-16", "Selesai", "", "Mungkin", "Tidak"],
    ["4430006", "Pendek", "Singkat", "Kesehatan", "2025-03-16", "Selesai", "", "Tidak", "Tidak"],
]
with open("lapor-export-bad.csv", "w", newline="", encoding="utf-8") as f:
    csv.writer(f, delimiter=";").writerows(BAD)
