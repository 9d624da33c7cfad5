"""The toolkit's SQL (DuckDB's dialect) as Spark SQL: parsed and rewritten with SQLGlot.

Every query of the toolkit is written once, in DuckDB's dialect. :func:`translate` parses a
statement, binds its ``?`` parameters as literals in the syntax tree (never by pasting text),
rewrites the few constructs SQLGlot does not carry over with the same meaning, and hands back
syntax trees that :class:`toolkit.spark.store.SparkStore` runs (``.sql(dialect="spark")``).

Rewrites (each keeps DuckDB's result):

- ``list(x ORDER BY k)`` / ``array_agg(x ORDER BY k)``: Spark's ``collect_list`` has no order;
  the values are collected with their sort keys and sorted (:func:`_ordered_lists`).
- ``[expr FOR v IN list]`` (list comprehension): ``transform(list, v -> expr)``.
- ``list[a:b]`` (1-based, both ends included): ``slice(list, a, b - a + 1)``.
- ``INTERVAL (expr) SECOND`` (a computed length): ``(expr) * INTERVAL '1' SECOND``.
- regular expressions: RE2's script classes and ASCII word boundaries written for Java's engine.
- ``JSON`` columns and casts: strings holding JSON text.
- ``len(list)``: ``size(list)``; ``epoch(ts)``: seconds with their fraction, as DuckDB gives
  (``epoch(a - b)`` of two timestamps: the seconds between them).
- ``isodow`` and ``dayofweek``: DuckDB's day numbers (Spark counts from Sunday = 1).
- ``a POSITIONAL JOIN b WHERE a.k = b.k``: an inner join on ``k`` (the toolkit only joins
  positionally rows that carry the same key in the same order, and says so in the WHERE).

A construct that has no faithful translation raises :class:`toolkit.errors.EngineError` naming it.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
from typing import Any

from ..errors import EngineError
from ..store import query_head


def _sqlglot():
    try:
        import sqlglot
    except ImportError:
        raise EngineError("the Spark engine needs sqlglot, which is not installed; "
                          "install the Spark extra: pip install 'cib-toolkit[spark]'") from None
    return sqlglot


def translate(query: str, params: list | tuple | None = None, *, list_columns: frozenset[str] = frozenset()) -> list:
    """Parse a DuckDB statement (or several, ``;``-separated) into Spark-ready syntax trees.

    Args:
        query: SQL in DuckDB's dialect with optional ``?`` placeholders.
        params: values for the placeholders, in order (str, int, float, bool, None, date,
            datetime, or lists of these).
        list_columns: names of the workspace's list columns (``len(x)`` of a list is ``size(x)``).

    Returns:
        sqlglot expressions; ``expression.sql(dialect="spark")`` gives the Spark SQL.

    Raises:
        EngineError: the SQL does not parse, the parameters do not match the placeholders,
            or a construct has no faithful Spark translation.
    """
    sqlglot = _sqlglot()
    from sqlglot import exp

    values = list(params) if params is not None else []
    query, names = _name_placeholders(query)
    try:
        statements = [s for s in sqlglot.parse(query, read="duckdb") if s is not None]
    except sqlglot.errors.ParseError as error:
        raise EngineError(f"cannot read this statement for Spark ({error}): {query_head(query)}") from None
    if len(names) != len(values):
        raise EngineError(f"{len(names)} parameter placeholders but {len(values)} values given: {query_head(query)}")
    bound = dict(zip(names, values))
    for statement in statements:
        for placeholder in list(statement.find_all(exp.Placeholder)):
            if placeholder.name not in bound:
                raise EngineError(f"placeholder {placeholder.sql()} has no value: {query_head(query)}")
            placeholder.replace(literal(bound[placeholder.name]))
    token = _list_columns.set(frozenset(list_columns))
    try:
        return [_rewrite(statement) for statement in statements]
    finally:
        _list_columns.reset(token)


def _name_placeholders(query: str) -> tuple[str, list[str]]:
    """The query with its ``?`` placeholders named ``$_p0``, ``$_p1``... in the order they are
    written (found by the tokenizer, so a ``'?'`` inside a string stays), and those names."""
    from sqlglot.dialects.duckdb import DuckDB
    from sqlglot.tokens import TokenType

    try:
        tokens = DuckDB().tokenize(query)
    except Exception as error:
        raise EngineError(f"cannot read this statement for Spark ({error}): {query_head(query)}") from None
    names, parts, last = [], [], 0
    for token in tokens:
        if token.token_type == TokenType.PLACEHOLDER and token.text == "?":
            names.append(f"_p{len(names)}")
            parts += [query[last:token.start], f"${names[-1]}"]
            last = token.end + 1
    return "".join(parts) + query[last:], names


def to_spark_sql(query: str, params: list | tuple | None = None) -> list[str]:
    """:func:`translate`, as Spark SQL text (one string per statement)."""
    return [statement.sql(dialect="spark") for statement in translate(query, params)]


def literal(value: Any):
    """A Python value as a typed SQL literal (strings quoted and escaped by the generator)."""
    from sqlglot import exp

    if isinstance(value, bool) or value is None:
        return exp.convert(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), "TIMESTAMP")
    if isinstance(value, dt.date):
        return exp.cast(exp.Literal.string(value.isoformat()), "DATE")
    if isinstance(value, (int, float, str)):
        return exp.convert(value)
    if isinstance(value, (list, tuple)):
        return exp.Array(expressions=[literal(v) for v in value])
    if hasattr(value, "item"):  # numpy scalar
        return literal(value.item())
    raise EngineError(f"a parameter of type {type(value).__name__} ({value!r:.60}) cannot be passed to Spark; "
                      "give str, int, float, bool, None, a date, a datetime or a list of these")


def _rewrite(statement):
    from sqlglot import exp

    for join in list(statement.find_all(exp.Join)):
        if (join.args.get("method") or "").upper() == "POSITIONAL":
            _positional_join(join)
    for select in list(statement.find_all(exp.Select)):
        _aggregate_subqueries(select)
        _spread_after_global_window(select)
    for _ in range(50):  # a rewritten node is not revisited in its pass: nested constructs need further passes
        before = statement.sql()
        statement = statement.transform(_node)
        if statement.sql() == before:
            return statement
    raise EngineError(f"statement rewriting for Spark did not settle: {query_head(statement.sql())}")


def _aggregate_subqueries(select) -> None:
    """In a grouped SELECT, a correlated scalar subquery outside any aggregate (its correlation on
    the group keys, so one value per group) as ``any_value(subquery)``: Spark takes it only so."""
    from sqlglot import exp

    if not select.args.get("group"):
        return
    for projection in select.expressions:
        target = projection.this if isinstance(projection, exp.Alias) else projection
        if isinstance(target, exp.Subquery) and _correlated(target):
            target.replace(exp.Anonymous(this="any_value", expressions=[target.copy()]))


def _spread_after_global_window(select) -> None:
    """A SELECT computing a window over all its rows (no ``PARTITION BY``, e.g. numbering them)
    runs in one Spark task, and so would everything Spark runs after it in the same stage: its
    rows are spread over the shuffle partitions again (a ``REPARTITION`` hint; the rows and
    their values are unchanged)."""
    from sqlglot import exp

    if select.args.get("hint"):
        return
    if any(not window.args.get("partition_by") and window.find_ancestor(exp.Select) is select
           for window in select.find_all(exp.Window)):
        select.set("hint", exp.Hint(expressions=[exp.Var(this="REPARTITION")]))


def _correlated(subquery) -> bool:
    """True if a subquery refers to a table alias it does not define itself."""
    from sqlglot import exp

    inner = {t.alias_or_name for t in subquery.find_all(exp.Table)} | {c.alias for c in subquery.find_all(exp.CTE)}
    return any(c.table and c.table not in inner for c in subquery.find_all(exp.Column))


def _positional_join(join) -> None:
    from sqlglot import exp

    select = join.find_ancestor(exp.Select)
    where = select.args.get("where") if select else None
    if where is None or not list(where.find_all(exp.EQ)):
        raise EngineError("POSITIONAL JOIN has no Spark equivalent unless a WHERE equates the two sides' keys "
                          f"(rows in the same order carry the same key): {query_head(select.sql() if select else join.sql())}")
    join.set("method", None)
    join.set("kind", "CROSS")


def _node(node):
    from sqlglot import exp

    if isinstance(node, exp.DataType) and node.this == exp.DataType.Type.JSON:  # JSON text as a string
        return exp.DataType.build("STRING")
    if isinstance(node, _regex_functions()) and isinstance(node.args.get("expression"), exp.Literal):
        pattern = node.args["expression"]
        java = java_regex(pattern.this)
        if java != pattern.this:
            node.set("expression", exp.Literal.string(java))
        return node
    if isinstance(node, exp.CTE) and node.args.get("materialized") is not None:  # a planner hint Spark lacks
        node.set("materialized", None)
        return node
    if isinstance(node, exp.Table) and isinstance(node.this, exp.GenerateSeries):
        return _series_table(node)
    if isinstance(node, exp.Anonymous) and node.name.lower() in _RENAMED:
        return exp.Anonymous(this=_RENAMED[node.name.lower()], expressions=node.expressions)
    if isinstance(node, exp.Anonymous) and node.name.lower() in _INTERVAL_UNITS:
        unit = _INTERVAL_UNITS[node.name.lower()]
        return exp.Mul(this=exp.paren(node.expressions[0].copy()),
                       expression=exp.Interval(this=exp.Literal.string("1"), unit=exp.var(unit)))
    if isinstance(node, exp.DayOfWeekIso):  # Monday 1 .. Sunday 7; Spark's weekday() is Monday 0 .. Sunday 6
        return exp.paren(exp.Add(this=exp.Anonymous(this="weekday", expressions=[node.this.copy()]), expression=exp.Literal.number(1)))
    if isinstance(node, exp.DayOfWeek):  # DuckDB: Sunday 0 .. Saturday 6; Spark's dayofweek(): Sunday 1 .. Saturday 7
        return exp.paren(exp.Sub(this=exp.Anonymous(this="dayofweek", expressions=[node.this.copy()]), expression=exp.Literal.number(1)))
    if isinstance(node, exp.ArrayOverlaps):
        return exp.Anonymous(this="arrays_overlap", expressions=[node.this, node.expression])
    if isinstance(node, exp.RegexpFullMatch):
        pattern = exp.Concat(expressions=[exp.Literal.string("^(?:"), node.expression.copy(), exp.Literal.string(")$")])
        return exp.RegexpLike(this=node.this, expression=pattern)
    if isinstance(node, exp.IgnoreNulls) and isinstance(node.this, exp.AnyValue):
        node = node.this
    if isinstance(node, exp.AnyValue):  # DuckDB's any_value skips NULLs
        return exp.Anonymous(this="any_value", expressions=[node.this.copy(), exp.true()])
    if isinstance(node, exp.TimeToStr):
        return exp.Anonymous(this="date_format", expressions=[node.this.copy(), exp.Literal.string(java_time_format(node.args["format"].name))])
    if isinstance(node, exp.Window) and isinstance(node.this, exp.Count) and isinstance(node.this.this, exp.Distinct):
        return _distinct_window_count(node)
    if isinstance(node, exp.Interval) and node.this is not None and not isinstance(node.this, exp.Literal):
        return _interval(node)
    if isinstance(node, exp.ArrayAgg) and _ordered_aggregate(node):
        return _ordered_lists(node)
    if isinstance(node, exp.Array) and len(node.expressions) == 1 and isinstance(node.expressions[0], exp.Comprehension):
        return _comprehension(node.expressions[0])
    if isinstance(node, exp.Bracket) and len(node.expressions) == 1 and isinstance(node.expressions[0], exp.Slice):
        return _slice(node.this, node.expressions[0])
    if isinstance(node, exp.Length) and _is_list(node.this):
        return exp.Anonymous(this="size", expressions=[node.this])
    if isinstance(node, exp.TimeToUnix):  # DuckDB's epoch(): seconds with their fraction
        value = node.this.unnest() if isinstance(node.this, exp.Paren) else node.this
        if isinstance(value, exp.Sub) and not any(isinstance(side, exp.Interval) for side in (value.this, value.expression)):
            micros = exp.Sub(this=exp.Anonymous(this="unix_micros", expressions=[value.this.copy()]),
                             expression=exp.Anonymous(this="unix_micros", expressions=[value.expression.copy()]))
        else:  # epoch(timestamp); epoch(a - b) of two timestamps is the seconds between them
            micros = exp.Anonymous(this="unix_micros", expressions=[node.this])
        return exp.Div(this=exp.cast(micros, "DOUBLE"), expression=exp.cast(exp.Literal.number(1000000), "DOUBLE"))
    return node


#: Expressions whose value is a list.
def _is_list(node) -> bool:
    from sqlglot import exp

    if isinstance(node, (exp.Split, exp.RegexpSplit, exp.Array, exp.ArrayAgg, exp.ArrayConcat, exp.ArrayDistinct)):
        return True
    if isinstance(node, exp.Anonymous) and node.name.lower() in _LIST_FUNCTIONS:
        return True
    if isinstance(node, exp.Paren):
        return _is_list(node.this)
    if isinstance(node, exp.Column):  # a list column of a workspace table, or an alias made in this statement
        if node.name in _list_columns.get():
            return True
        root = node.root()
        for alias in root.find_all(exp.Alias):
            if alias.alias == node.name and _is_list(alias.this):
                return True
    return False


#: Functions (DuckDB's and Spark's names) whose value is a list.
_LIST_FUNCTIONS = {"transform", "filter", "slice", "collect_list", "collect_set", "split", "list_intersect",
                   "array_intersect", "list_distinct", "array_distinct", "sequence", "list_sort", "array_sort"}

#: Names of list columns in the workspace's tables (set by :func:`translate` for the statement it rewrites).
_list_columns: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar("list_columns", default=frozenset())


#: DuckDB functions whose Spark counterpart has another name and the same arguments and result.
_RENAMED = {"list_intersect": "array_intersect", "regexp_split_to_array": "split", "string_split_regex": "split",
            "hash": "xxhash64"}  # DuckDB's hash is 64-bit, Spark's hash() 32-bit

#: DuckDB's to_minutes(n) and its kin: intervals of n units.
_INTERVAL_UNITS = {"to_seconds": "SECOND", "to_minutes": "MINUTE", "to_hours": "HOUR", "to_days": "DAY"}


@functools.cache
def _regex_functions() -> tuple:
    """The sqlglot node types of DuckDB's regular-expression functions (their pattern is ``expression``)."""
    from sqlglot import exp

    return (exp.RegexpLike, exp.RegexpILike, exp.RegexpExtract, exp.RegexpExtractAll, exp.RegexpReplace, exp.RegexpSplit)


