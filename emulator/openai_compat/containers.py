"""Containers: where the code interpreter runs (nothing is executed here), with their files.

As Oracle documents them: memory limits of 1g, 4g, 16g or 64g drawn from a 64 GB pool per tenancy;
a container expires after 20 idle minutes (``expires_after.minutes``) on the emulator's clock and
cannot be used again. Files are uploaded (multipart) or copied from the files API (``file_id``)
and live under ``/mnt/data``.
"""

from __future__ import annotations

import base64

from ..call import Call, Result, operation
from ..kinds import ResourceKind
from ..protocol.validation import Upload
from ..store import Record
from . import files, objects, translate
from .scope import Scope, scope_of

KIND = ResourceKind(name="container", label="container", id_prefix="cntr_", transitions=False)
FILE_KIND = ResourceKind(name="containerfile", label="container file", id_prefix="cfile_", transitions=False)
KINDS = (KIND, FILE_KIND)
MEMORY = {"1g": 1, "4g": 4, "16g": 16, "64g": 64}
POOL_GB = 64
IDLE_MINUTES = 20
MOUNT = "/mnt/data"


def status(call: Call, doc: dict) -> str:
    idle = doc["expires_after"]["minutes"] * 60
    return "expired" if call.now >= doc["last_active_at"] + idle else "running"


def present(call: Call, doc: dict) -> dict:
    return objects.public({**doc, "status": status(call, doc)})


def create(call: Call, scope: Scope, name: str, memory_limit: str = "1g", minutes: int = IDLE_MINUTES,
           file_ids: tuple[str, ...] = ()) -> Record:
    """A running container in the scope (``code_interpreter`` makes one with ``{"type": "auto"}``)."""
    if memory_limit not in MEMORY:
        raise translate.bad_request(f"Invalid memory_limit {memory_limit!r}: one of {', '.join(MEMORY)}.", "memory_limit")
    used = sum(MEMORY[r.doc["memory_limit"]] for r in call.store.find(KIND.name, call.tenancy) if status(call, r.doc) == "running")
    if used + MEMORY[memory_limit] > POOL_GB:
        raise translate.bad_request(
            f"The tenancy's containers already hold {used} GB of the {POOL_GB} GB pool; a {memory_limit} container does not fit.",
            "memory_limit",
        )
    doc = {
        "id": KIND.new_id(call.env.settings.region),
        "object": "container",
        "created_at": int(call.now),
        "name": name,
        "status": "running",
        "expires_after": {"anchor": "last_active_at", "minutes": minutes},
        "last_active_at": int(call.now),
        "memory_limit": memory_limit,
    }
    rec = objects.create(call, KIND, scope, doc)
    for file_id in file_ids:
        source = files.load(call, scope, file_id)
        _add_file(call, rec, source.doc["filename"], files.content(source), "user")
    return rec


def load(call: Call, scope: Scope, container_id: str, running: bool = False) -> Record:
    rec = objects.load(call, KIND, container_id, scope)
    if running:
        if status(call, rec.doc) == "expired":
            raise translate.bad_request(f"The container {container_id} has expired; make a new one.", "container_id")
        rec.doc["last_active_at"] = int(call.now)
        objects.save(call, rec)
    return rec


def _add_file(call: Call, container: Record, filename: str, data: bytes, source: str) -> Record:
    doc = {
        "id": FILE_KIND.new_id(call.env.settings.region),
        "object": "container.file",
        "created_at": int(call.now),
        "container_id": container.id,
        "bytes": len(data),
        "path": f"{MOUNT}/{filename}",
        "source": source,
        "_content": base64.b64encode(data).decode(),
    }
    return objects.create(call, FILE_KIND, Scope(container.doc["_scope"]), doc)


@operation
def create_container(call: Call) -> Result:
    body = call.body
    expires = body.get("expires_after") or {}
    minutes = expires.get("minutes", IDLE_MINUTES)
    if not isinstance(minutes, int) or not 1 <= minutes <= IDLE_MINUTES:
        raise translate.bad_request(f"Invalid expires_after.minutes: 1 to {IDLE_MINUTES}.", "expires_after")
    rec = create(call, scope_of(call), body["name"], body.get("memory_limit", "1g"), minutes, tuple(body.get("file_ids") or ()))
    return Result(body=present(call, rec.doc))


@operation
def list_containers(call: Call) -> Result:
    found = [present(call, r.doc) for r in objects.scoped(call, KIND, scope_of(call))]
    return Result(body=objects.cursor_page(call, found))


@operation
def retrieve_container(call: Call) -> Result:
    return Result(body=present(call, load(call, scope_of(call), call.path["container_id"]).doc))


@operation
def delete_container(call: Call) -> Result:
    scope = scope_of(call)
    rec = load(call, scope, call.path["container_id"])
    with call.store.transaction():
        for file_rec in objects.scoped(call, FILE_KIND, scope, container_id=rec.id):
            objects.remove(call, file_rec)
        objects.remove(call, rec)
    return Result(body=objects.deleted(rec.id, "container"))


@operation
def create_container_file(call: Call) -> Result:
    scope = scope_of(call)
    container = load(call, scope, call.path["container_id"], running=True)
    body = call.body or {}
    upload = body.get("file")
    if isinstance(upload, Upload):
        rec = _add_file(call, container, upload.filename, upload.data, "user")
    elif isinstance(body.get("file_id"), str):
        source = files.load(call, scope, body["file_id"])
        rec = _add_file(call, container, source.doc["filename"], files.content(source), "user")
    else:
        raise translate.bad_request("Upload a file (multipart 'file') or name one (file_id).", "file")
    return Result(body=objects.public(rec.doc))


def _load_file(call: Call) -> Record:
    scope = scope_of(call)
    container = load(call, scope, call.path["container_id"])
    rec = objects.load(call, FILE_KIND, call.path["file_id"], scope)
    if rec.doc["container_id"] != container.id:
        raise objects.not_found(FILE_KIND, call.path["file_id"])
    return rec


@operation
def list_container_files(call: Call) -> Result:
    scope = scope_of(call)
    container = load(call, scope, call.path["container_id"])
    found = [objects.public(r.doc) for r in objects.scoped(call, FILE_KIND, scope, container_id=container.id)]
    return Result(body=objects.cursor_page(call, found))


@operation
def retrieve_container_file(call: Call) -> Result:
    return Result(body=objects.public(_load_file(call).doc))


@operation
def delete_container_file(call: Call) -> Result:
    rec = _load_file(call)
    objects.remove(call, rec)
    return Result(body=objects.deleted(rec.id, "container.file"))


@operation
def retrieve_container_file_content(call: Call) -> Result:
    return Result(binary=base64.b64decode(_load_file(call).doc["_content"]))


def add_output_file(call: Call, container: Record, filename: str, text: str) -> Record:
    """A file the code interpreter wrote (its content comes from the generators)."""
    return _add_file(call, container, filename, text.encode(), "assistant")
