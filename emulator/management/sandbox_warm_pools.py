"""Sandbox warm pools: pre-started sandboxes of one shape (and runtime) kept ready in a project.

A pool is a child of a sandbox-enabled Generative AI project and is named, not identified by an
OCID: the path names the project and the pool's ``name``. Each incarnation of a name still gets
an internal id (the record's id, and the work requests' ``identifier``), so a name can be reused
once its pool is DELETED; a DELETED pool is gone from get and list. Create, update and delete are
asynchronous (work requests); a repeated delete while DELETING answers with the delete's work
request. Only ``desiredCapacity`` changes.

Guessed where Oracle does not say (README, known differences): names are DNS labels; the reserved
default names are ``default-small``, ``default-medium`` and ``default-large`` (they cannot be
created or deleted: 409); a project without its sandbox enabled is 409; capacity limits per
shape and per project (``limits.py``); a CUSTOM image must be an OCIR image pinned by digest;
``runtimeStatus`` reports the desired capacity as ready once ACTIVE.
"""

from __future__ import annotations

import re

from ..call import Call, Result, operation
from ..kinds import ResourceKind
from ..protocol import errors, limits
from ..protocol.ids import new_etag
from ..store import Record
from . import projects, resources

KIND = ResourceKind(
    name="sandboxwarmpool",
    label="sandbox warm pool",
    model="SandboxWarmPool",
    type_token="generativeaisandboxwarmpool",
    private_fields=("_compartmentId",),
    entity_type="SandboxWarmPool",
    uri="/20231130/generativeAiProjects/{projectId}/sandboxWarmPools/{name}",
    operation_types={
        "create": "CREATE_SANDBOX_WARM_POOL",
        "update": "UPDATE_SANDBOX_WARM_POOL",
        "delete": "DELETE_SANDBOX_WARM_POOL",
    },
    owned_by=("project", "projectId"),
)
NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
RESERVED_NAMES = ("default-small", "default-medium", "default-large")
OCIR_DIGEST_IMAGE = re.compile(r"^[a-z0-9-]+\.ocir\.io/[^@\s]+@sha256:[0-9a-f]{64}$")
MANAGED_RUNTIME = "python-3.11"


def sandbox_project(call: Call, project_id: str) -> Record:
    """The caller's ACTIVE project ``project_id`` with its sandbox enabled: 404 when it does not
    exist (or is another tenancy's, or DELETED), 409 when it is not ready for sandboxes."""
    project = resources.load(call, projects.KIND, project_id)
    state = project.doc["lifecycleState"]
    if state == "DELETED":
        raise errors.not_found()
    if state != "ACTIVE":
        raise errors.incorrect_state(f"The project {project_id} is {state}; it must be ACTIVE.")
    if not (project.doc.get("sandboxConfig") or {}).get("isEnabled"):
        raise errors.incorrect_state(f"The project {project_id} does not have its sandbox enabled (sandboxConfig.isEnabled).")
    return project


def living(call: Call, project_id: str) -> list[Record]:
    return [r for r in call.store.find(KIND.name, call.tenancy, projectId=project_id) if r.doc["lifecycleState"] != "DELETED"]


def find_pool(call: Call, project_id: str, name: str) -> Record | None:
    """The living pool ``name`` of the caller's project ``project_id``, if any."""
    return next((r for r in living(call, project_id) if r.doc["name"] == name), None)


def _load(call: Call) -> Record:
    project_id, name = call.path["projectId"], call.path["name"]
    resources.load(call, projects.KIND, project_id)  # 404 for a project that is not the caller's
    pool = find_pool(call, project_id, name)
    if pool is None:
        raise errors.not_found(f"The project {project_id} has no sandbox warm pool named {name!r}.")
    return pool


def _check_capacity(call: Call, project_id: str, shape: str, capacity: int, exclude: str | None = None) -> None:
    if capacity < 0:
        raise errors.invalid_parameter(f"Invalid desiredCapacity {capacity}: it must be 0 or more.")
    used = sum(r.doc["desiredCapacity"] for r in living(call, project_id) if r.doc["shape"] == shape and r.id != exclude)
    if used + capacity > limits.SANDBOX_WARM_CAPACITY_PER_SHAPE:
        raise errors.limit_exceeded(
            f"The project's {shape} warm pools would hold {used + capacity} sandboxes; the limit is"
            f" {limits.SANDBOX_WARM_CAPACITY_PER_SHAPE} per shape."
        )


