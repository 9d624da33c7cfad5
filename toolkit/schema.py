"""The canonical schema: the one definition of the workspace tables.

Every loader maps its format onto these columns by name; every analysis reads them.
Times are ``TIMESTAMP WITH TIME ZONE`` normalised to UTC; ids are strings (X ids
overflow doubles, hashed ids are hex); platform names are lower-case (``x``,
``facebook``, ``youtube``...).

Tables
------
posts     one row per (platform, post_id): tweets, replies, reposts, comments, shares.
accounts  one row per (platform, account_id): the latest profile the sources gave.
account_history  each version (handle, display_name, description) an account was seen with,
          first and last seen: renamed or repurposed accounts show up here.
sources   one row per loaded file: path, sha256, format and the reconciliation
          rows_read = rows_loaded + rows_rejected + duplicates_merged.
rejects   every record that was not loaded, with its row/line number and a reason.
_meta     key/value: schema_version, toolkit_version, created_at.

Bump :data:`SCHEMA_VERSION` whenever a column changes meaning or is removed; the store
refuses to open a workspace of another version.
"""

from __future__ import annotations

SCHEMA_VERSION = 1

#: Platform used when a format does not say (X information-operations archive, twarc, CooRTweet).
PLATFORM_X = "x"

# (column, DuckDB type, description). Order is the table's column order.
POST_COLUMNS: list[tuple[str, str, str]] = [
    ("platform", "VARCHAR NOT NULL", "lower-case platform name: x, facebook, ..."),
    ("post_id", "VARCHAR NOT NULL", "the platform's id of the post, comment or share"),
    ("account_id", "VARCHAR", "author's platform account id (NULL where the export hides it)"),
    ("created_at", "TIMESTAMPTZ NOT NULL", "publication time, UTC"),
    ("text", "VARCHAR", "text exactly as exported (never rewritten)"),
    ("lang", "VARCHAR", "language tag given by the source (e.g. X's 'lang'), NULL if none"),
    ("reply_to_post_id", "VARCHAR", "post this one replies to / comments on"),
    ("reply_to_account_id", "VARCHAR", "account replied to: the target"),
    ("conversation_id", "VARCHAR", "thread root id where the platform gives one"),
    ("repost_of_post_id", "VARCHAR", "post this one reposts (retweet, share)"),
    ("repost_of_account_id", "VARCHAR", "author of the reposted post"),
    ("quote_of_post_id", "VARCHAR", "post this one quotes"),
    ("urls", "VARCHAR[]", "expanded links in the post"),
    ("hashtags", "VARCHAR[]", "hashtags without '#'"),
    ("mentions", "VARCHAR[]", "mentioned handles without '@' (user ids where the source gives only ids)"),
    ("client", "VARCHAR", "posting client / app where given (e.g. 'Twitter for Android')"),
    ("like_count", "BIGINT", "likes / reactions at collection time"),
    ("reply_count", "BIGINT", "replies at collection time"),
    ("repost_count", "BIGINT", "reposts / shares at collection time"),
    ("quote_count", "BIGINT", "quotes at collection time"),
    ("source_id", "INTEGER NOT NULL", "sources.source_id of the file the row came from (first seen)"),
    ("source_row", "BIGINT NOT NULL", "line (JSON) or record (CSV, header excluded) number in that file, 1-based"),
]

ACCOUNT_COLUMNS: list[tuple[str, str, str]] = [
    ("platform", "VARCHAR NOT NULL", "lower-case platform name"),
    ("account_id", "VARCHAR NOT NULL", "the platform's account id"),
    ("handle", "VARCHAR", "screen name / username without '@'"),
    ("display_name", "VARCHAR", "display name"),
    ("created_at", "TIMESTAMPTZ", "account creation time, UTC, where the source gives it"),
    ("description", "VARCHAR", "profile bio"),
    ("location", "VARCHAR", "self-reported location"),
    ("lang", "VARCHAR", "account language where the source gives it"),
    ("followers", "BIGINT", "followers / subscribers at collection time"),
    ("following", "BIGINT", "accounts followed at collection time"),
    ("post_count", "BIGINT", "posts the platform says the account made (all time)"),
    ("verified", "BOOLEAN", "platform verification flag"),
    ("profile_url", "VARCHAR", "link to the profile where the source gives it"),
    ("observed_at", "TIMESTAMPTZ", "when the newest profile snapshot was collected, NULL if unknown"),
    ("source_id", "INTEGER NOT NULL", "file the profile was first read from"),
    ("source_row", "BIGINT NOT NULL", "row or line in that file"),
]

