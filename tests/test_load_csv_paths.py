"""CSV files take one of two paths: DuckDB's parallel CSV reader, mapped in the same pass, or,
where that strict reader refuses a file, pyarrow's streamed batches, which reject bad records
one by one. Both give the same workspace; row numbers are exact either way."""

from __future__ import annotations

import gzip
import json

import pytest

from toolkit.load import inputs, load_files
from toolkit.load import loader as loader_module
from toolkit.load.io_archive import IO_TWEETS_FILE_COLUMNS
from toolkit.store import Store

#: The 30 columns of the X information-operations archive tweets CSV.
IO_COLUMNS = IO_TWEETS_FILE_COLUMNS
IO_HEADER = ",".join(IO_COLUMNS)


def io_values(i, text: str = "hello", *, time: str = "2020-07-19 23:59", user: str = "u1", retweet: str = "",
              hashtags: str = "[]") -> dict[str, str]:
    """One tweet's fields."""
    values = dict.fromkeys(IO_COLUMNS, "")
    values.update(tweetid=str(i), userid=user, user_display_name=f"User, {user}", user_screen_name=f"{user}_h",
                  follower_count="10", account_creation_date="2015-06-17", account_language="th", tweet_language="th",
                  tweet_text=text, tweet_time=time, is_retweet="true" if retweet else "false", retweet_tweetid=retweet,
                  latitude="absent", longitude="absent", like_count=str(i % 5) if isinstance(i, int) else "0",
                  hashtags=hashtags, urls="[]", user_mentions="[]")
    return values


def io_row(i, text: str = "hello", **fields) -> str:
    """One record as the releases write it: the text quoted, the rest quoted where needed."""
    values = io_values(i, text, **fields)

    def quote(name: str, value: str) -> str:
        if name == "tweet_text" or any(c in value for c in ',"\r\n'):
            return '"' + value.replace('"', '""') + '"'
        return value

    return ",".join(quote(name, value) for name, value in values.items())


def write(path, header: str, rows: list[str], *, newline: str = "\n", bom: bool = False, gz: bool = False):
    data = ((header + newline + newline.join(rows) + newline).encode())
    data = (b"\xef\xbb\xbf" if bom else b"") + data
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


class PathSpy:
    """Records which path each CSV load took."""

    def __init__(self, monkeypatch, *, engine: bool = True):
        self.paths: list[str] = []
        original = loader_module._parse_in_engine

        def spy(store, source, fmt, *args):
            parsed = engine and original(store, source, fmt, *args)
            if fmt.reader == "csv":
                self.paths.append("engine" if parsed else "pyarrow")
            return parsed

        monkeypatch.setattr(loader_module, "_parse_in_engine", spy)


def workspace(path, monkeypatch, *, engine: bool, **options) -> tuple[dict, list[str]]:
    """Every table of a fresh workspace loaded from ``path``, and the path each CSV took."""
    with monkeypatch.context() as patch:
        spy = PathSpy(patch, engine=engine)
        with Store(":memory:") as store:
            results = load_files(store, [path], **options)
            assert all(r.reconciles for r in results)
            tables = {t: store.rows(f"SELECT * FROM {t}") for t in ("posts", "accounts", "account_history", "rejects")}
            tables["account_history"].sort(key=repr)  # versions are a set
            tables["sources"] = store.rows("SELECT * EXCLUDE (source_id, loaded_at, load_seconds) FROM sources")
    return tables, spy.paths


TRICKY_ROWS = [
    io_row(1, "plain"),
    io_row(2, "two\nlines, a comma and \"quotes\""),
    io_row(3, "crlf inside\r\nquoted text"),
    io_row(4, ""),  # an empty text stays empty text
    io_row(5, "  spaces kept  "),
    io_row(6, "=HYPERLINK(\"http://example.com\")"),
    io_row(7, "emoji 🎉 and ไทย", hashtags="['a', '#b', \"c d\", '']"),
    io_row(8, "a retweet", retweet="1"),  # its author comes from post 1
    io_row(9, "bad time", time="yesterday"),  # rejected, and its account with it
    io_row("", "no id"),  # rejected: no tweet id
    io_row(11, "last"),
]


@pytest.mark.parametrize("newline, bom, gz", [("\n", False, False), ("\r\n", True, False), ("\n", False, True)],
                         ids=["lf", "crlf-bom", "gzip"])
