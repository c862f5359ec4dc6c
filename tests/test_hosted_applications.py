"""Hosted applications, their IAM variant and their storages through the oci SDK and CLI: work
requests, configuration rules, the storages and private endpoint an application uses, and the 409s
that protect them."""

from __future__ import annotations

import json

import oci
import pytest
from oci.generative_ai import models

from conftest import COMPARTMENT, OTHER_COMPARTMENT, admin
from helpers import WAIT
from hosted_helpers import active_app, active_iam_app, active_storage, app_details
from test_private_endpoints import active_private_endpoint
from tests.test_cli import cli_home, oci_cli  # noqa: F401

WAITED = {"wait_for_states": ["SUCCEEDED"], "waiter_kwargs": WAIT}
IDCS = models.InboundAuthConfig(
    inbound_auth_config_type="IDCS_AUTH_CONFIG",
    idcs_config=models.IdcsAuthConfig(domain_url="https://idcs-1.identity.oraclecloud.com", scope="agents"),
)


def networking(mode: str = "PUBLIC", pe_id: str | None = None) -> models.NetworkingConfig:
    return models.NetworkingConfig(
        inbound_networking_config=models.InboundNetworkingConfig(endpoint_mode=mode, private_endpoint_id=pe_id),
        outbound_networking_config=models.OutboundNetworkingConfig(network_mode="MANAGED"),
    )


def test_an_application_lives_through_work_requests(genai, composite):
    done = composite.create_hosted_application_and_wait_for_state(
        app_details("weather", inbound_auth_config=IDCS, public_access_path_patterns=["/health", "/assets/*"],
                    environment_variables=[models.EnvironmentVariable(name="MODE", type="PLAINTEXT", value="demo")]),
        **WAITED,
    ).data
    assert (done.operation_type, done.status) == ("CREATE_APPLICATION_DEPLOYMENT", "SUCCEEDED")
    (resource,) = done.resources
    assert (resource.entity_type, resource.action_type) == ("HostedApplication", "CREATED")
    app = genai.get_hosted_application(resource.identifier)
    assert app.data.id.startswith("ocid1.generativeaihostedapplication.oc1.") and app.headers["etag"]
    assert resource.entity_uri == f"/20231130/hostedApplications/{app.data.id}"
    assert app.data.lifecycle_state == "ACTIVE" and app.data.application_endpoint.endswith(".oci.oraclecloud.com")
    assert app.data.inbound_auth_config.idcs_config.scope == "agents"
    scaling = app.data.scaling_config  # the service's defaults
    assert (scaling.scaling_type, scaling.min_replica, scaling.max_replica, scaling.target_cpu_threshold) == ("CPU", 1, 3, 70)

    updated = genai.update_hosted_application(app.data.id, models.UpdateHostedApplicationDetails(
        display_name="weather-2", scaling_config=models.ScalingConfig(scaling_type="CONCURRENCY", max_replica=5)))
    assert updated.data is None and updated.headers["opc-work-request-id"]  # the SDK declares no body
    assert genai.get_hosted_application(app.data.id).data.lifecycle_state == "ACTIVE"
    work_request = genai.get_work_request(updated.headers["opc-work-request-id"]).data
    assert (work_request.operation_type, work_request.status) == ("UPDATE_APPLICATION_DEPLOYMENT", "SUCCEEDED")
    after = genai.get_hosted_application(app.data.id).data
    assert after.display_name == "weather-2" and after.scaling_config.target_concurrency_threshold == 10
    assert after.inbound_auth_config.inbound_auth_config_type == "IDCS_AUTH_CONFIG"  # omitted: kept

    moved = genai.change_hosted_application_compartment(
        app.data.id, models.ChangeHostedApplicationCompartmentDetails(compartment_id=OTHER_COMPARTMENT))
    assert "opc-work-request-id" not in moved.headers  # a synchronous move
    assert [a.id for a in genai.list_hosted_applications(OTHER_COMPARTMENT).data.items] == [app.data.id]

    deleted = composite.delete_hosted_application_and_wait_for_state(app.data.id, **WAITED).data
    assert deleted.operation_type == "DELETE_APPLICATION_DEPLOYMENT" and deleted.resources[0].action_type == "DELETED"
    assert genai.get_hosted_application(app.data.id).data.lifecycle_state == "DELETED"


