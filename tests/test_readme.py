"""The README's examples run as written against the emulator."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_python_quick_start_runs(emulator_url, tmp_path, monkeypatch):
    scope = run_block(python_block("oci.generative_ai.GenerativeAiClient"), emulator_url, tmp_path, monkeypatch)
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
    exec(compile(python_block("GenAI.for_emulator").replace("http://127.0.0.1:8080", emulator_url), "README.md", "exec"), scope)
    assert scope["answer"].text and scope["answer"].completion_tokens <= 100
    assert len(scope["vectors"].embeddings) == 200
    assert scope["model"].lifecycle_state == "ACTIVE" and scope["model"].etag


pytest_plugins = ["pytester"]


def test_pytest_plugin_example_passes(pytester):
    pytester.makepyfile(test_readme_example=python_block("def test_my_feature"))
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
