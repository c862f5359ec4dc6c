"""The thin client (``ocigenai``) against the in-process emulator of the pytest plugin.

The project's conftest defines its own ``genai`` fixture (an SDK client), so these tests build
the thin client from the plugin's fixtures as ``client``.
"""

from __future__ import annotations

import math
import threading

import oci
import pytest

import ocigenai
from emulator.server import BackgroundServer
from emulator.settings import Settings
from ocigenai import (
    GenAI,
    InvalidArgument,
    ModelNotFound,
    RegionNotConfigured,
    ResourceFailed,
    WaitTimeout,
    WorkRequestFailed,
    emulator_config,
    fine_tune_details,
    hugging_face_source,
    lora_config,
    object_storage_dataset,
    object_storage_source,
    region_from_ocid,
    tfew_config,
    vanilla_config,
)
from oci.generative_ai import models as sdk

CHAT_MODEL = "cohere.command-r-08-2024"
LLAMA = "meta.llama-3.3-70b-instruct"
EMBED_MODEL = "cohere.embed-v4.0"
DATASET = "oci://training@ns/data.jsonl"
FOREIGN_ENDPOINT = "ocid1.generativeaiendpoint.oc1.iad.amaaaaaaexample"


@pytest.fixture
def client(oci_genai_emulator, oci_genai_config) -> GenAI:
    return GenAI(oci_genai_config, endpoint=oci_genai_emulator.url, emulator=oci_genai_emulator)


@pytest.fixture
def admin(oci_genai_emulator):
    return oci_genai_emulator


# builders ------------------------------------------------------------------------------------
def test_builders_make_the_sdk_subclasses():
    by_parts = object_storage_dataset("ns", "training", "data.jsonl")
    by_uri = object_storage_dataset(DATASET)
    assert isinstance(by_uri, sdk.ObjectStorageDataset) and by_uri == by_parts
    assert (by_uri.namespace_name, by_uri.bucket_name, by_uri.object_name) == ("ns", "training", "data.jsonl")

    lora = lora_config(epochs=2, learning_rate=0.0003, batch_size=16, r=64, alpha=128, dropout=0.0)
    assert isinstance(lora, sdk.LoraTrainingConfig) and lora.training_config_type == "LORA_TRAINING_CONFIG"
    assert (lora.total_training_epochs, lora.lora_r, lora.lora_alpha, lora.lora_dropout) == (2, 64, 128, 0.0)
    assert lora.early_stopping_patience is None  # left out: the service's default applies
    assert isinstance(tfew_config(batch_size=32), sdk.TFewTrainingConfig)
    vanilla = vanilla_config(num_of_last_layers=15, log_interval_steps=0)
    assert isinstance(vanilla, sdk.VanillaTrainingConfig) and vanilla.num_of_last_layers == 15

    cluster = "ocid1.generativeaidedicatedaicluster.oc1.us-chicago-1.amaaaaaaexample"
    details = fine_tune_details(DATASET, cluster, lora)
    assert isinstance(details, sdk.FineTuneDetails) and details.training_dataset == by_parts
    assert details.training_config is lora and details.dedicated_ai_cluster_id == cluster

    hf = hugging_face_source("openai/gpt-oss-20b", branch="main")
    assert isinstance(hf, sdk.HuggingFaceModel) and hf.source_type == "HUGGING_FACE_MODEL" and hf.access_token is None
    bucket = object_storage_source("oci://weights@ns/llama/3", region="us-ashburn-1")
    assert isinstance(bucket, sdk.ObjectStorageObject)
    assert (bucket.namespace_name, bucket.bucket_name, bucket.prefix_name, bucket.region) == ("ns", "weights", "llama/3", "us-ashburn-1")


