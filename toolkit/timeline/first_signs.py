"""First signs: the earliest posts of a campaign (and of each of its clusters), and the
moment its volume first departs from its background rate.

How the departure is decided
----------------------------
A scan over the campaign's posts in time order: for each post, count the campaign posts
and distinct accounts in the ``window_minutes`` that start with it. Under the null
hypothesis of no campaign, posts arrive as a Poisson process at the campaign's own
*average* rate over the observation window (a conservative background: it includes the
campaign itself). The first sign is the first post whose window holds at least
``min_posts`` posts from at least ``min_accounts`` accounts *and* is improbable under
that background: Poisson upper-tail probability below ``alpha`` divided by the number of
windows the observation period holds (a Bonferroni correction for scanning). One account
posting alone, or a lone early post, is not a departure; everything before the first
sign is reported too (:func:`earliest_posts`), so an analyst sees what the rule passed over.

Example:
    >>> from toolkit.store import Store
    >>> from toolkit.timeline.first_signs import first_sign
    >>> with Store(":memory:") as store:
    ...     first_sign(store).first_sign is None
    True
"""

from __future__ import annotations

import dataclasses
import logging
import math
from typing import Any

import numpy as np
import pandas as pd

from toolkit.errors import ParameterError
from toolkit.store import Store
from toolkit.timeline._common import CAMPAIGN, check_positive, iso_utc, jsonable, poisson_upper_tail, tagged_posts, to_utc
from toolkit.timeline.series import DEFAULT_CONTEXT_DAYS, analysis_window, ts_literal

log = logging.getLogger(__name__)

EVIDENCE_COLUMNS = ["rank", "created_at", "platform", "post_id", "account_id", "handle", "lang", "target", "text",
                    "source_id", "source_row"]


def _window_sql(start: pd.Timestamp | None, end: pd.Timestamp | None) -> str:
    where = ["TRUE"]
    if start is not None:
        where.append(f"p.created_at >= {ts_literal(start)}")
    if end is not None:
        where.append(f"p.created_at <= {ts_literal(end)}")
    return " AND ".join(where)


def earliest_posts(store: Store, campaign: Any = None, *, group_column: str | None = None, n_posts: int = 5,
                   start: Any = None, end: Any = None) -> pd.DataFrame:
    """The earliest posts of the campaign, or of each group (e.g. cluster) in it, with their authors.

    Args:
        store: the workspace.
        campaign: selection of the campaign's posts (platform, post_id[, group column]); None: all posts.
        group_column: a column of the selection to group by (e.g. ``'cluster_id'``); None: the whole campaign.
        n_posts: how many posts per group.
        start, end: only posts in this window (UTC, inclusive; naive values are taken as UTC).

    Returns:
        DataFrame sorted by group then time, with the group column (if given), ``rank`` (1 = first),
        ``created_at`` (UTC), ``platform``, ``post_id``, ``account_id``, ``handle`` (from the accounts
        table, may be None), ``lang``, ``target`` (account replied to), ``text``, ``source_id``,
        ``source_row`` (the file and row the post was loaded from: the evidence trail).

    Caveats:
        The earliest *collected* post is not necessarily the earliest post: deleted or
        uncollected posts leave no trace, and a copy-paste template may have been used by
        genuine users before the campaign picked it up.
    """
    check_positive("n_posts", n_posts, integer=True)
    start_ts, end_ts = to_utc(start, "start"), to_utc(end, "end")
    extra = (group_column,) if group_column else ()
    partition = f"PARTITION BY t.{group_column}" if group_column else ""
    group_sel = f"t.{group_column}, " if group_column else ""
    order_group = f"{group_column}, " if group_column else ""
    with tagged_posts(store, campaign, None, extra_columns=extra) as tagged:
        out = store.df(f"""
            WITH t AS (SELECT * FROM {tagged} p WHERE series = '{CAMPAIGN}' AND {_window_sql(start_ts, end_ts)}),
            ranked AS (
                SELECT {group_sel}row_number() OVER ({partition} ORDER BY t.created_at, t.platform, t.post_id) AS rank,
                       t.created_at, t.platform, t.post_id, t.account_id
                FROM t)
            SELECT r.*, a.handle, p.lang, p.reply_to_account_id AS target, p.text, p.source_id, p.source_row
            FROM ranked r
            JOIN posts p USING (platform, post_id)
            LEFT JOIN accounts a ON a.platform = r.platform AND a.account_id = r.account_id
            WHERE r.rank <= {int(n_posts)}
            ORDER BY {order_group}r.rank""")
    columns = ([group_column] if group_column else []) + EVIDENCE_COLUMNS
    out = out[columns]
    out["rank"] = out["rank"].astype("int64")
    out.attrs["parameters"] = {"group_column": group_column, "n_posts": int(n_posts),
                               "start": iso_utc(start_ts), "end": iso_utc(end_ts)}
    return out


