"""Chaos on demand: injected faults (``/_emulator/faults``, ``serve --faults FILE``).

A fault matches an operation (or every operation) and, when it fires, does any of:

- answer with an error ``status`` (429, 503, ...): with ``"phase": "before"`` (default) instead
  of the handler; with ``"after"`` once the handler has run and committed, as when a response is
  lost on its way back (how a test proves that the SDK's retries never create a duplicate);
- wait ``latencyMs`` first (outside the pipeline's gate: other requests go on meanwhile);
- make the operation's work request end FAILED at ``workRequest.atPercent`` with the given error.

It fires ``times`` times (``null``: with no end), each time with ``probability`` (default 1),
drawn from a random generator seeded with ``seed``: the same run of requests meets the same faults.
Faults live in the memory of one process; a reset brings back the faults the process started with.
"""

from __future__ import annotations

import dataclasses
import math
import random
import threading
from typing import Any, Collection

from .protocol import errors, limits

DEFAULT_CODES = {
    429: ("TooManyRequests", "Too many requests for the tenancy; retry with back-off."),
    500: ("InternalServerError", "Internal server error (injected by the emulator)."),
    503: ("ServiceUnavailable", "The service is unavailable (injected by the emulator)."),
}
FIELDS = {"operation", "status", "code", "message", "times", "phase", "probability", "seed", "latencyMs", "workRequest"}
WORK_REQUEST_FIELDS = {"atPercent", "code", "message"}
MAX_CODE_CHARS = 128


@dataclasses.dataclass
class Fault:
    spec: dict
    """As listed by ``GET /_emulator/faults`` (``times`` counts down)."""
    rng: random.Random

    def matches(self, operation: str, phase: str) -> bool:
        return self.spec["phase"] == phase and self.spec["operation"] in (None, operation)

    @property
    def latency_seconds(self) -> float:
        return self.spec.get("latencyMs", 0) / 1000

    @property
    def error(self) -> errors.ServiceError | None:
        if "status" not in self.spec:
            return None
        return errors.ServiceError(self.spec["status"], self.spec["code"], self.spec["message"])

    @property
    def work_request(self) -> dict | None:
        return self.spec.get("workRequest")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _text(spec: dict, name: str, default: str, size: int) -> str:
    value = spec.get(name, default)
    if not isinstance(value, str) or not 0 < len(value) <= size:
        raise errors.invalid_parameter(f"'{name}' must be a string of 1 to {size} characters.")
    return value


def check_target(value: Any, what: str, fields: set[str], operations: Collection[str]) -> str | None:
    """The ``operation`` that the object ``value`` (a fault, a rate limit) names, or None for every
    operation; 400 for anything but an object of ``fields``."""
    if not isinstance(value, dict):
        raise errors.invalid_parameter(f"A {what} is a JSON object with the fields {', '.join(sorted(fields))}.")
    unknown = set(value) - fields
    if unknown:
        raise errors.invalid_parameter(f"Unknown {what} field(s): {', '.join(sorted(unknown))[:200]}; a {what} takes {', '.join(sorted(fields))}.")
    operation = value.get("operation")
    if operation is not None and operation not in operations:
        raise errors.invalid_parameter(
            f"'operation' must be an operation name such as list_models (or null for every one), not {str(operation)[:100]!r}."
        )
    return operation


