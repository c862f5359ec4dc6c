"""What a user of OCI's OpenAI-compatible API sets up first: a project and an API key (through the
oci SDK), then an ``openai`` client pointed at the emulator."""

from __future__ import annotations

import json
from typing import NamedTuple

import oci
import openai
import requests
from oci.generative_ai import models

from conftest import COMPARTMENT
from helpers import WAIT

REASONING_MODEL = "openai.gpt-oss-120b"
PLAIN_MODEL = "xai.grok-4-1-fast-non-reasoning"
META_MODEL = "meta.llama-3.3-70b-instruct"
WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the current weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}


class Key(NamedTuple):
    id: str
    secret: str


def active_project(genai, **kwargs) -> models.GenerativeAiProject:
    created = genai.create_generative_ai_project(
        models.CreateGenerativeAiProjectDetails(compartment_id=COMPARTMENT, **kwargs)
    )
    return oci.wait_until(
        genai, genai.get_generative_ai_project(created.data.id), "lifecycle_state", "ACTIVE", **WAIT
    ).data


def api_key(genai, *names: str) -> Key:
    """A new API key with secrets named ``names`` (one, ``primary``, by default); the first secret."""
    created = genai.create_api_key(
        models.CreateApiKeyDetails(
            compartment_id=COMPARTMENT,
            display_name="tests",
            key_details=[models.KeyDetails(key_name=name) for name in names or ("primary",)],
        )
    ).data
    return Key(created.id, created.keys[0].key)


def client(url: str, project_id: str | None, secret: str, base: str = "/openai/v1", **kwargs) -> openai.OpenAI:
    return openai.OpenAI(base_url=url + base, api_key=secret, project=project_id, max_retries=0, **kwargs)


def sse(response: requests.Response) -> list[tuple[str | None, str]]:
    """The (event name, data) pairs of a Server-Sent Events body."""
    frames = []
    for block in response.text.split("\n\n"):
        if not block.strip():
            continue
        name = data = None
        for line in block.split("\n"):
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data = line[6:]
        frames.append((name, data))
    return frames


def payloads(frames: list[tuple[str | None, str]]) -> list[dict]:
    return [json.loads(data) for _, data in frames if data != "[DONE]"]
