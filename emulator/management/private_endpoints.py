"""Generative AI private endpoints: a VNIC in the customer's subnet, reached by an FQDN the service
assigns, through which endpoints (and hosted applications) are served privately.

What Oracle does not document is a guess, listed in the README's known differences: the FQDN's
shape (``<dnsPrefix>.pe.inference.generativeai.<region>.oci.oraclecloud.com``), a DNS-label rule
for ``dnsPrefix`` and its uniqueness in a tenancy, the private IP (derived from the id), and that a
private endpoint still used by endpoints or hosted applications cannot be deleted.
"""

from __future__ import annotations

import hashlib
import re

from ..call import Call, Result, operation
from ..kinds import ResourceKind
from ..protocol import errors, limits
from ..store import Record
from . import resources

KIND = ResourceKind(
    name="privateendpoint",
    model="GenerativeAiPrivateEndpoint",
    label="private endpoint",
    type_token="generativeaiprivateendpoint",
    list_operation="list_generative_ai_private_endpoints",
    entity_type="GenerativeAiPrivateEndpoint",
    uri="/20231130/generativeAiPrivateEndpoints/{id}",
    operation_types={
        "create": "CREATE_PRIVATE_ENDPOINT",
        "update": "UPDATE_PRIVATE_ENDPOINT",
        "delete": "DELETE_PRIVATE_ENDPOINT",
        "move": "MOVE_PRIVATE_ENDPOINT",
    },
)
TENANCY_LIMIT = limits.PRIVATE_ENDPOINTS_PER_TENANCY
# Hosted applications (both variants) reach their private endpoint through this field.
APPLICATION_KINDS = ("hostedapplication", "hostedapplicationiam")
APPLICATION_FIELD = "networkingConfig.inboundNetworkingConfig.privateEndpointId"
DNS_LABEL = re.compile(r"^[a-z][a-z0-9-]{0,62}$", re.I)


def fqdn(call: Call, dns_prefix: str) -> str:
    return f"{dns_prefix.lower()}.pe.inference.generativeai.{call.env.settings.region}.oci.oraclecloud.com"


def _live(call: Call) -> list[Record]:
    return [r for r in call.store.find(KIND.name, call.tenancy) if r.doc["lifecycleState"] not in resources.GONE]


def _check_dns_prefix(call: Call, dns_prefix: str, exclude: str | None = None) -> None:
    if not DNS_LABEL.match(dns_prefix):
        raise errors.invalid_parameter(
            f"Invalid dnsPrefix {dns_prefix!r}: it must be a DNS label (a letter, then up to 62 letters, digits or '-')."
        )
    taken = [r for r in _live(call) if r.id != exclude and r.doc["dnsPrefix"].lower() == dns_prefix.lower()]
    if taken:
        raise errors.conflict(f"The dnsPrefix {dns_prefix!r} is already used by the private endpoint {taken[0].id}.")


def _private_ip(call: Call, body: dict) -> str:
    """An address in the subnet (a 10.0.0.0/16 stand-in), stable for the same request."""
    digest = hashlib.sha256(f"{call.tenancy}|{body['subnetId']}|{body['dnsPrefix']}|{call.now}".encode()).digest()
    return f"10.0.{digest[0]}.{digest[1] % 254 + 1}"


@operation
def create_generative_ai_private_endpoint(call: Call) -> Result:
    body = call.body
    if len(_live(call)) >= TENANCY_LIMIT:
        raise errors.limit_exceeded(
            f"The tenancy already has {TENANCY_LIMIT} private endpoints, the limit private-endpoint-count."
        )
    _check_dns_prefix(call, body["dnsPrefix"])
    doc = dict(
        body,
        fqdn=fqdn(call, body["dnsPrefix"]),
        privateEndpointIp=_private_ip(call, body),
        lifecycleDetails="Creating the private endpoint.",
    )
    doc.setdefault("isAllowOnDemand", False)
    doc.setdefault("nsgIds", [])
    return resources.create(call, KIND, doc, done="The private endpoint is active.")


@operation
def get_generative_ai_private_endpoint(call: Call) -> Result:
    return resources.get(call, KIND, call.path["generativeAiPrivateEndpointId"])


@operation
def list_generative_ai_private_endpoints(call: Call) -> Result:
    return resources.list_page(call, KIND)


def _check_update(call: Call, rec: Record) -> None:
    dns_prefix = call.body.get("dnsPrefix")
    if dns_prefix is not None:
        _check_dns_prefix(call, dns_prefix, exclude=rec.id)
        rec.doc["fqdn"] = fqdn(call, dns_prefix)


@operation
def update_generative_ai_private_endpoint(call: Call) -> Result:
    return resources.update(call, KIND, call.path["generativeAiPrivateEndpointId"], check=_check_update)


def check_usable_by(call: Call, pe_id: str, resource_type: str, field: str) -> None:
    """An endpoint (an application) may be reached through an ACTIVE private endpoint of the caller
    made for endpoints (applications)."""
    pe = resources.load_related(call, KIND, pe_id, field)
    if pe.doc["lifecycleState"] != "ACTIVE":
        raise errors.incorrect_state(f"The private endpoint {pe.id} is {pe.doc['lifecycleState']}; it must be ACTIVE.")
    if pe.doc.get("resourceType", "ENDPOINT") != resource_type:
        raise errors.invalid_parameter(
            f"The private endpoint {pe.id} is for {pe.doc.get('resourceType', 'ENDPOINT')} resources, not {resource_type} ones."
        )


def check_usable_by_endpoint(call: Call, pe_id: str) -> None:
    check_usable_by(call, pe_id, "ENDPOINT", "generativeAiPrivateEndpointId")


def _refuse_if_in_use(call: Call, rec: Record) -> None:
    users = resources.in_use_by_endpoints(call, "generativeAiPrivateEndpointId", rec.id)
    for app_kind in APPLICATION_KINDS:
        users += resources.living(call, app_kind, **{APPLICATION_FIELD: rec.id})
    if users:
        names = ", ".join(e.id for e in users)
        raise errors.conflict(f"The private endpoint {rec.id} is used by {names}; detach or delete them first.")


@operation
def delete_generative_ai_private_endpoint(call: Call) -> Result:
    return resources.delete(call, KIND, call.path["generativeAiPrivateEndpointId"], check=_refuse_if_in_use)


@operation
def change_generative_ai_private_endpoint_compartment(call: Call) -> Result:
    return resources.change_compartment(call, KIND, call.path["generativeAiPrivateEndpointId"])
