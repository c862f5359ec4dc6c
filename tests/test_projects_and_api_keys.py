"""Projects and API keys through the oci SDK and CLI, and API keys at work: a secret that does not
work (INACTIVE, REVOKED, EXPIRED, renewed, deleted) is refused by the OpenAI-compatible API."""

from __future__ import annotations

import datetime

import oci
import openai
import pytest
from oci.generative_ai import models

from conftest import COMPARTMENT, OTHER_COMPARTMENT, admin
from helpers import WAIT
from openai_helpers import PLAIN_MODEL, active_project, api_key, client
from test_cli import WAIT as CLI_WAIT
from test_cli import cli_home, oci_cli  # noqa: F401  (fixtures)


def test_project_lifecycle_with_work_requests(genai, composite):
    done = composite.create_generative_ai_project_and_wait_for_state(
        models.CreateGenerativeAiProjectDetails(
            compartment_id=COMPARTMENT,
            display_name="agents",
            conversation_config=models.ConversationConfig(responses_retention_in_hours=24),
        ),
        wait_for_states=["SUCCEEDED"],
        waiter_kwargs=WAIT,
    ).data
    (resource,) = done.resources
    assert (resource.entity_type, resource.action_type) == ("GenerativeAiProject", "CREATED")
    project = genai.get_generative_ai_project(resource.identifier)
    assert project.data.lifecycle_state == "ACTIVE" and project.data.id.startswith("ocid1.generativeaiproject.")
    assert project.data.conversation_config.responses_retention_in_hours == 24 and project.headers["etag"]

    updated = composite.update_generative_ai_project_and_wait_for_state(
        project.data.id, models.UpdateGenerativeAiProjectDetails(description="v2"), ["SUCCEEDED"], waiter_kwargs=WAIT
    ).data
    assert updated.status == "SUCCEEDED"
    assert genai.get_generative_ai_project(project.data.id).data.description == "v2"
    genai.change_generative_ai_project_compartment(
        project.data.id, models.ChangeGenerativeAiProjectCompartmentDetails(compartment_id=OTHER_COMPARTMENT)
    )
    assert [p.id for p in genai.list_generative_ai_projects(OTHER_COMPARTMENT).data.items] == [project.data.id]
    composite.delete_generative_ai_project_and_wait_for_state(project.data.id, ["SUCCEEDED"], waiter_kwargs=WAIT)
    assert genai.get_generative_ai_project(project.data.id).data.lifecycle_state == "DELETED"


def test_project_rules(genai_no_retry):
    with pytest.raises(oci.exceptions.ServiceError) as exc:
        genai_no_retry.create_generative_ai_project(
            models.CreateGenerativeAiProjectDetails(
                compartment_id=COMPARTMENT, conversation_config=models.ConversationConfig(responses_retention_in_hours=0)
            )
        )
    assert exc.value.status == 400 and "responsesRetentionInHours" in exc.value.message
    project = active_project(genai_no_retry, sandbox_config=models.SandboxConfig(is_enabled=True))
    with pytest.raises(oci.exceptions.ServiceError) as off:
        genai_no_retry.update_generative_ai_project(
            project.id, models.UpdateGenerativeAiProjectDetails(sandbox_config=models.SandboxConfig(is_enabled=False))
        )
    assert off.value.status == 400 and "cannot be disabled" in off.value.message


def test_api_key_secrets_are_shown_once(genai):
    created = genai.create_api_key(
        models.CreateApiKeyDetails(
            compartment_id=COMPARTMENT,
            display_name="ci",
            key_details=[models.KeyDetails(key_name="key-one"), models.KeyDetails(key_name="key-two")],
        )
    )
    key = created.data
    assert key.lifecycle_state == "ACTIVE" and created.headers["etag"]
    assert [k.key_name for k in key.keys] == ["key-one", "key-two"]
    assert all(k.key.startswith("sk-") and k.key_mask.endswith(k.key[-4:]) for k in key.keys)
    expiry = key.keys[0].time_expiry - key.keys[0].time_created
    assert datetime.timedelta(days=89) < expiry <= datetime.timedelta(days=90)  # the default
    got = genai.get_api_key(key.id).data
    assert all(k.key is None and k.key_mask for k in got.keys)
    listed = genai.list_api_keys(COMPARTMENT).data.items
    assert [k.id for k in listed] == [key.id] and all(k.key is None for k in listed[0].keys)
    renamed = genai.update_api_key(key.id, models.UpdateApiKeyDetails(display_name="renamed")).data
    assert renamed.display_name == "renamed" and renamed.lifecycle_state == "ACTIVE"


