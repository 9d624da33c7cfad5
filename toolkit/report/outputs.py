"""The report's files in an output folder, and the pseudonymised network file.

:func:`write_report_outputs` writes, beside the files of :func:`toolkit.reconstruct.write_outputs`:

==============================  ==================================================================
file                            content
==============================  ==================================================================
``report.html``                 the self-contained report (:mod:`toolkit.report.html`)
``killchain_indicators.csv``    the evidence as Online Operations Kill Chain indicators, URLs
                                defanged (:mod:`toolkit.report.killchain`)
``known_network_matches.csv``   every match with a published indicator list
                                (:mod:`toolkit.report.known_networks`); header only when none
==============================  ==================================================================

Every CSV goes through :func:`toolkit.export.write_csv` (spreadsheet-safe).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Iterable

import pandas as pd

from ..export import write_csv
from ..store import Store
from .html import write_report
from .killchain import killchain_indicators, write_indicators
from .known_networks import (MATCH_COLUMNS, bundled_indicator_files, match_known_networks, pseudonymise_matches,
                             read_indicators)
from .narratives import campaign_narratives
from .pseudonymise import Pseudonymiser

log = logging.getLogger(__name__)

REPORT_FILE = "report.html"
KILLCHAIN_FILE = "killchain_indicators.csv"
KNOWN_MATCHES_FILE = "known_network_matches.csv"
#: The files :func:`write_report_outputs` writes, in order.
REPORT_OUTPUT_FILES = (REPORT_FILE, KILLCHAIN_FILE, KNOWN_MATCHES_FILE)


def write_report_outputs(store: Store, summary: dict, out_dir: str | Path, *,
                         pseudonymiser: Pseudonymiser | None = None,
                         indicator_files: Iterable[str | Path] | None = None, bundled_lists: bool = True,
                         similarity_threshold: float = 0.6, figures: bool = True) -> list[Path]:
    """Write report.html, killchain_indicators.csv and known_network_matches.csv into ``out_dir``.

    Args:
        store: a workspace where :func:`toolkit.reconstruct.reconstruct` ran.
        summary: the campaign summary it returned.
        out_dir: the output folder (created if missing).
        pseudonymiser: hash account ids and handles in every file (None: keep them).
        indicator_files: published indicator lists (Meta's CSV formats) to match, beside the bundled ones.
        bundled_lists: also match the lists that ship with the toolkit (Meta's Spamouflage and China-based
            networks, :func:`toolkit.report.known_networks.bundled_indicator_files`).
        similarity_threshold: near-duplicate threshold for text matches (0–1).
        figures: draw the report's figures.

    Returns:
        The paths written.

    Raises:
        FormatError: an indicator file cannot be read.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = (bundled_indicator_files() if bundled_lists else []) + [Path(p) for p in (indicator_files or [])]
    indicators = read_indicators(files) if files else None
    matches = (match_known_networks(store, indicators, similarity_threshold=similarity_threshold)
               if indicators is not None and len(indicators) else pd.DataFrame(columns=MATCH_COLUMNS))
    narratives = campaign_narratives(store)
    written = [write_report(store, summary, out / REPORT_FILE, indicators=indicators, matches=matches,
                            narratives=narratives, pseudonymiser=pseudonymiser, figures=figures)]
    indicators_out = killchain_indicators(store, summary=summary, matches=matches, pseudonymiser=pseudonymiser)
    written.append(write_indicators(indicators_out, out / KILLCHAIN_FILE))
    shared = pseudonymise_matches(matches, pseudonymiser) if pseudonymiser is not None else matches
    written.append(write_csv(shared[MATCH_COLUMNS], out / KNOWN_MATCHES_FILE))
    log.info("report outputs: %s", ", ".join(p.name for p in written))
    return written


def pseudonymised_gexf(store: Store, path: str | Path, pseudonymiser: Pseudonymiser, *,
                       node_attributes: pd.DataFrame | None = None) -> Path:
    """The workspace's coordination network as GEXF, with ids and handles pseudonymised.

    Node ids become ``platform:anon_...`` and labels the same token for the accounts the
    pseudonymiser does not keep; text attributes (reasons) are scrubbed of their handles and names.

    Args:
        store: a workspace with the coordination network (``coordination_edges`` and its node table).
        path: the file to write.
        pseudonymiser: see :class:`toolkit.report.pseudonymise.Pseudonymiser`.
        node_attributes: more node columns (score, flagged, reasons) with platform and account_id.

    Returns:
        The path written.
    """
    from ..network import write_gexf
    from ..network.communities import NODE_TABLE
    from ..network.coordination import ACCOUNT_TABLE, EDGE_TABLE

    node_table = NODE_TABLE if store.has_table(NODE_TABLE) else ACCOUNT_TABLE
    nodes = store.df(f"SELECT * FROM {node_table}")
    edges = store.df(f"SELECT * FROM {EDGE_TABLE}")
    if "community_id" in nodes.columns:
        nodes = nodes.rename(columns={"community_id": "community"})
    if node_attributes is not None:
        extra = node_attributes.drop_duplicates(["platform", "account_id"])
        replaced = [c for c in extra.columns if c in nodes.columns and c not in ("platform", "account_id")]
        nodes = nodes.drop(columns=replaced).merge(extra, on=["platform", "account_id"], how="left")
    texts = [c for c in nodes.columns if c not in ("platform", "account_id", "handle")
             and (nodes[c].dtype == object or pd.api.types.is_string_dtype(nodes[c]))]
    nodes = pseudonymiser.frame(nodes, texts=texts)
    for side in ("a", "b"):
        edges[f"account_id_{side}"] = [pseudonymiser.account_id(p, a) for p, a in
                                       zip(edges[f"platform_{side}"], edges[f"account_id_{side}"])]
    params = store.run_params(EDGE_TABLE) or {}
    description = ("Coordination network (pseudonymised): accounts linked by the same action within "
                   f"{params.get('window_seconds', '?')} s; edge weight = distinct coordinated posts.")
    return write_gexf(nodes, edges, path, description=description)
