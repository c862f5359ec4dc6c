"""Hosted applications and their IAM variant: the shared configuration (scaling, storages,
networking, environment, and for the non-IAM variant inbound auth and public paths) of an agent or
MCP application whose hosted deployments run its containers.

Create, update and delete are asynchronous; update answers with no body, as the SDK declares; a
move is synchronous. Known differences (README): the SDK's work-request enum has no value naming
hosted applications, so the emulator reports ``CREATE|UPDATE|DELETE_APPLICATION_DEPLOYMENT`` with
entity type ``HostedApplication`` (``HostedApplicationIam``); the default scaling, the shape of
``applicationEndpoint``, the rules on names, values and paths below are guesses; an application
that still has deployments cannot be deleted (409), and storages and private endpoints it uses
cannot be deleted while it lives.
"""

from __future__ import annotations

import hashlib
import re

from ..call import Call, Result, operation
from ..kinds import ResourceKind
from ..protocol import errors
from ..protocol.ids import ocid_type
from ..store import Record
from . import hosted_application_storages as storages
from . import private_endpoints, resources

OPERATION_TYPES = {
    "create": "CREATE_APPLICATION_DEPLOYMENT",
    "update": "UPDATE_APPLICATION_DEPLOYMENT",
    "delete": "DELETE_APPLICATION_DEPLOYMENT",
}
APPLICATION = ResourceKind(
    name="hostedapplication",
    label="hosted application",
    model="HostedApplication",
    type_token="generativeaihostedapplication",
    list_operation="list_hosted_applications",
    entity_type="HostedApplication",
    uri="/20231130/hostedApplications/{id}",
    operation_types=OPERATION_TYPES,
)
APPLICATION_IAM = ResourceKind(
    name="hostedapplicationiam",
    label="hosted application (IAM)",
    model="HostedApplicationIam",
    type_token="generativeaihostedapplicationiam",
    list_operation="list_hosted_applications_iam",
    entity_type="HostedApplicationIam",
    uri="/20231130/hostedApplicationsIam/{id}",
    operation_types=OPERATION_TYPES,
)
KINDS = (APPLICATION, APPLICATION_IAM)
DEPLOYMENT_KIND = "hosteddeployment"  # hosted_deployments.KIND.name (that module builds on this one)
DEFAULT_THRESHOLDS = {
    "CPU": ("targetCpuThreshold", 70),
    "MEMORY": ("targetMemoryThreshold", 70),
    "CONCURRENCY": ("targetConcurrencyThreshold", 10),
    "REQUESTS_PER_SECOND": ("targetRpsThreshold", 100),
}
PERCENT_THRESHOLDS = ("targetCpuThreshold", "targetMemoryThreshold")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
IDCS_TYPES = ("IDCS_AUTH_CONFIG", "IDCS_SESSION_AUTH_CONFIG")
INBOUND, OUTBOUND = "networkingConfig.inboundNetworkingConfig", "networkingConfig.outboundNetworkingConfig"


def kind_of(app_id: str) -> ResourceKind:
    """The variant an application id names (IAM applications have their own OCID type)."""
    return APPLICATION_IAM if APPLICATION_IAM.owns(app_id) else APPLICATION


# -- checks of a request's configuration -----------------------------------------------------------


def _scaling(config: dict | None) -> dict:
    """The scaling configuration with the service's defaults filled in, or 400."""
    config = dict(config or {"scalingType": "CPU"})
    config.setdefault("minReplica", 1)
    config.setdefault("maxReplica", max(3, config["minReplica"]))
    field, default = DEFAULT_THRESHOLDS[config["scalingType"]]
    config.setdefault(field, default)
    if not 1 <= config["minReplica"] <= config["maxReplica"]:
        raise errors.invalid_parameter(
            "Invalid scalingConfig: minReplica must be at least 1 and at most maxReplica "
            f"(got {config['minReplica']} and {config['maxReplica']})."
        )
    for name, value in config.items():
        most = 100 if name in PERCENT_THRESHOLDS else None
        if name.startswith("target") and not (1 <= value and (most is None or value <= most)):
            allowed = "1 to 100 (percent)" if most else "at least 1"
            raise errors.invalid_parameter(f"Invalid scalingConfig.{name} {value}: it must be {allowed}.")
    return config


