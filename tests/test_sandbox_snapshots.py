"""Sandbox snapshots through the oci SDK and CLI: a sandbox's files kept, restored into a new
sandbox, listed, expiring on the emulator's clock and deleted."""

from __future__ import annotations

import oci
from oci.generative_ai_sandbox import models as sbx

from conftest import admin
from helpers import WAIT
from test_cli import cli_home, oci_cli  # noqa: F401  (fixtures)
from test_sandboxes import project, refused, running_sandbox, sandbox_client  # noqa: F401  (fixtures)


def active_snapshot(client, sandbox_id: str, **kw) -> sbx.SandboxSnapshot:
    made = client.create_sandbox_snapshot(sbx.CreateSandboxSnapshotDetails(sandbox_id=sandbox_id, **kw))
    assert made.data.lifecycle_state == "CREATING" and made.headers["etag"]
    return oci.wait_until(client, client.get_sandbox_snapshot(made.data.id), "lifecycle_state", "ACTIVE", **WAIT).data


def test_a_snapshot_keeps_the_files_and_restores_them(sandbox_client, project, genai):
    box = running_sandbox(sandbox_client, project.id, display_name="source")
    sandbox_client.write_sandbox_file(box.id, "/workspace/data/kept.txt", b"kept across sandboxes")
    snapshot = active_snapshot(sandbox_client, box.id, expiration_duration="PT24H")
    assert snapshot.id.startswith("snap-") and (snapshot.sandbox_id, snapshot.project_id) == (box.id, project.id)
    assert (snapshot.size_bytes, snapshot.runtime, snapshot.expiration_duration) == (21, "python-3.11", "PT24H")
    assert (snapshot.time_expires - snapshot.time_created).total_seconds() == 86400
    restored = running_sandbox(sandbox_client, project.id, source=sbx.SandboxSnapshotSource(snapshot_id=snapshot.id))
    assert sandbox_client.read_sandbox_file(restored.id, "/workspace/data/kept.txt").data.content == b"kept across sandboxes"
    bad_source = sbx.SandboxSnapshotSource(snapshot_id="snap-doesnotexist00")
    assert refused(sandbox_client.create_sandbox, project.id, sbx.CreateSandboxDetails(source=bad_source)).status == 400

    composite = oci.generative_ai_sandbox.GenerativeAiSandboxClientCompositeOperations(sandbox_client)
    for sandbox in (box, restored):
        sandbox_client.delete_sandbox(sandbox.id)
    assert refused(genai.delete_generative_ai_project, project.id).status == 409  # the snapshot is still there
    composite.delete_sandbox_snapshot_and_wait_for_state(snapshot.id, wait_for_states=["DELETED"], waiter_kwargs=WAIT)
    assert refused(sandbox_client.delete_sandbox_snapshot, snapshot.id).status == 404
    genai.delete_generative_ai_project(project.id)


def test_rules_lists_and_expiry(sandbox_client, project, emulator_url):
    box = running_sandbox(sandbox_client, project.id)
    other = running_sandbox(sandbox_client, project.id)
    for bad in ("P31D", "PT1S", "soon"):
        details = sbx.CreateSandboxSnapshotDetails(sandbox_id=box.id, expiration_duration=bad)
        assert refused(sandbox_client.create_sandbox_snapshot, details).status == 400, bad
    missing = sbx.CreateSandboxSnapshotDetails(sandbox_id="sbx-aaaaaaaaaaaaaaaa")
    assert refused(sandbox_client.create_sandbox_snapshot, missing).status == 400
    made = [active_snapshot(sandbox_client, sid) for sid in (box.id, other.id, box.id)]
    assert made[0].expiration_duration == "P7D"
    every = oci.pagination.list_call_get_all_results(sandbox_client.list_sandbox_snapshots, limit=2).data
    assert [s.id for s in every] == [s.id for s in made]  # oldest first
    of_box = sandbox_client.list_sandbox_snapshots(sandbox_id=box.id, sort_order="DESC").data.items
    assert [s.id for s in of_box] == [made[2].id, made[0].id]
    assert [s.id for s in sandbox_client.list_sandbox_snapshots(snapshot_id=made[1].id).data.items] == [made[1].id]
    assert len(sandbox_client.list_sandbox_snapshots(project_id=project.id, lifecycle_state="ACTIVE").data.items) == 3

    sandbox_client.stop_sandbox(box.id, sbx.StopSandboxDetails(is_force=True))
    assert active_snapshot(sandbox_client, box.id).lifecycle_state == "ACTIVE"  # a stopped sandbox keeps its workspace
    sandbox_client.delete_sandbox(box.id)
    deleted = sbx.CreateSandboxSnapshotDetails(sandbox_id=box.id)
    assert refused(sandbox_client.create_sandbox_snapshot, deleted).status == 409

    admin(emulator_url, "config", {"transitions": {"sandboxsnapshot": {"mode": "manual"}}})
    pending = sandbox_client.create_sandbox_snapshot(sbx.CreateSandboxSnapshotDetails(sandbox_id=other.id)).data
    assert refused(sandbox_client.delete_sandbox_snapshot, pending.id).status == 409
    stale = refused(sandbox_client.delete_sandbox_snapshot, made[1].id, if_match="stale")
    assert stale.status == 412
    admin(emulator_url, "clock", {"advanceSeconds": 8 * 86400})
    assert sandbox_client.get_sandbox_snapshot(made[1].id).data.lifecycle_state == "DELETED"  # expired


def test_snapshots_in_the_cli(oci_cli, sandbox_client, project):
    box = running_sandbox(sandbox_client, project.id)
    made = oci_cli("generative-ai-sandbox", "sandbox-snapshot", "create", "--sandbox-id", box.id).json["data"]
    assert made["lifecycle-state"] == "CREATING"
    listed = oci_cli("generative-ai-sandbox", "sandbox-snapshot-collection", "list", "--sandbox-id", box.id).json
    assert [s["id"] for s in listed["data"]["items"]] == [made["id"]]
    oci_cli("generative-ai-sandbox", "sandbox-snapshot", "delete", "--snapshot-id", made["id"], "--force")
