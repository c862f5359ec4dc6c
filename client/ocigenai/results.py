"""Small typed results. Each keeps the SDK object it came from in ``raw`` for anything not surfaced.

``etag`` and ``opc_request_id`` come from the response headers of the call that produced the
result; both are ``None`` for items of a list (the service sends one request id per page and no
etag per item).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

__all__ = [
    "Project",
    "ApiKey",
    "Cluster",
    "Endpoint",
    "Model",
    "ImportedModel",
    "WorkRequest",
    "WorkRequestResource",
    "WorkRequestError",
    "FineTune",
    "Deleted",
    "CancelResult",
    "ChatResult",
    "StreamChunk",
    "EmbedResult",
]

_raw = dict(default=None, repr=False, compare=False)


@dataclasses.dataclass(frozen=True)
class Cluster:
    """A dedicated AI cluster."""

    id: str
    """The cluster's OCID."""
    display_name: str | None
    """Its display name."""
    type: str
    """``HOSTING`` (serves endpoints) or ``FINE_TUNING`` (trains custom models)."""
    unit_shape: str
    """The unit shape, e.g. ``SMALL_COHERE_V2``, ``LARGE_GENERIC``, ``H100_X1``."""
    unit_count: int
    """The number of units."""
    lifecycle_state: str
    """``CREATING``, ``ACTIVE``, ``UPDATING``, ``DELETING``, ``DELETED``, ``FAILED`` or ``NEEDS_ATTENTION``."""
    lifecycle_details: str | None
    """The service's words about the state."""
    compartment_id: str
    """The compartment's OCID."""
    time_created: datetime | None
    """When it was created."""
    endpoint_capacity: int | None
    """How many endpoints a HOSTING cluster can hold (``None`` for FINE_TUNING clusters)."""
    endpoints_used: int | None
    """How many endpoints it holds now (``None`` for FINE_TUNING clusters)."""
    etag: str | None = None
    """The etag to pass as ``if_match`` to change it only if nobody else did."""
    opc_request_id: str | None = None
    """The request id of the call that returned it (quote it to Oracle support)."""
    work_request_id: str | None = None
    """The work request of the operation that returned it, if asynchronous."""
    raw: Any = dataclasses.field(**_raw)
    """The SDK object (``DedicatedAiCluster`` or ``DedicatedAiClusterSummary``)."""


@dataclasses.dataclass(frozen=True)
class Endpoint:
    """An endpoint: a model served on a HOSTING cluster."""

    id: str
    """The endpoint's OCID (use it as ``model`` in :meth:`GenAI.chat`)."""
    display_name: str | None
    """Its display name."""
    model_id: str
    """The OCID of the served model (base, custom or imported)."""
    dedicated_ai_cluster_id: str
    """The OCID of the hosting cluster."""
    lifecycle_state: str
    """``CREATING``, ``ACTIVE``, ``UPDATING``, ``DELETING``, ``DELETED`` or ``FAILED``."""
    lifecycle_details: str | None
    """The service's words about the state."""
    compartment_id: str
    """The compartment's OCID."""
    time_created: datetime | None
    """When it was created."""
    etag: str | None = None
    """The etag to pass as ``if_match``."""
    opc_request_id: str | None = None
    """The request id of the call that returned it."""
    work_request_id: str | None = None
    """The work request of the operation that returned it, if asynchronous."""
    raw: Any = dataclasses.field(**_raw)
    """The SDK object (``Endpoint`` or ``EndpointSummary``)."""


