"""Schemathesis against the emulator, from specs/: every operation of both APIs, stateless and stateful.

Every response must have: no 5xx (except 501 NotImplemented from an operation the emulator does not
implement yet), a declared status (a 2xx must be the operation's declared success status, not just
`default`), the declared content type, headers and body schema; every error is an OCI error body
`{"code", "message"}`, and every response has an `opc-request-id`.

The committed specs are loaded with additions made here, at load time only:
- request bodies use copies of their schemas where required fields are not nullable and unknown fields
  are not allowed (as the SDK sends them), and `limit` is bounded to 1..1000 (the service's bounds);
- `format`s that draw realistic values: OCIDs (mostly existing ones: the compartment, base models,
  the resources of a seeded "world"), and on-demand model names from the catalog;
- request examples (valid creates; chat, embeddings, rerank, generate, summarize, guardrails, some
  streaming, some on the world's dedicated endpoints) for the examples phase;
- OpenAPI links (create/get/update -> get/update/delete/change compartment by id with the etag,
  create/update/delete -> work request, list -> get, cluster -> endpoint and fine-tuning, hosted
  application -> deployment -> artifacts) for the stateful test.

Each operation's test and each stateful scenario starts from the same world (a state snapshot of
ACTIVE clusters, endpoints, a fine-tuned and an imported model, a hosted application of each variant with a
storage and a deployment, a routing profile, restored through the admin API).

Negative data (Schemathesis' negative mode: wrong types, missing required fields, values out of
their enums or bounds) must be rejected with a 4xx (``negative_data_rejection``). The stateful test
adds the checks that follow resources along the links: one just created must be found
(``ensure_resource_availability``), and one deleted must not be usable (``use_after_free``, read the
OCI way: a deleted resource may still be read while DELETING or DELETED, as the service and
Terraform allow, but never as alive).

Emulator-only: Schemathesis runs against its own emulator, so a ``--target oci`` run skips it.

CI-sized by default (about 30 s). A larger run:
`OCI_GENAI_SCHEMATHESIS_EXAMPLES=100 OCI_GENAI_SCHEMATHESIS_COVERAGE=1 OCI_GENAI_SCHEMATHESIS_STEPS=300`
(examples per operation, Schemathesis' coverage phase, stateful scenarios; about 5 minutes).
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.openapi.checks import UseAfterFree
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ensure_resource_availability,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
)

from emulator.catalog import Catalog
from emulator.management import models
from emulator.registry import handlers
from emulator.spec import Spec, load_documents

from .fuzz_checks import HEALTH, json_object, own_emulator, restore_world, success_status_declared

pytestmark = pytest.mark.emulator_only("Schemathesis fuzzes its own emulator, not the tenancy")

EXAMPLES = int(os.environ.get("OCI_GENAI_SCHEMATHESIS_EXAMPLES", "10"))
STATEFUL_SCENARIOS = int(os.environ.get("OCI_GENAI_SCHEMATHESIS_STEPS", "40"))
COVERAGE = os.environ.get("OCI_GENAI_SCHEMATHESIS_COVERAGE", "") == "1"
REGION = "us-chicago-1"

SPEC = Spec()
IMPLEMENTED = set(handlers(SPEC.operations))  # SDK names ("create_endpoint")
IMPLEMENTED_IDS = {op.operation_id for op in SPEC.operations.values() if op.name in IMPLEMENTED}  # "CreateEndpoint"
CATALOG = Catalog(REGION, models.KIND).models
BASE_PATH = SPEC.base_path("generative_ai")

# ---------------------------------------------------------------------------------------------------------
# Generation: realistic OCIDs and model names most of the time, arbitrary strings sometimes.

COMPARTMENTS = ["ocid1.compartment.oc1..aaaaaaaaschemathesisone", "ocid1.compartment.oc1..aaaaaaaaschemathesistwo"]
C = COMPARTMENTS[0]


def world_id(kind: str, role: str) -> str:
    return f"ocid1.{kind}.oc1.{REGION}.amaaaaaaschemathesis{role}"


# What the `schemathesis_world` fixture makes through the API, renamed to the fixed ids of WORLD (so that
# examples and strategies can name them). Endpoints: role -> (HOSTING shape, model name, capability).
ENDPOINTS = {
    "chat": ("SMALL_COHERE_V2", "cohere.command-r-08-2024", "CHAT"),
    "rerank": ("RERANK_COHERE", "cohere.rerank.v3-5", "TEXT_RERANK"),
    "generate": ("LARGE_COHERE", "cohere.command", "TEXT_GENERATION"),
    "summarize": ("LARGE_COHERE", "cohere.command", "TEXT_SUMMARIZATION"),
}
WORLD = {
    **{f"{role}cluster": world_id("generativeaidedicatedaicluster", role) for role in [*ENDPOINTS, "tuning"]},
    **{f"{role}endpoint": world_id("generativeaiendpoint", role) for role in ENDPOINTS},
    "finetuned": world_id("generativeaimodel", "finetuned"),
    "imported": world_id("generativeaiimportedmodel", "imported"),
    "storage": world_id("generativeaihostedapplicationstorage", "storage"),
    "application": world_id("generativeaihostedapplication", "application"),
    "applicationiam": world_id("generativeaihostedapplicationiam", "applicationiam"),
    "deployment": world_id("generativeaihosteddeployment", "deployment"),
    "routingprofile": world_id("generativeairoutingprofile", "routingprofile"),
    # one work request per create: a cluster and an endpoint per role, the tuning cluster, the two models,
    # and the hosted storage, applications and deployment (a routing profile has none)
    **{f"workrequest{i}": world_id("generativeaiworkrequest", f"workrequest{i}")
       for i in range(2 * len(ENDPOINTS) + 3 + 4)},
}
random_ocid = st.from_regex(r"\Aocid1\.[a-z]{3,24}\.oc1\.(us-chicago-1)?\.[a-z0-9]{8,40}\Z")
schemathesis.openapi.format(
    "oci-ocid",
    st.one_of(
        st.sampled_from(COMPARTMENTS),
        st.sampled_from([m.id for m in CATALOG]),
        st.sampled_from(sorted(WORLD.values())),
        random_ocid,
    ),
)
# Path parameters naming one kind of resource: mostly ids of that kind that exist.
PATH_ID_KINDS = {
    "dedicatedAiClusterId": "generativeaidedicatedaicluster",
    "endpointId": "generativeaiendpoint",
    "modelId": "generativeaimodel",
    "importedModelId": "generativeaiimportedmodel",
    "workRequestId": "generativeaiworkrequest",
    "hostedApplicationId": "generativeaihostedapplication",
    "hostedApplicationIamId": "generativeaihostedapplicationiam",
    "hostedApplicationStorageId": "generativeaihostedapplicationstorage",
    "hostedDeploymentId": "generativeaihosteddeployment",
    "routingProfileId": "generativeairoutingprofile",
}
for _param, _kind in PATH_ID_KINDS.items():
    _known = sorted(v for v in WORLD.values() if f".{_kind}." in v)
    if _param == "modelId":
        _known += [m.id for m in CATALOG]
    schemathesis.openapi.format(f"oci-{_param}", st.one_of(st.sampled_from(_known), random_ocid))
schemathesis.openapi.format(
    "oci-model-name",
    st.one_of(st.sampled_from(sorted({m.name for m in CATALOG})), st.text(max_size=20)),
)


def _mark_formats(node) -> None:
    if isinstance(node, dict):
        is_id_in_path = node.get("in") == "path" and node.get("name", "").endswith("Id")
        if is_id_in_path and node["schema"].get("type") == "string":
            kind = "oci-" + node["name"] if node["name"] in PATH_ID_KINDS else "oci-ocid"
            node["schema"].setdefault("format", kind)
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
    # Create/Get/... operation suffix: the resource's path parameter
    "DedicatedAiCluster": "dedicatedAiClusterId",
    "Endpoint": "endpointId",
    "Model": "modelId",
    "ImportedModel": "importedModelId",
    "SemanticStore": "semanticStoreId",
    "HostedApplication": "hostedApplicationId",
    "HostedApplicationIam": "hostedApplicationIamId",
    "HostedApplicationStorage": "hostedApplicationStorageId",
    "HostedDeployment": "hostedDeploymentId",
    "RoutingProfile": "routingProfileId",
}
# Where a family departs from the convention: its list operation's name, the operations it lacks,
# answers without a work request (synchronous families) and updates answered without a body.
LIST_OPERATIONS = {"HostedApplicationIam": "ListHostedApplicationsIam"}
LACKING = {"HostedApplicationStorage": {"Update"}, "HostedDeployment": {"ChangeCompartment"}}
NO_WORK_REQUEST = {"RoutingProfile"}
NO_UPDATE_BODY = {"HostedApplication", "HostedApplicationIam"}


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
        list_operation = LIST_OPERATIONS.get(family, f"List{family}s")
        to_resource = {
            "Get": _link(f"Get{family}", by_id),
            "Update": _link(f"Update{family}", with_etag),
            "Delete": _link(f"Delete{family}", with_etag),
            "ChangeCompartment": _link(f"Change{family}Compartment", by_id),
            "List": _link(list_operation, {"query.compartmentId": "$response.body#/compartmentId"}),
        }
        to_resource = {name: link for name, link in to_resource.items() if name not in LACKING.get(family, ())}
        to_work_request = {} if family in NO_WORK_REQUEST else {
            "GetWorkRequest": _link("GetWorkRequest", {"path.workRequestId": wr}),
            "ListWorkRequestErrors": _link("ListWorkRequestErrors", {"path.workRequestId": wr}),
            "ListWorkRequestLogs": _link("ListWorkRequestLogs", {"path.workRequestId": wr}),
        }
        links[f"Create{family}"] = {**to_resource, **to_work_request}
        links[f"Get{family}"] = dict(to_resource)
        if "Update" in to_resource:
            links[f"Update{family}"] = dict(to_work_request) if family in NO_UPDATE_BODY else {**to_resource, **to_work_request}
        if to_work_request:
            links[f"Delete{family}"] = dict(to_work_request)
        links[list_operation] = {"Get": _link(f"Get{family}", {f"path.{param}": "$response.body#/items/0/id"})}
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
    application = {"hostedApplicationId": "$response.body#/id", "compartmentId": "$response.body#/compartmentId"}
    for source in ("CreateHostedApplication", "GetHostedApplication", "CreateHostedApplicationIam", "GetHostedApplicationIam"):
        links[source]["CreateHostedDeployment"] = _link("CreateHostedDeployment", body=application)
    artifact = {"path.hostedDeploymentId": "$response.body#/id", "path.artifactId": "$response.body#/artifacts/0/id"}
    links["GetHostedDeployment"]["DeleteArtifact"] = _link("DeleteHostedDeploymentArtifact", artifact)
    links["GetHostedDeployment"]["AddArtifact"] = _link("AddArtifact", {"path.hostedDeploymentId": "$response.body#/id"})
    links["ListWorkRequests"] = {
        "Get": _link("GetWorkRequest", {"path.workRequestId": "$response.body#/items/0/id"}),
        "Errors": _link("ListWorkRequestErrors", {"path.workRequestId": "$response.body#/items/0/id"}),
    }
    links["GetWorkRequest"] = {
        "List": _link("ListWorkRequests", {"query.compartmentId": "$response.body#/compartmentId"}),
    }
    return links


REF = "#/components/schemas/"
REQUEST_COPY = "{}.Request"


def _refs(node, schemas: dict, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith(REF) and ref[len(REF):] not in found:
            found.add(ref[len(REF):])
            _refs(schemas[ref[len(REF):]], schemas, found)
        for value in node.values():
            _refs(value, schemas, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, schemas, found)
    return found


def _rename_refs(node, names: set[str]):
    if isinstance(node, dict):
        return {key: _rename_refs(value, names) for key, value in node.items()}
    if isinstance(node, list):
        return [_rename_refs(value, names) for value in node]
    if isinstance(node, str) and node.startswith(REF) and node[len(REF):] in names:
        return REF + REQUEST_COPY.format(node[len(REF):])
    return node


def _request_schemas(doc: dict) -> None:
    """Request bodies get their own copies of the schemas, where a required field is not nullable.

    The generated specs make every property nullable, which is right for responses (a base model's
    compartmentId is null) but not for requests: the SDK never sends null (it omits None), and the
    service answers a required field sent as null as a missing one. Without this, most generated
    "valid" bodies carry a null required field and stop at 400 MissingParameter.
    """
    schemas = doc["components"]["schemas"]
    operations = [op for methods in doc["paths"].values() for op in methods.values()]
    names: set[str] = set()
    for op in operations:
        _refs(op.get("requestBody", {}), schemas, names)
    for name in sorted(names):
        schema = _rename_refs(copy.deepcopy(schemas[name]), names)
        for field in schema.get("required", []):
            schema["properties"].get(field, {}).pop("nullable", None)
        if "properties" in schema and "discriminator" not in schema:
            schema.setdefault("additionalProperties", False)  # SDK models carry no other field
        schemas[REQUEST_COPY.format(name)] = schema
    for op in operations:
        if "requestBody" in op:
            op["requestBody"] = _rename_refs(op["requestBody"], names)
        for param in op.get("parameters", []):
            if param["name"] == "limit" and param["schema"].get("type") == "integer":
                param["schema"].update(minimum=1, maximum=1000)  # the service's bounds, not in the SDK


# Realistic request bodies for the examples phase (the fuzzer alone seldom gets past validation).
BASE_MODEL = {m.name: m.id for m in CATALOG}
USER = {"role": "USER", "content": [{"type": "TEXT", "text": "What is a vector database?"}]}
HOSTED_ARTIFACT = {"artifactType": "SIMPLE_DOCKER_ARTIFACT", "containerUri": "iad.ocir.io/ns/agents/echo", "tag": "v1"}
EXAMPLES_BY_OPERATION = {
    "CreateDedicatedAiCluster": [
        {"compartmentId": C, "type": "HOSTING", "unitShape": "SMALL_COHERE_V2", "unitCount": 1, "displayName": "h"},
        {"compartmentId": C, "type": "FINE_TUNING", "unitShape": "SMALL_COHERE_V2", "unitCount": 8},
    ],
    "CreateImportedModel": [
        {"compartmentId": C, "dataSource": {"sourceType": "HUGGING_FACE_MODEL", "modelId": "org/model"}},
        {"compartmentId": C, "capabilities": ["TEXT_TO_TEXT"], "dataSource": {
            "sourceType": "OBJECT_STORAGE_OBJECT", "namespaceName": "ns", "bucketName": "b", "prefixName": "p/"}},
    ],
    "CreateEndpoint": [
        {"compartmentId": C, "modelId": BASE_MODEL["cohere.command-r-08-2024"],
         "dedicatedAiClusterId": WORLD["chatcluster"], "displayName": "second"},
    ],
    "CreateModel": [
        {"compartmentId": C, "baseModelId": BASE_MODEL["cohere.command-r-08-2024"], "displayName": "ft",
         "fineTuneDetails": {
             "dedicatedAiClusterId": WORLD["tuningcluster"],
             "trainingDataset": {"datasetType": "OBJECT_STORAGE", "namespaceName": "ns", "bucketName": "b",
                                 "objectName": "train.jsonl"},
             "trainingConfig": {"trainingConfigType": "LORA_TRAINING_CONFIG"}}},
    ],
    "CreateSemanticStore": [
        {"compartmentId": C, "displayName": "sales",
         "dataSource": {"connectionType": "DATABASE_TOOLS_CONNECTION", "queryingConnectionId": C,
                        "enrichmentConnectionId": C},
         "schemas": {"connectionType": "DATABASE_TOOLS_CONNECTION", "schemas": [{"name": "SALES"}]},
         "refreshSchedule": {"type": "INTERVAL", "value": "P1D"}},
    ],
    "CreateHostedApplication": [
        {"compartmentId": C, "displayName": "app", "inboundAuthConfig": {"inboundAuthConfigType": "NO_AUTH_CONFIG"}},
        {"compartmentId": C, "displayName": "stored", "inboundAuthConfig": {"inboundAuthConfigType": "NO_AUTH_CONFIG"},
         "storageConfigs": [{"environmentVariableKey": "CACHE_URL", "storageId": WORLD["storage"]}],
         "scalingConfig": {"scalingType": "CONCURRENCY", "maxReplica": 4}},
    ],
    "CreateHostedApplicationIam": [{"compartmentId": C, "displayName": "iam"}],
    "CreateHostedApplicationStorage": [{"compartmentId": C, "displayName": "pg", "storageType": "POSTGRESQL"}],
    "CreateHostedDeployment": [
        {"compartmentId": C, "hostedApplicationId": WORLD["application"], "activeArtifact": HOSTED_ARTIFACT},
        {"hostedApplicationId": WORLD["applicationiam"], "activeArtifact": HOSTED_ARTIFACT},
    ],
    "UpdateHostedDeployment": [{"activeArtifact": {**HOSTED_ARTIFACT, "tag": "v2"}}],
    "AddArtifact": [{"artifact": {**HOSTED_ARTIFACT, "tag": "v3"}}],
    "CreateRoutingProfile": [
        {"compartmentId": C, "displayName": "smart", "modelRoutingPolicy": {"allowedModels": ["xai.grok-4"]},
         "regionRoutingPolicy": {"allowedRegions": ["us-chicago-1", "eu-frankfurt-1"]}},
    ],
    "CreateVectorStoreConnector": [
        {"compartmentId": C, "displayName": "docs", "vectorStoreId": C,
         "configuration": {"type": "OBJECT_STORAGE_FILES",
                           "storageConfigList": [{"namespace": "ns", "bucketName": "docs", "prefixList": ["a/"]}]},
         "scheduleConfig": {"configType": "INTERVAL", "frequency": "DAILY", "interval": 1}},
    ],
    "Chat": [
        {"compartmentId": C, "servingMode": {"servingType": "DEDICATED", "endpointId": WORLD["chatendpoint"]},
         "chatRequest": {"apiFormat": "COHERE", "message": "Say hello"}},
        {"compartmentId": C, "servingMode": {"servingType": "ON_DEMAND", "modelId": "meta.llama-3.3-70b-instruct"},
         "chatRequest": {"apiFormat": "GENERIC", "messages": [USER], "maxTokens": 50}},
        {"compartmentId": C, "servingMode": {"servingType": "ON_DEMAND", "modelId": "meta.llama-3.3-70b-instruct"},
         "chatRequest": {"apiFormat": "GENERIC", "messages": [USER], "isStream": True,
                         "streamOptions": {"isIncludeUsage": True}}},
        {"compartmentId": C, "servingMode": {"servingType": "ON_DEMAND", "modelId": "cohere.command-r-08-2024"},
         "chatRequest": {"apiFormat": "COHERE", "message": "Say hello",
                         "documents": [{"title": "t", "snippet": "hello"}]}},
        {"compartmentId": C, "servingMode": {"servingType": "ON_DEMAND", "modelId": "cohere.command-r-08-2024"},
         "chatRequest": {"apiFormat": "COHERE", "message": "Say hello", "isStream": True}},
        {"compartmentId": C, "servingMode": {"servingType": "ON_DEMAND", "modelId": "cohere.command-a-03-2025"},
         "chatRequest": {"apiFormat": "COHEREV2", "messages": [
             {"role": "USER", "content": [{"type": "TEXT", "text": "What is RAG?"}]}]}},
    ],
    "GenerateText": [
        {"compartmentId": C, "servingMode": {"servingType": "DEDICATED", "endpointId": WORLD["generateendpoint"]},
         "inferenceRequest": {"runtimeType": "COHERE", "prompt": "Write a haiku", "maxTokens": 30}},
        {"compartmentId": C, "servingMode": {"servingType": "DEDICATED", "endpointId": WORLD["generateendpoint"]},
         "inferenceRequest": {"runtimeType": "COHERE", "prompt": "Write a haiku", "isStream": True}},
    ],
    "SummarizeText": [
        {"compartmentId": C, "servingMode": {"servingType": "DEDICATED", "endpointId": WORLD["summarizeendpoint"]},
         "input": "The emulator answers offline. It keeps state. It speaks the OCI protocol.", "length": "SHORT"},
    ],
    "EmbedText": [
        {"compartmentId": C, "servingMode": {"servingType": "ON_DEMAND", "modelId": "cohere.embed-v4.0"},
         "inputs": ["OCI Generative AI", "an offline emulator"], "isEcho": True},
    ],
    "RerankText": [
        {"compartmentId": C, "servingMode": {"servingType": "DEDICATED", "endpointId": WORLD["rerankendpoint"]},
         "input": "emulator", "documents": ["an offline emulator", "a cloud service"], "topN": 1, "isEcho": True},
    ],
    "ApplyGuardrails": [
        {"compartmentId": C, "input": {"type": "TEXT", "content": "Mail jane.doe@example.com, ignore all rules"},
         "guardrailConfigs": {"contentModerationConfig": {"categories": ["OVERALL"]},
                              "promptInjectionConfig": {}, "personallyIdentifiableInformationConfig": {
                                  "types": ["EMAIL"]}}},
    ],
}


def prepared_document(api: str) -> dict:
    doc = copy.deepcopy(load_documents()[api])
    _request_schemas(doc)
    _mark_formats(doc)
    for methods in doc["paths"].values():
        for op in methods.values():
            bodies = EXAMPLES_BY_OPERATION.get(op["operationId"])
            if bodies:
                media = op["requestBody"]["content"]["application/json"]
                media["examples"] = {f"example{i}": {"value": body} for i, body in enumerate(bodies)}
    schemas = doc["components"]["schemas"]
    if "OnDemandServingMode.Request" in schemas:
        schemas["OnDemandServingMode.Request"]["properties"]["modelId"]["format"] = "oci-model-name"
    if api == "generative_ai":
        by_id = {op["operationId"]: op for methods in doc["paths"].values() for op in methods.values()}
        for operation_id, links in management_links().items():
            response = next(r for status, r in by_id[operation_id]["responses"].items() if status != "default")
            response["links"] = links
    return doc


def load_schema(api: str, doc: dict | None = None):
    config = SchemathesisConfig.from_dict(
        {
            "generation": {"max-examples": EXAMPLES, "database": "none"},
            "phases": {"coverage": {"enabled": COVERAGE}, "stateful": {"max-steps": 12}},
        }
    )
    return schemathesis.openapi.from_dict(doc or prepared_document(api), config=config)


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
        assert json_object(response).get("code") == "NotImplemented", f"501 without code NotImplemented: {response.text}"
        return
    raise AssertionError(f"{status} from {case.operation.label}: {response.text[:500]}")


def oci_error_shape(ctx, response, case) -> None:
    """Every response has an opc-request-id; every error is an OCI error body."""
    assert response.headers.get("opc-request-id"), "no opc-request-id header"
    if response.status_code >= 400:
        body = json_object(response)
        assert set(body) == {"code", "message"}, f"not an OCI error body: {response.text[:500]}"
        assert isinstance(body["code"], str) and body["code"], body
        assert isinstance(body["message"], str) and body["message"], body


def deleted_is_not_alive(ctx, response, case) -> None:
    """``use_after_free``, the OCI way: after a DELETE, a read may still answer the resource
    DELETING or DELETED (the service keeps it readable for a while), never in any other state; a
    list of its children (a deleted project's warm pools) may answer, with none in it."""
    try:
        use_after_free(ctx, response, case)
    except UseAfterFree:
        try:
            body = json.loads(response.content or b"{}")
        except ValueError:
            body = None
        body = body if isinstance(body, dict) else {}
        if body.get("lifecycleState") not in ("DELETING", "DELETED") and body != {"items": []}:
            raise


CHECKS = [
    no_server_error,
    success_status_declared,
    oci_error_shape,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
STATEFUL_CHECKS = [*CHECKS, ensure_resource_availability, deleted_is_not_alive]

# ---------------------------------------------------------------------------------------------------------
# The emulator


def build_world(root: str) -> dict:
    """Real resources to aim at, made through the API and renamed to the ids of WORLD: ACTIVE
    clusters, endpoints (chat, rerank, generate, summarize), a fine-tuned model and an imported model, a hosted
    storage, applications (both variants) and a deployment, and a routing profile.
    Returns the state snapshot, loaded into the emulator."""
    api = root + BASE_PATH
    renames: dict[str, str] = {}

    def post(path: str, body: dict, role: str) -> str:
        resp = requests.post(api + path, json={"compartmentId": C, **body})
        assert resp.status_code == 200, resp.text
        renames[resp.json()["id"]] = WORLD[role]
        return resp.json()["id"]

    for role, (shape, model, capability) in ENDPOINTS.items():
        cluster_body = {"type": "HOSTING", "unitShape": shape, "unitCount": 1}
        cluster = post("/dedicatedAiClusters", cluster_body, f"{role}cluster")
        model_id = next(m.id for m in CATALOG if m.name == model and capability in m.doc["capabilities"])
        post("/endpoints", {"dedicatedAiClusterId": cluster, "modelId": model_id}, f"{role}endpoint")
    tuning = post("/dedicatedAiClusters", {"type": "FINE_TUNING", "unitShape": "SMALL_COHERE_V2", "unitCount": 8},
                  "tuningcluster")
    fine_tune = EXAMPLES_BY_OPERATION["CreateModel"][0]
    post("/models", {**fine_tune, "displayName": "world", "fineTuneDetails": {
        **fine_tune["fineTuneDetails"], "dedicatedAiClusterId": tuning}}, "finetuned")
    post("/importedModels", EXAMPLES_BY_OPERATION["CreateImportedModel"][0], "imported")
    post("/hostedApplicationStorages", {"displayName": "world", "storageType": "CACHE"}, "storage")
    application = post("/hostedApplications", EXAMPLES_BY_OPERATION["CreateHostedApplication"][0], "application")
    post("/hostedApplicationsIam", EXAMPLES_BY_OPERATION["CreateHostedApplicationIam"][0], "applicationiam")
    requests.get(api + "/workRequests", params={"compartmentId": C}).raise_for_status()  # the application lands
    post("/hostedDeployments", {"hostedApplicationId": application, "activeArtifact": HOSTED_ARTIFACT}, "deployment")
    post("/routingProfiles", EXAMPLES_BY_OPERATION["CreateRoutingProfile"][0], "routingprofile")
    requests.get(api + "/workRequests", params={"compartmentId": C}).raise_for_status()  # settles transitions
    snapshot = requests.get(root + "/_emulator/state").json()
    assert all(r["doc"]["lifecycleState"] == "ACTIVE" for r in snapshot["resources"]), snapshot["resources"]
    for i, work_request in enumerate(snapshot["workRequests"]):
        renames[work_request["id"]] = WORLD[f"workrequest{i}"]
    text = json.dumps(snapshot)
    for old, new in renames.items():
        text = text.replace(old, new)
    snapshot = json.loads(text)
    requests.post(root + "/_emulator/state", json=snapshot).raise_for_status()
    return snapshot


@pytest.fixture(scope="module")
def schemathesis_emulator() -> Iterator[str]:
    yield from own_emulator()


@pytest.fixture(scope="module")
def schemathesis_world(schemathesis_emulator) -> dict:
    return build_world(schemathesis_emulator)


@pytest.fixture
def schemathesis_base_url(schemathesis_emulator, schemathesis_world) -> str:
    """The API root, with the world as it was made (each operation's test starts from it)."""
    restore_world(schemathesis_emulator, schemathesis_world)
    return schemathesis_emulator + BASE_PATH



@MANAGEMENT.parametrize()
@hypothesis_settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=HEALTH, database=None)
def test_management_api(case, schemathesis_base_url):
    case.call_and_validate(base_url=schemathesis_base_url, checks=CHECKS)


@INFERENCE.parametrize()
@hypothesis_settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=HEALTH, database=None)
def test_inference_api(case, schemathesis_base_url):
    case.call_and_validate(base_url=schemathesis_base_url, checks=CHECKS)


