"""Figures of the report, drawn with the toolkit's own plots and embedded as data URIs.

Each ``*_figure`` function returns ``(fig, axes)`` like the plots of :mod:`toolkit.timeline`, so
that a notebook can restyle them; :func:`data_uri` turns a figure into a ``data:image/png;base64``
URI for a self-contained HTML page (nothing is fetched when the page opens).

Example:
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> data_uri(fig)[:22]
    'data:image/png;base64,'
"""

from __future__ import annotations

import base64
import io
import logging
import random
import numpy as np
import pandas as pd

from ..store import Store

log = logging.getLogger(__name__)

#: Colours of flagged and other accounts in the network picture.
FLAGGED_COLOUR, OTHER_COLOUR, TARGET_COLOUR = "#b2182b", "#9e9e9e", "#2166ac"


def data_uri(fig, *, dpi: int = 100) -> str:
    """The figure as a ``data:image/png;base64,...`` URI; the figure is closed.

    Args:
        fig: a matplotlib figure.
        dpi: resolution.

    Returns:
        The data URI (PNG, no metadata that changes between runs).
    """
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def long_weekends(store: Store, campaign: pd.DataFrame | None, summary: dict, *, country: str = "CA",
                  before_days: int = 7) -> pd.DataFrame:
    """Long weekends within the campaign's span, with its posts on them against the days before.

    Args:
        store: the workspace.
        campaign: selection of the campaign's posts (platform, post_id); None: all posts.
        summary: the campaign summary (``first_post``, ``last_post``).
        country: the holiday calendar (every subdivision; see :func:`toolkit.timeline.calendar_days`).
        before_days: the comparison: mean posts per day over this many days before the weekend.

    Returns:
        DataFrame with start, end (dates), days, holiday, posts, posts_per_day,
        posts_per_day_before, ratio (per day on the weekend / per day before; None when no posts before).
    """
    from ..timeline import calendar_days, volume_series

    first, last = summary.get("first_post"), summary.get("last_post")
    columns = ["start", "end", "days", "holiday", "posts", "posts_per_day", "posts_per_day_before", "ratio"]
    if not first or not last:
        return pd.DataFrame(columns=columns)
    lo = pd.Timestamp(first).normalize() - pd.Timedelta(days=before_days)
    hi = pd.Timestamp(last).normalize() + pd.Timedelta(days=1) - pd.Timedelta(seconds=1)
    days = calendar_days(lo.date(), hi.date(), country=country)
    daily = volume_series(store, campaign, bin_minutes=1440, start=lo, end=hi, include_baseline=False)
    per_day = daily.groupby(daily.bin_start.dt.date)["posts"].sum()
    days["posts"] = days.date.map(per_day).fillna(0).astype(int)
    flag = days.long_weekend.to_numpy()
    run = np.cumsum(np.r_[True, flag[1:] != flag[:-1]]) if len(flag) else np.array([])
    rows = []
    for _, part in days[flag].groupby(run[flag]):
        start, end = part.date.iloc[0], part.date.iloc[-1]
        if start < pd.Timestamp(first).date():
            continue
        before = days[(days.date < start) & (days.date >= start - pd.Timedelta(days=before_days))]
        per_before = float(before.posts.mean()) if len(before) else None
        per = float(part.posts.mean())
        rows.append({"start": start.isoformat(), "end": end.isoformat(), "days": len(part),
                     "holiday": "; ".join(sorted({h for h in part.holiday.dropna()})) or None,
                     "posts": int(part.posts.sum()), "posts_per_day": round(per, 1),
                     "posts_per_day_before": None if per_before is None else round(per_before, 1),
                     "ratio": round(per / per_before, 2) if per_before else None})
    return pd.DataFrame(rows, columns=columns)


