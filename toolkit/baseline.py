"""A naive baseline to measure the toolkit against: exact copies shared by several accounts.

The rule: flag every account that posted a text (compared exactly, character for
character) that at least ``min_accounts`` distinct accounts posted. It is what a first
look at a campaign often does, and it fails in two instructive ways: it misses copies
that were edited even slightly (a typo, an emoji, another MP's name), and it flags
authentic coordination — constituents pasting an advocacy message, people sharing a
headline, everyone who wrote "Thank you!".

The work runs as SQL in the workspace (``posts`` table); the result is a
:class:`toolkit.metrics.Detection` that :func:`toolkit.metrics.score_detection` scores.

Example:
    >>> from toolkit.store import Store
    >>> from toolkit.load import load_files
    >>> from toolkit.baseline import exact_duplicate_baseline
    >>> store = Store(":memory:")
    >>> _ = load_files(store, ["data/sample/x_tweets.jsonl.gz", "data/sample/facebook_comments.csv"])
    >>> detection = exact_duplicate_baseline(store, min_accounts=3)
    >>> int(detection.accounts["flagged"].sum()) > 0
    True

Caveats: exact equality only; on X every reply starts with ``@handle`` of the account
replied to, so copies sent to different MPs never match.
"""

from __future__ import annotations

import logging

import pandas as pd

from .errors import ParameterError
from .metrics import Detection
from .store import Store

log = logging.getLogger(__name__)

_SHARED_TEXTS = """
    SELECT text, count(DISTINCT (platform, account_id)) AS n_accounts, min(created_at) AS first_seen
    FROM posts
    WHERE text IS NOT NULL AND trim(text) <> '' AND account_id IS NOT NULL
    GROUP BY text
    HAVING count(DISTINCT (platform, account_id)) >= $min_accounts
"""


def exact_duplicate_baseline(store: Store, *, min_accounts: int = 3) -> Detection:
    """Flag accounts that posted an exact copy of a text shared by ``min_accounts`` or more accounts.

    Args:
        store: a workspace with posts loaded.
        min_accounts: how many distinct accounts (platform, account_id) must have posted
            the very same text for it to count as a copy (default 3).

    Returns:
        A :class:`~toolkit.metrics.Detection` with

        - ``accounts``: every account that posted: ``platform, account_id, handle, posts``
          (its posts in the workspace), ``copied_posts`` (those whose text is shared),
          ``max_sharing_accounts`` (most accounts sharing one of its texts), ``score`` =
          copied_posts / posts (0–1), ``flagged`` = copied_posts > 0, ``reasons``;
        - ``clusters``: one row per copied post: ``cluster_id`` (one per shared text, numbered
          by first appearance), ``platform, post_id, account_id, created_at, lang``,
          ``n_accounts``, ``campaign`` (always true: the baseline judges every cluster);
        - ``first_sign``: the earliest copied post; ``peak_day``: the UTC day with most copied posts;
        - ``parameters``: ``{"method": "exact_duplicate", "min_accounts": ...}``.

    Raises:
        ParameterError: ``min_accounts`` < 2.
    """
    if isinstance(min_accounts, bool) or not isinstance(min_accounts, int) or min_accounts < 2:
        raise ParameterError(f"min_accounts={min_accounts!r}: expected an integer >= 2 (a text copied by one account is no copy)")
    params = {"min_accounts": min_accounts}
    accounts = store.df(f"""
        WITH shared AS ({_SHARED_TEXTS})
        SELECT p.platform, p.account_id, any_value(a.handle) AS handle,
               count(*) AS posts,
               count(s.text) AS copied_posts,
               coalesce(max(s.n_accounts), 0) AS max_sharing_accounts
        FROM posts p
        LEFT JOIN shared s ON s.text = p.text
        LEFT JOIN accounts a ON a.platform = p.platform AND a.account_id = p.account_id
        WHERE p.account_id IS NOT NULL
        GROUP BY p.platform, p.account_id
        ORDER BY p.platform, p.account_id
    """, params)
    accounts["score"] = accounts["copied_posts"] / accounts["posts"]
    accounts["flagged"] = accounts["copied_posts"] > 0
    accounts["reasons"] = [
        f"posted {c} exact cop{'y' if c == 1 else 'ies'} of text shared by up to {m} accounts" if c else ""
        for c, m in zip(accounts["copied_posts"], accounts["max_sharing_accounts"])
    ]
    clusters = store.df(f"""
        WITH shared AS ({_SHARED_TEXTS}),
        numbered AS (SELECT text, n_accounts, row_number() OVER (ORDER BY first_seen, text) AS cluster_id FROM shared)
        SELECT n.cluster_id, p.platform, p.post_id, p.account_id, p.created_at, p.lang, n.n_accounts, true AS campaign
        FROM posts p JOIN numbered n ON n.text = p.text
        ORDER BY n.cluster_id, p.created_at, p.platform, p.post_id
    """, params)
    first_sign, peak_day = None, None
    if len(clusters):
        first_sign = pd.Timestamp(clusters["created_at"].min())
        per_day = clusters["created_at"].dt.tz_convert("UTC").dt.strftime("%Y-%m-%d").value_counts()
        peak_day = sorted(per_day[per_day == per_day.max()].index)[0]
    log.info("exact-duplicate baseline: %d shared texts, %d copied posts, %d accounts flagged",
             clusters["cluster_id"].nunique(), len(clusters), int(accounts["flagged"].sum()))
    return Detection(accounts=accounts, clusters=clusters, first_sign=first_sign, peak_day=peak_day,
                     parameters={"method": "exact_duplicate", "min_accounts": min_accounts})
