"""Score a detection against a simulation's ground truth.

A *detection* is what an analysis (the toolkit's reconstruction, a baseline, a student's
notebook) claims: which accounts belong to the campaign (with a score), which posts are
copies of one message (clusters), when the campaign began and its peak day. The
*truth* is the ``truth/`` directory :func:`toolkit.simulate.simulate` writes.

Metrics (all computed with group-by counts, never by enumerating pairs):

- accounts: precision, recall and F1 of the flags, overall and for the campaign's new
  and hijacked accounts separately; average precision of the score ranking;
- false-positive rate on each group of authentic accounts, above all the authentic
  coordination that looks like a campaign (``advocacy``, ``viral``, ``hyperactive``);
- clusters: pairwise precision and recall (two campaign posts belong together when
  they copy the same template, whatever their language and platform), with the recall
  of cross-language and cross-platform pairs on their own;
- timeline: first-sign error in hours, peak-day match.

Example:
    >>> from toolkit.metrics import load_truth, Detection, score_detection
    >>> truth = load_truth("data/sample")
    >>> flags = truth.accounts.assign(score=1.0, flagged=True)      # flag everyone
    >>> table = score_detection(truth, Detection(accounts=flags))
    >>> table.set_index("metric").loc["fpr_advocacy", "value"]
    1.0

Caveats: accounts a detection does not list count as not flagged (and rank last); flagged
accounts the truth does not know count as false positives (``unknown_flagged`` says how
many).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import FormatError, ParameterError

log = logging.getLogger(__name__)

#: Account roles that are the campaign (positives).
CAMPAIGN_ROLES = ("campaign_new", "campaign_hijacked")
#: Authentic accounts whose coordination or volume can look like a campaign.
TRAP_ROLES = ("advocacy", "viral", "hyperactive")
#: Every authentic role, traps included.
AUTHENTIC_ROLES = ("organic", "advocacy", "viral", "hyperactive", "mp")
#: Post role of campaign comments in ``truth/posts.csv``.
CAMPAIGN_POST_ROLE = "campaign"


@dataclass
class Truth:
    """A simulation's ground truth.

    Attributes:
        accounts: one row per account: ``platform``, ``account_id`` (str), ``handle``,
            ``role`` (:data:`CAMPAIGN_ROLES` or :data:`AUTHENTIC_ROLES`), and more.
        posts: one row per post: ``platform``, ``post_id`` (str), ``account_id``,
            ``created_at`` (UTC timestamps), ``role`` (``campaign``, ``organic``, ...),
            ``template_id`` ('' unless campaign), ``group_id``, ``lang``.
        campaign: ``campaign.json``: ``first_post``, ``peak_day``, ``last_post``, counts, seed, scale.
    """

    accounts: pd.DataFrame
    posts: pd.DataFrame
    campaign: dict


@dataclass
class Detection:
    """What an analysis claims; every part is optional (only the given parts are scored).

    Attributes:
        accounts: ``platform``, ``account_id``, ``score`` (higher = more likely campaign),
            ``flagged`` (bool).
        clusters: ``cluster_id``, ``platform``, ``post_id``; one row per post in a
            cluster; if a ``campaign`` column is present only rows where it is true are scored.
        first_sign: when the campaign began (timestamp or ISO-8601 string, UTC).
        peak_day: the campaign's busiest day (``YYYY-MM-DD``).
        parameters: the method's parameters (recorded, not scored).
    """

    accounts: pd.DataFrame | None = None
    clusters: pd.DataFrame | None = None
    first_sign: pd.Timestamp | str | None = None
    peak_day: str | None = None
    parameters: dict = field(default_factory=dict)


# -- loading ---------------------------------------------------------------------------------
def load_truth(directory: str | Path) -> Truth:
    """Read a simulation's ground truth.

    Args:
        directory: the simulation's output directory (holding ``truth/``) or the
            ``truth/`` directory itself.

    Returns:
        A :class:`Truth` (ids as strings, ``created_at`` as UTC timestamps, empty strings for
        empty cells).

    Raises:
        FormatError: a truth file is missing or lacks a required column.
    """
    folder = Path(directory)
    if not (folder / "accounts.csv").exists() and (folder / "truth").is_dir():
        folder = folder / "truth"
    paths = {name: folder / name for name in ("accounts.csv", "posts.csv", "campaign.json")}
    missing = [str(p) for p in paths.values() if not p.exists()]
    if missing:
        raise FormatError(f"{directory}: no ground truth here (missing {', '.join(missing)}); "
                          "give the directory `cib simulate --out` wrote, or its truth/ subdirectory")
    accounts = pd.read_csv(paths["accounts.csv"], dtype=str, keep_default_na=False)
    posts = pd.read_csv(paths["posts.csv"], dtype=str, keep_default_na=False)
    _require(accounts, ["platform", "account_id", "role"], paths["accounts.csv"])
    _require(posts, ["platform", "post_id", "account_id", "created_at", "role", "template_id", "lang"], paths["posts.csv"])
    posts["created_at"] = pd.to_datetime(posts["created_at"], utc=True)
    campaign = json.loads(paths["campaign.json"].read_text(encoding="utf-8"))
    return Truth(accounts=accounts, posts=posts, campaign=campaign)


def load_detection(directory: str | Path) -> Detection:
    """Read the outputs of ``cib reconstruct`` (``accounts.csv``, ``clusters.csv``, ``campaign.json``).

    Args:
        directory: the ``--out`` directory of ``cib reconstruct``; missing files leave
            the matching part of the detection empty.

    Returns:
        A :class:`Detection` with ids as strings.
    """
    folder = Path(directory)
    det = Detection()
    if (folder / "accounts.csv").exists():
        det.accounts = pd.read_csv(folder / "accounts.csv", dtype={"platform": str, "account_id": str}, keep_default_na=False)
    if (folder / "clusters.csv").exists():
        det.clusters = pd.read_csv(folder / "clusters.csv", dtype={"platform": str, "post_id": str, "cluster_id": str},
                                   keep_default_na=False)
    if (folder / "campaign.json").exists():
        meta = json.loads((folder / "campaign.json").read_text(encoding="utf-8"))
        det.first_sign = meta.get("first_sign")
        det.peak_day = meta.get("peak_day")
        det.parameters = meta.get("parameters", {})
    return det


def _require(frame: pd.DataFrame, columns: list[str], what) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise FormatError(f"{what}: missing column(s) {', '.join(missing)}; found {', '.join(map(str, frame.columns))}")


def _ids(series: pd.Series, what: str) -> pd.Series:
    """Ids as strings; refuses floats (an X id read as a float has lost its last digits)."""
    if pd.api.types.is_float_dtype(series):
        raise ParameterError(f"{what}: ids are floating-point numbers, so long X ids have lost digits; "
                             "read the file with dtype=str (e.g. pd.read_csv(path, dtype={'account_id': str}))")
    return series.astype(str)


def _as_bool(series: pd.Series) -> np.ndarray:
    if pd.api.types.is_bool_dtype(series):
        return series.to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(series):
        return series.fillna(0).to_numpy() != 0
    return series.astype(str).str.strip().str.lower().isin(["true", "1", "yes", "t"]).to_numpy()


def _c2(n) -> np.ndarray | float:
    """Number of unordered pairs among ``n`` items."""
    n = np.asarray(n, dtype=np.float64)
    return n * (n - 1) / 2


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den else float("nan")


def _f1(precision: float, recall: float) -> float:
    if np.isnan(precision) or np.isnan(recall) or precision + recall == 0:
        return float("nan") if np.isnan(precision) or np.isnan(recall) else 0.0
    return 2 * precision * recall / (precision + recall)


# -- accounts --------------------------------------------------------------------------------
def _joined_accounts(truth: Truth, accounts: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Truth accounts with the detection's score and flag (missing: -inf, False), plus unknown flagged ones."""
    _require(accounts, ["platform", "account_id", "score", "flagged"], "detection accounts")
    det = pd.DataFrame({
        "platform": accounts["platform"].astype(str).str.lower(),
        "account_id": _ids(accounts["account_id"], "detection accounts.account_id"),
        "score": pd.to_numeric(accounts["score"], errors="coerce").astype(float),
        "flagged": _as_bool(accounts["flagged"]),
    })
    if det.duplicated(["platform", "account_id"]).any():
        dup = det[det.duplicated(["platform", "account_id"], keep=False)].head(3)
        raise ParameterError(f"detection accounts: {det.duplicated(['platform', 'account_id']).sum()} repeated "
                             f"(platform, account_id) rows, e.g. {dup[['platform', 'account_id']].values.tolist()}; "
                             "give one row per account")
    base = truth.accounts[["platform", "account_id", "role"]]
    merged = base.merge(det, on=["platform", "account_id"], how="outer", indicator=True)
    unknown = merged["_merge"] == "right_only"
    n_unknown_flagged = int((unknown & merged["flagged"].fillna(False).astype(bool)).sum())
    if unknown.any():
        log.warning("%d detected accounts are not in the truth (%d flagged); they count as authentic", int(unknown.sum()),
                    n_unknown_flagged)
    merged["role"] = merged["role"].fillna("unknown")
    merged["flagged"] = merged["flagged"].fillna(False).astype(bool)
    merged["score"] = merged["score"].fillna(-np.inf)
    merged["positive"] = merged["role"].isin(CAMPAIGN_ROLES)
    return merged.drop(columns="_merge"), n_unknown_flagged


