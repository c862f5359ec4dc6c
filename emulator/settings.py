"""Every knob of the emulator in one place: CLI flags and ``OCI_EMULATOR_*`` environment variables.

:meth:`Settings.from_env` reads both and checks every value; a bad one is a :class:`SettingsError`
whose message names the flag or the variable it came from (``serve`` prints it on one line and
exits with status 2).
"""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path
from typing import Any, Callable

AUTH_MODES = ("off", "loose", "strict")
SERVERS = ("granian", "waitress")
EMBEDDINGS = ("hashing", "semantic")
DEFAULT_TENANCY = "ocid1.tenancy.oc1..aaaaaaaaemulatordefaulttenancy"
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
REGION_RE = re.compile(r"[a-z]{2,}(-[a-z0-9]+)+-[0-9]+")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(ValueError):
    """A setting's value is not usable; the message names where it came from."""


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
    faults: str | None = None  # a YAML or JSON file of faults injected from the start (faults.py)
    rate_limits: list[str] = dataclasses.field(default_factory=list)  # [OPERATION=]RATE[/BURST] (throttling.py)
    embeddings: str = "hashing"  # how embedding and rerank models compute: hashing | semantic (inference/semantic.py)
    sources: dict[str, str] = dataclasses.field(default_factory=dict, repr=False, compare=False)
    """Where each value that is not a default came from: a flag (``--port``) or a variable."""

    def __post_init__(self) -> None:
        for name, check in CHECKS.items():
            problem = check(getattr(self, name))
            if problem:
                raise SettingsError(f"{self.origin(name)} {getattr(self, name)!r}: {problem}")

    def origin(self, name: str) -> str:
        """The flag or environment variable that set ``name`` (the flag when it is a default)."""
        return self.sources.get(name) or flag(name)

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        """Defaults, then ``OCI_EMULATOR_<FIELD>`` variables, then explicit overrides (command-line
        flags); SettingsError naming the flag or variable of a value that is not usable."""
        values: dict[str, Any] = {}
        sources: dict[str, str] = {}
        for field in dataclasses.fields(cls):
            variable = f"OCI_EMULATOR_{field.name.upper()}"
            raw = os.environ.get(variable)
            if raw is None or field.name == "sources":
                continue
            try:
                values[field.name] = (PARSERS_BY_NAME.get(field.name) or PARSERS.get(field.type, str))(raw)
            except ValueError as exc:
                raise SettingsError(f"{variable}={raw!r}: {exc}") from None
            sources[field.name] = variable
        for name, value in overrides.items():
            if value is not None:
                values[name] = value
                sources[name] = flag(name)
        return cls(**values, sources=sources)


def flag(name: str) -> str:
    return "--" + {"trusted_keys": "trust-key", "rate_limits": "rate-limit"}.get(name, name).replace("_", "-")


def _integer(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ValueError("not an integer") from None


def _boolean(raw: str) -> bool:
    if raw.lower() not in TRUE + FALSE:
        raise ValueError(f"not a boolean ({'/'.join(TRUE)} or {'/'.join(FALSE)})")
    return raw.lower() in TRUE


def _paths(raw: str) -> list[str]:
    return [p for p in raw.split(os.pathsep) if p]


def _words(raw: str) -> list[str]:
    return raw.replace(",", " ").split()


PARSERS: dict[str, Callable[[str], Any]] = {"int": _integer, "bool": _boolean, "list[str]": _paths}
PARSERS_BY_NAME: dict[str, Callable[[str], Any]] = {"rate_limits": _words, "log_level": str.upper}


def _between(low: int, high: int) -> Callable[[Any], str | None]:
    return lambda value: None if isinstance(value, int) and low <= value <= high else f"must be from {low} to {high}"


def _one_of(choices: tuple[str, ...]) -> Callable[[Any], str | None]:
    return lambda value: None if value in choices else f"must be one of {', '.join(choices)}"


CHECKS: dict[str, Callable[[Any], str | None]] = {
    "host": lambda value: None if isinstance(value, str) and value.strip() else "must be a host name or address",
    "port": _between(0, 65535),
    "auth": _one_of(AUTH_MODES),
    "workers": _between(1, 64),
    "threads": _between(1, 256),
    "server": _one_of(SERVERS),
    "embeddings": _one_of(EMBEDDINGS),
    "region": lambda value: None if REGION_RE.fullmatch(str(value)) else "must be a region identifier such as us-chicago-1",
    "journal_size": _between(0, 1_000_000),
    "log_level": _one_of(LOG_LEVELS),
}
