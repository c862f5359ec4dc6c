"""``create_app(settings)``: the Flask app that speaks every API of the emulator on one port.

It assembles the shared environment (specs, store, clock, catalog, journal, faults, keys), checks
the handler table against the specs (``registry.py``) and sends every request through the one
pipeline (``pipeline.py``), which is the app's WSGI application: it routes by the specs itself,
so Flask's routing and request contexts are not in the way. ``serve`` runs the pipeline on its own
(:func:`create_pipeline`), which spares it Flask's import time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import registry
from .call import Env
from .catalog import Catalog
from .faults import Faults
from .journal import Journal
from .lifecycle import Clock
from .management import models
from .openai_compat.scope import bearer_tenancy
from .pipeline import Pipeline
from .protocol.auth import Authenticator, TrustedKeys
from .protocol.validation import read_document
from .settings import DEFAULT_TENANCY, Settings, user_home
from .spec import Spec
from .store import Store
from .throttling import RateLimits, parse_flag

if TYPE_CHECKING:
    from flask import Flask

def build_env(settings: Settings) -> Env:
    spec = Spec()
    kinds = registry.kinds()
    summaries = {kind.name: spec.operations[kind.list_operation].item_fields for kind in kinds.values() if kind.list_operation}
    store = Store(settings.data_dir, summaries)
    catalog = Catalog(settings.region, models.KIND)
    catalog.seed(store)
    operations = tuple(spec.operations)
    faults, rate_limits = Faults(operations), RateLimits(operations)
    faults.start_with(chaos_file(settings.faults))
    rate_limits.start_with([parse_flag(rule, operations) for rule in settings.rate_limits])
    journal = Journal(settings.journal_size, settings.journal_body_limit)
    return Env(settings, spec, kinds, store, Clock(store), catalog, journal, faults, TrustedKeys(), rate_limits)


def chaos_file(path: str | None) -> list:
    """The faults of ``serve --faults FILE``: a list, or ``{"faults": [...]}``; ValueError if unreadable."""
    if not path:
        return []
    data = read_document(path, "faults file")
    if isinstance(data, dict) and set(data) == {"faults"}:
        data = data["faults"]
    if not isinstance(data, list):
        raise ValueError(f"the faults file {path} must hold a list of faults, or {{\"faults\": [...]}}")
    return data


def key_loader(env: Env):
    """Reads every key strict mode trusts, again when a signature names a key it does not know:
    ``--trust-key`` files, the keys ``oci-genai-emulator config`` writes (also after start-up) and
    the keys trusted through the admin API (by any worker). Files are parsed once per change."""
    settings = env.settings

    def load() -> None:
        env.keys.add_files(settings.trusted_keys)
        if settings.trust_user_keys:
            env.keys.add_files(sorted((user_home() / "keys").glob("*.pem")))
        for pem in env.store.meta("trusted_keys", []):
            env.keys.add_pem(pem.encode())

    return load


def create_pipeline(settings: Settings | None = None) -> Pipeline:
    """The emulator as a WSGI application."""
    settings = settings or Settings()
    env = build_env(settings)
    authenticator = Authenticator(
        settings.auth,
        env.keys,
        DEFAULT_TENANCY,
        key_loader(env),
        lambda secret, headers, strict: bearer_tenancy(env.store, env.clock.now, secret, headers, strict),
    )
    return Pipeline(env, registry.handlers(env.spec.operations), authenticator)


def create_app(settings: Settings | None = None) -> "Flask":
    """The emulator as a Flask app (``app.test_client()``, ``app.config["emulator"]``: the pipeline)."""
    from flask import Flask

    pipeline = create_pipeline(settings)
    app = Flask("oci_genai_emulator")
    app.config["emulator"] = pipeline
    app.wsgi_app = pipeline  # type: ignore[method-assign]
    return app
