"""Account forensics: snowflake ids, default handles (against Meta's real Spamouflage indicators),
and account_evidence on a hand-made workspace and on the bundled sample with its truth."""

from __future__ import annotations

import csv
import re

import duckdb
import numpy as np
import pandas as pd
import pytest

from conftest import SAMPLE, realdata
from sample_workspace import sample_store_copy
from toolkit.accounts import (EVIDENCE_COLUMNS, account_evidence, evidence_columns, handle_digits, handle_matches_name,
                              is_default_handle, snowflake_time)
from toolkit.accounts.handles import default_handle_sql, handle_matches_name_sql
from toolkit.accounts.snowflake import TWITTER_EPOCH_MS, snowflake_time_sql
from toolkit.errors import ParameterError
from toolkit.metrics import load_truth
from toolkit.store import Store


def snowflake_at(iso: str, low_bits: int = 12345) -> str:
    """An X id created at ``iso`` (UTC)."""
    ms = int(pd.Timestamp(iso, tz="UTC").value // 1_000_000)
    return str(((ms - TWITTER_EPOCH_MS) << 22) | low_bits)


# -- snowflake ids ------------------------------------------------------------------------------
@pytest.mark.parametrize("value, expected, reason", [
    ("1233161576649121792", "2020-02-27T22:46:45.564Z", "a tweet id"),
    ("699570924048162816", "2016-02-16T12:28:00.349Z", "one of the first snowflake user ids (Feb 2016)"),
    (1233161576649121792, "2020-02-27T22:46:45.564Z", "integers work too"),
    ("4922450361", None, "a sequential user id of Feb 2016: no time in it"),
    ("783214", None, "an early sequential user id"),
    ("12345678901234567890", None, "does not fit a signed 64-bit integer"),
    ("-5", None, "not a plain decimal id"),
    ("abc", None, "not a number"),
    (None, None, "missing"),
])
def test_snowflake_time(value, expected, reason):
    got = snowflake_time([value])[0]
    if expected is None:
        assert pd.isna(got), reason
    else:
        assert got == pd.Timestamp(expected), reason


def test_snowflake_not_after_rejects_impossible_times():
    ids = [snowflake_at("2023-06-13T02:00:00"), snowflake_at("2023-06-13T02:00:00")]
    got = snowflake_time(ids, not_after=["2023-06-01", "2023-07-01"])
    assert pd.isna(got[0]) and got[1] == pd.Timestamp("2023-06-13T02:00:00", tz="UTC")
    with pytest.raises(ParameterError, match="not_after"):
        snowflake_time(ids, not_after=["2023-06-01"])


def test_snowflake_sql_matches_python():
    rng = np.random.default_rng(3)
    ids = [str(v) for v in rng.integers(0, 2**62, size=200)] + [str(v) for v in rng.integers(0, 10**10, size=50)]
    ids += ["abc", "", "00012", "9223372036854775807"]
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    got = con.execute(f"SELECT {snowflake_time_sql('i')} FROM (SELECT unnest(?::VARCHAR[]) AS i)", [ids]).df().iloc[:, 0]
    expected = snowflake_time(ids)
    assert (got.isna() == expected.isna()).all()
    assert (pd.to_datetime(got[got.notna()], utc=True) == expected[expected.notna()]).all()


# -- handles ------------------------------------------------------------------------------------
@pytest.mark.parametrize("handle, expected, reason", [
    ("ZoeRich28859010", True, "7 letters of the name + 8 digits: X's default"),
    ("Camila17216155", True, "6 letters + 8 digits"),
    ("qwe12375724748", True, "3 letters + 11 digits"),
    ("@WillDav46208593", True, "a leading @ is ignored"),
    ("john1985", False, "a birth year is not a default suffix"),
    ("MavisRussell14", False, "a chosen name with two digits"),
    ("angelicasalaza7", False, "long name cut to 14 letters + 1 digit: ambiguous, not counted"),
    ("ZoeRich288590101", False, "16 characters: longer than X allows"),
    ("12345678901", False, "digits only"),
    ("Zoe_Rich28859010", False, "underscores are not generated"),
    ("", None, "no handle"),
    (None, None, "no handle"),
])
def test_default_handle_pattern(handle, expected, reason):
    assert is_default_handle(handle) is expected, reason


def _meta_handles() -> list[str]:
    path = realdata("meta_threat_indicators/Q2_2023_Spamouflage_China_based_CIB_updated.csv")
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["Procedure"].startswith("0.9.4")]
    return [re.search(r"twitter\[\.\]com/([^/]+)", r["Indicator"]).group(1) for r in rows]


