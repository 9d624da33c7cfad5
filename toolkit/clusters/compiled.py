"""Compiled inner loops of near-duplicate matching (Numba, cached on disk after the first run).

Each function works on flat NumPy arrays: the values of many texts one after the other, with a
count or an offset per text. :mod:`toolkit.clusters.near` explains the method; these are its
loops over tokens, keys and pairs, compiled to machine code instead of run by Python.
"""

from __future__ import annotations

import numba
import numpy as np

_compiled = numba.njit(cache=True, nogil=True)

_MIX = np.uint64(0xFF51AFD7ED558CCD)
#: 2^64 / golden ratio: multiplying by it spreads keys over the high bits (Fibonacci hashing).
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_SPACE = 32
#: Keys at or above this (bit 62, the top bit of a key's hash) are "upper" in :func:`prefix_keys`.
_UPPER = np.int64(1) << np.int64(62)


@_compiled
def split_spaces(data, offsets, valid):
    """Split strings at every space byte, like ``str.split(" ")`` (a null string has no tokens),
    and hash each token, in one pass over the bytes.

    Args:
        data: the strings' UTF-8 bytes (uint8); offsets: n + 1 byte offsets (int64); valid: n bools.

    Returns:
        (starts, lengths, counts, hashes): each token's first byte, length in bytes and 64-bit
        hash, and the tokens of each string.
    """
    n = len(offsets) - 1
    total = 0
    for t in range(n):
        if valid[t]:
            total += 1
            for i in range(offsets[t], offsets[t + 1]):
                total += data[i] == _SPACE
    starts = np.empty(total, np.int64)
    lengths = np.empty(total, np.int64)
    hashes = np.empty(total, np.int64)
    counts = np.zeros(n, np.int64)
    k = 0
    for t in range(n):
        if not valid[t]:
            continue
        first, begin, end = k, offsets[t], offsets[t + 1]
        while True:  # one token: its bytes folded into words of eight as they are read
            h = word = np.uint64(0)
            shift, i = 0, begin
            while i < end and data[i] != _SPACE:
                word |= np.uint64(data[i]) << np.uint64(shift)
                shift += 8
                if shift == 64:
                    h, word, shift = _mix(h ^ word), np.uint64(0), 0
                i += 1
            starts[k], lengths[k], hashes[k] = begin, i - begin, _finished(h, word, i - begin)
            k += 1
            if i == end:
                break
            begin = i + 1
        counts[t] = k - first
    return starts, lengths, counts, hashes


@_compiled
def windows(counts, size):
    """The n-grams of ``size`` consecutive tokens of each text (a text shorter than ``size`` gives
    one n-gram of all its tokens; a text without tokens gives none).

    Args:
        counts: tokens of each text (its tokens follow the previous text's in one flat array).

    Returns:
        (starts, lengths, per_text): each n-gram's first token and length, and the n-grams of each text.
    """
    per_text = np.zeros(len(counts), np.int64)
    for t in range(len(counts)):
        if counts[t] > 0:
            per_text[t] = max(counts[t] - size + 1, 1)
    starts = np.empty(per_text.sum(), np.int64)
    lengths = np.empty(len(starts), np.int64)
    k = first = 0
    for t in range(len(counts)):
        for i in range(per_text[t]):
            starts[k], lengths[k] = first + i, min(size, counts[t] - i)
            k += 1
        first += counts[t]
    return starts, lengths, per_text


@_compiled
def _mix(h):
    h = (h ^ (h >> np.uint64(33))) * _MIX
    return h ^ (h >> np.uint64(29))


@_compiled
def _finished(h, word, length):
    """The hash of a byte sequence from its state after all full words (``h``), its last partial
    word and its length. For one length, a bijection of sequences of up to eight bytes."""
    return np.int64(_mix(_mix(h ^ word) ^ (np.uint64(length) * _GOLDEN)))


