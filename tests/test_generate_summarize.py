"""generateText (COHERE and LLAMA runtimes) and summarizeText through the real SDK, on dedicated
endpoints: their models are retired on demand."""

from __future__ import annotations

import json
import re

import oci
import pytest
from hypothesis import given
from hypothesis import strategies as st
from oci.generative_ai_inference import models as im

from conftest import COMPARTMENT
from emulator.inference import tokens
from inference_helpers import (
    FUZZ, assert_not_500, dedicated, dedicated_endpoint, inference_client, mutated, on_demand, raw_endpoint, raw_error,
    raw_post,
)

PROMPT = "Write a tagline for an ice cream shop"
ARTICLE = (
    "Acme Corp reported record revenue of 4.2 billion dollars in the third quarter. "
    "The growth came mostly from the cloud division, whose revenue rose 40 percent. "
    "However, hardware sales declined for the fourth quarter in a row. "
    "The company plans to raise prices on its hardware subscriptions next year (starting in March). "
    "Analysts expect the cloud division to keep growing as customers move workloads. "
    "The chief executive said the company will hire 2,000 engineers. "
    "Acme also announced a new data center in Ohio. "
    "The stock rose 6 percent after the announcement. "
    "Next steps include a pricing review and a hiring plan for the cloud division."
)


@pytest.fixture
def client(emulator_url, oci_config):
    return inference_client(oci_config, emulator_url)


@pytest.fixture
def command(genai):
    return dedicated_endpoint(genai, "cohere.command", "TEXT_GENERATION", "LARGE_COHERE")


@pytest.fixture
def llama(genai):
    return dedicated_endpoint(genai, "meta.llama-2-70b-chat", "TEXT_GENERATION", "LLAMA2_70")


@pytest.fixture
def summarizer(genai):
    return dedicated_endpoint(genai, "cohere.command", "TEXT_SUMMARIZATION", "LARGE_COHERE")


def generate(client, serving, request) -> im.GenerateTextResult:
    details = im.GenerateTextDetails(compartment_id=COMPARTMENT, serving_mode=serving, inference_request=request)
    return client.generate_text(details).data


def summarize(client, endpoint_id, text=ARTICLE, **kw) -> im.SummarizeTextResult:
    details = im.SummarizeTextDetails(input=text, serving_mode=dedicated(endpoint_id), compartment_id=COMPARTMENT, **kw)
    return client.summarize_text(details).data


def error(call, *args, **kw) -> oci.exceptions.ServiceError:
    with pytest.raises(oci.exceptions.ServiceError) as exc:
        call(*args, **kw)
    return exc.value


# generateText, COHERE -----------------------------------------------------------------------------
def test_cohere_generations(client, command):
    got = generate(client, dedicated(command.id), im.CohereLlmInferenceRequest(prompt=PROMPT, num_generations=3))
    assert (got.model_id, got.model_version) == (command.model_id, command_version(got))
    response = got.inference_response
    assert isinstance(response, im.CohereLlmInferenceResponse) and response.time_created is not None
    texts = response.generated_texts
    assert len(texts) == 3 and len({t.text for t in texts}) == 3 and len({t.id for t in texts}) == 3
    assert all(t.finish_reason == "COMPLETE" and t.likelihood < 0 and t.token_likelihoods is None for t in texts)
    assert response.prompt is None

    again = generate(client, dedicated(command.id), im.CohereLlmInferenceRequest(prompt=PROMPT, num_generations=3))
    assert [t.text for t in again.inference_response.generated_texts] == [t.text for t in texts]
    warmer = generate(client, dedicated(command.id), im.CohereLlmInferenceRequest(prompt=PROMPT, temperature=1.5))
    assert warmer.inference_response.generated_texts[0].text != texts[0].text


def command_version(result) -> str:
    return "15.6" if result.model_version == "15.6" else "14.2"


