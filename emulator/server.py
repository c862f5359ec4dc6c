"""Run the app on a production WSGI server.

``serve`` uses granian (a Rust HTTP server; ``--workers N`` processes of ``--threads T`` blocking
threads each): the fastest server measured for this app (bench/). ``--server waitress`` is the
pure-Python alternative; it also hands the app the request target exactly as sent, which strict
signature checks use when a path holds an encoded ``/`` (granian passes only the decoded path).
Tests and the pytest plugin run the app in a thread of their own process (:class:`BackgroundServer`,
waitress).
"""

from __future__ import annotations

import dataclasses
import functools
import os
import signal
import socket
import sys
import threading

from .settings import Settings

# A worker still loading the app when SIGTERM comes is killed after this long, as is a stream still open.
KILL_TIMEOUT_SECONDS = 2


def _announce(host: str, port: int, settings: Settings) -> None:
    where = settings.data_dir or "memory"
    print(
        f"oci-genai-emulator listening on http://{host}:{port} "
        f"(auth {settings.auth}, state in {where}, {settings.server})",
        flush=True,
    )
    print(f"dashboard: http://{host}:{port}/_emulator/ui", flush=True)


def run(settings: Settings) -> None:
    if settings.server == "waitress":
        _run_waitress(settings)
    else:
        _run_granian(settings)


def _run_waitress(settings: Settings) -> None:
    from waitress.server import create_server

    from .app import create_pipeline

    app = create_pipeline(settings)
    seed(app, settings, exit_on_error=True)
    server = create_server(app, host=settings.host, port=settings.port, threads=settings.threads, ident="oci-genai-emulator")
    port = server.socket.getsockname()[1] if hasattr(server, "socket") else settings.port
    _announce(settings.host, port, settings)

    def stop(signum, frame):  # SIGTERM (docker stop, kill) ends the process cleanly, exit status 0
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        app.env.store.close()


def _run_granian(settings: Settings) -> None:
    from granian import Granian
    from granian.constants import Interfaces

    port = settings.port or _free_port(settings.host)
    if settings.seed and settings.data_dir:  # once, here, into the store the workers share
        from .app import create_pipeline

        app = create_pipeline(settings)
        seed(app, settings, exit_on_error=True)
        app.env.store.close()
        settings = dataclasses.replace(settings, seed=None)
    for name in [k for k in os.environ if k.startswith("HTTP_")]:
        del os.environ[name]  # granian copies the process environment into each request's environ
    server = Granian(
        "oci-genai-emulator",
        address=settings.host,
        port=port,
        interface=Interfaces.WSGI,
        workers=settings.workers,
        blocking_threads=settings.threads,
        websockets=False,
        log_enabled=False,
        workers_kill_timeout=KILL_TIMEOUT_SECONDS,
    )
    _announce(settings.host, port, settings)
    server.serve(target_loader=functools.partial(_worker_app, settings))


def _worker_app(settings: Settings, target: str | None = None):
    """The app of one granian worker process, with its own store connection (opened after the fork)."""
    from .app import create_pipeline

    app = create_pipeline(settings)
    seed(app, settings, exit_on_error=True)
    return app


def seed(app, settings: Settings, exit_on_error: bool = False) -> None:
    """Load ``settings.seed`` (a state snapshot) into the store of ``app`` (the pipeline, or the Flask
    app around it), replacing its user state; ValueError (or, for the command line, exit with the
    message) when the file is not one."""
    if not settings.seed:
        return
    from .state import seed_file

    try:
        env = getattr(app, "env", None) or app.config["emulator"].env
        seed_file(env, settings.seed)
    except ValueError as exc:
        if exit_on_error:
            print(f"oci-genai-emulator: {settings.origin('seed')}: {exc}", file=sys.stderr, flush=True)
            raise SystemExit(2) from None
        raise


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class BackgroundServer:
    """The emulator on a free port in a thread of this process: for tests and the pytest plugin."""

    def __init__(self, settings: Settings | None = None):
        from waitress.server import create_server

        from .app import create_app

        self.settings = settings or Settings(port=0)
        self.app = create_app(self.settings)
        seed(self.app, self.settings)
        self._server = create_server(
            self.app, host=self.settings.host, port=self.settings.port, threads=self.settings.threads
        )
        self.port = self._server.socket.getsockname()[1]
        self.url = f"http://{self.settings.host}:{self.port}"
        self._stopping = False
        self._thread = threading.Thread(target=self._serve, name="oci-genai-emulator", daemon=True)

    def _serve(self) -> None:
        try:
            self._server.run()
        except OSError:  # the loop polls sockets that stop() just closed
            if not self._stopping:
                raise

    def start(self) -> "BackgroundServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping = True
        for channel in list(self._server._map.values()):  # the listener and any kept-alive connection
            channel.close()
        self._thread.join(timeout=2)
        self.app.config["emulator"].env.store.close()
