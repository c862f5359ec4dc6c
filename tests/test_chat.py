"""Chat in the three API formats (COHERE, COHEREV2, GENERIC) through the oci SDK over real HTTP:
answer shapes, determinism, limits, tool round trips, structured output, citations, serving modes
and every 400/404 a conversation can earn."""

from __future__ import annotations

import json

import jsonschema
import oci
import pytest
from hypothesis import given
from hypothesis import strategies as st
from oci.generative_ai import models as mgmt
from oci.generative_ai_inference import GenerativeAiInferenceClient
from oci.generative_ai_inference import models as m

from chat_helpers import (
    COHERE,
    COHERE_A,
    GROK,
    LLAMA,
    NOT_FOUND,
    VISION,
    WEATHER_SCHEMA,
    chat,
    details,
    generic,
    service_error,
    text_of,
    weather_tool,
)
from conftest import COMPARTMENT
from helpers import WAIT, active_cluster, active_endpoint, base_model, fine_tune_details
from inference_helpers import FUZZ, JSON_VALUES, assert_not_500, raw_post


COHERE_TOOL = m.CohereTool(
    name="get_weather",
    description="Get the weather forecast of a city",
    parameter_definitions={
        "city": m.CohereParameterDefinition(type="str", description="The city", is_required=True),
        "days": m.CohereParameterDefinition(type="int", description="How many days"),
        "hours": m.CohereParameterDefinition(type="List[int]", description="Hours of the day"),
    },
)
COHERE_TOOL_SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "days": {"type": "integer"},
        "hours": {"type": "array", "items": {"type": "integer"}},
    },
    "required": ["city"],
    "additionalProperties": False,
}


def assert_400(exc: oci.exceptions.ServiceError, message: str | None = None, *words: str) -> None:
    assert (exc.status, exc.code) == (400, "400"), exc.message
    if message is not None:
        assert exc.message == message
    for word in words:
        assert word in exc.message


# -- COHERE ------------------------------------------------------------------------------------------


def test_cohere_answer_shape(inference):
    history = [
        m.CohereUserMessage(message="Hello, who are you?"),
        m.CohereChatBotMessage(message="I am a helpful assistant."),
    ]
    result = chat(
        inference,
        COHERE,
        m.CohereChatRequest(message="Explain vector databases", chat_history=history, preamble_override="Be brief."),
    )
    assert (result.model_id, result.model_version) == (COHERE, "1.0")
    answer = result.chat_response
    assert isinstance(answer, m.CohereChatResponse) and answer.api_format == "COHERE"
    assert answer.text and "vector" in answer.text.lower()
    assert answer.finish_reason == "COMPLETE"
    assert answer.tool_calls is None and answer.citations is None
    roles = [(h.role, h.message) for h in answer.chat_history]
    assert roles == [
        ("USER", "Hello, who are you?"),
        ("CHATBOT", "I am a helpful assistant."),
        ("USER", "Explain vector databases"),
        ("CHATBOT", answer.text),
    ]
    usage = answer.usage
    assert usage.prompt_tokens > 0 and usage.completion_tokens > 0
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_cohere_documents_are_cited_where_the_text_uses_them(inference):
    docs = [
        {"id": "geo", "title": "France", "snippet": "Paris is the capital of France."},
        {"title": "Rivers", "snippet": "The Seine flows through Paris."},
    ]
    answer = chat(
        inference, COHERE, m.CohereChatRequest(message="What is the capital of France? Name its river.", documents=docs)
    ).chat_response
    assert answer.documents == [docs[0], {"id": "doc_1", **docs[1]}]
    assert answer.citations
    for citation in answer.citations:
        assert answer.text[citation.start : citation.end] == citation.text
        assert set(citation.document_ids) <= {"geo", "doc_1"}


