"""Words as retrieval sees them, shared by embeddings, rerank and summaries.

Lower-cased word tokens, stopwords dropped, and a light suffix stemmer so "ranks", "ranking" and
"ranked" meet at "rank". Deterministic and dependency-free; good enough for a retrieval demo to
rank sensibly, not a linguistic tool.
"""

from __future__ import annotations

import functools
import re

from .text import STOPWORDS

WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
# (suffix, replacement, minimum length of the stem left); first match wins
SUFFIXES = (
    ("ies", "y", 3),
    ("sses", "ss", 2),
    ("ness", "", 4),
    ("ments", "ment", 4),
    ("ing", "", 4),
    ("edly", "", 4),
    ("ed", "", 4),
    ("ly", "", 4),
    ("es", "", 4),
    ("s", "", 3),
)


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    if word.isdigit():
        return word
    for suffix, repl, min_stem in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= min_stem:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            out = word[: len(word) - len(suffix)] + repl
            if suffix in ("ing", "ed") and len(out) > 3 and out[-1] == out[-2] and out[-1] not in "aeioulsz":
                out = out[:-1]  # running -> run, stopped -> stop
            return out
    return word


def terms(text: str) -> list[str]:
    """The content words of ``text``, stemmed, in order (repeats kept)."""
    return [stem(w) for w in WORD_RE.findall((text or "").lower()) if w not in STOPWORDS]
