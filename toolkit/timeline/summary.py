"""One call that reconstructs a campaign's timeline and returns it as JSON-ready data."""

from __future__ import annotations

import logging
from typing import Any, Sequence

import numpy as np
import pandas as pd

from toolkit.store import Store
from toolkit.timeline._common import (BASELINE, CAMPAIGN, iso_utc, jsonable, selection_report, tagged_posts,
                                      tagged_posts_table)
from toolkit.timeline.bursts import detect_bursts, merge_equal_spans
from toolkit.timeline.calendar import ALL, DEFAULT_COUNTRY
from toolkit.timeline.first_signs import earliest_posts
from toolkit.timeline.first_signs import first_sign as find_first_sign
from toolkit.timeline.office_hours import WorkingDay, fit_utc_offset
from toolkit.timeline.phases import segment_phases
from toolkit.timeline.series import DEFAULT_CONTEXT_DAYS, analysis_window, peak_bin, ts_literal, volume_series
from toolkit.timeline.surges import unusual_days

log = logging.getLogger(__name__)

CAVEATS = [
    "Times are UTC; days are UTC days.",
    "The first sign is the first collected post of the first significant window: deleted or uncollected posts "
    "may be earlier.",
    "Bursts and phases describe volume, not intent: news events make organic surges too.",
    "The office-hours offset is one timing indicator among others; it does not attribute a campaign to anyone.",
]


