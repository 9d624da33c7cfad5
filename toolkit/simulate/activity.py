"""What gets posted: MPs' posts, ordinary replies, authentic coordination, the campaign.

:func:`build_posts` returns one DataFrame with a row per post (columns
:data:`POST_FIELDS`). Replies point at the row of the MP post they answer
(``reply_to``); authors are rows of the accounts frame (``account``). Ids are given
later by the writers; times are int64 Unix ms, UTC, whole seconds.
"""

from __future__ import annotations

import hashlib
import logging

import numpy as np
import pandas as pd

from . import names as nm
from . import phrases as ph
from . import texts as tx
from .ids import ms, tweet_ids, unique_numbers
from .population import history_page_ids
from .timing import (DAY_MS, HOUR_MS, SURGE_DAYS, WINDOW_END_MS, beijing_shift_times,
                     campaign_wave_counts, day_noise, human_times, local_waking_times, mp_times)
from .wording import Wording

log = logging.getLogger(__name__)

POST_FIELDS = {
    "platform": "x or facebook",
    "account": "row of the author in the accounts frame",
    "created_ms": "publication time, Unix ms UTC (whole seconds)",
    "text": "text as posted",
    "lang": "true language: en, fr, zh, in, ko, und",
    "x_lang": "X's language tag (en, fr, zh, in, ko, und)",
    "role": "mp, organic, advocacy, viral, hyperactive, campaign, hijacked_history",
    "template_id": "campaign template (T01...), '' otherwise",
    "group_id": "authentic coordination group (advocacy-pharmacare, viral-inquiry), '' otherwise",
    "edits": "edits applied to a campaign copy (swap+typo+...), '' otherwise",
    "wave": "campaign wave number, -1 otherwise",
    "reply_to": "row of the MP post replied to, -1 for top-level posts",
    "url": "expanded link in the post ('' if none)",
    "like_count": "likes at collection time",
    "repost_count": "reposts / shares at collection time",
    "quote_count": "quotes at collection time",
    "history_page": "Facebook page (topic) a hijacked account's old comment was on ('' otherwise)",
}

_BIG = np.int64(10**13)  # > any Unix ms in range; combines (mp, time) into one sortable key


def _discrete_pareto(rng: np.random.Generator, n: int, alpha: float, cap: int) -> np.ndarray:
    """Heavy-tailed counts >= 1 with P(X >= k) = k**-alpha (capped)."""
    return np.minimum(np.floor(rng.random(n) ** (-1.0 / alpha)).astype(np.int64), cap)


class _Collector:
    """Accumulates blocks of posts; the first block's rows are rows 0..n-1 of the result."""

    def __init__(self):
        self.blocks: list[pd.DataFrame] = []
        self.n = 0

    def add(self, n: int, **columns) -> None:
        defaults = {"template_id": "", "group_id": "", "edits": "", "wave": -1, "reply_to": -1, "url": "",
                    "like_count": 0, "repost_count": 0, "quote_count": 0, "history_page": ""}
        data = {}
        for field in POST_FIELDS:
            value = columns.get(field, defaults.get(field))
            data[field] = value if isinstance(value, (list, np.ndarray, pd.Series)) else [value] * n
        self.blocks.append(pd.DataFrame(data))
        self.n += n

    def frame(self) -> pd.DataFrame:
        out = pd.concat(self.blocks, ignore_index=True)
        for col in ("account", "created_ms", "wave", "reply_to", "like_count", "repost_count", "quote_count"):
            out[col] = out[col].astype(np.int64)
        out["created_ms"] = out["created_ms"] // 1000 * 1000
        return out


# -- MPs -------------------------------------------------------------------------------------
def _mp_language(rng: np.random.Generator, mp: nm.MP) -> str:
    """``en``, ``fr``, ``fr+en`` or ``en+fr`` (bilingual posts, first language first)."""
    r = rng.random()
    if mp.party == "Bloc Québécois":
        return "fr"
    if mp.province == "QC":
        return "fr" if r < 0.65 else "fr+en"
    if mp.province == "NB":
        return "en" if r < 0.5 else "en+fr"
    return "en+fr" if r < (0.15 if mp.title else 0.05) else "en"


