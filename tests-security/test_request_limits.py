"""Finding 7: unauthenticated memory exhaustion, and the limits that bound it, against a real listening server.

The red team's numbers: 30 unfinished 45 MB bodies took the server from 115 MB to 1.5 GB; 1,500 connections
trickling a byte every 15 s stayed open; every portal POST accepted 51 MB because the CSRF check read the whole body.
Here the server runs with small limits (so the suite is quick) and each test states the bound it proves.
"""
from __future__ import annotations

import socket
import threading
import time

import requests

from conftest import aduan, submit

MB = 1_048_576
# The limits these tests run with (the defaults are in docs/configuration.md).
LIMITS = {
    "ADUAN_BODY_MEMORY_MB": "64",          # body bytes held at once by all requests together
    "ADUAN_BODY_TIMEOUT": "4",             # seconds before a body must keep the minimum pace
    "ADUAN_BODY_MIN_RATE_KB": "4096",      # the minimum pace after that: 4 MB/s (loopback is far faster)
    "ADUAN_IDLE_TIMEOUT": "3",             # a silent connection is closed after 3 s
    "ADUAN_MAX_REQUESTS_PER_ADDRESS": "40",
}


def head(port: int, path: str, length: int | None, extra: str = "") -> socket.socket:
    """A connection that has sent the request line and headers of a POST, and no body yet."""
    s = socket.create_connection(("127.0.0.1", port), timeout=60)
    framing = f"Content-Length: {length}\r\n" if length is not None else "Transfer-Encoding: chunked\r\n"
    s.sendall((f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=x\r\n{framing}{extra}\r\n").encode())
    return s


def status_of(s: socket.socket, timeout: float) -> int | None:
    """The status code the server sent on `s` within `timeout` (None if nothing came)."""
    s.settimeout(timeout)
    try:
        data = s.recv(200)
    except (socket.timeout, ConnectionResetError):
        return None
    if not data.startswith(b"HTTP/1.1 "):
        return None
    return int(data[9:12])


def closed_within(s: socket.socket, seconds: float) -> float | None:
    """Seconds until the server closed `s` (reading whatever it sends), or None if it stayed open."""
    start = time.time()
    s.settimeout(0.5)
    while time.time() - start < seconds:
        try:
            if s.recv(65536) == b"":
                return time.time() - start
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return time.time() - start
    return None


def test_thirty_unfinished_45mb_uploads_stay_within_the_memory_budget():
    """30 connections each declare a 45 MB upload to the portal form, send 20 MB as fast as loopback allows and
    then stop. Bound proved: the server's peak RSS grows by less than 4 × the 64 MB body budget (the red team saw
    +1,400 MB), every refused or stalled upload is answered (503 busy or 408 too slow) and its connection closed
    within body timeout + pace + idle timeout, and the server still takes a complaint afterwards."""
    with aduan(LIMITS) as server:
        submit(server.base)  # warm: the baseline includes a served request
        before = server.status()
        sockets, answers, errors = [], {}, []
        chunk = b"x" * MB

        def upload(i: int):
            try:
                s = head(server.port, "/lapor", 45 * MB)
                sockets.append(s)
                for _ in range(20):
                    s.sendall(chunk)
            except OSError as e:  # the server closed a refused connection while we were still sending
                errors.append(str(e))

        threads = [threading.Thread(target=upload, args=(i,)) for i in range(30)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        # Everything has been refused or cut: 4 s + 20 MB at 4 MB/s = 9 s at most, plus the idle timeout.
        bound = 4 + 20 / 4 + 3 + 5
        for s in list(sockets):
            answers[s] = status_of(s, bound)
        after = server.status()
        grown_mb = (after["VmHWM"] - before["VmRSS"]) / 1024
        print(f"\nRSS before {before['VmRSS'] / 1024:.0f} MB, peak during {after['VmHWM'] / 1024:.0f} MB (+{grown_mb:.0f} MB); "
              f"answers {sorted(str(v) for v in answers.values())}; send errors {len(errors)}")
        assert grown_mb < 4 * 64, f"peak RSS grew by {grown_mb:.0f} MB"
        assert all(v in (503, 408, None) for v in answers.values()), answers.values()
        assert sum(v in (503, 408) for v in answers.values()) + len(errors) >= 25, "the uploads were refused or cut"
        for s in sockets:
            assert closed_within(s, 3 + 5) is not None, "a refused upload's connection stayed open"
            s.close()
        assert submit(server.base)["tracking_id"]


def test_a_portal_form_takes_a_forms_body_and_the_csrf_check_never_reads_more():
    """A 51 MB body to a form (here the reporter sign-in, behind the CSRF check) is refused at once by its declared
    length, before a byte of it is read; a chunked body is cut at the form limit (256 KB). Both connections are then
    left silent and closed by the idle timeout, however the client keeps sending. (Vapor hands a request on with its
    first body bytes, so the client sends a first kilobyte.)"""
    with aduan(LIMITS) as server:
        s = head(server.port, "/akun/masuk", 51 * MB)
        s.sendall(b"a" * 1024)
        assert status_of(s, 5) == 413
        assert closed_within(s, 3 + 3) is not None
        s.close()
        s = head(server.port, "/akun/masuk", None)
        sent = 0
        try:
            while sent < 2 * MB:
                s.sendall(b"10000\r\n" + b"a" * 65536 + b"\r\n")
                sent += 65536
        except OSError:
            pass
        assert status_of(s, 5) == 413
        assert closed_within(s, 3 + 3) is not None
        s.close()


def test_trickling_bodies_are_cut_and_their_connections_closed():
    """50 connections send the headers of a small form and then a byte every 1.5 s (far faster than the idle
    timeout, 6 s here, so only the body deadline can stop them). Bound proved: each is answered 408 after the body
    timeout (4 s) and closed an idle timeout after the last byte read, though the client keeps trickling; the red team's
    trickling connections stayed open indefinitely."""
    with aduan(dict(LIMITS, ADUAN_MAX_REQUESTS_PER_ADDRESS="60", ADUAN_IDLE_TIMEOUT="6")) as server:
        sockets = [head(server.port, "/akun/masuk", 1000) for _ in range(50)]
        start = time.time()
        stop = threading.Event()

        def trickle():
            while not stop.is_set():
                for s in sockets:
                    try:
                        s.send(b"a")
                    except OSError:
                        pass
                stop.wait(1.5)

        threading.Thread(target=trickle, daemon=True).start()
        try:
            statuses = [status_of(s, 15) for s in sockets]
            answered = time.time() - start
            assert statuses.count(408) == 50, statuses
            assert answered < 4 + 6, f"answered after {answered:.1f} s"
            # Closed one idle timeout after the last byte the server read (at most one trickle interval after the
            # 408), with room for a loaded machine.
            closed = [closed_within(s, 1.5 + 6 + 7) for s in sockets]
            assert all(c is not None for c in closed), "a trickling connection stayed open after its 408"
            print(f"\n50 trickling bodies: all 408 within {answered:.1f} s, closed at most {max(closed):.1f} s later")
        finally:
            stop.set()
            for s in sockets:
                s.close()


def test_requests_in_progress_are_capped_per_client_address_and_trusted_proxies_are_believed():
    """With a cap of 8: eight unfinished bodies from one address are in progress; the ninth is refused at once (429).
    Behind a trusted proxy (ADUAN_TRUSTED_PROXIES) the cap counts the address X-Forwarded-For names, so another
    client behind the same proxy still gets in."""
    env = dict(LIMITS, ADUAN_MAX_REQUESTS_PER_ADDRESS="8", ADUAN_BODY_TIMEOUT="20", ADUAN_TRUSTED_PROXIES="127.0.0.1")
    with aduan(env) as server:
        held = []
        try:
            for _ in range(8):
                s = head(server.port, "/akun/masuk", 1000, "X-Forwarded-For: 10.9.9.9\r\n")
                s.sendall(b"a")
                held.append(s)
            time.sleep(0.5)
            ninth = head(server.port, "/akun/masuk", 1000, "X-Forwarded-For: 10.9.9.9\r\n")
            ninth.sendall(b"a")
            assert status_of(ninth, 5) == 429
            ninth.close()
            r = requests.get(server.base + "/healthz", headers={"X-Forwarded-For": "10.1.1.1"}, timeout=10)
            assert r.status_code == 200, "another client behind the proxy is not counted with the first"
        finally:
            for s in held:
                s.close()
        # Once those end, the address may send again.
        time.sleep(0.5)
        r = requests.get(server.base + "/healthz", headers={"X-Forwarded-For": "10.9.9.9"}, timeout=10)
        assert r.status_code == 200


def test_a_silent_connection_is_closed_by_the_idle_timeout():
    """A connection that sends half a request line and then nothing is closed after the idle timeout (3 s here)."""
    with aduan(LIMITS) as server:
        s = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        s.sendall(b"GET /healthz HT")
        took = closed_within(s, 10)
        s.close()
        assert took is not None and took < 3 + 2, took
