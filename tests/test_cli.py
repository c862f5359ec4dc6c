"""What a user does with the real `oci` CLI, pointed at the emulator with `--endpoint`.

Each command is a separate `oci` process (about a second of startup), so the scenarios are
grouped to keep the number of processes small.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import oci
import pytest

from conftest import COMPARTMENT, admin, make_oci_config

pytestmark = pytest.mark.cli

OCI = Path(sys.executable).with_name("oci")
PROFILE = "EMULATOR"
UNKNOWN_CLUSTER = "ocid1.generativeaidedicatedaicluster.oc1.us-chicago-1.amaaaaaadoesnotexist"
# the CLI's work-request waiter: poll every second, give up well before pytest would
WAIT = ("--wait-for-state", "SUCCEEDED", "--wait-interval-seconds", "1", "--max-wait-seconds", "30")


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str

    @property
    def json(self) -> dict:
        return json.loads(self.stdout)


@pytest.fixture(scope="module")
def cli_home(tmp_path_factory) -> Path:
    """A home directory holding only an OCI config file (mode 600) with one profile."""
    home = tmp_path_factory.mktemp("cli-home")
    config = make_oci_config(home, "ocid1.tenancy.oc1..aaaaaaaatenancyone", "cli")
    config_file = home / "config"
    config_file.write_text(f"[{PROFILE}]\n" + "".join(f"{k}={v}\n" for k, v in config.items()))
    config_file.chmod(0o600)
    Path(config["key_file"]).chmod(0o600)
    return home


@pytest.fixture
def oci_cli(emulator_url, cli_home):
    """Run `oci <args>` against the emulator; the whole CLI environment lives here."""
    if not OCI.exists():
        pytest.skip(f"the oci CLI is not installed next to {sys.executable}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCI_")}
    env.update(
        HOME=str(cli_home),  # no ~/.oci/oci_cli_rc or other user state leaks in
        OCI_CLI_SUPPRESS_FILE_PERMISSIONS_WARNING="True",
        SUPPRESS_LABEL_WARNING="True",
    )
    base = [str(OCI), "--endpoint", emulator_url, "--config-file", str(cli_home / "config"), "--profile", PROFILE]

    def run(*args: str, ok: bool = True) -> Result:
        proc = subprocess.run(
            [*base, *args], env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=90
        )
        result = Result(proc.returncode, proc.stdout, proc.stderr)
        if ok:
            assert proc.returncode == 0, f"oci {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
        else:
            assert proc.returncode != 0, f"oci {' '.join(args)} unexpectedly succeeded:\n{proc.stdout}"
        return result

    return run


def test_dedicated_ai_cluster_lifecycle(oci_cli):
    # create and wait: the CLI polls the work request and prints it
    created = oci_cli(
        "generative-ai", "dedicated-ai-cluster", "create",
        "--compartment-id", COMPARTMENT, "--type", "HOSTING", "--unit-shape", "SMALL_COHERE_V2",
        "--unit-count", "1", "--display-name", "cli-hosting", *WAIT,
    )
    assert "Waiting until the work request has entered state: ('SUCCEEDED',)" in created.stderr
    wr = created.json["data"]
    assert wr["id"].startswith("ocid1.generativeaiworkrequest.")
    assert (wr["operation-type"], wr["status"]) == ("CREATE_DEDICATED_AI_CLUSTER", "SUCCEEDED")
    assert wr["percent-complete"] == 100
    assert wr["compartment-id"] == COMPARTMENT and wr["time-finished"] is not None
    (resource,) = wr["resources"]
    assert (resource["entity-type"], resource["action-type"]) == ("DedicatedAiCluster", "CREATED")
    cluster_id = resource["identifier"]
    assert cluster_id.startswith("ocid1.generativeaidedicatedaicluster.")
    assert resource["entity-uri"] == f"/20231130/dedicatedAiClusters/{cluster_id}"

    # create without waiting: the CLI prints the resource as the service returned it
    second = oci_cli(
        "generative-ai", "dedicated-ai-cluster", "create",
        "--compartment-id", COMPARTMENT, "--type", "FINE_TUNING", "--unit-shape", "SMALL_COHERE_V2",
        "--unit-count", "2", "--display-name", "cli-tuning",
    ).json
    assert second["data"]["lifecycle-state"] == "CREATING"
    assert second["opc-work-request-id"].startswith("ocid1.generativeaiworkrequest.")
    assert second["etag"]

    # both show up in the collection
    listed = oci_cli(
        "generative-ai", "dedicated-ai-cluster-collection", "list-dedicated-ai-clusters",
        "--compartment-id", COMPARTMENT, "--all",
    ).json["data"]["items"]
    by_id = {c["id"]: c for c in listed}
    assert set(by_id) == {cluster_id, second["data"]["id"]}
    assert by_id[cluster_id]["display-name"] == "cli-hosting"
    assert by_id[second["data"]["id"]]["type"] == "FINE_TUNING"
    assert {c["lifecycle-state"] for c in listed} == {"ACTIVE"}

    got = oci_cli("generative-ai", "dedicated-ai-cluster", "get", "--dedicated-ai-cluster-id", cluster_id).json
    cluster = got["data"]
    assert (cluster["id"], cluster["lifecycle-state"], cluster["display-name"]) == (cluster_id, "ACTIVE", "cli-hosting")
    assert (cluster["type"], cluster["unit-shape"], cluster["unit-count"]) == ("HOSTING", "SMALL_COHERE_V2", 1)
    assert cluster["capacity"] == {
        "capacity-type": "HOSTING_CAPACITY", "total-endpoint-capacity": 50, "used-endpoint-capacity": 0
    }
    etag = got["etag"]
    assert etag

    # update (tags need --force to skip the overwrite prompt), guarded by the etag, and wait
    updated = oci_cli(
        "generative-ai", "dedicated-ai-cluster", "update", "--dedicated-ai-cluster-id", cluster_id,
        "--display-name", "cli-renamed", "--description", "from the CLI", "--freeform-tags", '{"team": "cli"}',
        "--if-match", etag, "--force", *WAIT,
    ).json["data"]
    assert (updated["operation-type"], updated["status"]) == ("UPDATE_DEDICATED_AI_CLUSTER", "SUCCEEDED")
    assert [(r["action-type"], r["identifier"]) for r in updated["resources"]] == [("UPDATED", cluster_id)]

    # the old etag is stale now: delete guarded by it is refused (412) and nothing happens
    stale = oci_cli(
        "generative-ai", "dedicated-ai-cluster", "delete", "--dedicated-ai-cluster-id", cluster_id,
        "--if-match", etag, "--force", ok=False,
    )
    assert '"status": 412' in stale.stderr and '"code": "NoEtagMatch"' in stale.stderr

    renamed = oci_cli("generative-ai", "dedicated-ai-cluster", "get", "--dedicated-ai-cluster-id", cluster_id).json
    cluster = renamed["data"]
    assert (cluster["display-name"], cluster["description"]) == ("cli-renamed", "from the CLI")
    assert cluster["freeform-tags"] == {"team": "cli"}
    assert cluster["lifecycle-state"] == "ACTIVE"
    assert renamed["etag"] != etag

    deleted = oci_cli(
        "generative-ai", "dedicated-ai-cluster", "delete", "--dedicated-ai-cluster-id", cluster_id,
        "--force", *WAIT,
    )
    assert "Waiting until the work request has entered state" in deleted.stderr
    wr = deleted.json["data"]
    assert (wr["operation-type"], wr["status"]) == ("DELETE_DEDICATED_AI_CLUSTER", "SUCCEEDED")
    assert [(r["action-type"], r["identifier"]) for r in wr["resources"]] == [("DELETED", cluster_id)]

    state = oci_cli(
        "generative-ai", "dedicated-ai-cluster", "get", "--dedicated-ai-cluster-id", cluster_id,
        "--query", 'data."lifecycle-state"', "--raw-output",
    )
    assert state.stdout.strip() == "DELETED"


def test_list_models_catalog(oci_cli, emulator_url, genai):
    expected = oci.pagination.list_call_get_all_results(genai.list_models, COMPARTMENT).data
    assert len(expected) > 5

    everything = oci_cli(
        "generative-ai", "model-collection", "list-models", "--compartment-id", COMPARTMENT, "--all"
    ).json
    models = everything["data"]["items"]
    assert "opc-next-page" not in everything
    assert [m["id"] for m in models] == [m.id for m in expected]
    assert len({m["id"] for m in models}) == len(models)
    for m in models:
        assert m["id"].startswith("ocid1.generativeaimodel.")
        assert m["vendor"] and m["display-name"] and m["version"]
        assert m["capabilities"] and m["type"] == "BASE" and m["lifecycle-state"] == "ACTIVE"
    vendors = {m["vendor"] for m in models}
    capabilities = {c for m in models for c in m["capabilities"]}
    assert {"cohere", "meta"} <= vendors
    assert {"CHAT", "TEXT_EMBEDDINGS"} <= capabilities

    filtered = oci_cli(
        "generative-ai", "model-collection", "list-models", "--compartment-id", COMPARTMENT, "--all",
        "--capability", "CHAT", "--vendor", "meta",
    ).json["data"]["items"]
    assert filtered
    assert all(m["vendor"] == "meta" and "CHAT" in m["capabilities"] for m in filtered)
    assert [m["id"] for m in filtered] == [
        m["id"] for m in models if m["vendor"] == "meta" and "CHAT" in m["capabilities"]
    ]

    # the CLI refuses --all with --limit; --page-size is how --all is paged. It must still get everything.
    admin(emulator_url, "requests", method="DELETE")
    paged = oci_cli(
        "generative-ai", "model-collection", "list-models", "--compartment-id", COMPARTMENT, "--all",
        "--page-size", "5",
    ).json["data"]["items"]
    assert [m["id"] for m in paged] == [m["id"] for m in models]
    calls = admin(emulator_url, "requests?operation=list_models")["items"]
    assert len(calls) == math.ceil(len(models) / 5)

    # --limit alone returns one page and hands back the token for the next one
    first = oci_cli(
        "generative-ai", "model-collection", "list-models", "--compartment-id", COMPARTMENT, "--limit", "5"
    )
    assert [m["id"] for m in first.json["data"]["items"]] == [m["id"] for m in models[:5]]
    assert first.json["opc-next-page"]
    assert "not all resources were returned" in first.stderr


def test_get_unknown_cluster_is_404(oci_cli):
    result = oci_cli(
        "generative-ai", "dedicated-ai-cluster", "get", "--dedicated-ai-cluster-id", UNKNOWN_CLUSTER, ok=False
    )
    assert result.stdout == ""
    assert result.stderr.startswith("ServiceError:")
    error = json.loads(result.stderr.split("ServiceError:", 1)[1])
    assert (error["status"], error["code"]) == (404, "NotAuthorizedOrNotFound")
    assert error["operation_name"] == "get_dedicated_ai_cluster"
    assert error["opc-request-id"]
    assert error["request_endpoint"].endswith(f"/20231130/dedicatedAiClusters/{UNKNOWN_CLUSTER}")


def test_private_endpoint_create_and_wait(oci_cli):
    """A family added through the resource-kind registry works in the CLI as the first ones do."""
    created = oci_cli(
        "generative-ai", "generative-ai-private-endpoint", "create",
        "--compartment-id", COMPARTMENT, "--subnet-id", "ocid1.subnet.oc1.us-chicago-1.aaaaaaaasubnet",
        "--dns-prefix", "cli", *WAIT,
    ).json["data"]
    assert (created["operation-type"], created["status"]) == ("CREATE_PRIVATE_ENDPOINT", "SUCCEEDED")
    pe_id = created["resources"][0]["identifier"]
    got = oci_cli(
        "generative-ai", "generative-ai-private-endpoint", "get", "--generative-ai-private-endpoint-id", pe_id
    ).json["data"]
    assert got["lifecycle-state"] == "ACTIVE" and got["fqdn"].startswith("cli.pe.inference.generativeai.")
