"""The dashboard's page and what it reads over HTTP: the journal's entries with their headers and
bodies (secrets redacted, bodies cut to a limit, streams kept as they are sent), its filters, and
the page under strict auth. The page in a real browser: tests/test_dashboard_browser.py."""

from __future__ import annotations

import json

import oci
import pytest
import requests

from conftest import COMPARTMENT, admin
from emulator.server import BackgroundServer
from emulator.settings import Settings
from helpers import cluster_details
from openai_helpers import PLAIN_MODEL, active_project, api_key, client
from processes import spawn  # noqa: F401  (a fixture)


def entry_of(url: str, operation: str) -> dict:
    """The newest journal entry of ``operation``, opened."""
    summary = admin(url, f"requests?operation={operation}")["items"][-1]
    return admin(url, f"requests/{summary['id']}")


def test_the_page_and_its_files_are_served_by_the_emulator(emulator_url):
    page = requests.get(f"{emulator_url}/_emulator/ui")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "/_emulator/ui/dashboard.js" in page.text and "/_emulator/ui/dashboard.css" in page.text
    assert "http://" not in page.text and "https://" not in page.text  # nothing fetched from elsewhere
    for name, content_type in [("dashboard.js", "text/javascript"), ("dashboard.css", "text/css")]:
        asset = requests.get(f"{emulator_url}/_emulator/ui/{name}")
        assert asset.status_code == 200 and asset.headers["content-type"].startswith(content_type)
        assert "http://" not in asset.text and "https://" not in asset.text
    missing = requests.get(f"{emulator_url}/_emulator/ui/secrets.txt")
    assert missing.status_code == 404 and missing.json()["code"] == "NotAuthorizedOrNotFound"
    assert admin(emulator_url, "requests")["items"] == []  # the page's own calls are not journaled


def test_an_entry_holds_what_crossed_the_wire(emulator_url, genai):
    created = genai.create_dedicated_ai_cluster(cluster_details(display_name="traced"), opc_request_id="trace-1")
    entry = entry_of(emulator_url, "create_dedicated_ai_cluster")
    assert entry["requestId"] == "trace-1" and entry["status"] == 200 and entry["durationMs"] > 0
    assert entry["method"] == "POST" and entry["path"] == "/20231130/dedicatedAiClusters" and entry["query"] == ""
    request, response = entry["request"], entry["response"]
    assert request["headers"]["opc-request-id"] == "trace-1" and request["headers"]["content-type"] == "application/json"
    assert json.loads(request["body"])["displayName"] == "traced"
    assert request["bodyBytes"] == int(request["headers"]["content-length"]) and not request["truncated"]
    assert response["headers"]["etag"] == created.headers["etag"]
    assert response["headers"]["opc-work-request-id"] == created.headers["opc-work-request-id"]
    assert json.loads(response["body"])["id"] == created.data.id
    assert response["headers"]["content-length"] == str(response["bodyBytes"])
    genai.list_dedicated_ai_clusters(COMPARTMENT, limit=5)
    assert entry_of(emulator_url, "list_dedicated_ai_clusters")["query"] == f"compartmentId={COMPARTMENT.replace(':', '%3A')}&limit=5"


def test_signatures_are_redacted_but_say_who_signed(emulator_url, genai, oci_config):
    genai.list_dedicated_ai_clusters(COMPARTMENT)
    authorization = entry_of(emulator_url, "list_dedicated_ai_clusters")["request"]["headers"]["authorization"]
    assert authorization.startswith("Signature ") and 'signature="<redacted>"' in authorization
    assert f'keyId="{oci_config["tenancy"]}/{oci_config["user"]}/{oci_config["fingerprint"]}"' in authorization


