"""embedText through the real SDK: dimensions, unit vectors, determinism, retrieval, limits and errors."""

from __future__ import annotations

import base64
import math
import struct
import uuid

import oci
import pytest
from hypothesis import given
from oci.generative_ai_inference import models as im

from conftest import COMPARTMENT
from inference_helpers import (
    FUZZ, assert_not_500, dedicated, dedicated_endpoint, inference_client, mutated, on_demand, raw_error, raw_post,
)

V4 = "cohere.embed-v4.0"
DOCS = [
    "Paris is the capital and largest city of France.",
    "Mitochondria produce most of the chemical energy a cell needs.",
    "Python is a programming language that developers love for its readability.",
    "Bananas are a fruit rich in potassium and fiber.",
    "The Pacific Ocean is the largest and deepest ocean on Earth.",
]
QUERIES = {
    "What is the capital city of France?": 0,
    "Which organelle produces energy for cells?": 1,
    "a readable programming language for developers": 2,
    "fruit high in potassium": 3,
    "deepest ocean on the planet": 4,
}


@pytest.fixture
def client(emulator_url, oci_config):
    return inference_client(oci_config, emulator_url)


def embed(client, inputs=None, serving=None, **kw) -> im.EmbedTextResult:
    details = im.EmbedTextDetails(
        inputs=inputs, serving_mode=serving or on_demand(V4), compartment_id=COMPARTMENT, **kw
    )
    return client.embed_text(details).data


def norm(v) -> float:
    return math.sqrt(sum(x * x for x in v))


def dot(a, b) -> float:
    return sum(x * y for x, y in zip(a, b))


def error(call, *args, **kw) -> oci.exceptions.ServiceError:
    with pytest.raises(oci.exceptions.ServiceError) as exc:
        call(*args, **kw)
    return exc.value


def test_v4_dimensions_unit_vectors_and_determinism(client):
    first = embed(client, ["hello world", "an entirely different sentence"])
    assert [len(v) for v in first.embeddings] == [1536, 1536]
    assert all(abs(norm(v) - 1) < 1e-4 for v in first.embeddings)
    assert (first.model_id, first.model_version) == (V4, "4.0")
    assert str(uuid.UUID(first.id)) == first.id
    assert (first.usage.prompt_tokens, first.usage.total_tokens) == (6, 6)
    assert first.inputs is None and first.embeddings_by_type is None

    again = embed(client, ["hello world", "an entirely different sentence"])
    assert again.embeddings == first.embeddings and again.id != first.id
    assert abs(dot(*first.embeddings)) < 0.2  # unrelated texts: nearly orthogonal

    for dims in (256, 512, 1024, 1536):
        got = embed(client, ["hello world"], output_dimensions=dims)
        assert len(got.embeddings[0]) == dims and abs(norm(got.embeddings[0]) - 1) < 1e-4


def test_v3_dimensions_through_dedicated_endpoints(client, genai):
    for name, dims in (("cohere.embed-english-v3.0", 1024), ("cohere.embed-english-light-v3.0", 384)):
        endpoint = dedicated_endpoint(genai, name, "TEXT_EMBEDDINGS", "EMBED_COHERE")
        got = embed(client, ["hello world"], dedicated(endpoint.id))
        assert len(got.embeddings[0]) == dims and abs(norm(got.embeddings[0]) - 1) < 1e-4
        assert (got.model_id, got.model_version) == (endpoint.model_id, "3.0")


def test_retrieval_demo_ranks_the_right_document_first(client):
    docs = embed(client, DOCS, input_type="SEARCH_DOCUMENT").embeddings
    queries = embed(client, list(QUERIES), input_type="SEARCH_QUERY").embeddings
    for (query, expected), q in zip(QUERIES.items(), queries):
        scores = [dot(q, d) for d in docs]
        assert max(range(len(docs)), key=scores.__getitem__) == expected, (query, scores)

    same_text = embed(client, [DOCS[0]], input_type="SEARCH_QUERY").embeddings[0]
    assert 0.9 < dot(same_text, docs[0]) < 0.9999  # the input type shifts the vector a little


