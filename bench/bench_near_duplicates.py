"""Near-duplicate benchmark: the toolkit's similarity join next to datasketch and DuckDB's exact join.

For each size (``--posts``), on the same synthetic posts (:mod:`make_near_posts`: comments
of 10-40 words, about 10% of them lightly edited copies posted by squads of 5-50 accounts,
with the ground truth of every copy group), in one run, each measurement in a fresh Python
subprocess:

* ``load``: ``toolkit.load.load_files`` of ``posts.parquet`` into a new file-backed workspace;
* ``normalise``: ``toolkit.text.normalize.normalise_posts(store)`` on that workspace;
* ``near``: ``toolkit.clusters.near.near_duplicate_texts(store,
  NearDuplicateParams(similarity_threshold=0.8))``, with the time and rows of every SQL
  statement it runs (``statements``) and the time of each vectorised step (``steps``);
* ``floor`` (not a competitor): what the near step pays before it compares a word, in a fresh
  process on the same workspace: its statement finding the distinct texts
  (``near.DISTINCT_TEXTS``), reading their tokens into Arrow (``near.TEXT_TOKENS``), the first
  call of a compiled loop (Numba loads its cached machine code), and splitting and hashing all
  the words (``compiled.split_spaces``, half of the texts on each of two threads);
* ``export`` (not a competitor): the distinct matched texts with their tokens
  (``texts.parquet``: the toolkit's ``tid`` and the ``post_text.tokens`` of that text), the
  toolkit's pairs, and every matched post's normalised text, for the other measurements;
* ``exact``: DuckDB's exact-duplicate floor on the same normalised texts, in a new database
  file: ``CREATE TABLE t`` from the export (timed apart), then the self-join
  ``SELECT count(*) FROM t a JOIN t b ON a.norm = b.norm AND a.id < b.id`` (the reference
  time) and its group-by equivalent ``sum(n * (n - 1) / 2)`` over ``GROUP BY norm``;
* ``datasketch``: ``MinHashLSH(threshold=0.8, num_perm=128)`` over the same distinct texts,
  shingles = the same token sets (``tokens`` split on spaces, UTF-8 encoded): MinHash
  construction (``MinHash.generator``, the library's fast path), insertion (an insertion
  session) and one query per text are timed separately; the reading of the file is not.
  Above ``--datasketch-max-posts`` it is not run, and its time is extrapolated linearly (per
  text) from the largest size measured today, marked ``extrapolated``;
* ``recall`` (not a competitor): the exact truth, every pair of texts whose token sets have
  Jaccard similarity >= 0.8 with at least one text in a seeded uniform sample of texts
  (``--recall-sample``), found exhaustively (an exact prefix/count filter: a pair at 0.8 or
  more must share at least ``k`` of the sample text's ``p + 2`` rarest tokens, then exact
  verification); recall of each method = share of those pairs it reports (the toolkit's
  verified ``text_pairs``; datasketch's unverified query candidates). Also reported: recall
  over all verified pairs inside the generated squads, and how many truth pairs lie
  outside any squad.

Reported per measurement: ``seconds`` (wall clock of the measured work inside the
subprocess, from opening the database to closing it, imports excluded), ``process_seconds``
(the whole subprocess), ``peak_rss_mb`` (the subprocess's maximum resident set size from
``wait4``, MiB), ``baseline_rss_mb`` (resident set after imports), and ``loadavg_start`` /
``loadavg_end`` (``os.getloadavg()`` just before and after: other processes share the CPUs).

The issue's targets are checked and printed: at 1M posts the toolkit's near-duplicate step
within 3x of the exact self-join and at least 15x faster than datasketch, pair recall >= 0.95;
at 10M posts normalisation + near-duplicates under 10 minutes and 8 GB.

Needs ``datasketch`` in the environment (not a toolkit dependency): ``.venv/bin/pip install datasketch``.

Usage::

    .venv/bin/python bench/bench_near_duplicates.py --posts 100000
    .venv/bin/python bench/bench_near_duplicates.py --posts 1000000 10000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import make_near_posts  # noqa: E402  (a sibling module of this script)
from machine import machine_info  # noqa: E402

#: Jaccard threshold of every method.
THRESHOLD = 0.8
#: datasketch's permutations.
DATASKETCH_NUM_PERM = 128
#: Targets of the issue.
TARGET_EXACT_RATIO = 3.0
TARGET_DATASKETCH_SPEEDUP = 15.0
TARGET_RECALL = 0.95
TARGET_10M_SECONDS = 600.0
TARGET_10M_RSS_MB = 8 * 1024.0
#: Matched statuses of ``post_text`` (what ``near_duplicate_texts`` compares).
MATCHED = "('ok', 'truncated')"


# -- worker side (runs in the measured subprocess) -------------------------------------------
def _rss_mb() -> float:
    """Current resident set size of this process, MiB (from /proc/self/status)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _statement_label(sql: str) -> str:
    """A statement's first words, whitespace collapsed (its name in the profile)."""
    return re.sub(r"\s+", " ", sql).strip()[:110]


