"""The one place for every OCI error's status, code and wording.

Handlers raise :class:`ServiceError`; the app renders it as ``{"code", "message"}`` with an
``opc-request-id`` header. A 500 is always a bug.
"""

from __future__ import annotations


class ServiceError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def body(self) -> dict:
        return {"code": self.code, "message": self.message}


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
        f"The emulator does not implement {operation} yet. See the README's list of supported operations.",
    )


def method_not_allowed(method: str, path: str) -> ServiceError:
    return ServiceError(405, "MethodNotAllowed", f"Method {method} is not allowed on {path}.")
