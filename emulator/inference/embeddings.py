"""``embedText``: deterministic unit vectors of the model's true dimension.

Two ways to compute them: feature hashing (the default, below), or a small sentence-embedding model
(``semantic.py``: ``serve --embeddings semantic``, or ``{"type": "semantic"}`` for the model in the
generators configuration) whose vectors are close when the texts mean the same thing.

A vector is the signed feature hashing of the input's words (stemmed, stopwords out; each word
lands on a few signed slots, word bigrams at half weight), plus a small dense component hashed from
the model, the input type and the whole text. Texts that share words point the same way, so a
retrieval demo ranks sensibly; the same request always gets the same vectors; unrelated texts
are close to orthogonal. Dimensions, limits and errors follow the real service:

- 1024 dims (embed v3), 384 (``-light-``), 1536 for ``cohere.embed-v4.0`` or ``outputDimensions``
  256/512/1024/1536 (v4 only).
- At most 96 inputs, and at least one (the real message covers both).
- Each text input at most the model's token limit (512 for v3 text models): ``truncate`` NONE (the
  default) answers 400 naming the input; START drops the start, END the end.
- ``inputType`` IMAGE takes one base64 ``data:image/...`` input on image-capable models;
  ``embedContents`` (v4) takes TEXT and IMAGE parts, one vector per part. An image counts as
  1,610 tokens (the docs' figure for a 512x512 image).
- ``embeddingTypes``: ``embeddings`` always carries the float vectors (the field is required);
  ``embeddingsByType`` maps each requested type to its vectors, quantized as Cohere does
  (int8/uint8 scaled per vector, binary/ubinary packed sign bits, base64 of little-endian float32).

Cost: 96 x 1536 floats are most of the work of a request. They are written straight into the
response text with 6 significant digits (the real service sends short fp16-like values too), and
the dense component keeps 12 bits at a fixed scale per dimension, so its text comes from a table;
only the few dimensions the words hit are formatted one by one (see :class:`Vector`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import struct
import sys
import uuid
from array import array
from functools import lru_cache

from ..call import Call, Result, operation
from ..protocol import limits
from . import errors, tokens
from .lexical import terms
from .params import choice, integer
from . import semantic
from .generators import embedder_for
from .serving import Profile, resolve

MAX_INPUTS = limits.EMBED_MAX_INPUTS
TOO_MANY = "Inputs must be provided, support inputs array size less than 96."
IMAGE_TOKENS = 1610
INPUT_TYPES = ("SEARCH_DOCUMENT", "SEARCH_QUERY", "CLASSIFICATION", "CLUSTERING", "IMAGE")
EMBEDDING_TYPES = ("float", "int8", "uint8", "binary", "ubinary", "base64")
TRUNCATE = ("NONE", "START", "END")
V4_DIMENSIONS = (256, 512, 1024, 1536)
SLOTS = 4  # signed slots per word; each gets 1/2, so a word's own vector has norm 1
NOISE = 0.25  # norm of the dense component, relative to the words' part
_NOISE_NORM = 32768 / math.sqrt(3)  # rms of a uniform int16, per dimension


@operation
def embed_text(call: Call) -> Result:
    body = call.body
    served = resolve(call, body["servingMode"], "TEXT_EMBEDDINGS")
    profile = served.profile
    dim = _dimensions(profile, body)
    truncate = choice(body, "truncate", TRUNCATE, "NONE")
    input_type = choice(body, "inputType", INPUT_TYPES)
    types = list(dict.fromkeys(body.get("embeddingTypes") or ()))
    for t in types:
        if t not in EMBEDDING_TYPES:
            raise errors.bad_request(
                f"Invalid value {json.dumps(t)} in 'embeddingTypes': allowed values are {', '.join(EMBEDDING_TYPES)}."
            )
    items = _items(profile, body, input_type)

    limit = profile.context_tokens
    semantic_texts: dict[int, str] = {}  # index -> text, embedded in one batch below
    embedder = embedder_for(call, profile.name)
    vectors: list = []
    prompt_tokens = 0
    for index, (kind, value) in enumerate(items):
        if kind == "IMAGE":
            prompt_tokens += IMAGE_TOKENS
            vectors.append(_vector(profile.name, dim, "IMAGE", value, words=False))
            continue
        count = tokens.count(value)
        if count > limit:
            if truncate == "NONE":
                raise errors.bad_request(
                    f"Input at index {index} has {count} tokens, more than the {limit} tokens {profile.name} accepts "
                    "per input; shorten it or set truncate to START or END."
                )
            value = tokens.cut(value, limit) if truncate == "END" else tokens.cut_start(value, limit)
            count = limit
        prompt_tokens += count
        if embedder == "semantic":
            semantic_texts[index] = value
            vectors.append(None)
        else:
            vectors.append(_vector(profile.name, dim, input_type or "SEARCH_DOCUMENT", value))
    if semantic_texts:
        for index, values in zip(semantic_texts, semantic.embed(list(semantic_texts.values()), profile.name, dim)):
            vectors[index] = Dense(values)

    out: dict = {"id": str(uuid.uuid4())}
    if body.get("isEcho"):
        if "embedContents" in body:
            out["embedContents"] = body["embedContents"]
        else:
            out["inputs"] = body["inputs"]
    out.update(modelId=served.model_id, modelVersion=served.model_version)
    out["usage"] = {"promptTokens": prompt_tokens, "totalTokens": prompt_tokens}
    head = json.dumps(out, separators=(",", ":"))[:-1]
    floats = _floats_json(vectors)
    parts = [head, ',"embeddings":', floats]
    if types:
        values = [v.floats() for v in vectors]
        by_type = ",".join(
            f'"{t}":{floats if t == "float" else json.dumps(QUANTIZERS[t](values), separators=(",", ":"))}'
            for t in types
        )
        parts.append(f',"embeddingsByType":{{{by_type}}}')
    parts.append("}")
    return Result(raw="".join(parts))


def _dimensions(profile: Profile, body: dict) -> int:
    requested = integer(body, "outputDimensions")
    if requested is None:
        return profile.embedding_dimensions or 1024
    if not profile.name.startswith("cohere.embed-v4"):
        raise errors.bad_request(
            f"outputDimensions is only available for embed-v4 and newer models, not {profile.name}."
        )
    if requested not in V4_DIMENSIONS:
        raise errors.bad_request(
            f"Invalid value {requested} for 'outputDimensions': allowed values are "
            f"{', '.join(map(str, V4_DIMENSIONS))}."
        )
    return requested


def _items(profile: Profile, body: dict, input_type: str | None) -> list[tuple[str, str]]:
    """(kind, value) per vector to make: ("TEXT", text) or ("IMAGE", data URI)."""
    if "embedContents" in body:
        if "inputs" in body:
            raise errors.bad_request("Provide either inputs or embedContents, not both.")
        if not profile.name.startswith("cohere.embed-v4"):
            raise errors.bad_request(f"embedContents is supported by embed v4 models only, not {profile.name}.")
        contents = body["embedContents"]
        if not 1 <= len(contents) <= MAX_INPUTS:
            raise errors.bad_request(TOO_MANY)
        items = []
        for index, part in enumerate(contents):
            if part["type"] == "IMAGE":
                url = (part.get("imageUrl") or {}).get("url")
                items.append(("IMAGE", _image(url, f"embedContents[{index}].imageUrl.url")))
            else:
                items.append(("TEXT", part.get("text") or ""))
        return items
    inputs = body.get("inputs") or []
    if not 1 <= len(inputs) <= MAX_INPUTS:
        raise errors.bad_request(TOO_MANY)
    if input_type == "IMAGE":
        if not profile.supports_images:
            raise errors.bad_request(
                f"The model {profile.name} embeds text only; inputType IMAGE needs an image model."
            )
        if len(inputs) != 1:
            raise errors.bad_request(
                f"inputType IMAGE takes exactly one base64-encoded image; got {len(inputs)} inputs."
            )
        return [("IMAGE", _image(inputs[0], "inputs[0]"))]
    return [("TEXT", text) for text in inputs]


def _image(url: str | None, field: str) -> str:
    if not url or not url.startswith("data:image/") or "," not in url:
        raise errors.bad_request(
            f"Invalid value for '{field}': an image is a data URI, data:image/<png|jpeg|webp>;base64,<data>."
        )
    return url


# vectors ---------------------------------------------------------------------------------------
@lru_cache(maxsize=1 << 16)
def _slots(model: str, dim: int, feature: str) -> tuple[tuple[int, float], ...]:
    digest = hashlib.blake2b(f"{model}\0{feature}".encode(), digest_size=4 * SLOTS).digest()
    out = []
    for i in range(SLOTS):
        n = int.from_bytes(digest[4 * i : 4 * i + 4], "big")
        out.append((n % dim, 0.5 if n & 0x80000000 else -0.5))
    return tuple(out)


class Dense:
    """A vector of exact floats (semantic embeddings), with :class:`Vector`'s interface."""

    __slots__ = ("values",)

    def __init__(self, values: list[float]):
        self.values = values

    def json(self) -> str:
        return "[" + ",".join(["%.6g" % x for x in self.values]) + "]"

    def floats(self) -> list[float]:
        return self.values


