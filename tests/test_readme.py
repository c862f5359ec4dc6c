"""The README's examples run as written against the emulator."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_python_quick_start_runs(emulator_url, tmp_path, monkeypatch):
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", README, re.S) if "GenerativeAiClient" in b]
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("OCI_EMULATOR_HOME", raising=False)
    subprocess.run([sys.executable, "-m", "emulator", "config"], check=True, capture_output=True)
    code = block.replace("http://127.0.0.1:8080", emulator_url)
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)
    work_request = scope["work_request"]
    assert work_request.status == "SUCCEEDED"
    assert work_request.resources[0].action_type == "CREATED"
    assert scope["cluster"].lifecycle_state == "ACTIVE"


def test_quick_start_has_exactly_two_commands():
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```sh\n(.*?)```", quick_start, re.S)
    assert [line.split()[0:2] for line in block.strip().splitlines()] == [["make", "serve"], ["make", "test"]]
