"""Throttling and chaos on demand: rate limits (429 per tenancy and operation), probabilistic faults
that a seed makes reproducible, latency for management operations, work requests that end FAILED
at a chosen step; through the admin API, ``serve`` flags and the pytest plugin. The oci SDK's own
retries ride through throttling, and its composite waiters report the FAILED work request."""

from __future__ import annotations

import json
import threading
import time

import oci
import pytest
import requests

from conftest import COMPARTMENT, admin
from emulator.surfaces import ADMIN, INFERENCE, MANAGEMENT, OPENAI
from helpers import WAIT, cluster_details
from processes import child_env, spawn  # noqa: F401  (spawn is a fixture)

pytest_plugins = ["pytester"]


def rate_limits(url: str, *rules: dict) -> list[dict]:
    return admin(url, "rate-limits", {"rules": list(rules)})["rules"]


def journal(url: str, operation: str) -> list[int]:
    return [e["status"] for e in admin(url, f"requests?operation={operation}")["items"]]


def status_of(fn) -> int | str:
    try:
        fn()
        return 200
    except oci.exceptions.ServiceError as exc:
        return exc.status


# -- rate limits ---------------------------------------------------------------------------------
def test_the_sdk_default_retry_strategy_rides_through_throttling(emulator_url, genai):
    rate_limits(emulator_url, {"operation": "list_dedicated_ai_clusters", "rate": 4, "burst": 1})
    for _ in range(3):
        assert genai.list_dedicated_ai_clusters(COMPARTMENT).data.items == []
    statuses = journal(emulator_url, "list_dedicated_ai_clusters")
    assert 429 in statuses and statuses.count(200) == 3


def test_throttled_creates_retried_by_the_sdk_create_nothing_twice(emulator_url, genai):
    rate_limits(emulator_url, {"operation": "create_dedicated_ai_cluster", "rate": 4, "burst": 1})
    ids = {genai.create_dedicated_ai_cluster(cluster_details(display_name=f"c{i}")).data.id for i in range(3)}
    assert len(ids) == 3
    assert len(genai.list_dedicated_ai_clusters(COMPARTMENT).data.items) == 3
    assert 429 in journal(emulator_url, "create_dedicated_ai_cluster")


def test_limits_are_per_tenancy_and_per_operation_and_the_clock_refills_them(
    emulator_url, genai_no_retry, oci_config, other_oci_config
):
    rate_limits(emulator_url, {"operation": "list_dedicated_ai_clusters", "rate": 0.01, "burst": 2})
    listing = lambda client: status_of(lambda: client.list_dedicated_ai_clusters(COMPARTMENT))  # noqa: E731
    assert [listing(genai_no_retry) for _ in range(3)] == [200, 200, 429]
    with pytest.raises(oci.exceptions.ServiceError) as exc:
        genai_no_retry.list_dedicated_ai_clusters(COMPARTMENT)
    assert exc.value.code == "TooManyRequests" and exc.value.request_id
    assert "retry-after" not in exc.value.headers  # OCI answers say nothing; the SDK backs off on its own
    other = oci.generative_ai.GenerativeAiClient(
        other_oci_config, service_endpoint=emulator_url, retry_strategy=oci.retry.NoneRetryStrategy()
    )
    assert listing(other) == 200  # its own bucket
    assert status_of(lambda: genai_no_retry.list_models(COMPARTMENT)) == 200  # another operation
    admin(emulator_url, "clock", {"advanceSeconds": 100})  # one token a hundred seconds
    assert listing(genai_no_retry) == 200


def test_a_limit_on_one_tenancy_and_on_all_calls(emulator_url, genai_no_retry, oci_config, other_oci_config):
    rate_limits(emulator_url, {"tenancy": other_oci_config["tenancy"], "rate": 0.01, "burst": 1})
    other = oci.generative_ai.GenerativeAiClient(
        other_oci_config, service_endpoint=emulator_url, retry_strategy=oci.retry.NoneRetryStrategy()
    )
    assert status_of(lambda: other.list_models(COMPARTMENT)) == 200
    assert status_of(lambda: other.list_dedicated_ai_clusters(COMPARTMENT)) == 429  # every call counts
    assert [status_of(lambda: genai_no_retry.list_models(COMPARTMENT)) for _ in range(3)] == [200] * 3


