"""Files, vector stores, containers and the built-in tools of OCI's OpenAI-compatible API, through the
``openai`` SDK (and its pollers), with vector-store CRUD on the management host signed by
oci-genai-auth, as Oracle's agents quick start does it."""

from __future__ import annotations

import io
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import httpx
import openai
import pytest
from oci_genai_auth import OciUserPrincipalAuth

from conftest import COMPARTMENT, admin
from openai_helpers import PLAIN_MODEL, active_project, api_key, client
from processes import free_port

DOCS = {
    "ocean.txt": "The Pacific Ocean is the largest and deepest ocean on Earth. The Mariana Trench lies in it.",
    "fruit.txt": "Bananas are a fruit rich in potassium and fiber, grown in tropical regions.",
    "space.txt": "Mars is the fourth planet from the Sun; its red colour comes from iron oxide.",
}


@pytest.fixture
def oai(emulator_url, genai) -> openai.OpenAI:
    return client(emulator_url, active_project(genai).id, api_key(genai).secret)


@pytest.fixture
def cp(emulator_url, oci_config_file) -> openai.OpenAI:
    """The management-host client of the quick start: signed, with the compartment header."""
    auth = OciUserPrincipalAuth(config_file=oci_config_file.path, profile_name=oci_config_file.profile)
    return openai.OpenAI(base_url=f"{emulator_url}/20231130/openai/v1", api_key="not-used", max_retries=0,
                         default_headers={"opc-compartment-id": COMPARTMENT}, http_client=httpx.Client(auth=auth))


def upload(oai, name: str, text: str, purpose: str = "user_data"):
    return oai.files.create(file=(name, io.BytesIO(text.encode()), "text/plain"), purpose=purpose)


def knowledge_base(oai, cp, **attributes):
    store = cp.vector_stores.create(name="kb", metadata={"team": "docs"})
    for name, text in DOCS.items():
        oai.vector_stores.files.create_and_poll(
            vector_store_id=store.id, file_id=upload(oai, name, text).id, attributes={"topic": name[:-4], **attributes}
        )
    return store


def test_files(oai):
    started = time.monotonic()
    created = upload(oai, "notes.txt", "hello files")
    assert created.id.startswith("file-") and created.bytes == 11 and created.status == "processed"
    assert oai.files.wait_for_processing(created.id).status == "processed" and time.monotonic() - started < 2
    assert oai.files.content(created.id).read() == b"hello files"
    batch = oai.files.create(file=("jobs.jsonl", io.BytesIO(b'{"a": 1}\n'), "application/jsonl"), purpose="batch")
    assert [f.id for f in oai.files.list(purpose="batch")] == [batch.id]
    assert {f.id for f in oai.files.list(limit=1)} == {created.id, batch.id}  # auto-paging
    with pytest.raises(openai.BadRequestError) as wrong:
        oai.files.create(file=("jobs.txt", io.BytesIO(b"x"), "text/plain"), purpose="batch")
    assert wrong.value.param == "file"
    assert oai.files.delete(created.id).deleted is True
    with pytest.raises(openai.NotFoundError):
        oai.files.retrieve(created.id)


def test_vector_store_crud_on_the_management_host(cp, oai):
    store = cp.vector_stores.create(name="kb", description="docs", expires_after={"anchor": "last_active_at", "days": 7})
    assert store.id.startswith("vs_") and store.status == "completed" and store.file_counts.total == 0
    assert store.expires_at == store.last_active_at + 7 * 86400
    assert [s.id for s in cp.vector_stores.list()] == [store.id]
    assert cp.vector_stores.update(store.id, name="renamed").name == "renamed"
    assert oai.vector_stores.files.list(vector_store_id=store.id).data == []  # the inference host uses it
    assert cp.vector_stores.delete(store.id).deleted is True
    with pytest.raises(openai.NotFoundError):
        cp.vector_stores.retrieve(store.id)


