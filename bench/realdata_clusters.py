"""Copy-paste clusters on real labelled data; results kept in bench/results/realdata_clusters_<date>.json.

* YouTube Spam Collection: precision / recall of "in a cluster copied by two or more accounts"
  against the spam label, per video;
* Meta's Spamouflage headlines (Q2 2023, procedure 6.1.3): translation groups recovered by
  cross-language linking without a translation model.

    .venv/bin/python bench/realdata_clusters.py [--realdata ../shared/realdata]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import pandas as pd

from toolkit import __version__
from toolkit.clusters import find_clusters
from toolkit.clusters.crosslang import link_texts
from toolkit.evaluation import labelled_cluster_scores, meta_headline_translations, translation_group_recovery
from toolkit.load import load_files
from toolkit.store import Store

HERE = Path(__file__).resolve().parent
VIDEOS = ["Youtube01-Psy.csv", "Youtube02-KatyPerry.csv", "Youtube03-LMFAO.csv", "Youtube04-Eminem.csv", "Youtube05-Shakira.csv"]
MAPPING = {"COMMENT_ID": "post_id", "AUTHOR": "account_id", "DATE": "created_at", "CONTENT": "text"}


def youtube(realdata: Path) -> list[dict]:
    rows = []
    for name in VIDEOS:
        path = realdata / "youtube_spam_collection" / name
        with Store(":memory:") as store:
            load_files(store, [path], mapping=MAPPING, platform="youtube")
            find_clusters(store)
            labels = pd.read_csv(path, dtype=str).rename(columns={"COMMENT_ID": "post_id"})
            rows.append({"video": name, **labelled_cluster_scores(store, labels)})
    return rows


def headlines(realdata: Path) -> dict:
    texts = meta_headline_translations(realdata / "meta_threat_indicators" / "Q2_2023_Spamouflage_China_based_CIB_updated.csv")
    with Store(":memory:") as store:
        links = link_texts(store, texts[["id", "text", "lang"]])
    return {"headlines": int(len(texts)), **translation_group_recovery(texts, links)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--realdata", type=Path, default=HERE.parent.parent / "shared" / "realdata")
    args = parser.parse_args(argv)
    result = {"date": dt.date.today().isoformat(), "toolkit_version": __version__,
              "youtube": youtube(args.realdata), "headlines": headlines(args.realdata)}
    path = HERE / "results" / f"realdata_clusters_{result['date']}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print("| video | comments | spam | clustered | precision | recall |\n|---|---|---|---|---|---|")
    for r in result["youtube"]:
        print(f"| {r['video']} | {r['posts']} | {r['positives']} | {r['clustered']} | {r['precision']:.2f} | {r['recall']:.2f} |")
    h = result["headlines"]
    print(f"\nheadlines: {h['multilingual_groups']} multilingual groups, {h['recovered']} recovered "
          f"({h['fully_recovered']} fully); {h['links_within_groups']} of {h['links']} links within a group")
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
