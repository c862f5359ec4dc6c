"""Baseline for bench/run.py: the least a Flask app can do to answer a GET by id from SQLite.

One table, one primary-key SELECT (a connection per thread), the stored JSON parsed and dumped
again (as any app that keeps documents as JSON text does), on the WSGI server of your choice, one
process: bench/run.py measures several and compares the emulator with the fastest.

    python bench/bare_app.py --db items.db --port 8081 [--server granian|waitress] [--threads 4]

``GET /items/<id>`` answers the row's document (404 if absent); ``GET /health`` answers 200.
bench/run.py fills the database with :func:`init_db` before starting it.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import threading

from flask import Flask, Response

SCHEMA = "CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY, etag TEXT NOT NULL, doc TEXT NOT NULL)"


def connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def init_db(path: str, rid: str, doc: dict) -> None:
    conn = connect(path)
    conn.execute(SCHEMA)
    conn.execute("DELETE FROM items")
    conn.execute("INSERT INTO items VALUES (?, ?, ?)", (rid, "0" * 32, json.dumps(doc, separators=(",", ":"))))
    conn.close()


def create_app(path: str) -> Flask:
    app = Flask("bare")
    local = threading.local()

    def db() -> sqlite3.Connection:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = connect(path)
        return conn

    @app.get("/health")
    def health() -> Response:
        return Response('{"status":"ok"}', 200, content_type="application/json")

    @app.get("/items/<rid>")
    def get_item(rid: str) -> Response:
        row = db().execute("SELECT doc, etag FROM items WHERE id=?", (rid,)).fetchone()
        if row is None:
            return Response('{"code":"NotAuthorizedOrNotFound"}', 404, content_type="application/json")
        body = json.dumps(json.loads(row[0]), separators=(",", ":"))
        return Response(body, 200, content_type="application/json", headers={"etag": row[1]})

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--server", choices=("waitress", "granian"), default="waitress")
    args = parser.parse_args(argv)
    print(f"bare app listening on http://{args.host}:{args.port} ({args.server}, {args.threads} threads)", flush=True)
    if args.server == "granian":
        from granian import Granian
        from granian.constants import Interfaces

        server = Granian("bare", address=args.host, port=args.port, interface=Interfaces.WSGI,
                         blocking_threads=args.threads, websockets=False, log_enabled=False, workers_kill_timeout=2)
        server.serve(target_loader=lambda _target: create_app(args.db))
        return 0

    from waitress.server import create_server

    server = create_server(create_app(args.db), host=args.host, port=args.port, threads=args.threads, ident="bare")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
