"""Who posts: the MPs, ordinary Canadians, and the campaign's new and hijacked accounts.

Each builder returns a pandas DataFrame with one row per account and the columns of
:data:`ACCOUNT_FIELDS`. Times are int64 Unix milliseconds, UTC; ``account_id`` is a
string (X ids overflow doubles).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import names as nm
from .ids import facebook_profile_ids, ms, unique_numbers, user_ids
from .texts import BIOS, GENERIC_BIOS, HISTORY_FACEBOOK_PAGES, fill
from .timing import DAY_MS, HOUR_MS

ACCOUNT_FIELDS = {
    "platform": "x or facebook",
    "account_id": "platform id (string)",
    "handle": "username / vanity name now ('' where Facebook has none)",
    "name": "display name now",
    "created_ms": "creation time, Unix ms UTC (Facebook does not publish it; kept for the truth only)",
    "description": "bio now",
    "location": "self-reported location now",
    "followers": "followers now",
    "following": "accounts followed now",
    "listed": "lists the account is on",
    "prior_posts": "posts made outside the simulated data (adds to the platform's post count)",
    "verified": "platform verification",
    "profile_image_url": "avatar URL",
    "url": "profile link",
    "role": "mp, organic, advocacy, viral, hyperactive, campaign_new, campaign_hijacked",
    "province": "home province code ('' for campaign accounts)",
    "tz": "UTC offset in hours of the account's posting rhythm",
    "lang": "language the account writes in ('en', 'fr'; '' for campaign accounts)",
    "client": "posting app on X",
    "mp_index": "index into names.MPS for MP accounts, else -1",
    "history_topic": "earlier life of a hijacked account: indonesian, kpop, spam ('' otherwise)",
    "renamed": "hijacked account renamed before the campaign",
    "old_handle": "username before the takeover ('' if not hijacked)",
    "old_name": "display name before the takeover",
    "old_description": "bio before the takeover",
    "old_location": "location before the takeover",
    "old_followers": "followers before the takeover",
    "old_client": "posting app on X before the takeover",
    "history_start_ms": "first post of the earlier life (0 if none)",
    "history_end_ms": "last post of the earlier life (0 if none)",
}

DEFAULT_AVATAR = "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"
_PROVINCE_CODES = list(nm.PROVINCES)
_PROVINCE_WEIGHTS = np.array([nm.PROVINCES[p][3] for p in _PROVINCE_CODES])


def _pick(rng: np.random.Generator, bank: list, n: int) -> list:
    return [bank[i] for i in rng.integers(0, len(bank), size=n)]


def _frame(n: int, **columns) -> pd.DataFrame:
    """An account frame of ``n`` rows with defaults for every field not given."""
    defaults = {
        "handle": "", "name": "", "created_ms": 0, "description": "", "location": "", "followers": 0, "following": 0,
        "listed": 0, "prior_posts": 0, "verified": False, "profile_image_url": DEFAULT_AVATAR, "url": "", "province": "",
        "tz": 0.0, "lang": "", "client": "", "mp_index": -1, "history_topic": "", "renamed": False, "old_handle": "",
        "old_name": "", "old_description": "", "old_location": "", "old_followers": 0, "old_client": "", "history_start_ms": 0,
        "history_end_ms": 0,
    }
    data = {}
    for field in ACCOUNT_FIELDS:
        value = columns.get(field, defaults.get(field))
        data[field] = value if isinstance(value, (list, np.ndarray, pd.Series)) else [value] * n
    frame = pd.DataFrame(data)
    for col in ("created_ms", "followers", "following", "listed", "prior_posts", "old_followers", "history_start_ms",
                "history_end_ms", "mp_index"):
        frame[col] = frame[col].astype(np.int64)
    return frame


def _avatars(rng: np.random.Generator, n: int, share_default: float) -> list[str]:
    """Profile image URLs; a share of them the platform's default egg/silhouette."""
    ids = rng.integers(10**17, 10**18, size=n)
    keys = rng.integers(0, 36**8, size=n)
    default = rng.random(n) < share_default
    return [DEFAULT_AVATAR if d else f"https://pbs.twimg.com/profile_images/{i}/{np.base_repr(k, 36).lower():0>8}_normal.jpg"
            for d, i, k in zip(default, ids, keys)]


