"""The coordination-network benchmark's ground truth and edge handling (bench/bench_network.py), on hand-made rows."""

from __future__ import annotations

import sys

import duckdb
import pandas as pd

from conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
import bench_network  # noqa: E402  (a script in bench/, not a package)


def test_truth_pairs_same_squad_within_the_window():
    posts = pd.DataFrame([  # (post_id, account_id, seconds after 12:00:00)
        ("p1", "A", 0), ("p2", "B", 60), ("p3", "C", 121),  # squad 1: A-B exactly 60 s (kept), B-C 61 s, A-C 121 s
        ("p4", "C", 80),                                    # squad 1 again: C 20 s after B (kept), 80 s after A
        ("p5", "A", 1000), ("p6", "D", 1030),               # squad 2: A-D (kept)
        ("p7", "E", 0), ("p8", "F", 5),                     # organic posts, 5 s apart: no edge
        ("p9", "H", 0),                                     # squad 3, same second as A in squad 1: no edge
        ("p10", "G", 2000), ("p11", "G", 2001),             # squad 4: one account twice: no loop
    ], columns=["post_id", "account_id", "s"])
    posts["created_at"] = [f"2023-05-01T12:{s // 60:02d}:{s % 60:02d}Z" for s in posts.s]  # ISO text, as posts.parquet
    truth = pd.DataFrame({"post_id": posts.post_id,
                          "squad_id": pd.array([1, 1, 1, 1, 2, 2, None, None, 3, 4, 4], dtype="Int64")})
    con = duckdb.connect()
    con.register("posts", posts.drop(columns="s"))
    con.register("truth", truth)
    pairs = set(con.execute(bench_network.truth_pairs_sql("posts", "truth", 60)).fetchall())
    assert pairs == {("A", "B"), ("B", "C"), ("A", "D")}


def test_directed_edges_with_loops_become_unordered_pairs():
    con = duckdb.connect()
    con.register("directed", pd.DataFrame({"user_1": ["A", "B", "A", "C", "C"], "user_2": ["B", "A", "A", "B", "C"]}))
    assert sorted(con.execute(bench_network.undirected_edges_sql("directed")).fetchall()) == [("A", "B"), ("B", "C")]
