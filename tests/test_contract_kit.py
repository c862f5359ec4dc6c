"""The contract kit's own parts: snapshot normalization and structural comparison, the allow-list,
options from the environment, the resource budget, the cost estimate and ``run``'s test paths."""

from __future__ import annotations

import json

import pytest

from contract_tests.__main__ import names_tests
from contract_tests.context import Budget
from contract_tests.cost import Cluster, estimate
from contract_tests.options import RunOptions
from contract_tests.snapshots import SnapshotBook, allowed, compare, normalize

CLUSTER_ID = "ocid1.generativeaidedicatedaicluster.oc1.us-chicago-1.amaaaaaaabc123"


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
    assert compare("get_dedicated_ai_cluster", "active", snapshot, same_shape) == []

    drifted = record({"id": CLUSTER_ID, "lifecycleState": "FAILED", "unitCount": "1", "extra": True}, headers=())
    found = {(d.path, d.kind) for d in compare("get_dedicated_ai_cluster", "active", snapshot, drifted)}
    assert found == {
        ("lifecycleState", "type"),  # another enum value
        ("unitCount", "type"),
        ("extra", "extra"),
        ("capacity", "missing"),
        ("capacity.used", "missing"),
        ("@header.etag", "missing"),
    }


def test_allowed_differences_match_operation_case_path_and_kind():
    snapshot = record({"lifecycleState": "ACTIVE"})
    (difference,) = compare("get_model", "deleted", snapshot, record({"lifecycleState": "DELETED"}))
    assert allowed(difference, [{"operation": "get_*", "case": "deleted", "reason": "purged"}])
    assert not allowed(difference, [{"operation": "get_*", "case": "active"}])
    assert not allowed(difference, [{"path": "lifecycleState", "kind": "missing"}])
    assert allowed(difference, [{"path": "lifecycle*", "kind": "type"}])


def test_snapshot_book_records_then_compares(tmp_path):
    book = SnapshotBook(tmp_path, recorded_from="emulator")
    book.seen[("get_model", "base")] = record({"id": CLUSTER_ID, "type": "BASE"})
    (path,) = book.record()
    assert json.loads(path.read_text())["cases"]["base"]["recordedFrom"] == "emulator"
    assert book.differences() == ([], [])
    book.seen[("get_model", "base")] = record({"id": CLUSTER_ID, "type": "CUSTOM"})
    book.seen[("get_model", "unknown")] = record({})
    differences, missing = book.differences()
    assert [d.path for d in differences] == ["type"] and missing == ["get_model [unknown]"]
    (tmp_path / "ALLOWED_DIFFERENCES.json").write_text(json.dumps({"allowed": [{"path": "type", "reason": "test"}]}))
    assert book.differences()[0] == []


def test_options_come_from_the_command_line_then_the_environment(monkeypatch):
    monkeypatch.setenv("OCI_CONTRACT_TARGET", "oci")
    monkeypatch.setenv("OCI_CONTRACT_ALLOW_COSTLY", "yes")
    monkeypatch.setenv("OCI_CONTRACT_MAX_RESOURCES", "3")
    monkeypatch.setenv("OCI_CONTRACT_HYPOTHESIS_PROFILE", "nightly")
    given = {"compartment_id": "ocid1.compartment.oc1..aaaaaaaaone", "max_resources": 5}
    options = RunOptions.resolve(lambda dest: given.get(dest))
    assert (options.target, options.allow_costly, options.max_resources) == ("oci", True, 5)
    assert options.hypothesis_profile == "nightly" and options.wait_timeout == 5400 and options.run_id
    assert options.problems() == []
    monkeypatch.delenv("OCI_CONTRACT_MAX_RESOURCES")
    assert RunOptions.resolve(lambda dest: None).max_resources == 10  # the default cap on a tenancy
    assert RunOptions.resolve(lambda dest: None).problems()  # no compartment on a tenancy
    monkeypatch.setenv("OCI_CONTRACT_TARGET", "cloud")
    with pytest.raises(ValueError):
        RunOptions.resolve(lambda dest: None)


def test_budget_caps_resources_overall_and_per_label():
    budget = Budget(3)
    assert budget.reserve("cluster", label_limit=1)
    assert not budget.available("cluster", label_limit=1) and budget.available("endpoint")
    assert budget.reserve("endpoint") and budget.reserve("endpoint")
    assert not budget.reserve("endpoint")
    budget.release("endpoint")
    assert budget.reserve("endpoint")
    assert Budget(None).available()


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
