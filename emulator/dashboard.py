"""The dashboard at ``/_emulator/ui``: one page that shows a running emulator (resources by kind and
compartment, work requests, the request journal, the clock and the settings) and changes it.

The page is plain HTML, CSS and JavaScript in ``data/`` (no build step, nothing fetched from
anywhere else). It reads and changes everything through the admin API, the calls tests make, so it
shows nothing that the admin API does not: whoever can reach the admin API can reach the page.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from .call import Call, Result, operation
from .protocol import errors

FILES = Path(__file__).resolve().parent / "data"
PAGE = ("dashboard.html", "text/html; charset=utf-8")
ASSETS = {
    "dashboard.js": "text/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
}


@cache
def _text(name: str) -> str:
    return (FILES / name).read_text()


def _file(name: str, content_type: str) -> Result:
    return Result(raw=_text(name), content_type=content_type)


@operation
def get_dashboard(call: Call) -> Result:
    return _file(*PAGE)


@operation
def get_dashboard_asset(call: Call) -> Result:
    name = call.path["asset"]
    if name not in ASSETS:
        raise errors.not_found(f"The dashboard has no file {name!r}.")
    return _file(name, ASSETS[name])
