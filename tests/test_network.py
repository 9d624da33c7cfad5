"""Coordination network: edges on a hand-made workspace (windows, bucket boundaries, symmetry, types),
against a brute-force count on random data, communities, GEXF, the real copy-cluster chain, and the
bundled sample with its truth."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from conftest import SAMPLE
from sample_workspace import sample_store_copy
from toolkit.accounts import account_evidence
from toolkit.errors import ParameterError
from toolkit.metrics import load_truth
from toolkit.network import (ACCOUNT_COLUMNS, ACTION_TYPES, EDGE_COLUMNS, community_summary, component_summary,
                             coordination_communities, coordination_edges, edge_columns, export_gexf, write_gexf)
from toolkit.store import Store

T0 = pd.Timestamp("2023-08-07 03:00:00", tz="UTC")


def make_store(posts: list[dict], clusters: list[tuple[str, int]] | None = None, accounts: dict | None = None) -> Store:
    """A workspace from post dicts (post_id, account, seconds after T0, reply_to, urls, hashtags, repost_of)."""
    s = Store(":memory:")
    frame = pd.DataFrame({
        "platform": [p.get("platform", "x") for p in posts], "post_id": [p["post_id"] for p in posts],
        "account_id": [p["account"] for p in posts], "t": [float(p["t"]) for p in posts],
        "reply_to": pd.Series([p.get("reply_to") for p in posts], dtype="object"),
        "urls": ["\t".join(p.get("urls", [])) for p in posts], "hashtags": ["\t".join(p.get("hashtags", [])) for p in posts],
        "repost_of": pd.Series([p.get("repost_of") for p in posts], dtype="object")})
    s.register("_frame", frame)
    s.execute(f"""INSERT INTO posts (platform, post_id, account_id, created_at, reply_to_account_id, urls, hashtags,
                                     repost_of_post_id, source_id, source_row)
                  SELECT platform, post_id, account_id, TIMESTAMPTZ '{T0.isoformat()}' + to_microseconds((t * 1e6)::BIGINT),
                         reply_to, CASE WHEN urls = '' THEN [] ELSE string_split(urls, '\t') END,
                         CASE WHEN hashtags = '' THEN [] ELSE string_split(hashtags, '\t') END, repost_of, 1,
                         row_number() OVER () FROM _frame""")
    s.unregister("_frame")
    for i, (account, handle) in enumerate((accounts or {}).items(), start=1):
        s.execute("INSERT INTO accounts (platform, account_id, handle, source_id, source_row) VALUES ('x', ?, ?, 1, ?)",
                  [account, handle, i])
    s.execute("CREATE TABLE clusters (cluster_id INTEGER, platform VARCHAR, post_id VARCHAR)")
    for post_id, cluster in clusters or []:
        s.execute("INSERT INTO clusters VALUES (?, 'x', ?)", [cluster, post_id])
    return s


# Each group of rows is one case; why each is (or is not) an edge:
POSTS = [
    dict(post_id="p1", account="A", t=0, reply_to="T"),          # A, B: same cluster AND same target, 30 s apart
    dict(post_id="p2", account="B", t=30, reply_to="T"),
    dict(post_id="p3", account="C", t=7200),                     # C: same cluster two hours later: no edge
    dict(post_id="p4", account="D", t=1000, hashtags=["Spam"]),  # D, E: same hashtag (case aside) exactly 60 s apart
    dict(post_id="p5", account="E", t=1060, hashtags=["spam"]),
    dict(post_id="p6", account="F", t=2000, urls=["https://news.example/a"]),  # F, G: same link 61 s apart: no edge
    dict(post_id="p7", account="G", t=2061, urls=["https://news.example/a"]),
    dict(post_id="p8", account="H", t=3599, repost_of="r1"),      # H, I: same repost across a bucket boundary (2 s)
    dict(post_id="p9", account="I", t=3601, repost_of="r1"),
    *[dict(post_id=f"pj{i}", account="J", t=5000 + 10 * i, reply_to="T2") for i in range(5)],  # J: 5 replies
    dict(post_id="pk", account="K", t=5020, reply_to="T2"),       # K: 1 reply amid J's five -> symmetry 1/5
    dict(post_id="pl1", account="L", t=6000),                     # L copies itself: never an edge
    dict(post_id="pl2", account="L", t=6010),
]
CLUSTERS = [("p1", 1), ("p2", 1), ("p3", 1), ("pl1", 2), ("pl2", 2)]


@pytest.fixture(scope="module")
def handmade():
    s = make_store(POSTS, CLUSTERS, accounts={"A": "alpha", "J": "jay"})
    edges = coordination_edges(s, window_seconds=60)
    yield s, edges.set_index(["account_id_a", "account_id_b"])
    s.close()


def test_edges_found_and_missed_for_the_right_reasons(handmade):
    _, edges = handmade
    assert set(edges.index) == {("A", "B"), ("D", "E"), ("H", "I"), ("J", "K")}


def test_edge_weights_count_distinct_posts_per_side_and_type(handmade):
    _, edges = handmade
    ab = edges.loc[("A", "B")]
    # one post each, coordinated twice over (text and reply): 2 actions, 1 matched pair, 2 objects
    assert (ab["weight"], ab["actions_a"], ab["actions_b"], ab["symmetry"]) == (2, 1, 1, 1.0)
    assert (ab["weight_text"], ab["weight_reply"], ab["weight_hashtag"]) == (2, 2, 0)
    assert (ab["co_events"], ab["shared_objects"], ab["median_lag_seconds"]) == (1, 2, 30.0)
    assert (ab["example_post_a"], ab["example_post_b"]) == ("p1", "p2")
    assert ab["first_at"] == T0 and ab["last_at"] == T0
    assert edges.loc[("D", "E"), "weight_hashtag"] == 2 and edges.loc[("H", "I"), "weight_repost"] == 2


def test_symmetry_shows_a_one_sided_pair(handmade):
    _, edges = handmade
    jk = edges.loc[("J", "K")]
    assert (jk["actions_a"], jk["actions_b"], jk["weight"], jk["co_events"]) == (5, 1, 6, 5)
    assert jk["symmetry"] == pytest.approx(0.2)


def test_per_account_totals(handmade):
    store, edges = handmade
    acc = edges.attrs["accounts"].set_index("account_id")
    assert set(acc.index) == {"A", "B", "D", "E", "H", "I", "J", "K"}
    assert acc.loc["J", "handle"] == "jay" and acc.loc["J", "degree"] == 1 and acc.loc["J", "strength"] == 6
    assert acc.loc["J", "coordinated_posts"] == 5 and acc.loc["J", "coordinated_share"] == 1.0
    assert acc.loc["J", "max_edge_weight"] == 6 and acc.loc["J", "mean_symmetry"] == pytest.approx(0.2)
    assert acc.loc["A", "coordinated_posts_text"] == 1 and acc.loc["A", "coordinated_posts_reply"] == 1
    assert list(store.df("SELECT * FROM coordination_edges").columns) == [c for c, _, _ in EDGE_COLUMNS]
    assert list(edge_columns()["column"]) == [c for c, _, _ in EDGE_COLUMNS]
    assert list(edges.attrs["accounts"].columns) == [c for c, _, _ in ACCOUNT_COLUMNS]
    assert store.run_params("coordination_edges")["window_seconds"] == 60


def test_min_edge_weight_and_action_choice(handmade):
    store, _ = handmade
    heavy = coordination_edges(store, min_edge_weight=3)
    assert list(zip(heavy["account_id_a"], heavy["account_id_b"])) == [("J", "K")]
    # A and B matched twice (text and reply) on one pair of posts: weight 2, not kept
    kept = heavy.attrs["accounts"].set_index("account_id")
    assert set(kept.index) == {"J", "K"} and kept.loc["J", "strength"] == 6 and kept.loc["K", "coordinated_posts"] == 1
    replies = coordination_edges(store, actions=["reply"])
    assert set(zip(replies["account_id_a"], replies["account_id_b"])) == {("A", "B"), ("J", "K")}
    assert replies["weight_text"].isna().all()          # not computed, not zero
    wide = coordination_edges(store, actions=["link"], window_seconds=61)
    assert list(zip(wide["account_id_a"], wide["account_id_b"])) == [("F", "G")]


@pytest.mark.parametrize("kwargs, named", [
    ({"window_seconds": 0}, "window_seconds"),
    ({"window_seconds": "60"}, "window_seconds"),
    ({"min_edge_weight": 1}, "min_edge_weight"),
    ({"actions": ["likes"]}, "actions"),
    ({"actions": []}, "actions"),
    ({"start": "2023-09-01", "end": "2023-08-01"}, "end"),
])
def test_bad_parameters_are_named(handmade, kwargs, named):
    store, _ = handmade
    with pytest.raises(ParameterError, match=named):
        coordination_edges(store, **kwargs)


def test_text_action_needs_clusters():
    with Store(":memory:") as s:
        with pytest.raises(ParameterError, match="find_clusters"):
            coordination_edges(s)
        assert coordination_edges(s, actions=["reply"]).empty


# -- against brute force ------------------------------------------------------------------------
def _random_posts(seed: int, n: int = 250) -> tuple[list[dict], list[tuple[str, int]]]:
    rng = np.random.default_rng(seed)
    posts, clusters = [], []
    for i in range(n):
        p = dict(post_id=f"q{i}", account=f"U{rng.integers(0, 25)}", t=int(rng.integers(0, 1800)))
        if rng.random() < 0.5:
            p["reply_to"] = f"T{rng.integers(0, 4)}"
        if rng.random() < 0.3:
            p["hashtags"] = [f"h{rng.integers(0, 3)}", f"h{rng.integers(0, 3)}"]
        if rng.random() < 0.4:
            clusters.append((p["post_id"], int(rng.integers(0, 6))))
        posts.append(p)
    return posts, clusters


def _brute_force(posts, clusters, window: float) -> pd.DataFrame:
    cluster_of = dict(clusters)
    objects = {p["post_id"]: {("text", cluster_of[p["post_id"]])} if p["post_id"] in cluster_of else set() for p in posts}
    for p in posts:
        if p.get("reply_to"):
            objects[p["post_id"]].add(("reply", p["reply_to"]))
        objects[p["post_id"]] |= {("hashtag", h) for h in p.get("hashtags", [])}
    acts: dict[tuple, dict] = {}
    for p, q in itertools.combinations(posts, 2):
        if p["account"] == q["account"] or abs(p["t"] - q["t"]) > window:
            continue
        shared = objects[p["post_id"]] & objects[q["post_id"]]
        if not shared:
            continue
        if p["account"] > q["account"]:
            p, q = q, p
        e = acts.setdefault((p["account"], q["account"]), {"a": set(), "b": set(), "pairs": set(),
                                                           **{k: (set(), set()) for k in ("text", "reply", "hashtag")}})
        e["a"].add(p["post_id"]), e["b"].add(q["post_id"]), e["pairs"].add((p["post_id"], q["post_id"]))
        for kind, _ in shared:
            e[kind][0].add(p["post_id"]), e[kind][1].add(q["post_id"])
    rows = [{"account_id_a": a, "account_id_b": b, "actions_a": len(e["a"]), "actions_b": len(e["b"]),
             "co_events": len(e["pairs"]), **{f"weight_{k}": len(e[k][0]) + len(e[k][1]) for k in ("text", "reply", "hashtag")}}
            for (a, b), e in acts.items()]
    return pd.DataFrame(rows).sort_values(["account_id_a", "account_id_b"]).reset_index(drop=True)


@pytest.mark.parametrize("seed, window", [(1, 60), (2, 120), (3, 45)])
def test_matches_brute_force_and_ignores_row_order(seed, window):
    posts, clusters = _random_posts(seed)
    expected = _brute_force(posts, clusters, window)
    columns = list(expected.columns)
    results = []
    for order in (posts, posts[::-1]):
        with make_store(order, clusters) as s:
            got = coordination_edges(s, window_seconds=window, actions=["text", "reply", "hashtag"])
        results.append(got.sort_values(["account_id_a", "account_id_b"]).reset_index(drop=True)[columns])
    assert len(expected) > 20
    pd.testing.assert_frame_equal(results[0], expected, check_dtype=False)
    pd.testing.assert_frame_equal(results[1], expected, check_dtype=False)


# -- communities and GEXF -----------------------------------------------------------------------
def _two_squads() -> Store:
    """Squads P0-P4 and Q0-Q4 each post their own message together three times; P0 and Q0 once
    answer the same target within a minute (a weak bridge)."""
    posts, clusters = [], []
    for squad, cluster, start in (("P", 10, 0), ("Q", 20, 10_000)):
        for rnd in range(3):
            for m in range(5):
                pid = f"{squad}{m}-{rnd}"
                posts.append(dict(post_id=pid, account=f"{squad}{m}", t=start + 3600 * rnd + 5 * m))
                clusters.append((pid, cluster))
    posts += [dict(post_id="bridge-p", account="P0", t=50_000, reply_to="Z"),
              dict(post_id="bridge-q", account="Q0", t=50_030, reply_to="Z")]
    return make_store(posts, clusters, accounts={"P0": "pee", "Q0": "queue"})


def test_communities_separate_the_squads_deterministically():
    with _two_squads() as s:
        coordination_edges(s)
        first = coordination_communities(s, seed=7)
        again = coordination_communities(s, seed=7)
        pd.testing.assert_frame_equal(first, again)
        by = first.set_index("account_id")
        assert by.loc[[f"P{i}" for i in range(5)], "community_id"].nunique() == 1
        assert by.loc[[f"Q{i}" for i in range(5)], "community_id"].nunique() == 1
        assert by.loc["P0", "community_id"] != by.loc["Q0", "community_id"]
        assert (by["component_id"] == 1).all() and (by["component_size"] == 10).all()
        assert (by["community_size"] == 5).all()
        summary = community_summary(s).set_index("community_id")
        assert (summary["n_accounts"] == 5).all() and (summary["density"] == 1.0).all()
        assert (summary["weight_text"] == 10 * 6).all()  # 10 pairs x 3 rounds x 2 posts
        components = component_summary(s)
        assert len(components) == 1 and components.loc[0, "n_edges"] == 21
        assert s.run_params("coordination_nodes")["seed"] == 7


def test_gexf_export(tmp_path):
    with _two_squads() as s:
        coordination_edges(s)
        coordination_communities(s)
        scores = pd.DataFrame({"platform": ["x", "x"], "account_id": ["P0", "Q0"], "score": [0.9, 0.1],
                               "flagged": [True, False]})
        path = export_gexf(s, tmp_path / "network.gexf", node_attributes=scores)
        text = path.read_text(encoding="utf-8")
        edges = s.df("SELECT * FROM coordination_edges")
    ns = {"g": "http://gexf.net/1.3"}
    root = ET.fromstring(text)
    assert root.tag == "{http://gexf.net/1.3}gexf" and root.get("version") == "1.3"
    graph = root.find("g:graph", ns)
    assert graph.get("defaultedgetype") == "undirected"
    titles = {a.get("title"): a.get("type") for a in graph.findall("g:attributes[@class='node']/g:attribute", ns)}
    assert titles["community"] == "long" and titles["score"] == "double" and titles["flagged"] == "boolean"
    assert titles["handle"] == "string" and titles["platform"] == "string"
    nodes = {n.get("id"): n for n in graph.findall("g:nodes/g:node", ns)}
    assert len(nodes) == 10 and nodes["x:P0"].get("label") == "@pee" and nodes["x:P1"].get("label") == "x:P1"
    values = {v.get("for"): v.get("value") for v in nodes["x:P0"].findall("g:attvalues/g:attvalue", ns)}
    assert values["score"] == "0.9" and values["flagged"] == "true" and values["platform"] == "x"
    assert "score" not in {v.get("for") for v in nodes["x:P1"].findall("g:attvalues/g:attvalue", ns)}
    xml_edges = graph.findall("g:edges/g:edge", ns)
    assert len(xml_edges) == len(edges) == 21
    assert sorted(float(e.get("weight")) for e in xml_edges) == sorted(edges["weight"].astype(float))
    assert all(e.get("source") in nodes and e.get("target") in nodes for e in xml_edges)
    # deterministic: the same network gives the same bytes
    with _two_squads() as s:
        coordination_edges(s)
        coordination_communities(s)
        again = export_gexf(s, tmp_path / "again.gexf", node_attributes=scores)
    assert again.read_bytes() == path.read_bytes()


def test_write_gexf_refuses_edges_to_unknown_nodes(tmp_path):
    nodes = pd.DataFrame({"platform": ["x"], "account_id": ["A"]})
    edges = pd.DataFrame({"platform_a": ["x"], "account_id_a": ["A"], "platform_b": ["x"], "account_id_b": ["B"],
                          "weight": [2]})
    with pytest.raises(ParameterError, match="not in nodes"):
        write_gexf(nodes, edges, tmp_path / "bad.gexf")
    with pytest.raises(ParameterError, match="weight"):
        write_gexf(nodes, edges.drop(columns="weight"), tmp_path / "bad.gexf")


# -- with the real copy-cluster chain -------------------------------------------------------------
MESSAGE = "The critic says {mp} took bribes from developers and lied to voters, please distance yourself from him"


def test_with_find_clusters():
    """Three accounts paste one message (lightly edited) within a minute; a fourth writes something else."""
    from toolkit.clusters import find_clusters

    posts = [
        ("s1", "A", 0, MESSAGE.format(mp="Anna")),
        ("s2", "B", 20, MESSAGE.format(mp="Anna") + "!!"),
        ("s3", "C", 45, "Honestly, " + MESSAGE.format(mp="Anna")),
        ("s4", "D", 30, "Great to see the new bike lanes on Main Street finally open this weekend with my kids"),
        ("s5", "A", 9000, "Lovely evening at the lake, the loons were calling all night long and we stayed up late"),
    ]
    with Store(":memory:") as s:
        for i, (post, account, t, text) in enumerate(posts, start=1):
            s.execute("INSERT INTO posts (platform, post_id, account_id, created_at, text, source_id, source_row) "
                      "VALUES ('x', ?, ?, ?, ?, 1, ?)", [post, account, T0 + pd.Timedelta(seconds=t), text, i])
        find_clusters(s)
        edges = coordination_edges(s)
        assert set(zip(edges["account_id_a"], edges["account_id_b"])) == {("A", "B"), ("A", "C"), ("B", "C")}
        assert (edges["weight_text"] == 2).all()
        ev = account_evidence(s, office_utc_offset_hours=8).set_index("account_id")
        assert ev.loc["A", "copy_share"] == 0.5 and ev.loc["B", "copy_share"] == 1.0 and ev.loc["D", "copy_share"] == 0


# -- the bundled sample, with the truth's copy clusters -------------------------------------------
@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample with the truth's message groups as copy clusters (campaign templates across languages,
    the advocacy template, the viral headline), so the network is tested on its own."""
    store = sample_store_copy(tmp_path_factory.mktemp("network"))
    truth_posts = str(SAMPLE / "truth" / "posts.csv")
    store.execute(f"""
        CREATE TABLE clusters AS
        WITH t AS (SELECT * FROM read_csv('{truth_posts}', all_varchar = true))
        SELECT dense_rank() OVER (ORDER BY coalesce(template_id, group_id))::INTEGER AS cluster_id, platform, post_id
        FROM t WHERE coalesce(template_id, group_id) IS NOT NULL""")
    roles = load_truth(SAMPLE).accounts[["platform", "account_id", "role"]]
    yield store, roles
    store.close()


