"""Helpers shared by the timeline modules: the campaign/baseline selection, parameter
checks, timestamp conversion and JSON-friendly values.

A *selection* names the posts that form the campaign (or the baseline): a pandas
DataFrame, a pyarrow Table or a DuckDB relation with the key columns ``platform`` and
``post_id`` (further columns, such as ``cluster_id``, are kept and may be used for
grouping). ``None`` means "every post in the workspace" for the campaign and "every post
not in the campaign" for the baseline.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import math
import uuid
from typing import Any, Iterator

import numpy as np
import pandas as pd

from toolkit.errors import ParameterError
from toolkit.store import Store

log = logging.getLogger(__name__)

#: Columns a selection must have.
KEY_COLUMNS = ("platform", "post_id")
#: Post columns the timeline reads (a narrow projection of the canonical ``posts`` table).
POST_FIELDS = ("platform", "post_id", "account_id", "created_at", "lang", "reply_to_account_id")
#: Series labels used in every tidy output.
CAMPAIGN = "campaign"
BASELINE = "baseline"


def _columns_of(selection: Any) -> list[str] | None:
    if isinstance(selection, pd.DataFrame):
        return [str(c) for c in selection.columns]
    columns = getattr(selection, "columns", None)  # duckdb relation
    if columns is not None:
        return [str(c) for c in columns]
    names = getattr(selection, "column_names", None)  # pyarrow Table
    if names is not None:
        return [str(c) for c in names]
    return None


def check_selection(selection: Any, name: str) -> None:
    """Refuse a selection that is not a table with ``platform`` and ``post_id`` columns."""
    if selection is None:
        return
    columns = _columns_of(selection)
    if columns is None:
        raise ParameterError(
            f"{name}: expected a DataFrame (or pyarrow Table / DuckDB relation) with columns 'platform' and "
            f"'post_id', or None for all posts; got {type(selection).__name__}. Hint: pass e.g. "
            f"clusters[['platform', 'post_id']] or store.df('SELECT platform, post_id FROM posts WHERE ...')."
        )
    missing = [c for c in KEY_COLUMNS if c not in columns]
    if missing:
        raise ParameterError(
            f"{name}: missing column(s) {missing}; the selection has columns {columns[:12]}. "
            "A selection names posts by their key (platform, post_id). Hint: rename your columns, "
            "e.g. df.rename(columns={'id': 'post_id'})."
        )


@contextlib.contextmanager
def tagged_posts(store: Store, campaign: Any = None, baseline: Any = None,
                 extra_columns: tuple[str, ...] = ()) -> Iterator[str]:
    """Register the selections and yield SQL for the posts tagged with their series.

    The yielded SQL is a sub-query with the columns of :data:`POST_FIELDS`, a ``series``
    column (``'campaign'`` or ``'baseline'``) and, for the campaign rows, the selection's
    ``extra_columns`` (NULL for baseline rows). A post in both selections appears twice,
    once per series.

    Args:
        store: the workspace.
        campaign: selection of the campaign's posts, None for all posts.
        baseline: selection of the baseline's posts, None for every post not in the campaign.
        extra_columns: further columns of the campaign selection to carry along.
    """
    check_selection(campaign, "campaign")
    check_selection(baseline, "baseline")
    if extra_columns:
        if campaign is None:
            raise ParameterError(
                f"group_column={extra_columns[0]!r} needs a campaign selection that has that column; campaign is None. "
                "Hint: pass e.g. clusters[['platform', 'post_id', 'cluster_id']]."
            )
        columns = _columns_of(campaign)
        missing = [c for c in extra_columns if c not in columns]
        if missing:
            raise ParameterError(
                f"group_column={missing[0]!r}: the campaign selection has no such column (it has {columns[:12]}). "
                "Hint: include it in the selection or leave group_column=None."
            )
    table = _TAGGED_TABLES.get(id(store))
    if table is not None and table[1] is campaign and table[2] is baseline and not extra_columns:
        yield f"(SELECT * FROM {table[0]})"
        return
    names: list[str] = []
    fields = ", ".join(f"p.{f}" for f in POST_FIELDS)
    try:
        parts = []
        camp_name = base_name = None
        if campaign is not None:
            camp_name = f"_timeline_sel_{uuid.uuid4().hex[:12]}"
            store.register(camp_name, campaign)
            names.append(camp_name)
            extra_sel = "".join(f", s.{c}" for c in extra_columns)
            key_sql = (f"(SELECT DISTINCT CAST(platform AS VARCHAR) AS platform, CAST(post_id AS VARCHAR) AS post_id"
                       f"{''.join(f', {c}' for c in extra_columns)} FROM {camp_name})")
            parts.append(f"SELECT {fields}, '{CAMPAIGN}' AS series{extra_sel} FROM posts p "
                         f"JOIN {key_sql} s ON s.platform = p.platform AND s.post_id = p.post_id")
        else:
            parts.append(f"SELECT {fields}, '{CAMPAIGN}' AS series FROM posts p")
        extra_null = "".join(f", NULL AS {c}" for c in extra_columns)
        if baseline is not None:
            base_name = f"_timeline_base_{uuid.uuid4().hex[:12]}"
            store.register(base_name, baseline)
            names.append(base_name)
            parts.append(f"SELECT {fields}, '{BASELINE}' AS series{extra_null} FROM posts p WHERE EXISTS ("
                         f"SELECT 1 FROM {base_name} b WHERE CAST(b.platform AS VARCHAR) = p.platform "
                         f"AND CAST(b.post_id AS VARCHAR) = p.post_id)")
        elif campaign is not None:
            parts.append(f"SELECT {fields}, '{BASELINE}' AS series{extra_null} FROM posts p WHERE NOT EXISTS ("
                         f"SELECT 1 FROM {camp_name} c WHERE CAST(c.platform AS VARCHAR) = p.platform "
                         f"AND CAST(c.post_id AS VARCHAR) = p.post_id)")
        yield "(" + "\nUNION ALL\n".join(parts) + ")"
    finally:
        for n in names:
            with contextlib.suppress(Exception):
                store.unregister(n)


#: id(store) -> (temp table, campaign, baseline) while :func:`tagged_posts_table` runs.
_TAGGED_TABLES: dict[int, tuple[str, Any, Any]] = {}


@contextlib.contextmanager
def tagged_posts_table(store: Store, campaign: Any = None, baseline: Any = None) -> Iterator[None]:
    """Within the block, :func:`tagged_posts` of these same selections (without extra columns)
    reads one temporary table, built here once, instead of joining the selections to ``posts``
    in every query; the table is dropped at the end."""
    if id(store) in _TAGGED_TABLES:  # an outer block already holds a table
        yield
        return
    name = f"_timeline_tagged_{uuid.uuid4().hex[:12]}"
    with tagged_posts(store, campaign, baseline) as sql:
        store.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {sql}")
    _TAGGED_TABLES[id(store)] = (name, campaign, baseline)
    try:
        yield
    finally:
        del _TAGGED_TABLES[id(store)]
        store.execute(f"DROP TABLE IF EXISTS {name}")


def selection_report(store: Store, campaign: Any = None, baseline: Any = None) -> dict[str, int]:
    """How many posts each series has, and how many selected keys are not in the workspace.

    Returns:
        dict with campaign_posts, baseline_posts, campaign_keys_not_found, baseline_keys_not_found.
    """
    out = {}
    with tagged_posts(store, campaign, baseline) as sql:
        counts = dict(store.rows(f"SELECT series, count(*) FROM {sql} GROUP BY series"))
    out["campaign_posts"] = int(counts.get(CAMPAIGN, 0))
    out["baseline_posts"] = int(counts.get(BASELINE, 0))
    for label, sel in (("campaign", campaign), ("baseline", baseline)):
        missing = 0
        if sel is not None:
            name = f"_timeline_chk_{uuid.uuid4().hex[:12]}"
            store.register(name, sel)
            try:
                missing = int(one_value(
                    store, f"SELECT count(*) FROM (SELECT DISTINCT CAST(platform AS VARCHAR) AS platform, "
                    f"CAST(post_id AS VARCHAR) AS post_id FROM {name}) s WHERE NOT EXISTS (SELECT 1 FROM posts p "
                    f"WHERE p.platform = s.platform AND p.post_id = s.post_id)"))
            finally:
                store.unregister(name)
            if missing:
                log.warning("%s selection: %d (platform, post_id) keys are not in the workspace and were ignored",
                            label, missing)
        out[f"{label}_keys_not_found"] = missing
    return out


def one_row(store: Store, sql: str) -> tuple:
    """The first row of a query, with the result fully consumed (the connection stays usable)."""
    rows = store.rows(sql)
    return rows[0] if rows else ()


def one_value(store: Store, sql: str) -> Any:
    """The first value of the first row of a query (None if no row), result fully consumed."""
    row = one_row(store, sql)
    return row[0] if row else None


# -- parameters ------------------------------------------------------------------------------
def check_positive(name: str, value: Any, *, integer: bool = False, allow_zero: bool = False, hint: str = "") -> None:
    """Raise ParameterError unless ``value`` is a positive (or non-negative) finite number."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if ok:
        ok = math.isfinite(float(value)) and (float(value) >= 0 if allow_zero else float(value) > 0)
        if integer:
            ok = ok and float(value) == int(value)
    if not ok:
        kind = "integer" if integer else "number"
        bound = ">= 0" if allow_zero else "> 0"
        raise ParameterError(f"{name}={value!r}: expected a finite {kind} {bound}. {hint}".strip())


