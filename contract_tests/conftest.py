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
``openai_api`` (session)
    OCI's OpenAI-compatible API: a project, an API key and ``openai`` clients for the inference and
    management hosts (:mod:`contract_tests.openai_target`).

Tests marked ``costly(...)`` (with the clusters they may create, for the estimate) create
billable resources: against a tenancy they run only with ``--allow-costly``, and each gets its own
share of ``--max-resources`` (what the shared clusters leave, divided equally among the costly tests
selected); a test whose share is nothing is skipped and says so. Tests marked ``emulator_only(reason)``
(Schemathesis, the emulator's own lifecycle policies) are skipped against a tenancy with their reason,
so an oci run reports no pass that only the emulator earned. A test marked ``needs(option, what)``
needs that option on a tenancy (a second tenancy, a subnet, training data) and is skipped without it.
"""

from __future__ import annotations

import signal

import pytest

from . import profiles  # noqa: F401  (registers the hypothesis profiles before --hypothesis-profile is read)
from .context import Run, divide
from .cost import estimate
from .options import RunOptions, add_to
from .shared import FINE_TUNING, HOSTING
from .target import connect

SHARED_CLUSTERS = (HOSTING, FINE_TUNING)  # made once by session fixtures, for every test that names them

COSTLY_SKIP = "creates billable OCI resources: pass --allow-costly to run it"
RUN_KEY = pytest.StashKey[RunOptions]()
SHARES_KEY = pytest.StashKey[dict]()
CONTEXT_KEY = pytest.StashKey[Run]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract", "OCI Generative AI contract tests (contract_tests/)")
    add_to(group.addoption)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "costly(*clusters): creates billable resources on OCI; runs there only with --allow-costly"
    )
    config.addinivalue_line("markers", "emulator_only(reason): checks the emulator itself; skipped on --target oci")
    config.addinivalue_line("markers", "needs(option, what): on --target oci, skipped unless the option is given")
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
    if o.target != "oci":
        return
    for item in items:
        if marker := item.get_closest_marker("emulator_only"):
            item.add_marker(pytest.mark.skip(reason=f"emulator-only: {marker.args[0]}"))
        elif item.get_closest_marker("costly") and not o.allow_costly:
            item.add_marker(pytest.mark.skip(reason=COSTLY_SKIP))
        elif (marker := item.get_closest_marker("needs")) and not getattr(o, marker.args[0]):
            option = "--" + marker.args[0].replace("_", "-")
            item.add_marker(pytest.mark.skip(reason=f"needs {marker.args[1]}: pass {option}"))


def _skipped(item: pytest.Item, but: str | None = None) -> bool:
    """Whether a skip marker skips ``item`` (one whose reason is ``but`` does not count)."""
    return any(m.name == "skip" and m.kwargs.get("reason") != but for m in item.iter_markers())


def _plan_shares(session: pytest.Session) -> dict[str, int | None]:
    """Each costly test's share of the resource cap; a test left with none is skipped, saying why."""
    o = _options(session.config)
    costly = [i for i in session.items if i.get_closest_marker("costly") and not _skipped(i)]
    fixtures = {c for i in costly for c in i.get_closest_marker("costly").args if c in SHARED_CLUSTERS}
    shares = divide(o.max_resources, [i.nodeid for i in costly], len(fixtures)) if costly else {}
    for item in costly:
        if shares[item.nodeid] == 0:
            item.add_marker(pytest.mark.skip(
                reason=f"no share of the resource cap: --max-resources {o.max_resources} leaves nothing for it after "
                       f"{len(fixtures)} shared cluster(s) among {len(costly)} tests that create resources"
            ))
    return shares


def pytest_collection_finish(session: pytest.Session) -> None:
    """Divide the resource cap among the costly tests; against a tenancy, print what they may
    cost, before any of them runs."""
    o = _options(session.config)
    session.config.stash[SHARES_KEY] = _plan_shares(session)
    if o.target != "oci":
        return
    plans = {  # what will run, or would with --allow-costly
        i.nodeid: list(m.args) for i in session.items if (m := i.get_closest_marker("costly")) and not _skipped(i, COSTLY_SKIP)
    }
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
    run = Run(options, target, log=_terminal_log(request.config), shares=request.config.stash.get(SHARES_KEY, {}))
    request.config.stash[CONTEXT_KEY] = run
    # Runs at session teardown, which pytest also does after Ctrl-C (pytest_sessionfinish).
    request.addfinalizer(run.close)
    return run


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """How often each machine's key rules ran; against a tenancy, enum values newer than the SDK."""
    run = config.stash.get(CONTEXT_KEY, None)
    if run is None:
        return
    if run.tally.declared:
        terminalreporter.write_sep("-", "contract key rules (runs per machine)")
        for line in run.tally.report():
            terminalreporter.write_line(line)
    if run.checker.unknown_enums:
        terminalreporter.write_sep("-", "enum values the SDK does not know (it reads them as UNKNOWN_ENUM_VALUE)")
        for operation, path, value in sorted(run.checker.unknown_enums):
            terminalreporter.write_line(f"{operation} {path}: {value!r} (regenerate specs/ with a newer oci SDK)")


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


@pytest.fixture(scope="session")
def openai_api(contract: Run):
    from .openai_target import connect

    yield from connect(contract)
