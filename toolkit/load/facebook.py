"""Facebook exports: Graph API comment JSON and CrowdTangle link-share CSV.

* ``facebook_graph``: Graph API responses of ``/{object-id}/comments`` or of posts with a
  ``comments`` edge: ``{"data": [{"id", "message", "created_time", "from": {"id", "name"},
  "parent", "like_count", "comment_count", "permalink_url", "comments": {"data": [...]}}],
  "paging": {...}}``, as one document per file or one response page per line. Posts and
  their comments (two levels of replies) all become posts; a comment replies to its parent
  object, and its target account is the parent's author where the response includes it.
  ``created_time`` is ISO-8601 with an offset (``2023-09-02T14:03:11+0000``).
* ``crowdtangle_links``: CrowdTangle ``/links`` output (as CooRnet / PyCooRnet save it),
  one row per (post, shared link): the rows of one post merge into one post keeping all its
  links. CrowdTangle writes ``date`` without an offset; it is taken as UTC (recorded as an
  assumption in ``sources.notes``).
"""

from __future__ import annotations

from .formats import Format, nonempty

_OBJ = "json_extract_string(obj, '$.{}')"

#: The Graph API objects of each line of ``_batch``: the posts/comments of ``data`` (or the line
#: itself when it is one object) and two levels of replies below them, as the CTE ``objects``
#: (source_row, obj, parent, root); parent and root are NULL for the top objects.
_OBJECTS = """
        WITH top AS (
            SELECT b.source_row, j.value AS obj FROM _batch b, json_each(b.raw, '$.data') j
            UNION ALL
            SELECT b.source_row, CAST(b.raw AS JSON) FROM _batch b
            WHERE json_type(b.raw, '$.data') IS NULL AND json_extract_string(b.raw, '$.id') IS NOT NULL
        ), level1 AS (
            SELECT t.source_row, c.value AS obj, t.obj AS parent, t.obj AS root
            FROM top t, json_each(t.obj, '$.comments.data') c
        ), level2 AS (
            SELECT l.source_row, c.value AS obj, l.obj AS parent, l.root
            FROM level1 l, json_each(l.obj, '$.comments.data') c
        ), objects AS (
            SELECT source_row, obj, NULL::JSON AS parent, NULL::JSON AS root FROM top
            UNION ALL SELECT * FROM level1
            UNION ALL SELECT * FROM level2
        )"""

FACEBOOK_GRAPH = Format(
    name="facebook_graph",
    title="Facebook Graph API JSON (posts / comments)",
    reader="lines",
    records="posts",
    posts_sql=f"""{_OBJECTS}
        SELECT source_row, CAST(obj AS VARCHAR) AS _raw,
            CASE WHEN json_type(obj) <> 'OBJECT' THEN 'not a Graph API object: a JSON ' || json_type(obj) END AS _problem,
            'facebook' AS platform,
            {_OBJ.format('id')} AS post_id,
            {_OBJ.format('from.id')} AS account_id,
            {_OBJ.format('created_time')} AS created_at_text,
            {_OBJ.format('message')} AS text,
            coalesce({_OBJ.format('parent.id')}, json_extract_string(parent, '$.id')) AS reply_to_post_id,
            json_extract_string(parent, '$.from.id') AS reply_to_account_id,
            json_extract_string(root, '$.id') AS conversation_id,
            [u FOR u IN [{_OBJ.format('attachment.url')}, {_OBJ.format('link')}] IF u IS NOT NULL] AS urls,
            CAST(json_extract_string(obj, '$.message_tags[*].name') AS VARCHAR[]) AS mentions,
            try_cast({_OBJ.format('like_count')} AS BIGINT) AS like_count,
            try_cast({_OBJ.format('comment_count')} AS BIGINT) AS reply_count
        FROM objects
    """,
    accounts_sql=f"""{_OBJECTS}
        SELECT source_row, 'facebook' AS platform, {_OBJ.format('from.id')} AS account_id,
               {_OBJ.format('from.name')} AS display_name
        FROM objects
        WHERE {_OBJ.format('from.id')} IS NOT NULL
    """,
    field_names={"post_id": "id", "account_id": "from.id", "created_at": "created_time"},
    accounts_are_records=True,
)

CROWDTANGLE_COLUMNS = ("id", "expanded", "date", "account.platformId")


def _na(column: str) -> str:
    """CrowdTangle files saved from R write missing values as NA."""
    return f"nullif({nonempty(column)}, 'NA')"


_CT_PLATFORM = "lower(coalesce(" + _na('"account.platform"') + ", 'facebook'))"

CROWDTANGLE_LINKS = Format(
    name="crowdtangle_links",
    title="CrowdTangle link-share CSV (/links, CooRnet)",
    reader="csv",
    records="posts",
    posts_columns={
        "platform": _CT_PLATFORM,
        "post_id": _na("id"),
        "account_id": _na('"account.platformId"'),
        "created_at_text": _na("date"),
        "urls": f"CASE WHEN {_na('expanded')} IS NULL THEN []::VARCHAR[] ELSE [expanded] END",
    },
    accounts_columns={
        "platform": _CT_PLATFORM,
        "account_id": _na('"account.platformId"'),
        "handle": _na('"account.handle"'),
        "display_name": _na('"account.name"'),
        "followers": "try_cast(" + _na('"account.subscriberCount"') + " AS BIGINT)",
        "verified": "try_cast(" + _na('"account.verified"') + " AS BOOLEAN)",
        "profile_url": _na('"account.url"'),
    },
    field_names={"post_id": "id", "account_id": "account.platformId", "created_at": "date"},
    required_columns=CROWDTANGLE_COLUMNS,
)
