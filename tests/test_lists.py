"""Lists: pages, sorts and every filter, through oci.pagination; with a hypothesis property."""

from __future__ import annotations

import json
from pathlib import Path

import oci
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oci.generative_ai import models
from oci.generative_ai_inference import models as im

from chat_helpers import chat, generic, service_error
from conftest import COMPARTMENT, OTHER_COMPARTMENT, admin
from helpers import active_cluster, base_model, cluster_details


def test_model_catalog_filters(genai):
    everything = oci.pagination.list_call_get_all_results(genai.list_models, COMPARTMENT, limit=7).data
    assert len(everything) == len({m.id for m in everything}) >= 30
    assert all(m.type == "BASE" and m.compartment_id is None for m in everything)
    names = [m.display_name for m in everything]
    assert names.count("cohere.command") == 4  # one entry per version and capability set, as the real service
    for vendor in ("cohere", "meta", "xai", "openai", "google"):
        got = oci.pagination.list_call_get_all_results(genai.list_models, COMPARTMENT, vendor=vendor).data
        assert got and all(m.vendor == vendor for m in got)
        assert len(got) == sum(m.vendor == vendor for m in everything)
    chat = oci.pagination.list_call_get_all_results(genai.list_models, COMPARTMENT, capability=["CHAT"]).data
    assert chat and all("CHAT" in m.capabilities for m in chat)
    either = oci.pagination.list_call_get_all_results(
        genai.list_models, COMPARTMENT, capability=["TEXT_EMBEDDINGS", "TEXT_RERANK"]
    ).data
    assert {c for m in either for c in m.capabilities} >= {"TEXT_EMBEDDINGS", "TEXT_RERANK"}
    assert all({"TEXT_EMBEDDINGS", "TEXT_RERANK"} & set(m.capabilities) for m in either)
    one = everything[3]
    assert [m.id for m in genai.list_models(COMPARTMENT, id=one.id).data.items] == [one.id]
    by_name = genai.list_models(COMPARTMENT, display_name="meta.llama-3.3-70b-instruct").data.items
    assert by_name and all(m.display_name == "meta.llama-3.3-70b-instruct" for m in by_name)
    assert genai.get_model(one.id).data.display_name == one.display_name
    retired = [m for m in everything if m.time_on_demand_retired is not None]
    assert retired and all(m.lifecycle_state == "ACTIVE" for m in retired)


def test_models_sorted_by_display_name(genai):
    asc = [m.display_name for m in oci.pagination.list_call_get_all_results(
        genai.list_models, COMPARTMENT, sort_by="displayName", limit=5).data]
    assert asc == sorted(asc)
    desc = [m.display_name for m in oci.pagination.list_call_get_all_results(
        genai.list_models, COMPARTMENT, sort_by="displayName", sort_order="DESC", limit=5).data]
    assert desc == sorted(asc, reverse=True)


def test_custom_models_appear_only_in_their_compartment(genai):
    from helpers import fine_tune_details

    cluster = active_cluster(genai, "FINE_TUNING", "SMALL_COHERE_V2", count=8)
    base = base_model(genai, "cohere.command-r-08-2024", capability="FINE_TUNE")
    custom = genai.create_model(models.CreateModelDetails(
        compartment_id=COMPARTMENT, base_model_id=base.id, fine_tune_details=fine_tune_details(cluster.id)
    )).data
    here = oci.pagination.list_call_get_all_results(genai.list_models, COMPARTMENT).data
    there = oci.pagination.list_call_get_all_results(genai.list_models, OTHER_COMPARTMENT).data
    assert custom.id in {m.id for m in here}
    assert custom.id not in {m.id for m in there}
    assert len(here) == len(there) + 1


