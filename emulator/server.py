"""Run the app on a production WSGI server: waitress for one process, gunicorn for several."""

from __future__ import annotations

import dataclasses
import signal
import socket
import sys
import threading

from .settings import Settings


def _announce(host: str, port: int, settings: Settings) -> None:
    where = settings.data_dir or "memory"
    print(
        f"oci-genai-emulator listening on http://{host}:{port} (auth {settings.auth}, state in {where})",
        flush=True,
    )


def run(settings: Settings) -> None:
    if settings.workers > 1:
        _run_gunicorn(settings)
    else:
        _run_waitress(settings)


def _run_waitress(settings: Settings) -> None:
    from waitress.server import create_server

    from .app import create_app

    app = create_app(settings)
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
        app.config["emulator"].env.store.close()


def _run_gunicorn(settings: Settings) -> None:
    from gunicorn.app.base import BaseApplication

    from .app import create_app

    port = settings.port or _free_port(settings.host)
    if settings.seed:  # once, in the master, into the store the workers share (not once per worker)
        app = create_app(settings)
        seed(app, settings, exit_on_error=True)
        app.config["emulator"].env.store.close()
        settings = dataclasses.replace(settings, seed=None)

    class Application(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{settings.host}:{port}")
            self.cfg.set("workers", settings.workers)
            self.cfg.set("threads", settings.threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("accesslog", None)
            if "control_socket_disable" in self.cfg.settings:  # gunicorn >= 24: no shared ~/.gunicorn socket
                self.cfg.set("control_socket_disable", True)

        def load(self):
            return create_app(settings)

    _announce(settings.host, port, settings)
    sys.argv = sys.argv[:1]
    Application().run()


def seed(app, settings: Settings, exit_on_error: bool = False) -> None:
    """Load ``settings.seed`` (a state snapshot) into the app's store, replacing its user state;
    ValueError (or, for the command line, exit with the message) when the file is not one."""
    if not settings.seed:
        return
    from .state import seed_file

    try:
        env = app.config["emulator"].env
        seed_file(env.store, env.kinds, settings.seed)
    except ValueError as exc:
        if exit_on_error:
            raise SystemExit(f"--seed: {exc}") from None
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
