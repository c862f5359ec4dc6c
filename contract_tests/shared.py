"""What several tests use: the models they serve and tune, and the clusters they share.

Model names are the service's own; override them with environment variables when your region
serves others (``OCI_CONTRACT_CHAT_MODEL`` ...).
"""

from __future__ import annotations

import os
from typing import Iterator

import oci
import pytest
from oci.generative_ai import models

from .context import Run
from .cost import Cluster

# A Cohere chat model: on demand, hosted on SMALL_COHERE_V2 clusters, fine-tuned on 8 SMALL_COHERE_V2 units.
COHERE_CHAT_MODEL = os.environ.get("OCI_CONTRACT_CHAT_MODEL", "cohere.command-r-08-2024")
GENERIC_CHAT_MODEL = os.environ.get("OCI_CONTRACT_GENERIC_CHAT_MODEL", "meta.llama-3.3-70b-instruct")
EMBED_MODEL = os.environ.get("OCI_CONTRACT_EMBED_MODEL", "cohere.embed-v4.0")
HUGGING_FACE_MODEL = os.environ.get("OCI_CONTRACT_HUGGING_FACE_MODEL", "Qwen/Qwen2.5-0.5B-Instruct")

HOSTING = Cluster("hosting cluster shared by the endpoint and parity tests", "HOSTING", "SMALL_COHERE_V2", 1)
FINE_TUNING = Cluster("fine-tuning cluster of the model tests", "FINE_TUNING", "SMALL_COHERE_V2", 8)


def base_model(ctx: Run, name: str, capability: str) -> str:
    """The OCID of the catalog model ``name`` that has ``capability`` (OCIDs differ per region)."""
    items = oci.pagination.list_call_get_all_results(
        ctx.genai.list_models, ctx.compartment, display_name=name, capability=[capability]
    ).data
    items = [m for m in items if m.type == "BASE" and m.lifecycle_state == "ACTIVE"]
    assert items, f"the catalog has no {name} with {capability}"
    return items[0].id


def cluster(ctx: Run, plan: Cluster, case: str) -> Iterator[str]:
    """Create a tagged cluster for a session fixture, yield its id once ACTIVE, delete it after."""
    if not ctx.budget.reserve("fixture"):
        pytest.skip(f"the run's resource cap (--max-resources {ctx.options.max_resources}) is reached")
    details = models.CreateDedicatedAiClusterDetails(
        compartment_id=ctx.compartment,
        type=plan.type,
        unit_shape=plan.shape,
        unit_count=plan.units,
        display_name=f"contract-{plan.type.lower()}-{ctx.options.run_id}",
        freeform_tags=ctx.tags(),
    )
    with ctx.snapshots.case(case):
        created = ctx.genai.create_dedicated_ai_cluster(details)
    cluster_id = created.data.id
    ctx.remember(cluster_id)
    try:
        ctx.wait_for_state("get_dedicated_ai_cluster", cluster_id, ("ACTIVE",))
        yield cluster_id
    finally:
        ctx.wait_for_state("get_dedicated_ai_cluster", cluster_id, ("ACTIVE", "FAILED", "NEEDS_ATTENTION"))
        ctx.genai.delete_dedicated_ai_cluster(cluster_id)
        ctx.wait_for_state("get_dedicated_ai_cluster", cluster_id, ("DELETED", "404"))