class _Profiler:
    """Wraps a Store's execute/scalar/df/rows to time each statement and count the rows it wrote."""

    CREATED = re.compile(r"CREATE OR REPLACE (?:TEMP )?TABLE (\w+)", re.IGNORECASE)

    def __init__(self, store):
        self.store, self.statements, self.depth = store, [], 0
        for name in ("execute", "scalar", "df", "rows"):
            setattr(store, name, self._wrap(name, getattr(store, name)))

    def _wrap(self, name, method):
        def timed(query, params=None):
            if self.depth:  # df/scalar/rows call execute: time the outer call only
                return method(query, params)
            self.depth += 1
            started, cpu = time.perf_counter(), time.process_time()
            try:
                result = method(query, params)
            except Exception as exc:
                self.statements.append({"call": name, "sql": _statement_label(query), "error": str(exc)[:500],
                                        "seconds": round(time.perf_counter() - started, 3),
                                        "cpu_seconds": round(time.process_time() - cpu, 3)})
                raise
            finally:
                self.depth -= 1
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            entry = {"call": name, "sql": _statement_label(query), "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3)}
            created = self.CREATED.search(query)
            if created:
                table = created.group(1)
                entry["table"] = table
                entry["rows"] = self.store.con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
            self.statements.append(entry)
            print(f"  [{entry['seconds']:8.1f} s{entry.get('rows', ''):>14}] {entry['sql'][:80]}", file=sys.stderr, flush=True)
            return result
        return timed


def _time_udfs() -> dict:
    """Wrap the normalisation's Python UDFs to sum the seconds spent inside them."""
    from toolkit.text import normalize

    spent = {}

    def wrap(name, original):
        def timed(values):  # one parameter: DuckDB reads the UDF's signature
            started = time.perf_counter()
            result = original(values)
            spent[name]["seconds"] += time.perf_counter() - started
            spent[name]["calls"] += 1
            spent[name]["values"] += len(values)
            return result
        return timed

    for name in ("repair_unicode", "fold_accents", "match_tokens"):
        spent[name] = {"seconds": 0.0, "calls": 0, "values": 0}
        setattr(normalize, name, wrap(name, getattr(normalize, name)))
    return spent


def run_worker(kind: str, run_dir: Path, data_dir: Path, memory_limit: str | None = None,
               max_temp: str | None = None) -> dict:
    """Do one job in this process and describe it (see the module docstring for the kinds).

    Args:
        memory_limit: DuckDB's ``memory_limit`` for the job's connection (None: DuckDB's default).
        max_temp: DuckDB's ``max_temp_directory_size`` (spill to disk), a guard for shared disks.

    A toolkit step that raises is reported (``failed``, ``error``, the statements that ran and
    the one that failed) rather than crashing the benchmark.
    """
    limits = {"memory_limit": memory_limit, "max_temp_directory_size": max_temp}
    workspace = run_dir / "workspace.duckdb"
    if kind in ("load", "normalise", "near"):
        from toolkit.store import Store
        if kind == "load":
            from toolkit.load import load_files
        elif kind == "normalise":
            from toolkit.text.normalize import normalise_posts
            udfs = _time_udfs()
        else:
            from toolkit.clusters import near
        baseline = _rss_mb()
        started, cpu = time.perf_counter(), time.process_time()
        store = Store(workspace, memory_limit=limits["memory_limit"])  # the store keeps its cap
        _limit(store.con, memory_limit=None, max_temp_directory_size=limits["max_temp_directory_size"])
        profiler = None
        try:
            if kind == "load":
                [result] = load_files(store, [data_dir / "posts.parquet"], progress=False)
                report = {"rows_loaded": result.rows_loaded, "rows_rejected": result.rows_rejected,
                          "reconciles": result.reconciles, "loader_seconds": result.seconds}
            elif kind == "normalise":
                report = {"status": {str(k): int(v) for k, v in normalise_posts(store).items()}}
            else:
                profiler = _Profiler(store)
                report = _near(store, near, profiler)
        except Exception as exc:  # reported: a failure at scale is a result too
            report = {"failed": True, "error": f"{type(exc).__name__}: {str(exc)[:500]}"}
            if profiler:
                report["statements"] = profiler.statements
        close_started = time.perf_counter()
        store.close()
        report["close_seconds"] = time.perf_counter() - close_started
        if kind == "normalise":
            report["udf_seconds"] = udfs
        return {"seconds": time.perf_counter() - started, "cpu_seconds": time.process_time() - cpu,
                "baseline_rss_mb": baseline, **report}
    if kind == "floor":
        return _floor(workspace, limits)
    if kind == "export":
        return _export(workspace, run_dir, limits)
    if kind == "exact":
        return _exact(run_dir, limits)
    if kind == "datasketch":
        return _datasketch(run_dir)
    if kind == "recall":
        return _recall(run_dir, data_dir, limits)
    raise ValueError(f"unknown worker kind {kind!r}")


def _near(store, near, profiler: _Profiler) -> dict:
    """``near_duplicate_texts`` at threshold 0.8, with its statements and its vectorised steps timed."""
    steps: dict[str, float] = {}

    def timed(name, function):
        def run(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                steps[name] = round(steps.get(name, 0.0) + time.perf_counter() - started, 3)
        return run
    for name in ("_shingle_ids", "_verified_pairs", "leader_groups"):
        setattr(near, name, timed(name, getattr(near, name)))
    for name in ("from_ids", "prefix_keys", "shared"):
        original = getattr(near.ShingleSets, name)
        wrapped = timed(name, original.__func__ if name == "from_ids" else original)
        setattr(near.ShingleSets, name, classmethod(wrapped) if name == "from_ids" else wrapped)
    counts = near.near_duplicate_texts(store, near.NearDuplicateParams(similarity_threshold=THRESHOLD))
    return {"counts": counts, "statements": profiler.statements, "steps": steps}


def _floor(workspace: Path, limits: dict) -> dict:
    """Seconds of each fixed cost of the near step (module docstring, ``floor``) and their sum."""
    started = time.perf_counter()
    from concurrent.futures import ThreadPoolExecutor

    from toolkit.clusters import compiled, near
    from toolkit.store import Store
    from toolkit.text.compiled import string_buffers

    store = Store(workspace, memory_limit=limits["memory_limit"])
    parts, clock = {}, time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        parts[name] = time.perf_counter() - clock
        clock = time.perf_counter()
    store.execute(near.DISTINCT_TEXTS)
    lap("distinct_texts")
    tokens = store.con.sql(near.TEXT_TOKENS).to_arrow_table().column(0).combine_chunks()
    lap("read_tokens")
    data, offsets, valid = string_buffers(tokens)
    compiled.split_spaces(data, offsets[:2], valid[:1])
    lap("compiled_start")
    middle = len(valid) // 2
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda lo, hi: compiled.split_spaces(data, offsets[lo:hi + 1], valid[lo:hi]),
                      (0, middle), (middle, len(valid))))
    lap("split_and_hash")
    store.execute("DROP TABLE _texts")
    store.close()
    return {"seconds": time.perf_counter() - started, "parts": parts, "fixed_seconds": sum(parts.values())}


