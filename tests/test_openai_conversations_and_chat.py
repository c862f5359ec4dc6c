"""Conversations and Chat Completions on OCI's OpenAI-compatible API, through the ``openai`` SDK."""

from __future__ import annotations

import json

import jsonschema
import openai
import pytest
import requests
from pydantic import BaseModel

from openai_helpers import META_MODEL, PLAIN_MODEL, REASONING_MODEL, active_project, api_key, client, sse

CHAT_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


@pytest.fixture
def oai(emulator_url, genai) -> openai.OpenAI:
    return client(emulator_url, active_project(genai).id, api_key(genai).secret)


def test_conversation_crud_and_items(oai):
    conversation = oai.conversations.create(
        items=[{"type": "message", "role": "user", "content": "Remember: my number is 42"}],
        metadata={"memory_subject_id": "user-7", "memory_access_policy": "store_only"},
    )
    assert conversation.id.startswith("conv_") and conversation.object == "conversation"
    assert oai.conversations.retrieve(conversation.id).metadata["memory_subject_id"] == "user-7"
    updated = oai.conversations.update(conversation.id, metadata={"topic": "numbers"})
    assert updated.metadata == {"topic": "numbers"}

    added = oai.conversations.items.create(
        conversation.id, items=[{"type": "message", "role": "user", "content": "And my colour is teal"}]
    )
    assert len(added.data) == 1 and added.first_id == added.last_id == added.data[0].id
    items = oai.conversations.items.list(conversation.id, order="asc")
    assert [i.content[0].text for i in items.data] == ["Remember: my number is 42", "And my colour is teal"]
    first = oai.conversations.items.retrieve(items.data[0].id, conversation_id=conversation.id)
    assert first.id == items.data[0].id
    after_delete = oai.conversations.items.delete(items.data[0].id, conversation_id=conversation.id)
    assert after_delete.id == conversation.id
    assert [i.id for i in oai.conversations.items.list(conversation.id).data] == [items.data[1].id]

    deleted = oai.conversations.delete(conversation.id)
    assert deleted.deleted is True
    with pytest.raises(openai.NotFoundError):
        oai.conversations.retrieve(conversation.id)


def test_responses_add_their_input_and_output_to_the_conversation(oai):
    conversation = oai.conversations.create()
    first = oai.responses.create(model=REASONING_MODEL, input="Name three rivers", conversation=conversation.id)
    assert first.conversation.id == conversation.id
    second = oai.responses.create(model=REASONING_MODEL, input="And three lakes", conversation={"id": conversation.id})
    kinds = [(i.type, getattr(i, "role", None)) for i in oai.conversations.items.list(conversation.id, order="asc").data]
    assert kinds == [("message", "user"), ("reasoning", None), ("message", "assistant")] * 2
    alone = oai.responses.create(model=REASONING_MODEL, input="And three lakes")
    assert second.usage.input_tokens > alone.usage.input_tokens  # the conversation is in the prompt


def test_conversation_item_pages(oai):
    conversation = oai.conversations.create(
        items=[{"type": "message", "role": "user", "content": f"item {n}"} for n in range(7)]
    )
    seen = [i.content[0].text for i in oai.conversations.items.list(conversation.id, limit=2)]  # auto-paging
    assert seen == [f"item {n}" for n in reversed(range(7))]
    page = oai.conversations.items.list(conversation.id, limit=3, order="asc")
    assert page.has_more is True and len(page.data) == 3
    with pytest.raises(openai.BadRequestError):
        oai.conversations.items.list(conversation.id, after="msg_nosuchitem")


def test_chat_completion(oai):
    completion = oai.chat.completions.create(
        model=META_MODEL, messages=[{"role": "system", "content": "Be brief"}, {"role": "user", "content": "Hello"}]
    )
    assert completion.id.startswith("chatcmpl-") and completion.object == "chat.completion"
    choice = completion.choices[0]
    assert choice.message.role == "assistant" and choice.message.content and choice.finish_reason == "stop"
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + completion.usage.completion_tokens
    two = oai.chat.completions.create(model=META_MODEL, messages=[{"role": "user", "content": "Hi"}], n=2)
    assert [c.index for c in two.choices] == [0, 1]


def test_chat_completion_tools_round_trip(oai):
    messages = [{"role": "user", "content": "What is the weather in Lisbon?"}]
    first = oai.chat.completions.create(model=PLAIN_MODEL, messages=messages, tools=[CHAT_TOOL])
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls" and choice.message.content is None
    (call,) = choice.message.tool_calls
    assert call.function.name == "get_weather" and json.loads(call.function.arguments)["city"]
    messages += [choice.message.model_dump(exclude_none=True), {"role": "tool", "tool_call_id": call.id, "content": "cloudy"}]
    second = oai.chat.completions.create(model=PLAIN_MODEL, messages=messages, tools=[CHAT_TOOL])
    assert second.choices[0].finish_reason == "stop" and "cloudy" in second.choices[0].message.content
    with pytest.raises(openai.BadRequestError) as exc:
        oai.chat.completions.create(model=PLAIN_MODEL, messages=[{"role": "tool", "tool_call_id": "call_x", "content": "?"}])
    assert exc.value.param == "messages[0].tool_call_id"


class Person(BaseModel):
    name: str
    age: int


def test_chat_completion_structured_output(oai):
    parsed = oai.chat.completions.parse(
        model=PLAIN_MODEL, messages=[{"role": "user", "content": "Alice is 30"}], response_format=Person
    )
    assert isinstance(parsed.choices[0].message.parsed, Person)
    anything = oai.chat.completions.create(
        model=PLAIN_MODEL, messages=[{"role": "user", "content": "JSON please"}], response_format={"type": "json_object"}
    )
    assert isinstance(json.loads(anything.choices[0].message.content), dict)
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"], "additionalProperties": False}
    strict = oai.chat.completions.create(
        model=PLAIN_MODEL,
        messages=[{"role": "user", "content": "A city"}],
        response_format={"type": "json_schema", "json_schema": {"name": "City", "schema": schema, "strict": True}},
    )
    jsonschema.validate(json.loads(strict.choices[0].message.content), schema)


def test_chat_completion_stream_with_usage(oai, emulator_url):
    chunks = list(oai.chat.completions.create(
        model=META_MODEL, messages=[{"role": "user", "content": "Tell me a story"}], stream=True,
        stream_options={"include_usage": True},
    ))
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    finish = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert text and finish == ["stop"]
    assert chunks[-1].choices == [] and chunks[-1].usage.total_tokens > 0
    raw = requests.post(
        f"{emulator_url}/openai/v1/chat/completions",
        json={"model": META_MODEL, "messages": [{"role": "user", "content": "hi"}], "stream": True},
        headers={"authorization": f"Bearer {oai.api_key}", "openai-project": oai.project},
    )
    frames = sse(raw)
    assert frames[-1] == (None, "[DONE]") and all(name is None for name, _ in frames)  # unnamed, as OpenAI sends them


def test_chat_completion_reasoning_content(oai):
    completion = oai.chat.completions.create(model=REASONING_MODEL, messages=[{"role": "user", "content": "Why?"}])
    message = completion.choices[0].message
    assert message.model_extra.get("reasoning_content") and completion.usage.completion_tokens_details.reasoning_tokens > 0


def test_cohere_is_refused(oai):
    with pytest.raises(openai.BadRequestError) as exc:
        oai.chat.completions.create(model="cohere.command-r-08-2024", messages=[{"role": "user", "content": "hi"}])
    assert exc.value.param == "model" and "Cohere" in exc.value.message
