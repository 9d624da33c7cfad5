"""Account forensics: when and how accounts were made, whether they were taken over, how they post.

==================================  ==============================================================
:func:`account_evidence`            one row of measured evidence per account (table ``account_evidence``)
:func:`evidence_columns`            the columns of that table with their meanings
:func:`snowflake_time`              creation time encoded in X snowflake ids (and its validity range)
:func:`is_default_handle`           X's default auto-generated username shape (``ZoeRich28859010``)
:func:`handle_digits`, :func:`handle_matches_name`   companion handle measures
==================================  ==============================================================

See docs/accounts.md for each signal, its validity range and its known false positives.
"""

from .forensics import EVIDENCE_COLUMNS, EVIDENCE_TABLE, account_evidence, evidence_columns
from .handles import DEFAULT_HANDLE_REGEX, handle_digits, handle_matches_name, is_default_handle
from .snowflake import MIN_SNOWFLAKE_ID, TWITTER_EPOCH_MS, USER_SNOWFLAKE_SINCE, snowflake_time

__all__ = [
    "DEFAULT_HANDLE_REGEX", "EVIDENCE_COLUMNS", "EVIDENCE_TABLE", "MIN_SNOWFLAKE_ID", "TWITTER_EPOCH_MS",
    "USER_SNOWFLAKE_SINCE", "account_evidence", "evidence_columns", "handle_digits", "handle_matches_name",
    "is_default_handle", "snowflake_time",
]
