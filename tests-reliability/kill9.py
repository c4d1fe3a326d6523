#!/usr/bin/env python3
"""Every acknowledged submission survives `kill -9` (SPEC §11 reliability).

Starts `aduan serve` on a fresh data folder, submits from several threads, kills the server with
SIGKILL in the middle of the load, starts it again on the same data and checks that every
complaint that got a 201 is there, and that `aduan audit verify` passes. Exits non-zero on any loss.
Usage: ADUAN_BIN=.build/debug/aduan python3 tests-reliability/kill9.py
"""
import http.client, json, os, random, shutil, signal, socket, subprocess, sys, tempfile, threading, time, urllib.request, urllib.error

BIN = os.environ.get("ADUAN_BIN", ".build/debug/aduan")
ROUNDS = int(os.environ.get("KILL9_ROUNDS", "3"))


def start(data, port):
    env = dict(os.environ, ADUAN_DATA_DIR=data, ADUAN_SUBMIT_RATE_LIMIT="0", LOG_LEVEL="warning")
    proc = subprocess.Popen([BIN, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode} before it answered")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return proc
        except (urllib.error.URLError, http.client.HTTPException, ConnectionError, OSError):
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start")


def submit(port, n):
    body = json.dumps({"title": f"Uji ketahanan {n}", "body": "Laporan uji: lampu jalan padam sejak seminggu di Jl. Pramuka.",
                       "jurisdiction": "63", "reporter": {"name": "Uji", "email": "uji@example.org"}}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/complaints", data=body, method="POST",
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as r:
        if r.status == 201:
            answer = json.loads(r.read())
            return answer["tracking_id"], answer["pin"]
    return None


def main():
    data = tempfile.mkdtemp(prefix="aduan-kill9-")
    with socket.socket() as probe:  # a port nobody uses now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    acknowledged, lock, stop = [], threading.Lock(), threading.Event()
    try:
        for round_ in range(ROUNDS):
            proc = start(data, port)

            def load(worker):
                n = 0
                while not stop.is_set():
                    n += 1
                    try:
                        receipt = submit(port, f"{round_}-{worker}-{n}")
                    except Exception:
                        continue  # connection refused or reset once the server is killed: not acknowledged
                    if receipt:
                        with lock:
                            acknowledged.append(receipt)

            stop.clear()
            threads = [threading.Thread(target=load, args=(w,)) for w in range(8)]
            for t in threads:
                t.start()
            time.sleep(random.uniform(1.5, 3.0))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            stop.set()
            for t in threads:
                t.join()
            print(f"round {round_ + 1}: killed with SIGKILL; {len(acknowledged)} acknowledged so far")

        proc = start(data, port)
        missing = []
        for tid, pin in acknowledged:
            # Read as the reporter (the PIN): a report is public only once verified, and none of these is.
            read = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/complaints/{tid}", headers={"X-Reporter-Secret": pin})
            try:
                with urllib.request.urlopen(read, timeout=5) as r:
                    if r.status != 200:
                        missing.append(tid)
            except urllib.error.HTTPError:
                missing.append(tid)
        proc.terminate()
        proc.wait()
        audit = subprocess.run([BIN, "audit", "verify"], env=dict(os.environ, ADUAN_DATA_DIR=data), capture_output=True, text=True)
        print(f"acknowledged {len(acknowledged)}, missing after restart {len(missing)}; audit: {audit.stdout.strip().splitlines()[-1] if audit.stdout.strip() else audit.stderr.strip()}")
        if not acknowledged:
            raise SystemExit("no submission was acknowledged: the check proved nothing")
        if missing or audit.returncode != 0:
            raise SystemExit(f"FAILED: lost {missing[:10]} audit={audit.returncode}")
        print("1 passed, 0 failed")
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