def test_cohere_tool_round_trip(inference):
    first = chat(
        inference, COHERE, m.CohereChatRequest(message="What is the weather forecast in Paris?", tools=[COHERE_TOOL])
    ).chat_response
    assert first.finish_reason == "COMPLETE"
    assert [c.name for c in first.tool_calls] == ["get_weather"]
    jsonschema.validate(first.tool_calls[0].parameters, COHERE_TOOL_SCHEMA)
    assert first.text == "I will use get_weather to answer this."  # multi-step: the tool plan
    assert first.chat_history[-1].role == "CHATBOT" and first.chat_history[-1].tool_calls[0].name == "get_weather"

    results = [m.CohereToolResult(call=first.tool_calls[0], outputs=[{"forecast": "sunny", "temperature": 21}])]
    second = chat(
        inference,
        COHERE,
        m.CohereChatRequest(message="", chat_history=first.chat_history, tools=[COHERE_TOOL], tool_results=results),
    ).chat_response
    assert second.tool_calls is None and second.finish_reason == "COMPLETE"
    assert second.text and "sunny" in second.text.lower()
    assert [h.role for h in second.chat_history] == ["USER", "CHATBOT", "TOOL", "CHATBOT"]
    assert second.chat_history[2].tool_results[0].outputs == [{"forecast": "sunny", "temperature": 21}]

    # the same round trip with the results in the history: message stays empty
    third = chat(
        inference, COHERE, m.CohereChatRequest(message="", chat_history=second.chat_history[:3], tools=[COHERE_TOOL])
    ).chat_response
    assert third.text == second.text


def test_cohere_single_step_tool_use(inference):
    request = m.CohereChatRequest(
        message="What is the weather forecast in Paris?", tools=[COHERE_TOOL], is_force_single_step=True
    )
    first = chat(inference, COHERE, request).chat_response
    assert first.text == "" and first.tool_calls[0].name == "get_weather"
    # single step: the tool results come back with the original message
    request.tool_results = [m.CohereToolResult(call=first.tool_calls[0], outputs=[{"forecast": "rain"}])]
    second = chat(inference, COHERE, request).chat_response
    assert second.tool_calls is None and "rain" in second.text.lower()


def test_cohere_message_after_tool_results_is_400(inference_no_retry):
    history = [
        m.CohereUserMessage(message="Weather in Paris?"),
        m.CohereChatBotMessage(
            message="", tool_calls=[m.CohereToolCall(name="get_weather", parameters={"city": "Paris"})]
        ),
        m.CohereToolMessage(
            tool_results=[
                m.CohereToolResult(
                    call=m.CohereToolCall(name="get_weather", parameters={"city": "Paris"}), outputs=[{"t": 20}]
                )
            ]
        ),
    ]
    exc = service_error(
        inference_no_retry.chat,
        details(COHERE, m.CohereChatRequest(message="And tomorrow?", chat_history=history, tools=[COHERE_TOOL])),
    )
    assert_400(
        exc,
        '{"message":"invalid request: cannot specify message if the last entry in chat history contains tool results"}',
    )
    empty = service_error(inference_no_retry.chat, details(COHERE, m.CohereChatRequest(message="")))
    assert_400(empty, None, "message must be at least 1 token long")


def test_cohere_limits_and_json(inference):
    capped = chat(
        inference, COHERE, m.CohereChatRequest(message="Explain vector databases", max_tokens=4)
    ).chat_response
    assert (capped.finish_reason, capped.usage.completion_tokens) == ("MAX_TOKENS", 4)
    full = text_of(chat(inference, COHERE, m.CohereChatRequest(message="Explain vector databases")))
    word = full.split()[3]
    stopped = chat(
        inference, COHERE, m.CohereChatRequest(message="Explain vector databases", stop_sequences=[word])
    ).chat_response
    assert stopped.text == full[: full.index(word)] and stopped.finish_reason == "COMPLETE"
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
        "required": ["name", "age"],
    }
    structured = chat(
        inference,
        COHERE,
        m.CohereChatRequest(message="Describe a person", response_format=m.CohereResponseJsonFormat(schema=schema)),
    ).chat_response
    jsonschema.validate(json.loads(structured.text), schema)


# -- COHEREV2 ----------------------------------------------------------------------------------------


def v2_user(text: str, *parts) -> m.CohereUserMessageV2:
    return m.CohereUserMessageV2(content=[m.CohereTextContentV2(text=text), *parts])


