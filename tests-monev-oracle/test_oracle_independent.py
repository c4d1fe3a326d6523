"""The oracle stays an independent reading of SPEC §8: it imports nothing but the standard library (and its own
modules), names none of the engine's types, reads no Swift source, runs no `aduan` command, and reads only the
event log and the installation's calendar, organisation and settings. And it agrees with the SPEC's own examples.
"""
from __future__ import annotations

import ast
import datetime as dt
import json
import sqlite3
import sys
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ORACLE_MODULES = ["oracle.py", "workdays.py", "installation.py"]
STDLIB = {"__future__", "ast", "csv", "dataclasses", "datetime", "fractions", "io", "json", "sqlite3", "subprocess", "zoneinfo", "typing"}
OWN = {"oracle", "workdays", "installation"}
# The engine's names: the oracle must not follow its shape, let alone its code.
ENGINE_NAMES = ["Tally", "MetricEngine", "AsOf", "StageFacts", "ComplaintFacts", "MonevTally", "MonevQuery", "TallySums",
                "MedianLocation", "WorkingCalendar", "dispositionKey", "monev_tally", "monev_changes", "monev_durations"]


@pytest.mark.parametrize("module", ORACLE_MODULES)
def test_imports_only_the_standard_library(module):
    tree = ast.parse((HERE / module).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name.split(".")[0] for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [(node.module or "").split(".")[0]]
        for name in names:
            assert name in STDLIB | OWN, f"{module} imports {name}"


@pytest.mark.parametrize("module", ORACLE_MODULES)
def test_names_nothing_of_the_engine(module):
    text = (HERE / module).read_text(encoding="utf-8")
    tree = ast.parse(text)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Name, ast.Attribute)):
            ident = node.id if isinstance(node, ast.Name) else node.attr
            assert ident not in ENGINE_NAMES, f"{module} uses {ident}"
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and not _is_docstring(tree, node):
            words = set(node.value.replace("(", " ").replace(")", " ").replace(",", " ").split())
            assert not words & set(ENGINE_NAMES), f"{module} refers to {words & set(ENGINE_NAMES)}"
            for forbidden in ["Sources/", ".swift", ".build", "AduanCore"]:
                assert forbidden not in node.value, f"{module} mentions {forbidden}"


def _is_docstring(tree, node) -> bool:
    for parent in ast.walk(tree):
        body = getattr(parent, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and body[0].value is node:
            return True
    return False


def test_reads_only_the_event_log_and_the_calendar():
    import installation
    tables = set()
    for sql in installation.QUERIES.values():
        words = sql.replace(",", " ").split()
        tables.add(words[words.index("FROM") + 1])
    assert tables == {"events", "jurisdictions", "holidays", "units", "settings"}


def tiny_installation(path: Path, events: list[dict]) -> None:
    """An installation with Kalsel's calendar (WITA, Monday-Friday, the SPEC §5 holidays) and the given events."""
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE events (complaint_id INTEGER, seq INTEGER, at REAL, action TEXT, to_state TEXT, unit_id TEXT,
                             jurisdiction_code TEXT, data TEXT);
        CREATE TABLE jurisdictions (code TEXT, parent_code TEXT, time_zone TEXT, working_weekdays TEXT);
        CREATE TABLE holidays (jurisdiction_code TEXT, date TEXT);
        CREATE TABLE units (id TEXT, jurisdiction_code TEXT, kind TEXT, active INTEGER);
        CREATE TABLE settings (key TEXT, value TEXT);
        INSERT INTO jurisdictions VALUES ('63', NULL, 'Asia/Makassar', '1,2,3,4,5'), ('63.71', '63', 'Asia/Makassar', '1,2,3,4,5');
        INSERT INTO units VALUES ('63/dinkes', '63', 'agency', 1), ('63/diskominfo', '63', 'coordinator', 1);
    """)
    for d in ["2026-03-18", "2026-03-19", "2026-03-20", "2026-03-23", "2026-03-24"]:
        db.execute("INSERT INTO holidays VALUES (NULL, ?)", (d,))
    for e in events:
        db.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   (e["c"], e["seq"], e["at"], e["action"], e["to"], e.get("unit"), e.get("j", "63"), json.dumps(e.get("data", {}))))
    db.commit()
    db.close()


def wita(text: str) -> float:
    return dt.datetime.fromisoformat(text + "+08:00").timestamp()


def test_the_spec_examples_and_no_engine_file_is_touched():
    """SPEC §5's example (submitted Friday 13 March 2026 15:00 WITA, 3 HK over the 18-24 March holidays → due
    25 March 23:59:59 WITA) and a double count the engine once made (a returned complaint is dispositioned once),
    computed while an audit hook fails on any file of the Swift engine opened and any program run but psql."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tiny.sqlite"
        tiny_installation(path, [
            {"c": 1, "seq": 1, "at": wita("2026-03-13T15:00:00"), "action": "submit", "to": "baru", "data": {"type": "pengaduan", "channel": "web"}},
            {"c": 1, "seq": 2, "at": wita("2026-03-16T10:00:00"), "action": "verify", "to": "didisposisikan", "unit": "63/dinkes",
             "data": {"unit": "63/dinkes", "resolution_class": "sederhana"}},
            {"c": 1, "seq": 3, "at": wita("2026-03-17T10:00:00"), "action": "return", "to": "baru", "unit": "63/dinkes"},
            {"c": 1, "seq": 4, "at": wita("2026-03-26T10:00:00"), "action": "archive", "to": "diarsipkan", "data": {"reason": "spam"}},
        ])
        repo = HERE.parent.resolve()
        touched: list[str] = []

        def audit(event, args):
            if event == "open" and args and isinstance(args[0], (str, bytes, Path)):
                p = str(args[0])
                if any(part in p for part in ["/Sources/", "/Tests/", "/.build/"]) or p.endswith(".swift"):
                    touched.append(p)
            if event == "subprocess.Popen" and args and "psql" not in str(args[0]):
                touched.append(f"ran {args[0]}")

        sys.addaudithook(audit)
        for name in OWN:  # imported afresh under the hook
            sys.modules.pop(name, None)
        import oracle
        from installation import load
        from workdays import WorkCalendar

        inst = load(str(path))
        calendar = inst.calendars["63"]
        assert calendar.due(int(wita("2026-03-13T15:00:00") * 1000), 3) == int(wita("2026-03-25T23:59:59") * 1000)
        # 1.5 working days: Monday 12:00 to Tuesday 24:00.
        assert WorkCalendar("Asia/Makassar", {1, 2, 3, 4, 5}, set()).elapsed_working_days(
            int(wita("2026-03-02T12:00:00") * 1000), int(wita("2026-03-04T00:00:00") * 1000)) == 1.5
        snap = oracle.snapshot(inst, int(wita("2026-04-30T00:00:00") * 1000))
        summary, units = oracle.figures(inst, snap, {"63"}, None, None, None)
        assert summary["received"] == 1 and summary["dispositioned"] == 1 and summary["archived_by_reason"] == {"spam": 1}
        assert summary["followed_up_rate"] == 0 and summary["completion_rate"] == 0
        # Verification: due 18 March … no: submitted 13 March, due 25 March (holidays), ended 16 March: on time. The
        # second one started at the return on 17 March, due 3 working days later (25, 26, 27 March), ended 26 March.
        assert summary["verification_on_time_rate"] == 1
        # The response stage ended at the return, within its 5 working days: on time; the unit holds nothing now.
        assert summary["response_on_time_rate"] == 1 and units["63/dinkes"]["dispositioned"] == 0
        assert repo.exists() and not touched, touched
