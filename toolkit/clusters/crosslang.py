"""Cross-language links: the English, French and Chinese versions of one message.

No translation model is used (nothing is downloaded). Two copy clusters in different
languages are linked, with the reasons written out, when the data shows they are one message:

* **co-posting** (behaviour): their posts hit the same target within ``window_minutes`` of each
  other, for at least ``min_co_posts`` posts, and for at least ``min_coverage`` of each
  cluster's posts or ``min_smaller_coverage`` of the smaller one's — squads post all language
  versions of a message together;
* **shared anchors** (content): they carry the same distinctive language-independent tokens —
  URLs, hashtags, @mentions, numbers, capitalised names and acronyms not at
  the start of a sentence, a shared sentence in a third language — weighted by how rare each anchor is among clusters
  (a name every cluster mentions proves nothing); linked when the weighted overlap reaches
  ``min_anchor_overlap`` with at least two distinctive anchors shared — and, between copy
  clusters, corroborated by behaviour (a shared account, or posts to one target within the window).

Two clusters in the same language are linked when their wording is alike
(``min_fragment_similarity``) **and** posts of the smaller one (at least ``min_coverage`` of them)
hit the same target within the window as posts of the other: copies edited beyond the
near-duplicate threshold.

Writes ``cluster_links`` (text_cluster_a, text_cluster_b, lang_a, lang_b, co_posts, coverage,
shared_accounts, shared_anchors, anchor_overlap, wording_similarity, reasons, linked) for every pair with any
evidence, and returns the linked pairs.

A cluster joins one message per other language: linked to two clusters of one language that no
same-language link joins, it keeps only the stronger link (:func:`_one_version_per_language`).

Caveats: co-posting links two different messages that one squad posts in the same minutes to
the same target; the reasons say which evidence was used, and ``coverage`` how consistent it is.
A message split into two clusters of one language that no wording link joins keeps one of them.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from ..errors import ParameterError
from ..load.formats import sql_str
from ..store import Store
from .near import connected_groups


@dataclasses.dataclass(frozen=True)
class CrossLanguageParams:
    """Parameters of cross-language linking (recorded with the results).

    Attributes:
        window_minutes: two posts to the same target within this many minutes are co-posted.
        min_co_posts: co-posted posts needed (counted in the smaller cluster).
        min_coverage: share of each cluster's posts that must be co-posted (0–1) ...
        min_smaller_coverage: ... or share of the smaller cluster's posts (a small translation of a
            large cluster), 0–1.
        min_anchor_overlap: IDF-weighted Jaccard overlap of stable anchors needed (0–1).
        stable_share: an anchor is a cluster's when at least this share of its posts carry it.
        min_cluster_accounts: clusters posted by fewer accounts are not linked.
        min_fragment_similarity: two clusters in the same language that are co-posted are one
            message (a copy edited beyond the near-duplicate threshold) when their representatives'
            word sets have at least this Jaccard similarity.
    """

    window_minutes: float = 15.0
    min_co_posts: int = 3
    min_coverage: float = 0.3
    min_anchor_overlap: float = 0.5
    stable_share: float = 0.5
    min_cluster_accounts: int = 2
    min_fragment_similarity: float = 0.4
    min_smaller_coverage: float = 0.5

    def __post_init__(self):
        if self.window_minutes <= 0:
            raise ParameterError(f"window_minutes={self.window_minutes}: must be positive, e.g. 15")
        for name in ("min_coverage", "min_anchor_overlap", "stable_share", "min_fragment_similarity", "min_smaller_coverage"):
            value = getattr(self, name)
            if not 0 < value <= 1:
                raise ParameterError(f"{name}={value}: must be in (0, 1]")
        if self.min_co_posts < 1 or self.min_cluster_accounts < 1:
            raise ParameterError("min_co_posts and min_cluster_accounts must be at least 1")


#: An anchor carried by at most this share of the units (clusters or texts) is distinctive.
DISTINCTIVE_SHARE = 0.1

#: Language-independent tokens (RE2), extracted from the original text; the first capture
#: group is the anchor where the pattern has one.
ANCHOR_PATTERNS = {
    "url": r"https?://[^\s]+",
    "hashtag": r"#[\pL\pN_]+",
    "mention": r"@[\pL\pN_+/=]+",
    "number": r"\b\pN+(?:[.,]\pN+)*\b",
    "name": r"[^\s]\s+\b([A-Z][\pL']{2,}|[A-Z]{2,})",
    "cjk sentence": r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}，、]{6,}",
}


def link_languages(store: Store, params: CrossLanguageParams = CrossLanguageParams()) -> pd.DataFrame:
    """Link copy clusters of different languages; see the module docstring.

    Needs ``text_clusters`` (:func:`toolkit.clusters.build.build_text_clusters`).

    Returns:
        The linked pairs (rows of ``cluster_links`` where linked is true).
    """
    store.execute(f"""
        CREATE OR REPLACE TEMP TABLE _tc AS
        WITH posts_in AS (
            SELECT c.text_cluster_id AS tc, c.lang, p.account_id, p.reply_to_account_id AS target, p.created_at, p.text
            FROM text_clusters c JOIN posts p USING (platform, post_id)
        ), top_lang AS (  -- the most common language; a tie goes to the language posted first (then the lower code)
            SELECT tc, arg_min(lang, (-n, first_at, lang)) AS lang
            FROM (SELECT tc, lang, count(*) AS n, min(created_at) AS first_at FROM posts_in WHERE lang IS NOT NULL GROUP BY tc, lang)
            GROUP BY tc
        ), main_lang AS (
            SELECT p.tc, t.lang, count(*) AS n_posts, count(DISTINCT p.account_id) AS n_accounts
            FROM posts_in p JOIN top_lang t USING (tc) GROUP BY p.tc, t.lang
        )
        SELECT p.*, m.lang AS cluster_lang, m.n_posts
        FROM posts_in p JOIN main_lang m USING (tc)
        WHERE m.n_accounts >= {int(params.min_cluster_accounts)} AND m.lang <> 'und'""")
    store.execute("""
        CREATE OR REPLACE TEMP TABLE _wording AS
        SELECT text_cluster_id AS tc,  -- the most posted text; a tie goes to the first in text order
               list_distinct(string_split(arg_min(t.tokens, (-n, t.tokens)), ' ')) AS tokens
        FROM (SELECT c.text_cluster_id, p.tokens, count(*) AS n FROM text_clusters c JOIN post_text p USING (pid) GROUP BY ALL) t
        GROUP BY text_cluster_id""")
    return _one_version_per_language(store, _link_units(store, params, "cluster_links"))


#: Evidence that ranks two links of one cluster to different messages of one language, strongest first.
LINK_STRENGTH = ["coverage_smaller", "co_posts", "anchor_overlap", "shared_accounts"]


def _one_version_per_language(store: Store, links: pd.DataFrame) -> pd.DataFrame:
    """Unlink the weaker of two cross-language links that would join two different messages.

    A cluster linked to clusters of another language that are not one message there (no
    same-language link joins them) would chain those messages into one; only the link to the
    strongest of them (:data:`LINK_STRENGTH`) is kept, checked from both ends of every link. The
    other links stay in ``cluster_links`` with ``linked`` false and the reason.

    Args:
        links: the linked rows of ``cluster_links``.

    Returns:
        The links kept.
    """
    same = links[links.lang_a == links.lang_b]
    groups = connected_groups(same.text_cluster_a.to_numpy(), same.text_cluster_b.to_numpy())
    message = dict(zip(groups.tid, groups.group_id))
    cross = links[links.lang_a != links.lang_b]
    ends = pd.concat([  # each link seen from each of its clusters: (cluster, partner, partner's language)
        cross.assign(cluster=cross.text_cluster_a, partner=cross.text_cluster_b, partner_lang=cross.lang_b),
        cross.assign(cluster=cross.text_cluster_b, partner=cross.text_cluster_a, partner_lang=cross.lang_a)],
        ignore_index=True)
    if ends.empty:
        return links
    ends["message"] = [message.get(t, t) for t in ends.partner]
    ends = ends.sort_values(["cluster", "partner_lang", *LINK_STRENGTH, "partner"],
                            ascending=[True, True] + [False] * len(LINK_STRENGTH) + [True])
    strongest = ends.groupby(["cluster", "partner_lang"])[["message", "partner"]].transform("first")
    other = ends.message != strongest.message
    if not other.any():
        return links
    weaker = ends[other].assign(why=[f"not joined: cluster {c} links more strongly to cluster {p}, another message in {lang}"
                                     for c, p, lang in zip(ends.cluster[other], strongest.partner[other],
                                                           ends.partner_lang[other])])
    weaker = weaker.drop_duplicates(["text_cluster_a", "text_cluster_b"])[["text_cluster_a", "text_cluster_b", "why"]]
    store.register("_weaker", weaker)
    store.execute("""UPDATE cluster_links SET linked = false, reasons = list_append(reasons, w.why)
                     FROM _weaker w WHERE cluster_links.text_cluster_a = w.text_cluster_a
                      AND cluster_links.text_cluster_b = w.text_cluster_b""")
    store.unregister("_weaker")
    gone = set(zip(weaker.text_cluster_a, weaker.text_cluster_b))
    return links[[pair not in gone for pair in zip(links.text_cluster_a, links.text_cluster_b)]]


def link_texts(store: Store, texts: pd.DataFrame, params: CrossLanguageParams = CrossLanguageParams()) -> pd.DataFrame:
    """Cross-language links between single texts (e.g. published headlines), by shared anchors only.

    Args:
        texts: DataFrame with columns id (int), text, lang.

    Returns:
        Every pair with shared anchors: text_cluster_a / text_cluster_b hold the ids; ``linked``
        says whether the anchor evidence suffices.
    """
    store.register("_texts", texts)
    store.execute("""CREATE OR REPLACE TEMP TABLE _tc AS
        SELECT id::BIGINT AS tc, lang, NULL::VARCHAR AS account_id, NULL::VARCHAR AS target,
               NULL::TIMESTAMPTZ AS created_at, text, lang AS cluster_lang, 1 AS n_posts FROM _texts""")
    store.unregister("_texts")
    links = _link_units(store, params, "_text_links")
    store.execute("DROP TABLE _text_links")
    return links


def _link_units(store: Store, params: CrossLanguageParams, output: str) -> pd.DataFrame:
    """Co-posting, wording and anchor evidence between the units of ``_tc``; writes ``output``.

    Same-language units are linked only with a ``_wording`` table (tc, tokens: the representative's
    token list) showing their wording is alike."""
    window = float(params.window_minutes)
    if not store.has_table("_wording"):
        store.execute("CREATE TEMP TABLE _wording (tc BIGINT, tokens VARCHAR[])")
    store.execute(f"""
        CREATE OR REPLACE TEMP TABLE _co AS
        WITH timed AS (  -- windows of the co-posting width: two posts that close are in the same or next ones
            SELECT *, floor(epoch(created_at) / ({window} * 60))::BIGINT AS bucket FROM _tc WHERE target IS NOT NULL),
        near_buckets AS (SELECT *, unnest([bucket - 1, bucket, bucket + 1]) AS near_bucket FROM timed),
        pairs AS (
            SELECT a.tc AS tc_a, b.tc AS tc_b, a.created_at AS at_a, b.created_at AS at_b,
                   a.account_id AS acc_a, b.account_id AS acc_b, a.target, a.n_posts AS n_a, b.n_posts AS n_b,
                   a.cluster_lang AS lang_a, b.cluster_lang AS lang_b
            FROM timed a JOIN near_buckets b ON a.target = b.target AND a.bucket = b.near_bucket AND a.tc < b.tc
             AND b.created_at BETWEEN a.created_at - INTERVAL ({window} * 60) SECOND AND a.created_at + INTERVAL ({window} * 60) SECOND
        )
        SELECT tc_a, tc_b, any_value(lang_a) AS lang_a, any_value(lang_b) AS lang_b,
               least(count(DISTINCT (acc_a, at_a)), count(DISTINCT (acc_b, at_b))) AS co_posts,
               least(count(DISTINCT (acc_a, at_a)) / any_value(n_a), count(DISTINCT (acc_b, at_b)) / any_value(n_b)) AS coverage_min,
               CASE WHEN any_value(n_a) <= any_value(n_b) THEN count(DISTINCT (acc_a, at_a)) / any_value(n_a)
                    ELSE count(DISTINCT (acc_b, at_b)) / any_value(n_b) END AS coverage_smaller
        FROM pairs GROUP BY tc_a, tc_b""")
    extract = " UNION ALL ".join(
        f"SELECT tc, account_id, created_at, '{kind}' AS kind, unnest(regexp_extract_all(text, {sql_str(pattern)}, {int('(' in pattern.replace('(?', '')) })) AS anchor FROM _tc"
        for kind, pattern in ANCHOR_PATTERNS.items())
    store.execute(f"""
        CREATE OR REPLACE TEMP TABLE _anchors AS
        WITH found AS (SELECT tc, kind, lower(anchor) AS anchor, count(*) AS posts_with FROM ({extract}) GROUP BY ALL),
        stable AS (
            SELECT f.tc, f.kind, f.anchor FROM found f JOIN (SELECT tc, any_value(n_posts) AS n FROM _tc GROUP BY tc) s USING (tc)
            WHERE f.posts_with >= {params.stable_share} * s.n),
        weights AS (
            SELECT anchor, ln((SELECT count(DISTINCT tc) FROM _tc) / count(DISTINCT tc)) AS idf FROM stable GROUP BY anchor)
        SELECT s.*, w.idf FROM stable s JOIN weights w USING (anchor)""")
    store.execute(f"""
        CREATE OR REPLACE TEMP TABLE _shared AS
        WITH langs AS (SELECT DISTINCT tc, cluster_lang FROM _tc),
        totals AS (SELECT tc, sum(idf) AS total FROM _anchors GROUP BY tc),
        common AS (
            SELECT a.tc AS tc_a, b.tc AS tc_b, sum(a.idf) AS shared_weight,
                   count(*) FILTER (WHERE a.idf >= ln({1 / DISTINCTIVE_SHARE})) AS distinctive,
                   list(a.kind || ' ' || chr(39) || a.anchor || chr(39) ORDER BY a.idf DESC, a.anchor) AS shared_anchors
            FROM _anchors a JOIN _anchors b ON a.anchor = b.anchor AND a.tc < b.tc
            GROUP BY a.tc, b.tc)
        SELECT c.*, c.shared_weight / nullif(ta.total + tb.total - c.shared_weight, 0) AS anchor_overlap,
               la.cluster_lang AS lang_a, lb.cluster_lang AS lang_b
        FROM common c JOIN totals ta ON ta.tc = c.tc_a JOIN totals tb ON tb.tc = c.tc_b
        JOIN langs la ON la.tc = c.tc_a JOIN langs lb ON lb.tc = c.tc_b
        WHERE la.cluster_lang <> lb.cluster_lang""")
    store.execute(f"""
        CREATE OR REPLACE TABLE {output} AS
        WITH accounts AS (SELECT DISTINCT tc, account_id FROM _tc WHERE account_id IS NOT NULL),
        evidence AS (
            SELECT coalesce(c.tc_a, s.tc_a) AS text_cluster_a, coalesce(c.tc_b, s.tc_b) AS text_cluster_b,
                   coalesce(c.lang_a, s.lang_a) AS lang_a, coalesce(c.lang_b, s.lang_b) AS lang_b,
                   coalesce(c.co_posts, 0) AS co_posts, coalesce(c.coverage_min, 0) AS coverage,
                   coalesce(c.coverage_smaller, 0) AS coverage_smaller,
                   coalesce(s.anchor_overlap, 0) AS anchor_overlap, coalesce(s.distinctive, 0) AS distinctive_anchors,
                   coalesce(s.shared_anchors, []) AS shared_anchors
            FROM _co c FULL JOIN _shared s ON s.tc_a = c.tc_a AND s.tc_b = c.tc_b),
        worded AS (
            SELECT e.*, CASE WHEN e.lang_a = e.lang_b AND e.co_posts >= 1 THEN
                       len(list_intersect(x.tokens, y.tokens)) / nullif(len(list_distinct(list_concat(x.tokens, y.tokens))), 0)
                   END AS wording_similarity
            FROM evidence e LEFT JOIN _wording x ON x.tc = e.text_cluster_a LEFT JOIN _wording y ON y.tc = e.text_cluster_b),
        counted AS (
            SELECT e.*,
                (SELECT count(*) FROM accounts x JOIN accounts y ON x.account_id = y.account_id
                  WHERE x.tc = e.text_cluster_a AND y.tc = e.text_cluster_b) AS shared_accounts
            FROM worded e),
        judged AS (
            SELECT e.*,
                lang_a <> lang_b AND co_posts >= {int(params.min_co_posts)}
                    AND (coverage >= {params.min_coverage} OR coverage_smaller >= {params.min_smaller_coverage}) AS by_coposting,
                lang_a = lang_b AND co_posts >= 1 AND coverage_smaller >= {params.min_coverage}
                    AND wording_similarity >= {params.min_fragment_similarity} AS by_fragment,
                anchor_overlap >= {params.min_anchor_overlap} AND distinctive_anchors >= 2
                    AND ({'true' if output != 'cluster_links' else 'co_posts >= 1 OR shared_accounts >= 1'}) AS by_anchors
            FROM counted e)
        SELECT text_cluster_a, text_cluster_b, lang_a, lang_b, co_posts, round(coverage, 3) AS coverage,
               round(coverage_smaller, 3) AS coverage_smaller, shared_accounts,
               shared_anchors[1:5] AS shared_anchors, round(anchor_overlap, 3) AS anchor_overlap,
               round(wording_similarity, 3) AS wording_similarity,
               [x FOR x IN [
                   CASE WHEN by_fragment THEN 'the same message in the same language, edited beyond the near-duplicate threshold '
                        || '(wording similarity ' || round(wording_similarity, 2) || '), and ' || co_posts || ' of its posts hit the same target '
                        || 'within {window:g} minutes of the other version (' || round(100 * coverage_smaller)::INTEGER || '% of the smaller cluster)' END,
                   CASE WHEN by_coposting THEN co_posts || ' posts of each version hit the same target within {window:g} minutes of '
                        || 'the other version (' || round(100 * coverage_smaller)::INTEGER || '% of the smaller cluster, at least '
                        || round(100 * coverage)::INTEGER || '% of each)' END,
                   CASE WHEN by_anchors THEN 'they share distinctive tokens: ' || array_to_string(shared_anchors[1:3], ', ') END,
                   CASE WHEN (by_coposting OR by_anchors OR by_fragment) AND shared_accounts > 0
                        THEN shared_accounts || ' accounts posted both versions' END
               ] IF x IS NOT NULL] AS reasons,
               by_coposting OR by_anchors OR by_fragment AS linked
        FROM judged
        ORDER BY linked DESC, co_posts DESC, anchor_overlap DESC""")
    for table in ("_tc", "_co", "_anchors", "_shared", "_wording"):
        store.execute(f"DROP TABLE IF EXISTS {table}")
    return store.df(f"SELECT * FROM {output} WHERE linked")
