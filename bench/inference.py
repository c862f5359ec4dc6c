"""Throughput of inference operations against GET-by-id on the same emulator, with wrk, and the
time to the first event of a streamed chat.

    python bench/inference.py [--duration 5] [--connections 4] [--threads N] [--rounds 3] [--only embed-96]
                              [--ttfe-requests 20] [--embeddings semantic]

One ``python -m emulator serve`` (as it starts with no flags, or with ``--threads``), one ``wrk -t1 -c<connections>`` run per
case and round, cases alternating so background load hits them alike, best round of each kept.
Each case is printed with its req/s and its ratio to GET-by-id (a management read of one
cluster, the cheapest thing the emulator does): the ratio is the figure to compare between
machines and commits, absolute numbers move +-20 % here.

Cases are functions registered with ``@case(name)``: they get the server URL, may set things up
through it, and return the :class:`Request` wrk sends. A chat case is one more function::

    @case("chat")
    def chat(url: str) -> Request:
        return Request("POST", "/actions/chat", {"compartmentId": COMPARTMENT, "servingMode": ON_DEMAND_CHAT,
                                                 "chatRequest": {...}})

Time to first event (TTFE): after the throughput rounds, on the same server with latency simulation
off (the generator configuration is cleared first), ``--ttfe-requests`` streamed chats per format, one
at a time over one kept-alive connection, each timed from sending the request to reading its first
``data:`` line; the rest of the stream is read before the next request. The median is the figure
(target < 20 ms).

Requests are unsigned (auth loose maps them to the default tenancy). Every server this script
starts is stopped at the end. Exit status 0, or 2 when the run could not be done.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from http.client import HTTPConnection
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import API, BenchError, Server, _ms, create_active_cluster, emulator_argv, free_port, http  # noqa: E402

COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaabenchinference"
EMBED_MODEL = "cohere.embed-v4.0"
CHAT_MODEL = "meta.llama-3.3-70b-instruct"
COHERE_MODEL = "cohere.command-r-08-2024"
BASELINE = "get-by-id"
QUESTION = "Explain how a vector database finds the nearest neighbours of a query embedding, briefly."


@dataclasses.dataclass
class Request:
    method: str
    path: str  # under ``base``
    body: dict | None = None
    check: Callable[[dict], bool] | None = None  # validates one response before the run
    base: str = API
    headers: dict = dataclasses.field(default_factory=dict)


CASES: dict[str, Callable[[str], Request]] = {}


def case(name: str):
    def register(fn: Callable[[str], Request]) -> Callable[[str], Request]:
        CASES[name] = fn
        return fn

    return register


# cases -----------------------------------------------------------------------------------------
@case(BASELINE)
def get_by_id(url: str) -> Request:
    doc, _ = create_active_cluster(url, COMPARTMENT)
    return Request("GET", f"/dedicatedAiClusters/{doc['id']}", check=lambda r: r["id"] == doc["id"])


@case("embed-96")
def embed_96(url: str) -> Request:
    topics = ["databases", "cooking", "astronomy", "football", "gardening", "music", "finance", "travel"]
    inputs = [
        f"Document {i} explains how {topics[i % 8]} relates to {topics[(i * 3 + 1) % 8]} in practice, "
        f"with {i % 7 + 2} examples and a short summary of the main trade-offs."
        for i in range(96)
    ]
    body = {
        "compartmentId": COMPARTMENT,
        "servingMode": {"servingType": "ON_DEMAND", "modelId": EMBED_MODEL},
        "inputs": inputs,
        "inputType": "SEARCH_DOCUMENT",
    }
    return Request("POST", "/actions/embedText", body, check=lambda r: len(r["embeddings"]) == 96)


def generic_chat_body(stream: bool = False) -> dict:
    return {
        "compartmentId": COMPARTMENT,
        "servingMode": {"servingType": "ON_DEMAND", "modelId": CHAT_MODEL},
        "chatRequest": {
            "apiFormat": "GENERIC",
            "messages": [
                {"role": "SYSTEM", "content": [{"type": "TEXT", "text": "You are a concise assistant."}]},
                {"role": "USER", "content": [{"type": "TEXT", "text": QUESTION}]},
            ],
            "maxTokens": 300,
            "temperature": 0.7,
            "isStream": stream,
            **({"streamOptions": {"isIncludeUsage": True}} if stream else {}),
        },
    }


def cohere_chat_body(stream: bool = False) -> dict:
    return {
        "compartmentId": COMPARTMENT,
        "servingMode": {"servingType": "ON_DEMAND", "modelId": COHERE_MODEL},
        "chatRequest": {"apiFormat": "COHERE", "message": QUESTION, "maxTokens": 300, "isStream": stream},
    }


HISTORY = ["My name is Ada and I live in Lisbon.", "Nice to meet you, Ada.", "My favorite color is teal.", "Noted.",
           "Remember this number: 4217", "Okay, I will remember it.", "I love sailing and jazz.", "Lovely."]


@case("chat-recall")
def chat_recall(url: str) -> Request:
    """GENERIC chat with a 9-turn history of stated facts, asking one back: the recall rules' cost."""
    body = generic_chat_body()
    roles = ["USER", "ASSISTANT"] * (len(HISTORY) // 2)
    body["chatRequest"]["messages"][1:1] = [
        {"role": role, "content": [{"type": "TEXT", "text": text}]} for role, text in zip(roles, HISTORY)
    ]
    body["chatRequest"]["messages"][-1]["content"][0]["text"] = "What number did I ask you to remember?"
    return Request("POST", "/actions/chat", body,
                   check=lambda r: "4217" in r["chatResponse"]["choices"][0]["message"]["content"][0]["text"])


@case("chat")
def chat(url: str) -> Request:
    """Non-streaming GENERIC chat: a system and a user message, about 50 tokens of answer."""
    return Request(
        "POST", "/actions/chat", generic_chat_body(),
        check=lambda r: r["chatResponse"]["choices"][0]["finishReason"] == "stop"
        and bool(r["chatResponse"]["choices"][0]["message"]["content"][0]["text"]),
    )


# OCI's OpenAI-compatible API: a project and an API key made over HTTP, as a user makes them --------
OPENAI_MODEL = "xai.grok-4-1-fast-non-reasoning"


def openai_headers(url: str) -> dict:
    """``Authorization`` and ``OpenAI-Project`` of a new project and API key (ACTIVE on the next request)."""
    _, _, project = http("POST", f"{url}{API}/generativeAiProjects", {"compartmentId": COMPARTMENT})
    _, _, key = http("POST", f"{url}{API}/apikeys", {"compartmentId": COMPARTMENT, "displayName": "bench",
                                                     "keyDetails": [{"keyName": "primary"}]})
    return {"Authorization": f"Bearer {key['keys'][0]['key']}", "OpenAI-Project": project["id"]}


def responses_body(stream: bool = False) -> dict:
    return {"model": OPENAI_MODEL, "instructions": "You are a concise assistant.", "input": QUESTION,
            "max_output_tokens": 300, "temperature": 0.7, "stream": stream}


@case("responses")
def responses(url: str) -> Request:
    """``responses.create`` on the OpenAI-compatible API: the same question, stored as by default."""
    return Request("POST", "/responses", responses_body(), check=lambda r: r["status"] == "completed" and r["output"],
                   base="/openai/v1", headers=openai_headers(url))


# time to first event ---------------------------------------------------------------------------
TTFE_CASES: dict[str, Callable[[str], Request]] = {
    "GENERIC stream": lambda url: Request("POST", "/actions/chat", generic_chat_body(stream=True)),
    "COHERE stream": lambda url: Request("POST", "/actions/chat", cohere_chat_body(stream=True)),
    "Responses stream": lambda url: Request("POST", "/responses", responses_body(stream=True), base="/openai/v1",
                                            headers=openai_headers(url)),
}
FINISHED = (b"finishReason", b"response.completed")


def time_to_first_event(url: str, request: Request, requests: int) -> list[float]:
    """Milliseconds from sending each streamed request to reading its first event line, one request at a
    time on one kept-alive connection; the whole stream is read and checked before the next request."""
    host, port = url.removeprefix("http://").split(":")
    conn = HTTPConnection(host, int(port), timeout=10)
    payload = json.dumps(request.body).encode()
    headers = {"content-type": "application/json", "accept": "text/event-stream", **request.headers}
    times = []
    try:
        for _ in range(requests + 2):  # the first two warm the connection and the code path up
            started = time.perf_counter()
            conn.request(request.method, request.base + request.path, payload, headers)
            resp = conn.getresponse()
            if resp.status != 200 or resp.getheader("content-type") != "text/event-stream":
                raise BenchError(f"stream: {resp.status} {resp.getheader('content-type')} {resp.read()[:300]!r}")
            first = resp.readline()
            elapsed = (time.perf_counter() - started) * 1000
            if not first.startswith((b"data: {", b"event: ")):
                raise BenchError(f"stream: first line {first[:200]!r}")
            rest = resp.read()  # the stream ends when the response does
            if not any(mark in rest for mark in FINISHED):
                raise BenchError(f"stream: no finish event in {rest[-300:]!r}")
            times.append(elapsed)
    finally:
        conn.close()
    return times[2:]


def ttfe(url: str, requests: int) -> dict[str, list[float]]:
    http("DELETE", url + "/_emulator/generators")  # the default generator, no simulated latency
    _, _, generators = http("GET", url + "/_emulator/generators")
    if generators.get("default", {}).get("latency") or any(g.get("latency") for g in generators["models"].values()):
        raise BenchError(f"latency simulation is still on: {generators}")
    return {name: time_to_first_event(url, make(url), requests) for name, make in TTFE_CASES.items()}


# wrk -------------------------------------------------------------------------------------------
LUA = """wrk.method = {method}
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
{headers}
done = function(summary, latency, requests)
  io.write(string.format("p95-us %d\\n", latency:percentile(95)))
end"""


def lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def run_wrk(url: str, request: Request, connections: int, seconds: int, workdir: Path) -> dict:
    script = workdir / f"wrk-{abs(hash((request.method, request.path))) % 10**8}.lua"
    body = json.dumps(request.body, separators=(",", ":")) if request.body is not None else ""
    headers = "".join(f"wrk.headers[ {lua_string(k)} ] = {lua_string(v)}\n" for k, v in request.headers.items())
    script.write_text(LUA.format(method=lua_string(request.method), body=lua_string(body) if body else "nil",
                                 headers=headers))
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{int(seconds)}s", "--latency", "-s", str(script)]
    cmd.append(url + request.base + request.path)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30).stdout
    if "Requests/sec:" not in out or re.search(r"Non-2xx or 3xx responses|Socket errors", out):
        raise BenchError(f"wrk failed or saw errors on {request.method} {request.path}:\n{out[-1500:]}")
    lat = re.search(r"Latency\s+(\S+)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)$", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)$", out, re.M)
    p95 = re.search(r"^p95-us (\d+)$", out, re.M)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "avg_ms": _ms(lat.group(1)),
        "p50_ms": _ms(p50.group(1)),
        "p95_ms": int(p95.group(1)) / 1000,
        "p99_ms": _ms(p99.group(1)),
        "kb_per_response": _transfer_kb(out) / max(1, int(re.search(r"(\d+) requests in", out).group(1))),
    }


