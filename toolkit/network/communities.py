"""Communities of the coordination network: components, Leiden communities and their summaries.

:func:`coordination_communities` reads the edge table of
:func:`toolkit.network.coordination_edges`, finds connected components and Leiden communities
(modularity, edge weights, igraph's C implementation, iterated until an iteration gains less
than :data:`MIN_MODULARITY_GAIN`, seeded so the same data always gives the same partition), and
writes ``coordination_nodes``: the per-account table with its component and community.
:func:`community_summary` and :func:`component_summary` describe each group: size, internal
edges and density, total weight, mean symmetry, action types, platforms, time span and the
most connected accounts.

Example:
    >>> from toolkit.network import coordination_edges, coordination_communities, community_summary
    >>> edges = coordination_edges(store)                   # doctest: +SKIP
    >>> nodes = coordination_communities(store, seed=1)     # doctest: +SKIP
    >>> community_summary(store).head()                     # doctest: +SKIP
"""

from __future__ import annotations

import logging
import random

import igraph as ig
import numpy as np
import pandas as pd

from ..accounts._common import check_number, require_tables
from ..errors import ParameterError
from ..store import Store
from .coordination import ACCOUNT_TABLE, ACTION_TYPES, EDGE_TABLE

log = logging.getLogger(__name__)

#: Table written by :func:`coordination_communities`.
NODE_TABLE = "coordination_nodes"

#: Leiden stops after an iteration that raises modularity by less than this. Running until no
#: iteration raises it at all gives nearly the same partition but can take a hundred iterations on
#: a large, loosely knit network (10 M-post benchmark: modularity 0.1290 after 7 iterations,
#: 0.1310 after about 120; under 8 s against 92 s).
MIN_MODULARITY_GAIN = 1e-4

#: Columns added to the per-account coordination table.
COMMUNITY_COLUMNS: list[tuple[str, str, str]] = [
    ("component_id", "INTEGER", "connected component, 1 = the largest (ties: first account)"),
    ("component_size", "BIGINT", "accounts in the component"),
    ("community_id", "INTEGER", "Leiden community, 1 = the largest (ties: first account)"),
    ("community_size", "BIGINT", "accounts in the community"),
]


