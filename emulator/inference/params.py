"""Request values the spec leaves open (enums the SDK only documents, numeric ranges), checked the
way the spec validator words its errors, but as inference 400s."""

from __future__ import annotations

import json
from typing import Any, Sequence

from . import errors


def choice(body: dict, field: str, allowed: Sequence[str], default: str | None = None, where: str = "") -> str | None:
    value = body.get(field, default)
    if value is not None and value not in allowed:
        raise errors.bad_request(
            f"Invalid value {json.dumps(value)} for '{where}{field}': allowed values are {', '.join(allowed)}."
        )
    return value


def integer(body: dict, field: str, low: int | None = None, high: int | None = None, where: str = "") -> int | None:
    value = body.get(field)
    if value is None:
        return None
    value = int(value)  # JSON Schema counts 2.0 as an integer
    if (low is not None and value < low) or (high is not None and value > high):
        raise errors.bad_request(f"Invalid value {value} for '{where}{field}': {_range(low, high)}.")
    return value


def number(
    body: dict, field: str, low: float | None = None, high: float | None = None, where: str = ""
) -> float | None:
    value = body.get(field)
    if value is None:
        return None
    if (low is not None and value < low) or (high is not None and value > high):
        raise errors.bad_request(f"Invalid value {value} for '{where}{field}': {_range(low, high)}.")
    return value


def _range(low: Any, high: Any) -> str:
    if low is not None and high is not None:
        return f"it must be between {low} and {high}"
    if low is not None:
        return f"it must be at least {low}"
    return f"it must be at most {high}"
