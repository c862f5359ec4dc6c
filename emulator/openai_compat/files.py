"""Files of the OpenAI-compatible API: multipart uploads a project keeps, their bytes, cursor lists.

Purposes and types as Oracle documents them (``assistants``, ``batch``, ``fine-tune``, ``vision``,
``user_data``, ``evals``; batch, fine-tune and evals take ``.jsonl``, vision takes images). A file is
``processed`` as soon as it is uploaded, so ``files.wait_for_processing`` returns at once. Known
difference: Oracle documents no size limit; the emulator takes files up to 50 MB.
"""

from __future__ import annotations

import base64

from ..call import Call, Result, operation
from ..kinds import ResourceKind
from ..protocol import limits
from ..protocol.validation import Upload
from . import objects, translate
from .scope import Scope, scope_of

KIND = ResourceKind(name="file", label="file", id_prefix="file-", transitions=False)
PURPOSES = ("assistants", "batch", "fine-tune", "vision", "user_data", "evals")
JSONL_PURPOSES = ("batch", "fine-tune", "evals")
IMAGE_TYPES = (".gif", ".jpeg", ".jpg", ".png", ".webp")


def _check(upload: Upload, purpose: str) -> None:
    if purpose not in PURPOSES:
        raise translate.bad_request(f"Invalid purpose {purpose!r}: one of {', '.join(PURPOSES)}.", "purpose")
    if not 0 < len(upload.filename) <= limits.MAX_FILENAME_CHARS:
        raise translate.bad_request(f"A file's name is 1 to {limits.MAX_FILENAME_CHARS} characters.", "file")
    name = upload.filename.lower()
    if purpose in JSONL_PURPOSES and not name.endswith(".jsonl"):
        raise translate.bad_request(f"Files for purpose {purpose!r} are .jsonl files, not {upload.filename!r}.", "file")
    if purpose == "vision" and not name.endswith(IMAGE_TYPES):
        raise translate.bad_request(f"Files for purpose 'vision' are images ({', '.join(IMAGE_TYPES)}).", "file")
    if len(upload.data) > limits.MAX_FILE_BYTES:
        raise translate.bad_request(f"The file is {len(upload.data)} bytes; the emulator takes files up to {limits.MAX_FILE_BYTES}.", "file")


def expires_at(call: Call, body: dict) -> int | None:
    seconds = body.get("expires_after[seconds]")
    if seconds is None:
        return None
    try:
        value = int(seconds)
    except ValueError:
        raise translate.bad_request("Invalid expires_after[seconds]: a whole number of seconds.", "expires_after") from None
    if not 3600 <= value <= 2592000:
        raise translate.bad_request("Invalid expires_after[seconds]: 3600 (an hour) to 2592000 (30 days).", "expires_after")
    return int(call.now) + value


def store_file(call: Call, scope: Scope, upload: Upload, purpose: str, expires: int | None = None) -> dict:
    """Keep ``upload`` in the scope; its public object."""
    _check(upload, purpose)
    doc = {
        "id": KIND.new_id(call.env.settings.region),
        "object": "file",
        "bytes": len(upload.data),
        "created_at": int(call.now),
        "filename": upload.filename,
        "purpose": purpose,
        "status": "processed",
        "expires_at": expires,
        "status_details": None,
        "_content": base64.b64encode(upload.data).decode(),
    }
    return objects.public(objects.create(call, KIND, scope, doc).doc)


def load(call: Call, scope: Scope, file_id: str):
    rec = objects.load(call, KIND, file_id, scope)
    expires = rec.doc.get("expires_at")
    if expires is not None and call.now >= expires:
        objects.remove(call, rec)
        raise objects.not_found(KIND, file_id)
    return rec


def content(rec) -> bytes:
    return base64.b64decode(rec.doc["_content"])


def text_of(rec) -> str:
    """A file's text, as retrieval reads it (bytes that are not UTF-8 are read as Latin-1)."""
    data = content(rec)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


@operation
def create_file(call: Call) -> Result:
    body = call.body or {}
    upload = body.get("file")
    if not isinstance(upload, Upload):
        raise translate.bad_request("A file upload is a multipart form with a 'file' part.", "file")
    return Result(body=store_file(call, scope_of(call), upload, body.get("purpose", ""), expires_at(call, body)))


@operation
def list_files(call: Call) -> Result:
    scope = scope_of(call)
    purpose = call.query.get("purpose")
    found = [
        objects.public(r.doc)
        for r in objects.scoped(call, KIND, scope)
        if purpose is None or r.doc["purpose"] == purpose
    ]
    return Result(body=objects.cursor_page(call, found))


@operation
def retrieve_file(call: Call) -> Result:
    return Result(body=objects.public(load(call, scope_of(call), call.path["file_id"]).doc))


@operation
def delete_file(call: Call) -> Result:
    rec = load(call, scope_of(call), call.path["file_id"])
    objects.remove(call, rec)
    return Result(body={"id": rec.id, "object": "file", "deleted": True})


@operation
def retrieve_file_content(call: Call) -> Result:
    rec = load(call, scope_of(call), call.path["file_id"])
    return Result(binary=content(rec), media_type="application/octet-stream")  # whatever was uploaded, as OpenAI answers
