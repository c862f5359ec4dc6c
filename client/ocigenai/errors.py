"""Errors raised by the client itself.

Errors answered by the service (or the emulator) stay :class:`oci.exceptions.ServiceError`, as with
the plain SDK, so ``except ServiceError`` code keeps working; the classes below cover what the SDK
has no word for: arguments refused before any request, waits that time out, work requests and
resources that end in failure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .results import WorkRequest, WorkRequestError


class GenAIError(Exception):
    """Base class of every error the client raises itself."""


class InvalidArgument(GenAIError, ValueError):
    """An argument is out of range or malformed; raised before any request is sent."""


class RegionNotConfigured(GenAIError):
    """No region given, none in the configuration, and none in the resource's OCID."""


class WaitTimeout(GenAIError, TimeoutError):
    """A wait ended before the resource or work request reached the awaited state."""

    def __init__(self, message: str, *, resource_id: str, last_state: str | None, waited_seconds: float):
        super().__init__(message)
        self.resource_id = resource_id
        """The OCID of the resource or work request that was awaited."""
        self.last_state = last_state
        """The lifecycle state or work request status seen last."""
        self.waited_seconds = waited_seconds
        """How long the wait lasted."""


class WorkRequestFailed(GenAIError):
    """A work request ended FAILED or CANCELED; the message includes the work request's errors."""

    def __init__(self, work_request: "WorkRequest", errors: "list[WorkRequestError]"):
        self.work_request = work_request
        """The work request as last read."""
        self.errors = list(errors)
        """The work request's error entries (code, message, timestamp)."""
        details = "; ".join(f"{e.code}: {e.message}" if e.code else e.message for e in self.errors)
        resources = ", ".join(r.identifier for r in work_request.resources) or "no resource"
        super().__init__(
            f"work request {work_request.id} ({work_request.operation_type} of {resources}) ended "
            f"{work_request.status}: {details or 'the service gave no error message'}"
        )

    @property
    def messages(self) -> list[str]:
        """The error messages alone."""
        return [e.message for e in self.errors]


class ResourceFailed(GenAIError):
    """A resource that was awaited entered FAILED (or another state it cannot leave)."""

    def __init__(self, resource_id: str, state: str, details: str | None):
        super().__init__(f"{resource_id} is {state}" + (f": {details}" if details else ""))
        self.resource_id = resource_id
        """The OCID of the resource."""
        self.state = state
        """The lifecycle state it ended in."""
        self.details = details
        """The resource's ``lifecycleDetails``."""


class ModelNotFound(GenAIError, LookupError):
    """No model of that name (with that capability) is listed in the compartment."""


class StreamIncomplete(GenAIError):
    """A chat stream ended before the model said it had finished."""