def test_change_compartment_moves_the_resource_in_lists(genai):
    cluster = active_cluster(genai)
    moved = genai.change_dedicated_ai_cluster_compartment(
        cluster.id, models.ChangeDedicatedAiClusterCompartmentDetails(compartment_id=OTHER_COMPARTMENT)
    )
    assert moved.status == 204
    wr = genai.get_work_request(moved.headers["opc-work-request-id"]).data
    assert (wr.operation_type, wr.status, wr.compartment_id) == ("MOVE_DEDICATED_AI_CLUSTER", "SUCCEEDED", OTHER_COMPARTMENT)
    assert genai.list_dedicated_ai_clusters(COMPARTMENT).data.items == []
    moved = genai.list_dedicated_ai_clusters(OTHER_COMPARTMENT).data.items
    assert [c.id for c in moved] == [cluster.id]
    assert genai.get_dedicated_ai_cluster(cluster.id).data.compartment_id == OTHER_COMPARTMENT


def test_list_filters_of_clusters_and_endpoints(genai):
    hosting = active_cluster(genai, display_name="alpha")
    creating = genai.create_dedicated_ai_cluster(cluster_details(display_name="beta", count=2)).data
    states = {c.id: c.lifecycle_state for c in genai.list_dedicated_ai_clusters(COMPARTMENT).data.items}
    assert states == {hosting.id: "ACTIVE", creating.id: "ACTIVE"}  # the list settled the due transition
    assert [c.id for c in genai.list_dedicated_ai_clusters(COMPARTMENT, display_name="beta").data.items] == [creating.id]
    assert [c.id for c in genai.list_dedicated_ai_clusters(COMPARTMENT, id=hosting.id).data.items] == [hosting.id]
    assert genai.list_dedicated_ai_clusters(COMPARTMENT, lifecycle_state="DELETED").data.items == []
    model = base_model(genai, "cohere.command-r-08-2024")
    ep = genai.create_endpoint(models.CreateEndpointDetails(
        compartment_id=COMPARTMENT, dedicated_ai_cluster_id=hosting.id, model_id=model.id, display_name="ep-1"
    )).data
    assert [e.id for e in genai.list_endpoints(COMPARTMENT, display_name="ep-1").data.items] == [ep.id]
    assert [e.id for e in genai.list_endpoints(COMPARTMENT, lifecycle_state="ACTIVE").data.items] == [ep.id]
    assert genai.list_endpoints(COMPARTMENT, display_name="other").data.items == []


def test_no_next_page_header_on_the_last_page(genai):
    for _ in range(4):
        genai.create_dedicated_ai_cluster(cluster_details())
    first = genai.list_dedicated_ai_clusters(COMPARTMENT, limit=2)
    assert "opc-next-page" in first.headers
    last = genai.list_dedicated_ai_clusters(COMPARTMENT, limit=2, page=first.headers["opc-next-page"])
    assert len(last.data.items) == 2 and "opc-next-page" not in last.headers
    exact = genai.list_dedicated_ai_clusters(COMPARTMENT, limit=4)
    assert "opc-next-page" not in exact.headers


names = st.text(alphabet="abAB_-1", min_size=1, max_size=3)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    display_names=st.lists(names, min_size=0, max_size=14),
    limit=st.integers(min_value=1, max_value=6),
    sort_by=st.sampled_from(["timeCreated", "displayName", "lifecycleState"]),
    sort_order=st.sampled_from([None, "ASC", "DESC"]),
    state=st.sampled_from([None, "ACTIVE", "CREATING"]),
)
def test_pagination_has_no_duplicates_no_gaps_and_keeps_order(
    emulator, oci_config, display_names, limit, sort_by, sort_order, state
):
    admin(emulator.url, "reset", {})
    client = oci.generative_ai.GenerativeAiClient(oci_config, service_endpoint=emulator.url)
    created = {}
    for i, name in enumerate(display_names):
        if i % 3 == 2:  # every third one stays CREATING
            admin(emulator.url, "config", {"transitions": {"dedicatedaicluster": {"mode": "manual"}}})
        else:
            admin(emulator.url, "config", {"transitions": {"dedicatedaicluster": {"mode": "delay", "seconds": 0}}})
        c = client.create_dedicated_ai_cluster(cluster_details(display_name=name)).data
        created[c.id] = c
    kwargs = {"limit": limit, "sort_by": sort_by}
    if sort_order:
        kwargs["sort_order"] = sort_order
    if state:
        kwargs["lifecycle_state"] = state
    listed = oci.pagination.list_call_get_all_results(client.list_dedicated_ai_clusters, COMPARTMENT, **kwargs).data
    ids = [c.id for c in listed]
    assert len(ids) == len(set(ids))
    expected = {i for i, c in created.items() if state is None or _state(client, i) == state}
    assert set(ids) == expected
    key = {"timeCreated": "time_created", "displayName": "display_name", "lifecycleState": "lifecycle_state"}[sort_by]
    values = [getattr(c, key) for c in listed]
    descending = (sort_order or ("DESC" if sort_by == "timeCreated" else "ASC")) == "DESC"
    assert values == sorted(values, reverse=descending)


