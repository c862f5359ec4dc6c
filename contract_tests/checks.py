"""Every HTTP response the suite receives is validated against ``specs/`` with openapi-core.

How: the oci SDK sends every call through ``client.base_client.session``, a ``requests``
Session (the SDK's vendored copy). :meth:`SpecChecker.attach` adds a ``response`` hook to that
session, so each response (success or error, retried or not, from waiters and composite
operations too) is checked the moment it arrives, before the SDK deserializes it. A response
that breaks the spec raises :class:`ContractViolation` out of the SDK call, so the failing
rule of a state machine is the one that made the call. The same hook works on a plain
``requests.Session`` (what Schemathesis or raw checks use). Streams (``text/event-stream``)
are not in the specs and are skipped.

Hooking the session beats wrapping each SDK method: nothing can bypass it, and it sees the raw
wire bytes rather than the SDK's re-serialized models (which drop unknown fields).

Response enums are closed (specs/generate.py). Where the SDK reads a value it does not know as
``UNKNOWN_ENUM_VALUE`` (``x-sdk-unknown-enum-value`` in the spec), a tenancy may send a value newer
than the SDK: against OCI (``tolerate_unknown_enums``) such a value is noted in
:attr:`SpecChecker.unknown_enums` and reported, not failed; against the emulator, which must only
answer values the SDK knows, it fails.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

SPECS = Path(__file__).resolve().parent.parent / "specs"
APIS = ("generative_ai", "generative_ai_inference")
API_VERSION = "/20231130"
REF = "#/components/schemas/"
TOLERANT = "x-sdk-unknown-enum-value"


class ContractViolation(AssertionError):
    """A response that does not conform to specs/."""


@dataclasses.dataclass
class Exchange:
    """One request and its response, as seen on the wire."""

    method: str
    url: str
    request_headers: dict
    request_body: bytes | None
    status: int
    headers: dict  # case-insensitive mapping from requests
    data: bytes | None  # None for streams

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def content_type(self) -> str:
        return str(self.headers.get("content-type", ""))

    def json(self) -> Any:
        if not self.data or "json" not in self.content_type:
            return None
        return json.loads(self.data)

    @classmethod
    def from_response(cls, response: Any) -> "Exchange":
        """From a ``requests`` response (the SDK's vendored requests or the real one)."""
        request = response.request
        body = request.body.encode() if isinstance(request.body, str) else request.body
        stream = "text/event-stream" in response.headers.get("content-type", "")
        return cls(
            method=request.method.upper(),
            url=request.url,
            request_headers=dict(request.headers),
            request_body=body,
            status=response.status_code,
            headers=response.headers,
            data=None if stream else response.content,
        )


class _OpenAPIRequest:
    """openapi-core's request protocol over an :class:`Exchange` (the contrib adapters insist on
    the real ``requests`` classes; the SDK's are a vendored copy)."""

    def __init__(self, exchange: Exchange):
        parts = urlsplit(exchange.url)
        self.host_url = f"{parts.scheme}://{parts.netloc}"
        self.path = parts.path
        self.method = exchange.method.lower()
        self.body = exchange.request_body
        self.content_type = str(exchange.request_headers.get("content-type") or "application/json")
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qs(parts.query)),
            header=Headers(exchange.request_headers),
            cookie=ImmutableMultiDict(),
        )


class _OpenAPIResponse:
    def __init__(self, exchange: Exchange):
        self.data = exchange.data or b""
        self.status_code = exchange.status
        self.content_type = exchange.content_type
        self.headers = Headers(dict(exchange.headers))


@dataclasses.dataclass(frozen=True)
class Operation:
    api: str  # generative_ai | generative_ai_inference
    name: str  # the SDK method, e.g. get_dedicated_ai_cluster


