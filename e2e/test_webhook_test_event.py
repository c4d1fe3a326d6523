"""The sysadmin's "Kirim peristiwa uji" really sends a test event (issue 19, fix 2), in a real browser.

A real HTTP receiver runs on a loopback port that the server is allowed to reach (conftest.WEBHOOK_PORT, listed in
ADUAN_OUTBOUND_ALLOW for this port only). The sysadmin creates a subscription on the page, presses the button, and:
the receiver got one POST, its X-Aduan-Signature verifies with the secret typed on the page (HMAC-SHA256 of
"<timestamp>.<body>", SPEC's webhook signature, computed here with Python's hmac), the body is a `test` event; the
page shows the receiver's status and time in the page's language; a second press while the receiver answers 503
shows that too, and no delivery was queued. Both languages; axe on the result.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import WEBHOOK_PORT, Browser, catalogue, make_driver, uid

CATALOGUES = {"id": catalogue("id"), "en": catalogue("en")}


class Receiver:
    def __init__(self, port: int):
        self.calls: list[dict] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.calls.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
                self.send_response(receiver.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver(WEBHOOK_PORT)
    try:
        yield r
    finally:
        r.stop()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_send_test_event_reaches_a_real_receiver(portal, officers, receiver, lang):
    T = CATALOGUES[lang]
    b = Browser(make_driver(), portal)
    try:
        b.sign_in("admin", expect=None)
        b.go(f"/bahasa/{lang}?next=/petugas/admin/pesan/webhook")
        assert b.path == "/petugas/admin/pesan/webhook", f"the webhook page did not open: {b.url}\n{b.text()[:600]}"
        secret = f"rahasia-{uid()}-panjang"
        name = f"Dasbor uji {uid()}"
        form = b.form_for("/petugas/admin/pesan/webhook")
        for field, value in (("#wh-name", name), ("#wh-url", f"http://127.0.0.1:{WEBHOOK_PORT}/hook"), ("#wh-secret", secret)):
            box = b.find(field, within=form)
            box.clear()
            box.send_keys(value)
        b.submit_form(form)
        links = [a for a in b.finds("a[href^='/petugas/admin/pesan/webhook/']") if a.text.strip() == name]
        assert links, f"the new subscription is not listed:\n{b.alert()}\n{b.text()[:1500]}"
        b.click(links[0])
        b.wait_for(lambda: b.h1().endswith(name), "the subscription's page")
        page_path = b.path

        button = [x for x in b.finds("button[type=submit]") if x.text.strip() == T["webhooks_test"]]
        assert button, f"no {T['webhooks_test']!r} button on {b.url}"
        b.submit_form(button[0].find_element("xpath", "./ancestor::form"))
        assert len(receiver.calls) == 1, f"the receiver got {len(receiver.calls)} requests after one press"
        call = receiver.calls[0]
        assert call["path"] == "/hook"
        event = json.loads(call["body"])
        assert event["action"] == "test" and call["headers"].get("x-aduan-event") == "test"
        stamp = call["headers"]["x-aduan-timestamp"]
        expected = "sha256=" + hmac.new(secret.encode(), f"{stamp}.".encode() + call["body"], hashlib.sha256).hexdigest()
        assert hmac.compare_digest(call["headers"]["x-aduan-signature"], expected), "the test event's signature does not verify"
        result = b.find("section[aria-labelledby=wh-test-title]").text
        assert T["webhooks_test_ok"] in result and "HTTP 200" in result and " ms" in result, f"the result reads {result!r}"
        assert b.lang() == lang
        b.axe(f"webhook test result ({lang})")

        # A receiver in trouble: the page says so, with its status.
        receiver.status = 503
        b.go(page_path)
        button = [x for x in b.finds("button[type=submit]") if x.text.strip() == T["webhooks_test"]]
        b.submit_form(button[0].find_element("xpath", "./ancestor::form"))
        assert len(receiver.calls) == 2
        result = b.find("section[aria-labelledby=wh-test-title]").text
        assert T["webhooks_test_failed"] in result and "HTTP 503" in result, f"the result reads {result!r}"
    finally:
        b.driver.quit()
