#!/usr/bin/env python3
"""Submissions per second through HAProxy on PostgreSQL: one `aduan serve` instance beside three, in one run (issue 18).

It builds nothing and asserts nothing: it reports. The set-up is the drill's (tests-cluster/drill.py: Debian's
PostgreSQL in its own folder and port, durable as shipped, the shipped deploy/haproxy.cfg and systemd units), with
the per-address limits off (all load comes from one address) and no workers (the outbox rows are written, not delivered). Steps, in this order:

1. instance 1 only behind the proxy (2 and 3 not started; the proxy's check has marked them down):
   (a) the ceiling, `wrk` on `GET /api/v1/jurisdictions` through the proxy (cached reference data, no database);
   (b) submissions, `wrk` with bench/submit.lua through the proxy; rows counted in PostgreSQL with psql;
2. instances 2 and 3 started: the same (a) and (b) with all three;
3. a summary: submissions/s with 1 and 3 instances, their ratio, and each as a fraction of its own ceiling.

    ADUAN_BIN=.build/release/aduan python3 bench/cluster.py      (env: DURATION=20 CONNECTIONS=32 THREADS=2)

Needs wrk, haproxy, PostgreSQL's binaries and psql (Debian: apt-get install wrk haproxy postgresql).
"""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("drill", ROOT / "tests-cluster" / "drill.py")
drill = importlib.util.module_from_spec(spec)
spec.loader.exec_module(drill)

DURATION = int(os.environ.get("DURATION", "20"))
CONNECTIONS = int(os.environ.get("CONNECTIONS", "32"))
THREADS = int(os.environ.get("THREADS", "2"))


# bench/submit.lua with every answer's status tallied (wrk's own count says only "non-2xx"): a proxy's 503 is not a
# submission.
TALLY = """
dofile(%r)
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do total[status] = (total[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(total) do table.insert(parts, status .. "=" .. n) end
  table.sort(parts)
  print("statuses: " .. table.concat(parts, " "))
end
"""


def wrk(url: str, script: str | None = None, seconds: int = DURATION) -> dict:
    cmd = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"] + (["-s", script] if script else []) + [url]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout

    def latency(p: str) -> float:
        m = re.search(rf"^\s*{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return float("nan")
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Socket errors: (.+)", out)
    statuses = re.search(r"^statuses: (.*)$", out, re.M)
    return {"statuses": dict(tuple(map(int, kv.split("="))) for kv in statuses.group(1).split()) if statuses else {},
            "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": latency("50"), "p99": latency("99"),
            "errors": errors.group(1).strip() if errors else "none"}


def main():
    for tool in ("wrk", "haproxy", "psql"):
        if not shutil.which(tool):
            drill.fatal(f"{tool} is missing")
    if not (drill.BIN.is_file() and os.access(drill.BIN, os.X_OK)):
        drill.fatal(f"the server binary {drill.BIN} is missing: swift build -c release --product aduan, then ADUAN_BIN=.build/release/aduan")
    work = Path(tempfile.mkdtemp(prefix="aduan-bench-cluster-"))
    os.chmod(work, 0o755)
    print(f"== machine: {os.cpu_count()} cores; binary {drill.BIN}; folder {work}")
    pg = cluster = None
    try:
        pg = drill.Postgres(work)
        nobody = types.SimpleNamespace(port=drill.free_port())  # no mail or webhook is delivered: no worker runs
        cluster = drill.Cluster(work, pg, nobody, nobody)
        # All of the load comes from one address here (the proxy forwards wrk's 127.0.0.1); a province's comes from
        # many. So the per-address limits are off: the submission limit and the cap on requests in flight.
        for env in (cluster.serve_env, cluster.cli_env):
            env["ADUAN_SUBMIT_RATE_LIMIT"] = "0"
            env["ADUAN_MAX_REQUESTS_PER_ADDRESS"] = "0"
        cluster.aduan("migrate")
        cluster.aduan("seed")
        cluster.start_instance(0)
        cluster.wait_healthy(0)
        cluster.start_proxy()
        time.sleep(3)  # the proxy's check (inter 1s, fall 2) marks instances 2 and 3 down

        def count() -> int:
            return int(pg.psql("SELECT count(*) FROM complaints", db="aduan")[0][0])

        results = {}
        for n in (1, 3):
            if n == 3:
                for i in (1, 2):
                    cluster.start_instance(i)
                for i in (1, 2):
                    cluster.wait_healthy(i)
                time.sleep(3)  # rise 2: the proxy sends them requests again
            ceiling = wrk(cluster.base + "/api/v1/jurisdictions", seconds=10)
            before = count()
            tally = work / "submit-tally.lua"
            tally.write_text(TALLY % str(ROOT / "bench" / "submit.lua"))
            submit = wrk(cluster.base + "/api/v1/complaints", script=str(tally))
            created = submit["statuses"].get(201, 0)
            submit["created_per_s"] = created / DURATION
            stored = count() - before
            results[n] = (ceiling, submit, stored)
            print(f"\n== {n} instance{'s' if n > 1 else ''} behind HAProxy")
            print(f"(a) ceiling GET /api/v1/jurisdictions: {ceiling['rps']:.0f} req/s, p50 {ceiling['p50']:.2f} ms, p99 {ceiling['p99']:.2f} ms")
            print(f"(b) submissions: {submit['created_per_s']:.0f} answered 201 /s (all answers {submit['rps']:.0f} /s: {submit['statuses']}), "
                  f"p50 {submit['p50']:.2f} ms, p99 {submit['p99']:.2f} ms, socket errors {submit['errors']}; rows stored {stored}")

        (c1, s1, r1), (c3, s3, r3) = results[1], results[3]
        print("\n== summary")
        a1, a3 = s1["created_per_s"], s3["created_per_s"]
        print(f"submissions answered 201 per s: 1 instance {a1:.0f}, 3 instances {a3:.0f}; 3 ÷ 1 = {a3 / a1:.2f}" if a1 else "no submission answered 201")
        print(f"submissions ÷ ceiling: 1 instance {a1 / c1['rps']:.3f}, 3 instances {a3 / c3['rps']:.3f}")
        print(f"rows stored, 201 answers: 1 instance {r1}, {s1['statuses'].get(201, 0)}; 3 instances {r3}, {s3['statuses'].get(201, 0)} "
              "(a request still in flight when wrk stops may be stored without its answer being counted)")
    finally:
        if cluster is not None:
            cluster.stop_all()
        if pg is not None:
            try:
                pg.stop()
            except SystemExit:
                pass
        if os.environ.get("KEEP") != "1":
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
