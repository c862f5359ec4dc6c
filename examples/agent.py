"""A tool-using agent loop with GENERIC chat and the plain oci SDK: the model asks for a tool, the
script runs it and sends the result back, until the model answers in words.

    python examples/agent.py "What is the weather forecast in Paris?"
    python examples/agent.py --model xai.grok-4 "What time is it in Tokyo?"

Works against the emulator (the default endpoint) and, with a real config, profile and compartment,
against OCI Generative AI itself, with any GENERIC-format chat model (Meta, xAI, OpenAI, ...).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime, timedelta, timezone

import oci
from oci.generative_ai_inference import GenerativeAiInferenceClient
from oci.generative_ai_inference import models as m

FORECASTS = {"paris": "sunny, 21 C", "london": "light rain, 14 C", "tokyo": "cloudy, 18 C"}
UTC_OFFSETS = {"paris": 1, "london": 0, "tokyo": 9, "new york": -5}


def get_weather(city: str) -> str:
    return f"{city}: {FORECASTS.get(city.lower(), 'clear skies, 20 C')}"


def get_time(city: str) -> str:
    offset = UTC_OFFSETS.get(city.lower(), 0)
    now = datetime.now(timezone.utc) + timedelta(hours=offset)
    return f"{city}: {now:%H:%M} (UTC{offset:+d})"


CITY = {"type": "object", "properties": {"city": {"type": "string", "description": "City name"}}, "required": ["city"]}
TOOLS = {
    "get_weather": (get_weather, m.FunctionDefinition(
        name="get_weather", description="Get the weather forecast of a city", parameters=CITY
    )),
    "get_time": (get_time, m.FunctionDefinition(
        name="get_time", description="Get the current local time in a city", parameters=CITY
    )),
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("question", nargs="?", default="What is the weather forecast in Paris?")
    parser.add_argument("--endpoint", default="http://127.0.0.1:8080", help="service endpoint (default: the emulator)")
    parser.add_argument("--config-file", default="~/.oci-genai-emulator/config", help="OCI config file")
    parser.add_argument("--profile", default="DEFAULT", help="profile in the config file")
    parser.add_argument(
        "--compartment", default=os.environ.get("OCI_COMPARTMENT_ID", "ocid1.compartment.oc1..aaaaaaaaexample")
    )
    parser.add_argument("--model", default="meta.llama-3.3-70b-instruct", help="a GENERIC-format chat model")
    parser.add_argument("--max-steps", type=int, default=5, help="model calls before giving up (default 5)")
    return parser.parse_args(argv)


def run_tool(call: m.FunctionCall) -> str:
    if call.name not in TOOLS:
        return json.dumps({"error": f"unknown tool {call.name}"})
    try:
        return TOOLS[call.name][0](**json.loads(call.arguments or "{}"))
    except (TypeError, ValueError) as exc:  # arguments that do not fit the function: tell the model
        return json.dumps({"error": str(exc)})


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    config = oci.config.from_file(os.path.expanduser(args.config_file), args.profile)
    client = GenerativeAiInferenceClient(config, service_endpoint=args.endpoint)
    messages: list = [m.UserMessage(content=[m.TextContent(text=args.question)])]
    print(f"question: {args.question}")

    for _ in range(args.max_steps):
        response = client.chat(m.ChatDetails(
            compartment_id=args.compartment,
            serving_mode=m.OnDemandServingMode(model_id=args.model),
            chat_request=m.GenericChatRequest(
                messages=messages, tools=[d for _, d in TOOLS.values()], tool_choice=m.ToolChoiceAuto(), max_tokens=400
            ),
        )).data.chat_response
        choice = response.choices[0]
        calls = choice.message.tool_calls or []
        if not calls:
            text = "".join(p.text for p in choice.message.content or [] if p.type == "TEXT")
            print(f"answer: {text}")
            return 0
        # the assistant turn that asked for the tools, then one TOOL message per call, matched by id
        messages.append(m.AssistantMessage(content=choice.message.content, tool_calls=calls))
        for call in calls:
            result = run_tool(call)
            print(f"tool: {call.name}({call.arguments}) -> {result}")
            messages.append(m.ToolMessage(tool_call_id=call.id, content=[m.TextContent(text=result)]))

    print(f"no answer after {args.max_steps} steps", file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
