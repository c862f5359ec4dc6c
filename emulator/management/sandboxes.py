"""Sandboxes (the ``generative_ai_sandbox`` API, ``/20260422``): isolated runtimes of a
sandbox-enabled Generative AI project, which run commands and hold files (``sandbox_commands.py``).

None of their operations returns a work request: clients poll ``get_sandbox`` (the SDK's composite
waiters do). A sandbox moves CREATING -> RUNNING; suspend goes SUSPENDING -> SUSPENDED and resume
RESUMING -> RUNNING; stop goes STOPPING -> STOPPED (at once with ``isForce``); delete is DELETED at
once. Each transitional state lands on the emulator's clock under the ``sandbox`` transition policy
(the document keeps ``_to``, the state it lands in, and ``_due``: ``lifecycle.due_time``), applied
when the sandbox is next read. A sandbox expires ``expiresInMinutes`` after creation (``-1``: never):
on the emulator's clock, a sandbox past ``timeExpires`` reads STOPPED, with ``timeStopped`` the time
it expired; ``extend`` pushes ``timeExpires`` further.

Guesses (README, known differences): the default expiry (30 minutes), the longest lifetime ahead
(24 hours), which states allow which action (409 IncorrectState otherwise), the published-port URL
form, 50 sandboxes per project, that a credential profile label must name one of the project's.
"""

from __future__ import annotations

import re
import secrets

from ..call import Call, Result, operation
from ..kinds import ResourceKind
from ..lifecycle import due_time, is_done, iso, parse_iso
from ..protocol import errors, limits
from ..protocol.ids import new_etag
from ..store import Record
from . import projects, resources, sandbox_warm_pools

