"""Timeline of a campaign: from its first signs to its peak.

Every analysis takes the store first and a *selection* of the campaign's posts (a
DataFrame with ``platform`` and ``post_id``; None = all posts); the baseline is every
other post unless a selection is given. Heavy work (bucketing, hour-of-week counts,
scans) runs in the engine; results are tidy DataFrames with their parameters in
``attrs['parameters']``.

==============================  ==========================================================
:func:`volume_series`           posts and accounts per minute/hour/day, per platform/lang/target
:func:`analysis_window`         the observation window every analysis shares
:func:`earliest_posts`          the first posts of the campaign or of each cluster, with authors
:func:`first_sign`              when the campaign's volume first departs from its background
:func:`detect_bursts`           Kleinberg bursts (exact event model, or binned)
:func:`campaign_phases`         quiet start, ramp, peak, decay, quiet end, with growth rates
:func:`calendar_days`           weekends, national/regional holidays, long weekends
:func:`mark_calendar`           the calendar joined onto a series
:func:`unusual_days`            surges judged against the recent level and the kind of day
:func:`hour_of_week`            hour-of-week profile in UTC, at an offset or in a time zone
:func:`fit_utc_offset`          the UTC offset under which activity looks like a working day
:func:`summarise_timeline`      all of the above as one JSON-serialisable dict
:func:`plot_timeline`, :func:`plot_hour_of_week`, :func:`plot_offset_scan`   figures, (fig, axes)
==============================  ==========================================================

Example:
    >>> from toolkit.store import Store
    >>> from toolkit.timeline import summarise_timeline
    >>> with Store(":memory:") as store:
    ...     sorted(summarise_timeline(store))[:4]
    ['bursts', 'calendar', 'caveats', 'counts']

See docs/timeline.md for the methods and their limits.
"""

from toolkit.timeline.bursts import detect_bursts, kleinberg, kleinberg_binned, merge_equal_spans
from toolkit.timeline.calendar import calendar_days, mark_calendar
from toolkit.timeline.first_signs import FirstSign, earliest_posts, first_sign
from toolkit.timeline.office_hours import (WorkingDay, fit_offset_counts, fit_utc_offset, hour_of_week,
                                           offset_scores, utc_cell_counts)
from toolkit.timeline.phases import campaign_phases, segment_phases
from toolkit.timeline.series import analysis_window, volume_series
from toolkit.timeline.summary import summarise_timeline
from toolkit.timeline.surges import unusual_days

_PLOTS = ("plot_hour_of_week", "plot_offset_scan", "plot_timeline")


def __getattr__(name: str):
    """The plotting functions, imported on first use (matplotlib and seaborn are slow to import)."""
    if name in _PLOTS:
        from toolkit.timeline import plots

        return getattr(plots, name)
    raise AttributeError(f"module 'toolkit.timeline' has no attribute {name!r}")


__all__ = [
    "FirstSign", "WorkingDay", "analysis_window", "calendar_days", "campaign_phases", "detect_bursts",
    "earliest_posts", "first_sign", "fit_offset_counts", "fit_utc_offset", "hour_of_week", "kleinberg",
    "kleinberg_binned", "mark_calendar", "merge_equal_spans", "offset_scores", "plot_hour_of_week",
    "plot_offset_scan", "plot_timeline", "segment_phases", "summarise_timeline", "unusual_days", "utc_cell_counts",
    "volume_series",
]
