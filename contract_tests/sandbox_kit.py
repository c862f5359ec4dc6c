"""What the sandbox machines share: a client of the sandbox API (``/20260422``, not checked against
specs/ by the kit's checker, which knows the ``/20231130`` APIs; Schemathesis covers its shapes), a
sandbox-enabled project made for one machine, and a wait for a sandbox or snapshot state."""

from __future__ import annotations

import uuid

import oci
from hypothesis.stateful import RuleBasedStateMachine
from oci.generative_ai import models

from .context import Run
from .rules import CountsKeyRules
from .target import RETRY


def sandbox_client(ctx: Run) -> oci.generative_ai_sandbox.GenerativeAiSandboxClient:
    kwargs = {"service_endpoint": ctx.target.endpoint} if ctx.target.endpoint else {}
    return oci.generative_ai_sandbox.GenerativeAiSandboxClient(ctx.target.config, retry_strategy=RETRY, **kwargs)


def sandbox_project(ctx: Run, word: str) -> str:
    """A new ACTIVE project with its sandbox enabled, tagged with the run (cleanup finds it)."""
    assert ctx.spending.reserve("project"), "resource budget exhausted"
    details = models.CreateGenerativeAiProjectDetails(
        compartment_id=ctx.compartment, display_name=f"{word}-{uuid.uuid4().hex[:6]}", freeform_tags=ctx.tags(),
        sandbox_config=models.SandboxConfig(is_enabled=True),
    )
    project = ctx.genai.create_generative_ai_project(details).data.id
    ctx.remember(project)
    ctx.wait_for_state("get_generative_ai_project", project, ("ACTIVE",))
    return project


def delete_project(ctx: Run, project: str) -> None:
    ctx.wait_for_work_request(ctx.genai.delete_generative_ai_project(project).headers["opc-work-request-id"])


def wait_for(ctx: Run, client, getter: str, rid: str, states: tuple[str, ...]):
    """The resource once its state is one of ``states`` (the emulator lands its transition)."""
    ctx.wait_for_state(getter, rid, states, client=client)
    return getattr(client, getter)(rid)


class ProjectMachine(CountsKeyRules, RuleBasedStateMachine):
    """A machine working in a sandbox-enabled project of its own, through the sandbox client. Each
    example makes its project first: one slot of the test's share of the resource cap."""

    word = "sandboxes"  # how its project is named
    slots_per_example = 1

    def __init__(self, ctx: Run):
        super().__init__()
        self.ctx = ctx
        self.client = sandbox_client(ctx)
        self.count_key_rules(ctx.tally)
        self.project = sandbox_project(ctx, self.word)
