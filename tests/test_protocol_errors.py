"""Every error of the wire protocol, reached by a real scenario, over real HTTP and the oci SDK."""

from __future__ import annotations

import json

import oci
import pytest
import requests
from oci.generative_ai import models

from conftest import COMPARTMENT, admin
from helpers import WAIT, active_cluster, base_model, cluster_details

API = "/20231130"
CLUSTER_BODY = {"compartmentId": COMPARTMENT, "type": "HOSTING", "unitShape": "SMALL_COHERE_V2", "unitCount": 1}


def call(url, method, path, body=None, raw=None, headers=None):
    data = raw if raw is not None else (json.dumps(body) if body is not None else None)
    return requests.request(
        method, f"{url}{API}{path}", data=data, headers={"content-type": "application/json", **(headers or {})}
    )


def assert_error(resp, status, code, *words):
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"] == "application/json"
    assert resp.headers["opc-request-id"]
    body = resp.json()
    assert set(body) == {"code", "message"}
    assert body["code"] == code
    for word in words:
        assert word in body["message"]
    return body


def service_error(fn, *args, **kwargs) -> oci.exceptions.ServiceError:
    with pytest.raises(oci.exceptions.ServiceError) as exc:
        fn(*args, **kwargs)
    return exc.value


# 404 -------------------------------------------------------------------------------------
def test_unknown_path_and_unknown_resource_are_404(emulator_url, genai_no_retry):
    assert_error(call(emulator_url, "GET", "/nothingHere"), 404, "NotAuthorizedOrNotFound")
    assert_error(requests.get(f"{emulator_url}/elsewhere"), 404, "NotAuthorizedOrNotFound")
    missing = "ocid1.generativeaidedicatedaicluster.oc1.us-chicago-1.amaaaaaanotthere"
    err = service_error(genai_no_retry.get_dedicated_ai_cluster, missing)
    assert (err.status, err.code) == (404, "NotAuthorizedOrNotFound")
    assert err.request_id
    # an OCID of another resource type is not found either
    err = service_error(genai_no_retry.get_endpoint, missing)
    assert err.status == 404


def test_request_ids_are_echoed_or_generated(emulator_url):
    mine = call(emulator_url, "GET", f"/models?compartmentId={COMPARTMENT}", headers={"opc-request-id": "my-id-1"})
    assert mine.headers["opc-request-id"] == "my-id-1"
    a = call(emulator_url, "GET", f"/models?compartmentId={COMPARTMENT}").headers["opc-request-id"]
    b = call(emulator_url, "GET", "/nope").headers["opc-request-id"]
    assert a and b and a != b
    echoed = call(emulator_url, "GET", "/nope", headers={"opc-client-request-id": "client-7"})
    assert echoed.headers["opc-client-request-id"] == "client-7"


# 400 -------------------------------------------------------------------------------------
def test_malformed_json_is_cannot_parse(emulator_url):
    assert_error(call(emulator_url, "POST", "/dedicatedAiClusters", raw="{not json"), 400, "CannotParseRequest")
    assert_error(call(emulator_url, "POST", "/dedicatedAiClusters", raw=b"\xff\xfe"), 400, "CannotParseRequest")


