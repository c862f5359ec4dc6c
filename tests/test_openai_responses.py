"""OCI's OpenAI-compatible Responses API through the unmodified ``openai`` SDK, as Oracle's agents
quick start uses it: a project and an API key, then responses, streams, structured output,
function tools, reasoning, chaining, background runs and retention."""

from __future__ import annotations

import oci
import openai
import pytest
import requests
from oci.generative_ai import models
from pydantic import BaseModel

from conftest import admin
from openai_helpers import (
    META_MODEL,
    PLAIN_MODEL,
    REASONING_MODEL,
    WEATHER_TOOL,
    active_project,
    api_key,
    client,
    payloads,
    sse,
)


@pytest.fixture
def project(genai):
    return active_project(genai, display_name="agents")


@pytest.fixture
def key(genai):
    return api_key(genai)


@pytest.fixture
def oai(emulator_url, project, key) -> openai.OpenAI:
    return client(emulator_url, project.id, key.secret)


def test_create_retrieve_list_input_items_and_delete(oai):
    response = oai.responses.create(model=PLAIN_MODEL, input="What is OCI Generative AI?", metadata={"app": "docs"})
    assert response.id.startswith("resp_") and response.object == "response" and response.status == "completed"
    assert response.output_text and response.model == PLAIN_MODEL and response.metadata == {"app": "docs"}
    usage = response.usage
    assert usage.input_tokens > 0 and usage.output_tokens > 0
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens
    assert usage.input_tokens_details.cached_tokens == 0 and usage.output_tokens_details.reasoning_tokens == 0

    again = oai.responses.retrieve(response.id)
    assert again.output_text == response.output_text and again.usage.total_tokens == usage.total_tokens
    (item,) = oai.responses.input_items.list(response.id).data
    assert item.type == "message" and item.role == "user" and item.content[0].text == "What is OCI Generative AI?"

    oai.responses.delete(response.id)
    with pytest.raises(openai.NotFoundError) as gone:
        oai.responses.retrieve(response.id)
    assert gone.value.request_id


def test_store_false_is_neither_kept_nor_chainable(oai):
    response = oai.responses.create(model=PLAIN_MODEL, input="Forget me", store=False)
    assert response.status == "completed" and response.store is False
    with pytest.raises(openai.NotFoundError):
        oai.responses.retrieve(response.id)
    with pytest.raises(openai.BadRequestError) as exc:
        oai.responses.create(model=PLAIN_MODEL, input="Go on", previous_response_id=response.id)
    assert exc.value.param == "previous_response_id"


def test_previous_response_id_gives_the_generator_the_history(oai):
    first = oai.responses.create(model=PLAIN_MODEL, input="My favourite colour is teal", instructions="Be brief")
    chained = oai.responses.create(model=PLAIN_MODEL, input="Tell me more", previous_response_id=first.id)
    alone = oai.responses.create(model=PLAIN_MODEL, input="Tell me more")
    assert chained.previous_response_id == first.id and chained.instructions is None
    assert chained.output_text != alone.output_text  # the same words, another context
    assert chained.usage.input_tokens > alone.usage.input_tokens  # the history is in the prompt
    assert [i.type for i in oai.responses.input_items.list(chained.id).data] == ["message"]  # its own input only


def test_previous_response_id_and_conversation_are_exclusive(oai):
    first = oai.responses.create(model=PLAIN_MODEL, input="Hello")
    conversation = oai.conversations.create()
    with pytest.raises(openai.BadRequestError) as exc:
        oai.responses.create(model=PLAIN_MODEL, input="x", previous_response_id=first.id, conversation=conversation.id)
    assert exc.value.param == "previous_response_id"


def test_stream_events_follow_openais_order(oai):
    events = list(oai.responses.create(model=PLAIN_MODEL, input="Stream a short story", stream=True))
    assert [e.sequence_number for e in events] == list(range(len(events)))
    assert [e.type for e in events[:4]] == [
        "response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
    ]
    assert [e.type for e in events[-4:]] == [
        "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed",
    ]
    deltas = [e for e in events if e.type == "response.output_text.delta"]
    item_id = events[2].item.id
    assert len(deltas) > 1 and {d.item_id for d in deltas} == {item_id}
    final = events[-1].response
    assert final.id == events[0].response.id and final.output[0].id == item_id
    assert final.output_text == "".join(d.delta for d in deltas) == oai.responses.retrieve(final.id).output_text