def average_precision(positive: np.ndarray, score: np.ndarray) -> float:
    """Average precision of a ranking: the mean over positives of the precision at their rank.

    Ties are scored as one threshold (like scikit-learn's ``average_precision_score``):
    AP = Σ (R_k − R_{k−1}) · P_k over the distinct score thresholds k, highest first.

    Args:
        positive: booleans, true for campaign accounts.
        score: the detection's scores (higher = more suspicious; NaN / -inf rank last).

    Returns:
        A number in [0, 1]; NaN if there is no positive.
    """
    positive = np.asarray(positive, dtype=bool)
    score = np.nan_to_num(np.asarray(score, dtype=float), nan=-np.inf)
    if positive.sum() == 0:
        return float("nan")
    order = np.argsort(-score, kind="mergesort")
    y, s = positive[order], score[order]
    last_of_tie = np.r_[np.flatnonzero(s[1:] != s[:-1]), len(s) - 1]
    tps = np.cumsum(y)[last_of_tie]
    precision = tps / (last_of_tie + 1)
    recall = tps / tps[-1]
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def account_metrics(truth: Truth, accounts: pd.DataFrame) -> pd.DataFrame:
    """Precision / recall / F1 of the flags, per-role versions, average precision, false-positive rates.

    Args:
        truth: from :func:`load_truth`.
        accounts: detection accounts (``platform, account_id, score, flagged``).

    Returns:
        Tidy frame: ``metric, value, support, meaning``. Per-role precision excludes the other
        campaign role (flagging a hijacked account is not a false positive for the
        new-account metric). ``fpr_<role>`` = share of that role's accounts flagged.
    """
    joined, n_unknown = _joined_accounts(truth, accounts)
    flagged, positive, role = joined["flagged"].to_numpy(), joined["positive"].to_numpy(), joined["role"].to_numpy()
    tp = int((flagged & positive).sum())
    fp = int((flagged & ~positive).sum())
    n_pos = int(positive.sum())
    rows = []
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, n_pos)
    rows += [("account_precision", precision, tp + fp, "share of flagged accounts that are campaign accounts"),
             ("account_recall", recall, n_pos, "share of campaign accounts flagged"),
             ("account_f1", _f1(precision, recall), n_pos, "harmonic mean of account precision and recall")]
    for r in CAMPAIGN_ROLES:
        is_r = role == r
        tp_r = int((flagged & is_r).sum())
        p_r, rec_r = _ratio(tp_r, tp_r + fp), _ratio(tp_r, is_r.sum())
        short = r.replace("campaign_", "")
        rows += [(f"account_precision_{short}", p_r, tp_r + fp, f"precision with {r} accounts as the only positives (other campaign accounts left out)"),
                 (f"account_recall_{short}", rec_r, int(is_r.sum()), f"share of {r} accounts flagged"),
                 (f"account_f1_{short}", _f1(p_r, rec_r), int(is_r.sum()), f"F1 for {r} accounts")]
    rows.append(("account_average_precision", average_precision(positive, joined["score"].to_numpy()), n_pos,
                 "average precision of the score ranking (1 = every campaign account ranked above every other)"))
    for r in TRAP_ROLES + ("organic", "mp"):
        is_r = role == r
        rows.append((f"fpr_{r}", _ratio((flagged & is_r).sum(), is_r.sum()), int(is_r.sum()),
                     f"share of authentic {r} accounts flagged"))
    authentic = np.isin(role, AUTHENTIC_ROLES)
    rows.append(("fpr_authentic", _ratio((flagged & authentic).sum(), authentic.sum()), int(authentic.sum()),
                 "share of all authentic accounts flagged"))
    rows.append(("unknown_flagged", float(n_unknown), n_unknown, "flagged accounts absent from the truth (counted as false positives)"))
    return pd.DataFrame(rows, columns=["metric", "value", "support", "meaning"])


