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

    def __init__(self, specs: Path = SPECS):
        self.openapi: dict[str, OpenAPI] = {}
        self._routes: list[tuple[str, re.Pattern, Operation]] = []
        for api in APIS:
            doc = json.loads((specs / f"{api}.json").read_text())
            self.openapi[api] = OpenAPI.from_dict(doc)
            for template, methods in doc["paths"].items():
                pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")
                for method, op in methods.items():
                    self._routes.append((method.upper(), pattern, Operation(api, op["x-sdk-method"])))
        # literal paths first: /dedicatedAiClusters/allocatableGpus before /dedicatedAiClusters/{id}
        self._routes.sort(key=lambda route: route[1].pattern.count("[^/]+"))
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
        self.checked += 1
        for observe in self.observers:
            observe(op, exchange)
        return op

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
