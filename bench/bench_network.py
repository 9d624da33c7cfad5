"""Coordination-network benchmark: the toolkit's near-duplicate network next to coordination-network-toolkit and DuckDB.

For each size (``--posts``), on the synthetic posts of :mod:`make_near_posts` (comments of
10-40 words; about 10% of them lightly edited copies that squads of 5-50 accounts post within
10 minutes, with the squad of every copy in ``truth.parquet``), in one run, each measurement in
a fresh Python subprocess:

* ``load`` and ``normalise`` (preparation, not a target): ``toolkit.load.load_files`` of
  ``posts.parquet`` into a new file-backed workspace, then
  ``toolkit.text.normalize.normalise_posts``;
* ``exact``: DuckDB's exact co-post self-join on that workspace: every pair of accounts that
  posted the same normalised text (``post_text.norm_text``) within ``--window`` seconds;
* ``toolkit``: ``toolkit.clusters.find_clusters`` with ``NearDuplicateParams(similarity_threshold
  =--threshold)``, then ``toolkit.network.coordination_edges(store, window_seconds=--window,
  actions=["text"])``. ``find_clusters`` is run as it is, with each component it calls timed
  (near-duplicates, languages, text clusters, templates, cross-language links, merge); its
  normalisation is not run again (the workspace is already normalised with the same
  parameters, which is checked);
* ``peer_csv`` (input conversion, not a target): the posts written as the CSV that
  coordination-network-toolkit's ``preprocess_csv_files`` reads;
* ``peer_similar``: coordination-network-toolkit: ``preprocess_csv_files`` into a new SQLite
  file, then ``compute_co_similar_tweet(db, --window, similarity_threshold=--threshold,
  min_edge_weight=1, n_threads=--peer-processes)``;
* ``peer_cotweet``: the same preprocessing into another new SQLite file, then
  ``compute_co_tweet_network(db, --window, min_edge_weight=1, n_threads=--peer-processes)``;
* ``evaluate`` (not timed as a competitor): the truth is every unordered pair of accounts with
  posts in the same generated squad at most ``--window`` seconds apart; recall and precision
  of each method's account-pair edges against it. Also: how many truth post pairs reach the
  threshold under each tool's tokenisation (the ceiling of a pairwise-threshold method).

Reported per measurement: ``seconds`` (wall clock of the measured work inside the subprocess,
imports excluded), ``cpu_seconds`` (user + system CPU of the measured work over all threads,
and for coordination-network-toolkit also of its worker processes), ``peak_rss_mb`` (the
subprocess's maximum resident set size from ``wait4``, MiB; for coordination-network-toolkit
the largest of the subprocess and its reaped worker processes, as Linux reports it),
``process_cpu_seconds`` (the whole subprocess and its reaped children, imports included), and
``loadavg_start`` / ``loadavg_end`` (``os.getloadavg()`` just before and after).

Needs ``coordination-network-toolkit`` (not a toolkit dependency):
``.venv/bin/pip install coordination-network-toolkit``.

Usage::

    .venv/bin/python bench/bench_network.py --posts 100000
    .venv/bin/python bench/bench_network.py --posts 1000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import make_near_posts  # noqa: E402  (a sibling module of this script)
from machine import machine_info  # noqa: E402

#: Seconds between two posts of a coordinated action (both tools' default, and the issue's).
WINDOW = 60
#: Jaccard threshold of both near-duplicate methods (the near-duplicate benchmark's).
THRESHOLD = 0.8
#: Targets of the issue, at 1M posts.
TARGET_SECONDS = 10.0
TARGET_SPEEDUP = 10.0
#: Steps, in the order they run.
STEPS = ("load", "normalise", "exact", "toolkit", "peer_csv", "peer_similar", "peer_cotweet", "evaluate")
#: Components of find_clusters, in the order it calls them (names in toolkit.clusters).
CLUSTER_COMPONENTS = ("normalise_posts", "near_duplicate_texts", "identify_languages", "build_text_clusters",
                      "find_templates", "link_languages", "_merge_linked")
#: Of those, the ones a near-duplicate network needs (the others are part of find_clusters as it runs).
NETWORK_COMPONENTS = ("near_duplicate_texts", "build_text_clusters", "_merge_linked")


# -- SQL shared by the worker and the tests ----------------------------------------------------
def truth_pairs_sql(posts: str, truth: str, window: float = WINDOW) -> str:
    """SQL for the true edges: unordered account pairs (a < b) with posts in one squad at most ``window`` s apart.

    Args:
        posts: a relation with ``post_id``, ``account_id`` and ``created_at`` (TIMESTAMPTZ or ISO text).
        truth: a relation with ``post_id`` and ``squad_id`` (NULL for an organic post).
    """
    return f"""
        WITH s AS (
            SELECT p.account_id, epoch(CAST(p.created_at AS TIMESTAMPTZ)) AS t, g.squad_id
            FROM {posts} p JOIN {truth} g USING (post_id)
            WHERE g.squad_id IS NOT NULL AND p.account_id IS NOT NULL)
        SELECT DISTINCT x.account_id AS a, y.account_id AS b
        FROM s x JOIN s y ON x.squad_id = y.squad_id AND x.account_id < y.account_id AND abs(x.t - y.t) <= {float(window)}"""


def undirected_edges_sql(edges: str) -> str:
    """SQL: unordered account pairs (a < b) from a relation of possibly directed edges ``(user_1, user_2)``,
    self-loops dropped (coordination-network-toolkit writes both directions and every account's loop)."""
    return f"""SELECT DISTINCT least(user_1, user_2) AS a, greatest(user_1, user_2) AS b
               FROM {edges} WHERE user_1 <> user_2"""


# -- worker side (runs in the measured subprocess) ---------------------------------------------
def _rss_mb() -> float:
    """Current resident set size of this process, MiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _limit(con, *, memory_limit: str | None, max_temp_directory_size: str | None) -> None:
    """DuckDB's memory and spill limits on a connection (None: DuckDB's default)."""
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    if max_temp_directory_size:
        con.execute(f"SET max_temp_directory_size = '{max_temp_directory_size}'")


class _Clock:
    """Wall and CPU time of a stretch of work; CPU includes reaped child processes."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), self._cpu()

    @staticmethod
    def _cpu() -> float:
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    def lap(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, self._cpu() - self.cpu


class _Statements:
    """Times every statement a Store runs, labelled with the component running it."""

    def __init__(self, store):
        self.component, self.entries, self.depth = "?", [], 0
        for name in ("execute", "scalar", "df", "rows"):
            setattr(store, name, self._wrap(getattr(store, name)))

    def _wrap(self, method):
        def timed(query, params=None):
            if self.depth:  # df/scalar/rows call execute: time the outer call only
                return method(query, params)
            self.depth += 1
            clock = _Clock()
            try:
                return method(query, params)
            finally:
                self.depth -= 1
                seconds, cpu = clock.lap()
                if seconds >= 0.05:
                    self.entries.append({"component": self.component, "sql": re.sub(r"\s+", " ", query).strip()[:110],
                                         "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3)})
        return timed


def _toolkit(store, run_dir: Path, threshold: float, window: float, languages: list[str] | None = None) -> dict:
    """find_clusters (each component timed; the prepared normalisation reused) and coordination_edges."""
    import toolkit.clusters as clusters
    from toolkit.network import coordination_edges

    statements = _Statements(store)
    components: dict[str, dict] = {}

    def reuse_normalisation(store_, *, min_tokens, max_chars):
        recorded = store_.run_params("normalise") or {}
        if (recorded.get("min_tokens"), recorded.get("max_chars")) != (min_tokens, max_chars):
            raise RuntimeError(f"the workspace was normalised with {recorded}, find_clusters asks for "
                               f"min_tokens={min_tokens}, max_chars={max_chars}")
        return dict(store_.rows("SELECT status, count(*) FROM post_text GROUP BY status ORDER BY status"))

    def timed(name, function):
        def run(*args, **kwargs):
            statements.component = name
            clock = _Clock()
            try:
                return function(*args, **kwargs)
            finally:
                seconds, cpu = clock.lap()
                components[name] = {"seconds": seconds, "cpu_seconds": cpu}
                statements.component = "find_clusters (between components)"
        return run

    originals = {name: getattr(clusters, name) for name in CLUSTER_COMPONENTS}
    for name in CLUSTER_COMPONENTS:
        setattr(clusters, name, timed(name, reuse_normalisation if name == "normalise_posts" else originals[name]))
    params = clusters.ClusterParams(near=clusters.NearDuplicateParams(similarity_threshold=threshold),
                                    languages=tuple(languages) if languages else "auto")
    try:
        clock = _Clock()
        report = clusters.find_clusters(store, params, progress=False)
        find_seconds, find_cpu = clock.lap()
    finally:
        for name, function in originals.items():
            setattr(clusters, name, function)
    statements.component = "coordination_edges"
    clock = _Clock()
    edges = coordination_edges(store, window_seconds=window, actions=["text"])
    edge_seconds, edge_cpu = clock.lap()
    components["coordination_edges"] = {"seconds": edge_seconds, "cpu_seconds": edge_cpu}
    components["find_clusters_other"] = {  # find_clusters' own statements between the components
        "seconds": find_seconds - sum(components[n]["seconds"] for n in CLUSTER_COMPONENTS),
        "cpu_seconds": find_cpu - sum(components[n]["cpu_seconds"] for n in CLUSTER_COMPONENTS)}
    store.con.execute(f"""COPY (SELECT account_id_a AS a, account_id_b AS b, weight, example_post_a, example_post_b
                                FROM coordination_edges)
                          TO {_sql_path(run_dir / 'edges_toolkit.parquet')} (FORMAT parquet)""")
    multi = store.con.execute("""SELECT count(*) FROM (SELECT cluster_id FROM clusters GROUP BY cluster_id
                                 HAVING count(DISTINCT text_cluster_id) > 1)""").fetchall()[0][0]
    return {"find_clusters_seconds": find_seconds, "find_clusters_cpu_seconds": find_cpu, "components": components,
            "cluster_report": report, "edges": len(edges), "clusters_merged_across_text_clusters": multi,
            "statements": statements.entries}


def _exact(workspace: Path, run_dir: Path, window: float, limits: dict) -> dict:
    """DuckDB's exact co-post self-join: account pairs posting one normalised text within the window."""
    import duckdb

    baseline = _rss_mb()
    clock = _Clock()
    con = duckdb.connect(str(workspace), read_only=True)
    _limit(con, **limits)
    con.execute(f"""
        CREATE TEMP TABLE exact_edges AS
        WITH p AS (
            SELECT t.norm_text, p.account_id, epoch(p.created_at) AS t
            FROM post_text t JOIN posts p USING (platform, post_id)
            WHERE t.status IN ('ok', 'truncated', 'too_short') AND p.account_id IS NOT NULL)
        SELECT DISTINCT x.account_id AS a, y.account_id AS b
        FROM p x JOIN p y ON x.norm_text = y.norm_text AND x.account_id < y.account_id AND abs(x.t - y.t) <= {float(window)}""")
    seconds, cpu = clock.lap()
    con.execute(f"COPY exact_edges TO {_sql_path(run_dir / 'edges_exact.parquet')} (FORMAT parquet)")
    edges = con.execute("SELECT count(*) FROM exact_edges").fetchall()[0][0]
    con.close()
    return {"seconds": seconds, "cpu_seconds": cpu, "baseline_rss_mb": baseline, "edges": edges}


def _peer_csv(data_dir: Path, run_dir: Path) -> dict:
    """The posts as coordination-network-toolkit's CSV: message_id, user_id, username, repost_id, reply_id,
    message, timestamp (epoch seconds), urls (space-separated, taken from the text)."""
    import duckdb

    clock = _Clock()
    con = duckdb.connect()
    con.execute(f"""COPY (
        SELECT post_id AS message_id, account_id AS user_id, account_id AS username, '' AS repost_id, '' AS reply_id,
               text AS message, epoch(CAST(created_at AS TIMESTAMPTZ))::BIGINT AS timestamp,
               array_to_string(regexp_extract_all(text, 'https?://[^\\s]+'), ' ') AS urls
        FROM read_parquet({_sql_path(data_dir / 'posts.parquet')}) ORDER BY post_id)
        TO {_sql_path(run_dir / 'peer_input.csv')} (FORMAT csv, HEADER true)""")
    rows = con.execute(f"SELECT count(*) FROM read_csv({_sql_path(run_dir / 'peer_input.csv')})").fetchall()[0][0]
    con.close()
    seconds, cpu = clock.lap()
    return {"seconds": seconds, "cpu_seconds": cpu, "rows": rows, "bytes": (run_dir / "peer_input.csv").stat().st_size}


def _remove_sqlite(db: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def _reap_children(timeout: float = 60.0) -> int:
    """Let the executor and manager processes the peer leaves behind exit, and reap them (their CPU
    then counts in os.times()); returns how many were still running."""
    import multiprocessing as mp

    gc.collect()
    deadline = time.monotonic() + timeout
    for child in mp.active_children():
        child.join(max(deadline - time.monotonic(), 0.1))
    return len(mp.active_children())


def _peer(kind: str, run_dir: Path, window: float, threshold: float, processes: int) -> dict:
    """coordination-network-toolkit: CSV preprocessing into a new SQLite file, then one network."""
    import sqlite3
    from importlib.metadata import version

    import pyarrow as pa
    from coordination_network_toolkit import compute_networks, preprocess

    db = run_dir / f"{kind}.sqlite"
    _remove_sqlite(db)
    phases = {}
    original = compute_networks.parallise_query_by_user_id

    def timed_join(*args, **kwargs):  # the pairwise join, after the network's own text preparation and indexes
        phases["prepare"] = clock.lap()
        inner = _Clock()
        try:
            return original(*args, **kwargs)
        finally:
            phases["join"] = inner.lap()
    compute_networks.parallise_query_by_user_id = timed_join

    baseline = _rss_mb()
    clock = _Clock()
    preprocess.preprocess_csv_files(str(db), [str(run_dir / "peer_input.csv")])
    pre_seconds, pre_cpu = clock.lap()
    clock = _Clock()
    if kind == "peer_similar":
        compute_networks.compute_co_similar_tweet(str(db), window, n_threads=processes, similarity_threshold=threshold,
                                                  min_edge_weight=1)
        table = "co_similar_tweet_network"
    else:
        compute_networks.compute_co_tweet_network(str(db), window, min_edge_weight=1, n_threads=processes)
        table = "co_tweet_network"
    left_running = _reap_children()
    seconds, cpu = clock.lap()
    compute_networks.parallise_query_by_user_id = original

    con = sqlite3.connect(str(db))
    rows = con.execute(f"SELECT user_1, user_2, weight FROM {table}").fetchall()
    stats = dict(zip(("posts", "urls"), con.execute(
        "SELECT (SELECT count(*) FROM edge), (SELECT count(*) FROM message_url)").fetchone()))
    con.close()
    directed = pa.table({"user_1": [r[0] for r in rows], "user_2": [r[1] for r in rows], "weight": [r[2] for r in rows]})
    import duckdb
    duck = duckdb.connect()
    duck.register("directed", directed)
    duck.execute(f"COPY ({undirected_edges_sql('directed')}) TO {_sql_path(run_dir / f'edges_{kind}.parquet')} (FORMAT parquet)")
    edges = duck.execute(f"SELECT count(*) FROM ({undirected_edges_sql('directed')})").fetchall()[0][0]
    duck.close()
    db_bytes = sum(Path(f"{db}{s}").stat().st_size for s in ("", "-wal") if Path(f"{db}{s}").exists())
    _remove_sqlite(db)
    report = {"preprocess_seconds": pre_seconds, "preprocess_cpu_seconds": pre_cpu,
              "network_seconds": seconds, "network_cpu_seconds": cpu,
              "seconds": pre_seconds + seconds, "cpu_seconds": pre_cpu + cpu, "baseline_rss_mb": baseline,
              "rows_written": len(rows), "self_loops": sum(1 for r in rows if r[0] == r[1]), "edges": edges,
              "children_left_running": left_running, "database_bytes": db_bytes, **stats,
              "version": version("coordination-network-toolkit"), "n_threads": processes}
    if "prepare" in phases:  # the worker processes' CPU is only counted once they are reaped, at the end
        report["network_prepare_seconds"], report["network_prepare_cpu_seconds"] = phases["prepare"]
        report["network_join_seconds"] = phases["join"][0]
        report["network_join_cpu_seconds"] = cpu - phases["prepare"][1]
    return report


def _evaluate(workspace: Path, data_dir: Path, run_dir: Path, window: float, threshold: float, limits: dict) -> dict:
    """Recall and precision of each method's account pairs; how many truth post pairs reach the threshold."""
    import duckdb
    from coordination_network_toolkit.similarity import similarity as peer_similarity, tokenize as peer_tokenize

    clock = _Clock()
    con = duckdb.connect()
    _limit(con, **limits)
    posts, truth = (f"read_parquet({_sql_path(data_dir / name)})" for name in ("posts.parquet", "truth.parquet"))
    con.execute(f"CREATE TABLE truth_edges AS {truth_pairs_sql(posts, truth, window)}")
    report = {"truth_edges": con.execute("SELECT count(*) FROM truth_edges").fetchall()[0][0], "methods": {}}
    for method in ("toolkit", "peer_similar", "peer_cotweet", "exact"):
        path = run_dir / f"edges_{method}.parquet"
        if not path.exists():
            continue
        found, right, truth_n = con.execute(f"""
            WITH f AS (SELECT DISTINCT a, b FROM read_parquet({_sql_path(path)}))
            SELECT (SELECT count(*) FROM f), (SELECT count(*) FROM f SEMI JOIN truth_edges t USING (a, b)),
                   (SELECT count(*) FROM truth_edges)""").fetchall()[0]
        report["methods"][method] = {"edges": found, "true_edges": right,
                                     "recall": right / truth_n if truth_n else None,
                                     "precision": right / found if found else None}
    if (run_dir / "edges_toolkit.parquet").exists():  # where the toolkit's false edges come from (its example posts)
        report["methods"]["toolkit"]["false_edges_by_example_posts"] = dict(con.execute(f"""
            WITH f AS (SELECT * FROM read_parquet({_sql_path(run_dir / 'edges_toolkit.parquet')}) ANTI JOIN truth_edges USING (a, b))
            SELECT CASE WHEN ga.squad_id IS NULL OR gb.squad_id IS NULL THEN 'an organic post'
                        WHEN ga.squad_id = gb.squad_id THEN 'one squad' ELSE 'two squads' END AS origin, count(*)
            FROM f LEFT JOIN {truth} ga ON ga.post_id = f.example_post_a LEFT JOIN {truth} gb ON gb.post_id = f.example_post_b
            GROUP BY origin ORDER BY origin""").fetchall())
    # the work of a pairwise comparison within the window: ordered pairs of posts at most `window` apart
    # (each post with itself included), i.e. the similarity() calls of co_similar_tweet's join
    report["post_pairs_in_window"] = int(con.execute(f"""
        SELECT sum(c) FROM (SELECT count(*) OVER (ORDER BY t RANGE BETWEEN {float(window)} PRECEDING AND {float(window)} FOLLOWING) AS c
                            FROM (SELECT epoch(CAST(created_at AS TIMESTAMPTZ)) AS t FROM {posts}))""").fetchall()[0][0])
    # truth post pairs (one squad, different accounts, within the window) and their similarity under
    # each tool's tokenisation: a pairwise-threshold method cannot find a pair below the threshold
    con.execute(f"ATTACH {_sql_path(workspace)} AS ws (READ_ONLY)")
    con.execute(f"""
        CREATE TABLE squad_posts AS
        SELECT p.post_id, p.account_id, epoch(CAST(p.created_at AS TIMESTAMPTZ)) AS t, p.text, g.squad_id, g.edits,
               list_distinct(string_split(w.tokens, ' ')) AS toks
        FROM {posts} p JOIN {truth} g USING (post_id) JOIN ws.post_text w ON w.post_id = p.post_id
        WHERE g.squad_id IS NOT NULL""")
    con.execute(f"""
        CREATE TABLE post_pairs AS
        SELECT x.post_id AS px, y.post_id AS py, least(x.account_id, y.account_id) AS a, greatest(x.account_id, y.account_id) AS b,
               len(list_intersect(x.toks, y.toks)) / len(list_distinct(list_concat(x.toks, y.toks))) AS jaccard_toolkit
        FROM squad_posts x JOIN squad_posts y ON x.squad_id = y.squad_id AND x.post_id < y.post_id
         AND x.account_id <> y.account_id AND abs(x.t - y.t) <= {float(window)}""")
    texts = dict(con.execute("SELECT post_id, text FROM squad_posts").fetchall())
    tokens = {post_id: peer_tokenize(text) for post_id, text in texts.items()}
    pairs = con.execute("SELECT px, py FROM post_pairs").fetchall()
    import pyarrow as pa
    con.register("peer_j", pa.table({"px": [p[0] for p in pairs], "py": [p[1] for p in pairs],
                                     "jaccard_peer": [peer_similarity(tokens[p[0]], tokens[p[1]]) for p in pairs]}))
    con.execute("CREATE TABLE pp AS SELECT * FROM post_pairs JOIN peer_j USING (px, py)")
    t = float(threshold)
    row = con.execute(f"""
        SELECT count(*), avg((jaccard_toolkit >= {t})::INTEGER), avg((jaccard_peer >= {t})::INTEGER),
               avg(jaccard_toolkit), avg(jaccard_peer),
               (SELECT count(*) FROM (SELECT DISTINCT a, b FROM pp WHERE jaccard_toolkit >= {t})),
               (SELECT count(*) FROM (SELECT DISTINCT a, b FROM pp WHERE jaccard_peer >= {t}))
        FROM pp""").fetchall()[0]
    truth_n = report["truth_edges"]
    report["truth_post_pairs"] = {
        "pairs": row[0], "share_at_threshold_toolkit_tokens": row[1], "share_at_threshold_peer_tokens": row[2],
        "mean_jaccard_toolkit_tokens": row[3], "mean_jaccard_peer_tokens": row[4],
        "edge_ceiling_toolkit_tokens": row[5] / truth_n if truth_n else None,
        "edge_ceiling_peer_tokens": row[6] / truth_n if truth_n else None}
    con.close()
    report["seconds"], report["cpu_seconds"] = clock.lap()
    return report


def run_worker(kind: str, run_dir: Path, data_dir: Path, args) -> dict:
    """Do one step in this process and describe it (see the module docstring)."""
    limits = {"memory_limit": args.memory_limit, "max_temp_directory_size": args.max_temp_directory_size}
    workspace = run_dir / "workspace.duckdb"
    if kind in ("load", "normalise", "toolkit"):
        from toolkit.store import Store
        if kind == "load":
            from toolkit.load import load_files
        elif kind == "normalise":
            from toolkit.text.normalize import normalise_posts
        else:
            import toolkit.clusters  # noqa: F401  (imported before the clock starts)
            import toolkit.network  # noqa: F401
            import lingua  # noqa: F401
        baseline = _rss_mb()
        clock = _Clock()
        store = Store(workspace, memory_limit=limits["memory_limit"])  # the store keeps its cap
        _limit(store.con, memory_limit=None, max_temp_directory_size=limits["max_temp_directory_size"])
        if kind == "load":
            [result] = load_files(store, [data_dir / "posts.parquet"], progress=False)
            report = {"rows_loaded": result.rows_loaded, "rows_rejected": result.rows_rejected, "reconciles": result.reconciles}
        elif kind == "normalise":
            report = {"status": {str(k): int(v) for k, v in normalise_posts(store).items()}}
        else:
            report = _toolkit(store, run_dir, args.threshold, args.window, args.languages)
        store.close()
        seconds, cpu = clock.lap()
        return {"seconds": seconds, "cpu_seconds": cpu, "baseline_rss_mb": baseline, **report}
    if kind == "exact":
        return _exact(workspace, run_dir, args.window, limits)
    if kind == "peer_csv":
        return _peer_csv(data_dir, run_dir)
    if kind in ("peer_similar", "peer_cotweet"):
        return _peer(kind, run_dir, args.window, args.threshold, args.peer_processes)
    if kind == "evaluate":
        return _evaluate(workspace, data_dir, run_dir, args.window, args.threshold, limits)
    raise ValueError(f"unknown step {kind!r}")


# -- parent side -------------------------------------------------------------------------------
def measure(kind: str, run_dir: Path, data_dir: Path, args) -> dict:
    """Run one step in a fresh subprocess; add its process figures and the load average around it."""
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", kind, "--run-dir", str(run_dir),
               "--data-dir", str(data_dir), "--window", str(args.window), "--threshold", str(args.threshold),
               "--peer-processes", str(args.peer_processes)]
    for option in ("memory_limit", "max_temp_directory_size"):
        if getattr(args, option):
            command += [f"--{option.replace('_', '-')}", getattr(args, option)]
    if args.languages:
        command += ["--languages", *args.languages]
    load_start = os.getloadavg()
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=BENCH_DIR.parent)
    output = process.stdout.read()
    process.stdout.close()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"step {kind} failed with exit code {os.waitstatus_to_exitcode(status)}; its stderr is above")
    report = json.loads(output.strip().splitlines()[-1])
    report.update(kind=kind, process_seconds=elapsed, process_cpu_seconds=usage.ru_utime + usage.ru_stime,
                  peak_rss_mb=usage.ru_maxrss / 1024, loadavg_start=[round(x, 2) for x in load_start],
                  loadavg_end=[round(x, 2) for x in os.getloadavg()])
    return report


def toolkit_sources() -> dict:
    """The git commit (marked when toolkit/ has uncommitted changes) and digests of the measured modules."""
    root = BENCH_DIR.parent
    names = ("toolkit/text/normalize.py", "toolkit/text/language.py", "toolkit/clusters/__init__.py",
             "toolkit/clusters/near.py", "toolkit/clusters/build.py", "toolkit/clusters/templates.py",
             "toolkit/clusters/crosslang.py", "toolkit/network/coordination.py", "toolkit/load/loader.py")
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "toolkit"], cwd=root, capture_output=True,
                               text=True).stdout.split("\n")
    except OSError:
        commit, dirty = None, []
    return {"commit": commit, "uncommitted_toolkit_files": [line[3:] for line in dirty if line.strip()],
            "sha256": {name: hashlib.sha256((root / name).read_bytes()).hexdigest()[:12] for name in names}}


