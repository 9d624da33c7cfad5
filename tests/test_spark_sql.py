"""The DuckDB-to-Spark SQL translation (toolkit.spark.sql): each rewrite as a row of (DuckDB SQL,
what the Spark SQL must hold, why). Needs sqlglot only, not Spark or Java."""

from __future__ import annotations

import datetime as dt

import pytest

pytest.importorskip("sqlglot")

from toolkit.errors import EngineError  # noqa: E402
from toolkit.spark.sql import java_regex, java_time_format, to_spark_sql  # noqa: E402


@pytest.mark.parametrize("duckdb, spark_holds, reason", [
    ("SELECT list(x ORDER BY t DESC) FROM p",
     "ARRAY_SORT(COLLECT_LIST(STRUCT(t AS k0, x AS v))", "collect_list has no order: values sorted with their keys"),
    ("SELECT list(DISTINCT x ORDER BY x) FROM p", "COLLECT_SET(STRUCT(x AS k0, x AS v))", "distinct values, then sorted"),
    ("SELECT [w || '!' FOR w IN ws] FROM p", "TRANSFORM(ws, w -> w || '!')", "list comprehension"),
    ("SELECT ws[2:3] FROM p", "SLICE(ws, 2, (3 - (2) + 1))", "1-based slice, both ends included"),
    ("SELECT len(string_split(s, ' ')) FROM p", "SIZE(SPLIT(", "len of a list is its size"),
    ("SELECT epoch(t) FROM p", "CAST(UNIX_MICROS(t) AS DOUBLE) / CAST(1000000 AS DOUBLE)", "seconds with their fraction"),
    ("SELECT epoch(a - b) FROM p", "CAST(UNIX_MICROS(a) - UNIX_MICROS(b) AS DOUBLE)", "seconds between two timestamps"),
    ("SELECT isodow(t) FROM p", "(WEEKDAY(t) + 1)", "Monday 1 .. Sunday 7"),
    ("SELECT dayofweek(t) FROM p", "(DAYOFWEEK(t) - 1)", "Sunday 0 .. Saturday 6"),
    ("SELECT t + INTERVAL (5 * 60) SECOND FROM p", "((5 * 60)) * INTERVAL '1' SECOND", "interval of a computed length"),
    ("SELECT t + to_minutes(480) FROM p", "(480) * INTERVAL '1' MINUTE", "to_minutes"),
    ("SELECT strftime(t, '%Y-%m-%dT%H:%M:%SZ') FROM p", "DATE_FORMAT(t, 'yyyy-MM-dd\\'T\\'HH:mm:ss\\'Z\\'')",
     "letters of a strftime pattern quoted for Java"),
    ("SELECT any_value(x) FROM p", "ANY_VALUE(x, TRUE)", "any_value skips NULLs as DuckDB's does"),
    ("SELECT count(DISTINCT a) OVER (ORDER BY t) FROM p", "SIZE(COLLECT_SET(a) OVER (", "no distinct window aggregates"),
    ("SELECT a && b FROM p", "ARRAYS_OVERLAP(a, b)", "list overlap"),
    ("SELECT list_intersect(a, b) FROM p", "ARRAY_INTERSECT(a, b)", "renamed function"),
    ("SELECT hash(a, b) FROM p", "XXHASH64(a, b)", "a 64-bit hash, as DuckDB's"),
    ("SELECT regexp_full_match(s, 'ab+') FROM p", "RLIKE CONCAT('^(?:', 'ab+', ')$')", "anchored match"),
    ("SELECT * FROM generate_series(TIMESTAMPTZ '2023-01-01', TIMESTAMPTZ '2023-01-03', INTERVAL 1 DAY) t(day)",
     "(SELECT EXPLODE(SEQUENCE(", "a series as a table"),
    ("SELECT a.x FROM a POSITIONAL JOIN b WHERE a.id = b.id", "CROSS JOIN b WHERE a.id = b.id",
     "rows paired by a key equated in the WHERE"),
    ("SELECT * FROM (SELECT row_number() OVER (ORDER BY t) AS n, s FROM p) WHERE f(s)",
     "(SELECT /*+ REPARTITION */ ROW_NUMBER() OVER (ORDER BY t",
     "a window over all rows runs in one task: its rows are spread again for what follows"),
    ("WITH c AS MATERIALIZED (SELECT 1 AS x) SELECT x FROM c", "WITH c AS (SELECT 1 AS x)", "planner hint dropped"),
    ("SELECT g, (SELECT count(*) FROM q WHERE q.g = p.g) AS n FROM p GROUP BY g",
     "ANY_VALUE((SELECT", "a correlated subquery in a grouped select"),
])
def test_rewrite(duckdb, spark_holds, reason):
    assert spark_holds in to_spark_sql(duckdb)[0], reason


