"""A thin, typed client for OCI Generative AI: the same code against Oracle Cloud and the emulator.

    from ocigenai import GenAI, lora_config

    genai = GenAI.from_config(profile="DEFAULT")           # or GenAI.for_emulator("http://127.0.0.1:8080")
    answer = genai.chat("meta.llama-3.3-70b-instruct", "Hello!")
    print(answer.text, answer.completion_tokens, answer.request_id)

Names are loaded on first use, so ``import ocigenai`` (and the pytest plugin) stays cheap until
the ``oci`` SDK is actually needed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "GenAI": "client",
    "region_from_ocid": "client",
    "DEFAULT_TIMEOUT": "client",
    "FINE_TUNE_TIMEOUT": "client",
    "EMBED_BATCH": "client",
    "object_storage_dataset": "builders",
    "tfew_config": "builders",
    "vanilla_config": "builders",
    "lora_config": "builders",
    "fine_tune_details": "builders",
    "hugging_face_source": "builders",
    "object_storage_source": "builders",
    "EmulatorAdmin": "emulator",
    "EmulatorError": "emulator",
    "emulator_config": "emulator",
    "GenAIError": "errors",
    "InvalidArgument": "errors",
    "RegionNotConfigured": "errors",
    "WaitTimeout": "errors",
    "WorkRequestFailed": "errors",
    "ResourceFailed": "errors",
    "ModelNotFound": "errors",
    "StreamIncomplete": "errors",
    "Project": "results",
    "ApiKey": "results",
    "Cluster": "results",
    "Endpoint": "results",
    "Model": "results",
    "ImportedModel": "results",
    "WorkRequest": "results",
    "WorkRequestResource": "results",
    "WorkRequestError": "results",
    "FineTune": "results",
    "Deleted": "results",
    "CancelResult": "results",
    "ChatResult": "results",
    "StreamChunk": "results",
    "EmbedResult": "results",
}
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from .builders import (
        fine_tune_details,
        hugging_face_source,
        lora_config,
        object_storage_dataset,
        object_storage_source,
        tfew_config,
        vanilla_config,
    )
    from .client import DEFAULT_TIMEOUT, EMBED_BATCH, FINE_TUNE_TIMEOUT, GenAI, region_from_ocid
    from .emulator import EmulatorAdmin, EmulatorError, emulator_config
    from .errors import (
        GenAIError,
        InvalidArgument,
        ModelNotFound,
        RegionNotConfigured,
        ResourceFailed,
        StreamIncomplete,
        WaitTimeout,
        WorkRequestFailed,
    )
    from .results import (
        ApiKey,
        CancelResult,
        ChatResult,
        Cluster,
        Deleted,
        EmbedResult,
        Endpoint,
        FineTune,
        ImportedModel,
        Model,
        Project,
        StreamChunk,
        WorkRequest,
        WorkRequestError,
        WorkRequestResource,
    )


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'ocigenai' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
