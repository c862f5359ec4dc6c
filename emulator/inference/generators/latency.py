"""Simulated latency, off by default: ``"latency": {"timeToFirstTokenMs": 200, "tokensPerSecond": 50}``
in any generator entry wraps that generator, so it applies the same way to generated, proxied,
recorded and replayed answers.

A stream waits ``timeToFirstTokenMs`` before it starts, then paces its deltas at ``tokensPerSecond``;
a complete answer arrives after the first-token time plus its completion tokens at that rate.
Either number may be left out (no wait, or no pacing).
"""

from __future__ import annotations

import time
from typing import Any, Iterator

from ...call import Call
from .. import tokens
from ..conversation import ChatInput, Completion
from .base import ConfigError, Delta, Generator

FIELDS = ("timeToFirstTokenMs", "tokensPerSecond")


def check_latency(latency: Any, where: str) -> None:
    if not isinstance(latency, dict):
        raise ConfigError(f'{where}: an object like {{"timeToFirstTokenMs": 200, "tokensPerSecond": 50}}.')
    unknown = set(latency) - set(FIELDS)
    if unknown:
        raise ConfigError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}; use {' and '.join(FIELDS)}.")
    ttft = latency.get("timeToFirstTokenMs", 0)
    if isinstance(ttft, bool) or not isinstance(ttft, (int, float)) or not 0 <= ttft <= 600_000:
        raise ConfigError(f"{where}.timeToFirstTokenMs: a number of milliseconds from 0 to 600000.")
    tps = latency.get("tokensPerSecond")
    if tps is not None and (isinstance(tps, bool) or not isinstance(tps, (int, float)) or tps <= 0):
        raise ConfigError(f"{where}.tokensPerSecond: a number > 0.")


class Latency(Generator):
    def __init__(self, inner: Generator, latency: dict):
        super().__init__(inner.options)
        self.inner = inner
        self.ttft = latency.get("timeToFirstTokenMs", 0) / 1000
        self.tps = latency.get("tokensPerSecond")

    def complete(self, chat: ChatInput, call: Call) -> Completion:
        started = time.monotonic()
        completion = self.inner.complete(chat, call)
        pace = completion.completion_tokens / self.tps if self.tps else 0
        _sleep_until(started + self.ttft + pace, call)
        return completion

    def stream(self, chat: ChatInput, call: Call) -> Iterator[Delta]:
        started = time.monotonic()
        deltas = self.inner.stream(chat, call)
        _sleep_until(started + self.ttft, call)  # before the response starts: nothing arrives sooner
        return self._paced(deltas, call)

    def _paced(self, deltas: Iterator[Delta], call: Call) -> Iterator[Delta]:
        if not self.tps:
            yield from deltas
            return
        started = time.monotonic()
        sent = 0
        for delta in deltas:
            sent += tokens.count(delta.text) + tokens.count(delta.reasoning)
            _sleep_until(started + sent / self.tps, call)
            yield delta


def _sleep_until(deadline: float, call: Call) -> None:
    left = deadline - time.monotonic()
    if left > 0:
        with call.waiting():
            time.sleep(left)