def _export(workspace: Path, run_dir: Path, limits: dict) -> dict:
    """Write the distinct matched texts, the toolkit's pairs and the matched posts' normalised text
    (only the last when the near-duplicate step did not finish: the exact join still runs)."""
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect(str(workspace), read_only=True)
    _limit(con, **limits)
    if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'text_pairs'").fetchall()[0][0]:
        con.execute(f"""COPY (SELECT pid, post_id, norm_text, NULL::BIGINT AS tid FROM post_text WHERE status IN {MATCHED}
                             ORDER BY pid) TO {_sql_path(run_dir / 'posts_norm.parquet')} (FORMAT parquet)""")
        posts = con.execute(f"SELECT count(*) FROM read_parquet({_sql_path(run_dir / 'posts_norm.parquet')})").fetchall()[0][0]
        texts = con.execute(f"SELECT count(DISTINCT norm_text) FROM post_text WHERE status IN {MATCHED}").fetchall()[0][0]
        con.close()
        return {"seconds": time.perf_counter() - started, "texts": texts, "matched_posts": posts, "partial": True}
    con.execute(f"""COPY (
        SELECT m.tid, p.tokens, m.n_posts FROM match_texts m JOIN post_text p USING (pid)
        ORDER BY m.tid) TO {_sql_path(run_dir / 'texts.parquet')} (FORMAT parquet)""")
    con.execute(f"COPY (SELECT tid_a, tid_b, similarity FROM text_pairs) TO {_sql_path(run_dir / 'toolkit_pairs.parquet')} (FORMAT parquet)")
    con.execute(f"""COPY (
        SELECT p.pid, p.post_id, p.norm_text, m.tid FROM post_text p
        JOIN (SELECT f.norm_text, m.tid FROM match_texts m JOIN post_text f USING (pid)) m USING (norm_text)
        WHERE p.status IN {MATCHED} ORDER BY p.pid) TO {_sql_path(run_dir / 'posts_norm.parquet')} (FORMAT parquet)""")
    texts = con.execute(f"SELECT count(*) FROM read_parquet({_sql_path(run_dir / 'texts.parquet')})").fetchall()[0][0]
    posts = con.execute(f"SELECT count(*) FROM read_parquet({_sql_path(run_dir / 'posts_norm.parquet')})").fetchall()[0][0]
    con.close()
    return {"seconds": time.perf_counter() - started, "texts": texts, "matched_posts": posts}


def _limit(con, *, memory_limit: str | None, max_temp_directory_size: str | None) -> None:
    """Set DuckDB's memory limit and spill limit on a connection (None: DuckDB's default; for the
    memory limit that is 80% of RAM, for the spill limit 90% of the free disk)."""
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    if max_temp_directory_size:
        con.execute(f"SET max_temp_directory_size = '{max_temp_directory_size}'")


def _exact(run_dir: Path, limits: dict) -> dict:
    """DuckDB's exact-duplicate floor on the matched posts' normalised texts, in a new database file."""
    import duckdb

    db = run_dir / "exact.duckdb"
    _remove_database(db)
    baseline = _rss_mb()
    clock = [(time.perf_counter(), time.process_time())]
    con = duckdb.connect(str(db))
    _limit(con, **limits)
    con.execute(f"CREATE TABLE t AS SELECT pid AS id, norm_text AS norm FROM read_parquet({_sql_path(run_dir / 'posts_norm.parquet')})")
    clock.append((time.perf_counter(), time.process_time()))
    pairs_join = con.execute("SELECT count(*) FROM t a JOIN t b ON a.norm = b.norm AND a.id < b.id").fetchall()[0][0]
    clock.append((time.perf_counter(), time.process_time()))
    pairs_group = con.execute("SELECT sum(n * (n - 1) // 2) FROM (SELECT count(*) AS n FROM t GROUP BY norm)").fetchall()[0][0]
    clock.append((time.perf_counter(), time.process_time()))
    rows = con.execute("SELECT count(*) FROM t").fetchall()[0][0]
    con.close()
    _remove_database(db)
    report = {"seconds": clock[-1][0] - clock[0][0], "cpu_seconds": clock[-1][1] - clock[0][1], "baseline_rss_mb": baseline,
              "rows": rows, "pairs_self_join": int(pairs_join), "pairs_group_by": int(pairs_group or 0)}
    for i, step in enumerate(("create_table", "self_join", "group_by")):
        report[f"{step}_seconds"] = clock[i + 1][0] - clock[i][0]
        report[f"{step}_cpu_seconds"] = clock[i + 1][1] - clock[i][1]
    return report


