"""Every way out gives the same number (issue 13): for a generated installation and several scopes and periods,
including a date in the past (`as_of`), the monev figures of the JSON API (`/api/v1/monev/summary`, `/units`) are
compared with what the other outputs *show*: the dashboard page, the printed evaluation report, the CSV, the XLSX
(read back with openpyxl) and the public `/statistik` page. Pages are parsed as rendered (numbers written the
Indonesian way, "81,8%", "4,2 dari 5"); nothing is recomputed from the complaints. Where a reader may not see a
small count (SPEC §9: the public, executives) the page must say "< 5" exactly where the API withholds it, or where
the inspector's exact figure is 1 to 4.

Then the printed report goes through Chromium's own print (`Page.printToPDF`, A4) and poppler: every page is A4 and
the ranking's last column is on the page; and the XLSX goes through LibreOffice, which sums a column of it.

Runs on SQLite, and on PostgreSQL when TEST_DATABASE_URL_PG (or TEST_DATABASE_URL) names a local server (CI sets it;
with CI=true and no PostgreSQL the run fails). The number of figures compared is printed at the end.
"""
from __future__ import annotations

import base64
import contextlib
import csv
import datetime as dt
import io
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlparse, urlunparse

import openpyxl
import pytest
import requests

from conftest import BIN, IN_CI, catalogue, make_driver, missing, _chromium_available

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "testsupport"))
from aduan_server import run, serving  # noqa: E402

T = catalogue("id")
TODAY = dt.date.today()
# The generated complaints: from the first of June to yesterday, so a whole quarter (Q3), whole months and a past
# "as of" day all hold data.
WINDOW = (dt.date(TODAY.year, 6, 1) if TODAY.month >= 9 else TODAY - dt.timedelta(days=200), TODAY - dt.timedelta(days=1))
COMPLAINTS = int(os.environ.get("MONEV_OUTPUTS_COMPLAINTS", "900"))
USERS = {"irprov": ("irprov-password-1", "inspector", "63"), "irkota": ("irkota-password-1", "inspector", "63.71"),
         "gubernur": ("gubernur-password-1", "executive", "63")}
COUNT = {"figures": 0, "withheld": 0, "cases": 0}


def postgres_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL_PG") or os.environ.get("TEST_DATABASE_URL") or None


def engines():
    yield "sqlite"
    yield "postgresql"


# --------------------------------------------------------------------------------------------------
# The installation