def test_coherev2_answer_shape_and_tool_round_trip(inference):
    tool = m.CohereToolV2(
        type="FUNCTION",
        function=m.Function(
            name="get_weather", description="Get the weather forecast of a city", parameters=WEATHER_SCHEMA
        ),
    )
    result = chat(
        inference,
        COHERE_A,
        m.CohereChatRequestV2(messages=[v2_user("What is the weather forecast in Paris?")], tools=[tool]),
    )
    answer = result.chat_response
    assert isinstance(answer, m.CohereChatResponseV2) and answer.id
    assert answer.finish_reason == "TOOL_CALL"
    call = answer.message.tool_calls[0]
    assert call.type == "FUNCTION" and call.id and call.function["name"] == "get_weather"
    jsonschema.validate(json.loads(call.function["arguments"]), WEATHER_SCHEMA)
    assert answer.message.tool_plan

    messages = [
        v2_user("What is the weather forecast in Paris?"),
        m.CohereAssistantMessageV2(
            content=[], tool_plan=answer.message.tool_plan, tool_calls=answer.message.tool_calls
        ),
        m.CohereToolMessageV2(tool_call_id=call.id, content=[m.CohereTextContentV2(text='{"forecast": "cloudy"}')]),
    ]
    final = chat(inference, COHERE_A, m.CohereChatRequestV2(messages=messages, tools=[tool])).chat_response
    assert final.finish_reason == "COMPLETE" and final.message.tool_calls is None
    assert (
        "cloudy" in text_of(chat(inference, COHERE_A, m.CohereChatRequestV2(messages=messages, tools=[tool]))).lower()
    )
    assert final.usage.total_tokens == final.usage.prompt_tokens + final.usage.completion_tokens

    messages[2].tool_call_id = "call_unknown"
    exc = service_error(inference.chat, details(COHERE_A, m.CohereChatRequestV2(messages=messages, tools=[tool])))
    assert_400(exc, None, "call_unknown")


def test_coherev2_documents_images_and_limits(inference, inference_no_retry):
    docs = ["Paris is the capital of France.", {"id": "rivers", "data": {"text": "The Seine flows through Paris."}}]
    answer = chat(
        inference, COHERE_A, m.CohereChatRequestV2(messages=[v2_user("What is the capital of France?")], documents=docs)
    ).chat_response
    text = text_of_v2(answer)
    assert answer.message.citations
    for citation in answer.message.citations:
        assert text[citation.start : citation.end] == citation.text
        assert citation.sources[0].type == "DOCUMENT" and citation.sources[0].document.id in {"doc_0", "rivers"}

    capped = chat(
        inference, COHERE_A, m.CohereChatRequestV2(messages=[v2_user("Explain vector databases")], max_tokens=3)
    )
    assert (capped.chat_response.finish_reason, capped.chat_response.usage.completion_tokens) == ("MAX_TOKENS", 3)

    image = m.CohereImageContentV2(image_url=m.CohereImageUrlV2(url="data:image/png;base64,iVBORw0KGgo="))
    seen = chat(inference, VISION, m.CohereChatRequestV2(messages=[v2_user("What is in this picture?", image)]))
    assert text_of(seen)
    exc = service_error(
        inference_no_retry.chat, details(COHERE_A, m.CohereChatRequestV2(messages=[v2_user("What is this?", image)]))
    )
    assert_400(exc, None, "does not support images")


def text_of_v2(answer) -> str:
    return "".join(p.text for p in answer.message.content if p.type == "TEXT")


# -- GENERIC -----------------------------------------------------------------------------------------


def test_generic_answer_shape(inference):
    result = chat(
        inference,
        LLAMA,
        generic(m.SystemMessage(content=[m.TextContent(text="Be brief.")]), "Explain vector databases"),
    )
    assert (result.model_id, result.model_version) == (LLAMA, "1.0")
    answer = result.chat_response
    assert isinstance(answer, m.GenericChatResponse) and answer.time_created is not None
    [choice] = answer.choices
    assert (choice.index, choice.finish_reason, choice.message.role) == (0, "stop", "ASSISTANT")
    assert choice.message.content[0].type == "TEXT" and "vector" in choice.message.content[0].text.lower()
    assert choice.message.tool_calls is None and choice.message.reasoning_content is None
    usage = answer.usage
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert usage.prompt_tokens_details.cached_tokens == 0
    assert usage.completion_tokens_details.reasoning_tokens == 0


