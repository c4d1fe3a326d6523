"""Compares Aduan's monev API (`/api/v1/monev/summary` and `/units`) with the oracle, figure by figure.

    python3 tests-monev-oracle/compare.py --db PATH_OR_URL --base http://127.0.0.1:PORT --token TOKEN [--today YYYY-MM-DD]

prints every difference and how many figures were compared. Counts must be equal; rates equal as the same
fraction (the double nearest to it, which is what a correct division gives); means within 1e-9 (sums of doubles
in another order); medians within the precision the API states (`median_precision_days`, 1e-9 when absent or 0).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import dataclass
from fractions import Fraction

import requests

import oracle
from installation import Installation, load

COUNT_FIELDS = ["received", "archived", "forwarded_out", "dispositioned", "overdue_now"]
COUNTS_BY = ["by_type", "by_channel", "by_category", "by_state", "archived_by_reason"]
RATE_FIELDS = ["followed_up_rate", "completion_rate", "verification_on_time_rate", "response_on_time_rate",
               "resolution_on_time_rate", "satisfaction_mean", "rated_share", "reopen_rate"]
MEAN_FIELDS = ["verification_days_mean", "response_days_mean", "resolution_days_mean"]
MEDIAN_FIELDS = ["verification_days_median", "response_days_median", "resolution_days_median"]
UNIT_COUNTS = ["dispositioned", "overdue_now"]
UNIT_RATES = ["followed_up_rate", "completion_rate", "response_on_time_rate", "satisfaction_mean"]
UNIT_FLOATS = ["response_days_mean", "compliance_score"]


@dataclass
class Case:
    scope: str  # a jurisdiction code or a unit id
    include_sub: bool
    label: str  # the period's name
    from_day: dt.date | None
    to_day: dt.date | None
    as_of: dt.date | None = None

    def params(self) -> dict:
        p = {"scope": self.scope}
        if self.include_sub:
            p["include_sub"] = "true"
        if self.from_day:
            p["from"] = self.from_day.isoformat()
        if self.to_day:
            p["to"] = self.to_day.isoformat()
        if self.as_of:
            p["as_of"] = self.as_of.isoformat()
        return p

    def name(self) -> str:
        return f"{self.scope}{' +sub' if self.include_sub else ''} {self.label}"


class Comparison:
    def __init__(self):
        self.compared = 0
        self.differences: list[tuple[str, str, object, object]] = []

    def check(self, where: str, name: str, ours, theirs, same: bool):
        self.compared += 1
        if not same:
            self.differences.append((where, name, ours, theirs))

    def count(self, where, name, ours, theirs):
        self.check(where, name, ours, theirs, ours == theirs)

    def rate(self, where, name, ours, theirs):
        expected = None if ours is None else float(ours)
        self.check(where, name, ours if ours is None else f"{ours} = {expected!r}", theirs, expected == theirs)

    def close(self, where, name, ours, theirs, tolerance):
        if ours is None or theirs is None:
            self.check(where, name, ours, theirs, ours is None and theirs is None)
        else:
            self.check(where, name, ours, theirs, abs(float(ours) - theirs) <= tolerance * max(1.0, abs(float(ours))))


def scope_of(inst: Installation, case: Case) -> tuple[set, str | None, str]:
    """(jurisdictions, unit, the calendar's jurisdiction) as the API reads `scope` and `include_sub`."""
    if "/" in case.scope:
        return {case.scope.split("/")[0]}, case.scope, case.scope.split("/")[0]
    codes = inst.subtree(case.scope) if case.include_sub else {case.scope}
    return codes, None, min(codes)


def compare_case(inst: Installation, snapshots: dict, now_ms: int, case: Case, get, cmp: Comparison):
    codes, unit, first = scope_of(inst, case)
    calendar = inst.calendars[first]
    start = calendar.start_of_day(case.from_day) if case.from_day else None
    stop = calendar.start_of_day(case.to_day + dt.timedelta(days=1)) if case.to_day else None
    at = now_ms
    if case.as_of:
        # As of a day: after everything that happened on it (its last millisecond), docs/monev.md.
        at = min(now_ms, calendar.start_of_day(case.as_of + dt.timedelta(days=1)) - 1)
    if at not in snapshots:
        snapshots[at] = oracle.snapshot(inst, at)
    summary, units = oracle.figures(inst, snapshots[at], codes, unit, start, stop)
    api = get("/api/v1/monev/summary", case.params())
    api_units = {row["unit"]: row for row in get("/api/v1/monev/units", case.params())}
    where = case.name()
    precision = max(api.get("median_precision_days") or 0, 1e-9)
    for f in COUNT_FIELDS:
        cmp.count(where, f, summary[f], api[f])
    for f in COUNTS_BY:
        cmp.count(where, f, summary[f], api[f])
    for f in RATE_FIELDS:
        cmp.rate(where, f, summary[f], api[f])
    for f in MEAN_FIELDS:
        cmp.close(where, f, summary[f], api[f], 1e-9)
    for f in MEDIAN_FIELDS:
        cmp.close(where, f, summary[f], api[f], precision)
    cmp.count(where, "units listed", sorted(units), sorted(api_units))
    for u in sorted(set(units) & set(api_units)):
        for f in UNIT_COUNTS:
            cmp.count(f"{where} unit {u}", f, units[u][f], api_units[u][f])
        for f in UNIT_RATES:
            cmp.rate(f"{where} unit {u}", f, units[u][f], api_units[u][f])
        for f in UNIT_FLOATS:
            cmp.close(f"{where} unit {u}", f, units[u][f], api_units[u][f], 1e-9)
    return summary


def standard_cases(inst: Installation, today: dt.date, units: list[str]) -> list[Case]:
    """The province, the province with its kabupaten/kota, each kabupaten/kota and the given units; for the year,
    a quarter, a month, a period that cuts months, all time, and as of past dates."""
    root = min(j for j, parent in inst.parents.items() if parent is None)
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    month = last_month_end.replace(day=1)
    quarter_first = dt.date(today.year, ((today.month - 1) // 3) * 3 + 1, 1)
    if quarter_first == today.replace(day=1):  # a quarter with some days behind it: the previous one
        quarter_first = dt.date(quarter_first.year - (quarter_first.month == 1), (quarter_first.month - 4) % 12 + 1, 1)
    quarter_last = (dt.date(quarter_first.year + (quarter_first.month == 10), (quarter_first.month + 2) % 12 + 1, 1)
                    - dt.timedelta(days=1))
    periods = [
        ("year", dt.date(today.year, 1, 1), dt.date(today.year, 12, 31), None),
        ("quarter", quarter_first, quarter_last, None),
        ("month", month, last_month_end, None),
        ("last 30 days", today - dt.timedelta(days=29), today, None),
        ("all time", None, None, None),
        (f"year as of {last_month_end}", dt.date(today.year, 1, 1), dt.date(today.year, 12, 31), last_month_end),
        (f"last 45 days as of {today - dt.timedelta(days=12)}", today - dt.timedelta(days=56), today - dt.timedelta(days=12),
         today - dt.timedelta(days=12)),
        (f"all time as of {month - dt.timedelta(days=20)}", None, None, month - dt.timedelta(days=20)),
    ]
    scopes = [(root, False), (root, True)] + [(j, False) for j in sorted(inst.parents) if j != root] + [(u, False) for u in units]
    return [Case(scope, sub, label, a, b, as_of) for scope, sub in scopes for label, a, b, as_of in periods]


def run(database: str, base: str, token: str, today: dt.date | None, units: list[str], before_ms=None, after_ms=None):
    """Compares every standard case; returns the Comparison. `before_ms`/`after_ms` bound the instant the server
    answered at (its "now"): the oracle evaluates at `before_ms`, and the caller checks no due falls in between."""
    inst = load(database)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"

    def get(path, params):
        r = session.get(base + path, params=params, timeout=120)
        r.raise_for_status()
        return r.json()

    now_ms = before_ms if before_ms is not None else int(dt.datetime.now(dt.timezone.utc).timestamp() * 1000)
    today = today or inst.calendars[min(inst.parents)].local_date(now_ms)
    cmp = Comparison()
    snapshots: dict = {}
    for case in standard_cases(inst, today, units):
        compare_case(inst, snapshots, now_ms, case, get, cmp)
    return cmp


def report(cmp: Comparison, limit: int = 60) -> str:
    lines = [f"{cmp.compared} figures compared, {len(cmp.differences)} differ"]
    for where, name, ours, theirs in cmp.differences[:limit]:
        lines.append(f"  {where}: {name}: oracle {ours}, Aduan {theirs}")
    if len(cmp.differences) > limit:
        lines.append(f"  … and {len(cmp.differences) - limit} more")
    return "\n".join(lines)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--base", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--today")
    ap.add_argument("--unit", action="append", default=[])
    args = ap.parse_args()
    result = run(args.db, args.base, args.token, dt.date.fromisoformat(args.today) if args.today else None, args.unit)
    print(report(result, limit=400))
    sys.exit(1 if result.differences else 0)