@pytest.fixture(scope="module", params=list(engines()))
def installation(request):
    if not (BIN.is_file() and os.access(BIN, os.X_OK)):
        missing(f"server binary {BIN} is missing: run `swift build` first or set ADUAN_BIN")
    engine = request.param
    database = None
    admin = postgres_url()
    if engine == "postgresql":
        if not admin:
            missing("no PostgreSQL: set TEST_DATABASE_URL_PG (a local server whose user may create databases)")
        if not shutil.which("psql"):
            missing("psql is missing: apt-get install -y postgresql-client")
        database = f"aduan_outputs_{uuid.uuid4().hex[:12]}"
        subprocess.run(["psql", admin, "-q", "-c", f"CREATE DATABASE {database}"], check=True, capture_output=True, timeout=60)

    def setup(env: dict) -> None:
        if database:
            u = urlparse(admin)
            env["DATABASE_URL"] = urlunparse(u._replace(path="/" + database))
        run([BIN, "migrate"], env, "aduan migrate")
        run([BIN, "seed"], env, "aduan seed")
        for name, (password, role, scope) in USERS.items():
            run([BIN, "user", "create", "--username", name, "--password", password, "--role", role, "--scope", scope], env,
                f"aduan user create {name}")
        run([BIN, "demo", "generate", "--complaints", str(COMPLAINTS), "--from", WINDOW[0].isoformat(), "--to", WINDOW[1].isoformat()],
            env, "aduan demo generate")

    try:
        with serving(BIN, "aduan-outputs-", "E2E_KEEP_DATA", setup) as (base, data_dir, log_path):
            yield Installation(base, engine)
    finally:
        if database:
            subprocess.run(["psql", admin, "-q", "-c", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"], capture_output=True, timeout=60)


class Installation:
    def __init__(self, base: str, engine: str):
        self.base = base
        self.engine = engine
        self.tokens: dict[str, str] = {}
        self.sessions: dict[str, requests.Session] = {}

    def token(self, user: str) -> str:
        if user not in self.tokens:
            r = requests.post(self.base + "/api/v1/auth/token", json={"username": user, "password": USERS[user][0]}, timeout=30)
            assert r.status_code == 200, f"{user} cannot sign in to the API: {r.status_code} {r.text[:300]}"
            self.tokens[user] = r.json()["token"]
        return self.tokens[user]

    def api(self, user: str, path: str, **params):
        r = requests.get(self.base + path, params=params, headers={"Authorization": f"Bearer {self.token(user)}"}, timeout=120)
        assert r.status_code == 200, f"GET {path} {params} as {user}: {r.status_code} {r.text[:300]}"
        return r.json()

    def session(self, user: str) -> requests.Session:
        """A browser-like session signed in through the sign-in form (cookie and CSRF token)."""
        if user not in self.sessions:
            s = requests.Session()
            page = s.get(self.base + "/petugas/masuk", timeout=30).text
            token = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
            r = s.post(self.base + "/petugas/masuk", data={"username": user, "password": USERS[user][0], "_csrf": token},
                       allow_redirects=False, timeout=30)
            assert r.status_code == 303, f"{user} cannot sign in: {r.status_code} {r.text[:300]}"
            self.sessions[user] = s
        return self.sessions[user]

    def get(self, user: str | None, path: str) -> requests.Response:
        r = (self.session(user) if user else requests).get(self.base + path, timeout=120)
        assert r.status_code == 200, f"GET {path} as {user or 'the public'}: {r.status_code} {r.text[:500]}"
        return r


# --------------------------------------------------------------------------------------------------
# Reading what is shown


class Node:
    def __init__(self, tag: str, attrs: dict):
        self.tag, self.attrs, self.children, self.parts = tag, attrs, [], []

    def text(self) -> str:
        out = []
        for part in self.parts:
            out.append(part.text() if isinstance(part, Node) else part)
        return "".join(out)

    def all(self, tag: str | None = None, **attrs):
        for child in self.children:
            if (tag is None or child.tag == tag) and all(child.attrs.get(k.replace("_", "-")) == v if v is not True
                                                         else k.replace("_", "-") in child.attrs for k, v in attrs.items()):
                yield child
            yield from child.all(tag, **attrs)

    def first(self, tag: str | None = None, **attrs):
        return next(self.all(tag, **attrs), None)


class Page(HTMLParser):
    """The page as a tree of elements (the standard library's HTML tokenizer)."""
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.stack = [self.root]
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: (v if v is not None else "") for k, v in attrs})
        self.stack[-1].children.append(node)
        self.stack[-1].parts.append(node)
        if tag not in self.VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        node = Node(tag, {k: (v if v is not None else "") for k, v in attrs})
        self.stack[-1].children.append(node)
        self.stack[-1].parts.append(node)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].parts.append(data)


SMALL = {T["small_count"], T["small_count_figure"]}


def shown_number(text: str):
    """A number as a page shows it: "1.234" → 1234, "81,8%" → 81.8, "4,2 dari 5" → 4.2, "—" → None, "< 5" → SMALL."""
    text = text.strip()
    if any(text.startswith(marker) for marker in SMALL):
        return "withheld"
    if text in ("—", ""):
        return None
    m = re.match(r"^(-?[\d.]+(?:,\d+)?)", text)
    assert m, f"not a number as the pages write them: {text!r}"
    return float(m.group(1).replace(".", "").replace(",", "."))


def one_decimal(x: float) -> float:
    """As the pages round: one decimal, halves away from zero, on the same double (`(x * 10).rounded()`)."""
    tenths = x * 10
    return math.copysign(math.floor(abs(tenths) + 0.5), tenths) / 10


