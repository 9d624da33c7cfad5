"""Coordination networks: who acts together, in which groups, exported for Gephi.

==================================  ==============================================================
:func:`coordination_edges`          pairs of accounts taking the same action (same copy cluster,
                                    reply target, link, hashtag or repost) within a time window;
                                    tables ``coordination_edges`` and ``coordination_accounts``
:func:`coordination_communities`    connected components and Leiden communities (``coordination_nodes``)
:func:`community_summary`, :func:`component_summary`   one row per group
:func:`export_gexf`, :func:`write_gexf`   GEXF 1.3 files for Gephi
==================================  ==============================================================

See docs/network.md for the method, its parameters and its known false positives.
"""

from .communities import COMMUNITY_COLUMNS, NODE_TABLE, community_summary, component_summary, coordination_communities
from .coordination import (ACCOUNT_COLUMNS, ACCOUNT_TABLE, ACTION_TYPES, EDGE_COLUMNS, EDGE_TABLE, coordination_edges,
                           edge_columns)
from .gexf import export_gexf, write_gexf

__all__ = [
    "ACCOUNT_COLUMNS", "ACCOUNT_TABLE", "ACTION_TYPES", "COMMUNITY_COLUMNS", "EDGE_COLUMNS", "EDGE_TABLE", "NODE_TABLE",
    "community_summary", "component_summary", "coordination_communities", "coordination_edges", "edge_columns",
    "export_gexf", "write_gexf",
]
