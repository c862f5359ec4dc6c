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

import fnmatch
from typing import Any

from ...call import Call
from . import deterministic, proxy, replay, rules  # noqa: F401  (each registers its generator)
from .base import REGISTRY, ConfigError, Delta, Generator, register
from .factory import build, check_options

__all__ = ["REGISTRY", "ConfigError", "Delta", "Generator", "register", "build", "check_options"]

CONFIG_KEY = "generators"
DEFAULT_CONFIG = {"default": {"type": "rules"}, "models": {}}


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


def generator_for(call: Call, model_name: str) -> Generator:
    return build(options_for(config(call), model_name))


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
