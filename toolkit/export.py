"""Writing output files people open in spreadsheets, safely.

Every CSV the toolkit writes goes through :func:`write_csv`: a text cell starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return is prefixed with a single quote, as the OWASP
CSV-injection guidance recommends, so that a spreadsheet shows it as text instead of running
it as a formula. The original text stays untouched in the workspace.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

#: First characters that make a spreadsheet treat a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A cell value safe for spreadsheets (text starting with a formula trigger gets a leading ')."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _flat(value):
    """Lists (and arrays) become '; '-joined text; other values pass through."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return "; ".join(map(str, value))
    return value


def _safe_cells(column: pd.Series) -> pd.Series:
    """:func:`neutralise` and :func:`_flat` applied to every cell, vectorised when the cells are text."""
    if pd.api.types.infer_dtype(column, skipna=True) not in ("string", "empty"):
        column = column.map(_flat)
        if pd.api.types.infer_dtype(column, skipna=True) not in ("string", "empty"):
            return column.map(neutralise)
    risky = column.str.startswith(FORMULA_TRIGGERS).fillna(False).astype(bool)
    if risky.any():
        column = column.copy()
        column[risky] = "'" + column[risky]
    return column


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as UTF-8 CSV with text cells neutralised; lists are written as '; '-joined text.

    Returns:
        The path written.
    """
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = _safe_cells(out[column])
    path = Path(path)
    out.to_csv(path, index=False, lineterminator="\r\n")  # RFC 4180; a bare CR inside a cell gets quoted
    return path


def write_json(data: dict, path: str | Path) -> Path:
    """Write a JSON document (UTF-8, sorted keys, 2-space indent) deterministically."""
    path = Path(path)
    path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return path
