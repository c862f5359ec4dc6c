"""How the kit sees what the service does in the background, on the emulator.

On a tenancy the kit polls, bounded by ``--wait-timeout`` (``context.Run.poll``). On the emulator
nothing happens behind the kit's back: for the run, every resource kind's transition policy is
``manual``, so a resource stays CREATING, UPDATING or DELETING (and a mutation of it meets its 409)
until the kit finishes the transition through the admin API; the very next read must then show the
result. A transition that has not landed by then fails the kit at once, never after a waiter's
timeout. Tests of the emulator's own policies (``delay`` 0, ``"outcome": "FAILED"``) switch them for
a block with :meth:`Transitions.policy`.
"""

from __future__ import annotations

import contextlib
from typing import Iterator

from ocigenai import EmulatorAdmin

MANUAL = {"mode": "manual", "outcome": "SUCCEEDED"}


class Transitions:
    """The emulator's transition policies for a run: manual while it lasts, as they were after."""

    def __init__(self, admin: EmulatorAdmin):
        self.admin = admin
        self.saved = admin.transitions()  # every resource kind with transitions, as the emulator names it
        self.kinds = tuple(self.saved)
        self._set(MANUAL)

    def _set(self, policy: dict, kinds: tuple[str, ...] | None = None) -> None:
        self.admin.request("POST", "config", {"transitions": {kind: policy for kind in kinds or self.kinds}})

    def land(self, resource_id: str) -> int:
        """Finish the resource's pending transition now; returns how many were finished (0 or 1)."""
        return self.admin.complete_transitions(resource_id=resource_id)

    @contextlib.contextmanager
    def policy(self, mode: str, seconds: float = 0.0, outcome: str = "SUCCEEDED",
               kinds: tuple[str, ...] | None = None) -> Iterator[None]:
        """Another policy for ``kinds`` (default: all) within the block (``delay`` with ``seconds``,
        or ``manual``), back to manual after it; what is still pending then is finished first."""
        kinds = kinds or self.kinds
        policy = {"mode": mode, "outcome": outcome, **({"seconds": seconds} if mode == "delay" else {})}
        self._set(policy, kinds)
        try:
            yield
        finally:
            for kind in kinds:
                self.admin.complete_transitions(kind=kind)
            self._set(MANUAL, kinds)

    def release(self) -> None:
        """Finish what is pending and let transitions land at once (``delay`` 0), as the cleanup
        sweep needs: its deletes must land on their own."""
        self.admin.complete_transitions()
        self._set({"mode": "delay", "seconds": 0.0, "outcome": "SUCCEEDED"})

    def restore(self) -> None:
        """Give the emulator back the policies it had before the run."""
        self.admin.request("POST", "config", {"transitions": self.saved})