def agree(what: str, shown, exact, kind: str, restricted: bool = False):
    """`shown` (parsed from an output) against the API's `exact`. kind: count, rate (page %), decimal (page, 1 place),
    csv_rate (4 places), csv_decimal (2 places), cell (XLSX: the same double)."""
    COUNT["figures"] += 1
    if shown == "withheld":
        COUNT["withheld"] += 1
        assert restricted, f"{what}: an inspector's output withholds a figure"
        return
    if exact is None:
        assert shown is None, f"{what}: shown {shown!r}, the API has no value"
        return
    assert shown is not None, f"{what}: shown as not measured, the API says {exact!r}"
    if kind == "count":
        assert shown == exact, f"{what}: shown {shown}, the API says {exact}"
    elif kind == "rate":
        assert shown == one_decimal(exact * 100), f"{what}: shown {shown}%, the API says {exact}"
    elif kind == "decimal":
        assert shown == one_decimal(exact), f"{what}: shown {shown}, the API says {exact}"
    elif kind == "csv_rate":
        assert abs(shown - exact) <= 0.00005 + 1e-12, f"{what}: the CSV says {shown}, the API {exact}"
    elif kind == "csv_decimal":
        assert abs(shown - exact) <= 0.005 + 1e-12, f"{what}: the CSV says {shown}, the API {exact}"
    elif kind == "cell":
        assert shown == exact, f"{what}: the XLSX cell holds {shown!r}, the API {exact!r}"
    else:
        raise AssertionError(kind)


# What each output calls the summary's figures: (API field, kind on a page).
PAGE_FIGURES = {"received": "count", "dispositioned": "count", "followed_up_rate": "rate", "completion_rate": "rate",
                "response_on_time_rate": "rate", "satisfaction_mean": "decimal", "reopen_rate": "rate", "overdue_now": "count",
                "archived": "count", "forwarded_out": "count", "rated_share": "rate"}
STAGES = ("verification", "response", "resolution")
UNIT_COLUMNS = (("dispositioned", "count"), ("followed_up_rate", "rate"), ("completion_rate", "rate"), ("response_on_time_rate", "rate"),
                ("satisfaction_mean", "decimal"), ("compliance_score", "decimal"), ("overdue_now", "count"))


def withheld_in(summary: dict, field: str) -> bool:
    return field in (summary.get("withheld") or {}).get("fields", [])


# The public statistics page's units table: no rank, the score first, the mean response time too.
STATS_COLUMNS = (("compliance_score", "decimal"), ("dispositioned", "count"), ("followed_up_rate", "rate"), ("completion_rate", "rate"),
                 ("response_on_time_rate", "rate"), ("response_days_mean", "decimal"), ("satisfaction_mean", "decimal"),
                 ("overdue_now", "count"))


def compare_page(label: str, page: Page, summary: dict, units: dict, places: dict, restricted: bool, headline=PAGE_FIGURES,
                 columns=UNIT_COLUMNS, ranked=True):
    for node in page.root.all(None, data_metric=True):
        field = node.attrs["data-metric"]
        if field not in headline:
            continue
        # A headline figure is the <strong> of its item; the other figures are the start of their <dd>.
        shown = shown_number((node.first("strong") or node).text())
        if shown == "withheld":
            assert restricted and (withheld_in(summary, field) or summary.get(field) is None), f"{label} {field}: '< 5' but the API shows it"
        agree(f"{label} {field}", shown, summary.get(field), headline[field], restricted)
    for row in page.root.all("tr", data_stage=True):
        kind = row.attrs["data-stage"]
        cells = [td.text() for td in row.all("td")]
        for (suffix, k), text in zip((("_on_time_rate", "rate"), ("_days_median", "decimal"), ("_days_mean", "decimal")), cells):
            agree(f"{label} {kind}{suffix}", shown_number(text), summary[kind + suffix], k, restricted)
    for attr, expected in (("data-unit", units), ("data-place", places)):
        rows = list(page.root.all("tr", **{attr.replace("-", "_"): True}))
        for row in rows:
            key = row.attrs[attr]
            assert key in expected, f"{label}: the page ranks {key}, the API does not know it"
            cells = [td.text() for td in row.all("td")][1 if ranked else 0:]   # after the rank
            assert len(cells) == len(columns), f"{label} {key}: {len(cells)} cells, expected {len(columns)}"
            metrics = expected[key]
            for (field, kind), text in zip(columns, cells):
                if attr == "data-place" and field == "compliance_score":
                    continue    # the API has no score for a jurisdiction; the rank order is checked below
                shown = shown_number(text)
                if shown == "withheld":
                    assert restricted and (metrics.get("withheld") or (metrics.get("dispositioned") or 0) < 5), f"{label} {key}: '< 5'"
                agree(f"{label} {key} {field}", shown, metrics.get(field), kind, restricted)
        if attr == "data-unit":
            # Every unit with something in the period is ranked; those with nothing are left out (the default).
            active = {u for u, m in expected.items() if (m.get("dispositioned") or m.get("overdue_now") or m.get("response_on_time_rate") is not None
                                                          or m.get("response_days_mean") is not None or m.get("satisfaction_mean") is not None
                                                          or m.get("withheld"))}
            assert {r.attrs[attr] for r in rows} == active, f"{label}: ranked units differ from the API's units with figures"
            if not any(expected[r.attrs[attr]].get("withheld") for r in rows):
                scores = [units[r.attrs[attr]].get("compliance_score") for r in rows]
                ranked = [s for s in scores if s is not None]
                assert ranked == sorted(ranked, reverse=True) and scores[:len(ranked)] == ranked, f"{label}: the ranking is not by score"