@dataclasses.dataclass(frozen=True)
class Model:
    """A base model of the catalog or a custom (fine-tuned) model."""

    id: str
    """The model's OCID."""
    display_name: str | None
    """Its name, e.g. ``meta.llama-3.3-70b-instruct`` for base models."""
    vendor: str | None
    """``cohere``, ``meta``, ``xai``, ``openai``, ``google``, ..."""
    version: str | None
    """Its version."""
    type: str | None
    """``BASE`` or ``CUSTOM``."""
    capabilities: tuple[str, ...]
    """What it can do: ``CHAT``, ``TEXT_EMBEDDINGS``, ``TEXT_RERANK``, ``FINE_TUNE``, ..."""
    lifecycle_state: str
    """``ACTIVE``, ``CREATING``, ``DELETING``, ``DELETED`` or ``FAILED``."""
    lifecycle_details: str | None
    """The service's words about the state."""
    base_model_id: str | None
    """For a custom model, the model it was fine-tuned from."""
    compartment_id: str | None
    """The compartment's OCID (``None`` for base models)."""
    time_created: datetime | None
    """When it was created."""
    final_accuracy: float | None = None
    """For a fine-tuned model, the accuracy at the end of training."""
    final_loss: float | None = None
    """For a fine-tuned model, the loss at the end of training."""
    etag: str | None = None
    """The etag to pass as ``if_match``."""
    opc_request_id: str | None = None
    """The request id of the call that returned it."""
    work_request_id: str | None = None
    """The work request of the operation that returned it, if asynchronous."""
    raw: Any = dataclasses.field(**_raw)
    """The SDK object (``Model`` or ``ModelSummary``)."""


@dataclasses.dataclass(frozen=True)
class ImportedModel:
    """A model imported from Hugging Face or Object Storage."""

    id: str
    """The imported model's OCID."""
    display_name: str | None
    """Its display name."""
    vendor: str | None
    """Its vendor."""
    version: str | None
    """Its version."""
    capabilities: tuple[str, ...]
    """``TEXT_TO_TEXT``, ``IMAGE_TEXT_TO_TEXT``, ``EMBEDDING``, ``RERANK``, ..."""
    lifecycle_state: str
    """``CREATING``, ``ACTIVE``, ``UPDATING``, ``DELETING``, ``DELETED`` or ``FAILED``."""
    lifecycle_details: str | None
    """The service's words about the state."""
    source_type: str | None
    """``HUGGING_FACE_MODEL`` or ``OBJECT_STORAGE_OBJECT``."""
    source: str | None
    """The Hugging Face model id, or ``bucket/prefix`` in Object Storage."""
    compartment_id: str
    """The compartment's OCID."""
    time_created: datetime | None
    """When it was created."""
    etag: str | None = None
    """The etag to pass as ``if_match``."""
    opc_request_id: str | None = None
    """The request id of the call that returned it."""
    work_request_id: str | None = None
    """The work request of the operation that returned it, if asynchronous."""
    raw: Any = dataclasses.field(**_raw)
    """The SDK object (``ImportedModel`` or ``ImportedModelSummary``)."""


@dataclasses.dataclass(frozen=True)
class WorkRequestResource:
    """A resource a work request acts on."""

    entity_type: str
    """``DedicatedAiCluster``, ``Endpoint``, ``Model``, ``ImportedModel``, ..."""
    action_type: str
    """``IN_PROGRESS`` until done, then ``CREATED``, ``UPDATED``, ``DELETED`` or ``FAILED``."""
    identifier: str
    """The resource's OCID."""


@dataclasses.dataclass(frozen=True)
class WorkRequestError:
    """One error entry of a work request."""

    code: str | None
    """A machine-readable code."""
    message: str
    """What went wrong."""
    timestamp: datetime | None
    """When it was recorded."""


