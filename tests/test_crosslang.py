"""Cross-language links: a cluster is joined to one message per other language, on both engines."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import require_spark

from toolkit.clusters.crosslang import _one_version_per_language
from toolkit.store import Store


@pytest.fixture(params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def store(request, tmp_path):
    """An empty workspace on each engine (Spark: skipped where pyspark or Java 17 is missing)."""
    if request.param == "duckdb":
        with Store(":memory:") as workspace:
            yield workspace
        return
    require_spark()
    from toolkit.spark.store import SparkStore

    with Store(str(tmp_path / "w.duckdb")) as empty:
        empty.export_parquet(tmp_path / "tables")
    with SparkStore(str(tmp_path / "tables"), master="local[2]") as workspace:
        yield workspace


def _links(store, rows: list[tuple]) -> None:
    """``cluster_links`` holding these linked pairs (a, b, lang_a, lang_b, co_posts, coverage_smaller)."""
    frame = pd.DataFrame(rows, columns=["text_cluster_a", "text_cluster_b", "lang_a", "lang_b", "co_posts", "coverage_smaller"])
    frame = frame.assign(coverage=frame.coverage_smaller, shared_accounts=1, anchor_overlap=0.0,
                         reasons=[["co-posted"]] * len(frame), linked=True)
    store.register("_rows", frame)
    store.execute("CREATE OR REPLACE TABLE cluster_links AS SELECT * FROM _rows")
    store.unregister("_rows")


def test_a_cluster_linked_to_two_messages_of_one_language_keeps_the_stronger_link(store):
    # French cluster 5 co-posts with English clusters 1 (60% of it) and 3 (all of it): two messages
    _links(store, [(1, 5, "en", "fr", 3, 0.6), (3, 5, "en", "fr", 3, 1.0), (1, 2, "en", "fr", 9, 0.7)])
    _one_version_per_language(store, store.df("SELECT * FROM cluster_links WHERE linked"))
    links = store.df("SELECT text_cluster_a, text_cluster_b, linked, reasons FROM cluster_links "
                     "ORDER BY text_cluster_a, text_cluster_b")
    assert links[links.linked][["text_cluster_a", "text_cluster_b"]].values.tolist() == [[1, 2], [3, 5]]
    [dropped] = links[~links.linked].itertuples()
    assert (dropped.text_cluster_a, dropped.text_cluster_b) == (1, 5)
    assert list(dropped.reasons) == ["co-posted", "not joined: cluster 1 links more strongly to cluster 2, another message in fr"]


def test_versions_of_one_message_split_in_one_language_stay_linked(store):
    # English clusters 1 and 4 are one message (a same-language link): French cluster 6 joins both
    _links(store, [(1, 4, "en", "en", 2, 0.5), (1, 6, "en", "fr", 5, 0.8), (4, 6, "en", "fr", 3, 0.6)])
    _one_version_per_language(store, store.df("SELECT * FROM cluster_links WHERE linked"))
    assert store.df("SELECT linked FROM cluster_links").linked.all()
