"""Weekends and public holidays, from the ``holidays`` library, marked on day series.

Canada and every province and territory by default; any country (ISO 3166 code) and
any of its subdivisions can be chosen. A day is a *national holiday* if the country's own
calendar lists it, a *regional holiday* if some subdivisions do; weekends follow the
country's own definition (Saturday–Sunday for Canada, Friday–Saturday in some countries).
A *long weekend* is a run of three or more consecutive days off (weekend days and
national holidays), such as the Labour Day weekend, Saturday 2 – Monday 4 September 2023.

Example:
    >>> from toolkit.timeline.calendar import calendar_days
    >>> days = calendar_days("2023-09-01", "2023-09-05")
    >>> days["day_type"].tolist()
    ['weekday', 'weekend', 'weekend', 'holiday', 'weekday']
    >>> days["long_weekend"].tolist()
    [False, True, True, True, False]
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from typing import Any, Sequence

import holidays as holidays_lib
import pandas as pd

from toolkit.errors import ParameterError
from toolkit.timeline._common import to_utc

log = logging.getLogger(__name__)

DEFAULT_COUNTRY = "CA"
#: ``subdivisions="all"``: every subdivision the library knows for the country.
ALL = "all"
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: Runs of at least this many consecutive days off are long weekends.
LONG_WEEKEND_MIN_DAYS = 3


@functools.lru_cache(maxsize=1)
def _supported() -> dict[str, list[str]]:
    return holidays_lib.list_supported_countries()


def _country_calendar(country: str, subdiv: str | None, years: tuple[int, ...], categories: tuple[str, ...]):
    try:
        return holidays_lib.country_holidays(country, subdiv=subdiv, years=years, categories=categories)
    except NotImplementedError as exc:
        raise ParameterError(f"country={country!r}, subdivision={subdiv!r}: not supported by the holidays library ({exc}).") from None
    except ValueError as exc:
        raise ParameterError(
            f"categories={categories!r}: not valid for country={country!r} ({exc}). Hint: use ('public',), "
            "the default, or the categories holidays.{country}.supported_categories lists."
        ) from None


def resolve_subdivisions(country: str, subdivisions: str | Sequence[str] | None) -> list[str]:
    """The subdivision codes to use: all of the country's, none, or the given ones (checked)."""
    supported = _supported()
    if not isinstance(country, str) or country.upper() not in supported:
        raise ParameterError(
            f"country={country!r}: not a country code the holidays library supports. Expected an ISO 3166-1 alpha-2 "
            f"code such as 'CA', 'US', 'CN', 'TH', 'GB'. Hint: holidays.list_supported_countries() lists all {len(supported)}."
        )
    known = list(supported[country.upper()])
    if subdivisions is None:
        return []
    if isinstance(subdivisions, str):
        if subdivisions == ALL:
            return known
        subdivisions = [subdivisions]
    chosen = [str(s).upper() for s in subdivisions]
    unknown = [s for s in chosen if s not in known]
    if unknown:
        raise ParameterError(
            f"subdivisions={list(subdivisions)!r}: {unknown} not known for country {country!r}; expected some of "
            f"{known}, 'all' or None (national holidays only)."
        )
    return chosen


