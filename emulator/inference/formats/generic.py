"""``GENERIC``: the messages format of Meta, xAI, OpenAI and Google models.

Request: ``messages`` (SYSTEM, DEVELOPER, USER, ASSISTANT, TOOL; TEXT and IMAGE parts), ``tools``
(FUNCTION with JSON-schema ``parameters``, at most 128), ``toolChoice``, ``numGenerations``,
``responseFormat``, ``maxTokens``/``maxCompletionTokens``, ``stop``, ``seed``, ``reasoningEffort``.
Answer: ``choices[]`` with an ASSISTANT message (TEXT content, ``toolCalls`` whose ``arguments`` are
a JSON string, ``reasoningContent``) and a finish reason (``stop``, ``length``, ``tool_calls``).

Stream (``isStream``), one ``data:`` frame each:
``{"index":0,"message":{"role":"ASSISTANT","reasoningContent":"<delta>"},"pad":"aaa"}`` per reasoning
delta (reasoning models, before the text);
``{"index":0,"message":{"role":"ASSISTANT","content":[{"type":"TEXT","text":"<delta>"}]},"pad":"aaa"}``
per text delta; ``{"index":0,"message":{"role":"ASSISTANT","toolCalls":[...]}}`` when the model calls tools;
``{"index":0,"message":{"role":"ASSISTANT","content":[{"type":"TEXT","text":""}]},"finishReason":"stop"}``;
``{"usage":{...}}`` when ``streamOptions.isIncludeUsage``; a literal ``[DONE]`` for Meta models.
"""

from __future__ import annotations

from collections.abc import Iterator

from .. import errors
from ..conversation import ChatInput, Completion, Generation, Tool, ToolCall, Turn
from ..serving import Served
from . import common

ROLES = {"SYSTEM": "system", "DEVELOPER": "system", "USER": "user", "ASSISTANT": "assistant", "TOOL": "tool"}
FINISH = {"stop": "stop", "stop_sequence": "stop", "length": "length", "tool_calls": "tool_calls"}
TOOL_CHOICES = {"AUTO": "auto", "NONE": "none", "REQUIRED": "required"}
# vendors whose models read audio, video and document parts
MEDIA_VENDORS = {"google"}
# vendors whose streams end with a non-JSON ``data: [DONE]`` frame (langchain-oci 0.4 records it)
DONE_VENDORS = {"meta"}
EMPTY_PARAMETERS = {"type": "object", "properties": {}}


class GenericFormat:
    name = "GENERIC"

    def parse(self, served: Served, request: dict) -> ChatInput:
        turns = _turns(served, request.get("messages") or [])
        tools = _tools(request.get("tools") or [])
        tool_choice = _tool_choice(request.get("toolChoice"), tools)
        schema, json_mode = _response_format(request.get("responseFormat"))
        field = "maxCompletionTokens" if request.get("maxCompletionTokens") is not None else "maxTokens"
        max_tokens = request.get(field)
        common.check_max_tokens(served, max_tokens, field)
        chat = ChatInput(
            served=served,
            api_format=self.name,
            turns=turns,
            tools=tools,
            tool_choice=tool_choice,
            **common.sampling(request, stop_key="stop", max_tokens=max_tokens),
            num_generations=common.check_generations(request.get("numGenerations")),
            response_schema=schema,
            json_mode=json_mode,
            reasoning_effort=request.get("reasoningEffort"),
            stream=bool(request.get("isStream")),
            include_usage=bool((request.get("streamOptions") or {}).get("isIncludeUsage")),
            raw=request,
        )
        common.check_context(chat)
        return chat

    def respond(self, chat: ChatInput, completion: Completion) -> dict:
        return {
            "apiFormat": self.name,
            "timeCreated": chat.created,
            "choices": [
                {"index": index, "message": _message(g), "finishReason": FINISH.get(g.finish, g.finish)}
                for index, g in enumerate(completion.generations)
            ],
            "usage": common.usage(completion),
        }

    def stream(self, chat: ChatInput, deltas) -> Iterator[dict | str]:
        for delta in deltas:
            completion = delta.completion
            if completion is None:
                if delta.reasoning:
                    message = {"role": "ASSISTANT", "reasoningContent": delta.reasoning}
                    yield {"index": delta.index, "message": message, "pad": common.pad(delta.reasoning)}
                if delta.text:
                    yield {"index": delta.index, "message": _text_message(delta.text), "pad": common.pad(delta.text)}
                continue
            for index, g in enumerate(completion.generations):
                if g.tool_calls:
                    yield {"index": index, "message": {"role": "ASSISTANT", "toolCalls": _tool_calls(g.tool_calls)}}
                yield {"index": index, "message": _text_message(""), "finishReason": FINISH.get(g.finish, g.finish)}
            if chat.include_usage:
                yield {"usage": common.usage(completion)}
            if chat.served.profile.vendor in DONE_VENDORS:
                yield "[DONE]"


