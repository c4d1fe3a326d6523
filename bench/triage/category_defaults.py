# Category → default unit, written by hand from the category's name alone (what a sysadmin would configure);
# nothing here is read from the reports' dispositions. Appended to org.json.
import json, sys
PUPR='Dinas Pekerjaan Umum dan Tata Ruang Kab. Bandung'; SOS='Dinas Sosial Kabupaten Bandung'
CAPIL='Dinas Kependudukan dan Pencatatan Sipil Kabupaten Bandung'; DIK='Dinas Pendidikan Bandung'
DLH='Dinas Lingkungan Hidup Kab. Bandung'; HUB='Dinas Perhubungan Kab. Bandung'; KES='Dinas Kesehatan Kab. Bandung'
PP='Satuan Polisi Pamong Praja Kab. Bandung'; NAKER='Dinas Ketenagakerjaan Kab. Bandung'
KIM='Dinas Perumahan Dan Kawasan Permukiman dan Pertanahan Kab. Bandung'; KOP='Dinas Koperasi, Usaha Kecil dan Menengah Kab. Bandung'
DAG='Dinas Perdagangan dan Perindustrian Kab. Bandung'; BPBD='Badan Penanggulangan Bencana Daerah Kab. Bandung'
DPMD='Dinas Pemberdayaan Masyarakat dan Desa Kab. Bandung'; KOMINFO='Dinas Komunikasi dan Informatika, Statistik dan Persandian Kab. Bandung'
defaults = {
 'Infrastruktur Jalan': PUPR, 'Jalan Berlubang': PUPR, 'Drainase (Gorong-Gorong/Parit)': PUPR,
 'Lainnya terkait Pekerjaan Umum dan Penataan Ruang': PUPR, 'Lainnya terkait Infrastruktur Jalan': PUPR,
 'Administrasi Kependudukan dan Pencatatan Sipil': CAPIL, 'KTP (Kartu Tanda Penduduk)': CAPIL, 'Akta Kelahiran': CAPIL,
 'Kartu Keluarga': CAPIL, 'Lainnya terkait Administrasi Kependudukan dan Pencatatan Sipil': CAPIL,
 'Ketertiban Umum': PP, 'Lainnya terkait Ketenteraman, Ketertiban Umum, dan Pelindungan Masyarakat': PP,
 'Penerangan Jalan': HUB, 'Lainnya terkait Perhubungan': HUB, 'Transportasi Darat': HUB,
 'Pencemaran Lingkungan': DLH, 'Lainnya terkait Lingkungan Hidup dan Kehutanan': DLH,
 'Bantuan Sosial': SOS, 'Bantuan Pangan Non Tunan (BPNT)': SOS, 'Lainnya terkait Sosial dan Kesejahteraan': SOS,
 'PKH Program Keluarga Harapan': SOS, 'Bantuan Sosial Tunai (BST)': SOS, 'Bansos Daerah': SOS, 'Lainnya terkait Bantuan Sosial': SOS,
 'Pelayanan Kesehatan': KES, 'Lainnya terkait Kesehatan': KES, 'Kartu Indoneisa Sehat (KIS)': KES,
 'Lainnya terkait Pendidikan dan Kebudayaan': DIK, 'Pendidikan Dasar dan Menengah': DIK, 'Paud dan Pendidikan Informal': DIK,
 'Lainnya terkait Pendidikan Dasar dan Menengah': DIK, 'Belajar dari Rumah': DIK,
 'Permukiman': KIM, 'Perlindungan Konsumen terkait Perumahan': KIM, 'Sertifikat Tanah': KIM, 'Sengketa Tanah': KIM,
 'Hak Pekerja': NAKER, 'Lainnya terkait Ketenagakerjaan': NAKER, 'Kartu Prakerja': NAKER, 'Rekrutmen Tenagakerja': NAKER,
 'Koperasi, Usaha Kecil, dan Menengah': KOP, 'Pasar': DAG, 'Perlindungan Konsumen': DAG, 'Penanggulangan Bencana': BPBD,
 'Lainnya terkait Pembangunan Desa, Daerah Tertinggal, dan Transmigrasi': DPMD, 'Bantuan Langsung Tunai Dana Desa (BLT DD)': DPMD,
 'Lainnya terkait Pembangunan Desa dan Daerah Tertinggal': DPMD, 'Pemberdayaan Masyarakat': DPMD,
 'Layanan Online/Aplikasi Pemerintah': KOMINFO,
}
org = json.load(open(sys.argv[1]))
names = {u['name'] for u in org['units']}
assert all(v in names for v in defaults.values())
org['categories'] = [{'name': k, 'default': v} for k, v in defaults.items()]
json.dump(org, open(sys.argv[2], 'w'), ensure_ascii=False, indent=1)
print(len(defaults), 'category defaults')
