"""When simulated accounts post.

Times are int64 Unix milliseconds (UTC) throughout. Three rhythms:

- Ordinary Canadians (:func:`human_times`): local time in their province's summer
  offset (UTC−2.5 Newfoundland … UTC−7 Pacific), a daily curve that peaks in the evening
  (19:00–22:00) and is flatter and later on weekends, and day-to-day variation with a
  few news days.
- MPs (:func:`mp_times`): daytime, fewer on weekends.
- The campaign (:func:`campaign_wave_counts`, :func:`beijing_shift_times`): Beijing
  office hours (UTC+8, 09:00–12:00, 13:30–17:30 and an evening shift 19:00–21:30, i.e.
  lunch and supper breaks), mostly Monday to Friday, starting quietly on 7 August 2023,
  growing through August, surging over the Labour Day long weekend (Sat 2 – Mon 4
  September 2023) and fading out by 11 September.
"""

from __future__ import annotations

import numpy as np

from .ids import ms

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS

#: Collection window of the simulated exports (UTC): MPs' posts from here ...
WINDOW_START_MS = ms("2023-06-26T00:00:00")
#: ... ordinary replies from here ...
REPLIES_START_MS = ms("2023-07-01T00:00:00")
#: ... to here (exclusive).
WINDOW_END_MS = ms("2023-10-01T00:00:00")

BEIJING_UTC_OFFSET_HOURS = 8.0
#: Beijing-time shifts (start hour, end hour, share of the operators' work).
BEIJING_SHIFTS = [(9.0, 12.0, 0.38), (13.5, 17.5, 0.42), (19.0, 21.5, 0.20)]

# Relative posting activity of ordinary people by local hour 0..23.
_WEEKDAY_HOURS = np.array([1.2, 0.6, 0.35, 0.25, 0.25, 0.4, 1.0, 2.0, 2.6, 2.6, 2.5, 2.6,
                           3.0, 2.9, 2.6, 2.6, 2.8, 3.1, 3.6, 4.3, 4.8, 4.6, 3.6, 2.2])
_WEEKEND_HOURS = np.array([1.8, 1.0, 0.6, 0.4, 0.3, 0.3, 0.5, 1.0, 1.8, 2.6, 3.0, 3.1,
                           3.1, 3.0, 2.9, 2.8, 2.8, 3.0, 3.3, 3.8, 4.1, 4.0, 3.2, 2.4])
_MP_HOURS = np.array([0, 0, 0, 0, 0, 0, 0.2, 1.0, 2.5, 3.0, 3.0, 2.6, 2.2, 2.4, 2.6, 2.4, 2.0, 1.6,
                      1.4, 1.2, 0.8, 0.4, 0.1, 0])

#: Multipliers of ordinary activity on news days (UTC date -> factor).
NEWS_DAYS = {
    "2023-07-26": 1.6,  # federal cabinet shuffle
    "2023-08-18": 1.25, "2023-08-19": 1.25, "2023-08-20": 1.2,  # wildfire evacuations
    "2023-09-02": 0.75, "2023-09-03": 0.7, "2023-09-04": 0.8,  # Labour Day long weekend: people are away
    "2023-09-07": 1.3,  # public inquiry into foreign interference announced
}

#: Expected campaign "waves" (one squad posting one template) per day at scale 1.
CAMPAIGN_WAVES = {
    "2023-08-07": 1, "2023-08-08": 1, "2023-08-09": 2, "2023-08-10": 2, "2023-08-11": 2, "2023-08-12": 0.3, "2023-08-13": 0.3,
    "2023-08-14": 3, "2023-08-15": 3, "2023-08-16": 4, "2023-08-17": 4, "2023-08-18": 4, "2023-08-19": 0.8, "2023-08-20": 0.8,
    "2023-08-21": 5, "2023-08-22": 5, "2023-08-23": 6, "2023-08-24": 6, "2023-08-25": 6, "2023-08-26": 1, "2023-08-27": 1,
    "2023-08-28": 7, "2023-08-29": 7, "2023-08-30": 8, "2023-08-31": 9, "2023-09-01": 12,
    "2023-09-02": 30, "2023-09-03": 38, "2023-09-04": 32,  # Labour Day long weekend
    "2023-09-05": 14, "2023-09-06": 10, "2023-09-07": 6, "2023-09-08": 3, "2023-09-09": 0.5, "2023-09-10": 0.5,
    "2023-09-11": 1,
}
#: Days on which exactly one wave is forced, whatever the draw: the quiet first day and the last.
CAMPAIGN_FORCED_DAYS = ("2023-08-07", "2023-09-11")
#: Days on which the operators keep working through the weekend.
SURGE_DAYS = ("2023-09-02", "2023-09-03", "2023-09-04")


def day_start_ms(day: str) -> int:
    """Unix ms of 00:00 UTC on ``YYYY-MM-DD``."""
    return ms(f"{day}T00:00:00")


