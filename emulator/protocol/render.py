"""Bodies and frames on the wire: JSON responses, each API dialect's error body and Server-Sent
Event framing. Surfaces (``surfaces.py``) pick one of each; nothing else renders HTTP."""

from __future__ import annotations

import json
from typing import Any, Callable, Iterable

from flask import Response

from .errors import ServiceError

ErrorBody = Callable[[ServiceError], dict]
SseFrame = Callable[[Any], bytes]


def json_response(body: Any, status: int, headers: dict | None = None, raw: str | None = None) -> Response:
    """``body`` as JSON (or ``raw``, already serialized); no body at all when both are ``None``."""
    if raw is None and body is not None:
        raw = json.dumps(body, separators=(",", ":"))
    response = Response(raw or "", status=status, headers=headers or {})
    if raw is not None:
        response.headers["content-type"] = "application/json"
    else:
        response.headers.remove("content-type")
    return response


def sse_response(events: Iterable, frame: SseFrame) -> Response:
    """A Server-Sent Events stream, content type ``text/event-stream`` with no charset (the oci SDK
    compares it exactly)."""
    return Response(
        (frame(event) for event in events), status=200, content_type="text/event-stream", direct_passthrough=True
    )


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


OPENAI_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    409: "conflict_error",
    412: "invalid_request_error",
    429: "rate_limit_error",
}


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
