"""Work requests: the record of every asynchronous operation, with its logs and errors."""

from __future__ import annotations

import dataclasses

from ..call import Call, Result
from ..lifecycle import present_work_request
from ..protocol import pagination
from . import resources

KIND = "workrequest"


def _load(call: Call):
    return resources.load(call, KIND, call.path["workRequestId"])


def get_work_request(call: Call) -> Result:
    rec = _load(call)
    return Result(body=present_work_request(rec.doc, call.now))


def list_work_requests(call: Call) -> Result:
    # A work request is stored ACCEPTED until it finishes, but reads IN_PROGRESS from the first
    # instant after its acceptance (present_work_request), and every list comes after that
    # instant: the status filter applies to what clients read, not to what is stored.
    status = call.query.get("status")
    if status == "ACCEPTED":
        return Result(body={"items": []})
    if status == "IN_PROGRESS":
        call = dataclasses.replace(call, query={**call.query, "status": "ACCEPTED"})
    return resources.list_page(
        call,
        KIND,
        renames={"workRequestId": "id", "resourceId": "resources.identifier"},
        present=lambda doc: present_work_request(doc, call.now),
    )


def _entries(call: Call, field: str) -> Result:
    """A page of a work request's log or error entries; the page token is an offset."""
    entries = sorted(_load(call).doc[field], key=lambda e: e["timestamp"])
    if call.query.get("sortOrder") == "DESC":
        entries.reverse()
    check = pagination.checksum(call.op.name, call.query)
    start = int(pagination.decode(call.query["page"], check)[0]) if "page" in call.query else 0
    limit = call.query.get("limit", resources.DEFAULT_LIMIT)
    page = entries[start : start + limit]
    more = start + limit < len(entries)
    return Result(body={"items": page}, next_page=pagination.encode((start + limit,), check) if more else None)


def list_work_request_errors(call: Call) -> Result:
    return _entries(call, "_errors")


def list_work_request_logs(call: Call) -> Result:
    return _entries(call, "_logs")
