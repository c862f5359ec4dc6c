"""The state machine every resource family shares, through the real oci SDK.

:class:`ResourceMachine` models the resources one machine instance created (each tagged with
the run's id and the machine's own id) and drives them with rules: create (and create twice
with one ``opc-retry-token``), get, update with and without ``if-match``, update with a stale
etag, update while busy, list with filters, sorts and pages, change compartment, delete and
wait. After every step the invariants check that lists show exactly the live resources and
that no etag ever comes back. Every work request a rule starts is awaited (by the ``wait``
rule or at teardown) and must end SUCCEEDED with ``timeFinished`` and a ``resources[]`` entry
for the resource with the right ``actionType``.

DELETED policy (the emulator's, and what real OCI and Terraform allow): a deleted resource
reads as ``DELETED`` or ``404``; lists may keep showing it, but only as ``DELETED``.

A family subclass names its SDK operations (``noun``), says how to build create and update
details, and adds its own rules (conflicts, capacity, inference on an endpoint, ...).
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any, Callable

import oci
from hypothesis import note
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from oci.generative_ai import models

from .cleanup import MACHINE_TAG
from .context import Run

WORDS = st.sampled_from(["alpha", "beta", "gamma", "delta"])  # lower case: sorting needs no collation rules
TRANSITIONAL = ("CREATING", "UPDATING", "DELETING")
SETTLED = ("ACTIVE", "NEEDS_ATTENTION")  # Terraform accepts NEEDS_ATTENTION as a created cluster
GONE = ("DELETED", "404")
STATUS_RANK = {"ACCEPTED": 0, "WAITING": 1, "IN_PROGRESS": 1, "CANCELING": 2, "SUCCEEDED": 3, "FAILED": 3,
               "CANCELED": 3}
SORT_FIELDS = {"timeCreated": "time_created", "displayName": "display_name", "lifecycleState": "lifecycle_state"}


@dataclasses.dataclass(eq=False)
class Resource:
    """What the machine knows about one resource it created."""

    id: str
    compartment: str
    display_name: str
    versions: list[str] = dataclasses.field(default_factory=list)  # etags, one per version seen
    pending: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # (work request, actionType)
    work_requests: list[str] = dataclasses.field(default_factory=list)
    deleted: bool = False
    moved_from: str | None = None  # set while a compartment move is not yet awaited
    extra: dict = dataclasses.field(default_factory=dict)

    def __repr__(self) -> str:
        return f"<{self.id[-12:]} {self.display_name} {'deleted' if self.deleted else 'live'}>"

    @property
    def settled(self) -> bool:
        return not self.pending


def expect_error(status: int, codes: tuple[str, ...] | None, call: Callable[[], Any], adopt=None):
    """``call()`` must fail with ``status`` (and one of ``codes``); if it succeeds instead,
    ``adopt(response)`` keeps the model (and cleanup) honest before the test fails."""
    try:
        response = call()
    except oci.exceptions.ServiceError as exc:
        assert exc.status == status, f"expected {status} {codes or ''}, got {exc.status} {exc.code}: {exc.message}"
        assert codes is None or exc.code in codes, f"expected code {codes}, got {exc.code}: {exc.message}"
        return exc
    if adopt is not None:
        adopt(response)
    raise AssertionError(f"expected {status} {codes or ''}, but the call succeeded ({response.status})")


def pages(call: Callable, *args: Any, limit: int, **kwargs: Any) -> list:
    """Every item of a list operation, page by page, checking the page protocol: at most
    ``limit`` items a page, ``opc-next-page`` until the last page."""
    items, page = [], None
    for _ in range(1000):
        response = call(*args, limit=limit, **kwargs, **({"page": page} if page else {}))
        assert len(response.data.items) <= limit, f"{len(response.data.items)} items on a page of {limit}"
        items += response.data.items
        page = response.next_page
        if not page:
            return items
    raise AssertionError("more than 1000 pages")


def assert_sorted(items: list, sort_by: str | None, sort_order: str | None) -> None:
    field = SORT_FIELDS[sort_by or "timeCreated"]
    default = "ASC" if sort_by in ("displayName", "lifecycleState") else "DESC"
    keys = [getattr(item, field) for item in items]
    descending = (sort_order or default) == "DESC"
    assert keys == sorted(keys, reverse=descending), f"not sorted by {sort_by} {sort_order or default}: {keys}"


class ResourceMachine(RuleBasedStateMachine):
    noun = ""  # SDK stem: create_<noun>, get_<noun>, list_<noun>s, change_<noun>_compartment, ...
    entity = ""  # work request entityType and the Change<entity>CompartmentDetails model
    label = ""  # budget label (a per-run limit applies with label_limit)
    label_limit: int | None = None
    async_update = True  # False: update answers at once, without a work request (models)
    billed_creates = False  # True: each create bills on a tenancy (clusters, fine-tuning jobs)
    max_live = 3
    page_limits = st.integers(1, 4)

    def __init__(self, ctx: Run):
        super().__init__()
        self.ctx = ctx
        self.client = ctx.genai
        self.machine = uuid.uuid4().hex[:10]
        self.resources: list[Resource] = []
        self.counter = 0

    # what a family defines -------------------------------------------------------------------
    def create_details(self, name: str, compartment: str, data: st.DataObject) -> Any:
        raise NotImplementedError

    def update_details(self, name: str) -> Any:
        raise NotImplementedError

    def check_resource(self, r: Resource, data: Any) -> None:
        """Family checks on a resource read back (``data``: the SDK model)."""

    def deletable(self, r: Resource) -> bool:
        return True

    def ready(self) -> bool:
        return True

    # helpers ------------------------------------------------------------------------------------
    def sdk(self, pattern: str) -> Callable:
        return getattr(self.client, pattern.format(self.noun))

    def new_name(self, word: str) -> str:
        """Unique within the machine (custom models need a unique name and version)."""
        self.counter += 1
        return f"{word}-{self.machine[:4]}-{self.counter:03d}"

    def tags(self) -> dict:
        return self.ctx.tags(self.machine)

    def live(self) -> list[Resource]:
        return [r for r in self.resources if not r.deleted]

    def settled_live(self) -> list[Resource]:
        return [r for r in self.live() if r.settled]

    def can_create(self) -> bool:
        room = len(self.live()) < self.max_live
        return self.ready() and room and self.ctx.budget.available(self.label, self.label_limit)

    def created(self, call: Callable[[], Any]) -> Any:
        """Make a create call within the run's budget (a slot is given back if nothing was made)."""
        assert self.ctx.budget.reserve(self.label, self.label_limit), "resource budget exhausted"
        try:
            response = call()
        except oci.exceptions.ServiceError as exc:
            if exc.status < 500:
                self.ctx.budget.release(self.label)
            raise
        self.ctx.remember(response.data.id)
        return response

    def track(self, response: Any, name: str, compartment: str) -> Resource:
        data = response.data
        self.ctx.remember(data.id)
        r = Resource(data.id, compartment, name)
        self.resources.append(r)
        wr = response.headers.get("opc-work-request-id")
        assert data.lifecycle_state == "CREATING", f"a create answers CREATING, not {data.lifecycle_state}"
        assert wr, "a create answers with opc-work-request-id"
        assert response.headers.get("etag"), "a create answers with an etag"
        assert (data.freeform_tags or {}).items() >= self.tags().items(), "freeform tags are kept"
        r.versions.append(response.headers["etag"])
        r.pending.append((wr, "CREATED"))
        r.work_requests.append(wr)
        return r

    def adopt(self, response: Any, name: str = "unexpected", compartment: str | None = None) -> None:
        """A create that should have failed succeeded: track it (it gets cleaned up)."""
        if getattr(response.data, "id", None):
            self.track(response, name, compartment or self.ctx.compartment)

    def create_one(self, word: str, data: st.DataObject, **kwargs: Any) -> tuple[Resource, Any]:
        name = self.new_name(word)
        details = self.create_details(name, self.ctx.compartment, data)
        response = self.created(lambda: self.sdk("create_{}")(details, **kwargs))
        return self.track(response, name, self.ctx.compartment), details

    def read(self, r: Resource) -> Any | None:
        """GET ``r`` and check it against the model; ``None`` when it is gone (404)."""
        try:
            response = self.sdk("get_{}")(r.id)
        except oci.exceptions.ServiceError as exc:
            assert exc.status == 404 and r.deleted, f"GET {r.id}: {exc.status} {exc.code} ({exc.message})"
            return None
        data = response.data
        state = data.lifecycle_state
        if r.deleted:
            assert state in (("DELETED",) if r.settled else ("DELETING", "DELETED")), f"deleted {r.id} reads {state}"
        else:
            assert state not in ("DELETING", "DELETED", "FAILED"), f"live {r.id} reads {state}"
            assert data.display_name == r.display_name
            assert data.compartment_id in ((r.compartment, r.moved_from) if r.moved_from else (r.compartment,))
            assert (data.freeform_tags or {}).items() >= self.tags().items()
            self.check_resource(r, data)
        etag = response.headers.get("etag")
        assert etag, "a GET answers with an etag"
        if etag != r.versions[-1]:
            r.versions.append(etag)
        return response

    def draw(self, data: st.DataObject, candidates: list[Resource], label: str) -> Resource:
        """One of ``candidates``, drawn by id (so failing examples print ids, not whole records)."""
        rid = data.draw(st.sampled_from([r.id for r in candidates]), label=label)
        return next(r for r in candidates if r.id == rid)

    # creates ------------------------------------------------------------------------------------
    @initialize(word=WORDS, data=st.data())
    def start_with_a_resource(self, word, data):
        """Every example starts with one resource (while the budget lasts): even the simplest
        example, all a tenancy run may afford, goes through a whole lifecycle (teardown deletes it)."""
        if self.can_create():
            self.create_one(word, data)

    @precondition(lambda self: self.can_create())
    @rule(word=WORDS, data=st.data())
    def create(self, word, data):
        self.create_one(word, data)

    @precondition(lambda self: self.can_create())
    @rule(word=WORDS, data=st.data())
    def create_twice_with_one_retry_token(self, word, data):
        token = uuid.uuid4().hex
        r, details = self.create_one(word, data, opc_retry_token=token)
        again = self.sdk("create_{}")(details, opc_retry_token=token)
        if again.data.id != r.id:
            self.adopt(again, r.display_name)
        assert again.data.id == r.id, "a retried create (same opc-retry-token) made a second resource"
        assert again.headers["opc-work-request-id"] == r.work_requests[0]
        if self.ctx.on_oci and self.billed_creates:
            return  # the probe below would bill a whole resource on a tenancy if the service accepted it
        # the same token on a different request is refused, and creates nothing
        other = self.create_details(self.new_name(word), self.ctx.compartment, data)
        expect_error(409, None, lambda: self.sdk("create_{}")(other, opc_retry_token=token), adopt=self.adopt)

    # reads --------------------------------------------------------------------------------------
    @precondition(lambda self: self.resources)
    @rule(data=st.data())
    def get(self, data):
        self.read(self.draw(data, self.resources, "resource"))

    @rule(data=st.data())  # no precondition: a machine always has a rule, even with its budget spent
    def list_with_filters_sorts_and_pages(self, data):
        compartment = data.draw(st.sampled_from(self.ctx.compartments), label="compartment")
        here = [r for r in self.resources if r.compartment == compartment and r.settled]
        filters: dict[str, Any] = {}
        choice = data.draw(st.sampled_from(["none", "display_name", "id", "lifecycle_state"]), label="filter")
        if choice in ("display_name", "id") and here:
            picked = self.draw(data, here, "filtered on")
            filters[choice] = picked.display_name if choice == "display_name" else picked.id
        elif choice == "lifecycle_state":
            filters[choice] = data.draw(st.sampled_from(["ACTIVE", "DELETED"]), label="state")
        sort_by = data.draw(st.sampled_from([None, "timeCreated", "displayName"]), label="sort_by")
        sort_order = data.draw(st.sampled_from([None, "ASC", "DESC"]), label="sort_order")
        limit = data.draw(self.page_limits, label="limit")
        sorting = {k: v for k, v in (("sort_by", sort_by), ("sort_order", sort_order)) if v}
        items = self.page_through(compartment, limit, **sorting, **filters)
        ids = [i.id for i in items]
        assert len(ids) == len(set(ids)), "an item came twice across pages"
        for item in items:
            for name, value in filters.items():
                assert getattr(item, name) == value, f"{item.id} does not match the filter {name}={value}"
        assert_sorted(items, sort_by, sort_order)
        must, may = self.expected_in(compartment)
        state = filters.get("lifecycle_state")
        if state == "ACTIVE":  # only settled resources are sure to be ACTIVE already
            must = {r.id for r in here if not r.deleted}
        elif state == "DELETED":
            must, may = set(), {r.id for r in self.resources if r.deleted} | may
        key = next((k for k in ("display_name", "id") if k in filters), None)
        if key:
            wanted = {r.id for r in self.resources if getattr(r, key) == filters[key]}
            must, may = must & wanted, may & wanted
        mine = {i.id for i in items if self.is_mine(i) and (state == "DELETED" or i.lifecycle_state != "DELETED")}
        assert must <= mine <= may, f"list {filters} {sorting}: missing {must - mine}, unexpected {mine - may}"

    def page_through(self, compartment: str, limit: int, **kwargs: Any) -> list:
        return pages(self.sdk("list_{}s"), compartment, limit=limit, **kwargs)

    def is_mine(self, item: Any) -> bool:
        return (item.freeform_tags or {}).get(MACHINE_TAG) == self.machine

    def expected_in(self, compartment: str) -> tuple[set[str], set[str]]:
        """(ids a list of ``compartment`` must show alive, ids it may show alive)."""
        must, may = set(), set()
        for r in self.resources:
            where = {r.compartment, r.moved_from} - {None}
            if compartment not in where:
                continue
            if r.deleted:
                if not r.settled:
                    may.add(r.id)
            elif r.moved_from:
                may.add(r.id)
            else:
                must.add(r.id)
        return must, must | may

    # updates ------------------------------------------------------------------------------------
    def updated(self, r: Resource, response: Any, name: str, before: str) -> None:
        etag = response.headers.get("etag")
        assert etag and etag != before, f"an update must change the etag ({before} -> {etag})"
        r.display_name = name
        r.versions.append(etag)
        assert response.data.display_name == name
        if self.async_update:
            wr = response.headers.get("opc-work-request-id")
            assert wr, "an asynchronous update answers with opc-work-request-id"
            assert response.data.lifecycle_state in ("UPDATING", "ACTIVE")
            r.pending.append((wr, "UPDATED"))
            r.work_requests.append(wr)
        else:
            assert response.data.lifecycle_state == "ACTIVE"

    @precondition(lambda self: self.settled_live())
    @rule(word=WORDS, data=st.data(), with_etag=st.booleans())
    def update(self, word, data, with_etag):
        r = self.draw(data, self.settled_live(), "resource")
        current = self.read(r).headers["etag"]
        name = self.new_name(word)
        kwargs = {"if_match": current} if with_etag else {}
        self.updated(r, self.sdk("update_{}")(r.id, self.update_details(name), **kwargs), name, current)

    @precondition(lambda self: any(len(r.versions) > 1 for r in self.settled_live()))
    @rule(word=WORDS, data=st.data())
    def update_with_a_stale_etag(self, word, data):
        r = self.draw(data, [r for r in self.settled_live() if len(r.versions) > 1], "resource")
        current = self.read(r).headers["etag"]
        stale = [e for e in r.versions if e != current]
        etag = data.draw(st.sampled_from(stale), label="stale etag")
        name = self.new_name(word)
        call = lambda: self.sdk("update_{}")(r.id, self.update_details(name), if_match=etag)  # noqa: E731
        expect_error(412, ("NoEtagMatch",), call, adopt=lambda resp: self.updated(r, resp, name, current))
        assert self.read(r).headers["etag"] == current, "a refused update changed the resource"

    @precondition(lambda self: [r for r in self.live() if not r.settled])
    @rule(word=WORDS, data=st.data())
    def update_while_busy(self, word, data):
        r = self.draw(data, [r for r in self.live() if not r.settled], "resource")
        response = self.read(r)
        if response.data.lifecycle_state not in TRANSITIONAL:
            note(f"{r} settled before the update")
            return
        name = self.new_name(word)
        try:
            answer = self.sdk("update_{}")(r.id, self.update_details(name))
        except oci.exceptions.ServiceError as exc:
            assert exc.status == 409, f"updating a {response.data.lifecycle_state} resource: {exc.status} {exc.code}"
            note(f"busy: {exc.status} {exc.code}")
            return
        note("the transition ended between the read and the update")
        self.updated(r, answer, name, response.headers["etag"])

    # moves and deletes --------------------------------------------------------------------------
    @precondition(lambda self: len(self.ctx.compartments) > 1 and self.settled_live())
    @rule(data=st.data())
    def change_compartment(self, data):
        r = self.draw(data, self.settled_live(), "resource")
        to = next(c for c in self.ctx.compartments if c != r.compartment)
        details = getattr(models, f"Change{self.entity}CompartmentDetails")(compartment_id=to)
        response = self.sdk("change_{}_compartment")(r.id, details)
        assert 200 <= response.status < 300
        wr = response.headers.get("opc-work-request-id")
        assert wr, "a compartment move answers with opc-work-request-id"
        r.moved_from, r.compartment = r.compartment, to
        r.pending.append((wr, "UPDATED"))
        r.work_requests.append(wr)

    def delete_one(self, r: Resource) -> None:
        response = self.sdk("delete_{}")(r.id)
        assert 200 <= response.status < 300
        wr = response.headers.get("opc-work-request-id")
        assert wr, "a delete answers with opc-work-request-id"
        r.deleted = True
        r.pending.append((wr, "DELETED"))
        r.work_requests.append(wr)

    @precondition(lambda self: [r for r in self.settled_live() if self.deletable(r)])
    @rule(data=st.data())
    def delete(self, data):
        self.delete_one(self.draw(data, [r for r in self.settled_live() if self.deletable(r)], "resource"))

    # waits --------------------------------------------------------------------------------------
    def check_work_request(self, r: Resource, work_request_id: str, action: str) -> None:
        wr, statuses = self.ctx.wait_for_work_request(work_request_id)
        ranks = [STATUS_RANK.get(s, 0) for s in statuses]
        assert ranks == sorted(ranks), f"work request {work_request_id} went back: {statuses}"
        if wr.status != "SUCCEEDED":
            errors = self.client.list_work_request_errors(work_request_id).data.items
            raise AssertionError(f"{wr.operation_type} {wr.status}: {[e.message for e in errors]}")
        assert wr.time_finished >= wr.time_accepted and wr.percent_complete == 100
        entries = [e for e in wr.resources if e.identifier == r.id]
        assert entries, f"{wr.operation_type} has no resources[] entry for {r.id}"
        got = entries[0].action_type
        assert got == action, f"{wr.operation_type}: actionType {got}, not {action}"
        assert entries[0].entity_type.lower() == self.entity.lower()

    def settle(self, r: Resource) -> None:
        while r.pending:
            self.check_work_request(r, *r.pending[0])
            r.pending.pop(0)
        r.moved_from = None
        getter = "get_{}".format(self.noun)
        self.ctx.wait_for_state(getter, r.id, GONE if r.deleted else SETTLED)
        self.read(r)

    @precondition(lambda self: [r for r in self.resources if not r.settled])
    @rule()
    def wait(self):
        for r in self.resources:
            self.settle(r)

    # invariants ---------------------------------------------------------------------------------
    @invariant()
    def lists_show_exactly_the_live_resources(self):
        for compartment in self.ctx.compartments:
            items = self.page_through(compartment, 100)
            alive = {i.id for i in items if self.is_mine(i) and i.lifecycle_state != "DELETED"}
            must, may = self.expected_in(compartment)
            assert must <= alive <= may, f"{compartment}: missing {must - alive}, unexpected {alive - may}"

    @invariant()
    def etags_never_come_back(self):
        for r in self.resources:
            assert len(set(r.versions)) == len(r.versions), f"{r.id} reused an etag: {r.versions}"

    # the end ------------------------------------------------------------------------------------
    def delete_order(self) -> list[Resource]:
        return self.live()

    def teardown(self):
        """Wait for what is pending, delete what is alive, and see every resource gone."""
        problems = []
        for step in (self._settle_all, self._delete_all, self._settle_all):
            try:
                step()
            except Exception as exc:  # keep going: everything must be deleted whatever failed
                problems.append(f"{type(exc).__name__}: {exc}")
        for r in self.resources:
            if not (r.deleted and r.settled):
                problems.append(f"{r.id} is not deleted")
        if problems:
            raise AssertionError("teardown: " + "; ".join(problems))

    def _settle_all(self):
        for r in self.resources:
            self.settle(r)

    def _delete_all(self):
        for r in self.delete_order():
            self.delete_one(r)
