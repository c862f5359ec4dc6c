"""The Responses API: create (plain, streamed, in the background), retrieve, delete, cancel and
input items.

A response's context is its ancestors' input and output items (``previous_response_id``) or its
conversation's items, then its own input; ``instructions`` are not inherited. With ``store``
(the default) it is kept, as long as the project's ``responsesRetentionInHours`` allows. A
background response is ``queued``, then ``in_progress`` until the emulator's clock passes its
due time (the ``response`` transition policy: ``{"mode": "delay", "seconds": S}``, default 0),
then ``completed``; ``cancel`` ends it ``cancelled``. Streams carry every event in OpenAI's order
with ``sequence_number``, named (``event: <type>``), and end with ``data: [DONE]`` as OCI's
"Open Responses" streams do; a stored stream can be read again from any ``starting_after``.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator

from ..call import Call, Result, operation
from ..inference.conversation import ChatInput, Completion, Turn
from ..inference.formats import common
from ..inference.generators import Delta, generator_for
from ..inference.text import stream_pieces
from ..kinds import ResourceKind
from ..lifecycle import due_time, is_done
from ..protocol import errors
from . import conversations, objects, tools, translate
from .scope import Scope, scope_of

LOG = logging.getLogger(__name__)
KIND = ResourceKind(name="response", label="response", id_prefix="resp_", keeps_due=True)
RETENTION = "responsesRetentionInHours"
ECHOED = ("instructions", "metadata", "parallel_tool_calls", "temperature", "top_p", "tool_choice", "tools",
          "previous_response_id", "store", "background", "max_output_tokens", "truncation", "user", "text", "reasoning")
DEFAULTS = {"instructions": None, "metadata": {}, "parallel_tool_calls": True, "temperature": None, "top_p": None,
            "tool_choice": "auto", "tools": [], "previous_response_id": None, "store": True, "background": False,
            "max_output_tokens": None, "truncation": "disabled", "user": None, "text": {"format": {"type": "text"}},
            "reasoning": {"effort": None, "summary": None}}
DONE = "[DONE]"


# -- create -------------------------------------------------------------------------------------
@dataclasses.dataclass
class _Request:
    """One ``responses.create``: what it answers from and where its answer goes."""

    call: Call
    scope: Scope
    response: dict  # the response object, as created
    items: list[dict]  # its input items
    context: list[dict]  # the items before them
    conversation: str | None
    summary: bool  # reasoning summaries asked for
    tooling: tools.Tooling

    def output(self, completion: Completion | None) -> list[dict]:
        """The tools' items, then the answer's (with annotations on what it cites of theirs)."""
        if completion is None:
            return list(self.tooling.items)
        generation = completion.generations[0]
        return self.tooling.items + translate.output_items(
            generation, self.summary, tools.annotations(self.tooling, generation.citations)
        )

    def finished(self, completion: Completion | None, output: list[dict] | None = None) -> dict:
        return _finished(self.response, completion, self.call.now, self.output(completion) if output is None else output)

    def keep(self, final: dict, events: list | None = None) -> None:
        """Store the response (unless ``store`` is false) and add its items to its conversation."""
        if final["store"]:
            extra = {"_input": self.items, "_context": self.context + self.items + final["output"]}
            if events is not None:
                extra["_events"] = events
            objects.create(self.call, KIND, self.scope, {**final, **extra})
        _record_in_conversation(self.call, self.scope, self.conversation, self.items, final["output"])


@operation
def create_response(call: Call) -> Result:
    body = call.body
    scope = scope_of(call)
    chosen = translate.served(call, body["model"], translate.RESPONSES)
    if body.get("previous_response_id") and body.get("conversation"):
        raise translate.bad_request("Give previous_response_id or conversation, not both.", "previous_response_id")
    context, conversation = _context(call, scope, body)
    known = {item["id"]: item for item in context}
    items = translate.input_items(body.get("input"), known.get)
    functions, builtin = tools.split(body.get("tools"))
    chat = _chat_input(call, chosen, body, context + items, functions)
    generator = generator_for(call, chosen.profile.name)
    choice = body.get("tool_choice")
    turn = tools.Turn(call, scope, chat.last_user_text, context, items, set(body.get("include") or []),
                      choice.get("type") if isinstance(choice, dict) else None,
                      lambda prompt: generator.complete(_prompt(chat, prompt), call).generations[0].text)
    tooling = tools.run(turn, builtin)
    chat.documents = tooling.documents
    chat.turns += tooling.turns()
    request = _Request(call, scope, _new_response(call, body, conversation), items, context, conversation,
                       bool((body.get("reasoning") or {}).get("summary")), tooling)
    if body.get("background"):
        final = request.finished(None if tooling.waiting else generator.complete(chat, call))
        events = list(_events_of(final, request.summary))
        objects.create(call, KIND, scope, {**_queued(request.response), "_final": final, "_events": events,
                                           "_input": items, "_context": context + items + final["output"],
                                           "_due": due_time(call.store, KIND.name, call.now)})
        _record_in_conversation(call, scope, conversation, items, final["output"])
        if body.get("stream"):
            return Result(stream=_replay(events, None))
        return Result(body=_queued(request.response))
    if body.get("stream"):
        deltas = None if tooling.waiting else generator.stream(chat, call)  # its I/O now: failures are error answers
        return Result(stream=_live(request, deltas, chat))
    final = request.finished(None if tooling.waiting else generator.complete(chat, call))
    request.keep(final)
    return Result(body=final)


def _prompt(chat: ChatInput, text: str) -> ChatInput:
    """A one-question chat for the same model (what the code interpreter's program prints)."""
    return dataclasses.replace(chat, turns=[Turn("user", text)], tools=[], documents=[], response_schema=None,
                               json_mode=False, stream=False)


def _context(call: Call, scope: Scope, body: dict) -> tuple[list[dict], str | None]:
    previous = body.get("previous_response_id")
    if previous:
        try:
            rec = objects.load(call, KIND, previous, scope, scope.retention(RETENTION))
        except errors.ServiceError:
            raise translate.bad_request(
                f"Previous response with id '{previous}' not found (responses made with store=false are not kept).",
                "previous_response_id",
            ) from None
        return rec.doc["_context"], None
    conversation = body.get("conversation")
    if conversation:
        conversation_id = conversation if isinstance(conversation, str) else conversation.get("id")
        return conversations.load(call, scope, conversation_id).doc["_items"], conversation_id
    return [], None


def _chat_input(call: Call, chosen, body: dict, items: list[dict], functions: list[dict]) -> ChatInput:
    profile = chosen.profile
    turns = translate.turns_of(items, profile.supports_images, body["model"])
    if body.get("instructions"):
        turns.insert(0, Turn("system", body["instructions"]))
    if not any(t.role == "user" for t in turns) and not any(t.role == "tool" for t in turns):
        raise translate.bad_request("The input holds no user message.", "input")
    function_tools = translate.function_tools(functions)
    schema, json_mode = translate.response_format((body.get("text") or {}).get("format"), "text.format")
    common.check_max_tokens(chosen, body.get("max_output_tokens"), "max_output_tokens")
    effort = (body.get("reasoning") or {}).get("effort")
    chat = ChatInput(
        served=chosen,
        api_format=translate.API_FORMAT,
        turns=turns,
        tools=function_tools,
        tool_choice=translate.tool_choice(body.get("tool_choice"), function_tools),
        max_tokens=body.get("max_output_tokens"),
        temperature=body.get("temperature"),
        top_p=body.get("top_p"),
        response_schema=schema,
        json_mode=json_mode,
        reasoning_effort=(effort or "medium") if profile.supports_reasoning else None,
        stream=bool(body.get("stream")),
        created=call.stamp,
        raw=body,
    )
    common.check_context(chat)
    return chat


def _new_response(call: Call, body: dict, conversation: str | None) -> dict:
    response = {
        "id": KIND.new_id(call.env.settings.region),
        "object": "response",
        "created_at": int(call.now),
        "status": "in_progress",
        "model": body["model"],
        "output": [],
        "error": None,
        "incomplete_details": None,
        **{field: body.get(field, DEFAULTS[field]) for field in ECHOED},
        "conversation": {"id": conversation} if conversation else None,
        "usage": None,
    }
    return response


def _finished(response: dict, completion: Completion | None, now: float, output: list[dict]) -> dict:
    """The response once answered (an MCP approval asked: answered with no completion)."""
    generation = completion.generations[0] if completion else None
    incomplete = generation is not None and generation.finish == "length"
    return {
        **response,
        "status": "incomplete" if incomplete else "completed",
        "completed_at": int(now),
        "incomplete_details": {"reason": "max_output_tokens"} if incomplete else None,
        "output": output,
        "usage": translate.usage(completion) if completion else translate.NO_USAGE,
    }


def _record_in_conversation(call: Call, scope: Scope, conversation: str | None, items: list[dict], output: list[dict]) -> None:
    if conversation:
        conversations.append(call, scope, conversation, items + output)


def _queued(response: dict) -> dict:
    return {**response, "status": "queued"}


def present(call: Call, rec) -> dict:
    """A stored response as of the emulator's clock (a background one finishes at its due time)."""
    doc = rec.doc
    if "_final" not in doc or doc.get("status") == "cancelled":
        return objects.public(doc)
    if is_done(doc, call.now):
        return doc["_final"]
    started = call.now > doc["_time"]
    return objects.public({**doc, "status": "in_progress" if started else "queued"})


# -- streams ----------------------------------------------------------------------------------
class _Sequence:
    """Events numbered in the order they are sent."""

    def __init__(self) -> None:
        self.events: list[dict] = []

    def __call__(self, kind: str, **fields) -> dict:
        event = {"type": kind, "sequence_number": len(self.events), **fields}
        self.events.append(event)
        return event


def _live(request: _Request, deltas: Iterator[Delta] | None, chat: ChatInput) -> Iterator[dict | str]:
    """A response streamed as it is made: the tools' items, then text deltas as the generator sends
    them (after the reasoning, for reasoning models, whose thoughts come first). A failure on the
    way ends the stream with ``response.failed``."""
    event = _Sequence()
    response = request.response
    yield event("response.created", response=response)
    yield event("response.in_progress", response=response)
    try:
        for index, item in enumerate(request.tooling.items):
            yield from _tool_events(event, index, item)
        yield from _answer(request, deltas, chat, event)
    except Exception as exc:  # noqa: BLE001  (the stream is under way: say so in it)
        if not isinstance(exc, errors.ServiceError):
            LOG.exception("a streamed response failed")
        error = exc if isinstance(exc, errors.ServiceError) else errors.internal_error()
        failed = {**response, "status": "failed", "error": {"code": error.code, "message": error.message}}
        yield event("response.failed", response=failed)
    yield DONE


def _answer(request: _Request, deltas: Iterator[Delta] | None, chat: ChatInput, event: "_Sequence") -> Iterator[dict]:
    output = list(request.tooling.items)
    completion = None
    pieces: list[str] = []
    message_id = None
    live = not chat.served.profile.supports_reasoning  # reasoning models: the text waits for the thoughts
    for delta in deltas or ():
        if delta.completion is not None:
            completion = delta.completion
        elif delta.text and delta.index == 0:
            pieces.append(delta.text)
            if live:
                if message_id is None:
                    message_id = translate.new_id("msg_")
                    yield from _message_opened(event, len(output), message_id)
                yield _text_delta(event, len(output), message_id, delta.text)
    if deltas is not None and completion is None:
        raise errors.internal_error()
    if completion is not None:
        generation = completion.generations[0]
        if generation.reasoning:
            item = translate.reasoning_item(generation.reasoning, request.summary)
            output.append(item)
            yield from _reasoning_events(event, len(output) - 1, item, request.summary)
        text = "".join(pieces) if pieces else generation.text
        if text or not generation.tool_calls:
            index = len(output)
            if message_id is None:
                message_id = translate.new_id("msg_")
                yield from _message_opened(event, index, message_id)
                for piece in stream_pieces(text):
                    yield _text_delta(event, index, message_id, piece)
            status = "incomplete" if generation.finish == "length" else "completed"
            notes = tools.annotations(request.tooling, generation.citations)
            item = translate.message_item(text, status, message_id, notes)
            output.append(item)
            yield from _message_closed(event, index, item)
        for tool_call in generation.tool_calls:
            item = translate.function_call_item(tool_call)
            output.append(item)
            yield from _function_call_events(event, len(output) - 1, item)
    final = request.finished(completion, output)
    terminal = event("response.incomplete" if final["status"] == "incomplete" else "response.completed", response=final)
    request.keep(final, event.events)  # kept before the client hears it is done
    yield terminal


def _events_of(final: dict, summary: bool) -> Iterator[dict]:
    """The events of a finished response, as a stream would have sent them."""
    event = _Sequence()
    opened = {**final, "status": "in_progress", "output": [], "usage": None, "incomplete_details": None}
    yield event("response.created", response=opened)
    yield event("response.in_progress", response=opened)
    for index, item in enumerate(final["output"]):
        if item["type"] == "reasoning":
            yield from _reasoning_events(event, index, item, summary)
        elif item["type"] == "message":
            yield from _message_opened(event, index, item["id"])
            for piece in stream_pieces(item["content"][0]["text"]):
                yield _text_delta(event, index, item["id"], piece)
            yield from _message_closed(event, index, item)
        elif item["type"] == "function_call":
            yield from _function_call_events(event, index, item)
        else:
            yield from _tool_events(event, index, item)
    yield event("response.incomplete" if final["status"] == "incomplete" else "response.completed", response=final)


def _replay(events: list[dict], starting_after: int | None) -> Iterator[dict | str]:
    for stored in events:
        if starting_after is None or stored["sequence_number"] > starting_after:
            yield stored
    yield DONE


def _message_opened(event: _Sequence, index: int, item_id: str) -> Iterator[dict]:
    yield event("response.output_item.added", output_index=index,
                item={"id": item_id, "type": "message", "role": "assistant", "status": "in_progress", "content": []})
    yield event("response.content_part.added", output_index=index, item_id=item_id, content_index=0,
                part=translate.output_text(""))


def _text_delta(event: _Sequence, index: int, item_id: str, text: str) -> dict:
    return event("response.output_text.delta", output_index=index, item_id=item_id, content_index=0, delta=text, logprobs=[])


def _message_closed(event: _Sequence, index: int, item: dict) -> Iterator[dict]:
    part = item["content"][0]
    for at, annotation in enumerate(part["annotations"]):
        yield event("response.output_text.annotation.added", output_index=index, item_id=item["id"], content_index=0,
                    annotation_index=at, annotation=annotation)
    yield event("response.output_text.done", output_index=index, item_id=item["id"], content_index=0,
                text=part["text"], logprobs=[])
    yield event("response.content_part.done", output_index=index, item_id=item["id"], content_index=0, part=part)
    yield event("response.output_item.done", output_index=index, item=item)


def _reasoning_events(event: _Sequence, index: int, item: dict, summary: bool) -> Iterator[dict]:
    yield event("response.output_item.added", output_index=index,
                item={**item, "summary": [], "content": [], "status": "in_progress"})
    text = item["content"][0]["text"]
    if summary:
        part = {"type": "summary_text", "text": ""}
        yield event("response.reasoning_summary_part.added", item_id=item["id"], output_index=index, summary_index=0, part=part)
        for piece in stream_pieces(text):
            yield event("response.reasoning_summary_text.delta", item_id=item["id"], output_index=index, summary_index=0, delta=piece)
        yield event("response.reasoning_summary_text.done", item_id=item["id"], output_index=index, summary_index=0, text=text)
        yield event("response.reasoning_summary_part.done", item_id=item["id"], output_index=index, summary_index=0,
                    part={"type": "summary_text", "text": text})
    yield event("response.output_item.done", output_index=index, item=item)


# The progress events of each built-in tool's item, between its output_item.added and .done.
TOOL_PROGRESS = {
    "file_search_call": ("in_progress", "searching", "completed"),
    "web_search_call": ("in_progress", "searching", "completed"),
    "code_interpreter_call": ("in_progress", "interpreting", "completed"),
    "mcp_list_tools": ("in_progress", "completed"),
    "mcp_call": ("in_progress", "completed"),
}


def _tool_events(event: _Sequence, index: int, item: dict) -> Iterator[dict]:
    """A built-in tool's item: added, its progress (``response.file_search_call.searching`` ...), done."""
    yield event("response.output_item.added", output_index=index, item={**item, "status": "in_progress"})
    for stage in TOOL_PROGRESS.get(item["type"], ()):
        if item["type"] == "mcp_call" and stage == "completed" and item["status"] == "failed":
            stage = "failed"
        yield event(f"response.{item['type']}.{stage}", output_index=index, item_id=item["id"])
    yield event("response.output_item.done", output_index=index, item=item)


def _function_call_events(event: _Sequence, index: int, item: dict) -> Iterator[dict]:
    yield event("response.output_item.added", output_index=index, item={**item, "arguments": "", "status": "in_progress"})
    yield event("response.function_call_arguments.delta", item_id=item["id"], output_index=index, delta=item["arguments"])
    yield event("response.function_call_arguments.done", item_id=item["id"], output_index=index,
                arguments=item["arguments"], name=item["name"])
    yield event("response.output_item.done", output_index=index, item=item)


# -- the rest -----------------------------------------------------------------------------------
def _load(call: Call):
    scope = scope_of(call)
    return scope, objects.load(call, KIND, call.path["response_id"], scope, scope.retention(RETENTION))


@operation
def retrieve_response(call: Call) -> Result:
    _, rec = _load(call)
    if call.query.get("stream"):
        events = rec.doc.get("_events")
        if events is None:
            raise translate.bad_request("Only responses made with stream=true or background=true can be streamed again.", "stream")
        if "_final" in rec.doc and not is_done(rec.doc, call.now) and rec.doc.get("status") != "cancelled":
            raise errors.ServiceError(409, "IncorrectState", "The response is still in progress; stream it once it is done.")
        return Result(stream=_replay(events, call.query.get("starting_after")))
    return Result(body=present(call, rec))


@operation
def delete_response(call: Call) -> Result:
    _, rec = _load(call)
    objects.remove(call, rec)
    return Result(body={"id": rec.id, "object": "response", "deleted": True})


@operation
def cancel_response(call: Call) -> Result:
    _, rec = _load(call)
    if "_final" not in rec.doc:
        raise translate.bad_request("Only a response made with background=true can be cancelled.", "response_id")
    current = present(call, rec)
    if current["status"] in ("queued", "in_progress"):
        rec.doc.update(status="cancelled", _events=[])
        objects.save(call, rec)
        return Result(body=objects.public(rec.doc))
    return Result(body=current)


@operation
def list_input_items(call: Call) -> Result:
    _, rec = _load(call)
    return Result(body=objects.cursor_page(call, rec.doc["_input"]))
