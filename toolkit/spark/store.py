"""A workspace on Apache Spark: the :class:`toolkit.store.Store` interface over a Spark session.

The canonical tables are Parquet (``posts.parquet``, ``accounts.parquet``, ... in one folder or
object-storage prefix, as :meth:`toolkit.store.Store.export_parquet` writes them). Analyses run
unchanged: each statement, in DuckDB's dialect, is translated by :mod:`toolkit.spark.sql` and run
by Spark. Tables the analyses create live in the Spark session as materialised views (their
rows computed once, at creation, as DuckDB computes a table once); temporary and permanent
tables alike disappear with the store. Results come back to pandas through Arrow.

Example:
    >>> from toolkit.spark.store import SparkStore                     # doctest: +SKIP
    >>> store = SparkStore("campaign_tables/", master="local[2]")     # doctest: +SKIP
    >>> store.scalar("SELECT count(*) FROM posts")                    # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any, Callable, Iterator

import pandas as pd
import pyarrow as pa

from ..errors import EngineError, WorkspaceError
from ..schema import SCHEMA_VERSION, TABLES
from ..store import StoreQueries, parquet_name, query_head
from .functions import register_functions
from .session import get_session
from .sql import translate

log = logging.getLogger(__name__)

#: Tables read from Parquet when the store opens.
PARQUET_TABLES = ("_meta", *TABLES)


class SparkResult:
    """The result of one statement; read it like DuckDB's cursor (``df``, ``fetchall``, ``fetchone``, ``arrow``)."""

    def __init__(self, frame=None, statement=None):
        self._frame = frame
        self._statement = statement
        self._table: pa.Table | None = None

    def arrow(self) -> pa.Table:
        """All rows as an Arrow table (collected to the driver once; the seconds are logged at DEBUG)."""
        if self._table is None:
            started = time.perf_counter()
            self._table = self._frame.toArrow() if self._frame is not None else pa.table({})
            if self._frame is not None and log.isEnabledFor(logging.DEBUG):
                log.debug("collected %.2f s, %d rows: %s", time.perf_counter() - started, self._table.num_rows,
                          query_head(self._statement.sql()))
        return self._table

    def df(self) -> pd.DataFrame:
        """All rows as a pandas DataFrame, typed as DuckDB gives them: times with zone as
        ``datetime64[us, UTC]``, decimals as float64."""
        table = self.arrow()
        schema = pa.schema([pa.field(f.name, pa.float64()) if pa.types.is_decimal(f.type) else f for f in table.schema])
        return table.cast(schema).to_pandas()

    def fetchall(self) -> list[tuple]:
        """All rows as tuples."""
        table = self.arrow()
        columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
        return list(zip(*columns)) if columns else []

    def fetchone(self) -> tuple | None:
        """The first row, or None."""
        rows = self.fetchall()
        return rows[0] if rows else None


