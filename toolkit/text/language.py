"""Language identification for short social-media text, offline.

Uses lingua (``lingua-language-detector``: models ship inside the package, nothing is
downloaded), which is built for short text. The source's own tag (e.g. X's ``lang``) is kept
beside the detected one, and the column ``lang`` says which was used:

* ``lang_detected``: lingua's answer on ``post_text.lang_text`` where the text has at least
  ``min_letters`` letters, else NULL;
* ``lang_source``: ``posts.lang`` as exported (X uses ``und``, ``zxx``, ``qme``... for
  undetermined; those count as missing);
* ``lang`` = detected, else source, else ``und``; ``lang_method`` = ``detected`` / ``source`` / ``none``.

Speed: lingua weighs every language it knows (about 1 ms per text on 2 cores). On more than
:data:`SAMPLE_TEXTS` distinct texts, the languages are first identified on a sample of that
many texts over all languages, and the rest of the texts are identified among the languages
found in at least :data:`MIN_SAMPLE_SHARE` of the sample (about 7x faster with 8 languages). The
languages kept are recorded with the run.

:func:`identify_languages` can be limited to some posts (``only``): the copy-paste chain does so
on large inputs (:class:`toolkit.clusters.ClusterParams` ``language_scope``). It can also give
groups of texts one language (``groups``): the chain groups near copies of one message, whose
language is the vote of its :data:`VOTERS` most posted texts. One text misread by the detector
(a French name in an English sentence) then no longer splits a message across two languages, and
lingua reads a few texts per message instead of all of them.

Caveats: on very short or mixed-language texts any detector guesses; texts shorter than
``min_letters`` are not guessed at. A text mixing a French comment with an appended Chinese
sentence is labelled by its dominant language. On large inputs, a language rarer than
:data:`MIN_SAMPLE_SHARE` of the sample is labelled as the closest language kept (pass
``languages="all"`` to weigh every language for every text).
"""

from __future__ import annotations

import hashlib

import pandas as pd
from tqdm.auto import tqdm

from ..errors import ParameterError
from ..store import Store

#: X's language codes for "no linguistic content / undetermined".
UNDETERMINED = ("und", "zxx", "qme", "qam", "qht", "qct", "art", "")
#: Texts identified per call (bounds memory, drives the progress bar).
CHUNK = 20_000
#: Distinct texts identified over all languages to choose the languages of a large input.
SAMPLE_TEXTS = 20_000
#: Share of the sample a language needs to be kept for the other texts of a large input.
MIN_SAMPLE_SHARE = 0.002
#: Texts of a group identified to vote on its language (``identify_languages(groups=...)``).
VOTERS = 5


#: SQL over ``post_text``: the language and method of a post whose text was not identified.
UNIDENTIFIED_LANG_SQL = "coalesce(lang_source, 'und')"
UNIDENTIFIED_METHOD_SQL = "CASE WHEN lang_source IS NOT NULL THEN 'source' ELSE 'none' END"


def source_language_sql(column: str) -> str:
    """SQL: a source's language tag in lower case, NULL where it is missing or undetermined."""
    undetermined = ", ".join(f"'{u}'" for u in UNDETERMINED)
    return f"CASE WHEN lower({column}) NOT IN ({undetermined}) THEN lower({column}) END"


def detector(accuracy: str = "low", languages: list[str] | None = None):
    """A lingua detector (``accuracy``: ``"low"``, fast, or ``"high"``) over ``languages``
    (ISO 639-1 codes; None: every language lingua knows)."""
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    if languages is None:
        builder = LanguageDetectorBuilder.from_all_languages()
    else:
        try:
            codes = [IsoCode639_1.from_str(code) for code in languages]
        except ValueError:
            raise ParameterError(f"languages={languages!r}: expected ISO 639-1 codes such as 'en', 'fr', 'zh'") from None
        if len(codes) < 2:
            raise ParameterError(f"languages={languages!r}: name at least two languages (or 'all')")
        builder = LanguageDetectorBuilder.from_iso_codes_639_1(*codes)
    if accuracy == "low":
        builder = builder.with_low_accuracy_mode()
    elif accuracy != "high":
        raise ParameterError(f"accuracy={accuracy!r}: expected 'low' (fast, the default) or 'high'")
    return builder.build()