def test_same_request_same_answer_other_seed_other_answer(inference):
    def ask(**kw):
        return text_of(chat(inference, LLAMA, generic("Explain vector databases", **kw)))

    assert ask() == ask()
    assert ask(seed=7) == ask(seed=7)
    assert len({ask(seed=seed) for seed in range(4)}) > 1

    def cohere(**kw):
        return text_of(chat(inference, COHERE, m.CohereChatRequest(message="Explain vector databases", **kw)))

    assert cohere(seed=1) == cohere(seed=1)
    assert len({cohere(seed=seed) for seed in range(4)}) > 1


def test_max_tokens_stop_sequences_and_generations(inference):
    for field in ("max_tokens", "max_completion_tokens"):
        answer = chat(inference, LLAMA, generic("Explain vector databases", **{field: 5})).chat_response
        assert answer.choices[0].finish_reason == "length"
        assert answer.usage.completion_tokens == 5

    full = text_of(chat(inference, LLAMA, generic("Explain vector databases")))
    word = full.split()[4]
    stopped = chat(inference, LLAMA, generic("Explain vector databases", stop=[word, "never-there"])).chat_response
    assert stopped.choices[0].message.content[0].text == full[: full.index(word)]
    assert stopped.choices[0].finish_reason == "stop"

    many = chat(inference, LLAMA, generic("Explain vector databases", num_generations=3)).chat_response
    assert [c.index for c in many.choices] == [0, 1, 2]
    texts = [c.message.content[0].text for c in many.choices]
    assert texts[0] == full and len(set(texts)) > 1
    assert many.usage.completion_tokens > answer.usage.completion_tokens


def test_generic_tool_round_trip(inference):
    asked = "What is the weather forecast in Paris?"
    first = chat(
        inference, LLAMA, generic(asked, tools=[weather_tool()], tool_choice=m.ToolChoiceRequired())
    ).chat_response
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls" and choice.message.content is None
    [call] = choice.message.tool_calls
    assert isinstance(call, m.FunctionCall) and call.name == "get_weather" and call.id
    jsonschema.validate(json.loads(call.arguments), WEATHER_SCHEMA)

    follow_up = generic(
        asked,
        m.AssistantMessage(content=[m.TextContent(text=".")], tool_calls=[call]),
        m.ToolMessage(tool_call_id=call.id, content=[m.TextContent(text='{"forecast": "sunny", "temperature": 21}')]),
        tools=[weather_tool()],
    )
    final = chat(inference, LLAMA, follow_up).chat_response.choices[0]
    assert final.finish_reason == "stop" and final.message.tool_calls is None
    assert "sunny" in final.message.content[0].text.lower()

    # toolChoice: NONE never calls, FUNCTION calls that function even when the words do not ask for it
    none = chat(inference, LLAMA, generic(asked, tools=[weather_tool()], tool_choice=m.ToolChoiceNone())).chat_response
    assert none.choices[0].message.tool_calls is None
    named = chat(
        inference,
        LLAMA,
        generic("Hello there", tools=[weather_tool()], tool_choice=m.ToolChoiceFunction(name="get_weather")),
    ).chat_response
    jsonschema.validate(json.loads(named.choices[0].message.tool_calls[0].arguments), WEATHER_SCHEMA)
    auto = chat(inference, LLAMA, generic("Hello there", tools=[weather_tool()])).chat_response
    assert auto.choices[0].message.tool_calls is None


def test_structured_output(inference):
    schema = {
        "type": "object",
        "properties": {
            "title": {"type": "string"},
            "year": {"type": "integer", "minimum": 1900, "maximum": 2030},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "rating": {"type": "number"},
            "kind": {"enum": ["book", "film"]},
        },
        "required": ["title", "year", "tags", "kind"],
        "additionalProperties": False,
    }
    fmt = m.JsonSchemaResponseFormat(json_schema=m.ResponseJsonSchema(name="work", schema=schema, is_strict=True))
    answer = chat(inference, GROK, generic("Recommend a science fiction book", response_format=fmt)).chat_response
    jsonschema.validate(json.loads(answer.choices[0].message.content[0].text), schema)
    any_json = chat(
        inference, GROK, generic("List three colors", response_format=m.JsonObjectResponseFormat())
    ).chat_response
    assert isinstance(json.loads(any_json.choices[0].message.content[0].text), dict)


