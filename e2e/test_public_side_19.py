"""Issue 19, public side: next year's calendar (fix 11) and phones (fix 7), in both languages.

Fix 11: while the national holidays of the year ahead (from October) or of this year are not loaded, the sysadmin's
home and the coordinator's home say so, with a link to the national calendar of that year; a due that falls in a year
without a loaded list carries "(sementara …)". The oracle is written here from the SPEC's words and the seed file the
server loads (Sources/App/Resources/seed/id-holidays.csv): a year is loaded when it has a `libur_nasional` row.

Fix 7: below 600 px the officer queues and the public list are cards with the due date and the state first; no page of
the citizen's or the officer's journey scrolls sideways at 360 px (document.documentElement.scrollWidth), nor does a
card list inside its box; at 1366 px they stay tables with their header row.
"""
from __future__ import annotations

import csv
import re
import datetime as dt
from pathlib import Path

import pytest

from conftest import ROOT, UNIT, Browser, catalogue, signed_in_desks, uid

SEED = ROOT / "Sources" / "App" / "Resources" / "seed" / "id-holidays.csv"
WITA = dt.timezone(dt.timedelta(hours=8))


def loaded_years() -> set[int]:
    with SEED.open(encoding="utf-8") as f:
        return {int(row["date"][:4]) for row in csv.DictReader(f) if row.get("kind") == "libur_nasional"}


def missing_year(today: dt.date) -> int | None:
    """SPEC §5 / issue 19: the current year when unloaded; from October, next year when unloaded."""
    years = loaded_years()
    if today.year not in years:
        return today.year
    if today.month >= 10 and today.year + 1 not in years:
        return today.year + 1
    return None


def words(lang: str, key: str, **values) -> str:
    text = catalogue(lang)[key]
    for k, v in values.items():
        text = text.replace("{" + k + "}", str(v))
    return text


def choose_language(b: Browser, lang: str, path: str):
    b.go(f"/bahasa/{lang}?next={path}")
    assert b.lang() == lang, f"{path}: <html lang> is {b.lang()!r}, not {lang}"


@pytest.fixture(scope="module")
def desks(portal, chromium, officers):
    with signed_in_desks(portal, ("koord", "dinkes", "admin")) as opened:
        yield opened


@pytest.fixture(scope="module")
def listed(officers) -> dict:
    """A complaint verified to Dinas Kesehatan (so it is on the public list, SPEC publication rule) and one still new."""
    tag = uid()
    verified = officers.submit_api(title=f"Antrean puskesmas panjang sekali {tag}", target_unit=UNIT)["tracking_id"]
    officers.act(verified, "verify", "koord", unit=UNIT)
    fresh = officers.submit_api(title=f"Lampu jalan padam di depan sekolah {tag}")["tracking_id"]
    return {"tag": tag, "verified": verified, "new": fresh}


# ----------------------------------------------------------------------------------------------------------------
# Fix 11


@pytest.mark.parametrize("lang", ["id", "en"])
def test_calendar_warning_on_the_sysadmin_and_coordinator_homes(desks, lang):
    year = missing_year(dt.datetime.now(WITA).date())
    for role, path in (("admin", "/petugas/admin"), ("koord", "/petugas"), ("dinkes", "/petugas")):
        b = desks[role]
        choose_language(b, lang, path)
        assert b.path == path, f"{role}: {path} ended at {b.url}"
        shown = b.finds(".calendar-warning")
        if year is None or role == "dinkes":
            assert not shown, f"{role} ({lang}): a calendar warning with every needed year loaded or for a liaison: {shown[0].text!r}"
            continue
        assert shown, f"{role} ({lang}): no warning that the national holidays of {year} are not loaded"
        assert words(lang, "calendar_missing", year=year) in shown[0].text, shown[0].text
        if role == "admin":
            link = b.find(".calendar-warning a")
            assert link.get_attribute("href").endswith(f"?tahun={year}"), link.get_attribute("href")
            assert link.text == words(lang, "calendar_missing_load", year=year)
            b.click(link)
            assert f"{year}" in b.h1() or f"{year}" in b.text(), "the link does not open the national calendar of that year"
        b.axe(f"calendar warning for {role} ({lang})")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_provisional_mark_follows_the_year_of_the_due(officers, desks, listed, lang):
    tid = listed["verified"]
    due = officers.complaint(tid)["due_at"]
    due_year = dt.datetime.fromisoformat(due.replace("Z", "+00:00")).astimezone(WITA).year
    provisional = due_year not in loaded_years()
    assert officers.complaint(tid).get("due_provisional") == provisional, "the API's due_provisional"
    mark = words(lang, "due_provisional", year=due_year)
    b = desks["koord"]
    for path in (f"/t/{tid}", f"/petugas/aduan/{tid}"):
        choose_language(b, lang, path)
        assert (mark in b.text()) == provisional, f"{path} ({lang}): due in {due_year}, loaded {sorted(loaded_years())}"


# ----------------------------------------------------------------------------------------------------------------
# Fix 7

