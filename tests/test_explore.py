"""Explorers on the reconstructed sample: each renders as a widget *and* as static HTML, and follows its controls."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from toolkit.errors import ParameterError, WorkspaceError  # noqa: E402
from toolkit.explore import campaign_posts, campaign_summary, open_workspace, sample_workspace  # noqa: E402
from toolkit.explore.accounts import account_inspector, account_view, find_account  # noqa: E402
from toolkit.explore.clusters import cluster_browser, cluster_choices, cluster_view  # noqa: E402
from toolkit.explore.network import network_tables, network_view  # noqa: E402
from toolkit.explore.timeline import timeline_explorer, timeline_view  # noqa: E402
from toolkit.explore.tuner import load_text_groups, rescore, scratch_copy, text_groups_at, threshold_tuner  # noqa: E402
from toolkit.teach import truth_for  # noqa: E402

WIDGET = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def store():
    workspace = open_workspace()
    yield workspace
    workspace.close()


def _bundle_ok(explorer) -> str:
    bundle = explorer._repr_mimebundle_()
    assert WIDGET in bundle and bundle["text/plain"] == explorer.title
    assert "<table" in bundle["text/html"] or "<img" in bundle["text/html"]
    return bundle["text/html"]


def test_open_workspace_gives_a_private_reconstructed_copy(store):
    assert store.path != str(sample_workspace())
    summary = campaign_summary(store)
    assert summary["peak_day"] and summary["counts"]["flagged_accounts"] > 0
    store.execute("CREATE OR REPLACE TABLE scribble AS SELECT 1 AS x")
    other = open_workspace()
    assert not other.has_table("scribble"), "each notebook's copy is its own"
    other.close()


def test_open_workspace_refuses_a_missing_file(tmp_path):
    with pytest.raises(WorkspaceError, match="no such workspace"):
        open_workspace(tmp_path / "nothing.duckdb")


def test_campaign_posts_are_the_judged_clusters(store):
    posts = campaign_posts(store)
    judged = store.scalar("""SELECT count(*) FROM clusters c JOIN cluster_judgement j USING (cluster_id) WHERE j.campaign""")
    assert len(posts) == judged and posts.created_at.is_monotonic_increasing


def test_cluster_browser(store):
    choices = cluster_choices(store, campaign_only=True)
    assert choices.campaign.all() and choices.n_posts.is_monotonic_decreasing
    explorer = cluster_browser(store, campaign_only=True)
    html = _bundle_ok(explorer)
    first = int(choices.cluster_id.iloc[0])
    assert "Cluster browser" in explorer.title and str(first) in html
    pick = explorer.widget.children[0].children[0]
    pick.value = int(choices.cluster_id.iloc[1])
    assert int(explorer.static()["Summary"].cluster_id.iloc[0]) == int(choices.cluster_id.iloc[1])


def test_cluster_view_parts(store):
    one = int(cluster_choices(store, campaign_only=True).cluster_id.iloc[0])
    view = cluster_view(store, one)
    assert view["Summary"].n_posts.iloc[0] == view["Accounts"].posts.sum()
    assert view["Judgement"].startswith("judged part of the campaign")
    with pytest.raises(ParameterError, match="no such cluster"):
        cluster_view(store, -1)


def test_timeline_explorer_follows_its_window(store):
    campaign = campaign_posts(store)
    explorer = timeline_explorer(store, campaign)
    _bundle_ok(explorer)
    whole = explorer.static()["Counts"].set_index("series").posts
    dates, width = explorer.widget.children[0], explorer.widget.children[1]
    dates.index = (dates.index[0], dates.index[0] + 10)
    part = explorer.static()["Counts"].set_index("series").posts
    assert part["campaign"] < whole["campaign"]
    width.value = 60
    assert explorer.static()["Counts"].set_index("series").posts["campaign"] == part["campaign"]
    with pytest.raises(ParameterError):
        timeline_explorer(store, campaign, bin_minutes=7)


def test_timeline_view_counts_the_window(store):
    campaign = campaign_posts(store)
    day = campaign.created_at.dt.strftime("%Y-%m-%d").value_counts()
    peak = day.idxmax()
    view = timeline_view(store, campaign, peak, peak)
    assert view["Counts"].set_index("series").posts["campaign"] == day.max()
    with pytest.raises(ParameterError, match="before"):
        timeline_view(store, campaign, "2023-09-10", "2023-09-01")


def test_account_inspector(store):
    explorer = account_inspector(store)
    _bundle_ok(explorer)
    top = store.df("SELECT platform, account_id, handle FROM account_scores ORDER BY score DESC, platform, account_id LIMIT 1")
    view = explorer.static()
    assert view["Account"] == f"{top.platform[0]}:{top.account_id[0]}" and len(view["Reasons"])
    typed = explorer.widget.children[0].children[1]
    other = store.df("SELECT platform, account_id FROM account_scores WHERE NOT flagged LIMIT 1")
    typed.value = other.account_id[0]
    assert explorer.static()["Account"] == f"{other.platform[0]}:{other.account_id[0]}"
    typed.value = "no-such-account"
    assert "no account" in explorer.widget.children[1].value


def test_find_account_spellings(store):
    row = store.df("SELECT platform, account_id, handle FROM accounts WHERE handle IS NOT NULL AND platform = 'x' LIMIT 1")
    key = (row.platform[0], row.account_id[0])
    assert find_account(store, "@" + row.handle[0]) == key
    assert find_account(store, row.account_id[0]) == key
    assert find_account(store, key) == key
    with pytest.raises(ParameterError, match="no account"):
        find_account(store, "@nobody_at_all_123")


def test_account_view_shows_a_revived_account(store):
    revived = store.df("""SELECT platform, account_id FROM account_evidence WHERE reactivated_with_switch
                          ORDER BY longest_gap_days DESC LIMIT 1""")
    view = account_view(store, (revived.platform[0], revived.account_id[0]))
    signals = set(view["Evidence"].signal)
    assert {"longest_gap_days", "reactivated_at"} <= signals
    assert view["Posts per month"] is not None


def test_network_tables_and_views(store):
    nodes, edges = network_tables(store, max_nodes=200)
    assert len(nodes) <= 200 and set(edges.source) | set(edges.target) <= set(nodes.node)
    assert (edges.weight >= 2).all()
    interactive = network_view(store, max_nodes=200)
    assert type(interactive.widget).__name__ == "Sigma"
    _bundle_ok(interactive)
    static = network_view(store, max_nodes=200, interactive=False)
    assert type(static.widget).__name__ == "Output"
    assert "Coordination network" in static.static()


def test_threshold_tuner_recomputes_in_a_scratch_copy(store):
    before = store.df("SELECT count(*) AS n FROM account_scores WHERE flagged").n[0]
    explorer = threshold_tuner(store, truth=truth_for(None))
    _bundle_ok(explorer)
    flags = explorer.static()["Flags"].set_index(explorer.static()["Flags"].columns[0]).value
    assert flags["flagged accounts"] == before and flags["newly flagged (vs the reconstruction)"] == 0
    similarity, window, flag = explorer.widget.children[:3]
    flag.value = 0.9
    stricter = explorer.static()["Flags"].set_index(explorer.static()["Flags"].columns[0]).value
    assert stricter["flagged accounts"] < before and stricter["no longer flagged"] == before - stricter["flagged accounts"]
    similarity.value = 0.95
    copies = explorer.static()["Copy groups"]
    assert copies.columns[0].endswith("0.95")
    assert store.df("SELECT count(*) AS n FROM account_scores WHERE flagged").n[0] == before, "workspace untouched"
    assert set(explorer.static()["Against the ground truth"].metric) >= {"account_precision", "account_recall"}


def test_text_groups_shrink_as_the_threshold_rises(store):
    groups = load_text_groups(store)
    low = text_groups_at(groups, groups.run_threshold)
    high = text_groups_at(groups, 0.95)
    assert high["pairs"] <= low["pairs"] and high["texts_grouped"] <= low["texts_grouped"]
    assert (high["campaign_pieces"].pieces.sum() >= low["campaign_pieces"].pieces.sum())
    with pytest.raises(ParameterError, match="lower thresholds"):
        text_groups_at(groups, groups.run_threshold - 0.2)


def test_rescore_with_a_wider_window_flags_at_least_as_many(store):
    scratch = scratch_copy(store)
    narrow = rescore(scratch, squad_window_minutes=2)
    wide = rescore(scratch, squad_window_minutes=60)
    assert wide["campaign_clusters"] >= narrow["campaign_clusters"]
    assert isinstance(wide["flagged_accounts"], pd.DataFrame)
    scratch.close()


def test_a_user_workspace_already_reconstructed_opens_as_it_is(tmp_path):
    import shutil

    from toolkit.explore.workspace import _given_targets
    from toolkit.store import Store

    path = tmp_path / "mine.duckdb"
    shutil.copyfile(sample_workspace(), path)
    with Store(path) as mine:
        before = mine.df("SELECT * FROM runs ORDER BY step")
        assert len(_given_targets(mine)) == mine.scalar("SELECT count(*) FROM targets"), "the sample's targets came from mps.csv"
    store = open_workspace(path)
    assert store.path == str(path) and campaign_summary(store)["peak_day"]
    assert store.df("SELECT * FROM runs ORDER BY step").equals(before), "nothing was run again"
    store.close()


def test_a_user_workspace_without_posts_is_refused(tmp_path):
    from toolkit.store import Store

    Store(tmp_path / "empty.duckdb").close()
    with pytest.raises(WorkspaceError, match="no posts"):
        open_workspace(tmp_path / "empty.duckdb")
