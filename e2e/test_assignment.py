"""Assignment within a unit (issue 19), in a real browser: a liaison takes a complaint ("Saya tangani"), the unit
head gives it to a named officer, the queue says who has it and filters "milik saya"; both languages, axe-clean,
usable at 360 px. The expected words are the issue's and the catalogue's; who has the complaint is checked against
the complaint's event log read through the API, not against the page that shows it.
"""
from __future__ import annotations

import json

from selenium.webdriver.support.ui import Select

from conftest import UNIT, catalogue, uid

ID, EN = catalogue("id"), catalogue("en")


def assignments(officers, tid: str) -> list:
    """The assign/release events of the complaint, from the officer API's event list."""
    events = json.loads(officers.events(tid))
    events = events.get("events", events) if isinstance(events, dict) else events
    return [(e["action"], (e.get("data") or {}).get("assignee")) for e in events if e["action"] in ("assign", "release")]


def open_action(b, form_id: str):
    form = b.find(f"form#{form_id}")
    details = b.driver.execute_script("return arguments[0].closest('details')", form)
    if details.get_attribute("open") is None:
        b.click(details.find_element("css selector", "summary"))
    return form


def test_liaison_takes_head_reassigns_queue_filters(person, officers):
    tag = uid()
    tid = officers.submit_api(title=f"Obat kosong di puskesmas {tag}", target_unit=UNIT, category="kesehatan")["tracking_id"]
    officers.act(tid, "verify", "koord", unit=UNIT)

    # The liaison takes it from the complaint page, in Indonesian.
    b = person("dinkes")
    b.go("/bahasa/id?next=/petugas")
    b.go(f"/petugas/aduan/{tid}")
    assert ID["ws_assignee_none"] in b.text()
    form = open_action(b, "form-assign")
    assert ID["ws_take"] in form.text
    b.axe("complaint page with the take form (id)")
    b.resize("phone")
    b.layout_at_phone("complaint page with the take form at 360 px")
    b.resize("desktop")
    b.submit_form(form)
    assert b.path == f"/petugas/aduan/{tid}"
    assert ID["ws_done_assign"] in b.notice()
    assert assignments(officers, tid) == [("assign", "dinkes")]
    assert f"{ID['ws_assignee']}" in b.text() and b.find("#assignee").text.strip() == "dinkes"

    # The queue says who has it; "Milik saya" keeps it for dinkes.
    b.go("/petugas?milik=saya")
    assert tid in b.html() or tid[:4] in b.text()
    assert f"{ID['ws_assignee']}: dinkes" in b.text()
    b.axe("queue filtered to milik saya")
    b.resize("phone")
    b.layout_at_phone("queue filtered to milik saya at 360 px")
    b.resize("desktop")

    # The unit head, reading English, gives it to another liaison of the unit.
    head = person("kadinkes")
    head.go("/bahasa/en?next=/petugas")
    head.go(f"/petugas/aduan/{tid}")
    form = open_action(head, "form-assign")
    options = [o.get_attribute("value") for o in Select(head.find("#assign-who", within=form)).options]
    assert "dinkes2fa" in options and "pupr" not in options and "dinkes" not in options
    head.axe("complaint page with the assign form (en)")
    Select(head.find("#assign-who", within=form)).select_by_value("dinkes2fa")
    head.submit_form(form)
    assert EN["ws_done_assign"] in head.notice()
    assert assignments(officers, tid) == [("assign", "dinkes"), ("assign", "dinkes2fa")]

    # dinkes no longer has it: the filter leaves it out, and the release form is no longer offered to them.
    b.go("/petugas?milik=saya")
    assert tid not in b.html()
    b.go(f"/petugas/aduan/{tid}")
    assert not b.has("form#form-release")

    # The head releases it; the page says nobody has it.
    head.go(f"/petugas/aduan/{tid}")
    form = open_action(head, "form-release")
    head.submit_form(form)
    assert EN["ws_done_release"] in head.notice()
    assert assignments(officers, tid)[-1] == ("release", None)
    assert EN["ws_assignee_none"] in head.text()