def _datasketch(run_dir: Path) -> dict:
    """datasketch MinHashLSH over the exported texts: construction, insertion, queries, timed apart."""
    from array import array

    import pyarrow as pa
    import pyarrow.parquet as pq
    from datasketch import MinHash, MinHashLSH

    table = pq.read_table(run_dir / "texts.parquet", columns=["tid", "tokens"])
    tids, tokens = table.column("tid").to_pylist(), table.column("tokens").to_pylist()
    del table
    baseline = _rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    minhashes = list(MinHash.generator(([w.encode("utf-8") for w in text.split(" ")] for text in tokens),
                                       num_perm=DATASKETCH_NUM_PERM))
    built = time.perf_counter()
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=DATASKETCH_NUM_PERM)
    with lsh.insertion_session() as session:
        for tid, minhash in zip(tids, minhashes):
            session.insert(tid, minhash)
    inserted = time.perf_counter()
    pair_a, pair_b = array("q"), array("q")
    for tid, minhash in zip(tids, minhashes):
        for other in lsh.query(minhash):
            if other > tid:  # each pair once
                pair_a.append(tid)
                pair_b.append(other)
    queried = time.perf_counter()
    pq.write_table(pa.table({"tid_a": pa.array(pair_a, pa.int64()), "tid_b": pa.array(pair_b, pa.int64())}),
                   run_dir / "datasketch_pairs.parquet")
    return {"seconds": queried - started, "cpu_seconds": time.process_time() - cpu, "baseline_rss_mb": baseline, "texts": len(tids),
            "minhash_seconds": built - started, "insert_seconds": inserted - built, "query_seconds": queried - inserted,
            "candidate_pairs": len(pair_a), "bands": lsh.b, "rows_per_band": lsh.r}


def _recall(run_dir: Path, data_dir: Path, limits: dict) -> dict:
    """Exact truth pairs (Jaccard >= THRESHOLD) for a sample of texts, and who found them."""
    import duckdb

    settings = json.loads((run_dir / "recall_settings.json").read_text())
    db = run_dir / "recall.duckdb"
    _remove_database(db)
    started = time.perf_counter()
    con = duckdb.connect(str(db))
    _limit(con, **limits)
    texts, pairs_toolkit = _sql_path(run_dir / "texts.parquet"), _sql_path(run_dir / "toolkit_pairs.parquet")
    con.execute(f"""CREATE TABLE texts AS SELECT tid, toks, len(toks) AS n
        FROM (SELECT tid, list_distinct(string_split(tokens, ' ')) AS toks FROM read_parquet({texts}))""")
    con.execute("CREATE TABLE df AS SELECT tok, count(*) AS df FROM (SELECT unnest(toks) AS tok FROM texts) GROUP BY tok")
    # the sample: a seeded uniform draw of texts
    con.execute(f"CREATE TABLE sample AS SELECT tid, toks, n FROM texts ORDER BY hash(tid, {int(settings['seed'])}) LIMIT {int(settings['sample'])}")
    # J(x, y) >= 0.8 implies |x & y| >= c = ceil(0.8 |x|); of x's q rarest tokens y then holds at least q - (|x| - c);
    # with q = |x| - c + 3 (capped at |x|) that is at least 3 (or c): the count filter
    con.execute("""CREATE TABLE sample_prefix AS
        WITH ranked AS (
            SELECT u.tid, u.n, u.tok, row_number() OVER (PARTITION BY u.tid ORDER BY d.df, u.tok) AS rank
            FROM (SELECT tid, n, unnest(toks) AS tok FROM sample) u JOIN df d ON d.tok = u.tok),
        sized AS (SELECT *, (4 * n + 4) // 5 AS c, least(n, n - (4 * n + 4) // 5 + 3) AS q FROM ranked)
        SELECT tid, n, tok, q - (n - c) AS needed FROM sized WHERE rank <= q""")
    con.execute("""CREATE TABLE candidates AS
        WITH postings AS (
            SELECT tid, n, tok FROM (SELECT tid, n, unnest(toks) AS tok FROM texts)
            WHERE tok IN (SELECT DISTINCT tok FROM sample_prefix))
        SELECT p.tid AS x, q.tid AS y
        FROM sample_prefix p JOIN postings q ON q.tok = p.tok
        WHERE q.tid <> p.tid AND 4 * p.n <= 5 * q.n AND 4 * q.n <= 5 * p.n
        GROUP BY p.tid, q.tid, p.needed HAVING count(*) >= p.needed""")
    con.execute("""CREATE TABLE truth AS
        WITH verified AS (
            SELECT least(c.x, c.y) AS a, greatest(c.x, c.y) AS b, len(list_intersect(tx.toks, ty.toks)) AS shared,
                   tx.n AS na, ty.n AS nb
            FROM candidates c JOIN texts tx ON tx.tid = c.x JOIN texts ty ON ty.tid = c.y)
        SELECT DISTINCT a, b, shared / (na + nb - shared) AS jaccard FROM verified
        WHERE 5 * shared >= 4 * (na + nb - shared)""")
    # the generator's squads, as texts: which truth pairs lie inside one squad
    con.execute(f"""CREATE TABLE text_squad AS
        SELECT DISTINCT p.tid, g.squad_id FROM read_parquet({_sql_path(run_dir / 'posts_norm.parquet')}) p
        JOIN read_parquet({_sql_path(data_dir / 'truth.parquet')}) g USING (post_id) WHERE g.squad_id IS NOT NULL""")
    con.execute(f"CREATE TABLE found_toolkit AS SELECT tid_a AS a, tid_b AS b FROM read_parquet({pairs_toolkit})")
    has_datasketch = (run_dir / "datasketch_pairs.parquet").exists()
    if has_datasketch:
        con.execute(f"CREATE TABLE found_datasketch AS SELECT tid_a AS a, tid_b AS b FROM read_parquet({_sql_path(run_dir / 'datasketch_pairs.parquet')})")
    truth_seconds = time.perf_counter() - started
    # all pairs inside one generated squad, verified: a second, larger truth set (not exhaustive beyond squads)
    con.execute("""CREATE TABLE squad_truth AS
        WITH pairs AS (
            SELECT DISTINCT least(x.tid, y.tid) AS a, greatest(x.tid, y.tid) AS b
            FROM text_squad x JOIN text_squad y ON x.squad_id = y.squad_id AND x.tid < y.tid),
        verified AS (
            SELECT p.a, p.b, len(list_intersect(ta.toks, tb.toks)) AS shared, ta.n AS na, tb.n AS nb
            FROM pairs p JOIN texts ta ON ta.tid = p.a JOIN texts tb ON tb.tid = p.b)
        SELECT a, b, shared / (na + nb - shared) AS jaccard FROM verified WHERE 5 * shared >= 4 * (na + nb - shared)""")

    def scalar(sql: str):
        return con.execute(sql).fetchall()[0][0]

    def found_share(truth_table: str, found_table: str) -> dict:
        total, found = con.execute(f"""SELECT count(*), count(f.a) FROM {truth_table} t
            LEFT JOIN {found_table} f ON f.a = t.a AND f.b = t.b""").fetchall()[0]
        bins = con.execute(f"""SELECT CASE WHEN jaccard >= 1 THEN '1.0' WHEN jaccard >= 0.9 THEN '[0.9, 1)'
                                          WHEN jaccard >= 0.85 THEN '[0.85, 0.9)' ELSE '[0.8, 0.85)' END AS bin,
                                     count(*), count(f.a)
                              FROM {truth_table} t LEFT JOIN {found_table} f ON f.a = t.a AND f.b = t.b
                              GROUP BY bin ORDER BY bin""").fetchall()
        return {"truth_pairs": total, "found": found, "recall": found / total if total else None,
                "by_jaccard": {b: {"truth_pairs": n, "found": k, "recall": k / n} for b, n, k in bins}}

    # how dissimilar random pairs of texts are (LSH candidates grow with this tail)
    n_texts = scalar("SELECT count(*) FROM texts")
    random_pairs = con.execute(f"""
        WITH p AS (SELECT 1 + hash(i, {int(settings['seed'])}, 1) % {n_texts} AS a, 1 + hash(i, {int(settings['seed'])}, 2) % {n_texts} AS b
                   FROM range(200000) r(i)),
        j AS (SELECT len(list_intersect(x.toks, y.toks)) / len(list_distinct(list_concat(x.toks, y.toks))) AS j
              FROM p JOIN texts x ON x.tid = p.a JOIN texts y ON y.tid = p.b WHERE p.a <> p.b)
        SELECT count(*), avg(j), avg((j >= 0.1)::INTEGER), avg((j >= 0.2)::INTEGER), avg((j >= 0.3)::INTEGER),
               avg((j >= 0.5)::INTEGER) FROM j""").fetchall()[0]
    sample_tids = "(SELECT tid FROM sample)"
    report = {
        "seconds": time.perf_counter() - started, "truth_seconds": truth_seconds,
        "sample_texts": scalar("SELECT count(*) FROM sample"), "texts": scalar("SELECT count(*) FROM texts"),
        "sample_candidates": scalar("SELECT count(*) FROM candidates"),
        "sample_truth_pairs": scalar("SELECT count(*) FROM truth"),
        "sample_truth_pairs_outside_squads": scalar("""SELECT count(*) FROM truth t WHERE NOT EXISTS (
            SELECT 1 FROM text_squad x JOIN text_squad y USING (squad_id) WHERE x.tid = t.a AND y.tid = t.b)"""),
        "sample_texts_in_squads": scalar(f"SELECT count(DISTINCT tid) FROM text_squad WHERE tid IN {sample_tids}"),
        "squad_truth_pairs": scalar("SELECT count(*) FROM squad_truth"),
        "random_pairs": dict(zip(("pairs", "mean_jaccard", "share_at_least_0.1", "share_at_least_0.2", "share_at_least_0.3",
                                  "share_at_least_0.5"), random_pairs)),
        "toolkit": {"sample": found_share("truth", "found_toolkit"), "squads": found_share("squad_truth", "found_toolkit"),
                    # toolkit pairs touching the sample that the exact check does not confirm (should be none)
                    "sample_pairs_not_in_truth": scalar(f"""SELECT count(*) FROM found_toolkit f
                        WHERE (f.a IN {sample_tids} OR f.b IN {sample_tids})
                          AND NOT EXISTS (SELECT 1 FROM truth t WHERE t.a = f.a AND t.b = f.b)""")},
    }
    if has_datasketch:
        report["datasketch"] = {
            "sample": found_share("truth", "found_datasketch"), "squads": found_share("squad_truth", "found_datasketch"),
            "sample_candidates_not_in_truth": scalar(f"""SELECT count(*) FROM found_datasketch f
                WHERE (f.a IN {sample_tids} OR f.b IN {sample_tids})
                  AND NOT EXISTS (SELECT 1 FROM truth t WHERE t.a = f.a AND t.b = f.b)""")}
    con.close()
    _remove_database(db)
    return report