def test_windows_over_groups_need_no_repartition():
    [spark] = to_spark_sql("SELECT row_number() OVER (PARTITION BY g ORDER BY t) AS n FROM p")
    assert "PARTITION BY g" in spark and "REPARTITION" not in spark


def test_parameters_are_bound_as_literals_not_pasted_text():
    sql = to_spark_sql("SELECT * FROM p WHERE a = ? AND b = ? AND c = ? AND d IN ?",
                       ["it's'; DROP TABLE p; --", 3, dt.datetime(2023, 8, 7, 3, 10, tzinfo=dt.timezone.utc), ["x", "y"]])[0]
    assert "a = 'it\\'s\\'; DROP TABLE p; --'" in sql
    assert "c = CAST('2023-08-07 03:10:00' AS TIMESTAMP)" in sql


def test_parameter_count_must_match():
    with pytest.raises(EngineError, match="2 parameter placeholders but 1 values"):
        to_spark_sql("SELECT ? + ?", [1])


def test_positional_join_without_key_is_refused():
    with pytest.raises(EngineError, match="POSITIONAL JOIN"):
        to_spark_sql("SELECT * FROM a POSITIONAL JOIN b")


@pytest.mark.parametrize("re2, java, reason", [
    (r"[\p{Han}\p{Hangul}]{6,}", r"[\p{IsHan}\p{IsHangul}]{6,}", "script classes take Java's Is prefix"),
    (r"\p{Lu}\pL+", r"\p{Lu}\pL+", "general categories stay"),
    (r"[\b]", r"[\b]", "inside a class \\b is a backspace"),
])
def test_java_regex(re2, java, reason):
    assert java_regex(re2) == java, reason


def test_word_boundary_is_ascii_as_in_re2():
    import re

    java = java_regex(r"\b\d+\b")
    # Python's re with re.ASCII has RE2's boundary; the rewrite must agree on a letter outside ASCII
    assert re.findall(java, "é2023 x 42", flags=re.ASCII) == re.findall(r"\b\d+\b", "é2023 x 42", flags=re.ASCII) == ["2023", "42"]


def test_time_format():
    assert java_time_format("%Y-%m-%d") == "yyyy-MM-dd"
    assert java_time_format("%Y-%m-%dT%H:%M:%SZ") == "yyyy-MM-dd'T'HH:mm:ss'Z'"
    with pytest.raises(EngineError, match="%Q"):
        java_time_format("%Q")


def test_missing_pyspark_says_how_to_install(monkeypatch):
    import sys

    from toolkit.spark.session import get_session

    monkeypatch.setitem(sys.modules, "pyspark", None)  # as if not installed
    with pytest.raises(EngineError, match=r"pip install 'cib-toolkit\[spark\]'"):
        get_session("local[1]")


def test_missing_java_says_to_install_java_17(monkeypatch):
    pyspark = pytest.importorskip("pyspark")  # noqa: F841
    from pyspark.sql import SparkSession

    from toolkit.spark import session

    monkeypatch.setattr(SparkSession, "getActiveSession", staticmethod(lambda: None))
    monkeypatch.setattr(session, "java_version", lambda: None)
    with pytest.raises(EngineError, match="Java 17"):
        session.get_session("local[1]")
    monkeypatch.setattr(session, "java_version", lambda: 11)
    with pytest.raises(EngineError, match="Java 17 or later, found Java 11"):
        session.get_session("local[1]")


@pytest.mark.parametrize("kwargs, message", [
    ({"engine": "postgres"}, "engine 'postgres' not known"),
    ({"engine": "duckdb", "spark_master": "local[2]"}, "choose engine='spark'"),
    ({"engine": "spark", "memory_limit": "4GB"}, "spark.driver.memory"),
])
def test_open_store_refuses_inconsistent_options(kwargs, message):
    from toolkit.errors import ParameterError
    from toolkit.store import open_store

    with pytest.raises(ParameterError, match=message):
        open_store(":memory:", **kwargs)


def test_local_cores():
    import os

    from toolkit.spark.session import local_cores

    assert [local_cores("local"), local_cores("local[3]"), local_cores("local[2,4]")] == [1, 3, 2]
    assert local_cores("local[*]") == (os.cpu_count() or 1)
