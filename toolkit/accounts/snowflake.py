"""X (Twitter) snowflake ids: the creation time an id encodes, and where that is valid.

A snowflake id is a 64-bit integer whose top 41 bits count milliseconds since X's epoch,
2010-11-04T01:42:54.657Z: ``unix_ms = (id >> 22) + 1288834974657``. The low 22 bits are
a worker number and a sequence counter.

Validity range
--------------
* **Posts** (tweet ids) are snowflakes from 2010-11-04 on; earlier tweets have sequential
  ids below about 3·10^10.
* **Accounts** (user ids) became snowflakes only in mid-February 2016: accounts registered
  before then have sequential ids (32-bit until 2013, then larger sequential numbers below
  about 5·10^9) that encode no time. An independent analysis of the API places the switch
  between 2016-02-16 and 2016-02-17 (some accounts registered those days still got the old
  kind). It also reports that for accounts created after mid-August 2019 the profile's
  ``created_at`` can differ slightly from the time in the id; where the data give a creation
  time, the toolkit prefers it.
* An id is decoded only if it is a plain decimal integer of at least :data:`MIN_SNOWFLAKE_ID`
  (the first snowflake a day after the epoch, about 3.6·10^14): every sequential id, post or
  account, is far below it, so it is never mistaken for a snowflake. A decoded time after
  ``not_after`` (e.g. the account's first post, or the collection time) is impossible and is
  rejected too.

Other platforms: Discord, Mastodon and Instagram use snowflake-like ids with other epochs and
layouts; Facebook numeric ids grow with time but encode none. Decode only X ids here.

Example:
    >>> from toolkit.accounts.snowflake import snowflake_time
    >>> snowflake_time(["1233161576649121792", "783214", "not an id"]).tolist()
    [Timestamp('2020-02-27 22:46:45.564000+0000', tz='UTC'), NaT, NaT]
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np
import pandas as pd

from ..errors import ParameterError

#: X's snowflake epoch in Unix milliseconds (2010-11-04T01:42:54.657Z).
TWITTER_EPOCH_MS = 1288834974657
#: Bits below the timestamp (worker and sequence).
TIMESTAMP_SHIFT = 22
#: Smallest id decoded: the first snowflake one day after the epoch. Sequential ids are below ~10^10.
MIN_SNOWFLAKE_ID = (86_400_000) << TIMESTAMP_SHIFT
#: Largest id decoded (a signed 64-bit integer, as the platform stores it).
MAX_SNOWFLAKE_ID = (1 << 63) - 1
#: Account ids are snowflakes for accounts registered from about this day (before: sequential ids).
USER_SNOWFLAKE_SINCE = pd.Timestamp("2016-02-16", tz="UTC")
#: Post ids are snowflakes from this time on (the epoch).
POST_SNOWFLAKE_SINCE = pd.Timestamp(TWITTER_EPOCH_MS, unit="ms", tz="UTC")


def snowflake_time(ids: Iterable[Any], *, not_after: Any = None) -> pd.Series:
    """Creation times encoded in X snowflake ids; NaT where an id is not a snowflake.

    Args:
        ids: ids as strings or integers (strings are safest: ids overflow doubles).
        not_after: a time (or a sequence of times, one per id) after which a decoded time is
            impossible, e.g. the account's first post; such ids give NaT. None: no bound.

    Returns:
        pandas Series of UTC timestamps (millisecond precision), index 0..n-1.

    Caveats:
        A sequential (pre-2016) account id gives NaT, not a wrong date. A non-X id that happens
        to be a large integer (e.g. a Facebook id of 15 digits) would decode to a meaningless
        2010 time only if it exceeded :data:`MIN_SNOWFLAKE_ID`; decode only X ids.
    """
    values = list(ids)
    out = np.full(len(values), np.iinfo(np.int64).min, dtype=np.int64)  # NaT
    for i, value in enumerate(values):
        n = _as_int(value)
        if n is not None and MIN_SNOWFLAKE_ID <= n <= MAX_SNOWFLAKE_ID:
            out[i] = (n >> TIMESTAMP_SHIFT) + TWITTER_EPOCH_MS
    times = pd.Series(pd.to_datetime(np.where(out == np.iinfo(np.int64).min, np.datetime64("NaT"),
                                              out.astype("datetime64[ms]")), utc=True))
    if not_after is not None:
        bound = pd.to_datetime(not_after, utc=True)
        if isinstance(bound, pd.Timestamp):
            times = times.where(times <= bound)
        else:
            bound = pd.Series(bound).reset_index(drop=True)
            if len(bound) != len(values):
                raise ParameterError(f"not_after: expected one time or {len(values)} times (one per id); "
                                     f"got {len(bound)}.")
            times = times.where(bound.isna() | (times <= bound))
    return times


def _as_int(value: Any) -> int | None:
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) <= 19:
            return int(text)
    return None


def snowflake_time_sql(column: str) -> str:
    """DuckDB expression: the TIMESTAMPTZ a VARCHAR id column encodes, NULL if not a snowflake.

    The same rule as :func:`snowflake_time` (without ``not_after``), for use inside queries.
    """
    as_int = f"TRY_CAST(CASE WHEN regexp_full_match({column}, '[0-9]{{1,19}}') THEN {column} END AS BIGINT)"
    return (f"(CASE WHEN {as_int} >= {MIN_SNOWFLAKE_ID} "
            f"THEN make_timestamp((({as_int} >> {TIMESTAMP_SHIFT}) + {TWITTER_EPOCH_MS}) * 1000)::TIMESTAMPTZ END)")
