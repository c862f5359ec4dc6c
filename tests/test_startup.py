"""Start-up mistakes get one clear line (naming the flag or variable) and exit status 2, never a
traceback; ``config`` is safe to run again; strict mode trusts keys written after it started."""

from __future__ import annotations

import configparser
import json
import socket

import oci
import pytest

from conftest import COMPARTMENT
from processes import child_env, run_cli, spawn  # noqa: F401  (spawn is a fixture)


@pytest.fixture
def home(tmp_path):
    path = tmp_path / "home"  # the home of spawn()'s emulators too
    path.mkdir(exist_ok=True)
    return path


def refused(args: list[str], env: dict, *words: str) -> str:
    result = run_cli(["serve", *args], env, timeout=30)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "listening" not in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def test_a_busy_port(home):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        refused(["--port", str(port)], child_env(home), f"--port {port}", "already in use")
        refused(["--port", str(port), "--server", "waitress"], child_env(home), "already in use")
        refused([], child_env(home, OCI_EMULATOR_PORT=str(port)), "OCI_EMULATOR_PORT", "already in use")


@pytest.mark.parametrize(
    "args, words",
    [
        (["--port", "99999"], ["--port 99999", "0 to 65535"]),
        (["--port", "-1"], ["--port -1"]),
        (["--port", "http"], ["--port 'http'"]),
        (["--host", "no-such-host.invalid"], ["--host", "resolve"]),
        (["--host", "192.0.2.1"], ["--host", "not an address of this machine"]),
        (["--auth", "sometimes"], ["--auth", "off, loose, strict"]),
        (["--server", "gunicorn"], ["--server"]),
        (["--workers", "0"], ["--workers 0"]),
        (["--workers", "2"], ["--workers 2", "--data-dir"]),
        (["--threads", "100000"], ["--threads"]),
        (["--region", "Mars"], ["--region", "us-chicago-1"]),
        (["--rate-limit", "fast"], ["--rate-limit", "[OPERATION=]RATE[/BURST]"]),
        (["--rate-limit", "no_such_op=1"], ["--rate-limit", "operation"]),
    ],
)
def test_bad_flags(home, args, words):
    refused(args, child_env(home), *words)


@pytest.mark.parametrize(
    "variable, value, words",
    [
        ("OCI_EMULATOR_PORT", "eighty", ["OCI_EMULATOR_PORT", "not an integer"]),
        ("OCI_EMULATOR_AUTH", "none", ["OCI_EMULATOR_AUTH"]),
        ("OCI_EMULATOR_WORKERS", "-3", ["OCI_EMULATOR_WORKERS"]),
        ("OCI_EMULATOR_TRUST_USER_KEYS", "maybe", ["OCI_EMULATOR_TRUST_USER_KEYS", "boolean"]),
        ("OCI_EMULATOR_LOG_LEVEL", "LOUD", ["OCI_EMULATOR_LOG_LEVEL"]),
        ("OCI_EMULATOR_JOURNAL_SIZE", "1e9", ["OCI_EMULATOR_JOURNAL_SIZE"]),
        ("OCI_EMULATOR_RATE_LIMITS", "list_models=x", ["OCI_EMULATOR_RATE_LIMITS"]),
    ],
)
def test_bad_environment_variables(home, variable, value, words):
    refused([], child_env(home, **{variable: value}), *words)


