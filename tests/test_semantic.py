"""Semantic embeddings (the optional ``semantic`` extra) through the real SDK over real HTTP: vectors
that are close when texts mean the same thing, at each model's true dimension, deterministic; rerank
by meaning; chosen with ``serve --embeddings semantic`` or per model in the generators configuration."""

from __future__ import annotations

import math

import oci
import pytest
from oci.generative_ai_inference import models as im

from conftest import COMPARTMENT, admin
from emulator.inference.semantic import unavailable_reason
from emulator.server import BackgroundServer
from emulator.settings import Settings
from inference_helpers import dedicated, dedicated_endpoint, inference_client, on_demand

pytestmark = pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason()))

MODEL = "cohere.embed-v4.0"
CAT, FELINE, REVENUE = "The cat sits on the mat.", "A kitten naps on a rug.", "Quarterly revenue grew by ten percent."


@pytest.fixture(scope="module")
def semantic_url():
    server = BackgroundServer(Settings(port=0, embeddings="semantic")).start()
    yield server.url
    server.stop()


def embed(client, texts, **kw) -> list[list[float]]:
    details = im.EmbedTextDetails(inputs=texts, serving_mode=on_demand(MODEL), compartment_id=COMPARTMENT, **kw)
    return client.embed_text(details).data.embeddings


def cosine(a, b) -> float:
    return sum(x * y for x, y in zip(a, b)) / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


def test_vectors_are_close_when_texts_mean_the_same(semantic_url, oci_config, emulator_url):
    semantic = inference_client(oci_config, semantic_url)
    cat, feline, revenue = embed(semantic, [CAT, FELINE, REVENUE])
    assert cosine(cat, feline) > 0.4 > 0.15 > cosine(cat, revenue)
    hashed = embed(inference_client(oci_config, emulator_url), [CAT, FELINE, REVENUE])
    assert cosine(hashed[0], hashed[1]) < 0.15  # no shared word: feature hashing cannot tell
    assert embed(semantic, [CAT, FELINE, REVENUE]) == [cat, feline, revenue]  # the same every time


@pytest.mark.parametrize("dimensions", [256, 512, 1024, 1536])
def test_each_dimension_keeps_meaning_and_unit_length(semantic_url, oci_config, dimensions):
    cat, feline, revenue = embed(inference_client(oci_config, semantic_url), [CAT, FELINE, REVENUE],
                                 output_dimensions=dimensions)
    assert len(cat) == dimensions and all(abs(math.hypot(*v) - 1) < 1e-4 for v in (cat, feline, revenue))
    assert cosine(cat, feline) > cosine(cat, revenue) + 0.25


def test_generators_configuration_chooses_per_model(emulator_url, oci_config, semantic_url):
    hashed = inference_client(oci_config, emulator_url)
    admin(emulator_url, "generators", {"models": {"cohere.embed-*": {"type": "semantic"}}})
    cat, feline, _ = embed(hashed, [CAT, FELINE, REVENUE])
    assert cosine(cat, feline) > 0.4
    semantic = inference_client(oci_config, semantic_url)
    admin(semantic_url, "generators", {"models": {MODEL: {"type": "hashing"}}})
    try:
        cat, feline, _ = embed(semantic, [CAT, FELINE, REVENUE])
        assert cosine(cat, feline) < 0.15
    finally:
        admin(semantic_url, "generators", method="DELETE")
    with pytest.raises(Exception, match="400"):
        admin(emulator_url, "generators", {"models": {MODEL: {"type": "semantic", "dimensions": 3}}})


def test_rerank_ranks_by_meaning(semantic_url, oci_config):
    genai = oci.generative_ai.GenerativeAiClient(oci_config, service_endpoint=semantic_url)
    endpoint = dedicated_endpoint(genai, "cohere.rerank.v3-5", "TEXT_RERANK", "RERANK_COHERE")
    documents = ["The stock market fell sharply on Monday.", "Knead the dough, let it rise, then put it in a hot oven."]
    details = im.RerankTextDetails(input="How do I bake bread?", documents=documents,
                                   serving_mode=dedicated(endpoint.id), compartment_id=COMPARTMENT)
    ranks = inference_client(oci_config, semantic_url).rerank_text(details).data.document_ranks
    assert [r.index for r in ranks] == [1, 0] and 0 <= ranks[1].relevance_score < ranks[0].relevance_score <= 1
