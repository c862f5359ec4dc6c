"""Projects, API keys and a configured ``openai`` client for OCI's OpenAI-compatible API.

    genai = GenAI.from_config(profile="DEFAULT")           # or GenAI.for_emulator("http://127.0.0.1:8080")
    project = genai.create_project("agents")
    client = genai.openai(project.id)                      # signed with the profile's key
    client = genai.openai(project.id, api_key=genai.create_api_key("dev").secret)   # or an API key
    print(client.responses.create(model="openai.gpt-oss-120b", input="Hello").output_text)
"""

from __future__ import annotations

from typing import Any

import oci
from oci.generative_ai import models as mgmt

from .convert import _drop_none, _result
from .results import ApiKey, Project

OPENAI_PATH = "/openai/v1"
NOT_USED = "not-used"  # the openai SDK wants an api_key even when requests are signed


def _project(d, response=None) -> Project:
    config = getattr(d, "conversation_config", None)
    return _result(
        Project,
        d,
        response,
        responses_retention_hours=getattr(config, "responses_retention_in_hours", None),
        conversations_retention_hours=getattr(config, "conversations_retention_in_hours", None),
    )


class OpenAIMixin:
    """Mixed into :class:`ocigenai.GenAI`, which provides the clients, regions and compartments."""

    config: dict
    signer: Any
    inference_endpoint: str | None
    _mgmt: Any
    _region: Any
    _compartment: Any
    _create: Any

    def create_project(
        self,
        display_name: str | None = None,
        *,
        compartment_id: str | None = None,
        responses_retention_hours: int | None = None,
        conversations_retention_hours: int | None = None,
        wait: bool = True,
        timeout: float = 30 * 60.0,
        region: str | None = None,
    ) -> Project:
        """Create a Generative AI project (what OpenAI-compatible calls work in); with ``wait`` (the
        default) return it once ACTIVE."""
        retention = _drop_none(
            responses_retention_in_hours=responses_retention_hours,
            conversations_retention_in_hours=conversations_retention_hours,
        )
        details = mgmt.CreateGenerativeAiProjectDetails(
            compartment_id=self._compartment(compartment_id),
            display_name=display_name,
            conversation_config=mgmt.ConversationConfig(**retention) if retention else None,
        )
        return self._create("create_generative_ai_project", _project, details, wait, timeout, region, None)

    def get_project(self, project_id: str, *, region: str | None = None) -> Project:
        response = self._mgmt(project_id, region).get_generative_ai_project(project_id)
        return _project(response.data, response)

    def create_api_key(
        self,
        display_name: str,
        *,
        key_names: tuple[str, ...] = ("primary",),
        compartment_id: str | None = None,
        region: str | None = None,
    ) -> ApiKey:
        """Create an API key with secrets named ``key_names``; its secrets are in the result, the only
        time the service shows them."""
        details = mgmt.CreateApiKeyDetails(
            compartment_id=self._compartment(compartment_id),
            display_name=display_name,
            key_details=[mgmt.KeyDetails(key_name=name) for name in key_names],
        )
        response = self._mgmt(region=region).create_api_key(details)
        secrets = {k.key_name: k.key for k in response.data.keys if k.key}
        return _result(ApiKey, response.data, response, secrets=secrets, work_request_id=None)

    def openai(self, project_id: str, *, api_key: str | None = None, region: str | None = None, **kwargs: Any):
        """An ``openai.OpenAI`` client for OCI's OpenAI-compatible API, working in ``project_id``:
        with ``api_key`` (a secret of :meth:`create_api_key`) as its bearer token, else signing each
        request with this object's OCI credentials (needs the ``oci-genai-auth`` package)."""
        import openai

        base = self.inference_endpoint or f"https://inference.generativeai.{self._region(project_id, region)}.oci.oraclecloud.com"
        if api_key is None:
            import httpx

            kwargs["http_client"] = httpx.Client(auth=signed_auth(self.signer or _config_signer(self.config)))
        return openai.OpenAI(base_url=base + OPENAI_PATH, api_key=api_key or NOT_USED, project=project_id, **kwargs)


def _config_signer(config: dict) -> oci.signer.Signer:
    """The signer of an OCI config (with ``key_file`` or ``key_content``), as the SDK's clients make it."""
    return oci.signer.Signer(
        config["tenancy"],
        config["user"],
        config["fingerprint"],
        config.get("key_file"),
        pass_phrase=config.get("pass_phrase"),
        private_key_content=config.get("key_content"),
    )


def signed_auth(signer):
    """An ``httpx`` auth that signs each request with ``signer`` (an ``oci.signer.Signer``), for an
    ``openai`` client's ``http_client``: oci-genai-auth's signing, from a signer rather than a
    config file."""
    from oci_genai_auth import HttpxOciAuth

    class Signed(HttpxOciAuth):
        """oci-genai-auth's request signing with a signer made from a config (not a config file)."""

        def _refresh_signer(self) -> None:
            pass

    return Signed(signer)