def check_choice(name: str, value: Any, choices: tuple) -> None:
    """Raise ParameterError unless ``value`` is one of ``choices``."""
    if value not in choices:
        raise ParameterError(f"{name}={value!r}: expected one of {list(choices)}.")


def check_bin_minutes(bin_minutes: Any) -> int:
    """Validate a bin width: a whole number of minutes that divides a day or is whole days."""
    check_positive("bin_minutes", bin_minutes, integer=True,
                   hint="Use 1 (minute), 60 (hour) or 1440 (day).")
    b = int(bin_minutes)
    if not (1440 % b == 0 or b % 1440 == 0):
        raise ParameterError(
            f"bin_minutes={bin_minutes!r}: expected a divisor of 1440 (1, 5, 10, 15, 30, 60, 120, ... so bins align "
            "on UTC midnight) or a whole number of days (1440, 10080 for weeks). Hint: use 60 for hours, 1440 for days."
        )
    return b


# -- times -----------------------------------------------------------------------------------
def to_utc(value: Any, name: str) -> pd.Timestamp | None:
    """A timestamp in UTC; naive values are taken as UTC (documented), None stays None."""
    if value is None:
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise ParameterError(f"{name}={value!r}: not a timestamp ({exc}). Hint: use ISO-8601, e.g. '2023-08-07T00:00Z'.") from None
    if pd.isna(ts):
        return None
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def times_to_seconds(times: Any, name: str = "times") -> np.ndarray:
    """Unix seconds (float64) of a sequence of timestamps; naive ones are taken as UTC."""
    if isinstance(times, np.ndarray) and times.dtype.kind in "if":
        return times.astype(np.float64)
    try:
        idx = pd.DatetimeIndex(pd.to_datetime(pd.Series(list(times) if not hasattr(times, "dtype") else times)))
    except (ValueError, TypeError) as exc:
        raise ParameterError(f"{name}: cannot read as timestamps ({exc}). Hint: pass datetimes or ISO-8601 strings.") from None
    if idx.tz is None:
        idx = idx.tz_localize("UTC")
    else:
        idx = idx.tz_convert("UTC")
    if idx.hasnans:
        raise ParameterError(f"{name}: {int(idx.isna().sum())} missing timestamps; drop them first.")
    return (idx.asi8.astype(np.float64) / _unit_per_second(idx))


