"""Vector store connectors ("data sync connectors" in the Console): what keeps an OpenAI-compatible
vector store in step with Object Storage buckets, synced by hand or on a schedule.

Create, update and delete are asynchronous (work requests ``CREATE_VECTOR_STORE_CONNECTOR``,
``UPDATE_VECTOR_STORE_CONNECTOR``, ``DELETE_VECTOR_STORE_CONNECTOR``); there is no compartment
move. Its file syncs, statistics and ingestion logs are in ``connector_file_syncs.py``.

Known differences (undocumented, guessed): ``vectorStoreId`` is not checked (the SDK takes an
OCID there, while the emulator's OpenAI-compatible vector stores have ``vs_`` ids); a schedule's
``timeStart`` defaults to the time of the request and must come before ``timeEnd``; a CRON
expression has five or six fields; a connector with a running file sync cannot be deleted (409);
schedules are kept, but no sync runs on them (trigger file syncs by hand).
"""

from __future__ import annotations

from ..call import Call, Result, operation
from ..kinds import ResourceKind
from ..lifecycle import parse_iso
from ..protocol import errors
from ..store import Record
from . import resources

KIND = ResourceKind(
    name="vectorstoreconnector",
    label="vector store connector",
    model="VectorStoreConnector",
    type_token="generativeaivectorstoreconnector",
    list_operation="list_vector_store_connectors",
    entity_type="GenerativeAiVectorStoreConnector",
    uri="/20231130/vectorStoreConnectors/{id}",
    operation_types={
        "create": "CREATE_VECTOR_STORE_CONNECTOR",
        "update": "UPDATE_VECTOR_STORE_CONNECTOR",
        "delete": "DELETE_VECTOR_STORE_CONNECTOR",
    },
)
FILE_SYNC_KIND = "vectorstoreconnectorfilesync"  # connector_file_syncs.KIND's name
RUNNING = ("ACCEPTED", "IN_PROGRESS", "CANCELING")


def _check_schedule(call: Call, body: dict) -> None:
    schedule = body.get("scheduleConfig")
    if not schedule:
        return
    schedule.setdefault("timeStart", call.stamp)
    schedule.setdefault("state", "ENABLED")
    cron = schedule.get("cronExpression")
    if schedule["configType"] == "CRON" and not 5 <= len(str(cron or "").split()) <= 6:
        raise errors.invalid_parameter(
            f"Invalid scheduleConfig.cronExpression {cron!r}: five or six fields, such as '0 2 * * *'."
        )
    interval = schedule.get("interval")
    if schedule["configType"] == "INTERVAL" and not (isinstance(interval, int) and interval >= 1):
        raise errors.invalid_parameter("Invalid scheduleConfig.interval: a whole number of hours or days, at least 1.")
    if schedule.get("timeEnd") and parse_iso(schedule["timeEnd"]) <= parse_iso(schedule["timeStart"]):
        raise errors.invalid_parameter("Invalid scheduleConfig.timeEnd: it must come after timeStart.")


@operation
def create_vector_store_connector(call: Call) -> Result:
    _check_schedule(call, call.body)
    doc = dict(call.body, tenantId=call.tenancy, lifecycleDetails="Creating the vector store connector.")
    return resources.create(call, KIND, doc, done="The vector store connector is active.")


@operation
def get_vector_store_connector(call: Call) -> Result:
    return resources.get(call, KIND, call.path["vectorStoreConnectorId"])


@operation
def list_vector_store_connectors(call: Call) -> Result:
    return resources.list_page(call, KIND)


@operation
def update_vector_store_connector(call: Call) -> Result:
    rid = call.path["vectorStoreConnectorId"]
    return resources.update(call, KIND, rid, check=lambda c, _: _check_schedule(c, c.body))


def running_syncs(call: Call, connector_id: str) -> list[Record]:
    syncs = call.store.find(FILE_SYNC_KIND, call.tenancy, vectorStoreConnectorId=connector_id)
    return [s for s in syncs if s.doc["lifecycleState"] in RUNNING]


def _refuse_while_syncing(call: Call, rec: Record) -> None:
    syncs = running_syncs(call, rec.id)
    if syncs:
        raise errors.conflict(
            f"The vector store connector {rec.id} is syncing ({syncs[0].id}); cancel the sync or wait."
        )


@operation
def delete_vector_store_connector(call: Call) -> Result:
    return resources.delete(call, KIND, call.path["vectorStoreConnectorId"], check=_refuse_while_syncing)