def test_rate_limits_through_the_admin_api(emulator_url):
    rules = rate_limits(emulator_url, {"rate": 5})
    assert rules == [{"operation": None, "tenancy": None, "rate": 5, "burst": 5.0}]
    assert admin(emulator_url, "rate-limits")["rules"] == rules
    requests.delete(f"{emulator_url}/_emulator/rate-limits")
    assert admin(emulator_url, "rate-limits")["rules"] == []
    rate_limits(emulator_url, {"rate": 5})
    admin(emulator_url, "reset", {})
    assert admin(emulator_url, "rate-limits")["rules"] == []  # back to what the emulator started with


@pytest.mark.parametrize(
    "rule, words",
    [
        ({"rate": 0}, "rate"),
        ({"rate": -1}, "rate"),
        ({"rate": 1e300}, "rate"),
        ({"rate": "fast"}, "rate"),
        ({"rate": 1, "burst": 0.5}, "burst"),
        ({"rate": 1, "operation": "no_such_operation"}, "operation"),
        ({"rate": 1, "tenancy": 5}, "tenancy"),
        ({"rate": 1, "per": "day"}, "per"),
        ({"burst": 1}, "rate"),
    ],
)
def test_bad_rate_limits_are_400_and_change_nothing(emulator_url, rule, words):
    rate_limits(emulator_url, {"rate": 100})
    resp = requests.post(f"{emulator_url}/_emulator/rate-limits", json={"rules": [{"rate": 1}, rule]})
    assert resp.status_code == 400 and words in resp.json()["message"], resp.text
    assert admin(emulator_url, "rate-limits")["rules"][0]["rate"] == 100


def test_only_the_openai_surface_says_when_to_retry():
    assert OPENAI.retry_after(1.2) == {"retry-after-ms": "1200", "retry-after": "2"}
    assert OPENAI.retry_after(0.0001) == {"retry-after-ms": "1", "retry-after": "1"}
    assert MANAGEMENT.retry_after is INFERENCE.retry_after is ADMIN.retry_after is None


# -- probabilistic faults ------------------------------------------------------------------------
def pattern(url: str, client, fault: dict, calls: int = 40) -> list[int]:
    admin(url, "reset", {})
    admin(url, "faults", fault)
    return [status_of(lambda: client.list_models(COMPARTMENT, limit=1)) for _ in range(calls)]


def test_probabilistic_faults_are_reproducible_with_their_seed(emulator_url, genai_no_retry):
    fault = {"operation": "list_models", "status": 503, "probability": 0.3, "seed": 42, "times": None}
    first = pattern(emulator_url, genai_no_retry, fault)
    assert first == pattern(emulator_url, genai_no_retry, fault)  # the same run meets the same faults
    assert 5 <= first.count(503) <= 20 and first.count(200) + first.count(503) == 40
    assert first != pattern(emulator_url, genai_no_retry, {**fault, "seed": 7})


def test_a_fault_with_a_count_and_a_probability_fires_that_many_times(emulator_url, genai_no_retry):
    outcomes = pattern(emulator_url, genai_no_retry, {"operation": "list_models", "status": 500, "probability": 0.5, "times": 3})
    assert outcomes.count(500) == 3
    assert admin(emulator_url, "faults")["items"] == []


def test_the_sdk_rides_through_random_503s(emulator_url, genai):
    admin(emulator_url, "faults", {"status": 503, "probability": 0.5, "seed": 1, "times": None})
    for i in range(4):
        genai.create_dedicated_ai_cluster(cluster_details(display_name=f"r{i}"))
    admin(emulator_url, "faults", method="DELETE")
    assert len(genai.list_dedicated_ai_clusters(COMPARTMENT).data.items) == 4


