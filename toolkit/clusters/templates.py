"""Templates and slots: messages identical except for a part that varies.

Within each copy cluster, every distinct text is aligned word by word with the cluster's
representative (the most posted text). A stretch of the representative that a substantial
share of the texts replace is a *slot* (the MP's name, a salutation, a hashtag); scattered
one-off differences (typos, swapped words) are edits, not slots.

:func:`find_templates` writes ``templates``: text_cluster_id, template (the representative with
``{slot1}``, ``{slot2}``... in place), n_texts, and slots, a list of
``{slot, kind, values: [{value, posts}]}``; ``kind`` is ``target name`` when the values are the
names of the accounts the posts reply to.
"""

from __future__ import annotations

import collections
import difflib
import json

import pandas as pd

from ..errors import ParameterError
from ..store import Store


def find_templates(store: Store, *, min_slot_share: float = 0.3, max_texts_per_cluster: int = 300) -> pd.DataFrame:
    """Find the template and slots of every copy cluster with two or more distinct texts.

    Args:
        min_slot_share: a stretch is a slot when at least this share of the cluster's distinct
            texts replace it (0–1, default 0.3).
        max_texts_per_cluster: align at most this many distinct texts per cluster (the most posted).

    Returns:
        The ``templates`` table as a DataFrame.
    """
    if not 0 < min_slot_share <= 1:
        raise ParameterError(f"min_slot_share={min_slot_share}: must be in (0, 1]")
    texts = store.df(f"""
        WITH t AS (
            SELECT c.text_cluster_id, p.norm_text, count(*) AS posts,
                   list(DISTINCT strip_accents(lower(coalesce(a.display_name, '') || ' ' || coalesce(a.handle, '')))) AS target_names
            FROM text_clusters c JOIN post_text p USING (pid)
            JOIN posts po ON po.platform = c.platform AND po.post_id = c.post_id
            LEFT JOIN accounts a ON a.platform = po.platform AND a.account_id = po.reply_to_account_id
            GROUP BY c.text_cluster_id, p.norm_text)
        SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY text_cluster_id ORDER BY posts DESC, norm_text) AS k FROM t)
        WHERE k <= {int(max_texts_per_cluster)} AND text_cluster_id IN
              (SELECT text_cluster_id FROM t GROUP BY text_cluster_id HAVING count(*) >= 2)
        ORDER BY text_cluster_id, k""")
    clusters, norm, posts, names = (texts[c].tolist() for c in ("text_cluster_id", "norm_text", "posts", "target_names"))
    starts = [i for i in range(len(clusters)) if i == 0 or clusters[i] != clusters[i - 1]] + [len(clusters)]
    rows = [_template_of(int(clusters[a]), norm[a:b], posts[a:b], names[a:b], min_slot_share)
            for a, b in zip(starts, starts[1:])]
    table = pd.DataFrame(rows, columns=["text_cluster_id", "template", "n_texts", "slots"])
    store.register("_templates", table)
    store.execute("CREATE OR REPLACE TABLE templates AS SELECT text_cluster_id::INTEGER AS text_cluster_id, template, "
                  "n_texts::INTEGER AS n_texts, slots::JSON AS slots FROM _templates ORDER BY text_cluster_id")
    store.unregister("_templates")
    return store.df("SELECT * FROM templates")


def _template_of(cluster: int, texts: list[str], posts: list[int], target_names: list, min_slot_share: float) -> tuple:
    """One cluster's row of ``templates`` from its distinct texts (the representative first), their
    posts and the names of the accounts they reply to."""
    rep = texts[0].split()
    varied = collections.Counter()           # rep span start -> texts replacing it
    spans: dict[int, int] = {}               # rep span start -> span end
    values: dict[int, collections.Counter] = collections.defaultdict(collections.Counter)
    aligner = difflib.SequenceMatcher(None, rep, autojunk=False)
    for text, n in zip(texts[1:], posts[1:]):
        other = text.split()
        aligner.set_seq2(other)
        for op, i1, i2, j1, j2 in aligner.get_opcodes():
            if op == "equal":
                continue
            varied[i1] += 1
            spans[i1] = max(spans.get(i1, i1), i2)
            values[i1][" ".join(other[j1:j2])] += n
    slot_starts = sorted(i for i, count in varied.items() if count >= min_slot_share * (len(texts) - 1))
    names = " | ".join(n for names in target_names for n in names)
    out, slots, position = [], [], 0
    for number, start in enumerate(slot_starts, 1):
        if start < position:
            continue
        end = spans[start]
        out += rep[position:start] + [f"{{slot{number}}}"]
        counts = values[start].copy()
        counts[" ".join(rep[start:end])] += posts[0]
        found = [{"value": value, "posts": int(c)} for value, c in counts.most_common() if value]
        in_names = sum(1 for v in found if v["value"] in names)
        kind = "target name" if found and in_names >= 0.5 * len(found) else "varying text"
        slots.append({"slot": f"slot{number}", "kind": kind, "values": found[:50]})
        position = end
    out += rep[position:]
    return cluster, " ".join(out), len(texts), json.dumps(slots, ensure_ascii=False)