def timeline_figure(store: Store, campaign: pd.DataFrame | None, summary: dict, *, weekends: pd.DataFrame | None = None,
                    figsize: tuple = (12, 6)):
    """The campaign's daily volume with first sign, phases, bursts, unusual days and long weekends.

    Args:
        store: the workspace.
        campaign: selection of the campaign's posts; None: all posts.
        summary: the campaign summary (window, first_sign, phases, bursts, unusual_days).
        weekends: :func:`long_weekends` output, shaded and labelled (None: none).
        figsize: figure size in inches.

    Returns:
        (fig, axes) of :func:`toolkit.timeline.plot_timeline`, with the long weekends added.
    """
    from ..timeline import volume_series
    from ..timeline.plots import plot_timeline

    window = ((summary.get("parameters") or {}).get("timeline") or {}).get("window") or {}
    series = volume_series(store, campaign, bin_minutes=1440, start=window.get("start"), end=window.get("end"))
    phases = pd.DataFrame([{"phase": p["name"], "start": p["start"], "end": p["end"]} for p in summary.get("phases", [])])
    bursts = pd.DataFrame([{"level": b["level"], "start": b["start"], "end": b["end"]} for b in summary.get("bursts", [])])
    unusual = pd.DataFrame([{"date": u["date"], "unusual": True, "campaign_posts": u["posts"]}
                            for u in summary.get("unusual_days", [])])
    fig, axes = plot_timeline(series, phases=phases if len(phases) else None, bursts=bursts if len(bursts) else None,
                              first_sign=summary.get("first_sign"), unusual=unusual if len(unusual) else None,
                              max_burst_level=3, figsize=figsize,
                              title="Campaign posts per day (UTC) — first sign, phases, bursts, long weekends")
    if weekends is not None:
        for row in weekends.itertuples(index=False):
            lo = pd.Timestamp(row.start)
            hi = pd.Timestamp(row.end) + pd.Timedelta(days=1)
            axes[0].axvspan(lo, hi, facecolor="none", edgecolor="#e66101", hatch="///", linewidth=0.8, zorder=1)
            label = f"long weekend: {row.posts:,} posts"
            if row.ratio:
                label += f" (×{row.ratio:g} the week before)"
            axes[0].annotate(label, (hi, 0.82), xycoords=("data", "axes fraction"), xytext=(3, 0), textcoords="offset points",
                             fontsize=8, color="#e66101")
    return fig, axes


def office_hours_figure(store: Store, campaign: pd.DataFrame | None, summary: dict, *, figsize: tuple = (13, 6)):
    """Hour-of-week heat maps of the campaign and the baseline, in UTC and at their fitted offsets.

    Returns:
        (fig, axes) of :func:`toolkit.timeline.plot_hour_of_week`.
    """
    from ..timeline import hour_of_week
    from ..timeline.plots import plot_hour_of_week

    window = ((summary.get("parameters") or {}).get("timeline") or {}).get("window") or {}
    profile = hour_of_week(store, campaign, start=window.get("start"), end=window.get("end"), utc_offset_hours=0)
    office = summary.get("office_hours") or {}
    offsets = {name: (office.get(name) or {}).get("offset_hours") for name in ("campaign", "baseline")}
    offsets = {k: v for k, v in offsets.items() if v is not None}
    return plot_hour_of_week(profile, offsets=offsets or None, figsize=figsize)


