"""The control plane under ``/_emulator/``: health, reset, clock, transitions, faults, journal, keys, generators, rules.

JSON in and out, same error shape as the API. Reading state here never counts as a poll.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from flask import Blueprint, Response, request

from . import __version__, lifecycle, state
from .inference import generators
from .inference.generators import rules
from .protocol import errors
from .protocol.ids import new_request_id

if TYPE_CHECKING:
    from .app import Emulator

PREFIX = "/_emulator"


def _body() -> dict:
    raw = request.get_data()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise errors.cannot_parse(f"The request body is not valid JSON: {exc}.") from None
    if not isinstance(body, dict):
        raise errors.invalid_parameter("The request body must be a JSON object.")
    return body


def admin_blueprint(emulator: "Emulator") -> Blueprint:
    from .app import error_response, json_response

    bp = Blueprint("admin", __name__, url_prefix=PREFIX)
    env = emulator.env
    store = env.store

    @bp.errorhandler(errors.ServiceError)
    def service_error(exc: errors.ServiceError) -> Response:
        return error_response(exc, new_request_id())

    @bp.get("/health")
    def health() -> Response:
        return json_response(
            {
                "status": "ok",
                "version": __version__,
                "auth": env.settings.auth,
                "durable": store.durable,
                "region": env.settings.region,
            },
            200,
        )

    @bp.post("/reset")
    def reset() -> Response:
        store.reset()
        emulator.journal.clear()
        emulator.faults.clear()
        return json_response({"status": "reset"}, 200)

    @bp.get("/clock")
    def clock() -> Response:
        now = env.clock.now()
        return json_response({"now": lifecycle.iso(now), "offsetSeconds": store.meta("clock_offset", 0.0)}, 200)

    @bp.post("/clock")
    def advance_clock() -> Response:
        seconds = _body().get("advanceSeconds")
        if not isinstance(seconds, (int, float)) or seconds < 0:
            raise errors.invalid_parameter("'advanceSeconds' must be a number of seconds >= 0.")
        now = env.clock.advance(float(seconds))
        lifecycle.settle(store, now)
        return json_response({"now": lifecycle.iso(now), "offsetSeconds": store.meta("clock_offset", 0.0)}, 200)

    @bp.get("/config")
    def get_config() -> Response:
        return json_response({"transitions": lifecycle.policies(store)}, 200)

    @bp.post("/config")
    def set_config() -> Response:
        transitions = _body().get("transitions", {})
        if not isinstance(transitions, dict):
            raise errors.invalid_parameter("'transitions' must map a resource kind to a policy.")
        for kind, policy in transitions.items():
            _check_policy(kind, policy)
        for kind, policy in transitions.items():
            lifecycle.set_policy(store, kind, policy)
        return json_response({"transitions": lifecycle.policies(store)}, 200)

    @bp.post("/transitions/complete")
    def complete() -> Response:
        body = _body()
        done = lifecycle.complete(store, env.clock.now(), body.get("kind"), body.get("id"))
        return json_response({"completed": done}, 200)

    @bp.get("/state")
    def export_state() -> Response:
        return json_response(state.export_state(store, env.clock), 200)

    @bp.post("/state")
    def import_state() -> Response:
        return json_response({"imported": state.import_state(store, _body())}, 200)

    @bp.get("/requests")
    def requests() -> Response:
        return json_response({"items": emulator.journal.entries(request.args.get("operation"))}, 200)

    @bp.delete("/requests")
    def clear_requests() -> Response:
        emulator.journal.clear()
        return json_response(None, 204)

    @bp.get("/faults")
    def list_faults() -> Response:
        return json_response({"items": emulator.faults.list()}, 200)

    @bp.post("/faults")
    def add_fault() -> Response:
        return json_response(emulator.faults.add(_body()), 200)

    @bp.delete("/faults")
    def clear_faults() -> Response:
        emulator.faults.clear()
        return json_response(None, 204)

    @bp.get("/generators")
    def get_generators() -> Response:
        return json_response(generators.config_of(store), 200)

    @bp.post("/generators")
    def set_generators() -> Response:
        try:
            config = generators.validate_config(_body())
        except generators.ConfigError as exc:
            raise errors.invalid_parameter(str(exc)) from None
        store.set_meta(generators.CONFIG_KEY, config)
        return json_response(config, 200)

    @bp.delete("/generators")
    def clear_generators() -> Response:
        store.set_meta(generators.CONFIG_KEY, {})
        return json_response(None, 204)

    @bp.get("/rules")
    def get_rules() -> Response:
        path = env.settings.rules
        try:
            from_file = rules.load_file(path) if path else []
        except generators.ConfigError as exc:
            raise errors.invalid_parameter(str(exc)) from None
        return json_response({"rules": store.meta(rules.META_KEY, []), "file": path, "fileRules": from_file}, 200)

    @bp.post("/rules")
    def add_rules() -> Response:
        """``{"rules": [...]}`` (or one rule): added after the rules posted before, ahead of the file's."""
        body = _body()
        posted = body["rules"] if set(body) == {"rules"} else [body]
        try:
            rules.check_rules(posted)
        except generators.ConfigError as exc:
            raise errors.invalid_parameter(str(exc)) from None
        with store.transaction():
            current = store.meta(rules.META_KEY, []) + posted
            store.set_meta(rules.META_KEY, current)
        return json_response({"rules": current}, 200)

    @bp.delete("/rules")
    def clear_rules() -> Response:
        store.set_meta(rules.META_KEY, [])
        return json_response(None, 204)

    @bp.post("/keys")
    def trust_key() -> Response:
        pem = _body().get("publicKey")
        if not isinstance(pem, str):
            raise errors.missing_parameter("'publicKey' (a PEM public key) is required.")
        try:
            fingerprint = emulator.keys.add_pem(pem.encode())
        except (ValueError, TypeError) as exc:
            raise errors.invalid_parameter(f"'publicKey' is not a PEM RSA key: {exc}") from None
        with store.transaction():
            store.set_meta("trusted_keys", sorted(set(store.meta("trusted_keys", [])) | {pem}))
        return json_response({"fingerprint": fingerprint}, 200)

    return bp


def _check_policy(kind: str, policy) -> None:
    if kind not in lifecycle.KINDS:
        raise errors.invalid_parameter(f"Unknown resource kind {kind!r}; use one of {', '.join(lifecycle.KINDS)}.")
    if not isinstance(policy, dict) or policy.get("mode", "delay") not in ("delay", "manual"):
        raise errors.invalid_parameter("A policy is {\"mode\": \"delay\", \"seconds\": S} or {\"mode\": \"manual\"}.")
    seconds = policy.get("seconds", 0)
    if not isinstance(seconds, (int, float)) or seconds < 0:
        raise errors.invalid_parameter("'seconds' must be a number >= 0.")
    if policy.get("outcome", "SUCCEEDED") not in ("SUCCEEDED", "FAILED"):
        raise errors.invalid_parameter("'outcome' must be SUCCEEDED or FAILED.")
    unknown = set(policy) - {"mode", "seconds", "outcome"}
    if unknown:
        raise errors.invalid_parameter(f"Unknown policy field(s): {', '.join(sorted(unknown))}.")
