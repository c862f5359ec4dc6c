"""From SDK objects to the client's results, and what an OCID says (its type, its region)."""

from __future__ import annotations

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


def _headers(response) -> tuple[str | None, str | None, str | None]:
    headers = response.headers or {}
    return headers.get("etag"), headers.get("opc-request-id"), headers.get("opc-work-request-id")


def _version_key(version: str | None) -> tuple:
    out = []
    for part in (version or "").replace("-", ".").split("."):
        out.append((0, int(part), "") if part.isdigit() else (1, 0, part))
    return tuple(out)


# SDK objects -> results -------------------------------------------------------------------------
def _cluster(d, response=None) -> Cluster:
    etag, rid, wr = _headers(response) if response is not None else (None, None, None)
    capacity = getattr(d, "capacity", None)
    return Cluster(
        id=d.id,
        display_name=d.display_name,
        type=d.type,
        unit_shape=d.unit_shape,
        unit_count=d.unit_count,
        lifecycle_state=d.lifecycle_state,
        lifecycle_details=d.lifecycle_details,
        compartment_id=d.compartment_id,
        time_created=d.time_created,
        endpoint_capacity=getattr(capacity, "total_endpoint_capacity", None),
        endpoints_used=getattr(capacity, "used_endpoint_capacity", None),
        etag=etag,
        opc_request_id=rid,
        work_request_id=wr,
        raw=d,
    )


def _endpoint(d, response=None) -> Endpoint:
    etag, rid, wr = _headers(response) if response is not None else (None, None, None)
    return Endpoint(
        id=d.id,
        display_name=d.display_name,
        model_id=d.model_id,
        dedicated_ai_cluster_id=d.dedicated_ai_cluster_id,
        lifecycle_state=d.lifecycle_state,
        lifecycle_details=d.lifecycle_details,
        compartment_id=d.compartment_id,
        time_created=d.time_created,
        etag=etag,
        opc_request_id=rid,
        work_request_id=wr,
        raw=d,
    )


def _model(d, response=None) -> Model:
    etag, rid, wr = _headers(response) if response is not None else (None, None, None)
    metrics = getattr(d, "model_metrics", None)
    return Model(
        id=d.id,
        display_name=d.display_name,
        vendor=d.vendor,
        version=d.version,
        type=d.type,
        capabilities=tuple(d.capabilities or ()),
        lifecycle_state=d.lifecycle_state,
        lifecycle_details=d.lifecycle_details,
        base_model_id=d.base_model_id,
        compartment_id=d.compartment_id,
        time_created=d.time_created,
        final_accuracy=getattr(metrics, "final_accuracy", None),
        final_loss=getattr(metrics, "final_loss", None),
        etag=etag,
        opc_request_id=rid,
        work_request_id=wr,
        raw=d,
    )


def _imported_model(d, response=None) -> ImportedModel:
    etag, rid, wr = _headers(response) if response is not None else (None, None, None)
    source = d.data_source
    source_type = getattr(source, "source_type", None)
    if source_type == "HUGGING_FACE_MODEL":
        where = source.model_id
    elif source is not None:
        where = f"{source.bucket_name}/{source.prefix_name}"
    else:
        where = None
    return ImportedModel(
        id=d.id,
        display_name=d.display_name,
        vendor=d.vendor,
        version=d.version,
        capabilities=tuple(d.capabilities or ()),
        lifecycle_state=d.lifecycle_state,
        lifecycle_details=d.lifecycle_details,
        source_type=source_type,
        source=where,
        compartment_id=d.compartment_id,
        time_created=d.time_created,
        etag=etag,
        opc_request_id=rid,
        work_request_id=wr,
        raw=d,
    )


def _work_request(d, response=None) -> WorkRequest:
    rid = (response.headers or {}).get("opc-request-id") if response is not None else None
    return WorkRequest(
        id=d.id,
        operation_type=d.operation_type,
        status=d.status,
        percent_complete=d.percent_complete or 0.0,
        resources=tuple(
            WorkRequestResource(r.entity_type, r.action_type, r.identifier) for r in (d.resources or ())
        ),
        compartment_id=d.compartment_id,
        time_accepted=d.time_accepted,
        time_started=d.time_started,
        time_finished=d.time_finished,
        opc_request_id=rid,
        raw=d,
    )


def _fine_tune(d, response=None, work_request_id: str | None = None) -> FineTune:
    etag, rid, wr = _headers(response) if response is not None else (None, None, None)
    details = d.fine_tune_details
    dataset = getattr(details, "training_dataset", None)
    uri = None
    if dataset is not None and getattr(dataset, "bucket_name", None):
        uri = f"oci://{dataset.bucket_name}@{dataset.namespace_name}/{dataset.object_name}"
    config = getattr(details, "training_config", None)
    metrics = d.model_metrics
    return FineTune(
        id=d.id,
        status=d.lifecycle_state,
        display_name=d.display_name,
        base_model_id=d.base_model_id,
        dedicated_ai_cluster_id=getattr(details, "dedicated_ai_cluster_id", None),
        training_dataset=uri,
        training_config=oci.util.to_dict(config) if config is not None else {},
        final_accuracy=getattr(metrics, "final_accuracy", None),
        final_loss=getattr(metrics, "final_loss", None),
        lifecycle_details=d.lifecycle_details,
        time_created=d.time_created,
        etag=etag,
        opc_request_id=rid,
        work_request_id=work_request_id or wr,
        raw=d,
    )