# -- parent side ----------------------------------------------------------------------------
def _remove_database(db_path: Path) -> None:
    for path in (db_path, Path(f"{db_path}.wal")):
        path.unlink(missing_ok=True)
    shutil.rmtree(f"{db_path}.tmp", ignore_errors=True)


def measure(kind: str, run_dir: Path, data_dir: Path, limits: dict | None = None) -> dict:
    """Run :func:`run_worker` in a fresh subprocess.

    Returns:
        The worker's report plus ``kind``, ``process_seconds``, ``peak_rss_mb`` (the
        subprocess's maximum resident set size, MiB), ``loadavg_start`` and ``loadavg_end``.
    """
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", kind,
               "--run-dir", str(run_dir), "--data-dir", str(data_dir)]
    for option, value in (limits or {}).items():
        if value:
            command += [f"--{option.replace('_', '-')}", value]
    load_start = os.getloadavg()
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=BENCH_DIR.parent)
    output = process.stdout.read()
    process.stdout.close()
    _, status, usage = os.wait4(process.pid, 0)  # this child's own rusage
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{kind} in {run_dir} failed with exit code {os.waitstatus_to_exitcode(status)}; its stderr is above")
    report = json.loads(output.strip().splitlines()[-1])
    report.update(kind=kind, process_seconds=elapsed, process_cpu_seconds=usage.ru_utime + usage.ru_stime,
                  peak_rss_mb=usage.ru_maxrss / 1024,
                  loadavg_start=[round(x, 2) for x in load_start], loadavg_end=[round(x, 2) for x in os.getloadavg()])
    return report


