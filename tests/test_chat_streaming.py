"""Streamed chat (``isStream``): Server-Sent Events exactly as the service sends them, read through the
SDK's ``response.data.events()``, LangChain and raw HTTP."""

from __future__ import annotations

import json
import time

import jsonschema
import pytest
import requests
from oci.generative_ai_inference import models as m

from chat_helpers import (
    COHERE,
    COHERE_A,
    GROK,
    LLAMA,
    WEATHER_SCHEMA,
    chat,
    details,
    generic,
    stream_payloads,
    weather_tool,
)
from conftest import COMPARTMENT, admin
from emulator.inference.conversation import Completion, Generation
from emulator.inference.generators import Delta, Generator, register


CHAT_PATH = "/20231130/actions/chat"
PAUSE = 1.0


@register("test-slow-stream")
class SlowStream(Generator):
    """Says one word, then thinks for PAUSE seconds before finishing."""

    def complete(self, chat, call):
        return Completion([Generation(text="Hello world")], prompt_tokens=1, completion_tokens=2)

    def stream(self, chat, call):
        yield Delta(text="Hello")
        time.sleep(PAUSE)
        yield Delta(text=" world")
        yield Delta(completion=self.complete(chat, call))


def events(client, model, request) -> list:
    """The payloads of a streamed answer: JSON events as dicts, anything else (``[DONE]``) as is."""
    response = client.chat(details(model, request))
    assert response.headers["content-type"] == "text/event-stream"
    return stream_payloads(response)


def generic_text(payloads) -> str:
    return "".join(
        p["message"]["content"][0]["text"]
        for p in payloads
        if isinstance(p, dict) and "content" in p.get("message", {})
    )


def test_generic_stream_matches_the_answer(inference):
    request = generic("Explain vector databases", stream_options=m.StreamOptions(is_include_usage=True))
    answer = chat(inference, LLAMA, request).chat_response
    request.is_stream = True
    payloads = events(inference, LLAMA, request)

    *deltas, finish, usage, done = payloads
    assert done == "[DONE]"  # Meta Llama streams end with a non-JSON frame
    assert len(deltas) > 3
    for delta in deltas:
        assert set(delta) == {"index", "message", "pad"} and delta["index"] == 0
        assert delta["message"]["role"] == "ASSISTANT" and set(delta["message"]) == {"role", "content"}
        [part] = delta["message"]["content"]
        assert part["type"] == "TEXT" and part["text"]
    assert generic_text(deltas) == answer.choices[0].message.content[0].text
    assert finish == {
        "index": 0,
        "message": {"role": "ASSISTANT", "content": [{"type": "TEXT", "text": ""}]},
        "finishReason": "stop",
    }
    assert set(usage) == {"usage"}
    assert usage["usage"]["completionTokens"] == answer.usage.completion_tokens
    assert usage["usage"]["totalTokens"] == answer.usage.total_tokens


def test_generic_stream_without_usage_and_other_vendors(inference):
    plain = events(inference, GROK, generic("Explain vector databases", is_stream=True))
    assert "finishReason" in plain[-1] and all(isinstance(p, dict) and "usage" not in p for p in plain)  # no [DONE]
    with_usage = events(
        inference,
        GROK,
        generic("Explain vector databases", is_stream=True, stream_options=m.StreamOptions(is_include_usage=True)),
    )
    assert with_usage[-2]["finishReason"] == "stop" and set(with_usage[-1]) == {"usage"}
    assert generic_text(with_usage) == generic_text(plain)


def test_generic_stream_limits_generations_and_tool_calls(inference):
    capped = events(
        inference,
        LLAMA,
        generic(
            "Explain vector databases",
            is_stream=True,
            max_tokens=6,
            stream_options=m.StreamOptions(is_include_usage=True),
        ),
    )
    assert capped[-3]["finishReason"] == "length" and capped[-2]["usage"]["completionTokens"] == 6

    many = events(inference, LLAMA, generic("Explain vector databases", is_stream=True, num_generations=2))
    answer = chat(inference, LLAMA, generic("Explain vector databases", num_generations=2)).chat_response
    for index in (0, 1):
        mine = [p for p in many if isinstance(p, dict) and p.get("index") == index]
        assert generic_text(mine) == answer.choices[index].message.content[0].text
        assert mine[-1]["finishReason"] == "stop"

    called = events(
        inference,
        LLAMA,
        generic(
            "What is the weather forecast in Paris?",
            is_stream=True,
            tools=[weather_tool()],
            tool_choice=m.ToolChoiceRequired(),
        ),
    )
    tool_event, finish, done = called
    [call] = tool_event["message"]["toolCalls"]
    assert (call["type"], call["name"]) == ("FUNCTION", "get_weather") and call["id"].startswith("call_")
    jsonschema.validate(json.loads(call["arguments"]), WEATHER_SCHEMA)
    assert finish["finishReason"] == "tool_calls" and done == "[DONE]"


