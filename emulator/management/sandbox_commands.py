"""What runs in a sandbox: its files and its commands (``generative_ai_sandbox`` API).

Files live in the sandbox's document (``_files``: absolute path under ``/workspace`` -> base64),
bounded per file and per sandbox (``limits.py``); a snapshot keeps them and a restore brings them
back. Commands run in the deterministic shell of ``sandbox_shell.py``: nothing is executed. Each
command keeps its events (STARTED, STDOUT, STDERR, then FINISHED with the exit code; ``seq`` from
1); it is finished at once, but for ``sleep N``, which runs N seconds on the emulator's clock when
started by ``run_sandbox_command`` (run-and-wait and run-and-stream do not wait: a sleep there ends
at once), can be cancelled meanwhile (exit 143 for SIGTERM, 137 for SIGKILL) and is cut short by the
command's ``timeout`` (exit 124). Run-and-stream answers with the events as newline-delimited JSON;
the events endpoint with Server-Sent Events (``data: <event>``), both as the SDK reads them (a stream).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import shlex

from ..call import Call, Result, operation
from ..kinds import ResourceKind
from ..lifecycle import iso
from ..protocol import errors, limits
from ..protocol.ids import new_etag
from ..store import Record
from . import resources, sandbox_shell, sandboxes

KIND = ResourceKind(
    name="sandboxcommand",
    label="sandbox command",
    model="SandboxCommand",
    api="generative_ai_sandbox",
    id_prefix="cmd-",
    private_fields=("_events", "_finishAt", "_exit"),
    list_operation="list_sandbox_command",
    transitions=False,
)
EXIT_ON_SIGNAL = {"SIGTERM": 143, "SIGKILL": 137}
TIMEOUT_EXIT = 124


# files -------------------------------------------------------------------------------------------
def _file_path(call: Call) -> str:
    path = call.query["filePath"]
    normal = path.startswith("/") and sandbox_shell.resolve(path) == path
    if not normal or not sandbox_shell.in_workspace(path) or path == sandbox_shell.WORKSPACE:
        raise errors.invalid_parameter(f"Invalid filePath {path[:200]!r}: an absolute, normalised path under /workspace.")
    return path


def files_of(doc: dict) -> dict[str, bytes]:
    return {path: base64.b64decode(data) for path, data in doc.get("_files", {}).items()}


def store_files(call: Call, rec: Record, writes: dict[str, bytes]) -> None:
    """Add ``writes`` to the sandbox's files (not saved yet); 413 beyond the emulator's bounds."""
    files = rec.doc.setdefault("_files", {})
    for path, data in writes.items():
        if len(data) > limits.SANDBOX_FILE_BYTES:
            raise too_large(f"A sandbox file holds at most {limits.SANDBOX_FILE_BYTES} bytes.")
        if any(other.startswith(path + "/") for other in files) or any(path.startswith(other + "/") for other in files):
            raise errors.invalid_parameter(f"{path} is a directory, or lies under a file.")
        files[path] = base64.b64encode(data).decode()
    if sum(len(d) for d in files_of(rec.doc).values()) > limits.SANDBOX_WORKSPACE_BYTES:
        raise too_large(f"A sandbox's files hold at most {limits.SANDBOX_WORKSPACE_BYTES} bytes together.")


def too_large(message: str) -> errors.ServiceError:
    return errors.ServiceError(413, "RequestEntityTooLarge", message)


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


@operation
def read_sandbox_file(call: Call) -> Result:
    rec = sandboxes.running(call, call.path["sandboxId"])
    path = _file_path(call)
    data = rec.doc.get("_files", {}).get(path)
    if data is None:
        raise errors.not_found(f"The sandbox {rec.id} has no file {path}.")
    content = base64.b64decode(data)
    return Result(binary=content, etag=sha256_b64(content))  # a file's etag is its contentSha256


@operation
def write_sandbox_file(call: Call) -> Result:
    rec = sandboxes.running(call, call.path["sandboxId"])
    path, data = _file_path(call), call.body or b""
    digest = sha256_b64(data)
    given = call.headers.get("opc-content-sha256")
    if given is not None and given != digest:
        raise errors.invalid_parameter(f"opc-content-sha256 {given[:64]!r} is not the SHA-256 (base64) of the body, {digest}.")
    store_files(call, rec, {path: data})
    resources.save(call, rec)
    return Result(body={"sandboxId": rec.id, "filePath": path, "contentSha256": digest}, etag=digest)


# commands ----------------------------------------------------------------------------------------
def events(doc: dict, now: float) -> list[dict]:
    """The command's events at ``now``: FINISHED once it is over."""
    out = list(doc["_events"])
    if now >= doc["_finishAt"]:
        out.append({"event": "FINISHED", "seq": len(out) + 1, "timestamp": iso(doc["_finishAt"]), "commandId": doc["id"],
                    "exitCode": doc["_exit"]})
    return out


def output(doc: dict, now: float, from_seq: int = 0) -> dict:
    seen = events(doc, now)
    chosen = [e for e in seen if e["seq"] >= from_seq]
    text = {name: "".join(e["data"] for e in chosen if e["event"] == name) for name in ("STDOUT", "STDERR")}
    finished = now >= doc["_finishAt"]
    return {"commandId": doc["id"], "exitCode": doc["_exit"] if finished else None, "stdout": text["STDOUT"],
            "stderr": text["STDERR"], "lastSeq": seen[-1]["seq"]}


def present(doc: dict, now: float) -> dict:
    out = {k: v for k, v in doc.items() if not k.startswith("_")}
    if now >= doc["_finishAt"]:
        out.update(exitCode=doc["_exit"], timeFinished=iso(doc["_finishAt"]))
    out["output"] = output(doc, now)
    return out


