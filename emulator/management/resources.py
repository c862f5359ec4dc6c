"""Steps every resource family shares: load, guard, create, update, move, delete, list.

Each step takes the family's :class:`~emulator.kinds.ResourceKind`, which says whether an action
is asynchronous (a work request and a transitional state) and where an update lands.
"""

from __future__ import annotations

from typing import Callable

from .. import lifecycle
from ..call import Call, Result
from ..kinds import ResourceKind
from ..protocol import errors, pagination
from ..protocol.ids import new_etag
from ..store import PageQuery, Record

Check = Callable[[Call, Record], None]
LIST_CONTROLS = {"compartmentId", "limit", "page", "sortBy", "sortOrder"}
DEFAULT_LIMIT = 100
ASCENDING_BY_DEFAULT = {"displayName", "name", "lifecycleState"}
GONE = ("DELETED", "FAILED")


def load(call: Call, kind: ResourceKind, rid: str) -> Record:
    """The caller's resource ``rid`` of ``kind``, or 404 (also for another tenancy's)."""
    rec = call.store.get(kind.name, rid, call.tenancy) if kind.owns(rid) else None
    if rec is None:
        raise errors.not_found()
    return rec


def load_related(call: Call, kind: ResourceKind, rid: str, field: str) -> Record:
    """A resource the request refers to; missing or foreign is a 400 naming the field."""
    try:
        return load(call, kind, rid)
    except errors.ServiceError:
        raise errors.related_not_found(
            f"The {kind.label} given in '{field}' ({rid}) does not exist or you are not authorized to use it."
        ) from None


def guard_mutation(call: Call, kind: ResourceKind, rec: Record) -> None:
    """Mutations need a living resource, a matching etag when ``if-match`` is given (the
    precondition is checked first, as HTTP does) and a settled state."""
    state = rec.doc.get("lifecycleState")
    if state == "DELETED":
        raise errors.not_found()
    if call.if_match is not None and call.if_match != rec.etag:
        raise errors.no_etag_match()
    if state in lifecycle.TRANSITIONAL:
        raise errors.incorrect_state(f"The {kind.label} {rec.id} is {state}; wait until the current operation finishes.")


def new_record(call: Call, kind: ResourceKind, doc: dict) -> Record:
    """A new resource of ``kind`` from ``doc`` (whose ``id``, when a family needs it beforehand, is kept)."""
    rid = doc.get("id") or kind.new_id(call.env.settings.region)
    full = {
        "id": rid,
        **doc,
        "timeCreated": call.stamp,
        "timeUpdated": call.stamp,
        "freeformTags": doc.get("freeformTags", {}),
        "definedTags": doc.get("definedTags", {}),
        "systemTags": {},
    }
    full.setdefault("displayName", f"{kind.type_token or kind.name}{call.stamp[:19].replace('-', '').replace(':', '').replace('T', '')}")
    return Record(kind.name, rid, call.tenancy, full, new_etag())


def transition(
    call: Call,
    kind: ResourceKind,
    rec: Record,
    action: str,
    *,
    transitional: str | None,
    target: str,
    on_finish: dict | None = None,
    is_new: bool = False,
    ends: str | None = None,
) -> Result:
    """Start ``kind``'s asynchronous ``action`` on ``rec`` and write it, all or nothing (``ends``:
    see :func:`lifecycle.begin`)."""
    with call.store.transaction():
        wr_id = lifecycle.begin(
            call.store,
            kind,
            rec,
            call.now,
            call.env.settings.region,
            action=action,
            transitional=transitional,
            target=target,
            on_finish=on_finish,
            ends=ends,
        )
        if is_new:
            call.store.insert(rec)
        else:
            save(call, rec, stamp=None if ends else "timeUpdated")
    return Result(body=rec.doc, etag=rec.etag, work_request_id=wr_id)


