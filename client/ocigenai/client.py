"""``GenAI``: one object for both OCI Generative AI APIs, the same code against OCI and the emulator."""

from __future__ import annotations

import dataclasses
import time
from typing import Any, Callable, Iterator, Sequence

import oci
from oci.generative_ai import models as mgmt

from . import builders
from .convert import (
    _cluster,
    _drop_none,
    _endpoint,
    _fine_tune,
    _headers,
    _imported_model,
    _is_ocid,
    _model,
    _ocid_type,
    _version_key,
    _work_request,
    region_from_ocid,
)
from .emulator import DEFAULT_REGION, EMULATOR_TENANCY, EmulatorAdmin, _trusted_config
from .errors import InvalidArgument, ModelNotFound, RegionNotConfigured, ResourceFailed, WaitTimeout, WorkRequestFailed
from .inference import EMBED_BATCH, InferenceMixin
from .openai_api import OpenAIMixin
from .results import (
    CancelResult,
    Cluster,
    Deleted,
    Endpoint,
    FineTune,
    ImportedModel,
    Model,
    WorkRequest,
    WorkRequestError,
)

__all__ = ["GenAI", "region_from_ocid", "DEFAULT_TIMEOUT", "FINE_TUNE_TIMEOUT", "EMBED_BATCH"]

DEFAULT_TIMEOUT = 30 * 60.0
"""Default wait for clusters, endpoints, imported models and deletes (Terraform uses 20 minutes)."""
FINE_TUNE_TIMEOUT = 80 * 60.0
"""Default wait for a fine-tuning job (Terraform raised model creation to 80 minutes)."""
PAGE_SIZE = 100
"""Items per list request."""

_TYPES = {
    "generativeaiproject": "get_project",
    "generativeaidedicatedaicluster": "get_cluster",
    "generativeaiendpoint": "get_endpoint",
    "generativeaimodel": "get_model",
    "generativeaiimportedmodel": "get_imported_model",
}


