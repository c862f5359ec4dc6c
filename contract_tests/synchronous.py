"""Variants of :class:`~contract_tests.machines.ResourceMachine` for families whose operations
answer at once: a compartment move without a work request (hosted applications and their
storages), and families where nothing is asynchronous (routing profiles: created ACTIVE, deleted
DELETED, never busy)."""

from __future__ import annotations

from typing import Any

from oci.generative_ai import models

from .machines import KEY_RULES, Resource, ResourceMachine


class SynchronousMove(ResourceMachine):
    """``change_<noun>_compartment`` moves the resource at once and answers no work request."""

    move_details = ""  # the Change...CompartmentDetails model, when not named after ``entity``

    def move(self, r: Resource) -> None:
        to = next(c for c in self.ctx.compartments if c != r.compartment)
        details = getattr(models, self.move_details or f"Change{self.entity}CompartmentDetails")(compartment_id=to)
        response = self.sdk("change_{}_compartment")(r.id, details)
        assert 200 <= response.status < 300
        assert "opc-work-request-id" not in response.headers, "a synchronous move answers no work request"
        r.compartment = to
        assert self.read(r).data.compartment_id == to, "the move did not land at once"
        self.ran("change compartment")


class SynchronousResource(SynchronousMove):
    """Create, update, move and delete all answer the final state, with no work request."""

    KEY_RULES = tuple(k for k in KEY_RULES if not k.startswith("busy"))
    async_update = False

    def track(self, response: Any, name: str, compartment: str) -> Resource:
        data = response.data
        self.ctx.remember(data.id)
        assert data.lifecycle_state == "ACTIVE", f"a synchronous create answers ACTIVE, not {data.lifecycle_state}"
        assert "opc-work-request-id" not in response.headers, "a synchronous create answers no work request"
        assert response.headers.get("etag"), "a create answers with an etag"
        assert (data.freeform_tags or {}).items() >= self.tags().items(), "freeform tags are kept"
        r = Resource(data.id, compartment, name, versions=[response.headers["etag"]])
        self.resources.append(r)
        self.ran("create")
        return r

    def refuses_while_busy(self, r: Resource) -> None:
        """Never busy: nothing to refuse."""

    def deleting(self, r: Resource, response: Any) -> None:
        assert 200 <= response.status < 300
        assert "opc-work-request-id" not in response.headers, "a synchronous delete answers no work request"
        r.deleted = True
        gone = self.read(r)
        assert gone is None or gone.data.lifecycle_state == "DELETED", "the delete did not land at once"
        self.ran("delete")
