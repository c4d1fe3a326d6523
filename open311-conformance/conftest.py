"""Open311 GeoReport v2 conformance (issue 8; docs/open311.md).

One `aduan serve` per session on a free port with a fresh ADUAN_DATA_DIR, set up through the CLI:
migrate, seed, API keys (`aduan apikey create --name ci --scopes submit,read-public --rate-limit 0`, keys read from
stdout; plus `limited`, read-public at 3 requests a minute, and `scoped`, read-scope bound to 63/dinkes), the
coordinator `koord` (scope 63), the liaison `dinkes` (63/dinkes) and the sysadmin `admin` (63, who edits Open311
attributes through the admin pages). With CI=true a missing binary or Python package FAILS
the run; on a developer's machine it skips.

Environment: ADUAN_BIN (default .build/debug/aduan), OPEN311_KEEP_DATA=1 keeps the data folder and log.
"""
from __future__ import annotations

import importlib
import itertools
import os
import re
import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "testsupport"))
from aduan_server import run, serving  # noqa: E402  (shared with e2e/)

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(os.environ.get("ADUAN_BIN") or ROOT / ".build" / "debug" / "aduan")
if not BIN.is_absolute():
    BIN = (Path.cwd() / BIN).resolve()
IN_CI = os.environ.get("CI", "").lower() == "true"
# koord (coordinator) verifies and disposes; only the unit's liaison may post the final answer (the role model
# refuses respond_final to a coordinator with 403), so the liaison of 63/dinkes is created as well, as in e2e/.
OFFICERS = {
    "koord": ("koord-password-1", "coordinator", "63"),
    "dinkes": ("dinkes-password-1", "liaison", "63/dinkes"),
    "admin": ("admin-password-1", "sysadmin", "63"),
}
# name -> (scopes, extra `apikey create` options)
KEYS = {
    "ci": ("submit,read-public", ["--rate-limit", "0"]),
    "limited": ("read-public", ["--rate-limit", "3"]),
    "scoped": ("read-scope", ["--scope", "63/dinkes"]),
}
UNIT = "63/dinkes"
V2 = "/open311/v2"


def missing(what: str):
    """A missing prerequisite: a failure in CI, a skip on a developer's machine."""
    if IN_CI:
        pytest.fail(f"{what} (CI=true: the Open311 suite fails rather than skips)", pytrace=False)
    pytest.skip(what)


def need(module: str):
    """Imports a package the suite needs, failing (CI) or skipping (locally) when it is not installed."""
    try:
        return importlib.import_module(module)
    except ImportError:
        missing(f"Python package {module} is missing: pip install -r open311-conformance/requirements.txt")


_counter = itertools.count(1)


def form_token(session, path: str, server) -> str:
    """The CSRF token of the form on `path`."""
    page = session.get(server.url(path), timeout=30).text
    m = re.search(r'name="_csrf" value="([^"]+)"', page)
    assert m, f"no form token on {path}: {page[:300]}"
    return m.group(1)


def uid() -> str:
    return f"{uuid.uuid4().hex[:6]}{next(_counter)}"


