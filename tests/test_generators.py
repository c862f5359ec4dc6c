"""Generators beyond the default: rules, proxy, record and replay, simulated latency, and their admin API.

Chats go through the real oci SDK; the proxy talks to a small OpenAI-compatible server started here,
and the record mode to a second emulator standing in for the real service.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import oci
import pytest
import requests
from flask import Flask, Response, request
from oci.generative_ai_inference import GenerativeAiInferenceClient
from oci.generative_ai_inference import models as m

from chat_helpers import stream_payloads
from conftest import COMPARTMENT, admin, make_oci_config
from emulator.inference.generators.replay import fixture_key, normalize
from emulator.server import BackgroundServer
from emulator.settings import Settings
from processes import child_env, run_cli, spawn  # noqa: F401  (spawn is a fixture)

LLAMA = "meta.llama-3.3-70b-instruct"
COMMAND_R = "cohere.command-r-08-2024"
WEATHER_RULES = [
    {"model": "cohere.*", "pattern": r"weather in (\w+)",
     "toolCalls": [{"name": "get_weather", "arguments": {"city": "{1}"}}]},
    {"model": "cohere.*", "pattern": r"weather in (\w+)", "reply": "Cohere says it is sunny in {1}."},
    {"pattern": r"weather in (?P<city>\w+)", "toolCalls": [{"name": "get_weather", "arguments": {"city": "{city}"}}]},
    {"pattern": r"weather in (\w+)", "reply": "It is sunny in {1}."},
]


# -- clients and requests ------------------------------------------------------------------------


def inference_client(url: str, config: dict) -> GenerativeAiInferenceClient:
    return GenerativeAiInferenceClient(config, service_endpoint=url, retry_strategy=oci.retry.NoneRetryStrategy())


@pytest.fixture
def inference(emulator_url, oci_config) -> GenerativeAiInferenceClient:
    return inference_client(emulator_url, oci_config)


WEATHER_FUNCTION = m.FunctionDefinition(
    name="get_weather",
    description="Current weather in a city",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
WEATHER_TOOL = m.CohereTool(
    name="get_weather",
    description="Current weather in a city",
    parameter_definitions={"city": m.CohereParameterDefinition(type="str", description="the city", is_required=True)},
)


def user(text: str) -> m.UserMessage:
    return m.UserMessage(content=[m.TextContent(text=text)])


def generic(client, messages, model: str = LLAMA, **kw):
    messages = [user(messages)] if isinstance(messages, str) else messages
    details = m.ChatDetails(
        compartment_id=COMPARTMENT,
        serving_mode=m.OnDemandServingMode(model_id=model),
        chat_request=m.GenericChatRequest(messages=messages, **kw),
    )
    return client.chat(details)


def cohere(client, message: str, model: str = COMMAND_R, **kw):
    details = m.ChatDetails(
        compartment_id=COMPARTMENT,
        serving_mode=m.OnDemandServingMode(model_id=model),
        chat_request=m.CohereChatRequest(message=message, **kw),
    )
    return client.chat(details)


def generic_text(response) -> str:
    return "".join(c.text for c in response.data.chat_response.choices[0].message.content or [])


def streamed_text(evs: list) -> str:
    return "".join(
        part.get("text", "") for e in evs if isinstance(e, dict) and "finishReason" not in e
        for part in (e.get("message") or {}).get("content") or []
    )


def service_error(call) -> oci.exceptions.ServiceError:
    with pytest.raises(oci.exceptions.ServiceError) as info:
        call()
    return info.value


# -- rules -----------------------------------------------------------------------------------------


def test_rules_answer_generic_and_cohere_with_canned_replies(emulator_url, inference):
    admin(emulator_url, "rules", {"rules": WEATHER_RULES})
    assert generic_text(generic(inference, "What is the weather in Paris?")) == "It is sunny in Paris."
    assert cohere(inference, "And the weather in Lima?").data.chat_response.text == "Cohere says it is sunny in Lima."
    # no rule matches: the deterministic answer
    other = generic_text(generic(inference, "Tell me about databases"))
    assert other and "sunny" not in other
    # maxTokens and stop sequences cut a canned reply
    cut = generic(inference, "weather in Oslo", max_tokens=3).data.chat_response.choices[0]
    assert cut.message.content[0].text == "It is sunny" and cut.finish_reason == "length"
    stopped = cohere(inference, "weather in Rome", stop_sequences=[" in"]).data.chat_response
    assert stopped.text == "Cohere says it is sunny"


def test_rules_call_tools_generic_and_cohere(emulator_url, inference):
    admin(emulator_url, "rules", {"rules": WEATHER_RULES})
    first = generic(inference, "What is the weather in Paris?", tools=[WEATHER_FUNCTION]).data.chat_response.choices[0]
    assert first.finish_reason == "tool_calls"
    (call,) = first.message.tool_calls
    assert call.name == "get_weather" and json.loads(call.arguments) == {"city": "Paris"}
    # the tool's result comes back: the rule (lastTurn "user" by default) steps aside, the model answers
    answered = generic(
        inference,
        [
            user("What is the weather in Paris?"),
            m.AssistantMessage(tool_calls=[m.FunctionCall(id=call.id, name=call.name, arguments=call.arguments)]),
            m.ToolMessage(tool_call_id=call.id, content=[m.TextContent(text='{"sky": "clear", "celsius": 21}')]),
        ],
        tools=[WEATHER_FUNCTION],
    ).data.chat_response.choices[0]
    assert not answered.message.tool_calls and answered.finish_reason == "stop" and generic_text_of(answered)

    co = cohere(inference, "What is the weather in Lima?", tools=[WEATHER_TOOL], is_force_single_step=True)
    co = co.data.chat_response
    assert [(c.name, c.parameters) for c in co.tool_calls] == [("get_weather", {"city": "Lima"})]
    # a rule only calls tools the request offers: without tools the reply rule answers
    reply = cohere(inference, "What is the weather in Lima?").data.chat_response.text
    assert reply == "Cohere says it is sunny in Lima."


def generic_text_of(choice) -> str:
    return "".join(c.text for c in choice.message.content or [])


def test_rules_stream(emulator_url, inference):
    admin(emulator_url, "rules", {"pattern": "^ping$", "reply": "pong pong pong"})
    evs = stream_payloads(generic(inference, "ping", is_stream=True))
    assert streamed_text(evs) == "pong pong pong"
    assert any(e.get("finishReason") for e in evs if isinstance(e, dict))


def test_rules_admin_api(emulator_url):
    assert admin(emulator_url, "rules") == {"rules": [], "file": None, "fileRules": []}
    admin(emulator_url, "rules", {"rules": WEATHER_RULES[:2]})
    listed = admin(emulator_url, "rules", {"pattern": "hi", "reply": "hello"})["rules"]
    assert listed == [*WEATHER_RULES[:2], {"pattern": "hi", "reply": "hello"}]
    assert admin(emulator_url, "rules")["rules"] == listed
    admin(emulator_url, "rules", method="DELETE")
    assert admin(emulator_url, "rules")["rules"] == []
    admin(emulator_url, "rules", {"pattern": "hi", "reply": "hello"})
    admin(emulator_url, "generators", {"default": {"type": "deterministic"}})
    admin(emulator_url, "reset", {})  # reset forgets posted rules and generator choices
    assert admin(emulator_url, "rules")["rules"] == []
    assert admin(emulator_url, "generators") == {"default": {"type": "rules"}, "models": {}}


@pytest.mark.parametrize("rule, field", [
    ({"pattern": "(unclosed", "reply": "x"}, "rules[0].pattern"),
    ({"pattern": "x"}, "rules[0]: a rule needs a 'reply' or 'toolCalls'"),
    ({"pattern": "x", "reply": "y", "replay": "z"}, "unknown field(s) replay"),
    ({"toolCalls": [{"arguments": {}}]}, "rules[0].toolCalls[0].name"),
    ({"reply": "x", "lastTurn": "assistant"}, "rules[0].lastTurn"),
    ({"reply": "x", "apiFormat": "OPENAI"}, "rules[0].apiFormat"),
])
def test_bad_rules_are_400s_naming_the_field(emulator_url, rule, field):
    answer = requests.post(f"{emulator_url}/_emulator/rules", json={"rules": [rule]})
    assert answer.status_code == 400 and answer.json()["code"] == "InvalidParameter"
    assert field in answer.json()["message"]
    assert admin(emulator_url, "rules")["rules"] == []


RULES_YAML = """\
rules:
  - model: "meta.*"
    pattern: 'capital of (\\w+)'
    reply: "The capital of {1} is on file."
  - pattern: "hello"
    reply: "Hello from the rules file."