def test_vector_store_files_pollers_and_search(cp, oai):
    store = knowledge_base(oai, cp)
    files = oai.vector_stores.files.list(vector_store_id=store.id)
    assert len(files.data) == 3 and {f.status for f in files.data} == {"completed"}
    uploaded = oai.vector_stores.files.upload_and_poll(
        vector_store_id=store.id, file=("river.txt", io.BytesIO(b"The Nile is the longest river."), "text/plain")
    )
    assert uploaded.status == "completed" and uploaded.usage_bytes == 30
    assert cp.vector_stores.retrieve(store.id).file_counts.completed == 4

    results = oai.vector_stores.search(vector_store_id=store.id, query="Which ocean is the deepest?")
    assert results.data[0].filename == "ocean.txt" and results.data[0].content[0].text == DOCS["ocean.txt"]
    assert all(0 <= r.score <= 1 for r in results.data) and results.data == sorted(results.data, key=lambda r: -r.score)
    one = oai.vector_stores.search(vector_store_id=store.id, query="ocean fruit planet", max_num_results=1)
    assert len(one.data) == 1
    fruit = oai.vector_stores.search(vector_store_id=store.id, query="ocean fruit planet",
                                     filters={"type": "eq", "key": "topic", "value": "fruit"})
    assert [r.filename for r in fruit.data] == ["fruit.txt"]
    either = oai.vector_stores.search(vector_store_id=store.id, query="ocean fruit planet", filters={
        "type": "or", "filters": [{"type": "eq", "key": "topic", "value": "fruit"}, {"type": "eq", "key": "topic", "value": "space"}]})
    assert {r.filename for r in either.data} == {"fruit.txt", "space.txt"}

    ocean = next(f for f in files.data if f.attributes["topic"] == "ocean")
    updated = oai.vector_stores.files.update(file_id=ocean.id, vector_store_id=store.id, attributes={"topic": "sea"})
    assert updated.attributes == {"topic": "sea"}
    sea = oai.vector_stores.search(vector_store_id=store.id, query="ocean", filters={"type": "eq", "key": "topic", "value": "sea"})
    assert [r.filename for r in sea.data] == ["ocean.txt"]
    content = oai.vector_stores.files.content(file_id=ocean.id, vector_store_id=store.id)
    assert [c.text for c in content] == [DOCS["ocean.txt"]]
    oai.vector_stores.files.delete(file_id=ocean.id, vector_store_id=store.id)
    assert "ocean.txt" not in {r.filename for r in oai.vector_stores.search(vector_store_id=store.id, query="deepest ocean").data}


def test_chunks_overlap_as_the_strategy_says(cp, oai):
    store = cp.vector_stores.create(name="chunks")
    words = " ".join(f"word{i}" for i in range(250))
    oai.vector_stores.files.create(
        vector_store_id=store.id, file_id=upload(oai, "long.txt", words).id,
        chunking_strategy={"type": "static", "static": {"max_chunk_size_tokens": 100, "chunk_overlap_tokens": 20}},
    )
    (vs_file,) = oai.vector_stores.files.list(vector_store_id=store.id).data
    chunks = [c.text for c in oai.vector_stores.files.content(file_id=vs_file.id, vector_store_id=store.id)]
    assert [len(c.split()) for c in chunks] == [100, 100, 90]
    assert chunks[1].split()[:20] == chunks[0].split()[-20:]
    with pytest.raises(openai.BadRequestError):
        oai.vector_stores.files.create(vector_store_id=store.id, file_id=vs_file.id,
                                       chunking_strategy={"type": "static", "static": {"max_chunk_size_tokens": 10, "chunk_overlap_tokens": 0}})


def test_a_file_type_search_cannot_read_fails_and_is_never_found(cp, oai):
    store = cp.vector_stores.create(name="types")
    image = oai.files.create(file=("diagram.png", io.BytesIO(b"\x89PNG\r\n ocean"), "image/png"), purpose="user_data")
    failed = oai.vector_stores.files.create_and_poll(vector_store_id=store.id, file_id=image.id)
    assert failed.status == "failed" and failed.last_error.code == "unsupported_file"
    assert "diagram.png" in failed.last_error.message
    oai.vector_stores.files.create_and_poll(vector_store_id=store.id, file_id=upload(oai, "ocean.txt", DOCS["ocean.txt"]).id)
    counts = cp.vector_stores.retrieve(store.id).file_counts
    assert (counts.failed, counts.completed, counts.total) == (1, 1, 2)
    hits = oai.vector_stores.search(vector_store_id=store.id, query="ocean")
    assert [hit.filename for hit in hits] == ["ocean.txt"]


