"""Vector store connectors and their file syncs through the oci SDK and CLI: lifecycle with work
requests, syncs on the emulator's clock, cancel, statistics and ingestion logs."""

from __future__ import annotations

import oci
import pytest
from oci.generative_ai import models

from conftest import COMPARTMENT, OTHER_COMPARTMENT, admin
from helpers import WAIT
from tests.test_cli import cli_home, oci_cli  # noqa: F401

ANY_STORE = "ocid1.generativeaivectorstore.oc1.us-chicago-1.amaaaaaastore"


def details(store_id: str = ANY_STORE, name: str = "docs", prefixes=("manuals/",), **kw):
    return models.CreateVectorStoreConnectorDetails(
        compartment_id=COMPARTMENT, vector_store_id=store_id, display_name=name,
        configuration=models.OciObjectStorageConfiguration(storage_config_list=[
            models.ObjectStorageConfig(namespace="ns", bucket_name="docs", prefix_list=list(prefixes))]),
        **kw,
    )


def active_connector(genai, **kw) -> models.VectorStoreConnector:
    created = genai.create_vector_store_connector(details(**kw))
    return oci.wait_until(genai, genai.get_vector_store_connector(created.data.id), "lifecycle_state", "ACTIVE", **WAIT).data


def sync(genai, connector_id: str):
    return genai.create_vector_store_connector_file_sync(
        models.CreateVectorStoreConnectorFileSyncDetails(vector_store_connector_id=connector_id, display_name="sync")
    )


def test_lifecycle_with_work_requests(genai, composite, oci_config):
    store_id = ANY_STORE
    schedule = models.ScheduleIntervalConfig(frequency="DAILY", interval=1)
    done = composite.create_vector_store_connector_and_wait_for_state(
        details(store_id, schedule_config=schedule), wait_for_states=["SUCCEEDED"], waiter_kwargs=WAIT
    ).data
    assert (done.operation_type, done.status) == ("CREATE_VECTOR_STORE_CONNECTOR", "SUCCEEDED")
    (resource,) = done.resources
    assert (resource.entity_type, resource.action_type) == ("GenerativeAiVectorStoreConnector", "CREATED")
    connector = genai.get_vector_store_connector(resource.identifier).data
    assert connector.id.startswith("ocid1.generativeaivectorstoreconnector.oc1.us-chicago-1.")
    assert (connector.lifecycle_state, connector.vector_store_id, connector.tenant_id) == ("ACTIVE", store_id, oci_config["tenancy"])
    assert connector.schedule_config.time_start and connector.schedule_config.state == "ENABLED"
    assert connector.configuration.storage_config_list[0].bucket_name == "docs"

    updated = composite.update_vector_store_connector_and_wait_for_state(
        connector.id, models.UpdateVectorStoreConnectorDetails(display_name="docs-2"),
        wait_for_states=["SUCCEEDED"], waiter_kwargs=WAIT,
    ).data
    assert updated.operation_type == "UPDATE_VECTOR_STORE_CONNECTOR"
    assert genai.get_vector_store_connector(connector.id).data.display_name == "docs-2"
    deleted = composite.delete_vector_store_connector_and_wait_for_state(connector.id, wait_for_states=["SUCCEEDED"], waiter_kwargs=WAIT)
    assert deleted.data.operation_type == "DELETE_VECTOR_STORE_CONNECTOR"
    assert genai.get_vector_store_connector(connector.id).data.lifecycle_state == "DELETED"


