"""``COHEREV2``: Cohere's v2 chat format (Command A, required for Command A Vision).

Request: ``messages`` (USER, SYSTEM, ASSISTANT, TOOL) whose ``content`` holds TEXT, IMAGE_URL,
DOCUMENT (and THINKING) parts, ``documents``, ``tools`` (``{"type":"FUNCTION","function":{...}}``),
``toolsChoice`` (REQUIRED, NONE), ``thinking``, ``responseFormat``, ``maxTokens``, ``stopSequences``.
Answer: ``id``, ``message`` (ASSISTANT: ``content`` parts, ``toolPlan``, ``toolCalls`` with ids and
``function: {name, arguments}``, ``citations`` with document sources), ``finishReason`` (COMPLETE,
MAX_TOKENS, TOOL_CALL, STOP_SEQUENCE), ``usage``.

Stream (``isStream``): Cohere's v2 stream events (content-delta, tool-plan/tool-call, message-end)
mapped onto the OCI models, as langchain-oci reads them:
``{"apiFormat":"COHEREV2","message":{"role":"ASSISTANT","content":[{"type":"TEXT","text":"<delta>"}]}}``
per delta; ``{"apiFormat":"COHEREV2","message":{"role":"ASSISTANT","content":[{"type":"THINKING",...}]}}``
per reasoning delta (before the text); ``{"apiFormat":"COHEREV2","message":{"role":"ASSISTANT","toolPlan":"...","toolCalls":[...]}}``
when the model calls tools; then ``{"apiFormat":"COHEREV2","id":"...","message":{"role":"ASSISTANT"
(,"citations":[...])},"finishReason":"COMPLETE","usage":{...}}``. The stream ends by closing.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

from .. import errors, tokens
from ..conversation import ChatInput, Completion, Generation, Tool, ToolCall, Turn
from ..serving import Served
from . import common

ROLES = {"USER": "user", "SYSTEM": "system", "ASSISTANT": "assistant", "TOOL": "tool"}
FINISH = {"stop": "COMPLETE", "stop_sequence": "STOP_SEQUENCE", "tool_calls": "TOOL_CALL", "length": "MAX_TOKENS"}
TOOL_CHOICES = {"REQUIRED": "required", "NONE": "none"}
THINKING = {"ENABLED": "MEDIUM", "DISABLED": "NONE"}


class CohereV2Format:
    name = "COHEREV2"

    def parse(self, served: Served, request: dict) -> ChatInput:
        documents: list = list(request.get("documents") or [])
        turns = _turns(served, request["messages"], documents)
        tools = [_tool(t, i) for i, t in enumerate(request.get("tools") or [])]
        choice = request.get("toolsChoice")
        if choice == "REQUIRED" and not tools:
            raise errors.bad_request('{"message":"invalid request: tool_choice REQUIRED needs at least one tool"}')
        thinking = request.get("thinking") or {}
        common.check_max_tokens(served, request.get("maxTokens"), "maxTokens")
        schema, json_mode = common.cohere_response_format(request.get("responseFormat"))
        chat = ChatInput(
            served=served,
            api_format=self.name,
            turns=turns,
            tools=tools,
            tool_choice=TOOL_CHOICES.get(choice or "", "auto"),
            documents=common.documents(documents, v2=True),
            **common.sampling(request),
            response_schema=schema,
            json_mode=json_mode,
            reasoning_effort=THINKING.get(thinking.get("type") or ""),  # absent: the model's default
            stream=bool(request.get("isStream")),
            include_usage=True,
            raw=request,
        )
        common.check_context(chat)
        return chat

    def respond(self, chat: ChatInput, completion: Completion, response_id: str | None = None) -> dict:
        g = completion.generations[0]
        message: dict = {"role": "ASSISTANT", "content": _content(g)}
        extra = 0
        if g.tool_calls:
            message["toolPlan"] = common.tool_plan(g.tool_calls)
            message["toolCalls"] = _tool_calls(g.tool_calls)
            extra = tokens.count(message["toolPlan"])
        if g.citations:
            message["citations"] = _citations(chat, g, message["content"])
        return {
            "apiFormat": self.name,
            "id": response_id or str(uuid.uuid4()),
            "message": message,
            "finishReason": FINISH.get(g.finish, "COMPLETE"),
            "usage": common.usage(completion, details=False, extra_completion_tokens=extra),
        }

    def stream(self, chat: ChatInput, deltas) -> Iterator[dict | str]:
        response_id = str(uuid.uuid4())
        for delta in deltas:
            if delta.completion is None:
                if delta.index == 0 and delta.reasoning:
                    thinking = [{"type": "THINKING", "thinking": delta.reasoning}]
                    yield {"apiFormat": self.name, "message": _assistant(content=thinking)}
                if delta.index == 0 and delta.text:
                    yield {
                        "apiFormat": self.name,
                        "message": _assistant(content=[{"type": "TEXT", "text": delta.text}]),
                    }
                continue
            full = self.respond(chat, delta.completion, response_id)
            message = full["message"]
            if "toolCalls" in message:
                yield {
                    "apiFormat": self.name,
                    "message": _assistant(toolPlan=message["toolPlan"], toolCalls=message["toolCalls"]),
                }
            end = {k: v for k, v in full.items() if k != "message"}
            end["message"] = _assistant(**({"citations": message["citations"]} if "citations" in message else {}))
            yield end


def _assistant(**fields) -> dict:
    return {"role": "ASSISTANT", **fields}


def _content(g: Generation) -> list[dict]:
    content = []
    if g.reasoning:
        content.append({"type": "THINKING", "thinking": g.reasoning})
    if g.text or not g.tool_calls:
        content.append({"type": "TEXT", "text": g.text})
    return content


def _tool_calls(calls: list[ToolCall]) -> list[dict]:
    return [
        {"id": c.id, "type": "FUNCTION", "function": {"name": c.name, "arguments": common.dumps(c.arguments)}}
        for c in calls
    ]


def _citations(chat: ChatInput, g: Generation, content: list[dict]) -> list[dict]:
    by_id = {d["id"]: d for d in chat.documents}
    text_index = next((i for i, part in enumerate(content) if part["type"] == "TEXT"), 0)
    return [
        {
            "start": c["start"],
            "end": c["end"],
            "text": c["text"],
            "type": "TEXT_CONTENT",
            "contentIndex": text_index,
            "sources": [
                {"type": "DOCUMENT", "document": {"id": doc_id, "document": by_id.get(doc_id, {})}}
                for doc_id in c["documentIds"]
            ],
        }
        for c in g.citations
    ]


def _turns(served: Served, messages: list[dict], documents: list) -> list[Turn]:
    if not messages:
        raise errors.bad_request('{"message":"invalid request: messages must contain at least one message"}')
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
            elif kind == "IMAGE_URL":
                if not profile.supports_images:
                    raise errors.bad_request(
                        f'{{"message":"invalid request: the model {profile.name} does not support images '
                        f'(messages[{index}] has an IMAGE_URL content)"}}'
                    )
                images += 1
            elif kind == "DOCUMENT":
                document = part.get("document")
                if role == "TOOL":
                    texts.append(json.dumps(document, sort_keys=True))
                else:
                    documents.append(document if document is not None else {})
        turn = Turn(ROLES[role], "\n".join(texts), images=images)
        if role == "ASSISTANT":
            turn.tool_calls = [_call(c) for c in message.get("toolCalls") or []]
        elif role == "TOOL":
            turn.tool_call_id = message.get("toolCallId")
            if turn.tool_call_id not in common.answered_call_ids(turns):
                raise errors.bad_request(
                    f'{{"message":"invalid request: tool call id \'{turn.tool_call_id}\' of messages[{index}] '
                    'does not match a tool call of the previous assistant message"}'
                )
        turns.append(turn)
    return turns


def _call(raw: dict) -> ToolCall:
    function = raw.get("function") if isinstance(raw.get("function"), dict) else {}
    return ToolCall(
        str(raw.get("id") or ""), function.get("name") or "", common.arguments_of(function.get("arguments"))
    )


def _tool(raw: dict, index: int) -> Tool:
    function = raw.get("function") or {}
    name = function.get("name")
    if not name:
        raise errors.bad_request(f'{{"message":"invalid request: tools[{index}].function.name is required"}}')
    parameters = function.get("parameters")
    parameters = (
        {"type": "object", "properties": {}}
        if parameters is None
        else common.check_schema(parameters, f"schema for function '{name}'")
    )
    return Tool(name, function.get("description") or "", parameters)


FORMAT = CohereV2Format()
