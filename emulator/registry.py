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
    dedicated_ai_clusters,
    endpoints,
    imported_models,
    models,
    private_endpoints,
    projects,
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
    responses,
    conversations,
    files,
    vector_stores,
    containers,
)
# Operations on no stored resource of their own: inference, the admin API and its dashboard.
ACTIONS: tuple[ModuleType, ...] = (chat, embeddings, rerank, completion, guardrails, chat_completions, admin, dashboard)

# Operations of the SDK that answer 501 NotImplemented, naming the operation, until they are built.
NOT_IMPLEMENTED: dict[str, tuple[str, ...]] = {
    "Semantic stores": (
        "create_semantic_store", "get_semantic_store", "list_semantic_stores", "update_semantic_store",
        "delete_semantic_store", "change_semantic_store_compartment",
    ),
    "Vector store connectors": (
        "create_vector_store_connector", "get_vector_store_connector", "list_vector_store_connectors",
        "update_vector_store_connector", "delete_vector_store_connector", "get_vector_store_connector_stats",
        "list_vector_store_connector_ingestion_logs",
    ),
    "Vector store connector file syncs": (
        "create_vector_store_connector_file_sync", "get_vector_store_connector_file_sync",
        "list_vector_store_connector_file_syncs", "cancel_vector_store_connector_file_sync",
        "list_vector_store_connector_file_sync_ingestion_logs",
    ),
    "Routing profiles": (
        "create_routing_profile", "get_routing_profile", "list_routing_profiles", "update_routing_profile",
        "delete_routing_profile", "change_routing_profile_compartment",
    ),
    "Hosted applications": (
        "create_hosted_application", "get_hosted_application", "list_hosted_applications",
        "update_hosted_application", "delete_hosted_application", "change_hosted_application_compartment",
    ),
    "Hosted application IAM": (
        "create_hosted_application_iam", "get_hosted_application_iam", "list_hosted_applications_iam",
        "update_hosted_application_iam", "delete_hosted_application_iam", "change_hosted_application_iam_compartment",
    ),
    "Hosted application storages": (
        "create_hosted_application_storage", "get_hosted_application_storage", "list_hosted_application_storages",
        "delete_hosted_application_storage", "change_hosted_application_storage_compartment",
    ),
    "Hosted deployments": (
        "create_hosted_deployment", "get_hosted_deployment", "list_hosted_deployments", "update_hosted_deployment",
        "delete_hosted_deployment", "add_artifact", "delete_hosted_deployment_artifact",
    ),
    "Model discovery and allocatable GPUs": ("list_model_discovery", "list_dedicated_ai_clusters_allocatable_gpus"),
    "Enrichment jobs": ("generate_enrichment_job", "get_enrichment_job", "list_enrichment_jobs", "cancel_enrichment_job"),
    "Natural-language-to-SQL jobs": ("generate_sql_from_nl", "get_generate_sql_from_nl_job"),
}  # fmt: skip


class RegistryError(Exception):
    """The handler table and the specs disagree: the emulator must not start."""


def kinds() -> Kinds:
    """Every kind the families declare (``KIND``, or ``KINDS`` for a family with several)."""
    return Kinds(kind for module in FAMILIES for kind in getattr(module, "KINDS", (module.KIND,)))


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
