"""Shared by the reliability suites: a free port, `aduan serve` started and waited for, and a PostgreSQL of the
suite's own (Debian's initdb/pg_ctl) on a free loopback port with its data directory under /tmp, which a suite may
stop and start. Fails (never skips) when PostgreSQL's programs are missing."""
import sys
import glob, os, shutil, socket, subprocess, tempfile, time, urllib.error, urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = os.environ.get("ADUAN_BIN", str(ROOT / ".build" / "debug" / "aduan"))


def require_binary():
    if not Path(BIN).exists():
        raise SystemExit(f"{BIN} is missing: run `swift build` first or set ADUAN_BIN")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def healthy(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
            return r.status == 200
    except (urllib.error.URLError, ConnectionError, OSError):
        return False


def start_server(env, port, log):
    """`aduan serve` on `port`, returned once /healthz answers 200."""
    proc = subprocess.Popen([BIN, "serve", "--port", str(port)], env=env, stdout=log, stderr=log)
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode} before it answered")
        if healthy(port):
            return proc
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start")


class Postgres:
    """A PostgreSQL of this suite's own; `url(db)` for a database made with `create(db)`."""

    def __init__(self, max_connections=200):
        self.max_connections = max_connections
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        if not bins or not os.path.exists(bins[-1] + "/pg_ctl"):
            raise SystemExit("FAIL: PostgreSQL's programs (initdb, pg_ctl) are missing: apt-get install postgresql")
        self.bin, self.port = bins[-1], free_port()
        self.dir = tempfile.mkdtemp(prefix="aduan-reliability-pg-")
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        self.run(f"{self.bin}/initdb -D {self.dir}/data -A trust -U postgres")
        self.start()

    def run(self, command):
        args = ["su", "postgres", "-c", command] if self.as_postgres else ["sh", "-c", command]
        r = subprocess.run(args, capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"FAIL: {command}: {r.stdout}{r.stderr}")

    def start(self):
        self.run(f"{self.bin}/pg_ctl -D {self.dir}/data -l {self.dir}/log -w -o '-c listen_addresses=127.0.0.1 -p {self.port} "
                 f"-k {self.dir} -c fsync=off -c max_connections={self.max_connections} -c superuser_reserved_connections=0' start")

    def stop(self, mode="fast"):
        self.run(f"{self.bin}/pg_ctl -D {self.dir}/data -m {mode} -w stop")

    def psql(self, db, sql):
        r = subprocess.run([f"{self.bin}/psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", db, "-At", "-q", "-c", sql],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"FAIL: psql {sql}: {r.stderr}")
        return r.stdout

    def create(self, db):
        self.psql("postgres", f"CREATE DATABASE {db}")

    def url(self, db):
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}?sslmode=disable"

    def close(self):
        try:
            self.stop("immediate")
        except SystemExit:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


failures = []


def check(ok, what):
    """Prints one checked claim; a false one is kept in `failures` (the suite exits non-zero at its end)."""
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def finish():
    """The suite's verdict: exits non-zero when any checked claim failed."""
    if failures:
        print(f"FAILED: {len(failures)}")
        sys.exit(1)
    print("1 passed, 0 failed")


class LoadThreads:
    """A load run by `self.threads` (each target loops until `self.stop` is set), as a `with` block."""

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join()