def test_reasoning_models_reason_as_much_as_the_effort_asks(inference):
    """No effort named is the default (MEDIUM); NONE turns reasoning off; more effort, more reasoning."""

    def reasoning(effort):
        answer = chat(inference, "xai.grok-3-mini", generic("Explain vector databases", reasoning_effort=effort))
        usage = answer.chat_response.usage
        return answer.chat_response.choices[0].message.reasoning_content, usage.completion_tokens_details.reasoning_tokens

    default, default_tokens = reasoning(None)
    assert default and "vector databases" in default.lower() and default_tokens > 0
    assert reasoning("NONE") == (None, 0)
    amounts = [reasoning(effort)[1] for effort in ("MINIMAL", "LOW", "MEDIUM", "HIGH")]
    assert amounts == sorted(amounts) and len(set(amounts)) == 4 and amounts[2] == default_tokens
    plain = chat(inference, LLAMA, generic("Explain vector databases", reasoning_effort="HIGH")).chat_response
    assert plain.choices[0].message.reasoning_content is None  # not a reasoning model


def test_generic_conversation_errors(inference_no_retry):
    def error(request, model=LLAMA):
        return service_error(inference_no_retry.chat, details(model, request))

    call = m.FunctionCall(id="call_abc", name="get_weather", arguments='{"city": "Paris", "unit": "C"}')
    wrong_id = generic(
        "Weather in Paris?",
        m.AssistantMessage(tool_calls=[call]),
        m.ToolMessage(tool_call_id="call_xyz", content=[m.TextContent(text="sunny")]),
        tools=[weather_tool()],
    )
    assert_400(
        error(wrong_id), "Invalid parameter: 'toolCallId' of 'call_xyz' not found in 'toolCalls' of previous message."
    )
    orphan = generic("Weather?", m.ToolMessage(tool_call_id="call_abc", content=[m.TextContent(text="sunny")]))
    assert_400(
        error(orphan), "Invalid parameter: 'toolCallId' of 'call_abc' not found in 'toolCalls' of previous message."
    )

    image = m.UserMessage(
        content=[
            m.TextContent(text="What is this?"),
            m.ImageContent(image_url=m.ImageUrl(url="data:image/png;base64,iVBORw0KGgo=")),
        ]
    )
    assert_400(error(generic(image)), None, "does not support image")
    assert text_of(chat(inference_no_retry, "meta.llama-4-maverick-17b-128e-instruct-fp8", generic(image)))

    tools = [
        m.FunctionDefinition(name=f"tool_{i}", parameters={"type": "object", "properties": {}}) for i in range(129)
    ]
    assert_400(error(generic("Hi", tools=tools)), None, "at most 128")
    assert text_of(chat(inference_no_retry, LLAMA, generic("Hi", tools=tools[:128])))

    loose = {"type": "object", "properties": {"cities": {"type": "array"}}}
    exc = error(
        generic("Hi", tools=[m.FunctionDefinition(name="get_weather_m", parameters=loose)]), "openai.gpt-oss-120b"
    )
    assert_400(
        exc,
        "Invalid schema for function 'get_weather_m': In context=('properties', 'cities'), array schema missing items.",
    )
    assert_400(
        error(generic("Hi", tools=[m.FunctionDefinition(name="bad", parameters={"type": 5})])),
        None,
        "not a valid JSON schema",
    )

    endless = {"type": "object", "properties": {"next": {"$ref": "#"}}, "required": ["next"]}
    assert_400(
        error(generic("Hi", tools=[m.FunctionDefinition(name="loop", parameters=endless)])), None, "no finite instance"
    )
    huge = {"type": "object", "properties": {"ids": {"type": "array", "items": {"type": "integer"}, "minItems": 10**9}}}
    assert_400(
        error(generic("Hi", tools=[m.FunctionDefinition(name="huge", parameters=huge)])), None, "larger than a model"
    )

    assert_400(error(generic("Hi", max_tokens=4001)), None, "'maxTokens' of 4001", "4000")
    assert_400(error(generic("Hi", max_completion_tokens=100000), "openai.gpt-oss-20b"), None, "32768")
    assert_400(
        error(generic("Hi", tool_choice=m.ToolChoiceFunction(name="nope"), tools=[weather_tool()])), None, "nope"
    )
    assert_400(error(m.GenericChatRequest(messages=[])), None, "messages")
    assert_400(error(generic("Hi", num_generations=0)), None, "numGenerations")
    assert_400(error(m.CohereChatRequest(message="Hi")), None, "GENERIC")  # wrong format for the model