@pytest.mark.parametrize(
    "build",
    [
        lambda: lora_config(r=0),
        lambda: lora_config(r=65),
        lambda: lora_config(alpha=129),
        lambda: lora_config(dropout=1.0),
        lambda: lora_config(dropout=-0.1),
        lambda: lora_config(batch_size=17),
        lambda: lora_config(r=8.5),
        lambda: lora_config(r=True),
        lambda: tfew_config(batch_size=7),
        lambda: tfew_config(batch_size=33),
        lambda: tfew_config(learning_rate=0),
        lambda: tfew_config(learning_rate=1.5),
        lambda: tfew_config(learning_rate=math.nan),
        lambda: tfew_config(epochs=0),
        lambda: tfew_config(early_stopping_patience=-1),
        lambda: tfew_config(early_stopping_threshold=-0.1),
        lambda: tfew_config(log_interval_steps=-1),
        lambda: vanilla_config(num_of_last_layers=0),
        lambda: vanilla_config(num_of_last_layers=16),
        lambda: object_storage_dataset("s3://bucket/data.jsonl"),
        lambda: object_storage_dataset("ns", "", "data.jsonl"),
        lambda: fine_tune_details(DATASET, "ocid1.generativeaiendpoint.oc1.us-chicago-1.amaaaaaaexample"),
        lambda: fine_tune_details(DATASET, "not-an-ocid"),
        lambda: hugging_face_source("not a model id"),
        lambda: object_storage_source("ns", "bucket", ""),
    ],
)
def test_builders_refuse_bad_values(build):
    with pytest.raises(InvalidArgument):
        build()


def test_bad_arguments_are_refused_before_any_request(client, admin):
    cluster = "ocid1.generativeaidedicatedaicluster.oc1.us-chicago-1.amaaaaaaexample"
    with pytest.raises(InvalidArgument, match="r must be in"):
        client.fine_tune(LLAMA, DATASET, cluster, config=lora_config(r=100))
    with pytest.raises(InvalidArgument, match="dataset"):
        client.fine_tune(LLAMA, 42, cluster)
    with pytest.raises(InvalidArgument, match="unit_count"):
        client.create_cluster("SMALL_COHERE_V2", unit_count=0)
    with pytest.raises(InvalidArgument, match="model_id must be an OCID"):
        client.create_endpoint(cluster, LLAMA)
    with pytest.raises(InvalidArgument, match="batch_size"):
        client.embed(["x"], model=EMBED_MODEL, batch_size=97)
    assert admin.requests() == []


# regions and construction ---------------------------------------------------------------------
def test_region_comes_from_the_ocid():
    assert region_from_ocid("ocid1.generativeaimodel.oc1.us-chicago-1.amaaaaaaexample") == "us-chicago-1"
    assert region_from_ocid("ocid1.generativeaiendpoint.oc1.iad.amaaaaaaexample") == "us-ashburn-1"
    assert region_from_ocid("ocid1.tenancy.oc1..aaaaaaaaexample") is None
    assert region_from_ocid("meta.llama-3.3-70b-instruct") is None


def test_region_precedence_without_an_endpoint():
    """Against OCI: explicit region > the OCID's region > the configured region (no request is sent)."""
    config, _ = emulator_config()
    del config["region"]
    genai = GenAI(config)
    with pytest.raises(RegionNotConfigured):
        genai.management_client()
    assert "us-ashburn-1" in genai._mgmt(FOREIGN_ENDPOINT).base_client.endpoint
    assert "eu-frankfurt-1" in genai._mgmt(FOREIGN_ENDPOINT, "eu-frankfurt-1").base_client.endpoint
    configured = GenAI(dict(config, region="us-phoenix-1"))
    assert "us-phoenix-1" in configured.management_client().base_client.endpoint
    assert "us-ashburn-1" in configured._mgmt(FOREIGN_ENDPOINT).base_client.endpoint
    assert "inference.generativeai.us-ashburn-1" in configured.inference_client("us-ashburn-1").base_client.endpoint


