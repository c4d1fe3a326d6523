"""Findings 10 and 11 against the running binary: log forging, file modes, aborted uploads in /metrics, and
`aduan audit verify` after a complaint is deleted or edited in the database file.
"""
from __future__ import annotations

import os
import re
import socket
import sqlite3
import stat
import struct
import subprocess
import time
from pathlib import Path

import requests

from conftest import BIN, aduan, run, submit

MB = 1_048_576


def test_input_in_a_log_line_cannot_start_a_line_of_its_own():
    """A line break in what a client sends (a path, a field echoed in a refusal) is written escaped: no log line
    starts with the forged text."""
    with aduan({"LOG_LEVEL": "info"}) as server:
        forged = "ERROR [ App ] admin signed in from 10.0.0.1"
        r = requests.post(server.base + "/api/v1/complaints", timeout=30,
                          json={"title": "Jalan rusak", "body": "Lubang besar di jalan dekat pasar.", "jurisdiction": "63\n" + forged})
        assert r.status_code == 422
        r = requests.get(server.base + "/t/ABC%0A" + forged.replace(" ", "%20"), timeout=30)
        assert r.status_code == 400
        time.sleep(0.5)
        log = server.log()
        assert "\\n" + forged in log, "the refusal was logged, escaped"
        assert not any(line.startswith(forged) or line.startswith("ERROR [ App ] admin") for line in log.splitlines()), log[-2000:]


def test_the_data_folder_is_private():
    """The embedded default's folder is 0700, its database (and WAL) and generated key 0600 (the red team found
    aduan.sqlite 0644)."""
    with aduan({"ADUAN_SECRET_KEY": ""}) as server:
        submit(server.base)
        data = Path(server.data_dir)
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in [data, *data.iterdir()] if p.name.startswith(("aduan", "secret"))}
        print(f"\n{ {k: oct(v) for k, v in modes.items()} }")
        assert stat.S_IMODE(data.stat().st_mode) == 0o700
        assert modes["aduan.sqlite"] == 0o600 and modes["secret.key"] == 0o600
        assert modes.get("aduan.sqlite-wal", 0o600) == 0o600 and modes.get("aduan.sqlite-shm", 0o600) == 0o600


def test_an_aborted_upload_counts_as_a_client_abort_not_a_server_error():
    """Uploads cut off by the client (a FIN mid-body, and a reset) show in /metrics as 499, never as 500."""
    with aduan({}) as server:
        for reset in (False, True):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            s.sendall(b"POST /lapor HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: 5000000\r\n\r\n")
            s.sendall(b"x" * 200_000)
            time.sleep(0.3)
            if reset:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
        time.sleep(1)
        metrics = requests.get(server.base + "/metrics", timeout=10).text
        lines = [l for l in metrics.splitlines() if l.startswith("http_requests_total") and 'route="/lapor"' in l]
        print("\n" + "\n".join(lines))
        assert any('status="499"' in l and float(l.rsplit(" ", 1)[1]) >= 2 for l in lines), lines
        assert not any('status="500"' in l for l in lines), lines


def verify(data_dir: str) -> tuple[int, str]:
    env = dict(os.environ, ADUAN_DATA_DIR=data_dir, LOG_LEVEL="warning")
    env.pop("DATABASE_URL", None)
    p = subprocess.run([str(BIN), "audit", "verify"], env=env, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout + p.stderr


def test_audit_verify_reports_a_deleted_complaint_an_edited_state_and_an_edited_audit_row():
    """`aduan audit verify` said "chain intact" after these three edits of the database file; now each is reported
    under its own kind and the command exits non-zero. (SQLite allows the command beside the running server.)"""
    with aduan({"ADUAN_WORKER_INTERVAL": "1", "ADUAN_SECRET_KEY": ""}) as server:
        kept = submit(server.base)["tracking_id"]
        gone = submit(server.base)["tracking_id"]
        # An audit row: an export from the command line (audited as `export`).
        out = Path(server.data_dir) / "ekspor.csv"
        env = dict(os.environ, ADUAN_DATA_DIR=server.data_dir, LOG_LEVEL="warning")
        env.pop("DATABASE_URL", None)
        run([BIN, "export", "complaints", "--format", "csv", "--out", out], env, "aduan export complaints")
        db = Path(server.data_dir) / "aduan.sqlite"
        # The worker anchors what was written (a sweep a second).
        deadline = time.time() + 20
        while time.time() < deadline:
            with sqlite3.connect(db) as c:
                covered = c.execute("""SELECT count(*) FROM audit_anchors WHERE complaint_max_id >= (SELECT max(id) FROM complaints)
                                       AND audit_max_id >= (SELECT max(id) FROM audit_log)""").fetchone()[0]
            if covered:
                break
            time.sleep(0.3)
        else:
            raise AssertionError("no anchor was written")
        code, out = verify(server.data_dir)
        assert code == 0 and "event chain intact; projection intact; audit log intact; anchors intact" in out, out

        with sqlite3.connect(db) as c:
            (gid,) = c.execute("SELECT id FROM complaints WHERE tracking_id = ?", (gone,)).fetchone()
            for table in ("events", "stages", "attachments", "outbox"):
                c.execute(f"DELETE FROM {table} WHERE complaint_id = ?", (gid,))
            c.execute("DELETE FROM complaints WHERE id = ?", (gid,))
            c.execute("UPDATE complaints SET state = 'selesai' WHERE tracking_id = ?", (kept,))
            c.execute("UPDATE audit_log SET detail = 'tidak ada apa-apa' WHERE action = 'export'")
        code, out = verify(server.data_dir)
        print("\n" + out)
        assert code != 0
        assert re.search(r"anchors: 1 complaint anchored earlier is gone \(id %d\)" % gid, out), out
        assert f"projection: {kept}: state is selesai but its events say baru" in out
        assert re.search(r"audit log: audit row \d+ \(export\) was altered", out)
