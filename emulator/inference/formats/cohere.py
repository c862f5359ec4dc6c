"""``COHERE``: Cohere's v1 chat format (Command R, R+, A).

Request: ``message``, ``chatHistory`` (USER, CHATBOT, SYSTEM, TOOL), ``preambleOverride``,
``documents``, ``tools`` (``parameterDefinitions``), ``toolResults``, ``isForceSingleStep``,
``responseFormat``, ``maxTokens``, ``stopSequences``, ``seed``, ``isSearchQueriesOnly``, ``isEcho``.
A parameter's description is read for the constraints a model would obey (``Allowed values: [...]``,
``Range: min=.., max=..``, ``Pattern: ..``, ``Format: ..``, as langchain-oci writes them).
Answer: ``text``, ``chatHistory`` (the whole conversation including this turn), ``finishReason``
(COMPLETE or MAX_TOKENS), ``toolCalls`` (``name``, ``parameters``), ``citations`` (``start``/``end``
index ``text``, ``documentIds`` name the documents), ``documents`` (echoed), ``usage``.

Multi-step tool use (the default) answers a tool call with a tool plan as ``text``, as Command R
does; ``isForceSingleStep`` answers with the calls only (``text`` empty).

Stream (``isStream``): ``{"apiFormat":"COHERE","text":"<delta>"}`` per delta; when the model calls
tools, ``{"apiFormat":"COHERE","text":"","toolCalls":[...]}``; then one final event with the full
``text``, ``chatHistory``, ``finishReason``, ``usage`` (and ``toolCalls``, ``citations``,
``documents`` when there are some). The stream ends by closing: no ``[DONE]``.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator

from .. import errors, tokens
from ..conversation import ChatInput, Completion, Tool, ToolCall, Turn
from ..serving import Served
from ..text import keywords
from . import common

FINISH = {"stop": "COMPLETE", "stop_sequence": "COMPLETE", "tool_calls": "COMPLETE", "length": "MAX_TOKENS"}
# Cohere's own error bodies, which the service passes on as the message (reference §7.1, §9.4)
MESSAGE_AFTER_TOOL_RESULTS = (
    '{"message":"invalid request: cannot specify message if the last entry in chat history contains tool results"}'
)
EMPTY_MESSAGE = (
    '{"message":"invalid request: message must be at least 1 token long or tool results must be specified."}'
)
PARAMETER_TYPES = {
    "str": "string", "string": "string", "int": "integer", "integer": "integer", "float": "number",
    "number": "number", "bool": "boolean", "boolean": "boolean", "list": "array", "array": "array",
    "dict": "object", "object": "object",
}  # fmt: skip
HISTORY_ROLES = {"USER": "user", "SYSTEM": "system", "CHATBOT": "assistant"}


class CohereFormat:
    name = "COHERE"

    def parse(self, served: Served, request: dict) -> ChatInput:
        message = request.get("message") or ""
        history = request.get("chatHistory") or []
        tool_results = request.get("toolResults") or []
        last_holds_results = bool(history) and history[-1]["role"] == "TOOL" and bool(history[-1].get("toolResults"))
        if message.strip() and last_holds_results:
            raise errors.bad_request(MESSAGE_AFTER_TOOL_RESULTS)
        if not message.strip() and not tool_results and not last_holds_results:
            raise errors.bad_request(EMPTY_MESSAGE)
        turns: list[Turn] = []
        if request.get("preambleOverride"):
            turns.append(Turn("system", request["preambleOverride"]))
        for entry in history:
            turns.extend(_history_turns(entry))
        if message.strip():
            turns.append(Turn("user", message))
        turns.extend(_result_turns(tool_results))
        schema, json_mode = common.cohere_response_format(request.get("responseFormat"))
        common.check_max_tokens(served, request.get("maxTokens"), "maxTokens")
        chat = ChatInput(
            served=served,
            api_format=self.name,
            turns=turns,
            tools=[_tool(t) for t in request.get("tools") or []],
            documents=common.documents(request.get("documents")),
            **common.sampling(request),
            response_schema=schema,
            json_mode=json_mode,
            stream=bool(request.get("isStream")),
            include_usage=True,
            raw=request,
        )
        common.check_context(chat)
        return chat

    def respond(self, chat: ChatInput, completion: Completion) -> dict:
        g = completion.generations[0]
        request = chat.raw
        text, extra = g.text, 0
        if g.tool_calls and not request.get("isForceSingleStep"):
            text = common.tool_plan(g.tool_calls)
            extra = tokens.count(text)
        if request.get("isSearchQueriesOnly"):
            text = ""
        calls = [{"name": c.name, "parameters": c.arguments} for c in g.tool_calls]
        out: dict = {"apiFormat": self.name, "text": text, "chatHistory": _history(request, text, calls)}
        if calls:
            out["toolCalls"] = calls
        if g.citations and text == g.text:
            out["citations"] = g.citations
        if chat.documents:
            out["documents"] = chat.documents
        if request.get("isSearchQueriesOnly"):
            out["isSearchRequired"] = True
            out["searchQueries"] = [{"text": " ".join(keywords(chat.last_user_text, 8)) or chat.last_user_text}]
        if request.get("isEcho"):
            out["prompt"] = chat.prompt_text
        out["finishReason"] = FINISH.get(g.finish, "COMPLETE")
        out["usage"] = common.usage(completion, details=False, extra_completion_tokens=extra)
        return out

    def stream(self, chat: ChatInput, deltas) -> Iterator[dict | str]:
        quiet = bool(chat.raw.get("isSearchQueriesOnly"))
        for delta in deltas:
            if delta.completion is None:
                if delta.index == 0 and delta.text and not quiet:
                    yield {"apiFormat": self.name, "text": delta.text}
                continue
            final = self.respond(chat, delta.completion)
            if "toolCalls" in final:
                if final["text"]:
                    yield {"apiFormat": self.name, "text": final["text"]}
                yield {"apiFormat": self.name, "text": "", "toolCalls": final["toolCalls"]}
            yield final


def _history_turns(entry: dict) -> list[Turn]:
    role = entry["role"]
    if role == "TOOL":
        return _result_turns(entry.get("toolResults") or [])
    turn = Turn(HISTORY_ROLES[role], entry.get("message") or "")
    if role == "CHATBOT":
        turn.tool_calls = [
            ToolCall(f"{c.get('name')}_{i}", c.get("name") or "", common.arguments_of(c.get("parameters")))
            for i, c in enumerate(entry.get("toolCalls") or [])
        ]
    return [turn]


def _result_turns(results: list[dict]) -> list[Turn]:
    return [
        Turn("tool", json.dumps(r.get("outputs") or [], sort_keys=True), tool_call_id=(r.get("call") or {}).get("name"))
        for r in results
    ]


def _history(request: dict, text: str, calls: list[dict]) -> list[dict]:
    """The conversation so far plus this turn, as the next request's ``chatHistory``."""
    out = list(request.get("chatHistory") or [])
    if (request.get("message") or "").strip():
        out.append({"role": "USER", "message": request["message"]})
    if request.get("toolResults"):
        out.append({"role": "TOOL", "toolResults": request["toolResults"]})
    reply: dict = {"role": "CHATBOT", "message": text}
    if calls:
        reply["toolCalls"] = calls
    out.append(reply)
    return out


