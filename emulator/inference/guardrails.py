"""``applyGuardrails`` and ``listGuardrailVersions``: deterministic rules in place of classifiers.

Only the configured checks run, and only their results are returned. Scores are binary, as the
docs describe them (0.0 = safe / no match, 1.0 = unsafe / match):

- content moderation: OVERALL (harmful language: a small keyword list of violence, hate,
  self-harm and harassment phrases) and BLOCKLIST (a small list of profanities);
- prompt injection: 1.0 when a known attack pattern occurs ("ignore previous instructions",
  "reveal the system prompt", "you are now", "developer mode", ...);
- PII: EMAIL, TELEPHONE_NUMBER (US and international formats), CREDIT_DEBIT_NUMBER (13 to 19
  digits passing the Luhn check), SSN_OR_TAXPAYER, IP_ADDRESS and PERSON (a title, or a first
  name from a small list, followed by capitalized words), each with ``text``, ``label``,
  ``offset``/``length`` (in characters of the input) and a confidence ``score``. The labels are
  those of OCI Language's PII model, which the docs' examples use (PERSON, EMAIL,
  TELEPHONE_NUMBER); other Language labels are accepted in ``types`` and never found.

``multimodalInput`` (used only when ``input`` is absent): text items are checked as one text,
joined with newlines, so PII offsets count from the start of the first text item; images are
accepted and never flagged; results then carry ``flaggedModalities``. Unknown categories or PII
types, and unknown or retired versions, are 400s. ``guardrailVersion`` is always returned: the
requested version (the latest patch of a ``MAJOR.MINOR``), or the newest ACTIVE one.
"""

from __future__ import annotations

import hashlib
import re

from ..call import Call, Result, operation
from ..protocol import pagination
from . import errors
from .params import integer

CATEGORIES = ("OVERALL", "BLOCKLIST")
DETECTED = ("PERSON", "EMAIL", "TELEPHONE_NUMBER", "CREDIT_DEBIT_NUMBER", "SSN_OR_TAXPAYER", "IP_ADDRESS")
PII_TYPES = DETECTED + (
    "ADDRESS", "AGE", "DATE_TIME", "PASSPORT_NUMBER_US", "DRIVER_ID_US", "BANK_ACCOUNT_NUMBER",
    "BANK_SWIFT", "BANK_ROUTING", "MAC_ADDRESS",
)  # fmt: skip
VERSIONS = (
    {
        "guardrailVersion": "1.0.0",
        "state": "ACTIVE",
        "timePreviewed": "2025-09-01T00:00:00.000Z",
        "timeActivated": "2025-10-15T00:00:00.000Z",
        "description": "Content moderation (OVERALL, BLOCKLIST), prompt injection and PII detection.",
    },
    {
        "guardrailVersion": "1.1.0",
        "state": "PREVIEW",
        "timePreviewed": "2026-06-01T00:00:00.000Z",
        "description": "Preview of the next guardrail models; same categories and PII types.",
    },
)


def _words(*phrases: str) -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b", re.I)


HARMFUL = _words(
    r"kill(?:s|ed|ing)? (?:you|him|her|them|everyone|myself|yourself)", r"murder\w*", r"bomb(?:s|ing)?",
    r"shoot (?:up|everyone)", r"terrorist attack", r"i hate (?:you|them|all)", r"hate speech",
    r"suicide", r"self[- ]harm", r"hurt (?:myself|yourself)", r"go die", r"worthless (?:idiot|piece)",
    r"stupid idiot", r"massacre", r"genocide",
)  # fmt: skip
BLOCKLIST = _words(r"fuck\w*", r"shit\w*", r"bitch\w*", r"bastard\w*", r"asshole\w*", r"dickhead\w*")
INJECTION = _words(
    r"ignore (?:all |any |the |your )?(?:previous|prior|above|earlier|preceding) "
    r"(?:instructions|prompts?|rules|directions)",
    r"disregard (?:all |any |the |your )?(?:previous|prior|above|earlier)? ?(?:instructions|rules|guidelines)",
    r"forget (?:everything|all|your) (?:instructions|rules|you were told)",
    r"(?:reveal|show|print|repeat|display|leak) (?:me )?(?:your|the) (?:system|hidden|initial|original) "
    r"(?:prompt|instructions)",
    r"system prompt", r"you are now", r"developer mode", r"jailbreak\w*", r"do anything now",
    r"pretend (?:that )?you (?:are|have) no (?:rules|restrictions|limits)",
    r"override (?:your|the|all) (?:instructions|rules|safety)", r"exfiltrate",
)  # fmt: skip

