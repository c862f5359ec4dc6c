"""The full management scenario through the real oci SDK, its waiters and composite operations."""

from __future__ import annotations

import oci
import pytest
from oci.generative_ai import models

from conftest import COMPARTMENT
from helpers import WAIT, active_cluster, active_endpoint, base_model, cluster_details


def test_cluster_endpoint_scenario_with_waiters(genai, genai_no_retry, composite):
    # create -> CREATING, then the SDK waiter sees ACTIVE
    created = genai.create_dedicated_ai_cluster(cluster_details(display_name="hosting"))
    assert created.data.lifecycle_state == "CREATING"
    assert created.headers["opc-work-request-id"].startswith("ocid1.generativeaiworkrequest.")
    assert created.headers["etag"]
    cluster = oci.wait_until(
        genai, genai.get_dedicated_ai_cluster(created.data.id), "lifecycle_state", "ACTIVE", **WAIT
    ).data
    assert cluster.capacity.capacity_type == "HOSTING_CAPACITY"
    assert (cluster.capacity.total_endpoint_capacity, cluster.capacity.used_endpoint_capacity) == (50, 0)

    # the composite helper polls the work request until SUCCEEDED
    model = base_model(genai, "cohere.command-r-08-2024")
    wr = composite.create_endpoint_and_wait_for_state(
        models.CreateEndpointDetails(
            compartment_id=COMPARTMENT, dedicated_ai_cluster_id=cluster.id, model_id=model.id, display_name="ep"
        ),
        wait_for_states=["SUCCEEDED"],
        waiter_kwargs=WAIT,
    ).data
    assert wr.status == "SUCCEEDED" and wr.time_finished is not None and wr.percent_complete == 100
    (resource,) = wr.resources
    assert (resource.entity_type, resource.action_type) == ("Endpoint", "CREATED")
    endpoint = genai.get_endpoint(resource.identifier)
    assert endpoint.data.lifecycle_state == "ACTIVE"
    assert genai.get_dedicated_ai_cluster(cluster.id).data.capacity.used_endpoint_capacity == 1

    # update with the right etag works; a stale etag is 412
    etag = endpoint.headers["etag"]
    updated = genai.update_endpoint(
        endpoint.data.id, models.UpdateEndpointDetails(description="v2"), if_match=etag
    )
    assert updated.headers["etag"] != etag
    with pytest.raises(oci.exceptions.ServiceError) as stale:
        genai_no_retry.update_endpoint(endpoint.data.id, models.UpdateEndpointDetails(description="v3"), if_match=etag)
    assert (stale.value.status, stale.value.code) == (412, "NoEtagMatch")
    oci.wait_until(genai, genai.get_endpoint(endpoint.data.id), "lifecycle_state", "ACTIVE", **WAIT)
    assert genai.get_endpoint(endpoint.data.id).data.description == "v2"

    # deleting the cluster while it hosts the endpoint is refused
    with pytest.raises(oci.exceptions.ServiceError) as in_use:
        genai_no_retry.delete_dedicated_ai_cluster(cluster.id)
    assert (in_use.value.status, in_use.value.code) == (409, "Conflict")
    assert "endpoint" in in_use.value.message

    # delete endpoint then cluster, each waited on through its work request
    wr = composite.delete_endpoint_and_wait_for_state(endpoint.data.id, ["SUCCEEDED"], waiter_kwargs=WAIT).data
    assert [(r.action_type, r.identifier) for r in wr.resources] == [("DELETED", endpoint.data.id)]
    assert genai.get_endpoint(endpoint.data.id).data.lifecycle_state == "DELETED"
    assert genai.get_dedicated_ai_cluster(cluster.id).data.capacity.used_endpoint_capacity == 0
    wr = composite.delete_dedicated_ai_cluster_and_wait_for_state(cluster.id, ["SUCCEEDED"], waiter_kwargs=WAIT).data
    assert wr.resources[0].action_type == "DELETED" and wr.time_finished is not None
    assert genai.get_dedicated_ai_cluster(cluster.id).data.lifecycle_state == "DELETED"

    # work requests keep their logs and show up in lists
    logs = genai.list_work_request_logs(wr.id).data.items
    assert any("succeeded" in entry.message for entry in logs)
    listed = oci.pagination.list_call_get_all_results(
        genai.list_work_requests, COMPARTMENT, resource_id=cluster.id
    ).data
    assert {w.operation_type for w in listed} == {"CREATE_DEDICATED_AI_CLUSTER", "DELETE_DEDICATED_AI_CLUSTER"}


