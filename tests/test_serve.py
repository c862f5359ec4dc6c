"""``oci-genai-emulator serve`` as users start it (granian by default, waitress on request): streams
arrive as they are made, a slow answer never holds up the others, and SIGTERM ends it cleanly."""

from __future__ import annotations

import signal
import threading
import time

import oci
import pytest
import requests
from oci.generative_ai_inference import models

from conftest import COMPARTMENT, admin
from processes import spawn  # noqa: F401  (a fixture)

SLOW_FIRST_TOKEN_MS = 1500


def stream_request(model: str = "meta.llama-3.3-70b-instruct") -> models.ChatDetails:
    return models.ChatDetails(
        compartment_id=COMPARTMENT,
        serving_mode=models.OnDemandServingMode(model_id=model),
        chat_request=models.GenericChatRequest(
            messages=[models.UserMessage(content=[models.TextContent(text="Say something about clouds")])],
            is_stream=True,
            max_tokens=60,
        ),
    )


def test_streams_and_signed_requests_on_the_default_server(spawn, oci_config):
    server = spawn()
    health = server.admin("health")
    assert health["status"] == "ok"
    client = oci.generative_ai_inference.GenerativeAiInferenceClient(oci_config, service_endpoint=server.url)
    started = time.perf_counter()
    response = client.chat(stream_request())
    events = list(response.data.events())
    assert len(events) > 3 and response.headers["content-type"] == "text/event-stream"
    assert time.perf_counter() - started < 5
    genai = oci.generative_ai.GenerativeAiClient(oci_config, service_endpoint=server.url)
    assert genai.list_models(COMPARTMENT, limit=3).data.items


@pytest.mark.parametrize("server_name", ["granian", "waitress"])
def test_a_slow_answer_does_not_hold_up_other_requests(spawn, oci_config, server_name):
    server = spawn("--server", server_name)
    server.admin("generators", {"default": {"type": "deterministic", "latency": {"timeToFirstTokenMs": SLOW_FIRST_TOKEN_MS}}})
    client = oci.generative_ai_inference.GenerativeAiInferenceClient(oci_config, service_endpoint=server.url)
    finished = []
    slow = threading.Thread(target=lambda: finished.append(list(client.chat(stream_request()).data.events())))
    slow.start()
    time.sleep(0.3)  # the slow stream is waiting for its first token
    took = []
    for _ in range(5):
        started = time.perf_counter()
        assert requests.get(f"{server.url}/_emulator/health", timeout=5).status_code == 200
        took.append(time.perf_counter() - started)
    assert not finished and max(took) < SLOW_FIRST_TOKEN_MS / 1000 / 3, took
    slow.join(10)
    assert finished and finished[0]


def test_a_slow_answer_in_process_does_not_hold_up_other_requests(emulator_url, inference):
    admin(emulator_url, "generators", {"default": {"type": "deterministic", "latency": {"timeToFirstTokenMs": SLOW_FIRST_TOKEN_MS}}})
    done = []
    slow = threading.Thread(target=lambda: done.append(inference.chat(stream_request()).data.events()))
    slow.start()
    time.sleep(0.3)
    started = time.perf_counter()
    assert requests.get(f"{emulator_url}/_emulator/clock", timeout=5).ok
    assert time.perf_counter() - started < SLOW_FIRST_TOKEN_MS / 1000 / 3
    slow.join(10)


def test_sigterm_stops_it_cleanly(spawn):
    server = spawn()
    started = time.perf_counter()
    assert server.stop(signal.SIGTERM) == 0
    assert time.perf_counter() - started < 5


def test_waitress_on_request(spawn):
    server = spawn("--server", "waitress", "--threads", "2")
    assert server.admin("health")["status"] == "ok"
    assert "waitress" in server.output()
