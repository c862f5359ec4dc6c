"""Models: the global base-model catalog plus custom models fine-tuned on FINE_TUNING clusters."""

from __future__ import annotations

import hashlib

from ..call import Call, Result, operation
from ..catalog import BaseModel
from ..kinds import ResourceKind
from ..protocol import errors
from ..store import Record
from . import dedicated_ai_clusters, imported_models, resources

KIND = ResourceKind(
    name="model",
    model="Model",
    label="model",
    type_token="generativeaimodel",
    list_operation="list_models",
    entity_type="Model",
    uri="/20231130/models/{id}",
    # update is synchronous, as on the real service: no work request, the model stays ACTIVE
    operation_types={"create": "CREATE_MODEL", "delete": "DELETE_MODEL", "move": "MOVE_MODEL"},
)
# Defaults the service echoes back when trainingConfig is omitted (reference §5).
DEFAULT_TRAINING = {
    "cohere": {"trainingConfigType": "TFEW_TRAINING_CONFIG", "totalTrainingEpochs": 1, "learningRate": 0.01,
               "trainingBatchSize": 16, "earlyStoppingPatience": 10, "earlyStoppingThreshold": 0.001,
               "logModelMetricsIntervalInSteps": 10},
    "meta": {"trainingConfigType": "LORA_TRAINING_CONFIG", "totalTrainingEpochs": 3, "learningRate": 0.0002,
             "trainingBatchSize": 8, "earlyStoppingPatience": 15, "earlyStoppingThreshold": 0.0001,
             "logModelMetricsIntervalInSteps": 10, "loraR": 8, "loraAlpha": 8, "loraDropout": 0.1},
}


def base_of(call: Call, model: Record) -> BaseModel:
    """The catalog model a base or custom model descends from."""
    seen = set()
    while model.doc.get("type") == "CUSTOM" and model.id not in seen:
        seen.add(model.id)
        parent = call.store.get(KIND.name, model.doc["baseModelId"], call.tenancy)
        if parent is None:
            break
        model = parent
    return call.env.catalog.by_id[model.id]


def lineage(call: Call, model: Record) -> str:
    if model.kind == imported_models.KIND.name:
        return model.id
    return base_of(call, model).id


def _load_own(call: Call) -> Record:
    """A custom model of the caller; base models are read-only (404 for mutations)."""
    rec = resources.load(call, KIND, call.path["modelId"])
    if rec.doc["type"] == "BASE":
        raise errors.not_found()
    return rec


def _metrics(doc: dict, chat: bool) -> dict:
    """Deterministic, plausible final metrics derived from the training request."""
    digest = hashlib.sha256(repr(sorted(doc["fineTuneDetails"].items())).encode() + str(doc.get("displayName")).encode()).digest()
    return {
        "modelMetricsType": "CHAT_MODEL_METRICS" if chat else "TEXT_GENERATION_MODEL_METRICS",
        "finalAccuracy": round(0.80 + digest[0] / 255 * 0.15, 4),
        "finalLoss": round(0.10 + digest[1] / 255 * 0.60, 4),
    }


@operation
def create_model(call: Call) -> Result:
    body = call.body
    parent = resources.load_related(call, KIND, body["baseModelId"], "baseModelId")
    base = base_of(call, parent)
    if parent.doc["type"] == "BASE" and "FINE_TUNE" not in parent.doc["capabilities"]:
        raise errors.invalid_parameter(
            f"The base model {base.name} ({parent.id}, version {parent.doc['version']}) cannot be fine-tuned; "
            "pick a version whose capabilities include FINE_TUNE."
        )
    if parent.doc["lifecycleState"] != "ACTIVE":
        raise errors.incorrect_state(f"The model {parent.id} is {parent.doc['lifecycleState']}; it must be ACTIVE.")
    details = dict(body["fineTuneDetails"])
    cluster = resources.load_related(
        call, dedicated_ai_clusters.KIND, details["dedicatedAiClusterId"], "fineTuneDetails.dedicatedAiClusterId"
    )
    if cluster.doc["type"] != "FINE_TUNING":
        raise errors.invalid_parameter(f"The dedicated AI cluster {cluster.id} is not a FINE_TUNING cluster.")
    if cluster.doc["lifecycleState"] != "ACTIVE":
        raise errors.incorrect_state(
            f"The dedicated AI cluster {cluster.id} is {cluster.doc['lifecycleState']}; it must be ACTIVE."
        )
    if cluster.doc["unitShape"] != base.fine_tune_shape:
        raise errors.invalid_parameter(
            f"{base.name} is fine-tuned on {base.fine_tune_shape} clusters, not {cluster.doc['unitShape']}."
        )
    _check_unique_name(call, body)
    defaults = DEFAULT_TRAINING.get(base.doc["vendor"], DEFAULT_TRAINING["cohere"])
    given = details.get("trainingConfig")
    if given is None or given["trainingConfigType"] == defaults["trainingConfigType"]:
        details["trainingConfig"] = {**defaults, **(given or {})}
    doc = dict(
        body,
        fineTuneDetails=details,
        type="CUSTOM",
        capabilities=[c for c in parent.doc["capabilities"] if c != "FINE_TUNE"] or list(base.doc["capabilities"]),
        vendor=body.get("vendor", base.doc["vendor"]),
        version=body.get("version", "1.0"),
        lifecycleDetails="Fine-tuning the model.",
        isLongTermSupported=False,
    )
    return resources.create(
        call,
        KIND,
        doc,
        done="Fine-tuning finished.",
        on_finish={"modelMetrics": _metrics(doc, "CHAT" in doc["capabilities"])},
    )


def _check_unique_name(call: Call, body: dict, exclude: str | None = None) -> None:
    """(displayName, version) is unique among the live custom models of a compartment."""
    name = body.get("displayName")
    if name is None:
        return
    for other in call.store.find(KIND.name, call.tenancy, displayName=name, compartmentId=body["compartmentId"]):
        if other.id != exclude and other.doc.get("version") == body.get("version", "1.0") and other.doc[
            "lifecycleState"
        ] not in resources.GONE:
            raise errors.already_exists(
                f"A model named {name!r} with version {other.doc.get('version')!r} already exists in this compartment."
            )


@operation
def get_model(call: Call) -> Result:
    return resources.get(call, KIND, call.path["modelId"])


@operation
def list_models(call: Call) -> Result:
    return resources.list_page(call, KIND, renames={"capability": "capabilities"}, include_global=True)


@operation
def update_model(call: Call) -> Result:
    return resources.update(call, KIND, call.path["modelId"], check=_check_renamed_unique, rec=_load_own(call))


def _check_renamed_unique(call: Call, rec: Record) -> None:
    _check_unique_name(call, {**rec.doc, **call.body}, exclude=rec.id)


@operation
def delete_model(call: Call) -> Result:
    return resources.delete(call, KIND, call.path["modelId"], check=resources.refuse_if_served, rec=_load_own(call))


@operation
def change_model_compartment(call: Call) -> Result:
    return resources.change_compartment(call, KIND, call.path["modelId"], rec=_load_own(call))
