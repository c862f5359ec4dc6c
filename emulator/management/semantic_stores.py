"""Semantic stores: what natural-language-to-SQL works from (Oracle's "Structured data" vector store).

A store names a database through two Database Tools connections (``dataSource``: a querying one
and a high-privilege enrichment one), the schema it covers (``schemas``: one, for now), the model
that enriches it (``modelSelection``) and when it is refreshed (``refreshSchedule``: an ISO-8601
interval, ``ON_CREATE``: a full-build enrichment job starts with the store, or ``NONE``). Create, delete and moves are asynchronous (work requests
``CREATE_SEMANTIC_STORE``, ``DELETE_SEMANTIC_STORE``, ``MOVE_SEMANTIC_STORE``); update is
synchronous (the SDK has no ``UPDATE_SEMANTIC_STORE``). Its enrichment and SQL jobs live on the
``generative_ai_data`` API (``semantic_store_jobs.py``).

Known differences (undocumented, guessed): the connections are not checked (the emulator knows no
Database Tools); a list without ``compartmentId`` lists the tenancy's root compartment; a custom
model must be a base model of the catalog or a custom model of the tenancy; a store with a
running job cannot be deleted (409).
"""

from __future__ import annotations

import re

from ..call import Call, Result, operation
from ..kinds import ResourceKind
from ..protocol import errors
from ..store import Record
from . import resources, semantic_store_jobs

KIND = ResourceKind(
    name=semantic_store_jobs.STORE,
    label="semantic store",
    model="SemanticStore",
    type_token="generativeaisemanticstore",
    list_operation="list_semantic_stores",
    entity_type="GenerativeAiSemanticStore",
    uri="/20231130/semanticStores/{id}",
    operation_types={
        "create": "CREATE_SEMANTIC_STORE",
        "delete": "DELETE_SEMANTIC_STORE",
        "move": "MOVE_SEMANTIC_STORE",
    },
)
ISO_DURATION = re.compile(r"^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")


def _check_details(call: Call, body: dict) -> None:
    schemas = (body.get("schemas") or {}).get("schemas")
    if schemas is not None and len(schemas) != 1:
        raise errors.invalid_parameter(
            f"schemas.schemas names {len(schemas)} schemas; a semantic store covers exactly one."
        )
    schedule = body.get("refreshSchedule") or {}
    if schedule.get("type") == "INTERVAL" and not ISO_DURATION.match(schedule.get("value") or ""):
        raise errors.invalid_parameter(
            f"Invalid refreshSchedule.value {schedule.get('value')!r}: an ISO-8601 duration such as P1D or PT6H."
        )
    selection = body.get("modelSelection") or {}
    if selection.get("modelSelectionType") == "CUSTOM":
        semantic_store_jobs.check_model(call, selection["modelId"], "modelSelection.modelId")


@operation
def create_semantic_store(call: Call) -> Result:
    _check_details(call, call.body)
    doc = dict(call.body, lifecycleDetails="Creating the semantic store.")
    doc.setdefault("isUserDefinedSemanticsEnabled", True)
    doc.setdefault("modelSelection", {"modelSelectionType": "DEFAULT"})
    result = resources.create(call, KIND, doc, done="The semantic store is active.")
    if (doc.get("refreshSchedule") or {}).get("type") == "ON_CREATE":
        semantic_store_jobs.enrich_on_create(call, resources.load(call, KIND, result.body["id"]))
    return result


@operation
def get_semantic_store(call: Call) -> Result:
    return resources.get(call, KIND, call.path["semanticStoreId"])


@operation
def list_semantic_stores(call: Call) -> Result:
    return resources.list_page(
        call,
        KIND,
        renames={"dataSourceQueryingConnectionId": "dataSource.queryingConnectionId"},
        compartment=call.query.get("compartmentId", call.tenancy),
    )


@operation
def update_semantic_store(call: Call) -> Result:
    return resources.update(call, KIND, call.path["semanticStoreId"], check=lambda c, _: _check_details(c, c.body))


def _refuse_if_busy(call: Call, rec: Record) -> None:
    jobs = semantic_store_jobs.running_jobs(call, rec.id)
    if jobs:
        raise errors.conflict(
            f"The semantic store {rec.id} has {len(jobs)} running job(s) ({jobs[0].id}...); cancel them or wait."
        )


@operation
def delete_semantic_store(call: Call) -> Result:
    return resources.delete(call, KIND, call.path["semanticStoreId"], check=_refuse_if_busy)


@operation
def change_semantic_store_compartment(call: Call) -> Result:
    return resources.change_compartment(call, KIND, call.path["semanticStoreId"])
