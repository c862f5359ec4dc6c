"""Builders for hosted applications, their storages and deployments, shared by their tests."""

from __future__ import annotations

import oci
from oci.generative_ai import models

from conftest import COMPARTMENT
from helpers import WAIT

NO_AUTH = models.InboundAuthConfig(inbound_auth_config_type="NO_AUTH_CONFIG")
IMAGE = "iad.ocir.io/tenancy/agents/weather"


def app_details(name: str = "agent", **kw) -> models.CreateHostedApplicationDetails:
    kw.setdefault("inbound_auth_config", NO_AUTH)
    return models.CreateHostedApplicationDetails(compartment_id=COMPARTMENT, display_name=name, **kw)


def active_app(genai, name: str = "agent", **kw) -> models.HostedApplication:
    created = genai.create_hosted_application(app_details(name, **kw)).data
    return oci.wait_until(genai, genai.get_hosted_application(created.id), "lifecycle_state", "ACTIVE", **WAIT).data


def active_iam_app(genai, name: str = "iam-agent", **kw) -> models.HostedApplicationIam:
    details = models.CreateHostedApplicationIamDetails(compartment_id=COMPARTMENT, display_name=name, **kw)
    created = genai.create_hosted_application_iam(details).data
    return oci.wait_until(genai, genai.get_hosted_application_iam(created.id), "lifecycle_state", "ACTIVE", **WAIT).data


def active_storage(genai, storage_type: str = "CACHE", name: str = "cache") -> models.HostedApplicationStorage:
    details = models.CreateHostedApplicationStorageDetails(
        compartment_id=COMPARTMENT, display_name=name, storage_type=storage_type
    )
    created = genai.create_hosted_application_storage(details).data
    return oci.wait_until(
        genai, genai.get_hosted_application_storage(created.id), "lifecycle_state", "ACTIVE", **WAIT
    ).data


def docker(tag: str = "v1", uri: str = IMAGE) -> models.SingleDockerArtifact:
    return models.SingleDockerArtifact(container_uri=uri, tag=tag)


def active_deployment(genai, app_id: str, tag: str = "v1", **kw) -> models.HostedDeployment:
    details = models.CreateHostedDeploymentDetails(hosted_application_id=app_id, active_artifact=docker(tag), **kw)
    created = genai.create_hosted_deployment(details).data
    return oci.wait_until(genai, genai.get_hosted_deployment(created.id), "lifecycle_state", "ACTIVE", **WAIT).data
