"""Burst detection with Kleinberg's multi-state automaton.

Kleinberg (2002, "Bursty and hierarchical structure in streams", KDD; journal version
2003) models a stream as emitted by an automaton whose state *i* emits at rate
``base_rate * rate_ratio**i``. Moving up one state costs ``transition_cost * ln(n)``;
moving down is free. The cheapest state sequence (Viterbi) marks the bursts: maximal
runs in state *j* or above are the bursts of level *j*, nested inside those of level
*j - 1*.

Two forms are implemented:

* :func:`kleinberg` — the exact *enumerating* model on event times: the gaps between
  posts are exponential with the state's rate. The base rate is the number of posts
  divided by the observation window, so a long window with a short campaign makes the
  campaign a burst.
* :func:`kleinberg_binned` — the same automaton on counts per bin (Poisson with the
  state's expected count, optionally scaled per bin by an *exposure*, e.g. how active the
  population is that day).

Bursts are returned as UTC start/end timestamps with their level and Kleinberg's
*weight* (how much cheaper the bursty state explains the interval than the state below),
never as positional indexes.

Example:
    >>> import pandas as pd
    >>> from toolkit.timeline.bursts import kleinberg
    >>> quiet = pd.date_range("2023-08-01", periods=20, freq="D", tz="UTC")
    >>> burst = pd.date_range("2023-08-10 09:00", periods=30, freq="min", tz="UTC")
    >>> b = kleinberg(quiet.append(burst))
    >>> first = b[b.level == 1].iloc[0]
    >>> print(first.start, first.end, first.posts)
    2023-08-10 09:00:00+00:00 2023-08-10 09:29:00+00:00 30
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np
import pandas as pd

from toolkit.errors import ParameterError
from toolkit.store import Store
from toolkit.timeline._common import (CAMPAIGN, check_bin_minutes, check_positive, iso_utc, seconds_to_utc,
                                      tagged_posts, times_to_seconds, to_utc)
from toolkit.timeline.series import DEFAULT_CONTEXT_DAYS, analysis_window, ts_literal, volume_series

log = logging.getLogger(__name__)

BURST_COLUMNS = ["level", "start", "end", "duration_hours", "posts", "rate_per_hour", "base_rate_per_hour",
                 "rate_ratio", "weight"]
#: Highest state the automaton may use when ``max_level`` is None (Kleinberg's formula is capped here).
DEFAULT_LEVEL_CAP = 16


def _check_common(rate_ratio: float, transition_cost: float, max_level: int | None) -> None:
    check_positive("rate_ratio", rate_ratio, hint="Kleinberg's s: each state's rate is rate_ratio times the one below; use 2.")
    if float(rate_ratio) <= 1:
        raise ParameterError(f"rate_ratio={rate_ratio!r}: expected a number > 1 (Kleinberg's s, usually 2 or 3).")
    check_positive("transition_cost", transition_cost, allow_zero=True,
                   hint="Kleinberg's gamma: the cost of moving up one state, in units of ln(n); use 1.")
    if max_level is not None:
        check_positive("max_level", max_level, integer=True, hint="Use None to let the data decide.")


def _viterbi(costs: np.ndarray, up_cost: float) -> np.ndarray:
    """Cheapest state path for per-step state costs (steps x states), starting in state 0.

    Moving up from state i to j > i costs ``(j - i) * up_cost``; moving down is free. The
    forward pass keeps, per step, the cheapest cost of ending in each state (vectorised over
    states with running minima); the backward pass recovers the predecessors.
    """
    n, k = costs.shape
    levels = np.arange(k, dtype=np.float64)
    ramp = levels * up_cost
    totals = np.empty((n, k))
    total = ramp + costs[0]
    totals[0] = total
    inf = np.array([np.inf])
    for t in range(1, n):
        from_above = np.minimum.accumulate(total[::-1])[::-1]  # min over i >= j
        from_below = np.concatenate([inf, np.minimum.accumulate(total - ramp)[:-1]]) + ramp  # min over i < j
        total = np.minimum(from_above, from_below) + costs[t]
        totals[t] = total
    path = np.empty(n, dtype=np.int64)
    path[-1] = int(np.argmin(total))
    for t in range(n - 1, 0, -1):
        j = path[t]
        path[t - 1] = int(np.argmin(totals[t - 1] + np.maximum(j - levels, 0.0) * up_cost))
    return path


def _runs(states: np.ndarray, level: int) -> list[tuple[int, int]]:
    """(first, last) step indexes of maximal runs with state >= level."""
    above = np.concatenate([[False], states >= level, [False]])
    edges = np.flatnonzero(np.diff(above.astype(np.int8)))
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2])]


def kleinberg(times: Any, *, window_start: Any = None, window_end: Any = None, rate_ratio: float = 2.0,
              transition_cost: float = 1.0, max_level: int | None = None,
              resolution_seconds: float = 1.0) -> pd.DataFrame:
    """Kleinberg bursts in a stream of event times (the exact, enumerating model).

    Args:
        times: post times (datetimes, ISO strings or Unix seconds; naive values are taken as UTC),
            in any order.
        window_start, window_end: the observation window. Default: the first and last event.
            A window wider than the events lowers the base rate (events / window length),
            so the events stand out against the quiet around them.
        rate_ratio: Kleinberg's *s*: each state's rate is this many times the rate below (> 1).
        transition_cost: Kleinberg's *gamma*: moving up one state costs ``gamma * ln(n)``.
            Larger values keep only stronger, longer bursts.
        max_level: highest state; None: Kleinberg's ``1 + log_s(T) + log_s(1 / shortest gap)``,
            capped at :data:`DEFAULT_LEVEL_CAP`.
        resolution_seconds: the time resolution of the data; gaps shorter than this (e.g. posts
            stamped in the same second or minute) count as this long when sizing the automaton.

    Returns:
        DataFrame, one row per burst, sorted by start then level: ``level`` (1 = lowest),
        ``start``, ``end`` (UTC timestamps of the burst's first and last post), ``duration_hours``,
        ``posts`` (posts from start to end), ``rate_per_hour`` (posts / duration, NaN for
        zero-length bursts), ``base_rate_per_hour``, ``rate_ratio`` (the state's rate over the base
        rate, ``rate_ratio ** level``), ``weight`` (Kleinberg's weight: cost saved by the burst
        state over the state below, in nats). ``attrs['parameters']`` records the parameters
        and ``attrs['levels']`` the number of states.

    Raises:
        ParameterError: bad parameters or a window that does not contain the events.

    Caveats:
        The base rate is the average over the window: a campaign that posts steadily for the
        whole window has no bursts. Fewer than two posts never make a burst. Each level costs
        ``transition_cost * ln(n)``, so a wave of a handful of posts among thousands is not a
        burst. Memory grows as posts x levels (8 bytes each): for millions of posts use
        :func:`kleinberg_binned`.
    """
    _check_common(rate_ratio, transition_cost, max_level)
    check_positive("resolution_seconds", resolution_seconds, hint="Use 1 for second-resolution data, 60 for minutes.")
    t = np.sort(times_to_seconds(times))
    params = {"model": "kleinberg enumerating (event gaps)", "rate_ratio": float(rate_ratio),
              "transition_cost": float(transition_cost), "max_level": max_level,
              "resolution_seconds": float(resolution_seconds)}
    lo = t[0] if len(t) else None
    hi = t[-1] if len(t) else None
    ws, we = to_utc(window_start, "window_start"), to_utc(window_end, "window_end")
    if ws is not None:
        lo = ws.value / 1e9
    if we is not None:
        hi = we.value / 1e9
    params["window_start"] = None if lo is None else iso_utc(seconds_to_utc(lo))
    params["window_end"] = None if hi is None else iso_utc(seconds_to_utc(hi))
    empty = pd.DataFrame({c: pd.Series(dtype="float64") for c in BURST_COLUMNS})
    empty.attrs["parameters"] = params
    if len(t) < 2:
        return empty
    if t[0] < lo - 1e-6 or t[-1] > hi + 1e-6:
        raise ParameterError(
            f"window_start={window_start!r}, window_end={window_end!r}: the window must contain every event "
            f"(events span {seconds_to_utc(t[0])} to {seconds_to_utc(t[-1])})."
        )
    # gaps: a leading gap from the window start (if given) to the first event, the gaps between
    # events, and a censored trailing gap to the window end (no event in it).
    lead = t[0] - lo if ws is not None and t[0] - lo > 0 else None
    gaps = np.diff(t)
    n = len(t)
    span = max(hi - lo, float(resolution_seconds))
    base = n / span  # events per second
    shortest = max(float(gaps[gaps > 0].min()) if (gaps > 0).any() else float(resolution_seconds),
                   float(resolution_seconds))
    if max_level is None:
        k = int(math.ceil(1 + math.log(span, rate_ratio) + math.log(1.0 / shortest, rate_ratio)))
        k = max(2, min(k, DEFAULT_LEVEL_CAP + 1))
    else:
        k = int(max_level) + 1
    rates = base * float(rate_ratio) ** np.arange(k)
    steps = []  # (gap length, event at end?) ; step i ends at event index event_of[i]
    event_of = []
    if lead is not None:
        steps.append((lead, True))
        event_of.append(0)
    for i, g in enumerate(gaps):
        steps.append((g, True))
        event_of.append(i + 1)
    trail = hi - t[-1]
    if we is not None and trail > 0:
        steps.append((trail, False))
        event_of.append(-1)
    x = np.array([s[0] for s in steps])
    has_event = np.array([s[1] for s in steps])
    costs = rates[None, :] * x[:, None] - np.where(has_event, 1.0, 0.0)[:, None] * np.log(rates)[None, :]
    up = float(transition_cost) * math.log(n)
    states = _viterbi(costs, up)
    rows = []
    event_of = np.array(event_of)
    for level in range(1, int(states.max()) + 1):
        for a, b in _runs(states, level):
            # the burst's posts: the event that opened the first short gap to the event closing the last one
            first_event = event_of[a] - 1 if event_of[a] > 0 and (lead is None or a > 0) else max(event_of[a], 0)
            last_step = b if event_of[b] >= 0 else b - 1
            if last_step < a:
                continue
            last_event = event_of[last_step]
            start, end = t[first_event], t[last_event]
            posts = last_event - first_event + 1
            if posts < 2:
                continue
            weight = float((costs[a:b + 1, level - 1] - costs[a:b + 1, level]).sum())
            duration = (end - start) / 3600.0
            rows.append({"level": level, "start": seconds_to_utc(start), "end": seconds_to_utc(end),
                         "duration_hours": duration, "posts": int(posts),
                         "rate_per_hour": posts / duration if duration > 0 else float("nan"),
                         "base_rate_per_hour": base * 3600.0, "rate_ratio": float(rate_ratio) ** level,
                         "weight": weight})
    out = pd.DataFrame(rows, columns=BURST_COLUMNS) if rows else empty
    if rows:
        out = out.sort_values(["start", "level"]).reset_index(drop=True)
    out.attrs["parameters"] = params
    out.attrs["levels"] = k
    return out


def kleinberg_binned(counts: Any, bin_starts: Any, *, bin_minutes: int, exposure: Any = None,
                     rate_ratio: float = 2.0, transition_cost: float = 1.0,
                     max_level: int | None = None) -> pd.DataFrame:
    """Kleinberg bursts in counts per time bin (Poisson emissions).

    State *i* expects ``mean_count * exposure_t * rate_ratio**i`` posts in bin *t*, where
    ``mean_count`` is the average count per unit of exposure.

    Args:
        counts: posts per bin (non-negative integers), one per bin, consecutive bins.
        bin_starts: UTC start of each bin (same length).
        bin_minutes: the bin width, to give each burst its end time.
        exposure: optional relative activity per bin (positive), e.g. how much the ordinary
            population posts that day relative to an ordinary weekday; None: all 1.
        rate_ratio, transition_cost, max_level: as for :func:`kleinberg` (max_level None: up to
            the state that reaches the largest count, capped at :data:`DEFAULT_LEVEL_CAP`).

    Returns:
        DataFrame with the columns of :func:`kleinberg`; ``start`` is the start of the first bin
        and ``end`` the end of the last bin of the burst, ``rate_per_hour`` the burst's posts per
        hour and ``base_rate_per_hour`` the base state's rate at exposure 1.

    Raises:
        ParameterError: counts and bins of different lengths, negative counts or exposure.
    """
    _check_common(rate_ratio, transition_cost, max_level)
    bin_minutes = check_bin_minutes(bin_minutes)
    c = np.asarray(counts, dtype=np.float64)
    starts = pd.DatetimeIndex(pd.to_datetime(pd.Series(bin_starts)))
    starts = starts.tz_localize("UTC") if starts.tz is None else starts.tz_convert("UTC")
    if len(c) != len(starts):
        raise ParameterError(f"counts has {len(c)} values but bin_starts has {len(starts)}: expected one start per count.")
    if (c < 0).any() or np.isnan(c).any():
        raise ParameterError("counts: expected non-negative numbers; found negative or missing values.")
    e = np.ones_like(c) if exposure is None else np.asarray(exposure, dtype=np.float64)
    if len(e) != len(c) or (e <= 0).any() or np.isnan(e).any():
        raise ParameterError(f"exposure: expected {len(c)} positive numbers (one per bin); got {len(e)} values, "
                             "some not positive. Hint: floor it, e.g. np.maximum(exposure, 0.05).")
    params = {"model": "kleinberg binned (Poisson counts)", "bin_minutes": bin_minutes, "rate_ratio": float(rate_ratio),
              "transition_cost": float(transition_cost), "max_level": max_level,
              "exposure": None if exposure is None else "given"}
    empty = pd.DataFrame({col: pd.Series(dtype="float64") for col in BURST_COLUMNS})
    empty.attrs["parameters"] = params
    total = c.sum()
    if len(c) < 2 or total < 2:
        return empty
    mean = total / e.sum()
    if max_level is None:
        peak = float(np.max(c / (mean * e)))
        k = int(math.ceil(math.log(max(peak, rate_ratio), rate_ratio))) + 2
        k = max(2, min(k, DEFAULT_LEVEL_CAP + 1))
    else:
        k = int(max_level) + 1
    lam = mean * e[:, None] * float(rate_ratio) ** np.arange(k)[None, :]
    from scipy.special import gammaln

    costs = lam - c[:, None] * np.log(lam) + gammaln(c + 1)[:, None]
    states = _viterbi(costs, float(transition_cost) * math.log(max(total, 2.0)))
    width = pd.Timedelta(minutes=bin_minutes)
    hours = bin_minutes / 60.0
    rows = []
    for level in range(1, int(states.max()) + 1):
        for a, b in _runs(states, level):
            posts = int(c[a:b + 1].sum())
            duration = (b - a + 1) * hours
            rows.append({"level": level, "start": starts[a], "end": starts[b] + width, "duration_hours": duration,
                         "posts": posts, "rate_per_hour": posts / duration, "base_rate_per_hour": mean / hours,
                         "rate_ratio": float(rate_ratio) ** level,
                         "weight": float((costs[a:b + 1, level - 1] - costs[a:b + 1, level]).sum())})
    out = pd.DataFrame(rows, columns=BURST_COLUMNS) if rows else empty
    if rows:
        out = out.sort_values(["start", "level"]).reset_index(drop=True)
    out.attrs["parameters"] = params
    out.attrs["levels"] = k
    return out


def detect_bursts(store: Store, campaign: Any = None, *, baseline: Any = None, start: Any = None, end: Any = None,
                  context_days: float = DEFAULT_CONTEXT_DAYS, bin_minutes: int | None = None,
                  rate_ratio: float = 2.0, transition_cost: float = 1.0, max_level: int | None = None,
                  min_level: int = 1, min_posts: int = 2) -> pd.DataFrame:
    """Kleinberg bursts of the campaign's posts over the observation window.

    Args:
        store: the workspace.
        campaign: selection of the campaign's posts (platform, post_id), None for all posts.
        baseline: selection of the baseline's posts (None: the rest); it only bounds the default
            window (see :func:`toolkit.timeline.series.analysis_window`).
        start, end: the observation window (UTC, inclusive); default: the campaign's span widened
            by ``context_days`` on each side, within the data.
        context_days: days of context around the campaign in the default window.
        bin_minutes: None (default): the exact event model on post times (:func:`kleinberg`),
            which finds the individual waves; a bin width (e.g. 60 or 1440): the binned model
            (:func:`kleinberg_binned`) on the campaign's counts per bin, for hour- or day-scale bursts.
        rate_ratio, transition_cost, max_level: Kleinberg's *s*, *gamma* and the top state.
        min_level: keep bursts of this level and above.
        min_posts: keep bursts with at least this many posts.

    Returns:
        The columns of :func:`kleinberg`, plus ``accounts`` (distinct campaign accounts posting inside
        the burst's span). ``attrs['parameters']`` records everything used, the window included.

    Caveats:
        A burst is a change in the campaign's *rate*, not proof of coordination: news events make
        organic bursts too. Look at who posted (``accounts``) and what (the clusters). The levels
        are relative to the campaign's average rate over the window: a longer window gives
        higher levels to the same bursts.
    """
    check_positive("min_level", min_level, integer=True)
    check_positive("min_posts", min_posts, integer=True)
    lo, hi = analysis_window(store, campaign, baseline=baseline, start=start, end=end, context_days=context_days)
    if bin_minutes is None:
        where = "TRUE" if lo is None else f"created_at >= {ts_literal(lo)} AND created_at <= {ts_literal(hi)}"
        with tagged_posts(store, campaign, baseline) as tagged:
            t = store.df(f"SELECT epoch(created_at) AS s FROM {tagged} WHERE series = '{CAMPAIGN}' AND {where}")["s"].to_numpy()
        bursts = kleinberg(t, window_start=lo, window_end=hi, rate_ratio=rate_ratio, transition_cost=transition_cost,
                           max_level=max_level)
    else:
        series = volume_series(store, campaign, baseline=baseline, bin_minutes=bin_minutes, include_baseline=False,
                               start=lo, end=hi)
        bursts = kleinberg_binned(series["posts"].to_numpy(), series["bin_start"], bin_minutes=bin_minutes,
                                  rate_ratio=rate_ratio, transition_cost=transition_cost, max_level=max_level)
    params = dict(bursts.attrs.get("parameters", {}))
    params.update({"min_level": int(min_level), "min_posts": int(min_posts), "context_days": float(context_days),
                   "window_start": iso_utc(lo), "window_end": iso_utc(hi)})
    bursts = bursts[(bursts["level"] >= min_level) & (bursts["posts"] >= min_posts)].reset_index(drop=True)
    bursts = _with_accounts(store, campaign, bursts, inclusive_end=bin_minutes is None)
    bursts.attrs["parameters"] = params
    return bursts


def _with_accounts(store: Store, campaign: Any, bursts: pd.DataFrame, *, inclusive_end: bool) -> pd.DataFrame:
    """Add ``accounts``: distinct campaign accounts posting within each burst's span (one SQL join)."""
    out = bursts.copy()
    if out.empty:
        out["accounts"] = pd.Series(dtype="int64")
        return out
    spans = out[["start", "end"]].copy()
    spans["i"] = np.arange(len(spans))
    op = "<=" if inclusive_end else "<"
    name = "_timeline_bursts_spans"
    store.register(name, spans)
    try:
        with tagged_posts(store, campaign, None) as tagged:
            counts = store.df(f"""
                SELECT s.i, count(DISTINCT p.account_id) AS accounts
                FROM {name} s JOIN {tagged} p ON p.series = '{CAMPAIGN}'
                     AND p.created_at >= s.start AND p.created_at {op} s."end"
                GROUP BY s.i""")
    finally:
        store.unregister(name)
    out["accounts"] = out.index.map(dict(zip(counts["i"], counts["accounts"]))).fillna(0).astype("int64")
    return out


def merge_equal_spans(bursts: pd.DataFrame) -> pd.DataFrame:
    """Collapse bursts of several levels that cover the same span into one row.

    Kleinberg's hierarchy often repeats a span at consecutive levels (a sharp surge climbs
    several states at once). The merged row keeps the highest level and sums the weights
    (the cost saved by the top level over the state below the lowest one).

    Args:
        bursts: output of :func:`kleinberg`, :func:`kleinberg_binned` or :func:`detect_bursts`.

    Returns:
        The same columns, one row per distinct (start, end), sorted by start then level; a
        ``min_level`` column gives the lowest level merged in.
    """
    if bursts.empty:
        out = bursts.copy()
        out["min_level"] = pd.Series(dtype="int64")
        return out
    agg = {c: "first" for c in bursts.columns if c not in ("start", "end", "level", "weight", "rate_ratio")}
    agg.update({"level": "max", "weight": "sum", "rate_ratio": "max"})
    out = bursts.groupby(["start", "end"], as_index=False, sort=False).agg(agg)
    out["min_level"] = bursts.groupby(["start", "end"], sort=False)["level"].min().to_numpy()
    out = out[list(bursts.columns) + ["min_level"]].sort_values(["start", "level"]).reset_index(drop=True)
    out.attrs = dict(bursts.attrs)
    return out
