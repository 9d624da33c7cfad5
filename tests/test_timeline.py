"""Timeline methods on synthetic data whose answer is known: Kleinberg bursts, office-hours
offsets, phase segmentation, the calendar, and the store-level functions' edge cases."""

from __future__ import annotations

import itertools
import json

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from toolkit.errors import ParameterError  # noqa: E402
from toolkit.timeline import (WorkingDay, calendar_days, detect_bursts, earliest_posts, first_sign,  # noqa: E402
                              fit_offset_counts, fit_utc_offset, hour_of_week, kleinberg, kleinberg_binned,
                              mark_calendar, merge_equal_spans, plot_hour_of_week, plot_offset_scan, plot_timeline,
                              segment_phases, summarise_timeline, unusual_days, utc_cell_counts, volume_series)
from toolkit.timeline.bursts import _viterbi  # noqa: E402


# -- helpers ---------------------------------------------------------------------------------
def insert_posts(store, times, *, platform="x", accounts=None, lang=None, target=None, prefix="p"):
    """Insert posts at the given UTC times; returns their (platform, post_id) keys."""
    times = pd.to_datetime(pd.Series(times), utc=True)
    n = len(times)
    start = int(store.rows("SELECT count(*) FROM posts")[0][0])
    frame = pd.DataFrame({
        "platform": platform,
        "post_id": [f"{prefix}{start + i}" for i in range(n)],
        "account_id": accounts if accounts is not None else [f"a{i % 7}" for i in range(n)],
        "created_at": times,
        "lang": lang,
        "reply_to_account_id": target,
        "source_row": np.arange(start + 1, start + n + 1),
    })
    store.register("_new_posts", frame)
    store.execute("""INSERT INTO posts (platform, post_id, account_id, created_at, lang, reply_to_account_id,
                                        source_id, source_row)
                     SELECT platform, post_id, account_id, created_at, lang, reply_to_account_id, 1, source_row
                     FROM _new_posts""")
    store.unregister("_new_posts")
    return frame[["platform", "post_id"]]


def office_times(rng, n, offset_hours, start="2023-08-07", weeks=4, lunch=True):
    """``n`` post times of operators working weekdays 09-12 and 13:30-17:30 local at a UTC offset."""
    days = pd.date_range(start, periods=7 * weeks, freq="D", tz="UTC")
    days = days[days.day_of_week < 5]
    blocks = [(9.0, 12.0), (13.5, 17.5)] if lunch else [(9.0, 17.5)]
    lengths = np.array([b - a for a, b in blocks])
    which = rng.choice(len(blocks), size=n, p=lengths / lengths.sum())
    local = np.array([blocks[w][0] for w in which]) + rng.random(n) * lengths[which]
    day = days[rng.integers(0, len(days), size=n)]
    return day + pd.to_timedelta(local - offset_hours, unit="h")


def waking_times(rng, n, offset_hours, start="2023-07-01", days=60):
    """``n`` times of ordinary people: evening-heavy waking hours, every day, at a UTC offset."""
    curve = np.array([1.2, .6, .35, .25, .25, .4, 1, 2, 2.6, 2.6, 2.5, 2.6, 3, 2.9, 2.6, 2.6, 2.8, 3.1, 3.6, 4.3,
                      4.8, 4.6, 3.6, 2.2])
    day = pd.date_range(start, periods=days, freq="D", tz="UTC")[rng.integers(0, days, size=n)]
    hour = rng.choice(24, size=n, p=curve / curve.sum()) + rng.random(n)
    return day + pd.to_timedelta(hour - offset_hours, unit="h")


@pytest.fixture
def rng():
    return np.random.default_rng(20230907)


# -- Kleinberg -------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(5))
def test_viterbi_finds_the_cheapest_state_path(seed):
    """Brute force over every state path of a tiny problem gives the same minimum cost."""
    r = np.random.default_rng(seed)
    n, k, up = 6, 3, 1.3
    costs = r.random((n, k)) * 3
    path = _viterbi(costs, up)

    def cost(p):
        total, prev = 0.0, 0
        for t, s in enumerate(p):
            total += costs[t, s] + max(s - prev, 0) * up
            prev = s
        return total

    best = min(cost(p) for p in itertools.product(range(k), repeat=n))
    assert cost(path) == pytest.approx(best)


