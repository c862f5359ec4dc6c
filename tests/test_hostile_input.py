"""Hostile input, class by class, on every surface: each gets a 4xx in its surface's error body,
stores nothing, and leaves the emulator fully working (issue: "a new user cannot make the emulator
answer 5xx or lose its state").

Classes: numbers (NaN, Infinity, huge floats, integers beyond Java's int/long, thousands of
digits), nesting (hundreds to tens of thousands of levels), text (lone surrogates in values and
keys), page tokens (forged, truncated, re-signed, of any shape), sizes (fields, tags, bodies).
The property-based test throws them at every operation of every surface; the tests after it
pin each class on each entry point with its exact answer.
"""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import COMPARTMENT, admin
from emulator.protocol import limits, pagination
from emulator.spec import Spec
from emulator.protocol import render
from emulator.surfaces import INFERENCE, surface_for
from test_robustness import known_fields

SPEC = Spec()
OPERATIONS = sorted(SPEC.operations.values(), key=lambda op: op.name)
NOT_IMPLEMENTED = 501
CLUSTER = {"compartmentId": COMPARTMENT, "type": "HOSTING", "unitShape": "SMALL_COHERE_V2", "unitCount": 1}
ON_DEMAND = {"servingType": "ON_DEMAND", "modelId": "cohere.command-r-08-2024"}
# Bodies the operations take, to plant hostile values in (others start from an empty object).
TEMPLATES = {
    "create_dedicated_ai_cluster": CLUSTER,
    "update_dedicated_ai_cluster": {"displayName": "x", "unitCount": 1},
    "chat": {"compartmentId": COMPARTMENT, "servingMode": ON_DEMAND, "chatRequest": {"apiFormat": "COHERE", "message": "hi"}},
    "embed_text": {"compartmentId": COMPARTMENT, "servingMode": {**ON_DEMAND, "modelId": "cohere.embed-v4.0"}, "inputs": ["a"]},
    "advance_clock": {"advanceSeconds": 1},
    "import_state": {"resources": []},
    "add_fault": {"operation": "list_models", "status": 503},
    "set_rate_limits": {"rules": [{"rate": 5}]},
    "set_config": {"transitions": {"endpoint": {"mode": "delay", "seconds": 1}}},
    "add_rules": {"rules": [{"pattern": "x", "reply": "y"}]},
    "trust_key": {"publicKey": "x"},
}
HOLE = "__HOSTILE__"
# Raw JSON no request may carry: non-finite and out-of-range numbers, deep nesting, lone surrogates.
NUMBERS = ["NaN", "Infinity", "-Infinity", "1e400", "-1e999", str(2**63), str(-(2**63) - 1), "9" * 1001, "1" * 5000]
DEPTHS = [limits.MAX_DEPTH + 1, 300, 1000, 20_000]
SURROGATES = ['"\\ud800"', '"abc\\udfff"', '{"\\udc00": 1}', '["ok", "\\ud83d"]']


def nested(depth: int, kind: str) -> str:
    return ("[" * depth + "]" * depth) if kind == "list" else ('{"a":' * depth + "1" + "}" * depth)


hostile_values = st.one_of(
    st.sampled_from(NUMBERS),
    st.builds(nested, st.sampled_from(DEPTHS), st.sampled_from(["list", "dict"])),
    st.sampled_from(SURROGATES),
)


def fields_of(op) -> list[str]:
    """The fields of the operation's body: its model's (``known_fields``), or its inline schema's (admin)."""
    return list((op.body_schema or {}).get("properties", {})) or known_fields(op)


@st.composite
def hostile_requests(draw):
    """One operation, with a hostile value planted in its JSON body (or its query, or path)."""
    op = draw(st.sampled_from(OPERATIONS))
    path = op.path
    for param in op.params:
        if param.location == "path":
            path = path.replace("{" + param.name + "}", draw(st.sampled_from(["ocid1.generativeaimodel.oc1..x", "%ED%A0%80", "x" * 5000])))
    query = {p.name: "ocid1.compartment.oc1..aaaaaaaax" for p in op.params if p.location == "query" and p.required}
    value = draw(hostile_values)
    if op.body_schema is None:  # no body to plant it in: the query takes forged tokens and bad numbers
        query[draw(st.sampled_from(["page", "limit", "lifecycleState", "x"]))] = draw(
            st.sampled_from(["nan", "inf", str(2**40), "1" * 5000, "e30", "%00", "\ud800".encode("utf-8", "surrogatepass").decode("latin-1")])
        )
        return op, path, query, None
    body = dict(TEMPLATES.get(op.name, {}))
    target = body
    inner = [k for k, v in body.items() if isinstance(v, dict)]
    if inner and draw(st.booleans()):  # deeper in the body
        key = draw(st.sampled_from(inner))
        target = body[key] = dict(body[key])
    target[draw(st.sampled_from(fields_of(op) + list(target)))] = HOLE
    return op, path, query, json.dumps(body).replace(json.dumps(HOLE), value)