def test_missing_body_and_missing_fields_are_missing_parameter(emulator_url):
    assert_error(call(emulator_url, "POST", "/dedicatedAiClusters", raw=""), 400, "MissingParameter")
    body = dict(CLUSTER_BODY)
    del body["unitShape"]
    assert_error(call(emulator_url, "POST", "/dedicatedAiClusters", body), 400, "MissingParameter", "unitShape")
    nested = {
        "compartmentId": COMPARTMENT,
        "baseModelId": "ocid1.generativeaimodel.oc1.us-chicago-1.amaaaaaax",
        "fineTuneDetails": {"dedicatedAiClusterId": "ocid1.generativeaidedicatedaicluster.oc1.x.y",
                            "trainingDataset": {"datasetType": "OBJECT_STORAGE", "namespaceName": "n", "objectName": "o"}},
    }
    assert_error(
        call(emulator_url, "POST", "/models", nested), 400, "MissingParameter", "fineTuneDetails.trainingDataset.bucketName"
    )
    assert_error(call(emulator_url, "GET", "/dedicatedAiClusters"), 400, "MissingParameter", "compartmentId")


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("unitCount", "two", ["unitCount", "integer"]),
        ("type", "GAMING", ["type", "HOSTING"]),
        ("unitShape", "HUGE", ["unitShape"]),
        ("compartmentId", "not-an-ocid", ["compartmentId", "OCID"]),
        ("freeformTags", {"k": 1}, ["freeformTags.k"]),
        ("displayName", ["a"], ["displayName"]),
        ("unitCount", 0, ["unitCount"]),
    ],
)
def test_invalid_values_are_invalid_parameter_naming_the_field(emulator_url, field, value, words):
    body = dict(CLUSTER_BODY, **{field: value})
    assert_error(call(emulator_url, "POST", "/dedicatedAiClusters", body), 400, "InvalidParameter", *words)
    assert call(emulator_url, "GET", f"/dedicatedAiClusters?compartmentId={COMPARTMENT}").json() == {"items": []}


def test_body_must_be_an_object(emulator_url):
    for raw in ("[]", "3", '"x"', "null"):
        resp = call(emulator_url, "POST", "/dedicatedAiClusters", raw=raw)
        assert resp.status_code == 400 and resp.json()["code"] in ("InvalidParameter", "MissingParameter")


def test_unknown_discriminator_value_is_invalid_parameter(emulator_url, genai):
    cluster = active_cluster(genai, "FINE_TUNING", "SMALL_COHERE_V2", count=8)
    base = base_model(genai, "cohere.command-r-08-2024", capability="FINE_TUNE")
    body = {
        "compartmentId": COMPARTMENT,
        "baseModelId": base.id,
        "fineTuneDetails": {
            "dedicatedAiClusterId": cluster.id,
            "trainingDataset": {"datasetType": "OBJECT_STORAGE", "namespaceName": "n", "bucketName": "b", "objectName": "o"},
            "trainingConfig": {"trainingConfigType": "MAGIC_TRAINING_CONFIG"},
        },
    }
    assert_error(call(emulator_url, "POST", "/models", body), 400, "InvalidParameter", "trainingConfigType")
    body["fineTuneDetails"]["trainingConfig"] = {"trainingConfigType": "TFEW_TRAINING_CONFIG", "loraR": 4}
    assert_error(call(emulator_url, "POST", "/models", body), 400, "InvalidParameter", "loraR")


def test_bad_query_parameters_and_path_ids(emulator_url):
    base = f"/dedicatedAiClusters?compartmentId={COMPARTMENT}"
    assert_error(call(emulator_url, "GET", base + "&limit=abc"), 400, "InvalidParameter", "limit")
    assert_error(call(emulator_url, "GET", base + "&limit=0"), 400, "InvalidParameter", "limit")
    assert_error(call(emulator_url, "GET", base + "&sortBy=size"), 400, "InvalidParameter", "sortBy")
    assert_error(call(emulator_url, "GET", base + "&sortOrder=UP"), 400, "InvalidParameter", "sortOrder")
    assert_error(call(emulator_url, "GET", base + "&lifecycleState=SLEEPING"), 400, "InvalidParameter", "lifecycleState")
    assert_error(call(emulator_url, "GET", base + "&page=garbage"), 400, "InvalidParameter", "page token")
    assert_error(call(emulator_url, "GET", "/dedicatedAiClusters?compartmentId=xyz"), 400, "InvalidParameter", "OCID")
    assert_error(call(emulator_url, "GET", "/dedicatedAiClusters/not-an-ocid"), 400, "InvalidParameter", "OCID")
    assert_error(call(emulator_url, "GET", f"/models?compartmentId={COMPARTMENT}&capability=FLYING"), 400, "InvalidParameter")


