"""What a supported export format is: how it is read, and how its fields map onto the schema.

A :class:`Format` maps one batch of input records, exposed to SQL as the view ``_batch``,
onto *candidate* rows in the engine:

* ``posts_sql`` selects candidate posts with any of the columns of :data:`POST_FIELDS`
  plus ``source_row`` (and optionally ``_raw``: the record's text for a reject, or
  ``_raw_path``: the JSON path of the record inside its line, and ``_problem``: a
  format-specific reason to reject it);
* ``accounts_sql`` selects candidate account snapshots with any of :data:`ACCOUNT_FIELDS`
  plus ``source_row``;

The loader (:mod:`toolkit.load.loader`) validates the candidates, turns them into typed
rows and merges them into the workspace: the formats hold field mapping only.
"""

from __future__ import annotations

import dataclasses

#: Candidate post fields a format may produce (text unless noted), beside ``source_row``.
POST_FIELDS = {
    "platform": "VARCHAR", "post_id": "VARCHAR", "account_id": "VARCHAR",
    "created_at_text": "VARCHAR", "text": "VARCHAR", "lang": "VARCHAR",
    "reply_to_post_id": "VARCHAR", "reply_to_account_id": "VARCHAR", "conversation_id": "VARCHAR",
    "repost_of_post_id": "VARCHAR", "repost_of_account_id": "VARCHAR", "quote_of_post_id": "VARCHAR",
    "urls": "VARCHAR[]", "hashtags": "VARCHAR[]", "mentions": "VARCHAR[]", "client": "VARCHAR",
    "like_count": "BIGINT", "reply_count": "BIGINT", "repost_count": "BIGINT", "quote_count": "BIGINT",
}
#: Candidate account fields a format may produce, beside ``source_row``.
ACCOUNT_FIELDS = {
    "platform": "VARCHAR", "account_id": "VARCHAR", "handle": "VARCHAR", "display_name": "VARCHAR",
    "created_at_text": "VARCHAR", "description": "VARCHAR", "location": "VARCHAR", "lang": "VARCHAR",
    "followers": "BIGINT", "following": "BIGINT", "post_count": "BIGINT", "verified": "BOOLEAN",
    "profile_url": "VARCHAR", "observed_at_text": "VARCHAR",
}


@dataclasses.dataclass(frozen=True)
class Format:
    """One supported input format.

    Attributes:
        name: short identifier recorded in ``sources.format``.
        title: what users call it, for messages and docs.
        reader: ``"lines"`` (JSONL), ``"document"`` (one JSON document), ``"csv"`` or ``"parquet"``.
        records: what one record of the file is: ``"posts"`` or ``"accounts"``.
        posts_sql: candidate posts from ``_batch`` (None for account rosters).
        accounts_sql: candidate account snapshots from ``_batch`` (None if the format has none).
        field_names: the format's own names of post_id / account_id / created_at, for messages.
        naive_times_are_utc: the format documents its zone-less times as UTC (no note needed).
        required_columns: for tabular formats, columns that must be in the header.
        accounts_are_records: account objects stand on their own in the input (API pages'
            ``includes.users``), so they load even where a post beside them is rejected;
            otherwise an account comes from its post's row and is dropped with it.
    """

    name: str
    title: str
    reader: str
    records: str
    posts_sql: str | None = None
    accounts_sql: str | None = None
    field_names: dict[str, str] = dataclasses.field(default_factory=dict)
    naive_times_are_utc: bool = False
    required_columns: tuple[str, ...] = ()
    accounts_are_records: bool = False


def sql_str(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def nonempty(expr: str) -> str:
    """SQL: the value verbatim, or NULL when empty or blank (exports write missing values as '')."""
    return f"CASE WHEN trim({expr}) <> '' THEN {expr} END"


def split_list(expr: str) -> str:
    """SQL: a list column from text holding a JSON array, a Python list literal or space/comma-separated items."""
    return (
        f"CASE WHEN {nonempty(expr)} IS NULL THEN NULL "
        f"WHEN trim({expr}) IN ('[]', 'None') THEN []::VARCHAR[] "
        f"ELSE [trim(x, ' ''\"#@') FOR x IN regexp_split_to_array(trim({expr}, '[] '), '[,\\s]+') "
        f"IF trim(x, ' ''\"#@') <> ''] END"
    )
