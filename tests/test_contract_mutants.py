"""The contract kit's mutation score: it must fail, quickly, against an emulator with a planted fault.

Each fault of ``contract_mutants.py`` is planted in the in-process emulator of a contract run (the
whole kit but Schemathesis, which fuzzes an emulator of its own; the ``quick`` profile: the CI
profile, derandomized, without shrinking; stopping at the first failure). The run must fail, in the test whose property the fault breaks, within
``BOUND`` seconds: a fault is caught by the property it breaks, not by a waiter's timeout. The
tests that catch each fault run first, so a caught fault costs seconds; a fault the kit missed runs
the whole kit and fails here. The kit passing against the emulator as it is (the same run without
a fault) is ``pytest contract_tests``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from contract_mutants import MUTANTS
from processes import ROOT

BOUND = 45.0  # seconds, a kit run against one planted fault on a loaded 2-core machine
KIT = "contract_tests"
# fault -> the test that must catch it (run first)
CAUGHT_BY = {
    "if_match_ignored": "test_clusters.py::test_dedicated_ai_clusters",
    "busy_updates_accepted": "test_clusters.py::test_dedicated_ai_clusters",
    "update_body_ignored": "test_clusters.py::test_dedicated_ai_clusters",
    "lists_frozen": "test_clusters.py::test_dedicated_ai_clusters",
    "never_active": "test_clusters.py::test_dedicated_ai_clusters",
    "cross_tenancy_leak": "test_tenancy.py::test_tenancies_are_isolated",
    "work_request_never_finishes": "test_clusters.py::test_dedicated_ai_clusters",
    "delays_never_elapse": "test_lifecycle.py::test_transitions_land_by_the_next_read_under_delay_zero",
}
caught: dict[str, bool] = {}


@pytest.fixture(scope="module", autouse=True)
def mutation_score(request):
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and caught:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\ncontract kit mutation score: {sum(caught.values())}/{len(caught)} planted faults caught")


def test_every_planted_fault_has_the_test_that_must_catch_it():
    assert set(CAUGHT_BY) == set(MUTANTS)


@pytest.mark.parametrize("fault", sorted(MUTANTS))
def test_the_kit_fails_against_a_planted_fault(fault, tmp_path):
    first = f"{KIT}/{CAUGHT_BY[fault]}"
    args = [sys.executable, "-m", "pytest", "-p", "contract_mutants", "-p", "no:cacheprovider", "-x", "-q",
            "--hypothesis-profile", "quick", "--wait-timeout", "2",  # cleanup gives up on a stuck resource in 2 s
            "--basetemp", str(tmp_path / "run"), "--ignore", f"{KIT}/test_schemathesis.py", KIT]
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCI_CONTRACT_")}
    env.update(CONTRACT_MUTANT=fault, CONTRACT_MUTANT_FIRST=first,
               PYTHONPATH=os.pathsep.join([str(ROOT / "tests"), str(ROOT)]))
    started = time.monotonic()
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=BOUND * 2)
    took = time.monotonic() - started
    output = done.stdout + done.stderr
    caught[fault] = done.returncode == 1
    assert done.returncode == 1, f"the kit did not fail against {fault} (exit {done.returncode}):\n{output[-4000:]}"
    assert f"FAILED {first}" in output, f"{fault} was not caught by {first}:\n{output[-4000:]}"
    assert took < BOUND, f"the kit took {took:.0f}s to catch {fault}"
