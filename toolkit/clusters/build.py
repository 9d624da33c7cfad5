"""Copy clusters of posts: exact copies and near-duplicates of one text, per post.

:func:`build_text_clusters` writes ``text_clusters``, one row per post that shares its
message with at least one other post:

=================  ===========================================================================
column             meaning
=================  ===========================================================================
text_cluster_id    INTEGER, 1 = the largest cluster (ties: earliest first post)
platform, post_id  the post
pid                ``post_text.pid``
method             ``exact``: its matching form equals the cluster's representative text;
                   ``near``: joined through verified near-duplicate pairs
similarity         Jaccard similarity of its shingles to the representative (1.0 for exact)
lang               the post's language (``post_text.lang``)
=================  ===========================================================================

Exact clusters also gather texts too short for near-duplicate matching (status
``too_short``), and texts with no words (only links, hashtags, emoji: status ``no_words``),
which are matched on their lower-cased original text, since their placeholders would make
every link-only post look alike. Posts without text are not clustered.
"""

from __future__ import annotations

from ..store import Store


def build_text_clusters(store: Store) -> int:
    """Build ``text_clusters`` from ``post_text``, ``match_texts`` and ``text_groups``.

    Returns:
        The number of text clusters.
    """
    store.execute("""
        CREATE OR REPLACE TABLE text_clusters AS
        WITH grouped AS (  -- the texts of near-duplicate groups (others are their own cluster key)
            SELECT f.norm_text, g.* FROM text_groups g JOIN match_texts m USING (tid) JOIN post_text f USING (pid)
        ), keyed AS (
            SELECT p.pid, p.platform, p.post_id, p.lang, g.tid, g.group_id, g.rep_tid, g.similarity_to_rep,
                   coalesce('g' || g.group_id, 't' || p.norm_text) AS cluster_key
            FROM post_text p LEFT JOIN grouped g USING (norm_text)
            WHERE p.status NOT IN ('empty', 'no_words')
            UNION ALL
            SELECT p.pid, p.platform, p.post_id, p.lang, NULL, NULL, NULL, NULL, 'r' || lower(trim(po.text))
            FROM post_text p JOIN posts po USING (platform, post_id)
            WHERE p.status = 'no_words'
        ), kept AS (  -- grouped, not a window: the keys are whole texts
            SELECT k.*, po.created_at
            FROM keyed k SEMI JOIN (SELECT cluster_key FROM keyed GROUP BY cluster_key HAVING count(*) >= 2) USING (cluster_key)
            JOIN posts po USING (platform, post_id)
        ), sizes AS (SELECT cluster_key, count(*) AS cluster_size, min(created_at) AS cluster_first FROM kept GROUP BY cluster_key)
        SELECT dense_rank() OVER (ORDER BY cluster_size DESC, cluster_first, cluster_key)::INTEGER AS text_cluster_id,
               platform, post_id, pid,
               CASE WHEN group_id IS NULL OR tid = rep_tid THEN 'exact' ELSE 'near' END AS method,
               CASE WHEN group_id IS NULL OR tid = rep_tid THEN 1.0 ELSE similarity_to_rep END AS similarity,
               lang
        FROM kept JOIN sizes USING (cluster_key)
        ORDER BY text_cluster_id, created_at, platform, post_id""")
    return store.scalar("SELECT count(DISTINCT text_cluster_id) FROM text_clusters")
