"""Vector stores on the OpenAI-compatible API: upload and indexing of 100 text files, then search over
the 10,000 chunks they make, with wrk.

    python bench/retrieval.py [--files 100] [--chunks-per-file 100] [--duration 5]

One ``python -m emulator serve`` (as it starts). A project, an API key and a vector store are made
over HTTP; each file (``--chunks-per-file`` chunks of the default 800-token strategy, which steps by
400 tokens) is uploaded (``POST /files``, multipart) and added to the store
(``POST /vector_stores/{id}/files``), timed end to end. Then ``wrk -c1 --latency`` posts one search
(``max_num_results`` 10) for ``--duration`` seconds: the first request builds the store's index,
the warm-up run absorbs it. Exit status 0, or 2 when the run could not be done.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from inference import Request, openai_headers, run_wrk  # noqa: E402
from run import BenchError, Server, emulator_argv, free_port, http  # noqa: E402

WORDS = ("ocean river mountain planet galaxy forest desert island volcano glacier city harbour bridge tower "
         "library museum garden market station airport engine battery circuit signal network server database "
         "index query vector cluster model kernel compiler parser token grammar sentence paragraph chapter").split()


def text_of(seed: int, tokens: int) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(tokens))


def upload(url: str, headers: dict, name: str, text: str) -> str:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nuser_data\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            f"Content-Type: text/plain\r\n\r\n{text}\r\n--{boundary}--\r\n").encode()
    req = urllib.request.Request(f"{url}/openai/v1/files", data=body, method="POST",
                                 headers={**headers, "content-type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())["id"]


def bench(args, workdir: Path) -> dict:
    port = free_port()
    server = Server("emulator", emulator_argv(port), port, "/_emulator/health", workdir)
    try:
        server.wait_ready()
        headers = openai_headers(server.url)
        compartment = {"opc-compartment-id": "ocid1.compartment.oc1..aaaaaaaabenchinference"}
        _, _, store = http("POST", f"{server.url}/20231130/openai/v1/vector_stores", {"name": "bench"}, compartment)
        tokens = 400 * (args.chunks_per_file + 1)  # the 800-token chunks step by 400 tokens
        started = time.perf_counter()
        per_file = []
        for i in range(args.files):
            t0 = time.perf_counter()
            file_id = upload(server.url, headers, f"doc{i}.txt", text_of(i, tokens))
            status, _, added = http("POST", f"{server.url}/openai/v1/vector_stores/{store['id']}/files",
                                    {"file_id": file_id, "attributes": {"n": i}}, headers)
            if status != 200 or added["status"] != "completed":
                raise BenchError(f"adding a file: {status} {added}")
            per_file.append(time.perf_counter() - t0)
        upload_s = time.perf_counter() - started
        _, _, details = http("GET", f"{server.url}/20231130/openai/v1/vector_stores/{store['id']}", None, compartment)
        query = {"query": "ocean glacier database vector", "max_num_results": 10}
        t0 = time.perf_counter()
        _, _, first = http("POST", f"{server.url}/openai/v1/vector_stores/{store['id']}/search", query, headers)
        index_s = time.perf_counter() - t0
        if len(first["data"]) != 10:
            raise BenchError(f"search found {len(first['data'])} results")
        search = Request("POST", f"/vector_stores/{store['id']}/search", query, base="/openai/v1", headers=headers)
        runs = [run_wrk(server.url, search, 1, args.duration, workdir) for _ in range(args.rounds)]
        return {"upload_s": upload_s, "per_file": per_file, "index_s": index_s, "runs": runs,
                "usage_bytes": details["usage_bytes"], "files": details["file_counts"]["completed"],
                "chunks": args.files * args.chunks_per_file}
    finally:
        server.stop()


def report(r: dict, args) -> None:
    best = min(r["runs"], key=lambda m: m["p50_ms"])
    print(f"upload + index {r['files']} files ({r['chunks']} chunks, {r['usage_bytes'] / 1e6:.1f} MB of text): "
          f"{r['upload_s']:.2f} s, {r['files'] / r['upload_s']:.1f} files/s "
          f"(p50 {statistics.median(r['per_file']) * 1000:.1f} ms per file)")
    print(f"first search (builds the index of {r['chunks']} chunks): {r['index_s'] * 1000:.0f} ms")
    print(f"search over {r['chunks']} chunks (wrk -c1, best of {args.rounds}): p50 {best['p50_ms']:.2f} ms, "
          f"p95 {best['p95_ms']:.2f} ms, p99 {best['p99_ms']:.2f} ms, {best['rps']:.0f} searches/s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Vector-store upload and search figures.")
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--chunks-per-file", type=int, default=100)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="oci-genai-bench-retrieval-"))
    try:
        report(bench(args, workdir), args)
    except BenchError as exc:
        print(f"benchmark failed: {exc}\nlogs: {workdir}", file=sys.stderr)
        return 2
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
