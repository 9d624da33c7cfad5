"""Text normalisation for matching copies: recorded, reversible, original never changed.

:func:`normalise_posts` writes the derived table ``post_text``, one row per post, beside
the untouched ``posts.text``:

==============  ============================================================================
column          meaning
==============  ============================================================================
pid             BIGINT surrogate key (1..n, ordered by platform, post_id) for fast joins
platform        post key
post_id         post key
norm_text       matching form: mojibake repaired (ftfy), NFKC, case-folded, accents folded,
                URLs / @mentions / #hashtags / numbers / emoji replaced by the typed
                placeholders ``URL MENTION HASHTAG NUM EMOJI``, punctuation and symbols
                removed, whitespace collapsed; cut to ``max_chars``
lang_text       the text language identification reads: repaired, NFKC, lower-case, accents
                kept, placeholders and punctuation removed
tokens          what near-duplicate matching compares: the words of ``norm_text``, and for
                scripts written without spaces (CJK, Thai...) overlapping character pairs
n_tokens        number of tokens
status          ``ok``, ``empty`` (no text), ``no_words`` (only URLs, mentions, hashtags,
                numbers or emoji), ``too_short`` (fewer than ``min_tokens`` words), or
                ``truncated`` (longer than ``max_chars``)
status_reason   the status in words; posts that are not ``ok``/``truncated`` are kept out of
                near-duplicate matching (they still form exact clusters if not ``empty``)
lang_source     ``posts.lang`` as exported, lower case (NULL where undetermined)
lang_detected   NULL; :func:`toolkit.text.language.identify_languages` fills it in
lang            the source's tag, else ``und``, until languages are identified
lang_method     ``source`` / ``none``, until languages are identified (then also ``detected``)
==============  ============================================================================

Example:
    >>> from toolkit.store import Store
    >>> from toolkit.text.normalize import normalise_text
    >>> normalise_text("Honte à vous, @DeputeX !! https://t.co/x 🇨🇦 #Canada 2023")
    'honte a vous MENTION URL EMOJI HASHTAG NUM'
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

from ..errors import ParameterError
from ..store import Store
from .language import UNIDENTIFIED_LANG_SQL, UNIDENTIFIED_METHOD_SQL, source_language_sql

#: Placeholders that replace variable parts of a text (upper case: never produced by case-folding).
PLACEHOLDERS = ("URL", "MENTION", "HASHTAG", "NUM", "EMOJI")

# RE2 patterns (DuckDB) — the Python twins below must match them for normalise_text().
URL_RE = r"(https?://|www\.)[^\s]+"
MENTION_RE = r"@[\pL\pN_+/=]+"  # + / = : hashed handles of the X information-operations releases
HASHTAG_RE = r"#[\pL\pN_]+"
EMOJI_RE = r"[\x{1F000}-\x{1FAFF}\x{2600}-\x{27BF}\x{2B00}-\x{2BFF}\x{1F1E6}-\x{1F1FF}\x{FE0F}\x{200D}\x{20E3}]+"
NUMBER_RE = r"\pN+([.,:/]\pN+)*"
#: Characters whose presence suggests mojibake (UTF-8 read as Latin-1/Windows-1252).
MOJIBAKE_HINT = re.compile("[ÃÂâ€ðŸ¤¥Ð]")


def repair_unicode(values: pa.Array) -> pa.Array:
    """Arrow UDF: ftfy's mojibake repair where a text looks garbled, then NFKC (vectorised)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    garbled = pc.fill_null(pc.match_substring_regex(values, MOJIBAKE_HINT.pattern), False)
    if pc.any(garbled).as_py():
        import ftfy

        rows = pc.indices_nonzero(garbled)
        fixed = pa.array([ftfy.fix_text(text, normalization="NFKC") for text in pc.take(values, rows).to_pylist()], pa.string())
        values = pc.replace_with_mask(values, garbled, fixed)
    return pc.utf8_normalize(values, "NFKC")


