"""What the campaign said: recurring claims, the person it named, and its talk of deepfakes.

Keyword and phrase statistics over the campaign's posts, computed in the engine — no language
model, nothing downloaded. The campaign's posts are those of the copy clusters judged part of
the campaign (``clusters`` and ``cluster_judgement``, written by :func:`toolkit.reconstruct.reconstruct`);
the *baseline* is every other post, for contrast.

:func:`campaign_narratives` returns four tables:

``claims``
    one row per campaign message (cluster): its size, languages, its most posted text in each
    language, its template with the parts that vary (``{slot1}``...), and its *distinctive terms*:
    the words (or, for Chinese and other scripts written without spaces, character pairs) found in
    most of its posts but in few other campaign messages (score = share of the message's posts
    containing the term × log(messages / messages containing it)).
``phrases``
    recurring phrases: word pairs and triples of the normalised texts, ranked by the number of
    campaign messages that use them, with their posts, languages and *lift* — how much more
    common they are in campaign posts than in the baseline.
``persons``
    names the campaign repeats: runs of two capitalised words (``Bai Jingtao``,
    ``Isabelle Caron-Dufresne``) in the posts' original text, by the number of campaign messages
    naming them, with ``is_target`` where the name is that of a targeted account; and the most
    recurrent terms (2–4 characters) of the posts identified as Chinese. The *persona* is the
    non-target name in the most messages.
``deepfake``
    posts mentioning deepfakes or doctored videos (:data:`DEEPFAKE_TERMS`, English, French and
    Chinese), per term group and language, in the campaign and in the baseline.

Example:
    >>> from toolkit.report.narratives import campaign_narratives
    >>> result = campaign_narratives(store)                        # doctest: +SKIP
    >>> result["persons"].query("not is_target").head(1)           # doctest: +SKIP

Caveats:
    Statistics of words, not of meaning: a claim phrased in two different ways counts as two,
    and a name written in another script is a different term. The deepfake term list is short
    and explicit (see :data:`DEEPFAKE_TERMS`); posts that show a doctored video without saying
    so are not counted.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import pandas as pd

from ..accounts._common import require_tables
from ..errors import ParameterError
from ..load.formats import sql_str
from ..store import Store
from ..text.normalize import tokens_pattern

log = logging.getLogger(__name__)

#: Deepfake and doctored-video terms (RE2, matched on the lower-cased original text), by group.
DEEPFAKE_TERMS: dict[str, str] = {
    "deepfake": r"deep[\s-]?fakes?|hypertrucages?|深度伪造|深度偽造|深伪|深偽",
    "fake or doctored video": (r"fake (?:videos?|clips?)|doctored (?:videos?|clips?)|(?:vid[ée]os?|extraits?|clips?) truqu[ée]e?s?"
                               r"|fausses? vid[ée]os?|(?:edited|generated|made) (?:with|by) ai|ai[- ]generated"
                               r"|retouch[ée]e? par l.ia|g[ée]n[ée]r[ée]e? par l.ia|假视频|假影片|伪造的?视频|人工智能"),
}
#: Placeholders of the normalised text, never terms of their own.
_PLACEHOLDERS = ("URL", "MENTION", "HASHTAG", "NUM", "EMOJI")
#: Two or more capitalised words in a row (names): letters, apostrophes and hyphens inside a word.
NAME_RUN = r"\p{Lu}[\p{L}'’-]*\p{Ll}(?:[ \t]+\p{Lu}[\p{L}'’-]*\p{Ll})+"
#: A Chinese character, and runs of two or more.
HAN_CHAR = r"\p{Han}"
HAN_RUN = HAN_CHAR + "{2,}"


@contextlib.contextmanager
def _campaign_posts(store: Store) -> Iterator[int]:
    """Temp table ``_narr_posts`` while the block runs: every post of a campaign cluster with its
    text and tokens (an enclosing block's table is used as it is). Yields its number of posts."""
    if store.has_table("_narr_posts"):
        yield int(store.scalar("SELECT count(*) FROM _narr_posts"))
        return
    require_tables(store, ("clusters", "cluster_judgement", "post_text"),
                   "Run toolkit.reconstruct.reconstruct(store) first (clusters and their judgement).")
    store.execute("""
        CREATE OR REPLACE TEMP TABLE _narr_posts AS
        SELECT c.cluster_id, c.platform, c.post_id, pt.pid, coalesce(c.lang, 'und') AS lang, p.text, pt.tokens, p.reply_to_account_id
        FROM clusters c JOIN cluster_judgement j USING (cluster_id)
        JOIN posts p USING (platform, post_id) JOIN post_text pt USING (platform, post_id)
        WHERE j.campaign""")
    try:
        yield int(store.scalar("SELECT count(*) FROM _narr_posts"))
    finally:
        store.execute("DROP TABLE IF EXISTS _narr_posts")


def _as_list(value) -> list:
    """A list from a list-like cell (None and NaN: empty)."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return []
    return list(value)


def claims(store: Store, *, top_terms: int = 8, min_term_share: float = 0.3) -> pd.DataFrame:
    """One row per campaign message: texts per language, template, distinctive terms.

    Args:
        store: a reconstructed workspace.
        top_terms: distinctive terms listed per message.
        min_term_share: a term must be in at least this share of the message's posts (0–1).

    Returns:
        DataFrame with cluster_id, n_posts, n_accounts, n_targets, languages, first_at, last_at,
        text_by_language (dict), templates (list of normalised templates of its largest text
        clusters, with ``{slotN}``), distinctive_terms (list of {term, share, messages, score}).
    """
    if not 0 < min_term_share <= 1:
        raise ParameterError(f"min_term_share={min_term_share}: must be in (0, 1]")
    with _campaign_posts(store):
        terms = store.df(f"""
            WITH toks AS (
                SELECT DISTINCT cluster_id, platform, post_id, unnest(string_split(tokens, ' ')) AS term FROM _narr_posts),
            sized AS (SELECT cluster_id, count(*) AS n FROM _narr_posts GROUP BY cluster_id),
            per AS (SELECT cluster_id, term, count(*) AS posts FROM toks
                    WHERE term NOT IN ({', '.join(sql_str(p) for p in _PLACEHOLDERS)}) AND term <> '' GROUP BY ALL),
            spread AS (SELECT term, count(DISTINCT cluster_id) AS messages FROM per GROUP BY term),
            total AS (SELECT count(*) AS m FROM sized),
            scored AS (
                SELECT per.cluster_id, per.term, per.posts / sized.n AS share, spread.messages,
                       per.posts / sized.n * ln((SELECT m FROM total) / spread.messages) AS score
                FROM per JOIN sized USING (cluster_id) JOIN spread USING (term)
                WHERE per.posts / sized.n >= {float(min_term_share)})
            SELECT cluster_id, list({{'term': term, 'share': round(share, 3), 'messages': messages, 'score': round(score, 3)}}
                                    ORDER BY score DESC, term)[1:{int(top_terms)}] AS distinctive_terms
            FROM scored WHERE score > 0 GROUP BY cluster_id""")
        base = store.df("""
            WITH tc AS (
                SELECT n.cluster_id, cl.text_cluster_id, count(*) AS n
                FROM _narr_posts n JOIN clusters cl USING (platform, post_id) GROUP BY ALL)
            SELECT s.cluster_id, s.n_posts, s.n_accounts, s.n_targets, s.languages, s.first_at, s.last_at, s.text_by_language,
                   (SELECT list(t.template ORDER BY tc.n DESC, tc.text_cluster_id) FROM tc JOIN templates t USING (text_cluster_id)
                     WHERE tc.cluster_id = s.cluster_id) AS templates
            FROM cluster_summary s WHERE s.cluster_id IN (SELECT cluster_id FROM _narr_posts)
            ORDER BY s.n_posts DESC, s.cluster_id""")
        base["text_by_language"] = base.text_by_language.map(lambda m: {} if m is None or m is pd.NA else dict(m))
        base["templates"] = base.templates.map(_as_list)
        out = base.merge(terms, on="cluster_id", how="left")
        out["distinctive_terms"] = out.distinctive_terms.map(_as_list)
        return out


def recurring_phrases(store: Store, *, min_messages: int = 2, min_lift: float = 10.0, top: int = 30) -> pd.DataFrame:
    """Word pairs and triples that recur across campaign messages, with their lift over the baseline.

    Phrases made (all but one word) of the targets' names are left out: they are the parts of a
    template that vary, not its claim. Chinese-script text is left to :func:`named_persons`.

    Args:
        store: a reconstructed workspace.
        min_messages: a phrase must be in at least this many campaign messages.
        min_lift: ... and at least this many times more common in campaign posts than in the baseline.
        top: rows returned (most messages first, then most posts).

    Returns:
        DataFrame with phrase, words (2 or 3), messages, posts, share_of_campaign_posts, languages,
        baseline_posts, lift (campaign share / baseline share, the baseline count plus one).
    """
    with _campaign_posts(store) as n_campaign:
        if n_campaign == 0:
            return pd.DataFrame(columns=["phrase", "words", "messages", "posts", "share_of_campaign_posts", "languages",
                                         "baseline_posts", "lift"])
        n_baseline = int(store.scalar("SELECT count(*) FROM post_text") or 0) - n_campaign
        placeholders = ", ".join(sql_str(p) for p in _PLACEHOLDERS)
        # each word pair and triple of a post, known by its hash until the few ranked ones are spelled out
        grams = """
            SELECT {key}, n, i, hash(w[i], w[i + 1], CASE WHEN n = 3 THEN w[i + 2] END) AS h
            FROM (SELECT {key}, string_split(tokens, ' ') AS w FROM {source}) t,
                 (SELECT unnest([2, 3]) AS n) k, LATERAL (SELECT unnest(range(1, greatest(len(w) - n + 2, 1))) AS i)"""
        store.execute(f"""
            CREATE OR REPLACE TEMP TABLE _narr_grams AS  -- once per post
            SELECT h, pid, any_value(cluster_id) AS cluster_id, any_value(lang) AS lang, any_value(n) AS n, min(i) AS i
            FROM ({grams.format(key="pid, cluster_id, lang", source="_narr_posts")}) GROUP BY h, pid""")
        store.execute(f"""
            CREATE OR REPLACE TEMP TABLE _narr_ranked AS
            WITH per_message AS (SELECT h, cluster_id, count(*) AS posts, min(pid) AS pid FROM _narr_grams GROUP BY h, cluster_id),
            counted AS (
                SELECT h, count(*) AS messages, sum(posts)::BIGINT AS posts, min(pid) AS pid
                FROM per_message GROUP BY h HAVING count(*) >= {int(min_messages)}),
            spelled AS (
                SELECT c.h, array_to_string(string_split(p.tokens, ' ')[g.i:g.i + g.n - 1], ' ') AS phrase, g.n AS words, c.messages, c.posts
                FROM counted c JOIN _narr_grams g USING (h, pid) JOIN _narr_posts p USING (pid)),
            ranked AS (
                SELECT * FROM spelled
                WHERE NOT list_has_any(string_split(phrase, ' '), [{placeholders}]) AND NOT regexp_matches(phrase, {sql_str(HAN_CHAR)})
                ORDER BY messages DESC, posts DESC, phrase LIMIT {int(top) * 4})
            SELECT r.h, r.phrase, r.words, r.messages, r.posts, l.languages
            FROM ranked r JOIN (SELECT h, list(DISTINCT lang ORDER BY lang) AS languages
                                FROM _narr_grams SEMI JOIN ranked USING (h) GROUP BY h) l USING (h)""")
        store.execute("DROP TABLE _narr_grams")
        # baseline posts holding a phrase: one pass of one pattern picks them, then their phrases are counted
        phrases = [phrase for (phrase,) in store.rows("SELECT phrase FROM _narr_ranked")]
        pattern = tokens_pattern(phrases)
        store.execute(f"""CREATE OR REPLACE TEMP TABLE _narr_baseline AS
                          SELECT pt.pid, pt.tokens FROM post_text pt ANTI JOIN _narr_posts n USING (pid)
                          WHERE {f"regexp_matches(pt.tokens, {sql_str(pattern)})" if phrases else "false"}""")
        found = store.df(f"""
            WITH ranked AS (SELECT * FROM _narr_ranked),
            base AS (
                SELECT b.h, count(DISTINCT b.pid) AS baseline_posts
                FROM ({grams.format(key="pid", source="_narr_baseline")}) b SEMI JOIN ranked r USING (h) GROUP BY b.h)
            SELECT r.phrase, r.words, r.messages, r.posts, round(r.posts / {n_campaign}, 4) AS share_of_campaign_posts, r.languages,
                   coalesce(b.baseline_posts, 0) AS baseline_posts,
                   round((r.posts / {n_campaign}) / ((coalesce(b.baseline_posts, 0) + 1) / {max(n_baseline, 1)}), 1) AS lift
            FROM ranked r LEFT JOIN base b USING (h)
            WHERE NOT EXISTS (SELECT 1 FROM ranked q WHERE q.words > r.words AND q.messages = r.messages AND q.posts = r.posts
                                AND contains(' ' || q.phrase || ' ', ' ' || r.phrase || ' '))
            ORDER BY r.messages DESC, r.posts DESC, r.words DESC, r.phrase""")
        store.execute("DROP TABLE _narr_ranked; DROP TABLE _narr_baseline")
        names = _target_words(store)
        mostly_names = found.phrase.map(lambda p: sum(w in names for w in p.split()) >= len(p.split()) - 1)
        found = found[~mostly_names & (found.lift >= float(min_lift))].head(int(top)).reset_index(drop=True)
        return found


def _target_words(store: Store) -> set[str]:
    """Words of the targets' names, as normalised text writes them (lower case, accents folded)."""
    if not store.has_table("targets"):
        return set()
    words = store.rows("""SELECT DISTINCT unnest(regexp_split_to_array(lower(strip_accents(coalesce(name, '') || ' ' ||
                                 coalesce(handle, ''))), '[^a-z0-9]+')) FROM targets""")
    return {w for (w,) in words if w}


def named_persons(store: Store, *, top: int = 15) -> pd.DataFrame:
    """Names the campaign's posts repeat (two capitalised words in a row), by messages naming them.

    Args:
        store: a reconstructed workspace (with ``targets``: target names are marked).
        top: rows returned.

    Returns:
        DataFrame with name, script ('latin' or 'han'), messages, posts, share_of_messages, languages,
        is_target. Chinese-script rows ('han') are the 2–4 character terms found in the most
        messages among the posts identified as Chinese (a name or a common word: the reader judges).
    """
    with _campaign_posts(store):
        has_targets = store.has_table("targets")
        target_names = ("SELECT DISTINCT lower(strip_accents(name)) AS n FROM targets WHERE coalesce(name, '') <> '' "
                        "UNION SELECT DISTINCT lower(strip_accents(display_name)) FROM accounts a SEMI JOIN "
                        "(SELECT DISTINCT platform, reply_to_account_id AS account_id FROM _narr_posts) t USING (platform, account_id) "
                        "WHERE coalesce(display_name, '') <> ''") if has_targets else "SELECT NULL AS n WHERE false"
        total = int(store.scalar("SELECT count(DISTINCT cluster_id) FROM _narr_posts") or 0)
        latin = store.df(f"""
            WITH runs AS (SELECT cluster_id, post_id, lang, unnest(regexp_extract_all(text, {sql_str(NAME_RUN)})) AS run
                          FROM _narr_posts),
            words AS (SELECT cluster_id, post_id, lang, regexp_split_to_array(trim(run), '[ \\t]+') AS w FROM runs),
            pairs AS (SELECT cluster_id, post_id, lang, w[i] || ' ' || w[i + 1] AS name
                      FROM words, LATERAL (SELECT unnest(range(1, len(w))) AS i)),
            names AS ({target_names})
            SELECT p.name, 'latin' AS script, count(DISTINCT p.cluster_id) AS messages, count(DISTINCT p.post_id) AS posts,
                   round(count(DISTINCT p.cluster_id) / {max(total, 1)}, 3) AS share_of_messages,
                   list(DISTINCT p.lang ORDER BY p.lang) AS languages,
                   EXISTS (SELECT 1 FROM names WHERE contains(names.n, lower(strip_accents(p.name)))) AS is_target
            FROM pairs p GROUP BY p.name HAVING count(DISTINCT p.cluster_id) >= 2
            ORDER BY messages DESC, posts DESC, p.name LIMIT {int(top)}""")
        chinese = "(lang = 'zh' OR lang LIKE 'zh-%')"
        han_total = int(store.scalar(f"SELECT count(DISTINCT cluster_id) FROM _narr_posts WHERE {chinese}") or 0)
        han = store.df(f"""
            WITH runs AS (SELECT cluster_id, post_id, lang, unnest(regexp_extract_all(text, {sql_str(HAN_RUN)})) AS run
                          FROM _narr_posts WHERE {chinese}),
            grams AS (SELECT DISTINCT cluster_id, post_id, lang, substr(run, i, n) AS term
                      FROM runs, (SELECT unnest([2, 3, 4]) AS n) k, LATERAL (SELECT unnest(range(1, length(run) - n + 2)) AS i)),
            counted AS (SELECT term, count(DISTINCT cluster_id) AS messages, count(DISTINCT post_id) AS posts,
                               list(DISTINCT lang ORDER BY lang) AS languages
                        FROM grams GROUP BY term HAVING count(DISTINCT cluster_id) >= 2),
            maximal AS (SELECT c.* FROM counted c WHERE NOT EXISTS (
                            SELECT 1 FROM counted d WHERE length(d.term) > length(c.term) AND contains(d.term, c.term)
                              AND d.messages = c.messages))
            SELECT term AS name, 'han' AS script, messages, posts, round(messages / {max(han_total, 1)}, 3) AS share_of_messages,
                   languages, false AS is_target
            FROM maximal ORDER BY messages DESC, posts DESC, length(term) DESC, term LIMIT 5""")
        out = pd.concat([latin, han], ignore_index=True)
        out.attrs["campaign_messages"] = total
        out.attrs["messages_with_chinese_script"] = han_total
        return out


def deepfake_mentions(store: Store, *, terms: dict[str, str] | None = None, examples: int = 3) -> pd.DataFrame:
    """Posts that mention deepfakes or doctored videos, in the campaign and in the baseline.

    Args:
        store: a reconstructed workspace.
        terms: {group: RE2 pattern} matched on the lower-cased text; default :data:`DEEPFAKE_TERMS`.
        examples: example post ids per group.

    Returns:
        DataFrame with one row per term group plus ``any``: group, campaign_posts,
        campaign_share (of the campaign's posts), messages (campaign clusters with a mention),
        by_language (dict lang -> posts), baseline_posts, baseline_share, example_post_ids.
    """
    terms = dict(DEEPFAKE_TERMS if terms is None else terms)
    if not terms:
        raise ParameterError("terms: give at least one {group: pattern}, or None for DEEPFAKE_TERMS")
    with _campaign_posts(store) as n_campaign:
        n_all = int(store.scalar("SELECT count(*) FROM posts") or 0)
        groups = dict(terms, any="|".join(f"(?:{p})" for p in terms.values()))
        tests = {group: f"regexp_matches(lower(coalesce(text, '')), {sql_str(pattern)})" for group, pattern in groups.items()}
        # one pass over the posts picks those with any term; the groups are told apart among them
        flags = [f"g{i}" for i in range(len(terms))]
        found = ", ".join(f"{tests[group]} AS {flag}" for group, flag in zip(terms, flags))
        counts = ", ".join(f"count_if({flag})" for flag in flags)
        in_all = store.rows(f"SELECT {counts}, count(*) FROM (SELECT {found} FROM posts WHERE {tests['any']})")[0]
        rows = []
        for (group, test), posts_with_term in zip(tests.items(), in_all):
            camp = store.df(f"""SELECT lang, cluster_id, post_id FROM _narr_posts WHERE {test} ORDER BY cluster_id, post_id""")
            baseline = int(posts_with_term or 0) - len(camp)
            rows.append({"group": group, "campaign_posts": len(camp),
                         "campaign_share": round(len(camp) / n_campaign, 4) if n_campaign else None,
                         "messages": int(camp.cluster_id.nunique()),
                         "by_language": {k: int(v) for k, v in camp.lang.value_counts().sort_index().items()},
                         "baseline_posts": baseline,
                         "baseline_share": round(baseline / (n_all - n_campaign), 5) if n_all > n_campaign else None,
                         "example_post_ids": camp.post_id.head(int(examples)).tolist()})
        return pd.DataFrame(rows)


def campaign_narratives(store: Store, *, top_terms: int = 8, top_phrases: int = 30) -> dict:
    """All narrative statistics of the campaign (see the module docstring).

    Args:
        store: a workspace where :func:`toolkit.reconstruct.reconstruct` ran.
        top_terms: distinctive terms per message.
        top_phrases: recurring phrases returned.

    Returns:
        dict with ``claims``, ``phrases``, ``persons``, ``deepfake`` (DataFrames) and ``persona``:
        the non-target name in the most campaign messages as {name, messages, share_of_messages,
        languages, posts}, or None.
    """
    with _campaign_posts(store):
        persons = named_persons(store)
        candidates = persons[(persons.script == "latin") & ~persons.is_target.astype(bool)]
        persona = None
        if len(candidates):
            top = candidates.iloc[0]
            persona = {"name": top["name"], "messages": int(top.messages), "posts": int(top.posts),
                       "share_of_messages": float(top.share_of_messages), "languages": list(top.languages)}
        result = {"claims": claims(store, top_terms=top_terms), "phrases": recurring_phrases(store, top=top_phrases),
                  "persons": persons, "deepfake": deepfake_mentions(store), "persona": persona}
    return result
