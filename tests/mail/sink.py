#!/usr/bin/env python3
"""SMTP sink for Aduan's mail tests.

Stores every message it accepts as NAME.eml (the raw message, after the envelope lines
X-Sink-Mail-From and X-Sink-Rcpt-To) and NAME.json (what Python's own e-mail parser reads
from it: decoded subject, headers, text and HTML parts), so the tests check Aduan's MIME
against an independent parser. Writes --ready FILE once it listens; stops on SIGTERM.

    python3 sink.py --folder DIR --port PORT --ready FILE [--auth USER:PASS] [--tls-cert C --tls-key K [--implicit-tls]] [--login-only]
                    [--reject-domain DOMAIN]
"""
import argparse
import email
import email.policy
import json
import os
import signal
import socket
import ssl
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, folder, reject_domain=None):
        self.folder = folder
        self.count = 0
        self.reject_domain = reject_domain
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        # --reject-domain: mailboxes there do not exist (a permanent 5xx, as a real server answers).
        if self.reject_domain and address.lower().endswith("@" + self.reject_domain):
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            name = "%d-%05d" % (time.time_ns(), self.count)
        raw = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        summary = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "subject": str(parsed["Subject"]),
            "from": str(parsed["From"]),
            "to": str(parsed["To"]),
            "message_id": str(parsed["Message-ID"]),
            "key": str(parsed["X-Aduan-Message-Key"]),
            "content_type": parsed.get_content_type(),
            "authenticated": session.authenticated,
            "tls": session.ssl is not None,
        }
        for part in parsed.walk():
            if part.get_content_type() in ("text/plain", "text/html") and not part.is_multipart():
                summary[part.get_content_type().split("/")[1]] = part.get_content()
        header = ("X-Sink-Mail-From: %s\r\nX-Sink-Rcpt-To: %s\r\n" % (envelope.mail_from, ", ".join(envelope.rcpt_tos))).encode()
        # Write then rename, so a reader never sees half a file.
        for suffix, data in (("json", json.dumps(summary, ensure_ascii=False).encode()), ("eml", header + raw)):
            tmp = os.path.join(self.folder, "%s.%s.tmp" % (name, suffix))
            with open(tmp, "wb") as f:
                f.write(data)
            os.rename(tmp, os.path.join(self.folder, "%s.%s" % (name, suffix)))
        return "250 OK stored"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--folder", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ready", required=True)
    parser.add_argument("--auth")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--login-only", action="store_true", help="offer AUTH LOGIN but not PLAIN")
    parser.add_argument("--reject-domain", help="answer 550 to recipients in this domain")
    args = parser.parse_args()
    os.makedirs(args.folder, exist_ok=True)
    port = args.port or free_port()

    options = {}
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
            return AuthResult(success=ok, handled=False)

        options.update(authenticator=authenticator, auth_require_tls=False, auth_required=True)
        if args.login_only:
            options.update(auth_exclude_mechanism=["PLAIN"])
    context = None
    if args.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)
    if context and args.implicit_tls:
        controller = Controller(Sink(args.folder, args.reject_domain), hostname="127.0.0.1", port=port, ssl_context=context, server_hostname="localhost", **options)
    elif context:
        controller = Controller(Sink(args.folder, args.reject_domain), hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True, **options)
    else:
        controller = Controller(Sink(args.folder, args.reject_domain), hostname="127.0.0.1", port=port, **options)
    controller.start()

    stop = threading.Event()
    # A parent may hand down a blocked signal mask (the Swift test runner does): unblock what stops us.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with open(args.ready + ".tmp", "w") as f:
        f.write(str(port))
    os.rename(args.ready + ".tmp", args.ready)
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
