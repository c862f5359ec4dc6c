"""Sandboxes through the oci SDK (``oci.generative_ai_sandbox``) and CLI: their lifecycle on the
emulator's clock (create, suspend, resume, stop, expiry and extend, delete), files, and commands
run by the emulator's small shell (waited for, streamed as NDJSON and as Server-Sent Events)."""

from __future__ import annotations

import base64
import hashlib
import json

import oci
import pytest
from oci.generative_ai import models
from oci.generative_ai_sandbox import models as sbx

from conftest import COMPARTMENT, OTHER_COMPARTMENT, admin
from helpers import WAIT
from openai_helpers import active_project
from test_cli import cli_home, oci_cli  # noqa: F401  (fixtures)

NO_RETRY = oci.retry.NoneRetryStrategy()


@pytest.fixture
def sandbox_client(emulator_url, oci_config) -> oci.generative_ai_sandbox.GenerativeAiSandboxClient:
    return oci.generative_ai_sandbox.GenerativeAiSandboxClient(oci_config, service_endpoint=emulator_url)


@pytest.fixture
def project(genai) -> models.GenerativeAiProject:
    return active_project(genai, sandbox_config=models.SandboxConfig(is_enabled=True))


def running_sandbox(client, project_id: str, **kw) -> sbx.Sandbox:
    created = client.create_sandbox(project_id, sbx.CreateSandboxDetails(**kw))
    return oci.wait_until(client, client.get_sandbox(created.data.id), "lifecycle_state", "RUNNING", **WAIT).data


def refused(call, *args, **kw) -> oci.exceptions.ServiceError:
    with pytest.raises(oci.exceptions.ServiceError) as exc:
        call(*args, retry_strategy=NO_RETRY, **kw)
    return exc.value


def test_lifecycle_through_the_composite_waiters(sandbox_client, project):
    composite = oci.generative_ai_sandbox.GenerativeAiSandboxClientCompositeOperations(sandbox_client)
    made = composite.create_sandbox_and_wait_for_state(
        project.id, sbx.CreateSandboxDetails(display_name="box", expires_in_minutes=10, publish_ports=["8080"]),
        wait_for_states=["RUNNING"], waiter_kwargs=WAIT,
    ).data
    assert made.id.startswith("sbx-") and len(made.id) == 20 and made.project_id == project.id
    assert (made.runtime, made.shape, made.display_name, made.expires_in_minutes) == ("python-3.11", "SMALL", "box", 10)
    assert made.published_ports[0].key == "8080" and made.published_ports[0].value.startswith(f"https://{made.id}-8080.")
    assert made.published_port_auth_mode == "OCI_IAM" and made.time_expires > made.time_created

    suspended = composite.suspend_sandbox_and_wait_for_state(
        made.id, sbx.SuspendSandboxDetails(), wait_for_states=["SUSPENDED"], waiter_kwargs=WAIT).data
    assert suspended.lifecycle_state == "SUSPENDED"
    resumed = composite.resume_sandbox_and_wait_for_state(
        made.id, sbx.ResumeSandboxDetails(), wait_for_states=["RUNNING"], waiter_kwargs=WAIT).data
    assert resumed.lifecycle_state == "RUNNING"
    renamed = composite.update_sandbox_and_wait_for_state(
        made.id, sbx.UpdateSandboxDetails(display_name="renamed"), wait_for_states=["RUNNING"], waiter_kwargs=WAIT).data
    assert renamed.display_name == "renamed"
    stopped = composite.stop_sandbox_and_wait_for_state(
        made.id, sbx.StopSandboxDetails(), wait_for_states=["STOPPED"], waiter_kwargs=WAIT).data
    assert stopped.lifecycle_state == "STOPPED" and stopped.time_stopped
    composite.delete_sandbox_and_wait_for_state(made.id, wait_for_states=["DELETED"], waiter_kwargs=WAIT)
    assert sandbox_client.get_sandbox(made.id).data.lifecycle_state == "DELETED"
    assert refused(sandbox_client.update_sandbox, made.id, sbx.UpdateSandboxDetails(display_name="x")).status == 404


