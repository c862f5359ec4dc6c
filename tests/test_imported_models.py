"""Imported models from Hugging Face and Object Storage, served on generic GPU shapes."""

from __future__ import annotations

import oci
import pytest
import requests
from oci.generative_ai import models

from conftest import COMPARTMENT, OTHER_COMPARTMENT
from helpers import WAIT, active_cluster, active_endpoint


def hugging_face(name="meta-llama/Llama-3.1-8B-Instruct", **kw):
    return models.CreateImportedModelDetails(
        compartment_id=COMPARTMENT,
        display_name=name.split("/")[-1],
        data_source=models.HuggingFaceModel(model_id=name, access_token="hf_secret", **kw),
    )


def test_import_from_hugging_face_and_object_storage(genai, composite):
    wr = composite.create_imported_model_and_wait_for_state(
        hugging_face(), wait_for_states=["SUCCEEDED"], waiter_kwargs=WAIT
    ).data
    assert (wr.operation_type, wr.resources[0].entity_type, wr.resources[0].action_type) == (
        "CREATE_IMPORTED_MODEL", "ImportedModel", "CREATED",
    )
    imported = genai.get_imported_model(wr.resources[0].identifier).data
    assert imported.lifecycle_state == "ACTIVE"
    assert isinstance(imported.data_source, models.HuggingFaceModel)
    assert (imported.data_source.model_id, imported.data_source.branch) == ("meta-llama/Llama-3.1-8B-Instruct", "main")

    from_bucket = genai.create_imported_model(
        models.CreateImportedModelDetails(
            compartment_id=COMPARTMENT,
            capabilities=["TEXT_TO_TEXT"],
            data_source=models.ObjectStorageObject(namespace_name="ns", bucket_name="weights", prefix_name="gpt-oss-20b/"),
        )
    ).data
    assert from_bucket.lifecycle_state == "CREATING"
    got = oci.wait_until(genai, genai.get_imported_model(from_bucket.id), "lifecycle_state", "ACTIVE", **WAIT).data
    assert isinstance(got.data_source, models.ObjectStorageObject) and got.data_source.bucket_name == "weights"

    listed = oci.pagination.list_call_get_all_results(genai.list_imported_models, COMPARTMENT, limit=1).data
    assert {m.id for m in listed} == {imported.id, from_bucket.id}
    named = genai.list_imported_models(COMPARTMENT, display_name="Llama-3.1-8B-Instruct").data.items
    assert [m.id for m in named] == [imported.id]


def test_update_move_and_delete_imported_model(genai, genai_no_retry, composite):
    imported = genai.create_imported_model(hugging_face()).data
    imported = oci.wait_until(genai, genai.get_imported_model(imported.id), "lifecycle_state", "ACTIVE", **WAIT)
    wr = composite.update_imported_model_and_wait_for_state(
        imported.data.id, models.UpdateImportedModelDetails(description="v2", version="2"),
        wait_for_states=["SUCCEEDED"], waiter_kwargs=WAIT,
    ).data
    assert wr.resources[0].action_type == "UPDATED"
    updated = genai.get_imported_model(imported.data.id)
    assert (updated.data.description, updated.data.version) == ("v2", "2")
    assert updated.headers["etag"] != imported.headers["etag"]

    genai.change_imported_model_compartment(
        imported.data.id, models.ChangeImportedModelCompartmentDetails(compartment_id=OTHER_COMPARTMENT)
    )
    assert genai.list_imported_models(COMPARTMENT).data.items == []
    assert [m.id for m in genai.list_imported_models(OTHER_COMPARTMENT).data.items] == [imported.data.id]

    # a generic GPU cluster can serve it; while it does, it cannot be deleted
    cluster = active_cluster(genai, "HOSTING", "H100_X1")
    endpoint = active_endpoint(genai, cluster.id, imported.data.id)
    with pytest.raises(oci.exceptions.ServiceError) as exc:
        genai_no_retry.delete_imported_model(imported.data.id)
    assert (exc.value.status, exc.value.code) == (409, "Conflict")
    composite.delete_endpoint_and_wait_for_state(endpoint.id, ["SUCCEEDED"], waiter_kwargs=WAIT)
    wr = composite.delete_imported_model_and_wait_for_state(imported.data.id, ["SUCCEEDED"], waiter_kwargs=WAIT).data
    assert wr.resources[0].action_type == "DELETED"
    assert genai.get_imported_model(imported.data.id).data.lifecycle_state == "DELETED"


def test_imported_models_cannot_be_hosted_on_vendor_shapes(genai, genai_no_retry):
    imported = genai.create_imported_model(hugging_face()).data
    oci.wait_until(genai, genai.get_imported_model(imported.id), "lifecycle_state", "ACTIVE", **WAIT)
    cluster = active_cluster(genai, "HOSTING", "SMALL_COHERE_V2")
    with pytest.raises(oci.exceptions.ServiceError) as exc:
        genai_no_retry.create_endpoint(models.CreateEndpointDetails(
            compartment_id=COMPARTMENT, dedicated_ai_cluster_id=cluster.id, model_id=imported.id
        ))
    assert (exc.value.status, exc.value.code) == (400, "InvalidParameter")
    assert "generic GPU" in exc.value.message


def test_an_unknown_capability_is_refused(emulator_url):
    """The SDK refuses to send a capability outside its list (and reads one in a response as
    UNKNOWN_ENUM_VALUE): a raw request with one is a 400 that creates nothing."""
    body = {"compartmentId": COMPARTMENT, "capabilities": ["TEXT_TO_TEXT", "TELEPATHY"],
            "dataSource": {"sourceType": "HUGGING_FACE_MODEL", "modelId": "org/model"}}
    resp = requests.post(f"{emulator_url}/20231130/importedModels", json=body, timeout=10)
    assert resp.status_code == 400 and "'TELEPATHY'" in resp.json()["message"], resp.text
    listed = requests.get(f"{emulator_url}/20231130/importedModels", params={"compartmentId": COMPARTMENT}, timeout=10)
    assert listed.json()["items"] == []
