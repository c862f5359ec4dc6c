"""What the default (deterministic) generator answers, through the real clients over real HTTP:
recall of stated facts through every history form (COHERE chatHistory, GENERIC and COHEREV2
messages, LangChain message lists, OpenAI previous_response_id, conversations and Chat
Completions), arithmetic, say/count, JSON mode that follows the prompt, reasoning by effort (streamed
too), tool arguments that obey the whole schema, and unsatisfiable schemas refused naming the field."""

from __future__ import annotations

import json

import jsonschema
import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.tools import tool
from oci.generative_ai_inference import models as m
from pydantic import BaseModel, Field

from chat_helpers import COHERE, COHERE_A, LLAMA, chat, generic, service_error, stream_payloads, text_of
from conftest import COMPARTMENT
from openai_helpers import REASONING_MODEL, active_project, api_key, client

langchain_oci = pytest.importorskip("langchain_oci")
from langchain_oci import ChatOCIGenAI  # noqa: E402

GROK_MINI = "xai.grok-3-mini"
pytestmark = pytest.mark.filterwarnings("ignore:GenericProvider could not extract text:UserWarning")


def assistant(text: str) -> m.AssistantMessage:
    return m.AssistantMessage(content=[m.TextContent(text=text)])


# -- recall and arithmetic on the native API ---------------------------------------------------------
def test_recall_through_cohere_chat_history(inference):
    request = m.CohereChatRequest(
        message="What is my favorite color?",
        chat_history=[m.CohereUserMessage(message="My favourite colour is teal."), m.CohereChatBotMessage(message="Nice!")],
    )
    assert "teal" in text_of(chat(inference, COHERE, request)).lower()
    forgotten = text_of(chat(inference, COHERE, m.CohereChatRequest(message="What is my favorite color?")))
    assert "teal" not in forgotten and "not told me" in forgotten


def test_recall_and_arithmetic_through_generic_messages(inference):
    said = ["Remember this number: 4217", assistant("Okay."), "What number did I ask you to remember?"]
    assert "4217" in text_of(chat(inference, LLAMA, generic(*said)))
    plus = ["My favorite number is 7", assistant("Noted."), "What is my favorite number plus 3?"]
    assert "10" in text_of(chat(inference, LLAMA, generic(*plus)))
    assert "391" in text_of(chat(inference, LLAMA, generic("What is 17 * 23?")))


def test_recall_through_coherev2_messages(inference):
    messages = [
        m.CohereUserMessageV2(content=[m.CohereTextContentV2(text="I live in Reykjavik.")]),
        m.CohereAssistantMessageV2(content=[m.CohereTextContentV2(text="Lovely.")]),
        m.CohereUserMessageV2(content=[m.CohereTextContentV2(text="Where do I live?")]),
    ]
    assert "Reykjavik" in text_of(chat(inference, COHERE_A, m.CohereChatRequestV2(messages=messages)))


def test_say_and_count_obey_stop_sequences(inference):
    assert text_of(chat(inference, LLAMA, generic("Say 'chain works' and nothing else"))) == "chain works"
    counted = text_of(chat(inference, LLAMA, generic("Count from 1 to 10, one number per line", stop=["5"])))
    assert counted.split() == ["1", "2", "3", "4"]


# -- reasoning ----------------------------------------------------------------------------------------
def test_reasoning_is_streamed_before_the_answer_with_its_tokens(inference):
    request = generic("What is 12 * 8?", is_stream=True, stream_options=m.StreamOptions(is_include_usage=True))
    events = stream_payloads(inference.chat(m.ChatDetails(
        compartment_id=COMPARTMENT, serving_mode=m.OnDemandServingMode(model_id=GROK_MINI), chat_request=request)))
    kinds = ["reasoning" if "reasoningContent" in e.get("message", {}) else "text" if e.get("message", {}).get("content")
             and e["message"]["content"][0]["text"] else None for e in events if isinstance(e, dict)]
    kinds = [k for k in kinds if k]
    assert kinds.count("reasoning") > 3 and kinds == sorted(kinds)  # every reasoning delta before the text
    reasoning = "".join(e["message"]["reasoningContent"] for e in events if "reasoningContent" in e.get("message", {}))
    assert "12 * 8 = 96" in reasoning
    usage = next(e["usage"] for e in events if "usage" in e)
    assert usage["completionTokensDetails"]["reasoningTokens"] > 0
    text = "".join(e["message"]["content"][0]["text"] for e in events if e.get("message", {}).get("content"))
    assert "96" in text and "96" not in text.replace("12 * 8 = 96", "")  # the answer, said once