# -- clusters --------------------------------------------------------------------------------
def pair_counts(truth: Truth, clusters: pd.DataFrame) -> dict[str, float]:
    """Pair counts behind the cluster metrics, from group-by sizes (no pair is enumerated).

    Two campaign posts form a *true pair* when they copy the same template; a *detected
    pair* is two posts in the same cluster; a *correct pair* is both.

    Args:
        truth: from :func:`load_truth`.
        clusters: ``cluster_id, platform, post_id`` (and optionally ``campaign``: only true rows used).

    Returns:
        ``detected``, ``true``, ``correct``, and the ``true_*``/``correct_*`` counts restricted to
        pairs across languages (``_cross_language``) and across platforms (``_cross_platform``).

    Raises:
        ParameterError: a post appears in two clusters, or a required column is missing.
    """
    _require(clusters, ["cluster_id", "platform", "post_id"], "detection clusters")
    c = pd.DataFrame({"cluster_id": clusters["cluster_id"].astype(str),
                      "platform": clusters["platform"].astype(str).str.lower(),
                      "post_id": _ids(clusters["post_id"], "detection clusters.post_id")})
    if "campaign" in clusters.columns:
        c = c[_as_bool(clusters["campaign"])]
    dup = c.duplicated(["platform", "post_id"])
    if dup.any():
        example = c[dup].head(3)[["platform", "post_id"]].values.tolist()
        raise ParameterError(f"detection clusters: {int(dup.sum())} post(s) in more than one cluster, e.g. {example}; "
                             "each post may belong to one cluster")
    camp = truth.posts.loc[truth.posts["role"] == CAMPAIGN_POST_ROLE, ["platform", "post_id", "template_id", "lang"]]
    c = c.merge(camp, on=["platform", "post_id"], how="left")
    c["template_id"] = c["template_id"].fillna("")

    def pairs(frame: pd.DataFrame, keys: list[str]) -> float:
        return float(_c2(frame.groupby(keys).size().to_numpy()).sum()) if len(frame) else 0.0

    hit = c[c["template_id"] != ""]
    out = {"detected": pairs(c, ["cluster_id"]), "true": pairs(camp, ["template_id"]),
           "correct": pairs(hit, ["cluster_id", "template_id"])}
    for name, col in (("cross_language", "lang"), ("cross_platform", "platform")):
        out[f"true_{name}"] = out["true"] - pairs(camp, ["template_id", col])
        out[f"correct_{name}"] = out["correct"] - pairs(hit, ["cluster_id", "template_id", col])
    return out


