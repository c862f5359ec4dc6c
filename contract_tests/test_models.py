"""Models: the base catalog (free: pages, filters, sorts) and custom models fine-tuned on a
FINE_TUNING cluster (the shared rules, synchronous updates, unique name and version, and the
cluster that cannot go while it holds models)."""

from __future__ import annotations

import oci
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule
from oci.generative_ai import models

from .machines import ResourceMachine, assert_sorted, expect_error, pages, run_machine
from .shared import COHERE_CHAT_MODEL, FINE_TUNING, base_model

CAPABILITIES = ["CHAT", "TEXT_EMBEDDINGS", "FINE_TUNE", "TEXT_RERANK", "TEXT_GENERATION"]
# Where the fine-tuning data lives on the emulator (which never reads it).
EMULATOR_DATASET = "oci://contract-training@contractns/training.jsonl"
OCI_FINE_TUNING_JOBS = 2  # per run on a tenancy (each bills at least one unit-hour per unit)


def parse_dataset(uri: str) -> models.ObjectStorageDataset:
    """``oci://<bucket>@<namespace>/<object>``, the form the OCI CLI and console use."""
    assert uri.startswith("oci://") and "@" in uri and "/" in uri[6:], f"not oci://<bucket>@<namespace>/<object>: {uri}"
    bucket_at_namespace, object_name = uri[len("oci://"):].split("/", 1)
    bucket, namespace = bucket_at_namespace.split("@", 1)
    return models.ObjectStorageDataset(namespace_name=namespace, bucket_name=bucket, object_name=object_name)


def test_model_catalog_pages_filters_and_sorts(contract):
    """Free: the catalog read page by page, filtered and sorted, is the catalog read at once."""

    @contract.settings
    @given(
        limit=st.integers(3, 50),
        capability=st.none() | st.lists(st.sampled_from(CAPABILITIES), min_size=1, max_size=2, unique=True),
        vendor=st.sampled_from([None, "cohere", "meta"]),
        sort_by=st.sampled_from([None, "timeCreated", "displayName", "lifecycleState"]),
        sort_order=st.sampled_from([None, "ASC", "DESC"]),
    )
    def check(limit, capability, vendor, sort_by, sort_order):
        filters = {k: v for k, v in (("capability", capability), ("vendor", vendor)) if v}
        sorting = {k: v for k, v in (("sort_by", sort_by), ("sort_order", sort_order)) if v}
        items = pages(contract.genai.list_models, contract.compartment, limit=limit, **filters, **sorting)
        ids = [m.id for m in items]
        assert len(ids) == len(set(ids)), "a model came twice across pages"
        for m in items:
            assert not capability or set(capability) & set(m.capabilities), f"{m.display_name}: {m.capabilities}"
            assert not vendor or m.vendor == vendor
        assert_sorted(items, sort_by, sort_order)
        everything = oci.pagination.list_call_get_all_results(
            contract.genai.list_models, contract.compartment, **filters
        ).data
        assert {m.id for m in items if m.type == "BASE"} == {m.id for m in everything if m.type == "BASE"}

    check()


class FineTunedModelMachine(ResourceMachine):
    noun = "model"
    entity = "Model"
    label = "model"
    async_update = False  # UpdateModel answers the model at once, without a work request
    billed_creates = True
    max_live = 2
    page_limits = st.integers(10, 60)  # the catalog's base models are listed too

    def __init__(self, ctx, cluster_id: str, base_model_id: str, dataset: models.ObjectStorageDataset):
        super().__init__(ctx)
        self.cluster_id = cluster_id
        self.base_model_id = base_model_id
        self.dataset = dataset
        if ctx.on_oci:
            self.max_live = 1  # one fine-tuning job at a time,
            self.label_limit = OCI_FINE_TUNING_JOBS  # and a few per run

    def create_details(self, name, compartment, data):
        return models.CreateModelDetails(
            compartment_id=compartment,
            base_model_id=self.base_model_id,
            display_name=name,
            version="1.0",
            fine_tune_details=models.FineTuneDetails(
                dedicated_ai_cluster_id=self.cluster_id, training_dataset=self.dataset
            ),
            freeform_tags=self.tags(),
        )

    def update_details(self, name):
        return models.UpdateModelDetails(display_name=name, description=f"renamed {name}")

    def check_resource(self, r, data):
        assert (data.type, data.base_model_id) == ("CUSTOM", self.base_model_id)
        assert data.fine_tune_details.dedicated_ai_cluster_id == self.cluster_id
        if r.settled and data.lifecycle_state == "ACTIVE":
            assert data.model_metrics is not None, "a fine-tuned model has its metrics"

    @precondition(lambda self: self.live() and self.can_create())
    @rule(data=st.data())
    def create_a_duplicate_name_and_version(self, data):
        r = self.draw_settled(data, "model")
        details = self.create_details(r.display_name, r.compartment, data)
        expect_error(
            409,
            None,
            lambda: self.created(lambda: self.client.create_model(details)),
            adopt=lambda response: self.adopt(response, r.display_name, r.compartment),
        )

    @precondition(lambda self: self.live() and all(r.settled for r in self.resources))
    @rule()
    def delete_the_cluster_while_it_holds_models(self):
        expect_error(409, None, lambda: self.client.delete_dedicated_ai_cluster(self.cluster_id))


@pytest.mark.needs("training_dataset", "fine-tuning data, oci://<bucket>@<namespace>/<object> (JSONL)")
@pytest.mark.costly(FINE_TUNING)
def test_fine_tuned_models(contract, fine_tuning_cluster, request):
    dataset = parse_dataset(contract.options.training_dataset or EMULATOR_DATASET)
    base = base_model(contract, COHERE_CHAT_MODEL, "FINE_TUNE")
    run_machine(contract, request.node.nodeid, FineTunedModelMachine, fine_tuning_cluster, base, dataset)