def test_the_iam_variant_has_its_own_ids_lists_and_no_inbound_auth(genai, composite, genai_no_retry):
    done = composite.create_hosted_application_iam_and_wait_for_state(
        models.CreateHostedApplicationIamDetails(compartment_id=COMPARTMENT, display_name="iam"), **WAITED).data
    assert (done.operation_type, done.resources[0].entity_type) == ("CREATE_APPLICATION_DEPLOYMENT", "HostedApplicationIam")
    app = genai.get_hosted_application_iam(done.resources[0].identifier).data
    assert app.id.startswith("ocid1.generativeaihostedapplicationiam.") and app.lifecycle_state == "ACTIVE"
    active_app(genai, "plain")
    assert [a.id for a in genai.list_hosted_applications_iam(COMPARTMENT).data.items] == [app.id]
    assert [a.display_name for a in genai.list_hosted_applications(COMPARTMENT).data.items] == ["plain"]
    with pytest.raises(oci.exceptions.ServiceError) as wrong_kind:
        genai_no_retry.get_hosted_application(app.id)
    assert wrong_kind.value.status == 404
    composite.update_hosted_application_iam_and_wait_for_state(
        app.id, models.UpdateHostedApplicationIamDetails(description="d"), **WAITED)
    genai.change_hosted_application_iam_compartment(
        app.id, models.ChangeHostedApplicationCompartmentDetails(compartment_id=OTHER_COMPARTMENT))
    assert genai.get_hosted_application_iam(app.id).data.compartment_id == OTHER_COMPARTMENT
    composite.delete_hosted_application_iam_and_wait_for_state(app.id, **WAITED)
    assert genai.get_hosted_application_iam(app.id).data.lifecycle_state == "DELETED"


@pytest.mark.parametrize("details, status, words", [
    (app_details(inbound_auth_config=models.InboundAuthConfig(inbound_auth_config_type="IDCS_AUTH_CONFIG")), 400, "idcsConfig"),
    (app_details(inbound_auth_config=models.InboundAuthConfig(
        inbound_auth_config_type="NO_AUTH_CONFIG", idcs_config=IDCS.idcs_config)), 400, "omitted"),
    (app_details(public_access_path_patterns=["health"]), 400, "starts with '/'"),
    (app_details(scaling_config=models.ScalingConfig(scaling_type="CPU", min_replica=4, max_replica=2)), 400, "minReplica"),
    (app_details(scaling_config=models.ScalingConfig(scaling_type="CPU", target_cpu_threshold=150)), 400, "1 to 100"),
    (app_details(environment_variables=[models.EnvironmentVariable(name="1BAD", type="PLAINTEXT", value="x")]), 400, "1BAD"),
    (app_details(environment_variables=[models.EnvironmentVariable(name="KEY", type="VAULT", value="plain")]), 400, "vault"),
    (app_details(environment_variables=[models.EnvironmentVariable(name="A", type="PLAINTEXT", value="x")] * 2), 400, "more than once"),
    (app_details(networking_config=networking("PRIVATE")), 400, "privateEndpointId"),
    (app_details(networking_config=networking("PUBLIC", "ocid1.generativeaiprivateendpoint.oc1..aaaa")), 400, "only for PRIVATE"),
    (app_details(networking_config=networking("PRIVATE", "ocid1.generativeaiprivateendpoint.oc1..missing")), 400, "does not exist"),
    (app_details(storage_configs=[models.StorageConfig(environment_variable_key="DB", storage_id="ocid1.generativeaihostedapplicationstorage.oc1..x")]), 400, "storageConfigs[0].storageId"),
])
def test_bad_configurations_are_400s_naming_the_field(genai_no_retry, details, status, words):
    with pytest.raises(oci.exceptions.ServiceError) as bad:
        genai_no_retry.create_hosted_application(details)
    assert bad.value.status == status and words in bad.value.message


def test_networking_and_storages_are_immutable(genai_no_retry):
    app = active_app(genai_no_retry)
    with pytest.raises(oci.exceptions.ServiceError) as bad:
        genai_no_retry.base_client.call_api(
            resource_path=f"/hostedApplications/{app.id}", method="PUT", header_params={"content-type": "application/json"},
            body={"storageConfigs": []},
        )
    assert bad.value.status == 400 and "storageConfigs" in bad.value.message


