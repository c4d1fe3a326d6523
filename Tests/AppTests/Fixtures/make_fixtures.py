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

# --- The layout LAPOR writes today ("Laporan Ringkas", issue 15): a title block, then these columns. Here in another
# order and with other capitals, as a spreadsheet may leave them; Indonesian month names; every kind of value.
RINGKAS_HEADER = ["TRACKING ID", "Judul Laporan", "Isi Laporan Akhir", "Isi Laporan Awal", "tanggal laporan masuk", "Waktu Laporan Masuk",
                  "Klasifikasi Laporan", "ID Kategori", "Kategori", "Tipe Laporan (Anonim/Rahasia)", "Sumber Laporan", "Instansi Induk",
                  "Instansi Terdisposisi", "Status Laporan", "Alasan Tunda/Arsip", "Provinsi", "Kota/Kabupaten"]
TITLE_BLOCK = [["Judul Laporan", "", "Laporan Ringkas"], [], ["Nama Instansi", "", "Pemerintah Provinsi Kalimantan Selatan"], [],
               ["Tanggal Generate", "", "2024-09-30"], [], ["Periode Masuk", "", "(2024-01-01) - (2024-09-30)"], [], ["Pengelola"], []]
ADMIN_ARCHIVE = ("Laporan ini diarsipkan karena Mengandung SARA, Tidak Memiliki Bukti Dukung, Tidak Jelas, dan Tidak Relevan dengan "
                 "Kinerja Pemerintah")
RINGKAS = [
    ["6100001", "Antrean RSUD panjang", "Antrean poli penyakit dalam sejak subuh, baru dilayani siang.", "antrean poli penyakit dalam sejak subuh",
     "3 Agu 2024", "10.22", "Pengaduan Berkadar Pengawasan", "945", "Kesehatan", "Rahasia", "Website",
     "Pemerintah Provinsi Kalimantan Selatan", "Dinas Kesehatan Provinsi Kalimantan Selatan", "Ditutup oleh Sistem", "", "Kalimantan Selatan", "Kota Banjarmasin"],
    ["6100002", "Ujaran kebencian", "Isi yang diarsipkan admin.", "Isi yang diarsipkan admin.", "5 Agu 2024", "08:00:00", "Pengaduan Tidak Berkadar Pengawasan",
     "110", "Topik Lainnya", "Anonim|Rahasia", "Android", "Pemerintah Provinsi Kalimantan Selatan", "Dinas PU Prov. Kalsel",
     "Diarsipkan oleh Admin", ADMIN_ARCHIVE, "Kalimantan Selatan", "Kota Banjarbaru"],
    ["6100003", "Promosi", "Beli obat murah di sini.", "Beli obat murah di sini.", "6 Agu 2024", "09:15:00", "", "", "", "", "SMS",
     "Pemerintah Provinsi Kalimantan Selatan", "", "Konten Terblokir", "", "", ""],
    ["6100004", "Usul taman kota", "Mohon dibangun taman bermain di kelurahan kami.", "Mohon dibangun taman bermain di kelurahan kami.",
     "12 Sep 2024", "13:00:00", "Aspirasi", "963", "Infrastruktur", "Anonim", "Hotline Service", "Pemerintah Provinsi Kalimantan Selatan",
     "Dinas PU Prov. Kalsel", "Menunggu Kelengkapan Informasi", "", "Kalimantan Selatan", "Kabupaten Banjar"],
    ["6100005", "Lampu jalan", "Lampu jalan padam.", "Lampu jalan padam.", "14 Mei 2024", "07:00:00", "Pengaduan Tidak Berkadar Pengawasan", "",
     "", "", "Merpati Pos", "Pemerintah Provinsi Kalimantan Selatan", "Dinas Lingkungan Hidup", "Sedang Dipikirkan", "", "", ""],
    ["6100006", "", "Jadwal vaksin anak di puskesmas kapan ya, mohon informasinya untuk wilayah Banjarbaru Utara dan sekitarnya terima kasih",
     "", "Senin, 2 Sep 2024", "4:05:34 PM", "Permintaan Informasi", "", "", "", "Instagram", "Pemerintah Provinsi Kalimantan Selatan",
     "DINAS KESEHATAN PROVINSI KALIMANTAN SELATAN", "Diarsipkan oleh Sistem", "Laporan diarsipkan karena sudah mencapai batas kadaluarsa pengaduan.",
     "", ""],
]
EDGE = RINGKAS[:2] + [
    ["", "Tanpa nomor", "Isi tanpa nomor tiket.", "", "1 Okt 2024", "10:00:00", "Aspirasi", "", "", "", "Website", "", "", "Belum Terverifikasi", "", "", ""],
    ["6100009", "", "", "", "1 Okt 2024", "10:00:00", "Aspirasi", "", "", "", "Website", "", "", "Belum Terverifikasi", "", "", ""],
    ["6100001", "Nomor ganda", "Nomor yang sama lagi.", "", "1 Okt 2024", "10:00:00", "Aspirasi", "", "", "", "Website", "", "", "Belum Terverifikasi", "", "", ""],
]


def write_csv(name, rows, delimiter=","):
    with open(name, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)


write_csv("lapor-ringkas.csv", TITLE_BLOCK + [RINGKAS_HEADER] + RINGKAS)
write_csv("lapor-ringkas-edge.csv", TITLE_BLOCK + [RINGKAS_HEADER] + EDGE, delimiter=";")
write_csv("lapor-missing-columns.csv", [["Tracking ID", "Isi Laporan"], ["6200001", "Hanya nomor dan isi."], ["6200002", "Isi kedua."]])
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "Laporan Ringkas"
for row in TITLE_BLOCK + [RINGKAS_HEADER] + RINGKAS:
    ws.append(row or [None])
wb.save("lapor-ringkas.xlsx")   # openpyxl writes shared strings, as Excel does when it saves a file
# lapor-ringkas-calc.xlsx is lapor-ringkas.xlsx saved again by LibreOffice Calc, which writes shared strings (as Excel
# does): soffice --headless --calc --convert-to xlsx:"Calc MS Excel 2007 XML" --outdir out lapor-ringkas.xlsx