def test_page_token_is_bound_to_its_filters(emulator_url, genai):
    for _ in range(3):
        genai.create_dedicated_ai_cluster(cluster_details())
    first = genai.list_dedicated_ai_clusters(COMPARTMENT, limit=1)
    token = first.headers["opc-next-page"]
    resp = call(emulator_url, "GET", f"/dedicatedAiClusters?compartmentId={COMPARTMENT}&sortBy=displayName&page={token}")
    assert_error(resp, 400, "InvalidParameter", "page token")


def test_immutable_fields_are_rejected_on_update(emulator_url, genai):
    cluster = active_cluster(genai)
    for field, value in [("unitShape", "LARGE_COHERE"), ("type", "FINE_TUNING"), ("compartmentId", COMPARTMENT)]:
        resp = call(emulator_url, "PUT", f"/dedicatedAiClusters/{cluster.id}", {field: value})
        assert_error(resp, 400, "InvalidParameter", field)
    assert genai.get_dedicated_ai_cluster(cluster.id).data.unit_shape == "SMALL_COHERE_V2"


def test_related_resource_not_found(genai_no_retry):
    model = base_model(genai_no_retry, "cohere.command-r-08-2024")
    err = service_error(
        genai_no_retry.create_endpoint,
        models.CreateEndpointDetails(
            compartment_id=COMPARTMENT,
            model_id=model.id,
            dedicated_ai_cluster_id="ocid1.generativeaidedicatedaicluster.oc1.us-chicago-1.amaaaaaagone",
        ),
    )
    assert (err.status, err.code) == (400, "RelatedResourceNotAuthorizedOrNotFound")
    assert "dedicatedAiClusterId" in err.message


def test_endpoint_limit_of_a_hosting_cluster(genai, genai_no_retry):
    cluster = active_cluster(genai)
    model = base_model(genai, "cohere.command-r-08-2024")
    details = models.CreateEndpointDetails(compartment_id=COMPARTMENT, dedicated_ai_cluster_id=cluster.id, model_id=model.id)
    for _ in range(50):
        genai_no_retry.create_endpoint(details)
    err = service_error(genai_no_retry.create_endpoint, details)
    assert (err.status, err.code) == (400, "LimitExceeded")
    assert "50" in err.message
    capacity = genai.get_dedicated_ai_cluster(cluster.id).data.capacity
    assert capacity.used_endpoint_capacity == capacity.total_endpoint_capacity == 50


@pytest.mark.parametrize(
    "cluster_type, shape, model_name, capability, words",
    [
        ("FINE_TUNING", "SMALL_COHERE_V2", "cohere.command-r-08-2024", "CHAT", ["HOSTING"]),
        ("HOSTING", "LARGE_GENERIC", "cohere.command-r-08-2024", "CHAT", ["LARGE_GENERIC", "SMALL_COHERE_V2"]),
        ("HOSTING", "SMALL_COHERE_V2", "cohere.embed-english-v3.0", "TEXT_EMBEDDINGS", ["EMBED_COHERE"]),
    ],
)
def test_endpoint_needs_a_matching_hosting_cluster(genai, genai_no_retry, cluster_type, shape, model_name, capability, words):
    count = 8 if cluster_type == "FINE_TUNING" else 1
    cluster = active_cluster(genai, cluster_type, shape, count=count)
    model = base_model(genai, model_name, capability)
    err = service_error(
        genai_no_retry.create_endpoint,
        models.CreateEndpointDetails(compartment_id=COMPARTMENT, model_id=model.id, dedicated_ai_cluster_id=cluster.id),
    )
    assert (err.status, err.code) == (400, "InvalidParameter")
    for word in words:
        assert word in err.message


# 409 -------------------------------------------------------------------------------------
def test_mutation_while_transitioning_is_incorrect_state(emulator_url, genai_no_retry):
    admin(emulator_url, "config", {"transitions": {"dedicatedaicluster": {"mode": "manual"}}})
    cluster = genai_no_retry.create_dedicated_ai_cluster(cluster_details()).data
    assert genai_no_retry.get_dedicated_ai_cluster(cluster.id).data.lifecycle_state == "CREATING"
    for attempt in (
        lambda: genai_no_retry.update_dedicated_ai_cluster(cluster.id, models.UpdateDedicatedAiClusterDetails(unit_count=2)),
        lambda: genai_no_retry.delete_dedicated_ai_cluster(cluster.id),
    ):
        err = service_error(attempt)
        assert (err.status, err.code) == (409, "IncorrectState")
        assert "CREATING" in err.message
    admin(emulator_url, "transitions/complete", {"id": cluster.id})
    assert genai_no_retry.get_dedicated_ai_cluster(cluster.id).data.lifecycle_state == "ACTIVE"


