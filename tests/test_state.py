"""State snapshots: ``oci-genai-emulator state export|import`` (admin ``GET/POST /_emulator/state``)
and ``serve --seed FILE``."""

from __future__ import annotations

import io
import json

import oci
import pytest

from emulator.cli import main
from ocigenai import EmulatorError, GenAI, hugging_face_source, lora_config
from processes import child_env, run_cli, spawn  # noqa: F401  (spawn is a fixture)

DATASET = "oci://training@ns/data.jsonl"


@pytest.fixture
def client(oci_genai_emulator, oci_genai_config) -> GenAI:
    return GenAI(oci_genai_config, endpoint=oci_genai_emulator.url, emulator=oci_genai_emulator)


def build_state(client: GenAI) -> dict:
    """A bit of everything: settled resources, a transition still pending, policies, a clock offset."""
    hosting = client.create_cluster("SMALL_COHERE_V2", display_name="hosting")
    model = client.find_model("cohere.command-r-08-2024", capability="CHAT")
    tuning = client.create_cluster("LARGE_GENERIC", type="FINE_TUNING", display_name="tuning")
    custom = client.fine_tune("meta.llama-3.3-70b-instruct", DATASET, tuning.id, config=lora_config(r=4), wait=True)
    imported = client.import_model(hugging_face_source("openai/gpt-oss-20b"), display_name="oss")
    client.emulator.advance_clock(3600)
    client.emulator.set_transition("endpoint", mode="manual")
    pending = client.create_endpoint(hosting.id, model.id, display_name="pending", wait=False)
    return {"hosting": hosting.id, "tuning": tuning.id, "custom": custom.id, "imported": imported.id, "pending": pending.id}


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_export_reset_import_round_trip(client, oci_genai_emulator, generative_ai_client, tmp_path, capsys):
    ids = build_state(client)
    catalog = len(list(client.models(type="BASE")))
    etags = {name: generative_ai_client.get_model(rid).headers["etag"] for name, rid in ids.items() if name == "custom"}
    first = tmp_path / "state.json"
    code, out, _ = cli(capsys, "state", "export", str(first), "--url", oci_genai_emulator.url)
    assert code == 0 and "Exported 5 resources and 5 work requests" in out

    oci_genai_emulator.reset()
    assert list(client.clusters()) == [] and list(client.work_requests()) == []
    code, out, _ = cli(capsys, "state", "import", str(first), "--url", oci_genai_emulator.url)
    assert code == 0 and "Imported 5 resources and 5 work requests" in out

    second = tmp_path / "again.json"
    assert cli(capsys, "state", "export", str(second), "--url", oci_genai_emulator.url)[0] == 0
    before, after = json.loads(first.read_text()), json.loads(second.read_text())
    assert {k: v for k, v in before.items() if k != "exportedAt"} == {k: v for k, v in after.items() if k != "exportedAt"}
    assert before["clockOffsetSeconds"] == 3600 and before["transitions"]["endpoint"]["mode"] == "manual"

    # the API serves the imported state as it served the original one
    assert {c.display_name for c in client.clusters()} == {"hosting", "tuning"}
    assert generative_ai_client.get_model(ids["custom"]).headers["etag"] == etags["custom"]
    assert len(list(client.models(type="BASE"))) == catalog  # the catalog is not part of a snapshot
    assert client.get_endpoint(ids["pending"]).lifecycle_state == "CREATING"
    assert oci_genai_emulator.clock()["offsetSeconds"] == 3600
    assert oci_genai_emulator.complete_transitions() == 1  # the pending transition survived too
    assert client.get_endpoint(ids["pending"]).lifecycle_state == "ACTIVE"
    (wr,) = client.work_requests(resource_id=ids["pending"])
    assert wr.status == "SUCCEEDED" and wr.operation_type == "CREATE_ENDPOINT"
    assert client.get_cluster(ids["hosting"]).endpoints_used == 1