def test_from_config_reads_a_profile(tmp_path, admin):
    config, _ = emulator_config(key_dir=tmp_path)
    file = tmp_path / "config"
    file.write_text("[EMU]\n" + "".join(f"{k}={v}\n" for k, v in config.items()))
    genai = GenAI.from_config(profile="EMU", file=str(file), region="us-ashburn-1", endpoint=admin.url)
    assert genai.region == "us-ashburn-1" and genai.compartment_id == config["tenancy"]
    assert genai.create_cluster("SMALL_COHERE_V2").lifecycle_state == "ACTIVE"


def test_for_emulator_trusts_its_key_in_strict_mode():
    server = BackgroundServer(Settings(port=0, auth="strict", trust_user_keys=False)).start()
    try:
        genai = GenAI.for_emulator(server.url)
        assert genai.emulator.health()["auth"] == "strict"
        assert genai.create_cluster("SMALL_COHERE_V2", display_name="strict").display_name == "strict"
        untrusted, _ = emulator_config()
        with pytest.raises(oci.exceptions.ServiceError) as exc:
            next(GenAI(untrusted, endpoint=server.url).clusters())
        assert exc.value.status == 401
    finally:
        server.stop()


# management -------------------------------------------------------------------------------------
def test_create_cluster_waits_and_surfaces_headers(client, admin, generative_ai_client):
    cluster = client.create_cluster("SMALL_COHERE_V2", display_name="hosting", freeform_tags={"team": "a"})
    assert cluster.lifecycle_state == "ACTIVE" and cluster.type == "HOSTING"
    assert (cluster.endpoint_capacity, cluster.endpoints_used) == (50, 0)
    sdk_view = generative_ai_client.get_dedicated_ai_cluster(cluster.id)
    assert cluster.etag == sdk_view.headers["etag"]
    assert cluster.opc_request_id in {entry["requestId"] for entry in admin.requests()}
    wr = client.get_work_request(cluster.work_request_id)
    assert wr.succeeded and wr.finished and wr.operation_type == "CREATE_DEDICATED_AI_CLUSTER"
    assert wr.resource_id("dedicatedaicluster") == cluster.id and wr.opc_request_id


def test_create_without_waiting_then_wait_for_state(client, admin):
    admin.set_transition("dedicatedaicluster", mode="delay", seconds=0.3)
    cluster = client.create_cluster("SMALL_COHERE_V2", wait=False)
    assert cluster.lifecycle_state == "CREATING" and cluster.work_request_id
    assert client.wait_for_state(cluster.id, "ACTIVE", timeout=10).lifecycle_state == "ACTIVE"
    assert client.wait_for_work_request(cluster.work_request_id, timeout=10).percent_complete == 100


def test_waits_time_out_with_a_clear_error(client, admin):
    admin.set_transition("dedicatedaicluster", mode="manual")
    with pytest.raises(WaitTimeout, match=r"CREATE_DEDICATED_AI_CLUSTER\) is still IN_PROGRESS") as exc:
        client.create_cluster("SMALL_COHERE_V2", timeout=0.3)
    assert exc.value.resource_id.startswith("ocid1.generativeaiworkrequest.") and exc.value.last_state == "IN_PROGRESS"
    assert 0.3 <= exc.value.waited_seconds < 3
    (cluster,) = client.clusters()
    with pytest.raises(WaitTimeout, match="still CREATING, not ACTIVE"):
        client.wait_for_state(cluster.id, timeout=0.2)
    # released from another thread while the client waits
    timer = threading.Timer(0.2, admin.complete_transitions)
    timer.start()
    assert client.wait_for_state(cluster.id, timeout=10).lifecycle_state == "ACTIVE"
    timer.join()


def test_failed_work_request_raises_with_its_messages(client, admin, generative_ai_client):
    admin.set_transition("dedicatedaicluster", outcome="FAILED")
    with pytest.raises(WorkRequestFailed) as exc:
        client.create_cluster("SMALL_COHERE_V2")
    failure = exc.value
    assert failure.work_request.status == "FAILED" and failure.errors
    messages = [e.message for e in generative_ai_client.list_work_request_errors(failure.work_request.id).data.items]
    assert failure.messages == messages and all(m in str(failure) for m in messages)
    assert failure.work_request.id in str(failure) and "CREATE_DEDICATED_AI_CLUSTER" in str(failure)
    (cluster,) = client.clusters()
    with pytest.raises(ResourceFailed) as failed:
        client.wait_for_state(cluster.id)
    assert failed.value.state == "FAILED" and failed.value.details


