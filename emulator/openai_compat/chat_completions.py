"""Chat Completions (``POST /chat/completions``): messages in, a ``chat.completion`` out, or a stream
of ``chat.completion.chunk`` frames ending with ``data: [DONE]`` (usage in a last chunk with
``stream_options.include_usage``). Nothing is stored."""

from __future__ import annotations

from collections.abc import Iterator

from ..call import Call, Result, operation
from ..inference.conversation import ChatInput, Completion, Generation, ToolCall, Turn
from ..inference.formats import common
from ..inference.generators import generator_for
from ..protocol.ids import new_prefixed_id
from . import translate

FINISH = {"stop": "stop", "stop_sequence": "stop", "length": "length", "tool_calls": "tool_calls"}
DONE = "[DONE]"


def _turns(messages: list[dict], images_ok: bool, model: str) -> list[Turn]:
    turns = []
    for index, message in enumerate(messages):
        role = message.get("role")
        where = f"messages[{index}]"
        if role not in (*translate.ROLES, "tool"):
            raise translate.bad_request(f"Invalid {where}.role {role!r}.", f"{where}.role")
        content = message.get("content")
        texts, images = [], 0
        for part in content if isinstance(content, list) else [{"type": "text", "text": content or ""}]:
            kind = part.get("type") if isinstance(part, dict) else None
            if kind == "text":
                texts.append(part.get("text") or "")
            elif kind == "image_url":
                images += 1
            else:
                raise translate.bad_request(f"Invalid {where}.content: parts are text or image_url.", f"{where}.content")
        if images and not images_ok:
            raise translate.bad_request(f"The model '{model}' does not read images.", f"{where}.content")
        turn = Turn("tool" if role == "tool" else translate.ROLES[role], "\n".join(texts), images=images)
        if role == "assistant":
            turn.tool_calls = [
                ToolCall(c.get("id") or "", (c.get("function") or {}).get("name") or "",
                         common.arguments_of((c.get("function") or {}).get("arguments")))
                for c in message.get("tool_calls") or []
            ]
        elif role == "tool":
            turn.tool_call_id = message.get("tool_call_id")
            if turn.tool_call_id not in common.answered_call_ids(turns):
                raise translate.bad_request(
                    f"Invalid {where}.tool_call_id {turn.tool_call_id!r}: it answers no tool call of the assistant message before it.",
                    f"{where}.tool_call_id",
                )
        turns.append(turn)
    return turns


def _chat_input(call: Call) -> ChatInput:
    body = call.body
    chosen = translate.served(call, body["model"], translate.CHAT_COMPLETIONS)
    tools = translate.function_tools(body.get("tools"), nested=True)
    schema, json_mode = translate.response_format(body.get("response_format"), "response_format")
    field = "max_completion_tokens" if body.get("max_completion_tokens") is not None else "max_tokens"
    common.check_max_tokens(chosen, body.get(field), field)
    stop = body.get("stop")
    chat = ChatInput(
        served=chosen,
        api_format=translate.API_FORMAT,
        turns=_turns(body["messages"], chosen.profile.supports_images, body["model"]),
        tools=tools,
        tool_choice=translate.tool_choice(body.get("tool_choice"), tools),
        max_tokens=body.get(field),
        temperature=body.get("temperature"),
        top_p=body.get("top_p"),
        seed=body.get("seed"),
        stop=[stop] if isinstance(stop, str) else list(stop or []),
        num_generations=body.get("n") or 1,
        response_schema=schema,
        json_mode=json_mode,
        reasoning_effort=body.get("reasoning_effort") or ("medium" if chosen.profile.supports_reasoning else None),
        stream=bool(body.get("stream")),
        include_usage=bool((body.get("stream_options") or {}).get("include_usage")),
        created=call.stamp,
        raw=body,
    )
    common.check_context(chat)
    return chat


def _message(generation: Generation) -> dict:
    message: dict = {"role": "assistant", "content": generation.text if generation.text or not generation.tool_calls else None}
    if generation.tool_calls:
        message["tool_calls"] = [_tool_call(c) for c in generation.tool_calls]
    if generation.reasoning:
        message["reasoning_content"] = generation.reasoning
    return message


def _tool_call(call: ToolCall) -> dict:
    return {"id": call.id, "type": "function", "function": {"name": call.name, "arguments": common.dumps(call.arguments)}}


def _usage(completion: Completion) -> dict:
    return {
        "prompt_tokens": completion.prompt_tokens,
        "completion_tokens": completion.completion_tokens,
        "total_tokens": completion.total_tokens,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": completion.reasoning_tokens},
    }


@operation
def create_chat_completion(call: Call) -> Result:
    chat = _chat_input(call)
    generator = generator_for(call, chat.served.profile.name)
    head = {"id": new_prefixed_id("chatcmpl-"), "created": int(call.now), "model": call.body["model"]}
    if chat.stream:
        return Result(stream=_chunks(chat, head, generator.stream(chat, call)))
    completion = generator.complete(chat, call)
    return Result(
        body={
            **head,
            "object": "chat.completion",
            "choices": [
                {"index": index, "message": _message(g), "finish_reason": FINISH.get(g.finish, g.finish), "logprobs": None}
                for index, g in enumerate(completion.generations)
            ],
            "usage": _usage(completion),
        }
    )


def _chunks(chat: ChatInput, head: dict, deltas) -> Iterator[dict | str]:
    def chunk(choices: list[dict], **extra) -> dict:
        return {**head, "object": "chat.completion.chunk", "choices": choices, **extra}

    started: set[int] = set()
    for delta in deltas:
        completion = delta.completion
        if completion is None:
            for field, text in (("reasoning_content", delta.reasoning), ("content", delta.text)):
                if text:
                    first = delta.index not in started
                    started.add(delta.index)
                    piece = {"role": "assistant", field: text} if first else {field: text}
                    yield chunk([{"index": delta.index, "delta": piece, "finish_reason": None}])
            continue
        for index, generation in enumerate(completion.generations):
            if index not in started:
                yield chunk([{"index": index, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])
            if generation.tool_calls:
                calls = [{"index": at, **_tool_call(c)} for at, c in enumerate(generation.tool_calls)]
                yield chunk([{"index": index, "delta": {"tool_calls": calls}, "finish_reason": None}])
            yield chunk([{"index": index, "delta": {}, "finish_reason": FINISH.get(generation.finish, generation.finish)}])
        if chat.include_usage:
            yield chunk([], usage=_usage(completion))
    yield DONE
