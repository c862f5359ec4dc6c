"""The contract kit's own parts: snapshot normalization and lossless structural comparison, the
allow-list, provenance and the recording guard, the strict response checks, options from the
environment, the resource budget and its shares, the key-rule tally, the cost estimate and
``run``'s test paths."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import admin
from contract_tests.__main__ import names_tests
from contract_tests.checks import ContractViolation, Exchange, SpecChecker
from contract_tests.context import Budget, divide
from contract_tests.cost import Cluster, estimate
from contract_tests.options import RunOptions
from contract_tests.rules import Tally
from contract_tests.snapshots import RecordingRefused, SnapshotBook, allowed, compare, normalize
from processes import ROOT

CLUSTER_ID = "ocid1.generativeaidedicatedaicluster.oc1.us-chicago-1.amaaaaaaabc123"
CHECKER = SpecChecker()  # the real specs/, with openapi-core


def cluster(**fields) -> dict:
    """A dedicated AI cluster as the service answers it (every field the SDK marks [Required])."""
    return {
        "id": CLUSTER_ID, "type": "HOSTING", "compartmentId": "ocid1.compartment.oc1..aaaaaaaaone",
        "timeCreated": "2026-01-02T03:04:05.678Z", "lifecycleState": "ACTIVE", "unitCount": 1,
        "unitShape": "SMALL_COHERE_V2", **fields,
    }


def exchange(body, path=f"/20231130/dedicatedAiClusters/{CLUSTER_ID}", status=200, method="GET") -> Exchange:
    return Exchange(method, "http://emulator" + path, {}, None, status, {"content-type": "application/json"},
                    json.dumps(body).encode())


def enums(operation: str, status: int = 200):
    """The paths the spec enumerates in ``operation``'s answer, for comparing with them."""
    return lambda body: set(CHECKER.enum_fields(operation, status, body))


def record(body: dict, status: int = 200, headers=("etag",)) -> dict:
    return {"status": status, "contentType": "application/json", "headers": list(headers), "body": normalize(body)}


def test_normalize_masks_volatile_values_and_sorts_lists():
    body = {
        "id": CLUSTER_ID,
        "timeCreated": "2026-01-02T03:04:05.678Z",
        "entityUri": f"/20231130/dedicatedAiClusters/{CLUSTER_ID}",
        "displayName": "contract-hosting-20260102t030405-1a2b3c",
        "requestId": "dfb19e7a-364a-45e2-9ecc-b7ebefabc21c",
        "etag": "abc",
        "capabilities": ["TEXT_GENERATION", "CHAT"],
        "embedding": list(range(20)),
    }
    assert normalize(body) == {
        "id": "<ocid>",
        "timeCreated": "<time>",
        "entityUri": "/20231130/dedicatedAiClusters/<ocid>",
        "displayName": "contract-hosting-<run-id>",
        "requestId": "<uuid>",
        "etag": "<etag>",
        "capabilities": ["CHAT", "TEXT_GENERATION"],
        "embedding": list(range(8)),
    }


def test_compare_reports_structure_not_values():
    snapshot = record({"id": CLUSTER_ID, "lifecycleState": "ACTIVE", "unitCount": 1, "capacity": {"used": 0}})
    same_shape = record({"id": "ocid1.x.oc1..b", "lifecycleState": "ACTIVE", "unitCount": 7, "capacity": {"used": 3}})
    paths = enums("get_dedicated_ai_cluster")(snapshot["body"])
    assert paths == {"lifecycleState"}
    assert compare("get_dedicated_ai_cluster", "active", snapshot, same_shape, paths) == []

    drifted = record({"id": CLUSTER_ID, "lifecycleState": "FAILED", "unitCount": "1", "extra": True}, headers=())
    found = {(d.path, d.kind) for d in compare("get_dedicated_ai_cluster", "active", snapshot, drifted, paths)}
    assert found == {
        ("lifecycleState", "type"),  # another enum value
        ("unitCount", "type"),
        ("extra", "extra"),
        ("capacity", "missing"),
        ("capacity.used", "missing"),
        ("@header.etag", "missing"),
    }


