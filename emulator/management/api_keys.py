"""Generative AI API keys: what ``Authorization: Bearer <secret>`` presents to the OpenAI-compatible API.

An API key holds one or two named secrets ("key one" and "key two" in the Console), each with its
own expiry (90 days by default), so that one can be rotated while the other works. A secret is
shown only in the answer of create and renew; the emulator keeps a hash of it. A secret works
while its item is ACTIVE and not past its expiry; INACTIVE can be undone, REVOKED cannot, and an
expired one can only be renewed. Every operation is synchronous. The key itself is ACTIVE while
one of its secrets works, INACTIVE otherwise.

Known differences (not documented by Oracle): at most two secrets, named like OCI resource names
(a letter or ``_``, then letters, digits, ``-`` or ``_``; up to 255); the secret's form
(``sk-`` and 48 hex digits) and its mask (``sk-...`` and its last 4 characters).
"""

from __future__ import annotations

import hashlib
import re
import secrets

from ..call import Call, Result, operation
from ..kinds import ResourceKind
from ..lifecycle import iso, parse_iso
from ..protocol import errors
from ..store import Record, Store
from . import resources

KIND = ResourceKind(
    name="apikey",
    label="API key",
    model="ApiKey",
    type_token="generativeaiapikey",
    private_fields=("_secrets",),  # the digests of its secrets, never answered
    list_operation="list_api_keys",
    update_lands_in=None,  # an INACTIVE key stays INACTIVE
)
DEFAULT_LIFETIME = 90 * 24 * 3600
MAX_SECRETS = 2
KEY_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,254}$")
SETTABLE_STATES = ("ACTIVE", "INACTIVE", "REVOKED")


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret(doc: dict, item: dict) -> str:
    """A fresh secret for ``item``; the key keeps its digest (and those it replaced, so that they
    are refused by name), the item its mask."""
    secret = "sk-" + secrets.token_hex(24)
    item["keyMask"] = f"sk-...{secret[-4:]}"
    digests = doc.setdefault("_secrets", {})
    for entry in digests.values():
        if entry["name"] == item["keyName"]:
            entry["current"] = False
    digests[_digest(secret)] = {"name": item["keyName"], "current": True}
    return secret


def _expiry(call: Call, details: dict, where: str) -> str:
    given = details.get("timeExpiry")
    when = parse_iso(given) if given else call.now + DEFAULT_LIFETIME
    if when <= call.now:
        raise errors.invalid_parameter(f"Invalid {where}.timeExpiry {given}: it must be in the future.")
    return iso(when)


def _state_of(item: dict, now: float) -> str:
    """An item's state as clients read it: ACTIVE or INACTIVE ones past their expiry are EXPIRED."""
    if item["state"] in ("ACTIVE", "INACTIVE") and parse_iso(item["timeExpiry"]) <= now:
        return "EXPIRED"
    return item["state"]


def _settle_state(rec: Record, now: float) -> None:
    if rec.doc["lifecycleState"] not in ("DELETED",):
        working = any(_state_of(item, now) == "ACTIVE" for item in rec.doc["keys"])
        rec.doc["lifecycleState"] = "ACTIVE" if working else "INACTIVE"


def present(doc: dict, now: float, shown: dict[str, str] | None = None) -> dict:
    """The key as clients read it: states as of ``now``, no digests, and a secret only where ``shown``."""
    out = {k: v for k, v in doc.items() if not k.startswith("_")}
    keys = []
    for item in doc["keys"]:
        visible = {k: v for k, v in item.items() if not k.startswith("_")}
        visible["state"] = _state_of(item, now)
        if shown and item["keyName"] in shown:
            visible["key"] = shown[item["keyName"]]
        keys.append(visible)
    out["keys"] = keys
    if out["lifecycleState"] in ("ACTIVE", "INACTIVE"):
        out["lifecycleState"] = "ACTIVE" if any(k["state"] == "ACTIVE" for k in keys) else "INACTIVE"
    return out


def _check_names(details: list[dict]) -> None:
    if not 1 <= len(details) <= MAX_SECRETS:
        raise errors.invalid_parameter(f"Invalid keyDetails: an API key holds 1 to {MAX_SECRETS} secrets, not {len(details)}.")
    names = [d["keyName"] for d in details]
    for name in names:
        if not KEY_NAME.match(name):
            raise errors.invalid_parameter(
                f"Invalid keyName {name!r}: a letter or '_', then letters, digits, '-' or '_' (at most 255)."
            )
    if len(set(names)) != len(names):
        raise errors.invalid_parameter("Invalid keyDetails: the secrets of an API key need distinct keyName values.")


