"""The monev figures of SPEC §8, read off the event log: a second implementation, deliberately simple, written from
the SPEC's words and the readings in docs/monev.md, sharing nothing with the Swift engine.

Each complaint's events are replayed up to the instant of evaluation. The replay yields the complaint as it stood
then (state, jurisdiction, the unit holding its latest disposition …) and its stages (verification, response,
resolution) with their start, due and end. The figures are then counted over the complaints submitted in the
period within the scope, as the SPEC's table says, with exact fractions for rates and the exact median.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction

from installation import Installation

FOLLOWED_UP = {"diproses", "ditanggapi", "selesai"}
# Decisions of the coordinator that end a verification stage (SPEC §8; `redispose` is the decision after a return).
ENDS_VERIFICATION = {"verify", "redispose", "request_info", "archive", "merge", "forward_jurisdiction", "forward_external"}
DISPOSITIONS = {"verify", "redispose"}
STAGE_KINDS = ("verification", "response", "resolution")


@dataclass
class Stage:
    kind: str
    jurisdiction: str  # the jurisdiction whose coordinator held it (verification) or the unit's
    unit: str | None
    start: int
    due: int
    end: int | None = None
    due_at_end: int | None = None
    days: float | None = None  # elapsed working days, once ended


@dataclass
class Complaint:
    id: int
    submitted: int
    type: str
    channel: str
    category: str | None
    state: str
    jurisdiction: str
    unit: str | None  # the unit holding the latest disposition; none after a return
    dispositioned_in: set = field(default_factory=set)  # jurisdictions of the units it reached
    disputed: bool = False
    final_answer: bool = False
    rating: int | None = None
    archive_reason: str | None = None
    stages: list = field(default_factory=list)


def parse_instant(text: str) -> int:
    return int(dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def replay(inst: Installation, events: list, until: int) -> Complaint | None:
    """The complaint as it stood at `until` (ms), or None if it was not yet in the installation."""
    log = [e for e in events if e.at <= until]
    if not log or log[0].action != "submit":
        return None
    first = log[0]
    policy = inst.policy
    submitted = parse_instant(first.data["lapor_submitted_at"]) if "lapor_submitted_at" in first.data else first.at
    c = Complaint(first.complaint, submitted, first.data.get("type", "pengaduan"), first.data.get("channel", "web"),
                  first.data.get("category") or None, first.to_state, first.jurisdiction, None)
    open_: dict[str, Stage] = {}
    resolution_class = None
    supervision = False
    extension_days = 0

    def start(kind, jurisdiction, unit, at, days):
        open_[kind] = Stage(kind, jurisdiction, unit, at, inst.calendars[jurisdiction].due(at, days))
        c.stages.append(open_[kind])

    def end(kind, at):
        s = open_.pop(kind, None)
        if s:
            s.end, s.due_at_end = at, s.due
            s.days = inst.calendars[s.jurisdiction].elapsed_working_days(s.start, at)

    def class_days():
        return policy["resolutionDays"]["berkadar_pengawasan" if supervision else resolution_class]

    def reschedule_resolution():
        s = open_.get("resolution")
        if s:
            s.due = inst.calendars[s.jurisdiction].due(s.start, class_days() + extension_days)

    for e in log:
        a = e.action
        if a in ENDS_VERIFICATION:
            end("verification", e.at)
        if a in ("follow_up", "respond_final", "return"):
            end("response", e.at)
        if a in ("respond_final", "return"):
            end("resolution", e.at)
        if a == "merge":  # the duplicate's open stages all end with it
            end("response", e.at)
            end("resolution", e.at)

        if a in DISPOSITIONS:
            unit = e.data["unit"]
            c.unit = unit
            c.dispositioned_in.add(unit.split("/")[0])
            c.category = e.data.get("category", c.category)
            resolution_class = e.data["resolution_class"]
            extension_days = 0
            start("response", e.jurisdiction, unit, e.at, policy["responseDays"])
            start("resolution", e.jurisdiction, unit, e.at, class_days())
        elif a == "return":
            c.unit = None
        elif a == "dispute":
            c.disputed = True
            start("resolution", e.jurisdiction, c.unit, e.at, class_days() + extension_days)
        elif a == "respond_final":
            c.final_answer = True
        elif a == "feedback":
            c.rating = int(e.data["rating"])
        elif a == "decide_extension" and e.data.get("approve") == "true":
            extension_days = int(e.data["days"])
            reschedule_resolution()
        elif a == "flag_supervision":
            supervision = True
            reschedule_resolution()
        elif a in ("archive", "auto_archive", "merge"):
            c.archive_reason = e.data.get("reason")
        elif a == "submit" and e.to_state == "diarsipkan":  # a LAPOR import archived there, with LAPOR's reason mapped
            c.archive_reason = e.data.get("reason")
        # Entering `baru` (submission, reply, return, arrival from another jurisdiction) starts a verification stage.
        if e.to_state == "baru" and (a in ("submit", "reply", "return", "forward_jurisdiction")):
            start("verification", e.jurisdiction, None, e.at, policy["verificationDays"])
        c.state = e.to_state
        c.jurisdiction = e.jurisdiction
    if c.state == "diarsipkan" and c.archive_reason is None:
        c.archive_reason = "lainnya"  # an archive without a recorded reason (a LAPOR import) is "lainnya"
    if c.state != "diarsipkan":
        c.archive_reason = None
    return c


@dataclass
class Snapshot:
    """Every complaint as it stood at one instant."""
    at: int
    complaints: list


def snapshot(inst: Installation, at: int) -> Snapshot:
    out = []
    for events in inst.events.values():
        c = replay(inst, events, at)
        if c:
            out.append(c)
    return Snapshot(at, out)


def _ratio(part: int, whole: int):
    return None if whole == 0 else Fraction(part, whole)


def _median(values: list):
    if not values:
        return None
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def _mean(values: list):
    return None if not values else sum(values) / len(values)


def _stage_belongs(s: Stage, jurisdictions: set, unit: str | None) -> bool:
    if unit is not None:
        return s.unit == unit
    return s.jurisdiction in jurisdictions


def figures(inst: Installation, snap: Snapshot, jurisdictions: set, unit: str | None, start: int | None, stop: int | None):
    """(summary, units) for complaints submitted in [start, stop) within the scope, as of the snapshot's instant.
    Rates are Fractions (or None); durations floats (or None)."""
    now = snap.at
    in_period = [c for c in snap.complaints if (start is None or c.submitted >= start) and (stop is None or c.submitted < stop)]
    mine = [c for c in in_period if c.jurisdiction in jurisdictions and (unit is None or c.unit == unit)]
    stages = [s for c in in_period for s in c.stages if _stage_belongs(s, jurisdictions, unit)]

    def count_by(key):
        out: dict[str, int] = {}
        for c in mine:
            k = key(c)
            out[k] = out.get(k, 0) + 1
        return out

    dispositioned = [c for c in mine if c.dispositioned_in & jurisdictions]
    s: dict = {
        "received": len(mine),
        "by_type": count_by(lambda c: c.type),
        "by_channel": count_by(lambda c: c.channel),
        "by_category": count_by(lambda c: c.category or "none"),
        "by_state": count_by(lambda c: c.state),
        "archived": sum(1 for c in mine if c.state == "diarsipkan"),
        "archived_by_reason": {},
        "forwarded_out": sum(1 for c in mine if c.state == "diteruskan"),
        "dispositioned": len(dispositioned),
        "followed_up_rate": _ratio(sum(1 for c in dispositioned if c.state in FOLLOWED_UP), len(dispositioned)),
        "completion_rate": _ratio(sum(1 for c in dispositioned if c.state == "selesai"), len(dispositioned)),
    }
    for c in mine:
        if c.state == "diarsipkan":
            s["archived_by_reason"][c.archive_reason] = s["archived_by_reason"].get(c.archive_reason, 0) + 1
    overdue = 0
    for kind in STAGE_KINDS:
        of_kind = [x for x in stages if x.kind == kind]
        ended = [x for x in of_kind if x.end is not None]
        past_due = [x for x in of_kind if x.end is None and now > x.due]
        overdue += len(past_due)
        on_time = [x for x in ended if x.end <= x.due_at_end]
        s[f"{kind}_on_time_rate"] = _ratio(len(on_time), len(ended) + len(past_due))
        days = [x.days for x in ended]
        s[f"{kind}_days_median"] = _median(days)
        s[f"{kind}_days_mean"] = _mean(days)
    ratings = [c.rating for c in mine if c.rating is not None]
    s["satisfaction_mean"] = None if not ratings else Fraction(sum(ratings), len(ratings))
    selesai = [c for c in mine if c.state == "selesai"]
    s["rated_share"] = _ratio(sum(1 for c in selesai if c.rating is not None), len(selesai))
    s["reopen_rate"] = _ratio(sum(1 for c in mine if c.disputed), sum(1 for c in mine if c.final_answer))
    s["overdue_now"] = overdue

    # The ranking of units: a unit's complaint-level figures from the complaints whose latest disposition it holds,
    # its stage figures from its own stages.
    if unit is not None:
        unit_ids = {unit}
    else:
        unit_ids = {c.unit for c in mine if c.unit} | {x.unit for x in stages if x.unit}
        for j in jurisdictions:
            unit_ids |= set(inst.handling_units.get(j, []))
    w = inst.weights
    units = {}
    for u in unit_ids:
        held = [c for c in mine if c.unit == u]
        responses = [x for x in stages if x.unit == u and x.kind == "response"]
        ended = [x for x in responses if x.end is not None]
        past_due = [x for x in responses if x.end is None and now > x.due]
        rated = [c.rating for c in held if c.rating is not None]
        row = {
            "dispositioned": len(held),
            "followed_up_rate": _ratio(sum(1 for c in held if c.state in FOLLOWED_UP), len(held)),
            "completion_rate": _ratio(sum(1 for c in held if c.state == "selesai"), len(held)),
            "response_on_time_rate": _ratio(sum(1 for x in ended if x.end <= x.due_at_end), len(ended) + len(past_due)),
            "response_days_mean": _mean([x.days for x in ended]),
            "satisfaction_mean": None if not rated else Fraction(sum(rated), len(rated)),
            "overdue_now": sum(1 for x in stages if x.unit == u and x.end is None and now > x.due),
        }
        # 100 × (w.response × response on time + w.completion × completion + w.satisfaction × (satisfaction − 1) ÷ 4);
        # none for a unit with no dispositioned complaint; a part that could not be measured counts as 0.
        if held:
            sat = (row["satisfaction_mean"] - 1) / 4 if row["satisfaction_mean"] is not None else 0
            row["compliance_score"] = 100 * (w["response"] * float(row["response_on_time_rate"] or 0)
                                             + w["completion"] * float(row["completion_rate"] or 0)
                                             + w["satisfaction"] * float(sat))
        else:
            row["compliance_score"] = None
        units[u] = row
    return s, units
