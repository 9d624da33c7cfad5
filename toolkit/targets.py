"""Targets: the accounts a campaign addresses (MPs' X accounts and Facebook pages, for instance).

Either given as a file (``--targets mps.csv``: columns ``platform, account_id, handle, name,
party, province``; extra columns kept, ``party``/``province`` optional) or inferred from the
data: the accounts that most distinct accounts reply to.

:func:`set_targets` writes the workspace table ``targets`` (platform, account_id, handle, name,
party, province, source) where ``source`` is ``file`` or ``inferred``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .errors import FormatError, ParameterError
from .store import Store

TARGET_COLUMNS = ["platform", "account_id", "handle", "name", "party", "province"]
REQUIRED = ["platform", "account_id"]
#: Other spellings of platform names accepted in target files.
PLATFORM_ALIASES = {"twitter": "x", "x.com": "x", "fb": "facebook", "meta": "facebook"}


def read_targets(path: str | Path) -> pd.DataFrame:
    """Read and validate a targets CSV.

    Raises:
        FormatError: missing required columns, or rows without platform / account_id (row numbers given).
    """
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise FormatError(f"{path}: cannot read the targets file as UTF-8 CSV ({exc})") from None
    frame.columns = [c.strip().lower() for c in frame.columns]
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise FormatError(f"{path}: the targets file lacks column(s) {missing}; expected {TARGET_COLUMNS} "
                          f"(party and province optional); found {list(frame.columns)}")
    for column in TARGET_COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
    frame["platform"] = frame.platform.str.strip().str.lower().replace(PLATFORM_ALIASES)
    frame["handle"] = frame.handle.str.strip().str.lstrip("@")
    bad = frame.index[(frame.platform == "") | (frame.account_id.str.strip() == "")]
    if len(bad):
        rows = ", ".join(str(i + 2) for i in bad[:10])  # +2: header line, 1-based
        raise FormatError(f"{path}: row(s) {rows} have no platform or account_id; fill them in or remove them")
    return frame[TARGET_COLUMNS].drop_duplicates(["platform", "account_id"])


def set_targets(store: Store, targets: pd.DataFrame | None = None, *, top_n: int = 50, min_repliers: int = 20) -> pd.DataFrame:
    """Write the ``targets`` table, from a given frame or inferred from replies.

    Args:
        targets: from :func:`read_targets`; None to infer.
        top_n: when inferring, keep at most this many most-replied-to accounts.
        min_repliers: when inferring, an account needs replies from at least this many distinct accounts.

    Returns:
        The ``targets`` table.
    """
    if top_n < 1 or min_repliers < 1:
        raise ParameterError(f"top_n={top_n}, min_repliers={min_repliers}: both must be at least 1")
    if targets is not None:
        store.register("_given", targets.assign(source="file"))
        store.execute("CREATE OR REPLACE TABLE targets AS SELECT * FROM _given")
        store.unregister("_given")
    else:
        store.execute(f"""
            CREATE OR REPLACE TABLE targets AS
            SELECT r.platform, r.account_id, coalesce(a.handle, '') AS handle, coalesce(a.display_name, '') AS name,
                   '' AS party, '' AS province, 'inferred' AS source
            FROM (SELECT platform, reply_to_account_id AS account_id, count(DISTINCT account_id) AS repliers
                  FROM posts WHERE reply_to_account_id IS NOT NULL AND reply_to_account_id <> account_id
                  GROUP BY ALL HAVING count(DISTINCT account_id) >= {int(min_repliers)}
                  ORDER BY repliers DESC, account_id LIMIT {int(top_n)}) r
            LEFT JOIN accounts a USING (platform, account_id)""")
    return store.df("SELECT * FROM targets ORDER BY platform, account_id")
