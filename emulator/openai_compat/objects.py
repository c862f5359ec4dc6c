"""What OpenAI-compatible objects share: ids, storage in the caller's scope, retention, deletion and
cursor pages (``after``, ``limit``, ``order``; ``{"object": "list", "data", "first_id", "last_id",
"has_more"}``). Private fields (``_scope``, ``_input`` ...) never reach the wire."""

from __future__ import annotations

from typing import Any

from ..call import Call
from ..kinds import ResourceKind
from ..management.projects import SCOPE_FIELD
from ..protocol import errors
from ..protocol.ids import new_etag, new_prefixed_id
from ..store import Record
from .scope import Scope

DEFAULT_PAGE = 20
MAX_PAGE = 100


new_id = new_prefixed_id


def not_found(kind: ResourceKind, rid: str) -> errors.ServiceError:
    return errors.ServiceError(404, "NotAuthorizedOrNotFound", f"No {kind.label} found with id '{rid}'.")


def create(call: Call, kind: ResourceKind, scope: Scope, doc: dict) -> Record:
    rec = Record(kind.name, doc["id"], call.tenancy, {**doc, SCOPE_FIELD: scope.key, "_time": call.now}, new_etag())
    call.store.insert(rec)
    return rec


def load(call: Call, kind: ResourceKind, rid: str, scope: Scope, retention: float | None = None) -> Record:
    """The object ``rid`` of the caller's scope, or 404 (also once its retention has run out)."""
    rec = call.store.get(kind.name, rid, call.tenancy) if kind.owns(rid) else None
    if rec is None or rec.doc.get(SCOPE_FIELD) != scope.key:
        raise not_found(kind, rid)
    if retention is not None and call.now > rec.doc.get("_time", call.now) + retention:
        call.store.remove(kind.name, rid, call.tenancy)
        raise not_found(kind, rid)
    return rec


def scoped(call: Call, kind: ResourceKind, scope: Scope, **fields: Any) -> list[Record]:
    """Every object of ``kind`` in the caller's scope (whose document fields equal ``fields``), oldest first."""
    found = call.store.find(kind.name, call.tenancy, **{SCOPE_FIELD: scope.key}, **fields)
    return sorted(found, key=lambda r: (r.doc.get("_time", 0), r.id))


def save(call: Call, rec: Record, touch: bool = False) -> None:
    """Write ``rec`` back; ``touch`` restarts its retention (conversations count from their last update)."""
    if touch:
        rec.doc["_time"] = call.now
    expected, rec.etag = rec.etag, new_etag()
    if not call.store.replace(rec, if_match=expected):
        raise errors.conflict(f"{rec.id} changed meanwhile; try again.")


def remove(call: Call, rec: Record) -> None:
    call.store.remove(rec.kind, rec.id, rec.tenancy)


def public(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def deleted(rid: str, kind_object: str) -> dict:
    return {"id": rid, "object": f"{kind_object}.deleted", "deleted": True}


def cursor_page(call: Call, items: list[dict], default_order: str = "desc") -> dict:
    """A page of ``items`` (oldest first) by the query's ``after``, ``limit`` and ``order``."""
    order = call.query.get("order", default_order)
    limit = call.query.get("limit", DEFAULT_PAGE)
    if not 1 <= limit <= MAX_PAGE:
        raise errors.ServiceError(400, "InvalidParameter", f"Invalid limit {limit}: 1 to {MAX_PAGE}.", param="limit")
    ordered = list(reversed(items)) if order == "desc" else list(items)
    after = call.query.get("after")
    if after is not None:
        ids = [item["id"] for item in ordered]
        if after not in ids:
            raise errors.ServiceError(400, "InvalidParameter", f"No item with id '{after}' to page after.", param="after")
        ordered = ordered[ids.index(after) + 1 :]
    page = ordered[:limit]
    return list_of(page, has_more=len(ordered) > limit)


def list_of(items: list[dict], has_more: bool = False) -> dict[str, Any]:
    return {
        "object": "list",
        "data": items,
        "first_id": items[0]["id"] if items else None,
        "last_id": items[-1]["id"] if items else None,
        "has_more": has_more,
    }
