"""Sandbox warm pools through the oci SDK and CLI: children of a sandbox-enabled project, keyed by
name, changed through work requests; and a project that still has them cannot be deleted."""

from __future__ import annotations

import oci
import pytest
from oci.generative_ai import models

from conftest import admin
from helpers import WAIT
from openai_helpers import active_project
from test_cli import WAIT as CLI_WAIT
from test_cli import cli_home, oci_cli  # noqa: F401  (fixtures)

IMAGE = "ord.ocir.io/mytenancy/agents/runtime@sha256:" + "ab" * 32


def sandbox_project(genai) -> models.GenerativeAiProject:
    return active_project(genai, sandbox_config=models.SandboxConfig(is_enabled=True))


def pool_details(name: str = "small-pool", type_: str = "MANAGED", shape: str = "SMALL", capacity: int = 2, **kw):
    return models.CreateSandboxWarmPoolDetails(name=name, type=type_, shape=shape, desired_capacity=capacity, **kw)


def active_pool(genai, project_id: str, name: str = "small-pool", **kw) -> models.SandboxWarmPool:
    genai.create_sandbox_warm_pool(project_id, pool_details(name, **kw))
    return oci.wait_until(genai, genai.get_sandbox_warm_pool(project_id, name), "lifecycle_state", "ACTIVE", **WAIT).data


def test_lifecycle_through_the_composite_waiters(genai, composite):
    project = sandbox_project(genai)
    done = composite.create_sandbox_warm_pool_and_wait_for_state(
        project.id, pool_details(), wait_for_states=["SUCCEEDED"], waiter_kwargs=WAIT
    ).data
    assert (done.operation_type, done.status, done.compartment_id) == ("CREATE_SANDBOX_WARM_POOL", "SUCCEEDED", project.compartment_id)
    (resource,) = done.resources
    assert (resource.entity_type, resource.action_type) == ("SandboxWarmPool", "CREATED")
    assert resource.entity_uri == f"/20231130/generativeAiProjects/{project.id}/sandboxWarmPools/small-pool"
    pool = genai.get_sandbox_warm_pool(project.id, "small-pool")
    assert (pool.data.project_id, pool.data.name, pool.data.type, pool.data.shape) == (project.id, "small-pool", "MANAGED", "SMALL")
    assert pool.data.lifecycle_state == "ACTIVE" and pool.data.desired_capacity == 2 and pool.headers["etag"]
    assert pool.data.runtime_status.observation_status == "OBSERVED" and pool.data.runtime_status.ready_capacity == 2

    updated = composite.update_sandbox_warm_pool_and_wait_for_state(
        project.id, "small-pool", models.UpdateSandboxWarmPoolDetails(desired_capacity=5),
        wait_for_states=["SUCCEEDED"], waiter_kwargs=WAIT,
    ).data
    assert updated.operation_type == "UPDATE_SANDBOX_WARM_POOL" and updated.resources[0].action_type == "UPDATED"
    assert genai.get_sandbox_warm_pool(project.id, "small-pool").data.desired_capacity == 5
    kept = genai.update_sandbox_warm_pool(project.id, "small-pool", models.UpdateSandboxWarmPoolDetails())
    assert kept.data.desired_capacity == 5 and kept.headers["opc-work-request-id"]

    deleted = composite.delete_sandbox_warm_pool_and_wait_for_state(
        project.id, "small-pool", wait_for_states=["SUCCEEDED"], waiter_kwargs=WAIT
    ).data
    assert deleted.operation_type == "DELETE_SANDBOX_WARM_POOL" and deleted.resources[0].action_type == "DELETED"
    with pytest.raises(oci.exceptions.ServiceError) as gone:
        genai.get_sandbox_warm_pool(project.id, "small-pool", retry_strategy=oci.retry.NoneRetryStrategy())
    assert gone.value.status == 404
    assert genai.list_sandbox_warm_pools(project.id).data.items == []
    again = active_pool(genai, project.id)  # the name is free again: a new pool
    assert again.desired_capacity == 2 and again.time_created > pool.data.time_created


def test_list_filters_sort_and_pages(genai):
    project = sandbox_project(genai)
    for name, shape in (("b-pool", "SMALL"), ("a-pool", "LARGE"), ("c-pool", "SMALL")):
        active_pool(genai, project.id, name, shape=shape, capacity=1)
    everything = oci.pagination.list_call_get_all_results(genai.list_sandbox_warm_pools, project.id, limit=1).data
    assert [p.name for p in everything] == ["c-pool", "a-pool", "b-pool"]  # newest first
    by_name = genai.list_sandbox_warm_pools(project.id, sort_by="name").data.items
    assert [p.name for p in by_name] == ["a-pool", "b-pool", "c-pool"]
    small = genai.list_sandbox_warm_pools(project.id, shape="SMALL", sort_by="name", sort_order="DESC").data.items
    assert [p.name for p in small] == ["c-pool", "b-pool"]
    assert [p.name for p in genai.list_sandbox_warm_pools(project.id, name="a-pool").data.items] == ["a-pool"]
    assert genai.list_sandbox_warm_pools(project.id, type="CUSTOM").data.items == []


