"""Loaders: real platform exports → the canonical workspace tables, nothing lost.

Supported (detected from content; ``.gz`` and ``.zip`` read transparently):

* twarc2 JSONL, raw X API v2 response pages, and twarc2 flattened JSONL;
* the X information-operations archive tweets and users CSVs;
* Facebook Graph API comment / post JSON, and CrowdTangle link-share CSV;
* CooRTweet share tables;
* canonical post tables (CSV, JSONL, Parquet), and any CSV through a column mapping.

Use :func:`load_files` from Python or ``cib load FILE... --db DB`` from a shell; see
:func:`reconciliation` for the per-file accounting and ``rejects`` for what was refused.
"""

from __future__ import annotations

from ..store import Store
from .detect import KNOWN_FORMATS, detect_format
from .loader import LoadResult, load_files

__all__ = ["KNOWN_FORMATS", "LoadResult", "detect_format", "load_files", "reconciliation", "rejects"]


def reconciliation(store: Store):
    """Per loaded file: rows read, loaded, rejected, duplicates merged, and whether they add up.

    Returns:
        DataFrame with columns source_id, path, format, records, rows_read, rows_loaded,
        rows_rejected, duplicates_merged, reconciles (bool), accounts_read, accounts_loaded, notes.
    """
    return store.df("""
        SELECT source_id, path, format, records, rows_read, rows_loaded, rows_rejected, duplicates_merged,
               rows_read = rows_loaded + rows_rejected + duplicates_merged AS reconciles,
               accounts_read, accounts_loaded, notes
        FROM sources ORDER BY source_id""")


def rejects(store: Store, *, source_id: int | None = None, limit: int | None = 100):
    """Rejected records with their file, row number and reason (raw text truncated).

    Args:
        source_id: only this file's rejects.
        limit: at most this many rows (None: all).

    Returns:
        DataFrame with columns path, source_row, reason, raw.
    """
    where = "" if source_id is None else f"WHERE r.source_id = {int(source_id)}"
    limit_sql = "" if limit is None else f"LIMIT {int(limit)}"
    return store.df(f"""SELECT s.path, r.source_row, r.reason, r.raw FROM rejects r JOIN sources s USING (source_id)
                        {where} ORDER BY r.source_id, r.source_row {limit_sql}""")
