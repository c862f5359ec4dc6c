"""The catalog and the create validation agree: every base model that can be hosted on a dedicated
cluster really can be, through the SDK; ``lifecycleDetails`` follows each transition."""

from __future__ import annotations

import json

import oci
from oci.generative_ai import models

from conftest import COMPARTMENT, admin
from emulator.catalog import CATALOG_FILE
from emulator.spec import Spec
from helpers import WAIT, cluster_details

SPEC = Spec()

CATALOG = json.loads(CATALOG_FILE.read_text())


def test_every_unit_shape_the_sdk_names_is_taken_by_create(emulator_url):
    spec = SPEC.documents["generative_ai"]["components"]["schemas"]
    create = set(spec["CreateDedicatedAiClusterDetails"]["properties"]["unitShape"]["enum"])
    resource = set(spec["DedicatedAiCluster"]["properties"]["unitShape"]["enum"])
    assert resource <= create and {"LARGE_GENERIC_V2", "OAI_H100_X1", "OAI_H100_X2", "B300_X32"} <= create
    assert {s for m in CATALOG for s in m["xHostingShapes"]} <= create


def test_every_hostable_base_model_gets_a_cluster_and_an_endpoint(emulator_url, genai, composite):
    catalog = oci.pagination.list_call_get_all_results(genai.list_models, COMPARTMENT).data
    hosted = []
    for entry in CATALOG:
        if not entry["xHostingShapes"]:
            continue
        model = next(
            m for m in catalog
            if m.display_name == entry["displayName"] and m.version == entry["version"] and m.capabilities == entry["capabilities"]
        )
        shape = entry["xHostingShapes"][0]
        cluster = composite.create_dedicated_ai_cluster_and_wait_for_state(
            cluster_details(shape=shape), wait_for_states=["SUCCEEDED"], waiter_kwargs=WAIT
        ).data.resources[0].identifier
        endpoint = composite.create_endpoint_and_wait_for_state(
            models.CreateEndpointDetails(compartment_id=COMPARTMENT, dedicated_ai_cluster_id=cluster, model_id=model.id),
            wait_for_states=["SUCCEEDED"],
            waiter_kwargs=WAIT,
        ).data.resources[0].identifier
        assert genai.get_endpoint(endpoint).data.lifecycle_state == "ACTIVE"
        hosted.append(entry["displayName"])
    assert {"meta.llama-4-scout-17b-16e-instruct", "meta.llama-3.2-90b-vision-instruct", "openai.gpt-oss-120b", "openai.gpt-oss-20b"} <= set(hosted)


def test_lifecycle_details_follow_each_transition(emulator_url, genai, genai_no_retry):
    admin(emulator_url, "config", {"transitions": {"dedicatedaicluster": {"mode": "manual"}}})
    cluster = genai.create_dedicated_ai_cluster(cluster_details()).data
    read = lambda: genai.get_dedicated_ai_cluster(cluster.id).data  # noqa: E731
    steps = [(read().lifecycle_state, read().lifecycle_details)]
    admin(emulator_url, "transitions/complete", {"id": cluster.id})
    steps.append((read().lifecycle_state, read().lifecycle_details))
    genai.update_dedicated_ai_cluster(cluster.id, models.UpdateDedicatedAiClusterDetails(unit_count=2))
    steps.append((read().lifecycle_state, read().lifecycle_details))
    admin(emulator_url, "transitions/complete", {"id": cluster.id})
    steps.append((read().lifecycle_state, read().lifecycle_details))  # an update returns to ACTIVE, asserted directly
    genai.delete_dedicated_ai_cluster(cluster.id)
    steps.append((read().lifecycle_state, read().lifecycle_details))
    admin(emulator_url, "transitions/complete", {"id": cluster.id})
    steps.append((read().lifecycle_state, read().lifecycle_details))
    assert steps == [
        ("CREATING", "Creating the dedicated AI cluster."),
        ("ACTIVE", "The dedicated AI cluster is active."),
        ("UPDATING", "Updating the dedicated AI cluster."),
        ("ACTIVE", "The dedicated AI cluster is active."),
        ("DELETING", "Deleting the dedicated AI cluster."),
        ("DELETED", "The dedicated AI cluster is deleted."),
    ]
    assert read().unit_count == 2
