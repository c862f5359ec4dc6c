"""Routing profiles through the oci SDK and CLI: synchronous, with region and on-demand model
policies that keep their order and refuse duplicates."""

from __future__ import annotations

import json

import oci
import pytest
from oci.generative_ai import models

from conftest import COMPARTMENT, OTHER_COMPARTMENT, admin
from helpers import WAIT
from tests.test_cli import cli_home, oci_cli  # noqa: F401


def details(name: str = "smart", allowed_models=("meta.llama-3.3-70b-instruct",), regions=None, **kw):
    return models.CreateRoutingProfileDetails(
        compartment_id=COMPARTMENT, display_name=name,
        model_routing_policy=models.ModelRoutingPolicy(allowed_models=list(allowed_models)),
        region_routing_policy=models.RegionRoutingPolicy(allowed_regions=regions) if regions else None, **kw,
    )


def test_a_profile_is_active_at_once_and_keeps_its_previous_state(genai, composite):
    created = composite.create_routing_profile_and_wait_for_state(
        details(regions=["us-chicago-1", "eu-frankfurt-1"]), wait_for_states=["ACTIVE"], waiter_kwargs=WAIT)
    profile = created.data
    assert profile.id.startswith("ocid1.generativeairoutingprofile.") and profile.lifecycle_state == "ACTIVE"
    assert "opc-work-request-id" not in created.headers and created.headers["etag"]
    assert profile.region_routing_policy.allowed_regions == ["us-chicago-1", "eu-frankfurt-1"]

    updated = genai.update_routing_profile(profile.id, models.UpdateRoutingProfileDetails(
        model_routing_policy=models.ModelRoutingPolicy(allowed_models=["xai.grok-4", "openai.gpt-oss-120b"])))
    assert updated.data.lifecycle_state == "ACTIVE" and "opc-work-request-id" not in updated.headers
    assert updated.data.model_routing_policy.allowed_models == ["xai.grok-4", "openai.gpt-oss-120b"]
    assert updated.data.previous_state.model_routing_policy.allowed_models == ["meta.llama-3.3-70b-instruct"]

    genai.change_routing_profile_compartment(
        profile.id, models.ChangeRoutingProfileCompartmentDetails(compartment_id=OTHER_COMPARTMENT))
    assert [p.id for p in genai.list_routing_profiles(OTHER_COMPARTMENT).data.items] == [profile.id]

    composite.delete_routing_profile_and_wait_for_state(profile.id, wait_for_states=["DELETED"], waiter_kwargs=WAIT)
    assert genai.get_routing_profile(profile.id).data.lifecycle_state == "DELETED"


@pytest.mark.parametrize("bad, words", [
    (details(allowed_models=["xai.grok-4", "xai.grok-4"]), "more than once"),
    (details(regions=["us-chicago-1", "us-chicago-1"]), "more than once"),
    (details(regions=["Chicago"]), "region identifier"),
    (details(allowed_models=["no.such-model"]), "no.such-model"),
    (details(allowed_models=["cohere.command"]), "on demand"),  # retired from on-demand serving
    (details(allowed_models=["cohere.rerank.v3-5"]), "on demand"),  # dedicated only
])
def test_policies_are_checked(genai_no_retry, bad, words):
    with pytest.raises(oci.exceptions.ServiceError) as refused:
        genai_no_retry.create_routing_profile(bad)
    assert (refused.value.status, refused.value.code) == (400, "InvalidParameter") and words in refused.value.message


def test_lists_filter_sort_and_page(genai):
    made = [genai.create_routing_profile(details(name)).data for name in ("b", "a", "c")]
    by_name = genai.list_routing_profiles(COMPARTMENT, sort_by="displayName").data.items
    assert [p.display_name for p in by_name] == ["a", "b", "c"]
    newest_first = oci.pagination.list_call_get_all_results(genai.list_routing_profiles, COMPARTMENT, limit=2).data
    assert [p.id for p in newest_first] == [p.id for p in reversed(made)]
    assert [p.id for p in genai.list_routing_profiles(COMPARTMENT, display_name="a").data.items] == [made[1].id]
    genai.delete_routing_profile(made[0].id)
    assert [p.id for p in genai.list_routing_profiles(COMPARTMENT, lifecycle_state="DELETED").data.items] == [made[0].id]


def test_etags_tenancies_and_snapshots(genai, genai_no_retry, emulator_url, other_oci_config):
    profile = genai.create_routing_profile(details())
    with pytest.raises(oci.exceptions.ServiceError) as stale:
        genai_no_retry.delete_routing_profile(profile.data.id, if_match="stale")
    assert stale.value.status == 412
    genai.update_routing_profile(profile.data.id, models.UpdateRoutingProfileDetails(description="d"),
                                 if_match=profile.headers["etag"])
    stranger = oci.generative_ai.GenerativeAiClient(
        other_oci_config, service_endpoint=emulator_url, retry_strategy=oci.retry.NoneRetryStrategy())
    with pytest.raises(oci.exceptions.ServiceError) as foreign:
        stranger.get_routing_profile(profile.data.id)
    assert foreign.value.status == 404
    snapshot = admin(emulator_url, "state")
    admin(emulator_url, "reset", {})
    admin(emulator_url, "state", snapshot)
    assert genai.get_routing_profile(profile.data.id).data.description == "d"


def test_the_cli_creates_and_lists_profiles(oci_cli):  # noqa: F811
    created = json.loads(oci_cli(
        "generative-ai", "routing-profile", "create", "--compartment-id", COMPARTMENT, "--display-name", "cli",
        "--model-routing-policy", json.dumps({"allowedModels": ["meta.llama-3.3-70b-instruct"]}),
    ).stdout)
    assert created["data"]["lifecycle-state"] == "ACTIVE"
    listed = json.loads(oci_cli("generative-ai", "routing-profile-collection", "list-routing-profiles",
                                "--compartment-id", COMPARTMENT, "--all").stdout)
    assert [p["id"] for p in listed["data"]["items"]] == [created["data"]["id"]]


def test_a_defined_tag_namespace_must_be_an_object(genai_no_retry):
    with pytest.raises(oci.exceptions.ServiceError) as bad:
        genai_no_retry.base_client.call_api(  # the SDK checks this itself; other clients may not
            resource_path="/routingProfiles", method="POST", header_params={"content-type": "application/json"},
            body={"compartmentId": COMPARTMENT, "displayName": "x", "definedTags": {"Operations": "not-an-object"}},
        )
    assert (bad.value.status, bad.value.code) == (400, "InvalidParameter") and "definedTags" in bad.value.message