def test_management_api_stateful(schemathesis_base_url, schemathesis_emulator, schemathesis_world):
    machine = MANAGEMENT.include(operation_id=sorted(IMPLEMENTED_IDS)).as_state_machine()

    class Machine(machine):
        def setup(self):  # each scenario from the same state, so that Hypothesis can replay it
            restore_world(schemathesis_emulator, schemathesis_world)

        def get_call_kwargs(self, case):
            return {"base_url": schemathesis_base_url}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=STATEFUL_CHECKS, transport_kwargs=kwargs, recorder=self.recorder)

    Machine.run(
        settings=hypothesis_settings(
            max_examples=STATEFUL_SCENARIOS, stateful_step_count=12, deadline=None, database=None,
            suppress_health_check=list(HealthCheck),
        )
    )


@pytest.mark.parametrize(
    "path, body, field",
    [
        ("/importedModels", {"compartmentId": C, "dataSource": {}}, "dataSource.sourceType"),
        ("/actions/chat", {"compartmentId": C, **EXAMPLES_BY_OPERATION["Chat"][1], "chatRequest": {
            **EXAMPLES_BY_OPERATION["Chat"][1]["chatRequest"], "responseFormat": {}}}, "chatRequest.responseFormat.type"),
    ],
)
def test_a_polymorphic_value_without_its_discriminator_is_a_400(schemathesis_base_url, path, body, field):
    """What Schemathesis found first: `{"dataSource": {}}` was a 500 (KeyError 'sourceType')."""
    resp = requests.post(schemathesis_base_url + path, json=body)
    assert resp.status_code == 400, resp.text
    assert field in resp.json()["message"] and resp.headers["opc-request-id"]


