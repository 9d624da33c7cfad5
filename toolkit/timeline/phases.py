"""Phases: change-point segmentation of the campaign's daily volume into quiet start, ramp,
peak, decay (and a quiet end), with the growth rate of each phase.

Method
------
1. The campaign's posts per UTC day over the observation window (zero-filled).
2. A square-root transform (it makes Poisson-like counts roughly equal-variance, so a
   surge of 400 posts a day does not drown the start at 10 a day).
3. The days before the *onset* (the UTC day of the first sign, see
   :mod:`toolkit.timeline.first_signs`) are the *quiet start*. The rest is cut by exact
   least-squares segmentation into ``n_segments`` pieces of constant level (ruptures'
   ``KernelCPD`` with a linear kernel: dynamic programming, not an approximation), each at
   least ``min_phase_days`` long. Without an onset, the whole series is cut into
   ``n_segments + 1`` pieces and leading pieces below ``quiet_fraction`` of the peak piece's
   mean are the quiet start. More pieces than phase names let a ramp climb in steps and
   keep the peak tight; the naming merges them.
4. Naming: the piece holding the peak day is the *peak*; pieces before it are the *ramp*;
   the first piece after it is the *decay*, and trailing pieces whose mean is below
   ``quiet_fraction`` of the peak piece's mean are the *quiet end*. Consecutive pieces with
   one name are merged.
5. Growth per phase: the least-squares slope of posts per day against the day (posts/day per
   day), and the exponential rate from a log-linear fit (``exp(slope of ln(1 + posts)) - 1``,
   per day).

Example:
    >>> import numpy as np, pandas as pd
    >>> from toolkit.timeline.phases import segment_phases
    >>> days = pd.date_range("2023-07-01", periods=60, freq="D", tz="UTC")
    >>> posts = np.r_[np.zeros(20), np.linspace(2, 40, 25), np.full(5, 120), np.linspace(40, 5, 10)]
    >>> phases = segment_phases(pd.Series(posts, index=days), onset=days[20])
    >>> phases["phase"].tolist()
    ['quiet start', 'ramp', 'peak', 'decay', 'quiet end']
    >>> phases.loc[2, ["start", "end"]].dt.strftime("%d %b").tolist()
    ['15 Aug', '19 Aug']
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from toolkit.errors import ParameterError
from toolkit.store import Store
from toolkit.timeline._common import CAMPAIGN, check_positive, iso_utc, to_utc
from toolkit.timeline.first_signs import first_sign
from toolkit.timeline.series import DEFAULT_CONTEXT_DAYS, analysis_window, volume_series

log = logging.getLogger(__name__)

PHASE_COLUMNS = ["phase", "start", "end", "days", "posts", "mean_posts_per_day", "max_posts_per_day",
                 "growth_posts_per_day", "growth_rate_per_day"]
QUIET_START, RAMP, PEAK, DECAY, QUIET_END = "quiet start", "ramp", "peak", "decay", "quiet end"


def _slopes(y: np.ndarray) -> tuple[float | None, float | None]:
    """(posts/day per day, exponential growth rate per day) of a daily series; None if < 2 days."""
    if len(y) < 2:
        return None, None
    x = np.arange(len(y), dtype=float)
    linear = float(np.polyfit(x, y, 1)[0])
    log_slope = float(np.polyfit(x, np.log1p(y), 1)[0])
    return linear, float(np.expm1(log_slope))


def segment_phases(daily_posts: pd.Series, *, onset: Any = None, n_segments: int = 5, min_phase_days: int = 2,
                   quiet_fraction: float = 0.1) -> pd.DataFrame:
    """Segment a daily count series into named phases.

    Args:
        daily_posts: posts per day, indexed by consecutive days (timestamps, UTC).
        onset: when the campaign began (e.g. its first sign; UTC, naive taken as UTC): the days
            before its day are the quiet start. None: found from the levels (see the module doc).
        n_segments: pieces of constant level the series is cut into from the onset on (one
            more without an onset), before naming and merging; fewer if the series is short.
        min_phase_days: shortest segment, in days.
        quiet_fraction: a segment before the peak (or after the decay) whose mean is below this
            share of the peak segment's mean is *quiet*.

    Returns:
        DataFrame, one row per phase in time order: ``phase`` (quiet start, ramp, peak, decay,
        quiet end), ``start``, ``end`` (first and last day, UTC midnight), ``days``, ``posts``,
        ``mean_posts_per_day``, ``max_posts_per_day``, ``growth_posts_per_day`` (least-squares
        slope, posts/day per day; None for a one-day phase), ``growth_rate_per_day`` (exponential
        rate, e.g. 0.12 = +12 % a day; None for a one-day phase). ``attrs['parameters']`` records
        the parameters, ``attrs['peak_day']`` the day with most posts.

    Raises:
        ParameterError: bad parameters, or an index that is not consecutive days.

    Caveats:
        The segmentation always finds ``n_segments`` pieces, and the naming assumes one peak:
        a campaign with two separate surges gets its second one named *decay*. Read the plot.
    """
    check_positive("n_segments", n_segments, integer=True, hint="Use 5 (pieces from the onset on).")
    check_positive("min_phase_days", min_phase_days, integer=True)
    check_positive("quiet_fraction", quiet_fraction)
    if quiet_fraction >= 1:
        raise ParameterError(f"quiet_fraction={quiet_fraction!r}: expected a share of the peak level below 1, e.g. 0.1.")
    params = {"method": "least-squares segmentation of sqrt(daily posts) (ruptures KernelCPD, linear kernel)",
              "n_segments": int(n_segments), "min_phase_days": int(min_phase_days),
              "quiet_fraction": float(quiet_fraction)}
    y = np.asarray(daily_posts, dtype=float)
    index = pd.DatetimeIndex(daily_posts.index)
    if len(index) > 1 and not (index[1:] - index[:-1] == pd.Timedelta(days=1)).all():
        raise ParameterError("daily_posts: the index must be consecutive days (zero-filled); got gaps. "
                             "Hint: use volume_series(..., bin_minutes=1440), which zero-fills.")
    empty = pd.DataFrame({c: pd.Series(dtype="object") for c in PHASE_COLUMNS})
    empty.attrs.update(parameters=params, peak_day=None)
    if len(y) == 0 or y.sum() <= 0:
        return empty
    peak_i = int(np.argmax(y))  # earliest day with the most posts
    onset_ts = to_utc(onset, "onset")
    first = 0
    if onset_ts is not None:
        utc_index = index.tz_localize("UTC") if index.tz is None else index.tz_convert("UTC")
        first = int((utc_index < onset_ts.normalize()).sum())
        first = min(max(first, 0), peak_i)
        params["onset"] = iso_utc(onset_ts)
    n_pieces = int(n_segments) + (0 if onset_ts is not None else 1)
    k = max(1, min(n_pieces, (len(y) - first) // int(min_phase_days)))
    if k > 1:
        import ruptures as rpt  # imported here: it loads scipy, slow to import

        signal = np.sqrt(y[first:]).reshape(-1, 1)
        ends = rpt.KernelCPD(kernel="linear", min_size=int(min_phase_days), jump=1).fit(signal).predict(n_bkps=k - 1)
        ends = [first + e for e in ends]
    else:
        ends = [len(y)]
    bounds = ([(0, first)] if first > 0 else []) + list(zip([first] + ends[:-1], ends))
    means = [float(y[a:b].mean()) for a, b in bounds]
    peak_seg = next(i for i, (a, b) in enumerate(bounds) if a <= peak_i < b)
    quiet = float(quiet_fraction) * means[peak_seg]
    names = []
    for i, m in enumerate(means):
        if i < peak_seg:
            if onset_ts is not None:
                names.append(QUIET_START if bounds[i][1] <= first else RAMP)
            else:
                leading_quiet = all(means[j] < quiet for j in range(i + 1))
                names.append(QUIET_START if leading_quiet else RAMP)
        elif i == peak_seg:
            names.append(PEAK)
        elif i == peak_seg + 1:
            names.append(DECAY)
        else:
            trailing_quiet = all(means[j] < quiet for j in range(i, len(means)))
            names.append(QUIET_END if trailing_quiet else DECAY)
    merged: list[list] = []
    for name, (a, b) in zip(names, bounds):
        if merged and merged[-1][0] == name:
            merged[-1][2] = b
        else:
            merged.append([name, a, b])
    rows = []
    for name, a, b in merged:
        seg = y[a:b]
        linear, rate = _slopes(seg)
        rows.append({"phase": name, "start": index[a], "end": index[b - 1], "days": int(b - a),
                     "posts": int(seg.sum()), "mean_posts_per_day": float(seg.mean()),
                     "max_posts_per_day": int(seg.max()), "growth_posts_per_day": linear, "growth_rate_per_day": rate})
    out = pd.DataFrame(rows, columns=PHASE_COLUMNS)
    out.attrs["parameters"] = params
    out.attrs["peak_day"] = index[peak_i]
    out.attrs["segments"] = [(index[a], index[b - 1]) for a, b in bounds]
    return out


def campaign_phases(store: Store, campaign: Any = None, *, baseline: Any = None, start: Any = None, end: Any = None,
                    context_days: float = DEFAULT_CONTEXT_DAYS, onset: Any = None, n_segments: int = 5,
                    min_phase_days: int = 2, quiet_fraction: float = 0.1) -> pd.DataFrame:
    """The campaign's phases (quiet start, ramp, peak, decay, quiet end) from its daily volume.

    Args:
        store: the workspace.
        campaign: selection of the campaign's posts (platform, post_id); None: all posts.
        baseline: selection of the baseline (None: the rest); only bounds the default window.
        start, end: observation window (UTC, inclusive); default: the campaign's span widened by
            ``context_days`` on each side, within the data.
        context_days: days of context around the campaign in the default window.
        onset: when the campaign began; None: its first sign (:func:`toolkit.timeline.first_signs.first_sign`
            with default parameters over the same window), or the level rule if it has none.
        n_segments, min_phase_days, quiet_fraction: see :func:`segment_phases`.

    Returns:
        The DataFrame of :func:`segment_phases`; ``attrs['peak_day']`` is the UTC day with most
        campaign posts (earliest on ties), ``attrs['parameters']`` includes the window.

    Caveats:
        Days are UTC days. The quiet phases exist only if the window reaches beyond the campaign.
    """
    lo, hi = analysis_window(store, campaign, baseline=baseline, start=start, end=end, context_days=context_days)
    daily = volume_series(store, campaign, baseline=baseline, bin_minutes=1440, include_baseline=False, start=lo, end=hi)
    daily = daily[daily["series"] == CAMPAIGN].set_index("bin_start")["posts"]
    if onset is None and lo is not None:
        onset = first_sign(store, campaign, baseline=baseline, start=lo, end=hi).first_sign
    out = segment_phases(daily, onset=onset, n_segments=n_segments, min_phase_days=min_phase_days,
                         quiet_fraction=quiet_fraction)
    out.attrs["parameters"].update({"context_days": float(context_days), "window_start": iso_utc(lo),
                                    "window_end": iso_utc(hi)})
    return out