def fold_accents(values: pa.Array) -> pa.Array:
    """Arrow UDF: remove the combining diacritics of Latin, Greek and Cyrillic letters (é → e)
    and leave other scripts whole (Thai vowels, Arabic harakat and Devanagari signs are letters)."""
    decomposed = pc.utf8_normalize(values, "NFD")
    return pc.utf8_normalize(pc.replace_substring_regex(decomposed, "[\u0300-\u036f]+", ""), "NFC")


def ascii_words(values: pa.Array) -> pa.Array:
    """Arrow UDF for ASCII texts: every run of punctuation, symbols and whitespace becomes one
    space, and spaces at either end are dropped; what the gap pattern of :func:`forms_sql`
    gives on ASCII text, without a regular expression."""
    return _ascii_words(values, placeholders=False)


def ascii_words_only(values: pa.Array) -> pa.Array:
    """:func:`ascii_words`, with the placeholders as gaps too (in a typed ASCII text, capital
    letters come only from the placeholders)."""
    return _ascii_words(values, placeholders=True)


def _ascii_words(values: pa.Array, placeholders: bool) -> pa.Array:
    from .compiled import ascii_words as words, string_buffers

    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    data, offsets, valid = string_buffers(values)
    out, out_offsets = words(data, offsets, valid, placeholders)
    return pa.LargeStringArray.from_buffers(len(values), pa.py_buffer(out_offsets), pa.py_buffer(out),
                                            values.is_valid().buffers()[1] if values.null_count else None)


#: Scripts written without spaces between words: matched on overlapping character pairs.
_UNSPACED = re.compile("[\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf"
                       "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")


def match_tokens(values: pa.Array) -> pa.Array:
    """Arrow UDF: the tokens a normalised text is matched on, space-separated: its words, and for
    runs of scripts written without spaces (Chinese, Japanese, Korean, Thai, Lao, Khmer,
    Myanmar) their overlapping character pairs (中国人 → 中国 国人)."""
    def pairs(match: re.Match) -> str:
        run = match.group(0)
        return " " + (run if len(run) == 1 else " ".join(run[i:i + 2] for i in range(len(run) - 1))) + " "

    return pa.array([None if t is None else " ".join(_UNSPACED.sub(pairs, t).split()) for t in values.to_pylist()], pa.string())


def tokens_pattern(runs: list[str]) -> str:
    """Regular expression (RE2 and Java alike): any of these runs of tokens (space-separated), as
    whole tokens of a ``tokens`` string.

    The runs are written as a trie (``ab|ac`` as ``a(?:b|c)``): an engine that backtracks, as
    Java's does, then reads a few branches at each token instead of every run.
    """
    trie: dict = {}
    for run in runs:
        node = trie
        for char in run:
            node = node.setdefault(char, {})
        node[""] = {}
    return "(?:^| )" + _trie_pattern(trie) + "(?: |$)"


