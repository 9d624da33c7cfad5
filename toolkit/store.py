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
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import duckdb
import pandas as pd
import pyarrow as pa

from . import __version__
from .errors import WorkspaceError
from .schema import SCHEMA_VERSION, TABLES, create_statements

log = logging.getLogger(__name__)

MEMORY = ":memory:"


class StoreQueries:
    """What every engine's store shares, written once on top of its ``execute`` and ``has_table``."""

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

    def release_cache(self) -> None:
        """Let go of cached table data before memory-hungry work outside the engine (nothing to do
        for an engine that keeps no cache in this process)."""

    # -- derived results ---------------------------------------------------------------------
    def record_run(self, step: str, params: dict) -> None:
        """Record the parameters an analysis step ran with (table ``runs``: one row per step, latest wins)."""
        self.execute("CREATE TABLE IF NOT EXISTS runs (step VARCHAR PRIMARY KEY, params JSON, ran_at TIMESTAMPTZ, toolkit_version VARCHAR)")
        self.execute("INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?)",
                     [step, json.dumps(params, sort_keys=True, default=str), dt.datetime.now(dt.timezone.utc), __version__])

    def run_params(self, step: str) -> dict | None:
        """Parameters of the latest run of an analysis step, or None if it has not run."""
        if not self.has_table("runs"):
            return None
        found = self.scalar("SELECT params FROM runs WHERE step = ?", [step])
        return None if found is None else json.loads(found)

    # -- summaries ---------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        """Rows per canonical table."""
        return {table: self.scalar(f"SELECT count(*) FROM {table}") for table in TABLES}

    def meta(self) -> dict[str, str]:
        """The workspace's ``_meta`` table as a dict."""
        return dict(self.rows("SELECT key, value FROM _meta"))


def open_store(path: str | Path = MEMORY, *, engine: str = "duckdb", spark_master: str | None = None,
               read_only: bool = False, memory_limit: str | None = None):
    """Open a workspace on the chosen engine: the one place where the engine is chosen.

    Args:
        path: DuckDB: a ``.duckdb`` file or ``":memory:"``. Spark: a folder or URL (``s3a://``,
            ``gs://``, ``hdfs://``) of Parquet tables as :meth:`Store.export_parquet` writes them.
        engine: ``"duckdb"`` (default, embedded) or ``"spark"`` (needs ``pip install 'cib-toolkit[spark]'`` and Java 17).
        spark_master: Spark master URL (``local[2]``, ``spark://host:7077``, ``yarn``); None: the one
            spark-submit or the platform set, else ``local[*]``.
        read_only, memory_limit: DuckDB only (see :class:`Store`).

    Returns:
        A :class:`Store` or a :class:`toolkit.spark.store.SparkStore`; both take the same queries.

    Raises:
        ParameterError: an unknown engine, or an option the engine does not take.
    """
    from .errors import ParameterError

    if engine == "duckdb":
        if spark_master:
            raise ParameterError(f"spark_master {spark_master!r} given with engine 'duckdb'; choose engine='spark'")
        return Store(path, read_only=read_only, memory_limit=memory_limit)
    if engine == "spark":
        if memory_limit:
            raise ParameterError(f"memory_limit {memory_limit!r} is a DuckDB setting; on Spark set "
                                 "spark.driver.memory / spark.executor.memory instead")
        from .spark.store import SparkStore

        return SparkStore(str(path), master=spark_master)
    raise ParameterError(f"engine {engine!r} not known; choose one of {', '.join(ENGINES)}")


#: Query engines a workspace can run on.
ENGINES = ("duckdb", "spark")


def query_head(query: str, chars: int = 160) -> str:
    """A statement on one line, cut to ``chars`` characters (for messages and logs)."""
    text = " ".join(query.split())
    return text if len(text) <= chars else text[:chars] + " ..."