def test_reasoning_leaves_the_answer_room_within_max_tokens(inference):
    answer = chat(inference, "openai.gpt-oss-20b", generic("What is 12 * 8?", max_completion_tokens=12)).chat_response
    usage = answer.usage
    assert usage.completion_tokens <= 12 and usage.completion_tokens_details.reasoning_tokens <= 6
    assert "96" in answer.choices[0].message.content[0].text


# -- JSON mode ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "prompt, expected",
    [
        ("Give me a name, an age as an integer and an occupation", {"name": str, "age": int, "occupation": str}),
        ("Create a JSON object with a person's name and age. Name: Alice, Age: 30", {"name": "Alice", "age": 30}),
        ("Return JSON with a single key 'status' set to 'ok'", {"status": "ok"}),
        ("List three colors in JSON format with a 'colors' array.", {"colors": list}),
        ("Tell me about a person named Bob who is 25 years old.", {"name": "Bob", "age": 25}),
    ],
)
def test_json_mode_answers_the_keys_the_prompt_names(inference, prompt, expected):
    request = generic(prompt, response_format=m.JsonObjectResponseFormat())
    answer = json.loads(text_of(chat(inference, LLAMA, request)))
    assert set(answer) == set(expected)
    for key, want in expected.items():
        assert isinstance(answer[key], want) if isinstance(want, type) else answer[key] == want
    assert answer.get("colors") is None or len(set(answer["colors"])) == 3


def test_json_mode_nested_and_fallback(inference):
    company = ('Create a JSON object representing a company with:\n- name: "TechCorp"\n'
               "- employees: array of 2 employees, each with name and role\n- founded: 2020")
    answer = json.loads(text_of(chat(inference, COHERE, m.CohereChatRequest(
        message=company, response_format=m.CohereResponseJsonFormat()))))
    assert answer["name"] == "TechCorp" and answer["founded"] == 2020
    assert [sorted(e) for e in answer["employees"]] == [["name", "role"]] * 2
    plain = json.loads(text_of(chat(inference, LLAMA, generic("JSON please", response_format=m.JsonObjectResponseFormat()))))
    assert list(plain) == ["answer"] and plain["answer"]