def compare_csv(label: str, rows: list[list], summary: dict, units: dict, places: dict, restricted: bool, typed: bool):
    """The CSV (strings) or the XLSX (typed cells): the metric rows carry the API field name in their third column."""
    kinds = {"received": "count", "dispositioned": "count", "archived": "count", "forwarded_out": "count", "overdue_now": "count"}
    seen = set()
    for row in rows:
        if len(row) >= 3 and isinstance(row[2], str) and row[2] in summary and row[2] != "withheld":
            field = row[2]
            seen.add(field)
            value = row[1]
            if value == T["small_count"]:
                agree(f"{label} {field}", "withheld", summary[field], "count", restricted)
                continue
            if typed:
                numeric_cell(f"{label} {field}", value)
                agree(f"{label} {field}", value, summary[field], "cell", restricted)
            else:
                kind = kinds.get(field) or ("csv_rate" if field.endswith("rate") or field == "rated_share" else "csv_decimal")
                shown = None if value == "" else (int(value) if kind == "count" else float(value))
                agree(f"{label} {field}", shown, summary[field], kind, restricted)
    assert {"received", "dispositioned", "followed_up_rate", "response_days_median", "overdue_now"} <= seen, f"{label}: metric rows missing: {seen}"
    columns = ("dispositioned", "followed_up_rate", "completion_rate", "response_on_time_rate", "response_days_mean", "satisfaction_mean",
               "compliance_score", "overdue_now")
    listed = set()
    section = None
    for row in rows:
        if row and row[0] in (T["monev_units_heading"], T["monev_places_heading"]):
            section = units if row[0] == T["monev_units_heading"] else places
            continue
        if section is None or len(row) < 4 or not isinstance(row[1], str) or row[1] not in section:
            continue
        key, metrics = row[1], section[row[1]]
        listed.add(key)
        if row[3] == T["small_count"]:
            agree(f"{label} {key}", "withheld", metrics.get("dispositioned"), "count", restricted)
            continue
        for field, value in zip(columns, row[3:]):
            if section is places and field in ("compliance_score", "response_days_mean"):
                continue
            exact = metrics.get(field)
            if typed:
                numeric_cell(f"{label} {key} {field}", value)
                agree(f"{label} {key} {field}", value, exact, "cell", restricted)
            else:
                kind = "count" if field in ("dispositioned", "overdue_now") else "csv_rate" if field.endswith("rate") else "csv_decimal"
                shown = None if value == "" else (int(value) if kind == "count" else float(value))
                agree(f"{label} {key} {field}", shown, exact, kind, restricted)
    assert listed, f"{label}: no unit rows"


