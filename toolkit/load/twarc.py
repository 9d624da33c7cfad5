"""X API v2 data as the twarc2 client writes it.

* ``twarc2_pages``: one raw API response page per line, ``{"data": [tweets], "includes":
  {"users", "tweets", ...}, "meta", "errors", "__twarc"}``. Tweets of ``data`` and
  referenced tweets of ``includes.tweets`` become posts; ``includes.users`` become accounts,
  observed at ``__twarc.retrieved_at``.
* ``twarc2_flat``: ``twarc2 flatten`` output, one tweet per line with ``author`` (and the
  referenced tweets, mentioned users and replied-to user) expanded inline.

Reference: the X API v2 tweet and user objects; twarc's ``ensure_flattened``. Long tweets
keep their full text in ``note_tweet.text``, which is preferred over the truncated ``text``.
"""

from __future__ import annotations

from ..schema import PLATFORM_X
from .formats import Format

USER_STRUCT = (
    '{"id":"VARCHAR","username":"VARCHAR","name":"VARCHAR","created_at":"VARCHAR",'
    '"description":"VARCHAR","location":"VARCHAR","verified":"BOOLEAN","url":"VARCHAR",'
    '"public_metrics":{"followers_count":"BIGINT","following_count":"BIGINT","tweet_count":"BIGINT"}}'
)
_TWEET_CORE = (
    '"id":"VARCHAR","text":"VARCHAR","created_at":"VARCHAR","author_id":"VARCHAR",'
    '"conversation_id":"VARCHAR","in_reply_to_user_id":"VARCHAR","lang":"VARCHAR","source":"VARCHAR",'
    '"note_tweet":{"text":"VARCHAR"},'
    '"entities":{"hashtags":[{"tag":"VARCHAR"}],"mentions":[{"username":"VARCHAR"}],'
    '"urls":[{"url":"VARCHAR","expanded_url":"VARCHAR","unwound_url":"VARCHAR"}]},'
    '"public_metrics":{"retweet_count":"BIGINT","reply_count":"BIGINT","like_count":"BIGINT","quote_count":"BIGINT"}'
)
TWEET_STRUCT = '{' + _TWEET_CORE + ',"referenced_tweets":[{"type":"VARCHAR","id":"VARCHAR","author_id":"VARCHAR"}]}'


def _ref(kind: str, field: str = "id") -> str:
    return f"[r.{field} FOR r IN t.referenced_tweets IF r.type = '{kind}'][1]"


def tweet_columns(alias: str = "t") -> str:
    """SQL select-list mapping a transformed tweet struct ``t`` onto candidate post fields."""
    return f"""
        '{PLATFORM_X}' AS platform,
        {alias}.id AS post_id,
        {alias}.author_id AS account_id,
        {alias}.created_at AS created_at_text,
        coalesce({alias}.note_tweet.text, {alias}.text) AS text,
        {alias}.lang AS lang,
        {_ref('replied_to')} AS reply_to_post_id,
        {alias}.in_reply_to_user_id AS reply_to_account_id,
        {alias}.conversation_id AS conversation_id,
        {_ref('retweeted')} AS repost_of_post_id,
        {_ref('retweeted', 'author_id')} AS repost_of_account_id,
        {_ref('quoted')} AS quote_of_post_id,
        [coalesce(u.unwound_url, u.expanded_url, u.url) FOR u IN {alias}.entities.urls] AS urls,
        [h.tag FOR h IN {alias}.entities.hashtags] AS hashtags,
        [m.username FOR m IN {alias}.entities.mentions] AS mentions,
        {alias}.source AS client,
        {alias}.public_metrics.like_count AS like_count,
        {alias}.public_metrics.reply_count AS reply_count,
        {alias}.public_metrics.retweet_count AS repost_count,
        {alias}.public_metrics.quote_count AS quote_count"""


def user_columns(alias: str, observed_at: str) -> str:
    """SQL select-list mapping a transformed user struct onto candidate account fields."""
    return f"""
        '{PLATFORM_X}' AS platform,
        {alias}.id AS account_id,
        {alias}.username AS handle,
        {alias}.name AS display_name,
        {alias}.created_at AS created_at_text,
        {alias}.description AS description,
        {alias}.location AS location,
        {alias}.public_metrics.followers_count AS followers,
        {alias}.public_metrics.following_count AS following,
        {alias}.public_metrics.tweet_count AS post_count,
        {alias}.verified AS verified,
        'https://x.com/' || {alias}.username AS profile_url,
        {observed_at} AS observed_at_text"""


_NOT_A_PAGE = (
    "'not a twarc2 response page: expected an object with keys data / includes / meta, found ' "
    "|| coalesce('keys ' || CAST(json_keys(raw) AS VARCHAR), 'a JSON ' || json_type(raw))"
)

