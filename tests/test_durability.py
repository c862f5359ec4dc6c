"""State on disk: restarts, kill -9, and several granian workers on one data dir, all through the real SDK."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import oci
from oci.generative_ai import models

from conftest import COMPARTMENT
from helpers import WAIT, active_cluster, active_endpoint, base_model, cluster_details
from processes import child_env, run_cli, spawn  # noqa: F401  (spawn is a fixture)


def client(config: dict, url: str, retry: bool = True) -> oci.generative_ai.GenerativeAiClient:
    kwargs = {} if retry else {"retry_strategy": oci.retry.NoneRetryStrategy()}
    return oci.generative_ai.GenerativeAiClient(config, service_endpoint=url, **kwargs)


def work_requests(genai, resource_id: str | None = None) -> dict[str, object]:
    items = oci.pagination.list_call_get_all_results(
        genai.list_work_requests, COMPARTMENT, **({"resource_id": resource_id} if resource_id else {})
    ).data
    return {w.id: w for w in items}


def test_restart_on_the_same_data_dir_keeps_resources_etags_and_work_requests(spawn, tmp_path, oci_config):
    server = spawn("--data-dir", str(tmp_path / "data"))
    genai = client(oci_config, server.url)
    cluster = active_cluster(genai, display_name="kept")
    model = base_model(genai, "cohere.command-r-08-2024")
    endpoint = active_endpoint(genai, cluster.id, model.id, display_name="kept-ep")
    before = {
        "cluster": genai.get_dedicated_ai_cluster(cluster.id),
        "endpoint": genai.get_endpoint(endpoint.id),
    }
    wrs_before = work_requests(genai)
    assert {w.operation_type for w in wrs_before.values()} == {"CREATE_DEDICATED_AI_CLUSTER", "CREATE_ENDPOINT"}

    server.stop()  # SIGTERM
    assert server.proc is None
    server.start()  # same port, same data dir

    after_cluster = genai.get_dedicated_ai_cluster(cluster.id)
    after_endpoint = genai.get_endpoint(endpoint.id)
    assert after_cluster.headers["etag"] == before["cluster"].headers["etag"]
    assert after_endpoint.headers["etag"] == before["endpoint"].headers["etag"]
    assert after_cluster.data == before["cluster"].data
    assert after_endpoint.data == before["endpoint"].data
    assert after_cluster.data.capacity.used_endpoint_capacity == 1

    listed = genai.list_dedicated_ai_clusters(compartment_id=COMPARTMENT).data.items
    assert [(c.id, c.display_name, c.lifecycle_state) for c in listed] == [(cluster.id, "kept", "ACTIVE")]
    listed = genai.list_endpoints(compartment_id=COMPARTMENT).data.items
    assert [(e.id, e.display_name, e.lifecycle_state) for e in listed] == [(endpoint.id, "kept-ep", "ACTIVE")]

    wrs_after = work_requests(genai)
    assert wrs_after.keys() == wrs_before.keys()
    for wr_id, wr in wrs_before.items():
        full = genai.get_work_request(wr_id).data
        assert (full.status, full.time_finished, full.resources) == ("SUCCEEDED", wr.time_finished, wr.resources)
        assert any("succeeded" in log.message for log in genai.list_work_request_logs(wr_id).data.items)

    # and the restarted server keeps working on that state
    genai.update_endpoint(endpoint.id, models.UpdateEndpointDetails(description="after restart"))
    assert oci.wait_until(genai, genai.get_endpoint(endpoint.id), "lifecycle_state", "ACTIVE", **WAIT).data.description == (
        "after restart"
    )


def test_unfinished_work_request_survives_kill_9(spawn, tmp_path, oci_config):
    server = spawn("--data-dir", str(tmp_path / "data"))
    server.admin("config", {"transitions": {"dedicatedaicluster": {"mode": "manual"}}})
    genai = client(oci_config, server.url)
    created = genai.create_dedicated_ai_cluster(cluster_details(display_name="pending"))
    wr_id = created.headers["opc-work-request-id"]
    assert genai.get_dedicated_ai_cluster(created.data.id).data.lifecycle_state == "CREATING"
    assert genai.get_work_request(wr_id).data.time_finished is None

    server.kill()
    server.start()

    # the policy is part of the state too: still manual, nothing finished by itself
    assert server.admin("config")["transitions"]["dedicatedaicluster"]["mode"] == "manual"
    assert genai.get_dedicated_ai_cluster(created.data.id).data.lifecycle_state == "CREATING"
    wr = genai.get_work_request(wr_id).data
    assert wr.status in ("ACCEPTED", "IN_PROGRESS") and wr.time_finished is None
    assert wr.resources[0].identifier == created.data.id

    assert server.admin("transitions/complete", {"kind": "dedicatedaicluster"}) == {"completed": 1}
    assert genai.get_dedicated_ai_cluster(created.data.id).data.lifecycle_state == "ACTIVE"
    wr = genai.get_work_request(wr_id).data
    assert (wr.status, wr.percent_complete) == ("SUCCEEDED", 100)
    assert wr.time_finished is not None and wr.resources[0].action_type == "CREATED"


def test_acknowledged_writes_survive_kill_9(spawn, tmp_path, oci_config):
    server = spawn("--data-dir", str(tmp_path / "data"))
    genai = client(oci_config, server.url)
    cluster = active_cluster(genai, display_name="before")
    etag = genai.get_dedicated_ai_cluster(cluster.id).headers["etag"]
    updated = genai.update_dedicated_ai_cluster(
        cluster.id, models.UpdateDedicatedAiClusterDetails(display_name="after"), if_match=etag
    )
    created = genai.create_dedicated_ai_cluster(cluster_details(display_name="last"))
    server.kill()  # SIGKILL right after the create answered

    server.start()
    got = genai.get_dedicated_ai_cluster(created.data.id).data
    assert (got.display_name, got.lifecycle_state) == ("last", "ACTIVE")
    got = genai.get_dedicated_ai_cluster(cluster.id).data
    assert (got.display_name, got.lifecycle_state) == ("after", "ACTIVE")
    for wr_id in (updated.headers["opc-work-request-id"], created.headers["opc-work-request-id"]):
        assert genai.get_work_request(wr_id).data.status == "SUCCEEDED"
    listed = genai.list_dedicated_ai_clusters(compartment_id=COMPARTMENT, sort_by="displayName").data.items
    assert [c.display_name for c in listed] == ["after", "last"]


def test_two_workers_on_one_data_dir_share_one_consistent_state(spawn, tmp_path, oci_config):
    server = spawn("--workers", "2", "--data-dir", str(tmp_path / "data"))
    assert server.admin("health")["durable"] is True
    local = threading.local()

    def genai():  # one SDK client per thread, as the SDK asks
        if not hasattr(local, "client"):
            local.client = client(oci_config, server.url, retry=False)
        return local.client

    n = 24
    with ThreadPoolExecutor(8) as pool:
        created = list(
            pool.map(lambda i: genai().create_dedicated_ai_cluster(cluster_details(display_name=f"c{i:02d}")), range(n))
        )
    ids = {r.data.id for r in created}
    assert len(ids) == n
    # every read, on any worker, sees all of them exactly once, also across pages
    main = client(oci_config, server.url)
    for _ in range(4):
        listed = oci.pagination.list_call_get_all_results(
            main.list_dedicated_ai_clusters, compartment_id=COMPARTMENT, limit=7
        ).data
        assert len(listed) == n and {c.id for c in listed} == ids
    with ThreadPoolExecutor(8) as pool:
        states = list(pool.map(lambda i: genai().get_dedicated_ai_cluster(i).data.lifecycle_state, sorted(ids)))
    assert states == ["ACTIVE"] * n
    creates = [w for w in work_requests(main).values() if w.operation_type == "CREATE_DEDICATED_AI_CLUSTER"]
    assert len(creates) == n and {w.resources[0].identifier for w in creates} == ids

    # concurrent conditional updates: exactly one wins per etag, the others are 412, nothing is lost
    target = sorted(ids)[0]
    contenders, rounds = 6, 3
    winners = []
    for r in range(rounds):
        etag = main.get_dedicated_ai_cluster(target).headers["etag"]
        barrier = threading.Barrier(contenders)

        def attempt(i: int, etag=etag, r=r):
            details = models.UpdateDedicatedAiClusterDetails(description=f"round {r} by {i}")
            c = genai()
            barrier.wait()
            try:
                return c.update_dedicated_ai_cluster(target, details, if_match=etag)
            except oci.exceptions.ServiceError as exc:
                return exc

        with ThreadPoolExecutor(contenders) as pool:
            outcomes = list(pool.map(attempt, range(contenders)))
        won = [o for o in outcomes if not isinstance(o, oci.exceptions.ServiceError)]
        lost = [o for o in outcomes if isinstance(o, oci.exceptions.ServiceError)]
        assert len(won) == 1, outcomes
        assert [(e.status, e.code) for e in lost] == [(412, "NoEtagMatch")] * (contenders - 1)
        assert won[0].headers["etag"] != etag
        winners.append(won[0].data.description)
        final = oci.wait_until(main, main.get_dedicated_ai_cluster(target), "lifecycle_state", "ACTIVE", **WAIT).data
        assert final.description == winners[-1]
    updates = [w for w in work_requests(main, target).values() if w.operation_type == "UPDATE_DEDICATED_AI_CLUSTER"]
    assert len(updates) == rounds and all(w.status == "SUCCEEDED" for w in updates)


def test_workers_without_data_dir_is_refused(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    result = run_cli(["serve", "--workers", "2", "--port", "0"], child_env(home), timeout=20)
    assert result.returncode == 2
    assert "--workers 2 needs --data-dir" in result.stderr and len(result.stderr.splitlines()) == 1
    assert "listening" not in result.stdout