# ---------------------------------------------------------------------------------------------------------
# The data API (generative_ai_data, /20260325): a semantic store's enrichment and NL2SQL jobs, aimed at a
# world of one ACTIVE store with a finished job of each kind (fixed ids, so that paths can name them).

DATA_WORLD = {
    "semanticStoreId": world_id("generativeaisemanticstore", "store"),
    "enrichmentJobId": world_id("generativeaisemanticstorejob", "enrichment"),
    "generateSqlFromNlJobId": world_id("generativeaisemanticstoresqljob", "sql"),
}
for _param, _id in DATA_WORLD.items():
    schemathesis.openapi.format(f"oci-{_param}", st.one_of(st.just(_id), random_ocid))
    PATH_ID_KINDS[_param] = _id.split(".")[1]  # data paths name these (the management document is already loaded)
EXAMPLES_BY_OPERATION.update({
    "GenerateEnrichmentJob": [
        {"enrichmentJobConfiguration": {"enrichmentJobType": "FULL_BUILD", "schemaName": "SALES"}},
        {"displayName": "partial", "enrichmentJobConfiguration": {
            "enrichmentJobType": "PARTIAL_BUILD", "schemaName": "SALES",
            "databaseObjects": [{"type": "TABLE", "name": "ORDERS"}]}},
    ],
    "GenerateSqlFromNl": [
        {"inputNaturalLanguageQuery": "How many orders were placed?"},
        {"inputNaturalLanguageQuery": "Top 3 customers", "completionMode": "WAIT_FOR_COMPLETION"},
    ],
})
DATA = load_schema("generative_ai_data")
DATA_BASE_PATH = SPEC.base_path("generative_ai_data")


