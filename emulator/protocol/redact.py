"""Secrets taken out of what the emulator keeps about a request (the journal, ``journal.py``).

What goes: the signature of an OCI HTTP signature (its ``keyId`` stays: it names the tenancy, user
and key fingerprint; a session token's ``keyId`` goes too), ``Authorization: Bearer`` API keys (shown
as their mask, ``sk-...`` and the last 4 characters, as OCI masks a key), any other credential
header, and API-key secrets (``sk-`` and 20 or more letters, digits, ``-`` or ``_``: OCI's
Generative AI keys and OpenAI's) wherever they appear in a body. The journal applies it as it
records an entry, so no secret it keeps is ever in memory unredacted.
"""

from __future__ import annotations

import re

REDACTED = "<redacted>"
# Headers that are a credential as a whole (``authorization`` is read by its scheme).
CREDENTIAL_HEADERS = frozenset(
    {"cookie", "set-cookie", "proxy-authorization", "opc-obo-token", "x-api-key", "api-key", "x-auth-token"}
)
SECRET_HEADERS = CREDENTIAL_HEADERS | {"authorization"}
"""Every header that may hold a secret: others are kept as they are."""
_API_KEY = re.compile(rb"sk-[A-Za-z0-9_-]{20,}")
_API_KEY_TEXT = re.compile(_API_KEY.pattern.decode())
_SIGNATURE = re.compile(r'(?<![\w-])signature="[^"]*"')
_SESSION_KEY_ID = re.compile(r'(?<![\w-])keyId="ST\$[^"]*"')
MARGIN = 128  # longer than any secret: a body cut at N bytes is redacted over N + MARGIN first


def mask(secret: str) -> str:
    """An API key as OCI shows it (``sk-...`` and its last 4 characters); anything else entirely hidden."""
    return f"sk-...{secret[-4:]}" if _API_KEY_TEXT.fullmatch(secret) else REDACTED


def header(name: str, value: str) -> str:
    """``value`` of the header ``name`` (lower case) with its secret parts replaced."""
    if name in CREDENTIAL_HEADERS:
        return REDACTED
    if name != "authorization":
        return value
    scheme, _, credentials = value.partition(" ")
    if scheme.lower() == "bearer":
        return f"{scheme} {mask(credentials.strip())}"
    if scheme.lower() == "signature":
        value = _SIGNATURE.sub(f'signature="{REDACTED}"', value)
        return _SESSION_KEY_ID.sub(f'keyId="ST${REDACTED}"', value) if 'keyId="ST$' in value else value
    return REDACTED


def _mask_match(match: re.Match) -> bytes:
    return b"sk-..." + match.group()[-4:]


def body(data: bytes, limit: int | None = None) -> bytes:
    """``data`` with every API-key secret masked, cut to its first ``limit`` bytes (all without one)."""
    if limit is not None and len(data) > limit:
        return body(data[: limit + MARGIN])[:limit]
    if b"sk-" not in data:  # the common case costs one scan
        return data
    return _API_KEY.sub(_mask_match, data)