def ensure_posts(data_dir: Path, *, n_posts: int, seed: int) -> dict:
    """Reuse the near-duplicate benchmark's posts (same generator) or generate them."""
    stamp_path = data_dir / "generated.json"
    stamp = json.loads(stamp_path.read_text()) if stamp_path.exists() else {}
    wanted = {"posts": n_posts, "seed": seed, "generator_version": make_near_posts.GENERATOR_VERSION}
    if (data_dir / "posts.parquet").exists() and (data_dir / "truth.parquet").exists() \
            and {k: stamp.get(k) for k in wanted} == wanted and stamp.get("size_bytes") == (data_dir / "posts.parquet").stat().st_size:
        return {**stamp, "reused": True}
    print(f"generating {n_posts:,} posts (seed {seed}) in {data_dir} ...", flush=True)
    written = make_near_posts.write_near_posts(data_dir, n_posts=n_posts, seed=seed)
    stamp = {**wanted, "squads": written.squads, "squad_posts": written.squad_posts, "size_bytes": written.size_bytes,
             "generate_seconds": round(written.seconds, 1)}
    stamp_path.write_text(json.dumps(stamp, indent=1))
    return {**stamp, "reused": False}


def summarise(size: dict) -> dict:
    """Headline numbers and the issue's targets."""
    runs = size["runs"]
    tk = runs.get("toolkit", {})
    comp = tk.get("components", {})
    network = sum(comp[n]["seconds"] for n in (*NETWORK_COMPONENTS, "coordination_edges") if n in comp) if comp else None
    network_cpu = sum(comp[n]["cpu_seconds"] for n in (*NETWORK_COMPONENTS, "coordination_edges") if n in comp) if comp else None
    similar, cotweet, exact = runs.get("peer_similar"), runs.get("peer_cotweet"), runs.get("exact")
    methods = runs.get("evaluate", {}).get("methods", {})
    summary = {
        "posts": size["posts"],
        "prepare_load_seconds": runs.get("load", {}).get("seconds"),
        "prepare_normalise_seconds": runs.get("normalise", {}).get("seconds"),
        "toolkit_seconds": tk.get("seconds"), "toolkit_cpu_seconds": tk.get("cpu_seconds"),
        "toolkit_network_seconds": network, "toolkit_network_cpu_seconds": network_cpu,
        "toolkit_components_seconds": {k: v["seconds"] for k, v in comp.items()},
        "peer_similar_seconds": similar and similar["seconds"], "peer_similar_cpu_seconds": similar and similar["cpu_seconds"],
        "peer_similar_network_seconds": similar and similar["network_seconds"],
        "peer_cotweet_seconds": cotweet and cotweet["seconds"], "peer_cotweet_network_seconds": cotweet and cotweet["network_seconds"],
        "exact_seconds": exact and exact["seconds"],
        "post_pairs_in_window": runs.get("evaluate", {}).get("post_pairs_in_window"),
        "recall": {m: v["recall"] for m, v in methods.items()}, "precision": {m: v["precision"] for m, v in methods.items()},
    }

    def ratio(a, b):
        return None if a is None or b in (None, 0) else a / b
    summary["peer_similar_over_toolkit"] = ratio(summary["peer_similar_seconds"], summary["toolkit_seconds"])
    summary["peer_similar_over_toolkit_network"] = ratio(summary["peer_similar_seconds"], network)
    summary["peer_similar_over_toolkit_cpu"] = ratio(summary["peer_similar_cpu_seconds"], summary["toolkit_cpu_seconds"])
    if size["posts"] == 1_000_000:
        r_tk, r_peer = summary["recall"].get("toolkit"), summary["recall"].get("peer_similar")
        summary["targets"] = {
            "toolkit_under_10_s": tk.get("seconds") is not None and tk["seconds"] < TARGET_SECONDS,
            "toolkit_network_part_under_10_s": network is not None and network < TARGET_SECONDS,
            "toolkit_10x_faster_than_co_similar_tweet": (summary["peer_similar_over_toolkit"] or 0) >= TARGET_SPEEDUP,
            "toolkit_recall_at_least_co_similar_tweet": r_tk is not None and r_peer is not None and r_tk >= r_peer}
    return summary