# -- serving -----------------------------------------------------------------------------------------


def test_on_demand_by_name_alias_and_ocid(inference, inference_no_retry, genai):
    by_alias = chat(inference, "cohere.command-latest", m.CohereChatRequest(message="Hi there"))
    by_name = chat(inference, COHERE, m.CohereChatRequest(message="Hi there"))
    assert by_alias.model_id == "cohere.command-latest" and text_of(by_alias) == text_of(by_name)
    base = base_model(genai, COHERE)
    by_ocid = chat(inference, base.id, m.CohereChatRequest(message="Hi there"))
    assert by_ocid.model_id == base.id and text_of(by_ocid) == text_of(by_name)

    embed = service_error(
        inference_no_retry.chat, details("cohere.embed-english-v3.0", m.CohereChatRequest(message="Hi"))
    )
    assert_400(embed, None, "does not support chat")
    for missing in ("cohere.no-such-model", "ocid1.generativeaimodel.oc1.us-chicago-1.amaaaaaanosuchmodel"):
        exc = service_error(inference_no_retry.chat, details(missing, m.CohereChatRequest(message="Hi")))
        assert (exc.status, exc.code, exc.message) == (404, "404", NOT_FOUND)


def test_fine_tuned_model_on_a_dedicated_endpoint(inference, inference_no_retry, genai, emulator_url, other_oci_config):
    tuning = active_cluster(genai, "FINE_TUNING", "SMALL_COHERE_V2", count=8)
    base = base_model(genai, COHERE, capability="FINE_TUNE")
    created = genai.create_model(
        mgmt.CreateModelDetails(
            compartment_id=COMPARTMENT,
            base_model_id=base.id,
            display_name="tuned",
            fine_tune_details=fine_tune_details(tuning.id),
        )
    ).data
    model = oci.wait_until(genai, genai.get_model(created.id), "lifecycle_state", "ACTIVE", **WAIT).data
    hosting = active_cluster(genai, "HOSTING", "SMALL_COHERE_V2")
    endpoint = active_endpoint(genai, hosting.id, model.id)

    # no on-demand output cap on a dedicated endpoint
    result = chat(
        inference, "", m.CohereChatRequest(message="Explain vector databases", max_tokens=8000), endpoint=endpoint.id
    )
    assert result.model_id == model.id and result.chat_response.finish_reason == "COMPLETE"
    assert text_of(result)
    # the custom model is not served on demand
    exc = service_error(inference_no_retry.chat, details(model.id, m.CohereChatRequest(message="Hi")))
    assert_400(exc, None, "DEDICATED")
    # another tenancy cannot see the endpoint
    stranger = GenerativeAiInferenceClient(
        other_oci_config, service_endpoint=emulator_url, retry_strategy=oci.retry.NoneRetryStrategy()
    )
    exc = service_error(stranger.chat, details("", m.CohereChatRequest(message="Hi"), endpoint=endpoint.id))
    assert (exc.status, exc.code, exc.message) == (404, "404", NOT_FOUND)
    missing = "ocid1.generativeaiendpoint.oc1.us-chicago-1.amaaaaaanosuchendpoint"
    exc = service_error(inference_no_retry.chat, details("", m.CohereChatRequest(message="Hi"), endpoint=missing))
    assert (exc.status, exc.code, exc.message) == (404, "404", NOT_FOUND)


# -- never a 500 -------------------------------------------------------------------------------------

