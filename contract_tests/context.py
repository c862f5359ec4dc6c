"""One contract run: its target, checked SDK clients, resource budget, ledger, waits and cleanup."""

from __future__ import annotations

import atexit
import collections
import sys
import time
from typing import Any, Callable

import oci

from . import profiles
from .checks import SpecChecker
from .cleanup import MACHINE_TAG, RUN_TAG, Report, sweep
from .options import RunOptions
from .snapshots import SnapshotBook
from .target import Target

TERMINAL = ("SUCCEEDED", "FAILED", "CANCELED")


class WaitTimeout(AssertionError):
    """A bounded wait ran out: the service did not get there in time."""


class Budget:
    """At most ``limit`` resources per run (``None``: no cap), and per label when asked."""

    def __init__(self, limit: int | None):
        self.limit = limit
        self.used = 0
        self.by_label: collections.Counter[str] = collections.Counter()

    def available(self, label: str = "", label_limit: int | None = None) -> bool:
        if label_limit is not None and self.by_label[label] >= label_limit:
            return False
        return self.limit is None or self.used < self.limit

    def reserve(self, label: str = "", label_limit: int | None = None) -> bool:
        if not self.available(label, label_limit):
            return False
        self.used += 1
        self.by_label[label] += 1
        return True

    def release(self, label: str = "") -> None:
        """Give a slot back (the create it was reserved for failed: nothing was created)."""
        self.used -= 1
        self.by_label[label] -= 1


class Run:
    def __init__(self, options: RunOptions, target: Target, log: Callable[[str], None] | None = None):
        self.options = options
        self.target = target
        self.log = log or (lambda line: print(line, file=sys.stderr))
        self.checker = SpecChecker()
        self.snapshots = SnapshotBook(recorded_from=target.describe().split(" at ")[0])
        self.checker.observers.append(self.snapshots.observe)
        self.genai = self.checker.attach_client(target.management_client())
        self.inference = self.checker.attach_client(target.inference_client())
        self.budget = Budget(options.max_resources)
        self.created: list[str] = []
        self.settings = profiles.for_run(options.hypothesis_profile, target.kind)
        self.poll_interval = 0.02  # then 1.5 times longer each poll, up to:
        self.max_poll_interval = 0.2 if target.kind == "emulator" else 30.0
        self.cleanup_report: Report | None = None
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
        deadline = time.monotonic() + self.options.wait_timeout
        interval = self.poll_interval
        while True:
            value = read()
            if done(value):
                return value
            if time.monotonic() > deadline:
                raise WaitTimeout(f"{what}: not done after {self.options.wait_timeout:g}s (last seen: {value})")
            time.sleep(interval)
            interval = min(interval * 1.5, self.max_poll_interval)

    def wait_for_work_request(self, work_request_id: str) -> tuple[Any, list[str]]:
        """The work request once it is terminal *and* has ``timeFinished`` (what Terraform waits
        for), with every status seen on the way."""
        statuses: list[str] = []

        def read():
            wr = self.genai.get_work_request(work_request_id).data
            statuses.append(wr.status)
            return wr

        finished = lambda w: w.status in TERMINAL and w.time_finished is not None  # noqa: E731
        wr = self.poll(read, finished, f"work request {work_request_id}")
        return wr, statuses

    def read_state(self, getter: str, resource_id: str) -> str:
        """The lifecycle state of a resource, ``"404"`` when it is gone."""
        try:
            return getattr(self.genai, getter)(resource_id).data.lifecycle_state
        except oci.exceptions.ServiceError as exc:
            if exc.status == 404:
                return "404"
            raise

    def wait_for_state(self, getter: str, resource_id: str, states: tuple[str, ...]) -> str:
        read = lambda: self.read_state(getter, resource_id)  # noqa: E731
        return self.poll(read, lambda state: state in states, f"{resource_id} to be {states}")

    # the end -------------------------------------------------------------------------------------
    def cleanup(self) -> Report:
        """Delete everything tagged with this run's id (and anything in the ledger)."""
        genai = self.target.genai(self.poll_interval, self.max_poll_interval)
        return sweep(
            genai, self.compartments, self.options.run_id, self.options.wait_timeout, self.created, log=lambda _: None
        )

    def close(self) -> None:
        """Clean up (once), then stop the in-process emulator."""
        if self._closed:
            return
        self._closed = True
        again = f"python -m contract_tests cleanup --run-id {self.options.run_id} (with the same target options)"
        try:
            self.cleanup_report = report = self.cleanup()
            self.log(f"contract cleanup (run {self.options.run_id}): {report.summary()}")
            if report.failed:
                self.log(f"contract cleanup: some resources may be left; retry with: {again}")
        except BaseException as exc:  # Ctrl-C or an outage during cleanup: say how to finish it
            self.log(f"contract cleanup interrupted ({type(exc).__name__}: {exc}); finish it with: {again}")
            raise
        finally:
            self.target.close()
