"""Compiled loop of text normalisation (Numba, cached on disk after the first run), and the
flat buffers of an Arrow string array it works on.

The buffers are the UTF-8 bytes of all texts one after the other, and an offset per text
(:func:`string_buffers`; near-duplicate matching reads its tokens from them too).
:mod:`toolkit.text.normalize` uses the loop for ASCII texts, the most common kind, and a
regular expression for the others.
"""

from __future__ import annotations

import numba
import numpy as np
import pyarrow as pa


@numba.njit(cache=True, nogil=True)
def ascii_words(data, offsets, valid, upper_is_gap):
    """Each ASCII text's words joined by single spaces: every run of punctuation, symbols and
    whitespace (the 32 ASCII punctuation characters, space, tab, line feed, form feed, carriage
    return; with ``upper_is_gap`` also the capital letters A-Z) is a gap, and gaps at either end
    are dropped.

    Args:
        data: the texts' bytes (uint8); offsets: n + 1 byte offsets (int64); valid: n bools
            (a null text gives an empty result).

    Returns:
        (bytes, offsets) of the results.
    """
    n = len(offsets) - 1
    out = np.empty(max(len(data), 1), np.uint8)  # a result is never longer than its text
    out_offsets = np.empty(n + 1, np.int64)
    k = 0
    for t in range(n):
        out_offsets[t] = k
        if not valid[t]:
            continue
        gap_after_word = False
        for i in range(offsets[t], offsets[t + 1]):
            c = data[i]
            if (c == 32 or 9 <= c <= 10 or 12 <= c <= 13 or 33 <= c <= 47 or 58 <= c <= 64 or 91 <= c <= 96
                    or 123 <= c <= 126 or (upper_is_gap and 65 <= c <= 90)):
                gap_after_word = k > out_offsets[t]  # a gap before the first word is dropped
            else:
                if gap_after_word:
                    out[k] = 32
                    k += 1
                    gap_after_word = False
                out[k] = c
                k += 1
    out_offsets[n] = k
    return out[:k], out_offsets


def string_buffers(values: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(bytes, offsets, valid) of an Arrow string array: its UTF-8 bytes (uint8, not copied), the
    n + 1 byte offsets of its strings (int64) and whether each string is not null."""
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        values = values.cast(pa.large_string())
    _, offsets, data = values.buffers()
    offset_type = np.int32 if pa.types.is_string(values.type) else np.int64
    offsets = np.frombuffer(offsets, offset_type)[values.offset:values.offset + len(values) + 1].astype(np.int64)
    data = np.frombuffer(data, np.uint8) if data is not None else np.empty(0, np.uint8)
    return data, offsets, values.is_valid().to_numpy(zero_copy_only=False)
