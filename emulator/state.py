"""State snapshots: what ``GET/POST /_emulator/state``, ``oci-genai-emulator state export|import``
and ``serve --seed FILE`` read and write.

A snapshot holds what users made, in every tenancy: resources and work requests exactly as
stored (documents, etags, pending transitions with their due times on the emulator clock), the
clock offset and the transition policies. The base-model catalog, retry tokens, the request
journal, injected faults and trusted keys are not part of it. Importing replaces all of that
state at once (nothing of the old state survives; the catalog stays).

Hand-written seed files may leave out ``tenancy`` (the tenancy of unsigned requests), ``etag``
(a fresh one is made), ``pending``/``due`` and a document's ``id`` (the record's id).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .kinds import Kinds
from .lifecycle import WORK_REQUEST, Clock, check_policy, iso
from .protocol import errors
from .protocol.ids import new_etag
from .settings import DEFAULT_TENANCY
from .store import GLOBAL_TENANCY, Record, Store

FORMAT = "oci-genai-emulator-state"
VERSION = 1


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


def import_state(store: Store, kinds: Kinds, data: Any) -> dict:
    """Replace the store's user state with the snapshot ``data``; returns what was loaded."""
    if not isinstance(data, dict):
        raise errors.invalid_parameter("A state snapshot is a JSON object.")
    if data.get("format", FORMAT) != FORMAT or data.get("version", VERSION) != VERSION:
        raise errors.invalid_parameter(f"Not a {FORMAT} version {VERSION} snapshot.")
    offset = data.get("clockOffsetSeconds", 0.0)
    if not isinstance(offset, (int, float)) or isinstance(offset, bool):
        raise errors.invalid_parameter("'clockOffsetSeconds' must be a number of seconds.")
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
        records += [_load(entry, allowed, f"{key}[{i}]") for i, entry in enumerate(entries)]
    refused = store.replace_user_state(records, {"clock_offset": float(offset) or None, "policies": policies or None})
    if refused is not None:
        raise errors.invalid_parameter(f"The id {refused} appears twice or names a base model.")
    return {
        "resources": sum(r.kind != WORK_REQUEST.name for r in records),
        "workRequests": sum(r.kind == WORK_REQUEST.name for r in records),
    }


def seed_file(store: Store, kinds: Kinds, path: str | Path) -> dict:
    """Import the snapshot in ``path`` (``serve --seed``); ValueError says what is wrong with it."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read the state file {path}: {exc}") from None
    try:
        return import_state(store, kinds, data)
    except errors.ServiceError as exc:
        raise ValueError(f"the state file {path} is not a valid snapshot: {exc.message}") from None


def _dump(rec: Record) -> dict:
    out = {"kind": rec.kind, "id": rec.id, "tenancy": rec.tenancy, "etag": rec.etag, "doc": rec.doc}
    if rec.pending is not None:
        out["pending"] = rec.pending
    if rec.due is not None:
        out["due"] = rec.due
    return out


def _load(entry: Any, kinds: dict, where: str) -> Record:
    if not isinstance(entry, dict):
        raise errors.invalid_parameter(f"{where} must be a JSON object.")
    name, rid, doc = entry.get("kind"), entry.get("id"), entry.get("doc")
    kind = kinds.get(name) if isinstance(name, str) else None
    if kind is None:
        raise errors.invalid_parameter(f"{where}: 'kind' must be one of {', '.join(kinds)}, not {name!r}.")
    if not isinstance(doc, dict):
        raise errors.invalid_parameter(f"{where}: 'doc' must be the resource's JSON document.")
    rid = rid or doc.get("id")
    if not isinstance(rid, str) or not kind.owns(rid):
        raise errors.invalid_parameter(f"{where}: 'id' must be {kind.id_form}, not {rid!r}.")
    if doc.setdefault("id", rid) != rid:
        raise errors.invalid_parameter(f"{where}: the document's id {doc['id']} is not the record's id {rid}.")
    tenancy = entry.get("tenancy", DEFAULT_TENANCY)
    etag = entry.get("etag") or new_etag()
    pending, due = entry.get("pending"), entry.get("due")
    if not isinstance(tenancy, str) or not isinstance(etag, str):
        raise errors.invalid_parameter(f"{where}: 'tenancy' and 'etag' must be strings.")
    if tenancy == GLOBAL_TENANCY:
        raise errors.invalid_parameter(f"{where}: the record {rid} cannot belong to the global tenancy.")
    if pending is not None and not isinstance(pending, dict):
        raise errors.invalid_parameter(f"{where}: 'pending' must be an object or absent.")
    if due is not None and (not isinstance(due, (int, float)) or isinstance(due, bool)):
        raise errors.invalid_parameter(f"{where}: 'due' must be a time in seconds or absent.")
    return Record(kind.name, rid, tenancy, doc, etag, pending, due)
