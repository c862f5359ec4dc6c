"""Values that validate against a JSON schema: tool-call arguments and structured outputs.

:func:`sample` obeys the whole schema: ``type`` (or a list of types), ``const``, ``enum``, ``$ref``,
``anyOf``/``oneOf``/``allOf``, objects (``properties``, ``required``, ``additionalProperties``,
``minProperties``), arrays (``items``, ``prefixItems``, ``minItems``/``maxItems``, ``uniqueItems``,
``contains``), strings (``minLength``/``maxLength``, ``pattern`` -- a string generated from the
regular expression itself -- and ``format``: date, date-time, time, email, uri, uuid, hostname,
ipv4, ipv6, duration...), numbers (``minimum``/``maximum``, the exclusive bounds, ``multipleOf``).
A field whose name the prompt gives a value for takes that value when it fits its schema
(``reading.Values``: ``user ID 'abc123'`` -> ``user_id``, ``in Tokyo`` -> ``city``, ``CPU`` -> the enum
option ``cpu``). :func:`sample_valid` checks the result against the schema and tries other seeds;
a schema no value satisfies raises :class:`SchemaUnsatisfiable` naming the field (a 400 for the
request that sent it).

Sampling is bounded: a schema whose smallest value is too big (``MAX_NODES``) or whose required
parts refer back to themselves (deeper than ``MAX_DEPTH``) raises :class:`SchemaTooLarge` or
:class:`SchemaEndless`, so a hostile schema costs a bounded amount of work.
"""

from __future__ import annotations

import json
import math
import random
import re
from functools import lru_cache
from typing import Any

import jsonschema_rs

from .reading import Values, field_words, vocabulary

try:  # the regular-expression parser of the standard library (``sre_parse`` before 3.11)
    from re import _constants as sre_constants, _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

FORMATS = {
    "date": "2026-01-15",
    "date-time": "2026-01-15T10:30:00Z",
    "time": "10:30:00Z",
    "duration": "P3D",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "uri": "https://example.com/resource",
    "iri": "https://example.com/resource",
    "uri-reference": "/resource",
    "iri-reference": "/resource",
    "url": "https://example.com/resource",
    "uuid": "123e4567-e89b-42d3-a456-426614174000",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "ipv4": "192.0.2.10",
    "ipv6": "2001:db8::10",
    "json-pointer": "/items/0",
    "regex": "^[a-z]+$",
}
DEFAULT_RANGES = {"age": (18, 80), "year": (1950, 2025), "founded": (1950, 2025), "rating": (1, 5)}
MAX_NODES = 100_000  # the most values (and string characters) one sample may hold
MAX_DEPTH = 64  # ``$ref`` chains deeper than this loop forever
ATTEMPTS = 6  # seeds tried before a schema counts as unsatisfiable
UNBOUNDED = 3  # extra repetitions of ``*``, ``+`` and ``{n,}`` in generated patterns


class SchemaTooLarge(ValueError):
    pass


class SchemaEndless(ValueError):
    pass


