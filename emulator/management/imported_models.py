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
        lifecycleDetails=f"Importing {_source_name(source)}.",
    )
    doc.setdefault("vendor", _source_name(source).split("/")[0])
    return resources.create(call, KIND, doc, "CREATE_IMPORTED_MODEL", done="The model is imported.")


def get_imported_model(call: Call) -> Result:
    return resources.get(call, KIND, call.path["importedModelId"])


def list_imported_models(call: Call) -> Result:
    return resources.list_page(call, KIND, renames={"capability": "capabilities"})


def update_imported_model(call: Call) -> Result:
    return resources.update(call, KIND, call.path["importedModelId"], "UPDATE_IMPORTED_MODEL")


def delete_imported_model(call: Call) -> Result:
    return resources.delete(call, KIND, call.path["importedModelId"], "DELETE_IMPORTED_MODEL", check=resources.refuse_if_served)


def change_imported_model_compartment(call: Call) -> Result:
    # The SDK's OperationType enum has no MOVE_IMPORTED_MODEL (unlike clusters, endpoints and
    # models): the move is reported as an update, so clients never meet an unknown enum value.
    return resources.change_compartment(call, KIND, call.path["importedModelId"], "UPDATE_IMPORTED_MODEL")