def test_manual_indexing_waits_for_the_admin_api(cp, oai, emulator_url):
    admin(emulator_url, "config", {"transitions": {"vectorstorefile": {"mode": "manual"}, "response": {"mode": "manual"}}})
    store = cp.vector_stores.create(name="manual")
    oai.vector_stores.files.create(vector_store_id=store.id, file_id=upload(oai, "a.txt", DOCS["ocean.txt"]).id)
    admin(emulator_url, "clock", {"advanceSeconds": 10**6})
    assert [f.status for f in oai.vector_stores.files.list(vector_store_id=store.id)] == ["in_progress"]
    assert cp.vector_stores.retrieve(store.id).file_counts.in_progress == 1
    queued = oai.responses.create(model=PLAIN_MODEL, input="later", background=True)
    assert admin(emulator_url, "transitions/complete", {"id": queued.id}) == {"completed": 1}
    assert oai.responses.retrieve(queued.id).status == "completed"
    assert admin(emulator_url, "transitions/complete", {"kind": "vectorstorefile"}) == {"completed": 1}
    assert cp.vector_stores.retrieve(store.id).file_counts.completed == 1
    assert oai.vector_stores.search(vector_store_id=store.id, query="ocean").data
    exported = admin(emulator_url, "state")  # valid JSON throughout: no Infinity for "never"
    assert exported["resources"]


def test_indexing_follows_the_clock_and_batches_can_be_cancelled(cp, oai, emulator_url):
    admin(emulator_url, "config", {"transitions": {"vectorstorefile": {"mode": "delay", "seconds": 30}}})
    store = cp.vector_stores.create(name="slow")
    added = oai.vector_stores.files.with_raw_response.create(vector_store_id=store.id, file_id=upload(oai, "a.txt", DOCS["ocean.txt"]).id)
    assert added.parse().status == "in_progress" and added.headers["openai-poll-after-ms"]
    assert cp.vector_stores.retrieve(store.id).status == "in_progress"
    assert oai.vector_stores.search(vector_store_id=store.id, query="ocean").data == []  # not indexed yet
    admin(emulator_url, "clock", {"advanceSeconds": 31})
    assert cp.vector_stores.retrieve(store.id).file_counts.completed == 1
    assert oai.vector_stores.search(vector_store_id=store.id, query="ocean").data

    batch = oai.vector_stores.file_batches.create(
        vector_store_id=store.id, file_ids=[upload(oai, n, t).id for n, t in DOCS.items()], attributes={"source": "batch"}
    )
    assert batch.status == "in_progress" and batch.file_counts.in_progress == 3
    cancelled = oai.vector_stores.file_batches.cancel(batch_id=batch.id, vector_store_id=store.id)
    assert cancelled.status == "cancelled" and cancelled.file_counts.cancelled == 3
    listed = oai.vector_stores.file_batches.list_files(batch_id=batch.id, vector_store_id=store.id)
    assert {f.status for f in listed.data} == {"cancelled"}

    admin(emulator_url, "config", {"transitions": {"vectorstorefile": {"mode": "delay", "seconds": 0}}})
    done = oai.vector_stores.file_batches.create_and_poll(vector_store_id=store.id, file_ids=[upload(oai, "b.txt", "more").id])
    assert done.status == "completed" and done.file_counts.completed == 1


def test_an_idle_store_expires(cp, oai, emulator_url):
    store = cp.vector_stores.create(name="short", expires_after={"anchor": "last_active_at", "days": 1})
    admin(emulator_url, "clock", {"advanceSeconds": 86401})
    assert cp.vector_stores.retrieve(store.id).status == "expired"
    with pytest.raises(openai.BadRequestError):
        oai.vector_stores.search(vector_store_id=store.id, query="anything")


