"""What the three chat formats share: request checks the real service makes whatever the format,
usage blocks, document ids and tool plans."""

from __future__ import annotations

import json
from typing import Any

import jsonschema_rs

from .. import errors, tokens
from ..conversation import ChatInput, Completion, ToolCall
from ..schema_values import _resolve
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
MAX_SCHEMA_OUTPUT = 100_000  # the most a JSON schema's smallest instance may weigh (characters, values)
MAX_SCHEMA_DEPTH = 64  # ``$ref`` chains deeper than this loop forever


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
        size = _output_size(schema, schema, 0, [0])
    except _Endless:
        raise errors.bad_request(
            f"Invalid {what}: it has no finite instance (a required property or item refers back to itself)."
        ) from None
    if size > MAX_SCHEMA_OUTPUT:
        raise errors.bad_request(f"Invalid {what}: its smallest instance is larger than a model can produce.")
    return schema


class _Endless(Exception):
    pass


def _output_size(schema: Any, root: dict, depth: int, calls: list[int]) -> int:
    """About how big the value ``schema_values.sample`` makes for ``schema`` is (it follows the same
    rules), stopping early: over ``MAX_SCHEMA_OUTPUT`` is too big, ``$ref`` loops deeper than
    ``MAX_SCHEMA_DEPTH`` never end. The work is bounded by the budget, not by the schema."""
    calls[0] += 1
    if calls[0] > MAX_SCHEMA_OUTPUT:
        return MAX_SCHEMA_OUTPUT + 1
    if depth > MAX_SCHEMA_DEPTH:
        raise _Endless
    if not isinstance(schema, dict):
        return 1
    if "$ref" in schema:
        return _output_size(_resolve(root, schema["$ref"]), root, depth + 1, calls)
    if "const" in schema or schema.get("enum"):
        return 1
    for key in ("anyOf", "oneOf"):
        if schema.get(key):
            return _output_size(schema[key][0], root, depth + 1, calls)
    if schema.get("allOf"):
        return sum(_output_size(part, root, depth + 1, calls) for part in schema["allOf"])
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "string"
    if kind == "object":
        required = set(schema.get("required", []))
        total = 1
        for name, sub in (schema.get("properties") or {}).items():
            if name in required or depth < 2:
                total += _output_size(sub, root, depth + 1, calls)
                if total > MAX_SCHEMA_OUTPUT:
                    break
        return total
    if kind == "array":
        low = schema.get("minItems", 1)
        if low > MAX_SCHEMA_OUTPUT:
            return low
        return (low + 1) * _output_size(schema.get("items", {"type": "string"}), root, depth + 1, calls)
    if kind == "string":
        return max(1, schema.get("minLength", 0))
    return 1


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