def _unit_per_second(idx: pd.DatetimeIndex) -> float:
    unit = np.datetime_data(idx.dtype.base if hasattr(idx.dtype, "base") else idx.dtype)[0]
    return {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}[unit]


def seconds_to_utc(seconds: Any) -> pd.Timestamp:
    """A UTC timestamp from Unix seconds."""
    return pd.Timestamp(float(seconds), unit="s", tz="UTC")


def iso_utc(value: Any) -> str | None:
    """ISO-8601 UTC text (``2023-08-07T01:02:03Z``) of a timestamp, None for missing."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    ts = pd.Timestamp(value)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def offset_label(hours: float | None) -> str | None:
    """``UTC+8``, ``UTC-4``, ``UTC+5:30`` for an offset in hours."""
    if hours is None or (isinstance(hours, float) and math.isnan(hours)):
        return None
    sign = "+" if hours >= 0 else "-"
    minutes = int(round(abs(hours) * 60))
    h, m = divmod(minutes, 60)
    return f"UTC{sign}{h}" + (f":{m:02d}" if m else "")


def poisson_upper_tail(k: Any, mean: Any) -> np.ndarray:
    """P(X >= k) for X ~ Poisson(mean), elementwise (1 where k <= 0)."""
    from scipy.special import gammainc  # regularised lower incomplete gamma: P(X >= k) = P(k, mean)

    k = np.asarray(k, dtype=float)
    mean = np.broadcast_to(np.asarray(mean, dtype=float), k.shape)
    return np.where(k <= 0, 1.0, gammainc(np.maximum(k, 1.0), mean))


def jsonable(value: Any) -> Any:
    """Plain JSON types (dict/list/str/int/float/bool/None) of nested numpy/pandas values."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return iso_utc(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if not math.isfinite(value) else value
    if value is pd.NaT or value is pd.NA:
        return None
    return value
