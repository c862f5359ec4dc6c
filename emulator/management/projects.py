"""Generative AI projects: what the OpenAI-compatible API's calls work in (``OpenAI-Project``).

A project isolates its responses, conversations and other artifacts, keeps them as long as its
``conversationConfig`` says, and takes them with it when it is deleted. Create, update and delete
are asynchronous (work requests); a move is synchronous. Known differences: the SDK's work-request
``operationType`` enum has no value for projects although their work requests exist, so the
emulator reports ``CREATE_PROJECT``, ``UPDATE_PROJECT`` and ``DELETE_PROJECT`` (the SDK reads them
as ``UNKNOWN_ENUM_VALUE``); retention limits are not documented (1 to 8760 hours here).
"""

from __future__ import annotations

from ..call import Call, Result, operation
from ..kinds import ResourceKind
from ..protocol import errors
from ..store import Record
from . import resources

KIND = ResourceKind(
    name="project",
    label="project",
    model="GenerativeAiProject",
    type_token="generativeaiproject",
    list_operation="list_generative_ai_projects",
    entity_type="GenerativeAiProject",
    uri="/20231130/generativeAiProjects/{id}",
    operation_types={"create": "CREATE_PROJECT", "update": "UPDATE_PROJECT", "delete": "DELETE_PROJECT"},
)
RETENTION_FIELDS = ("responsesRetentionInHours", "conversationsRetentionInHours")
MAX_RETENTION_HOURS = 8760
# The private field of every OpenAI-compatible object that names the project (or, before
# projects, the compartment) it belongs to.
SCOPE_FIELD = "_scope"


def _check_config(body: dict, current: dict | None = None) -> None:
    config = body.get("conversationConfig") or {}
    for field in RETENTION_FIELDS:
        hours = config.get(field)
        if hours is not None and not 1 <= hours <= MAX_RETENTION_HOURS:
            raise errors.invalid_parameter(
                f"Invalid conversationConfig.{field} {hours}: it must be 1 to {MAX_RETENTION_HOURS} hours."
            )
    sandbox = body.get("sandboxConfig")
    if sandbox is None:
        return
    if "warmPoolConfig" in sandbox:
        raise errors.invalid_parameter("sandboxConfig.warmPoolConfig is read-only: manage warm pools instead.")
    was_enabled = bool(((current or {}).get("sandboxConfig") or {}).get("isEnabled"))
    if was_enabled and not sandbox.get("isEnabled"):
        raise errors.invalid_parameter("The sandbox of a project cannot be disabled once enabled.")


@operation
def create_generative_ai_project(call: Call) -> Result:
    _check_config(call.body)
    doc = dict(call.body, lifecycleDetails="Creating the project.")
    return resources.create(call, KIND, doc, done="The project is active.")


@operation
def get_generative_ai_project(call: Call) -> Result:
    return resources.get(call, KIND, call.path["generativeAiProjectId"])


@operation
def list_generative_ai_projects(call: Call) -> Result:
    return resources.list_page(call, KIND)


def _check_update(call: Call, rec: Record) -> None:
    _check_config(call.body, rec.doc)


@operation
def update_generative_ai_project(call: Call) -> Result:
    return resources.update(call, KIND, call.path["generativeAiProjectId"], check=_check_update)


def _remove_artifacts(call: Call, rec: Record) -> None:
    """Deleting a project deletes what was made in it (Oracle's projects documentation), once its
    sandbox warm pools, sandboxes and snapshots are deleted (409 until then)."""
    resources.refuse_if_parent(call, rec)
    call.store.remove_matching(call.tenancy, SCOPE_FIELD, rec.id)


@operation
def delete_generative_ai_project(call: Call) -> Result:
    return resources.delete(call, KIND, call.path["generativeAiProjectId"], check=_remove_artifacts)


@operation
def change_generative_ai_project_compartment(call: Call) -> Result:
    return resources.change_compartment(call, KIND, call.path["generativeAiProjectId"])


def active_project(call: Call, project_id: str) -> Record:
    """The caller's ACTIVE project ``project_id``, or 404."""
    rec = call.store.get(KIND.name, project_id, call.tenancy) if KIND.owns(project_id) else None
    if rec is None or rec.doc["lifecycleState"] != "ACTIVE":
        raise errors.not_found(f"The project {project_id} does not exist, is not ACTIVE, or you are not authorized to use it.")
    return rec


def retention_seconds(project: Record | None, field: str) -> float | None:
    """How long the project keeps responses or conversations (``None``: for ever)."""
    hours = ((project.doc.get("conversationConfig") if project else None) or {}).get(field)
    return hours * 3600.0 if hours else None