_PAGE_STRUCT = ('{"data":[' + TWEET_STRUCT + '],"includes":{"tweets":[' + TWEET_STRUCT + ']},'
                '"meta":{"result_count":"BIGINT"},"errors":["JSON"]}')

_PAGE_USERS = '{"includes":{"users":[' + USER_STRUCT + ']},"__twarc":{"retrieved_at":"VARCHAR"}}'

TWARC2_PAGES = Format(
    name="twarc2_pages",
    title="twarc2 JSONL (raw X API v2 response pages)",
    reader="lines",
    records="posts",
    # each page is parsed once; a rejected tweet's raw text is re-read from its page by path
    posts_sql=f"""
        WITH pages AS (SELECT source_row, raw, json_transform(raw, '{_PAGE_STRUCT}') AS p FROM _batch),
        tweets AS (
            SELECT source_row, 'data' AS part, unnest(p.data) AS t, generate_subscripts(p.data, 1) AS i FROM pages
            UNION ALL
            SELECT source_row, 'includes.tweets', unnest(p.includes.tweets), generate_subscripts(p.includes.tweets, 1) FROM pages
        )
        SELECT source_row, NULL AS _raw, '$.' || part || '[' || (i - 1) || ']' AS _raw_path, NULL AS _problem, {tweet_columns()}
        FROM tweets
        UNION ALL
        SELECT source_row, raw, NULL, {_NOT_A_PAGE}, {', '.join(f'NULL AS x{i}' for i in range(20))}
        FROM pages
        WHERE p.data IS NULL AND p.includes IS NULL AND p.meta IS NULL AND p.errors IS NULL
    """,
    accounts_sql=f"""
        WITH pages AS (SELECT source_row, json_transform(raw, '{_PAGE_USERS}') AS p FROM _batch)
        SELECT source_row, {user_columns('u', 'seen')}
        FROM (SELECT source_row, p.__twarc.retrieved_at AS seen, unnest(p.includes.users) AS u FROM pages)
    """,
    field_names={"post_id": "id", "account_id": "author_id", "created_at": "created_at"},
    accounts_are_records=True,
)

_FLAT_STRUCT = (
    '{' + _TWEET_CORE + ',"author":' + USER_STRUCT + ',"in_reply_to_user":' + USER_STRUCT
    + ',"referenced_tweets":[{"type":"VARCHAR","id":"VARCHAR","author_id":"VARCHAR"}]}'
)

_FLAT_USERS = ('{"__twarc":{"retrieved_at":"VARCHAR"},"author":' + USER_STRUCT + ',"in_reply_to_user":' + USER_STRUCT
               + ',"referenced_tweets":[{"author":' + USER_STRUCT + '}],"entities":{"mentions":[' + USER_STRUCT + ']}}')

TWARC2_FLAT = Format(
    name="twarc2_flat",
    title="twarc2 flattened JSONL (one tweet per line, expansions inline)",
    reader="lines",
    records="posts",
    # a line's own tweet, then the full referenced tweets that flatten embeds
    posts_sql=f"""
        WITH lines AS (
            SELECT b.source_row, b.raw, json_transform(b.raw, '{_FLAT_STRUCT}') AS t FROM _batch b
        )
        SELECT source_row, raw AS _raw,
               CASE WHEN json_type(raw) <> 'OBJECT' THEN 'not a tweet object: a JSON ' || json_type(raw) END AS _problem,
               {tweet_columns()}
        FROM lines
        UNION ALL
        SELECT b.source_row, CAST(r.value AS VARCHAR), NULL, {tweet_columns()}
        FROM _batch b, json_each(b.raw, '$.referenced_tweets') r,
             LATERAL (SELECT json_transform(r.value, '{TWEET_STRUCT}') AS t)
        WHERE json_extract_string(r.value, '$.created_at') IS NOT NULL
    """,
    accounts_sql=f"""
        WITH lines AS (SELECT source_row, json_transform(raw, '{_FLAT_USERS}') AS l FROM _batch),
        users AS (
            SELECT source_row, l.__twarc.retrieved_at AS seen, l.author AS u FROM lines
            UNION ALL SELECT source_row, l.__twarc.retrieved_at, l.in_reply_to_user FROM lines
            UNION ALL SELECT source_row, l.__twarc.retrieved_at, unnest(l.referenced_tweets).author FROM lines
            UNION ALL SELECT source_row, l.__twarc.retrieved_at, unnest(l.entities.mentions) FROM lines
        )
        SELECT source_row, {user_columns('u', 'seen')} FROM users WHERE u.id IS NOT NULL AND u.username IS NOT NULL
    """,
    field_names={"post_id": "id", "account_id": "author_id", "created_at": "created_at"},
)