def test_default_handles_among_metas_spamouflage_x_accounts():
    handles = _meta_handles()
    assert len(handles) == 35
    found = sorted(h for h in handles if is_default_handle(h))
    assert found == sorted(["ZoeRich28859010", "End05201180", "Safegua66287957", "WillDav46208593", "KarenMa85962925",
                            "JohnRea51505034", "CarolCa01274860", "Camila17216155", "connier48098264",
                            "EttaJac84185457", "lkk48099734", "qwe12375724748", "AlisonC01249536", "a7918578348"])
    # the others carry chosen-looking names: renamed or bought accounts
    assert {"alixmouton", "belle_zuri", "HeidiCreel2", "fred_dickinson"} <= set(handles) - set(found)


ORDINARY_HANDLES = ["JustinTrudeau", "PierrePoilievre", "CBCNews", "nytimes", "jack", "BarackObama", "john_smith",
                    "sarah1985", "maple_leafs_fan", "Marie_Eve_QC", "dad2three", "hockeymom77", "TorontoStar",
                    "user2023", "ottawa_cyclist", "LeDevoir", "jsmith_1990", "K8lyn", "xX_gamer_Xx", "amy12345"]


def test_ordinary_handles_are_not_default():
    assert not any(is_default_handle(h) for h in ORDINARY_HANDLES)


def test_handle_sql_matches_python():
    handles = _meta_handles() + ORDINARY_HANDLES + ["@ZoeRich28859010", "", "ZoeRich288590101"]
    names = ["Zoe Rich"] * len(handles)
    con = duckdb.connect()
    got = con.execute(f"SELECT {default_handle_sql('h', 'p')}, {handle_matches_name_sql('h', 'n')} "
                      "FROM (SELECT unnest(?::VARCHAR[]) AS h, unnest(?::VARCHAR[]) AS n, 'x' AS p)",
                      [handles, names]).fetchall()
    assert [g[0] for g in got] == [is_default_handle(h) for h in handles]
    assert [g[1] for g in got] == [handle_matches_name(h, n) for h, n in zip(handles, names)]


@pytest.mark.parametrize("handle, name, digits, matches", [
    ("ZoeRich28859010", "Zoe Rich", 8, True),
    ("connier48098264", "Connie R", 8, True),
    ("EmilieT12345678", "Émilie Tremblay", 8, True),   # accents folded
    ("lkk48099734", "Zoe Rich", 8, False),
    ("alixmouton", "Alix Mouton", 0, True),
    ("_x_", "Zoe", 0, None),                            # no leading letters
])
def test_handle_companions(handle, name, digits, matches):
    assert handle_digits(handle) == digits
    assert handle_matches_name(handle, name) is matches


# -- account_evidence on a hand-made workspace --------------------------------------------------
SNOWFLAKE_ACCOUNT = snowflake_at("2023-06-20T08:00:00")