KIND = ResourceKind(
    name="sandbox",
    label="sandbox",
    model="Sandbox",
    api="generative_ai_sandbox",
    id_prefix="sbx-",
    private_fields=("_to", "_due", "_files"),
    list_operation="list_sandboxes",
    owned_by=("project", "projectId"),
    keeps_due=True,
)
BUILT_IN_RUNTIMES = ("python-3.11",)
OCIR_IMAGE = re.compile(r"^[a-z0-9-]+\.ocir\.io/\S+$")
BUSY = ("CREATING", "UPDATING", "SUSPENDING", "RESUMING", "STOPPING")
EXPIRING = ("CREATING", "RUNNING", "SUSPENDING", "SUSPENDED", "RESUMING")
DEFAULT_EXPIRY_MINUTES = 30
SORT_ASCENDING = {"timeCreated", "displayName", "timeStarted", "timeFinished"}  # this API's lists sort ascending
_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
DURATION = re.compile(r"^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def new_id(prefix: str = "sbx-") -> str:
    """``sbx-`` and 16 characters of ``[a-z2-7]``, the form the SDK documents for new sandboxes."""
    return prefix + "".join(secrets.choice(_BASE32) for _ in range(16))


def seconds_of(duration: str, field: str) -> float:
    """An ISO 8601 duration (``P7D``, ``PT30M``) in seconds; 400 naming ``field`` otherwise."""
    match = DURATION.match(duration or "")
    if not match or duration in ("P", "PT") or duration.endswith("T"):
        raise errors.invalid_parameter(f"Invalid {field} {duration[:50]!r}: use an ISO 8601 duration such as PT30M or P1D.")
    weeks, days, hours, minutes, secs = (float(g) if g else 0.0 for g in match.groups())
    return (((weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60 + secs


def present(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def begin(call: Call, rec: Record, transitional: str, target: str) -> None:
    """Put ``rec`` in ``transitional``; it lands in ``target`` under its kind's transition policy."""
    rec.doc.update(lifecycleState=transitional, _to=target, _due=due_time(call.store, rec.kind, call.now))


def land(doc: dict, now: float, expiring: tuple[str, ...], expired: str) -> bool:
    """Apply to ``doc`` what is due at ``now`` (a sandbox's or a snapshot's): a transition that has
    landed, then the expiry (``timeExpires`` passed in one of the ``expiring`` states: ``expired``);
    whether anything changed."""
    changed = False
    if "_to" in doc and is_done(doc, now):
        doc["lifecycleState"] = doc.pop("_to")
        if doc["lifecycleState"] == "STOPPED":
            doc["timeStopped"] = iso(doc["_due"])
        doc.pop("_due")
        changed = True
    expires = doc.get("timeExpires")
    if expires and doc["lifecycleState"] in expiring and parse_iso(expires) <= now:
        doc["lifecycleState"] = expired
        if expired == "STOPPED":
            doc["timeStopped"] = expires
        doc.pop("_to", None)
        doc.pop("_due", None)
        changed = True
    return changed


def settle(call: Call, rec: Record) -> Record:
    """The sandbox as it is at ``call.now`` (written back when something landed)."""
    if land(rec.doc, call.now, EXPIRING, "STOPPED"):
        resources.save(call, rec)
    return rec


def load(call: Call, rid: str) -> Record:
    """The caller's sandbox ``rid`` as it is now (404 for one that is not the caller's)."""
    return settle(call, resources.load(call, KIND, rid))


def guard(call: Call, rec: Record, allowed: tuple[str, ...] | None = None) -> None:
    """A change needs a sandbox that is not DELETED (404), the etag of ``if-match`` (412), and a
    state that allows it (``allowed``; by default any but a transitional one): 409 otherwise."""
    state = rec.doc["lifecycleState"]
    if state == "DELETED":
        raise errors.not_found()
    if call.if_match is not None and call.if_match != rec.etag:
        raise errors.no_etag_match()
    if (state not in allowed) if allowed is not None else (state in BUSY):
        raise errors.incorrect_state(f"The sandbox {rec.id} is {state}; it must be {' or '.join(allowed or ('settled',))}.")


def running(call: Call, rid: str) -> Record:
    """The caller's RUNNING sandbox ``rid`` (commands and files need one): 409 in another state."""
    rec = load(call, rid)
    if rec.doc["lifecycleState"] == "DELETED":
        raise errors.not_found()
    if rec.doc["lifecycleState"] != "RUNNING":
        raise errors.incorrect_state(f"The sandbox {rec.id} is {rec.doc['lifecycleState']}; it must be RUNNING.")
    return rec


# creation ----------------------------------------------------------------------------------------
def _expiry_minutes(body: dict) -> int:
    if "expiresInMinutes" in body:
        minutes = body["expiresInMinutes"]
    elif "expirationDuration" in body:  # deprecated
        given = body["expirationDuration"]
        minutes = -1 if given == "-1" else max(1, round(seconds_of(given, "expirationDuration") / 60))
    else:
        minutes = DEFAULT_EXPIRY_MINUTES
    if minutes != -1 and not 1 <= minutes <= limits.SANDBOX_MAX_LIFETIME_MINUTES:
        raise errors.invalid_parameter(
            f"Invalid expiresInMinutes {minutes}: use 1 to {limits.SANDBOX_MAX_LIFETIME_MINUTES}, or -1 for no expiry."
        )
    return minutes


def _published_ports(call: Call, rid: str, tokens: list[str]) -> list[dict]:
    ports = []
    for token in tokens:
        if not (token.isdigit() and 1 <= int(token) <= 65535) or token in [p["key"] for p in ports]:
            raise errors.invalid_parameter(f"Invalid publishPorts entry {token[:20]!r}: each is a distinct port, 1 to 65535.")
        host = f"{rid}-{token}.sandbox.generativeai.{call.env.settings.region}.oci.oraclecloud.com"
        ports.append({"key": token, "value": f"https://{host}"})
    return ports


def _pool_for(call: Call, project: Record, body: dict) -> dict | None:
    """The warm pool the sandbox comes from: the one named, or the first eligible one by name (none
    for a sandbox restored from a snapshot: it boots from the snapshot, not from a warm sandbox)."""
    name = body.get("warmpoolName")
    if name is None and "source" in body:
        return None
    if name is None:
        runtime, shape = body.get("runtime", BUILT_IN_RUNTIMES[0]), body.get("shape", "SMALL")
        pools = sorted(
            (p.doc for p in sandbox_warm_pools.living(call, project.id) if p.doc["lifecycleState"] == "ACTIVE"),
            key=lambda p: p["name"],
        )
        return next((p for p in pools if p["shape"] == shape and _pool_runtime(p) == runtime), None)
    if "source" in body:
        raise errors.invalid_parameter("A sandbox restored from a snapshot cannot name a warm pool.")
    pool = sandbox_warm_pools.find_pool(call, project.id, name)
    if pool is None or pool.doc["lifecycleState"] == "DELETING":
        raise errors.invalid_parameter(f"The project has no usable warm pool named {name[:100]!r}.")
    for field, value in (("runtime", _pool_runtime(pool.doc)), ("shape", pool.doc["shape"])):
        if body.get(field, value) != value:
            raise errors.invalid_parameter(f"The warm pool {name!r} has {field} {value}; omit {field} or give the same.")
    return pool.doc


def _pool_runtime(pool: dict) -> str:
    return pool.get("containerImage") or sandbox_warm_pools.MANAGED_RUNTIME


def _check_runtime(runtime: str) -> None:
    if runtime not in BUILT_IN_RUNTIMES and not OCIR_IMAGE.match(runtime):
        raise errors.invalid_parameter(
            f"Invalid runtime {runtime[:100]!r}: use {', '.join(BUILT_IN_RUNTIMES)} or an image of the region's OCIR (<region>.ocir.io/...)."
        )


def _check_credential_profile(project: Record, label: str | None) -> None:
    if label is None:
        return
    profiles = (project.doc.get("sandboxConfig") or {}).get("credentialProfiles") or []
    if label not in [p.get("label") for p in profiles]:
        raise errors.invalid_parameter(f"The project has no credential profile labelled {label[:100]!r}.")


def _restore(call: Call, project: Record, source: dict | None) -> Record | None:
    """The ACTIVE snapshot of the same project a sandbox is restored from, if any."""
    if source is None:
        return None
    snapshot = resources.load_related(call, call.env.kinds["sandboxsnapshot"], source["snapshotId"], "source.snapshotId")
    if snapshot.doc["lifecycleState"] != "ACTIVE" or snapshot.doc.get("projectId") != project.id:
        raise errors.invalid_parameter(f"The snapshot {snapshot.id} is not an ACTIVE snapshot of the project {project.id}.")
    return snapshot


@operation
def create_sandbox(call: Call) -> Result:
    project_id = call.headers.get("project-id")
    if not project_id:
        raise errors.missing_parameter("The header 'project-id' is required: the project the sandbox belongs to.")
    project = sandbox_warm_pools.sandbox_project(call, project_id)
    body = call.body or {}
    alive = [r for r in call.store.find(KIND.name, call.tenancy, projectId=project.id) if r.doc["lifecycleState"] != "DELETED"]
    if len(alive) >= limits.SANDBOXES_PER_PROJECT:
        raise errors.limit_exceeded(f"The project already has {limits.SANDBOXES_PER_PROJECT} sandboxes, the limit.")
    snapshot = _restore(call, project, body.get("source"))
    pool = _pool_for(call, project, body)
    runtime = pool and _pool_runtime(pool) or body.get("runtime") or (snapshot and snapshot.doc.get("runtime")) or BUILT_IN_RUNTIMES[0]
    _check_runtime(runtime)
    _check_credential_profile(project, body.get("credentialProfileLabel"))
    minutes = _expiry_minutes(body)
    rid = new_id()
    ports = _published_ports(call, rid, body.get("publishPorts", []))
    doc = {
        "id": rid,
        "displayName": body.get("displayName") or f"sandbox-{rid[4:]}",
        "projectId": project.id,
        "runtime": runtime,
        "shape": pool["shape"] if pool else body.get("shape", "SMALL"),
        "environmentVariables": body.get("environmentVariables", []),
        "expiresInMinutes": minutes,
        "timeCreated": call.stamp,
        "timeUpdated": call.stamp,
        "_files": dict(snapshot.doc.get("_files", {})) if snapshot else {},
    }
    for field in ("credentialProfileLabel", "expirationDuration"):
        if field in body:
            doc[field] = body[field]
    if pool:
        doc["warmpoolName"] = pool["name"]
    if ports:
        doc.update(publishedPorts=ports, publishedPortAuthMode=body.get("publishedPortAuthMode", "OCI_IAM"))
    if minutes != -1:
        doc["timeExpires"] = iso(call.now + minutes * 60)
    rec = Record(KIND.name, rid, call.tenancy, doc, new_etag())
    begin(call, rec, "CREATING", "RUNNING")
    call.store.insert(rec)
    return Result(body=present(rec.doc), etag=rec.etag)


# reads -------------------------------------------------------------------------------------------
@operation
def get_sandbox(call: Call) -> Result:
    rec = load(call, call.path["sandboxId"])
    return Result(body=present(rec.doc), etag=rec.etag)


@operation
def list_sandboxes(call: Call) -> Result:
    query = call.query
    if ("projectId" in query) == ("compartmentId" in query):
        raise errors.invalid_parameter("Give exactly one of projectId and compartmentId.")
    if "projectId" in query:
        project_ids = [resources.load(call, projects.KIND, query["projectId"]).id]
    else:
        project_ids = [p.id for p in call.store.find(projects.KIND.name, call.tenancy, compartmentId=query["compartmentId"])]
    wanted = {field: query[key] for key, field in (("sandboxId", "id"), ("displayName", "displayName"),
                                                   ("lifecycleState", "lifecycleState")) if key in query}
    found = [settle(call, r) for pid in project_ids for r in call.store.find(KIND.name, call.tenancy, projectId=pid)]
    found = [r for r in found if all(r.doc.get(k) == v for k, v in wanted.items())]
    return resources.page_of(call, KIND, found, present, ascending_by_default=SORT_ASCENDING)


# changes -----------------------------------------------------------------------------------------
@operation
def update_sandbox(call: Call) -> Result:
    rec = load(call, call.path["sandboxId"])
    guard(call, rec)
    rec.doc.update(call.body or {})
    resources.save(call, rec)
    return Result(body=present(rec.doc), etag=rec.etag)


@operation
def delete_sandbox(call: Call) -> Result:
    """A sandbox is DELETED at once, with its files and commands (its snapshots stay)."""
    rec = load(call, call.path["sandboxId"])
    guard(call, rec, allowed=(*BUSY, *EXPIRING, "STOPPED", "FAILED"))
    for key in ("_to", "_due"):
        rec.doc.pop(key, None)
    rec.doc.update(lifecycleState="DELETED", _files={})
    with call.store.transaction():
        resources.save(call, rec)
        for command in call.store.find("sandboxcommand", call.tenancy, sandboxId=rec.id):
            call.store.remove(command.kind, command.id, call.tenancy)
    return Result()


def _action(call: Call, allowed: tuple[str, ...], transitional: str, target: str) -> Result:
    rec = load(call, call.path["sandboxId"])
    guard(call, rec, allowed)
    begin(call, rec, transitional, target)
    resources.save(call, rec)
    return Result(body=present(rec.doc), etag=rec.etag)


@operation
def suspend_sandbox(call: Call) -> Result:
    """Scale to zero, keeping the workspace (its files)."""
    return _action(call, ("RUNNING",), "SUSPENDING", "SUSPENDED")


@operation
def resume_sandbox(call: Call) -> Result:
    return _action(call, ("SUSPENDED",), "RESUMING", "RUNNING")


@operation
def stop_sandbox(call: Call) -> Result:
    if not (call.body or {}).get("isForce"):
        return _action(call, ("RUNNING", "SUSPENDED"), "STOPPING", "STOPPED")
    rec = load(call, call.path["sandboxId"])
    guard(call, rec, ("RUNNING", "SUSPENDED", "STOPPING"))
    rec.doc.pop("_to", None)
    rec.doc.pop("_due", None)
    rec.doc.update(lifecycleState="STOPPED", timeStopped=call.stamp)
    resources.save(call, rec)
    return Result(body=present(rec.doc), etag=rec.etag)


@operation
def extend_sandbox(call: Call) -> Result:
    rec = load(call, call.path["sandboxId"])
    guard(call, rec, EXPIRING)
    if "timeExpires" not in rec.doc:
        raise errors.incorrect_state(f"The sandbox {rec.id} does not expire (expiresInMinutes -1): there is nothing to extend.")
    extra = seconds_of(call.body["additionalDuration"], "additionalDuration")
    expires = parse_iso(rec.doc["timeExpires"]) + extra
    if extra <= 0 or expires - call.now > limits.SANDBOX_MAX_LIFETIME_MINUTES * 60:
        raise errors.invalid_parameter(
            f"Invalid additionalDuration {call.body['additionalDuration']!r}: a sandbox may expire at most"
            f" {limits.SANDBOX_MAX_LIFETIME_MINUTES} minutes from now."
        )
    rec.doc["timeExpires"] = iso(expires)
    rec.doc["expiresInMinutes"] = round((expires - parse_iso(rec.doc["timeCreated"])) / 60)
    resources.save(call, rec)
    return Result(body=present(rec.doc), etag=rec.etag)
