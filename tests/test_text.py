"""Normalisation and language identification: typed placeholders, reversible, bad input reported."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.errors import ParameterError
from toolkit.load import load_files
from toolkit.text.language import identify_languages
from toolkit.text.normalize import normalise_posts, normalise_text

# text, matching form, why
CASES = [
    ("Honte à vous, @DeputeX !! https://t.co/x 🇨🇦 #Canada 2023", "honte a vous MENTION URL EMOJI HASHTAG NUM",
     "accents folded, typed placeholders, punctuation gone"),
    ("cafÃ© crÃ¨me", "cafe creme", "mojibake (UTF-8 read as Latin-1) repaired by ftfy"),
    ("ＦＵＬＬ　ｗｉｄｔｈ ﬁne", "full width fine", "NFKC: full-width letters and ligatures"),
    ("  lots   of\n\n spaces\t", "lots of spaces", "whitespace collapsed"),
    ("中国人，你好。", "中国人 你好", "CJK kept; its punctuation removed"),
    ("ขอแสดงความเสียใจ", "ขอแสดงความเสียใจ", "Thai vowel and tone marks are letters, not accents: kept"),
    ("مرحبا بالعالم!", "مرحبا بالعالم", "right-to-left text kept in order"),
    ("nul\x00byte", "nulbyte", "NUL bytes removed"),
]


@pytest.mark.parametrize("text, expected, why", CASES, ids=[c[2] for c in CASES])
def test_matching_form(text, expected, why):
    assert normalise_text(text) == expected


def test_ascii_texts_lose_their_gaps_as_the_pattern_for_every_text_does():
    """The compiled path for ASCII texts gives what the regular expression gives, on random
    texts of letters, digits, every punctuation character and every kind of ASCII whitespace."""
    import random
    import string

    import pyarrow as pa

    from toolkit.store import Store
    from toolkit.text.normalize import PLACEHOLDERS, _gaps, _sql_replace, ascii_words, ascii_words_only

    rng = random.Random(7)
    alphabet = string.ascii_lowercase[:6] + string.digits[:3] + string.punctuation + " \t\n\x0b\f\r"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 30))) for _ in range(3000)]
    typed = [t + " " + rng.choice(PLACEHOLDERS) + rng.choice(["", " ", ", "]) + t[::-1] for t in texts]
    with Store(":memory:") as store:
        store.register("_t", pd.DataFrame({"i": range(len(texts)), "t": texts, "typed": typed}))
        norm, lang = store.df(f"""SELECT list(trim({_sql_replace('t', _gaps(), ' ')}) ORDER BY i) AS norm,
                                         list(trim({_sql_replace('typed', _gaps('|' + '|'.join(PLACEHOLDERS)), ' ')}) ORDER BY i) AS lang
                                  FROM _t""").iloc[0]
    assert ascii_words(pa.array(texts)).to_pylist() == list(norm)
    assert ascii_words_only(pa.array(typed)).to_pylist() == list(lang)
    assert ascii_words(pa.array(["  a,, b! ", None])).to_pylist() == ["a b", None]


def test_tokens_pattern_finds_whole_runs_of_tokens_in_both_regex_engines():
    """The trie-shaped pattern holds exactly where one of the runs appears as whole tokens: runs
    that are prefixes of one another, runs of several tokens, special characters; in RE2
    (DuckDB) and in Python's backtracking engine (as Java's)."""
    import random
    import re

    from toolkit.store import Store
    from toolkit.text.normalize import tokens_pattern

    rng = random.Random(3)
    words = ["a", "ab", "abc", "b", "ba", "c+", "c.d", "é", "中国", "NUM"]
    runs = ["ab", "abc", "c+ a", "c.d", "中国 ab", "é é"]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randrange(0, 6))) for _ in range(2000)]
    expected = [any(f" {run} " in f" {text} " for run in runs) for text in texts]
    pattern = tokens_pattern(runs)
    assert [bool(re.search(pattern, text)) for text in texts] == expected
    with Store(":memory:") as store:
        store.register("_t", pd.DataFrame({"i": range(len(texts)), "t": texts}))
        found = store.df("SELECT list(regexp_matches(t, ?) ORDER BY i) AS f FROM _t", [pattern]).f[0]
    assert list(found) == expected
    assert 0.1 < sum(expected) / len(texts) < 0.9
    assert tokens_pattern(["ab", "ac", "a", "d"]) == "(?:^| )(?:a(?:b|c)?|d)(?: |$)"


def _workspace(store, tmp_path, texts: list[str], langs=None):
    path = tmp_path / "posts.csv"
    pd.DataFrame({"platform": "x", "post_id": [str(i) for i in range(len(texts))], "account_id": "a",
                  "created_at": "2023-09-02T10:00:00Z", "text": texts, "lang": langs or [""] * len(texts)}).to_csv(path, index=False)
    load_files(store, [path])


def test_bad_input_is_reported_not_dropped(store, tmp_path):
    texts = ["", "👍👍🎉", "https://example.com/only-a-link", "too short", "x" * 3 + " word" * 12_000,
             "Latin and 中文 and العربية mixed in one post", "a normal sentence with enough words"]
    _workspace(store, tmp_path, texts)
    counts = normalise_posts(store)
    assert sum(counts.values()) == len(texts)  # every post has a row
    got = store.df("SELECT post_id, status, status_reason, length(norm_text) AS n FROM post_text ORDER BY post_id::INT")
    assert list(got.status) == ["empty", "no_words", "no_words", "too_short", "truncated", "ok", "ok"]
    assert got.status_reason[1].startswith("only URLs, mentions, hashtags, numbers or emoji")
    assert got.n[4] == 5_000 and "matched on the first 5,000" in got.status_reason[4]
    # the original text is never changed
    assert store.scalar("SELECT text FROM posts WHERE post_id = '5'") == texts[5]


def test_languages_detected_and_source_tag_kept(store, tmp_path):
    texts = ["Shame on you, the critic exposed your crimes and nobody answers",
             "Honte à vous, le critique a révélé vos crimes et personne ne répond",
             "这个人是骗子，大家不要相信他说的任何话，他一直在撒谎",
             "ok", "merci"]
    _workspace(store, tmp_path, texts, langs=["en", "en", "zh", "und", "fr"])
    normalise_posts(store)
    table = identify_languages(store)
    got = store.df("SELECT lang_source, lang_detected, lang, lang_method FROM post_text ORDER BY post_id::INT")
    assert list(got.lang_detected[:3]) == ["en", "fr", "zh"]
    assert got.lang_source[1] == "en" and got.lang[1] == "fr"  # the source's tag kept beside the detection
    assert list(got.lang_method) == ["detected", "detected", "detected", "none", "source"]  # X's 'und' is no tag
    assert list(got.lang[3:]) == ["und", "fr"]
    assert table.posts.sum() == 5
    assert store.run_params("languages")["library"] == "lingua"


def test_identifying_again_replaces_the_earlier_answers(store, tmp_path):
    """Re-running with a stricter min_letters takes back the answers for the texts now too short."""
    texts = ["Shame on you, the critic exposed your crimes and nobody answers", "Honte à vous tous", "merci"]
    _workspace(store, tmp_path, texts, langs=["en", "en", "und"])
    normalise_posts(store)
    identify_languages(store, min_letters=5)
    first = store.df("SELECT lang, lang_method FROM post_text ORDER BY post_id::INT")
    assert list(first.lang_method) == ["detected"] * 3
    identify_languages(store, min_letters=20)
    again = store.df("SELECT lang_detected, lang, lang_method FROM post_text ORDER BY post_id::INT")
    assert list(again.lang_method) == ["detected", "source", "none"]
    assert list(again.lang) == ["en", "en", "und"] and again.lang_detected[1:].isna().all()


def test_a_group_of_texts_takes_the_language_of_its_vote(store, tmp_path, monkeypatch):
    """English versions outvote the group's best-ranked text, in French; only the best-ranked
    voters are identified, the last only when the first disagree; a text outside every group
    answers for itself."""
    from toolkit.text import language

    english = [f"The minister {w} must answer for the scandal that everybody is talking about" for w in
               ("Smith", "Jones", "Brown", "Taylor")]
    french = "Le ministre doit répondre du scandale dont tout le monde parle aujourd'hui"
    alone = "Der Minister muss heute endlich auf den Skandal antworten, über den alle reden"
    _workspace(store, tmp_path, [*english, french, alone])
    normalise_posts(store)
    monkeypatch.setattr(language, "VOTERS", 3)
    groups = """SELECT lang_text, 1 AS group_id, row_number() OVER (ORDER BY post_id::INT DESC) AS rank
                FROM post_text WHERE post_id::INT < 5"""
    identify_languages(store, languages=["de", "en", "fr"], groups=groups)
    got = store.df("SELECT lang, lang_method FROM post_text ORDER BY post_id::INT")
    assert list(got.lang) == ["en"] * 5 + ["de"]  # French ranked first, outvoted two to one
    assert list(got.lang_method) == ["detected"] * 6
    params = store.run_params("languages")
    assert params["texts_identified"] == 4 and params["grouped_texts"] == 5  # three voters and the German text
    identify_languages(store, languages=["de", "en", "fr"], groups=groups.replace("DESC", "ASC"))
    assert store.run_params("languages")["texts_identified"] == 3  # two English voters agree: the third is not read
    assert list(store.df("SELECT lang FROM post_text ORDER BY post_id::INT").lang) == ["en"] * 5 + ["de"]
    identify_languages(store, languages=["de", "en", "fr"])  # without groups, each text answers for itself
    assert store.scalar("SELECT lang FROM post_text WHERE post_id = '4'") == "fr"


def test_large_inputs_identify_among_the_languages_of_a_sample(monkeypatch):
    from toolkit.text import language

    english = [f"The minister {i} must answer for the scandal that everybody is talking about today" for i in range(40)]
    french = [f"Le ministre {i} doit répondre du scandale dont tout le monde parle aujourd'hui" for i in range(40)]
    german = ["Der Minister muss heute auf den Skandal antworten, über den alle reden"]
    texts = english + french + german
    monkeypatch.setattr(language, "SAMPLE_TEXTS", 20)
    assert german[0] not in language.language_sample(texts)  # 20 of 81 texts, by MD5 digest
    codes, kept = language.detect_large(texts)
    assert kept == ["en", "fr"]  # German: 1 text in 81, absent from the sample
    assert codes[:40] == ["en"] * 40 and codes[40:80] == ["fr"] * 40
    assert codes[80] in ("en", "fr")  # the documented cost: a language missing from the sample
    assert language.detect_large(texts, languages="all")[0][80] == "de"
    assert language.detect_large(texts, languages=["de", "en"])[1] == ["de", "en"]
    with pytest.raises(ParameterError, match="xx"):
        language.detect_large(texts, languages=["xx"])


def test_parameters_are_validated(store):
    with pytest.raises(ParameterError, match="min_tokens=0"):
        normalise_posts(store, min_tokens=0)
