"""What a reasoning model thinks before it answers, for the deterministic generator.

Models the catalog marks ``xSupportsReasoning`` (xAI Grok mini and reasoning variants, OpenAI
gpt-oss, Gemini 2.5, Cohere Command A Reasoning) reason; the others never do. The effort sets how
much: ``reasoningEffort`` (GENERIC; ``reasoning_effort`` / ``reasoning.effort`` on the OpenAI-compatible
API; Cohere v2 ``thinking`` ENABLED is MEDIUM, DISABLED is NONE) NONE gives no reasoning, MINIMAL one
sentence, LOW two, MEDIUM (the default when the request names none) four, HIGH seven. The sentences
restate the question, then give the steps of the answer when the generator knows it (the fact
recalled, the computation; ``answers.py``), then plan the reply around the question's keywords.
Reasoning tokens count in the completion tokens, and take at most half of ``maxTokens``, so the
answer always gets the rest.
"""

from __future__ import annotations

import random

from . import tokens
from .text import keywords

SENTENCES = {"NONE": 0, "MINIMAL": 1, "LOW": 2, "MEDIUM": 4, "HIGH": 7}
DEFAULT_EFFORT = "MEDIUM"
PLANS = [
    "I should focus on {a} first.",
    "It matters how {a} relates to {b}.",
    "A short, direct answer about {a} works best.",
    "I will check that nothing about {b} contradicts it.",
    "An example involving {a} could make it clearer.",
    "I should not overcomplicate {b}.",
    "The key point is {a}.",
]


def effort(requested: str | None) -> str:
    value = (requested or DEFAULT_EFFORT).upper()
    return value if value in SENTENCES else DEFAULT_EFFORT


def think(question: str, steps: list[str], requested_effort: str | None, rng: random.Random,
          max_tokens: int | None) -> str | None:
    """The reasoning text for ``question`` at the requested effort, or None (effort NONE)."""
    count = SENTENCES[effort(requested_effort)]
    if not count:
        return None
    shown = question.strip().replace("\n", " ")
    sentences = [f'The user asks: "{shown[:120]}{"..." if len(shown) > 120 else ""}"', *steps]
    words = keywords(question, 4) or ["the question"]
    plans = rng.sample(PLANS, len(PLANS))
    while len(sentences) < count:
        sentences.append(plans.pop().format(a=rng.choice(words), b=rng.choice(words)))
    text = " ".join(s if s.endswith((".", "?", "!", '"')) else f"{s}." for s in sentences[: max(count, 1)])
    if max_tokens is not None:
        text = tokens.cut(text, max(1, max_tokens // 2))
    return text
