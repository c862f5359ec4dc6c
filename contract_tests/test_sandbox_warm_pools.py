"""Sandbox warm pools: children of a sandbox-enabled project, keyed by name. Creates, updates and
deletes go through work requests (and refuse a second change while one runs: 409); a stale etag is
412; a name is unique among the project's living pools and free again once its pool is DELETED; a
repeated delete answers with the delete under way; lists show exactly the living pools, sorted and
paged; and the project cannot be deleted while it has pools."""

from __future__ import annotations

import dataclasses
import uuid

import oci
import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from oci.generative_ai import models

from .machines import STATUS_RANK, expect_error, pages, run_machine
from .rules import CountsKeyRules
from .sandbox_kit import sandbox_project

KEY_RULES = (
    "create", "update", "stale etag 412", "busy update 409", "busy delete 409", "delete", "repeated delete",
    "name taken 409", "retried create", "list over pages", "list filtered", "project with pools 409",
)
SHAPES = st.sampled_from(["SMALL", "MEDIUM", "LARGE"])
NAMES = st.sampled_from(["alpha", "beta", "gamma", "delta"])
MAX_POOLS = 3


@dataclasses.dataclass
class Pool:
    name: str
    shape: str
    capacity: int
    etags: list[str] = dataclasses.field(default_factory=list)
    pending: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # (work request, actionType)
    deleted: bool = False


