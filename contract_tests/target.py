"""Where the suite runs: the emulator (its own in-process one, or ``--emulator-url``) or a tenancy.

Both targets give the same things: an OCI SDK config, a service endpoint (``None`` on a real
tenancy: the SDK derives it from the region), compartments, signed SDK clients, and the config of
a second tenancy for the isolation machine (the emulator's own; on OCI ``--other-tenancy-profile``,
else none).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import oci
from ocigenai import EmulatorAdmin
from ocigenai.emulator import emulator_config

from .options import RunOptions

# Compartments in the emulator (any OCID works there: it scopes resources by tenancy).
EMULATOR_COMPARTMENTS = ("ocid1.compartment.oc1..aaaaaaaacontractone", "ocid1.compartment.oc1..aaaaaaaacontracttwo")
# The second tenancy of the emulator target (the emulator names a tenancy by the keyId's OCID).
OTHER_EMULATOR_TENANCY = "ocid1.tenancy.oc1..aaaaaaaacontractothertenancy"
# SDK retries: throttling and 5xx only (never 4xx: the machines assert those). With a retry
# strategy the SDK adds an opc-retry-token to creates, so a retry never duplicates a resource.
RETRY = (
    oci.retry.RetryStrategyBuilder()
    .add_max_attempts(max_attempts=5)
    .add_total_elapsed_time(total_elapsed_time_seconds=300)
    .add_service_error_check(service_error_retry_config={429: []}, service_error_retry_on_any_5xx=True)
    .get_retry_strategy()
)


@dataclasses.dataclass
class Target:
    kind: str  # emulator | oci
    config: dict
    endpoint: str | None
    compartment: str
    second_compartment: str | None
    admin: EmulatorAdmin | None = None  # the emulator's admin API (emulator target only)
    server: Any = None  # the in-process emulator we started, if any
    other_config: dict | None = None  # a second tenancy's SDK config, if there is one

    @property
    def compartments(self) -> list[str]:
        return [c for c in (self.compartment, self.second_compartment) if c]

    @property
    def base_url(self) -> str:
        """The management API's root (API paths are under ``/20231130``)."""
        return self.endpoint or oci.generative_ai.GenerativeAiClient(self.config).base_client.endpoint.rsplit("/", 1)[0]

    @property
    def inference_base_url(self) -> str:
        if self.endpoint:
            return self.endpoint
        client = oci.generative_ai_inference.GenerativeAiInferenceClient(self.config)
        return client.base_client.endpoint.rsplit("/", 1)[0]

    def _kwargs(self) -> dict:
        return {"service_endpoint": self.endpoint} if self.endpoint else {}

    def management_client(self, config: dict | None = None) -> oci.generative_ai.GenerativeAiClient:
        """A management client of the target's tenancy, or of the one ``config`` names."""
        return oci.generative_ai.GenerativeAiClient(config or self.config, retry_strategy=RETRY, **self._kwargs())

    def inference_client(self) -> oci.generative_ai_inference.GenerativeAiInferenceClient:
        client = oci.generative_ai_inference.GenerativeAiInferenceClient
        return client(self.config, retry_strategy=RETRY, **self._kwargs())

    def signer(self) -> oci.signer.Signer:
        c = self.config
        return oci.signer.Signer(
            c["tenancy"], c["user"], c["fingerprint"], c.get("key_file"), c.get("pass_phrase"), c.get("key_content")
        )

    def provenance(self) -> dict:
        """Where a parity recording comes from (no tenancy or endpoint: the files are committed)."""
        made_by = {"emulator": self.admin.health()["version"]} if self.admin is not None else {}
        return {"target": self.kind, "region": self.config.get("region"), "sdk": oci.__version__, **made_by}

    def describe(self) -> str:
        if self.kind == "emulator":
            where = "in-process" if self.server is not None else "given by --emulator-url"
            return f"emulator at {self.endpoint} ({where})"
        where = self.endpoint or f"region {self.config.get('region')}"
        return f"OCI tenancy {self.config.get('tenancy')} at {where}"

    def close(self) -> None:
        if self.admin is not None:
            self.admin.close()
        if self.server is not None:
            self.server.stop()
            self.server = None


def connect(options: RunOptions, key_dir: Path, start: bool = True) -> Target:
    """The target named by ``options``; ``start`` lets the emulator target start its own emulator
    when no ``--emulator-url`` is given (``cleanup`` never starts one: there is nothing to clean)."""
    if options.target == "oci":

        def profile(name: str) -> dict:
            config = oci.config.from_file(os.path.expanduser(options.oci_config_file), name)
            if options.region:
                config["region"] = options.region
            oci.config.validate_config(config)
            return config

        other = profile(options.other_tenancy_profile) if options.other_tenancy_profile else None
        return Target("oci", profile(options.oci_profile), options.oci_endpoint, options.compartment_id,
                      options.second_compartment_id, other_config=other)

    server = None
    url = options.emulator_url
    if not url:
        if not start:
            raise ValueError("the emulator target needs --emulator-url here")
        from emulator.server import BackgroundServer
        from emulator.settings import Settings

        server = BackgroundServer(Settings(port=0)).start()
        url = server.url
    admin = EmulatorAdmin(url)
    strict = admin.health().get("auth") == "strict"
    config, public_key = emulator_config(key_dir=key_dir)
    other, other_public_key = emulator_config(OTHER_EMULATOR_TENANCY, key_dir=key_dir / "other")
    if strict:
        admin.trust_key(public_key)
        admin.trust_key(other_public_key)
    return Target(
        "emulator",
        config,
        admin.url,
        options.compartment_id or EMULATOR_COMPARTMENTS[0],
        options.second_compartment_id or EMULATOR_COMPARTMENTS[1],
        admin=admin,
        server=server,
        other_config=other,
    )
