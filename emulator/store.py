"""SQLite persistence behind a small API; SQL never leaves this module.

In memory by default; ``--data-dir`` makes it durable: WAL journal with ``synchronous=NORMAL``,
so every acknowledged write is committed before the response and survives ``kill -9`` of the
process (not a power cut). Several worker processes share one file; writes run in
``BEGIN IMMEDIATE`` transactions and updates are compare-and-set on the etag, so concurrent
writers never lose an update. Every read and write is scoped to a tenancy. The store answers
with results (a record or ``None``, ``True`` or ``False``); what that means on the wire is the
caller's business.

Two reads every request makes are cached: settings kept in ``meta`` (the clock offset, policies)
and the earliest due transition. The cache is dropped when this process writes them, when a
transaction rolls back, and when another process has committed (SQLite's ``data_version``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sqlite3
import threading
from pathlib import Path
from typing import Any, Iterator

GLOBAL_TENANCY = "*"
DB_FILE = "emulator.db"
SORT_COLUMNS = {
    "timeCreated": "time_created",
    "timeAccepted": "time_created",
    "displayName": "display_name",
    "name": "display_name",  # vector store connectors sort their display names as ``name``
    "lifecycleState": "state",
    "status": "state",
}
COLUMN_FILTERS = {"id": "id", "displayName": "display_name", "lifecycleState": "state", "status": "state"}

SCHEMA = """
CREATE TABLE IF NOT EXISTS resources (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    tenancy TEXT NOT NULL,
    compartment TEXT,
    time_created TEXT NOT NULL DEFAULT '',
    display_name TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT '',
    etag TEXT NOT NULL,
    doc TEXT NOT NULL,
    summary TEXT,
    pending TEXT,
    due REAL
);
CREATE INDEX IF NOT EXISTS by_time ON resources (kind, tenancy, compartment, time_created, id);
CREATE INDEX IF NOT EXISTS by_name ON resources (kind, tenancy, compartment, display_name, id);
CREATE INDEX IF NOT EXISTS by_state ON resources (kind, tenancy, compartment, state, id);
CREATE INDEX IF NOT EXISTS by_due ON resources (due) WHERE due IS NOT NULL;
CREATE TABLE IF NOT EXISTS retry_tokens (
    tenancy TEXT NOT NULL,
    token TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    response TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (tenancy, token)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclasses.dataclass
class Record:
    """One stored resource: its wire document plus what the emulator tracks beside it."""

    kind: str
    id: str
    tenancy: str
    doc: dict
    etag: str
    pending: dict | None = None
    due: float | None = None

    @property
    def compartment(self) -> str | None:
        """Its compartment; a child without one of its own (a warm pool) keeps its parent's as ``_compartmentId``."""
        return self.doc.get("compartmentId", self.doc.get("_compartmentId"))


@dataclasses.dataclass(frozen=True)
class PageQuery:
    kind: str
    tenancy: str
    compartment: str | None
    filters: dict[str, Any]
    sort_by: str
    descending: bool
    limit: int
    after: tuple[str, str] | None = None
    include_global: bool = False


def _columns(rec: Record, summary_fields: tuple[str, ...] | None) -> tuple:
    doc = rec.doc
    summary = None
    if summary_fields is not None:
        summary = json.dumps({k: doc[k] for k in summary_fields if k in doc}, separators=(",", ":"))
    return (
        rec.kind,
        rec.tenancy,
        doc.get("compartmentId"),
        doc.get("timeCreated") or doc.get("timeAccepted") or "",
        doc.get("displayName") or "",
        doc.get("lifecycleState") or doc.get("status") or "",
        rec.etag,
        json.dumps(doc, separators=(",", ":")),
        summary,
        json.dumps(rec.pending) if rec.pending is not None else None,
        rec.due,
        rec.id,
    )


def _record(row) -> Record:
    kind, rid, tenancy, etag, doc, pending, due = row
    return Record(kind, rid, tenancy, json.loads(doc), etag, json.loads(pending) if pending else None, due)


RECORD_COLUMNS = "kind, id, tenancy, etag, doc, pending, due"
UNKNOWN = object()  # the earliest due time is not cached


class Store:
    """``summaries`` names, per kind, the fields of its list items: each write also stores that
    summary as JSON text, so a page of a list is served without parsing a document."""

    def __init__(self, data_dir: str | None = None, summaries: dict[str, tuple[str, ...]] | None = None):
        self.durable = data_dir is not None
        self.summaries = summaries or {}
        if data_dir:
            Path(data_dir).mkdir(parents=True, exist_ok=True)
            target = str(Path(data_dir) / DB_FILE)
        else:
            target = ":memory:"
        self._lock = threading.RLock()
        self._depth = 0
        self._conn = sqlite3.connect(target, isolation_level=None, check_same_thread=False, timeout=30)
        if self.durable:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA busy_timeout=30000")
        self._conn.executescript(SCHEMA)
        self._meta_cache: dict[str, str | None] = {}
        self._next_due: Any = UNKNOWN
        self._data_version: int | None = None

    def _sync(self) -> None:
        """Forget cached reads if another process has committed since (durable stores only; an
        in-memory store has no other connection)."""
        if self.durable:
            version = self._conn.execute("PRAGMA data_version").fetchone()[0]
            if version != self._data_version:
                self._data_version = version
                self._forget()

    def _forget(self) -> None:
        self._meta_cache.clear()
        self._next_due = UNKNOWN

    def _due_at(self, due: float | None) -> None:
        """A record written with ``due``: the earliest due time may be sooner."""
        if due is not None and self._next_due is not UNKNOWN and (self._next_due is None or due < self._next_due):
            self._next_due = due

    @contextlib.contextmanager
    def transaction(self) -> Iterator["Store"]:
        """One atomic unit of work; nested calls join the outer one."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self
            except BaseException:
                self._conn.execute("ROLLBACK")
                self._forget()
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._depth = 0

    def _query(self, sql: str, args: tuple = ()) -> list:
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    # resources ---------------------------------------------------------------------------
    def get(self, kind: str, rid: str, tenancy: str) -> Record | None:
        rows = self._query(
            f"SELECT {RECORD_COLUMNS} FROM resources WHERE id=? AND kind=? AND tenancy IN (?, ?)",
            (rid, kind, tenancy, GLOBAL_TENANCY),
        )
        return _record(rows[0]) if rows else None

    def insert(self, rec: Record) -> None:
        with self.transaction():
            self._due_at(rec.due)
            self._conn.execute(
                "INSERT INTO resources (kind, tenancy, compartment, time_created, display_name, state,"
                " etag, doc, summary, pending, due, id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                _columns(rec, self.summaries.get(rec.kind)),
            )

    def replace(self, rec: Record, if_match: str | None = None) -> bool:
        """Write ``rec`` back if its stored etag is ``if_match`` (compare-and-set); False if it is not."""
        with self.transaction():
            self._due_at(rec.due)
            expected = if_match if if_match is not None else rec.etag
            cur = self._conn.execute(
                "UPDATE resources SET kind=?, tenancy=?, compartment=?, time_created=?, display_name=?,"
                " state=?, etag=?, doc=?, summary=?, pending=?, due=? WHERE id=? AND etag=?",
                (*_columns(rec, self.summaries.get(rec.kind)), expected),
            )
            return cur.rowcount == 1

    def remove(self, kind: str, rid: str, tenancy: str) -> bool:
        """Forget a record for good (objects that are deleted, not kept as DELETED); False if absent."""
        with self.transaction():
            return self._conn.execute(
                "DELETE FROM resources WHERE id=? AND kind=? AND tenancy=?", (rid, kind, tenancy)
            ).rowcount == 1

    def remove_matching(self, tenancy: str, field: str, value: Any) -> int:
        """Forget every record of the tenancy whose document's ``field`` is ``value``; how many."""
        with self.transaction():
            return self._conn.execute(
                f"DELETE FROM resources WHERE tenancy=? AND json_extract(doc, '$.{field}') = ?", (tenancy, value)
            ).rowcount

    def locate(self, kind: str, rid: str) -> Record | None:
        """A record of any tenancy: only for working out who a caller is (``get`` serves handlers)."""
        rows = self._query(f"SELECT {RECORD_COLUMNS} FROM resources WHERE id=? AND kind=?", (rid, kind))
        return _record(rows[0]) if rows else None

    def locate_by_key(self, kind: str, field: str, key: str) -> Record | None:
        """The record of any tenancy whose object field ``field`` has the key ``key`` (an API key by
        a secret's digest): only for working out who a caller is."""
        columns = ", ".join(f"resources.{c.strip()}" for c in RECORD_COLUMNS.split(","))
        rows = self._query(
            f"SELECT {columns} FROM resources, json_each(resources.doc, '$.{field}') AS entry"
            " WHERE resources.kind=? AND entry.key=? LIMIT 1",
            (kind, key),
        )
        return _record(rows[0]) if rows else None

    def find(self, kind: str, tenancy: str, **fields: Any) -> list[Record]:
        """Every record of ``kind`` in the tenancy whose document fields equal ``fields``."""
        where = " AND ".join(f"json_extract(doc, '$.{k}') = ?" for k in fields)
        sql = f"SELECT {RECORD_COLUMNS} FROM resources WHERE kind=? AND tenancy=?"
        return [_record(r) for r in self._query(sql + (f" AND {where}" if where else ""), (kind, tenancy, *fields.values()))]

    def page(self, q: PageQuery) -> tuple[list[Record], tuple[str, str] | None]:
        """One page of a list in keyset order; the second value is the cursor of the next page."""
        where, args, column, order = _page_where(q)
        sql = (
            f"SELECT {RECORD_COLUMNS}, {column}, id FROM resources WHERE {where}"
            f" ORDER BY {column} {order}, id {order} LIMIT ?"
        )
        rows = self._query(sql, (*args, q.limit + 1))
        more = len(rows) > q.limit
        rows = rows[: q.limit]
        cursor = (rows[-1][-2], rows[-1][-1]) if more else None
        return [_record(r[:-2]) for r in rows], cursor

    def page_json(self, q: PageQuery) -> tuple[str, tuple[str, str] | None]:
        """One page as a JSON array of the stored summaries (see ``summaries``), joined by SQLite:
        a page of 100 costs two statements and no Python object per item."""
        where, args, column, order = _page_where(q)
        items = (
            f"SELECT group_concat(item, ',') FROM (SELECT COALESCE(summary, doc) AS item FROM resources"
            f" WHERE {where} ORDER BY {column} {order}, id {order} LIMIT ?)"  # joined in this order
        )
        edge = f"SELECT {column}, id FROM resources WHERE {where} ORDER BY {column} {order}, id {order} LIMIT 2 OFFSET ?"
        with self._lock, self._snapshot():
            joined = self._conn.execute(items, (*args, q.limit)).fetchone()[0]
            last = self._conn.execute(edge, (*args, q.limit - 1)).fetchall()  # the page's last item, and one more?
        return "[" + (joined or "") + "]", (last[0] if len(last) == 2 else None)

    @contextlib.contextmanager
    def _snapshot(self) -> Iterator[None]:
        """Several reads that see one state: other processes may commit between statements."""
        if not self.durable or self._depth:
            yield
            return
        self._conn.execute("BEGIN")
        try:
            yield
        finally:
            self._conn.execute("COMMIT")

    def due(self, now: float) -> list[Record]:
        """Records whose transition is due at ``now``."""
        with self._lock:
            self._sync()
            if self._next_due is UNKNOWN:
                self._next_due = self._conn.execute("SELECT MIN(due) FROM resources").fetchone()[0]
            if self._next_due is None or self._next_due > now:
                return []
            self._next_due = UNKNOWN  # what is due next is known after these land
            rows = self._conn.execute(f"SELECT {RECORD_COLUMNS} FROM resources WHERE due <= ? ORDER BY due", (now,)).fetchall()
        return [_record(r) for r in rows]

    def pending(self, kind: str | None = None, rid: str | None = None) -> list[Record]:
        sql = f"SELECT {RECORD_COLUMNS} FROM resources WHERE pending IS NOT NULL"
        args: list = []
        if kind:
            sql += " AND kind = ?"
            args.append(kind)
        if rid:
            sql += " AND id = ?"
            args.append(rid)
        return [_record(r) for r in self._query(sql, tuple(args))]

    def waiting(self, kind: str, rid: str | None = None) -> list[Record]:
        """Records of ``kind`` (of any tenancy) that keep a ``_due`` time in their document."""
        sql = f"SELECT {RECORD_COLUMNS} FROM resources WHERE kind = ? AND json_type(doc, '$._due') IS NOT NULL"
        args: tuple = (kind,)
        if rid:
            sql, args = sql + " AND id = ?", (kind, rid)
        return [_record(r) for r in self._query(sql, args)]

    # retry tokens ----------------------------------------------------------------------
    def retry_token(self, tenancy: str, token: str, oldest: float) -> tuple[str, dict] | None:
        rows = self._query(
            "SELECT fingerprint, response FROM retry_tokens WHERE tenancy=? AND token=? AND created >= ?",
            (tenancy, token, oldest),
        )
        return (rows[0][0], json.loads(rows[0][1])) if rows else None

    def save_retry_token(self, tenancy: str, token: str, fingerprint: str, response: dict, now: float) -> None:
        with self.transaction():
            self._conn.execute(
                "INSERT OR REPLACE INTO retry_tokens VALUES (?,?,?,?,?)",
                (tenancy, token, fingerprint, json.dumps(response), now),
            )

    # settings shared by every worker ------------------------------------------------------
    def meta(self, key: str, default: Any = None) -> Any:
        with self._lock:
            self._sync()
            if key not in self._meta_cache:
                row = self._conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
                self._meta_cache[key] = row[0] if row else None
            text = self._meta_cache[key]
        return json.loads(text) if text is not None else default

    def set_meta(self, key: str, value: Any) -> None:
        with self.transaction():
            text = json.dumps(value)
            self._conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, text))
            self._meta_cache[key] = text

    def reset(self) -> None:
        """Forget everything users made; the global base-model catalog stays."""
        with self.transaction():
            self._conn.execute("DELETE FROM resources WHERE tenancy != ?", (GLOBAL_TENANCY,))
            self._conn.execute("DELETE FROM retry_tokens")
            self._conn.execute("DELETE FROM meta")
            self._forget()

    # snapshots (state export / import) ----------------------------------------------------
    def user_records(self) -> list[Record]:
        """Every record users made, in every tenancy (work requests included); never the catalog."""
        rows = self._query(
            f"SELECT {RECORD_COLUMNS} FROM resources WHERE tenancy != ? ORDER BY kind, time_created, id",
            (GLOBAL_TENANCY,),
        )
        return [_record(r) for r in rows]

    def replace_user_state(self, records: list[Record], meta: dict[str, Any]) -> str | None:
        """Replace every tenancy's records with ``records`` and set ``meta`` (``None`` deletes a key),
        all or nothing; retry tokens are forgotten, the catalog stays. Returns ``None``, or the id
        of a record that could not be stored (it is in the global tenancy, or its id is taken),
        and then nothing changed."""
        try:
            with self.transaction():
                self._conn.execute("DELETE FROM resources WHERE tenancy != ?", (GLOBAL_TENANCY,))
                self._conn.execute("DELETE FROM retry_tokens")
                self._forget()
                for key, value in meta.items():
                    if value is None:
                        self._conn.execute("DELETE FROM meta WHERE key=?", (key,))
                    else:
                        self.set_meta(key, value)
                for rec in records:
                    if rec.tenancy == GLOBAL_TENANCY:
                        raise _Refused(rec.id)
                    try:
                        self.insert(rec)
                    except sqlite3.IntegrityError:
                        raise _Refused(rec.id) from None
        except _Refused as refused:
            return refused.rid
        return None

    def count(self, kind: str | None = None) -> int:
        if kind:
            return self._query("SELECT COUNT(*) FROM resources WHERE kind=?", (kind,))[0][0]
        return self._query("SELECT COUNT(*) FROM resources")[0][0]

    def close(self) -> None:
        self._conn.close()


