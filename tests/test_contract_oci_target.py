"""The contract suite's ``--target oci`` code path, end to end, without a tenancy.

``oci-genai-emulator config`` writes a profile into a temporary OCI_EMULATOR_HOME and
``serve --auth strict`` (which trusts it) stands in for the tenancy. ``python -m contract_tests run
--target oci --oci-endpoint URL ...`` then goes through everything a real run does: the config
file and profile, signed requests, the cost estimate, the resource cap, tagging and cleanup.
Afterwards the emulator is asked what the run left: nothing tagged with its run id may be alive.
A second profile of another tenancy (trusted by the emulator) stands in for
``--other-tenancy-profile``, so the isolation machine runs its tenancy path too (and any subnet id
does for ``--subnet-id``). A cap too small
for every machine skips those left without a share, saying so, and none passes empty.
``python -m contract_tests cleanup`` must delete leftovers made on purpose, and a run stopped
with SIGTERM (as CI cancels a job) must still clean up.
"""

from __future__ import annotations

import configparser
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import oci
import pytest
from cryptography.hazmat.primitives import serialization
from oci.generative_ai import models

from conftest import make_oci_config
from processes import ROOT, child_env, run_cli, spawn  # noqa: F401  (spawn is a fixture)

PROFILE = "CONTRACT"
OTHER_PROFILE = "CONTRACT_OTHER_TENANCY"
SUBNET = "ocid1.subnet.oc1.us-chicago-1.aaaaaaaacontractrunsubnet"
COMPARTMENTS = ("ocid1.compartment.oc1..aaaaaaaacontractrunone", "ocid1.compartment.oc1..aaaaaaaacontractruntwo")
MAX_RESOURCES = 20  # the two shared clusters and at least one for each machine that creates resources
RUN_TIMEOUT = 300


