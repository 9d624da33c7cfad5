"""Platform-shaped identifiers that agree with the times they encode.

X (Twitter) ids are *snowflakes*: ``id = (unix_ms - 1288834974657) << 22 | low_bits``,
so a tweet's id tells when it was posted, and an account created after 2015 has an id
that tells when it was created. Older accounts have small sequential ids. Facebook
profile ids grow with the profile's age too: 9–10 digits before 2009, ``1000…`` (15
digits) from 2009 to 2022, ``6155…`` (14 digits) for profiles created in 2023.

All functions take a :class:`numpy.random.Generator` and int64 arrays of Unix
milliseconds (UTC), and return int64 arrays; ids are unique within one call.
"""

from __future__ import annotations

import numpy as np

#: Twitter's snowflake epoch, Unix milliseconds (2010-11-04T01:42:54.657Z).
TWITTER_EPOCH_MS = 1288834974657


def ms(iso: str) -> int:
    """Unix milliseconds of an ISO-8601 UTC time such as ``"2023-08-07T00:00:00"``."""
    return int(np.datetime64(iso, "ms").astype(np.int64))


#: Accounts created from this time on get snowflake ids (before: sequential ids).
USER_SNOWFLAKE_FROM_MS = ms("2016-01-01T00:00:00")

# (creation time, approximate sequential user id) anchors for accounts made before 2016.
_SEQUENTIAL_ANCHORS = np.array([
    (ms("2006-07-15T00:00:00"), 1_000),
    (ms("2008-01-01T00:00:00"), 10_000_000),
    (ms("2009-01-01T00:00:00"), 18_000_000),
    (ms("2010-01-01T00:00:00"), 100_000_000),
    (ms("2011-01-01T00:00:00"), 230_000_000),
    (ms("2012-01-01T00:00:00"), 450_000_000),
    (ms("2013-01-01T00:00:00"), 1_050_000_000),
    (ms("2014-01-01T00:00:00"), 2_250_000_000),
    (ms("2015-01-01T00:00:00"), 2_950_000_000),
    (ms("2016-01-01T00:00:00"), 4_700_000_000),
], dtype=np.int64)


def snowflake_time_ms(ids: np.ndarray) -> np.ndarray:
    """Unix milliseconds encoded in snowflake ids (the inverse of :func:`tweet_ids`)."""
    return (np.asarray(ids, dtype=np.int64) >> 22) + TWITTER_EPOCH_MS


def _redraw_duplicates(rng: np.random.Generator, values: np.ndarray, redraw) -> np.ndarray:
    """Replace every repeated value (after its first occurrence) with a redrawn one until unique."""
    for _ in range(100):
        _, first = np.unique(values, return_index=True)
        dup = np.ones(len(values), dtype=bool)
        dup[first] = False
        if not dup.any():
            return values
        values[dup] = redraw(np.flatnonzero(dup))
    raise RuntimeError("could not draw unique ids after 100 attempts")


def tweet_ids(rng: np.random.Generator, created_ms: np.ndarray) -> np.ndarray:
    """Snowflake ids for tweets (or post-2015 accounts) created at ``created_ms``.

    Args:
        rng: the simulation's random generator.
        created_ms: int64 Unix milliseconds, UTC.

    Returns:
        int64 ids, unique, whose high bits decode back to ``created_ms``.
    """
    created_ms = np.asarray(created_ms, dtype=np.int64)
    base = (created_ms - TWITTER_EPOCH_MS) << 22
    ids = base | rng.integers(0, 1 << 22, size=len(base), dtype=np.int64)
    return _redraw_duplicates(rng, ids, lambda i: base[i] | rng.integers(0, 1 << 22, size=len(i), dtype=np.int64))


def user_ids(rng: np.random.Generator, created_ms: np.ndarray) -> np.ndarray:
    """X account ids: snowflakes from 2016 on, small sequential-looking numbers before.

    Args:
        rng: the simulation's random generator.
        created_ms: int64 Unix milliseconds of each account's creation, UTC.

    Returns:
        int64 ids, unique, increasing with creation time (up to a little jitter).
    """
    created_ms = np.asarray(created_ms, dtype=np.int64)
    ids = tweet_ids(rng, np.maximum(created_ms, TWITTER_EPOCH_MS))
    old = created_ms < USER_SNOWFLAKE_FROM_MS
    if old.any():
        seq = np.interp(created_ms[old], _SEQUENTIAL_ANCHORS[:, 0], _SEQUENTIAL_ANCHORS[:, 1]).astype(np.int64)
        jitter = rng.integers(0, 40_000, size=len(seq), dtype=np.int64)
        ids[old] = seq + jitter
        ids = _redraw_duplicates(rng, ids, lambda i: ids[i] + rng.integers(1, 1000, size=len(i), dtype=np.int64))
    return ids


_FB_2009_MS = ms("2009-01-01T00:00:00")
_FB_2023_MS = ms("2023-01-01T00:00:00")


def facebook_profile_ids(rng: np.random.Generator, created_ms: np.ndarray) -> np.ndarray:
    """Facebook profile ids shaped by profile age (9–10, 15 or 14 digits; see module doc).

    Args:
        rng: the simulation's random generator.
        created_ms: int64 Unix milliseconds of each profile's creation, UTC.

    Returns:
        int64 ids, unique; profiles created minutes apart get nearby ids.
    """
    created_ms = np.asarray(created_ms, dtype=np.int64)
    out = np.empty(len(created_ms), dtype=np.int64)
    early = created_ms < _FB_2009_MS
    middle = (created_ms >= _FB_2009_MS) & (created_ms < _FB_2023_MS)
    recent = created_ms >= _FB_2023_MS
    out[early] = 500_000_000 + ((created_ms[early] - ms("2004-02-04T00:00:00")) // 1000 // 130) + rng.integers(0, 5000, size=early.sum())
    frac = (created_ms[middle] - _FB_2009_MS) / (_FB_2023_MS - _FB_2009_MS)
    out[middle] = 100_000_000_000_000 + (frac * 86_000_000_000).astype(np.int64) + rng.integers(0, 100_000, size=middle.sum())
    out[recent] = 61_550_000_000_000 + (created_ms[recent] - _FB_2023_MS) // 1000 * 40 + rng.integers(0, 40, size=recent.sum())
    return _redraw_duplicates(rng, out, lambda i: out[i] + rng.integers(1, 40, size=len(i), dtype=np.int64))


def unique_numbers(rng: np.random.Generator, n: int, low: int, high: int) -> np.ndarray:
    """``n`` distinct random integers in ``[low, high)``, in random order (int64)."""
    values = rng.integers(low, high, size=n, dtype=np.int64)
    return _redraw_duplicates(rng, values, lambda i: rng.integers(low, high, size=len(i), dtype=np.int64))
