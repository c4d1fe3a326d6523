#!/usr/bin/env python3
"""Open-loop load at a fixed rate: POST complaints at RATE req/s for DURATION s and print latency percentiles.

Requests are scheduled on a fixed timetable (not after the previous answer), and latency is measured from the
scheduled send time, so a slow server cannot hide queueing (no coordinated omission).
Standard library only: asyncio with raw HTTP/1.1 over a small pool of keep-alive connections.

usage: rate.py HOST PORT [RATE] [DURATION]
"""
import asyncio, json, sys, time

HOST, PORT = sys.argv[1], int(sys.argv[2])
RATE = float(sys.argv[3]) if len(sys.argv) > 3 else 100.0
DURATION = float(sys.argv[4]) if len(sys.argv) > 4 else 20.0
POOL = 64


def payload(n):
    return json.dumps({
        "type": "pengaduan", "title": f"Lampu jalan mati di Jl. Veteran ({n})",
        "body": "Lampu penerangan jalan mati sejak dua minggu sehingga rawan kecelakaan dan kejahatan pada malam hari.",
        "incident_date": "2026-01-10", "jurisdiction": "63", "address": "Jl. Veteran, Banjarmasin",
        "category": "infrastruktur.jalan", "reporter": {"name": "Warga Rate", "email": "warga.rate@example.org"},
    }).encode()


class Conn:
    def __init__(self):
        self.reader = self.writer = None

    async def request(self, body):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, PORT)
        head = (f"POST /api/v1/complaints HTTP/1.1\r\nHost: {HOST}:{PORT}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n").encode()
        self.writer.write(head + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            k, _, v = line.decode().partition(":")
            if k.lower() == "content-length":
                length = int(v.strip())
        await self.reader.readexactly(length)
        return int(status_line.split()[1])


async def main():
    idle = asyncio.Queue()
    for _ in range(POOL):
        idle.put_nowait(Conn())
    latencies, statuses, tasks = [], {}, []
    start = time.perf_counter() + 0.2
    total = int(RATE * DURATION)

    async def one(n, scheduled):
        conn = await idle.get()
        try:
            status = await conn.request(payload(n))
        except Exception:
            status = -1
            conn = Conn()
        finally:
            idle.put_nowait(conn)
        latencies.append(time.perf_counter() - scheduled)
        statuses[status] = statuses.get(status, 0) + 1

    for n in range(total):
        scheduled = start + n / RATE
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(n, scheduled)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

    print(f"sent={total} achieved_rate={total / elapsed:.1f}/s statuses={statuses}")
    print(f"p50_ms={pct(50):.2f} p95_ms={pct(95):.2f} p99_ms={pct(99):.2f} max_ms={latencies[-1] * 1000:.2f}")


asyncio.run(main())
