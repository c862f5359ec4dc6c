"""Semantic stores through the oci SDK and CLI: asynchronous create, delete and moves with work
requests, a synchronous update, their data source, schemas and refresh schedule, list filters."""

from __future__ import annotations

import oci
import pytest
from oci.generative_ai import models

from conftest import COMPARTMENT, OTHER_COMPARTMENT, admin
from helpers import WAIT, base_model
from tests.test_cli import cli_home, oci_cli  # noqa: F401

QUERYING = "ocid1.databasetoolsconnection.oc1.us-chicago-1.amaaaaaaquerying"
ENRICHING = "ocid1.databasetoolsconnection.oc1.us-chicago-1.amaaaaaaenriching"


def details(name: str = "sales", schema: str = "SALES", querying: str = QUERYING, **kw) -> models.CreateSemanticStoreDetails:
    return models.CreateSemanticStoreDetails(
        compartment_id=kw.pop("compartment_id", COMPARTMENT),
        display_name=name,
        data_source=models.CreateDataSourceDatabaseToolsConnectionDetails(
            querying_connection_id=querying, enrichment_connection_id=ENRICHING
        ),
        schemas=models.CreateSchemasDatabaseToolsConnectionDetails(schemas=[models.SchemaItem(name=schema)]),
        **kw,
    )


def active_store(genai, name: str = "sales", **kw) -> models.SemanticStore:
    created = genai.create_semantic_store(details(name, **kw))
    return oci.wait_until(genai, genai.get_semantic_store(created.data.id), "lifecycle_state", "ACTIVE", **WAIT).data


def test_lifecycle_with_work_requests_and_a_synchronous_update(genai, composite):
    done = composite.create_semantic_store_and_wait_for_state(
        details(refresh_schedule=models.RefreshScheduleIntervalDetails(value="P1DT6H")),
        wait_for_states=["SUCCEEDED"],
        waiter_kwargs=WAIT,
    ).data
    assert (done.operation_type, done.status) == ("CREATE_SEMANTIC_STORE", "SUCCEEDED")
    (resource,) = done.resources
    assert (resource.entity_type, resource.action_type) == ("GenerativeAiSemanticStore", "CREATED")
    store = genai.get_semantic_store(resource.identifier)
    data = store.data
    assert data.id.startswith("ocid1.generativeaisemanticstore.oc1.us-chicago-1.")
    assert resource.entity_uri == f"/20231130/semanticStores/{data.id}"
    assert (data.lifecycle_state, data.display_name, data.is_user_defined_semantics_enabled) == ("ACTIVE", "sales", True)
    assert data.data_source.querying_connection_id == QUERYING and data.data_source.connection_type == "DATABASE_TOOLS_CONNECTION"
    assert [s.name for s in data.schemas.schemas] == ["SALES"]
    assert data.refresh_schedule.value == "P1DT6H" and data.model_selection.model_selection_type == "DEFAULT"

    model = base_model(genai, "cohere.command-a-03-2025")
    updated = genai.update_semantic_store(
        data.id,
        models.UpdateSemanticStoreDetails(
            display_name="sales-2",
            refresh_schedule=models.RefreshScheduleNoneDetails(),
            model_selection=models.CustomSemanticStoreModelSelection(model_id=model.id),
        ),
        if_match=store.headers["etag"],
    )
    assert "opc-work-request-id" not in updated.headers and updated.headers["etag"] != store.headers["etag"]
    assert (updated.data.lifecycle_state, updated.data.display_name) == ("ACTIVE", "sales-2")
    assert updated.data.refresh_schedule.type == "NONE" and updated.data.model_selection.model_id == model.id

    moved = genai.change_semantic_store_compartment(
        data.id, models.ChangeSemanticStoreCompartmentDetails(compartment_id=OTHER_COMPARTMENT)
    )
    move = genai.get_work_request(moved.headers["opc-work-request-id"]).data
    assert (move.operation_type, move.status) == ("MOVE_SEMANTIC_STORE", "SUCCEEDED")
    assert [s.id for s in genai.list_semantic_stores(compartment_id=OTHER_COMPARTMENT).data.items] == [data.id]

    deleted = composite.delete_semantic_store_and_wait_for_state(data.id, wait_for_states=["SUCCEEDED"], waiter_kwargs=WAIT)
    assert deleted.data.operation_type == "DELETE_SEMANTIC_STORE"
    assert genai.get_semantic_store(data.id).data.lifecycle_state == "DELETED"


