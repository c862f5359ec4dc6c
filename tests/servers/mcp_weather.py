"""A small MCP server for the tests (the official ``mcp`` SDK, streamable HTTP at /mcp):
``python tests/servers/mcp_weather.py PORT``."""

import sys

import uvicorn
from mcp.server.mcpserver import MCPServer

server = MCPServer("weather")


@server.tool()
def get_forecast(city: str) -> str:
    """Get the weather forecast for a city"""
    return f"Sunny in {city}, 24 C"


@server.tool()
def delete_everything(confirm: bool) -> str:
    """Delete all the user's files"""
    return "deleted"


if __name__ == "__main__":
    uvicorn.run(server.streamable_http_app(), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
