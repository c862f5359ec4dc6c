"""What the three chat formats share: request checks the real service makes whatever the format,
usage blocks, document ids and tool plans."""

from __future__ import annotations

import json
import random
from typing import Any

import jsonschema_rs

from .. import errors, tokens
from ..conversation import ChatInput, Completion, ToolCall, Turn
from ..schema_values import SchemaEndless, SchemaInvalid, SchemaTooLarge, SchemaUnsatisfiable, sample_valid
from ..serving import Served

MAX_TOOLS = 128
MAX_GENERATIONS = 128
DIALECTS = {
    "http://json-schema.org/draft-04/schema",
    "http://json-schema.org/draft-06/schema",
    "http://json-schema.org/draft-07/schema",
    "http://json-schema.org/draft/2019-09/schema",
    "http://json-schema.org/draft/2020-12/schema",
}


def check_max_tokens(served: Served, value: int | None, field: str) -> None:
    """On-demand models cap the output (``profile.max_output_tokens``); dedicated endpoints do not."""
    if value is None:
        return
    if value < 1:
        raise errors.bad_request(f"Invalid parameter: '{field}' must be at least 1, got {value}.")
    cap = served.profile.max_output_tokens
    if served.serving_type == "ON_DEMAND" and cap and value > cap:
        raise errors.bad_request(
            f"Invalid parameter: '{field}' of {value} exceeds the maximum of {cap} output tokens "
            f"for {served.profile.name} on demand; host the model on a dedicated AI cluster for longer outputs."
        )


def check_context(chat: ChatInput) -> None:
    """The prompt must fit the model's context window."""
    size = tokens.count(chat.prompt_text)
    limit = chat.served.profile.context_tokens
    if limit and size > limit:
        raise errors.bad_request(
            f"The input is {size} tokens long; {chat.served.profile.name} accepts at most {limit} input tokens."
        )


def check_schema(schema: Any, what: str) -> dict:
    """A JSON schema the client sent (tool parameters, structured output): it must be one."""
    if not isinstance(schema, dict):
        raise errors.bad_request(f"Invalid {what}: the schema must be a JSON object.")
    dialect = schema.get("$schema")
    if dialect is not None and str(dialect).replace("https://", "http://").rstrip("#") not in DIALECTS:
        # checked here: the validator would try to download an unknown meta-schema
        raise errors.bad_request(f"Invalid {what}: unsupported '$schema' {dialect!r}; use a JSON Schema draft.")
    try:
        valid = jsonschema_rs.meta.is_valid(schema)
    except (jsonschema_rs.ReferencingError, ValueError):
        valid = False
    if not valid:
        raise errors.bad_request(f"Invalid {what}: it is not a valid JSON schema.")
    try:
        sample_valid(schema, random.Random(0), [])
    except SchemaInvalid as exc:
        raise errors.bad_request(f"Invalid {what}: it is not a valid JSON schema ({exc}).") from None
    except SchemaUnsatisfiable as exc:
        where = f"the field '{exc.field}'" if exc.field else "the value"
        raise errors.bad_request(f"Invalid {what}: no value satisfies it ({where}: {exc.reason}).") from None
    except SchemaEndless:
        raise errors.bad_request(
            f"Invalid {what}: it has no finite instance (a required property or item refers back to itself)."
        ) from None
    except SchemaTooLarge:
        raise errors.bad_request(f"Invalid {what}: its smallest instance is larger than a model can produce.") from None
    return schema


def array_without_items(schema: Any, path: tuple = ()) -> tuple | None:
    """Where an array schema lacks ``items`` (OpenAI-style backends reject those), or None."""
    if isinstance(schema, dict):
        kind = schema.get("type")
        if (
            (kind == "array" or (isinstance(kind, list) and "array" in kind))
            and "items" not in schema
            and "prefixItems" not in schema
        ):
            return path
        for key, value in schema.items():
            if key in ("enum", "const", "default", "examples", "required"):
                continue
            found = array_without_items(value, path + (key,))
            if found is not None:
                return found
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            found = array_without_items(value, path + (index,))
            if found is not None:
                return found
    return None