def _tool(raw: dict) -> Tool:
    properties, required = {}, []
    for name, definition in (raw.get("parameterDefinitions") or {}).items():
        prop = _parameter_schema(definition.get("type") or "str")
        if definition.get("description"):
            prop["description"] = definition["description"]
            prop.update(_described_constraints(definition["description"], prop["type"]))
        properties[name] = prop
        if definition.get("isRequired"):
            required.append(name)
    schema: dict = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return Tool(raw["name"], raw.get("description") or "", common.check_schema(schema, f"parameters of tool '{raw['name']}'"))


def _described_constraints(description: str, kind: str) -> dict:
    """What a parameter's description says its values must be, as a model reading it would obey:
    ``Allowed values: ['cpu', 'memory']``, ``Range: min=1, max=168``, ``Pattern: ^[A-Z]+$``,
    ``Format: date`` (how langchain-oci writes JSON-schema constraints into Cohere's descriptions)."""
    out: dict = {}
    allowed = re.search(r"Allowed values: (\[[^\]]*\])", description)
    if allowed:
        try:
            options = ast.literal_eval(allowed.group(1))
        except (ValueError, SyntaxError):
            options = None
        expected = {"string": str, "integer": int, "number": (int, float), "boolean": bool}.get(kind)
        if isinstance(options, list) and options and expected and all(isinstance(o, expected) for o in options):
            out["enum"] = options
    for bound, key in (("min", "minimum"), ("max", "maximum")):
        found = re.search(rf"Range:[^.]*\b{bound}=(-?\d+(?:\.\d+)?)", description)
        if found and kind in ("integer", "number"):
            out[key] = int(float(found.group(1))) if kind == "integer" else float(found.group(1))
    pattern = re.search(r"Pattern: (\S+)", description)
    if pattern and kind == "string":
        try:
            re.compile(pattern.group(1))
            out["pattern"] = pattern.group(1)
        except re.error:
            pass
    fmt = re.search(r"Format: ([\w-]+)", description)
    if fmt and kind == "string":
        out["format"] = fmt.group(1)
    return out


def _parameter_schema(kind: str) -> dict:
    """Cohere names parameter types the Python way (``str``, ``List[int]``, ``Dict``)."""
    match = re.fullmatch(r"\s*(\w+)\s*(?:\[\s*(.+?)\s*\])?\s*", kind)
    if match is None:
        return {"type": "string"}
    outer, inner = match.group(1).lower(), match.group(2)
    json_type = PARAMETER_TYPES.get(outer, "string")
    if json_type == "array":
        return {"type": "array", "items": _parameter_schema(inner) if inner else {"type": "string"}}
    return {"type": json_type}


FORMAT = CohereFormat()