def test_expiry_and_extend_on_the_emulators_clock(sandbox_client, project, emulator_url):
    box = running_sandbox(sandbox_client, project.id, expires_in_minutes=5)
    forever = running_sandbox(sandbox_client, project.id, expires_in_minutes=-1)
    assert forever.time_expires is None
    assert refused(sandbox_client.extend_sandbox, forever.id, sbx.ExtendSandboxDetails(additional_duration="PT5M")).status == 409
    extended = sandbox_client.extend_sandbox(box.id, sbx.ExtendSandboxDetails(additional_duration="PT10M")).data
    assert (extended.time_expires - box.time_expires).total_seconds() == 600 and extended.expires_in_minutes == 15
    assert refused(sandbox_client.extend_sandbox, box.id, sbx.ExtendSandboxDetails(additional_duration="soon")).status == 400
    assert refused(sandbox_client.extend_sandbox, box.id, sbx.ExtendSandboxDetails(additional_duration="P2D")).status == 400
    admin(emulator_url, "clock", {"advanceSeconds": 14 * 60})
    assert sandbox_client.get_sandbox(box.id).data.lifecycle_state == "RUNNING"
    admin(emulator_url, "clock", {"advanceSeconds": 2 * 60})
    expired = sandbox_client.get_sandbox(box.id).data
    assert expired.lifecycle_state == "STOPPED" and expired.time_stopped == extended.time_expires
    assert sandbox_client.get_sandbox(forever.id).data.lifecycle_state == "RUNNING"


def test_rules(sandbox_client, project, genai, emulator_url):
    plain = active_project(genai)
    assert refused(sandbox_client.create_sandbox, plain.id, sbx.CreateSandboxDetails()).status == 409
    missing = "ocid1.generativeaiproject.oc1.us-chicago-1.amaaaaaamissing"
    assert refused(sandbox_client.create_sandbox, missing, sbx.CreateSandboxDetails()).status == 404
    for bad in (sbx.CreateSandboxDetails(runtime="docker.io/python"), sbx.CreateSandboxDetails(publish_ports=["http"]),
                sbx.CreateSandboxDetails(expires_in_minutes=0), sbx.CreateSandboxDetails(warmpool_name="none"),
                sbx.CreateSandboxDetails(credential_profile_label="nope")):
        error = refused(sandbox_client.create_sandbox, project.id, bad)
        assert (error.status, error.code) == (400, "InvalidParameter"), bad
    assert refused(sandbox_client.list_sandboxes).status == 400  # neither projectId nor compartmentId
    assert refused(sandbox_client.list_sandboxes, project_id=project.id, compartment_id=COMPARTMENT).status == 400

    admin(emulator_url, "config", {"transitions": {"sandbox": {"mode": "manual"}}})
    box = sandbox_client.create_sandbox(project.id, sbx.CreateSandboxDetails())
    assert box.data.lifecycle_state == "CREATING" and box.headers["etag"]
    assert refused(sandbox_client.suspend_sandbox, box.data.id, sbx.SuspendSandboxDetails()).status == 409
    assert refused(sandbox_client.run_sandbox_command, box.data.id, sbx.RunSandboxCommandDetails(command="true")).status == 409
    assert admin(emulator_url, "transitions/complete", {"kind": "sandbox"}) == {"completed": 1}
    current = sandbox_client.get_sandbox(box.data.id)
    assert current.data.lifecycle_state == "RUNNING"
    assert refused(sandbox_client.update_sandbox, box.data.id, sbx.UpdateSandboxDetails(display_name="x"), if_match="stale").status == 412
    assert refused(sandbox_client.resume_sandbox, box.data.id, sbx.ResumeSandboxDetails()).status == 409
    # a project with sandboxes cannot be deleted
    assert refused(genai.delete_generative_ai_project, project.id).status == 409


def test_warm_pools_give_sandboxes_their_runtime_and_shape(sandbox_client, project, genai):
    genai.create_sandbox_warm_pool(project.id, models.CreateSandboxWarmPoolDetails(
        name="medium", type="MANAGED", shape="MEDIUM", desired_capacity=1))
    oci.wait_until(genai, genai.get_sandbox_warm_pool(project.id, "medium"), "lifecycle_state", "ACTIVE", **WAIT)
    named = running_sandbox(sandbox_client, project.id, warmpool_name="medium")
    assert (named.warmpool_name, named.shape, named.runtime) == ("medium", "MEDIUM", "python-3.11")
    picked = running_sandbox(sandbox_client, project.id, shape="MEDIUM")
    assert picked.warmpool_name == "medium"
    assert running_sandbox(sandbox_client, project.id).warmpool_name is None  # no SMALL pool
    source = running_sandbox(sandbox_client, project.id, warmpool_name="medium")
    made = sandbox_client.create_sandbox_snapshot(sbx.CreateSandboxSnapshotDetails(sandbox_id=source.id)).data
    oci.wait_until(sandbox_client, sandbox_client.get_sandbox_snapshot(made.id), "lifecycle_state", "ACTIVE", **WAIT)
    restored = running_sandbox(sandbox_client, project.id, shape="MEDIUM", source=sbx.SandboxSnapshotSource(snapshot_id=made.id))
    assert restored.warmpool_name is None  # it boots from the snapshot, not from a warm sandbox
    error = refused(sandbox_client.create_sandbox, project.id, sbx.CreateSandboxDetails(warmpool_name="medium", shape="LARGE"))
    assert error.status == 400 and "shape" in error.message


