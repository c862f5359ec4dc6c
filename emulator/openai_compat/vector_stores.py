"""Vector stores: their CRUD on the management host (``/20231130/openai/v1/vector_stores``, in the
compartment of ``opc-compartment-id``), their files, file batches and search on the inference host.

A vector store belongs to its tenancy and compartment, and any project of the tenancy uses it. A
file added to it is chunked and indexed (``retrieval.py``); it is ``in_progress`` until the
emulator's clock passes its due time (the ``vectorstorefile`` transition policy, default 0: at
once, so the SDK's ``create_and_poll`` and ``upload_and_poll`` return at once), then ``completed``
and searchable. ``expires_after`` ({anchor: last_active_at, days}) expires an idle store.
"""

from __future__ import annotations

from ..call import Call, Result, operation
from ..kinds import ResourceKind
from ..lifecycle import due_time, is_done
from ..protocol.ids import new_etag
from ..store import Record
from . import files, objects, retrieval, translate
from .scope import Scope, scope_of

KIND = ResourceKind(name="vectorstore", label="vector store", id_prefix="vs_", transitions=False)
FILE_KIND = ResourceKind(name="vectorstorefile", label="vector store file", id_prefix="vsf_", keeps_due=True)
BATCH_KIND = ResourceKind(name="vectorstorefilebatch", label="file batch", id_prefix="vsfb_", transitions=False)
# A file's chunks, kept apart from its (small) record: read only to build an index.
# file_search's supported file types (OpenAI's list); others fail with unsupported_file
SEARCHABLE = tuple(f".{ext}" for ext in (
    "c cpp cs css doc docx go html java js json md pdf php pptx py rb sh tex ts txt".split()
))
CHUNKS_KIND = ResourceKind(name="vectorstorechunks", label="file chunks", id_prefix="vsc_", transitions=False)
KINDS = (KIND, FILE_KIND, BATCH_KIND, CHUNKS_KIND)
INDEXES = retrieval.IndexCache()
MAX_ATTRIBUTES = 16
DAY = 86400


# -- stores ---------------------------------------------------------------------------------------
def _expiry(body: dict) -> dict | None:
    expires = body.get("expires_after")
    if expires is None:
        return None
    days = expires.get("days")
    if expires.get("anchor") != "last_active_at" or not isinstance(days, int) or not 1 <= days <= 365:
        raise translate.bad_request("Invalid expires_after: {\"anchor\": \"last_active_at\", \"days\": 1 to 365}.", "expires_after")
    return {"anchor": "last_active_at", "days": days}


def _load_store(call: Call, store_id: str) -> Record:
    """A vector store of the caller's tenancy (any project or compartment of it uses it)."""
    rec = call.store.get(KIND.name, store_id, call.tenancy) if KIND.owns(store_id) else None
    if rec is None:
        raise objects.not_found(KIND, store_id)
    return rec


def _files_of(call: Call, store_id: str) -> list[Record]:
    found = call.store.find(FILE_KIND.name, call.tenancy, vector_store_id=store_id)
    return sorted(found, key=lambda r: (r.doc["created_at"], r.id))


def _file_status(call: Call, doc: dict) -> str:
    if doc["status"] == "in_progress" and is_done(doc, call.now):
        return "completed"
    return doc["status"]


def _present_file(call: Call, doc: dict) -> dict:
    """A store's file as clients see it: the file's id, its status as of the clock."""
    return objects.public({**doc, "id": doc["_file"], "status": _file_status(call, doc)})


def _counts(call: Call, docs: list[dict]) -> dict:
    states = [_file_status(call, d) for d in docs]
    counts = {state: states.count(state) for state in ("in_progress", "completed", "failed", "cancelled")}
    return {**counts, "total": len(states)}


def _present_store(call: Call, rec: Record) -> dict:
    doc = rec.doc
    file_docs = [r.doc for r in _files_of(call, rec.id)]
    counts = _counts(call, file_docs)
    expires_at = None
    if doc.get("expires_after"):
        expires_at = doc["last_active_at"] + doc["expires_after"]["days"] * DAY
    status = "expired" if expires_at is not None and call.now >= expires_at else (
        "in_progress" if counts["in_progress"] else "completed")
    return objects.public({
        **doc,
        "status": status,
        "file_counts": counts,
        "usage_bytes": sum(d["usage_bytes"] for d in file_docs if _file_status(call, d) == "completed"),
        "expires_at": expires_at,
    })