class SpecChecker:
    """Both specs, an index from (method, path) to operation, and the response hook."""

    def __init__(self, specs: Path = SPECS, tolerate_unknown_enums: bool = False):
        self.docs: dict[str, dict] = {}
        self.openapi: dict[str, OpenAPI] = {}
        self._routes: list[tuple[str, re.Pattern, Operation]] = []
        self._responses: dict[Operation, dict] = {}
        self._by_name: dict[str, Operation] = {}
        for api in APIS:
            doc = json.loads((specs / f"{api}.json").read_text())
            self.docs[api] = doc
            self.openapi[api] = OpenAPI.from_dict(open_enums(doc) if tolerate_unknown_enums else doc)
            for template, methods in doc["paths"].items():
                pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")
                for method, op in methods.items():
                    operation = Operation(api, op["x-sdk-method"])
                    self._routes.append((method.upper(), pattern, operation))
                    self._responses[operation] = op["responses"]
                    self._by_name[operation.name] = operation
        # literal paths first: /dedicatedAiClusters/allocatableGpus before /dedicatedAiClusters/{id}
        self._routes.sort(key=lambda route: route[1].pattern.count("[^/]+"))
        self.tolerate_unknown_enums = tolerate_unknown_enums
        self.unknown_enums: set[tuple[str, str, str]] = set()  # (operation, path, value) the SDK does not know
        self.checked = 0
        self.observers: list[Callable[[Operation, Exchange], None]] = []

    def operation(self, method: str, path: str) -> Operation | None:
        if path.startswith(API_VERSION):
            path = path[len(API_VERSION):]
        for route_method, pattern, op in self._routes:
            if route_method == method and pattern.match(path):
                return op
        return None

    def check(self, exchange: Exchange) -> Operation:
        """Raise :class:`ContractViolation` unless the response conforms to its operation's spec."""
        op = self.operation(exchange.method, exchange.path)
        if op is None:
            raise ContractViolation(f"{exchange.method} {exchange.path} is not an operation of specs/")
        if exchange.data is not None:
            try:
                self.openapi[op.api].validate_response(_OpenAPIRequest(exchange), _OpenAPIResponse(exchange))
            except Exception as exc:  # openapi-core raises a family of errors; the cause says what broke
                cause = getattr(exc, "__cause__", None)
                details = "; ".join(str(e) for e in getattr(cause, "schema_errors", []) or []) or str(cause or exc)
                raise ContractViolation(
                    f"{op.name}: {exchange.status} response does not conform to specs/{op.api}.json: "
                    f"{type(exc).__name__}: {details}\nbody: {(exchange.data or b'')[:500]!r}"
                ) from exc
        if self.tolerate_unknown_enums and exchange.data is not None:
            for path, field in self.enum_fields(op.name, exchange.status, exchange.json()).items():
                self.unknown_enums |= {(op.name, path, v) for v in field.values if v not in field.enum}
        self.checked += 1
        for observe in self.observers:
            observe(op, exchange)
        return op

    def enum_fields(self, operation: str, status: int, body: Any) -> dict[str, "EnumField"]:
        """Each path of ``body`` (``a.b``, ``items[].c``) whose strings the response schema of
        ``operation`` (an SDK method name) for ``status`` enumerates, with the values seen there."""
        op = self._by_name[operation]
        responses = self._responses[op]
        response = responses.get(str(status)) or responses.get("default") or {}
        schema = ((response.get("content") or {}).get("application/json") or {}).get("schema")
        found: dict[str, EnumField] = {}
        if schema is not None and body is not None:
            self._walk(self.docs[op.api], schema, body, "", found)
        return found

    def _walk(self, doc: dict, schema: dict, value: Any, path: str, found: dict) -> None:
        schema = resolve(doc, schema, value)
        if isinstance(value, dict):
            props = schema.get("properties") or {}
            extra = schema.get("additionalProperties")
            for key, item in value.items():
                sub = props.get(key, extra if isinstance(extra, dict) else {})
                self._walk(doc, sub, item, f"{path}.{key}" if path else key, found)
        elif isinstance(value, list):
            for item in value:
                self._walk(doc, schema.get("items") or {}, item, f"{path}[]", found)
        elif isinstance(value, str) and "enum" in schema:
            field = found.setdefault(path, EnumField())
            field.enum += tuple(v for v in schema["enum"] if v not in field.enum)  # items of several subtypes
            field.values.add(value)

    def hook(self, response: Any, *args: Any, **kwargs: Any) -> None:
        self.check(Exchange.from_response(response))

    def attach(self, session: Any) -> Any:
        """Check every response of ``session`` (a requests Session, or an SDK client's
        ``base_client.session``); returns the session."""
        hooks = session.hooks.setdefault("response", [])
        if self.hook not in hooks:
            hooks.append(self.hook)
        return session

    def attach_client(self, client: Any) -> Any:
        """Check every response of an oci SDK client; returns the client."""
        self.attach(client.base_client.session)
        return client


@dataclasses.dataclass
class EnumField:
    """The values the spec allows at a path, and the values seen there."""

    enum: tuple[str, ...] = ()
    values: set[str] = dataclasses.field(default_factory=set)


def resolve(doc: dict, schema: dict, value: Any) -> dict:
    """The schema ``value`` is read with: references followed, a nullable reference unwrapped, a
    polymorphic schema narrowed to the subtype ``value``'s discriminator names."""
    for _ in range(20):
        if "$ref" in schema:
            schema = doc["components"]["schemas"][schema["$ref"][len(REF):]]
        elif len(schema.get("allOf", ())) == 1 and "properties" not in schema:
            schema = schema["allOf"][0]
        elif "discriminator" in schema and isinstance(value, dict):
            ref = schema["discriminator"].get("mapping", {}).get(value.get(schema["discriminator"]["propertyName"]))
            if ref is None:
                return schema
            schema = {"$ref": ref}
        else:
            return schema
    return schema


def open_enums(doc: dict) -> dict:
    """``doc`` without the enums the SDK reads leniently (for a tenancy, which may be newer than the SDK)."""

    def walk(node):
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items() if not (k == "enum" and node.get(TOLERANT))}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(doc)
