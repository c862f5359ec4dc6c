"""What a handler receives (:class:`Call`) and returns (:class:`Result`), and how it is marked.

Handlers are plain functions named after the operations of ``specs/`` and marked with
:func:`operation`; they never touch Flask, HTTP headers or SQL: the pipeline parses the request
into a ``Call`` and renders the ``Result``.
"""

from __future__ import annotations

import contextlib
import dataclasses
from typing import Any, Callable, Iterable, Iterator

from .catalog import Catalog
from .faults import Faults
from .gate import Gate
from .journal import Journal
from .kinds import Kinds
from .lifecycle import Clock, iso
from .protocol.auth import TrustedKeys
from .settings import Settings
from .spec import Operation, Spec
from .store import Store
from .throttling import RateLimits


@dataclasses.dataclass
class Env:
    """Everything shared by all requests of one app."""

    settings: Settings
    spec: Spec
    kinds: Kinds
    store: Store
    clock: Clock
    catalog: Catalog
    journal: Journal
    faults: Faults
    keys: TrustedKeys
    rate_limits: RateLimits
    gate: Gate = dataclasses.field(default_factory=Gate)


@dataclasses.dataclass
class Call:
    op: Operation
    env: Env
    tenancy: str
    now: float
    path: dict = dataclasses.field(default_factory=dict)
    query: dict = dataclasses.field(default_factory=dict)
    headers: dict = dataclasses.field(default_factory=dict)
    body: Any = None

    @property
    def store(self) -> Store:
        return self.env.store

    @property
    def stamp(self) -> str:
        return iso(self.now)

    @property
    def if_match(self) -> str | None:
        return self.headers.get("if-match")

    @contextlib.contextmanager
    def waiting(self) -> Iterator[None]:
        """Around a wait for something outside the emulator: other requests go on meanwhile (``gate.py``)."""
        with self.env.gate.outside():
            yield

    def waiting_for(self, items: Iterable) -> Iterator:
        """The items of ``items`` (an upstream server's stream), each waited for outside the gate."""
        iterator = iter(items)
        while True:
            with self.waiting():
                item = next(iterator, _END)
            if item is _END:
                return
            yield item


@dataclasses.dataclass
class Result:
    body: Any = None
    raw: str | None = None  # the body already serialized (list pages cut to shape by the store)
    content_type: str = "application/json"  # of ``raw`` (the dashboard's page is HTML)
    stream: Any = None  # an iterable of Server-Sent Event payloads (dicts, or literal strings like "[DONE]")
    binary: bytes | None = None  # a body of bytes (a file's content), sent as ``media_type``
    media_type: str = "application/octet-stream"
    etag: str | None = None
    work_request_id: str | None = None
    next_page: str | None = None
    status: int | None = None
    headers: dict = dataclasses.field(default_factory=dict)  # more response headers (``openai-poll-after-ms``)


Handler = Callable[[Call], Result]
_END = object()


def operation(fn: Handler) -> Handler:
    """Mark ``fn`` as the handler of the operation it is named after (``create_endpoint``).
    ``registry.py`` collects marked functions and refuses to start when a name matches no operation."""
    fn.handles = fn.__name__  # type: ignore[attr-defined]
    return fn