class Vector:
    """A unit vector: ``k * q(noise[i])`` on most dimensions, exact floats on the ``slots`` the words
    hit. ``q`` keeps 12 bits of the int16 noise and ``k`` is fixed per dimension when there are
    words, so the text of a noise dimension is looked up (:func:`_noise_strings`) instead of
    formatted, which about halves the cost of a 96 x 1536 response."""

    __slots__ = ("noise", "k", "slots")

    def __init__(self, noise: array, k: float, slots: dict[int, float]):
        self.noise, self.k, self.slots = noise, k, slots

    def json(self) -> str:
        if self.k == _noise_k(len(self.noise)):
            parts = list(map(_noise_strings(len(self.noise)).__getitem__, self.noise))
            for slot, value in self.slots.items():
                parts[slot] = "%.6g" % value
            return "[" + ",".join(parts) + "]"
        return "[" + ",".join(["%.6g" % x for x in self.floats()]) + "]"

    def floats(self) -> list[float]:
        k = self.k
        out = [k * _q(x) for x in self.noise]
        for slot, value in self.slots.items():
            out[slot] = value
        return out


NOISE_SHARE = NOISE / math.sqrt(1 + NOISE * NOISE)  # the noise part's norm in a unit vector


def _noise_k(dim: int) -> float:
    """The noise scale of vectors with words: fixed per dimension, so their noise text is tabled."""
    return NOISE_SHARE / (_NOISE_NORM * math.sqrt(dim))


