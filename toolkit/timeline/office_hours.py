"""Office-hours fingerprint: hour-of-week profiles and the UTC offset under which a set of
posts looks like a working day.

Method
------
Posts are counted per 15-minute cell of the week in UTC (7 x 96 cells, in the engine).
A *working-day template* (:class:`WorkingDay`) gives the expected share of a week's
activity in each cell of *local* time: people sleep at night, work on weekdays in two
blocks separated by a lunch break, post less in the morning, evening and at weekends. For
each candidate offset (UTC-12 to UTC+14 in 30-minute steps by default) the UTC profile is
shifted into that local time and scored by its mean log-likelihood under the template,
in bits per post relative to a flat week (0 = no better than posting at random hours).
The best-scoring offset is the fit. Its evidence:

* ``score_bits_per_post`` — how well the template fits at that offset;
* ``log_likelihood_ratio`` — total log-likelihood (nats) of the best offset over the best
  one at least two hours away: how clearly the offset is identified;
* ``office_share`` — share of posts in weekday working hours at that offset, against
  ``office_share_flat`` (the share a flat week would have); ``lunch_dip`` — the posting rate
  in the lunch break over the rate in working hours; ``weekend_ratio`` — posts per weekend
  day over posts per weekday; ``night_share`` — share posted in the sleeping hours.

The template has a sleep trough, so it also places ordinary people (who post mostly in the
evening) in roughly the right time zone; the office measures then tell office work from
leisure.

Example:
    >>> import numpy as np, pandas as pd
    >>> from toolkit.timeline.office_hours import fit_offset_counts, utc_cell_counts
    >>> rng = np.random.default_rng(0)
    >>> days = pd.date_range("2023-08-07", periods=5, freq="D", tz="UTC")  # Mon-Fri
    >>> local = np.r_[rng.uniform(9, 12, 300), rng.uniform(13, 18, 500)]  # office hours, local time
    >>> day = rng.integers(0, 5, size=len(local))
    >>> times = [days[d] + pd.Timedelta(hours=h - 8) for d, h in zip(day, local)]  # posted from UTC+8
    >>> fit_offset_counts(utc_cell_counts(times))["offset_hours"]
    8.0
"""

from __future__ import annotations

import dataclasses
import logging
import math
import zoneinfo
from typing import Any

import numpy as np
import pandas as pd

from toolkit.errors import ParameterError
from toolkit.store import Store
from toolkit.timeline._common import (BASELINE, CAMPAIGN, check_positive, iso_utc, offset_label, tagged_posts,
                                      times_to_seconds)
from toolkit.timeline.series import DEFAULT_CONTEXT_DAYS, analysis_window, ts_literal

log = logging.getLogger(__name__)

#: Minutes per cell of the week profile used for fitting (offsets are multiples of it).
CELL_MINUTES = 15
CELLS_PER_DAY = 1440 // CELL_MINUTES
CELLS_PER_WEEK = 7 * CELLS_PER_DAY
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
FIT_COLUMNS = ["series", "posts", "offset_hours", "offset", "score_bits_per_post", "runner_up_offset_hours",
               "log_likelihood_ratio", "office_share", "office_share_flat", "lunch_dip", "weekend_ratio",
               "night_share"]
#: A runner-up offset must be at least this many hours from the best one.
RUNNER_UP_MIN_DISTANCE_HOURS = 2.0