def test_kleinberg_finds_a_known_burst_as_timestamps(rng):
    """A 2-hour burst at 30x the background rate inside 30 quiet days is found where it is."""
    t0 = pd.Timestamp("2023-08-01", tz="UTC")
    quiet = t0 + pd.to_timedelta(np.sort(rng.random(300)) * 30, unit="D")  # ~10 a day
    b0 = pd.Timestamp("2023-08-15 10:00", tz="UTC")
    burst = b0 + pd.to_timedelta(np.sort(rng.random(25)) * 2, unit="h")  # 12.5 an hour
    bursts = kleinberg(quiet.append(burst), window_start=t0, window_end=t0 + pd.Timedelta(days=30))
    assert str(bursts["start"].dtype) == "datetime64[ns, UTC]" or "UTC" in str(bursts["start"].dtype)
    top = bursts.sort_values(["weight"], ascending=False).iloc[0]
    assert top["start"] >= b0 - pd.Timedelta(hours=2) and top["end"] <= b0 + pd.Timedelta(hours=4)
    assert top["start"] <= burst.min() + pd.Timedelta(hours=1) and top["end"] >= burst.max() - pd.Timedelta(hours=1)
    assert top["posts"] >= 20 and top["weight"] > 0
    # nothing else of weight anywhere near the top burst's
    others = bursts[(bursts["end"] < b0 - pd.Timedelta(hours=3)) | (bursts["start"] > b0 + pd.Timedelta(hours=5))]
    assert others.empty or others["weight"].max() < top["weight"] / 3


@pytest.mark.parametrize("seed", range(4))
def test_kleinberg_finds_no_burst_in_a_steady_poisson_stream(seed):
    """False positives: a homogeneous Poisson stream has no bursts at the default cost."""
    r = np.random.default_rng(seed)
    t = pd.Timestamp("2023-08-01", tz="UTC") + pd.to_timedelta(np.cumsum(r.exponential(3600, size=500)), unit="s")
    assert kleinberg(t).empty


def test_kleinberg_is_order_independent_and_reads_naive_times_as_utc(rng):
    t = pd.Timestamp("2023-08-01", tz="UTC") + pd.to_timedelta(np.r_[rng.random(50) * 10, 5 + rng.random(30) * 0.05],
                                                               unit="D")
    a = kleinberg(t)
    b = kleinberg(t[rng.permutation(len(t))])
    c = kleinberg([x.tz_localize(None).isoformat() for x in t])  # naive ISO strings
    assert not a.empty
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)


def test_kleinberg_binned_finds_a_surge_and_exposure_shifts_it():
    days = pd.date_range("2023-08-01", periods=40, freq="D", tz="UTC")
    counts = np.full(40, 10)
    counts[20:23] = 80  # a three-day surge
    bursts = kleinberg_binned(counts, days, bin_minutes=1440)
    top = bursts.loc[bursts["level"].idxmax()]
    assert top["start"] == days[20] and top["end"] == days[23]  # end = end of the last bin
    # the same counts on days the population is expected to be 8x as active are not a surge
    exposure = np.ones(40)
    exposure[20:23] = 8.0
    assert kleinberg_binned(counts, days, bin_minutes=1440, exposure=exposure).empty


