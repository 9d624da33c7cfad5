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

_ACCOUNT_MAPPING = {
    "platform": f"'{PLATFORM_X}'",
    **{field: nonempty(column) for field, column in _USER_COLUMNS.items()},
    **{field: f"try_cast({column} AS BIGINT)" for field, column in _USER_COUNTS.items()},
}

#: The 30 columns of a release's tweets file, in the release's order.
IO_TWEETS_FILE_COLUMNS = (
    "tweetid", "userid", "user_display_name", "user_screen_name", "user_reported_location",
    "user_profile_description", "user_profile_url", "follower_count", "following_count",
    "account_creation_date", "account_language", "tweet_language", "tweet_text", "tweet_time",
    "tweet_client_name", "in_reply_to_userid", "in_reply_to_tweetid", "quoted_tweet_tweetid",
    "is_retweet", "retweet_userid", "retweet_tweetid", "latitude", "longitude", "quote_count",
    "reply_count", "like_count", "retweet_count", "hashtags", "urls", "user_mentions",
)
IO_TWEETS_COLUMNS = ("tweetid", "userid", "tweet_time", "tweet_text")
IO_USERS_COLUMNS = tuple(_USER_COLUMNS[f] for f in ("account_id", "handle", "created_at_text"))

IO_ARCHIVE_TWEETS = Format(
    name="x_io_archive_tweets",
    title="X information-operations archive, tweets CSV",
    reader="csv",
    records="posts",
    posts_columns={
        "platform": f"'{PLATFORM_X}'",
        "post_id": nonempty("tweetid"),
        "account_id": nonempty("userid"),
        "created_at_text": nonempty("tweet_time"),
        "text": "tweet_text",
        "lang": nonempty("tweet_language"),
        "reply_to_post_id": nonempty("in_reply_to_tweetid"),
        "reply_to_account_id": nonempty("in_reply_to_userid"),
        "repost_of_post_id": nonempty("retweet_tweetid"),
        "repost_of_account_id": nonempty("retweet_userid"),
        "quote_of_post_id": nonempty("quoted_tweet_tweetid"),
        "urls": split_list("urls"),
        "hashtags": split_list("hashtags"),
        "mentions": split_list("user_mentions"),
        "client": nonempty("tweet_client_name"),
        "like_count": "try_cast(like_count AS BIGINT)",
        "reply_count": "try_cast(reply_count AS BIGINT)",
        "repost_count": "try_cast(retweet_count AS BIGINT)",
        "quote_count": "try_cast(quote_count AS BIGINT)",
    },
    accounts_columns=_ACCOUNT_MAPPING,
    field_names={"post_id": "tweetid", "account_id": "userid", "created_at": "tweet_time"},
    naive_times_are_utc=True,
    required_columns=IO_TWEETS_COLUMNS,
)

IO_ARCHIVE_USERS = Format(
    name="x_io_archive_users",
    title="X information-operations archive, users CSV",
    reader="csv",
    records="accounts",
    accounts_columns=_ACCOUNT_MAPPING,
    field_names={"account_id": _USER_COLUMNS["account_id"], "created_at": _USER_COLUMNS["created_at_text"]},
    naive_times_are_utc=True,
    required_columns=IO_USERS_COLUMNS,
)