#: RE2's ASCII word boundary, written for Java's engine (whose ``\b`` also counts non-ASCII letters before Java 19).
_ASCII_WORD = "[0-9A-Za-z_]"
_ASCII_BOUNDARY = f"(?:(?<={_ASCII_WORD})(?!{_ASCII_WORD})|(?<!{_ASCII_WORD})(?={_ASCII_WORD}))"
_ASCII_NON_BOUNDARY = f"(?:(?<={_ASCII_WORD})(?={_ASCII_WORD})|(?<!{_ASCII_WORD})(?!{_ASCII_WORD}))"


def java_regex(pattern: str) -> str:
    """An RE2 pattern (DuckDB's engine) written for Java's (Spark's), with the same matches:
    script classes ``\\p{Han}`` as ``\\p{IsHan}`` (categories such as ``\\p{Lu}`` stay), and the
    word boundaries ``\\b`` / ``\\B`` as RE2's ASCII ones."""
    import re

    out, i, in_class = [], 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            if nxt in "bB" and not in_class:
                out.append(_ASCII_BOUNDARY if nxt == "b" else _ASCII_NON_BOUNDARY)
            else:
                out.append(pattern[i:i + 2])
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
        elif ch == "]" and in_class:
            in_class = False
        out.append(ch)
        i += 1
    return re.sub(r"\\p\{(?!Is|In)([A-Z][a-z]{2,})\}", r"\\p{Is\1}", "".join(out))