@operation
def create_vector_store(call: Call) -> Result:
    body = call.body or {}
    scope = scope_of(call)
    doc = {
        "id": KIND.new_id(call.env.settings.region),
        "object": "vector_store",
        "created_at": int(call.now),
        "name": body.get("name"),
        "description": body.get("description"),
        "metadata": body.get("metadata") or {},
        "expires_after": _expiry(body),
        "last_active_at": int(call.now),
        "compartmentId": scope.compartment,
    }
    with call.store.transaction():
        rec = objects.create(call, KIND, scope, doc)
        strategy = retrieval.chunking(body.get("chunking_strategy"))
        for file_id in body.get("file_ids") or []:
            _add_file(call, rec, scope, file_id, {}, strategy, None)
    return Result(body=_present_store(call, rec))


@operation
def list_vector_stores(call: Call) -> Result:
    scope = scope_of(call)
    found = sorted(call.store.find(KIND.name, call.tenancy, compartmentId=scope.compartment), key=lambda r: (r.doc["created_at"], r.id))
    return Result(body=objects.cursor_page(call, [_present_store(call, r) for r in found]))


@operation
def retrieve_vector_store(call: Call) -> Result:
    return Result(body=_present_store(call, _load_store(call, call.path["vector_store_id"])))


@operation
def update_vector_store(call: Call) -> Result:
    rec = _load_store(call, call.path["vector_store_id"])
    body = call.body or {}
    for field in ("name", "metadata"):
        if field in body:
            rec.doc[field] = body[field]
    if "expires_after" in body:
        rec.doc["expires_after"] = _expiry(body)
    objects.save(call, rec)
    return Result(body=_present_store(call, rec))


@operation
def delete_vector_store(call: Call) -> Result:
    rec = _load_store(call, call.path["vector_store_id"])
    with call.store.transaction():
        for file_rec in _files_of(call, rec.id):
            _remove_file(call, rec.id, file_rec.doc["_file"])
        for batch in call.store.find(BATCH_KIND.name, call.tenancy, vector_store_id=rec.id):
            objects.remove(call, batch)
        objects.remove(call, rec)
    return Result(body=objects.deleted(rec.id, "vector_store"))


# -- files of a store --------------------------------------------------------------------------------
def _attributes(raw: dict | None) -> dict:
    attributes = raw or {}
    if len(attributes) > MAX_ATTRIBUTES or any(len(k) > 64 or (isinstance(v, str) and len(v) > 512) for k, v in attributes.items()):
        raise translate.bad_request(
            f"Invalid attributes: up to {MAX_ATTRIBUTES} keys of 64 characters, strings up to 512.", "attributes"
        )
    return attributes


def _add_file(call: Call, store: Record, scope: Scope, file_id: str, attributes: dict, strategy: dict,
              batch_id: str | None) -> Record:
    source = files.load(call, scope, file_id)
    text = files.text_of(source)
    unsupported = not source.doc["filename"].lower().endswith(SEARCHABLE)
    due = due_time(call.store, FILE_KIND.name, call.now)
    record_id = _record_id(FILE_KIND, store.id, file_id)
    doc = {
        "id": record_id,
        "object": "vector_store.file",
        "created_at": int(call.now),
        "vector_store_id": store.id,
        "status": "failed" if unsupported else "in_progress",
        "usage_bytes": 0 if unsupported else len(text.encode()),
        "last_error": {"code": "unsupported_file", "message": f"The file type of {source.doc['filename'][:100]} is not supported for retrieval."} if unsupported else None,
        "attributes": _attributes(attributes),
        "chunking_strategy": strategy,
        "_file": file_id,
        "_filename": source.doc["filename"],
        "_due": due,
        "_batch": batch_id,
    }
    _remove_file(call, store.id, file_id)
    rec = Record(FILE_KIND.name, record_id, call.tenancy, doc, new_etag())
    call.store.insert(rec)
    chunks_id = _record_id(CHUNKS_KIND, store.id, file_id)
    chunks = {"id": chunks_id, "vector_store_id": store.id, "chunks": [] if unsupported else retrieval.chunks(text, strategy)}
    for chunk in chunks["chunks"]:
        retrieval.analyze(chunk)  # indexing happens when a file is added, as on the service
    call.store.insert(Record(CHUNKS_KIND.name, chunks_id, call.tenancy, chunks, new_etag()))
    _touch(call, store)
    return rec