def test_file_search_tool_cites_the_files(cp, oai):
    store = knowledge_base(oai, cp)
    tool = {"type": "file_search", "vector_store_ids": [store.id], "max_num_results": 2}
    response = oai.responses.create(model=PLAIN_MODEL, input="Which ocean is the deepest?", tools=[tool],
                                    include=["file_search_call.results"])
    search, message = response.output
    assert search.type == "file_search_call" and search.queries == ["Which ocean is the deepest?"]
    assert search.results[0].filename == "ocean.txt" and len(search.results) <= 2
    citations = message.content[0].annotations
    assert citations and {c.type for c in citations} == {"file_citation"} and citations[0].filename == "ocean.txt"
    assert all(0 < c.index <= len(message.content[0].text) for c in citations)
    plain = oai.responses.create(model=PLAIN_MODEL, input="Which ocean is the deepest?", tools=[tool])
    assert plain.output[0].results is None  # results only when included


def test_web_search_answers_from_the_configured_pages(oai, emulator_url):
    admin(emulator_url, "web", {"results": [
        {"url": "https://example.com/everest", "title": "Everest", "content": "Mount Everest is the highest mountain on Earth."},
        {"url": "https://example.com/nile", "title": "Nile", "content": "The Nile is the longest river in Africa."},
    ]})
    response = oai.responses.create(model=PLAIN_MODEL, input="What is the highest mountain?", tools=[{"type": "web_search"}],
                                    include=["web_search_call.action.sources"])
    call, message = response.output
    assert call.type == "web_search_call" and call.action.query == "What is the highest mountain?"
    assert call.action.sources[0].url == "https://example.com/everest"
    (citation, *_) = message.content[0].annotations
    assert citation.type == "url_citation" and citation.url == "https://example.com/everest"
    assert 0 <= citation.start_index < citation.end_index <= len(message.content[0].text)
    admin(emulator_url, "web", method="DELETE")
    nothing = oai.responses.create(model=PLAIN_MODEL, input="What is the highest mountain?", tools=[{"type": "web_search"}])
    assert nothing.output[0].type == "web_search_call" and nothing.output[1].content[0].annotations == []


