"""Threshold tuner: how the copy groups and the flags change with the similarity threshold,
the squad time window and the flag threshold.

* **Similarity threshold** — the near-duplicate step keeps every verified pair of texts at or
  above the reconstruction's threshold (``text_pairs``, each with its exact Jaccard similarity),
  so any *higher* threshold is re-applied in a second: texts are regrouped around leaders as
  :func:`toolkit.clusters.near.leader_groups` does, and the view shows how many groups there
  are and how many pieces the campaign's messages break into. (A *lower* threshold needs pairs
  that were never verified: run :func:`toolkit.clusters.find_clusters` again with it.)
* **Squad window and flag threshold** — cluster judgement and account scores
  (:func:`toolkit.scoring.judge_clusters`, :func:`toolkit.scoring.score_accounts`) run again on a
  scratch copy of the tables they read, so the workspace's own results stay as they are.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..store import Store
from ._display import Explorer, remember_last, show_sections

#: Tables (and columns) the scoring step reads, copied into the scratch workspace.
SCRATCH_TABLES = {
    "clusters": "*",
    "cluster_summary": "cluster_id, n_accounts",
    "posts": "platform, post_id, account_id, created_at, reply_to_account_id",
    "account_evidence": "*",
    "runs": "*",
}


def scratch_copy(store: Store) -> Store:
    """An in-memory workspace holding what the scoring step reads (its results go there, not into ``store``)."""
    missing = [t for t in SCRATCH_TABLES if not store.has_table(t)]
    if missing:
        raise ParameterError(f"the workspace lacks {missing}: run the reconstruction first")
    scratch = Store(":memory:")
    for table, columns in SCRATCH_TABLES.items():
        data = store.df(f"SELECT {columns} FROM {table}")
        scratch.register("_copy", data)
        scratch.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM _copy")
        scratch.unregister("_copy")
    return scratch


def rescore(scratch: Store, *, squad_window_minutes: float = 15.0, flag_threshold: float = 0.5,
            truth: Any = None) -> dict[str, Any]:
    """Judge clusters and score accounts again with other parameters, in a scratch workspace.

    Args:
        scratch: from :func:`scratch_copy`.
        squad_window_minutes, flag_threshold: see :class:`toolkit.scoring.ScoringParams`.
        truth: a :class:`toolkit.metrics.Truth` to score the flags against (None: no scoring).

    Returns:
        dict with ``params``, ``campaign_clusters``, ``flagged`` (counts), ``flagged_accounts``
        (DataFrame platform, account_id, score) and, with truth, ``metrics`` (precision, recall,
        false-positive rates on authentic coordination).
    """
    from ..metrics import Detection, score_detection
    from ..scoring import ScoringParams, judge_clusters, score_accounts

    params = dataclasses.replace(ScoringParams(), squad_window_minutes=float(squad_window_minutes),
                                 flag_threshold=float(flag_threshold))
    judged = judge_clusters(scratch, params)
    scores = score_accounts(scratch, params)
    out = {"params": dataclasses.asdict(params), "campaign_clusters": int(judged["campaign"].sum()),
           "flagged": int(scores["flagged"].sum()),
           "flagged_accounts": scores.loc[scores["flagged"], ["platform", "account_id", "score"]].reset_index(drop=True)}
    if truth is not None:
        table = score_detection(truth, Detection(accounts=scores[["platform", "account_id", "score", "flagged"]]))
        wanted = ["account_precision", "account_recall", "account_f1", "fpr_advocacy", "fpr_viral", "fpr_hyperactive"]
        out["metrics"] = table[table["metric"].isin(wanted)][["metric", "value", "meaning"]].reset_index(drop=True)
    return out


@dataclasses.dataclass
class TextGroups:
    """The verified text pairs and what regrouping needs (see :func:`text_groups_at`)."""

    a: np.ndarray
    b: np.ndarray
    similarity: np.ndarray
    priority: np.ndarray
    posts_per_text: pd.Series
    campaign_texts: pd.DataFrame
    run_threshold: float


def load_text_groups(store: Store) -> TextGroups:
    """Read the verified pairs, the texts' post counts and the campaign clusters' texts once."""
    for table in ("text_pairs", "match_texts", "post_text", "clusters"):
        if not store.has_table(table):
            raise ParameterError(f"no {table} table: run toolkit.clusters.find_clusters(store) first")
    pairs = store.df("SELECT tid_a, tid_b, similarity FROM text_pairs")
    texts = store.df("SELECT tid, n_posts FROM match_texts ORDER BY n_posts DESC, tid")
    campaign = store.df("""
        SELECT DISTINCT c.cluster_id, m.tid
        FROM clusters c JOIN cluster_judgement j USING (cluster_id) JOIN post_text p USING (platform, post_id)
        JOIN post_text f ON f.norm_text = p.norm_text JOIN match_texts m ON m.pid = f.pid WHERE j.campaign""") \
        if store.has_table("cluster_judgement") else pd.DataFrame({"cluster_id": [], "tid": []})
    threshold = (store.run_params("clusters") or {}).get("near", {}).get("similarity_threshold", 0.6)
    return TextGroups(pairs["tid_a"].to_numpy(), pairs["tid_b"].to_numpy(), pairs["similarity"].to_numpy(),
                      texts["tid"].to_numpy(), texts.set_index("tid")["n_posts"], campaign, float(threshold))


def text_groups_at(groups: TextGroups, similarity_threshold: float) -> dict[str, Any]:
    """Near-duplicate groups of distinct texts at a threshold at or above the reconstruction's.

    Returns:
        dict with ``threshold``, ``pairs`` (kept), ``groups`` (of two or more texts),
        ``texts_grouped``, ``posts_in_groups`` (posts carrying a grouped text), ``largest_group``
        (texts) and ``campaign_pieces``: per campaign cluster, how many groups (or lone texts) its
        texts fall into (DataFrame cluster_id, texts, pieces).

    Raises:
        ParameterError: a threshold below the reconstruction's (those pairs were not verified).
    """
    from ..clusters.near import leader_groups

    t = float(similarity_threshold)
    if t < groups.run_threshold - 1e-9 or t > 1:
        raise ParameterError(f"similarity_threshold={t}: choose between the reconstruction's {groups.run_threshold} "
                             "and 1 (lower thresholds need find_clusters to run again)")
    keep = groups.similarity >= t
    grouped = leader_groups(groups.a[keep], groups.b[keep], groups.priority)
    sizes = grouped.groupby("group_id").size()
    leader_of = grouped.set_index("tid")["group_id"]
    pieces = groups.campaign_texts.assign(piece=lambda f: f["tid"].map(leader_of).fillna(f["tid"]).astype("int64"))
    per_cluster = pieces.groupby("cluster_id").agg(texts=("tid", "nunique"), pieces=("piece", "nunique")).reset_index()
    return {"threshold": t, "pairs": int(keep.sum()), "groups": int(len(sizes)), "texts_grouped": int(len(grouped)),
            "posts_in_groups": int(groups.posts_per_text.reindex(grouped["tid"]).sum()),
            "largest_group": int(sizes.max()) if len(sizes) else 0,
            "campaign_pieces": per_cluster.sort_values(["pieces", "texts"], ascending=False).reset_index(drop=True)}


def tuner_view(groups: TextGroups, scratch: Store, similarity_threshold: float, squad_window_minutes: float,
               flag_threshold: float, *, truth: Any = None, reference: pd.DataFrame | None = None) -> dict[str, Any]:
    """The tuner's output for one setting, as titled parts.

    Args:
        reference: flagged accounts of the reconstruction (platform, account_id), to count changes.
    """
    near = text_groups_at(groups, similarity_threshold)
    scored = rescore(scratch, squad_window_minutes=squad_window_minutes, flag_threshold=flag_threshold, truth=truth)
    split = near["campaign_pieces"]
    copies = pd.DataFrame([
        ("verified pairs kept", near["pairs"]), ("groups of near-duplicate texts", near["groups"]),
        ("distinct texts in them", near["texts_grouped"]), ("posts carrying those texts", near["posts_in_groups"]),
        ("largest group (texts)", near["largest_group"]),
        ("campaign clusters split into 2+ pieces", int((split["pieces"] > 1).sum()) if len(split) else 0),
    ], columns=["at similarity ≥ %.2f" % near["threshold"], "value"])
    flags = [("campaign clusters", scored["campaign_clusters"]), ("flagged accounts", scored["flagged"])]
    if reference is not None:
        now = set(map(tuple, scored["flagged_accounts"][["platform", "account_id"]].to_numpy()))
        before = set(map(tuple, reference[["platform", "account_id"]].to_numpy()))
        flags += [("newly flagged (vs the reconstruction)", len(now - before)), ("no longer flagged", len(before - now))]
    return {"Copy groups": copies,
            "Flags": pd.DataFrame(flags, columns=[f"window {squad_window_minutes:g} min, flag ≥ {flag_threshold:.2f}",
                                                  "value"]),
            "Against the ground truth": scored.get("metrics")}


def threshold_tuner(store: Store, *, truth: Any = None) -> Explorer:
    """Sliders for the similarity threshold, the squad window and the flag threshold.

    Args:
        store: a reconstructed workspace (not changed: scores are recomputed in a scratch copy).
        truth: a :class:`toolkit.metrics.Truth` to show precision and recall as the settings move.

    Returns:
        An :class:`~toolkit.explore._display.Explorer`.
    """
    import ipywidgets as widgets

    groups = load_text_groups(store)
    scratch = scratch_copy(store)
    reference = store.df("SELECT platform, account_id FROM account_scores WHERE flagged")
    recorded = store.run_params("reconstruct") or {}
    scoring = recorded.get("scoring", {})
    style = {"description_width": "170px"}
    layout = widgets.Layout(width="560px")
    similarity = widgets.FloatSlider(value=groups.run_threshold, min=groups.run_threshold, max=1.0, step=0.05,
                                     description="similarity threshold", style=style, layout=layout,
                                     continuous_update=False)
    window = widgets.FloatSlider(value=float(scoring.get("squad_window_minutes", 15.0)), min=1, max=120, step=1,
                                 description="squad window (minutes)", style=style, layout=layout, continuous_update=False)
    flag = widgets.FloatSlider(value=float(scoring.get("flag_threshold", 0.5)), min=0.2, max=0.9, step=0.05,
                               description="flag threshold", style=style, layout=layout, continuous_update=False)
    output = widgets.Output()

    current = remember_last(lambda: (similarity.value, window.value, flag.value),
                            lambda: tuner_view(groups, scratch, similarity.value, window.value, flag.value, truth=truth,
                                               reference=reference))

    def refresh(_: Any = None) -> None:
        show_sections(output, current())

    for slider in (similarity, window, flag):
        slider.observe(refresh, names="value")
    refresh()
    return Explorer(widgets.VBox([similarity, window, flag, output]), current, "Threshold tuner")
