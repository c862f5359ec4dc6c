"""Injected faults: answer chosen operations with an error, N times (``/_emulator/faults``).

A fault with ``"phase": "before"`` (default) answers instead of the handler; ``"after"`` lets the
handler run and commit, then answers with the error, as when a response is lost on the way back:
that is how a test proves the SDK's retries with its retry token never create a duplicate.
Faults live in the memory of one process.
"""

from __future__ import annotations

import threading

from .protocol import errors

DEFAULT_CODES = {
    429: ("TooManyRequests", "Too many requests for the tenancy; retry with back-off."),
    500: ("InternalServerError", "Internal server error (injected by the emulator)."),
    503: ("ServiceUnavailable", "The service is unavailable (injected by the emulator)."),
}


class Faults:
    def __init__(self) -> None:
        self._faults: list[dict] = []
        self._lock = threading.Lock()

    def add(self, spec: dict) -> dict:
        status = spec.get("status")
        if not isinstance(status, int) or not 400 <= status <= 599:
            raise errors.invalid_parameter("'status' must be an HTTP error status (400-599).")
        times = spec.get("times", 1)
        if not isinstance(times, int) or times < 1:
            raise errors.invalid_parameter("'times' must be an integer >= 1.")
        phase = spec.get("phase", "before")
        if phase not in ("before", "after"):
            raise errors.invalid_parameter("'phase' must be 'before' or 'after'.")
        code, message = DEFAULT_CODES.get(status, ("InvalidParameter", "Injected error."))
        fault = {
            "operation": spec.get("operation"),
            "status": status,
            "code": spec.get("code", code),
            "message": spec.get("message", message),
            "times": times,
            "phase": phase,
        }
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, operation: str, phase: str) -> errors.ServiceError | None:
        """The error to answer with, if a fault matches; it counts as used."""
        with self._lock:
            for fault in self._faults:
                if fault["phase"] == phase and fault["operation"] in (None, operation):
                    fault["times"] -= 1
                    if fault["times"] == 0:
                        self._faults.remove(fault)
                    return errors.ServiceError(fault["status"], fault["code"], fault["message"])
        return None

    def list(self) -> list[dict]:
        with self._lock:
            return [dict(f) for f in self._faults]

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
