"""Dedicated AI clusters: the shared resource rules, plus invalid creates that must create nothing."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule
from oci.generative_ai import models

from .cost import Cluster
from .machines import ResourceMachine, expect_error, run_machine

SHAPE = "SMALL_COHERE_V2"
# On a tenancy the machine creates one cluster per run (a hosting cluster bills 744 unit-hours at least).
OCI_LIMIT = 1
PLAN = Cluster("clusters made by the cluster machine", "HOSTING", SHAPE, 1, count=OCI_LIMIT)


class ClusterMachine(ResourceMachine):
    noun = "dedicated_ai_cluster"
    entity = "DedicatedAiCluster"
    label = "cluster-machine"
    billed_creates = True

    def __init__(self, ctx):
        super().__init__(ctx)
        if ctx.on_oci:
            self.label_limit = self.max_live = OCI_LIMIT

    def create_details(self, name, compartment, data, unit_count=1):
        return models.CreateDedicatedAiClusterDetails(
            compartment_id=compartment,
            type="HOSTING",
            unit_shape=SHAPE,
            unit_count=unit_count,
            display_name=name,
            description="made by the contract tests",
            freeform_tags=self.tags(),
        )

    def update_details(self, name):
        return models.UpdateDedicatedAiClusterDetails(display_name=name, description=f"renamed {name}")

    def check_resource(self, r, data):
        assert (data.type, data.unit_shape, data.unit_count) == ("HOSTING", SHAPE, 1)
        capacity = data.capacity
        assert capacity.capacity_type == "HOSTING_CAPACITY"
        assert capacity.used_endpoint_capacity == 0 and capacity.total_endpoint_capacity >= 1

    @precondition(lambda self: self.can_create())
    @rule(word=st.sampled_from(["zero", "negative"]), data=st.data(), count=st.integers(-3, 0))
    def create_with_an_invalid_unit_count(self, word, data, count):
        details = self.create_details(self.new_name(word), self.ctx.compartment, data, unit_count=count)
        call = lambda: self.created(lambda: self.client.create_dedicated_ai_cluster(details))  # noqa: E731
        expect_error(400, None, call, adopt=self.adopt)


@pytest.mark.costly(PLAN)
def test_dedicated_ai_clusters(contract, request):
    run_machine(contract, request.node.nodeid, ClusterMachine)