@dataclasses.dataclass
class FirstSign:
    """When a campaign began, with the evidence.

    Attributes:
        first_sign: first post of the earliest significant window (UTC), None if there is none.
        first_post: the campaign's earliest post in the observation window (UTC), None if none.
        lead_hours: hours from ``first_post`` to ``first_sign`` (0 when the first post starts it).
        window: the first-sign window: start, end, posts, accounts, expected posts, p_value, threshold.
        posts_before: campaign posts in the observation window before ``first_sign``.
        evidence: the posts of the first-sign window (columns of :func:`earliest_posts`).
        parameters: everything used to decide, with the background rate.
    """

    first_sign: pd.Timestamp | None
    first_post: pd.Timestamp | None
    lead_hours: float | None
    window: dict | None
    posts_before: int
    evidence: pd.DataFrame
    parameters: dict

    def to_dict(self) -> dict:
        """JSON-serialisable summary (times as ISO-8601 UTC, evidence as records without texts)."""
        ev = self.evidence.drop(columns=[c for c in ("text",) if c in self.evidence])
        return jsonable({
            "first_sign": self.first_sign, "first_post": self.first_post, "lead_hours": self.lead_hours,
            "window": self.window, "posts_before": self.posts_before,
            "evidence": ev.to_dict(orient="records"), "parameters": self.parameters,
        })