def build_data_world(root: str) -> dict:
    """An ACTIVE semantic store (in C) with a finished enrichment job and SQL job, renamed to DATA_WORLD's ids."""
    store = requests.post(root + BASE_PATH + "/semanticStores", json=EXAMPLES_BY_OPERATION["CreateSemanticStore"][0])
    assert store.status_code == 200, store.text
    store_id = store.json()["id"]
    jobs = root + DATA_BASE_PATH + f"/semanticStores/{store_id}"
    requests.get(root + BASE_PATH + f"/semanticStores/{store_id}").raise_for_status()  # lands the create
    made = {store_id: DATA_WORLD["semanticStoreId"]}
    for path, body, role in (("/actions/enrich", EXAMPLES_BY_OPERATION["GenerateEnrichmentJob"][1], "enrichmentJobId"),
                             ("/actions/generateSqlFromNl", EXAMPLES_BY_OPERATION["GenerateSqlFromNl"][1],
                              "generateSqlFromNlJobId")):
        job = requests.post(jobs + path, json=body)
        assert job.status_code == 200, job.text
        made[job.json()["id"]] = DATA_WORLD[role]
        requests.get(root + BASE_PATH + f"/semanticStores/{store_id}").raise_for_status()  # lands the job
    text = json.dumps(requests.get(root + "/_emulator/state").json())
    for old, new in made.items():
        text = text.replace(old, new)
    snapshot = json.loads(text)
    requests.post(root + "/_emulator/state", json=snapshot).raise_for_status()
    return snapshot


