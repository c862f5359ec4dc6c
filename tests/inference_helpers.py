"""Builders shared by the inference tests: an SDK inference client, serving modes, dedicated endpoints."""

from __future__ import annotations

import copy
import time

import oci
import requests
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from oci.generative_ai_inference import models as im

from conftest import COMPARTMENT
from helpers import active_cluster, active_endpoint, base_model


def inference_client(oci_config: dict, url: str) -> oci.generative_ai_inference.GenerativeAiInferenceClient:
    """No retries: errors are asserted as they come, and inference calls are not retried by tests."""
    return oci.generative_ai_inference.GenerativeAiInferenceClient(
        oci_config, service_endpoint=url, retry_strategy=oci.retry.NoneRetryStrategy()
    )


def on_demand(model_id: str) -> im.OnDemandServingMode:
    return im.OnDemandServingMode(model_id=model_id)


def dedicated(endpoint_id: str) -> im.DedicatedServingMode:
    return im.DedicatedServingMode(endpoint_id=endpoint_id)


def dedicated_endpoint(genai, name: str, capability: str, shape: str):
    """An ACTIVE endpoint serving catalog model ``name`` (its ``capability`` entry) on a new ``shape`` cluster."""
    model = base_model(genai, name, capability)
    cluster = active_cluster(genai, "HOSTING", shape)
    return active_endpoint(genai, cluster.id, model.id)


def raw_post(url: str, action: str, body: dict) -> requests.Response:
    """An unsigned POST (auth loose: the default tenancy), for values the SDK refuses to send."""
    return requests.post(f"{url}/20231130/actions/{action}", json=body, timeout=10)


def raw_error(url: str, action: str, body: dict) -> tuple[int, str, str]:
    resp = raw_post(url, action, body)
    data = resp.json()
    return resp.status_code, data["code"], data["message"]


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(["", "NONE", "END", "TEXT", "IMAGE", "float", "COHERE", "LLAMA", 0, -1, 2.0, 256.0, 96]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)


@st.composite
def mutated(draw, base: dict, paths: list[str]):
    """``base`` with a few of its (dotted) ``paths`` set to arbitrary JSON values or removed."""
    body = copy.deepcopy(base)
    for path in draw(st.lists(st.sampled_from(paths), min_size=1, max_size=3, unique=True)):
        *parents, leaf = path.split(".")
        node = body
        for part in parents:
            node = node.setdefault(part, {}) if isinstance(node, dict) else {}
        if isinstance(node, dict):
            if draw(st.booleans()):
                node[leaf] = draw(JSON_VALUES)
            else:
                node.pop(leaf, None)
    return body


def assert_not_500(resp: requests.Response) -> None:
    assert resp.status_code < 500, resp.text
    if resp.status_code >= 400:
        data = resp.json()
        assert data["code"] == str(resp.status_code) and data["message"], data


FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def raw_endpoint(url: str, name: str, capability: str, shape: str) -> str:
    """An ACTIVE endpoint in the default tenancy (where unsigned requests land), made over raw HTTP."""
    api = f"{url}/20231130"
    params = {"compartmentId": COMPARTMENT, "displayName": name, "capability": capability}
    model_id = requests.get(f"{api}/models", params=params, timeout=10).json()["items"][0]["id"]
    cluster = requests.post(
        f"{api}/dedicatedAiClusters",
        json={"compartmentId": COMPARTMENT, "type": "HOSTING", "unitShape": shape, "unitCount": 1},
        timeout=10,
    ).json()
    _wait_active(f"{api}/dedicatedAiClusters/{cluster['id']}")
    endpoint = requests.post(
        f"{api}/endpoints",
        json={"compartmentId": COMPARTMENT, "dedicatedAiClusterId": cluster["id"], "modelId": model_id},
        timeout=10,
    ).json()
    _wait_active(f"{api}/endpoints/{endpoint['id']}")
    return endpoint["id"]


def _wait_active(url: str) -> None:
    for _ in range(200):
        if requests.get(url, timeout=10).json()["lifecycleState"] == "ACTIVE":
            return
        time.sleep(0.01)
    raise AssertionError(f"{url} never became ACTIVE")