def test_lists_page_through_everything(client, admin, monkeypatch):
    for i in range(7):
        client.create_cluster("SMALL_COHERE_V2", display_name=f"c{i}", wait=False)
    monkeypatch.setattr(ocigenai.client, "PAGE_SIZE", 3)
    admin.clear_requests()
    names = sorted(c.display_name for c in client.clusters())
    assert names == [f"c{i}" for i in range(7)]
    assert len(admin.requests("list_dedicated_ai_clusters")) == 3  # 3 + 3 + 1
    assert [c.display_name for c in client.clusters(display_name="c4")] == ["c4"]
    assert len(list(client.work_requests())) == 7
    first = next(client.clusters())  # lazy: one page is enough for the first item
    assert first.etag is None and first.opc_request_id is None


def test_models_filter_by_capability_and_vendor(client, generative_ai_client, oci_genai_config):
    chat_meta = list(client.models(capability="CHAT", vendor="meta"))
    assert chat_meta and all("CHAT" in m.capabilities and m.vendor == "meta" for m in chat_meta)
    expected = oci.pagination.list_call_get_all_results(
        generative_ai_client.list_models, oci_genai_config["tenancy"], capability=["CHAT"], vendor="meta"
    ).data
    assert sorted(m.id for m in chat_meta) == sorted(m.id for m in expected)
    either = {m.id for m in client.models(capability=["TEXT_EMBEDDINGS", "TEXT_RERANK"])}
    assert {m.id for m in client.models("TEXT_EMBEDDINGS")} < either
    assert all(m.type == "BASE" for m in client.models(type="BASE"))
    model = client.find_model(LLAMA, capability="FINE_TUNE")
    assert model.display_name == LLAMA and "FINE_TUNE" in model.capabilities and model.etag is None
    with pytest.raises(ModelNotFound, match="no ACTIVE model nope"):
        client.find_model("nope")


def test_endpoint_create_and_delete(client, generative_ai_client):
    cluster = client.create_cluster("SMALL_COHERE_V2")
    model = client.find_model(CHAT_MODEL, capability="CHAT")
    endpoint = client.create_endpoint(cluster.id, model.id, display_name="ep")
    assert endpoint.lifecycle_state == "ACTIVE" and endpoint.model_id == model.id and endpoint.etag
    assert client.get_cluster(cluster.id).endpoints_used == 1
    assert [e.id for e in client.endpoints()] == [endpoint.id]
    with pytest.raises(oci.exceptions.ServiceError) as stale:
        client.delete_endpoint(endpoint.id, if_match="not-the-etag")
    assert stale.value.status == 412
    deleted = client.delete_endpoint(endpoint.id, if_match=client.get_endpoint(endpoint.id).etag)
    assert deleted.deleted and deleted.work_request_id and deleted.opc_request_id
    assert client.get_cluster(cluster.id).endpoints_used == 0
    assert client.get_work_request(deleted.work_request_id).resources[0].action_type == "DELETED"
    accepted = client.delete_cluster(cluster.id, wait=False)
    assert not accepted.deleted and accepted.work_request_id
    gone = client.wait_for_state(cluster.id, "DELETED")
    assert gone is None or gone.lifecycle_state == "DELETED"


def test_imported_models(client):
    imported = client.import_model(hugging_face_source("openai/gpt-oss-20b"), display_name="oss", capabilities=["TEXT_TO_TEXT"])
    assert imported.lifecycle_state == "ACTIVE" and imported.source == "openai/gpt-oss-20b"
    assert imported.source_type == "HUGGING_FACE_MODEL" and imported.work_request_id
    from_bucket = client.import_model(object_storage_source("oci://weights@ns/llama"), wait=False)
    assert from_bucket.lifecycle_state == "CREATING" and from_bucket.source == "weights/llama"
    assert {m.id for m in client.imported_models()} == {imported.id, from_bucket.id}
    assert client.delete_imported_model(imported.id).deleted


