"""Steps every resource family shares: load, guard, transition, list."""

from __future__ import annotations

from .. import lifecycle
from ..call import Call, Result
from ..protocol import errors, pagination
from ..protocol.ids import TYPE_TOKENS, new_etag, new_ocid, ocid_type
from ..store import PageQuery, Record

# The list operation whose item shape (a summary) each kind's documents are listed in.
LIST_OPERATIONS = {
    "dedicatedaicluster": "list_dedicated_ai_clusters",
    "endpoint": "list_endpoints",
    "model": "list_models",
    "importedmodel": "list_imported_models",
}
LIST_CONTROLS = {"compartmentId", "limit", "page", "sortBy", "sortOrder"}
DEFAULT_LIMIT = 100
ASCENDING_BY_DEFAULT = {"displayName", "lifecycleState"}
LABELS = {
    "dedicatedaicluster": "dedicated AI cluster",
    "endpoint": "endpoint",
    "model": "model",
    "importedmodel": "imported model",
    "workrequest": "work request",
}


def load(call: Call, kind: str, rid: str) -> Record:
    """The caller's resource ``rid`` of ``kind``, or 404 (also for another tenancy's)."""
    if ocid_type(rid) != TYPE_TOKENS[kind]:
        raise errors.not_found()
    rec = call.store.get(kind, rid, call.tenancy)
    if rec is None:
        raise errors.not_found()
    return rec


def load_related(call: Call, kind: str, rid: str, field: str) -> Record:
    """A resource the request refers to; missing or foreign is a 400 naming the field."""
    try:
        return load(call, kind, rid)
    except errors.ServiceError:
        raise errors.related_not_found(
            f"The {LABELS[kind]} given in '{field}' ({rid}) does not exist or you are not authorized to use it."
        ) from None


def guard_mutation(call: Call, rec: Record) -> None:
    """Mutations need a living resource, a matching etag when ``if-match`` is given (the
    precondition is checked first, as HTTP does) and a settled state."""
    state = rec.doc.get("lifecycleState")
    if state == "DELETED":
        raise errors.not_found()
    if call.if_match is not None and call.if_match != rec.etag:
        raise errors.no_etag_match()
    if state in lifecycle.TRANSITIONAL:
        raise errors.incorrect_state(
            f"The {LABELS[rec.kind]} {rec.id} is {state}; wait until the current operation finishes."
        )


def new_record(call: Call, kind: str, doc: dict) -> Record:
    rid = new_ocid(kind, call.env.settings.region)
    full = {
        "id": rid,
        **doc,
        "timeCreated": call.stamp,
        "timeUpdated": call.stamp,
        "freeformTags": doc.get("freeformTags", {}),
        "definedTags": doc.get("definedTags", {}),
        "systemTags": {},
    }
    full.setdefault("displayName", f"generativeai{kind}{call.stamp[:19].replace('-', '').replace(':', '').replace('T', '')}")
    return Record(kind, rid, call.tenancy, full, new_etag())


def transition(
    call: Call,
    rec: Record,
    *,
    operation_type: str,
    action: str,
    transitional: str | None,
    target: str,
    on_finish: dict | None = None,
    is_new: bool = False,
) -> Result:
    """Start an asynchronous operation on ``rec`` and write it, all or nothing."""
    with call.store.transaction():
        wr_id = lifecycle.begin(
            call.store,
            rec,
            call.now,
            call.env.settings.region,
            operation_type=operation_type,
            action=action,
            transitional=transitional,
            target=target,
            on_finish=on_finish,
        )
        if is_new:
            call.store.insert(rec)
        else:
            save(call, rec)
    return Result(body=rec.doc, etag=rec.etag, work_request_id=wr_id)


def save(call: Call, rec: Record) -> None:
    """Write ``rec`` back with a fresh etag, compare-and-set against the etag it was read with."""
    expected = rec.etag
    rec.etag = new_etag()
    rec.doc["timeUpdated"] = call.stamp
    call.store.replace(rec, if_match=expected)


