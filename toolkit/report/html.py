"""``report.html``: one self-contained page an editor, a platform and a peer reviewer can read.

:func:`report_context` gathers every number, table and figure from the workspace (heavy work as
SQL through the store); :func:`render_report` fills the jinja2 template
(``templates/report.html.j2``); :func:`write_report` does both and writes the file.

The page is self-contained and safe to open offline:

* figures are embedded as ``data:image/png;base64`` images; no style sheet, font, script or
  image is fetched from anywhere, and a Content-Security-Policy forbids the page to load anything
  but embedded images and its own inline style, or to run any script;
* every text from the data (posts, handles, names, file names) is HTML-escaped by the template
  engine (autoescape on, no ``|safe`` on data): a post containing ``<script>`` shows as text;
* links (profiles, posts) are shown as text, not as clickable anchors.

Sections: executive summary, timeline, office-hours fingerprint, largest clusters (texts side by
side per language), accounts, coordination network, targets, narratives, known-network matches,
method and parameters, data provenance and reconciliation, limitations.

Example:
    >>> from toolkit.report import write_report
    >>> write_report(store, summary, "out/report.html")       # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import __version__
from ..errors import ParameterError
from ..store import Store
from .pseudonymise import Pseudonymiser

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: The page's Content-Security-Policy: embedded images and inline style only, nothing fetched, no script.
CONTENT_SECURITY_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

#: What the report says the evidence does not show; printed in every report.
LIMITATIONS = [
    "Attribution: nothing here shows who runs the accounts. Timing that fits another time zone's office hours, "
    "copy-pasted text and new or revived accounts are consistent with a state-linked operation and with other "
    "explanations (commercial spam sellers, activists, impersonators). Attribution to a state actor rests on much "
    "more than this: platform data (registration details, IP addresses, devices), infrastructure, and corroboration "
    "by independent investigators.",
    "Coordination is ordinary human behaviour. Citizens who paste an advocacy template to their MP, or share a "
    "headline, are coordinated but authentic; an account is flagged only with evidence of both coordination and "
    "inauthenticity, and every flag lists its reasons. Flags are leads for review, not verdicts.",
    "Coverage: the data holds what was collected (searches, exports, timelines). Deleted, suspended or uncollected "
    "posts and accounts are missing; the true start may be earlier and the true size larger.",
    "Engagement is not impact: posts and comments counted here say nothing about who saw them or whether anyone "
    "was persuaded.",
    "Languages are identified automatically from short texts; a few posts get a wrong language tag (short texts, "
    "mixed languages).",
    "Narrative statistics count words and phrases, not meanings; the named-person and deepfake counts depend on "
    "spelling and on the term lists given in the method section.",
]


def _iso(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        ts = pd.Timestamp(value)
        ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
        return ts.strftime("%Y-%m-%d %H:%M UTC")
    return str(value)


def _day(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _plain(value: Any) -> Any:
    """A cell as a plain Python value: NaN, NaT and NA become None, numpy scalars and arrays Python ones."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def _as_list(value: Any) -> list:
    """A list from a list-like cell; missing (None, NA, NaN): empty."""
    return [] if _missing(value) else list(value)