def test_compare_loses_nothing_that_carries_meaning():
    """Enum values in any letter case (the spec says which fields are enums), integers against
    numbers, a field that only some list items have, and an enum value the spec does not know."""
    snapshot = record(cluster())
    paths = enums("get_dedicated_ai_cluster")(snapshot["body"])
    mixed_case = record(cluster(lifecycleState="Active"))
    assert [(d.path, d.kind) for d in compare("get", "c", snapshot, mixed_case, paths)] == [("lifecycleState", "type")]
    as_float = record(cluster(unitCount=1.0))
    assert [(d.path, d.expected, d.actual) for d in compare("get", "c", snapshot, as_float, paths)] == [
        ("unitCount", ("integer",), ("number",))
    ]

    listed = record({"items": [cluster(), cluster(displayName="b")]})
    one_lacks_it = record({"items": [cluster(displayName="a"), cluster()]})
    every = record({"items": [cluster(displayName="a"), cluster(displayName="b")]})
    list_paths = enums("list_dedicated_ai_clusters")(listed["body"])
    assert [(d.path, d.kind) for d in compare("list", "c", every, one_lacks_it, list_paths)] == [
        ("items[].displayName", "type")  # missing from some items
    ]
    assert compare("list", "c", one_lacks_it, listed, list_paths) == []

    book = SnapshotBook(enum_fields=CHECKER.enum_fields)
    book.current = "case"
    book.observe(CHECKER.operation("GET", f"/20231130/dedicatedAiClusters/{CLUSTER_ID}"),
                 exchange(cluster(lifecycleState="HIBERNATING")))
    assert [(d.path, d.kind, d.actual) for d in book.unknown] == [("lifecycleState", "unknown enum", ("HIBERNATING",))]


def test_allowed_differences_match_operation_case_path_and_kind_but_never_a_status():
    snapshot = record({"lifecycleState": "ACTIVE"})
    (difference,) = compare("get_model", "deleted", snapshot, record({"lifecycleState": "DELETED"}), {"lifecycleState"})
    assert allowed(difference, [{"operation": "get_*", "case": "deleted", "reason": "purged"}])
    assert not allowed(difference, [{"operation": "get_*", "case": "active"}])
    assert not allowed(difference, [{"path": "lifecycleState", "kind": "missing"}])
    assert allowed(difference, [{"path": "lifecycle*", "kind": "type"}])
    gone = record({"code": "NotAuthorizedOrNotFound", "message": "x"}, status=404, headers=())
    status = next(d for d in compare("get_model", "deleted", snapshot, gone) if d.path == "@status")
    assert not allowed(status, [{"operation": "get_*", "case": "deleted", "reason": "a 404 is no 200"}])


def test_snapshot_book_records_with_provenance_then_compares(tmp_path):
    book = SnapshotBook(tmp_path, provenance={"target": "emulator", "sdk": "2.189.0"}, enum_fields=CHECKER.enum_fields)
    book.seen[("get_model", "base")] = record({"id": CLUSTER_ID, "type": "BASE"})
    (path,) = book.record()
    provenance = json.loads(path.read_text())["cases"]["base"]["provenance"]
    assert provenance["target"] == "emulator" and provenance["sdk"] == "2.189.0" and provenance["recordedOn"]
    assert book.differences() == ([], []) and book.sources() == {"emulator"}
    book.seen[("get_model", "base")] = record({"id": CLUSTER_ID, "type": "CUSTOM"})
    book.seen[("get_model", "unknown")] = record({})
    differences, missing = book.differences()
    assert [d.path for d in differences] == ["type"] and missing == ["get_model [unknown]"]
    (tmp_path / "ALLOWED_DIFFERENCES.json").write_text(json.dumps({"allowed": [{"path": "type", "reason": "test"}]}))
    assert book.differences()[0] == []