def save(call: Call, rec: Record, stamp: str | None = "timeUpdated") -> None:
    """Write ``rec`` back with a fresh etag, compare-and-set against the etag it was read with,
    and the time in its field ``stamp`` (``None``: a kind with no such field)."""
    expected = rec.etag
    rec.etag = new_etag()
    if stamp:
        rec.doc[stamp] = call.stamp
    if not call.store.replace(rec, if_match=expected):
        raise errors.no_etag_match()


def create(call: Call, kind: ResourceKind, doc: dict, *, done: str, on_finish: dict | None = None) -> Result:
    """Store a new resource; an asynchronous create starts in CREATING and becomes ACTIVE when its
    work request finishes."""
    if not kind.is_asynchronous("create"):
        rec = new_record(call, kind, dict(doc, lifecycleState="ACTIVE", lifecycleDetails=done, **(on_finish or {})))
        call.store.insert(rec)
        return Result(body=rec.doc, etag=rec.etag)
    rec = new_record(call, kind, dict(doc, lifecycleState="CREATING"))
    return transition(
        call,
        kind,
        rec,
        "create",
        transitional="CREATING",
        target="ACTIVE",
        on_finish={"lifecycleDetails": done, **(on_finish or {})},
        is_new=True,
    )


def update(call: Call, kind: ResourceKind, rid: str, check: Check | None = None, rec: Record | None = None) -> Result:
    """Apply the request's changes; an asynchronous update goes through UPDATING to the state the
    kind's updates land in, a synchronous one leaves the state as it is."""
    rec = rec or load(call, kind, rid)
    guard_mutation(call, kind, rec)
    if check:
        check(call, rec)
    rec.doc.update(call.body)
    if not kind.is_asynchronous("update"):
        save(call, rec)
        return Result(body=rec.doc, etag=rec.etag)
    target = kind.update_lands_in or rec.doc["lifecycleState"]
    return transition(call, kind, rec, "update", transitional="UPDATING", target=target)


def list_page(
    call: Call,
    kind: ResourceKind,
    *,
    renames: dict[str, str] | None = None,
    include_global: bool = False,
    present=None,
    compartment: str | None = None,
    within: dict | None = None,
) -> Result:
    """One page of ``kind`` for a list operation: its filters, sort and page token from the query.
    ``compartment`` replaces the query's ``compartmentId`` (a kind whose list takes none);
    ``within`` adds filters the path names (the parent of a child resource: ``{"semanticStoreId": ...}``)
    and then only those of its records that carry no compartment are listed."""
    query = call.query
    renames = renames or {}
    sort_by = query.get("sortBy", kind.default_sort)
    default_order = "ASC" if sort_by in ASCENDING_BY_DEFAULT else "DESC"
    descending = query.get("sortOrder", default_order) == "DESC"
    check = pagination.checksum(call.op.name, query)
    after = pagination.decode(query["page"], check, (str, str)) if "page" in query else None
    filters = {renames.get(k, k): v for k, v in query.items() if k not in LIST_CONTROLS}
    if within is not None:
        filters.update(within)
    elif compartment is None:
        compartment = query.get("compartmentId")
    page_query = PageQuery(
        kind=kind.name,
        tenancy=call.tenancy,
        compartment=compartment,
        filters=filters,
        sort_by=sort_by,
        descending=descending,
        limit=query.get("limit", DEFAULT_LIMIT),
        after=after,
        include_global=include_global,
    )
    next_page = None
    if present is None:
        items, cursor = call.store.page_json(page_query)
        body = None
        raw = '{"items":' + items + "}"
    else:
        records, cursor = call.store.page(page_query)
        body, raw = {"items": [present(r.doc) for r in records]}, None
    if cursor:
        next_page = pagination.encode(cursor, check)
    return Result(body=body, raw=raw, next_page=next_page)


def change_compartment(call: Call, kind: ResourceKind, rid: str, rec: Record | None = None) -> Result:
    """Synchronous, as the SDK models it (no composite waiter): the move lands at once; when the
    kind reports moves in work requests, its work request is already SUCCEEDED."""
    rec = rec or load(call, kind, rid)
    guard_mutation(call, kind, rec)
    rec.doc["compartmentId"] = call.body["compartmentId"]
    if not kind.is_asynchronous("move"):
        save(call, rec)
        return Result()
    with call.store.transaction():
        result = transition(call, kind, rec, "move", transitional=None, target=rec.doc["lifecycleState"])
        lifecycle.finish(call.store, rec, call.now)
    return Result(work_request_id=result.work_request_id)


