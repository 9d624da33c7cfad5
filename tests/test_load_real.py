"""Real public export files load with their exact counts, and every row read is accounted for.

Expected numbers are those measured and documented in each folder's SOURCE.md.
"""

from __future__ import annotations

import pytest

from toolkit.load import load_files, reconciliation
from conftest import realdata

CASES = [
    # file, format, records, rows read, posts, accounts, duplicates merged
    ("twarc2_api_v2_jsonl/noflat.jsonl", "twarc2_pages", "posts", 166, 164, 178, 2),
    ("twarc2_api_v2_jsonl/flat.jsonl", "twarc2_flat", "posts", 186, 164, 178, 22),
    ("twitter_io_thailand_092020/thailand_092020_tweets_csv_hashed.csv", "x_io_archive_tweets", "posts", 21_385, 21_385, 455, 0),
    ("twitter_io_thailand_092020/thailand_092020_users_csv_hashed.csv", "x_io_archive_users", "accounts", 926, 0, 926, 0),
    ("twitter_io_china_082019_users/china_082019_1_users_csv_hashed.csv", "x_io_archive_users", "accounts", 744, 0, 744, 0),
    ("crowdtangle_pycoornet/ct_shares.csv", "crowdtangle_links", "posts", 1_684, 1_058, 407, 626),
    ("coortweet/russian_coord_tweets.csv", "coortweet", "posts", 35_125, 35_085, 9_509, 40),
]


@pytest.mark.parametrize("relative, fmt, records, read, posts, accounts, merged", CASES, ids=[c[0].split("/")[-1] for c in CASES])
def test_real_file_loads_with_exact_counts(store, relative, fmt, records, read, posts, accounts, merged):
    [result] = load_files(store, [realdata(relative)])
    assert (result.format, result.records) == (fmt, records)
    assert result.rows_read == read
    assert result.duplicates_merged == merged
    assert result.rows_rejected == 0
    assert result.reconciles
    assert store.scalar("SELECT count(*) FROM posts") == posts
    assert store.scalar("SELECT count(DISTINCT (platform, post_id)) FROM posts") == posts
    assert store.scalar("SELECT count(*) FROM accounts") == accounts


def test_both_twarc2_shapes_of_the_same_tweets_give_the_same_workspace(store):
    from toolkit.store import Store

    load_files(store, [realdata("twarc2_api_v2_jsonl/noflat.jsonl")])
    with Store(":memory:") as flat:
        load_files(flat, [realdata("twarc2_api_v2_jsonl/flat.jsonl")])
        query = ("SELECT post_id, account_id, created_at, text, lang, repost_of_post_id, reply_to_account_id, "
                 "urls, hashtags, mentions FROM posts ORDER BY post_id")
        assert store.rows(query) == flat.rows(query)
        users = "SELECT account_id, handle, display_name, created_at, followers FROM accounts ORDER BY account_id"
        assert store.rows(users) == flat.rows(users)


def test_twarc2_fields_map_onto_the_schema(store):
    load_files(store, [realdata("twarc2_api_v2_jsonl/noflat.jsonl")])
    row = store.df("SELECT * FROM posts WHERE post_id = '1380242611781386245'").iloc[0]
    assert row.account_id == "1352661060663336960"
    assert str(row.created_at) == "2021-04-08 19:34:16+00:00"
    assert row.repost_of_post_id == "1380175475545362437"
    assert list(row.mentions) == ["williamserafino"]
    assert row.text.startswith("RT @williamserafino: De manera simultánea")
    assert row.lang == "es" and row.client == "Twitter for Android"
    # the retweeted tweet is in includes.tweets: its author becomes the repost's target account
    assert row.repost_of_account_id == store.scalar("SELECT account_id FROM posts WHERE post_id = '1380175475545362437'")
    user = store.df("SELECT * FROM accounts WHERE account_id = '1352661060663336960'").iloc[0]
    assert (user.handle, user.display_name, user.followers, user.post_count) == ("Alexandravm12", "Alexandra Machado", 58, 14483)
    assert str(user.created_at) == "2021-01-22 16:55:15+00:00"
    assert str(user.observed_at) == "2021-04-08 19:34:32+00:00"  # __twarc.retrieved_at
    assert store.scalar("SELECT count(*) FROM posts WHERE lang = 'en'") > 0
    assert store.scalar("SELECT count(*) FROM posts WHERE repost_of_post_id IS NOT NULL") >= 47


