"""Rate limits: ``429 TooManyRequests`` beyond a rate, per tenancy (``/_emulator/rate-limits``,
``serve --rate-limit``).

A rule ``{"operation": "list_models", "tenancy": null, "rate": 5, "burst": 10}`` gives every
tenancy (or only ``tenancy``) its own token bucket for the operation (or, with no ``operation``,
for all its calls together): ``burst`` calls at once, then ``rate`` calls a second. Time is the
emulator clock, so advancing it refills the buckets. A call must fit every rule that matches it;
a throttled call takes no token. Rate limits live in the memory of one process; a reset brings
back the rules the process started with.
"""

from __future__ import annotations

import dataclasses
import math
import threading
from typing import Any, Collection

from .faults import check_target
from .protocol import errors, limits

FIELDS = {"operation", "tenancy", "rate", "burst"}


@dataclasses.dataclass
class _Bucket:
    tokens: float
    time: float


def check(rule: Any, operations: Collection[str]) -> dict:
    """The rule with its defaults (``burst`` defaults to the rate, at least 1); 400 otherwise."""
    operation, tenancy = check_target(rule, "rate limit", FIELDS, operations), rule.get("tenancy")
    if tenancy is not None and (not isinstance(tenancy, str) or not 0 < len(tenancy) <= limits.MAX_TEXT_CHARS):
        raise errors.invalid_parameter("'tenancy' must be a tenancy OCID (or null for every tenancy).")
    rate = rule.get("rate")
    if not _positive(rate):
        raise errors.invalid_parameter(f"'rate' must be a number of requests per second greater than 0 and at most {limits.MAX_RATE:g}.")
    burst = rule.get("burst", max(1.0, float(rate)))
    if not _positive(burst) or burst < 1:
        raise errors.invalid_parameter(f"'burst' must be a number of requests from 1 to {limits.MAX_RATE:g}.")
    return {"operation": operation, "tenancy": tenancy, "rate": rate, "burst": burst}


def _positive(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and 0 < value <= limits.MAX_RATE
    )


def parse_flag(text: str, operations: Collection[str]) -> dict:
    """``[OPERATION=]RATE[/BURST]`` (``serve --rate-limit``): ``20``, ``create_endpoint=0.5/2``."""
    operation, _, numbers = text.rpartition("=")
    rate, _, burst = numbers.partition("/")
    try:
        rule: dict = {"rate": float(rate)}
        if burst:
            rule["burst"] = float(burst)
    except ValueError:
        raise errors.invalid_parameter(f"{text!r} is not [OPERATION=]RATE[/BURST], such as 20 or create_endpoint=0.5/2.") from None
    if operation:
        rule["operation"] = operation
    return check(rule, operations)


class RateLimits:
    def __init__(self, operations: Collection[str] = ()) -> None:
        self.operations = operations
        self._rules: list[dict] = []
        self._baseline: list[dict] = []
        self._buckets: dict[tuple[int, str], _Bucket] = {}
        self._lock = threading.Lock()

    def set(self, rules: Any) -> list[dict]:
        """Replace the rules (all checked first: a bad one changes nothing); buckets start full."""
        if not isinstance(rules, list):
            raise errors.invalid_parameter("'rules' must be a list of rate limits.")
        checked = [check(rule, self.operations) for rule in rules]
        with self._lock:
            self._rules, self._buckets = checked, {}
        return self.rules()

    def start_with(self, rules: list[dict]) -> None:
        self._baseline = [check(rule, self.operations) for rule in rules]
        self.reset()

    def rules(self) -> list[dict]:
        with self._lock:
            return [dict(rule) for rule in self._rules]

    def reset(self) -> None:
        with self._lock:
            self._rules, self._buckets = [dict(rule) for rule in self._baseline], {}

    def admit(self, tenancy: str, operation: str, now: float) -> None:
        """Take a token from every bucket this call counts against; 429 when one is empty."""
        with self._lock:
            buckets = []
            for index, rule in enumerate(self._rules):
                if rule["operation"] in (None, operation) and rule["tenancy"] in (None, tenancy):
                    bucket = self._buckets.setdefault((index, tenancy), _Bucket(rule["burst"], now))
                    bucket.tokens = min(rule["burst"], bucket.tokens + max(0.0, now - bucket.time) * rule["rate"])
                    bucket.time = now
                    buckets.append((bucket, rule))
            wait = max(((1 - b.tokens) / r["rate"] for b, r in buckets if b.tokens < 1), default=None)
            if wait is not None:
                raise errors.too_many_requests(wait, f"Too many requests for the tenancy ({operation}); retry with back-off.")
            for bucket, _ in buckets:
                bucket.tokens -= 1
