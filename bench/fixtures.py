"""How much the pytest plugin costs a test suite: fixture start and per-test reset.

    python bench/fixtures.py [--tests 200] [--resources 3] [--rounds 3]

1. A real pytest session in a child process (the plugin loaded through its entry point) runs
   ``--tests`` tests that use the ``genai`` fixture; each creates ``--resources`` clusters, so
   every reset has something to delete. Reported: the session fixture's start (in-process
   emulator on a free port), the reset before each test (``POST /_emulator/reset``) and each
   test's whole fixture setup. The same number of tests without the fixtures is the baseline.
2. Reset against the HTTP floor: ``EmulatorAdmin.reset()`` after creating resources, against
   ``GET /_emulator/health`` on the same kept-alive connection, alternating.

Target: a per-test reset under 5 ms (median). Exit 1 when missed, 0 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESET_TARGET_MS = 5.0

CONFTEST = '''
import json, os
import pytest

SETUPS = {}

def pytest_runtest_logreport(report):
    if report.when == "setup":
        SETUPS[report.nodeid] = report.duration

def pytest_sessionfinish(session):
    from ocigenai.pytest_plugin import TIMINGS
    with open(os.environ["BENCH_OUT"], "w") as fh:
        json.dump({"start": TIMINGS.start_seconds, "resets": TIMINGS.resets, "setups": SETUPS}, fh)
'''

TESTS = '''
import pytest

@pytest.mark.parametrize("i", range({tests}))
def test_with_emulator(genai, i):
    for _ in range({resources}):
        genai.create_cluster("SMALL_COHERE_V2", wait=False)

@pytest.mark.parametrize("i", range({tests}))
def test_without(i):
    pass
'''


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def summary(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    return f"median {ms(statistics.median(values))}, p95 {ms(p95)}, max {ms(values[-1])} (n={len(values)})"


def pytest_session(tests: int, resources: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-fixtures-") as tmp:
        root = Path(tmp)
        (root / "conftest.py").write_text(CONFTEST)
        (root / "test_bench.py").write_text(TESTS.format(tests=tests, resources=resources))
        out = root / "timings.json"
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", str(root)],
            cwd=root,
            env={**os.environ, "BENCH_OUT": str(out)},
            capture_output=True,
            text=True,
            timeout=600,
        )
        wall = time.perf_counter() - started
        if proc.returncode != 0:
            raise SystemExit(f"the pytest session failed:\n{proc.stdout}\n{proc.stderr}")
        data = json.loads(out.read_text())
    data["wall"] = wall
    return data


def reset_vs_floor(rounds: int, resources: int) -> tuple[list[float], list[float]]:
    from emulator.server import BackgroundServer
    from emulator.settings import Settings
    from ocigenai import GenAI

    server = BackgroundServer(Settings(port=0)).start()
    try:
        genai = GenAI.for_emulator(server.url)
        admin = genai.emulator
        resets, floor = [], []
        for _ in range(rounds):
            for _ in range(resources):
                genai.create_cluster("SMALL_COHERE_V2", wait=False)
            started = time.perf_counter()
            admin.health()
            floor.append(time.perf_counter() - started)
            started = time.perf_counter()
            admin.reset()
            resets.append(time.perf_counter() - started)
        return resets, floor
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tests", type=int, default=200, help="tests per kind in the pytest session")
    parser.add_argument("--resources", type=int, default=3, help="clusters each test creates before the next reset")
    parser.add_argument("--rounds", type=int, default=200, help="resets measured against the HTTP floor")
    args = parser.parse_args(argv)

    session = pytest_session(args.tests, args.resources)
    setups = session["setups"]
    with_fixture = [d for k, d in setups.items() if "test_with_emulator" in k]
    without = [d for k, d in setups.items() if "test_without" in k]
    resets = session["resets"]
    direct, floor = reset_vs_floor(args.rounds, args.resources)

    print(f"pytest session, {args.tests} tests using `genai` ({args.resources} clusters each) + {args.tests} without")
    print(f"  fixture start (in-process emulator, first use) {ms(session['start'])}")
    print(f"  first test's setup (start + key + clients)     {ms(with_fixture[0])}")
    print(f"  per-test reset                                 {summary(resets[1:])}")
    print(f"  per-test setup with `genai` (after the first)  {summary(with_fixture[1:])}")
    print(f"  per-test setup without fixtures (baseline)     {summary(without)}")
    print(f"  whole session, wall clock                      {session['wall']:.2f} s")
    print(f"reset with EmulatorAdmin after {args.resources} creates, against GET /_emulator/health (same connection)")
    print(f"  reset                                          {summary(direct)}")
    print(f"  health (the HTTP floor)                        {summary(floor)}")
    print(f"  reset / floor (medians)                        {statistics.median(direct) / statistics.median(floor):.2f}x")
    met = statistics.median(resets[1:]) * 1000 < RESET_TARGET_MS
    print(f"target: per-test reset median < {RESET_TARGET_MS:g} ms: {'met' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
