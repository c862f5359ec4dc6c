"""Inference errors. The real inference service answers with ``code`` set to the HTTP status as a
string (``"400"``, ``"404"``), not an OCI word code; the inference surface renders every error so
(``protocol/render.py``)."""

from __future__ import annotations

from ..protocol.errors import ServiceError

NOT_FOUND_MESSAGE = "Authorization failed or requested resource not found."


def bad_request(message: str) -> ServiceError:
    return ServiceError(400, "400", message)


def not_found() -> ServiceError:
    return ServiceError(404, "404", NOT_FOUND_MESSAGE)
