"""Talking to an emulator: its admin API (``/_emulator/*``) and throwaway OCI credentials for it.

Nothing here imports ``oci`` or the emulator itself, so it works against any running emulator
(in-process, ``oci-genai-emulator serve``, a container) and stays cheap to import.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import threading
import urllib.parse
from pathlib import Path
from typing import Any

__all__ = ["EmulatorAdmin", "EmulatorError", "EMULATOR_TENANCY", "emulator_config"]

# The tenancy the emulator gives unsigned requests (and every request when auth is off): using it
# for generated credentials makes curl, the SDK and this client see the same resources.
EMULATOR_TENANCY = "ocid1.tenancy.oc1..aaaaaaaaemulatordefaulttenancy"
EMULATOR_USER = "ocid1.user.oc1..aaaaaaaaocigenaiclientuser"
DEFAULT_REGION = "us-chicago-1"


class EmulatorError(Exception):
    """The admin API answered with an error, or could not be reached."""

    def __init__(self, message: str, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code


class EmulatorAdmin:
    """The control plane of one emulator: reset, clock, transition policies, faults, rate limits,
    journal, state.

    One persistent HTTP connection, reused across calls (a reset costs about a millisecond).
    """

    def __init__(self, url: str, timeout: float = 30.0):
        self.url = url.rstrip("/")
        parts = urllib.parse.urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port or (443 if self._https else 80)
        self._prefix = parts.path.rstrip("/")
        self._timeout = timeout
        self._conn: http.client.HTTPConnection | None = None
        self._lock = threading.Lock()
        self.server: Any = None
        """The in-process ``emulator.server.BackgroundServer`` behind it, when the pytest plugin started one."""

    def __repr__(self) -> str:
        return f"EmulatorAdmin({self.url!r})"

    @property
    def dashboard_url(self) -> str:
        """The page that shows this emulator's resources, journal, clock and settings."""
        return f"{self.url}/_emulator/ui"

    # transport ----------------------------------------------------------------------------
    def _connect(self) -> http.client.HTTPConnection:
        cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        return cls(self._host, self._port, timeout=self._timeout)

    def request(self, method: str, path: str, body: dict | None = None) -> Any:
        """``method /_emulator/<path>`` with a JSON body; returns the decoded JSON answer (or None)."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {"content-type": "application/json"} if data is not None else {}
        target = f"{self._prefix}/_emulator/{path.lstrip('/')}"
        with self._lock:
            for attempt in (1, 2):  # a kept-alive connection the server closed is retried once
                if self._conn is None:
                    self._conn = self._connect()
                try:
                    self._conn.request(method, target, body=data, headers=headers)
                    response = self._conn.getresponse()
                    raw = response.read()
                    break
                except (ConnectionError, http.client.HTTPException, OSError) as exc:
                    self._conn.close()
                    self._conn = None
                    if attempt == 2:
                        raise EmulatorError(f"cannot reach the emulator at {self.url}: {exc}") from exc
            if response.getheader("connection", "").lower() == "close":
                self._conn.close()
                self._conn = None
        payload = json.loads(raw) if raw.strip() else None
        if response.status >= 400:
            message = payload.get("message") if isinstance(payload, dict) else raw.decode(errors="replace")
            code = payload.get("code") if isinstance(payload, dict) else None
            raise EmulatorError(f"{method} {target}: {response.status} {code}: {message}", response.status, code)
        return payload

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # the admin API ------------------------------------------------------------------------
    def health(self) -> dict:
        """``{"status": "ok", "version", "auth", "durable", "region"}``."""
        return self.request("GET", "health")

    def reset(self) -> None:
        """Forget every resource, work request, policy, clock offset, journal entry and fault."""
        self.request("POST", "reset", {})

    def clock(self) -> dict:
        """``{"now": RFC 3339, "offsetSeconds": float}``."""
        return self.request("GET", "clock")

    def advance_clock(self, seconds: float) -> dict:
        """Move the emulator's clock forward; transitions that become due land."""
        return self.request("POST", "clock", {"advanceSeconds": seconds})

    def transitions(self) -> dict[str, dict]:
        """The transition policy of each resource kind."""
        return self.request("GET", "config")["transitions"]

    def set_transition(
        self, kind: str, mode: str = "delay", seconds: float = 0.0, outcome: str = "SUCCEEDED"
    ) -> dict[str, dict]:
        """How ``kind`` (``dedicatedaicluster``, ``endpoint``, ``model``, ``importedmodel``) changes state:
        ``delay`` (after ``seconds`` on the emulator clock) or ``manual`` (see :meth:`complete_transitions`);
        ``outcome="FAILED"`` makes its operations fail with work-request errors."""
        policy: dict[str, Any] = {"mode": mode, "outcome": outcome}
        if mode == "delay":
            policy["seconds"] = seconds
        return self.request("POST", "config", {"transitions": {kind: policy}})["transitions"]

    def complete_transitions(self, kind: str | None = None, resource_id: str | None = None) -> int:
        """Finish pending transitions now (of one kind, or one resource); returns how many."""
        body = {k: v for k, v in (("kind", kind), ("id", resource_id)) if v is not None}
        return self.request("POST", "transitions/complete", body)["completed"]

    def requests(
        self, operation: str | None = None, *, status: int | str | None = None, tenancy: str | None = None
    ) -> list[dict]:
        """The journal of recent API calls, oldest first: ``operation`` (like ``create_endpoint``),
        ``status`` (``404`` or ``"4xx"``) and ``tenancy`` filter it. Each entry's ``id`` opens it
        with :meth:`journal_entry`."""
        filters = {"operation": operation, "status": status, "tenancy": tenancy}
        query = urllib.parse.urlencode({k: v for k, v in filters.items() if v is not None})
        return self.request("GET", "requests" + (f"?{query}" if query else ""))["items"]

    def journal_entry(self, entry_id: int) -> dict:
        """One journal entry with the request and the response as they crossed the wire (headers and
        bodies, secrets redacted)."""
        return self.request("GET", f"requests/{entry_id}")

    def clear_requests(self) -> None:
        self.request("DELETE", "requests")

    def add_fault(
        self,
        operation: str | None,
        status: int | None = None,
        *,
        times: int | None = 1,
        phase: str = "before",
        probability: float = 1.0,
        seed: int = 0,
        latency_ms: float | None = None,
        fail_work_request: dict | None = None,
        **extra: Any,
    ) -> dict:
        """Inject a fault into ``operation`` (an SDK operation name like ``create_endpoint``; ``None``
        for any): answer with HTTP ``status``, wait ``latency_ms`` first, or make its work request
        end FAILED (``fail_work_request={"atPercent": 50, "code": ..., "message": ...}``). It fires
        ``times`` times (``None``: with no end), each with ``probability``, drawn from a generator
        seeded with ``seed``. ``phase="after"`` lets the operation run and commit first, as when a
        response is lost on its way back."""
        body: dict[str, Any] = {"operation": operation, "times": times, "phase": phase, "probability": probability, "seed": seed, **extra}
        if status is not None:
            body["status"] = status
        if latency_ms is not None:
            body["latencyMs"] = latency_ms
        if fail_work_request is not None:
            body["workRequest"] = fail_work_request
        return self.request("POST", "faults", body)

    def faults(self) -> list[dict]:
        """The injected faults still to fire."""
        return self.request("GET", "faults")["items"]

    def clear_faults(self) -> None:
        self.request("DELETE", "faults")

    def set_rate_limits(self, *rules: dict) -> list[dict]:
        """Replace the rate limits: each ``{"rate": R, "burst": B, "operation": O, "tenancy": T}``
        (only ``rate`` is needed); beyond them calls are answered 429 TooManyRequests."""
        return self.request("POST", "rate-limits", {"rules": list(rules)})["rules"]

    def rate_limits(self) -> list[dict]:
        return self.request("GET", "rate-limits")["rules"]

    def clear_rate_limits(self) -> None:
        self.request("DELETE", "rate-limits")

    def trust_key(self, public_key_pem: str) -> str:
        """Trust a public key for ``--auth strict``; returns its fingerprint."""
        return self.request("POST", "keys", {"publicKey": public_key_pem})["fingerprint"]

    def export_state(self) -> dict:
        """A snapshot of everything users made (resources, work requests, clock offset, policies)."""
        return self.request("GET", "state")

    def import_state(self, snapshot: dict) -> dict:
        """Replace the emulator's state with ``snapshot``; returns the counts loaded."""
        return self.request("POST", "state", snapshot)["imported"]