def parse_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def parse_xlsx(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content), data_only=False).active
    rows = []
    for row in sheet.iter_rows():
        cells = [c.value for c in row]
        while cells and cells[-1] is None:
            cells.pop()
        rows.append(cells)
    return rows


def numeric_cell(label: str, value):
    """An XLSX figure is a number cell (int or float), empty when not measured, or the text "< 5" when withheld."""
    assert value is None or value == T["small_count"] or (isinstance(value, (int, float)) and not isinstance(value, bool)), \
        f"{label}: the XLSX holds {value!r} ({type(value).__name__}), not a number cell"


# --------------------------------------------------------------------------------------------------
# The cases


def last_month(today: dt.date) -> tuple[int, int]:
    first = today.replace(day=1) - dt.timedelta(days=1)
    return first.year, first.month


def quarter_before(today: dt.date) -> tuple[int, int]:
    q = (today.month - 1) // 3 + 1
    return (today.year, q - 1) if q > 1 else (today.year - 1, 4)


def period_days(kind: str, year: int, index: int) -> tuple[dt.date, dt.date]:
    if kind == "year":
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if kind == "quarter":
        first = dt.date(year, (index - 1) * 3 + 1, 1)
        months = 3
    else:
        first = dt.date(year, index, 1)
        months = 1
    nxt = dt.date(first.year + (first.month - 1 + months) // 12, (first.month - 1 + months) % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def cases():
    year = WINDOW[1].year
    m_year, month = last_month(TODAY)
    q_year, quarter = quarter_before(TODAY)
    as_of = dt.date(m_year, month, 1) - dt.timedelta(days=1)      # the end of the month before last
    return [
        # (reader, jurisdiction, sub, kind, year, index, as_of)
        ("irprov", "63", False, "year", year, 1, None),
        ("irprov", "63", True, "year", year, 1, None),
        ("irprov", "63", True, "month", m_year, month, None),
        ("irkota", "63.71", False, "quarter", q_year, quarter, None),
        ("irprov", "63", True, "year", as_of.year, 1, as_of),
        ("irprov", "63", False, "quarter", q_year, quarter, as_of if as_of > period_days("quarter", q_year, quarter)[0] else None),
        ("gubernur", "63", True, "year", year, 1, None),
        ("gubernur", "63", False, "month", m_year, month, None),
    ]


def api_figures(inst: Installation, user: str, code: str, sub: bool, first: dt.date, last: dt.date, as_of: dt.date | None, places_of):
    params = {"scope": code, "from": first.isoformat(), "to": last.isoformat()}
    if sub:
        params["include_sub"] = "true"
    if as_of:
        params["as_of"] = as_of.isoformat()
    summary = inst.api(user, "/api/v1/monev/summary", **params)
    units = {u["unit"]: u for u in inst.api(user, "/api/v1/monev/units", **params)}
    places = {}
    for place in places_of:
        p = dict(params, scope=place)
        p.pop("include_sub", None)
        places[place] = inst.api(user, "/api/v1/monev/summary", **p)
    return summary, units, places


@pytest.mark.parametrize("case", range(len(cases())))
def test_every_output_gives_the_same_number(installation, case):
    user, code, sub, kind, year, index, as_of = cases()[case]
    restricted = user == "gubernur"
    first, last = period_days(kind, year, index)
    query = {"j": code, "periode": kind, "tahun": year, "ke": index}
    if sub:
        query["sub"] = "1"
    if as_of:
        query["per"] = as_of.isoformat()
    q = urlencode(query)
    label = f"[{installation.engine}] {user} {code}{' +sub' if sub else ''} {kind} {year}/{index}{' as of ' + as_of.isoformat() if as_of else ''}"

    before = COUNT["figures"]
    for attempt in range(2):
        dashboard = Page(installation.get(user, f"/petugas/monev?{q}").text)
        places_of = [r.attrs["data-place"] for r in dashboard.root.all("tr", data_place=True)]
        summary, units, places_summary = api_figures(installation, user, code, sub, first, last, as_of, places_of)
        report = Page(installation.get(user, f"/petugas/monev/laporan?{q}").text)
        csv_rows = parse_csv(installation.get(user, f"/petugas/monev.csv?{q}").content.decode("utf-8"))
        xlsx_rows = parse_xlsx(installation.get(user, f"/petugas/monev.xlsx?{q}").content)
        again, _, _ = api_figures(installation, user, code, sub, first, last, as_of, [])
        if again == summary:
            break
        # A stage crossed its due between two reads (only the live overdue count can move): read everything again.
    else:
        pytest.fail(f"{label}: the API's figures kept changing between reads")
    assert summary["received"] is None or summary["received"] > 0 or restricted, f"{label}: the generated installation has nothing here"

    # Jurisdictions scored like units: the API's summary of each, as a row of the places ranking.
    places = {}
    for place, s in places_summary.items():
        places[place] = dict(s)
        if restricted and s.get("withheld") and "dispositioned" in s["withheld"]["fields"]:
            places[place]["withheld"] = True
    compare_page(f"{label} dashboard", dashboard, summary, units, places, restricted)
    compare_page(f"{label} report", report, summary, units, places, restricted,
                 headline=dict(PAGE_FIGURES, received="count", completion_rate="rate"))
    compare_csv(f"{label} CSV", csv_rows, summary, units, places, restricted, typed=False)
    compare_csv(f"{label} XLSX", xlsx_rows, summary, units, places, restricted, typed=True)
    COUNT["cases"] += 1
    assert COUNT["figures"] - before >= 60, f"{label}: only {COUNT['figures'] - before} figures compared"

    # The public statistics: the year of a jurisdiction, with or without its kabupaten/kota, as of now.
    if kind == "year" and not as_of and user != "gubernur":
        stats = Page(installation.get(None, f"/statistik?j={code}&year={year}{'&sub=1' if sub else ''}").text)
        public = {u: m for u, m in units.items()}
        compare_page(f"{label} /statistik", stats, summary, public, {}, restricted=True,
                     headline={k: v for k, v in PAGE_FIGURES.items() if k not in ("response_on_time_rate",)}, columns=STATS_COLUMNS,
                     ranked=False)
        # What the public page withholds, the inspector's exact figure is 1 to 4 (never a large number hidden).
        for li in stats.root.all("li", data_metric=True):
            if shown_number(li.first("strong").text()) == "withheld":
                value = summary[li.attrs["data-metric"]]
                assert value is None or isinstance(value, float) or 1 <= value <= 4, f"{label} /statistik withholds {value}"


@pytest.fixture(scope="module", autouse=True)
def report_the_count(request):
    """Prints how many figures were compared, when the module is done."""
    yield
    line = (f"monev outputs: {COUNT['figures']} figures compared across {COUNT['cases']} cases (API vs dashboard, printed "
            f"report, CSV, XLSX and /statistik, SQLite and PostgreSQL); {COUNT['withheld']} of them shown as '< 5'")
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with (capture.global_and_fixture_disabled() if capture else contextlib.nullcontext()):
        print("\n" + line, flush=True)


# --------------------------------------------------------------------------------------------------
# The printed report on A4, and the XLSX in LibreOffice


A4 = (595.28, 841.89)   # points


@pytest.mark.parametrize("installation", ["sqlite"], indirect=True)   # printed once
def test_printed_report_fits_a4(installation, tmp_path):
    _chromium_available()
    for tool in ("pdfinfo", "pdftotext"):
        if not shutil.which(tool):
            missing(f"{tool} is missing: apt-get install -y poppler-utils")
    year = WINDOW[1].year
    q = urlencode({"j": "63", "periode": "year", "tahun": year, "sub": "1", "tempat": "Banjarbaru", "nama": "Inspektur Uji",
                   "nip": "196912311994031005"})
    html = installation.get("irprov", f"/petugas/monev/laporan?{q}").text
    page = Page(html)
    units = [(r.attrs["data-unit"], [td.text().strip() for td in r.all("td")]) for r in page.root.all("tr", data_unit=True)]
    assert len(units) >= 5, "the report ranks fewer than 5 units"

    driver = make_driver()
    try:
        driver.get(installation.base + "/petugas/masuk")
        for name, value in installation.session("irprov").cookies.items():
            driver.add_cookie({"name": name, "value": value, "path": "/"})
        driver.get(installation.base + f"/petugas/monev/laporan?{q}")
        assert "/petugas/monev/laporan" in driver.current_url, driver.current_url
        pdf = driver.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True, "displayHeaderFooter": False})
    finally:
        driver.quit()
    path = tmp_path / "laporan.pdf"
    path.write_bytes(base64.b64decode(pdf["data"]))
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(path)], capture_output=True, text=True, timeout=60).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert sizes, f"pdfinfo read no page size:\n{info}"
    for w, h in sizes:
        assert abs(float(w) - A4[0]) < 2 and abs(float(h) - A4[1]) < 2, f"a page is {w} x {h} pt, not A4 portrait:\n{info}"
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, timeout=60).stdout
    # The heading, the signature block; no menu and no buttons.
    for expected in (T["monev_report_title"], "PEMERINTAH PROVINSI KALIMANTAN SELATAN", T["monev_places_heading"], "Banjarbaru,",
                     "Inspektur Uji", "NIP. 196912311994031005"):
        assert expected in text, f"the printed report lacks {expected!r}"
    for absent in (T["account_signout"], T["monev_csv_link"], T["monev_report_apply"], T["nav_queue"] if "nav_queue" in T else "\x00"):
        assert not re.search(rf"(?<!\w){re.escape(absent)}(?!\w)", text), f"the printed report shows {absent!r} (menu or button)"
    # The ranking's last column: its header, and every row's figures up to the last one on one line of the page.
    assert T["stats_col_overdue"].split()[0] in text, "the last column's header is not on the page"
    lines = text.splitlines()
    for unit, cells in units:
        figures = cells[1:]   # after the rank: dispositioned … overdue
        pattern = r"\s+".join(re.escape(c) for c in figures) + r"\s*$"
        assert any(re.search(pattern, line) for line in lines), (
            f"{unit}: the row's figures {figures} (last column included) are not on one printed line")
    (Path(os.environ.get("E2E_ARTIFACTS", tempfile.gettempdir())) / "aduan-monev-laporan.pdf").write_bytes(path.read_bytes())


