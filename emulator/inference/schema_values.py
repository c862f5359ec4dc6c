"""Values that validate against a JSON schema: tool-call arguments and structured outputs."""

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


def sample(schema: dict, rng: random.Random, hints: list[str], root: dict | None = None, depth: int = 0) -> Any:
    root = root if root is not None else schema
    if not isinstance(schema, dict):
        return None
    if "$ref" in schema:
        return sample(_resolve(root, schema["$ref"]), rng, hints, root, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return rng.choice(schema["enum"])
    for key in ("anyOf", "oneOf"):
        if schema.get(key):
            return sample(schema[key][0], rng, hints, root, depth + 1)
    if schema.get("allOf"):
        merged: dict = {}
        for part in schema["allOf"]:
            merged = _merge(merged, _resolve(root, part["$ref"]) if "$ref" in part else part)
        return sample(merged, rng, hints, root, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "string"
    if kind == "object":
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        out = {}
        for name, sub in props.items():
            if name in required or depth < 2:
                out[name] = sample(sub, rng, hints + [name], root, depth + 1)
        return out
    if kind == "array":
        low = schema.get("minItems", 1)
        high = max(low, min(schema.get("maxItems", 2), low + 1))
        items = schema.get("items", {"type": "string"})
        return [sample(items, rng, hints, root, depth + 1) for _ in range(rng.randint(low, high))]
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
    return _string(schema, rng, hints)


def _string(schema: dict, rng: random.Random, hints: list[str]) -> str:
    if schema.get("format") in FORMATS:
        return FORMATS[schema["format"]]
    words = [h for h in hints if h] or ["value"]
    text = rng.choice(words)
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    while len(text) < low:
        text += "x"
    return text[:high] if high else text


def _bounds(schema: dict, low, high):
    low = schema.get("minimum", schema.get("exclusiveMinimum", low - 1) + 1 if "exclusiveMinimum" in schema else low)
    high = schema.get("maximum", schema.get("exclusiveMaximum", high + 1) - 1 if "exclusiveMaximum" in schema else high)
    return (low, max(low, high))


def _resolve(root: dict, ref: str) -> dict:
    node: Any = root
    for part in ref.lstrip("#/").split("/"):
        node = node.get(part, {}) if isinstance(node, dict) else {}
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