def java_time_format(strftime: str) -> str:
    """A strftime pattern (``%Y-%m-%dT%H:%M:%SZ``) as a Java date-time pattern (``yyyy-MM-dd'T'HH:mm:ss'Z'``)."""
    codes = {"Y": "yyyy", "m": "MM", "d": "dd", "H": "HH", "M": "mm", "S": "ss", "y": "yy", "j": "DDD",
             "a": "EEE", "A": "EEEE", "b": "MMM", "B": "MMMM", "f": "SSSSSS", "z": "xx", "I": "hh", "p": "a",
             "%": "%"}
    out, literal, i = [], [], 0
    while i < len(strftime):
        ch = strftime[i]
        if ch == "%" and i + 1 < len(strftime):
            code = strftime[i + 1]
            if code not in codes:
                raise EngineError(f"strftime code %{code} has no Spark counterpart (in {strftime!r})")
            if literal:
                out.append("'" + "".join(literal).replace("'", "''") + "'")
                literal = []
            out.append(codes[code])
            i += 2
            continue
        if ch.isalpha() or ch == "'":
            literal.append(ch)
        else:
            if literal:
                out.append("'" + "".join(literal).replace("'", "''") + "'")
                literal = []
            out.append(ch)
        i += 1
    if literal:
        out.append("'" + "".join(literal).replace("'", "''") + "'")
    return "".join(out)


