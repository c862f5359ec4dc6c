"""The API as the committed OpenAPI documents in ``specs/`` describe it.

Routing, parameter parsing and request-body validation all come from here, so adding an
operation means writing its behaviour only. Request bodies are checked with JSON Schemas compiled
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
from typing import Any

import jsonschema_rs
from .protocol import errors
from .protocol.ids import OCID_RE

# The repository's specs/ folder; an installed package carries the same files as emulator/specs.
SPEC_DIR = next(
    p for p in (Path(__file__).resolve().parent.parent / "specs", Path(__file__).resolve().parent / "specs")
    if (p / "generative_ai.json").exists()
)
API_FILES = ("generative_ai", "generative_ai_inference")
BASE_PATH = "/20231130"


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
    path: str
    params: list[Param]
    body_model: str | None
    status: int
    response_headers: tuple[str, ...]
    response_type: str | None
    item_fields: tuple[str, ...] | None = None
    validator: Any = None

    @property
    def header_names(self) -> set[str]:
        return {p.name for p in self.params if p.location == "header"}


def load_documents(spec_dir: Path = SPEC_DIR) -> dict[str, dict]:
    return {api: json.loads((spec_dir / f"{api}.json").read_text()) for api in API_FILES}


def _operations(api: str, doc: dict) -> list[Operation]:
    schemas = doc["components"]["schemas"]
    ops = []
    for path, methods in doc["paths"].items():
        for method, raw in methods.items():
            status, response = next((s, r) for s, r in raw["responses"].items() if s != "default")
            body = raw.get("requestBody")
            response_type = None
            content = response.get("content")
            if content:
                response_type = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
            op = Operation(
                name=raw["x-sdk-method"],
                operation_id=raw["operationId"],
                api=api,
                method=method.upper(),
                path=path,
                params=[Param(p["name"], p["in"], p["required"], p["schema"]) for p in raw["parameters"]],
                body_model=body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1] if body else None,
                status=int(status),
                response_headers=tuple(response.get("headers", {})),
                response_type=response_type,
            )
            if op.name.startswith("list_") and response_type:
                items = schemas[response_type]["properties"].get("items", {}).get("items", {})
                ref = items.get("$ref")
                if ref:
                    op.item_fields = tuple(schemas[ref.rsplit("/", 1)[-1]]["properties"])
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
    """Path templates as regular expressions, grouped by first segment and length; literal
    segments win over parameters (``/dedicatedAiClusters/allocatableGpus`` before ``/{id}``)."""

    def __init__(self, operations) -> None:
        self._routes: dict[tuple[str, int], list[tuple[re.Pattern, dict[str, Operation]]]] = {}
        patterns: dict[str, dict[str, Operation]] = {}
        for op in operations:
            patterns.setdefault(op.path, {})[op.method] = op
        for path, by_method in sorted(patterns.items(), key=lambda item: item[0].count("{")):
            segments = path.strip("/").split("/")
            regex = "/".join(
                f"(?P<{seg[1:-1]}>[^/]+)" if seg.startswith("{") else re.escape(seg) for seg in segments
            )
            key = (segments[0], len(segments))
            self._routes.setdefault(key, []).append((re.compile(regex + "$"), by_method))

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]]:
        if not path.startswith(BASE_PATH + "/"):
            raise errors.not_found()
        relative = path[len(BASE_PATH) + 1 :].rstrip("/")
        segments = relative.split("/")
        for regex, by_method in self._routes.get((segments[0], len(segments)), ()):
            found = regex.match(relative)
            if found:
                op = by_method.get(method)
                if op is None:
                    raise errors.method_not_allowed(method, path)
                return op, found.groupdict()
        raise errors.not_found()


class Spec:
    """Both APIs' operations, a router over them, and compiled body validators."""

    def __init__(self, documents: dict[str, dict] | None = None):
        self.documents = documents or load_documents()
        self.operations: dict[str, Operation] = {}
        for api, doc in self.documents.items():
            for op in _operations(api, doc):
                self.operations[op.name] = op
        self._router = Router(self.operations.values())

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]]:
        return self._router.match(method, path)

    @cached_property
    def _request_components(self) -> dict[str, dict]:
        return {api: _request_schemas(doc["components"]["schemas"]) for api, doc in self.documents.items()}

    def body_validator(self, op: Operation):
        if op.validator is None:
            root = {"$ref": f"#/components/schemas/{op.body_model}", "components": {"schemas": self._request_components[op.api]}}
            op.validator = jsonschema_rs.Draft7Validator(root)
        return op.validator

    def schema(self, api: str, name: str) -> dict:
        return self.documents[api]["components"]["schemas"][name]
