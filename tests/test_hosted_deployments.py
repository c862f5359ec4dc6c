"""Hosted deployments and their artifacts through the oci SDK and CLI: children of a hosted
application, one ACTIVE deployment per application, one active artifact per deployment."""

from __future__ import annotations

import json

import oci
import pytest
from oci.generative_ai import models

from conftest import COMPARTMENT, OTHER_COMPARTMENT, admin
from helpers import WAIT
from hosted_helpers import IMAGE, active_app, active_deployment, active_iam_app, docker
from tests.test_cli import cli_home, oci_cli  # noqa: F401

WAITED = {"wait_for_states": ["SUCCEEDED"], "waiter_kwargs": WAIT}


def test_a_deployment_runs_its_active_artifact_through_work_requests(genai, composite):
    app = active_app(genai)
    done = composite.create_hosted_deployment_and_wait_for_state(
        models.CreateHostedDeploymentDetails(hosted_application_id=app.id, display_name="d1", active_artifact=docker()),
        **WAITED,
    ).data
    assert (done.operation_type, done.resources[0].entity_type, done.resources[0].action_type) == (
        "CREATE_HOSTED_DEPLOYMENT", "HostedDeployment", "CREATED")
    deployment = genai.get_hosted_deployment(done.resources[0].identifier).data
    assert deployment.id.startswith("ocid1.generativeaihosteddeployment.") and deployment.lifecycle_state == "ACTIVE"
    assert deployment.compartment_id == COMPARTMENT and deployment.hosted_application_id == app.id
    artifact = deployment.active_artifact
    assert (artifact.container_uri, artifact.tag, artifact.status, artifact.artifact_type) == (
        IMAGE, "v1", "ACTIVE", "SIMPLE_DOCKER_ARTIFACT")
    assert artifact.hosted_deployment_id == deployment.id and artifact.is_vulnerability_scan_required is False
    assert [a.id for a in deployment.artifacts] == [artifact.id]

    added = composite.add_artifact_and_wait_for_state(
        models.AddArtifactDetails(artifact=models.CreateSingleDockerArtifactDetails(container_uri=IMAGE, tag="v2")),
        deployment.id, **WAITED,
    ).data
    assert added.operation_type == "UPDATE_HOSTED_DEPLOYMENT"
    after_add = genai.get_hosted_deployment(deployment.id).data
    assert [(a.tag, a.status) for a in after_add.artifacts] == [("v1", "ACTIVE"), ("v2", "INACTIVE")]

    composite.update_hosted_deployment_and_wait_for_state(
        deployment.id, models.UpdateHostedDeploymentDetails(active_artifact=docker("v2")), **WAITED)
    switched = genai.get_hosted_deployment(deployment.id).data
    assert switched.active_artifact.tag == "v2" and switched.active_artifact.id == after_add.artifacts[1].id
    assert [(a.tag, a.status) for a in switched.artifacts] == [("v1", "INACTIVE"), ("v2", "ACTIVE")]
    assert switched.lifecycle_state == "ACTIVE"

    removed = composite.delete_hosted_deployment_artifact_and_wait_for_state(
        deployment.id, artifact.id, **WAITED).data
    assert removed.status == "SUCCEEDED"
    assert [a.tag for a in genai.get_hosted_deployment(deployment.id).data.artifacts] == ["v2"]

    deleted = composite.delete_hosted_deployment_and_wait_for_state(deployment.id, **WAITED).data
    assert (deleted.operation_type, deleted.resources[0].action_type) == ("DELETE_HOSTED_DEPLOYMENT", "DELETED")
    assert genai.get_hosted_deployment(deployment.id).data.lifecycle_state == "DELETED"


