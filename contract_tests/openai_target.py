"""OCI's OpenAI-compatible API for the kit: what a user sets up before the first call, on either target.

A Generative AI project and an API key are made through the management API (tagged with the run,
so cleanup sweeps them; deleting the project deletes its responses and conversations), then two
``openai`` clients:

- ``inference``: ``<inference host>/openai/v1`` with the key as bearer token and the project
  (``OpenAI-Project``): responses, conversations, files, vector-store files and search;
- ``management``: ``<management host>/20231130/openai/v1``, signed with the target's key and
  scoped by ``opc-compartment-id``: vector-store create, read, update, delete (IAM only, no keys).

Against a tenancy the same calls go to the region's hosts, so a run proves the same properties there.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Iterator

import httpx
import openai
from oci.generative_ai import models
from ocigenai.openai_api import signed_auth

from .context import Run

MODEL = "openai.gpt-oss-120b"  # served on the OpenAI-compatible API in every region that has it
KEY_NAME = "contract"


@dataclasses.dataclass
class OpenAIApi:
    project_id: str
    inference: openai.OpenAI
    management: openai.OpenAI


def connect(ctx: Run) -> Iterator[OpenAIApi]:
    """The project, the key and the clients, for a session; the key and project are deleted after it."""
    tags = ctx.tags("openai")
    created = ctx.genai.create_generative_ai_project(models.CreateGenerativeAiProjectDetails(
        compartment_id=ctx.compartment, display_name=f"contract-{ctx.options.run_id}", freeform_tags=tags,
    ))
    project = created.data.id
    ctx.remember(project)
    ctx.wait_for_work_request(created.headers["opc-work-request-id"])
    key = ctx.genai.create_api_key(models.CreateApiKeyDetails(
        compartment_id=ctx.compartment, display_name=f"contract-{ctx.options.run_id}",
        key_details=[models.KeyDetails(key_name=KEY_NAME)], freeform_tags=tags,
    )).data
    ctx.remember(key.id)
    secret = next(k.key for k in key.keys if k.key_name == KEY_NAME)
    api = OpenAIApi(
        project,
        openai.OpenAI(base_url=ctx.target.inference_base_url + "/openai/v1", api_key=secret, project=project,
                      max_retries=2),
        openai.OpenAI(base_url=ctx.target.base_url + "/20231130/openai/v1", api_key="not-used", max_retries=2,
                      default_headers={"opc-compartment-id": ctx.compartment},
                      http_client=httpx.Client(auth=signed_auth(ctx.target.signer()))),
    )
    try:
        yield api
    finally:
        api.inference.close()
        api.management.close()
        ctx.genai.delete_api_key(key.id)
        deleted = ctx.genai.delete_generative_ai_project(project)
        ctx.wait_for_work_request(deleted.headers["opc-work-request-id"])


def assert_gone(what: str, *reads: Callable[[], Any]) -> None:
    """Each of ``reads`` (calls that name ``what``) must answer 404."""
    for read in reads:
        try:
            read()
        except openai.NotFoundError:
            continue
        raise AssertionError(f"{what} was found")
