"""Which key properties each machine checked in a run, and how often.

A machine declares its key rules (``KEY_RULES``: the properties a run must have checked, such as a
stale etag answered 412) and counts one each time a rule has really checked its property (a rule
that finds nothing to check does not count). After its examples, :meth:`Tally.missing` names the
key rules that never ran: on the emulator that fails the machine's test, so a derandomized CI run
that stops covering a property fails instead of passing quietly. On a tenancy (few examples,
resources that settle in minutes) it is reported, not failed.
"""

from __future__ import annotations

import collections


class Tally:
    def __init__(self) -> None:
        self.counts: collections.Counter[tuple[str, str]] = collections.Counter()
        self.declared: dict[str, tuple[str, ...]] = {}

    def declare(self, machine: str, rules: tuple[str, ...]) -> None:
        self.declared[machine] = rules

    def ran(self, machine: str, rule: str) -> None:
        assert rule in self.declared.get(machine, (rule,)), f"{machine}: {rule!r} is not one of its key rules"
        self.counts[(machine, rule)] += 1

    def missing(self, machine: str, excused: tuple[str, ...] = ()) -> list[str]:
        """The machine's key rules that never ran (but those ``excused``)."""
        return [r for r in self.declared.get(machine, ()) if r not in excused and not self.counts[(machine, r)]]

    def report(self) -> list[str]:
        """One line per machine: how often each key rule ran."""
        return [
            f"{machine}: " + ", ".join(f"{rule} x{self.counts[(machine, rule)]}" for rule in rules)
            for machine, rules in self.declared.items()
        ]


class CountsKeyRules:
    """For a state machine: ``KEY_RULES`` declared in the run's tally, and :meth:`ran` to count one."""

    KEY_RULES: tuple[str, ...] = ()
    tally: Tally

    def key_rules(self) -> tuple[str, ...]:
        """The key rules this machine declares (``KEY_RULES``, unless a machine narrows them)."""
        return self.KEY_RULES

    def count_key_rules(self, tally: Tally) -> None:
        self.tally = tally
        tally.declare(type(self).__name__, self.key_rules())

    def ran(self, rule: str) -> None:
        """Count a key rule that has checked its property."""
        self.tally.ran(type(self).__name__, rule)