@_compiled
def id_hashes(ids, starts, lengths):
    """A 64-bit hash of each id sequence ``ids[start:start + length]``."""
    out = np.empty(len(starts), np.int64)
    for k in range(len(starts)):
        h = np.uint64(lengths[k]) * _GOLDEN
        for i in range(starts[k], starts[k] + lengths[k]):
            h = _mix(h ^ np.uint64(ids[i]))
        out[k] = np.int64(_mix(h))
    return out


class Vocabulary:
    """Distinct sequences (of bytes, or of token ids) numbered 0, 1, … in order of first appearance.

    ``ids(seq, starts, lengths, hashes)`` numbers the sequences ``seq[start:start + length]`` (with
    their hashes from :func:`split_spaces` or :func:`id_hashes`), keeping the numbering across
    calls (texts read in chunks share one vocabulary). Two different sequences never share a
    number, and most are told apart without reading the stored copies: the hashes fold one
    *word* (eight bytes, or one id) at a time through bijections, so for a given length and given
    second word, the hash determines the first word. Each table slot keeps a sequence's hash,
    length and second word; sequences longer than two words whose three agree are compared in full.
    """

    def __init__(self, dtype):
        # open addressing, one row per slot: hash, (id + 1) << 32 | length (0 = empty), second word
        self.table = np.zeros((1 << 16, 3), np.int64)
        self.unit = 8 if np.dtype(dtype).itemsize == 1 else 1  # elements per word
        self.where = np.empty((1 << 15, 2), np.int64)  # (start, length) of each sequence in values
        self.values = np.empty(1 << 18, dtype)
        self.size = 0  # distinct sequences so far
        self.used = 0  # values stored so far

    def ids(self, seq: np.ndarray, starts: np.ndarray, lengths: np.ndarray, hashes: np.ndarray) -> np.ndarray:
        """Each sequence's number (int32)."""
        ids, self.table, self.where, self.values, self.size, self.used = _intern(
            seq, starts, lengths, hashes, self.table, self.where, self.values, self.size, self.used, self.unit)
        return ids

    def absorb(self, other: "Vocabulary") -> np.ndarray:
        """Number the sequences of ``other`` (of the same kind) in this vocabulary, those new to it
        added in ``other``'s order, as if ``other``'s sequences had come after this one's.

        Returns:
            This vocabulary's number of each of ``other``'s numbers (int32).
        """
        filled = other.table[:, 1] != 0
        hashes = np.empty(other.size, np.int64)
        hashes[(other.table[filled, 1] >> 32) - 1] = other.table[filled, 0]
        return self.ids(other.values, other.where[:other.size, 0], other.where[:other.size, 1], hashes)


@_compiled
def _slot(h, bits):
    return np.int64((np.uint64(h) * _GOLDEN) >> np.uint64(64 - bits))


@_compiled
def _bits(capacity):
    bits = 0
    while (1 << bits) < capacity:
        bits += 1
    return bits


@_compiled
def _grown(array, needed):
    """``array`` if it holds ``needed`` rows, else a copy with at least twice its room."""
    if needed <= len(array):
        return array
    bigger = np.empty((max(needed, 2 * len(array)),) + array.shape[1:], array.dtype)
    bigger[:len(array)] = array
    return bigger


@_compiled
def _rehashed(table, bits):
    """The entries of ``table`` in a new table of 2^bits slots."""
    bigger = np.zeros((1 << bits, table.shape[1]), np.int64)
    mask = (1 << bits) - 1
    for slot in range(len(table)):
        if table[slot, 1]:
            j = _slot(table[slot, 0], bits)
            while bigger[j, 1]:
                j = (j + 1) & mask
            bigger[j] = table[slot]
    return bigger


@_compiled
def _second_word(seq, s, n, unit):
    """Elements ``unit`` to ``2 * unit - 1`` of the sequence of ``n`` elements at ``s``, packed as the
    hashes fold them (zero past its end)."""
    word = np.uint64(0)
    for b in range(unit, min(2 * unit, n)):
        word |= np.uint64(seq[s + b]) << np.uint64(8 * (b - unit))
    return np.int64(word)