def check_generations(value: int | None) -> int:
    if value is None:
        return 1
    if not 1 <= value <= MAX_GENERATIONS:
        raise errors.bad_request(
            f"Invalid parameter: 'numGenerations' must be between 1 and {MAX_GENERATIONS}, got {value}."
        )
    return value


def documents(raw: list | None, v2: bool = False) -> list[dict]:
    """Documents with an ``id`` each (``doc_<n>`` when the client gave none), as Cohere numbers them.
    Strings become ``{"text": ...}``; Cohere v2's ``{"id", "data": {...}}`` is flattened."""
    out = []
    for index, doc in enumerate(raw or []):
        if isinstance(doc, str):
            doc = {"text": doc}
        elif v2 and isinstance(doc, dict) and "data" in doc:
            data = doc["data"] if isinstance(doc["data"], dict) else {"text": doc["data"]}
            doc = {**data, **({"id": doc["id"]} if "id" in doc else {})}
        if not isinstance(doc, dict):
            raise errors.bad_request(f"Invalid parameter: 'documents[{index}]' must be a string or a JSON object.")
        out.append({"id": str(doc.get("id", f"doc_{index}")), **{k: v for k, v in doc.items() if k != "id"}})
    return out


def arguments_of(value: Any) -> dict:
    """Tool-call arguments as a dict, whether sent as a JSON string or an object."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except ValueError:
            return {"arguments": value}
    return value if isinstance(value, dict) else {"value": value}


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def tool_plan(calls: list[ToolCall]) -> str:
    """What Cohere models say before calling tools (multi-step tool use)."""
    names = " and ".join(dict.fromkeys(c.name for c in calls))
    return f"I will use {names} to answer this."


def usage(completion: Completion, details: bool = True, extra_completion_tokens: int = 0) -> dict:
    out = {
        "promptTokens": completion.prompt_tokens,
        "completionTokens": completion.completion_tokens + extra_completion_tokens,
        "totalTokens": completion.total_tokens + extra_completion_tokens,
    }
    if details:
        out["promptTokensDetails"] = {"cachedTokens": 0}
        out["completionTokensDetails"] = {"reasoningTokens": completion.reasoning_tokens}
    return out


def pad(text: str) -> str:
    """The ``pad`` the service adds to GENERIC stream chunks (hides the delta's length on the wire)."""
    return "a" * (8 - len(text.encode()) % 8)


def cohere_response_format(raw: dict | None) -> tuple[dict | None, bool]:
    """Cohere's ``responseFormat`` (both versions): a JSON schema, any JSON object, or plain text."""
    if not raw or raw.get("type") != "JSON_OBJECT":
        return None, False
    if raw.get("schema") is None:
        return None, True
    return check_schema(raw["schema"], "'responseFormat.schema'"), False


def sampling(request: dict, stop_key: str = "stopSequences", max_tokens: int | None = None) -> dict:
    """The sampling fields every chat format shares, as ``ChatInput`` arguments."""
    return {
        "max_tokens": request.get("maxTokens") if max_tokens is None else max_tokens,
        "temperature": request.get("temperature"),
        "top_p": request.get("topP"),
        "top_k": request.get("topK"),
        "seed": request.get("seed"),
        "stop": [s for s in request.get(stop_key) or [] if s],
    }


def answered_call_ids(previous: list[Turn]) -> set[str]:
    """The tool calls a TOOL message may answer: those of the assistant message before it (TOOL
    messages in between answer the other calls of that message, as parallel tool calls do)."""
    before = next((t for t in reversed(previous) if t.role != "tool"), None)
    return {c.id for c in before.tool_calls} if before is not None and before.role == "assistant" else set()
