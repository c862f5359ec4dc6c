"""Model discovery and a capacity reservation's allocatable GPUs through the oci SDK and CLI: read-only
lists derived from the base-model catalog and from the caller's dedicated AI clusters."""

from __future__ import annotations

import json

import oci
import pytest

from conftest import COMPARTMENT
from helpers import active_cluster, base_model, cluster_details
from tests.test_cli import cli_home, oci_cli  # noqa: F401

RESERVATION = "ocid1.capacityreservation.oc1.us-chicago-1.aaaaaaaareservationone"


def discover(genai, **filters) -> list:
    return oci.pagination.list_call_get_all_results(genai.list_model_discovery, COMPARTMENT, **filters).data


def test_every_model_name_of_the_catalog_is_discovered_once_with_where_and_how_it_is_served(genai):
    items = discover(genai)
    names = [m.model_id for m in items]
    assert names == sorted(set(names)) and "cohere.command-r-08-2024" in names
    command_r = next(m for m in items if m.model_id == "cohere.command-r-08-2024")
    assert command_r.vendor == "cohere" and command_r.capabilities == ["CHAT", "FINE_TUNE"]
    assert command_r.api_capability == ["OPENAI_V1_CHAT_COMPLETIONS", "OPENAI_V1_RESPONSES"]
    assert command_r.model_access == "HOSTED"
    (place,) = command_r.availability
    assert (place.realm, place.region, place.serving_modes) == ("oc1", "us-chicago-1", ["ON_DEMAND", "DEDICATED"])
    assert {p.name for p in command_r.parameters} == {"maxTokens", "temperature", "topP"}
    command = next(m for m in items if m.model_id == "cohere.command")  # four catalog entries, one name
    assert command.capabilities == ["TEXT_GENERATION", "FINE_TUNE", "TEXT_SUMMARIZATION"]
    assert command.availability[0].time_on_demand_retired is not None
    vision = next(m for m in items if m.model_id == "meta.llama-3.2-90b-vision-instruct")
    assert [(s.input, s.output) for s in vision.modality_support] == [("TEXT", "TEXT"), ("IMAGE", "TEXT")]
    embed = next(m for m in items if m.model_id == "cohere.embed-english-v3.0")
    assert embed.api_capability == [] and embed.parameters == []


def test_filters_combine_and_pages_follow_the_name_order(genai):
    everything = discover(genai)
    paged = discover(genai, limit=7)
    assert [m.model_id for m in paged] == [m.model_id for m in everything]
    google = discover(genai, model_access=["PROXY"])
    assert google and {m.vendor for m in google} == {"google"}
    rerank = discover(genai, capability=["TEXT_RERANK"])
    assert [m.model_id for m in rerank] == ["cohere.rerank.v3-5"]
    assert rerank[0].availability[0].serving_modes == ["DEDICATED"]
    on_demand_embed = discover(genai, capability=["TEXT_EMBEDDINGS"], serving_mode=["ON_DEMAND"])
    assert "cohere.embed-english-image-v3.0" not in {m.model_id for m in on_demand_embed}
    retired = discover(genai, is_on_demand_retired=True)
    assert "cohere.command" in {m.model_id for m in retired} and "xai.grok-4" not in {m.model_id for m in retired}
    current = discover(genai, is_deprecated=False, api_capability=["OPENAI_V1_RESPONSES"])
    assert "xai.grok-4" in {m.model_id for m in current} and "cohere.command-r-plus" not in {m.model_id for m in current}
    assert discover(genai, region=["eu-frankfurt-1"]) == [] and discover(genai, realm=["oc1"]) == everything


def test_model_id_takes_a_name_or_a_base_models_ocid(genai):
    by_name = discover(genai, model_id="meta.llama-3.3-70b-instruct")
    by_ocid = discover(genai, model_id=base_model(genai, "meta.llama-3.3-70b-instruct").id)
    assert [m.model_id for m in by_name] == [m.model_id for m in by_ocid] == ["meta.llama-3.3-70b-instruct"]
    assert discover(genai, model_id="no.such-model") == []


