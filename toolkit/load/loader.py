"""Load input files into the workspace: stream, map, validate, merge; nothing lost.

Per file, inside one transaction (an interrupted or failed load leaves the workspace as
it was):

1. read the file: a plain or gzip CSV in one pass of DuckDB's parallel CSV reader, mapped
   as it is parsed (before the transaction, into the temporary table ``_parsed``); any other
   input, or a CSV that reader refuses, streamed in bounded batches (:mod:`toolkit.load.inputs`);
2. map each batch onto candidate rows with the format's SQL (:mod:`toolkit.load.formats`);
3. validate: a candidate without an id or a readable time, a line that is not JSON or not
   UTF-8, a CSV record with the wrong number of fields, goes to ``rejects`` with its row
   number and a reason; the rest is staged;
4. merge the staged rows: duplicates of one post inside the file or already in the
   workspace are merged (list fields united, missing values filled), never added twice;
   accounts keep, per field, the newest non-empty value and every (handle, name, bio)
   they were seen with goes to ``account_history``;
5. record the file in ``sources`` with rows read = loaded + rejected + duplicates merged.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import re
import sys
import time
from pathlib import Path

import duckdb
import pyarrow as pa

from .. import __version__
from ..errors import CibError, FormatError
from ..schema import REJECT_RAW_MAX_CHARS, column_names
from ..store import Store
from .detect import detect_format, read_json_document
from .formats import ACCOUNT_FIELDS, POST_FIELDS, Format, blank, sql_str
from .inputs import (PEEK_BYTES, UTF8_BOM, InputFile, ParseReject, decode_utf8_column, engine_csv_sql, expand_inputs,
                     sniff_csv_header, stream_batches)

log = logging.getLogger(__name__)

#: Rows per batch for Parquet files.
PARQUET_BATCH_ROWS = 200_000


@dataclasses.dataclass
class LoadResult:
    """What loading one file did. ``rows_read == rows_loaded + rows_rejected + duplicates_merged``."""

    path: str
    format: str
    records: str = "posts"
    source_id: int | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    duplicates_merged: int = 0
    accounts_read: int = 0
    accounts_loaded: int = 0
    notes: list[str] = dataclasses.field(default_factory=list)
    skipped: str | None = None
    seconds: float = 0.0

    @property
    def reconciles(self) -> bool:
        """True when every record read is accounted for."""
        return self.rows_read == self.rows_loaded + self.rows_rejected + self.duplicates_merged

    def summary(self) -> str:
        """One line a person reads: the reconciliation of this file."""
        if self.skipped:
            return f"{self.path}: skipped, {self.skipped}"
        unit = "accounts" if self.records == "accounts" else "posts"
        line = (f"{self.path} [{self.format}]: read {self.rows_read:,} = loaded {self.rows_loaded:,} "
                f"+ rejected {self.rows_rejected:,} + duplicates merged {self.duplicates_merged:,} ({unit})")
        if self.records == "posts" and self.accounts_read:
            line += f"; accounts: {self.accounts_loaded:,} new from {self.accounts_read:,} profiles"
        return line + ("" if self.reconciles else "  ** DOES NOT RECONCILE **")


def load_files(store: Store, paths: list[str | Path], *, mapping: dict[str, str] | None = None,
               platform: str | None = None, progress: bool | None = None) -> list[LoadResult]:
    """Load export files into the workspace, each file atomically.

    Args:
        store: the open workspace.
        paths: files; ``.gz`` is read transparently and each data member of a ``.zip`` is
            loaded as its own source (named ``archive.zip!member``).
        mapping: ``{file_column: canonical_column}`` to read other tools' CSVs as post tables.
        platform: platform for rows that do not name one (canonical tables, CooRTweet).
        progress: show progress bars (None: only on a terminal).

    Returns:
        One :class:`LoadResult` per input, in order. A file already loaded (same SHA-256)
        is skipped and says so.

    Raises:
        FormatError: a file is refused as a whole (unknown format, missing columns); files
            before it stay loaded, nothing of it is.

    Example:
        >>> from toolkit.store import Store
        >>> store = Store(":memory:")
        >>> [r.reconciles for r in load_files(store, ["data/sample/facebook_comments.csv"])]
        [True]
    """
    if platform is not None and (not platform.strip() or platform != platform.strip()):
        raise FormatError(f"--platform {platform!r}: give a platform name such as x or facebook")
    return [load_input(store, source, mapping=mapping, platform=platform, progress=progress)
            for source in expand_inputs(paths)]


def load_input(store: Store, source: InputFile, *, mapping=None, platform=None, progress=None) -> LoadResult:
    """Load one input (a file or one zip member); see :func:`load_files`."""
    started = time.perf_counter()
    sha256 = source.sha256()
    previous = store.rows("SELECT source_id, path FROM sources WHERE sha256 = ?", [sha256])
    fmt = detect_format(source, mapping=mapping, platform=platform)
    if previous:
        return LoadResult(source.label, fmt.name, fmt.records,
                          skipped=f"already loaded as source {previous[0][0]} ({previous[0][1]}): identical content, nothing added")
    _check_mapped_columns(store, source, fmt)
    result = LoadResult(source.label, fmt.name, fmt.records)
    try:
        parsed = _parse_in_engine(store, source, fmt, progress)  # outside the transaction: a CSV error would abort it
        with store.transaction():  # staging tables vanish with a rollback
            result.source_id = (store.scalar("SELECT max(source_id) FROM sources") or 0) + 1
            _create_staging(store, parsed=parsed)
            if parsed:
                _stage_parsed(store, fmt, result)
            else:
                _stage_file(store, source, fmt, result, progress)
            _merge(store, fmt, result, parsed=parsed)
            result.seconds = time.perf_counter() - started
            _record_source(store, source, sha256, fmt, result, mapping, platform)
            _drop_staging(store, parsed=parsed)
    finally:
        _unregister_batch(store)
        store.execute("DROP TABLE IF EXISTS _parsed")
    if not result.reconciles:  # a mapping bug, never the user's data: fail loudly
        raise CibError(f"{source.label}: internal error, counts do not reconcile ({result.summary()}); please report it")
    log.info(result.summary())
    return result


# -- staging ---------------------------------------------------------------------------------
#: Staged candidates, in the types of the canonical tables, beside ``source_row``.
_STAGED_POST_COLUMNS = {**{n: t for n, t in POST_FIELDS.items() if n != "created_at_text"},
                        "created_at": "TIMESTAMPTZ", "naive_time": "BOOLEAN"}
_STAGED_ACCOUNT_COLUMNS = {**{n: t for n, t in ACCOUNT_FIELDS.items() if not n.endswith("_text")},
                           "created_at": "TIMESTAMPTZ", "observed_at": "TIMESTAMPTZ"}


def _create_staging(store: Store, *, parsed: bool = False) -> None:
    """Staging tables; for a file parsed whole (``parsed``), staged posts and accounts are
    views of ``_parsed`` instead, made by :func:`_stage_parsed`."""
    if not parsed:
        for table, columns in (("_stage_posts", _STAGED_POST_COLUMNS), ("_stage_accounts", _STAGED_ACCOUNT_COLUMNS)):
            store.execute(f"CREATE TEMP TABLE {table} ({', '.join(f'{n} {t}' for n, t in columns.items())}, source_row BIGINT)")
    store.execute("CREATE TEMP TABLE _stage_rejects (source_row BIGINT, raw VARCHAR, reason VARCHAR)")
    store.execute("CREATE TEMP TABLE _parse_rejects (source_row BIGINT, raw VARCHAR, reason VARCHAR)")


def _drop_staging(store: Store, *, parsed: bool = False) -> None:
    for name in ("_stage_posts", "_stage_accounts"):
        store.execute(f"DROP {'VIEW' if parsed else 'TABLE'} IF EXISTS {name}")
    for table in ("_stage_rejects", "_parse_rejects"):
        store.execute(f"DROP TABLE IF EXISTS {table}")


def _unregister_batch(store: Store) -> None:
    try:
        store.unregister("_arrow_batch")
    except Exception:  # nothing registered: the load failed before its first batch
        pass


# -- a CSV file parsed, mapped and validated in one pass of the engine ------------------------
def _post(name: str) -> str:
    return f'"p:{name}"'


def _account(name: str) -> str:
    return f'"a:{name}"'


def _check_mapped_columns(store: Store, source: InputFile, fmt: Format) -> None:
    """Refuse a tabular file whose header lacks a column that the format's mapping reads.

    Raises:
        FormatError: naming the file, the missing columns and what to do.
    """
    if fmt.reader != "csv" or not (fmt.posts_columns or fmt.accounts_columns):
        return
    with source.open() as stream:
        names, _ = sniff_csv_header(stream.read(PEEK_BYTES).removeprefix(UTF8_BOM), source.label)
    quoted = ['"' + name.replace('"', '""') + '"' for name in names]
    header = ", ".join(f"NULL::VARCHAR AS {name}" for name in quoted) or "NULL AS _"
    missing = set()
    for expr in [*(fmt.posts_columns or {}).values(), *(fmt.accounts_columns or {}).values()]:
        try:
            store.execute(f"SELECT {expr} FROM (SELECT {header}) LIMIT 0")
        except duckdb.BinderException as exc:
            found = re.search(r'column "([^"]+)"', str(exc), re.IGNORECASE)
            missing.add(found.group(1) if found else expr)
    if missing:
        raise FormatError(f"{source.label}: read as {fmt.title}, but its header lacks the column(s) "
                          f"{sorted(missing)} that this format reads. Add them to the header (empty values "
                          "are fine) and load the file again.")


def _parse_in_engine(store: Store, source: InputFile, fmt: Format, progress: bool | None = None) -> bool:
    """Parse a CSV input with DuckDB's parallel reader, map and validate it in the same pass,
    into the temporary table ``_parsed``, one row per record in file order (the record's
    number is ``rowid + 1``): its candidate post (columns ``"p:<field>"``, ``"p:reason"``) and
    account (``"a:<field>"``, ``"a:keep"``, ``"a:reason"``), and for a record to reject, its
    fields as a JSON object (``raw``).

    Returns:
        False where this does not apply: not a tabular format mapped record by record, a zip
        member, a session that lets DuckDB reorder rows (``preserve_insertion_order`` off), or
        a file DuckDB's strict reader refuses (see :func:`toolkit.load.inputs.engine_csv_sql`);
        the file is then streamed through pyarrow.
    """
    if fmt.reader != "csv" or (fmt.records == "posts" and fmt.posts_columns is None) \
            or (fmt.accounts_sql is not None and fmt.accounts_columns is None) \
            or not store.scalar("SELECT current_setting('preserve_insertion_order')"):
        return False
    with source.open() as stream:
        names, delimiter = sniff_csv_header(stream.read(PEEK_BYTES).removeprefix(UTF8_BOM), source.label)
    if any(n[:2] in ("p:", "a:") for n in names):  # would clash with the mapped columns
        return False
    records = engine_csv_sql(source, names, delimiter)
    if records is None:
        return False
    show = sys.stderr.isatty() if progress is None else progress  # DuckDB's own bar, on long reads
    try:
        store.execute(f"SET enable_progress_bar = {str(bool(show)).lower()}")
        store.execute(f"CREATE OR REPLACE TEMP TABLE _parsed AS {_parsed_query(fmt, records, names)}")
    except (duckdb.InterruptException, duckdb.OutOfMemoryException):
        raise
    except duckdb.Error as exc:  # a record the strict reader will not guess at, an odd path...
        log.debug("%s: DuckDB's CSV reader refused the file; reading it with pyarrow: %s", source.label, exc)
        store.execute("DROP TABLE IF EXISTS _parsed")
        return False
    finally:
        store.execute("SET enable_progress_bar = false")
    return True


#: Staged fields computed from a candidate field of another name.
_DERIVED = {"created_at": "created_at_text", "naive_time": "created_at_text", "observed_at": "observed_at_text"}


def _constant(mapping: dict[str, str], field: str, sql_type: str) -> str | None:
    """SQL of a staged field that is the same for every record (not mapped, or mapped to a
    literal), else None."""
    expr = mapping.get(_DERIVED.get(field, field))
    if field == "repost_of_account_id" and "repost_of_post_id" in mapping:
        return None  # the merge may fill it in
    if expr is None:
        return f"NULL::{sql_type}"
    if field not in _DERIVED and re.fullmatch(r"'(?:[^']|'')*'", expr.strip()):
        return f"CAST({expr.strip()} AS {sql_type})"
    return None


def _parsed_query(fmt: Format, records: str, names: list[str]) -> str:
    """The query of ``_parsed`` over the query of the file's records (see :func:`_parse_in_engine`).
    Fields the same for every record are not stored: the views of :func:`_stage_parsed` add them."""
    mapped = [f"{expr} AS {_post(field)}" for field, expr in (fmt.posts_columns or {}).items()]
    mapped += [f"{expr} AS {_account(field)}" for field, expr in (fmt.accounts_columns or {}).items()]
    reasons, columns = [], []
    if fmt.records == "posts":
        exprs, reason = _post_rows(fmt, set(fmt.posts_columns), _post)
        reasons.append(f"{reason} AS {_post('reason')}")
        columns += [f"{expr} AS {_post(field)}" for field, expr in exprs.items()
                    if _constant(fmt.posts_columns, field, _STAGED_POST_COLUMNS[field]) is None] + [_post("reason")]
    if fmt.accounts_columns is not None:
        exprs, reason = _account_rows(fmt, set(fmt.accounts_columns), _account)
        reasons.append(f"{reason} AS {_account('reason')}")
        columns += [f"{expr} AS {_account(field)}" for field, expr in exprs.items()
                    if _constant(fmt.accounts_columns, field, _STAGED_ACCOUNT_COLUMNS[field]) is None]
        columns.append(_account("reason"))
        if fmt.records == "accounts":
            keep = f"{_account('reason')} IS NULL"
        else:  # profiles that come with posts: those without an id are no account
            keep = f"NOT {blank(_account('account_id'))}"
            if not fmt.accounts_are_records:  # nor one that came with a rejected post
                keep += f" AND {_post('reason')} IS NULL"
        columns.append(f"{keep} AS {_account('keep')}")
    rejected = _post("reason") if fmt.records == "posts" else _account("reason")
    columns.append(f"CASE WHEN {rejected} IS NOT NULL THEN {_record_json(names)} END AS raw")
    return (f"SELECT {', '.join(columns)} FROM (SELECT *, {', '.join(reasons)} "
            f"FROM (SELECT *, {', '.join(mapped)} FROM ({records})))")


def _record_json(names: list[str]) -> str:
    """SQL: a record's fields as a JSON object, in file order (a rejected record's raw text)."""
    fields = ", ".join(f"{sql_str(n)}: {_identifier(n)}" for n in names)
    return f"CAST(to_json({{{fields}}}) AS VARCHAR)"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _stage_parsed(store: Store, fmt: Format, result: LoadResult) -> None:
    """``_parsed`` → the views ``_stage_posts`` and ``_stage_accounts``, rejects to ``_stage_rejects``."""
    result.rows_read += store.scalar("SELECT count(*) FROM _parsed")
    for view, columns, name, keep, mapping in (
            ("_stage_posts", _STAGED_POST_COLUMNS, _post, f"{_post('reason')} IS NULL",
             fmt.posts_columns if fmt.records == "posts" else None),
            ("_stage_accounts", _STAGED_ACCOUNT_COLUMNS, _account, _account("keep"), fmt.accounts_columns)):
        if mapping is not None:
            select = ", ".join(f"{_constant(mapping, n, t) or name(n)} AS {n}" for n, t in columns.items())
            store.execute(f"CREATE TEMP VIEW {view} AS SELECT {select}, rowid + 1 AS source_row FROM _parsed WHERE {keep}")
        else:  # nothing of this kind in the file
            select = ", ".join(f"NULL::{t} AS {n}" for n, t in columns.items())
            store.execute(f"CREATE TEMP VIEW {view} AS SELECT {select}, NULL::BIGINT AS source_row WHERE false")
    reason = _post("reason") if fmt.records == "posts" else _account("reason")
    store.execute(f"INSERT INTO _stage_rejects SELECT rowid + 1, raw, {reason} FROM _parsed WHERE {reason} IS NOT NULL")


# -- streamed batches ------------------------------------------------------------------------
def _stage_file(store: Store, source: InputFile, fmt: Format, result: LoadResult, progress) -> None:
    from tqdm.auto import tqdm  # imported only where its bar is shown

    parse_rejects: list[ParseReject] = []
    bar = tqdm(total=source.size_bytes if source.compression is None else None, unit="B", unit_scale=True,
               desc=Path(source.label).name, disable=None if progress is None else not progress, leave=False)
    ordinal = 0
    try:
        for table in _batches(source, fmt, parse_rejects.append, lambda n: bar.update(n - bar.n)):
            n = table.num_rows
            table = table.append_column("source_row", pa.array(range(ordinal + 1, ordinal + n + 1), pa.int64()))
            ordinal += n
            table, bad = _decode_columns(table)
            _stage_batch(store, fmt, table, bad, result)
    finally:
        bar.close()
    if parse_rejects:
        _renumber_after_parse_rejects(store, parse_rejects)
        result.rows_read += len(parse_rejects)


def _batches(source: InputFile, fmt: Format, on_parse_reject, on_bytes):
    """Arrow tables of binary (or typed, for Parquet) columns, in file order."""
    if fmt.reader in ("lines", "csv"):
        delimiter = ","
        if fmt.reader == "csv":
            with source.open() as stream:
                _, delimiter = sniff_csv_header(stream.read(1 << 16).removeprefix(b"\xef\xbb\xbf"), source.label)
        for batch in stream_batches(source, kind=fmt.reader, delimiter=delimiter,
                                    on_parse_reject=on_parse_reject, on_bytes=on_bytes):
            yield pa.Table.from_batches([batch])
    elif fmt.reader == "document":
        document = read_json_document(source)
        records = document if isinstance(document, list) else [document]
        yield pa.table({"raw": pa.array([json.dumps(r, ensure_ascii=False) for r in records], pa.string())})
    elif fmt.reader == "parquet":
        import pyarrow.parquet as pq

        with source.open() as stream:
            for batch in pq.ParquetFile(stream).iter_batches(batch_size=PARQUET_BATCH_ROWS):
                yield pa.Table.from_batches([batch])
    else:  # pragma: no cover - formats are defined in this package
        raise ValueError(f"unknown reader {fmt.reader}")


def _decode_columns(table: pa.Table) -> tuple[pa.Table, dict[int, str]]:
    """Binary columns → UTF-8 strings; rows with invalid bytes are reported by index."""
    bad: dict[int, str] = {}
    for i, field in enumerate(table.schema):
        if pa.types.is_binary(field.type) or pa.types.is_large_binary(field.type):
            decoded, invalid = decode_utf8_column(table.column(i).combine_chunks())
            for row, reason in invalid.items():
                bad.setdefault(row, f"column {field.name!r}: {reason}" if field.name != "raw" else f"line is {reason}")
            table = table.set_column(i, field.name, decoded)
    return table, bad


def _stage_batch(store: Store, fmt: Format, table: pa.Table, bad: dict[int, str], result: LoadResult) -> None:
    if bad:
        rows = table.column("source_row").to_pylist()
        raws = _raw_records(table, bad)
        _insert_rejects(store, [(rows[i], raws[i], reason) for i, reason in bad.items()])
        result.rows_read += len(bad)
        keep = pa.array([i not in bad for i in range(table.num_rows)])
        table = table.filter(keep)
    store.register("_arrow_batch", table)
    if fmt.reader in ("lines", "document"):
        # blank lines are not records; each line is validated once; lines that are not JSON are
        # rejected with the parser's words
        store.execute("CREATE OR REPLACE TEMP TABLE _lines AS SELECT source_row, raw, json_valid(raw) AS ok FROM _arrow_batch "
                      "WHERE NOT (length(raw) < 64 AND trim(raw) = '')")
        store.execute("CREATE OR REPLACE TEMP VIEW _batch AS SELECT source_row, raw FROM _lines WHERE ok")
        invalid = store.rows("SELECT source_row, raw FROM _lines WHERE NOT ok")
        _insert_rejects(store, [(row, raw, _json_error(raw)) for row, raw in invalid])
        result.rows_read += len(invalid)
    else:
        store.execute("CREATE OR REPLACE TEMP VIEW _batch AS SELECT * FROM _arrow_batch")
    _stage_records(store, fmt, result)
    store.execute("DROP TABLE IF EXISTS _lines")
    store.unregister("_arrow_batch")


def _stage_records(store: Store, fmt: Format, result: LoadResult) -> None:
    """The records of the view ``_batch`` → staged posts, accounts and rejects."""
    if fmt.records == "posts":  # every candidate is a record read: loaded, rejected or merged later
        result.rows_read += _stage_posts(store, fmt)
        _stage_accounts(store, fmt, as_records=False)
    else:
        result.rows_read += _stage_accounts(store, fmt, as_records=True)
    store.execute("DROP VIEW _batch")


def _raw_records(table: pa.Table, rows: dict[int, str]) -> dict[int, str]:
    """The raw text of some rows of a batch, for rejects (CSV rows as a JSON object)."""
    columns = [c for c in table.column_names if c != "source_row"]
    out = {}
    for i in rows:
        values = {c: table.column(c)[i].as_py() for c in columns}
        if columns == ["raw"]:
            value = values["raw"]
            out[i] = value if isinstance(value, str) else (value or b"").decode("utf-8", "backslashreplace")
        else:
            out[i] = json.dumps({k: v if not isinstance(v, bytes) else v.decode("utf-8", "backslashreplace")
                                 for k, v in values.items()}, ensure_ascii=False)
    return out


def _json_error(raw: str) -> str:
    try:
        json.loads(raw)
    except ValueError as exc:
        return f"line is not valid JSON ({exc}); a truncated or corrupted record"
    return "line is not valid JSON"  # pragma: no cover - DuckDB and Python agree in practice


def _candidates(store: Store, fmt: Format, query: str, name: str) -> set[str]:
    """Name the candidate rows of ``query`` (posts or accounts); returns their column names.

    Tabular formats map each record on its own with cheap expressions: the candidates are a
    view, computed once for the rows staged and again, on the few columns validation reads,
    for the rejects. A JSON format's mapping parses and unnests: it is computed once, into a
    table.
    """
    store.execute(f"CREATE OR REPLACE TEMP {_candidates_kind(fmt)} {name} AS {query}")
    return {row[0] for row in store.rows(f"SELECT column_name FROM (DESCRIBE {name})")}


def _candidates_kind(fmt: Format) -> str:
    return "VIEW" if fmt.reader in ("csv", "parquet") else "TABLE"


def _typed(columns: dict[str, str], present: set[str], column=lambda name: name) -> dict[str, str]:
    """Staged columns from candidates: each in its staged type, NULL where absent."""
    return {n: f"CAST({column(n)} AS {t})" if n in present else f"NULL::{t}" for n, t in columns.items()}


def _inserted(store: Store, statement: str) -> int:
    """Run an INSERT; returns the number of rows it inserted."""
    return store.execute(statement).fetchone()[0]


def _time_reason(field: str, name: str, expr: str) -> str:
    return (f"WHEN {blank(expr)} THEN 'no {field} (field {name} is empty or missing)' "
            f"WHEN try_cast({expr} AS TIMESTAMPTZ) IS NULL THEN '{field} ' || chr(39) || left({expr}, 60) || chr(39) "
            f"|| ' is not a date-time (field {name}; expected ISO-8601 such as 2023-09-02T14:03:11Z)' ")


def _post_rows(fmt: Format, present: set[str], column=lambda name: name) -> tuple[dict[str, str], str]:
    """SQL of staged posts from candidate posts: ``({staged column: expression}, reason)``, the
    reason being NULL for a post to stage. ``column`` names a candidate field in the query."""
    names = fmt.field_names
    created = column("created_at_text")
    reason = (
        f"coalesce({column('_problem') if '_problem' in present else 'NULL'}, CASE "
        f"WHEN {blank(column('platform'))} THEN 'no platform (give a platform column, or --platform)' "
        f"WHEN {blank(column('post_id'))} THEN 'no post id (field {names.get('post_id', 'post_id')} is empty or missing)' "
        f"{_time_reason('creation time', names.get('created_at', 'created_at'), created)} END)"
    )
    staged = _typed({n: t for n, t in _STAGED_POST_COLUMNS.items() if n not in ("created_at", "naive_time")}, present, column)
    staged["created_at"] = f"try_cast({created} AS TIMESTAMPTZ)"  # a date-time wherever the reason is NULL
    staged["naive_time"] = f"NOT regexp_matches(trim({created}), '([zZ]|[+-][0-9]{{2}}(:?[0-9]{{2}})?)$')"
    return staged, reason


def _account_rows(fmt: Format, present: set[str], column=lambda name: name) -> tuple[dict[str, str], str]:
    """SQL of staged accounts from candidate accounts: ``({staged column: expression}, reason)``,
    the reason (for rosters, whose accounts are records) being NULL for an account to load."""
    names = fmt.field_names
    created = column("created_at_text") if "created_at_text" in present else "NULL::VARCHAR"
    reason = (f"CASE WHEN {blank(column('account_id'))} "
              f"THEN 'no account id (field {names.get('account_id', 'account_id')} is empty or missing)' "
              f"WHEN NOT {blank(created)} AND try_cast({created} AS TIMESTAMPTZ) IS NULL "
              f"THEN 'account creation time ' || chr(39) || left({created}, 60) || chr(39) || ' is not a date-time' END")
    staged = _typed({n: t for n, t in _STAGED_ACCOUNT_COLUMNS.items() if n not in ("created_at", "observed_at")},
                    present, column)
    staged["created_at"] = f"try_cast({created} AS TIMESTAMPTZ)"
    staged["observed_at"] = (f"try_cast({column('observed_at_text')} AS TIMESTAMPTZ)" if "observed_at_text" in present
                             else "NULL::TIMESTAMPTZ")
    return staged, reason


def _batch_record(store: Store) -> str:
    """SQL over ``_batch``: a record's raw text for a reject (its line, or its fields as a JSON object)."""
    names = [row[0] for row in store.rows("SELECT column_name FROM (DESCRIBE _batch)") if row[0] != "source_row"]
    return "raw" if names == ["raw"] else _record_json(names)