def test_cohere_limits_echo_and_likelihoods(client, command):
    serving = dedicated(command.id)
    full = generate(client, serving, im.CohereLlmInferenceRequest(prompt=PROMPT)).inference_response.generated_texts[0]

    capped = generate(client, serving, im.CohereLlmInferenceRequest(prompt=PROMPT, max_tokens=5))
    text = capped.inference_response.generated_texts[0]
    assert (tokens.count(text.text), text.finish_reason) == (5, "MAX_TOKENS") and full.text.startswith(text.text)

    stopped = generate(client, serving, im.CohereLlmInferenceRequest(prompt=PROMPT, stop_sequences=["."]))
    text = stopped.inference_response.generated_texts[0]
    assert text.text == full.text[: full.text.index(".") + 1]  # the stop sequence is kept
    assert text.finish_reason == "COMPLETE"

    echoed = generate(client, serving, im.CohereLlmInferenceRequest(prompt=PROMPT + "  \n", is_echo=True))
    assert echoed.inference_response.prompt == PROMPT  # trailing white space trimmed

    gen = generate(client, serving, im.CohereLlmInferenceRequest(prompt=PROMPT, return_likelihoods="GENERATION"))
    text = gen.inference_response.generated_texts[0]
    assert [t.token for t in text.token_likelihoods] == tokens.tokens(text.text)
    assert all(t.likelihood <= 0 for t in text.token_likelihoods)
    assert abs(text.likelihood - sum(t.likelihood for t in text.token_likelihoods) / len(text.token_likelihoods)) < 1e-3
    everything = generate(client, serving, im.CohereLlmInferenceRequest(prompt=PROMPT, return_likelihoods="ALL"))
    assert [t.token for t in everything.inference_response.generated_texts[0].token_likelihoods] == (
        tokens.tokens(PROMPT) + tokens.tokens(text.text)
    )


def test_cohere_stream(client, command):
    serving = dedicated(command.id)
    full = generate(client, serving, im.CohereLlmInferenceRequest(prompt=PROMPT)).inference_response.generated_texts[0]
    request = im.CohereLlmInferenceRequest(prompt=PROMPT, is_stream=True)
    details = im.GenerateTextDetails(compartment_id=COMPARTMENT, serving_mode=serving, inference_request=request)
    events = [json.loads(e.data) for e in client.generate_text(details).data.events()]
    assert "".join(e["text"] for e in events) == full.text
    assert events[-1] == {"index": 0, "text": "", "finishReason": "COMPLETE"}


# generateText, LLAMA ------------------------------------------------------------------------------
def test_llama_choices_stop_and_length(client, llama):
    serving = dedicated(llama.id)
    got = generate(client, serving, im.LlamaLlmInferenceRequest(prompt=PROMPT, num_generations=2))
    response = got.inference_response
    assert isinstance(response, im.LlamaLlmInferenceResponse) and response.created is not None
    assert [c.index for c in response.choices] == [0, 1] and all(c.finish_reason == "stop" for c in response.choices)
    assert (got.model_id, got.model_version) == (llama.model_id, "1.0")
    full = response.choices[0].text

    stopped = generate(client, serving, im.LlamaLlmInferenceRequest(prompt=PROMPT, stop=["."])).inference_response
    assert stopped.choices[0].text == full[: full.index(".")]  # the stop string is dropped
    assert stopped.choices[0].finish_reason == "stop"

    capped = generate(client, serving, im.LlamaLlmInferenceRequest(prompt=PROMPT, max_tokens=4)).inference_response
    assert (tokens.count(capped.choices[0].text), capped.choices[0].finish_reason) == (4, "length")

    echoed = generate(client, serving, im.LlamaLlmInferenceRequest(prompt=PROMPT, is_echo=True)).inference_response
    assert echoed.choices[0].text == PROMPT + full

    probs = generate(client, serving, im.LlamaLlmInferenceRequest(prompt=PROMPT, log_probs=2, max_tokens=6))
    logprobs = probs.inference_response.choices[0].logprobs
    text = probs.inference_response.choices[0].text
    assert logprobs.tokens == tokens.tokens(text) and len(logprobs.token_logprobs) == 6
    assert [text[o : o + len(t)] for o, t in zip(logprobs.text_offset, logprobs.tokens)] == logprobs.tokens
    assert all(len(top) == 2 for top in logprobs.top_logprobs)


