"""Bad input: a clear error, nothing lost. Rejected rows keep their number and reason;
refused files load nothing; loads are atomic; reloads add nothing."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from toolkit.errors import FormatError
from toolkit.load.io_archive import IO_TWEETS_FILE_COLUMNS
from toolkit.load import load_files, rejects
from toolkit.load import loader as loader_module
from toolkit.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
HEADER = "platform,post_id,account_id,account_handle,account_name,account_created_at,created_at,text,lang,reply_to_post_id,reply_to_account_id"


def tweet(tweet_id: str, text: str, **extra) -> dict:
    return {"id": tweet_id, "text": text, "author_id": "u1", "created_at": "2023-09-02T10:00:00.000Z",
            "lang": "en", "conversation_id": tweet_id, **extra}


def page(*tweets, users=({"id": "u1", "username": "user_one", "name": "User One", "created_at": "2023-07-30T08:00:00.000Z"},)) -> bytes:
    return json.dumps({"data": list(tweets), "includes": {"users": list(users)},
                       "meta": {"result_count": len(tweets)},
                       "__twarc": {"url": "https://api.twitter.com/2/tweets/search/all", "version": "2.14.0",
                                   "retrieved_at": "2023-09-20T00:00:00+00:00"}}).encode()


# line, bytes, what becomes of it
TWARC_LINES = [
    (1, page(tweet("1", "good tweet"), tweet("2", "another good tweet")), "2 posts"),
    (2, b"", "blank line: not a record, not an error"),
    (3, page(tweet("3", "cut short"))[:40], "rejected: truncated JSON"),
    (4, b"\xff\xfe garbage \x80 bytes", "rejected: not UTF-8"),
    (5, page({"id": "5", "text": "no created_at", "author_id": "u1"}, tweet("6", "good neighbour of a bad tweet")),
     "tweet 5 rejected, tweet 6 loaded"),
    (6, b"[1, 2, 3]", "rejected: JSON, but not a response page"),
    (7, page(tweet("1", "good tweet"), tweet("7", "new tweet")), "tweet 1 merged as a duplicate, 7 loaded"),
]


def write_lines(path: Path, lines, newline=b"\n") -> Path:
    path.write_bytes(newline.join(line for _, line, _ in lines) + newline)
    return path


def test_twarc_pages_with_bad_lines_load_the_good_and_reject_the_bad(store, tmp_path):
    path = write_lines(tmp_path / "pages.jsonl", TWARC_LINES)
    [result] = load_files(store, [path])
    assert result.format == "twarc2_pages"
    assert sorted(store.df("SELECT post_id FROM posts").post_id) == ["1", "2", "6", "7"]
    got = store.rows("SELECT source_row, reason FROM rejects ORDER BY source_row")
    assert [row for row, _ in got] == [3, 4, 5, 6]
    assert got[0][1].startswith("line is not valid JSON (Unterminated string")
    assert "not valid UTF-8" in got[1][1] and "0xff" in got[1][1]
    assert got[2][1] == "no creation time (field created_at is empty or missing)"
    assert "not a twarc2 response page" in got[3][1]
    # read = 2 + 1 + 1 + 2 + 1 + 2 records; loaded 4 + rejected 4 + 1 duplicate
    assert (result.rows_read, result.rows_loaded, result.rows_rejected, result.duplicates_merged) == (9, 4, 4, 1)
    assert result.reconciles
    raw = store.scalar("SELECT raw FROM rejects WHERE source_row = 5")
    assert json.loads(raw)["text"] == "no created_at"  # the rejected tweet itself, not its whole page


def test_crlf_and_gzip_give_the_same_result(store, tmp_path):
    plain = write_lines(tmp_path / "crlf.jsonl", TWARC_LINES, newline=b"\r\n")
    packed = tmp_path / "pages.jsonl.gz"
    packed.write_bytes(gzip.compress(write_lines(tmp_path / "lf.jsonl", TWARC_LINES).read_bytes()))
    [a] = load_files(store, [plain])
    with Store(":memory:") as other:
        [b] = load_files(other, [packed])
        assert (a.rows_read, a.rows_loaded, a.rows_rejected) == (b.rows_read, b.rows_loaded, b.rows_rejected) == (9, 4, 4)
        assert store.rows("SELECT source_row, reason FROM rejects ORDER BY 1") == other.rows("SELECT source_row, reason FROM rejects ORDER BY 1")


def test_canonical_csv_fixture_rows_do_what_they_say(store):
    [result] = load_files(store, [FIXTURES / "canonical_mixed.csv"])
    assert result.format == "canonical_csv"
    # 11 records; header excluded; the quoted multi-line text is one record
    assert (result.rows_read, result.rows_loaded, result.rows_rejected, result.duplicates_merged) == (11, 7, 3, 1)
    assert result.reconciles
    bad = store.rows("SELECT source_row, reason FROM rejects ORDER BY source_row")
    assert bad[0] == (3, "creation time 'yesterday at noon' is not a date-time (field created_at; expected ISO-8601 such as 2023-09-02T14:03:11Z)")
    assert bad[1] == (4, "no post id (field post_id is empty or missing)")
    assert bad[2] == (10, "record has 13 fields, the header has 11")
    posts = store.df("SELECT * FROM posts ORDER BY source_row").set_index("post_id")
    assert list(posts.index) == ["1", "2", "4", "5", "6", "7", "9"]
    # mixed offsets normalise to the same UTC instant; a naive time is taken as UTC and noted
    assert {str(posts.created_at[p]) for p in ["1", "2", "4", "5"]} == {"2023-09-02 10:00:00+00:00"}
    assert result.notes == [
        "posts given in several rows that disagree on text (1): the first row's values were kept (e.g. post 1)",
        "creation time without a UTC offset in 1 post(s): taken as UTC",
    ]
    assert posts.platform["2"] == "x"
    # text verbatim: multi-line, quotes, emoji, CJK, a formula, HTML
    assert posts.text["5"] == 'good: quoted\r\nmulti-line text with "quotes", emoji 🎉 and 中文'
    assert posts.text["6"] == '=HYPERLINK("http://example.com")'
    assert posts.text["7"] == "<b>html is kept verbatim</b>"
    assert posts.text["1"] == "good: Z offset, 10:00 UTC"  # the first row of a duplicated post wins
    assert (posts.source_row["9"], posts.reply_to_account_id["9"]) == (11, "mp1")
    alice = store.df("SELECT * FROM accounts WHERE account_id = 'a1'").iloc[0]
    assert (alice.handle, alice.display_name, str(alice.created_at)) == ("alice", "Alice A.", "2020-01-01 00:00:00+00:00")
    # the account of a rejected row is not loaded from it
    assert store.scalar("SELECT count(*) FROM accounts WHERE account_id = 'a5'") == 1  # from row 11, not row 10


def test_file_missing_a_required_column_is_refused_whole(store, tmp_path):
    path = tmp_path / "no_time.csv"
    path.write_text("platform,post_id,account_id,text\nx,1,a,hello\n")
    with pytest.raises(FormatError) as err:
        load_files(store, [path])
    message = str(err.value)
    assert str(path) in message and "missing required column(s) ['created_at']" in message
    assert "platform, post_id, account_id" in message.replace("'", "") or "['platform', 'post_id'" in message
    assert store.counts() == {"posts": 0, "accounts": 0, "account_history": 0, "sources": 0, "rejects": 0}


def test_io_archive_file_missing_a_mapped_column_is_refused_with_its_name(store, tmp_path):
    header = ",".join(c for c in IO_TWEETS_FILE_COLUMNS if c != "quote_count")  # the release's columns but one
    path = tmp_path / "tweets_no_quote_count.csv"
    path.write_text(header + "\n" + ",".join(["1", "u1"] + [""] * 10 + ["hello", "2020-02-09 10:00"] + [""] * 15) + "\n")
    with pytest.raises(FormatError) as err:
        load_files(store, [path])
    assert str(path) in str(err.value) and "['quote_count']" in str(err.value) and "information-operations" in str(err.value)
    assert store.counts()["sources"] == 0


def test_cli_refusal_exits_non_zero_and_names_file_and_columns(tmp_path):
    path = tmp_path / "no_time.csv"
    path.write_text("platform,post_id,account_id,text\nx,1,a,hello\n")
    run = subprocess.run([sys.executable, "-m", "toolkit.cli", "load", str(path), "--db", str(tmp_path / "w.duckdb")],
                         capture_output=True, text=True)
    assert run.returncode == 2
    assert "no_time.csv" in run.stderr and "created_at" in run.stderr and "Traceback" not in run.stderr


def test_failed_load_leaves_the_workspace_as_it_was(store, tmp_path, monkeypatch):
    load_files(store, [FIXTURES / "graph_comments.json"])
    before = store.counts()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # an interrupted load, after staging, before merging

    monkeypatch.setattr(loader_module, "_merge", crash)
    with pytest.raises(KeyboardInterrupt):
        load_files(store, [FIXTURES / "canonical_mixed.csv"])
    assert store.counts() == before
    monkeypatch.undo()
    [result] = load_files(store, [FIXTURES / "canonical_mixed.csv"])  # and a retry works
    assert result.rows_loaded == 7 and result.source_id == 2


def test_reloading_a_file_adds_nothing_and_overlaps_merge(store, tmp_path):
    first = write_lines(tmp_path / "a.jsonl", TWARC_LINES[:1])
    [a] = load_files(store, [first])
    [again] = load_files(store, [first])
    assert again.skipped and "already loaded as source 1" in again.skipped
    assert store.counts()["sources"] == 1 and store.counts()["posts"] == 2
    overlap = write_lines(tmp_path / "b.jsonl", TWARC_LINES[6:7])  # tweets 1 (already there) and 7
    [b] = load_files(store, [overlap])
    assert (b.rows_read, b.rows_loaded, b.duplicates_merged) == (2, 1, 1)
    assert store.rows("SELECT duplicates_merged FROM sources ORDER BY source_id") == [(0,), (1,)]


def test_zip_members_load_as_separate_sources(store, tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(FIXTURES / "canonical_mixed.csv", "posts.csv")
        z.write(FIXTURES / "graph_comments.json", "facebook/comments.json")
    results = load_files(store, [archive])
    assert [r.path for r in results] == [f"{archive}!posts.csv", f"{archive}!facebook/comments.json"]
    assert [r.format for r in results] == ["canonical_csv", "facebook_graph"]


def test_graph_comments_become_posts_replying_to_their_parents(store):
    [result] = load_files(store, [FIXTURES / "graph_comments.json"])
    assert result.format == "facebook_graph"
    posts = store.df("SELECT * FROM posts").set_index("post_id")
    assert set(posts.index) == {"111_222", "222_301", "222_302", "222_303"}
    assert (posts.reply_to_post_id["222_301"], posts.reply_to_account_id["222_301"]) == ("111_222", "111")
    assert (posts.reply_to_post_id["222_302"], posts.reply_to_account_id["222_302"]) == ("222_301", "501")
    assert posts.conversation_id["222_302"] == "111_222"
    assert pd.isna(posts.account_id["222_303"])  # author hidden by the API: kept, not invented
    assert str(posts.created_at["222_301"]) == "2023-09-02 01:30:00+00:00"
    assert store.rows("SELECT reason FROM rejects") == [("no creation time (field created_time is empty or missing)",)]
    assert result.reconciles and result.rows_read == 5


def test_canonical_parquet_and_jsonl(store, tmp_path):
    table = pa.table({
        "platform": ["facebook", "facebook"], "post_id": ["p1", "p2"], "account_id": ["a", "b"],
        "created_at": pa.array([1693648800_000_000, 1693648860_000_000], pa.timestamp("us", tz="UTC")),
        "text": ["parquet one", "parquet two"], "extra_column": [1, 2],
    })
    pq.write_table(table, tmp_path / "posts.parquet")
    jsonl = tmp_path / "posts.jsonl"
    jsonl.write_text(json.dumps({"platform": "x", "post_id": "j1", "account_id": "c", "created_at": "2023-09-02T10:00:00+02:00",
                                 "text": "jsonl one", "urls": ["https://example.org/a"]}) + "\n")
    results = load_files(store, [tmp_path / "posts.parquet", jsonl])
    assert [r.format for r in results] == ["canonical_parquet", "canonical_jsonl"]
    got = dict(store.rows("SELECT post_id, created_at::VARCHAR FROM posts"))
    assert got == {"p1": "2023-09-02 10:00:00+00", "p2": "2023-09-02 10:01:00+00", "j1": "2023-09-02 08:00:00+00"}
    assert store.scalar("SELECT urls FROM posts WHERE post_id = 'j1'") == ["https://example.org/a"]


@pytest.mark.parametrize("content, expected", [
    (b"", "the file is empty"),
    (b"just,a,header\n1,2,3\n", "missing required column(s)"),
    (b'{"hello": "world"}\n', "missing required column(s)"),
    (b'{\n  "unrelated": "document"\n}\n', "match no known format"),
], ids=["empty", "unknown-csv", "unknown-jsonl", "unknown-json-document"])
def test_unrecognised_files_are_refused_with_a_hint(store, tmp_path, content, expected):
    path = tmp_path / "input.dat"
    path.write_bytes(content)
    with pytest.raises(FormatError, match=None) as err:
        load_files(store, [path])
    assert expected in str(err.value) and str(path) in str(err.value)


def test_huge_rejected_record_is_truncated_and_says_so(store, tmp_path):
    path = tmp_path / "big.jsonl"
    path.write_bytes(page(tweet("1", "good")) + b'\n{"data": [' + b"x" * 50_000 + b"\n")
    [result] = load_files(store, [path])
    assert result.rows_rejected == 1
    assert len(store.scalar("SELECT raw FROM rejects")) == 10_000
    assert len(rejects(store)) == 1
