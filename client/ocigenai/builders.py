"""Builders for the SDK's polymorphic inputs, checked before any request is sent.

The SDK models these inputs as abstract bases with concrete subclasses (``Dataset`` ->
``ObjectStorageDataset``, ``TrainingConfig`` -> ``TFewTrainingConfig`` / ``VanillaTrainingConfig`` /
``LoraTrainingConfig``, ``ModelDataSource`` -> ``HuggingFaceModel`` / ``ObjectStorageObject``).
Each builder returns the SDK object, so its result also works with the plain SDK clients.

Ranges are the service's documented valid ranges (OCI docs, "Hyperparameters for Fine-Tuning a
Model in Generative AI"), taken as the widest over the base models; the service applies tighter
per-model limits on top (e.g. a batch size of 8 for ``cohere.command``). An argument left as
``None`` is not sent, so the service's default for the base model applies.
"""

from __future__ import annotations

import math
import re
from typing import Any

from oci.generative_ai import models

from .errors import InvalidArgument

__all__ = [
    "object_storage_dataset",
    "tfew_config",
    "vanilla_config",
    "lora_config",
    "fine_tune_details",
    "hugging_face_source",
    "object_storage_source",
    "parse_oci_uri",
]

_OCI_URI = re.compile(r"^oci://(?P<bucket>[^@/]+)@(?P<namespace>[^/]+)/(?P<path>.+)$")
_HF_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")


def parse_oci_uri(uri: str) -> tuple[str, str, str]:
    """``oci://bucket@namespace/path`` -> ``(namespace, bucket, path)``."""
    match = _OCI_URI.match(uri or "")
    if not match:
        raise InvalidArgument(f"{uri!r} is not an Object Storage URI of the form oci://bucket@namespace/path")
    return match["namespace"], match["bucket"], match["path"]


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgument(f"{name} must be a non-empty string, not {value!r}")
    return value


def object_storage_dataset(
    namespace: str, bucket: str | None = None, object_name: str | None = None
) -> models.ObjectStorageDataset:
    """Training data in Object Storage: ``(namespace, bucket, object_name)`` or one
    ``oci://bucket@namespace/object`` URI. The object is a JSONL file of
    ``{"prompt": ..., "completion": ...}`` lines."""
    if bucket is None and object_name is None:
        namespace, bucket, object_name = parse_oci_uri(namespace)
    return models.ObjectStorageDataset(
        dataset_type="OBJECT_STORAGE",
        namespace_name=_text("namespace", namespace),
        bucket_name=_text("bucket", bucket),
        object_name=_text("object_name", object_name),
    )


