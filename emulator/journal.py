"""A bounded journal of recent API calls: what ``GET /_emulator/requests`` lists and the dashboard
(``/_emulator/ui``) shows.

Each entry has a summary (operation, status, request id, tenancy, duration) and what crossed the
wire: the request's and the response's headers and bodies, redacted as they are recorded
(``protocol/redact.py``) and cut to ``body_limit`` bytes each. An event stream's body is kept as it
is sent, up to the same limit, and its entry learns when the stream ended. The journal keeps the
newest ``size`` entries, numbered from 1 (``id``) in the order they were recorded.

Recording is on every request's path, so it does little: it keeps references to the bytes the
request already holds and picks the request's headers out of the WSGI environ (where granian also
puts the whole process environment). Times, durations and header names are made readable only when
entries are listed or shown.

It lives in the memory of one process: with ``--workers N`` each worker keeps its own.
"""

from __future__ import annotations

import collections
import itertools
import threading
import time
from typing import Iterable, Iterator

from .lifecycle import iso
from .protocol import redact
from .protocol.render import Reply

# WSGI keeps these two request headers out of the HTTP_ keys.
_CONTENT_KEYS = ("CONTENT_TYPE", "CONTENT_LENGTH")
# The WSGI environ key of each header that may hold a secret.
_SECRET_KEYS = {"HTTP_" + name.upper().replace("-", "_"): name for name in redact.SECRET_HEADERS}
_SECRET_KEY_SET = frozenset(_SECRET_KEYS)
MAX_HEADER_NAMES = 1000  # header keys remembered (a client could make up new ones forever)


class Entry:
    """One call: its summary and, for the request and the response, the headers and the first
    ``body_limit`` bytes of the body (redacted) with the size of the whole. A streamed response's
    body grows while it is sent (``streaming``)."""

    __slots__ = (
        "summary", "request_headers", "request_body", "request_size",
        "response_headers", "response_body", "response_size", "streaming",
    )  # fmt: skip

    def __init__(
        self,
        summary: dict,
        request_headers: dict,
        request_body: bytes,
        request_size: int,
        response_headers: dict,
        response_body: bytes | bytearray,
        response_size: int,
        streaming: bool,
    ):
        self.summary = summary
        self.request_headers = request_headers
        self.request_body = request_body
        self.request_size = request_size
        self.response_headers = response_headers
        self.response_body = response_body
        self.response_size = response_size
        self.streaming = streaming

    def listed(self) -> dict:
        """The summary as listed: its time (recorded as seconds) in RFC 3339, durations rounded."""
        summary = self.summary
        shown = {**summary, "time": iso(summary["time"]), "durationMs": round(summary["durationMs"], 3)}
        if "streamMs" in summary:
            shown["streamMs"] = round(summary["streamMs"], 3)
        return shown

    def show(self) -> dict:
        """The summary with the request and the response as they crossed the wire."""
        request_headers = {
            key.removeprefix("HTTP_").replace("_", "-").lower(): value
            for key, value in sorted(self.request_headers.items())
            if value or key not in _CONTENT_KEYS
        }
        response_headers = dict(self.response_headers)
        if isinstance(self.response_body, bytes):
            response_headers["content-length"] = str(self.response_size)
        return {
            **self.listed(),
            "request": _side(request_headers, self.request_body, self.request_size),
            "response": _side(response_headers, self.response_body, self.response_size, self.streaming),
        }


def _side(headers: dict, kept: bytes | bytearray, size: int, streaming: bool = False) -> dict:
    body = bytes(kept)
    shown = {"headers": headers, "body": body.decode("utf-8", "replace"), "bodyBytes": size}
    shown["truncated"] = len(body) < size
    if streaming:
        shown["streaming"] = True
    return shown


def status_matches(status: int, wanted: str) -> bool:
    """``wanted`` is a status (``404``) or a class of them (``4xx``)."""
    return str(status) == wanted or (wanted[1:] == "xx" and str(status)[0] == wanted[0])