@operation
def create_api_key(call: Call) -> Result:
    body = call.body
    details = body["keyDetails"]
    _check_names(details)
    items = [
        {
            "keyName": d["keyName"],
            "timeCreated": call.stamp,
            "timeExpiry": _expiry(call, d, f"keyDetails[{i}]"),
            "timeActivated": call.stamp,
            "state": "ACTIVE",
        }
        for i, d in enumerate(details)
    ]
    doc = {k: v for k, v in body.items() if k != "keyDetails"}
    shown = {item["keyName"]: _new_secret(doc, item) for item in items}
    result = resources.create(call, KIND, dict(doc, keys=items), done="The API key is active.")
    return Result(body=present(result.body, call.now, shown), etag=result.etag)


@operation
def get_api_key(call: Call) -> Result:
    rec = resources.load(call, KIND, call.path["apiKeyId"])
    return Result(body=present(rec.doc, call.now), etag=rec.etag)


@operation
def list_api_keys(call: Call) -> Result:
    return resources.list_page(call, KIND, present=lambda doc: present(doc, call.now))


@operation
def update_api_key(call: Call) -> Result:
    result = resources.update(call, KIND, call.path["apiKeyId"])
    return Result(body=present(result.body, call.now), etag=result.etag)


def _item(rec: Record, name: str) -> dict:
    item = next((i for i in rec.doc["keys"] if i["keyName"] == name), None)
    if item is None:
        raise errors.invalid_parameter(f"The API key {rec.id} has no secret named {name!r}.")
    return item


@operation
def renew_api_key(call: Call) -> Result:
    rec = resources.load(call, KIND, call.path["apiKeyId"])
    resources.guard_mutation(call, KIND, rec)
    details = call.body["details"]
    item = _item(rec, details["keyName"])
    if item["state"] == "REVOKED":
        raise errors.incorrect_state(f"The secret {item['keyName']!r} of {rec.id} is revoked; make a new API key.")
    secret = _new_secret(rec.doc, item)
    item.update(timeCreated=call.stamp, timeExpiry=_expiry(call, details, "details"), state="ACTIVE",
                timeActivated=call.stamp)
    _apply_tags(call, rec)
    _settle_state(rec, call.now)
    resources.save(call, rec)
    return Result(body=present(rec.doc, call.now, {item["keyName"]: secret}), etag=rec.etag)


@operation
def set_api_key_state(call: Call) -> Result:
    rec = resources.load(call, KIND, call.path["apiKeyId"])
    resources.guard_mutation(call, KIND, rec)
    item = _item(rec, call.body["keyName"])
    state = call.body["state"]
    if state not in SETTABLE_STATES:
        raise errors.invalid_parameter(f"Invalid state {state!r}: use one of {', '.join(SETTABLE_STATES)}.")
    current = _state_of(item, call.now)
    if current == "REVOKED" and state != "REVOKED":
        raise errors.incorrect_state(f"The secret {item['keyName']!r} is revoked for good; make a new API key.")
    if current == "EXPIRED" and state == "ACTIVE":
        raise errors.incorrect_state(f"The secret {item['keyName']!r} has expired; renew it instead.")
    stamp_field = {"ACTIVE": "timeActivated", "INACTIVE": "timeDeactivated", "REVOKED": "timeRevoked"}[state]
    item.update({"state": state, stamp_field: call.stamp})
    _apply_tags(call, rec)
    _settle_state(rec, call.now)
    resources.save(call, rec)
    return Result(body=present(rec.doc, call.now), etag=rec.etag)


def _apply_tags(call: Call, rec: Record) -> None:
    for field in ("freeformTags", "definedTags"):
        if field in call.body:
            rec.doc[field] = call.body[field]


def _retire(call: Call, rec: Record) -> None:
    for item in rec.doc["keys"]:
        item["state"] = "DELETED"


@operation
def delete_api_key(call: Call) -> Result:
    return resources.delete(call, KIND, call.path["apiKeyId"], check=_retire)


@operation
def change_api_key_compartment(call: Call) -> Result:
    return resources.change_compartment(call, KIND, call.path["apiKeyId"])


def owner_of_secret(store: Store, secret: str, now: float) -> tuple[str, str] | None:
    """``(tenancy, API key id)`` of a secret that works now; None for one that names no key.
    A known secret that does not work (INACTIVE, REVOKED, EXPIRED, DELETED) is a 401."""
    digest = _digest(secret)
    rec = store.locate_by_key(KIND.name, "_secrets", digest)
    if rec is None:
        return None
    entry = rec.doc["_secrets"][digest]
    if not entry["current"]:
        raise errors.not_authenticated(f"The API key secret {entry['name']!r} was renewed: use its new secret.")
    item = next(i for i in rec.doc["keys"] if i["keyName"] == entry["name"])
    state = _state_of(item, now)
    if state != "ACTIVE":
        raise errors.not_authenticated(f"The API key secret is {state}; use a secret that is ACTIVE.")
    return rec.tenancy, rec.id
