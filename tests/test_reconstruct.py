"""`cib reconstruct` end to end on a fresh simulated campaign (a seed the defaults were not
developed on): the command-line contract of DESIGN.md, accuracy against the ground truth,
and determinism."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

from toolkit.metrics import load_detection, load_truth, score_detection
from toolkit.simulate import simulate

SEED, SCALE = 11, 0.4


def run_reconstruct(data, out):
    command = [sys.executable, "-m", "toolkit.cli", "reconstruct", str(data / "x_tweets.jsonl.gz"),
               str(data / "facebook_comments.csv"), "--targets", str(data / "mps.csv"), "--out", str(out)]
    return subprocess.run(command, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    data = tmp_path_factory.mktemp("simulated")
    simulate(data, seed=SEED, scale=SCALE)
    first, second = tmp_path_factory.mktemp("run1"), tmp_path_factory.mktemp("run2")
    results = [run_reconstruct(data, first), run_reconstruct(data, second)]
    for result in results:
        assert result.returncode == 0, result.stderr[-3000:]
    return data, first, second, results[0]


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_outputs_follow_the_contract(runs):
    _, out, _, result = runs
    accounts = read_csv(out / "accounts.csv")
    assert list(accounts[0]) == ["platform", "account_id", "handle", "score", "flagged", "reasons"]
    assert {row["flagged"] for row in accounts} == {"true", "false"}
    assert all(0 <= float(row["score"]) <= 1 for row in accounts)
    assert all(row["reasons"] for row in accounts if row["flagged"] == "true")
    clusters = read_csv(out / "clusters.csv")
    assert list(clusters[0]) == ["cluster_id", "platform", "post_id", "account_id", "created_at", "lang", "campaign"]
    assert all(row["created_at"].endswith("Z") for row in clusters[:100])
    summary = json.loads((out / "campaign.json").read_text())
    for key in ("first_sign", "peak_day", "bursts", "phases", "counts", "targets", "parameters", "toolkit_version"):
        assert key in summary
    assert (out / "network.gexf").read_text().startswith("<?xml")
    evidence = read_csv(out / "evidence.csv")
    assert len(evidence) == sum(row["flagged"] == "true" for row in accounts)
    assert all(row["profile_url"].startswith("https://") for row in evidence)
    # settings echoed before the run, steps shown
    assert "near-duplicate threshold" in result.stderr and "[7/7] timeline" in result.stderr


def test_network_keeps_repeated_coordination(runs):
    """network.gexf holds pairs that acted together at least twice: the flagged accounts, few others."""
    import xml.etree.ElementTree as ET

    _, out, _, result = runs
    ns = {"g": "http://gexf.net/1.3"}
    graph = ET.parse(out / "network.gexf").getroot().find("g:graph", ns)
    assert min(float(edge.get("weight")) for edge in graph.iter("{http://gexf.net/1.3}edge")) >= 4
    nodes = {node.get("id") for node in graph.iter("{http://gexf.net/1.3}node")}
    flagged = {f"{row['platform']}:{row['account_id']}" for row in read_csv(out / "accounts.csv") if row["flagged"] == "true"}
    assert len(flagged & nodes) >= 0.95 * len(flagged)
    assert len(nodes - flagged) <= 0.1 * len(nodes)
    assert "pairs of weight 4 or more" in result.stderr


def test_accuracy_on_a_fresh_seed(runs):
    data, out, _, _ = runs
    table = score_detection(load_truth(data), load_detection(out)).set_index("metric")["value"]
    assert table["account_f1"] >= 0.95
    for trap in ("fpr_advocacy", "fpr_viral", "fpr_hyperactive", "fpr_organic", "fpr_mp"):
        assert table[trap] <= 0.02, trap
    assert table["cluster_pair_recall_cross_language"] >= 0.9
    assert table["first_sign_abs_error_hours"] <= 6
    assert table["peak_day_match"] == 1.0


def test_reasons_speak_of_both_coordination_and_inauthenticity(runs):
    _, out, _, _ = runs
    flagged = [row for row in read_csv(out / "accounts.csv") if row["flagged"] == "true"]
    for row in flagged:
        reasons = row["reasons"]
        assert "judged part of the campaign" in reasons
        assert any(word in reasons for word in ("created", "handle", "bio", "followers", "silent", "copies", "office hours"))


def test_same_input_same_output(runs):
    _, first, second, _ = runs
    for name in ("accounts.csv", "clusters.csv", "campaign.json", "network.gexf", "evidence.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_refuses_a_folder_it_did_not_write(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = subprocess.run([sys.executable, "-m", "toolkit.cli", "reconstruct", "--db", str(tmp_path / "w.duckdb"),
                             "--out", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 2 and "not empty" in result.stderr


def test_languages_of_copies_only_give_the_same_findings(runs, tmp_path):
    """language_scope="copies" (large inputs) identifies fewer texts and changes no finding:
    every clustered post, and every account history the scores read, is identified as before."""
    import shutil

    from toolkit.clusters import ClusterParams
    from toolkit.reconstruct import ReconstructParams, reconstruct, write_outputs
    from toolkit.store import Store
    from toolkit.targets import read_targets

    data, first, _, _ = runs  # the command line's run: every post identified (a small input)
    shutil.copyfile(first / "campaign.duckdb", tmp_path / "campaign.duckdb")
    with Store(tmp_path / "campaign.duckdb") as store:
        everything = store.run_params("languages")["texts_identified"]
        summary = reconstruct(store, targets=read_targets(data / "mps.csv"),
                              params=ReconstructParams(clusters=ClusterParams(language_scope="copies")))
        write_outputs(store, summary, tmp_path / "out")
        assert store.run_params("clusters")["language_scope_used"] == "copies"
        assert store.run_params("languages")["texts_identified"] < 0.8 * everything
    for name in ("accounts.csv", "clusters.csv"):
        assert (tmp_path / "out" / name).read_bytes() == (first / name).read_bytes(), name
