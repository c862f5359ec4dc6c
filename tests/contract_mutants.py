"""Faults planted in the emulator, to prove that the contract kit catches them (``test_contract_mutants.py``).

A pytest plugin for a contract run's process: ``-p contract_mutants`` with ``CONTRACT_MUTANT=<name>``
patches the emulator's code before the kit starts its in-process emulator (and
``CONTRACT_MUTANT_FIRST=<test id>`` runs that test of the kit first). Each fault is a small, plausible
bug in one place of the emulator, as an audit would plant it.
"""

from __future__ import annotations

import dataclasses
import os

from emulator import lifecycle
from emulator.management import resources, work_requests
from emulator.store import Store


def if_match_ignored() -> None:
    """Updates, moves and deletes never compare ``if-match`` with the etag."""
    guard = resources.guard_mutation

    def without_if_match(call, kind, rec):
        guard(dataclasses.replace(call, headers={k: v for k, v in call.headers.items() if k != "if-match"}), kind, rec)

    resources.guard_mutation = without_if_match


def busy_updates_accepted() -> None:
    """An update of a resource in a transition is accepted instead of refused with 409."""
    guard = resources.guard_mutation

    def lenient(call, kind, rec):
        state = rec.doc.get("lifecycleState")
        if call.op.name.startswith("update_") and state in lifecycle.TRANSITIONAL:
            rec.doc["lifecycleState"] = "ACTIVE"
            try:
                guard(call, kind, rec)
            finally:
                rec.doc["lifecycleState"] = state
        else:
            guard(call, kind, rec)

    resources.guard_mutation = lenient


def update_body_ignored() -> None:
    """An update answers as usual (new etag, work request) but changes no field."""
    update = resources.update

    def ignoring_the_body(call, kind, rid, check=None, rec=None):
        return update(dataclasses.replace(call, body={}), kind, rid, check, rec)

    resources.update = ignoring_the_body


def lists_frozen() -> None:
    """A list answers what the same list answered the first time, whatever happened since."""
    list_page = resources.list_page
    answered: dict[tuple, object] = {}

    def frozen(call, kind, **kwargs):
        key = (call.op.name, call.tenancy, tuple(sorted((k, str(v)) for k, v in call.query.items())))
        if key not in answered:
            answered[key] = list_page(call, kind, **kwargs)
        return answered[key]

    resources.list_page = frozen


def never_active() -> None:
    """A create's work request succeeds, but the resource stays CREATING."""
    finish = lifecycle.finish

    def stuck(store, rec, now):
        if (rec.pending or {}).get("action") == "CREATED":
            rec.pending = {**rec.pending, "to": "CREATING"}
        finish(store, rec, now)

    lifecycle.finish = stuck


def cross_tenancy_leak() -> None:
    """A resource is found by its id whatever tenancy asks for it."""
    get = Store.get

    def any_tenancy(self, kind, rid, tenancy):
        found = get(self, kind, rid, tenancy)
        return found or next((r for r in self.user_records() if (r.kind, r.id) == (kind, rid)), None)

    Store.get = any_tenancy


def work_request_never_finishes() -> None:
    """The resource lands, but its work request reads IN_PROGRESS forever, without ``timeFinished``."""
    present = work_requests.present_work_request

    def unfinished(doc, now):
        out = present(doc, now)
        if out["status"] in ("SUCCEEDED", "FAILED", "CANCELED"):
            out.pop("timeFinished", None)
            out.update(status="IN_PROGRESS", percentComplete=99.0)
        return out

    work_requests.present_work_request = unfinished


def delays_never_elapse() -> None:
    """Under a ``delay`` policy nothing lands on its own (only an explicit completion does): a
    resource stays CREATING however long a client waits."""

    def nothing_is_due(store, now):
        return None

    lifecycle.settle = nothing_is_due


MUTANTS = {f.__name__: f for f in (if_match_ignored, busy_updates_accepted, update_body_ignored, lists_frozen,
                                   never_active, cross_tenancy_leak, work_request_never_finishes,
                                   delays_never_elapse)}


def pytest_configure(config) -> None:
    MUTANTS[os.environ["CONTRACT_MUTANT"]]()


def pytest_collection_modifyitems(config, items) -> None:
    first = os.environ.get("CONTRACT_MUTANT_FIRST")
    items.sort(key=lambda item: item.nodeid != first)  # stable: the rest keep their order
