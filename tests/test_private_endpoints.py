"""Generative AI private endpoints through the oci SDK: lifecycle with work requests, the FQDN the
service assigns, the tenancy limit, and endpoints served through one."""

from __future__ import annotations

import oci
import pytest
from oci.generative_ai import models

from conftest import COMPARTMENT, OTHER_COMPARTMENT, admin
from helpers import WAIT, active_cluster, active_endpoint, base_model

SUBNET = "ocid1.subnet.oc1.us-chicago-1.aaaaaaaasubnetone"


def details(dns_prefix: str = "myapp", **kw) -> models.CreateGenerativeAiPrivateEndpointDetails:
    return models.CreateGenerativeAiPrivateEndpointDetails(
        compartment_id=COMPARTMENT, subnet_id=SUBNET, dns_prefix=dns_prefix, **kw
    )


def active_private_endpoint(genai, dns_prefix: str = "myapp", **kw) -> models.GenerativeAiPrivateEndpoint:
    created = genai.create_generative_ai_private_endpoint(details(dns_prefix, **kw))
    return oci.wait_until(
        genai, genai.get_generative_ai_private_endpoint(created.data.id), "lifecycle_state", "ACTIVE", **WAIT
    ).data


def test_lifecycle_through_the_composite_waiters(genai, composite):
    done = composite.create_generative_ai_private_endpoint_and_wait_for_state(
        details("team-a", display_name="pe-a", nsg_ids=["ocid1.networksecuritygroup.oc1..aaaaaaaansg"]),
        wait_for_states=["SUCCEEDED"],
        waiter_kwargs=WAIT,
    ).data
    assert (done.operation_type, done.status, done.percent_complete) == ("CREATE_PRIVATE_ENDPOINT", "SUCCEEDED", 100.0)
    (resource,) = done.resources
    assert (resource.entity_type, resource.action_type) == ("GenerativeAiPrivateEndpoint", "CREATED")
    pe = genai.get_generative_ai_private_endpoint(resource.identifier)
    assert resource.entity_uri == f"/20231130/generativeAiPrivateEndpoints/{pe.data.id}"
    assert pe.data.id.startswith("ocid1.generativeaiprivateendpoint.oc1.us-chicago-1.")
    assert pe.data.lifecycle_state == "ACTIVE" and pe.data.display_name == "pe-a"
    assert pe.data.fqdn == "team-a.pe.inference.generativeai.us-chicago-1.oci.oraclecloud.com"
    assert pe.data.private_endpoint_ip.startswith("10.0.") and pe.data.subnet_id == SUBNET
    assert pe.data.is_allow_on_demand is False and pe.headers["etag"]

    updated = composite.update_generative_ai_private_endpoint_and_wait_for_state(
        pe.data.id,
        models.UpdateGenerativeAiPrivateEndpointDetails(dns_prefix="team-b", is_allow_on_demand=True),
        wait_for_states=["SUCCEEDED"],
        waiter_kwargs=WAIT,
    ).data
    assert updated.operation_type == "UPDATE_PRIVATE_ENDPOINT"
    after = genai.get_generative_ai_private_endpoint(pe.data.id).data
    assert after.fqdn.startswith("team-b.pe.") and after.is_allow_on_demand is True and after.lifecycle_state == "ACTIVE"

    moved = genai.change_generative_ai_private_endpoint_compartment(
        pe.data.id, models.ChangeGenerativeAiPrivateEndpointCompartmentDetails(compartment_id=OTHER_COMPARTMENT)
    )
    move = genai.get_work_request(moved.headers["opc-work-request-id"]).data
    assert (move.operation_type, move.status) == ("MOVE_PRIVATE_ENDPOINT", "SUCCEEDED")
    assert [p.id for p in genai.list_generative_ai_private_endpoints(OTHER_COMPARTMENT).data.items] == [pe.data.id]
    assert genai.list_generative_ai_private_endpoints(COMPARTMENT).data.items == []

    deleted = composite.delete_generative_ai_private_endpoint_and_wait_for_state(
        pe.data.id, wait_for_states=["SUCCEEDED"], waiter_kwargs=WAIT
    ).data
    assert deleted.operation_type == "DELETE_PRIVATE_ENDPOINT"
    assert genai.get_generative_ai_private_endpoint(pe.data.id).data.lifecycle_state == "DELETED"


def test_list_filters_sort_and_pages(genai):
    made = [active_private_endpoint(genai, f"prefix{i}", display_name=f"pe-{i}", resource_type=rt)
            for i, rt in enumerate(["ENDPOINT", "APPLICATION", "ENDPOINT"])]
    everything = oci.pagination.list_call_get_all_results(
        genai.list_generative_ai_private_endpoints, COMPARTMENT, limit=1
    ).data
    assert [p.id for p in everything] == [p.id for p in reversed(made)]  # newest first
    apps = genai.list_generative_ai_private_endpoints(COMPARTMENT, resource_type="APPLICATION").data.items
    assert [p.display_name for p in apps] == ["pe-1"]
    assert apps[0].fqdn and apps[0].private_endpoint_ip  # summaries carry them
    by_name = genai.list_generative_ai_private_endpoints(COMPARTMENT, display_name="pe-2").data.items
    assert [p.id for p in by_name] == [made[2].id]


