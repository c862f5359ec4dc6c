"""Values that validate against a JSON schema: tool-call arguments and structured outputs.

Sampling is bounded: a schema whose smallest value is too big (``MAX_NODES``) or whose required
parts refer back to themselves (deeper than ``MAX_DEPTH``) raises :class:`SchemaTooLarge` or
:class:`SchemaEndless`, so a hostile schema costs a bounded amount of work.
"""

from __future__ import annotations

import random
from typing import Any

FORMATS = {
    "date": "2026-01-15",
    "date-time": "2026-01-15T10:30:00Z",
    "time": "10:30:00",
    "email": "user@example.com",
    "uri": "https://example.com/resource",
    "uuid": "123e4567-e89b-42d3-a456-426614174000",
}


MAX_NODES = 100_000  # the most values (and string characters) one sample may hold
MAX_DEPTH = 64  # ``$ref`` chains deeper than this loop forever


class SchemaTooLarge(ValueError):
    pass


class SchemaEndless(ValueError):
    pass


def sample(
    schema: dict,
    rng: random.Random,
    hints: list[str],
    root: dict | None = None,
    depth: int = 0,
    budget: list[int] | None = None,
) -> Any:
    root = root if root is not None else schema
    budget = budget if budget is not None else [MAX_NODES]
    budget[0] -= 1
    if budget[0] < 0:
        raise SchemaTooLarge
    if depth > MAX_DEPTH:
        raise SchemaEndless
    if not isinstance(schema, dict):
        return None

    def sub(child: dict, fallback_hints: list[str] | None = None) -> Any:
        return sample(child, rng, hints or fallback_hints or [], root, depth + 1, budget)

    if "$ref" in schema:
        return sub(_resolve(root, schema["$ref"]))
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return rng.choice(schema["enum"])
    for key in ("anyOf", "oneOf"):
        if schema.get(key):
            return sub(schema[key][0])
    if schema.get("allOf"):
        merged: dict = {}
        for part in schema["allOf"]:
            merged = _merge(merged, _resolve(root, part["$ref"]) if "$ref" in part else part)
        return sub(merged)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "string"
    if kind == "object":
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        out = {}
        for name, child in props.items():
            if name in required or depth < 2:
                out[name] = sub(child, [name])
        return out
    if kind == "array":
        low = schema.get("minItems", 1)
        if low > budget[0]:
            raise SchemaTooLarge
        high = max(low, min(schema.get("maxItems", 2), low + 1))
        items = schema.get("items", {"type": "string"})
        return [sub(items) for _ in range(rng.randint(low, high))]
    if kind == "integer":
        low, high = _bounds(schema, 1, 10)
        return rng.randint(int(low), int(high))
    if kind == "number":
        low, high = _bounds(schema, 0.0, 100.0)
        return round(rng.uniform(low, high), 2)
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "null":
        return None
    return _string(schema, rng, hints, budget)


def _string(schema: dict, rng: random.Random, hints: list[str], budget: list[int]) -> str:
    if schema.get("format") in FORMATS:
        return FORMATS[schema["format"]]
    words = [h for h in hints if h] or ["value"]
    words = [w for w in words if w[0].isupper()] or words  # names ("Paris") make the likeliest arguments
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    budget[0] -= low
    if budget[0] < 0:
        raise SchemaTooLarge
    text = rng.choice(words).ljust(low, "x")
    return text[:high] if high else text


def _bounds(schema: dict, low, high):
    low = schema.get("minimum", schema.get("exclusiveMinimum", low - 1) + 1 if "exclusiveMinimum" in schema else low)
    high = schema.get("maximum", schema.get("exclusiveMaximum", high + 1) - 1 if "exclusiveMaximum" in schema else high)
    return (low, max(low, high))


def _resolve(root: dict, ref: str) -> dict:
    """A local ``$ref`` (``#`` or ``#/$defs/x``); anything else resolves to an empty schema."""
    node: Any = root
    for part in ref.lstrip("#").strip("/").split("/") if ref.strip("#/") else []:
        node = node.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(node, dict) else {}
    return node


def _merge(a: dict, b: dict) -> dict:
    out = dict(a)
    for key, value in b.items():
        if key == "properties":
            out["properties"] = {**out.get("properties", {}), **value}
        elif key == "required":
            out["required"] = sorted(set(out.get("required", [])) | set(value))
        else:
            out[key] = value
    return out
