"""Contract tests for OCI Generative AI: one property-based suite, run against the emulator (CI)
or against a real tenancy (on demand), so that what passes on the emulator passes on OCI.

    pytest contract_tests                                   # against an in-process emulator
    python -m contract_tests run --target oci --compartment-id ocid1.compartment... [--allow-costly]
    python -m contract_tests cleanup --target oci --compartment-id ... [--run-id ID]

Layout: ``options.py`` (every option, also as ``OCI_CONTRACT_*``), ``target.py`` (emulator or
tenancy), ``context.py`` (a run: checked clients, budget and per-test shares, waits, cleanup),
``transitions.py`` (on the emulator: manual transitions the kit lands itself), ``checks.py`` (every
response validated against specs/ with openapi-core), ``machines.py`` (the state machine every
resource family shares), ``rules.py`` (the key rules each machine must have run), ``test_*.py`` (one
machine or scenario per family, tenancy isolation, the emulator's lifecycle policies, Schemathesis),
``snapshots.py`` and ``snapshots/`` (parity snapshots), ``cost.py`` (the printed estimate),
``cleanup.py`` (by tag), ``profiles.py`` (hypothesis profiles ``ci``, ``quick`` and ``nightly``).
"""
