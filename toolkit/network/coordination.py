"""Coordination network: accounts linked by doing the same thing within seconds of each other.

Two accounts are linked by a **coordinated action** when each posts something with the same
*object* within ``window_seconds`` of the other:

=========  =====================================================================================
action     object
=========  =====================================================================================
text       the same copy cluster (near-duplicate text, any language: ``clusters.cluster_id``)
reply      the same account replied to (``reply_to_account_id``, the target)
link       the same URL (lower-cased)
hashtag    the same hashtag (lower-cased)
repost     the same reposted post (``repost_of_post_id``)
=========  =====================================================================================

Method (all in the engine, never a Python loop over pairs): every (post, object) is an
*action* with a time ``t``; objects taken by a single account are dropped; each action gets a
time bucket ``floor(t / window_seconds)``; actions are joined to actions on the same object in
the same or the previous bucket (an equi-join on (object, bucket)), and pairs more than
``window_seconds`` apart are dropped. Each unordered pair of posts is found exactly once, so
the cost grows with the number of near-simultaneous actions, not with the square of an
object's size. With ``min_edge_weight`` of 3 or more (which needs two distinct posts on one
side), the pairs of accounts with such a second post are found first from the matches alone
(two distinct pairs of posts: the smallest and largest differ); the matches are then stored
only for those pairs of accounts, so the one-off chance pairs around a busy target are counted
but never kept.

Edge measures (one row per pair of accounts):

* ``weight`` — the number of distinct coordinated actions: posts of either account that have
  a partner post of the other within the window (a post counts once whatever the number of
  objects or partners); ``actions_a`` + ``actions_b``;
* ``weight_text``, ``weight_reply``, ``weight_link``, ``weight_hashtag``, ``weight_repost`` —
  the same count per action type (NULL for a type not computed);
* ``symmetry`` — min(actions_a, actions_b) / max(...): 1 when both sides contribute alike,
  near 0 when one hyperactive account makes most of the pair's actions;
* ``co_events`` (matched post pairs), ``shared_objects``, ``first_at``, ``last_at``,
  ``median_lag_seconds`` and one example pair of post ids, as evidence.

Example:
    >>> from toolkit.store import Store
    >>> from toolkit.demo import load_sample
    >>> from toolkit.clusters import find_clusters
    >>> from toolkit.network import coordination_edges
    >>> store = Store(":memory:"); _ = load_sample(store); _ = find_clusters(store)  # doctest: +SKIP
    >>> edges = coordination_edges(store, window_seconds=60)                     # doctest: +SKIP
"""

from __future__ import annotations

import logging
from typing import Any, Iterable

import pandas as pd

from ..accounts._common import check_number, iso, period_bounds, period_sql
from ..errors import ParameterError
from ..store import Store

log = logging.getLogger(__name__)

#: Action types, in the order of their weight columns.
ACTION_TYPES = ("text", "reply", "link", "hashtag", "repost")
#: Tables written by :func:`coordination_edges`.
EDGE_TABLE = "coordination_edges"
ACCOUNT_TABLE = "coordination_accounts"

#: (column, DuckDB type, meaning) of ``coordination_edges``.
EDGE_COLUMNS: list[tuple[str, str, str]] = [
    ("platform_a", "VARCHAR", "platform of the first account (pairs are ordered: (platform_a, account_id_a) < (platform_b, account_id_b))"),
    ("account_id_a", "VARCHAR", "first account"),
    ("platform_b", "VARCHAR", "platform of the second account"),
    ("account_id_b", "VARCHAR", "second account"),
    ("weight", "BIGINT", "distinct coordinated actions: posts of either account with a partner post of the other within the window"),
    ("actions_a", "BIGINT", "of which posts by account a"),
    ("actions_b", "BIGINT", "of which posts by account b"),
    ("symmetry", "DOUBLE", "min(actions_a, actions_b) / max(actions_a, actions_b): near 0 when one side makes most actions"),
    *[(f"weight_{k}", "BIGINT", f"coordinated actions of type '{k}' (NULL if not computed)") for k in ACTION_TYPES],
    ("co_events", "BIGINT", "matched pairs of posts (a post of a with a post of b, same object, within the window)"),
    ("shared_objects", "BIGINT", "distinct objects (clusters, targets, links, hashtags, reposted posts) behind the matches"),
    ("first_at", "TIMESTAMPTZ", "earliest matched post, UTC"),
    ("last_at", "TIMESTAMPTZ", "latest matched post, UTC"),
    ("median_lag_seconds", "DOUBLE", "median time between matched posts, seconds"),
    ("example_action", "VARCHAR", "action type of the earliest match"),
    ("example_post_a", "VARCHAR", "post_id of account a in the earliest match"),
    ("example_post_b", "VARCHAR", "post_id of account b in the earliest match"),
]

