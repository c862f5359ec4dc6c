"""pytest plugin: an OCI Generative AI emulator, credentials and clients for your tests.

Installed with the ``oci-genai-emulator`` distribution and registered through the ``pytest11``
entry point, so the fixtures are available in every test with no import:

``oci_genai_emulator`` (session)
    the emulator's admin API (:class:`ocigenai.EmulatorAdmin`: ``url``, ``reset()``,
    ``advance_clock()``, ``set_transition()``, ``requests()``, ``add_fault()``, ...). An in-process
    emulator on a free port, started once per session; or an emulator you run yourself, named by
    ``--oci-genai-emulator-url URL`` or ``$OCI_GENAI_EMULATOR_URL``.
``oci_genai_emulator_url`` (session)
    its base URL, to give any SDK client as ``service_endpoint``.
``oci_genai_config`` (session)
    an OCI SDK config dict with a generated key pair (``key_file`` in a temporary folder).
``oci_genai_signer`` (session)
    an :class:`oci.signer.Signer` for that key.
``generative_ai_client`` / ``generative_ai_inference_client`` (session)
    the SDK's management and inference clients pointed at the emulator.
``genai`` (session)
    the thin client, :class:`ocigenai.GenAI`.

Every test that uses any of them starts from an empty emulator: its state (resources, work
requests, clock, policies, journal, faults, rate limits) is reset before the test. Mark a test
``@pytest.mark.oci_genai_keep_state`` to skip that reset. Nothing heavy is imported until a
fixture is used.

Chaos for one test, set after the reset (markers may repeat):

``@pytest.mark.oci_genai_fault(operation="create_endpoint", status=503, times=None, probability=0.2, seed=7)``
    a fault, with the arguments of :meth:`ocigenai.EmulatorAdmin.add_fault` (``latency_ms``,
    ``fail_work_request``, ``phase``, ...);
``@pytest.mark.oci_genai_rate_limit(rate=5, burst=5, operation=None)``
    a rate limit (429 TooManyRequests beyond it), per tenancy.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Iterator

import pytest

if TYPE_CHECKING:
    from .client import GenAI
    from .emulator import EmulatorAdmin

URL_OPTION = "--oci-genai-emulator-url"
URL_ENV = "OCI_GENAI_EMULATOR_URL"
KEEP_STATE = "oci_genai_keep_state"
FAULT = "oci_genai_fault"
RATE_LIMIT = "oci_genai_rate_limit"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("oci-genai-emulator", "OCI Generative AI emulator")
    group.addoption(
        URL_OPTION,
        dest="oci_genai_emulator_url",
        default=None,
        metavar="URL",
        help=f"use the emulator at URL instead of starting one in-process (also ${URL_ENV})",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{KEEP_STATE}: do not reset the OCI Generative AI emulator before this test")
    config.addinivalue_line("markers", f"{FAULT}(operation, status=None, **options): inject a fault for this test")
    config.addinivalue_line("markers", f"{RATE_LIMIT}(rate, burst=None, operation=None, tenancy=None): a rate limit for this test")


class _Timings:
    """How long the fixtures took, for ``bench/fixtures.py`` and the curious (``--durations``)."""

    start_seconds: float | None = None
    resets: list[float] = []


TIMINGS = _Timings()


@pytest.fixture(scope="session")
def oci_genai_emulator(request: pytest.FixtureRequest) -> Iterator["EmulatorAdmin"]:
    """The emulator for this session (in-process on a free port, or the one named by
    ``--oci-genai-emulator-url`` / ``$OCI_GENAI_EMULATOR_URL``), as its admin API."""
    from .emulator import EmulatorAdmin, EmulatorError

    url = request.config.getoption("oci_genai_emulator_url") or os.environ.get(URL_ENV)
    started = time.perf_counter()
    if url:
        admin = EmulatorAdmin(url)
        try:
            admin.health()
        except EmulatorError as exc:
            pytest.fail(f"the OCI Generative AI emulator at {url} does not answer: {exc}", pytrace=False)
        TIMINGS.start_seconds = time.perf_counter() - started
        yield admin
        admin.close()
        return
    from emulator.server import BackgroundServer
    from emulator.settings import Settings

    server = BackgroundServer(Settings(port=0)).start()
    admin = EmulatorAdmin(server.url)
    admin.server = server
    TIMINGS.start_seconds = time.perf_counter() - started
    try:
        yield admin
    finally:
        admin.close()
        server.stop()


@pytest.fixture(autouse=True)
def _oci_genai_emulator_reset(request: pytest.FixtureRequest) -> None:
    """Reset the emulator before each test that uses it (directly or through another fixture)."""
    if "oci_genai_emulator" not in request.fixturenames or request.node.get_closest_marker(KEEP_STATE):
        return
    admin = request.getfixturevalue("oci_genai_emulator")
    started = time.perf_counter()
    admin.reset()
    TIMINGS.resets.append(time.perf_counter() - started)
    for marker in request.node.iter_markers(FAULT):
        admin.add_fault(*marker.args, **marker.kwargs)
    rules = [
        {k: v for k, v in dict(zip(("rate", "burst", "operation", "tenancy"), m.args), **m.kwargs).items() if v is not None}
        for m in request.node.iter_markers(RATE_LIMIT)
    ]
    if rules:
        admin.set_rate_limits(*rules)


@pytest.fixture(scope="session")
def oci_genai_emulator_url(oci_genai_emulator: "EmulatorAdmin") -> str:
    """The emulator's base URL (``http://127.0.0.1:PORT``), for ``service_endpoint=``."""
    return oci_genai_emulator.url


@pytest.fixture(scope="session")
def oci_genai_config(oci_genai_emulator: "EmulatorAdmin", tmp_path_factory: pytest.TempPathFactory) -> dict:
    """An OCI SDK config with a fresh key pair (``key_file`` in a temporary folder); the
    emulator is told to trust the key when it checks signatures (``--auth strict``)."""
    from .emulator import _trusted_config

    return _trusted_config(oci_genai_emulator, key_dir=tmp_path_factory.mktemp("oci-genai-key"))


@pytest.fixture(scope="session")
def oci_genai_signer(oci_genai_config: dict):
    """An :class:`oci.signer.Signer` for ``oci_genai_config``'s key."""
    import oci

    c = oci_genai_config
    return oci.signer.Signer(c["tenancy"], c["user"], c["fingerprint"], c["key_file"])


@pytest.fixture(scope="session")
def generative_ai_client(oci_genai_config: dict, oci_genai_emulator_url: str):
    """``oci.generative_ai.GenerativeAiClient`` pointed at the emulator."""
    import oci

    return oci.generative_ai.GenerativeAiClient(oci_genai_config, service_endpoint=oci_genai_emulator_url)


@pytest.fixture(scope="session")
def generative_ai_inference_client(oci_genai_config: dict, oci_genai_emulator_url: str):
    """``oci.generative_ai_inference.GenerativeAiInferenceClient`` pointed at the emulator."""
    import oci

    return oci.generative_ai_inference.GenerativeAiInferenceClient(
        oci_genai_config, service_endpoint=oci_genai_emulator_url
    )


@pytest.fixture(scope="session")
def genai(oci_genai_config: dict, oci_genai_emulator: "EmulatorAdmin") -> "GenAI":
    """The thin client (:class:`ocigenai.GenAI`) for the emulator, with the same credentials as
    the SDK clients (so they see the same resources); ``genai.emulator`` is the admin API."""
    from .client import GenAI

    return GenAI(oci_genai_config, endpoint=oci_genai_emulator.url, emulator=oci_genai_emulator)