def _fmt(value, spec: str) -> str:
    return "" if value is None else format(value, spec)


def _print_size(size: dict) -> None:
    runs = size["runs"]
    comp = runs.get("toolkit", {}).get("components", {})
    if comp:
        print("  toolkit components: " + ", ".join(f"{k} {v['seconds']:.1f} s" for k, v in comp.items()))
    for method, v in runs.get("evaluate", {}).get("methods", {}).items():
        print(f"  {method}: {v['edges']:,} edges, recall {_fmt(v['recall'], '.4f')}, precision {_fmt(v['precision'], '.4f')}"
              + (f"; false edges by example posts: {v['false_edges_by_example_posts']}" if v.get("false_edges_by_example_posts") else ""))


def run_size(n_posts: int, args, save=lambda size: None) -> dict:
    data_dir = args.data_dir / f"near_{n_posts}_seed{args.seed}"
    run_dir = data_dir / "network_run"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    generated = ensure_posts(data_dir, n_posts=n_posts, seed=args.seed)
    with open(data_dir / "posts.parquet", "rb") as stream:  # page cache warm for the load
        while stream.read(1 << 24):
            pass
    size = {"posts": n_posts, "generated": generated, "toolkit": toolkit_sources(), "runs": {},
            "settings": {"window_seconds": args.window, "threshold": args.threshold, "peer_processes": args.peer_processes,
                         "languages": args.languages or "auto",
                         "peer_min_edge_weight": 1, "toolkit_min_edge_weight": 2, "peer_similarity_function": "similarity (Jaccard)",
                         "duckdb_memory_limit": args.memory_limit,
                         "duckdb_max_temp_directory_size": args.max_temp_directory_size}}
    steps = [s for s in STEPS if not args.skip or s not in args.skip]
    for kind in steps:
        print(f"{n_posts:,} posts: {kind} ...", end=" ", flush=True)
        size["runs"][kind] = run = measure(kind, run_dir, data_dir, args)
        save(size)  # a long run keeps what it measured if a later step fails
        extra = ""
        if kind in ("peer_similar", "peer_cotweet"):
            extra = f" (preprocess {run['preprocess_seconds']:.1f} s + network {run['network_seconds']:.1f} s)"
        if "seconds" in run:
            print(f"{run['seconds']:.1f} s{extra}, CPU {run.get('cpu_seconds', float('nan')):.1f} s, peak RSS "
                  f"{run['peak_rss_mb']:,.0f} MiB, load average {run['loadavg_start'][0]:.1f} -> {run['loadavg_end'][0]:.1f}",
                  flush=True)
    if not args.keep:
        shutil.rmtree(run_dir, ignore_errors=True)
    size["summary"] = summarise(size)
    _print_size(size)
    return size


