"""GEXF 1.3 export of the coordination network, for Gephi.

:func:`write_gexf` writes any node and edge tables; :func:`export_gexf` writes the workspace's
coordination network (``coordination_nodes`` or ``coordination_accounts`` and
``coordination_edges``), optionally with more node columns (scores, flags, reasons) joined on
``platform, account_id``. The file is streamed (no whole document in memory), deterministic
(sorted, no time stamp), UTF-8, undirected, with edge weights in the ``weight`` attribute
Gephi reads and every other column as a typed attribute.

Node ids are ``platform:account_id``; labels are ``@handle`` where known.

Example:
    >>> from toolkit.network import export_gexf
    >>> export_gexf(store, "network.gexf", node_attributes=scores[["platform", "account_id", "score", "flagged"]])  # doctest: +SKIP
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import numpy as np
import pandas as pd

from .. import __version__
from ..accounts._common import require_tables
from ..errors import ParameterError
from ..store import Store
from .communities import NODE_TABLE
from .coordination import ACCOUNT_TABLE, EDGE_TABLE

GEXF_NAMESPACE = "http://gexf.net/1.3"
GEXF_SCHEMA = "http://gexf.net/1.3/gexf.xsd"
#: Node columns that identify a node rather than describe it.
NODE_KEYS = ("platform", "account_id")
EDGE_KEYS = ("platform_a", "account_id_a", "platform_b", "account_id_b")


def _gexf_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "long"
    if pd.api.types.is_float_dtype(series):
        return "double"
    non_null = series.dropna()
    inferred = pd.api.types.infer_dtype(non_null, skipna=True)  # in C; lists, tuples and arrays are "mixed"
    if inferred == "boolean":
        return "boolean"
    if inferred == "mixed" and non_null.map(lambda v: isinstance(v, (list, tuple, np.ndarray))).all():
        return "liststring"
    return "string"


def _value(value: Any, kind: str) -> str | None:
    """GEXF text of a value, None for a missing one."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if kind == "liststring":
        items = [str(v).replace("|", "/") for v in value]
        return "[" + ", ".join(items) + "]" if items else None
    if isinstance(value, float) and math.isnan(value):
        return None
    if kind == "boolean":
        return "true" if bool(value) else "false"
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if kind == "double":
        return repr(float(value))
    return str(value)


def _attribute_block(klass: str, columns: list[tuple[str, str]]) -> list[str]:
    lines = [f'    <attributes class="{klass}">']
    lines += [f'      <attribute id={quoteattr(c)} title={quoteattr(c)} type="{t}"/>' for c, t in columns]
    lines.append("    </attributes>")
    return lines


_NEEDS_QUOTING = re.compile("[&<>\"\n\r\t]")


def _quoted(text: str) -> str:
    """``xml.sax.saxutils.quoteattr``, with a fast path for the common text that needs no escaping."""
    return f'"{text}"' if _NEEDS_QUOTING.search(text) is None else quoteattr(text)


def _attvalues(row: tuple, columns: list[tuple[str, str]], offset: int) -> str:
    values = []
    for j, (column, kind) in enumerate(columns):
        text = _value(row[offset + j], kind)
        if text is not None:
            values.append(f"<attvalue for={_quoted(column)} value={_quoted(text)}/>")
    return f"<attvalues>{''.join(values)}</attvalues>" if values else ""


def node_id(platform: Any, account_id: Any) -> str:
    """GEXF node id of an account: ``platform:account_id``."""
    return f"{platform}:{account_id}"


