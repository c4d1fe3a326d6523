#!/usr/bin/env python3
"""The database out of reach (issue 18): 503 with Retry-After, quickly, never a hang or a 500; recovery by itself.

PostgreSQL: starts its own PostgreSQL (Debian's initdb/pg_ctl) on a free loopback port with a data directory under
/tmp, and `aduan serve` on it. Submissions succeed; then PostgreSQL is stopped: /healthz, /readyz, a submission, a
tracking read and an officer page each answer 503 with a Retry-After header within 5 s. PostgreSQL is started again:
without touching the server, /healthz, /readyz and submissions succeed again within 30 s, and every complaint
acknowledged before is there. Then three restarts under a running submission load: no answer is a 5xx other than 503,
no request takes more than 10 s (transactions in flight at the stop included), and every acknowledged submission is
present afterwards.
PostgreSQL full: every connection slot of a small server (max_connections=8) is taken by other clients, so it
refuses the server's new connections with SQLSTATE 53300 (too_many_connections): a submission and /healthz answer
503 with Retry-After (not 500); once the slots are free again, a submission is acknowledged.
SQLite: another process holds the writer longer than ADUAN_DB_WAIT (1 s): a submission gets 503 with Retry-After.
Fails (never skips) when PostgreSQL's programs are missing.
Usage: ADUAN_BIN=.build/debug/aduan python3 tests-reliability/db_outage.py
"""
import contextlib, json, os, shutil, sqlite3, subprocess, sys, tempfile, threading, time, urllib.error, urllib.request

from support import finish, Postgres, check, failures, free_port, require_binary, start_server

def request(port, path, body=None, timeout=30):
    """(status, headers, seconds); a refused or broken connection is status 0."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method="POST" if data else "GET",
                                 headers={"content-type": "application/json", "accept": "application/json"})
    started = time.time()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), time.time() - started, r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), time.time() - started, e.read()
    except (urllib.error.URLError, ConnectionError, OSError, TimeoutError):
        return 0, {}, time.time() - started, b""


def complaint(n):
    return {"title": f"Uji pemadaman {n}", "body": "Laporan uji: jalan berlubang di depan pasar.", "jurisdiction": "63",
            "reporter": {"name": "Uji", "email": "uji@example.org"}}


@contextlib.contextmanager
def server(prefix, **settings):
    """`aduan serve` on a new data folder with these settings: yields its port; stops it afterwards and removes the
    folder, or keeps the server's log when a check failed."""
    data = tempfile.mkdtemp(prefix=prefix)
    env = dict(os.environ, ADUAN_DATA_DIR=data, ADUAN_PUBLISH="submitted", ADUAN_SUBMIT_RATE_LIMIT="0", LOG_LEVEL="warning", **settings)
    port = free_port()
    log = open(os.path.join(data, "server.log"), "w")
    proc = start_server(env, port, log)
    try:
        yield port, data
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        log.close()
        if failures:
            print(f"server log kept in {data}/server.log")
        else:
            shutil.rmtree(data, ignore_errors=True)


def postgres_outage():
    pg = Postgres()
    pg.create("aduan")
    acknowledged = []
    with contextlib.closing(pg), server("aduan-outage-", DATABASE_URL=pg.url("aduan")) as (port, _):
        for n in range(5):
            status, _, _, body = request(port, "/api/v1/complaints", complaint(n))
            if status == 201:
                acknowledged.append(json.loads(body)["tracking_id"])
        check(len(acknowledged) == 5, f"PostgreSQL up: 5 submissions acknowledged ({len(acknowledged)})")

        pg.stop()
        probes = [("GET /healthz", "/healthz", None), ("GET /readyz", "/readyz", None),
                  ("POST /api/v1/complaints", "/api/v1/complaints", complaint("down")),
                  ("GET /api/v1/complaints/{id}", f"/api/v1/complaints/{acknowledged[0]}", None),
                  ("GET /petugas/masuk (a page)", "/petugas/masuk", None)]
        for round_ in range(2):  # the first requests after the stop and again once the pool knows
            for name, path, body in probes:
                status, headers, took, _ = request(port, path, body, timeout=30)
                retry = headers.get("Retry-After") or headers.get("retry-after")
                if name.startswith("GET /petugas"):
                    # A page that needs no database may still answer; it must never be a 500 or hang.
                    check(status in (200, 503) and took < 5, f"PostgreSQL stopped, {name}: {status} in {took:.2f} s (200 or 503, < 5 s)")
                else:
                    check(status == 503 and retry is not None and took < 5,
                          f"PostgreSQL stopped, {name}: {status} Retry-After={retry} in {took:.2f} s (503 with Retry-After, < 5 s)")

        pg.start()
        recovered, started = None, time.time()
        while time.time() - started < 30:
            if request(port, "/healthz", timeout=5)[0] == 200:
                recovered = time.time() - started
                break
            time.sleep(0.25)
        check(recovered is not None, f"PostgreSQL back: /healthz 200 again after {recovered if recovered is None else round(recovered, 2)} s (< 30 s, server untouched)")
        check(request(port, "/readyz")[0] == 200, "PostgreSQL back: /readyz 200")
        status, _, _, body = request(port, "/api/v1/complaints", complaint("back"))
        check(status == 201, f"PostgreSQL back: a submission is acknowledged ({status})")
        if status == 201:
            acknowledged.append(json.loads(body)["tracking_id"])

        # A restart under load.
        stop, lock, statuses, slow = threading.Event(), threading.Lock(), [], []

        def load(w):
            n = 0
            while not stop.is_set():
                n += 1
                status, _, took, body = request(port, "/api/v1/complaints", complaint(f"load-{w}-{n}"), timeout=30)
                with lock:
                    statuses.append(status)
                    if took > 10:
                        slow.append(took)
                    if status == 201:
                        acknowledged.append(json.loads(body)["tracking_id"])
                if status != 201:
                    time.sleep(0.05)

        threads = [threading.Thread(target=load, args=(w,)) for w in range(6)]
        for t in threads:
            t.start()
        for _ in range(3):  # three restarts: each catches transactions in flight (the old hang: 1-2 per restart)
            time.sleep(2)
            pg.stop()
            time.sleep(2)
            pg.start()
        time.sleep(4)
        stop.set()
        for t in threads:
            t.join()
        counts = {s: statuses.count(s) for s in sorted(set(statuses))}
        bad = [s for s in statuses if s >= 500 and s != 503]
        check(not bad, f"restart under load: answers {counts}; no answer a 5xx other than 503")
        # A request whose transaction was in flight when PostgreSQL closed its connections used to get no answer at
        # all (PostgresNIO drops a statement written to a closed connection; see PostgresTransaction): never again.
        check(not slow, f"restart under load: no request took more than 10 s ({len(slow)}: {[round(t, 1) for t in slow]})")
        check(counts.get(503, 0) > 0 and counts.get(201, 0) > 0, "restart under load: both 503 (while down) and 201 were seen")
        missing = [t for t in acknowledged if request(port, f"/api/v1/complaints/{t}")[0] != 200]
        check(not missing, f"every acknowledged submission is there ({len(acknowledged)} acknowledged, {len(missing)} missing)")


