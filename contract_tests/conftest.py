"""The contract suite's options, run context and safety rails.

Fixtures for any test here (Schemathesis included):

``contract`` (session)
    the :class:`~contract_tests.context.Run`: checked SDK clients (``genai``, ``inference``),
    ``compartment``/``compartments``, ``tags()``, ``budget``, bounded waits, ``snapshots``.
``contract_target``, ``contract_base_url``, ``contract_inference_url``, ``contract_compartment_id``
    the target, its API roots (paths are under ``/20231130``) and the compartment.
``contract_signer``, ``contract_session``
    an ``oci.signer.Signer`` and a ``requests.Session`` signed with it (no response checks:
    attach them with ``contract_checker.attach(session)`` if wanted).
``contract_checker``
    the :class:`~contract_tests.checks.SpecChecker` (openapi-core over specs/).

Tests marked ``costly(...)`` (with the clusters they may create, for the estimate) create
billable resources: against a tenancy they run only with ``--allow-costly``.
"""

from __future__ import annotations

import signal

import pytest

from . import profiles  # noqa: F401  (registers the hypothesis profiles before --hypothesis-profile is read)
from .context import Run
from .cost import estimate
from .options import RunOptions, add_to
from .target import connect

RUN_KEY = pytest.StashKey[RunOptions]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract", "OCI Generative AI contract tests (contract_tests/)")
    add_to(group.addoption)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "costly(*clusters): creates billable resources on OCI; runs there only with --allow-costly"
    )
    try:
        options = RunOptions.resolve(config.getoption, config.getoption("--hypothesis-profile", None))
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[RUN_KEY] = options
    # SIGTERM (CI cancelling a job, `kill`) ends the run like Ctrl-C: pytest then tears the
    # session down, and the run's cleanup deletes what it created.
    if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
        signal.signal(signal.SIGTERM, signal.default_int_handler)


def _options(config: pytest.Config) -> RunOptions:
    return config.stash[RUN_KEY]


def _is_contract(item: pytest.Item) -> bool:
    return item.nodeid.startswith("contract_tests/") or "/contract_tests/" in str(item.path)


def pytest_report_header(config: pytest.Config) -> list[str]:
    o = _options(config)
    cap = "none" if o.max_resources is None else o.max_resources
    return [
        f"contract tests: target {o.target}, run id {o.run_id}, hypothesis profile {o.hypothesis_profile}, "
        f"max resources {cap}, costly checks {'allowed' if o.allow_costly or o.target == 'emulator' else 'skipped'}"
    ]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    o = _options(config)
    if problems := o.problems():
        if any(_is_contract(i) for i in items):
            raise pytest.UsageError("; ".join(problems))
    if o.target == "oci" and not o.allow_costly:
        skip = pytest.mark.skip(reason="creates billable OCI resources: pass --allow-costly to run it")
        for item in items:
            if item.get_closest_marker("costly"):
                item.add_marker(skip)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Against a tenancy, print what the selected costly tests may cost, before any of them runs."""
    o = _options(session.config)
    if o.target != "oci":
        return
    plans = {i.nodeid: list(m.args) for i in session.items if (m := i.get_closest_marker("costly"))}
    if not plans:
        return
    lines = estimate(plans, o.assumed_unit_price, o.max_resources)
    if not o.allow_costly:
        lines.insert(0, f"Skipping {len(plans)} test(s) that create billable resources (--allow-costly runs them):")
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    for line in lines:
        reporter.write_line(line) if reporter else print(line)


def _terminal_log(config: pytest.Config):
    """Write a line to the terminal, past output capturing (the cleanup report comes at teardown)."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None:
        return None

    def log(line: str) -> None:
        if capture is None:
            reporter.write_line(line)
            return
        with capture.global_and_fixture_disabled():
            reporter.write_line(line)

    return log


@pytest.fixture(scope="session")
def contract(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Run:
    options = _options(request.config)
    target = connect(options, tmp_path_factory.mktemp("contract-key"))
    run = Run(options, target, log=_terminal_log(request.config))
    # Runs at session teardown, which pytest also does after Ctrl-C (pytest_sessionfinish).
    request.addfinalizer(run.close)
    return run


@pytest.fixture(scope="session")
def contract_target(contract: Run):
    return contract.target


@pytest.fixture(scope="session")
def contract_base_url(contract: Run) -> str:
    return contract.target.base_url


@pytest.fixture(scope="session")
def contract_inference_url(contract: Run) -> str:
    return contract.target.inference_base_url


@pytest.fixture(scope="session")
def contract_compartment_id(contract: Run) -> str:
    return contract.compartment


@pytest.fixture(scope="session")
def contract_checker(contract: Run):
    return contract.checker


@pytest.fixture(scope="session")
def contract_signer(contract: Run):
    return contract.target.signer()


@pytest.fixture(scope="session")
def contract_session(contract_signer):
    import requests

    session = requests.Session()
    session.auth = contract_signer
    yield session
    session.close()


@pytest.fixture(scope="session")
def hosting_cluster(contract: Run):
    """An ACTIVE HOSTING cluster (SMALL_COHERE_V2 x1) for the session, deleted at its end."""
    from .shared import HOSTING, cluster

    yield from cluster(contract, HOSTING, "hosting_fixture")


@pytest.fixture(scope="session")
def fine_tuning_cluster(contract: Run):
    """An ACTIVE FINE_TUNING cluster (SMALL_COHERE_V2 x8) for the session, deleted at its end."""
    from .shared import FINE_TUNING, cluster

    yield from cluster(contract, FINE_TUNING, "fine_tuning_fixture")