def write_gexf(nodes: pd.DataFrame, edges: pd.DataFrame, path: str | Path, *, description: str = "") -> Path:
    """Write a GEXF 1.3 file (undirected, weighted) from node and edge tables.

    Args:
        nodes: one row per account with ``platform`` and ``account_id``; every other column becomes a
            node attribute (``handle`` also gives the label ``@handle``).
        edges: one row per pair with ``platform_a``, ``account_id_a``, ``platform_b``, ``account_id_b``
            and ``weight``; every other column becomes an edge attribute.
        path: file to write (replaced).
        description: text for the file's ``<meta><description>``.

    Returns:
        The path written.

    Raises:
        ParameterError: a required column is missing, or an edge names an account not in ``nodes``.
    """
    missing = [c for c in NODE_KEYS if c not in nodes.columns]
    if missing:
        raise ParameterError(f"nodes: missing column(s) {missing}; it has {list(nodes.columns)[:12]}. "
                             "Expected one row per account with 'platform' and 'account_id'.")
    missing = [c for c in (*EDGE_KEYS, "weight") if c not in edges.columns]
    if missing:
        raise ParameterError(f"edges: missing column(s) {missing}; it has {list(edges.columns)[:12]}. "
                             "Expected the coordination_edges table.")
    nodes = nodes.sort_values(list(NODE_KEYS), kind="stable").reset_index(drop=True)
    edges = edges.sort_values(list(EDGE_KEYS), kind="stable").reset_index(drop=True)
    ids = [node_id(p, a) for p, a in zip(nodes["platform"], nodes["account_id"])]
    if len(set(ids)) != len(ids):
        raise ParameterError("nodes: (platform, account_id) must be unique; found repeated accounts.")
    known = set(ids)
    sources = [node_id(p, a) for p, a in zip(edges["platform_a"], edges["account_id_a"])]
    targets = [node_id(p, a) for p, a in zip(edges["platform_b"], edges["account_id_b"])]
    unknown = sorted({n for n in sources + targets if n not in known})
    if unknown:
        raise ParameterError(f"edges: {len(unknown)} account(s) not in nodes, e.g. {unknown[:3]}. Pass the node "
                             "table of the same run (coordination_nodes or coordination_accounts).")
    node_cols = [(c, _gexf_type(nodes[c])) for c in nodes.columns if c not in ("account_id",)]
    edge_cols = [(c, _gexf_type(edges[c])) for c in edges.columns if c not in (*EDGE_KEYS, "weight")]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(f'<gexf xmlns="{GEXF_NAMESPACE}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                  f'xsi:schemaLocation="{GEXF_NAMESPACE} {GEXF_SCHEMA}" version="1.3">\n')
        out.write(f"  <meta>\n    <creator>{_escape(f'cib-toolkit {__version__}')}</creator>\n")
        if description:
            out.write(f"    <description>{_escape(description)}</description>\n")
        out.write("  </meta>\n")
        out.write('  <graph defaultedgetype="undirected" mode="static">\n')
        out.write("\n".join(_attribute_block("node", node_cols)) + "\n")
        out.write("\n".join(_attribute_block("edge", edge_cols)) + "\n")
        out.write("    <nodes>\n")
        handles = nodes["handle"] if "handle" in nodes.columns else pd.Series([None] * len(nodes))
        node_frame = nodes[[c for c, _ in node_cols]]
        for i, row in enumerate(node_frame.itertuples(index=False, name=None)):
            handle = handles.iloc[i]
            label = f"@{handle}" if isinstance(handle, str) and handle else ids[i]
            out.write(f"      <node id={quoteattr(ids[i])} label={quoteattr(label)}>{_attvalues(row, node_cols, 0)}</node>\n")
        out.write("    </nodes>\n    <edges>\n")
        edge_frame = edges[["weight"] + [c for c, _ in edge_cols]]
        for i, row in enumerate(edge_frame.itertuples(index=False, name=None)):
            out.write(f'      <edge id="{i}" source={quoteattr(sources[i])} target={quoteattr(targets[i])} '
                      f'weight="{float(row[0])!r}">{_attvalues(row, edge_cols, 1)}</edge>\n')
        out.write("    </edges>\n  </graph>\n</gexf>\n")
    return path


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def export_gexf(store: Store, path: str | Path, *, node_attributes: pd.DataFrame | None = None,
                node_table: str | None = None, edge_table: str = EDGE_TABLE) -> Path:
    """Write the workspace's coordination network as GEXF 1.3 for Gephi.

    Args:
        store: a workspace where :func:`toolkit.network.coordination_edges` (and, for the community
            column, :func:`toolkit.network.coordination_communities`) ran.
        path: file to write (replaced).
        node_attributes: more node columns, e.g. ``score``, ``flagged``, ``reasons``, with
            ``platform`` and ``account_id``; joined onto the nodes (accounts not in the network are
            ignored; columns already present are replaced).
        node_table: node table; default ``coordination_nodes`` if present, else ``coordination_accounts``.
        edge_table: edge table.

    Returns:
        The path written.

    Caveats:
        Gephi reads ``weight`` as the edge weight; per-type weights, symmetry and the example post
        ids travel as edge attributes. An empty network gives a valid file with no nodes.
    """
    if node_table is None:
        node_table = NODE_TABLE if store.has_table(NODE_TABLE) else ACCOUNT_TABLE
    require_tables(store, (node_table, edge_table), "Run toolkit.network.coordination_edges(store) first.")
    nodes = store.df(f"SELECT * FROM {node_table}")
    edges = store.df(f"SELECT * FROM {edge_table}")
    if "community_id" in nodes.columns:
        nodes = nodes.rename(columns={"community_id": "community"})
    if node_attributes is not None:
        if not isinstance(node_attributes, pd.DataFrame):
            raise ParameterError(f"node_attributes: expected a DataFrame with 'platform' and 'account_id'; "
                                 f"got {type(node_attributes).__name__}.")
        missing = [c for c in NODE_KEYS if c not in node_attributes.columns]
        if missing:
            raise ParameterError(f"node_attributes: missing column(s) {missing}; it has "
                                 f"{list(node_attributes.columns)[:12]}.")
        extra = node_attributes.drop_duplicates(list(NODE_KEYS)).copy()
        extra["platform"] = extra["platform"].astype(str)
        extra["account_id"] = extra["account_id"].astype(str)
        replaced = [c for c in extra.columns if c in nodes.columns and c not in NODE_KEYS]
        nodes = nodes.drop(columns=replaced).merge(extra, on=list(NODE_KEYS), how="left")
    params = store.run_params(edge_table) or {}
    description = ("Coordination network: accounts linked by the same action within "
                   f"{params.get('window_seconds', '?')} s ({', '.join(params.get('actions', []))}); "
                   "edge weight = distinct coordinated posts.")
    return write_gexf(nodes, edges, path, description=description)
