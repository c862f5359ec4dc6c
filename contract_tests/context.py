"""One contract run: its target, checked SDK clients, resource budget, ledger, waits and cleanup."""

from __future__ import annotations

import atexit
import collections
import contextlib
import sys
from typing import Any, Callable, Iterator

import oci

from . import profiles
from .checks import SpecChecker
from .cleanup import MACHINE_TAG, RUN_TAG, Report, poll, sweep
from .options import RunOptions
from .rules import Tally
from .snapshots import SnapshotBook
from .target import Target
from .transitions import Transitions

TERMINAL = ("SUCCEEDED", "FAILED", "CANCELED")


class Budget:
    """At most ``limit`` resources (``None``: no cap), per label too when asked. A test spends its
    own :meth:`share`, which counts against the run's budget as well."""

    def __init__(self, limit: int | None, parent: "Budget | None" = None):
        self.limit = limit
        self.parent = parent
        self.used = 0
        self.by_label: collections.Counter[str] = collections.Counter()

    def share(self, limit: int | None) -> "Budget":
        return Budget(limit, parent=self)

    def _chain(self) -> list["Budget"]:
        return [self] + (self.parent._chain() if self.parent else [])

    def available(self, label: str = "", label_limit: int | None = None) -> bool:
        if label_limit is not None and self.by_label[label] >= label_limit:
            return False
        return all(b.limit is None or b.used < b.limit for b in self._chain())

    def reserve(self, label: str = "", label_limit: int | None = None) -> bool:
        if not self.available(label, label_limit):
            return False
        for budget in self._chain():
            budget.used += 1
        self.by_label[label] += 1
        return True

    def release(self, label: str = "") -> None:
        """Give a slot back (the create it was reserved for failed: nothing was created)."""
        for budget in self._chain():
            budget.used -= 1
        self.by_label[label] -= 1


