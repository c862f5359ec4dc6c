"""Opaque page tokens: a keyset cursor plus a checksum of the list's other parameters.

A token replayed with different filters or sort (or forged) is a 400, as moto's paginator does;
the keyset cursor keeps the cost of a page O(page), not O(all).
"""

from __future__ import annotations

import base64
import hashlib
import json

from . import errors

NOT_FILTERS = {"page", "limit"}


def checksum(operation: str, query: dict) -> str:
    basis = json.dumps([operation, {k: v for k, v in sorted(query.items()) if k not in NOT_FILTERS}], default=str)
    return hashlib.sha256(basis.encode()).hexdigest()[:12]


def encode(cursor: tuple, check: str) -> str:
    raw = json.dumps({"c": list(cursor), "h": check}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str, check: str) -> tuple:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        cursor = tuple(data["c"])
        ok = data["h"] == check and len(cursor) >= 1
    except (ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        raise errors.invalid_parameter(
            "Invalid page token: use the opc-next-page value of the previous response with the same filters and sort."
        )
    return cursor
