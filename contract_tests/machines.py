"""The state machine every resource family shares, through the real oci SDK.

:class:`ResourceMachine` models the resources one machine instance created (each tagged with
the run's id and the machine's own id) and drives them with rules: create (and create twice
with one ``opc-retry-token``), get, update with and without ``if-match``, update with a stale
etag (412), list with filters, sorts and pages, change compartment, delete and wait. Right after
each create and asynchronous update, an update and a delete of the busy resource must be refused
(409, strictly: on the emulator transitions are manual, so a resource stays busy until the kit
lands it). After every step the invariants check that lists show exactly the live resources and
that no etag ever comes back. Every work request a rule starts is awaited (by the ``wait`` rule,
by a rule that needs the resource settled, or at teardown) and must end SUCCEEDED with
``timeFinished`` and a ``resources[]`` entry for the resource with the right ``actionType``.

Each example starts with a tour of one resource's lifecycle that checks every key property once
(``start_with_a_lifecycle``), so a derandomized run covers them all whatever the random steps do
(Hypothesis switches rules off at random in each example). Each check counts itself when it really
ran (``rules.py``); :func:`run_machine` fails the test when a key rule (``KEY_RULES``) never ran,
and when the machine created nothing.

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
from hypothesis import note, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule, run_state_machine_as_test
from oci.generative_ai import models

from .cleanup import MACHINE_TAG
from .context import Budget, Run
from .rules import CountsKeyRules

WORDS = st.sampled_from(["alpha", "beta", "gamma", "delta"])  # lower case: sorting needs no collation rules
TRANSITIONAL = ("CREATING", "UPDATING", "DELETING")
SETTLED = ("ACTIVE", "NEEDS_ATTENTION")  # Terraform accepts NEEDS_ATTENTION as a created cluster
GONE = ("DELETED", "404")
STATUS_RANK = {"ACCEPTED": 0, "WAITING": 1, "IN_PROGRESS": 1, "CANCELING": 2, "SUCCEEDED": 3, "FAILED": 3,
               "CANCELED": 3}
SORT_FIELDS = {"timeCreated": "time_created", "displayName": "display_name", "lifecycleState": "lifecycle_state",
               "name": "display_name"}  # vector store connectors sort their display names as "name"


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


class Listed(list):
    """The items of a list operation, and how many pages they came in."""

    pages = 0


def pages(call: Callable, *args: Any, limit: int, **kwargs: Any) -> Listed:
    """Every item of a list operation, page by page, checking the page protocol: at most
    ``limit`` items a page, ``opc-next-page`` until the last page."""
    items, page = Listed(), None
    for _ in range(1000):
        response = call(*args, limit=limit, **kwargs, **({"page": page} if page else {}))
        assert len(response.data.items) <= limit, f"{len(response.data.items)} items on a page of {limit}"
        items += response.data.items
        items.pages += 1
        page = response.next_page
        if not page:
            return items
    raise AssertionError("more than 1000 pages")


def assert_sorted(items: list, sort_by: str | None, sort_order: str | None) -> None:
    field = SORT_FIELDS[sort_by or "timeCreated"]
    default = "ASC" if sort_by in ("displayName", "lifecycleState", "name") else "DESC"
    keys = [getattr(item, field) for item in items]
    descending = (sort_order or default) == "DESC"
    assert keys == sorted(keys, reverse=descending), f"not sorted by {sort_by} {sort_order or default}: {keys}"


KEY_RULES = (
    "create", "update", "stale etag 412", "busy update 409", "busy delete 409", "change compartment", "delete",
    "list over pages", "list filtered",
)


class ResourceMachine(CountsKeyRules, RuleBasedStateMachine):
    KEY_RULES = KEY_RULES
    noun = ""  # SDK stem: create_<noun>, get_<noun>, list_<noun>s, change_<noun>_compartment, ...
    entity = ""  # work request entityType and the Change<entity>CompartmentDetails model
    work_request_entity = ""  # the work request's entityType when it is not ``entity``
    label = ""  # budget label (a per-run limit applies with label_limit)
    label_limit: int | None = None
    async_update = True  # False: update answers at once, without a work request (models)
    movable = True  # False: the family has no compartment move (vector store connectors)
    billed_creates = False  # True: each create bills on a tenancy (clusters, fine-tuning jobs)
    max_live = 3
    page_limits = st.integers(1, 4)
    sort_fields = ("timeCreated", "displayName")  # what its list operation sorts by

    def __init__(self, ctx: Run):
        super().__init__()
        self.ctx = ctx
        self.client = ctx.genai
        self.budget = ctx.spending  # the test's share of the run's resource cap
        self.machine = uuid.uuid4().hex[:10]
        self.resources: list[Resource] = []
        self.counter = 0
        self.count_key_rules(ctx.tally)

    def key_rules(self) -> tuple[str, ...]:
        """A family without compartment moves has no such key rule."""
        return self.KEY_RULES if self.movable else tuple(r for r in self.KEY_RULES if r != "change compartment")

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

    def can_create(self) -> bool:
        room = len(self.live()) < self.max_live
        return self.ready() and room and self.budget.available(self.label, self.label_limit)

    def created(self, call: Callable[[], Any]) -> Any:
        """Make a create call within the test's budget (a slot is given back if nothing was made)."""
        assert self.budget.reserve(self.label, self.label_limit), "resource budget exhausted"
        try:
            response = call()
        except oci.exceptions.ServiceError as exc:
            if exc.status < 500:
                self.budget.release(self.label)
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
        """Create a resource (and check that it refuses mutations while it is CREATING)."""
        name = self.new_name(word)
        details = self.create_details(name, self.ctx.compartment, data)
        response = self.created(lambda: self.sdk("create_{}")(details, **kwargs))
        r = self.track(response, name, self.ctx.compartment)
        self.refuses_while_busy(r)
        return r, details

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
            assert data.display_name == r.display_name, f"{r.id} reads {data.display_name!r}, not {r.display_name!r}"
            compartments = (r.compartment, r.moved_from) if r.moved_from else (r.compartment,)
            assert data.compartment_id in compartments, f"{r.id} is in {data.compartment_id}, not {compartments}"
            assert (data.freeform_tags or {}).items() >= self.tags().items(), f"{r.id} lost its tags"
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

    def draw_settled(self, data: st.DataObject, label: str = "resource", deletable: bool = False) -> Resource:
        """A live resource, waited for first if it is in a transition (as a client would)."""
        r = self.draw(data, [r for r in self.live() if self.deletable(r) or not deletable], label)
        self.settle(r)
        return r

    # the tour every example starts with ----------------------------------------------------------
    @initialize(word=WORDS, data=st.data(), with_etag=st.booleans())
    def start_with_a_lifecycle(self, word, data, with_etag):
        """Every example (while the budget lasts) first takes one resource through its lifecycle,
        checking each key property once: created (refusing mutations while CREATING), updated
        (refusing them while UPDATING, and its old etag with 412), moved to the other compartment,
        listed page by page and filtered on; teardown deletes it. So even the simplest example, all
        a tenancy run may afford, checks them all, and the random steps that follow start from a
        resource with a history."""
        if not self.can_create():
            return
        r, _ = self.create_one(word, data)
        self.settle(r)
        before = self.update_one(r, word, with_etag)
        self.settle(r)
        self.refuses_a_stale_etag(r, before)
        if len(self.ctx.compartments) > 1 and self.movable:
            self.move(r)
            self.settle(r)
        self.check_list(r.compartment, 1, {}, {})
        self.check_list(r.compartment, 1, {"display_name": r.display_name}, {})

    # creates ------------------------------------------------------------------------------------
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
        if r.work_requests:  # a synchronous create answers none
            assert again.headers.get("opc-work-request-id") == r.work_requests[0]
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
        """A compartment page by page, sorted; then, with a live resource, a list filtered on it."""
        sort_by = data.draw(st.sampled_from([None, *self.sort_fields]), label="sort_by")
        sort_order = data.draw(st.sampled_from([None, "ASC", "DESC"]), label="sort_order")
        sorting = {k: v for k, v in (("sort_by", sort_by), ("sort_order", sort_order)) if v}
        compartment = data.draw(st.sampled_from(self.ctx.compartments), label="compartment")
        self.check_list(compartment, data.draw(self.page_limits, label="limit"), {}, sorting)
        if not self.live():
            return
        picked = self.draw_settled(data, "filtered on")
        choice = data.draw(st.sampled_from(["display_name", "id", "lifecycle_state"]), label="filter")
        if choice == "lifecycle_state":
            value = data.draw(st.sampled_from(["ACTIVE", "DELETED"]), label="state")
        else:
            value = getattr(picked, choice)
        self.check_list(picked.compartment, data.draw(self.page_limits, label="limit"), {choice: value}, sorting)

    def check_list(self, compartment: str, limit: int, filters: dict[str, str], sorting: dict[str, str]) -> None:
        """A list, page by page: no item twice, each item matching the filters, sorted, and exactly
        the machine's resources that must (or may) be there."""
        items = self.page_through(compartment, limit, **sorting, **filters)
        ids = [i.id for i in items]
        assert len(ids) == len(set(ids)), "an item came twice across pages"
        for item in items:
            for name, value in filters.items():
                assert getattr(item, name) == value, f"{item.id} does not match the filter {name}={value}"
        assert_sorted(items, sorting.get("sort_by"), sorting.get("sort_order"))
        must, may = self.expected_in(compartment)
        state = filters.get("lifecycle_state")
        if state == "ACTIVE":  # only settled resources are sure to be ACTIVE already
            must = {r.id for r in self.resources if r.compartment == compartment and r.settled and not r.deleted}
        elif state == "DELETED":
            must, may = set(), {r.id for r in self.resources if r.deleted} | may
        key = next((k for k in ("display_name", "id") if k in filters), None)
        if key:
            wanted = {r.id for r in self.resources if getattr(r, key) == filters[key]}
            must, may = must & wanted, may & wanted
        mine = {i.id for i in items if self.is_mine(i) and (state == "DELETED" or i.lifecycle_state != "DELETED")}
        assert must <= mine <= may, f"list {filters} {sorting}: missing {must - mine}, unexpected {mine - may}"
        if items.pages > 1:
            self.ran("list over pages")
        if filters and must:  # a filter that had to find something
            self.ran("list filtered")

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
        assert response.data.display_name == name, f"the update answered {response.data.display_name!r}, not {name!r}"
        if self.async_update:
            wr = response.headers.get("opc-work-request-id")
            assert wr, "an asynchronous update answers with opc-work-request-id"
            assert response.data.lifecycle_state in ("UPDATING", "ACTIVE")
            r.pending.append((wr, "UPDATED"))
            r.work_requests.append(wr)
        else:
            assert response.data.lifecycle_state == "ACTIVE"

    @precondition(lambda self: self.live())
    @rule(word=WORDS, data=st.data(), with_etag=st.booleans())
    def update(self, word, data, with_etag):
        self.update_one(self.draw_settled(data), word, with_etag)

    def update_one(self, r: Resource, word: str, with_etag: bool) -> str:
        """Update a settled resource (while the update runs, asynchronous families refuse other
        mutations with 409); returns the etag it had, stale from now on."""
        current = self.read(r).headers["etag"]
        name = self.new_name(word)
        kwargs = {"if_match": current} if with_etag else {}
        self.updated(r, self.sdk("update_{}")(r.id, self.update_details(name), **kwargs), name, current)
        self.ran("update")
        if self.async_update:
            self.refuses_while_busy(r)
        return current

    def refuses_a_stale_etag(self, r: Resource, stale: str) -> None:
        """An update with ``stale`` (an older etag of ``r``) is a 412 NoEtagMatch that changes nothing."""
        current = self.read(r).headers["etag"]
        name = self.new_name("stale")
        call = lambda: self.sdk("update_{}")(r.id, self.update_details(name), if_match=stale)  # noqa: E731
        expect_error(412, ("NoEtagMatch",), call, adopt=lambda resp: self.updated(r, resp, name, current))
        assert self.read(r).headers["etag"] == current, "a refused update changed the resource"
        self.ran("stale etag 412")

    @precondition(lambda self: self.live())
    @rule(data=st.data())
    def update_with_a_stale_etag(self, data):
        r = self.draw_settled(data)
        current = self.read(r).headers["etag"]
        stale = [e for e in r.versions if e != current]
        if not stale:  # a tenancy may keep the etag when a create lands: no older version to send yet
            note(f"{r} has had one etag only")
            return
        self.refuses_a_stale_etag(r, data.draw(st.sampled_from(stale), label="stale etag"))

    def refuses_while_busy(self, r: Resource) -> None:
        """A resource in a transition refuses an update and a delete (409), and stays as it was. On
        the emulator it is in its transition until the kit lands it; a tenancy may have finished it
        already (then there is nothing to check)."""
        before = self.read(r)
        state = before.data.lifecycle_state
        if state not in TRANSITIONAL:
            assert self.ctx.on_oci, f"{r.id} is {state}, though nothing landed its transition yet"
            note(f"{r} settled before the busy checks")
            return
        etag, name = before.headers["etag"], self.new_name("busy")
        expect_error(409, None, lambda: self.sdk("update_{}")(r.id, self.update_details(name)),
                     adopt=lambda answer: self.updated(r, answer, name, etag))
        self.ran("busy update 409")
        if self.deletable(r):
            expect_error(409, None, lambda: self.sdk("delete_{}")(r.id), adopt=lambda answer: self.deleting(r, answer))
            self.ran("busy delete 409")
        after = self.read(r)
        assert (after.headers["etag"], after.data.lifecycle_state) == (etag, state), "a refused mutation changed it"

    # moves and deletes --------------------------------------------------------------------------
    @precondition(lambda self: len(self.ctx.compartments) > 1 and self.movable and self.live())
    @rule(data=st.data())
    def change_compartment(self, data):
        self.move(self.draw_settled(data))

    def move(self, r: Resource) -> None:
        """Move ``r`` to the other compartment (awaited, and checked, when it settles)."""
        to = next(c for c in self.ctx.compartments if c != r.compartment)
        details = getattr(models, f"Change{self.entity}CompartmentDetails")(compartment_id=to)
        response = self.sdk("change_{}_compartment")(r.id, details)
        assert 200 <= response.status < 300
        wr = response.headers.get("opc-work-request-id")
        assert wr, "a compartment move answers with opc-work-request-id"
        r.moved_from, r.compartment = r.compartment, to
        r.pending.append((wr, "UPDATED"))
        r.work_requests.append(wr)
        self.ran("change compartment")

    def deleting(self, r: Resource, response: Any) -> None:
        assert 200 <= response.status < 300
        wr = response.headers.get("opc-work-request-id")
        assert wr, "a delete answers with opc-work-request-id"
        r.deleted = True
        r.pending.append((wr, "DELETED"))
        r.work_requests.append(wr)

    def delete_one(self, r: Resource) -> None:
        self.deleting(r, self.sdk("delete_{}")(r.id))

    @precondition(lambda self: [r for r in self.live() if self.deletable(r)])
    @rule(data=st.data())
    def delete(self, data):
        self.delete_one(self.draw_settled(data, deletable=True))

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
        assert entries[0].entity_type.lower() == (self.work_request_entity or self.entity).lower()

    def settle(self, r: Resource) -> None:
        """Await ``r``'s work requests (each must succeed for it) and its settled state; a create
        and a delete count as checked here, once the resource reads ACTIVE or gone."""
        actions = [action for _, action in r.pending]
        while r.pending:
            self.check_work_request(r, *r.pending[0])
            r.pending.pop(0)
        r.moved_from = None
        getter = "get_{}".format(self.noun)
        self.ctx.wait_for_state(getter, r.id, GONE if r.deleted else SETTLED)
        self.read(r)
        for action, rule in (("CREATED", "create"), ("DELETED", "delete")):
            if action in actions:
                self.ran(rule)

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


