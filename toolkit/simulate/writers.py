"""Write the simulation in the formats investigators actually receive, plus its truth.

- ``x_tweets.jsonl.gz``: X API v2 response pages exactly as the twarc2 client writes
  them (one page per line: ``data``, ``includes.users``, ``includes.tweets``, ``meta``,
  ``__twarc``). One full-archive search per MP (``from:HANDLE OR to:HANDLE``) collected
  on 2 October 2023, and, for the hijacked accounts, user-timeline pages collected in
  2022 that show their earlier names.
- ``facebook_comments.csv``: the toolkit's canonical post table for Facebook (MP page
  posts and the comments on them).
- ``mps.csv``: the target list.
- ``truth/accounts.csv``, ``truth/posts.csv``, ``truth/campaign.json``: the answer key.
- ``README.md``: what the directory holds and how to regenerate it.

Everything is written in a fixed order with fixed formatting (gzip without time stamp
or file name) so that one seed and scale always give byte-identical files.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from .. import __version__
from ..schema import CANONICAL_FILE_COLUMNS
from . import names as nm
from .activity import tco
from .ids import ms
from .timing import WINDOW_END_MS, WINDOW_START_MS

TWARC_VERSION = "2.14.0"
#: twarc version recorded on the 2022 timeline collection of the hijacked accounts.
TWARC_VERSION_2022 = "2.10.4"
COLLECTED_AT = "2023-10-02T13:00:00"
_HISTORY_COLLECTION_FROM_MS = ms("2022-03-01T00:00:00")
_HISTORY_COLLECTION_UNTIL_MS = ms("2022-12-31T00:00:00")
PAGE_SIZE = 100

_EXPANSIONS = ("author_id,in_reply_to_user_id,referenced_tweets.id,referenced_tweets.id.author_id,"
               "entities.mentions.username")
_TWEET_FIELDS = ("author_id,conversation_id,created_at,edit_history_tweet_ids,entities,id,in_reply_to_user_id,lang,"
                 "possibly_sensitive,public_metrics,referenced_tweets,reply_settings,source,text")
_TWEET_FIELDS_2022 = _TWEET_FIELDS.replace("edit_history_tweet_ids,", "")
_USER_FIELDS = "created_at,description,id,location,name,profile_image_url,protected,public_metrics,url,username,verified"

_HASHTAG_RE = re.compile(r"(?<![\w#])#(\w+)")
_MENTION_RE = re.compile(r"(?<!\w)@(\w{1,15})")
_TCO_RE = re.compile(r"https://t\.co/\w+")


def iso_z(t_ms: np.ndarray | int, *, millis: bool = False) -> list[str] | str:
    """ISO-8601 UTC strings ending in ``Z`` (``.000Z`` as X writes them when ``millis``)."""
    scalar = np.isscalar(t_ms)
    arr = np.atleast_1d(np.asarray(t_ms, dtype=np.int64)).astype("datetime64[ms]").astype("datetime64[s]").astype(str)
    out = [f"{s}.000Z" if millis else f"{s}Z" for s in arr]
    return out[0] if scalar else out


def _q(value: str) -> str:
    return quote(value, safe="")


def _search_url(handle: str, next_token: str | None) -> str:
    url = ("https://api.twitter.com/2/tweets/search/all?"
           f"expansions={_q(_EXPANSIONS)}&tweet.fields={_q(_TWEET_FIELDS)}&user.fields={_q(_USER_FIELDS)}"
           f"&start_time={_q(iso_z(WINDOW_START_MS))}&end_time={_q(iso_z(WINDOW_END_MS))}&max_results=100"
           f"&query={quote(f'from:{handle} OR to:{handle}', safe='')}")
    return url + (f"&next_token={next_token}" if next_token else "")


def _timeline_url(user_id: str, token: str | None) -> str:
    url = (f"https://api.twitter.com/2/users/{user_id}/tweets?"
           f"expansions={_q(_EXPANSIONS)}&tweet.fields={_q(_TWEET_FIELDS_2022)}&user.fields={_q(_USER_FIELDS)}&max_results=100")
    return url + (f"&pagination_token={token}" if token else "")


def _token(rng: np.random.Generator) -> str:
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
    return "".join(alphabet[i] for i in rng.integers(0, 36, size=45))


def _entities(text: str, user_ids: dict[str, str], urls: dict[str, str]) -> dict:
    """X ``entities`` for a text: hashtags, mentions (with ids of known users), t.co links."""
    out = {}
    tags = [{"start": m.start(), "end": m.end(), "tag": m.group(1)} for m in _HASHTAG_RE.finditer(text)]
    mentions = []
    for m in _MENTION_RE.finditer(text):
        entry = {"start": m.start(), "end": m.end(), "username": m.group(1)}
        if m.group(1).lower() in user_ids:
            entry["id"] = user_ids[m.group(1).lower()]
        mentions.append(entry)
    links = []
    for m in _TCO_RE.finditer(text):
        expanded = urls.get(m.group(0), m.group(0))
        display = expanded.split("://", 1)[-1]
        links.append({"start": m.start(), "end": m.end(), "url": m.group(0), "expanded_url": expanded,
                      "display_url": display if len(display) <= 26 else display[:25] + "…"})
    if tags:
        out["hashtags"] = tags
    if mentions:
        out["mentions"] = mentions
    if links:
        out["urls"] = links
    return out


def _user(acc: dict, *, old: bool, tweet_count: int) -> dict:
    """An X API v2 user object: the profile now, or (``old``) before a hijacked account's takeover."""
    return {
        "id": acc["account_id"],
        "name": acc["old_name"] if old else acc["name"],
        "username": acc["old_handle"] if old else acc["handle"],
        "created_at": iso_z(int(acc["created_ms"]), millis=True),
        "description": acc["old_description"] if old else acc["description"],
        "location": acc["old_location"] if old else acc["location"],
        "public_metrics": {
            "followers_count": int(acc["old_followers"] if old else acc["followers"]),
            "following_count": int(acc["following"] * (0.8 if old else 1.0)),
            "tweet_count": int(tweet_count),
            "listed_count": int(acc["listed"]),
        },
        "verified": bool(acc["verified"]),
        "protected": False,
        "profile_image_url": acc["profile_image_url"],
        "url": acc["url"],
    }


