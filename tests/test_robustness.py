"""Bad input never gets a 500: whatever a client sends, the answer is an OCI error (or success)."""

from __future__ import annotations

import json

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import COMPARTMENT
from emulator.spec import Spec

SPEC = Spec()
OPERATIONS = sorted(
    (op for op in SPEC.operations.values() if op.api == "generative_ai"), key=lambda op: op.name
)
OCID = "ocid1.generativeaidedicatedaicluster.oc1.us-chicago-1.amaaaaaafuzz"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)


def known_fields(op) -> list[str]:
    if not op.body_model:
        return ["x"]
    schema = SPEC.schema(op.api, op.body_model)
    return list(schema.get("properties", {})) or ["x"]


@st.composite
def requests_for(draw):
    op = draw(st.sampled_from(OPERATIONS))
    path = op.path
    for param in op.params:
        if param.location == "path":
            value = draw(st.sampled_from([OCID, "x", "ocid1.", "%00", "ocid1.a.b.c.d"]))
            path = path.replace("{" + param.name + "}", value)
    query = {"compartmentId": draw(st.sampled_from([COMPARTMENT, "bad", ""]))}
    for name in draw(st.lists(st.sampled_from(["limit", "page", "sortBy", "sortOrder", "lifecycleState", "capability"]), max_size=3)):
        query[name] = draw(st.text(max_size=8))
    fields = known_fields(op)
    body = draw(
        st.one_of(
            st.dictionaries(st.sampled_from(fields), json_values, max_size=6),
            json_values,
        )
    )
    raw = draw(st.one_of(st.just(json.dumps(body)), st.binary(max_size=40)))
    return op.method, path, query, raw


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(request=requests_for())
def test_no_request_gets_a_500(emulator, request):
    method, path, query, raw = request
    resp = requests.request(
        method, f"{emulator.url}/20231130{path}", params=query, data=raw, headers={"content-type": "application/json"}
    )
    assert resp.status_code < 500 or resp.status_code == 501, resp.text
    assert resp.headers.get("opc-request-id")
    if resp.status_code >= 400:
        body = resp.json()
        assert set(body) == {"code", "message"} and body["message"]


def test_wrong_method_is_an_oci_error(emulator):
    resp = requests.patch(f"{emulator.url}/20231130/dedicatedAiClusters", data="{}")
    assert resp.status_code == 405
    assert resp.json()["code"] == "MethodNotAllowed"
