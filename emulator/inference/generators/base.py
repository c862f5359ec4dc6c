"""What every generator is: a :class:`Generator` class registered under a type name, the
:class:`Delta` pieces it streams, and :class:`ConfigError` for settings that cannot work."""

from __future__ import annotations

import dataclasses
from typing import Any, Iterator

from ...call import Call
from ..conversation import ChatInput, Completion
from ..text import stream_pieces


class ConfigError(ValueError):
    """A generator configuration that cannot work; the message names the field (``models.x.url``)."""


@dataclasses.dataclass
class Delta:
    """One piece of a streamed answer for generation ``index``: its text, or its reasoning (which
    comes first), or the whole completion at the end."""

    text: str = ""
    reasoning: str = ""
    index: int = 0
    completion: Completion | None = None
    recorded: Any = None  # an SSE payload exactly as recorded (replay): chat.py sends it as is


class Generator:
    FIELDS: frozenset[str] = frozenset()  # option fields besides "type" and "latency"

    def __init__(self, options: dict):
        self.options = options

    @classmethod
    def check(cls, options: dict, where: str) -> None:
        """Raise :class:`ConfigError` naming the field if ``options`` cannot work."""
        unknown = set(options) - cls.FIELDS - {"type", "latency"}
        if unknown:
            raise ConfigError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}; "
                              f"{options['type']!r} accepts {', '.join(sorted(cls.FIELDS)) or 'none'}.")

    def complete(self, chat: ChatInput, call: Call) -> Completion:
        raise NotImplementedError

    def stream(self, chat: ChatInput, call: Call) -> Iterator[Delta]:
        completion = self.complete(chat, call)
        for index, generation in enumerate(completion.generations):
            for piece in stream_pieces(generation.reasoning) if generation.reasoning else ():
                yield Delta(reasoning=piece, index=index)
            for piece in stream_pieces(generation.text):
                yield Delta(text=piece, index=index)
        yield Delta(completion=completion)


REGISTRY: dict[str, type[Generator]] = {}


def register(name: str):
    def decorate(cls):
        REGISTRY[name] = cls
        return cls

    return decorate
