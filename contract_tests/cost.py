"""What a run against a tenancy may cost: an ESTIMATE, printed before anything billable is created.

Dedicated AI clusters are billed by the unit-hour. Oracle's "Paying for Dedicated AI Clusters"
page states a minimum commitment of 744 unit-hours per hosting cluster and of 1 unit-hour per
fine-tuning job; prices per unit-hour differ by unit shape, region and contract. The suite
does not know your price: it multiplies unit-hours by ``--assumed-unit-price`` (default
USD 10, a placeholder, not Oracle's price) and labels the result as an estimate. Look up the
real figure on https://www.oracle.com/cloud/price-list/ ("Generative AI") before you opt in.

Endpoints cost nothing beyond their cluster; imported models and on-demand calls (a few
short chats and embeddings, billed per character) are not counted.
"""

from __future__ import annotations

import dataclasses

HOSTING_MINIMUM_UNIT_HOURS = 744  # per hosting cluster (minimum commitment)
FINE_TUNING_CLUSTER_HOURS = 2  # assumed: how long a run keeps its fine-tuning cluster (jobs included)


@dataclasses.dataclass(frozen=True)
class Cluster:
    """Clusters a test may create: ``count`` of ``type`` with ``units`` units of ``shape``. Tests
    that share clusters (a session fixture) name the same ``Cluster``, counted once."""

    name: str
    type: str
    shape: str
    units: int
    count: int = 1

    @property
    def unit_hours(self) -> float:
        hours = HOSTING_MINIMUM_UNIT_HOURS if self.type == "HOSTING" else FINE_TUNING_CLUSTER_HOURS
        return self.count * self.units * hours

    def describe(self) -> str:
        basis = "hosting minimum" if self.type == "HOSTING" else f"~{FINE_TUNING_CLUSTER_HOURS} h assumed"
        return (
            f"{self.name}: {self.count} x {self.type} {self.shape} x{self.units} unit(s), "
            f"{self.unit_hours:g} unit-hours ({basis})"
        )


def estimate(plans: dict[str, list[Cluster]], unit_price: float, max_resources: int | None) -> list[str]:
    """The lines to print for the costly tests about to run (``plans``: test id -> clusters)."""
    clusters = {c.name: c for planned in plans.values() for c in planned}
    total = sum(c.unit_hours for c in clusters.values())
    lines = [
        "COST ESTIMATE (an estimate, not a quote; see contract_tests/cost.py):",
        f"  assumed price USD {unit_price:.2f} per unit-hour (--assumed-unit-price); your real price may differ",
        f"  {len(plans)} test(s) create resources: {', '.join(t.split('::')[-1] for t in plans)}",
    ]
    lines += [f"  {c.describe()}" for c in clusters.values()]
    lines.append(f"  total: {total:g} unit-hours x USD {unit_price:.2f} = about USD {total * unit_price:,.2f}")
    cap = "no cap" if max_resources is None else f"at most {max_resources} resources"
    lines.append(f"  the run creates {cap} (--max-resources); everything it creates is deleted at the end")
    return lines
