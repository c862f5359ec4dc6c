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

from .lifecycle import KINDS, Clock, iso
from .protocol import errors
from .protocol.ids import TYPE_TOKENS, new_etag, ocid_type
from .settings import DEFAULT_TENANCY
from .store import Record, Store

FORMAT = "oci-genai-emulator-state"
VERSION = 1
WORK_REQUEST = "workrequest"


def export_state(store: Store, clock: Clock) -> dict:
    records = store.user_records()
    return {
        "format": FORMAT,
        "version": VERSION,
        "exportedAt": iso(clock.now()),
        "clockOffsetSeconds": store.meta("clock_offset", 0.0),
        "transitions": store.meta("policies", {}),
        "resources": [_dump(r) for r in records if r.kind != WORK_REQUEST],
        "workRequests": [_dump(r) for r in records if r.kind == WORK_REQUEST],
    }


def import_state(store: Store, data: Any) -> dict:
    """Replace the store's user state with the snapshot ``data``; returns what was loaded."""
    from .admin import _check_policy

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
        _check_policy(kind, policy)
    records = []
    for key, kinds in (("resources", KINDS), ("workRequests", (WORK_REQUEST,))):
        entries = data.get(key, [])
        if not isinstance(entries, list):
            raise errors.invalid_parameter(f"'{key}' must be a list.")
        records += [_load(entry, kinds, f"{key}[{i}]") for i, entry in enumerate(entries)]
    store.replace_user_state(records, {"clock_offset": float(offset) or None, "policies": policies or None})
    return {
        "resources": sum(r.kind != WORK_REQUEST for r in records),
        "workRequests": sum(r.kind == WORK_REQUEST for r in records),
    }


def seed_file(store: Store, path: str | Path) -> dict:
    """Import the snapshot in ``path`` (``serve --seed``); ValueError says what is wrong with it."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read the state file {path}: {exc}") from None
    try:
        return import_state(store, data)
    except errors.ServiceError as exc:
        raise ValueError(f"the state file {path} is not a valid snapshot: {exc.message}") from None


def _dump(rec: Record) -> dict:
    out = {"kind": rec.kind, "id": rec.id, "tenancy": rec.tenancy, "etag": rec.etag, "doc": rec.doc}
    if rec.pending is not None:
        out["pending"] = rec.pending
    if rec.due is not None:
        out["due"] = rec.due
    return out


def _load(entry: Any, kinds: tuple[str, ...], where: str) -> Record:
    if not isinstance(entry, dict):
        raise errors.invalid_parameter(f"{where} must be a JSON object.")
    kind, rid, doc = entry.get("kind"), entry.get("id"), entry.get("doc")
    if kind not in kinds:
        raise errors.invalid_parameter(f"{where}: 'kind' must be one of {', '.join(kinds)}, not {kind!r}.")
    if not isinstance(doc, dict):
        raise errors.invalid_parameter(f"{where}: 'doc' must be the resource's JSON document.")
    rid = rid or doc.get("id")
    if not isinstance(rid, str) or ocid_type(rid) != TYPE_TOKENS[kind]:
        raise errors.invalid_parameter(f"{where}: 'id' must be an OCID of type {TYPE_TOKENS[kind]}, not {rid!r}.")
    if doc.setdefault("id", rid) != rid:
        raise errors.invalid_parameter(f"{where}: the document's id {doc['id']} is not the record's id {rid}.")
    tenancy = entry.get("tenancy", DEFAULT_TENANCY)
    etag = entry.get("etag") or new_etag()
    pending, due = entry.get("pending"), entry.get("due")
    if not isinstance(tenancy, str) or not isinstance(etag, str):
        raise errors.invalid_parameter(f"{where}: 'tenancy' and 'etag' must be strings.")
    if pending is not None and not isinstance(pending, dict):
        raise errors.invalid_parameter(f"{where}: 'pending' must be an object or absent.")
    if due is not None and (not isinstance(due, (int, float)) or isinstance(due, bool)):
        raise errors.invalid_parameter(f"{where}: 'due' must be a time in seconds or absent.")
    return Record(kind, rid, tenancy, doc, etag, pending, due)