def test_import_replaces_everything_and_stdout_stdin(client, oci_genai_emulator, tmp_path, capsys, monkeypatch):
    client.create_cluster("SMALL_COHERE_V2", display_name="kept")
    code, out, _ = cli(capsys, "state", "export", "-", "--url", oci_genai_emulator.url)
    assert code == 0 and json.loads(out)["format"] == "oci-genai-emulator-state"
    client.create_cluster("SMALL_COHERE_V2", display_name="dropped")
    oci_genai_emulator.set_transition("dedicatedaicluster", mode="manual")
    monkeypatch.setattr("sys.stdin", io.StringIO(out))
    assert cli(capsys, "state", "import", "-", "--url", oci_genai_emulator.url)[0] == 0
    assert [c.display_name for c in client.clusters()] == ["kept"]
    assert oci_genai_emulator.transitions()["dedicatedaicluster"]["mode"] == "delay"


def test_a_bad_snapshot_changes_nothing(client, oci_genai_emulator, tmp_path, capsys):
    cluster = client.create_cluster("SMALL_COHERE_V2", display_name="survivor")
    snapshot = oci_genai_emulator.export_state()
    entry = snapshot["resources"][0]
    bad = [
        ({**snapshot, "resources": [entry, {**entry, "kind": "endpoint"}]}, "must be an OCID of type generativeaiendpoint"),
        ({**snapshot, "resources": [entry, entry]}, "appears twice"),
        ({**snapshot, "resources": [{**entry, "tenancy": "*"}]}, "global tenancy"),
        ({**snapshot, "transitions": {"robot": {"mode": "manual"}}}, "Unknown resource kind"),
        ({**snapshot, "version": 99}, "version 1"),
        ({**snapshot, "workRequests": [entry]}, "'kind' must be one of workrequest"),
    ]
    for body, message in bad:
        with pytest.raises(EmulatorError, match=message) as exc:
            oci_genai_emulator.import_state(body)
        assert exc.value.status == 400 and exc.value.code == "InvalidParameter"
    assert [c.id for c in client.clusters()] == [cluster.id]

    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    code, _, err = cli(capsys, "state", "import", str(broken), "--url", oci_genai_emulator.url)
    assert code == 2 and "the state file" in err and "not valid JSON" in err
    broken.write_text(json.dumps({"resources": [{"kind": "model", "doc": {}}]}))
    code, _, err = cli(capsys, "state", "import", str(broken), "--url", oci_genai_emulator.url)
    assert code == 1 and "answered 400" in err and "resources[0]" in err
    code, _, err = cli(capsys, "state", "export", "-", "--url", "http://127.0.0.1:9")
    assert code == 1 and "cannot reach the emulator at http://127.0.0.1:9" in err


def test_a_hand_written_seed_file(oci_genai_emulator, client):
    """Seed files may leave out the tenancy (unsigned requests' one), etags and pending transitions."""
    cluster_id = "ocid1.generativeaidedicatedaicluster.oc1.us-chicago-1.amaaaaaahandwritten"
    doc = {
        "compartmentId": client.compartment_id,
        "displayName": "seeded",
        "type": "HOSTING",
        "unitShape": "SMALL_COHERE_V2",
        "unitCount": 1,
        "lifecycleState": "ACTIVE",
        "timeCreated": "2026-01-01T00:00:00.000Z",
        "capacity": {"capacityType": "HOSTING_CAPACITY", "totalEndpointCapacity": 50, "usedEndpointCapacity": 0},
    }
    assert oci_genai_emulator.import_state({"resources": [{"kind": "dedicatedaicluster", "id": cluster_id, "doc": doc}]}) == {
        "resources": 1,
        "workRequests": 0,
    }
    seeded = client.get_cluster(cluster_id)
    assert seeded.display_name == "seeded" and seeded.etag and seeded.lifecycle_state == "ACTIVE"
    assert [c.id for c in client.clusters(lifecycle_state="ACTIVE")] == [cluster_id]


