"""Generators answer a :class:`~emulator.inference.conversation.ChatInput` with a
:class:`~emulator.inference.conversation.Completion`.

Which generator serves a model is configuration kept in the store (shared by every worker):
``{"default": {"type": "rules"}, "models": {"<model name or glob>": {"type": "proxy", ...}}}``,
set with ``POST /_emulator/generators``. The default answers from the rules (``rules.py``) when one
matches, else deterministically; with no rules that is exactly ``deterministic``. Any entry may add
``"latency": {"timeToFirstTokenMs": .., "tokensPerSecond": ..}`` (``latency.py`` wraps the generator).
Embedding and rerank models take ``{"type": "semantic"}`` or ``{"type": "hashing"}`` entries instead
(``embedder_for``; ``semantic.py``), which override ``serve --embeddings``.

A generator is a class with ``complete(chat, call)``; it may override ``stream(chat, call)`` to yield
deltas as they come (the proxy does); the default streams the complete answer in word-sized pieces.
``stream`` may do its I/O before returning its iterator, so that failures are errors, not broken streams.
Each class names the option fields it accepts and checks them in ``check`` (``POST`` answers 400 otherwise).
"""

from __future__ import annotations

import fnmatch
from typing import Any

from ...call import Call
from . import deterministic, proxy, replay, rules  # noqa: F401  (each registers its generator)
from .base import REGISTRY, ConfigError, Delta, Generator, register
from .factory import build, check_options
from ..semantic import unavailable_reason

__all__ = ["REGISTRY", "ConfigError", "Delta", "Generator", "register", "build", "check_options"]

CONFIG_KEY = "generators"
EMBEDDERS = ("hashing", "semantic")  # entries for embedding and rerank models (semantic.py)
DEFAULT_CONFIG = {"default": {"type": "rules"}, "models": {}}


def config(call: Call) -> dict:
    return config_of(call.store)


def config_of(store) -> dict:
    stored = store.meta(CONFIG_KEY, {})
    return {**DEFAULT_CONFIG, **stored}


def options_for(cfg: dict, model_name: str, embedders: bool = False) -> dict | None:
    """The entry for ``model_name``: its exact name, else the first glob that matches, else the default.
    Chat models take generator entries, embedding and rerank models ``embedders`` entries (``semantic``,
    ``hashing``); an entry of the other kind is passed over."""
    models = {p: o for p, o in cfg["models"].items() if (o.get("type") in EMBEDDERS) == embedders}
    if model_name in models:
        return models[model_name]
    glob = next((p for p in models if fnmatch.fnmatchcase(model_name, p)), None)
    return models[glob] if glob is not None else None if embedders else cfg["default"]


def generator_for(call: Call, model_name: str) -> Generator:
    return build(options_for(config(call), model_name))


def embedder_for(call: Call, model_name: str) -> str:
    """``semantic`` or ``hashing``: the model's entry, else ``serve --embeddings``."""
    entry = options_for(config(call), model_name, embedders=True)
    return entry["type"] if entry else call.env.settings.embeddings


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
        if isinstance(options, dict) and options.get("type") in EMBEDDERS:
            check_embedder(options, f"models.{name}")
        else:
            check_options(options, f"models.{name}")
    return cfg


def check_embedder(options: dict, where: str) -> None:
    unknown = set(options) - {"type"}
    if unknown:
        raise ConfigError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}; an embedder takes only 'type'.")
    if options["type"] == "semantic":
        reason = unavailable_reason()
        if reason:
            raise ConfigError(f"{where}.type: {reason}")
