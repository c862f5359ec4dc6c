"""The base-model catalog (``data/base_models.json``), as ListModels shows it in every compartment.

Each entry's ``x*`` keys are the emulator's own knowledge about the model (aliases, shapes it is
served on, limits, ``xDateSources``: the Oracle page stating each deprecation or retirement date, or
null when none does) and never reach the wire.
"""

from __future__ import annotations

import dataclasses
import json
from functools import cached_property
from pathlib import Path

from .kinds import ResourceKind
from .lifecycle import iso, parse_iso
from .protocol.ids import new_etag
from .store import GLOBAL_TENANCY, Record, Store

CATALOG_FILE = Path(__file__).resolve().parent / "data" / "base_models.json"
TIME_FIELDS = ("timeCreated", "timeDeprecated", "timeOnDemandRetired", "timeDedicatedRetired")
# Generic GPU shapes (and the OpenAI and sandbox ones) "can only be used to deploy imported models" (SDK docstring).
GENERIC_GPU_PREFIXES = ("A10_", "A100_", "H100_", "H200_", "B200_", "B300_", "L40S_", "MI300X_", "OAI_", "SB_")


@dataclasses.dataclass(frozen=True)
class BaseModel:
    id: str
    doc: dict
    extras: dict

    @property
    def name(self) -> str:
        return self.doc["displayName"]

    @property
    def hosting_shapes(self) -> list[str]:
        return self.extras["xHostingShapes"]

    @property
    def fine_tune_shape(self) -> str | None:
        return self.extras["xFineTuneShape"]

    def enforced_date(self, field: str) -> str | None:
        """The model's ``field`` date (``timeOnDemandRetired``...) when an Oracle document states it
        (``xDateSources`` names the page); a date no document states is shown, not enforced."""
        return self.doc.get(field) if (self.extras.get("xDateSources") or {}).get(field) else None


class Catalog:
    """The base models of ``kind`` (the models family's) in ``region``."""

    def __init__(self, region: str, kind: ResourceKind, path: Path = CATALOG_FILE):
        self.region = region
        self.kind = kind
        self.path = path

    @cached_property
    def models(self) -> list[BaseModel]:
        out = []
        for entry in json.loads(self.path.read_text()):
            seed = f"{self.region}|{entry['displayName']}|{entry['version']}|{','.join(entry['capabilities'])}"
            rid = self.kind.new_id(self.region, seed=seed)
            doc = {k: v for k, v in entry.items() if not k.startswith("x")}
            for field in TIME_FIELDS:
                if doc.get(field):
                    doc[field] = iso(parse_iso(doc[field]))
            doc = {k: v for k, v in doc.items() if v is not None}
            doc.update(
                id=rid,
                compartmentId=None,  # base models belong to no compartment (shown as null)
                lifecycleState="ACTIVE",
                type="BASE",
                timeUpdated=doc["timeCreated"],
                freeformTags={},
                definedTags={},
                systemTags={},
            )
            out.append(BaseModel(rid, doc, {k: v for k, v in entry.items() if k.startswith("x")}))
        return out

    @cached_property
    def by_id(self) -> dict[str, BaseModel]:
        return {m.id: m for m in self.models}

    def seed(self, store: Store) -> None:
        """Insert the catalog into the store's global tenancy, once."""
        name = self.kind.name
        if store.count(name) and store.get(name, self.models[0].id, GLOBAL_TENANCY):
            return
        with store.transaction():
            for model in self.models:
                if store.get(name, model.id, GLOBAL_TENANCY) is None:
                    store.insert(Record(name, model.id, GLOBAL_TENANCY, dict(model.doc), new_etag()))

    def hosting_shapes(self) -> set[str]:
        return {s for m in self.models for s in m.hosting_shapes}

    def fine_tuning_shapes(self) -> set[str]:
        return {m.fine_tune_shape for m in self.models if m.fine_tune_shape}


def is_generic_gpu_shape(shape: str) -> bool:
    return shape.startswith(GENERIC_GPU_PREFIXES)