def detect_languages(texts: list[str], *, accuracy: str = "low", languages: list[str] | None = None,
                     progress: bool | None = None) -> list[str | None]:
    """ISO 639-1 codes of texts (None where lingua cannot tell), in order; ``languages`` limits
    the candidates (None: all)."""
    found = detector(accuracy, languages)
    codes: list[str | None] = []
    for start in tqdm(range(0, len(texts), CHUNK), desc="languages", unit="chunk", disable=None if progress is None else not progress):
        for language in found.detect_languages_in_parallel_of(texts[start:start + CHUNK]):
            codes.append(language.iso_code_639_1.name.lower() if language is not None else None)
    return codes


def language_sample(texts: list[str]) -> list[str]:
    """The language sample of distinct texts: the :data:`SAMPLE_TEXTS` with the smallest MD5
    digests (a pseudo-random sample that every engine draws alike, see :data:`SAMPLE_SQL`)."""
    return sorted(texts, key=lambda text: (hashlib.md5(text.encode()).hexdigest(), text))[:SAMPLE_TEXTS]


#: SQL: the language sample of the distinct texts of column ``lang_text`` of ``{source}``.
SAMPLE_SQL = "SELECT lang_text FROM {source} ORDER BY md5(lang_text), lang_text LIMIT " + "{limit}"


def choose_candidates(texts: list[str], *, accuracy: str = "low", languages: str | list[str] = "auto",
                      population: tuple[int, list[str]] | None = None) -> tuple[list[str] | None, dict[str, str | None]]:
    """The candidate languages of many texts: ``languages="auto"`` picks them on a sample (see the
    module docstring), ``"all"`` weighs every language, a list of ISO 639-1 codes fixes them.

    Args:
        texts: distinct texts (the sample is taken from them).
        population: when ``texts`` are a part of a larger set of distinct texts, that set's size and
            its sample (:func:`language_sample`): the candidates are chosen as they would be for
            the whole set, so each text gets the answer it would get there.

    Returns:
        (the candidate codes, None = all; the sample's answers over all languages, which its
        texts keep).
    """
    if isinstance(languages, str) and languages not in ("auto", "all"):
        raise ParameterError(f"languages={languages!r}: expected 'auto', 'all' or a list of ISO 639-1 codes")
    size, sample = population or (len(texts), None)
    if languages == "all" or (languages == "auto" and size <= SAMPLE_TEXTS):
        return None, {}
    if languages != "auto":
        return list(languages), {}
    if sample is None:
        sample = language_sample(texts)
    sample_codes = detect_languages(sample, accuracy=accuracy, progress=False)
    counts = pd.Series([c for c in sample_codes if c]).value_counts()
    kept = sorted(counts[counts >= MIN_SAMPLE_SHARE * len(sample)].index)
    for extra in [*counts.index, "en", "fr"]:  # lingua needs two candidates: add the next most frequent
        if len(kept) >= 2:
            break
        if extra not in kept:
            kept = sorted([*kept, extra])
    return kept, dict(zip(sample, sample_codes))


def detect_among(texts: list[str], candidates: list[str] | None, answered: dict[str, str | None], *,
                 accuracy: str = "low", progress: bool | None = None) -> list[str | None]:
    """Codes of ``texts`` among the ``candidates`` of :func:`choose_candidates`; a text of its
    sample keeps the sample's answer (``answered``)."""
    todo = [text for text in texts if text not in answered]
    codes = {}
    if todo:
        codes = dict(zip(todo, detect_languages(todo, accuracy=accuracy, languages=candidates, progress=progress)))
    return [answered[text] if text in answered else codes[text] for text in texts]


