"""Generative AI private endpoints: the shared resource rules, each in the subnet it was made in,
reached by an FQDN that starts with its DNS prefix (unique among a tenancy's live ones)."""

from __future__ import annotations

import pytest
from oci.generative_ai import models

from emulator.protocol.limits import PRIVATE_ENDPOINTS_PER_TENANCY

from .machines import ResourceMachine, run_machine

# Any subnet OCID works on the emulator; a tenancy needs a real one (--subnet-id).
EMULATOR_SUBNET = "ocid1.subnet.oc1.us-chicago-1.aaaaaaaacontractsubnet"


class PrivateEndpointMachine(ResourceMachine):
    noun = "generative_ai_private_endpoint"
    entity = "GenerativeAiPrivateEndpoint"
    label = "private-endpoint"
    sort_fields = ("timeCreated",)  # the only sortBy the SDK allows here

    def __init__(self, ctx, subnet_id: str):
        super().__init__(ctx)
        self.subnet_id = subnet_id
        self.dns_prefixes: set[str] = set()  # the DNS prefixes of its creates (its names then)

    def can_create(self) -> bool:
        """The tenancy's limit (5) counts private endpoints still DELETING: deletes not awaited yet
        take room too."""
        holding = [r for r in self.resources if not (r.deleted and r.settled)]
        return super().can_create() and len(holding) < PRIVATE_ENDPOINTS_PER_TENANCY

    def create_details(self, name, compartment, data):
        self.dns_prefixes.add(name.lower())
        return models.CreateGenerativeAiPrivateEndpointDetails(
            compartment_id=compartment,
            subnet_id=self.subnet_id,
            dns_prefix=name,
            display_name=name,
            freeform_tags=self.tags(),
        )

    def update_details(self, name):
        return models.UpdateGenerativeAiPrivateEndpointDetails(display_name=name, description=f"renamed {name}")

    def check_resource(self, r, data):
        assert data.subnet_id == self.subnet_id
        assert data.fqdn and data.fqdn.split(".")[0] in self.dns_prefixes, f"{r.id}: fqdn {data.fqdn} of no DNS prefix it gave"


@pytest.mark.needs("subnet_id", "a subnet for its private endpoints")
@pytest.mark.costly()
def test_private_endpoints(contract, request):
    run_machine(contract, request.node.nodeid, PrivateEndpointMachine, contract.options.subnet_id or EMULATOR_SUBNET)