def coordination_communities(store: Store, *, edge_table: str = EDGE_TABLE, account_table: str = ACCOUNT_TABLE,
                             min_edge_weight: int | None = None, resolution: float = 1.0, seed: int = 0,
                             table: str = NODE_TABLE) -> pd.DataFrame:
    """Components and Leiden communities of the coordination network; write ``table``.

    Args:
        store: a workspace where :func:`toolkit.network.coordination_edges` has run.
        edge_table, account_table: its output tables.
        min_edge_weight: use only edges at least this heavy (None: every edge in the table).
        resolution: modularity resolution (1.0 = classic modularity; higher gives more, smaller
            communities).
        seed: seed of the algorithm's random choices; the same data and seed give the same result.
        table: table written (replaced): the account table plus :data:`COMMUNITY_COLUMNS`.

    Returns:
        The accounts of the network (one row each, sorted by community, then strength descending)
        with the columns of the account table and ``component_id``, ``component_size``,
        ``community_id``, ``community_size``. ``attrs['parameters']`` holds the parameters and the
        partition's modularity.

    Caveats:
        A community is a group of accounts more densely linked among themselves than with the rest;
        it is not an organisation. Communities of authentic coordination (an advocacy campaign, a
        fandom, people replying to the same MP) exist too. Very small components are left as their
        own communities.
    """
    require_tables(store, (edge_table, account_table),
                   "Run toolkit.network.coordination_edges(store) first.")
    if min_edge_weight is not None:
        min_edge_weight = int(check_number("min_edge_weight", min_edge_weight, minimum=2, integer=True))
    resolution = check_number("resolution", resolution, minimum=0, strict=True, hint="Use 1.0 for classic modularity.")
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise ParameterError(f"seed={seed!r}: expected a whole number, e.g. 0.")
    if not table.isidentifier():
        raise ParameterError(f"table={table!r}: expected a plain SQL table name.")
    accounts = store.df(f"SELECT * FROM {account_table} ORDER BY platform, account_id")
    where = f"WHERE e.weight >= {min_edge_weight}" if min_edge_weight else ""
    edges = store.df(f"""  -- each end as its row number in the account table's order
        WITH node AS (SELECT platform, account_id, row_number() OVER (ORDER BY platform, account_id) - 1 AS i
                      FROM {account_table})
        SELECT a.i AS src, b.i AS dst, e.weight FROM {edge_table} e
        LEFT JOIN node a ON a.platform = e.platform_a AND a.account_id = e.account_id_a
        LEFT JOIN node b ON b.platform = e.platform_b AND b.account_id = e.account_id_b {where}
        ORDER BY e.platform_a, e.account_id_a, e.platform_b, e.account_id_b""")
    if edges.src.isna().any() or edges.dst.isna().any():
        raise ParameterError(f"{edge_table} has accounts missing from {account_table}: the two tables come from "
                             "different runs. Run toolkit.network.coordination_edges(store) again.")
    graph = ig.Graph(n=len(accounts), edges=edges[["src", "dst"]].to_numpy(dtype=np.int64).tolist(), directed=False)
    weights = edges["weight"].astype(float).tolist()
    components = np.asarray(graph.connected_components().membership, dtype=np.int64)
    ig.set_random_number_generator(random.Random(seed))  # a private generator: seeded, global state untouched
    try:
        membership, iterations = _leiden(graph, weights or None, resolution)
    finally:
        ig.set_random_number_generator(random)  # igraph's default: Python's random module
    communities = np.asarray(membership, dtype=np.int64)
    modularity = graph.modularity(membership, weights=weights or None) if len(weights) else 0.0
    out = accounts.copy()
    out["component_id"], out["component_size"] = _renumber(components)
    out["community_id"], out["community_size"] = _renumber(communities)
    store.register("_cn_nodes", out)
    try:
        store.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM _cn_nodes")
    finally:
        store.unregister("_cn_nodes")
    params = {"edge_table": edge_table, "min_edge_weight": min_edge_weight, "resolution": resolution, "seed": int(seed),
              "method": "Leiden (modularity, weighted), igraph", "iterations": iterations,
              "min_modularity_gain": MIN_MODULARITY_GAIN, "modularity": float(modularity)}
    store.record_run(table, params)
    out = out.sort_values(["community_id", "strength", "platform", "account_id"],
                          ascending=[True, False, True, True]).reset_index(drop=True)
    out.attrs["parameters"] = params
    log.info("coordination communities: %d accounts, %d components, %d communities, modularity %.3f",
             len(out), out["component_id"].nunique(), out["community_id"].nunique(), modularity)
    return out


def _leiden(graph: ig.Graph, weights: list[float] | None, resolution: float) -> tuple[list[int], int]:
    """Leiden iterations from the previous partition until one raises the (weighted, resolution)
    modularity by less than :data:`MIN_MODULARITY_GAIN`; returns (membership, iterations run)."""
    membership, quality, iterations = None, None, 0
    while True:
        partition = graph.community_leiden(objective_function="modularity", weights=weights, resolution=resolution,
                                           n_iterations=1, initial_membership=membership)
        iterations += 1
        gained = graph.modularity(partition.membership, weights=weights, resolution=resolution)
        if quality is not None and gained - quality < MIN_MODULARITY_GAIN:
            return partition.membership, iterations
        membership, quality = partition.membership, gained