def _column(frame: pd.DataFrame, name: str) -> list:
    """A column as a plain Python list (fast to iterate)."""
    return frame[name].to_numpy(dtype=object).tolist()


def write_x(path: Path, rng: np.random.Generator, accounts: pd.DataFrame, posts: pd.DataFrame) -> dict[str, int]:
    """Write ``x_tweets.jsonl.gz``; returns counts (pages, tweets)."""
    xp = posts[posts["platform"] == "x"]
    rows = xp.index.to_numpy()
    local = {int(r): i for i, r in enumerate(rows)}  # post row -> position in xp
    id_int = xp["post_id"].to_numpy().astype(np.int64)
    account = xp["account"].to_numpy()
    reply_to = xp["reply_to"].to_numpy()
    role = xp["role"].to_numpy()
    post_id, text, author_id = _column(xp, "post_id"), _column(xp, "text"), _column(xp, "author_id")
    conversation, lang = _column(xp, "conversation_id"), _column(xp, "x_lang")
    reply_post, reply_account = _column(xp, "reply_to_post_id"), _column(xp, "reply_to_account_id")
    created = iso_z(xp["created_ms"].to_numpy(), millis=True)
    metrics = xp[["repost_count", "like_count", "quote_count"]].to_numpy().tolist()
    replies = np.bincount(np.searchsorted(rows, reply_to[reply_to >= 0]), minlength=len(rows)) if len(rows) else np.zeros(0)
    clients = accounts["client"].to_numpy(dtype=object)
    old_clients = accounts["old_client"].to_numpy(dtype=object)

    acc_x = accounts[accounts["platform"] == "x"]
    records = dict(zip(acc_x.index.tolist(), acc_x.to_dict("records")))
    user_ids = {h.lower(): i for h, i in zip(acc_x["handle"], acc_x["account_id"]) if h}
    urls = {tco(u): u for u in sorted(set(xp["url"])) if u}
    n_posts = pd.Series(account).value_counts()
    n_history = pd.Series(account[role == "hijacked_history"]).value_counts()

    def tweet(i: int, with_edit_history: bool) -> dict:
        d = {"id": post_id[i], "text": text[i], "created_at": created[i], "author_id": author_id[i],
             "conversation_id": conversation[i]}
        if reply_to[i] >= 0:
            d["in_reply_to_user_id"] = reply_account[i]
            d["referenced_tweets"] = [{"type": "replied_to", "id": reply_post[i]}]
        d["lang"] = lang[i]
        d["source"] = old_clients[account[i]] if role[i] == "hijacked_history" else clients[account[i]]
        reposts, likes, quotes = metrics[i]
        d["public_metrics"] = {"retweet_count": int(reposts), "reply_count": int(replies[i]), "like_count": int(likes),
                               "quote_count": int(quotes)}
        entities = _entities(text[i], user_ids, urls)
        if entities:
            d["entities"] = entities
        if with_edit_history:
            d["edit_history_tweet_ids"] = [post_id[i]]
        d["reply_settings"] = "everyone"
        d["possibly_sensitive"] = False
        return d

    current_users: dict[int, dict] = {}

    def current_user(row: int) -> dict:
        if row not in current_users:
            acc = records[row]
            current_users[row] = _user(acc, old=False, tweet_count=int(n_posts.get(row, 0)) + int(acc["prior_posts"]))
        return current_users[row]

    def pages_of(positions: np.ndarray) -> list[np.ndarray]:
        positions = positions[np.argsort(-id_int[positions], kind="stable")]  # newest first, as the API returns
        return [positions[i:i + PAGE_SIZE] for i in range(0, len(positions), PAGE_SIZE)]

    lines: list[str] = []
    # 1. the 2022 timeline collection: hijacked accounts under their earlier names
    history = np.flatnonzero(role == "hijacked_history")
    jobs = []
    for row in np.unique(account[history]):
        acc = records[int(row)]
        # an earlier (2022) collection of these accounts' timelines, after they fell silent
        retrieved = max(int(acc["history_end_ms"]) + int((3 + rng.random() * 60) * 86_400_000),
                        _HISTORY_COLLECTION_FROM_MS + int(rng.random() * 250 * 86_400_000))
        retrieved = min(retrieved, _HISTORY_COLLECTION_UNTIL_MS)
        jobs.append((retrieved, int(row)))
    for retrieved, row in sorted(jobs):
        acc = records[row]
        old_user = _user(acc, old=True, tweet_count=int(n_history.get(row, 0)) + int(acc["prior_posts"]))
        chunks = pages_of(history[account[history] == row])
        token = None
        for k, chunk in enumerate(chunks):
            nxt = _token(rng) if k + 1 < len(chunks) else None
            meta = {"result_count": len(chunk), "newest_id": post_id[chunk[0]], "oldest_id": post_id[chunk[-1]]}
            if nxt:
                meta["next_token"] = nxt
            page = {"data": [tweet(i, False) for i in chunk], "includes": {"users": [old_user]}, "meta": meta,
                    "__twarc": {"url": _timeline_url(acc["account_id"], token), "version": TWARC_VERSION_2022,
                                "retrieved_at": iso_z(retrieved + k * 1500).replace("Z", "+00:00")}}
            lines.append(json.dumps(page))
            token = nxt

    # 2. the October 2023 collection: one full-archive search per MP
    mp_rows = sorted(acc_x.index[acc_x["role"] == "mp"].tolist(), key=lambda r: records[r]["handle"].lower())
    reply_mp = np.where(reply_to >= 0, np.array(reply_account, dtype=object), "")
    own_mp = np.where(role == "mp", np.array(author_id, dtype=object), "")
    clock = ms(COLLECTED_AT)
    for row in tqdm(mp_rows, desc="X pages", unit="MP", disable=None):
        mp = records[row]
        chunks = pages_of(np.flatnonzero((reply_mp == mp["account_id"]) | (own_mp == mp["account_id"])))
        token = None
        for k, chunk in enumerate(chunks):
            nxt = _token(rng) if k + 1 < len(chunks) else None
            users, seen = [], set()
            for author in [int(a) for a in account[chunk]] + [row]:
                if author not in seen:
                    seen.add(author)
                    users.append(current_user(author))
            referenced, seen_ref = [], set()
            for target in reply_to[chunk]:
                if target >= 0 and target not in seen_ref:
                    seen_ref.add(target)
                    referenced.append(tweet(local[int(target)], True))
            includes = {"users": users}
            if referenced:
                includes["tweets"] = referenced
            meta = {"newest_id": post_id[chunk[0]], "oldest_id": post_id[chunk[-1]], "result_count": len(chunk)}
            if nxt:
                meta["next_token"] = nxt
            page = {"data": [tweet(i, True) for i in chunk], "includes": includes, "meta": meta,
                    "__twarc": {"url": _search_url(mp["handle"], token), "version": TWARC_VERSION,
                                "retrieved_at": iso_z(clock).replace("Z", "+00:00")}}
            clock += int(1000 + rng.integers(0, 1500))
            lines.append(json.dumps(page))
            token = nxt

    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write(("\n".join(lines) + "\n").encode("utf-8"))
    return {"pages": len(lines), "tweets": int(len(xp))}