def test_at_most_96_inputs_and_at_least_one(client):
    assert len(embed(client, [f"text {i}" for i in range(96)]).embeddings) == 96
    for inputs in ([f"text {i}" for i in range(97)], []):
        exc = error(embed, client, inputs)
        assert (exc.status, exc.code) == (400, "400")
        assert exc.message == "Inputs must be provided, support inputs array size less than 96."


def test_truncate_modes_on_a_512_token_model(client, genai):
    endpoint = dedicated_endpoint(genai, "cohere.embed-english-v3.0", "TEXT_EMBEDDINGS", "EMBED_COHERE")
    serving = dedicated(endpoint.id)
    long_text = " ".join(f"word{i}" for i in range(600))

    exc = error(embed, client, ["short", long_text], serving)
    assert (exc.status, exc.code) == (400, "400")
    assert "index 1" in exc.message and "600 tokens" in exc.message and "512" in exc.message
    assert error(embed, client, [long_text], serving, truncate="NONE").status == 400

    end = embed(client, [long_text], serving, truncate="END")
    start = embed(client, [long_text], serving, truncate="START")
    assert end.usage.prompt_tokens == start.usage.prompt_tokens == 512
    assert end.embeddings != start.embeddings
    kept_head = " ".join(f"word{i}" for i in range(512))
    kept_tail = " ".join(f"word{i}" for i in range(88, 600))
    assert embed(client, [kept_head], serving).embeddings == end.embeddings
    assert embed(client, [kept_tail], serving).embeddings == start.embeddings