def test_serve_with_seed(client, oci_genai_emulator, oci_genai_config, spawn, tmp_path):
    ids = build_state(client)
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps(oci_genai_emulator.export_state()))
    served = spawn("--seed", str(seed))
    seeded = GenAI(oci_genai_config, endpoint=served.url)
    assert {c.id for c in seeded.clusters()} == {ids["hosting"], ids["tuning"]}
    assert seeded.get_model(ids["custom"]).etag == client.get_model(ids["custom"]).etag
    assert seeded.get_endpoint(ids["pending"]).lifecycle_state == "CREATING"
    assert served.admin("clock")["offsetSeconds"] == 3600

    durable = spawn("--seed", str(seed), "--data-dir", str(tmp_path / "data"), "--workers", "2")
    assert {c.id for c in GenAI(oci_genai_config, endpoint=durable.url).clusters()} == {ids["hosting"], ids["tuning"]}


def test_serve_refuses_a_bad_seed(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"resources": [{"kind": "cluster"}]}))
    home = tmp_path / "home"
    home.mkdir()
    proc = run_cli(["serve", "--port", "0", "--seed", str(bad)], child_env(home), timeout=30)
    assert proc.returncode != 0 and "--seed: the state file" in proc.stderr and "'kind' must be one of" in proc.stderr
    proc = run_cli(["serve", "--port", "0", "--seed", str(tmp_path / "missing.json")], child_env(home), timeout=30)
    assert proc.returncode != 0 and "cannot read the state file" in proc.stderr


def test_sdk_sees_seeded_work_requests(client, oci_genai_emulator, generative_ai_client):
    ids = build_state(client)
    snapshot = oci_genai_emulator.export_state()
    oci_genai_emulator.reset()
    oci_genai_emulator.import_state(snapshot)
    wrs = oci.pagination.list_call_get_all_results(
        generative_ai_client.list_work_requests, client.compartment_id, resource_id=ids["custom"]
    ).data
    assert [w.operation_type for w in wrs] == ["CREATE_MODEL"] and wrs[0].status == "SUCCEEDED"
    assert generative_ai_client.list_work_request_logs(wrs[0].id).data.items


DELETE = object()
WR = "ocid1.generativeaiworkrequest.oc1.us-chicago-1.amaaaaaaseededwr"
CLUSTER_ID = "ocid1.generativeaidedicatedaicluster.oc1.us-chicago-1.amaaaaaaseeded"


def seeded_cluster(**change) -> dict:
    doc = {
        "compartmentId": "ocid1.compartment.oc1..aaaaaaaaseed",
        "type": "HOSTING",
        "unitShape": "SMALL_COHERE_V2",
        "unitCount": 1,
        "lifecycleState": "CREATING",
        "timeCreated": "2026-01-01T00:00:00.000Z",
    }
    entry = {"kind": "dedicatedaicluster", "id": CLUSTER_ID, "doc": doc,
             "pending": {"to": "ACTIVE", "wr": WR, "action": "CREATED", "set": {}, "outcome": "SUCCEEDED"}, "due": 0}
    for key, value in change.items():
        target, sep, field = key.partition("__")
        where = entry[target] if sep else entry
        field = field if sep else key
        if value is DELETE:
            del where[field]
        else:
            where[field] = value
    return entry


def seeded_work_request(**change) -> dict:
    doc = {
        "operationType": "CREATE_DEDICATED_AI_CLUSTER", "status": "ACCEPTED", "id": WR,
        "compartmentId": "ocid1.compartment.oc1..aaaaaaaaseed", "percentComplete": 0.0,
        "resources": [{"entityType": "DedicatedAiCluster", "actionType": "IN_PROGRESS", "identifier": CLUSTER_ID}],
        "timeAccepted": "2026-01-01T00:00:00.000Z", "_due": 0, "_logs": [], "_errors": [],
    }
    return {"kind": "workrequest", "id": WR, "doc": {**doc, **change}}


