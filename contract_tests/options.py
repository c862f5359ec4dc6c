"""The suite's options: one table, read by pytest (``conftest.py``) and by ``python -m contract_tests cleanup``.

Every option is also an environment variable ``OCI_CONTRACT_<NAME>`` (``--max-resources`` ->
``OCI_CONTRACT_MAX_RESOURCES``); the command line wins. The hypothesis profile is chosen with
hypothesis's own ``--hypothesis-profile`` flag or ``OCI_CONTRACT_HYPOTHESIS_PROFILE``.
"""

from __future__ import annotations

import dataclasses
import os
import uuid
from datetime import datetime, timezone
from typing import Any, Callable

TARGETS = ("emulator", "oci")
PROFILES = ("ci", "quick", "nightly")
DEFAULT_PROFILE = "ci"
PROFILE_ENV = "OCI_CONTRACT_HYPOTHESIS_PROFILE"
# Resource caps when --max-resources is not given: none against the emulator (it is free), a
# handful against a tenancy (see cost.py for what each one may cost).
DEFAULT_MAX_RESOURCES = {"emulator": None, "oci": 10}
# How long one wait (a work request, a resource settling) may last before the test fails. The kit
# never waits on the emulator (it lands transitions itself, see transitions.py): there the timeout
# bounds only the cleanup sweep, whose deletes land at once.
DEFAULT_WAIT_SECONDS = {"emulator": 10.0, "oci": 90 * 60.0}  # fine-tuning can take over an hour


@dataclasses.dataclass(frozen=True)
class Option:
    flag: str
    help: str
    default: Any = None
    kind: type = str  # str, int, float or bool
    choices: tuple[str, ...] | None = None

    @property
    def dest(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")

    @property
    def env(self) -> str:
        return "OCI_CONTRACT_" + self.dest.upper()


OPTIONS = (
    Option("--target", "emulator (default: its own emulator, or --emulator-url) or oci (a tenancy)", "emulator",
           choices=TARGETS),
    Option("--emulator-url", "use the emulator at this URL instead of starting one in-process"),
    Option("--oci-config-file", "OCI config file (target oci)", "~/.oci/config"),
    Option("--oci-profile", "profile in the OCI config file (target oci)", "DEFAULT"),
    Option("--oci-endpoint", "service endpoint for both APIs instead of the region's (target oci; e.g. a strict "
           "emulator)"),
    Option("--region", "region, overriding the config profile's (target oci)"),
    Option("--compartment-id", "compartment the suite works in (required for target oci)"),
    Option("--second-compartment-id", "a second compartment for the change-compartment rules (skipped without one "
           "on oci)"),
    Option("--other-tenancy-profile", "profile, in the same OCI config file, of a second tenancy for the isolation "
           "machine (target oci; skipped without one; the emulator target makes its own)"),
    Option("--allow-costly", "run the checks that create billable resources (dedicated AI clusters, endpoints, "
           "fine-tuning, imports) on target oci", False, bool),
    Option("--max-resources", "create at most this many resources in the run (default: none on the emulator, 10 on "
           "oci)", None, int),
    Option("--record", "write normalized responses to contract_tests/snapshots/ instead of comparing with them (the "
           "emulator never overwrites what was recorded from OCI)", False, bool),
    Option("--run-id", "the run's id, in the contract-run freeform tag of every resource it creates (default: "
           "generated)"),
    Option("--wait-timeout", "longest wait for one work request or state, seconds (default 10 emulator, 5400 oci)",
           None, float),
    Option("--subnet-id", "subnet for the private endpoints the private-endpoint machine creates (target oci; skipped "
           "without one)"),
    Option("--training-dataset", "fine-tuning data as oci://<bucket>@<namespace>/<object> (needed for fine-tuning "
           "on oci)"),
    Option("--assumed-unit-price", "price of one dedicated unit-hour used for the cost estimate, USD (an "
           "assumption)", 10.0, float),
)


def parse(option: Option, raw: str | None) -> Any:
    if raw is None:
        return None
    if option.kind is bool:
        return raw if isinstance(raw, bool) else raw.strip().lower() in ("1", "true", "yes", "on")
    return option.kind(raw)


@dataclasses.dataclass
class RunOptions:
    """The resolved options of one run (command line, else environment, else default)."""

    target: str = "emulator"
    emulator_url: str | None = None
    oci_config_file: str = "~/.oci/config"
    oci_profile: str = "DEFAULT"
    oci_endpoint: str | None = None
    region: str | None = None
    compartment_id: str | None = None
    second_compartment_id: str | None = None
    other_tenancy_profile: str | None = None
    allow_costly: bool = False
    max_resources: int | None = None
    record: bool = False
    run_id: str = ""
    wait_timeout: float = 10.0
    subnet_id: str | None = None
    training_dataset: str | None = None
    assumed_unit_price: float = 10.0
    hypothesis_profile: str = DEFAULT_PROFILE

    @classmethod
    def resolve(cls, given: Callable[[str], Any], profile: str | None = None) -> "RunOptions":
        """``given(dest)`` is the command line's value (``None`` or ``False`` when not given)."""
        values: dict[str, Any] = {}
        for option in OPTIONS:
            value = given(option.dest)
            if value is None or value is False:
                value = parse(option, os.environ.get(option.env))
            values[option.dest] = option.default if value is None else value
        if values["target"] not in TARGETS:
            raise ValueError(f"--target must be one of {', '.join(TARGETS)}, not {values['target']!r}")
        target = values["target"]
        if values["max_resources"] is None:
            values["max_resources"] = DEFAULT_MAX_RESOURCES[target]
        if values["wait_timeout"] is None:
            values["wait_timeout"] = DEFAULT_WAIT_SECONDS[target]
        values["run_id"] = values["run_id"] or new_run_id()
        values["hypothesis_profile"] = profile or os.environ.get(PROFILE_ENV) or DEFAULT_PROFILE
        if values["hypothesis_profile"] not in PROFILES:
            raise ValueError(f"the hypothesis profile must be one of {', '.join(PROFILES)}")
        return cls(**values)

    def problems(self) -> list[str]:
        """What stops this run from starting (empty when it can)."""
        if self.target == "oci" and not self.compartment_id:
            return ["--target oci needs --compartment-id (or OCI_CONTRACT_COMPARTMENT_ID): the suite never guesses one"]
        return []


def new_run_id() -> str:
    """Sortable and unique: ``20260101t120000-1a2b3c``."""
    return datetime.now(timezone.utc).strftime("%Y%m%dt%H%M%S") + "-" + uuid.uuid4().hex[:6]


def add_to(add: Callable[..., Any]) -> None:
    """Declare every option with ``add(flag, **kwargs)`` (argparse's or pytest's ``addoption``)."""
    for option in OPTIONS:
        kwargs: dict[str, Any] = {"dest": option.dest, "default": None, "help": f"{option.help} [${option.env}]"}
        if option.kind is bool:
            kwargs.update(action="store_true", default=False)
        else:
            kwargs["choices"] = option.choices
            if option.kind is not str:
                kwargs["type"] = option.kind
        add(option.flag, **kwargs)
