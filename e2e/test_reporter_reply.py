"""The reporter's reply to a request for information (issue 19, fix 3), in a real browser, in both languages.

The officer asks for a photo; the reporter, through the secret link, sees the officer's question above the reply box,
attaches a photo and sends; the page says the reply was received (in the page's language), the officers' API lists
the photo, and a file that is not an image is refused by name with the typed words kept. axe and 360 px included.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import UNIT, Browser, catalogue, uid

CATALOGUES = {"id": catalogue("id"), "en": catalogue("en")}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_reporter_replies_with_a_photo_and_is_told_it_arrived(person, officers, images, tmp_path, lang):
    T = CATALOGUES[lang]
    tag = uid()
    sub = officers.submit_api(title=f"Genangan di depan sekolah {tag}", target_unit=UNIT, category="kesehatan")
    tid = sub["tracking_id"]
    question = f"Mohon kirim foto genangannya {tag}"
    officers.act(tid, "request_info", "koord", text=question)

    b: Browser = person(kind="phone")
    b.go(f"/bahasa/{lang}?next=/")
    b.go(f"/t/{tid}?s={sub['secret']}")
    b.wait_for(lambda: b.path == f"/t/{tid}", "the private view after the secret link")
    form = b.find("form#reply-form")
    # The question sits inside the reply form, before the box, labelled as the officer's question.
    asked = b.find("#reply-question", within=form)
    assert question in asked.text and T["tracking_question_label"] in asked.text, f"the question above the reply box reads {asked.text!r}"
    box = b.find("#reply-text", within=form)
    assert b.driver.execute_script("return arguments[0].compareDocumentPosition(arguments[1]) & 4", asked, box), \
        "the officer's question is not above the reply box"
    assert "reply-question" in (box.get_attribute("aria-describedby") or "")
    b.layout_at_phone(f"reply form ({lang}) at 360 px")
    b.axe(f"reply form ({lang})")

    # A file that is not an image: refused by name, the words kept, nothing sent.
    waiting = officers.complaint(tid)["state"]
    fake = tmp_path / "foto-palsu.jpg"
    fake.write_bytes(b"ini bukan gambar")
    words = f"Ini fotonya, diambil pagi tadi {tag}"
    box.send_keys(words)
    b.find("#reply-files", within=form).send_keys(str(fake))
    b.submit_form(form)
    assert b.path == f"/t/{tid}", f"a refused reply should stay on the tracking page, got {b.url}"
    expected = T["ws_err_attachments_type"].replace("{file}", fake.name)
    assert expected in b.alert(), f"the refusal does not name the file in {lang}: {b.alert()!r}"
    form = b.find("form#reply-form")
    assert b.find("#reply-text", within=form).get_attribute("value") == words, "the typed reply was lost"
    assert officers.complaint(tid)["state"] == waiting, "a refused reply changed the complaint"

    # The photo: accepted, the confirmation in the page's language, the officers see the file.
    before = len(officers.complaint(tid).get("attachments") or [])
    b.find("#reply-files", within=form).send_keys(str(images[0]))
    b.submit_form(form)
    assert b.notice() == T["tracking_done_balas"], f"after replying the page says {b.notice()!r}"
    assert (b.finds("form#reply-form") or [None])[0] is None, "the reply form is still offered after replying"
    stored = officers.complaint(tid)
    assert len(stored.get("attachments") or []) == before + 1, f"the reply's photo is not stored: {stored.get('attachments')}"
    assert words in officers.events(tid)
    b.axe(f"reply sent ({lang})")
