"""The X (Twitter) information-operations archive: the tweets CSV (30 columns) and the
users CSV (10 columns) of the Transparency Center / Moderation Research Consortium releases.

Value conventions of the releases: ``tweet_time`` is ``YYYY-MM-DD HH:MM`` in UTC;
``account_creation_date`` is ``YYYY-MM-DD``; ``hashtags``, ``urls`` and ``user_mentions``
are Python list literals (``user_mentions`` holds user ids, not handles); missing ids are
empty strings; hashed releases replace small accounts' ids and names by hashes.
"""

from __future__ import annotations

from ..schema import PLATFORM_X
from .formats import Format, nonempty, split_list

#: The user columns of both files (the tweets file repeats them on every tweet), by the
#: account field each fills; counts are whole numbers.
_USER_COLUMNS = {
    "account_id": "userid", "handle": "user_screen_name", "display_name": "user_display_name",
    "created_at_text": "account_creation_date", "description": "user_profile_description",
    "location": "user_reported_location", "lang": "account_language",
}
_USER_COUNTS = {"followers": "follower_count", "following": "following_count"}

_ACCOUNTS_SQL = "SELECT source_row, " + ", ".join(
    [f"'{PLATFORM_X}' AS platform"]
    + [f"{nonempty(column)} AS {field}" for field, column in _USER_COLUMNS.items()]
    + [f"try_cast({column} AS BIGINT) AS {field}" for field, column in _USER_COUNTS.items()]
) + " FROM _batch"

IO_TWEETS_COLUMNS = ("tweetid", "userid", "tweet_time", "tweet_text")
IO_USERS_COLUMNS = tuple(_USER_COLUMNS[f] for f in ("account_id", "handle", "created_at_text"))

IO_ARCHIVE_TWEETS = Format(
    name="x_io_archive_tweets",
    title="X information-operations archive, tweets CSV",
    reader="csv",
    records="posts",
    posts_sql=f"""
        SELECT source_row,
            '{PLATFORM_X}' AS platform,
            {nonempty('tweetid')} AS post_id,
            {nonempty('userid')} AS account_id,
            {nonempty('tweet_time')} AS created_at_text,
            tweet_text AS text,
            {nonempty('tweet_language')} AS lang,
            {nonempty('in_reply_to_tweetid')} AS reply_to_post_id,
            {nonempty('in_reply_to_userid')} AS reply_to_account_id,
            {nonempty('retweet_tweetid')} AS repost_of_post_id,
            {nonempty('retweet_userid')} AS repost_of_account_id,
            {nonempty('quoted_tweet_tweetid')} AS quote_of_post_id,
            {split_list('urls')} AS urls,
            {split_list('hashtags')} AS hashtags,
            {split_list('user_mentions')} AS mentions,
            {nonempty('tweet_client_name')} AS client,
            try_cast(like_count AS BIGINT) AS like_count,
            try_cast(reply_count AS BIGINT) AS reply_count,
            try_cast(retweet_count AS BIGINT) AS repost_count,
            try_cast(quote_count AS BIGINT) AS quote_count
        FROM _batch
    """,
    accounts_sql=_ACCOUNTS_SQL,
    field_names={"post_id": "tweetid", "account_id": "userid", "created_at": "tweet_time"},
    naive_times_are_utc=True,
    required_columns=IO_TWEETS_COLUMNS,
)

IO_ARCHIVE_USERS = Format(
    name="x_io_archive_users",
    title="X information-operations archive, users CSV",
    reader="csv",
    records="accounts",
    accounts_sql=_ACCOUNTS_SQL,
    field_names={"account_id": _USER_COLUMNS["account_id"], "created_at": _USER_COLUMNS["created_at_text"]},
    naive_times_are_utc=True,
    required_columns=IO_USERS_COLUMNS,
)