def test_rules(genai, genai_no_retry):
    project = sandbox_project(genai)
    plain = active_project(genai)

    def refused(call, *args, **kw) -> oci.exceptions.ServiceError:
        with pytest.raises(oci.exceptions.ServiceError) as exc:
            call(*args, **kw)
        return exc.value

    missing = "ocid1.generativeaiproject.oc1.us-chicago-1.amaaaaaamissing"
    assert refused(genai_no_retry.create_sandbox_warm_pool, missing, pool_details()).status == 404
    assert refused(genai_no_retry.list_sandbox_warm_pools, missing).status == 404
    assert refused(genai_no_retry.get_sandbox_warm_pool, project.id, "nothing").status == 404
    not_enabled = refused(genai_no_retry.create_sandbox_warm_pool, plain.id, pool_details())
    assert (not_enabled.status, not_enabled.code) == (409, "IncorrectState")
    for bad in (pool_details("Bad_Name"), pool_details(container_image=IMAGE),
                pool_details(type_="CUSTOM"), pool_details(type_="CUSTOM", container_image="docker.io/python:3.11"),
                pool_details(capacity=-1)):
        error = refused(genai_no_retry.create_sandbox_warm_pool, project.id, bad)
        assert (error.status, error.code) == (400, "InvalidParameter"), bad
    assert refused(genai_no_retry.create_sandbox_warm_pool, project.id, pool_details(capacity=21)).code == "LimitExceeded"
    assert refused(genai_no_retry.create_sandbox_warm_pool, project.id, pool_details("default-small")).status == 409
    assert refused(genai_no_retry.delete_sandbox_warm_pool, project.id, "default-small").status == 409

    custom = active_pool(genai, project.id, "custom", type_="CUSTOM", container_image=IMAGE, capacity=20)
    assert custom.container_image == IMAGE
    assert refused(genai_no_retry.create_sandbox_warm_pool, project.id, pool_details("custom")).status == 409
    assert refused(genai_no_retry.create_sandbox_warm_pool, project.id, pool_details("more", capacity=1)).code == "LimitExceeded"
    stale = refused(genai_no_retry.update_sandbox_warm_pool, project.id, "custom",
                    models.UpdateSandboxWarmPoolDetails(desired_capacity=1), if_match="stale")
    assert stale.status == 412
    # a project that still has warm pools cannot be deleted
    busy = refused(genai_no_retry.delete_generative_ai_project, project.id)
    assert busy.status == 409 and "warm pool" in busy.message


def test_busy_pools_and_repeated_deletes(genai, genai_no_retry, emulator_url):
    project = sandbox_project(genai)
    admin(emulator_url, "config", {"transitions": {"sandboxwarmpool": {"mode": "manual"}}})
    created = genai.create_sandbox_warm_pool(project.id, pool_details())
    assert created.data.lifecycle_state == "CREATING" and created.headers["opc-work-request-id"]
    with pytest.raises(oci.exceptions.ServiceError) as busy:
        genai_no_retry.update_sandbox_warm_pool(project.id, "small-pool", models.UpdateSandboxWarmPoolDetails(desired_capacity=1))
    assert busy.value.status == 409
    assert admin(emulator_url, "transitions/complete", {"kind": "sandboxwarmpool"}) == {"completed": 1}
    first = genai.delete_sandbox_warm_pool(project.id, "small-pool").headers["opc-work-request-id"]
    again = genai.delete_sandbox_warm_pool(project.id, "small-pool").headers["opc-work-request-id"]
    assert first == again
    assert genai.list_sandbox_warm_pools(project.id).data.items[0].lifecycle_state == "DELETING"
    admin(emulator_url, "transitions/complete", {"kind": "sandboxwarmpool"})
    assert genai.list_sandbox_warm_pools(project.id).data.items == []
    assert genai.get_work_request(first).data.status == "SUCCEEDED"
    genai.delete_generative_ai_project(project.id)  # no pools left


def test_another_tenancy_sees_none_of_them_and_state_round_trips(genai, emulator_url, other_oci_config):
    project = sandbox_project(genai)
    active_pool(genai, project.id)
    other = oci.generative_ai.GenerativeAiClient(other_oci_config, service_endpoint=emulator_url,
                                                 retry_strategy=oci.retry.NoneRetryStrategy())
    with pytest.raises(oci.exceptions.ServiceError) as exc:
        other.get_sandbox_warm_pool(project.id, "small-pool")
    assert exc.value.status == 404
    with pytest.raises(oci.exceptions.ServiceError) as exc:
        other.list_sandbox_warm_pools(project.id)
    assert exc.value.status == 404
    snapshot = admin(emulator_url, "state")
    admin(emulator_url, "reset", {})
    admin(emulator_url, "state", snapshot)
    assert genai.get_sandbox_warm_pool(project.id, "small-pool").data.lifecycle_state == "ACTIVE"


def test_warm_pools_in_the_cli(oci_cli, genai):
    project = sandbox_project(genai)
    created = oci_cli(
        "generative-ai", "sandbox-warm-pool", "create", "--project-id", project.id, "--name", "cli-pool",
        "--type", "MANAGED", "--shape", "MEDIUM", "--desired-capacity", "1", *CLI_WAIT,
    ).json["data"]
    assert created["status"] == "SUCCEEDED" and created["operation-type"] == "CREATE_SANDBOX_WARM_POOL"
    listed = oci_cli("generative-ai", "sandbox-warm-pool-collection", "list-sandbox-warm-pools", "--project-id", project.id).json
    assert [p["name"] for p in listed["data"]["items"]] == ["cli-pool"]
    oci_cli("generative-ai", "sandbox-warm-pool", "delete", "--project-id", project.id, "--name", "cli-pool", "--force", *CLI_WAIT)
