"""Generators built and checked from their configuration entries (``{"type": ..., "latency": ...}``)."""

from __future__ import annotations

from typing import Any

from .base import REGISTRY, ConfigError, Generator
from .latency import Latency, check_latency


def build(options: dict) -> Generator:
    """The generator an entry describes, wrapped in simulated latency when it asks for it."""
    generator = REGISTRY[options["type"]](options)
    if options.get("latency"):
        generator = Latency(generator, options["latency"])
    return generator


def check_options(options: Any, where: str) -> None:
    if not isinstance(options, dict):
        raise ConfigError(f"{where}: a generator is an object like {{\"type\": \"deterministic\"}}.")
    kind = options.get("type")
    if kind not in REGISTRY:
        raise ConfigError(f"{where}.type: {kind!r} is not a generator; use one of {', '.join(sorted(REGISTRY))}.")
    REGISTRY[kind].check(options, where)
    if "latency" in options:
        check_latency(options["latency"], f"{where}.latency")
