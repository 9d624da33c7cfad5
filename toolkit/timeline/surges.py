"""Calendar-aware surges: is a day's campaign volume unusual, given what kind of day it is?

Ordinary people post less (or more) at weekends and on public holidays; a campaign run
from an office may do the opposite. A surge over a long weekend, when the ordinary
population is away, stands out twice: against the campaign's recent level and against
how the population behaves on such days.

Method
------
1. Daily posts of the campaign and the baseline over the observation window (UTC days),
   each day marked with the calendar (:mod:`toolkit.timeline.calendar`).
2. *Day-type factors* from the baseline: mean baseline posts on weekends, national
   holidays and regional holidays, each divided by the mean on ordinary weekdays (1.0 where
   a type has no day or the baseline is empty).
3. For each day in order, the campaign's *expected* posts = its trailing level (mean of the
   previous ``trailing_days`` days, each divided by its own day-type factor) times that
   day's factor, floored at ``min_expected_posts``. A surge that lasts becomes the new
   normal: its first days are unusual, its continuation is judged against it.
4. A day is *unusual* when ``posts / expected >= min_ratio`` and the Poisson probability of
   at least that many posts given the expectation is below ``alpha``.

Example:
    >>> from toolkit.store import Store
    >>> from toolkit.timeline.surges import unusual_days
    >>> with Store(":memory:") as store:
    ...     unusual_days(store).empty
    True
"""

from __future__ import annotations

import logging
from typing import Any, Sequence

import numpy as np
import pandas as pd

from toolkit.errors import ParameterError
from toolkit.store import Store
from toolkit.timeline._common import BASELINE, CAMPAIGN, check_positive, iso_utc, poisson_upper_tail
from toolkit.timeline.calendar import ALL, DEFAULT_COUNTRY, mark_calendar
from toolkit.timeline.series import DEFAULT_CONTEXT_DAYS, analysis_window, volume_series

log = logging.getLogger(__name__)

SURGE_COLUMNS = ["date", "weekday_name", "day_type", "holiday", "long_weekend", "campaign_posts", "baseline_posts",
                 "day_type_factor", "expected_posts", "ratio", "p_value", "unusual"]


def day_type_factors(daily: pd.DataFrame, *, value_column: str = "baseline_posts") -> dict[str, float]:
    """Mean volume per day type relative to ordinary weekdays (1.0 where unknown).

    Args:
        daily: one row per day with ``day_type`` and ``value_column``.
        value_column: the volume to compare.

    Returns:
        {'weekday': 1.0, 'weekend': ..., 'holiday': ..., 'regional holiday': ...}
    """
    means = daily.groupby("day_type")[value_column].mean()
    base = float(means.get("weekday", np.nan))
    out = {"weekday": 1.0}
    for kind in ("weekend", "holiday", "regional holiday"):
        value = float(means.get(kind, np.nan))
        out[kind] = value / base if base > 0 and np.isfinite(value) and value > 0 else 1.0
    return out