@dataclasses.dataclass(frozen=True)
class WorkRequest:
    """The record of an asynchronous operation."""

    id: str
    """The work request's OCID."""
    operation_type: str
    """``CREATE_DEDICATED_AI_CLUSTER``, ``CREATE_ENDPOINT``, ``CREATE_MODEL``, ``DELETE_ENDPOINT``, ..."""
    status: str
    """``ACCEPTED``, ``IN_PROGRESS``, ``WAITING``, ``SUCCEEDED``, ``FAILED``, ``CANCELING`` or ``CANCELED``."""
    percent_complete: float
    """Progress, 0 to 100."""
    resources: tuple[WorkRequestResource, ...]
    """The resources it acts on."""
    compartment_id: str | None
    """The compartment's OCID."""
    time_accepted: datetime | None
    """When the service accepted the operation."""
    time_started: datetime | None
    """When it started."""
    time_finished: datetime | None
    """When it finished (``None`` while running)."""
    opc_request_id: str | None = None
    """The request id of the call that returned it."""
    raw: Any = dataclasses.field(**_raw)
    """The SDK object (``WorkRequest`` or ``WorkRequestSummary``)."""

    @property
    def finished(self) -> bool:
        """True once it ended (SUCCEEDED, FAILED or CANCELED) and ``time_finished`` is set."""
        return self.status in ("SUCCEEDED", "FAILED", "CANCELED") and self.time_finished is not None

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCEEDED"

    def resource_id(self, entity_type: str | None = None) -> str | None:
        """The OCID of its (first) resource, optionally of one entity type (case-insensitive)."""
        for resource in self.resources:
            if entity_type is None or resource.entity_type.lower() == entity_type.lower():
                return resource.identifier
        return None


@dataclasses.dataclass(frozen=True)
class FineTune:
    """A fine-tuning job, seen through the custom model it creates."""

    id: str
    """The custom model's OCID: the fine-tuned model, once ``status`` is ``ACTIVE``."""
    status: str
    """The custom model's lifecycle state: ``CREATING`` while training, then ``ACTIVE`` or ``FAILED``."""
    display_name: str | None
    """The custom model's name."""
    base_model_id: str | None
    """The model it is trained from."""
    dedicated_ai_cluster_id: str | None
    """The FINE_TUNING cluster it trains on."""
    training_dataset: str | None
    """The training data as ``oci://bucket@namespace/object``."""
    training_config: dict[str, Any]
    """The hyperparameters, as the service echoes them (defaults filled in), in the wire's names."""
    final_accuracy: float | None
    """Accuracy at the end of training, once done."""
    final_loss: float | None
    """Loss at the end of training, once done."""
    lifecycle_details: str | None
    """The service's words about the state."""
    time_created: datetime | None
    """When the job was submitted."""
    etag: str | None = None
    """The custom model's etag."""
    opc_request_id: str | None = None
    """The request id of the call that returned it."""
    work_request_id: str | None = None
    """The CREATE_MODEL work request, when known."""
    raw: Any = dataclasses.field(**_raw)
    """The SDK object (``Model`` or ``ModelSummary``)."""

    @property
    def done(self) -> bool:
        """True once training ended, successfully or not."""
        return self.status not in ("CREATING",)


@dataclasses.dataclass(frozen=True)
class Project:
    """A Generative AI project: what OpenAI-compatible calls work in (``OpenAI-Project``)."""

    id: str
    """The project's OCID."""
    display_name: str | None
    """Its display name."""
    lifecycle_state: str
    """``CREATING``, ``ACTIVE``, ``UPDATING``, ``DELETING``, ``DELETED`` or ``FAILED``."""
    compartment_id: str
    """The compartment's OCID."""
    responses_retention_hours: int | None
    """How long it keeps responses (``None``: the service's default)."""
    conversations_retention_hours: int | None
    """How long it keeps conversations after their last change."""
    etag: str | None = None
    """The etag to pass as ``if_match``."""
    opc_request_id: str | None = None
    """The request id of the call that produced it."""
    work_request_id: str | None = None
    """The work request of the create."""
    raw: Any = dataclasses.field(**_raw)
    """The SDK object."""


@dataclasses.dataclass(frozen=True)
class ApiKey:
    """A Generative AI API key, with the secrets the service showed when it made them."""

    id: str
    """The key's OCID."""
    display_name: str | None
    """Its display name."""
    lifecycle_state: str
    """``ACTIVE`` while one of its secrets works, else ``INACTIVE`` (or ``DELETED``...)."""
    secrets: dict[str, str]
    """Secret by key name: shown only when made (create, renew)."""
    etag: str | None = None
    opc_request_id: str | None = None
    work_request_id: str | None = None
    raw: Any = dataclasses.field(**_raw)

    @property
    def secret(self) -> str:
        """The first secret."""
        return next(iter(self.secrets.values()))