def _home_city(mp: nm.MP) -> str:
    """The city of the MP's riding: MPs of one province get different cities where possible."""
    same = [m for m in nm.MPS if m.province == mp.province]
    cities = nm.PROVINCES[mp.province][4]
    return cities[same.index(mp) % len(cities)]


def _mp_sentence(rng: np.random.Generator, wording: Wording, lang: str, mp: nm.MP) -> str:
    """One sentence of an MP's post: the occasion and its details from ``rng``, the words from ``wording``."""
    cities = nm.PROVINCES[mp.province][4]
    pick = lambda bank: bank[int(rng.integers(len(bank)))]  # noqa: E731
    city = _home_city(mp) if rng.random() < 0.75 else pick(cities)
    issue_i = int(rng.integers(len(tx.ISSUES)))
    project_i = int(rng.integers(len(tx.PROJECTS)))
    slots = dict(city=city, prov=nm.PROVINCES[mp.province][0], n=str(int(rng.integers(2, 90))),
                 when=pick(tx.WHEN), when_fr=pick(tx.WHEN_FR), project_short=pick(tx.PROJECTS_SHORT),
                 event=pick(tx.EVENTS), event_fr=pick(tx.EVENTS_FR), project=tx.PROJECTS[project_i],
                 project_fr=tx.PROJECTS_FR[project_i], issue=tx.ISSUES[issue_i], issue_fr=tx.ISSUES_FR[issue_i],
                 issue_fr_cap=tx.ISSUES_FR[issue_i][0].upper() + tx.ISSUES_FR[issue_i][1:],
                 issue_cap=tx.ISSUES[issue_i][0].upper() + tx.ISSUES[issue_i][1:])
    slots.update(au_event_fr=ph.au(slots["event_fr"]), de_issue_fr=ph.de(slots["issue_fr"]), **ph.mp_gender_slots(mp.gender))
    return wording.mp_sentence(lang, int(rng.integers(len(ph.MP_KINDS))), slots)


def _mp_posts(rng: np.random.Generator, wording: Wording, accounts: pd.DataFrame, out: _Collector) -> None:
    days = (WINDOW_END_MS - ms("2023-06-26T00:00:00")) / DAY_MS
    for row in np.flatnonzero(accounts["role"].to_numpy() == "mp"):
        acc = accounts.iloc[row]
        mp = nm.MPS[int(acc["mp_index"])]
        n = max(4, int(rng.poisson((0.2 + 0.08 * mp.prominence) * days)))
        times = mp_times(rng, float(acc["tz"]), n)
        texts, langs = [], []
        for _ in range(n):
            lang = _mp_language(rng, mp)
            first = lang.split("+")[0]
            fits = (lambda t: True) if acc["platform"] == "facebook" else (lambda t: not tx.too_long(t, 280))
            text = _mp_sentence(rng, wording, first, mp)
            if "+" in lang:
                second = _mp_sentence(rng, wording, lang.split("+")[1], mp)
                if fits(text + "\n\n" + second):
                    text = text + "\n\n" + second
            if rng.random() < 0.75:
                tail = wording.mp_tail(first, int(rng.integers(len(ph.MP_TAIL_KINDS))), ph.mp_gender_slots(mp.gender))
                if fits(text + " " + tail):
                    text += " " + tail
            if rng.random() < 0.15 and fits(text + " #cdnpoli"):
                text += " " + ("#polqc" if first == "fr" else "#cdnpoli")
            texts.append(text)
            langs.append(first)
        followers = float(acc["followers"])
        out.add(n, platform=acc["platform"], account=row, created_ms=times, text=texts, lang=langs, x_lang=langs,
                role="mp", like_count=rng.lognormal(np.log(followers / 400 + 5), 0.9, size=n).astype(np.int64),
                repost_count=rng.lognormal(np.log(followers / 3000 + 1), 0.9, size=n).astype(np.int64),
                quote_count=rng.poisson(followers / 20000 + 0.2, size=n))


