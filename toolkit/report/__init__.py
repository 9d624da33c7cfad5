"""Report and evidence: a briefing an editor, a platform and a peer reviewer accept.

==========================================  ===========================================================
:func:`write_report_outputs`                report.html, killchain_indicators.csv, known_network_matches.csv
                                            into an output folder (called by ``cib reconstruct``)
:func:`write_report`, :func:`report_context`, :func:`render_report`   the self-contained HTML report
:func:`campaign_narratives`                 recurring claims, named persons, deepfake mentions
:func:`killchain_indicators`                the evidence as Online Operations Kill Chain indicators
:func:`write_indicators`, :func:`validate_indicators`   write / check an indicator file
:func:`defang`, :func:`refang`              ``twitter[.]com`` and back
:func:`read_indicators`                     published indicator lists (Meta's CSV formats)
:func:`match_known_networks`                which accounts, links, domains and texts match them
:func:`bundled_indicator_files`             Meta's lists that ship with the toolkit
:func:`make_pseudonymiser`, :class:`Pseudonymiser`   salted hashes for ids and handles
==========================================  ===========================================================

See docs/report.md for what each part shows, its method and its limits.
"""

from .html import render_report, report_context, write_report
from .killchain import (INDICATOR_COLUMNS, defang, killchain_indicators, killchain_row, refang, ttp_table,
                        validate_indicators, write_indicators)
from .known_networks import (bundled_indicator_files, classify_indicator, indicators_as_killchain, match_known_networks,
                             pseudonymise_matches, read_indicators, summarise_matches)
from .narratives import campaign_narratives, claims, deepfake_mentions, named_persons, recurring_phrases
from .outputs import KILLCHAIN_FILE, KNOWN_MATCHES_FILE, REPORT_FILE, REPORT_OUTPUT_FILES, pseudonymised_gexf, write_report_outputs
from .pseudonymise import Pseudonymiser, make_pseudonymiser

__all__ = [
    "INDICATOR_COLUMNS", "KILLCHAIN_FILE", "KNOWN_MATCHES_FILE", "Pseudonymiser", "REPORT_FILE", "REPORT_OUTPUT_FILES",
    "bundled_indicator_files", "campaign_narratives", "claims", "classify_indicator", "deepfake_mentions", "defang",
    "indicators_as_killchain", "killchain_indicators", "killchain_row", "make_pseudonymiser", "match_known_networks",
    "named_persons", "pseudonymise_matches", "pseudonymised_gexf", "read_indicators", "recurring_phrases", "refang",
    "render_report", "report_context", "summarise_matches", "ttp_table", "validate_indicators", "write_indicators",
    "write_report", "write_report_outputs",
]
