"""One request at a time through the pipeline.

Python runs one thread at a time anyway; letting several requests contend for it costs more than
it gives (every SQLite call hands the interpreter to another thread: bench/ measured half the
throughput with 2-4 server threads). So a request holds the gate from routing to its response, and
the server's other threads wait their turn. A handler that waits for something outside the
emulator (a simulated delay, an upstream model server) steps out of the gate while it waits
(``Call.waiting()``), and a stream is sent after the gate is left, so slow answers never hold up
the others: that is what the server's threads are for.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Iterator


class Gate:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inside = threading.local()

    def __enter__(self) -> "Gate":
        self._lock.acquire()
        self._inside.held = True
        return self

    def __exit__(self, *exc) -> None:
        self._inside.held = False
        self._lock.release()

    @contextlib.contextmanager
    def outside(self) -> Iterator[None]:
        """Leave the gate for a while, if this thread holds it."""
        if not getattr(self._inside, "held", False):
            yield
            return
        self.__exit__()
        try:
            yield
        finally:
            self.__enter__()
