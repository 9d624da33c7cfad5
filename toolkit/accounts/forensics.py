"""Account forensics: per-account evidence of new, mass-made or hijacked accounts.

:func:`account_evidence` computes, in the engine, one row per account with measured facts —
never a verdict. The scoring step combines them with coordination evidence and says which
reasons applied. Every column is listed in :data:`EVIDENCE_COLUMNS` (and
``docs/accounts.md`` explains each signal, its validity range and its false positives).

Signals, in short:

* **creation** — the export's creation time, or for X the time encoded in a snowflake account
  id (:mod:`toolkit.accounts.snowflake`); the account's age at its first post in the period;
* **creation batches** — many posting accounts created within ``±batch_window_days`` of each
  other, far more than the creation rate around that time predicts (Poisson test);
* **profile** — X's default handle shape (:mod:`toolkit.accounts.handles`), an empty bio, a
  bio repeated word for word by other accounts, followers;
* **hijacking** — the longest silence between two posts, and whether the account came back
  after ``min_dormancy_days`` or more with another language, other words, another handle,
  display name or bio (``account_history``);
* **activity** — share of posts in weekday office hours at a UTC offset, regularity of the gaps
  between posts, share of posts that are copies (clusters posted by several accounts).

Example:
    >>> from toolkit.store import Store
    >>> from toolkit.demo import load_sample
    >>> from toolkit.accounts import account_evidence
    >>> store = Store(":memory:"); _ = load_sample(store)
    >>> ev = account_evidence(store, office_utc_offset_hours=8)
    >>> ev.groupby("platform")["default_handle"].mean()  # doctest: +SKIP
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import poisson

from ..errors import ParameterError
from ..store import Store
from ..timeline.office_hours import CELL_MINUTES, CELLS_PER_DAY, WorkingDay, fit_offset_counts
from ._common import check_number, iso, period_bounds, period_sql
from .handles import default_handle_sql, handle_digits_sql, handle_matches_name_sql
from .snowflake import snowflake_time_sql

log = logging.getLogger(__name__)

#: Name of the table :func:`account_evidence` writes.
EVIDENCE_TABLE = "account_evidence"

#: (column, DuckDB type, meaning) of the ``account_evidence`` table, in order.
EVIDENCE_COLUMNS: list[tuple[str, str, str]] = [
    ("platform", "VARCHAR", "lower-case platform name"),
    ("account_id", "VARCHAR", "the platform's account id"),
    ("handle", "VARCHAR", "latest handle (accounts table), NULL if none"),
    ("display_name", "VARCHAR", "latest display name"),
    ("n_posts", "BIGINT", "posts in the analysed period"),
    ("n_posts_all", "BIGINT", "posts in the data, any time"),
    ("first_post_at", "TIMESTAMPTZ", "first post in the period, UTC"),
    ("last_post_at", "TIMESTAMPTZ", "last post in the period, UTC"),
    ("n_targets", "BIGINT", "distinct accounts replied to in the period"),
    ("created_at", "TIMESTAMPTZ", "account creation time, UTC (see created_at_source)"),
    ("created_at_source", "VARCHAR", "'data' (given by the export), 'snowflake' (decoded from the X account id), NULL (unknown)"),
    ("id_created_at", "TIMESTAMPTZ", "time encoded in the X account id; NULL if not a snowflake (X accounts registered before 2016-02-16, other platforms)"),
    ("age_at_first_post_days", "DOUBLE", "first_post_at - created_at, days"),
    ("batch_accounts", "BIGINT", "posting accounts of the platform created within ±batch_window_days of this one (itself included)"),
    ("batch_expected", "DOUBLE", "accounts expected in that window from the creation rate over ±batch_background_days (itself excluded)"),
    ("batch_p_value", "DOUBLE", "Poisson probability of at least batch_accounts - 1 others given batch_expected"),
    ("batch_id", "INTEGER", "creation batch the account belongs to (NULL: none), numbered by platform and time"),
    ("batch_size", "BIGINT", "accounts in that batch"),
    ("batch_first_created_at", "TIMESTAMPTZ", "first creation time in the batch"),
    ("batch_last_created_at", "TIMESTAMPTZ", "last creation time in the batch"),
    ("default_handle", "BOOLEAN", "handle in X's default shape (letters + >= 8 digits, <= 15 chars); NULL off X or without handle"),
    ("handle_digits", "INTEGER", "length of the run of digits the handle ends with"),
    ("handle_matches_name", "BOOLEAN", "the handle's leading letters start the display name's letters (as X's generator makes them)"),
    ("bio_empty", "BOOLEAN", "profile bio is empty; NULL if the source gives no bio (e.g. Facebook)"),
    ("bio_shared_accounts", "BIGINT", "other accounts with the same non-empty bio (case and spacing ignored)"),
    ("followers", "BIGINT", "followers at collection time (NULL if not given)"),
    ("following", "BIGINT", "accounts followed at collection time"),
    ("longest_gap_days", "DOUBLE", "longest silence between two consecutive posts, any time, days (NULL with < 2 posts)"),
    ("dormant_from", "TIMESTAMPTZ", "last post before that silence"),
    ("reactivated_at", "TIMESTAMPTZ", "first post after that silence"),
    ("reactivated", "BOOLEAN", "longest_gap_days >= min_dormancy_days"),
    ("posts_before", "BIGINT", "posts up to dormant_from (reactivated accounts)"),
    ("posts_after", "BIGINT", "posts from reactivated_at on (reactivated accounts)"),
    ("lang_before", "VARCHAR", "most common language of the posts before the silence (reactivated accounts)"),
    ("lang_after", "VARCHAR", "most common language of the posts after it"),
    ("lang_switch", "BOOLEAN", "lang_before and lang_after both known and different"),
    ("vocabulary_overlap", "DOUBLE", "Jaccard similarity of the sets of words (>= 4 letters) before and after the silence"),
    ("topic_switch", "BOOLEAN", "vocabulary_overlap < max_vocabulary_overlap, both sides having >= min_vocabulary words"),
    ("handles_seen", "BIGINT", "distinct handles in account_history"),
    ("names_seen", "BIGINT", "distinct display names in account_history"),
    ("previous_handles", "VARCHAR[]", "handles seen other than the latest, oldest first where collection times are known"),
    ("previous_names", "VARCHAR[]", "display names seen other than the latest"),
    ("renamed", "BOOLEAN", "seen under more than one handle or display name"),
    ("bio_changed", "BOOLEAN", "seen with more than one bio (an emptied bio included)"),
    ("reactivated_with_switch", "BOOLEAN", "reactivated, and lang_switch, topic_switch, renamed or bio_changed"),
    ("office_share", "DOUBLE", "share of the period's posts in weekday working hours at office_utc_offset_hours"),
    ("office_utc_offset_hours", "DOUBLE", "UTC offset used for office_share (NULL: none given)"),
    ("night_share", "DOUBLE", "share of the period's posts in the audience's sleeping hours (01:00-07:00 local at audience_utc_offset_hours)"),
    ("audience_utc_offset_hours", "DOUBLE", "UTC offset of the audience: given, or fitted on all posts of the period"),
    ("gap_cv", "DOUBLE", "coefficient of variation (std / mean) of the gaps between consecutive posts in the period (>= 3 posts)"),
    ("median_gap_seconds", "DOUBLE", "median gap between consecutive posts in the period, seconds"),
    ("copy_posts", "BIGINT", "posts in the period that belong to a copy cluster posted by >= min_copy_accounts accounts"),
    ("copy_share", "DOUBLE", "copy_posts / n_posts (NULL without clusters or posts)"),
]


def evidence_columns() -> pd.DataFrame:
    """The ``account_evidence`` columns with their types and meanings, as a table (for docs and notebooks)."""
    return pd.DataFrame(EVIDENCE_COLUMNS, columns=["column", "type", "meaning"])


def account_evidence(store: Store, *, start: Any = None, end: Any = None, batch_window_days: float = 1.0,
                     batch_background_days: float = 90.0, batch_max_p_value: float = 0.001,
                     min_batch_accounts: int = 5, min_dormancy_days: float = 365.0,
                     max_vocabulary_overlap: float = 0.05, min_vocabulary: int = 10,
                     office_utc_offset_hours: float | None = None, audience_utc_offset_hours: float | None = None,
                     office_template: WorkingDay | None = None,
                     min_copy_accounts: int = 2, table: str = EVIDENCE_TABLE) -> pd.DataFrame:
    """Measure every account's creation, profile, dormancy and activity evidence; write ``table``.

    Args:
        store: a loaded workspace. With ``post_text`` and ``clusters`` (from
            :func:`toolkit.clusters.find_clusters`) the detected languages and copy shares are used;
            without them, the source's language tags are used and copy shares are NULL.
        start, end: the analysed period (UTC, inclusive; None = unbounded). Counts, first post, office
            hours, regularity, copies and batch membership (accounts posting in the period) use it;
            dormancy and profile history always use all the data.
        batch_window_days: half-width of the creation window for batches (1.0 = created within a day
            of each other).
        batch_background_days: half-width of the window the background creation rate is taken from.
        batch_max_p_value: an account is in a batch when its window holds improbably many accounts
            (Poisson p-value at most this) ...
        min_batch_accounts: ... and at least this many accounts (itself included); a batch (accounts
            in such windows, each created within batch_window_days of the previous) needs as many members.
        min_dormancy_days: a silence at least this long counts as dormancy (365: a year).
        max_vocabulary_overlap, min_vocabulary: ``topic_switch`` when the words used before and after
            the silence overlap less than this (Jaccard), both sides having at least ``min_vocabulary``
            distinct words.
        office_utc_offset_hours: UTC offset at which office hours are counted, e.g. 8 for Beijing, or
            the campaign's offset from :func:`toolkit.timeline.fit_utc_offset`. None: ``office_share``
            is NULL (there is no neutral default for whose office to look at).
        audience_utc_offset_hours: UTC offset of the people the data is about, for ``night_share``.
            None: the offset under which all posts of the period best fit a day's rhythm
            (:func:`toolkit.timeline.fit_offset_counts`; most posts come from the audience).
        office_template: the working day and sleeping hours (default
            :class:`toolkit.timeline.WorkingDay`: weekdays 09–12 and 13–18, asleep 01–07, local time).
        min_copy_accounts: a cluster is a copy when at least this many accounts posted it.
        table: name of the table written (replaced).

    Returns:
        DataFrame, one row per account (in ``accounts`` or with a post), sorted by platform and
        account_id, with the columns of :data:`EVIDENCE_COLUMNS` (see :func:`evidence_columns`).
        ``attrs['parameters']`` holds the parameters used (also recorded in ``runs``).

    Raises:
        ParameterError: a parameter is out of range (the message names it).

    Caveats:
        Evidence, not verdicts. Real people create accounts the week of a news event (batches),
        keep X's default handle, leave bios empty, have no followers, go quiet for years, change
        their display name, or post in a second language. A hijacked account is visible only if its
        earlier posts are in the data. Facebook publishes neither creation times nor bios, so those
        columns are NULL there. Office hours at a fixed offset blur across daylight-saving changes.
    """
    lo, hi = period_bounds(start, end)
    batch_window_days = check_number("batch_window_days", batch_window_days, minimum=0, strict=True,
                                     hint="Use 1 for accounts created within a day of each other.")
    batch_background_days = check_number("batch_background_days", batch_background_days, minimum=0, strict=True)
    if batch_background_days <= 2 * batch_window_days:
        raise ParameterError(f"batch_background_days={batch_background_days!r}: expected more than twice "
                             f"batch_window_days={batch_window_days!r}, so that the background rate is measured "
                             "outside the batch window. Hint: use 90.")
    batch_max_p_value = check_number("batch_max_p_value", batch_max_p_value, minimum=0, maximum=1, strict=True)
    min_batch_accounts = int(check_number("min_batch_accounts", min_batch_accounts, minimum=2, integer=True))
    min_dormancy_days = check_number("min_dormancy_days", min_dormancy_days, minimum=0, strict=True,
                                     hint="Use 365 for a year of silence.")
    max_vocabulary_overlap = check_number("max_vocabulary_overlap", max_vocabulary_overlap, minimum=0, maximum=1)
    min_vocabulary = int(check_number("min_vocabulary", min_vocabulary, minimum=1, integer=True))
    min_copy_accounts = int(check_number("min_copy_accounts", min_copy_accounts, minimum=2, integer=True))
    if office_utc_offset_hours is not None:
        office_utc_offset_hours = check_number("office_utc_offset_hours", office_utc_offset_hours, minimum=-24,
                                               maximum=24, hint="E.g. 8 for Beijing (UTC+8), -4 for Ottawa in summer.")
    if audience_utc_offset_hours is not None:
        audience_utc_offset_hours = check_number("audience_utc_offset_hours", audience_utc_offset_hours, minimum=-24,
                                                 maximum=24, hint="E.g. -4 for Ottawa in summer.")
    template = office_template or WorkingDay()
    if not isinstance(template, WorkingDay):
        raise ParameterError(f"office_template={office_template!r}: expected a toolkit.timeline.WorkingDay or None.")
    if not table.isidentifier():
        raise ParameterError(f"table={table!r}: expected a plain SQL table name (letters, digits, underscores).")

    has_text = store.has_table("post_text")
    has_clusters = store.has_table("clusters")
    params = {
        "start": iso(lo), "end": iso(hi), "batch_window_days": batch_window_days,
        "batch_background_days": batch_background_days, "batch_max_p_value": batch_max_p_value,
        "min_batch_accounts": min_batch_accounts, "min_dormancy_days": min_dormancy_days,
        "max_vocabulary_overlap": max_vocabulary_overlap, "min_vocabulary": min_vocabulary,
        "min_copy_accounts": min_copy_accounts, "office_template": template.as_dict(),
        "language_source": "post_text.lang (detected)" if has_text else "posts.lang (source tags)",
    }
    try:
        _posts(store, lo, hi, has_text, has_clusters, min_copy_accounts)
        offset = office_utc_offset_hours
        if offset is None:
            log.info("account_evidence: office_share is NULL; pass office_utc_offset_hours (e.g. the campaign's "
                     "offset from toolkit.timeline.fit_utc_offset) to measure it")
        audience = audience_utc_offset_hours
        if audience is None:
            audience = _fit_offset(store, template)
            params["audience_offset_fitted_on"] = "all posts of the period"
        params["office_utc_offset_hours"] = offset
        params["audience_utc_offset_hours"] = audience
        _activity(store, offset, audience, template)
        _dormancy(store, min_dormancy_days, has_text, max_vocabulary_overlap, min_vocabulary)
        _history(store)
        _base(store)
        batches = _batches(store, batch_window_days * 86400.0, batch_background_days * 86400.0,
                           batch_max_p_value, min_batch_accounts)
        store.register("_ae_batches", batches)
        out = _assemble(store, table, has_clusters, offset, audience)
    finally:
        for name in ("_ae_posts", "_ae_activity", "_ae_gaps", "_ae_sides", "_ae_dormancy", "_ae_history", "_ae_base"):
            store.execute(f"DROP TABLE IF EXISTS {name}")
        store.unregister("_ae_batches")  # a no-op if it was never registered
    store.record_run(table, params)
    out.attrs["parameters"] = params
    log.info("account evidence: %d accounts, %d in creation batches, %d reactivated", len(out),
             int(out["batch_id"].notna().sum()), int(out["reactivated"].fillna(False).sum()))
    return out


# -- steps ------------------------------------------------------------------------------------
def _posts(store: Store, lo, hi, has_text: bool, has_clusters: bool, min_copy_accounts: int) -> None:
    """``_ae_posts``: every post with an author, its language, period flag and copy flag."""
    lang = "nullif(pt.lang, 'und')" if has_text else "nullif(p.lang, 'und')"
    text_join = "LEFT JOIN post_text pt USING (platform, post_id)" if has_text else ""
    if has_clusters:
        copy_join = f"""LEFT JOIN (
            SELECT c.platform, c.post_id FROM clusters c JOIN (
                SELECT c2.cluster_id FROM clusters c2 JOIN posts p2 USING (platform, post_id)
                GROUP BY c2.cluster_id HAVING count(DISTINCT (p2.platform, p2.account_id)) >= {min_copy_accounts}
            ) k USING (cluster_id)) cp USING (platform, post_id)"""
        is_copy = "cp.post_id IS NOT NULL"
    else:
        copy_join, is_copy = "", "NULL::BOOLEAN"
    store.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ae_posts AS
        SELECT p.platform, p.account_id, p.post_id, p.created_at, epoch(p.created_at) AS t,
               {lang} AS lang, p.reply_to_account_id,
               ({period_sql(lo, hi, 'p.created_at')}) AS in_period, {is_copy} AS is_copy
        FROM posts p {text_join} {copy_join}
        WHERE p.account_id IS NOT NULL""")


