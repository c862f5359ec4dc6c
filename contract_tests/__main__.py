"""``python -m contract_tests run [pytest args]`` | ``python -m contract_tests cleanup [options]``.

``run`` is ``pytest contract_tests`` with the given arguments (every ``--target``, ``--allow-costly``,
... option of the suite, and any pytest option). ``cleanup`` finds resources by their
``contract-run`` freeform tag (one run's with ``--run-id``, else every contract run's) in the
compartment(s) and deletes them, waiting on their work requests, within ``--wait-timeout``.
Run both from the repository root (or with it on ``PYTHONPATH``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
USAGE = """usage: python -m contract_tests run [pytest args]      run the contract suite (pytest contract_tests ...)
       python -m contract_tests cleanup [options]       delete what contract runs left behind (--help)"""


# pytest options whose value may be a path in this folder (not a test to run)
PATH_VALUED = {"--ignore", "--ignore-glob", "--deselect", "--rootdir", "-c", "--confcutdir", "--basetemp"}


def names_tests(args: list[str]) -> bool:
    """Whether ``args`` name tests of this folder (``contract_tests/test_x.py``, ``...::test_y``)."""
    for before, arg in zip([None, *args], args):
        if arg.startswith("-") or before in PATH_VALUED:
            continue
        path = Path(arg.split("::")[0]).resolve()
        if path.exists() and path.is_relative_to(HERE):
            return True
    return False


def run(args: list[str]) -> int:
    """pytest on this folder, or on the tests of it that ``args`` name."""
    import pytest

    return int(pytest.main(args if names_tests(args) else [str(HERE), *args]))


def cleanup(args: list[str]) -> int:
    from .cleanup import sweep
    from .options import RunOptions, add_to
    from .target import connect

    parser = argparse.ArgumentParser(
        prog="python -m contract_tests cleanup",
        description="Delete the resources tagged contract-run (of --run-id, or of every run) in the compartment(s).",
    )
    add_to(parser.add_argument)
    ns = parser.parse_args(args)
    options = RunOptions.resolve(lambda dest: getattr(ns, dest))
    run_id = ns.run_id or os.environ.get("OCI_CONTRACT_RUN_ID")  # None: every contract run
    if problems := options.problems():
        parser.error("; ".join(problems))
    with tempfile.TemporaryDirectory() as key_dir:
        try:
            target = connect(options, Path(key_dir), start=False)
        except ValueError as exc:
            parser.error(str(exc))
        which = f"run {run_id}" if run_id else "every contract run"
        print(f"contract cleanup: {which} in {', '.join(target.compartments)} on {target.describe()}")
        most = 0.5 if target.kind == "emulator" else 30.0
        report = sweep(target.management_client(), target.compartments, run_id, options.wait_timeout, most=most)
        target.close()
    print(f"contract cleanup: {report.summary()}")
    return 1 if report.failed else 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "run":
        return run(rest)
    if command == "cleanup":
        return cleanup(rest)
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