def test_cohere_stream_matches_the_answer(inference):
    docs = [{"title": "France", "snippet": "Paris is the capital of France."}]
    request = m.CohereChatRequest(message="What is the capital of France?", documents=docs)
    answer = chat(inference, COHERE, request).chat_response
    request.is_stream = True
    *deltas, final = events(inference, COHERE, request)

    assert all(set(d) == {"apiFormat", "text"} and d["apiFormat"] == "COHERE" for d in deltas)
    assert "".join(d["text"] for d in deltas) == answer.text
    assert final["apiFormat"] == "COHERE" and final["finishReason"] == "COMPLETE"
    assert final["text"] == answer.text
    assert final["chatHistory"] == [
        {"role": "USER", "message": request.message},
        {"role": "CHATBOT", "message": answer.text},
    ]
    assert final["usage"] == {
        "promptTokens": answer.usage.prompt_tokens,
        "completionTokens": answer.usage.completion_tokens,
        "totalTokens": answer.usage.total_tokens,
    }
    assert final["citations"] and final["documents"][0]["id"] == "doc_0"


def test_cohere_stream_tool_calls_and_max_tokens(inference):
    tool = m.CohereTool(
        name="get_weather",
        description="Get the weather forecast of a city",
        parameter_definitions={"city": m.CohereParameterDefinition(type="str", is_required=True)},
    )
    plan, calls, final = events(
        inference, COHERE, m.CohereChatRequest(message="What is the weather in Paris?", tools=[tool], is_stream=True)
    )
    assert plan == {"apiFormat": "COHERE", "text": "I will use get_weather to answer this."}
    assert calls["text"] == "" and calls["toolCalls"][0]["name"] == "get_weather"
    assert final["toolCalls"] == calls["toolCalls"] and final["finishReason"] == "COMPLETE"

    *deltas, final = events(
        inference, COHERE, m.CohereChatRequest(message="Explain vector databases", max_tokens=5, is_stream=True)
    )
    assert final["finishReason"] == "MAX_TOKENS" and final["usage"]["completionTokens"] == 5
    assert "".join(d["text"] for d in deltas) == final["text"]


def test_coherev2_stream_matches_the_answer(inference):
    request = m.CohereChatRequestV2(
        messages=[m.CohereUserMessageV2(content=[m.CohereTextContentV2(text="Explain vector databases")])]
    )
    answer = chat(inference, COHERE_A, request).chat_response
    request.is_stream = True
    *deltas, final = events(inference, COHERE_A, request)
    assert all(d["apiFormat"] == "COHEREV2" and d["message"]["role"] == "ASSISTANT" for d in deltas)
    assert "".join(d["message"]["content"][0]["text"] for d in deltas) == text_of_v2(answer)
    assert final["finishReason"] == "COMPLETE" and final["id"] and final["message"] == {"role": "ASSISTANT"}
    assert final["usage"]["totalTokens"] == answer.usage.total_tokens


def text_of_v2(answer) -> str:
    return "".join(p.text for p in answer.message.content if p.type == "TEXT")


def test_raw_frames_and_content_types(emulator_url):
    body = {
        "compartmentId": COMPARTMENT,
        "servingMode": {"servingType": "ON_DEMAND", "modelId": LLAMA},
        "chatRequest": {
            "apiFormat": "GENERIC",
            "messages": [{"role": "USER", "content": [{"type": "TEXT", "text": "Hi there"}]}],
        },
    }
    plain = requests.post(emulator_url + CHAT_PATH, json=body)
    assert plain.status_code == 200 and plain.headers["content-type"] == "application/json"
    body["chatRequest"]["isStream"] = True
    streamed = requests.post(emulator_url + CHAT_PATH, json=body)
    assert streamed.status_code == 200 and streamed.headers["content-type"] == "text/event-stream"
    assert streamed.headers["opc-request-id"]
    raw = streamed.content.decode()
    assert raw.endswith("\n\n") and "\r" not in raw
    frames = raw[:-2].split("\n\n")
    for frame in frames:
        assert frame.startswith("data: ") and "\n" not in frame
    assert frames[-1] == "data: [DONE]"
    for frame in frames[:-1]:
        json.loads(frame[len("data: ") :])
    text = plain.json()["chatResponse"]["choices"][0]["message"]["content"][0]["text"]
    assert generic_text([json.loads(f[6:]) for f in frames[:-1]]) == text

    # an invalid streamed request is an ordinary JSON error, not a stream
    body["chatRequest"]["maxTokens"] = 100000
    bad = requests.post(emulator_url + CHAT_PATH, json=body)
    assert bad.status_code == 400 and bad.headers["content-type"] == "application/json"
    assert bad.json()["code"] == "400"


def test_first_event_arrives_before_the_generator_finishes(emulator_url, inference):
    admin(emulator_url, "generators", {"models": {LLAMA: {"type": "test-slow-stream"}}})
    started = time.monotonic()
    response = inference.chat(details(LLAMA, generic("Hi", is_stream=True)))
    stream = response.data.events()
    first = json.loads(next(stream).data)
    first_at = time.monotonic() - started
    rest = [e.data for e in stream]
    done_at = time.monotonic() - started
    assert first["message"]["content"][0]["text"] == "Hello"
    assert rest[-1] == "[DONE]"
    assert first_at < PAUSE / 2 <= PAUSE <= done_at, (first_at, done_at)


def test_langchain_reads_the_streams(inference):
    langchain_oci = pytest.importorskip("langchain_oci")
    for model in (LLAMA, COHERE):
        llm = langchain_oci.ChatOCIGenAI(
            model_id=model, client=inference, compartment_id=COMPARTMENT, provider=model.split(".")[0]
        )
        whole = llm.invoke("Explain vector databases").content
        streamed = "".join(chunk.content for chunk in llm.stream("Explain vector databases"))
        assert streamed == whole and whole