def _stage_posts(store: Store, fmt: Format) -> int:
    """Candidate posts of ``_batch`` → ``_stage_posts`` or ``_stage_rejects``; returns both counts' sum."""
    present = _candidates(store, fmt, fmt.posts_sql, "_cand_posts")
    columns, reason = _post_rows(fmt, present)
    rows = f"SELECT {', '.join(f'{e} AS {n}' for n, e in columns.items())}, source_row FROM _cand_posts WHERE {reason} IS NULL"
    staged = _inserted(store, f"INSERT INTO _stage_posts BY NAME {rows}")
    candidates = store.scalar("SELECT count(*) FROM _cand_posts")
    if staged < candidates:
        raw = "c._raw" if "_raw" in present else "NULL"
        if "_raw_path" in present:  # a record inside a larger one (a tweet in a response page)
            raw = f"coalesce({raw}, CAST(json_extract(b.raw, c._raw_path) AS VARCHAR))"
        extra = "".join(f", {c}" for c in ("_raw", "_raw_path") if c in present)
        record = f"source_row AS _row, {_batch_record(store)} AS _record" + (", raw" if "_raw_path" in present else "")
        store.execute(f"""INSERT INTO _stage_rejects
            SELECT c.source_row, coalesce({raw}, b._record), c._reason
            FROM (SELECT source_row{extra}, {reason} AS _reason FROM _cand_posts) c
            LEFT JOIN (SELECT {record} FROM _batch) b ON b._row = c.source_row
            WHERE c._reason IS NOT NULL""")
    store.execute(f"DROP {_candidates_kind(fmt)} _cand_posts")
    return candidates


