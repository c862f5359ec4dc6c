"""File syncs of a vector store connector, and what they report: statistics and ingestion logs.

A file sync (``create_vector_store_connector_file_sync``, a manual trigger) answers ``ACCEPTED`` with
a work request (``TRIGGER_FILE_SYNC``), reads ``IN_PROGRESS`` from then on and ends ``SUCCEEDED``
(or ``FAILED``) on the emulator's clock (the ``vectorstoreconnectorfilesync`` transition policy);
a cancel (``DELETE``) goes ``CANCELING`` -> ``CANCELED`` with its own work request.

The emulator reads no bucket: each storage config (namespace, bucket, prefix) stands for three
files whose names, types and sizes follow from it, fixed when the sync starts. A connector's
first successful sync creates them, later ones find them unchanged (``ignored``); the ingestion
logs list each file of each sync with the status its sync gives it (queued, in progress,
completed, cancelled, failed).

Known differences (undocumented, guessed): the cancel's work request says ``CANCEL_FILE_SYNC``
(the SDK has no value: it reads ``UNKNOWN_ENUM_VALUE``) and its resource ``UPDATED``; the sync's
own work request ends ``CANCELED``; a connector runs one sync at a time (409 Conflict) and must be
ACTIVE; logs sort by ``filePath`` ascending unless asked otherwise.
"""

from __future__ import annotations

import hashlib

from .. import lifecycle
from ..call import Call, Result, operation
from ..kinds import ResourceKind
from ..protocol import errors, pagination
from ..store import Record
from . import resources, vector_store_connectors as connectors

KIND = ResourceKind(
    name=connectors.FILE_SYNC_KIND,
    label="file sync",
    model="VectorStoreConnectorFileSync",
    type_token="generativeaivectorstoreconnectorfilesync",
    private_fields=("_files",),  # the files it syncs, fixed when it starts
    list_operation="list_vector_store_connector_file_syncs",
    entity_type="GenerativeAiVectorStoreConnectorFileSync",
    uri="/20231130/vectorStoreConnectorFileSyncs/{id}",
    operation_types={"create": "TRIGGER_FILE_SYNC", "update": "CANCEL_FILE_SYNC"},
)
EXTENSIONS = ("pdf", "txt", "md", "docx", "html")
FILES_PER_SOURCE = 3
BUCKETS = ("created", "updated", "deleted", "metadataUpdated", "ignored", "unsupported", "inProgress", "failed")
LOG_STATUS = {"ACCEPTED": "QUEUED", "IN_PROGRESS": "IN_PROGRESS", "SUCCEEDED": "COMPLETED", "FAILED": "FAILED",
              "CANCELING": "CANCELLED", "CANCELED": "CANCELLED"}
LOG_SORTS = {"filePath": ("filePath", str), "fileSize": ("fileSizeInBytes", int), "status": ("status", str)}


def source_files(connector: dict) -> list[dict]:
    """The files a connector's buckets stand for: three per (namespace, bucket, prefix)."""
    files = []
    for config in connector["configuration"].get("storageConfigList") or []:
        for prefix in config.get("prefixList") or [""]:
            seed = hashlib.sha256(f"{config['namespace']}/{config['bucketName']}/{prefix}".encode()).digest()
            for k in range(FILES_PER_SOURCE):
                size = 1024 + int.from_bytes(seed[4 * k:4 * k + 3], "big") % 2_000_000
                ext = EXTENSIONS[seed[k] % len(EXTENSIONS)]
                files.append({
                    "fileId": "file-" + hashlib.sha256(seed + bytes([k])).hexdigest()[:24],
                    "filePath": f"{config['bucketName']}/{prefix}document-{k + 1}.{ext}",
                    "fileSizeInBytes": size,
                })
    return files


def statistics(files: list[dict], bucket: str | None) -> dict:
    """Sync statistics with ``files`` in ``bucket`` and every other bucket empty."""
    by_type: dict[str, int] = {}
    for f in files:
        ext = f["filePath"].rsplit(".", 1)[-1]
        by_type[ext] = by_type.get(ext, 0) + 1
    empty = {"totalFilesSynced": 0, "syncStatsByFileType": {}}
    return {b: ({"totalFilesSynced": len(files), "syncStatsByFileType": by_type} if b == bucket else dict(empty))
            for b in BUCKETS}


