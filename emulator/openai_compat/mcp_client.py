"""Just enough of an MCP client (streamable HTTP transport) for the ``mcp`` tool: initialize, list the
server's tools, call one. The official SDK is asynchronous; this runs inside a request, so it speaks
the JSON-RPC over HTTP itself (answers come as JSON or as a Server-Sent Event)."""

from __future__ import annotations

import json
import logging

from ..protocol.errors import ServiceError

LOG = logging.getLogger(__name__)
PROTOCOL_VERSION = "2025-06-18"
TIMEOUT = 30.0


class McpError(Exception):
    """The server could not be reached, or answered with a JSON-RPC error."""


class McpClient:
    def __init__(self, url: str, headers: dict[str, str] | None = None, timeout: float = TIMEOUT):
        self.url = url
        self.headers = {"accept": "application/json, text/event-stream", "content-type": "application/json", **(headers or {})}
        self.timeout = timeout
        self._next_id = 0
        self._initialize()

    def _post(self, message: dict) -> dict | None:
        import requests

        try:
            response = requests.post(self.url, data=json.dumps(message), headers=self.headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise McpError(f"cannot reach the MCP server at {self.url}: {exc}") from None
        if response.status_code >= 400:
            raise McpError(f"the MCP server at {self.url} answered {response.status_code}: {response.text[:200]}")
        session = response.headers.get("mcp-session-id")
        if session:
            self.headers["mcp-session-id"] = session
        if "id" not in message or not response.content:
            return None
        if response.headers.get("content-type", "").startswith("text/event-stream"):
            answers = [json.loads(line[5:]) for line in response.text.splitlines() if line.startswith("data:") and line[5:].strip()]
            answer = next((a for a in answers if a.get("id") == message["id"]), None)
        else:
            answer = response.json()
        if answer is None or "error" in answer:
            raise McpError(f"the MCP server at {self.url} refused {message['method']}: {(answer or {}).get('error')}")
        return answer.get("result") or {}

    def _request(self, method: str, params: dict) -> dict:
        self._next_id += 1
        return self._post({"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params}) or {}

    def _initialize(self) -> None:
        self._request("initialize", {
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "oci-genai-emulator", "version": "1"},
        })
        self.headers["mcp-protocol-version"] = PROTOCOL_VERSION
        self._post({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def tools(self) -> list[dict]:
        return self._request("tools/list", {}).get("tools") or []

    def call(self, name: str, arguments: dict) -> tuple[str, bool]:
        """The tool's text output, and whether it reported an error."""
        result = self._request("tools/call", {"name": name, "arguments": arguments})
        text = "\n".join(part.get("text", "") for part in result.get("content") or [] if part.get("type") == "text")
        return text, bool(result.get("isError"))


def connect(url: str, headers: dict[str, str] | None = None) -> McpClient:
    try:
        return McpClient(url, headers)
    except McpError as exc:
        raise ServiceError(424, "FailedDependency", str(exc), param="tools") from None
