"""Lazy, deterministic time: the clock, transition policies and work requests.

No thread ever runs in the background. A resource in a transitional state carries its due
transition (``pending``: target state, work request, action) and a due time on the emulator
clock. :func:`settle` applies every due transition in one explicit step at the start of each API
request, so any read sees what is due. The clock is real time plus an offset that the admin API
can advance. Policies, per resource kind (``dedicatedaicluster``, ``endpoint``, ...), are
``{"mode": "delay", "seconds": S}`` (default 0: the mutating call answers with
CREATING/UPDATING/DELETING and the next request sees the result) or ``{"mode": "manual"}`` (only
``POST /_emulator/transitions/complete`` finishes it), optionally with ``"outcome": "FAILED"`` to
make transitions fail with work-request errors. A fault (``faults.py``) can also make one work
request fail, at a chosen percentage of its way (:func:`plan_failure`).

``lifecycleDetails`` follows each transition: what is under way while it runs, the state reached
(or the failure) when it lands.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Iterable
from datetime import datetime, timezone

from .kinds import ResourceKind
from .protocol import errors, limits
from .protocol.ids import new_etag
from .store import Record, Store

# Work requests are made here, by the transitions they report on.
WORK_REQUEST = ResourceKind(
    name="workrequest",
    model="WorkRequest",
    label="work request",
    type_token="generativeaiworkrequest",
    list_operation="list_work_requests",
    default_sort="timeAccepted",
    transitions=False,
)
TRANSITIONAL = ("CREATING", "UPDATING", "DELETING")
DEFAULT_POLICY = {"mode": "delay", "seconds": 0.0, "outcome": "SUCCEEDED"}
POLICY_FIELDS = {"mode", "seconds", "outcome"}
# The work request's resources[].actionType when an action succeeds.
ACTION_TYPES = {"create": "CREATED", "update": "UPDATED", "move": "UPDATED", "delete": "DELETED"}
UNDER_WAY = {"CREATING": "Creating", "UPDATING": "Updating", "DELETING": "Deleting"}
POLICY_FAILURE = {
    "code": "InternalError",
    "message": "The operation failed (failure injected through the emulator's admin API).",
    "atPercent": 100.0,
}


def details(kind: ResourceKind, state: str) -> str:
    """``lifecycleDetails`` of a ``kind`` resource in ``state``."""
    if state in UNDER_WAY:
        return f"{UNDER_WAY[state]} the {kind.label}."
    return f"The {kind.label} is {state.lower().replace('_', ' ')}."


def iso(ts: float) -> str:
    """RFC 3339 with milliseconds and ``Z``: fixed width, so it sorts as text."""
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(ts * 1000) % 1000:03d}Z"


def parse_iso(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


@dataclasses.dataclass
class Clock:
    """Real time plus an offset kept in the store, so every worker process shares it."""

    store: Store

    def now(self) -> float:
        return time.time() + self.store.meta("clock_offset", 0.0)

    def advance(self, seconds: float) -> float:
        """Move the clock forward; 400 when it would run further ahead than ``MAX_CLOCK_OFFSET_SECONDS``."""
        with self.store.transaction():
            offset = self.store.meta("clock_offset", 0.0) + seconds
            if not is_seconds(offset, low=-limits.MAX_CLOCK_OFFSET_SECONDS):
                raise errors.invalid_parameter(
                    f"The clock cannot run more than {limits.MAX_CLOCK_OFFSET_SECONDS} seconds ahead of real time."
                )
            self.store.set_meta("clock_offset", offset)
        return self.now()


def policies(store: Store, kinds: Iterable[str]) -> dict[str, dict]:
    """The transition policy of each of ``kinds`` (names of kinds with transitions)."""
    stored = store.meta("policies", {})
    return {kind: {**DEFAULT_POLICY, **stored.get(kind, {})} for kind in kinds}


def policy_of(store: Store, kind: str) -> dict:
    return {**DEFAULT_POLICY, **store.meta("policies", {}).get(kind, {})}


def due_time(store: Store, kind: str, now: float) -> float | None:
    """When an object of ``kind`` made at ``now`` is done (the OpenAI-compatible API's background
    responses and vector-store files, which keep it as ``_due``); ``None`` under a manual policy:
    it waits for :func:`complete`."""
    policy = policy_of(store, kind)
    return None if policy["mode"] == "manual" else now + float(policy["seconds"])


def is_done(doc: dict, now: float) -> bool:
    """Whether an object with a ``_due`` time (see :func:`due_time`) is done at ``now``."""
    due = doc.get("_due")
    return due is not None and now >= due


def check_policy(kind: str, policy, kinds: Iterable[str]) -> None:
    """400 unless ``policy`` is a valid transition policy for the kind named ``kind``."""
    kinds = tuple(kinds)
    if kind not in kinds:
        raise errors.invalid_parameter(f"Unknown resource kind {kind!r}; use one of {', '.join(kinds)}.")
    if not isinstance(policy, dict) or policy.get("mode", "delay") not in ("delay", "manual"):
        raise errors.invalid_parameter("A policy is {\"mode\": \"delay\", \"seconds\": S} or {\"mode\": \"manual\"}.")
    seconds = policy.get("seconds", 0)
    if not is_seconds(seconds):
        raise errors.invalid_parameter(f"'seconds' must be a number from 0 to {limits.MAX_CLOCK_OFFSET_SECONDS}.")
    if policy.get("outcome", "SUCCEEDED") not in ("SUCCEEDED", "FAILED"):
        raise errors.invalid_parameter("'outcome' must be SUCCEEDED or FAILED.")
    unknown = set(policy) - POLICY_FIELDS
    if unknown:
        raise errors.invalid_parameter(f"Unknown policy field(s): {', '.join(sorted(unknown))}.")


def is_seconds(value, low: float = 0) -> bool:
    """A number of seconds the clock can take: finite, from ``low`` to ``MAX_CLOCK_OFFSET_SECONDS``."""
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and low <= value <= limits.MAX_CLOCK_OFFSET_SECONDS
    )


def set_policy(store: Store, kind: str, policy: dict) -> dict:
    with store.transaction():
        stored = store.meta("policies", {})
        stored[kind] = {**stored.get(kind, {}), **policy}
        store.set_meta("policies", stored)
    return policy_of(store, kind)


def begin(
    store: Store,
    kind: ResourceKind,
    rec: Record,
    now: float,
    region: str,
    *,
    action: str,
    transitional: str | None,
    target: str,
    on_finish: dict | None = None,
    ends: str | None = None,
) -> str:
    """Put ``rec`` into ``kind``'s transition for ``action`` and create its work request; returns
    the work request id. ``ends`` names the field stamped when it lands, for a kind without
    ``timeUpdated`` (a file sync's ``timeEnded``)."""
    policy = policy_of(store, kind.name)
    operation_type = kind.operation_types[action]
    entity_type = kind.entity_type
    wr_id = WORK_REQUEST.new_id(region)
    stamp = iso(now)
    due = now + float(policy["seconds"]) if policy["mode"] == "delay" else None
    work_request = {
        "operationType": operation_type,
        "status": "ACCEPTED",
        "id": wr_id,
        "compartmentId": rec.compartment,
        "resources": [
            {
                "entityType": entity_type,
                "actionType": "IN_PROGRESS",
                "identifier": rec.id,
                "entityUri": kind.entity_uri(rec.id, rec.doc),
            }
        ],
        "percentComplete": 0.0,
        "timeAccepted": stamp,
        "_due": due,
        "_logs": [{"message": f"{operation_type} accepted for {entity_type} {rec.id}", "timestamp": stamp}],
        "_errors": [],
    }
    if transitional:
        rec.doc["lifecycleState"] = transitional
        if action != "create" or "lifecycleDetails" not in rec.doc:  # a create may say more (what it imports)
            rec.doc["lifecycleDetails"] = details(kind, transitional)
    if ends is None:
        rec.doc["timeUpdated"] = stamp
    rec.pending = {
        "to": target,
        "wr": wr_id,
        "action": ACTION_TYPES[action],
        "set": {"lifecycleDetails": details(kind, target), **(on_finish or {})},
        "outcome": policy["outcome"],
        **({"stamp": ends} if ends else {}),
    }
    rec.due = due
    store.insert(Record(WORK_REQUEST.name, wr_id, rec.tenancy, work_request, new_etag()))
    return wr_id


def schedule(store: Store, kind: ResourceKind, rec: Record, now: float, *, target: str, on_finish: dict,
             ends: str) -> None:
    """Give ``rec`` a transition to ``target`` that no work request reports (a data-API job), due
    under ``kind``'s policy; when it lands it sets ``on_finish`` and stamps the field ``ends``
    (``timeFinished``) with the time it lands."""
    policy = policy_of(store, kind.name)
    rec.pending = {"to": target, "set": on_finish, "outcome": policy["outcome"], "stamp": ends}
    rec.due = now + float(policy["seconds"]) if policy["mode"] == "delay" else None


def finish(store: Store, rec: Record, now: float) -> None:
    """Land ``rec``'s pending transition and close its work request (when one reports it)."""
    pending = rec.pending or {}
    stamp = iso(now)
    failed = pending.get("outcome") == "FAILED"
    failure = {**POLICY_FAILURE, **(pending.get("failure") or {})}
    expected_etag = rec.etag
    if failed:
        rec.doc["lifecycleState"] = "FAILED"
        rec.doc["lifecycleDetails"] = failure["message"]
    else:
        rec.doc["lifecycleState"] = pending["to"]
        rec.doc.update(pending.get("set") or {})
    rec.doc[pending.get("stamp", "timeUpdated")] = stamp
    rec.pending = None
    rec.due = None
    rec.etag = new_etag()
    with store.transaction():
        if not store.replace(rec, if_match=expected_etag):
            raise RuntimeError(f"{rec.id} changed while its transition landed")
        if "wr" not in pending:
            return
        wr = store.get(WORK_REQUEST.name, pending["wr"], rec.tenancy)
        if wr is None:
            return
        doc = wr.doc
        doc["status"] = "FAILED" if failed else "SUCCEEDED"
        doc["percentComplete"] = failure["atPercent"] if failed else 100.0
        doc.setdefault("timeStarted", doc["timeAccepted"])
        doc["timeFinished"] = stamp
        doc["_due"] = None
        for resource in doc["resources"]:
            if resource["identifier"] == rec.id:
                resource["actionType"] = "FAILED" if failed else pending["action"]
        if failed:
            doc["_errors"].append({"code": failure["code"], "message": failure["message"], "timestamp": stamp})
            doc["_logs"].append(
                {"message": f"{doc['operationType']} failed for {rec.id} at {failure['atPercent']:g}%", "timestamp": stamp}
            )
        else:
            doc["_logs"].append({"message": f"{doc['operationType']} succeeded for {rec.id}", "timestamp": stamp})
        old = wr.etag
        wr.etag = new_etag()
        store.replace(wr, if_match=old)  # read in this transaction: it matches


def abandon(store: Store, rec: Record, now: float) -> None:
    """Drop ``rec``'s pending transition (a file sync being cancelled): its work request ends CANCELED."""
    wr_id = (rec.pending or {}).get("wr")
    rec.pending, rec.due = None, None
    wr = store.get(WORK_REQUEST.name, wr_id, rec.tenancy) if wr_id else None
    if wr is None:
        return
    stamp = iso(now)
    wr.doc.update(status="CANCELED", timeFinished=stamp, _due=None)
    wr.doc.setdefault("timeStarted", wr.doc["timeAccepted"])
    wr.doc["_logs"].append({"message": f"{wr.doc['operationType']} canceled for {rec.id}", "timestamp": stamp})
    old = wr.etag
    wr.etag = new_etag()
    store.replace(wr, if_match=old)


def plan_failure(store: Store, tenancy: str, wr_id: str, failure: dict) -> bool:
    """Make the pending transition of the work request ``wr_id`` end FAILED with ``failure``
    (``code``, ``message``) when it reaches ``failure["atPercent"]`` of its way; False when the
    work request has no pending transition."""
    with store.transaction():
        wr = store.get(WORK_REQUEST.name, wr_id, tenancy)
        if wr is None:
            return False
        targets = [r for r in store.pending(rid=wr.doc["resources"][0]["identifier"]) if r.pending["wr"] == wr_id]
        if not targets:
            return False
        accepted = parse_iso(wr.doc["timeAccepted"])
        fraction = failure["atPercent"] / 100
        for rec in targets:
            rec.pending.update(outcome="FAILED", failure=failure)
            if rec.due is not None:
                rec.due = accepted + (rec.due - accepted) * fraction
            store.replace(rec)
        if wr.doc.get("_due") is not None:
            wr.doc["_due"] = accepted + (wr.doc["_due"] - accepted) * fraction
        wr.doc["_failAt"] = failure["atPercent"]
        store.replace(wr)
    return True


def settle(store: Store, now: float) -> None:
    """Apply every transition that is due at ``now``."""
    for rec in store.due(now):
        with store.transaction():
            current = store.get(rec.kind, rec.id, rec.tenancy)
            if current is not None and current.due is not None and current.due <= now:
                finish(store, current, now)


def complete(store: Store, now: float, kind: str | None = None, rid: str | None = None,
             due_kinds: Iterable[str] = ()) -> int:
    """Finish pending transitions now, whatever their policy (the admin API's manual step); and the
    objects of ``due_kinds`` (kinds that keep a ``_due`` time) that are not done yet."""
    done = 0
    with store.transaction():
        for rec in store.pending(kind, rid):
            finish(store, rec, now)
            done += 1
        for name in due_kinds:
            if kind not in (None, name):
                continue
            for rec in store.waiting(name, rid):
                if not is_done(rec.doc, now) and rec.doc.get("status") not in ("cancelled", "failed"):
                    rec.doc["_due"] = now
                    store.replace(rec)
                    done += 1
    return done


def present_work_request(doc: dict, now: float) -> dict:
    """The work request as a client sees it at ``now``: in progress between acceptance and its due time."""
    out = {k: v for k, v in doc.items() if not k.startswith("_")}
    if out["status"] == "ACCEPTED":
        accepted = parse_iso(out["timeAccepted"])
        due = doc.get("_due")
        if now > accepted:
            out["status"] = "IN_PROGRESS"
            out["timeStarted"] = out["timeAccepted"]
            if due is not None and due > accepted:
                end = doc.get("_failAt", 100.0)  # where it is bound to fail, or done
                out["percentComplete"] = round(min(99.0, end * (now - accepted) / (due - accepted)), 1)
    return out
