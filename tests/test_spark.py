"""The Spark engine gives the DuckDB engine's answer: `cib reconstruct` on the bundled sample with
DuckDB and with PySpark in local mode (`local[2]`), compared file by file.

Skipped where pyspark or Java 17 is missing (CI installs both: .ci/run and the [dev] extra).
One Spark session serves the module; the two runs take a few minutes together.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict

import pytest

from conftest import SAMPLE, require_spark

require_spark()

from toolkit.cli import main  # noqa: E402

pytestmark = pytest.mark.spark

#: Scores are written with 4 decimals; the two engines may differ in the last bit of a double before rounding.
SCORE_TOLERANCE = 1e-4


def _reconstruct(out, *engine):
    argv = ["reconstruct", str(SAMPLE / "x_tweets.jsonl.gz"), str(SAMPLE / "facebook_comments.csv"),
            "--targets", str(SAMPLE / "mps.csv"), "--out", str(out), *engine]
    assert main(argv) == 0


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    duckdb_out, spark_out = tmp_path_factory.mktemp("duckdb"), tmp_path_factory.mktemp("spark")
    _reconstruct(duckdb_out)
    _reconstruct(spark_out, "--engine", "spark", "--spark-master", "local[2]")
    return duckdb_out, spark_out


def _rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _clusters(out):
    """Each cluster as its set of (platform, post_id) with its campaign flag: cluster ids are names only."""
    members = defaultdict(set)
    flags = {}
    for row in _rows(out / "clusters.csv"):
        members[row["cluster_id"]].add((row["platform"], row["post_id"]))
        flags[row["cluster_id"]] = row["campaign"]
    return {(frozenset(posts), flags[cid]) for cid, posts in members.items()}


def test_spark_finds_the_same_clusters(outputs):
    duckdb_out, spark_out = outputs
    on_duckdb, on_spark = _clusters(duckdb_out), _clusters(spark_out)
    assert len(on_duckdb) > 100 and any(flag == "true" for _, flag in on_duckdb)
    assert on_spark == on_duckdb, (f"{len(on_duckdb - on_spark)} clusters only with DuckDB, "
                                   f"{len(on_spark - on_duckdb)} only with Spark")
    # the per-post columns too (account, time, language), cluster ids aside
    strip = lambda rows: sorted(tuple(v for k, v in row.items() if k != "cluster_id") for row in rows)  # noqa: E731
    assert strip(_rows(spark_out / "clusters.csv")) == strip(_rows(duckdb_out / "clusters.csv"))


def test_spark_flags_the_same_accounts_with_the_same_scores(outputs):
    duckdb_out, spark_out = outputs
    on_duckdb = {(r["platform"], r["account_id"]): r for r in _rows(duckdb_out / "accounts.csv")}
    on_spark = {(r["platform"], r["account_id"]): r for r in _rows(spark_out / "accounts.csv")}
    assert on_spark.keys() == on_duckdb.keys()
    flagged = {key for key, row in on_duckdb.items() if row["flagged"] == "true"}
    assert flagged, "the sample has flagged accounts"
    assert {key for key, row in on_spark.items() if row["flagged"] == "true"} == flagged
    worst = max(on_duckdb, key=lambda key: abs(float(on_duckdb[key]["score"]) - float(on_spark[key]["score"])))
    assert abs(float(on_duckdb[worst]["score"]) - float(on_spark[worst]["score"])) <= SCORE_TOLERANCE, worst
    assert all(on_spark[key]["reasons"] == on_duckdb[key]["reasons"] for key in flagged)


def test_spark_dates_the_campaign_alike(outputs):
    duckdb_out, spark_out = outputs
    on_duckdb = json.loads((duckdb_out / "campaign.json").read_text())
    on_spark = json.loads((spark_out / "campaign.json").read_text())
    assert on_duckdb["first_sign"] and on_duckdb["peak_day"]
    for key in ("first_sign", "peak_day", "first_post", "last_post"):
        assert on_spark[key] == on_duckdb[key], key
    assert on_spark["counts"]["campaign_posts"] == on_duckdb["counts"]["campaign_posts"]
    assert on_spark["counts"]["flagged_accounts"] == on_duckdb["counts"]["flagged_accounts"]


def test_spark_run_writes_every_output_file(outputs):
    _, spark_out = outputs
    from toolkit.reconstruct import OUTPUT_FILES

    assert all((spark_out / name).stat().st_size > 0 for name in OUTPUT_FILES)
    assert (spark_out / "tables" / "posts.parquet").exists()


def test_spark_update_changes_the_rows_duckdb_changes(tmp_path):
    """UPDATE, which Spark's tables do not take, is run as the table computed again: the same rows change."""
    import pandas as pd

    from toolkit.spark.store import SparkStore
    from toolkit.store import Store

    with Store(str(tmp_path / "w.duckdb")) as store:
        store.export_parquet(tmp_path / "tables")
    answers = []
    for store in (Store(":memory:"), SparkStore(str(tmp_path / "tables"), master="local[2]")):
        with store:
            store.execute("CREATE OR REPLACE TABLE t AS SELECT * FROM (VALUES (1, 'a', NULL), (2, 'b', 'x'), (3, 'c', NULL)) v(id, k, lang)")
            store.register("_d", pd.DataFrame({"k": ["a", "c", "z"], "v": ["en", None, "fr"]}))
            store.execute("UPDATE t SET lang = d.v FROM _d d WHERE t.k = d.k AND d.v IS NOT NULL")
            store.execute("UPDATE t SET k = upper(k), lang = coalesce(lang, 'und') WHERE id >= 2")
            answers.append(store.rows("SELECT id, k, lang FROM t ORDER BY id"))
    assert answers[0] == [(1, "a", "en"), (2, "B", "x"), (3, "C", "und")]
    assert answers[1] == answers[0]


def test_spark_rowids_are_duckdbs_over_many_partitions(tmp_path):
    """``rowid`` numbers the posts 0..n-1 in file order on both engines, also when Spark reads the
    file in many partitions (its own ids jump by 2^33 at each one: keys packing two of them into
    64 bits would overflow)."""
    from toolkit.spark.store import SparkStore
    from toolkit.store import Store

    with Store(str(tmp_path / "w.duckdb")) as store:
        store.execute("INSERT INTO posts (platform, post_id, created_at, source_id, source_row) "
                      "SELECT 'x', 'p' || (i * 7919 % 30011), TIMESTAMPTZ '2023-05-01' + to_seconds(i), 1, i "
                      "FROM range(30000) r(i)")
        store.export_parquet(tmp_path / "tables")
        expected = store.rows("SELECT rowid, post_id FROM posts ORDER BY rowid")
    small_splits = {"spark.sql.files.maxPartitionBytes": "8192", "spark.sql.files.openCostInBytes": "0"}
    with SparkStore(str(tmp_path / "tables"), master="local[2]", conf=small_splits) as store:
        assert store.spark.read.parquet(str(tmp_path / "tables" / "posts.parquet")).rdd.getNumPartitions() > 1
        assert store.rows("SELECT rowid, post_id FROM posts ORDER BY rowid") == expected
