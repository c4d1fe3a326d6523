#!/usr/bin/env python3
"""The scale-out drill (issue 18): three `aduan serve` instances and two `aduan worker` processes on one PostgreSQL,
behind HAProxy, through an instance killed with SIGKILL, a worker killed with SIGKILL and PostgreSQL restarted, under
a bounded mixed load. Everything runs on loopback and is started here:

- PostgreSQL from Debian's binaries, its own data folder under /tmp and its own port (never the shared server);
- HAProxy with deploy/haproxy.cfg (the file shipped for production; addresses given through its environment);
- the instances and workers from deploy/aduan@.service and deploy/aduan-worker.service (their ExecStart and
  Environment= lines), sharing one attachment folder (ADUAN_DATA_DIR) as docs/operations.md says;
- an SMTP sink (tests/mail/sink.py, aiosmtpd) and a webhook receiver (http.server, here).

Before the load it proves, instance by instance (not through the proxy, so the answer cannot come from the same
process): an officer's session and CSRF token work on another instance, an attachment uploaded through one instance
downloads from another, and the submission limit and an API key's limit hold across instances (the proxy spreads a
burst over all three). After it, read straight from PostgreSQL with psql (not through Aduan): every acknowledged
submission and officer action is there, every outbox message was delivered exactly once (the sink and the receiver
count by idempotency key), QR scan counts are exact, `aduan audit verify` and `aduan monev check` pass, no 5xx outside
the fault windows, no request hung, and every instance answers again by itself after PostgreSQL's restart.

Fails (never skips) when a tool is missing. Prints a summary; exits non-zero on any failed check.

    ADUAN_BIN=.build/debug/aduan python3 tests-cluster/drill.py
    DRILL_SECONDS (default 120): the load's length; DRILL_KEEP=1 keeps the folder (logs) afterwards.
"""
from __future__ import annotations

import hashlib
import http.client
import json
import os
import random
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(os.environ.get("ADUAN_BIN") or ROOT / ".build" / "debug" / "aduan")
if not BIN.is_absolute():
    BIN = (Path.cwd() / BIN).resolve()
SECONDS = int(os.environ.get("DRILL_SECONDS", "120"))
# DRILL_DB_RESTART=0 leaves PostgreSQL running through the load (a quicker local run); CI restarts it (the default).
DB_RESTART = os.environ.get("DRILL_DB_RESTART", "1") != "0"
REQUEST_TIMEOUT = 30  # a request still unanswered after this counts as a hang
JURISDICTION, UNIT = "63", "63/dinkes"
SUBMIT_LIMIT, KEY_LIMIT = 20, 12
OFFICER = ("drill-koord", "drill-koord-password-1")
ADMIN = ("drill-admin", "drill-admin-password-1")

FAILURES: list[str] = []


def check(ok: bool, what: str) -> bool:
    print(("  ok    " if ok else "  FAIL  ") + what, flush=True)
    if not ok:
        FAILURES.append(what)
    return ok


def fatal(what: str):
    print(f"FAILED: {what}", flush=True)
    sys.exit(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------------------------------------- services

class Postgres:
    """Debian's PostgreSQL in its own folder on its own port; restartable."""

    def __init__(self, work: Path):
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: [int(x) for x in re.findall(r"\d+", p.parent.name)])
        if not bins or not (bins[-1] / "initdb").exists():
            fatal("PostgreSQL's binaries are missing (apt-get install postgresql): the drill needs its own server")
        self.bin = bins[-1]
        self.psql_bin = shutil.which("psql") or str(self.bin / "psql")
        self.data = work / "pg"
        self.data.mkdir()
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(work, "postgres", "postgres")
            shutil.chown(self.data, "postgres", "postgres")
        self.run(f"{self.bin}/initdb -D {self.data} -A trust -U postgres")
        self.start()
        self.psql("CREATE DATABASE aduan")
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/aduan?sslmode=disable"

    def run(self, command: str):
        cmd = ["su", "postgres", "-c", command] if self.as_postgres else ["bash", "-c", command]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            log = (self.data / "log").read_text(errors="replace")[-2000:] if (self.data / "log").exists() else ""
            fatal(f"{command}: {p.stdout}{p.stderr}\n{log}")

    def start(self):
        opts = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.data} -c max_connections=200"
        self.run(f"{self.bin}/pg_ctl -D {self.data} -o '{opts}' -l {self.data}/log -w start")

    def stop(self, mode="fast"):
        self.run(f"{self.bin}/pg_ctl -D {self.data} -m {mode} -w stop")

    def psql(self, sql: str, db: str = "postgres") -> list[list[str]]:
        p = subprocess.run([self.psql_bin, "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", db, "-At", "-F", "\t",
                            "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            fatal(f"psql {sql[:80]}: {p.stderr}")
        return [line.split("\t") for line in p.stdout.splitlines() if line]


class SMTPSink:
    def __init__(self, work: Path):
        try:
            import aiosmtpd  # noqa: F401
        except ImportError:
            fatal("aiosmtpd is not installed (pip install -r tests-cluster/requirements.txt)")
        self.folder = work / "mail"
        ready = work / "smtp-ready"
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "mail" / "sink.py"), "--folder", str(self.folder), "--port", "0",
                                      "--ready", str(ready)], stdout=subprocess.DEVNULL, stderr=open(work / "smtp.log", "wb"))
        deadline = time.time() + 20
        while not ready.exists():
            if self.proc.poll() is not None or time.time() > deadline:
                fatal("the SMTP sink did not start")
            time.sleep(0.05)
        self.port = int(ready.read_text())

    def received(self) -> list[tuple[str, float]]:
        """(idempotency key, time the sink took it) of every message; the sink names each file by its arrival in ns."""
        if not self.folder.exists():
            return []
        return [(json.loads(p.read_text())["key"], int(p.name.split("-")[0]) / 1e9) for p in sorted(self.folder.glob("*.json"))]

    def subjects_and_text(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.folder.glob("*.json"))) if self.folder.exists() else ""


