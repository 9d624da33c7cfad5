"""Volume series: posts per time bin for the campaign and its baseline, computed in the engine.

Bins are aligned on UTC midnight (on Mondays for whole weeks), every bin between the
first and the last post of the window is present (zero-filled), so a series can go
straight into burst detection, change-point segmentation or a plot.

Example:
    >>> from toolkit.store import Store
    >>> from toolkit.timeline import volume_series
    >>> with Store(":memory:") as store:
    ...     volume_series(store, bin_minutes=60).columns.tolist()
    ['bin_start', 'series', 'posts', 'accounts']
"""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd

from toolkit.errors import ParameterError
from toolkit.store import Store
from toolkit.timeline._common import (BASELINE, CAMPAIGN, check_bin_minutes, check_choice, check_positive, one_row,
                                      one_value, tagged_posts, to_utc)

log = logging.getLogger(__name__)

#: Breakdowns :func:`volume_series` offers, and the post column each one reads.
BREAKDOWNS = {"platform": "platform", "lang": "lang", "target": "reply_to_account_id"}
#: Bin origin: Monday 1970-01-05 00:00 UTC (Unix seconds), so day bins start at midnight and week bins on Mondays.
BIN_ORIGIN_SECONDS = 345_600
#: Days of context around the campaign in the default observation window (:func:`analysis_window`).
DEFAULT_CONTEXT_DAYS = 30.0
#: Refuse series longer than this many rows (bins x series x groups); a coarser bin or a window helps.
MAX_ROWS = 5_000_000
#: Label of posts whose breakdown value is missing (e.g. posts that reply to nobody, for ``by='target'``).
MISSING_GROUP = "(none)"
#: Label of the groups beyond ``max_groups``.
OTHER_GROUP = "(other)"


def bucket_sql(column: str, bin_minutes: int) -> str:
    """SQL for the start (TIMESTAMPTZ, UTC) of the ``bin_minutes`` bin holding ``column``."""
    width = int(bin_minutes) * 60
    return (f"to_timestamp(floor((epoch({column}) - {BIN_ORIGIN_SECONDS}) / {width}) * {width} "
            f"+ {BIN_ORIGIN_SECONDS})")


def ts_literal(value: Any) -> str:
    """SQL literal of a UTC timestamp."""
    return f"TIMESTAMPTZ '{pd.Timestamp(value).isoformat()}'"