@dataclasses.dataclass(frozen=True)
class WorkingDay:
    """A working-day template in local time: when someone who works office hours posts.

    Hours are local clock hours (floats, 13.5 = 13:30). Levels are relative posting intensities.

    Attributes:
        work_hours_local: working blocks on weekdays; the gaps between blocks are breaks (lunch).
        sleep_hours_local: (from, to) sleeping hours, every day.
        weekend_days: weekdays off (0 = Monday ... 6 = Sunday).
        work, lunch, morning, evening, late, sleep, weekend: intensity in working hours, in the
            breaks between blocks, from waking to the first block, from the last block to
            midnight, from midnight to sleep, while asleep, and in waking hours of days off.
    """

    work_hours_local: tuple[tuple[float, float], ...] = ((9.0, 12.0), (13.0, 18.0))
    sleep_hours_local: tuple[float, float] = (1.0, 7.0)
    weekend_days: tuple[int, ...] = (5, 6)
    work: float = 1.0
    lunch: float = 0.6
    morning: float = 0.5
    evening: float = 0.8
    late: float = 0.5
    sleep: float = 0.05
    weekend: float = 0.6

    def __post_init__(self):
        blocks = sorted(self.work_hours_local)
        if not blocks:
            raise ParameterError("work_hours_local: expected at least one (start, end) block, e.g. ((9, 12), (13, 18)).")
        s0, s1 = self.sleep_hours_local
        for a, b in blocks:
            if not (0 <= a < b <= 24):
                raise ParameterError(f"work_hours_local={self.work_hours_local!r}: each block must be (start, end) "
                                     "with 0 <= start < end <= 24.")
            if a < s1 and s0 < b:
                raise ParameterError(f"work_hours_local={self.work_hours_local!r} overlaps sleep_hours_local="
                                     f"{self.sleep_hours_local!r}; expected sleeping hours outside working hours.")
        if not (0 <= s0 < s1 <= 24):
            raise ParameterError(f"sleep_hours_local={self.sleep_hours_local!r}: expected (from, to) with 0 <= from < to <= 24.")
        if any(d not in range(7) for d in self.weekend_days):
            raise ParameterError(f"weekend_days={self.weekend_days!r}: expected weekday numbers 0 (Monday) to 6 (Sunday).")
        for name in ("work", "lunch", "morning", "evening", "late", "sleep", "weekend"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and value > 0):
                raise ParameterError(f"{name}={value!r}: expected a positive intensity (0 would make posts impossible).")

    def is_work(self, hour: float) -> bool:
        return any(a <= hour < b for a, b in self.work_hours_local)

    def is_break(self, hour: float) -> bool:
        blocks = sorted(self.work_hours_local)
        return any(blocks[i][1] <= hour < blocks[i + 1][0] for i in range(len(blocks) - 1))

    def is_sleep(self, hour: float) -> bool:
        return self.sleep_hours_local[0] <= hour < self.sleep_hours_local[1]

    def profile(self) -> np.ndarray:
        """Expected share of a week's posts per local 15-minute cell (7 x 96, sums to 1)."""
        blocks = sorted(self.work_hours_local)
        first, last = blocks[0][0], blocks[-1][1]
        out = np.empty((7, CELLS_PER_DAY))
        for d in range(7):
            for c in range(CELLS_PER_DAY):
                h = (c + 0.5) * CELL_MINUTES / 60.0
                if self.is_sleep(h):
                    v = self.sleep
                elif h < self.sleep_hours_local[0]:
                    v = self.late
                elif d in self.weekend_days:
                    v = self.weekend
                elif self.is_work(h):
                    v = self.work
                elif self.is_break(h):
                    v = self.lunch
                elif h < first:
                    v = self.morning
                elif h >= last:
                    v = self.evening
                else:
                    v = self.lunch
                out[d, c] = v
        return out / out.sum()

    def as_dict(self) -> dict:
        return {k: (list(map(list, v)) if k == "work_hours_local" else list(v) if isinstance(v, tuple) else v)
                for k, v in dataclasses.asdict(self).items()}


def utc_cell_counts(times: Any) -> np.ndarray:
    """Posts per UTC 15-minute cell of the week (7 x 96; row 0 = Monday) from timestamps.

    Naive timestamps are taken as UTC.
    """
    s = np.floor(times_to_seconds(times)).astype(np.int64)
    day = s // 86400
    weekday = (day + 3) % 7  # 1970-01-01 was a Thursday
    cell = (s % 86400) // (CELL_MINUTES * 60)
    out = np.zeros((7, CELLS_PER_DAY))
    np.add.at(out, (weekday, cell), 1)
    return out


def _offsets(min_offset_hours: float, max_offset_hours: float, offset_step_minutes: int) -> np.ndarray:
    check_positive("offset_step_minutes", offset_step_minutes, integer=True, hint="Use 30 (half hours) or 60.")
    if int(offset_step_minutes) % CELL_MINUTES:
        raise ParameterError(f"offset_step_minutes={offset_step_minutes!r}: expected a multiple of {CELL_MINUTES}.")
    if not (-24 < float(min_offset_hours) <= float(max_offset_hours) < 24):
        raise ParameterError(f"min_offset_hours={min_offset_hours!r}, max_offset_hours={max_offset_hours!r}: expected "
                             "-24 < min <= max < 24 (UTC offsets run from -12 to +14).")
    step = int(offset_step_minutes) / 60.0
    n = int(math.floor((float(max_offset_hours) - float(min_offset_hours)) / step + 1e-9)) + 1
    return float(min_offset_hours) + step * np.arange(n)


def to_local(counts: np.ndarray, offset_hours: float) -> np.ndarray:
    """Shift a UTC week profile (7 x 96) into local time at a fixed UTC offset."""
    shift = int(round(offset_hours * 60 / CELL_MINUTES))
    return np.roll(np.asarray(counts).ravel(), shift).reshape(7, CELLS_PER_DAY)