def _as_dict(value: Any) -> dict:
    """A dict from a map cell; missing: empty."""
    return {} if _missing(value) else dict(value)


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts of plain values (the template shows None as a dash)."""
    return [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _campaign_selection(store: Store) -> pd.DataFrame:
    return store.df("""SELECT c.platform, c.post_id FROM clusters c JOIN cluster_judgement j USING (cluster_id)
                       WHERE j.campaign ORDER BY c.platform, c.post_id""")


def _young_days(summary: dict) -> float:
    scoring = ((summary.get("parameters") or {}).get("reconstruct") or {}).get("scoring") or {}
    return float(scoring.get("young_account_days", 90.0))


def _accounts_section(store: Store, summary: dict, pseud: Pseudonymiser | None, top: int) -> dict:
    young = _young_days(summary)
    by_platform = _records(store.df(f"""
        SELECT e.platform, count(*) AS flagged,
               count(*) FILTER (WHERE coalesce(e.age_at_first_post_days <= {young}, false)) AS new,
               count(*) FILTER (WHERE coalesce(e.batch_id IS NOT NULL, false)) AS in_creation_batches,
               count(*) FILTER (WHERE coalesce(e.reactivated_with_switch, false)) AS hijacked,
               count(*) FILTER (WHERE NOT coalesce(e.age_at_first_post_days <= {young}, false)
                                      AND NOT coalesce(e.reactivated_with_switch, false)) AS other,
               count(*) FILTER (WHERE e.created_at IS NULL AND NOT coalesce(e.reactivated_with_switch, false))
                   AS creation_unknown,
               count(*) FILTER (WHERE coalesce(e.default_handle, false)) AS default_handles,
               any_value(n.accounts) AS accounts
        FROM account_scores s JOIN account_evidence e USING (platform, account_id)
        JOIN (SELECT platform, count(*) AS accounts FROM account_scores GROUP BY platform) n ON n.platform = e.platform
        WHERE s.flagged GROUP BY e.platform ORDER BY e.platform"""))
    batches = store.df("""
        SELECT e.platform, e.batch_id, any_value(e.batch_size) AS batch_size, count(*) AS flagged,
               min(e.created_at) AS first_created, max(e.created_at) AS last_created,
               min(e.first_post_at) AS first_post
        FROM account_scores s JOIN account_evidence e USING (platform, account_id)
        WHERE s.flagged AND e.batch_id IS NOT NULL GROUP BY ALL ORDER BY first_created, e.platform""")
    for column in ("first_created", "last_created", "first_post"):
        batches[column] = batches[column].map(_iso)
    hijacked = store.df("""
        SELECT e.platform, e.account_id, e.handle, e.display_name, e.previous_handles, e.previous_names,
               round(e.longest_gap_days / 365.25, 1) AS silent_years, e.dormant_from, e.reactivated_at,
               e.lang_before, e.lang_after, e.topic_switch, e.posts_before, s.score
        FROM account_scores s JOIN account_evidence e USING (platform, account_id)
        WHERE s.flagged AND e.reactivated_with_switch ORDER BY e.longest_gap_days DESC, e.platform, e.account_id""")
    hijacked_total = len(hijacked)
    hijacked = hijacked.head(top)
    for column in ("dormant_from", "reactivated_at"):
        hijacked[column] = hijacked[column].map(_day)
    hijacked["previous_handles"] = hijacked.previous_handles.map(_as_list)
    hijacked["previous_names"] = hijacked.previous_names.map(_as_list)
    top_accounts = store.df(f"""
        SELECT s.platform, s.account_id, s.handle, s.score, s.coordination, s.inauthenticity::DOUBLE AS inauthenticity,
               s.campaign_posts, s.reasons FROM account_scores s WHERE s.flagged
        ORDER BY s.score DESC, s.campaign_posts DESC, s.platform, s.account_id LIMIT {int(top)}""")
    top_accounts["reasons"] = top_accounts.reasons.map(_as_list)
    if pseud is not None:
        hidden = [not pseud.kept(p, a) for p, a in zip(hijacked.platform, hijacked.account_id)]
        hijacked = pseud.frame(hijacked, drop=("display_name",))
        hijacked["previous_handles"] = [["(hidden)"] * len(v) if h else v for h, v in zip(hidden, hijacked.previous_handles)]
        hijacked["previous_names"] = [["(hidden)"] * len(v) if h else v for h, v in zip(hidden, hijacked.previous_names)]
        top_accounts = pseud.frame(top_accounts, texts=("reasons",))
    scores = store.df("SELECT floor(score * 10) / 10 AS bin, count(*) AS n, count(*) FILTER (WHERE flagged) AS flagged "
                      "FROM account_scores WHERE score > 0 GROUP BY 1 ORDER BY 1")
    return {"by_platform": by_platform, "batches": _records(batches), "hijacked": _records(hijacked),
            "hijacked_total": hijacked_total, "top": _records(top_accounts), "young_days": young,
            "score_bins": _records(scores),
            "flag_threshold": (((summary.get("parameters") or {}).get("reconstruct") or {}).get("scoring") or {})
            .get("flag_threshold")}


def _clusters_section(store: Store, top: int) -> dict:
    campaign = store.df(f"""
        SELECT s.cluster_id, s.n_posts, s.n_accounts, s.n_targets, s.n_text_clusters, s.languages, s.platforms,
               s.first_at, s.last_at, s.text_by_language, j.reason, j.squad_share, j.inauthentic_share
        FROM cluster_summary s JOIN cluster_judgement j USING (cluster_id)
        WHERE j.campaign ORDER BY s.n_posts DESC, s.cluster_id LIMIT {int(top)}""")
    links = store.df("""
        SELECT DISTINCT a.cluster_id, l.lang_a, l.lang_b, l.reasons
        FROM cluster_links l JOIN clusters a ON a.text_cluster_id = l.text_cluster_a
        JOIN clusters b ON b.text_cluster_id = l.text_cluster_b
        WHERE l.linked AND a.cluster_id = b.cluster_id""") if store.has_table("cluster_links") else pd.DataFrame()
    rows = []
    for r in campaign.to_dict("records"):
        texts = _as_dict(r["text_by_language"])
        languages = [lang for lang in _as_list(r["languages"]) if lang in texts]
        link_reasons = []
        if len(links):
            for lr in links[links.cluster_id == r["cluster_id"]].to_dict("records"):
                for reason in list(lr["reasons"]):
                    link_reasons.append(f"{lr['lang_a']} ↔ {lr['lang_b']}: {reason}")
        rows.append({**{k: r[k] for k in ("cluster_id", "n_posts", "n_accounts", "n_targets", "n_text_clusters", "reason")},
                     "platforms": _as_list(r["platforms"]),
                     "first_at": _iso(r["first_at"]), "last_at": _iso(r["last_at"]),
                     "languages": languages, "texts": [(lang, texts[lang]) for lang in languages],
                     "link_reasons": sorted(set(link_reasons))[:6]})
    authentic = store.df("""
        SELECT s.cluster_id, s.n_posts, s.n_accounts, s.languages, s.text_by_language, j.reason
        FROM cluster_summary s JOIN cluster_judgement j USING (cluster_id)
        WHERE NOT j.campaign ORDER BY s.n_posts DESC, s.cluster_id LIMIT 5""")
    others = []
    for r in authentic.to_dict("records"):
        texts = _as_dict(r["text_by_language"])
        first = next(iter(texts.items()), (None, ""))
        others.append({"cluster_id": r["cluster_id"], "n_posts": r["n_posts"], "n_accounts": r["n_accounts"],
                       "lang": first[0], "text": first[1], "reason": r["reason"]})
    counts = store.df("""SELECT count(*) AS clusters, count_if(campaign) AS campaign,
                                sum(n_posts) FILTER (WHERE campaign) AS campaign_posts FROM cluster_judgement""").iloc[0]
    return {"campaign": rows, "authentic": others, "clusters": int(counts.clusters), "campaign_clusters": int(counts.campaign),
            "campaign_posts": int(counts.campaign_posts or 0)}


def _targets_section(summary: dict) -> dict:
    targets = pd.DataFrame(summary.get("targets") or [])
    if targets.empty:
        return {"accounts": [], "mps": [], "by_party": [], "by_province": [], "n_people": 0, "n_accounts": 0}
    for column in ("name", "party", "province", "handle"):
        if column not in targets.columns:
            targets[column] = None
    targets["person"] = [n if isinstance(n, str) and n else f"{p}:{a}"
                         for n, p, a in zip(targets["name"], targets.platform, targets.account_id)]
    people = (targets.groupby("person", sort=False)
              .agg(party=("party", "first"), province=("province", "first"), accounts=("account_id", "count"),
                   platforms=("platform", lambda s: sorted(set(s))), comments=("campaign_posts", "sum"),
                   first_hit_at=("first_hit_at", "min"))
              .reset_index().sort_values(["first_hit_at", "person"]).reset_index(drop=True))
    people.insert(0, "order_hit", range(1, len(people) + 1))
    fill = lambda s: s.fillna("").replace("", "(unknown)")  # noqa: E731
    by_party = (people.assign(party=fill(people.party)).groupby("party")
                .agg(mps=("person", "count"), comments=("comments", "sum")).reset_index()
                .sort_values(["comments", "party"], ascending=[False, True]))
    by_province = (people.assign(province=fill(people.province)).groupby("province")
                   .agg(mps=("person", "count"), comments=("comments", "sum")).reset_index()
                   .sort_values(["comments", "province"], ascending=[False, True]))
    return {"accounts": _records(targets), "mps": _records(people), "by_party": _records(by_party),
            "by_province": _records(by_province), "n_people": int(len(people)), "n_accounts": int(len(targets)),
            "frame": targets}


def _provenance_section(store: Store) -> dict:
    from ..load import reconciliation

    table = reconciliation(store)
    table["notes"] = table.notes.map(_as_list)
    sources = store.df("SELECT source_id, sha256, load_seconds, toolkit_version FROM sources")
    table = table.merge(sources, on="source_id", how="left")
    rejects = store.df("""SELECT s.path, r.reason, count(*) AS rows FROM rejects r JOIN sources s USING (source_id)
                          GROUP BY ALL ORDER BY rows DESC, s.path, r.reason LIMIT 50""")
    totals = store.df("""SELECT (SELECT count(*) FROM posts) AS posts, (SELECT count(*) FROM accounts) AS accounts,
                                (SELECT count(*) FROM rejects) AS rejects, (SELECT min(created_at) FROM posts) AS first_post,
                                (SELECT max(created_at) FROM posts) AS last_post""").iloc[0].to_dict()
    totals["first_post"], totals["last_post"] = _iso(totals["first_post"]), _iso(totals["last_post"])
    return {"sources": _records(table), "rejects": _records(rejects), "totals": totals,
            "all_reconcile": bool(table.reconciles.all()) if len(table) else True, "meta": store.meta()}


def _narratives_section(narr: dict, top: int) -> dict:
    claims = narr["claims"].head(top).copy()
    claims_rows = []
    for r in claims.to_dict("records"):
        claims_rows.append({"cluster_id": r["cluster_id"], "n_posts": r["n_posts"],
                            "languages": _as_list(r["languages"]),
                            "templates": r["templates"][:3],
                            "terms": [f"{t['term']} ({100 * t['share']:.0f}%)" for t in r["distinctive_terms"]]})
    persons = narr["persons"]
    deepfake = narr["deepfake"]
    any_row = deepfake[deepfake.group == "any"]
    return {"persona": narr.get("persona"), "persons": _records(persons[persons.script == "latin"].head(10)),
            "han_terms": _records(persons[persons.script == "han"]),
            "campaign_messages": persons.attrs.get("campaign_messages"),
            "messages_with_chinese": persons.attrs.get("messages_with_chinese_script"),
            "deepfake": _records(deepfake), "deepfake_any": _records(any_row)[0] if len(any_row) else None,
            "phrases": _records(narr["phrases"]), "claims": claims_rows}


def _known_section(indicators: pd.DataFrame | None, matches: pd.DataFrame | None, pseud: Pseudonymiser | None,
                   top: int) -> dict:
    from .known_networks import pseudonymise_matches, summarise_matches

    if indicators is None:
        return {"lists": [], "summary": [], "matches": [], "n_matches": 0, "accounts": 0}
    lists = (indicators.groupby(["network", "source_file"]).agg(indicators=("indicator", "count")).reset_index())
    kinds = indicators.pivot_table(index="network", columns="kind", values="indicator", aggfunc="count", fill_value=0)
    lists["kinds"] = lists.network.map(lambda n: ", ".join(f"{int(v)} {k}" for k, v in kinds.loc[n].items() if v))
    matches = matches if matches is not None else pd.DataFrame()
    public = pseudonymise_matches(matches, pseud) if pseud is not None and len(matches) else matches
    accounts = 0 if matches.empty else matches.dropna(subset=["account_id"])[["platform", "account_id"]].drop_duplicates().shape[0]
    return {"lists": _records(lists), "summary": _records(summarise_matches(public)) if len(public) else [],
            "matches": _records(public.head(top)), "n_matches": int(len(matches)), "accounts": int(accounts)}


def _method_section(store: Store, summary: dict) -> dict:
    steps = [(step, json.loads(params)) for step, params in store.rows("SELECT step, params FROM runs ORDER BY step")] \
        if store.has_table("runs") else []
    return {"parameters": json.dumps(summary.get("parameters") or {}, indent=2, sort_keys=True, default=str),
            "steps": [{"step": s, "parameters": json.dumps(p, indent=1, sort_keys=True, default=str)} for s, p in steps]}


def report_context(store: Store, summary: dict, *, indicators: pd.DataFrame | None = None,
                   matches: pd.DataFrame | None = None, narratives: dict | None = None,
                   pseudonymiser: Pseudonymiser | None = None, figures: bool = True, top: int = 10,
                   title: str | None = None) -> dict:
    """Everything the report shows, as plain data (numbers, rows, figure URIs).

    Args:
        store: a workspace where :func:`toolkit.reconstruct.reconstruct` ran.
        summary: the campaign summary it returned (``campaign.json``).
        indicators: :func:`toolkit.report.known_networks.read_indicators` output (the lists matched).
        matches: :func:`toolkit.report.known_networks.match_known_networks` output.
        narratives: :func:`toolkit.report.narratives.campaign_narratives` output (None: computed).
        pseudonymiser: replaces ids and handles of the accounts it does not keep.
        figures: draw the figures (False: text only, faster).
        top: rows of the longer tables (clusters, accounts, claims).
        title: the page title.

    Returns:
        dict with ``title``, ``generated_by``, ``summary`` (selected figures of the summary),
        ``exec`` (the executive summary), ``timeline``, ``office``, ``clusters``, ``accounts``,
        ``network``, ``targets``, ``narratives``, ``known``, ``method``, ``provenance``,
        ``limitations``, ``figures`` (name -> data URI) and ``pseudonymised``.

    Raises:
        ParameterError: the workspace has not been reconstructed.
    """
    from ..timeline._common import tagged_posts_table
    from .figures import data_uri, long_weekends, network_figure, office_hours_figure, targets_figure, timeline_figure
    from .narratives import campaign_narratives

    missing = [t for t in ("clusters", "cluster_judgement", "cluster_summary", "account_scores", "account_evidence")
               if not store.has_table(t)]
    if missing:
        raise ParameterError(f"the workspace has no table {', '.join(missing)}: run toolkit.reconstruct.reconstruct(store) "
                             "(or `cib reconstruct`) before writing the report")
    if int(top) < 1:
        raise ParameterError(f"top={top}: must be at least 1")
    campaign = _campaign_selection(store)
    selection = campaign if len(campaign) else None
    narr = narratives if narratives is not None else campaign_narratives(store)
    figures_out: dict[str, str] = {}
    with tagged_posts_table(store, selection):  # the posts of each series, gathered once
        weekends = long_weekends(store, selection, summary)
        if figures:
            fig, _ = timeline_figure(store, selection, summary, weekends=weekends)
            figures_out["timeline"] = data_uri(fig)
            fig, _ = office_hours_figure(store, selection, summary)
            figures_out["office_hours"] = data_uri(fig)
    counts = summary.get("counts") or {}
    accounts = _accounts_section(store, summary, pseudonymiser, top=max(int(top) * 2, 20))
    clusters = _clusters_section(store, top)
    targets = _targets_section(summary)
    office = summary.get("office_hours") or {}
    network = dict(summary.get("network") or {})
    if figures:
        fig, _ = network_figure(store)
        network["drawn"] = fig.info
        figures_out["network"] = data_uri(fig)
        if targets["n_accounts"]:
            fig, _ = targets_figure(targets["frame"])
            figures_out["targets"] = data_uri(fig)
    targets.pop("frame", None)
    flagged_total = sum(r["flagged"] for r in accounts["by_platform"])
    new_total = sum(r["new"] for r in accounts["by_platform"])
    hijacked_total = sum(r["hijacked"] for r in accounts["by_platform"])
    unknown_total = sum(r["creation_unknown"] for r in accounts["by_platform"])
    surge = weekends.sort_values("posts", ascending=False).iloc[0].to_dict() if len(weekends) else None
    known = _known_section(indicators, matches, pseudonymiser, top=max(int(top) * 10, 100))
    exec_summary = {
        "messages": clusters["campaign_clusters"], "campaign_posts": int(counts.get("campaign_posts", 0)),
        "posts": int(counts.get("posts", 0)), "accounts": int(counts.get("accounts", 0)),
        "flagged": int(counts.get("flagged_accounts", flagged_total)), "new": new_total, "hijacked": hijacked_total,
        "creation_unknown": unknown_total,
        "by_language": counts.get("campaign_posts_by_language") or {},
        "by_platform": counts.get("campaign_posts_by_platform") or {},
        "first_sign": summary.get("first_sign"), "first_post": summary.get("first_post"),
        "peak_day": summary.get("peak_day"), "last_post": summary.get("last_post"),
        "peak_day_posts": _peak_posts(store, campaign, summary.get("peak_day")),
        "targets_people": targets["n_people"], "targets_accounts": targets["n_accounts"],
        "parties": [r["party"] for r in targets["by_party"]],
        "surge": surge, "office": office.get("campaign") or {}, "office_baseline": office.get("baseline") or {},
        "persona": narr.get("persona"), "deepfake": _records(narr["deepfake"][narr["deepfake"].group == "any"])[0]
        if len(narr["deepfake"]) else None,
        "known_matches": known["n_matches"], "known_accounts": known["accounts"],
    }
    return {
        "title": title or "Coordinated inauthentic behaviour: reconstruction report",
        "generated_by": f"cib-toolkit {__version__}",
        "csp": CONTENT_SECURITY_POLICY,
        "exec": exec_summary,
        "timeline": {"first_sign": summary.get("first_sign"), "first_post": summary.get("first_post"),
                     "peak_day": summary.get("peak_day"), "last_post": summary.get("last_post"),
                     "phases": summary.get("phases") or [], "bursts": summary.get("bursts") or [],
                     "unusual_days": summary.get("unusual_days") or [], "long_weekends": _records(weekends)},
        "office": {"campaign": office.get("campaign") or {}, "baseline": office.get("baseline") or {},
                   "difference_hours": office.get("difference_hours")},
        "clusters": clusters, "accounts": accounts, "network": network, "targets": targets,
        "narratives": _narratives_section(narr, top), "known": known, "method": _method_section(store, summary),
        "provenance": _provenance_section(store),
        "limitations": list(dict.fromkeys(LIMITATIONS + list(summary.get("caveats") or []))),
        "figures": figures_out,
        "pseudonymised": pseudonymiser.describe() if pseudonymiser is not None else None,
    }


def _peak_posts(store: Store, campaign: pd.DataFrame, peak_day: str | None) -> int | None:
    if not peak_day or campaign.empty:
        return None
    store.register("_peak_sel", campaign)
    try:
        return int(store.scalar("SELECT count(*) FROM posts p SEMI JOIN _peak_sel s USING (platform, post_id) "
                                "WHERE CAST(p.created_at AS DATE) = CAST(? AS DATE)", [peak_day]))
    finally:
        store.unregister("_peak_sel")


def _environment():
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = lambda v, digits=0: "–" if v is None else (f"{v:,.{digits}f}" if isinstance(v, float) else f"{v:,}"
                                                                     if isinstance(v, int) else str(v))
    env.filters["pct"] = lambda v, digits=0: "–" if v is None else f"{100 * float(v):.{digits}f}%"
    env.filters["dash"] = lambda v: "–" if v is None or v == "" else v
    env.filters["signed"] = lambda v: "–" if v is None else (f"+{v:g}" if float(v) >= 0 else f"{v:g}")
    return env


def render_report(context: dict) -> str:
    """The HTML page for a :func:`report_context` dict."""
    return _environment().get_template("report.html.j2").render(**context)


def write_report(store: Store, summary: dict, path: str | Path, *, indicators: pd.DataFrame | None = None,
                 matches: pd.DataFrame | None = None, narratives: dict | None = None,
                 pseudonymiser: Pseudonymiser | None = None, figures: bool = True, top: int = 10) -> Path:
    """Write ``report.html`` for a reconstructed workspace (see :func:`report_context` for the arguments).

    Returns:
        The path written (UTF-8).
    """
    context = report_context(store, summary, indicators=indicators, matches=matches, narratives=narratives,
                             pseudonymiser=pseudonymiser, figures=figures, top=top)
    path = Path(path)
    path.write_text(render_report(context), encoding="utf-8")
    log.info("report written: %s", path)
    return path