def _stage_accounts(store: Store, fmt: Format, *, as_records: bool) -> int:
    """Candidate accounts of ``_batch`` → ``_stage_accounts`` (rosters: rejects too); returns the
    candidates (for posts formats: those staged)."""
    if not fmt.accounts_sql:
        return 0
    present = _candidates(store, fmt, fmt.accounts_sql, "_cand_accounts")
    columns, reason = _account_rows(fmt, present)
    rows = f"SELECT {', '.join(f'{e} AS {n}' for n, e in columns.items())}, source_row FROM _cand_accounts"
    if as_records:
        keep = f"{reason} IS NULL"
    else:  # profiles that come with posts: those without an id are no account
        keep = f"NOT {blank('account_id')}"
        if not fmt.accounts_are_records and store.scalar("SELECT count(*) FROM (SELECT 1 FROM _stage_rejects LIMIT 1)"):
            keep += " AND source_row NOT IN (SELECT source_row FROM _stage_rejects)"  # came with a rejected post
    staged = _inserted(store, f"INSERT INTO _stage_accounts BY NAME {rows} WHERE {keep}")
    candidates = staged
    if as_records:
        candidates = store.scalar("SELECT count(*) FROM _cand_accounts")
        if staged < candidates:
            store.execute(f"""INSERT INTO _stage_rejects
                SELECT c.source_row, b._record, c._reason
                FROM (SELECT source_row, {reason} AS _reason FROM _cand_accounts) c
                LEFT JOIN (SELECT source_row AS _row, {_batch_record(store)} AS _record FROM _batch) b ON b._row = c.source_row
                WHERE c._reason IS NOT NULL""")
    store.execute(f"DROP {_candidates_kind(fmt)} _cand_accounts")
    return candidates


