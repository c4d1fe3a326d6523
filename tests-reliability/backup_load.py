#!/usr/bin/env python3
"""Backup and restore under load (issue 18), on SQLite and on PostgreSQL (pg_dump/pg_restore from Debian).

For each engine: `aduan serve` takes submissions with a PNG attachment from six threads; `aduan backup --to DIR`
runs while they flow; the backup is restored into a fresh installation (a new data folder, and for PostgreSQL a new
empty database) with `aduan restore`. In the restored installation — read with sqlite3 / psql, not through Aduan —
every complaint acknowledged before the backup started is there, each with its attachment row, and the attachment
file's bytes hash to the SHA-256 of the bytes the client sent; `aduan audit verify` and `aduan monev check` pass.
Fails (never skips) when PostgreSQL's programs are missing.
Usage: ADUAN_BIN=.build/debug/aduan python3 tests-reliability/backup_load.py
"""
import hashlib, json, os, shutil, sqlite3, struct, subprocess, sys, tempfile, threading, time, zlib

import requests

from support import finish, BIN, LoadThreads, Postgres, check, failures, free_port, require_binary, start_server

def png(n):
    """A 2x2 RGB PNG whose pixels encode n: every upload differs."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes([(n >> 16) & 255, (n >> 8) & 255, n & 255, 40, 80, 120]) for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


class Load(LoadThreads):
    def __init__(self, port):
        self.port, self.stop, self.lock = port, threading.Event(), threading.Lock()
        self.acknowledged = {}  # tracking id -> sha256 of the attachment sent
        self.statuses = []
        self.counter = 0
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(6)]

    def run(self):
        session = requests.Session()
        while not self.stop.is_set():
            with self.lock:
                self.counter += 1
                n = self.counter
            image = png(n)
            try:
                r = session.post(f"http://127.0.0.1:{self.port}/api/v1/complaints", timeout=60,
                                 data={"title": f"Uji cadangan {n}", "body": "Laporan uji: trotoar rusak di depan sekolah.",
                                       "jurisdiction": "63", "reporter[name]": "Uji", "reporter[email]": "uji@example.org"},
                                 files={"attachments[]": (f"foto-{n}.png", image, "image/png")})
                status = r.status_code
            except requests.RequestException:
                status = 0
            with self.lock:
                self.statuses.append(status)
                if status == 201:
                    self.acknowledged[r.json()["tracking_id"]] = hashlib.sha256(image).hexdigest()


def aduan(env, *args):
    r = subprocess.run([BIN, *args], env=env, capture_output=True, text=True, timeout=600)
    return r.returncode, (r.stdout + r.stderr).strip()


def drill(engine, pg=None):
    print(f"== {engine}")
    live = tempfile.mkdtemp(prefix=f"aduan-backup-{engine}-live-")
    fresh = tempfile.mkdtemp(prefix=f"aduan-backup-{engine}-fresh-")
    folder = os.path.join(tempfile.mkdtemp(prefix=f"aduan-backup-{engine}-"), "backup")
    env = dict(os.environ, ADUAN_DATA_DIR=live, ADUAN_SUBMIT_RATE_LIMIT="0", LOG_LEVEL="warning")
    restored = dict(os.environ, ADUAN_DATA_DIR=fresh, LOG_LEVEL="warning")
    if pg:
        pg.create("live"), pg.create("fresh")
        env["DATABASE_URL"], restored["DATABASE_URL"] = pg.url("live"), pg.url("fresh")
    port = free_port()
    log = open(os.path.join(live, "server.log"), "w")
    proc = start_server(env, port, log)
    try:
        with Load(port) as load:
            time.sleep(3)
            with load.lock:
                before = dict(load.acknowledged)
            started = time.time()
            code, output = aduan(env, "backup", "--to", folder)
            took = time.time() - started
            time.sleep(1)
            with load.lock:
                during = len(load.acknowledged) - len(before)
        check(code == 0, f"{engine}: aduan backup under load exited {code} in {took:.1f} s: {output.splitlines()[-1] if output else ''}")
        check(len(before) > 0, f"{engine}: {len(before)} submissions acknowledged before the backup started")
        check(during > 0, f"{engine}: submissions kept flowing during the backup ({during} acknowledged meanwhile)")
        bad = [s for s in load.statuses if s != 201]
        check(not bad, f"{engine}: every submission acknowledged ({len(load.statuses)} sent, {len(bad)} not)")
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        log.close()

    code, output = aduan(restored, "restore", "--from", folder, "--yes")
    check(code == 0, f"{engine}: aduan restore into a fresh installation exited {code}: {output[-200:]}")
    if pg:
        def rows(sql):
            return [line.split("|") for line in pg.psql("fresh", sql).splitlines() if line]
    else:
        def rows(sql):
            conn = sqlite3.connect(os.path.join(fresh, "aduan.sqlite"))
            try:
                return [[str(v) for v in row] for row in conn.execute(sql).fetchall()]
            finally:
                conn.close()
    found = {tid: (sha, key) for tid, sha, key in rows(
        "SELECT c.tracking_id, a.sha256, a.storage_key FROM complaints c JOIN attachments a ON a.complaint_id = c.id")}
    missing = [t for t in before if t not in found]
    check(not missing, f"{engine}: every complaint acknowledged before the backup is restored with its attachment ({len(missing)} of {len(before)} missing)")
    wrong = []
    for tid, sent in before.items():
        if tid not in found:
            continue
        sha, key = found[tid]
        path = os.path.join(fresh, "attachments", key[:2], key)
        body = open(path, "rb").read() if os.path.exists(path) else None
        if sha != sent or body is None or hashlib.sha256(body).hexdigest() != sent:
            wrong.append(tid)
    check(not wrong, f"{engine}: each restored attachment file holds the bytes sent ({len(wrong)} differ or are missing)")
    for name in (("audit", "verify"), ("monev", "check")):
        code, output = aduan(restored, *name)
        check(code == 0, f"{engine}: aduan {' '.join(name)} on the restored installation: exit {code}: {output.splitlines()[-1][:140] if output else ''}")
    if not failures:
        for d in (live, fresh, os.path.dirname(folder)):
            shutil.rmtree(d, ignore_errors=True)


def main():
    require_binary()
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            raise SystemExit(f"FAIL: {tool} is missing: apt-get install postgresql-client")
    drill("sqlite")
    pg = Postgres()
    try:
        drill("postgresql", pg)
    finally:
        pg.close()
    finish()


if __name__ == "__main__":
    main()
