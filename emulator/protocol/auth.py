"""Who is calling: request signatures (OCI API-key HTTP signatures) and the tenancy they name.

Modes: ``off`` (every request is the default tenancy), ``loose`` (a signature's keyId names the
tenancy; the signature itself is not checked; unsigned requests get the default tenancy) and
``strict`` (RSA-SHA256 signatures verified against trusted keys, ``date`` within 5 minutes,
body hash checked; anything else is 401 NotAuthenticated). Which credentials an API takes is its
surface's choice (``surfaces.py``); :class:`Authenticator` applies it.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import time
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Callable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from . import errors

LOG = logging.getLogger(__name__)
SIGNATURE = "signature"  # an OCI HTTP signature (API key, session token, principals)
BEARER = "bearer"  # ``Authorization: Bearer <Generative AI API key>``
MAX_SKEW_SECONDS = 300
_PARAM_RE = re.compile(r'(\w+)="([^"]*)"')
BODY_HEADERS = ("content-length", "content-type", "x-content-sha256")


def signature_params(authorization: str | None) -> dict[str, str] | None:
    if not authorization or not authorization.lower().startswith("signature "):
        return None
    return dict(_PARAM_RE.findall(authorization))


def tenancy_from_key_id(key_id: str) -> str | None:
    """``<tenancy>/<user>/<fingerprint>`` names the tenancy; session tokens (``ST$...``) don't."""
    if key_id.startswith("ST$"):
        return None
    tenancy = key_id.split("/", 1)[0]
    return tenancy or None


def fingerprint(public_key: rsa.RSAPublicKey) -> str:
    """OCI's key fingerprint: MD5 of the DER public key, as colon-separated hex."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    digest = hashlib.md5(der).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def load_public_key(pem: bytes) -> rsa.RSAPublicKey:
    """A public key from a PEM public or (unencrypted) private key."""
    if b"PRIVATE KEY" in pem:
        return serialization.load_pem_private_key(pem, password=None).public_key()
    return serialization.load_pem_public_key(pem)


class TrustedKeys:
    """Public keys the emulator trusts in strict mode, by fingerprint."""

    def __init__(self) -> None:
        self.keys: dict[str, rsa.RSAPublicKey] = {}
        self._pems: set[bytes] = set()
        self._files: dict[str, tuple[int, int]] = {}  # path -> (mtime_ns, size) when last read

    def add_pem(self, pem: bytes) -> str:
        key = load_public_key(pem)
        fp = fingerprint(key)
        self.keys[fp] = key
        self._pems.add(pem)
        return fp

    def add_files(self, paths) -> None:
        """Trust the keys in ``paths``; a file already read is read again only once it changed."""
        for path in paths:
            try:
                stat = Path(path).stat()
                stamp = (stat.st_mtime_ns, stat.st_size)
                if self._files.get(str(path)) == stamp:
                    continue
                self._files[str(path)] = stamp
                pem = Path(path).read_bytes()
                if pem not in self._pems:
                    self.add_pem(pem)
            except (OSError, ValueError, TypeError) as exc:
                LOG.warning("not trusting key %s: %s", path, exc)


def signing_string(params: dict, method: str, target: str, headers) -> str:
    lines = []
    for name in params.get("headers", "date").split():
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {target}")
        else:
            value = headers.get(name)
            if value is None:
                raise errors.not_authenticated(f"The signed header '{name}' is missing from the request.")
            lines.append(f"{name}: {value}")
    return "\n".join(lines)


def verify(params: dict | None, method: str, target: str, headers, body: bytes, keys: TrustedKeys, now: float | None = None) -> str:
    """Check a request's signature; returns the tenancy it names, or raises 401."""
    if params is None:
        raise errors.not_authenticated("The request is not signed: an OCI API-key signature is required.")
    key_id = params.get("keyId", "")
    parts = key_id.split("/")
    if len(parts) != 3 or not tenancy_from_key_id(key_id):
        raise errors.not_authenticated(f"The signature keyId {key_id!r} is not <tenancy>/<user>/<fingerprint>.")
    key = keys.keys.get(parts[2])
    if key is None:
        raise errors.not_authenticated(f"The key with fingerprint {parts[2]} is not trusted by this emulator.")
    signed = params.get("headers", "date").split()
    required = ["(request-target)", "host"]
    if method in ("POST", "PUT", "PATCH"):
        required += list(BODY_HEADERS)
    missing = [h for h in required if h not in signed]
    if missing or ("date" not in signed and "x-date" not in signed):
        raise errors.not_authenticated(f"The signature must cover {', '.join(missing or ['date'])}.")
    stamp = headers.get("x-date") or headers.get("date") or ""
    try:
        sent = parsedate_to_datetime(stamp).timestamp()
    except (TypeError, ValueError):
        raise errors.not_authenticated(f"The date header {stamp!r} is not an HTTP date.") from None
    if abs((now or time.time()) - sent) > MAX_SKEW_SECONDS:
        raise errors.not_authenticated("The date header is more than 5 minutes off the server's clock.")
    if "x-content-sha256" in signed:
        actual = base64.b64encode(hashlib.sha256(body).digest()).decode()
        if headers.get("x-content-sha256") != actual:
            raise errors.not_authenticated("x-content-sha256 does not match the request body.")
    text = signing_string(params, method, target, headers)
    try:
        key.verify(base64.b64decode(params.get("signature", "")), text.encode(), padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        LOG.debug("signature mismatch; string to sign was:\n%s", text)
        raise errors.not_authenticated("The request signature does not verify against the trusted key.") from None
    return parts[0]


Bearer = Callable[[str, object, bool], str]


class Authenticator:
    """The tenancy of a request, by the auth mode and the credentials its API accepts.

    ``load_keys`` (re)loads the trusted keys from wherever they come from (files, keys trusted
    through the admin API by any worker process): at start-up, and again when a signature names
    a key this process does not know yet. ``bearer(secret, headers, strict)`` names the tenancy of
    a ``Bearer`` credential (API keys live with the behaviour, above this layer).
    """

    def __init__(
        self,
        mode: str,
        keys: TrustedKeys,
        default_tenancy: str,
        load_keys: Callable[[], None],
        bearer: Bearer | None = None,
    ):
        self.mode = mode
        self.keys = keys
        self.default_tenancy = default_tenancy
        self.refresh = load_keys
        self.bearer = bearer
        if mode == "strict":
            self.refresh()

    def tenancy(self, schemes: tuple[str, ...], method: str, target: Callable[[], str], headers, body: bytes) -> str:
        """The caller's tenancy, or 401. ``target`` gives the request target as sent (for strict mode)."""
        if self.mode == "off" or not schemes:
            return self.default_tenancy
        authorization = headers.get("authorization") or ""
        if BEARER in schemes and self.bearer is not None and authorization[:7].lower() == "bearer ":
            return self.bearer(authorization[7:].strip(), headers, self.mode == "strict")
        params = signature_params(authorization)
        if self.mode == "strict" and params is None and BEARER in schemes:
            raise errors.not_authenticated(
                "The request carries no credentials: send an API key (Authorization: Bearer) or sign it (OCI signature)."
            )
        if self.mode == "strict":
            if params is not None and params.get("keyId", "").rsplit("/", 1)[-1] not in self.keys.keys:
                self.refresh()
            return verify(params, method, target(), headers, body, self.keys)
        if params is None:
            return self.default_tenancy
        return tenancy_from_key_id(params.get("keyId", "")) or self.default_tenancy