def test_storages_record_the_applications_that_use_them_and_cannot_be_deleted_while_used(genai, composite, genai_no_retry):
    cache, postgres = active_storage(genai, "CACHE"), active_storage(genai, "POSTGRESQL", "pg")
    other_cache = active_storage(genai, "CACHE", "cache-2")
    configs = [models.StorageConfig(environment_variable_key="REDIS_URL", storage_id=cache.id),
               models.StorageConfig(environment_variable_key="DATABASE_URL", storage_id=postgres.id)]
    app = active_app(genai, storage_configs=configs)
    assert genai.get_hosted_application_storage(cache.id).data.application_ids == [app.id]

    with pytest.raises(oci.exceptions.ServiceError) as two_caches:
        genai_no_retry.create_hosted_application(app_details(storage_configs=[
            configs[0], models.StorageConfig(environment_variable_key="CACHE_2", storage_id=other_cache.id)]))
    assert two_caches.value.status == 400 and "one CACHE" in two_caches.value.message
    with pytest.raises(oci.exceptions.ServiceError) as clash:
        genai_no_retry.create_hosted_application(app_details(
            storage_configs=configs[:1],
            environment_variables=[models.EnvironmentVariable(name="REDIS_URL", type="PLAINTEXT", value="x")]))
    assert clash.value.status == 400 and "REDIS_URL" in clash.value.message

    with pytest.raises(oci.exceptions.ServiceError) as used:
        genai_no_retry.delete_hosted_application_storage(cache.id)
    assert (used.value.status, used.value.code) == (409, "Conflict") and app.id in used.value.message
    composite.delete_hosted_application_and_wait_for_state(app.id, **WAITED)
    assert genai.get_hosted_application_storage(cache.id).data.application_ids == []
    done = composite.delete_hosted_application_storage_and_wait_for_state(cache.id, **WAITED).data
    assert (done.operation_type, done.resources[0].entity_type) == ("DELETE_APPLICATION_STORAGE", "HostedApplicationStorage")


def test_storage_lifecycle_lists_and_moves(genai, composite):
    done = composite.create_hosted_application_storage_and_wait_for_state(
        models.CreateHostedApplicationStorageDetails(compartment_id=COMPARTMENT, display_name="b", storage_type="ADB"),
        **WAITED).data
    assert done.operation_type == "CREATE_APPLICATION_STORAGE"
    active_storage(genai, "CACHE", "a")
    by_type = genai.list_hosted_application_storages(COMPARTMENT, hosted_application_storage_type="ADB").data.items
    assert [s.id for s in by_type] == [done.resources[0].identifier] and by_type[0].storage_type == "ADB"
    by_name = genai.list_hosted_application_storages(COMPARTMENT, sort_by="displayName").data.items
    assert [s.display_name for s in by_name] == ["a", "b"]
    paged = oci.pagination.list_call_get_all_results(genai.list_hosted_application_storages, COMPARTMENT, limit=1).data
    assert [s.display_name for s in paged] == ["a", "b"]  # newest first
    moved = genai.change_hosted_application_storage_compartment(
        by_type[0].id, models.ChangeHostedApplicationStorageCompartmentDetails(compartment_id=OTHER_COMPARTMENT))
    assert "opc-work-request-id" not in moved.headers
    assert [s.id for s in genai.list_hosted_application_storages(OTHER_COMPARTMENT).data.items] == [by_type[0].id]


def test_a_private_application_uses_an_application_private_endpoint_which_then_cannot_be_deleted(genai, genai_no_retry):
    for_endpoints = active_private_endpoint(genai, "models")
    with pytest.raises(oci.exceptions.ServiceError) as wrong_kind:
        genai_no_retry.create_hosted_application(app_details(networking_config=networking("PRIVATE", for_endpoints.id)))
    assert wrong_kind.value.status == 400 and "ENDPOINT" in wrong_kind.value.message
    pe = active_private_endpoint(genai, "apps", resource_type="APPLICATION")
    app = active_iam_app(genai, networking_config=networking("PRIVATE", pe.id))
    assert app.networking_config.inbound_networking_config.private_endpoint_id == pe.id
    with pytest.raises(oci.exceptions.ServiceError) as used:
        genai_no_retry.delete_generative_ai_private_endpoint(pe.id)
    assert used.value.status == 409 and app.id in used.value.message


