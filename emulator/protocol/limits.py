"""Every limit the emulator enforces on what clients send, in one table, each with its source.

"documented" limits are Oracle's (the page named beside them); the others are the emulator's own,
chosen generously so that no request the real service takes is refused, and listed in the README's
"Known differences". Request bodies are checked in ``validation.py`` (size, nesting, numbers, text)
and against the request schemas, which :func:`constrain` tightens with the field limits below.
"""

from __future__ import annotations

from typing import Any

# -- request bodies (validation.py) ----------------------------------------------------------------
MAX_BODY_BYTES = 20 * 1024 * 1024
"""API request bodies (undocumented): room for several base64 images of 5 MB, Oracle's per-image limit."""
MAX_FILE_BYTES = 50 * 1024 * 1024
"""A file uploaded to the OpenAI-compatible API's ``/files`` (the emulator's own; OpenAI takes up to 512 MB)."""
MAX_FILENAME_CHARS = 255
"""The name of an uploaded file (undocumented; the common file-system limit)."""
MAX_OPENAI_BODY_BYTES = MAX_FILE_BYTES + 1024 * 1024
"""OpenAI-compatible API bodies: one file of the largest size, with room for its multipart form."""
MAX_ADMIN_BODY_BYTES = 256 * 1024 * 1024
"""Admin API bodies: state snapshots of many thousands of resources."""
MAX_DEPTH = 64
"""Nesting of arrays and objects in any JSON body (undocumented; deep enough for any schema the SDK sends)."""
MAX_NUMBER_CHARS = 1000
"""Characters of one JSON number: the default of Jackson, the service's JSON parser (``StreamReadConstraints``)."""
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
"""The service is Java: an ``integer`` field of the schemas is an ``int``; any other JSON integer a ``long``."""
INT64_FIELDS = frozenset({"seed"})
"""Integer fields that take a ``long`` (a random 64-bit seed is common)."""

# -- fields of management requests (applied to the request schemas by constrain()) ----------------
MAX_DISPLAY_NAME_CHARS = 255
"""documented: an endpoint's name is 1 to 255 characters (docs, "Creating an Endpoint"); applied to every displayName."""
MAX_TEXT_CHARS = 4096
"""Any other string of a management request (descriptions, names, paths) (undocumented)."""
MAX_ITEMS = 1000
"""Items of any array of a management request (undocumented)."""
MAX_TAGS = 64
MAX_TAG_KEY_CHARS = 100
MAX_TAG_VALUE_CHARS = 256
"""Tags (OCI Tagging, "Limits on tags", not verified offline): 64 per resource, keys up to 100 and
values up to 256 characters. Applied to freeform tags, and to each namespace of defined tags."""
MANAGEMENT_APIS = frozenset({"generative_ai", "generative_ai_data", "generative_ai_sandbox"})

# -- queries, tokens and lists ---------------------------------------------------------------------
MAX_PAGE_SIZE = 1000
"""``limit`` of a list (the SDK documents 1 to 1000)."""
MAX_PAGE_TOKEN_CHARS = 4096
MAX_QUERY_VALUE_CHARS = 4096
"""One query or header value (undocumented)."""
RETRY_TOKEN_TTL_SECONDS = 24 * 3600
"""documented: an ``opc-retry-token`` is remembered for 24 hours (OCI API, "Retry tokens")."""

# -- business limits of the service ----------------------------------------------------------------
ENDPOINTS_PER_CLUSTER = 50
"""documented: a hosting cluster holds up to 50 endpoints ("Cluster endpoint rules")."""
PRIVATE_ENDPOINTS_PER_TENANCY = 5
"""documented: the default service limit of private endpoints."""
EMBED_MAX_INPUTS = 96
"""documented: at most 96 inputs per embedding call."""
SANDBOX_WARM_POOLS_PER_PROJECT = 20
"""guessed: named sandbox warm pools in one project (Oracle says limits exist, not their values)."""
SANDBOX_WARM_CAPACITY_PER_SHAPE = 20
"""guessed: the desired capacity of one project's warm pools of one shape, together."""
SANDBOXES_PER_PROJECT = 50
"""guessed: sandboxes (not DELETED) in one project."""
SANDBOX_MAX_LIFETIME_MINUTES = 24 * 60
"""guessed: how far ahead a sandbox may expire (at creation and when extended)."""
SANDBOX_SNAPSHOT_MAX_DAYS = 30
"""guessed: the longest expirationDuration of a sandbox snapshot."""
SANDBOX_FILE_BYTES = 1024 * 1024
"""the emulator's own: one sandbox file (the emulator keeps files in its store)."""
SANDBOX_WORKSPACE_BYTES = 8 * 1024 * 1024
"""the emulator's own: all files of one sandbox together."""
SANDBOX_COMMANDS = 1000
"""the emulator's own: commands kept per sandbox."""

# -- the admin API ---------------------------------------------------------------------------------
MAX_CLOCK_OFFSET_SECONDS = 100 * 365 * 24 * 3600
"""How far the emulator clock may run ahead of real time (and the longest transition delay)."""
MAX_LATENCY_MS = 600_000
"""The longest latency a fault may inject (10 minutes)."""
MAX_RATE = 1_000_000.0
"""The highest rate (requests per second) and burst of a rate limit."""


def _string_limit(name: str) -> int:
    return MAX_DISPLAY_NAME_CHARS if name == "displayName" else MAX_TEXT_CHARS


def _tag_map(values: dict) -> dict:
    return {"maxProperties": MAX_TAGS, "propertyNames": {"maxLength": MAX_TAG_KEY_CHARS}, **values}


def _field(api: str, name: str, schema: dict) -> None:
    """Add the limits of the field ``name`` to its ``schema`` (in place)."""
    kind = schema.get("type")
    if kind == "integer" and "maximum" not in schema:
        low, high = INT64 if name in INT64_FIELDS else INT32
        schema.update(minimum=max(low, schema.get("minimum", low)), maximum=high)
    if api not in MANAGEMENT_APIS:
        return
    if name == "freeformTags":
        schema.update(_tag_map({"additionalProperties": {"type": "string", "maxLength": MAX_TAG_VALUE_CHARS}}))
    elif name == "definedTags":
        namespace = _tag_map({"type": "object", "additionalProperties": {"maxLength": MAX_TAG_VALUE_CHARS}})
        schema.update(_tag_map({"additionalProperties": namespace}))
    elif kind == "string" and "enum" not in schema:
        schema.setdefault("maxLength", _string_limit(name))
    elif kind == "array":
        schema.setdefault("maxItems", MAX_ITEMS)


def constrain(api: str, schema: Any, name: str = "") -> None:
    """Add the limits of this table to a request schema of ``api`` and every schema nested in it."""
    if not isinstance(schema, dict):
        return
    _field(api, name, schema)
    for prop, sub in (schema.get("properties") or {}).items():
        constrain(api, sub, prop)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict) and name not in ("freeformTags", "definedTags"):
            constrain(api, schema[key], name if key == "items" else "")
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key) or ():
            constrain(api, sub, name)