class SchemaUnsatisfiable(ValueError):
    """No value satisfies the schema; ``field`` names where (``user.zip``, ``tags[0]``, or ``""`` for the root)."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field or 'the value'}: {reason}")
        self.field, self.reason = field, reason


def sample_valid(schema: dict, rng: random.Random, hints: list[str], values: Values | None = None) -> Any:
    """A value that validates against ``schema``, or :class:`SchemaUnsatisfiable` naming the field."""
    validator = _validator(json.dumps(schema, sort_keys=True))
    error = None
    for attempt in range(ATTEMPTS):
        value = sample(schema, rng if attempt == 0 else random.Random(attempt), hints, values=values if attempt == 0 else None)
        error = next(validator.iter_errors(value), None)
        if error is None:
            return value
    field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.instance_path).lstrip(".")
    raise SchemaUnsatisfiable(field, error.message)


class SchemaInvalid(ValueError):
    """The schema cannot be used: an invalid regex, a reference that does not resolve."""


def _offline(uri: str):
    raise ValueError(f"{uri} is not fetched (the emulator works offline)")


@lru_cache(maxsize=256)
def _validator(schema_json: str):
    try:
        return jsonschema_rs.validator_for(json.loads(schema_json), retriever=_offline)
    except jsonschema_rs.ValidationError as exc:
        raise SchemaInvalid(exc.message.splitlines()[0][:300]) from None


def sample(
    schema: dict,
    rng: random.Random,
    hints: list[str],
    root: dict | None = None,
    depth: int = 0,
    budget: list[int] | None = None,
    values: Values | None = None,
    name: str = "",
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

    def sub(child: dict, child_name: str = "", fallback_hints: list[str] | None = None) -> Any:
        return sample(child, rng, hints or fallback_hints or [], root, depth + 1, budget, values, child_name)

    if "$ref" in schema:
        return sub(_resolve(root, schema["$ref"]), name)
    if "const" in schema:
        if name and values is not None:
            values.claim(name, schema["const"])
        return schema["const"]
    if schema.get("allOf"):
        merged: dict = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            merged = _merge(merged, _resolve(root, part["$ref"]) if "$ref" in part else part)
        return sub(merged, name)
    for key in ("anyOf", "oneOf"):
        if schema.get(key):
            options = [o for o in schema[key] if not (isinstance(o, dict) and o.get("type") == "null")] or schema[key]
            return sub({**{k: v for k, v in schema.items() if k != key}, **_resolve_part(root, options[0])}, name)
    if name and values is not None:
        found = values.for_field(name, schema)
        if found is not None and _fits(schema, found):
            return found
    if schema.get("enum"):
        return rng.choice(schema["enum"])
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else "string"
    if kind == "object":
        return _object(schema, rng, depth, budget, sub)
    if kind == "array":
        return _array(schema, rng, budget, sub, name)
    if kind in ("integer", "number"):
        return _number(schema, rng, kind, name)
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "null":
        return None
    return _string(schema, rng, hints, budget, name)


def _object(schema: dict, rng: random.Random, depth: int, budget: list[int], sub) -> dict:
    props = schema.get("properties", {})
    required = list(schema.get("required", []))
    out = {}
    for prop, child in props.items():
        if prop in required or depth < 2:
            out[prop] = sub(child, prop, [prop])
    for prop in required:  # required but not described: any value the rest of the schema allows
        if prop not in out:
            extra = schema.get("additionalProperties")
            out[prop] = sub(extra if isinstance(extra, dict) else {"type": "string"}, prop, [prop])
    wanted = schema.get("minProperties", 0)
    extra = schema.get("additionalProperties", True)
    index = 0
    while len(out) < wanted and extra is not False:
        index += 1
        key = f"property{index}"
        if key not in out:
            out[key] = sub(extra if isinstance(extra, dict) else {"type": "string"}, key, [key])
    high = schema.get("maxProperties")
    if high is not None and len(out) > high:
        for prop in [p for p in out if p not in required][: len(out) - high]:
            del out[prop]
    return out


def _array(schema: dict, rng: random.Random, budget: list[int], sub, name: str) -> list:
    prefix = schema.get("prefixItems") or []
    low = max(schema.get("minItems", 1), len(prefix) if schema.get("items") is False else 0)
    if low > budget[0]:
        raise SchemaTooLarge
    high = schema.get("maxItems", max(low, 2))
    high = max(low, min(high, low + 1))
    count = rng.randint(low, high)
    items = schema.get("items", {"type": "string"})
    items = items if isinstance(items, dict) else {"type": "string"}
    item_name = name[:-1] if name.endswith("s") else name
    out = [sub(part, item_name) for part in prefix[:count]]
    unique = schema.get("uniqueItems")
    tries = 0
    while len(out) < count:
        value = sub(items, item_name if not out else "")  # a named value once: again, it would repeat
        if unique and value in out:
            tries += 1
            if tries > 50:
                break
            if isinstance(value, str) and not items.get("pattern") and not items.get("enum"):
                value = f"{value}{tries + 1}"  # "tag", "tag2": what sampling cannot vary, a number tells apart
            if value in out:
                continue
        out.append(value)
    contains = schema.get("contains")
    if isinstance(contains, dict) and out and not _fits(contains, out[0]):
        out[0] = sub(contains, item_name)
    return out


def _number(schema: dict, rng: random.Random, kind: str, name: str) -> float | int:
    default = next((DEFAULT_RANGES[w] for w in field_words(name) if w in DEFAULT_RANGES), (1, 10) if kind == "integer" else (0.0, 100.0))
    low, high = schema.get("minimum"), schema.get("maximum")
    if isinstance(schema.get("exclusiveMinimum"), (int, float)) and not isinstance(schema.get("exclusiveMinimum"), bool):
        low = max(low if low is not None else -math.inf, schema["exclusiveMinimum"] + (1 if kind == "integer" else 1e-6))
    if isinstance(schema.get("exclusiveMaximum"), (int, float)) and not isinstance(schema.get("exclusiveMaximum"), bool):
        high = min(high if high is not None else math.inf, schema["exclusiveMaximum"] - (1 if kind == "integer" else 1e-6))
    if low is None and high is None:
        low, high = default
    elif low is None:
        low = min(default[0], high)
    elif high is None:
        high = max(default[1], low) if low <= default[1] else low + (default[1] - default[0])
    step = schema.get("multipleOf")
    if kind == "integer":
        low, high = math.ceil(low), math.floor(high)
        if step:
            first = math.ceil(low / step)
            last = math.floor(high / step)
            return int(rng.randint(first, max(first, last)) * step)
        return rng.randint(low, max(low, high))
    if step:
        first, last = math.ceil(low / step), math.floor(high / step)
        return rng.randint(first, max(first, last)) * step
    return round(rng.uniform(low, high), 2) if high - low > 0.02 else low


def _string(schema: dict, rng: random.Random, hints: list[str], budget: list[int], name: str) -> str:
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    budget[0] -= low
    if budget[0] < 0:
        raise SchemaTooLarge
    if schema.get("pattern"):
        text = from_pattern(schema["pattern"], rng)
    elif schema.get("format") in FORMATS:
        text = FORMATS[schema["format"]]
    else:
        words = vocabulary(name) or [h for h in hints if h] or ["value"]
        words = [w for w in words if w[0].isupper()] or words  # names ("Paris") make the likeliest arguments
        text = rng.choice(words)
    text = text.ljust(low, "x") if not schema.get("pattern") else text
    return text[:high] if high is not None and not schema.get("pattern") else text


def _fits(schema: dict, value: Any) -> bool:
    try:
        return _validator(json.dumps(schema, sort_keys=True)).is_valid(value)
    except (ValueError, jsonschema_rs.ReferencingError):  # a $ref to the root: not checkable alone
        return False


# strings from regular expressions ------------------------------------------------------------------
CATEGORY_CHARS = {
    sre_constants.CATEGORY_DIGIT: "0123456789",
    sre_constants.CATEGORY_WORD: "abcdefghijklmnopqrstuvwxyz0123456789",
    sre_constants.CATEGORY_SPACE: " ",
    sre_constants.CATEGORY_NOT_DIGIT: "abcdefghij",
    sre_constants.CATEGORY_NOT_WORD: "-.",
    sre_constants.CATEGORY_NOT_SPACE: "abcdefghij0123456789",
}
CANDIDATES = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_. @"


def from_pattern(pattern: str, rng: random.Random) -> str:
    """A string the regular expression matches in full (anchors and look-arounds aside)."""
    try:
        parsed = sre_parse.parse(pattern)
    except re.error:
        return ""
    groups: dict[int, str] = {}
    return _emit(list(parsed), rng, groups)


def _emit(items: list, rng: random.Random, groups: dict[int, str]) -> str:
    out = []
    for op, arg in items:
        if op is sre_constants.LITERAL:
            out.append(chr(arg))
        elif op is sre_constants.NOT_LITERAL:
            out.append(next(c for c in CANDIDATES if ord(c) != arg))
        elif op is sre_constants.ANY:
            out.append(rng.choice("abcxyz"))
        elif op is sre_constants.IN:
            out.append(_one_of(arg, rng))
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            low, high, sub = arg
            high = low + UNBOUNDED if high is sre_constants.MAXREPEAT else min(high, low + UNBOUNDED)
            out.extend(_emit(list(sub), rng, groups) for _ in range(rng.randint(low, high)))
        elif op is sre_constants.SUBPATTERN:
            group, _, _, sub = arg
            text = _emit(list(sub), rng, groups)
            if group:
                groups[group] = text
            out.append(text)
        elif op is sre_constants.BRANCH:
            out.append(_emit(list(rng.choice(arg[1])), rng, groups))
        elif op is sre_constants.GROUPREF:
            out.append(groups.get(arg, ""))
        # AT (anchors), ASSERT, ASSERT_NOT: nothing to write
    return "".join(out)


def _one_of(items: list, rng: random.Random) -> str:
    negate = bool(items) and items[0][0] is sre_constants.NEGATE
    chars: list[str] = []
    for op, arg in items[1:] if negate else items:
        if op is sre_constants.LITERAL:
            chars.append(chr(arg))
        elif op is sre_constants.RANGE:
            low, high = arg
            chars.extend(chr(c) for c in range(low, min(high, low + 95) + 1))
        elif op is sre_constants.CATEGORY:
            chars.extend(CATEGORY_CHARS.get(arg, "a"))
    if negate:
        excluded = set(chars)
        chars = [c for c in CANDIDATES if c not in excluded]
    return rng.choice(chars) if chars else "a"


# references --------------------------------------------------------------------------------------
def _resolve(root: dict, ref: str) -> dict:
    """A local ``$ref`` (``#`` or ``#/$defs/x``); anything else resolves to an empty schema."""
    node: Any = root
    for part in ref.lstrip("#").strip("/").split("/") if ref.strip("#/") else []:
        node = node.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(node, dict) else {}
    return node


def _resolve_part(root: dict, part: Any) -> dict:
    if not isinstance(part, dict):
        return {}
    return _resolve(root, part["$ref"]) if "$ref" in part else part


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
