"""Explainable scores: which accounts belong to the bot network, and why.

Coordination alone is not inauthenticity: citizens pasting an advocacy template and people
sharing a viral headline are coordinated but authentic. A score therefore needs **both**:

* **coordination** — the account posted copies of messages judged to be the campaign's, and
  posted them to the same target within minutes of other accounts (a squad);
* **inauthenticity** — the account was created in a batch shortly before, carries the
  platform's default handle, an empty or shared bio, few followers; or it is an old account
  revived after a long silence with another language, topic or name (hijacked); it has no
  organic history (nearly everything it posted is a copy); or it posts in another time zone's
  office hours.

Each signal has a weight; an account's coordination ``C`` and inauthenticity ``I`` combine
their signals as independent evidence (``1 - Π(1 - w)``), and its score is ``sqrt(C · I)``
(0–1): high only when both are. Flag at ``flag_threshold`` (0.5). Every signal that applied
is written out in words (``reasons``).

A copy cluster is judged part of the campaign (:func:`judge_clusters`) when most of its posts
were squad-posted (another account, same target, within ``squad_window_minutes``) and a
substantial share of its accounts look inauthentic. Method and known false positives:
``docs/scoring.md``.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from .errors import ParameterError
from .store import Store


@dataclasses.dataclass(frozen=True)
class ScoringParams:
    """Parameters of the scores (recorded in ``runs``; units in the names).

    Attributes:
        squad_window_minutes: two posts of one message to one target this close are squad-posted.
        min_squad_share: a campaign cluster has at least this share of squad-posted posts.
        min_inauthentic_share: ... and at least this share of accounts with inauthenticity >= 0.4.
        young_account_days: an account this young at its first post counts as new.
        few_followers: at most this many followers counts as few.
        office_share_min: share of posts in the campaign's office hours that counts as a fit.
        min_office_offset_gap_hours: the office-hours signal only counts when the campaign's
            fitted UTC offset is at least this far from the baseline's (another time zone).
        flag_threshold: flag accounts whose score reaches this (0–1).
    """

    squad_window_minutes: float = 15.0
    min_squad_share: float = 0.5
    min_inauthentic_share: float = 0.25
    young_account_days: float = 90.0
    few_followers: int = 10
    office_share_min: float = 0.6
    min_office_offset_gap_hours: float = 5.0
    flag_threshold: float = 0.5

    def __post_init__(self):
        for name in ("min_squad_share", "min_inauthentic_share", "office_share_min", "flag_threshold"):
            if not 0 <= getattr(self, name) <= 1:
                raise ParameterError(f"{name}={getattr(self, name)}: must be between 0 and 1")
        if self.squad_window_minutes <= 0 or self.young_account_days <= 0:
            raise ParameterError("squad_window_minutes and young_account_days must be positive")


#: Inauthenticity signals: (name, weight, SQL condition on account_evidence e, SQL reason text).
INAUTHENTICITY_SIGNALS = [
    ("created in a batch", 0.6,
     "e.batch_id IS NOT NULL AND e.age_at_first_post_days <= {young}",
     "'created ' || strftime(e.created_at, '%Y-%m-%d') || ' in a batch of ' || e.batch_size || "
     "' accounts created within a day of each other, ' || round(e.age_at_first_post_days)::INTEGER || ' days before its first post here'"),
    ("new account", 0.3,
     "e.batch_id IS NULL AND e.age_at_first_post_days <= 30",
     "'created only ' || round(e.age_at_first_post_days)::INTEGER || ' days before its first post here'"),
    ("default handle", 0.4,
     "e.default_handle",
     "'handle in the platform''s default auto-generated shape (a name and ' || e.handle_digits || ' digits): @' || e.handle"),
    ("empty bio", 0.15, "e.bio_empty", "'empty profile bio'"),
    ("shared bio", 0.3, "e.bio_shared_accounts >= 2",
     "'the same profile bio as ' || e.bio_shared_accounts || ' other accounts'"),
    ("few followers", 0.15, "e.followers <= {few}", "'only ' || e.followers || ' followers'"),
    ("revived after dormancy", 0.7,
     "e.reactivated_with_switch",
     "'silent for ' || round(e.longest_gap_days / 365.25, 1) || ' years, then revived' || "
     "CASE WHEN e.lang_switch THEN ' switching language from ' || e.lang_before || ' to ' || e.lang_after ELSE '' END || "
     "CASE WHEN e.topic_switch THEN ', with different vocabulary' ELSE '' END || "
     "CASE WHEN e.renamed AND len(e.previous_handles) > 0 THEN ', renamed from @' || e.previous_handles[1] "
     "     WHEN e.renamed AND len(e.previous_names) > 0 THEN ', renamed from ' || chr(39) || e.previous_names[1] || chr(39) ELSE '' END"),
    ("no organic history", 0.5,
     "e.n_posts >= 3 AND e.copy_share >= 0.9",
     "CASE WHEN e.copy_share = 1 THEN 'all ' ELSE round(100 * e.copy_share)::INTEGER || '% of ' END || 'its ' || e.n_posts || "
     "' posts are copies of messages other accounts posted too: almost nothing of its own'"),
    ("office hours", 0.3,
     "{office_applies} AND e.n_posts >= 3 AND e.office_share >= {office_min}",
     "round(100 * e.office_share)::INTEGER || '% of its posts fall in weekday office hours at UTC' || "
     "CASE WHEN e.office_utc_offset_hours >= 0 THEN '+' ELSE '' END || e.office_utc_offset_hours || "
     "', another time zone than its targets'' audience'"),
]


def squad_posts(store: Store, params: ScoringParams = ScoringParams()) -> pd.DataFrame:
    """Copies posted to the same target within ``squad_window_minutes`` by another account.

    Needs ``clusters`` and ``cluster_summary``. Leaves the temporary tables ``_copies`` (every post of
    a cluster copied by two or more accounts) and ``_squad`` (post, partner account) for the next steps.

    Returns:
        DataFrame (platform, post_id) of the squad-posted copies.
    """
    window = float(params.squad_window_minutes) * 60
    store.execute("""
        CREATE OR REPLACE TEMP TABLE _copies AS
        SELECT c.cluster_id, c.platform, c.post_id, p.account_id, p.reply_to_account_id AS target, epoch(p.created_at) AS t
        FROM clusters c JOIN cluster_summary s USING (cluster_id) JOIN posts p USING (platform, post_id)
        WHERE s.n_accounts >= 2""")
    store.execute(f"""
        CREATE OR REPLACE TEMP TABLE _squad AS
        SELECT a.cluster_id, a.platform, a.post_id, a.account_id, b.account_id AS partner
        FROM _copies a JOIN _copies b ON a.cluster_id = b.cluster_id AND a.target = b.target
         AND a.account_id <> b.account_id AND b.t BETWEEN a.t - {window} AND a.t + {window}""")
    return store.df("SELECT DISTINCT platform, post_id FROM _squad ORDER BY platform, post_id")


def judge_clusters(store: Store, params: ScoringParams = ScoringParams()) -> pd.DataFrame:
    """Judge which copy clusters are the campaign's; writes ``cluster_judgement``.

    Needs ``clusters``, ``cluster_summary`` and ``account_evidence``.

    Returns:
        DataFrame (cluster_id, n_posts, n_accounts, squad_share, inauthentic_share, campaign, reason).
    """
    inauth = _inauthenticity_sql(store, params)
    store.execute(f"""CREATE OR REPLACE TEMP TABLE _inauth AS
                      SELECT e.platform, e.account_id, {inauth} AS inauthenticity FROM account_evidence e""")
    squad_posts(store, params)
    store.execute(f"""
        CREATE OR REPLACE TABLE cluster_judgement AS
        WITH squad_posts AS (SELECT DISTINCT cluster_id, platform, post_id FROM _squad),
        posts_in AS (
            SELECT c.cluster_id, count(*) AS n_posts, count(DISTINCT c.account_id) AS n_accounts,
                   count(q.post_id) AS squad_posts
            FROM _copies c LEFT JOIN squad_posts q USING (cluster_id, platform, post_id) GROUP BY c.cluster_id),
        accounts_in AS (
            SELECT c.cluster_id, avg((coalesce(i.inauthenticity, 0) >= 0.4)::INTEGER) AS inauthentic_share
            FROM (SELECT DISTINCT cluster_id, platform, account_id FROM _copies) c
            LEFT JOIN _inauth i USING (platform, account_id) GROUP BY c.cluster_id)
        SELECT p.cluster_id, p.n_posts, p.n_accounts, round(p.squad_posts / p.n_posts, 4) AS squad_share,
               round(a.inauthentic_share, 4) AS inauthentic_share,
               p.squad_posts / p.n_posts >= {params.min_squad_share} AND a.inauthentic_share >= {params.min_inauthentic_share} AS campaign,
               round(100 * p.squad_posts / p.n_posts)::INTEGER || '% of its ' || p.n_posts || ' posts were posted to the same target '
               || 'within {params.squad_window_minutes:g} minutes of another account; ' || round(100 * a.inauthentic_share)::INTEGER
               || '% of its ' || p.n_accounts || ' accounts show signs of being new, mass-made or hijacked' AS reason
        FROM posts_in p JOIN accounts_in a USING (cluster_id)
        ORDER BY cluster_id""")
    return store.df("SELECT * FROM cluster_judgement")


def score_accounts(store: Store, params: ScoringParams = ScoringParams()) -> pd.DataFrame:
    """Score every account that posted; writes ``account_scores``.

    Needs :func:`judge_clusters` to have run (it leaves the squad pairs it found).

    Returns:
        DataFrame (platform, account_id, handle, score, flagged, coordination, inauthenticity,
        reasons: list of sentences, campaign_posts, campaign_clusters, squad_partners), strongest first.
    """
    conditions = []
    for name, weight, condition, reason in INAUTHENTICITY_SIGNALS:
        conditions.append((name, weight, _fill(condition, store, params), reason))
    inauth_terms = " * ".join(f"(1 - CASE WHEN coalesce({c}, false) THEN {w} ELSE 0 END)" for _, w, c, _ in conditions)
    reasons = ", ".join(f"CASE WHEN coalesce({c}, false) THEN {r} END" for _, _, c, r in conditions)
    store.execute(f"""
        CREATE OR REPLACE TABLE account_scores AS
        WITH campaign_copies AS (
            SELECT c.platform, c.account_id, count(*) AS campaign_posts, count(DISTINCT c.cluster_id) AS campaign_clusters,
                   list(DISTINCT c.cluster_id ORDER BY c.cluster_id) AS cluster_ids
            FROM _copies c JOIN cluster_judgement j USING (cluster_id) WHERE j.campaign GROUP BY ALL),
        squads AS (
            SELECT q.platform, q.account_id, count(DISTINCT q.partner) AS squad_partners
            FROM _squad q JOIN cluster_judgement j USING (cluster_id) WHERE j.campaign GROUP BY ALL),
        scored AS (
            SELECT e.platform, e.account_id, e.handle,
                   coalesce(cc.campaign_posts, 0) AS campaign_posts, coalesce(cc.campaign_clusters, 0) AS campaign_clusters,
                   coalesce(sq.squad_partners, 0) AS squad_partners,
                   1 - (1 - (1 - pow(0.5, coalesce(cc.campaign_posts, 0))))
                     * (1 - CASE WHEN coalesce(sq.squad_partners, 0) >= 2 THEN 0.5 ELSE 0 END) AS coordination,
                   1 - {inauth_terms} AS inauthenticity,
                   [r FOR r IN [
                       CASE WHEN cc.campaign_posts > 0 THEN 'posted ' || cc.campaign_posts || ' copies of ' || cc.campaign_clusters
                            || ' message(s) judged part of the campaign (cluster ' || array_to_string(cc.cluster_ids[1:5], ', ') || ')' END,
                       CASE WHEN sq.squad_partners >= 2 THEN 'posted them to the same targets within {params.squad_window_minutes:g} minutes of '
                            || sq.squad_partners || ' other accounts' END,
                       {reasons}] IF r IS NOT NULL] AS reasons
            FROM account_evidence e
            LEFT JOIN campaign_copies cc USING (platform, account_id)
            LEFT JOIN squads sq USING (platform, account_id))
        SELECT platform, account_id, handle, round(sqrt(coordination * inauthenticity), 4) AS score,
               sqrt(coordination * inauthenticity) >= {params.flag_threshold} AS flagged,
               round(coordination, 4) AS coordination, round(inauthenticity, 4) AS inauthenticity, reasons,
               campaign_posts, campaign_clusters, squad_partners
        FROM scored ORDER BY score DESC, platform, account_id""")
    return store.df("SELECT * FROM account_scores")


def _inauthenticity_sql(store: Store, params: ScoringParams) -> str:
    terms = " * ".join(f"(1 - CASE WHEN coalesce({_fill(c, store, params)}, false) THEN {w} ELSE 0 END)"
                       for _, w, c, _ in INAUTHENTICITY_SIGNALS)
    return f"1 - {terms}"


def _fill(condition: str, store: Store, params: ScoringParams) -> str:
    office_applies = "true" if _office_offset_applies(store, params) else "false"
    return condition.format(young=params.young_account_days, few=params.few_followers,
                            office_min=params.office_share_min, office_applies=office_applies)


def _office_offset_applies(store: Store, params: ScoringParams) -> bool:
    """True when the campaign's fitted office offset (recorded by the evidence step) lies at least
    ``min_office_offset_gap_hours`` from the baseline's."""
    recorded = store.run_params("office_offsets") or {}
    campaign, baseline = recorded.get("campaign"), recorded.get("baseline")
    if campaign is None or baseline is None:
        return False
    gap = abs(campaign - baseline) % 24
    return min(gap, 24 - gap) >= params.min_office_offset_gap_hours
