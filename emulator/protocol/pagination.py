"""Opaque page tokens: a keyset cursor plus a checksum of the list's other parameters.

Every list pages by keyset: the token holds the sort key of the last item served, and the next
page starts after it, so a page costs O(page), not O(all), and items added or removed meanwhile
never shift a page. A token replayed with different filters or sort, truncated, or forged is a
400, as moto's paginator does.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any, Callable, Sequence

from . import errors, limits
from .validation import check_document

NOT_FILTERS = {"page", "limit"}


def checksum(operation: str, query: dict) -> str:
    basis = json.dumps([operation, {k: v for k, v in sorted(query.items()) if k not in NOT_FILTERS}], default=str)
    return hashlib.sha256(basis.encode()).hexdigest()[:12]


def encode(cursor: tuple, check: str) -> str:
    raw = json.dumps({"c": list(cursor), "h": check}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str, check: str, shape: tuple[type, ...]) -> tuple:
    """The cursor in ``token``, whose parts have the types of ``shape``; 400 for anything else."""
    cursor: Any = None
    if len(token) <= limits.MAX_PAGE_TOKEN_CHARS:
        try:
            data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            if isinstance(data, dict) and data.get("h") == check and isinstance(data.get("c"), list):
                check_document(data["c"])  # text a client forged must still be valid Unicode
                cursor = tuple(data["c"])
        except (ValueError, binascii.Error, RecursionError, errors.ServiceError):
            cursor = None
    if (
        cursor is None
        or len(cursor) != len(shape)
        or not all(type(part) is kind for part, kind in zip(cursor, shape))  # bool is not an int here
    ):
        raise errors.invalid_parameter(
            "Invalid page token: use the opc-next-page value of the previous response with the same filters and sort."
        )
    return cursor


def keyset_slice(
    items: Sequence[Any], key: Callable[[Any], tuple], after: tuple | None, limit: int, descending: bool
) -> tuple[list, tuple | None]:
    """One page of ``items`` (any order) sorted by ``key``, after the cursor ``after``; returns the
    page and the cursor of the next page (``None`` on the last one). For lists kept in memory, such
    as a work request's logs; stored resources page in SQL the same way (``Store.page``)."""
    ordered = sorted(items, key=key, reverse=descending)
    if after is not None:
        ordered = [i for i in ordered if (key(i) < after if descending else key(i) > after)]
    page = ordered[:limit]
    return page, (key(page[-1]) if len(ordered) > limit else None)
