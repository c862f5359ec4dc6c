"""The one request pipeline, for every API the emulator speaks.

Stages, in order, each asking the request's surface (``surfaces.py``) what its API does:

1. surface, by the path's longest prefix, and the request id (the client's, or a new one);
2. route, among the surface's operations (``specs/``), and read the body (413 beyond the surface's limit);
3. auth: the caller's tenancy, from the credentials the surface accepts;
4. rate limits per tenancy and operation (``throttling.py``; surfaces that take faults): 429;
5. parse and validate path, query, headers and body (``protocol/validation.py``, ``protocol/limits.py``);
6. settle transitions that are due (surfaces that settle);
7. injected faults, before the handler (surfaces that take faults; ``faults.py``): latency, an
   error, or a work request bound to fail;
8. retry-token replay (surfaces that replay), with the handler in one transaction for writes;
9. the handler (``registry.py``), the work-request fault it drew, then injected faults after it;
10. render: etag, ``opc-work-request-id``, ``opc-next-page``, list items cut to their summary,
    event streams in the surface's framing;
11. errors: every exception ends here, rendered in the surface's error body, with the surface's
    retry-after headers for a 429 (a 500 is a bug);
12. the surface's request-id headers, and the journal (surfaces that are journaled): the summary,
    headers and bodies, redacted (``journal.py``).
"""

from __future__ import annotations

import hashlib
import logging
import time
from urllib.parse import quote

from werkzeug.wrappers import Request

from . import lifecycle
from .call import Call, Env, Handler, Result
from .faults import Fault
from .protocol import errors, limits, render
from .protocol.render import Reply
from .protocol.auth import Authenticator
from .protocol.ids import new_request_id
from .protocol.validation import parse_body, parse_params, read_body
from .spec import Operation, Router
from .surfaces import SURFACES, Surface, SurfaceMap

LOG = logging.getLogger(__name__)
REPLAYED_HEADERS = ("etag", "opc-work-request-id", "content-type")
JSON = "application/json"


def request_target(request: Request) -> str:
    """The path and query exactly as the client sent them, which is what it signed. Servers that
    pass only the decoded path (granian) get it quoted again, which is exact for what the SDKs send
    (they quote path parameters fully) unless a parameter holds a ``/``."""
    environ = request.environ
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        return raw
    query = environ.get("QUERY_STRING")
    path = quote(environ.get("PATH_INFO", "").encode("latin-1"))  # PEP 3333: bytes as latin-1
    return path + (f"?{query}" if query else "")