def test_the_emulator_never_overwrites_a_recording_made_against_oci(tmp_path):
    from_oci = SnapshotBook(tmp_path, provenance={"target": "oci", "region": "us-chicago-1"})
    from_oci.seen[("get_model", "base")] = record({"type": "BASE"})
    from_oci.record()
    before = (tmp_path / "get_model.json").read_text()
    emulator = SnapshotBook(tmp_path, provenance={"target": "emulator"})
    emulator.seen[("get_model", "base")] = record({"type": "CUSTOM"})
    emulator.seen[("get_model", "other")] = record({"type": "BASE"})
    with pytest.raises(RecordingRefused, match=r"get_model \[base\]"):
        emulator.record()
    assert (tmp_path / "get_model.json").read_text() == before, "a refused recording wrote something"
    from_oci.seen[("get_model", "base")] = record({"type": "CUSTOM"})
    from_oci.record()  # a tenancy may re-record its own
    assert json.loads((tmp_path / "get_model.json").read_text())["cases"]["base"]["body"]["type"] == "CUSTOM"


def test_response_schemas_are_strict():
    """Through openapi-core and the committed specs: what the SDK marks [Required] is required and
    never null; enums are closed, except that against OCI a value the SDK itself tolerates (reads as
    UNKNOWN_ENUM_VALUE) is noted instead of failed."""
    CHECKER.check(exchange(cluster()))
    for broken in (cluster(lifecycleState=None), {k: v for k, v in cluster().items() if k != "unitShape"},
                   cluster(lifecycleState="Active"), cluster(unitCount="1")):
        with pytest.raises(ContractViolation):
            CHECKER.check(exchange(broken))
    CHECKER.check(exchange(cluster(description=None)))  # an optional field may be null

    tolerant = SpecChecker(tolerate_unknown_enums=True)
    tolerant.check(exchange(cluster(lifecycleState="HIBERNATING")))
    assert tolerant.unknown_enums == {("get_dedicated_ai_cluster", "lifecycleState", "HIBERNATING")}
    with pytest.raises(ContractViolation):
        tolerant.check(exchange(cluster(lifecycleState=None)))


def test_a_base_model_may_have_no_compartment_but_only_known_capabilities():
    """specs/overlay.json's one exception: base models are listed with compartmentId null."""
    path = "/20231130/models/ocid1.generativeaimodel.oc1.us-chicago-1.amaaaaaaabc"
    model = {"id": "ocid1.generativeaimodel.oc1.us-chicago-1.amaaaaaaabc", "compartmentId": None,
             "capabilities": ["CHAT"], "lifecycleState": "ACTIVE", "timeCreated": "2026-01-02T03:04:05.678Z",
             "type": "BASE"}
    CHECKER.check(exchange(model, path))
    with pytest.raises(ContractViolation):
        CHECKER.check(exchange({**model, "capabilities": ["TELEPATHY"]}, path))


def test_options_come_from_the_command_line_then_the_environment(monkeypatch):
    monkeypatch.setenv("OCI_CONTRACT_TARGET", "oci")
    monkeypatch.setenv("OCI_CONTRACT_ALLOW_COSTLY", "yes")
    monkeypatch.setenv("OCI_CONTRACT_MAX_RESOURCES", "3")
    monkeypatch.setenv("OCI_CONTRACT_HYPOTHESIS_PROFILE", "nightly")
    monkeypatch.setenv("OCI_CONTRACT_OTHER_TENANCY_PROFILE", "OTHER")
    given = {"compartment_id": "ocid1.compartment.oc1..aaaaaaaaone", "max_resources": 5}
    options = RunOptions.resolve(lambda dest: given.get(dest))
    assert (options.target, options.allow_costly, options.max_resources) == ("oci", True, 5)
    assert options.other_tenancy_profile == "OTHER"
    assert options.hypothesis_profile == "nightly" and options.wait_timeout == 5400 and options.run_id
    assert options.problems() == []
    monkeypatch.delenv("OCI_CONTRACT_MAX_RESOURCES")
    assert RunOptions.resolve(lambda dest: None).max_resources == 10  # the default cap on a tenancy
    assert RunOptions.resolve(lambda dest: None).problems()  # no compartment on a tenancy
    monkeypatch.setenv("OCI_CONTRACT_TARGET", "cloud")
    with pytest.raises(ValueError):
        RunOptions.resolve(lambda dest: None)