def test_embedding_types(client):
    got = embed(
        client, ["quantize me", "and me too"], output_dimensions=256,
        embedding_types=["float", "int8", "uint8", "binary", "ubinary", "base64"],
    )
    by_type = got.embeddings_by_type
    assert set(by_type) == {"float", "int8", "uint8", "binary", "ubinary", "base64"}
    assert by_type["float"] == got.embeddings
    for i, vector in enumerate(got.embeddings):
        assert len(by_type["int8"][i]) == len(by_type["uint8"][i]) == 256
        assert all(-128 <= x <= 127 for x in by_type["int8"][i]) and all(0 <= x <= 255 for x in by_type["uint8"][i])
        assert max(map(abs, by_type["int8"][i])) == 127
        assert all((q > 0) == (x > 0) for q, x in zip(by_type["int8"][i], vector) if q)
        ubinary, binary = by_type["ubinary"][i], by_type["binary"][i]
        assert len(ubinary) == len(binary) == 32 and [b - 128 for b in ubinary] == binary
        bits = [(ubinary[k // 8] >> (7 - k % 8)) & 1 for k in range(256)]
        assert bits == [int(x > 0) for x in vector]
        floats = struct.unpack("<256f", base64.b64decode(by_type["base64"][i]))
        assert max(abs(a - b) for a, b in zip(floats, vector)) < 1e-6

    only_int8 = embed(client, ["quantize me"], embedding_types=["int8"])
    assert set(only_int8.embeddings_by_type) == {"int8"} and len(only_int8.embeddings[0]) == 1536


def test_echo_embed_contents_and_images(client):
    echoed = embed(client, ["one", "two"], is_echo=True)
    assert echoed.inputs == ["one", "two"]

    image = (
        "data:image/png;base64,"
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )
    details = im.EmbedTextDetails(
        embed_contents=[
            im.EmbedTextContent(text="a red square"), im.EmbedImageContent(image_url=im.ImageUrl(url=image))
        ],
        serving_mode=on_demand(V4), compartment_id=COMPARTMENT, is_echo=True,
    )
    got = client.embed_text(details).data
    assert len(got.embeddings) == 2 and all(abs(norm(v) - 1) < 1e-4 for v in got.embeddings)
    assert got.usage.prompt_tokens == 3 + 1610  # an image counts as 1,610 tokens
    assert isinstance(got.embed_contents[1], im.EmbedImageContent) and got.embed_contents[1].image_url.url == image

    as_input = embed(client, [image], input_type="IMAGE")
    assert as_input.embeddings == [got.embeddings[1]]  # the same image, the same vector
    assert as_input.usage.prompt_tokens == 1610


def test_errors(client, genai):
    cases = [
        (dict(inputs=["x"], serving=on_demand("cohere.embed-nonexistent")), 404,
         "Authorization failed or requested resource not found."),
        (dict(inputs=["x"], serving=on_demand("cohere.command-r-08-2024")), 400, "does not support text embeddings"),
        (dict(inputs=["x"], serving=on_demand("cohere.embed-english-v3.0")), 400, "retired from on-demand serving"),
        (dict(inputs=["x"], output_dimensions=300), 400, "allowed values are 256, 512, 1024, 1536"),
        (dict(inputs=["x", "y"], input_type="IMAGE"), 400, "exactly one"),
        (dict(inputs=["not an image"], input_type="IMAGE"), 400, "data URI"),
        (dict(inputs=["x"], embed_contents=[im.EmbedTextContent(text="y")]), 400, "either inputs or embedContents"),
    ]
    for kw, status, text in cases:
        exc = error(embed, client, kw.pop("inputs"), kw.pop("serving", None), **kw)
        assert (exc.status, exc.code) == (status, str(status)), kw
        assert text in exc.message, (kw, exc.message)

    endpoint = dedicated_endpoint(genai, "cohere.embed-english-light-v3.0", "TEXT_EMBEDDINGS", "EMBED_COHERE")
    exc = error(embed, client, ["x"], dedicated(endpoint.id), output_dimensions=256)
    assert exc.status == 400 and "embed-v4" in exc.message
    exc = error(embed, client, None, dedicated(endpoint.id), embed_contents=[im.EmbedTextContent(text="y")])
    assert exc.status == 400 and "embed v4 models only" in exc.message
    exc = error(embed, client, ["x"], dedicated(endpoint.id), input_type="IMAGE")
    assert exc.status == 400 and "embeds text only" in exc.message

    bad_endpoint = endpoint.id[:-6] + "zzzzzz"
    exc = error(embed, client, ["x"], dedicated(bad_endpoint))
    assert (exc.status, exc.code) == (404, "404")

    exc = error(client.embed_text, im.EmbedTextDetails(inputs=["x"], serving_mode=on_demand(V4)))
    assert (exc.status, exc.code) == (400, "400") and "compartmentId" in exc.message


def test_values_the_sdk_refuses_to_send(emulator_url):
    """Enums the SDK checks client-side; raw HTTP clients (LangChain's async path) can still send them."""
    base = {"compartmentId": COMPARTMENT, "servingMode": {"servingType": "ON_DEMAND", "modelId": V4}, "inputs": ["x"]}
    for extra, text in (
        ({"truncate": "MIDDLE"}, 'Invalid value "MIDDLE" for \'truncate\': allowed values are NONE, START, END.'),
        ({"inputType": "POEM"}, "'inputType'"),
        ({"embeddingTypes": ["float", "int4"]}, 'Invalid value "int4" in \'embeddingTypes\''),
        ({"inputs": "x"}, "'inputs'"),
    ):
        status, code, message = raw_error(emulator_url, "embedText", {**base, **extra})
        assert (status, code) == (400, "400") and text in message, message


BASE = {"compartmentId": COMPARTMENT, "servingMode": {"servingType": "ON_DEMAND", "modelId": V4}, "inputs": ["x"]}
PATHS = ["inputs", "embedContents", "servingMode.modelId", "servingMode.servingType", "isEcho", "embeddingTypes",
         "outputDimensions", "truncate", "inputType", "compartmentId"]


@FUZZ
@given(body=mutated(BASE, PATHS))
def test_malformed_requests_never_get_a_500(emulator, body):
    assert_not_500(raw_post(emulator.url, "embedText", body))
