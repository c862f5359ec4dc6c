"""Which model serves a request: ON_DEMAND by name, alias or base-model OCID; DEDICATED by endpoint.

A model is used only for what it can do (its capabilities), on demand only when the catalog offers it
on demand and it is not retired, and through an endpoint only when that endpoint is ACTIVE and in the
caller's tenancy.
"""

from __future__ import annotations

import dataclasses

from ..call import Call
from ..catalog import BaseModel
from ..lifecycle import parse_iso
from ..protocol.ids import is_ocid, ocid_type
from ..store import Record
from . import errors

# Imported models name their capabilities differently.
IMPORTED_CAPABILITIES = {
    "TEXT_TO_TEXT": "CHAT",
    "IMAGE_TEXT_TO_TEXT": "CHAT",
    "EMBEDDING": "TEXT_EMBEDDINGS",
    "RERANK": "TEXT_RERANK",
}
LABELS = {
    "CHAT": "chat",
    "TEXT_EMBEDDINGS": "text embeddings",
    "TEXT_RERANK": "reranking",
    "TEXT_GENERATION": "text generation",
    "TEXT_SUMMARIZATION": "text summarization",
}


@dataclasses.dataclass(frozen=True)
class Profile:
    """How a model behaves, as far as the emulator needs to know."""

    name: str
    vendor: str
    capabilities: tuple[str, ...]
    api_formats: tuple[str, ...] = ("GENERIC",)
    embedding_dimensions: int | None = None
    max_output_tokens: int = 4000
    context_tokens: int = 128000
    supports_images: bool = False
    supports_reasoning: bool = False

    @classmethod
    def of_base(cls, base: BaseModel) -> "Profile":
        x = base.extras
        return cls(
            name=base.name,
            vendor=base.doc["vendor"],
            capabilities=tuple(base.doc["capabilities"]),
            api_formats=tuple(x.get("xApiFormats") or ()),
            embedding_dimensions=x.get("xEmbeddingDimensions"),
            max_output_tokens=x.get("xMaxOutputTokens") or 4000,
            context_tokens=x.get("xContextTokens") or 128000,
            supports_images=bool(x.get("xSupportsImages")),
            supports_reasoning=bool(x.get("xSupportsReasoning")),
        )

    @classmethod
    def of_imported(cls, doc: dict) -> "Profile":
        caps = tuple(sorted({IMPORTED_CAPABILITIES.get(c, c) for c in doc.get("capabilities", [])}))
        return cls(
            name=doc.get("displayName") or doc["id"],
            vendor=doc.get("vendor") or "imported",
            capabilities=caps,
            embedding_dimensions=1024 if "TEXT_EMBEDDINGS" in caps else None,
            max_output_tokens=8192,
            supports_images="IMAGE_TEXT_TO_TEXT" in doc.get("capabilities", []),
        )


@dataclasses.dataclass(frozen=True)
class Served:
    profile: Profile
    model_id: str  # echoed as ``modelId`` in responses
    model_version: str
    serving_type: str
    model_ocid: str
    endpoint: Record | None = None
    fine_tuned: bool = False


def resolve(call: Call, serving_mode: dict, capability: str) -> Served:
    if serving_mode["servingType"] == "DEDICATED":
        served = _dedicated(call, serving_mode["endpointId"])
    else:
        served = _on_demand(call, serving_mode["modelId"], capability)
    if capability not in served.profile.capabilities:
        raise _unsupported(served.profile, capability)
    return served


def _unsupported(profile: Profile, capability: str):
    return errors.bad_request(
        f"The model {profile.name} does not support {LABELS.get(capability, capability)}; "
        f"its capabilities are {', '.join(profile.capabilities) or 'none'}."
    )


def _on_demand(call: Call, model_id: str, capability: str) -> Served:
    catalog = call.env.catalog
    if is_ocid(model_id):
        rec = call.store.get("model", model_id, call.tenancy) if ocid_type(model_id) == "generativeaimodel" else None
        if rec is None:
            raise errors.not_found()
        if rec.doc.get("type") != "BASE":
            raise errors.bad_request(
                f"The custom model {model_id} is served through a dedicated endpoint: use servingType DEDICATED."
            )
        candidates = [catalog.by_id[model_id]]
    else:
        candidates = [m for m in catalog.models if model_id == m.name or model_id in m.extras.get("xAliases", [])]
        if not candidates:
            raise errors.not_found()
    able = [m for m in candidates if capability in m.doc["capabilities"]]
    if not able:
        raise _unsupported(Profile.of_base(candidates[0]), capability)
    base = max(able, key=lambda m: (m.extras.get("xOnDemand", False), _version_key(m.doc["version"])))
    if not base.extras.get("xOnDemand"):
        raise errors.bad_request(
            f"The model {base.name} is not available for on-demand serving; host it on a dedicated AI cluster "
            "and call its endpoint (servingType DEDICATED)."
        )
    retired = base.enforced_date("timeOnDemandRetired")
    if retired and parse_iso(retired) <= call.now:
        raise errors.bad_request(
            f"The model {base.name} was retired from on-demand serving on {retired[:10]}; "
            "use a newer model or a dedicated endpoint."
        )
    return Served(Profile.of_base(base), model_id, base.doc["version"], "ON_DEMAND", base.id)


def _dedicated(call: Call, endpoint_id: str) -> Served:
    from ..management.models import base_of

    endpoint = call.store.get("endpoint", endpoint_id, call.tenancy) if ocid_type(endpoint_id) == "generativeaiendpoint" else None
    if endpoint is None or endpoint.doc["lifecycleState"] == "DELETED":
        raise errors.not_found()
    if endpoint.doc["lifecycleState"] != "ACTIVE":
        raise errors.bad_request(
            f"The endpoint {endpoint_id} is {endpoint.doc['lifecycleState']}; it serves requests once ACTIVE."
        )
    model_ocid = endpoint.doc["modelId"]
    if ocid_type(model_ocid) == "generativeaiimportedmodel":
        imported = call.store.get("importedmodel", model_ocid, call.tenancy)
        if imported is None:
            raise errors.not_found()
        profile = Profile.of_imported(imported.doc)
        return Served(profile, model_ocid, imported.doc.get("version") or "1.0", "DEDICATED", model_ocid, endpoint)
    model = call.store.get("model", model_ocid, call.tenancy)
    if model is None:
        raise errors.not_found()
    profile = Profile.of_base(base_of(call, model))
    return Served(
        profile,
        model_ocid,
        model.doc.get("version") or "1.0",
        "DEDICATED",
        model_ocid,
        endpoint,
        fine_tuned=model.doc.get("type") == "CUSTOM",
    )


def _version_key(version: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 0 for p in version.split("."))