def test_engine_and_pyarrow_give_the_same_workspace(tmp_path, monkeypatch, newline, bom, gz):
    path = write(tmp_path / ("tweets.csv.gz" if gz else "tweets.csv"), IO_HEADER, TRICKY_ROWS,
                 newline=newline, bom=bom, gz=gz)
    engine, took = workspace(path, monkeypatch, engine=True)
    assert took == ["engine"]
    streamed, took = workspace(path, monkeypatch, engine=False)
    assert took == ["pyarrow"]
    assert engine == streamed
    posts = {row[1]: row for row in engine["posts"]}
    assert list(posts) == ["1", "2", "3", "4", "5", "6", "7", "8", "11"]  # file order
    assert posts["2"][4] == 'two\nlines, a comma and "quotes"' and posts["3"][4] == "crlf inside\r\nquoted text"
    assert (posts["4"][4], posts["5"][4]) == ("", "  spaces kept  ")
    assert posts["7"][13] == ["a", "b", "c", "d"]
    assert posts["8"][10] == "u1"  # repost author filled from post 1
    assert [post[-1] for post in engine["posts"]] == [1, 2, 3, 4, 5, 6, 7, 8, 11]  # source_row
    rejects = engine["rejects"]
    assert [(r[1], r[3]) for r in rejects] == [
        (9, "creation time 'yesterday' is not a date-time (field tweet_time; expected ISO-8601 such as 2023-09-02T14:03:11Z)"),
        (10, "no post id (field tweetid is empty or missing)")]
    assert json.loads(rejects[0][2]) == io_values(9, "bad time", time="yesterday")  # the record's fields, in file order


@pytest.mark.parametrize("bad_row, reason", [
    (io_row(12, "surplus empty fields") + ",,", "record has 32 fields, the header has 30"),
    ('12,u1,"U",u1_h,,,,,,2015-06-17,th,th,"too few"', "record has 13 fields, the header has 30"),
    ("   ", "record has 1 fields, the header has 30"),
    (io_row(12, "stray quote").replace('"stray quote"', '"stray" quote'), None),
], ids=["surplus-empty-fields", "too-few-fields", "blank-looking-line", "stray-quote"])
def test_a_file_the_engine_refuses_is_read_record_by_record(tmp_path, monkeypatch, bad_row, reason):
    rows = TRICKY_ROWS[:3] + [bad_row] + TRICKY_ROWS[3:]
    path = write(tmp_path / "tweets.csv", IO_HEADER, rows)
    tables, took = workspace(path, monkeypatch, engine=True)
    assert took == ["pyarrow"]
    if reason:  # rejected with its number; the records after it keep theirs
        assert [(r[1], r[3]) for r in tables["rejects"]][0] == (4, reason)
        assert [post[-1] for post in tables["posts"]] == [1, 2, 3, 5, 6, 7, 8, 9, 12]
    else:  # pyarrow reads the quote as part of the text
        assert [post[-1] for post in tables["posts"]] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 12]


def test_invalid_utf8_in_a_column_the_mapping_ignores_is_still_rejected(tmp_path, monkeypatch):
    rows = TRICKY_ROWS[:3]
    rows[1] = rows[1].replace(",absent,", ",ab\udcffsent,", 1)  # latitude: not read by the mapping
    path = tmp_path / "tweets.csv"
    path.write_bytes((IO_HEADER + "\n" + "\n".join(rows) + "\n").encode("utf-8", "surrogateescape"))
    tables, took = workspace(path, monkeypatch, engine=True)
    assert took == ["pyarrow"]
    assert [(r[1], r[3]) for r in tables["rejects"]] == [
        (2, "column 'latitude': not valid UTF-8 text (byte 0xff at position 2); re-export the file as UTF-8")]


def test_row_numbers_stay_exact_when_the_engine_reads_pieces_in_parallel(tmp_path, monkeypatch):
    rows = [io_row(i, f"text {i}" + ("\nwith, a second line" if i % 3 == 0 else "") + " x" * (i % 97))
            for i in range(1, 20_001)]
    path = write(tmp_path / "tweets.csv", IO_HEADER, rows)
    monkeypatch.setattr(inputs, "ENGINE_CSV_BUFFER_BYTES", 1 << 14)  # some 200 pieces
    with Store(":memory:") as store, monkeypatch.context() as patch:
        store.execute("SET threads = 4")
        spy = PathSpy(patch)
        [result] = load_files(store, [path])
        assert spy.paths == ["engine"] and result.rows_loaded == 20_000
        assert store.scalar("SELECT count(*) FROM posts WHERE post_id <> CAST(source_row AS VARCHAR)") == 0
        assert store.scalar("SELECT count(*) FROM (SELECT source_row, lag(source_row) OVER (ORDER BY rowid) AS previous "
                            "FROM posts) WHERE previous >= source_row") == 0  # stored in file order