def _fit_offset(store: Store, template: WorkingDay) -> float | None:
    """UTC offset at which all posts of the period best fit a day's rhythm (None if too few posts)."""
    counts = np.zeros((7, CELLS_PER_DAY))
    for weekday, cell, n in store.rows(f"""
            SELECT isodow(created_at) - 1, (hour(created_at) * 60 + minute(created_at)) // {CELL_MINUTES}, count(*)
            FROM _ae_posts WHERE in_period GROUP BY ALL"""):
        counts[int(weekday), int(cell)] = n
    fit = fit_offset_counts(counts, template=template)
    if fit["offset_hours"] is None:
        log.warning("account_evidence: %d posts are too few to fit the audience's UTC offset; night_share is NULL. "
                    "Pass audience_utc_offset_hours.", int(counts.sum()))
    else:
        log.info("account_evidence: audience offset %s, fitted on %d posts", fit["offset"], int(counts.sum()))
    return fit["offset_hours"]


def _local_hour(offset: float) -> tuple[str, str]:
    local = f"(CAST(created_at AS TIMESTAMP) + to_minutes({int(round(offset * 60))}))"
    return local, f"(hour({local}) + minute({local}) / 60.0)"


def _office_sql(offset: float | None, template: WorkingDay) -> str:
    """SQL boolean: the post (column created_at) falls in weekday working hours at ``offset``."""
    if offset is None:
        return "NULL::BOOLEAN"
    local, hour = _local_hour(offset)
    blocks = " OR ".join(f"({hour} >= {a} AND {hour} < {b})" for a, b in sorted(template.work_hours_local))
    weekend = ", ".join(str(d + 1) for d in template.weekend_days) or "0"
    return f"(isodow({local}) NOT IN ({weekend}) AND ({blocks}))"


