"""The near-duplicate join against brute force: every pair at or above the threshold, nothing else."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings, strategies as st

from toolkit.clusters import near
from toolkit.clusters import compiled
from toolkit.clusters.near import NearDuplicateParams, near_duplicate_texts, shingle_jaccard
from toolkit.store import Store

WORDS = [f"w{i}" for i in range(12)]  # a small vocabulary: many texts overlap


def _workspace(texts: list[str]) -> Store:
    store = Store(":memory:")
    store.register("_t", pd.DataFrame({"pid": range(1, len(texts) + 1), "norm_text": texts, "tokens": texts}))
    store.execute("CREATE TABLE post_text AS SELECT pid, norm_text, tokens, 'ok' AS status FROM _t")
    store.unregister("_t")
    return store


def _brute_force(texts: list[str], threshold: float, shingle_size: int) -> dict:
    distinct = list(dict.fromkeys(texts))  # tid order = first appearance
    return {(i + 1, j + 1): shingle_jaccard(a, b, shingle_size)
            for (i, a), (j, b) in itertools.combinations(enumerate(distinct), 2)
            if shingle_jaccard(a, b, shingle_size) >= threshold - 1e-12}


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=9).map(" ".join), min_size=2, max_size=40),
       threshold=st.sampled_from([0.3, 0.5, 0.6, 0.75, 0.8, 0.9, 1.0]), shingle_size=st.sampled_from([1, 2]))
def test_pairs_equal_brute_force(texts, threshold, shingle_size):
    with _workspace(texts) as store:
        counts = near_duplicate_texts(store, NearDuplicateParams(similarity_threshold=threshold, shingle_size=shingle_size,
                                                                 max_bucket=10_000))
        found = {(a, b): s for a, b, s in store.rows("SELECT tid_a, tid_b, similarity FROM text_pairs")}
    truth = _brute_force(texts, threshold, shingle_size)
    assert found.keys() == truth.keys()
    assert all(found[k] == pytest.approx(truth[k]) for k in truth)
    assert counts["verified_pairs"] == len(truth)


@pytest.mark.parametrize("shingle_size", [1, 2])
def test_texts_read_in_chunks_give_the_same_pairs(monkeypatch, shingle_size):
    rng = np.random.default_rng(5)
    bases = [list(rng.choice(WORDS, size=9)) for _ in range(10)]
    texts = [" ".join(base[:i] + ["edit"] + base[i + 1:]) for base in bases for i in range(8)]  # copies, one word changed
    results, counts = [], []
    for small in (False, True):
        if small:  # three texts read at a time
            monkeypatch.setattr(near, "ENCODE_CHUNK_TEXTS", 3)
        with _workspace(texts) as store:
            counts.append(near.near_duplicate_texts(store, NearDuplicateParams(
                similarity_threshold=0.4, shingle_size=shingle_size, max_bucket=10_000)))
            results.append(store.df("SELECT * FROM text_pairs"))
    assert len(results[0]) > 20 and counts[0]["candidate_pairs"] >= len(results[0])
    pd.testing.assert_frame_equal(results[0], results[1])
    assert counts[0] == counts[1]


def _split(tokens: list[str]) -> tuple:
    """(data, starts, lengths, hashes) of tokens, through :func:`compiled.split_spaces` of them joined by spaces."""
    text = " ".join(tokens).encode()
    data, offsets = np.frombuffer(text, np.uint8), np.array([0, len(text)], np.int64)
    starts, lengths, counts, hashes = compiled.split_spaces(data, offsets, np.ones(1, bool))
    assert counts.tolist() == [len(tokens)]
    return data, starts, lengths, hashes


def test_vocabulary_numbers_sequences_by_first_appearance_across_calls():
    """Many more distinct words than the vocabulary's first table holds (it grows), some of them
    multi-byte, long or empty, numbered in several calls: the same numbers as a dict would give."""
    rng = np.random.default_rng(2)
    words = [f"m{i}" for i in range(60_000)] + [f"longer-word-{i}" for i in range(2_000)]
    words += ["", "député", "议员", "ab", "ba", "a", "parlementaires", "parlementaire-s", "x" * 40, "x" * 41]
    vocabulary, expected, got = compiled.Vocabulary(np.uint8), {}, []
    for _ in range(4):
        tokens = [words[i] for i in rng.integers(0, len(words), 50_000)]
        data, starts, lengths, hashes = _split(tokens)
        got.extend(vocabulary.ids(data, starts, lengths, hashes).tolist())
        expected_ids = [expected.setdefault(t, len(expected)) for t in tokens]
        assert got[-len(tokens):] == expected_ids
    assert vocabulary.size == len(expected) > 40_000


def test_a_vocabulary_absorbs_another_as_if_its_words_came_after():
    """Half the words numbered in a second vocabulary, then absorbed: the numbers one vocabulary
    gives to all the words in order."""
    rng = np.random.default_rng(4)
    words = [f"w{i}" for i in range(5_000)] + [f"much-longer-word-{i}" for i in range(500)]
    tokens = [words[i] for i in rng.integers(0, len(words), 20_000)]
    expected = {}
    expected_ids = [expected.setdefault(t, len(expected)) for t in tokens]
    first, second = compiled.Vocabulary(np.uint8), compiled.Vocabulary(np.uint8)
    ids = first.ids(*_split(tokens[:10_000])).tolist()
    later = second.ids(*_split(tokens[10_000:]))
    assert ids + first.absorb(second)[later].tolist() == expected_ids
    assert first.size == len(expected)


@pytest.mark.parametrize("dtype", [np.uint8, np.int32])
def test_vocabulary_tells_apart_sequences_whose_hashes_collide(dtype):
    """Every hash equal (or one of two): sequences longer than two words (which the hash,
    length and second word do not settle) are still told apart by their content, including ones
    that differ only in their first or last element."""
    words = ["abcdefghijklmnopq", "abcdefghijklmnopr", "bbcdefghijklmnopq", "abcdefghXY" * 3, "abcdefghXY" * 3 + "z",
             "bbcdefghXY" * 3 + "z", "abc", "abd", "bbc", "ab"]
    words = [w for w in words if len(w) > 2 * compiled.Vocabulary(dtype).unit]
    assert len(words) >= 6
    rng = np.random.default_rng(3)
    tokens = [words[i] for i in rng.integers(0, len(words), 2_000)]
    encoded = [np.frombuffer(t.encode(), np.uint8).astype(dtype) for t in tokens]
    data = np.concatenate(encoded)
    lengths = np.array([len(e) for e in encoded])
    starts = np.cumsum(lengths) - lengths
    expected = {}
    expected_ids = [expected.setdefault(t, len(expected)) for t in tokens]
    for hashes in (np.zeros(len(tokens), np.int64), (lengths % 2).astype(np.int64)):
        assert compiled.Vocabulary(dtype).ids(data, starts, lengths, hashes).tolist() == expected_ids


def test_hashes_tell_apart_the_sequences_the_vocabulary_does_not_read():
    """Equal hashes, lengths and second words mean equal sequences up to two words: here every
    word of one or two bytes, 200,000 random ones of three to eight bytes, 100,000 random ones of
    nine to sixteen bytes sharing one of three second words, and 100,000 pairs of ids sharing
    their second id."""
    rng = np.random.default_rng(5)
    sequences = [bytes([a]) for a in range(256) if a != 32]
    sequences += [bytes([a, b]) for a in range(256) for b in range(256) if 32 not in (a, b)]
    sequences += list({bytes(rng.integers(33, 256, rng.integers(3, 9)).astype(np.uint8)) for _ in range(200_000)})
    ends = [b"-word", b"-longer", b"zzzzzzzz"]
    sequences += list({bytes(rng.integers(33, 256, 8).astype(np.uint8)) + ends[i % 3] for i in range(100_000)})
    data = np.frombuffer(b" ".join(sequences), np.uint8)
    starts, lengths, _, hashes = compiled.split_spaces(data, np.array([0, len(data)], np.int64), np.ones(1, bool))
    assert len(starts) == len(sequences)
    second = np.array([s[8:16] for s in sequences], dtype=object)
    keys = {(h, n, w) for h, n, w in zip(hashes.tolist(), lengths.tolist(), second)}
    assert len(keys) == len(sequences)
    first = rng.permutation(100_000).astype(np.int32)
    pairs = np.stack([first, np.full(100_000, 7, np.int32)], axis=1).ravel()
    hashes = compiled.id_hashes(pairs, np.arange(0, len(pairs), 2), np.full(100_000, 2, np.int64))
    assert len(np.unique(hashes)) == len(first)


@pytest.mark.parametrize("n", [0, 1, 2, 257, 100_000])
@pytest.mark.parametrize("upper", [False, True])
def test_prefix_keys_are_sorted_as_numpy_sorts_them(n, upper):
    """The radix sort of the prefix keys, on the lower keys (bit 62 clear) and the upper ones: random
    keys, keys whose top digits are all equal, and keys with many repeats."""
    rng = np.random.default_rng(n)
    high = np.int64(1) << 62 if upper else np.int64(0)
    for keys in (rng.integers(0, 2 ** 62, n, dtype=np.int64), rng.integers(0, 2 ** 20, n, dtype=np.int64),
                 rng.integers(0, 3, n, dtype=np.int64) << 54):
        keys = keys | high
        done = keys.copy()
        compiled.sort_keys(done)
        assert np.array_equal(done, np.sort(keys))


@pytest.mark.parametrize("n_texts", [1, 2, 3, 500])
def test_prefix_keys_made_by_two_threads_are_those_one_thread_makes(n_texts):
    """Two threads make the keys of half the texts each and trade the middle blocks: the same
    sorted keys as one pass over all texts, and the lower keys (bit 62 clear) first."""
    rng = np.random.default_rng(n_texts)
    counts = rng.integers(1, 30, n_texts)
    sets = near.ShingleSets.from_ids(rng.integers(0, 300, counts.sum()), counts)
    order = np.argsort(sets.size, kind="stable")
    records = compiled.text_records(order, sets.start, near.prefix_lengths(sets.size, 0.5),
                                    near.index_prefix_lengths(sets.size, 0.5), sets.alone(0.5))
    keys, text_bits = sets.prefix_keys(records)
    alone = np.empty(int(compiled.key_counts(records).sum()), np.int64)
    compiled.prefix_keys(sets.rank, records, 0, len(records), sets.width, text_bits, alone)
    assert len(keys) > 0 and np.array_equal(keys, np.sort(alone))


def test_swap_ends_trades_the_first_and_last_values_in_place():
    for k, expected in ((0, list(range(7))), (2, [5, 6, 2, 3, 4, 0, 1]), (3, [4, 5, 6, 3, 0, 1, 2])):
        values = np.arange(7)
        compiled.swap_ends(values, k)
        assert values.tolist() == expected


def test_tokens_are_split_at_every_space_like_str_split():
    values = pa.array(["a bc", "", "député  议员 ", None, "x"])
    data, offsets, valid = near._string_buffers(values.slice(0))
    starts, lengths, counts, hashes = compiled.split_spaces(data, offsets, valid)
    tokens = [bytes(data[s:s + n]).decode() for s, n in zip(starts, lengths)]
    assert len(set(zip(tokens, hashes.tolist()))) == len(set(tokens)) == len(set(hashes.tolist()))  # one hash per token
    expected = [t.split(" ") if t is not None else [] for t in values.to_pylist()]
    assert tokens == [tok for toks in expected for tok in toks]
    assert counts.tolist() == [len(toks) for toks in expected]


def test_groups_have_a_leader_similar_to_each_member():
    base = "the minister must resign now over the foreign interference scandal"
    texts = [base] * 3 + [base + " today", base.replace("now", "immediately"), "completely different words about the weather here"]
    with _workspace(texts) as store:
        near_duplicate_texts(store, NearDuplicateParams(similarity_threshold=0.8))
        groups = store.df("SELECT * FROM text_groups ORDER BY tid")
    assert groups.tid.tolist() == [1, 2, 3] and (groups.group_id == 1).all()  # three distinct texts, the most posted leads
    assert groups.similarity_to_rep.iloc[0] == 1.0
    assert groups.similarity_to_rep.iloc[1] == pytest.approx(shingle_jaccard(texts[0], texts[3]))


def _leaders_one_by_one(a, b, rank):
    """The greedy rule written plainly: in rank order, a free node leads and takes its free neighbours."""
    neighbours = {node: set() for node in range(len(rank))}
    for x, y in zip(a.tolist(), b.tolist()):
        neighbours[x].add(y)
        neighbours[y].add(x)
    leader = [-1] * len(rank)
    for node in np.argsort(rank).tolist():
        if leader[node] == -1:
            leader[node] = node
            for other in neighbours[node]:
                if leader[other] == -1:
                    leader[other] = node
    return leader


@given(st.integers(2, 40).flatmap(lambda n: st.tuples(
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda e: e[0] != e[1]), min_size=1, max_size=120),
    st.permutations(range(n)))))
@settings(max_examples=300, deadline=None)
def test_leaders_in_rounds_equal_leaders_one_by_one(graph):
    edges, order = graph
    used = sorted({node for edge in edges for node in edge})
    dense = {node: i for i, node in enumerate(used)}
    a = np.array([dense[x] for x, _ in edges])
    b = np.array([dense[y] for _, y in edges])
    rank = np.argsort(np.argsort([order[node] for node in used]))
    assert near._greedy_leaders(a, b, rank).tolist() == _leaders_one_by_one(a, b, rank)


def test_crowded_keys_are_linked_as_a_star():
    """Texts made of the same common words: past max_bucket, each is paired with one text only."""
    texts = [" ".join(["a", "b", "c", "d", f"x{i}"]) for i in range(30)]
    with _workspace(texts) as store:
        counts = near_duplicate_texts(store, NearDuplicateParams(similarity_threshold=0.6, max_bucket=5))
        pairs = store.rows("SELECT tid_a, tid_b FROM text_pairs")
    assert counts["verified_pairs"] == 29 and all(a == 1 for a, _ in pairs)


def _key_runs_reference(texts: list[str], threshold: float, max_bucket: int) -> tuple[set, int]:
    """The documented rule written plainly (words as shingles): shingles ranked rarest first (ties:
    first seen), each text keys every pair of its prefix (and every word alone when tiny); a key
    of at most ``max_bucket`` texts pairs all of them, a larger one its first text with each
    other; candidates at or above the threshold are the pairs. Returns (pairs, crowded keys)."""
    distinct = list(dict.fromkeys(texts))
    words = [t.split(" ") for t in distinct]
    count = {}
    for ws in words:
        for w in ws:
            count[w] = count.get(w, 0) + 1
    order = {w: i for i, w in enumerate(count)}  # first seen
    rank = {w: r for r, w in enumerate(sorted(count, key=lambda w: (count[w], order[w])))}
    sets = [sorted({rank[w] for w in ws}) for ws in words]
    keys: dict = {}
    for tid, ranks in enumerate(sets):
        n = len(ranks)
        p = int(near.prefix_lengths(np.array([n]), threshold)[0])
        own = {(ranks[i], ranks[j]) for i in range(p) for j in range(i + 1, p)}
        if n * threshold <= 1 + 1e-9:
            own |= {(r, r) for r in ranks}
        for key in own:
            keys.setdefault(key, []).append(tid)
    candidates = set()
    for members in keys.values():
        if len(members) <= max_bucket:
            candidates |= set(itertools.combinations(members, 2))
        else:
            candidates |= {(members[0], other) for other in members[1:]}
    pairs = {(a + 1, b + 1) for a, b in candidates
             if len(set(sets[a]) & set(sets[b])) / len(set(sets[a]) | set(sets[b])) >= threshold - 1e-12}
    return pairs, sum(len(members) > max_bucket for members in keys.values())


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("threshold", [0.5, 0.6, 0.8])
def test_pairs_in_crowds_follow_the_key_rule(seed, threshold):
    """Many texts share pairs of common words, so keys pass max_bucket: the pairs found are those of
    the documented rule (all pairs of a small key's texts, a crowded key's first text with each
    other one), whatever the candidate shortcuts."""
    rng = np.random.default_rng(seed)
    common, rare = [f"c{i}" for i in range(4)], [f"r{i}" for i in range(40)]
    texts = [" ".join(list(rng.choice(common, size=int(rng.integers(2, 5)), replace=False))
                      + list(rng.choice(rare, size=int(rng.integers(0, 4)), replace=False))) for _ in range(150)]
    with _workspace(texts) as store:
        near_duplicate_texts(store, NearDuplicateParams(similarity_threshold=threshold, max_bucket=8))
        found = set(store.rows("SELECT tid_a, tid_b FROM text_pairs"))
    expected, crowded = _key_runs_reference(texts, threshold, max_bucket=8)
    assert crowded > 0 and len(expected) > 20
    assert found == expected


def test_shingles_of_consecutive_tokens():
    starts, lengths, per_text = compiled.windows(np.array([4, 0, 1, 2]), 2)
    assert list(zip(starts.tolist(), lengths.tolist())) == [(0, 2), (1, 2), (2, 2), (4, 1), (5, 2)]
    assert per_text.tolist() == [3, 0, 1, 1]


@pytest.mark.parametrize("texts", [[], ["only one text here"]])
def test_nothing_to_pair(texts):
    with _workspace(texts) as store:
        counts = near_duplicate_texts(store, NearDuplicateParams())
        assert store.scalar("SELECT count(*) FROM match_texts") == len(texts)
    assert (counts["texts"], counts["verified_pairs"], counts["groups"]) == (len(texts), 0, 0)