# fine-tuning ---------------------------------------------------------------------------------------
def test_fine_tune_by_base_model_name(client, admin):
    cluster = client.create_cluster("LARGE_GENERIC", type="FINE_TUNING")
    admin.set_transition("model", mode="delay", seconds=0.2)
    model = client.fine_tune(LLAMA, DATASET, cluster.id, config=lora_config(r=16, epochs=2), display_name="ft")
    assert model.lifecycle_state == "CREATING" and model.type == "CUSTOM" and model.work_request_id
    assert model.base_model_id == client.find_model(LLAMA, capability="FINE_TUNE").id
    job = client.get_fine_tune(model.id)
    assert job.status == "CREATING" and not job.done and job.training_dataset == DATASET
    assert job.dedicated_ai_cluster_id == cluster.id
    assert job.training_config["lora_r"] == 16 and job.training_config["total_training_epochs"] == 2
    done = client.wait_for_state(model.id, timeout=10)
    assert done.final_accuracy is not None and done.final_loss is not None
    assert [j.id for j in client.list_fine_tunes()] == [model.id]
    assert [j.id for j in client.list_fine_tunes(status="ACTIVE")] == [model.id]
    with pytest.raises(InvalidArgument, match="not a fine-tuned one"):
        client.get_fine_tune(model.base_model_id)


def test_fine_tune_and_wait(client):
    cluster = client.create_cluster("SMALL_COHERE_V2", type="FINE_TUNING")
    model = client.fine_tune(CHAT_MODEL, object_storage_dataset("ns", "b", "d.jsonl"), cluster.id, config=tfew_config(), wait=True)
    assert model.lifecycle_state == "ACTIVE" and model.final_accuracy is not None
    assert model.work_request_id and client.get_work_request(model.work_request_id).succeeded


def test_cancel_fine_tune(client, admin):
    cluster = client.create_cluster("LARGE_GENERIC", type="FINE_TUNING")
    finished = client.fine_tune(LLAMA, DATASET, cluster.id, wait=True, display_name="done")
    result = client.cancel_fine_tune(finished.id)
    assert not result.success and result.status == "ACTIVE" and "already ended" in result.message
    admin.set_transition("model", mode="manual")
    training = client.fine_tune(LLAMA, DATASET, cluster.id, display_name="training")
    result = client.cancel_fine_tune(training.id)
    # The emulator refuses mutations during a transition (409 IncorrectState), so a job in
    # training cannot be cancelled there; the client reports it instead of raising.
    assert not result.success and result.status == "CREATING" and "IncorrectState" in result.message


# inference -------------------------------------------------------------------------------------------
def test_chat_generic_and_cohere(client, admin):
    llama = client.chat(LLAMA, "Hello there", max_tokens=20)
    assert llama.api_format == "GENERIC" and llama.text and llama.finish_reason
    assert llama.prompt_tokens > 0 and 0 < llama.completion_tokens <= 20
    assert llama.total_tokens == llama.prompt_tokens + llama.completion_tokens
    assert llama.model_id == LLAMA and llama.request_id in {e["requestId"] for e in admin.requests("chat")}
    cohere = client.chat(CHAT_MODEL, "Hello there", max_tokens=20)
    assert cohere.api_format == "COHERE" and cohere.text and cohere.finish_reason
    history = [("user", "What is OCI?"), {"role": "assistant", "content": "A cloud."}]
    longer = client.chat(LLAMA, "Hello there", system="Be brief.", history=history, max_tokens=20)
    assert longer.prompt_tokens > llama.prompt_tokens
    with pytest.raises(InvalidArgument, match="history turn"):
        client.chat(LLAMA, "x", history=[("robot", "beep")])