"""


def test_rules_file_loaded_by_serve(spawn, tmp_path, oci_config):
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(RULES_YAML)
    proc = spawn("--rules", str(rules_file))
    client = inference_client(proc.url, oci_config)
    assert generic_text(generic(client, "What is the capital of France?")) == "The capital of France is on file."
    assert cohere(client, "hello there").data.chat_response.text == "Hello from the rules file."
    listed = proc.admin("rules")
    assert listed["file"] == str(rules_file) and len(listed["fileRules"]) == 2
    # rules posted at run time come first; reset forgets them, not the file's
    proc.admin("rules", {"pattern": "hello", "reply": "Hello from the admin API."})
    assert cohere(client, "hello there").data.chat_response.text == "Hello from the admin API."
    proc.admin("reset", {})
    assert cohere(client, "hello there").data.chat_response.text == "Hello from the rules file."


def test_bad_rules_file_stops_serve(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"pattern": "[", "reply": "x"}]))
    done = run_cli(["serve", "--port", "0", "--rules", str(bad)], child_env(tmp_path), timeout=20)
    assert done.returncode == 2 and "rules[0].pattern" in done.stderr and str(bad) in done.stderr


def test_rules_file_from_environment(monkeypatch):
    monkeypatch.setenv("OCI_EMULATOR_RULES", "/srv/rules.yaml")
    assert Settings.from_env().rules == "/srv/rules.yaml"


# -- generator configuration -----------------------------------------------------------------------


@pytest.mark.parametrize("config, field", [
    ({"default": {"type": "magic"}}, "default.type"),
    ({"models": {LLAMA: {"type": "proxy"}}}, f"models.{LLAMA}.url"),
    ({"models": {LLAMA: {"type": "proxy", "url": "http://x/v1", "timeoutSeconds": 0}}}, "timeoutSeconds"),
    ({"models": {LLAMA: {"type": "replay"}}}, f"models.{LLAMA}.fixtures"),
    ({"models": {LLAMA: {"type": "replay", "fixtures": "f", "onMissing": "guess"}}}, "onMissing"),
    ({"models": {LLAMA: {"type": "record", "fixtures": "f"}}}, f"models.{LLAMA}.upstream"),
    ({"default": {"type": "deterministic", "latency": {"tokensPerSecond": -1}}}, "default.latency.tokensPerSecond"),
    ({"default": {"type": "deterministic", "latency": {"ttft": 1}}}, "default.latency: unknown field(s) ttft"),
    ({"default": {"type": "rules", "fallback": {"type": "proxy"}}}, "default.fallback.url"),
    ({"default": {"type": "rules", "rules": [{"reply": 3}]}}, "default.rules[0].reply"),
    ({"models": []}, "models"),
    ({"defaults": {}}, "Unknown field(s) defaults"),
])
def test_bad_generator_config_is_a_400_naming_the_field(emulator_url, config, field):
    answer = requests.post(f"{emulator_url}/_emulator/generators", json=config)
    assert answer.status_code == 400 and field in answer.json()["message"], answer.text
    assert admin(emulator_url, "generators") == {"default": {"type": "rules"}, "models": {}}


def test_models_match_by_exact_name_then_glob(emulator_url, inference):
    admin(emulator_url, "generators", {"models": {
        "cohere.*": {"type": "rules", "rules": [{"reply": "any cohere"}]},
        COMMAND_R: {"type": "rules", "rules": [{"reply": "command r exactly"}]},
    }})
    assert cohere(inference, "hi").data.chat_response.text == "command r exactly"
    assert cohere(inference, "hi", model="cohere.command-r-plus-08-2024").data.chat_response.text == "any cohere"
    assert generic_text(generic(inference, "hi")) != "any cohere"
    admin(emulator_url, "generators", method="DELETE")
    assert cohere(inference, "hi").data.chat_response.text != "command r exactly"


# -- proxy -----------------------------------------------------------------------------------------


class FakeOpenAI:
    """A small OpenAI-compatible chat server: echoes the last message, or calls the first tool."""

    def __init__(self):
        self.requests: list[dict] = []
        app = Flask("fake_openai")
        app.add_url_rule("/v1/chat/completions", "chat", self.chat, methods=["POST"])
        from waitress.server import create_server

        self.server = create_server(app, host="127.0.0.1", port=0, threads=4)
        self.url = f"http://127.0.0.1:{self.server.socket.getsockname()[1]}/v1"
        threading.Thread(target=self.server.run, daemon=True).start()

    def chat(self):
        body = request.get_json()
        self.requests.append({"body": body, "authorization": request.headers.get("authorization")})
        if request.headers.get("authorization") != "Bearer secret":
            return {"error": {"message": "Incorrect API key provided.", "type": "invalid_request_error"}}, 401
        if body["model"] == "broken":
            return {"error": {"message": "the model crashed", "type": "server_error"}}, 500
        last = body["messages"][-1]
        tools = [t["function"]["name"] for t in body.get("tools", [])]
        text, call = None, None
        if tools and last["role"] == "user":
            call = {"id": "call_up_1", "type": "function",
                    "function": {"name": tools[0], "arguments": json.dumps({"city": "Paris"})}}
        else:
            text = f"Upstream {body['model']} heard: {last['content']}"
        usage = {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
        finish = "tool_calls" if call else "stop"
        if not body.get("stream"):
            message = {"role": "assistant", "content": text, **({"tool_calls": [call]} if call else {})}
            return {"id": "chatcmpl-1", "object": "chat.completion", "model": body["model"],
                    "choices": [{"index": 0, "message": message, "finish_reason": finish}], "usage": usage}

        def chunk(delta=None, finish_reason=None, **extra):
            choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish_reason}]
            payload = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "choices": choices, **extra}
            return f"data: {json.dumps(payload)}\n\n"

        def frames():
            yield chunk({"role": "assistant", "content": ""})
            for i, word in enumerate(text.split(" ") if text else []):
                yield chunk({"content": word if i == 0 else f" {word}"})
            if call:
                args = call["function"]["arguments"]
                yield chunk({"tool_calls": [{"index": 0, "id": call["id"], "type": "function",
                                             "function": {"name": call["function"]["name"], "arguments": args[:5]}}]})
                yield chunk({"tool_calls": [{"index": 0, "function": {"arguments": args[5:]}}]})
            yield chunk({}, finish)
            if (body.get("stream_options") or {}).get("include_usage"):
                yield chunk(usage=usage)
            yield "data: [DONE]\n\n"

        return Response(frames(), content_type="text/event-stream")

    def close(self):
        self.server.close()


@pytest.fixture(scope="module")
def openai_server():
    server = FakeOpenAI()
    yield server
    server.close()


def proxy_to(emulator_url: str, url: str, model: str = "llama3", key: str = "secret"):
    admin(emulator_url, "generators", {"models": {
        LLAMA: {"type": "proxy", "url": url, "model": model, "apiKey": key},
        "cohere.*": {"type": "proxy", "url": url, "model": model, "apiKey": key},
    }})


def test_proxy_translates_requests_and_answers(emulator_url, inference, openai_server):
    proxy_to(emulator_url, openai_server.url)
    answer = generic(inference, "Hello upstream", max_tokens=50, temperature=0.2, stop=["END"], seed=7)
    assert generic_text(answer) == "Upstream llama3 heard: Hello upstream"
    sent = openai_server.requests[-1]
    assert sent["authorization"] == "Bearer secret"
    assert sent["body"]["model"] == "llama3"
    assert sent["body"]["messages"] == [{"role": "user", "content": "Hello upstream"}]
    assert (sent["body"]["max_tokens"], sent["body"]["temperature"], sent["body"]["stop"], sent["body"]["seed"]) == (
        50, 0.2, ["END"], 7)
    usage = answer.data.chat_response.usage
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (11, 7, 18)
    # COHERE too: the message and preamble become OpenAI messages
    co = cohere(inference, "Bonjour", preamble_override="Be brief.").data.chat_response
    assert co.text == "Upstream llama3 heard: Bonjour"
    assert openai_server.requests[-1]["body"]["messages"] == [
        {"role": "system", "content": "Be brief."}, {"role": "user", "content": "Bonjour"}]


def test_proxy_tool_calls_and_results(emulator_url, inference, openai_server):
    proxy_to(emulator_url, openai_server.url)
    choice = generic(inference, "Weather?", tools=[WEATHER_FUNCTION]).data.chat_response.choices[0]
    (call,) = choice.message.tool_calls
    assert (call.id, call.name, json.loads(call.arguments), choice.finish_reason) == (
        "call_up_1", "get_weather", {"city": "Paris"}, "tool_calls")
    tools_sent = openai_server.requests[-1]["body"]["tools"]
    assert tools_sent == [{"type": "function", "function": {
        "name": "get_weather", "description": "Current weather in a city", "parameters": WEATHER_FUNCTION.parameters}}]
    final = generic(inference, [
        user("Weather?"),
        m.AssistantMessage(tool_calls=[m.FunctionCall(id=call.id, name=call.name, arguments=call.arguments)]),
        m.ToolMessage(tool_call_id=call.id, content=[m.TextContent(text="sunny")]),
    ], tools=[WEATHER_FUNCTION]).data.chat_response.choices[0]
    assert generic_text_of(final) == "Upstream llama3 heard: sunny" and final.finish_reason == "stop"
    messages = openai_server.requests[-1]["body"]["messages"]
    assert messages[1]["tool_calls"][0]["id"] == "call_up_1"
    assert json.loads(messages[1]["tool_calls"][0]["function"]["arguments"]) == {"city": "Paris"}
    assert messages[2] == {"role": "tool", "tool_call_id": "call_up_1", "content": "sunny"}
    co = cohere(inference, "Weather?", tools=[WEATHER_TOOL]).data.chat_response
    assert [(c.name, c.parameters) for c in co.tool_calls] == [("get_weather", {"city": "Paris"})]
    # COHERE results name the tool, not a call id: they are paired with the call they answer
    weather = m.CohereToolCall(name="get_weather", parameters={"city": "Paris"})
    co = cohere(
        inference, "", tools=[WEATHER_TOOL],
        chat_history=[
            m.CohereUserMessage(message="Weather?"), m.CohereChatBotMessage(message="", tool_calls=[weather])
        ],
        tool_results=[m.CohereToolResult(call=weather, outputs=[{"sky": "clear"}])],
    ).data.chat_response
    assert co.text == 'Upstream llama3 heard: [{"sky": "clear"}]'
    messages = openai_server.requests[-1]["body"]["messages"]
    assert messages[-1]["tool_call_id"] == messages[-2]["tool_calls"][0]["id"]


def test_proxy_streams(emulator_url, inference, openai_server):
    proxy_to(emulator_url, openai_server.url)
    evs = stream_payloads(generic(inference, "stream this please", is_stream=True))
    assert streamed_text(evs) == "Upstream llama3 heard: stream this please"
    assert openai_server.requests[-1]["body"]["stream"] is True
    assert [e["finishReason"] for e in evs if isinstance(e, dict) and e.get("finishReason")] == ["stop"]
    co = stream_payloads(cohere(inference, "and this", is_stream=True))
    assert co[-1]["text"] == "Upstream llama3 heard: and this" and co[-1]["finishReason"] == "COMPLETE"
    # tool-call arguments arrive in pieces and are put together
    tooled = stream_payloads(cohere(inference, "Weather?", tools=[WEATHER_TOOL], is_stream=True))
    assert tooled[-1]["toolCalls"] == [{"name": "get_weather", "parameters": {"city": "Paris"}}]


def test_proxy_upstream_failures_are_502s(emulator_url, inference, openai_server):
    proxy_to(emulator_url, "http://127.0.0.1:9/v1")  # nothing listens on the discard port
    for call in (lambda: generic(inference, "hi"), lambda: generic(inference, "hi", is_stream=True)):
        error = service_error(call)
        assert error.status == 502 and "could not reach" in error.message and "127.0.0.1:9" in error.message
    proxy_to(emulator_url, openai_server.url, model="broken")
    error = service_error(lambda: cohere(inference, "hi", is_stream=True))
    assert error.status == 502 and "answered 500: the model crashed" in error.message
    proxy_to(emulator_url, openai_server.url, key="wrong")
    error = service_error(lambda: generic(inference, "hi"))
    assert error.status == 502 and "Incorrect API key" in error.message


# -- record and replay -----------------------------------------------------------------------------


def write_oci_config(directory: Path, config: dict) -> Path:
    path = directory / "oci_config"
    path.write_text("[DEFAULT]\n" + "".join(f"{k}={v}\n" for k, v in config.items()))
    return path


def test_record_then_replay_offline(emulator_url, inference, tmp_path):
    upstream = BackgroundServer(Settings(port=0)).start()  # auth loose: it reads the signature's tenancy
    fixtures = tmp_path / "fixtures"
    signing = make_oci_config(tmp_path, "ocid1.tenancy.oc1..aaaaaaaarecorder", "recorder")
    try:
        admin(upstream.url, "rules", {"rules": [{"pattern": "record", "reply": "Straight from the real service."}]})
        admin(emulator_url, "generators", {"default": {
            "type": "record", "upstream": upstream.url, "fixtures": str(fixtures),
            "configFile": str(write_oci_config(tmp_path, signing)),
        }})
        recorded = {
            "generic": generic(inference, "please record this", max_tokens=20).data,
            "cohere": cohere(inference, "please record that").data,
        }
        recorded_stream = stream_payloads(generic(inference, "record a stream", is_stream=True))
        assert generic_text_of(recorded["generic"].chat_response.choices[0]) == "Straight from the real service."
        assert recorded["cohere"].chat_response.text == "Straight from the real service."
        assert streamed_text(recorded_stream) == "Straight from the real service."
        seen = [e for e in admin(upstream.url, "requests")["items"] if e["operation"] == "chat"]
        assert len(seen) == 3 and {e["tenancy"] for e in seen} == {signing["tenancy"]}  # signed with the profile
        assert len(list(fixtures.glob("*.json"))) == 3
    finally:
        upstream.stop()

    admin(emulator_url, "generators", {"default": {"type": "replay", "fixtures": str(fixtures)}})
    replayed = generic(inference, "please record this", max_tokens=20).data
    assert oci.util.to_dict(replayed) == oci.util.to_dict(recorded["generic"])
    assert oci.util.to_dict(cohere(inference, "please record that").data) == oci.util.to_dict(recorded["cohere"])
    assert stream_payloads(generic(inference, "record a stream", is_stream=True)) == recorded_stream

    error = service_error(lambda: generic(inference, "never recorded"))
    assert error.status == 400 and str(fixtures) in error.message
    key = fixture_key(LLAMA, {"apiFormat": "GENERIC", "messages": [
        {"role": "USER", "content": [{"type": "TEXT", "text": "never recorded"}]}]})
    assert key in error.message
    admin(emulator_url, "generators", {"default": {
        "type": "replay", "fixtures": str(fixtures), "onMissing": "deterministic"}})
    assert generic_text(generic(inference, "never recorded"))


def test_record_upstream_down_is_a_502(emulator_url, inference, tmp_path, oci_config):
    admin(emulator_url, "generators", {"default": {
        "type": "record", "upstream": "http://127.0.0.1:9", "fixtures": str(tmp_path),
        "configFile": str(write_oci_config(tmp_path, oci_config)),
    }})
    error = service_error(lambda: generic(inference, "hi"))
    assert error.status == 502 and "could not reach" in error.message


def test_fixture_key_ignores_what_changes_between_runs():
    def request(call_id: str, stream: bool | None = None) -> dict:
        return {"apiFormat": "GENERIC", "isStream": stream, "messages": [
            {"role": "USER", "content": [{"type": "TEXT", "text": "weather?"}]},
            {"role": "ASSISTANT", "toolCalls": [{"id": call_id, "type": "FUNCTION", "name": "w", "arguments": "{}"}]},
            {"role": "TOOL", "toolCallId": call_id, "content": [{"type": "TEXT", "text": "sunny"}]},
        ]}

    assert fixture_key(LLAMA, request("call_a")) == fixture_key(LLAMA, request("call_b", stream=False))
    assert fixture_key(LLAMA, request("call_a")) != fixture_key(LLAMA, request("call_a", stream=True))
    assert fixture_key(LLAMA, request("call_a")) != fixture_key("xai.grok-3", request("call_a"))
    assert normalize(request("call_x"))["messages"][2]["toolCallId"] == "call_0"


# -- latency ---------------------------------------------------------------------------------------


def test_latency_wraps_any_generator(emulator_url, inference):
    admin(emulator_url, "rules", {"pattern": "slow", "reply": "one two three four five six seven eight nine ten"})
    latency = {"timeToFirstTokenMs": 300, "tokensPerSecond": 40}
    admin(emulator_url, "generators", {"default": {"type": "rules", "latency": latency}})
    started = time.monotonic()
    stream = generic(inference, "slow please", is_stream=True).data.events()
    next(iter(stream))
    first = time.monotonic() - started
    assert first >= 0.3
    rest = list(stream)
    total = time.monotonic() - started
    assert rest and total >= 0.3 + 9 / 40  # ten tokens at 40 a second after the first
    started = time.monotonic()
    generic(inference, "slow please")
    assert time.monotonic() - started >= 0.3 + 10 / 40
    admin(emulator_url, "generators", {"default": {"type": "rules"}})
    started = time.monotonic()
    generic(inference, "slow please")
    assert time.monotonic() - started < 0.3


SERVE_WITHOUT_OCI = """
import sys
from emulator.app import create_app
from emulator.settings import Settings
assert not {"oci", "requests", "yaml"} & set(sys.modules), "imported at start-up"
client = create_app(Settings(auth="off")).test_client()
replay = {"type": "replay", "fixtures": sys.argv[1], "onMissing": "deterministic"}
client.post("/_emulator/generators", json={"default": replay})
client.post("/_emulator/rules", json={"pattern": "hello", "reply": "hi"})
body = {"compartmentId": "ocid1.compartment.oc1..aaaaaaaax",
        "servingMode": {"servingType": "ON_DEMAND", "modelId": "meta.llama-3.3-70b-instruct"},
        "chatRequest": {"apiFormat": "GENERIC",
                        "messages": [{"role": "USER", "content": [{"type": "TEXT", "text": "hi"}]}]}}
assert client.post("/20231130/actions/chat", json=body).status_code == 200
assert "oci" not in sys.modules, "replay imported oci"
"""


def test_only_record_mode_imports_oci(tmp_path):
    done = subprocess.run([sys.executable, "-c", SERVE_WITHOUT_OCI, str(tmp_path)], capture_output=True, text=True,
                          timeout=30, env=child_env(tmp_path))
    assert done.returncode == 0, done.stderr