def _argv(body: dict) -> list[str]:
    if "args" in body:
        return [body["command"], *body["args"]]
    try:
        return shlex.split(body["command"])
    except ValueError as exc:
        raise errors.invalid_parameter(f"Invalid command: {exc}.") from None


def _environment(sandbox: dict, body: dict) -> dict[str, str]:
    pairs = [*sandbox.get("environmentVariables", []), *body.get("environmentVariables", [])]
    values = {p["name"]: p["value"] if isinstance(p["value"], str) else json.dumps(p["value"]) for p in pairs}
    return {"HOME": sandbox_shell.WORKSPACE, **values}


def run(call: Call, *, waits: bool) -> Record:
    """Run the request's command in its RUNNING sandbox; the command's record, stored."""
    sandbox = sandboxes.running(call, call.path["sandboxId"])
    body = call.body
    cwd = body.get("cwd", sandbox_shell.WORKSPACE)
    if not cwd.startswith("/"):
        raise errors.invalid_parameter(f"Invalid cwd {cwd[:200]!r}: an absolute path.")
    timeout = sandboxes.seconds_of(body["timeout"], "timeout") if "timeout" in body else None
    if len(call.store.find(KIND.name, call.tenancy, sandboxId=sandbox.id)) >= limits.SANDBOX_COMMANDS:
        raise errors.limit_exceeded(f"The sandbox already ran {limits.SANDBOX_COMMANDS} commands, the emulator's limit.")
    env, files = _environment(sandbox.doc, body), files_of(sandbox.doc)
    outcome = sandbox_shell.run(_argv(body), sandbox_shell.resolve(cwd), env, files)
    took = 0.0 if waits else outcome.sleep_seconds
    exit_code = outcome.exit_code
    if timeout is not None and outcome.sleep_seconds > timeout:
        took, exit_code = (0.0 if waits else timeout), TIMEOUT_EXIT
    rid = sandboxes.new_id("cmd-")
    stream = [("STARTED", None), ("STDOUT", outcome.stdout), ("STDERR", outcome.stderr)]
    doc = {
        "id": rid,
        "sandboxId": sandbox.id,
        "command": body["command"],
        "cwd": cwd,
        **{k: body[k] for k in ("args", "environmentVariables") if k in body},
        "timeCreated": call.stamp,
        "timeUpdated": call.stamp,
        "timeStarted": call.stamp,
        "_events": [
            {"event": name, "seq": seq, "timestamp": call.stamp, "commandId": rid, **({"data": data} if data is not None else {})}
            for seq, (name, data) in enumerate([(n, d) for n, d in stream if d != ""], start=1)
        ],
        "_finishAt": call.now + took,
        "_exit": exit_code,
    }
    rec = Record(KIND.name, rid, call.tenancy, doc, new_etag())
    with call.store.transaction():
        if outcome.writes:
            store_files(call, sandbox, outcome.writes)
            resources.save(call, sandbox)
        call.store.insert(rec)
    return rec


def load(call: Call) -> Record:
    sandboxes.load(call, call.path["sandboxId"])
    rec = resources.load(call, KIND, call.path["commandId"])
    if rec.doc["sandboxId"] != call.path["sandboxId"]:
        raise errors.not_found()
    return rec


@operation
def run_sandbox_command(call: Call) -> Result:
    rec = run(call, waits=False)
    return Result(body={"id": rec.id}, etag=rec.etag)


@operation
def run_sandbox_command_and_wait(call: Call) -> Result:
    rec = run(call, waits=True)
    return Result(body=present(rec.doc, call.now), etag=rec.etag)


@operation
def run_sandbox_command_and_stream(call: Call) -> Result:
    rec = run(call, waits=True)
    lines = "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in events(rec.doc, call.now))
    return Result(binary=lines.encode(), media_type="application/x-ndjson")


@operation
def get_sandbox_command(call: Call) -> Result:
    rec = load(call)
    return Result(body=present(rec.doc, call.now), etag=rec.etag)


@operation
def get_sandbox_command_output(call: Call) -> Result:
    rec = load(call)
    return Result(body=output(rec.doc, call.now, call.query.get("fromSeq", 0)), etag=rec.etag)


@operation
def stream_sandbox_command_events(call: Call) -> Result:
    rec = load(call)
    low, high = call.query.get("fromSeq", 0), call.query.get("untilSeq")
    chosen = [e for e in events(rec.doc, call.now) if e["seq"] >= low and (high is None or e["seq"] <= high)]
    return Result(stream=chosen)


@operation
def list_sandbox_command(call: Call) -> Result:
    sandbox = sandboxes.load(call, call.path["sandboxId"])
    found = call.store.find(KIND.name, call.tenancy, sandboxId=sandbox.id)
    if "commandId" in call.query:
        found = [r for r in found if r.id == call.query["commandId"]]
    shown = [dataclasses.replace(r, doc={**present(r.doc, call.now), "id": r.id}) for r in found]
    return resources.page_of(call, KIND, shown, ascending_by_default=sandboxes.SORT_ASCENDING)


@operation
def cancel_sandbox_command(call: Call) -> Result:
    """Ends a command still running (a ``sleep``) with the signal's exit code; a finished command
    stays as it is."""
    rec = load(call)
    signal = (call.body or {}).get("signal", "SIGTERM")
    if signal not in EXIT_ON_SIGNAL:
        raise errors.invalid_parameter(f"Invalid signal {signal[:20]!r}: SIGTERM or SIGKILL.")
    if call.now < rec.doc["_finishAt"]:
        rec.doc.update(_finishAt=call.now, _exit=EXIT_ON_SIGNAL[signal])
        resources.save(call, rec)
    return Result(body=present(rec.doc, call.now))