@pytest.fixture(scope="module")
def mcp_server():
    port = free_port()
    script = Path(__file__).resolve().parent / "servers" / "mcp_weather.py"
    proc = subprocess.Popen([sys.executable, str(script), str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/mcp"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
        except urllib.error.HTTPError:
            break  # it answers (GET without a session is refused)
        except OSError:
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(10)


def test_mcp_tools_with_and_without_approval(oai, mcp_server):
    tool = {"type": "mcp", "server_label": "weather", "server_url": mcp_server, "allowed_tools": ["get_forecast"]}
    asked = oai.responses.create(model=PLAIN_MODEL, input="What is the weather forecast in Oslo?", tools=[tool])
    listed, request = asked.output
    assert listed.type == "mcp_list_tools" and [t.name for t in listed.tools] == ["get_forecast"]
    assert request.type == "mcp_approval_request" and request.name == "get_forecast" and "city" in request.arguments
    approved = oai.responses.create(model=PLAIN_MODEL, previous_response_id=asked.id, tools=[tool],
                                    input=[{"type": "mcp_approval_response", "approval_request_id": request.id, "approve": True}])
    (called, message) = approved.output  # the tools were listed before: not again
    assert called.type == "mcp_call" and called.output.startswith("Sunny in") and called.approval_request_id == request.id
    assert message.type == "message" and "sunny" in message.content[0].text.lower()

    direct = oai.responses.create(model=PLAIN_MODEL, input="Weather forecast for Rome?",
                                  tools=[{**tool, "require_approval": "never"}])
    assert [o.type for o in direct.output] == ["mcp_list_tools", "mcp_call", "message"]
    assert direct.output[1].output == f"Sunny in {direct.output[1].arguments.split(chr(34))[3]}, 24 C"


def test_mcp_server_that_cannot_be_reached(oai):
    with pytest.raises(openai.APIStatusError) as exc:
        oai.responses.create(model=PLAIN_MODEL, input="Weather?", tools=[
            {"type": "mcp", "server_label": "gone", "server_url": "http://127.0.0.1:9/mcp", "require_approval": "never"}])
    assert exc.value.status_code == 424 and "cannot reach" in exc.value.message


def test_code_interpreter_runs_in_a_container(oai):
    tool = {"type": "code_interpreter", "container": {"type": "auto", "memory_limit": "4g"}}
    response = oai.responses.create(model=PLAIN_MODEL, input="Calculate the average of 3, 5 and 10 with python",
                                    tools=[tool], include=["code_interpreter_call.outputs"])
    call, message = response.output
    assert call.type == "code_interpreter_call" and call.code and call.outputs[0].logs
    container = oai.containers.retrieve(call.container_id)
    assert container.status == "running" and container.memory_limit == "4g"
    chat_only = oai.responses.create(model=PLAIN_MODEL, input="Say hello", tools=[tool])
    assert [o.type for o in chat_only.output] == ["message"]  # nothing to compute


def test_containers_and_their_files(oai, emulator_url):
    container = oai.containers.create(name="work", memory_limit="16g")
    assert container.id.startswith("cntr_") and container.status == "running"
    uploaded = oai.containers.files.create(container_id=container.id, file=("data.csv", io.BytesIO(b"a,b\n1,2\n"), "text/csv"))
    assert uploaded.path == "/mnt/data/data.csv" and uploaded.bytes == 8
    copied = oai.containers.files.create(container_id=container.id, file_id=upload(oai, "notes.txt", "copied").id)
    assert oai.containers.files.content.retrieve(file_id=copied.id, container_id=container.id).read() == b"copied"
    assert {f.path for f in oai.containers.files.list(container_id=container.id)} == {"/mnt/data/data.csv", "/mnt/data/notes.txt"}
    with pytest.raises(openai.BadRequestError) as full:  # 16 + 3 x 16 + 16 > 64 GB
        for _ in range(4):
            oai.containers.create(name="more", memory_limit="16g")
    assert full.value.param == "memory_limit"
    admin(emulator_url, "clock", {"advanceSeconds": 20 * 60 + 1})
    assert oai.containers.retrieve(container.id).status == "expired"
    with pytest.raises(openai.BadRequestError):
        oai.containers.files.create(container_id=container.id, file=("late.txt", io.BytesIO(b"x"), "text/plain"))
    oai.containers.delete(container.id)
    with pytest.raises(openai.NotFoundError):
        oai.containers.retrieve(container.id)


def test_tool_events_stream_in_order(cp, oai):
    store = knowledge_base(oai, cp)
    events = list(oai.responses.create(model=PLAIN_MODEL, input="Which ocean is the deepest?", stream=True,
                                       tools=[{"type": "file_search", "vector_store_ids": [store.id]}]))
    kinds = [e.type for e in events]
    assert kinds[2:7] == ["response.output_item.added", "response.file_search_call.in_progress",
                          "response.file_search_call.searching", "response.file_search_call.completed",
                          "response.output_item.done"]
    assert "response.output_text.annotation.added" in kinds
    final = events[-1].response
    assert [o.type for o in final.output] == ["file_search_call", "message"]
    assert final.output[1].content[0].annotations[0].type == "file_citation"


def test_files_and_stores_are_kept_in_the_state_per_tenancy(cp, oai, emulator_url, other_oci_config):
    store = knowledge_base(oai, cp)
    snapshot = admin(emulator_url, "state")
    admin(emulator_url, "reset", {})
    admin(emulator_url, "state", snapshot)
    assert oai.vector_stores.search(vector_store_id=store.id, query="deepest ocean").data[0].filename == "ocean.txt"
    import oci

    other = oci.generative_ai.GenerativeAiClient(other_oci_config, service_endpoint=emulator_url)
    theirs = client(emulator_url, active_project(other).id, api_key(other).secret)
    with pytest.raises(openai.NotFoundError):
        theirs.vector_stores.search(vector_store_id=store.id, query="ocean")
