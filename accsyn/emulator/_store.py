"""The emulator's SQLite store: one entity table, JSON data plus indexed hot columns."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from accsyn._exceptions import QueryProblem, QueryValidationError
from accsyn._json import loads
from accsyn.emulator._sql import (
    compile_where,
    hot_columns,
    hot_values,
    register_functions,
    take_udf_error,
)
from accsyn.query._ast import Expr

__all__ = ["STATES", "Row", "Store", "new_id"]

#: Result pools of protocol.md §5.4.
STATES = ("active", "finished", "inactive", "archived")

_HOT = hot_columns()
# Hot columns worth an index: equality lookups (a wildcard at the start, or a
# substring test, scans anyway). Every index costs bulk-insert time.
_INDEXED = [
    *("h_status", "h_code", "h_user_id", "h_user_hr", "h_source_id", "h_destination_id"),
    *("h_parent_id", "h_job_id", "h_entity_id", "h_target_id", "h_created_ts"),
]
# The hot columns come from the models' attribute kinds; the emulator's own SQL
# (access rules, lookups) relies on these. Fail here, by name, if the models stop
# giving them, rather than with an SQL error on some later request.
_MISSING_HOT = sorted({*_INDEXED, "h_role", "h_name", "h_job_id"} - set(_HOT))
if _MISSING_HOT:
    raise RuntimeError(f"the models no longer define the emulator's hot columns {_MISSING_HOT}")


#: Statements kept by :meth:`Store.select` (their text is a function of the query's shape).
_STATEMENTS = 512
#: Decoded rows kept for shared reads (keyed by their stored JSON text).
_DECODED = 4096
#: Shared selects' rows kept per generation (keyed by statement and parameters).
_SELECTED = 256


#: ``json.dumps(data, separators=(",", ":"))`` without a new encoder per row written.
_COMPACT = json.JSONEncoder(separators=(",", ":"))


def new_id() -> str:
    """A fresh 24-hex entity id (MongoDB ObjectId style)."""
    return os.urandom(12).hex()


@dataclass
class Row:
    """One stored entity."""

    seq: int
    id: str
    et: str
    state: str
    data: dict[str, Any]
    t_next: float | None


class Store:
    """Entities of one workspace in SQLite (a file, or ``:memory:``).

    Thread-safe through one lock: the server and in-process transports call it
    from whatever thread they run on.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(
            str(path) if path is not None else ":memory:",
            check_same_thread=False,
            isolation_level=None,
        )
        register_functions(self.conn)
        # A file may be written by other connections (another process): sync() looks.
        self._shared = path is not None and str(path) != ":memory:"
        if path is not None:
            self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=OFF")
        hot = ", ".join(f"{c} {'INTEGER' if c.endswith('_ts') else 'TEXT'}" for c in _HOT)
        self.conn.executescript(
            f"""
            CREATE TABLE IF NOT EXISTS entity (
                seq INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                et TEXT NOT NULL,
                state TEXT NOT NULL,
                data TEXT NOT NULL,
                t_next REAL,
                {hot}
            );
            CREATE INDEX IF NOT EXISTS ix_et_state ON entity(et, state);
            CREATE INDEX IF NOT EXISTS ix_t_next ON entity(t_next) WHERE t_next IS NOT NULL;
            CREATE TABLE IF NOT EXISTS irregular (et TEXT, attr TEXT, PRIMARY KEY (et, attr));
            CREATE TABLE IF NOT EXISTS account (email TEXT PRIMARY KEY, api_key TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS setting (
                scope TEXT, scope_id TEXT, name TEXT, value TEXT,
                PRIMARY KEY (scope, scope_id, name)
            );
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
            """
        )
        self._init_caches()
        self.irregular: dict[str, set[str]] = {}
        self._read_irregular()
        self._add_new_hot_columns()
        self._create_indexes()

    def _read_irregular(self) -> None:
        self.irregular = {}
        for et, attr in self.conn.execute("SELECT et, attr FROM irregular"):
            self.irregular.setdefault(et, set()).add(attr)

    def _add_new_hot_columns(self) -> None:
        """Bring a database made with fewer hot columns (older models) up to date."""
        have = {str(r[1]) for r in self.conn.execute("PRAGMA table_info(entity)")}
        missing = [c for c in _HOT if c not in have]
        if not missing:
            return
        for c in missing:
            kind = "INTEGER" if c.endswith("_ts") else "TEXT"
            self.conn.execute(f"ALTER TABLE entity ADD COLUMN {c} {kind}")
        sets = ", ".join(f"{c}=?" for c in _HOT)
        rows = list(self.conn.execute("SELECT id, et, data FROM entity"))
        self.conn.execute("BEGIN")
        try:
            for id_, et, data in rows:
                hot, irregular = hot_values(json.loads(data))
                if irregular:
                    self._note_irregular(et, irregular)
                self.conn.execute(f"UPDATE entity SET {sets} WHERE id=?", [*hot, id_])
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    @classmethod
    def copy_of(cls, template: Store) -> Store:
        """A new in-memory store holding a copy of ``template``.

        SQLite's backup API copies database pages, not rows: a seeded workspace
        is copied in about a millisecond instead of being seeded again.
        """
        store = cls.__new__(cls)
        store.lock = threading.RLock()
        store.conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        register_functions(store.conn)
        # The backup brings the tables and indexes: no schema to create.
        with template.lock:
            template.conn.backup(store.conn)
        store.conn.execute("PRAGMA synchronous=OFF")
        store.irregular = {et: set(attrs) for et, attrs in template.irregular.items()}
        store._shared = False  # in memory: no other connection can write it
        store._init_caches()
        return store

    def _init_caches(self) -> None:
        self._version: int | None = None
        self._outside = 0
        self._statements: dict[tuple[Any, ...], str] = {}
        self._decoded: dict[str, dict[str, Any]] = {}
        self._selected: dict[tuple[Any, ...], list[Row]] = {}
        self._selected_at = -1

    @property
    def generation(self) -> int:
        """A number that changes whenever any row of the database changes.

        SQLite's count of rows inserted, updated or deleted on this connection: it
        also sees writes made through :attr:`conn` directly. Caches of values
        derived from the data stay valid while it is unchanged.
        """
        return self.conn.total_changes + self._outside

    def sync(self) -> None:
        """Take in what other connections committed to the database file since last time.

        Called before every request. SQLite's ``data_version`` changes when another
        connection (another process serving or opening the same file) commits: then
        :attr:`generation` changes too, so every cache derived from the data starts
        over, and the attributes stored irregularly are read again. An in-memory
        database has no other connection: nothing to do.
        """
        if not self._shared:
            return
        with self.lock:
            version = self.conn.execute("PRAGMA data_version").fetchone()[0]
            if version == self._version:
                return
            if self._version is not None:
                self._outside += 1 << 40  # far above any count of this connection's writes
                self._read_irregular()
            self._version = version

    def close(self) -> None:
        """Close the database."""
        with self.lock:
            self.conn.close()

    # --- meta ----------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        """A stored workspace-level value (seed, workspace id, …)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        """Store a workspace-level value."""
        with self.lock:
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # --- writes --------------------------------------------------------------------------

    def _note_irregular(self, et: str, attrs: Iterable[str]) -> None:
        known = self.irregular.setdefault(et, set())
        for a in attrs:
            if a not in known:
                known.add(a)
                self.conn.execute("INSERT OR IGNORE INTO irregular VALUES (?, ?)", (et, a))

    def _params(
        self, id_: str, et: str, state: str, data: Mapping[str, Any], t_next: float | None
    ) -> list[Any]:
        hot, irregular = hot_values(data)
        if irregular:
            self._note_irregular(et, irregular)
        return [id_, et, state, _COMPACT.encode(data), t_next, *hot]

    def insert(
        self,
        et: str,
        data: dict[str, Any],
        state: str = "active",
        t_next: float | None = None,
    ) -> Row:
        """Store a new entity; ``data["id"]`` is assigned when missing."""
        self.insert_many(et, [data], state=state, t_next=t_next)
        row = self.get(data["id"])
        assert row is not None
        return row

    def insert_many(
        self,
        et: str,
        rows: Sequence[dict[str, Any]],
        state: str = "active",
        t_next: float | None = None,
    ) -> None:
        """Bulk insert (one transaction)."""
        cols = ["id", "et", "state", "data", "t_next", *_HOT]
        sql = f"INSERT INTO entity ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        with self.lock:
            self.conn.execute("BEGIN")
            try:
                params = []
                for data in rows:
                    data.setdefault("id", new_id())
                    params.append(self._params(data["id"], et, state, data, t_next))
                self.conn.executemany(sql, params)
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise

    def insert_rows(self, rows: Iterable[tuple[str, dict[str, Any], str]]) -> int:
        """Bulk insert ``(et, data, state)`` tuples of mixed types; returns the count.

        Large loads drop the hot-column indexes and rebuild them afterwards (one
        sort per index beats 100,000 random B-tree inserts), then refresh the
        planner's statistics.
        """
        cols = ["id", "et", "state", "data", "t_next", *_HOT]
        sql = f"INSERT INTO entity ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        params = []
        for et, data, state in rows:
            data.setdefault("id", new_id())
            params.append(self._params(data["id"], et, state, data, None))
        bulk = len(params) > 5000
        with self.lock:
            if bulk:
                for col in _INDEXED:
                    self.conn.execute(f"DROP INDEX IF EXISTS ix_{col}")
            self.conn.execute("BEGIN")
            try:
                self.conn.executemany(sql, params)
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            finally:
                if bulk:
                    self._create_indexes()
            if bulk:
                self.conn.execute("ANALYZE")
        return len(params)

    def _create_indexes(self) -> None:
        for col in _INDEXED:
            self.conn.execute(f"CREATE INDEX IF NOT EXISTS ix_{col} ON entity(et, state, {col})")

    def update(
        self,
        row: Row,
        *,
        state: str | None = None,
        t_next: float | bool | None = False,
    ) -> None:
        """Write back ``row.data`` (and optionally a new state / next tick)."""
        if state is not None:
            row.state = state
        if t_next is not False:
            row.t_next = None if t_next is None or t_next is True else float(t_next)
        params = self._params(row.id, row.et, row.state, row.data, row.t_next)
        sets = ", ".join(f"{c}=?" for c in ["et", "state", "data", "t_next", *_HOT])
        with self.lock:
            self.conn.execute(f"UPDATE entity SET {sets} WHERE id=?", [*params[1:], row.id])

    def delete(self, id_: str) -> None:
        """Remove an entity for good."""
        with self.lock:
            self.conn.execute("DELETE FROM entity WHERE id=?", (id_,))

    # --- reads ---------------------------------------------------------------------------

    @staticmethod
    def _row(r: Sequence[Any]) -> Row:
        return Row(r[0], r[1], r[2], r[3], loads(r[4]), r[5])

    def get(self, id_: str) -> Row | None:
        """The entity with this id, in any state."""
        r = self.conn.execute(
            "SELECT seq, id, et, state, data, t_next FROM entity WHERE id=?", (id_,)
        ).fetchone()
        return None if r is None else self._row(r)

    def select(
        self,
        ets: Sequence[str],
        *,
        where: Expr | None = None,
        entitytype: str | None = None,
        states: Sequence[str] | None = ("active",),
        extra: tuple[str, Sequence[Any]] | None = None,
        limit: int | None = None,
        skip: int = 0,
        shared: bool = False,
    ) -> list[Row]:
        """Entities of the given types matching ``where`` (compiled to SQL).

        ``shared``: the rows are only read, never changed (a find's answer), so
        they may be shared: the same select answers the same row objects until any
        row of the database changes (:attr:`generation`), and a row's ``data`` is
        one decoded dict per stored JSON text.
        """
        wsql: str | None = None
        wparams: list[Any] = []
        if where is not None:
            irregular: set[str] = set()
            for et in ets:
                irregular |= self.irregular.get(et, set())
            wsql, wparams = compile_where(where, entitytype or (ets[0] if ets else None), irregular)
        paged = limit is not None or bool(skip)
        key = (len(ets), None if states is None else len(states), wsql, extra and extra[0], paged)
        sql = self._statements.get(key)
        if sql is None:
            sql = _select_sql(len(ets), states, wsql, extra, paged)
            if len(self._statements) >= _STATEMENTS:
                self._statements.clear()
            self._statements[key] = sql
        params: list[Any] = []
        if extra is not None:
            params += extra[1]
        params += ets
        if states is not None:
            params += states
        if wsql is not None:
            if extra is not None:
                params += extra[1]
            params += wparams
        if paged:
            params += [limit if limit is not None else -1, skip]
        with self.lock:
            try:
                if not shared:
                    return [self._row(r) for r in self.conn.execute(sql, params)]
                # A read-only select is a pure function of the statement, its
                # parameters and the data: its rows stand until any row changes.
                generation = self.generation
                if generation != self._selected_at:
                    self._selected.clear()
                    self._selected_at = generation
                key2 = (sql, *params)
                rows = self._selected.get(key2)
                if rows is None:
                    rows = self._shared_rows(self.conn.execute(sql, params))
                    if len(self._selected) >= _SELECTED:
                        self._selected.clear()
                    self._selected[key2] = rows
                return list(rows)
            except sqlite3.OperationalError as exc:
                raise _query_failure(exc) from None

    def _shared_rows(self, cursor: Iterable[Sequence[Any]]) -> list[Row]:
        # Keyed by the stored JSON text itself: a changed row has other text, so a
        # stale decoding can never be served (no invalidation to forget).
        decoded = self._decoded
        rows = []
        for r in cursor:
            text = r[4]
            data = decoded.get(text)
            if data is None:
                data = loads(text)
                if len(decoded) >= _DECODED:
                    decoded.clear()
                decoded[text] = data
            rows.append(Row(r[0], r[1], r[2], r[3], data, r[5]))
        return rows

    def iter_all(self, et: str) -> Iterator[Row]:
        """Every entity of one type, in any state (for Python-side scans)."""
        for r in self.conn.execute(
            "SELECT seq, id, et, state, data, t_next FROM entity WHERE et=? ORDER BY seq", (et,)
        ):
            yield self._row(r)

    def due(self, now: float) -> list[Row]:
        """Entities whose lifecycle has a transition at or before ``now``."""
        with self.lock:
            return [
                self._row(r)
                for r in self.conn.execute(
                    "SELECT seq, id, et, state, data, t_next FROM entity "
                    "WHERE t_next IS NOT NULL AND t_next <= ? ORDER BY t_next",
                    (now,),
                )
            ]

    def next_due(self) -> float | None:
        """The earliest pending lifecycle transition time, if any."""
        with self.lock:
            r = self.conn.execute(
                "SELECT MIN(t_next) FROM entity WHERE t_next IS NOT NULL"
            ).fetchone()
        return None if r is None or r[0] is None else float(r[0])

    # --- accounts and settings -----------------------------------------------------------

    def set_account(self, email: str, api_key: str) -> None:
        """Store the API key of an account (keys outlive the user entity)."""
        with self.lock:
            self.conn.execute(
                "INSERT OR REPLACE INTO account VALUES (?, ?)", (email.casefold(), api_key)
            )

    def api_key(self, email: str) -> str | None:
        """The API key of an account, if any."""
        r = self.conn.execute(
            "SELECT api_key FROM account WHERE email=?", (email.casefold(),)
        ).fetchone()
        return None if r is None else str(r[0])

    def settings(self, scope: str, scope_id: str) -> dict[str, str]:
        """Every setting of one scope."""
        return {
            str(n): str(v)
            for n, v in self.conn.execute(
                "SELECT name, value FROM setting WHERE scope=? AND scope_id=?", (scope, scope_id)
            )
        }

    def set_setting(self, scope: str, scope_id: str, name: str, value: str | None) -> None:
        """Set (or with None, delete) a setting."""
        with self.lock:
            if value is None:
                self.conn.execute(
                    "DELETE FROM setting WHERE scope=? AND scope_id=? AND name=?",
                    (scope, scope_id, name),
                )
            else:
                self.conn.execute(
                    "INSERT OR REPLACE INTO setting VALUES (?, ?, ?, ?)",
                    (scope, scope_id, name, value),
                )


