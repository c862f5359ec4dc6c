"""A small, deterministic tokenizer: usage counts, ``maxTokens`` and truncation all use it, so the
numbers a client sees are consistent with the text it gets (roughly one token per word or sign)."""

from __future__ import annotations

import re

TOKEN_RE = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def tokens(text: str) -> list[str]:
    return TOKEN_RE.findall(text or "")


def count(text: str) -> int:
    return len(tokens(text))


def cut(text: str, max_tokens: int) -> str:
    """The prefix of ``text`` holding its first ``max_tokens`` tokens, original spacing kept."""
    if max_tokens <= 0:
        return ""
    matches = list(TOKEN_RE.finditer(text))
    if len(matches) <= max_tokens:
        return text
    return text[: matches[max_tokens - 1].end()]


def cut_start(text: str, max_tokens: int) -> str:
    """The suffix of ``text`` holding its last ``max_tokens`` tokens."""
    matches = list(TOKEN_RE.finditer(text))
    if len(matches) <= max_tokens:
        return text
    return text[matches[len(matches) - max_tokens].start() :] if max_tokens > 0 else ""