def _transfer_kb(out: str) -> float:
    value, unit = re.search(r"requests in [^,]+,\s+([\d.]+)(B|KB|MB|GB) read", out).groups()
    return float(value) * {"B": 1 / 1024, "KB": 1, "MB": 1024, "GB": 1024 * 1024}[unit]


def bench(args, workdir: Path) -> tuple[dict[str, list[dict]], dict[str, list[float]]]:
    port = free_port()
    env = {"OCI_EMULATOR_EMBEDDINGS": args.embeddings}
    if args.threads:
        env["OCI_EMULATOR_THREADS"] = str(args.threads)
    server = Server("emulator", emulator_argv(port), port, "/_emulator/health", workdir, env)
    try:
        server.wait_ready()
        names = [BASELINE] + [n for n in CASES if n != BASELINE and (not args.only or n in args.only)]
        requests = {}
        for name in names:
            request = CASES[name](server.url)
            status, _, body = http(request.method, server.url + request.base + request.path, request.body, request.headers)
            if status != 200 or (request.check and not request.check(body)):
                raise BenchError(f"case {name}: unexpected answer {status} {json.dumps(body)[:300]}")
            requests[name] = request
        results: dict[str, list[dict]] = {name: [] for name in names}
        for i in range(args.rounds):
            for name in names:
                if i == 0:
                    run_wrk(server.url, requests[name], args.connections, 1, workdir)  # warm-up
                results[name].append(run_wrk(server.url, requests[name], args.connections, args.duration, workdir))
        return results, ttfe(server.url, args.ttfe_requests)
    finally:
        server.stop()