def _select_sql(
    n_ets: int,
    states: Sequence[str] | None,
    where: str | None,
    extra: tuple[str, Sequence[Any]] | None,
    paged: bool,
) -> str:
    """The statement :meth:`Store.select` runs; its parameters come in this order:
    extra's, the types, the states, (extra's again and) the where clause's, paging."""
    clauses = [f"et IN ({', '.join('?' * n_ets)})"]
    if states is not None:
        clauses.append(f"state IN ({', '.join('?' * len(states))})")
    if extra is not None:
        clauses.insert(0, extra[0])
    if where is not None:
        if extra is not None:
            # The caller's predicate (a regex, maybe) only ever sees rows the read
            # filter let through: CASE evaluates in order, so no timing or error
            # tells anything about a row the caller cannot read.
            where = f"CASE WHEN {extra[0]} THEN {where} ELSE 0 END"
        clauses.append(where)
    sql = (
        "SELECT seq, id, et, state, data, t_next FROM entity WHERE "
        + " AND ".join(clauses)
        + " ORDER BY seq"
    )
    return sql + " LIMIT ? OFFSET ?" if paged else sql


def _query_failure(exc: sqlite3.OperationalError) -> BaseException:
    """The caller-facing error for a query SQLite could not run."""
    udf = take_udf_error()
    if udf is not None:
        return udf
    text = str(exc)
    if "too large" in text or "too many" in text:
        # SQLite's expression-depth / variable limits: the query is too big, not wrong.
        return QueryValidationError(
            [QueryProblem(f"query too large for the server ({text}); split it into smaller ones")]
        )
    return exc