def test_composite_create_cluster_waits_on_work_request(composite, genai):
    wr = composite.create_dedicated_ai_cluster_and_wait_for_state(
        cluster_details(), wait_for_states=["SUCCEEDED"], waiter_kwargs=WAIT
    ).data
    assert wr.operation_type == "CREATE_DEDICATED_AI_CLUSTER"
    cluster = genai.get_dedicated_ai_cluster(wr.resources[0].identifier).data
    assert cluster.lifecycle_state == "ACTIVE"


def test_fine_tune_on_fine_tuning_cluster(genai, genai_no_retry, composite):
    from helpers import fine_tune_details

    cluster = active_cluster(genai, "FINE_TUNING", "SMALL_COHERE_V2", count=8)
    base = base_model(genai, "cohere.command-r-08-2024", capability="FINE_TUNE")
    created = genai.create_model(
        models.CreateModelDetails(
            compartment_id=COMPARTMENT,
            base_model_id=base.id,
            display_name="my-model",
            fine_tune_details=fine_tune_details(cluster.id),
        )
    )
    assert created.data.lifecycle_state == "CREATING" and created.data.type == "CUSTOM"
    model = oci.wait_until(genai, genai.get_model(created.data.id), "lifecycle_state", "ACTIVE", **WAIT).data
    assert model.base_model_id == base.id
    assert model.model_metrics.model_metrics_type == "CHAT_MODEL_METRICS"
    assert 0 < model.model_metrics.final_accuracy <= 1
    assert model.fine_tune_details.training_config.training_config_type == "TFEW_TRAINING_CONFIG"

    # the same name and version again is a conflict
    with pytest.raises(oci.exceptions.ServiceError) as dup:
        genai_no_retry.create_model(
            models.CreateModelDetails(
                compartment_id=COMPARTMENT,
                base_model_id=base.id,
                display_name="my-model",
                fine_tune_details=fine_tune_details(cluster.id),
            )
        )
    assert (dup.value.status, dup.value.code) == (409, "NotAuthorizedOrResourceAlreadyExists")

    # the cluster that holds the custom model cannot be deleted
    with pytest.raises(oci.exceptions.ServiceError) as held:
        genai_no_retry.delete_dedicated_ai_cluster(cluster.id)
    assert held.value.status == 409

    # update_model is synchronous: no work request, the body is the updated model
    updated = composite.update_model_and_wait_for_state(
        model.id, models.UpdateModelDetails(description="tuned"), wait_for_states=["ACTIVE"], waiter_kwargs=WAIT
    )
    assert updated.data.description == "tuned"

    # the custom model serves through an endpoint on a hosting cluster of the same shape
    hosting = active_cluster(genai, "HOSTING", "SMALL_COHERE_V2")
    endpoint = active_endpoint(genai, hosting.id, model.id)
    with pytest.raises(oci.exceptions.ServiceError) as served:
        genai_no_retry.delete_model(model.id)
    assert (served.value.status, served.value.code) == (409, "Conflict")
    composite.delete_endpoint_and_wait_for_state(endpoint.id, ["SUCCEEDED"], waiter_kwargs=WAIT)
    wr = composite.delete_model_and_wait_for_state(model.id, ["SUCCEEDED"], waiter_kwargs=WAIT).data
    assert wr.resources[0].action_type == "DELETED"
    assert genai.get_model(model.id).data.lifecycle_state == "DELETED"


def test_custom_model_names_are_unique_per_tenancy_not_across_tenancies(emulator_url, genai, genai_no_retry, other_oci_config):
    """Two tenancies may use the same compartment OCID in the emulator: one's models never collide with the other's."""
    from helpers import fine_tune_details

    other = oci.generative_ai.GenerativeAiClient(other_oci_config, service_endpoint=emulator_url)
    details = lambda client: models.CreateModelDetails(  # noqa: E731
        compartment_id=COMPARTMENT,
        base_model_id=base_model(client, "cohere.command-r-08-2024", capability="FINE_TUNE").id,
        display_name="shared-name",
        fine_tune_details=fine_tune_details(active_cluster(client, "FINE_TUNING", "SMALL_COHERE_V2", count=8).id),
    )
    mine = genai.create_model(details(genai)).data
    theirs = other.create_model(details(other)).data
    assert mine.id != theirs.id and theirs.display_name == "shared-name"
    with pytest.raises(oci.exceptions.ServiceError) as dup:
        genai_no_retry.create_model(details(genai_no_retry))
    assert dup.value.code == "NotAuthorizedOrResourceAlreadyExists"
