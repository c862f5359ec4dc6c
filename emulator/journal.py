"""A bounded journal of recent API calls: what ``GET /_emulator/requests`` lists and the dashboard
(``/_emulator/ui``) shows.

Each entry has a summary (operation, status, request id, tenancy, duration), and what crossed the
wire: the request's and the response's headers and bodies, redacted as they are recorded
(``protocol/redact.py``) and cut to ``body_limit`` bytes each. An event stream's body is kept as it
is sent, up to the same limit, and its entry learns when the stream ended. The journal keeps the
newest ``size`` entries, numbered from 1 (``id``) in the order they were recorded. Recording keeps
references to bytes the request already holds, so it costs little more than the summary.

It lives in the memory of one process: with ``--workers N`` each worker keeps its own.
"""

from __future__ import annotations

import collections
import itertools
import threading
import time
from typing import Iterable, Iterator

from .protocol import redact
from .protocol.render import Reply

# WSGI keeps these two request headers out of the HTTP_ keys.
_CONTENT_KEYS = (("CONTENT_TYPE", "content-type"), ("CONTENT_LENGTH", "content-length"))


class Body:
    """The first bytes of a body (redacted) and the size of the whole; a stream grows while it is sent."""

    __slots__ = ("data", "size", "streaming")

    def __init__(self, data: bytes | bytearray = b"", size: int = 0, streaming: bool = False):
        self.data = data
        self.size = size
        self.streaming = streaming

    def show(self) -> dict:
        data = bytes(self.data)
        return {
            "body": data.decode("utf-8", "replace"),
            "bodyBytes": self.size,
            "truncated": len(data) < self.size,
            **({"streaming": self.streaming} if self.streaming else {}),
        }


class Entry:
    __slots__ = ("summary", "request_headers", "request_body", "response_headers", "response_body")

    def __init__(self, summary: dict, request_headers: dict, request_body: Body, response_headers: dict, response_body: Body):
        self.summary = summary
        self.request_headers = request_headers
        self.request_body = request_body
        self.response_headers = response_headers
        self.response_body = response_body

    def show(self) -> dict:
        """The summary with the request and the response as they crossed the wire."""
        return {
            **self.summary,
            "request": {"headers": self.request_headers, **self.request_body.show()},
            "response": {"headers": self.response_headers, **self.response_body.show()},
        }


def request_headers(environ: dict) -> dict[str, str]:
    """The request's headers, lower case and redacted, from its WSGI environ."""
    pairs = [(key[5:].replace("_", "-"), value) for key, value in environ.items() if key.startswith("HTTP_")]
    pairs += [(name, environ[key]) for key, name in _CONTENT_KEYS if environ.get(key)]
    return redact.headers(pairs)


def status_matches(status: int, wanted: str) -> bool:
    """``wanted`` is a status (``404``) or a class of them (``4xx``)."""
    return str(status) == wanted or (wanted[1:] == "xx" and str(status)[0] == wanted[0])


class Journal:
    def __init__(self, size: int, body_limit: int = 32 * 1024):
        self._entries: collections.deque[Entry] = collections.deque(maxlen=size)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.body_limit = body_limit

    def add(self, summary: dict, environ: dict, body: bytes, reply: Reply) -> None:
        """Record a call: ``summary`` as the pipeline saw it, the request (``environ``, ``body``) and
        the ``reply``, whose streamed body (if any) is tapped from now on as it is sent."""
        summary["query"] = environ.get("QUERY_STRING", "")
        limit = self.body_limit
        if isinstance(reply.body, bytes):
            response_body = Body(redact.body(reply.body, limit), len(reply.body))
        else:
            response_body = Body(bytearray(), 0, streaming=True)
            reply.body = self._tap(reply.body, summary, response_body, time.perf_counter())
        entry = Entry(
            summary,
            request_headers(environ),
            Body(redact.body(body, limit), len(body)),
            redact.headers(reply.wire_headers()),
            response_body,
        )
        with self._lock:
            summary["id"] = next(self._ids)
            self._entries.append(entry)

    def _tap(self, chunks: Iterable[bytes], summary: dict, kept: Body, started: float) -> Iterator[bytes]:
        """``chunks`` on their way to the client, the first ``body_limit`` bytes kept (each chunk
        redacted whole: a frame holds a whole event); ``streamMs`` is set when the stream ends."""
        try:
            for chunk in chunks:
                kept.size += len(chunk)
                room = self.body_limit - len(kept.data)
                if room > 0:
                    kept.data += redact.body(chunk)[:room]  # type: ignore[operator]
                yield chunk
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()  # the client went away: let the stream's own clean-up run now
            kept.streaming = False
            summary["streamMs"] = round(summary["durationMs"] + (time.perf_counter() - started) * 1000, 3)

    def entries(
        self, operation: str | None = None, status: str | None = None, tenancy: str | None = None, limit: int | None = None
    ) -> list[dict]:
        """Summaries, oldest first, of the entries that match every filter given; ``limit`` keeps the newest."""
        with self._lock:
            items = list(self._entries)
        found = [
            e.summary
            for e in items
            if (operation is None or e.summary["operation"] == operation)
            and (status is None or status_matches(e.summary["status"], status))
            and (tenancy is None or e.summary["tenancy"] == tenancy)
        ]
        return found[-limit:] if limit else found

    def entry(self, entry_id: int) -> dict | None:
        """The entry numbered ``entry_id`` with its request and response, if it is still kept."""
        with self._lock:
            if not self._entries:
                return None
            index = entry_id - self._entries[0].summary["id"]
            entry = self._entries[index] if 0 <= index < len(self._entries) else None
        return entry.show() if entry is not None else None

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