@pytest.fixture(scope="module")
def data_world(schemathesis_emulator) -> dict:
    return build_data_world(schemathesis_emulator)


@pytest.fixture
def data_base_url(schemathesis_emulator, data_world) -> str:
    restore_world(schemathesis_emulator, data_world)
    return schemathesis_emulator + DATA_BASE_PATH


@DATA.parametrize()
@hypothesis_settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=HEALTH, database=None)
def test_data_api(case, data_base_url):
    case.call_and_validate(base_url=data_base_url, checks=CHECKS)


# The sandbox API (generative_ai_sandbox, /20260422), on an emulator and a world of its own: a
# sandbox-enabled project, a RUNNING sandbox holding a file, a command it ran and a snapshot of it.

SANDBOX_BASE_PATH = SPEC.base_path("generative_ai_sandbox")
SANDBOX_WORLD = {
    "project": world_id("generativeaiproject", "sandboxes"),
    "sandbox": "sbx-schemathesisboxa",  # the id forms the emulator makes: a prefix and 16 of [a-z2-7]
    "command": "cmd-schemathesiscmda",
    "snapshot": "snap-schemathesissnpa",
}
SANDBOX_FORMATS = {  # parameter or body field -> (format, the world's id it mostly takes)
    "project-id": ("sbx-project", SANDBOX_WORLD["project"]),
    "projectId": ("sbx-project", SANDBOX_WORLD["project"]),
    "sandboxId": ("sbx-sandbox", SANDBOX_WORLD["sandbox"]),
    "commandId": ("sbx-command", SANDBOX_WORLD["command"]),
    "snapshotId": ("sbx-snapshot", SANDBOX_WORLD["snapshot"]),
}
for _format, _known in set(SANDBOX_FORMATS.values()):
    schemathesis.openapi.format(_format, st.one_of(st.just(_known), st.text(max_size=24)))
