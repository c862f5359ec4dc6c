"""Schemathesis against the emulator, from specs/: every operation of both APIs, stateless and stateful.

Each response must be: no 5xx (except 501 NotImplemented for operations the emulator does not implement
yet), a declared status (a 2xx is the operation's declared success status, not just `default`), the
declared content type, headers and body schema, and every error an OCI error body `{"code", "message"}`
with an `opc-request-id` header.

The specs are used as committed, with three additions made here at load time only:
- `format: oci-ocid` on fields the SDK marks as OCIDs, and `format: oci-model-name` on on-demand model
  names, so that generated requests are mostly realistic (a random string is a 400 before any logic runs);
- OpenAPI links (create -> get/update/delete/change compartment by id, create/delete -> work request,
  list -> get, cluster -> endpoint and fine-tuning), for the stateful test.

Short by default (CI-sized); `OCI_GENAI_SCHEMATHESIS_EXAMPLES=N` (examples per operation) and
`OCI_GENAI_SCHEMATHESIS_STEPS=N` (stateful scenarios) make a larger run.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from emulator.catalog import Catalog
from emulator.handlers import handlers
from emulator.server import BackgroundServer
from emulator.settings import Settings
from emulator.spec import BASE_PATH, Spec, load_documents

EXAMPLES = int(os.environ.get("OCI_GENAI_SCHEMATHESIS_EXAMPLES", "6"))
STATEFUL_SCENARIOS = int(os.environ.get("OCI_GENAI_SCHEMATHESIS_STEPS", "25"))
REGION = "us-chicago-1"

SPEC = Spec()
IMPLEMENTED = set(handlers(SPEC.operations))  # operation ids ("CreateEndpoint") come from SPEC below
IMPLEMENTED_IDS = {op.operation_id for op in SPEC.operations.values() if op.name in IMPLEMENTED}
CATALOG = Catalog(REGION).models

# ---------------------------------------------------------------------------------------------------------
# Generation: realistic OCIDs and model names most of the time, arbitrary strings sometimes.

COMPARTMENTS = ["ocid1.compartment.oc1..aaaaaaaaschemathesisone", "ocid1.compartment.oc1..aaaaaaaaschemathesistwo"]
random_ocid = st.from_regex(r"\Aocid1\.[a-z]{3,24}\.oc1\.(us-chicago-1)?\.[a-z0-9]{8,40}\Z")
schemathesis.openapi.format(
    "oci-ocid",
    st.one_of(st.sampled_from(COMPARTMENTS), st.sampled_from([m.id for m in CATALOG]), random_ocid),
)
schemathesis.openapi.format(
    "oci-model-name",
    st.one_of(st.sampled_from(sorted({m.name for m in CATALOG})), st.text(max_size=20)),
)


def _mark_formats(node) -> None:
    if isinstance(node, dict):
        if node.get("x-oci-ocid") and node.get("type") == "string":
            node.setdefault("format", "oci-ocid")
        for value in node.values():
            _mark_formats(value)
    elif isinstance(node, list):
        for value in node:
            _mark_formats(value)


# ---------------------------------------------------------------------------------------------------------
# Links for the management API (added to a copy of the spec, never to the committed files).

RESOURCES = {
    # family: (path parameter, Create/Get/... operation suffix)
    "DedicatedAiCluster": "dedicatedAiClusterId",
    "Endpoint": "endpointId",
    "Model": "modelId",
    "ImportedModel": "importedModelId",
}


def _link(operation_id: str, parameters: dict | None = None, body: dict | None = None) -> dict:
    link: dict = {"operationId": operation_id}
    if parameters:
        link["parameters"] = parameters
    if body:
        link["requestBody"] = body
    return link


def management_links() -> dict[str, dict[str, dict]]:
    """operationId -> {link name: link} on the operation's success response."""
    links: dict[str, dict[str, dict]] = {}
    wr = "$response.header.opc-work-request-id"
    for family, param in RESOURCES.items():
        by_id = {f"path.{param}": "$response.body#/id"}
        with_etag = {**by_id, "header.if-match": "$response.header.etag"}
        to_resource = {
            "Get": _link(f"Get{family}", by_id),
            "Update": _link(f"Update{family}", with_etag),
            "Delete": _link(f"Delete{family}", with_etag),
            "ChangeCompartment": _link(f"Change{family}Compartment", by_id),
            "List": _link(f"List{family}s", {"query.compartmentId": "$response.body#/compartmentId"}),
        }
        to_work_request = {
            "GetWorkRequest": _link("GetWorkRequest", {"path.workRequestId": wr}),
            "ListWorkRequestErrors": _link("ListWorkRequestErrors", {"path.workRequestId": wr}),
            "ListWorkRequestLogs": _link("ListWorkRequestLogs", {"path.workRequestId": wr}),
        }
        links[f"Create{family}"] = {**to_resource, **to_work_request}
        links[f"Get{family}"] = dict(to_resource)
        links[f"Update{family}"] = {**to_resource, **to_work_request}
        links[f"Delete{family}"] = dict(to_work_request)
        links[f"List{family}s"] = {"Get": _link(f"Get{family}", {f"path.{param}": "$response.body#/items/0/id"})}
    cluster = {"dedicatedAiClusterId": "$response.body#/id", "compartmentId": "$response.body#/compartmentId"}
    links["CreateDedicatedAiCluster"]["CreateEndpoint"] = _link("CreateEndpoint", body=cluster)
    links["GetDedicatedAiCluster"]["CreateEndpoint"] = _link("CreateEndpoint", body=cluster)
    links["GetDedicatedAiCluster"]["CreateModel"] = _link(
        "CreateModel",
        body={"compartmentId": "$response.body#/compartmentId",
              "fineTuneDetails": {"dedicatedAiClusterId": "$response.body#/id"}},
    )
    links["ListModels"]["CreateEndpoint"] = _link("CreateEndpoint", body={"modelId": "$response.body#/items/0/id"})
    links["GetImportedModel"]["CreateEndpoint"] = _link("CreateEndpoint", body={"modelId": "$response.body#/id"})
    links["ListWorkRequests"] = {
        "Get": _link("GetWorkRequest", {"path.workRequestId": "$response.body#/items/0/id"}),
        "Errors": _link("ListWorkRequestErrors", {"path.workRequestId": "$response.body#/items/0/id"}),
    }
    links["GetWorkRequest"] = {
        "List": _link("ListWorkRequests", {"query.compartmentId": "$response.body#/compartmentId"}),
    }
    return links


