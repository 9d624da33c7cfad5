"""Copy-paste clusters: the same message, lightly edited, in several languages and platforms.

:func:`find_clusters` runs the whole chain on a workspace and writes derived tables:

* ``post_text`` — normalised text, tokens, status and language of every post
  (:mod:`toolkit.text.normalize`, :mod:`toolkit.text.language`);
* ``match_texts``, ``text_pairs``, ``text_groups`` — near-duplicate evidence between distinct
  texts, each pair with its exact Jaccard similarity (:mod:`toolkit.clusters.near`);
* ``text_clusters`` — copy clusters of one text (exact or near) (:mod:`toolkit.clusters.build`);
* ``templates`` — each cluster's template and slot values (:mod:`toolkit.clusters.templates`);
* ``cluster_links`` — cross-language links with their reasons (:mod:`toolkit.clusters.crosslang`);
* ``clusters`` — per post: cluster_id (language versions of one message share it),
  text_cluster_id, platform, post_id, method (exact / near), similarity, lang;
* ``cluster_summary`` — per cluster: size, accounts, languages, platforms, first and last
  time, representative text per language (its most posted text, the earliest on ties).

Example:
    >>> from toolkit.store import Store
    >>> from toolkit.demo import load_sample
    >>> store = Store(":memory:"); _ = load_sample(store)
    >>> result = find_clusters(store)
    >>> store.df("SELECT * FROM cluster_summary ORDER BY cluster_id LIMIT 3")  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import logging

import pandas as pd

from ..errors import ParameterError
from ..store import Store
from ..text.language import identify_languages
from ..text.normalize import normalise_posts
from .build import build_text_clusters
from .crosslang import CrossLanguageParams, link_languages
from .near import NearDuplicateParams, connected_groups, near_duplicate_texts
from .templates import find_templates

log = logging.getLogger(__name__)

__all__ = ["ClusterParams", "CrossLanguageParams", "NearDuplicateParams", "find_clusters"]


@dataclasses.dataclass(frozen=True)
class ClusterParams:
    """Every parameter of the copy-paste chain, with its defaults (recorded in ``runs``).

    Attributes:
        near: near-duplicate matching (similarity threshold, shingles, crowded-key guard).
        crosslang: cross-language linking (co-posting window, anchors).
        min_tokens: texts with fewer words are matched as exact copies only.
        max_chars: texts are matched on their first ``max_chars`` characters.
        min_letters: shortest text (in letters) whose language is identified.
        languages: candidate languages: ``"auto"`` (all; on large inputs those found in a sample),
            ``"all"``, or ISO 639-1 codes (see :mod:`toolkit.text.language`).
        language_scope: whose languages are identified: ``"all"`` posts; ``"copies"``: posts in
            copy clusters and every post of the accounts that posted a copy of a matched text
            (what clusters, cross-language links and account histories read); ``"auto"``
            (default): all up to :data:`ALL_LANGUAGES_MAX_TEXTS` distinct texts, else copies.
        near_copies_share_language: the texts of a near-duplicate group (those at least
            ``near.similarity_threshold`` similar to its leader) take one language, the vote of
            its most posted texts (True, the default: one answer per message, robust to a name
            that misleads the detector on one text, and fewer texts to identify; see
            :data:`NEAR_COPY_GROUPS_SQL` and :data:`toolkit.text.language.VOTERS`).
        min_slot_share: share of texts that must vary a stretch for it to be a template slot.
    """

    near: NearDuplicateParams = NearDuplicateParams()
    crosslang: CrossLanguageParams = CrossLanguageParams()
    min_tokens: int = 4
    max_chars: int = 5_000
    min_letters: int = 12
    languages: str | tuple[str, ...] = "auto"
    language_scope: str = "auto"
    near_copies_share_language: bool = True
    min_slot_share: float = 0.3


def find_clusters(store: Store, params: ClusterParams = ClusterParams(), *, progress: bool | None = None) -> dict:
    """Normalise, identify languages, cluster copies, find templates, link languages.

    Args:
        store: a loaded workspace.
        params: see :class:`ClusterParams`.
        progress: progress bars (None: only on a terminal).

    Returns:
        Counts of each step: statuses, texts, pairs, clusters, links, ...
    """
    report = {"status": normalise_posts(store, min_tokens=params.min_tokens, max_chars=params.max_chars)}
    report["near"] = near_duplicate_texts(store, params.near)
    scope = _language_scope(store, params.language_scope)
    identify_languages(store, min_letters=params.min_letters, languages=params.languages,
                       only=COPY_POSTS_SQL if scope == "copies" else None, progress=progress,
                       groups=(NEAR_COPY_GROUPS_SQL.format(threshold=float(params.near.similarity_threshold))
                               if params.near_copies_share_language else None))
    report["language_scope"] = scope
    report["text_clusters"] = build_text_clusters(store)
    find_templates(store, min_slot_share=params.min_slot_share)
    links = link_languages(store, params.crosslang)
    report["cross_language_links"] = len(links)
    _merge_linked(store, links)
    report["clusters"] = store.scalar("SELECT count(DISTINCT cluster_id) FROM clusters")
    store.record_run("clusters", {**dataclasses.asdict(params), "language_scope_used": scope})
    log.info("copy clusters: %s", report)
    return report


#: Distinct texts up to which ``language_scope="auto"`` identifies every post's language
#: (lingua takes 1-2 ms a text on 2 cores: two to three minutes at this size).
ALL_LANGUAGES_MAX_TEXTS = 100_000

#: Posts whose language the analyses read: copies (a text posted twice or more, or a member of a
#: near-duplicate group) and every post of an account that posted a copy of a matched text.
COPY_POSTS_SQL = """
    WITH near_texts AS (
        SELECT f.norm_text FROM text_groups g JOIN match_texts m USING (tid) JOIN post_text f ON f.pid = m.pid),
    repeated AS (SELECT norm_text FROM post_text WHERE status <> 'empty' GROUP BY norm_text HAVING count(*) >= 2),
    copies AS (
        SELECT pid, platform, post_id, status FROM post_text
        WHERE norm_text IN (SELECT norm_text FROM near_texts UNION ALL SELECT norm_text FROM repeated)),
    copying AS (
        SELECT DISTINCT po.platform, po.account_id FROM copies c JOIN posts po USING (platform, post_id)
        WHERE c.status IN ('ok', 'truncated') AND po.account_id IS NOT NULL)
    SELECT pid FROM copies
    UNION ALL
    SELECT p.pid FROM post_text p JOIN posts po USING (platform, post_id) JOIN copying USING (platform, account_id)"""

#: The language forms of the posts of near-duplicate texts at least ``{threshold}`` similar to their
#: group's leader (leaders included): (lang_text, group_id, rank), ranked by posts in the group.
NEAR_COPY_GROUPS_SQL = """
    WITH members AS (
        SELECT g.group_id, p.lang_text, count(*) AS posts
        FROM text_groups g JOIN match_texts m USING (tid) JOIN post_text mp ON mp.pid = m.pid
        JOIN post_text p ON p.norm_text = mp.norm_text
        WHERE g.similarity_to_rep >= {threshold} GROUP BY ALL)
    SELECT lang_text, group_id, row_number() OVER (PARTITION BY group_id ORDER BY posts DESC, lang_text) AS rank
    FROM members"""


def _language_scope(store: Store, scope: str) -> str:
    """``"all"`` or ``"copies"``: the scope ``language_scope`` asks for, ``"auto"`` decided by size."""
    if scope not in ("auto", "all", "copies"):
        raise ParameterError(f"language_scope={scope!r}: expected 'auto', 'all' or 'copies'")
    if scope == "auto":
        texts = store.scalar("SELECT count(DISTINCT lang_text) FROM post_text")
        return "all" if texts <= ALL_LANGUAGES_MAX_TEXTS else "copies"
    return scope


def _merge_linked(store: Store, links: pd.DataFrame) -> None:
    """``clusters`` and ``cluster_summary``: text clusters joined by their cross-language links."""
    groups = connected_groups(links.text_cluster_a.to_numpy(), links.text_cluster_b.to_numpy())
    store.register("_linked", groups)
    store.execute("""
        CREATE OR REPLACE TABLE clusters AS
        WITH keyed AS (
            SELECT c.*, coalesce(l.group_id, c.text_cluster_id) AS merged, p.created_at
            FROM text_clusters c LEFT JOIN _linked l ON l.tid = c.text_cluster_id
            JOIN posts p USING (platform, post_id)),
        ranked AS (
            SELECT merged, dense_rank() OVER (ORDER BY count(*) DESC, min(created_at), merged)::INTEGER AS cluster_id
            FROM keyed GROUP BY merged)
        SELECT r.cluster_id, k.text_cluster_id, k.platform, k.post_id, k.method, k.similarity, k.lang
        FROM keyed k JOIN ranked r USING (merged)
        ORDER BY cluster_id, k.created_at, k.platform, k.post_id""")
    store.unregister("_linked")
    store.execute("""
        CREATE OR REPLACE TABLE cluster_summary AS
        WITH p AS (SELECT c.*, po.account_id, po.created_at, po.text, po.reply_to_account_id
                   FROM clusters c JOIN posts po USING (platform, post_id)),
        per_text AS (  -- a language's representative: its most posted text, the earliest on ties
            SELECT cluster_id, lang, text, count(*) AS n_text, min(created_at) AS first_at FROM p GROUP BY cluster_id, lang, text),
        per_lang AS (
            SELECT cluster_id, lang, n, text FROM (
                SELECT cluster_id, lang, text, sum(n_text) OVER (PARTITION BY cluster_id, lang) AS n,
                       row_number() OVER (PARTITION BY cluster_id, lang ORDER BY n_text DESC, first_at, text) AS place
                FROM per_text)
            WHERE place = 1)
        SELECT p.cluster_id, count(*) AS n_posts, count(DISTINCT account_id) AS n_accounts,
               count(DISTINCT text_cluster_id) AS n_text_clusters,
               count(DISTINCT reply_to_account_id) AS n_targets,
               (SELECT list(lang ORDER BY n DESC, lang) FROM per_lang l WHERE l.cluster_id = p.cluster_id) AS languages,
               list(DISTINCT platform ORDER BY platform) AS platforms,
               min(created_at) AS first_at, max(created_at) AS last_at,
               (SELECT map(list(lang ORDER BY n DESC, lang), list(text ORDER BY n DESC, lang)) FROM per_lang l
                 WHERE l.cluster_id = p.cluster_id) AS text_by_language
        FROM p GROUP BY p.cluster_id ORDER BY p.cluster_id""")
