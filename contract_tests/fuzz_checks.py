"""What every Schemathesis run of the kit shares, whatever the API (``test_schemathesis*.py``): its
own emulator, a world restored before each case, and the checks."""

from __future__ import annotations

import json
from collections.abc import Iterator

import requests
from hypothesis import HealthCheck

from emulator.server import BackgroundServer
from emulator.settings import Settings

HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much,
          HealthCheck.data_too_large, HealthCheck.large_base_example]


def success_status_declared(ctx, response, case) -> None:
    """A 2xx is the operation's declared success status (`default` covers errors only)."""
    if 200 <= response.status_code < 300:
        declared = {s for s in case.operation.definition.raw["responses"] if s != "default"}
        assert str(response.status_code) in declared, (
            f"{case.operation.label} answered {response.status_code}; the spec declares {sorted(declared)}"
        )


def json_object(response) -> dict:
    """The response body, which must be a JSON object."""
    try:
        body = json.loads(response.content or b"")
    except ValueError:
        raise AssertionError(f"error body is not JSON: {response.content[:200]!r}") from None
    assert isinstance(body, dict), f"error body is not a JSON object: {body!r}"
    return body


def own_emulator() -> Iterator[str]:
    """An emulator in this process for the fuzzer (a fixture's body): its root URL."""
    server = BackgroundServer(Settings(port=0)).start()
    try:
        yield server.url
    finally:
        server.stop()


def restore_world(root: str, world: dict) -> None:
    """The emulator at ``root`` holding exactly ``world`` (a state snapshot)."""
    requests.post(root + "/_emulator/reset", json={}).raise_for_status()
    requests.post(root + "/_emulator/state", json=world).raise_for_status()