class WebhookReceiver:
    """Takes every POST with 200 and records its Idempotency-Key."""

    def __init__(self):
        received, lock = [], threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with lock:
                    received.append((self.headers.get("Idempotency-Key"), time.time(), body))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.received, self.lock = received, lock
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def received_at(self) -> list[tuple[str, float]]:
        with self.lock:
            return [(k, t) for k, t, _ in self.received]


def unit_lines(name: str) -> tuple[list[str], dict[str, str]]:
    """ExecStart's arguments (binary dropped) and the Environment= pairs of a shipped systemd unit."""
    text = (ROOT / "deploy" / name).read_text()
    exec_line = re.search(r"^ExecStart=(.+)$", text, re.M).group(1)
    env = dict(line.split("=", 1) for line in re.findall(r"^Environment=(.+)$", text, re.M))
    return shlex.split(exec_line)[1:], env


class Cluster:
    def __init__(self, work: Path, pg: Postgres, sink: SMTPSink, hook: WebhookReceiver):
        self.work, self.pg = work, pg
        self.shared = work / "shared"  # ADUAN_DATA_DIR of every instance and worker: the shared attachment folder
        self.shared.mkdir()
        self.proxy_port = free_port()
        self.base = f"http://127.0.0.1:{self.proxy_port}"
        self.env = dict(os.environ, DATABASE_URL=pg.url, ADUAN_SECRET_KEY=secrets.token_urlsafe(48), ADUAN_BASE_URL=self.base,
                        ADUAN_TRUSTED_PROXIES="127.0.0.1", ADUAN_SUBMIT_RATE_LIMIT=str(SUBMIT_LIMIT),
                        ADUAN_SMTP_HOST="127.0.0.1", ADUAN_SMTP_PORT=str(sink.port), ADUAN_SMTP_SECURITY="none",
                        ADUAN_SMTP_FROM="Aduan Drill <noreply@example.org>",
                        ADUAN_OUTBOUND_ALLOW=f"127.0.0.1:{sink.port},127.0.0.1:{hook.port}", ADUAN_WORKER_INTERVAL="2",
                        LOG_LEVEL="warning")
        self.serve_args, serve_env = unit_lines("aduan@.service")
        self.worker_args, worker_env = unit_lines("aduan-worker.service")
        self.serve_env = {**self.env, **serve_env, "ADUAN_DATA_DIR": str(self.shared)}
        self.worker_env = {**self.env, **worker_env, "ADUAN_DATA_DIR": str(self.shared)}
        self.cli_env = dict(self.env, ADUAN_DATA_DIR=str(self.shared))
        # For a look afterwards (DRILL_KEEP=1 or a failure keeps the folder): `set -a; . cluster.env; aduan audit verify`.
        (work / "cluster.env").write_text("".join(f"{k}={shlex.quote(v)}\n" for k, v in self.cli_env.items() if k.startswith(("ADUAN_", "DATABASE_"))))
        self.ports = [free_port() for _ in range(3)]
        self.instances: list[subprocess.Popen | None] = [None, None, None]
        self.workers: list[subprocess.Popen | None] = [None, None]
        self.haproxy = None

    def aduan(self, *args: str) -> str:
        p = subprocess.run([str(BIN), *args], env=self.cli_env, capture_output=True, text=True, timeout=300)
        if p.returncode != 0:
            fatal(f"aduan {' '.join(args)} failed ({p.returncode}):\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
        return p.stdout

    def start_instance(self, i: int):
        args = [a.replace("%i", str(self.ports[i])) for a in self.serve_args]
        self.instances[i] = subprocess.Popen([str(BIN), *args], env=self.serve_env, cwd=self.shared,
                                             stdout=open(self.work / f"instance{i + 1}.log", "ab"), stderr=subprocess.STDOUT)

    def start_worker(self, i: int):
        self.workers[i] = subprocess.Popen([str(BIN), *self.worker_args], env=self.worker_env, cwd=self.shared,
                                           stdout=open(self.work / f"worker{i + 1}.log", "ab"), stderr=subprocess.STDOUT)

    def wait_healthy(self, i: int, timeout: float = 90) -> float:
        started = time.time()
        while time.time() - started < timeout:
            if self.instances[i] is not None and self.instances[i].poll() is not None:
                fatal(f"instance {i + 1} exited with {self.instances[i].returncode}:\n{self.log_tail(f'instance{i + 1}.log')}")
            try:
                if get(f"http://127.0.0.1:{self.ports[i]}/healthz", timeout=2)[0] == 200:
                    return time.time() - started
            except OSError:
                pass
            time.sleep(0.2)
        fatal(f"instance {i + 1} did not answer /healthz within {timeout} s:\n{self.log_tail(f'instance{i + 1}.log')}")

    def start_proxy(self):
        if not shutil.which("haproxy"):
            fatal("haproxy is not installed (apt-get install haproxy)")
        env = dict(os.environ, ADUAN_PROXY_BIND=f"127.0.0.1:{self.proxy_port}",
                   **{f"ADUAN_INSTANCE_{i + 1}": f"127.0.0.1:{p}" for i, p in enumerate(self.ports)})
        self.haproxy = subprocess.Popen(["haproxy", "-db", "-f", str(ROOT / "deploy" / "haproxy.cfg")], env=env,
                                        stdout=open(self.work / "haproxy.log", "ab"), stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if get(self.base + "/healthz", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        fatal("HAProxy did not answer /healthz:\n" + self.log_tail("haproxy.log"))

    def log_tail(self, name: str, n: int = 30) -> str:
        path = self.work / name
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:]) if path.exists() else "(no log)"

    def stop_all(self):
        for p in [self.haproxy, *self.instances, *self.workers]:
            if p is not None and p.poll() is None:
                p.terminate()
        for p in [self.haproxy, *self.instances, *self.workers]:
            if p is not None:
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()


# ------------------------------------------------------------------------------------------------------------- HTTP

def request(url: str, method: str = "GET", body: bytes | None = None, headers: dict | None = None, source: str | None = None,
            timeout: float = REQUEST_TIMEOUT) -> tuple[int, dict, bytes]:
    """One request on its own connection (from `source`, a loopback address, when given): status, headers, body."""
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout, source_address=(source, 0) if source else None)
    try:
        conn.request(method, u.path + (f"?{u.query}" if u.query else ""), body=body, headers=headers or {})
        r = conn.getresponse()
        headers = {k.lower(): v for k, v in r.getheaders()}
        note_503(r.status, headers)
        return r.status, headers, r.read()
    finally:
        conn.close()


