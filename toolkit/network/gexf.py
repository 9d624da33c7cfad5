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

from pathlib import Path
from xml.sax.saxutils import quoteattr

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

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
#: Nodes or edges formatted at a time (bounds the memory of their text).
WRITE_CHUNK_ROWS = 100_000


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


def _texts(series: pd.Series, kind: str) -> pa.Array:
    """GEXF text of each value of a column (null where the value is missing): booleans as
    ``true``/``false``, doubles as Python's ``repr``, times in ISO 8601, lists as ``[a, b]``."""
    if kind == "liststring":
        return pa.array([None if not isinstance(v, (list, tuple, np.ndarray)) or len(v) == 0
                         else "[" + ", ".join(str(item).replace("|", "/") for item in v) + "]" for v in series],
                        type=pa.string())
    if pd.api.types.is_datetime64_any_dtype(series):
        return _iso_times(series)
    if kind == "double":
        values = series.to_numpy(dtype=float, na_value=np.nan)
        whole = (values == np.round(values)) & (np.abs(values) < 1e16) & ~((values == 0) & np.signbit(values))
        if whole.all():  # repr of a whole number below 1e16 is its digits and ".0"
            return pc.binary_join_element_wise(pa.array(values.astype(np.int64)).cast(pa.string()), ".0", "")
        return pa.array([None if v != v else repr(v) for v in values.tolist()], type=pa.string())
    if kind == "string" and not isinstance(series.dtype, pd.StringDtype):  # any objects: their str(), times in ISO 8601
        return pa.array([None if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v)
                         else v.isoformat() if isinstance(v, pd.Timestamp) else str(v) for v in series],
                        type=pa.string())
    values = pa.array(series, from_pandas=True)
    if kind == "boolean":
        return pc.if_else(values.cast(pa.bool_()), "true", "false")
    return values.cast(pa.string())


