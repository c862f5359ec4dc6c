"""Dedicated AI clusters: HOSTING clusters serve endpoints, FINE_TUNING clusters train custom models."""

from __future__ import annotations

from ..call import Call, Result, operation
from ..catalog import is_generic_gpu_shape
from ..kinds import ResourceKind
from ..protocol import errors, limits
from ..store import Record
from . import resources

KIND = ResourceKind(
    name="dedicatedaicluster",
    model="DedicatedAiCluster",
    label="dedicated AI cluster",
    type_token="generativeaidedicatedaicluster",
    list_operation="list_dedicated_ai_clusters",
    entity_type="DedicatedAiCluster",
    uri="/20231130/dedicatedAiClusters/{id}",
    operation_types={
        "create": "CREATE_DEDICATED_AI_CLUSTER",
        "update": "UPDATE_DEDICATED_AI_CLUSTER",
        "delete": "DELETE_DEDICATED_AI_CLUSTER",
        "move": "MOVE_DEDICATED_AI_CLUSTER",
    },
)
ENDPOINT_CAPACITY = limits.ENDPOINTS_PER_CLUSTER


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


@operation
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
    return resources.create(call, KIND, doc, done="The dedicated AI cluster is active.")


@operation
def get_dedicated_ai_cluster(call: Call) -> Result:
    return resources.get(call, KIND, call.path["dedicatedAiClusterId"])


@operation
def list_dedicated_ai_clusters(call: Call) -> Result:
    return resources.list_page(call, KIND)


def _check_unit_count(call: Call, rec: Record) -> None:
    if call.body.get("unitCount", 1) < 1:
        raise errors.invalid_parameter("Invalid unitCount: it must be at least 1.")


@operation
def update_dedicated_ai_cluster(call: Call) -> Result:
    return resources.update(call, KIND, call.path["dedicatedAiClusterId"], check=_check_unit_count)


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
        and m.doc["lifecycleState"] not in resources.GONE
    ]
    if models:
        raise errors.conflict(
            f"The dedicated AI cluster {rec.id} still holds {len(models)} custom model(s); delete them first."
        )


@operation
def delete_dedicated_ai_cluster(call: Call) -> Result:
    return resources.delete(call, KIND, call.path["dedicatedAiClusterId"], check=_refuse_if_in_use)


@operation
def change_dedicated_ai_cluster_compartment(call: Call) -> Result:
    return resources.change_compartment(call, KIND, call.path["dedicatedAiClusterId"])
