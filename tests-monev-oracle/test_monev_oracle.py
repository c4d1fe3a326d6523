"""Every figure of `GET /api/v1/monev/summary` and `/units` equals the independent oracle's (SPEC §8, docs/monev.md),
on SQLite and on PostgreSQL.

The installation: `aduan demo generate` (every kind of move: returns and redispositions, forwards between
kabupaten/kota and to the province and outside, merges, extensions, requests for information and replies, disputes
and reopenings, supervision, auto-close, auto-archive, escalations, complaints imported from SP4N-LAPOR!), then the
same kinds of move again through the running server's API, a LAPOR export imported with `aduan import lapor` and one
sweep of the worker — those go through the write path every installation uses (`ComplaintStore.commit`).
Compared for the province, the province with its kabupaten/kota, each kabupaten/kota and three units; the year, a
quarter, a month, the last 30 days (cutting months), all time, and as of past days (with whole and cut periods).
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest
import requests

import compare
import oracle
from aduan_server import run, serving
from installation import load

COMPLAINTS = int(os.environ.get("MONEV_ORACLE_COMPLAINTS", "1500"))
UNITS = ["63/dinkes", "63/dpupr", "63.71/diskominfo"]
PASSWORD = "oracle-password-1"


def lapor_export(path: Path, today: dt.date) -> None:
    """A small SP4N-LAPOR! export in the "Laporan Ringkas" layout: finished, archived and open statuses."""
    rows = [
        ("9100001", "Jalan desa rusak parah", "Jalan penghubung desa rusak dan berlubang sejak musim hujan.", "Selesai"),
        ("9100002", "Iklan pinjaman online", "Pesan berisi iklan pinjaman online tanpa keterangan pelayanan.", "Diarsipkan"),
        ("9100003", "Antrean panjang di kantor samsat", "Antrean pembayaran pajak kendaraan sangat panjang setiap pagi.",
         "Belum Terverifikasi"),
        ("9100004", "Lampu penerangan jalan mati", "Lampu penerangan jalan di depan pasar mati lebih dari seminggu.", "Dalam Proses"),
    ]
    lines = ["No. Tiket,Judul,Isi Laporan,Kategori,Tanggal Laporan,Status,Instansi,Anonim,Rahasia"]
    for i, (ticket, title, body, status) in enumerate(rows):
        day = today - dt.timedelta(days=40 - 9 * i)
        lines.append(f'{ticket},{title},"{body}",,{day.isoformat()} 09:1{i}:00,{status},,Tidak,Tidak')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


class Client:
    def __init__(self, base: str):
        self.base = base
        self.tokens: dict[str, str] = {}

    def token(self, user: str) -> str:
        if user not in self.tokens:
            r = requests.post(f"{self.base}/api/v1/auth/token", json={"username": user, "password": PASSWORD}, timeout=30)
            r.raise_for_status()
            self.tokens[user] = r.json()["token"]
        return self.tokens[user]

    def submit(self, **fields) -> dict:
        body = {"title": "Pelayanan lambat di kantor", "body": "Pelayanan di kantor ini lambat sekali dan tidak jelas.",
                "jurisdiction": "63", "reporter": {"name": "Warga", "email": "warga@example.org"}} | fields
        r = requests.post(f"{self.base}/api/v1/complaints", json=body, timeout=30)
        assert r.status_code == 201, r.text
        return r.json()

    def act(self, user: str, tracking: str, action: str, **body) -> None:
        r = requests.post(f"{self.base}/api/v1/complaints/{tracking}/actions/{action}", json=body,
                          headers={"Authorization": f"Bearer {self.token(user)}"}, timeout=30)
        assert r.status_code == 200, f"{action} on {tracking}: {r.status_code} {r.text}"

    def reporter(self, complaint: dict, action: str, **body) -> None:
        r = requests.post(f"{self.base}/api/v1/complaints/{complaint['tracking_id']}/{action}", json=body,
                          headers={"X-Reporter-Secret": complaint["secret"]}, timeout=30)
        assert r.status_code == 200, f"{action}: {r.status_code} {r.text}"


def moves_through_the_api(c: Client) -> None:
    """Each kind of move once more, through the API (the write path of every installation)."""
    # Returned, redispositioned, extended, flagged, answered, disputed, answered again, confirmed and rated.
    a = c.submit(title="Antrean panjang di puskesmas", category="kesehatan")
    c.act("koord", a["tracking_id"], "verify", unit="63/dinkes")
    c.act("dinkes", a["tracking_id"], "assign")  # taken within the unit (issue 19): moves no figure
    c.act("dinkes", a["tracking_id"], "return", internal_text="Bukan wewenang kami.")
    c.act("koord", a["tracking_id"], "redispose", unit="63/dpupr")
    c.act("dpupr", a["tracking_id"], "assign")
    c.act("dpupr", a["tracking_id"], "follow_up", text="Sedang kami periksa.")
    c.act("dpupr", a["tracking_id"], "request_extension", days=5, internal_text="Perlu survei.")
    c.act("koord", a["tracking_id"], "decide_extension", approve=True)
    c.act("irprov", a["tracking_id"], "flag_supervision")
    c.act("dpupr", a["tracking_id"], "respond_final", text="Sudah diperbaiki.")
    c.reporter(a, "dispute", text="Belum selesai.")
    c.act("dpupr", a["tracking_id"], "respond_final", text="Sudah diperbaiki seluruhnya.")
    c.reporter(a, "confirm")
    c.reporter(a, "feedback", rating=4)
    # Forwarded to a city, dispositioned there, returned, forwarded to a regency, archived there.
    b = c.submit(title="Sampah menumpuk di pasar")
    c.act("koord", b["tracking_id"], "forward_jurisdiction", jurisdiction="63.71", text="Kewenangan kota.")
    c.act("koordkota", b["tracking_id"], "verify", unit="63.71/diskominfo")
    c.act("kotaunit", b["tracking_id"], "return", internal_text="Lokasinya di kabupaten.")
    c.act("koordkota", b["tracking_id"], "forward_jurisdiction", jurisdiction="63.02", text="Kewenangan kabupaten.")
    c.act("koordkab", b["tracking_id"], "archive", reason="bukan_pelayanan_publik", text="Bukan pelayanan publik.")
    # Asked for information, answered, then merged into another as a duplicate.
    d = c.submit(title="Sampah di Banjarbaru")
    e = c.submit(title="Sampah di Banjarbaru lagi")
    c.act("koord", e["tracking_id"], "request_info", text="Di mana tepatnya?")
    c.reporter(e, "reply", text="Di depan pasar.")
    c.act("koord", e["tracking_id"], "merge", into=d["tracking_id"], text="Laporan ganda.")
    # Dispositioned, returned, then forwarded outside; another forwarded outside at once.
    f = c.submit(title="Tagihan listrik tidak wajar")
    c.act("koord", f["tracking_id"], "verify", unit="63/dinkes")
    c.act("dinkes", f["tracking_id"], "return", internal_text="Urusan PLN.")
    c.act("koord", f["tracking_id"], "forward_external", destination="PT PLN (Persero)", external_ref="PLN-1", text="Ke PLN.")
    g = c.submit(title="Bantuan sosial belum cair", type="aspirasi")
    c.act("koord", g["tracking_id"], "forward_external", destination="Kementerian Sosial", external_ref="KS-9", text="Ke Kemensos.")
    # A new complaint left for the coordinator, and one dispositioned and answered (its window still open).
    c.submit(title="Lampu jalan mati", confidential=True)
    h = c.submit(title="Air PDAM keruh", jurisdiction="63.71")
    c.act("koordkota", h["tracking_id"], "verify", unit="63.71/diskominfo")
    c.act("kotaunit", h["tracking_id"], "assign")
    c.act("kotaunit", h["tracking_id"], "release")
    c.act("kotaunit", h["tracking_id"], "respond_final", text="Sudah dibersihkan.")


def build(aduan_bin: Path, env: dict, workdir: Path) -> None:
    run([aduan_bin, "migrate"], env, "migrate")
    run([aduan_bin, "seed"], env, "seed")
    p = subprocess.run([str(aduan_bin), "demo", "generate", "--complaints", str(COMPLAINTS), "--seed", "13"], env=env,
                       capture_output=True, text=True, timeout=1800)
    if p.returncode != 0:
        pytest.fail(f"demo generate failed:\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}", pytrace=False)
    users = [("koord", "coordinator", "63"), ("koordkota", "coordinator", "63.71"), ("koordkab", "coordinator", "63.02"),
             ("dinkes", "liaison", "63/dinkes"), ("dpupr", "liaison", "63/dpupr"), ("kotaunit", "liaison", "63.71/diskominfo"),
             ("irprov", "inspector", "63")]
    for user, role, scope in users:
        run([aduan_bin, "user", "create", "--username", user, "--password", PASSWORD, "--role", role, "--scope", scope], env, f"user {user}")
    export = workdir / "lapor.csv"
    lapor_export(export, dt.date.today())
    run([aduan_bin, "import", "lapor", export, "--jurisdiction", "63"], env, "import lapor")
    # One sweep: escalations, auto-closes and auto-archives of the generated complaints, through the write path.
    run([aduan_bin, "worker", "--once"], env, "worker --once")


def compare_all(database: str, base: str, token: str) -> compare.Comparison:
    """Compares every case; again if a stage's due passed while comparing (the figures of "now" moved under us)."""
    for _ in range(3):
        before = int(dt.datetime.now(dt.timezone.utc).timestamp() * 1000)
        result = compare.run(database, base, token, None, UNITS, before_ms=before)
        after = int(dt.datetime.now(dt.timezone.utc).timestamp() * 1000)
        snap = oracle.snapshot(load(database), before)
        if not any(s.end is None and before < s.due <= after for c in snap.complaints for s in c.stages):
            return result
    return result


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_every_figure_equals_the_oracle(engine, aduan_bin, request):
    database_url = None
    admin_url = None
    if engine == "postgresql":
        admin_url = request.getfixturevalue("postgres_server")
        name = f"aduan_oracle_{uuid.uuid4().hex[:10]}"
        subprocess.run(["psql", admin_url, "-X", "-q", "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True)
        database_url = admin_url.rsplit("/", 1)[0] + "/" + name + ("?" + admin_url.split("?", 1)[1] if "?" in admin_url else "")
    try:
        workdir = Path(tempfile.mkdtemp(prefix="aduan-oracle-"))

        def setup(env: dict) -> None:
            env["ADUAN_WORKER"] = "0"
            if database_url:
                env["DATABASE_URL"] = database_url
            build(aduan_bin, env, workdir)

        with serving(aduan_bin, "aduan-oracle-", "KEEP_ORACLE", setup) as (base, data_dir, log):
            moves_through_the_api(Client(base))
            database = database_url or str(Path(data_dir) / "aduan.sqlite")
            token = Client(base).token("irprov")
            result = compare_all(database, base, token)
            print(f"\n[{engine}] {compare.report(result)}")
            assert not result.differences, compare.report(result)
            # The comparison is not of empty sets: every kind of move is in the log.
            inst = load(database)
            actions = {e.action for log in inst.events.values() for e in log}
            for action in ["verify", "redispose", "return", "forward_jurisdiction", "forward_external", "merge", "decide_extension",
                           "request_info", "reply", "dispute", "auto_close", "auto_archive", "escalate", "flag_supervision", "feedback",
                           "assign", "release"]:
                assert action in actions, f"no {action} in the generated installation"
            assert any(log[0].data.get("channel") == "lapor_import" for log in inst.events.values()), "no imported complaint"
            # Forwards between kabupaten/kota, not only to the province.
            assert any(e.action == "forward_jurisdiction" and e.data.get("from_jurisdiction") != "63" and e.data.get("to_jurisdiction") != "63"
                       for log in inst.events.values() for e in log), "no forward between kabupaten/kota"
            assert result.compared > 10_000
    finally:
        if admin_url and database_url:
            subprocess.run(["psql", admin_url, "-X", "-q", "-c", f"DROP DATABASE IF EXISTS {database_url.rsplit('/', 1)[1].split('?')[0]} WITH (FORCE)"],
                           capture_output=True)
