"""Request signatures: ``config`` + ``serve --auth strict`` as a user runs them, and tenancy isolation."""

from __future__ import annotations

import email.utils
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import oci
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from oci.generative_ai import models

from conftest import COMPARTMENT, make_oci_config
from helpers import cluster_details
from processes import QUICK_STOP, EmulatorProcess, child_env, run_cli, spawn  # noqa: F401  (spawn is a fixture)

PROFILE = "EMU"
CLUSTERS = "/20231130/dedicatedAiClusters"


def genai(config: dict, url: str) -> oci.generative_ai.GenerativeAiClient:
    return oci.generative_ai.GenerativeAiClient(
        config, service_endpoint=url, retry_strategy=oci.retry.NoneRetryStrategy()
    )


def signer(config: dict) -> oci.signer.Signer:
    return oci.signer.Signer(config["tenancy"], config["user"], config["fingerprint"], config["key_file"])


def cluster_body(name: str = "raw") -> dict:
    return {"compartmentId": COMPARTMENT, "type": "HOSTING", "unitShape": "SMALL_COHERE_V2", "unitCount": 1, "displayName": name}


def assert_not_authenticated(resp: requests.Response, words: str) -> None:
    assert resp.status_code == 401, resp.text
    assert resp.json()["code"] == "NotAuthenticated"
    assert words in resp.json()["message"]
    assert resp.headers.get("opc-request-id")


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    """``oci-genai-emulator config --profile EMU`` then ``serve --auth strict``, sharing OCI_EMULATOR_HOME only."""
    tmp = tmp_path_factory.mktemp("strict")
    home = tmp / "home"
    home.mkdir()
    env = child_env(home)
    result = run_cli(["config", "--profile", PROFILE], env, script=True)
    assert result.returncode == 0, result.stderr
    config_file = Path(env["OCI_EMULATOR_HOME"]) / "config"
    assert f"Wrote profile [{PROFILE}] to {config_file}" in result.stdout
    config = oci.config.from_file(str(config_file), PROFILE)  # validates it, too
    assert Path(config["key_file"]).parent == Path(env["OCI_EMULATOR_HOME"]) / "keys"
    assert config["tenancy"] in result.stdout

    server = EmulatorProcess(["--auth", "strict"], env, tmp).start()
    assert server.admin("health")["auth"] == "strict"
    yield server, config, tmp
    server.stop(QUICK_STOP)


def test_config_profile_is_trusted_by_strict_serve(strict):
    server, config, _ = strict
    client = genai(config, server.url)
    names = {m.display_name for m in client.list_models(COMPARTMENT).data.items}
    assert "cohere.command-r-08-2024" in names
    created = client.create_dedicated_ai_cluster(cluster_details(display_name="signed"))
    assert created.status == 200 and created.data.lifecycle_state == "CREATING"
    got = client.get_dedicated_ai_cluster(created.data.id).data
    assert (got.display_name, got.lifecycle_state) == ("signed", "ACTIVE")
    listed = client.list_dedicated_ai_clusters(compartment_id=COMPARTMENT).data.items
    assert created.data.id in {c.id for c in listed}


def test_strict_rejects_unsigned_untrusted_tampered_and_stale_requests(strict):
    server, config, tmp = strict
    url = server.url + CLUSTERS
    good = signer(config)

    # the control: a correctly signed raw request is accepted
    ok = requests.get(url, params={"compartmentId": COMPARTMENT}, auth=good, timeout=10)
    assert ok.status_code == 200, ok.text

    # unsigned
    assert_not_authenticated(requests.get(url, params={"compartmentId": COMPARTMENT}, timeout=10), "not signed")

    # signed by a key nobody trusted (through the SDK, as a user would hit it)
    stranger = make_oci_config(tmp, config["tenancy"], "stranger")
    with pytest.raises(oci.exceptions.ServiceError) as err:
        genai(stranger, server.url).list_dedicated_ai_clusters(compartment_id=COMPARTMENT)
    assert (err.value.status, err.value.code) == (401, "NotAuthenticated")
    assert err.value.headers.get("opc-request-id")
    assert_not_authenticated(
        requests.get(url, params={"compartmentId": COMPARTMENT}, auth=signer(stranger), timeout=10), "not trusted"
    )

    # the body changed after signing (same length, so only x-content-sha256 gives it away)
    with requests.Session() as session:
        signed = session.prepare_request(requests.Request("POST", url, json=cluster_body("abcd"), auth=good))
        body = signed.body
        tampered = signed.copy()
        tampered.body = body.replace(b'"abcd"', b'"abce"')
        assert len(tampered.body) == len(body) and tampered.body != body
        assert_not_authenticated(session.send(tampered, timeout=10), "x-content-sha256")
        accepted = session.send(signed, timeout=10)
        assert accepted.status_code == 200 and accepted.json()["displayName"] == "abcd"

    # a date 10 minutes old, correctly signed
    stale = email.utils.formatdate(time.time() - 600, usegmt=True)
    resp = requests.get(url, params={"compartmentId": COMPARTMENT}, headers={"date": stale}, auth=good, timeout=10)
    assert_not_authenticated(resp, "5 minutes")
    resp = requests.post(url, data=json.dumps(cluster_body()), headers={"date": stale}, auth=good, timeout=10)
    assert_not_authenticated(resp, "5 minutes")

    # none of the rejected writes happened
    listed = genai(config, server.url).list_dedicated_ai_clusters(compartment_id=COMPARTMENT).data.items
    assert "abce" not in {c.display_name for c in listed} and "raw" not in {c.display_name for c in listed}