class _Refused(Exception):
    """Rolls back a state replacement that met a record it cannot store."""

    def __init__(self, rid: str):
        self.rid = rid


def _page_where(q: PageQuery) -> tuple[str, list, str, str]:
    """The WHERE clause and arguments of a page, its sort column and order."""
    column = SORT_COLUMNS[q.sort_by]
    where = ["kind = ?"]
    args: list[Any] = [q.kind]
    if q.include_global:
        where.append("((tenancy = ? AND compartment IS ?) OR tenancy = ?)")
        args += [q.tenancy, q.compartment, GLOBAL_TENANCY]
    else:
        where.append("tenancy = ? AND compartment IS ?")
        args += [q.tenancy, q.compartment]
    for name, value in q.filters.items():
        clause, values = _filter(name, value)
        where.append(clause)
        args += values
    if q.after is not None:
        # a row value comparison lets SQLite seek straight to the page in the index
        where.append(f"({column}, id) {'<' if q.descending else '>'} (?, ?)")
        args += [q.after[0], q.after[1]]
    return " AND ".join(where), args, column, "DESC" if q.descending else "ASC"


def _filter(name: str, value: Any) -> tuple[str, list]:
    """SQL for one list filter: a column, a document field, an array that contains any value, or a nested key."""
    if name in COLUMN_FILTERS:
        if isinstance(value, list):  # a repeated filter (``lifecycleState=ACTIVE&lifecycleState=FAILED``)
            return f"{COLUMN_FILTERS[name]} IN ({','.join('?' * len(value))})", list(value)
        return f"{COLUMN_FILTERS[name]} = ?", [value]
    if "." in name:
        # a key of an object (``dataSource.queryingConnectionId``) or of any object of an array
        parent, key = name.split(".", 1)
        return (
            f"(json_extract(doc, '$.{parent}.{key}') = ? OR EXISTS (SELECT 1 FROM json_each(doc, '$.{parent}') "
            f"WHERE CASE WHEN type = 'object' THEN json_extract(value, '$.{key}') END = ?))",
            [value, value],
        )
    if isinstance(value, list):
        marks = ",".join("?" * len(value))
        return f"EXISTS (SELECT 1 FROM json_each(doc, '$.{name}') WHERE value IN ({marks}))", list(value)
    return f"json_extract(doc, '$.{name}') = ?", [value]
