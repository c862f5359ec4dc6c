"""opc-retry-token: retried creates never duplicate, reused tokens on other requests are refused."""

from __future__ import annotations

import json

import oci
import pytest
import requests
from oci.generative_ai import models

from conftest import COMPARTMENT, admin
from helpers import cluster_details
from test_protocol_errors import fast_retry


def all_clusters(client):
    return oci.pagination.list_call_get_all_results(client.list_dedicated_ai_clusters, COMPARTMENT).data


def test_sdk_retry_after_a_lost_response_creates_nothing_new(emulator_url, genai):
    # The create commits, then its response is lost (a 503 instead): the SDK retries with the
    # token it generated and must get the original cluster back, not a second one.
    admin(emulator_url, "faults", {"operation": "create_dedicated_ai_cluster", "status": 503, "phase": "after"})
    created = genai.create_dedicated_ai_cluster(cluster_details(display_name="once"), retry_strategy=fast_retry())
    clusters = all_clusters(genai)
    assert [c.id for c in clusters] == [created.data.id]
    journal = admin(emulator_url, "requests?operation=create_dedicated_ai_cluster")["items"]
    assert [e["status"] for e in journal] == [503, 200]


def test_same_token_same_body_replays_the_first_response(genai):
    details = cluster_details(display_name="replayed")
    first = genai.create_dedicated_ai_cluster(details, opc_retry_token="token-1")
    again = genai.create_dedicated_ai_cluster(details, opc_retry_token="token-1")
    assert again.data.id == first.data.id
    assert again.headers["opc-work-request-id"] == first.headers["opc-work-request-id"]
    assert again.headers["etag"] == first.headers["etag"]
    assert len(all_clusters(genai)) == 1


def test_same_token_other_body_is_a_conflict(genai_no_retry):
    genai_no_retry.create_dedicated_ai_cluster(cluster_details(display_name="a"), opc_retry_token="token-2")
    with pytest.raises(oci.exceptions.ServiceError) as exc:
        genai_no_retry.create_dedicated_ai_cluster(cluster_details(display_name="b"), opc_retry_token="token-2")
    assert (exc.value.status, exc.value.code) == (409, "InvalidatedRetryToken")
    assert [c.display_name for c in all_clusters(genai_no_retry)] == ["a"]


def test_tokens_belong_to_a_tenancy(emulator_url, genai, other_oci_config):
    other = oci.generative_ai.GenerativeAiClient(other_oci_config, service_endpoint=emulator_url)
    details = cluster_details(display_name="mine")
    mine = genai.create_dedicated_ai_cluster(details, opc_retry_token="shared-token").data
    theirs = other.create_dedicated_ai_cluster(details, opc_retry_token="shared-token").data
    assert mine.id != theirs.id


def test_failed_request_does_not_burn_the_token(emulator_url):
    url = f"{emulator_url}/20231130/dedicatedAiClusters"
    headers = {"content-type": "application/json", "opc-retry-token": "token-3"}
    bad = {"compartmentId": COMPARTMENT, "type": "HOSTING", "unitShape": "NOPE", "unitCount": 1}
    assert requests.post(url, data=json.dumps(bad), headers=headers).status_code == 400
    good = dict(bad, unitShape="SMALL_COHERE_V2")
    assert requests.post(url, data=json.dumps(good), headers=headers).status_code == 200


def test_change_compartment_with_token_is_idempotent(genai):
    cluster = genai.create_dedicated_ai_cluster(cluster_details()).data
    genai.get_dedicated_ai_cluster(cluster.id)
    details = models.ChangeDedicatedAiClusterCompartmentDetails(compartment_id="ocid1.compartment.oc1..aaaaaaaamoved")
    first = genai.change_dedicated_ai_cluster_compartment(cluster.id, details, opc_retry_token="move-1")
    again = genai.change_dedicated_ai_cluster_compartment(cluster.id, details, opc_retry_token="move-1")
    assert first.headers["opc-work-request-id"] == again.headers["opc-work-request-id"]


def test_tokens_expire_after_24_hours_on_the_emulator_clock(emulator_url, genai_no_retry):
    genai_no_retry.create_dedicated_ai_cluster(cluster_details(display_name="day-one"), opc_retry_token="token-day")
    admin(emulator_url, "clock", {"advanceSeconds": 24 * 3600 - 60})
    with pytest.raises(oci.exceptions.ServiceError) as exc:  # still remembered a minute before
        genai_no_retry.create_dedicated_ai_cluster(cluster_details(display_name="other"), opc_retry_token="token-day")
    assert exc.value.code == "InvalidatedRetryToken"
    admin(emulator_url, "clock", {"advanceSeconds": 120})
    later = genai_no_retry.create_dedicated_ai_cluster(cluster_details(display_name="day-two"), opc_retry_token="token-day")
    assert later.data.display_name == "day-two"  # forgotten: a new request, a new cluster
    again = genai_no_retry.create_dedicated_ai_cluster(cluster_details(display_name="day-two"), opc_retry_token="token-day")
    assert again.data.id == later.data.id  # and remembered again from then on
    assert sorted(c.display_name for c in all_clusters(genai_no_retry)) == ["day-one", "day-two"]


def test_a_reset_forgets_retry_tokens(emulator_url, genai_no_retry):
    details = cluster_details(display_name="before-reset")
    first = genai_no_retry.create_dedicated_ai_cluster(details, opc_retry_token="token-reset").data
    admin(emulator_url, "reset", {})
    other = genai_no_retry.create_dedicated_ai_cluster(cluster_details(display_name="x"), opc_retry_token="token-reset").data
    assert other.display_name == "x"  # no 409: the token is gone
    admin(emulator_url, "reset", {})
    replayed = genai_no_retry.create_dedicated_ai_cluster(details, opc_retry_token="token-reset").data
    assert replayed.id != first.id and [c.id for c in all_clusters(genai_no_retry)] == [replayed.id]
