"""Read-only views derived from what the emulator already knows: model discovery (the base-model
catalog, one item per model name) and the GPUs a capacity reservation still has for dedicated AI
clusters (its hosts, less what the caller's clusters on it use).

Known differences (README): the catalog is the emulator's, available in its one region (realm
``oc1``); ``apiCapability`` is OPENAI_V1_CHAT_COMPLETIONS and OPENAI_V1_RESPONSES for chat models
(what the OpenAI-compatible API serves) and empty otherwise; Google's models are PROXY, the others
HOSTED. A capacity reservation is not emulated: every reservation holds ``HOSTS_PER_SHAPE`` hosts
of each GPU shape in ``GPU_HOSTS``, and clusters are packed onto them first fit.
"""

from __future__ import annotations

import re
from itertools import groupby

from ..call import Call, Result, operation
from ..catalog import BaseModel
from ..lifecycle import parse_iso
from ..protocol import errors, pagination
from ..protocol.ids import ocid_type
from . import dedicated_ai_clusters, resources

REALM = "oc1"
CHAT_APIS = ["OPENAI_V1_CHAT_COMPLETIONS", "OPENAI_V1_RESPONSES"]
PROXY_VENDORS = frozenset({"google"})
# The GPU of a unit shape (``H100_X2``, ``OAI_H100_X2``) and how many it takes.
UNIT_GPUS = re.compile(r"(?:^|_)(A10|A100_40G|A100_80G|H100|H200|B200|B300|L40S|MI300X)_X(\d+)$")
# The bare-metal compute shape hosting each GPU, and its GPUs per host.
GPU_HOSTS = {
    "A10": ("BM.GPU.A10.4", 4),
    "A100_40G": ("BM.GPU4.8", 8),
    "A100_80G": ("BM.GPU.A100-v2.8", 8),
    "H100": ("BM.GPU.H100.8", 8),
    "H200": ("BM.GPU.H200.8", 8),
    "B200": ("BM.GPU.B200.8", 8),
    "B300": ("BM.GPU.B300.8", 8),
    "L40S": ("BM.GPU.L40S-NC.4", 4),
    "MI300X": ("BM.GPU.MI300X.8", 8),
}
HOSTS_PER_SHAPE = 2
RESERVATION_TYPE = "capacityreservation"


# -- model discovery -------------------------------------------------------------------------------


def _is_past(value: str | None, now: float) -> bool:
    return value is not None and parse_iso(value) <= now


def _parameters(base: BaseModel) -> list[dict]:
    if not {"CHAT", "TEXT_GENERATION"} & set(base.doc["capabilities"]):
        return []
    return [
        {"name": "maxTokens", "type": "integer", "minimum": 1, "maximum": base.extras.get("xMaxOutputTokens") or 4000,
         "description": "The most tokens the model generates in one answer."},
        {"name": "temperature", "type": "number", "minimum": 0, "description": "Randomness of the output."},
        {"name": "topP", "type": "number", "minimum": 0, "maximum": 1, "description": "Nucleus sampling mass."},
    ]


def _discovered(call: Call, name: str, versions: list[BaseModel]) -> dict:
    """One model name of the catalog, all its versions and capabilities together."""
    first = versions[0]
    capabilities = list(dict.fromkeys(c for v in versions for c in v.doc["capabilities"]))
    modes = ["ON_DEMAND"] * any(v.extras.get("xOnDemand") for v in versions)
    modes += ["DEDICATED"] * any(v.hosting_shapes for v in versions)
    modalities = [{"input": "TEXT", "output": "TEXT"}]
    if any(v.extras.get("xSupportsImages") for v in versions):
        modalities.append({"input": "IMAGE", "output": "TEXT"})
    region = call.env.settings.region
    availability = {"realm": REALM, "region": region, "servingModes": modes, "supportedReplacements": []}
    for field in ("timeDeprecated", "timeOnDemandRetired", "timeDedicatedRetired"):
        if first.doc.get(field):
            availability[field] = first.doc[field]
    return {
        "modelId": name,
        "vendor": first.doc["vendor"],
        "capabilities": capabilities,
        "apiCapability": CHAT_APIS if "CHAT" in capabilities else [],
        "modalitySupport": modalities,
        "modelAccess": "PROXY" if first.doc["vendor"] in PROXY_VENDORS else "HOSTED",
        "parameters": _parameters(first),
        "availability": [availability],
    }


