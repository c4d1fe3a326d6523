"""Reads what the monev oracle may read of an installation: the event log (`events`), the organisation (which
jurisdiction is below which, which units handle complaints), the working-day calendars (time zones, working
weekdays, holidays) and the settings that change the deadlines and the score weights.

Nothing else: not the complaint rows, not the stages, not the stored counters (those are the engine's).
SQLite through the standard library; PostgreSQL through `psql` (COPY … TO STDOUT, CSV), so the oracle needs no
database driver.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3
import subprocess
from dataclasses import dataclass, field

from workdays import WorkCalendar


@dataclass
class Event:
    complaint: int
    seq: int
    at: int  # ms since 1970 UTC
    action: str
    to_state: str
    unit: str | None
    jurisdiction: str
    data: dict


@dataclass
class Installation:
    events: dict[int, list[Event]]  # by complaint, in seq order
    parents: dict[str, str | None]  # jurisdiction → parent
    calendars: dict[str, WorkCalendar]
    handling_units: dict[str, list[str]]  # jurisdiction → active units that are not the coordinator
    policy: dict = field(default_factory=dict)
    weights: dict = field(default_factory=dict)

    def subtree(self, code: str) -> set[str]:
        result = {code}
        grew = True
        while grew:
            grew = False
            for j, parent in self.parents.items():
                if parent in result and j not in result:
                    result.add(j)
                    grew = True
        return result


# SPEC §4-5 defaults, changed by the `policy` setting when an administrator stored one.
DEFAULT_POLICY = {
    "verificationDays": 3,
    "responseDays": 5,
    "resolutionDays": {"informasi": 5, "sederhana": 5, "tanpa_pemeriksaan": 14, "pemeriksaan_lapangan": 60,
                       "berkadar_pengawasan": 60},
}
# SPEC §8 compliance score weights, changed by the `compliance_weights` setting.
DEFAULT_WEIGHTS = {"response": 0.4, "completion": 0.4, "satisfaction": 0.2}

QUERIES = {
    "events": "SELECT complaint_id, seq, {at}, action, to_state, unit_id, jurisdiction_code, data FROM events",
    "jurisdictions": "SELECT code, parent_code, time_zone, working_weekdays FROM jurisdictions",
    "holidays": "SELECT jurisdiction_code, date FROM holidays",
    "units": "SELECT id, jurisdiction_code, kind, {active} FROM units",
    "settings": "SELECT key, value FROM settings WHERE key IN ('policy', 'compliance_weights')",
}


def _sqlite_rows(path: str, name: str) -> list[tuple]:
    sql = QUERIES[name].format(at="CAST(ROUND(at * 1000) AS INTEGER)", active="active")
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return [tuple(r) for r in db.execute(sql)]


def _postgres_rows(url: str, name: str) -> list[tuple]:
    sql = QUERIES[name].format(at="CAST(ROUND(EXTRACT(EPOCH FROM at) * 1000) AS BIGINT)",
                               active="CASE WHEN active THEN 1 ELSE 0 END")
    out = subprocess.run(["psql", url, "-X", "-q", "-c", f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"],
                         check=True, capture_output=True, text=True).stdout
    # COPY's CSV writes NULL as an empty unquoted field and an empty text as "": csv cannot tell them apart, and
    # no column read here holds an empty text, so empty means NULL.
    return [tuple(None if v == "" else v for v in row) for row in csv.reader(io.StringIO(out))]


def load(database: str) -> Installation:
    """`database`: a path to the SQLite file or a postgres:// URL."""
    rows = (lambda name: _postgres_rows(database, name)) if database.startswith("postgres") else \
        (lambda name: _sqlite_rows(database, name))
    events: dict[int, list[Event]] = {}
    for complaint, seq, at, action, to_state, unit, jurisdiction, data in rows("events"):
        e = Event(int(complaint), int(seq), int(at), action, to_state, unit or None, jurisdiction, json.loads(data or "{}"))
        events.setdefault(e.complaint, []).append(e)
    for log in events.values():
        log.sort(key=lambda e: e.seq)

    national: set[dt.date] = set()
    local: dict[str, set[dt.date]] = {}
    for jurisdiction, date in rows("holidays"):
        day = dt.date.fromisoformat(date)
        (local.setdefault(jurisdiction, set()) if jurisdiction else national).add(day)
    parents, calendars = {}, {}
    for code, parent, zone, weekdays in rows("jurisdictions"):
        parents[code] = parent or None
        days = {int(d) for d in weekdays.split(",") if d.strip().isdigit() and 1 <= int(d) <= 7}
        calendars[code] = WorkCalendar(zone, days, national | local.get(code, set()))
    handling: dict[str, list[str]] = {}
    for unit, jurisdiction, kind, active in rows("units"):
        if int(active) and kind != "coordinator":
            handling.setdefault(jurisdiction, []).append(unit)
    settings = dict(rows("settings"))
    policy = json.loads(json.dumps(DEFAULT_POLICY))
    if "policy" in settings:
        stored = json.loads(settings["policy"])
        for key in ("verificationDays", "responseDays"):
            policy[key] = stored.get(key, policy[key])
        policy["resolutionDays"].update(stored.get("resolutionDays", {}))
    weights = dict(DEFAULT_WEIGHTS)
    if "compliance_weights" in settings:
        weights.update(json.loads(settings["compliance_weights"]))
    return Installation(events, parents, calendars, handling, policy, weights)