def test_etags_retry_tokens_and_tenancy_isolation(genai, genai_no_retry, emulator_url, other_oci_config):
    app = genai.get_hosted_application(active_app(genai).id)
    with pytest.raises(oci.exceptions.ServiceError) as stale:
        genai_no_retry.update_hosted_application(
            app.data.id, models.UpdateHostedApplicationDetails(description="x"), if_match="stale")
    assert stale.value.status == 412
    first = genai.create_hosted_application_storage(models.CreateHostedApplicationStorageDetails(
        compartment_id=COMPARTMENT, display_name="s", storage_type="CACHE"), opc_retry_token="storage-1")
    again = genai.create_hosted_application_storage(models.CreateHostedApplicationStorageDetails(
        compartment_id=COMPARTMENT, display_name="s", storage_type="CACHE"), opc_retry_token="storage-1")
    assert first.data.id == again.data.id
    stranger = oci.generative_ai.GenerativeAiClient(
        other_oci_config, service_endpoint=emulator_url, retry_strategy=oci.retry.NoneRetryStrategy())
    for read in (lambda: stranger.get_hosted_application(app.data.id),
                 lambda: stranger.get_hosted_application_storage(first.data.id)):
        with pytest.raises(oci.exceptions.ServiceError) as foreign:
            read()
        assert foreign.value.status == 404
    with pytest.raises(oci.exceptions.ServiceError) as foreign_storage:
        stranger.create_hosted_application(app_details(
            storage_configs=[models.StorageConfig(environment_variable_key="C", storage_id=first.data.id)]))
    assert foreign_storage.value.status == 400


def test_the_cli_creates_lists_and_deletes_an_application(oci_cli):  # noqa: F811
    created = json.loads(oci_cli(
        "generative-ai", "hosted-application", "create", "--compartment-id", COMPARTMENT, "--display-name", "cli-app",
        "--inbound-auth-config", json.dumps({"inboundAuthConfigType": "NO_AUTH_CONFIG"}),
        "--wait-for-state", "SUCCEEDED", "--wait-interval-seconds", "1",
    ).stdout)
    app_id = created["data"]["resources"][0]["identifier"]
    listed = json.loads(oci_cli("generative-ai", "hosted-application-collection", "list-hosted-applications",
                                "--compartment-id", COMPARTMENT, "--all").stdout)
    assert [a["id"] for a in listed["data"]["items"]] == [app_id]
    oci_cli("generative-ai", "hosted-application", "delete", "--hosted-application-id", app_id, "--force",
            "--wait-for-state", "SUCCEEDED", "--wait-interval-seconds", "1")


def test_state_export_and_import_keep_applications_and_storages(genai, emulator_url):
    storage = active_storage(genai)
    app = active_app(genai, storage_configs=[models.StorageConfig(environment_variable_key="C", storage_id=storage.id)])
    snapshot = admin(emulator_url, "state")
    admin(emulator_url, "reset", {})
    admin(emulator_url, "state", snapshot)
    assert genai.get_hosted_application(app.id).data.storage_configs[0].storage_id == storage.id
    assert genai.get_hosted_application_storage(storage.id).data.application_ids == [app.id]


def test_inbound_auth_is_required_for_the_non_iam_variant(genai_no_retry):
    with pytest.raises(oci.exceptions.ServiceError) as missing:
        genai_no_retry.create_hosted_application(
            models.CreateHostedApplicationDetails(compartment_id=COMPARTMENT, display_name="x"))
    assert missing.value.status == 400 and "inboundAuthConfig" in missing.value.message


def test_the_cli_makes_a_storage_and_an_iam_application_that_uses_it(oci_cli):  # noqa: F811
    storage = json.loads(oci_cli(
        "generative-ai", "hosted-application-storage", "create", "--compartment-id", COMPARTMENT,
        "--display-name", "cli-cache", "--storage-type", "CACHE",
        "--wait-for-state", "SUCCEEDED", "--wait-interval-seconds", "1",
    ).stdout)["data"]["resources"][0]["identifier"]
    config = [{"environmentVariableKey": "CACHE_URL", "storageId": storage}]
    oci_cli("generative-ai", "hosted-application-iam", "create", "--compartment-id", COMPARTMENT,
            "--display-name", "cli-iam", "--storage-configs", json.dumps(config),
            "--wait-for-state", "SUCCEEDED", "--wait-interval-seconds", "1")
    listed = json.loads(oci_cli("generative-ai", "hosted-application-collection", "list-hosted-applications-iam",
                                "--compartment-id", COMPARTMENT).stdout)["data"]["items"]
    assert [a["display-name"] for a in listed] == ["cli-iam"]
    used = json.loads(oci_cli("generative-ai", "hosted-application-storage", "get",
                              "--hosted-application-storage-id", storage).stdout)["data"]
    assert used["application-ids"] == [listed[0]["id"]]
