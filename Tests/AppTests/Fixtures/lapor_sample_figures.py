#!/usr/bin/env python3
"""The expected figures of RealLaporSampleTests, computed here independently of Aduan's code.

Reads ../shared/data/lapor-sample/laporan-ringkas-kab-bandung-2021-2023.xlsx with openpyxl (not with Aduan's reader)
and applies the mapping table of docs/interop.md as written there (not Aduan's functions):

    Status Laporan      "Ditutup oleh …" -> selesai; "Diarsipkan oleh …" -> diarsipkan; "Konten Terblokir" ->
                        diarsipkan (spam); "Menunggu Kelengkapan Informasi", "Belum Terverifikasi" -> baru
    Alasan Tunda/Arsip  "kadaluarsa" -> tidak_lengkap; the admin sentence naming several criteria -> lainnya;
                        "keinginan Pelapor" -> lainnya
    Tipe Laporan        contains "Anonim" -> anonymous; contains "Rahasia" -> confidential
    Klasifikasi         "Pengaduan Berkadar Pengawasan" -> pengaduan + supervision; "… Tidak Berkadar …" and empty
                        -> pengaduan; "Permintaan Informasi" -> permintaan_informasi; "Aspirasi" -> aspirasi
    Sumber Laporan      "Website…" -> web; "Android", "ios" -> api; "SMS" -> sms
    Instansi            mapped when not empty and not the export's own government ("Pemerintah Kabupaten Bandung"),
                        given the organisation CSV derived from the export (every other name is a unit or an alias)

Run: python3 lapor_sample_figures.py (needs openpyxl). The figures are copied into RealLaporSampleTests.swift.
"""
import collections
import datetime as dt
import pathlib
import zoneinfo

import openpyxl

SAMPLE = pathlib.Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "lapor-sample" / "laporan-ringkas-kab-bandung-2021-2023.xlsx"
MONTHS = {m: i + 1 for i, m in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"])}

sheet = openpyxl.load_workbook(SAMPLE, read_only=True).active
rows = list(sheet.iter_rows(values_only=True))
header_at = next(i for i, r in enumerate(rows) if r[0] == "Tracking ID")
header = rows[header_at]
col = {name: i for i, name in enumerate(header)}
data = [dict(zip(header, r)) for r in rows[header_at + 1:] if any(v is not None for v in r)]


def state(r):
    s = r["Status Laporan"]
    if s.startswith("Ditutup oleh"):
        return "selesai"
    if s.startswith("Diarsipkan oleh") or s == "Konten Terblokir":
        return "diarsipkan"
    assert s in ("Menunggu Kelengkapan Informasi", "Belum Terverifikasi"), s
    return "baru"


def reason(r):
    if r["Status Laporan"] == "Konten Terblokir":
        return "spam"
    text = r["Alasan Tunda/Arsip"] or ""
    if "kadaluarsa" in text:
        return "tidak_lengkap"
    return "lainnya"


def kind(r):
    k = r["Klasifikasi Laporan"] or ""
    return {"Permintaan Informasi": "permintaan_informasi", "Aspirasi": "aspirasi"}.get(k, "pengaduan")


def channel(r):
    s = r["Sumber Laporan"]
    if s.startswith("Website"):
        return "web"
    return {"Android": "api", "ios": "api", "SMS": "sms"}[s]


flags = [r["Tipe Laporan (Anonim/Rahasia)"] or "" for r in data]
government = "Pemerintah Kabupaten Bandung"
agencies = [r["Instansi Terdisposisi"] for r in data]
out = {
    "header_line": header_at + 1,
    "rows": len(data),
    "distinct_numbers": len({r["Tracking ID"] for r in data}),
    "by_state": dict(collections.Counter(map(state, data))),
    "by_reason": dict(collections.Counter(reason(r) for r in data if state(r) == "diarsipkan")),
    "by_type": dict(collections.Counter(map(kind, data))),
    "supervision": sum(1 for r in data if r["Klasifikasi Laporan"] == "Pengaduan Berkadar Pengawasan"),
    "by_channel": dict(collections.Counter(map(channel, data))),
    "anonymous": sum(1 for f in flags if "Anonim" in f),
    "confidential": sum(1 for f in flags if "Rahasia" in f),
    "public_listed": sum(1 for r, f in zip(data, flags) if "Rahasia" not in f and r["Status Laporan"] != "Konten Terblokir"),
    "instansi_mapped": sum(1 for a in agencies if a and a != government),
    "instansi_unmapped": sum(1 for a in agencies if a == government),
    "instansi_empty": sum(1 for a in agencies if not a),
    "distinct_instansi": len({a for a in agencies if a}),
    "dispositioned_to_dinsos": sum(1 for a in agencies if a and a.lower().startswith("dinas sosial")),
    "first_rahasia": [r["Tracking ID"] for r, f in zip(data, flags) if "Rahasia" in f][:3],
    "first_open": [r["Tracking ID"] for r in data if state(r) == "baru"][:2],
}
first = data[0]
day, month, year = first["Tanggal Laporan Masuk"].split()
local = dt.datetime.fromisoformat(f"{year}-{MONTHS[month]:02d}-{int(day):02d}T{first['Waktu Laporan Masuk']}").replace(tzinfo=zoneinfo.ZoneInfo("Asia/Jakarta"))
out["first"] = (first["Tracking ID"], local.astimezone(dt.timezone.utc).isoformat(), first["Instansi Terdisposisi"], state(first))
for key, value in out.items():
    print(f"{key}: {value}")
