"""The APIs as the committed OpenAPI documents in ``specs/`` describe them.

Routing, parameter parsing and request-body validation all come from here, so adding an
operation means writing its behaviour only. Each document has its own base paths (its
``servers`` URLs): ``/20231130`` for the management and inference APIs, ``/20260325`` for the data
API, ``/20260422`` for the sandbox API, ``/openai/v1`` (and the older ``/20231130/actions/v1``, and
``/v1``) for the OpenAI-compatible API, ``/_emulator`` for the admin API. The last two are written
by hand; the others are generated from the oci SDK. Request bodies are checked with JSON Schemas compiled
once (lazily, per operation) by jsonschema-rs; openapi-core stays in the test suite, where its
~1 ms per request does not matter.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable

import jsonschema_rs

from .protocol import errors, limits
from .protocol.ids import OCID_RE

# The repository's specs/ folder; an installed package carries the same files as emulator/specs.
SPEC_DIR = next(
    p for p in (Path(__file__).resolve().parent.parent / "specs", Path(__file__).resolve().parent / "specs")
    if (p / "generative_ai.json").exists()
)
SDK_APIS = ("generative_ai", "generative_ai_inference", "generative_ai_data", "generative_ai_sandbox")
OPENAI_API = "openai"  # written by hand, as is the admin API's
ADMIN_API = "admin"
API_FILES = (*SDK_APIS, OPENAI_API, ADMIN_API)
JSON = "application/json"
MULTIPART = "multipart/form-data"
BINARY = "application/octet-stream"  # a body of raw bytes (a sandbox file's content), handed over as is


@dataclasses.dataclass(frozen=True)
class Param:
    name: str
    location: str
    required: bool
    schema: dict

    @property
    def is_array(self) -> bool:
        return self.schema.get("type") == "array"


@dataclasses.dataclass
class Operation:
    name: str
    operation_id: str
    api: str
    method: str
    path: str  # the full path template, under the document's first base path
    paths: tuple[str, ...]  # the same under each of the document's base paths
    params: list[Param]
    body_schema: dict | None  # the request body's schema (a $ref or inline), if the operation takes JSON or a form
    body_required: bool
    body_media: str | None  # JSON, MULTIPART or BINARY
    status: int
    response_headers: tuple[str, ...]
    response_type: str | None
    item_fields: tuple[str, ...] | None = None
    validator: Any = None

    @property
    def body_model(self) -> str | None:
        ref = (self.body_schema or {}).get("$ref")
        return ref.rsplit("/", 1)[-1] if ref else None


def load_documents(spec_dir: Path = SPEC_DIR) -> dict[str, dict]:
    return {api: json.loads((spec_dir / f"{api}.json").read_text()) for api in API_FILES}


def snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _operations(api: str, doc: dict) -> list[Operation]:
    schemas = doc["components"]["schemas"]
    ops = []
    for path, methods in doc["paths"].items():
        bases = [server["url"] for server in methods.get("servers") or doc["servers"]]
        for method, raw in methods.items():
            if method == "servers":
                continue
            status, response = next((s, r) for s, r in raw["responses"].items() if s != "default")
            body = raw.get("requestBody")
            media = next((m for m in (JSON, MULTIPART, BINARY) if body and m in body["content"]), None)
            ref = ((response.get("content") or {}).get(JSON) or {}).get("schema", {}).get("$ref")
            response_type = ref.rsplit("/", 1)[-1] if ref else None
            op = Operation(
                name=raw.get("x-sdk-method") or snake_case(raw["operationId"]),
                operation_id=raw["operationId"],
                api=api,
                method=method.upper(),
                path=bases[0] + path,
                paths=tuple(base + path for base in bases),
                params=[Param(p["name"], p["in"], p["required"], p["schema"]) for p in raw["parameters"]],
                body_schema=body["content"][media]["schema"] if media else None,
                body_required=bool(body and body.get("required")),
                body_media=media,
                status=int(status),
                response_headers=tuple(response.get("headers", {})),
                response_type=response_type,
            )
            if op.name.startswith("list_") and response_type:
                items = schemas[response_type]["properties"].get("items", {}).get("items", {})
                item_ref = items.get("$ref")
                if item_ref:
                    op.item_fields = tuple(schemas[item_ref.rsplit("/", 1)[-1]]["properties"])
            ops.append(op)
    return ops


def _request_schemas(schemas: dict) -> dict:
    """JSON Schemas for validating requests: unknown fields rejected, OCIDs checked, subtypes by discriminator."""
    out = copy.deepcopy(schemas)
    for schema in out.values():
        _tighten(schema)
        disc = schema.pop("discriminator", None)
        if disc:
            schema.pop("oneOf", None)
            schema.pop("additionalProperties", None)
            field = disc["propertyName"]
            # oneOf required it (every subtype requires its discriminator); keep that without oneOf
            if field not in schema.setdefault("required", []):
                schema["required"].insert(0, field)
            schema["allOf"] = [
                {"if": {"properties": {field: {"const": value}}, "required": [field]}, "then": {"$ref": ref}}
                for value, ref in disc["mapping"].items()
            ]
    return out


def _tighten(schema: dict) -> None:
    if schema.get("x-oci-ocid"):
        schema["pattern"] = OCID_RE.pattern
    if "properties" in schema:
        schema.setdefault("additionalProperties", False)
        for prop in schema["properties"].values():
            _tighten(prop)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            _tighten(schema[key])


class Router:
    """Path templates as regular expressions, grouped by their first two segments and length;
    literal segments win over parameters (``/dedicatedAiClusters/allocatableGpus`` before ``/{id}``)."""

    def __init__(self, operations: Iterable[Operation]) -> None:
        self._routes: dict[tuple[str, str, int], list[tuple[re.Pattern, dict[str, Operation]]]] = {}
        patterns: dict[str, dict[str, Operation]] = {}
        for op in operations:
            for path in op.paths:
                patterns.setdefault(path, {})[op.method] = op
        for path, by_method in sorted(patterns.items(), key=lambda item: item[0].count("{")):
            segments = path.strip("/").split("/")
            if any(seg.startswith("{") for seg in segments[:2]):
                raise ValueError(f"{path}: the first two segments of a path must be literal")
            regex = "/".join(
                f"(?P<{seg[1:-1]}>[^/]+)" if seg.startswith("{") else re.escape(seg) for seg in segments
            )
            self._routes.setdefault(self._key(segments), []).append((re.compile(regex + "$"), by_method))

    @staticmethod
    def _key(segments: list[str]) -> tuple[str, str, int]:
        return segments[0], segments[1] if len(segments) > 1 else "", len(segments)

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]]:
        relative = path.strip("/")
        for regex, by_method in self._routes.get(self._key(relative.split("/")), ()):
            found = regex.match(relative)
            if found:
                op = by_method.get(method)
                if op is None:
                    raise errors.method_not_allowed(method, path)
                return op, found.groupdict()
        raise errors.not_found()


class Spec:
    """Every API's operations (by name; names are unique across the APIs) and compiled body validators."""

    def __init__(self, documents: dict[str, dict] | None = None):
        self.documents = documents or load_documents()
        self.operations: dict[str, Operation] = {}
        for api, doc in self.documents.items():
            for op in _operations(api, doc):
                if op.name in self.operations:
                    raise ValueError(f"the operation {op.name} is in specs/{self.operations[op.name].api}.json and {api}.json")
                self.operations[op.name] = op

    def base_path(self, api: str) -> str:
        return self.documents[api]["servers"][0]["url"]

    def router(self, apis: Iterable[str]) -> Router:
        """A router over the operations of ``apis``."""
        wanted = set(apis)
        return Router(op for op in self.operations.values() if op.api in wanted)

    @cached_property
    def _request_components(self) -> dict[str, dict]:
        components = {api: _request_schemas(doc["components"]["schemas"]) for api, doc in self.documents.items()}
        for api, schemas in components.items():
            for schema in schemas.values():
                limits.constrain(api, schema)  # field sizes and integer ranges (protocol/limits.py)
        return components

    def body_validator(self, op: Operation):
        if op.validator is None:
            components = self._request_components[op.api]
            root = dict(copy.deepcopy(op.body_schema or {}), components={"schemas": components})
            _tighten(root)
            limits.constrain(op.api, root)
            op.validator = jsonschema_rs.Draft7Validator(root)
        return op.validator

    def schema(self, api: str, name: str) -> dict:
        return self.documents[api]["components"]["schemas"][name]
