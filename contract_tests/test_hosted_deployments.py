"""Hosted deployments: the shared resource rules (no compartment move; an update activates an
image), each deployment the ACTIVE one of its own application (a second one would make the first
INACTIVE), its artifacts (added INACTIVE, the active one never deleted), and the application that
cannot be deleted under it."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule
from oci.generative_ai import models

from .machines import KEY_RULES, Resource, ResourceMachine, expect_error, pages, run_machine

IMAGE = "iad.ocir.io/contract/agents/echo"
NO_AUTH = models.InboundAuthConfig(inbound_auth_config_type="NO_AUTH_CONFIG")
RULES = tuple(k for k in KEY_RULES if k != "change compartment") + (
    "artifact added", "active artifact delete 409", "application delete 409",
)


class HostedDeploymentMachine(ResourceMachine):
    KEY_RULES = RULES
    noun = "hosted_deployment"
    entity = "HostedDeployment"
    label = "hosted-deployment"
    sort_fields = ("timeCreated",)  # summaries carry no displayName to check a sort on
    change_compartment = None  # deployments have no move

    def __init__(self, ctx):
        super().__init__(ctx)
        self.applications: list[str] = []

    def new_application(self) -> str:
        """Each deployment gets its own application (a second deployment would deactivate the first)."""
        app = self.client.create_hosted_application(models.CreateHostedApplicationDetails(
            compartment_id=self.ctx.compartment, display_name=self.new_name("app"), inbound_auth_config=NO_AUTH,
            freeform_tags=self.ctx.tags()))
        self.ctx.remember(app.data.id)
        self.applications.append(app.data.id)
        self.ctx.wait_for_work_request(app.headers["opc-work-request-id"])
        return app.data.id

    def create_details(self, name, compartment, data):
        return models.CreateHostedDeploymentDetails(
            compartment_id=compartment, display_name=name, hosted_application_id=self.new_application(),
            active_artifact=models.SingleDockerArtifact(container_uri=IMAGE, tag=name), freeform_tags=self.tags(),
        )

    def update_details(self, name):
        return models.UpdateHostedDeploymentDetails(
            active_artifact=models.SingleDockerArtifact(container_uri=IMAGE, tag=name), freeform_tags=self.tags()
        )

    def track(self, response, name, compartment) -> Resource:
        r = super().track(response, name, compartment)
        r.extra.update(application=response.data.hosted_application_id, tag=name)
        return r

    def updated(self, r, response, name, before):
        """An update activates the image it names; the deployment keeps its name."""
        etag, wr = response.headers.get("etag"), response.headers.get("opc-work-request-id")
        assert etag and etag != before and wr, "an update answers a new etag and its work request"
        assert response.data.active_artifact.tag == name, "the update answers the artifact it activates"
        r.extra["tag"] = name
        r.versions.append(etag)
        r.pending.append((wr, "UPDATED"))
        r.work_requests.append(wr)

    def check_resource(self, r, data):
        assert data.hosted_application_id == r.extra["application"]
        assert data.active_artifact.tag == r.extra["tag"], f"{r.id} serves {data.active_artifact.tag}"
        actives = [a.id for a in data.artifacts if a.status in ("ACTIVE", "UPDATING")]
        assert actives == [data.active_artifact.id], f"{r.id}: one active artifact, the activeArtifact ({actives})"

    def move(self, r):
        """No compartment move for deployments."""

    def page_through(self, compartment, limit, **kwargs):
        """Summaries carry no displayName: the machine knows the names it gave (the service filters on them)."""
        names = {r.id: r.display_name for r in self.resources}
        items = pages(self.client.list_hosted_deployments, compartment, limit=limit, **kwargs)
        for item in items:
            item.display_name = names.get(item.id)
        return items

    @precondition(lambda self: self.live())
    @rule(data=st.data())
    def add_an_artifact(self, data):
        r = self.draw_settled(data)
        response = self.client.add_artifact(models.AddArtifactDetails(
            artifact=models.CreateSingleDockerArtifactDetails(container_uri=IMAGE, tag=self.new_name("extra"))), r.id)
        wr = response.headers["opc-work-request-id"]
        r.versions.append(response.headers["etag"])
        r.pending.append((wr, "UPDATED"))
        r.work_requests.append(wr)
        self.ran("artifact added")

    @precondition(lambda self: self.live())
    @rule(data=st.data())
    def delete_the_active_artifact(self, data):
        r = self.draw_settled(data)
        active = self.client.get_hosted_deployment(r.id).data.active_artifact.id
        expect_error(409, None, lambda: self.client.delete_hosted_deployment_artifact(r.id, active))
        self.ran("active artifact delete 409")

    @precondition(lambda self: self.live())
    @rule(data=st.data())
    def delete_the_application_under_it(self, data):
        r = self.draw_settled(data)
        expect_error(409, None, lambda: self.client.delete_hosted_application(r.extra["application"]))
        self.ran("application delete 409")

    def teardown(self):
        super().teardown()
        for app_id in self.applications:
            self.ctx.wait_for_work_request(self.client.delete_hosted_application(app_id).headers["opc-work-request-id"])


@pytest.mark.costly()
def test_hosted_deployments(contract, request):
    run_machine(contract, request.node.nodeid, HostedDeploymentMachine, excused=("change compartment",))
