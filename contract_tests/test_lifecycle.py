"""The emulator's own transition policies, checked through the SDK (emulator-only: a tenancy has none).

- ``delay`` 0 (the emulator's default): a mutation answers with the transitional state and the very
  next read shows where it landed: the resource ACTIVE (moved, updated) or DELETED, its work request
  SUCCEEDED with ``timeFinished``. A transition that has not landed then fails at once; nothing here
  waits or polls.
- ``"outcome": "FAILED"`` (what the admin API offers to drive failures): a create, update or delete
  ends with its work request FAILED (``timeFinished``, 100 percent, ``actionType`` FAILED, errors with
  code, message and timestamp, logs) and the resource FAILED with its details; a FAILED resource can
  still be deleted.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from oci.generative_ai import models

from .context import Run
from .shared import HUGGING_FACE_MODEL

pytestmark = pytest.mark.emulator_only("it sets the emulator's transition policies through its admin API")


@dataclasses.dataclass(frozen=True)
class Family:
    kind: str  # the emulator's name for its transition policy
    noun: str  # SDK stem: create_<noun>, get_<noun>, ...
    entity: str  # Change<entity>CompartmentDetails
    create: Callable[[str, dict], object]  # (compartment, tags) -> create details

    def call(self, ctx: Run, pattern: str, *args):
        return getattr(ctx.genai, pattern.format(self.noun))(*args)

    def __repr__(self) -> str:  # how failing examples name it
        return self.kind


FAMILIES = [
    Family("dedicatedaicluster", "dedicated_ai_cluster", "DedicatedAiCluster", lambda c, tags:
           models.CreateDedicatedAiClusterDetails(compartment_id=c, type="HOSTING", unit_shape="SMALL_COHERE_V2",
                                                  unit_count=1, freeform_tags=tags)),
    Family("importedmodel", "imported_model", "ImportedModel", lambda c, tags:
           models.CreateImportedModelDetails(compartment_id=c, data_source=models.HuggingFaceModel(
               model_id=HUGGING_FACE_MODEL), freeform_tags=tags)),
]
UPDATES = {
    "dedicated_ai_cluster": lambda name: models.UpdateDedicatedAiClusterDetails(display_name=name),
    "imported_model": lambda name: models.UpdateImportedModelDetails(display_name=name),
}
FAMILY = st.sampled_from(FAMILIES)


def landed_at_once(ctx: Run, family: Family, response, rid: str, state: str) -> None:
    """The work request of ``response`` and the resource, read once each: already where they land."""
    wr = ctx.genai.get_work_request(response.headers["opc-work-request-id"]).data
    assert (wr.status, wr.percent_complete) == ("SUCCEEDED", 100) and wr.time_finished, (
        f"{wr.operation_type} reads {wr.status} ({wr.percent_complete}%) on the next read under delay 0"
    )
    got = family.call(ctx, "get_{}", rid).data.lifecycle_state
    assert got == state, f"{rid} reads {got}, not {state}, on the next read under delay 0"


def test_transitions_land_by_the_next_read_under_delay_zero(contract):
    tags = contract.tags("lifecycle")

    @contract.settings
    @given(family=FAMILY, steps=st.lists(st.sampled_from(["update", "move"]), max_size=3))
    def check(family, steps):
        with contract.transitions.policy("delay", 0.0):
            created = family.call(contract, "create_{}", family.create(contract.compartment, tags))
            rid = created.data.id
            contract.remember(rid)
            assert created.data.lifecycle_state == "CREATING"
            landed_at_once(contract, family, created, rid, "ACTIVE")
            for i, step in enumerate(steps):
                if step == "update":
                    answer = family.call(contract, "update_{}", rid, UPDATES[family.noun](f"step-{i}"))
                else:
                    to = contract.compartments[(i + 1) % len(contract.compartments)]
                    details = getattr(models, f"Change{family.entity}CompartmentDetails")(compartment_id=to)
                    answer = family.call(contract, "change_{}_compartment", rid, details)
                landed_at_once(contract, family, answer, rid, "ACTIVE")
            landed_at_once(contract, family, family.call(contract, "delete_{}", rid), rid, "DELETED")

    check()


def test_failed_work_requests_leave_the_resource_failed(contract):
    tags = contract.tags("lifecycle")

    @contract.settings
    @given(family=FAMILY, action=st.sampled_from(["create", "update", "delete"]))
    def check(family, action):
        rid = None
        if action != "create":  # a resource to fail on, made normally (the run's manual policy)
            rid = family.call(contract, "create_{}", family.create(contract.compartment, tags)).data.id
            contract.remember(rid)
            contract.wait_for_state(f"get_{family.noun}", rid, ("ACTIVE",))
        with contract.transitions.policy("manual", outcome="FAILED", kinds=(family.kind,)):
            if action == "create":
                response = family.call(contract, "create_{}", family.create(contract.compartment, tags))
                rid = response.data.id
                contract.remember(rid)
            elif action == "update":
                response = family.call(contract, "update_{}", rid, UPDATES[family.noun]("failing"))
            else:
                response = family.call(contract, "delete_{}", rid)
            wr_id = response.headers["opc-work-request-id"]
            wr, _ = contract.wait_for_work_request(wr_id)
        assert (wr.status, wr.percent_complete) == ("FAILED", 100) and wr.time_finished >= wr.time_accepted
        entries = [e for e in wr.resources if e.identifier == rid]
        assert [e.action_type for e in entries] == ["FAILED"], f"resources[] of a failed {wr.operation_type}: {entries}"
        errors = contract.genai.list_work_request_errors(wr_id).data.items
        assert errors and all(e.code and e.message and e.timestamp for e in errors), f"errors of {wr_id}: {errors}"
        assert contract.genai.list_work_request_logs(wr_id).data.items, f"{wr_id} has no logs"
        failed = family.call(contract, "get_{}", rid).data
        assert failed.lifecycle_state == "FAILED" and failed.lifecycle_details, (
            f"after a failed {action}: {failed.lifecycle_state} ({failed.lifecycle_details})"
        )
        deleted = family.call(contract, "delete_{}", rid)  # a FAILED resource can go
        contract.wait_for_work_request(deleted.headers["opc-work-request-id"])
        assert contract.read_state(f"get_{family.noun}", rid) in ("DELETED", "404")

    check()