#: (column, DuckDB type, meaning) of ``coordination_accounts``.
ACCOUNT_COLUMNS: list[tuple[str, str, str]] = [
    ("platform", "VARCHAR", "platform"),
    ("account_id", "VARCHAR", "account"),
    ("handle", "VARCHAR", "latest handle, NULL if none"),
    ("n_posts", "BIGINT", "posts in the period"),
    ("degree", "BIGINT", "accounts it is linked to (edges kept)"),
    ("strength", "BIGINT", "sum of the weights of its edges"),
    ("coordinated_posts", "BIGINT", "its posts taking part in a kept edge"),
    ("coordinated_share", "DOUBLE", "coordinated_posts / n_posts"),
    ("max_edge_weight", "BIGINT", "weight of its heaviest edge: repeated coordination with one partner"),
    ("mean_symmetry", "DOUBLE", "mean symmetry of its edges"),
    *[(f"coordinated_posts_{k}", "BIGINT", f"its posts coordinated by action type '{k}'") for k in ACTION_TYPES],
]


def edge_columns() -> pd.DataFrame:
    """The ``coordination_edges`` columns with types and meanings."""
    return pd.DataFrame(EDGE_COLUMNS, columns=["column", "type", "meaning"])


def _actions_sql(actions: tuple[str, ...], period: str) -> str:
    """SQL: one row per distinct (action type, object, post) in the period."""
    def base(column: str = "", where: str = "") -> str:  # only the columns a branch needs: unnest reads every column it is given
        return (f"SELECT rowid AS pid, platform, account_id, created_at{', ' + column if column else ''} FROM posts "
                f"WHERE account_id IS NOT NULL AND {period}{' AND ' + where if where else ''}")
    parts = {
        "text": f"""SELECT 'text' AS kind, CAST(c.cluster_id AS VARCHAR) AS obj, p.pid, p.platform, p.account_id, p.created_at
                    FROM ({base("post_id")}) p JOIN clusters c USING (platform, post_id)""",
        "reply": f"""SELECT 'reply' AS kind, p.platform || ':' || p.reply_to_account_id AS obj, p.pid, p.platform, p.account_id, p.created_at
                     FROM ({base("reply_to_account_id", "reply_to_account_id IS NOT NULL AND reply_to_account_id <> account_id")}) p""",
        "link": f"""SELECT DISTINCT 'link' AS kind, lower(trim(u.url)) AS obj, p.pid, p.platform, p.account_id, p.created_at
                    FROM ({base("urls", "len(urls) > 0")}) p, unnest(p.urls) AS u(url) WHERE u.url IS NOT NULL AND trim(u.url) <> ''""",
        "hashtag": f"""SELECT DISTINCT 'hashtag' AS kind, lower(trim(h.tag)) AS obj, p.pid, p.platform, p.account_id, p.created_at
                       FROM ({base("hashtags", "len(hashtags) > 0")}) p, unnest(p.hashtags) AS h(tag) WHERE h.tag IS NOT NULL AND trim(h.tag) <> ''""",
        "repost": f"""SELECT 'repost' AS kind, p.platform || ':' || p.repost_of_post_id AS obj, p.pid, p.platform, p.account_id, p.created_at
                      FROM ({base("repost_of_post_id", "repost_of_post_id IS NOT NULL")}) p""",
    }
    return "\nUNION ALL\n".join(parts[a] for a in actions)