def _insert_rejects(store: Store, rows: list[tuple[int, str, str]], table: str = "_stage_rejects") -> None:
    if rows:
        store.executemany(f"INSERT INTO {table} VALUES (?, ?, ?)", rows)


def _renumber_after_parse_rejects(store: Store, rejects: list[ParseReject]) -> None:
    """Staged rows carry their ordinal among the records the parser accepted; shift them past
    the records it refused, whose true numbers it reported: the k-th accepted record is record
    ``k + #{j : b_j - j < k}`` for refused records b_1 < b_2 < ... ."""
    _insert_rejects(store, [(r.source_row, r.raw, r.reason) for r in rejects], "_parse_rejects")
    store.execute("""CREATE OR REPLACE TEMP TABLE _gaps AS
        SELECT source_row - row_number() OVER (ORDER BY source_row) AS accepted_before FROM _parse_rejects""")
    for table in ("_stage_posts", "_stage_accounts", "_stage_rejects"):
        store.execute(f"""UPDATE {table} SET source_row = source_row +
            (SELECT count(*) FROM _gaps WHERE accepted_before < {table}.source_row)""")
    store.execute("INSERT INTO _stage_rejects SELECT * FROM _parse_rejects")
    store.execute("DROP TABLE _gaps")


# -- merge -----------------------------------------------------------------------------------
_LIST_COLUMNS = ("urls", "hashtags", "mentions")