def delete(call: Call, kind: ResourceKind, rid: str, check: Check | None = None, rec: Record | None = None) -> Result:
    rec = rec or load(call, kind, rid)
    guard_mutation(call, kind, rec)
    if check:
        check(call, rec)
    if not kind.is_asynchronous("delete"):
        rec.doc["lifecycleState"] = "DELETED"
        save(call, rec)
        return Result()
    result = transition(call, kind, rec, "delete", transitional="DELETING", target="DELETED")
    return Result(work_request_id=result.work_request_id)


def require_active(kind: ResourceKind, rec: Record) -> None:
    """409 IncorrectState unless ``rec`` is ACTIVE (what a new child or job needs of its parent)."""
    state = rec.doc["lifecycleState"]
    if state != "ACTIVE":
        raise errors.incorrect_state(f"The {kind.label} {rec.id} is {state}; it must be ACTIVE.")


def get(call: Call, kind: ResourceKind, rid: str) -> Result:
    rec = load(call, kind, rid)
    return Result(body=rec.doc, etag=rec.etag)


def refuse_if_served(call: Call, rec: Record) -> None:
    """A model that endpoints still serve cannot be deleted (409)."""
    endpoints = in_use_by_endpoints(call, "modelId", rec.id)
    if endpoints:
        label = call.env.kinds[rec.kind].label
        raise errors.conflict(f"The {label} {rec.id} is used by {len(endpoints)} endpoint(s); delete them first.")


def in_use_by_endpoints(call: Call, field: str, rid: str) -> list[Record]:
    return living(call, "endpoint", **{field: rid})


def living(call: Call, kind_name: str, **fields) -> list[Record]:
    """The caller's resources of the kind named ``kind_name`` whose fields (dotted paths for nested
    ones) equal ``fields``, and that are neither DELETED nor FAILED."""
    return [r for r in call.store.find(kind_name, call.tenancy, **fields) if r.doc["lifecycleState"] not in GONE]


def refuse_if_parent(call: Call, rec: Record) -> None:
    """A resource whose children (kinds ``owned_by`` its kind) still live cannot be deleted (409)."""
    for kind in call.env.kinds.values():
        if kind.owned_by is None or kind.owned_by[0] != rec.kind:
            continue
        found = call.store.find(kind.name, call.tenancy, **{kind.owned_by[1]: rec.id})
        children = [c for c in found if c.doc.get("lifecycleState") not in GONE]
        if children:
            label = call.env.kinds[rec.kind].label
            raise errors.conflict(f"The {label} {rec.id} still has {len(children)} {kind.label}(s); delete them first.")


def page_of(
    call: Call, kind: ResourceKind, records: list[Record], present=None, ascending_by_default=ASCENDING_BY_DEFAULT
) -> Result:
    """One page of ``records`` (already found and filtered) for a list served from memory: the
    children of one parent, whose lists filter and sort by fields of their own (a warm pool's
    ``name``, a command's ``timeFinished``). Sort and page token come from the query, as in
    :func:`list_page`."""
    query = call.query
    sort_by = query.get("sortBy", kind.default_sort)
    descending = query.get("sortOrder", "ASC" if sort_by in ascending_by_default else "DESC") == "DESC"
    check = pagination.checksum(call.op.name, query)
    after = pagination.decode(query["page"], check, (str, str)) if "page" in query else None
    page, cursor = pagination.keyset_slice(
        records, lambda r: (str(r.doc.get(sort_by) or ""), r.id), after, query.get("limit", DEFAULT_LIMIT), descending
    )
    present = present or (lambda doc: doc)
    next_page = pagination.encode(cursor, check) if cursor else None
    return Result(body={"items": [present(r.doc) for r in page]}, next_page=next_page)