def _check_actions(actions: Iterable[str] | str) -> tuple[str, ...]:
    if isinstance(actions, str):
        actions = (actions,)
    try:
        chosen = tuple(dict.fromkeys(actions))
    except TypeError:
        raise ParameterError(f"actions={actions!r}: expected a list of action types from {list(ACTION_TYPES)}.") from None
    unknown = [a for a in chosen if a not in ACTION_TYPES]
    if unknown or not chosen:
        raise ParameterError(f"actions={actions!r}: expected one or more of {list(ACTION_TYPES)}"
                             + (f"; unknown: {unknown}" if unknown else "") + ".")
    return tuple(a for a in ACTION_TYPES if a in chosen)


def coordination_edges(store: Store, *, window_seconds: float = 60.0, min_edge_weight: int = 2,
                       actions: Iterable[str] = ACTION_TYPES, start: Any = None, end: Any = None,
                       table: str = EDGE_TABLE, account_table: str = ACCOUNT_TABLE, fetch: bool = True) -> pd.DataFrame | dict:
    """Link accounts that take the same action within ``window_seconds``; write the edges and per-account totals.

    Args:
        store: a loaded workspace; the ``text`` action needs the ``clusters`` table of
            :func:`toolkit.clusters.find_clusters`.
        window_seconds: two posts are coordinated when at most this many seconds apart (60: a minute).
        min_edge_weight: keep pairs with at least this many coordinated actions (2 = at least one
            post from each side, i.e. every pair that acted together once).
        actions: action types to link on, from :data:`ACTION_TYPES`.
        start, end: period of the posts considered (UTC, inclusive; None = unbounded).
        table: edge table written (replaced).
        account_table: per-account table written (replaced), columns :data:`ACCOUNT_COLUMNS`.
        fetch: return the edges as a DataFrame; False returns only the parameters (a network of
            millions of edges stays in the workspace).

    Returns:
        The edges, one row per linked pair of accounts, columns :data:`EDGE_COLUMNS` (see
        :func:`edge_columns`), sorted by weight (descending) then accounts. ``attrs['parameters']``
        holds the parameters (also recorded in ``runs``); ``attrs['accounts']`` the per-account table.
        With ``fetch=False``: the parameters.

    Raises:
        ParameterError: a parameter is out of range, or ``text`` is asked for without a ``clusters`` table.

    Caveats:
        Coordination is ordinary human behaviour: people answer the same post of a prominent MP in the
        same minute, share the same breaking link or hashtag, and advocacy groups hand out templates.
        An edge is evidence of acting together, not of inauthenticity; weak edges (weight 2–3) arise
        by chance around busy targets and news. A hyperactive account links to many others with low
        symmetry.
    """
    window_seconds = check_number("window_seconds", window_seconds, minimum=0, strict=True,
                                  hint="Use 60 for posts within a minute of each other.")
    min_edge_weight = int(check_number("min_edge_weight", min_edge_weight, minimum=2, integer=True,
                                       hint="A coordinated action involves a post from each side, so 2 keeps every pair."))
    chosen = _check_actions(actions)
    lo, hi = period_bounds(start, end)
    for name in (table, account_table):
        if not name.isidentifier():
            raise ParameterError(f"table name {name!r}: expected a plain SQL name (letters, digits, underscores).")
    if "text" in chosen and not store.has_table("clusters"):
        raise ParameterError("actions includes 'text' but the workspace has no clusters table. Run "
                             "toolkit.clusters.find_clusters(store) first, or pass actions without 'text'.")
    w = float(window_seconds)
    params = {"window_seconds": w, "min_edge_weight": min_edge_weight, "actions": list(chosen),
              "start": iso(lo), "end": iso(hi)}
    try:
        _build(store, chosen, w, min_edge_weight, period_sql(lo, hi, "created_at"), table, account_table)
    finally:
        for name in ("_cn_raw", "_cn_acts", "_cn_repeat", "_cn_pairs", "_cn_kept"):
            store.execute(f"DROP TABLE IF EXISTS {name}")
    store.record_run(table, params)
    log.info("coordination network: %d edges between %d accounts (window %gs, min weight %d, actions %s)",
             store.scalar(f"SELECT count(*) FROM {table}"), store.scalar(f"SELECT count(*) FROM {account_table}"),
             w, min_edge_weight, ",".join(chosen))
    if not fetch:
        return params
    edges = store.df(f"SELECT * FROM {table} ORDER BY weight DESC, platform_a, account_id_a, platform_b, account_id_b")
    edges.attrs["parameters"] = params
    edges.attrs["accounts"] = store.df(f"SELECT * FROM {account_table} ORDER BY platform, account_id")
    return edges


