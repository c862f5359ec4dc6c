"""What the emulator knows about a kind of resource, declared once per kind.

Each resource family's module declares its ``KIND`` (``management/endpoints.py``:
``KIND = ResourceKind(name="endpoint", ...)``) and ``registry.FAMILIES`` lists the module: that is
all it takes for its ids, work requests, list shape, transition policy, state snapshots and
messages to work. Nothing else keeps a table of kinds.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from .protocol.ids import new_ocid, new_prefixed_id, ocid_type

ACTIONS = ("create", "update", "delete", "move")


@dataclasses.dataclass(frozen=True)
class ResourceKind:
    name: str
    """The record kind in the store, and the key of its transition policy (``dedicatedaicluster``)."""
    label: str
    """How messages name one (``dedicated AI cluster``)."""
    model: str | None = None
    """The schema of its documents in ``specs/generative_ai.json`` (the SDK model:
    ``DedicatedAiCluster``): what a state snapshot's documents are checked against. The
    OpenAI-compatible API's objects have none (their documents are checked as JSON objects only)."""
    api: str = "generative_ai"
    """The document of ``specs/`` that declares ``model`` (``generative_ai_data`` for enrichment
    jobs, ``generative_ai_sandbox`` for sandboxes)."""
    type_token: str | None = None
    """The OCID type token of its ids (``generativeaidedicatedaicluster``)..."""
    id_prefix: str | None = None
    """... or, for the OpenAI-compatible API's objects, the prefix of its ids (``resp_``)."""
    private_fields: tuple[str, ...] = ()
    """Fields starting with ``_`` that its documents keep beside the wire fields (an API key's
    ``_secrets``), which a state snapshot may carry."""
    list_operation: str | None = None
    """The list operation whose items (a summary) are how a list shows one."""
    entity_type: str | None = None
    """``resources[].entityType`` in its work requests."""
    uri: str | None = None
    """``resources[].entityUri`` in its work requests, with the record's ``{id}`` (or any field of
    its document: a warm pool's ``{projectId}`` and ``{name}``)."""
    operation_types: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Work-request ``operationType`` per action (create, update, delete, move). An action not
    named here is synchronous: it answers with no work request."""
    update_lands_in: str | None = "ACTIVE"
    """The state an update ends in; ``None`` keeps the state it had (an INACTIVE key stays INACTIVE)."""
    default_sort: str = "timeCreated"
    """The sort of its lists when the request names none."""
    transitions: bool = True
    """Whether it moves through transitional states under a transition policy."""
    owned_by: tuple[str, str] | None = None
    """The kind of its parent and the field that names it (``("project", "projectId")``): a parent
    that still has living children cannot be deleted (:func:`management.resources.refuse_if_parent`)."""
    keeps_due: bool = False
    """Whether its documents keep the time they are done as ``_due`` (``lifecycle.due_time``: a
    background response, a vector-store file being indexed) instead of a pending transition."""

    def __post_init__(self) -> None:
        if (self.type_token is None) == (self.id_prefix is None):
            raise ValueError(f"{self.name}: declare its ids by exactly one of type_token and id_prefix")
        unknown = set(self.operation_types) - set(ACTIONS)
        if unknown:
            raise ValueError(f"{self.name}: unknown action(s) {sorted(unknown)}; actions are {ACTIONS}")
        if self.operation_types and not (self.entity_type and self.uri):
            raise ValueError(f"{self.name}: asynchronous actions need entity_type and uri for their work requests")

    def new_id(self, region: str, seed: str | None = None) -> str:
        if self.id_prefix is not None:
            return new_prefixed_id(self.id_prefix)
        return new_ocid(self.type_token, region, seed)

    def owns(self, rid: str) -> bool:
        """Whether ``rid`` can name a resource of this kind (an OCID of its type, or its prefix)."""
        if self.id_prefix is not None:
            return rid.startswith(self.id_prefix)
        return ocid_type(rid) == self.type_token

    @property
    def id_form(self) -> str:
        """How its ids look, for messages."""
        return f"an id starting with {self.id_prefix}" if self.id_prefix else f"an OCID of type {self.type_token}"

    def is_asynchronous(self, action: str) -> bool:
        return action in self.operation_types

    def entity_uri(self, rid: str, doc: Mapping | None = None) -> str:
        return (self.uri or "").format_map({**(doc or {}), "id": rid})


class Kinds(Mapping):
    """Every kind the emulator serves, by name."""

    def __init__(self, kinds) -> None:
        self._by_name: dict[str, ResourceKind] = {}
        for kind in kinds:
            if kind.name in self._by_name:
                raise ValueError(f"the resource kind {kind.name!r} is declared twice")
            self._by_name[kind.name] = kind

    def __getitem__(self, name: str) -> ResourceKind:
        return self._by_name[name]

    def __iter__(self):
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    @property
    def with_transitions(self) -> tuple[str, ...]:
        """Names of the kinds that have a transition policy."""
        return tuple(name for name, kind in self._by_name.items() if kind.transitions)

    def owning(self, rid: str) -> ResourceKind | None:
        """The kind whose ids look like ``rid``."""
        return next((k for k in self._by_name.values() if k.owns(rid)), None)