def _iso_times(series: pd.Series) -> pa.Array:
    """``Timestamp.isoformat()`` of each time: seconds, or micro- or nanoseconds where present, and
    the UTC offset of time zone-aware times."""
    if series.dt.tz is not None:
        wall = series.dt.tz_localize(None)
        minutes = ((wall - series.dt.tz_convert("UTC").dt.tz_localize(None)).dt.total_seconds() // 60).fillna(0).astype(int)
        offset = minutes.map({m: f"{'-' if m < 0 else '+'}{abs(m) // 60:02d}:{abs(m) % 60:02d}" for m in minutes.unique()})
    else:
        wall, offset = series, None
    stamps = wall.to_numpy(dtype="datetime64[ns]")
    ns = stamps.astype(np.int64)
    text = np.datetime_as_string(stamps, unit="s").astype(object)
    for unit, fine in (("us", ns % 1_000_000_000 != 0), ("ns", ns % 1000 != 0)):
        text[fine] = np.datetime_as_string(stamps[fine], unit=unit)
    if offset is not None:
        text = text + offset.to_numpy(dtype=object)
    return pa.array(np.where(series.isna().to_numpy(), None, text), type=pa.string())


def _attribute_block(klass: str, columns: list[tuple[str, str]]) -> list[str]:
    lines = [f'    <attributes class="{klass}">']
    lines += [f'      <attribute id={quoteattr(c)} title={quoteattr(c)} type="{t}"/>' for c, t in columns]
    lines.append("    </attributes>")
    return lines


def _quoted(texts: pa.Array) -> pa.Array:
    """``xml.sax.saxutils.quoteattr`` of each text: &, <, >, newlines and tabs escaped, in double
    quotes, or single quotes if the text holds a double quote but no single one."""
    if not pc.any(pc.match_substring_regex(texts, "[&<>\"'\n\r\t]")).as_py():  # nothing to escape
        return pc.binary_join_element_wise('"', texts, '"', "")
    for raw, entity in (("&", "&amp;"), (">", "&gt;"), ("<", "&lt;"), ("\n", "&#10;"), ("\r", "&#13;"), ("\t", "&#9;")):
        texts = pc.replace_substring(texts, raw, entity)
    double, single = pc.match_substring(texts, '"'), pc.match_substring(texts, "'")
    texts = pc.if_else(pc.and_(double, single), pc.replace_substring(texts, '"', "&quot;"), texts)
    quote = pc.if_else(pc.and_(double, pc.invert(single)), "'", '"')
    return pc.binary_join_element_wise(quote, texts, quote, "")


def _attribute_value(series: pd.Series, kind: str) -> pa.Array:
    """Each value as a quoted XML attribute (numbers, booleans and times need no escaping)."""
    texts = _texts(series, kind)
    if kind in ("long", "double", "boolean") or pd.api.types.is_datetime64_any_dtype(series):
        return pc.binary_join_element_wise('"', texts, '"', "")
    return _quoted(texts)


def _attvalues(frame: pd.DataFrame, columns: list[tuple[str, str]]) -> pa.Array:
    """Each row's ``<attvalues>`` element (empty text when all its values are missing)."""
    parts = [pc.binary_join_element_wise(f"<attvalue for={quoteattr(column)} value=", _attribute_value(frame[column], kind),
                                         "/>", "").fill_null("") for column, kind in columns]
    if not parts:
        return pa.array([""] * len(frame), type=pa.string())
    joined = pc.binary_join_element_wise(*parts, "")
    return pc.if_else(pc.greater(pc.utf8_length(joined), 0),
                      pc.binary_join_element_wise("<attvalues>", joined, "</attvalues>", ""), "")


def _ids(platforms: pd.Series, accounts: pd.Series) -> pa.Array:
    """Node id of each row: ``platform:account_id``."""
    return pc.binary_join_element_wise(pa.array(platforms.astype(str), type=pa.string()),
                                       pa.array(accounts.astype(str), type=pa.string()), ":")


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
    ids = _ids(nodes["platform"], nodes["account_id"])
    if pc.count_distinct(ids).as_py() != len(ids):
        raise ParameterError("nodes: (platform, account_id) must be unique; found repeated accounts.")
    sources, targets = _ids(edges["platform_a"], edges["account_id_a"]), _ids(edges["platform_b"], edges["account_id_b"])
    ends = pa.concat_arrays([sources, targets])
    unknown = sorted(set(ends.filter(pc.invert(pc.is_in(ends, value_set=ids))).to_pylist()))
    if unknown:
        raise ParameterError(f"edges: {len(unknown)} account(s) not in nodes, e.g. {unknown[:3]}. Pass the node "
                             "table of the same run (coordination_nodes or coordination_accounts).")
    node_cols = [(c, _gexf_type(nodes[c])) for c in nodes.columns if c not in ("account_id",)]
    edge_cols = [(c, _gexf_type(edges[c])) for c in edges.columns if c not in (*EDGE_KEYS, "weight")]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        head = ['<?xml version="1.0" encoding="UTF-8"?>',
                f'<gexf xmlns="{GEXF_NAMESPACE}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                f'xsi:schemaLocation="{GEXF_NAMESPACE} {GEXF_SCHEMA}" version="1.3">',
                f"  <meta>\n    <creator>{_escape(f'cib-toolkit {__version__}')}</creator>"]
        if description:
            head.append(f"    <description>{_escape(description)}</description>")
        head += ["  </meta>", '  <graph defaultedgetype="undirected" mode="static">',
                 *_attribute_block("node", node_cols), *_attribute_block("edge", edge_cols), "    <nodes>\n"]
        out.write("\n".join(head).encode())
        for lo in range(0, len(nodes), WRITE_CHUNK_ROWS):
            part, part_ids = nodes.iloc[lo:lo + WRITE_CHUNK_ROWS], ids[lo:lo + WRITE_CHUNK_ROWS]
            _write_lines(out, pc.binary_join_element_wise(
                "      <node id=", _quoted(part_ids), " label=", _quoted(_labels(part, part_ids)), ">",
                _attvalues(part, node_cols), "</node>\n", ""))
        out.write(b"    </nodes>\n    <edges>\n")
        for lo in range(0, len(edges), WRITE_CHUNK_ROWS):
            part = edges.iloc[lo:lo + WRITE_CHUNK_ROWS]
            _write_lines(out, pc.binary_join_element_wise(
                '      <edge id="', pa.array(np.arange(lo, lo + len(part))).cast(pa.string()),
                '" source=', _quoted(sources[lo:lo + len(part)]), " target=", _quoted(targets[lo:lo + len(part)]),
                ' weight="', _texts(part["weight"].astype(float), "double"), '">', _attvalues(part, edge_cols),
                "</edge>\n", ""))
        out.write(b"    </edges>\n  </graph>\n</gexf>\n")
    return path


def _labels(nodes: pd.DataFrame, ids: pa.Array) -> pa.Array:
    """Node labels: ``@handle`` where the handle is known, else the node id."""
    if "handle" not in nodes.columns:
        return ids
    handles = pa.array(nodes["handle"].map(lambda h: h if isinstance(h, str) and h else None), type=pa.string())
    return pc.coalesce(pc.binary_join_element_wise("@", handles, ""), ids)


def _write_lines(out, lines: pa.Array) -> None:
    """Write an Arrow string array's texts one after the other (its UTF-8 bytes, not copied)."""
    for chunk in lines.chunks if isinstance(lines, pa.ChunkedArray) else [lines]:
        if len(chunk):
            offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int32 if chunk.type == pa.string() else np.int64)
            out.write(memoryview(chunk.buffers()[2])[offsets[chunk.offset]:offsets[chunk.offset + len(chunk)]])


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
