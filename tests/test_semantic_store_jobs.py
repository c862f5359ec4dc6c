"""The data API (`oci.generative_ai_data`) through the oci SDK and CLI: a semantic store's
enrichment jobs and natural-language-to-SQL jobs, progressing on the emulator's clock."""

from __future__ import annotations

import oci
import pytest
from oci.generative_ai import models
from oci.generative_ai_data import models as data

from conftest import COMPARTMENT, OTHER_COMPARTMENT, admin
from test_semantic_stores import active_store
from tests.test_cli import cli_home, oci_cli  # noqa: F401

MISSING_STORE = "ocid1.generativeaisemanticstore.oc1.us-chicago-1.amaaaaaanope"


@pytest.fixture
def enrichment(emulator_url, oci_config) -> oci.generative_ai_data.EnrichmentJobClient:
    return oci.generative_ai_data.EnrichmentJobClient(
        oci_config, service_endpoint=emulator_url, retry_strategy=oci.retry.NoneRetryStrategy()
    )


@pytest.fixture
def sql(emulator_url, oci_config) -> oci.generative_ai_data.GenerateSqlClient:
    return oci.generative_ai_data.GenerateSqlClient(
        oci_config, service_endpoint=emulator_url, retry_strategy=oci.retry.NoneRetryStrategy()
    )


def partial_build(*tables: str, schema: str = "SALES") -> data.GenerateEnrichmentJobDetails:
    return data.GenerateEnrichmentJobDetails(
        display_name="partial",
        enrichment_job_configuration=data.PartialBuildEnrichmentJobConfiguration(
            schema_name=schema, database_objects=[data.DatabaseObject(type="TABLE", name=t) for t in tables]
        ),
    )


def test_an_enrichment_job_runs_on_the_clock_and_names_the_model(genai, enrichment, emulator_url):
    admin(emulator_url, "config", {"transitions": {"enrichmentjob": {"mode": "delay", "seconds": 60}}})
    store = active_store(genai)
    job = enrichment.generate_enrichment_job(partial_build("ORDERS"), store.id)
    assert job.data.lifecycle_state == "ACCEPTED" and job.headers["etag"]
    assert job.data.id.startswith("ocid1.generativeaisemanticstorejob.oc1.us-chicago-1.")
    assert (job.data.enrichment_job_type, job.data.semantic_store_id) == ("PARTIAL_BUILD", store.id)
    assert job.data.model_id in {m.id for m in genai.list_models(COMPARTMENT, display_name="meta.llama-3.3-70b-instruct").data.items}
    running = enrichment.get_enrichment_job(store.id, job.data.id).data
    assert running.lifecycle_state == "IN_PROGRESS" and running.time_started and running.time_finished is None

    with pytest.raises(oci.exceptions.ServiceError) as busy:  # one enrichment at a time
        enrichment.generate_enrichment_job(partial_build("ITEMS"), store.id)
    assert (busy.value.status, busy.value.code) == (409, "Conflict")
    with pytest.raises(oci.exceptions.ServiceError) as in_use:  # a store with a running job stays
        genai.delete_semantic_store(store.id)
    assert (in_use.value.status, in_use.value.code) == (409, "Conflict") and job.data.id in in_use.value.message

    admin(emulator_url, "clock", {"advanceSeconds": 61})
    done = enrichment.get_enrichment_job(store.id, job.data.id).data
    assert (done.lifecycle_state, done.percent_complete) == ("SUCCEEDED", 100.0) and done.time_finished >= done.time_started
    with pytest.raises(oci.exceptions.ServiceError) as finished:
        enrichment.cancel_enrichment_job(store.id, job.data.id)
    assert (finished.value.status, finished.value.code) == (409, "IncorrectState")


