"""Generators answer a :class:`~emulator.inference.conversation.ChatInput` with a
:class:`~emulator.inference.conversation.Completion`.

Which generator serves a model is configuration kept in the store (shared by every worker):
``{"default": {"type": "rules"}, "models": {"<model name or glob>": {"type": "proxy", ...}}}``,
set with ``POST /_emulator/generators``. The default answers from the rules (``rules.py``) when one
matches, else deterministically; with no rules that is exactly ``deterministic``. Any entry may add
``"latency": {"timeToFirstTokenMs": .., "tokensPerSecond": ..}`` (``latency.py`` wraps the generator).

A generator is a class with ``complete(chat, call)``; it may override ``stream(chat, call)`` to yield
deltas as they come (the proxy does); the default streams the complete answer in word-sized pieces.
``stream`` may do its I/O before returning its iterator, so that failures are errors, not broken streams.
Each class names the option fields it accepts and checks them in ``check`` (``POST`` answers 400 otherwise).
"""

from __future__ import annotations

import dataclasses
import fnmatch
from typing import Any, Iterator

from ...call import Call
from ..conversation import ChatInput, Completion
from ..text import stream_pieces

CONFIG_KEY = "generators"
DEFAULT_CONFIG = {"default": {"type": "rules"}, "models": {}}


class ConfigError(ValueError):
    """A generator configuration that cannot work; the message names the field (``models.x.url``)."""


@dataclasses.dataclass
class Delta:
    """One piece of a streamed answer: text for generation ``index``, or the whole completion at the end."""

    text: str = ""
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
            for piece in stream_pieces(generation.text):
                yield Delta(text=piece, index=index)
        yield Delta(completion=completion)


REGISTRY: dict[str, type[Generator]] = {}


def register(name: str):
    def decorate(cls):
        REGISTRY[name] = cls
        return cls

    return decorate


def config(call: Call) -> dict:
    return config_of(call.store)


def config_of(store) -> dict:
    stored = store.meta(CONFIG_KEY, {})
    return {**DEFAULT_CONFIG, **stored}


def options_for(cfg: dict, model_name: str) -> dict:
    """The entry for ``model_name``: its exact name, else the first glob that matches, else the default."""
    models = cfg["models"]
    if model_name in models:
        return models[model_name]
    glob = next((p for p in models if fnmatch.fnmatchcase(model_name, p)), None)
    return models[glob] if glob is not None else cfg["default"]


def build(options: dict) -> Generator:
    """The generator an entry describes, wrapped in simulated latency when it asks for it."""
    generator = REGISTRY[options["type"]](options)
    if options.get("latency"):
        from .latency import Latency

        generator = Latency(generator, options["latency"])
    return generator


def generator_for(call: Call, model_name: str) -> Generator:
    return build(options_for(config(call), model_name))


def check_options(options: Any, where: str) -> None:
    if not isinstance(options, dict):
        raise ConfigError(f"{where}: a generator is an object like {{\"type\": \"deterministic\"}}.")
    kind = options.get("type")
    if kind not in REGISTRY:
        raise ConfigError(f"{where}.type: {kind!r} is not a generator; use one of {', '.join(sorted(REGISTRY))}.")
    REGISTRY[kind].check(options, where)
    if "latency" in options:
        from .latency import check_latency

        check_latency(options["latency"], f"{where}.latency")


def validate_config(body: Any) -> dict:
    """A posted ``{"default": {...}, "models": {...}}`` checked and completed, or :class:`ConfigError`."""
    if not isinstance(body, dict):
        raise ConfigError("The generator configuration is an object {\"default\": {...}, \"models\": {...}}.")
    unknown = set(body) - {"default", "models"}
    if unknown:
        raise ConfigError(f"Unknown field(s) {', '.join(sorted(unknown))}; use 'default' and 'models'.")
    cfg = {"default": body.get("default", DEFAULT_CONFIG["default"]), "models": body.get("models", {})}
    check_options(cfg["default"], "default")
    if not isinstance(cfg["models"], dict):
        raise ConfigError("models: map model names (or globs like \"cohere.*\") to generators.")
    for name, options in cfg["models"].items():
        check_options(options, f"models.{name}")
    return cfg


from . import deterministic, proxy, replay, rules  # noqa: E402,F401  (each registers itself)