def error_shape(path: str, resp: requests.Response) -> None:
    surface = surface_for(path)
    for header in surface.request_id_headers:
        assert resp.headers.get(header), header
    body = resp.json()
    if surface.error_body is render.openai_error:
        assert set(body) == {"error"} and body["error"]["message"]
        return
    assert set(body) == {"code", "message"} and body["message"]
    if surface is INFERENCE and resp.status_code != 401:
        assert body["code"] == str(resp.status_code)


def message_of(resp: requests.Response) -> str:
    body = resp.json()
    return body["error"]["message"] if "error" in body else body["message"]


def still_works(url: str, mark: str) -> None:
    """A create and a list still work, and see each other."""
    created = requests.post(f"{url}/20231130/dedicatedAiClusters", json={**CLUSTER, "displayName": mark})
    assert created.status_code == 200, created.text
    listed = requests.get(f"{url}/20231130/dedicatedAiClusters", params={"compartmentId": COMPARTMENT, "displayName": mark})
    assert listed.status_code == 200 and [c["id"] for c in listed.json()["items"]] == [created.json()["id"]]


def stored(url: str) -> int:
    state = admin(url, "state")
    return len(state["resources"]) + len(state["workRequests"])


@settings(max_examples=250, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(request=hostile_requests())
def test_no_hostile_input_gets_a_5xx_or_stores_anything(emulator_url, request):
    op, path, query, raw = request
    admin(emulator_url, "reset", {})
    resp = requests.request(
        op.method, emulator_url + path, params=query, data=raw, headers={"content-type": "application/json"}
    )
    if resp.status_code == NOT_IMPLEMENTED:
        assert resp.json()["code"] == "NotImplemented"
    else:
        assert resp.status_code < 500, (op.name, resp.text)
    if raw is not None:
        assert 400 <= resp.status_code < 500, (op.name, raw[:200], resp.status_code, resp.text[:300])
    if resp.status_code >= 400:
        error_shape(path, resp)
        assert stored(emulator_url) == 0
    still_works(emulator_url, f"probe-{op.name}")


# -- each class, pinned --------------------------------------------------------------------------
def post(url: str, path: str, raw: str | bytes, **headers) -> requests.Response:
    return requests.post(url + path, data=raw, headers={"content-type": "application/json", **headers})


ENTRY_POINTS = {
    "management": ("/20231130/dedicatedAiClusters", CLUSTER),
    "inference": ("/20231130/actions/chat", TEMPLATES["chat"]),
    "embeddings": ("/20231130/actions/embedText", TEMPLATES["embed_text"]),
    "openai responses": ("/openai/v1/responses", {"model": "openai.gpt-oss-120b", "input": "hi"}),
    "openai vector store search": ("/openai/v1/vector_stores/vs_x/search", {"query": "hi", "max_num_results": 5}),
    "openai vector stores (management host)": ("/20231130/openai/v1/vector_stores", {"name": "kb"}),
    "admin clock": ("/_emulator/clock", {"advanceSeconds": 1}),
    "admin state": ("/_emulator/state", {"resources": []}),
}


def planted(body: dict, value: str, field: str | None = None) -> str:
    body = dict(body)
    body[field or next(iter(body))] = HOLE
    return json.dumps(body).replace(json.dumps(HOLE), value)


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("literal", NUMBERS)
def test_numbers_a_java_service_cannot_take_are_400_everywhere(emulator_url, entry, literal):
    path, body = ENTRY_POINTS[entry]
    resp = post(emulator_url, path, planted(body, literal))
    assert resp.status_code == 400, resp.text
    error_shape(path, resp)
    assert "number" in message_of(resp) or "NaN" in message_of(resp)
    still_works(emulator_url, "after-number")


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("depth", DEPTHS)
def test_deep_nesting_is_400_everywhere(emulator_url, entry, depth):
    path, body = ENTRY_POINTS[entry]
    resp = post(emulator_url, path, planted(body, nested(depth, "list" if depth % 2 else "dict")))
    assert resp.status_code == 400 and f"deeper than {limits.MAX_DEPTH}" in message_of(resp), resp.text
    error_shape(path, resp)
    still_works(emulator_url, "after-depth")


def test_nesting_up_to_the_limit_is_fine(emulator_url):
    assert post(emulator_url, "/_emulator/reset", nested(limits.MAX_DEPTH, "dict")).status_code == 200
    assert post(emulator_url, "/_emulator/reset", nested(limits.MAX_DEPTH + 1, "dict")).status_code == 400


@pytest.mark.parametrize(
    "entry, field, text, where",
    [
        ("management", "displayName", '"\\ud800"', "displayName"),
        ("management", "freeformTags", '{"\\udc00": "x"}', "freeformTags"),
        ("inference", "chatRequest", '{"apiFormat": "COHERE", "message": "hi \\udfff"}', "chatRequest.message"),
        ("embeddings", "inputs", '["fine", "\\ud83d alone"]', "inputs[1]"),
        ("admin state", "resources", '[{"kind": "\\ud800"}]', "resources[0].kind"),
        ("openai responses", "input", '"hi \\udfff"', "input"),
    ],
)
def test_lone_surrogates_are_400_naming_the_field(emulator_url, entry, field, text, where):
    path, body = ENTRY_POINTS[entry]
    resp = post(emulator_url, path, planted(body, text, field))
    assert resp.status_code == 400 and "Unicode" in message_of(resp), resp.text
    assert where in message_of(resp) or "key" in message_of(resp)
    error_shape(path, resp)
    still_works(emulator_url, "after-surrogate")


def test_valid_unicode_everywhere_is_fine(emulator_url):
    resp = post(emulator_url, "/20231130/dedicatedAiClusters", json.dumps({**CLUSTER, "displayName": "Zürich 東京 🚀"}))
    assert resp.status_code == 200 and resp.json()["displayName"] == "Zürich 東京 🚀"


def test_a_body_beyond_the_limit_is_413_and_admin_takes_more(emulator_url):
    huge = json.dumps({**CLUSTER, "description": "x" * limits.MAX_BODY_BYTES})
    resp = post(emulator_url, "/20231130/dedicatedAiClusters", huge)
    assert resp.status_code == 413 and resp.json()["code"] == "RequestEntityTooLarge"
    assert resp.headers["opc-request-id"]
    big_snapshot = json.dumps({"resources": [], "pad": "x"})  # within the admin limit: judged on content
    assert post(emulator_url, "/_emulator/state", big_snapshot).json()["message"].startswith("Unknown snapshot field")
    still_works(emulator_url, "after-413")


@pytest.mark.parametrize(
    "change, words",
    [
        ({"displayName": "n" * 256}, ["displayName", "255"]),
        ({"description": "d" * (limits.MAX_TEXT_CHARS + 1)}, ["description", str(limits.MAX_TEXT_CHARS)]),
        ({"freeformTags": {f"k{i}": "v" for i in range(limits.MAX_TAGS + 1)}}, ["freeformTags", str(limits.MAX_TAGS)]),
        ({"freeformTags": {"k" * 101: "v"}}, ["freeformTags"]),
        ({"freeformTags": {"k": "v" * 257}}, ["freeformTags.k", "256"]),
        ({"definedTags": {"ns": {"k": "v" * 257}}}, ["definedTags.ns.k"]),
        ({"unitCount": 2**31}, ["unitCount", "at most 2147483647"]),
        ({"unitCount": -(2**31) - 1}, ["unitCount", "at least"]),
    ],
)
def test_fields_beyond_their_limits_are_400_naming_the_field(emulator_url, change, words):
    resp = post(emulator_url, "/20231130/dedicatedAiClusters", json.dumps({**CLUSTER, **change}))
    assert resp.status_code == 400 and resp.json()["code"] == "InvalidParameter", resp.text
    for word in words:
        assert word in message_of(resp)
    assert len(resp.text) < 1000  # the message never echoes the value
    assert requests.get(f"{emulator_url}/20231130/dedicatedAiClusters", params={"compartmentId": COMPARTMENT}).json()["items"] == []


def test_fields_at_their_limits_are_fine(emulator_url):
    body = {
        **CLUSTER,
        "displayName": "n" * 255,
        "description": "d" * limits.MAX_TEXT_CHARS,
        "freeformTags": {f"{i:0>100}": "v" * 256 for i in range(limits.MAX_TAGS)},
    }
    resp = post(emulator_url, "/20231130/dedicatedAiClusters", json.dumps(body))
    assert resp.status_code == 200, resp.text


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", str(2**31), str(2**40), "1" * 5000, "1e3", "0x10"])
def test_query_numbers_are_400(emulator_url, value):
    resp = requests.get(f"{emulator_url}/20231130/models", params={"compartmentId": COMPARTMENT, "limit": value})
    assert resp.status_code == 400 and "limit" in message_of(resp)
    assert len(resp.text) < 1000


def _token(cursor, check: str) -> str:
    return pagination.encode(tuple(cursor), check)


FORGED = {
    "truncated": lambda good: good[:-3],
    "garbage": lambda good: "!!!not-base64!!!",
    "empty json": lambda good: base64.urlsafe_b64encode(b"{}").decode(),
    "a list": lambda good: base64.urlsafe_b64encode(b"[1,2]").decode(),
    "deep": lambda good: base64.urlsafe_b64encode(b"[" * 1400 + b"]" * 1400).decode(),
    "too long": lambda good: good + "A" * limits.MAX_PAGE_TOKEN_CHARS,
    "wrong types": lambda good: _token([1, 2], json.loads(base64.urlsafe_b64decode(good + "==="))["h"]),
    "a bool": lambda good: _token([True, "x"], json.loads(base64.urlsafe_b64decode(good + "==="))["h"]),
    "huge int": lambda good: _token([10**300, "x"], json.loads(base64.urlsafe_b64decode(good + "==="))["h"]),
    "surrogate": lambda good: base64.urlsafe_b64encode(
        json.dumps({"c": ["\ud800", "x"], "h": json.loads(base64.urlsafe_b64decode(good + "==="))["h"]}).encode()
    ).decode(),
    "re-signed for other filters": lambda good: _token(["2020-01-01T00:00:00.000Z", "x"], hashlib.sha256(b"other").hexdigest()[:12]),
}


@pytest.mark.parametrize("forgery", FORGED)
def test_forged_page_tokens_are_400(emulator_url, forgery):
    for name in ("a", "b", "c"):
        requests.post(f"{emulator_url}/20231130/dedicatedAiClusters", json={**CLUSTER, "displayName": name})
    params = {"compartmentId": COMPARTMENT, "limit": 1}
    first = requests.get(f"{emulator_url}/20231130/dedicatedAiClusters", params=params)
    good = first.headers["opc-next-page"]
    resp = requests.get(f"{emulator_url}/20231130/dedicatedAiClusters", params={**params, "page": FORGED[forgery](good)})
    assert resp.status_code == 400 and "page" in message_of(resp), resp.text
    assert requests.get(f"{emulator_url}/20231130/dedicatedAiClusters", params={**params, "page": good}).status_code == 200


def test_a_re_signed_token_of_the_right_shape_just_pages(emulator_url):
    """The checksum is no secret: a well-formed cursor someone computed pages from where it says."""
    for name in ("a", "b"):
        requests.post(f"{emulator_url}/20231130/dedicatedAiClusters", json={**CLUSTER, "displayName": name})
    params = {"compartmentId": COMPARTMENT, "limit": 1, "sortBy": "displayName"}
    good = requests.get(f"{emulator_url}/20231130/dedicatedAiClusters", params=params).headers["opc-next-page"]
    check = json.loads(base64.urlsafe_b64decode(good + "==="))["h"]
    resp = requests.get(f"{emulator_url}/20231130/dedicatedAiClusters", params={**params, "page": _token(["a", "~"], check)})
    assert resp.status_code == 200 and [c["displayName"] for c in resp.json()["items"]] == ["b"]


# -- schemas the caller writes (structured output, tool parameters) --------------------------------
BAD_SCHEMAS = {
    "an invalid regex": {"type": "object", "properties": {"code": {"type": "string", "pattern": "(("}}, "required": ["code"]},
    "a reference to fetch": {"type": "object", "properties": {"a": {"$ref": "http://schemas.example.com/a.json"}}, "required": ["a"]},
    "an unknown type": {"type": "object", "properties": {"a": {"type": "nonsense"}}},
}
SCHEMA_ENTRIES = {
    "chat json_schema": ("/20231130/actions/chat", lambda schema: {
        "compartmentId": COMPARTMENT, "servingMode": {**ON_DEMAND, "modelId": "meta.llama-3.3-70b-instruct"},
        "chatRequest": {"apiFormat": "GENERIC", "messages": [{"role": "USER", "content": [{"type": "TEXT", "text": "hi"}]}],
                        "responseFormat": {"type": "JSON_SCHEMA", "jsonSchema": {"name": "x", "schema": schema}}}}),
    "chat tool parameters": ("/20231130/actions/chat", lambda schema: {
        "compartmentId": COMPARTMENT, "servingMode": {**ON_DEMAND, "modelId": "meta.llama-3.3-70b-instruct"},
        "chatRequest": {"apiFormat": "GENERIC", "messages": [{"role": "USER", "content": [{"type": "TEXT", "text": "call f"}]}],
                        "tools": [{"type": "FUNCTION", "name": "f", "description": "f", "parameters": schema}]}}),
    "responses text.format": ("/openai/v1/responses", lambda schema: {
        "model": "openai.gpt-oss-120b", "input": "hi",
        "text": {"format": {"type": "json_schema", "name": "x", "schema": schema, "strict": True}}}),
    "responses function tool": ("/openai/v1/responses", lambda schema: {
        "model": "openai.gpt-oss-120b", "input": "call f", "tools": [{"type": "function", "name": "f", "parameters": schema}]}),
}


@pytest.mark.parametrize("entry", SCHEMA_ENTRIES)
@pytest.mark.parametrize("problem", BAD_SCHEMAS)
def test_a_schema_that_cannot_be_used_is_400_and_nothing_is_fetched(emulator_url, entry, problem):
    path, body = SCHEMA_ENTRIES[entry]
    resp = post(emulator_url, path, json.dumps(body(BAD_SCHEMAS[problem])), **{"opc-compartment-id": COMPARTMENT})
    assert resp.status_code == 400, resp.text
    error_shape(path, resp)
    assert "schema" in str(resp.json()).lower()
    still_works(emulator_url, "after-schema")


# -- multipart uploads (the OpenAI-compatible API's /files) ----------------------------------------
def form(filename: bytes, content: bytes = b"hello", purpose: bytes = b"user_data") -> bytes:
    return (b'--b\r\nContent-Disposition: form-data; name="purpose"\r\n\r\n' + purpose + b"\r\n"
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="' + filename + b'"\r\n'
            b"Content-Type: text/plain\r\n\r\n" + content + b"\r\n--b--\r\n")


UPLOADS = {
    "no boundary": ("multipart/form-data", form(b"a.txt")),
    "a broken form": ("multipart/form-data; boundary=b", b"--b\r\nnonsense"),
    "no file part": ("multipart/form-data; boundary=b", b'--b\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nuser_data\r\n--b--\r\n'),
    "a name that is not UTF-8": ("multipart/form-data; boundary=b", form(b"\xff\xfe.txt")),
    "a name beyond the limit": ("multipart/form-data; boundary=b", form(b"n" * (limits.MAX_FILENAME_CHARS + 1) + b".txt")),
    "an unknown purpose": ("multipart/form-data; boundary=b", form(b"a.txt", purpose=b"\xff" * 3)),
    "a file beyond the limit": ("multipart/form-data; boundary=b", form(b"a.txt", b"x" * (limits.MAX_FILE_BYTES + 1))),
    "a body beyond the limit": ("multipart/form-data; boundary=b", form(b"a.txt", b"x" * limits.MAX_OPENAI_BODY_BYTES)),
}


@pytest.mark.parametrize("case", UPLOADS)
def test_broken_uploads_are_4xx_and_store_nothing(emulator_url, case):
    content_type, raw = UPLOADS[case]
    headers = {"content-type": content_type, "opc-compartment-id": COMPARTMENT}
    resp = requests.post(f"{emulator_url}/openai/v1/files", data=raw, headers=headers)
    assert resp.status_code in (400, 413), resp.text
    error_shape("/openai/v1/files", resp)
    assert len(resp.text) < 2000  # nothing echoed back at length
    listed = requests.get(f"{emulator_url}/openai/v1/files", headers={"opc-compartment-id": COMPARTMENT})
    assert listed.status_code == 200 and listed.json()["data"] == []
    ok = requests.post(f"{emulator_url}/openai/v1/files", data=form(b"fine.txt"), headers={**headers, "content-type": "multipart/form-data; boundary=b"})
    assert ok.status_code == 200 and ok.json()["filename"] == "fine.txt"
