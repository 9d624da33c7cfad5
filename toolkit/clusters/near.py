"""Near-duplicate texts: MinHash / LSH inside the engine, verified by exact Jaccard similarity.

Works on the distinct matching forms of ``post_text`` (copies collapse first), so the cost
grows with the number of *different* texts. All steps are SQL:

1. shingles: the set of token n-grams of each text (``shingle_size`` tokens; tokens are
   words, or character pairs for scripts written without spaces);
2. a MinHash signature of ``num_perm`` values per text (``min(hash(shingle, i))``);
3. LSH banding: ``bands`` bands of ``rows_per_band`` values, chosen so that a pair at the
   similarity threshold becomes a candidate with probability ≥ ``target_recall``;
4. candidates whose MinHash estimate is far below the threshold (by more than
   :data:`ESTIMATE_MARGIN`, four standard errors at 64 values) are dropped; the rest
   are verified by their exact Jaccard similarity of shingle sets, and the pairs at or above
   ``similarity_threshold`` are the evidence (with their similarity);
5. texts are grouped around leaders (:func:`leader_groups`): the most posted text leads, every
   member has a verified pair with its leader or (a text left alone) with a member — groups are
   never chained into one another.

Caveats: a lightly edited copy that falls below the threshold against the leader (but not
against another copy) starts a group of its own; cross-language and co-posting links can
join such groups later. Every link is a verified pair, reported in ``text_pairs``. Very large LSH buckets (more than
``max_bucket`` texts sharing one band value) are linked as a star to their first text, and
verified like any pair.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..store import Store

#: Candidates whose MinHash estimate is below threshold - ESTIMATE_MARGIN skip exact verification.
ESTIMATE_MARGIN = 0.25


@dataclasses.dataclass(frozen=True)
class NearDuplicateParams:
    """Parameters of near-duplicate matching (recorded with the results).

    Attributes:
        similarity_threshold: minimum Jaccard similarity of two texts' shingle sets (0–1).
        shingle_size: tokens per shingle (1 = sets of words: robust to word swaps; 2–3 = order matters).
        num_perm: MinHash values per text.
        target_recall: probability that a pair exactly at the threshold is compared.
        max_bucket: LSH buckets larger than this are linked as a star instead of all pairs.
    """

    similarity_threshold: float = 0.6
    shingle_size: int = 1
    num_perm: int = 64
    target_recall: float = 0.99
    max_bucket: int = 200

    def __post_init__(self):
        if not 0 < self.similarity_threshold <= 1:
            raise ParameterError(f"similarity_threshold={self.similarity_threshold}: must be in (0, 1], e.g. 0.6")
        if not 1 <= self.shingle_size <= 5:
            raise ParameterError(f"shingle_size={self.shingle_size}: must be 1 to 5 tokens")
        if not 8 <= self.num_perm <= 512:
            raise ParameterError(f"num_perm={self.num_perm}: must be 8 to 512")
        if not 0.5 <= self.target_recall < 1:
            raise ParameterError(f"target_recall={self.target_recall}: must be in [0.5, 1)")
        if self.max_bucket < 2:
            raise ParameterError(f"max_bucket={self.max_bucket}: must be at least 2")

    @property
    def banding(self) -> tuple[int, int]:
        """(bands, rows_per_band): the most selective banding whose candidate probability at the
        threshold, ``1 - (1 - t^r)^b``, reaches ``target_recall`` with ``b * r <= num_perm``."""
        t = self.similarity_threshold
        for rows in range(self.num_perm, 0, -1):
            bands = self.num_perm // rows
            if 1 - (1 - t ** rows) ** bands >= self.target_recall:
                return bands, rows
        return self.num_perm, 1

    def candidate_probability(self, similarity: float) -> float:
        """Probability that a pair of this Jaccard similarity is compared at all."""
        bands, rows = self.banding
        return 1 - (1 - similarity ** rows) ** bands


def near_duplicate_texts(store: Store, params: NearDuplicateParams = NearDuplicateParams()) -> dict:
    """Find near-duplicate texts among the posts of ``post_text`` with status ok/truncated.

    Writes tables:
        ``match_texts`` (tid, norm_text, n_shingles, n_posts): the distinct matched texts;
        ``text_pairs`` (tid_a, tid_b, similarity, shared_shingles): verified pairs, tid_a < tid_b;
        ``text_groups`` (tid, group_id, rep_tid, similarity_to_rep): groups of two or more texts
        around a leader (``rep_tid`` = ``group_id``, the group's most posted text).

    Returns:
        Counts: texts, candidate pairs, verified pairs, groups; and the banding used.
    """
    bands, rows = params.banding
    n = params.shingle_size
    store.execute("""
        CREATE OR REPLACE TABLE match_texts AS
        SELECT row_number() OVER (ORDER BY min(pid)) AS tid, norm_text, any_value(tokens) AS tokens, count(*) AS n_posts
        FROM post_text WHERE status IN ('ok', 'truncated') GROUP BY norm_text""")
    grams = ("string_split(tokens, ' ')" if n == 1 else
             f"[array_to_string(toks[i:i + {n - 1}], ' ') FOR i IN range(1, greatest(len(toks) - {n - 2}, 2))]")
    store.execute(f"""
        CREATE OR REPLACE TEMP TABLE _shingles AS
        SELECT DISTINCT tid, hash(g) AS h
        FROM (SELECT tid, unnest({grams}) AS g FROM (SELECT tid, tokens, string_split(tokens, ' ') AS toks FROM match_texts))""")
    minima = ", ".join(f"min(hash(h, {i})) AS m{i}" for i in range(bands * rows))
    store.execute(f"CREATE OR REPLACE TEMP TABLE _signatures AS SELECT tid, count(*) AS n_shingles, {minima} FROM _shingles GROUP BY tid")
    store.execute("CREATE OR REPLACE TEMP TABLE _sets AS SELECT tid, list(h) AS shingles FROM _shingles GROUP BY tid")
    store.execute("""CREATE OR REPLACE TABLE match_texts AS
        SELECT m.tid, m.norm_text, s.n_shingles, m.n_posts FROM match_texts m JOIN _signatures s USING (tid) ORDER BY tid""")
    band_keys = ", ".join("hash(" + ", ".join(f"m{b * rows + r}" for r in range(rows)) + ")" for b in range(bands))
    store.execute(f"""
        CREATE OR REPLACE TEMP TABLE _buckets AS
        SELECT band, key, list(tid ORDER BY tid) AS members
        FROM (SELECT tid, unnest(range({bands})) AS band, unnest([{band_keys}]) AS key FROM _signatures)
        GROUP BY band, key HAVING count(*) > 1""")
    store.execute(f"""
        CREATE OR REPLACE TEMP TABLE _candidates AS
        SELECT DISTINCT a, b FROM (
            SELECT members[i] AS a, members[j] AS b
            FROM (SELECT members, unnest(range(1, len(members) + 1)) AS i FROM _buckets WHERE len(members) <= {params.max_bucket}) x,
                 LATERAL (SELECT unnest(range(i + 1, len(members) + 1)) AS j)
            UNION ALL
            SELECT members[1], unnest(members[2:]) FROM _buckets WHERE len(members) > {params.max_bucket}
        )""")
    agreeing = " + ".join(f"(x.m{i} = y.m{i})::INTEGER" for i in range(bands * rows))
    store.execute(f"""
        CREATE OR REPLACE TABLE text_pairs AS
        WITH estimated AS (
            SELECT c.a, c.b FROM _candidates c JOIN _signatures x ON x.tid = c.a JOIN _signatures y ON y.tid = c.b
            WHERE ({agreeing}) >= {max(params.similarity_threshold - ESTIMATE_MARGIN, 0.0) * bands * rows}
        ), shared AS (
            SELECT c.a, c.b, len(list_intersect(sa.shingles, sb.shingles)) AS shared_shingles
            FROM estimated c JOIN _sets sa ON sa.tid = c.a JOIN _sets sb ON sb.tid = c.b
        )
        SELECT s.a AS tid_a, s.b AS tid_b,
               s.shared_shingles / (ta.n_shingles + tb.n_shingles - s.shared_shingles) AS similarity, s.shared_shingles
        FROM shared s JOIN match_texts ta ON ta.tid = s.a JOIN match_texts tb ON tb.tid = s.b
        WHERE s.shared_shingles / (ta.n_shingles + tb.n_shingles - s.shared_shingles) >= {params.similarity_threshold}
        ORDER BY tid_a, tid_b""")
    counts = {"texts": store.scalar("SELECT count(*) FROM match_texts"),
              "candidate_pairs": store.scalar("SELECT count(*) FROM _candidates"),
              "verified_pairs": store.scalar("SELECT count(*) FROM text_pairs")}
    pairs = store.df("""SELECT p.tid_a, p.tid_b, p.similarity FROM text_pairs p""")
    priority = store.df("SELECT tid FROM match_texts ORDER BY n_posts DESC, tid").tid.to_numpy()
    groups = leader_groups(pairs.tid_a.to_numpy(), pairs.tid_b.to_numpy(), priority, pairs.similarity.to_numpy())
    store.register("_groups", groups)
    # a member's similarity to its group's representative (exact, from the shingle sets)
    store.execute("""
        CREATE OR REPLACE TABLE text_groups AS
        SELECT g.tid, g.group_id, g.group_id AS rep_tid,
               CASE WHEN g.tid = g.group_id THEN 1.0 ELSE
                    len(list_intersect(sm.shingles, sr.shingles)) / len(list_distinct(list_concat(sm.shingles, sr.shingles))) END
                   AS similarity_to_rep
        FROM _groups g JOIN _sets sm ON sm.tid = g.tid JOIN _sets sr ON sr.tid = g.group_id
        ORDER BY g.tid""")
    store.unregister("_groups")
    for table in ("_shingles", "_sets", "_signatures", "_buckets", "_candidates"):
        store.execute(f"DROP TABLE {table}")
    counts["groups"] = int(groups.group_id.nunique()) if len(groups) else 0
    counts["bands"], counts["rows_per_band"] = bands, rows
    return counts


def leader_groups(a: np.ndarray, b: np.ndarray, priority: np.ndarray, similarity: np.ndarray | None = None) -> pd.DataFrame:
    """Group texts around leaders, so that every member is itself similar to its leader.

    Texts are taken in ``priority`` order (most posted first); a text not yet grouped leads a
    new group and takes every ungrouped text it has a verified pair with. A text left alone
    (its near-duplicates all joined other leaders first) then joins the group of its most
    similar near-duplicate. Unlike connected components, this never chains two groups into one
    (a reply combining two copied sentences joins one of them, not both).

    Args:
        a, b: the verified pairs (text ids).
        priority: text ids, leaders first (ids absent from the pairs are skipped).
        similarity: each pair's similarity (for placing lone texts; None: all equal).

    Returns:
        DataFrame (tid, group_id) for texts in groups of two or more; group_id = the leader's tid.
    """
    from scipy.sparse import coo_matrix

    empty = pd.DataFrame({"tid": pd.Series([], dtype="int64"), "group_id": pd.Series([], dtype="int64")})
    if len(a) == 0:
        return empty
    nodes, index = np.unique(np.concatenate([a, b]), return_inverse=True)
    ia, ib = index[: len(a)], index[len(a):]
    adjacency = coo_matrix((np.ones(2 * len(a), dtype=np.int8), (np.concatenate([ia, ib]), np.concatenate([ib, ia]))),
                           shape=(len(nodes), len(nodes))).tocsr()
    leader = np.full(len(nodes), -1, dtype=np.int64)
    order = np.searchsorted(nodes, priority[np.isin(priority, nodes)])
    for node in order:
        if leader[node] != -1:
            continue
        leader[node] = node
        neighbours = adjacency.indices[adjacency.indptr[node]:adjacency.indptr[node + 1]]
        free = neighbours[leader[neighbours] == -1]
        leader[free] = node
    sizes = np.bincount(leader, minlength=len(nodes))
    weight = np.ones(len(a)) if similarity is None else np.asarray(similarity, dtype=float)
    lone = sizes[leader] == 1
    if lone.any():  # each lone text joins the group of its most similar neighbour (neighbours are in groups)
        ends = np.concatenate([ia, ib]), np.concatenate([ib, ia]), np.concatenate([weight, weight])
        order = np.lexsort((-ends[2], ends[0]))
        source, target = ends[0][order], ends[1][order]
        first = np.unique(source, return_index=True)
        best = pd.Series(target[first[1]], index=first[0])
        for node in np.flatnonzero(lone):
            leader[node] = leader[best[node]]
        sizes = np.bincount(leader, minlength=len(nodes))
    keep = sizes[leader] >= 2
    return pd.DataFrame({"tid": nodes[keep].astype("int64"), "group_id": nodes[leader[keep]].astype("int64")})


def connected_groups(a: np.ndarray, b: np.ndarray) -> pd.DataFrame:
    """Connected components of an edge list of integer ids.

    Returns:
        DataFrame (tid, group_id) for every id on an edge; group_id is the smallest tid of its group.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    if len(a) == 0:
        return pd.DataFrame({"tid": pd.Series([], dtype="int64"), "group_id": pd.Series([], dtype="int64")})
    nodes, index = np.unique(np.concatenate([a, b]), return_inverse=True)
    ia, ib = index[: len(a)], index[len(a):]
    graph = coo_matrix((np.ones(len(a), dtype=np.int8), (ia, ib)), shape=(len(nodes), len(nodes)))
    _, labels = connected_components(graph, directed=False)
    smallest = pd.Series(nodes).groupby(labels).transform("min").to_numpy()
    return pd.DataFrame({"tid": nodes.astype("int64"), "group_id": smallest.astype("int64")})


def shingle_jaccard(tokens_a: str, tokens_b: str, shingle_size: int = 1) -> float:
    """Exact Jaccard similarity of two token strings' shingle sets (for explaining a pair)."""
    def shingles(tokens: str) -> set:
        toks = tokens.split()
        if shingle_size == 1:
            return set(toks)
        return {" ".join(toks[i:i + shingle_size]) for i in range(max(len(toks) - shingle_size + 1, 1))}

    sa, sb = shingles(tokens_a), shingles(tokens_b)
    return len(sa & sb) / len(sa | sb) if sa | sb else 0.0

