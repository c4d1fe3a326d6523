"""Every officer form on the complaint page with a bad value (issue 19, fix 1), in a real browser, in both languages.

For each role and complaint state that carries forms, the test lists EVERY action form the page shows and needs a
recipe for each (a form without one fails the test, so a new form cannot slip by). A recipe types a bad value as an
officer would (where the browser's own checks would stop it, it lifts them first, as an old browser or a script
would), submits, and the test asserts:
- the page came back at the complaint page's own address (not /aksi/...), with the refused form still there;
- the message stands beside its field (inside the form, tied by aria-describedby), in the page's language: the
  catalogue's words for that language, never one of the core's English refusals, and on an Indonesian page no
  string of the English catalogue that differs from the Indonesian one;
- what was typed and chosen is still in the form;
- nothing was written (the complaint's event count did not change).
Then axe-core on the refused page and the 360 px layout.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from selenium.webdriver.support.ui import Select

from conftest import UNIT, Browser, catalogue, uid

CATALOGUES = {"id": catalogue("id"), "en": catalogue("en")}
# Words of the core's and use cases' English refusals (AduanCore/Lifecycle, UseCases): none may reach a page.
ENGLISH_REFUSAL = re.compile(r"\b(must be|needs a|needs `|is longer than|unknown (?:unit|jurisdiction|category)|cannot be|"
                             r"is not a|attachment .*:|not possible while|there is no pending|nothing to change)\b")
LONG = "x" * 20001


def say(lang: str, key: str, **values) -> str:
    text = CATALOGUES[lang][key]
    for name, value in values.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def case_path(tid: str) -> str:
    return f"/petugas/aduan/{tid}"


def set_value(b: Browser, css: str, value: str, form):
    """Types a value the way a script would, past the browser's own length and required checks."""
    field = b.find(css, within=form)
    b.driver.execute_script("arguments[0].removeAttribute('maxlength'); arguments[0].removeAttribute('minlength');"
                            "arguments[0].removeAttribute('required'); arguments[0].value = arguments[1];", field, value)


def type_into(b: Browser, css: str, value: str, form):
    field = b.find(css, within=form)
    field.clear()
    field.send_keys(value)


# Each recipe fills its form with a bad value and returns (field id whose message is expected, catalogue key and
# values of the message, [(css, expected value) kept]). `tag` makes typed values unique.
def verify(b, form, tag, ctx):
    Select(b.find("#verify-unit", within=form)).select_by_value(UNIT)
    Select(b.find("#verify-collab", within=form)).select_by_value(UNIT)       # the handling unit cannot also collaborate
    type_into(b, "#verify-text", f"Diteruskan ke Dinkes {tag}", form)
    return "verify-collab", ("ws_err_collaborating_units", {}), [("#verify-text", f"Diteruskan ke Dinkes {tag}"),
                                                                ("#verify-unit", UNIT), ("#verify-collab", UNIT)]


def request_info(b, form, tag, ctx):
    set_value(b, "#info-text", LONG, form)
    return "info-text", ("ws_err_too_long", {"length": "20.000"}), [("#info-text", LONG)]


def archive(b, form, tag, ctx):
    Select(b.find("#archive-reason", within=form)).select_by_value("lainnya")   # "other" needs an explanation
    return "archive-text", ("ws_err_archive_text", {}), [("#archive-reason", "lainnya")]


def merge(b, form, tag, ctx):
    type_into(b, "#merge-into", ctx["self"], form)                              # into itself
    type_into(b, "#merge-text", f"Sama dengan laporan lain {tag}", form)
    return "merge-into", ("ws_err_into", {}), [("#merge-into", ctx["self"]), ("#merge-text", f"Sama dengan laporan lain {tag}")]


def forward_jurisdiction(b, form, tag, ctx):
    select = b.find("#fwd-j", within=form)
    b.driver.execute_script("const o = document.createElement('option'); o.value = '99'; o.text = '99';"
                            "arguments[0].appendChild(o); arguments[0].value = '99';", select)
    type_into(b, "#fwd-j-text", f"Bukan wilayah kami {tag}", form)
    return "fwd-j", ("ws_err_jurisdiction", {}), [("#fwd-j-text", f"Bukan wilayah kami {tag}")]


