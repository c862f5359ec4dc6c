"""Credentials on the OpenAI-compatible API under ``serve --auth strict``: live API keys and trusted
OCI signatures (oci-genai-auth's httpx auth) only; and langchain-oci's two transports over it."""

from __future__ import annotations

from pathlib import Path

import httpx
import oci
import openai
import pytest
from oci_genai_auth import OciUserPrincipalAuth

from conftest import COMPARTMENT, make_oci_config
from openai_helpers import PLAIN_MODEL, REASONING_MODEL, active_project, api_key, client
from processes import QUICK_STOP, EmulatorProcess, child_env, run_cli

PROFILE = "AGENTS"


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    """``oci-genai-emulator config`` then ``serve --auth strict``; a project and an API key made with the profile."""
    tmp = tmp_path_factory.mktemp("strict-openai")
    home = tmp / "home"
    home.mkdir()
    env = child_env(home)
    assert run_cli(["config", "--profile", PROFILE], env, script=True).returncode == 0
    config_file = str(Path(env["OCI_EMULATOR_HOME"]) / "config")
    server = EmulatorProcess(["--auth", "strict"], env, tmp).start()
    genai = oci.generative_ai.GenerativeAiClient(oci.config.from_file(config_file, PROFILE), service_endpoint=server.url)
    yield server, active_project(genai), api_key(genai), config_file, tmp
    server.stop(QUICK_STOP)


def test_a_live_api_key_works_and_nothing_else_does(strict):
    server, project, key, _, _ = strict
    assert client(server.url, project.id, key.secret).responses.create(model=PLAIN_MODEL, input="hi").status == "completed"
    for secret in ["sk-" + "0" * 48, "not-used"]:
        with pytest.raises(openai.AuthenticationError) as exc:
            client(server.url, project.id, secret).responses.create(model=PLAIN_MODEL, input="hi")
        assert exc.value.status_code == 401 and exc.value.body["code"] == "NotAuthenticated"
    unsigned = httpx.post(f"{server.url}/openai/v1/responses", json={"model": PLAIN_MODEL, "input": "hi"},
                          headers={"OpenAI-Project": project.id})
    assert unsigned.status_code == 401 and "Bearer" in unsigned.json()["error"]["message"]


def test_a_trusted_signature_works(strict):
    server, project, _, config_file, tmp = strict
    auth = OciUserPrincipalAuth(config_file=config_file, profile_name=PROFILE)
    signed = openai.OpenAI(base_url=f"{server.url}/openai/v1", api_key="not-used", project=project.id,
                           http_client=httpx.Client(auth=auth), max_retries=0)
    response = signed.responses.create(model=REASONING_MODEL, input="Signed, not keyed")
    assert response.status == "completed" and signed.responses.retrieve(response.id).id == response.id

    stranger = make_oci_config(tmp, "ocid1.tenancy.oc1..aaaaaaaastranger", "stranger")
    config = tmp / "stranger-config"
    config.write_text("[S]\n" + "".join(f"{k}={v}\n" for k, v in stranger.items()))
    untrusted = openai.OpenAI(base_url=f"{server.url}/openai/v1", api_key="not-used", project=project.id,
                              http_client=httpx.Client(auth=OciUserPrincipalAuth(config_file=str(config), profile_name="S")),
                              max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        untrusted.responses.create(model=PLAIN_MODEL, input="hi")


def test_langchain_oci_responses_transports(framework_settings, oci_config_file):
    from langchain_oci import ChatOCIGenAI, ChatOCIOpenAI

    native = ChatOCIGenAI(model_id=PLAIN_MODEL, use_responses_api=True, **framework_settings)
    answer = native.invoke("What is a vector store?")
    assert answer.content
    streamed = "".join(chunk.content for chunk in native.stream("Stream about vectors"))
    assert streamed

    auth = OciUserPrincipalAuth(config_file=oci_config_file.path, profile_name=oci_config_file.profile)
    via_openai = ChatOCIOpenAI(
        auth=auth,
        compartment_id=COMPARTMENT,
        conversation_store_id="ocid1.generativeaiconversationstore.oc1.us-chicago-1.amaaaaaastore",
        model=PLAIN_MODEL,
        service_endpoint=framework_settings["service_endpoint"],
    )
    reply = via_openai.invoke("Hello from LangChain")
    assert reply.text() if callable(getattr(reply, "text", None)) else reply.content
