"""The dashboard in a real browser: headless Chromium (Debian's package) driven by Playwright,
against an emulator that the oci and openai SDKs use meanwhile. Skipped, with the reason, where
Playwright or Chromium is missing; `.ci/run` installs Chromium.

Screenshots of each tab are left in the test's temporary directory (its path is printed)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import oci
import pytest

from conftest import COMPARTMENT, admin
from helpers import cluster_details
from openai_helpers import PLAIN_MODEL, active_project, api_key, client

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install -e '.[test]')")

# Chromium as Debian installs it (or the browser that OCI_GENAI_CHROMIUM names); never a download.
CHROMIUM = os.environ.get("OCI_GENAI_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
# What Chromium needs on a machine with no display, no sandbox for root and no network but loopback.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium to drive: apt-get install -y chromium (or set OCI_GENAI_CHROMIUM)"
)
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        # Playwright gives it a fresh, empty profile (--user-data-dir) of its own.
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, emulator_url):
    context = browser.new_context(viewport={"width": 1500, "height": 950})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("request", lambda req: None if req.url.startswith(emulator_url) else problems.append(f"fetched {req.url}"))
    yield page
    context.close()
    assert not problems, problems


def shot(page, directory: Path, name: str) -> Path:
    path = directory / f"dashboard-{name}.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000 and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return path


def test_a_developer_watches_a_test_run_in_the_dashboard(page, emulator_url, genai, tmp_path):
    admin(emulator_url, "config", {"transitions": {"endpoint": {"mode": "manual"}}})
    cluster = genai.create_dedicated_ai_cluster(cluster_details(display_name="watched-cluster")).data
    genai.get_dedicated_ai_cluster(cluster.id)
    with pytest.raises(oci.exceptions.ServiceError):
        genai.get_endpoint("ocid1.generativeaiendpoint.oc1.us-chicago-1.amaaaaaanope")
    project = active_project(genai, display_name="watched-project")
    key = api_key(genai)
    client(emulator_url, project.id, key.secret).responses.create(model=PLAIN_MODEL, input="hello dashboard")

    page.goto(f"{emulator_url}/_emulator/ui")
    journal = page.locator("#journal")
    for operation in ("create_dedicated_ai_cluster", "get_endpoint", "create_api_key", "create_response"):
        sync_api.expect(journal).to_contain_text(operation)
    sync_api.expect(journal.locator("tr.row").first).to_contain_text("create_response")  # newest first
    sync_api.expect(page.locator("#health")).to_contain_text("auth loose")

    # open a request: its headers and bodies, the API key's secret redacted
    journal.locator("tr.row", has_text="create_api_key").click()
    entry = page.locator("#entry")
    sync_api.expect(entry).to_contain_text("POST /20231130/apikeys")
    sync_api.expect(entry).to_contain_text('signature="<redacted>"')
    sync_api.expect(entry).to_contain_text(f"sk-...{key.secret[-4:]}")
    assert key.secret not in page.content()
    shot(page, tmp_path, "requests")

    # filter by status
    page.select_option("#filters select[name=status]", "4xx")
    sync_api.expect(journal.locator("tr.row")).to_have_count(1)
    sync_api.expect(journal).to_contain_text("get_endpoint")
    page.select_option("#filters select[name=status]", "")

    # resources by kind and compartment, refreshed live as the test goes on
    page.click("nav button[data-tab=resources]")
    resources = page.locator("#resources")
    sync_api.expect(resources).to_contain_text("watched-cluster")
    sync_api.expect(resources).to_contain_text(COMPARTMENT)
    sync_api.expect(resources).to_contain_text("watched-project")
    genai.create_dedicated_ai_cluster(cluster_details(display_name="appears-live"))
    sync_api.expect(resources).to_contain_text("appears-live")  # no reload: the page refreshes itself
    resources.locator("tr.row", has_text="watched-cluster").click()
    sync_api.expect(resources.locator("td.detail")).to_contain_text('"unitShape": "SMALL_COHERE_V2"')
    shot(page, tmp_path, "resources")

    # work requests with their logs
    page.click("nav button[data-tab=workrequests]")
    work_requests = page.locator("#workrequests")
    sync_api.expect(work_requests).to_contain_text("CREATE_DEDICATED_AI_CLUSTER")
    sync_api.expect(work_requests).to_contain_text("SUCCEEDED")
    shot(page, tmp_path, "workrequests")

    # settings change through the admin API: a policy, a fault, the clock
    page.click("nav button[data-tab=settings]")
    sync_api.expect(page.locator("#policies")).to_contain_text("manual")
    page.select_option("#policy-form select[name=kind]", "dedicatedaicluster")
    page.fill("#policy-form input[name=seconds]", "30")
    page.click("#policy-form button[type=submit]")
    sync_api.expect(page.locator("#policies")).to_contain_text("30 s")
    assert admin(emulator_url, "config")["transitions"]["dedicatedaicluster"]["seconds"] == 30
    page.fill("#fault-form input[name=operation]", "list_models")
    page.fill("#fault-form input[name=status]", "503")
    page.click("#fault-form button[type=submit]")
    sync_api.expect(page.locator("#faults")).to_contain_text("ServiceUnavailable")
    assert admin(emulator_url, "faults")["items"][0]["operation"] == "list_models"
    page.click("button[data-advance='600']")
    sync_api.expect(page.locator("#clock-offset")).to_contain_text("+600 s")
    assert admin(emulator_url, "clock")["offsetSeconds"] == 600
    sync_api.expect(page.locator("#generators")).to_have_value(re.compile('"default"'))
    shot(page, tmp_path, "settings")
    print(f"dashboard screenshots in {tmp_path}")
