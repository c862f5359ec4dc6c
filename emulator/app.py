"""``create_app(settings)``: the Flask app that speaks both OCI Generative AI APIs on one port.

Every API request goes through one pipeline, in this order:
request id -> route (from specs/) -> auth (tenancy) -> parse and validate -> settle due
transitions -> injected faults -> retry-token replay -> handler (one transaction for writes) -> render
(etag, opc-work-request-id, opc-next-page, list items shaped as summaries) -> journal.
Every exception ends in one renderer, so every error is an OCI error body with an
``opc-request-id``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from urllib.parse import quote

from flask import Flask, Response, request

from . import lifecycle
from .admin import admin_blueprint
from .call import Call, Env, Result
from .catalog import Catalog
from .faults import Faults
from .handlers import handlers
from .inference.errors import as_inference_error
from .journal import Journal
from .lifecycle import Clock
from .management.resources import LIST_OPERATIONS
from .protocol import auth, errors
from .protocol.ids import new_request_id
from .protocol.validation import parse_body, parse_params
from .settings import DEFAULT_TENANCY, Settings, user_home
from .spec import BASE_PATH, Operation, Spec
from .store import Store

LOG = logging.getLogger(__name__)
RETRY_TOKEN_TTL = 24 * 3600
INFERENCE_API = "generative_ai_inference"
HTTP_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]


def json_response(body, status: int, headers: dict | None = None, raw: str | None = None) -> Response:
    if raw is None and body is not None:
        raw = json.dumps(body, separators=(",", ":"))
    response = Response(raw or "", status=status, headers=headers or {})
    if raw is not None:
        response.headers["content-type"] = "application/json"
    else:
        response.headers.remove("content-type")
    return response


def sse_response(events) -> Response:
    """Server-Sent Events exactly as the service sends them: ``data: <json>`` frames, no event
    names, content type ``text/event-stream`` with no charset (the SDK compares it exactly)."""

    def frames():
        for event in events:
            data = event if isinstance(event, str) else json.dumps(event, separators=(",", ":"))
            yield f"data: {data}\n\n".encode()

    return Response(frames(), status=200, content_type="text/event-stream", direct_passthrough=True)


def error_response(exc: errors.ServiceError, request_id: str) -> Response:
    return json_response(exc.body(), exc.status, {**exc.headers, "opc-request-id": request_id})


def request_target() -> str:
    """The path and query exactly as the client sent them, which is what it signed."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if raw:
        return raw
    query = request.environ.get("QUERY_STRING")
    return quote(request.environ.get("PATH_INFO", "")) + (f"?{query}" if query else "")


