# Converts the LAPOR sample to a TSV for the triage harness (development only; output stays in /tmp).
import openpyxl, sys, datetime, re
src = sys.argv[1]; out = sys.argv[2]
wb = openpyxl.load_workbook(src, read_only=True)
ws = wb.active
rows = ws.iter_rows(values_only=True)
for _ in range(10): next(rows)
header = [str(h) for h in next(rows)]
ix = {h: i for i, h in enumerate(header)}
def clean(v):
    if v is None: return ''
    s = str(v)
    if s == 'None': return ''
    return re.sub(r'[\t\r\n]+', ' ', s).strip()
n = 0
with open(out, 'w') as f:
    f.write('id\tdate\ttitle\tbody\tunit\tcategory\n')
    for r in rows:
        if r is None or r[ix['Tracking ID']] is None: continue
        d = r[ix['Tanggal Laporan Masuk']]
        if isinstance(d, datetime.datetime): d = d.strftime('%Y-%m-%d')
        else: d = datetime.datetime.strptime(str(d).strip(), '%d %b %Y').strftime('%Y-%m-%d')
        t = clean(r[ix['Waktu Laporan Masuk']])
        body = clean(r[ix['Isi Laporan Akhir']]) or clean(r[ix['Isi Laporan Awal']])
        f.write('\t'.join([clean(r[ix['Tracking ID']]), d + 'T' + (t or '00:00:00'), clean(r[ix['Judul Laporan']]), body,
                           clean(r[ix['Instansi Terdisposisi']]), clean(r[ix['Kategori']])]) + '\n')
        n += 1
print(n, 'rows ->', out)