def _merge(store: Store, fmt: Format, result: LoadResult, *, parsed: bool = False) -> None:
    sid = result.source_id
    result.rows_rejected = store.scalar("SELECT count(*) FROM _stage_rejects")
    store.execute(f"""INSERT INTO rejects SELECT {sid}, source_row, left(raw, {REJECT_RAW_MAX_CHARS}), reason
                      FROM _stage_rejects ORDER BY source_row""")
    if fmt.records == "posts":
        _merge_posts(store, fmt, result, parsed=parsed)
    _merge_accounts(store, fmt, result)


def _merge_posts(store: Store, fmt: Format, result: LoadResult, *, parsed: bool = False) -> None:
    sid = result.source_id
    staged = store.scalar("SELECT count(*) FROM _stage_posts")
    scalars = [c for c in column_names("posts") if c not in ("platform", "post_id", "source_id", "source_row") + _LIST_COLUMNS]
    aggregates = ", ".join(
        [f"min_by({c}, source_row) AS {c}" for c in scalars]
        + [f"list_sort(list_distinct(flatten(list({c})))) AS {c}" for c in _LIST_COLUMNS]
    )
    distinct = store.scalar("SELECT count(*) FROM (SELECT DISTINCT platform, post_id FROM _stage_posts)")
    if distinct < staged:  # rows of one post in this file: merge them
        _note_conflicting_duplicates(store, result)
        store.execute(f"""CREATE OR REPLACE TEMP TABLE _new_posts AS
            SELECT platform, post_id, {aggregates}, min(source_row) AS source_row, bool_or(naive_time) AS naive_time
            FROM _stage_posts GROUP BY platform, post_id""")
    else:  # the usual case: no copy, just a name for the staged rows
        store.execute("CREATE OR REPLACE TEMP VIEW _new_posts AS SELECT * FROM _stage_posts")
    workspace_empty = not store.scalar("SELECT count(*) FROM (SELECT 1 FROM posts LIMIT 1)")
    existing = 0 if workspace_empty else store.scalar(
        "SELECT count(*) FROM _new_posts n JOIN posts p USING (platform, post_id)")
    if existing:
        fills = ", ".join([f"{c} = coalesce(posts.{c}, n.{c})" for c in scalars]
                          + [f"{c} = list_sort(list_distinct(list_concat(posts.{c}, n.{c})))" for c in _LIST_COLUMNS])
        store.execute(f"""UPDATE posts SET {fills} FROM _new_posts n
                          WHERE posts.platform = n.platform AND posts.post_id = n.post_id""")
    anti = "" if workspace_empty else "ANTI JOIN posts p ON p.platform = n.platform AND p.post_id = n.post_id"
    # a repost's original author, where the row does not name it and the original is in the
    # workspace (merged above) or in this file: written into the new posts before they are
    # inserted (a file whose reposts all name it needs none of this)
    if store.scalar("SELECT count(*) FROM (SELECT 1 FROM _new_posts WHERE repost_of_account_id IS NULL "
                    "AND repost_of_post_id IS NOT NULL LIMIT 1)"):
        known = "SELECT platform, post_id, account_id FROM _new_posts WHERE account_id IS NOT NULL"
        if not workspace_empty:
            known = (f"SELECT platform, post_id, account_id FROM posts WHERE account_id IS NOT NULL UNION ALL "
                     f"SELECT n.platform, n.post_id, n.account_id FROM _new_posts n {anti} WHERE n.account_id IS NOT NULL")
        store.execute(f"""CREATE OR REPLACE TEMP TABLE _authors AS
            SELECT n.platform, n.post_id, o.account_id FROM _new_posts n JOIN ({known}) o
            ON o.platform = n.platform AND o.post_id = n.repost_of_post_id WHERE n.repost_of_account_id IS NULL""")
        # the table behind _new_posts (a parsed file's rows that were not staged share ids with
        # staged ones at most, and are never inserted)
        if distinct < staged or not parsed:
            table = "_new_posts" if distinct < staged else "_stage_posts"
            target, platform, post_id = "repost_of_account_id", f"{table}.platform", f"{table}.post_id"
        else:  # staged posts are a view of the parsed file
            table, target = "_parsed", _post("repost_of_account_id")
            platform, post_id = (_constant(fmt.posts_columns, n, "VARCHAR") or f"_parsed.{_post(n)}" for n in ("platform", "post_id"))
        store.execute(f"""UPDATE {table} SET {target} = a.account_id FROM _authors a
            WHERE {platform} = a.platform AND {post_id} = a.post_id""")
        store.execute("DROP TABLE _authors")
    columns = column_names("posts")
    select = ", ".join(f"{sid}" if c == "source_id" else f"n.{c}" for c in columns)
    # file order, so that the same files always give the same table (regrouping and joins shuffle rows)
    order = "ORDER BY n.source_row" if distinct < staged or not workspace_empty else ""
    store.execute(f"INSERT INTO posts ({', '.join(columns)}) SELECT {select} FROM _new_posts n {anti} {order}")
    naive = store.scalar("SELECT count(*) FROM _new_posts WHERE naive_time")
    if naive and not fmt.naive_times_are_utc:
        result.notes.append(f"creation time without a UTC offset in {naive:,} post(s): taken as UTC")
    store.execute(f"DROP {'TABLE' if distinct < staged else 'VIEW'} _new_posts")
    result.rows_loaded = distinct - existing
    result.duplicates_merged = staged - distinct + existing


