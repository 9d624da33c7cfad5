"""Timeline explorer: choose a date range and a bin width; see the volume, the bursts and the top clusters."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..errors import ParameterError
from ..store import Store
from ._display import Explorer, remember_last, show_sections

#: Bin widths offered, label -> minutes.
BIN_CHOICES = {"hour": 60, "6 hours": 360, "day": 1440}


def _utc(value: Any) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def timeline_view(store: Store, campaign: pd.DataFrame | None, start: Any, end: Any, *, bin_minutes: int = 1440,
                  top_clusters: int = 10) -> dict[str, Any]:
    """The campaign between two dates: volume figure, bursts and the clusters posted most.

    Args:
        store: a workspace (with ``clusters`` for the top-cluster table).
        campaign: selection of the campaign's posts (platform, post_id), e.g.
            :func:`toolkit.explore.campaign_posts`; None: all posts.
        start, end: the window (UTC dates or timestamps, inclusive).
        bin_minutes: bin width of the volume series and of the burst model.
        top_clusters: rows of the top-cluster table.

    Returns:
        dict with ``Volume`` (figure), ``Counts`` (posts and accounts, campaign and baseline),
        ``Bursts`` (:func:`toolkit.timeline.detect_bursts` on that window) and ``Top clusters``.
    """
    from ..timeline import detect_bursts, plot_timeline, volume_series

    lo, hi = _utc(start), _utc(end)
    if len(str(end)) <= 10:  # a date: through the end of that day
        hi = hi + pd.Timedelta(days=1) - pd.Timedelta(seconds=1)
    if hi < lo:
        raise ParameterError(f"end={end!r} is before start={start!r}")
    series = volume_series(store, campaign, bin_minutes=bin_minutes, start=lo, end=hi)
    bursts = detect_bursts(store, campaign, start=lo, end=hi, bin_minutes=bin_minutes)
    fig, _ = plot_timeline(series, bursts=bursts, title=f"{lo:%d %b} – {hi:%d %b %Y}, bins of {bin_minutes} minutes",
                           figsize=(11, 5))
    counts = series.groupby("series", as_index=False)["posts"].sum()
    top = None
    if store.has_table("clusters"):
        store.register("_tl_sel", campaign if campaign is not None else store.df("SELECT platform, post_id FROM posts"))
        try:
            top = store.df(f"""
                SELECT c.cluster_id, count(*) AS posts, count(DISTINCT p.account_id) AS accounts,
                       list(DISTINCT c.lang ORDER BY c.lang) AS languages, min(p.created_at) AS first_at,
                       any_value(p.text) AS example
                FROM clusters c JOIN posts p USING (platform, post_id) JOIN _tl_sel s USING (platform, post_id)
                WHERE p.created_at BETWEEN ? AND ?
                GROUP BY c.cluster_id ORDER BY posts DESC, c.cluster_id LIMIT {int(top_clusters)}""", [lo, hi])
        finally:
            store.unregister("_tl_sel")
    shown = ["start", "end", "level", "posts", "accounts"] + [c for c in ("weight",) if c in bursts.columns]
    return {"Volume": fig, "Counts": counts, "Bursts": bursts[shown] if len(bursts) else None, "Top clusters": top}


def timeline_explorer(store: Store, campaign: pd.DataFrame | None = None, *, bin_minutes: int = 1440) -> Explorer:
    """Explore the timeline: a date-range slider and a bin width; volume, bursts and top clusters follow.

    Args:
        store: a workspace.
        campaign: selection of the campaign's posts (e.g. :func:`toolkit.explore.campaign_posts`); None: all posts.
        bin_minutes: initial bin width (60, 360 or 1440).

    Returns:
        An :class:`~toolkit.explore._display.Explorer`.
    """
    import ipywidgets as widgets

    if bin_minutes not in BIN_CHOICES.values():
        raise ParameterError(f"bin_minutes={bin_minutes}: choose one of {sorted(BIN_CHOICES.values())}")
    if campaign is not None:
        store.register("_tl_span", campaign[["platform", "post_id"]])
        span = store.rows("SELECT min(created_at), max(created_at) FROM posts JOIN _tl_span USING (platform, post_id)")[0]
        store.unregister("_tl_span")
    else:
        span = store.rows("SELECT min(created_at), max(created_at) FROM posts")[0]
    if span[0] is None:
        raise ParameterError("no posts to show: the selection is empty")
    days = pd.date_range(pd.Timestamp(span[0]).normalize() - pd.Timedelta(days=3),
                         pd.Timestamp(span[1]).normalize() + pd.Timedelta(days=3), freq="D")
    labels = [(d.strftime("%d %b"), d.strftime("%Y-%m-%d")) for d in days]
    dates = widgets.SelectionRangeSlider(options=labels, index=(0, len(labels) - 1), description="dates",
                                         layout=widgets.Layout(width="700px"))
    width = widgets.ToggleButtons(options=list(BIN_CHOICES.items()), value=bin_minutes, description="bins")
    output = widgets.Output()

    current = remember_last(lambda: (dates.value, width.value),
                            lambda: timeline_view(store, campaign, *dates.value, bin_minutes=int(width.value)))

    def refresh(_: Any = None) -> None:
        show_sections(output, current())

    dates.observe(refresh, names="value")
    width.observe(refresh, names="value")
    refresh()
    return Explorer(widgets.VBox([dates, width, output]), current, "Timeline explorer")
