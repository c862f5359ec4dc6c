"""A bounded journal of recent API calls, for tests to assert on (``GET /_emulator/requests``).

It lives in the memory of one process: with ``--workers N`` each worker keeps its own.
"""

from __future__ import annotations

import collections
import threading


class Journal:
    def __init__(self, size: int):
        self._entries: collections.deque = collections.deque(maxlen=size)
        self._lock = threading.Lock()

    def add(self, entry: dict) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self, operation: str | None = None) -> list[dict]:
        with self._lock:
            items = list(self._entries)
        return [e for e in items if operation is None or e["operation"] == operation]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
