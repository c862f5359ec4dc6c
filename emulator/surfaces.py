"""The API dialects the emulator speaks on one port, each declared once as a :class:`Surface`.

A request belongs to the surface whose path prefix is the longest that matches it, so even an
unknown path is answered in its API's own dialect. The pipeline (``pipeline.py``) asks the surface
everything that differs between APIs: which operations it routes, which credentials it takes,
what an error body looks like, how events are framed, which headers carry the request id, what a
retry token means. Adding an API is adding a surface here (and its operations' handlers).
"""

from __future__ import annotations

import dataclasses

from .protocol import limits, render
from .protocol.auth import BEARER, SIGNATURE
from .spec import ADMIN_API, OPENAI_API


@dataclasses.dataclass(frozen=True)
class Surface:
    name: str
    prefixes: tuple[str, ...]
    """Path prefixes whose requests speak this dialect (longest match wins across surfaces)."""
    apis: tuple[str, ...]
    """The documents of ``specs/`` whose operations it serves."""
    auth: tuple[str, ...]
    """Credentials it accepts; none means it is open to anyone who can reach the port."""
    error_body: render.ErrorBody
    sse_frame: render.SseFrame
    request_id_headers: tuple[str, ...]
    """Response headers that carry the request id (the client's ``opc-request-id`` when it sent one)."""
    retry_tokens: str
    """``replay``: a repeated ``opc-retry-token`` answers the first response and creates nothing;
    ``accept``: the header is taken and changes nothing (answers are deterministic anyway)."""
    pagination: str
    """``page-token``: ``opc-next-page`` headers and ``page`` tokens; ``cursor``: ``after`` ids and ``has_more``."""
    nulls: str = "absent"
    """How ``null`` fields of a request body are read: ``absent``: dropped before the schema check,
    so a null required field is a missing one (the OCI APIs); ``checked``: checked as sent (a null
    optional field is fine, a null where a value is required is not), then dropped (OpenAI's API);
    ``kept``: as sent (the admin API takes documents, such as state snapshots, as they are)."""
    settles: bool = True
    """Apply due transitions before answering (every API does; the admin API reads state as it is)."""
    faults: bool = True
    """Whether injected faults answer its requests."""
    journaled: bool = True
    """Whether its calls go into the request journal (``/_emulator/requests``)."""
    max_body_bytes: int = limits.MAX_BODY_BYTES
    """The largest request body it reads (413 beyond)."""
    retry_after: render.RetryAfter | None = None
    """Headers that tell a throttled client when to retry (the openai SDK waits as they say; the
    oci SDK backs off on its own)."""



OCI_DIALECT = dict(
    auth=(SIGNATURE,),
    error_body=render.oci_error,
    sse_frame=render.unnamed_frame,
    request_id_headers=("opc-request-id",),
    pagination="page-token",
)

MANAGEMENT = Surface(
    name="oci-management", prefixes=("/20231130",), apis=("generative_ai",), retry_tokens="replay", **OCI_DIALECT
)
INFERENCE = Surface(
    name="oci-inference",
    prefixes=("/20231130/actions", "/20231130/guardrailVersions"),
    apis=("generative_ai_inference",),
    retry_tokens="accept",
    **{**OCI_DIALECT, "error_body": render.oci_inference_error},
)
DATA = Surface(
    name="oci-data", prefixes=("/20260325",), apis=("generative_ai_data",), retry_tokens="replay", **OCI_DIALECT
)
SANDBOX = Surface(
    name="oci-sandbox", prefixes=("/20260422",), apis=("generative_ai_sandbox",), retry_tokens="replay", **OCI_DIALECT
)
OPENAI_DIALECT = dict(
    apis=(OPENAI_API,),
    error_body=render.openai_error,
    sse_frame=render.named_frame,
    request_id_headers=("x-request-id", "opc-request-id"),
    retry_tokens="accept",
    pagination="cursor",
    nulls="checked",
    retry_after=render.retry_after_headers,
    max_body_bytes=limits.MAX_OPENAI_BODY_BYTES,
)
OPENAI = Surface(
    name="openai",
    # /openai/v1 on the inference host; the older /20231130/actions/v1; and /v1, where
    # langchain-oci's Responses transport posts. API keys or signatures.
    prefixes=("/openai/v1", "/20231130/actions/v1", "/v1"),
    auth=(BEARER, SIGNATURE),
    **OPENAI_DIALECT,
)
OPENAI_MANAGEMENT = Surface(
    name="openai-management",
    # vector-store CRUD on the management host: signed requests only (IAM), no API keys
    prefixes=("/20231130/openai/v1",),
    auth=(SIGNATURE,),
    **OPENAI_DIALECT,
)
ADMIN = Surface(
    name="admin",
    prefixes=("/_emulator",),
    apis=(ADMIN_API,),
    auth=(),
    error_body=render.oci_error,
    sse_frame=render.unnamed_frame,
    request_id_headers=("opc-request-id",),
    retry_tokens="accept",
    pagination="page-token",
    nulls="kept",
    settles=False,
    faults=False,
    journaled=False,
    max_body_bytes=limits.MAX_ADMIN_BODY_BYTES,
)
# Paths under no surface's prefix are answered as the management API answers unknown paths.
SURFACES = (MANAGEMENT, INFERENCE, DATA, SANDBOX, OPENAI, OPENAI_MANAGEMENT, ADMIN)
FALLBACK = MANAGEMENT


class SurfaceMap:
    """Which surface a path belongs to: its longest prefix, matched segment by segment."""

    def __init__(self, surfaces=SURFACES, fallback: Surface = FALLBACK):
        self.fallback = fallback
        self.by_prefix: dict[str, Surface] = {}
        for surface in surfaces:
            for prefix in surface.prefixes:
                if prefix in self.by_prefix:
                    raise ValueError(f"{prefix} is a prefix of both {self.by_prefix[prefix].name} and {surface.name}")
                self.by_prefix[prefix] = surface
        self.depth = max(prefix.count("/") for prefix in self.by_prefix)

    def __call__(self, path: str) -> Surface:
        segments = path.split("/", self.depth + 1)[1 : self.depth + 1]
        for end in range(len(segments), 0, -1):
            surface = self.by_prefix.get("/" + "/".join(segments[:end]))
            if surface is not None:
                return surface
        return self.fallback


surface_for = SurfaceMap()