BARE_503, BARE_503_LOCK = [0, 0], threading.Lock()  # 503 answers with and without Retry-After, on every path


def note_503(status: int, headers: dict):
    """Counts a 503 by whether it says when to come back (`Retry-After`): every 503 must."""
    if status == 503:
        with BARE_503_LOCK:
            BARE_503[0 if "retry-after" in headers else 1] += 1


def get(url: str, **kw):
    return request(url, **kw)


def multipart(fields: list[tuple[str, str]], files: list[tuple[str, str, str, bytes]]) -> tuple[bytes, str]:
    boundary = "drill" + secrets.token_hex(12)
    out = bytearray()
    for name, value in fields:
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    for name, filename, ctype, data in files:
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\nContent-Type: {ctype}\r\n\r\n'.encode()
        out += data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def png(seed: int) -> bytes:
    """A real 8x8 RGB PNG, different for each seed (zlib + CRC from Python's standard library)."""
    import struct
    import zlib
    rows = b"".join(b"\x00" + bytes(((seed * 7 + x * 31 + y * 17) % 256 for x in range(8) for _ in range(3))) for y in range(8))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def submission(n: int, with_file: bool = True) -> tuple[bytes, str]:
    fields = [("title", f"Drill laporan {n}"), ("body", f"Lampu jalan padam di Jl. Pramuka nomor {n}, sudah seminggu gelap."),
              ("jurisdiction", JURISDICTION), ("reporter[name]", "Pelapor Drill"), ("reporter[email]", f"drill{n}@example.org")]
    return multipart(fields, [("attachments[]", f"foto-{n}.png", "image/png", png(n))] if with_file else [])


class Browser:
    """A cookie jar over http.client: enough for the officer's sign-in and forms."""

    def __init__(self, source: str | None = None):
        self.cookies: dict[str, str] = {}
        self.source = source

    def call(self, url: str, method="GET", form: dict | None = None) -> tuple[int, dict, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        u = urllib.parse.urlsplit(url)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=REQUEST_TIMEOUT, source_address=(self.source, 0) if self.source else None)
        try:
            conn.request(method, u.path + (f"?{u.query}" if u.query else ""), body=body, headers=headers)
            r = conn.getresponse()
            note_503(r.status, {k.lower(): v for k, v in r.getheaders()})
            for name, value in r.getheaders():
                if name.lower() == "set-cookie":
                    k, _, v = value.split(";", 1)[0].partition("=")
                    if v:
                        self.cookies[k.strip()] = v.strip()
                    else:
                        self.cookies.pop(k.strip(), None)
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode(errors="replace")
        finally:
            conn.close()


def csrf_of(html: str) -> str | None:
    m = re.search(r'name="_csrf"\s+value="([^"]+)"', html) or re.search(r'value="([^"]+)"\s+name="_csrf"', html)
    return m.group(1) if m else None


def sign_in(b: Browser, base: str, user=OFFICER) -> int:
    status, _, page = b.call(base + "/petugas/masuk")
    token = csrf_of(page)
    if status != 200 or not token:
        return status if status != 200 else 0
    status, _, _ = b.call(base + "/petugas/masuk", "POST", {"username": user[0], "password": user[1], "_csrf": token})
    return status