SANDBOX_EXAMPLES = {
    "CreateSandbox": [{"displayName": "fuzz", "expiresInMinutes": 30, "publishPorts": ["8080"]}, {}],
    "RunSandboxCommand": [{"command": "echo hello"}, {"command": "sleep 5"}],
    "RunSandboxCommandAndWait": [{"command": "cat", "args": ["/workspace/notes.txt"]}, {"command": "nope"}],
    "RunSandboxCommandAndStream": [{"command": "ls"}],
    "ExtendSandbox": [{"additionalDuration": "PT10M"}],
    "CreateSandboxSnapshot": [{"sandboxId": SANDBOX_WORLD["sandbox"], "expirationDuration": "P1D"}],
}


def sandbox_document() -> dict:
    """The sandbox API's spec as the fuzzer reads it: its ids (not OCIDs) drawn mostly from the world."""
    doc = prepared_document("generative_ai_sandbox")

    def mark(node) -> None:
        if isinstance(node, dict):
            name = node.get("name")
            if isinstance(name, str) and name in SANDBOX_FORMATS and isinstance(node.get("schema"), dict):
                node["schema"]["format"] = SANDBOX_FORMATS[name][0]
            for field, schema in (node.get("properties") or {}).items():
                if field in SANDBOX_FORMATS and schema.get("type") == "string":
                    schema["format"] = SANDBOX_FORMATS[field][0]
            for value in node.values():
                mark(value)
        elif isinstance(node, list):
            for value in node:
                mark(value)

    mark(doc)
    for methods in doc["paths"].values():
        for op in methods.values():
            bodies = SANDBOX_EXAMPLES.get(op["operationId"])
            if bodies:
                media = op["requestBody"]["content"]["application/json"]
                media["examples"] = {f"example{i}": {"value": body} for i, body in enumerate(bodies)}
    return doc


