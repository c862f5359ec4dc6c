"""``chat``: one handler for every API format; formats translate, generators answer."""

from __future__ import annotations

import itertools
from typing import Iterator

from ..call import Call, Result, operation
from . import errors
from .formats import FORMATS
from .generators import generator_for
from .serving import resolve


@operation
def chat(call: Call) -> Result:
    body = call.body
    served = resolve(call, body["servingMode"], "CHAT")
    request = body["chatRequest"]
    api_format = request["apiFormat"]
    if api_format not in served.profile.api_formats:
        raise errors.bad_request(
            f"The model {served.profile.name} does not accept the {api_format} chat format; "
            f"use apiFormat {' or '.join(served.profile.api_formats)}."
        )
    fmt = FORMATS[api_format]
    chat_input = fmt.parse(served, request)
    chat_input.created = call.stamp
    generator = generator_for(call, served.profile.name)
    if chat_input.stream:
        return Result(stream=_started(_events(fmt, chat_input, generator.stream(chat_input, call))))
    completion = generator.complete(chat_input, call)
    if "recorded" in completion.extra:  # replay: a real response, already in the wire format
        return Result(body=completion.extra["recorded"])
    return Result(
        body={
            "modelId": served.model_id,
            "modelVersion": served.model_version,
            "chatResponse": fmt.respond(chat_input, completion),
        }
    )


def _started(events: Iterator) -> Iterator:
    """The stream with its first event already computed: a generator that fails before it says
    anything fails the request with a proper error response instead of a cut-off 200 stream."""
    first = next(events, None)
    return events if first is None else itertools.chain([first], events)


def _events(fmt, chat_input, deltas):
    """The format's events for the deltas; a replayed stream's deltas carry their events as recorded."""
    deltas = iter(deltas)
    first = next(deltas, None)
    if first is not None and first.recorded is not None:
        yield first.recorded
        yield from (d.recorded for d in deltas if d.recorded is not None)
        return
    yield from fmt.stream(chat_input, itertools.chain([] if first is None else [first], deltas))
