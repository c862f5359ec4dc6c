"""Schemathesis over OCI's OpenAI-compatible API (``specs/openai.json``): every operation, examples and
generated cases, against a "world" of one of each object (a response, a conversation with items, a
file, a vector store holding it, a file batch, a container with a file).

Every response must have: no 5xx, a declared status, the declared content type and body schema, an
OpenAI error body (``{"error": {"message", "type", "param", "code"}}``) for every error, and an
``x-request-id``; negative data (wrong types, missing fields, values out of their enums and bounds)
must be refused with a 4xx. Path parameters are mostly the world's ids (so cases reach the handlers,
not just the 404), sometimes arbitrary text.

The project header is not fuzzed: every case is scoped by ``opc-compartment-id`` (the header the
API takes before projects), so generated headers do not end every case at "no such project".

Emulator-only, like the other Schemathesis tests: ``--target oci`` skips it. Sized by the same
``OCI_GENAI_SCHEMATHESIS_EXAMPLES`` and ``OCI_GENAI_SCHEMATHESIS_COVERAGE`` variables (the coverage
phase also sends unknown query parameters, which the emulator ignores, as the services do, and
reports them as accepted negative data). Forms (file uploads) are not checked for negative data:
whatever type a field's schema drew reaches the wire as text, which is valid.
"""

from __future__ import annotations

import copy
import io
import json
import os
from collections.abc import Iterator

import openai
import pytest
import requests
import schemathesis
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from emulator.spec import load_documents

from .fuzz_checks import HEALTH, json_object, own_emulator, restore_world, success_status_declared
from .openai_target import MODEL

pytestmark = pytest.mark.emulator_only("Schemathesis fuzzes its own emulator, not the tenancy")

EXAMPLES = int(os.environ.get("OCI_GENAI_SCHEMATHESIS_EXAMPLES", "10"))
COVERAGE = os.environ.get("OCI_GENAI_SCHEMATHESIS_COVERAGE", "") == "1"
COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaaschemathesisopenai"
SCOPE = {"opc-compartment-id": COMPARTMENT}
SCOPE_HEADERS = {"openai-project", "opc-compartment-id", "compartmentid", "opc-conversation-store-id"}
MANAGEMENT_BASE, INFERENCE_BASE = "/20231130/openai/v1", "/openai/v1"

# The world's objects get these ids (the emulator's own are renamed in its state snapshot).
WORLD = {
    "response_id": "resp_world", "conversation_id": "conv_world", "item_id": "msg_world", "file_id": "file-world",
    "vector_store_id": "vs_world", "batch_id": "vsfb_world", "container_id": "cntr_world",
}
CONTAINER_FILE = "cfile_world"
for _name, _id in WORLD.items():
    known = [_id, CONTAINER_FILE] if _name == "file_id" else [_id]
    schemathesis.openapi.format(f"world-{_name}", st.one_of(st.sampled_from(known), st.text(max_size=12)))