@pytest.mark.parametrize(
    "fault, words",
    [
        ({"status": 503, "probability": 0}, "probability"),
        ({"status": 503, "probability": 1.5}, "probability"),
        ({"status": 503, "seed": "x"}, "seed"),
        ({"status": 503, "times": 0}, "times"),
        ({"status": 99}, "status"),
        ({"latencyMs": -1}, "latencyMs"),
        ({"latencyMs": 10**9}, "latencyMs"),
        ({}, "needs"),
        ({"status": 503, "operation": "nope"}, "operation"),
        ({"status": 503, "colour": "red"}, "colour"),
        ({"workRequest": {"atPercent": 101}}, "atPercent"),
        ({"workRequest": {"when": "soon"}}, "workRequest"),
        ({"status": 503, "workRequest": {}}, "not both"),
        ({"status": 503, "message": "m" * 5000}, "message"),
    ],
)
def test_bad_faults_are_400_and_store_nothing(emulator_url, fault, words):
    resp = requests.post(f"{emulator_url}/_emulator/faults", json=fault)
    assert resp.status_code == 400 and words in resp.json()["message"], resp.text
    assert admin(emulator_url, "faults")["items"] == []


# -- latency -------------------------------------------------------------------------------------
def test_latency_for_a_management_operation_holds_up_no_one_else(emulator_url, genai):
    cluster = genai.create_dedicated_ai_cluster(cluster_details()).data
    admin(emulator_url, "faults", {"operation": "get_dedicated_ai_cluster", "latencyMs": 600})
    took = {}

    def slow():
        started = time.perf_counter()
        genai.get_dedicated_ai_cluster(cluster.id)
        took["slow"] = time.perf_counter() - started

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.1)
    started = time.perf_counter()
    genai.list_models(COMPARTMENT, limit=1)
    took["other"] = time.perf_counter() - started
    thread.join()
    assert took["slow"] >= 0.6 and took["other"] < 0.4


# -- work requests that fail at a chosen step ----------------------------------------------------
def test_a_work_request_fault_fails_it_at_the_chosen_percentage(emulator_url, genai):
    admin(emulator_url, "config", {"transitions": {"dedicatedaicluster": {"mode": "delay", "seconds": 100}}})
    admin(emulator_url, "faults", {
        "operation": "create_dedicated_ai_cluster",
        "workRequest": {"atPercent": 40, "code": "OutOfCapacity", "message": "No capacity for SMALL_COHERE_V2."},
    })
    created = genai.create_dedicated_ai_cluster(cluster_details())
    wr_id = created.headers["opc-work-request-id"]
    admin(emulator_url, "clock", {"advanceSeconds": 20})
    running = genai.get_work_request(wr_id).data
    assert running.status == "IN_PROGRESS" and 10 <= running.percent_complete < 40
    admin(emulator_url, "clock", {"advanceSeconds": 21})  # 41 s of 100: past 40 %
    failed = genai.get_work_request(wr_id).data
    assert failed.status == "FAILED" and failed.percent_complete == 40 and failed.time_finished
    assert failed.resources[0].action_type == "FAILED"
    errors = genai.list_work_request_errors(wr_id).data.items
    assert [(e.code, e.message) for e in errors] == [("OutOfCapacity", "No capacity for SMALL_COHERE_V2.")]
    cluster = genai.get_dedicated_ai_cluster(created.data.id).data
    assert cluster.lifecycle_state == "FAILED" and cluster.lifecycle_details == "No capacity for SMALL_COHERE_V2."
    assert genai.create_dedicated_ai_cluster(cluster_details()).data  # the fault was used up


def test_a_composite_wait_reports_the_failed_work_request(emulator_url, composite, genai):
    admin(emulator_url, "faults", {"operation": "create_dedicated_ai_cluster", "workRequest": {"code": "Boom", "message": "It broke."}})
    work_request = composite.create_dedicated_ai_cluster_and_wait_for_state(
        cluster_details(), wait_for_states=["SUCCEEDED", "FAILED"], waiter_kwargs=WAIT
    ).data
    assert work_request.status == "FAILED" and work_request.percent_complete == 100
    assert [e.code for e in genai.list_work_request_errors(work_request.id).data.items] == ["Boom"]


