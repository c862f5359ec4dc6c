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
from .settings import DEFAULT_TENANCY, Settings, user_home
from .spec import Spec
from .store import Store

if TYPE_CHECKING:
    from flask import Flask

def build_env(settings: Settings) -> Env:
    spec = Spec()
    kinds = registry.kinds()
    summaries = {kind.name: spec.operations[kind.list_operation].item_fields for kind in kinds.values() if kind.list_operation}
    store = Store(settings.data_dir, summaries)
    catalog = Catalog(settings.region, models.KIND)
    catalog.seed(store)
    keys = TrustedKeys()
    if settings.auth == "strict":
        if settings.trust_user_keys:
            keys.add_files(sorted((user_home() / "keys").glob("*.pem")))
        keys.add_files(settings.trusted_keys)
    journal = Journal(settings.journal_size, settings.journal_body_limit)
    return Env(settings, spec, kinds, store, Clock(store), catalog, journal, Faults(), keys)


def create_pipeline(settings: Settings | None = None) -> Pipeline:
    """The emulator as a WSGI application."""
    settings = settings or Settings()
    env = build_env(settings)
    authenticator = Authenticator(
        settings.auth,
        env.keys,
        DEFAULT_TENANCY,
        lambda: env.store.meta("trusted_keys", []),
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