def postgres_full():
    pg = Postgres(max_connections=8)
    pg.create("aduan")
    holders = []
    with contextlib.closing(pg), server("aduan-full-", DATABASE_URL=pg.url("aduan"), ADUAN_WORKER="0") as (port, _), \
            contextlib.ExitStack() as cleanup:
        cleanup.callback(lambda: [h.terminate() for h in holders])
        check(request(port, "/api/v1/complaints", complaint("full-before"))[0] == 201, "PostgreSQL with room: a submission is acknowledged")
        # The server's own connections go, then other clients take every slot (a psql each, sleeping).
        pg.psql("postgres", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'aduan' AND pid <> pg_backend_pid()")
        refused = ""
        for _ in range(pg.max_connections + 2):
            probe = subprocess.run([f"{pg.bin}/psql", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres", "-d", "postgres",
                                    "-At", "-c", "SELECT 1"], capture_output=True, text=True)
            if probe.returncode != 0:
                refused = probe.stderr.strip()
                break
            # An idle psql session reading its standard input: its slot is free again as soon as that input closes.
            holders.append(subprocess.Popen([f"{pg.bin}/psql", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres", "-d", "postgres"],
                                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            time.sleep(0.3)
        check("too many clients" in refused, f"PostgreSQL full: psql itself is refused ({refused!r})")
        for name, path, body in [("POST /api/v1/complaints", "/api/v1/complaints", complaint("full")), ("GET /healthz", "/healthz", None)]:
            status, headers, took, answer = request(port, path, body, timeout=30)
            retry = headers.get("Retry-After") or headers.get("retry-after")
            check(status == 503 and retry is not None and took < 5,
                  f"PostgreSQL full (53300), {name}: {status} Retry-After={retry} in {took:.2f} s (503 with Retry-After, < 5 s) {answer[:120]!r}")
        for h in holders:
            h.stdin.close()
            h.wait(timeout=30)
        holders.clear()
        time.sleep(0.5)
        status = 0
        for _ in range(20):  # the slots are freed as the holders' backends exit
            status = request(port, "/api/v1/complaints", complaint("full-after"))[0]
            if status == 201:
                break
            time.sleep(0.5)
        check(status == 201, f"PostgreSQL with room again: a submission is acknowledged ({status})")


def sqlite_writer_held():
    with server("aduan-outage-sqlite-", ADUAN_DB_WAIT="1") as (port, data):
        check(request(port, "/api/v1/complaints", complaint("sqlite"))[0] == 201, "SQLite: a submission is acknowledged")
        conn = sqlite3.connect(os.path.join(data, "aduan.sqlite"), timeout=30, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        status, headers, took, _ = request(port, "/api/v1/complaints", complaint("held"))
        conn.execute("COMMIT")
        conn.close()
        retry = headers.get("Retry-After") or headers.get("retry-after")
        check(status == 503 and retry is not None and took < 5,
              f"SQLite writer held by another process past ADUAN_DB_WAIT=1: {status} Retry-After={retry} in {took:.2f} s")
        check(request(port, "/api/v1/complaints", complaint("after"))[0] == 201, "SQLite: writer free again: acknowledged")


def main():
    require_binary()
    sqlite_writer_held()
    postgres_full()
    postgres_outage()
    finish()


if __name__ == "__main__":
    main()
