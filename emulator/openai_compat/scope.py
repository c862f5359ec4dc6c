"""Who calls and where: API-key credentials, and the project (or compartment) a call works in.

``OpenAI-Project: <project OCID>`` names an ACTIVE project of the caller's tenancy, as the GA
service requires; the earlier headers ``opc-compartment-id`` / ``CompartmentId`` (and
``opc-conversation-store-id``, taken and not used) still work, as during Oracle's migration period.
"""

from __future__ import annotations

import dataclasses

from ..call import Call
from ..management import api_keys, projects
from ..protocol import errors
from ..protocol.ids import is_ocid
from ..settings import DEFAULT_TENANCY
from ..store import Record, Store


@dataclasses.dataclass(frozen=True)
class Scope:
    key: str  # the project's OCID, or the compartment's
    project: Record | None = None

    @property
    def compartment(self) -> str:
        """The compartment the call works in (the project's, with a project)."""
        return self.project.doc["compartmentId"] if self.project else self.key

    def retention(self, field: str) -> float | None:
        return projects.retention_seconds(self.project, field)


def scope_of(call: Call) -> Scope:
    project_id = call.headers.get("openai-project")
    if project_id:
        return Scope(project_id, projects.active_project(call, project_id))
    compartment = call.headers.get("opc-compartment-id") or call.headers.get("compartmentid")
    if compartment:
        if not is_ocid(compartment):
            raise errors.ServiceError(400, "InvalidParameter", f"The compartment {compartment!r} is not an OCID.", param="opc-compartment-id")
        return Scope(compartment)
    raise errors.ServiceError(
        400,
        "MissingParameter",
        "Name the project the call works in: the OpenAI-Project header (project= of the openai client).",
        param="OpenAI-Project",
    )


def bearer_tenancy(store: Store, clock_now, secret: str, headers, strict: bool) -> str:
    """The tenancy of a ``Bearer`` API-key secret. A secret that works names its key's tenancy; one
    that no longer works (INACTIVE, REVOKED, EXPIRED, DELETED) is a 401 in every mode. In strict
    mode an unknown secret is a 401; in loose mode it is taken on trust, in the tenancy of the project
    the call names (the default tenancy without one)."""
    owner = api_keys.owner_of_secret(store, secret, clock_now())
    if owner is not None:
        return owner[0]
    if strict:
        raise errors.not_authenticated("The API key is not valid: make one with create_api_key and send its secret.")
    project_id = headers.get("openai-project") or ""
    project = store.locate(projects.KIND.name, project_id) if projects.KIND.owns(project_id) else None
    return project.tenancy if project is not None else DEFAULT_TENANCY