EMAIL_RE = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")
CARD_RE = re.compile(r"\b\d(?:[ -]?\d){12,18}\b")
SSN_RE = re.compile(r"\b\d{3}-\d{2}-\d{4}\b")
PHONE_RE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}\b"  # US: (555) 123-4567, 555-123-4567
    r"|(?<![\w+])\+\d{1,3}(?:[ .-]?\d{2,4}){2,5}\b"  # international: +44 20 7946 0958
)
IP_RE = re.compile(r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b")
FIRST_NAMES = (
    "James John Robert Michael William David Richard Joseph Thomas Charles Mary Patricia Jennifer Linda "
    "Elizabeth Barbara Susan Jessica Sarah Karen Jane Alice Bob Carol Emma Olivia Liam Noah Sophia Maria "
    "Anna Peter Paul Mark Laura Emily Daniel Matthew Anthony Lisa Nancy Kevin Brian George Helen Ahmed "
    "Wei Yuki Priya Raj Carlos Juan Ana Pierre Hans"
).split()
PERSON_RE = re.compile(
    r"\b(?:(?:Mr|Mrs|Ms|Dr|Prof)\.?\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?"
    r"|(?:" + "|".join(FIRST_NAMES) + r")(?:\s+[A-Z][a-z]+){0,2})\b"
)
PII_RULES = (  # in priority order: an earlier match wins an overlap
    ("EMAIL", EMAIL_RE, 0.9994),
    ("CREDIT_DEBIT_NUMBER", CARD_RE, 0.9981),
    ("SSN_OR_TAXPAYER", SSN_RE, 0.9902),
    ("TELEPHONE_NUMBER", PHONE_RE, 0.9868),
    ("IP_ADDRESS", IP_RE, 0.9957),
    ("PERSON", PERSON_RE, 0.9990),
)


@operation
def apply_guardrails(call: Call) -> Result:
    body = call.body
    version = _version(body.get("guardrailVersionConfig"))
    configs = body["guardrailConfigs"]
    texts, modalities = _inputs(body)
    text = "\n".join(texts)
    multimodal = modalities is not None
    results: dict = {}

    moderation = configs.get("contentModerationConfig")
    if moderation is not None:
        asked = moderation.get("categories") or list(CATEGORIES)
        wanted = _known(asked, CATEGORIES, "contentModerationConfig.categories")
        patterns = {"OVERALL": HARMFUL, "BLOCKLIST": BLOCKLIST}
        scores = []
        for name in wanted:
            flagged = bool(patterns[name].search(text))
            score = {"name": name, "score": 1.0 if flagged else 0.0}
            if multimodal:
                score["flaggedModalities"] = ["TEXT"] if flagged else []
            scores.append(score)
        results["contentModeration"] = {"categories": scores}

    pii = configs.get("personallyIdentifiableInformationConfig")
    if pii is not None:
        wanted = _known(pii.get("types") or list(DETECTED), PII_TYPES, "personallyIdentifiableInformationConfig.types")
        results["personallyIdentifiableInformation"] = detect_pii(text, set(wanted))

    if configs.get("promptInjectionConfig") is not None:
        flagged = bool(INJECTION.search(text))
        injection = {"score": 1.0 if flagged else 0.0}
        if multimodal:
            injection["flaggedModalities"] = ["TEXT"] if flagged else []
        results["promptInjection"] = injection

    return Result(body={"results": results, "guardrailVersion": {"version": version}})


def _inputs(body: dict) -> tuple[list[str], list[str] | None]:
    """The texts to check, and the modalities of ``multimodalInput`` (None for ``input``)."""
    if "input" in body:
        return [_text(body["input"], "input")], None
    items = body.get("multimodalInput") or []
    if not items:
        raise errors.bad_request("Provide input or a non-empty multimodalInput.")
    texts = [_text(item, f"multimodalInput[{i}]") for i, item in enumerate(items) if item["type"] == "TEXT"]
    for i, item in enumerate(items):
        if item["type"] == "IMAGE" and not (item.get("imageUrl") or {}).get("url"):
            raise errors.bad_request(f"The field 'multimodalInput[{i}].imageUrl.url' is required for an IMAGE item.")
    return texts, [item["type"] for item in items]


def _text(item: dict, field: str) -> str:
    if item["type"] != "TEXT":
        if field == "input":
            raise errors.bad_request("The field 'input' takes TEXT; send images in multimodalInput.")
        return ""
    return item.get("content") or ""


def _known(values: list[str], allowed: tuple[str, ...], field: str) -> list[str]:
    for value in values:
        if value not in allowed:
            raise errors.bad_request(
                f"Invalid value \"{value}\" in '{field}': allowed values are {', '.join(allowed)}."
            )
    return list(dict.fromkeys(values))


def detect_pii(text: str, wanted: set[str]) -> list[dict]:
    found: list[dict] = []
    taken: list[tuple[int, int]] = []
    for label, pattern, base in PII_RULES:
        for m in pattern.finditer(text):
            start, end = m.span()
            if label == "CREDIT_DEBIT_NUMBER" and not _luhn(m.group()):
                continue
            if label == "TELEPHONE_NUMBER" and sum(c.isdigit() for c in m.group()) < 7:
                continue
            if any(start < e and s < end for s, e in taken):
                continue
            taken.append((start, end))  # taken even when not wanted: a card number is never also a phone
            if label in wanted:
                value = m.group()
                score = _score(base, value)
                found.append({"length": end - start, "offset": start, "text": value, "label": label, "score": score})
    return sorted(found, key=lambda r: r["offset"])


def _luhn(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _score(base: float, text: str) -> float:
    jitter = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), "big") / 0xFFFFFFFF
    return round(base + (1 - base) * 0.9 * jitter, 10)