# (platform, account_id, handle, display_name, created_at, description, followers) — why:
ACCOUNTS = [
    *[("x", f"b{i}", f"ZoeRic{i}28859010", f"Zoe Rich{i}", f"2023-06-13 02:{3 * i:02d}:00", "", 0)
      for i in range(8)],                                                      # 8 made within 21 minutes: a batch
    *[("x", f"o{i}", f"person_{i}", f"Person {i}", str(pd.Timestamp("2023-01-01") + pd.Timedelta(days=3 * i)),
       "Love life" if i < 3 else f"Teacher number {i}", 100 + i)
      for i in range(60)],                                                     # one every 3 days: background
    ("x", SNOWFLAKE_ACCOUNT, "WillDav46208593", "Will Davis", None, "", 0),    # no creation time: the id tells it
    ("x", "783214", "oldtimer", "Old Timer", None, "Here since 2006", 10),      # sequential id: unknown
    ("facebook", "100012345678901", None, "Amber West", None, None, None),     # Facebook publishes neither
    ("x", "h1", "WillDav46208594", "Will Davis", "2012-03-01 00:00:00", "", 0),  # hijacked: see history
    ("x", "d1", "hockeydad", "Hockey Dad", "2012-03-01 00:00:00", "Dad. Hockey.", 50),  # just quiet for 2 years
]

# (platform, post_id, account_id, created_at, lang, reply_to_account_id) — why:
POSTS = [
    *[("x", f"pb{i}", f"b{i}", "2023-08-10 03:00:00", "en", "mp1") for i in range(8)],
    *[("x", f"po{i}", f"o{i}", f"2023-08-10 {i % 24:02d}:30:00", "en", "mp1") for i in range(60)],
    ("x", "ps1", SNOWFLAKE_ACCOUNT, "2023-08-11 03:00:00", "en", "mp1"),
    ("x", "pold", "783214", "2023-08-11 04:00:00", "en", "mp1"),
    ("facebook", "pf1", "100012345678901", "2023-08-11 05:00:00", None, "page1"),
    *[("x", f"ph{i}", "h1", f"2021-03-0{i + 1} 10:00:00", "in", None) for i in range(5)],  # Indonesian, 2021
    *[("x", f"ph{i + 5}", "h1", f"2023-08-1{i} 02:00:00", "en", "mp1") for i in range(3)],  # English, 2023
    *[("x", f"pd{i}", "d1", f"2021-03-0{i + 1} 20:00:00", "en", None) for i in range(3)],
    *[("x", f"pd{i + 3}", "d1", f"2023-08-1{i} 20:00:00", "en", "mp1") for i in range(2)],
    # w1 at UTC+8: Tuesday 10:00, 10:30, 11:00 (office), 22:00 (evening)
    *[("x", f"pw{i}", "w1", t, "en", "mp1") for i, t in enumerate(
        ["2023-08-08 02:00:00", "2023-08-08 02:30:00", "2023-08-08 03:00:00", "2023-08-08 14:00:00"])],
    # r1 posts exactly every hour: perfectly regular
    *[("x", f"pr{i}", "r1", f"2023-08-09 {i:02d}:15:00", "en", "mp1") for i in range(6)],
    # c1: 2 of its 4 posts copy a message c2 also posted; c1's own repeated text is not a copy
    *[("x", f"pc{i}", "c1", f"2023-08-12 0{i}:00:00", "en", "mp1") for i in range(4)],
    ("x", "pc9", "c2", "2023-08-12 06:00:00", "en", "mp1"),
]
HISTORY = [  # (account_id, handle, display_name, description, observed_at)
    ("h1", "dimasperma44", "Dimas Permata", "Anak kos | kopi", "2022-05-01 00:00:00"),
    ("h1", "WillDav46208594", "Will Davis", "", "2023-10-02 00:00:00"),
    ("d1", "hockeydad", "Hockey Dad", "Dad. Hockey.", "2022-05-01 00:00:00"),
    ("d1", "hockeydad", "Hockey Dad", "Dad. Hockey.", "2023-10-02 00:00:00"),
]
CLUSTERS = [("x", "pc0", 1), ("x", "pc1", 1), ("x", "pc9", 1),   # cluster 1: posted by c1 and c2
            ("x", "pc2", 2), ("x", "pc3", 2)]                    # cluster 2: c1 alone, twice