def report(results: dict[str, list[dict]], first_events: dict[str, list[float]], args) -> None:
    best = {name: max(runs, key=lambda r: r["rps"]) for name, runs in results.items()}
    base = best[BASELINE]["rps"]
    rows = [("case", "req/s (best)", f"vs {BASELINE}", "p50", "KB/response", "all rounds req/s")]
    for name, r in best.items():
        rows.append((
            name, f"{r['rps']:.0f}", f"{r['rps'] / base:.3f}", f"{r['p50_ms']:.2f} ms", f"{r['kb_per_response']:.1f}",
            ", ".join(f"{x['rps']:.0f}" for x in results[name]),
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    print()
    for k, row in enumerate(rows):
        print("  ".join(t.ljust(w) for t, w in zip(row, widths)).rstrip())
        if k == 0:
            print("  ".join("-" * w for w in widths))
    print()
    print(f"wrk -t1 -c{args.connections} -d{args.duration}s per case, best of {args.rounds} alternating rounds;"
          f" emulator as serve starts it{f' with {args.threads} threads' if args.threads else ''}; unsigned requests (auth loose);"
          f" embed-96 = 96 inputs of ~25 tokens to {EMBED_MODEL} (1536 dims, {args.embeddings} embeddings);"
          f" chat = non-streaming GENERIC chat to {CHAT_MODEL} (system + user message);"
          " chat-recall = the same with 8 earlier turns of stated facts, asking one back.")
    print()
    rows = [("stream", "TTFE median", "min", "max", "target")]
    for name, times in first_events.items():
        median = statistics.median(times)
        rows.append((name, f"{median:.2f} ms", f"{min(times):.2f} ms", f"{max(times):.2f} ms",
                     "< 20 ms " + ("ok" if median < 20 else "MISSED")))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for k, row in enumerate(rows):
        print("  ".join(t.ljust(w) for t, w in zip(row, widths)).rstrip())
        if k == 0:
            print("  ".join("-" * w for w in widths))
    print()
    print(f"time to first event: {args.ttfe_requests} streamed chats per format ({CHAT_MODEL} GENERIC with usage,"
          f" {COHERE_MODEL} COHERE), one at a time on one connection, latency simulation off.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Inference throughput against GET-by-id, with wrk.")
    parser.add_argument("--duration", type=int, default=5, help="seconds of each run (default 5)")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections (default 4)")
    parser.add_argument("--threads", type=int, default=None, help="server threads (default: serve's own)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    parser.add_argument("--only", nargs="*", choices=[n for n in CASES if n != BASELINE],
                        help="cases to run besides the baseline (default: all)")
    parser.add_argument("--ttfe-requests", type=int, default=20,
                        help="streamed chats per format for the time to first event (default 20)")
    parser.add_argument("--embeddings", choices=["hashing", "semantic"], default="hashing",
                        help="serve --embeddings (semantic needs the 'semantic' extra; default hashing)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (server log, wrk scripts)")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install -y wrk (brew install wrk on macOS)", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="oci-genai-bench-inference-"))
    started = time.perf_counter()
    try:
        report(*bench(args, workdir), args)
    except BenchError as exc:
        print(f"benchmark failed: {exc}\nlogs: {workdir}", file=sys.stderr)
        return 2
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"total {time.perf_counter() - started:.0f} s" + (f"; logs in {workdir}" if args.keep else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
