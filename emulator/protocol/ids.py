"""Identifiers: OCIDs, request ids and etags."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid

_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
OCID_RE = re.compile(r"^ocid1\.[a-z0-9_]+\.[a-z0-9]+\.[a-z0-9-]*\.[A-Za-z0-9._:-]+$")


def _unique(seed: str | None = None) -> str:
    raw = hashlib.sha256(seed.encode()).digest() if seed else secrets.token_bytes(32)
    bits = int.from_bytes(raw, "big")
    return "amaaaaaa" + "".join(_BASE32[(bits >> (5 * i)) & 31] for i in range(52))


def new_ocid(type_token: str, region: str, seed: str | None = None) -> str:
    """A fresh OCID of a resource type (``generativeaiendpoint``), or a stable one derived from ``seed``."""
    return f"ocid1.{type_token}.oc1.{region}.{_unique(seed)}"


def new_prefixed_id(prefix: str) -> str:
    """An id in the OpenAI style: ``resp_`` and 48 hex digits."""
    return prefix + secrets.token_hex(24)


def is_ocid(value: str) -> bool:
    return bool(OCID_RE.match(value))


def ocid_type(value: str) -> str:
    parts = value.split(".")
    return parts[1] if len(parts) > 1 else ""


def new_request_id() -> str:
    return uuid.uuid4().hex.upper()


def new_etag() -> str:
    return uuid.uuid4().hex
