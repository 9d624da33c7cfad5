"""Parameter checks and small SQL helpers shared by :mod:`toolkit.accounts` and :mod:`toolkit.network`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..store import Store


def check_number(name: str, value: Any, *, minimum: float | None = None, maximum: float | None = None,
                 strict: bool = False, integer: bool = False, hint: str = "") -> float:
    """Return ``value`` as a float, or raise ParameterError naming the parameter and what was expected.

    Args:
        name: the parameter's name, as the user wrote it.
        value: what was received.
        minimum, maximum: bounds (inclusive unless ``strict`` for the minimum).
        strict: the minimum itself is not allowed.
        integer: a whole number is required.
        hint: a sentence appended to the message.
    """
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    ok = ok and math.isfinite(float(value))
    if ok and integer:
        ok = float(value) == int(value)
    if ok and minimum is not None:
        ok = float(value) > minimum if strict else float(value) >= minimum
    if ok and maximum is not None:
        ok = float(value) <= maximum
    if not ok:
        kind = "whole number" if integer else "number"
        bounds = []
        if minimum is not None:
            bounds.append(f"{'>' if strict else '>='} {minimum:g}")
        if maximum is not None:
            bounds.append(f"<= {maximum:g}")
        expected = f"a finite {kind}" + (f" {' and '.join(bounds)}" if bounds else "")
        raise ParameterError(f"{name}={value!r}: expected {expected}. {hint}".strip())
    return float(value)


def to_utc(value: Any, name: str) -> pd.Timestamp | None:
    """A UTC timestamp from a string, datetime or Timestamp (naive values are taken as UTC); None stays None."""
    if value is None:
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ParameterError(f"{name}={value!r}: expected a time such as '2023-08-01' or "
                             "'2023-08-01T00:00:00Z' (UTC), or None.") from None
    if ts is pd.NaT:
        raise ParameterError(f"{name}={value!r}: expected a time, not a missing value; use None for no bound.")
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def period_bounds(start: Any, end: Any) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """Validated (start, end) of an analysis period; either may be None (unbounded)."""
    lo, hi = to_utc(start, "start"), to_utc(end, "end")
    if lo is not None and hi is not None and hi < lo:
        raise ParameterError(f"end={end!r} is before start={start!r}: expected end >= start.")
    return lo, hi


def ts_literal(value: pd.Timestamp) -> str:
    """SQL literal of a UTC timestamp."""
    return f"TIMESTAMPTZ '{value.isoformat()}'"


def period_sql(lo: pd.Timestamp | None, hi: pd.Timestamp | None, column: str = "created_at") -> str:
    """SQL condition: ``column`` within [lo, hi] (both inclusive; None = unbounded)."""
    parts = []
    if lo is not None:
        parts.append(f"{column} >= {ts_literal(lo)}")
    if hi is not None:
        parts.append(f"{column} <= {ts_literal(hi)}")
    return " AND ".join(parts) or "TRUE"


def iso(value: pd.Timestamp | None) -> str | None:
    """ISO-8601 text of a timestamp, None for None."""
    return None if value is None else value.isoformat()


def require_tables(store: Store, tables: tuple[str, ...], hint: str) -> None:
    """Raise ParameterError if the workspace lacks any of ``tables``."""
    missing = [t for t in tables if not store.has_table(t)]
    if missing:
        raise ParameterError(f"the workspace has no table {', '.join(missing)}. {hint}")
