"""Near-duplicate texts: an exact similarity join with prefix filtering, vectorised.

Works on the distinct matching forms of ``post_text`` (copies collapse first), so the cost
grows with the number of *different* texts. Steps (DuckDB for the tables, NumPy and the
compiled loops of :mod:`toolkit.clusters.compiled` for the arithmetic; never a Python loop over
texts, tokens or pairs):

1. shingles: the set of token n-grams of each text (``shingle_size`` tokens; tokens are
   words, or character pairs for scripts written without spaces), as integer ids;
2. a global order of shingles, rarest first, and each text's set sorted in that order;
3. candidates: two texts of Jaccard similarity ≥ t share at least ``o = ceil(t·|x|)``
   shingles, where x is the larger, so the first ``|x| - o + 2`` shingles of each (its
   *prefix*) contain the two rarest shingles they share [#prefix]_; the smaller text y shares
   at least ``ceil(2t/(1+t)·|y|)``, so its shorter *index prefix* holds them too [#ppjoin]_.
   Every text emits each pair of shingles of its prefix as a key, flagged when the pair lies
   in its index prefix; texts sharing a key are candidates when the smaller one's entry is
   flagged and their sizes allow the threshold. No pair at or above the threshold can be
   missed, and keys made of two rare shingles are shared by few texts;
4. verification: each candidate once, in the run of its first shared key, unless the
   positions of its two rarest shared shingles already rule it out; then the exact Jaccard
   similarity of the two shingle sets. Pairs at or above ``similarity_threshold`` are the
   evidence (with their similarity);
5. texts are grouped around leaders (:func:`leader_groups`): the most posted text leads, every
   member has a verified pair with its leader or (a text left alone) with a member — groups are
   never chained into one another.

Caveats: a key shared by more than ``max_bucket`` texts (a pair of shingles common to many
different texts) links them as a star to its first text rather than all pairs, so recall is
exact except inside such crowds. A lightly edited copy that falls below the threshold against
the leader (but not against another copy) starts a group of its own; cross-language and
co-posting links can join such groups later. Every link is a verified pair, reported in
``text_pairs``.

.. [#prefix] The prefix-filtering principle of S. Chaudhuri, V. Ganti, R. Kaushik, "A primitive
   operator for similarity joins in data cleaning", ICDE 2006, with prefixes extended by one
   so that candidates share two shingles instead of one; see also C. Xiao et al., "Efficient
   similarity joins for near duplicate detection", WWW 2008.
.. [#ppjoin] The shorter index prefix and the positional bound of C. Xiao et al. (above), for
   a self-join where each pair is probed from its larger text.
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..store import Store
from ..text.compiled import string_buffers as _string_buffers
from . import compiled

#: Texts whose shingles are read and numbered at a time (bounds the memory of their strings).
ENCODE_CHUNK_TEXTS = 250_000
#: The distinct matched texts (table ``_texts``: tid, first post's pid, posts), and their tokens in tid order.
DISTINCT_TEXTS = """
    CREATE OR REPLACE TEMP TABLE _texts AS
    SELECT row_number() OVER (ORDER BY pid) AS tid, pid, n_posts
    FROM (SELECT min(pid) AS pid, count(*) AS n_posts FROM post_text WHERE status IN ('ok', 'truncated') GROUP BY norm_text)
    ORDER BY tid"""
TEXT_TOKENS = "SELECT p.tokens FROM _texts t JOIN post_text p USING (pid) ORDER BY t.tid"


@dataclasses.dataclass(frozen=True)
class NearDuplicateParams:
    """Parameters of near-duplicate matching (recorded with the results).

    Attributes:
        similarity_threshold: minimum Jaccard similarity of two texts' shingle sets (0–1).
        shingle_size: tokens per shingle (1 = sets of words: robust to word swaps; 2–3 = order matters).
        max_bucket: a prefix key shared by more texts than this links them as a star to its first
            text instead of all pairs (guards against texts made only of very common words).
    """

    similarity_threshold: float = 0.6
    shingle_size: int = 1
    max_bucket: int = 200

    def __post_init__(self):
        if not 0 < self.similarity_threshold <= 1:
            raise ParameterError(f"similarity_threshold={self.similarity_threshold}: must be in (0, 1], e.g. 0.6")
        if not 1 <= self.shingle_size <= 5:
            raise ParameterError(f"shingle_size={self.shingle_size}: must be 1 to 5 tokens")
        if self.max_bucket < 2:
            raise ParameterError(f"max_bucket={self.max_bucket}: must be at least 2")

    def prefix_length(self, n_shingles: int) -> int:
        """Shingles of a text of ``n_shingles`` distinct shingles that take part in its keys."""
        return int(prefix_lengths(np.array([n_shingles]), self.similarity_threshold)[0])


def prefix_lengths(size: np.ndarray, threshold: float) -> np.ndarray:
    """Prefix length of sets of ``size`` shingles: a pair at ``threshold`` with a set no larger
    shares at least ``ceil(threshold * size)`` shingles, hence two among the first ``size - that + 2``."""
    return np.minimum(size - np.ceil(threshold * size - 1e-9).astype(np.int64) + 2, size)


def index_prefix_lengths(size: np.ndarray, threshold: float) -> np.ndarray:
    """Index-prefix length of sets of ``size`` shingles: a pair at ``threshold`` with a set no
    smaller shares at least ``ceil(2·threshold / (1 + threshold) * size)`` shingles, hence two among
    the first ``size - that + 2``."""
    overlap = np.ceil(2 * threshold / (1 + threshold) * size - 1e-9).astype(np.int64)
    return np.minimum(size - overlap + 2, size)


def near_duplicate_texts(store: Store, params: NearDuplicateParams = NearDuplicateParams()) -> dict:
    """Find near-duplicate texts among the posts of ``post_text`` with status ok/truncated.

    Writes tables:
        ``match_texts`` (tid, pid, n_shingles, n_posts): the distinct matched texts, numbered by
        first appearance; ``pid`` is the first post with the text (its ``post_text`` row holds the
        text), ``n_shingles`` the size of its shingle set;
        ``text_pairs`` (tid_a, tid_b, similarity, shared_shingles): verified pairs, tid_a < tid_b;
        ``text_groups`` (tid, group_id, rep_tid, similarity_to_rep): groups of two or more texts
        around a leader (``rep_tid`` = ``group_id``, the group's most posted text).

    Returns:
        Counts: texts, prefix keys, candidate pairs, verified pairs, groups.
    """
    store.execute(DISTINCT_TEXTS)
    ids, counts = _shingle_ids(store, params.shingle_size)
    store.release_cache()  # the texts are read: room for the arithmetic
    sets = ShingleSets.from_ids(ids, counts)
    del ids
    a, b, shared, n_keys, n_candidates = _verified_pairs(sets, params)
    pairs = pd.DataFrame({"tid_a": a + 1, "tid_b": b + 1, "similarity": shared / (sets.size[a] + sets.size[b] - shared),
                          "shared_shingles": shared})
    store.register("_sizes", pd.DataFrame({"tid": np.arange(1, sets.n + 1), "n_shingles": sets.size}))
    store.register("_pairs", pairs)
    store.execute("""CREATE OR REPLACE TABLE match_texts AS  -- both in tid order: rows side by side
        SELECT t.tid, t.pid, s.n_shingles, t.n_posts FROM _texts t POSITIONAL JOIN _sizes s WHERE t.tid = s.tid""")
    if store.scalar("SELECT count(*) FROM match_texts") != sets.n:
        raise RuntimeError("match_texts: texts and shingle sets out of step (please report this)")
    store.execute("CREATE OR REPLACE TABLE text_pairs AS SELECT * FROM _pairs ORDER BY tid_a, tid_b")
    n_posts = store.df("SELECT n_posts FROM match_texts ORDER BY tid").n_posts.to_numpy()
    priority = np.lexsort((np.arange(sets.n), -n_posts)) + 1
    groups = leader_groups(pairs.tid_a.to_numpy(), pairs.tid_b.to_numpy(), priority, pairs.similarity.to_numpy())
    member, leader = groups.tid.to_numpy() - 1, groups.group_id.to_numpy() - 1
    with np.errstate(invalid="ignore"):
        common = sets.shared(member, leader)
        groups["rep_tid"] = groups.group_id
        groups["similarity_to_rep"] = common / (sets.size[member] + sets.size[leader] - common)
    store.register("_groups", groups)
    store.execute("CREATE OR REPLACE TABLE text_groups AS SELECT * FROM _groups ORDER BY tid")
    for name in ("_sizes", "_pairs", "_groups"):
        store.unregister(name)
    store.execute("DROP TABLE _texts")
    return {"texts": sets.n, "prefix_keys": n_keys, "candidate_pairs": n_candidates, "verified_pairs": len(pairs),
            "groups": int(groups.group_id.nunique()) if len(groups) else 0}


def _shingle_ids(store: Store, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(ids, counts): each text's shingles as integer ids numbered in order of first appearance
    (repeats included), text after text in tid order, and the number of shingles of each text.
    Texts are read in chunks of :data:`ENCODE_CHUNK_TEXTS` (one chunk's strings in memory at a
    time); two threads split, hash and number the words of half a chunk each, the second half in
    a vocabulary of its own that the first then absorbs. Tokens are the text's ``tokens`` split at
    single spaces, shingles ``n`` consecutive tokens (a text shorter than that is one shingle)."""
    words, grams = compiled.Vocabulary(np.uint8), compiled.Vocabulary(np.int32)
    ids, counts = [], []

    def number(vocabulary, data, offsets, valid) -> tuple[np.ndarray, np.ndarray]:
        starts, lengths, per_text, hashes = compiled.split_spaces(data, offsets, valid)
        return vocabulary.ids(data, starts, lengths, hashes), per_text

    with ThreadPoolExecutor(1) as pool:  # the compiled loops release the GIL
        for batch in store.arrow_batches(TEXT_TOKENS, ENCODE_CHUNK_TEXTS):
            if not batch.num_rows:
                continue
            data, offsets, valid = _string_buffers(batch.column(0))
            middle, second = batch.num_rows // 2, compiled.Vocabulary(np.uint8)
            later = pool.submit(number, second, data, offsets[middle:], valid[middle:])
            shingles, per_text = number(words, data, offsets[:middle + 1], valid[:middle])
            later_shingles, later_per_text = later.result()
            shingles = np.concatenate([shingles, words.absorb(second)[later_shingles]])
            per_text = np.concatenate([per_text, later_per_text])
            if n > 1:
                starts, lengths, per_text = compiled.windows(per_text, n)
                shingles = grams.ids(shingles, starts, lengths, compiled.id_hashes(shingles, starts, lengths))
            ids.append(shingles)
            counts.append(per_text)
    if not ids:
        return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.int64)
    return np.concatenate(ids), np.concatenate(counts)