def cluster_metrics(truth: Truth, clusters: pd.DataFrame) -> pd.DataFrame:
    """Pairwise precision, recall, F1 of post clusters, and cross-language / cross-platform recall.

    Returns:
        Tidy frame: ``metric, value, support, meaning`` (support = pair counts).
    """
    n = pair_counts(truth, clusters)
    precision, recall = _ratio(n["correct"], n["detected"]), _ratio(n["correct"], n["true"])
    return pd.DataFrame([
        ("cluster_pair_precision", precision, n["detected"], "share of same-cluster post pairs that copy one template"),
        ("cluster_pair_recall", recall, n["true"], "share of same-template campaign post pairs put in one cluster"),
        ("cluster_pair_f1", _f1(precision, recall), n["true"], "harmonic mean of pair precision and recall"),
        ("cluster_pair_recall_cross_language", _ratio(n["correct_cross_language"], n["true_cross_language"]),
         n["true_cross_language"], "pair recall over copies of one template in different languages"),
        ("cluster_pair_recall_cross_platform", _ratio(n["correct_cross_platform"], n["true_cross_platform"]),
         n["true_cross_platform"], "pair recall over copies of one template on different platforms"),
    ], columns=["metric", "value", "support", "meaning"])


# -- timeline --------------------------------------------------------------------------------
def first_sign_error_hours(truth: Truth, first_sign: pd.Timestamp | str) -> float:
    """Hours from the campaign's true first post to the detected first sign (negative = too early)."""
    detected = pd.Timestamp(first_sign)
    detected = detected.tz_localize("UTC") if detected.tzinfo is None else detected.tz_convert("UTC")
    return (detected - pd.Timestamp(truth.campaign["first_post"])).total_seconds() / 3600.0