@_compiled
def _intern(seq, starts, lengths, hashes, table, where, values, size, used, unit):
    """Number the sequences in blocks small enough that the table stays at most half full even
    if all are new; arrays grow between blocks (never inside the loop over sequences)."""
    ids = np.empty(len(starts), np.int32)
    k = 0
    while k < len(starts):
        end = min(len(starts), k + max(1, len(table) // 2 - size))
        where = _grown(where, size + end - k)
        values = _grown(values, used + lengths[k:end].sum())
        size, used = _intern_block(seq, starts, lengths, hashes, k, end, table, where, values, size, used, ids, unit)
        if 2 * size >= len(table):
            table = _rehashed(table, _bits(len(table)) + 1)
        k = end
    return ids, table, where, values, size, used


@_compiled
def _intern_block(seq, starts, lengths, hashes, first, end, table, where, values, size, used, ids, unit):
    bits = _bits(len(table))
    mask = len(table) - 1
    for k in range(first, end):
        s, n, h = starts[k], lengths[k], hashes[k]
        second = _second_word(seq, s, n, unit)
        slot = _slot(h, bits)
        while True:
            entry = table[slot, 1]
            if entry == 0:  # a new sequence
                values[used:used + n] = seq[s:s + n]
                where[size, 0], where[size, 1] = used, n
                table[slot, 0], table[slot, 1], table[slot, 2] = h, ((size + 1) << 32) | n, second
                ids[k] = size
                used += n
                size += 1
                break
            if table[slot, 0] == h and (entry & 0xFFFFFFFF) == n and table[slot, 2] == second:
                v = (entry >> 32) - 1
                same = True
                if n > 2 * unit:  # hash, length and second word leave the rest open
                    o = where[v, 0]
                    for i in range(n):
                        if values[o + i] != seq[s + i]:
                            same = False
                            break
                if same:
                    ids[k] = v
                    break
            slot = (slot + 1) & mask
    return size, used


@_compiled
def sorted_sets(ids, counts, rank):
    """Each text's distinct shingle ranks, sorted.

    Args:
        ids: shingle ids, text after text (repeats included); counts: ids of each text;
        rank: the rank of each shingle id.

    Returns:
        (ranks, sizes): the sorted distinct ranks, text after text (int32), and their number per text.
    """
    out = np.empty(len(ids), np.int32)
    sizes = np.zeros(len(counts), np.int64)
    read = write = 0
    for t in range(len(counts)):
        n = counts[t]
        block = out[write:write + n]
        for i in range(n):
            block[i] = rank[ids[read + i]]
        if n > 32:
            block.sort()
        else:  # insertion sort: faster on the few shingles of a typical text
            for i in range(1, n):
                value, j = block[i], i - 1
                while j >= 0 and block[j] > value:
                    block[j + 1] = block[j]
                    j -= 1
                block[j + 1] = value
        kept = 0
        for i in range(n):
            if i == 0 or block[i] != block[kept - 1]:
                block[kept] = block[i]
                kept += 1
        sizes[t] = kept
        read += n
        write += kept
    return out[:write].copy(), sizes


#: Columns of the text records :func:`verified_pairs` reads (one 32-byte row per text, by place).
RECORD_TEXT, RECORD_FIRST, RECORD_END, RECORD_LENGTHS = range(4)
_LENGTH_BITS = 31
_LENGTH_MASK = (1 << _LENGTH_BITS) - 1


def text_records(order, start, prefix, index, alone):
    """One row per place in ``order`` (int64, n × 4): the text, the offsets of its first and
    past-last shingle in the ranks, and its prefix length, index-prefix length and ``alone`` flag
    packed as ``prefix | index << 31 | alone << 62``. What verification needs of a text sits in
    one cache line, instead of a read from five arrays."""
    records = np.empty((len(order), 4), np.int64)
    records[:, RECORD_TEXT] = order
    records[:, RECORD_FIRST] = start[order]
    records[:, RECORD_END] = start[order + 1]
    records[:, RECORD_LENGTHS] = packed_lengths(prefix[order], index[order], alone[order])
    return records


def packed_lengths(prefix: np.ndarray, index: np.ndarray, alone: np.ndarray) -> np.ndarray:
    """Prefix lengths, index-prefix lengths and ``alone`` flags packed as a record's
    ``RECORD_LENGTHS`` (int64)."""
    return (prefix.astype(np.int64) | (index.astype(np.int64) << _LENGTH_BITS)
            | (alone.astype(np.int64) << (2 * _LENGTH_BITS)))


@_compiled
def unpacked_lengths(lengths):
    """(prefix, index, alone) of packed ``RECORD_LENGTHS`` (one value or an array): the inverse of
    :func:`packed_lengths`, ``alone`` as 0 or 1."""
    return lengths & _LENGTH_MASK, (lengths >> _LENGTH_BITS) & _LENGTH_MASK, lengths >> (2 * _LENGTH_BITS)


@_compiled
def prefix_keys(rank, records, first, last, width, text_bits, keys):
    """Keys of the texts at places [first, last) of ``records`` (:func:`text_records`): each pair of
    shingles in a text's prefix (and each shingle on its own for the texts marked ``alone``), as
    ``pair_hash(pair) << text_bits | place << 1 | indexed`` (int64, unsorted), where ``indexed``
    says that both shingles lie in the text's index prefix (always, for a single shingle).

    Args:
        rank: the texts' sorted shingle ranks; width: one more than the largest rank;
        text_bits: bits that hold a place and the flag; keys: room for exactly these keys
        (:func:`key_counts`), written in place.

    Returns:
        The number of keys below 2^62: they fill ``keys`` from the front, the others from the
        back, so that the two parts can be sorted apart (at once).
    """
    front, back = 0, len(keys)
    for place in range(first, last):
        s = records[place, RECORD_FIRST]
        prefix, index, alone = unpacked_lengths(records[place, RECORD_LENGTHS])
        low = place << 1
        for i in range(prefix):
            p = rank[s + i]
            for j in range(i + 1, prefix):
                flag = 1 if j < index else 0
                key = (pair_hash(p, rank[s + j], width, text_bits) << text_bits) | low | flag
                front, back = _placed(keys, key, front, back)
        if alone:
            for i in range(records[place, RECORD_END] - s):
                key = (pair_hash(rank[s + i], rank[s + i], width, text_bits) << text_bits) | low | 1
                front, back = _placed(keys, key, front, back)
    return front


@_compiled
def swap_ends(values, k):
    """Swap the first ``k`` values with the last ``k``, in place (no copy of either block)."""
    n = len(values)
    for i in range(k):
        values[i], values[n - k + i] = values[n - k + i], values[i]


def key_counts(records: np.ndarray) -> np.ndarray:
    """The number of keys :func:`prefix_keys` makes for each place of ``records``."""
    prefix, _, alone = unpacked_lengths(records[:, RECORD_LENGTHS])
    return prefix * (prefix - 1) // 2 + alone * (records[:, RECORD_END] - records[:, RECORD_FIRST])


@_compiled
def _placed(keys, key, front, back):
    """``key`` written after the lower keys (below :data:`_UPPER`) or before the upper ones; the new ends."""
    if key < _UPPER:
        keys[front] = key
        return front + 1, back
    keys[back - 1] = key
    return front, back - 1


#: :func:`sort_keys`: the top digit (bits 54-61) parts the keys in place into 256 buckets; each
#: bucket is then sorted on bits 0-53 by six passes of 9 bits (LSD radix sort, in cache).
_TOP_SHIFT, _TOP_BITS, _LOW_BITS, _LOW_PASSES = 54, 8, 9, 6


@_compiled
def sort_keys(keys):
    """Sort non-negative int64 keys whose bit 62 is the same for all of them (the lower or the
    upper keys of :func:`prefix_keys`), in place: an in-place partition on bits 54-61 (American
    flag sort), then a radix sort of each part on bits 0-53 through a scratch array as large
    as the largest part. Several times faster than ``np.sort`` on hundreds of millions of keys,
    with little more memory."""
    n_top = 1 << _TOP_BITS
    top_mask = n_top - 1
    counts = np.zeros(n_top, np.int64)
    for k in keys:
        counts[(k >> _TOP_SHIFT) & top_mask] += 1
    heads = np.zeros(n_top + 1, np.int64)
    for d in range(n_top):
        heads[d + 1] = heads[d] + counts[d]
    fill = heads[:n_top].copy()
    for d in range(n_top):  # every key swapped straight into its part
        while fill[d] < heads[d + 1]:
            value = keys[fill[d]]
            digit = (value >> _TOP_SHIFT) & top_mask
            while digit != d:
                keys[fill[digit]], value = value, keys[fill[digit]]
                fill[digit] += 1
                digit = (value >> _TOP_SHIFT) & top_mask
            keys[fill[d]] = value
            fill[d] += 1
    scratch = np.empty(counts.max() if len(keys) else 0, np.int64)
    for d in range(n_top):
        _radix_sort_low(keys[heads[d]:heads[d + 1]], scratch)


@_compiled
def _radix_sort_low(part, scratch):
    """Sort ``part`` on bits 0-53 (its other bits are equal), through ``scratch``; an even number
    of passes leaves the result in ``part``."""
    n = len(part)
    if n < 2:
        return
    n_low = 1 << _LOW_BITS
    low_mask = n_low - 1
    counts = np.zeros((_LOW_PASSES, n_low), np.int64)
    for k in part:
        for p in range(_LOW_PASSES):
            counts[p, (k >> (p * _LOW_BITS)) & low_mask] += 1
    source, target = part, scratch[:n]
    for p in range(_LOW_PASSES):
        offsets = np.empty(n_low, np.int64)
        total = 0
        for d in range(n_low):
            offsets[d] = total
            total += counts[p, d]
        for k in source:
            d = (k >> (p * _LOW_BITS)) & low_mask
            target[offsets[d]] = k
            offsets[d] += 1
        source, target = target, source


@_compiled
def pair_hash(p, q, width, text_bits):
    """The high bits of the key of shingle pair (p, q): its number p·width + q, Fibonacci-hashed
    into 63 - text_bits bits (two pairs may share a hash: that only adds a candidate)."""
    pair = np.uint64(p) * np.uint64(width) + np.uint64(q)
    return np.int64((pair * _GOLDEN) >> np.uint64(text_bits + 1))


@_compiled
def oversized_keys(keys, text_bits, max_bucket):
    """The key hashes (sorted) of more than ``max_bucket`` keys, from sorted keys."""
    n = 0
    i = 0
    while i < len(keys):
        j = _run_end(keys, i, text_bits)
        n += j - i > max_bucket
        i = j
    big = np.empty(n, np.int64)
    n = i = 0
    while i < len(keys):
        j = _run_end(keys, i, text_bits)
        if j - i > max_bucket:
            big[n] = keys[i] >> text_bits
            n += 1
        i = j
    return big


@_compiled
def open_crowded_prefixes(keys, text_bits, max_bucket, n):
    """Flag every key of the texts that have an index-prefix key among the oversized ones (runs of
    more than ``max_bucket`` keys), so that such texts pair through their whole prefix; keys stay
    sorted. Returns each place's mark (bool, n places)."""
    mask = (np.int64(1) << text_bits) - 1
    crowded = np.zeros(n, np.bool_)
    i = 0
    while i < len(keys):
        j = _run_end(keys, i, text_bits)
        if j - i > max_bucket:
            for x in range(i, j):
                if keys[x] & 1:
                    crowded[(keys[x] & mask) >> 1] = True
        i = j
    for x in range(len(keys)):
        if crowded[(keys[x] & mask) >> 1]:
            keys[x] |= 1
    return crowded


@_compiled
def verified_pairs(keys, first, last, text_bits, max_bucket, big, rank, records, width, threshold, max_prefix):
    """Candidates of the runs of sorted keys that begin in [first, last), verified.

    Keys hold the texts' places (rows of ``records``, :func:`text_records`), texts by set size
    (smallest first), so the texts of a run ascend in size. A pair of texts usually shares
    several keys; it is taken only in the run of the first key that makes it
    (:func:`_first_shared_key`), so each candidate is verified once, without storing candidates;
    the smaller text's entry must be flagged as in its index prefix. A key of more than
    ``max_bucket`` texts pairs its first text (smallest number) with each other one; such a pair
    is returned apart, as a *star* candidate, when the two texts share no other key (a star pair
    may come from several oversized keys). Pairs whose sizes (smaller / larger < threshold) or
    shared prefixes rule out the threshold are skipped. ``max_prefix``: the longest prefix.

    Returns:
        (a, b, shared, n_candidates, star_a, star_b): verified pairs of texts (a the smaller set)
        with their shared shingles, the number of candidates verified, and the unverified star
        candidates.
    """
    mask = (np.int64(1) << text_bits) - 1
    common = np.empty(max(max_prefix, 1), np.int32)
    found = np.empty((1024, 3), np.int64)
    stars = np.empty((64, 2), np.int64)
    n_found = n_stars = n_candidates = 0
    i = first
    while i < last:
        j = _run_end(keys, i, text_bits)
        h = keys[i] >> text_bits
        if j - i > max_bucket:  # oversized: its first text (smallest number) with each other one
            hub = i
            for x in range(i, j):
                if records[(keys[x] & mask) >> 1, RECORD_TEXT] < records[(keys[hub] & mask) >> 1, RECORD_TEXT]:
                    hub = x
            for y in range(i, j):
                if (keys[y] >> 1) == (keys[hub] >> 1) or (y > i and (keys[y] >> 1) == (keys[y - 1] >> 1)):
                    continue
                a, b = (keys[min(hub, y)] & mask) >> 1, (keys[max(hub, y)] & mask) >> 1
                if (_sizes_allow(records, a, b, threshold) and
                        _first_shared_key(rank, records, a, b, width, text_bits, big, common, threshold) == -1):
                    stars = _grown(stars, n_stars + 1)
                    stars[n_stars, 0], stars[n_stars, 1] = records[a, RECORD_TEXT], records[b, RECORD_TEXT]
                    n_stars += 1
            i = j
            continue
        for x in range(i, j):  # as the smaller text, the key must lie in its index prefix
            if x + 1 < j and (keys[x + 1] >> 1) == (keys[x] >> 1):
                continue  # the same text twice under one hash: its last entry has the flag if any has
            if (keys[x] & 1) == 0:
                continue
            a = (keys[x] & mask) >> 1
            for y in range(x + 1, j):
                if (keys[y] >> 1) == (keys[y - 1] >> 1):
                    continue
                b = (keys[y] & mask) >> 1
                if not _sizes_allow(records, a, b, threshold):
                    break  # sizes ascend: every later text is too large
                if _first_shared_key(rank, records, a, b, width, text_bits, big, common, threshold) == h:
                    n_candidates += 1
                    shared = _shared(rank, records[a, RECORD_FIRST], records[a, RECORD_END],
                                     records[b, RECORD_FIRST], records[b, RECORD_END])
                    if shared / (_size(records, a) + _size(records, b) - shared) >= threshold - 1e-12:
                        found = _grown(found, n_found + 1)
                        found[n_found, 0], found[n_found, 1] = records[a, RECORD_TEXT], records[b, RECORD_TEXT]
                        found[n_found, 2] = shared
                        n_found += 1
        i = j
    return (found[:n_found, 0].copy(), found[:n_found, 1].copy(), found[:n_found, 2].copy(), n_candidates,
            stars[:n_stars, 0].copy(), stars[:n_stars, 1].copy())


@_compiled
def _size(records, a):
    """Distinct shingles of the text at place a."""
    return records[a, RECORD_END] - records[a, RECORD_FIRST]


@_compiled
def _sizes_allow(records, a, b, threshold):
    """Whether sets of these sizes can reach the threshold (smaller / larger)."""
    x, y = _size(records, a), _size(records, b)
    return min(x, y) >= threshold * max(x, y) - 1e-9


@_compiled
def _first_shared_key(rank, records, a, b, width, text_bits, big, common, threshold):
    """For the texts at places a (the smaller) and b: the hash of the first key, in the order of
    shingle pairs (p, q), p <= q, that both emit with a's entry in its index prefix, leaving out
    the hashes in ``big`` (sorted). -1 if all such keys are oversized; -2 if the pair cannot
    reach the threshold (its first shared shingles lie too far into either set).

    Keys are pairs of shared shingles (and, when both texts are ``alone``, single shingles). The
    first one usually decides, so the prefixes are merged only as far as needed. ``common`` is
    scratch room for the shared shingles."""
    _, index_a, alone_a = unpacked_lengths(records[a, RECORD_LENGTHS])
    prefix_b, _, alone_b = unpacked_lengths(records[b, RECORD_LENGTHS])
    singles = (alone_a & alone_b) == 1
    wanted = 1 if singles else 2
    first_a, first_b = records[a, RECORD_FIRST], records[b, RECORD_FIRST]
    m, at_a, at_b = _shared_prefix(rank, first_a, index_a, first_b, prefix_b, common, wanted)
    if m < wanted:
        return -2
    size_a, size_b = _size(records, a), _size(records, b)
    # positional bound: every other shared shingle comes after the ones found, in both sets
    if wanted + min(size_a - at_a - 1, size_b - at_b - 1) < threshold * (size_a + size_b) / (1 + threshold) - 1e-6:
        return -2
    h = pair_hash(common[0], common[wanted - 1], width, text_bits)
    if not _is_in(h, big):
        return h
    m, at_a, at_b = _shared_prefix(rank, first_a, index_a, first_b, prefix_b, common, len(common))
    for u in range(m):
        for v in range(u if singles else u + 1, m):
            h = pair_hash(common[u], common[v], width, text_bits)
            if not _is_in(h, big):
                return h
    return -1


@_compiled
def _shared_prefix(rank, first_a, length_a, first_b, length_b, common, wanted):
    """Writes the first ``wanted`` shingles shared by the ``length_a`` ranks from ``first_a`` and
    the ``length_b`` ranks from ``first_b`` into ``common``. Returns (how many, at most
    ``wanted``; the position of the last one in a; its position in b)."""
    m = 0
    i, i_end = first_a, first_a + length_a
    j, j_end = first_b, first_b + length_b
    at_a = at_b = -1
    while i < i_end and j < j_end and m < wanted:
        if rank[i] == rank[j]:
            common[m] = rank[i]
            at_a, at_b = i - first_a, j - first_b
            m += 1
            i += 1
            j += 1
        elif rank[i] < rank[j]:
            i += 1
        else:
            j += 1
    return m, at_a, at_b


@_compiled
def _is_in(h, values):
    """Whether ``h`` is one of the sorted ``values``."""
    k = np.searchsorted(values, h)
    return k < len(values) and values[k] == h


@_compiled
def _run_end(keys, i, text_bits):
    """End of the run of keys sharing key i's high bits (keys sorted)."""
    j = i + 1
    while j < len(keys) and (keys[j] >> text_bits) == (keys[i] >> text_bits):
        j += 1
    return j


@_compiled
def shared_counts(rank, start, a, b):
    """Number of shingles texts a[i] and b[i] have in common."""
    out = np.empty(len(a), np.int64)
    for k in range(len(a)):
        out[k] = _shared(rank, start[a[k]], start[a[k] + 1], start[b[k]], start[b[k] + 1])
    return out


@_compiled
def _shared(rank, i, i_end, j, j_end):
    """Number of ranks ``rank[i:i_end]`` and ``rank[j:j_end]`` (two texts' sorted sets) have in common."""
    common = 0
    while i < i_end and j < j_end:
        if rank[i] == rank[j]:
            common += 1
            i += 1
            j += 1
        elif rank[i] < rank[j]:
            i += 1
        else:
            j += 1
    return common