class Server:
    """The running server: base URL, the submit/read key, and the officer's side through the JSON API."""

    def __init__(self, base: str, data_dir: str, log_path: Path, keys: dict[str, str]):
        self.base = base
        self.data_dir = data_dir
        self.log_path = log_path
        self.keys = keys
        self.api_key = keys["ci"]
        self._tokens: dict[str, str] = {}
        self.requests = need("requests")

    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.base + path

    def get(self, path: str, **kw):
        return self.requests.get(self.url(path), timeout=30, **kw)

    def post(self, path: str, **kw):
        return self.requests.post(self.url(path), timeout=30, **kw)

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no server log)"

    def token(self, user: str) -> str:
        if user not in self._tokens:
            r = self.post("/api/v1/auth/token", json={"username": user, "password": OFFICERS[user][0]})
            assert r.status_code == 200, f"officer {user} could not sign in: {r.status_code} {r.text[:300]}"
            self._tokens[user] = r.json()["token"]
        return self._tokens[user]

    def act(self, tid: str, action: str, user: str = "koord", **body) -> dict:
        r = self.post(f"/api/v1/complaints/{tid}/actions/{action}", json=body,
                      headers={"Authorization": f"Bearer {self.token(user)}"})
        assert r.status_code == 200, f"officer {user} {action} on {tid}: {r.status_code} {r.text[:500]}"
        return r.json()

    def verify(self, tid: str) -> dict:
        """The coordinator verifies a request (dispositions it to UNIT): only then is it public (SPEC §9, ADUAN_PUBLISH)."""
        return self.act(tid, "verify", unit=UNIT)

    def submit_api(self, **fields) -> dict:
        """A complaint through the JSON API (returns tracking_id and the reporter's secret)."""
        body = {"title": f"Lampu jalan padam {uid()}", "body": f"Lampu jalan di depan sekolah padam sejak dua minggu lalu {uid()}.",
                "jurisdiction": "63", "address": "Jl. Ahmad Yani km 5, Banjarmasin",
                "reporter": {"name": "Pelapor Uji", "email": "pelapor@example.org", "phone": "081234567890"}}
        body.update(fields)
        r = self.post("/api/v1/complaints", json=body)
        assert r.status_code == 201, f"API submission: {r.status_code} {r.text[:500]}"
        return r.json()

    def submit_open311(self, fmt: str = "json", **fields):
        """POST requests.{fmt} as a form (the spec's encoding); returns the raw response."""
        data = {"api_key": self.api_key, "service_code": self.service_code,
                "description": f"Saluran air tersumbat di Jl. Pangeran Antasari {uid()}",
                "lat": "-3.3194", "long": "114.5908", "first_name": "Siti", "last_name": "Rahma",
                "email": "siti@example.org", "phone": "081200000000"}
        data.update(fields)
        data = {k: v for k, v in data.items() if v is not None}
        return self.post(f"{V2}/requests.{fmt}", data=data)

    def admin_session(self):
        """The sysadmin signed in through the web form, as a browser (cookie session, form token)."""
        s = self.requests.Session()
        r = s.post(self.url("/petugas/masuk"), data={"username": "admin", "password": OFFICERS["admin"][0], "_csrf": form_token(s, "/petugas/masuk", self)},
                   allow_redirects=False, timeout=30)
        assert r.status_code == 303, f"admin sign-in: {r.status_code} {r.text[:300]}"
        return s

    @property
    def service_code(self) -> str:
        r = self.get(f"{V2}/services.json")
        assert r.status_code == 200 and r.json(), f"services.json: {r.status_code} {r.text[:300]}"
        return r.json()[0]["service_code"]


@pytest.fixture(scope="session")
def server():
    need("requests")
    if not (BIN.is_file() and os.access(BIN, os.X_OK)):
        missing(f"server binary {BIN} is missing: run `swift build` first or set ADUAN_BIN")
    keys: dict[str, str] = {}

    def setup(env: dict) -> None:
        run([BIN, "migrate"], env, "aduan migrate")
        run([BIN, "seed"], env, "aduan seed")
        for name, (scopes, options) in KEYS.items():
            out = run([BIN, "apikey", "create", "--name", name, "--scopes", scopes, *options], env, f"aduan apikey create {name}")
            m = re.search(r"\b(aduan_[A-Za-z0-9_\-]+)", out)
            assert m, f"aduan apikey create printed no key:\n{out}"
            keys[name] = m.group(1)
        for name, (password, role, scope) in OFFICERS.items():
            run([BIN, "user", "create", "--username", name, "--password", password, "--role", role, "--scope", scope], env,
                f"aduan user create {name}")

    with serving(BIN, "aduan-open311-", "OPEN311_KEEP_DATA", setup) as (base, data_dir, log_path):
        yield Server(base, data_dir, log_path, keys)


@pytest.fixture(scope="session")
def seeded(server) -> dict:
    """Requests that exist before any list is read: one posted through Open311 (JSON), one through the API, both
    verified by the coordinator (unverified requests are not public by default)."""
    r = server.submit_open311("json")
    assert r.status_code == 201, f"Open311 POST: {r.status_code} {r.text[:500]}"
    posted = r.json()[0]["service_request_id"]
    api = server.submit_api(category=server.service_code)
    server.verify(posted)
    server.verify(api["tracking_id"])
    return {"open311": posted, "api": api["tracking_id"], "api_secret": api["secret"]}