def _model_name(call: Call, model_id: str) -> str:
    """``modelId`` filters by name; a base model's OCID stands for its name."""
    base = call.env.catalog.by_id.get(model_id)
    return base.name if base else model_id


def _matches(call: Call, item: dict) -> bool:
    query = call.query
    place = item["availability"][0]
    checks = [
        ("realm", [place["realm"]]),
        ("region", [place["region"]]),
        ("servingMode", place["servingModes"]),
        ("apiCapability", item["apiCapability"]),
        ("capability", item["capabilities"]),
        ("modelAccess", [item["modelAccess"]]),
    ]
    if any(name in query and not set(query[name]) & set(values) for name, values in checks):
        return False
    if "modelId" in query and _model_name(call, query["modelId"]) != item["modelId"]:
        return False
    dated = [("isDeprecated", "timeDeprecated"), ("isOnDemandRetired", "timeOnDemandRetired"),
             ("isDedicatedRetired", "timeDedicatedRetired")]
    return all(query[flag] == _is_past(place.get(field), call.now) for flag, field in dated if flag in query)


def _page(call: Call, items: list[dict], key) -> Result:
    """A page of ``items`` kept in memory, in ascending ``key`` order (these lists take no sort)."""
    check = pagination.checksum(call.op.name, call.query)
    after = pagination.decode(call.query["page"], check, (str,)) if "page" in call.query else None
    page, cursor = pagination.keyset_slice(
        items, key=lambda item: (key(item),), after=after,
        limit=call.query.get("limit", resources.DEFAULT_LIMIT), descending=False,
    )
    return Result(body={"items": page}, next_page=pagination.encode(cursor, check) if cursor else None)


@operation
def list_model_discovery(call: Call) -> Result:
    """Every model name of the catalog (in name order), with where and how it is served."""
    by_name = sorted(call.env.catalog.models, key=lambda m: m.name)
    items = [_discovered(call, name, list(group)) for name, group in groupby(by_name, key=lambda m: m.name)]
    return _page(call, [item for item in items if _matches(call, item)], key=lambda item: item["modelId"])


# -- allocatable GPUs ------------------------------------------------------------------------------


def gpus_of(unit_shape: str) -> tuple[str, int] | None:
    """The GPU type and count a cluster unit of ``unit_shape`` takes on a reservation's hosts."""
    match = UNIT_GPUS.search(unit_shape)
    return (match.group(1), int(match.group(2))) if match else None


def _allocations(call: Call, reservation: str) -> dict[str, list[int]]:
    """GPUs used on each host of the reservation, by GPU type: the caller's living clusters on it,
    packed first fit (a unit larger than a host spreads over several)."""
    used = {gpu: [0] * HOSTS_PER_SHAPE for gpu in GPU_HOSTS}
    clusters = call.store.find(dedicated_ai_clusters.KIND.name, call.tenancy, capacityReservationId=reservation)
    for cluster in sorted(clusters, key=lambda c: c.doc["timeCreated"]):
        taken = gpus_of(cluster.doc["unitShape"])
        if taken is None or cluster.doc["lifecycleState"] in resources.GONE:
            continue
        gpu, count = taken
        need = count * cluster.doc["unitCount"]
        per_host = GPU_HOSTS[gpu][1]
        for host, busy in enumerate(used[gpu]):
            step = min(need, per_host - busy)
            used[gpu][host] += step
            need -= step
    return used


@operation
def list_dedicated_ai_clusters_allocatable_gpus(call: Call) -> Result:
    reservation = call.query["capacityReservationId"]
    if ocid_type(reservation) != RESERVATION_TYPE:
        raise errors.invalid_parameter(
            f"Invalid capacityReservationId {reservation}: it must be the OCID of a compute capacity reservation "
            f"(ocid1.{RESERVATION_TYPE}...)."
        )
    items = []
    for gpu, hosts in _allocations(call, reservation).items():
        shape, per_host = GPU_HOSTS[gpu]
        if call.query.get("computeShape", shape) != shape:
            continue
        free = [per_host - busy for busy in hosts]
        items.append({
            "computeShape": shape,
            "totalAvailableGpuUnits": sum(free),
            "totalUsedGpuUnits": sum(hosts),
            "maxAllocatableGpuUnits": max(free),
            "gpuAllocations": [{"usedGpus": busy, "availableGpus": per_host - busy} for busy in hosts],
        })
    return _page(call, items, key=lambda item: item["computeShape"])
