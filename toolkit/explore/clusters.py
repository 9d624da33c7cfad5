"""Cluster browser: pick a copy cluster, see its posts, languages, template, accounts and timeline."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..errors import ParameterError
from ..store import Store
from ._display import Explorer, remember_last, show_sections


def cluster_choices(store: Store, *, campaign_only: bool = False, min_accounts: int = 2, limit: int = 300) -> pd.DataFrame:
    """The clusters a browser offers, largest first.

    Args:
        campaign_only: only clusters judged part of the campaign.
        min_accounts: only clusters copied by at least this many accounts.
        limit: at most this many.

    Returns:
        DataFrame (cluster_id, n_posts, n_accounts, languages, platforms, campaign, label).
    """
    where = "AND j.campaign" if campaign_only else ""
    frame = store.df(f"""
        SELECT s.cluster_id, s.n_posts, s.n_accounts, s.languages, s.platforms, coalesce(j.campaign, false) AS campaign
        FROM cluster_summary s LEFT JOIN cluster_judgement j USING (cluster_id)
        WHERE s.n_accounts >= ? {where}
        ORDER BY s.n_posts DESC, s.cluster_id LIMIT ?""", [int(min_accounts), int(limit)])
    frame["label"] = [f"#{r.cluster_id} · {r.n_posts} posts · {r.n_accounts} accounts · {'/'.join(r.languages)}"
                      + (" · campaign" if r.campaign else "") for r in frame.itertuples(index=False)]
    return frame


def cluster_view(store: Store, cluster_id: int, *, max_posts: int = 15) -> dict[str, Any]:
    """Everything about one copy cluster, as titled parts (DataFrames, a figure, text).

    Args:
        store: a reconstructed workspace (clusters, cluster_summary, templates, cluster_links;
            cluster_judgement and account_scores when present).
        cluster_id: the cluster.
        max_posts: earliest posts listed.

    Returns:
        dict with ``Summary`` (one row), ``Judgement`` (text), ``Text in each language``,
        ``Template and slots``, ``Cross-language links``, ``Posts per hour`` (figure),
        ``Accounts`` and ``Earliest posts``.

    Raises:
        ParameterError: no such cluster.
    """
    summary = store.df("""SELECT cluster_id, n_posts, n_accounts, n_targets, languages, platforms, first_at, last_at
                          FROM cluster_summary WHERE cluster_id = ?""", [int(cluster_id)])
    if summary.empty:
        raise ParameterError(f"cluster_id={cluster_id}: no such cluster in cluster_summary")
    judgement = None
    if store.has_table("cluster_judgement"):
        row = store.rows("SELECT campaign, reason FROM cluster_judgement WHERE cluster_id = ?", [int(cluster_id)])
        if row:
            judgement = ("judged part of the campaign: " if row[0][0] else "not judged part of the campaign: ") + row[0][1]
    texts = store.df("""SELECT c.lang, count(*) AS posts, mode(p.text) AS most_common_text
                        FROM clusters c JOIN posts p USING (platform, post_id) WHERE c.cluster_id = ?
                        GROUP BY c.lang ORDER BY posts DESC, c.lang""", [int(cluster_id)])
    templates = store.df("""SELECT t.text_cluster_id, t.template, t.n_texts, t.slots::VARCHAR AS slots
                            FROM templates t WHERE t.text_cluster_id IN
                                (SELECT DISTINCT text_cluster_id FROM clusters WHERE cluster_id = ?)
                            ORDER BY t.n_texts DESC""", [int(cluster_id)]) if store.has_table("templates") else None
    links = store.df("""SELECT l.text_cluster_a, l.text_cluster_b, l.lang_a, l.lang_b, l.co_posts, l.coverage,
                               l.shared_anchors, l.reasons
                        FROM cluster_links l WHERE l.linked AND l.text_cluster_a IN
                            (SELECT DISTINCT text_cluster_id FROM clusters WHERE cluster_id = ?)""",
                     [int(cluster_id)]) if store.has_table("cluster_links") else None
    scores = "LEFT JOIN account_scores s USING (platform, account_id)" if store.has_table("account_scores") else ""
    score_cols = ", any_value(s.flagged) AS flagged, any_value(s.score) AS score" if scores else ""
    accounts = store.df(f"""
        SELECT p.platform, p.account_id, any_value(a.handle) AS handle, count(*) AS posts,
               count(DISTINCT p.reply_to_account_id) AS targets {score_cols}
        FROM clusters c JOIN posts p USING (platform, post_id)
        LEFT JOIN accounts a USING (platform, account_id) {scores}
        WHERE c.cluster_id = ? GROUP BY p.platform, p.account_id ORDER BY posts DESC, p.platform, p.account_id""",
                        [int(cluster_id)])
    posts = store.df(f"""
        SELECT p.created_at, c.platform, c.post_id, p.account_id, c.lang, c.method, round(c.similarity, 3) AS similarity,
               t.handle AS target, p.text
        FROM clusters c JOIN posts p USING (platform, post_id)
        LEFT JOIN accounts t ON t.platform = p.platform AND t.account_id = p.reply_to_account_id
        WHERE c.cluster_id = ? ORDER BY p.created_at, c.platform, c.post_id LIMIT {int(max_posts)}""", [int(cluster_id)])
    return {
        "Summary": summary,
        "Judgement": judgement,
        "Text in each language": texts,
        "Template and slots": templates if templates is not None and len(templates) else None,
        "Cross-language links": links if links is not None and len(links) else None,
        "Posts per hour": _hourly_figure(store, int(cluster_id)),
        "Accounts": accounts,
        "Earliest posts": posts,
    }


def _hourly_figure(store: Store, cluster_id: int):
    from matplotlib.figure import Figure

    counts = store.df("""SELECT date_trunc('hour', p.created_at) AS hour, c.lang, count(*) AS posts
                         FROM clusters c JOIN posts p USING (platform, post_id) WHERE c.cluster_id = ?
                         GROUP BY ALL ORDER BY hour""", [cluster_id])
    table = counts.pivot_table(index="hour", columns="lang", values="posts", aggfunc="sum", fill_value=0)
    table.index = pd.to_datetime(table.index, utc=True).tz_localize(None)
    fig = Figure(figsize=(9, 2.6))  # not registered with pyplot: shown only where asked
    ax = fig.subplots()
    bottom = None
    for lang in table.columns:
        ax.bar(table.index, table[lang], width=1 / 24, bottom=bottom, label=str(lang), align="edge")
        bottom = table[lang] if bottom is None else bottom + table[lang]
    ax.set_ylabel("posts per hour")
    ax.set_xlabel("UTC")
    ax.legend(title="language", fontsize=8)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def cluster_browser(store: Store, *, campaign_only: bool = False, min_accounts: int = 2, cluster_id: int | None = None,
                    limit: int = 300) -> Explorer:
    """Browse copy clusters: choose one, see its posts, languages, template, accounts and timeline.

    Args:
        store: a reconstructed workspace.
        campaign_only: start with only the campaign's clusters listed (a checkbox changes it).
        min_accounts: list clusters copied by at least this many accounts.
        cluster_id: the cluster shown first (default: the largest listed).
        limit: at most this many clusters listed.

    Returns:
        An :class:`~toolkit.explore._display.Explorer` (a widget in JupyterLab, static HTML elsewhere).
    """
    import ipywidgets as widgets

    state = {"choices": cluster_choices(store, campaign_only=campaign_only, min_accounts=min_accounts, limit=limit)}
    if state["choices"].empty:
        raise ParameterError("no copy cluster to browse: run the reconstruction first, or lower min_accounts")
    first = int(cluster_id) if cluster_id is not None else int(state["choices"]["cluster_id"].iloc[0])
    options = list(zip(state["choices"]["label"], state["choices"]["cluster_id"].astype(int)))
    if first not in {v for _, v in options}:
        options.insert(0, (f"#{first}", first))
    pick = widgets.Dropdown(options=options, value=first, description="cluster", layout=widgets.Layout(width="640px"))
    only = widgets.Checkbox(value=campaign_only, description="campaign clusters only")
    output = widgets.Output()

    current = remember_last(lambda: pick.value, lambda: cluster_view(store, int(pick.value)))

    def refresh(_: Any = None) -> None:
        show_sections(output, current())

    def relist(change: dict) -> None:
        state["choices"] = cluster_choices(store, campaign_only=bool(change["new"]), min_accounts=min_accounts, limit=limit)
        selected = pick.value
        pick.options = list(zip(state["choices"]["label"], state["choices"]["cluster_id"].astype(int)))
        if selected not in set(state["choices"]["cluster_id"]) and len(state["choices"]):
            pick.value = int(state["choices"]["cluster_id"].iloc[0])

    pick.observe(refresh, names="value")
    only.observe(relist, names="value")
    refresh()
    box = widgets.VBox([widgets.HBox([pick, only]), output])
    return Explorer(box, current, "Cluster browser")
