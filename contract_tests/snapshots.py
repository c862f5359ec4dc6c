"""Parity snapshots: normalized responses of named cases, recorded from a target and compared by structure.

A test opens a case (``with book.case("active"): client.get_dedicated_ai_cluster(...)``); every
response checked meanwhile (see ``checks.py``) is normalized and kept under (operation, case).
With ``--record`` the book writes ``snapshots/<operation>.json``; otherwise it compares what it saw
with those files, on either target, and fails on any difference that
``snapshots/ALLOWED_DIFFERENCES.json`` does not allow (a status code is never allowed to differ).

Every recorded case carries its ``provenance`` (``target`` emulator or oci, region, SDK version,
date). A recording made against OCI is the reference: ``--record`` against the emulator refuses to
overwrite one (:class:`RecordingRefused`).

Normalizing masks what differs on every call (OCIDs, times, etags, request and work request
ids, UUIDs, the run id), sorts lists and cuts long numeric vectors to 8 entries. Comparing is
structural, and loses nothing that carries meaning: each response becomes a set of (path, type)
facts, where a type is ``object``, ``array``, ``string``, ``integer``, ``number`` (a JSON number
with a fraction or exponent), ``boolean``, ``null`` or, where the spec enumerates the field's values
(in any letter case), ``enum:<value>``; a field that only some items of a list have is
``missing from some items``; plus the status, the content type and the presence of the headers that
carry meaning. An enum value outside the spec's list is a difference of its own (``unknown enum``).
A difference is a path whose facts differ: ``missing`` (only in the snapshot), ``extra`` (only in
the response) or ``type`` (both, with other types or enum values).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fnmatch
import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from .checks import EnumField, Exchange, Operation

DIRECTORY = Path(__file__).resolve().parent / "snapshots"
ALLOWED_FILE = "ALLOWED_DIFFERENCES.json"
HEADERS = ("etag", "opc-work-request-id", "opc-next-page", "retry-after")
OCID = re.compile(r"ocid1\.[a-z0-9]+\.[a-z0-9-]*\.[a-z0-9-]*\.[A-Za-z0-9_-]+")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
RUN_ID = re.compile(r"\d{8}t\d{6}-[0-9a-f]{6}")  # options.new_run_id(), in names and tags
TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$")
MASKED_KEYS = {"etag": "<etag>", "opc-request-id": "<request-id>"}
LONG_VECTOR = 8
SOME_ITEMS = "missing from some items"
NEVER_ALLOWED = ("@status",)  # a status code always matters: no allow rule hides 200 vs 404

# (operation, status, body) -> the paths of the body whose values the spec enumerates (SpecChecker.enum_fields)
EnumFields = Callable[[str, int, object], dict[str, EnumField]]


class RecordingRefused(Exception):
    """``--record`` against the emulator would overwrite cases recorded from OCI."""


def normalize(value, key: str = ""):
    if isinstance(value, dict):
        return {k: normalize(v, k) for k, v in value.items()}
    if isinstance(value, list):
        if len(value) > LONG_VECTOR and all(isinstance(v, (int, float)) for v in value):
            value = value[:LONG_VECTOR]
        items = [normalize(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, str):
        if key in MASKED_KEYS:
            return MASKED_KEYS[key]
        if TIME.match(value):
            return "<time>"
        return RUN_ID.sub("<run-id>", UUID.sub("<uuid>", OCID.sub("<ocid>", value)))
    return value


def normalize_exchange(exchange: Exchange) -> dict:
    media_type = exchange.content_type.split(";")[0].strip()
    return {
        "status": exchange.status,
        "contentType": media_type or None,
        "headers": sorted(h for h in HEADERS if h in exchange.headers),
        "body": normalize(exchange.json()),
    }


def facts(value, path: str = "", enums: frozenset[str] | set[str] = frozenset()) -> set[tuple[str, str]]:
    """The (path, type) facts of a normalized body (``enums``: the paths the spec enumerates). The
    items of a list share the path ``<list>[]``; a path only some items have is marked so."""
    if isinstance(value, dict):
        out = {(path, "object")}
        for key, item in value.items():
            out |= facts(item, f"{path}.{key}" if path else key, enums)
        return out
    if isinstance(value, list):
        items = [facts(item, f"{path}[]", enums) for item in value]
        out = {(path, "array")}.union(*items)
        every = set.intersection(*({p for p, _ in item} for item in items)) if items else set()
        return out | {(p, SOME_ITEMS) for p, _ in out if p != path and p not in every}
    if isinstance(value, bool):
        return {(path, "boolean")}
    if isinstance(value, int):
        return {(path, "integer")}
    if isinstance(value, float):
        return {(path, "number")}
    if value is None:
        return {(path, "null")}
    return {(path, f"enum:{value}" if path in enums else "string")}


def record_facts(record: dict, enums: frozenset[str] | set[str] = frozenset()) -> set[tuple[str, str]]:
    out = {("@status", str(record["status"])), ("@contentType", str(record["contentType"]))}
    out |= {(f"@header.{h}", "present") for h in record["headers"]}
    return out | facts(record["body"], enums=enums)


@dataclasses.dataclass(frozen=True)
class Difference:
    operation: str
    case: str
    path: str
    kind: str  # missing | extra | type | unknown enum
    expected: tuple[str, ...]
    actual: tuple[str, ...]

    def __str__(self) -> str:
        return (
            f"{self.operation} [{self.case}] {self.path or '<body>'}: {self.kind} "
            f"(snapshot {list(self.expected) or '-'}, now {list(self.actual) or '-'})"
        )


def compare(operation: str, case: str, snapshot: dict, observed: dict,
            enums: frozenset[str] | set[str] = frozenset()) -> list[Difference]:
    expected, actual = record_facts(snapshot, enums), record_facts(observed, enums)
    paths = sorted({p for p, _ in expected | actual})
    out = []
    for path in paths:
        want = tuple(sorted(t for p, t in expected if p == path))
        got = tuple(sorted(t for p, t in actual if p == path))
        if want == got:
            continue
        kind = "missing" if not got else "extra" if not want else "type"
        out.append(Difference(operation, case, path, kind, want, got))
    return out


def allowed(difference: Difference, rules: list[dict]) -> bool:
    if difference.path in NEVER_ALLOWED:
        return False
    for rule in rules:
        if (
            fnmatch.fnmatchcase(difference.operation, rule.get("operation", "*"))
            and fnmatch.fnmatchcase(difference.case, rule.get("case", "*"))
            and fnmatch.fnmatchcase(difference.path, rule.get("path", "*"))
            and rule.get("kind", difference.kind) == difference.kind
        ):
            return True
    return False


class SnapshotBook:
    """Collects normalized responses of named cases; records them or compares them.

    ``provenance`` describes the target (``{"target": "emulator" | "oci", ...}``); ``enum_fields``
    says which paths of an operation's body the spec enumerates (``SpecChecker.enum_fields``)."""

    def __init__(self, directory: Path = DIRECTORY, provenance: dict | None = None,
                 enum_fields: EnumFields | None = None):
        self.directory = directory
        self.provenance = provenance or {"target": "emulator"}
        self.enum_fields = enum_fields or (lambda operation, status, body: {})
        self.current: str | None = None
        self.seen: dict[tuple[str, str], dict] = {}
        self.unknown: list[Difference] = []  # enum values outside the spec's lists, as they came

    @contextlib.contextmanager
    def case(self, name: str) -> Iterator[None]:
        """Keep the responses of the calls made inside the block as case ``name`` (the last
        response of each operation wins, so a wait inside a case keeps its final answer)."""
        previous, self.current = self.current, name
        try:
            yield
        finally:
            self.current = previous

    def observe(self, op: Operation, exchange: Exchange) -> None:
        if self.current is None:
            return
        self.seen[(op.name, self.current)] = normalize_exchange(exchange)
        for path, field in self.enum_fields(op.name, exchange.status, exchange.json()).items():
            for value in sorted(field.values - set(field.enum)):
                self.unknown.append(Difference(op.name, self.current, path, "unknown enum", field.enum, (value,)))

    def _file(self, operation: str) -> Path:
        return self.directory / f"{operation}.json"

    def _load(self, operation: str) -> dict:
        path = self._file(operation)
        return json.loads(path.read_text()) if path.exists() else {"operation": operation, "cases": {}}

    def record(self) -> list[Path]:
        """Write what was seen (other cases in the files stay); returns the files written. Against
        the emulator, refuses (and writes nothing) when a case to write was recorded from OCI."""
        if self.provenance["target"] != "oci":
            from_oci = [
                f"{operation} [{case}]"
                for operation, case in sorted(self.seen)
                if self._load(operation)["cases"].get(case, {}).get("provenance", {}).get("target") == "oci"
            ]
            if from_oci:
                raise RecordingRefused(
                    f"--record against {self.provenance['target']} would overwrite what was recorded from OCI: "
                    f"{', '.join(from_oci)}. Record from a tenancy (--target oci), or remove those cases by hand."
                )
        provenance = {**self.provenance, "recordedOn": datetime.now(timezone.utc).strftime("%Y-%m-%d")}
        written = []
        for operation in sorted({op for op, _ in self.seen}):
            doc = self._load(operation)
            for (op, case), record in sorted(self.seen.items()):
                if op == operation:
                    doc["cases"][case] = {"provenance": provenance, **record}
            doc["cases"] = dict(sorted(doc["cases"].items()))
            path = self._file(operation)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(doc, indent=1, sort_keys=False) + "\n")
            written.append(path)
        return written

    def allowed_rules(self) -> list[dict]:
        path = self.directory / ALLOWED_FILE
        return json.loads(path.read_text())["allowed"] if path.exists() else []

    def differences(self) -> tuple[list[Difference], list[str]]:
        """(differences not allowed, cases with no snapshot) for what was seen."""
        rules = self.allowed_rules()
        found, missing = [d for d in self.unknown if not allowed(d, rules)], []
        for (operation, case), observed in sorted(self.seen.items()):
            snapshot = self._load(operation)["cases"].get(case)
            if snapshot is None:
                missing.append(f"{operation} [{case}]")
                continue
            enums = {
                path
                for record in (snapshot, observed)
                for path in self.enum_fields(operation, record["status"], record["body"])
            }
            found += [d for d in compare(operation, case, snapshot, observed, enums) if not allowed(d, rules)]
        return found, missing

    def sources(self) -> set[str]:
        """Where the snapshots of what was seen were recorded (``emulator``, ``oci``)."""
        return {
            self._load(operation)["cases"].get(case, {}).get("provenance", {}).get("target", "unknown")
            for operation, case in self.seen
        }