def test_a_work_request_fault_on_a_delete(emulator_url, genai, composite):
    cluster = genai.create_dedicated_ai_cluster(cluster_details()).data
    admin(emulator_url, "faults", {"operation": "delete_dedicated_ai_cluster", "workRequest": {"atPercent": 0}})
    work_request = composite.delete_dedicated_ai_cluster_and_wait_for_state(
        cluster.id, wait_for_states=["SUCCEEDED", "FAILED"], waiter_kwargs=WAIT
    ).data
    assert work_request.status == "FAILED" and work_request.percent_complete == 0
    assert genai.get_dedicated_ai_cluster(cluster.id).data.lifecycle_state == "FAILED"


# -- serve flags and the pytest plugin -----------------------------------------------------------
def test_serve_flags_and_a_faults_file(spawn, tmp_path, oci_config):
    faults = tmp_path / "faults.yaml"
    faults.write_text("- {operation: get_health, status: 500}\n- {operation: list_models, status: 503, times: 1}\n")
    server = spawn("--rate-limit", "list_dedicated_ai_clusters=0.001/1", "--faults", str(faults))
    params = {"compartmentId": COMPARTMENT}
    assert requests.get(f"{server.url}/20231130/models", params=params).status_code == 503
    assert requests.get(f"{server.url}/20231130/models", params=params).status_code == 200
    listing = f"{server.url}/20231130/dedicatedAiClusters"
    assert [requests.get(listing, params=params).status_code for _ in range(2)] == [200, 429]
    server.admin("reset", {})  # back to how it started
    assert requests.get(f"{server.url}/20231130/models", params=params).status_code == 503
    assert requests.get(listing, params=params).status_code == 200
    assert [r["operation"] for r in server.admin("faults")["items"]] == ["get_health"]  # the admin API takes none


def test_the_environment_sets_them_too(spawn, tmp_path):
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    server = spawn(env=child_env(home, OCI_EMULATOR_RATE_LIMITS="list_models=0.001/1"))
    url = f"{server.url}/20231130/models"
    assert [requests.get(url, params={"compartmentId": COMPARTMENT}).status_code for _ in range(2)] == [200, 429]


CHAOS_TESTS = '''
import oci
import pytest


@pytest.mark.oci_genai_rate_limit(rate=0.001, burst=1, operation="list_models")
def test_throttled(generative_ai_client, oci_genai_config):
    client = oci.generative_ai.GenerativeAiClient(oci_genai_config, service_endpoint=generative_ai_client.base_client.endpoint.rsplit("/20231130", 1)[0], retry_strategy=oci.retry.NoneRetryStrategy())
    client.list_models(oci_genai_config["tenancy"])
    with pytest.raises(oci.exceptions.ServiceError) as exc:
        client.list_models(oci_genai_config["tenancy"])
    assert exc.value.status == 429


@pytest.mark.oci_genai_fault("create_dedicated_ai_cluster", fail_work_request={"atPercent": 50, "code": "Nope"})
def test_failing_work_request(genai, oci_genai_emulator):
    from ocigenai import WorkRequestFailed

    with pytest.raises(WorkRequestFailed):
        genai.create_cluster("SMALL_COHERE_V2")
    assert oci_genai_emulator.faults() == []


def test_clean_afterwards(oci_genai_emulator):
    assert oci_genai_emulator.faults() == [] and oci_genai_emulator.rate_limits() == []
'''


def test_the_pytest_plugin_markers(pytester: pytest.Pytester):
    pytester.makepyfile(test_chaos_markers=CHAOS_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=3)


def test_faults_survive_a_json_round_trip(emulator_url):
    added = admin(emulator_url, "faults", {"operation": None, "latencyMs": 1, "times": None, "probability": 0.25, "seed": 3})
    assert admin(emulator_url, "faults")["items"] == [added]
    assert json.loads(json.dumps(added)) == added
