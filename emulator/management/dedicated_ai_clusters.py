"""Dedicated AI clusters: HOSTING clusters serve endpoints, FINE_TUNING clusters train custom models."""

from __future__ import annotations

from ..call import Call, Result
from ..catalog import is_generic_gpu_shape
from ..protocol import errors
from ..store import Record
from . import resources

KIND = "dedicatedaicluster"
# A hosting cluster holds up to 50 endpoints (service docs, "Cluster endpoint rules").
ENDPOINT_CAPACITY = 50


def _check_shape(call: Call, body: dict) -> None:
    shape, cluster_type = body["unitShape"], body["type"]
    catalog = call.env.catalog
    if cluster_type == "FINE_TUNING":
        allowed = catalog.fine_tuning_shapes()
        if shape not in allowed:
            raise errors.invalid_parameter(
                f"Invalid unitShape {shape} for a FINE_TUNING cluster: fine-tuning runs on {', '.join(sorted(allowed))}."
            )
    elif shape not in catalog.hosting_shapes() and not is_generic_gpu_shape(shape):
        raise errors.invalid_parameter(f"Invalid unitShape {shape} for a HOSTING cluster: no model is served on it.")
    if body["unitCount"] < 1:
        raise errors.invalid_parameter("Invalid unitCount: it must be at least 1.")


def create_dedicated_ai_cluster(call: Call) -> Result:
    body = call.body
    _check_shape(call, body)
    doc = dict(body, lifecycleDetails="Creating the dedicated AI cluster.")
    if body["type"] == "HOSTING":  # the SDK has no capacity type for fine-tuning clusters
        doc["capacity"] = {
            "capacityType": "HOSTING_CAPACITY",
            "totalEndpointCapacity": ENDPOINT_CAPACITY,
            "usedEndpointCapacity": 0,
        }
    return resources.create(
        call, KIND, doc, "CREATE_DEDICATED_AI_CLUSTER", done="The dedicated AI cluster is active."
    )


def get_dedicated_ai_cluster(call: Call) -> Result:
    return resources.get(call, KIND, call.path["dedicatedAiClusterId"])


def list_dedicated_ai_clusters(call: Call) -> Result:
    return resources.list_page(call, KIND)


def _check_unit_count(call: Call, rec: Record) -> None:
    if call.body.get("unitCount", 1) < 1:
        raise errors.invalid_parameter("Invalid unitCount: it must be at least 1.")


def update_dedicated_ai_cluster(call: Call) -> Result:
    return resources.update(
        call, KIND, call.path["dedicatedAiClusterId"], "UPDATE_DEDICATED_AI_CLUSTER", check=_check_unit_count
    )


def _refuse_if_in_use(call: Call, rec: Record) -> None:
    endpoints = resources.in_use_by_endpoints(call, "dedicatedAiClusterId", rec.id)
    if endpoints:
        raise errors.conflict(
            f"The dedicated AI cluster {rec.id} still hosts {len(endpoints)} endpoint(s); delete them first."
        )
    models = [
        m
        for m in call.store.find("model", call.tenancy)
        if (m.doc.get("fineTuneDetails") or {}).get("dedicatedAiClusterId") == rec.id
        and m.doc["lifecycleState"] not in ("DELETED", "FAILED")
    ]
    if models:
        raise errors.conflict(
            f"The dedicated AI cluster {rec.id} still holds {len(models)} custom model(s); delete them first."
        )


def delete_dedicated_ai_cluster(call: Call) -> Result:
    return resources.delete(
        call, KIND, call.path["dedicatedAiClusterId"], "DELETE_DEDICATED_AI_CLUSTER", check=_refuse_if_in_use
    )


def change_dedicated_ai_cluster_compartment(call: Call) -> Result:
    return resources.change_compartment(call, KIND, call.path["dedicatedAiClusterId"], "MOVE_DEDICATED_AI_CLUSTER")