def forward_external(b, form, tag, ctx):
    type_into(b, "#fwd-dest", "   ", form)                                     # blank after trimming
    type_into(b, "#fwd-ref", f"REF-{tag}", form)
    return "fwd-dest", ("ws_err_destination", {}), [("#fwd-ref", f"REF-{tag}")]


def set_privacy(b, form, tag, ctx):
    type_into(b, "#privacy-internal", f"Tidak jadi {tag}", form)               # nothing ticked: nothing changes
    return "privacy-anonymous", ("ws_err_anonymous", {}), [("#privacy-internal", f"Tidak jadi {tag}")]


def note(b, form, tag, ctx):
    set_value(b, "#note-text", LONG, form)
    return "note-text", ("ws_err_too_long", {"length": "20.000"}), [("#note-text", LONG)]


def with_fake_pdf(prefix):
    def recipe(b, form, tag, ctx):
        type_into(b, f"#{prefix}-text", f"Jawaban dinas {tag}", form)
        b.find(f"#{prefix}-files", within=form).send_keys(str(ctx["fake_pdf"]))
        return f"{prefix}-files", ("ws_err_attachments_type", {"file": ctx["fake_pdf"].name}), [(f"#{prefix}-text", f"Jawaban dinas {tag}")]
    return recipe


def return_(b, form, tag, ctx):
    set_value(b, "#return-reason", LONG, form)
    return "return-reason", ("ws_err_too_long", {"length": "20.000"}), [("#return-reason", LONG)]


def request_extension(b, form, tag, ctx):
    type_into(b, "#req-days", "9", form)                                       # the example: 9 days
    type_into(b, "#req-reason", f"Perlu survei lapangan {tag}", form)
    return "req-days", ("ws_err_days", {"max": 7}), [("#req-days", "9"), ("#req-reason", f"Perlu survei lapangan {tag}")]


def decide_extension(b, form, tag, ctx):
    b.driver.execute_script("for (const r of arguments[0].querySelectorAll('input[name=approve]')) r.removeAttribute('required');", form)
    type_into(b, "#ext-internal", f"Belum diputuskan {tag}", form)             # neither approve nor refuse
    return "ext-approve", ("ws_err_approve", {}), [("#ext-internal", f"Belum diputuskan {tag}")]


def warn(b, form, tag, ctx):
    set_value(b, "#warn-text", "pendek", form)                                 # under 10 characters
    return "warn-text", ("warnings_error_text", {}), [("#warn-text", "pendek")]


def flag_supervision(b, form, tag, ctx):
    set_value(b, "#flag-internal", LONG, form)
    return "flag-internal", ("ws_err_too_long", {"length": "20.000"}), [("#flag-internal", LONG)]


def assign(b, form, tag, ctx):
    set_value(b, "#assign-internal", LONG, form)                              # "Saya tangani" with a note over the limit
    return "assign-internal", ("ws_err_too_long", {"length": "20.000"}), [("#assign-internal", LONG)]


def release(b, form, tag, ctx):
    set_value(b, "#release-internal", LONG, form)
    return "release-internal", ("ws_err_too_long", {"length": "20.000"}), [("#release-internal", LONG)]


RECIPES = {
    "form-verify": verify, "form-request_info": request_info, "form-archive": archive, "form-merge": merge,
    "form-forward_jurisdiction": forward_jurisdiction, "form-forward_external": forward_external,
    "form-set_privacy": set_privacy, "form-note": note, "form-follow_up": with_fake_pdf("follow"),
    "form-respond_final": with_fake_pdf("final"), "form-return": return_, "form-request_extension": request_extension,
    "form-decide_extension": decide_extension, "form-warn": warn, "form-flag_supervision": flag_supervision,
    "form-assign": assign, "form-release": release,
}


@pytest.fixture(scope="module")
def cases(officers) -> dict:
    """A complaint in each state whose page carries forms, for the role that sees them."""
    tag = uid()
    new = officers.submit_api(title=f"Drainase tersumbat {tag}", target_unit=UNIT, category="kesehatan")["tracking_id"]
    unit = officers.submit_api(title=f"Obat habis {tag}", target_unit=UNIT, category="kesehatan")["tracking_id"]
    officers.act(unit, "verify", "koord", unit=UNIT)
    asked = officers.submit_api(title=f"Antrean panjang {tag}", target_unit=UNIT, category="kesehatan")["tracking_id"]
    officers.act(asked, "verify", "koord", unit=UNIT)
    officers.act(asked, "request_extension", "dinkes", days=3, internal_text="Menunggu hasil laboratorium")
    return {"new": new, "unit": unit, "extension": asked}