@pytest.fixture(scope="module")
def handmade():
    with Store(":memory:") as s:
        for i, (platform, account, handle, name, created, bio, followers) in enumerate(ACCOUNTS, start=1):
            s.execute("INSERT INTO accounts (platform, account_id, handle, display_name, created_at, description, "
                      "followers, source_id, source_row) VALUES (?, ?, ?, ?, ?::TIMESTAMPTZ, ?, ?, 1, ?)",
                      [platform, account, handle, name, None if created is None else created + "+00", bio, followers, i])
        for i, (platform, post, account, created, lang, target) in enumerate(POSTS, start=1):
            s.execute("INSERT INTO posts (platform, post_id, account_id, created_at, lang, reply_to_account_id, "
                      "source_id, source_row) VALUES (?, ?, ?, ?::TIMESTAMPTZ, ?, ?, 1, ?)",
                      [platform, post, account, created + "+00", lang, target, i])
        for account, handle, name, bio, observed in HISTORY:
            s.execute("INSERT INTO account_history (platform, account_id, handle, display_name, description, "
                      "observed_at, source_id) VALUES ('x', ?, ?, ?, ?, ?::TIMESTAMPTZ, 1)",
                      [account, handle, name, bio, observed + "+00"])
        s.execute("CREATE TABLE clusters (cluster_id INTEGER, platform VARCHAR, post_id VARCHAR)")
        for platform, post, cluster in CLUSTERS:
            s.execute("INSERT INTO clusters VALUES (?, ?, ?)", [cluster, platform, post])
        ev = account_evidence(s, office_utc_offset_hours=8, audience_utc_offset_hours=-4)
        yield s, ev.set_index(["platform", "account_id"])


def test_evidence_table_has_the_documented_columns(handmade):
    store, ev = handmade
    table = store.df("SELECT * FROM account_evidence")
    assert list(table.columns) == [c for c, _, _ in EVIDENCE_COLUMNS] == list(evidence_columns()["column"])
    # every account of the accounts table, and those that only post (w1, r1, c1, c2)
    assert len(table) == table[["platform", "account_id"]].drop_duplicates().shape[0] == len(ACCOUNTS) + 4
    assert store.run_params("account_evidence")["office_utc_offset_hours"] == 8


def test_creation_batch_found_and_background_left_out(handmade):
    _, ev = handmade
    batch = ev.loc[[("x", f"b{i}") for i in range(8)]]
    assert batch["batch_id"].nunique() == 1 and batch["batch_id"].notna().all()
    assert (batch["batch_size"] == 8).all() and (batch["batch_p_value"] < 1e-4).all()
    assert batch["batch_first_created_at"].iloc[0] == pd.Timestamp("2023-06-13 02:00", tz="UTC")
    background = ev.loc[[("x", f"o{i}") for i in range(60)]]
    assert background["batch_id"].isna().all()
    assert (background["batch_accounts"] <= 2).all()


def test_creation_time_sources(handmade):
    _, ev = handmade
    assert ev.loc[("x", "b0"), "created_at_source"] == "data"
    snow = ev.loc[("x", SNOWFLAKE_ACCOUNT)]
    assert snow["created_at_source"] == "snowflake" and snow["created_at"] == pd.Timestamp("2023-06-20T08:00", tz="UTC")
    assert snow["age_at_first_post_days"] == pytest.approx(51.79, abs=0.01)
    assert pd.isna(ev.loc[("x", "783214"), "created_at"]) and pd.isna(ev.loc[("x", "783214"), "created_at_source"])
    assert pd.isna(ev.loc[("facebook", "100012345678901"), "created_at"])
    assert ev.loc[("x", "b3"), "age_at_first_post_days"] == pytest.approx((pd.Timestamp("2023-08-10 03:00")
                                                                         - pd.Timestamp("2023-06-13 02:09")) / pd.Timedelta(days=1))