def test_stream_frames_are_named_and_end_with_done(emulator_url, project, key):
    resp = requests.post(
        f"{emulator_url}/openai/v1/responses",
        json={"model": PLAIN_MODEL, "input": "hi", "stream": True},
        headers={"authorization": f"Bearer {key.secret}", "openai-project": project.id},
    )
    assert resp.headers["content-type"] == "text/event-stream" and resp.headers["x-request-id"]
    frames = sse(resp)
    assert frames[-1] == (None, "[DONE]")
    assert all(name == payload["type"] for (name, _), payload in zip(frames[:-1], payloads(frames)))


def test_the_stream_helper_builds_the_final_response(oai):
    with oai.responses.stream(model=REASONING_MODEL, input="Why is the sky blue?", reasoning={"summary": "auto"}) as stream:
        kinds = [event.type for event in stream]
        final = stream.get_final_response()
    assert "response.reasoning_summary_text.delta" in kinds and "response.output_text.delta" in kinds
    assert kinds.index("response.reasoning_summary_part.added") < kinds.index("response.output_text.delta")
    reasoning, message = final.output
    assert reasoning.type == "reasoning" and reasoning.summary[0].text
    assert message.type == "message" and final.output_text
    assert final.usage.output_tokens_details.reasoning_tokens > 0


def test_reasoning_items_for_reasoning_models_only(oai):
    thinking = oai.responses.create(model=REASONING_MODEL, input="Plan a trip", reasoning={"effort": "high", "summary": "detailed"})
    assert [o.type for o in thinking.output] == ["reasoning", "message"]
    assert thinking.output[0].summary and thinking.reasoning.effort == "high"
    plain = oai.responses.create(model=PLAIN_MODEL, input="Plan a trip")
    assert [o.type for o in plain.output] == ["message"] and plain.usage.output_tokens_details.reasoning_tokens == 0


class CalendarEvent(BaseModel):
    name: str
    date: str
    participants: list[str]


def test_structured_output_parses_into_the_users_model(oai):
    parsed = oai.responses.parse(
        model=PLAIN_MODEL,
        input=[{"role": "system", "content": "Extract the event."}, {"role": "user", "content": "Alice and Bob meet on Friday."}],
        text_format=CalendarEvent,
    )
    assert isinstance(parsed.output_parsed, CalendarEvent)
    assert parsed.text.format.type == "json_schema"


def test_function_tools_and_the_function_call_output_turn(oai):
    response = oai.responses.create(model=PLAIN_MODEL, input="What is the weather in Paris?", tools=[WEATHER_TOOL])
    call = response.output[0]
    assert call.type == "function_call" and call.name == "get_weather" and call.call_id.startswith("call_")
    assert '"city"' in call.arguments
    answer = oai.responses.create(
        model=PLAIN_MODEL,
        previous_response_id=response.id,
        tools=[WEATHER_TOOL],
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": '{"temperature": 21, "sky": "sunny"}'}],
    )
    assert answer.output[0].type == "message" and "sunny" in answer.output_text  # it reports what the tool found

    none = oai.responses.create(model=PLAIN_MODEL, input="What is the weather in Paris?", tools=[WEATHER_TOOL], tool_choice="none")
    assert [o.type for o in none.output] == ["message"]
    forced = oai.responses.create(model=PLAIN_MODEL, input="Hello", tools=[WEATHER_TOOL], tool_choice="required")
    assert forced.output[0].type == "function_call"


def test_streamed_function_call(oai):
    events = list(oai.responses.create(model=PLAIN_MODEL, input="Weather in Oslo?", tools=[WEATHER_TOOL], stream=True))
    kinds = [e.type for e in events]
    assert "response.function_call_arguments.delta" in kinds and "response.function_call_arguments.done" in kinds
    done = next(e for e in events if e.type == "response.function_call_arguments.done")
    assert done.name == "get_weather" and events[-1].response.output[0].arguments == done.arguments