def test_a_secret_that_does_not_work_is_refused(genai, genai_no_retry, emulator_url):
    project = active_project(genai)
    created = genai.create_api_key(
        models.CreateApiKeyDetails(
            compartment_id=COMPARTMENT, display_name="rotating",
            key_details=[models.KeyDetails(key_name="one"), models.KeyDetails(key_name="two")],
        )
    ).data
    one, two = (k.key for k in created.keys)

    def works(secret: str) -> bool:
        try:
            client(emulator_url, project.id, secret).responses.create(model=PLAIN_MODEL, input="hi")
            return True
        except openai.AuthenticationError as exc:
            assert exc.status_code == 401 and exc.request_id
            return False

    assert works(one) and works(two)
    genai.set_api_key_state(created.id, models.SetApiKeyStateDetails(key_name="one", state="INACTIVE"))
    assert not works(one) and works(two)
    genai.set_api_key_state(created.id, models.SetApiKeyStateDetails(key_name="one", state="ACTIVE"))
    assert works(one)

    renewed = genai.renew_api_key(created.id, models.RenewApiKeyDetails(details=models.KeyDetails(key_name="one"))).data
    new_one = next(k.key for k in renewed.keys if k.key_name == "one")
    assert new_one and new_one != one and next(k for k in renewed.keys if k.key_name == "two").key is None
    assert not works(one) and works(new_one)

    genai.set_api_key_state(created.id, models.SetApiKeyStateDetails(key_name="two", state="REVOKED"))
    assert not works(two)
    with pytest.raises(oci.exceptions.ServiceError) as revoked:
        genai_no_retry.set_api_key_state(created.id, models.SetApiKeyStateDetails(key_name="two", state="ACTIVE"))
    assert (revoked.value.status, revoked.value.code) == (409, "IncorrectState")

    genai.set_api_key_state(created.id, models.SetApiKeyStateDetails(key_name="one", state="INACTIVE"))
    assert genai.get_api_key(created.id).data.lifecycle_state == "INACTIVE"  # no secret works
    genai.update_api_key(created.id, models.UpdateApiKeyDetails(description="still inactive"))
    assert genai.get_api_key(created.id).data.lifecycle_state == "INACTIVE"

    short = genai.create_api_key(
        models.CreateApiKeyDetails(
            compartment_id=COMPARTMENT, display_name="short",
            key_details=[models.KeyDetails(
                key_name="k", time_expiry=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
            )],
        )
    ).data
    assert works(short.keys[0].key)
    admin(emulator_url, "clock", {"advanceSeconds": 7200})
    assert not works(short.keys[0].key)
    assert genai.get_api_key(short.id).data.keys[0].state == "EXPIRED"

    fresh = api_key(genai)
    genai.delete_api_key(fresh.id)
    assert not works(fresh.secret)
    assert genai.get_api_key(fresh.id).data.lifecycle_state == "DELETED"


def test_api_key_rules(genai_no_retry):
    bad = [
        [models.KeyDetails(key_name="9starts-with-a-digit")],
        [models.KeyDetails(key_name="a"), models.KeyDetails(key_name="a")],
        [models.KeyDetails(key_name=n) for n in ("a", "b", "c")],
        [models.KeyDetails(key_name="past", time_expiry=datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc))],
    ]
    for details in bad:
        with pytest.raises(oci.exceptions.ServiceError) as exc:
            genai_no_retry.create_api_key(
                models.CreateApiKeyDetails(compartment_id=COMPARTMENT, display_name="bad", key_details=details)
            )
        assert (exc.value.status, exc.value.code) == (400, "InvalidParameter")


def test_projects_and_api_keys_in_the_cli(oci_cli):
    project = oci_cli(
        "generative-ai", "generative-ai-project", "create", "--compartment-id", COMPARTMENT,
        "--display-name", "cli-project", *CLI_WAIT,
    ).json["data"]
    assert project["status"] == "SUCCEEDED" and project["resources"][0]["entity-type"] == "GenerativeAiProject"
    key = oci_cli(
        "generative-ai", "api-key", "create", "--compartment-id", COMPARTMENT, "--display-name", "cli-key",
        "--key-details", '[{"keyName": "primary"}]',
    ).json["data"]
    assert key["lifecycle-state"] == "ACTIVE" and key["keys"][0]["key"].startswith("sk-")
