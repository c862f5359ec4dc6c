"""Endpoints: a model served on an ACTIVE HOSTING dedicated AI cluster."""

from __future__ import annotations

from ..call import Call, Result, operation
from ..catalog import is_generic_gpu_shape
from ..kinds import ResourceKind
from ..protocol import errors
from ..store import Record
from . import dedicated_ai_clusters, imported_models, models, private_endpoints, resources

KIND = ResourceKind(
    name="endpoint",
    model="Endpoint",
    label="endpoint",
    type_token="generativeaiendpoint",
    list_operation="list_endpoints",
    entity_type="Endpoint",
    uri="/20231130/endpoints/{id}",
    operation_types={
        "create": "CREATE_ENDPOINT",
        "update": "UPDATE_ENDPOINT",
        "delete": "DELETE_ENDPOINT",
        "move": "MOVE_ENDPOINT",
    },
)


def _check_cluster(call: Call, cluster: Record) -> None:
    doc = cluster.doc
    if doc["type"] != "HOSTING":
        raise errors.invalid_parameter(
            f"The dedicated AI cluster {cluster.id} is a {doc['type']} cluster; endpoints need a HOSTING cluster."
        )
    if doc["lifecycleState"] != "ACTIVE":
        raise errors.incorrect_state(
            f"The dedicated AI cluster {cluster.id} is {doc['lifecycleState']}; it must be ACTIVE to host an endpoint."
        )
    capacity = doc["capacity"]
    if capacity["usedEndpointCapacity"] >= capacity["totalEndpointCapacity"]:
        raise errors.limit_exceeded(
            f"The dedicated AI cluster {cluster.id} already hosts {capacity['totalEndpointCapacity']} endpoints, its limit."
        )


def _check_model(call: Call, model: Record, cluster: Record) -> None:
    if model.doc["lifecycleState"] != "ACTIVE":
        raise errors.incorrect_state(f"The model {model.id} is {model.doc['lifecycleState']}; it must be ACTIVE.")
    shape = cluster.doc["unitShape"]
    if model.kind == imported_models.KIND.name:
        ok = is_generic_gpu_shape(shape)
        served_on = "generic GPU shapes (A10_X1, H100_X1, ...)"
    else:
        shapes = models.base_of(call, model).hosting_shapes
        ok = shape in shapes
        served_on = ", ".join(shapes) or "no dedicated shape"
    if not ok:
        raise errors.invalid_parameter(
            f"The model {model.id} cannot be hosted on a {shape} cluster; it is served on {served_on}."
        )
    lineage = models.lineage(call, model)
    for other in resources.in_use_by_endpoints(call, "dedicatedAiClusterId", cluster.id):
        other_model = _load_model(call, other.doc["modelId"])
        if models.lineage(call, other_model) != lineage:
            raise errors.invalid_parameter(
                f"The dedicated AI cluster {cluster.id} already serves another model lineage; all endpoints of a "
                "cluster must use the same base model or versions of one custom model."
            )


def _load_model(call: Call, model_id: str) -> Record:
    kind = imported_models.KIND if imported_models.KIND.owns(model_id) else models.KIND
    return resources.load_related(call, kind, model_id, "modelId")


def _set_used_capacity(call: Call, cluster: Record, delta: int) -> None:
    cluster.doc["capacity"]["usedEndpointCapacity"] += delta
    resources.save(call, cluster)


@operation
def create_endpoint(call: Call) -> Result:
    body = call.body
    cluster = resources.load_related(
        call, dedicated_ai_clusters.KIND, body["dedicatedAiClusterId"], "dedicatedAiClusterId"
    )
    _check_cluster(call, cluster)
    model = _load_model(call, body["modelId"])
    _check_model(call, model, cluster)
    _check_private_endpoint(call)
    doc = dict(body, lifecycleDetails="Creating the endpoint.")
    doc.setdefault("contentModerationConfig", {"isEnabled": False, "mode": "INFORM"})
    with call.store.transaction():
        _set_used_capacity(call, cluster, +1)
        return resources.create(call, KIND, doc, done="The endpoint is active.")


@operation
def get_endpoint(call: Call) -> Result:
    return resources.get(call, KIND, call.path["endpointId"])


@operation
def list_endpoints(call: Call) -> Result:
    return resources.list_page(call, KIND)


@operation
def update_endpoint(call: Call) -> Result:
    return resources.update(call, KIND, call.path["endpointId"], check=_check_private_endpoint)


def _check_private_endpoint(call: Call, rec: Record | None = None) -> None:
    if "generativeAiPrivateEndpointId" in call.body:
        private_endpoints.check_usable_by_endpoint(call, call.body["generativeAiPrivateEndpointId"])


def _free_capacity(call: Call, rec: Record) -> None:
    cluster = call.store.get(dedicated_ai_clusters.KIND.name, rec.doc["dedicatedAiClusterId"], call.tenancy)
    if cluster is not None:
        _set_used_capacity(call, cluster, -1)


@operation
def delete_endpoint(call: Call) -> Result:
    return resources.delete(call, KIND, call.path["endpointId"], check=_free_capacity)


@operation
def change_endpoint_compartment(call: Call) -> Result:
    return resources.change_compartment(call, KIND, call.path["endpointId"])