def first_sign(store: Store, campaign: Any = None, *, baseline: Any = None, start: Any = None, end: Any = None,
               context_days: float = DEFAULT_CONTEXT_DAYS, window_minutes: float = 30.0, alpha: float = 0.01, min_posts: int = 3,
               min_accounts: int = 2, evidence_posts: int = 10) -> FirstSign:
    """The moment the campaign's volume first departs from its background rate.

    Args:
        store: the workspace.
        campaign: selection of the campaign's posts (platform, post_id); None: all posts.
        baseline: selection of the baseline's posts (None: the rest); it only bounds the default window.
        start, end: the observation window (UTC, inclusive; naive values are taken as UTC).
            Default: the campaign's span widened by ``context_days`` on each side, within the
            data (:func:`toolkit.timeline.series.analysis_window`); the background rate is the
            campaign's average over the window.
        context_days: days of context around the campaign in the default window.
        window_minutes: length of the scanning window. Copy-paste waves last minutes; 30 minutes
            holds a wave without diluting it in an hour of background.
        alpha: family-wise significance level; each window is tested at ``alpha / windows``.
        min_posts: a first-sign window needs at least this many posts ...
        min_accounts: ... from at least this many distinct accounts (coordination needs two).
        evidence_posts: how many posts of the first-sign window to return as evidence.

    Returns:
        A :class:`FirstSign` (``.to_dict()`` gives JSON).

    Raises:
        ParameterError: bad parameters, or ``end`` before ``start``.

    Caveats:
        The background is flat (no daily or weekly rhythm) and includes the campaign, so it is
        conservative for a short campaign in a long window and lenient for a long, steady one.
        If every post falls inside one scanning window and the data has nothing around it,
        nothing departs from anything: the first sign is None unless a wider window is given.
    """
    check_positive("window_minutes", window_minutes, hint="Use 60 for an hour.")
    check_positive("alpha", alpha)
    if alpha >= 1:
        raise ParameterError(f"alpha={alpha!r}: expected a probability between 0 and 1, e.g. 0.01.")
    for name, value in (("min_posts", min_posts), ("min_accounts", min_accounts), ("evidence_posts", evidence_posts)):
        check_positive(name, value, integer=True)
    start_ts, end_ts = analysis_window(store, campaign, baseline=baseline, start=start, end=end,
                                       context_days=context_days)
    params = {"method": "Poisson scan against the campaign's average rate, Bonferroni-corrected",
              "window_minutes": float(window_minutes), "alpha": float(alpha), "min_posts": int(min_posts),
              "min_accounts": int(min_accounts), "context_days": float(context_days),
              "start": iso_utc(start_ts), "end": iso_utc(end_ts)}
    width_us = int(round(float(window_minutes) * 60e6))
    with tagged_posts(store, campaign, None) as tagged:
        scan = store.df(f"""
            WITH t AS (SELECT created_at, platform, post_id, account_id FROM {tagged} p
                       WHERE series = '{CAMPAIGN}' AND {_window_sql(start_ts, end_ts)})
            SELECT created_at, platform, post_id,
                   count(*) OVER w AS posts, count(DISTINCT account_id) OVER w AS accounts,
                   (SELECT count(*) FROM t) AS total, (SELECT min(created_at) FROM t) AS first_post,
                   (SELECT max(created_at) FROM t) AS last_post
            FROM t
            WINDOW w AS (ORDER BY created_at RANGE BETWEEN CURRENT ROW AND INTERVAL {width_us} MICROSECOND FOLLOWING)
            ORDER BY created_at, platform, post_id""")
    empty_evidence = pd.DataFrame(columns=EVIDENCE_COLUMNS)
    if scan.empty:
        return FirstSign(None, None, None, None, 0, empty_evidence, params)
    first_post = pd.Timestamp(scan["first_post"].iloc[0]).tz_convert("UTC")
    lo = start_ts if start_ts is not None else first_post
    hi = end_ts if end_ts is not None else pd.Timestamp(scan["last_post"].iloc[0]).tz_convert("UTC")
    window_s = float(window_minutes) * 60.0
    span_s = max((hi - lo).total_seconds(), window_s)
    total = int(scan["total"].iloc[0])
    rate = total / span_s
    n_windows = max(1, int(math.ceil(span_s / window_s)))
    threshold = float(alpha) / n_windows
    expected = rate * window_s
    params.update({"background_posts_per_hour": rate * 3600.0, "windows_tested": n_windows,
                   "per_window_threshold": threshold})
    candidates = scan[(scan["posts"] >= min_posts) & (scan["accounts"] >= min_accounts)]
    p_values = poisson_upper_tail(candidates["posts"].to_numpy(), expected) if len(candidates) else []
    significant = np.flatnonzero(np.asarray(p_values) < threshold)
    if len(significant) == 0:
        log.info("first_sign: no %s-minute window with >= %d posts from >= %d accounts below p = %.3g",
                 window_minutes, min_posts, min_accounts, threshold)
        return FirstSign(None, first_post, None, None, 0, empty_evidence, params)
    row = candidates.iloc[int(significant[0])]
    sign = pd.Timestamp(row["created_at"]).tz_convert("UTC")
    window_end = sign + pd.Timedelta(microseconds=width_us)
    window = {"start": sign, "end": window_end, "posts": int(row["posts"]), "accounts": int(row["accounts"]),
              "expected_posts": expected, "p_value": float(p_values[int(significant[0])]), "threshold": threshold}
    before = int((scan["created_at"] < sign).sum())
    evidence = earliest_posts(store, campaign, n_posts=evidence_posts, start=sign, end=window_end)
    evidence.attrs = {}
    return FirstSign(sign, first_post, (sign - first_post).total_seconds() / 3600.0, window, before, evidence, params)
