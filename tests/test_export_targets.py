"""Spreadsheet-safe CSVs and target lists."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from toolkit.errors import FormatError
from toolkit.export import write_csv
from toolkit.load import load_files
from toolkit.targets import read_targets, set_targets
from conftest import SAMPLE


@pytest.mark.parametrize("value, written", [
    ("=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"),
    ("+1 555", "'+1 555"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"), ("\rcmd", "'\rcmd"),
    ("plain text", "plain text"), ("x=1", "x=1"),
])
def test_formula_cells_are_neutralised(tmp_path, value, written):
    path = write_csv(pd.DataFrame({"text": [value], "score": [0.5]}), tmp_path / "out.csv")
    with open(path, newline="", encoding="utf-8") as f:
        row = next(csv.DictReader(f))
    assert row["text"] == written and row["score"] == "0.5"


def test_lists_become_readable_text(tmp_path):
    path = write_csv(pd.DataFrame({"reasons": [["created in a batch", "default handle"]]}), tmp_path / "r.csv")
    assert "created in a batch; default handle" in path.read_text()


def test_targets_file_is_validated_and_twitter_means_x(tmp_path):
    path = tmp_path / "mps.csv"
    path.write_text("platform,account_id,handle,name,party,province\ntwitter,1,@mp_one,MP One,Blue,ON\nFacebook,2,,MP Two,Red,QC\n")
    targets = read_targets(path)
    assert list(targets.platform) == ["x", "facebook"] and targets.handle[0] == "mp_one"
    bad = tmp_path / "bad.csv"
    bad.write_text("platform,account_id\nx,\n")
    with pytest.raises(FormatError, match="row\\(s\\) 2 have no platform or account_id"):
        read_targets(bad)
    (tmp_path / "c.csv").write_text("platform,handle\nx,a\n")
    with pytest.raises(FormatError, match="lacks column\\(s\\) \\['account_id'\\]"):
        read_targets(tmp_path / "c.csv")


def test_inferred_targets_are_the_sample_mps(store):
    load_files(store, [SAMPLE / "x_tweets.jsonl.gz", SAMPLE / "facebook_comments.csv"])
    inferred = set_targets(store, top_n=100)
    mps = read_targets(SAMPLE / "mps.csv")
    found = set(zip(inferred.platform, inferred.account_id)) & set(zip(mps.platform, mps.account_id))
    # the MPs are the accounts most people reply to: nearly all of them are found, little else
    assert len(found) >= 0.9 * len(mps)
    assert len(found) >= 0.9 * len(inferred)