def write_facebook(path: Path, accounts: pd.DataFrame, posts: pd.DataFrame) -> dict[str, int]:
    """Write ``facebook_comments.csv`` in the canonical columns; returns counts (rows)."""
    fb = posts[posts["platform"] == "facebook"].sort_values(["created_ms", "post_id"], kind="stable")
    author = fb["account"].to_numpy()
    old = fb["role"].to_numpy() == "hijacked_history"
    handle = np.where(old, accounts["old_handle"].to_numpy()[author], accounts["handle"].to_numpy()[author])
    name = np.where(old, accounts["old_name"].to_numpy()[author], accounts["name"].to_numpy()[author])
    rows = [
        ["facebook", pid, aid, h, nme, "", created, text, "", rpost, racc]
        for pid, aid, h, nme, created, text, rpost, racc in zip(
            fb["post_id"], fb["author_id"], handle, name, iso_z(fb["created_ms"].to_numpy()), fb["text"],
            fb["reply_to_post_id"], fb["reply_to_account_id"])
    ]
    _write_csv(path, CANONICAL_FILE_COLUMNS, rows)
    return {"rows": len(rows)}


def _write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8"))


def write_mps(path: Path, accounts: pd.DataFrame) -> dict[str, int]:
    """Write the target list ``mps.csv`` (one row per MP per platform)."""
    mps = accounts[accounts["role"] == "mp"]
    rows = []
    for platform in ("x", "facebook"):
        for _, a in mps[mps["platform"] == platform].iterrows():
            mp = nm.MPS[int(a["mp_index"])]
            rows.append([platform, a["account_id"], a["handle"], mp.name, mp.party, mp.province])
    _write_csv(path, ["platform", "account_id", "handle", "name", "party", "province"], rows)
    return {"rows": len(rows)}