class Emulator:
    """The API pipeline; one per app."""

    def __init__(self, settings: Settings):
        self.settings = settings
        spec = Spec()
        summaries = {kind: spec.operations[op].item_fields for kind, op in LIST_OPERATIONS.items()}
        store = Store(settings.data_dir, summaries)
        catalog = Catalog(settings.region)
        catalog.seed(store)
        self.env = Env(settings, spec, store, Clock(store), catalog)
        self.handlers = handlers(spec.operations)
        self.journal = Journal(settings.journal_size)
        self.faults = Faults()
        self.keys = auth.TrustedKeys()
        if settings.auth == "strict":
            if settings.trust_user_keys:
                self.keys.add_files(sorted((user_home() / "keys").glob("*.pem")))
            self.keys.add_files(settings.trusted_keys)
        for pem in store.meta("trusted_keys", []):
            self.keys.add_pem(pem.encode())

    def tenancy(self, body: bytes) -> str:
        mode = self.settings.auth
        if mode == "off":
            return DEFAULT_TENANCY
        params = auth.signature_params(request.headers.get("authorization"))
        if mode == "strict":
            if params is not None and params.get("keyId", "").rsplit("/", 1)[-1] not in self.keys.keys:
                # another worker process may have trusted it through the admin API since we started
                for pem in self.env.store.meta("trusted_keys", []):
                    self.keys.add_pem(pem.encode())
            return auth.verify(params, request.method, request_target(), request.headers, body, self.keys)
        if params is None:
            return DEFAULT_TENANCY
        return auth.tenancy_from_key_id(params.get("keyId", "")) or DEFAULT_TENANCY

    def handle(self) -> Response:
        started = time.perf_counter()
        request_id = request.headers.get("opc-request-id") or new_request_id()
        op: Operation | None = None
        tenancy = None
        try:
            op, args = self.env.spec.match(request.method, request.path)
            raw = request.get_data(cache=False)
            tenancy = self.tenancy(raw)
            path, query, headers = parse_params(op, args, request.args, request.headers)
            body = parse_body(self.env.spec, op, raw)
            now = self.env.clock.now()
            lifecycle.settle(self.env.store, now)
            call = Call(op, self.env, tenancy, now, path, query, headers, body)
            response = self.dispatch(call, raw)
        except errors.ServiceError as exc:
            if op is not None and op.api == INFERENCE_API and exc.status != 401:
                exc = as_inference_error(exc)
            response = error_response(exc, request_id)
        except Exception:  # a 500 is always a bug: log it, answer in OCI's shape
            LOG.exception("unhandled error in %s %s", request.method, request.path)
            response = error_response(
                errors.ServiceError(500, "InternalServerError", "The emulator hit an internal error; see its log."),
                request_id,
            )
        response.headers["opc-request-id"] = request_id
        client_request_id = request.headers.get("opc-client-request-id")
        if client_request_id:
            response.headers["opc-client-request-id"] = client_request_id
        self.journal.add(
            {
                "time": lifecycle.iso(time.time()),
                "method": request.method,
                "path": request.path,
                "operation": op.name if op else None,
                "status": response.status_code,
                "requestId": request_id,
                "tenancy": tenancy,
                "durationMs": round((time.perf_counter() - started) * 1000, 3),
            }
        )
        return response

    def dispatch(self, call: Call, raw: bytes) -> Response:
        handler = self.handlers.get(call.op.name)
        if handler is None:
            raise errors.not_implemented(call.op.operation_id)
        fault = self.faults.take(call.op.name, "before")
        if fault is not None:
            raise fault
        response = self.run(call, handler, raw)
        fault = self.faults.take(call.op.name, "after")
        if fault is not None:
            raise fault
        return response

    def run(self, call: Call, handler, raw: bytes) -> Response:
        if call.op.method == "GET" or call.op.api == INFERENCE_API:
            # reads, and inference, which changes nothing: no transaction, and retry tokens are
            # accepted but not stored (the answers are deterministic anyway)
            return self.render(call.op, handler(call))
        token = call.headers.get("opc-retry-token")
        store = self.env.store
        with store.transaction():
            if token:
                fingerprint = hashlib.sha256(f"{call.op.name}|{request.path}|".encode() + raw).hexdigest()
                saved = store.retry_token(call.tenancy, token, call.now - RETRY_TOKEN_TTL)
                if saved is not None:
                    if saved[0] != fingerprint:
                        raise errors.invalidated_retry_token()
                    replay = saved[1]
                    return json_response(replay["body"], replay["status"], replay["headers"])
            response = self.render(call.op, handler(call))
            if token:
                store.save_retry_token(
                    call.tenancy,
                    token,
                    fingerprint,
                    {"status": response.status_code, "headers": _replayable(response), "body": response.get_json(silent=True)},
                    call.now,
                )
        return response

    def render(self, op: Operation, result: Result) -> Response:
        if result.stream is not None:
            return sse_response(result.stream)
        body = result.body
        if op.item_fields and result.raw is None and isinstance(body, dict) and "items" in body:
            fields = op.item_fields
            body = {"items": [{k: item[k] for k in fields if k in item} for item in body["items"]]}
        headers = {}
        if result.etag and "etag" in op.response_headers:
            headers["etag"] = result.etag
        if result.work_request_id:
            headers["opc-work-request-id"] = result.work_request_id
        if result.next_page:
            headers["opc-next-page"] = result.next_page
        status = result.status or op.status
        return json_response(body, status, headers, raw=result.raw)


def _replayable(response: Response) -> dict:
    return {k: v for k, v in response.headers.items() if k.lower() in ("etag", "opc-work-request-id", "content-type")}


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings()
    emulator = Emulator(settings)
    app = Flask("oci_genai_emulator")
    app.config["emulator"] = emulator
    app.register_blueprint(admin_blueprint(emulator))

    @app.route(f"{BASE_PATH}/<path:rest>", methods=HTTP_METHODS)
    def api(rest: str) -> Response:
        return emulator.handle()

    @app.errorhandler(404)
    @app.errorhandler(405)
    def unknown_path(exc) -> Response:
        return error_response(errors.not_found(), request.headers.get("opc-request-id") or new_request_id())

    @app.errorhandler(Exception)
    def unexpected(exc) -> Response:
        code = getattr(exc, "code", 500)
        request_id = request.headers.get("opc-request-id") or new_request_id()
        if isinstance(code, int) and 400 <= code < 500:
            return error_response(errors.ServiceError(code, "InvalidParameter", str(exc)), request_id)
        LOG.exception("unhandled error")
        return error_response(errors.ServiceError(500, "InternalServerError", "The emulator hit an internal error."), request_id)

    return app