def volume_series(store: Store, campaign: Any = None, *, baseline: Any = None, bin_minutes: int = 1440,
                  by: str | None = None, max_groups: int | None = 20, start: Any = None, end: Any = None,
                  include_baseline: bool = True) -> pd.DataFrame:
    """Posts and distinct accounts per time bin, for the campaign and the baseline.

    Args:
        store: the workspace.
        campaign: selection of the campaign's posts (DataFrame with platform, post_id), None for all posts.
        baseline: selection of the baseline's posts; None: every post not in the campaign.
        bin_minutes: bin width in minutes: 1 (minute), 60 (hour), 1440 (day, default), 10080 (week).
        by: optional breakdown: ``'platform'``, ``'lang'`` (the source's language tag) or
            ``'target'`` (the account replied to).
        max_groups: with ``by``, keep the groups with most campaign posts (then most posts) and lump
            the rest into ``'(other)'``; None keeps every group.
        start, end: window (UTC, both inclusive; naive values are taken as UTC). Default: from the
            first to the last post of either series. Posts outside the window are left out; the
            bins run from the one holding ``start`` to the one holding ``end``.
        include_baseline: also return the baseline's rows.

    Returns:
        Tidy DataFrame, one row per (bin, series[, group]), zero-filled, sorted by time:
        ``bin_start`` (datetime64 UTC, start of the bin), ``series`` ('campaign' or 'baseline'),
        the breakdown column named as ``by`` (if given), ``posts`` (int), ``accounts`` (int,
        distinct authors in the bin). ``attrs['parameters']`` records the parameters.

    Raises:
        ParameterError: a bad bin width, breakdown or window, or a series too long to build
            (more than :data:`MAX_ROWS` rows).

    Caveats:
        Bins are UTC; a "day" is a UTC day, which for Canadian users runs from 20:00 (EDT) the
        evening before. Missing breakdown values are labelled ``'(none)'``.
    """
    bin_minutes = check_bin_minutes(bin_minutes)
    if by is not None:
        check_choice("by", by, tuple(BREAKDOWNS))
    if max_groups is not None:
        check_positive("max_groups", max_groups, integer=True, hint="Use None to keep every group.")
    start_ts, end_ts = to_utc(start, "start"), to_utc(end, "end")
    if start_ts is not None and end_ts is not None and end_ts < start_ts:
        raise ParameterError(f"end={end!r} is before start={start!r}: expected end >= start (both inclusive).")
    params = {"bin_minutes": bin_minutes, "by": by, "max_groups": max_groups,
              "start": start_ts.isoformat() if start_ts is not None else None,
              "end": end_ts.isoformat() if end_ts is not None else None, "include_baseline": include_baseline}
    group_col = BREAKDOWNS.get(by) if by else None
    columns = ["bin_start", "series"] + ([by] if by else []) + ["posts", "accounts"]
    where = ["TRUE"]
    if start_ts is not None:
        where.append(f"created_at >= {ts_literal(start_ts)}")
    if end_ts is not None:
        where.append(f"created_at <= {ts_literal(end_ts)}")
    if not include_baseline:
        where.append(f"series = '{CAMPAIGN}'")
    group_expr = f"coalesce(CAST({group_col} AS VARCHAR), '{MISSING_GROUP}')" if group_col else "''"
    bucket = bucket_sql("created_at", bin_minutes)
    with tagged_posts(store, campaign, baseline) as tagged:
        base = f"SELECT series, created_at, account_id, {group_expr} AS grp FROM {tagged} WHERE {' AND '.join(where)}"
        lo, hi, n_groups = one_row(store, f"SELECT min({bucket}), max({bucket}), count(DISTINCT grp) FROM ({base})")
        if start_ts is not None:
            lo = pd.Timestamp(one_value(store, f"SELECT {bucket_sql(ts_literal(start_ts), bin_minutes)}"))
        if end_ts is not None:
            hi = pd.Timestamp(one_value(store, f"SELECT {bucket_sql(ts_literal(end_ts), bin_minutes)}"))
        if lo is None or hi is None:
            log.info("volume_series: no posts in the window")
            out = pd.DataFrame({c: pd.Series(dtype="int64") for c in columns})
            out["bin_start"] = pd.Series(dtype="datetime64[us, UTC]")
            out["series"] = pd.Series(dtype="object")
            if by:
                out[by] = pd.Series(dtype="object")
            out.attrs["parameters"] = params
            return out
        n_bins = int((pd.Timestamp(hi) - pd.Timestamp(lo)) / pd.Timedelta(minutes=bin_minutes)) + 1
        n_series = 2 if include_baseline else 1
        n_kept = min(int(n_groups or 1), (max_groups + 1) if (by and max_groups) else int(n_groups or 1))
        rows = n_bins * n_series * max(n_kept, 1)
        if rows > MAX_ROWS:
            raise ParameterError(
                f"bin_minutes={bin_minutes}: the series would have {rows:,} rows ({n_bins:,} bins x {n_series} series x "
                f"{n_kept} groups), more than {MAX_ROWS:,}. Hint: use a coarser bin_minutes, a start/end window, "
                "or a smaller max_groups."
            )
        series_values = f"('{CAMPAIGN}')" + (f", ('{BASELINE}')" if include_baseline else "")
        if by and max_groups is not None:
            ranked = (f"SELECT grp, row_number() OVER (ORDER BY sum(CASE WHEN series = '{CAMPAIGN}' THEN 1 ELSE 0 END) DESC, "
                      f"count(*) DESC, grp) AS rk FROM ({base}) GROUP BY grp")
            labelled = (f"SELECT b.series, b.created_at, b.account_id, CASE WHEN r.rk <= {int(max_groups)} THEN b.grp "
                        f"ELSE '{OTHER_GROUP}' END AS grp FROM ({base}) b JOIN ({ranked}) r USING (grp)")
        else:
            labelled = base
        sql = f"""
            WITH data AS ({labelled}),
            counts AS (
                SELECT {bucket} AS bin_start, series, grp, count(*) AS posts, count(DISTINCT account_id) AS accounts
                FROM data GROUP BY ALL),
            bins AS (SELECT * FROM generate_series({ts_literal(lo)}, {ts_literal(hi)},
                                                   INTERVAL {bin_minutes} MINUTE) t(bin_start)),
            series_list AS (SELECT * FROM (VALUES {series_values}) s(series)),
            groups AS (SELECT DISTINCT grp FROM data),
            grid AS (SELECT * FROM bins CROSS JOIN series_list CROSS JOIN groups)
            SELECT g.bin_start, g.series, g.grp, coalesce(c.posts, 0) AS posts, coalesce(c.accounts, 0) AS accounts
            FROM grid g LEFT JOIN counts c USING (bin_start, series, grp)
            ORDER BY g.bin_start, g.series DESC, g.grp"""
        out = store.df(sql)
    out["posts"] = out["posts"].astype("int64")
    out["accounts"] = out["accounts"].astype("int64")
    if by:
        out = out.rename(columns={"grp": by})
    else:
        out = out.drop(columns="grp")
    out = out[columns].reset_index(drop=True)
    out.attrs["parameters"] = params
    return out


