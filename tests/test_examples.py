"""examples/rag.py and examples/agent.py run as a user runs them (a subprocess with --endpoint,
--config-file and --profile) against the emulator started in this process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import admin

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run(example: str, url: str, config_file, *args: str) -> subprocess.CompletedProcess:
    argv = [sys.executable, str(EXAMPLES / example), "--endpoint", url,
            "--config-file", config_file.path, "--profile", config_file.profile, *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


def lines(result: subprocess.CompletedProcess, prefix: str) -> list[str]:
    return [line[len(prefix):] for line in result.stdout.splitlines() if line.startswith(prefix)]


def test_rag_retrieves_the_right_document_and_answers_from_it(emulator_url, oci_config_file, oci_config):
    admin(emulator_url, "rules", {
        "model": "meta.*",
        "pattern": r"Context:\n- (?P<passage>[^\n]+)\n\nQuestion: (?P<question>.+)",
        "reply": "The context says: {passage}",
    })
    result = run("rag.py", emulator_url, oci_config_file, "Which ocean is the deepest?")
    assert result.returncode == 0, result.stderr
    [retrieved] = lines(result, "retrieved ")
    passage = "The Pacific Ocean is the largest and deepest ocean on Earth; the Mariana Trench lies in it."
    assert retrieved.endswith(f"]: {passage}")
    assert lines(result, "answer: ") == [f"The context says: {passage}"]  # the retrieved passage reached the model

    calls = [c for c in admin(emulator_url, "requests")["items"] if c["operation"] in ("embed_text", "chat")]
    assert sorted(c["operation"] for c in calls) == ["chat", "embed_text", "embed_text"]  # documents, question
    assert {(c["status"], c["tenancy"]) for c in calls} == {(200, oci_config["tenancy"])}  # the profile's key


def test_rag_with_cohere_documents_and_citations(emulator_url, oci_config_file):
    result = run("rag.py", emulator_url, oci_config_file, "--model", "cohere.command-r-08-2024", "--top-k", "2",
                 "Which fruit is rich in potassium?")
    assert result.returncode == 0, result.stderr
    retrieved = lines(result, "retrieved ")
    assert len(retrieved) == 2 and retrieved[0].endswith("]: Bananas are a fruit rich in potassium and fiber, "
                                                         "grown in tropical regions.")
    scores = [float(r[1:r.index("]")]) for r in retrieved]
    assert scores[0] > scores[1]
    [text] = lines(result, "answer: ")
    assert "fruit" in text.lower()
    assert lines(result, "cited: ") == [retrieved[0].split("]: ", 1)[1]]  # cites the passage its words came from


@pytest.mark.parametrize("model", ["meta.llama-3.3-70b-instruct", "xai.grok-4", "openai.gpt-oss-120b"])
def test_agent_calls_the_tool_and_answers_from_its_result(emulator_url, oci_config_file, model):
    result = run("agent.py", emulator_url, oci_config_file, "--model", model, "What is the weather forecast in Paris?")
    assert result.returncode == 0, result.stderr
    [tool] = lines(result, "tool: ")
    assert tool.startswith("get_weather({") and "->" in tool
    [text] = lines(result, "answer: ")
    assert text  # answered in words after the tool result went back


def test_agent_runs_every_call_of_a_turn_and_sends_each_result_back(emulator_url, oci_config_file):
    admin(emulator_url, "rules", {"rules": [
        {"pattern": r"weather and the time in (\w+)", "toolCalls": [
            {"name": "get_weather", "arguments": {"city": "{1}"}},
            {"name": "get_time", "arguments": {"city": "{1}"}},
        ]},
        {"pattern": r"weather", "lastTurn": "tool", "reply": "Done: {tool}"},
    ]})
    result = run("agent.py", emulator_url, oci_config_file, "What are the weather and the time in Tokyo?")
    assert result.returncode == 0, result.stderr
    weather, time = lines(result, "tool: ")
    assert weather == 'get_weather({"city":"Tokyo"}) -> Tokyo: cloudy, 18 C'
    assert time.startswith('get_time({"city":"Tokyo"}) -> Tokyo: ') and time.endswith("(UTC+9)")
    # both TOOL messages were accepted (an unknown toolCallId is a 400), the last one is quoted back
    assert lines(result, "answer: ") == [f"Done: {time.split(' -> ')[1]}"]


def test_agent_gives_up_after_max_steps(emulator_url, oci_config_file):
    admin(emulator_url, "rules", {
        "lastTurn": "any", "pattern": "Paris", "toolCalls": [{"name": "get_weather", "arguments": {"city": "Paris"}}],
    })
    result = run("agent.py", emulator_url, oci_config_file, "--max-steps", "3", "What is the weather in Paris?")
    assert result.returncode == 1 and "no answer after 3 steps" in result.stderr
    assert len(lines(result, "tool: ")) == 3
