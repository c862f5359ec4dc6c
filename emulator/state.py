"""State snapshots: what ``GET/POST /_emulator/state``, ``oci-genai-emulator state export|import``
and ``serve --seed FILE`` read and write.

A snapshot holds what users made, in every tenancy: resources and work requests exactly as
stored (documents, etags, pending transitions with their due times on the emulator clock), the
clock offset and the transition policies. The base-model catalog, retry tokens, the request
journal, injected faults and trusted keys are not part of it. Importing replaces all of that
state at once (nothing of the old state survives; the catalog stays).

Every entry is checked before anything is stored, and a snapshot with one bad entry is refused
whole, with a message naming the entry: each document against its resource's schema in
``specs/`` (types, enums, required fields, RFC 3339 times), the emulator's own fields of work
requests (logs, errors, due time), pending transitions (target state, an imported work request
of the same tenancy, what lands with it), and numbers the clock can take.

Hand-written seed files may leave out ``tenancy`` (the tenancy of unsigned requests), ``etag``
(a fresh one is made), ``pending``/``due`` and a document's ``id`` (the record's id).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonschema_rs

from .call import Env
from .kinds import ResourceKind
from .lifecycle import ACTION_TYPES, WORK_REQUEST, Clock, check_policy, is_seconds, iso
from .protocol import errors, limits
from .protocol.ids import new_etag
from .protocol.validation import read_document
from .settings import DEFAULT_TENANCY
from .spec import Spec
from .store import GLOBAL_TENANCY, Record, Store

FORMAT = "oci-genai-emulator-state"
VERSION = 1
TOP_LEVEL = {"format", "version", "exportedAt", "clockOffsetSeconds", "transitions", "resources", "workRequests"}
ENTRY_FIELDS = {"kind", "id", "tenancy", "etag", "doc", "pending", "due"}
PENDING_FIELDS = {"to", "wr", "action", "set", "outcome", "failure", "stamp"}
STAMPS = ("timeUpdated", "timeFinished", "timeEnded")  # the field a transition stamps when it lands
MAX_ETAG_CHARS = 128
# The emulator's own fields of a work request document (never on the wire).
_TIMESTAMPED = {"type": "array", "items": {"type": "object", "required": ["message", "timestamp"],
                "properties": {"message": {"type": "string"}, "code": {"type": "string"},
                               "timestamp": {"type": "string", "format": "date-time"}}}}
WORK_REQUEST_FIELDS = {
    "type": "object",
    "required": ["_logs", "_errors"],
    "properties": {
        "_due": {"type": ["number", "null"]},
        "_failAt": {"type": "number", "minimum": 0, "maximum": 100},
        "_logs": _TIMESTAMPED,
        "_errors": {**_TIMESTAMPED, "items": {**_TIMESTAMPED["items"], "required": ["code", "message", "timestamp"]}},
    },
}
FAILURE = {
    "type": "object",
    "required": ["atPercent", "code", "message"],
    "additionalProperties": False,
    "properties": {"atPercent": {"type": "number", "minimum": 0, "maximum": 100}, "code": {"type": "string"},
                   "message": {"type": "string"}},
}


def export_state(store: Store, clock: Clock) -> dict:
    records = store.user_records()
    return {
        "format": FORMAT,
        "version": VERSION,
        "exportedAt": iso(clock.now()),
        "clockOffsetSeconds": store.meta("clock_offset", 0.0),
        "transitions": store.meta("policies", {}),
        "resources": [_dump(r) for r in records if r.kind != WORK_REQUEST.name],
        "workRequests": [_dump(r) for r in records if r.kind == WORK_REQUEST.name],
    }


def import_state(env: Env, data: Any) -> dict:
    """Replace the store's user state with the snapshot ``data``, all or nothing; returns what was
    loaded. 400 naming the first bad entry, and then nothing changed."""
    records, meta = check_snapshot(env.spec, env.kinds, data)
    refused = env.store.replace_user_state(records, meta)
    if refused is not None:
        raise errors.invalid_parameter(f"The id {refused} appears twice or names a base model.")
    return {
        "resources": sum(r.kind != WORK_REQUEST.name for r in records),
        "workRequests": sum(r.kind == WORK_REQUEST.name for r in records),
    }


def seed_file(env: Env, path: str | Path) -> dict:
    """Import the snapshot in ``path`` (``serve --seed``); ValueError says what is wrong with it."""
    data = read_document(path, "state file", yaml=False)
    try:
        return import_state(env, data)
    except errors.ServiceError as exc:
        raise ValueError(f"the state file {path} is not a valid snapshot: {exc.message}") from None


def check_snapshot(spec: Spec, kinds, data: Any) -> tuple[list[Record], dict]:
    """The records and settings of a snapshot, every entry checked; 400 naming the first bad one."""
    if not isinstance(data, dict):
        raise errors.invalid_parameter("A state snapshot is a JSON object.")
    unknown = set(data) - TOP_LEVEL
    if unknown:
        raise errors.invalid_parameter(f"Unknown snapshot field(s): {', '.join(sorted(unknown))[:200]}.")
    if data.get("format", FORMAT) != FORMAT or data.get("version", VERSION) != VERSION:
        raise errors.invalid_parameter(f"Not a {FORMAT} version {VERSION} snapshot.")
    offset = data.get("clockOffsetSeconds", 0.0)
    if not is_seconds(offset, low=-limits.MAX_CLOCK_OFFSET_SECONDS):
        raise errors.invalid_parameter(
            f"'clockOffsetSeconds' must be a number of seconds within {limits.MAX_CLOCK_OFFSET_SECONDS} of real time."
        )
    policies = data.get("transitions", {})
    if not isinstance(policies, dict):
        raise errors.invalid_parameter("'transitions' must map a resource kind to a policy.")
    for kind, policy in policies.items():
        check_policy(kind, policy, kinds.with_transitions)
    records = []
    resource_kinds = {name: kind for name, kind in kinds.items() if kind is not WORK_REQUEST}
    for key, allowed in (("resources", resource_kinds), ("workRequests", {WORK_REQUEST.name: WORK_REQUEST})):
        entries = data.get(key, [])
        if not isinstance(entries, list):
            raise errors.invalid_parameter(f"'{key}' must be a list.")
        records += [_load(spec, entry, allowed, f"{key}[{i}]") for i, entry in enumerate(entries)]
    work_requests = {(r.tenancy, r.id) for r in records if r.kind == WORK_REQUEST.name}
    for where, rec in ((f"resources[{i}]", r) for i, r in enumerate(records) if r.kind != WORK_REQUEST.name):
        if rec.pending is not None and "wr" in rec.pending and (rec.tenancy, rec.pending["wr"]) not in work_requests:
            raise errors.invalid_parameter(
                f"{where}: 'pending.wr' names no work request of the snapshot in the tenancy {rec.tenancy}."
            )
    return records, {"clock_offset": float(offset) or None, "policies": policies or None}


def _dump(rec: Record) -> dict:
    out = {"kind": rec.kind, "id": rec.id, "tenancy": rec.tenancy, "etag": rec.etag, "doc": rec.doc}
    if rec.pending is not None:
        out["pending"] = rec.pending
    if rec.due is not None:
        out["due"] = rec.due
    return out


def _load(spec: Spec, entry: Any, kinds: dict, where: str) -> Record:
    if not isinstance(entry, dict):
        raise errors.invalid_parameter(f"{where} must be a JSON object.")
    unknown = set(entry) - ENTRY_FIELDS
    if unknown:
        raise errors.invalid_parameter(f"{where}: unknown field(s) {', '.join(sorted(unknown))[:200]}.")
    name, rid, doc = entry.get("kind"), entry.get("id"), entry.get("doc")
    kind = kinds.get(name) if isinstance(name, str) else None
    if kind is None:
        raise errors.invalid_parameter(f"{where}: 'kind' must be one of {', '.join(kinds)}, not {str(name)[:100]!r}.")
    if not isinstance(doc, dict):
        raise errors.invalid_parameter(f"{where}: 'doc' must be the resource's JSON document.")
    rid = rid or doc.get("id")
    if not isinstance(rid, str) or not kind.owns(rid):
        raise errors.invalid_parameter(f"{where}: 'id' must be {kind.id_form}, not {str(rid)[:100]!r}.")
    if doc.setdefault("id", rid) != rid:
        raise errors.invalid_parameter(f"{where}: the document's id {str(doc['id'])[:100]} is not the record's id {rid}.")
    tenancy = entry.get("tenancy", DEFAULT_TENANCY)
    etag = entry.get("etag") or new_etag()
    pending, due = entry.get("pending"), entry.get("due")
    if not isinstance(tenancy, str) or not 0 < len(tenancy) <= limits.MAX_TEXT_CHARS:
        raise errors.invalid_parameter(f"{where}: 'tenancy' must be a tenancy OCID.")
    if not isinstance(etag, str) or len(etag) > MAX_ETAG_CHARS:
        raise errors.invalid_parameter(f"{where}: 'etag' must be a string of at most {MAX_ETAG_CHARS} characters.")
    if tenancy == GLOBAL_TENANCY:
        raise errors.invalid_parameter(f"{where}: the record {rid} cannot belong to the global tenancy.")
    _check_doc(spec, kind, doc, f"{where}.doc")
    if due is not None and not is_seconds(due):
        raise errors.invalid_parameter(f"{where}: 'due' must be a time in seconds on the emulator clock, or absent.")
    if pending is None and due is not None:
        raise errors.invalid_parameter(f"{where}: a 'due' time needs a 'pending' transition.")
    if pending is not None:
        _check_pending(spec, kind, doc, pending, f"{where}.pending")
    return Record(kind.name, rid, tenancy, doc, etag, pending, due)


def _check_pending(spec: Spec, kind: ResourceKind, doc: dict, pending: Any, where: str) -> None:
    """A transition :func:`lifecycle.finish` can land: into a state of the resource, reported by
    a work request, and leaving a document that is still valid."""
    if kind is WORK_REQUEST or not isinstance(pending, dict):
        raise errors.invalid_parameter(f"{where}: a {kind.label} has no pending transition of this form.")
    unknown = set(pending) - PENDING_FIELDS
    if unknown:
        raise errors.invalid_parameter(f"{where}: unknown field(s) {', '.join(sorted(unknown))[:200]}.")
    states = _states(spec, kind)
    if pending.get("to") not in states:
        raise errors.invalid_parameter(f"{where}.to: the state it lands in, one of {', '.join(states)}.")
    if kind.operation_types or "wr" in pending:  # a data-API job's transition has no work request
        if not isinstance(pending.get("wr"), str) or not WORK_REQUEST.owns(pending["wr"]):
            raise errors.invalid_parameter(f"{where}.wr: the OCID of the work request that reports it.")
        if pending.get("action") not in ACTION_TYPES.values():
            raise errors.invalid_parameter(f"{where}.action: one of {', '.join(sorted(set(ACTION_TYPES.values())))}.")
    if pending.get("stamp", "timeUpdated") not in STAMPS:
        raise errors.invalid_parameter(f"{where}.stamp: the field stamped when it lands, one of {', '.join(STAMPS)}.")
    if pending.get("outcome", "SUCCEEDED") not in ("SUCCEEDED", "FAILED"):
        raise errors.invalid_parameter(f"{where}.outcome: SUCCEEDED or FAILED.")
    landed = pending.get("set", {})
    if not isinstance(landed, dict):
        raise errors.invalid_parameter(f"{where}.set: the document fields it sets, an object.")
    _check_doc(spec, kind, {**doc, **landed, "lifecycleState": pending["to"]}, f"{where}.set")
    if "failure" in pending:
        _raise_first(_validator("failure", lambda: FAILURE), pending["failure"], f"{where}.failure")


def _check_doc(spec: Spec, kind: ResourceKind, doc: dict, where: str) -> None:
    if kind.model is None:
        return  # an OpenAI-compatible object: a JSON object is all that is known of it
    wire = {k: v for k, v in doc.items() if not k.startswith("_")}
    _raise_first(_validator(f"{kind.api}:{kind.model}", lambda: _document_schema(spec, kind)), wire, where)
    if kind is WORK_REQUEST:
        private = {k: v for k, v in doc.items() if k.startswith("_")}
        _raise_first(_validator("_workrequest", lambda: WORK_REQUEST_FIELDS), private, where)
        if private.get("_due") is not None and not is_seconds(private["_due"]):
            raise errors.invalid_parameter(f"{where}._due: a time in seconds on the emulator clock, or null.")
    elif set(doc) - set(wire) - set(kind.private_fields):
        raise errors.invalid_parameter(f"{where}: a {kind.label} has no field starting with '_' but {kind.private_fields or 'none'}.")


def _raise_first(validator, value: Any, where: str) -> None:
    error = next(validator.iter_errors(value), None)
    if error is not None:
        field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.instance_path)
        raise errors.invalid_parameter(f"{where}{field}: {error.message[:300]}.")


_VALIDATORS: dict[str, Any] = {}


def _validator(name: str, schema):
    if name not in _VALIDATORS:
        _VALIDATORS[name] = jsonschema_rs.Draft7Validator(schema(), validate_formats=True)
    return _VALIDATORS[name]


def _document_schema(spec: Spec, kind: ResourceKind) -> dict:
    """The schema of ``kind``'s documents as the service answers them (OpenAPI's ``nullable``
    in JSON Schema terms)."""
    schemas = spec.documents[kind.api]["components"]["schemas"]
    return {"$ref": f"#/components/schemas/{kind.model}", "components": {"schemas": _nullable(copy.deepcopy(schemas))}}


def _nullable(schema: Any) -> Any:
    if isinstance(schema, dict):
        out = {k: _nullable(v) for k, v in schema.items() if k != "nullable"}
        return {"anyOf": [out, {"type": "null"}]} if schema.get("nullable") else out
    if isinstance(schema, list):
        return [_nullable(v) for v in schema]
    return schema


def _states(spec: Spec, kind: ResourceKind) -> list[str]:
    schema = spec.documents[kind.api]["components"]["schemas"][kind.model]
    return list(schema["properties"]["lifecycleState"].get("enum") or [])