class Pipeline:
    """A WSGI application: every request of every surface, start to finish."""

    def __init__(self, env: Env, handlers: dict[str, Handler], authenticator: Authenticator, surfaces=SURFACES):
        self.env = env
        self.handlers = handlers
        self.authenticator = authenticator
        self.surface_for = SurfaceMap(surfaces)
        self.routers: dict[str, Router] = {s.name: env.spec.router(s.apis) for s in surfaces}
        for op in env.spec.operations.values():
            for path in op.paths:
                owner = self.surface_for(path)
                if op.api not in owner.apis:
                    raise ValueError(f"{op.name} ({path}) lies under the {owner.name} surface, which does not serve {op.api}")

    def __call__(self, environ: dict, start_response):
        request = Request(environ)
        try:
            with self.env.gate:
                reply = self.handle(request)
        except Exception:  # not even the pipeline's own error handling worked: still an answer, never a traceback
            LOG.exception("unhandled error around %s %s", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"))
            reply = render.json_reply({"code": "InternalServerError", "message": "The emulator hit an internal error."}, 500)
        return reply(environ, start_response)

    def handle(self, request: Request) -> Reply:
        started = time.perf_counter()
        surface = self.surface_for(request.path)
        request_id = request.headers.get("opc-request-id") or new_request_id()
        op: Operation | None = None
        tenancy = None
        raw = b""
        try:
            raw = read_body(request.stream, request.content_length, surface.max_body_bytes)
            op, args = self.routers[surface.name].match(request.method, request.path)
            tenancy = self.authenticator.tenancy(
                surface.auth, request.method, lambda: request_target(request), request.headers, raw
            )
            now = self.env.clock.now()
            if surface.faults:
                self.env.rate_limits.admit(tenancy, op.name, now)
            path, query, headers = parse_params(op, args, request.args, request.headers)
            body = parse_body(self.env.spec, op, raw, surface.nulls, request.headers.get("content-type", ""))
            if surface.settles:
                lifecycle.settle(self.env.store, now)
            call = Call(op, self.env, tenancy, now, path, query, headers, body)
            response = self.dispatch(surface, call, raw)
        except errors.ServiceError as exc:
            response = self.error(surface, exc)
        except Exception:  # a 500 is always a bug: log it, answer in the surface's shape
            LOG.exception("unhandled error in %s %s", request.method, request.path)
            response = self.error(surface, errors.internal_error())
        self.finish(surface, request, response, request_id)
        if surface.journaled:
            self.env.journal.add(
                {
                    "time": time.time(),
                    "method": request.method,
                    "path": request.path,
                    "operation": op.name if op else None,
                    "status": response.status,
                    "requestId": request_id,
                    "tenancy": tenancy,
                    "durationMs": (time.perf_counter() - started) * 1000,
                },
                request.environ,
                raw,
                response,
            )
        return response

    def dispatch(self, surface: Surface, call: Call, raw: bytes) -> Reply:
        handler = self.handlers.get(call.op.name)
        if handler is None:
            raise errors.not_implemented(call.op.operation_id)
        fault = self.inject(surface, call.op, "before")
        response = self.run(surface, call, lambda: self.execute(call, handler, fault), raw)
        self.inject(surface, call.op, "after")
        return response

    def inject(self, surface: Surface, op: Operation, phase: str) -> Fault | None:
        """The fault drawn for this call at ``phase``: its latency waited out (outside the gate), its
        error raised; returned when it has a work request to fail."""
        fault = self.env.faults.take(op.name, phase) if surface.faults else None
        if fault is None:
            return None
        if fault.latency_seconds:
            with self.env.gate.outside():
                time.sleep(fault.latency_seconds)
        if fault.error is not None:
            raise fault.error
        return fault

    def execute(self, call: Call, handler: Handler, fault: Fault | None) -> Result:
        result = handler(call)
        if fault is not None and fault.work_request and result.work_request_id:
            lifecycle.plan_failure(call.store, call.tenancy, result.work_request_id, fault.work_request)
        return result

    def run(self, surface: Surface, call: Call, execute, raw: bytes) -> Reply:
        if call.op.method == "GET" or surface.retry_tokens != "replay":
            return self.render(surface, call.op, execute())
        token = call.headers.get("opc-retry-token")
        store = self.env.store
        with store.transaction():
            if token:
                fingerprint = hashlib.sha256(f"{call.op.name}|{call.op.path}|{sorted(call.path.items())}|".encode() + raw).hexdigest()
                saved = store.retry_token(call.tenancy, token, call.now - limits.RETRY_TOKEN_TTL_SECONDS)
                if saved is not None:
                    if saved[0] != fingerprint:
                        raise errors.invalidated_retry_token()
                    replay = saved[1]
                    return render.json_reply(replay["body"], replay["status"], replay["headers"])
            response = self.render(surface, call.op, execute())
            if token and response.headers.get("content-type", JSON).startswith(JSON):  # a stream of events is not replayed
                replayed = {k: v for k, v in response.headers.items() if k.lower() in REPLAYED_HEADERS}
                store.save_retry_token(
                    call.tenancy,
                    token,
                    fingerprint,
                    {"status": response.status, "headers": replayed, "body": response.json()},
                    call.now,
                )
        return response

    def render(self, surface: Surface, op: Operation, result: Result) -> Reply:
        if result.stream is not None:
            return render.sse_reply(result.stream, surface.sse_frame)
        headers = dict(result.headers)
        if result.etag and "etag" in op.response_headers:
            headers["etag"] = result.etag
        if result.binary is not None:
            return render.Reply(result.status or op.status, {**headers, "content-type": result.media_type}, result.binary)
        body = result.body
        if op.item_fields and result.raw is None and isinstance(body, dict) and "items" in body:
            fields = op.item_fields
            body = {"items": [{k: item[k] for k in fields if k in item} for item in body["items"]]}
        if result.work_request_id:
            headers["opc-work-request-id"] = result.work_request_id
        if result.next_page:
            headers["opc-next-page"] = result.next_page
        status = result.status or op.status
        return render.json_reply(body, status, headers, raw=result.raw, content_type=result.content_type)

    def error(self, surface: Surface, exc: errors.ServiceError) -> Reply:
        headers = dict(exc.headers)
        if exc.retry_after is not None and surface.retry_after is not None:
            headers.update(surface.retry_after(exc.retry_after))
        return render.json_reply(surface.error_body(exc), exc.status, headers)

    def finish(self, surface: Surface, request: Request, response: Reply, request_id: str) -> None:
        for header in surface.request_id_headers:
            response.headers[header] = request_id
        client_request_id = request.headers.get("opc-client-request-id")
        if client_request_id:
            response.headers["opc-client-request-id"] = client_request_id
