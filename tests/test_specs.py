"""specs/ is generated from the installed oci SDK, and the emulator's answers conform to it."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import oci
import pytest
import requests
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

from conftest import COMPARTMENT
from helpers import active_cluster, active_endpoint, base_model

SPECS = Path(__file__).resolve().parent.parent / "specs"


def load_generator():
    spec = importlib.util.spec_from_file_location("specs_generate", SPECS / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SDK_CLIENTS = {
    "generative_ai": [oci.generative_ai.GenerativeAiClient],
    "generative_ai_inference": [oci.generative_ai_inference.GenerativeAiInferenceClient],
    "generative_ai_data": [oci.generative_ai_data.EnrichmentJobClient, oci.generative_ai_data.GenerateSqlClient],
    "generative_ai_sandbox": [oci.generative_ai_sandbox.GenerativeAiSandboxClient],
}


@pytest.mark.parametrize("api", sorted(SDK_CLIENTS))
def test_committed_specs_match_the_installed_sdk(api):
    generate = load_generator()
    fresh = generate.render(generate.generate(api))
    committed = (SPECS / f"{api}.json").read_text()
    assert fresh == committed, f"specs/{api}.json drifted from oci {oci.__version__}: run `make specs`"


def test_committed_openai_spec_matches_its_source():
    generate = load_generator()
    assert generate.render(generate.openai_document()) == (SPECS / "openai.json").read_text(), (
        "specs/openai.json differs from specs/openai_api.py: run `make specs`"
    )


def test_committed_coverage_table_is_current():
    generate = load_generator()
    docs = {api: json.loads((SPECS / f"{api}.json").read_text()) for api in SDK_CLIENTS}
    assert generate.coverage(docs) == generate.COVERAGE_FILE.read_text(), "docs/coverage.md is stale: run `make specs`"


@pytest.mark.parametrize("api", [*sorted(SDK_CLIENTS), "openai", "admin"])
def test_specs_are_valid_openapi(api):
    from openapi_spec_validator import validate

    validate(json.loads((SPECS / f"{api}.json").read_text()))


@pytest.mark.parametrize("api", sorted(SDK_CLIENTS))
def test_specs_cover_every_sdk_operation(api):
    doc = json.loads((SPECS / f"{api}.json").read_text())
    sdk_ops = {
        name
        for client in SDK_CLIENTS[api]
        for name in dir(client)
        if not name.startswith("_") and callable(getattr(client, name))
    } - {"base_client", "circuit_breaker_callback"}
    spec_ops = {op["x-sdk-method"] for methods in doc["paths"].values() for op in methods.values()}
    assert spec_ops == sdk_ops



def test_response_schemas_are_strict_and_request_schemas_as_the_sdk_reads_them():
    """A field the SDK marks [Required] is required and never null in responses; requests may send
    null for it (the service reads null as absent). A schema both use gets a strict copy for responses."""
    schemas = json.loads((SPECS / "generative_ai.json").read_text())["components"]["schemas"]
    endpoint, create = schemas["Endpoint"]["properties"], schemas["CreateEndpointDetails"]["properties"]
    assert "nullable" not in endpoint["lifecycleState"] and "lifecycleState" in schemas["Endpoint"]["required"]
    assert endpoint["lifecycleState"]["x-sdk-unknown-enum-value"] == "UNKNOWN_ENUM_VALUE"  # the SDK tolerates others
    assert endpoint["contentModerationConfig"]["allOf"][0]["$ref"].endswith("/ContentModerationConfig.Response")
    assert create["contentModerationConfig"]["allOf"][0]["$ref"].endswith("/ContentModerationConfig")
    assert schemas["ContentModerationConfig"]["properties"]["isEnabled"] == {"type": "boolean", "nullable": True}
    assert schemas["ContentModerationConfig.Response"]["properties"]["isEnabled"] == {"type": "boolean"}
    capabilities = schemas["ImportedModel"]["properties"]["capabilities"]["items"]
    assert "TEXT_TO_TEXT" in capabilities["enum"]  # a list's enum, closed in responses


@pytest.fixture(scope="module")
def openapi():
    return OpenAPI.from_dict(json.loads((SPECS / "generative_ai.json").read_text()))


def test_every_management_response_conforms_to_the_spec(emulator_url, genai, oci_config, openapi):
    """Record the scenario's HTTP exchanges and validate each with openapi-core."""
    cluster = active_cluster(genai)
    model = base_model(genai, "cohere.command-r-08-2024")
    endpoint = active_endpoint(genai, cluster.id, model.id)
    signer = oci.signer.Signer(
        oci_config["tenancy"], oci_config["user"], oci_config["fingerprint"], oci_config["key_file"]
    )
    base = f"{emulator_url}/20231130"
    wr = genai.delete_endpoint(endpoint.id).headers["opc-work-request-id"]
    exchanges = [
        ("GET", f"/dedicatedAiClusters/{cluster.id}", None),
        ("GET", f"/dedicatedAiClusters?compartmentId={COMPARTMENT}&limit=1", None),
        ("GET", f"/endpoints/{endpoint.id}", None),
        ("GET", f"/endpoints?compartmentId={COMPARTMENT}", None),
        ("GET", f"/models?compartmentId={COMPARTMENT}", None),
        ("GET", f"/models/{model.id}", None),
        ("GET", f"/workRequests/{wr}", None),
        ("GET", f"/workRequests?compartmentId={COMPARTMENT}", None),
        ("GET", f"/workRequests/{wr}/logs", None),
        ("GET", f"/workRequests/{wr}/errors", None),
        ("PUT", f"/dedicatedAiClusters/{cluster.id}", {"displayName": "renamed"}),
        ("POST", "/importedModels", {"compartmentId": COMPARTMENT,
                                     "dataSource": {"sourceType": "HUGGING_FACE_MODEL", "modelId": "org/m"}}),
        ("GET", f"/dedicatedAiClusters/{cluster.id}", None),
        ("GET", "/dedicatedAiClusters/ocid1.generativeaidedicatedaicluster.oc1.x.amaaaaaanope", None),
        ("POST", "/dedicatedAiClusters", {"compartmentId": COMPARTMENT}),
    ]
    for method, path, body in exchanges:
        req = requests.Request(method, base + path, json=body, auth=signer).prepare()
        resp = requests.Session().send(req)
        openapi.validate_response(RequestsOpenAPIRequest(req), RequestsOpenAPIResponse(resp))