def _check_environment(variables: list[dict], storage_keys: list[str]) -> None:
    names = [v["name"] for v in variables] + storage_keys
    for variable in variables:
        if not ENV_NAME.match(variable["name"]):
            raise errors.invalid_parameter(
                f"Invalid environment variable name {variable['name']!r}: "
                "use letters, digits and '_', not starting with a digit."
            )
        value = variable["value"]
        if not isinstance(value, str):
            raise errors.invalid_parameter(f"The environment variable {variable['name']} must have a string value.")
        if variable["type"] == "VAULT" and ocid_type(value) != "vaultsecret":
            raise errors.invalid_parameter(
                f"The VAULT environment variable {variable['name']} must name a vault secret (ocid1.vaultsecret...)."
            )
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise errors.invalid_parameter(
            f"Environment variable name(s) {', '.join(duplicates)} given more than once "
            "(in environmentVariables or as a storageConfigs environmentVariableKey)."
        )


def _check_auth(body: dict) -> None:
    auth = body.get("inboundAuthConfig")
    if auth is None:
        return
    if auth["inboundAuthConfigType"] in IDCS_TYPES and "idcsConfig" not in auth:
        raise errors.missing_parameter(
            f"inboundAuthConfig.idcsConfig is required for {auth['inboundAuthConfigType']}."
        )
    if auth["inboundAuthConfigType"] == "NO_AUTH_CONFIG" and "idcsConfig" in auth:
        raise errors.invalid_parameter("inboundAuthConfig.idcsConfig must be omitted for NO_AUTH_CONFIG.")
    for pattern in body.get("publicAccessPathPatterns") or ():
        if not pattern.startswith("/"):
            raise errors.invalid_parameter(
                f"Invalid publicAccessPathPatterns entry {pattern!r}: a path starts with '/'."
            )


def _check_networking(call: Call, networking: dict | None) -> None:
    if networking is None:
        return
    inbound, outbound = networking["inboundNetworkingConfig"], networking["outboundNetworkingConfig"]
    pe_id = inbound.get("privateEndpointId")
    if inbound["endpointMode"] == "PRIVATE":
        if pe_id is None:
            raise errors.missing_parameter(f"{INBOUND}.privateEndpointId is required for PRIVATE.")
        private_endpoints.check_usable_by(call, pe_id, "APPLICATION", f"{INBOUND}.privateEndpointId")
    elif pe_id is not None:
        raise errors.invalid_parameter(f"{INBOUND}.privateEndpointId is only for PRIVATE.")
    if outbound["networkMode"] == "CUSTOM" and "customSubnetId" not in outbound:
        raise errors.missing_parameter(f"{OUTBOUND}.customSubnetId is required for CUSTOM.")
    if outbound["networkMode"] == "MANAGED" and ("customSubnetId" in outbound or outbound.get("nsgIds")):
        raise errors.invalid_parameter(f"{OUTBOUND}: customSubnetId and nsgIds are only for CUSTOM.")


def _storage_ids(doc: dict) -> list[str]:
    return [s["storageId"] for s in doc.get("storageConfigs") or ()]


# -- operations ------------------------------------------------------------------------------------


