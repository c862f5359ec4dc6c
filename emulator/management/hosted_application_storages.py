"""Hosted application storages: managed storage (a cache, PostgreSQL or an Autonomous Database)
that hosted applications name in their ``storageConfigs``.

Create and delete are asynchronous (work requests ``CREATE_APPLICATION_STORAGE`` and
``DELETE_APPLICATION_STORAGE``); a move is synchronous, and there is no update. ``applicationIds``
lists the applications that use the storage (``hosted_applications.py`` keeps it); a storage that
living applications use cannot be deleted (409, a guess: the SDK's docstring was copied from
another resource).
"""

from __future__ import annotations

from ..call import Call, Result, operation
from ..kinds import ResourceKind
from ..protocol import errors
from ..store import Record
from . import resources

KIND = ResourceKind(
    name="hostedapplicationstorage",
    label="hosted application storage",
    model="HostedApplicationStorage",
    type_token="generativeaihostedapplicationstorage",
    list_operation="list_hosted_application_storages",
    entity_type="HostedApplicationStorage",
    uri="/20231130/hostedApplicationStorages/{id}",
    operation_types={"create": "CREATE_APPLICATION_STORAGE", "delete": "DELETE_APPLICATION_STORAGE"},
)


@operation
def create_hosted_application_storage(call: Call) -> Result:
    doc = dict(call.body, applicationIds=[], lifecycleDetails="Creating the hosted application storage.")
    return resources.create(call, KIND, doc, done="The hosted application storage is active.")


@operation
def get_hosted_application_storage(call: Call) -> Result:
    return resources.get(call, KIND, call.path["hostedApplicationStorageId"])


@operation
def list_hosted_application_storages(call: Call) -> Result:
    return resources.list_page(call, KIND, renames={"hostedApplicationStorageType": "storageType"})


def _refuse_if_used(call: Call, rec: Record) -> None:
    if rec.doc["applicationIds"]:
        raise errors.conflict(
            f"The hosted application storage {rec.id} is used by the application(s) "
            f"{', '.join(rec.doc['applicationIds'])}; delete them first."
        )


@operation
def delete_hosted_application_storage(call: Call) -> Result:
    return resources.delete(call, KIND, call.path["hostedApplicationStorageId"], check=_refuse_if_used)


@operation
def change_hosted_application_storage_compartment(call: Call) -> Result:
    return resources.change_compartment(call, KIND, call.path["hostedApplicationStorageId"])


def check_usable(call: Call, storage_ids: list[str], field: str = "storageConfigs") -> None:
    """An application may use the caller's ACTIVE storages (400/409 otherwise), one of each ``storageType``."""
    storages = [resources.load_related(call, KIND, sid, f"{field}[{i}].storageId") for i, sid in enumerate(storage_ids)]
    types = [s.doc["storageType"] for s in storages]
    for storage in storages:
        if storage.doc["lifecycleState"] != "ACTIVE":
            raise errors.incorrect_state(
                f"The hosted application storage {storage.id} is {storage.doc['lifecycleState']}; it must be ACTIVE."
            )
        if types.count(storage.doc["storageType"]) > 1:
            raise errors.invalid_parameter(
                f"{field} names more than one {storage.doc['storageType']} storage; an application may use at "
                "most one managed storage of each type."
            )


def link(call: Call, storage_ids: list[str], app_id: str, *, used: bool) -> None:
    """Add the application ``app_id`` to (or, ``used=False``, remove it from) the storages' ``applicationIds``."""
    for sid in storage_ids:
        storage = call.store.get(KIND.name, sid, call.tenancy)
        if storage is None:
            continue
        others = [a for a in storage.doc["applicationIds"] if a != app_id]
        storage.doc["applicationIds"] = [*others, app_id] if used else others
        resources.save(call, storage)