def _q(x: int) -> int:
    """The 12-bit value of an int16, centred in its bucket (so the rounding has no bias)."""
    return ((x >> 4) << 4) + 8


@lru_cache(maxsize=8)
def _noise_strings(dim: int) -> list[str]:
    """Index an int16 (negative ones wrap, as list indices do) to the text of ``k * q(x)``."""
    k = _noise_k(dim)
    texts = ["%.6g" % (k * _q(x << 4)) for x in range(-2048, 2048)]
    return [texts[((i - 65536 if i >= 32768 else i) >> 4) + 2048] for i in range(65536)]


def _vector(model: str, dim: int, input_type: str, text: str, words: bool = True) -> Vector:
    features: dict[int, float] = {}
    if words:
        found = terms(text)
        grams = [(w, 1.0) for w in found] + [(f"{a} {b}", 0.5) for a, b in zip(found, found[1:])]
        for feature, weight in grams:
            for slot, sign in _slots(model, dim, feature):
                features[slot] = features.get(slot, 0.0) + sign * weight
    noise = array("h", hashlib.shake_256(f"{model}\0{input_type}\0{text}".encode()).digest(2 * dim))
    if sys.byteorder == "big":
        noise.byteswap()
    # |q(noise)|^2: the raw sum of squares plus the rounding's (16^2 - 1) / 12 per dimension
    noise_sq = math.hypot(*noise) ** 2 + dim * 21.25
    words_norm = math.sqrt(sum(v * v for v in features.values()))
    if not words_norm:  # an image, or no content word: the noise alone, normalized
        return Vector(noise, 1.0 / math.sqrt(noise_sq), {})
    k = _noise_k(dim)
    # unit length: |k n + a f/|f||^2 = 1, solved for the words' weight a
    at_slots = {slot: _q(noise[slot]) for slot in features}
    cross = sum(at_slots[slot] * value for slot, value in features.items()) / words_norm
    a = -k * cross + math.sqrt((k * cross) ** 2 + 1 - k * k * noise_sq)
    scale = a / words_norm
    slots = {slot: k * at_slots[slot] + scale * value for slot, value in features.items()}
    return Vector(noise, k, slots)


def _floats_json(vectors: list[Vector]) -> str:
    return "[" + ",".join(v.json() for v in vectors) + "]"


# embedding types (Cohere's quantizations) ------------------------------------------------------
def _int8(vectors):
    out = []
    for v in vectors:
        m = max(map(abs, v)) or 1.0
        out.append([max(-128, min(127, round(x / m * 127))) for x in v])
    return out


def _uint8(vectors):
    out = []
    for v in vectors:
        m = max(map(abs, v)) or 1.0
        out.append([max(0, min(255, round(x / m * 127.5 + 127.5))) for x in v])
    return out


def _ubinary(vectors):
    out = []
    for v in vectors:
        row = []
        for i in range(0, len(v), 8):
            byte = 0
            for x in v[i : i + 8]:
                byte = (byte << 1) | (x > 0)
            row.append(byte)
        out.append(row)
    return out


def _binary(vectors):
    return [[b - 128 for b in row] for row in _ubinary(vectors)]


def _base64(vectors):
    return [base64.b64encode(struct.pack(f"<{len(v)}f", *v)).decode() for v in vectors]


QUANTIZERS = {"int8": _int8, "uint8": _uint8, "binary": _binary, "ubinary": _ubinary, "base64": _base64}