def _number(name: str, value: Any, low: float, high: float, *, integer: bool, low_open: bool = False, high_open: bool = False):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and not float(value).is_integer()):
        raise InvalidArgument(f"{name} must be {'an integer' if integer else 'a number'}, not {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidArgument(f"{name} must be finite, not {value!r}")
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if too_low or too_high:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        upper = "inf" if math.isinf(high) else f"{high:g}"
        raise InvalidArgument(f"{name} must be in {left}{low:g}, {upper}{right}, not {value!r}")
    return int(value) if integer else float(value)


def _common(
    epochs, learning_rate, batch_size, early_stopping_patience, early_stopping_threshold, log_interval_steps, max_batch
) -> dict:
    inf = math.inf
    return {
        "total_training_epochs": _number("epochs", epochs, 1, inf, integer=True),
        "learning_rate": _number("learning_rate", learning_rate, 0, 1.0, integer=False, low_open=True),
        "training_batch_size": _number("batch_size", batch_size, 8, max_batch, integer=True),
        "early_stopping_patience": _number("early_stopping_patience", early_stopping_patience, 0, inf, integer=True),
        "early_stopping_threshold": _number("early_stopping_threshold", early_stopping_threshold, 0, inf, integer=False),
        "log_model_metrics_interval_in_steps": _number("log_interval_steps", log_interval_steps, 0, inf, integer=True),
    }


def tfew_config(
    *,
    epochs: int | None = None,
    learning_rate: float | None = None,
    batch_size: int | None = None,
    early_stopping_patience: int | None = None,
    early_stopping_threshold: float | None = None,
    log_interval_steps: int | None = None,
) -> models.TFewTrainingConfig:
    """T-Few hyperparameters (Cohere models). ``epochs`` >= 1; ``learning_rate`` in (0, 1];
    ``batch_size`` 8..32; ``early_stopping_patience`` >= 0 (0 disables); ``early_stopping_threshold``
    >= 0; ``log_interval_steps`` >= 0 (0 disables metric logging)."""
    return models.TFewTrainingConfig(
        training_config_type="TFEW_TRAINING_CONFIG",
        **_common(epochs, learning_rate, batch_size, early_stopping_patience, early_stopping_threshold, log_interval_steps, 32),
    )


def vanilla_config(
    *,
    epochs: int | None = None,
    learning_rate: float | None = None,
    batch_size: int | None = None,
    early_stopping_patience: int | None = None,
    early_stopping_threshold: float | None = None,
    log_interval_steps: int | None = None,
    num_of_last_layers: int | None = None,
) -> models.VanillaTrainingConfig:
    """Vanilla hyperparameters (Cohere models): as :func:`tfew_config`, plus
    ``num_of_last_layers`` 1..15 (how many of the last layers are fine-tuned)."""
    return models.VanillaTrainingConfig(
        training_config_type="VANILLA_TRAINING_CONFIG",
        num_of_last_layers=_number("num_of_last_layers", num_of_last_layers, 1, 15, integer=True),
        **_common(epochs, learning_rate, batch_size, early_stopping_patience, early_stopping_threshold, log_interval_steps, 32),
    )


def lora_config(
    *,
    epochs: int | None = None,
    learning_rate: float | None = None,
    batch_size: int | None = None,
    early_stopping_patience: int | None = None,
    early_stopping_threshold: float | None = None,
    log_interval_steps: int | None = None,
    r: int | None = None,
    alpha: int | None = None,
    dropout: float | None = None,
) -> models.LoraTrainingConfig:
    """LoRA hyperparameters (Meta Llama models): as :func:`tfew_config` with ``batch_size`` 8..16,
    plus ``r`` (rank) 1..64, ``alpha`` 1..128 and ``dropout`` in [0, 1)."""
    return models.LoraTrainingConfig(
        training_config_type="LORA_TRAINING_CONFIG",
        lora_r=_number("r", r, 1, 64, integer=True),
        lora_alpha=_number("alpha", alpha, 1, 128, integer=True),
        lora_dropout=_number("dropout", dropout, 0, 1, integer=False, high_open=True),
        **_common(epochs, learning_rate, batch_size, early_stopping_patience, early_stopping_threshold, log_interval_steps, 16),
    )


def _ocid(name: str, value: Any, type_token: str) -> str:
    parts = value.split(".") if isinstance(value, str) else []
    if len(parts) < 5 or parts[0] != "ocid1" or parts[1] != type_token:
        raise InvalidArgument(f"{name} must be the OCID of a {type_token}, not {value!r}")
    return value


def fine_tune_details(
    dataset: models.Dataset | str,
    cluster_id: str,
    config: models.TrainingConfig | None = None,
) -> models.FineTuneDetails:
    """What a fine-tuning job needs: the training data (a :func:`object_storage_dataset` or an
    ``oci://bucket@namespace/object`` URI), the FINE_TUNING cluster's OCID and, optionally, the
    hyperparameters (:func:`tfew_config`, :func:`vanilla_config`, :func:`lora_config`)."""
    if isinstance(dataset, str):
        dataset = object_storage_dataset(dataset)
    if not isinstance(dataset, models.Dataset):
        raise InvalidArgument(f"dataset must be an object_storage_dataset(...) or an oci:// URI, not {dataset!r}")
    if config is not None and not isinstance(config, models.TrainingConfig):
        raise InvalidArgument(f"config must come from tfew_config, vanilla_config or lora_config, not {config!r}")
    return models.FineTuneDetails(
        training_dataset=dataset,
        dedicated_ai_cluster_id=_ocid("cluster_id", cluster_id, "generativeaidedicatedaicluster"),
        training_config=config,
    )


def hugging_face_source(
    model_id: str, *, access_token: str | None = None, branch: str | None = None, commit: str | None = None
) -> models.HuggingFaceModel:
    """Weights from Hugging Face: ``model_id`` like ``openai/gpt-oss-20b``; ``access_token`` for
    gated or private repositories; ``branch`` (the service's default is ``main``) or ``commit``."""
    if not isinstance(model_id, str) or not _HF_ID.match(model_id):
        raise InvalidArgument(f"model_id must be a Hugging Face model id like 'org/name', not {model_id!r}")
    for name, value in (("access_token", access_token), ("branch", branch), ("commit", commit)):
        if value is not None:
            _text(name, value)
    return models.HuggingFaceModel(
        source_type="HUGGING_FACE_MODEL", model_id=model_id, access_token=access_token, branch=branch, commit=commit
    )


def object_storage_source(
    namespace: str, bucket: str | None = None, prefix: str | None = None, *, region: str | None = None
) -> models.ObjectStorageObject:
    """Weights in Object Storage: ``(namespace, bucket, prefix)`` or one ``oci://bucket@namespace/prefix``
    URI; ``region`` when the bucket lives in another region."""
    if bucket is None and prefix is None:
        namespace, bucket, prefix = parse_oci_uri(namespace)
    return models.ObjectStorageObject(
        source_type="OBJECT_STORAGE_OBJECT",
        namespace_name=_text("namespace", namespace),
        bucket_name=_text("bucket", bucket),
        prefix_name=_text("prefix", prefix),
        region=_text("region", region) if region is not None else None,
    )