CARD_CHECK = """
const out = {scroll: document.documentElement.scrollWidth, inner: window.innerWidth, wraps: [], cards: [], thead: null};
for (const w of document.querySelectorAll('.table-wrap')) {
  if (w.querySelector('table.cards') && w.scrollWidth > w.clientWidth + 1) out.wraps.push(w.scrollWidth + '>' + w.clientWidth);
}
for (const t of document.querySelectorAll('table.cards')) {
  const head = t.querySelector('thead');
  out.thead = Math.max(out.thead || 0, head ? head.getBoundingClientRect().height : 0);
  for (const row of t.querySelectorAll('tbody tr')) {
    const top = sel => { const e = row.querySelector(sel); return e ? e.getBoundingClientRect().top : null; };
    out.cards.push({due: top('.c-due'), state: top('.c-state'), complaint: top('.c-complaint, th[scope=row]'),
                    right: row.getBoundingClientRect().right, text: row.innerText.slice(0, 80)});
  }
}
return out;
"""


def check_cards(b: Browser, label: str, phone: bool, expect_rows: bool):
    m = b.driver.execute_script(CARD_CHECK)
    if phone:
        assert m["inner"] == 360 and m["scroll"] <= 360, f"{label}: scrolls sideways at 360 px ({m['scroll']}): {b.widest()}"
        assert not m["wraps"], f"{label}: a card list scrolls sideways inside its box: {m['wraps']}"
    if not expect_rows:
        return
    assert m["cards"], f"{label}: no rows in the card table"
    for card in m["cards"]:
        if phone:
            assert card["due"] < card["complaint"] and card["state"] < card["complaint"], \
                f"{label}: the due date and state are not first on the card: {card}"
            assert card["right"] <= 360.5, f"{label}: a card sticks out: {card}"
        else:
            assert card["due"] == card["complaint"] == card["state"], f"{label}: not one table row at 1366 px: {card}"
    if phone:
        assert m["thead"] is not None and m["thead"] <= 1, f"{label}: the header row still shows on a phone"
    else:
        assert m["thead"] and m["thead"] > 1, f"{label}: no header row at 1366 px"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_citizen_pages_at_360px(phone: Browser, listed, lang):
    tid = listed["verified"]
    pages = {"/": False, "/lapor": False, "/lacak": False, f"/laporan?q={listed['tag']}": True, "/laporan": True,
             f"/t/{tid}": False, "/statistik": False, "/unit/63/dinkes": False, "/akun/masuk": False, "/akun/daftar": False}
    for path, rows in pages.items():
        choose_language(phone, lang, path)
        check_cards(phone, f"{path} ({lang})", phone=True, expect_rows=rows)
    phone.go(f"/laporan?q={listed['tag']}")
    assert tid in phone.html() and listed["new"] not in phone.html()
    phone.axe(f"public list as cards ({lang})")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_officer_pages_at_360px(desks, listed, lang):
    pages = [("koord", "/petugas", True), ("koord", f"/petugas/aduan?q={listed['tag']}", True),
             ("koord", "/petugas/kotak-masuk", False), ("koord", f"/petugas/aduan/{listed['new']}", False),
             ("dinkes", "/petugas", True), ("dinkes", f"/petugas/aduan/{listed['verified']}", False),
             ("dinkes", "/petugas/templat", False), ("koord", "/petugas/akun", False), ("admin", "/petugas/admin", False)]
    for role, path, rows in pages:
        b = desks[role]
        b.resize("phone")
        choose_language(b, lang, path)
        check_cards(b, f"{path} as {role} ({lang})", phone=True, expect_rows=rows)
        if rows:
            b.axe(f"{path} as cards ({lang})")
    for role, path, rows in pages:
        if rows:
            b = desks[role]
            b.resize("desktop")
            b.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                     {"width": 1366, "height": 900, "deviceScaleFactor": 1, "mobile": False})
            b.go(path)
            check_cards(b, f"{path} as {role} at 1366 px ({lang})", phone=False, expect_rows=True)


# ----------------------------------------------------------------------------------------------------------------
# Fix 8: words, not codes, on the pages it touched; each at 360 px with axe, in both languages

ISO_DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_fix8_pages_at_360px_without_iso_dates(desks, phone: Browser, listed, lang):
    """The pages whose codes and dates fix 8 turned into words: readable at 360 px, axe-clean, no date left as
    2026-03-02 in what the reader sees (the tracking ID and form values are not visible text)."""
    pages = [("admin", "/petugas/admin/pesan/webhook"), ("admin", "/petugas/admin/kunci-api"),
             ("admin", "/petugas/admin/kategori?j=63"), ("admin", "/petugas/admin/kategori/pariwisata/atribut"),
             ("koord", "/petugas/monev?periode=tahun"), ("koord", f"/petugas/aduan/{listed['verified']}"),
             ("dinkes", f"/petugas/aduan/{listed['verified']}")]
    for role, path in pages:
        b = desks[role]
        b.resize("phone")
        choose_language(b, lang, path)
        b.layout_at_phone(f"{path} as {role} ({lang})")
        b.axe(f"{path} as {role} ({lang})")
        left = ISO_DATE.findall(b.text())
        assert not left, f"{path} as {role} ({lang}): dates not in words: {left[:3]}"
    for path in ("/statistik", f"/t/{listed['verified']}"):
        choose_language(phone, lang, path)
        phone.layout_at_phone(f"{path} ({lang})")
        phone.axe(f"{path} ({lang})")
        left = ISO_DATE.findall(phone.text())
        assert not left, f"{path} ({lang}): dates not in words: {left[:3]}"
