"""The timeline on the bundled simulated campaign (checked against its ground truth) and on a
real information-operations archive."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from conftest import SAMPLE, realdata
from toolkit.load import load_files
from toolkit.store import Store
from toolkit.timeline import (campaign_phases, detect_bursts, earliest_posts, fit_utc_offset, summarise_timeline,
                              volume_series)

#: Canadian summer UTC offsets, Pacific to Atlantic (Newfoundland's -2:30 aside).
CANADIAN_SUMMER_OFFSETS = (-7.0, -3.0)


@pytest.fixture(scope="module")
def sample():
    """The bundled sample loaded once, its campaign selection (truth roles 'campaign*') and truth."""
    if not (SAMPLE / "truth" / "campaign.json").exists():
        pytest.skip(f"bundled sample not found in {SAMPLE} (regenerate with `cib simulate --out data/sample`)")
    truth = json.loads((SAMPLE / "truth" / "campaign.json").read_text())
    posts = pd.read_csv(SAMPLE / "truth" / "posts.csv", dtype=str, keep_default_na=False)
    with Store(":memory:") as store:
        load_files(store, [SAMPLE / "x_tweets.jsonl.gz", SAMPLE / "facebook_comments.csv"])
        campaign = posts[posts["role"].str.startswith("campaign")]
        yield store, campaign[["platform", "post_id", "template_id"]].reset_index(drop=True), truth, posts


@pytest.fixture(scope="module")
def summary(sample):
    store, campaign, _, _ = sample
    return summarise_timeline(store, campaign[["platform", "post_id"]])


def test_first_sign_is_within_hours_of_the_true_first_post(summary, sample):
    truth = sample[2]
    first_sign = pd.Timestamp(summary["first_sign"])
    error_hours = abs((first_sign - pd.Timestamp(truth["first_post"])).total_seconds()) / 3600
    assert error_hours <= 3, f"first sign {first_sign} vs truth {truth['first_post']}"
    assert summary["first_post"] == truth["first_post"]
    detail = summary["first_sign_detail"]
    assert detail["window"]["accounts"] >= 2 and detail["window"]["p_value"] < detail["window"]["threshold"]
    assert detail["evidence"][0]["created_at"] == summary["first_sign"]  # the post that starts it is named


def test_peak_day_is_the_true_peak_day(summary, sample):
    truth = sample[2]
    assert summary["peak_day"] == truth["peak_day"]
    assert summary["peak_day_posts"] == truth["peak_day_posts"]
    assert summary["last_post"] == truth["last_post"]


def test_campaign_works_beijing_office_hours_and_the_baseline_is_canadian(summary):
    office = summary["office_hours"]
    assert office["campaign"]["offset"] == "UTC+8"
    low, high = CANADIAN_SUMMER_OFFSETS
    assert low <= office["baseline"]["offset_hours"] <= high
    assert office["campaign"]["log_likelihood_ratio"] > 20  # the offset is clearly identified
    assert office["campaign"]["office_share"] > 1.5 * office["baseline"]["office_share"]
    assert office["campaign"]["lunch_dip"] < 0.5 < office["baseline"]["lunch_dip"]
    assert office["campaign"]["night_share"] < 0.02


def test_phases_tell_the_story_from_first_post_to_the_labour_day_surge(summary, sample):
    truth = sample[2]
    phases = {p["name"]: p for p in summary["phases"]}
    assert [p["name"] for p in summary["phases"]][:4] == ["quiet start", "ramp", "peak", "decay"]
    assert phases["ramp"]["start"] == truth["first_post"][:10]
    assert phases["ramp"]["growth_rate_per_day"] > 0 and phases["decay"]["growth_posts_per_day"] < 0
    assert phases["peak"]["start"] <= truth["peak_day"] <= phases["peak"]["end"]
    assert phases["peak"]["start"] <= "2023-09-02" and phases["peak"]["end"] >= "2023-09-04"


def test_labour_day_long_weekend_is_an_unusual_surge(summary):
    unusual = {d["date"]: d for d in summary["unusual_days"]}
    for day in ("2023-09-02", "2023-09-03", "2023-09-04"):
        assert day in unusual and unusual[day]["long_weekend"], day
    assert unusual["2023-09-04"]["day_type"] == "holiday"
    assert summary["calendar"]["day_type_factors"]["holiday"] < 1  # ordinary people post less that day
    assert {"start": "2023-09-02", "end": "2023-09-04"}.items() <= summary["calendar"]["long_weekends"][0].items()


def test_the_strongest_burst_covers_the_peak(summary, sample):
    truth = sample[2]
    top = max(summary["bursts"], key=lambda b: (b["level"], b["score"]))
    assert top["start"][:10] <= truth["peak_day"] < top["end"][:10]
    for b in summary["bursts"]:
        assert pd.Timestamp(b["start"]) < pd.Timestamp(b["end"]) and b["score"] > 0


def test_event_model_bursts_are_waves_inside_the_campaign(sample):
    """The exact model finds the squads' waves: all inside the true campaign span, each by several
    accounts, the fastest of them on the Labour Day weekend. (Small waves, like the first day's,
    cannot pay Kleinberg's ln(n) cost per level: that is why first signs use a scan.)"""
    store, campaign, truth, _ = sample
    waves = detect_bursts(store, campaign[["platform", "post_id"]])
    assert len(waves) > 50
    assert waves["start"].min() >= pd.Timestamp(truth["first_post"])
    assert waves["end"].max() <= pd.Timestamp(truth["last_post"])
    assert (waves["accounts"] >= 2).all()
    fastest = waves.loc[waves["level"].idxmax()]
    assert "2023-09-02" <= fastest["start"].strftime("%Y-%m-%d") <= "2023-09-04"


def test_daily_series_per_platform_matches_the_truth(sample):
    store, campaign, _, posts = sample
    series = volume_series(store, campaign, bin_minutes=1440, by="platform", include_baseline=False)
    got = series[series["posts"] > 0].assign(day=lambda f: f["bin_start"].dt.strftime("%Y-%m-%d"))
    got = got.set_index(["day", "platform"])["posts"].sort_index()
    camp = posts[posts["role"].str.startswith("campaign")]
    want = camp.groupby([camp["created_at"].str[:10].rename("day"), "platform"]).size().sort_index()
    assert got.to_dict() == want.to_dict()


def test_earliest_post_of_each_template_is_the_true_one(sample):
    store, campaign, _, posts = sample
    first = earliest_posts(store, campaign, group_column="template_id", n_posts=1)
    camp = posts[posts["role"].str.startswith("campaign")]
    want = camp.sort_values(["created_at", "platform", "post_id"]).groupby("template_id").head(1)
    assert dict(zip(first["template_id"], first["post_id"])) == dict(zip(want["template_id"], want["post_id"]))


def test_summary_names_the_first_post_of_each_cluster(sample):
    store, campaign, truth, posts = sample
    summary = summarise_timeline(store, campaign, group_column="template_id", burst_bin_minutes=None)
    firsts = summary["first_posts_by_group"]
    assert len(firsts) == campaign["template_id"].nunique()
    assert firsts[0]["created_at"] == truth["first_post"]  # the earliest cluster opened the campaign
    json.dumps(summary)


def test_summary_is_json_and_records_its_parameters(summary):
    again = json.loads(json.dumps(summary))
    assert again == summary
    params = summary["parameters"]
    assert params["first_sign"]["window_minutes"] == 30.0 and params["bursts"]["bin_minutes"] == 1440
    assert params["office_hours"]["template"]["work_hours_local"] == [[9.0, 12.0], [13.0, 18.0]]
    assert summary["counts"]["campaign_keys_not_found"] == 0


# -- real data: Twitter's Thailand information-operations disclosure (September 2020) --------
@pytest.fixture(scope="module")
def thailand():
    path = realdata("twitter_io_thailand_092020/thailand_092020_tweets_csv_hashed.csv")
    with Store(":memory:") as store:
        load_files(store, [path])
        yield store


def test_thailand_ramp_to_the_february_2020_peak(thailand):
    series = volume_series(thailand, bin_minutes=1440, include_baseline=False)
    monthly = series.groupby(series["bin_start"].dt.strftime("%Y-%m"))["posts"].sum()
    assert monthly["2020-02"] == 14431
    assert monthly["2019-11"] < monthly["2019-12"] < monthly["2020-01"] < monthly["2020-02"]
    phases = campaign_phases(thailand)
    by_name = {p.phase: p for p in phases.itertuples(index=False)}
    assert pd.Timestamp("2019-09-15", tz="UTC") <= by_name["ramp"].start <= pd.Timestamp("2019-11-30", tz="UTC")
    assert by_name["peak"].start.strftime("%Y-%m") in ("2020-01", "2020-02")
    assert phases.attrs["peak_day"].strftime("%Y-%m") == "2020-02"


def test_thailand_offset_is_reported_near_thai_time(thailand):
    """Thailand is UTC+7; the method finds UTC+7:30 on this archive (an office-like weekday rhythm
    without a lunch dip); the test allows an hour either way."""
    fit = fit_utc_offset(thailand).set_index("series").loc["campaign"]
    assert abs(fit["offset_hours"] - 7.0) <= 1.0
    assert fit["weekend_ratio"] < 0.8  # quieter at weekends