def test_session_tokens_cookies_and_unknown_credentials_are_redacted(emulator_url):
    headers = {
        "authorization": 'Signature version="1",keyId="ST$eyJhbGciOiJSUzI1NiJ9.secret-token",signature="c2lnbg=="',
        "cookie": "session=secret-cookie",
        "opc-obo-token": "secret-obo",
    }
    requests.get(f"{emulator_url}/20231130/dedicatedAiClusters?compartmentId={COMPARTMENT}", headers=headers)
    requests.get(f"{emulator_url}/20231130/models?compartmentId={COMPARTMENT}", headers={"authorization": "Basic c2VjcmV0"})
    text = json.dumps([admin(emulator_url, f"requests/{e['id']}") for e in admin(emulator_url, "requests")["items"]])
    for secret in ("secret-token", "secret-cookie", "secret-obo", "c2lnbg==", "c2VjcmV0"):
        assert secret not in text
    assert 'keyId=\\"ST$<redacted>\\"' in text and '"cookie": "<redacted>"' in text and '"Basic' not in text


def test_api_keys_are_redacted_in_headers_and_bodies(emulator_url, genai):
    project = active_project(genai)
    key = api_key(genai)  # its secret is in create_api_key's response body
    client(emulator_url, project.id, key.secret).responses.create(model=PLAIN_MODEL, input="hello")
    mask = f"sk-...{key.secret[-4:]}"
    created = entry_of(emulator_url, "create_api_key")
    assert json.loads(created["response"]["body"])["keys"][0]["key"] == mask
    assert entry_of(emulator_url, "create_response")["request"]["headers"]["authorization"] == f"Bearer {mask}"
    everything = json.dumps([admin(emulator_url, f"requests/{e['id']}") for e in admin(emulator_url, "requests")["items"]])
    assert key.secret not in everything


def test_a_stream_is_kept_as_it_is_sent(emulator_url, genai):
    project = active_project(genai)
    key = api_key(genai)
    with client(emulator_url, project.id, key.secret).responses.stream(model=PLAIN_MODEL, input="Why is the sky blue?") as stream:
        final = stream.get_final_response()
    summary = admin(emulator_url, "requests?operation=create_response")["items"][-1]
    entry = admin(emulator_url, f"requests/{summary['id']}")
    response = entry["response"]
    assert response["headers"]["content-type"] == "text/event-stream" and "content-length" not in response["headers"]
    assert "event: response.created" in response["body"] and final.id in response["body"]
    assert response["bodyBytes"] == len(response["body"].encode()) and not response["truncated"]
    assert "streaming" not in response and summary["streamMs"] >= summary["durationMs"]


def test_on_the_default_server_each_request_keeps_its_own_headers(spawn, oci_config):
    """granian puts the process environment into every request's environ: none of it is a header,
    and a header first met late, or missing from a later request, is shown as sent."""
    server = spawn()
    url = f"{server.url}/20231130/models?compartmentId={COMPARTMENT}&limit=1"
    oci.generative_ai.GenerativeAiClient(oci_config, service_endpoint=server.url).list_models(COMPARTMENT, limit=1)
    requests.get(url, headers={"x-first-seen": "late"})
    requests.get(url)
    signed, custom, plain = [server.admin(f"requests/{e['id']}")["request"]["headers"] for e in server.admin("requests")["items"]]
    assert 'signature="<redacted>"' in signed["authorization"] and signed["opc-client-info"].startswith("Oracle-PythonSDK")
    assert custom["x-first-seen"] == "late" and "authorization" not in custom
    assert set(plain) == {"host", "user-agent", "accept", "accept-encoding", "connection"}


def test_bodies_are_cut_to_the_limit(tmp_path):
    server = BackgroundServer(Settings(port=0, journal_body_limit=100)).start()
    try:
        url = server.url
        big = {"compartmentId": COMPARTMENT, "type": "HOSTING", "unitShape": "SMALL_COHERE_V2", "unitCount": 1,
               "description": "x" * 4000}
        requests.post(f"{url}/20231130/dedicatedAiClusters", json=big)
        entry = entry_of(url, "create_dedicated_ai_cluster")
        request, response = entry["request"], entry["response"]
        assert request["truncated"] and request["bodyBytes"] == len(json.dumps(big)) and len(request["body"]) == 100
        assert response["truncated"] and response["bodyBytes"] > 4000 and len(response["body"]) == 100
        stream = requests.post(
            f"{url}/20231130/actions/chat",
            json={"compartmentId": COMPARTMENT, "servingMode": {"servingType": "ON_DEMAND", "modelId": "meta.llama-3.3-70b-instruct"},
                  "chatRequest": {"apiFormat": "GENERIC", "isStream": True,
                                  "messages": [{"role": "USER", "content": [{"type": "TEXT", "text": "Tell me a story"}]}]}},
        )
        streamed = entry_of(url, "chat")["response"]
        assert streamed["truncated"] and len(streamed["body"]) == 100 and streamed["bodyBytes"] == len(stream.content)
    finally:
        server.stop()


