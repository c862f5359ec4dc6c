"""The emulator's container image in tests, with testcontainers-python.

    from ocigenai.testcontainers import OciGenAiEmulatorContainer

    with OciGenAiEmulatorContainer() as emulator:          # ready once /_emulator/health answers
        genai = emulator.generative_ai_client()              # a real oci SDK client, signed requests
        genai.list_models(compartment_id=emulator.compartment_id)

The image defaults to ``oci-genai-emulator:latest`` (``docker build -t oci-genai-emulator .`` in
the emulator's repository), or ``$OCI_GENAI_EMULATOR_IMAGE``. Needs ``testcontainers>=4`` and ``oci``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from typing import Any, Optional

from testcontainers.core.container import DockerContainer
from testcontainers.core.exceptions import ContainerStartException

from .emulator import DEFAULT_REGION, EMULATOR_TENANCY, EmulatorAdmin, EmulatorError, _trusted_config

DEFAULT_IMAGE = "oci-genai-emulator:latest"
PORT = 8080
HEALTH_PATH = "/_emulator/health"  # what start() waits for (EmulatorAdmin.health)
DEFAULT_TENANCY = EMULATOR_TENANCY  # as GenAI.for_emulator: unsigned requests (curl) see the same resources


class OciGenAiEmulatorContainer(DockerContainer):
    """The OCI Generative AI emulator in a container; :meth:`start` returns once it is healthy.

    ``auth`` (``off``, ``loose``, ``strict``), ``data_dir`` (a path inside the container, e.g. a
    mounted ``/data``) and ``region`` set the matching ``OCI_EMULATOR_*`` variables; anything else
    goes to :class:`DockerContainer` (``env=``, ``volumes=``, ``network=``, ...).
    """

    def __init__(
        self,
        image: Optional[str] = None,
        *,
        auth: Optional[str] = None,
        data_dir: Optional[str] = None,
        region: Optional[str] = None,
        tenancy: str = DEFAULT_TENANCY,
        startup_timeout: float = 60.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(image or os.environ.get("OCI_GENAI_EMULATOR_IMAGE") or DEFAULT_IMAGE, **kwargs)
        self.with_exposed_ports(PORT)
        for name, value in (("AUTH", auth), ("DATA_DIR", data_dir), ("REGION", region)):
            if value is not None:
                self.with_env(f"OCI_EMULATOR_{name}", value)
        self.tenancy = tenancy
        self.region = region or DEFAULT_REGION
        self.startup_timeout = startup_timeout
        self._url: Optional[str] = None
        self._admin: Optional[EmulatorAdmin] = None
        self._config: Optional[dict] = None
        self._key_dir: Optional[str] = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> "OciGenAiEmulatorContainer":
        self._forget_emulator()  # a new emulator (in memory) does not know the last one's key
        super().start()
        self._wait_until_healthy()
        return self

    def stop(self, force: bool = True, delete_volume: bool = True) -> None:
        try:
            super().stop(force=force, delete_volume=delete_volume)
        finally:
            if self._key_dir:
                shutil.rmtree(self._key_dir, ignore_errors=True)
                self._key_dir = None
            self._forget_emulator()

    def _forget_emulator(self) -> None:
        if self._admin is not None:
            self._admin.close()
        self._url = self._admin = self._config = None

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        last_error: object = None
        probe: Optional[EmulatorAdmin] = None  # its own short timeout while the server starts
        try:
            while time.monotonic() < deadline:
                container = self.get_wrapped_container()
                container.reload()
                if container.status in ("exited", "dead"):
                    raise ContainerStartException(
                        f"{self.image} exited with {container.attrs['State'].get('ExitCode')} before it was healthy:\n"
                        + container.logs().decode(errors="replace")
                    )
                if container.status == "running":
                    probe = probe or EmulatorAdmin(self.get_url(), timeout=2)
                    try:
                        probe.health()
                        return
                    except EmulatorError as exc:
                        last_error = exc
                time.sleep(0.05)
        finally:
            if probe is not None:
                probe.close()
        logs = self.get_wrapped_container().logs().decode(errors="replace")
        raise TimeoutError(
            f"{self.image} not healthy within {self.startup_timeout}s (last error: {last_error}):\n{logs}"
        )

    # -- where it is -------------------------------------------------------------------------

    def get_url(self) -> str:
        """``http://<host>:<mapped port>``: the service endpoint for the oci SDK and CLI."""
        if self._url is None:
            self._url = f"http://{self.get_container_host_ip()}:{self.get_exposed_port(PORT)}"
        return self._url

    @property
    def compartment_id(self) -> str:
        """A compartment to use: the tenancy of :meth:`oci_config` (any OCID-shaped id works)."""
        return self.tenancy

    def _admin_api(self) -> EmulatorAdmin:
        if self._admin is None:
            self._admin = EmulatorAdmin(self.get_url(), timeout=10)
        return self._admin

    def admin(self, path: str, body: Optional[dict] = None, method: Optional[str] = None) -> dict:
        """Call the emulator's control plane, ``/_emulator/<path>`` (JSON in and out); an error
        answer raises :class:`ocigenai.EmulatorError`."""
        answer = self._admin_api().request(method or ("POST" if body is not None else "GET"), path, body)
        return {} if answer is None else answer

    def reset(self) -> None:
        """Forget every resource: a clean emulator for the next test, without a new container."""
        self._admin_api().reset()

    # -- oci SDK -----------------------------------------------------------------------------

    def oci_config(self) -> dict:
        """An oci SDK config dict with a fresh RSA key (in a temporary folder removed on stop).

        The key is also registered with the emulator, so its requests pass ``--auth strict`` too.
        """
        if self._config is None:
            if self._key_dir is None:
                self._key_dir = tempfile.mkdtemp(prefix="oci-genai-emulator-")
            self._config = _trusted_config(
                self._admin_api(), True, tenancy=self.tenancy, region=self.region, key_dir=self._key_dir
            )
        return dict(self._config)

    def generative_ai_client(self, **kwargs: Any):
        """``oci.generative_ai.GenerativeAiClient`` (management: models, clusters, endpoints)."""
        import oci

        return oci.generative_ai.GenerativeAiClient(self.oci_config(), service_endpoint=self.get_url(), **kwargs)

    def generative_ai_inference_client(self, **kwargs: Any):
        """``oci.generative_ai_inference.GenerativeAiInferenceClient`` (chat, embed, ...)."""
        import oci

        return oci.generative_ai_inference.GenerativeAiInferenceClient(
            self.oci_config(), service_endpoint=self.get_url(), **kwargs
        )