def test_list_filters_sorts_and_pages(genai, oci_config):
    made = [active_store(genai, f"store-{i}", querying=f"{QUERYING}{i % 2}") for i in range(3)]
    everything = oci.pagination.list_call_get_all_results(genai.list_semantic_stores, compartment_id=COMPARTMENT, limit=1).data
    assert [s.id for s in everything] == [s.id for s in reversed(made)]
    by_name = genai.list_semantic_stores(compartment_id=COMPARTMENT, sort_by="displayName", sort_order="DESC").data.items
    assert [s.display_name for s in by_name] == ["store-2", "store-1", "store-0"]
    by_connection = genai.list_semantic_stores(compartment_id=COMPARTMENT, data_source_querying_connection_id=f"{QUERYING}1")
    assert [s.id for s in by_connection.data.items] == [made[1].id]
    assert by_connection.data.items[0].schemas.schemas[0].name == "SALES"  # summaries carry them
    genai.delete_semantic_store(made[0].id)
    states = genai.list_semantic_stores(compartment_id=COMPARTMENT, lifecycle_state=["ACTIVE", "DELETED"]).data.items
    assert len(states) == 3
    active = genai.list_semantic_stores(compartment_id=COMPARTMENT, lifecycle_state=["ACTIVE"]).data.items
    assert {s.id for s in active} == {made[1].id, made[2].id}
    # without compartmentId: the tenancy's root compartment
    root = active_store(genai, "root", compartment_id=oci_config["tenancy"])
    assert [s.id for s in genai.list_semantic_stores().data.items] == [root.id]


@pytest.mark.parametrize(
    "change, words",
    [
        (dict(schemas=models.CreateSchemasDatabaseToolsConnectionDetails(schemas=[models.SchemaItem(name="A"), models.SchemaItem(name="B")])), "exactly one"),
        (dict(refresh_schedule=models.RefreshScheduleIntervalDetails(value="every day")), "ISO-8601"),
    ],
)
def test_bad_details_are_400(genai_no_retry, change, words):
    body = details()
    for name, value in change.items():
        setattr(body, name, value)
    with pytest.raises(oci.exceptions.ServiceError) as exc:
        genai_no_retry.create_semantic_store(body)
    assert (exc.value.status, exc.value.code) == (400, "InvalidParameter") and words in exc.value.message


def test_an_unknown_custom_model_is_400(genai_no_retry):
    selection = models.CustomSemanticStoreModelSelection(model_id="ocid1.generativeaimodel.oc1.us-chicago-1.amaaaaaanope")
    with pytest.raises(oci.exceptions.ServiceError) as exc:
        genai_no_retry.create_semantic_store(details(model_selection=selection))
    assert (exc.value.status, exc.value.code) == (400, "RelatedResourceNotAuthorizedOrNotFound")


def test_busy_stale_and_foreign_stores_refuse(genai, genai_no_retry, emulator_url, other_oci_config):
    admin(emulator_url, "config", {"transitions": {"semanticstore": {"mode": "manual"}}})
    created = genai.create_semantic_store(details(), opc_retry_token="once")
    assert created.data.lifecycle_state == "CREATING"
    again = genai.create_semantic_store(details(), opc_retry_token="once")
    assert again.data.id == created.data.id
    with pytest.raises(oci.exceptions.ServiceError) as busy:
        genai_no_retry.update_semantic_store(created.data.id, models.UpdateSemanticStoreDetails(display_name="x"))
    assert (busy.value.status, busy.value.code) == (409, "IncorrectState")
    admin(emulator_url, "transitions/complete", {"kind": "semanticstore"})
    with pytest.raises(oci.exceptions.ServiceError) as stale:
        genai_no_retry.update_semantic_store(
            created.data.id, models.UpdateSemanticStoreDetails(display_name="x"), if_match="stale"
        )
    assert (stale.value.status, stale.value.code) == (412, "NoEtagMatch")
    other = oci.generative_ai.GenerativeAiClient(
        other_oci_config, service_endpoint=emulator_url, retry_strategy=oci.retry.NoneRetryStrategy()
    )
    with pytest.raises(oci.exceptions.ServiceError) as foreign:
        other.get_semantic_store(created.data.id)
    assert foreign.value.status == 404
    assert other.list_semantic_stores(compartment_id=COMPARTMENT).data.items == []


def test_state_export_and_import_keep_stores(genai, emulator_url):
    store = active_store(genai)
    snapshot = admin(emulator_url, "state")
    admin(emulator_url, "reset", {})
    admin(emulator_url, "state", snapshot)
    assert genai.get_semantic_store(store.id).data.schemas.schemas[0].name == "SALES"


def test_the_cli_creates_lists_and_deletes_a_store(oci_cli):
    source = f'{{"connectionType": "DATABASE_TOOLS_CONNECTION", "queryingConnectionId": "{QUERYING}", "enrichmentConnectionId": "{ENRICHING}"}}'
    schemas = '{"connectionType": "DATABASE_TOOLS_CONNECTION", "schemas": [{"name": "HR"}]}'
    created = oci_cli(
        "generative-ai", "semantic-store", "create", "--compartment-id", COMPARTMENT, "--display-name", "hr",
        "--data-source", source, "--schemas", schemas,
        "--wait-for-state", "SUCCEEDED", "--wait-interval-seconds", "1", "--max-wait-seconds", "30",
    ).json
    store_id = created["data"]["resources"][0]["identifier"]
    listed = oci_cli("generative-ai", "semantic-store-collection", "list-semantic-stores", "--compartment-id", COMPARTMENT).json
    assert [s["id"] for s in listed["data"]["items"]] == [store_id]
    oci_cli("generative-ai", "semantic-store", "delete", "--semantic-store-id", store_id, "--force")