def test_profile_evidence(handmade):
    _, ev = handmade
    assert ev.loc[("x", "b0"), "default_handle"] and ev.loc[("x", "b0"), "bio_empty"]
    assert not ev.loc[("x", "o5"), "default_handle"] and not ev.loc[("x", "o5"), "bio_empty"]
    assert pd.isna(ev.loc[("facebook", "100012345678901"), "default_handle"])   # no handle, not X
    assert pd.isna(ev.loc[("facebook", "100012345678901"), "bio_empty"])        # Facebook gives no bio
    assert ev.loc[("x", "o0"), "bio_shared_accounts"] == 2                       # "Love life" x 3
    assert ev.loc[("x", "o5"), "bio_shared_accounts"] == 0
    assert ev.loc[("x", "o5"), "followers"] == 105


def test_hijacked_account_reactivated_with_language_switch_and_rename(handmade):
    _, ev = handmade
    h = ev.loc[("x", "h1")]
    assert h["reactivated"] and h["longest_gap_days"] > 800
    assert h["dormant_from"] == pd.Timestamp("2021-03-05 10:00", tz="UTC")
    assert h["reactivated_at"] == pd.Timestamp("2023-08-10 02:00", tz="UTC")
    assert (h["posts_before"], h["posts_after"]) == (5, 3)
    assert (h["lang_before"], h["lang_after"], h["lang_switch"]) == ("in", "en", True)
    assert h["renamed"] and list(h["previous_handles"]) == ["dimasperma44"] and list(h["previous_names"]) == ["Dimas Permata"]
    assert h["bio_changed"] and h["reactivated_with_switch"]


def test_quiet_account_is_dormant_but_shows_no_switch(handmade):
    _, ev = handmade
    d = ev.loc[("x", "d1")]
    assert d["reactivated"] and not d["lang_switch"] and not d["renamed"] and not d["bio_changed"]
    assert not d["reactivated_with_switch"]
    assert pd.isna(d["topic_switch"])          # no post_text table: words not compared
    assert not ev.loc[("x", "b0"), "reactivated"]


def test_activity_profile(handmade):
    _, ev = handmade
    w = ev.loc[("x", "w1")]
    assert w["office_share"] == 0.75 and w["office_utc_offset_hours"] == 8
    # at UTC-4 the posts are at 22:00, 22:30, 23:00 and 10:00: none in 01:00-07:00
    assert w["night_share"] == 0.0 and w["audience_utc_offset_hours"] == -4
    assert ev.loc[("x", "b0"), "night_share"] == 0.0            # 03:00 UTC = 23:00 at UTC-4
    # h1's five 2021 posts at 10:00 UTC are at 06:00 at UTC-4, its three 2023 posts at 22:00
    assert ev.loc[("x", "h1"), "night_share"] == pytest.approx(5 / 8)
    r = ev.loc[("x", "r1")]
    assert r["gap_cv"] == pytest.approx(0.0) and r["median_gap_seconds"] == 3600
    assert pd.isna(ev.loc[("x", "b0"), "gap_cv"])               # one post: no gaps
    assert ev.loc[("x", "c1"), "copy_share"] == 0.5 and ev.loc[("x", "c1"), "copy_posts"] == 2
    assert ev.loc[("x", "c2"), "copy_share"] == 1.0
    assert ev.loc[("x", "b0"), "copy_share"] == 0.0


def test_period_limits_counts_but_not_dormancy(handmade):
    store, _ = handmade
    ev = account_evidence(store, start="2023-08-01", end="2023-08-31", office_utc_offset_hours=8,
                          table="account_evidence_aug").set_index(["platform", "account_id"])
    h = ev.loc[("x", "h1")]
    assert h["n_posts"] == 3 and h["n_posts_all"] == 8 and h["reactivated_with_switch"]
    assert h["first_post_at"] == pd.Timestamp("2023-08-10 02:00", tz="UTC")
    assert store.has_table("account_evidence_aug")


