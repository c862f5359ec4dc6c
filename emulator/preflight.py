"""What ``serve`` checks before any server starts, so a mistake is one clear line, not a traceback.

Each check raises :class:`StartupError` with a message that names the flag or ``OCI_EMULATOR_*``
variable at fault (``Settings.origin``) and the problem; ``cli.py`` prints it and exits with 2.
The address is bound here first (granian only reports ``Address already in use`` from its own
thread, takes no host names, and would truncate a port beyond 65535).
"""

from __future__ import annotations

import dataclasses
import errno
import socket
import sqlite3
from pathlib import Path

from .settings import Settings


class StartupError(Exception):
    """``serve`` cannot start; the message names the flag or variable and the problem."""


def check(settings: Settings) -> Settings:
    """``settings`` ready to serve (the host resolved to an address); StartupError otherwise."""
    if settings.workers > 1 and not settings.data_dir:
        raise StartupError(f"{settings.origin('workers')} {settings.workers} needs --data-dir: workers share state through one SQLite file")
    if settings.workers > 1 and settings.server == "waitress":
        raise StartupError(f"{settings.origin('workers')} {settings.workers} needs --server granian: waitress runs one process")
    if settings.embeddings == "semantic":
        from .inference.semantic import unavailable_reason

        reason = unavailable_reason()
        if reason:
            raise StartupError(f"{settings.origin('embeddings')} semantic: {reason}")
    address = resolve(settings)
    bind(settings, address)
    settings = dataclasses.replace(settings, host=address)
    if settings.data_dir:
        check_data_dir(settings)
    check_files(settings)
    return settings


def resolve(settings: Settings) -> str:
    """The address ``--host`` names (``localhost`` -> ``127.0.0.1``)."""
    try:
        infos = socket.getaddrinfo(settings.host, settings.port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise StartupError(f"{settings.origin('host')} {settings.host!r}: not an address or a host name this machine can resolve ({exc})") from None
    return infos[0][4][0]


def bind(settings: Settings, address: str) -> None:
    """Bind the address once, as the server will: a busy port or a foreign address is said here."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do: TIME_WAIT is no conflict
        try:
            probe.bind((address, settings.port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise StartupError(f"{settings.origin('port')} {settings.port}: {address}:{settings.port} is already in use") from None
            if exc.errno == errno.EADDRNOTAVAIL:
                raise StartupError(f"{settings.origin('host')} {settings.host!r}: {address} is not an address of this machine") from None
            if exc.errno == errno.EACCES:
                raise StartupError(f"{settings.origin('port')} {settings.port}: permission denied (ports below 1024 need privileges)") from None
            raise StartupError(f"{settings.origin('host')} {settings.host!r} / {settings.origin('port')} {settings.port}: cannot listen ({exc.strerror or exc})") from None


def check_data_dir(settings: Settings) -> None:
    """The data folder exists (or can be made), is a folder, and holds an emulator database or none."""
    from .store import DB_FILE, Store

    where = f"{settings.origin('data_dir')} {settings.data_dir}"
    path = Path(settings.data_dir)
    if path.exists() and not path.is_dir():
        raise StartupError(f"{where}: is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".oci-genai-emulator-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise StartupError(f"{where}: cannot write there ({exc.strerror or exc})") from None
    try:
        Store(settings.data_dir).close()
    except sqlite3.Error as exc:
        raise StartupError(f"{where}: {path / DB_FILE} is not a usable emulator database ({exc})") from None


def check_files(settings: Settings) -> None:
    """Every file named by a flag is readable and valid: rules, faults, trusted keys, the seed."""
    from .app import chaos_file, create_pipeline
    from .faults import Faults
    from .inference.generators import ConfigError
    from .inference.generators.rules import load_file
    from .protocol import errors
    from .protocol.auth import TrustedKeys
    from .server import seed
    from .spec import Spec
    from .throttling import parse_flag

    operations = tuple(Spec().operations)
    for origin, action in (
        ("rules", lambda: settings.rules and load_file(settings.rules)),
        ("faults", lambda: Faults(operations).start_with(chaos_file(settings.faults))),
        ("rate_limits", lambda: [parse_flag(rule, operations) for rule in settings.rate_limits]),
    ):
        try:
            action()
        except (ConfigError, ValueError) as exc:
            raise StartupError(f"{settings.origin(origin)}: {exc}") from None
        except errors.ServiceError as exc:
            raise StartupError(f"{settings.origin(origin)}: {exc.message}") from None
    for path in settings.trusted_keys:
        try:
            TrustedKeys().add_pem(Path(path).read_bytes())
        except (OSError, ValueError, TypeError) as exc:
            raise StartupError(f"{settings.origin('trusted_keys')} {path}: not a readable PEM RSA key ({getattr(exc, 'strerror', None) or exc})") from None
    if settings.seed:  # loaded into a throwaway in-memory emulator: the real one may be a shared data dir
        app = create_pipeline(dataclasses.replace(settings, data_dir=None, faults=None, rate_limits=[]))
        try:
            seed(app, settings)
        except ValueError as exc:
            raise StartupError(f"{settings.origin('seed')}: {exc}") from None
        finally:
            app.env.store.close()
