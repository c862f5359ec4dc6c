"""Routing profiles: which regions and on-demand models Smart Router may send a request to.

Every operation is synchronous (no work request): a profile is ACTIVE as soon as it is made and
DELETED as soon as it is deleted. Both policy lists keep their order and refuse duplicates (SDK);
a model must be one the catalog serves on demand (Oracle: profiles cover on-demand models only),
named by name or alias. Known differences (README): regions are checked for form only; an update
keeps what the profile was in ``previousState``.
"""

from __future__ import annotations

from ..call import Call, Result, operation
from ..kinds import ResourceKind
from ..lifecycle import parse_iso
from ..protocol import errors
from ..settings import REGION_RE
from ..store import Record
from . import resources

KIND = ResourceKind(
    name="routingprofile",
    label="routing profile",
    model="RoutingProfile",
    type_token="generativeairoutingprofile",
    list_operation="list_routing_profiles",
)
POLICIES = {"regionRoutingPolicy": "allowedRegions", "modelRoutingPolicy": "allowedModels"}


def _on_demand_names(call: Call) -> set[str]:
    """Names and aliases of the catalog's models served on demand and not retired."""
    names: set[str] = set()
    for model in call.env.catalog.models:
        retired = model.enforced_date("timeOnDemandRetired")
        if model.extras.get("xOnDemand") and not (retired and parse_iso(retired) <= call.now):
            names.update([model.name, *model.extras.get("xAliases", [])])
    return names


def _check_policies(call: Call, body: dict) -> None:
    for policy, field in POLICIES.items():
        values = (body.get(policy) or {}).get(field) or []
        twice = sorted({v for v in values if values.count(v) > 1})
        if twice:
            raise errors.invalid_parameter(f"{policy}.{field} names {', '.join(twice)} more than once.")
    for region in (body.get("regionRoutingPolicy") or {}).get("allowedRegions") or []:
        if not REGION_RE.fullmatch(region):
            raise errors.invalid_parameter(
                f"Invalid regionRoutingPolicy.allowedRegions entry {region!r}: "
                "use a region identifier such as us-chicago-1."
            )
    models = (body.get("modelRoutingPolicy") or {}).get("allowedModels") or []
    unknown = [m for m in models if m not in _on_demand_names(call)] if models else []
    if unknown:
        raise errors.invalid_parameter(
            f"modelRoutingPolicy.allowedModels names {', '.join(unknown)}, which no region serves on demand; "
            "a routing profile covers on-demand models (list_models shows them)."
        )


@operation
def create_routing_profile(call: Call) -> Result:
    _check_policies(call, call.body)
    return resources.create(call, KIND, dict(call.body), done="The routing profile is active.")


@operation
def get_routing_profile(call: Call) -> Result:
    return resources.get(call, KIND, call.path["routingProfileId"])


@operation
def list_routing_profiles(call: Call) -> Result:
    return resources.list_page(call, KIND)


def _check_update(call: Call, rec: Record) -> None:
    _check_policies(call, call.body)
    rec.doc["previousState"] = {k: v for k, v in rec.doc.items() if k != "previousState"}


@operation
def update_routing_profile(call: Call) -> Result:
    return resources.update(call, KIND, call.path["routingProfileId"], check=_check_update)


@operation
def delete_routing_profile(call: Call) -> Result:
    return resources.delete(call, KIND, call.path["routingProfileId"])


@operation
def change_routing_profile_compartment(call: Call) -> Result:
    return resources.change_compartment(call, KIND, call.path["routingProfileId"])