class _MPPostIndex:
    """Finds, per platform, the MP post a reply at time ``t`` answers."""

    def __init__(self, posts: pd.DataFrame, accounts: pd.DataFrame):
        self.by_platform = {}
        mp_of_row = accounts["mp_index"].to_numpy()
        for platform in ("x", "facebook"):
            rows = np.flatnonzero((posts["role"].to_numpy() == "mp") & (posts["platform"].to_numpy() == platform))
            mp = mp_of_row[posts["account"].to_numpy()[rows]]
            t = posts["created_ms"].to_numpy()[rows]
            key = mp.astype(np.int64) * _BIG + t
            order = np.argsort(key, kind="stable")
            key, rows, mp, t = key[order], rows[order], mp[order], t[order]
            first = np.searchsorted(mp, np.arange(len(nm.MPS)), side="left")
            last = np.searchsorted(mp, np.arange(len(nm.MPS)), side="right") - 1
            self.by_platform[platform] = (key, rows, t, first, last)

    def attach(self, rng: np.random.Generator, platform: np.ndarray, mp: np.ndarray, t: np.ndarray,
               k_back: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row of the MP post replied to, reply time moved after that post where needed)."""
        reply_to = np.full(len(t), -1, dtype=np.int64)
        t_out = np.asarray(t, dtype=np.int64).copy()
        for name, (key, rows, times, first, last) in self.by_platform.items():
            sel = np.flatnonzero(platform == name)
            if not len(sel):
                continue
            m = mp[sel].astype(np.int64)
            pos = np.searchsorted(key, m * _BIG + t_out[sel], side="right") - 1 - k_back[sel]
            pos = np.clip(pos, first[m], last[m])
            reply_to[sel] = rows[pos]
            delay = (rng.exponential(40 * 60_000, size=len(sel)) + 30_000).astype(np.int64)
            t_out[sel] = np.maximum(t_out[sel], times[pos] + delay)
        return reply_to, np.minimum(t_out, WINDOW_END_MS - 1000)


def _mp_choice(rng: np.random.Generator, province: np.ndarray, p_own: float) -> np.ndarray:
    """Target MP per post: an MP of the author's province (share ``p_own``) or a prominent one."""
    prominence = np.array([m.prominence for m in nm.MPS])
    choice = rng.choice(len(nm.MPS), size=len(province), p=prominence / prominence.sum())
    own = rng.random(len(province)) < p_own
    mp_province = np.array([m.province for m in nm.MPS])
    for code in nm.PROVINCES:
        sel = np.flatnonzero(own & (province == code))
        local = np.flatnonzero(mp_province == code)
        if len(sel) and len(local):
            w = np.sqrt(prominence[local])
            choice[sel] = local[rng.choice(len(local), size=len(sel), p=w / w.sum())]
    return choice


# -- ordinary replies ------------------------------------------------------------------------
def _vary_surface(text: str, r_case: float, r_end: float) -> str:
    """Everyday surface variation: a lower-case first letter, a dropped or doubled final mark."""
    if r_case < 0.15 and text[:1].isupper() and text[1:2].islower():
        text = text[0].lower() + text[1:]
    if r_end < 0.2 and text[-1:] in ".!":
        text = text[:-1]
    elif r_end > 0.93 and text[-1:] in "!?":
        text = text + text[-1]
    return text


def _vocative(lang: str, mp: nm.MP, k: int) -> str:
    """How a commenter may address the MP at the start of a Facebook comment."""
    if lang == "fr":
        title = "Mme" if mp.gender == "f" else "M."
        return [f"{mp.first}, ", f"{title} {mp.last}, ", f"Bonjour {mp.first}, ", f"{mp.first} {mp.last}, "][k % 4]
    title = "Ms." if mp.gender == "f" else "Mr."
    return [f"{mp.first}, ", f"{title} {mp.last}, ", f"Hi {mp.first}, ", f"{mp.first} {mp.last}, ", f"Dear {mp.first}, "][k % 5]