def ensure_posts(data_dir: Path, *, n_posts: int, seed: int, regenerate: bool) -> dict:
    """Generate the posts and their truth, or reuse files made earlier with the same settings."""
    stamp_path = data_dir / "generated.json"
    wanted = {"posts": n_posts, "seed": seed, "generator_version": make_near_posts.GENERATOR_VERSION}
    stamp = json.loads(stamp_path.read_text()) if stamp_path.exists() else {}
    posts_path = data_dir / "posts.parquet"
    if not regenerate and posts_path.exists() and {k: stamp.get(k) for k in wanted} == wanted \
            and stamp.get("size_bytes") == posts_path.stat().st_size:
        return {**stamp, "reused": True}
    print(f"generating {n_posts:,} posts (seed {seed}) in {data_dir} ...", flush=True)
    written = make_near_posts.write_near_posts(data_dir, n_posts=n_posts, seed=seed)
    stamp = {**wanted, "squads": written.squads, "squad_posts": written.squad_posts,
             "size_bytes": written.size_bytes, "generate_seconds": round(written.seconds, 1)}
    stamp_path.write_text(json.dumps(stamp, indent=1))
    return {**stamp, "reused": False}


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=BENCH_DIR.parent, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "toolkit"], cwd=BENCH_DIR.parent,
                               capture_output=True, text=True).stdout.strip()
        return out.stdout.strip() + ("+uncommitted toolkit changes" if dirty else "")
    except OSError:
        return None


def toolkit_sources() -> dict:
    """The git commit and a digest of the measured toolkit modules (the tree may hold uncommitted changes)."""
    import hashlib

    root = BENCH_DIR.parent
    digests = {name: hashlib.sha256((root / name).read_bytes()).hexdigest()[:12]
               for name in ("toolkit/text/normalize.py", "toolkit/clusters/near.py", "toolkit/load/loader.py")}
    return {"commit": _git_commit(), "sha256": digests}


def summarise(size: dict) -> dict:
    """Headline numbers and the issue's targets for one size (None where a step failed or did not run)."""
    runs = size["runs"]

    def done(kind: str) -> dict | None:
        run = runs.get(kind)
        return None if run is None or run.get("failed") else run

    def ratio(a, b):
        return None if a is None or b is None else a / b

    load, normalise, near, exact = done("load"), done("normalise"), done("near"), done("exact")
    datasketch, recall = done("datasketch"), done("recall")
    toolkit_seconds = normalise["seconds"] + near["seconds"] if normalise and near else None
    summary = {
        "posts": size["posts"],
        "texts": done("export")["texts"] if done("export") else (near and near["counts"]["texts"]),
        "failed_steps": {k: v["error"] for k, v in runs.items() if v.get("failed")},
        "load_seconds": load and load["seconds"],
        "load_peak_rss_mb": runs["load"].get("peak_rss_mb") if "load" in runs else None,
        "normalise_seconds": normalise and normalise["seconds"],
        "near_seconds": near and near["seconds"],
        "near_cpu_seconds": near and near["cpu_seconds"],
        "toolkit_seconds": toolkit_seconds,
        # a failed step's peak counts too: it is memory the toolkit took
        "toolkit_peak_rss_mb": max([runs[k]["peak_rss_mb"] for k in ("normalise", "near") if "peak_rss_mb" in runs.get(k, {})],
                                   default=None),
        "exact_self_join_seconds": exact and exact["self_join_seconds"],
        "exact_self_join_cpu_seconds": exact and exact["self_join_cpu_seconds"],
        "exact_group_by_seconds": exact and exact["group_by_seconds"],
    }
    summary["near_fixed_seconds"] = done("floor") and done("floor")["fixed_seconds"]
    summary["near_fixed_over_exact"] = ratio(summary["near_fixed_seconds"], summary["exact_self_join_seconds"])
    summary["near_over_exact"] = ratio(summary["near_seconds"], summary["exact_self_join_seconds"])
    summary["near_over_exact_cpu"] = ratio(summary["near_cpu_seconds"], summary["exact_self_join_cpu_seconds"])
    summary["toolkit_over_exact"] = ratio(toolkit_seconds, summary["exact_self_join_seconds"])
    if datasketch:
        summary["datasketch_seconds"] = datasketch["seconds"]
        summary["datasketch_extrapolated"] = bool(datasketch.get("extrapolated"))
        summary["datasketch_over_near"] = ratio(datasketch["seconds"], summary["near_seconds"])
        summary["datasketch_over_toolkit"] = ratio(datasketch["seconds"], toolkit_seconds)
        if "cpu_seconds" in datasketch:
            summary["datasketch_cpu_seconds"] = datasketch["cpu_seconds"]
            summary["datasketch_over_near_cpu"] = ratio(datasketch["cpu_seconds"], summary["near_cpu_seconds"])
    if recall:
        summary["recall_toolkit"] = recall["toolkit"]["sample"]["recall"]
        if "datasketch" in recall:
            summary["recall_datasketch"] = recall["datasketch"]["sample"]["recall"]

    def at_most(value, limit):
        return False if value is None else value <= limit  # a step that did not finish misses its target

    targets = {}
    if size["posts"] == 1_000_000:
        targets["near_within_3x_exact"] = at_most(summary["near_over_exact"], TARGET_EXACT_RATIO)
        targets["normalise_and_near_within_3x_exact"] = at_most(summary["toolkit_over_exact"], TARGET_EXACT_RATIO)
        if datasketch:
            targets["near_15x_faster_than_datasketch"] = (summary["datasketch_over_near"] or 0) >= TARGET_DATASKETCH_SPEEDUP
            targets["normalise_and_near_15x_faster_than_datasketch"] = \
                (summary["datasketch_over_toolkit"] or 0) >= TARGET_DATASKETCH_SPEEDUP
        targets["recall_at_least_0.95"] = (summary.get("recall_toolkit") or 0) >= TARGET_RECALL
    if size["posts"] == 10_000_000:
        targets["normalise_and_near_under_10_minutes"] = at_most(toolkit_seconds, TARGET_10M_SECONDS)
        targets["normalise_and_near_under_8_GB"] = near is not None and at_most(summary["toolkit_peak_rss_mb"], TARGET_10M_RSS_MB)
        if recall:
            targets["recall_at_least_0.95"] = summary["recall_toolkit"] >= TARGET_RECALL
    summary["targets"] = targets
    return summary