def check(spec: Any, operations: Collection[str]) -> dict:
    """The fault ``spec`` with its defaults; 400 naming the field for anything else."""
    out: dict = {"operation": check_target(spec, "fault", FIELDS, operations)}
    if "status" in spec:
        status = spec["status"]
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
            raise errors.invalid_parameter("'status' must be an HTTP error status (400-599).")
        code, message = DEFAULT_CODES.get(status, ("InvalidParameter", "Injected error."))
        out.update(status=status, code=_text(spec, "code", code, MAX_CODE_CHARS), message=_text(spec, "message", message, limits.MAX_TEXT_CHARS))
    elif "code" in spec or "message" in spec:
        raise errors.invalid_parameter("'code' and 'message' go with a 'status'.")
    if "latencyMs" in spec:
        latency = spec["latencyMs"]
        if not _number(latency) or not 0 <= latency <= limits.MAX_LATENCY_MS:
            raise errors.invalid_parameter(f"'latencyMs' must be a number of milliseconds from 0 to {limits.MAX_LATENCY_MS}.")
        out["latencyMs"] = latency
    if "workRequest" in spec:
        if "status" in spec:
            raise errors.invalid_parameter("A fault either answers with a 'status' or fails the 'workRequest', not both.")
        out["workRequest"] = _work_request(spec["workRequest"])
    if not {"status", "latencyMs", "workRequest"} & set(out):
        raise errors.invalid_parameter("A fault needs a 'status', a 'latencyMs' or a 'workRequest'.")
    times = spec.get("times", 1)
    if times is not None and (isinstance(times, bool) or not isinstance(times, int) or not 1 <= times <= limits.INT32[1]):
        raise errors.invalid_parameter("'times' must be an integer >= 1, or null for no end.")
    phase = spec.get("phase", "before")
    if phase not in ("before", "after"):
        raise errors.invalid_parameter("'phase' must be 'before' or 'after'.")
    if phase == "after" and "workRequest" in out:
        raise errors.invalid_parameter("A 'workRequest' fault is decided before the operation runs: leave 'phase' out.")
    probability = spec.get("probability", 1)
    if not _number(probability) or not 0 < probability <= 1:
        raise errors.invalid_parameter("'probability' must be a number greater than 0 and at most 1.")
    seed = spec.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise errors.invalid_parameter("'seed' must be an integer.")
    return {**out, "times": times, "phase": phase, "probability": probability, "seed": seed}


def _work_request(value: Any) -> dict:
    if not isinstance(value, dict) or set(value) - WORK_REQUEST_FIELDS:
        raise errors.invalid_parameter("'workRequest' is {\"atPercent\": P, \"code\": C, \"message\": M} (each optional).")
    percent = value.get("atPercent", 100)
    if not _number(percent) or not 0 <= percent <= 100:
        raise errors.invalid_parameter("'workRequest.atPercent' must be a number from 0 to 100.")
    return {
        "atPercent": float(percent),
        "code": _text(value, "code", "InternalError", MAX_CODE_CHARS),
        "message": _text(value, "message", "The operation failed (failure injected through the emulator).", limits.MAX_TEXT_CHARS),
    }


class Faults:
    def __init__(self, operations: Collection[str] = ()) -> None:
        self.operations = operations
        self._faults: list[Fault] = []
        self._baseline: list[dict] = []
        self._lock = threading.Lock()

    def add(self, spec: Any) -> dict:
        checked = check(spec, self.operations)
        with self._lock:
            self._faults.append(Fault(checked, random.Random(checked["seed"])))
        return dict(checked)

    def start_with(self, specs: list) -> None:
        """The faults this process starts with (``serve --faults``), and returns to on reset."""
        checked = [check(spec, self.operations) for spec in specs]
        with self._lock:
            self._baseline = checked
        self.reset()

    def take(self, operation: str, phase: str) -> Fault | None:
        """The fault that fires for this call, if any; it counts as used."""
        with self._lock:
            for fault in self._faults:
                if not fault.matches(operation, phase):
                    continue
                if fault.spec["probability"] < 1 and fault.rng.random() >= fault.spec["probability"]:
                    continue
                if fault.spec["times"] is not None:
                    fault.spec["times"] -= 1
                    if fault.spec["times"] == 0:
                        self._faults.remove(fault)
                return fault
        return None

    def list(self) -> list[dict]:
        with self._lock:
            return [dict(f.spec) for f in self._faults]

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def reset(self) -> None:
        with self._lock:
            self._faults = [Fault(dict(spec), random.Random(spec["seed"])) for spec in self._baseline]
