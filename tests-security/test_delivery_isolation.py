"""Finding 8: one unreachable webhook receiver held the single worker about 10 s per delivery, so citizens' e-mails
queued at T went out between T+130 s and T+320 s. Here a webhook points at a port that accepts and never answers
(a black hole on loopback) while a real SMTP server (aiosmtpd) takes the citizens' e-mail.
"""
from __future__ import annotations

import re
import time

import requests

from conftest import BlackHole, SMTPSink, aduan, form_token, signed_in, submit

INTERVAL = 1        # ADUAN_WORKER_INTERVAL
TIMEOUT = 3         # ADUAN_WEBHOOK_TIMEOUT
FAILURES = 3        # ADUAN_WEBHOOK_BREAKER_FAILURES


def wait_for_mail(sink: SMTPSink, tracking_id: str, deadline: float) -> float | None:
    """When the citizen's "received" e-mail for `tracking_id` reached the sink (its file time), or None."""
    while time.time() < deadline:
        for m in sink.received():
            if m.get("key", "").startswith(tracking_id + ":") and "reporter" in m.get("key", ""):
                return m["_at"]
        time.sleep(0.1)
    return None


def test_a_dead_webhook_receiver_never_delays_a_citizens_email():
    """Bound proved: every citizen's e-mail reaches the SMTP server within INTERVAL + 5 s of its submission, both while
    the webhook lane is stuck on the black hole (FAILURES tries of TIMEOUT each) and once its circuit is open; the
    black hole is tried FAILURES times, not once per event; the sysadmin's webhook page shows the circuit open."""
    sink = SMTPSink()
    hole = BlackHole()
    env = {
        "ADUAN_SMTP_HOST": "127.0.0.1", "ADUAN_SMTP_PORT": str(sink.port), "ADUAN_SMTP_SECURITY": "none",
        "ADUAN_SMTP_FROM": "Aduan Uji <noreply@example.org>", "ADUAN_WORKER_INTERVAL": str(INTERVAL),
        # The SMTP sink and the black hole are on loopback: the operator allows exactly those two ports.
        "ADUAN_OUTBOUND_ALLOW": f"127.0.0.1:{sink.port},127.0.0.1:{hole.port}",
        "ADUAN_WEBHOOK_TIMEOUT": str(TIMEOUT), "ADUAN_WEBHOOK_BREAKER_FAILURES": str(FAILURES), "ADUAN_WEBHOOK_BREAKER_RETRY": "600",
    }
    try:
        with aduan(env, sysadmin=True) as server:
            s, _ = signed_in(server.base)
            token = form_token(s, server.base + "/petugas/admin/pesan/webhook")
            r = s.post(server.base + "/petugas/admin/pesan/webhook", timeout=30,
                       data={"name": "Dasbor mati", "url": f"http://127.0.0.1:{hole.port}/hook", "jurisdiction": "63", "_csrf": token})
            assert r.status_code == 200 and "wh-new-secret" in r.text, r.text[:300]
            hook = re.search(r'href="(/petugas/admin/pesan/webhook/\d+)"', r.text).group(1)

            bound = INTERVAL + 5

            def wave(name: str) -> int:
                """Six submissions, 0.3 s apart; each citizen's e-mail must arrive within the bound. Returns how many."""
                sent = []
                for _ in range(6):
                    sent.append((submit(server.base)["tracking_id"], time.time()))
                    time.sleep(0.3)
                delays = []
                for tid, at in sent:
                    got = wait_for_mail(sink, tid, at + bound + 10)
                    assert got is not None, f"no e-mail for {tid} within {bound + 10} s"
                    delays.append(got - at)
                print(f"\n{name}: e-mail delays {[round(d, 1) for d in delays]} s (bound {bound} s)")
                assert max(delays) <= bound, delays
                return len(sent)

            # First wave: submitted while the webhook lane is stuck on the black hole.
            first = wave("first wave (webhook lane stuck)")

            # The circuit opens after FAILURES tries (each up to TIMEOUT), and the sysadmin's page says so.
            deadline = time.time() + FAILURES * TIMEOUT + 10
            page = ""
            while time.time() < deadline:
                page = s.get(server.base + hook, timeout=30).text
                if 'data-open="true"' in page:
                    break
                time.sleep(0.5)
            assert 'data-open="true"' in page and "terbuka sampai" in page, re.findall(r'id="wh-circuit".*', page)
            assert f"{FAILURES} kegagalan berturut-turut" in page

            # Second wave: with the circuit open.
            second = wave("second wave (circuit open)")
            assert len(hole.accepted) == FAILURES, f"the dead receiver was tried {len(hole.accepted)} times"
            # Nothing was lost: every webhook event still waits for the receiver (none dead), the e-mails all went out.
            time.sleep(INTERVAL + 1)
            metrics = requests.get(server.base + "/metrics", timeout=10).text
            gauge = lambda name: float(re.search(rf"^{name} (\S+)$", metrics, re.M).group(1))
            assert gauge("aduan_outbox_pending") == first + second, metrics
            assert gauge("aduan_outbox_dead") == 0
    finally:
        hole.stop()
        sink.stop()