def test_spaces_around_a_quoted_field_are_not_part_of_the_value_in_the_engine(tmp_path, monkeypatch):
    """The one documented difference: DuckDB drops them; pyarrow keeps them, quotes and all."""
    path = write(tmp_path / "tweets.csv", IO_HEADER, [io_row(1).replace(',"hello",', ', "hello" ,')])
    tables, took = workspace(path, monkeypatch, engine=True)
    assert took == ["engine"] and tables["posts"][0][4] == "hello"
    tables, took = workspace(path, monkeypatch, engine=False)
    assert took == ["pyarrow"] and tables["posts"][0][4] == ' "hello" '


def test_list_items_are_the_runs_between_separators_with_quotes_and_marks_trimmed(store):
    """``split_list`` matches splitting on commas and white space, then trimming ' " # @ from each item."""
    from toolkit.load.formats import split_list

    values = ["['a', 'b']", '["x","y"]', "#one #two", "@a,@b,,", "[ ]", "[]", "None", "", "  ", "['it''s']",
              "[a], [b]", "'#'", "a\tb\nc", "['https://e.org/a#frag', '@']", "[\"q\"\"q\"]", "é, ü"]
    reference = ("CASE WHEN trim(v) = '' THEN NULL WHEN trim(v) IN ('[]', 'None') THEN []::VARCHAR[] "
                 "ELSE [trim(x, ' ''\"#@') FOR x IN regexp_split_to_array(trim(v, '[] '), '[,\\s]+') "
                 "IF trim(x, ' ''\"#@') <> ''] END")
    rows = store.rows(f"SELECT v, {split_list('v')}, {reference} FROM unnest(?) t(v)", [values])
    assert [(v, new) for v, new, old in rows if new != old] == []
    assert dict((v, new) for v, new, _ in rows)["['https://e.org/a#frag', '@']"] == ["https://e.org/a#frag"]


@pytest.mark.parametrize("duplicate", [False, True], ids=["unique-rows", "a-post-in-two-rows"])
def test_a_reposts_author_comes_from_the_workspace_or_the_same_file(tmp_path, monkeypatch, duplicate):
    earlier = write(tmp_path / "earlier.csv", IO_HEADER, [io_row(1, "original", user="u1")])
    rows = [io_row(2, "RT of 1", user="u3", retweet="1"), io_row(3, "RT of 4", user="u3", retweet="4"),
            io_row(4, "original", user="u2"), io_row(5, "RT of an unknown post", user="u3", retweet="99")]
    later = write(tmp_path / "later.csv", IO_HEADER, rows + rows[2:3] * duplicate)
    loaded = {}
    for engine in (True, False):
        with monkeypatch.context() as patch, Store(":memory:") as store:
            spy = PathSpy(patch, engine=engine)
            results = load_files(store, [earlier, later])
            assert spy.paths == ["engine" if engine else "pyarrow"] * 2
            assert (results[1].rows_loaded, results[1].duplicates_merged) == (4, int(duplicate))
            loaded[engine] = store.rows("SELECT post_id, repost_of_account_id, source_id, source_row FROM posts")
    assert loaded[True] == loaded[False]
    assert loaded[True] == [("1", None, 1, 1), ("2", "u1", 2, 1), ("3", "u2", 2, 2), ("4", None, 2, 3), ("5", None, 2, 4)]


def test_a_table_without_repost_authors_gets_them_from_the_file(store, tmp_path, monkeypatch):
    path = tmp_path / "posts.csv"
    path.write_text("platform,post_id,account_id,created_at,repost_of_post_id\n"
                    "x,1,a,2023-09-02T10:00:00Z,\nx,2,b,2023-09-02T10:01:00Z,1\nx,3,c,2023-09-02T10:02:00Z,9\n")
    spy = PathSpy(monkeypatch)
    load_files(store, [path])
    assert spy.paths == ["engine"]
    assert store.rows("SELECT post_id, repost_of_account_id FROM posts") == [("1", None), ("2", "a"), ("3", None)]


def test_a_session_that_may_reorder_rows_reads_csv_through_pyarrow(store, tmp_path, monkeypatch):
    """Record numbers come from DuckDB keeping insertion order; where a session lets it reorder
    rows, the file is streamed instead."""
    store.execute("SET preserve_insertion_order = false")
    spy = PathSpy(monkeypatch)
    [result] = load_files(store, [write(tmp_path / "tweets.csv", IO_HEADER, TRICKY_ROWS)])
    assert spy.paths == ["pyarrow"] and result.rows_rejected == 2
    assert store.rows("SELECT source_row FROM rejects ORDER BY source_row") == [(9,), (10,)]