def _series_table(node):
    """``FROM generate_series(a, b, step) t(col)`` as ``FROM (SELECT explode(sequence(a, b, step)) AS col) t``."""
    from sqlglot import exp

    series = node.this
    if series.args.get("is_end_exclusive"):
        raise EngineError("range(a, b, step) as a table has no exact Spark counterpart; write generate_series "
                          f"(end included): {query_head(node.sql())}")
    alias = node.args.get("alias")
    column = alias.columns[0].name if alias is not None and alias.columns else "generate_series"
    name = alias.name if alias is not None and alias.name else "_series"
    sequence = exp.Anonymous(this="sequence", expressions=[a for a in (series.args.get("start"), series.args.get("end"),
                                                                       series.args.get("step")) if a is not None])
    select = exp.select(exp.alias_(exp.Explode(this=sequence), column)).subquery(name)
    return select


def _distinct_window_count(node):
    """``count(DISTINCT x) OVER (...)`` (Spark has no distinct window aggregates) as ``size(collect_set(x) OVER (...))``."""
    from sqlglot import exp

    distinct = node.this.this
    if len(distinct.expressions) != 1:
        raise EngineError(f"count(DISTINCT a, b) OVER (...) has no Spark counterpart: {query_head(node.sql())}")
    window = node.copy()
    window.set("this", exp.Anonymous(this="collect_set", expressions=[distinct.expressions[0].copy()]))
    return exp.Anonymous(this="size", expressions=[window])