def test_cancel_goes_through_canceling(genai, enrichment, emulator_url):
    admin(emulator_url, "config", {"transitions": {"enrichmentjob": {"mode": "manual"}}})
    store = active_store(genai)
    job = enrichment.generate_enrichment_job(
        data.GenerateEnrichmentJobDetails(enrichment_job_configuration=data.FullBuildEnrichmentJobConfiguration(schema_name="SALES")),
        store.id,
    ).data
    with pytest.raises(oci.exceptions.ServiceError) as stale:
        enrichment.cancel_enrichment_job(store.id, job.id, if_match="stale")
    assert stale.value.status == 412
    canceling = enrichment.cancel_enrichment_job(store.id, job.id)
    assert canceling.data.lifecycle_state == "CANCELING"
    assert admin(emulator_url, "transitions/complete", {"kind": "enrichmentjob"}) == {"completed": 1}
    assert enrichment.get_enrichment_job(store.id, job.id).data.lifecycle_state == "CANCELED"


def test_list_filters_sorts_and_pages(genai, enrichment):
    store = active_store(genai)
    made = []
    for table in ("A", "B", "C"):
        made.append(enrichment.generate_enrichment_job(partial_build(table), store.id).data.id)
        enrichment.get_enrichment_job(store.id, made[-1])  # lands it (delay 0)
    everything = oci.pagination.list_call_get_all_results(enrichment.list_enrichment_jobs, store.id, COMPARTMENT, limit=2).data
    assert [j.id for j in everything] == list(reversed(made))
    assert {j.lifecycle_state for j in everything} == {"SUCCEEDED"}
    assert enrichment.list_enrichment_jobs(store.id, COMPARTMENT, lifecycle_state="IN_PROGRESS").data.items == []
    assert enrichment.list_enrichment_jobs(store.id, OTHER_COMPARTMENT).data.items == []
    other = active_store(genai, "other")
    assert enrichment.list_enrichment_jobs(other.id, COMPARTMENT).data.items == []


def test_bad_requests(genai, enrichment, sql):
    store = active_store(genai)
    with pytest.raises(oci.exceptions.ServiceError) as missing:
        enrichment.generate_enrichment_job(partial_build("X"), MISSING_STORE)
    assert missing.value.status == 404
    with pytest.raises(oci.exceptions.ServiceError) as schema:
        enrichment.generate_enrichment_job(partial_build("X", schema="HR"), store.id)
    assert (schema.value.status, schema.value.code) == (400, "InvalidParameter") and "SALES" in schema.value.message
    with pytest.raises(oci.exceptions.ServiceError) as model:
        sql.generate_sql_from_nl(data.GenerateSqlFromNlDetails(
            input_natural_language_query="How many orders?", model_id="ocid1.generativeaimodel.oc1..nope"), store.id)
    assert (model.value.status, model.value.code) == (400, "RelatedResourceNotAuthorizedOrNotFound")
    with pytest.raises(oci.exceptions.ServiceError) as blank:
        sql.generate_sql_from_nl(data.GenerateSqlFromNlDetails(input_natural_language_query="  "), store.id)
    assert blank.value.status == 400
    with pytest.raises(oci.exceptions.ServiceError) as foreign_job:
        enrichment.get_enrichment_job(active_store(genai, "b").id, enrichment.generate_enrichment_job(partial_build("X"), store.id).data.id)
    assert foreign_job.value.status == 404


def test_sql_from_a_question_over_the_tables_enrichment_found(genai, enrichment, sql):
    store = active_store(genai)
    enrichment.generate_enrichment_job(partial_build("ORDERS", "CUSTOMERS"), store.id)
    job = sql.generate_sql_from_nl(
        data.GenerateSqlFromNlDetails(input_natural_language_query="How many customers are there?"), store.id
    )
    assert job.data.lifecycle_state == "ACCEPTED" and job.data.job_output is None
    done = sql.get_generate_sql_from_nl_job(store.id, job.data.id).data
    assert done.lifecycle_state == "SUCCEEDED" and done.job_output.job_output_location == "INLINE"
    assert done.job_output.content == "SELECT COUNT(*) FROM SALES.CUSTOMERS"

    waited = sql.generate_sql_from_nl(
        data.GenerateSqlFromNlDetails(input_natural_language_query="Show the top 5 orders by amount",
                                      completion_mode="WAIT_FOR_COMPLETION"), store.id
    ).data
    assert waited.lifecycle_state == "SUCCEEDED"
    assert waited.job_output.content == "SELECT AMOUNT FROM SALES.ORDERS FETCH FIRST 5 ROWS ONLY"