def _version(config: dict | None) -> str:
    active = [v for v in VERSIONS if v["state"] == "ACTIVE"]
    if not config:
        return active[-1]["guardrailVersion"]
    asked = config["guardrailVersion"]
    parts = asked.split(".")
    matches = [v for v in VERSIONS if v["guardrailVersion"].split(".")[: len(parts)] == parts]
    if not matches or len(parts) not in (2, 3):
        known = ", ".join(v["guardrailVersion"] for v in VERSIONS)
        raise errors.bad_request(f"Unknown guardrail version \"{asked}\"; available versions: {known}.")
    chosen = max(matches, key=lambda v: tuple(int(p) for p in v["guardrailVersion"].split(".")))
    if chosen["state"] == "RETIRED":
        raise errors.bad_request(f"The guardrail version {chosen['guardrailVersion']} is retired.")
    return chosen["guardrailVersion"]


@operation
def list_guardrail_versions(call: Call) -> Result:
    if not call.headers.get("opc-compartment-id"):
        raise errors.bad_request("The header 'opc-compartment-id' is required.")
    state = call.query.get("state")
    items = [v for v in VERSIONS if state is None or v["state"] == state]
    limit = integer(call.query, "limit", 1, 1000) or 1000
    check = pagination.checksum(call.op.name, call.query)
    after = pagination.decode(call.query["page"], check, (str,)) if "page" in call.query else None
    page, cursor = pagination.keyset_slice(
        items, key=lambda v: (v["guardrailVersion"],), after=after, limit=limit, descending=False
    )
    return Result(body={"items": page}, next_page=pagination.encode(cursor, check) if cursor else None)
