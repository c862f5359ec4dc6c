"""The data API (``oci.generative_ai_data``): a semantic store's enrichment jobs and NL2SQL jobs.

One machine per example owns one ACTIVE semantic store and drives its jobs: an enrichment is
accepted (while one runs, another is refused with 409, and so is deleting the store), lands
SUCCEEDED, or is cancelled through CANCELING (a finished one cannot be: 409); a SQL job is
accepted without output and, once landed, answers a SELECT. After every step the store's job
list is exactly the machine's enrichment jobs, each in the state the machine expects.
"""

from __future__ import annotations

import oci
import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from oci.generative_ai import models
from oci.generative_ai_data import models as data

from .machines import expect_error
from .rules import CountsKeyRules
from .test_semantic_stores import CONNECTION

TABLES = st.lists(st.sampled_from(["ORDERS", "CUSTOMERS", "ITEMS"]), min_size=1, max_size=2, unique=True)
QUESTIONS = st.sampled_from(["How many orders are there?", "Show the top 3 customers", "Average amount of items"])
RUNNING = ("ACCEPTED", "IN_PROGRESS")


class SemanticStoreJobMachine(CountsKeyRules, RuleBasedStateMachine):
    KEY_RULES = ("enrich", "busy enrich 409", "busy store delete 409", "cancel", "cancel finished 409", "sql",
                 "list jobs")

    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx
        self.count_key_rules(ctx.tally)
        endpoint = {"service_endpoint": ctx.target.endpoint} if ctx.target.endpoint else {}
        never = oci.retry.NoneRetryStrategy()
        self.enrichment = oci.generative_ai_data.EnrichmentJobClient(ctx.target.config, retry_strategy=never, **endpoint)
        self.sql = oci.generative_ai_data.GenerateSqlClient(ctx.target.config, retry_strategy=never, **endpoint)
        created = ctx.genai.create_semantic_store(models.CreateSemanticStoreDetails(
            compartment_id=ctx.compartment, display_name="jobs",
            data_source=models.CreateDataSourceDatabaseToolsConnectionDetails(
                querying_connection_id=CONNECTION + "q", enrichment_connection_id=CONNECTION + "e"),
            schemas=models.CreateSchemasDatabaseToolsConnectionDetails(schemas=[models.SchemaItem(name="SALES")]),
            freeform_tags=ctx.tags(),
        ))
        ctx.remember(created.data.id)
        ctx.wait_for_work_request(created.headers["opc-work-request-id"])
        self.store = created.data.id
        self.jobs: dict[str, str] = {}  # enrichment job id -> the state it must read

    def running(self) -> list[str]:
        return [j for j, state in self.jobs.items() if state in RUNNING]

    def land(self, job_id: str) -> None:
        self.ctx.transitions.land(job_id)

    @rule(tables=TABLES, full=st.booleans())
    def enrich(self, tables, full):
        config = (data.FullBuildEnrichmentJobConfiguration(schema_name="SALES") if full else
                  data.PartialBuildEnrichmentJobConfiguration(
                      schema_name="SALES", database_objects=[data.DatabaseObject(type="TABLE", name=t) for t in tables]))
        details = data.GenerateEnrichmentJobDetails(enrichment_job_configuration=config)
        if self.running():
            expect_error(409, ("Conflict",), lambda: self.enrichment.generate_enrichment_job(details, self.store))
            self.ran("busy enrich 409")
            return
        job = self.enrichment.generate_enrichment_job(details, self.store).data
        assert job.lifecycle_state == "ACCEPTED" and job.semantic_store_id == self.store and job.model_id
        assert job.enrichment_job_type == ("FULL_BUILD" if full else "PARTIAL_BUILD")
        self.jobs[job.id] = "IN_PROGRESS"
        expect_error(409, ("Conflict",), lambda: self.ctx.genai.delete_semantic_store(self.store))
        self.ran("busy store delete 409")
        self.ran("enrich")

    @precondition(lambda self: self.running())
    @rule()
    def finish_the_running_job(self):
        (job_id,) = self.running()
        self.land(job_id)
        done = self.enrichment.get_enrichment_job(self.store, job_id).data
        assert (done.lifecycle_state, done.percent_complete) == ("SUCCEEDED", 100.0) and done.time_finished
        self.jobs[job_id] = "SUCCEEDED"

    @precondition(lambda self: self.running())
    @rule()
    def cancel_the_running_job(self):
        (job_id,) = self.running()
        assert self.enrichment.cancel_enrichment_job(self.store, job_id).data.lifecycle_state == "CANCELING"
        self.land(job_id)
        assert self.enrichment.get_enrichment_job(self.store, job_id).data.lifecycle_state == "CANCELED"
        self.jobs[job_id] = "CANCELED"
        self.ran("cancel")

    @precondition(lambda self: any(state not in RUNNING for state in self.jobs.values()))
    @rule(data=st.data())
    def cancel_a_finished_job(self, data):
        job_id = data.draw(st.sampled_from(sorted(j for j, s in self.jobs.items() if s not in RUNNING)), label="job")
        expect_error(409, ("IncorrectState",), lambda: self.enrichment.cancel_enrichment_job(self.store, job_id))
        self.ran("cancel finished 409")

    @rule(question=QUESTIONS)
    def generate_sql(self, question):
        job = self.sql.generate_sql_from_nl(data.GenerateSqlFromNlDetails(input_natural_language_query=question),
                                            self.store).data
        assert job.lifecycle_state == "ACCEPTED" and job.job_output is None
        self.land(job.id)
        done = self.sql.get_generate_sql_from_nl_job(self.store, job.id).data
        assert done.lifecycle_state == "SUCCEEDED" and done.job_output.content.startswith("SELECT ")
        assert "SALES." in done.job_output.content and done.input_natural_language_query == question
        self.ran("sql")

    @invariant()
    def the_store_lists_its_jobs(self):
        items = oci.pagination.list_call_get_all_results(
            self.enrichment.list_enrichment_jobs, self.store, self.ctx.compartment, limit=2).data
        assert {j.id: j.lifecycle_state for j in items} == self.jobs
        if self.jobs:
            self.ran("list jobs")

    def teardown(self):
        for job_id in self.running():
            self.land(job_id)
        deleted = self.ctx.genai.delete_semantic_store(self.store)
        self.ctx.wait_for_work_request(deleted.headers["opc-work-request-id"])


@pytest.mark.emulator_only("a tenancy needs Database Tools connections, which the suite does not make")
def test_semantic_store_jobs(contract):
    run_state_machine_as_test(lambda: SemanticStoreJobMachine(contract), settings=contract.settings)
    missing = contract.tally.missing(SemanticStoreJobMachine.__name__)
    assert not missing, f"key rules that never ran: {', '.join(missing)}"