def test_a_file_sync_runs_on_the_clock_and_reports(genai, genai_no_retry, emulator_url):
    admin(emulator_url, "config", {"transitions": {"vectorstoreconnectorfilesync": {"mode": "delay", "seconds": 30}}})
    connector = active_connector(genai, prefixes=("a/", "b/"))
    started = sync(genai, connector.id)
    assert started.data.lifecycle_state == "ACCEPTED" and started.data.trigger_type == "MANUAL"
    assert started.data.compartment_id == COMPARTMENT and started.headers["etag"]
    wr = genai.get_work_request(started.headers["opc-work-request-id"]).data
    assert wr.operation_type == "TRIGGER_FILE_SYNC" and wr.resources[0].entity_type == "GenerativeAiVectorStoreConnectorFileSync"
    running = genai.get_vector_store_connector_file_sync(started.data.id).data
    assert running.lifecycle_state == "IN_PROGRESS" and running.time_started
    with pytest.raises(oci.exceptions.ServiceError) as busy:
        genai_no_retry.delete_vector_store_connector(connector.id)
    assert (busy.value.status, busy.value.code) == (409, "Conflict")
    with pytest.raises(oci.exceptions.ServiceError) as twice:
        sync(genai_no_retry, connector.id)
    assert (twice.value.status, twice.value.code) == (409, "Conflict")
    logs = genai.list_vector_store_connector_file_sync_ingestion_logs(started.data.id).data.items
    assert len(logs) == 6 and {log.status for log in logs} == {"IN_PROGRESS"}
    assert genai.get_vector_store_connector_stats(connector.id).data.in_progress.total_files_synced == 6

    admin(emulator_url, "clock", {"advanceSeconds": 31})
    finished = genai.get_vector_store_connector_file_sync(started.data.id).data
    assert (finished.lifecycle_state, finished.duration_in_seconds) == ("SUCCEEDED", 30) and finished.time_ended
    assert finished.stats.created.total_files_synced == 6
    assert genai.get_work_request(wr.id).data.status == "SUCCEEDED"
    stats = genai.get_vector_store_connector_stats(connector.id).data
    assert stats.created.total_files_synced == 6 and stats.in_progress.total_files_synced == 0
    assert sum(stats.created.sync_stats_by_file_type.values()) == 6

    by_size = genai.list_vector_store_connector_ingestion_logs(connector.id, sort_by="fileSize", sort_order="DESC").data.items
    assert [log.file_size_in_bytes for log in by_size] == sorted((log.file_size_in_bytes for log in by_size), reverse=True)
    assert {log.status for log in by_size} == {"COMPLETED"} and all(log.total_chunks_created for log in by_size)
    paged = oci.pagination.list_call_get_all_results(genai.list_vector_store_connector_ingestion_logs, connector.id, limit=4).data
    assert [log.file_path for log in paged] == sorted(log.file_path for log in by_size)
    assert genai.list_vector_store_connector_ingestion_logs(connector.id, status="FAILED").data.items == []

    second = sync(genai, connector.id).data
    admin(emulator_url, "clock", {"advanceSeconds": 31})
    assert genai.get_vector_store_connector_file_sync(second.id).data.stats.ignored.total_files_synced == 6
    listed = genai.list_vector_store_connector_file_syncs(COMPARTMENT, vector_store_connector_id=connector.id).data.items
    assert [s.id for s in listed] == [second.id, started.data.id]


def test_cancel_a_sync(genai, genai_no_retry, emulator_url):
    admin(emulator_url, "config", {"transitions": {"vectorstoreconnectorfilesync": {"mode": "manual"}}})
    connector = active_connector(genai)
    started = sync(genai, connector.id)
    cancel = genai.cancel_vector_store_connector_file_sync(started.data.id)
    assert genai.get_vector_store_connector_file_sync(started.data.id).data.lifecycle_state == "CANCELING"
    assert genai.get_work_request(started.headers["opc-work-request-id"]).data.status == "CANCELED"
    admin(emulator_url, "transitions/complete", {"kind": "vectorstoreconnectorfilesync"})
    canceled = genai.get_vector_store_connector_file_sync(started.data.id).data
    assert canceled.lifecycle_state == "CANCELED" and canceled.time_ended
    cancel_wr = genai.get_work_request(cancel.headers["opc-work-request-id"]).data
    assert (cancel_wr.status, cancel_wr.resources[0].action_type) == ("SUCCEEDED", "UPDATED")
    logs = genai.list_vector_store_connector_file_sync_ingestion_logs(started.data.id, lifecycle_state="CANCELED").data.items
    assert {log.status for log in logs} == {"CANCELLED"}
    with pytest.raises(oci.exceptions.ServiceError) as again:
        genai_no_retry.cancel_vector_store_connector_file_sync(started.data.id)
    assert (again.value.status, again.value.code) == (409, "IncorrectState")