class _Backoff:
    """Poll now, then after ``first`` seconds, doubling up to ``most``, never past the deadline."""

    def __init__(self, first: float, most: float, timeout: float):
        self.interval = first
        self.most = most
        self.started = time.monotonic()
        self.deadline = self.started + timeout

    @property
    def waited(self) -> float:
        return time.monotonic() - self.started

    def sleep(self, awaited_id: str, last_state: str | None, still: str) -> None:
        """Sleep before the next poll; once the deadline has passed, raise :class:`WaitTimeout`
        instead, its message ``still`` followed by how long the wait lasted."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            waited = self.waited
            raise WaitTimeout(
                f"{still} after {waited:.1f}s", resource_id=awaited_id, last_state=last_state, waited_seconds=waited
            )
        time.sleep(min(self.interval, left))
        self.interval = min(self.interval * 2, self.most)


def _one_or_many(value: str | Sequence[str] | None) -> list[str] | None:
    return [value] if isinstance(value, str) else list(value or []) or None


class GenAI(InferenceMixin, OpenAIMixin):
    """A thin, typed layer over the ``oci`` SDK for OCI Generative AI (management and inference).

    Build it with :meth:`from_config` (an OCI config file profile), :meth:`for_emulator` (a
    throwaway key for an emulator URL) or directly from a config dict. ``compartment_id``
    defaults to the tenancy (the root compartment). The region of a call is, in order: the
    ``region`` argument, the region named in the resource's OCID, the configured region.
    Errors from the service are the SDK's :class:`oci.exceptions.ServiceError`.
    """

    def __init__(
        self,
        config: dict,
        *,
        endpoint: str | None = None,
        inference_endpoint: str | None = None,
        compartment_id: str | None = None,
        signer: Any = None,
        retry_strategy: Any = None,
        poll_interval: float = 0.05,
        max_poll_interval: float = 10.0,
        emulator: EmulatorAdmin | None = None,
    ):
        self.config = dict(config)
        self.region: str | None = self.config.get("region") or None
        self.endpoint = endpoint.rstrip("/") if endpoint else None
        self.inference_endpoint = (inference_endpoint or endpoint or "").rstrip("/") or None
        self.compartment_id = compartment_id or self.config.get("tenancy")
        self.signer = signer
        self.retry_strategy = retry_strategy
        self.poll_interval = poll_interval
        self.max_poll_interval = max_poll_interval
        self.emulator = emulator
        """The emulator's admin API, when built with :meth:`for_emulator`."""
        self._clients: dict[tuple[str, str], Any] = {}
        self._vendors: dict[str, str] = {}

    # construction ---------------------------------------------------------------------------
    @classmethod
    def from_config(
        cls,
        profile: str = "DEFAULT",
        file: str = oci.config.DEFAULT_LOCATION,
        region: str | None = None,
        *,
        endpoint: str | None = None,
        compartment_id: str | None = None,
        **kwargs: Any,
    ) -> "GenAI":
        """From a profile of an OCI config file (``~/.oci/config`` by default). ``region``
        overrides the profile's; ``endpoint`` points both APIs somewhere else (an emulator)."""
        config = oci.config.from_file(file, profile)
        if region:
            config["region"] = region
        return cls(config, endpoint=endpoint, compartment_id=compartment_id, **kwargs)

    @classmethod
    def for_emulator(
        cls,
        url: str,
        *,
        tenancy: str = EMULATOR_TENANCY,
        compartment_id: str | None = None,
        region: str = DEFAULT_REGION,
        trust_key: bool | None = None,
        **kwargs: Any,
    ) -> "GenAI":
        """For an emulator at ``url``, with a freshly generated key pair (nothing is written to disk).

        ``trust_key`` registers the public key with the emulator (needed with ``--auth strict``);
        by default it is done only when the emulator says it runs in strict mode. The default
        tenancy is the one the emulator gives unsigned requests, so curl and this client agree.
        """
        admin = EmulatorAdmin(url)
        config = _trusted_config(admin, trust_key, tenancy=tenancy, region=region)
        return cls(config, endpoint=admin.url, compartment_id=compartment_id, emulator=admin, **kwargs)

    # plumbing -------------------------------------------------------------------------------
    def _region(self, ocid: str | None = None, region: str | None = None) -> str:
        chosen = region or region_from_ocid(ocid) or self.region
        if chosen:
            return chosen
        if self.endpoint:
            return DEFAULT_REGION  # a fixed endpoint: the region only has to be valid
        raise RegionNotConfigured(
            "no region: pass region=..., set 'region' in the OCI config profile, or use a resource OCID that names one"
        )

    def _client(self, api: str, region: str):
        endpoint = self.inference_endpoint if api == "inference" else self.endpoint
        key = (api, endpoint or region)
        client = self._clients.get(key)
        if client is None:
            kwargs = _drop_none(service_endpoint=endpoint, signer=self.signer, retry_strategy=self.retry_strategy)
            config = dict(self.config, region=region)
            if api == "inference":
                client = oci.generative_ai_inference.GenerativeAiInferenceClient(config, **kwargs)
            else:
                client = oci.generative_ai.GenerativeAiClient(config, **kwargs)
            self._clients[key] = client
        return client

    def management_client(self, region: str | None = None) -> oci.generative_ai.GenerativeAiClient:
        """The SDK management client this object uses (for anything not wrapped here)."""
        return self._client("management", self._region(region=region))

    def inference_client(self, region: str | None = None) -> oci.generative_ai_inference.GenerativeAiInferenceClient:
        """The SDK inference client this object uses."""
        return self._client("inference", self._region(region=region))

    def _mgmt(self, ocid: str | None = None, region: str | None = None):
        return self._client("management", self._region(ocid, region))

    def _compartment(self, compartment_id: str | None) -> str:
        chosen = compartment_id or self.compartment_id
        if not chosen:
            raise InvalidArgument("compartment_id is required (the config names no tenancy)")
        return chosen

    @staticmethod
    def _pages(call: Callable, *args: Any, **kwargs: Any) -> Iterator[Any]:
        kwargs.setdefault("limit", PAGE_SIZE)
        while True:
            response = call(*args, **kwargs)
            data = response.data
            yield from (data.items if hasattr(data, "items") else data)
            if not response.next_page:
                return
            kwargs["page"] = response.next_page

    def _get(self, operation: str, convert: Callable, ocid: str, region: str | None):
        """Read one resource with the management client's ``operation`` and convert it."""
        response = getattr(self._mgmt(ocid, region), operation)(ocid)
        return convert(response.data, response)

    def _list(self, operation: str, compartment_id: str | None, region: str | None, **filters: Any) -> Iterator[Any]:
        """Every item (an SDK summary) of the management list call ``operation`` on the compartment;
        filters left ``None`` are not sent."""
        client = self._mgmt(region=region)
        yield from self._pages(getattr(client, operation), self._compartment(compartment_id), **_drop_none(**filters))

    # reads ----------------------------------------------------------------------------------
    def get_cluster(self, cluster_id: str, *, region: str | None = None) -> Cluster:
        return self._get("get_dedicated_ai_cluster", _cluster, cluster_id, region)

    def get_endpoint(self, endpoint_id: str, *, region: str | None = None) -> Endpoint:
        return self._get("get_endpoint", _endpoint, endpoint_id, region)

    def get_model(self, model_id: str, *, region: str | None = None) -> Model:
        return self._get("get_model", _model, model_id, region)

    def get_imported_model(self, imported_model_id: str, *, region: str | None = None) -> ImportedModel:
        return self._get("get_imported_model", _imported_model, imported_model_id, region)

    def get_work_request(self, work_request_id: str, *, region: str | None = None) -> WorkRequest:
        return self._get("get_work_request", _work_request, work_request_id, region)

    def work_request_errors(self, work_request_id: str, *, region: str | None = None) -> list[WorkRequestError]:
        client = self._mgmt(work_request_id, region)
        return [
            WorkRequestError(e.code, e.message, e.timestamp)
            for e in self._pages(client.list_work_request_errors, work_request_id)
        ]

    def work_request_logs(self, work_request_id: str, *, region: str | None = None) -> list[str]:
        client = self._mgmt(work_request_id, region)
        return [e.message for e in self._pages(client.list_work_request_logs, work_request_id)]

    # lists (every page, lazily) ------------------------------------------------------------------
    def clusters(
        self,
        compartment_id: str | None = None,
        *,
        lifecycle_state: str | None = None,
        display_name: str | None = None,
        region: str | None = None,
    ) -> Iterator[Cluster]:
        filters = {"lifecycle_state": lifecycle_state, "display_name": display_name}
        yield from map(_cluster, self._list("list_dedicated_ai_clusters", compartment_id, region, **filters))

    def endpoints(
        self,
        compartment_id: str | None = None,
        *,
        lifecycle_state: str | None = None,
        display_name: str | None = None,
        region: str | None = None,
    ) -> Iterator[Endpoint]:
        filters = {"lifecycle_state": lifecycle_state, "display_name": display_name}
        yield from map(_endpoint, self._list("list_endpoints", compartment_id, region, **filters))

    def models(
        self,
        capability: str | Sequence[str] | None = None,
        vendor: str | None = None,
        *,
        compartment_id: str | None = None,
        display_name: str | None = None,
        lifecycle_state: str | None = None,
        type: str | None = None,
        region: str | None = None,
    ) -> Iterator[Model]:
        """Base models of the catalog and the compartment's custom models. ``capability`` (one
        or several: any of them matches), ``vendor``, ``display_name`` and ``lifecycle_state``
        filter on the service; ``type`` (``BASE``/``CUSTOM``) filters here."""
        listed = self._list(
            "list_models",
            compartment_id,
            region,
            capability=_one_or_many(capability),
            vendor=vendor,
            display_name=display_name,
            lifecycle_state=lifecycle_state,
        )
        yield from (_model(item) for item in listed if type is None or item.type == type)

    def imported_models(
        self,
        compartment_id: str | None = None,
        *,
        capability: str | Sequence[str] | None = None,
        vendor: str | None = None,
        display_name: str | None = None,
        lifecycle_state: str | None = None,
        region: str | None = None,
    ) -> Iterator[ImportedModel]:
        listed = self._list(
            "list_imported_models",
            compartment_id,
            region,
            capability=_one_or_many(capability),
            vendor=vendor,
            display_name=display_name,
            lifecycle_state=lifecycle_state,
        )
        yield from map(_imported_model, listed)

    def work_requests(
        self,
        compartment_id: str | None = None,
        *,
        resource_id: str | None = None,
        status: str | None = None,
        region: str | None = None,
    ) -> Iterator[WorkRequest]:
        """Work requests of the compartment, newest first; ``resource_id`` keeps those acting on one resource."""
        region = region or region_from_ocid(resource_id)
        listed = self._list("list_work_requests", compartment_id, region, resource_id=resource_id, status=status)
        yield from map(_work_request, listed)

    def find_model(
        self,
        name: str,
        *,
        capability: str | None = None,
        version: str | None = None,
        compartment_id: str | None = None,
        region: str | None = None,
    ) -> Model:
        """The ACTIVE model called ``name`` (with ``capability``, of ``version``): the newest version
        when several match. Raises :class:`ModelNotFound` listing what exists otherwise."""
        found = [
            m
            for m in self.models(capability, compartment_id=compartment_id, display_name=name, region=region)
            if m.lifecycle_state == "ACTIVE" and (version is None or m.version == version)
        ]
        if not found:
            wanted = name + (f" with {capability}" if capability else "") + (f" version {version}" if version else "")
            raise ModelNotFound(f"no ACTIVE model {wanted} in compartment {self._compartment(compartment_id)}")
        return max(found, key=lambda m: (_version_key(m.version), m.time_created or 0))

    # waiting --------------------------------------------------------------------------------
    def wait_for_work_request(
        self, work_request_id: str, timeout: float = DEFAULT_TIMEOUT, *, region: str | None = None
    ) -> WorkRequest:
        """Poll the work request until it ends. Returns it when SUCCEEDED; raises
        :class:`WorkRequestFailed` (with the work request's error messages) when FAILED or
        CANCELED, :class:`WaitTimeout` when ``timeout`` seconds pass first."""
        backoff = _Backoff(self.poll_interval, self.max_poll_interval, timeout)
        while True:
            wr = self.get_work_request(work_request_id, region=region)
            if wr.finished:
                if wr.succeeded:
                    return wr
                raise WorkRequestFailed(wr, self.work_request_errors(work_request_id, region=region))
            progress = f"{wr.status} ({wr.percent_complete:g}% complete)"
            backoff.sleep(wr.id, wr.status, f"work request {wr.id} ({wr.operation_type}) is still {progress}")

    def wait_for_state(
        self,
        resource_id: str,
        state: str | Sequence[str] = "ACTIVE",
        timeout: float = DEFAULT_TIMEOUT,
        *,
        region: str | None = None,
    ):
        """Poll a cluster, endpoint, model or imported model until its lifecycle state is
        ``state`` (or one of several); returns it (``None`` when awaiting ``DELETED`` and it is
        gone). Raises :class:`ResourceFailed` when it ends FAILED (or DELETED while awaiting
        something else) and :class:`WaitTimeout` when ``timeout`` seconds pass first."""
        getter = _TYPES.get(_ocid_type(resource_id))
        if getter is None:
            raise InvalidArgument(f"{resource_id!r} is not the OCID of a cluster, endpoint, model or imported model")
        wanted = (state,) if isinstance(state, str) else tuple(state)
        backoff = _Backoff(self.poll_interval, self.max_poll_interval, timeout)
        while True:
            try:
                current = getattr(self, getter)(resource_id, region=region)
            except oci.exceptions.ServiceError as exc:
                if exc.status == 404 and "DELETED" in wanted:
                    return None
                raise
            if current.lifecycle_state in wanted:
                return current
            if current.lifecycle_state in ("FAILED", "DELETED"):
                raise ResourceFailed(resource_id, current.lifecycle_state, current.lifecycle_details)
            still = f"{resource_id} is still {current.lifecycle_state}, not {' or '.join(wanted)},"
            backoff.sleep(resource_id, current.lifecycle_state, still)

    def _settle(self, resource_id: str, work_request_id: str | None, state: str, timeout: float, region: str | None):
        """Wait for an operation's work request (if it has one), then for its resource to be
        ``state``: ``timeout`` seconds for both."""
        started = time.monotonic()
        if work_request_id:
            self.wait_for_work_request(work_request_id, timeout, region=region)
        left = max(0.0, timeout - (time.monotonic() - started))
        return self.wait_for_state(resource_id, state, left, region=region)

    def _create(
        self,
        operation: str,
        convert: Callable,
        details: Any,
        wait: bool,
        timeout: float,
        region: str | None,
        retry_token: str | None,
    ):
        """Send ``details`` with the management client's create ``operation``; with ``wait``, return
        the resource once ACTIVE (its final etag), keeping the create's work request id."""
        response = getattr(self._mgmt(region=region), operation)(details, **_drop_none(opc_retry_token=retry_token))
        created = convert(response.data, response)
        if not wait:
            return created
        final = self._settle(created.id, created.work_request_id, "ACTIVE", timeout, region)
        return dataclasses.replace(final, work_request_id=created.work_request_id)

    def _delete(
        self, operation: str, resource_id: str, wait: bool, timeout: float, if_match: str | None, region: str | None
    ) -> Deleted:
        response = getattr(self._mgmt(resource_id, region), operation)(resource_id, **_drop_none(if_match=if_match))
        return self._deleted(resource_id, response, wait, timeout, region)

    def _deleted(self, resource_id: str, response, wait: bool, timeout: float, region: str | None) -> Deleted:
        """The outcome of an accepted delete; with ``wait``, once the resource is gone."""
        headers = _headers(response)
        if wait:
            self._settle(resource_id, headers["work_request_id"], "DELETED", timeout, region)
        return Deleted(resource_id, wait, headers["work_request_id"], headers["opc_request_id"])

    # clusters -------------------------------------------------------------------------------
    def create_cluster(
        self,
        unit_shape: str,
        *,
        type: str = "HOSTING",
        unit_count: int = 1,
        display_name: str | None = None,
        description: str | None = None,
        compartment_id: str | None = None,
        freeform_tags: dict[str, str] | None = None,
        wait: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
        region: str | None = None,
        retry_token: str | None = None,
    ) -> Cluster:
        """Create a dedicated AI cluster (``type`` HOSTING or FINE_TUNING); with ``wait`` (the
        default) return it once ACTIVE, else as accepted (CREATING)."""
        if type not in ("HOSTING", "FINE_TUNING"):
            raise InvalidArgument(f"type must be HOSTING or FINE_TUNING, not {type!r}")
        if isinstance(unit_count, bool) or not isinstance(unit_count, int) or unit_count < 1:
            raise InvalidArgument(f"unit_count must be an integer >= 1, not {unit_count!r}")
        details = mgmt.CreateDedicatedAiClusterDetails(
            compartment_id=self._compartment(compartment_id),
            type=type,
            unit_shape=unit_shape,
            unit_count=unit_count,
            display_name=display_name,
            description=description,
            freeform_tags=freeform_tags,
        )
        return self._create("create_dedicated_ai_cluster", _cluster, details, wait, timeout, region, retry_token)

    def delete_cluster(
        self,
        cluster_id: str,
        *,
        wait: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
        if_match: str | None = None,
        region: str | None = None,
    ) -> Deleted:
        """Delete a cluster (it must hold no endpoint and no custom model: else 409)."""
        return self._delete("delete_dedicated_ai_cluster", cluster_id, wait, timeout, if_match, region)

    # endpoints ------------------------------------------------------------------------------
    def create_endpoint(
        self,
        cluster_id: str,
        model_id: str,
        *,
        display_name: str | None = None,
        description: str | None = None,
        content_moderation: bool | None = None,
        compartment_id: str | None = None,
        freeform_tags: dict[str, str] | None = None,
        wait: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
        region: str | None = None,
        retry_token: str | None = None,
    ) -> Endpoint:
        """Serve ``model_id`` (a base, custom or imported model OCID) on the HOSTING cluster
        ``cluster_id``; with ``wait`` (the default) return the endpoint once ACTIVE."""
        for name, value in (("cluster_id", cluster_id), ("model_id", model_id)):
            if not _is_ocid(value):
                raise InvalidArgument(f"{name} must be an OCID, not {value!r} (find_model() looks models up by name)")
        details = mgmt.CreateEndpointDetails(
            compartment_id=self._compartment(compartment_id),
            dedicated_ai_cluster_id=cluster_id,
            model_id=model_id,
            display_name=display_name,
            description=description,
            freeform_tags=freeform_tags,
            content_moderation_config=(
                mgmt.ContentModerationConfig(is_enabled=content_moderation) if content_moderation is not None else None
            ),
        )
        region = region or region_from_ocid(cluster_id)
        return self._create("create_endpoint", _endpoint, details, wait, timeout, region, retry_token)

    def delete_endpoint(
        self,
        endpoint_id: str,
        *,
        wait: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
        if_match: str | None = None,
        region: str | None = None,
    ) -> Deleted:
        """Delete an endpoint (its cluster slot is freed); with ``wait`` return once it is gone."""
        return self._delete("delete_endpoint", endpoint_id, wait, timeout, if_match, region)

    # models ---------------------------------------------------------------------------------
    def delete_model(
        self,
        model_id: str,
        *,
        wait: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
        if_match: str | None = None,
        region: str | None = None,
    ) -> Deleted:
        """Delete a custom model (409 while endpoints serve it)."""
        return self._delete("delete_model", model_id, wait, timeout, if_match, region)

    def import_model(
        self,
        source: mgmt.ModelDataSource,
        *,
        display_name: str | None = None,
        capabilities: Sequence[str] | None = None,
        vendor: str | None = None,
        version: str | None = None,
        description: str | None = None,
        compartment_id: str | None = None,
        wait: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
        region: str | None = None,
        retry_token: str | None = None,
    ) -> ImportedModel:
        """Import weights (:func:`hugging_face_source` or :func:`object_storage_source`)."""
        if not isinstance(source, mgmt.ModelDataSource):
            raise InvalidArgument("source must come from hugging_face_source(...) or object_storage_source(...)")
        details = mgmt.CreateImportedModelDetails(
            compartment_id=self._compartment(compartment_id),
            data_source=source,
            display_name=display_name,
            capabilities=list(capabilities) if capabilities else None,
            vendor=vendor,
            version=version,
            description=description,
        )
        return self._create("create_imported_model", _imported_model, details, wait, timeout, region, retry_token)

    def delete_imported_model(
        self,
        imported_model_id: str,
        *,
        wait: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
        if_match: str | None = None,
        region: str | None = None,
    ) -> Deleted:
        return self._delete("delete_imported_model", imported_model_id, wait, timeout, if_match, region)

    # fine-tuning ----------------------------------------------------------------------------
    def fine_tune(
        self,
        base_model: str,
        dataset: mgmt.Dataset | str,
        cluster_id: str,
        *,
        config: mgmt.TrainingConfig | None = None,
        display_name: str | None = None,
        version: str | None = None,
        description: str | None = None,
        vendor: str | None = None,
        compartment_id: str | None = None,
        freeform_tags: dict[str, str] | None = None,
        wait: bool = False,
        timeout: float = FINE_TUNE_TIMEOUT,
        region: str | None = None,
        retry_token: str | None = None,
    ) -> Model:
        """Fine-tune ``base_model`` (an OCID, or a name looked up with the FINE_TUNE capability)
        on ``dataset`` (an :func:`object_storage_dataset` or ``oci://bucket@namespace/object``)
        with the FINE_TUNING cluster ``cluster_id``: creates the custom model and returns it,
        CREATING, or ACTIVE with ``wait``. Arguments are checked before any request."""
        details = builders.fine_tune_details(dataset, cluster_id, config)
        region = region or region_from_ocid(cluster_id)
        if not _is_ocid(base_model):
            base_model = self.find_model(base_model, capability="FINE_TUNE", compartment_id=compartment_id, region=region).id
        create = mgmt.CreateModelDetails(
            compartment_id=self._compartment(compartment_id),
            base_model_id=base_model,
            fine_tune_details=details,
            display_name=display_name,
            version=version,
            description=description,
            vendor=vendor,
            freeform_tags=freeform_tags,
        )
        return self._create("create_model", _model, create, wait, timeout, region, retry_token)

    def get_fine_tune(self, model_id: str, *, region: str | None = None) -> FineTune:
        """The fine-tuning job that makes custom model ``model_id``."""
        response = self._mgmt(model_id, region).get_model(model_id)
        if response.data.type != "CUSTOM" or response.data.fine_tune_details is None:
            raise InvalidArgument(f"{model_id} is a {response.data.type} model, not a fine-tuned one")
        return _fine_tune(response.data, response)

    def list_fine_tunes(
        self, compartment_id: str | None = None, *, status: str | None = None, region: str | None = None
    ) -> Iterator[FineTune]:
        """Every fine-tuning job (custom model) of the compartment; ``status`` is a lifecycle state."""
        listed = self._list("list_models", compartment_id, region, lifecycle_state=status)
        yield from (_fine_tune(item) for item in listed if item.type == "CUSTOM" and item.fine_tune_details is not None)

    def cancel_fine_tune(
        self, model_id: str, *, wait: bool = False, timeout: float = DEFAULT_TIMEOUT, region: str | None = None
    ) -> CancelResult:
        """Cancel a job still training: delete its custom model while CREATING. A job that already
        ended (or that the service refuses to stop) is left alone, with ``success=False``."""
        job = self.get_fine_tune(model_id, region=region)
        if job.status != "CREATING":
            return CancelResult(model_id, False, job.status, f"the job already ended ({job.status})", None, job.opc_request_id)
        try:
            # no retries: the SDK's default strategy retries 409 IncorrectState for minutes
            response = self._mgmt(model_id, region).delete_model(model_id, retry_strategy=oci.retry.NoneRetryStrategy())
        except oci.exceptions.ServiceError as exc:
            if exc.status == 409:
                return CancelResult(model_id, False, job.status, f"{exc.code}: {exc.message}", None, exc.request_id)
            raise
        deleted = self._deleted(model_id, response, wait, timeout, region)
        status = "DELETED" if wait else "DELETING"
        return CancelResult(model_id, True, status, "cancelled", deleted.work_request_id, deleted.opc_request_id)
