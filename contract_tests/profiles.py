"""Hypothesis profiles: ``ci`` (few examples, derandomized, about two minutes for the whole suite
against the in-process emulator), ``quick`` (``ci`` without shrinking: a failure is reported as
found, at once; what the kit's mutation test runs) and ``nightly`` (many examples and longer runs
of steps).

Against a tenancy (``--target oci``) each profile is cut down further (``<profile>-oci``): examples
of a resource machine create resources and wait minutes for them, so there are few examples
(3, or 10 for nightly; the first is always the simplest) and no shrinking (which would replay
failing examples, creating resources again). What they may create is bounded by
``--max-resources`` and per-machine limits, not by the number of examples.
"""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, settings

SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
COMMON = dict(deadline=None, suppress_health_check=SLOW_IS_FINE, print_blob=True)

settings.register_profile("ci", max_examples=8, stateful_step_count=20, derandomize=True, database=None, **COMMON)
settings.register_profile("quick", settings.get_profile("ci"), phases=[Phase.explicit, Phase.generate])
settings.register_profile("nightly", max_examples=60, stateful_step_count=40, **COMMON)
settings.register_profile(
    "ci-oci",
    settings.get_profile("ci"),
    max_examples=3,
    stateful_step_count=10,
    phases=[Phase.explicit, Phase.generate],
)
settings.register_profile(
    "nightly-oci",
    settings.get_profile("nightly"),
    max_examples=10,
    stateful_step_count=25,
    database=None,
    phases=[Phase.explicit, Phase.generate],
)


def for_run(profile: str, target: str) -> settings:
    return settings.get_profile(profile if target == "emulator" else f"{profile}-oci")
settings.register_profile("quick-oci", settings.get_profile("ci-oci"))