def _matches_sql(acts: str, w: float) -> str:
    """SQL: every unordered pair of posts of two accounts on one object at most ``w`` seconds apart,
    found once (columns kind, key_id, node_a < node_b, the post of each, pid_a and pid_b, the
    earlier time t and the lag between the two).

    Same bucket (ordered by node) or the previous bucket (any order): the bucket equi-join keeps
    busy objects from exploding into all pairs of their actions."""
    return f"""
        WITH r AS (SELECT *, unnest([bucket, bucket + 1]) AS jb FROM {acts}),
        matched AS (
            SELECT l.kind, l.key_id, l.node AS ln, r.node AS rn, l.pid AS lp, r.pid AS rp, l.t AS lt, r.t AS rt
            FROM {acts} l JOIN r ON r.key_id = l.key_id AND r.jb = l.bucket
            WHERE abs(l.t - r.t) <= {w}
              AND ((r.bucket = l.bucket AND l.node < r.node) OR (r.bucket = l.bucket - 1 AND l.node <> r.node)))
        SELECT kind, key_id, least(ln, rn) AS node_a, greatest(ln, rn) AS node_b,
               CASE WHEN ln < rn THEN lp ELSE rp END AS pid_a, CASE WHEN ln < rn THEN rp ELSE lp END AS pid_b,
               least(lt, rt) AS t, abs(lt - rt) AS lag
        FROM matched"""


