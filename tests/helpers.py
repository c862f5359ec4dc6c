"""Small builders for the SDK's request models, shared by the tests."""

from __future__ import annotations

import oci
from oci.generative_ai import models

from conftest import COMPARTMENT

WAIT = {"max_wait_seconds": 30, "max_interval_seconds": 0.05}


def base_model(client, name: str, capability: str = "CHAT", version: str | None = None) -> models.ModelSummary:
    """The catalog entry for ``name`` with ``capability`` (and ``version``), as portable clients look it up."""
    items = oci.pagination.list_call_get_all_results(
        client.list_models, COMPARTMENT, display_name=name, capability=[capability]
    ).data
    items = [m for m in items if version is None or m.version == version]
    assert items, f"no {name} with {capability} in the catalog"
    return items[0]


def cluster_details(type_: str = "HOSTING", shape: str = "SMALL_COHERE_V2", count: int = 1, **kw):
    return models.CreateDedicatedAiClusterDetails(
        compartment_id=COMPARTMENT, type=type_, unit_shape=shape, unit_count=count, **kw
    )


def active_cluster(client, type_: str = "HOSTING", shape: str = "SMALL_COHERE_V2", **kw):
    created = client.create_dedicated_ai_cluster(cluster_details(type_, shape, **kw))
    return oci.wait_until(client, client.get_dedicated_ai_cluster(created.data.id), "lifecycle_state", "ACTIVE", **WAIT).data


def active_endpoint(client, cluster_id: str, model_id: str, **kw):
    created = client.create_endpoint(
        models.CreateEndpointDetails(
            compartment_id=COMPARTMENT, dedicated_ai_cluster_id=cluster_id, model_id=model_id, **kw
        )
    )
    return oci.wait_until(client, client.get_endpoint(created.data.id), "lifecycle_state", "ACTIVE", **WAIT).data


def fine_tune_details(cluster_id: str, config=None) -> models.FineTuneDetails:
    return models.FineTuneDetails(
        dedicated_ai_cluster_id=cluster_id,
        training_dataset=models.ObjectStorageDataset(
            namespace_name="ns", bucket_name="training", object_name="data.jsonl"
        ),
        training_config=config,
    )
