"""The exact-duplicate baseline: its rule on a hand-made workspace, and its measured scores on
the bundled sample, which must be the ones docs/simulator.md publishes."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest

from toolkit.baseline import exact_duplicate_baseline
from toolkit.errors import ParameterError
from toolkit.metrics import load_truth, score_detection
from toolkit.store import Store

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
DOC = ROOT / "docs" / "simulator.md"

# (platform, post_id, account_id, created_at, text) — why each row is there:
POSTS = [
    ("x", "1", "A", "2023-08-07 03:00:00", "same words"),      # "same words": 3 distinct accounts -> copies
    ("x", "2", "B", "2023-08-07 03:01:00", "same words"),
    ("facebook", "3", "C", "2023-08-08 10:00:00", "same words"),
    ("x", "4", "A", "2023-08-09 10:00:00", "something else"),  # A: 1 of its 2 posts is a copy -> score 0.5
    ("x", "5", "D", "2023-08-09 11:00:00", "only two"),        # "only two": 2 accounts -> copy at min 2 only
    ("x", "6", "E", "2023-08-09 12:00:00", "only two"),
    ("x", "7", "F", "2023-08-01 09:00:00", "me again"),        # one account three times: not a copy
    ("x", "8", "F", "2023-08-01 09:05:00", "me again"),
    ("x", "9", "F", "2023-08-01 09:10:00", "me again"),
    ("x", "10", "G", "2023-08-10 08:00:00", "both sides"),     # same id on two platforms = two accounts
    ("facebook", "11", "G", "2023-08-10 08:01:00", "both sides"),
    ("x", "12", "H", "2023-08-10 08:02:00", "both sides"),
    ("x", "13", "I", "2023-08-10 08:03:00", "Same words"),     # case differs: not an exact copy
]


@pytest.fixture
def store():
    with Store(":memory:") as s:
        for i, (platform, post_id, account, created, text) in enumerate(POSTS, start=1):
            s.execute("INSERT INTO posts (platform, post_id, account_id, created_at, text, source_id, source_row) "
                      "VALUES (?, ?, ?, ?::TIMESTAMPTZ, ?, 1, ?)", [platform, post_id, account, created + "+00", text, i])
        s.execute("INSERT INTO accounts (platform, account_id, handle, source_id, source_row) VALUES ('x', 'A', 'alpha', 1, 1)")
        yield s


def _flagged(detection) -> set[str]:
    acc = detection.accounts
    return {f"{p}:{a}" for p, a in zip(acc.loc[acc["flagged"], "platform"], acc.loc[acc["flagged"], "account_id"])}


def test_flags_accounts_sharing_an_exact_text_with_at_least_three_accounts(store):
    det = exact_duplicate_baseline(store)
    assert _flagged(det) == {"x:A", "x:B", "facebook:C", "x:G", "facebook:G", "x:H"}
    acc = det.accounts.set_index(["platform", "account_id"])
    assert acc.loc[("x", "A"), "score"] == 0.5 and acc.loc[("x", "A"), "handle"] == "alpha"
    assert acc.loc[("x", "F"), "score"] == 0.0 and acc.loc[("x", "I"), "reasons"] == ""
    assert "up to 3 accounts" in acc.loc[("x", "B"), "reasons"]


def test_clusters_are_the_shared_texts_numbered_by_first_appearance(store):
    det = exact_duplicate_baseline(store)
    clusters = det.clusters.groupby("cluster_id")["post_id"].agg(lambda s: sorted(s, key=int)).to_dict()
    assert clusters == {1: ["1", "2", "3"], 2: ["10", "11", "12"]}
    assert det.clusters["campaign"].all()
    assert det.first_sign == pd.Timestamp("2023-08-07 03:00:00", tz="UTC")
    assert det.peak_day == "2023-08-10" and det.parameters == {"method": "exact_duplicate", "min_accounts": 3}


def test_min_accounts_is_a_parameter_and_must_be_at_least_two(store):
    assert {"x:D", "x:E"} <= _flagged(exact_duplicate_baseline(store, min_accounts=2))
    assert _flagged(exact_duplicate_baseline(store, min_accounts=4)) == set()
    with pytest.raises(ParameterError, match="min_accounts=1"):
        exact_duplicate_baseline(store, min_accounts=1)


def _documented_scores() -> dict[str, float]:
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"<!-- baseline-scores:start -->(.*?)<!-- baseline-scores:end -->", text, re.S)
    assert block, "docs/simulator.md lost its baseline table markers"
    return {m.group(1): float(m.group(2)) for m in re.finditer(r"^\| (\w+) \| (-?[\d.]+) \|$", block.group(1), re.M)}


@pytest.fixture(scope="module")
def sample_scores() -> pd.Series:
    from toolkit.load import load_files

    with Store(":memory:") as store:
        results = load_files(store, [SAMPLE / "x_tweets.jsonl.gz", SAMPLE / "facebook_comments.csv"])
        assert all(r.rows_rejected == 0 for r in results)
        detection = exact_duplicate_baseline(store)
    return score_detection(load_truth(SAMPLE), detection).set_index("metric")["value"]


def test_sample_scores_are_the_documented_ones(sample_scores):
    documented = _documented_scores()
    assert len(documented) >= 15
    for metric, value in documented.items():
        decimals = len(str(value).split(".")[1]) if "." in str(value) else 0
        assert math.isclose(sample_scores[metric], value, abs_tol=0.5 * 10 ** -decimals + 1e-9), (
            f"{metric}: measured {sample_scores[metric]:.4f}, docs/simulator.md says {value}; update the table")


def test_baseline_falls_for_authentic_coordination_and_misses_edited_copies(sample_scores):
    assert sample_scores["fpr_advocacy"] > 0.5 and sample_scores["fpr_viral"] > 0.5
    assert sample_scores["account_recall"] < 0.5 and sample_scores["account_precision"] < 0.25
    assert sample_scores["cluster_pair_recall_cross_language"] == 0.0
    assert sample_scores["peak_day_match"] == 0.0