def _extrapolate_datasketch(report: dict, posts: int, texts: int) -> dict | None:
    """datasketch time at this size from the largest smaller size measured (linear in texts)."""
    measured = [s for s in report["sizes"].values()
                if s["posts"] < posts and "datasketch" in s["runs"] and not s["runs"]["datasketch"].get("extrapolated")]
    if not measured:
        return None
    base = max(measured, key=lambda s: s["posts"])
    run = base["runs"]["datasketch"]
    factor = texts / run["texts"]
    return {"extrapolated": True, "from_posts": base["posts"], "from_texts": run["texts"], "texts": texts,
            "factor": factor, "seconds": run["seconds"] * factor,
            "note": f"not run: extrapolated linearly per text from the {base['posts']:,}-post measurement"}


def _table(report: dict) -> str:
    """The headline results as a Markdown table (wall-clock seconds; "failed" where a step did not finish)."""
    def num(value, fmt: str, failed: bool = False) -> str:
        return "failed" if failed else ("" if value is None else format(value, fmt))

    lines = ["| posts | distinct texts | load (s) | normalise (s) | near-dup (s) | toolkit peak RSS (MiB) | "
             "DuckDB exact self-join (s) | near ÷ exact | datasketch (s) | datasketch ÷ near | recall toolkit | recall datasketch |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for size in sorted(report["sizes"].values(), key=lambda s: s["posts"]):
        s, failed = size["summary"], size["summary"].get("failed_steps", {})
        ds = "" if "datasketch_seconds" not in s else (
            f"~{s['datasketch_seconds']:,.0f} (extrapolated)" if s["datasketch_extrapolated"] else f"{s['datasketch_seconds']:,.0f}")
        ratio = "" if s.get("datasketch_over_near") is None else f"{s['datasketch_over_near']:.1f}×"
        lines.append(f"| {s['posts']:,} | {num(s['texts'], ',')} | {num(s['load_seconds'], ',.1f', 'load' in failed)} | "
                     f"{num(s['normalise_seconds'], ',.1f', 'normalise' in failed)} | {num(s['near_seconds'], ',.1f', 'near' in failed)} | "
                     f"{num(s['toolkit_peak_rss_mb'], ',.0f')} | {num(s['exact_self_join_seconds'], ',.2f', 'exact' in failed)} | "
                     f"{num(s['near_over_exact'], ',.1f')}{'×' if s['near_over_exact'] else ''} | {ds} | {ratio} | "
                     f"{num(s.get('recall_toolkit'), '.4f')} | {num(s.get('recall_datasketch'), '.4f')} |")
    return "\n".join(lines)


def _print_statements(near: dict, top: int = 8) -> None:
    print("  slowest statements of near_duplicate_texts:")
    for entry in sorted(near.get("statements", []), key=lambda e: -e["seconds"])[:top]:
        rows = f"{entry['rows']:>12,} rows" if "rows" in entry else ("      FAILED     " if "error" in entry else " " * 17)
        print(f"    {entry['seconds']:>8.2f} s {rows}  {entry['sql']}")
    for name, seconds in near.get("steps", {}).items():
        print(f"    {name}: {seconds:.2f} s")


def run_size(report: dict, *, n_posts: int, args) -> dict:
    """Generate (or reuse) the posts of one size and run every measurement on them."""
    data_dir = args.data_dir / f"near_{n_posts}_seed{args.seed}"
    run_dir = data_dir / "run"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    generated = ensure_posts(data_dir, n_posts=n_posts, seed=args.seed, regenerate=args.regenerate)
    with open(data_dir / "posts.parquet", "rb") as stream:  # page cache warm for the load
        while stream.read(1 << 24):
            pass
    size = {"posts": n_posts, "generated": generated, "toolkit": toolkit_sources(),
            "duckdb_memory_limit": args.memory_limit, "duckdb_max_temp_directory_size": args.max_temp_directory_size,
            "runs": {}}
    limits = {"memory_limit": args.memory_limit, "max_temp_directory_size": args.max_temp_directory_size}
    for kind in ("load", "normalise", "near", "floor", "export", "exact"):
        print(f"{n_posts:,} posts: {kind} ...", end=" ", flush=True)
        try:
            size["runs"][kind] = run = measure(kind, run_dir, data_dir, limits)
        except RuntimeError as error:  # the worker died (e.g. out of memory): keep what was measured so far
            size["runs"][kind] = {"failed": True, "error": str(error)}
            print(f"FAILED: {error}", flush=True)
            break
        print(f"{run['seconds']:.1f} s, peak RSS {run['peak_rss_mb']:,.0f} MiB, load average {run['loadavg_start'][0]:.1f} → "
              f"{run['loadavg_end'][0]:.1f}" + (f" — FAILED: {run['error']}" if run.get("failed") else ""), flush=True)
        if kind == "near":
            _print_statements(run)
        if kind == "floor" and not run.get("failed"):
            print("    " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in run["parts"].items()), flush=True)
        if run.get("failed") and kind in ("load", "normalise"):
            break  # nothing further can run
    near_done = all(kind in size["runs"] and not size["runs"][kind].get("failed") for kind in ("near", "export"))
    if near_done:
        texts = size["runs"]["export"]["texts"]
        if n_posts <= args.datasketch_max_posts:
            print(f"{n_posts:,} posts: datasketch ({texts:,} texts) ...", end=" ", flush=True)
            size["runs"]["datasketch"] = run = measure("datasketch", run_dir, data_dir)
            print(f"{run['seconds']:.1f} s (MinHash {run['minhash_seconds']:.0f} s, insert {run['insert_seconds']:.0f} s, "
                  f"query {run['query_seconds']:.0f} s), peak RSS {run['peak_rss_mb']:,.0f} MiB", flush=True)
        else:
            estimate = _extrapolate_datasketch(report, n_posts, texts)
            if estimate:
                size["runs"]["datasketch"] = estimate
                print(f"{n_posts:,} posts: datasketch {estimate['note']}: ~{estimate['seconds']:,.0f} s", flush=True)
            else:
                print(f"{n_posts:,} posts: datasketch not run (above --datasketch-max-posts) and no smaller size to extrapolate from")
        (run_dir / "recall_settings.json").write_text(json.dumps({"seed": args.seed, "sample": args.recall_sample}))
        print(f"{n_posts:,} posts: recall ...", end=" ", flush=True)
        size["runs"]["recall"] = run = measure("recall", run_dir, data_dir, limits)
        line = f"toolkit {run['toolkit']['sample']['recall']:.4f}"
        if "datasketch" in run:
            line += f", datasketch {run['datasketch']['sample']['recall']:.4f}"
        print(f"{run['sample_truth_pairs']:,} truth pairs touching {run['sample_texts']:,} sampled texts: {line}", flush=True)
    else:
        print(f"{n_posts:,} posts: the toolkit's steps did not finish: datasketch and recall skipped")
    if not args.keep:
        shutil.rmtree(run_dir, ignore_errors=True)
    size["summary"] = summarise(size)
    return size