def _text_message(text: str) -> dict:
    return {"role": "ASSISTANT", "content": [{"type": "TEXT", "text": text}]}


def _message(g: Generation) -> dict:
    message: dict = {"role": "ASSISTANT"}
    if g.text or not g.tool_calls:
        message["content"] = [{"type": "TEXT", "text": g.text}]
    if g.tool_calls:
        message["toolCalls"] = _tool_calls(g.tool_calls)
    if g.reasoning:
        message["reasoningContent"] = g.reasoning
    return message


def _tool_calls(calls: list[ToolCall]) -> list[dict]:
    return [{"id": c.id, "type": "FUNCTION", "name": c.name, "arguments": common.dumps(c.arguments)} for c in calls]


def _turns(served: Served, messages: list[dict]) -> list[Turn]:
    if not messages:
        raise errors.bad_request("Invalid parameter: 'messages' must hold at least one message.")
    profile = served.profile
    turns: list[Turn] = []
    for index, message in enumerate(messages):
        role = message["role"]
        texts: list[str] = []
        images = 0
        for part in message.get("content") or []:
            kind = part["type"]
            if kind == "TEXT":
                texts.append(part.get("text") or "")
            elif kind == "IMAGE":
                if not profile.supports_images:
                    raise errors.bad_request(
                        f"Invalid parameter: the model {profile.name} does not support image inputs "
                        f"(messages[{index}] has an IMAGE content)."
                    )
                images += 1
            elif profile.vendor not in MEDIA_VENDORS:
                raise errors.bad_request(
                    f"Invalid parameter: the model {profile.name} does not support {kind} content (messages[{index}])."
                )
        turn = Turn(ROLES[role], "\n".join(texts), images=images)
        if role == "ASSISTANT":
            turn.tool_calls = [
                ToolCall(str(c.get("id") or ""), c.get("name") or "", common.arguments_of(c.get("arguments")))
                for c in message.get("toolCalls") or []
            ]
        elif role == "TOOL":
            turn.tool_call_id = message.get("toolCallId")
            _check_tool_call_id(turns, turn.tool_call_id)
        turns.append(turn)
    return turns


def _check_tool_call_id(previous: list[Turn], tool_call_id: str | None) -> None:
    if tool_call_id not in common.answered_call_ids(previous):
        raise errors.bad_request(
            f"Invalid parameter: 'toolCallId' of '{tool_call_id}' not found in 'toolCalls' of previous message."
        )


def _tools(raw: list[dict]) -> list[Tool]:
    if len(raw) > common.MAX_TOOLS:
        raise errors.bad_request(
            f"Invalid parameter: 'tools' holds {len(raw)} tools; at most {common.MAX_TOOLS} are allowed."
        )
    tools = []
    for index, tool in enumerate(raw):
        name = tool.get("name")
        if not name:
            raise errors.bad_request(f"Invalid parameter: 'tools[{index}].name' is required.")
        parameters = tool.get("parameters")
        parameters = (
            EMPTY_PARAMETERS if parameters is None else common.check_schema(parameters, f"schema for function '{name}'")
        )
        where = common.array_without_items(parameters)
        if where is not None:
            raise errors.bad_request(
                f"Invalid schema for function '{name}': In context={where!r}, array schema missing items."
            )
        tools.append(Tool(name, tool.get("description") or "", parameters))
    return tools


def _tool_choice(raw: dict | None, tools: list[Tool]) -> str:
    if raw is None:
        return "auto"
    kind = raw["type"]
    if kind in ("REQUIRED", "FUNCTION") and not tools:
        raise errors.bad_request("Invalid parameter: 'toolChoice' of type " + kind + " needs 'tools'.")
    if kind == "FUNCTION":
        name = raw.get("name")
        if name not in {t.name for t in tools}:
            raise errors.bad_request(
                f"Invalid parameter: 'toolChoice' names function '{name}', which is not in 'tools'."
            )
        return name
    return TOOL_CHOICES[kind]


def _response_format(raw: dict | None) -> tuple[dict | None, bool]:
    """JSON mode, a JSON schema, or plain text; the type may be spelled ``json_object`` or ``text`` as
    OpenAI spells it (``specs/overlay.json`` spellings: the service takes them; ``json_schema`` it refuses)."""
    if not raw:
        return None, False
    kind = raw.get("type", "").upper()
    if kind == "JSON_OBJECT":
        return None, True
    if kind == "JSON_SCHEMA":
        spec = raw.get("jsonSchema") or {}
        schema = spec.get("schema")
        if schema is None:
            return None, True
        return common.check_schema(schema, f"'responseFormat.jsonSchema.schema' ({spec.get('name')})"), False
    return None, False


FORMAT = GenericFormat()
