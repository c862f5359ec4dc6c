"""Builders for chat requests through the oci SDK's inference models, shared by the chat tests."""

from __future__ import annotations

import json

import oci
import pytest
from conftest import COMPARTMENT
from oci.generative_ai_inference import GenerativeAiInferenceClient
from oci.generative_ai_inference import models as m

COHERE = "cohere.command-r-08-2024"
COHERE_A = "cohere.command-a-03-2025"
VISION = "cohere.command-a-vision"
LLAMA = "meta.llama-3.3-70b-instruct"
GROK = "xai.grok-3"
NOT_FOUND = "Authorization failed or requested resource not found."
WEATHER_SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "description": "The city"},
        "unit": {"type": "string", "enum": ["C", "F"]},
        "days": {"type": "integer", "minimum": 1, "maximum": 7},
    },
    "required": ["city", "unit"],
}


def client(oci_config: dict, url: str, retry: bool = True) -> GenerativeAiInferenceClient:
    if retry:
        return GenerativeAiInferenceClient(oci_config, service_endpoint=url)
    return GenerativeAiInferenceClient(oci_config, service_endpoint=url, retry_strategy=oci.retry.NoneRetryStrategy())


def details(model: str, request, endpoint: str | None = None) -> m.ChatDetails:
    mode = m.DedicatedServingMode(endpoint_id=endpoint) if endpoint else m.OnDemandServingMode(model_id=model)
    return m.ChatDetails(compartment_id=COMPARTMENT, serving_mode=mode, chat_request=request)


def chat(client, model: str, request, endpoint: str | None = None):
    return client.chat(details(model, request, endpoint)).data


def user(text: str) -> m.UserMessage:
    return m.UserMessage(content=[m.TextContent(text=text)])


def generic(*messages, **kw) -> m.GenericChatRequest:
    return m.GenericChatRequest(messages=[user(x) if isinstance(x, str) else x for x in messages], **kw)


def text_of(response) -> str:
    """The answer's text, whatever the format."""
    chat_response = response.chat_response
    if chat_response.api_format == "GENERIC":
        return "".join(part.text for part in chat_response.choices[0].message.content or [])
    if chat_response.api_format == "COHEREV2":
        return "".join(part.text for part in chat_response.message.content if part.type == "TEXT")
    return chat_response.text


def weather_tool() -> m.FunctionDefinition:
    return m.FunctionDefinition(
        name="get_weather", description="Get the weather forecast of a city", parameters=WEATHER_SCHEMA
    )


def service_error(fn, *args, **kwargs) -> oci.exceptions.ServiceError:
    with pytest.raises(oci.exceptions.ServiceError) as exc:
        fn(*args, **kwargs)
    return exc.value


def stream_payloads(response) -> list:
    """A streamed answer's event payloads: JSON events as dicts, literals such as ``[DONE]`` as they
    are. Every event is a plain ``data:`` frame (no event names on the wire)."""
    out = []
    for event in response.data.events():
        assert event.event == "message"
        try:
            out.append(json.loads(event.data))
        except ValueError:
            out.append(event.data)
    return out