def _ordinary_texts(rng: np.random.Generator, wording: Wording, lang: np.ndarray, mp: np.ndarray, province: np.ndarray,
                    platform: np.ndarray, signature: list[str]) -> tuple[list[str], list[str]]:
    """Replies composed from the phrase grammar; returns (texts, true languages).

    ``rng`` decides what is the same for a post whatever its wording (a stock short
    reply or not, the city, numbers, event, emoji, vocative); ``wording`` composes the
    words: one to three sentences on one or two topics, with an optional opener, closer
    or sign-off (:meth:`Wording.reply_parts`), then everyday surface variation and
    informality. Facebook comments often address the MP by name. Exact duplicates are
    rare, except the few short replies many people write word for word.
    """
    n = len(lang)
    r = rng.random((n, 9))
    ints = rng.integers(0, 10**6, size=(n, 10))
    prefixes = _x_prefixes(platform, mp)
    gender_slots = [ph.mp_gender_slots(m.gender) for m in nm.MPS]
    texts, langs = [], []
    for i in range(n):
        lg = lang[i]
        if r[i, 0] < 0.008:
            short = tx.SHORT_REPLIES[lg][ints[i, 0] % len(tx.SHORT_REPLIES[lg])]
            texts.append(prefixes[i] + short)
            langs.append("und" if short.startswith("👏") else lg)
            continue
        cities = nm.PROVINCES[province[i]][4]
        n1 = 3 + ints[i, 5] % 40
        event_fr = tx.EVENTS_FR[ints[i, 8] % len(tx.EVENTS_FR)]
        slots = dict(city=cities[ints[i, 4] % len(cities)], prov=nm.PROVINCES[province[i]][0], first=nm.MPS[mp[i]].first,
                     n=str(n1), n2=str(n1 + 2 + ints[i, 6] % 9), age=str(22 + ints[i, 7] % 14),
                     event=tx.EVENTS[ints[i, 8] % len(tx.EVENTS)], au_event_fr=ph.au(event_fr),
                     price=f"${1 + (ints[i, 6] % 2)}.{10 + ints[i, 7] % 89:02d}",
                     price_fr=f"{1 + (ints[i, 6] % 2)},{10 + ints[i, 7] % 89:02d} $", **gender_slots[mp[i]])
        vocative = platform[i] == "facebook" and r[i, 8] < 0.35
        parts = wording.reply_parts(lg, slots, after_vocative=vocative)
        sign = " " + signature[i] if signature[i] and r[i, 5] < 0.5 else ""
        if prefixes[i]:
            while len(parts) > 1 and tx.too_long(prefixes[i] + " ".join(parts) + sign, 270):
                parts.pop()
        text = wording.casual(lg, _vary_surface(" ".join(parts), r[i, 6], r[i, 7])) + sign
        if r[i, 4] < 0.2:
            text += " " + tx.EMOJI[ints[i, 0] % len(tx.EMOJI)] * (1 + ints[i, 4] % 3)
        if vocative:
            text = _vocative(lg, nm.MPS[mp[i]], ints[i, 8]) + text
        texts.append(prefixes[i] + text)
        langs.append(lg)
    return texts, langs


def _x_prefixes(platform: np.ndarray, mp: np.ndarray) -> list[str]:
    """``"@MPhandle "`` for replies on X (the API's reply text starts with it), ``""`` on Facebook."""
    handles = [nm.mp_x_handle(m) for m in nm.MPS]
    return [f"@{handles[m]} " if p == "x" else "" for p, m in zip(platform, mp)]


def _ordinary_posts(rng: np.random.Generator, wording: Wording, accounts: pd.DataFrame, index: _MPPostIndex,
                    out: _Collector) -> None:
    role = accounts["role"].to_numpy()
    rows = np.flatnonzero(np.isin(role, ["organic", "advocacy", "viral", "hyperactive"]))
    counts = _discrete_pareto(rng, len(rows), alpha=2.3, cap=60)
    hyper = role[rows] == "hyperactive"
    counts[hyper] = rng.integers(150, 400, size=int(hyper.sum()))
    author = np.repeat(rows, counts)
    tz = accounts["tz"].to_numpy()[author]
    t = human_times(rng, tz, day_noise=day_noise(rng))
    platform = accounts["platform"].to_numpy()[author]
    province = accounts["province"].to_numpy()[author]
    mp = _mp_choice(rng, province, p_own=0.45)
    k_back = np.minimum(rng.geometric(0.6, size=len(t)) - 1, 4)
    reply_to, t = index.attach(rng, platform, mp, t, k_back)
    lang = accounts["lang"].to_numpy()[author].copy()
    switch = rng.random(len(lang)) < 0.04
    lang[switch] = np.where(lang[switch] == "fr", "en", "fr")
    hyper_rows = rows[hyper]
    sig_of = {r: tx.HYPERACTIVE_SIGNATURES[i % len(tx.HYPERACTIVE_SIGNATURES)] for i, r in enumerate(hyper_rows)}
    signature = [sig_of.get(a, "") for a in author]
    texts, langs = _ordinary_texts(rng, wording, lang, mp, province, platform, signature)
    post_role = np.where(role[author] == "hyperactive", "hyperactive", "organic")
    likes = np.where(rng.random(len(t)) < 0.55, 0, rng.geometric(0.3, size=len(t)))
    out.add(len(t), platform=platform, account=author, created_ms=t, text=texts, lang=langs, x_lang=langs, role=post_role,
            reply_to=reply_to, like_count=likes, repost_count=(rng.random(len(t)) < 0.05).astype(np.int64))