def test_max_output_tokens_ends_incomplete(oai):
    response = oai.responses.create(model=PLAIN_MODEL, input="Write a long essay about the sea", max_output_tokens=5)
    assert response.status == "incomplete" and response.incomplete_details.reason == "max_output_tokens"
    assert response.usage.output_tokens <= 5


def test_models_the_api_refuses(oai):
    for model, status in [("cohere.command-r-08-2024", 400), (META_MODEL, 400), ("no.such-model", 404)]:
        with pytest.raises(openai.APIStatusError) as exc:
            oai.responses.create(model=model, input="hi")
        assert exc.value.status_code == status and exc.value.param == "model", model


def test_input_images_are_counted_not_fetched(oai):
    image = {"type": "input_image", "image_url": "https://example.invalid/cat.png", "detail": "auto"}
    response = oai.responses.create(
        model="xai.grok-4", input=[{"role": "user", "content": [{"type": "input_text", "text": "What is this?"}, image]}]
    )
    assert response.status == "completed"
    with pytest.raises(openai.BadRequestError):  # a model that reads no images
        oai.responses.create(model=REASONING_MODEL, input=[{"role": "user", "content": [image]}])


def test_background_responses_follow_the_clock_and_can_be_cancelled(oai, emulator_url):
    admin(emulator_url, "config", {"transitions": {"response": {"mode": "delay", "seconds": 60}}})
    queued = oai.responses.create(model=PLAIN_MODEL, input="Take your time", background=True)
    assert queued.status == "queued" and queued.background is True and queued.output == []
    assert oai.responses.retrieve(queued.id).status == "in_progress"
    admin(emulator_url, "clock", {"advanceSeconds": 61})
    done = oai.responses.retrieve(queued.id)
    assert done.status == "completed" and done.output_text

    other = oai.responses.create(model=PLAIN_MODEL, input="Never mind", background=True)
    cancelled = oai.responses.cancel(other.id)
    assert cancelled.status == "cancelled"
    admin(emulator_url, "clock", {"advanceSeconds": 61})
    assert oai.responses.retrieve(other.id).status == "cancelled"
    with pytest.raises(openai.BadRequestError):
        oai.responses.cancel(oai.responses.create(model=PLAIN_MODEL, input="not background").id)


def test_a_stored_stream_resumes_after_a_sequence_number(oai):
    first = list(oai.responses.create(model=PLAIN_MODEL, input="Resume me", stream=True))
    response_id = first[0].response.id
    resumed = list(oai.responses.retrieve(response_id, stream=True, starting_after=3))
    assert [e.sequence_number for e in resumed] == [e.sequence_number for e in first[4:]]
    assert resumed[-1].type == "response.completed"


def test_retention_hours_of_the_project(genai, emulator_url, key):
    project = active_project(genai, conversation_config=models.ConversationConfig(responses_retention_in_hours=1))
    oai = client(emulator_url, project.id, key.secret)
    response = oai.responses.create(model=PLAIN_MODEL, input="Short-lived")
    admin(emulator_url, "clock", {"advanceSeconds": 1800})
    assert oai.responses.retrieve(response.id).id == response.id
    admin(emulator_url, "clock", {"advanceSeconds": 1801})
    with pytest.raises(openai.NotFoundError):
        oai.responses.retrieve(response.id)


def test_older_paths_and_headers(emulator_url, project, key, oci_config):
    legacy = client(emulator_url, project.id, key.secret, base="/20231130/actions/v1")
    assert legacy.responses.create(model=PLAIN_MODEL, input="hi").status == "completed"
    # before projects: the compartment header scopes the call
    by_compartment = client(
        emulator_url, None, key.secret, default_headers={"opc-compartment-id": "ocid1.compartment.oc1..aaaaaaaalegacy"}
    )
    response = by_compartment.responses.create(model=PLAIN_MODEL, input="hi")
    assert by_compartment.responses.retrieve(response.id).id == response.id
    with pytest.raises(openai.NotFoundError):  # another scope sees none of it
        client(emulator_url, project.id, key.secret).responses.retrieve(response.id)
    signed = requests.post(  # langchain-oci's Responses transport: /v1/responses, signed, compartment header
        f"{emulator_url}/v1/responses",
        json={"model": PLAIN_MODEL, "input": [{"role": "user", "content": "hi"}], "stream": False},
        headers={"opc-compartment-id": "ocid1.compartment.oc1..aaaaaaaalegacy"},
        auth=oci.signer.Signer(oci_config["tenancy"], oci_config["user"], oci_config["fingerprint"], oci_config["key_file"]),
    )
    assert signed.status_code == 200 and signed.json()["output"][0]["type"] == "message"


