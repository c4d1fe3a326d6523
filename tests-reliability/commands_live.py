#!/usr/bin/env python3
"""Commands against a live installation (issue 18): every `aduan` command that writes succeeds beside a busy server.

Starts `aduan serve` on a fresh SQLite data folder and keeps it digesting a write load (citizen submissions from
eight threads). Then runs each writing command — user create/password/grant, qr create, org import, apikey create,
seed, monev rebuild, import lapor, triage train — twice:
  1. beside the submission load alone;
  2. beside the load while another process also holds SQLite's writer in long transactions (1.5 s every 0.3 s,
     taken with BEGIN IMMEDIATE by Python's own sqlite3 — what a large import or a monev rebuild of the server
     does), the situation in which `aduan user create` failed at once with `busyInSnapshot: database is locked`.
Each must exit 0 and its effect must be in the database (read with Python's sqlite3, not through the server).
  3. the writer held for longer than ADUAN_DB_WAIT (2 s here): `aduan user create` gives up within a bound with a
     message saying the database is busy, exits non-zero and creates nothing.
Afterwards every acknowledged submission is there, no request got a 5xx, `aduan audit verify` and
`aduan monev check` pass. Exits non-zero on any failure.
Usage: ADUAN_BIN=.build/debug/aduan python3 tests-reliability/commands_live.py
"""
import json, os, shutil, socket, sqlite3, subprocess, sys, tempfile, threading, time, urllib.error, urllib.request
from pathlib import Path

from support import BIN, LoadThreads, free_port, require_binary, start_server

ROOT = Path(__file__).resolve().parent.parent
LAPOR_FIXTURE = ROOT / "Tests" / "AppTests" / "Fixtures" / "lapor-export.csv"


class Load(LoadThreads):
    """Citizen submissions from several threads; keeps every acknowledged tracking ID and every 5xx."""

    def __init__(self, port, threads=8):
        self.port, self.stop = port, threading.Event()
        self.acknowledged, self.errors, self.lock = [], [], threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(w,), daemon=True) for w in range(threads)]

    def run(self, worker):
        n = 0
        while not self.stop.is_set():
            n += 1
            body = json.dumps({"title": f"Beban uji {worker}-{n}", "body": "Laporan uji beban: lampu jalan padam di Jl. Pramuka.",
                               "jurisdiction": "63", "reporter": {"name": "Uji", "email": "uji@example.org"}}).encode()
            req = urllib.request.Request(f"http://127.0.0.1:{self.port}/api/v1/complaints", data=body, method="POST",
                                         headers={"content-type": "application/json"})
            try:
                with urllib.request.urlopen(req, timeout=60) as r:
                    tid = json.loads(r.read())["tracking_id"] if r.status == 201 else None
                if tid:
                    with self.lock:
                        self.acknowledged.append(tid)
            except urllib.error.HTTPError as e:
                with self.lock:
                    self.errors.append(e.code)
            except (urllib.error.URLError, ConnectionError, OSError) as e:
                with self.lock:
                    self.errors.append(str(e))