def calendar_days(start: Any, end: Any, *, country: str = DEFAULT_COUNTRY,
                  subdivisions: str | Sequence[str] | None = ALL,
                  categories: Sequence[str] = ("public",)) -> pd.DataFrame:
    """One row per calendar day from ``start`` to ``end`` (inclusive) with weekends and holidays.

    Args:
        start, end: first and last day (dates or timestamps; timestamps are read as UTC dates).
        country: ISO 3166-1 alpha-2 code the ``holidays`` library supports (default ``'CA'``).
        subdivisions: ``'all'`` (default: every province/state), None (national holidays only),
            or a list of subdivision codes (e.g. ``['ON', 'QC']``).
        categories: holiday categories of the library (``'public'`` by default; Canada also has
            ``'optional'``, e.g. Ontario's Civic Holiday, and ``'government'``).

    Returns:
        DataFrame with columns ``date`` (datetime.date), ``weekday`` (0 = Monday),
        ``weekday_name``, ``is_weekend`` (bool, the country's weekend days),
        ``holiday`` (names, '; '-joined, None if none), ``holiday_subdivisions`` (list of
        subdivision codes observing a regional holiday, empty for national ones),
        ``is_national_holiday``, ``is_regional_holiday`` (bool), ``regional_share`` (share of the
        chosen subdivisions that observe it; 1.0 for national holidays), ``day_off`` (weekend or
        national holiday), ``long_weekend`` (part of a run of 3+ consecutive days off) and
        ``day_type``: 'holiday' (national), 'regional holiday', 'weekend' or 'weekday'.

    Raises:
        ParameterError: unknown country, subdivision or category, or ``end`` before ``start``.
    """
    start_ts, end_ts = to_utc(start, "start"), to_utc(end, "end")
    if start_ts is None or end_ts is None:
        raise ParameterError(f"start={start!r}, end={end!r}: both are needed to build a calendar.")
    if end_ts.normalize() < start_ts.normalize():
        raise ParameterError(f"end={end!r} is before start={start!r}: expected end >= start.")
    country = str(country).upper() if isinstance(country, str) else country
    subs = resolve_subdivisions(country, subdivisions)
    categories = tuple(categories)
    days = pd.date_range(start_ts.normalize().tz_localize(None), end_ts.normalize().tz_localize(None), freq="D")
    years = tuple(range(days[0].year, days[-1].year + 1))
    national = _country_calendar(country, None, years, categories)
    weekend = set(getattr(national, "weekend", {5, 6}))
    regional = {s: _country_calendar(country, s, years, categories) for s in subs}
    rows = []
    for day in days:
        d = day.date()
        names: list[str] = []
        observing: list[str] = []
        nat = d in national
        if nat:
            names.extend(str(national.get(d)).split("; "))
        for s, cal in regional.items():
            if d in cal:
                for n in str(cal.get(d)).split("; "):
                    if n not in names:
                        names.append(n)
                if not nat:
                    observing.append(s)
        share = 1.0 if nat else (len(observing) / len(subs) if subs else 0.0)
        is_weekend = d.weekday() in weekend
        rows.append({
            "date": d, "weekday": d.weekday(), "weekday_name": WEEKDAY_NAMES[d.weekday()], "is_weekend": is_weekend,
            "holiday": "; ".join(names) if names else None, "holiday_subdivisions": observing,
            "is_national_holiday": nat, "is_regional_holiday": bool(observing) and not nat, "regional_share": share,
            "day_off": is_weekend or nat,
        })
    out = pd.DataFrame(rows)
    run_id = (out["day_off"] != out["day_off"].shift()).cumsum()
    run_len = out.groupby(run_id)["day_off"].transform("size")
    out["long_weekend"] = out["day_off"] & (run_len >= LONG_WEEKEND_MIN_DAYS)
    out["day_type"] = "weekday"
    out.loc[out["is_weekend"], "day_type"] = "weekend"
    out.loc[out["is_regional_holiday"] & ~out["is_weekend"], "day_type"] = "regional holiday"
    out.loc[out["is_national_holiday"], "day_type"] = "holiday"
    out.attrs["parameters"] = {"country": country, "subdivisions": subs, "categories": list(categories)}
    return out


def mark_calendar(series: pd.DataFrame, *, time_column: str = "bin_start", country: str = DEFAULT_COUNTRY,
                  subdivisions: str | Sequence[str] | None = ALL,
                  categories: Sequence[str] = ("public",)) -> pd.DataFrame:
    """Add the calendar of each row's UTC date to a series (a copy is returned).

    Args:
        series: any DataFrame with a timestamp column (e.g. :func:`volume_series` output).
        time_column: that column's name.
        country, subdivisions, categories: as for :func:`calendar_days`.

    Returns:
        The series with the columns of :func:`calendar_days` (except ``date``) added, plus
        ``date`` (the row's UTC date).

    Caveats:
        Dates are UTC dates: an evening post in Vancouver (UTC-7) falls on the next UTC day.
    """
    if time_column not in series.columns:
        raise ParameterError(f"time_column={time_column!r}: not a column of the series (columns: {list(series.columns)}).")
    out = series.copy()
    if out.empty:
        for c in ("date", "weekday", "weekday_name", "is_weekend", "holiday", "holiday_subdivisions",
                  "is_national_holiday", "is_regional_holiday", "regional_share", "day_off", "long_weekend", "day_type"):
            out[c] = pd.Series(dtype="object")
        return out
    ts = pd.to_datetime(out[time_column])
    ts = ts.dt.tz_localize("UTC") if ts.dt.tz is None else ts.dt.tz_convert("UTC")
    out["date"] = ts.dt.date
    cal = calendar_days(ts.min(), ts.max(), country=country, subdivisions=subdivisions, categories=categories)
    out = out.merge(cal, on="date", how="left")
    out.attrs = dict(series.attrs)
    out.attrs["calendar"] = cal.attrs["parameters"]
    return out


def day_of(value: Any) -> dt.date:
    """The UTC date of a timestamp (naive values are taken as UTC)."""
    return to_utc(value, "value").date()