# -- tool arguments obey the whole schema ---------------------------------------------------------------
ORDER_SCHEMA = {
    "type": "object",
    "properties": {
        "order_id": {"type": "string", "pattern": "^ORD-[0-9]{4}-[A-Z]{2}$"},
        "email": {"type": "string", "format": "email"},
        "priority": {"type": "string", "enum": ["low", "normal", "urgent"]},
        "quantity": {"type": "integer", "minimum": 10, "exclusiveMaximum": 20, "multipleOf": 5},
        "tags": {"type": "array", "items": {"type": "string", "minLength": 3}, "minItems": 3, "maxItems": 4,
                 "uniqueItems": True},
        "address": {
            "type": "object",
            "properties": {"zip": {"type": "string", "pattern": "^[0-9]{5}$"}, "lines": {
                "type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2}},
            "required": ["zip", "lines"],
            "additionalProperties": False,
        },
    },
    "required": ["order_id", "email", "priority", "quantity", "tags", "address"],
    "additionalProperties": False,
}


def test_tool_arguments_obey_the_whole_schema_and_take_the_prompts_values(inference):
    tool_def = m.FunctionDefinition(name="place_order", description="Place an order", parameters=ORDER_SCHEMA)
    request = generic("Place an urgent order please", tools=[tool_def])
    [call] = chat(inference, LLAMA, request).chat_response.choices[0].message.tool_calls
    arguments = json.loads(call.arguments)
    jsonschema.validate(arguments, ORDER_SCHEMA, format_checker=jsonschema.FormatChecker())
    assert arguments["priority"] == "urgent" and arguments["quantity"] in (10, 15)

    metrics = m.FunctionDefinition(name="query_metrics", description="Query infrastructure metrics", parameters={
        "type": "object",
        "properties": {"metric_name": {"type": "string", "enum": ["cpu", "memory", "disk"]},
                       "duration_hours": {"type": "integer", "minimum": 1, "maximum": 168},
                       "user_id": {"type": "string"}},
        "required": ["metric_name", "duration_hours", "user_id"],
    })
    asked = generic("Show me the CPU metrics of user ID 'abc123' for the last 6 hours", tools=[metrics])
    [call] = chat(inference, LLAMA, asked).chat_response.choices[0].message.tool_calls
    assert json.loads(call.arguments) == {"metric_name": "cpu", "duration_hours": 6, "user_id": "abc123"}


@pytest.mark.parametrize(
    "schema, field",
    [
        ({"type": "object", "properties": {"n": {"type": "integer", "minimum": 5, "maximum": 3}}, "required": ["n"]}, "'n'"),
        ({"type": "object", "properties": {"box": {"type": "object", "properties": {"tags": {
            "type": "array", "items": {"enum": ["a"]}, "minItems": 2, "uniqueItems": True}}, "required": ["tags"]}},
          "required": ["box"]}, "'box.tags'"),
        ({"type": "object", "properties": {"code": {"type": "string", "pattern": "^[A-Z]{6}$", "maxLength": 3}},
          "required": ["code"]}, "'code'"),
    ],
    ids=["bounds", "nested-unique-items", "pattern-and-length"],
)
def test_an_unsatisfiable_schema_is_a_400_naming_the_field(inference, schema, field):
    tool_def = m.FunctionDefinition(name="impossible", description="Cannot be called", parameters=schema)
    exc = service_error(chat, inference, LLAMA, generic("Call impossible", tools=[tool_def]))
    assert exc.status == 400 and "impossible" in exc.message and field in exc.message, exc.message


# -- LangChain: message history, reasoning, JSON mode, tools --------------------------------------------
def test_langchain_history_reasoning_and_json_mode(framework_settings):
    llm = ChatOCIGenAI(model_id=LLAMA, **framework_settings, model_kwargs={"temperature": 0, "max_tokens": 512})
    messages = [SystemMessage("You are a helpful assistant tracking a story.")]
    for part in ["Once upon a time, there was a brave knight named Sir Galahad.",
                 "Sir Galahad had a loyal horse named Thunder.", "They lived in the kingdom of Camelot."]:
        messages += [HumanMessage(part)]
        messages.append(llm.invoke(messages))
    assert "thunder" in llm.invoke([*messages, HumanMessage("What was the knight's horse named?")]).content.lower()
    assert "42" in llm.invoke([HumanMessage("Remember this number: 42"), AIMessage("Okay."),
                               HumanMessage("What number did I ask you to remember?")]).content

    answer = llm.bind(response_format={"type": "json_object"}).invoke("Return ONLY a JSON object with keys 'name' and 'value'.")
    assert set(json.loads(answer.content)) == {"name", "value"}

    class Person(BaseModel):
        name: str
        age: int
        occupation: str

    person = llm.with_structured_output(Person, method="json_mode").invoke(
        "Generate a fictional person: name, age (as integer), and occupation")
    assert person.name and person.age > 0 and person.occupation

    thinker = ChatOCIGenAI(model_id=GROK_MINI, **framework_settings)
    result = thinker.invoke("What is 17 * 23?")
    assert "391" in result.content and "17 * 23 = 391" in result.additional_kwargs["reasoning_content"]
    chunks = list(thinker.stream("What is 17 * 23?"))
    streamed = "".join(c.additional_kwargs.get("reasoning_content", "") for c in chunks)
    assert streamed == result.additional_kwargs["reasoning_content"]
    assert "391" in "".join(c.content for c in chunks)
    plain = llm.invoke("What is 17 * 23?")
    assert "reasoning_content" not in plain.additional_kwargs


class QueryMetricsInput(BaseModel):
    metric_name: str = Field(description="Metric to query", json_schema_extra={"enum": ["cpu", "memory", "disk"]})
    duration_hours: int = Field(description="Time window in hours", ge=1, le=168, default=24)


@tool(args_schema=QueryMetricsInput)
def query_metrics(metric_name: str, duration_hours: int = 24) -> str:
    """Query infrastructure metrics for monitoring dashboards."""
    return f"{metric_name} for {duration_hours}h"


def test_langchain_tool_arguments_follow_the_question(framework_settings):
    llm = ChatOCIGenAI(model_id=LLAMA, **framework_settings).bind_tools([query_metrics])
    [call] = llm.invoke([SystemMessage("Use the query_metrics tool to answer."),
                         HumanMessage("Get memory metrics for the past 48 hours.")]).tool_calls
    assert call["args"] == {"metric_name": "memory", "duration_hours": 48}


# -- OpenAI-compatible API: chaining, conversations, Chat Completions ------------------------------------
@pytest.fixture
def oai(emulator_url, genai):
    project = active_project(genai, display_name="recall")
    return client(emulator_url, project.id, api_key(genai).secret)


def test_openai_recall_through_chaining_conversations_and_chat_completions(oai):
    first = oai.responses.create(model=REASONING_MODEL, input="My name is Ada Lovelace.")
    assert "Ada Lovelace" in first.output_text
    second = oai.responses.create(model=REASONING_MODEL, input="What is my name?", previous_response_id=first.id)
    assert "Ada Lovelace" in second.output_text and second.output[0].type == "reasoning"
    assert "Ada Lovelace" not in oai.responses.create(model=REASONING_MODEL, input="What is my name?").output_text

    conversation = oai.conversations.create()
    oai.responses.create(model=REASONING_MODEL, input="I live in Lisbon.", conversation=conversation.id)
    later = oai.responses.create(model=REASONING_MODEL, input="Where do I live?", conversation=conversation.id)
    assert "Lisbon" in later.output_text

    completion = oai.chat.completions.create(model=REASONING_MODEL, messages=[
        {"role": "user", "content": "My favorite number is 7"}, {"role": "assistant", "content": "Noted."},
        {"role": "user", "content": "What is my favorite number plus 3?"}])
    assert "10" in completion.choices[0].message.content


def test_tools_are_chosen_by_name_enum_option_or_operation_and_cohere_reads_described_constraints(inference):
    metrics = m.CohereTool(name="query_metrics", description="Query infrastructure metrics for monitoring dashboards.",
                           parameter_definitions={
                               "metric_name": m.CohereParameterDefinition(
                                   type="str", is_required=True,
                                   description="Metric to query. Allowed values: ['cpu', 'memory', 'disk']"),
                               "duration_hours": m.CohereParameterDefinition(
                                   type="int", is_required=True, description="Window in hours. Range: min=1, max=168"),
                           })
    asked = m.CohereChatRequest(preamble_override="Use the query_metrics tool to answer.", tools=[metrics],
                                message="Show me the CPU usage for the last 6 hours.", is_force_single_step=True)
    [call] = chat(inference, COHERE_A, asked).chat_response.tool_calls
    assert call.parameters == {"metric_name": "cpu", "duration_hours": 6}
    wrong = m.CohereTool(name="broken", description="Broken", parameter_definitions={"n": m.CohereParameterDefinition(
        type="int", is_required=True, description="Range: min=9, max=3")})
    exc = service_error(chat, inference, COHERE_A, m.CohereChatRequest(message="Call broken", tools=[wrong]))
    assert exc.status == 400 and "'n'" in exc.message and "broken" in exc.message

    add = m.FunctionDefinition(name="add_numbers", description="Add two numbers together.", parameters={
        "type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}, "required": ["a", "b"]})
    [call] = chat(inference, LLAMA, generic("What is 5 plus 3?", tools=[add])).chat_response.choices[0].message.tool_calls
    assert json.loads(call.arguments) == {"a": 5, "b": 3}
    assert not chat(inference, LLAMA, generic("What is 5 plus 3?", tools=[add], tool_choice=m.ToolChoiceNone())
                    ).chat_response.choices[0].message.tool_calls