def build_mps(rng: np.random.Generator) -> pd.DataFrame:
    """One X account and one Facebook page per fictional MP (``role = "mp"``)."""
    n = len(nm.MPS)
    created = ms("2009-03-01T00:00:00") + (rng.random(n) * (ms("2019-06-01T00:00:00") - ms("2009-03-01T00:00:00"))).astype(np.int64)
    prominence = np.array([m.prominence for m in nm.MPS])
    followers = (rng.lognormal(np.log(9000), 0.6, size=n) * prominence**1.3).astype(np.int64)
    x = _frame(
        n, platform="x", account_id=[str(i) for i in user_ids(rng, created)],
        handle=[nm.mp_x_handle(m) for m in nm.MPS], name=[m.name for m in nm.MPS], created_ms=created,
        description=[f"{m.party} Member of Parliament for a riding in {nm.PROVINCES[m.province][0]}."
                     + (f" {m.title}." if m.title else "") for m in nm.MPS],
        location=[nm.PROVINCES[m.province][4][0] + ", " + m.province for m in nm.MPS],
        followers=followers, following=rng.integers(300, 2500, size=n), listed=(followers // 40),
        prior_posts=rng.integers(2000, 15000, size=n), verified=True,
        profile_image_url=_avatars(rng, n, 0.0),
        role="mp", province=[m.province for m in nm.MPS], tz=[nm.PROVINCES[m.province][2] for m in nm.MPS],
        lang=["fr" if m.province == "QC" else "en" for m in nm.MPS], client="Twitter Web App", mp_index=np.arange(n),
    )
    page_ids = unique_numbers(rng, n, 100_000_000_000, 999_999_999_999_999)
    fb = _frame(
        n, platform="facebook", account_id=[str(i) for i in page_ids], handle=[nm.mp_facebook_handle(m) for m in nm.MPS],
        name=[m.name for m in nm.MPS], created_ms=created, followers=(followers * 0.7).astype(np.int64), verified=True,
        role="mp", province=[m.province for m in nm.MPS], tz=[nm.PROVINCES[m.province][2] for m in nm.MPS],
        lang=["fr" if m.province == "QC" else "en" for m in nm.MPS], mp_index=np.arange(n),
    )
    return pd.concat([x, fb], ignore_index=True)


def _ordinary_created(rng: np.random.Generator, n: int, platform: str, latest: str) -> np.ndarray:
    """Creation times spread over many years (more in the early 2010s and around 2020)."""
    years = np.arange(2007, 2024)
    if platform == "x":
        w = np.array([1, 3, 6, 7, 7, 6, 5, 4, 3.5, 3.5, 3.5, 3.5, 4, 5, 4, 4, 2.5])
    else:
        w = np.array([3, 6, 8, 8, 7, 6, 5, 4, 3.5, 3, 3, 3, 3, 3, 2.5, 2, 1.2])
    latest_ms = ms(latest)
    year = rng.choice(years, size=n, p=w / w.sum())
    start = np.array([ms(f"{y}-01-01T00:00:00") for y in year], dtype=np.int64)
    t = start + (rng.random(n) * 365 * DAY_MS).astype(np.int64)
    return np.minimum(t, latest_ms - (rng.random(n) * 400 * DAY_MS).astype(np.int64))


def _ordinary_names(rng: np.random.Generator, lang: np.ndarray) -> tuple[list[str], list[str], list[str]]:
    """(first, last, display name) for ordinary people writing in ``lang``."""
    n = len(lang)
    fr = lang == "fr"
    first_en, last_en = _pick(rng, nm.FIRST_EN, n), _pick(rng, nm.LAST_EN, n)
    first_fr, last_fr = _pick(rng, nm.FIRST_FR, n), _pick(rng, nm.LAST_FR, n)
    mixed_last = rng.random(n) < 0.12  # French surnames outside Quebec and vice versa
    first = [f if is_fr else e for is_fr, f, e in zip(fr, first_fr, first_en)]
    last = [(e if mx else f) if is_fr else (f if mx else e) for is_fr, mx, f, e in zip(fr, mixed_last, last_fr, last_en)]
    style = rng.choice(5, size=n, p=[0.72, 0.1, 0.08, 0.06, 0.04])
    display = []
    for s, f, l in zip(style, first, last):
        display.append([f"{f} {l}", f"{f} {l[0]}.", f, f"{f} {l} 🇨🇦", f"{f} {l}".upper()][s])
    return first, last, display


def _x_handles(rng: np.random.Generator, first: list[str], last: list[str], province: list[str], taken: set[str]) -> list[str]:
    n = len(first)
    style = rng.choice(6, size=n, p=[0.24, 0.16, 0.2, 0.16, 0.14, 0.1])
    digits = rng.integers(10, 100, size=n)
    years = rng.integers(1950, 2006, size=n)
    w1, w2 = _pick(rng, nm.HANDLE_WORDS, n), _pick(rng, nm.HANDLE_WORDS, n)
    out = []
    for s, f, l, d, y, a, b, p in zip(style, first, last, digits, years, w1, w2, province):
        f, l = nm.alnum(f), nm.alnum(l)
        out.append([f"{f}{l}".lower(), f"{f}_{l}", f"{f[0]}{l}{d}".lower(), f"{f}{y}", f"{a}{b}{d}", f"{f}_{p}"][s][:15])
    return nm.dedupe(out, taken)


def build_ordinary(rng: np.random.Generator, n_x: int, n_fb: int, role: str, *, latest: str = "2023-06-30T00:00:00",
                   taken: set[str] | None = None) -> pd.DataFrame:
    """Ordinary Canadians on X and Facebook.

    Args:
        rng: the simulation's random generator.
        n_x, n_fb: accounts per platform.
        role: ``organic``, ``advocacy``, ``viral`` or ``hyperactive`` (all authentic).
        latest: no account is created after this time.
        taken: usernames already in use (updated in place).

    Returns:
        Account frame (:data:`ACCOUNT_FIELDS`); ``province``, ``tz`` and ``lang`` set from a
        population-weighted home province (French mostly in Quebec and New Brunswick).
    """
    taken = set() if taken is None else taken
    frames = []
    for platform, n in (("x", n_x), ("facebook", n_fb)):
        if n <= 0:
            continue
        province = [_PROVINCE_CODES[i] for i in rng.choice(len(_PROVINCE_CODES), size=n, p=_PROVINCE_WEIGHTS / _PROVINCE_WEIGHTS.sum())]
        fr_share = np.array([nm.FRENCH_SHARE[p] for p in province])
        lang = np.where(rng.random(n) < fr_share, "fr", "en")
        first, last, display = _ordinary_names(rng, lang)
        created = _ordinary_created(rng, n, platform, latest)
        city = [nm.PROVINCES[p][4][i % len(nm.PROVINCES[p][4])] for p, i in zip(province, rng.integers(0, 1000, size=n))]
        has_bio = rng.random(n) < 0.55
        bio_index = rng.integers(0, 1000, size=n)
        bios = [fill(BIOS[lg][i % len(BIOS[lg])], city=c, prov=nm.PROVINCES[p][0]) if hb else ""
                for lg, i, c, p, hb in zip(lang, bio_index, city, province, has_bio)]
        loc_style = rng.choice(4, size=n, p=[0.45, 0.15, 0.1, 0.3])
        location = [[f"{c}, {p}", nm.PROVINCES[p][0], "Canada", ""][s] for s, c, p in zip(loc_style, city, province)]
        age_days = np.maximum((ms("2023-07-01T00:00:00") - created) / DAY_MS, 30)
        common = dict(
            platform=platform, created_ms=created, role=role, province=province,
            tz=[nm.PROVINCES[p][2] for p in province], lang=list(lang),
        )
        if platform == "x":
            handles = _x_handles(rng, first, last, province, taken)
            taken.update(h.lower() for h in handles)
            frames.append(_frame(
                n, account_id=[str(i) for i in user_ids(rng, created)], handle=handles, name=display,
                description=bios, location=location,
                followers=rng.lognormal(np.log(90), 1.4, size=n).astype(np.int64),
                following=rng.lognormal(np.log(180), 1.0, size=n).astype(np.int64),
                listed=rng.poisson(0.6, size=n),
                prior_posts=(rng.lognormal(np.log(0.6), 1.3, size=n) * age_days).astype(np.int64),
                profile_image_url=_avatars(rng, n, 0.06),
                client=_pick(rng, ["Twitter for iPhone"] * 9 + ["Twitter for Android"] * 7 + ["Twitter Web App"] * 4 + ["Twitter for iPad"], n),
                **common,
            ))
        else:
            vanity = rng.random(n) < 0.55
            suffix = rng.integers(1, 100, size=n)
            handles = [f"{nm.alnum(f).lower()}.{nm.alnum(l).lower()}" + (f".{s}" if s > 50 else "") if v else ""
                       for f, l, v, s in zip(first, last, vanity, suffix)]
            frames.append(_frame(
                n, account_id=[str(i) for i in facebook_profile_ids(rng, created)], handle=handles,
                name=[d.replace(" 🇨🇦", "").title() if d.isupper() else d.replace(" 🇨🇦", "") for d in display],
                followers=rng.lognormal(np.log(250), 0.9, size=n).astype(np.int64), **common,
            ))
    return pd.concat(frames, ignore_index=True) if frames else _frame(0, platform=[], account_id=[])


#: Batches in which the campaign's new accounts were registered (UTC dates; Beijing office hours).
CREATION_BATCHES = ["2023-06-13", "2023-06-20", "2023-06-28", "2023-07-06", "2023-07-13", "2023-07-20", "2023-07-27", "2023-08-02"]


def _batch_created(rng: np.random.Generator, n: int) -> np.ndarray:
    """Creation times in :data:`CREATION_BATCHES`: one account every few minutes within a batch."""
    batch = rng.integers(0, len(CREATION_BATCHES), size=n)
    created = np.empty(n, dtype=np.int64)
    for b, day in enumerate(CREATION_BATCHES):
        members = np.flatnonzero(batch == b)
        start = ms(f"{day}T01:30:00") + int(rng.random() * 4 * HOUR_MS)
        gaps = (rng.exponential(90_000, size=len(members)) + 20_000).astype(np.int64)
        created[members] = start + np.cumsum(gaps)
    return created // 1000 * 1000


def build_campaign_new(rng: np.random.Generator, n_x: int, n_fb: int, *, taken: set[str]) -> pd.DataFrame:
    """The campaign's newly created accounts (``role = "campaign_new"``).

    X usernames have the platform's default shape (name + 8 digits); bios are empty or
    generic; few or no followers; many keep the default avatar; accounts were registered
    in batches, minutes apart, weeks before the first post.
    """
    frames = []
    for platform, n in (("x", n_x), ("facebook", n_fb)):
        if n <= 0:
            continue
        first, last = _pick(rng, nm.WESTERN_FIRST, n), _pick(rng, nm.WESTERN_LAST, n)
        only_first = rng.random(n) < 0.15
        display = [f if o else f"{f} {l}" for f, l, o in zip(first, last, only_first)]
        created = _batch_created(rng, n)
        bio = [GENERIC_BIOS[i % len(GENERIC_BIOS)] if r < 0.3 else "" for r, i in zip(rng.random(n), rng.integers(0, 100, size=n))]
        common = dict(platform=platform, name=display, created_ms=created, role="campaign_new", tz=8.0)
        if platform == "x":
            handles = nm.dedupe(nm.western_handle(rng, display), taken)
            taken.update(h.lower() for h in handles)
            frames.append(_frame(
                n, account_id=[str(i) for i in user_ids(rng, created)], handle=handles, description=bio,
                followers=np.where(rng.random(n) < 0.75, 0, rng.integers(1, 12, size=n)),
                following=rng.poisson(5, size=n), prior_posts=rng.poisson(1.0, size=n),
                profile_image_url=_avatars(rng, n, 0.55),
                client=_pick(rng, ["Twitter Web App"] * 6 + ["Twitter for Android"], n), **common,
            ))
        else:
            frames.append(_frame(
                n, account_id=[str(i) for i in facebook_profile_ids(rng, created)],
                followers=rng.poisson(2, size=n), **common,
            ))
    return pd.concat(frames, ignore_index=True)


_HISTORY_TOPICS = ["indonesian", "kpop", "spam"]
_HISTORY_TZ = {"indonesian": 7.0, "kpop": 9.0, "spam": 8.0}


def _old_identities(rng: np.random.Generator, topic: list[str]) -> tuple[list[str], list[str], list[str], list[str]]:
    """(handle, display name, bio, location) of the hijacked accounts' earlier lives."""
    n = len(topic)
    f_id, l_id = _pick(rng, nm.INDONESIAN_FIRST, n), _pick(rng, nm.INDONESIAN_LAST, n)
    w1, w2 = _pick(rng, nm.KPOP_WORDS, n), _pick(rng, nm.KPOP_WORDS, n)
    s1 = _pick(rng, nm.SPAM_WORDS, n)
    digits = rng.integers(1, 100, size=n)
    handles, display, bio, loc = [], [], [], []
    for t, f, l, a, b, s, d in zip(topic, f_id, l_id, w1, w2, s1, digits):
        if t == "indonesian":
            handles.append(f"{f.lower()}{l.lower()[:5]}{d}"[:15])
            display.append(f"{f} {l}")
            bio.append(["Anak kos | kopi dan senja ☕", "Hidup itu indah 🌸", "Mahasiswi | Bandung", ""][d % 4])
            loc.append(["Jakarta, Indonesia", "Bandung", "Surabaya", "Indonesia", ""][d % 5])
        elif t == "kpop":
            handles.append(f"{a}_{b}{d}"[:15])
            display.append(f"{a} 💜 {b}" if d % 2 else f"{a.upper()} fan")
            bio.append(["stan talent 💜", "fan account | not affiliated", "moon & stars ✨", "OT9 forever"][d % 4])
            loc.append(["Seoul", "Jakarta", "Manila", "she/her", ""][d % 5])
        else:
            handles.append(f"{s}{d}_{a}"[:15])
            display.append(f"{s.title()} Daily")
            bio.append(["DM for promo 💰", "Follow back 100%", "Best deals every day", "Crypto | NFT | giveaways"][d % 4])
            loc.append(["", "Worldwide", "USA", ""][d % 4])
    return handles, display, bio, loc


def build_campaign_hijacked(rng: np.random.Generator, n_x: int, n_fb: int, *, taken: set[str]) -> pd.DataFrame:
    """The campaign's hijacked accounts (``role = "campaign_hijacked"``).

    Old accounts (created 2010–2019) with an earlier life in another topic and language
    (Indonesian chatter, K-pop fandom, spam) that ended at least a year before the
    campaign; about two thirds were renamed (new Western name, bio wiped) before reuse.
    """
    frames = []
    for platform, n in (("x", n_x), ("facebook", n_fb)):
        if n <= 0:
            continue
        topic = [_HISTORY_TOPICS[i] for i in rng.choice(3, size=n, p=[0.45, 0.35, 0.2])]
        created = ms("2010-06-01T00:00:00") + (rng.random(n) * (ms("2019-06-01T00:00:00") - ms("2010-06-01T00:00:00"))).astype(np.int64)
        hist_start = np.maximum(created + 30 * DAY_MS, ms("2019-01-01T00:00:00")) + (rng.random(n) * 500 * DAY_MS).astype(np.int64)
        hist_end = np.minimum(hist_start + (rng.uniform(120, 700, size=n) * DAY_MS).astype(np.int64), ms("2022-06-30T00:00:00"))
        hist_start = np.minimum(hist_start, hist_end - 60 * DAY_MS)
        old_handle, old_name, old_bio, old_loc = _old_identities(rng, topic)
        renamed = rng.random(n) < 0.65
        first, last = _pick(rng, nm.WESTERN_FIRST, n), _pick(rng, nm.WESTERN_LAST, n)
        new_name = [f"{f} {l}" for f, l in zip(first, last)]
        old_followers = rng.lognormal(np.log(160), 1.1, size=n).astype(np.int64)
        common = dict(
            platform=platform, created_ms=created, role="campaign_hijacked", tz=8.0, history_topic=topic, renamed=renamed,
            old_name=old_name, old_description=old_bio, old_location=old_loc, old_followers=old_followers,
            old_client=[{"indonesian": "Twitter for Android", "kpop": "Twitter for iPhone", "spam": "IFTTT"}[t] for t in topic],
            history_start_ms=hist_start, history_end_ms=hist_end,
            name=[nn if r else o for nn, o, r in zip(new_name, old_name, renamed)],
        )
        if platform == "x":
            old_handle = nm.dedupe(old_handle, taken)
            taken.update(h.lower() for h in old_handle)
            shape = rng.random(n) < 0.5
            fresh = nm.western_handle(rng, new_name)
            alt = [f"{f}{l}{d}"[:15] for f, l, d in zip(first, last, rng.integers(10, 100, size=n))]
            new_handle = nm.dedupe([(a if s else b) if r else "" for a, b, s, r in zip(fresh, alt, shape, renamed)], taken)
            handle = [h if r else o for h, o, r in zip(new_handle, old_handle, renamed)]
            taken.update(h.lower() for h in handle)
            keep_bio = rng.random(n) < 0.5
            frames.append(_frame(
                n, account_id=[str(i) for i in user_ids(rng, created)], handle=handle, old_handle=old_handle,
                description=["" if r else (b if k else "") for r, b, k in zip(renamed, old_bio, keep_bio)],
                location=["" if r else loc for r, loc in zip(renamed, old_loc)],
                followers=(old_followers * rng.uniform(0.85, 1.0, size=n)).astype(np.int64),
                following=rng.lognormal(np.log(300), 0.8, size=n).astype(np.int64),
                listed=rng.poisson(0.3, size=n), prior_posts=rng.integers(50, 900, size=n),
                profile_image_url=_avatars(rng, n, 0.2),
                client=_pick(rng, ["Twitter Web App"] * 6 + ["Twitter for Android"], n), **common,
            ))
        else:
            frames.append(_frame(
                n, account_id=[str(i) for i in facebook_profile_ids(rng, created)],
                followers=(old_followers * 0.5).astype(np.int64), **common,
            ))
    return pd.concat(frames, ignore_index=True)


def history_page_ids(rng: np.random.Generator) -> dict[str, str]:
    """Facebook page ids of the pages the hijacked accounts used to comment on (topic -> id)."""
    ids = unique_numbers(rng, len(HISTORY_FACEBOOK_PAGES), 100_000_000_000_000, 110_000_000_000_000)
    return {topic: str(i) for topic, i in zip(HISTORY_FACEBOOK_PAGES, ids)}


#: Accounts per role at scale 1: (on X, on Facebook), and the minimum kept at small scales.
ROLE_COUNTS = {
    "organic": ((12_000, 9_000), 40),
    "advocacy": ((180, 120), 4),
    "viral": ((170, 80), 4),
    "hyperactive": ((4, 2), 1),
    "campaign_new": ((130, 70), 4),
    "campaign_hijacked": ((60, 40), 3),
}


def role_counts(scale: float) -> dict[str, tuple[int, int]]:
    """Accounts per role and platform at ``scale`` (each at least the role's minimum)."""
    return {role: tuple(max(minimum, int(round(n * scale))) for n in per_platform)
            for role, (per_platform, minimum) in ROLE_COUNTS.items()}


def build_accounts(rng: np.random.Generator, scale: float) -> pd.DataFrame:
    """Every account of the simulation: MPs, ordinary people, the campaign.

    Args:
        rng: the simulation's random generator.
        scale: multiplies the number of accounts of every role except the 50 MPs.

    Returns:
        Account frame with :data:`ACCOUNT_FIELDS`, MPs first; X usernames unique.
    """
    counts = role_counts(scale)
    mps = build_mps(rng)
    taken = {h.lower() for h in mps.loc[mps["platform"] == "x", "handle"]}
    frames = [mps]
    for role in ("organic", "advocacy", "viral", "hyperactive"):
        latest = "2023-06-30T00:00:00" if role == "organic" else "2022-06-30T00:00:00"
        frames.append(build_ordinary(rng, *counts[role], role, latest=latest, taken=taken))
    frames.append(build_campaign_new(rng, *counts["campaign_new"], taken=taken))
    frames.append(build_campaign_hijacked(rng, *counts["campaign_hijacked"], taken=taken))
    accounts = pd.concat(frames, ignore_index=True)
    # ids drawn by separate calls may (rarely) meet: move later duplicates up by one
    while accounts.duplicated(["platform", "account_id"]).any():
        dup = accounts.duplicated(["platform", "account_id"]).to_numpy()
        accounts.loc[dup, "account_id"] = [str(int(i) + 1) for i in accounts.loc[dup, "account_id"]]
    return accounts
