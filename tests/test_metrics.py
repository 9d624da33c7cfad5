"""Detection metrics on hand-made cases whose answers are worked out by hand, property tests
against brute-force pair enumeration, and the sample's truth."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.errors import FormatError, ParameterError
from toolkit.metrics import (Detection, Truth, average_precision, load_detection, load_truth, pair_counts,
                             score_detection)

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"

# A tiny world: 3 new + 1 hijacked campaign accounts, and one account of every authentic role.
ACCOUNTS = pd.DataFrame([
    ("x", "1", "campaign_new"), ("x", "2", "campaign_new"), ("facebook", "3", "campaign_new"),
    ("x", "4", "campaign_hijacked"),
    ("x", "10", "organic"), ("facebook", "11", "organic"), ("x", "12", "advocacy"), ("facebook", "13", "advocacy"),
    ("x", "14", "viral"), ("x", "15", "hyperactive"), ("x", "16", "mp"),
], columns=["platform", "account_id", "role"])

# Campaign posts a..e: T1 = a (en, x), b (fr, x), c (en, facebook); T2 = d (en, x), e (en, x). f is organic.
POSTS = pd.DataFrame([
    ("x", "a", "1", "2023-08-07T02:00:00Z", "campaign", "T1", "en"),
    ("x", "b", "2", "2023-08-07T02:03:00Z", "campaign", "T1", "fr"),
    ("facebook", "c", "3", "2023-08-07T02:05:00Z", "campaign", "T1", "en"),
    ("x", "d", "4", "2023-09-03T04:00:00Z", "campaign", "T2", "en"),
    ("x", "e", "1", "2023-09-03T04:02:00Z", "campaign", "T2", "en"),
    ("x", "f", "10", "2023-07-02T23:00:00Z", "organic", "", "en"),
], columns=["platform", "post_id", "account_id", "created_at", "role", "template_id", "lang"])


@pytest.fixture
def truth() -> Truth:
    posts = POSTS.copy()
    posts["created_at"] = pd.to_datetime(posts["created_at"], utc=True)
    return Truth(accounts=ACCOUNTS.copy(), posts=posts,
                 campaign={"first_post": "2023-08-07T02:00:00Z", "peak_day": "2023-09-03", "last_post": "2023-09-03T04:02:00Z"})


def _values(table: pd.DataFrame) -> pd.Series:
    return table.set_index("metric")["value"]


def _flags(ids_flagged: set[str], scores: dict[str, float] | None = None) -> pd.DataFrame:
    frame = ACCOUNTS[["platform", "account_id"]].copy()
    frame["flagged"] = frame["account_id"].isin(ids_flagged)
    frame["score"] = [scores.get(i, 0.0) if scores else float(f) for i, f in zip(frame["account_id"], frame["flagged"])]
    return frame


def test_perfect_detection_scores_one_everywhere(truth):
    campaign = {"1", "2", "3", "4"}
    clusters = pd.DataFrame({"cluster_id": ["k1", "k1", "k1", "k2", "k2"], "platform": ["x", "x", "facebook", "x", "x"],
                             "post_id": ["a", "b", "c", "d", "e"]})
    det = Detection(accounts=_flags(campaign), clusters=clusters, first_sign="2023-08-07T02:00:00Z", peak_day="2023-09-03")
    v = _values(score_detection(truth, det))
    for metric in ["account_precision", "account_recall", "account_f1", "account_recall_new", "account_recall_hijacked",
                   "account_precision_new", "account_f1_hijacked", "account_average_precision", "cluster_pair_precision",
                   "cluster_pair_recall", "cluster_pair_f1", "cluster_pair_recall_cross_language",
                   "cluster_pair_recall_cross_platform", "peak_day_match"]:
        assert v[metric] == 1.0, metric
    for metric in ["fpr_advocacy", "fpr_viral", "fpr_hyperactive", "fpr_organic", "fpr_mp", "fpr_authentic",
                   "first_sign_error_hours", "unknown_flagged"]:
        assert v[metric] == 0.0, metric


def test_flagging_everyone_fails_on_every_trap(truth):
    v = _values(score_detection(truth, Detection(accounts=_flags(set(ACCOUNTS["account_id"])))))
    assert v["account_recall"] == 1.0
    assert v["account_precision"] == pytest.approx(4 / 11)
    for trap in ["advocacy", "viral", "hyperactive", "organic", "mp"]:
        assert v[f"fpr_{trap}"] == 1.0
    assert v["account_average_precision"] == pytest.approx(4 / 11), "all tied: AP is the base rate"


def test_flagging_nobody_has_zero_recall_and_no_precision(truth):
    v = _values(score_detection(truth, Detection(accounts=_flags(set()))))
    assert v["account_recall"] == 0.0 and np.isnan(v["account_precision"]) and v["fpr_authentic"] == 0.0


@pytest.mark.parametrize("flagged, precision_new, recall_new, precision_hijacked, recall_hijacked, reason", [
    ({"1", "2", "3"}, 1.0, 1.0, float("nan"), 0.0, "only new accounts flagged: the hijacked one is missed"),
    ({"4", "12"}, 0.0, 0.0, 0.5, 1.0, "hijacked found, plus one advocacy false positive"),
    ({"1", "4", "12", "13"}, 1 / 3, 1 / 3, 1 / 3, 1.0, "the other campaign role is left out of each role's precision"),
])
def test_per_role_precision_and_recall(truth, flagged, precision_new, recall_new, precision_hijacked, recall_hijacked, reason):
    v = _values(score_detection(truth, Detection(accounts=_flags(flagged))))
    for metric, expected in [("account_precision_new", precision_new), ("account_recall_new", recall_new),
                             ("account_precision_hijacked", precision_hijacked), ("account_recall_hijacked", recall_hijacked)]:
        assert (np.isnan(v[metric]) and np.isnan(expected)) or v[metric] == pytest.approx(expected), (metric, reason)


def test_hand_computed_clustering(truth):
    # clusters {a, c, d}, {b}, {e, f}:
    #   detected pairs: a-c, a-d, c-d, e-f = 4; true pairs: T1 a-b, a-c, b-c + T2 d-e = 4; correct: a-c = 1
    #   cross-language true pairs: a-b, b-c (en-fr) = 2, correct 0; cross-platform true: a-c, b-c = 2, correct a-c = 1
    clusters = pd.DataFrame({"cluster_id": [1, 1, 1, 2, 3, 3], "platform": ["x", "facebook", "x", "x", "x", "x"],
                             "post_id": ["a", "c", "d", "b", "e", "f"]})
    counts = pair_counts(truth, clusters)
    assert counts == {"detected": 4, "true": 4, "correct": 1, "true_cross_language": 2, "correct_cross_language": 0,
                      "true_cross_platform": 2, "correct_cross_platform": 1}
    v = _values(score_detection(truth, Detection(clusters=clusters)))
    assert v["cluster_pair_precision"] == 0.25 and v["cluster_pair_recall"] == 0.25
    assert v["cluster_pair_recall_cross_language"] == 0.0 and v["cluster_pair_recall_cross_platform"] == 0.5


def test_clusters_judged_not_campaign_are_ignored(truth):
    clusters = pd.DataFrame({"cluster_id": ["k", "k", "j", "j"], "platform": ["x", "x", "x", "x"], "post_id": ["d", "e", "a", "f"],
                             "campaign": ["true", "true", "false", "false"]})
    v = _values(score_detection(truth, Detection(clusters=clusters)))
    assert v["cluster_pair_precision"] == 1.0 and v["cluster_pair_recall"] == 0.25


@pytest.mark.parametrize("positive, score, expected, reason", [
    ([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1], (1 / 1 + 2 / 3) / 2, "positives ranked 1st and 3rd"),
    ([0, 1], [0.9, 0.1], 0.5, "the only positive ranked 2nd of 2"),
    ([1, 0, 1], [0.5, 0.5, 0.5], 2 / 3, "one tie: precision of the whole list"),
    ([1, 1, 0], [0.9, np.nan, 0.5], (1 + 2 / 3) / 2, "NaN ranks last"),
])
def test_average_precision_by_hand(positive, score, expected, reason):
    assert average_precision(np.array(positive, dtype=bool), np.array(score, dtype=float)) == pytest.approx(expected), reason


def test_first_sign_error_is_signed_hours_and_peak_day_compares_utc_days(truth):
    v = _values(score_detection(truth, Detection(first_sign="2023-08-06T20:00:00-04:00", peak_day="2023-09-04")))
    assert v["first_sign_error_hours"] == pytest.approx(-2.0) and v["first_sign_abs_error_hours"] == pytest.approx(2.0)
    assert v["peak_day_match"] == 0.0
    assert _values(score_detection(truth, Detection(peak_day=pd.Timestamp("2023-09-03T23:00Z"))))["peak_day_match"] == 1.0


def test_unknown_accounts_count_as_false_positives(truth):
    accounts = pd.concat([_flags({"1"}), pd.DataFrame([{"platform": "x", "account_id": "999", "flagged": True, "score": 1.0}])])
    v = _values(score_detection(truth, Detection(accounts=accounts)))
    assert v["unknown_flagged"] == 1 and v["account_precision"] == 0.5


def test_malformed_detections_are_refused_with_a_diagnosis(truth):
    twice = pd.DataFrame({"cluster_id": [1, 2], "platform": ["x", "x"], "post_id": ["a", "a"]})
    with pytest.raises(ParameterError, match="more than one cluster"):
        score_detection(truth, Detection(clusters=twice))
    floats = _flags({"1"}).assign(account_id=lambda d: d["account_id"].astype(float))
    with pytest.raises(ParameterError, match="dtype=str"):
        score_detection(truth, Detection(accounts=floats))
    with pytest.raises(FormatError, match="missing column.*score"):
        score_detection(truth, Detection(accounts=_flags({"1"}).drop(columns="score")))
    with pytest.raises(ParameterError, match="repeated"):
        score_detection(truth, Detection(accounts=pd.concat([_flags({"1"}), _flags({"1"})])))
    with pytest.raises(ParameterError, match="empty"):
        score_detection(truth, Detection())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["T1", "T2", ""]), st.sampled_from(["en", "fr"]),
                          st.sampled_from(["x", "facebook"])), min_size=1, max_size=14),
       st.permutations(list(range(14))))
def test_pair_counts_equal_brute_force_enumeration_in_any_order(rows, perm):
    posts = pd.DataFrame({
        "platform": [r[3] for r in rows], "post_id": [f"p{i}" for i in range(len(rows))], "account_id": "1",
        "created_at": pd.Timestamp("2023-08-07", tz="UTC"), "role": ["campaign" if r[1] else "organic" for r in rows],
        "template_id": [r[1] for r in rows], "lang": [r[2] for r in rows]})
    truth = Truth(accounts=ACCOUNTS, posts=posts, campaign={})
    clusters = pd.DataFrame({"cluster_id": [r[0] for r in rows], "platform": posts["platform"], "post_id": posts["post_id"]})
    order = [i for i in perm if i < len(rows)]
    got = pair_counts(truth, clusters.iloc[order])
    expected = dict.fromkeys(got, 0)
    for i, j in itertools.combinations(range(len(rows)), 2):
        same_cluster = rows[i][0] == rows[j][0]
        same_template = rows[i][1] != "" and rows[i][1] == rows[j][1]
        expected["detected"] += same_cluster
        for suffix, differs in (("", True), ("_cross_language", rows[i][2] != rows[j][2]),
                                ("_cross_platform", rows[i][3] != rows[j][3])):
            expected["true" + suffix] += same_template and differs
            expected["correct" + suffix] += same_template and same_cluster and differs
    assert got == expected


def test_sample_truth_loads_and_everyone_flagged_is_worst_on_the_traps():
    truth = load_truth(SAMPLE)
    assert load_truth(SAMPLE / "truth").campaign == truth.campaign
    n_campaign = truth.accounts["role"].isin(["campaign_new", "campaign_hijacked"]).sum()
    assert n_campaign == sum(truth.campaign["accounts"]["campaign_new"].values()) + sum(truth.campaign["accounts"]["campaign_hijacked"].values())
    everyone = truth.accounts[["platform", "account_id"]].assign(score=1.0, flagged=True)
    v = _values(score_detection(truth, Detection(accounts=everyone)))
    assert v["fpr_advocacy"] == v["fpr_viral"] == v["fpr_hyperactive"] == 1.0
    assert v["account_precision"] == pytest.approx(n_campaign / len(truth.accounts))
    assert v["account_precision"] < 0.02


def test_load_truth_and_detection_from_files(tmp_path):
    with pytest.raises(FormatError, match="no ground truth"):
        load_truth(tmp_path)
    pd.DataFrame({"platform": ["x"], "account_id": ["1675552517467496442"], "handle": ["a"], "score": [0.9],
                  "flagged": ["true"], "reasons": ["r"]}).to_csv(tmp_path / "accounts.csv", index=False)
    (tmp_path / "campaign.json").write_text('{"first_sign": "2023-08-07T03:00:00Z", "peak_day": "2023-09-03", "parameters": {"k": 1}}')
    det = load_detection(tmp_path)
    assert det.accounts["account_id"].iloc[0] == "1675552517467496442", "long X ids survive as strings"
    assert det.clusters is None and det.peak_day == "2023-09-03" and det.parameters == {"k": 1}
