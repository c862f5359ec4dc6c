"""Shared fixtures: a real emulator over real HTTP, and real oci SDK clients pointed at it."""

from __future__ import annotations

import configparser
import json
import urllib.request
from pathlib import Path
from typing import NamedTuple

import oci
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from emulator.protocol.auth import fingerprint
from emulator.server import BackgroundServer
from emulator.settings import Settings

COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaatestcompartment"
OTHER_COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaaothercompartment"


def make_oci_config(directory: Path, tenancy: str, name: str = "key") -> dict:
    """An OCI SDK config with a fresh key pair, as `oci setup config` would write."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = directory / f"{name}.pem"
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    config = {
        "user": f"ocid1.user.oc1..aaaaaaaa{name}",
        "fingerprint": fingerprint(key.public_key()),
        "tenancy": tenancy,
        "region": "us-chicago-1",
        "key_file": str(key_file),
    }
    oci.config.validate_config(config)
    return config


class ConfigFile(NamedTuple):
    """An OCI config file on disk and the profile in it: how LangChain and LlamaIndex take credentials."""

    path: str
    profile: str


def write_oci_config_file(path: Path, profile: str, config: dict) -> ConfigFile:
    """``config`` as the ``[profile]`` section of the config file at ``path``."""
    parser = configparser.ConfigParser()
    parser[profile] = {key: str(value) for key, value in config.items()}
    with open(path, "w") as out:
        parser.write(out)
    assert oci.config.from_file(str(path), profile)["tenancy"] == config["tenancy"]  # reads back, validated
    return ConfigFile(str(path), profile)


def admin(url: str, path: str, body: dict | None = None, method: str | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        f"{url}/_emulator/{path}", data=data, method=method or ("POST" if data is not None else "GET")
    )
    req.add_header("content-type", "application/json")
    with urllib.request.urlopen(req) as resp:
        raw = resp.read()
        return json.loads(raw) if raw else {}


@pytest.fixture(scope="session")
def emulator():
    server = BackgroundServer(Settings(port=0)).start()
    yield server
    server.stop()


@pytest.fixture
def emulator_url(emulator) -> str:
    admin(emulator.url, "reset", {})
    return emulator.url


@pytest.fixture(scope="session")
def oci_config(tmp_path_factory) -> dict:
    return make_oci_config(tmp_path_factory.mktemp("oci"), "ocid1.tenancy.oc1..aaaaaaaatenancyone", "one")


@pytest.fixture(scope="session")
def oci_config_file(tmp_path_factory, oci_config) -> ConfigFile:
    """``oci_config`` written to a config file, under a profile that is not DEFAULT."""
    return write_oci_config_file(tmp_path_factory.mktemp("oci-file") / "config", "EMULATOR", oci_config)


@pytest.fixture(scope="session")
def other_oci_config(tmp_path_factory) -> dict:
    return make_oci_config(tmp_path_factory.mktemp("oci2"), "ocid1.tenancy.oc1..aaaaaaaatenancytwo", "two")


@pytest.fixture
def genai(emulator_url, oci_config) -> oci.generative_ai.GenerativeAiClient:
    return oci.generative_ai.GenerativeAiClient(oci_config, service_endpoint=emulator_url)


@pytest.fixture
def genai_no_retry(emulator_url, oci_config) -> oci.generative_ai.GenerativeAiClient:
    return oci.generative_ai.GenerativeAiClient(
        oci_config, service_endpoint=emulator_url, retry_strategy=oci.retry.NoneRetryStrategy()
    )


@pytest.fixture
def composite(genai) -> oci.generative_ai.GenerativeAiClientCompositeOperations:
    return oci.generative_ai.GenerativeAiClientCompositeOperations(genai)


@pytest.fixture
def inference(emulator_url, oci_config) -> oci.generative_ai_inference.GenerativeAiInferenceClient:
    return oci.generative_ai_inference.GenerativeAiInferenceClient(oci_config, service_endpoint=emulator_url)


@pytest.fixture
def inference_no_retry(emulator_url, oci_config) -> oci.generative_ai_inference.GenerativeAiInferenceClient:
    return oci.generative_ai_inference.GenerativeAiInferenceClient(
        oci_config, service_endpoint=emulator_url, retry_strategy=oci.retry.NoneRetryStrategy()
    )


@pytest.fixture
def framework_settings(emulator_url, oci_config_file) -> dict:
    """What a user passes to point langchain-oci or LlamaIndex at a service."""
    return {
        "service_endpoint": emulator_url,
        "compartment_id": COMPARTMENT,
        "auth_file_location": oci_config_file.path,
        "auth_profile": oci_config_file.profile,
    }