@pytest.mark.parametrize("kwargs, named", [
    ({"batch_window_days": 0}, "batch_window_days"),
    ({"batch_background_days": 1.5}, "batch_background_days"),
    ({"min_batch_accounts": 1}, "min_batch_accounts"),
    ({"min_dormancy_days": -1}, "min_dormancy_days"),
    ({"office_utc_offset_hours": 30}, "office_utc_offset_hours"),
    ({"start": "2023-09-01", "end": "2023-08-01"}, "end"),
    ({"start": "not a date"}, "start"),
    ({"table": "drop table x"}, "table"),
])
def test_bad_parameters_are_named(handmade, kwargs, named):
    store, _ = handmade
    with pytest.raises(ParameterError, match=named):
        account_evidence(store, **kwargs)


# -- the bundled sample and its truth ---------------------------------------------------------------
@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    store = sample_store_copy(tmp_path_factory.mktemp("accounts"))
    try:
        ev = account_evidence(store, office_utc_offset_hours=8)
        truth = load_truth(SAMPLE).accounts[["platform", "account_id", "role"]]
        yield ev.merge(truth, on=["platform", "account_id"], how="left")
    finally:
        store.close()


def _share(ev: pd.DataFrame, role: str, column: str, platform: str | None = None) -> float:
    """Share of the role's accounts where boolean ``column`` is true (NULL counts as false)."""
    rows = ev[(ev["role"] == role) & ((ev["platform"] == platform) if platform else True)]
    return float(rows[column].astype("boolean").fillna(False).astype(bool).mean())


def _in_batch(ev: pd.DataFrame, role: str, platform: str) -> float:
    rows = ev[(ev["role"] == role) & (ev["platform"] == platform)]
    return float(rows["batch_id"].notna().mean())


def test_sample_every_account_has_one_row(sample):
    assert sample["role"].notna().all()
    assert len(sample) == len(load_truth(SAMPLE).accounts)


def test_sample_new_accounts_have_default_handles_and_come_in_batches(sample):
    assert _share(sample, "campaign_new", "default_handle", "x") >= 0.95
    assert _share(sample, "organic", "default_handle", "x") <= 0.01
    assert _in_batch(sample, "campaign_new", "x") >= 0.9
    for role in ("organic", "advocacy", "viral", "mp"):
        assert _in_batch(sample, role, "x") <= 0.01, role
    new = sample[(sample["role"] == "campaign_new") & (sample["platform"] == "x")]
    organic = sample[(sample["role"] == "organic") & (sample["platform"] == "x")]
    assert new["age_at_first_post_days"].median() < 90 < 365 < organic["age_at_first_post_days"].median()


def test_sample_hijacked_accounts_are_reactivated_with_a_switch(sample):
    assert _share(sample, "campaign_hijacked", "reactivated_with_switch", "x") >= 0.9
    # without detected languages Facebook's hijacked accounts show only their renames
    assert _share(sample, "campaign_hijacked", "renamed", "facebook") >= 0.5
    for role in ("organic", "advocacy", "viral", "mp", "hyperactive", "campaign_new"):
        assert _share(sample, role, "reactivated_with_switch") <= 0.01, role


def test_sample_campaign_posts_in_beijing_office_hours(sample):
    campaign = sample[sample["role"].isin(["campaign_new", "campaign_hijacked"]) & (sample["n_posts"] > 0)]
    organic = sample[sample["role"] == "organic"]
    assert campaign["office_share"].mean() > 2 * organic["office_share"].mean()
    assert campaign["night_share"].mean() > 3 * organic["night_share"].mean()


def test_every_evidence_column_is_documented():
    from conftest import REPO

    doc = (REPO / "docs" / "accounts.md").read_text(encoding="utf-8")
    assert [c for c, _, _ in EVIDENCE_COLUMNS if f"`{c}`" not in doc] == []
