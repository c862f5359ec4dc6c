"""The one place for every OCI error's status, code and wording.

Handlers raise :class:`ServiceError`; the pipeline renders it in the dialect of the API it
came through (``protocol/render.py``), with that API's request-id headers. A 500 is always a bug.
"""

from __future__ import annotations


class ServiceError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict | None = None, param: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.param = param  # the request field at fault, where a dialect reports it (OpenAI's ``param``)
        self.retry_after: float | None = None  # seconds, for surfaces whose throttling answers say when to retry


def invalid_parameter(message: str) -> ServiceError:
    return ServiceError(400, "InvalidParameter", message)


def missing_parameter(message: str) -> ServiceError:
    return ServiceError(400, "MissingParameter", message)


def cannot_parse(message: str) -> ServiceError:
    return ServiceError(400, "CannotParseRequest", message)


def limit_exceeded(message: str) -> ServiceError:
    return ServiceError(400, "LimitExceeded", message)


def related_not_found(message: str) -> ServiceError:
    return ServiceError(400, "RelatedResourceNotAuthorizedOrNotFound", message)


def not_authenticated(message: str = "The required information to complete authentication was not provided or was incorrect.") -> ServiceError:
    return ServiceError(401, "NotAuthenticated", message)


def not_found(message: str = "Authorization failed or requested resource not found.") -> ServiceError:
    return ServiceError(404, "NotAuthorizedOrNotFound", message)


def incorrect_state(message: str) -> ServiceError:
    return ServiceError(409, "IncorrectState", message)


def conflict(message: str) -> ServiceError:
    return ServiceError(409, "Conflict", message)


def already_exists(message: str) -> ServiceError:
    return ServiceError(409, "NotAuthorizedOrResourceAlreadyExists", message)


def invalidated_retry_token() -> ServiceError:
    return ServiceError(
        409,
        "InvalidatedRetryToken",
        "The opc-retry-token was already used for a different request; use a new token for a new request.",
    )


def no_etag_match() -> ServiceError:
    return ServiceError(412, "NoEtagMatch", "The resource's etag does not match the if-match header.")


def not_implemented(operation: str) -> ServiceError:
    return ServiceError(
        501,
        "NotImplemented",
        f"The emulator does not implement {operation} yet; docs/coverage.md lists what it implements.",
    )


def too_large(limit: int) -> ServiceError:
    return ServiceError(413, "RequestEntityTooLarge", f"The request body is larger than {limit} bytes.")


def too_many_requests(retry_after: float, message: str = "Too many requests for the tenancy; retry with back-off.") -> ServiceError:
    """429 TooManyRequests; ``retry_after`` (seconds) is for the surfaces that say when to retry."""
    error = ServiceError(429, "TooManyRequests", message)
    error.retry_after = retry_after
    return error


def method_not_allowed(method: str, path: str) -> ServiceError:
    return ServiceError(405, "MethodNotAllowed", f"Method {method} is not allowed on {path}.")


def internal_error() -> ServiceError:
    return ServiceError(500, "InternalServerError", "The emulator hit an internal error; see its log.")