def test_lists_filters_sort_pages_and_tenancies(sandbox_client, project, genai, emulator_url, other_oci_config):
    made = [running_sandbox(sandbox_client, project.id, display_name=name) for name in ("b", "a", "c")]
    every = oci.pagination.list_call_get_all_results(sandbox_client.list_sandboxes, project_id=project.id, limit=1).data
    assert [s.id for s in every] == [s.id for s in made]  # oldest first: this API sorts ascending
    by_name = sandbox_client.list_sandboxes(project_id=project.id, sort_by="displayName", sort_order="DESC").data.items
    assert [s.display_name for s in by_name] == ["c", "b", "a"]
    assert [s.id for s in sandbox_client.list_sandboxes(compartment_id=COMPARTMENT, display_name="a").data.items] == [made[1].id]
    assert sandbox_client.list_sandboxes(compartment_id=OTHER_COMPARTMENT).data.items == []
    assert [s.id for s in sandbox_client.list_sandboxes(project_id=project.id, sandbox_id=made[2].id).data.items] == [made[2].id]
    other = oci.generative_ai_sandbox.GenerativeAiSandboxClient(other_oci_config, service_endpoint=emulator_url)
    assert refused(other.get_sandbox, made[0].id).status == 404
    assert refused(other.list_sandboxes, project_id=project.id).status == 404
    snapshot = admin(emulator_url, "state")
    admin(emulator_url, "reset", {})
    admin(emulator_url, "state", snapshot)
    assert sandbox_client.get_sandbox(made[0].id).data.display_name == "b"


def test_files(sandbox_client, project):
    box = running_sandbox(sandbox_client, project.id)
    content = b"print('hello')\n"
    written = sandbox_client.write_sandbox_file(box.id, "/workspace/app/main.py", content,
                                                opc_content_sha256=base64.b64encode(hashlib.sha256(content).digest()).decode()).data
    assert (written.sandbox_id, written.file_path) == (box.id, "/workspace/app/main.py")
    assert written.content_sha256 == base64.b64encode(hashlib.sha256(content).digest()).decode()
    read = sandbox_client.read_sandbox_file(box.id, "/workspace/app/main.py")
    assert read.data.content == content and read.headers["etag"]
    rewritten = sandbox_client.write_sandbox_file(box.id, "/workspace/app/main.py", b"print('bye')\n")
    assert rewritten.headers["etag"] not in ("", read.headers["etag"])  # a file's etag follows its content
    assert sandbox_client.read_sandbox_file(box.id, "/workspace/app/main.py").headers["etag"] == rewritten.headers["etag"]
    sandbox_client.write_sandbox_file(box.id, "/workspace/empty.txt", b"")
    assert sandbox_client.read_sandbox_file(box.id, "/workspace/empty.txt").data.content == b""
    assert refused(sandbox_client.read_sandbox_file, box.id, "/workspace/none.txt").status == 404
    for path in ("relative.txt", "/etc/passwd", "/workspace/../etc/passwd", "/workspace"):
        assert refused(sandbox_client.read_sandbox_file, box.id, path).status == 400, path
    assert refused(sandbox_client.write_sandbox_file, box.id, "/workspace/x", b"abc", opc_content_sha256="bad").status == 400
    assert refused(sandbox_client.write_sandbox_file, box.id, "/workspace/app", b"a directory").status == 400
    assert refused(sandbox_client.write_sandbox_file, box.id, "/workspace/big", b"x" * (1024 * 1024 + 1)).status == 413


def run(client, sandbox_id: str, command: str, **kw) -> sbx.SandboxCommand:
    return client.run_sandbox_command_and_wait(sandbox_id, sbx.RunSandboxCommandDetails(command=command, **kw)).data