def _night_sql(offset: float | None, template: WorkingDay) -> str:
    """SQL boolean: the post falls in the template's sleeping hours at ``offset``."""
    if offset is None:
        return "NULL::BOOLEAN"
    _, hour = _local_hour(offset)
    a, b = template.sleep_hours_local
    return f"({hour} >= {a} AND {hour} < {b})"


def _activity(store: Store, offset: float | None, audience: float | None, template: WorkingDay) -> None:
    """``_ae_activity``: per-account counts, office share, gaps and copies in the period.

    The distinct targets and the median gap are computed apart: as aggregates over a million
    accounts (count DISTINCT, median) they took most of the step's time."""
    store.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ae_activity AS
        WITH p AS (
            SELECT platform, account_id, created_at, reply_to_account_id, is_copy, {_office_sql(offset, template)} AS office,
                   {_night_sql(audience, template)} AS night,
                   t - lag(t) OVER (PARTITION BY platform, account_id ORDER BY t, post_id) AS gap
            FROM _ae_posts WHERE in_period),
        ranked AS (  -- the median gap: the middle one, or halfway between the middle two
            SELECT platform, account_id, gap, row_number() OVER (PARTITION BY platform, account_id ORDER BY gap) AS r,
                   count(*) OVER (PARTITION BY platform, account_id) AS n
            FROM p WHERE gap IS NOT NULL),
        medians AS (
            SELECT platform, account_id, min(gap) + (max(gap) - min(gap)) * 0.5 AS median_gap_seconds
            FROM ranked WHERE 2 * r BETWEEN n AND n + 2 GROUP BY platform, account_id),
        targets AS (
            SELECT platform, account_id, count(reply_to_account_id) AS n_targets
            FROM (SELECT DISTINCT platform, account_id, reply_to_account_id FROM _ae_posts WHERE in_period)
            GROUP BY platform, account_id),
        totals AS (
            SELECT platform, account_id, count(*) AS n_posts, min(created_at) AS first_post_at,
                   max(created_at) AS last_post_at,
                   avg(office::INTEGER) AS office_share, avg(night::INTEGER) AS night_share,
                   CASE WHEN count(gap) >= 2 AND avg(gap) > 0 THEN stddev_pop(gap) / avg(gap) END AS gap_cv,
                   sum(is_copy::INTEGER) AS copy_posts
            FROM p GROUP BY platform, account_id)
        SELECT o.platform, o.account_id, o.n_posts, o.first_post_at, o.last_post_at, g.n_targets, o.office_share,
               o.night_share, o.gap_cv, m.median_gap_seconds, o.copy_posts
        FROM totals o JOIN targets g USING (platform, account_id) LEFT JOIN medians m USING (platform, account_id)""")


def _dormancy(store: Store, min_dormancy_days: float, has_text: bool, max_overlap: float, min_vocabulary: int) -> None:
    """``_ae_dormancy``: longest silence, and language and vocabulary before/after it for the reactivated."""
    min_gap = min_dormancy_days * 86400.0
    store.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ae_gaps AS
        WITH g AS (
            SELECT platform, account_id, post_id, created_at, t,
                   lag(created_at) OVER w AS prev_at, t - lag(t) OVER w AS gap
            FROM _ae_posts WINDOW w AS (PARTITION BY platform, account_id ORDER BY t, post_id))
        SELECT platform, account_id, count(*) AS n_posts_all, max(gap) AS longest_gap,
               arg_max(prev_at, (gap, created_at)) FILTER (WHERE gap IS NOT NULL) AS dormant_from,
               arg_max(created_at, (gap, created_at)) FILTER (WHERE gap IS NOT NULL) AS reactivated_at
        FROM g GROUP BY platform, account_id""")
    store.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ae_sides AS
        SELECT p.platform, p.account_id, p.post_id, p.lang,
               CASE WHEN p.created_at <= g.dormant_from THEN 'before' ELSE 'after' END AS side
        FROM _ae_posts p JOIN _ae_gaps g USING (platform, account_id)
        WHERE g.longest_gap >= {min_gap}""")
    if has_text:
        words = f"""
            words AS (
                SELECT DISTINCT s.platform, s.account_id, s.side, w.word
                FROM _ae_sides s JOIN post_text pt USING (platform, post_id),
                     unnest(string_split(pt.tokens, ' ')) AS w(word)
                WHERE w.word = lower(w.word) AND regexp_full_match(w.word, '\\p{{L}}+')
                  AND length(w.word) >= CASE WHEN regexp_full_match(w.word, '[a-z]+') THEN 4 ELSE 2 END),
            vocab AS (
                SELECT platform, account_id,
                       count(DISTINCT word) FILTER (WHERE side = 'before') AS words_before,
                       count(DISTINCT word) FILTER (WHERE side = 'after') AS words_after,
                       count(DISTINCT word) AS words_union
                FROM words GROUP BY platform, account_id)"""
        vocab_cols = """, CASE WHEN v.words_union > 0 THEN
                           (v.words_before + v.words_after - v.words_union)::DOUBLE / v.words_union END AS vocabulary_overlap,
                         CASE WHEN v.words_before >= {mv} AND v.words_after >= {mv} THEN
                           (v.words_before + v.words_after - v.words_union)::DOUBLE / v.words_union < {mo} END AS topic_switch
                      """.format(mv=min_vocabulary, mo=max_overlap)
        vocab_join = "LEFT JOIN vocab v USING (platform, account_id)"
    else:
        words, vocab_cols, vocab_join = "", ", NULL::DOUBLE AS vocabulary_overlap, NULL::BOOLEAN AS topic_switch", ""
    store.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ae_dormancy AS
        WITH langs AS (
            SELECT platform, account_id, side, lang, count(*) AS n
            FROM _ae_sides WHERE lang IS NOT NULL GROUP BY ALL),
        ranked AS (
            SELECT *, row_number() OVER (PARTITION BY platform, account_id, side ORDER BY n DESC, lang) AS r FROM langs),
        top AS (
            SELECT platform, account_id,
                   any_value(lang) FILTER (WHERE side = 'before') AS lang_before,
                   any_value(lang) FILTER (WHERE side = 'after') AS lang_after
            FROM ranked WHERE r = 1 GROUP BY platform, account_id),
        counts AS (
            SELECT platform, account_id, count(*) FILTER (WHERE side = 'before') AS posts_before,
                   count(*) FILTER (WHERE side = 'after') AS posts_after
            FROM _ae_sides GROUP BY platform, account_id){',' + words if words else ''}
        SELECT g.platform, g.account_id, g.n_posts_all, g.longest_gap / 86400.0 AS longest_gap_days,
               g.dormant_from, g.reactivated_at, coalesce(g.longest_gap >= {min_gap}, FALSE) AS reactivated,
               c.posts_before, c.posts_after, t.lang_before, t.lang_after,
               CASE WHEN t.lang_before IS NOT NULL AND t.lang_after IS NOT NULL THEN t.lang_before <> t.lang_after END
                   AS lang_switch
               {vocab_cols}
        FROM _ae_gaps g LEFT JOIN counts c USING (platform, account_id) LEFT JOIN top t USING (platform, account_id)
        {vocab_join}""")
    store.execute("DROP TABLE IF EXISTS _ae_gaps")
    store.execute("DROP TABLE IF EXISTS _ae_sides")