def detect_large(texts: list[str], *, accuracy: str = "low", languages: str | list[str] = "auto",
                 population: tuple[int, list[str]] | None = None,
                 progress: bool | None = None) -> tuple[list[str | None], list[str] | None]:
    """Languages of many texts (:func:`choose_candidates`, then :func:`detect_among`).

    Returns:
        (codes in the order of ``texts``, the candidate languages used; None = all).
    """
    candidates, answered = choose_candidates(texts, accuracy=accuracy, languages=languages, population=population)
    return detect_among(texts, candidates, answered, accuracy=accuracy, progress=progress), candidates


def _answers(texts: list[str], members: pd.DataFrame, code_of: dict[str, str | None]) -> list[str | None]:
    """Each text's language: its own code (``code_of``: text -> code of the identified texts), or
    for a text in ``members`` (lang_text, group_id, rank) its group's vote: the most frequent code
    among the :data:`VOTERS` best-ranked texts, ties to the best-ranked (None if none has one)."""
    voters = members[members["rank"] <= VOTERS]
    votes = voters.assign(code=[code_of.get(text) for text in voters.lang_text.tolist()]).dropna(subset=["code"])
    votes["n"] = votes.groupby(["group_id", "code"]).code.transform("size")
    elected = dict(votes.sort_values(["group_id", "n", "rank"], ascending=[True, False, True])
                   .drop_duplicates("group_id")[["group_id", "code"]].itertuples(index=False))
    group_of = dict(zip(members.lang_text.tolist(), members.group_id.tolist()))
    return [elected.get(group_of[text]) if text in group_of else code_of.get(text) for text in texts]