def verify_action(b: Browser, base: str, tid: str, page_base: str | None = None) -> int:
    """Opens the complaint page (on `page_base`), takes its form token and verifies the complaint to UNIT (on `base`)."""
    status, _, page = b.call((page_base or base) + f"/petugas/aduan/{tid}")
    token = csrf_of(page)
    if status != 200 or not token:
        return status if status != 200 else 0
    status, _, _ = b.call(base + f"/petugas/aduan/{tid}/aksi/verify", "POST",
                          {"_csrf": token, "unit": UNIT, "text": f"Diteruskan ke Dinas Kesehatan ({tid})", "internal_text": "drill"})
    return status


# ------------------------------------------------------------------------------------------------------------- load

class Log:
    """The load's own record: every request with its start, end and outcome; what was acknowledged."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests: list[tuple[float, float, str, int]] = []  # start, end, kind, status (0: no answer, -1: hang)
        self.submitted: list[str] = []  # tracking ids answered 201
        self.verified: list[str] = []  # complaints answered 303 to a verify
        self.scans = 0  # QR scans answered 200
        self.signins = 0

    def note(self, start: float, kind: str, status: int):
        with self.lock:
            self.requests.append((start, time.time(), kind, status))


def timed(log: Log, kind: str, fn):
    start = time.time()
    try:
        status = fn()
    except socket.timeout:
        status = -1
    except (OSError, http.client.HTTPException):
        status = 0
    log.note(start, kind, status)
    if status >= 500 or status <= 0:
        time.sleep(0.3)  # a client that was refused waits a little (Retry-After says 5 s; a real form is slower still)
    return status


def load(cluster: Cluster, log: Log, qr_code: str, stop: threading.Event) -> list[threading.Thread]:
    base = cluster.base
    counter = iter(range(10_000_000))
    counter_lock = threading.Lock()
    pending: list[str] = []  # acknowledged, not yet taken by an officer

    def next_n() -> int:
        with counter_lock:
            return next(counter)

    def citizen():
        while not stop.is_set():
            n = next_n()
            source = f"127.{10 + (n >> 16) % 200}.{(n >> 8) % 256}.{n % 256 or 1}"  # one address per submission: under the limit
            body, ctype = submission(n)
            result = {}

            def go():
                status, _, data = request(base + "/api/v1/complaints", "POST", body, {"Content-Type": ctype}, source=source)
                if status == 201:
                    result["tid"] = json.loads(data)["tracking_id"]
                return status
            if timed(log, "submit", go) == 201:
                with log.lock:
                    log.submitted.append(result["tid"])
                    pending.append(result["tid"])

    def officer(k: int):
        b = Browser(source=f"127.3.0.{k + 1}")
        signed = False
        actions = 0
        while not stop.is_set():
            if not signed or actions % 15 == 14:
                b.cookies.clear()
                status = timed(log, "signin", lambda: sign_in(b, base))
                signed = status == 303
                if signed:
                    with log.lock:
                        log.signins += 1
                else:
                    time.sleep(0.5)
                    continue
            with log.lock:
                tid = pending.pop(0) if pending else None
            if tid is None:
                time.sleep(0.2)
                continue
            result = {}

            def go():
                result["s"] = verify_action(b, base, tid)
                return result["s"]
            status = timed(log, "verify", go)
            actions += 1
            if status == 303:
                with log.lock:
                    log.verified.append(tid)
            elif status in (0, 502, 503, 500, -1):
                with log.lock:
                    pending.append(tid)  # not acknowledged: tried again later (a verify applies once or is refused)
            time.sleep(0.05)

    def reader(k: int):
        rnd = random.Random(k)
        while not stop.is_set():
            with log.lock:
                tid = rnd.choice(log.submitted) if log.submitted else None
            choice = rnd.random()
            if choice < 0.3 and tid:
                timed(log, "track-api", lambda: get(base + f"/api/v1/complaints/{tid}")[0])
            elif choice < 0.5 and tid:
                timed(log, "track-page", lambda: get(base + f"/t/{tid}")[0])
            elif choice < 0.75:
                timed(log, "open311", lambda: get(base + f"/open311/v2/requests.json?jurisdiction_id={JURISDICTION}")[0])
            else:
                status = timed(log, "qr-scan", lambda: get(base + f"/q/{qr_code}", source=f"127.4.{k}.{rnd.randint(1, 250)}")[0])
                if status == 200:
                    with log.lock:
                        log.scans += 1
            time.sleep(0.02)

    # Daemons: when the drill stops on a fatal error (an instance that died by itself), the load must not keep the
    # interpreter waiting for it forever.
    threads = [threading.Thread(target=citizen, daemon=True) for _ in range(4)]
    threads += [threading.Thread(target=officer, args=(k,), daemon=True) for k in range(2)]
    threads += [threading.Thread(target=reader, args=(k,), daemon=True) for k in range(3)]
    for t in threads:
        t.start()
    return threads


# ----------------------------------------------------------------------------------------------------------- checks

def check_shared_session(c: Cluster):
    print("\n== an officer's session and form token on another instance")
    i1, i2, i3 = (f"http://127.0.0.1:{p}" for p in c.ports)
    body, ctype = submission(900_001, with_file=False)
    status, _, data = request(i1 + "/api/v1/complaints", "POST", body, {"Content-Type": ctype}, source="127.9.0.1")
    if not check(status == 201, f"a submission through instance 1 is acknowledged ({status})"):
        return
    tid = json.loads(data)["tracking_id"]
    b = Browser()
    check(sign_in(b, i1) == 303, "the officer signs in on instance 1")
    status, _, page = b.call(i2 + "/petugas/aduan/" + tid)
    check(status == 200 and tid in page, f"instance 2 knows the session: the complaint page answers {status}")
    status = verify_action(b, i3, tid, page_base=i2)
    check(status == 303, f"a form token from instance 2's page is accepted by instance 3 ({status})")
    rows = c.pg.psql(f"SELECT e.action FROM events e JOIN complaints c ON c.id = e.complaint_id WHERE c.tracking_id = '{tid}' ORDER BY e.seq", "aduan")
    check(["verify"] == [r[0] for r in rows if r[0] == "verify"], f"the verify is in the event log (events: {[r[0] for r in rows]})")


def check_shared_attachment(c: Cluster):
    print("\n== an attachment uploaded through one instance downloads from another")
    i1, i2 = (f"http://127.0.0.1:{p}" for p in c.ports[:2])
    picture = png(424242)
    body, ctype = multipart([("title", "Drill lampiran"), ("body", "Foto jalan berlubang di depan pasar, mohon diperbaiki."),
                             ("jurisdiction", JURISDICTION), ("reporter[name]", "Pelapor Drill"), ("reporter[email]", "lampiran@example.org")],
                            [("attachments[]", "jalan.png", "image/png", picture)])
    status, _, data = request(i1 + "/api/v1/complaints", "POST", body, {"Content-Type": ctype}, source="127.9.0.2")
    if not check(status == 201, f"the submission with a photo is acknowledged by instance 1 ({status})"):
        return
    answer = json.loads(data)
    status, _, view = request(i2 + f"/api/v1/complaints/{answer['tracking_id']}", headers={"X-Reporter-Secret": answer["secret"]})
    items = json.loads(view).get("attachments") or [] if status == 200 else []
    if not check(len(items) == 1, f"instance 2 lists the attachment ({status}, {len(items)} listed)"):
        return
    status, headers, got = request(i2 + items[0]["url"], headers={"X-Reporter-Secret": answer["secret"]})
    # What instance 1 recorded when it stored the upload (read from PostgreSQL, not through Aduan) against what instance 2
    # serves; the photo carried no metadata, so it is also the very bytes sent.
    rows = c.pg.psql(f"SELECT a.sha256 FROM attachments a JOIN complaints c ON c.id = a.complaint_id WHERE c.tracking_id = '{answer['tracking_id']}'", "aduan")
    recorded = rows[0][0] if rows else None
    check(status == 200 and hashlib.sha256(got).hexdigest() == recorded,
          f"instance 2 serves the bytes instance 1 stored ({status}, {len(got)} bytes, SHA-256 as recorded: "
          f"{hashlib.sha256(got).hexdigest() == recorded}, identical to the upload: {got == picture})")


def wait_for_fresh_window(margin: float = 20):
    """Fixed one-minute windows: start a burst early in a minute so it cannot straddle two."""
    left = 60 - time.time() % 60
    if left < margin:
        time.sleep(left + 1)


def check_shared_limits(c: Cluster):
    print("\n== the submission limit and an API key's limit hold across instances")
    wait_for_fresh_window()
    outcomes = []
    for n in range(SUBMIT_LIMIT + 10):
        body, ctype = submission(800_000 + n, with_file=False)
        outcomes.append(request(c.base + "/api/v1/complaints", "POST", body, {"Content-Type": ctype}, source="127.9.1.1")[0])
    accepted, refused = outcomes.count(201), outcomes.count(429)
    check(accepted == SUBMIT_LIMIT and refused == 10,
          f"{SUBMIT_LIMIT + 10} submissions from one address through the proxy (spread over 3 instances): "
          f"{accepted} acknowledged, {refused} refused (limit {SUBMIT_LIMIT} a minute, not {SUBMIT_LIMIT} per instance)")
    out = c.aduan("apikey", "create", "--name", "drill-dashboard", "--scopes", "read-public", "--rate-limit", str(KEY_LIMIT))
    m = re.search(r"^key \(shown once[^:]*\):\s*(\S+)", out, re.M)
    key = m.group(1) if m else None
    if not check(key is not None, "aduan apikey create prints a key"):
        print(out)
        return
    start = time.time()
    statuses = [request(c.base + f"/open311/v2/services.json?api_key={key}")[0] for _ in range(KEY_LIMIT * 3)]
    elapsed = time.time() - start
    accepted = statuses.count(200)
    ceiling = KEY_LIMIT + int(elapsed * KEY_LIMIT / 60) + 1
    check(KEY_LIMIT <= accepted <= ceiling and statuses.count(429) == len(statuses) - accepted,
          f"{len(statuses)} requests with a key of {KEY_LIMIT}/min in {elapsed:.1f} s through the proxy: {accepted} answered, "
          f"{statuses.count(429)} refused with 429 (allowed {KEY_LIMIT}..{ceiling}; per instance it would be up to {3 * KEY_LIMIT})")


def create_webhook(c: Cluster, hook: WebhookReceiver):
    b = Browser()
    if sign_in(b, c.base, ADMIN) != 303:
        fatal("the sysadmin could not sign in through the proxy")
    status, _, page = b.call(c.base + "/petugas/admin/pesan/webhook")
    status, _, page = b.call(c.base + "/petugas/admin/pesan/webhook", "POST",
                             {"name": "Dasbor drill", "url": f"http://127.0.0.1:{hook.port}/hook", "jurisdiction": JURISDICTION,
                              "_csrf": csrf_of(page) or ""})
    if status != 200 or "wh-new-secret" not in page:
        fatal(f"the webhook subscription was not created ({status}): {page[:300]}")


def main():
    if not (BIN.is_file() and os.access(BIN, os.X_OK)):
        fatal(f"the server binary {BIN} is missing: run `swift build` first or set ADUAN_BIN")
    work = Path(tempfile.mkdtemp(prefix="aduan-cluster-"))
    os.chmod(work, 0o755)
    print(f"drill folder {work}; load {SECONDS} s")
    pg = sink = cluster = None
    try:
        pg = Postgres(work)
        sink, hook = SMTPSink(work), WebhookReceiver()
        cluster = Cluster(work, pg, sink, hook)
        cluster.aduan("migrate")
        cluster.aduan("seed")
        cluster.aduan("user", "create", "--username", OFFICER[0], "--password", OFFICER[1], "--role", "coordinator", "--scope", JURISDICTION)
        cluster.aduan("user", "create", "--username", ADMIN[0], "--password", ADMIN[1], "--role", "sysadmin", "--scope", JURISDICTION)
        qr_code = cluster.aduan("qr", "create", "--unit", UNIT, "--label", "Loket drill").split()[0]
        for i in range(3):
            cluster.start_instance(i)
        for i in range(2):
            cluster.start_worker(i)
        for i in range(3):
            cluster.wait_healthy(i)
        cluster.start_proxy()
        create_webhook(cluster, hook)
        print(f"PostgreSQL :{pg.port}, HAProxy :{cluster.proxy_port} -> instances {cluster.ports}, 2 workers, "
              f"SMTP sink :{sink.port}, webhook receiver :{hook.port}")

        check_shared_session(cluster)
        check_shared_attachment(cluster)
        check_shared_limits(cluster)

        print(f"\n== mixed load for {SECONDS} s with faults")
        log, stop = Log(), threading.Event()
        t0 = time.time()
        threads = load(cluster, log, qr_code, stop)
        windows: list[tuple[str, float, float]] = []

        def at(fraction: float):
            time.sleep(max(0.0, t0 + SECONDS * fraction - time.time()))

        at(0.1)
        worker_killed = time.time()
        cluster.workers[1].send_signal(signal.SIGKILL)
        cluster.workers[1].wait()
        print(f"  t={worker_killed - t0:5.1f}s  worker 2 killed with SIGKILL (not restarted: worker 1 carries on)")
        at(0.3)
        k0 = time.time()
        cluster.instances[1].send_signal(signal.SIGKILL)
        cluster.instances[1].wait()
        print(f"  t={k0 - t0:5.1f}s  instance 2 killed with SIGKILL")
        time.sleep(5)
        cluster.start_instance(1)
        took = cluster.wait_healthy(1)
        print(f"  t={time.time() - t0:5.1f}s  instance 2 restarted, healthy after {took:.1f} s")
        # Requests in flight on the killed instance get the proxy's 502: the window is the kill and the proxy's check.
        windows.append(("instance kill", k0 - 0.5, k0 + 3))
        at(0.55)
        recovered = []
        if DB_RESTART:
            p0 = time.time()
            pg.stop("fast")
            print(f"  t={p0 - t0:5.1f}s  PostgreSQL stopped (fast)")
            time.sleep(5)
            pg.start()
            p1 = time.time()
            print(f"  t={p1 - t0:5.1f}s  PostgreSQL started again")
            for i in range(3):
                deadline = time.time() + 60
                while time.time() < deadline:
                    try:
                        if get(f"http://127.0.0.1:{cluster.ports[i]}/healthz", timeout=5)[0] == 200:
                            break
                    except OSError:
                        pass
                    time.sleep(0.2)
                recovered.append(time.time() - p1)
            windows.append(("database restart", p0 - 0.5, max(p1 + r for r in recovered) + 2))
            print(f"  instances healthy again {', '.join(f'{r:.1f}' for r in recovered)} s after PostgreSQL started")
        else:
            print("  PostgreSQL restart skipped (DRILL_DB_RESTART=0)")
        at(1.0)
        stop.set()
        for t in threads:
            t.join(timeout=REQUEST_TIMEOUT * 3)
        print(f"  load stopped at t={time.time() - t0:.1f}s")

        print("\n== afterwards")
        if DB_RESTART:
            check(all(r < 60 for r in recovered), f"every instance recovered by itself after the database restart ({[round(r, 1) for r in recovered]} s)")
        tids = list(log.submitted)
        listed = {row[0] for row in pg.psql("SELECT tracking_id FROM complaints", "aduan")}
        lost = [t for t in tids if t not in listed]
        check(not lost, f"every acknowledged submission is stored: {len(tids)} acknowledged, {len(lost)} lost {lost[:5]}")
        with_files = {row[0] for row in pg.psql("SELECT DISTINCT c.tracking_id FROM attachments a JOIN complaints c ON c.id = a.complaint_id", "aduan")}
        missing_files = [t for t in tids if t not in with_files]
        check(not missing_files, f"every acknowledged submission has its attachment row ({len(missing_files)} without)")
        on_disk = sum(1 for p in (cluster.shared / "attachments").rglob("*") if p.is_file())
        stored = int(pg.psql("SELECT count(*) FROM attachments", "aduan")[0][0])
        check(on_disk >= stored, f"every attachment row has its file in the shared folder ({stored} rows, {on_disk} files)")
        verified_rows = {row[0] for row in pg.psql(
            "SELECT c.tracking_id FROM events e JOIN complaints c ON c.id = e.complaint_id WHERE e.action = 'verify'", "aduan")}
        lost_actions = [t for t in log.verified if t not in verified_rows]
        check(not lost_actions, f"every acknowledged officer action is stored: {len(log.verified)} acknowledged, {len(lost_actions)} lost")
        scans = int(pg.psql(f"SELECT scans FROM qr_codes WHERE code = '{qr_code}'", "aduan")[0][0])
        # A scan whose answer was lost (its instance killed, the database going away) may or may not have been counted;
        # every scan answered 200 must be, and nothing counted twice.
        unanswered = sum(1 for _, _, k, st in log.requests if k == "qr-scan" and st not in (200,))
        check(log.scans <= scans <= log.scans + unanswered,
              f"QR scans counted exactly: {scans} stored, {log.scans} answered 200, {unanswered} unanswered or refused")

        # Deliveries: the worker that was killed may hold claims for up to 5 minutes (outbox locked_until), after which
        # worker 1 sends them; so may a worker whose delivery met the database restart (claimed before it, the send or
        # its record failed while PostgreSQL was down). Wait for the outbox to empty, bounded.
        deadline = max([worker_killed] + [a for name, a, _ in windows if name == "database restart"]) + 330
        while True:
            pending = int(pg.psql("SELECT count(*) FROM outbox WHERE status = 'pending'", "aduan")[0][0])
            if pending == 0 or time.time() > deadline:
                break
            time.sleep(2)
        time.sleep(3)  # the last SMTP/HTTP exchange is recorded by the sink before the row is marked; let it land
        if not check(pending == 0, f"the outbox emptied ({pending} still pending)"):
            # What the database's sessions are doing (a worker's connection left inside a transaction shows here).
            for row in pg.psql("SELECT pid, application_name, state, now() - xact_start, wait_event_type, left(query, 120) "
                               "FROM pg_stat_activity WHERE datname = 'aduan' AND pid <> pg_backend_pid()", "aduan"):
                print("    session", row)
        dead = pg.psql("SELECT idempotency_key, audience, last_error FROM outbox WHERE status = 'dead'", "aduan")
        check(not dead, f"no dead letters ({dead[:3]})")
        sent = pg.psql("SELECT idempotency_key, audience, channel FROM outbox WHERE status = 'sent'", "aduan")
        received_mail = sink.received()
        received_hooks = hook.received_at()
        mail = [k for k, _ in received_mail]
        hooks = [k for k, _ in received_hooks]
        # Only reporters left an address: officers' notifications (coordinators:63, …) are sent to nobody here.
        expected_mail = {k for k, a, ch in sent if a == "reporter" and ch == "email"}
        expected_hooks = {k for k, a, _ in sent if a.startswith("webhook:")}

        def duplicates(received: list[tuple[str, float]]) -> tuple[list[str], list[str]]:
            """Keys delivered more than once, split into those whose first delivery fell on a fault (the worker killed
            just after the receiver took it, or the database gone before the worker could record it: the row stays
            claimed and is sent again with the same key five minutes later, as docs/interop.md says) and the rest."""
            first: dict[str, float] = {}
            explained, unexplained = [], []
            for key, at in sorted(received, key=lambda x: x[1]):
                if key not in first:
                    first[key] = at
                    continue
                t = first[key]
                # A send the receiver took just before PostgreSQL stopped may have had its record refused by the stopping
                # database (the record trails the receiver's answer by the round trip, longer on a loaded machine).
                on_fault = worker_killed - 5 <= t <= worker_killed + 0.5 or any(a - 2 <= t <= b for name, a, b in windows if name == "database restart")
                (explained if on_fault else unexplained).append(key)
            return explained, unexplained
        redelivered_mail, dup_mail_keys = duplicates(received_mail)
        redelivered_hooks, dup_hook_keys = duplicates(received_hooks)
        dup_mail, dup_hooks = len(dup_mail_keys), len(dup_hook_keys)
        redelivered = len(redelivered_mail) + len(redelivered_hooks)
        check(set(mail) == expected_mail, f"the SMTP sink got every sent e-mail key: {len(set(mail))} keys, outbox says {len(expected_mail)}"
              f" (missing {len(expected_mail - set(mail))}, unexpected {len(set(mail) - expected_mail)})")
        check(set(hooks) == expected_hooks, f"the webhook receiver got every sent event key: {len(set(hooks))} keys, outbox says "
              f"{len(expected_hooks)} (missing {len(expected_hooks - set(hooks))}, unexpected {len(set(hooks) - expected_hooks)})")
        check(dup_mail == 0 and dup_hooks == 0, f"nothing delivered twice: {dup_mail} duplicate e-mails, {dup_hooks} duplicate webhook calls "
              f"{(dup_mail_keys + dup_hook_keys)[:5]}; redelivered with the same key after a fault took the sender between the receiver's "
              f"answer and the outbox update: {len(redelivered_mail)} e-mails, {len(redelivered_hooks)} webhook calls")
        text = sink.subjects_and_text()
        unmailed = [t for t in tids if t not in text]
        check(not unmailed, f"every acknowledged reporter got an e-mail naming the tracking id ({len(unmailed)} without)")

        # An instance without a worker reports the installation's gauges (read from the database at the scrape). Every
        # complaint of the drill is still open (none reached a terminal state), so the gauge is the table's count.
        status, _, text = get(f"http://127.0.0.1:{cluster.ports[0]}/metrics")
        gauge = re.search(rb"^aduan_open_complaints(?:\{[^}]*\})? (\S+)$", text, re.M)
        total = int(pg.psql("SELECT count(*) FROM complaints", "aduan")[0][0])
        check(status == 200 and gauge is not None and float(gauge.group(1)) == total,
              f"/metrics of instance 1 (no worker) shows aduan_open_complaints {gauge.group(1).decode() if gauge else None}, the database {total}")

        audit = subprocess.run([str(BIN), "audit", "verify"], env=cluster.cli_env, capture_output=True, text=True, timeout=300)
        if not check(audit.returncode == 0, f"aduan audit verify: {(audit.stdout.strip().splitlines() or [audit.stderr.strip()])[-1]}"):
            print(audit.stdout[-3000:], audit.stderr[-3000:])
        monev = subprocess.run([str(BIN), "monev", "check"], env=cluster.cli_env, capture_output=True, text=True, timeout=300)
        check(monev.returncode == 0, f"aduan monev check: {(monev.stdout.strip().splitlines() or [monev.stderr.strip()])[-1]}")

        def in_window(start: float, end: float) -> str | None:
            for name, a, b in windows:
                if start <= b and end >= a:
                    return name
            return None
        requests_total = len(log.requests)
        by_status: dict[str, dict[int, int]] = {}
        for _, _, kind, status in log.requests:
            by_status.setdefault(kind, {}).setdefault(status, 0)
            by_status[kind][status] += 1
        outside = [(k, s) for a, e, k, s in log.requests if (s >= 500 or s == 0) and in_window(a, e) is None]
        hangs = [(k, s) for a, e, k, s in log.requests if s == -1]
        during_db = [(s, k) for a, e, k, s in log.requests if in_window(a, e) == "database restart"]
        db_statuses: dict[int, int] = {}
        for s, _ in during_db:
            db_statuses[s] = db_statuses.get(s, 0) + 1
        during_kill = [s for a, e, k, s in log.requests if in_window(a, e) == "instance kill" and (s >= 500 or s == 0)]
        print(f"  requests by kind and status: {json.dumps({k: dict(sorted(v.items())) for k, v in sorted(by_status.items())})}")
        print(f"  during the database restart: {dict(sorted(db_statuses.items()))} (0 = connection closed without answer)")
        print(f"  during the instance kill: {len(during_kill)} requests got 5xx or no answer (in flight on the killed instance)")
        check(not hangs, f"no request hung past {REQUEST_TIMEOUT} s ({len(hangs)})")
        check(BARE_503[1] == 0, f"every 503 carried Retry-After ({BARE_503[0]} with, {BARE_503[1]} without)")
        check(not outside, f"no 5xx or unanswered request outside the fault windows ({len(outside)}: {outside[:5]})")
        if DB_RESTART:
            check(all(s != 500 for s in db_statuses) and 503 in db_statuses,
                  "requests during the database restart got 503 with Retry-After, never 500")
        check(len(tids) > 50 and len(log.verified) > 10 and log.signins > 2 and log.scans > 10,
              f"the load did real work ({len(tids)} submissions, {len(log.verified)} actions, {log.signins} sign-ins, {log.scans} scans)")

        print("\n== summary")
        print(f"  requests {requests_total}, acknowledged {len(tids) + len(log.verified)} ({len(tids)} submissions, "
              f"{len(log.verified)} officer actions), lost {len(lost) + len(lost_actions)}, "
              f"duplicate deliveries {dup_mail + dup_hooks} (+{redelivered} redelivered after a fault, same key), "
              f"5xx outside the restart window {len(outside)}, hangs {len(hangs)}")
    finally:
        if cluster:
            cluster.stop_all()
        if sink:
            sink.proc.kill()
        if pg:
            try:
                pg.stop("immediate")
            except SystemExit:
                pass
        if os.environ.get("DRILL_KEEP") == "1" or FAILURES:
            print(f"drill folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if FAILURES:
        print(f"\nFAILED: {len(FAILURES)} check(s):\n  " + "\n  ".join(FAILURES))
        sys.exit(1)
    print("drill passed")


if __name__ == "__main__":
    main()
