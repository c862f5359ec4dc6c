"""Work requests, driven by imported-model operations (cheap: no dedicated units): a resource's
work requests are exactly the ones its operations started; status filters, sorting and pages
hold; a status never goes back; logs and errors read page by page."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from .machines import KEY_RULES, STATUS_RANK, assert_sorted, pages, run_machine
from .test_imported_models import ImportedModelMachine

STATUSES = ["ACCEPTED", "IN_PROGRESS", "SUCCEEDED", "FAILED"]


class WorkRequestMachine(ImportedModelMachine):
    KEY_RULES = (*KEY_RULES, "work requests of a resource", "work requests by status", "logs and errors")

    def __init__(self, ctx):
        super().__init__(ctx)
        self.last_status: dict[str, str] = {}

    def all_work_requests(self) -> list[str]:
        return [wr for r in self.resources for wr in r.work_requests]

    def list_work_requests(self, compartment: str, limit: int, **filters) -> list:
        return pages(self.client.list_work_requests, compartment, limit=limit, **filters)

    def saw(self, wr_id: str, status: str) -> None:
        before = self.last_status.get(wr_id)
        assert before is None or STATUS_RANK[before] <= STATUS_RANK[status], f"{wr_id} went from {before} to {status}"
        self.last_status[wr_id] = status

    @precondition(lambda self: self.resources)
    @rule(data=st.data(), limit=st.integers(1, 3), sort_order=st.sampled_from([None, "ASC", "DESC"]))
    def list_the_work_requests_of_a_resource(self, data, limit, sort_order):
        r = self.draw(data, self.resources, "resource")
        sorting = {"sort_order": sort_order} if sort_order else {}
        items = [
            wr for c in self.ctx.compartments for wr in self.list_work_requests(c, limit, resource_id=r.id, **sorting)
        ]
        ids = [wr.id for wr in items]
        assert len(ids) == len(set(ids)), "a work request came twice"
        assert set(ids) == set(r.work_requests), f"work requests of {r.id}: {ids}, started {r.work_requests}"
        for wr in items:
            assert any(e.identifier == r.id for e in wr.resources)
            self.saw(wr.id, wr.status)
        for compartment in self.ctx.compartments:
            in_compartment = [wr for wr in items if wr.compartment_id == compartment]
            keys = [wr.time_accepted for wr in in_compartment]
            assert keys == sorted(keys, reverse=(sort_order or "DESC") == "DESC")
        self.ran("work requests of a resource")

    @precondition(lambda self: self.resources)
    @rule(status=st.sampled_from(STATUSES), limit=st.integers(5, 50), data=st.data())
    def list_work_requests_by_status(self, status, limit, data):
        compartment = data.draw(st.sampled_from(self.ctx.compartments), label="compartment")
        items = self.list_work_requests(compartment, limit, status=status)
        assert all(wr.status == status for wr in items), f"status filter {status}: {[wr.status for wr in items]}"
        assert_sorted([_Accepted(wr.time_accepted) for wr in items], "timeCreated", None)
        finished = {wr for r in self.resources for wr in r.work_requests if wr not in {p for p, _ in r.pending}}
        if status == "SUCCEEDED":  # every work request awaited here has succeeded and stays listed
            listed = {wr.id for wr in items}
            mine_here = {wr for wr in finished if self.last_status.get(wr) == "SUCCEEDED"}
            compartment_of = {wr: self.client.get_work_request(wr).data.compartment_id for wr in mine_here}
            in_compartment = {wr for wr, where in compartment_of.items() if where == compartment}
            assert in_compartment <= listed, f"succeeded work requests missing: {in_compartment - listed}"
        self.ran("work requests by status")

    @precondition(lambda self: self.all_work_requests())
    @rule(data=st.data(), limit=st.integers(1, 3))
    def read_a_work_request_with_its_logs_and_errors(self, data, limit):
        wr_id = data.draw(st.sampled_from(self.all_work_requests()), label="work request")
        wr = self.client.get_work_request(wr_id).data
        self.saw(wr_id, wr.status)
        if wr.status in ("SUCCEEDED", "FAILED", "CANCELED"):
            assert wr.time_finished is not None and wr.percent_complete == 100
        for operation in (self.client.list_work_request_logs, self.client.list_work_request_errors):
            entries = pages(operation, wr_id, limit=limit)
            assert all(e.message and e.timestamp for e in entries)
            if operation == self.client.list_work_request_errors and wr.status == "SUCCEEDED":
                assert entries == [], f"a SUCCEEDED work request has errors: {[e.message for e in entries]}"
        self.ran("logs and errors")

    def settle(self, r):
        super().settle(r)
        for wr_id in r.work_requests:
            self.last_status[wr_id] = "SUCCEEDED"  # settle checked it


class _Accepted:
    """Sort key adapter: list_work_requests sorts by timeAccepted (DESC by default)."""

    def __init__(self, time_created):
        self.time_created = time_created


@pytest.mark.costly()
def test_work_requests(contract, request):
    run_machine(contract, request.node.nodeid, WorkRequestMachine)
