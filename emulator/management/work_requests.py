"""Work requests: the record of every asynchronous operation, with its logs and errors."""

from __future__ import annotations

import dataclasses

from ..call import Call, Result, operation
from ..lifecycle import WORK_REQUEST, present_work_request
from ..protocol import pagination
from . import resources

KIND = WORK_REQUEST


def _load(call: Call):
    return resources.load(call, KIND, call.path["workRequestId"])


@operation
def get_work_request(call: Call) -> Result:
    rec = _load(call)
    return Result(body=present_work_request(rec.doc, call.now))


@operation
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
    """A page of a work request's log or error entries, by keyset on (timestamp, position)."""
    entries = list(enumerate(_load(call).doc[field]))
    check = pagination.checksum(call.op.name, call.query)
    after = pagination.decode(call.query["page"], check, (str, int)) if "page" in call.query else None
    page, cursor = pagination.keyset_slice(
        entries,
        key=lambda entry: (entry[1]["timestamp"], entry[0]),
        after=after,
        limit=call.query.get("limit", resources.DEFAULT_LIMIT),
        descending=call.query.get("sortOrder") == "DESC",
    )
    return Result(
        body={"items": [entry for _, entry in page]},
        next_page=pagination.encode(cursor, check) if cursor else None,
    )


@operation
def list_work_request_errors(call: Call) -> Result:
    return _entries(call, "_errors")


@operation
def list_work_request_logs(call: Call) -> Result:
    return _entries(call, "_logs")