def test_bad_files_and_folders(home, tmp_path):
    env = child_env(home)
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    refused(["--data-dir", str(a_file)], env, "--data-dir", "is a file")
    refused(["--data-dir", str(a_file / "below")], env, "--data-dir", "cannot write")
    refused([], child_env(home, OCI_EMULATOR_DATA_DIR=str(a_file)), "OCI_EMULATOR_DATA_DIR", "is a file")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "emulator.db").write_text("not sqlite at all" * 100)
    refused(["--data-dir", str(broken)], env, "--data-dir", "not a usable emulator database")
    refused(["--rules", str(tmp_path / "missing.yaml")], env, "--rules", "cannot read")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    refused(["--rules", str(binary)], env, "--rules", "rules")
    refused(["--seed", str(tmp_path / "missing.json")], env, "--seed", "cannot read")
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    refused(["--seed", str(deep)], env, "--seed", "nested deeper")
    bad_seed = tmp_path / "bad-seed.json"
    bad_seed.write_text(json.dumps({"clockOffsetSeconds": 1e300}))
    refused(["--seed", str(bad_seed)], env, "--seed", "clockOffsetSeconds")
    refused([], child_env(home, OCI_EMULATOR_SEED=str(bad_seed)), "OCI_EMULATOR_SEED", "clockOffsetSeconds")
    refused(["--faults", str(tmp_path / "missing.yaml")], env, "--faults", "cannot read")
    faults = tmp_path / "faults.json"
    faults.write_text(json.dumps([{"status": 503, "probability": 2}]))
    refused(["--faults", str(faults)], env, "--faults", "probability")
    refused(["--trust-key", str(a_file)], env, "--trust-key", "PEM")


def test_host_names_work_on_the_default_server(spawn, home):
    server = spawn("--host", "localhost")
    assert server.admin("health")["status"] == "ok"


# -- config ------------------------------------------------------------------------------------
def profile(home, name: str = "EMU") -> dict:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(home / ".oci-genai-emulator" / "config")
    return dict(parser[name])


def test_config_keeps_an_existing_profile_unless_asked_to_regenerate(home):
    env = child_env(home)
    first = run_cli(["config", "--profile", "EMU"], env)
    assert first.returncode == 0 and "Wrote profile [EMU]" in first.stdout
    before = profile(home)
    again = run_cli(["config", "--profile", "EMU", "--region", "eu-frankfurt-1"], env)
    assert again.returncode == 0 and "Kept the user, tenancy, key of the existing profile [EMU]" in again.stdout
    kept = profile(home)
    assert {k: kept[k] for k in ("tenancy", "user", "fingerprint", "key_file")} == {
        k: before[k] for k in ("tenancy", "user", "fingerprint", "key_file")
    }
    assert kept["region"] == "eu-frankfurt-1"
    fresh = run_cli(["config", "--profile", "EMU", "--regenerate"], env)
    assert fresh.returncode == 0 and "Wrote profile" in fresh.stdout
    assert profile(home)["tenancy"] != before["tenancy"] and profile(home)["fingerprint"] != before["fingerprint"]


def test_config_makes_a_new_key_when_the_old_one_is_gone_and_keeps_the_tenancy(home):
    env = child_env(home)
    run_cli(["config", "--profile", "EMU"], env)
    before = profile(home)
    (home / ".oci-genai-emulator" / "keys" / "emu.pem").unlink()
    again = run_cli(["config", "--profile", "EMU"], env)
    assert "Kept the user, tenancy of the existing profile" in again.stdout
    assert profile(home)["tenancy"] == before["tenancy"] and profile(home)["fingerprint"] != before["fingerprint"]


def test_config_refuses_a_profile_name_that_is_a_path(home):
    result = run_cli(["config", "--profile", "../../etc/x"], child_env(home))
    assert result.returncode == 2 and "--profile" in result.stderr and "Traceback" not in result.stderr


def test_strict_mode_trusts_a_key_written_by_config_after_it_started(spawn, home):
    server = spawn("--auth", "strict")
    env = child_env(home)
    assert run_cli(["config", "--profile", "LATE"], env).returncode == 0
    config = oci.config.from_file(str(home / ".oci-genai-emulator" / "config"), "LATE")
    client = oci.generative_ai.GenerativeAiClient(config, service_endpoint=server.url, retry_strategy=oci.retry.NoneRetryStrategy())
    assert client.list_dedicated_ai_clusters(COMPARTMENT).data.items == []
    run_cli(["config", "--profile", "LATE", "--regenerate"], env)  # a new key for the same file
    config = oci.config.from_file(str(home / ".oci-genai-emulator" / "config"), "LATE")
    client = oci.generative_ai.GenerativeAiClient(config, service_endpoint=server.url, retry_strategy=oci.retry.NoneRetryStrategy())
    assert client.list_dedicated_ai_clusters(COMPARTMENT).data.items == []