@pytest.fixture
def stand_in(tmp_path, spawn):
    """(strict emulator, SDK config, target options, environment for the suite's process)."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in child_env(home).items() if not k.startswith("OCI_CONTRACT_")}
    written = run_cli(["config", "--profile", PROFILE], env)
    assert written.returncode == 0, written.stderr
    config_file = Path(env["OCI_EMULATOR_HOME"]) / "config"
    emulator = spawn("--auth", "strict", env=env)
    add_other_tenancy(emulator, config_file, tmp_path)
    target = [
        "--target", "oci", "--oci-endpoint", emulator.url, "--oci-config-file", str(config_file),
        "--oci-profile", PROFILE, "--compartment-id", COMPARTMENTS[0], "--second-compartment-id", COMPARTMENTS[1],
        "--other-tenancy-profile", OTHER_PROFILE, "--subnet-id", SUBNET,
    ]
    return emulator, oci.config.from_file(str(config_file), PROFILE), target, env


def add_other_tenancy(emulator, config_file: Path, key_dir: Path) -> None:
    """A profile of another tenancy in the config file, its key trusted by the strict emulator."""
    other = make_oci_config(key_dir, "ocid1.tenancy.oc1..aaaaaaaacontractrunothertenancy", "other")
    key = serialization.load_pem_private_key(Path(other["key_file"]).read_bytes(), None)
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    emulator.admin("keys", {"publicKey": public.decode()})
    parser = configparser.ConfigParser()
    parser.read(config_file)
    parser[OTHER_PROFILE] = other
    with open(config_file, "w") as out:
        parser.write(out)


def contract(args: list[str]) -> list[str]:
    return [sys.executable, "-m", "contract_tests", *args]


def tagged(emulator, config: dict, run_id: str) -> list[dict]:
    """Every resource of the emulator tagged with ``run_id``, as stored (any compartment)."""
    client = oci.generative_ai.GenerativeAiClient(config, service_endpoint=emulator.url)
    client.list_dedicated_ai_clusters(COMPARTMENTS[0])  # any API call lands the transitions that are due
    docs = [r["doc"] for r in emulator.admin("state")["resources"]]
    return [d for d in docs if (d.get("freeformTags") or {}).get("contract-run") == run_id]


FREE = (".generativeaiproject.", ".generativeaiapikey.")  # what the OpenAI-compatible machines work in


def billable(docs: list[dict]) -> list[dict]:
    return [d for d in docs if not any(kind in d["id"] for kind in FREE)]


def test_the_suite_runs_against_a_strict_emulator_as_a_tenancy_and_cleans_up(stand_in):
    emulator, config, target, env = stand_in
    run_id = f"test-{uuid.uuid4().hex[:8]}"
    args = [
        "run", *target, "--allow-costly", "--max-resources", str(MAX_RESOURCES), "--run-id", run_id,
        "--wait-timeout", "60", "--training-dataset", "oci://training@namespace/data.jsonl",
        "--hypothesis-profile", "ci", "-p", "no:cacheprovider", "-q", "-rs",
    ]
    done = subprocess.run(contract(args), cwd=ROOT, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-6000:]
    assert "COST ESTIMATE" in output and "unit-hours" in output
    assert f"contract cleanup (run {run_id})" in output and "failed 0" in output
    skipped = [line for line in output.splitlines() if line.startswith("SKIPPED")]
    assert skipped and all("emulator-only" in line for line in skipped), skipped  # Schemathesis, lifecycle policies
    assert "test_tenancy" not in output, "the isolation machine did not pass on its tenancy path"

    left = tagged(emulator, config, run_id)
    assert left, "the run created nothing"
    assert len(billable(left)) <= MAX_RESOURCES, f"{len(billable(left))} resources made with --max-resources {MAX_RESOURCES}"
    alive = [(d["id"], d["lifecycleState"]) for d in left if d["lifecycleState"] != "DELETED"]
    assert not alive, f"left alive after the run: {alive}"


def test_a_free_run_creates_nothing_prints_what_the_rest_would_cost_and_compares_parity(stand_in):
    emulator, config, target, env = stand_in
    run_id = f"test-{uuid.uuid4().hex[:8]}"
    args = ["run", *target, "--run-id", run_id, "-p", "no:cacheprovider", "-q", "-rs"]
    done = subprocess.run(contract(args), cwd=ROOT, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-6000:]
    assert "that create billable resources (--allow-costly runs them)" in output and "COST ESTIMATE" in output
    assert "test_free_calls_match_the_snapshots" not in output, "the parity comparison did not pass on the oci path"
    left = tagged(emulator, config, run_id)
    assert not billable(left), "a free run created billable resources"
    assert left and all(d["lifecycleState"] == "DELETED" for d in left), "the project and API key are deleted after it"


def test_a_cap_too_small_for_every_machine_skips_those_without_a_share(stand_in):
    emulator, config, target, env = stand_in
    run_id = f"test-{uuid.uuid4().hex[:8]}"
    tests = ["contract_tests/test_clusters.py", "contract_tests/test_imported_models.py", "contract_tests/test_tenancy.py"]
    args = ["run", *target, "--allow-costly", "--max-resources", "1", "--run-id", run_id, "--wait-timeout", "60",
            "-p", "no:cacheprovider", "-q", "-rs", *tests]
    done = subprocess.run(contract(args), cwd=ROOT, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-6000:]
    assert "1 passed, 2 skipped" in output, output[-3000:]
    no_share = [line for line in output.splitlines() if line.startswith("SKIPPED") and "no share of the resource cap" in line]
    assert len(no_share) == 2 and "--max-resources 1" in no_share[0], no_share
    made = tagged(emulator, config, run_id)
    assert len(made) == 1 and made[0]["lifecycleState"] == "DELETED", made  # the one machine made one, and cleaned up


def test_cleanup_deletes_what_a_run_left_behind(stand_in):
    emulator, config, target, env = stand_in
    run_id = f"test-{uuid.uuid4().hex[:8]}"
    client = oci.generative_ai.GenerativeAiClient(config, service_endpoint=emulator.url)

    def cluster(compartment: str, tags: dict) -> str:
        details = models.CreateDedicatedAiClusterDetails(
            compartment_id=compartment, type="HOSTING", unit_shape="SMALL_COHERE_V2", unit_count=1, freeform_tags=tags
        )
        return client.create_dedicated_ai_cluster(details).data.id

    leftover = cluster(COMPARTMENTS[1], {"contract-run": run_id})
    imported = client.create_imported_model(models.CreateImportedModelDetails(
        compartment_id=COMPARTMENTS[0], data_source=models.HuggingFaceModel(model_id="org/model"),
        freeform_tags={"contract-run": run_id},
    )).data.id
    another_run = cluster(COMPARTMENTS[0], {"contract-run": "some-other-run"})
    untagged = cluster(COMPARTMENTS[0], {})

    done = subprocess.run(
        contract(["cleanup", *target, "--run-id", run_id, "--wait-timeout", "60"]),
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "deleted 2" in done.stdout, done.stdout
    assert client.get_dedicated_ai_cluster(leftover).data.lifecycle_state == "DELETED"
    assert client.get_imported_model(imported).data.lifecycle_state == "DELETED"
    for kept in (another_run, untagged):
        assert client.get_dedicated_ai_cluster(kept).data.lifecycle_state == "ACTIVE"


def test_a_run_stopped_with_sigterm_still_cleans_up(stand_in):
    emulator, config, target, env = stand_in
    run_id = f"test-{uuid.uuid4().hex[:8]}"
    args = ["run", *target, "--allow-costly", "--run-id", run_id, "--wait-timeout", "60",
            "-p", "no:cacheprovider", "-q", "contract_tests/test_imported_models.py"]
    proc = subprocess.Popen(contract(args), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    try:
        deadline = time.monotonic() + 60
        while not [d for d in tagged(emulator, config, run_id) if d["lifecycleState"] != "DELETED"]:
            assert proc.poll() is None and time.monotonic() < deadline, "the run made nothing to interrupt"
            time.sleep(0.02)
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=RUN_TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode != 0, output[-3000:]
    assert f"contract cleanup (run {run_id})" in output, output[-3000:]
    alive = [d["id"] for d in tagged(emulator, config, run_id) if d["lifecycleState"] != "DELETED"]
    assert not alive, f"left alive after SIGTERM: {alive}\n{output[-3000:]}"