def _history(store: Store) -> None:
    """``_ae_history``: handles, names and bios an account was seen with (oldest first)."""
    store.execute("""
        CREATE OR REPLACE TEMP TABLE _ae_history AS
        WITH h AS (
            SELECT platform, account_id, nullif(trim(handle), '') AS handle, nullif(trim(display_name), '') AS display_name,
                   trim(description) AS description, observed_at FROM account_history),
        handles AS (SELECT platform, account_id, handle, min(observed_at) AS seen FROM h WHERE handle IS NOT NULL GROUP BY ALL),
        names AS (SELECT platform, account_id, display_name, min(observed_at) AS seen FROM h
                  WHERE display_name IS NOT NULL GROUP BY ALL),
        bios AS (SELECT platform, account_id, count(DISTINCT description) AS bios FROM h
                 WHERE description IS NOT NULL GROUP BY ALL)
        SELECT k.platform, k.account_id,
               coalesce(hh.n, 0) AS handles_seen, coalesce(nn.n, 0) AS names_seen, hh.handles, nn.names,
               coalesce(b.bios, 0) > 1 AS bio_changed
        FROM (SELECT DISTINCT platform, account_id FROM h) k
        LEFT JOIN (SELECT platform, account_id, count(*) AS n,
                          list(handle ORDER BY seen NULLS LAST, handle) AS handles FROM handles GROUP BY ALL) hh
               USING (platform, account_id)
        LEFT JOIN (SELECT platform, account_id, count(*) AS n,
                          list(display_name ORDER BY seen NULLS LAST, display_name) AS names FROM names GROUP BY ALL) nn
               USING (platform, account_id)
        LEFT JOIN bios b USING (platform, account_id)""")