def _record_id(kind: ResourceKind, store_id: str, file_id: str) -> str:
    return f"{kind.id_prefix}{store_id}/{file_id}"


def _remove_file(call: Call, store_id: str, file_id: str) -> None:
    for kind in (FILE_KIND, CHUNKS_KIND):
        call.store.remove(kind.name, _record_id(kind, store_id, file_id), call.tenancy)


def _chunks_of(call: Call, store_id: str, file_id: str) -> list[str]:
    rec = call.store.get(CHUNKS_KIND.name, _record_id(CHUNKS_KIND, store_id, file_id), call.tenancy)
    return rec.doc["chunks"] if rec else []


def _touch(call: Call, store: Record) -> None:
    """A store's files or use changed: its index is rebuilt, its idle expiry starts again."""
    store.doc["last_active_at"] = int(call.now)
    objects.save(call, store)


def _load_file(call: Call) -> tuple[Record, Record]:
    store = _load_store(call, call.path["vector_store_id"])
    rec = call.store.get(FILE_KIND.name, _record_id(FILE_KIND, store.id, call.path["file_id"]), call.tenancy)
    if rec is None:
        raise objects.not_found(FILE_KIND, call.path["file_id"])
    return store, rec


@operation
def create_vector_store_file(call: Call) -> Result:
    store = _load_store(call, call.path["vector_store_id"])
    body = call.body
    with call.store.transaction():
        rec = _add_file(call, store, scope_of(call), body["file_id"], body.get("attributes") or {},
                        retrieval.chunking(body.get("chunking_strategy")), None)
    return Result(body=_present_file(call, rec.doc), headers=_poll_after(call, rec.doc))


def _poll_after(call: Call, doc: dict) -> dict:
    """``openai-poll-after-ms`` tells the SDK's pollers when to look again (not a second later)."""
    return {"openai-poll-after-ms": "10"} if _file_status(call, doc) == "in_progress" else {}


@operation
def list_vector_store_files(call: Call) -> Result:
    store = _load_store(call, call.path["vector_store_id"])
    docs = [_present_file(call, r.doc) for r in _files_of(call, store.id)]
    wanted = call.query.get("filter")
    return Result(body=objects.cursor_page(call, [d for d in docs if wanted is None or d["status"] == wanted]))


@operation
def retrieve_vector_store_file(call: Call) -> Result:
    _, rec = _load_file(call)
    return Result(body=_present_file(call, rec.doc), headers=_poll_after(call, rec.doc))


@operation
def update_vector_store_file(call: Call) -> Result:
    store, rec = _load_file(call)
    rec.doc["attributes"] = _attributes(call.body.get("attributes"))
    with call.store.transaction():
        objects.save(call, rec)
        _touch(call, store)
    return Result(body=_present_file(call, rec.doc))


@operation
def delete_vector_store_file(call: Call) -> Result:
    store, rec = _load_file(call)
    with call.store.transaction():
        _remove_file(call, store.id, rec.doc["_file"])
        _touch(call, store)
    return Result(body=objects.deleted(rec.doc["_file"], "vector_store.file"))


@operation
def retrieve_vector_store_file_content(call: Call) -> Result:
    store, rec = _load_file(call)
    data = [{"type": "text", "text": chunk} for chunk in _chunks_of(call, store.id, rec.doc["_file"])]
    return Result(body={"object": "vector_store.file_content.page", "data": data, "has_more": False, "next_page": None})


# -- batches ---------------------------------------------------------------------------------------
def _present_batch(call: Call, rec: Record) -> dict:
    docs = [r.doc for r in _files_of(call, rec.doc["vector_store_id"]) if r.doc.get("_batch") == rec.id]
    counts = _counts(call, docs)
    status = rec.doc["status"] if rec.doc["status"] == "cancelled" else ("in_progress" if counts["in_progress"] else "completed")
    return objects.public({**rec.doc, "status": status, "file_counts": counts})


