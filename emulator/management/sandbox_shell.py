"""The small deterministic shell sandbox commands run in: nothing is executed.

It knows ``echo``, ``cat``, ``ls``, ``pwd``, ``true``, ``false``, ``env``, ``printenv``, ``sleep``,
``exit`` and ``sh``/``bash -c '<one command>'``, over the sandbox's files (paths under
``/workspace``), with ``> file`` and ``>> file`` redirection of what a command prints. Any other
program exits 127 with ``<name>: command not found`` on standard error, as a shell says it.
"""

from __future__ import annotations

import dataclasses
import posixpath
import shlex

WORKSPACE = "/workspace"
NOT_FOUND_EXIT = 127


@dataclasses.dataclass
class Outcome:
    stdout: str = ""
    stderr: str = ""
    exit_code: int = 0
    writes: dict[str, bytes] = dataclasses.field(default_factory=dict)  # files the command wrote
    sleep_seconds: float = 0.0


def resolve(path: str, cwd: str = WORKSPACE) -> str:
    """``path`` made absolute against ``cwd`` and normalised (``..`` cannot climb above ``/``)."""
    return posixpath.normpath(posixpath.join(cwd, path)) if path else cwd


def in_workspace(path: str) -> bool:
    return path == WORKSPACE or path.startswith(WORKSPACE + "/")


def run(argv: list[str], cwd: str, env: dict[str, str], files: dict[str, bytes]) -> Outcome:
    """Run ``argv`` (program and arguments) in ``cwd`` with ``env`` over ``files`` (path -> bytes)."""
    if not argv:
        return Outcome()
    argv, target, append = _redirection(argv)
    outcome = _program(argv, cwd, env, files)
    if target is not None:
        path = resolve(target, cwd)
        if not in_workspace(path):
            return Outcome(stderr=f"sh: 1: cannot create {target}: Permission denied\n", exit_code=2)
        before = files.get(path, b"") if append else b""
        outcome.writes[path] = before + outcome.stdout.encode()
        outcome.stdout = ""
    return outcome


def _redirection(argv: list[str]) -> tuple[list[str], str | None, bool]:
    for index, token in enumerate(argv[:-1]):
        if token in (">", ">>") and index == len(argv) - 2:
            return argv[:index], argv[-1], token == ">>"
    return argv, None, False


def _program(argv: list[str], cwd: str, env: dict[str, str], files: dict[str, bytes]) -> Outcome:
    name, args = posixpath.basename(argv[0]), argv[1:]
    if name in ("sh", "bash") and len(args) >= 2 and args[0] == "-c":
        try:
            inner = shlex.split(args[1])
        except ValueError as exc:
            return Outcome(stderr=f"{name}: syntax error: {exc}\n", exit_code=2)
        return run(inner, cwd, env, files)
    program = PROGRAMS.get(name)
    if program is None:
        return Outcome(stderr=f"{argv[0]}: command not found\n", exit_code=NOT_FOUND_EXIT)
    return program(args, cwd, env, files)


def _echo(args, cwd, env, files) -> Outcome:
    newline = not (args and args[0] == "-n")
    return Outcome(stdout=" ".join(args[0 if newline else 1:]) + ("\n" if newline else ""))


def _cat(args, cwd, env, files) -> Outcome:
    out, err, code = [], [], 0
    for arg in args:
        path = resolve(arg, cwd)
        if path in files:
            out.append(files[path].decode("utf-8", "replace"))
        else:
            kind = "Is a directory" if _children(path, files) else "No such file or directory"
            err.append(f"cat: {arg}: {kind}\n")
            code = 1
    return Outcome(stdout="".join(out), stderr="".join(err), exit_code=code)


def _children(directory: str, files: dict[str, bytes]) -> list[str]:
    """The names directly under ``directory`` (directories exist as long as a file is in them)."""
    prefix = directory.rstrip("/") + "/"
    return sorted({path[len(prefix):].split("/", 1)[0] for path in files if path.startswith(prefix)})


def _ls(args, cwd, env, files) -> Outcome:
    listed, err, code = [], [], 0
    for arg in [a for a in args if not a.startswith("-")] or ["."]:
        path = resolve(arg, cwd)
        if path in files:
            listed.append(arg)
        elif _children(path, files) or path == WORKSPACE:
            listed.extend(_children(path, files))
        else:
            err.append(f"ls: cannot access '{arg}': No such file or directory\n")
            code = 2
    return Outcome(stdout="".join(f"{n}\n" for n in listed), stderr="".join(err), exit_code=code)


def _env(args, cwd, env, files) -> Outcome:
    if not args:
        return Outcome(stdout="".join(f"{k}={v}\n" for k, v in sorted(env.items())))
    missing = [a for a in args if a not in env]
    return Outcome(stdout="".join(f"{env[a]}\n" for a in args if a in env), exit_code=1 if missing else 0)


def _sleep(args, cwd, env, files) -> Outcome:
    try:
        seconds = sum(float(a) for a in args)
    except ValueError:
        return Outcome(stderr=f"sleep: invalid time interval '{' '.join(args)}'\n", exit_code=1)
    if not args or seconds < 0 or seconds != seconds or seconds == float("inf"):
        return Outcome(stderr="sleep: missing or invalid operand\n", exit_code=1)
    return Outcome(sleep_seconds=seconds)


def _exit(args, cwd, env, files) -> Outcome:
    try:
        return Outcome(exit_code=int(args[0]) % 256 if args else 0)
    except ValueError:
        return Outcome(stderr=f"sh: 1: exit: Illegal number: {args[0]}\n", exit_code=2)


PROGRAMS = {
    "echo": _echo,
    "cat": _cat,
    "ls": _ls,
    "pwd": lambda args, cwd, env, files: Outcome(stdout=cwd + "\n"),
    "true": lambda args, cwd, env, files: Outcome(),
    "false": lambda args, cwd, env, files: Outcome(exit_code=1),
    "env": lambda args, cwd, env, files: _env([], cwd, env, files),
    "printenv": _env,
    "sleep": _sleep,
    "exit": _exit,
}
