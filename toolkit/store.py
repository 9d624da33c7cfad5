"""The workspace: a DuckDB database holding the canonical tables.

Every query the toolkit runs goes through a :class:`Store`, so that a second engine can
be added here and nowhere else. Analyses take the store first, run their heavy work as
SQL inside the engine and get pandas DataFrames back for display.

Example:
    >>> from toolkit.store import Store
    >>> with Store(":memory:") as store:
    ...     store.scalar("SELECT count(*) FROM posts")
    0
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any, Iterator

import duckdb
import pandas as pd

from . import __version__
from .errors import WorkspaceError
from .schema import SCHEMA_VERSION, TABLES, create_statements

log = logging.getLogger(__name__)

MEMORY = ":memory:"


class Store:
    """An open workspace.

    Args:
        path: a ``.duckdb`` file (created if missing) or ``":memory:"`` for throwaway work.
        read_only: open an existing file without the right to change it.
        memory_limit: cap on the engine's memory, e.g. ``"4GB"`` (default: DuckDB's, 80% of RAM);
            beyond it, large steps spill to a temporary folder beside the workspace.

    Raises:
        WorkspaceError: the file is not a DuckDB database, is locked by another process,
            holds other tables than a workspace, or was written with another schema version.
    """

    def __init__(self, path: str | Path = MEMORY, *, read_only: bool = False, memory_limit: str | None = None):
        self.path = str(path)
        if read_only and (self.path == MEMORY or not Path(self.path).exists()):
            raise WorkspaceError(f"{self.path}: no such workspace to open read-only; load data first with `cib load FILE... --db {self.path}`")
        try:
            self.con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.Error as exc:
            raise WorkspaceError(
                f"{self.path}: cannot open as a DuckDB workspace ({exc}). "
                "Is it another kind of file, or open in another program? Use a new file name or close the other program."
            ) from None
        self.con.execute("SET TimeZone = 'UTC'")
        if memory_limit:
            try:
                self.con.execute("SET memory_limit = ?", [memory_limit])
            except duckdb.Error as exc:
                self.con.close()
                raise WorkspaceError(f"memory limit {memory_limit!r} not understood ({exc}); give it like '4GB' or '800MB'") from None
        self.con.execute("SET enable_progress_bar = false")  # library code does not print
        try:
            self._check_or_create(read_only)
        except Exception:
            self.con.close()
            raise

    # -- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (the file keeps everything committed)."""
        self.con.close()

    def _check_or_create(self, read_only: bool) -> None:
        tables = {r[0] for r in self.con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary").fetchall()}
        if "_meta" in tables:
            meta = dict(self.con.execute("SELECT key, value FROM _meta").fetchall())
            found = meta.get("schema_version")
            if found != str(SCHEMA_VERSION):
                raise WorkspaceError(
                    f"{self.path}: workspace schema version {found} (written by cib-toolkit {meta.get('toolkit_version', '?')}); "
                    f"this cib-toolkit {__version__} reads schema version {SCHEMA_VERSION}. Load your source files into a new "
                    f"workspace (`cib load FILE... --db new.duckdb`), or open this one with cib-toolkit {meta.get('toolkit_version', '?')}."
                )
            return
        if tables:
            raise WorkspaceError(
                f"{self.path}: this DuckDB file has tables ({', '.join(sorted(tables)[:5])}) but is not a cib workspace "
                "(no _meta table). Choose a new file name for the workspace."
            )
        if read_only:
            raise WorkspaceError(f"{self.path}: empty database, nothing to read; load data first with `cib load`")
        with self.transaction():
            for statement in create_statements():
                self.con.execute(statement)
            self.con.executemany(
                "INSERT INTO _meta VALUES (?, ?)",
                [
                    ("schema_version", str(SCHEMA_VERSION)),
                    ("toolkit_version", __version__),
                    ("created_at", dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")),
                ],
            )

    # -- queries -----------------------------------------------------------------------------
    def execute(self, query: str, params: list | dict | None = None) -> duckdb.DuckDBPyConnection:
        """Run a statement; returns the DuckDB cursor (use :meth:`df` / :meth:`scalar` to read)."""
        return self.con.execute(query, params) if params is not None else self.con.execute(query)

    def df(self, query: str, params: list | dict | None = None) -> pd.DataFrame:
        """Run a query and return its result as a pandas DataFrame."""
        return self.execute(query, params).df()

    def rows(self, query: str, params: list | dict | None = None) -> list[tuple]:
        """Run a query and return all rows as tuples."""
        return self.execute(query, params).fetchall()

    def scalar(self, query: str, params: list | dict | None = None) -> Any:
        """Run a query and return the first column of the first row (None if no row)."""
        rows = self.execute(query, params).fetchall()  # fetch all: an unfinished result blocks register()
        return rows[0][0] if rows else None

    def register(self, name: str, data: Any) -> None:
        """Expose a pandas DataFrame or Arrow table to SQL under ``name`` (no copy)."""
        self.con.register(name, data)

    def unregister(self, name: str) -> None:
        """Remove a name made by :meth:`register`."""
        self.con.unregister(name)

    @contextlib.contextmanager
    def transaction(self) -> Iterator["Store"]:
        """All statements inside either all land or, on any exception, none do."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    # -- derived results ---------------------------------------------------------------------
    def record_run(self, step: str, params: dict) -> None:
        """Record the parameters an analysis step ran with (table ``runs``: one row per step, latest wins)."""
        self.execute("CREATE TABLE IF NOT EXISTS runs (step VARCHAR PRIMARY KEY, params JSON, ran_at TIMESTAMPTZ, toolkit_version VARCHAR)")
        self.execute("INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?)",
                     [step, json.dumps(params, sort_keys=True, default=str), dt.datetime.now(dt.timezone.utc), __version__])

    def run_params(self, step: str) -> dict | None:
        """Parameters of the latest run of an analysis step, or None if it has not run."""
        if not self.scalar("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'runs'"):
            return None
        found = self.scalar("SELECT params FROM runs WHERE step = ?", [step])
        return None if found is None else json.loads(found)

    def has_table(self, name: str) -> bool:
        """True if the workspace has a table or view of that name."""
        return bool(self.scalar("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name])
                    or self.scalar("SELECT count(*) FROM duckdb_views() WHERE view_name = ?", [name]))

    # -- summaries ---------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        """Rows per canonical table."""
        return {table: self.scalar(f"SELECT count(*) FROM {table}") for table in TABLES}

    def meta(self) -> dict[str, str]:
        """The workspace's ``_meta`` table as a dict."""
        return dict(self.rows("SELECT key, value FROM _meta"))