def test_dns_prefix_rules_and_the_tenancy_limit(genai_no_retry):
    genai = genai_no_retry
    with pytest.raises(oci.exceptions.ServiceError) as bad:
        genai.create_generative_ai_private_endpoint(details("not a label"))
    assert (bad.value.status, bad.value.code) == (400, "InvalidParameter") and "dnsPrefix" in bad.value.message
    for i in range(5):
        active_private_endpoint(genai, f"pe{i}")
    with pytest.raises(oci.exceptions.ServiceError) as limit:
        genai.create_generative_ai_private_endpoint(details("pe5"))
    assert (limit.value.status, limit.value.code) == (400, "LimitExceeded") and "5" in limit.value.message


def test_a_second_private_endpoint_cannot_take_a_used_dns_prefix(genai_no_retry):
    active_private_endpoint(genai_no_retry, "shared")
    with pytest.raises(oci.exceptions.ServiceError) as taken:
        genai_no_retry.create_generative_ai_private_endpoint(details("Shared"))
    assert (taken.value.status, taken.value.code) == (409, "Conflict") and "'Shared'" in taken.value.message


def test_endpoints_are_served_through_an_active_private_endpoint(genai, genai_no_retry):
    pe = active_private_endpoint(genai, "serving")
    app_pe = active_private_endpoint(genai, "apps", resource_type="APPLICATION")
    cluster = active_cluster(genai)
    model = base_model(genai, "cohere.command-r-08-2024")
    endpoint = active_endpoint(genai, cluster.id, model.id, generative_ai_private_endpoint_id=pe.id)
    assert endpoint.generative_ai_private_endpoint_id == pe.id
    listed = genai.list_endpoints(COMPARTMENT, generative_ai_private_endpoint_id=pe.id).data.items
    assert [e.id for e in listed] == [endpoint.id]

    with pytest.raises(oci.exceptions.ServiceError) as wrong_kind:
        genai_no_retry.update_endpoint(
            endpoint.id, models.UpdateEndpointDetails(generative_ai_private_endpoint_id=app_pe.id)
        )
    assert wrong_kind.value.status == 400 and "APPLICATION" in wrong_kind.value.message
    with pytest.raises(oci.exceptions.ServiceError) as missing:
        genai_no_retry.update_endpoint(
            endpoint.id,
            models.UpdateEndpointDetails(
                generative_ai_private_endpoint_id="ocid1.generativeaiprivateendpoint.oc1.us-chicago-1.amaaaaaanope"
            ),
        )
    assert (missing.value.status, missing.value.code) == (400, "RelatedResourceNotAuthorizedOrNotFound")

    with pytest.raises(oci.exceptions.ServiceError) as in_use:
        genai_no_retry.delete_generative_ai_private_endpoint(pe.id)
    assert (in_use.value.status, in_use.value.code) == (409, "Conflict") and endpoint.id in in_use.value.message


def test_busy_and_stale_private_endpoints_refuse_changes(genai, genai_no_retry, emulator_url):
    admin(emulator_url, "config", {"transitions": {"privateendpoint": {"mode": "manual"}}})
    created = genai.create_generative_ai_private_endpoint(details("busy"))
    assert created.data.lifecycle_state == "CREATING"
    with pytest.raises(oci.exceptions.ServiceError) as busy:
        genai_no_retry.delete_generative_ai_private_endpoint(created.data.id)
    assert (busy.value.status, busy.value.code) == (409, "IncorrectState")
    assert admin(emulator_url, "transitions/complete", {"kind": "privateendpoint"}) == {"completed": 1}
    with pytest.raises(oci.exceptions.ServiceError) as stale:
        genai_no_retry.update_generative_ai_private_endpoint(
            created.data.id, models.UpdateGenerativeAiPrivateEndpointDetails(display_name="x"), if_match="stale"
        )
    assert (stale.value.status, stale.value.code) == (412, "NoEtagMatch")


def test_another_tenancy_sees_none_of_them(genai, emulator_url, other_oci_config):
    pe = active_private_endpoint(genai, "mine")
    other = oci.generative_ai.GenerativeAiClient(
        other_oci_config, service_endpoint=emulator_url, retry_strategy=oci.retry.NoneRetryStrategy()
    )
    assert other.list_generative_ai_private_endpoints(COMPARTMENT).data.items == []
    with pytest.raises(oci.exceptions.ServiceError) as exc:
        other.get_generative_ai_private_endpoint(pe.id)
    assert exc.value.status == 404
    other.create_generative_ai_private_endpoint(details("mine"))  # prefixes are per tenancy
