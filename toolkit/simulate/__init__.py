"""Simulate a Spamouflage-style campaign against MPs, with its ground truth.

The simulation is modelled on the published facts of the 2023 campaign against Canadian
MPs (see ``docs/simulator.md``): about fifty fictional MPs on X and Facebook; a few
hundred campaign accounts (two thirds created in batches just before, one third
hijacked old accounts with another earlier life) commenting from a few dozen templates
in English, French and Chinese, in squads, during Beijing office hours, from 7 August
2023 to a surge over the Labour Day long weekend and a fade-out by 11 September; tens of
thousands of ordinary Canadians replying to the same MPs; and authentic coordination
that must not be mistaken for the campaign (an advocacy template pasted by real
constituents, a viral news headline, a few hyperactive users).

Example:
    >>> from toolkit.simulate import simulate
    >>> summary = simulate("out/sample")  # the bundled sample's seed and scale  # doctest: +SKIP
    >>> summary.peak_day, summary.first_post  # doctest: +SKIP
    ('2023-09-03', '2023-08-07T03:10:20Z')

Modules: :mod:`.names` (fictional people), :mod:`.texts` (campaign templates, slots, short
texts), :mod:`.phrases` and :mod:`.wording` (the phrase grammar ordinary replies, MPs' posts
and earlier chatter are composed from), :mod:`.population` (accounts), :mod:`.timing` (when
they post), :mod:`.activity` (posts), :mod:`.ids` (platform-shaped ids), :mod:`.writers`
(output formats).
"""

from __future__ import annotations

import logging
import numbers
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import ParameterError
from .activity import build_posts
from .population import build_accounts
from .writers import write_facebook, write_mps, write_readme, write_truth, write_x

log = logging.getLogger(__name__)

#: Seed and scale of the bundled sample (``data/sample``).
DEFAULT_SEED = 20230907
DEFAULT_SCALE = 1.0
MAX_SCALE = 20.0

#: Files written, in order (paths relative to the output directory).
OUTPUT_FILES = ["x_tweets.jsonl.gz", "facebook_comments.csv", "mps.csv", "truth/accounts.csv", "truth/posts.csv",
                "truth/campaign.json", "README.md"]


@dataclass
class SimulationSummary:
    """What :func:`simulate` wrote.

    Attributes:
        out_dir: the output directory.
        files: relative path -> size in bytes, in :data:`OUTPUT_FILES` order.
        accounts: role -> number of accounts (both platforms).
        posts: post role -> number of posts (both platforms).
        first_post, last_post: the campaign's first and last comment, ISO-8601 UTC.
        peak_day: the UTC day with the most campaign comments, ``YYYY-MM-DD``.
        seed, scale: the parameters used.
    """

    out_dir: Path
    files: dict[str, int]
    accounts: dict[str, int]
    posts: dict[str, int]
    first_post: str
    peak_day: str
    last_post: str
    seed: int
    scale: float
    campaign: dict = field(repr=False, default_factory=dict)


def _check(seed, scale) -> tuple[int, float]:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ParameterError(f"seed={seed!r}: expected a non-negative integer, e.g. --seed {DEFAULT_SEED}")
    if isinstance(scale, bool) or not isinstance(scale, numbers.Real) or not (0 < float(scale) <= MAX_SCALE):
        raise ParameterError(
            f"scale={scale!r}: expected a number in (0, {MAX_SCALE:g}]; 1 gives a few hundred campaign accounts among "
            "about 21,000 ordinary ones, 0.1 a tenth of that (use small scales for quick tests)")
    return int(seed), float(scale)


def simulate(out_dir: str | Path, *, seed: int = DEFAULT_SEED, scale: float = DEFAULT_SCALE) -> SimulationSummary:
    """Simulate the campaign and its background and write them with their ground truth.

    Args:
        out_dir: directory to write into (created if missing; existing files of the same
            names are overwritten — the command line refuses a non-empty directory unless
            ``--force``).
        seed: seed of the one random generator; the same seed and scale give
            byte-identical files.
        scale: multiplies the number of accounts of every role except the 50 MPs, and the
            campaign's activity (1.0 ≈ 300 campaign accounts, 21,000 ordinary accounts,
            45,000 posts).

    Returns:
        A :class:`SimulationSummary` (files and their sizes, counts, the campaign's dates).

    Raises:
        ParameterError: ``seed`` is not a non-negative integer or ``scale`` is out of range.
    """
    seed, scale = _check(seed, scale)
    out = Path(out_dir)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    log.info("simulating seed=%d scale=%g into %s", seed, scale, out)
    accounts = build_accounts(rng, scale)
    posts = build_posts(rng, accounts, scale)
    log.info("%d accounts, %d posts; writing", len(accounts), len(posts))
    write_x(out / "x_tweets.jsonl.gz", rng, accounts, posts)
    write_facebook(out / "facebook_comments.csv", accounts, posts)
    write_mps(out / "mps.csv", accounts)
    summary = write_truth(out / "truth", accounts, posts, seed=seed, scale=scale)
    sizes = {name: (out / name).stat().st_size for name in OUTPUT_FILES[:-1]}
    write_readme(out / "README.md", summary, sizes)
    sizes["README.md"] = (out / "README.md").stat().st_size
    return SimulationSummary(
        out_dir=out, files=sizes,
        accounts={role: sum(c.values()) for role, c in summary["accounts"].items()},
        posts={role: sum(c.values()) for role, c in summary["posts"].items()},
        first_post=summary["first_post"], peak_day=summary["peak_day"], last_post=summary["last_post"],
        seed=seed, scale=scale, campaign=summary,
    )


__all__ = ["simulate", "SimulationSummary", "DEFAULT_SEED", "DEFAULT_SCALE", "OUTPUT_FILES"]