ANY = JSON_VALUES
TEXTS = st.text(max_size=16) | st.sampled_from(["weather in Paris", "hello", ""])
IDS = st.sampled_from(["call_1", "call_2", "x", ""])
SCHEMA_LEAVES = st.sampled_from(
    [
        {"type": "string"},
        {"type": "integer", "minimum": 5, "maximum": 1},
        {"type": "array"},
        {"enum": []},
        {"type": ["null", "number"]},
        {"$ref": "#/$defs/missing"},
        {"type": "string", "minLength": 10**9},
        {"const": 3},
    ]
)
SCHEMAS = (
    ANY
    | st.recursive(
        SCHEMA_LEAVES,
        lambda kids: (
            st.fixed_dictionaries(
                {
                    "type": st.just("object"),
                    "properties": st.dictionaries(st.sampled_from(["a", "b", "c"]), kids, max_size=3),
                },
                optional={"required": st.lists(st.sampled_from(["a", "b", "z"]), max_size=3)},
            )
            | st.fixed_dictionaries({"type": st.just("array"), "items": kids}, optional={"minItems": st.integers(0, 3)})
            | st.fixed_dictionaries({"anyOf": st.lists(kids, min_size=1, max_size=2)})
        ),
        max_leaves=6,
    )
    | st.just(
        {
            "$defs": {"n": {"type": "object", "properties": {"c": {"$ref": "#/$defs/n"}}, "required": ["c"]}},
            "$ref": "#/$defs/n",
        }
    )
)
GENERIC_PART = st.one_of(
    st.fixed_dictionaries({"type": st.just("TEXT"), "text": TEXTS}),
    st.fixed_dictionaries({"type": st.just("IMAGE"), "imageUrl": st.fixed_dictionaries({"url": st.just("data:,x")})}),
    st.fixed_dictionaries({"type": st.sampled_from(["AUDIO", "VIDEO", "DOCUMENT"])}),
    ANY,
)
GENERIC_MESSAGE = st.fixed_dictionaries(
    {"role": st.sampled_from(["SYSTEM", "DEVELOPER", "USER", "ASSISTANT", "TOOL"])},
    optional={
        "content": st.lists(GENERIC_PART, max_size=2),
        "toolCallId": IDS,
        "toolCalls": st.lists(
            st.fixed_dictionaries(
                {"id": IDS, "type": st.just("FUNCTION")},
                optional={"name": TEXTS, "arguments": TEXTS | st.just('{"a": 1}')},
            ),
            max_size=2,
        ),
    },
)
GENERIC_REQUEST = st.fixed_dictionaries(
    {"apiFormat": st.just("GENERIC"), "messages": st.lists(GENERIC_MESSAGE, max_size=4)},
    optional={
        "tools": st.lists(
            st.fixed_dictionaries(
                {"type": st.just("FUNCTION")}, optional={"name": TEXTS, "description": TEXTS, "parameters": SCHEMAS}
            ),
            max_size=3,
        ),
        "toolChoice": st.fixed_dictionaries(
            {"type": st.sampled_from(["AUTO", "NONE", "REQUIRED", "FUNCTION"])}, optional={"name": TEXTS}
        ),
        "responseFormat": st.fixed_dictionaries(
            {"type": st.sampled_from(["TEXT", "JSON_OBJECT", "JSON_SCHEMA"])},
            optional={"jsonSchema": st.fixed_dictionaries({"name": st.just("x")}, optional={"schema": SCHEMAS})},
        ),
        "numGenerations": st.integers(-1, 4),
        "maxTokens": st.integers(-1, 5000),
        "maxCompletionTokens": st.integers(0, 40000),
        "stop": st.lists(TEXTS, max_size=2),
        "seed": st.integers(-5, 5),
        "reasoningEffort": st.sampled_from(["NONE", "LOW", "HIGH"]),
        "isStream": st.booleans(),
        "streamOptions": st.fixed_dictionaries({}, optional={"isIncludeUsage": st.booleans()}),
        "temperature": st.floats(0, 2),
    },
)
COHERE_CALL = st.fixed_dictionaries({"name": TEXTS, "parameters": ANY})
COHERE_RESULTS = st.lists(
    st.fixed_dictionaries({"call": COHERE_CALL, "outputs": st.lists(ANY, max_size=2)}), max_size=2
)
COHERE_REQUEST = st.fixed_dictionaries(
    {"apiFormat": st.just("COHERE"), "message": TEXTS},
    optional={
        "chatHistory": st.lists(
            st.one_of(
                st.fixed_dictionaries({"role": st.sampled_from(["USER", "SYSTEM"]), "message": TEXTS}),
                st.fixed_dictionaries(
                    {"role": st.just("CHATBOT")},
                    optional={"message": TEXTS, "toolCalls": st.lists(COHERE_CALL, max_size=2)},
                ),
                st.fixed_dictionaries({"role": st.just("TOOL"), "toolResults": COHERE_RESULTS}),
            ),
            max_size=4,
        ),
        "toolResults": COHERE_RESULTS,
        "documents": st.lists(ANY, max_size=3),
        "tools": st.lists(
            st.fixed_dictionaries(
                {"name": TEXTS, "description": TEXTS},
                optional={
                    "parameterDefinitions": st.dictionaries(
                        TEXTS,
                        st.fixed_dictionaries(
                            {"type": st.sampled_from(["str", "List[int]", "Dict", "List[", "float", "weird"])},
                            optional={"isRequired": st.booleans()},
                        ),
                        max_size=3,
                    )
                },
            ),
            max_size=2,
        ),
        "preambleOverride": TEXTS,
        "isForceSingleStep": st.booleans(),
        "isSearchQueriesOnly": st.booleans(),
        "isEcho": st.booleans(),
        "responseFormat": st.fixed_dictionaries(
            {"type": st.sampled_from(["TEXT", "JSON_OBJECT"])}, optional={"schema": SCHEMAS}
        ),
        "maxTokens": st.integers(-1, 5000),
        "stopSequences": st.lists(TEXTS, max_size=2),
        "isStream": st.booleans(),
    },
)
V2_PART = st.one_of(
    st.fixed_dictionaries({"type": st.just("TEXT"), "text": TEXTS}),
    st.fixed_dictionaries(
        {"type": st.just("IMAGE_URL"), "imageUrl": st.fixed_dictionaries({"url": st.just("data:,x")})}
    ),
    st.fixed_dictionaries({"type": st.just("DOCUMENT")}, optional={"document": ANY}),
    st.fixed_dictionaries({"type": st.just("THINKING")}, optional={"thinking": TEXTS}),
)
V2_REQUEST = st.fixed_dictionaries(
    {
        "apiFormat": st.just("COHEREV2"),
        "messages": st.lists(
            st.fixed_dictionaries(
                {
                    "role": st.sampled_from(["USER", "SYSTEM", "ASSISTANT", "TOOL"]),
                    "content": st.lists(V2_PART, max_size=2),
                },
                optional={
                    "toolCallId": IDS,
                    "toolCalls": st.lists(st.fixed_dictionaries({}, optional={"id": IDS, "function": ANY}), max_size=2),
                },
            ),
            max_size=4,
        ),
    },
    optional={
        "documents": st.lists(ANY, max_size=3),
        "tools": st.lists(
            st.fixed_dictionaries(
                {"type": st.just("FUNCTION"), "function": st.fixed_dictionaries({"name": TEXTS, "parameters": SCHEMAS})}
            ),
            max_size=2,
        ),
        "toolsChoice": st.sampled_from(["REQUIRED", "NONE"]),
        "thinking": st.fixed_dictionaries({"type": st.sampled_from(["ENABLED", "DISABLED"])}),
        "responseFormat": st.fixed_dictionaries(
            {"type": st.sampled_from(["TEXT", "JSON_OBJECT"])}, optional={"schema": SCHEMAS}
        ),
        "maxTokens": st.integers(-1, 5000),
        "stopSequences": st.lists(TEXTS, max_size=2),
        "isStream": st.booleans(),
    },
)


FUZZ_MODELS = {
    "GENERIC": [LLAMA, "meta.llama-4-maverick-17b-128e-instruct-fp8", "xai.grok-3-mini", "google.gemini-2.5-flash"],
    "COHERE": [COHERE],
    "COHEREV2": [COHERE_A, VISION],
}


@FUZZ
@given(request=st.one_of(GENERIC_REQUEST, COHERE_REQUEST, V2_REQUEST), pick=st.integers(0, 3))
def test_any_conversation_gets_an_answer_or_a_400(emulator, request, pick):
    models = FUZZ_MODELS[request["apiFormat"]]
    body = {
        "compartmentId": COMPARTMENT,
        "servingMode": {"servingType": "ON_DEMAND", "modelId": models[pick % len(models)]},
        "chatRequest": request,
    }
    resp = raw_post(emulator.url, "chat", body)
    assert_not_500(resp)
    if resp.status_code == 200 and request.get("isStream"):
        assert resp.headers["content-type"] == "text/event-stream" and resp.text.endswith("\n\n")