EXAMPLES_BY_OPERATION = {
    "CreateResponse": [
        {"model": MODEL, "input": "What is a vector store?", "max_output_tokens": 60},
        {"model": MODEL, "input": "And then?", "previous_response_id": WORLD["response_id"]},
        {"model": MODEL, "input": "Stream it", "stream": True},
        {"model": MODEL, "input": "Where is the glacier?", "conversation": WORLD["conversation_id"]},
        {"model": MODEL, "input": "glacier", "tools": [{"type": "file_search", "vector_store_ids": [WORLD["vector_store_id"]]}]},
        {"model": MODEL, "input": "Weather in Paris?", "tools": [{"type": "function", "name": "weather", "parameters": {
            "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}]},
    ],
    "CreateConversation": [{"items": [{"type": "message", "role": "user", "content": "hi"}], "metadata": {"a": "b"}}],
    "UpdateConversation": [{"metadata": {"topic": "glaciers"}}],
    "CreateConversationItems": [{"items": [{"type": "message", "role": "user", "content": "more"}]}],
    "CreateVectorStore": [{"name": "kb", "file_ids": [WORLD["file_id"]], "metadata": {"team": "docs"}}],
    "UpdateVectorStore": [{"name": "renamed", "expires_after": {"anchor": "last_active_at", "days": 7}}],
    "CreateVectorStoreFile": [{"file_id": WORLD["file_id"], "attributes": {"topic": "ice"}}],
    "UpdateVectorStoreFile": [{"attributes": {"topic": "snow"}}],
    "CreateVectorStoreFileBatch": [{"file_ids": [WORLD["file_id"]]}],
    "SearchVectorStore": [{"query": "glacier", "max_num_results": 2,
                           "filters": {"type": "eq", "key": "topic", "value": "ice"}}],
    "CreateContainer": [{"name": "sandbox"}],
    "CreateChatCompletion": [
        {"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "max_tokens": 50},
        {"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "stream": True,
         "stream_options": {"include_usage": True}},
    ],
}


def prepared_document() -> dict:
    """specs/openai.json with the scope headers taken out (sent by every call instead), the
    world's ids as the formats of path parameters, and the examples."""
    doc = copy.deepcopy(load_documents()["openai"])
    for methods in doc["paths"].values():
        for method, op in methods.items():
            if method == "servers":
                continue
            op["parameters"] = [p for p in op.get("parameters", []) if p["name"].lower() not in SCOPE_HEADERS]
            for param in op["parameters"]:
                if param["in"] == "path" and param["name"] in WORLD:
                    param["schema"] = {**param["schema"], "format": f"world-{param['name']}"}
            bodies = EXAMPLES_BY_OPERATION.get(op["operationId"])
            if bodies:
                media = op["requestBody"]["content"]["application/json"]
                media["examples"] = {f"example{i}": {"value": body} for i, body in enumerate(bodies)}
    return doc


DOC = prepared_document()
MANAGEMENT_PATHS = {path for path, methods in DOC["paths"].items() if "servers" in methods}
SCHEMA = schemathesis.openapi.from_dict(DOC, config=SchemathesisConfig.from_dict({
    "generation": {"max-examples": EXAMPLES, "database": "none"},
    "phases": {"coverage": {"enabled": COVERAGE}},
}))


def no_server_error(ctx, response, case) -> None:
    assert response.status_code < 500, f"{response.status_code} from {case.operation.label}: {response.text[:500]}"


def openai_error_shape(ctx, response, case) -> None:
    """Every response has an x-request-id; every error is an OpenAI error body."""
    assert response.headers.get("x-request-id"), "no x-request-id header"
    if response.status_code >= 400:
        error = json_object(response).get("error")
        assert isinstance(error, dict) and set(error) == {"message", "type", "param", "code"}, response.text[:500]
        assert isinstance(error["message"], str) and error["message"] and isinstance(error["type"], str), error


CHECKS = [
    no_server_error,
    success_status_declared,
    openai_error_shape,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


def build_world(root: str) -> dict:
    """One of each object, made through the API (signed calls are not needed in loose auth mode),
    renamed to the ids of WORLD; returns the state snapshot, loaded into the emulator."""
    oai = openai.OpenAI(base_url=root + INFERENCE_BASE, api_key="unused", default_headers=SCOPE, max_retries=0)
    cp = openai.OpenAI(base_url=root + MANAGEMENT_BASE, api_key="unused", default_headers=SCOPE, max_retries=0)
    file = oai.files.create(file=("glacier.txt", io.BytesIO(b"A glacier is a river of ice."), "text/plain"),
                            purpose="user_data")
    store = cp.vector_stores.create(name="world")
    oai.vector_stores.files.create(vector_store_id=store.id, file_id=file.id, attributes={"topic": "ice"})
    batch = oai.vector_stores.file_batches.create(vector_store_id=store.id, file_ids=[file.id])
    conversation = oai.conversations.create(items=[{"type": "message", "role": "user", "content": "hello"}])
    (item,) = oai.conversations.items.list(conversation.id)
    response = oai.responses.create(model=MODEL, input="Tell me about glaciers.")
    container = oai.containers.create(name="world")
    container_file = oai.containers.files.create(container.id, file=("notes.txt", io.BytesIO(b"notes")))
    renames = {
        response.id: WORLD["response_id"], conversation.id: WORLD["conversation_id"], item.id: WORLD["item_id"],
        file.id: WORLD["file_id"], store.id: WORLD["vector_store_id"], batch.id: WORLD["batch_id"],
        container.id: WORLD["container_id"], container_file.id: CONTAINER_FILE,
    }
    text = requests.get(root + "/_emulator/state").text
    for old, new in renames.items():
        text = text.replace(old, new)
    snapshot = json.loads(text)
    restore_world(root, snapshot)
    return snapshot


@pytest.fixture(scope="module")
def openai_emulator() -> Iterator[str]:
    yield from own_emulator()


@pytest.fixture(scope="module")
def openai_world(openai_emulator) -> dict:
    return build_world(openai_emulator)


@pytest.fixture
def openai_root(openai_emulator, openai_world) -> str:
    """The emulator, with the world as it was made (each operation's test starts from it)."""
    restore_world(openai_emulator, openai_world)
    return openai_emulator


@SCHEMA.parametrize()
@hypothesis_settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=HEALTH, database=None)
def test_openai_api(case, openai_root):
    base = MANAGEMENT_BASE if case.operation.path in MANAGEMENT_PATHS else INFERENCE_BASE
    form = "multipart/form-data" in case.operation.definition.raw.get("requestBody", {}).get("content", {})
    # a form carries text, whatever type the schema drew: "negative" values reach the wire as valid text
    checks = [c for c in CHECKS if c is not negative_data_rejection] if form else CHECKS
    case.call_and_validate(base_url=openai_root + base, headers=SCOPE, checks=checks)


def test_the_world_is_reachable(openai_root):
    """The world's ids answer (so the fuzzed cases reach handlers, not only 404s)."""
    for path in (f"/responses/{WORLD['response_id']}", f"/conversations/{WORLD['conversation_id']}/items/{WORLD['item_id']}",
                 f"/files/{WORLD['file_id']}/content", f"/vector_stores/{WORLD['vector_store_id']}/files/{WORLD['file_id']}",
                 f"/vector_stores/{WORLD['vector_store_id']}/file_batches/{WORLD['batch_id']}",
                 f"/containers/{WORLD['container_id']}/files/{CONTAINER_FILE}"):
        assert requests.get(openai_root + INFERENCE_BASE + path, headers=SCOPE).status_code == 200, path
    store = requests.get(f"{openai_root}{MANAGEMENT_BASE}/vector_stores/{WORLD['vector_store_id']}", headers=SCOPE)
    assert store.status_code == 200 and store.json()["file_counts"]["total"] == 1
