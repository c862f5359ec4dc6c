"""The pytest plugin (``ocigenai.pytest_plugin``) as a user's project sees it, run with pytester."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest_plugins = ["pytester"]

USER_TESTS = '''
import pytest
import requests

from ocigenai import GenAI

SHAPE = "SMALL_COHERE_V2"


def test_first_creates_a_cluster(genai, generative_ai_client, oci_genai_config):
    assert isinstance(genai, GenAI)
    cluster = genai.create_cluster(SHAPE, display_name="first")
    assert cluster.lifecycle_state == "ACTIVE" and cluster.etag and cluster.opc_request_id
    seen = generative_ai_client.list_dedicated_ai_clusters(oci_genai_config["tenancy"]).data.items
    assert [c.id for c in seen] == [cluster.id]  # the SDK client and the thin client share a tenancy


def test_second_starts_from_an_empty_emulator(genai, oci_genai_emulator):
    assert oci_genai_emulator.requests() == []  # the journal was reset too
    assert list(genai.clusters()) == []
    genai.create_cluster(SHAPE, display_name="second")


@pytest.mark.oci_genai_keep_state
def test_third_keeps_the_state_when_asked(genai):
    assert [c.display_name for c in genai.clusters()] == ["second"]


def test_url_and_signer(oci_genai_emulator_url, oci_genai_signer, oci_genai_config):
    response = requests.get(
        f"{oci_genai_emulator_url}/20231130/dedicatedAiClusters",
        params={"compartmentId": oci_genai_config["tenancy"]},
        auth=oci_genai_signer,  # a signed request, as any HTTP client can send it
    )
    assert response.status_code == 200 and response.json() == {"items": []}
    assert response.request.headers["authorization"].startswith("Signature ")


def test_inference_client(generative_ai_inference_client, oci_genai_config):
    from oci.generative_ai_inference import models as m

    details = m.EmbedTextDetails(
        inputs=["hello"],
        serving_mode=m.OnDemandServingMode(model_id="cohere.embed-v4.0"),
        compartment_id=oci_genai_config["tenancy"],
    )
    assert len(generative_ai_inference_client.embed_text(details).data.embeddings) == 1


def test_admin_api(oci_genai_emulator, genai):
    oci_genai_emulator.set_transition("dedicatedaicluster", mode="manual")
    cluster = genai.create_cluster(SHAPE, wait=False)
    assert oci_genai_emulator.complete_transitions() == 1
    assert genai.get_cluster(cluster.id).lifecycle_state == "ACTIVE"


def test_not_using_the_emulator():
    pass
'''


def test_fixtures_work_and_state_is_reset_between_tests(pytester: pytest.Pytester):
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=7)


def test_an_external_emulator_by_option_or_environment(pytester: pytest.Pytester, oci_genai_emulator, monkeypatch):
    """The inner session uses this test's emulator instead of starting its own."""
    pytester.makepyfile(
        test_external='''
def test_creates(genai, oci_genai_emulator):
    assert oci_genai_emulator.server is None  # nothing started in-process
    genai.create_cluster("SMALL_COHERE_V2", display_name="from-inner")
'''
    )
    result = pytester.runpytest("-p", "no:cacheprovider", f"--oci-genai-emulator-url={oci_genai_emulator.url}")
    result.assert_outcomes(passed=1)
    state = oci_genai_emulator.export_state()
    assert [r["doc"]["displayName"] for r in state["resources"]] == ["from-inner"]

    monkeypatch.setenv("OCI_GENAI_EMULATOR_URL", oci_genai_emulator.url)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    state = oci_genai_emulator.export_state()
    assert [r["doc"]["displayName"] for r in state["resources"]] == ["from-inner"]  # reset, then made again


def test_an_unreachable_emulator_fails_clearly(pytester: pytest.Pytester):
    pytester.makepyfile(test_down="def test_x(genai):\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "--oci-genai-emulator-url=http://127.0.0.1:9")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*emulator at http://127.0.0.1:9 does not answer*"])


def test_registered_through_the_entry_point(pytester: pytest.Pytester):
    """A fresh process finds the plugin without any configuration, and its import stays light."""
    pytester.makepyfile(test_fresh="def test_url(oci_genai_emulator_url):\n    assert oci_genai_emulator_url.startswith('http://127.0.0.1:')\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    probe = "import sys, ocigenai.pytest_plugin; print(sorted(m for m in ('oci', 'emulator') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