@pytest.mark.parametrize("installation", ["sqlite"], indirect=True)   # once
def test_xlsx_sums_in_libreoffice(installation, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        missing("LibreOffice is missing: apt-get install -y --no-install-recommends libreoffice-calc-nogui")
    year = WINDOW[1].year
    q = urlencode({"j": "63", "periode": "year", "tahun": year, "sub": "1", "semua": "1"})
    content = installation.get("irprov", f"/petugas/monev.xlsx?{q}").content
    units = installation.api("irprov", "/api/v1/monev/units", scope="63", include_sub="true", **{"from": f"{year}-01-01", "to": f"{year}-12-31"})
    expected = sum(u["dispositioned"] for u in units), sum(u["overdue_now"] for u in units)

    # Formulas under the units table: SUM of the dispositioned column (D) and of the overdue column (K).
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.active
    header = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == T["monev_units_heading"]) + 1
    last = header
    while sheet.cell(last + 1, 2).value and "/" in str(sheet.cell(last + 1, 2).value):
        last += 1
    assert last > header + 5, "the units table is shorter than expected"
    total = sheet.max_row + 2
    sheet.cell(total, 1).value = "SUM"
    sheet.cell(total, 4).value = f"=SUM(D{header + 1}:D{last})"
    sheet.cell(total, 11).value = f"=SUM(K{header + 1}:K{last})"
    source = tmp_path / "monev-sum.xlsx"
    book.save(source)
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(tmp_path), str(source)],
                   capture_output=True, timeout=300, check=True)
    rows = list(csv.reader(io.StringIO((tmp_path / "monev-sum.csv").read_text(encoding="utf-8"))))
    summed = next(r for r in rows if r and r[0] == "SUM")
    as_number = lambda s: int(s.replace(",", "").replace(".", "")) if s else 0   # "1,234" as LibreOffice shows it
    assert (as_number(summed[3]), as_number(summed[10])) == expected, (
        f"LibreOffice sums {summed[3]} dispositioned and {summed[10]} overdue; the API's units hold {expected}")
