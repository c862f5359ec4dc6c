"""Deterministic text: the same request always reads the same, different requests read differently.

Answers are built from the request's own words (so they look related to the question) with a
random generator seeded by a hash of the request; nothing is downloaded and no model runs.
"""

from __future__ import annotations

import hashlib
import json
import random
import re

from . import tokens

STOPWORDS = frozenset(
    "a an and are as at be but by can could did do does for from had has have how i if in into is it its "
    "me my no not of on or our please so than that the their them then there these they this to was we "
    "were what when where which who why will with would you your about tell give show explain".split()
)
OPENERS = [
    "Here is a short answer about {topic}.",
    "Good question about {topic}.",
    "Let me summarize what matters for {topic}.",
    "In short, {topic} comes down to a few points.",
    "Thinking about {topic}, three things stand out.",
]
MIDDLES = [
    "The key idea is that {a} depends on {b}.",
    "First, {a} shapes how {b} behaves in practice.",
    "Most teams start with {a} and refine {b} over time.",
    "It helps to compare {a} with {b} before deciding.",
    "A common mistake is to treat {a} and {b} as the same thing.",
    "Measuring {a} early makes {b} easier to improve.",
]
CLOSERS = [
    "Let me know if you want more detail on {a}.",
    "That should be enough to get started with {a}.",
    "In the end, {a} is what you should watch.",
    "I hope this helps with {a}.",
]
FILLER = ["the design", "the data", "the workload", "the budget", "the team", "the results", "the model"]


def rng_for(*parts) -> random.Random:
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def keywords(text: str, limit: int = 6) -> list[str]:
    seen: list[str] = []
    for word in re.findall(r"[A-Za-z][A-Za-z0-9_-]{2,}", text or ""):
        low = word.lower()
        if low not in STOPWORDS and low not in seen:
            seen.append(low)
        if len(seen) == limit:
            break
    return seen


def reply(rng: random.Random, prompt: str) -> str:
    """A few sentences about the prompt's own keywords."""
    words = keywords(prompt) or ["your question"]
    pick = lambda: rng.choice(words + FILLER[: max(1, 4 - len(words))])  # noqa: E731
    sentences = [rng.choice(OPENERS).format(topic=" and ".join(words[:2]))]
    for _ in range(rng.randint(1, 3)):
        sentences.append(rng.choice(MIDDLES).format(a=pick(), b=pick()))
    sentences.append(rng.choice(CLOSERS).format(a=words[0]))
    return " ".join(sentences)


def apply_limits(text: str, stop: list[str], max_tokens: int | None) -> tuple[str, str]:
    """Cut at the first stop sequence, then at ``max_tokens``; returns the text and why it ended."""
    finish = "stop"
    cuts = [text.find(s) for s in stop if s and s in text]
    if cuts:
        text = text[: min(cuts)]
        finish = "stop_sequence"
    if max_tokens is not None and tokens.count(text) > max_tokens:
        text = tokens.cut(text, max_tokens)
        finish = "length"
    return text, finish


def stream_pieces(text: str) -> list[str]:
    """The text in word-sized deltas that join back to it exactly."""
    return re.findall(r"\s*\S+", text) + ([text[len(text.rstrip()):]] if text != text.rstrip() else []) or [text]