def observed_window(store: Store, campaign: Any = None, *, baseline: Any = None) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """First and last post time (UTC) over the campaign and the baseline together."""
    with tagged_posts(store, campaign, baseline) as tagged:
        lo, hi = one_row(store, f"SELECT min(created_at), max(created_at) FROM {tagged}")
    return (None if lo is None else pd.Timestamp(lo).tz_convert("UTC"),
            None if hi is None else pd.Timestamp(hi).tz_convert("UTC"))


def analysis_window(store: Store, campaign: Any = None, *, baseline: Any = None, start: Any = None, end: Any = None,
                    context_days: float = DEFAULT_CONTEXT_DAYS) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """The observation window the timeline analyses use.

    Given ``start``/``end`` win. Otherwise: the campaign's first and last post widened by
    ``context_days`` on each side, but not beyond the first and last post of the data (campaign
    and baseline together). The context gives the quiet before and after the campaign that a
    departure, a burst or a phase is judged against; it also keeps stray old posts (e.g. a
    hijacked account's earlier life, years before) from stretching the window.

    Args:
        store: the workspace.
        campaign, baseline: selections (see :func:`volume_series`).
        start, end: explicit window (UTC; naive values are taken as UTC).
        context_days: days of context on each side of the campaign (0 for none).

    Returns:
        (start, end) as UTC timestamps, or (None, None) if there are no posts.
    """
    check_positive("context_days", context_days, allow_zero=True, hint="Use 30 for a month of context.")
    start_ts, end_ts = to_utc(start, "start"), to_utc(end, "end")
    if start_ts is not None and end_ts is not None:
        if end_ts < start_ts:
            raise ParameterError(f"end={end!r} is before start={start!r}: expected end >= start.")
        return start_ts, end_ts
    with tagged_posts(store, campaign, baseline) as tagged:
        c_lo, c_hi, a_lo, a_hi = one_row(store, f"""
            SELECT min(created_at) FILTER (WHERE series = '{CAMPAIGN}'), max(created_at) FILTER (WHERE series = '{CAMPAIGN}'),
                   min(created_at), max(created_at) FROM {tagged}""")
    if a_lo is None:
        return start_ts, end_ts
    if c_lo is None:  # no campaign posts: the data's span
        c_lo, c_hi = a_lo, a_hi
    pad = pd.Timedelta(days=float(context_days))
    lo = max(pd.Timestamp(c_lo) - pad, pd.Timestamp(a_lo)).tz_convert("UTC")
    hi = min(pd.Timestamp(c_hi) + pad, pd.Timestamp(a_hi)).tz_convert("UTC")
    return (start_ts if start_ts is not None else lo), (end_ts if end_ts is not None else hi)


def campaign_times(store: Store, campaign: Any = None) -> pd.DataFrame:
    """The campaign's posts in time order: platform, post_id, account_id, created_at (UTC)."""
    with tagged_posts(store, campaign, None) as tagged:
        return store.df(f"SELECT platform, post_id, account_id, created_at FROM {tagged} "
                        f"WHERE series = '{CAMPAIGN}' ORDER BY created_at, platform, post_id")


def peak_bin(series: pd.DataFrame, *, series_name: str = CAMPAIGN) -> pd.Series | None:
    """The bin with most posts of one series (earliest on ties), or None if it has no posts.

    Args:
        series: output of :func:`volume_series` (without a breakdown, or summed over it).
        series_name: 'campaign' or 'baseline'.

    Returns:
        The row (bin_start, posts) of the peak bin (posts summed over any breakdown).
    """
    rows = series[series["series"] == series_name]
    if rows.empty:
        return None
    totals = rows.groupby("bin_start", as_index=False)["posts"].sum()
    if totals["posts"].max() <= 0:
        return None
    return totals.sort_values(["posts", "bin_start"], ascending=[False, True]).iloc[0]
