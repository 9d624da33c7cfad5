"""Language identification for short social-media text, offline.

Uses lingua (``lingua-language-detector``: models ship inside the package, nothing is
downloaded), which is built for short text. The source's own tag (e.g. X's ``lang``) is kept
beside the detected one, and the column ``lang`` says which was used:

* ``lang_detected``: lingua's answer on ``post_text.lang_text`` where the text has at least
  ``min_letters`` letters, else NULL;
* ``lang_source``: ``posts.lang`` as exported (X uses ``und``, ``zxx``, ``qme``... for
  undetermined; those count as missing);
* ``lang`` = detected, else source, else ``und``; ``lang_method`` = ``detected`` / ``source`` / ``none``.

Caveats: on very short or mixed-language texts any detector guesses; texts shorter than
``min_letters`` are not guessed at. A text mixing a French comment with an appended Chinese
sentence is labelled by its dominant language.
"""

from __future__ import annotations

import pandas as pd
from tqdm.auto import tqdm

from ..errors import ParameterError
from ..store import Store

#: X's language codes for "no linguistic content / undetermined".
UNDETERMINED = ("und", "zxx", "qme", "qam", "qht", "qct", "art", "")
#: Texts identified per call (bounds memory, drives the progress bar).
CHUNK = 20_000


def detector(accuracy: str = "low"):
    """A lingua detector over all its languages (``accuracy``: ``"low"``, fast, or ``"high"``)."""
    from lingua import LanguageDetectorBuilder

    builder = LanguageDetectorBuilder.from_all_languages()
    if accuracy == "low":
        builder = builder.with_low_accuracy_mode()
    elif accuracy != "high":
        raise ParameterError(f"accuracy={accuracy!r}: expected 'low' (fast, the default) or 'high'")
    return builder.build()


def detect_languages(texts: list[str], *, accuracy: str = "low", progress: bool | None = None) -> list[str | None]:
    """ISO 639-1 codes of texts (None where lingua cannot tell), in order."""
    found = detector(accuracy)
    codes: list[str | None] = []
    for start in tqdm(range(0, len(texts), CHUNK), desc="languages", unit="chunk", disable=None if progress is None else not progress):
        for language in found.detect_languages_in_parallel_of(texts[start:start + CHUNK]):
            codes.append(language.iso_code_639_1.name.lower() if language is not None else None)
    return codes


def identify_languages(store: Store, *, min_letters: int = 12, accuracy: str = "low", progress: bool | None = None) -> pd.DataFrame:
    """Add ``lang_source``, ``lang_detected``, ``lang`` and ``lang_method`` to ``post_text``.

    Each distinct text is identified once (copies share the answer).

    Args:
        store: a workspace where :func:`toolkit.text.normalize.normalise_posts` has run.
        min_letters: texts with fewer letters are not identified (default 12).
        accuracy: lingua's mode, ``"low"`` (default; fast, good on sentences) or ``"high"``.
        progress: progress bar (None: only on a terminal).

    Returns:
        Posts per (lang, lang_method), most frequent first.
    """
    if min_letters < 1:
        raise ParameterError(f"min_letters={min_letters}: must be at least 1")
    if not store.has_table("post_text"):
        raise ParameterError("identify_languages needs post_text: run toolkit.text.normalize.normalise_posts(store) first")
    texts = store.df(f"""SELECT DISTINCT lang_text FROM post_text
                         WHERE length(regexp_replace(lang_text, '[^\\pL]', '', 'g')) >= {int(min_letters)}""").lang_text.tolist()
    codes = detect_languages(texts, accuracy=accuracy, progress=progress)
    store.register("_detected", pd.DataFrame({"lang_text": texts, "lang_detected": pd.Series(codes, dtype="object")}))
    undetermined = ", ".join(f"'{u}'" for u in UNDETERMINED)
    store.execute(f"""
        CREATE OR REPLACE TABLE post_text AS
        SELECT t.* EXCLUDE (lang_source, lang_detected, lang, lang_method),
               s.lang_source, d.lang_detected,
               coalesce(d.lang_detected, s.lang_source, 'und') AS lang,
               CASE WHEN d.lang_detected IS NOT NULL THEN 'detected' WHEN s.lang_source IS NOT NULL THEN 'source' ELSE 'none' END AS lang_method
        FROM (SELECT *, NULL::VARCHAR AS lang_source, NULL::VARCHAR AS lang_detected, NULL::VARCHAR AS lang, NULL::VARCHAR AS lang_method
              FROM post_text) t
        JOIN (SELECT platform, post_id, CASE WHEN lower(lang) NOT IN ({undetermined}) THEN lower(lang) END AS lang_source FROM posts) s
          USING (platform, post_id)
        LEFT JOIN _detected d USING (lang_text)
        ORDER BY t.pid""")
    store.unregister("_detected")
    store.record_run("languages", {"library": "lingua", "accuracy": accuracy, "min_letters": min_letters,
                                   "rule": "detected, else the source's tag, else und"})
    return store.df("SELECT lang, lang_method, count(*) AS posts FROM post_text GROUP BY ALL ORDER BY posts DESC")