@pytest.mark.parametrize("kwargs, message", [
    ({"rate_ratio": 1.0}, "rate_ratio=1.0"),
    ({"transition_cost": -1}, "transition_cost=-1"),
    ({"max_level": 0}, "max_level=0"),
])
def test_kleinberg_refuses_bad_parameters_by_name(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        kleinberg(pd.date_range("2023-01-01", periods=5, freq="h", tz="UTC"), **kwargs)


def test_merge_equal_spans_keeps_the_top_level_and_sums_weights():
    t = pd.Timestamp("2023-08-01", tz="UTC")
    b = pd.DataFrame({"level": [1, 2, 3], "start": [t] * 3, "end": [t + pd.Timedelta(hours=1)] * 3,
                      "duration_hours": 1.0, "posts": 10, "rate_per_hour": 10.0, "base_rate_per_hour": 1.0,
                      "rate_ratio": [2.0, 4.0, 8.0], "weight": [5.0, 3.0, 1.0]})
    merged = merge_equal_spans(b)
    assert len(merged) == 1
    assert merged.iloc[0][["level", "min_level", "weight", "rate_ratio"]].tolist() == [3, 1, 9.0, 8.0]


# -- office hours ----------------------------------------------------------------------------
@pytest.mark.parametrize("offset, reason", [
    (8.0, "Beijing"),
    (5.5, "India: a half-hour zone"),
    (-4.0, "Ottawa in summer"),
    (0.0, "UTC itself"),
    (12.0, "New Zealand winter: the edge of the range"),
])
def test_office_workers_are_placed_in_their_time_zone(rng, offset, reason):
    fit = fit_offset_counts(utc_cell_counts(office_times(rng, 800, offset)))
    assert fit["offset_hours"] == offset, reason
    assert fit["office_share"] > 0.9 and fit["lunch_dip"] < 0.2 and fit["weekend_ratio"] == 0.0
    assert fit["log_likelihood_ratio"] > 50


@pytest.mark.parametrize("offset", [-4.0, -7.0, 1.0, 7.0])
def test_ordinary_people_are_placed_within_an_hour_of_their_zone(rng, offset):
    """The template's sleep trough places evening-heavy ordinary posting too."""
    fit = fit_offset_counts(utc_cell_counts(waking_times(rng, 5000, offset)))
    assert abs(fit["offset_hours"] - offset) <= 1.0
    assert fit["office_share"] < 0.45  # not office work: weekends and evenings too
    assert fit["weekend_ratio"] > 0.8


def test_too_few_posts_get_no_offset(rng):
    fit = fit_offset_counts(utc_cell_counts(office_times(rng, 10, 8.0)), min_posts=30)
    assert fit["posts"] == 10 and fit["offset_hours"] is None and fit["offset"] is None


def test_working_day_template_is_validated():
    with pytest.raises(ParameterError, match="work_hours_local"):
        WorkingDay(work_hours_local=((3.0, 12.0),))  # overlaps sleeping hours
    with pytest.raises(ParameterError, match="sleep=0"):
        WorkingDay(sleep=0)
    profile = WorkingDay().profile()
    assert profile.shape == (7, 96) and profile.sum() == pytest.approx(1.0)


# -- phases ----------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(4))
def test_phases_of_a_piecewise_signal_are_found_and_named(seed):
    """quiet 20 days, ramp 25 (exponential), peak 5, decay 10, quiet 20: boundaries within 2 days."""
    r = np.random.default_rng(seed)
    level = np.r_[np.zeros(20), 3 * 1.12 ** np.arange(25), np.full(5, 150), 150 * 0.7 ** np.arange(1, 11),
                  np.zeros(20)]
    days = pd.date_range("2023-07-01", periods=len(level), freq="D", tz="UTC")
    phases = segment_phases(pd.Series(r.poisson(level), index=days), onset=days[20] + pd.Timedelta(hours=5))
    assert phases["phase"].tolist() == ["quiet start", "ramp", "peak", "decay", "quiet end"]
    start = dict(zip(phases["phase"], phases["start"]))
    assert start["ramp"] == days[20]  # the onset's day
    assert abs((start["peak"] - days[45]).days) <= 2
    assert abs((start["decay"] - days[50]).days) <= 2
    assert abs((start["quiet end"] - days[60]).days) <= 3
    growth = dict(zip(phases["phase"], phases["growth_rate_per_day"]))
    assert 0.06 < growth["ramp"] < 0.2  # true rate 12 % a day
    assert growth["decay"] < 0
    assert phases.attrs["peak_day"] in set(days[45:50])


def test_phases_without_an_onset_use_the_level_rule():
    days = pd.date_range("2023-07-01", periods=40, freq="D", tz="UTC")
    y = np.r_[np.zeros(10), np.linspace(5, 50, 20), np.full(4, 200), np.full(6, 20)]
    phases = segment_phases(pd.Series(y, index=days))
    assert phases["phase"].iloc[0] == "quiet start" and "peak" in phases["phase"].tolist()


def test_phases_refuse_gaps_in_the_days():
    days = pd.DatetimeIndex(["2023-07-01", "2023-07-02", "2023-07-05"], tz="UTC")
    with pytest.raises(ParameterError, match="consecutive days"):
        segment_phases(pd.Series([1, 2, 3], index=days))


# -- calendar --------------------------------------------------------------------------------
def test_labour_day_long_weekend_and_provincial_holidays():
    cal = calendar_days("2023-08-05", "2023-09-05").set_index("date")
    d = pd.Timestamp
    assert cal.loc[d("2023-09-04").date(), "day_type"] == "holiday"
    assert cal.loc[[d(x).date() for x in ("2023-09-02", "2023-09-03", "2023-09-04")], "long_weekend"].all()
    assert not cal.loc[d("2023-09-01").date(), "long_weekend"]
    civic = cal.loc[d("2023-08-07").date()]  # first Monday of August: BC Day, NB Day, Saskatchewan Day ...
    assert civic["day_type"] == "regional holiday" and {"BC", "SK"} <= set(civic["holiday_subdivisions"])


@pytest.mark.parametrize("country, date, weekend_day", [
    ("US", "2023-07-04", "2023-07-08"),
    ("CN", "2023-10-02", "2023-10-07"),
    ("TH", "2023-04-13", "2023-04-08"),
    ("SA", "2023-09-23", "2023-09-22"),  # Saudi Arabia: Friday-Saturday weekend
])
def test_any_country_with_its_own_weekend(country, date, weekend_day):
    cal = calendar_days("2023-01-01", "2023-12-31", country=country, subdivisions=None).set_index("date")
    assert cal.loc[pd.Timestamp(date).date(), "is_national_holiday"]
    assert cal.loc[pd.Timestamp(weekend_day).date(), "is_weekend"]


def test_calendar_refuses_unknown_country_and_subdivision():
    with pytest.raises(ParameterError, match="country='XX'"):
        calendar_days("2023-01-01", "2023-01-02", country="XX")
    with pytest.raises(ParameterError, match=r"\['ZZ'\] not known for country 'CA'"):
        calendar_days("2023-01-01", "2023-01-02", subdivisions=["ON", "ZZ"])


# -- store-level functions and edge cases ----------------------------------------------------
def test_volume_series_zero_fills_and_breaks_down_in_the_engine(store):
    camp = insert_posts(store, ["2023-08-07 01:10", "2023-08-07 01:20", "2023-08-07 04:00"], platform="x",
                        lang=["en", "fr", "en"], target=["mp1", "mp1", None])
    insert_posts(store, ["2023-08-07 02:30", "2023-08-08 00:00"], platform="facebook", prefix="b")
    hourly = volume_series(store, camp, bin_minutes=60)
    assert hourly["bin_start"].min() == pd.Timestamp("2023-08-07 01:00", tz="UTC")
    assert hourly["bin_start"].max() == pd.Timestamp("2023-08-08 00:00", tz="UTC")
    assert len(hourly) == 24 * 2  # 24 hourly bins x 2 series, zero-filled
    campaign = hourly[hourly["series"] == "campaign"].set_index("bin_start")["posts"]
    assert campaign.sum() == 3 and campaign[pd.Timestamp("2023-08-07 01:00", tz="UTC")] == 2
    assert hourly.attrs["parameters"]["bin_minutes"] == 60
    by_lang = volume_series(store, camp, bin_minutes=1440, by="lang", include_baseline=False)
    assert by_lang.groupby("lang")["posts"].sum().to_dict() == {"en": 2, "fr": 1}
    by_target = volume_series(store, camp, bin_minutes=1440, by="target")
    assert set(by_target["target"]) == {"mp1", "(none)"}
    top_one = volume_series(store, camp, bin_minutes=1440, by="lang", max_groups=1, include_baseline=False)
    assert top_one.groupby("lang")["posts"].sum().to_dict() == {"en": 2, "(other)": 1}


@pytest.mark.parametrize("kwargs, message", [
    ({"bin_minutes": 7}, "bin_minutes=7"),
    ({"bin_minutes": 0}, "bin_minutes=0"),
    ({"by": "colour"}, "by='colour'"),
    ({"start": "2023-08-02", "end": "2023-08-01"}, "end='2023-08-01' is before start"),
])
def test_volume_series_refuses_bad_parameters_by_name(store, kwargs, message):
    insert_posts(store, ["2023-08-07 01:10"])
    with pytest.raises(ParameterError, match=message):
        volume_series(store, **kwargs)


def test_selection_is_checked_by_column_name(store):
    insert_posts(store, ["2023-08-07 01:10"])
    with pytest.raises(ParameterError, match=r"campaign: missing column\(s\) \['post_id'\]"):
        volume_series(store, pd.DataFrame({"platform": ["x"], "id": ["p0"]}))
    with pytest.raises(ParameterError, match="campaign: expected a DataFrame"):
        volume_series(store, ["p0"])


def test_selection_accepts_relations_and_integer_ids(store):
    camp = insert_posts(store, ["2023-08-07 01:10", "2023-08-07 01:20"], prefix="")
    rel = store.con.sql("SELECT 'x' AS platform, '0' AS post_id")
    assert volume_series(store, rel, include_baseline=False)["posts"].sum() == 1
    ints = pd.DataFrame({"platform": ["x", "x"], "post_id": [0, 1]})
    assert volume_series(store, ints, include_baseline=False)["posts"].sum() == 2
    assert len(camp) == 2


def test_series_gathered_once_are_the_posts_each_query_would_join(store):
    """Inside tagged_posts_table the series come from one table with the same rows; another
    selection still gets its own join; the table is gone afterwards."""
    from toolkit.timeline._common import tagged_posts, tagged_posts_table

    camp = insert_posts(store, ["2023-08-07 01:10", "2023-08-07 01:20", "2023-08-08 02:00"])
    insert_posts(store, ["2023-08-07 05:00"], prefix="q")
    other = camp.iloc[:1]

    def rows(selection):
        with tagged_posts(store, selection) as sql:
            return sorted(store.rows(f"SELECT * FROM {sql}"), key=str), sql

    joined, _ = rows(camp)
    alone, _ = rows(other)
    with tagged_posts_table(store, camp):
        gathered, sql = rows(camp)
        assert gathered == joined and "_timeline_tagged_" in sql
        other_rows, other_sql = rows(other)
        assert other_rows == alone and "_timeline_tagged_" not in other_sql
    assert [len(joined), sum(r[-1] == "campaign" for r in joined)] == [4, 3]
    assert not store.rows("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '_timeline_tagged_%'")


def test_a_single_post(store):
    camp = insert_posts(store, ["2023-08-07 01:10"])
    summary = summarise_timeline(store, camp)
    json.dumps(summary)
    assert summary["first_post"] == "2023-08-07T01:10:00Z"
    assert summary["first_sign"] is None  # one post departs from nothing
    assert summary["peak_day"] == "2023-08-07" and summary["bursts"] == []
    assert summary["office_hours"]["campaign"]["offset_hours"] is None  # too few posts


def test_all_posts_in_one_minute(store):
    times = pd.Timestamp("2023-08-07 01:10", tz="UTC") + pd.to_timedelta(np.arange(20), unit="s")
    camp = insert_posts(store, times, accounts=[f"a{i}" for i in range(20)])
    # alone, the minute is the whole window: nothing to depart from
    assert first_sign(store, camp).first_sign is None
    # inside a month of collection it is the first sign
    sign = first_sign(store, camp, start="2023-07-20", end="2023-08-20")
    assert sign.first_sign == times[0] and sign.window["accounts"] == 20
    assert kleinberg(times).empty  # no rate change inside one burst
    assert not kleinberg(times, window_start="2023-07-20", window_end="2023-08-20").empty
    json.dumps(summarise_timeline(store, camp))


def test_gaps_of_months_do_not_break_anything(store, rng):
    early = pd.Timestamp("2022-01-10 03:00", tz="UTC") + pd.to_timedelta(rng.random(15) * 2, unit="h")
    late = pd.Timestamp("2023-08-07 03:00", tz="UTC") + pd.to_timedelta(rng.random(40) * 3, unit="h")
    camp = insert_posts(store, early.append(late), accounts=[f"a{i % 9}" for i in range(55)])
    summary = summarise_timeline(store, camp, burst_bin_minutes=None)
    assert summary["first_sign"].startswith("2022-01-10")
    series = volume_series(store, camp, bin_minutes=1440, include_baseline=False)
    assert len(series) == (pd.Timestamp("2023-08-07") - pd.Timestamp("2022-01-10")).days + 1
    assert series["posts"].sum() == 55


def test_naive_times_in_parameters_are_utc(store, rng):
    times = (pd.Timestamp("2023-08-07 03:00", tz="UTC")
             + pd.to_timedelta(np.sort(rng.random(30)) * 20, unit="min")).round("s")
    camp = insert_posts(store, times, accounts=[f"a{i}" for i in range(30)])
    naive = first_sign(store, camp, start="2023-07-01 00:00", end="2023-09-01 00:00")
    aware = first_sign(store, camp, start=pd.Timestamp("2023-06-30 20:00", tz="America/Toronto"),
                       end="2023-09-01T00:00:00+00:00")
    assert naive.first_sign == aware.first_sign == times[0]
    assert naive.parameters["start"] == aware.parameters["start"] == "2023-07-01T00:00:00Z"


def test_hour_of_week_across_a_daylight_saving_change(store):
    """09:00 every day in Toronto, from before to after the November 2023 change."""
    local = pd.date_range("2023-10-23 09:00", "2023-11-17 09:00", freq="D", tz="America/Toronto")
    camp = insert_posts(store, local.tz_convert("UTC"))
    in_zone = hour_of_week(store, camp, timezone="America/Toronto", start="2023-10-01", end="2023-12-01")
    campaign = in_zone[in_zone["series"] == "campaign"]
    assert campaign.loc[campaign["posts"] > 0, "hour"].unique().tolist() == [9]
    fixed = hour_of_week(store, camp, utc_offset_hours=-4, start="2023-10-01", end="2023-12-01")
    fixed = fixed[fixed["series"] == "campaign"]
    # a fixed offset blurs by an hour: 09:00 EST (after 5 November) is 10:00 at UTC-4
    assert sorted(fixed.loc[fixed["posts"] > 0, "hour"].unique()) == [9, 10]
    with pytest.raises(ParameterError, match="timezone='Mars/Olympus'"):
        hour_of_week(store, camp, timezone="Mars/Olympus")


def test_earliest_posts_per_group_with_the_evidence_trail(store):
    camp = insert_posts(store, ["2023-08-07 03:00", "2023-08-07 02:00", "2023-08-08 01:00", "2023-08-07 05:00"],
                        accounts=["a1", "a2", "a3", "a4"])
    camp["cluster_id"] = [1, 1, 2, 2]
    first = earliest_posts(store, camp, group_column="cluster_id", n_posts=1)
    assert first[["cluster_id", "post_id", "account_id"]].values.tolist() == [[1, "p1", "a2"], [2, "p3", "a4"]]
    assert first["source_row"].tolist() == [2, 4]
    with pytest.raises(ParameterError, match="group_column='wave'"):
        earliest_posts(store, camp, group_column="wave")


def test_unusual_days_account_for_the_kind_of_day(store, rng):
    """Same campaign volume on an ordinary Tuesday and on Labour Day: only the holiday, when the
    ordinary population is away, is unusual at a ratio threshold between the two."""
    days = pd.date_range("2023-08-01", "2023-09-12", freq="D", tz="UTC")
    base = []
    for d in days:
        n = 20 if d.day_of_week >= 5 or d == pd.Timestamp("2023-09-04", tz="UTC") else 100
        base.extend(d + pd.to_timedelta(rng.random(n) * 24, unit="h"))
    insert_posts(store, base, prefix="b")
    camp_times = []
    for d in days:
        n = 30 if d in (pd.Timestamp("2023-08-29", tz="UTC"), pd.Timestamp("2023-09-04", tz="UTC")) else 10
        camp_times.extend(d + pd.to_timedelta(rng.random(n) * 24, unit="h"))
    camp = insert_posts(store, camp_times, prefix="c")
    days_out = unusual_days(store, camp, min_ratio=4.0).set_index("date")
    assert days_out.attrs["factors"]["holiday"] == pytest.approx(0.2, abs=0.05)
    assert days_out.loc[pd.Timestamp("2023-09-04").date(), "unusual"]
    assert not days_out.loc[pd.Timestamp("2023-08-29").date(), "unusual"]  # ratio ~3 on a weekday


def test_fit_utc_offset_compares_campaign_and_baseline(store, rng):
    camp = insert_posts(store, office_times(rng, 600, 8.0), prefix="c")
    insert_posts(store, waking_times(rng, 3000, -4.0, start="2023-08-07", days=28), prefix="b")
    fits = fit_utc_offset(store, camp).set_index("series")
    assert fits.loc["campaign", "offset"] == "UTC+8"
    assert -5.0 <= fits.loc["baseline", "offset_hours"] <= -3.0
    assert fits.loc["campaign", "office_share"] > 2 * fits.loc["baseline", "office_share"]
    assert set(fits.attrs["scan"]["series"]) == {"campaign", "baseline"}


def test_plots_return_figure_and_axes(store, rng):
    camp = insert_posts(store, office_times(rng, 300, 8.0), accounts=[f"a{i % 20}" for i in range(300)], prefix="c")
    insert_posts(store, waking_times(rng, 1000, -4.0, start="2023-08-01", days=40), prefix="b")
    series = volume_series(store, camp, bin_minutes=1440)
    fig, axes = plot_timeline(series, phases=segment_phases(series[series.series == "campaign"]
                                                            .set_index("bin_start")["posts"]),
                              bursts=detect_bursts(store, camp, bin_minutes=1440),
                              first_sign=first_sign(store, camp), unusual=unusual_days(store, camp))
    assert len(axes) == 2 and axes[0].get_ylabel() == "campaign posts"
    fits = fit_utc_offset(store, camp)
    fig2, axes2 = plot_hour_of_week(hour_of_week(store, camp), offsets=fits)
    assert axes2.shape == (2, 2) and "UTC+8" in axes2[0, 1].get_title()
    fig3, ax3 = plot_offset_scan(fits)
    assert ax3.get_xlabel() == "UTC offset (hours)"
    with pytest.raises(ParameterError, match="expected an hour-of-week profile in UTC"):
        plot_hour_of_week(hour_of_week(store, camp, utc_offset_hours=8), offsets=fits)
    plt.close("all")


def test_mark_calendar_adds_day_types_to_a_series():
    series = pd.DataFrame({"bin_start": pd.date_range("2023-09-01", periods=5, freq="D", tz="UTC"), "posts": 1})
    marked = mark_calendar(series)
    assert marked["day_type"].tolist() == ["weekday", "weekend", "weekend", "holiday", "weekday"]
    assert len(marked) == 5 and "posts" in marked


def test_empty_workspace_gives_an_empty_but_valid_summary(store):
    summary = summarise_timeline(store)
    assert json.loads(json.dumps(summary))["first_sign"] is None
    assert summary["phases"] == [] and summary["peak_day"] is None


@pytest.mark.parametrize("module", ["toolkit.timeline", "toolkit.timeline.bursts", "toolkit.timeline.calendar",
                                    "toolkit.timeline.first_signs", "toolkit.timeline.office_hours",
                                    "toolkit.timeline.phases", "toolkit.timeline.plots", "toolkit.timeline.series",
                                    "toolkit.timeline.surges", "toolkit.timeline.summary"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.NORMALIZE_WHITESPACE)
    plt.close("all")
    assert result.attempted > 0 and result.failed == 0