def present(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def _load(call: Call) -> Record:
    return resources.load(call, KIND, call.path["vectorStoreConnectorFileSyncId"])


@operation
def create_vector_store_connector_file_sync(call: Call) -> Result:
    field = "vectorStoreConnectorId"
    connector = resources.load_related(call, connectors.KIND, call.body[field], field)
    resources.require_active(connectors.KIND, connector)
    running = connectors.running_syncs(call, connector.id)
    if running:
        raise errors.conflict(f"The vector store connector {connector.id} is already syncing ({running[0].id}).")
    files = source_files(connector.doc)
    done_before = call.store.find(KIND.name, call.tenancy, vectorStoreConnectorId=connector.id,
                                  lifecycleState="SUCCEEDED")
    doc = dict(call.body, compartmentId=connector.compartment, tenantId=call.tenancy, triggerType="MANUAL",
               lifecycleState="ACCEPTED", lifecycleDetails="The file sync is accepted.", _files=files)
    rec = resources.new_record(call, KIND, doc)
    del rec.doc["timeUpdated"]  # a file sync has none
    accepted = present(rec.doc)
    rec.doc.update(lifecycleState="IN_PROGRESS", timeStarted=call.stamp,
                   lifecycleDetails="The file sync is in progress.")
    policy = lifecycle.policy_of(call.store, KIND.name)
    done = {"stats": {"timeGenerated": call.stamp, **statistics(files, "ignored" if done_before else "created")}}
    if policy["mode"] == "delay":
        done["durationInSeconds"] = int(policy["seconds"])
    result = resources.transition(call, KIND, rec, "create", transitional=None, target="SUCCEEDED", on_finish=done,
                                  is_new=True, ends="timeEnded")
    return Result(body=accepted, etag=result.etag, work_request_id=result.work_request_id)


@operation
def get_vector_store_connector_file_sync(call: Call) -> Result:
    rec = _load(call)
    return Result(body=present(rec.doc), etag=rec.etag)


@operation
def list_vector_store_connector_file_syncs(call: Call) -> Result:
    return resources.list_page(call, KIND)


@operation
def cancel_vector_store_connector_file_sync(call: Call) -> Result:
    rec = _load(call)
    if call.if_match is not None and call.if_match != rec.etag:
        raise errors.no_etag_match()
    state = rec.doc["lifecycleState"]
    if state not in ("ACCEPTED", "IN_PROGRESS"):
        raise errors.incorrect_state(f"The file sync {rec.id} is {state}; only a running sync can be canceled.")
    with call.store.transaction():
        lifecycle.abandon(call.store, rec, call.now)
        result = resources.transition(call, KIND, rec, "update", transitional="CANCELING", target="CANCELED",
                                      on_finish={"lifecycleDetails": "The file sync was canceled."}, ends="timeEnded")
    return Result(work_request_id=result.work_request_id)


# -- what syncs report ------------------------------------------------------------------------------
def _logs(rec: Record) -> list[dict]:
    status = LOG_STATUS[rec.doc["lifecycleState"]]
    entries = []
    for f in rec.doc["_files"]:
        entry = dict(f, vectorStoreConnectorFileSyncId=rec.id, status=status)
        if status == "COMPLETED":
            entry.update(totalChunksCreated=f["fileSizeInBytes"] // 4000 + 1, durationInSeconds=1)
        entries.append(entry)
    return entries


def _log_page(call: Call, entries: list[dict]) -> Result:
    """A page of ingestion log entries, by keyset on (the sort field, fileId, sync)."""
    field, kind = LOG_SORTS[call.query.get("sortBy", "filePath")]
    check = pagination.checksum(call.op.name, call.query)
    after = pagination.decode(call.query["page"], check, (kind, str, str)) if "page" in call.query else None
    page, cursor = pagination.keyset_slice(
        entries,
        key=lambda e: (e[field], e["fileId"], e["vectorStoreConnectorFileSyncId"]),
        after=after,
        limit=call.query.get("limit", resources.DEFAULT_LIMIT),
        descending=call.query.get("sortOrder") == "DESC",
    )
    return Result(body={"items": page}, next_page=pagination.encode(cursor, check) if cursor else None)


@operation
def list_vector_store_connector_file_sync_ingestion_logs(call: Call) -> Result:
    rec = _load(call)
    wanted = call.query.get("lifecycleState")  # the SDK filters a sync's logs by the sync's state
    return _log_page(call, [] if wanted not in (None, rec.doc["lifecycleState"]) else _logs(rec))


def _syncs_of(call: Call, connector: Record) -> list[Record]:
    return call.store.find(KIND.name, call.tenancy, vectorStoreConnectorId=connector.id)


@operation
def list_vector_store_connector_ingestion_logs(call: Call) -> Result:
    connector = resources.load(call, connectors.KIND, call.path["vectorStoreConnectorId"])
    entries = [e for s in _syncs_of(call, connector) for e in _logs(s)]
    wanted = call.query.get("status")
    return _log_page(call, [e for e in entries if wanted in (None, e["status"])])


@operation
def get_vector_store_connector_stats(call: Call) -> Result:
    """What the connector's syncs did: the sum of its finished syncs, and the files of a running one in progress."""
    connector = resources.load(call, connectors.KIND, call.path["vectorStoreConnectorId"])
    totals = statistics([], None)
    for sync in _syncs_of(call, connector):
        stats = sync.doc.get("stats") or {}
        if sync.doc["lifecycleState"] in connectors.RUNNING:
            stats = statistics(sync.doc["_files"], "inProgress")
        for bucket in BUCKETS:
            got = stats.get(bucket) or {}
            totals[bucket]["totalFilesSynced"] += got.get("totalFilesSynced", 0)
            for ext, n in (got.get("syncStatsByFileType") or {}).items():
                by_type = totals[bucket]["syncStatsByFileType"]
                by_type[ext] = by_type.get(ext, 0) + n
    return Result(body={"timeGenerated": call.stamp, **totals})
