"""Chunking and search for vector stores: what ``search`` and the ``file_search`` tool rank.

Files are cut into chunks of at most 800 tokens that overlap by 400 (OpenAI's documented ``auto``
strategy; ``static`` sets both). Search ranks chunks with BM25 over their words (the same stemmed
terms as rerank), through an inverted index, so a query costs what its words' postings cost, not a
pass over every chunk; the best candidates are then re-scored with the embeddings of the default
embedding generator (word features), and the two are blended into a score from 0 to 1. Indexes are
kept per vector store in memory and rebuilt when the store changes.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import heapq
import math
import threading
from typing import Any

from ..inference import lexical, tokens
from ..protocol import errors

DEFAULT_CHUNK, DEFAULT_OVERLAP = 800, 400
MIN_CHUNK, MAX_CHUNK = 100, 4096
K1, B = 1.2, 0.75
RERANK = 50  # candidates re-scored by embeddings
CACHED_INDEXES = 32
ANALYZED_CHUNKS = 20_000


def chunking(strategy: dict | None) -> dict:
    """The chunking strategy as stored and shown: ``auto`` or ``static`` with its sizes."""
    if not strategy or strategy.get("type", "auto") == "auto":
        return {"type": "static", "static": {"max_chunk_size_tokens": DEFAULT_CHUNK, "chunk_overlap_tokens": DEFAULT_OVERLAP}}
    static = strategy.get("static") or {}
    size = static.get("max_chunk_size_tokens", DEFAULT_CHUNK)
    overlap = static.get("chunk_overlap_tokens", DEFAULT_OVERLAP)
    if not isinstance(size, int) or not MIN_CHUNK <= size <= MAX_CHUNK:
        raise errors.ServiceError(400, "InvalidParameter", f"max_chunk_size_tokens is {MIN_CHUNK} to {MAX_CHUNK}.", param="chunking_strategy")
    if not isinstance(overlap, int) or not 0 <= overlap <= size // 2:
        raise errors.ServiceError(400, "InvalidParameter", "chunk_overlap_tokens is 0 to half the chunk size.", param="chunking_strategy")
    return {"type": "static", "static": {"max_chunk_size_tokens": size, "chunk_overlap_tokens": overlap}}


def chunks(text: str, strategy: dict) -> list[str]:
    static = strategy["static"]
    size, overlap = static["max_chunk_size_tokens"], static["chunk_overlap_tokens"]
    spans = [m.span() for m in tokens.TOKEN_RE.finditer(text)]
    out = []
    start = 0
    while start < len(spans):
        end = min(start + size, len(spans))
        out.append(text[spans[start][0] : spans[end - 1][1]])
        if end == len(spans):
            break
        start = end - overlap
    return out


@dataclasses.dataclass(frozen=True)
class Chunk:
    file_id: str
    filename: str
    attributes: dict
    text: str


@dataclasses.dataclass(frozen=True)
class Analysis:
    """A chunk's words as search uses them: term counts, length and unit word features."""
    counts: dict[str, int]
    length: int
    features: dict[str, float]


@functools.lru_cache(maxsize=ANALYZED_CHUNKS)
def analyze(text: str) -> Analysis:
    """Cached by text, and warmed when a file is added, so building an index does not re-read words."""
    counts = collections.Counter(lexical.terms(text))
    return Analysis(dict(counts), sum(counts.values()), _normalized(counts))


class Index:
    def __init__(self, items: list[Chunk]) -> None:
        self.items = items
        analyses = [analyze(item.text) for item in items]
        self.features = [a.features for a in analyses]
        average = (sum(a.length for a in analyses) / len(analyses)) if analyses else 0.0
        # each posting carries its BM25 term weight, so a query only multiplies by idf and adds
        self.postings: dict[str, list[tuple[int, float]]] = collections.defaultdict(list)
        for at, a in enumerate(analyses):
            norm = K1 * (1 - B + B * a.length / (average or 1))
            for term, tf in a.counts.items():
                self.postings[term].append((at, tf * (K1 + 1) / (tf + norm)))

    def search(self, query: str, limit: int, keep=lambda chunk: True, threshold: float = 0.0) -> list[tuple[float, Chunk]]:
        scores: dict[int, float] = collections.defaultdict(float)
        total = len(self.items)
        for term in set(lexical.terms(query)):
            postings = self.postings.get(term, ())
            if not postings:
                continue
            idf = math.log(1 + (total - len(postings) + 0.5) / (len(postings) + 0.5))
            for at, weight in postings:
                scores[at] += idf * weight
        candidates = heapq.nsmallest(RERANK, (at for at in scores if keep(self.items[at])), key=lambda i: (-scores[i], i))
        if not candidates:
            return []
        best = scores[candidates[0]]
        query_vector = _normalized(collections.Counter(lexical.terms(query)))
        ranked = []
        for at in candidates:
            lexical_score = scores[at] / best
            blended = round(0.7 * lexical_score + 0.3 * _cosine(query_vector, self.features[at]), 6)
            if blended >= threshold:
                ranked.append((blended, at))
        ranked.sort(key=lambda pair: (-pair[0], pair[1]))
        return [(score, self.items[at]) for score, at in ranked[:limit]]


def _normalized(counts: collections.Counter) -> dict[str, float]:
    """Word features as a unit vector (the default embedding generator's features, sparse)."""
    norm = math.sqrt(sum(v * v for v in counts.values())) or 1.0
    return {k: v / norm for k, v in counts.items()}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(k, 0.0) for k, v in a.items())


class IndexCache:
    """One index per vector store, by the stamp of the state it was built from."""

    def __init__(self) -> None:
        self._indexes: collections.OrderedDict[tuple, tuple[str, Index]] = collections.OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, stamp: str, build) -> Index:
        with self._lock:
            cached = self._indexes.get(key)
            if cached is not None and cached[0] == stamp:
                self._indexes.move_to_end(key)
                return cached[1]
        index = build()
        with self._lock:
            self._indexes[key] = (stamp, index)
            while len(self._indexes) > CACHED_INDEXES:
                self._indexes.popitem(last=False)
        return index


COMPARISONS = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a is not None and a > b,
    "gte": lambda a, b: a is not None and a >= b,
    "lt": lambda a, b: a is not None and a < b,
    "lte": lambda a, b: a is not None and a <= b,
    "in": lambda a, b: a in b,
    "nin": lambda a, b: a not in b,
}


def matcher(spec: Any, where: str = "filters"):
    """A predicate on chunks from OpenAI's attribute filters: ``{"type": "eq", "key", "value"}``
    (eq, ne, gt, gte, lt, lte, in, nin) or ``{"type": "and"|"or", "filters": [...]}``."""
    if spec is None:
        return lambda chunk: True
    kind = spec.get("type") if isinstance(spec, dict) else None
    if kind in ("and", "or"):
        parts = [matcher(f, f"{where}.filters[{i}]") for i, f in enumerate(spec.get("filters") or [])]
        combine = all if kind == "and" else any
        return lambda chunk: combine(p(chunk) for p in parts)
    if kind in COMPARISONS and "key" in spec:
        compare, key, value = COMPARISONS[kind], spec["key"], spec.get("value")

        def test(chunk: Chunk) -> bool:
            try:
                return bool(compare(chunk.attributes.get(key), value))
            except TypeError:  # a number compared with a string: no match, as a store would say
                return False

        return test
    raise errors.ServiceError(400, "InvalidParameter", f"Invalid {where}: a comparison (eq, ne, gt, gte, lt, lte, in, nin) with key and value, or and/or with filters.", param=where)