class SparkStore(StoreQueries):
    """An open workspace whose queries run on Spark.

    Args:
        tables: folder or URL (``s3a://bucket/campaign``, ``gs://...``, ``hdfs://...``) holding
            ``meta.parquet`` (the ``_meta`` table), ``posts.parquet``, ``accounts.parquet``, ``account_history.parquet``,
            ``sources.parquet`` and ``rejects.parquet`` (files or folders of part files).
        master: Spark master URL (``local[2]``, ``spark://host:7077``, ``yarn``...); None: the one
            spark-submit or the platform set, else ``local[*]``.
        conf: further Spark settings.
        session: an existing SparkSession to use (then ``master`` and ``conf`` are not applied).

    Raises:
        EngineError: pyspark or Java is missing.
        WorkspaceError: a canonical table is missing, or was written with another schema version.
    """

    engine = "spark"

    def __init__(self, tables: str, *, master: str | None = None, conf: dict[str, str] | None = None, session=None):
        self.path = str(tables).rstrip("/")
        self.spark = session if session is not None else get_session(master, conf=conf)
        self._views: dict[str, Any] = {}  # name -> DataFrame, every table and view this store made
        self._types: dict[str, list[tuple[str, str]]] = {}  # name -> its columns' (name, Spark type)
        self._keys: dict[str, list[str]] = {}  # primary keys of tables created with one (INSERT OR REPLACE)
        register_functions(self.spark)
        for name in PARQUET_TABLES:
            location = f"{self.path}/{parquet_name(name)}.parquet"
            try:
                frame = self.spark.read.parquet(location)
            except Exception as error:  # AnalysisException: path does not exist
                self.close()
                raise WorkspaceError(f"{location}: cannot read the canonical table {name} ({_first_line(error)}); "
                                     "write the workspace's tables with `Store.export_parquet(FOLDER)` "
                                     "or `cib reconstruct --engine spark`") from None
            self._set_view(name, frame)
        meta = self.meta()
        if meta.get("schema_version") != str(SCHEMA_VERSION):
            self.close()
            raise WorkspaceError(f"{self.path}: tables of schema version {meta.get('schema_version')} (cib-toolkit "
                                 f"{meta.get('toolkit_version', '?')}); this cib-toolkit reads schema version "
                                 f"{SCHEMA_VERSION}. Export the tables again from a workspace of this version.")

    # -- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> "SparkStore":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        """Drop the views this store made (the Spark session stays up for the next store)."""
        for name in list(self._views):
            self.spark.catalog.dropTempView(name)
        self._views.clear()
        self._types.clear()

    # -- queries -----------------------------------------------------------------------------
    def execute(self, query: str, params: list | None = None) -> SparkResult:
        """Translate and run a statement (DuckDB dialect); returns a :class:`SparkResult`. The
        seconds each statement took are logged at DEBUG (a query's rows are computed when read)."""
        result = SparkResult()
        for statement in translate(query, params, list_columns=self._list_columns()):
            started = time.perf_counter()
            result = self._run(statement)
            if log.isEnabledFor(logging.DEBUG):
                log.debug("ran %.2f s: %s", time.perf_counter() - started, query_head(statement.sql()))
        return result

    def executemany(self, query: str, rows: list[tuple]) -> None:
        """Run an ``INSERT INTO t VALUES (?, ...)`` once for many rows (as one insert)."""
        from sqlglot import exp

        if not rows:
            return
        statement = translate(query, list(rows[0]))[0]
        values = statement.find(exp.Values)
        if not isinstance(statement, exp.Insert) or values is None:
            raise EngineError(f"executemany takes an INSERT ... VALUES statement: {query_head(query)}")
        batch = [translate(f"SELECT {', '.join('?' * len(row))}", list(row))[0].expressions for row in rows]
        values.set("expressions", [exp.Tuple(expressions=row) for row in batch])
        self._run(statement)

    def arrow_batches(self, query: str, rows: int) -> pa.RecordBatchReader:
        """A query's result as Arrow record batches of about ``rows`` rows, in the query's order.

        The whole result is collected to the driver first (Spark hands results over in partitions).
        """
        table = self.execute(query).arrow()
        return pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=rows))

    def register(self, name: str, data: Any) -> None:
        """Expose a pandas DataFrame or Arrow table to SQL under ``name`` (copied into Spark)."""
        table = data if isinstance(data, pa.Table) else pa.Table.from_pandas(data, preserve_index=False)
        table = table.cast(pa.schema([_sparkable(field) for field in table.schema]))
        self._set_view(name, self.spark.createDataFrame(table))

    def unregister(self, name: str) -> None:
        """Remove a name made by :meth:`register`."""
        self._drop_view(name)

    def create_function(self, name: str, function: Callable[[pa.Array], pa.Array]) -> None:
        """Make ``function`` (Arrow string array in, Arrow string array out) callable in SQL as ``name(text)``.

        On Spark it runs as a pandas UDF in the executors' Python workers, so the toolkit must be
        installed there too.
        """
        from pyspark.sql.functions import pandas_udf

        def run(texts: pd.Series) -> pd.Series:
            return pd.Series(function(pa.array(texts, type=pa.string())).to_pandas(), index=texts.index)

        self.spark.udf.register(name, pandas_udf(run, "string"))

    @contextlib.contextmanager
    def transaction(self) -> Iterator["SparkStore"]:
        """All statements inside either all land or, on any exception, none do (tables are
        immutable Spark DataFrames: the store goes back to the ones it had)."""
        saved_views, saved_keys = dict(self._views), dict(self._keys)
        try:
            yield self
        except BaseException:
            for name in set(self._views) - set(saved_views):
                self._drop_view(name)
            for name, frame in saved_views.items():
                self._set_view(name, frame)
            self._keys = saved_keys
            raise

    def has_table(self, name: str) -> bool:
        """True if the workspace has a table or view of that name (made or read by this store)."""
        return name in self._views

    # -- statements ----------------------------------------------------------------------------
    def _run(self, statement) -> SparkResult:
        from sqlglot import exp

        if any(c.name.lower() == "rowid" for c in statement.find_all(exp.Column)):
            statement = self._with_rowid(statement)
        if isinstance(statement, exp.Create):
            return self._create(statement)
        if isinstance(statement, exp.Drop):
            for table in statement.args.get("tables") or [statement.this]:
                if table.name not in self._views and not statement.args.get("exists"):
                    raise EngineError(f"DROP: no table or view {table.name}")
                self._drop_view(table.name)
            return SparkResult()
        if isinstance(statement, exp.Insert):
            return self._insert(statement)
        if isinstance(statement, exp.Update):
            return self._update(statement)
        if isinstance(statement, exp.Query):
            return SparkResult(self._sql(statement), statement)
        raise EngineError(f"the Spark engine does not run {type(statement).__name__.upper()} statements "
                          f"(tables are immutable there; write a CREATE OR REPLACE TABLE ... AS SELECT): "
                          f"{query_head(statement.sql())}")

    def _create(self, statement) -> SparkResult:
        from sqlglot import exp

        kind = (statement.args.get("kind") or "").upper()
        target = statement.this
        schema = target if isinstance(target, exp.Schema) else None
        name = (schema.this if schema is not None else target).name
        if name in self._views and statement.args.get("exists"):
            return SparkResult()
        if name in self._views and not statement.args.get("replace"):
            raise EngineError(f"CREATE {kind}: {name} already exists")
        body = statement.expression
        if kind not in ("TABLE", "VIEW"):
            raise EngineError(f"the Spark engine does not run CREATE {kind}: {query_head(statement.sql())}")
        if isinstance(body, exp.Query):
            frame = self._sql(body)
            try:
                self._set_view(name, frame if kind == "VIEW" else _materialise(frame))
            except Exception as error:
                raise EngineError(f"Spark failed computing table {name} ({_first_line(error)}): "
                                  f"{query_head(body.sql(dialect='spark'), 600)}") from None
            self._keys.pop(name, None)
            return SparkResult()
        if schema is None:
            raise EngineError(f"CREATE {kind} without columns or a query: {query_head(statement.sql())}")
        columns, keys = [], []
        for column in schema.expressions:
            if isinstance(column, exp.ColumnDef):
                columns.append(f"`{column.name}` {column.args['kind'].sql(dialect='spark')}")
                if any(isinstance(c.args.get("kind"), exp.PrimaryKeyColumnConstraint) for c in column.constraints):
                    keys.append(column.name)
            elif isinstance(column, exp.PrimaryKey):
                keys += [e.name for e in column.expressions]
        self._set_view(name, self.spark.createDataFrame([], schema=", ".join(columns)))
        self._keys[name] = keys
        return SparkResult()

    def _insert(self, statement) -> SparkResult:
        from sqlglot import exp

        target = statement.this
        named = [e.name for e in target.expressions] if isinstance(target, exp.Schema) else None
        name = (target.this if isinstance(target, exp.Schema) else target).name
        if name not in self._views:
            raise EngineError(f"INSERT: no table {name} in this workspace")
        old = self._views[name]
        source = statement.expression
        if isinstance(source, exp.Values):
            source = exp.select("*").from_(source.copy())
        new = self._sql(source)
        columns = named or old.columns
        if len(new.columns) != len(columns):
            raise EngineError(f"INSERT into {name}: {len(new.columns)} values for {len(columns)} columns")
        new = new.toDF(*columns)
        from pyspark.sql import functions as F

        types = dict(old.dtypes)
        new = new.select([(F.col(c) if c in new.columns else F.lit(None)).cast(types[c]).alias(c) for c in old.columns])
        if (statement.args.get("alternative") or "").upper() == "REPLACE":
            keys = self._keys.get(name)
            if not keys:
                raise EngineError(f"INSERT OR REPLACE into {name}: the table has no primary key")
            old = old.join(new.select(keys), on=keys, how="left_anti")
        self._set_view(name, _materialise(old.unionByName(new)))
        return SparkResult()

    def _update(self, statement) -> SparkResult:
        """``UPDATE t SET c = value, ... [FROM source s] [WHERE condition]``: the table is computed again,
        each row with the new values where the condition holds (with ``FROM``: where it matches a
        source row; a row must match at most one) and its old values elsewhere."""
        from sqlglot import exp

        target = statement.this
        name = target.name
        if name not in self._views:
            raise EngineError(f"UPDATE: no table {name} in this workspace")
        columns = self._views[name].columns
        values = {eq.this.name: eq.expression for eq in statement.expressions}
        unknown = sorted(set(values) - set(columns))
        if unknown:
            raise EngineError(f"UPDATE {name}: no column {', '.join(unknown)}")
        where = statement.args.get("where")
        condition = where.this if where is not None else exp.true()
        query = exp.select().from_(exp.to_table(name).as_(target.alias_or_name))
        source = statement.args.get("from_")
        if source is not None:  # rows that match a source row: the source's marker column is set
            table, inner = source.this, source.this.copy()
            inner.set("alias", None)
            marked = exp.select("*", exp.alias_(exp.true(), "_updated")).from_(inner)
            query = query.join(marked.subquery(table.alias_or_name), on=condition, join_type="left")
            hit = exp.column("_updated", table=table.alias_or_name).is_(exp.null()).not_()
        else:
            hit = condition
        query = query.select(*[
            exp.alias_(exp.Case(ifs=[exp.If(this=hit.copy(), true=values[c].copy())],
                                default=exp.column(c, table=target.alias_or_name)), c)
            if c in values else exp.column(c, table=target.alias_or_name) for c in columns])
        self._set_view(name, _materialise(self._sql(query)))
        return SparkResult()

    def _sql(self, statement):
        text = statement.sql(dialect="spark")
        try:
            return self.spark.sql(text)
        except Exception as error:
            raise EngineError(f"Spark refused a translated statement ({_first_line(error)}): {query_head(text, 600)}") from None

    def _with_rowid(self, statement):
        """DuckDB's ``rowid`` of a canonical table: its row's place in the Parquet file(s), numbered once.

        ``SELECT rowid, * FROM posts`` reads ``posts`` with a ``rowid`` column instead, its ``*``
        spelled out as the table's own columns (so ``*`` means the same on both engines).
        """
        from pyspark.sql import functions as F
        from sqlglot import exp

        for select in list(statement.find_all(exp.Select)):
            table = select.args.get("from_") and select.args["from_"].this
            if not isinstance(table, exp.Table) or table.name not in TABLES or select.args.get("joins"):
                continue
            own = [c for c in select.find_all(exp.Column) if c.find_ancestor(exp.Select) is select]
            if not any(c.name.lower() == "rowid" for c in own) or "rowid" in self._views[table.name].columns:
                continue
            numbered = f"_rowid_{table.name}"
            if numbered not in self._views:
                self._set_view(numbered, _dense_rowids(self._views[table.name]))
            original, columns = table.name, self._views[table.name].columns
            expanded = []
            for projection in select.expressions:
                if isinstance(projection, exp.Star):
                    expanded += [exp.column(c) for c in columns]
                else:
                    expanded.append(projection)
            select.set("expressions", expanded)
            table.set("this", exp.to_identifier(numbered))
            if not table.alias:  # columns qualified by the table's name still resolve
                table.set("alias", exp.TableAlias(this=exp.to_identifier(original)))
        return statement

    # -- catalog -------------------------------------------------------------------------------
    def _list_columns(self) -> frozenset[str]:
        """Names of columns that are lists in some table of the store, and plain values in none."""
        lists, plain = set(), set()
        for types in self._types.values():
            for name, kind in types:
                (lists if kind.startswith("array") else plain).add(name)
        return frozenset(lists - plain)

    def _set_view(self, name: str, frame) -> None:
        frame.createOrReplaceTempView(name)
        self._views[name] = frame
        self._types[name] = frame.dtypes

    def _drop_view(self, name: str) -> None:
        self._types.pop(name, None)
        if self._views.pop(name, None) is not None:
            self.spark.catalog.dropTempView(name)
        self._keys.pop(name, None)


