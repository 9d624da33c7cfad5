"""What a supported export format is: how it is read, and how its fields map onto the schema.

A :class:`Format` maps one batch of input records, exposed to SQL as the view ``_batch``,
onto *candidate* rows in the engine:

* ``posts_sql`` selects candidate posts with any of the columns of :data:`POST_FIELDS`
  plus ``source_row`` (and optionally ``_raw``: the record's text for a reject, or
  ``_raw_path``: the JSON path of the record inside its line, and ``_problem``: a
  format-specific reason to reject it);
* ``accounts_sql`` selects candidate account snapshots with any of :data:`ACCOUNT_FIELDS`
  plus ``source_row``;

A tabular format maps each record onto at most one candidate post and one account: it gives
its mapping as ``posts_columns`` / ``accounts_columns`` (``{field: SQL expression over the
record's columns}``), from which the queries over ``_batch`` follow, and with which the
loader maps a CSV file in the same pass as DuckDB parses it.

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
        posts_columns: for a tabular format, ``{field: SQL expression}`` over one record's
            columns; gives ``posts_sql``.
        accounts_columns: the same for ``accounts_sql``.
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
    posts_columns: dict[str, str] | None = None
    accounts_columns: dict[str, str] | None = None

    def __post_init__(self):
        for columns, query in ((self.posts_columns, "posts_sql"), (self.accounts_columns, "accounts_sql")):
            if columns is not None and getattr(self, query) is None:
                object.__setattr__(self, query, record_query(columns))


def record_query(columns: dict[str, str]) -> str:
    """The query over ``_batch`` of a record-by-record mapping ``{field: SQL expression}``."""
    return f"SELECT source_row, {', '.join(f'{expr} AS {field}' for field, expr in columns.items())} FROM _batch"


def sql_str(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def blank(expr: str) -> str:
    """SQL: true when the text is NULL, empty or blank.

    A text starting with a printable ASCII character other than space is not blank: only
    other texts are trimmed to find out, which spares most values a copy.
    """
    return f"({expr} IS NULL OR {expr} = '' OR (ascii({expr}) NOT BETWEEN 33 AND 126 AND trim({expr}) = ''))"


def nonempty(expr: str) -> str:
    """SQL: the value verbatim, or NULL when empty or blank (exports write missing values as '')."""
    return f"CASE WHEN NOT {blank(expr)} THEN {expr} END"


def split_list(expr: str) -> str:
    """SQL: a list column from text holding a JSON array, a Python list literal or space/comma-separated items.

    Items are the runs of characters between commas and white space, with quotes, ``#`` and
    ``@`` trimmed from their ends; runs that are nothing else are dropped.
    """
    edge = "[^,\\s''\"#@]"
    return (
        f"CASE WHEN {expr} = '[]' THEN []::VARCHAR[] "
        f"WHEN {blank(expr)} THEN NULL "
        f"WHEN trim({expr}) IN ('[]', 'None') THEN []::VARCHAR[] "
        f"ELSE regexp_extract_all(trim({expr}, '[] '), '{edge}(?:[^,\\s]*{edge})?') END"
    )
