"""Interactive coordination-network view: accounts coloured by community, flagged accounts marked.

In JupyterLab the network is drawn by ipysigma (sigma.js, laid out in the browser with
ForceAtlas2; search, zoom and hover included); elsewhere, or without ipysigma, a static figure
laid out by igraph stands in.
"""

from __future__ import annotations

import logging

import pandas as pd

from ..errors import ParameterError
from ..store import Store
from ._display import Explorer, remember_last

log = logging.getLogger(__name__)


def network_tables(store: Store, *, min_edge_weight: int = 2, max_nodes: int = 1500) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes and edges of the coordination network, for drawing.

    Args:
        store: a workspace where :func:`toolkit.network.coordination_edges` and
            :func:`toolkit.network.coordination_communities` have run.
        min_edge_weight: keep edges at least this heavy.
        max_nodes: keep the accounts with the greatest strength (sum of edge weights), at most this many.

    Returns:
        (nodes, edges): nodes (node, platform, account_id, label, community, strength, degree,
        flagged, score), edges (source, target, weight, symmetry) with node keys ``platform:account_id``.
    """
    for table in ("coordination_edges", "coordination_nodes"):
        if not store.has_table(table):
            raise ParameterError(f"no {table} table: run toolkit.network.coordination_edges(store) and "
                                 "coordination_communities(store) first (the reconstruction does)")
    scores = store.has_table("account_scores")
    nodes = store.df(f"""
        WITH strong AS (
            SELECT platform_a AS platform, account_id_a AS account_id, weight FROM coordination_edges WHERE weight >= $w
            UNION ALL
            SELECT platform_b, account_id_b, weight FROM coordination_edges WHERE weight >= $w),
        kept AS (SELECT platform, account_id, sum(weight) AS strength, count(*) AS degree FROM strong GROUP BY ALL
                 ORDER BY strength DESC, platform, account_id LIMIT $n)
        SELECT k.platform || ':' || k.account_id AS node, k.platform, k.account_id,
               coalesce('@' || n.handle, k.platform || ':' || k.account_id) AS label,
               'community ' || n.community_id AS community, k.strength, k.degree,
               {'coalesce(s.flagged, false)' if scores else 'false'} AS flagged,
               {'coalesce(s.score, 0)' if scores else '0.0'} AS score
        FROM kept k JOIN coordination_nodes n USING (platform, account_id)
        {'LEFT JOIN account_scores s USING (platform, account_id)' if scores else ''}
        ORDER BY k.strength DESC, node""", {"w": int(min_edge_weight), "n": int(max_nodes)})
    edges = store.df("""
        SELECT platform_a || ':' || account_id_a AS source, platform_b || ':' || account_id_b AS target, weight, symmetry
        FROM coordination_edges WHERE weight >= ? ORDER BY weight DESC""", [int(min_edge_weight)])
    keep = set(nodes["node"])
    edges = edges[edges["source"].isin(keep) & edges["target"].isin(keep)].reset_index(drop=True)
    return nodes, edges


def network_graph(nodes: pd.DataFrame, edges: pd.DataFrame):
    """An igraph Graph of :func:`network_tables`' output (vertex attributes: every node column)."""
    import igraph as ig

    index = {node: i for i, node in enumerate(nodes["node"])}
    graph = ig.Graph(n=len(nodes), edges=[(index[s], index[t]) for s, t in zip(edges["source"], edges["target"])])
    for column in nodes.columns:
        graph.vs[column] = [v.item() if hasattr(v, "item") else v for v in nodes[column]]
    graph.vs["flag"] = ["flagged" if f else "not flagged" for f in nodes["flagged"]]
    graph.es["weight"] = [int(w) for w in edges["weight"]]
    return graph


def network_figure(nodes: pd.DataFrame, edges: pd.DataFrame, *, seed: int = 0, figsize: tuple = (8, 8)):
    """A static drawing (Fruchterman–Reingold layout): colour = community, black ring = flagged.

    Returns:
        (fig, ax).
    """
    import random

    import igraph as ig
    import matplotlib
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure

    graph = network_graph(nodes, edges)
    ig.set_random_number_generator(random.Random(seed))
    try:
        coords = pd.DataFrame(graph.layout_fruchterman_reingold(weights="weight" if len(edges) else None).coords,
                              columns=["x", "y"]) if len(nodes) else pd.DataFrame(columns=["x", "y"])
    finally:
        ig.set_random_number_generator(random)
    fig = Figure(figsize=figsize)  # not registered with pyplot: shown only where asked
    ax = fig.subplots()
    index = {node: i for i, node in enumerate(nodes["node"])}
    xy = coords[["x", "y"]].to_numpy()
    segments = [(xy[index[s]], xy[index[t]]) for s, t in zip(edges["source"], edges["target"])]
    ax.add_collection(LineCollection(segments, colors="#bbbbbb", linewidths=0.3, zorder=1))
    communities = nodes["community"].astype("category")
    top = communities.value_counts().index[:10]
    palette = matplotlib.colormaps["tab10"]
    colours = [palette(list(top).index(c)) if c in top else (0.7, 0.7, 0.7, 1) for c in communities]
    flagged = nodes["flagged"].to_numpy(dtype=bool)
    ax.scatter(coords.x, coords.y, s=12, c=colours, edgecolors=["black" if f else "none" for f in flagged],
               linewidths=0.8, zorder=2)
    ax.set_title(f"{len(nodes):,} accounts, {len(edges):,} links; colour: community (10 largest), ring: flagged",
                 fontsize=9)
    ax.set_axis_off()
    fig.tight_layout()
    return fig, ax


def network_view(store: Store, *, min_edge_weight: int = 2, max_nodes: int = 1500, height: int = 600,
                 interactive: bool = True) -> Explorer:
    """The coordination network, interactive (ipysigma) where it can be, static otherwise.

    Args:
        store: a workspace with the coordination tables (see :func:`network_tables`).
        min_edge_weight, max_nodes: which edges and accounts are drawn.
        height: height of the interactive view in pixels.
        interactive: False for the static figure only.

    Returns:
        An :class:`~toolkit.explore._display.Explorer`: in JupyterLab an ipysigma view (node colour:
        community; border: flagged; size: strength; hover for the handle), elsewhere the static figure
        and the largest communities.
    """
    import ipywidgets as widgets

    nodes, edges = network_tables(store, min_edge_weight=min_edge_weight, max_nodes=max_nodes)

    per = nodes.groupby("community").agg(accounts=("node", "size"), flagged=("flagged", "sum"),
                                         strength=("strength", "sum"))
    per = per.sort_values("accounts", ascending=False).reset_index().head(15)

    static = remember_last(lambda: None, lambda: {"Coordination network": network_figure(nodes, edges)[0],
                                                  "Largest communities drawn": per})

    widget = None
    if interactive:
        try:
            from ipysigma import Sigma
        except ImportError:
            log.info("ipysigma is not installed (pip install ipysigma): showing the static network")
        else:
            widget = Sigma(network_graph(nodes, edges), height=height, node_color="community", node_size="strength",
                           node_label="label", node_border_color="flag",
                           node_border_color_palette={"flagged": "black", "not flagged": "white"},
                           default_node_border_size=1, edge_size="weight", start_layout=5)
    if widget is None:
        output = widgets.Output()
        from ._display import show_sections

        show_sections(output, static())
        widget = output
    return Explorer(widget, static, f"Coordination network: {len(nodes):,} accounts, {len(edges):,} links")