class Journal:
    def __init__(self, size: int, body_limit: int = 32 * 1024):
        self._entries: collections.deque[Entry] = collections.deque(maxlen=size)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.body_limit = body_limit
        self._header_keys: set[str] = set()
        self._other_keys = -1  # how many keys of the environ last scanned were no header

    def add(self, summary: dict, environ: dict, body: bytes, reply: Reply) -> None:
        """Record a call: ``summary`` as the pipeline saw it, the request (``environ``, ``body``) and
        the ``reply``, whose streamed body (if any) is tapped from now on as it is sent."""
        summary["query"] = environ.get("QUERY_STRING", "")
        limit = self.body_limit
        streaming = not isinstance(reply.body, bytes)
        if streaming:
            response_body: bytes | bytearray = bytearray()
            response_size = 0
        else:
            response_body = redact.body(reply.body, limit)
            response_size = len(reply.body)
        with self._lock:
            entry = Entry(
                summary,
                self._request_headers(environ),
                redact.body(body, limit) if body else b"",
                len(body),
                reply.headers,  # the emulator's own (no secret among them), never changed once it is sent
                response_body,
                response_size,
                streaming,
            )
            summary["id"] = next(self._ids)
            self._entries.append(entry)
        if streaming:
            reply.body = self._tap(reply.body, entry, time.perf_counter())

    def _request_headers(self, environ: dict) -> dict[str, str]:
        """The request's headers, redacted, under their environ keys (``HTTP_HOST``).

        An environ holds many more keys than headers (granian copies the whole process environment
        into each), and looking at every key of every request would cost more than all the rest of
        the journal. So the header keys met so far are looked up directly, and the environ is
        scanned only when its size says that it holds other keys than before: a header never met,
        or a key that its server adds. (A server that left out one of its own keys just when a new
        header came would hide that header; granian and waitress always send the same keys.)"""
        found = environ.keys() & self._header_keys
        if len(environ) - len(found) != self._other_keys:
            found = {key for key in environ if key[:5] == "HTTP_" or key in _CONTENT_KEYS}
            self._other_keys = len(environ) - len(found)
            if len(self._header_keys) > MAX_HEADER_NAMES:
                self._header_keys.clear()
            self._header_keys |= found
        headers = dict(zip(found, map(environ.__getitem__, found)))  # one set, iterated twice alike
        if not found.isdisjoint(_SECRET_KEY_SET):
            for key in found & _SECRET_KEY_SET:
                headers[key] = redact.header(_SECRET_KEYS[key], headers[key])
        return headers

    def _tap(self, chunks: Iterable[bytes], entry: Entry, started: float) -> Iterator[bytes]:
        """``chunks`` on their way to the client, the first ``body_limit`` bytes kept (each chunk
        redacted whole: a frame holds a whole event); ``streamMs`` is set when the stream ends."""
        kept = entry.response_body
        try:
            for chunk in chunks:
                entry.response_size += len(chunk)
                room = self.body_limit - len(kept)
                if room > 0:
                    kept += redact.body(chunk)[:room]
                yield chunk
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()  # the client went away: let the stream's own clean-up run now
            entry.streaming = False
            summary = entry.summary
            summary["streamMs"] = summary["durationMs"] + (time.perf_counter() - started) * 1000

    def entries(
        self,
        operation: str | None = None,
        status: str | None = None,
        tenancy: str | None = None,
        limit: int | None = None,
    ) -> list[dict]:
        """Summaries, oldest first, of the entries that match every filter given; ``limit`` keeps the newest."""
        with self._lock:
            items = list(self._entries)
        found = [
            e
            for e in items
            if (operation is None or e.summary["operation"] == operation)
            and (status is None or status_matches(e.summary["status"], status))
            and (tenancy is None or e.summary["tenancy"] == tenancy)
        ]
        return [e.listed() for e in (found[-limit:] if limit else found)]

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