def prepared_document(api: str) -> dict:
    doc = copy.deepcopy(load_documents()[api])
    _mark_formats(doc)
    schemas = doc["components"]["schemas"]
    if "OnDemandServingMode" in schemas:
        schemas["OnDemandServingMode"]["properties"]["modelId"]["format"] = "oci-model-name"
    if api == "generative_ai":
        by_id = {op["operationId"]: op for methods in doc["paths"].values() for op in methods.values()}
        for operation_id, links in management_links().items():
            response = next(r for status, r in by_id[operation_id]["responses"].items() if status != "default")
            response["links"] = links
    return doc


def load_schema(api: str):
    config = SchemathesisConfig.from_dict(
        {
            "generation": {"max-examples": EXAMPLES, "database": "none"},
            "phases": {"stateful": {"max-steps": 12}},
        }
    )
    return schemathesis.openapi.from_dict(prepared_document(api), config=config)


MANAGEMENT = load_schema("generative_ai")
INFERENCE = load_schema("generative_ai_inference")

# ---------------------------------------------------------------------------------------------------------
# Checks


def no_server_error(ctx, response, case) -> None:
    """No 5xx, except 501 NotImplemented for an operation the emulator does not implement yet."""
    status = response.status_code
    if status < 500:
        return
    if status == 501 and case.operation.definition.raw.get("operationId") not in IMPLEMENTED_IDS:
        assert _json(response).get("code") == "NotImplemented", f"501 without code NotImplemented: {response.text}"
        return
    raise AssertionError(f"{status} from {case.operation.label}: {response.text[:500]}")


def success_status_declared(ctx, response, case) -> None:
    """A 2xx is the operation's declared success status (`default` covers errors only)."""
    if 200 <= response.status_code < 300:
        declared = {s for s in case.operation.definition.raw["responses"] if s != "default"}
        assert str(response.status_code) in declared, (
            f"{case.operation.label} answered {response.status_code}; the spec declares {sorted(declared)}"
        )


def oci_error_shape(ctx, response, case) -> None:
    """Every response has an opc-request-id; every error is an OCI error body."""
    assert response.headers.get("opc-request-id"), "no opc-request-id header"
    if response.status_code >= 400:
        body = _json(response)
        assert set(body) == {"code", "message"}, f"not an OCI error body: {response.text[:500]}"
        assert isinstance(body["code"], str) and body["code"], body
        assert isinstance(body["message"], str) and body["message"], body


def _json(response) -> dict:
    try:
        body = json.loads(response.content or b"")
    except ValueError:
        raise AssertionError(f"error body is not JSON: {response.content[:200]!r}") from None
    assert isinstance(body, dict), f"error body is not a JSON object: {body!r}"
    return body


CHECKS = [
    no_server_error,
    success_status_declared,
    oci_error_shape,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

# ---------------------------------------------------------------------------------------------------------
# The emulator


@pytest.fixture(scope="module")
def schemathesis_base_url() -> Iterator[str]:
    server = BackgroundServer(Settings(port=0)).start()
    try:
        yield server.url + BASE_PATH
    finally:
        server.stop()


HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much,
          HealthCheck.data_too_large, HealthCheck.large_base_example]


@MANAGEMENT.parametrize()
@hypothesis_settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=HEALTH, database=None)
def test_management_api(case, schemathesis_base_url):
    case.call_and_validate(base_url=schemathesis_base_url, checks=CHECKS)


@INFERENCE.parametrize()
@hypothesis_settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=HEALTH, database=None)
def test_inference_api(case, schemathesis_base_url):
    case.call_and_validate(base_url=schemathesis_base_url, checks=CHECKS)


def test_management_api_stateful(schemathesis_base_url):
    machine = MANAGEMENT.as_state_machine()

    class Machine(machine):
        def get_call_kwargs(self, case):
            return {"base_url": schemathesis_base_url}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

    Machine.run(
        settings=hypothesis_settings(
            max_examples=STATEFUL_SCENARIOS, stateful_step_count=12, deadline=None, database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