def parquet_name(table: str) -> str:
    """File name (without ``.parquet``) of a workspace table in a Parquet folder: ``_meta`` is ``meta``."""
    return table.lstrip("_")


def _sql_string(text: str) -> str:
    return text.replace("'", "''")


class Store(StoreQueries):
    """An open workspace on DuckDB (the embedded default engine).

    Args:
        path: a ``.duckdb`` file (created if missing) or ``":memory:"`` for throwaway work.
        read_only: open an existing file without the right to change it.
        memory_limit: cap on the engine's memory, e.g. ``"4GB"`` (default: DuckDB's, 80% of RAM);
            beyond it, large steps spill to a temporary folder beside the workspace.

    Raises:
        WorkspaceError: the file is not a DuckDB database, is locked by another process,
            holds other tables than a workspace, or was written with another schema version.
    """

    engine = "duckdb"

    def __init__(self, path: str | Path = MEMORY, *, read_only: bool = False, memory_limit: str | None = None):
        self.path = str(path)
        self.memory_limit = memory_limit
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
        """Run a statement; returns the DuckDB cursor (use :meth:`df` / :meth:`scalar` to read).
        The seconds each statement took are logged at DEBUG."""
        started = time.perf_counter()
        cursor = self.con.execute(query, params) if params is not None else self.con.execute(query)
        if log.isEnabledFor(logging.DEBUG):
            log.debug("ran %.2f s: %s", time.perf_counter() - started, query_head(query))
        return cursor

    def executemany(self, query: str, rows: list[tuple]) -> None:
        """Run one statement (typically ``INSERT ... VALUES (?, ...)``) once per row of parameters."""
        self.con.executemany(query, rows)

    def arrow_batches(self, query: str, rows: int) -> pa.RecordBatchReader:
        """A query's result as Arrow record batches of about ``rows`` rows each, streamed in the query's order."""
        return self.con.sql(query).to_arrow_reader(rows)

    def release_cache(self) -> None:
        """Evict the workspace blocks DuckDB keeps in memory (they are read again when needed), so
        that work outside the engine has the room. The memory limit the store was opened with is
        set again; if DuckDB cannot evict (e.g. nowhere to spill temporary tables), nothing changes."""
        try:
            self.con.execute("SET memory_limit = '64MB'")  # evicts down to the new cap
        except duckdb.Error:
            pass
        if self.memory_limit:
            self.con.execute("SET memory_limit = ?", [self.memory_limit])
        else:
            self.con.execute("RESET memory_limit")

    def create_function(self, name: str, function: Callable[[pa.Array], pa.Array]) -> None:
        """Make ``function`` (Arrow string array in, Arrow string array out) callable in SQL as ``name(text)``;
        a function of that name made earlier is replaced."""
        from duckdb.sqltypes import VARCHAR

        try:
            self.con.remove_function(name)
        except Exception:  # not registered yet
            pass
        self.con.create_function(name, function, [VARCHAR], VARCHAR, type="arrow")

    def has_table(self, name: str) -> bool:
        """True if the workspace has a table or view of that name."""
        return bool(self.scalar("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name])
                    or self.scalar("SELECT count(*) FROM duckdb_views() WHERE view_name = ?", [name]))

    def export_parquet(self, folder: str | Path) -> list[Path]:
        """Write the canonical tables as ``FOLDER/<table>.parquet`` and ``_meta`` as ``FOLDER/meta.parquet``
        (Spark and Hadoop skip files whose names start with ``_``), what :class:`SparkStore` reads.

        Args:
            folder: a local folder (created if missing); files of an earlier export are replaced.

        Returns:
            The files written, ``meta.parquet`` first.
        """
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for table in ("_meta", *TABLES):
            path = out / f"{parquet_name(table)}.parquet"
            self.execute(f"COPY (SELECT * FROM {table}) TO '{_sql_string(str(path))}' (FORMAT parquet)")
            written.append(path)
        return written

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