#: Fields on which two rows of one post must agree; counts (likes...) legitimately differ.
_IDENTITY_FIELDS = ("account_id", "created_at", "text", "reply_to_post_id", "reply_to_account_id",
                    "repost_of_post_id", "quote_of_post_id")


def _note_conflicting_duplicates(store: Store, result: LoadResult) -> None:
    """Rows of one post that disagree (e.g. a share table listing two objects for one share):
    the first row's values are kept, and the disagreement is recorded in ``sources.notes``."""
    per_field = ", ".join(f"count(DISTINCT {c}) > 1 AS {c}" for c in _IDENTITY_FIELDS)
    store.execute(f"""CREATE OR REPLACE TEMP TABLE _conflicts AS
        SELECT post_id, min(source_row) AS first_row, {per_field} FROM _stage_posts
        GROUP BY platform, post_id HAVING count(*) > 1""")
    counts = store.rows(f"SELECT {', '.join(f'count_if({c})' for c in _IDENTITY_FIELDS)} FROM _conflicts")[0]
    example = store.scalar(f"SELECT post_id FROM _conflicts WHERE {' OR '.join(_IDENTITY_FIELDS)} ORDER BY first_row LIMIT 1")
    store.execute("DROP TABLE _conflicts")
    fields = [f"{field} ({n:,})" for field, n in zip(_IDENTITY_FIELDS, counts) if n]
    if fields:
        result.notes.append(f"posts given in several rows that disagree on {', '.join(fields)}: "
                            f"the first row's values were kept (e.g. post {example})")