def network_figure(store: Store, *, max_nodes: int = 500, figsize: tuple = (9, 9)):
    """The coordination network around the flagged accounts, laid out by force.

    The flagged accounts in the network and, up to ``max_nodes``, their most connected neighbours;
    edges drawn with a width growing with their weight. Red: flagged; grey: other accounts.

    Args:
        store: a workspace with ``coordination_nodes`` (or ``coordination_accounts``),
            ``coordination_edges`` and ``account_scores``.
        max_nodes: at most this many accounts are drawn (no labels: the picture names nobody).
        figsize: figure size in inches.

    Returns:
        (fig, ax); ``fig.info`` (a dict attribute) holds nodes, edges, flagged drawn.
    """
    import igraph as ig
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection

    fig, ax = plt.subplots(figsize=figsize)
    ax.set_axis_off()
    node_table = "coordination_nodes" if store.has_table("coordination_nodes") else "coordination_accounts"
    if not (store.has_table(node_table) and store.has_table("coordination_edges") and store.has_table("account_scores")):
        ax.text(0.5, 0.5, "no coordination network in this workspace", ha="center")
        fig.info = {"nodes": 0, "edges": 0, "flagged": 0}
        return fig, ax
    nodes = store.df(f"""
        WITH flagged AS (SELECT platform, account_id FROM account_scores WHERE flagged),
        near AS (
            SELECT e.platform_b AS platform, e.account_id_b AS account_id, sum(e.weight) AS w FROM coordination_edges e
            SEMI JOIN flagged f ON f.platform = e.platform_a AND f.account_id = e.account_id_a GROUP BY ALL
            UNION ALL
            SELECT e.platform_a, e.account_id_a, sum(e.weight) FROM coordination_edges e
            SEMI JOIN flagged f ON f.platform = e.platform_b AND f.account_id = e.account_id_b GROUP BY ALL),
        ranked AS (
            SELECT n.platform, n.account_id, n.strength, (f.account_id IS NOT NULL) AS flagged,
                   coalesce((SELECT sum(w) FROM near WHERE near.platform = n.platform
                                                      AND near.account_id = n.account_id), 0) AS near_w
            FROM {node_table} n LEFT JOIN flagged f USING (platform, account_id))
        SELECT * FROM ranked WHERE flagged OR near_w > 0
        ORDER BY flagged DESC, near_w DESC, strength DESC, platform, account_id LIMIT {int(max_nodes)}""")
    if nodes.empty:
        ax.text(0.5, 0.5, "no flagged account in the coordination network", ha="center")
        fig.info = {"nodes": 0, "edges": 0, "flagged": 0}
        return fig, ax
    nodes["i"] = np.arange(len(nodes))
    store.register("_fig_nodes", nodes[["platform", "account_id", "i"]])
    try:
        edges = store.df("""
            SELECT a.i AS a, b.i AS b, e.weight FROM coordination_edges e
            JOIN _fig_nodes a ON a.platform = e.platform_a AND a.account_id = e.account_id_a
            JOIN _fig_nodes b ON b.platform = e.platform_b AND b.account_id = e.account_id_b
            ORDER BY a, b""")
    finally:
        store.unregister("_fig_nodes")
    graph = ig.Graph(n=len(nodes), edges=list(zip(edges.a, edges.b)))
    graph.es["weight"] = edges.weight.astype(float).tolist()
    start = graph.layout_circle()  # a fixed start and a seeded generator: the same data always gives the same picture
    ig.set_random_number_generator(random.Random(0))
    try:
        layout = np.array(graph.layout_fruchterman_reingold(seed=start.coords, weights="weight", niter=500).coords)
    finally:
        ig.set_random_number_generator(random)  # igraph's default: Python's random module
    if len(edges):
        segments = np.stack([layout[edges.a.to_numpy()], layout[edges.b.to_numpy()]], axis=1)
        widths = 0.2 + 1.5 * np.log1p(edges.weight.to_numpy()) / np.log1p(max(edges.weight.max(), 1))
        ax.add_collection(LineCollection(segments, linewidths=widths, colors="#bdbdbd", alpha=0.5, zorder=1))
    sizes = 8 + 40 * np.sqrt(nodes.strength.fillna(0).to_numpy() / max(float(nodes.strength.max() or 1), 1.0))
    colours = np.where(nodes.flagged, FLAGGED_COLOUR, OTHER_COLOUR)
    ax.scatter(layout[:, 0], layout[:, 1], s=sizes, c=colours, linewidths=0, zorder=2)
    ax.scatter([], [], c=FLAGGED_COLOUR, label=f"flagged ({int(nodes.flagged.sum())})")
    ax.scatter([], [], c=OTHER_COLOUR, label=f"other accounts ({int((~nodes.flagged).sum())})")
    ax.legend(loc="lower left", frameon=False)
    ax.set_title(f"Coordination network around the flagged accounts: {len(nodes):,} accounts, {len(edges):,} links")
    ax.autoscale()
    fig.info = {"nodes": int(len(nodes)), "edges": int(len(edges)), "flagged": int(nodes.flagged.sum())}
    return fig, ax


def targets_figure(targets: pd.DataFrame, *, figsize: tuple = (9, 4)):
    """Campaign comments per party and per province of the targets.

    Args:
        targets: one row per target account with party, province, campaign_posts.

    Returns:
        (fig, axes): axes[0] by party, axes[1] by province.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=figsize)
    for ax, column in zip(axes, ("party", "province")):
        values = targets.assign(**{column: targets[column].replace("", "(unknown)").fillna("(unknown)")}) \
            .groupby(column)["campaign_posts"].sum().sort_values()
        ax.barh(values.index.astype(str), values.to_numpy(), color="#4d4d4d")
        ax.set_title(f"campaign comments by {column}", fontsize=10)
        ax.tick_params(labelsize=8)
    fig.tight_layout()
    return fig, axes