def _with_roles(accounts: pd.DataFrame, roles: pd.DataFrame) -> pd.DataFrame:
    return roles.merge(accounts, on=["platform", "account_id"], how="left")


def test_sample_advocacy_is_coordinated_by_text_but_spread_over_days(sample):
    store, roles = sample
    minute = _with_roles(coordination_edges(store, actions=["text"], window_seconds=60).attrs["accounts"], roles)
    days = _with_roles(coordination_edges(store, actions=["text"], window_seconds=3 * 86400,
                                          table="edges_3d", account_table="accounts_3d").attrs["accounts"], roles)
    linked = lambda df, role: df.loc[df["role"] == role, "degree"].notna().mean()  # noqa: E731
    strength = lambda df, role: df.loc[df["role"] == role, "strength"].median()    # noqa: E731
    for role in ("campaign_new", "campaign_hijacked"):
        assert linked(minute, role) >= 0.95, role
        assert strength(minute, role) >= 8, role
    assert linked(minute, "advocacy") <= 0.4 and strength(minute, "advocacy") <= 2
    assert linked(days, "advocacy") >= 0.95
    assert linked(minute, "organic") == 0.0


def test_sample_campaign_forms_dense_communities(sample):
    store, roles = sample
    coordination_edges(store)  # all action types, one minute
    nodes = _with_roles(coordination_communities(store, seed=0), roles).dropna(subset=["community_id"])
    nodes["campaign"] = nodes["role"].str.startswith("campaign")
    summary = community_summary(store).merge(
        nodes.groupby("community_id")["campaign"].mean().rename("campaign_share"), on="community_id")
    dense = summary[(summary["n_accounts"] >= 10) & (summary["density"] >= 0.2)]
    members = nodes[nodes["community_id"].isin(dense["community_id"])]
    assert members["campaign"].mean() >= 0.85
    assert nodes.loc[nodes["campaign"], "community_id"].isin(dense["community_id"]).mean() >= 0.8
    campaign_strength = nodes.loc[nodes["campaign"], "strength"].median()
    assert campaign_strength >= 5 * nodes.loc[nodes["role"] == "organic", "strength"].median()
    assert set(ACTION_TYPES) >= {c[len("weight_"):] for c in summary.columns if c.startswith("weight_")}