def test_bad_requests_and_isolation(genai_no_retry, genai, emulator_url, other_oci_config):
    with pytest.raises(oci.exceptions.ServiceError) as cron:
        genai_no_retry.create_vector_store_connector(details(schedule_config=models.ScheduleCronConfig(cron_expression="daily")))
    assert (cron.value.status, cron.value.code) == (400, "InvalidParameter") and "cronExpression" in cron.value.message
    with pytest.raises(oci.exceptions.ServiceError) as missing:
        sync(genai_no_retry, "ocid1.generativeaivectorstoreconnector.oc1.us-chicago-1.amaaaaaanope")
    assert (missing.value.status, missing.value.code) == (400, "RelatedResourceNotAuthorizedOrNotFound")
    connector = active_connector(genai)
    with pytest.raises(oci.exceptions.ServiceError) as stale:
        genai_no_retry.update_vector_store_connector(connector.id, models.UpdateVectorStoreConnectorDetails(display_name="x"), if_match="stale")
    assert stale.value.status == 412
    other = oci.generative_ai.GenerativeAiClient(other_oci_config, service_endpoint=emulator_url, retry_strategy=oci.retry.NoneRetryStrategy())
    with pytest.raises(oci.exceptions.ServiceError) as foreign:
        other.get_vector_store_connector(connector.id)
    assert foreign.value.status == 404
    assert other.list_vector_store_connectors(COMPARTMENT).data.items == []


def test_lists_sort_by_name_and_filter(genai):
    made = [active_connector(genai, name=n, store_id=f"{ANY_STORE}{i}") for i, n in enumerate(["b", "a", "c"])]
    by_name = genai.list_vector_store_connectors(COMPARTMENT, sort_by="name").data.items
    assert [c.display_name for c in by_name] == ["a", "b", "c"]
    assert [c.id for c in genai.list_vector_store_connectors(COMPARTMENT, vector_store_id=f"{ANY_STORE}2").data.items] == [made[2].id]
    assert genai.list_vector_store_connectors(OTHER_COMPARTMENT).data.items == []


def test_syncs_survive_export_and_import(genai, emulator_url):
    admin(emulator_url, "config", {"transitions": {"vectorstoreconnectorfilesync": {"mode": "manual"}}})
    connector = active_connector(genai)
    started = sync(genai, connector.id).data
    snapshot = admin(emulator_url, "state")
    admin(emulator_url, "reset", {})
    admin(emulator_url, "state", snapshot)
    admin(emulator_url, "transitions/complete", {"kind": "vectorstoreconnectorfilesync"})
    assert genai.get_vector_store_connector_file_sync(started.id).data.lifecycle_state == "SUCCEEDED"


def test_the_cli_syncs_a_connector(genai, oci_cli):
    connector = active_connector(genai)
    made = oci_cli("generative-ai", "vector-store-connector-file-sync", "create",
                   "--vector-store-connector-id", connector.id, "--wait-for-state", "SUCCEEDED",
                   "--wait-interval-seconds", "1", "--max-wait-seconds", "30").json
    assert made["data"]["operation-type"] == "TRIGGER_FILE_SYNC"
    stats = oci_cli("generative-ai", "vector-store-connector-stats", "get", "--vector-store-connector-id", connector.id).json
    assert stats["data"]["created"]["total-files-synced"] == 3
