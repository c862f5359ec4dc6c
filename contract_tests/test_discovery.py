"""Model discovery and allocatable GPUs: free, read-only lists. Read page by page and filtered,
they are what a whole read shows, each item matching its filters."""

from __future__ import annotations

import oci
import pytest
from hypothesis import given
from hypothesis import strategies as st

from .machines import pages

CAPABILITIES = ["CHAT", "TEXT_EMBEDDINGS", "FINE_TUNE", "TEXT_RERANK", "TEXT_GENERATION"]
EMULATOR_RESERVATION = "ocid1.capacityreservation.oc1.us-chicago-1.aaaaaaaacontractreservation"


def test_model_discovery_pages_and_filters(contract):
    @contract.settings
    @given(
        limit=st.integers(1, 20),
        capability=st.none() | st.lists(st.sampled_from(CAPABILITIES), min_size=1, max_size=2, unique=True),
        serving_mode=st.none() | st.lists(st.sampled_from(["ON_DEMAND", "DEDICATED"]), min_size=1, max_size=1),
        is_deprecated=st.sampled_from([None, True, False]),
    )
    def check(limit, capability, serving_mode, is_deprecated):
        filters = {k: v for k, v in (("capability", capability), ("serving_mode", serving_mode),
                                     ("is_deprecated", is_deprecated)) if v is not None}
        items = pages(contract.genai.list_model_discovery, contract.compartment, limit=limit, **filters)
        names = [m.model_id for m in items]
        assert len(names) == len(set(names)), "a model came twice across pages"
        for m in items:
            assert not capability or set(capability) & set(m.capabilities), f"{m.model_id}: {m.capabilities}"
            modes = {mode for place in m.availability or [] for mode in place.serving_modes or []}
            assert not serving_mode or set(serving_mode) & modes, f"{m.model_id} is served {modes}"
        everything = oci.pagination.list_call_get_all_results(
            contract.genai.list_model_discovery, contract.compartment, **filters).data
        assert names == [m.model_id for m in everything]

    check()


@pytest.mark.emulator_only("a tenancy needs a compute capacity reservation of its own")
def test_allocatable_gpus_add_up(contract):
    reservation = EMULATOR_RESERVATION
    items = pages(contract.genai.list_dedicated_ai_clusters_allocatable_gpus, contract.compartment, reservation,
                  limit=2)
    assert items, "a capacity reservation has some GPU shape"
    for gpu in items:
        allocations = gpu.gpu_allocations
        assert gpu.total_used_gpu_units == sum(a.used_gpus for a in allocations)
        assert gpu.total_available_gpu_units == sum(a.available_gpus for a in allocations)
        assert gpu.max_allocatable_gpu_units == max((a.available_gpus for a in allocations), default=0)
        one = contract.genai.list_dedicated_ai_clusters_allocatable_gpus(
            contract.compartment, reservation, compute_shape=gpu.compute_shape).data.items
        assert [g.compute_shape for g in one] == [gpu.compute_shape]