def test_endpoint_on_a_cluster_still_creating_is_incorrect_state(emulator_url, genai_no_retry, genai):
    admin(emulator_url, "config", {"transitions": {"dedicatedaicluster": {"mode": "manual"}}})
    cluster = genai_no_retry.create_dedicated_ai_cluster(cluster_details()).data
    model = base_model(genai, "cohere.command-r-08-2024")
    err = service_error(
        genai_no_retry.create_endpoint,
        models.CreateEndpointDetails(compartment_id=COMPARTMENT, model_id=model.id, dedicated_ai_cluster_id=cluster.id),
    )
    assert (err.status, err.code) == (409, "IncorrectState")


def test_deleted_resources_read_as_deleted_and_cannot_change(genai, genai_no_retry, composite):
    cluster = active_cluster(genai)
    composite.delete_dedicated_ai_cluster_and_wait_for_state(cluster.id, ["SUCCEEDED"], waiter_kwargs=WAIT)
    assert genai.get_dedicated_ai_cluster(cluster.id).data.lifecycle_state == "DELETED"
    err = service_error(genai_no_retry.delete_dedicated_ai_cluster, cluster.id)
    assert err.status == 404
    err = service_error(
        genai_no_retry.update_dedicated_ai_cluster, cluster.id, models.UpdateDedicatedAiClusterDetails(unit_count=3)
    )
    assert err.status == 404


# 412 -------------------------------------------------------------------------------------
def test_if_match_on_delete_and_change_compartment(genai, genai_no_retry):
    cluster = genai.get_dedicated_ai_cluster(active_cluster(genai).id)
    err = service_error(genai_no_retry.delete_dedicated_ai_cluster, cluster.data.id, if_match="stale")
    assert (err.status, err.code) == (412, "NoEtagMatch")
    err = service_error(
        genai_no_retry.change_dedicated_ai_cluster_compartment,
        cluster.data.id,
        models.ChangeDedicatedAiClusterCompartmentDetails(compartment_id=COMPARTMENT),
        if_match="stale",
    )
    assert err.status == 412
    assert genai.get_dedicated_ai_cluster(cluster.data.id).data.lifecycle_state == "ACTIVE"
    deleted = genai_no_retry.delete_dedicated_ai_cluster(cluster.data.id, if_match=cluster.headers["etag"])
    assert deleted.status == 202 and deleted.headers["opc-work-request-id"]


# 429 / 5xx: injected faults, survived by the SDK's default retries ---------------------
@pytest.mark.parametrize("status, code", [(429, "TooManyRequests"), (500, "InternalServerError"), (503, "ServiceUnavailable")])
def test_injected_faults_have_oci_shape_and_sdk_retries_through_them(emulator_url, genai, genai_no_retry, status, code):
    admin(emulator_url, "faults", {"operation": "list_models", "status": status, "times": 1})
    err = service_error(genai_no_retry.list_models, COMPARTMENT)
    assert (err.status, err.code) == (status, code)
    admin(emulator_url, "faults", {"operation": "list_models", "status": status, "times": 2})
    assert genai.list_models(COMPARTMENT, retry_strategy=fast_retry()).data.items
    assert admin(emulator_url, "faults")["items"] == []


def fast_retry():
    return oci.retry.RetryStrategyBuilder(
        max_attempts_check=True, max_attempts=4, retry_max_wait_between_calls_seconds=0.1,
        retry_base_sleep_time_seconds=0.01,
    ).add_service_error_check(
        service_error_retry_config={429: [], 409: ["IncorrectState"]}, service_error_retry_on_any_5xx=True
    ).get_retry_strategy()