def test_an_update_to_an_unknown_image_adds_it_and_activates_it(genai):
    deployment = active_deployment(genai, active_app(genai).id)
    pending = genai.update_hosted_deployment(deployment.id, models.UpdateHostedDeploymentDetails(
        active_artifact=docker("v3"), freeform_tags={"release": "3"}))
    assert pending.data.lifecycle_state == "UPDATING" and pending.data.active_artifact.status == "UPDATING"
    done = oci.wait_until(genai, genai.get_hosted_deployment(deployment.id), "lifecycle_state", "ACTIVE", **WAIT).data
    assert [(a.tag, a.status) for a in done.artifacts] == [("v1", "INACTIVE"), ("v3", "ACTIVE")]
    assert done.freeform_tags == {"release": "3"}


def test_only_inactive_artifacts_can_be_deleted_and_images_are_unique(genai, genai_no_retry):
    deployment = active_deployment(genai, active_app(genai).id)
    with pytest.raises(oci.exceptions.ServiceError) as active:
        genai_no_retry.delete_hosted_deployment_artifact(deployment.id, deployment.active_artifact.id)
    assert (active.value.status, active.value.code) == (409, "IncorrectState") and "inactive" in active.value.message
    with pytest.raises(oci.exceptions.ServiceError) as unknown:
        genai_no_retry.delete_hosted_deployment_artifact(deployment.id, "ocid1.generativeaihostedartifact.oc1..nope")
    assert unknown.value.status == 404
    with pytest.raises(oci.exceptions.ServiceError) as twice:
        genai_no_retry.add_artifact(models.AddArtifactDetails(
            artifact=models.CreateSingleDockerArtifactDetails(container_uri=IMAGE, tag="v1")), deployment.id)
    assert twice.value.status == 409 and f"{IMAGE}:v1" in twice.value.message


def test_an_application_has_one_active_deployment(genai):
    app = active_app(genai)
    first = active_deployment(genai, app.id, "v1")
    second = active_deployment(genai, app.id, "v2")
    assert genai.get_hosted_deployment(first.id).data.lifecycle_state == "INACTIVE"
    listed = genai.list_hosted_deployments(COMPARTMENT, application_id=app.id).data.items
    assert [(d.id, d.lifecycle_state) for d in listed] == [(second.id, "ACTIVE"), (first.id, "INACTIVE")]
    assert [d.id for d in genai.list_hosted_deployments(COMPARTMENT, lifecycle_state="INACTIVE").data.items] == [first.id]
    other = active_deployment(genai, active_app(genai, "other").id)
    assert genai.get_hosted_deployment(second.id).data.lifecycle_state == "ACTIVE"  # another app's is its own
    everything = oci.pagination.list_call_get_all_results(genai.list_hosted_deployments, COMPARTMENT, limit=1).data
    assert [d.id for d in everything] == [other.id, second.id, first.id]


def test_deployments_need_a_living_application_which_cannot_be_deleted_under_them(genai, composite, genai_no_retry):
    with pytest.raises(oci.exceptions.ServiceError) as missing:
        genai_no_retry.create_hosted_deployment(models.CreateHostedDeploymentDetails(
            hosted_application_id="ocid1.generativeaihostedapplication.oc1..missing", active_artifact=docker()))
    assert (missing.value.status, missing.value.code) == (400, "RelatedResourceNotAuthorizedOrNotFound")
    with pytest.raises(oci.exceptions.ServiceError) as unnamed:
        genai_no_retry.create_hosted_deployment(models.CreateHostedDeploymentDetails(active_artifact=docker()))
    assert unnamed.value.status == 400 and "hostedApplicationId" in unnamed.value.message
    with pytest.raises(oci.exceptions.ServiceError) as no_image:
        genai_no_retry.create_hosted_deployment(models.CreateHostedDeploymentDetails(
            hosted_application_id=active_app(genai).id, active_artifact=models.SingleDockerArtifact(tag="v1")))
    assert no_image.value.status == 400 and "containerUri" in no_image.value.message

    iam_app = active_iam_app(genai)
    deployment = active_deployment(genai, iam_app.id)  # an IAM application's id goes in the same field
    with pytest.raises(oci.exceptions.ServiceError) as in_use:
        genai_no_retry.delete_hosted_application_iam(iam_app.id)
    assert (in_use.value.status, in_use.value.code) == (409, "Conflict") and "deployment" in in_use.value.message
    composite.delete_hosted_deployment_and_wait_for_state(deployment.id, **WAITED)
    composite.delete_hosted_application_iam_and_wait_for_state(iam_app.id, **WAITED)


