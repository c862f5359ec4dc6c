"""The emulator as a user runs it: ``python -m emulator ...`` in a child process, on a free port."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
# Teardown needs no graceful drain: SIGINT stops granian (and waitress) at once.
QUICK_STOP = signal.SIGINT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_env(home: Path, **extra: str) -> dict:
    """This environment without ``OCI_EMULATOR_*`` knobs, with ``home`` as HOME and emulator home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCI_EMULATOR_")}
    env.pop("XDG_RUNTIME_DIR", None)
    env.update(HOME=str(home), OCI_EMULATOR_HOME=str(home / ".oci-genai-emulator"), PYTHONUNBUFFERED="1", **extra)
    return env


def cli_command() -> list[str]:
    """The ``oci-genai-emulator`` console script next to this interpreter, else ``python -m emulator``."""
    script = Path(sys.executable).with_name("oci-genai-emulator")
    return [str(script)] if script.exists() else [sys.executable, "-m", "emulator"]


def run_cli(args: list[str], env: dict, timeout: float = 30, script: bool = False) -> subprocess.CompletedProcess:
    """``oci-genai-emulator <args>`` to completion (``python -m emulator`` unless ``script``)."""
    command = cli_command() if script else [sys.executable, "-m", "emulator"]
    return subprocess.run([*command, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


class EmulatorProcess:
    """``python -m emulator serve <args>``; :meth:`start` returns once ``/_emulator/health`` answers 200."""

    def __init__(self, args: list[str], env: dict, log_dir: Path, port: int | None = None):
        self.args = list(args)
        self.env = env
        self.log_dir = log_dir
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self._starts = 0

    def start(self, timeout: float = START_TIMEOUT) -> "EmulatorProcess":
        self._starts += 1
        self._log = self.log_dir / f"emulator-{self.port}-{self._starts}.log"
        with self._log.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "emulator", "serve", "--port", str(self.port), *self.args],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: granian workers die with it
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"emulator exited with {self.proc.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_emulator/health", timeout=1) as resp:
                    if resp.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"emulator not healthy within {timeout}s:\n{self.output()}")

    def output(self) -> str:
        return self._log.read_text(errors="replace") if self._starts else ""

    def stop(self, sig: int = signal.SIGTERM, timeout: float = STOP_TIMEOUT) -> int | None:
        """Send ``sig`` and wait for the process (and its group) to end; SIGKILL if it lingers."""
        proc = self.proc
        if proc is None:
            return None
        self.proc = None
        if proc.poll() is None:
            # Until it is reaped, its pid (and so its process group id) cannot name anyone else.
            if sig == signal.SIGKILL:
                os.killpg(proc.pid, signal.SIGKILL)  # the server process and any granian workers, at once
            else:
                proc.send_signal(sig)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout)
        return proc.returncode

    def kill(self) -> int | None:
        return self.stop(signal.SIGKILL)

    def restart(self) -> "EmulatorProcess":
        self.stop()
        return self.start()

    def admin(self, path: str, body: dict | None = None, method: str | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            f"{self.url}/_emulator/{path}", data=data, method=method or ("POST" if data is not None else "GET")
        )
        req.add_header("content-type", "application/json")
        with urllib.request.urlopen(req, timeout=10) as resp:
            raw = resp.read()
            return json.loads(raw) if raw else {}


@pytest.fixture
def spawn(tmp_path):
    """``spawn(*serve_args, env=None)``: a started :class:`EmulatorProcess`, always stopped at teardown."""
    started: list[EmulatorProcess] = []
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)

    def _spawn(*args: str, env: dict | None = None) -> EmulatorProcess:
        proc = EmulatorProcess(list(args), env or child_env(home), tmp_path)
        started.append(proc)
        return proc.start()

    yield _spawn
    for proc in started:
        proc.stop(QUICK_STOP)