def _check_create(call: Call, project_id: str, body: dict) -> None:
    name = body["name"]
    if not NAME.match(name):
        raise errors.invalid_parameter(
            f"Invalid name {name[:100]!r}: it must be 1 to 63 lower-case letters, digits or '-', starting and ending with a letter or digit."
        )
    if name in RESERVED_NAMES:
        raise errors.conflict(f"The name {name!r} is reserved for a default warm pool.")
    if find_pool(call, project_id, name) is not None:
        raise errors.conflict(f"The project {project_id} already has a sandbox warm pool named {name!r}.")
    if len(living(call, project_id)) >= limits.SANDBOX_WARM_POOLS_PER_PROJECT:
        raise errors.limit_exceeded(f"The project already has {limits.SANDBOX_WARM_POOLS_PER_PROJECT} sandbox warm pools, the limit.")
    image = body.get("containerImage")
    if body["type"] == "MANAGED" and image is not None:
        raise errors.invalid_parameter(f"A MANAGED warm pool runs the service's {MANAGED_RUNTIME} runtime: omit containerImage.")
    if body["type"] == "CUSTOM" and not (image and OCIR_DIGEST_IMAGE.match(image)):
        raise errors.invalid_parameter(
            "A CUSTOM warm pool needs containerImage, an OCIR image pinned by digest (<region>.ocir.io/<namespace>/<repo>@sha256:<64 hex digits>)."
        )
    _check_capacity(call, project_id, body["shape"], body["desiredCapacity"])


def present(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "id" and not k.startswith("_")}


@operation
def create_sandbox_warm_pool(call: Call) -> Result:
    project = sandbox_project(call, call.path["projectId"])
    body = call.body
    _check_create(call, project.id, body)
    rid = KIND.new_id(call.env.settings.region)
    doc = {
        "id": rid,
        "projectId": project.id,
        **body,
        "lifecycleState": "CREATING",
        "lifecycleDetails": "Preparing the pool's template.",
        "timeCreated": call.stamp,
        "timeUpdated": call.stamp,
        "_compartmentId": project.doc["compartmentId"],
    }
    rec = Record(KIND.name, rid, call.tenancy, doc, new_etag())
    done = {"lifecycleDetails": "The pool is active."}
    result = resources.transition(call, KIND, rec, "create", transitional="CREATING", target="ACTIVE", on_finish=done, is_new=True)
    return Result(body=present(rec.doc), etag=result.etag, work_request_id=result.work_request_id)


@operation
def get_sandbox_warm_pool(call: Call) -> Result:
    pool = _load(call)
    doc = present(pool.doc)
    active = doc["lifecycleState"] == "ACTIVE"
    ready = doc["desiredCapacity"] if active else 0
    doc["runtimeStatus"] = {"readyCapacity": ready, "observationStatus": "OBSERVED", "timeRead": call.stamp}
    return Result(body=doc, etag=pool.etag)


@operation
def list_sandbox_warm_pools(call: Call) -> Result:
    project_id = call.path["projectId"]
    resources.load(call, projects.KIND, project_id)
    wanted = {k: call.query[k] for k in ("name", "type", "shape") if k in call.query}
    found = [r for r in living(call, project_id) if all(r.doc.get(k) == v for k, v in wanted.items())]
    return resources.page_of(call, KIND, found, present, ascending_by_default={"name"})


def _check_update(call: Call, rec: Record) -> None:
    capacity = call.body.get("desiredCapacity")
    if capacity is not None:
        _check_capacity(call, rec.doc["projectId"], rec.doc["shape"], capacity, exclude=rec.id)


@operation
def update_sandbox_warm_pool(call: Call) -> Result:
    pool = _load(call)
    result = resources.update(call, KIND, pool.id, check=_check_update, rec=pool)
    return Result(body=present(pool.doc), etag=result.etag, work_request_id=result.work_request_id)


@operation
def delete_sandbox_warm_pool(call: Call) -> Result:
    if call.path["name"] in RESERVED_NAMES:
        raise errors.conflict(f"The default warm pool {call.path['name']!r} cannot be deleted; set its capacity to 0 instead.")
    pool = _load(call)
    if pool.doc["lifecycleState"] == "DELETING" and pool.pending:
        if call.if_match is not None and call.if_match != pool.etag:
            raise errors.no_etag_match()
        return Result(work_request_id=pool.pending["wr"])  # a repeated delete: the delete under way
    return resources.delete(call, KIND, pool.id, rec=pool)