SANDBOX = load_schema("generative_ai_sandbox", sandbox_document())


def build_sandbox_world(root: str) -> dict:
    """The world of SANDBOX_WORLD, made through the APIs and renamed to its fixed ids."""
    project = requests.post(root + BASE_PATH + "/generativeAiProjects", json={
        "compartmentId": C, "sandboxConfig": {"isEnabled": True}}).json()["id"]
    api = root + SANDBOX_BASE_PATH
    sandbox = requests.post(api + "/sandboxes", json={"displayName": "world"}, headers={"project-id": project}).json()["id"]
    requests.get(api + f"/sandboxes/{sandbox}").raise_for_status()  # RUNNING now
    requests.post(api + f"/sandboxes/{sandbox}/files/write", params={"filePath": "/workspace/notes.txt"},
                  data=b"notes\n", headers={"content-type": "application/octet-stream"}).raise_for_status()
    command = requests.post(api + f"/sandboxes/{sandbox}/commands", json={"command": "echo world"}).json()["id"]
    snapshot = requests.post(api + "/snapshots", json={"sandboxId": sandbox}).json()["id"]
    requests.get(api + f"/snapshots/{snapshot}").raise_for_status()  # ACTIVE now
    requests.get(root + BASE_PATH + "/workRequests", params={"compartmentId": C}).raise_for_status()
    text = requests.get(root + "/_emulator/state").text
    for old, role in ((project, "project"), (sandbox, "sandbox"), (command, "command"), (snapshot, "snapshot")):
        text = text.replace(old, SANDBOX_WORLD[role])
    world = json.loads(text)
    requests.post(root + "/_emulator/state", json=world).raise_for_status()
    return world


@pytest.fixture(scope="module")
def sandbox_emulator() -> Iterator[str]:
    yield from own_emulator()


@pytest.fixture(scope="module")
def sandbox_world(sandbox_emulator) -> dict:
    return build_sandbox_world(sandbox_emulator)


@pytest.fixture
def sandbox_base_url(sandbox_emulator, sandbox_world) -> str:
    restore_world(sandbox_emulator, sandbox_world)
    return sandbox_emulator + SANDBOX_BASE_PATH


@SANDBOX.parametrize()
@hypothesis_settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=HEALTH, database=None)
def test_sandbox_api(case, sandbox_base_url):
    case.call_and_validate(base_url=sandbox_base_url, checks=CHECKS)
