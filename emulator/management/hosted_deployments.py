"""Hosted deployments: a hosted application's container image running, with the artifacts (images)
it has been given and the one it serves (``activeArtifact``).

Every mutation is asynchronous. As Oracle documents: an application has at most one ACTIVE
deployment (creating one makes the previous one INACTIVE), activating an artifact makes the
previous one INACTIVE, and only inactive artifacts can be deleted. An update names the artifact to
activate by ``containerUri`` and ``tag`` (as Terraform does); one the deployment does not have yet
is added. Known differences (README): the SDK's work-request enum has no value for artifacts, so
adding and deleting one report ``UPDATE_HOSTED_DEPLOYMENT``; artifact ids are OCIDs of type
``generativeaihostedartifact``; an added artifact is INACTIVE until an update activates it.
"""

from __future__ import annotations

import re

from ..call import Call, Result, operation
from ..kinds import ResourceKind
from ..protocol import errors
from ..protocol.ids import new_ocid
from ..store import Record
from . import hosted_applications, resources

KIND = ResourceKind(
    name=hosted_applications.DEPLOYMENT_KIND,
    label="hosted deployment",
    model="HostedDeployment",
    type_token="generativeaihosteddeployment",
    list_operation="list_hosted_deployments",
    entity_type="HostedDeployment",
    uri="/20231130/hostedDeployments/{id}",
    operation_types={
        "create": "CREATE_HOSTED_DEPLOYMENT",
        "update": "UPDATE_HOSTED_DEPLOYMENT",
        "delete": "DELETE_HOSTED_DEPLOYMENT",
    },
    update_lands_in=None,  # an INACTIVE deployment stays INACTIVE
)
ARTIFACT_TYPE = "generativeaihostedartifact"
IMAGE_FIELDS = ("artifactType", "containerUri", "tag", "isVulnerabilityScanRequired")
CONTAINER_URI = re.compile(r"^[a-z0-9][a-z0-9.-]*(:[0-9]+)?(/[a-z0-9._-]+)+$")
TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")


def _artifact(call: Call, given: dict, deployment_id: str, field: str, status: str) -> dict:
    """A new artifact of ``deployment_id`` from what the request gives in ``field`` (read-only
    fields it may carry, such as ``id`` or ``status``, are the service's to set)."""
    for name, pattern in (("containerUri", CONTAINER_URI), ("tag", TAG)):
        if name not in given:
            raise errors.missing_parameter(f"The field '{field}.{name}' is required.")
        if not pattern.match(given[name]):
            raise errors.invalid_parameter(
                f"Invalid {field}.{name} {given[name]!r}: it is not a container image {name}."
            )
    return {
        **{k: given[k] for k in IMAGE_FIELDS if k in given},
        "isVulnerabilityScanRequired": given.get("isVulnerabilityScanRequired", False),
        "id": new_ocid(ARTIFACT_TYPE, call.env.settings.region),
        "hostedDeploymentId": deployment_id,
        "timeCreated": call.stamp,
        "status": status,
    }


def _same_image(a: dict, b: dict) -> bool:
    return (a["containerUri"], a["tag"]) == (b["containerUri"], b["tag"])


def _load_application(call: Call, app_id: str | None) -> Record:
    if app_id is None:
        raise errors.missing_parameter("The field 'hostedApplicationId' is required.")
    app = resources.load_related(call, hosted_applications.kind_of(app_id), app_id, "hostedApplicationId")
    if app.doc["lifecycleState"] != "ACTIVE":
        raise errors.incorrect_state(
            f"The hosted application {app.id} is {app.doc['lifecycleState']}; it must be ACTIVE."
        )
    return app


@operation
def create_hosted_deployment(call: Call) -> Result:
    body = call.body
    app = _load_application(call, body.get("hostedApplicationId"))
    rid = KIND.new_id(call.env.settings.region)
    artifact = _artifact(call, body["activeArtifact"], rid, "activeArtifact", "ACTIVE")
    doc = dict(body, id=rid, activeArtifact=artifact, artifacts=[artifact],
               lifecycleDetails="Creating the hosted deployment.")
    doc.setdefault("compartmentId", app.doc["compartmentId"])
    with call.store.transaction():
        for previous in resources.living(call, KIND.name, hostedApplicationId=app.id, lifecycleState="ACTIVE"):
            previous.doc.update(lifecycleState="INACTIVE", lifecycleDetails=f"The hosted deployment {rid} replaced it.")
            resources.save(call, previous)
        return resources.create(call, KIND, doc, done="The hosted deployment is active.")