def test_budget_caps_resources_overall_per_label_and_per_share():
    budget = Budget(3)
    assert budget.reserve("cluster", label_limit=1)
    assert not budget.available("cluster", label_limit=1) and budget.available("endpoint")
    assert budget.reserve("endpoint") and budget.reserve("endpoint")
    assert not budget.reserve("endpoint")
    budget.release("endpoint")
    assert budget.reserve("endpoint")
    assert Budget(None).available()

    run = Budget(5)
    first, second = run.share(2), run.share(4)
    assert first.reserve() and first.reserve() and not first.reserve()  # its own share is spent
    assert second.reserve() and second.reserve() and second.reserve()
    assert not second.available() and run.used == 5  # the run's cap holds across shares
    second.release()
    assert run.used == 4 and second.available()


def test_the_cap_is_divided_among_the_tests_after_the_shared_clusters():
    assert divide(10, ["a", "b", "c"], fixtures=2) == {"a": 3, "b": 3, "c": 2}
    assert divide(3, ["a", "b", "c"], fixtures=2) == {"a": 1, "b": 0, "c": 0}
    assert divide(None, ["a"], fixtures=2) == {"a": None}


def test_the_tally_names_the_key_rules_that_never_ran():
    tally = Tally()
    tally.declare("M", ("create", "stale etag 412", "change compartment"))
    tally.ran("M", "create")
    tally.ran("M", "create")
    assert tally.missing("M") == ["stale etag 412", "change compartment"]
    assert tally.missing("M", excused=("change compartment",)) == ["stale etag 412"]
    assert tally.report() == ["M: create x2, stale etag 412 x0, change compartment x0"]
    with pytest.raises(AssertionError):
        tally.ran("M", "a rule it never declared")


def test_cost_estimate_counts_shared_clusters_once():
    hosting = Cluster("shared hosting", "HOSTING", "SMALL_COHERE_V2", 1)
    tuning = Cluster("tuning", "FINE_TUNING", "SMALL_COHERE_V2", 8)
    lines = estimate({"a": [hosting], "b": [hosting, tuning], "c": []}, 10.0, 4)
    assert lines[0].startswith("COST ESTIMATE (an estimate")
    assert any("744 unit-hours" in line for line in lines)
    assert "total: 760 unit-hours x USD 10.00 = about USD 7,600.00" in "\n".join(lines)
    assert "at most 4 resources" in lines[-1]


def test_run_passes_the_folder_unless_tests_of_it_are_named():
    assert names_tests(["contract_tests/test_clusters.py", "-q"])
    assert names_tests(["contract_tests/test_clusters.py::test_dedicated_ai_clusters"])
    assert not names_tests(["--ignore", "contract_tests/test_clusters.py", "-q"])
    assert not names_tests(["--target", "oci", "--oci-config-file", "tests/conftest.py"])


def test_a_run_on_an_emulator_you_run_gives_it_back_its_policies(emulator_url, tmp_path):
    """``--emulator-url``: for the run the kit makes transitions manual (and lands them itself);
    after it the emulator has the policies it had."""
    policy = {"mode": "delay", "seconds": 7.0, "outcome": "SUCCEEDED"}
    admin(emulator_url, "config", {"transitions": {"endpoint": policy}})
    before = admin(emulator_url, "config")["transitions"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCI_CONTRACT_")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--basetemp", str(tmp_path / "run"),
         "--emulator-url", emulator_url, "contract_tests/test_lifecycle.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    assert admin(emulator_url, "config")["transitions"] == before
    assert before["endpoint"] == policy