def test_the_journal_filters_by_operation_status_and_tenancy(emulator_url, genai, oci_config):
    genai.create_dedicated_ai_cluster(cluster_details())
    with pytest.raises(oci.exceptions.ServiceError):
        genai.get_dedicated_ai_cluster("ocid1.generativeaidedicatedaicluster.oc1.us-chicago-1.amaaaaaanope")
    requests.get(f"{emulator_url}/20231130/dedicatedAiClusters?compartmentId={COMPARTMENT}")  # unsigned: another tenancy
    statuses = [e["status"] for e in admin(emulator_url, "requests")["items"]]
    assert statuses == [200, 404, 200]
    assert [e["status"] for e in admin(emulator_url, "requests?status=4xx")["items"]] == [404]
    assert [e["status"] for e in admin(emulator_url, "requests?status=404")["items"]] == [404]
    assert [e["status"] for e in admin(emulator_url, "requests?status=2xx")["items"]] == [200, 200]
    mine = admin(emulator_url, f"requests?tenancy={oci_config['tenancy']}")["items"]
    assert [e["operation"] for e in mine] == ["create_dedicated_ai_cluster", "get_dedicated_ai_cluster"]
    newest = admin(emulator_url, "requests?limit=1")["items"]
    assert [e["operation"] for e in newest] == ["list_dedicated_ai_clusters"]
    ids = [e["id"] for e in admin(emulator_url, "requests")["items"]]
    assert ids == sorted(ids) and len(set(ids)) == 3
    bad = requests.get(f"{emulator_url}/_emulator/requests?status=teapot")
    assert bad.status_code == 400 and bad.json()["code"] == "InvalidParameter"


def test_an_entry_no_longer_kept_is_not_found(emulator_url, genai):
    genai.list_dedicated_ai_clusters(COMPARTMENT)
    entry_id = admin(emulator_url, "requests")["items"][0]["id"]
    requests.delete(f"{emulator_url}/_emulator/requests")
    gone = requests.get(f"{emulator_url}/_emulator/requests/{entry_id}")
    assert gone.status_code == 404 and gone.json()["code"] == "NotAuthorizedOrNotFound"
    assert requests.get(f"{emulator_url}/_emulator/requests/{entry_id + 1000}").status_code == 404


def test_with_strict_auth_the_page_asks_for_nothing_and_the_apis_still_do():
    server = BackgroundServer(Settings(port=0, auth="strict", trust_user_keys=False)).start()
    try:
        assert requests.get(f"{server.url}/_emulator/ui").status_code == 200
        assert requests.get(f"{server.url}/_emulator/requests").status_code == 200
        unsigned = requests.get(f"{server.url}/20231130/dedicatedAiClusters?compartmentId={COMPARTMENT}")
        assert unsigned.status_code == 401
        assert admin(server.url, "requests")["items"][-1]["status"] == 401  # refused calls are journaled too
    finally:
        server.stop()


def test_the_thin_clients_admin_reads_the_journal_and_names_the_page(emulator_url, genai):
    from ocigenai.emulator import EmulatorAdmin

    admin_client = EmulatorAdmin(emulator_url)
    genai.create_dedicated_ai_cluster(cluster_details(display_name="via-client"))
    requests.get(f"{emulator_url}/20231130/nowhere")
    (missing,) = admin_client.requests(status="4xx")
    assert missing["status"] == 404 and missing["operation"] is None
    (created,) = admin_client.requests("create_dedicated_ai_cluster", status=200)
    assert json.loads(admin_client.journal_entry(created["id"])["request"]["body"])["displayName"] == "via-client"
    assert requests.get(admin_client.dashboard_url).headers["content-type"].startswith("text/html")
