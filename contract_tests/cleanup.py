"""Find what contract runs created, by their freeform tag, and delete it; every wait is bounded.

Every resource the suite creates carries ``{"contract-run": <run id>}`` (and, from a state
machine, ``{"contract-machine": <id>}``). :func:`sweep` lists the compartments, keeps what
carries the tag (of one run, or of any run), and deletes it in dependency order: endpoints,
then custom models and imported models, then dedicated AI clusters. A resource still CREATING
or UPDATING is waited on first; the deletes of a kind are sent together, then each is waited
on through its work request until the resource reads DELETED (or 404). Ids the run remembers
creating are checked too, in case a listing misses one. Nothing here raises for one resource:
failures are reported and the sweep goes on, so one stuck resource never keeps the others alive.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Callable

import oci
from ocigenai import GenAI

RUN_TAG = "contract-run"
MACHINE_TAG = "contract-machine"

# (kind, list operation, delete method of GenAI), in the order they must go
KINDS = (
    ("endpoint", "list_endpoints", "delete_endpoint"),
    ("model", "list_models", "delete_model"),
    ("importedmodel", "list_imported_models", "delete_imported_model"),
    ("dedicatedaicluster", "list_dedicated_ai_clusters", "delete_cluster"),
)
GETTERS = {
    "endpoint": "get_endpoint",
    "model": "get_model",
    "importedmodel": "get_imported_model",
    "dedicatedaicluster": "get_dedicated_ai_cluster",
}
BUSY = ("CREATING", "UPDATING")
GONE = ("DELETED",)


def kind_of(ocid: str) -> str | None:
    """``dedicatedaicluster`` for ``ocid1.generativeaidedicatedaicluster...``."""
    parts = ocid.split(".")
    token = parts[1] if len(parts) > 1 else ""
    kind = token.removeprefix("generativeai")
    return kind if kind in GETTERS else None


@dataclasses.dataclass
class Report:
    deleted: list[str] = dataclasses.field(default_factory=list)
    already_gone: list[str] = dataclasses.field(default_factory=list)
    failed: list[tuple[str, str]] = dataclasses.field(default_factory=list)

    def summary(self) -> str:
        text = f"deleted {len(self.deleted)}, already gone {len(self.already_gone)}, failed {len(self.failed)}"
        return text + "".join(f"\n  {rid}: {why}" for rid, why in self.failed)


def tagged(client, compartments: list[str], run_id: str | None) -> dict[str, list[tuple[str, str]]]:
    """(id, lifecycle state) of the tagged resources, per kind."""
    found: dict[str, list[tuple[str, str]]] = {kind: [] for kind, _, _ in KINDS}
    for kind, list_operation, _ in KINDS:
        for compartment in compartments:
            items = oci.pagination.list_call_get_all_results(getattr(client, list_operation), compartment).data
            for item in items:
                tags = item.freeform_tags or {}
                if RUN_TAG in tags and (run_id is None or tags[RUN_TAG] == run_id):
                    found[kind].append((item.id, item.lifecycle_state))
    return found


def sweep(
    genai: GenAI,
    compartments: list[str],
    run_id: str | None,
    timeout: float,
    known_ids: tuple[str, ...] | list[str] = (),
    log: Callable[[str], None] = print,
) -> Report:
    """Delete every resource tagged with ``run_id`` (any contract run when ``None``) in
    ``compartments``, plus ``known_ids`` that are still alive; within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    client = genai.management_client()
    report = Report()
    found = tagged(client, compartments, run_id)
    listed = {rid for items in found.values() for rid, _ in items}
    for rid in known_ids:
        kind = kind_of(rid)
        if kind is None or rid in listed:
            continue
        try:
            state = getattr(client, GETTERS[kind])(rid).data.lifecycle_state
        except oci.exceptions.ServiceError as exc:
            if exc.status == 404:
                continue
            raise
        found[kind].append((rid, state))
    for kind, _, delete in KINDS:
        accepted: list[tuple[str, str | None]] = []  # (resource, its delete's work request)
        for rid, state in found[kind]:
            if state in GONE:
                report.already_gone.append(rid)
                continue
            try:
                if state in BUSY:
                    genai.wait_for_state(rid, ("ACTIVE", "FAILED", "NEEDS_ATTENTION"), left(deadline))
                work_request = None if state == "DELETING" else _delete(genai, delete, rid, deadline)
                accepted.append((rid, work_request))
            except Exception as exc:  # report and go on: one stuck resource must not keep the rest alive
                report.failed.append((rid, f"{type(exc).__name__}: {exc}"))
        for rid, work_request in accepted:  # all deletes of a kind run at once; then wait for each
            try:
                if work_request:
                    genai.wait_for_work_request(work_request, left(deadline))
                genai.wait_for_state(rid, "DELETED", left(deadline))
                report.deleted.append(rid)
                log(f"contract cleanup: deleted {rid}")
            except Exception as exc:
                report.failed.append((rid, f"{type(exc).__name__}: {exc}"))
    return report


def left(deadline: float) -> float:
    return max(0.0, deadline - time.monotonic())


def _delete(genai: GenAI, delete: str, rid: str, deadline: float) -> str | None:
    """Ask for the delete and return its work request; a 409 (a dependent still going away) is
    retried until the deadline."""
    pause = 0.05
    while True:
        try:
            return getattr(genai, delete)(rid, wait=False).work_request_id
        except oci.exceptions.ServiceError as exc:
            if exc.status == 404:
                return None
            if exc.status != 409 or left(deadline) <= pause:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 30.0)