def _trie_pattern(node: dict) -> str:
    """The strings of a character trie (``""`` marks where one ends) as one regular expression."""
    branches = [re.escape(char) + _trie_pattern(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    if len(branches) == 1 and "" not in node:
        return branches[0]
    return "(?:" + "|".join(branches) + (")?" if "" in node else ")")


def _register_udf(store: Store) -> None:
    for name, function in (("cib_repair_unicode", repair_unicode), ("cib_fold_accents", fold_accents),
                           ("cib_match_tokens", match_tokens), ("cib_ascii_words", ascii_words),
                           ("cib_ascii_words_only", ascii_words_only)):
        store.create_function(name, function)


NON_ASCII = "'[^\\x00-\\x7F]'"


def _sql_replace(expr: str, pattern: str, replacement: str) -> str:
    return f"regexp_replace({expr}, '{pattern}', '{replacement}', 'g')"


def _gaps(extra: str = "") -> str:
    """RE2 pattern: a run of punctuation, symbols and whitespace (and of the ``extra``
    alternatives, e.g. placeholders), to become one space. A run that is already a single space
    is not matched: RE2 pays per replacement, and most runs are that."""
    gap, more = f"(?:[\\pP\\pS]{extra})", f"(?:[\\pP\\pS\\s]{extra})"
    return f"{gap}{more}*|\\s{more}+|[\\t\\n\\f\\r]"


#: What each placeholder replaces, in order: (pattern, placeholder, SQL test that every text with
#: a match passes, on the column ``typed``: cheaper than the pattern, it spares most texts the
#: pattern; None: every text is tried; whether an ASCII text can hold a match).
TYPED_PARTS = ((URL_RE, "URL", "contains(typed, '://') OR contains(typed, 'www.')", True),
               (MENTION_RE, "MENTION", "contains(typed, '@')", True),
               (HASHTAG_RE, "HASHTAG", "contains(typed, '#')", True),
               (EMOJI_RE, "EMOJI", None, False),  # emoji are never ASCII
               (NUMBER_RE, "NUM", None, True))


def typed_sql(source: str, keep: str, wide: bool) -> str:
    """SQL query over ``source``, which has a column ``t0`` (a text): the ``keep`` columns and
    ``typed``, the text in lower case with URLs, mentions, hashtags, emoji and numbers replaced by
    their placeholders; ``wide``: the texts have non-ASCII characters, and are repaired and NFKC
    first (ASCII texts need neither, and hold no emoji)."""
    query = f"SELECT {keep}, lower({'cib_repair_unicode(t0)' if wide else 't0'}) AS typed FROM {source}"
    for pattern, placeholder, needed, in_ascii in TYPED_PARTS:
        if not (wide or in_ascii):
            continue
        replaced = _sql_replace("typed", pattern, f" {placeholder} ")
        if needed is not None:
            replaced = f"CASE WHEN {needed} THEN {replaced} ELSE typed END"
        query = f"SELECT {keep}, {replaced} AS typed FROM ({query})"
    return query


def forms_sql(source: str, keep: str, max_chars: int) -> str:
    """SQL query over ``source``, which has the columns ``t0`` (a text without NUL bytes), ``wide``
    (``t0`` has non-ASCII characters) and ``keep``: the ``keep`` columns and the text's forms:
    ``norm_full`` (the matching form, not yet cut: accents folded, every gap one space),
    ``lang_text`` (accents kept, placeholders are gaps too) and ``tokens`` (of the matching form
    cut to ``max_chars``).

    ASCII texts and the others are two branches of a ``UNION ALL``: ASCII texts lose their gaps
    in a compiled loop, and only the others reach the Unicode functions (on Spark, a Python
    function in a ``CASE`` would be called on every row)."""
    cut = f"left(norm_full, {int(max_chars)})"
    ascii = (f"SELECT *, {cut} AS tokens FROM ("
             f"SELECT {keep}, cib_ascii_words(typed) AS norm_full, cib_ascii_words_only(typed) AS lang_text "
             f"FROM ({typed_sql(f'(SELECT * FROM {source} WHERE NOT wide)', keep, wide=False)}))")
    norm = f"trim({_sql_replace('cib_fold_accents(typed)', _gaps(), ' ')})"
    lang = f"trim({_sql_replace('typed', _gaps('|' + '|'.join(PLACEHOLDERS)), ' ')})"
    others = (f"SELECT *, CASE WHEN regexp_matches({cut}, {NON_ASCII}) THEN cib_match_tokens({cut}) ELSE {cut} END AS tokens "
              f"FROM (SELECT {keep}, {norm} AS norm_full, {lang} AS lang_text "
              f"FROM ({typed_sql(f'(SELECT * FROM {source} WHERE wide)', keep, wide=True)}))")
    return f"{ascii} UNION ALL {others}"


def normalise_posts(store: Store, *, min_tokens: int = 4, max_chars: int = 5_000) -> dict:
    """Build ``post_text`` (see the module docstring) for every post in the workspace.

    Args:
        store: the workspace.
        min_tokens: posts with fewer words are kept out of near-duplicate matching (too
            short to tell a copy from a coincidence); default 4.
        max_chars: the matching form is cut to this many characters; default 5,000.

    Returns:
        Counts per status, e.g. ``{"ok": 9120, "too_short": 311, "no_words": 12, ...}``.

    Raises:
        ParameterError: a parameter is out of range.
    """
    if min_tokens < 1:
        raise ParameterError(f"min_tokens={min_tokens}: must be at least 1")
    if max_chars < 100:
        raise ParameterError(f"max_chars={max_chars}: must be at least 100 characters")
    _register_udf(store)
    store.execute(f"""
        CREATE OR REPLACE TABLE post_text AS
        WITH base AS (
            SELECT *, regexp_matches(t0, {NON_ASCII}) AS wide
            FROM (SELECT row_number() OVER (ORDER BY platform, post_id) AS pid, platform, post_id,
                         replace(coalesce(text, ''), chr(0), '') AS t0, {source_language_sql("lang")} AS lang_source
                  FROM posts)
        ), tokenised AS ({forms_sql("base", "pid, platform, post_id, t0, lang_source", max_chars)}
        ), counted AS (
            SELECT *, CASE WHEN tokens = '' THEN 0 ELSE len(string_split(tokens, ' ')) END AS n_words,
                   regexp_matches(lang_text, '\\pL') AS has_letters  -- letters beyond the placeholders
            FROM tokenised
        )
        SELECT pid, platform, post_id, left(norm_full, {int(max_chars)}) AS norm_text, lang_text, tokens,
            n_words AS n_tokens,
            CASE WHEN trim(t0) = '' THEN 'empty'
                 WHEN NOT has_letters THEN 'no_words'
                 WHEN n_words < {int(min_tokens)} THEN 'too_short'
                 WHEN length(norm_full) > {int(max_chars)} THEN 'truncated'
                 ELSE 'ok' END AS status,
            CASE WHEN trim(t0) = '' THEN 'no text'
                 WHEN NOT has_letters THEN 'only URLs, mentions, hashtags, numbers or emoji: nothing to match'
                 WHEN n_words < {int(min_tokens)} THEN 'fewer than {int(min_tokens)} words: too short to match as a near-duplicate'
                 WHEN length(norm_full) > {int(max_chars)} THEN 'longer than {int(max_chars):,} characters: matched on the first {int(max_chars):,}'
                 END AS status_reason,
            lang_source, NULL::VARCHAR AS lang_detected, {UNIDENTIFIED_LANG_SQL} AS lang,
            {UNIDENTIFIED_METHOD_SQL} AS lang_method
        FROM counted
        ORDER BY pid
    """)
    params = {"min_tokens": min_tokens, "max_chars": max_chars, "placeholders": list(PLACEHOLDERS),
              "steps": ["remove NUL", "ftfy where garbled", "NFKC", "lower", "typed placeholders", "fold Latin/Greek/Cyrillic accents",
                        "remove punctuation and symbols", "collapse whitespace"],
              "tokens": "words; character pairs for scripts written without spaces"}
    store.record_run("normalise", params)
    return dict(store.rows("SELECT status, count(*) FROM post_text GROUP BY status ORDER BY status"))


def normalise_text(text: str) -> str:
    """The matching form of one text, computed exactly as :func:`normalise_posts` does (for
    explaining a match, and for tests)."""
    with Store(":memory:") as store:
        _register_udf(store)
        source = f"(SELECT t0, regexp_matches(t0, {NON_ASCII}) AS wide FROM (SELECT replace(?, chr(0), '') AS t0))"
        return store.scalar(f"WITH t AS {source} SELECT norm_full FROM ({forms_sql('t', 't0', 5_000)})", [text])