ACCOUNT_HISTORY_COLUMNS: list[tuple[str, str, str]] = [
    ("platform", "VARCHAR NOT NULL", "lower-case platform name"),
    ("account_id", "VARCHAR NOT NULL", "the platform's account id"),
    ("handle", "VARCHAR", "handle as seen"),
    ("display_name", "VARCHAR", "display name as seen"),
    ("description", "VARCHAR", "bio as seen"),
    ("observed_at", "TIMESTAMPTZ", "first collection time at which the account looked like this, NULL if unknown"),
    ("last_observed_at", "TIMESTAMPTZ", "last collection time at which it looked like this"),
    ("source_id", "INTEGER NOT NULL", "file it was first seen like this in"),
]

SOURCE_COLUMNS: list[tuple[str, str, str]] = [
    ("source_id", "INTEGER NOT NULL", "1, 2, ... in load order"),
    ("path", "VARCHAR NOT NULL", "file path as given (zip members as 'archive.zip!member')"),
    ("sha256", "VARCHAR NOT NULL", "SHA-256 of the file's bytes as stored (before decompression)"),
    ("format", "VARCHAR NOT NULL", "detected format name (see toolkit.load.detect)"),
    ("records", "VARCHAR NOT NULL", "what a row of the file is: 'posts' or 'accounts' (rosters)"),
    ("rows_read", "BIGINT NOT NULL", "records read: lines, CSV records, or tweets inside response pages"),
    ("rows_loaded", "BIGINT NOT NULL", "records that became new posts (new accounts for rosters)"),
    ("rows_rejected", "BIGINT NOT NULL", "records written to rejects"),
    ("duplicates_merged", "BIGINT NOT NULL", "records whose post (account) was already present: merged, not added"),
    ("accounts_read", "BIGINT NOT NULL", "account profiles read"),
    ("accounts_loaded", "BIGINT NOT NULL", "accounts new to the workspace"),
    ("notes", "VARCHAR[]", "assumptions made while loading (e.g. naive times taken as UTC)"),
    ("options", "JSON", "loader options used (mapping, platform)"),
    ("loaded_at", "TIMESTAMPTZ NOT NULL", "when it was loaded, UTC"),
    ("load_seconds", "DOUBLE NOT NULL", "wall-clock seconds the load took"),
    ("toolkit_version", "VARCHAR NOT NULL", "toolkit version that loaded it"),
]

REJECT_COLUMNS: list[tuple[str, str, str]] = [
    ("source_id", "INTEGER NOT NULL", "file the record came from"),
    ("source_row", "BIGINT NOT NULL", "line or record number, 1-based (CSV header excluded)"),
    ("raw", "VARCHAR", "the record as read, truncated to REJECT_RAW_MAX_CHARS"),
    ("reason", "VARCHAR NOT NULL", "why it was not loaded, in words"),
]

TABLES: dict[str, list[tuple[str, str, str]]] = {
    "posts": POST_COLUMNS,
    "accounts": ACCOUNT_COLUMNS,
    "account_history": ACCOUNT_HISTORY_COLUMNS,
    "sources": SOURCE_COLUMNS,
    "rejects": REJECT_COLUMNS,
}

#: A rejected record's raw text is cut to this many characters (the reason says so).
REJECT_RAW_MAX_CHARS = 10_000

#: Columns of the canonical post table files (CSV / JSONL / Parquet) users and other tools write.
CANONICAL_FILE_COLUMNS = [
    "platform", "post_id", "account_id", "account_handle", "account_name",
    "account_created_at", "created_at", "text", "lang", "reply_to_post_id", "reply_to_account_id",
]
#: Of those, a file must have these to be a post table at all.
CANONICAL_REQUIRED_COLUMNS = ["platform", "post_id", "account_id", "created_at"]
#: Further optional columns a canonical file may carry (lists as JSON arrays or space-separated).
CANONICAL_OPTIONAL_COLUMNS = [
    "conversation_id", "repost_of_post_id", "repost_of_account_id", "quote_of_post_id",
    "urls", "hashtags", "mentions", "client", "like_count", "reply_count", "repost_count",
    "quote_count", "account_description", "account_followers", "account_following",
    "account_post_count", "account_location", "account_lang", "account_verified",
]


def column_names(table: str) -> list[str]:
    """Column names of a canonical table, in order."""
    return [name for name, _, _ in TABLES[table]]


def create_statements() -> list[str]:
    """``CREATE TABLE IF NOT EXISTS`` statements for every canonical table and ``_meta``."""
    statements = ["CREATE TABLE IF NOT EXISTS _meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)"]
    for table, columns in TABLES.items():
        body = ",\n  ".join(f"{name} {sqltype}" for name, sqltype, _ in columns)
        statements.append(f"CREATE TABLE IF NOT EXISTS {table} (\n  {body}\n)")
    return statements


def describe(table: str) -> str:
    """A Markdown table documenting one canonical table (used in docs and notebooks)."""
    lines = ["| column | type | meaning |", "|---|---|---|"]
    lines += [f"| {n} | {t.replace(' NOT NULL', '')} | {d} |" for n, t, d in TABLES[table]]
    return "\n".join(lines)
