"""Post tables: the canonical CSV / JSONL / Parquet files, any CSV through a column mapping,
and CooRTweet-style share tables.

The canonical columns are :data:`toolkit.schema.CANONICAL_FILE_COLUMNS` (required:
:data:`toolkit.schema.CANONICAL_REQUIRED_COLUMNS`; optional extras:
:data:`toolkit.schema.CANONICAL_OPTIONAL_COLUMNS`). Columns are matched by name, never by
position; other columns are ignored. ``created_at`` may carry any UTC offset or ``Z``;
times without one are taken as UTC and the assumption is recorded in ``sources.notes``.
"""

from __future__ import annotations

from ..errors import FormatError
from ..schema import (CANONICAL_FILE_COLUMNS, CANONICAL_OPTIONAL_COLUMNS, CANONICAL_REQUIRED_COLUMNS,
                      PLATFORM_X)
from .formats import Format, nonempty, split_list, sql_str

_POST_MAP = {
    "post_id": "post_id", "account_id": "account_id", "created_at_text": "created_at", "text": "text",
    "lang": "lang", "reply_to_post_id": "reply_to_post_id", "reply_to_account_id": "reply_to_account_id",
    "conversation_id": "conversation_id", "repost_of_post_id": "repost_of_post_id",
    "repost_of_account_id": "repost_of_account_id", "quote_of_post_id": "quote_of_post_id", "client": "client",
}
_POST_LISTS = ("urls", "hashtags", "mentions")
_POST_COUNTS = ("like_count", "reply_count", "repost_count", "quote_count")
_ACCOUNT_MAP = {
    "handle": "account_handle", "display_name": "account_name", "created_at_text": "account_created_at",
    "description": "account_description", "location": "account_location", "lang": "account_lang",
}
_ACCOUNT_COUNTS = {"followers": "account_followers", "following": "account_following", "post_count": "account_post_count"}


def canonical_format(reader: str, columns: list[str], *, mapping: dict[str, str] | None, platform: str | None,
                     source: str) -> Format:
    """The canonical post-table format for a file with these columns.

    Args:
        reader: ``"csv"``, ``"lines"`` (JSONL) or ``"parquet"``.
        columns: the file's column (or JSON key) names.
        mapping: ``{file_column: canonical_column}`` renames, for other tools' CSVs.
        platform: platform for rows whose ``platform`` is empty or missing.
        source: file label for messages.

    Raises:
        FormatError: a required column is missing, or the mapping names unknown columns.
    """
    mapping = dict(mapping or {})
    known = set(CANONICAL_FILE_COLUMNS) | set(CANONICAL_OPTIONAL_COLUMNS)
    unknown_targets = sorted(set(mapping.values()) - known)
    if unknown_targets:
        raise FormatError(f"{source}: --map targets {unknown_targets} are not canonical columns; expected some of {sorted(known)}")
    missing_sources = sorted(set(mapping) - set(columns))
    if missing_sources:
        raise FormatError(f"{source}: --map names columns {missing_sources} that the file does not have; its columns are {columns}")
    renamed = {mapping.get(c, c): c for c in columns if mapping.get(c, c) in known}
    required = [c for c in CANONICAL_REQUIRED_COLUMNS if not (c == "platform" and platform)]
    missing = [c for c in required if c not in renamed]
    if missing:
        raise FormatError(
            f"{source}: not a known export and not a post table: missing required column(s) {missing}. "
            f"Expected columns: {CANONICAL_FILE_COLUMNS}, of which {CANONICAL_REQUIRED_COLUMNS} are required "
            f"(platform may instead be given with --platform). The file's columns are {columns[:30]}. "
            f"Rename with --map FILE_COLUMN=CANONICAL_COLUMN (e.g. --map DATE=created_at)."
        )

    def col(name: str) -> str:
        original = renamed[name]
        if reader == "lines":
            return f"json_extract_string(raw, {sql_str('$.' + _json_key(original))})"
        quoted = '"' + original.replace('"', '""') + '"'
        return f"CAST({quoted} AS VARCHAR)"

    def text(name: str) -> str:
        return nonempty(col(name)) if name in renamed else "NULL"

    platform_sql = f"lower({text('platform')})" if "platform" in renamed else "NULL"
    if platform:
        platform_sql = f"coalesce({platform_sql}, {sql_str(platform.lower())})"
    post_fields = {}
    if reader == "lines":
        post_fields["_problem"] = "CASE WHEN json_type(raw) <> 'OBJECT' THEN 'not a post object: a JSON ' || json_type(raw) END"
    post_fields["platform"] = platform_sql
    post_fields.update({field: text(c) for field, c in _POST_MAP.items() if c in renamed and field != "text"})
    if "text" in renamed:
        post_fields["text"] = col("text")
    post_fields.update({c: split_list(col(c)) for c in _POST_LISTS if c in renamed})
    post_fields.update({c: f"try_cast({text(c)} AS BIGINT)" for c in _POST_COUNTS if c in renamed})

    account_fields = {"platform": platform_sql, "account_id": text("account_id")}
    account_fields.update({field: text(c) for field, c in _ACCOUNT_MAP.items() if c in renamed})
    account_fields.update({field: f"try_cast({text(c)} AS BIGINT)" for field, c in _ACCOUNT_COUNTS.items() if c in renamed})
    if "account_verified" in renamed:
        account_fields["verified"] = f"try_cast({text('account_verified')} AS BOOLEAN)"

    return Format(
        name={"csv": "canonical_csv", "lines": "canonical_jsonl", "parquet": "canonical_parquet"}[reader],
        title=f"canonical post table ({reader})",
        reader=reader,
        records="posts",
        posts_columns=post_fields,
        accounts_columns=account_fields,
        field_names={k: renamed[k] for k in ("post_id", "account_id", "created_at")},
    )


def _json_key(name: str) -> str:
    return '"' + name.replace('"', '\\"') + '"'


COORTWEET_COLUMNS = ("object_id", "account_id", "content_id", "timestamp_share")


def coortweet_format(platform: str | None) -> Format:
    """CooRTweet share tables: ``object_id`` (item shared), ``account_id``, ``content_id`` (the
    share itself), ``timestamp_share`` (POSIX seconds). The format names no platform: ``x``
    unless ``platform`` is given."""
    platform_sql = sql_str((platform or PLATFORM_X).lower())
    return Format(
        name="coortweet",
        title="CooRTweet share table (object_id, account_id, content_id, timestamp_share)",
        reader="csv",
        records="posts",
        posts_columns={
            "platform": platform_sql,
            "post_id": nonempty("content_id"),
            "account_id": nonempty("account_id"),
            "created_at_text": f"coalesce(CAST(to_timestamp(try_cast(timestamp_share AS DOUBLE)) AS VARCHAR), {nonempty('timestamp_share')})",
            "repost_of_post_id": nonempty("object_id"),
        },
        accounts_columns={"platform": platform_sql, "account_id": nonempty("account_id")},
        field_names={"post_id": "content_id", "account_id": "account_id", "created_at": "timestamp_share"},
        required_columns=COORTWEET_COLUMNS,
    )