def test_generate_errors(client, command, llama):
    on_demand_call = error(generate, client, on_demand("cohere.command"), im.CohereLlmInferenceRequest(prompt=PROMPT))
    assert (on_demand_call.status, on_demand_call.code) == (400, "400")
    assert "retired from on-demand serving on 2024-10-02" in on_demand_call.message
    exc = error(generate, client, on_demand("meta.llama-2-70b-chat"), im.LlamaLlmInferenceRequest(prompt=PROMPT))
    assert exc.status == 400 and "retired" in exc.message

    cohere, llama_ = im.CohereLlmInferenceRequest, im.LlamaLlmInferenceRequest
    for serving, request, text in (
        (dedicated(command.id), im.LlamaLlmInferenceRequest(prompt=PROMPT), "uses runtimeType COHERE"),
        (dedicated(llama.id), im.CohereLlmInferenceRequest(prompt=PROMPT), "uses runtimeType LLAMA"),
        (dedicated(command.id), cohere(prompt=PROMPT, num_generations=6), "'inferenceRequest.numGenerations'"),
        (dedicated(command.id), im.CohereLlmInferenceRequest(prompt="  "), "non-empty"),
        (dedicated(command.id), im.CohereLlmInferenceRequest(prompt=PROMPT, top_p=1.5), "'inferenceRequest.topP'"),
        (dedicated(command.id), im.CohereLlmInferenceRequest(prompt="word " * 5000), "more than the 4096 tokens"),
        (dedicated(llama.id), llama_(prompt=PROMPT, max_tokens=4095), "maximum context length is 4096"),
        (dedicated(llama.id), im.LlamaLlmInferenceRequest(), "'inferenceRequest.prompt'"),
        (on_demand("cohere.command-r-08-2024"), cohere(prompt=PROMPT), "does not support text generation"),
    ):
        exc = error(generate, client, serving, request)
        assert (exc.status, exc.code) == (400, "400") and text in exc.message, (request, exc.message)

    cut = generate(client, dedicated(command.id), im.CohereLlmInferenceRequest(prompt="word " * 5000, truncate="START"))
    assert cut.inference_response.generated_texts[0].text