def _renumber(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Relabel groups 1.. by size (descending), ties by the first member's position; return (ids, sizes)."""
    if len(labels) == 0:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64)
    uniq, first, inverse, counts = np.unique(labels, return_index=True, return_inverse=True, return_counts=True)
    order = np.lexsort((first, -counts))
    rank = np.empty(len(uniq), dtype=np.int32)
    rank[order] = np.arange(1, len(uniq) + 1, dtype=np.int32)
    return rank[inverse], counts[inverse].astype(np.int64)


def _group_summary(store: Store, group: str, table: str, edge_table: str, top_accounts: int) -> pd.DataFrame:
    require_tables(store, (table, edge_table), "Run toolkit.network.coordination_communities(store) first.")
    top_accounts = int(check_number("top_accounts", top_accounts, minimum=1, integer=True))
    kinds = ", ".join(f"sum(e.weight_{k}) AS weight_{k}" for k in ACTION_TYPES)
    return store.df(f"""
        WITH n AS (SELECT * FROM {table}),
        internal AS (
            SELECT na.{group} AS gid, count(*) AS n_edges, sum(e.weight) AS total_weight, round(avg(e.symmetry), 9) AS mean_symmetry,
                   min(e.first_at) AS first_at, max(e.last_at) AS last_at, {kinds}
            FROM {edge_table} e
            JOIN n na ON na.platform = e.platform_a AND na.account_id = e.account_id_a
            JOIN n nb ON nb.platform = e.platform_b AND nb.account_id = e.account_id_b
            WHERE na.{group} = nb.{group} GROUP BY na.{group}),
        members AS (
            SELECT {group} AS gid, count(*) AS n_accounts, sum(n_posts) AS n_posts,
                   sum(coordinated_posts) AS coordinated_posts,
                   list(DISTINCT platform ORDER BY platform) AS platforms,
                   list(coalesce('@' || handle, platform || ':' || account_id) ORDER BY strength DESC, platform, account_id)
                       [1:{top_accounts}] AS top_accounts
            FROM n GROUP BY {group})
        SELECT m.gid AS {group}, m.n_accounts, coalesce(i.n_edges, 0) AS n_edges,
               CASE WHEN m.n_accounts > 1 THEN coalesce(i.n_edges, 0) * 2.0 / (m.n_accounts * (m.n_accounts - 1)) END
                   AS density,
               coalesce(i.total_weight, 0) AS total_weight, i.mean_symmetry, m.n_posts, m.coordinated_posts,
               m.platforms, i.first_at, i.last_at,
               {', '.join(f'i.weight_{k}' for k in ACTION_TYPES)}, m.top_accounts
        FROM members m LEFT JOIN internal i ON i.gid = m.gid
        ORDER BY m.gid""")


def community_summary(store: Store, *, table: str = NODE_TABLE, edge_table: str = EDGE_TABLE,
                      top_accounts: int = 5) -> pd.DataFrame:
    """One row per community: size, internal edges, density, weight, symmetry, actions, platforms, span.

    Args:
        store: a workspace where :func:`coordination_communities` has run.
        table, edge_table: its node table and the edge table.
        top_accounts: how many of the most connected accounts to list.

    Returns:
        DataFrame sorted by ``community_id`` with ``n_accounts``, ``n_edges`` (inside the community),
        ``density`` (n_edges over possible pairs), ``total_weight``, ``mean_symmetry``, ``n_posts``,
        ``coordinated_posts``, ``platforms``, ``first_at``, ``last_at`` (of its internal co-actions),
        ``weight_text`` ... ``weight_repost`` (internal weight per action type) and ``top_accounts``
        (handles, or platform:id, by strength).
    """
    return _group_summary(store, "community_id", table, edge_table, top_accounts)


def component_summary(store: Store, *, table: str = NODE_TABLE, edge_table: str = EDGE_TABLE,
                      top_accounts: int = 5) -> pd.DataFrame:
    """One row per connected component, with the columns of :func:`community_summary` (``component_id``)."""
    return _group_summary(store, "component_id", table, edge_table, top_accounts)