def test_commands_in_the_small_shell(sandbox_client, project):
    box = running_sandbox(sandbox_client, project.id, environment_variables=[sbx.EnvironmentVariable(name="GREETING", value="hi")])
    sandbox_client.write_sandbox_file(box.id, "/workspace/notes.txt", b"first line\n")
    echo = run(sandbox_client, box.id, "echo hello world")
    assert (echo.exit_code, echo.output.stdout, echo.output.stderr, echo.sandbox_id) == (0, "hello world\n", "", box.id)
    assert echo.time_started and echo.time_finished and echo.id.startswith("cmd-")
    assert run(sandbox_client, box.id, "cat", args=["notes.txt"]).output.stdout == "first line\n"
    assert run(sandbox_client, box.id, "ls").output.stdout == "notes.txt\n"
    assert run(sandbox_client, box.id, "pwd", cwd="/workspace/sub").output.stdout == "/workspace/sub\n"
    assert run(sandbox_client, box.id, "false").exit_code == 1 and run(sandbox_client, box.id, "true").exit_code == 0
    assert run(sandbox_client, box.id, "printenv GREETING").output.stdout == "hi\n"
    missing = run(sandbox_client, box.id, "python", args=["-c", "print(1)"])
    assert missing.exit_code == 127 and "python: command not found" in missing.output.stderr
    assert run(sandbox_client, box.id, "cat nothing.txt").exit_code == 1
    run(sandbox_client, box.id, "bash", args=["-c", "echo made by a command > out.txt"])
    assert sandbox_client.read_sandbox_file(box.id, "/workspace/out.txt").data.content == b"made by a command\n"

    streamed = sandbox_client.run_sandbox_command_and_stream(box.id, sbx.RunSandboxCommandDetails(command="echo streamed"))
    assert streamed.headers["content-type"] == "application/x-ndjson"
    lines = [json.loads(line) for line in streamed.data.content.decode().splitlines()]
    assert [e["event"] for e in lines] == ["STARTED", "STDOUT", "FINISHED"] and [e["seq"] for e in lines] == [1, 2, 3]
    assert lines[1]["data"] == "streamed\n" and lines[2]["exitCode"] == 0

    started = sandbox_client.run_sandbox_command(box.id, sbx.RunSandboxCommandDetails(command="echo", args=["async"])).data
    command = sandbox_client.get_sandbox_command(box.id, started.id).data
    assert command.exit_code == 0 and command.output.stdout == "async\n"
    out = sandbox_client.get_sandbox_command_output(box.id, started.id, from_seq=2).data
    assert (out.stdout, out.exit_code, out.last_seq) == ("async\n", 0, 3)
    sse = sandbox_client.stream_sandbox_command_events(box.id, started.id, from_seq=2, until_seq=2)
    assert sse.headers["content-type"] == "text/event-stream"
    frames = [json.loads(event.data) for event in sse.data.events()]  # the SDK reads it as Server-Sent Events
    assert [f["event"] for f in frames] == ["STDOUT"]
    listed = oci.pagination.list_call_get_all_results(sandbox_client.list_sandbox_command, box.id, limit=3).data
    assert len(listed) == 12 and started.id in {c.id for c in listed}
    assert [c.time_created for c in listed] == sorted(c.time_created for c in listed)  # oldest first
    assert [c.id for c in sandbox_client.list_sandbox_command(box.id, command_id=echo.id).data.items] == [echo.id]


def test_a_sleeping_command_runs_on_the_clock_and_can_be_cancelled(sandbox_client, project, emulator_url):
    box = running_sandbox(sandbox_client, project.id)
    sleeping = sandbox_client.run_sandbox_command(box.id, sbx.RunSandboxCommandDetails(command="sleep 60")).data
    assert sandbox_client.get_sandbox_command(box.id, sleeping.id).data.exit_code is None
    admin(emulator_url, "clock", {"advanceSeconds": 61})
    done = sandbox_client.get_sandbox_command(box.id, sleeping.id).data
    assert done.exit_code == 0 and done.time_finished
    again = sandbox_client.run_sandbox_command(box.id, sbx.RunSandboxCommandDetails(command="sleep 60")).data
    cancelled = sandbox_client.cancel_sandbox_command(box.id, again.id, sbx.CancelSandboxCommandDetails(signal="SIGKILL")).data
    assert cancelled.exit_code == 137
    timed = sandbox_client.run_sandbox_command(box.id, sbx.RunSandboxCommandDetails(command="sleep 60", timeout="PT10S")).data
    admin(emulator_url, "clock", {"advanceSeconds": 11})
    assert sandbox_client.get_sandbox_command(box.id, timed.id).data.exit_code == 124
    waited = run(sandbox_client, box.id, "sleep 3600")  # run-and-wait does not wait
    assert waited.exit_code == 0


def test_sandboxes_in_the_cli(oci_cli, project):
    made = oci_cli("generative-ai-sandbox", "sandbox", "create", "--project-id", project.id, "--display-name", "cli-box").json["data"]
    assert made["lifecycle-state"] == "CREATING" and made["id"].startswith("sbx-")
    listed = oci_cli("generative-ai-sandbox", "sandbox-collection", "list", "--project-id", project.id).json
    assert [s["id"] for s in listed["data"]["items"]] == [made["id"]]
    ran = oci_cli("generative-ai-sandbox", "sandbox-command", "run-and-wait", "--sandbox-id", made["id"],
                  "--command", "echo", "--args", '["from the cli"]').json["data"]
    assert ran["exit-code"] == 0 and ran["output"]["stdout"] == "from the cli\n"
    oci_cli("generative-ai-sandbox", "sandbox", "delete", "--sandbox-id", made["id"], "--force")