def identify_languages(store: Store, *, min_letters: int = 12, accuracy: str = "low", languages: str | list[str] = "auto",
                       only: str | None = None, groups: str | None = None, progress: bool | None = None) -> pd.DataFrame:
    """Fill in ``lang_detected``, ``lang`` and ``lang_method`` of ``post_text``.

    Each distinct text is identified once (copies share the answer); the texts of a group share
    the answer of the group's vote.

    Args:
        store: a workspace where :func:`toolkit.text.normalize.normalise_posts` has run.
        min_letters: texts with fewer letters are not identified (default 12).
        accuracy: lingua's mode, ``"low"`` (default; fast, good on sentences) or ``"high"``.
        languages: ``"auto"`` (default: all languages, or on large inputs those found in a sample),
            ``"all"``, or a list of ISO 639-1 codes.
        only: an SQL query giving the ``pid`` of the posts whose texts are identified (None: every
            post); a post outside it gets the answer for its text if another post had it
            identified, else the source's tag, else ``und``.
        groups: an SQL query of (lang_text, group_id, rank): the texts of a group take one answer,
            the most frequent among its :data:`VOTERS` best-ranked texts with ``min_letters``
            letters (ties: the best-ranked text's), and only those voters are identified (the last
            two only where the first three disagree; the copy chain groups near copies). None:
            every text answers for itself.
        progress: progress bar (None: only on a terminal).

    Returns:
        Posts per (lang, lang_method), most frequent first.
    """
    if not 1 <= min_letters <= 1000:
        raise ParameterError(f"min_letters={min_letters}: must be between 1 and 1000")
    if not store.has_table("post_text") or "lang_source" not in store.df("SELECT * FROM post_text LIMIT 0").columns:
        raise ParameterError("identify_languages needs post_text with its language columns: "
                             "run toolkit.text.normalize.normalise_posts(store) (again) first")
    has_letters = f"regexp_matches({{}}, '^(?s:[^\\pL]*\\pL){{{{{int(min_letters)}}}}}')"  # at least min_letters letters
    population = None
    if only is None and groups is None:
        texts = store.df(f"SELECT DISTINCT lang_text FROM post_text WHERE {has_letters.format('lang_text')} "
                         "ORDER BY lang_text").lang_text.tolist()
    else:  # candidates chosen on every identifiable text, as without `only` and `groups`
        store.execute(f"""CREATE OR REPLACE TEMP TABLE _identifiable AS
                          SELECT DISTINCT lang_text FROM post_text WHERE {has_letters.format('lang_text')}""")
        size = store.scalar("SELECT count(*) FROM _identifiable")
        sample = store.df(SAMPLE_SQL.format(source="_identifiable", limit=SAMPLE_TEXTS)).lang_text.tolist()
        population = (size, sample)
        texts = store.df(f"""SELECT lang_text FROM _identifiable
                             {'' if only is None else f'SEMI JOIN (SELECT lang_text FROM post_text WHERE pid IN ({only})) USING (lang_text)'}
                             ORDER BY lang_text""").lang_text.tolist()
        store.execute("DROP TABLE _identifiable")
    members = pd.DataFrame({"lang_text": [], "group_id": [], "rank": []})
    if groups is not None:  # each text in one group (its first), ranked among the group's identifiable texts
        members = store.df(f"""
            SELECT lang_text, group_id, row_number() OVER (PARTITION BY group_id ORDER BY rank, lang_text) AS rank
            FROM (SELECT lang_text, arg_min(group_id, group_id) AS group_id, arg_min(rank, group_id) AS rank
                  FROM ({groups}) WHERE {has_letters.format('lang_text')} GROUP BY lang_text)""")
    candidates, answered = choose_candidates(texts, accuracy=accuracy, languages=languages, population=population)

    def detect(batch: list[str]) -> dict[str, str | None]:
        return dict(zip(batch, detect_among(batch, candidates, answered, accuracy=accuracy, progress=progress)))

    # first the texts outside groups and the first voters of each group; when those agree they are a
    # majority of the vote, so the other voters are identified only in the groups where they do not
    majority = VOTERS // 2 + 1
    first = members[members["rank"] <= majority]
    code_of = detect(sorted(set(texts).difference(members.lang_text.tolist()).union(first.lang_text.tolist())))
    first_votes = first.assign(code=[code_of[text] for text in first.lang_text.tolist()]).groupby("group_id").code
    decided = first_votes.count().eq(majority) & first_votes.nunique().eq(1)
    rest = members[(members["rank"] > majority) & (members["rank"] <= VOTERS)]
    rest = rest[~rest.group_id.map(decided).fillna(False).astype(bool)]
    code_of.update(detect(sorted(rest.lang_text.tolist())))
    answers = _answers(texts, members, code_of)
    store.register("_detected", pd.DataFrame({"lang_text": texts, "lang_detected": pd.Series(answers, dtype="object")}))
    # back to the source's tags, then the identified texts' answers (only the rows that change are written)
    store.execute(f"""UPDATE post_text SET lang_detected = NULL, lang = {UNIDENTIFIED_LANG_SQL},
                                           lang_method = {UNIDENTIFIED_METHOD_SQL}
                      WHERE lang_detected IS NOT NULL""")
    store.execute("""UPDATE post_text SET lang_detected = d.lang_detected, lang = d.lang_detected, lang_method = 'detected'
                     FROM _detected d WHERE post_text.lang_text = d.lang_text AND d.lang_detected IS NOT NULL""")
    store.unregister("_detected")
    store.record_run("languages", {"library": "lingua", "accuracy": accuracy, "min_letters": min_letters,
                                   "languages": languages, "candidates": candidates or "all",
                                   "posts": "all" if only is None else "selected", "texts_answered": len(texts),
                                   "texts_identified": len(code_of), "grouped_texts": len(members), "voters": VOTERS,
                                   "rule": "detected, else the source's tag, else und"})
    return store.df("SELECT lang, lang_method, count(*) AS posts FROM post_text GROUP BY ALL ORDER BY posts DESC")