def _within(run_settings: settings, budget: Budget, machine: type) -> settings:
    per_example = getattr(machine, "slots_per_example", 0)
    if not per_example or budget.limit is None:
        return run_settings
    return settings(run_settings, max_examples=max(1, min(run_settings.max_examples, budget.limit // per_example)))


def run_machine(ctx: Run, test_id: str, machine: type[RuleBasedStateMachine], *args: Any, creates: bool = True,
                excused: tuple[str, ...] = ()) -> None:
    """Run the examples of ``machine(ctx, *args)`` within test ``test_id``'s share of the resource
    cap, then check that it created something (when it ``creates``) and that every key rule ran but
    those ``excused`` (on a tenancy, missing rules are reported, not failed). A machine whose every
    example reserves ``slots_per_example`` of the share before it draws anything (its own project)
    runs no more examples than the share pays for."""
    with ctx.spend(test_id) as budget:
        run_state_machine_as_test(lambda: machine(ctx, *args), settings=_within(ctx.settings, budget, machine))
    name = machine.__name__
    assert budget.used or not creates, f"{name} created nothing: it checked no lifecycle"
    if len(ctx.compartments) < 2:
        excused += ("change compartment",)
    missing = ctx.tally.missing(name, excused)
    if missing and ctx.on_oci:
        ctx.log(f"{name}: key rules that did not run on this tenancy: {', '.join(missing)}")
    else:
        assert not missing, f"{name}: key rules that never ran: {', '.join(missing)} ({'; '.join(ctx.tally.report())})"
