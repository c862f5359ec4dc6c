"""A work request's logs and errors page exactly: every entry once, in order, and ``opc-next-page``
only when there is more (an empty or extra one makes the SDK's paging loop forever or skip)."""

from __future__ import annotations

import oci
import pytest

from conftest import COMPARTMENT

WR = "ocid1.generativeaiworkrequest.oc1.us-chicago-1.amaaaaaapaged"
LOGS = 7
ERRORS = 5


@pytest.fixture
def work_request(oci_genai_emulator, oci_genai_config) -> str:
    stamps = [f"2026-01-01T00:00:{i // 2:02d}.000Z" for i in range(LOGS)]  # pairs share a timestamp
    doc = {
        "operationType": "CREATE_ENDPOINT", "status": "FAILED", "id": WR, "compartmentId": COMPARTMENT,
        "percentComplete": 50.0, "timeAccepted": stamps[0], "timeFinished": stamps[-1],
        "resources": [{"entityType": "Endpoint", "actionType": "FAILED", "identifier": "ocid1.generativeaiendpoint.oc1..x"}],
        "_due": None,
        "_logs": [{"message": f"log {i}", "timestamp": stamps[i]} for i in range(LOGS)],
        "_errors": [{"code": f"E{i}", "message": f"error {i}", "timestamp": stamps[i]} for i in range(ERRORS)],
    }
    oci_genai_emulator.import_state(
        {"workRequests": [{"kind": "workrequest", "id": WR, "tenancy": oci_genai_config["tenancy"], "doc": doc}]}
    )
    return WR


@pytest.mark.parametrize("operation, field, count", [("list_work_request_logs", "message", LOGS), ("list_work_request_errors", "code", ERRORS)])
@pytest.mark.parametrize("limit", [1, 2, 3, ERRORS, LOGS, 100])
@pytest.mark.parametrize("order", ["ASC", "DESC"])
def test_pages_hold_every_entry_once(generative_ai_client, work_request, operation, field, count, limit, order):
    method = getattr(generative_ai_client, operation)
    seen, page, pages = [], None, 0
    while True:
        kwargs = {"limit": limit, "sort_order": order, **({"page": page} if page else {})}
        response = method(work_request, **kwargs)
        items = response.data.items
        seen += [getattr(item, field) for item in items]
        pages += 1
        page = response.headers.get("opc-next-page")
        if not page:
            assert items or count == 0
            break
        assert len(items) == limit  # only full pages promise more
    expected = [f"log {i}" if field == "message" else f"E{i}" for i in range(count)]
    assert seen == (expected if order == "ASC" else expected[::-1])
    assert pages == -(-count // limit)  # no empty last page
    everything = oci.pagination.list_call_get_all_results(method, work_request, sort_order=order).data
    assert [getattr(item, field) for item in everything] == seen