def test_every_network_column_is_documented():
    from conftest import REPO
    from toolkit.network import COMMUNITY_COLUMNS

    doc = (REPO / "docs" / "network.md").read_text(encoding="utf-8")
    columns = [c for c, _, _ in EDGE_COLUMNS + ACCOUNT_COLUMNS + COMMUNITY_COLUMNS]
    assert [c for c in columns if f"`{c}`" not in doc] == []


def test_gexf_attribute_values_survive_escaping_and_keep_their_types(tmp_path):
    """Texts with quotes, entities and newlines, missing values, lists, times and doubles come back as written."""
    texts = ['a "quoted" one', "it's", "both \"x\" and 'y'", "amp & <tag>", "new\nline\ttab", "é 议员 🙂"]
    nodes = pd.DataFrame({"platform": "x", "account_id": [f"a{i}" for i in range(6)], "handle": [None, "", "h&1", 'q"', "ok", "z"],
                          "note": texts, "score": [0.1, float("nan"), 1e-7, 2.0, -0.0, 1e16],
                          "tags": [["a|b", "c"], [], ["d"], ["e"], ["f"], ["g"]],
                          "count": pd.array([1, None, 3, 4, 5, 6], dtype="Int64")})
    when = pd.Series(pd.to_datetime(["2023-09-01 10:00:00", "2023-09-01 10:00:00.25", None], utc=True, format="ISO8601"))
    edges = pd.DataFrame({"platform_a": "x", "account_id_a": ["a0", "a1", "a2"], "platform_b": "x",
                          "account_id_b": ["a1", "a2", "a3"], "weight": [2, 3, 4], "first_at": when,
                          "local": when.dt.tz_convert("America/Toronto")})
    path = write_gexf(nodes, edges, tmp_path / "n.gexf")
    ns = {"g": "http://gexf.net/1.3"}
    graph = ET.parse(path).getroot().find("g:graph", ns)
    xml_nodes = {n.get("id"): n for n in graph.findall("g:nodes/g:node", ns)}
    values = {i: {v.get("for"): v.get("value") for v in n.findall("g:attvalues/g:attvalue", ns)} for i, n in xml_nodes.items()}
    assert [values[f"x:a{i}"]["note"] for i in range(6)] == texts
    assert [xml_nodes[f"x:a{i}"].get("label") for i in range(4)] == ["x:a0", "x:a1", "@h&1", '@q"']
    assert [values[f"x:a{i}"].get("score") for i in range(6)] == ["0.1", None, "1e-07", "2.0", "-0.0", "1e+16"]
    assert values["x:a0"]["tags"] == "[a/b, c]" and "tags" not in values["x:a1"]
    assert values["x:a0"]["count"] == "1" and "count" not in values["x:a1"]
    xml_edges = graph.findall("g:edges/g:edge", ns)
    times = [{v.get("for"): v.get("value") for v in e.findall("g:attvalues/g:attvalue", ns)} for e in xml_edges]
    assert [t.get("first_at") for t in times] == ["2023-09-01T10:00:00+00:00", "2023-09-01T10:00:00.250000+00:00", None]
    assert times[0]["local"] == "2023-09-01T06:00:00-04:00"
    assert [e.get("weight") for e in xml_edges] == ["2.0", "3.0", "4.0"]