def test_a_page_token_replayed_with_other_filters_is_refused(genai_no_retry):
    first = genai_no_retry.list_model_discovery(COMPARTMENT, limit=2)
    with pytest.raises(oci.exceptions.ServiceError) as bad:
        genai_no_retry.list_model_discovery(COMPARTMENT, limit=2, page=first.next_page, capability=["CHAT"])
    assert (bad.value.status, bad.value.code) == (400, "InvalidParameter") and "page token" in bad.value.message


def gpus(genai, **kw) -> dict:
    items = oci.pagination.list_call_get_all_results(
        genai.list_dedicated_ai_clusters_allocatable_gpus, COMPARTMENT, RESERVATION, **kw
    ).data
    return {g.compute_shape: g for g in items}


def test_a_reservations_gpus_are_what_its_hosts_hold_less_the_clusters_on_it(genai):
    before = gpus(genai)
    h100 = before["BM.GPU.H100.8"]
    assert (h100.total_available_gpu_units, h100.total_used_gpu_units, h100.max_allocatable_gpu_units) == (16, 0, 8)
    genai.create_dedicated_ai_cluster(cluster_details("HOSTING", "H100_X2", 3, capacity_reservation_id=RESERVATION))
    active_cluster(genai, shape="OAI_H100_X4", capacity_reservation_id=RESERVATION)
    active_cluster(genai, shape="H100_X8")  # no reservation: takes none of its hosts
    after = gpus(genai, compute_shape="BM.GPU.H100.8")["BM.GPU.H100.8"]
    assert [(a.used_gpus, a.available_gpus) for a in after.gpu_allocations] == [(8, 0), (2, 6)]
    assert (after.total_available_gpu_units, after.total_used_gpu_units, after.max_allocatable_gpu_units) == (6, 10, 6)
    assert list(gpus(genai, compute_shape="BM.GPU.H100.8")) == ["BM.GPU.H100.8"]
    assert gpus(genai)["BM.GPU.A10.4"].total_used_gpu_units == 0


def test_allocatable_gpus_of_a_deleted_cluster_come_back(genai, composite):
    cluster = active_cluster(genai, shape="A10_X2", capacity_reservation_id=RESERVATION)
    assert gpus(genai)["BM.GPU.A10.4"].total_used_gpu_units == 2
    composite.delete_dedicated_ai_cluster_and_wait_for_state(
        cluster.id, wait_for_states=["SUCCEEDED"], waiter_kwargs={"max_interval_seconds": 0.05}
    )
    assert gpus(genai)["BM.GPU.A10.4"].total_used_gpu_units == 0


def test_a_capacity_reservation_must_be_named_by_its_ocid(genai_no_retry):
    with pytest.raises(oci.exceptions.ServiceError) as bad:
        genai_no_retry.list_dedicated_ai_clusters_allocatable_gpus(COMPARTMENT, "ocid1.subnet.oc1..aaaaaaaanotareservation")
    assert (bad.value.status, bad.value.code) == (400, "InvalidParameter") and "capacity reservation" in bad.value.message


def test_the_cli_lists_discovered_models_and_allocatable_gpus(oci_cli):  # noqa: F811
    found = json.loads(oci_cli(
        "generative-ai", "model-discovery-collection", "list-model-discovery", "--compartment-id", COMPARTMENT,
        "--capability", "TEXT_RERANK", "--all",
    ).stdout)
    assert [m["model-id"] for m in found["data"]["items"]] == ["cohere.rerank.v3-5"]
    listed = json.loads(oci_cli(
        "generative-ai", "allocatable-gpu-collection", "list-dedicated-ai-clusters-allocatable-gpus",
        "--compartment-id", COMPARTMENT, "--capacity-reservation-id", RESERVATION, "--compute-shape", "BM.GPU.H200.8",
    ).stdout)
    assert [g["compute-shape"] for g in listed["data"]["items"]] == ["BM.GPU.H200.8"]
