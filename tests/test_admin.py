"""The admin API: health, reset, the clock, transition policies, failures and the request journal."""

from __future__ import annotations

import oci
import pytest
import requests

from conftest import COMPARTMENT, admin
from helpers import WAIT, cluster_details


def test_health_and_reset(emulator_url, genai):
    health = requests.get(f"{emulator_url}/_emulator/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    genai.create_dedicated_ai_cluster(cluster_details())
    assert len(genai.list_dedicated_ai_clusters(COMPARTMENT).data.items) == 1
    admin(emulator_url, "reset", {})
    assert genai.list_dedicated_ai_clusters(COMPARTMENT).data.items == []
    assert genai.list_models(COMPARTMENT).data.items  # the catalog stays


def test_delay_policy_and_clock(emulator_url, genai):
    admin(emulator_url, "config", {"transitions": {"dedicatedaicluster": {"mode": "delay", "seconds": 600}}})
    created = genai.create_dedicated_ai_cluster(cluster_details())
    wr_id = created.headers["opc-work-request-id"]
    assert genai.get_dedicated_ai_cluster(created.data.id).data.lifecycle_state == "CREATING"
    admin(emulator_url, "clock", {"advanceSeconds": 300})
    wr = genai.get_work_request(wr_id).data
    assert wr.status == "IN_PROGRESS" and 40 <= wr.percent_complete <= 60 and wr.time_finished is None
    admin(emulator_url, "clock", {"advanceSeconds": 301})
    assert genai.get_dedicated_ai_cluster(created.data.id).data.lifecycle_state == "ACTIVE"
    wr = genai.get_work_request(wr_id).data
    assert wr.status == "SUCCEEDED" and wr.time_finished is not None


def test_manual_policy_lets_a_test_hold_and_release_a_transition(emulator_url, genai):
    admin(emulator_url, "config", {"transitions": {"endpoint": {"mode": "manual"}, "dedicatedaicluster": {"mode": "manual"}}})
    cluster = genai.create_dedicated_ai_cluster(cluster_details()).data
    admin(emulator_url, "clock", {"advanceSeconds": 86400})
    assert genai.get_dedicated_ai_cluster(cluster.id).data.lifecycle_state == "CREATING"
    assert admin(emulator_url, "transitions/complete", {"kind": "dedicatedaicluster"}) == {"completed": 1}
    assert genai.get_dedicated_ai_cluster(cluster.id).data.lifecycle_state == "ACTIVE"


def test_failed_outcome_surfaces_in_work_request_errors(emulator_url, genai, composite):
    admin(emulator_url, "config", {"transitions": {"dedicatedaicluster": {"outcome": "FAILED"}}})
    created = genai.create_dedicated_ai_cluster(cluster_details())
    wr = oci.wait_until(
        genai, genai.get_work_request(created.headers["opc-work-request-id"]), "status", "FAILED", **WAIT
    ).data
    assert wr.time_finished is not None and wr.resources[0].action_type == "FAILED"
    errors = genai.list_work_request_errors(wr.id).data.items
    assert errors and errors[0].message and errors[0].code
    assert genai.get_dedicated_ai_cluster(created.data.id).data.lifecycle_state == "FAILED"
    # the SDK's composite waiter never sees SUCCEEDED and gives up
    with pytest.raises(oci.exceptions.CompositeOperationError):
        composite.create_dedicated_ai_cluster_and_wait_for_state(
            cluster_details(), wait_for_states=["SUCCEEDED"], waiter_kwargs={**WAIT, "max_wait_seconds": 1}
        )


def test_journal_records_operations(emulator_url, genai):
    requests.delete(f"{emulator_url}/_emulator/requests")
    created = genai.create_dedicated_ai_cluster(cluster_details(), opc_request_id="trace-me")
    genai.get_dedicated_ai_cluster(created.data.id)
    entries = admin(emulator_url, "requests")["items"]
    assert [(e["operation"], e["status"]) for e in entries] == [
        ("create_dedicated_ai_cluster", 200), ("get_dedicated_ai_cluster", 200)
    ]
    assert entries[0]["requestId"] == "trace-me"
    only = admin(emulator_url, "requests?operation=get_dedicated_ai_cluster")["items"]
    assert len(only) == 1


@pytest.mark.parametrize("body", [
    {"transitions": {"planet": {"mode": "manual"}}},
    {"transitions": {"endpoint": {"mode": "sometimes"}}},
    {"transitions": {"endpoint": {"seconds": -1}}},
    {"transitions": {"endpoint": {"outcome": "MAYBE"}}},
])
def test_bad_admin_input_is_an_oci_error(emulator_url, body):
    resp = requests.post(f"{emulator_url}/_emulator/config", json=body)
    assert resp.status_code == 400 and resp.json()["code"] == "InvalidParameter"
    assert requests.post(f"{emulator_url}/_emulator/clock", data="{oops").json()["code"] == "CannotParseRequest"