class HeldWriter:
    """Another process's long write transactions: SQLite's writer taken with BEGIN IMMEDIATE, held, committed."""

    def __init__(self, db, hold, gap):
        self.db, self.hold, self.gap, self.stop = db, hold, gap, threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.holding = threading.Event()
        self.rounds = 0

    def run(self):
        conn = sqlite3.connect(self.db, timeout=120, isolation_level=None)
        while not self.stop.is_set():
            conn.execute("BEGIN IMMEDIATE")
            self.holding.set()
            self.stop.wait(self.hold)
            conn.execute("COMMIT")
            self.holding.clear()
            self.rounds += 1
            time.sleep(self.gap)
        conn.close()

    def __enter__(self):
        self.thread.start()
        self.holding.wait(30)
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def command(env, *args, timeout=300):
    started = time.time()
    r = subprocess.run([BIN, *args], env=env, capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout + r.stderr, time.time() - started


def writing_commands(phase, org_csv):
    user = f"live{phase}"
    return [
        (["user", "create", "--username", user, "--password", "rahasia-panjang-1", "--role", "coordinator", "--scope", "63"],
         ("SELECT count(*) FROM users WHERE username = ?", (user,))),
        (["user", "password", "--username", user, "--password", "rahasia-panjang-2"],
         ("SELECT count(*) FROM audit_log WHERE action = 'password_set' AND detail = ?", (user,))),
        (["user", "grant", "--username", user, "--role", "inspector", "--scope", "63"],
         ("SELECT count(*) FROM user_roles r JOIN users u ON u.id = r.user_id WHERE u.username = ? AND r.role = 'inspector'", (user,))),
        (["qr", "create", "--unit", "63/diskominfo", "--label", f"Loket uji {phase}"],
         ("SELECT count(*) FROM qr_codes WHERE label = ?", (f"Loket uji {phase}",))),
        (["org", "import", str(org_csv)], ("SELECT count(*) FROM units WHERE id = ?", (f"63/uji-live-{phase}",))),
        (["apikey", "create", "--name", f"uji-{phase}", "--scopes", "submit"], ("SELECT count(*) FROM api_keys WHERE name = ?", (f"uji-{phase}",))),
        (["seed"], None),
        (["monev", "rebuild"], None),
        (["import", "lapor", str(LAPOR_FIXTURE)], ("SELECT count(*) FROM complaints WHERE lapor_id IS NOT NULL", ())),
        (["triage", "train", "--jurisdiction", "63"], None),
    ]


def count(db, query):
    conn = sqlite3.connect(db, timeout=120)
    try:
        return conn.execute(*query).fetchone()[0]
    finally:
        conn.close()


def main():
    require_binary()
    data = tempfile.mkdtemp(prefix="aduan-cmdlive-")
    db = os.path.join(data, "aduan.sqlite")
    env = dict(os.environ, ADUAN_DATA_DIR=data, ADUAN_SUBMIT_RATE_LIMIT="0", LOG_LEVEL="warning")
    port = free_port()
    failures = []
    log = open(os.path.join(data, "server.log"), "w")
    proc = start_server(env, port, log)
    try:
        with Load(port) as load:
            time.sleep(2)
            for phase, held in ((1, None), (2, (1.5, 0.3))):
                org_csv = Path(data) / f"org-{phase}.csv"
                org_csv.write_text(f"jurisdiction,slug,name,kind,parent\n63,uji-live-{phase},Dinas Uji Live {phase},agency,\n")
                holder = HeldWriter(db, *held) if held else None
                if holder:
                    holder.__enter__()
                try:
                    for args, check in writing_commands(phase, org_csv):
                        code, output, took = command(env, *args)
                        line = (output.strip().splitlines() or [""])[-1][:160]
                        if code != 0:
                            failures.append(f"phase {phase}: aduan {' '.join(args[:2])} exited {code}: {output.strip()[-400:]}")
                            print(f"phase {phase}: aduan {' '.join(args[:2]):<16} FAILED in {took:.1f} s: {line}")
                            continue
                        if check and count(db, check) < 1:
                            failures.append(f"phase {phase}: aduan {' '.join(args[:2])} exited 0 but its effect is not in the database")
                        print(f"phase {phase}: aduan {' '.join(args[:2]):<16} ok in {took:.1f} s")
                finally:
                    if holder:
                        holder.__exit__()
                        print(f"phase {phase}: another process held the writer {holder.rounds} times for {held[0]} s")
                print(f"phase {phase}: {len(load.acknowledged)} submissions acknowledged so far")

            # 3. Held for longer than the wait: a clear message within a bound, and nothing written.
            short = dict(env, ADUAN_DB_WAIT="2")
            with HeldWriter(db, 12, 0.1):
                code, output, took = command(short, "user", "create", "--username", "live3", "--password", "rahasia-panjang-1",
                                             "--role", "coordinator", "--scope", "63")
            created = count(db, ("SELECT count(*) FROM users WHERE username = 'live3'", ()))
            print(f"phase 3: writer held 12 s, ADUAN_DB_WAIT=2: exit {code} after {took:.1f} s: {(output.strip().splitlines() or [''])[-1][:200]}")
            if code == 0 or "database is busy" not in output or created != 0 or took > 11:
                failures.append(f"phase 3: expected a refusal saying the database is busy within 11 s and no account; exit {code}, "
                                f"{took:.1f} s, account rows {created}: {output.strip()[-300:]}")
        acknowledged, errors = load.acknowledged, load.errors
        if not acknowledged:
            failures.append("no submission was acknowledged: the load proved nothing")
        fivexx = [e for e in errors if not isinstance(e, int) or e >= 500]
        if fivexx:
            failures.append(f"{len(fivexx)} submissions failed with a 5xx or a broken connection: {fivexx[:5]}")
        present = count(db, (f"SELECT count(*) FROM complaints WHERE tracking_id IN ({','.join('?' * len(acknowledged))})", tuple(acknowledged))) \
            if acknowledged else 0
        if present != len(acknowledged):
            failures.append(f"{len(acknowledged) - present} acknowledged submissions are missing")
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        log.close()
    for name, args in (("audit verify", ["audit", "verify"]), ("monev check", ["monev", "check"])):
        code, output, _ = command(env, *args)
        print(f"{name}: exit {code}: {(output.strip().splitlines() or [''])[-1][:160]}")
        if code != 0:
            failures.append(f"aduan {name} failed: {output.strip()[-400:]}")
    print(f"acknowledged {len(acknowledged)}, present {present}, refused or failed requests {len(errors)}")
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        print(f"data kept in {data}")
        sys.exit(1)
    shutil.rmtree(data, ignore_errors=True)
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
