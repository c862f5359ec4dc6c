"""Find what contract runs created, by their freeform tag, and delete it; every wait is bounded.

Every resource the suite creates carries ``{"contract-run": <run id>}`` (and, from a state
machine, ``{"contract-machine": <id>}``). :func:`sweep` lists the compartments, keeps what
carries the tag (of one run, or of any run), and deletes it in dependency order: hosted deployments,
then hosted applications and their storages, routing profiles, endpoints, then private endpoints,
custom models and imported models, then dedicated AI clusters. A resource still
CREATING or UPDATING is waited on first; the deletes of a kind are sent together, then each is
waited on through its work request until the resource reads DELETED (or 404). Ids the run
remembers creating are checked too, in case a listing misses one. Nothing here raises for one
resource: failures are reported and the sweep goes on, so one stuck resource never keeps the others
alive. It speaks to the service through the plain SDK client (no response checks: cleanup must get
through whatever it meets), and :func:`poll` is every bounded wait of the kit.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any, Callable

import oci

RUN_TAG = "contract-run"
MACHINE_TAG = "contract-machine"

# (kind, SDK noun: list_<noun>s, get_<noun>, delete_<noun>), in the order they must go
KINDS = (
    ("hosteddeployment", "hosted_deployment"),
    ("hostedapplication", "hosted_application"),
    ("hostedapplicationiam", "hosted_application_iam"),
    ("hostedapplicationstorage", "hosted_application_storage"),
    ("routingprofile", "routing_profile"),
    ("endpoint", "endpoint"),
    ("privateendpoint", "generative_ai_private_endpoint"),
    ("model", "model"),
    ("importedmodel", "imported_model"),
    ("dedicatedaicluster", "dedicated_ai_cluster"),
    ("apikey", "api_key"),
    ("project", "generative_ai_project"),
    ("semanticstore", "semantic_store"),
    ("vectorstoreconnector", "vector_store_connector"),
)
NOUNS = dict(KINDS)
# List operations not named list_<noun>s.
LISTS = {"hostedapplicationiam": "list_hosted_applications_iam"}
BUSY = ("CREATING", "UPDATING")
SETTLED = ("ACTIVE", "FAILED", "NEEDS_ATTENTION")
GONE = ("DELETED", "404")


class WaitTimeout(AssertionError):
    """A bounded wait ran out: the service did not get there in time."""


def poll(read: Callable[[], Any], done: Callable[[Any], bool], what: str, timeout: float,
         interval: float = 0.05, most: float = 30.0) -> Any:
    """``read()`` until ``done(value)``, for at most ``timeout`` seconds, pausing ``interval``
    and then 1.5 times longer each time, up to ``most``; returns the value."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value):
            return value
        if time.monotonic() >= deadline:
            raise WaitTimeout(f"{what}: not done after {timeout:g}s (last seen: {value})")
        time.sleep(min(interval, left(deadline)))
        interval = min(interval * 1.5, most)


def state_of(client, kind: str, rid: str) -> str:
    """The lifecycle state of a resource, ``"404"`` when it is gone."""
    try:
        return getattr(client, f"get_{NOUNS[kind]}")(rid).data.lifecycle_state
    except oci.exceptions.ServiceError as exc:
        if exc.status == 404:
            return "404"
        raise


def kind_of(ocid: str) -> str | None:
    """``dedicatedaicluster`` for ``ocid1.generativeaidedicatedaicluster...``."""
    parts = ocid.split(".")
    token = parts[1] if len(parts) > 1 else ""
    kind = token.removeprefix("generativeai")
    return kind if kind in NOUNS else None


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
    found: dict[str, list[tuple[str, str]]] = {kind: [] for kind, _ in KINDS}
    for kind, noun in KINDS:
        for compartment in compartments:
            lister = getattr(client, LISTS.get(kind, f"list_{noun}s"))
            items = oci.pagination.list_call_get_all_results(lister, compartment_id=compartment).data
            for item in items:
                tags = item.freeform_tags or {}
                if RUN_TAG in tags and (run_id is None or tags[RUN_TAG] == run_id):
                    found[kind].append((item.id, item.lifecycle_state))
    return found


def sweep(
    client: oci.generative_ai.GenerativeAiClient,
    compartments: list[str],
    run_id: str | None,
    timeout: float,
    known_ids: tuple[str, ...] | list[str] = (),
    log: Callable[[str], None] = print,
    most: float = 30.0,
) -> Report:
    """Delete every resource tagged with ``run_id`` (any contract run when ``None``) in
    ``compartments``, plus ``known_ids`` that are still alive; within ``timeout`` seconds
    (polling at most every ``most`` seconds)."""
    deadline = time.monotonic() + timeout
    report = Report()
    found = tagged(client, compartments, run_id)
    listed = {rid for items in found.values() for rid, _ in items}
    for rid in known_ids:
        kind = kind_of(rid)
        if kind is not None and rid not in listed and (state := state_of(client, kind, rid)) != "404":
            found[kind].append((rid, state))

    def wait(rid: str, kind: str, states: tuple[str, ...]) -> str:
        return poll(lambda: state_of(client, kind, rid), lambda s: s in states, f"{rid} to be {states}",
                    left(deadline), most=most)

    for kind, noun in KINDS:
        accepted: list[tuple[str, str | None]] = []  # (resource, its delete's work request)
        for rid, state in found[kind]:
            if state in GONE:
                report.already_gone.append(rid)
                continue
            try:
                if state in BUSY:
                    wait(rid, kind, SETTLED)
                work_request = None if state == "DELETING" else _delete(client, noun, rid, deadline)
                accepted.append((rid, work_request))
            except Exception as exc:  # report and go on: one stuck resource must not keep the rest alive
                report.failed.append((rid, f"{type(exc).__name__}: {exc}"))
        for rid, work_request in accepted:  # all deletes of a kind run at once; then wait for each
            try:
                if work_request:
                    wr = poll(lambda: client.get_work_request(work_request).data,
                              lambda w: w.status in ("SUCCEEDED", "FAILED", "CANCELED"),
                              f"work request {work_request}", left(deadline), most=most)
                    assert wr.status == "SUCCEEDED", f"{wr.operation_type} {wr.status}"
                wait(rid, kind, GONE)
                report.deleted.append(rid)
                log(f"contract cleanup: deleted {rid}")
            except Exception as exc:
                report.failed.append((rid, f"{type(exc).__name__}: {exc}"))
    return report


def left(deadline: float) -> float:
    return max(0.0, deadline - time.monotonic())


def _delete(client, noun: str, rid: str, deadline: float) -> str | None:
    """Ask for the delete and return its work request; a 409 (a dependent still going away) is
    retried until the deadline."""
    pause = 0.05
    while True:
        try:
            return getattr(client, f"delete_{noun}")(rid).headers.get("opc-work-request-id")
        except oci.exceptions.ServiceError as exc:
            if exc.status == 404:
                return None
            if exc.status != 409 or left(deadline) <= pause:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 30.0)