# -- authentic coordination ------------------------------------------------------------------
def _advocacy_posts(rng: np.random.Generator, accounts: pd.DataFrame, index: _MPPostIndex, out: _Collector) -> None:
    """The "write to your MP" message, pasted by real constituents to their own MP, 21-29 Aug 2023."""
    rows = np.flatnonzero(accounts["role"].to_numpy() == "advocacy")
    if not len(rows):
        return
    author = np.concatenate([rows, rows[rng.random(len(rows)) < 0.2]])
    start, end = ms("2023-08-21T00:00:00"), ms("2023-08-30T00:00:00")
    decay = np.exp(-np.arange((end - start) // DAY_MS) / 1.6)
    t = human_times(rng, accounts["tz"].to_numpy()[author], start_ms=start, end_ms=end, day_noise=decay)
    platform = accounts["platform"].to_numpy()[author]
    province = accounts["province"].to_numpy()[author]
    mp = _mp_choice(rng, province, p_own=1.0)
    reply_to, t = index.attach(rng, platform, mp, t, np.minimum(rng.geometric(0.7, size=len(t)) - 1, 2))
    lang = accounts["lang"].to_numpy()[author]
    prefix = _x_prefixes(platform, mp)
    personal = rng.random(len(t))
    pick = rng.integers(0, 100, size=len(t))
    texts = []
    for i in range(len(t)):
        base = tx.ADVOCACY_TEXT[lang[i]]
        extra = tx.ADVOCACY_PERSONAL[lang[i]][pick[i] % len(tx.ADVOCACY_PERSONAL[lang[i]])]
        body = f"{extra} {base}" if personal[i] < 0.12 else (f"{base} {extra}" if personal[i] < 0.25 else base)
        if prefix[i] and tx.too_long(prefix[i] + body, 280):
            body = base
        texts.append(prefix[i] + body)
    out.add(len(t), platform=platform, account=author, created_ms=t, text=texts, lang=lang, x_lang=lang, role="advocacy",
            group_id=tx.ADVOCACY_GROUP, reply_to=reply_to, like_count=rng.poisson(1.5, size=len(t)))


def tco(url: str) -> str:
    """A stable ``https://t.co/...`` short link for ``url`` (same URL, same short link), as X shows links."""
    digest = int(hashlib.sha256(url.encode()).hexdigest(), 16)
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    code = "".join(alphabet[(digest >> (6 * i)) % 62] for i in range(10))
    return f"https://t.co/{code}"


def _viral_posts(rng: np.random.Generator, accounts: pd.DataFrame, index: _MPPostIndex, out: _Collector) -> None:
    """A news headline and its link, shared in replies to MPs after the 7 Sept 2023 announcement."""
    rows = np.flatnonzero(accounts["role"].to_numpy() == "viral")
    if not len(rows):
        return
    author = np.concatenate([rows, rows[rng.random(len(rows)) < 0.1]])
    tz = accounts["tz"].to_numpy()[author]
    t = ms("2023-09-07T13:30:00") + (rng.exponential(14, size=len(author)) * HOUR_MS).astype(np.int64)
    local_hour = ((t // HOUR_MS) + tz.astype(np.int64)) % 24
    t = t + np.where((local_hour >= 1) & (local_hour < 7), 7 * HOUR_MS, 0)
    platform = accounts["platform"].to_numpy()[author]
    mp = _mp_choice(rng, accounts["province"].to_numpy()[author], p_own=0.3)
    reply_to, t = index.attach(rng, platform, mp, t, np.zeros(len(t), dtype=np.int64))
    lang = accounts["lang"].to_numpy()[author]
    prefix = _x_prefixes(platform, mp)
    with_comment = rng.random(len(t)) < 0.3
    pick = rng.integers(0, 100, size=len(t))
    texts, urls = [], []
    for i in range(len(t)):
        url = tx.VIRAL_URL[lang[i]]
        link = tco(url) if platform[i] == "x" else url
        body = f"{tx.VIRAL_HEADLINE[lang[i]]} {link}"
        if with_comment[i]:
            body = f"{tx.VIRAL_PREFIX[lang[i]][pick[i] % len(tx.VIRAL_PREFIX[lang[i]])]} {body}"
        texts.append(prefix[i] + body)
        urls.append(url)
    out.add(len(t), platform=platform, account=author, created_ms=t, text=texts, lang=lang, x_lang=lang, role="viral",
            group_id=tx.VIRAL_GROUP, reply_to=reply_to, url=urls, like_count=rng.poisson(2.0, size=len(t)),
            repost_count=rng.poisson(0.5, size=len(t)))


# -- the campaign ----------------------------------------------------------------------------
def _campaign_posts(rng: np.random.Generator, accounts: pd.DataFrame, index: _MPPostIndex, out: _Collector,
                    scale: float) -> None:
    """Squads of campaign accounts posting one template each wave, within minutes, on X and Facebook."""
    role = accounts["role"].to_numpy()
    members = np.flatnonzero(np.isin(role, ["campaign_new", "campaign_hijacked"]))
    members = members[rng.permutation(len(members))]
    n_squads = max(1, int(round(len(members) / 12)))
    squads = np.array_split(members, n_squads)
    n_templates = len(tx.TEMPLATES)
    # templates come into use over time: six on day one, all by 1 September
    intro_day = np.concatenate([np.zeros(6), np.sort(rng.integers(1, 26, size=n_templates - 6))]).astype(int)
    prominence = np.array([m.prominence for m in nm.MPS])
    spared = rng.choice(np.flatnonzero(prominence <= 1.0), size=3, replace=False)
    target_w = prominence**0.6
    target_w[spared] = 0.0
    mp_in_qc = np.array([m.province == "QC" for m in nm.MPS])
    platform_of = accounts["platform"].to_numpy()
    first_day = ms("2023-08-07T00:00:00")
    cols = {k: [] for k in ("account", "t", "mp", "lang", "template", "wave")}
    wave_no = 0
    for day, n_waves in campaign_wave_counts(rng, scale):
        if n_waves == 0:
            continue
        starts = beijing_shift_times(rng, day, n_waves)
        if day in SURGE_DAYS:  # overtime: the evening shift runs late
            late = rng.random(n_waves) < 0.2
            starts = np.sort(starts + np.where(late, 2 * HOUR_MS, 0))
        day_index = (ms(f"{day}T00:00:00") - first_day) // DAY_MS
        available = np.flatnonzero(intro_day <= day_index)
        for start in starts:
            squad = squads[int(rng.integers(len(squads)))]
            who = squad[rng.random(len(squad)) < 0.75]
            if len(who) < 3:
                who = squad[rng.permutation(len(squad))[:3]]
            who = who[rng.permutation(len(who))]
            template = int(available[int(rng.integers(len(available)))])
            n_targets = int(rng.choice([1, 2, 3], p=[0.5, 0.35, 0.15]))
            targets = rng.choice(len(nm.MPS), size=n_targets, replace=False, p=target_w / target_w.sum())
            gaps = (rng.exponential(70_000, size=len(who)) + 15_000).astype(np.int64)
            times = start + np.cumsum(gaps)
            mp = targets[rng.integers(0, n_targets, size=len(who))]
            again = (rng.random(len(who)) < 0.25) & (n_targets > 1)
            who = np.concatenate([who, who[again]])
            times = np.concatenate([times, times[again] + (rng.uniform(60, 240, size=int(again.sum())) * 1000).astype(np.int64)])
            position = np.array([int(np.flatnonzero(targets == x)[0]) for x in mp[again]], dtype=np.int64)
            mp = np.concatenate([mp, targets[(position + 1) % n_targets]])
            qc = mp_in_qc[mp]
            r = rng.random(len(who))
            lang = np.where(qc, np.where(r < 0.62, "fr", np.where(r < 0.9, "en", "zh")),
                            np.where(r < 0.6, "en", np.where(r < 0.88, "fr", "zh")))
            cols["account"].append(who)
            cols["t"].append(times)
            cols["mp"].append(mp)
            cols["lang"].append(lang)
            cols["template"].append(np.full(len(who), template))
            cols["wave"].append(np.full(len(who), wave_no))
            wave_no += 1
    account = np.concatenate(cols["account"])
    t = np.concatenate(cols["t"])
    mp = np.concatenate(cols["mp"])
    lang = np.concatenate(cols["lang"])
    template = np.concatenate(cols["template"])
    platform = platform_of[account]
    reply_to, t = index.attach(rng, platform, mp, t, np.minimum(rng.geometric(0.45, size=len(t)) - 1, 6))
    prefix = _x_prefixes(platform, mp)
    texts, edits = [], []
    for i in range(len(t)):
        m = nm.MPS[mp[i]]
        text, edit = tx.campaign_text(rng, tx.TEMPLATE_IDS[template[i]], str(lang[i]), m.name, m.last, m.gender,
                                      prefix=prefix[i], max_weighted_chars=280 if platform[i] == "x" else None)
        texts.append(text)
        edits.append(edit)
    likes = np.where(rng.random(len(t)) < 0.95, 0, rng.integers(1, 3, size=len(t)))
    log.info("campaign: %d waves, %d posts", wave_no, len(t))
    out.add(len(t), platform=platform, account=account, created_ms=t, text=texts, lang=lang, x_lang=lang, role="campaign",
            template_id=[tx.TEMPLATE_IDS[j] for j in template], edits=edits, wave=np.concatenate(cols["wave"]),
            reply_to=reply_to, like_count=likes)


# -- the hijacked accounts' earlier lives ----------------------------------------------------
def _history_posts(rng: np.random.Generator, wording: Wording, accounts: pd.DataFrame, out: _Collector) -> None:
    """The hijacked accounts' earlier lives: Indonesian or K-pop chatter composed by ``wording``, or copy-paste spam."""
    rows = np.flatnonzero(accounts["role"].to_numpy() == "campaign_hijacked")
    if not len(rows):
        return
    platform = accounts["platform"].to_numpy()[rows]
    counts = np.where(platform == "x", rng.integers(10, 50, size=len(rows)), rng.integers(3, 16, size=len(rows)))
    author = np.repeat(rows, counts)
    topic = accounts["history_topic"].to_numpy()[author]
    tz = np.array([{"indonesian": 7.0, "kpop": 9.0, "spam": 8.0}[x] for x in topic])
    start = accounts["history_start_ms"].to_numpy()[author]
    end = accounts["history_end_ms"].to_numpy()[author]
    t = local_waking_times(rng, tz, start, end)
    ints = rng.integers(0, 10**6, size=(len(t), 4))
    link = rng.random(len(t)) < 0.5
    author_platform = accounts["platform"].to_numpy()[author]
    texts, langs, urls = [], [], []
    openers, phrases, tails = tx.SPAM
    for i in range(len(t)):
        url = ""
        if topic[i] == "spam":
            text = f"{openers[ints[i, 0] % len(openers)]} {phrases[ints[i, 1] % len(phrases)]}"
            if link[i]:
                url = f"https://claim.airdrop.example/{np.base_repr(int(ints[i, 3]), 36).lower()}"
                text += " 👉 " + (tco(url) if author_platform[i] == "x" else url)
            text = f"{text} {tails[ints[i, 2] % len(tails)]}".rstrip()
        else:
            text = wording.chatter(topic[i])
        texts.append(text)
        langs.append(tx.HISTORY_LANG[topic[i]])
        urls.append(url)
    page = np.where(author_platform == "facebook", topic, "")
    out.add(len(t), platform=author_platform, account=author, created_ms=t, text=texts, lang=langs,
            x_lang=langs, role="hijacked_history", url=urls, like_count=rng.poisson(3, size=len(t)),
            repost_count=rng.poisson(0.4, size=len(t)), history_page=page)


# -- identifiers -----------------------------------------------------------------------------
def _assign_ids(rng: np.random.Generator, accounts: pd.DataFrame, posts: pd.DataFrame) -> None:
    """Add ``post_id``, ``exact_ms``, ``reply_to_post_id``, ``reply_to_account_id``, ``conversation_id``.

    X: snowflakes whose time bits are ``exact_ms`` (``created_ms`` plus the milliseconds
    X does not show). Facebook: page posts ``{page_id}_{post_number}``, comments
    ``{post_number}_{comment_number}``, numbers growing with time.
    """
    n = len(posts)
    platform = posts["platform"].to_numpy()
    created = posts["created_ms"].to_numpy()
    account_ids = accounts["account_id"].to_numpy()
    author_id = account_ids[posts["account"].to_numpy()]
    exact = created + rng.integers(0, 1000, size=n)
    post_id = np.empty(n, dtype=object)
    x = np.flatnonzero(platform == "x")
    post_id[x] = tweet_ids(rng, exact[x]).astype(str)

    fb = platform == "facebook"
    page_posts = np.flatnonzero(fb & (posts["role"].to_numpy() == "mp"))
    page_posts = page_posts[np.argsort(created[page_posts], kind="stable")]
    post_number = np.zeros(n, dtype=np.int64)
    post_number[page_posts] = np.sort(unique_numbers(rng, len(page_posts), 10**15, 10**15 * 9))
    post_id[page_posts] = [f"{a}_{p}" for a, p in zip(author_id[page_posts], post_number[page_posts])]

    reply_to = posts["reply_to"].to_numpy()
    reply_post = np.full(n, "", dtype=object)
    reply_account = np.full(n, "", dtype=object)
    has_reply = np.flatnonzero(reply_to >= 0)
    reply_account[has_reply] = author_id[reply_to[has_reply]]
    parent_number = np.zeros(n, dtype=np.int64)
    parent_number[has_reply] = post_number[reply_to[has_reply]]

    history_page = posts["history_page"].to_numpy()
    old = np.flatnonzero(fb & (history_page != ""))
    page_ids = history_page_ids(rng)
    pool = {topic: np.sort(unique_numbers(rng, 40, 10**15, 10**15 * 3)) for topic in page_ids}
    for i, r in zip(old, rng.integers(0, 40, size=len(old))):
        parent_number[i] = pool[history_page[i]][r]
        reply_account[i] = page_ids[history_page[i]]
        reply_post[i] = f"{page_ids[history_page[i]]}_{parent_number[i]}"

    comments = np.flatnonzero(fb & (posts["role"].to_numpy() != "mp"))
    comments = comments[np.argsort(created[comments], kind="stable")]
    comment_number = np.sort(unique_numbers(rng, len(comments), 10**15, 10**15 * 9))
    post_id[comments] = [f"{p}_{c}" for p, c in zip(parent_number[comments], comment_number)]
    reply_post[has_reply] = post_id[reply_to[has_reply]]

    posts["post_id"] = post_id.astype(str)
    posts["exact_ms"] = exact
    posts["author_id"] = author_id
    posts["reply_to_post_id"] = reply_post.astype(str)
    posts["reply_to_account_id"] = reply_account.astype(str)
    posts["conversation_id"] = np.where(posts["reply_to_post_id"] != "", posts["reply_to_post_id"], posts["post_id"])
    if posts.duplicated(["platform", "post_id"]).any():
        raise RuntimeError("duplicate post ids generated")


def build_posts(rng: np.random.Generator, accounts: pd.DataFrame, scale: float) -> pd.DataFrame:
    """Every post of the simulation.

    Args:
        rng: the simulation's random generator.
        accounts: the account frame (all roles).
        scale: multiplies the campaign's number of waves.

    Returns:
        DataFrame with :data:`POST_FIELDS` plus ``post_id``, ``exact_ms`` (creation time
        with the milliseconds X hides), ``author_id``, ``reply_to_post_id``,
        ``reply_to_account_id`` (the target) and ``conversation_id``; MP posts first.
    """
    out = _Collector()
    # how posts are worded comes from child streams (one per kind of post), so wording never
    # shifts timing, targets or the campaign, nor one kind of post's words another's
    mp_words, reply_words, history_words = (Wording(child) for child in rng.spawn(3))
    _mp_posts(rng, mp_words, accounts, out)
    mp_posts = out.frame()
    index = _MPPostIndex(mp_posts, accounts)
    _ordinary_posts(rng, reply_words, accounts, index, out)
    _advocacy_posts(rng, accounts, index, out)
    _viral_posts(rng, accounts, index, out)
    _campaign_posts(rng, accounts, index, out, scale)
    _history_posts(rng, history_words, accounts, out)
    posts = out.frame()
    _assign_ids(rng, accounts, posts)
    return posts
