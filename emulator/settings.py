"""Every knob of the emulator in one place: CLI flags and ``OCI_EMULATOR_*`` environment variables."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

AUTH_MODES = ("off", "loose", "strict")
SERVERS = ("granian", "waitress")
DEFAULT_TENANCY = "ocid1.tenancy.oc1..aaaaaaaaemulatordefaulttenancy"


def user_home() -> Path:
    """Where ``oci-genai-emulator config`` keeps what it writes for this user."""
    return Path(os.environ.get("OCI_EMULATOR_HOME", Path.home() / ".oci-genai-emulator"))


@dataclasses.dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    data_dir: str | None = None
    auth: str = "loose"
    workers: int = 1
    threads: int = 2
    server: str = "granian"
    region: str = "us-chicago-1"
    trusted_keys: list[str] = dataclasses.field(default_factory=list)
    trust_user_keys: bool = True
    journal_size: int = 1000
    journal_body_limit: int = 32 * 1024  # bytes kept of each request and response body in the journal
    log_level: str = "WARNING"
    rules: str | None = None  # a YAML or JSON file of chat rules (generators/rules.py)
    seed: str | None = None  # a state snapshot (JSON, see state.py) loaded at start

    def __post_init__(self) -> None:
        if self.auth not in AUTH_MODES:
            raise ValueError(f"auth must be one of {', '.join(AUTH_MODES)}, not {self.auth!r}")
        if self.server not in SERVERS:
            raise ValueError(f"server must be one of {', '.join(SERVERS)}, not {self.server!r}")

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        """Defaults, then ``OCI_EMULATOR_<FIELD>`` variables, then explicit overrides."""
        values: dict = {}
        for field in dataclasses.fields(cls):
            raw = os.environ.get(f"OCI_EMULATOR_{field.name.upper()}")
            if raw is None:
                continue
            if field.type in ("int",):
                values[field.name] = int(raw)
            elif field.type in ("bool",):
                values[field.name] = raw.lower() in ("1", "true", "yes", "on")
            elif field.name == "trusted_keys":
                values[field.name] = [p for p in raw.split(os.pathsep) if p]
            else:
                values[field.name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)
