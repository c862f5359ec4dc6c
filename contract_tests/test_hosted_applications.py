"""Hosted applications (both variants) and their storages: the shared resource rules, with
asynchronous create, update (answered without a body) and delete, and a synchronous move; a storage
has no update and cannot be deleted while an application uses it."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule
from oci.generative_ai import models

from .machines import KEY_RULES, Resource, expect_error, pages, run_machine
from .synchronous import SynchronousMove

NO_AUTH = models.InboundAuthConfig(inbound_auth_config_type="NO_AUTH_CONFIG")
MISSING_STORAGE = "ocid1.generativeaihostedapplicationstorage.oc1.us-chicago-1.aaaaaaaanostorage"


class HostedApplicationMachine(SynchronousMove):
    KEY_RULES = (*KEY_RULES, "missing storage 400")
    noun = "hosted_application"
    entity = "HostedApplication"
    label = "hosted-application"
    sort_fields = ("timeCreated", "displayName", "lifecycleState")

    def create_details(self, name, compartment, data, **kw):
        return models.CreateHostedApplicationDetails(
            compartment_id=compartment, display_name=name, inbound_auth_config=NO_AUTH, freeform_tags=self.tags(), **kw
        )

    def update_details(self, name):
        return models.UpdateHostedApplicationDetails(display_name=name, description=f"renamed {name}")

    def updated(self, r: Resource, response, name: str, before: str) -> None:
        """The update answers no body (the SDK declares none), a new etag and its work request."""
        etag, wr = response.headers.get("etag"), response.headers.get("opc-work-request-id")
        assert etag and etag != before, f"an update must change the etag ({before} -> {etag})"
        assert wr and response.data is None, "an update answers its work request, without a body"
        r.display_name = name
        r.versions.append(etag)
        r.pending.append((wr, "UPDATED"))
        r.work_requests.append(wr)

    def check_resource(self, r, data):
        assert data.scaling_config and data.scaling_config.scaling_type, "the service fills the scaling in"
        if data.lifecycle_state == "ACTIVE" and hasattr(data, "application_endpoint"):
            assert data.application_endpoint, f"{r.id} is ACTIVE without its applicationEndpoint"

    def create_one(self, word, data, **kwargs):
        """Each example's first create is preceded by one naming a storage that does not exist (400)."""
        if not self.resources:
            config = models.StorageConfig(environment_variable_key="CACHE_URL", storage_id=MISSING_STORAGE)
            details = self.create_details(self.new_name(word), self.ctx.compartment, data, storage_configs=[config])
            expect_error(400, None, lambda: self.sdk("create_{}")(details), adopt=self.adopt)
            self.ran("missing storage 400")
        return super().create_one(word, data, **kwargs)


class HostedApplicationIamMachine(HostedApplicationMachine):
    noun = "hosted_application_iam"
    entity = "HostedApplicationIam"
    move_details = "ChangeHostedApplicationCompartmentDetails"  # shared by both variants

    def create_details(self, name, compartment, data, **kw):
        return models.CreateHostedApplicationIamDetails(
            compartment_id=compartment, display_name=name, freeform_tags=self.tags(), **kw
        )

    def update_details(self, name):
        return models.UpdateHostedApplicationIamDetails(display_name=name, description=f"renamed {name}")

    def page_through(self, compartment, limit, **kwargs):
        return pages(self.client.list_hosted_applications_iam, compartment, limit=limit, **kwargs)


STORAGE_RULES = tuple(k for k in KEY_RULES if k not in ("update", "busy update 409")) + ("used storage delete 409",)


class HostedApplicationStorageMachine(SynchronousMove):
    """No update: a stale etag is checked on a delete, and only a delete is refused while busy."""

    KEY_RULES = STORAGE_RULES
    noun = "hosted_application_storage"
    entity = "HostedApplicationStorage"
    label = "hosted-application-storage"
    sort_fields = ("timeCreated", "displayName", "lifecycleState")
    update = None  # no update operation: the shared rule is off
    update_with_a_stale_etag = None

    def create_details(self, name, compartment, data):
        storage_type = data.draw(st.sampled_from(["CACHE", "POSTGRESQL", "ADB"]), label="storage type")
        return models.CreateHostedApplicationStorageDetails(
            compartment_id=compartment, display_name=name, storage_type=storage_type, freeform_tags=self.tags()
        )

    def update_one(self, r, word, with_etag):
        """No update: the etag the create answered is stale once the create lands."""
        self.read(r)
        return r.versions[0]

    def refuses_a_stale_etag(self, r, stale):
        current = self.read(r).headers["etag"]
        if stale == current:
            return
        expect_error(412, ("NoEtagMatch",), lambda: self.sdk("delete_{}")(r.id, if_match=stale),
                     adopt=lambda answer: self.deleting(r, answer))
        assert self.read(r).headers["etag"] == current, "a refused delete changed the resource"
        self.ran("stale etag 412")

    def refuses_while_busy(self, r):
        before = self.read(r)
        if before.data.lifecycle_state not in ("CREATING", "DELETING"):
            assert self.ctx.on_oci, f"{r.id} is {before.data.lifecycle_state}, though nothing landed its transition"
            return
        expect_error(409, None, lambda: self.sdk("delete_{}")(r.id), adopt=lambda answer: self.deleting(r, answer))
        self.ran("busy delete 409")

    @precondition(lambda self: self.live())
    @rule(data=st.data())
    def delete_while_an_application_uses_it(self, data):
        storage = self.draw_settled(data, "storage")
        config = models.StorageConfig(environment_variable_key="STORAGE_URL", storage_id=storage.id)
        app = self.client.create_hosted_application(models.CreateHostedApplicationDetails(
            compartment_id=self.ctx.compartment, display_name=self.new_name("user"), inbound_auth_config=NO_AUTH,
            storage_configs=[config], freeform_tags=self.ctx.tags()))
        self.ctx.remember(app.data.id)
        self.ctx.wait_for_work_request(app.headers["opc-work-request-id"])
        assert self.client.get_hosted_application_storage(storage.id).data.application_ids == [app.data.id]
        expect_error(409, None, lambda: self.sdk("delete_{}")(storage.id), adopt=lambda answer: self.deleting(storage, answer))
        self.ran("used storage delete 409")
        self.ctx.wait_for_work_request(self.client.delete_hosted_application(app.data.id).headers["opc-work-request-id"])
        assert self.client.get_hosted_application_storage(storage.id).data.application_ids == []


@pytest.mark.costly()
@pytest.mark.parametrize("machine", [HostedApplicationMachine, HostedApplicationIamMachine])
def test_hosted_applications(contract, request, machine):
    run_machine(contract, request.node.nodeid, machine)


@pytest.mark.costly()
def test_hosted_application_storages(contract, request):
    run_machine(contract, request.node.nodeid, HostedApplicationStorageMachine)