def test_sql_from_a_rule(genai, sql, emulator_url):
    admin(emulator_url, "rules", {"rules": [{"pattern": "revenue", "reply": "```sql\nSELECT SUM(AMOUNT) FROM SALES.ORDERS\n```"}]})
    store = active_store(genai)
    job = sql.generate_sql_from_nl(data.GenerateSqlFromNlDetails(
        input_natural_language_query="What is our revenue?", completion_mode="WAIT_FOR_COMPLETION"), store.id).data
    assert job.job_output.content == "SELECT SUM(AMOUNT) FROM SALES.ORDERS"


def test_jobs_survive_export_and_import(genai, enrichment, emulator_url):
    admin(emulator_url, "config", {"transitions": {"enrichmentjob": {"mode": "manual"}}})
    store = active_store(genai)
    job = enrichment.generate_enrichment_job(partial_build("ORDERS"), store.id).data
    snapshot = admin(emulator_url, "state")
    admin(emulator_url, "reset", {})
    admin(emulator_url, "state", snapshot)
    assert enrichment.get_enrichment_job(store.id, job.id).data.lifecycle_state == "IN_PROGRESS"
    admin(emulator_url, "transitions/complete", {"kind": "enrichmentjob"})
    assert enrichment.get_enrichment_job(store.id, job.id).data.lifecycle_state == "SUCCEEDED"


def test_the_cli_generates_sql(genai, oci_cli):
    store = active_store(genai)
    made = oci_cli("generative-ai-data", "generate-sql-jobs", "generate", "--semantic-store-id", store.id,
                   "--nl-query", "list all products", "--completion-mode", "WAIT_FOR_COMPLETION").json
    assert made["data"]["job-output"]["content"] == "SELECT * FROM SALES.PRODUCTS"
    oci_cli("generative-ai-data", "enrichment-jobs", "generate-full-build", "--semantic-store-id", store.id,
            "--schema-name", "SALES")
    listed = oci_cli("generative-ai-data", "enrichment-jobs", "list", "--semantic-store-id", store.id,
                     "--compartment-id", COMPARTMENT).json
    assert len(listed["data"]["items"]) == 1


def test_a_store_refreshed_on_create_starts_with_a_full_build(genai, enrichment):
    store = active_store(genai, refresh_schedule=models.RefreshScheduleOnCreateDetails())
    (job,) = enrichment.list_enrichment_jobs(store.id, COMPARTMENT).data.items
    assert (job.enrichment_job_type, job.lifecycle_state, job.display_name) == ("FULL_BUILD", "SUCCEEDED", "on-create")


def test_retry_tokens_replay_and_other_tenancies_see_nothing(genai, sql, emulator_url, other_oci_config):
    store = active_store(genai)
    ask = data.GenerateSqlFromNlDetails(input_natural_language_query="How many orders?")
    first = sql.generate_sql_from_nl(ask, store.id, opc_retry_token="ask-once").data
    again = sql.generate_sql_from_nl(ask, store.id, opc_retry_token="ask-once").data
    assert again.id == first.id
    other = oci.generative_ai_data.GenerateSqlClient(
        other_oci_config, service_endpoint=emulator_url, retry_strategy=oci.retry.NoneRetryStrategy()
    )
    for call in (lambda: other.get_generate_sql_from_nl_job(store.id, first.id), lambda: other.generate_sql_from_nl(ask, store.id)):
        with pytest.raises(oci.exceptions.ServiceError) as exc:
            call()
        assert exc.value.status == 404
