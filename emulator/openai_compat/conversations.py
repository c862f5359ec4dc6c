"""Conversations: a list of items that responses read before their input and add their input and
output to. Kept as long as the project's ``conversationsRetentionInHours`` allows, counted from the
last change. OCI's memory keys in ``metadata`` (``memory_subject_id``, ``memory_access_policy``,
``short_term_memory_optimization``) are taken as any other metadata (string values)."""

from __future__ import annotations

from ..call import Call, Result, operation
from ..kinds import ResourceKind
from ..store import Record
from . import objects, translate
from .scope import Scope, scope_of

KIND = ResourceKind(name="conversation", label="conversation", id_prefix="conv_", transitions=False)
RETENTION = "conversationsRetentionInHours"
MAX_METADATA_KEYS = 16
MAX_METADATA_KEY = 64
MAX_METADATA_VALUE = 512


def _check_metadata(metadata: dict | None) -> dict:
    metadata = metadata or {}
    if len(metadata) > MAX_METADATA_KEYS:
        raise translate.bad_request(f"Invalid metadata: at most {MAX_METADATA_KEYS} keys.", "metadata")
    for key, value in metadata.items():
        if len(key) > MAX_METADATA_KEY or len(value) > MAX_METADATA_VALUE:
            raise translate.bad_request(
                f"Invalid metadata '{key[:64]}': keys up to {MAX_METADATA_KEY} characters, values up to {MAX_METADATA_VALUE}.",
                "metadata",
            )
    return metadata


def load(call: Call, scope: Scope, conversation_id: str) -> Record:
    return objects.load(call, KIND, conversation_id, scope, scope.retention(RETENTION))


def append(call: Call, scope: Scope, conversation_id: str, items: list[dict]) -> None:
    """Add items to a conversation (a response's input and output)."""
    rec = load(call, scope, conversation_id)
    rec.doc["_items"] = rec.doc["_items"] + items
    objects.save(call, rec, touch=True)


@operation
def create_conversation(call: Call) -> Result:
    body = call.body or {}
    scope = scope_of(call)
    items = translate.input_items(body.get("items") or [])
    doc = {
        "id": KIND.new_id(call.env.settings.region),
        "object": "conversation",
        "created_at": int(call.now),
        "metadata": _check_metadata(body.get("metadata")),
        "_items": items,
    }
    rec = objects.create(call, KIND, scope, doc)
    return Result(body=objects.public(rec.doc))


def _load(call: Call) -> tuple[Scope, Record]:
    scope = scope_of(call)
    return scope, load(call, scope, call.path["conversation_id"])


@operation
def retrieve_conversation(call: Call) -> Result:
    return Result(body=objects.public(_load(call)[1].doc))


@operation
def update_conversation(call: Call) -> Result:
    _, rec = _load(call)
    rec.doc["metadata"] = _check_metadata(call.body["metadata"])
    objects.save(call, rec, touch=True)
    return Result(body=objects.public(rec.doc))


@operation
def delete_conversation(call: Call) -> Result:
    _, rec = _load(call)
    objects.remove(call, rec)
    return Result(body=objects.deleted(rec.id, "conversation"))


@operation
def create_conversation_items(call: Call) -> Result:
    _, rec = _load(call)
    known = {item["id"]: item for item in rec.doc["_items"]}
    items = translate.input_items(call.body["items"], known.get)
    rec.doc["_items"] = rec.doc["_items"] + items
    objects.save(call, rec, touch=True)
    return Result(body=objects.list_of(items))


@operation
def list_conversation_items(call: Call) -> Result:
    _, rec = _load(call)
    return Result(body=objects.cursor_page(call, rec.doc["_items"]))


def _item(rec: Record, item_id: str) -> dict:
    item = next((i for i in rec.doc["_items"] if i["id"] == item_id), None)
    if item is None:
        raise objects.not_found(KIND, f"{rec.id}/items/{item_id}")
    return item


@operation
def retrieve_conversation_item(call: Call) -> Result:
    _, rec = _load(call)
    return Result(body=_item(rec, call.path["item_id"]))


@operation
def delete_conversation_item(call: Call) -> Result:
    _, rec = _load(call)
    item = _item(rec, call.path["item_id"])
    rec.doc["_items"] = [i for i in rec.doc["_items"] if i is not item]
    objects.save(call, rec, touch=True)
    return Result(body=objects.public(rec.doc))
