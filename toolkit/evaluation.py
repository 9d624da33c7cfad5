"""Checks of the copy-paste chain against labelled real data (used by tests and bench/).

* :func:`labelled_cluster_scores`: precision / recall of "in a cluster copied by two or more
  accounts" against per-post labels (e.g. the YouTube Spam Collection's spam label);
* :func:`translation_group_recovery`: how many groups of translations of one text (e.g. the
  multilingual Spamouflage headlines of Meta's indicator files) cross-language linking joins;
* :func:`meta_headline_translations`: those headlines, grouped by their English translation.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .clusters.near import connected_groups
from .store import Store
from .text.language import detect_languages


def labelled_cluster_scores(store: Store, labels: pd.DataFrame, *, min_accounts: int = 2) -> dict:
    """Score cluster membership against labels.

    Args:
        store: a workspace where :func:`toolkit.clusters.find_clusters` has run.
        labels: DataFrame with post_id and label (1 = positive, e.g. spam; 0 = negative).
        min_accounts: only clusters copied by at least this many accounts count.

    Returns:
        dict with posts, positives, clustered, true_positives, precision, recall.
    """
    store.register("_labels", labels[["post_id", "label"]].astype({"post_id": str, "label": int}))
    row = store.df(f"""
        WITH member AS (
            SELECT DISTINCT c.post_id FROM clusters c JOIN cluster_summary s USING (cluster_id)
            WHERE s.n_accounts >= {int(min_accounts)})
        SELECT count(*) AS posts, count_if(l.label = 1) AS positives, count(m.post_id) AS clustered,
               count_if(l.label = 1 AND m.post_id IS NOT NULL) AS true_positives
        FROM _labels l JOIN posts p ON p.post_id = l.post_id LEFT JOIN member m ON m.post_id = l.post_id""").iloc[0]
    store.unregister("_labels")
    out = {k: int(row[k]) for k in ("posts", "positives", "clustered", "true_positives")}
    out["precision"] = out["true_positives"] / out["clustered"] if out["clustered"] else float("nan")
    out["recall"] = out["true_positives"] / out["positives"] if out["positives"] else float("nan")
    return out


def translation_group_recovery(texts: pd.DataFrame, links: pd.DataFrame) -> dict:
    """How far cross-language links recover groups of translations.

    Args:
        texts: DataFrame with id, lang and group (texts of one group are translations of each other).
        links: linked pairs with text_cluster_a / text_cluster_b holding text ids
            (:func:`toolkit.clusters.crosslang.link_texts`).

    Returns:
        dict: multilingual_groups (groups with two or more languages), recovered (groups where at
        least two languages ended up linked together), fully_recovered (all the group's texts in one
        component), links, links_within_groups (precision numerator).
    """
    component = connected_groups(links.text_cluster_a.to_numpy(), links.text_cluster_b.to_numpy()).set_index("tid").group_id
    frame = texts.assign(component=[component.get(i, -1 - i) for i in texts.id])
    group_of = dict(zip(texts.id, texts.group))
    within = sum(group_of[a] == group_of[b] for a, b in zip(links.text_cluster_a, links.text_cluster_b))
    multilingual = recovered = full = 0
    for _, g in frame.groupby("group"):
        if g.lang.nunique() < 2:
            continue
        multilingual += 1
        largest = g.component.value_counts()
        best = g[g.component == largest.index[0]]
        recovered += int(len(best) >= 2 and best.lang.nunique() >= 2)
        full += int(largest.iloc[0] == len(g))
    return {"multilingual_groups": multilingual, "recovered": recovered, "fully_recovered": full,
            "links": int(len(links)), "links_within_groups": int(within)}


def meta_headline_translations(path: str | Path, *, procedure: str = "6.1.3") -> pd.DataFrame:
    """Headlines of a Meta threat-indicator CSV, grouped by their English translation.

    Args:
        path: the indicator CSV (e.g. ``Q2_2023_Spamouflage_China_based_CIB_updated.csv``).
        procedure: rows whose ``Procedure`` starts with this are headlines (6.1.3 in Q2 2023).

    Returns:
        DataFrame with id (0, 1, ... in file order), text (``Indicator``), lang (detected,
        ``und`` if none) and group (``Note``, the English translation; the headline itself
        where Note is empty): the ``texts`` of :func:`translation_group_recovery`.
    """
    rows = pd.read_csv(path, dtype=str, keep_default_na=False)
    heads = rows[rows.Procedure.str.startswith(procedure)].reset_index(drop=True)
    return pd.DataFrame({"id": heads.index, "text": heads.Indicator,
                         "lang": [c or "und" for c in detect_languages(heads.Indicator.tolist())],
                         "group": heads.Note.where(heads.Note != "", heads.Indicator)})