# summarizeText ------------------------------------------------------------------------------------
def sentences(summary: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", summary) if s]


def test_summary_lengths_are_extractive_and_deterministic(client, summarizer):
    short = summarize(client, summarizer.id, length="SHORT", extractiveness="HIGH")
    assert short.summary == summarize(client, summarizer.id, length="SHORT", extractiveness="HIGH").summary
    assert (short.model_id, short.input) == (summarizer.model_id, None) and short.id
    picked = sentences(short.summary)
    assert len(picked) == 2 and all(s in ARTICLE for s in picked)
    assert ARTICLE.index(picked[0]) < ARTICLE.index(picked[1])  # in the input's order
    medium = sentences(summarize(client, summarizer.id, length="MEDIUM", extractiveness="HIGH").summary)
    long_ = sentences(summarize(client, summarizer.id, length="LONG", extractiveness="HIGH").summary)
    assert (len(medium), len(long_)) == (4, 6)
    auto = summarize(client, summarizer.id).summary
    assert 2 <= len(sentences(auto)) <= 6


def test_summary_format_extractiveness_command_and_echo(client, summarizer):
    bullets = summarize(client, summarizer.id, format="BULLETS", length="MEDIUM").summary.split("\n")
    assert len(bullets) == 4 and all(line.startswith("- ") for line in bullets)
    paragraph = summarize(client, summarizer.id, format="PARAGRAPH", length="MEDIUM").summary
    assert "\n" not in paragraph

    focused = summarize(client, summarizer.id, length="SHORT", additional_command="focusing on the next steps").summary
    assert "Next steps include a pricing review" in focused
    prices = summarize(
        client, summarizer.id, length="SHORT", extractiveness="MEDIUM", additional_command="focusing on prices"
    ).summary
    assert "The company plans to raise prices on its hardware subscriptions next year." in prices  # no parentheses

    low = summarize(client, summarizer.id, length="MEDIUM", extractiveness="LOW").summary
    assert low.startswith("The text is about ")

    listed = "\n".join(f"- Item {i} covers topic number {i} in depth." for i in range(6))
    assert summarize(client, summarizer.id, listed).summary.startswith("- ")  # AUTO: a list stays a list
    assert summarize(client, summarizer.id, is_echo=True).input == ARTICLE


def test_summarize_errors(client, summarizer, command):
    exc = error(client.summarize_text, im.SummarizeTextDetails(
        input=ARTICLE, serving_mode=on_demand("cohere.command"), compartment_id=COMPARTMENT
    ))
    assert (exc.status, exc.code) == (400, "400") and "retired from on-demand serving" in exc.message
    exc = error(summarize, client, command.id)  # the TEXT_GENERATION entry of cohere.command
    assert exc.status == 400 and "does not support text summarization" in exc.message
    exc = error(summarize, client, summarizer.id, "   ")
    assert exc.status == 400 and "must not be empty" in exc.message
    exc = error(summarize, client, summarizer.id, "word " * 5000)
    assert exc.status == 400 and "more than the 4096 tokens" in exc.message


@pytest.fixture
def raw_endpoints(emulator):
    """Endpoints of the default tenancy, for unsigned requests with values the SDK refuses to send."""
    return {
        "COMMAND": raw_endpoint(emulator.url, "cohere.command", "TEXT_GENERATION", "LARGE_COHERE"),
        "LLAMA": raw_endpoint(emulator.url, "meta.llama-2-70b-chat", "TEXT_GENERATION", "LLAMA2_70"),
        "SUMMARIZER": raw_endpoint(emulator.url, "cohere.command", "TEXT_SUMMARIZATION", "LARGE_COHERE"),
    }


def serve(body: dict, endpoints: dict) -> dict:
    mode = body.get("servingMode")
    if isinstance(mode, dict) and isinstance(mode.get("endpointId"), str) and mode["endpointId"] in endpoints:
        body = {**body, "servingMode": {**mode, "endpointId": endpoints[mode["endpointId"]]}}
    return body


def test_values_the_sdk_refuses_to_send(emulator, raw_endpoints):
    summarizer = {"servingType": "DEDICATED", "endpointId": "SUMMARIZER"}
    command = {"servingType": "DEDICATED", "endpointId": "COMMAND"}
    for action, body, text in (
        ("summarizeText", {"input": ARTICLE, "length": "TINY", "servingMode": summarizer},
         'Invalid value "TINY" for \'length\': allowed values are SHORT, MEDIUM, LONG, AUTO.'),
        ("summarizeText", {"input": ARTICLE, "format": "TABLE", "servingMode": summarizer}, "'format'"),
        ("summarizeText", {"input": ARTICLE, "extractiveness": "NONE", "servingMode": summarizer}, "'extractiveness'"),
        ("generateText", {"servingMode": command, "inferenceRequest": {"runtimeType": "COHERE", "prompt": "hi",
                                                                       "truncate": "MIDDLE"}},
         "'inferenceRequest.truncate'"),
        ("generateText", {"servingMode": command, "inferenceRequest": {"runtimeType": "COHERE", "prompt": "hi",
                                                                       "returnLikelihoods": "SOME"}},
         "'inferenceRequest.returnLikelihoods'"),
    ):
        body = serve({"compartmentId": COMPARTMENT, **body}, raw_endpoints)
        status, code, message = raw_error(emulator.url, action, body)
        assert (status, code) == (400, "400") and text in message, message


COMMAND_BASE = {"compartmentId": COMPARTMENT, "servingMode": {"servingType": "DEDICATED", "endpointId": "COMMAND"},
                "inferenceRequest": {"runtimeType": "COHERE", "prompt": "hi"}}
LLAMA_BASE = {**COMMAND_BASE, "servingMode": {"servingType": "DEDICATED", "endpointId": "LLAMA"},
              "inferenceRequest": {"runtimeType": "LLAMA", "prompt": "hi"}}
GEN_PATHS = ["inferenceRequest.runtimeType", "inferenceRequest.prompt", "inferenceRequest.maxTokens",
             "inferenceRequest.numGenerations", "inferenceRequest.stopSequences", "inferenceRequest.stop",
             "inferenceRequest.temperature", "inferenceRequest.topK", "inferenceRequest.topP",
             "inferenceRequest.returnLikelihoods", "inferenceRequest.logProbs", "inferenceRequest.isStream",
             "inferenceRequest.isEcho", "inferenceRequest.truncate", "inferenceRequest", "servingMode.endpointId"]


@FUZZ
@given(body=st.sampled_from([COMMAND_BASE, LLAMA_BASE]).flatmap(lambda base: mutated(base, GEN_PATHS)))
def test_malformed_generate_requests_never_get_a_500(emulator, raw_endpoints, body):
    assert_not_500(raw_post(emulator.url, "generateText", serve(body, raw_endpoints)))


SUM_BASE = {"compartmentId": COMPARTMENT, "servingMode": {"servingType": "DEDICATED", "endpointId": "SUMMARIZER"},
            "input": ARTICLE}
SUM_PATHS = ["input", "length", "format", "extractiveness", "additionalCommand", "temperature", "isEcho",
             "servingMode.endpointId"]


@FUZZ
@given(body=mutated(SUM_BASE, SUM_PATHS))
def test_malformed_summarize_requests_never_get_a_500(emulator, raw_endpoints, body):
    assert_not_500(raw_post(emulator.url, "summarizeText", serve(body, raw_endpoints)))