class SandboxWarmPoolMachine(CountsKeyRules, RuleBasedStateMachine):
    KEY_RULES = KEY_RULES
    slots_per_example = 1  # its project

    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx
        self.client = ctx.genai
        self.count_key_rules(ctx.tally)
        self.project = sandbox_project(ctx, "pools")
        self.pools: list[Pool] = []

    # helpers ------------------------------------------------------------------------------------
    def living(self) -> list[Pool]:
        return [p for p in self.pools if not p.deleted]

    def settled(self) -> list[Pool]:
        return [p for p in self.living() if not p.pending]

    def unique_name(self, word: str) -> str:
        taken = {p.name for p in self.pools if not p.deleted or p.pending}  # a DELETING pool keeps its name
        return next(f"{word}-{i}" for i in range(100) if f"{word}-{i}" not in taken)

    def read(self, pool: Pool):
        response = self.client.get_sandbox_warm_pool(self.project, pool.name)
        data = response.data
        assert (data.project_id, data.name, data.shape) == (self.project, pool.name, pool.shape)
        etag = response.headers["etag"]
        if etag != pool.etags[-1]:
            pool.etags.append(etag)
        return response

    def started(self, pool: Pool, response, action: str) -> None:
        wr = response.headers.get("opc-work-request-id")
        assert wr, f"{action} answers with opc-work-request-id"
        pool.pending.append((wr, action))
        if response.headers.get("etag"):
            pool.etags.append(response.headers["etag"])

    def refuses_while_busy(self, pool: Pool) -> None:
        before = self.read(pool)
        if before.data.lifecycle_state not in ("CREATING", "UPDATING"):
            assert self.ctx.on_oci, f"{pool.name} is {before.data.lifecycle_state}, though nothing landed it"
            return
        update = models.UpdateSandboxWarmPoolDetails(desired_capacity=pool.capacity)
        expect_error(409, None, lambda: self.client.update_sandbox_warm_pool(self.project, pool.name, update))
        self.ran("busy update 409")
        expect_error(409, None, lambda: self.client.delete_sandbox_warm_pool(self.project, pool.name))
        self.ran("busy delete 409")
        assert self.read(pool).headers["etag"] == before.headers["etag"], "a refused change changed the pool"

    def settle(self, pool: Pool) -> None:
        while pool.pending:
            wr_id, action = pool.pending.pop(0)
            wr, statuses = self.ctx.wait_for_work_request(wr_id)
            ranks = [STATUS_RANK.get(s, 0) for s in statuses]
            assert ranks == sorted(ranks), f"work request {wr_id} went back: {statuses}"
            assert wr.status == "SUCCEEDED" and wr.percent_complete == 100, f"{wr.operation_type} {wr.status}"
            (resource,) = wr.resources
            assert (resource.entity_type, resource.action_type) == ("SandboxWarmPool", action)
            assert resource.entity_uri.endswith(f"/generativeAiProjects/{self.project}/sandboxWarmPools/{pool.name}")
            self.ran({"CREATED": "create", "UPDATED": "update", "DELETED": "delete"}[action])
        if pool.deleted:
            if any(p.name == pool.name for p in self.living()):
                return  # the name was reused: it names the new pool now
            expect_error(404, None, lambda: self.client.get_sandbox_warm_pool(self.project, pool.name))
        else:
            assert self.read(pool).data.lifecycle_state == "ACTIVE"

    def create_one(self, word: str, shape: str, capacity: int, **kwargs) -> tuple[Pool, models.CreateSandboxWarmPoolDetails]:
        pool = Pool(self.unique_name(word), shape, capacity)
        details = models.CreateSandboxWarmPoolDetails(name=pool.name, type="MANAGED", shape=shape, desired_capacity=capacity)
        response = self.client.create_sandbox_warm_pool(self.project, details, **kwargs)
        assert response.data.lifecycle_state == "CREATING" and response.data.name == pool.name
        pool.etags.append(response.headers["etag"])
        self.started(pool, response, "CREATED")
        self.pools.append(pool)
        self.refuses_while_busy(pool)
        return pool, details

    def update_one(self, pool: Pool, capacity: int, with_etag: bool) -> str:
        current = self.read(pool).headers["etag"]
        kwargs = {"if_match": current} if with_etag else {}
        response = self.client.update_sandbox_warm_pool(
            self.project, pool.name, models.UpdateSandboxWarmPoolDetails(desired_capacity=capacity), **kwargs
        )
        assert response.data.desired_capacity == capacity and response.headers["etag"] != current
        pool.capacity = capacity
        self.started(pool, response, "UPDATED")
        self.refuses_while_busy(pool)
        return current

    def check_list(self, limit: int, sort_by: str | None, sort_order: str | None, **filters) -> None:
        sorting = {k: v for k, v in (("sort_by", sort_by), ("sort_order", sort_order)) if v}
        items = pages(self.client.list_sandbox_warm_pools, self.project, limit=limit, **sorting, **filters)
        names = [i.name for i in items]
        assert len(names) == len(set(names)), "a pool came twice across pages"
        field = "name" if sort_by == "name" else "time_created"
        keys = [getattr(i, field) for i in items]
        descending = (sort_order or ("ASC" if sort_by == "name" else "DESC")) == "DESC"
        assert keys == sorted(keys, reverse=descending), f"not sorted by {sort_by} {sort_order}: {keys}"
        wanted = {p.name for p in self.living() if all(getattr(p, k) == v for k, v in filters.items())}
        maybe = {p.name for p in self.pools if p.deleted and p.pending}  # still DELETING
        assert wanted <= set(names) <= wanted | maybe, f"list {filters}: {names}, expected {wanted}"
        if items.pages > 1:
            self.ran("list over pages")
        if filters and wanted:
            self.ran("list filtered")

    # the tour every example starts with ---------------------------------------------------------
    @initialize(word=NAMES, shape=SHAPES, with_etag=st.booleans())
    def start_with_a_lifecycle(self, word, shape, with_etag):
        pool, _ = self.create_one(word, shape, 1)
        self.settle(pool)
        stale = self.update_one(pool, 2, with_etag)
        self.settle(pool)
        self.refuses_a_stale_etag(pool, stale)
        self.check_list(1, None, None)
        self.check_list(1, "name", None, name=pool.name)
        self.deleting_twice(pool)

    # rules --------------------------------------------------------------------------------------
    @precondition(lambda self: len(self.living()) < MAX_POOLS)
    @rule(word=NAMES, shape=SHAPES, capacity=st.integers(0, 3))
    def create(self, word, shape, capacity):
        self.create_one(word, shape, capacity)

    @precondition(lambda self: len(self.living()) < MAX_POOLS)
    @rule(word=NAMES, shape=SHAPES)
    def create_twice_with_one_retry_token(self, word, shape):
        token = uuid.uuid4().hex
        pool, details = self.create_one(word, shape, 1, opc_retry_token=token)
        again = self.client.create_sandbox_warm_pool(self.project, details, opc_retry_token=token)
        assert again.headers["opc-work-request-id"] == pool.pending[0][0], "a retried create made another pool"
        self.ran("retried create")

    @precondition(lambda self: self.living())
    @rule(data=st.data())
    def create_a_taken_name(self, data):
        pool = data.draw(st.sampled_from(self.living()), label="pool")
        details = models.CreateSandboxWarmPoolDetails(name=pool.name, type="MANAGED", shape="SMALL", desired_capacity=0)
        expect_error(409, None, lambda: self.client.create_sandbox_warm_pool(self.project, details))
        self.ran("name taken 409")

    @precondition(lambda self: self.living())
    @rule(data=st.data(), capacity=st.integers(0, 3), with_etag=st.booleans())
    def update(self, data, capacity, with_etag):
        pool = data.draw(st.sampled_from(self.living()), label="pool")
        self.settle(pool)
        self.update_one(pool, capacity, with_etag)

    def refuses_a_stale_etag(self, pool: Pool, stale: str) -> None:
        current = self.read(pool).headers["etag"]
        update = models.UpdateSandboxWarmPoolDetails(desired_capacity=0)
        expect_error(412, ("NoEtagMatch",), lambda: self.client.update_sandbox_warm_pool(self.project, pool.name, update, if_match=stale))
        assert self.read(pool).headers["etag"] == current
        self.ran("stale etag 412")

    @precondition(lambda self: [p for p in self.living() if len(p.etags) > 1])
    @rule(data=st.data())
    def update_with_a_stale_etag(self, data):
        pool = data.draw(st.sampled_from([p for p in self.living() if len(p.etags) > 1]), label="pool")
        self.settle(pool)
        self.refuses_a_stale_etag(pool, pool.etags[0])

    def deleting_twice(self, pool: Pool) -> None:
        first = self.client.delete_sandbox_warm_pool(self.project, pool.name)
        pool.deleted = True
        self.started(pool, first, "DELETED")
        if self.deleting(pool):
            again = self.client.delete_sandbox_warm_pool(self.project, pool.name)
            assert again.headers["opc-work-request-id"] == first.headers["opc-work-request-id"]
            self.ran("repeated delete")

    def deleting(self, pool: Pool) -> bool:
        """Whether the pool reads DELETING (a tenancy may have finished the delete already: 404)."""
        try:
            return self.read(pool).data.lifecycle_state == "DELETING"
        except oci.exceptions.ServiceError as exc:
            if exc.status == 404 and self.ctx.on_oci:
                return False
            raise

    @precondition(lambda self: self.living())
    @rule(data=st.data())
    def delete(self, data):
        pool = data.draw(st.sampled_from(self.living()), label="pool")
        self.settle(pool)
        self.deleting_twice(pool)

    @rule(limit=st.integers(1, 3), sort_by=st.sampled_from([None, "timeCreated", "name"]),
          sort_order=st.sampled_from([None, "ASC", "DESC"]), data=st.data())
    def list_with_filters_sorts_and_pages(self, limit, sort_by, sort_order, data):
        self.check_list(limit, sort_by, sort_order)
        if self.living():
            pool = data.draw(st.sampled_from(self.living()), label="filtered on")
            choice = data.draw(st.sampled_from(["name", "shape"]), label="filter")
            self.check_list(limit, sort_by, sort_order, **{choice: getattr(pool, choice)})

    @precondition(lambda self: self.living())
    @rule()
    def delete_the_project(self):
        expect_error(409, None, lambda: self.client.delete_generative_ai_project(self.project))
        self.ran("project with pools 409")

    @precondition(lambda self: [p for p in self.pools if p.pending])
    @rule()
    def wait(self):
        for pool in self.pools:
            self.settle(pool)

    @invariant()
    def lists_show_exactly_the_living_pools(self):
        self.check_list(100, None, None)

    def teardown(self):
        for pool in self.pools:
            self.settle(pool)
        for pool in self.living():
            self.deleting_twice(pool)
            self.settle(pool)
        wr = self.client.delete_generative_ai_project(self.project).headers["opc-work-request-id"]
        self.ctx.wait_for_work_request(wr)


@pytest.mark.costly()
def test_sandbox_warm_pools(contract, request):
    run_machine(contract, request.node.nodeid, SandboxWarmPoolMachine)