def _build(store: Store, chosen: tuple[str, ...], w: float, min_weight: int, period: str, table: str,
           account_table: str) -> None:
    # actions on objects shared by >= 2 accounts, with integer node and object ids and a time bucket
    store.execute(f"CREATE OR REPLACE TEMP TABLE _cn_raw AS {_actions_sql(chosen, period)}")
    # objects and accounts get a rank: accounts in (platform, account_id) order, so node_a < node_b orders the pair
    store.execute(f"""
        CREATE OR REPLACE TEMP TABLE _cn_acts AS
        WITH shared AS (
            SELECT kind, obj, row_number() OVER (ORDER BY kind, obj) AS key_id FROM _cn_raw
            GROUP BY kind, obj HAVING count(DISTINCT (platform, account_id)) >= 2),
        keyed AS (SELECT s.key_id, r.* FROM _cn_raw r JOIN shared s USING (kind, obj)),
        nodes AS (
            SELECT platform, account_id, row_number() OVER (ORDER BY platform, account_id)::INTEGER AS node
            FROM (SELECT DISTINCT platform, account_id FROM keyed))
        SELECT k.kind, k.key_id, k.pid, n.node, k.platform, k.account_id,
               epoch(k.created_at) AS t, floor(epoch(k.created_at) / {w})::BIGINT AS bucket
        FROM keyed k JOIN nodes n USING (platform, account_id)""")
    store.execute("DROP TABLE IF EXISTS _cn_raw")
    if min_weight >= 3:
        # weight 3 needs two posts on one side, i.e. two distinct matched pairs of posts: find the pairs of
        # accounts with those first (the smallest and largest pair of posts over the matches, nothing else
        # kept), then match again only among them
        pair_of_posts = "((pid_a::BIGINT << 32) | pid_b)" if (store.scalar("SELECT max(pid) FROM _cn_acts") or 0) < 2 ** 31 \
            else "((pid_a::HUGEINT << 64) | pid_b)"
        store.execute(f"""
            CREATE OR REPLACE TEMP TABLE _cn_repeat AS
            SELECT node_a, node_b FROM ({_matches_sql('_cn_acts', w)})
            GROUP BY node_a, node_b HAVING min({pair_of_posts}) <> max({pair_of_posts})""")
        store.execute("""
            CREATE OR REPLACE TEMP TABLE _cn_acts AS
            SELECT * FROM _cn_acts SEMI JOIN (SELECT node_a AS node FROM _cn_repeat UNION SELECT node_b FROM _cn_repeat)
            USING (node)""")
    store.execute(f"CREATE OR REPLACE TEMP TABLE _cn_pairs AS {_matches_sql('_cn_acts', w)}")
    if min_weight >= 3:
        store.execute("CREATE OR REPLACE TEMP TABLE _cn_pairs AS SELECT * FROM _cn_pairs SEMI JOIN _cn_repeat USING (node_a, node_b)")
    # per pair of accounts; distinct posts are counted by grouping first (faster than count(DISTINCT))
    flags = ", ".join(f"bool_or(kind = '{k}') AS is_{k}" for k in chosen)

    def side(s: str) -> str:  # actions of one side: its distinct posts, and how many per action type
        return f"""SELECT node_a, node_b, count(*) AS actions, {', '.join(f'count_if(is_{k}) AS is_{k}' for k in chosen)}
                   FROM (SELECT node_a, node_b, pid_{s}, {flags} FROM _cn_pairs GROUP BY node_a, node_b, pid_{s})
                   GROUP BY node_a, node_b"""
    weights = ",\n               ".join((f"a.is_{k} + b.is_{k}" if k in chosen else "NULL::BIGINT") + f" AS weight_{k}"
                                       for k in ACTION_TYPES)
    store.execute(f"""
        CREATE OR REPLACE TEMP TABLE _cn_kept AS
        WITH a AS ({side('a')}), b AS ({side('b')})
        SELECT node_a, node_b, a.actions AS actions_a, b.actions AS actions_b, {weights}
        FROM a JOIN b USING (node_a, node_b)
        WHERE a.actions + b.actions >= {min_weight}""")
    # the evidence of the kept pairs only
    store.execute("CREATE OR REPLACE TEMP TABLE _cn_pairs AS SELECT * FROM _cn_pairs SEMI JOIN _cn_kept USING (node_a, node_b)")
    store.execute(f"""
        CREATE OR REPLACE TEMP TABLE _cn_kept AS
        WITH co AS (SELECT node_a, node_b, count(*) AS co_events
                    FROM (SELECT DISTINCT node_a, node_b, pid_a, pid_b FROM _cn_pairs) GROUP BY node_a, node_b),
        objects AS (SELECT node_a, node_b, count(*) AS shared_objects
                    FROM (SELECT DISTINCT node_a, node_b, kind, key_id FROM _cn_pairs) GROUP BY node_a, node_b),
        times AS (SELECT node_a, node_b, min(t) AS t_first, max(t) AS t_last, median(lag) AS median_lag_seconds,
                         min({{'t': t, 'pid_a': pid_a, 'pid_b': pid_b, 'kind': kind}}) AS earliest
                  FROM _cn_pairs GROUP BY node_a, node_b)
        SELECT k.*, co.co_events, objects.shared_objects, times.t_first, times.t_last, times.median_lag_seconds,
               times.earliest.kind AS example_action, times.earliest.pid_a AS ex_a, times.earliest.pid_b AS ex_b
        FROM _cn_kept k JOIN co USING (node_a, node_b) JOIN objects USING (node_a, node_b) JOIN times USING (node_a, node_b)""")
    nodes = "(SELECT DISTINCT node, platform, account_id FROM _cn_acts)"
    store.execute(f"""
        CREATE OR REPLACE TABLE {table} AS
        SELECT na.platform AS platform_a, na.account_id AS account_id_a, nb.platform AS platform_b,
               nb.account_id AS account_id_b, (e.actions_a + e.actions_b)::BIGINT AS weight,
               e.actions_a::BIGINT AS actions_a, e.actions_b::BIGINT AS actions_b,
               least(e.actions_a, e.actions_b)::DOUBLE / greatest(e.actions_a, e.actions_b) AS symmetry,
               {', '.join(f'e.weight_{k}::BIGINT AS weight_{k}' for k in ACTION_TYPES)},
               e.co_events::BIGINT AS co_events, e.shared_objects::BIGINT AS shared_objects,
               to_timestamp(e.t_first) AS first_at, to_timestamp(e.t_last) AS last_at,
               e.median_lag_seconds::DOUBLE AS median_lag_seconds, e.example_action,
               pa.post_id AS example_post_a, pb.post_id AS example_post_b
        FROM _cn_kept e
        JOIN {nodes} na ON na.node = e.node_a JOIN {nodes} nb ON nb.node = e.node_b
        JOIN (SELECT rowid AS pid, post_id FROM posts) pa ON pa.pid = e.ex_a
        JOIN (SELECT rowid AS pid, post_id FROM posts) pb ON pb.pid = e.ex_b
        ORDER BY weight DESC, platform_a, account_id_a, platform_b, account_id_b""")
    store.execute(f"""
        CREATE OR REPLACE TABLE {account_table} AS
        WITH kept_posts AS (
            SELECT node_a AS node, pid_a AS pid, kind FROM _cn_pairs  -- the matches of kept pairs
            UNION ALL
            SELECT node_b, pid_b, kind FROM _cn_pairs),
        posted AS (
            SELECT node, count(*) AS coordinated_posts,
               {', '.join((f'count_if(is_{k})' if k in chosen else 'NULL::BIGINT') + f' AS coordinated_posts_{k}' for k in ACTION_TYPES)}
            FROM (SELECT node, pid, {flags} FROM kept_posts GROUP BY node, pid) GROUP BY node),
        ends AS (
            SELECT node_a AS node, actions_a + actions_b AS weight,
                   least(actions_a, actions_b)::DOUBLE / greatest(actions_a, actions_b) AS symmetry FROM _cn_kept
            UNION ALL
            SELECT node_b, actions_a + actions_b,
                   least(actions_a, actions_b)::DOUBLE / greatest(actions_a, actions_b) FROM _cn_kept),
        deg AS (SELECT node, count(*) AS degree, sum(weight) AS strength, max(weight) AS max_edge_weight,
                       round(avg(symmetry), 9) AS mean_symmetry  -- rounded: parallel sums differ in the last bits
                FROM ends GROUP BY node),
        n AS (SELECT d.*, x.platform, x.account_id FROM deg d JOIN {nodes} x USING (node)),
        counts AS (
            SELECT platform, account_id, count(*) AS n_posts FROM posts
            WHERE account_id IS NOT NULL AND {period} GROUP BY ALL)
        SELECT n.platform, n.account_id, a.handle, c.n_posts::BIGINT AS n_posts, n.degree::BIGINT AS degree,
               n.strength::BIGINT AS strength, p.coordinated_posts::BIGINT AS coordinated_posts,
               p.coordinated_posts::DOUBLE / c.n_posts AS coordinated_share, n.max_edge_weight::BIGINT AS max_edge_weight,
               n.mean_symmetry,
               {', '.join(f'p.coordinated_posts_{k}::BIGINT AS coordinated_posts_{k}' for k in ACTION_TYPES)}
        FROM n JOIN posted p USING (node)
        LEFT JOIN counts c USING (platform, account_id)
        LEFT JOIN accounts a USING (platform, account_id)
        ORDER BY n.platform, n.account_id""")
