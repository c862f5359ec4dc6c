"""Imported models: weights brought from Hugging Face or Object Storage, served on generic GPU shapes."""

from __future__ import annotations

from ..call import Call, Result
from . import resources

KIND = "importedmodel"
# What an import is assumed to provide when the request names no capabilities.
DEFAULT_CAPABILITIES = ["TEXT_TO_TEXT"]


def _source_name(data_source: dict) -> str:
    if data_source["sourceType"] == "HUGGING_FACE_MODEL":
        return data_source["modelId"]
    return f"{data_source['bucketName']}/{data_source['prefixName']}"


def create_imported_model(call: Call) -> Result:
    body = call.body
    source = dict(body["dataSource"])
    if source["sourceType"] == "HUGGING_FACE_MODEL":
        source.setdefault("branch", "main")
    doc = dict(
        body,
        dataSource=source,
        capabilities=body.get("capabilities", DEFAULT_CAPABILITIES),
        lifecycleState="CREATING",
        lifecycleDetails=f"Importing {_source_name(source)}.",
    )
    doc.setdefault("vendor", _source_name(source).split("/")[0])
    rec = resources.new_record(call, KIND, doc)
    return resources.transition(
        call,
        rec,
        operation_type="CREATE_IMPORTED_MODEL",
        action="CREATED",
        transitional="CREATING",
        target="ACTIVE",
        on_finish={"lifecycleDetails": "The model is imported."},
        is_new=True,
    )


def get_imported_model(call: Call) -> Result:
    return resources.get(call, KIND, call.path["importedModelId"])


def list_imported_models(call: Call) -> Result:
    return resources.list_page(call, KIND, renames={"capability": "capabilities"})


def update_imported_model(call: Call) -> Result:
    rec = resources.load(call, KIND, call.path["importedModelId"])
    resources.guard_mutation(call, rec)
    resources.apply_changes(rec, call.body)
    return resources.transition(
        call, rec, operation_type="UPDATE_IMPORTED_MODEL", action="UPDATED", transitional="UPDATING", target="ACTIVE"
    )


def delete_imported_model(call: Call) -> Result:
    return resources.delete(call, KIND, call.path["importedModelId"], "DELETE_IMPORTED_MODEL", check=resources.refuse_if_served)


def change_imported_model_compartment(call: Call) -> Result:
    return resources.change_compartment(call, KIND, call.path["importedModelId"], "MOVE_IMPORTED_MODEL")