def summarise_timeline(store: Store, campaign: Any = None, *, baseline: Any = None, start: Any = None,
                       end: Any = None, context_days: float = DEFAULT_CONTEXT_DAYS,
                       country: str = DEFAULT_COUNTRY, subdivisions: str | Sequence[str] | None = ALL,
                       categories: Sequence[str] = ("public",),
                       first_sign_window_minutes: float = 30.0, first_sign_alpha: float = 0.01,
                       first_sign_min_posts: int = 3, first_sign_min_accounts: int = 2,
                       burst_bin_minutes: int | None = 1440, burst_rate_ratio: float = 2.0,
                       burst_transition_cost: float = 1.0, n_segments: int = 5, min_phase_days: int = 2,
                       quiet_fraction: float = 0.1, surge_trailing_days: int = 7, surge_min_ratio: float = 2.0,
                       template: WorkingDay | None = None, min_offset_posts: int = 30,
                       group_column: str | None = None) -> dict:
    """The campaign's timeline from first sign to peak, as a JSON-serialisable dict.

    Runs :func:`~toolkit.timeline.first_signs.first_sign`, :func:`~toolkit.timeline.bursts.detect_bursts`,
    :func:`~toolkit.timeline.phases.segment_phases`, :func:`~toolkit.timeline.surges.unusual_days` and
    :func:`~toolkit.timeline.office_hours.fit_utc_offset` over one observation window.

    Args:
        store: the workspace.
        campaign: selection of the campaign's posts (DataFrame with platform, post_id); None: all posts.
        baseline: selection of the baseline's posts; None: every post not in the campaign.
        start, end: observation window (UTC, inclusive); default: the campaign's span widened by
            ``context_days`` on each side, within the data.
        context_days: days of context around the campaign in the default window.
        country, subdivisions, categories: the holiday calendar (Canada and all provinces by default).
        first_sign_window_minutes, first_sign_alpha, first_sign_min_posts, first_sign_min_accounts:
            the first-sign scan (see :func:`~toolkit.timeline.first_signs.first_sign`).
        burst_bin_minutes: bin width of the burst model (1440: day-scale bursts; None: the exact
            event model, which finds every wave).
        burst_rate_ratio, burst_transition_cost: Kleinberg's *s* and *gamma*.
        n_segments, min_phase_days, quiet_fraction: phase segmentation (see :func:`~toolkit.timeline.phases.segment_phases`).
        surge_trailing_days, surge_min_ratio: calendar-aware unusual days (see :func:`~toolkit.timeline.surges.unusual_days`).
        template: the working-day template for the office-hours fit (default :class:`WorkingDay`).
        min_offset_posts: a series with fewer posts gets no offset.
        group_column: a column of the campaign selection (e.g. ``'cluster_id'``): also report the
            first post of each group (``first_posts_by_group``).

    Returns:
        dict with ``window`` (start, end), ``counts`` (posts and accounts per series, selected keys
        not found), ``first_post``, ``first_sign`` (ISO-8601 UTC or None), ``first_sign_detail``
        (window, p-value, evidence post ids), ``first_posts_by_group`` (with ``group_column``:
        list of {group, created_at, platform, post_id, account_id, handle}), ``last_post``, ``peak_day`` (YYYY-MM-DD or None),
        ``peak_day_posts``, ``bursts`` (list of {start, end, level, min_level, score, posts, accounts,
        rate_ratio}; score = Kleinberg weight in nats), ``phases`` (list of {name, start, end, days,
        posts, mean_posts_per_day, growth_posts_per_day, growth_rate_per_day}), ``unusual_days``
        (list of {date, day_type, holiday, long_weekend, posts, expected_posts, ratio}),
        ``calendar`` (country, subdivisions, day-type factors), ``office_hours`` ({campaign: {...},
        baseline: {...}, difference_hours}), ``parameters`` (every parameter, per step) and
        ``caveats``.

    Example:
        >>> import json
        >>> from toolkit.store import Store
        >>> from toolkit.timeline import summarise_timeline
        >>> with Store(":memory:") as store:
        ...     summary = summarise_timeline(store)
        >>> summary["first_sign"] is None and json.dumps(summary) is not None
        True
    """
    with tagged_posts_table(store, campaign, baseline):  # the posts of each series, gathered once
        counts = selection_report(store, campaign, baseline)
        lo, hi = analysis_window(store, campaign, baseline=baseline, start=start, end=end, context_days=context_days)
        window = {"start": iso_utc(lo), "end": iso_utc(hi), "context_days": float(context_days)}
        where = "TRUE" if lo is None else f"created_at >= {ts_literal(lo)} AND created_at <= {ts_literal(hi)}"
        with tagged_posts(store, campaign, baseline) as tagged:
            per_series = {row[0]: row[1:] for row in store.rows(
                f"SELECT series, count(*), count(DISTINCT account_id), min(created_at), max(created_at) "
                f"FROM {tagged} WHERE {where} GROUP BY series")}
        camp = per_series.get(CAMPAIGN, (0, 0, None, None))
        base = per_series.get(BASELINE, (0, 0, None, None))
        counts.update({"campaign_posts_in_window": int(camp[0]), "campaign_accounts_in_window": int(camp[1]),
                       "baseline_posts_in_window": int(base[0]), "baseline_accounts_in_window": int(base[1])})

        sign = find_first_sign(store, campaign, baseline=baseline, start=lo, end=hi,
                               window_minutes=first_sign_window_minutes, alpha=first_sign_alpha,
                               min_posts=first_sign_min_posts, min_accounts=first_sign_min_accounts)
        sign_dict = sign.to_dict()
        sign_detail = {"window": sign_dict["window"], "lead_hours": sign_dict["lead_hours"],
                       "posts_before": sign_dict["posts_before"],
                       "evidence": [{k: e[k] for k in ("created_at", "platform", "post_id", "account_id", "handle")}
                                    for e in sign_dict["evidence"]]}

        by_group = []
        if group_column is not None:
            firsts = earliest_posts(store, campaign, group_column=group_column, n_posts=1, start=lo, end=hi)
            by_group = [{"group": r[group_column], "created_at": r["created_at"], "platform": r["platform"],
                         "post_id": r["post_id"], "account_id": r["account_id"], "handle": r["handle"]}
                        for r in firsts.sort_values("created_at").to_dict("records")]

        daily = volume_series(store, campaign, baseline=baseline, bin_minutes=1440, start=lo, end=hi) \
            if lo is not None else volume_series(store, campaign, baseline=baseline, bin_minutes=1440)
        peak = peak_bin(daily)
        campaign_daily = daily[daily["series"] == CAMPAIGN].set_index("bin_start")["posts"]
        phases = segment_phases(campaign_daily, onset=sign.first_sign, n_segments=n_segments,
                                min_phase_days=min_phase_days, quiet_fraction=quiet_fraction)

        bursts = detect_bursts(store, campaign, baseline=baseline, start=lo, end=hi, bin_minutes=burst_bin_minutes,
                               rate_ratio=burst_rate_ratio, transition_cost=burst_transition_cost) \
            if lo is not None else pd.DataFrame()
        merged = merge_equal_spans(bursts) if not bursts.empty else bursts

        surges = unusual_days(store, campaign, baseline=baseline, start=lo, end=hi, country=country,
                              subdivisions=subdivisions, categories=categories, trailing_days=surge_trailing_days,
                              min_ratio=surge_min_ratio) if lo is not None else pd.DataFrame()

        fits = fit_utc_offset(store, campaign, baseline=baseline, start=lo, end=hi, template=template,
                              min_posts=min_offset_posts)
        office = {row["series"]: {k: row[k] for k in fits.columns if k != "series"} for row in fits.to_dict("records")}
        c_off, b_off = office[CAMPAIGN]["offset_hours"], office[BASELINE]["offset_hours"]
        difference = None
        if c_off is not None and b_off is not None and not (pd.isna(c_off) or pd.isna(b_off)):
            difference = float((c_off - b_off) % 24)
            difference = difference - 24 if difference > 12 else difference  # in (-12, 12]
        office["difference_hours"] = difference

    summary = {
        "window": window,
        "counts": counts,
        "first_post": iso_utc(camp[2]),
        "first_sign": iso_utc(sign.first_sign),
        "first_sign_detail": sign_detail,
        "first_posts_by_group": by_group,
        "last_post": iso_utc(camp[3]),
        "peak_day": None if peak is None else pd.Timestamp(peak["bin_start"]).strftime("%Y-%m-%d"),
        "peak_day_posts": None if peak is None else int(peak["posts"]),
        "bursts": [{"start": r["start"], "end": r["end"], "level": int(r["level"]), "min_level": int(r["min_level"]),
                    "score": float(r["weight"]), "posts": int(r["posts"]), "accounts": int(r["accounts"]),
                    "rate_ratio": float(r["rate_ratio"])} for r in merged.to_dict("records")],
        "phases": [{"name": r["phase"], "start": pd.Timestamp(r["start"]).strftime("%Y-%m-%d"),
                    "end": pd.Timestamp(r["end"]).strftime("%Y-%m-%d"), "days": int(r["days"]), "posts": int(r["posts"]),
                    "mean_posts_per_day": r["mean_posts_per_day"], "growth_posts_per_day": r["growth_posts_per_day"],
                    "growth_rate_per_day": r["growth_rate_per_day"]} for r in phases.to_dict("records")],
        "unusual_days": [] if surges.empty else [
            {"date": r["date"], "weekday": r["weekday_name"], "day_type": r["day_type"], "holiday": r["holiday"],
             "long_weekend": bool(r["long_weekend"]), "posts": int(r["campaign_posts"]),
             "expected_posts": r["expected_posts"], "ratio": r["ratio"]}
            for r in surges[surges["unusual"]].to_dict("records")],
        "calendar": {"country": country, "subdivisions": subdivisions if isinstance(subdivisions, str) or subdivisions is None
                     else list(subdivisions), "categories": list(categories),
                     "day_type_factors": surges.attrs.get("factors", {}) if not surges.empty else {},
                     "long_weekends": _long_weekends(surges)},
        "office_hours": office,
        "parameters": {
            "window": window,
            "first_sign": sign.parameters,
            "bursts": bursts.attrs.get("parameters", {}),
            "phases": phases.attrs.get("parameters", {}),
            "unusual_days": surges.attrs.get("parameters", {}),
            "office_hours": fits.attrs.get("parameters", {}),
        },
        "caveats": CAVEATS,
    }
    return jsonable(summary)


def _long_weekends(surges: pd.DataFrame) -> list[dict]:
    """Runs of long-weekend days in the window, with the campaign's posts on them."""
    if surges.empty or not surges["long_weekend"].any():
        return []
    flag = surges["long_weekend"].to_numpy()
    run = np.cumsum(np.r_[True, flag[1:] != flag[:-1]])
    out = []
    for _, part in surges[flag].groupby(run[flag]):
        out.append({"start": part["date"].iloc[0], "end": part["date"].iloc[-1],
                    "holiday": "; ".join(sorted({h for h in part["holiday"].dropna()})) or None,
                    "campaign_posts": int(part["campaign_posts"].sum()),
                    "baseline_posts": int(part["baseline_posts"].sum())})
    return out