@operation
def create_vector_store_file_batch(call: Call) -> Result:
    store = _load_store(call, call.path["vector_store_id"])
    body = call.body
    scope = scope_of(call)
    entries = [{"file_id": f} for f in body.get("file_ids") or []] + list(body.get("files") or [])
    if not entries:
        raise translate.bad_request("Give file_ids or files.", "file_ids")
    doc = {"id": BATCH_KIND.new_id(call.env.settings.region), "object": "vector_store.files_batch",
           "created_at": int(call.now), "vector_store_id": store.id, "status": "in_progress"}
    strategy = retrieval.chunking(body.get("chunking_strategy"))
    with call.store.transaction():
        rec = objects.create(call, BATCH_KIND, scope, doc)
        for at, entry in enumerate(entries):
            if not isinstance(entry, dict) or not isinstance(entry.get("file_id"), str):
                raise translate.bad_request(f"Invalid files[{at}]: an object with file_id.", f"files[{at}]")
            attributes = entry.get("attributes", body.get("attributes")) or {}
            _add_file(call, store, scope, entry["file_id"], attributes, retrieval.chunking(entry.get("chunking_strategy")) if entry.get("chunking_strategy") else strategy, rec.id)
    return Result(body=_present_batch(call, rec))


def _load_batch(call: Call) -> Record:
    store = _load_store(call, call.path["vector_store_id"])
    rec = call.store.get(BATCH_KIND.name, call.path["batch_id"], call.tenancy) if BATCH_KIND.owns(call.path["batch_id"]) else None
    if rec is None or rec.doc["vector_store_id"] != store.id:
        raise objects.not_found(BATCH_KIND, call.path["batch_id"])
    return rec


@operation
def retrieve_vector_store_file_batch(call: Call) -> Result:
    return Result(body=_present_batch(call, _load_batch(call)))


@operation
def cancel_vector_store_file_batch(call: Call) -> Result:
    rec = _load_batch(call)
    with call.store.transaction():
        for file_rec in _files_of(call, rec.doc["vector_store_id"]):
            if file_rec.doc.get("_batch") == rec.id and _file_status(call, file_rec.doc) == "in_progress":
                file_rec.doc["status"] = "cancelled"
                objects.save(call, file_rec)
        rec.doc["status"] = "cancelled"
        objects.save(call, rec)
    return Result(body=_present_batch(call, rec))


@operation
def list_vector_store_file_batch_files(call: Call) -> Result:
    rec = _load_batch(call)
    docs = [_present_file(call, r.doc) for r in _files_of(call, rec.doc["vector_store_id"]) if r.doc.get("_batch") == rec.id]
    wanted = call.query.get("filter")
    return Result(body=objects.cursor_page(call, [d for d in docs if wanted is None or d["status"] == wanted]))


# -- search ------------------------------------------------------------------------------------------
def index_of(call: Call, store: Record) -> retrieval.Index:
    """The index of a store's completed files (kept while they and their attributes stay the same)."""
    ready = [r.doc for r in _files_of(call, store.id) if _file_status(call, r.doc) == "completed"]

    def build() -> retrieval.Index:
        items = [
            retrieval.Chunk(doc["_file"], doc["_filename"], doc.get("attributes") or {}, text)
            for doc in ready
            for text in _chunks_of(call, store.id, doc["_file"])
        ]
        return retrieval.Index(items)

    stamp = store.etag + "|" + ",".join(doc["_file"] for doc in ready)
    return INDEXES.get((call.tenancy, store.id), stamp, build)


def search(call: Call, store_id: str, query: str, limit: int, filters=None, threshold: float = 0.0) -> list[dict]:
    """The chunks of a store that answer ``query`` best, as search results."""
    store = _load_store(call, store_id)
    if _present_store(call, store)["status"] == "expired":
        raise translate.bad_request(f"The vector store {store_id} has expired.", "vector_store_id")
    hits = index_of(call, store).search(query, limit, retrieval.matcher(filters), threshold)
    return [
        {"file_id": chunk.file_id, "filename": chunk.filename, "score": score, "attributes": chunk.attributes,
         "content": [{"type": "text", "text": chunk.text}]}
        for score, chunk in hits
    ]


@operation
def search_vector_store(call: Call) -> Result:
    body = call.body
    queries = body["query"] if isinstance(body["query"], list) else [body["query"]]
    ranking = body.get("ranking_options") or {}
    data = search(call, call.path["vector_store_id"], " ".join(queries), body.get("max_num_results", 10),
                  body.get("filters"), float(ranking.get("score_threshold") or 0.0))
    return Result(body={"object": "vector_store.search_results.page", "search_query": queries, "data": data,
                        "has_more": False, "next_page": None})