@pytest.fixture(scope="module")
def fake_pdf(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("palsu") / "palsu.pdf"
    path.write_bytes(b"Ini bukan PDF, hanya teks yang diberi nama .pdf")
    return path


SCENES = [("koord", "new"), ("koord", "extension"), ("dinkes", "unit"), ("irprov", "unit")]


def event_count(officers, tid: str) -> int:
    return officers.events(tid).count('"seq"')


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("role,scene", SCENES)
def test_every_officer_form_refuses_in_the_page_language_keeping_input(person, officers, cases, fake_pdf, role, scene, lang):
    b = person(role)
    b.go(f"/bahasa/{lang}?next=/petugas")
    tid = cases[scene]
    b.go(case_path(tid))
    forms = [f.get_attribute("id") for f in b.finds("article.case form.action")]
    assert forms, f"{role} sees no action form on {tid} ({scene})"
    unknown = [f for f in forms if f not in RECIPES]
    assert not unknown, f"forms without a bad-value recipe (add one): {unknown}"
    other = "en" if lang == "id" else "id"
    foreign = {v for k, v in CATALOGUES[other].items() if len(v) > 12 and v != CATALOGUES[lang].get(k)}
    walked = []
    for form_id in forms:
        tag = uid()
        b.go(case_path(tid))
        assert len(b.finds("details.action-item[open]")) <= 1, f"{role}: more than one action form stands open"
        form = b.find(f"form#{form_id}")
        details = b.driver.execute_script("return arguments[0].closest('details')", form)
        if details.get_attribute("open") is None:
            b.click(details.find_element("css selector", "summary"))      # the action's name in the list opens its form
        before = event_count(officers, tid)
        field_id, (key, values), kept = RECIPES[form_id](b, form, tag, {"fake_pdf": fake_pdf, "self": tid})
        b.submit_form(form)
        where = f"{role} · {scene} · {form_id} · {lang}"
        assert b.path == case_path(tid) or (form_id == "form-warn" and b.path == "/petugas/teguran"), \
            f"{where}: the refused form should come back at {case_path(tid)}, not {b.url}"
        assert b.lang() == lang, f"{where}: the page's language is {b.lang()!r}"
        assert b.has(f"form#{form_id}"), f"{where}: the refused form is gone:\n{b.text()[:1200]}"
        form = b.find(f"form#{form_id}")
        assert b.driver.execute_script("return arguments[0].closest('details').open", form), f"{where}: the refused form is closed"
        messages = b.finds(f"#{field_id}-error", within=form)
        assert messages, f"{where}: no message beside #{field_id}; the page says:\n{b.alert()}\n{b.text()[:1500]}"
        message = messages[0].text.strip()
        assert message == say(lang, key, **values), f"{where}: the message is {message!r}, not {say(lang, key, **values)!r}"
        described = b.find(f"#{field_id}", within=form).get_attribute("aria-describedby") or \
            b.find(f"#{field_id}", within=form).find_element("xpath", "..").get_attribute("aria-describedby") or ""
        assert f"{field_id}-error" in described, f"{where}: #{field_id} is not described by its message ({described!r})"
        page = b.text()
        if lang == "id":
            english = ENGLISH_REFUSAL.search(page)
            assert not english, f"{where}: a core refusal in English reached the page: {english.group(0)!r}"
            leaked = [s for s in foreign if s in page]
            assert not leaked, f"{where}: English on an Indonesian page: {leaked[:3]}"
        for css, expected in kept:
            field = b.find(css, within=form)
            if field.tag_name == "select" and field.get_attribute("multiple"):
                got = [o.get_attribute("value") for o in Select(field).all_selected_options]
                assert expected in got, f"{where}: {css} lost its choice {expected!r} (now {got})"
            else:
                got = field.get_attribute("value")
                assert got == expected, f"{where}: {css} should keep {expected[:40]!r}, has {got[:40]!r}"
        assert event_count(officers, tid) == before, f"{where}: a refused form wrote to the complaint"
        if form_id == forms[0]:
            b.axe(f"refused {form_id} ({lang})")
            b.resize("phone")
            b.layout_at_phone(f"refused {form_id} ({lang}) at 360 px")
            b.resize("desktop")
        walked.append(form_id)
    assert walked == forms