@operation
def get_hosted_deployment(call: Call) -> Result:
    return resources.get(call, KIND, call.path["hostedDeploymentId"])


@operation
def list_hosted_deployments(call: Call) -> Result:
    return resources.list_page(call, KIND, renames={"applicationId": "hostedApplicationId"})


def _change_artifacts(call: Call, artifacts: list[dict], active_id: str, rec: Record) -> Result:
    """Give ``rec`` the ``artifacts``, ``active_id`` the ACTIVE one (the others INACTIVE), through
    an update: the artifact being activated is UPDATING until the work request finishes."""
    final = [dict(a, status="ACTIVE" if a["id"] == active_id else "INACTIVE") for a in artifacts]
    active = next(a for a in final if a["id"] == active_id)
    changing = active_id != rec.doc["activeArtifact"]["id"]
    shown = [dict(a, status="UPDATING") if a["id"] == active_id and changing else a for a in final]
    body = call.body or {}
    rec.doc.update({k: body[k] for k in ("freeformTags", "definedTags") if k in body})
    rec.doc.update(artifacts=shown, activeArtifact=next(a for a in shown if a["id"] == active_id))
    return resources.transition(
        call, KIND, rec, "update", transitional="UPDATING", target=rec.doc["lifecycleState"],
        on_finish={"artifacts": final, "activeArtifact": active},
    )


def _load_settled(call: Call) -> Record:
    rec = resources.load(call, KIND, call.path["hostedDeploymentId"])
    resources.guard_mutation(call, KIND, rec)
    return rec


@operation
def update_hosted_deployment(call: Call) -> Result:
    """Activate the artifact of ``activeArtifact``'s image, added when the deployment lacks it."""
    rec = _load_settled(call)
    wanted = _artifact(call, call.body["activeArtifact"], rec.id, "activeArtifact", "INACTIVE")
    artifacts = rec.doc["artifacts"]
    known = next((a for a in artifacts if _same_image(a, wanted)), None)
    if known is None:
        artifacts, known = [*artifacts, wanted], wanted
    return _change_artifacts(call, artifacts, known["id"], rec)


@operation
def add_artifact(call: Call) -> Result:
    rec = _load_settled(call)
    added = _artifact(call, call.body["artifact"], rec.id, "artifact", "INACTIVE")
    if any(_same_image(a, added) for a in rec.doc["artifacts"]):
        raise errors.already_exists(
            f"The hosted deployment {rec.id} already has the artifact {added['containerUri']}:{added['tag']}."
        )
    result = _change_artifacts(call, [*rec.doc["artifacts"], added], rec.doc["activeArtifact"]["id"], rec)
    return Result(etag=result.etag, work_request_id=result.work_request_id)  # the SDK declares no body


@operation
def delete_hosted_deployment_artifact(call: Call) -> Result:
    rec = _load_settled(call)
    artifact_id = call.path["artifactId"]
    artifact = next((a for a in rec.doc["artifacts"] if a["id"] == artifact_id), None)
    if artifact is None:
        raise errors.not_found(f"The hosted deployment {rec.id} has no artifact {artifact_id}.")
    if artifact["status"] == "ACTIVE":
        raise errors.incorrect_state(
            f"The artifact {artifact_id} is the active one of {rec.id}: activate another first; only inactive "
            "artifacts can be deleted."
        )
    remaining = [a for a in rec.doc["artifacts"] if a["id"] != artifact_id]
    result = _change_artifacts(call, remaining, rec.doc["activeArtifact"]["id"], rec)
    return Result(work_request_id=result.work_request_id)


@operation
def delete_hosted_deployment(call: Call) -> Result:
    return resources.delete(call, KIND, call.path["hostedDeploymentId"])
