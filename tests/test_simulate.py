"""The simulator: formats exactly as the real tools write them, the campaign's published
shape (dates, hours, accounts, languages), authentic traps, fictional names, determinism,
and the bundled sample's reproducibility."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from toolkit.cli import main
from toolkit.errors import ParameterError
from toolkit.schema import CANONICAL_FILE_COLUMNS
from toolkit.simulate import OUTPUT_FILES, simulate
from toolkit.simulate.ids import TWITTER_EPOCH_MS, USER_SNOWFLAKE_FROM_MS
from toolkit.simulate.names import PROVINCES

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"
SMALL_SEED, SMALL_SCALE = 11, 0.15


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sim")
    simulate(out, seed=SMALL_SEED, scale=SMALL_SCALE)
    return out


@pytest.fixture(scope="module")
def pages(small) -> list[dict]:
    with gzip.open(small / "x_tweets.jsonl.gz", "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope="module")
def truth(small) -> dict[str, pd.DataFrame]:
    accounts = pd.read_csv(small / "truth" / "accounts.csv", dtype=str, keep_default_na=False)
    posts = pd.read_csv(small / "truth" / "posts.csv", dtype=str, keep_default_na=False)
    posts["t"] = pd.to_datetime(posts["created_at"], utc=True)
    return {"accounts": accounts, "posts": posts, "campaign": json.loads((small / "truth" / "campaign.json").read_text())}


@pytest.fixture(scope="module")
def sample_truth() -> dict:
    posts = pd.read_csv(SAMPLE / "truth" / "posts.csv", dtype=str, keep_default_na=False)
    posts["t"] = pd.to_datetime(posts["created_at"], utc=True)
    accounts = pd.read_csv(SAMPLE / "truth" / "accounts.csv", dtype=str, keep_default_na=False)
    return {"posts": posts, "accounts": accounts, "campaign": json.loads((SAMPLE / "truth" / "campaign.json").read_text())}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- reproducibility -------------------------------------------------------------------------
def test_bundled_sample_is_reproducible_from_its_recorded_seed(tmp_path):
    recorded = json.loads((SAMPLE / "truth" / "campaign.json").read_text())
    simulate(tmp_path, seed=recorded["seed"], scale=recorded["scale"])
    differing = [name for name in OUTPUT_FILES if _sha(tmp_path / name) != _sha(SAMPLE / name)]
    assert not differing, (
        f"data/sample differs from a fresh run in {differing}; if the simulator changed on purpose, regenerate with "
        f"`cib simulate --out data/sample --seed {recorded['seed']} --scale {recorded['scale']:g} --force`")


def test_same_seed_same_bytes_other_seed_other_campaign(tmp_path):
    for name, seed in (("one", 5), ("again", 5), ("other", 6)):
        simulate(tmp_path / name, seed=seed, scale=0.03)
    for name in OUTPUT_FILES:
        assert _sha(tmp_path / "again" / name) == _sha(tmp_path / "one" / name), name
    assert _sha(tmp_path / "other" / "truth" / "posts.csv") != _sha(tmp_path / "one" / "truth" / "posts.csv")


def test_gzip_header_has_no_time_or_name(small):
    header = (small / "x_tweets.jsonl.gz").read_bytes()[:10]
    assert header[:2] == b"\x1f\x8b"
    assert header[3] & 0x08 == 0, "gzip header carries a file name"
    assert header[4:8] == b"\x00\x00\x00\x00", "gzip header carries a time stamp"


@pytest.mark.parametrize("kwargs, fragment", [
    ({"scale": 0}, "scale=0"),
    ({"scale": -1.0}, "scale=-1.0"),
    ({"scale": 1e6}, "expected a number in (0, 20]"),
    ({"seed": -3}, "seed=-3"),
    ({"seed": 1.5}, "non-negative integer"),
])
def test_bad_parameters_are_refused_with_the_value(tmp_path, kwargs, fragment):
    with pytest.raises(ParameterError, match=re.escape(fragment)):
        simulate(tmp_path, **kwargs)
    assert not (tmp_path / "x_tweets.jsonl.gz").exists()


# -- the X file: twarc2 response pages -------------------------------------------------------
def test_every_line_is_a_twarc2_response_page(pages):
    assert pages
    for page in pages:
        assert set(page) >= {"data", "includes", "meta", "__twarc"}
        assert 1 <= len(page["data"]) <= 100
        meta = page["meta"]
        assert meta["result_count"] == len(page["data"])
        ids = [int(t["id"]) for t in page["data"]]
        assert ids == sorted(ids, reverse=True), "the API returns newest first"
        assert meta["newest_id"] == page["data"][0]["id"] and meta["oldest_id"] == page["data"][-1]["id"]
        assert set(page["__twarc"]) == {"url", "version", "retrieved_at"}
        assert page["__twarc"]["url"].startswith("https://api.twitter.com/2/")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", page["__twarc"]["retrieved_at"])


def test_pagination_tokens_chain_pages_of_one_query(pages):
    by_query: dict[str, list[dict]] = {}
    for page in pages:
        base = re.sub(r"&(next_token|pagination_token)=\w+$", "", page["__twarc"]["url"])
        by_query.setdefault(base, []).append(page)
    for query_pages in by_query.values():
        for page, following in zip(query_pages, query_pages[1:]):
            assert page["meta"]["next_token"] and page["meta"]["next_token"] in following["__twarc"]["url"]
        assert "next_token" not in query_pages[-1]["meta"]


def test_tweets_have_the_v2_fields_and_snowflake_ids_matching_their_time(pages):
    tweets = [t for p in pages for t in p["data"]]
    for t in tweets:
        assert {"id", "text", "created_at", "author_id", "conversation_id", "lang", "source", "public_metrics",
                "reply_settings", "possibly_sensitive"} <= set(t)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z", t["created_at"])
    ids = np.array([int(t["id"]) for t in tweets], dtype=np.int64)
    seconds = pd.to_datetime([t["created_at"] for t in tweets], utc=True).as_unit("s").astype("int64").to_numpy()
    assert np.array_equal(((ids >> 22) + TWITTER_EPOCH_MS) // 1000, seconds)
    assert len(set(ids.tolist())) == len(ids)


def test_replies_reference_the_mp_post_and_includes_expand_it(pages, small):
    mps = pd.read_csv(small / "mps.csv", dtype=str)
    mp_ids = set(mps.loc[mps["platform"] == "x", "account_id"])
    replies = 0
    for page in pages:
        users = {u["id"] for u in page["includes"]["users"]}
        included = {t["id"]: t for t in page["includes"].get("tweets", [])}
        for t in page["data"]:
            assert t["author_id"] in users
            if "referenced_tweets" in t:
                replies += 1
                target = t["referenced_tweets"][0]["id"]
                assert t["referenced_tweets"][0]["type"] == "replied_to"
                assert target in included and included[target]["author_id"] == t["in_reply_to_user_id"]
                assert t["in_reply_to_user_id"] in mp_ids and t["conversation_id"] == target
                assert t["text"].startswith("@"), "X reply texts start with the @handle replied to"
                assert t["entities"]["mentions"][0]["id"] == t["in_reply_to_user_id"]
                assert int(t["id"]) > int(target), "a reply comes after the post it answers"
    assert replies > 1000


def test_entities_offsets_point_at_their_text(pages):
    checked = 0
    for page in pages:
        for t in page["data"]:
            for tag in t.get("entities", {}).get("hashtags", []):
                assert t["text"][tag["start"]:tag["end"]] == "#" + tag["tag"]
                checked += 1
            for url in t.get("entities", {}).get("urls", []):
                assert t["text"][url["start"]:url["end"]] == url["url"] and url["expanded_url"].startswith("https://")
    assert checked > 0


def test_user_ids_are_snowflakes_after_2015_and_small_before(pages):
    users = {u["id"]: u for p in pages for u in p["includes"]["users"]}
    for user in users.values():
        created_ms = pd.Timestamp(user["created_at"]).value // 10**6
        uid = int(user["id"])
        if created_ms >= USER_SNOWFLAKE_FROM_MS:
            assert abs(((uid >> 22) + TWITTER_EPOCH_MS) - created_ms) < 1000
        else:
            assert uid < 5_000_000_000
        assert len(user["username"]) <= 15 and re.fullmatch(r"\w+", user["username"])


def test_hijacked_accounts_show_their_old_name_in_earlier_pages_and_the_new_one_later(pages, truth):
    acc = truth["accounts"]
    renamed = acc[(acc["platform"] == "x") & (acc["role"] == "campaign_hijacked") & (acc["renamed"] == "true")]
    assert len(renamed)
    seen: dict[str, set[tuple[str, str]]] = {}
    for page in pages:
        year = page["__twarc"]["retrieved_at"][:4]
        for user in page["includes"]["users"]:
            seen.setdefault(user["id"], set()).add((year, user["username"]))
    for row in renamed.itertuples():
        by_year = seen[row.account_id]
        assert {h for year, h in by_year if year < "2023"} == {row.old_handle}
        assert {year for year, h in by_year if year < "2023"} == {"2022"}
        assert {h for year, h in by_year if year == "2023"} == {row.handle} != {row.old_handle}


def test_hijacked_history_is_in_another_language_and_ended_a_year_before(truth):
    posts = truth["posts"]
    hist = posts[posts["role"] == "hijacked_history"]
    assert set(hist["lang"]) <= {"in", "ko", "en"} and {"in", "ko"} <= set(hist["lang"])
    first_campaign = posts[posts["role"] == "campaign"].groupby("account_id")["t"].min()
    last_old = hist.groupby("account_id")["t"].max()
    gap = (first_campaign.reindex(last_old.index) - last_old).dropna()
    assert len(gap) and (gap >= pd.Timedelta(days=365)).all()


# -- the Facebook file and the target list ---------------------------------------------------
def test_facebook_csv_has_the_canonical_header_and_comments_on_page_posts(small):
    with open(small / "facebook_comments.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == CANONICAL_FILE_COLUMNS
    fb = pd.DataFrame(rows[1:], columns=rows[0])
    assert (fb["platform"] == "facebook").all() and (fb["account_created_at"] == "").all()
    assert fb["created_at"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ").all()
    mps = pd.read_csv(small / "mps.csv", dtype=str)
    pages_ = set(mps.loc[mps["platform"] == "facebook", "account_id"])
    page_posts = fb[fb["account_id"].isin(pages_)]
    assert (page_posts["reply_to_post_id"] == "").all()
    assert page_posts["post_id"].str.split("_").str[0].isin(pages_).all()
    on_mps = fb[fb["reply_to_account_id"].isin(pages_)]
    assert on_mps["reply_to_post_id"].isin(set(page_posts["post_id"])).all()
    parent_number = on_mps["reply_to_post_id"].str.split("_").str[1]
    assert (on_mps["post_id"].str.split("_").str[0] == parent_number).all()
    assert (small / "facebook_comments.csv").read_bytes().count(b"\r\n") == 0


def test_mps_are_fifty_fictional_people_across_parties_and_all_provinces(small):
    mps = pd.read_csv(small / "mps.csv", dtype=str)
    assert list(mps.columns) == ["platform", "account_id", "handle", "name", "party", "province"]
    assert mps.groupby("platform").size().to_dict() == {"facebook": 50, "x": 50}
    assert set(mps["province"]) == set(PROVINCES) and len(set(PROVINCES)) == 13
    assert mps["party"].nunique() == 5


REAL_NAMES = ["Liu Xin", "Lao Deng", "老灯", "刘新", "Trudeau", "Poilievre", "Jagmeet", "Blanchet", "Elizabeth May",
              "Freeland", "Mélanie Joly", "Michael Chong", "Jenny Kwan"]


def test_no_real_person_is_named_anywhere(small):
    with gzip.open(small / "x_tweets.jsonl.gz", "rt", encoding="utf-8") as f:
        x_text = json.dumps([json.loads(line) for line in f], ensure_ascii=False)
    everything = x_text + "".join((small / name).read_text(encoding="utf-8") for name in OUTPUT_FILES[1:])
    found = [name for name in REAL_NAMES if name.lower() in everything.lower()]
    assert not found


# -- ground truth and the campaign's published shape -----------------------------------------
def test_truth_lists_every_post_and_account_of_the_files(small, pages, truth):
    posts = truth["posts"]
    x_ids = {t["id"] for p in pages for t in p["data"]}
    fb = pd.read_csv(small / "facebook_comments.csv", dtype=str, keep_default_na=False)
    assert x_ids == set(posts.loc[posts["platform"] == "x", "post_id"])
    assert set(fb["post_id"]) == set(posts.loc[posts["platform"] == "facebook", "post_id"])
    assert set(truth["accounts"]["role"]) == {"campaign_new", "campaign_hijacked", "organic", "advocacy", "viral",
                                               "hyperactive", "mp"}
    campaign = posts[posts["role"] == "campaign"]
    assert campaign["template_id"].str.fullmatch(r"T\d\d").all()
    assert (posts.loc[posts["role"] != "campaign", "template_id"] == "").all()
    summary = truth["campaign"]
    assert summary["first_post"] == campaign["t"].min().strftime("%Y-%m-%dT%H:%M:%SZ")
    assert summary["last_post"] == campaign["t"].max().strftime("%Y-%m-%dT%H:%M:%SZ")
    assert summary["seed"] == SMALL_SEED and summary["scale"] == SMALL_SCALE


def test_sample_campaign_follows_the_published_timeline(sample_truth):
    summary = sample_truth["campaign"]
    assert summary["first_post"].startswith("2023-08-07")
    assert summary["peak_day"] in {"2023-09-02", "2023-09-03", "2023-09-04"}
    assert "2023-09-11" <= summary["last_post"][:10] <= "2023-09-12"
    daily = pd.Series(summary["daily_posts"])
    august = daily[daily.index < "2023-09-01"]
    assert august[august.index >= "2023-08-21"].sum() > 2 * august[august.index < "2023-08-14"].sum(), "growth through August"
    assert daily[["2023-09-02", "2023-09-03", "2023-09-04"]].sum() > 0.3 * daily.sum(), "surge over the long weekend"
    assert summary["targeted_mps"] >= 45


def test_campaign_posts_in_beijing_office_hours_mostly_on_weekdays(sample_truth):
    posts = sample_truth["posts"]
    t = posts.loc[posts["role"] == "campaign", "t"].dt.tz_convert("Asia/Shanghai")
    hours = t.dt.hour + t.dt.minute / 60
    assert ((hours >= 9) & (hours < 23)).mean() > 0.97
    assert ((hours >= 12.25) & (hours < 13.25)).mean() < 0.02, "lunch break"
    outside_surge = t[~t.dt.strftime("%m-%d").isin(["09-02", "09-03", "09-04"])]
    assert (outside_surge.dt.day_of_week < 5).mean() > 0.85


def test_ordinary_replies_peak_in_canadian_evenings_and_are_mostly_english(sample_truth):
    posts = sample_truth["posts"]
    organic = posts[posts["role"] == "organic"]
    eastern = organic["t"].dt.tz_convert("America/Toronto").dt.hour
    assert eastern.isin(range(18, 24)).mean() > 2 * eastern.isin(range(2, 8)).mean()
    share_en = (organic["lang"] == "en").mean()
    assert 0.68 < share_en < 0.8 and (organic["lang"] == "fr").mean() > 0.2


def test_campaign_accounts_two_thirds_new_created_in_batches_before_the_start(sample_truth):
    acc = sample_truth["accounts"]
    counts = acc["role"].value_counts()
    assert 250 <= counts["campaign_new"] + counts["campaign_hijacked"] <= 400
    assert counts["campaign_new"] / (counts["campaign_new"] + counts["campaign_hijacked"]) == pytest.approx(2 / 3, abs=0.05)
    assert counts["organic"] >= 20_000
    new = acc[acc["role"] == "campaign_new"]
    created = pd.to_datetime(new["created_at"], utc=True)
    assert created.max() < pd.Timestamp(sample_truth["campaign"]["first_post"])
    assert created.min() > pd.Timestamp("2023-05-01", tz="UTC")
    assert created.dt.date.nunique() <= 12, "registered in a few batches"
    x_new = new[new["platform"] == "x"]
    assert x_new["handle"].str.fullmatch(r"[A-Za-z]{1,7}\d{8}").mean() > 0.95


def test_squads_post_one_template_within_minutes_across_platforms_and_languages(sample_truth):
    camp = sample_truth["posts"][sample_truth["posts"]["role"] == "campaign"]
    waves = camp.groupby("wave").agg(span=("t", lambda s: s.max() - s.min()), templates=("template_id", "nunique"),
                                     platforms=("platform", "nunique"), langs=("lang", "nunique"), n=("post_id", "size"))
    assert (waves["templates"] == 1).all()
    assert (waves["span"] < pd.Timedelta(minutes=60)).mean() > 0.95
    assert (waves["platforms"] == 2).mean() > 0.5 and (waves["langs"] >= 2).mean() > 0.7
    assert set(camp["lang"]) == {"en", "fr", "zh"}
    per_template = camp.groupby("template_id")["lang"].agg(set)
    assert per_template.map(lambda langs: {"en", "fr"} <= langs).mean() > 0.9


def test_authentic_traps_coordinate_openly(sample_truth):
    posts, acc = sample_truth["posts"], sample_truth["accounts"]
    adv = posts[posts["role"] == "advocacy"]
    assert adv["account_id"].nunique() >= 250 and set(adv["group_id"]) == {"advocacy-pharmacare"}
    assert adv["t"].dt.date.nunique() >= 5, "over several days"
    adv_accounts = acc[acc["role"] == "advocacy"]
    assert (pd.to_datetime(adv_accounts["created_at"], utc=True) < pd.Timestamp("2022-07-01", tz="UTC")).all()
    viral = posts[posts["role"] == "viral"]
    assert viral["t"].min() >= pd.Timestamp("2023-09-07T13:00", tz="UTC") and viral["account_id"].nunique() >= 200
    hyper = posts[posts["role"] == "hyperactive"].groupby("account_id").size()
    assert len(hyper) >= 2 and hyper.min() >= 150


def test_ordinary_texts_are_rarely_exact_copies(sample_truth):
    fb = pd.read_csv(SAMPLE / "facebook_comments.csv", dtype=str, keep_default_na=False)
    roles = sample_truth["posts"].loc[sample_truth["posts"]["platform"] == "facebook", ["post_id", "role"]]
    fb = fb.merge(roles, on="post_id")
    sharing = fb.groupby("text")["account_id"].transform("nunique")
    organic = fb["role"] == "organic"
    assert (sharing[organic] >= 3).mean() < 0.03
    assert (sharing[fb["role"] == "advocacy"] >= 3).mean() > 0.5


@pytest.fixture(scope="module")
def sample_organic() -> pd.DataFrame:
    """The sample's ordinary replies (truth role ``organic``) in the toolkit's matching form:
    ``platform, post_id, text, norm_text, tokens`` (:func:`toolkit.text.normalize.normalise_posts`)."""
    from toolkit.store import Store
    from toolkit.text.normalize import normalise_posts

    posts = pd.read_csv(SAMPLE / "truth" / "posts.csv", dtype=str, keep_default_na=False, usecols=["platform", "post_id", "role"])
    organic = posts[posts["role"] == "organic"]
    wanted_x = set(organic.loc[organic["platform"] == "x", "post_id"])
    with gzip.open(SAMPLE / "x_tweets.jsonl.gz", "rt", encoding="utf-8") as f:
        x = {t["id"]: t["text"] for line in f for t in json.loads(line)["data"] if t["id"] in wanted_x}
    fb = pd.read_csv(SAMPLE / "facebook_comments.csv", dtype=str, keep_default_na=False, usecols=["post_id", "text"])
    fb = fb[fb["post_id"].isin(set(organic.loc[organic["platform"] == "facebook", "post_id"]))]
    texts = pd.concat([pd.DataFrame({"platform": "x", "post_id": list(x), "text": list(x.values())}),
                       fb.assign(platform="facebook")[["platform", "post_id", "text"]]], ignore_index=True)
    assert len(texts) == len(organic)
    texts["row"] = np.arange(1, len(texts) + 1)
    with Store(":memory:") as store:
        store.con.register("organic_texts", texts)
        store.execute("INSERT INTO posts (platform, post_id, account_id, created_at, text, source_id, source_row) "
                      "SELECT platform, post_id, 'a', TIMESTAMPTZ '2023-08-01 00:00:00+00', text, 1, row FROM organic_texts")
        normalise_posts(store)
        form = store.df("SELECT platform, post_id, norm_text, tokens FROM post_text")
    return texts.drop(columns="row").merge(form, on=["platform", "post_id"])


def test_ordinary_replies_are_lexically_diverse(sample_organic):
    """Two random replies to MPs rarely share most of their words, as in real replies: no body
    sentence is reused by hundreds of posts, so near-duplicate matching finds no giant
    "copy" clusters among ordinary people. Word sets of the matching form, random pairs."""
    words = [frozenset(t.split()) for t in sample_organic["tokens"]]
    rng = np.random.default_rng(20230907)
    a, b = rng.integers(0, len(words), size=(2, 300_000))
    a, b = a[a != b], b[a != b]
    at_05 = at_06_with_8 = 0
    for i, j in zip(a.tolist(), b.tolist()):
        shared = len(words[i] & words[j])
        if shared:
            jaccard = shared / (len(words[i]) + len(words[j]) - shared)
            at_05 += jaccard >= 0.5
            at_06_with_8 += jaccard >= 0.6 and shared >= 8
    assert at_05 / len(a) <= 0.0005, f"{at_05} of {len(a)} random pairs of ordinary replies have Jaccard >= 0.5"
    assert at_06_with_8 / len(a) <= 0.0001, f"{at_06_with_8} of {len(a)} pairs have Jaccard >= 0.6 with >= 8 shared words"


def test_ordinary_replies_are_not_copies_apart_from_stock_short_replies(sample_organic):
    from toolkit.simulate.texts import SHORT_REPLIES

    stock = {reply for replies in SHORT_REPLIES.values() for reply in replies}
    written = sample_organic["text"].str.replace(r"^@\w+ ", "", regex=True)  # X replies start with the MP's @handle
    is_stock = written.isin(stock)
    assert 0.003 < is_stock.mean() < 0.02, "people still write 'Thank you!' word for word"
    for form, texts in (("as written", written), ("matching form", sample_organic["norm_text"])):
        copies = texts.duplicated(keep=False) & ~is_stock
        assert copies.mean() < 0.005, f"{copies.mean():.2%} of ordinary replies are exact copies ({form})"


def test_every_phrase_parses_and_every_reference_resolves():
    from toolkit.simulate import phrases, wording

    for name, grammar in wording._GRAMMARS.items():
        refs = wording.references(grammar)
        unknown = {r for r in refs if not r.startswith("@") and r not in grammar and r not in phrases.SLOTS}
        assert not unknown, f"grammar {name}: {sorted(unknown)} are neither rules nor slots"
        for topic in phrases.REPLY_TOPICS.get(name, []):
            missing = {r[1:] for r in refs if r.startswith("@") and f"{topic}.{r[1:]}" not in grammar}
            assert not missing, f"grammar {name}, topic {topic}: no rule {sorted(missing)}"
    with pytest.raises(wording.GrammarError, match="unclosed"):
        wording.compile_grammar({"bad": ["a [b|c"]})


def test_wording_never_shifts_what_happens(tmp_path, monkeypatch):
    """How posts are worded comes from random streams of its own: rewording every ordinary reply
    leaves every post's time, author, target and role, and every other post's text, unchanged."""
    from toolkit.simulate.wording import Wording

    simulate(tmp_path / "one", seed=5, scale=0.03)
    monkeypatch.setattr(Wording, "reply_parts", lambda self, lang, slots, **kw: [f"Something else {self.u():.3f}"])
    simulate(tmp_path / "two", seed=5, scale=0.03)
    one, two = (pd.read_csv(tmp_path / d / "truth" / "posts.csv", dtype=str) for d in ("one", "two"))
    pd.testing.assert_frame_equal(one, two)
    fb_one, fb_two = (pd.read_csv(tmp_path / d / "facebook_comments.csv", dtype=str, keep_default_na=False) for d in ("one", "two"))
    reworded = set(one.loc[one["role"].isin(["organic", "hyperactive"]), "post_id"])
    other = ~fb_one["post_id"].isin(reworded)
    assert fb_one.loc[other, "text"].equals(fb_two.loc[other, "text"])
    assert not fb_one.loc[~other, "text"].equals(fb_two.loc[~other, "text"])


# -- the command line and the loaders --------------------------------------------------------
def test_cli_refuses_a_non_empty_directory_unless_forced(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert main(["simulate", "--out", str(out), "--scale", "0.05"]) == 2
    assert "not empty" in capsys.readouterr().err and not (out / "x_tweets.jsonl.gz").exists()
    assert main(["simulate", "--out", str(out), "--scale", "0.05", "--seed", "3", "--force"]) == 0
    printed = capsys.readouterr().out
    assert "x_tweets.jsonl.gz" in printed and "peak day" in printed
    assert (out / "notes.txt").read_text() == "mine"
    assert json.loads((out / "truth" / "campaign.json").read_text())["seed"] == 3


def test_output_loads_with_zero_rejects_and_shows_renames(small, truth):
    from toolkit.load import load_files
    from toolkit.store import Store

    with Store(":memory:") as store:
        results = load_files(store, [small / "x_tweets.jsonl.gz", small / "facebook_comments.csv"])
        assert all(r.reconciles and r.rows_rejected == 0 for r in results)
        assert store.scalar("SELECT count(*) FROM posts") == len(truth["posts"])
        acc = truth["accounts"]
        renamed = acc[(acc["platform"] == "x") & (acc["renamed"] == "true")].iloc[0]
        handles = {r[0] for r in store.rows("SELECT handle FROM account_history WHERE platform = 'x' AND account_id = ?",
                                            [renamed["account_id"]])}
        assert handles == {renamed["old_handle"], renamed["handle"]}