TRUTH_ACCOUNT_COLUMNS = ["platform", "account_id", "handle", "role", "name", "created_at", "renamed", "old_handle",
                         "old_name", "history_topic"]
TRUTH_POST_COLUMNS = ["platform", "post_id", "account_id", "created_at", "role", "template_id", "group_id", "lang",
                      "reply_to_account_id", "wave", "edits"]


def write_truth(directory: Path, accounts: pd.DataFrame, posts: pd.DataFrame, *, seed: int, scale: float) -> dict:
    """Write ``truth/accounts.csv``, ``truth/posts.csv`` and ``truth/campaign.json``; returns the campaign summary."""
    directory.mkdir(parents=True, exist_ok=True)
    acc = accounts.sort_values(["platform", "account_id"], kind="stable")
    columns = [_column(acc, c) for c in ("platform", "account_id", "handle", "role", "name")]
    columns.append(iso_z(acc["created_ms"].to_numpy()))
    columns.append(np.where(acc["renamed"].to_numpy(dtype=bool), "true", "false").tolist())
    columns += [_column(acc, c) for c in ("old_handle", "old_name", "history_topic")]
    _write_csv(directory / "accounts.csv", TRUTH_ACCOUNT_COLUMNS, list(zip(*columns)))
    ps = posts.sort_values(["platform", "created_ms", "post_id"], kind="stable")
    columns = [_column(ps, c) for c in ("platform", "post_id", "author_id")]
    columns.append(iso_z(ps["created_ms"].to_numpy()))
    columns += [_column(ps, c) for c in ("role", "template_id", "group_id", "lang", "reply_to_account_id")]
    columns.append(["" if w < 0 else str(w) for w in ps["wave"].tolist()])
    columns.append(_column(ps, "edits"))
    _write_csv(directory / "posts.csv", TRUTH_POST_COLUMNS, list(zip(*columns)))
    summary = campaign_summary(accounts, posts, seed=seed, scale=scale)
    (directory / "campaign.json").write_bytes((json.dumps(summary, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    return summary


def campaign_summary(accounts: pd.DataFrame, posts: pd.DataFrame, *, seed: int, scale: float) -> dict:
    """The campaign's key facts computed from the simulated posts (the ``campaign.json`` content)."""
    camp = posts[posts["role"] == "campaign"]
    days = pd.Series(camp["created_ms"].to_numpy().astype("datetime64[ms]").astype("datetime64[D]").astype(str))
    daily = days.value_counts().sort_index()
    peak = daily[daily == daily.max()].index[0]
    targets = sorted(set(camp["reply_to_account_id"]))
    mp_ids = accounts.loc[accounts["role"] == "mp", ["account_id", "mp_index"]]
    targeted_mps = sorted({int(i) for a, i in zip(mp_ids["account_id"], mp_ids["mp_index"]) if a in set(targets)})
    roles = ["campaign_new", "campaign_hijacked", "organic", "advocacy", "viral", "hyperactive", "mp"]
    post_roles = ["campaign", "hijacked_history", "organic", "advocacy", "viral", "hyperactive", "mp"]
    return {
        "first_post": iso_z(int(camp["created_ms"].min())),
        "peak_day": peak,
        "peak_day_posts": int(daily.max()),
        "last_post": iso_z(int(camp["created_ms"].max())),
        "daily_posts": {day: int(n) for day, n in daily.items()},
        "accounts": {role: {p: int(((accounts["role"] == role) & (accounts["platform"] == p)).sum()) for p in ("x", "facebook")}
                     for role in roles},
        "posts": {role: {p: int(((posts["role"] == role) & (posts["platform"] == p)).sum()) for p in ("x", "facebook")}
                  for role in post_roles},
        "posts_by_language": {lang: int(n) for lang, n in camp["lang"].value_counts().sort_index().items()},
        "templates": int(camp["template_id"].nunique()),
        "waves": int(camp["wave"].nunique()),
        "targeted_mps": len(targeted_mps),
        "critic_persona": f"{nm.CRITIC_NAME_EN} ({nm.CRITIC_NAME_ZH}), fictional",
        "authentic_coordination": {"advocacy": "advocacy-pharmacare", "viral": "viral-inquiry", "hyperactive": "hyperactive"},
        "beijing_utc_offset_hours": 8,
        "seed": int(seed),
        "scale": float(scale),
        "toolkit_version": __version__,
        "generator": "toolkit.simulate",
    }


def write_readme(path: Path, summary: dict, files: dict[str, int]) -> None:
    """A short README for the output directory (deterministic: no dates, no paths)."""
    acc, posts = summary["accounts"], summary["posts"]

    def total(counts: dict, role: str) -> int:
        return sum(counts[role].values())

    lines = [
        "# Simulated Spamouflage-style campaign (synthetic data with ground truth)",
        "",
        "Generated by `toolkit.simulate` (cib-toolkit "
        f"{summary['toolkit_version']}) with seed {summary['seed']} and scale {summary['scale']:g}. Every person, account,",
        "post and link here is fictional. The campaign is modelled on the published facts of the 2023",
        "Spamouflage campaign against Canadian MPs (see docs/simulator.md for the calibration and sources).",
        "",
        "Regenerate (byte-identical) with:",
        "",
        "```",
        f"cib simulate --out <this directory> --seed {summary['seed']} --scale {summary['scale']:g} --force",
        "```",
        "",
        "| file | content |",
        "|---|---|",
        "| `x_tweets.jsonl.gz` | X API v2 response pages as twarc2 writes them (one page per line); a search per MP, collected 2023-10-02, and the hijacked accounts' timelines collected in 2022 |",
        "| `facebook_comments.csv` | Facebook page posts of the MPs and the comments on them, canonical columns (`account_created_at` empty: Facebook does not publish it; `lang` empty: Facebook does not tag it) |",
        "| `mps.csv` | the target list: one row per MP per platform |",
        "| `truth/accounts.csv` | every account's role |",
        "| `truth/posts.csv` | every post's role, campaign template and language |",
        "| `truth/campaign.json` | first post, peak day, last post, counts, seed, scale |",
        "",
        "Sizes in bytes: " + ", ".join(f"`{name}` {size:,}" for name, size in files.items()) + ".",
        "",
        f"The campaign: {total(acc, 'campaign_new')} new and {total(acc, 'campaign_hijacked')} hijacked accounts, "
        f"{total(posts, 'campaign')} comments from {summary['templates']} templates in {summary['waves']} waves on "
        f"{summary['targeted_mps']} MPs; first post {summary['first_post']}, peak day {summary['peak_day']} "
        f"({summary['peak_day_posts']} comments), last post {summary['last_post']}.",
        "",
        f"Around it: {total(acc, 'organic')} ordinary accounts, {total(acc, 'advocacy')} constituents pasting an advocacy "
        f"message, {total(acc, 'viral')} people sharing a news headline, {total(acc, 'hyperactive')} hyperactive users, "
        "all authentic.",
        "",
    ]
    path.write_bytes("\n".join(lines).encode("utf-8"))