def _base(store: Store) -> None:
    """``_ae_base``: one row per account with its profile, creation time and source."""
    sf = snowflake_time_sql("k.account_id")
    store.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ae_base AS
        WITH k AS (
            SELECT platform, account_id FROM accounts
            UNION SELECT DISTINCT platform, account_id FROM _ae_posts),
        firsts AS (SELECT platform, account_id, min(created_at) AS first_any FROM _ae_posts GROUP BY ALL),
        bio_norm AS (
            SELECT platform, account_id, lower(regexp_replace(trim(description), '\\s+', ' ', 'g')) AS bio
            FROM accounts WHERE description IS NOT NULL AND trim(description) <> ''),
        bio_counts AS (SELECT bio, count(*) AS n FROM bio_norm GROUP BY bio),
        ids AS (
            SELECT k.platform, k.account_id,
                   CASE WHEN k.platform = 'x' THEN {sf} END AS id_created_at
            FROM k)
        SELECT k.platform, k.account_id, a.handle, a.display_name,
               coalesce(a.created_at,
                        CASE WHEN i.id_created_at <= coalesce(f.first_any, a.observed_at, i.id_created_at)
                             THEN i.id_created_at END) AS created_at,
               CASE WHEN a.created_at IS NOT NULL THEN 'data'
                    WHEN i.id_created_at <= coalesce(f.first_any, a.observed_at, i.id_created_at) THEN 'snowflake'
               END AS created_at_source,
               i.id_created_at,
               {default_handle_sql('a.handle', 'k.platform')} AS default_handle,
               {handle_digits_sql('a.handle')}::INTEGER AS handle_digits,
               {handle_matches_name_sql('a.handle', 'a.display_name')} AS handle_matches_name,
               CASE WHEN a.description IS NULL THEN NULL ELSE trim(a.description) = '' END AS bio_empty,
               CASE WHEN a.description IS NULL THEN NULL ELSE coalesce(bc.n - 1, 0) END AS bio_shared_accounts,
               a.followers, a.following
        FROM k
        LEFT JOIN accounts a USING (platform, account_id)
        LEFT JOIN firsts f USING (platform, account_id)
        LEFT JOIN ids i USING (platform, account_id)
        LEFT JOIN bio_norm b USING (platform, account_id)
        LEFT JOIN bio_counts bc ON bc.bio = b.bio""")


def _batches(store: Store, window_s: float, background_s: float, max_p: float, min_accounts: int) -> pd.DataFrame:
    """Creation batches among the accounts posting in the period (counts in the engine, test in numpy)."""
    df = store.df(f"""
        WITH c AS (
            SELECT b.platform, b.account_id, epoch(b.created_at) AS t, b.created_at
            FROM _ae_base b JOIN _ae_activity a USING (platform, account_id)
            WHERE b.created_at IS NOT NULL AND a.n_posts > 0)
        SELECT platform, account_id, t, created_at,
               count(*) OVER (PARTITION BY platform ORDER BY t RANGE BETWEEN {window_s} PRECEDING AND {window_s} FOLLOWING)
                   AS n_win,
               count(*) OVER (PARTITION BY platform ORDER BY t RANGE BETWEEN {background_s} PRECEDING
                              AND {background_s} FOLLOWING) AS n_bg,
               min(t) OVER (PARTITION BY platform) AS t_min, max(t) OVER (PARTITION BY platform) AS t_max
        FROM c ORDER BY platform, t, account_id""")
    columns = ["platform", "account_id", "batch_accounts", "batch_expected", "batch_p_value", "batch_id",
               "batch_size", "batch_first_created_at", "batch_last_created_at"]
    if df.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    t = df["t"].to_numpy(float)
    n_win = df["n_win"].to_numpy(float)
    n_bg = df["n_bg"].to_numpy(float)
    # background span actually covered by data, minus the window; rate from the others (+1 pseudo-count)
    bg_span = np.minimum(t + background_s, df["t_max"].to_numpy(float)) - np.maximum(t - background_s, df["t_min"].to_numpy(float))
    outside = np.maximum(bg_span - 2 * window_s, 2 * window_s)
    expected = (n_bg - n_win + 1.0) * (2 * window_s) / outside
    p_value = poisson.sf(n_win - 2, expected)  # P(others >= n_win - 1)
    in_batch = (p_value <= max_p) & (n_win >= min_accounts)
    batch = np.full(len(df), -1, dtype=np.int64)
    platform = df["platform"].to_numpy()
    next_id, prev_t, prev_platform = 0, None, None
    flagged = np.flatnonzero(in_batch)  # rows are sorted by platform, then time
    for i in flagged:  # one pass over flagged accounts only (linear), not over pairs
        if prev_platform != platform[i] or prev_t is None or t[i] - prev_t > window_s:
            next_id += 1
        batch[i] = next_id
        prev_t, prev_platform = t[i], platform[i]
    if next_id:  # a batch needs min_accounts members itself, not only a crowded window
        sizes = np.bincount(batch[batch > 0], minlength=next_id + 1)
        keep = sizes >= min_accounts
        keep[0] = False
        renumber = np.cumsum(keep) * keep
        batch = np.where(batch > 0, renumber[np.maximum(batch, 0)], -1)
        batch[batch == 0] = -1
    out = pd.DataFrame({"platform": df["platform"], "account_id": df["account_id"],
                        "batch_accounts": df["n_win"].astype("int64"), "batch_expected": expected,
                        "batch_p_value": p_value, "batch_id": pd.array(np.where(batch > 0, batch, None), dtype="Int32")})
    grouped = df.assign(batch_id=batch)[batch > 0].groupby("batch_id")["created_at"]
    stats = pd.DataFrame({"batch_size": grouped.size(), "batch_first_created_at": grouped.min(),
                          "batch_last_created_at": grouped.max()})
    stats.index = stats.index.astype("int64")
    out = out.merge(stats, how="left", left_on=out["batch_id"].astype("Int64").fillna(-1).astype("int64"),
                    right_index=True).reset_index(drop=True)
    out["batch_size"] = out["batch_size"].astype("Int64")
    return out[columns]


def _assemble(store: Store, table: str, has_clusters: bool, offset: float | None,
              audience: float | None) -> pd.DataFrame:
    """Join the parts into ``table`` and return it."""
    names = [c for c, _, _ in EVIDENCE_COLUMNS]
    store.execute(f"""
        CREATE OR REPLACE TABLE {table} AS
        SELECT b.platform, b.account_id, b.handle, b.display_name,
               coalesce(a.n_posts, 0) AS n_posts, coalesce(d.n_posts_all, 0) AS n_posts_all,
               a.first_post_at, a.last_post_at, coalesce(a.n_targets, 0) AS n_targets,
               b.created_at, b.created_at_source, b.id_created_at,
               epoch(a.first_post_at - b.created_at) / 86400.0 AS age_at_first_post_days,
               bt.batch_accounts::BIGINT AS batch_accounts, bt.batch_expected::DOUBLE AS batch_expected,
               bt.batch_p_value::DOUBLE AS batch_p_value, bt.batch_id::INTEGER AS batch_id,
               bt.batch_size::BIGINT AS batch_size, bt.batch_first_created_at::TIMESTAMPTZ AS batch_first_created_at,
               bt.batch_last_created_at::TIMESTAMPTZ AS batch_last_created_at,
               b.default_handle, b.handle_digits, b.handle_matches_name,
               b.bio_empty, b.bio_shared_accounts, b.followers, b.following,
               d.longest_gap_days, d.dormant_from, d.reactivated_at, coalesce(d.reactivated, FALSE) AS reactivated,
               d.posts_before, d.posts_after, d.lang_before, d.lang_after, d.lang_switch,
               d.vocabulary_overlap, d.topic_switch,
               coalesce(h.handles_seen, 0) AS handles_seen, coalesce(h.names_seen, 0) AS names_seen,
               list_filter(coalesce(h.handles, []), lambda x: x IS DISTINCT FROM b.handle) AS previous_handles,
               list_filter(coalesce(h.names, []), lambda x: x IS DISTINCT FROM b.display_name) AS previous_names,
               coalesce(h.handles_seen, 0) > 1 OR coalesce(h.names_seen, 0) > 1 AS renamed,
               coalesce(h.bio_changed, FALSE) AS bio_changed,
               coalesce(d.reactivated, FALSE) AND (coalesce(d.lang_switch, FALSE) OR coalesce(d.topic_switch, FALSE)
                   OR coalesce(h.handles_seen, 0) > 1 OR coalesce(h.names_seen, 0) > 1
                   OR coalesce(h.bio_changed, FALSE)) AS reactivated_with_switch,
               a.office_share, {'NULL' if offset is None else float(offset)}::DOUBLE AS office_utc_offset_hours,
               a.night_share, {'NULL' if audience is None else float(audience)}::DOUBLE AS audience_utc_offset_hours,
               a.gap_cv, a.median_gap_seconds,
               {'coalesce(a.copy_posts, 0)' if has_clusters else 'NULL::BIGINT'} AS copy_posts,
               {'a.copy_posts::DOUBLE / a.n_posts' if has_clusters else 'NULL::DOUBLE'} AS copy_share
        FROM _ae_base b
        LEFT JOIN _ae_activity a USING (platform, account_id)
        LEFT JOIN _ae_dormancy d USING (platform, account_id)
        LEFT JOIN _ae_history h USING (platform, account_id)
        LEFT JOIN _ae_batches bt USING (platform, account_id)
        ORDER BY b.platform, b.account_id""")
    out = store.df(f"SELECT * FROM {table}")
    return out[names]
