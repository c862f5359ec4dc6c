"""Bodies and frames on the wire: JSON responses, each API dialect's error body and Server-Sent
Event framing. Surfaces (``surfaces.py``) pick one of each; nothing else renders HTTP."""

from __future__ import annotations

import json
import math
from http import HTTPStatus
from typing import Any, Callable, Iterable

from .errors import ServiceError

ErrorBody = Callable[[ServiceError], dict]
SseFrame = Callable[[Any], bytes]
RetryAfter = Callable[[float], dict]
STATUS_LINES = {s.value: f"{s.value} {s.phrase}" for s in HTTPStatus}


class Reply:
    """An HTTP response, written straight to the WSGI server: a status, headers (lower-case names)
    and a body of bytes, or an iterable of byte chunks for a stream."""

    __slots__ = ("status", "headers", "body", "_json")

    def __init__(self, status: int, headers: dict[str, str], body: bytes | Iterable[bytes] = b"", json_body: Any = None):
        self.status = status
        self.headers = headers
        self.body = body
        self._json = json_body

    @property
    def status_code(self) -> int:
        return self.status

    def json(self) -> Any:
        """The JSON body (``None`` when there is none)."""
        if self._json is None and isinstance(self.body, bytes) and self.body:
            self._json = json.loads(self.body)
        return self._json

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        headers = list(self.headers.items())
        if isinstance(self.body, bytes):
            headers.append(("content-length", str(len(self.body))))
            start_response(STATUS_LINES.get(self.status) or f"{self.status} Unknown", headers)
            return [self.body]
        start_response(STATUS_LINES.get(self.status) or f"{self.status} Unknown", headers)
        return self.body


def json_reply(
    body: Any, status: int, headers: dict | None = None, raw: str | None = None, content_type: str = "application/json"
) -> Reply:
    """``body`` as JSON (or ``raw``, already serialized, of ``content_type``); no body at all when both are ``None``."""
    headers = dict(headers or {})
    if raw is None and body is not None:
        raw = json.dumps(body, separators=(",", ":"))
    if raw is None:
        return Reply(status, headers)
    headers["content-type"] = content_type
    return Reply(status, headers, raw.encode(), body)


def sse_reply(events: Iterable, frame: SseFrame) -> Reply:
    """A Server-Sent Events stream, content type ``text/event-stream`` with no charset (the oci SDK
    compares it exactly)."""
    return Reply(200, {"content-type": "text/event-stream"}, (frame(event) for event in events))


def _data(event: Any) -> str:
    return event if isinstance(event, str) else json.dumps(event, separators=(",", ":"))


def unnamed_frame(event: Any) -> bytes:
    """``data: <json>`` frames, no event names: the OCI APIs' streams (and ``data: [DONE]``)."""
    return f"data: {_data(event)}\n\n".encode()


def named_frame(event: Any) -> bytes:
    """``event: <type>`` before ``data:`` when the payload has a ``type`` (OpenAI Responses
    events); payloads without one (chat completion chunks, ``[DONE]``) go unnamed."""
    if isinstance(event, dict) and isinstance(event.get("type"), str):
        return f"event: {event['type']}\ndata: {_data(event)}\n\n".encode()
    return unnamed_frame(event)


def oci_error(exc: ServiceError) -> dict:
    """The OCI APIs' error body."""
    return {"code": exc.code, "message": exc.message}


def oci_inference_error(exc: ServiceError) -> dict:
    """The inference API answers with ``code`` set to the HTTP status as a string (``"400"``), not an
    OCI word code; authentication failures keep theirs (``NotAuthenticated``), as the service does."""
    return {"code": exc.code if exc.status == 401 else str(exc.status), "message": exc.message}


def retry_after_headers(seconds: float) -> dict:
    """``retry-after-ms`` and ``retry-after`` (whole seconds, rounded up), which the openai SDK honours."""
    return {"retry-after-ms": str(max(1, math.ceil(seconds * 1000))), "retry-after": str(max(1, math.ceil(seconds)))}


# OpenAI's error types by status (its API reference); other 4xx are invalid requests, 5xx server errors.
OPENAI_ERROR_TYPES = {401: "authentication_error", 403: "permission_error", 429: "rate_limit_error"}


def openai_error(exc: ServiceError) -> dict:
    """The OpenAI-compatible API's error body, which the openai SDK reads into its exceptions."""
    return {
        "error": {
            "message": exc.message,
            "type": OPENAI_ERROR_TYPES.get(exc.status, "server_error" if exc.status >= 500 else "invalid_request_error"),
            "param": exc.param,
            "code": exc.code,
        }
    }