def test_key_added_through_admin_api_is_trusted(strict):
    server, config, tmp = strict
    newcomer = make_oci_config(tmp, "ocid1.tenancy.oc1..aaaaaaaanewcomer", "newcomer")
    client = genai(newcomer, server.url)
    with pytest.raises(oci.exceptions.ServiceError) as err:
        client.list_dedicated_ai_clusters(compartment_id=COMPARTMENT)
    assert err.value.status == 401

    assert server.admin("keys", {"publicKey": public_pem(newcomer)}) == {"fingerprint": newcomer["fingerprint"]}

    assert client.list_dedicated_ai_clusters(compartment_id=COMPARTMENT).data.items == []
    created = client.create_dedicated_ai_cluster(cluster_details(display_name="newcomer")).data
    assert client.get_dedicated_ai_cluster(created.id).data.display_name == "newcomer"
    # its own tenancy: the profile's tenancy does not see it
    with pytest.raises(oci.exceptions.ServiceError) as err:
        genai(config, server.url).get_dedicated_ai_cluster(created.id)
    assert (err.value.status, err.value.code) == (404, "NotAuthorizedOrNotFound")


def public_pem(config: dict) -> str:
    private = serialization.load_pem_private_key(Path(config["key_file"]).read_bytes(), password=None)
    return private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def test_key_added_through_admin_api_is_trusted_by_every_worker(spawn, tmp_path):
    server = spawn("--auth", "strict", "--workers", "2", "--data-dir", str(tmp_path / "data"))
    newcomer = make_oci_config(tmp_path, "ocid1.tenancy.oc1..aaaaaaaaworkers", "workers")
    server.admin("keys", {"publicKey": public_pem(newcomer)})
    # a fresh client (so a fresh connection, to whichever worker accepts it) per call, several at once

    def status(_) -> int:
        try:
            genai(newcomer, server.url).list_dedicated_ai_clusters(compartment_id=COMPARTMENT)
            return 200
        except oci.exceptions.ServiceError as exc:
            return exc.status

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(status, range(40))) == [200] * 40


def test_loose_mode_isolates_tenancies_in_the_same_compartment(emulator_url, oci_config, other_oci_config):
    assert oci_config["tenancy"] != other_oci_config["tenancy"]
    a, b = genai(oci_config, emulator_url), genai(other_oci_config, emulator_url)
    mine = a.create_dedicated_ai_cluster(cluster_details(display_name="tenancy-a")).data
    theirs = b.create_dedicated_ai_cluster(cluster_details(display_name="tenancy-b")).data
    assert mine.compartment_id == theirs.compartment_id == COMPARTMENT

    for client, own, foreign in ((a, mine, theirs), (b, theirs, mine)):
        assert client.get_dedicated_ai_cluster(own.id).data.id == own.id
        for attempt in (
            lambda: client.get_dedicated_ai_cluster(foreign.id),
            lambda: client.update_dedicated_ai_cluster(foreign.id, models.UpdateDedicatedAiClusterDetails(description="x")),
            lambda: client.delete_dedicated_ai_cluster(foreign.id),
        ):
            with pytest.raises(oci.exceptions.ServiceError) as err:
                attempt()
            assert (err.value.status, err.value.code) == (404, "NotAuthorizedOrNotFound")
        listed = client.list_dedicated_ai_clusters(compartment_id=COMPARTMENT).data.items
        assert [c.id for c in listed] == [own.id]
        wrs = client.list_work_requests(COMPARTMENT).data.items
        assert {w.resources[0].identifier for w in wrs} == {own.id}
    assert a.get_dedicated_ai_cluster(mine.id).data.description is None


@pytest.fixture(scope="module")
def strict_in_process(tmp_path_factory):
    """``--auth strict`` in this process (the mutation run sees its code), trusting one key."""
    from emulator.server import BackgroundServer
    from emulator.settings import Settings

    server = BackgroundServer(Settings(port=0, auth="strict", trust_user_keys=False)).start()
    config = make_oci_config(tmp_path_factory.mktemp("strict-in-process"), "ocid1.tenancy.oc1..aaaaaaaastrict", "strict")
    public = serialization.load_pem_private_key(Path(config["key_file"]).read_bytes(), None).public_key()
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    requests.post(f"{server.url}/_emulator/keys", json={"publicKey": pem}, timeout=10).raise_for_status()
    yield server, config
    server.stop()


@pytest.mark.parametrize("left_out", ["content-length", "content-type", "x-content-sha256"])
def test_strict_signatures_on_a_post_must_cover_the_body_headers(strict_in_process, left_out):
    """A POST signed without one of its body headers is refused, though the signature itself verifies."""
    server, config = strict_in_process
    url = server.url + CLUSTERS
    partial = signer(config)
    body_headers = [h for h in ("content-length", "content-type", "x-content-sha256") if h != left_out]
    partial.create_signers(partial.api_key, partial.private_key, ["date", "(request-target)", "host"], body_headers)
    body = json.dumps(cluster_body(f"partial-{left_out}"))
    resp = requests.post(url, data=body, headers={"content-type": "application/json"}, auth=partial, timeout=10)
    assert_not_authenticated(resp, left_out)
    full = requests.post(url, data=body, headers={"content-type": "application/json"}, auth=signer(config), timeout=10)
    assert full.status_code == 200
    listed = genai(config, server.url).list_dedicated_ai_clusters(compartment_id=COMPARTMENT).data.items
    assert [c.display_name for c in listed].count(f"partial-{left_out}") == 1
