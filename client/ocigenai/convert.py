"""From SDK objects to the client's results, and what an OCID says (its type, its region)."""

from __future__ import annotations

import dataclasses
from typing import Any

import oci

from .results import (
    Cluster,
    Endpoint,
    FineTune,
    ImportedModel,
    Model,
    WorkRequest,
    WorkRequestResource,
)


def region_from_ocid(ocid: str | None) -> str | None:
    """The region named in an OCID (``ocid1.<type>.<realm>.<region>.<id>``), with 3-letter codes
    like ``iad`` expanded (``us-ashburn-1``); ``None`` when the OCID names none."""
    if not ocid or not isinstance(ocid, str) or not ocid.startswith("ocid1."):
        return None
    parts = ocid.split(".")
    if len(parts) < 5 or not parts[3]:
        return None
    region = parts[3].lower()
    if oci.regions.is_region_short_name(region):
        return oci.regions.get_region_from_short_name(region)
    return region


def _is_ocid(value: str) -> bool:
    return isinstance(value, str) and value.startswith("ocid1.") and value.count(".") >= 4


def _ocid_type(value: str) -> str:
    parts = value.split(".")
    return parts[1] if len(parts) > 1 else ""


def _drop_none(**kwargs: Any) -> dict:
    return {k: v for k, v in kwargs.items() if v is not None}


_HEADER_FIELDS = {"etag": "etag", "opc_request_id": "opc-request-id", "work_request_id": "opc-work-request-id"}


def _headers(response) -> dict[str, str | None]:
    """The result fields a response's headers fill; all ``None`` without a response (items of a list)."""
    headers = (response.headers or {}) if response is not None else {}
    return {field: headers.get(header) for field, header in _HEADER_FIELDS.items()}


def _version_key(version: str | None) -> tuple:
    out = []
    for part in (version or "").replace("-", ".").split("."):
        out.append((0, int(part), "") if part.isdigit() else (1, 0, part))
    return tuple(out)


# SDK objects -> results -------------------------------------------------------------------------
def _result(cls, d, response=None, **computed):
    """A ``cls`` result of the SDK object ``d``: each field takes the value given in ``computed``, or
    else the header of ``response`` it stands for (see ``_headers``), or else ``d`` itself for
    ``raw``, or else ``d``'s attribute of the same name."""
    given = {**_headers(response), "raw": d, **computed}
    return cls(**{f.name: given[f.name] if f.name in given else getattr(d, f.name) for f in dataclasses.fields(cls)})


def _training_metrics(d) -> dict:
    metrics = getattr(d, "model_metrics", None)
    return {name: getattr(metrics, name, None) for name in ("final_accuracy", "final_loss")}


def _cluster(d, response=None) -> Cluster:
    capacity = getattr(d, "capacity", None)
    return _result(
        Cluster,
        d,
        response,
        endpoint_capacity=getattr(capacity, "total_endpoint_capacity", None),
        endpoints_used=getattr(capacity, "used_endpoint_capacity", None),
    )


def _endpoint(d, response=None) -> Endpoint:
    return _result(Endpoint, d, response)


def _model(d, response=None) -> Model:
    return _result(Model, d, response, capabilities=tuple(d.capabilities or ()), **_training_metrics(d))


def _imported_model(d, response=None) -> ImportedModel:
    source = d.data_source
    source_type = getattr(source, "source_type", None)
    if source_type == "HUGGING_FACE_MODEL":
        where = source.model_id
    elif source is not None:
        where = f"{source.bucket_name}/{source.prefix_name}"
    else:
        where = None
    return _result(
        ImportedModel, d, response, capabilities=tuple(d.capabilities or ()), source_type=source_type, source=where
    )


def _work_request(d, response=None) -> WorkRequest:
    resources = tuple(WorkRequestResource(r.entity_type, r.action_type, r.identifier) for r in (d.resources or ()))
    return _result(WorkRequest, d, response, percent_complete=d.percent_complete or 0.0, resources=resources)


def _fine_tune(d, response=None) -> FineTune:
    details = d.fine_tune_details
    dataset = getattr(details, "training_dataset", None)
    uri = None
    if dataset is not None and getattr(dataset, "bucket_name", None):
        uri = f"oci://{dataset.bucket_name}@{dataset.namespace_name}/{dataset.object_name}"
    config = getattr(details, "training_config", None)
    return _result(
        FineTune,
        d,
        response,
        status=d.lifecycle_state,
        dedicated_ai_cluster_id=getattr(details, "dedicated_ai_cluster_id", None),
        training_dataset=uri,
        training_config=oci.util.to_dict(config) if config is not None else {},
        **_training_metrics(d),
    )