def test_a_project_is_required_and_must_be_active(emulator_url, genai, key):
    with pytest.raises(openai.BadRequestError) as missing:
        client(emulator_url, None, key.secret).responses.create(model=PLAIN_MODEL, input="hi")
    assert missing.value.param == "OpenAI-Project"
    unknown = "ocid1.generativeaiproject.oc1.us-chicago-1.amaaaaaanotaproject"
    with pytest.raises(openai.NotFoundError):
        client(emulator_url, unknown, key.secret).responses.create(model=PLAIN_MODEL, input="hi")
    project = active_project(genai)
    genai.delete_generative_ai_project(project.id)
    with pytest.raises(openai.NotFoundError):
        client(emulator_url, project.id, key.secret).responses.create(model=PLAIN_MODEL, input="hi")


def test_deleting_a_project_deletes_its_responses(genai, emulator_url, key):
    project = active_project(genai)
    oai = client(emulator_url, project.id, key.secret)
    response = oai.responses.create(model=PLAIN_MODEL, input="hi")
    conversation = oai.conversations.create()
    genai.delete_generative_ai_project(project.id)
    exported = requests.get(f"{emulator_url}/_emulator/state").json()["resources"]
    assert {response.id, conversation.id}.isdisjoint({r["id"] for r in exported})


def test_responses_are_kept_in_the_state_and_isolated_by_tenancy(oai, emulator_url, other_oci_config, genai):
    response = oai.responses.create(model=PLAIN_MODEL, input="Keep me")
    snapshot = requests.get(f"{emulator_url}/_emulator/state").json()
    assert response.id in {r["id"] for r in snapshot["resources"]}
    admin(emulator_url, "reset", {})
    admin(emulator_url, "state", snapshot)
    assert oai.responses.retrieve(response.id).output_text == response.output_text

    other = oci.generative_ai.GenerativeAiClient(other_oci_config, service_endpoint=emulator_url)
    their_key = api_key(other)
    their_project = active_project(other)
    theirs = client(emulator_url, their_project.id, their_key.secret)
    with pytest.raises(openai.NotFoundError):
        theirs.responses.retrieve(response.id)
    with pytest.raises(openai.NotFoundError):  # our key, their project
        client(emulator_url, their_project.id, oai.api_key).responses.create(model=PLAIN_MODEL, input="hi")


def test_rules_and_latency_serve_this_api_too(oai, emulator_url):
    admin(emulator_url, "rules", {"model": PLAIN_MODEL, "pattern": "capital of France", "reply": "Paris."})
    assert oai.responses.create(model=PLAIN_MODEL, input="What is the capital of France?").output_text == "Paris."
    chunks = oai.chat.completions.create(
        model=PLAIN_MODEL, messages=[{"role": "user", "content": "The capital of France?"}], stream=True
    )
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "Paris."


def test_the_proxy_forwards_and_recordings_stay_native(oai, emulator_url, tmp_path):
    from test_generators import FakeOpenAI

    upstream = FakeOpenAI()
    try:
        admin(emulator_url, "generators", {"models": {PLAIN_MODEL: {"type": "proxy", "url": upstream.url, "model": "local", "apiKey": "secret"}}})
        assert oai.responses.create(model=PLAIN_MODEL, input="Hello upstream").output_text == "Upstream local heard: Hello upstream"
        assert upstream.requests[-1]["body"]["messages"] == [{"role": "user", "content": "Hello upstream"}]
    finally:
        upstream.close()
    admin(emulator_url, "generators", {"models": {PLAIN_MODEL: {"type": "replay", "fixtures": str(tmp_path)}}})
    with pytest.raises(openai.BadRequestError) as exc:
        oai.responses.create(model=PLAIN_MODEL, input="hi")
    assert "native chat API only" in exc.value.message
