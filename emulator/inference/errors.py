"""Inference errors. The real inference service answers with ``code`` set to the HTTP status as a
string (``"400"``, ``"404"``), not an OCI word code; the app applies that to every inference error."""

from __future__ import annotations

from ..protocol.errors import ServiceError

NOT_FOUND_MESSAGE = "Authorization failed or requested resource not found."


def bad_request(message: str) -> ServiceError:
    return ServiceError(400, "400", message)


def not_found() -> ServiceError:
    return ServiceError(404, "404", NOT_FOUND_MESSAGE)


def as_inference_error(exc: ServiceError) -> ServiceError:
    """The same error with the inference API's numeric ``code``."""
    return ServiceError(exc.status, str(exc.status), exc.message, exc.headers)