def test_mutations_check_etags_and_settled_states(genai, genai_no_retry, emulator_url):
    deployment = active_deployment(genai, active_app(genai).id)
    etag = genai.get_hosted_deployment(deployment.id).headers["etag"]
    with pytest.raises(oci.exceptions.ServiceError) as stale:
        genai_no_retry.update_hosted_deployment(
            deployment.id, models.UpdateHostedDeploymentDetails(active_artifact=docker("v2")), if_match="stale")
    assert stale.value.status == 412
    admin(emulator_url, "config", {"transitions": {"hosteddeployment": {"mode": "manual"}}})
    genai.update_hosted_deployment(
        deployment.id, models.UpdateHostedDeploymentDetails(active_artifact=docker("v2")), if_match=etag)
    with pytest.raises(oci.exceptions.ServiceError) as busy:
        genai_no_retry.delete_hosted_deployment(deployment.id)
    assert (busy.value.status, busy.value.code) == (409, "IncorrectState")


def test_deployments_move_with_their_state(genai, emulator_url):
    deployment = active_deployment(genai, active_app(genai).id, compartment_id=OTHER_COMPARTMENT)
    assert genai.list_hosted_deployments(COMPARTMENT).data.items == []
    snapshot = admin(emulator_url, "state")
    admin(emulator_url, "reset", {})
    admin(emulator_url, "state", snapshot)
    restored = genai.get_hosted_deployment(deployment.id).data
    assert restored.compartment_id == OTHER_COMPARTMENT and restored.active_artifact.tag == "v1"


def test_the_cli_creates_and_deletes_a_deployment(genai, oci_cli):  # noqa: F811
    app = active_app(genai)
    created = json.loads(oci_cli(
        "generative-ai", "hosted-deployment", "create", "--hosted-application-id", app.id,
        "--active-artifact", json.dumps({"artifactType": "SIMPLE_DOCKER_ARTIFACT", "containerUri": IMAGE, "tag": "v1"}),
        "--wait-for-state", "SUCCEEDED", "--wait-interval-seconds", "1",
    ).stdout)
    deployment_id = created["data"]["resources"][0]["identifier"]
    listed = json.loads(oci_cli("generative-ai", "hosted-deployment-collection", "list-hosted-deployments",
                                "--compartment-id", COMPARTMENT, "--application-id", app.id).stdout)
    assert [d["id"] for d in listed["data"]["items"]] == [deployment_id]
    oci_cli("generative-ai", "hosted-deployment", "delete", "--hosted-deployment-id", deployment_id, "--force",
            "--wait-for-state", "SUCCEEDED", "--wait-interval-seconds", "1")


def test_another_tenancy_sees_no_deployment_and_cannot_deploy_to_the_application(genai, emulator_url, other_oci_config):
    app = active_app(genai)
    deployment = active_deployment(genai, app.id)
    stranger = oci.generative_ai.GenerativeAiClient(
        other_oci_config, service_endpoint=emulator_url, retry_strategy=oci.retry.NoneRetryStrategy())
    with pytest.raises(oci.exceptions.ServiceError) as foreign:
        stranger.get_hosted_deployment(deployment.id)
    assert foreign.value.status == 404
    with pytest.raises(oci.exceptions.ServiceError) as foreign_app:
        stranger.create_hosted_deployment(models.CreateHostedDeploymentDetails(
            hosted_application_id=app.id, active_artifact=docker()))
    assert foreign_app.value.status == 400
    assert stranger.list_hosted_deployments(COMPARTMENT).data.items == []