def _materialise(frame):
    """The frame's rows computed once and kept by the executors (lineage cut, as a DuckDB table)."""
    return frame.localCheckpoint(eager=True)


def _dense_rowids(frame):
    """The frame with a ``rowid`` column numbering its rows 0, 1, ... n - 1 in file order, as
    DuckDB's rowids do (Spark's own ids jump by 2^33 at each partition, which would make keys
    built from them too large for 64 bits)."""
    from pyspark.sql import functions as F

    spark = frame.sparkSession
    counted = _materialise(frame.withColumn("_id", F.monotonically_increasing_id()))
    part = F.shiftright(F.col("_id"), 33)
    sizes = sorted(counted.groupBy(part.alias("part")).count().collect())
    offsets, total = [], 0
    for row in sizes:
        offsets.append((row["part"], total))
        total += row["count"]
    offsets = spark.createDataFrame(offsets, "part BIGINT, offset BIGINT")
    numbered = counted.join(F.broadcast(offsets), part == offsets["part"]).select(
        *[counted[c] for c in frame.columns], (offsets["offset"] + F.col("_id").bitwiseAND((1 << 33) - 1)).alias("rowid"))
    return _materialise(numbered)


def _sparkable(field: pa.Field) -> pa.Field:
    """Arrow types Spark takes: NULL-only columns as strings, large strings as strings."""
    if pa.types.is_null(field.type):
        return pa.field(field.name, pa.string())
    if pa.types.is_large_string(field.type) or pa.types.is_string_view(field.type):
        return pa.field(field.name, pa.string())
    return field


def _first_line(error: BaseException) -> str:
    """The message of an error from Spark: its first line, or for a Java error its cause's first line."""
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    if lines and lines[0].startswith("An error occurred while calling"):  # py4j: the Java exception follows
        causes = [line for line in lines[1:] if "Exception:" in line or "Error:" in line]
        lines = [causes[-1].lstrip(": ")] if causes else lines[1:] or lines
    return lines[0][:400] if lines else type(error).__name__
