"""rerankText through the real SDK, on a dedicated endpoint (rerank is not offered on demand)."""

from __future__ import annotations

import oci
import pytest
from hypothesis import given
from oci.generative_ai_inference import models as im

from conftest import COMPARTMENT
from inference_helpers import (
    FUZZ, assert_not_500, dedicated, dedicated_endpoint, inference_client, mutated, on_demand, raw_endpoint, raw_error,
    raw_post,
)

MODEL = "cohere.rerank.v3-5"
DOCS = [
    "Carson City is the capital city of the American state of Nevada.",
    "The Northern Mariana Islands are a group of islands in the Pacific Ocean. Its capital is Saipan.",
    "Washington, D.C. is the capital of the United States. It is a federal district.",
    "Capital punishment has existed in the United States since before it was a country.",
    "Bananas are rich in potassium.",
]
QUERY = "What is the capital of the United States?"


@pytest.fixture
def client(emulator_url, oci_config):
    return inference_client(oci_config, emulator_url)


@pytest.fixture
def endpoint(genai):
    return dedicated_endpoint(genai, MODEL, "TEXT_RERANK", "RERANK_COHERE")


def rerank(client, endpoint_id, query=QUERY, documents=DOCS, **kw) -> im.RerankTextResult:
    details = im.RerankTextDetails(
        input=query, documents=documents, serving_mode=dedicated(endpoint_id), compartment_id=COMPARTMENT, **kw
    )
    return client.rerank_text(details).data


def test_ranks_sorted_by_relevance(client, endpoint):
    got = rerank(client, endpoint.id)
    scores = [r.relevance_score for r in got.document_ranks]
    assert sorted(r.index for r in got.document_ranks) == list(range(len(DOCS)))  # topN defaults to all
    assert scores == sorted(scores, reverse=True) and all(0.0 <= s <= 1.0 for s in scores)
    assert got.document_ranks[0].index == 2  # Washington, D.C.
    assert got.document_ranks[1].index == 3 and scores[0] > scores[1]  # the same words, not side by side
    assert got.document_ranks[-1].index == 4 and got.document_ranks[-1].relevance_score == 0.0  # bananas
    assert all(r.document is None for r in got.document_ranks)  # documents only with isEcho
    assert (got.model_id, got.model_version) == (endpoint.model_id, "3.5") and got.id

    again = rerank(client, endpoint.id)
    assert [(r.index, r.relevance_score) for r in again.document_ranks] == [
        (r.index, r.relevance_score) for r in got.document_ranks
    ]


def test_top_n_and_echo(client, endpoint):
    full = rerank(client, endpoint.id).document_ranks
    top = rerank(client, endpoint.id, top_n=2, is_echo=True).document_ranks
    assert [(r.index, r.relevance_score) for r in top] == [(r.index, r.relevance_score) for r in full[:2]]
    assert [r.document.text for r in top] == [DOCS[r.index] for r in top]
    assert len(rerank(client, endpoint.id, top_n=50).document_ranks) == len(DOCS)


def test_long_documents_chunks_and_token_cap(client, endpoint):
    filler = " ".join(f"filler{i}" for i in range(5000))
    docs = [filler + " volcano eruption", "nothing relevant here"]
    default = rerank(client, endpoint.id, "volcano eruption", docs).document_ranks
    assert default[0].index == 0 and default[0].relevance_score > 0  # the second 4,096-token chunk matches
    one_chunk = rerank(client, endpoint.id, "volcano eruption", docs, max_chunks_per_document=1).document_ranks
    assert {r.relevance_score for r in one_chunk} == {0.0}
    capped = rerank(client, endpoint.id, "volcano eruption", docs, max_tokens_per_document=100).document_ranks
    assert {r.relevance_score for r in capped} == {0.0}


def test_errors(client, endpoint):
    details = im.RerankTextDetails(
        input=QUERY, documents=DOCS, serving_mode=on_demand(MODEL), compartment_id=COMPARTMENT
    )
    with pytest.raises(oci.exceptions.ServiceError) as exc:
        client.rerank_text(details)
    assert (exc.value.status, exc.value.code) == (400, "400")
    assert "not available for on-demand serving" in exc.value.message

    for kw, status, text in (
        (dict(top_n=0), 400, "'topN': it must be at least 1"),
        (dict(max_chunks_per_document=0), 400, "'maxChunksPerDocument'"),
        (dict(documents=[]), 400, "documents must not be empty"),
        (dict(query="   "), 400, "must not be empty"),
        (dict(documents=["d"] * 1001), 400, "At most 1000 documents"),
    ):
        with pytest.raises(oci.exceptions.ServiceError) as exc:
            rerank(client, endpoint.id, **kw)
        assert (exc.value.status, exc.value.code, text in exc.value.message) == (status, str(status), True), (
            kw, exc.value.message,
        )

    missing = endpoint.id[:-6] + "zzzzzz"
    with pytest.raises(oci.exceptions.ServiceError) as exc:
        rerank(client, missing)
    assert (exc.value.status, exc.value.code) == (404, "404")
    assert exc.value.message == "Authorization failed or requested resource not found."


def test_chat_endpoint_cannot_rerank(client, genai):
    chat_endpoint = dedicated_endpoint(genai, "cohere.command-r-08-2024", "CHAT", "SMALL_COHERE_V2")
    with pytest.raises(oci.exceptions.ServiceError) as exc:
        rerank(client, chat_endpoint.id)
    assert exc.value.status == 400 and "does not support reranking" in exc.value.message


def test_raw_values(emulator_url):
    body = {"compartmentId": COMPARTMENT, "input": "q", "documents": "not a list",
            "servingMode": {"servingType": "ON_DEMAND", "modelId": MODEL}}
    status, code, message = raw_error(emulator_url, "rerankText", body)
    assert (status, code) == (400, "400") and "'documents'" in message


BASE = {"compartmentId": COMPARTMENT, "input": "capital", "documents": ["a capital", "b"],
        "servingMode": {"servingType": "DEDICATED", "endpointId": "ENDPOINT"}}
PATHS = ["input", "documents", "topN", "isEcho", "maxChunksPerDocument", "maxTokensPerDocument",
         "servingMode.modelId", "servingMode.servingType", "servingMode.endpointId", "compartmentId"]


@pytest.fixture
def raw_rerank_endpoint(emulator):
    """An endpoint of the default tenancy, where unsigned requests land."""
    return raw_endpoint(emulator.url, MODEL, "TEXT_RERANK", "RERANK_COHERE")


@FUZZ
@given(body=mutated(BASE, PATHS))
def test_malformed_requests_never_get_a_500(emulator, raw_rerank_endpoint, body):
    mode = body.get("servingMode")
    if isinstance(mode, dict) and mode.get("endpointId") == "ENDPOINT":
        body = {**body, "servingMode": {**mode, "endpointId": raw_rerank_endpoint}}
    assert_not_500(raw_post(emulator.url, "rerankText", body))
