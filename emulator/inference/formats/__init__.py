"""Chat API formats. Each module has a ``Format`` with:

- ``parse(served, chat_request) -> ChatInput`` (raises the real service's 400s for invalid conversations),
- ``respond(chat, completion) -> dict`` (the ``chatResponse``),
- ``stream(chat, deltas) -> Iterator[dict | str]`` (Server-Sent Event payloads, in the real order).
"""

from __future__ import annotations

FORMATS: dict = {}

from . import cohere, coherev2, generic

FORMATS.update({"COHERE": cohere.FORMAT, "COHEREV2": coherev2.FORMAT, "GENERIC": generic.FORMAT})
