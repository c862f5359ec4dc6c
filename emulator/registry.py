"""Which function handles each operation of ``specs/``, and which operations are not built yet.

Handlers are marked with ``@operation`` (``call.py``) in the modules listed here. At start-up
:func:`handlers` checks the table both ways: a marked function whose name is no operation, an
operation with neither a handler nor a line in ``NOT_IMPLEMENTED``, or one with both, stops the
emulator with a message naming it. ``docs/coverage.md`` is generated from the same table.

Adding a resource family: write its module (its ``KIND`` declaration and its handlers) and list
the module in ``FAMILIES``.
"""

from __future__ import annotations

from types import ModuleType

from . import admin, dashboard
from .call import Handler
from .inference import chat, completion, embeddings, guardrails, rerank
from .kinds import Kinds
from .management import (
    api_keys,
    connector_file_syncs,
    dedicated_ai_clusters,
    discovery,
    endpoints,
    hosted_application_storages,
    hosted_applications,
    hosted_deployments,
    imported_models,
    models,
    private_endpoints,
    projects,
    routing_profiles,
    semantic_store_jobs,
    semantic_stores,
    vector_store_connectors,
    sandbox_commands,
    sandbox_snapshots,
    sandbox_warm_pools,
    sandboxes,
    work_requests,
)
from .openai_compat import chat_completions, containers, conversations, files, responses, vector_stores
from .spec import Operation

# Resource families: each module declares its KIND and handles its operations.
FAMILIES: tuple[ModuleType, ...] = (
    dedicated_ai_clusters,
    endpoints,
    models,
    imported_models,
    work_requests,
    private_endpoints,
    projects,
    sandbox_warm_pools,
    sandboxes,
    sandbox_commands,
    sandbox_snapshots,
    api_keys,
    hosted_application_storages,
    hosted_applications,
    hosted_deployments,
    routing_profiles,
    semantic_stores,
    semantic_store_jobs,
    vector_store_connectors,
    connector_file_syncs,
    responses,
    conversations,
    files,
    vector_stores,
    containers,
)
# Operations on no stored resource of their own: inference, the admin API and its dashboard, and
# the read-only views of model discovery and allocatable GPUs.
ACTIONS: tuple[ModuleType, ...] = (
    chat, embeddings, rerank, completion, guardrails, chat_completions, admin, dashboard, discovery,
)

# Operations of the SDK that answer 501 NotImplemented, naming the operation, until they are built.
NOT_IMPLEMENTED: dict[str, tuple[str, ...]] = {
}  # fmt: skip


class RegistryError(Exception):
    """The handler table and the specs disagree: the emulator must not start."""


def kinds() -> Kinds:
    """Every kind the families declare (``KIND``, or ``KINDS`` for a family with several)."""
    return Kinds(kind for module in FAMILIES for kind in getattr(module, "KINDS", None) or (module.KIND,))


def marked(modules) -> dict[str, tuple[Handler, ModuleType]]:
    """Every function marked ``@operation`` in ``modules``, by operation name."""
    found: dict[str, tuple[Handler, ModuleType]] = {}
    for module in modules:
        for value in vars(module).values():
            name = getattr(value, "handles", None)
            if callable(value) and name and value.__module__ == module.__name__:
                if name in found:
                    raise RegistryError(f"{name} is handled twice: in {found[name][1].__name__} and {module.__name__}")
                found[name] = (value, module)
    return found


def handlers(operations: dict[str, Operation], modules=FAMILIES + ACTIONS, not_implemented=NOT_IMPLEMENTED) -> dict[str, Handler]:
    """The handler of every implemented operation; RegistryError when the table is not exact."""
    found = marked(modules)
    declared = {name: family for family, names in not_implemented.items() for name in names}
    problems = [f"{name} (in {module.__name__}) is no operation of specs/" for name, (_, module) in found.items() if name not in operations]
    problems += [f"{name} is declared not implemented but specs/ has no such operation" for name in declared if name not in operations]
    problems += [f"{name} has a handler and is declared not implemented" for name in found if name in declared]
    problems += [
        f"{name} ({op.api}) has no handler and is not declared in registry.NOT_IMPLEMENTED"
        for name, op in operations.items()
        if name not in found and name not in declared
    ]
    if problems:
        raise RegistryError("the handler table does not match specs/: " + "; ".join(sorted(problems)))
    return {name: handler for name, (handler, _) in found.items()}