def _state(client, cluster_id):
    return client.get_dedicated_ai_cluster(cluster_id).data.lifecycle_state


def test_work_request_logs_and_errors_page_by_keyset(genai_no_retry, emulator_url):
    genai = genai_no_retry
    admin(emulator_url, "config", {"transitions": {"dedicatedaicluster": {"outcome": "FAILED"}}})
    wr_id = genai.create_dedicated_ai_cluster(cluster_details()).headers["opc-work-request-id"]
    genai.get_work_request(wr_id)  # lands the failure
    logs = genai.list_work_request_logs(wr_id).data.items
    assert len(logs) == 2 and logs[0].timestamp <= logs[1].timestamp and "failed" in logs[1].message

    first = genai.list_work_request_logs(wr_id, limit=1)
    assert [e.message for e in first.data.items] == [logs[0].message] and first.headers.get("opc-next-page")
    last = genai.list_work_request_logs(wr_id, limit=1, page=first.headers["opc-next-page"])
    assert [e.message for e in last.data.items] == [logs[1].message] and "opc-next-page" not in last.headers
    desc = oci.pagination.list_call_get_all_results(genai.list_work_request_logs, wr_id, limit=1, sort_order="DESC")
    assert [e.message for e in desc.data] == [logs[1].message, logs[0].message]

    only = genai.list_work_request_errors(wr_id, limit=1)
    assert len(only.data.items) == 1 and "opc-next-page" not in only.headers  # exactly one page

    token = first.headers["opc-next-page"]
    for forged in [token[:-3], token + "x", "bm90LWEtdG9rZW4", "W10", "e30"]:  # truncated, padded, junk, [], {}
        with pytest.raises(oci.exceptions.ServiceError) as exc:
            genai.list_work_request_logs(wr_id, limit=1, page=forged)
        assert (exc.value.status, exc.value.code) == (400, "InvalidParameter"), forged
    with pytest.raises(oci.exceptions.ServiceError) as exc:  # a logs token does not page errors
        genai.list_work_request_errors(wr_id, limit=1, page=token)
    assert exc.value.status == 400


def test_catalog_dates_name_their_source_and_only_sourced_ones_are_enforced(genai, inference):
    """Every deprecation or retirement date names the Oracle page that states it (``xDateSources``), or
    null; a retired model whose retirement a page states is refused on demand, one whose date none does is not."""
    catalog = json.loads((Path(__file__).resolve().parents[1] / "emulator" / "data" / "base_models.json").read_text())
    for entry in catalog:
        dated = {f for f in ("timeDeprecated", "timeOnDemandRetired", "timeDedicatedRetired") if entry.get(f)}
        sources = entry.get("xDateSources", {})
        assert set(sources) == dated, entry["displayName"]
        assert all(url is None or url.startswith("https://docs.oracle.com/") for url in sources.values())
    exc = service_error(chat, inference, "cohere.command-r-16k", im.CohereChatRequest(message="Hi"))
    assert exc.status == 400 and "retired from on-demand serving on 2025-01-16" in exc.message
    unsourced = next(e for e in catalog if e["displayName"] == "meta.llama-3.1-70b-instruct")
    assert unsourced["timeOnDemandRetired"] < "2026" and unsourced["xDateSources"]["timeOnDemandRetired"] is None
    assert chat(inference, "meta.llama-3.1-70b-instruct", generic("Hi")).chat_response.choices
    listed = genai.list_models(COMPARTMENT, display_name="meta.llama-3.1-70b-instruct").data.items
    assert listed[0].time_on_demand_retired is not None  # still shown as the catalog has it