def _fingerprint(public_key) -> str:
    from cryptography.hazmat.primitives import serialization

    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    digest = hashlib.md5(der, usedforsecurity=False).hexdigest()  # OCI's key fingerprint
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def emulator_config(
    tenancy: str = EMULATOR_TENANCY, region: str = DEFAULT_REGION, key_dir: str | Path | None = None
) -> tuple[dict, str]:
    """A fresh RSA key pair and an OCI SDK config using it: ``(config, public_key_pem)``.

    The private key is in the config as ``key_content``, or in ``key_dir/oci_api_key.pem`` (mode
    600) as ``key_file`` when ``key_dir`` is given (some tools only read key files).
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    config: dict[str, Any] = {
        "user": EMULATOR_USER,
        "fingerprint": _fingerprint(key.public_key()),
        "tenancy": tenancy,
        "region": region,
    }
    if key_dir is not None:
        path = Path(key_dir) / "oci_api_key.pem"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(private_pem)
        path.chmod(0o600)
        config["key_file"] = str(path)
    else:
        config["key_content"] = private_pem
    return config, public_pem


def _trusted_config(admin: EmulatorAdmin, trust_key: bool | None = None, **options: Any) -> dict:
    """The config of :func:`emulator_config` (``options`` are its arguments), its key registered
    with ``admin``'s emulator if ``trust_key``; by default only when that emulator checks
    signatures (``--auth strict``)."""
    config, public_pem = emulator_config(**options)
    if trust_key is None:
        trust_key = admin.health().get("auth") == "strict"
    if trust_key:
        admin.trust_key(public_pem)
    return config