def offset_scores(counts: np.ndarray, *, template: WorkingDay | None = None, min_offset_hours: float = -12.0,
                  max_offset_hours: float = 14.0, offset_step_minutes: int = 30) -> pd.DataFrame:
    """Score every candidate UTC offset for a UTC week profile.

    Args:
        counts: posts per UTC 15-minute cell of the week (7 x 96), e.g. from :func:`utc_cell_counts`.
        template: the working-day template (default :class:`WorkingDay`).
        min_offset_hours, max_offset_hours, offset_step_minutes: the candidate offsets.

    Returns:
        DataFrame with ``offset_hours`` and ``score_bits_per_post`` (mean log2-likelihood ratio
        of the posts under the template shifted to that offset, against a flat week; NaN if
        there are no posts).
    """
    template = template or WorkingDay()
    counts = np.asarray(counts, dtype=float)
    if counts.shape != (7, CELLS_PER_DAY):
        raise ParameterError(f"counts: expected a 7 x {CELLS_PER_DAY} array (weekday x 15-minute cell); got {counts.shape}.")
    offsets = _offsets(min_offset_hours, max_offset_hours, offset_step_minutes)
    n = counts.sum()
    logp = np.log2(template.profile().ravel() * CELLS_PER_WEEK)
    scores = [float((to_local(counts, o).ravel() * logp).sum() / n) if n else float("nan") for o in offsets]
    return pd.DataFrame({"offset_hours": offsets, "score_bits_per_post": scores})


def office_measures(local_counts: np.ndarray, template: WorkingDay | None = None) -> dict:
    """Office-hours measures of a week profile already in local time (7 x 96).

    Returns:
        dict with office_share, office_share_flat, lunch_dip (None if the template has no break),
        weekend_ratio (None if the template has no weekend), night_share.
    """
    template = template or WorkingDay()
    c = np.asarray(local_counts, dtype=float)
    n = c.sum()
    hours = (np.arange(CELLS_PER_DAY) + 0.5) * CELL_MINUTES / 60.0
    work = np.array([template.is_work(h) for h in hours])
    brk = np.array([template.is_break(h) for h in hours])
    sleep = np.array([template.is_sleep(h) for h in hours])
    weekend = np.array([d in template.weekend_days for d in range(7)])
    weekdays = ~weekend
    if n == 0:
        return {"office_share": None, "office_share_flat": None, "lunch_dip": None, "weekend_ratio": None,
                "night_share": None}
    office = c[weekdays][:, work].sum()
    flat = weekdays.sum() * work.sum() / CELLS_PER_WEEK
    work_rate = c[weekdays][:, work].sum() / max(weekdays.sum() * work.sum(), 1)
    lunch_dip = None
    if brk.any() and work_rate > 0:
        lunch_dip = float(c[weekdays][:, brk].sum() / (weekdays.sum() * brk.sum()) / work_rate)
    weekend_ratio = None
    if weekend.any() and weekdays.any() and c[weekdays].sum() > 0:
        weekend_ratio = float((c[weekend].sum() / weekend.sum()) / (c[weekdays].sum() / weekdays.sum()))
    return {"office_share": float(office / n), "office_share_flat": float(flat), "lunch_dip": lunch_dip,
            "weekend_ratio": weekend_ratio, "night_share": float(c[:, sleep].sum() / n)}


def fit_offset_counts(counts: np.ndarray, *, template: WorkingDay | None = None, min_offset_hours: float = -12.0,
                      max_offset_hours: float = 14.0, offset_step_minutes: int = 30, min_posts: int = 30) -> dict:
    """Best-fitting UTC offset of a UTC week profile (see the module doc for the method).

    Args:
        counts: posts per UTC 15-minute cell of the week (7 x 96).
        template: the working-day template (default :class:`WorkingDay`).
        min_offset_hours, max_offset_hours, offset_step_minutes: the candidate offsets.
        min_posts: with fewer posts, no offset is given (``offset_hours`` None).

    Returns:
        dict with the columns of :data:`FIT_COLUMNS` except ``series``.
    """
    check_positive("min_posts", min_posts, integer=True)
    template = template or WorkingDay()
    counts = np.asarray(counts, dtype=float)
    scan = offset_scores(counts, template=template, min_offset_hours=min_offset_hours,
                         max_offset_hours=max_offset_hours, offset_step_minutes=offset_step_minutes)
    n = int(counts.sum())
    out = {"posts": n, "offset_hours": None, "offset": None, "score_bits_per_post": None,
           "runner_up_offset_hours": None, "log_likelihood_ratio": None}
    if n < int(min_posts):
        log.info("fit_offset_counts: %d posts, fewer than min_posts=%d; no offset fitted", n, min_posts)
        out.update(office_measures(np.zeros((7, CELLS_PER_DAY)), template))
        return out
    best = int(scan["score_bits_per_post"].idxmax())
    best_off = float(scan.loc[best, "offset_hours"])
    dist = np.abs(((scan["offset_hours"] - best_off) + 12) % 24 - 12)
    far = scan[dist >= RUNNER_UP_MIN_DISTANCE_HOURS]
    out.update({"offset_hours": best_off, "offset": offset_label(best_off),
                "score_bits_per_post": float(scan.loc[best, "score_bits_per_post"])})
    if not far.empty:
        r = int(far["score_bits_per_post"].idxmax())
        out["runner_up_offset_hours"] = float(scan.loc[r, "offset_hours"])
        out["log_likelihood_ratio"] = float(n * math.log(2) * (scan.loc[best, "score_bits_per_post"]
                                                                - scan.loc[r, "score_bits_per_post"]))
    out.update(office_measures(to_local(counts, best_off), template))
    return out