def main(argv: list[str] | None = None) -> None:
    """Command line; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[1_000_000], help="number(s) of posts (default 1000000)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--window", type=float, default=WINDOW, help="coordination window, seconds (default 60)")
    parser.add_argument("--threshold", type=float, default=THRESHOLD, help="Jaccard threshold of both near-duplicate methods (default 0.8)")
    parser.add_argument("--peer-processes", type=int, default=os.cpu_count(),
                        help="coordination-network-toolkit's n_threads (worker processes; default: the CPUs, as its CLI)")
    parser.add_argument("--skip", nargs="*", choices=STEPS, help="steps not to run")
    parser.add_argument("--languages", nargs="+", help="candidate languages of find_clusters' language step, e.g. "
                        "en fr (faster; that step is not part of the network timing); default: the toolkit's 'auto'")
    parser.add_argument("--data-dir", type=Path, default=BENCH_DIR / "data", help="inputs and scratch files (default bench/data)")
    parser.add_argument("--results", type=Path, help="results JSON (default bench/results/network_<date>.json; "
                                                     "other sizes measured the same day are kept)")
    parser.add_argument("--keep", action="store_true", help="keep the workspace and scratch files (bench/data/near_*/network_run)")
    parser.add_argument("--memory-limit", help="DuckDB memory_limit on every measured DuckDB connection (default: none set)")
    parser.add_argument("--max-temp-directory-size", default="25GB", help="DuckDB max_temp_directory_size (default 25GB)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--run-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(run_worker(args.worker, args.run_dir, args.data_dir, args), default=str))
        return

    machine = {**machine_info(("coordination-network-toolkit", "lingua-language-detector", "regex", "twarc")),
               "sqlite": sqlite3.sqlite_version}
    print(f"coordination-network benchmark: posts {', '.join(f'{n:,}' for n in args.posts)}; {machine['nproc']} CPUs, "
          f"{machine['ram_gib']} GiB; load average {os.getloadavg()[0]:.1f}", flush=True)
    results = args.results or BENCH_DIR / "results" / f"network_{dt.date.today().isoformat()}.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    report = json.loads(results.read_text()) if results.exists() else {"sizes": {}}
    command = "python bench/bench_network.py " + " ".join(argv if argv is not None else sys.argv[1:])
    report.update({"machine": machine, "command": command})
    def save(size: dict) -> None:
        size["date"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        size["command"] = command
        report["sizes"][str(size["posts"])] = size
        results.write_text(json.dumps(report, indent=1, default=str) + "\n")

    for n_posts in sorted(args.posts):
        save(run_size(n_posts, args, save))
    print(f"results: {results}")


if __name__ == "__main__":
    main()
