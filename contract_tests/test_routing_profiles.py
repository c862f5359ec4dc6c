"""Routing profiles: the shared resource rules for a family where every operation answers at once
(created ACTIVE, deleted DELETED, no work request), with policies that refuse duplicates."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import rule
from oci.generative_ai import models

from .machines import expect_error, run_machine
from .synchronous import SynchronousResource

ON_DEMAND_MODELS = ["meta.llama-3.3-70b-instruct", "xai.grok-4", "openai.gpt-oss-120b"]
REGIONS = ["us-chicago-1", "eu-frankfurt-1", "uk-london-1"]


class RoutingProfileMachine(SynchronousResource):
    KEY_RULES = (*SynchronousResource.KEY_RULES, "duplicate policy 400")
    noun = "routing_profile"
    entity = "RoutingProfile"
    label = "routing-profile"

    def create_details(self, name, compartment, data):
        allowed = data.draw(st.lists(st.sampled_from(ON_DEMAND_MODELS), min_size=1, max_size=2, unique=True), label="models")
        regions = data.draw(st.lists(st.sampled_from(REGIONS), max_size=2, unique=True), label="regions")
        return models.CreateRoutingProfileDetails(
            compartment_id=compartment, display_name=name, freeform_tags=self.tags(),
            model_routing_policy=models.ModelRoutingPolicy(allowed_models=allowed),
            region_routing_policy=models.RegionRoutingPolicy(allowed_regions=regions) if regions else None,
        )

    def update_details(self, name):
        return models.UpdateRoutingProfileDetails(display_name=name, description=f"renamed {name}")

    def check_resource(self, r, data):
        assert set(data.model_routing_policy.allowed_models) <= set(ON_DEMAND_MODELS)

    @rule(model=st.sampled_from(ON_DEMAND_MODELS), data=st.data())
    def create_with_a_model_twice(self, model, data):
        details = self.create_details(self.new_name("twice"), self.ctx.compartment, data)
        details.model_routing_policy = models.ModelRoutingPolicy(allowed_models=[model, model])
        expect_error(400, None, lambda: self.sdk("create_{}")(details), adopt=self.adopt)
        self.ran("duplicate policy 400")


@pytest.mark.costly()
def test_routing_profiles(contract, request):
    run_machine(contract, request.node.nodeid, RoutingProfileMachine)