def _window_where(lo: pd.Timestamp | None, hi: pd.Timestamp | None) -> str:
    if lo is None:
        return "TRUE"
    return f"created_at >= {ts_literal(lo)} AND created_at <= {ts_literal(hi)}"


def series_cell_counts(store: Store, campaign: Any = None, *, baseline: Any = None, start: Any = None,
                       end: Any = None, context_days: float = DEFAULT_CONTEXT_DAYS) -> tuple[dict, dict]:
    """UTC week profiles (7 x 96 arrays) of the campaign and the baseline, counted in the engine.

    Returns:
        ({'campaign': counts, 'baseline': counts}, parameters with the window used).
    """
    lo, hi = analysis_window(store, campaign, baseline=baseline, start=start, end=end, context_days=context_days)
    with tagged_posts(store, campaign, baseline) as tagged:
        rows = store.rows(f"""
            SELECT series, isodow(created_at) - 1 AS weekday,
                   (hour(created_at) * 60 + minute(created_at)) // {CELL_MINUTES} AS cell, count(*) AS posts
            FROM {tagged} WHERE {_window_where(lo, hi)} GROUP BY ALL""")
    out = {CAMPAIGN: np.zeros((7, CELLS_PER_DAY)), BASELINE: np.zeros((7, CELLS_PER_DAY))}
    for series, weekday, cell, posts in rows:
        out[series][int(weekday), int(cell)] += posts
    return out, {"window_start": iso_utc(lo), "window_end": iso_utc(hi), "context_days": float(context_days)}


def fit_utc_offset(store: Store, campaign: Any = None, *, baseline: Any = None, start: Any = None, end: Any = None,
                   context_days: float = DEFAULT_CONTEXT_DAYS, template: WorkingDay | None = None,
                   min_offset_hours: float = -12.0, max_offset_hours: float = 14.0, offset_step_minutes: int = 30,
                   min_posts: int = 30) -> pd.DataFrame:
    """The UTC offset under which the campaign (and the baseline) look like a working day.

    Args:
        store: the workspace.
        campaign: selection of the campaign's posts (platform, post_id); None: all posts.
        baseline: selection of the baseline's posts; None: every post not in the campaign.
        start, end: observation window (UTC, inclusive); default: the campaign's span widened by
            ``context_days`` on each side, within the data.
        context_days: days of context around the campaign in the default window.
        template: the working-day template (default :class:`WorkingDay`: 09–12 and 13–18 on
            weekdays, asleep 01–07).
        min_offset_hours, max_offset_hours, offset_step_minutes: candidate offsets (default UTC-12
            to UTC+14 every 30 minutes).
        min_posts: a series with fewer posts gets no offset.

    Returns:
        DataFrame, one row per series ('campaign', 'baseline'), columns :data:`FIT_COLUMNS`:
        ``posts``, ``offset_hours`` (e.g. 8.0), ``offset`` ('UTC+8'), ``score_bits_per_post``,
        ``runner_up_offset_hours``, ``log_likelihood_ratio`` (nats, best over the runner-up two or
        more hours away), ``office_share``, ``office_share_flat``, ``lunch_dip``, ``weekend_ratio``,
        ``night_share``. ``attrs['scan']`` holds every offset's score per series (columns series,
        offset_hours, score_bits_per_post); ``attrs['parameters']`` the parameters and template.

    Caveats:
        A fixed offset: data spanning a daylight-saving change blurs by an hour (fit each side
        separately, or use :func:`hour_of_week` with ``timezone=``). Shift work, night owls,
        scheduled posting tools and mixed populations all bend the profile; the offset of a mix
        of time zones is a weighted middle. Timing is one indicator, never attribution.
    """
    template = template or WorkingDay()
    counts, window = series_cell_counts(store, campaign, baseline=baseline, start=start, end=end,
                                        context_days=context_days)
    rows, scans = [], []
    for series in (CAMPAIGN, BASELINE):
        fit = fit_offset_counts(counts[series], template=template, min_offset_hours=min_offset_hours,
                                max_offset_hours=max_offset_hours, offset_step_minutes=offset_step_minutes,
                                min_posts=min_posts)
        rows.append({"series": series, **fit})
        scan = offset_scores(counts[series], template=template, min_offset_hours=min_offset_hours,
                             max_offset_hours=max_offset_hours, offset_step_minutes=offset_step_minutes)
        scan.insert(0, "series", series)
        scans.append(scan)
    out = pd.DataFrame(rows, columns=FIT_COLUMNS)
    out.attrs["scan"] = pd.concat(scans, ignore_index=True)
    out.attrs["parameters"] = {"method": "working-day template log-likelihood over UTC offsets",
                               "template": template.as_dict(), "min_offset_hours": float(min_offset_hours),
                               "max_offset_hours": float(max_offset_hours),
                               "offset_step_minutes": int(offset_step_minutes), "min_posts": int(min_posts),
                               "cell_minutes": CELL_MINUTES, **window}
    return out


