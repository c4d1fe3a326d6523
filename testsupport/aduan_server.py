"""A real `aduan serve` for the Python test suites (e2e/, open311-conformance/).

`serving()` makes a fresh data folder, runs the set-up commands (migrate, seed, users, keys …), starts the server
on a free loopback port, waits for /healthz, and stops and removes everything afterwards.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import pytest
import requests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd: list, env: dict, what: str) -> str:
    """Runs one `aduan` command; a failure fails the test session with its output."""
    p = subprocess.run([str(c) for c in cmd], env=env, capture_output=True, text=True, timeout=180)
    if p.returncode != 0:
        pytest.fail(f"{what} failed ({p.returncode}):\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}", pytrace=False)
    return p.stdout


def log_tail(path: Path, n: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return "(no server log)"


@contextmanager
def serving(binary: Path, prefix: str, keep_var: str, setup: Callable[[dict], None],
            started: Callable[[subprocess.Popen], None] | None = None) -> Iterator[tuple[str, str, Path]]:
    """Yields (base URL, data folder, log path) of a running server; `setup(env)` runs before it starts and
    `started(process)`, when given, once it answers (tests-security/ reads its memory)."""
    data_dir = tempfile.mkdtemp(prefix=prefix)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, ADUAN_DATA_DIR=data_dir, ADUAN_SUBMIT_RATE_LIMIT="0", ADUAN_BASE_URL=base, LOG_LEVEL="warning")
    env.pop("DATABASE_URL", None)
    setup(env)
    log_path = Path(data_dir) / "server.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen([str(binary), "serve", "--hostname", "127.0.0.1", "--port", str(port)], env=env,
                            stdout=log, stderr=subprocess.STDOUT, cwd=data_dir)
    try:
        deadline = time.time() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"aduan serve exited with {proc.returncode}:\n{log_tail(log_path)}", pytrace=False)
            try:
                if requests.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.time() > deadline:
                pytest.fail(f"aduan serve did not answer /healthz within 60 s:\n{log_tail(log_path)}", pytrace=False)
            time.sleep(0.1)
        if started:
            started(proc)
        yield base, data_dir, log_path
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        if os.environ.get(keep_var) == "1":
            print(f"\nserver data and log kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
