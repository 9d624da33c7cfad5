"""Figures of the timeline: volume with phases, bursts, calendar and first sign; hour-of-week
heat maps in UTC and in the inferred local time; the offset scan.

Every function returns ``(fig, axes)`` so the caller can restyle or save the figure, and
draws from the tidy tables the analysis functions return (no queries here).

Example:
    >>> import pandas as pd
    >>> from toolkit.timeline.plots import plot_timeline
    >>> days = pd.date_range("2023-08-01", periods=10, freq="D", tz="UTC")
    >>> series = pd.DataFrame({"bin_start": days, "series": "campaign", "posts": range(10), "accounts": 1})
    >>> fig, axes = plot_timeline(series)
    >>> len(axes)
    1
"""

from __future__ import annotations

import logging
from typing import Any

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from toolkit.errors import ParameterError
from toolkit.timeline._common import BASELINE, CAMPAIGN, offset_label
from toolkit.timeline.calendar import DEFAULT_COUNTRY, mark_calendar

log = logging.getLogger(__name__)

PHASE_COLOURS = {"quiet start": "#d9d9d9", "ramp": "#fdd49e", "peak": "#fc8d59", "decay": "#9ecae1",
                 "quiet end": "#e5e5e5"}
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _require(frame: pd.DataFrame, name: str, columns: list[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ParameterError(f"{name}: missing column(s) {missing} (has {list(frame.columns)}). "
                             f"Hint: pass the DataFrame the matching toolkit.timeline function returns.")


def _utc(values: Any) -> pd.Series:
    ts = pd.to_datetime(pd.Series(values))
    return ts.dt.tz_localize("UTC") if ts.dt.tz is None else ts.dt.tz_convert("UTC")


def plot_timeline(series: pd.DataFrame, *, phases: pd.DataFrame | None = None, bursts: pd.DataFrame | None = None,
                  first_sign: Any = None, unusual: pd.DataFrame | None = None, country: str | None = DEFAULT_COUNTRY,
                  max_burst_level: int | None = None, title: str | None = None, figsize: tuple = (12, 6)):
    """The campaign's (and the baseline's) volume over time, annotated.

    Args:
        series: :func:`toolkit.timeline.volume_series` output (no breakdown), any bin width.
        phases: :func:`toolkit.timeline.campaign_phases` output: coloured spans and labels.
        bursts: :func:`toolkit.timeline.detect_bursts` output: bars above the curve, one row per level.
        first_sign: a timestamp (or a :class:`~toolkit.timeline.first_signs.FirstSign`): a vertical line.
        unusual: :func:`toolkit.timeline.unusual_days` output: unusual days marked with triangles.
        country: shade weekends and public holidays of this country (None: no calendar).
        max_burst_level: draw bursts up to this level (None: all).
        title: figure title.
        figsize: figure size in inches.

    Returns:
        (fig, axes): axes[0] the campaign, axes[1] the baseline (if the series has one).
    """
    _require(series, "series", ["bin_start", "series", "posts"])
    if hasattr(first_sign, "first_sign"):
        first_sign = first_sign.first_sign
    data = series.groupby(["bin_start", "series"], as_index=False)["posts"].sum()
    data["bin_start"] = _utc(data["bin_start"]).dt.tz_localize(None)
    has_base = (data["series"] == BASELINE).any()
    fig, axes = plt.subplots(2 if has_base else 1, 1, figsize=figsize, sharex=True, squeeze=False,
                             gridspec_kw={"height_ratios": [3, 1.4]} if has_base else None)
    axes = axes[:, 0]
    width = None
    if len(data) > 1:
        steps = np.diff(np.sort(data["bin_start"].unique()))
        width = pd.Timedelta(steps.min()) if len(steps) else pd.Timedelta(days=1)
    width = width or pd.Timedelta(days=1)
    for ax, name, colour in zip(axes, (CAMPAIGN, BASELINE), ("#b2182b", "#4d4d4d")):
        part = data[data["series"] == name]
        ax.bar(part["bin_start"], part["posts"], width=width / pd.Timedelta(days=1), align="edge", color=colour,
               linewidth=0, label=name)
        ax.set_ylabel(f"{name} posts")
    if country and not data.empty:
        days = pd.DataFrame({"bin_start": pd.date_range(data["bin_start"].min().normalize(),
                                                        data["bin_start"].max().normalize(), freq="D")})
        cal = mark_calendar(days, country=country)
        for ax in axes:
            for row in cal.itertuples(index=False):
                if row.day_type in ("weekend", "holiday", "regional holiday"):
                    colour = {"weekend": "#f0f0f0", "holiday": "#ffe0b3", "regional holiday": "#fff3e0"}[row.day_type]
                    ax.axvspan(row.bin_start, row.bin_start + pd.Timedelta(days=1), color=colour, zorder=0, linewidth=0)
        for row in cal[cal["day_type"] == "holiday"].itertuples(index=False):
            axes[0].annotate(str(row.holiday), (row.bin_start, 1.0), xycoords=("data", "axes fraction"),
                             rotation=90, va="top", ha="right", fontsize=7, color="#a65628")
    if phases is not None and not phases.empty:
        _require(phases, "phases", ["phase", "start", "end"])
        for i, row in enumerate(phases.itertuples(index=False)):
            lo = _utc([row.start]).iloc[0].tz_localize(None)
            hi = _utc([row.end]).iloc[0].tz_localize(None) + pd.Timedelta(days=1)
            axes[0].axvspan(lo, hi, ymin=0, ymax=0.04, color=PHASE_COLOURS.get(row.phase, "#cccccc"), zorder=3)
            axes[0].annotate(row.phase, (lo + (hi - lo) / 2, 0.05 + 0.05 * (i % 2)), xycoords=("data", "axes fraction"),
                             ha="center", fontsize=8)  # alternate heights: short phases' labels do not overlap
    if bursts is not None and not bursts.empty:
        _require(bursts, "bursts", ["level", "start", "end"])
        top = int(bursts["level"].max()) if max_burst_level is None else int(max_burst_level)
        ymax = max(float(data.loc[data["series"] == CAMPAIGN, "posts"].max() or 1), 1.0)
        for row in bursts[bursts["level"] <= top].itertuples(index=False):
            lo, hi = _utc([row.start]).iloc[0].tz_localize(None), _utc([row.end]).iloc[0].tz_localize(None)
            y = ymax * (1.02 + 0.04 * (row.level - 1))
            axes[0].plot([lo, max(hi, lo + pd.Timedelta(hours=1))], [y, y], color="#2166ac",
                         linewidth=2, solid_capstyle="butt")
        axes[0].set_ylim(top=ymax * (1.08 + 0.04 * top))
        axes[0].annotate(f"bursts (levels 1–{top})", (0.005, 0.98), xycoords="axes fraction", va="top", fontsize=8,
                         color="#2166ac")
    if unusual is not None and not unusual.empty:
        _require(unusual, "unusual", ["date", "unusual", "campaign_posts"])
        marks = unusual[unusual["unusual"]]
        axes[0].scatter(pd.to_datetime(marks["date"]) + pd.Timedelta(hours=12), marks["campaign_posts"], marker="v",
                        color="black", s=18, zorder=4, label="unusual for the day type")
    if first_sign is not None and not pd.isna(first_sign):
        when = _utc([first_sign]).iloc[0].tz_localize(None)
        for ax in axes:
            ax.axvline(when, color="#1a9850", linestyle="--", linewidth=1.2)
        axes[0].annotate(f"first sign {when:%Y-%m-%d %H:%M} UTC", (when, 0.9), xycoords=("data", "axes fraction"),
                         xytext=(4, 0), textcoords="offset points", fontsize=8, color="#1a9850")
    axes[-1].xaxis.set_major_formatter(mdates.ConciseDateFormatter(mdates.AutoDateLocator()))
    axes[-1].set_xlabel("UTC")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig, axes


def _week_matrix(profile: pd.DataFrame, series: str, shift_hours: int) -> pd.DataFrame:
    part = profile[profile["series"] == series]
    grid = np.zeros((7, 24))
    for row in part.itertuples(index=False):
        grid[int(row.weekday), int(row.hour)] += row.posts
    flat = np.roll(grid.ravel(), shift_hours).reshape(7, 24)
    total = flat.sum()
    return pd.DataFrame(flat / total if total else flat, index=list(WEEKDAY_NAMES), columns=range(24))


def plot_hour_of_week(profile: pd.DataFrame, *, offsets: Any = None, series: tuple = (CAMPAIGN, BASELINE),
                      figsize: tuple = (13, 6)):
    """Hour-of-week heat maps, in UTC (left) and in the inferred local time (right).

    Args:
        profile: :func:`toolkit.timeline.hour_of_week` output in UTC (``utc_offset_hours=0``).
        offsets: the local offsets: :func:`toolkit.timeline.fit_utc_offset` output, or a dict
            {'campaign': 8.0, ...}; None: UTC only. Offsets are rounded to whole hours here.
        series: which series to draw, one row each.
        figsize: figure size in inches.

    Returns:
        (fig, axes): a rows x columns array (one row per series; UTC, then local).
    """
    _require(profile, "profile", ["series", "weekday", "hour", "posts"])
    params = profile.attrs.get("parameters", {})
    if params.get("timezone") or params.get("utc_offset_hours") not in (None, 0, 0.0):
        raise ParameterError("profile: expected an hour-of-week profile in UTC (hour_of_week(..., utc_offset_hours=0)); "
                             f"got one in {params.get('timezone') or offset_label(params.get('utc_offset_hours'))}.")
    if isinstance(offsets, pd.DataFrame):
        _require(offsets, "offsets", ["series", "offset_hours"])
        offsets = dict(zip(offsets["series"], offsets["offset_hours"]))
    offsets = offsets or {}
    series = [s for s in series if (profile["series"] == s).any()]
    ncols = 2 if offsets else 1
    fig, axes = plt.subplots(len(series), ncols, figsize=figsize, squeeze=False)
    for i, name in enumerate(series):
        sns.heatmap(_week_matrix(profile, name, 0), ax=axes[i, 0], cmap="rocket_r", cbar=False)
        axes[i, 0].set_title(f"{name}: UTC", fontsize=10)
        axes[i, 0].set_ylabel("")
        if ncols == 2:
            off = offsets.get(name)
            if off is None or pd.isna(off):
                axes[i, 1].set_axis_off()
                axes[i, 1].set_title(f"{name}: no offset fitted", fontsize=10)
                continue
            shift = int(round(float(off)))
            sns.heatmap(_week_matrix(profile, name, shift), ax=axes[i, 1], cmap="rocket_r", cbar=False)
            note = "" if shift == float(off) else f" (rounded from {offset_label(float(off))})"
            axes[i, 1].set_title(f"{name}: local time, {offset_label(shift)}{note}", fontsize=10)
        for ax in axes[i]:
            ax.set_xlabel("hour")
    fig.tight_layout()
    return fig, axes


def plot_offset_scan(fits: pd.DataFrame, *, figsize: tuple = (9, 4)):
    """Score of every candidate UTC offset, per series, with the best marked.

    Args:
        fits: :func:`toolkit.timeline.fit_utc_offset` output (its ``attrs['scan']`` is drawn).
        figsize: figure size in inches.

    Returns:
        (fig, ax).
    """
    _require(fits, "fits", ["series", "offset_hours"])
    scan = fits.attrs.get("scan")
    if scan is None:
        raise ParameterError("fits: no attrs['scan'] (the per-offset scores). Hint: pass fit_utc_offset()'s result "
                             "unchanged; pandas operations that copy a frame may drop attrs.")
    fig, ax = plt.subplots(figsize=figsize)
    sns.lineplot(data=scan, x="offset_hours", y="score_bits_per_post", hue="series", ax=ax, marker="o", markersize=3)
    for row in fits.itertuples(index=False):
        if row.offset_hours is not None and not pd.isna(row.offset_hours):
            ax.axvline(row.offset_hours, linestyle=":", color="grey")
            ax.annotate(f"{row.series}: {offset_label(row.offset_hours)}", (row.offset_hours, 1.0),
                        xycoords=("data", "axes fraction"), rotation=90, va="top", ha="right", fontsize=8)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xlabel("UTC offset (hours)")
    ax.set_ylabel("fit to a working day (bits per post)")
    fig.tight_layout()
    return fig, ax
