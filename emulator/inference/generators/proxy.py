"""``proxy``: answers from any OpenAI-compatible server (vLLM, Ollama, llama.cpp, LM Studio, OpenAI).

``{"type": "proxy", "url": "http://127.0.0.1:11434/v1", "model": "llama3", "apiKey": "..."}``;
``model`` defaults to the OCI model's name, ``apiKeyEnv`` names an environment variable holding the
key instead, ``timeoutSeconds`` (default 120) bounds each read and ``headers`` adds request headers.

The chat (turns, tools, tool results, documents, maxTokens, temperature, topP, seed, stop,
numGenerations, response schema, reasoning effort) becomes a ``POST {url}/chat/completions``;
the answer (text, tool calls, finish reason, usage, reasoning) becomes a Completion. Streams are
relayed delta by delta as the upstream sends them. An upstream that cannot be reached, fails or
answers nonsense is a 502 (a timeout a 504) naming the upstream and what it said.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from typing import Any, Iterator

from ...call import Call
from ...protocol.errors import ServiceError
from .. import tokens
from ..conversation import ChatInput, Completion, Generation, ToolCall
from .base import ConfigError, Delta, Generator, register

LOG = logging.getLogger(__name__)
CONNECT_TIMEOUT = 5.0
DEFAULT_TIMEOUT = 120.0
FINISH = {"stop": "stop", "length": "length", "tool_calls": "tool_calls", "function_call": "tool_calls"}


def bad_gateway(message: str) -> ServiceError:
    return ServiceError(502, "502", message)


def gateway_timeout(message: str) -> ServiceError:
    return ServiceError(504, "504", message)


@register("proxy")
class Proxy(Generator):
    FIELDS = frozenset({"url", "model", "apiKey", "apiKeyEnv", "timeoutSeconds", "headers"})

    @classmethod
    def check(cls, options: dict, where: str) -> None:
        super().check(options, where)
        url = options.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ConfigError(f"{where}.url: the server's OpenAI API base, like http://127.0.0.1:11434/v1.")
        for field in ("model", "apiKey", "apiKeyEnv"):
            if field in options and not isinstance(options[field], str):
                raise ConfigError(f"{where}.{field}: a string.")
        timeout = options.get("timeoutSeconds", DEFAULT_TIMEOUT)
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
            raise ConfigError(f"{where}.timeoutSeconds: a number of seconds > 0.")
        headers = options.get("headers", {})
        if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
            raise ConfigError(f"{where}.headers: an object of header names to string values.")

    @property
    def endpoint(self) -> str:
        url = self.options["url"].rstrip("/")
        return url if url.endswith("/chat/completions") else f"{url}/chat/completions"

    def complete(self, chat: ChatInput, call: Call) -> Completion:
        with call.waiting():
            response = self._post(chat, stream=False)
        try:
            answer = response.json()
            return from_openai(chat, answer)
        except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
            raise bad_gateway(f"The upstream server at {self.endpoint} answered something that is not an "
                              f"OpenAI chat completion ({type(exc).__name__}: {exc}).") from None
        finally:
            response.close()

    def stream(self, chat: ChatInput, call: Call) -> Iterator[Delta]:
        with call.waiting():  # now, so that a failure is an error answer, not a broken stream
            response = self._post(chat, stream=True)
        return self._relay(chat, response, call)

    def _post(self, chat: ChatInput, stream: bool):
        import requests

        body = to_openai(chat, self.options.get("model") or chat.served.profile.name, stream)
        headers = {"content-type": "application/json", **self.options.get("headers", {})}
        key = self.options.get("apiKey") or os.environ.get(self.options.get("apiKeyEnv") or "", "")
        if key:
            headers["authorization"] = f"Bearer {key}"
        timeout = self.options.get("timeoutSeconds", DEFAULT_TIMEOUT)
        try:
            response = requests.post(self.endpoint, json=body, headers=headers, stream=stream,
                                     timeout=(min(CONNECT_TIMEOUT, timeout), timeout))
        except requests.Timeout:
            raise gateway_timeout(
                f"The upstream server at {self.endpoint} did not answer within {timeout} s."
            ) from None
        except requests.RequestException as exc:
            raise bad_gateway(f"The proxy generator could not reach the upstream server at {self.endpoint}: "
                              f"{_reason(exc)}.") from None
        if response.status_code >= 400:
            detail = _error_detail(response)
            response.close()
            raise bad_gateway(f"The upstream server at {self.endpoint} answered {response.status_code}: {detail}")
        return response

    def _relay(self, chat: ChatInput, response, call: Call) -> Iterator[Delta]:
        merged = StreamMerger()
        try:
            for payload in call.waiting_for(sse_payloads(response)):
                if payload == "[DONE]":
                    break
                chunk = json.loads(payload)
                if isinstance(chunk, dict) and chunk.get("error"):
                    LOG.warning("the upstream %s ended its stream with an error: %s", self.endpoint, chunk["error"])
                    return
                yield from merged.add(chunk)
        except Exception as exc:  # the stream already started: it can only end early, and say why in the log
            LOG.warning("the stream from %s broke off: %s", self.endpoint, _reason(exc))
            return
        finally:
            response.close()
        yield Delta(completion=merged.completion(chat))


# -- OCI chat -> OpenAI request -------------------------------------------------------------------


def to_openai(chat: ChatInput, model: str, stream: bool) -> dict:
    body: dict[str, Any] = {"model": model, "messages": _messages(chat)}
    if chat.max_tokens is not None:
        body["max_tokens"] = chat.max_tokens
    for field, value in (("temperature", chat.temperature), ("top_p", chat.top_p), ("seed", chat.seed)):
        if value is not None:
            body[field] = value
    if chat.stop:
        body["stop"] = chat.stop
    if chat.num_generations > 1:
        body["n"] = chat.num_generations
    if chat.tools:
        body["tools"] = [
            {"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.parameters}}
            for t in chat.tools
        ]
        choice = chat.tool_choice
        body["tool_choice"] = choice if choice in ("auto", "none", "required") else {
            "type": "function", "function": {"name": choice}}
    if chat.response_schema is not None:
        schema = {"name": "response", "schema": chat.response_schema}
        body["response_format"] = {"type": "json_schema", "json_schema": schema}
    elif chat.json_mode:
        body["response_format"] = {"type": "json_object"}
    if chat.reasoning_effort:
        body["reasoning_effort"] = chat.reasoning_effort.lower()
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    return body


def _messages(chat: ChatInput) -> list[dict]:
    messages: list[dict] = []
    if chat.documents:
        listing = "\n".join(json.dumps(d, sort_keys=True) for d in chat.documents)
        messages.append({"role": "system", "content": f"Answer using these documents:\n{listing}"})
    pending: list[ToolCall] = []  # the last assistant turn's calls not answered yet
    for turn in chat.turns:
        if turn.role == "assistant":
            message: dict[str, Any] = {"role": "assistant", "content": turn.text or None}
            if turn.tool_calls:
                message["tool_calls"] = [
                    {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": json.dumps(c.arguments)}}
                    for c in turn.tool_calls
                ]
            pending = list(turn.tool_calls)
            messages.append(message)
        elif turn.role == "tool":
            answered = _answered_call(turn.tool_call_id, pending)
            if answered is None:  # a result for a call the history does not show: say it in words
                messages.append({"role": "user", "content": f"Tool result:\n{turn.text}"})
                continue
            pending.remove(answered)
            messages.append({"role": "tool", "tool_call_id": answered.id, "content": turn.text})
        else:
            messages.append({"role": turn.role, "content": turn.text})
    return messages


def _answered_call(call_id: str | None, pending: list[ToolCall]) -> ToolCall | None:
    """The call a tool result answers: OpenAI servers want its exact id, but COHERE results name
    only the tool (and some clients send no id): then the first unanswered call of that name, or of any."""
    return (
        next((c for c in pending if c.id == call_id), None)
        or next((c for c in pending if c.name == call_id), None)
        or (pending[0] if pending else None)
    )


# -- OpenAI answer -> Completion --------------------------------------------------------------------


def from_openai(chat: ChatInput, answer: dict) -> Completion:
    choices = sorted(answer["choices"], key=lambda c: c.get("index", 0))
    if not choices:
        raise ValueError("no choices")
    generations = []
    for choice in choices:
        message = choice.get("message") or {}
        calls = [
            _tool_call(c.get("id"), c["function"]["name"], c["function"].get("arguments"))
            for c in message.get("tool_calls") or []
        ]
        generations.append(Generation(
            text=message.get("content") or "",
            tool_calls=calls,
            finish=_finish(choice, calls),
            reasoning=message.get("reasoning_content") or message.get("reasoning") or None,
        ))
    return _completion(chat, generations, answer.get("usage"))


def _completion(chat: ChatInput, generations: list[Generation], usage: dict | None) -> Completion:
    usage = usage or {}
    details = usage.get("completion_tokens_details") or {}
    prompt = usage.get("prompt_tokens")
    completion = usage.get("completion_tokens")
    return Completion(
        generations=generations,
        prompt_tokens=prompt if isinstance(prompt, int) else tokens.count(chat.prompt_text) + 4 * len(chat.turns),
        completion_tokens=completion if isinstance(completion, int) else sum(
            tokens.count(g.text) + sum(tokens.count(json.dumps(c.arguments)) for c in g.tool_calls) for g in generations
        ),
        reasoning_tokens=details.get("reasoning_tokens") or 0,
    )


def _tool_call(call_id: str | None, name: str, arguments: Any) -> ToolCall:
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments) if arguments.strip() else {}
        except ValueError:
            arguments = {"arguments": arguments}  # the model wrote something that is not JSON: keep it visible
    if not isinstance(arguments, dict):
        arguments = {"arguments": arguments}
    if not call_id:
        call_id = "call_" + hashlib.sha256(json.dumps([name, arguments], sort_keys=True).encode()).hexdigest()[:24]
    return ToolCall(call_id, name, arguments)


def _finish(choice: dict, calls: list[ToolCall]) -> str:
    reason = choice.get("finish_reason")
    if calls and reason in (None, "stop", "tool_calls"):
        return "tool_calls"
    if reason == "stop" and isinstance(choice.get("stop_reason"), str):  # vLLM names the stop sequence it met
        return "stop_sequence"
    return FINISH.get(reason, "stop")


class StreamMerger:
    """Chat-completion chunks added up into the final answer, per choice."""

    def __init__(self) -> None:
        self.choices: dict[int, dict] = {}
        self.usage: dict | None = None

    def add(self, chunk: dict) -> list[Delta]:
        """Record ``chunk``; returns the text and reasoning pieces it carries."""
        pieces = []
        if chunk.get("usage"):
            self.usage = chunk["usage"]
        for choice in chunk.get("choices") or []:
            index = choice.get("index", 0)
            state = self.choices.setdefault(index, {"text": [], "reasoning": [], "calls": {}, "choice": {}})
            delta = choice.get("delta") or {}
            if delta.get("content"):
                state["text"].append(delta["content"])
                pieces.append(Delta(text=delta["content"], index=index))
            reasoning = delta.get("reasoning_content") or delta.get("reasoning")
            if reasoning:
                state["reasoning"].append(reasoning)
                pieces.append(Delta(reasoning=reasoning, index=index))
            for part in delta.get("tool_calls") or []:
                at = part.get("index", len(state["calls"]))
                call = state["calls"].setdefault(at, {"id": None, "name": "", "args": []})
                call["id"] = part.get("id") or call["id"]
                function = part.get("function") or {}
                call["name"] += function.get("name") or ""
                call["args"].append(function.get("arguments") or "")
            if choice.get("finish_reason"):
                state["choice"] = {k: choice.get(k) for k in ("finish_reason", "stop_reason")}
        return pieces

    def completion(self, chat: ChatInput) -> Completion:
        generations = []
        for index in sorted(self.choices) or [0]:
            state = self.choices.get(index) or {"text": [], "reasoning": [], "calls": {}, "choice": {}}
            calls = [_tool_call(c["id"], c["name"], "".join(c["args"])) for _, c in sorted(state["calls"].items())]
            generations.append(Generation(
                text="".join(state["text"]),
                tool_calls=calls,
                finish=_finish(state["choice"], calls),
                reasoning="".join(state["reasoning"]) or None,
            ))
        return _completion(chat, generations, self.usage)


# -- HTTP details ------------------------------------------------------------------------------------


def sse_payloads(response) -> Iterator[str]:
    """The ``data:`` payloads of a Server-Sent Events response, one per event."""
    data: list[str] = []
    for raw in response.iter_lines():
        line = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        if not line:
            if data:
                yield "\n".join(data)
                data = []
        elif line.startswith("data:"):
            data.append(line[5:].lstrip(" "))
    if data:
        yield "\n".join(data)


def _error_detail(response) -> str:
    """What an upstream error body says: OpenAI's ``{"error": {"message"}}``, OCI's ``{"message"}``, or its text."""
    try:
        body = response.json()
    except ValueError:
        text = (response.text or "").strip()
        return (text[:300] or response.reason or "no details") + ("" if text.endswith(".") else ".")
    error = body.get("error", body) if isinstance(body, dict) else body
    if isinstance(error, dict):
        message = error.get("message") or error.get("detail") or json.dumps(error)[:300]
    else:
        message = str(error)[:300]
    return str(message)


def _reason(exc: Exception) -> str:
    """The root cause of a ``requests`` failure in a few words (connection refused, name not known)."""
    cause: BaseException | None = exc
    for _ in range(10):
        if cause is None:
            break
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror.lower()
        inner = getattr(cause, "reason", None)
        if not isinstance(inner, BaseException):
            inner = next((a for a in cause.args if isinstance(a, BaseException)), None)
        cause = inner or cause.__cause__ or cause.__context__
    return f"{type(exc).__name__}: {exc}"