BAD_SNAPSHOTS = {
    "a state the SDK does not know": ({"resources": [seeded_cluster(doc__lifecycleState="SLEEPING")]}, "resources[0].doc.lifecycleState"),
    "a wrong type": ({"resources": [seeded_cluster(doc__unitCount="one")]}, "resources[0].doc.unitCount"),
    "a missing required field": ({"resources": [seeded_cluster(doc__type=DELETE)]}, "resources[0].doc"),
    "a time that is no time": ({"resources": [seeded_cluster(doc__timeCreated="yesterday")]}, "timeCreated"),
    "an unknown kind": ({"resources": [seeded_cluster(kind="spaceship")]}, "resources[0]: 'kind'"),
    "a pending transition to nowhere": ({"resources": [seeded_cluster(pending__to="GONE")], "workRequests": [seeded_work_request()]}, "resources[0].pending.to"),
    "a pending transition with no work request": ({"resources": [seeded_cluster()]}, "resources[0]: 'pending.wr' names no work request"),
    "a pending transition of another shape": ({"resources": [seeded_cluster(pending={"x": 1})], "workRequests": [seeded_work_request()]}, "resources[0].pending"),
    "a pending transition that lands a bad field": ({"resources": [seeded_cluster(pending__set={"unitCount": []})], "workRequests": [seeded_work_request()]}, "resources[0].pending.set"),
    "a due time with nothing pending": ({"resources": [seeded_cluster(pending=None, due=5)]}, "needs a 'pending'"),
    "a due time beyond the clock": ({"resources": [seeded_cluster(due=1e300)], "workRequests": [seeded_work_request()]}, "'due'"),
    "work request logs of the wrong shape": ({"resources": [seeded_cluster()], "workRequests": [seeded_work_request(_logs=[{"text": "x"}])]}, "workRequests[0].doc"),
    "a work request due time that is text": ({"resources": [seeded_cluster()], "workRequests": [seeded_work_request(_due="soon")]}, "workRequests[0].doc"),
    "a private field on a resource": ({"resources": [seeded_cluster(doc___secret=1)], "workRequests": [seeded_work_request()]}, "no field starting with '_'"),
    "a clock offset beyond any clock": ({"clockOffsetSeconds": 1e300}, "clockOffsetSeconds"),
    "a clock offset that is text": ({"clockOffsetSeconds": "1h"}, "clockOffsetSeconds"),
    "a policy delay beyond any clock": ({"transitions": {"endpoint": {"seconds": 1e300}}}, "seconds"),
    "an unknown top-level field": ({"resourcez": []}, "resourcez"),
    "an unknown entry field": ({"resources": [seeded_cluster(color="red")]}, "color"),
    "a huge etag": ({"resources": [seeded_cluster(etag="e" * 1000)], "workRequests": [seeded_work_request()]}, "etag"),
}


@pytest.mark.parametrize("case", BAD_SNAPSHOTS)
def test_a_broken_snapshot_is_refused_whole_naming_the_entry(client, oci_genai_emulator, case):
    kept = client.create_cluster("SMALL_COHERE_V2", display_name="kept")
    before = oci_genai_emulator.export_state()
    snapshot, words = BAD_SNAPSHOTS[case]
    with pytest.raises(EmulatorError) as exc:
        oci_genai_emulator.import_state(snapshot)
    assert exc.value.status == 400 and words in str(exc.value), str(exc.value)
    after = oci_genai_emulator.export_state()
    assert {k: v for k, v in after.items() if k != "exportedAt"} == {k: v for k, v in before.items() if k != "exportedAt"}
    assert [c.id for c in client.clusters()] == [kept.id]  # the emulator still lists, gets and creates
    assert client.get_cluster(kept.id).lifecycle_state == "ACTIVE"
    assert client.create_cluster("SMALL_COHERE_V2", display_name="after").lifecycle_state == "ACTIVE"


def test_a_valid_pending_transition_lands(client, oci_genai_emulator):
    entry = seeded_cluster(pending__set={"lifecycleDetails": "Ready.", "displayName": "landed"})
    assert oci_genai_emulator.import_state({"resources": [entry], "workRequests": [seeded_work_request()]}) == {
        "resources": 1, "workRequests": 1,
    }
    cluster = client.get_cluster(CLUSTER_ID)  # due at 0: landed on this first request
    assert (cluster.lifecycle_state, cluster.lifecycle_details, cluster.display_name) == ("ACTIVE", "Ready.", "landed")
    assert client.get_work_request(WR).status == "SUCCEEDED"


def test_every_export_imports_again(client, oci_genai_emulator):
    build_state(client)
    snapshot = oci_genai_emulator.export_state()
    assert oci_genai_emulator.import_state(snapshot)["resources"] == len(snapshot["resources"])
