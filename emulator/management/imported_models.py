"""Imported models: weights brought from Hugging Face or Object Storage, served on generic GPU shapes."""

from __future__ import annotations

from ..call import Call, Result, operation
from ..kinds import ResourceKind
from ..protocol import errors
from . import resources

KIND = ResourceKind(
    name="importedmodel",
    model="ImportedModel",
    label="imported model",
    type_token="generativeaiimportedmodel",
    list_operation="list_imported_models",
    entity_type="ImportedModel",
    uri="/20231130/importedModels/{id}",
    operation_types={
        "create": "CREATE_IMPORTED_MODEL",
        "update": "UPDATE_IMPORTED_MODEL",
        "delete": "DELETE_IMPORTED_MODEL",
        # The SDK's OperationType enum has no MOVE_IMPORTED_MODEL (unlike clusters, endpoints and
        # models): the move is reported as an update, so clients never meet an unknown enum value.
        "move": "UPDATE_IMPORTED_MODEL",
    },
)
# What an import is assumed to provide when the request names no capabilities.
DEFAULT_CAPABILITIES = ["TEXT_TO_TEXT"]
# The values the SDK allows in CreateImportedModelDetails.capabilities (it refuses to send others, and
# reads any other value of ImportedModel.capabilities as UNKNOWN_ENUM_VALUE). The request schema does not
# list them: specs/generate.py keeps request schemas as they were, and this spelling was not read there.
CAPABILITIES = (
    "TEXT_TO_TEXT", "IMAGE_TEXT_TO_TEXT", "EMBEDDING", "RERANK", "TEXT_TO_IMAGE", "IMAGE_TEXT_TO_IMAGE",
    "IMAGE_TEXT_TO_VIDEO", "IMAGE_TO_IMAGE", "REALTIME", "AUDIO_TO_AUDIO", "AUDIO_TO_TEXT", "TEXT_TO_AUDIO",
    "TEXT_TO_VIDEO", "AUDIO_TEXT_TO_TEXT", "AUDIO_TRANSLATION", "VIDEO_TEXT_TO_TEXT",
)


def _source_name(data_source: dict) -> str:
    if data_source["sourceType"] == "HUGGING_FACE_MODEL":
        return data_source["modelId"]
    return f"{data_source['bucketName']}/{data_source['prefixName']}"


@operation
def create_imported_model(call: Call) -> Result:
    body = call.body
    unknown = [c for c in body.get("capabilities", ()) if c not in CAPABILITIES]
    if unknown:
        raise errors.invalid_parameter(
            f"Invalid value(s) in 'capabilities': {', '.join(map(repr, unknown))}; allowed values are {', '.join(CAPABILITIES)}."
        )
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
    return resources.create(call, KIND, doc, done="The model is imported.")


@operation
def get_imported_model(call: Call) -> Result:
    return resources.get(call, KIND, call.path["importedModelId"])


@operation
def list_imported_models(call: Call) -> Result:
    return resources.list_page(call, KIND, renames={"capability": "capabilities"})


@operation
def update_imported_model(call: Call) -> Result:
    return resources.update(call, KIND, call.path["importedModelId"])


@operation
def delete_imported_model(call: Call) -> Result:
    return resources.delete(call, KIND, call.path["importedModelId"], check=resources.refuse_if_served)


@operation
def change_imported_model_compartment(call: Call) -> Result:
    return resources.change_compartment(call, KIND, call.path["importedModelId"])