def _weekday(day_ms: np.ndarray) -> np.ndarray:
    """0 = Monday ... 6 = Sunday for day starts in Unix ms (1970-01-01 was a Thursday)."""
    return ((np.asarray(day_ms) // DAY_MS) + 3) % 7


def human_times(rng: np.random.Generator, tz_hours: np.ndarray, *, start_ms: int = REPLIES_START_MS,
                end_ms: int = WINDOW_END_MS, day_noise: np.ndarray | None = None) -> np.ndarray:
    """Posting times of ordinary people, one per entry of ``tz_hours``.

    Args:
        rng: the simulation's random generator.
        tz_hours: each post's author's UTC offset in hours (e.g. ``-4.0`` for Ottawa in summer).
        start_ms, end_ms: window (UTC) the times fall in.
        day_noise: optional per-day multipliers (length = days in the window) to share one
            day-to-day pattern among several calls.

    Returns:
        int64 Unix ms, UTC.
    """
    tz_hours = np.asarray(tz_hours, dtype=float)
    n_days = int((end_ms - start_ms) // DAY_MS)
    days = start_ms + DAY_MS * np.arange(n_days, dtype=np.int64)
    weights = np.where(_weekday(days) >= 5, 0.88, 1.0) * (day_noise if day_noise is not None else 1.0)
    for day, factor in NEWS_DAYS.items():
        i = (day_start_ms(day) - start_ms) // DAY_MS
        if 0 <= i < n_days:
            weights[i] *= factor
    d = rng.choice(n_days, size=len(tz_hours), p=weights / weights.sum())
    weekend = _weekday(days[d]) >= 5
    hour = np.where(weekend,
                    rng.choice(24, size=len(d), p=_WEEKEND_HOURS / _WEEKEND_HOURS.sum()),
                    rng.choice(24, size=len(d), p=_WEEKDAY_HOURS / _WEEKDAY_HOURS.sum()))
    seconds = rng.integers(0, 3600, size=len(d))
    t = days[d] + hour * HOUR_MS + seconds * 1000 - (tz_hours * HOUR_MS).astype(np.int64)
    return np.clip(t, start_ms, end_ms - 1000).astype(np.int64)


def day_noise(rng: np.random.Generator, *, start_ms: int = REPLIES_START_MS, end_ms: int = WINDOW_END_MS) -> np.ndarray:
    """Day-to-day variation of ordinary activity: gamma multipliers with mean 1 (sd ≈ 0.2)."""
    n_days = int((end_ms - start_ms) // DAY_MS)
    return rng.gamma(25.0, 1 / 25.0, size=n_days)


def mp_times(rng: np.random.Generator, tz_hours: float, n: int) -> np.ndarray:
    """``n`` posting times for one MP (daytime, local ``tz_hours``), sorted, within the window."""
    n_days = int((WINDOW_END_MS - WINDOW_START_MS) // DAY_MS)
    days = WINDOW_START_MS + DAY_MS * np.arange(n_days, dtype=np.int64)
    weights = np.where(_weekday(days) >= 5, 0.55, 1.0)
    d = rng.choice(n_days, size=n, p=weights / weights.sum())
    hour = rng.choice(24, size=n, p=_MP_HOURS / _MP_HOURS.sum())
    t = days[d] + hour * HOUR_MS + rng.integers(0, 3600, size=n) * 1000 - int(tz_hours * HOUR_MS)
    return np.sort(np.clip(t, WINDOW_START_MS, WINDOW_END_MS - 1000)).astype(np.int64)


def campaign_wave_counts(rng: np.random.Generator, scale: float) -> list[tuple[str, int]]:
    """How many waves the campaign runs each day.

    Args:
        rng: the simulation's random generator.
        scale: multiplies the expected counts of :data:`CAMPAIGN_WAVES`.

    Returns:
        ``[(YYYY-MM-DD, waves), ...]`` in date order; Poisson draws, except exactly one wave
        on each of :data:`CAMPAIGN_FORCED_DAYS`.
    """
    out = []
    for day, expected in CAMPAIGN_WAVES.items():
        count = 1 if day in CAMPAIGN_FORCED_DAYS else int(rng.poisson(expected * scale))
        out.append((day, count))
    return out


def beijing_shift_times(rng: np.random.Generator, day: str, n: int) -> np.ndarray:
    """``n`` wave start times on Beijing calendar day ``day`` during the operators' shifts.

    Returns:
        int64 Unix ms, UTC, sorted (09:00 Beijing = 01:00 UTC).
    """
    shares = np.array([s[2] for s in BEIJING_SHIFTS])
    shift = rng.choice(len(BEIJING_SHIFTS), size=n, p=shares / shares.sum())
    start = np.array([s[0] for s in BEIJING_SHIFTS])[shift]
    length = np.array([s[1] - s[0] for s in BEIJING_SHIFTS])[shift]
    local_hours = start + rng.random(n) * length
    t = day_start_ms(day) + (local_hours * HOUR_MS).astype(np.int64) - int(BEIJING_UTC_OFFSET_HOURS * HOUR_MS)
    return np.sort(t // 1000 * 1000)


def local_waking_times(rng: np.random.Generator, tz_hours: np.ndarray, start_ms: np.ndarray, end_ms: np.ndarray) -> np.ndarray:
    """Times between ``start_ms`` and ``end_ms`` (per entry) at waking hours of local ``tz_hours``.

    Used for the hijacked accounts' earlier lives (Jakarta, Seoul, ...).
    """
    start_ms = np.asarray(start_ms, dtype=np.int64)
    end_ms = np.asarray(end_ms, dtype=np.int64)
    day0 = start_ms // DAY_MS
    n_days = np.maximum((end_ms - start_ms) // DAY_MS, 1)
    d = day0 + (rng.random(len(start_ms)) * n_days).astype(np.int64)
    hour = rng.choice(24, size=len(start_ms), p=_WEEKDAY_HOURS / _WEEKDAY_HOURS.sum())
    t = d * DAY_MS + hour * HOUR_MS + rng.integers(0, 3600, size=len(d)) * 1000 - (np.asarray(tz_hours) * HOUR_MS).astype(np.int64)
    return np.clip(t, start_ms, end_ms).astype(np.int64)


def utc_day(t_ms: np.ndarray) -> np.ndarray:
    """UTC calendar day (``numpy.datetime64[D]``) of Unix ms."""
    return np.asarray(t_ms, dtype=np.int64).astype("datetime64[ms]").astype("datetime64[D]")