def peak_day_match(truth: Truth, peak_day: str) -> bool:
    """Whether the detected peak day (``YYYY-MM-DD`` or a timestamp) is the true one (UTC days)."""
    return pd.Timestamp(peak_day).strftime("%Y-%m-%d") == truth.campaign["peak_day"]


# -- everything ------------------------------------------------------------------------------
def score_detection(truth: Truth | str | Path, detection: Detection) -> pd.DataFrame:
    """Every metric the detection's parts allow, in one tidy table.

    Args:
        truth: a :class:`Truth` or the directory to :func:`load_truth` from.
        detection: a :class:`Detection` (parts left as None are not scored).

    Returns:
        DataFrame with columns ``metric`` (str), ``value`` (float), ``support`` (the count the
        value is computed over), ``meaning``. Use ``.set_index("metric")["value"]`` for a lookup.

    Raises:
        ParameterError: the detection has nothing to score, or malformed parts.
    """
    if not isinstance(truth, Truth):
        truth = load_truth(truth)
    parts = []
    if detection.accounts is not None:
        parts.append(account_metrics(truth, detection.accounts))
    if detection.clusters is not None:
        parts.append(cluster_metrics(truth, detection.clusters))
    if detection.first_sign is not None:
        error = first_sign_error_hours(truth, detection.first_sign)
        parts.append(pd.DataFrame([("first_sign_error_hours", error, 1, "detected first sign minus true first post, hours (negative = early)"),
                                   ("first_sign_abs_error_hours", abs(error), 1, "absolute first-sign error, hours")],
                                  columns=["metric", "value", "support", "meaning"]))
    if detection.peak_day is not None:
        parts.append(pd.DataFrame([("peak_day_match", float(peak_day_match(truth, detection.peak_day)), 1,
                                    f"1 if the detected peak day is {truth.campaign['peak_day']}")],
                                  columns=["metric", "value", "support", "meaning"]))
    if not parts:
        raise ParameterError("score_detection: the detection is empty; give accounts, clusters, first_sign or peak_day")
    table = pd.concat(parts, ignore_index=True)
    table["value"] = table["value"].astype(float)
    table["support"] = table["support"].astype(float).astype(np.int64)
    return table