def create(call: Call, kind: str, doc: dict, operation_type: str, *, done: str, on_finish: dict | None = None) -> Result:
    """Store a new resource in CREATING; it becomes ACTIVE when its work request finishes."""
    rec = new_record(call, kind, dict(doc, lifecycleState="CREATING"))
    return transition(
        call,
        rec,
        operation_type=operation_type,
        action="CREATED",
        transitional="CREATING",
        target="ACTIVE",
        on_finish={"lifecycleDetails": done, **(on_finish or {})},
        is_new=True,
    )


def update(call: Call, kind: str, rid: str, operation_type: str, check=None) -> Result:
    """Apply the request's changes and go through UPDATING back to ACTIVE."""
    rec = load(call, kind, rid)
    guard_mutation(call, rec)
    if check:
        check(call, rec)
    rec.doc.update(call.body)
    return transition(
        call, rec, operation_type=operation_type, action="UPDATED", transitional="UPDATING", target="ACTIVE"
    )


def list_page(
    call: Call,
    kind: str,
    *,
    renames: dict[str, str] | None = None,
    include_global: bool = False,
    present=None,
) -> Result:
    """One page of ``kind`` for a list operation: its filters, sort and page token from the query."""
    query = call.query
    renames = renames or {}
    sort_by = query.get("sortBy", "timeAccepted" if kind == "workrequest" else "timeCreated")
    default_order = "ASC" if sort_by in ASCENDING_BY_DEFAULT else "DESC"
    descending = query.get("sortOrder", default_order) == "DESC"
    check = pagination.checksum(call.op.name, query)
    after = pagination.decode(query["page"], check) if "page" in query else None
    filters = {renames.get(k, k): v for k, v in query.items() if k not in LIST_CONTROLS}
    page_query = PageQuery(
        kind=kind,
        tenancy=call.tenancy,
        compartment=query.get("compartmentId"),
        filters=filters,
        sort_by=sort_by,
        descending=descending,
        limit=query.get("limit", DEFAULT_LIMIT),
        after=after,
        include_global=include_global,
    )
    next_page = None
    if present is None:
        texts, cursor = call.store.page_json(page_query)
        body = None
        raw = '{"items":[' + ",".join(texts) + "]}"
    else:
        records, cursor = call.store.page(page_query)
        body, raw = {"items": [present(r.doc) for r in records]}, None
    if cursor:
        next_page = pagination.encode(cursor, check)
    return Result(body=body, raw=raw, next_page=next_page)


def change_compartment(call: Call, kind: str, rid: str, operation_type: str) -> Result:
    """Synchronous, as the SDK models it (no composite waiter): the move lands at once and its
    work request is already SUCCEEDED."""
    rec = load(call, kind, rid)
    guard_mutation(call, rec)
    rec.doc["compartmentId"] = call.body["compartmentId"]
    with call.store.transaction():
        result = transition(
            call, rec, operation_type=operation_type, action="UPDATED", transitional=None, target=rec.doc["lifecycleState"]
        )
        lifecycle.finish(call.store, rec, call.now)
    return Result(work_request_id=result.work_request_id)


def delete(call: Call, kind: str, rid: str, operation_type: str, check=None) -> Result:
    rec = load(call, kind, rid)
    guard_mutation(call, rec)
    if check:
        check(call, rec)
    result = transition(
        call, rec, operation_type=operation_type, action="DELETED", transitional="DELETING", target="DELETED"
    )
    return Result(work_request_id=result.work_request_id)


def get(call: Call, kind: str, rid: str) -> Result:
    rec = load(call, kind, rid)
    return Result(body=rec.doc, etag=rec.etag)


def refuse_if_served(call: Call, rec: Record) -> None:
    """A model that endpoints still serve cannot be deleted (409)."""
    endpoints = in_use_by_endpoints(call, "modelId", rec.id)
    if endpoints:
        raise errors.conflict(f"The {LABELS[rec.kind]} {rec.id} is used by {len(endpoints)} endpoint(s); delete them first.")


def in_use_by_endpoints(call: Call, field: str, rid: str) -> list[Record]:
    return [
        e
        for e in call.store.find("endpoint", call.tenancy, **{field: rid})
        if e.doc["lifecycleState"] not in ("DELETED", "FAILED")
    ]
