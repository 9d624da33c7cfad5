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
        WITH eligible AS (
            SELECT p.pid, p.platform, p.post_id, p.norm_text, p.lang, po.created_at, m.tid, g.group_id, g.rep_tid, g.similarity_to_rep,
                   CASE WHEN p.status = 'no_words' THEN 'r' || lower(trim(po.text))
                        ELSE coalesce('g' || g.group_id, 't' || p.norm_text) END AS cluster_key
            FROM post_text p
            JOIN posts po USING (platform, post_id)
            LEFT JOIN (SELECT f.norm_text, m.tid FROM match_texts m JOIN post_text f USING (pid)) m USING (norm_text)
            LEFT JOIN text_groups g USING (tid)
            WHERE p.status <> 'empty'
        ), sizes AS (  -- grouped, not a window: the keys are whole texts
            SELECT cluster_key, count(*) AS cluster_size, min(created_at) AS cluster_first
            FROM eligible GROUP BY cluster_key HAVING count(*) >= 2
        ), kept AS (SELECT * FROM eligible JOIN sizes USING (cluster_key))
        SELECT dense_rank() OVER (ORDER BY cluster_size DESC, cluster_first, cluster_key)::INTEGER AS text_cluster_id,
               platform, post_id, pid,
               CASE WHEN group_id IS NULL OR tid = rep_tid THEN 'exact' ELSE 'near' END AS method,
               CASE WHEN group_id IS NULL OR tid = rep_tid THEN 1.0 ELSE similarity_to_rep END AS similarity,
               lang
        FROM kept
        ORDER BY text_cluster_id, created_at, platform, post_id""")
    return store.scalar("SELECT count(DISTINCT text_cluster_id) FROM text_clusters")
