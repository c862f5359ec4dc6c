"""The data API (``oci.generative_ai_data``, ``/20260325``): a semantic store's enrichment jobs and
natural-language-to-SQL jobs.

A job is answered ``ACCEPTED``, is ``IN_PROGRESS`` from then on and ends ``SUCCEEDED`` (or
``FAILED``) when its transition lands on the emulator's clock (the ``enrichmentjob`` and
``generatesqlfromnljob`` transition policies, like any kind's); a cancelled enrichment job goes
``CANCELING`` -> ``CANCELED`` the same way. A SQL job's ``jobOutput`` (the SQL, from the
generators: ``inference/generators/sql.py``) appears once it has SUCCEEDED; with
``completionMode: WAIT_FOR_COMPLETION`` the answer is the finished job (unless the policy is manual:
then the wait "times out" and the job runs in the background).

Known differences (undocumented, guessed): ``if-match`` on generate compares the store's etag;
a store runs one enrichment job at a time (409 Conflict), and its schema must be the one the
configuration names; a list names the store's compartment (another compartment lists nothing);
no work request is made (this API has none to read it with).
"""

from __future__ import annotations

from .. import lifecycle
from ..call import Call, Result, operation
from ..inference.generators.sql import sql_for
from ..kinds import ResourceKind
from ..protocol import errors
from ..protocol.ids import new_etag
from ..store import Record
from . import models, resources

ENRICHMENT = ResourceKind(
    name="enrichmentjob",
    label="enrichment job",
    model="EnrichmentJob",
    api="generative_ai_data",
    type_token="generativeaisemanticstorejob",
    list_operation="list_enrichment_jobs",
)
SQL = ResourceKind(
    name="generatesqlfromnljob",
    label="SQL generation job",
    model="GenerateSqlFromNlJob",
    api="generative_ai_data",
    type_token="generativeaisemanticstoresqljob",
)
KINDS = (ENRICHMENT, SQL)
STORE = "semanticstore"  # semantic_stores.KIND's name (that module builds on this one)
# the model enrichment and SQL generation use when the store names none (Oracle does not say which)
DEFAULT_MODEL = "meta.llama-3.3-70b-instruct"
CANCELLABLE = ("ACCEPTED", "IN_PROGRESS")
RUNNING = ("ACCEPTED", "IN_PROGRESS", "CANCELING")
DESCRIBED = ("displayName", "description", "freeformTags", "definedTags")  # what a request gives its job


def _store(call: Call, settled: bool = False) -> Record:
    """The store of the path (404); for a new job, ACTIVE and matching ``if-match`` (the store's etag)."""
    kind = call.env.kinds[STORE]
    store = resources.load(call, kind, call.path["semanticStoreId"])
    if store.doc["lifecycleState"] == "DELETED":
        raise errors.not_found()
    if settled:
        if call.if_match is not None and call.if_match != store.etag:
            raise errors.no_etag_match()
        resources.require_active(kind, store)
    return store


def check_model(call: Call, model_id: str, field: str) -> None:
    """A model a store's jobs can use: a base model of the catalog or a custom model of the tenancy."""
    if model_id not in call.env.catalog.by_id and call.store.get(models.KIND.name, model_id, call.tenancy) is None:
        raise errors.related_not_found(
            f"The model given in '{field}' ({model_id}) does not exist or you are not authorized to use it."
        )


def model_of(call: Call, store: Record) -> str:
    """The model a store's jobs use: its custom model, or the service's default."""
    selection = store.doc.get("modelSelection") or {}
    if selection.get("modelSelectionType") == "CUSTOM":
        return selection["modelId"]
    return next(m.id for m in call.env.catalog.models if m.name == DEFAULT_MODEL)


def running_jobs(call: Call, store_id: str) -> list[Record]:
    found = [r for kind in KINDS for r in call.store.find(kind.name, call.tenancy, semanticStoreId=store_id)]
    return [r for r in found if r.doc["lifecycleState"] in RUNNING]


def _job(call: Call, kind: ResourceKind, store: Record, param: str) -> Record:
    job = resources.load(call, kind, call.path[param])
    if job.doc["semanticStoreId"] != store.id:
        raise errors.not_found()
    return job


def _start(call: Call, kind: ResourceKind, store: Record, doc: dict, on_finish: dict, at_once: bool = False) -> Result:
    """Accept a job: answered ACCEPTED, IN_PROGRESS from the next call on, done when its transition lands."""
    rid = kind.new_id(call.env.settings.region)
    accepted = {
        "id": rid,
        "semanticStoreId": store.id,
        **doc,
        "timeAccepted": call.stamp,
        "lifecycleState": "ACCEPTED",
        "lifecycleDetails": f"The {kind.label} is accepted.",
        "freeformTags": doc.get("freeformTags", {}),
        "definedTags": doc.get("definedTags", {}),
        "systemTags": {},
    }
    accepted.setdefault("displayName", f"{kind.name}-{call.stamp[:19].replace(':', '')}")
    running = dict(accepted, lifecycleState="IN_PROGRESS", timeStarted=call.stamp,
                   lifecycleDetails=f"The {kind.label} is in progress.")
    rec = Record(kind.name, rid, call.tenancy, running, new_etag())
    lifecycle.schedule(call.store, kind, rec, call.now, target="SUCCEEDED", on_finish=on_finish, ends="timeFinished")
    with call.store.transaction():
        call.store.insert(rec)
        if at_once:
            lifecycle.finish(call.store, rec, call.now)
            return Result(body=rec.doc, etag=rec.etag)
    return Result(body=accepted, etag=rec.etag)