def _create(call: Call, kind: ResourceKind) -> Result:
    body = call.body
    _check_auth(body)
    _check_networking(call, body.get("networkingConfig"))
    storages.check_usable(call, _storage_ids(body))
    storage_keys = [s["environmentVariableKey"] for s in body.get("storageConfigs") or ()]
    _check_environment(body.get("environmentVariables") or [], storage_keys)
    doc = dict(body, scalingConfig=_scaling(body.get("scalingConfig")), lifecycleDetails=f"Creating the {kind.label}.")
    doc.setdefault("environmentVariables", [])
    doc.setdefault("storageConfigs", [])
    on_finish = {"applicationEndpoint": _endpoint(call, body)} if kind is APPLICATION else None
    with call.store.transaction():
        result = resources.create(call, kind, doc, done=f"The {kind.label} is active.", on_finish=on_finish)
        storages.link(call, _storage_ids(doc), result.body["id"], used=True)
    return result


def _endpoint(call: Call, body: dict) -> str:
    """The FQDN that serves the application's active deployment (shown once the application is ACTIVE)."""
    digest = hashlib.sha256(f"{call.tenancy}|{body['displayName']}|{call.now}".encode()).hexdigest()[:20]
    return f"{digest}.apps.generativeai.{call.env.settings.region}.oci.oraclecloud.com"


def _check_update(call: Call, rec: Record) -> None:
    body = call.body
    _check_auth(body)
    storage_keys = [s["environmentVariableKey"] for s in rec.doc.get("storageConfigs") or ()]
    _check_environment(body.get("environmentVariables", rec.doc.get("environmentVariables") or []), storage_keys)
    if "scalingConfig" in body:
        body["scalingConfig"] = _scaling(body["scalingConfig"])


def _update(call: Call, kind: ResourceKind, rid: str) -> Result:
    result = resources.update(call, kind, rid, check=_check_update)
    return Result(etag=result.etag, work_request_id=result.work_request_id)  # the SDK declares no body


def _before_delete(call: Call, rec: Record) -> None:
    """Refuse while deployments live (409); then the storages it used are free of it."""
    deployments = resources.living(call, DEPLOYMENT_KIND, hostedApplicationId=rec.id)
    if deployments:
        raise errors.conflict(
            f"The {call.env.kinds[rec.kind].label} {rec.id} still has {len(deployments)} hosted deployment(s); "
            "delete them first."
        )
    storages.link(call, _storage_ids(rec.doc), rec.id, used=False)


def _delete(call: Call, kind: ResourceKind, rid: str) -> Result:
    with call.store.transaction():
        return resources.delete(call, kind, rid, check=_before_delete)


@operation
def create_hosted_application(call: Call) -> Result:
    return _create(call, APPLICATION)


@operation
def get_hosted_application(call: Call) -> Result:
    return resources.get(call, APPLICATION, call.path["hostedApplicationId"])


@operation
def list_hosted_applications(call: Call) -> Result:
    return resources.list_page(call, APPLICATION)


@operation
def update_hosted_application(call: Call) -> Result:
    return _update(call, APPLICATION, call.path["hostedApplicationId"])


@operation
def delete_hosted_application(call: Call) -> Result:
    return _delete(call, APPLICATION, call.path["hostedApplicationId"])


@operation
def change_hosted_application_compartment(call: Call) -> Result:
    return resources.change_compartment(call, APPLICATION, call.path["hostedApplicationId"])


@operation
def create_hosted_application_iam(call: Call) -> Result:
    return _create(call, APPLICATION_IAM)


@operation
def get_hosted_application_iam(call: Call) -> Result:
    return resources.get(call, APPLICATION_IAM, call.path["hostedApplicationIamId"])


@operation
def list_hosted_applications_iam(call: Call) -> Result:
    return resources.list_page(call, APPLICATION_IAM)


@operation
def update_hosted_application_iam(call: Call) -> Result:
    return _update(call, APPLICATION_IAM, call.path["hostedApplicationIamId"])


@operation
def delete_hosted_application_iam(call: Call) -> Result:
    return _delete(call, APPLICATION_IAM, call.path["hostedApplicationIamId"])


@operation
def change_hosted_application_iam_compartment(call: Call) -> Result:
    return resources.change_compartment(call, APPLICATION_IAM, call.path["hostedApplicationIamId"])