def _interval(node):
    """``INTERVAL (expr) UNIT`` (an interval of a computed length) as ``(expr) * INTERVAL '1' UNIT``."""
    from sqlglot import exp

    unit = node.args.get("unit")
    one = exp.Interval(this=exp.Literal.string("1"), unit=unit.copy() if unit is not None else None)
    return exp.Mul(this=exp.paren(node.this.copy()), expression=one)


def _comprehension(comprehension):
    """``[expr FOR v IN list IF cond]`` as ``transform(filter(list, v -> cond), v -> expr)``."""
    from sqlglot import exp

    variable = comprehension.expression
    variable = exp.to_identifier(variable.name) if not isinstance(variable, exp.Identifier) else variable
    source = comprehension.args.get("iterator")
    condition = comprehension.args.get("condition")
    if condition is not None:
        source = exp.Anonymous(this="filter", expressions=[source, exp.Lambda(this=condition, expressions=[variable.copy()])])
    return exp.Anonymous(this="transform", expressions=[source, exp.Lambda(this=comprehension.this, expressions=[variable.copy()])])


def _slice(value, bounds):
    """DuckDB's ``list[a:b]`` (1-based, both ends included) as Spark's ``slice(list, a, b - a + 1)``."""
    from sqlglot import exp

    start = bounds.this if bounds.this is not None else exp.Literal.number(1)
    end = bounds.args.get("expression")
    if end is None:
        end = exp.Anonymous(this="size", expressions=[value.copy()])
    length = exp.Add(this=exp.Sub(this=end, expression=exp.paren(start.copy())), expression=exp.Literal.number(1))
    return exp.Anonymous(this="slice", expressions=[value, start, exp.paren(length)])


