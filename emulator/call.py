"""What a handler receives (:class:`Call`) and returns (:class:`Result`).

Handlers are plain functions named after SDK operations; they never touch Flask, HTTP headers
or SQL: the app parses the request into a ``Call`` and renders the ``Result``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .catalog import Catalog
from .lifecycle import Clock, iso
from .settings import Settings
from .spec import Operation, Spec
from .store import Store


@dataclasses.dataclass
class Env:
    """Everything shared by all requests of one app."""

    settings: Settings
    spec: Spec
    store: Store
    clock: Clock
    catalog: Catalog


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


@dataclasses.dataclass
class Result:
    body: Any = None
    raw: str | None = None  # the body already serialized (list pages cut to shape by the store)
    stream: Any = None  # an iterable of Server-Sent Event payloads (dicts, or literal strings like "[DONE]")
    etag: str | None = None
    work_request_id: str | None = None
    next_page: str | None = None
    status: int | None = None