def main(argv: list[str] | None = None) -> None:
    """Command line; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[1_000_000],
                        help="number(s) of posts, e.g. 100000 or 1000000 10000000 (default 1000000)")
    parser.add_argument("--seed", type=int, default=1, help="generator and sample seed (default 1)")
    parser.add_argument("--recall-sample", type=int, default=20_000, help="texts in the exact-truth sample (default 20000)")
    parser.add_argument("--datasketch-max-posts", type=int, default=2_000_000,
                        help="run datasketch up to this many posts; above, extrapolate from a smaller size (default 2000000)")
    parser.add_argument("--data-dir", type=Path, default=BENCH_DIR / "data", help="inputs and scratch files (default bench/data)")
    parser.add_argument("--results", type=Path, help="results JSON (default bench/results/near_duplicates_<date>.json; "
                                                     "sizes measured earlier the same day are kept)")
    parser.add_argument("--regenerate", action="store_true", help="rewrite the posts even if matching files exist")
    parser.add_argument("--keep", action="store_true", help="keep the workspace and exported files (bench/data/near_*/run)")
    parser.add_argument("--memory-limit", help="DuckDB memory_limit for every measured DuckDB connection, e.g. 6GB "
                                               "(default: none set, i.e. DuckDB's default of 80%% of RAM, as the toolkit runs)")
    parser.add_argument("--max-temp-directory-size", default="25GB",
                        help="DuckDB max_temp_directory_size for every measured connection: a statement that would spill "
                             "more fails and is reported (default 25GB, a guard for a shared disk)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--run-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(run_worker(args.worker, args.run_dir, args.data_dir, args.memory_limit, args.max_temp_directory_size), default=str))
        return
    for n in args.posts:
        if n < 1000:
            parser.error(f"--posts {n}: give at least 1000 posts, e.g. --posts 100000")

    machine = machine_info(("datasketch", "numpy", "scipy", "ftfy"))
    print(f"near-duplicate benchmark: posts {', '.join(f'{n:,}' for n in args.posts)}, seed {args.seed}; "
          f"{machine['nproc']} CPUs, {machine['ram_gib']} GiB, {machine['cpu']}; load average {os.getloadavg()[0]:.1f}", flush=True)
    results = args.results or BENCH_DIR / "results" / f"near_duplicates_{dt.date.today().isoformat()}.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    report = json.loads(results.read_text()) if results.exists() else {"sizes": {}}
    report.pop("toolkit_commit", None)  # older layout: now recorded per size ("toolkit")
    report.update({"machine": machine,
                   "settings": {"seed": args.seed, "threshold": THRESHOLD, "datasketch_num_perm": DATASKETCH_NUM_PERM,
                                "recall_sample": args.recall_sample, "generator_version": make_near_posts.GENERATOR_VERSION},
                   "command": "python bench/bench_near_duplicates.py " + " ".join(argv if argv is not None else sys.argv[1:])})
    for n_posts in sorted(args.posts):
        size = run_size(report, n_posts=n_posts, args=args)
        size["date"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        size["command"] = report["command"]
        report["sizes"][str(n_posts)] = size
        results.write_text(json.dumps(report, indent=1) + "\n")  # after each size: a long run keeps what it measured
    print()
    print(_table(report))
    for size in sorted(report["sizes"].values(), key=lambda s: s["posts"]):
        for target, met in size["summary"]["targets"].items():
            print(f"{size['posts']:,} posts: {target}: {'met' if met else 'NOT met'}")
    print(f"results: {results}")


if __name__ == "__main__":
    main()
