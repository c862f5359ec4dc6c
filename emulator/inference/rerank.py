"""``rerankText``: lexical relevance (BM25) in place of a cross-encoder.

Each document is cut to ``maxTokensPerDocument`` tokens when given, then split into chunks of the
model's context (4,096 tokens) less the query's tokens; only the first ``maxChunksPerDocument``
chunks (default 10, Cohere's) are read, and a document scores as its best chunk. (Cohere's own
default of 4,096 tokens per document is not applied: it would leave ``maxChunksPerDocument``
nothing to do.) BM25 (k1 1.2, b 0.75, the non-negative idf ``log(1 + (N - n + .5) / (n + .5))``)
runs over all chunks of the request, on content words and adjacent-word pairs (so a phrase match
beats the same words scattered); the score is divided by what a chunk matching every query
feature would get, so ``relevanceScore`` is in [0, 1], 0 when no query word occurs. Ranks are
sorted by score, ties by index; ``topN`` (default: all) keeps the first ones; ``isEcho`` adds each
``document``. With semantic embeddings (``semantic.py``: ``serve --embeddings semantic`` or a
``{"type": "semantic"}`` entry for the model) a chunk's score is instead the cosine of its sentence
embedding to the query's (below 0 counts as 0). Rerank models are served on dedicated endpoints only (``serving.resolve`` refuses
on-demand calls).

Choices where the service says nothing: more than 1,000 documents (Cohere's recommended maximum)
is a 400, as are an empty query, no documents, and ``topN``/``maxChunksPerDocument``/
``maxTokensPerDocument`` below 1.
"""

from __future__ import annotations

import math
import uuid
from collections import Counter

from ..call import Call, Result, operation
from . import errors, tokens
from .lexical import terms
from .params import integer
from . import semantic
from .generators import embedder_for
from .serving import resolve

MAX_DOCUMENTS = 1000
DEFAULT_MAX_CHUNKS = 10
K1, B = 1.2, 0.75


@operation
def rerank_text(call: Call) -> Result:
    body = call.body
    served = resolve(call, body["servingMode"], "TEXT_RERANK")
    query, documents = body["input"], body["documents"]
    if not query.strip():
        raise errors.bad_request("The input (the query) must not be empty.")
    if not documents:
        raise errors.bad_request("The list of documents must not be empty.")
    if len(documents) > MAX_DOCUMENTS:
        raise errors.bad_request(
            f"At most {MAX_DOCUMENTS} documents can be reranked in one call; got {len(documents)}."
        )
    top_n = integer(body, "topN", low=1)
    max_chunks = integer(body, "maxChunksPerDocument", low=1) or DEFAULT_MAX_CHUNKS
    max_tokens = integer(body, "maxTokensPerDocument", low=1)

    chunk_tokens = max(1, served.profile.context_tokens - tokens.count(query))
    chunks: list[tuple[int, str]] = []  # (document index, text)
    for index, text in enumerate(documents):
        if max_tokens is not None:
            text = tokens.cut(text, max_tokens)
        chunks.extend((index, piece) for piece in _chunks(text, chunk_tokens, max_chunks))
    if embedder_for(call, served.profile.name) == "semantic":
        scores = [max(0.0, s) for s in semantic.similarities(query, [piece for _, piece in chunks])]
    else:
        scores = _bm25(_features(query), [_features(piece) for _, piece in chunks])
    best = [0.0] * len(documents)
    for (index, _), score in zip(chunks, scores):
        best[index] = max(best[index], score)

    order = sorted(range(len(documents)), key=lambda i: (-best[i], i))[:top_n]
    ranks = []
    for i in order:
        rank = {"index": i, "relevanceScore": round(best[i], 6)}
        if body.get("isEcho"):
            rank["document"] = {"text": documents[i]}
        ranks.append(rank)
    return Result(
        body={
            "id": str(uuid.uuid4()),
            "modelId": served.model_id,
            "modelVersion": served.model_version,
            "documentRanks": ranks,
        }
    )


def _chunks(text: str, size: int, limit: int) -> list[str]:
    """The first ``limit`` pieces of ``text`` of at most ``size`` tokens each (at least one piece)."""
    ends = [m.end() for m in tokens.TOKEN_RE.finditer(text)]
    pieces, start = [], 0
    for k in range(size - 1, len(ends) - 1, size):
        pieces.append(text[start : ends[k]])
        start = ends[k]
        if len(pieces) == limit:
            return pieces
    pieces.append(text[start:])
    return pieces


def _features(text: str) -> list[str]:
    """Content words and adjacent-word pairs: a phrase match beats the same words scattered."""
    words = terms(text)
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


def _bm25(query: list[str], docs: list[list[str]]) -> list[float]:
    """Each doc's BM25 score for ``query``, divided by the score of an ideal match (so in [0, 1])."""
    wanted = Counter(query)
    if not wanted or not docs:
        return [0.0] * len(docs)
    n = len(docs)
    avg_len = sum(map(len, docs)) / n or 1.0
    df = Counter(t for words in docs for t in set(words) if t in wanted)
    idf = {t: math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5)) for t in wanted}
    ideal = sum(q * idf[t] * (K1 + 1) for t, q in wanted.items())
    out = []
    for words in docs:
        tf = Counter(w for w in words if w in wanted)
        norm = K1 * (1 - B + B * len(words) / avg_len)
        score = sum(q * idf[t] * tf[t] * (K1 + 1) / (tf[t] + norm) for t, q in wanted.items() if tf[t])
        out.append(min(1.0, score / ideal))
    return out
