"""The table from SDK operation name to handler, built from the behaviour modules."""

from __future__ import annotations

from typing import Callable

from .call import Call, Result
from .inference import chat, completion, embeddings, guardrails, rerank
from .management import dedicated_ai_clusters, endpoints, imported_models, models, work_requests

MODULES = (dedicated_ai_clusters, endpoints, models, imported_models, work_requests, chat, embeddings, rerank, completion, guardrails)
Handler = Callable[[Call], Result]


def handlers(operation_names) -> dict[str, Handler]:
    """Every public function of a behaviour module whose name is an operation of the spec."""
    table: dict[str, Handler] = {}
    for module in MODULES:
        for name in operation_names:
            fn = getattr(module, name, None)
            if callable(fn):
                table[name] = fn
    return table
