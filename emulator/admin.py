"""The control plane under ``/_emulator/`` (``specs/admin.json``): health, reset, clock,
transitions, state, journal, faults, rate limits, generators, rules, keys and the web_search
tool's pages.

Every input is checked whole before anything is stored: a 400 changes nothing.

Its operations go through the same pipeline as the APIs (the admin surface: no credentials, no
faults, no journal, and reading state here never applies transitions or counts as a poll).
"""

from __future__ import annotations

import re

from . import __version__, lifecycle, state
from .call import Call, Result, operation
from .inference import generators
from .inference.generators import rules
from .openai_compat.tools import WEB_RESULTS
from .protocol import errors, limits


def _body(call: Call) -> dict:
    body = call.body if call.body is not None else {}
    if not isinstance(body, dict):
        raise errors.invalid_parameter("The request body must be a JSON object.")
    return body


def _clock(call: Call, now: float) -> Result:
    return Result(body={"now": lifecycle.iso(now), "offsetSeconds": call.store.meta("clock_offset", 0.0)})


def _config_error(exc: generators.ConfigError) -> errors.ServiceError:
    return errors.invalid_parameter(str(exc))


@operation
def get_health(call: Call) -> Result:
    settings = call.env.settings
    return Result(
        body={
            "status": "ok",
            "version": __version__,
            "auth": settings.auth,
            "durable": call.store.durable,
            "region": settings.region,
        }
    )


@operation
def reset(call: Call) -> Result:
    call.store.reset()
    call.env.journal.clear()
    call.env.faults.reset()
    call.env.rate_limits.reset()
    return Result(body={"status": "reset"})


@operation
def get_clock(call: Call) -> Result:
    return _clock(call, call.env.clock.now())


@operation
def advance_clock(call: Call) -> Result:
    seconds = _body(call).get("advanceSeconds")
    if not lifecycle.is_seconds(seconds):
        raise errors.invalid_parameter(
            f"'advanceSeconds' must be a number of seconds from 0 to {limits.MAX_CLOCK_OFFSET_SECONDS}."
        )
    now = call.env.clock.advance(float(seconds))
    lifecycle.settle(call.store, now)
    return _clock(call, now)


@operation
def get_config(call: Call) -> Result:
    return Result(body={"transitions": lifecycle.policies(call.store, call.env.kinds.with_transitions)})


@operation
def set_config(call: Call) -> Result:
    transitions = _body(call).get("transitions", {})
    if not isinstance(transitions, dict):
        raise errors.invalid_parameter("'transitions' must map a resource kind to a policy.")
    names = call.env.kinds.with_transitions
    for kind, policy in transitions.items():
        lifecycle.check_policy(kind, policy, names)
    for kind, policy in transitions.items():
        lifecycle.set_policy(call.store, kind, policy)
    return get_config(call)


@operation
def complete_transitions(call: Call) -> Result:
    body = _body(call)
    due_kinds = [kind.name for kind in call.env.kinds.values() if kind.keeps_due]
    done = lifecycle.complete(call.store, call.env.clock.now(), body.get("kind"), body.get("id"), due_kinds)
    return Result(body={"completed": done})


@operation
def export_state(call: Call) -> Result:
    return Result(body=state.export_state(call.store, call.env.clock))


@operation
def import_state(call: Call) -> Result:
    return Result(body={"imported": state.import_state(call.env, _body(call))})


@operation
def list_requests(call: Call) -> Result:
    query = call.query
    status = query.get("status")
    if status is not None and not re.fullmatch(r"[1-5]([0-9]{2}|xx)", status):
        raise errors.invalid_parameter(f"Invalid query parameter 'status': {status!r} is no status (404) or class (4xx).")
    entries = call.env.journal.entries(query.get("operation"), status, query.get("tenancy"), query.get("limit"))
    return Result(body={"items": entries})


@operation
def get_request(call: Call) -> Result:
    entry = call.env.journal.entry(call.path["id"])
    if entry is None:
        raise errors.not_found(f"The journal keeps no entry {call.path['id']} (any longer).")
    return Result(body=entry)


@operation
def clear_requests(call: Call) -> Result:
    call.env.journal.clear()
    return Result()


@operation
def list_faults(call: Call) -> Result:
    return Result(body={"items": call.env.faults.list()})


@operation
def add_fault(call: Call) -> Result:
    return Result(body=call.env.faults.add(_body(call)))


@operation
def clear_faults(call: Call) -> Result:
    call.env.faults.clear()
    return Result()


@operation
def get_rate_limits(call: Call) -> Result:
    return Result(body={"rules": call.env.rate_limits.rules()})


@operation
def set_rate_limits(call: Call) -> Result:
    return Result(body={"rules": call.env.rate_limits.set(_body(call).get("rules"))})


@operation
def clear_rate_limits(call: Call) -> Result:
    call.env.rate_limits.set([])
    return Result()


@operation
def get_generators(call: Call) -> Result:
    return Result(body=generators.config_of(call.store))


@operation
def set_generators(call: Call) -> Result:
    try:
        config = generators.validate_config(_body(call))
    except generators.ConfigError as exc:
        raise _config_error(exc) from None
    call.store.set_meta(generators.CONFIG_KEY, config)
    return Result(body=config)


@operation
def clear_generators(call: Call) -> Result:
    call.store.set_meta(generators.CONFIG_KEY, {})
    return Result()


@operation
def get_rules(call: Call) -> Result:
    path = call.env.settings.rules
    try:
        from_file = rules.load_file(path) if path else []
    except generators.ConfigError as exc:
        raise _config_error(exc) from None
    return Result(body={"rules": call.store.meta(rules.META_KEY, []), "file": path, "fileRules": from_file})


@operation
def add_rules(call: Call) -> Result:
    """``{"rules": [...]}`` (or one rule): added after the rules posted before, ahead of the file's."""
    body = _body(call)
    posted = body["rules"] if set(body) == {"rules"} else [body]
    try:
        rules.check_rules(posted)
    except generators.ConfigError as exc:
        raise _config_error(exc) from None
    with call.store.transaction():
        current = call.store.meta(rules.META_KEY, []) + posted
        call.store.set_meta(rules.META_KEY, current)
    return Result(body={"rules": current})


@operation
def clear_rules(call: Call) -> Result:
    call.store.set_meta(rules.META_KEY, [])
    return Result()


@operation
def trust_key(call: Call) -> Result:
    pem = _body(call).get("publicKey")
    if not isinstance(pem, str):
        raise errors.missing_parameter("'publicKey' (a PEM public key) is required.")
    try:
        fingerprint = call.env.keys.add_pem(pem.encode())
    except (ValueError, TypeError) as exc:
        raise errors.invalid_parameter(f"'publicKey' is not a PEM RSA key: {exc}") from None
    with call.store.transaction():
        call.store.set_meta("trusted_keys", sorted(set(call.store.meta("trusted_keys", [])) | {pem}))
    return Result(body={"fingerprint": fingerprint})


@operation
def get_web_results(call: Call) -> Result:
    return Result(body={"results": call.store.meta(WEB_RESULTS, [])})


@operation
def set_web_results(call: Call) -> Result:
    call.store.set_meta(WEB_RESULTS, call.body["results"])
    return get_web_results(call)


@operation
def clear_web_results(call: Call) -> Result:
    call.store.set_meta(WEB_RESULTS, [])
    return Result()
