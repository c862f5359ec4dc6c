"""Tenancy isolation: nothing of one tenancy is visible to, or changeable by, another.

Two tenancies work in the same compartment ids (the emulator scopes resources by the tenancy of
the request's key; on OCI a compartment belongs to one tenancy anyway). Each creates imported
models (cheap: no dedicated units); the other must not read them (404), list them, see their
work requests, change, move or delete them (404, and the resource stays as it was), and the same
``opc-retry-token`` in both tenancies makes two resources (never a replay of the other's). After
every step each tenancy's list shows exactly its own live resources.

On the emulator the second tenancy is the kit's own. On OCI it is ``--other-tenancy-profile`` (a
profile of another tenancy in the same config file); there it only probes, creating nothing.
"""

from __future__ import annotations

import dataclasses
import uuid

import oci
import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from oci.generative_ai import models

from .cleanup import MACHINE_TAG
from .machines import expect_error, pages, run_machine
from .rules import CountsKeyRules
from .shared import HUGGING_FACE_MODEL

GETTER = "get_imported_model"


@dataclasses.dataclass(eq=False)
class Owned:
    id: str
    owner: str  # the tenancy that made it: "one" (the target's) or "two"
    work_request: str
    etag: str
    deleted: bool = False


class TenancyMachine(CountsKeyRules, RuleBasedStateMachine):
    KEY_RULES = ("not readable", "work requests hidden", "not listed", "not changeable", "retry tokens apart")

    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx
        self.clients = {"one": ctx.genai, "two": ctx.other_genai}
        self.creators = ("one",) if ctx.on_oci else ("one", "two")  # on OCI the other tenancy only probes
        self.budget = ctx.spending
        self.machine = uuid.uuid4().hex[:10]
        self.owned: list[Owned] = []
        self.count_key_rules(ctx.tally)

    def other(self, tenancy: str) -> str:
        return "two" if tenancy == "one" else "one"

    def live(self) -> list[Owned]:
        return [r for r in self.owned if not r.deleted]

    def details(self, token: str = "") -> models.CreateImportedModelDetails:
        return models.CreateImportedModelDetails(
            compartment_id=self.ctx.compartment,
            display_name=f"isolation-{self.machine[:4]}-{len(self.owned):03d}{token}",
            data_source=models.HuggingFaceModel(model_id=HUGGING_FACE_MODEL),
            freeform_tags=self.ctx.tags(self.machine),
        )

    def create(self, tenancy: str, **kwargs) -> Owned:
        assert self.budget.reserve("isolation"), "resource budget exhausted"
        response = self.clients[tenancy].create_imported_model(self.details(), **kwargs)
        self.ctx.remember(response.data.id)
        r = Owned(response.data.id, tenancy, response.headers["opc-work-request-id"], response.headers["etag"])
        self.owned.append(r)
        self.settle(r)
        return r

    def settle(self, r: Owned) -> None:
        client = self.clients[r.owner]
        wr, _ = self.ctx.wait_for_work_request(r.work_request, client)
        assert wr.status == "SUCCEEDED", f"{wr.operation_type} {wr.status}"
        states = ("DELETED", "404") if r.deleted else ("ACTIVE",)
        self.ctx.wait_for_state(GETTER, r.id, states, client)
        if not r.deleted:
            r.etag = client.get_imported_model(r.id).headers["etag"]

    def draw(self, data, label: str = "resource") -> Owned:
        rid = data.draw(st.sampled_from([r.id for r in self.live()]), label=label)
        return next(r for r in self.owned if r.id == rid)

    @initialize(how=st.sampled_from(["update", "move", "delete"]))
    def start_with_a_resource_in_each_tenancy(self, how):
        """Every example (while the budget lasts) starts with a resource in each tenancy that
        creates (made with one retry token) and the other's probes of the first one."""
        if not self.budget.available("isolation"):
            return
        r = self.retry_tokens_stay_apart() if "two" in self.creators else self.create("one")
        self.cannot_read(r)
        self.cannot_change(r, how)

    @rule(data=st.data())
    def create_in_a_tenancy(self, data):
        if self.budget.available("isolation"):
            self.create(data.draw(st.sampled_from(self.creators), label="tenancy"))

    @precondition(lambda self: self.live())
    @rule(data=st.data())
    def the_other_tenancy_cannot_read_it(self, data):
        self.cannot_read(self.draw(data))

    def cannot_read(self, r: Owned) -> None:
        other = self.clients[self.other(r.owner)]
        expect_error(404, None, lambda: other.get_imported_model(r.id))
        self.ran("not readable")
        expect_error(404, None, lambda: other.get_work_request(r.work_request))
        expect_error(404, None, lambda: other.list_work_request_logs(r.work_request))
        expect_error(404, None, lambda: other.list_work_request_errors(r.work_request))
        self.ran("work requests hidden")

    @precondition(lambda self: self.live())
    @rule(data=st.data(), how=st.sampled_from(["update", "move", "delete"]))
    def the_other_tenancy_cannot_change_it(self, data, how):
        self.cannot_change(self.draw(data), how)

    def cannot_change(self, r: Owned, how: str) -> None:
        other = self.clients[self.other(r.owner)]
        calls = {
            "update": lambda: other.update_imported_model(r.id, models.UpdateImportedModelDetails(description="x")),
            "move": lambda: other.change_imported_model_compartment(
                r.id, models.ChangeImportedModelCompartmentDetails(compartment_id=self.ctx.compartments[-1])
            ),
            "delete": lambda: other.delete_imported_model(r.id),
        }
        expect_error(404, None, calls[how])
        mine = self.clients[r.owner].get_imported_model(r.id)
        assert mine.headers["etag"] == r.etag, f"the other tenancy's refused {how} changed {r.id}"
        assert (mine.data.lifecycle_state, mine.data.compartment_id) == ("ACTIVE", self.ctx.compartment)
        self.ran("not changeable")

    def retry_tokens_stay_apart(self) -> Owned:
        """One opc-retry-token in both tenancies makes two resources; returns the first."""
        token = uuid.uuid4().hex
        first = self.create("one", opc_retry_token=token)
        second = self.create("two", opc_retry_token=token)
        assert first.id != second.id and first.work_request != second.work_request, "a retry token crossed tenancies"
        self.ran("retry tokens apart")
        return first

    @precondition(lambda self: self.live())
    @rule(data=st.data())
    def delete_one(self, data):
        r = self.draw(data)
        response = self.clients[r.owner].delete_imported_model(r.id)
        r.deleted, r.work_request = True, response.headers["opc-work-request-id"]
        self.settle(r)

    @invariant()
    def each_tenancy_lists_only_its_own(self):
        for tenancy, client in self.clients.items():
            try:
                items = pages(client.list_imported_models, self.ctx.compartment, limit=100)
            except oci.exceptions.ServiceError as exc:  # on OCI, another tenancy's compartment is not found
                assert exc.status == 404 and tenancy not in self.creators, f"{tenancy} cannot list: {exc.status}"
                continue
            listed = {i.id for i in items if (i.freeform_tags or {}).get(MACHINE_TAG) == self.machine
                      and i.lifecycle_state != "DELETED"}
            own = {r.id for r in self.live() if r.owner == tenancy}
            assert listed == own, f"tenancy {tenancy} lists {listed - own or 'none'} not its own, misses {own - listed or 'none'}"
        if self.live():
            self.ran("not listed")

    def teardown(self):
        for r in self.live():
            self.clients[r.owner].delete_imported_model(r.id)
            r.deleted = True
        for r in self.owned:
            self.ctx.wait_for_state(GETTER, r.id, ("DELETED", "404"), self.clients[r.owner])


@pytest.mark.needs("other_tenancy_profile", "a second tenancy (a profile of it in the same config file)")
@pytest.mark.costly()
def test_tenancies_are_isolated(contract, request):
    excused = ("retry tokens apart",) if contract.on_oci else ()
    run_machine(contract, request.node.nodeid, TenancyMachine, excused=excused)