# -- enrichment jobs ------------------------------------------------------------------------------
@operation
def generate_enrichment_job(call: Call) -> Result:
    store = _store(call, settled=True)
    configuration = call.body["enrichmentJobConfiguration"]
    schemas = [s["name"] for s in store.doc["schemas"]["schemas"]]
    if configuration["schemaName"] not in schemas:
        raise errors.invalid_parameter(
            f"Invalid enrichmentJobConfiguration.schemaName {configuration['schemaName']!r}: the semantic store "
            f"covers the schema {', '.join(schemas)}."
        )
    running = [j for j in running_jobs(call, store.id) if j.kind == ENRICHMENT.name]
    if running:
        raise errors.conflict(f"The semantic store {store.id} is already being enriched by {running[0].id}.")
    return _enrich(call, store, configuration, {k: v for k, v in call.body.items() if k in DESCRIBED})


def _enrich(call: Call, store: Record, configuration: dict, doc: dict) -> Result:
    doc = dict(
        doc,
        enrichmentJobType=configuration["enrichmentJobType"],
        enrichmentJobConfiguration=configuration,
        modelId=model_of(call, store),
        percentComplete=0.0,
    )
    done = {"percentComplete": 100.0, "lifecycleDetails": f"The schema {configuration['schemaName']} is enriched."}
    return _start(call, ENRICHMENT, store, doc, done)


def enrich_on_create(call: Call, store: Record) -> None:
    """A store whose refresh schedule is ON_CREATE is enriched (a full build) right after it is created."""
    schema = store.doc["schemas"]["schemas"][0]["name"]
    configuration = {"enrichmentJobType": "FULL_BUILD", "schemaName": schema}
    _enrich(call, store, configuration, {"displayName": "on-create", "description": "Enrichment on create."})


@operation
def get_enrichment_job(call: Call) -> Result:
    job = _job(call, ENRICHMENT, _store(call), "enrichmentJobId")
    return Result(body=job.doc, etag=job.etag)


@operation
def list_enrichment_jobs(call: Call) -> Result:
    store = _store(call)
    if store.compartment != call.query["compartmentId"]:
        return Result(body={"items": []})
    return resources.list_page(call, ENRICHMENT, within={"semanticStoreId": store.id})


@operation
def cancel_enrichment_job(call: Call) -> Result:
    job = _job(call, ENRICHMENT, _store(call), "enrichmentJobId")
    if call.if_match is not None and call.if_match != job.etag:
        raise errors.no_etag_match()
    state = job.doc["lifecycleState"]
    if state not in CANCELLABLE:
        raise errors.incorrect_state(f"The enrichment job {job.id} is {state}; only a running job can be canceled.")
    job.doc.update(lifecycleState="CANCELING", lifecycleDetails="Canceling the enrichment job.")
    lifecycle.schedule(call.store, ENRICHMENT, job, call.now, target="CANCELED",
                       on_finish={"lifecycleDetails": "The enrichment job was canceled."}, ends="timeFinished")
    resources.save(call, job, stamp=None)
    return Result(body=job.doc, etag=job.etag)


# -- natural language to SQL ----------------------------------------------------------------------
def known_tables(call: Call, store: Record) -> list[str]:
    """Tables and views the store's finished partial enrichments named."""
    jobs = call.store.find(ENRICHMENT.name, call.tenancy, semanticStoreId=store.id, lifecycleState="SUCCEEDED")
    objects = [o for j in jobs for o in j.doc["enrichmentJobConfiguration"].get("databaseObjects") or []]
    return list(dict.fromkeys(o["name"] for o in objects if o.get("type") in ("TABLE", "VIEW")))


@operation
def generate_sql_from_nl(call: Call) -> Result:
    store = _store(call, settled=True)
    body = call.body
    question = body["inputNaturalLanguageQuery"].strip()
    if not question:
        raise errors.invalid_parameter("inputNaturalLanguageQuery is empty: ask a question.")
    if "modelId" in body:
        check_model(call, body["modelId"], "modelId")
    model_id = body.get("modelId") or model_of(call, store)
    schema = store.doc["schemas"]["schemas"][0]["name"]
    sql = sql_for(call, question, schema, known_tables(call, store), model_id)
    doc = {k: v for k, v in body.items() if k in DESCRIBED}
    doc.update(inputNaturalLanguageQuery=question, modelId=model_id)
    done = {"jobOutput": {"jobOutputLocation": "INLINE", "content": sql}, "lifecycleDetails": "The SQL is generated."}
    waits = body.get("completionMode") == "WAIT_FOR_COMPLETION"
    at_once = waits and lifecycle.policy_of(call.store, SQL.name)["mode"] != "manual"
    return _start(call, SQL, store, doc, done, at_once=at_once)


@operation
def get_generate_sql_from_nl_job(call: Call) -> Result:
    job = _job(call, SQL, _store(call), "generateSqlFromNlJobId")
    return Result(body=job.doc, etag=job.etag)
