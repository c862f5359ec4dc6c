"""Sandbox snapshots (``generative_ai_sandbox`` API): a sandbox's workspace (its files) kept for a
while, from which new sandboxes are restored (``source: {sourceType: SNAPSHOT}``).

No work requests: a snapshot goes CREATING -> ACTIVE and, deleted, DELETING -> DELETED, under the
``sandboxsnapshot`` transition policy, as sandboxes do. Guessed (README, known differences): the
states of a sandbox that can be snapshotted (RUNNING, SUSPENDED, STOPPED), the default expiry
(``P7D``) and the longest (``P30D``), that an expired snapshot reads DELETED, the id form (``snap-``
and 16 characters of ``[a-z2-7]``) and the display name (the sandbox's, with ``-snapshot``).
"""

from __future__ import annotations

import base64

from ..call import Call, Result, operation
from ..kinds import ResourceKind
from ..lifecycle import iso
from ..protocol import errors, limits
from ..protocol.ids import new_etag
from ..store import Record
from . import resources, sandboxes

KIND = ResourceKind(
    name="sandboxsnapshot",
    label="sandbox snapshot",
    model="SandboxSnapshot",
    api="generative_ai_sandbox",
    id_prefix="snap-",
    private_fields=("_to", "_due", "_files"),
    list_operation="list_sandbox_snapshots",
    owned_by=("project", "projectId"),
    keeps_due=True,
)
SNAPSHOT_STATES = ("RUNNING", "SUSPENDED", "STOPPED")
DEFAULT_EXPIRY = "P7D"


def _settle(call: Call, rec: Record) -> Record:
    if sandboxes.land(rec.doc, call.now, ("CREATING", "ACTIVE"), "DELETED"):
        resources.save(call, rec)
    return rec


def _load(call: Call) -> Record:
    return _settle(call, resources.load(call, KIND, call.path["snapshotId"]))


@operation
def create_sandbox_snapshot(call: Call) -> Result:
    body = call.body
    sandbox = sandboxes.settle(call, resources.load_related(call, sandboxes.KIND, body["sandboxId"], "sandboxId"))
    state = sandbox.doc["lifecycleState"]
    if state not in SNAPSHOT_STATES:
        raise errors.incorrect_state(f"The sandbox {sandbox.id} is {state}; it must be {', '.join(SNAPSHOT_STATES)} to be snapshotted.")
    duration = body.get("expirationDuration", DEFAULT_EXPIRY)
    seconds = sandboxes.seconds_of(duration, "expirationDuration")
    if not 60 <= seconds <= limits.SANDBOX_SNAPSHOT_MAX_DAYS * 86400:
        raise errors.invalid_parameter(f"Invalid expirationDuration {duration!r}: from 1 minute to {limits.SANDBOX_SNAPSHOT_MAX_DAYS} days.")
    files = dict(sandbox.doc.get("_files", {}))
    rid = sandboxes.new_id("snap-")
    doc = {
        "id": rid,
        "displayName": f"{sandbox.doc.get('displayName') or sandbox.id}-snapshot",
        "projectId": sandbox.doc["projectId"],
        "sandboxId": sandbox.id,
        "runtime": sandbox.doc["runtime"],
        "expirationDuration": duration,
        "sizeBytes": sum(len(base64.b64decode(data)) for data in files.values()),
        "timeCreated": call.stamp,
        "timeUpdated": call.stamp,
        "timeExpires": iso(call.now + seconds),
        "_files": files,
    }
    rec = Record(KIND.name, rid, call.tenancy, doc, new_etag())
    sandboxes.begin(call, rec, "CREATING", "ACTIVE")
    call.store.insert(rec)
    return Result(body=sandboxes.present(rec.doc), etag=rec.etag)


@operation
def get_sandbox_snapshot(call: Call) -> Result:
    rec = _load(call)
    return Result(body=sandboxes.present(rec.doc), etag=rec.etag)


@operation
def list_sandbox_snapshots(call: Call) -> Result:
    query = call.query
    wanted = {field: query[key] for key, field in (("projectId", "projectId"), ("displayName", "displayName"),
                                                   ("sandboxId", "sandboxId"), ("snapshotId", "id"),
                                                   ("lifecycleState", "lifecycleState")) if key in query}
    found = [_settle(call, r) for r in call.store.find(KIND.name, call.tenancy)]
    found = [r for r in found if all(r.doc.get(k) == v for k, v in wanted.items())]
    return resources.page_of(call, KIND, found, sandboxes.present, ascending_by_default=sandboxes.SORT_ASCENDING)


@operation
def delete_sandbox_snapshot(call: Call) -> Result:
    rec = _load(call)
    state = rec.doc["lifecycleState"]
    if state == "DELETED":
        raise errors.not_found()
    if call.if_match is not None and call.if_match != rec.etag:
        raise errors.no_etag_match()
    if state in ("CREATING", "DELETING"):
        raise errors.incorrect_state(f"The snapshot {rec.id} is {state}; wait until it settles.")
    sandboxes.begin(call, rec, "DELETING", "DELETED")
    rec.doc["_files"] = {}
    resources.save(call, rec)
    return Result()