def divide(limit: int | None, tests: list[str], fixtures: int) -> dict[str, int | None]:
    """Each test's share of a run's ``limit`` once the ``fixtures`` (shared clusters) have theirs:
    equal parts, the first tests getting what does not divide."""
    if limit is None:
        return {test: None for test in tests}
    left = max(0, limit - fixtures)
    return {test: left // len(tests) + (i < left % len(tests)) for i, test in enumerate(tests)}


class Run:
    def __init__(self, options: RunOptions, target: Target, log: Callable[[str], None] | None = None,
                 shares: dict[str, int | None] | None = None):
        self.options = options
        self.target = target
        self.log = log or (lambda line: print(line, file=sys.stderr))
        self.checker = SpecChecker(tolerate_unknown_enums=target.kind == "oci")
        self.snapshots = SnapshotBook(provenance=target.provenance(), enum_fields=self.checker.enum_fields)
        self.checker.observers.append(self.snapshots.observe)
        self.genai = self.checker.attach_client(target.management_client())
        self.inference = self.checker.attach_client(target.inference_client())
        self.budget = Budget(options.max_resources)
        self.shares = shares or {}
        self.spending = self.budget  # the budget of the test running now (see ``spend``)
        self.tally = Tally()
        self.created: list[str] = []
        self.settings = profiles.for_run(options.hypothesis_profile, target.kind)
        self.poll_interval = 0.02  # then 1.5 times longer each poll (on a tenancy), up to:
        self.max_poll_interval = 0.2 if target.kind == "emulator" else 30.0
        self.transitions = Transitions(target.admin) if target.admin is not None else None
        self.cleanup_report: Report | None = None
        self._other_genai = None
        self._closed = False
        atexit.register(self.close)  # a last resort: pytest normally closes the run at session end

    @property
    def compartments(self) -> list[str]:
        return self.target.compartments

    @property
    def compartment(self) -> str:
        return self.target.compartment

    @property
    def on_oci(self) -> bool:
        return self.target.kind == "oci"

    @property
    def other_genai(self):
        """A checked management client of the second tenancy (``None`` when there is none)."""
        if self._other_genai is None and self.target.other_config is not None:
            client = self.target.management_client(self.target.other_config)
            self._other_genai = self.checker.attach_client(client)
        return self._other_genai

    @contextlib.contextmanager
    def spend(self, test_id: str) -> Iterator[Budget]:
        """Within the block, creates count against ``test_id``'s share of the run's budget."""
        self.spending = self.budget.share(self.shares.get(test_id))
        try:
            yield self.spending
        finally:
            self.spending = self.budget

    def tags(self, machine: str | None = None) -> dict[str, str]:
        """The freeform tags of everything this run creates."""
        tags = {RUN_TAG: self.options.run_id}
        if machine:
            tags[MACHINE_TAG] = machine
        return tags

    def remember(self, resource_id: str) -> None:
        """Put a created resource in the ledger that cleanup checks besides the tag sweep."""
        if resource_id not in self.created:
            self.created.append(resource_id)

    # bounded waits ---------------------------------------------------------------------------
    def poll(self, read: Callable[[], Any], done: Callable[[Any], bool], what: str) -> Any:
        """``read()`` until ``done(value)``; at most ``--wait-timeout`` seconds."""
        return poll(read, done, what, self.options.wait_timeout, self.poll_interval, self.max_poll_interval)

    def wait_for_work_request(self, work_request_id: str, client: Any = None) -> tuple[Any, list[str]]:
        """The work request once it is terminal *and* has ``timeFinished`` (what Terraform waits
        for), with every status seen on the way. On the emulator the kit finishes the transitions
        of its resources, and the next read must show it finished. ``client``: the tenancy's that
        made it (default ``genai``)."""
        client = client or self.genai
        statuses: list[str] = []

        def read():
            wr = client.get_work_request(work_request_id).data
            statuses.append(wr.status)
            return wr

        finished = lambda w: w.status in TERMINAL and w.time_finished is not None  # noqa: E731
        if self.transitions is None:
            return self.poll(read, finished, f"work request {work_request_id}"), statuses
        wr = read()
        if not finished(wr):
            for resource in wr.resources:
                self.transitions.land(resource.identifier)
            wr = read()
        assert finished(wr), (
            f"work request {work_request_id} ({wr.operation_type}) is {wr.status} with timeFinished "
            f"{wr.time_finished} although the emulator completed its transition"
        )
        return wr, statuses

    def read_state(self, getter: str, resource_id: str, client: Any = None) -> str:
        """The lifecycle state of a resource, ``"404"`` when it is gone."""
        try:
            return getattr(client or self.genai, getter)(resource_id).data.lifecycle_state
        except oci.exceptions.ServiceError as exc:
            if exc.status == 404:
                return "404"
            raise

    def wait_for_state(self, getter: str, resource_id: str, states: tuple[str, ...], client: Any = None) -> str:
        """The resource's state once it is one of ``states``: polled on a tenancy; on the emulator,
        read once after its transition is finished (it must be there then)."""
        read = lambda: self.read_state(getter, resource_id, client)  # noqa: E731
        if self.transitions is None:
            return self.poll(read, lambda state: state in states, f"{resource_id} to be {states}")
        state = read()
        if state not in states:
            self.transitions.land(resource_id)
            state = read()
        assert state in states, f"{resource_id} is {state}, not {states}, although the emulator completed its transition"
        return state

    # the end -------------------------------------------------------------------------------------
    def cleanup(self) -> Report:
        """Delete everything tagged with this run's id (and anything in the ledger)."""
        return sweep(
            self.target.management_client(), self.compartments, self.options.run_id, self.options.wait_timeout,
            self.created, log=lambda _: None, most=self.max_poll_interval,
        )

    def close(self) -> None:
        """Clean up (once), then stop the in-process emulator."""
        if self._closed:
            return
        self._closed = True
        again = f"python -m contract_tests cleanup --run-id {self.options.run_id} (with the same target options)"
        try:
            if self.transitions is not None:
                self.transitions.release()
            self.cleanup_report = report = self.cleanup()
            self.log(f"contract cleanup (run {self.options.run_id}): {report.summary()}")
            if report.failed:
                self.log(f"contract cleanup: some resources may be left; retry with: {again}")
        except BaseException as exc:  # Ctrl-C or an outage during cleanup: say how to finish it
            self.log(f"contract cleanup interrupted ({type(exc).__name__}: {exc}); finish it with: {again}")
            raise
        finally:
            if self.transitions is not None:
                self.transitions.restore()
            self.target.close()