def test_io_archive_values_follow_the_release_conventions(store):
    load_files(store, [realdata("twitter_io_thailand_092020/thailand_092020_tweets_csv_hashed.csv")])
    langs = dict(store.rows("SELECT lang, count(*) FROM posts GROUP BY lang"))
    assert (langs["th"], langs["und"], langs["en"]) == (19_949, 1_259, 162)
    assert store.scalar("SELECT count(*) FROM posts WHERE repost_of_post_id IS NOT NULL") == 11_199
    assert store.scalar("SELECT count(*) FROM posts WHERE reply_to_account_id IS NOT NULL") == 6_853
    assert store.scalar("SELECT count(DISTINCT reply_to_account_id) FROM posts") == 821
    first, last = store.rows("SELECT min(created_at)::DATE::VARCHAR, max(created_at)::DATE::VARCHAR FROM posts")[0]
    assert (first, last) == ("2015-10-12", "2020-07-20")
    # ids are kept as strings, exactly
    assert store.scalar("SELECT post_id FROM posts ORDER BY source_row LIMIT 1") == "1196659470232772609"
    # list literals become lists
    assert store.scalar("SELECT urls FROM posts WHERE post_id = '1196659470232772609'") == [
        "https://www.thansettakij.com/content/politics/414883#.XdN7lAosc28.twitter"]


def test_io_archive_users_creation_dates(store):
    load_files(store, [realdata("twitter_io_china_082019_users/china_082019_1_users_csv_hashed.csv")])
    first, last = store.rows("SELECT min(created_at)::DATE::VARCHAR, max(created_at)::DATE::VARCHAR FROM accounts")[0]
    assert (first, last) == ("2008-05-16", "2019-05-07")
    assert store.scalar("SELECT count(*) FROM accounts WHERE year(created_at) = 2017") == 416
    load_files(store, [realdata("twitter_io_thailand_092020/thailand_092020_users_csv_hashed.csv")])
    assert store.scalar("SELECT count(*) FROM accounts WHERE year(created_at) IN (2019, 2020) AND account_id IN "
                        "(SELECT account_id FROM accounts WHERE source_id = 2)") == 907


def test_crowdtangle_rows_of_one_post_merge_keeping_every_link(store):
    import pandas as pd

    path = realdata("crowdtangle_pycoornet/ct_shares.csv")
    load_files(store, [path])
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    expected_pairs = raw[["id", "expanded"]].drop_duplicates()
    assert store.scalar("SELECT sum(len(urls)) FROM posts") == len(expected_pairs)
    assert store.scalar("SELECT count(DISTINCT u) FROM (SELECT unnest(urls) AS u FROM posts)") == raw.expanded.nunique() == 1_156
    assert store.scalar("SELECT count(DISTINCT platform) FROM posts") == 1
    assert store.scalar("SELECT platform FROM posts LIMIT 1") == "facebook"
    assert store.scalar("SELECT count(*) FROM accounts WHERE handle = 'NA'") == 0  # R's NA is missing, not a handle


def test_coortweet_share_table(store):
    [result] = load_files(store, [realdata("coortweet/russian_coord_tweets.csv")])
    # 39 shares are listed with two different objects: the first is kept and the conflict is noted
    assert result.notes == ["posts given in several rows that disagree on repost_of_post_id (39): "
                            "the first row's values were kept (e.g. post 77f7a2d01238779cf4f9c84e57dce19a)"]
    assert store.scalar("SELECT count(DISTINCT repost_of_post_id) FROM posts") == 7_255
    first, last = store.rows("SELECT min(created_at)::DATE::VARCHAR, max(created_at)::DATE::VARCHAR FROM posts")[0]
    assert (first, last) == ("2021-01-17", "2021-08-30")
    assert store.scalar("SELECT platform FROM posts LIMIT 1") == "x"


def test_youtube_comments_through_a_column_mapping(store):
    """Other tools' CSVs load with --map; empty dates are rejected row by row, never silently."""
    [result] = load_files(store, [realdata("youtube_spam_collection/Youtube04-Eminem.csv")],
                          mapping={"COMMENT_ID": "post_id", "AUTHOR": "account_id", "DATE": "created_at", "CONTENT": "text"},
                          platform="youtube")
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (448, 203, 245)
    reasons = store.rows("SELECT DISTINCT reason FROM rejects")
    assert reasons == [("no creation time (field DATE is empty or missing)",)]
    assert any("without a UTC offset" in note for note in result.notes)


def test_all_real_files_in_one_workspace_reconcile(store):
    paths = [realdata(c[0]) for c in CASES]
    results = load_files(store, paths)
    table = reconciliation(store)
    assert len(table) == len(paths) and table.reconciles.all()
    assert table.rows_read.sum() == sum(r.rows_read for r in results)
    assert store.scalar("SELECT count(*) FROM posts") == 164 + 21_385 + 1_058 + 35_085
