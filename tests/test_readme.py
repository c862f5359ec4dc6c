"""The README's examples run as written against the emulator."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_python_quick_start_runs(emulator_url, tmp_path, monkeypatch):
    scope = run_block(python_block("create_dedicated_ai_cluster"), emulator_url, tmp_path, monkeypatch)
    work_request = scope["work_request"]
    assert work_request.status == "SUCCEEDED"
    assert work_request.resources[0].action_type == "CREATED"
    assert scope["cluster"].lifecycle_state == "ACTIVE"


def test_quick_start_has_exactly_two_commands():
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```sh\n(.*?)```", quick_start, re.S)
    assert [line.split()[0:2] for line in block.strip().splitlines()] == [["make", "serve"], ["make", "test"]]


def python_block(marker: str) -> str:
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", README, re.S) if marker in b]
    return block


def run_block(block: str, url: str, tmp_path, monkeypatch) -> dict:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("OCI_EMULATOR_HOME", raising=False)
    subprocess.run([sys.executable, "-m", "emulator", "config"], check=True, capture_output=True)
    scope: dict = {}
    exec(compile(block.replace("http://127.0.0.1:8080", url), "README.md", "exec"), scope)
    return scope


def test_inference_example_runs(emulator_url, tmp_path, monkeypatch, capsys):
    scope = run_block(python_block("GenerativeAiInferenceClient"), emulator_url, tmp_path, monkeypatch)
    assert [len(v) for v in scope["vectors"]] == [1536, 1536]
    printed = capsys.readouterr().out
    assert '"finishReason":"COMPLETE"' in printed and '{"apiFormat":"COHERE","text":' in printed


def test_rules_example_calls_the_tool(emulator_url, oci_config):
    import oci
    import requests
    import yaml
    from oci.generative_ai_inference import models

    (block,) = [b for b in re.findall(r"```yaml\n(.*?)```", README, re.S) if "rules:" in b]
    assert requests.post(f"{emulator_url}/_emulator/rules", json=yaml.safe_load(block)).status_code == 200
    client = oci.generative_ai_inference.GenerativeAiInferenceClient(oci_config, service_endpoint=emulator_url)
    tool = models.CohereTool(
        name="get_weather", description="Weather of a city",
        parameter_definitions={"city": models.CohereParameterDefinition(type="str", is_required=True)},
    )
    answer = client.chat(models.ChatDetails(
        compartment_id="ocid1.compartment.oc1..aaaaaaaaexample",
        serving_mode=models.OnDemandServingMode(model_id="cohere.command-r-08-2024"),
        chat_request=models.CohereChatRequest(message="What is the weather in Paris?", tools=[tool]),
    )).data.chat_response
    assert [(c.name, c.parameters) for c in answer.tool_calls] == [("get_weather", {"city": "Paris"})]


def test_thin_client_example_runs(emulator_url):
    scope: dict = {}
    exec(compile(python_block("genai.fine_tune(").replace("http://127.0.0.1:8080", emulator_url), "README.md", "exec"), scope)
    assert scope["answer"].text and scope["answer"].completion_tokens <= 100
    assert len(scope["vectors"].embeddings) == 200
    assert scope["model"].lifecycle_state == "ACTIVE" and scope["model"].etag


pytest_plugins = ["pytester"]


def test_pytest_plugin_example_passes(pytester):
    pytester.makepyfile(test_readme_example=python_block("def test_my_feature"))
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


OPENAI3_PYTHON = Path(os.environ.get("OCI_GENAI_OPENAI3_PYTHON", Path(__file__).resolve().parent.parent / ".venv-openai3/bin/python"))


def openai_quick_start(url: str, tmp_path, monkeypatch) -> tuple[dict, str]:
    """The README's project and key set-up, run; its openai block, with the emulator's URL."""
    setup = run_block(python_block("create_generative_ai_project"), url, tmp_path, monkeypatch)
    return setup, python_block("from openai import OpenAI").replace("http://127.0.0.1:8080", url)


def test_openai_quick_start_runs(emulator_url, tmp_path, monkeypatch):
    setup, block = openai_quick_start(emulator_url, tmp_path, monkeypatch)
    scope = dict(setup)
    exec(compile(block, "README.md", "exec"), scope)
    assert scope["response"].output_text and scope["streamed"].output[0].type == "reasoning"
    assert isinstance(scope["event"], scope["CalendarEvent"])
    assert scope["answered"].output_text and scope["remembered"].conversation.id == scope["conversation"].id
    assert scope["completion"].choices[0].message.content
    exec(compile(python_block("vector_stores.create").replace("http://127.0.0.1:8080", emulator_url), "README.md", "exec"), scope)
    assert scope["hits"].data[0].filename == "oceans.txt"
    assert scope["grounded"].output[0].type == "file_search_call"
    assert scope["grounded"].output[-1].content[0].annotations[0].type == "file_citation"
    assert scope["searched"].output[-1].content[0].annotations[0].url == "https://example.com/everest"
    assert scope["computed"].output[0].type == "code_interpreter_call"


def test_openai_quick_start_runs_on_openai_3(emulator_url, tmp_path, monkeypatch):
    if not OPENAI3_PYTHON.exists():
        pytest.skip(f"no openai 3.x interpreter at {OPENAI3_PYTHON} (`make test` makes .venv-openai3)")
    setup, block = openai_quick_start(emulator_url, tmp_path, monkeypatch)
    prelude = (
        "import types\n"
        f"key = {setup['key']!r}\n"
        f"project = types.SimpleNamespace(id={setup['project'].id!r})\n"
    )
    check = "\nimport openai\nassert openai.__version__.startswith('3.'), openai.__version__\nprint('OK', response.output_text[:20])\n"
    result = subprocess.run([str(OPENAI3_PYTHON), "-c", prelude + block + check], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "OK " in result.stdout


def test_thin_client_openai_example_runs(emulator_url):
    scope: dict = {}
    block = python_block("genai.openai(").replace("http://127.0.0.1:8080", emulator_url)
    exec(compile(block, "README.md", "exec"), scope)
    assert scope["project"].lifecycle_state == "ACTIVE" and scope["key"].secret.startswith("sk-")
