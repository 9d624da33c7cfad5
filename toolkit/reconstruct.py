"""`cib reconstruct`: the whole investigation, from a workspace (or export files) to evidence files.

Steps, each recorded with its parameters in the workspace table ``runs``:

1. targets — from ``--targets`` or inferred from replies (:mod:`toolkit.targets`);
2. copy clusters, languages, templates, cross-language links (:mod:`toolkit.clusters`);
3. squad posting: copies of one message posted to one target within minutes by other accounts;
   the UTC offset under which squad-posted copies look like office work, against the rest;
4. account forensics (:mod:`toolkit.accounts`);
5. which clusters are the campaign's, and account scores with reasons (:mod:`toolkit.scoring`);
6. the coordination network and its communities (:mod:`toolkit.network`);
7. the timeline of the campaign's posts (:mod:`toolkit.timeline`);
8. output files (:func:`write_outputs`): accounts.csv, clusters.csv, campaign.json,
   network.gexf, evidence.csv, and the report's report.html, killchain_indicators.csv,
   known_network_matches.csv (:mod:`toolkit.report`).

Deterministic: the same inputs and parameters give the same files (timestamps of the run itself
are kept out of them).
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Callable

import pandas as pd

from . import __version__
from .clusters import ClusterParams, find_clusters
from .export import write_csv, write_json
from .scoring import ScoringParams, judge_clusters, score_accounts
from .store import ENGINES, Store, open_store
from .targets import set_targets

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class ReconstructParams:
    """Every parameter of a reconstruction (defaults are the documented ones).

    Attributes:
        clusters: the copy-paste chain (:class:`toolkit.clusters.ClusterParams`).
        scoring: cluster judgement and account scores (:class:`toolkit.scoring.ScoringParams`).
        network_window_seconds: two accounts' actions on one object this close are coordinated
            (900: the squad window, 15 minutes).
        network_min_edge_weight: the network keeps pairs with at least this many coordinated posts;
            4 = pairs that acted together at least twice (or one of them twice). One coincidence
            (weight 2: one post each, e.g. two people answering a busy MP in the same quarter of
            an hour) is chance more often than coordination, and such pairs grow with the square
            of a target's traffic.
    """

    clusters: ClusterParams = ClusterParams()
    scoring: ScoringParams = ScoringParams()
    network_window_seconds: int = 900
    network_min_edge_weight: int = 4


STEPS = ["targets", "clusters", "squads and office hours", "account forensics", "scores", "network", "timeline"]


def reconstruct(store: Store, *, targets: pd.DataFrame | None = None, params: ReconstructParams = ReconstructParams(),
                on_step: Callable[[str], None] | None = None) -> dict:
    """Run the whole pipeline on a loaded workspace.

    Args:
        store: the workspace (posts loaded).
        targets: target accounts (:func:`toolkit.targets.read_targets`); None: inferred.
        params: see :class:`ReconstructParams`.
        on_step: called with each step's name as it starts (progress display).

    Returns:
        The campaign summary (what ``campaign.json`` holds).
    """
    step = on_step or (lambda name: log.info("step: %s", name))
    step("targets")
    set_targets(store, targets)
    step("clusters")
    cluster_report = find_clusters(store, params.clusters)
    step("squads and office hours")
    offsets = _office_offsets(store, params.scoring)
    step("account forensics")
    from .accounts import account_evidence

    account_evidence(store, office_utc_offset_hours=offsets.get("campaign"))
    step("scores")
    judge_clusters(store, params.scoring)
    score_accounts(store, params.scoring)
    step("network")
    network = _network(store, params)
    step("timeline")
    from .timeline import summarise_timeline

    campaign_posts = store.df("""SELECT c.platform, c.post_id FROM clusters c JOIN cluster_judgement j USING (cluster_id)
                                 WHERE j.campaign""")
    timeline = summarise_timeline(store, campaign_posts if len(campaign_posts) else None)
    summary = _summary(store, timeline, cluster_report, network, offsets, params)
    store.record_run("reconstruct", dataclasses.asdict(params))
    return summary


def _office_offsets(store: Store, scoring: ScoringParams) -> dict:
    """UTC offsets under which squad-posted copies, and everything else, look like office work."""
    from .scoring import squad_posts
    from .timeline import fit_utc_offset

    squad = squad_posts(store, scoring)
    offsets: dict = {"campaign": None, "baseline": None}
    if len(squad) >= 30:
        fit = fit_utc_offset(store, squad).set_index("series")
        for series in ("campaign", "baseline"):
            if series in fit.index and pd.notna(fit.loc[series, "offset_hours"]):
                offsets[series] = float(fit.loc[series, "offset_hours"])
    store.record_run("office_offsets", offsets)
    return offsets


def _network(store: Store, params: ReconstructParams) -> dict:
    """Coordination edges and communities; returns their sizes and how flagged accounts sit in them."""
    from .network import coordination_communities, coordination_edges

    parameters = coordination_edges(store, window_seconds=params.network_window_seconds,
                                    min_edge_weight=params.network_min_edge_weight, fetch=False)
    nodes = coordination_communities(store)
    store.register("_nodes", nodes[["platform", "account_id", "community_id", "community_size"]])
    communities = store.df("""
        SELECT n.community_id, any_value(n.community_size) AS accounts, count_if(s.flagged) AS flagged
        FROM _nodes n LEFT JOIN account_scores s USING (platform, account_id)
        GROUP BY n.community_id HAVING count_if(s.flagged) > 0 ORDER BY flagged DESC, community_id LIMIT 20""")
    store.unregister("_nodes")
    return {"nodes": int(len(nodes)), "edges": int(store.scalar("SELECT count(*) FROM coordination_edges")),
            "communities": int(nodes.community_id.nunique()) if len(nodes) else 0,
            "communities_with_flagged_accounts": communities.to_dict(orient="records"),
            "parameters": parameters}


def _summary(store: Store, timeline: dict, cluster_report: dict, network: dict, offsets: dict,
             params: ReconstructParams) -> dict:
    counts = store.df("""
        SELECT (SELECT count(*) FROM posts) AS posts, (SELECT count(DISTINCT (platform, account_id)) FROM posts) AS accounts,
               (SELECT count(*) FROM account_scores WHERE flagged) AS flagged_accounts,
               (SELECT count(*) FROM cluster_judgement) AS copy_clusters,
               (SELECT count(*) FROM cluster_judgement WHERE campaign) AS campaign_clusters,
               (SELECT count(*) FROM clusters c JOIN cluster_judgement j USING (cluster_id) WHERE j.campaign) AS campaign_posts
    """).iloc[0].to_dict()
    by_language = dict(store.rows("""SELECT c.lang, count(*) FROM clusters c JOIN cluster_judgement j USING (cluster_id)
                                      WHERE j.campaign GROUP BY 1 ORDER BY 2 DESC, 1"""))
    by_platform = dict(store.rows("""SELECT c.platform, count(*) FROM clusters c JOIN cluster_judgement j USING (cluster_id)
                                      WHERE j.campaign GROUP BY 1 ORDER BY 2 DESC, 1"""))
    targets = store.df("""
        SELECT p.platform, p.reply_to_account_id AS account_id, any_value(t.handle) AS handle, any_value(t.name) AS name,
               any_value(t.party) AS party, any_value(t.province) AS province, count(*) AS campaign_posts,
               min(p.created_at) AS first_hit_at
        FROM clusters c JOIN cluster_judgement j USING (cluster_id) JOIN posts p USING (platform, post_id)
        LEFT JOIN targets t ON t.platform = p.platform AND t.account_id = p.reply_to_account_id
        WHERE j.campaign AND p.reply_to_account_id IS NOT NULL
        GROUP BY p.platform, p.reply_to_account_id ORDER BY first_hit_at, p.platform, account_id""")
    targets["first_hit_at"] = targets.first_hit_at.map(lambda t: t.isoformat().replace("+00:00", "Z"))
    targets["order_hit"] = range(1, len(targets) + 1)
    return {
        "toolkit_version": __version__,
        "first_sign": timeline.get("first_sign"),
        "peak_day": timeline.get("peak_day"),
        "first_post": timeline.get("first_post"),
        "last_post": timeline.get("last_post"),
        "bursts": timeline.get("bursts", []),
        "phases": timeline.get("phases", []),
        "unusual_days": timeline.get("unusual_days", []),
        "office_hours": timeline.get("office_hours"),
        "counts": {**{k: int(v) for k, v in counts.items()}, "campaign_posts_by_language": by_language,
                   "campaign_posts_by_platform": by_platform, "targets_hit": int(len(targets))},
        "targets": targets.to_dict(orient="records"),
        "network": network,
        "clusters": cluster_report,
        "parameters": {"reconstruct": dataclasses.asdict(params), "timeline": timeline.get("parameters"),
                       "office_offsets": offsets},
        "caveats": timeline.get("caveats", []) + [
            "Coordination is ordinary human behaviour; flags need both coordination and inauthenticity evidence.",
            "The toolkit shows evidence and its limits; it does not attribute a campaign to any actor.",
        ],
    }


def write_outputs(store: Store, summary: dict, out_dir: str | Path, *, pseudonymise: str | None = None,
                  salt: str | None = None, indicator_files: list | None = None) -> list[Path]:
    """Write the output files of DESIGN.md into ``out_dir``; returns their paths.

    Besides accounts.csv, clusters.csv, campaign.json, network.gexf and evidence.csv:
    report.html, killchain_indicators.csv and known_network_matches.csv (:mod:`toolkit.report`).

    Args:
        store: a workspace where :func:`reconstruct` ran.
        summary: what :func:`reconstruct` returned.
        out_dir: the output folder (created if missing).
        pseudonymise: None (ids and handles as they are), ``'unflagged'`` (salted hashes for the accounts
            that are not flagged) or ``'all'`` (for every account), in every file; targets are kept.
        salt: secret text for the hashes (None: a random one, so pseudonyms differ between runs).
        indicator_files: published indicator lists to match besides the bundled ones (Meta's CSV formats).
    """
    from .report import make_pseudonymiser, pseudonymised_gexf, write_report_outputs

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pseud = make_pseudonymiser(store, pseudonymise, salt=salt) if pseudonymise else None
    share = pseud.frame if pseud is not None else (lambda frame, **kwargs: frame)
    written = []
    accounts = store.df("""
        SELECT s.platform, s.account_id, s.handle, s.score, CASE WHEN s.flagged THEN 'true' ELSE 'false' END AS flagged, s.reasons
        FROM account_scores s ORDER BY s.platform, s.account_id""")
    written.append(write_csv(share(accounts, texts=("reasons",)), out / "accounts.csv"))
    clusters = store.df("""
        SELECT c.cluster_id, c.platform, c.post_id, p.account_id,
               strftime(p.created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at, c.lang,
               CASE WHEN j.campaign THEN 'true' ELSE 'false' END AS campaign
        FROM clusters c JOIN cluster_judgement j USING (cluster_id) JOIN posts p USING (platform, post_id)
        ORDER BY c.cluster_id, p.created_at, c.platform, c.post_id""")
    written.append(write_csv(share(clusters, handles=()), out / "clusters.csv"))
    written.append(write_json(summary if pseud is None else {**summary, "pseudonymised": pseud.describe()},
                              out / "campaign.json"))
    from .network import export_gexf

    scores = store.df("SELECT platform, account_id, score, flagged, array_to_string(reasons, '; ') AS reasons FROM account_scores")
    if pseud is None:
        written.append(export_gexf(store, out / "network.gexf", node_attributes=scores))
    else:
        written.append(pseudonymised_gexf(store, out / "network.gexf", pseud, node_attributes=scores))
    written.append(write_csv(share(evidence_table(store), texts=("reasons",), drop=("profile_url",)), out / "evidence.csv"))
    written += write_report_outputs(store, summary, out, pseudonymiser=pseud, indicator_files=indicator_files)
    return written


def evidence_table(store: Store, *, examples: int = 3) -> pd.DataFrame:
    """One row per flagged account: what a platform needs to act on (profile link, reasons, example posts)."""
    return store.df(f"""
        WITH flagged AS (SELECT * FROM account_scores WHERE flagged),
        examples AS (
            SELECT c.platform, p.account_id, list(c.post_id ORDER BY p.created_at)[1:{int(examples)}] AS post_ids,
                   min(p.created_at) AS first_at, max(p.created_at) AS last_at
            FROM clusters c JOIN cluster_judgement j USING (cluster_id) JOIN posts p USING (platform, post_id)
            WHERE j.campaign GROUP BY c.platform, p.account_id)
        SELECT f.platform, f.account_id, f.handle,
               CASE WHEN f.platform = 'x' AND f.handle IS NOT NULL THEN 'https://x.com/' || f.handle
                    WHEN f.platform = 'x' THEN 'https://x.com/i/user/' || f.account_id
                    WHEN f.platform = 'facebook' THEN 'https://www.facebook.com/' || f.account_id END AS profile_url,
               f.score, f.reasons, e.post_ids AS example_post_ids,
               [CASE WHEN f.platform = 'x' THEN 'https://x.com/i/web/status/' || pid
                     WHEN f.platform = 'facebook' THEN 'https://www.facebook.com/' || pid END FOR pid IN e.post_ids] AS example_links,
               strftime(e.first_at, '%Y-%m-%dT%H:%M:%SZ') AS first_campaign_post,
               strftime(e.last_at, '%Y-%m-%dT%H:%M:%SZ') AS last_campaign_post
        FROM flagged f LEFT JOIN examples e USING (platform, account_id)
        ORDER BY f.score DESC, f.platform, f.account_id""")


OUTPUT_FILES = ("accounts.csv", "clusters.csv", "campaign.json", "network.gexf", "evidence.csv", "report.html",
                "killchain_indicators.csv", "known_network_matches.csv")


def add_parsers(sub) -> None:
    """Register `cib reconstruct`."""
    p = sub.add_parser("reconstruct", help="reconstruct a campaign: clusters, accounts, network, timeline, evidence",
                       description="Run the whole investigation on a workspace (--db) or on export files, and write "
                                   + ", ".join(OUTPUT_FILES) + " into --out.")
    p.add_argument("inputs", nargs="*", metavar="INPUT", help="export files to load first (any format `cib load` reads)")
    p.add_argument("--db", help="workspace; with INPUTs they are loaded into it (default: OUT/campaign.duckdb)")
    p.add_argument("--out", required=True, help="output folder (created; files of an earlier run are replaced)")
    p.add_argument("--memory-limit", help="cap DuckDB's memory, e.g. 4GB (default: 80%% of RAM)")
    p.add_argument("--engine", choices=ENGINES, default="duckdb",
                   help="query engine: duckdb (default, embedded) or spark (pip install 'cib-toolkit[spark]'; docs/spark.md)")
    p.add_argument("--spark-master", metavar="URL",
                   help="with --engine spark: local[N], spark://host:7077, yarn, k8s://... (default: the one spark-submit "
                        "or the platform set, else local[*])")
    p.add_argument("--tables", metavar="URL",
                   help="with --engine spark: folder or URL (s3a://, gs://, hdfs://) of the canonical tables as Parquet to "
                        "analyse instead of a workspace (default: the workspace's tables, written to OUT/tables)")
    p.add_argument("--pseudonymise", choices=["unflagged", "all"],
                   help="for publication: replace ids and handles of unflagged (or all) accounts by salted hashes in every file")
    p.add_argument("--salt", help="salt of the pseudonyms (keep it secret; default: a random one per run)")
    p.add_argument("--known-networks", nargs="+", metavar="CSV",
                   help="more published indicator lists (Meta's CSV format) to match against, besides the bundled ones")
    p.add_argument("--targets", help="CSV of target accounts: platform, account_id, handle, name, party, province")
    p.add_argument("--similarity-threshold", type=float, default=ClusterParams().near.similarity_threshold,
                   help="near-duplicate Jaccard threshold, 0-1 (default %(default)s)")
    p.add_argument("--squad-window-minutes", type=float, default=ScoringParams().squad_window_minutes,
                   help="posts of one message to one target this close are squad-posted (default %(default)s)")
    p.add_argument("--network-min-edge-weight", type=int, default=ReconstructParams().network_min_edge_weight,
                   help="coordination network (network.gexf): keep pairs of accounts with at least this many coordinated "
                        "posts; 2 keeps single coincidences, 4 (default) pairs that acted together twice")
    p.set_defaults(run=run_reconstruct)


def _load_and_check(store: Store, inputs: list[str], db: str, echo: Callable[[str], None]) -> None:
    """Load the export files (if any) into the workspace and refuse a workspace without posts."""
    from .errors import CibError
    from .load import load_files

    for result in load_files(store, inputs) if inputs else []:
        echo(f"  {result.summary()}")
    if not store.scalar("SELECT count(*) FROM posts"):
        raise CibError(f"{db}: the workspace has no posts; load exports first (cib load FILE... --db {db})")


def run_reconstruct(args) -> int:
    """Load (if asked), reconstruct, write outputs; settings echoed first, steps shown as they run."""
    import sys

    from .errors import CibError
    from .targets import read_targets

    engine = getattr(args, "engine", "duckdb")
    tables = getattr(args, "tables", None)
    if engine != "spark" and (getattr(args, "spark_master", None) or tables):
        raise CibError("--spark-master and --tables go with --engine spark")
    if tables and (args.inputs or args.db):
        raise CibError("--tables replaces the workspace: give either --tables URL, or --db / INPUT files")
    if not args.inputs and not args.db and not tables:
        raise CibError("give a workspace (--db campaign.duckdb) or export files to load (INPUT...)")
    out = Path(args.out)
    if out.exists() and any(out.iterdir()) and not (out / "campaign.json").exists():
        raise CibError(f"{out} is not empty and holds no earlier reconstruction; choose an empty or new folder")
    out.mkdir(parents=True, exist_ok=True)
    db = args.db or str(out / "campaign.duckdb")
    near = dataclasses.replace(ClusterParams().near, similarity_threshold=args.similarity_threshold)
    params = ReconstructParams(clusters=dataclasses.replace(ClusterParams(), near=near),
                               scoring=dataclasses.replace(ScoringParams(), squad_window_minutes=args.squad_window_minutes),
                               network_min_edge_weight=args.network_min_edge_weight)
    targets = read_targets(args.targets) if args.targets else None
    echo = lambda text: print(text, file=sys.stderr)  # noqa: E731
    echo(f"cib reconstruct {__version__}")
    echo(f"  inputs:    {', '.join(args.inputs) if args.inputs else '(none: workspace as it is)'}")
    if engine == "spark":
        parquet = tables or str(out / "tables")
        echo(f"  engine:    spark (master {args.spark_master or 'from the environment, else local[*]'}), tables {parquet}")
    if not tables:
        echo(f"  workspace: {db}")
    echo(f"  targets:   {args.targets or 'inferred from replies'}")
    echo(f"  output:    {out}")
    echo(f"  near-duplicate threshold {params.clusters.near.similarity_threshold}, squad window "
         f"{params.scoring.squad_window_minutes:g} min, flag threshold {params.scoring.flag_threshold}")
    echo(f"  network: actions within {params.network_window_seconds} s, pairs of weight {params.network_min_edge_weight} or more")
    if engine == "spark":
        if not tables:  # the loaders run on DuckDB; Spark reads the workspace's canonical tables as Parquet
            with Store(db, memory_limit=args.memory_limit) as workspace:
                _load_and_check(workspace, args.inputs, db, echo)
                workspace.export_parquet(parquet)
        store = open_store(parquet, engine="spark", spark_master=args.spark_master)
    else:
        store = Store(db, memory_limit=args.memory_limit)
    with store:
        if engine != "spark":
            _load_and_check(store, args.inputs, db, echo)
        elif not store.scalar("SELECT count(*) FROM posts"):
            raise CibError(f"{parquet}: the tables hold no posts")
        counter = iter(range(1, len(STEPS) + 1))
        summary = reconstruct(store, targets=targets, params=params,
                              on_step=lambda name: echo(f"[{next(counter)}/{len(STEPS)}] {name}"))
        for path in write_outputs(store, summary, out, pseudonymise=getattr(args, "pseudonymise", None),
                                  salt=getattr(args, "salt", None), indicator_files=getattr(args, "known_networks", None)):
            print(path)
    counts = summary["counts"]
    echo(f"flagged {counts['flagged_accounts']:,} of {counts['accounts']:,} accounts; {counts['campaign_clusters']:,} campaign "
         f"clusters ({counts['campaign_posts']:,} posts); first sign {summary['first_sign']}, peak day {summary['peak_day']}")
    echo(f"report: {(out / 'report.html').resolve()}")
    return 0