def _merge_accounts(store: Store, fmt: Format, result: LoadResult) -> None:
    sid = result.source_id
    result.accounts_read = store.scalar("SELECT count(*) FROM _stage_accounts")
    if not result.accounts_read:
        return
    values = [c for c in column_names("accounts") if c not in ("platform", "account_id", "source_id", "source_row")]
    # per field, the value of the freshest snapshot that has one; freshness: observed later,
    # then (at the same time) this file over the workspace, then later in the file
    def latest(freshness: str) -> str:
        return ", ".join(f"arg_max({c}, {freshness}) FILTER (WHERE {c} IS NOT NULL) AS {c}" for c in values)

    if store.scalar("SELECT count(*) FROM (SELECT 1 FROM accounts a SEMI JOIN _stage_accounts s USING (platform, account_id) "
                    "UNION ALL SELECT 1 FROM _stage_accounts WHERE observed_at IS NOT NULL LIMIT 1)"):
        store.execute(f"""CREATE OR REPLACE TEMP TABLE _acc AS
            WITH candidates AS (
                SELECT *, {sid} AS source_id, false AS existed FROM _stage_accounts
                UNION ALL BY NAME
                SELECT a.*, true AS existed FROM accounts a SEMI JOIN _stage_accounts s USING (platform, account_id)
            ), ranked AS (
                SELECT *, row_number() OVER (PARTITION BY platform, account_id
                    ORDER BY observed_at ASC NULLS FIRST, existed DESC, source_id, source_row) AS freshness
                FROM candidates
            )
            SELECT platform, account_id, {latest('freshness')},
                arg_min(source_id, freshness) AS source_id, arg_min(source_row, freshness) AS source_row,
                bool_or(existed) AS existed
            FROM ranked GROUP BY platform, account_id""")
    else:  # accounts new to the workspace, snapshots without a time (IO archive): the file's order is the ranking
        store.execute(f"""CREATE OR REPLACE TEMP TABLE _acc AS
            SELECT platform, account_id, {latest('source_row')}, {sid} AS source_id,
                min(source_row) AS source_row, false AS existed
            FROM _stage_accounts GROUP BY platform, account_id""")
    new = store.scalar("SELECT count(*) FROM _acc WHERE NOT existed")
    store.execute("DELETE FROM accounts a USING _acc n WHERE a.platform = n.platform AND a.account_id = n.account_id")
    columns = column_names("accounts")
    store.execute(f"INSERT INTO accounts ({', '.join(columns)}) SELECT {', '.join(columns)} FROM _acc ORDER BY source_id, source_row")
    # account_history keeps versions, not every sighting: one row per (handle, name, bio), first and last seen
    versions = "platform, account_id, handle, display_name, description"
    same = " AND ".join(f"h.{c} IS NOT DISTINCT FROM v.{c}" for c in versions.split(", "))
    store.execute(f"""CREATE OR REPLACE TEMP TABLE _versions AS
        SELECT {versions}, min(observed_at) AS first_seen, max(observed_at) AS last_seen
        FROM _stage_accounts GROUP BY ALL""")
    store.execute(f"""UPDATE account_history h SET observed_at = least(h.observed_at, v.first_seen),
                             last_observed_at = greatest(h.last_observed_at, v.last_seen)
                      FROM _versions v WHERE {same}""")
    store.execute(f"""INSERT INTO account_history
        SELECT {versions}, first_seen, last_seen, {sid} FROM _versions v
        WHERE NOT EXISTS (SELECT 1 FROM account_history h WHERE {same})""")
    store.execute("DROP TABLE _versions")
    store.execute("DROP TABLE _acc")
    result.accounts_loaded = new
    if fmt.records == "accounts":
        result.rows_loaded = new
        result.duplicates_merged = result.accounts_read - new


def _record_source(store: Store, source: InputFile, sha256: str, fmt: Format, result: LoadResult,
                   mapping, platform) -> None:
    options = {"mapping": mapping or {}, "platform": platform}
    store.execute(
        "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [result.source_id, source.label, sha256, fmt.name, fmt.records, result.rows_read, result.rows_loaded,
         result.rows_rejected, result.duplicates_merged, result.accounts_read, result.accounts_loaded,
         result.notes, json.dumps(options), dt.datetime.now(dt.timezone.utc), result.seconds, __version__],
    )