def _ordered_aggregate(node) -> bool:
    from sqlglot import exp

    return isinstance(node, exp.ArrayAgg) and isinstance(node.this, exp.Order)


def _ordered_lists(node):
    """``list(x ORDER BY k1 [DESC], ...)`` as ``transform(array_sort(collect_list(struct(k1, ..., x)), cmp), s -> s.v)``.

    Spark's ``collect_list`` drops NULL values, as DuckDB's ``list`` does not; the struct keeps
    them (a struct is never NULL), as in DuckDB.
    """
    from sqlglot import exp

    order: exp.Order = node.this
    value = order.this
    keys = order.expressions
    distinct = isinstance(value, exp.Distinct)
    if distinct:  # list(DISTINCT x ORDER BY x): distinct (key, value) pairs, the key a function of the value
        value = value.expressions[0]
    fields = [exp.PropertyEQ(this=exp.to_identifier(f"k{i}"), expression=key.this) for i, key in enumerate(keys)]
    fields.append(exp.PropertyEQ(this=exp.to_identifier("v"), expression=value))
    collected = exp.Anonymous(this="collect_set" if distinct else "collect_list", expressions=[exp.Struct(expressions=fields)])
    comparator = _comparator(keys)
    ordered = exp.Anonymous(this="array_sort", expressions=[collected, comparator])
    return exp.Anonymous(this="transform", expressions=[
        ordered, exp.Lambda(this=exp.Dot(this=exp.column("s"), expression=exp.to_identifier("v")),
                            expressions=[exp.to_identifier("s")])])


def _comparator(keys):
    """A Spark ``array_sort`` comparator on fields k0, k1, ... of two structs ``l`` and ``r``,
    each ascending or descending, NULLs ordered as DuckDB orders them (last, by default)."""
    import sqlglot
    from sqlglot import exp

    parts = []
    for i, key in enumerate(keys):
        descending = bool(key.args.get("desc"))
        nulls_first = key.args.get("nulls_first")
        if nulls_first is None:
            nulls_first = False  # DuckDB: NULLS LAST for ASC and DESC alike
        l, r = f"l.k{i}", f"r.k{i}"
        lt, gt = ("1", "-1") if descending else ("-1", "1")
        null_l, null_r = ("-1", "1") if nulls_first else ("1", "-1")
        parts.append(f"CASE WHEN {l} IS NULL AND {r} IS NULL THEN 0 WHEN {l} IS NULL THEN {null_l} "
                     f"WHEN {r} IS NULL THEN {null_r} WHEN {l} < {r} THEN {lt} WHEN {l} > {r} THEN {gt} ELSE 0 END")
    body = parts[-1]
    for part in reversed(parts[:-1]):
        body = f"CASE WHEN ({part}) <> 0 THEN ({part}) ELSE ({body}) END"
    return exp.Lambda(this=sqlglot.parse_one(body, read="spark"), expressions=[exp.to_identifier("l"), exp.to_identifier("r")])

