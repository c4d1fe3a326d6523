"""API keys, service definition attributes and tokens (issue 8; docs/open311.md, docs/interop.md).

Attributes are created the way an administrator does it — through the sysadmin's category pages — on a category
other than the one the rest of the suite posts to. Keys: `ci` (submit, read-public, unlimited), `limited`
(read-public, 3 a minute) and `scoped` (read-scope on 63/dinkes, no read-public).
"""
from __future__ import annotations

import pytest

from conftest import V2, form_token, uid
from test_open311 import FORMATS, as_list, check_error, get_json, get_xml, jsn, valid, xml

requests = pytest.importorskip("requests")

STR = {"type": "string"}
TOKENS = {
    "type": "array", "minItems": 1, "maxItems": 1,
    "items": {"type": "object", "required": ["service_request_id", "token"], "additionalProperties": False,
              "properties": {"service_request_id": STR, "token": STR}},
}
ATTRIBUTE = {
    "type": "object",
    "required": ["variable", "code", "datatype", "required", "datatype_description", "order", "description", "values"],
    "properties": {
        "variable": {"type": "boolean"}, "code": STR,
        "datatype": {"enum": ["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]},
        "required": {"type": "boolean"}, "datatype_description": {"type": ["string", "null"]}, "order": {"type": "integer"},
        "description": STR,
        "values": {"type": "array", "items": {"type": "object", "required": ["key", "name"], "properties": {"key": STR, "name": STR}}},
    },
}
DEFINITION = {"type": "object", "required": ["service_code", "attributes"],
              "properties": {"service_code": STR, "attributes": {"type": "array", "items": ATTRIBUTE}}}


@pytest.fixture(scope="module")
def attributed(server) -> str:
    """A category (not the suite's default service) with a required list, an optional number and a multi-value list."""
    codes = [s["service_code"] for s in get_json(server, f"{V2}/services.json")]
    code = next(c for c in reversed(codes) if c != server.service_code)
    s = server.admin_session()
    path = f"/petugas/admin/kategori/{code}/atribut"
    for form in (
        {"code": "kerusakan", "datatype": "singlevaluelist", "variable": "1", "required": "1", "description": "Tingkat kerusakan",
         "order": "1", "values": "ringan=Rusak ringan\nberat=Rusak berat"},
        {"code": "lebar", "datatype": "number", "variable": "1", "description": "Lebar (m)", "order": "2", "datatype_description": "meter"},
        {"code": "fasilitas", "datatype": "multivaluelist", "variable": "1", "description": "Fasilitas terdampak", "order": "3",
         "values": "lampu=Lampu\ntrotoar=Trotoar"},
    ):
        r = s.post(server.url(path), data={**form, "_csrf": form_token(s, path, server)}, allow_redirects=False, timeout=30)
        assert r.status_code == 303, f"saving attribute {form['code']}: {r.status_code} {r.text[:500]}"
    return code


# ------------------------------------------------------------------------------------------------
# attributes


def test_services_metadata(server, attributed):
    services = {s["service_code"]: s for s in get_json(server, f"{V2}/services.json")}
    assert services[attributed]["metadata"] is True
    assert services[server.service_code]["metadata"] is False
    x = {s["service_code"]: s for s in as_list(get_xml(server, f"{V2}/services.xml", "services").get("service"))}
    assert x[attributed]["metadata"] == "true" and x[server.service_code]["metadata"] == "false"


def test_service_definition_json(server, attributed):
    body = get_json(server, f"{V2}/services/{attributed}.json")
    valid(body, DEFINITION, "service definition with attributes")
    attrs = body["attributes"]
    assert [a["code"] for a in attrs] == ["kerusakan", "lebar", "fasilitas"]
    assert [a["order"] for a in attrs] == [1, 2, 3]
    assert attrs[0]["required"] is True and attrs[0]["datatype"] == "singlevaluelist"
    assert attrs[0]["values"] == [{"key": "ringan", "name": "Rusak ringan"}, {"key": "berat", "name": "Rusak berat"}]
    assert attrs[1]["datatype_description"] == "meter" and attrs[1]["values"] == []


def test_service_definition_xml(server, attributed):
    d = get_xml(server, f"{V2}/services/{attributed}.xml", "service_definition")
    assert d["service_code"] == attributed
    attrs = as_list(d["attributes"]["attribute"])
    assert [a["code"] for a in attrs] == ["kerusakan", "lebar", "fasilitas"]
    for a in attrs:
        assert set(ATTRIBUTE["required"]) <= set(a), f"<attribute> lacks {set(ATTRIBUTE['required']) - set(a)}"
    assert attrs[0]["required"] == "true" and attrs[0]["variable"] == "true"
    assert [v["key"] for v in as_list(attrs[0]["values"]["value"])] == ["ringan", "berat"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_attribute_answers_are_checked(server, attributed, fmt):
    check_error(server.submit_open311(fmt, service_code=attributed), 400, fmt, "required attribute missing")
    check_error(server.submit_open311(fmt, service_code=attributed, **{"attribute[kerusakan]": "parah"}), 400, fmt,
                "value outside a singlevaluelist")
    check_error(server.submit_open311(fmt, service_code=attributed, **{"attribute[kerusakan]": "ringan", "attribute[lebar]": "lebar"}),
                400, fmt, "number attribute not a number")
    check_error(server.submit_open311(fmt, service_code=attributed,
                                      **{"attribute[kerusakan]": "ringan", "attribute[fasilitas][]": ["lampu", "jembatan"]}),
                400, fmt, "value outside a multivaluelist")


def test_attribute_answers_accepted(server, attributed):
    r = server.submit_open311("json", service_code=attributed,
                              **{"attribute[kerusakan]": "berat", "attribute[lebar]": "2.5", "attribute[fasilitas][]": ["lampu", "trotoar"]})
    assert r.status_code == 201, f"{r.status_code} {r.text[:500]}"
    tid = r.json()[0]["service_request_id"]
    server.verify(tid)
    rec = get_json(server, f"{V2}/requests/{tid}.json")[0]
    assert rec["service_code"] == attributed


# ------------------------------------------------------------------------------------------------
# tokens


@pytest.mark.parametrize("fmt", FORMATS)
def test_token_resolves(server, fmt):
    r = server.submit_open311(fmt)
    assert r.status_code == 201, f"{r.status_code} {r.text[:500]}"
    if fmt == "json":
        posted = jsn(r)[0]
    else:
        posted = xml(r, "service_requests")["request"]
    token, tid = posted["token"], posted["service_request_id"]
    assert token and token != tid
    body = get_json(server, f"{V2}/tokens/{token}.json")
    valid(body, TOKENS, "tokens/{token}.json")
    assert body == [{"service_request_id": tid, "token": token}]
    d = get_xml(server, f"{V2}/tokens/{token}.xml", "service_requests")
    assert isinstance(d.get("request"), dict) and d["request"] == {"service_request_id": tid, "token": token}


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_token_404(server, fmt):
    check_error(server.get(f"{V2}/tokens/no-such-token-{uid()}.{fmt}"), 404, fmt, "unknown token")


# ------------------------------------------------------------------------------------------------
# keys: scopes and limits


@pytest.mark.parametrize("fmt", FORMATS)
def test_wrong_scope_key_403(server, fmt):
    # A read-scope key has no read-public, so it may not read the public Open311 data; nor may it submit.
    check_error(server.get(f"{V2}/services.{fmt}", params={"api_key": server.keys["scoped"]}), 403, fmt, "GET with a read-scope-only key")
    check_error(server.get(f"{V2}/requests.{fmt}", params={"api_key": server.keys["scoped"]}), 403, fmt, "GET requests with a read-scope-only key")
    check_error(server.submit_open311(fmt, api_key=server.keys["scoped"]), 403, fmt, "POST with a key without submit")
    # The right key reads; no key reads anonymously.
    assert server.get(f"{V2}/services.{fmt}", params={"api_key": server.api_key}).status_code == 200
    # On the JSON API the read-scope key reads its unit's listing, and a read-public key may not.
    r = server.get("/api/v1/complaints", headers={"X-API-Key": server.keys["scoped"]})
    assert r.status_code == 200 and "items" in r.json(), f"{r.status_code} {r.text[:300]}"
    r = server.get("/api/v1/complaints", headers={"X-API-Key": server.api_key})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden", f"{r.status_code} {r.text[:300]}"


def test_rate_limit_429(server):
    key = server.keys["limited"]
    statuses = [server.get(f"{V2}/discovery.json", params={"api_key": key}).status_code for _ in range(3)]
    assert statuses == [200, 200, 200], statuses
    for fmt in FORMATS:
        r = server.get(f"{V2}/services.{fmt}", params={"api_key": key})
        check_error(r, 429, fmt, "a key over its limit")
        wait = r.headers.get("Retry-After")
        assert wait and wait.isdigit() and 1 <= int(wait) <= 60, f"Retry-After {wait!r}"
    r = server.get("/api/v1/categories", headers={"X-API-Key": key})
    assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited", f"{r.status_code} {r.text[:300]}"
    assert r.headers.get("Retry-After", "").isdigit()
    # Without the key the same client is not limited by it.
    assert server.get(f"{V2}/services.json").status_code == 200