@dataclasses.dataclass(frozen=True)
class Deleted:
    """The outcome of a delete."""

    id: str
    """The OCID of the deleted resource."""
    deleted: bool
    """True once it is gone (the wait ended); False when the delete was only accepted (``wait=False``)."""
    work_request_id: str | None
    """The DELETE work request."""
    opc_request_id: str | None
    """The request id of the delete call."""


@dataclasses.dataclass(frozen=True)
class CancelResult:
    """The outcome of :meth:`GenAI.cancel_fine_tune`."""

    id: str
    """The custom model's OCID."""
    success: bool
    """True when the job was cancelled (its model deleted while training)."""
    status: str
    """The model's state after the call (``DELETING``/``DELETED`` on success)."""
    message: str
    """Why it was or was not cancelled."""
    work_request_id: str | None = None
    """The DELETE_MODEL work request, on success."""
    opc_request_id: str | None = None
    """The request id of the last call."""


@dataclasses.dataclass(frozen=True)
class ChatResult:
    """A chat answer."""

    text: str
    """The answer's text (all text parts of the first choice)."""
    finish_reason: str | None
    """Why generation stopped, as the model family says it: GENERIC ``stop``/``length``/``tool_calls``,
    COHERE ``COMPLETE``/``MAX_TOKENS``/..."""
    prompt_tokens: int | None
    """Tokens in the prompt, when the service reports usage."""
    completion_tokens: int | None
    """Tokens in the answer, when the service reports usage."""
    request_id: str | None
    """The ``opc-request-id`` of the call."""
    model_id: str | None = None
    """The model that answered, as the service names it."""
    model_version: str | None = None
    """Its version."""
    api_format: str | None = None
    """``GENERIC`` or ``COHERE``: the request format the client chose."""
    raw: Any = dataclasses.field(**_raw)
    """The SDK ``ChatResult``."""

    @property
    def total_tokens(self) -> int | None:
        if self.prompt_tokens is None or self.completion_tokens is None:
            return None
        return self.prompt_tokens + self.completion_tokens


@dataclasses.dataclass(frozen=True)
class StreamChunk:
    """One piece of a streamed chat answer; the last one has ``finished`` set."""

    text: str
    """The new text (a delta; empty on the final chunk unless the service sent text with it)."""
    finished: bool
    """True on the last chunk only."""
    finish_reason: str | None = None
    """On the last chunk: why generation stopped."""
    prompt_tokens: int | None = None
    """On the last chunk: prompt tokens, when the service reports usage."""
    completion_tokens: int | None = None
    """On the last chunk: answer tokens, when the service reports usage."""
    request_id: str | None = None
    """The ``opc-request-id`` of the streaming call (the same on every chunk)."""
    index: int = 0
    """The choice the text belongs to (GENERIC, with several generations)."""


@dataclasses.dataclass(frozen=True)
class EmbedResult:
    """Embeddings of a list of texts, in input order, whatever the number of requests it took."""

    embeddings: list[list[float]]
    """One vector per input text, in order."""
    model_id: str | None
    """The embedding model, as the service names it."""
    model_version: str | None
    """Its version."""
    request_ids: tuple[str, ...]
    """The ``opc-request-id`` of every request (one per batch of at most 96 texts)."""
    input_tokens: int | None = None
    """Tokens consumed, summed over the batches, when the service reports usage."""

    @property
    def dimensions(self) -> int | None:
        """The length of each vector."""
        return len(self.embeddings[0]) if self.embeddings else None

    @property
    def request_id(self) -> str | None:
        """The request id of the first batch."""
        return self.request_ids[0] if self.request_ids else None
