"""Endpoints on an ACTIVE hosting cluster: the shared rules, the cluster's capacity, the cluster
that cannot go while it hosts endpoints (409), and dedicated inference on a live endpoint."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule
from oci.generative_ai import models
from oci.generative_ai_inference import models as inference

from .machines import ResourceMachine, expect_error, run_machine
from .shared import COHERE_CHAT_MODEL, HOSTING, base_model


class EndpointMachine(ResourceMachine):
    noun = "endpoint"
    entity = "Endpoint"
    label = "endpoint"

    def __init__(self, ctx, cluster_id: str, model_id: str):
        super().__init__(ctx)
        self.cluster_id = cluster_id
        self.model_id = model_id

    def create_details(self, name, compartment, data):
        return models.CreateEndpointDetails(
            compartment_id=compartment,
            dedicated_ai_cluster_id=self.cluster_id,
            model_id=self.model_id,
            display_name=name,
            content_moderation_config=models.ContentModerationConfig(
                is_enabled=data.draw(st.booleans(), label="moderation")
            ),
            freeform_tags=self.tags(),
        )

    def update_details(self, name):
        return models.UpdateEndpointDetails(display_name=name, description=f"renamed {name}")

    def check_resource(self, r, data):
        assert (data.dedicated_ai_cluster_id, data.model_id) == (self.cluster_id, self.model_id)

    @precondition(lambda self: self.live() and all(r.settled for r in self.resources))
    @rule()
    def delete_the_cluster_while_it_hosts_endpoints(self):
        expect_error(409, None, lambda: self.client.delete_dedicated_ai_cluster(self.cluster_id))

    @precondition(lambda self: self.live())
    @rule(data=st.data(), max_tokens=st.integers(1, 30))
    def chat_on_an_endpoint(self, data, max_tokens):
        r = self.draw_settled(data, "endpoint")
        answer = self.ctx.inference.chat(
            inference.ChatDetails(
                compartment_id=r.compartment,
                serving_mode=inference.DedicatedServingMode(endpoint_id=r.id),
                chat_request=inference.CohereChatRequest(message="Say hello", max_tokens=max_tokens),
            )
        ).data
        assert answer.chat_response.api_format == "COHERE"
        assert isinstance(answer.chat_response.text, str) and answer.chat_response.finish_reason

    @invariant()
    def the_cluster_counts_its_endpoints(self):
        if any(not r.settled for r in self.resources):
            return  # while endpoints come and go the count is in flux
        capacity = self.client.get_dedicated_ai_cluster(self.cluster_id).data.capacity
        assert capacity.used_endpoint_capacity == len(self.live()), "usedEndpointCapacity is not the live endpoints"


@pytest.mark.costly(HOSTING)
def test_endpoints(contract, hosting_cluster, request):
    model_id = base_model(contract, COHERE_CHAT_MODEL, "CHAT")
    run_machine(contract, request.node.nodeid, EndpointMachine, hosting_cluster, model_id)