def unusual_days(store: Store, campaign: Any = None, *, baseline: Any = None, start: Any = None, end: Any = None,
                 context_days: float = DEFAULT_CONTEXT_DAYS, country: str = DEFAULT_COUNTRY,
                 subdivisions: str | Sequence[str] | None = ALL, categories: Sequence[str] = ("public",),
                 trailing_days: int = 7, min_ratio: float = 2.0, alpha: float = 0.01,
                 min_expected_posts: float = 1.0) -> pd.DataFrame:
    """Days on which the campaign's volume is unusual for that kind of day (see the module doc).

    Args:
        store: the workspace.
        campaign: selection of the campaign's posts (platform, post_id); None: all posts.
        baseline: selection of the baseline; None: every post not in the campaign.
        start, end, context_days: observation window (default: the campaign's span widened by
            ``context_days`` each side, within the data).
        country, subdivisions, categories: the calendar (see :func:`toolkit.timeline.calendar.calendar_days`).
        trailing_days: days of history that set the expected level.
        min_ratio: a day is unusual only if its posts are at least this many times the expectation ...
        alpha: ... and that many posts have a Poisson probability below this.
        min_expected_posts: floor of the expectation (posts per day), so a first day after
            silence gets a finite ratio.

    Returns:
        DataFrame, one row per day of the window: ``date``, ``weekday_name``, ``day_type``,
        ``holiday``, ``long_weekend``, ``campaign_posts``, ``baseline_posts``, ``day_type_factor``
        (baseline volume on this kind of day over an ordinary weekday), ``expected_posts``,
        ``ratio``, ``p_value``, ``unusual`` (bool). ``attrs['factors']`` holds the day-type
        factors, ``attrs['parameters']`` the parameters.

    Caveats:
        Posts come in waves, so counts vary more than Poisson: the p-value is optimistic and
        ``min_ratio`` carries much of the judgement. Days are UTC days.
    """
    check_positive("trailing_days", trailing_days, integer=True, hint="Use 7 for a week.")
    check_positive("min_ratio", min_ratio)
    check_positive("min_expected_posts", min_expected_posts)
    check_positive("alpha", alpha)
    if alpha >= 1:
        raise ParameterError(f"alpha={alpha!r}: expected a probability between 0 and 1, e.g. 0.01.")
    lo, hi = analysis_window(store, campaign, baseline=baseline, start=start, end=end, context_days=context_days)
    params = {"method": "trailing level x baseline day-type factor; Poisson tail and ratio",
              "trailing_days": int(trailing_days), "min_ratio": float(min_ratio), "alpha": float(alpha),
              "min_expected_posts": float(min_expected_posts), "country": country,
              "subdivisions": subdivisions if isinstance(subdivisions, str) or subdivisions is None else list(subdivisions),
              "categories": list(categories), "window_start": iso_utc(lo), "window_end": iso_utc(hi)}
    series = volume_series(store, campaign, baseline=baseline, bin_minutes=1440, start=lo, end=hi)
    if series.empty:
        out = pd.DataFrame({c: pd.Series(dtype="object") for c in SURGE_COLUMNS})
        out.attrs.update(parameters=params, factors={})
        return out
    wide = series.pivot_table(index="bin_start", columns="series", values="posts", aggfunc="sum", fill_value=0)
    wide = wide.reindex(columns=[CAMPAIGN, BASELINE], fill_value=0).reset_index()
    wide = wide.rename(columns={CAMPAIGN: "campaign_posts", BASELINE: "baseline_posts"})
    daily = mark_calendar(wide, time_column="bin_start", country=country, subdivisions=subdivisions,
                          categories=categories)
    factors = day_type_factors(daily)
    if daily["baseline_posts"].sum() == 0:
        log.info("unusual_days: empty baseline; every day type counts as an ordinary weekday")
    f = daily["day_type"].map(factors).to_numpy(dtype=float)
    c = daily["campaign_posts"].to_numpy(dtype=float)
    expected = np.empty(len(c))
    p_values = np.empty(len(c))
    for i in range(len(c)):
        history = slice(max(0, i - int(trailing_days)), i)
        level = float(np.mean(c[history] / f[history])) if i > 0 else 0.0
        expected[i] = max(level * f[i], float(min_expected_posts))
        p_values[i] = float(poisson_upper_tail(c[i], expected[i]))
    daily["day_type_factor"] = f
    daily["expected_posts"] = expected
    daily["ratio"] = c / expected
    daily["p_value"] = p_values
    daily["unusual"] = (c > 0) & (c / expected >= float(min_ratio)) & (p_values < float(alpha))
    out = daily[SURGE_COLUMNS].copy()
    out["campaign_posts"] = out["campaign_posts"].astype("int64")
    out["baseline_posts"] = out["baseline_posts"].astype("int64")
    out.attrs["parameters"] = params
    out.attrs["factors"] = factors
    return out