def test_chat_through_an_endpoint(client):
    cluster = client.create_cluster("SMALL_COHERE_V2")
    endpoint = client.create_endpoint(cluster.id, client.find_model(CHAT_MODEL, capability="CHAT").id)
    answer = client.chat(endpoint.id, "Hello via endpoint", max_tokens=30)
    assert answer.api_format == "COHERE" and answer.text  # the vendor is found through the endpoint's model
    assert client.vendor_of(endpoint.id) == "cohere"


@pytest.mark.parametrize("model", [LLAMA, CHAT_MODEL])
def test_stream_yields_deltas_then_one_final_chunk(client, model):
    chunks = list(client.stream(model, "Tell me about streams", max_tokens=25))
    *deltas, last = chunks
    assert deltas and not any(c.finished for c in deltas) and last.finished
    assert len({c.request_id for c in chunks}) == 1 and last.request_id
    whole = client.chat(model, "Tell me about streams", max_tokens=25)
    assert "".join(c.text for c in chunks) == whole.text
    assert last.finish_reason == whole.finish_reason
    assert (last.prompt_tokens, last.completion_tokens) == (whole.prompt_tokens, whole.completion_tokens)


def test_embed_batches_beyond_96(client, admin):
    texts = [f"document number {i} about topic {i % 7}" for i in range(200)]
    result = client.embed(texts, model=EMBED_MODEL, input_type="SEARCH_DOCUMENT")
    assert len(result.embeddings) == 200 and result.dimensions == 1536
    assert len(result.request_ids) == 3 and len(admin.requests("embed_text")) == 3
    single = client.embed(texts[150], model=EMBED_MODEL, input_type="SEARCH_DOCUMENT")
    assert single.embeddings[0] == pytest.approx(result.embeddings[150])  # order is kept across batches
    assert result.model_id == EMBED_MODEL


def test_admin_api_of_the_client(oci_genai_emulator, oci_genai_config):
    no_retry = GenAI(oci_genai_config, endpoint=oci_genai_emulator.url, retry_strategy=oci.retry.NoneRetryStrategy())
    fault = oci_genai_emulator.add_fault("list_dedicated_ai_clusters", 503)
    assert fault["code"] == "ServiceUnavailable"
    with pytest.raises(oci.exceptions.ServiceError) as exc:
        list(no_retry.clusters())
    assert exc.value.status == 503
    assert list(no_retry.clusters()) == []  # once only
    before = oci_genai_emulator.clock()["offsetSeconds"]
    assert oci_genai_emulator.advance_clock(60)["offsetSeconds"] == before + 60
    assert oci_genai_emulator.health()["status"] == "ok"


def test_projects_api_keys_and_an_openai_client(client):
    project = client.create_project("agents", responses_retention_hours=48)
    assert project.lifecycle_state == "ACTIVE" and project.responses_retention_hours == 48 and project.work_request_id
    key = client.create_api_key("dev", key_names=("one", "two"))
    assert set(key.secrets) == {"one", "two"} and key.secret.startswith("sk-")
    keyed = client.openai(project.id, api_key=key.secret, max_retries=0)
    assert keyed.responses.create(model="openai.gpt-oss-120b", input="Hello").output_text
    signed = client.openai(project.id, max_retries=0)  # the client's own OCI key signs each request
    response = signed.responses.create(model="xai.grok-4-1-fast-reasoning", input="Hello")
    assert keyed.responses.retrieve(response.id).id == response.id  # one tenancy, one project


def test_the_openai_client_signs_under_strict_auth():
    server = BackgroundServer(Settings(port=0, auth="strict", trust_user_keys=False)).start()
    try:
        genai = GenAI.for_emulator(server.url)  # trusts its own key with the emulator
        project = genai.create_project("strict")
        answer = genai.openai(project.id, max_retries=0).chat.completions.create(
            model="meta.llama-3.3-70b-instruct", messages=[{"role": "user", "content": "Hi"}]
        )
        assert answer.choices[0].message.content
    finally:
        server.stop()