def hour_of_week(store: Store, campaign: Any = None, *, baseline: Any = None, start: Any = None, end: Any = None,
                 context_days: float = DEFAULT_CONTEXT_DAYS, utc_offset_hours: float = 0.0,
                 timezone: str | None = None) -> pd.DataFrame:
    """Posts per hour of the week, in UTC, at a fixed offset, or in a named time zone.

    Args:
        store: the workspace.
        campaign, baseline: selections (see :func:`fit_utc_offset`).
        start, end, context_days: the observation window (see :func:`fit_utc_offset`).
        utc_offset_hours: show local time at this fixed offset (e.g. 8 for Beijing); 0 = UTC.
        timezone: an IANA zone name (e.g. 'America/Toronto'): local time with its daylight-saving
            rules, instead of ``utc_offset_hours``.

    Returns:
        Tidy DataFrame, 168 rows per series (zero-filled): ``series``, ``weekday`` (0 = Monday),
        ``weekday_name``, ``hour`` (local clock hour 0–23), ``posts``, ``share`` (of the series'
        posts). ``attrs['parameters']`` records the offset or zone and the window.
    """
    if not isinstance(utc_offset_hours, (int, float)) or not -24 < utc_offset_hours < 24:
        raise ParameterError(f"utc_offset_hours={utc_offset_hours!r}: expected hours between -24 and 24, e.g. 8 or -4.")
    if timezone is not None:
        try:
            zoneinfo.ZoneInfo(str(timezone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ParameterError(f"timezone={timezone!r}: not an IANA time zone name. Hint: e.g. 'Asia/Shanghai', "
                                 "'America/Toronto'; or use utc_offset_hours.") from None
        local = f"timezone('{timezone}', created_at)"
    else:
        local = f"CAST(created_at AS TIMESTAMP) + INTERVAL '{int(round(float(utc_offset_hours) * 60))} minutes'"
    lo, hi = analysis_window(store, campaign, baseline=baseline, start=start, end=end, context_days=context_days)
    with tagged_posts(store, campaign, baseline) as tagged:
        counts = store.df(f"""
            SELECT series, isodow({local}) - 1 AS weekday, hour({local}) AS hour, count(*) AS posts
            FROM {tagged} WHERE {_window_where(lo, hi)} GROUP BY ALL""")
    grid = pd.MultiIndex.from_product([[CAMPAIGN, BASELINE], range(7), range(24)], names=["series", "weekday", "hour"])
    out = (counts.astype({"weekday": "int64", "hour": "int64"}).set_index(["series", "weekday", "hour"])["posts"]
           .reindex(grid, fill_value=0).reset_index())
    out["posts"] = out["posts"].astype("int64")
    totals = out.groupby("series")["posts"].transform("sum")
    out["share"] = np.where(totals > 0, out["posts"] / totals.where(totals > 0, 1), 0.0)
    out.insert(2, "weekday_name", [WEEKDAY_NAMES[d] for d in out["weekday"]])
    out.attrs["parameters"] = {"utc_offset_hours": None if timezone else float(utc_offset_hours), "timezone": timezone,
                               "window_start": iso_utc(lo), "window_end": iso_utc(hi), "context_days": float(context_days)}
    return out