@dataclasses.dataclass
class ShingleSets:
    """Distinct shingles of n texts as integer ranks (0 = rarest shingle), each text's sorted.

    Attributes:
        rank: the ranks, text after text (int32); text i holds ``rank[start[i]:start[i + 1]]``.
        start: n + 1 offsets into ``rank``.
        n: number of texts.
        size: distinct shingles per text.
    """

    rank: np.ndarray
    start: np.ndarray

    def __post_init__(self):
        self.n = len(self.start) - 1
        self.size = np.diff(self.start)
        self.width = int(self.rank.max(initial=0)) + 1  # one more than the largest rank

    @classmethod
    def from_ids(cls, ids: np.ndarray, counts: np.ndarray) -> "ShingleSets":
        """From shingle ids (0..V-1, text after text) and the number of ids of each text. Shingles
        are ranked by how often they occur (rarest first; ties in id order)."""
        frequency = np.bincount(ids)
        rank = np.empty(len(frequency), dtype=np.int32)
        rank[np.argsort(frequency, kind="stable")] = np.arange(len(frequency), dtype=np.int32)
        middle = len(counts) // 2
        cut = int(counts[:middle].sum())
        with ThreadPoolExecutor(2) as pool:  # two threads, half of the texts each
            halves = list(pool.map(lambda ids, counts: compiled.sorted_sets(ids, counts, rank),
                                   (ids[:cut], ids[cut:]), (counts[:middle], counts[middle:])))
        sizes = np.concatenate([sizes for _, sizes in halves])
        return cls(np.concatenate([ranks for ranks, _ in halves]), np.concatenate([[0], np.cumsum(sizes)]))

    def prefix_keys(self, records: np.ndarray) -> tuple[np.ndarray, int]:
        """Keys of every text, sorted: each pair of shingles in the text's prefix (and, for texts so
        small that a pair above the threshold may share a single shingle, each shingle on its own).
        Two threads make the keys of half the texts each, then sort the lower and the upper keys.

        Args:
            records: the texts' records by place (:func:`compiled.text_records`), which hold their
                prefix lengths.

        Returns:
            (keys, text_bits): each key is ``hash(pair) << text_bits | place << 1 | indexed`` (int64),
            where ``place`` is the text's row in ``records`` and ``indexed`` says that the pair lies
            in the text's index prefix; texts sharing a pair share the high bits (a hash collision
            only adds a candidate, verified later).
        """
        text_bits = self.n.bit_length() + 1
        ends = np.cumsum(compiled.key_counts(records))
        total = int(ends[-1]) if len(ends) else 0
        middle = min(int(np.searchsorted(ends, total // 2)) + 1, len(ends))  # places before it: about half the keys
        cut = int(ends[middle - 1]) if middle else 0
        keys = np.empty(total, np.int64)
        with ThreadPoolExecutor(2) as pool:
            first_lower, second_lower = pool.map(
                lambda first, last, lo, hi: compiled.prefix_keys(self.rank, records, first, last, self.width, text_bits,
                                                                 keys[lo:hi]),
                (0, middle), (middle, len(records)), (0, cut), (cut, total))
            # [lower, upper of the first half | lower, upper of the second]: the middle blocks trade
            # places (their order inside does not matter before the sort), in place
            compiled.swap_ends(keys[first_lower:cut + second_lower], min(cut - first_lower, second_lower))
            split = first_lower + second_lower
            list(pool.map(compiled.sort_keys, (keys[:split], keys[split:])))  # in place
        return keys, text_bits

    def alone(self, threshold: float) -> np.ndarray:
        """Texts so small that a pair at the threshold may share a single shingle (they also key
        each shingle on its own)."""
        return self.size * threshold <= 1 + 1e-9

    def shared(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Number of shingles texts a[i] and b[i] have in common (exact); two threads, each
        verifying half of the pairs (the compiled loop releases the GIL)."""
        a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
        half = len(a) // 2
        with ThreadPoolExecutor(2) as pool:
            parts = pool.map(lambda lo, hi: compiled.shared_counts(self.rank, self.start, a[lo:hi], b[lo:hi]),
                             (0, half), (half, len(a)))
            return np.concatenate(list(parts))


def _verified_pairs(sets: ShingleSets, params: NearDuplicateParams) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    """Pairs of texts (a < b, in order) at or above the threshold, with their shared shingles;
    the number of prefix keys and of distinct candidates verified.

    Keys number texts by set size, so that the texts sharing a key ascend in size: a pair is
    made only from the smaller text's index-prefix keys (PPJoin's asymmetric prefixes), and a
    text stops pairing at the first text too large for the threshold. A text with an index-prefix
    key shared by more than ``max_bucket`` texts pairs through its whole prefix instead, so that
    crowds lose no more pairs than without index prefixes. Each candidate is verified
    in the run of the first key that makes it (:func:`compiled.verified_pairs`), so candidates
    are never stored; two threads take half of the keys each. Star candidates of oversized keys
    are collected, made distinct and verified."""
    threshold, max_bucket = params.similarity_threshold, params.max_bucket
    order = np.argsort(sets.size, kind="stable")
    prefix, alone = prefix_lengths(sets.size, threshold), sets.alone(threshold)
    records = compiled.text_records(order, sets.start, prefix, index_prefix_lengths(sets.size, threshold), alone)
    keys, text_bits = sets.prefix_keys(records)
    with ThreadPoolExecutor(2) as pool:  # two passes over the keys at once
        oversized = pool.submit(compiled.oversized_keys, keys, text_bits, max_bucket)
        crowded = np.flatnonzero(compiled.open_crowded_prefixes(keys, text_bits, max_bucket, sets.n))
        big = oversized.result()
    # a text in a crowd pairs through its whole prefix, as without index prefixes
    in_crowd = order[crowded]
    records[crowded, compiled.RECORD_LENGTHS] = compiled.packed_lengths(prefix[in_crowd], prefix[in_crowd], alone[in_crowd])
    middle = int(np.searchsorted(keys, ((keys[len(keys) // 2] >> text_bits) + 1) << text_bits)) if len(keys) else 0

    def run(first: int, last: int) -> tuple:
        return compiled.verified_pairs(keys, first, last, text_bits, max_bucket, big, sets.rank, records, sets.width,
                                       threshold, int(prefix.max(initial=1)))
    with ThreadPoolExecutor(2) as pool:  # the compiled loop releases the GIL
        halves = list(pool.map(run, (0, middle), (middle, len(keys))))
    n_keys = len(keys)
    del keys

    def joined(k: int) -> np.ndarray:  # one result of both halves
        return np.concatenate([half[k] for half in halves])
    a, b, star_a, star_b = joined(0), joined(1), joined(4), joined(5)
    a, b = np.minimum(a, b), np.maximum(a, b)
    shared, n_candidates = joined(2), sum(half[3] for half in halves)
    star = np.unique((np.minimum(star_a, star_b) << 32) | np.maximum(star_a, star_b))
    if len(star):
        star_a, star_b = star >> 32, star & 0xFFFFFFFF
        star_shared = sets.shared(star_a, star_b)
        keep = star_shared / (sets.size[star_a] + sets.size[star_b] - star_shared) >= threshold - 1e-12
        a, b, shared = (np.concatenate([x, y[keep]]) for x, y in ((a, star_a), (b, star_b), (shared, star_shared)))
        n_candidates += len(star)
    by_pair = np.argsort((a << 32) | b)
    return a[by_pair], b[by_pair], shared[by_pair], n_keys, int(n_candidates)


def _distinct_sorted(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (np.sort then a neighbour comparison)."""
    values = np.sort(values)
    if len(values) == 0:
        return values
    return values[np.concatenate([[True], values[1:] != values[:-1]])]


def _dense(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sorted distinct values, index of each value in them)."""
    distinct = _distinct_sorted(values)
    return distinct, np.searchsorted(distinct, values)


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
    empty = pd.DataFrame({"tid": pd.Series([], dtype="int64"), "group_id": pd.Series([], dtype="int64")})
    if len(a) == 0:
        return empty
    nodes, index = _dense(np.concatenate([a, b]))
    ia, ib = index[: len(a)], index[len(a):]
    at = np.minimum(np.searchsorted(nodes, priority), len(nodes) - 1)
    at = at[nodes[at] == priority]  # the node of each id of priority on a pair, in priority order
    rank = len(at) + np.arange(len(nodes), dtype=np.int64)  # ids absent from priority come last
    rank[at] = np.arange(len(at))
    leader = _greedy_leaders(ia, ib, rank)
    sizes = np.bincount(leader, minlength=len(nodes))
    weight = np.ones(len(a)) if similarity is None else np.asarray(similarity, dtype=float)
    lone = np.flatnonzero(sizes[leader] == 1)
    if len(lone):  # each lone text joins the group of its most similar neighbour (never itself lone)
        source, target, pair_weight = np.concatenate([ia, ib]), np.concatenate([ib, ia]), np.concatenate([weight, weight])
        is_lone = np.zeros(len(nodes), dtype=bool)
        is_lone[lone] = True
        of_lone = is_lone[source]
        source, target, pair_weight = source[of_lone], target[of_lone], pair_weight[of_lone]
        order = np.lexsort((-pair_weight, source))
        source, target = source[order], target[order]
        first = np.concatenate([[True], source[1:] != source[:-1]])
        best = np.full(len(nodes), -1, dtype=np.int64)
        best[source[first]] = target[first]
        leader[lone] = leader[best[lone]]
        sizes = np.bincount(leader, minlength=len(nodes))
    keep = sizes[leader] >= 2
    return pd.DataFrame({"tid": nodes[keep].astype("int64"), "group_id": nodes[leader[keep]].astype("int64")})


def _greedy_leaders(a: np.ndarray, b: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """The leader of each node when nodes are taken in ``rank`` order and a node not yet taken
    leads and takes its free neighbours: a node leads if no neighbour before it leads; any other
    node belongs to the first leader among its neighbours. Computed in rounds over the edges
    (each round settles every node whose earlier neighbours are settled), not node by node.

    Args:
        a, b: edges between dense node ids 0..n-1; rank: each node's place in the order.

    Returns:
        Each node's leader (a leader is its own).
    """
    n = len(rank)
    later, earlier = np.concatenate([a, b]), np.concatenate([b, a])
    keep = rank[earlier] < rank[later]
    later, earlier = later[keep], earlier[keep]
    state = np.zeros(n, dtype=np.int8)  # 0 unsettled, 1 leads, 2 taken
    open_later, open_earlier = later, earlier
    while len(open_later):
        settled = state[open_earlier]
        taken = np.zeros(n, dtype=bool)
        taken[open_later[settled == 1]] = True
        waiting = np.zeros(n, dtype=bool)
        waiting[open_later[settled == 0]] = True
        unsettled = state == 0
        state[unsettled & taken] = 2
        state[unsettled & ~taken & ~waiting] = 1
        still = state[open_later] == 0
        open_later, open_earlier = open_later[still], open_earlier[still]
    leader = np.arange(n, dtype=np.int64)
    member = (state[later] == 2) & (state[earlier] == 1)
    member_of, by = later[member], earlier[member]
    order = np.lexsort((rank[by], member_of))
    member_of, by = member_of[order], by[order]
    first = np.concatenate([[True], member_of[1:] != member_of[:-1]])
    leader[member_of[first]] = by[first]
    return leader


def connected_groups(a: np.ndarray, b: np.ndarray) -> pd.DataFrame:
    """Connected components of an edge list of integer ids.

    Returns:
        DataFrame (tid, group_id) for every id on an edge; group_id is the smallest tid of its group.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    if len(a) == 0:
        return pd.DataFrame({"tid": pd.Series([], dtype="int64"), "group_id": pd.Series([], dtype="int64")})
    nodes, index = _dense(np.concatenate([a, b]))
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

