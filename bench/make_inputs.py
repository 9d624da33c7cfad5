"""Seeded synthetic inputs for the load benchmark, streamed to disk.

Two generators, each writing one file record by record: no list of the file's records
is ever held in memory, only pools of accounts (a tenth of the posts, or a fiftieth for
the archive) and of popular tweets (a fiftieth); about 150 MB resident at 1 M posts.

* :func:`write_twarc2_pages`: twarc2 JSONL, one raw X API v2 search response per line
  (``data`` of up to 100 tweets, ``includes.users`` / ``includes.tweets`` /
  ``includes.media``, ``meta``, occasional ``errors``, and twarc's ``__twarc`` provenance),
  with tweet objects shaped like the real sample ``noflat.jsonl``: snowflake ids that
  encode ``created_at``, texts of realistic length in several scripts, ``entities`` with
  hashtags / mentions / urls / annotations whose ``start``/``end`` match the text,
  ``context_annotations``, ``public_metrics``, ``referenced_tweets`` for retweets,
  replies and quotes, and ``note_tweet`` for long posts.
* :func:`write_io_archive_tweets`: the X information-operations archive tweets CSV
  (the 30 columns of the Thailand 09/2020 release, every field double-quoted, LF line
  ends, hashed user ids, Python list literals for hashtags / urls / user_mentions, and
  about a quarter of the texts spanning several lines).

The same ``(n_posts, seed)`` always gives byte-identical files.

Usage::

    .venv/bin/python bench/make_inputs.py --posts 100000 --out bench/data
"""

from __future__ import annotations

import argparse
import base64
import csv
import dataclasses
import datetime as dt
import hashlib
import json
import random
import re
import time
import zlib
from pathlib import Path

from toolkit.load.io_archive import IO_TWEETS_FILE_COLUMNS

#: Version of the generators; bump when their output changes (cached files are then rebuilt).
GENERATOR_VERSION = 1

#: Twitter's snowflake epoch, milliseconds since 1970-01-01T00:00:00Z.
SNOWFLAKE_EPOCH_MS = 1_288_834_974_657
#: Newest post time of the twarc2 collection; pages walk backwards from here, like search.
PAGES_NEWEST = dt.datetime(2023, 3, 1, tzinfo=dt.timezone.utc)
#: Newest post time of the IO archive; rows walk backwards from here.
ARCHIVE_NEWEST = dt.datetime(2020, 7, 20, tzinfo=dt.timezone.utc)
#: Mean seconds between two consecutive posts of a collection.
MEAN_GAP_SECONDS = 1.5
#: Tweets per API response page (the X API v2 maximum for search).
PAGE_SIZE = 100

IO_ARCHIVE_COLUMNS = IO_TWEETS_FILE_COLUMNS  # the release's 30 columns, in order

_WORDS = {
    "en": ("the people government election vote today news army official report watch video must read "
           "breaking truth media freedom country support share now why how never always again great "
           "leaders protest economy jobs war peace health vaccine border police court law rights "
           "democracy fake really people's statement minister parliament press live update").split(),
    "es": ("el la los gobierno elecciones votar hoy noticias ejército oficial informe mira vídeo verdad "
           "medios libertad país apoyo comparte ahora por qué nunca siempre otra vez grandes líderes "
           "protesta economía trabajo guerra paz salud frontera policía derechos democracia ministro").split(),
    "pt": ("o a governo eleição votar hoje notícias exército oficial relatório veja vídeo verdade mídia "
           "liberdade país apoio compartilhe agora porque nunca sempre de novo líderes protesto economia").split(),
    "th": ("กองทัพบก ประชาชน รัฐบาล เลือกตั้ง ข่าว วันนี้ ความจริง ประเทศไทย สนับสนุน แชร์ ทหาร "
           "ประชาธิปไตย เศรษฐกิจ สันติภาพ สุขภาพ ตำรวจ ศาล กฎหมาย สิทธิ นายกรัฐมนตรี รัฐสภา อนาคตใหม่").split(),
    "ja": ("政府 選挙 投票 今日 ニュース 公式 報告 動画 真実 メディア 自由 国 支持 共有 今 なぜ "
           "平和 経済 仕事 健康 警察 裁判所 法律 権利 民主主義 大臣 国会").split(),
}
#: Share of each language among generated posts (``und``: emoji and links only).
_LANGS = (("en", 0.45), ("es", 0.15), ("pt", 0.08), ("th", 0.17), ("ja", 0.07), ("und", 0.08))
_EMOJI = "🙏 😂 🔥 👏 ❤️ 🇹🇭 🇺🇸 🇧🇷 💯 😡 ✅ 👇 📢 🤔".split()
_CLIENTS = ("Twitter for Android", "Twitter for iPhone", "Twitter Web App", "TweetDeck",
            "Twitter for iPad", "Cheap Bots, Done Quick!", "dlvr.it")
_DOMAINS = ("www.thegatewaypundit.com", "www.bangkokpost.com", "youtu.be", "www.facebook.com",
            "www.thaipost.net", "elpais.com", "www.reuters.com", "g1.globo.com", "www.nhk.or.jp", "bit.ly")
_CONTEXT = (
    ({"id": "10", "name": "Person", "description": "Named people in the world like Nelson Mandela"},
     {"id": "10038764303", "name": "Barack Obama", "description": "Former US President Barack Obama"}),
    ({"id": "35", "name": "Politician", "description": "Politicians in the world, like Joe Biden"},
     {"id": "10040395078", "name": "Joe Biden", "description": "US President Joe Biden"}),
    ({"id": "123", "name": "Ongoing News Story", "description": "Ongoing News Stories like 'Brexit'"},
     {"id": "1220701888179359745", "name": "COVID-19", "description": "The COVID-19 pandemic"}),
    ({"id": "46", "name": "Business Taxonomy", "description": "Categories within Brand Verticals"},
     {"id": "1557696940178935808", "name": "Gaming Business", "description": "Brands, companies, gaming"}),
    ({"id": "66", "name": "Interests and Hobbies Category", "description": "A grouping of interests"},
     {"id": "847544972781826048", "name": "Political news", "description": "Political news"}),
)
_ENTITY_TYPES = ("Person", "Place", "Organization", "Product", "Other")
_TCO = re.compile(r"https://t\.co/[A-Za-z0-9]{10}")
_TAG = re.compile(r"(?<![\w#])#([^\s#@…]+)")
_MENTION = re.compile(r"(?<![\w@])@(\w+)")
_B62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclasses.dataclass(frozen=True)
class GeneratedFile:
    """What a generator wrote.

    Attributes:
        path: the file.
        posts: posts in the file's main records (``data`` tweets, or CSV rows).
        records: top-level records (pages, or CSV rows).
        size_bytes: file size in bytes.
        seconds: wall-clock time to generate it, in seconds.
    """

    path: str
    posts: int
    records: int
    size_bytes: int
    seconds: float


# -- shared helpers ----------------------------------------------------------------------------
def snowflake(time_ms: int, sequence: int) -> int:
    """An X snowflake id for a post created at ``time_ms`` (ms since the Unix epoch)."""
    return ((time_ms - SNOWFLAKE_EPOCH_MS) << 22) | (sequence & 0x3FFFFF)


def _pick_lang(rng: random.Random) -> str:
    x = rng.random()
    for lang, share in _LANGS:
        x -= share
        if x < 0:
            return lang
    return _LANGS[-1][0]


def _skewed(rng: random.Random, n: int, power: float = 2.5) -> int:
    """An index in [0, n) drawn with a heavy head (a few accounts or posts get most of the activity)."""
    return int(n * rng.random() ** power)


def _tco(rng: random.Random) -> str:
    return "https://t.co/" + "".join(rng.choices(_B62, k=10))


def _expanded(tco: str) -> str:
    """The destination of a t.co link, derived from the link itself (stable across pages)."""
    code = zlib.crc32(tco.encode())
    return f"https://{_DOMAINS[code % len(_DOMAINS)]}/{2019 + code % 5}/{code % 97:02d}/story-{code:x}?utm_source=twitter"


def _body(rng: random.Random, lang: str, n_chars: int) -> str:
    """Running text of about ``n_chars`` characters in ``lang``, with hashtags and emoji mixed in."""
    words = _WORDS.get(lang, _WORDS["en"])
    sep = "" if lang == "ja" else " "
    parts: list[str] = []
    length = 0
    while length < n_chars:
        r = rng.random()
        if r < 0.06:
            token = "#" + rng.choice(words).replace("'", "") + rng.choice(("", "", "2020", "News", "TH"))
        elif r < 0.10:
            token = rng.choice(_EMOJI)
        elif lang == "und":
            token = rng.choice(_EMOJI)
        else:
            token = rng.choice(words)
        parts.append(token)
        length += len(token) + len(sep)
        if lang != "ja" and rng.random() < 0.015:
            parts.append("\n" if rng.random() < 0.7 else "\n\n")
    text = sep.join(parts).replace(" \n ", "\n").replace(" \n\n ", "\n\n").strip()
    return text[:1].upper() + text[1:] if lang in ("en", "es", "pt") else text


def _text_length(rng: random.Random) -> int:
    """Characters of a post's own text: short posts common, the 280-character limit reached often."""
    return min(280, max(12, int(rng.lognormvariate(4.4, 0.6))))


# -- twarc2 response pages --------------------------------------------------------------------
@dataclasses.dataclass
class _User:
    id: str
    username: str
    json: str


@dataclasses.dataclass
class _Tweet:
    id: str
    author: int
    text: str
    lang: str
    json: str
    media_keys: tuple[str, ...] = ()


class _PagesWorld:
    """Fixed pools shared by all pages: accounts, and popular tweets that get retweeted, quoted
    or replied to (so the same referenced tweet reappears in ``includes.tweets`` of many pages)."""

    def __init__(self, n_posts: int, seed: int):
        self.rng = random.Random(seed)
        self.sequence = 0
        self.n_users = max(2_000, n_posts // 10)
        self.n_popular = max(500, n_posts // 50)
        self.users = [self._user(i) for i in range(self.n_users)]
        self.user_by_name = {u.username: i for i, u in enumerate(self.users)}
        self.popular: list[_Tweet] = []
        oldest_ms = int(PAGES_NEWEST.timestamp() * 1000) - int(n_posts * MEAN_GAP_SECONDS * 1000)
        for _ in range(self.n_popular):  # older than every post of the collection
            when = oldest_ms - self.rng.randrange(60_000, 14 * 86_400_000)
            author = _skewed(self.rng, self.n_users)
            self.popular.append(self.tweet(when, author, kind="original", metrics_scale=500))

    def _user(self, index: int) -> _User:
        rng = self.rng
        lang = _pick_lang(rng)
        first = rng.choice(_WORDS["en"]).replace("'", "")
        username = f"{first}{rng.choice(('', '_', 'x'))}{index}"[:15]
        created = dt.datetime(2007, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(seconds=rng.randrange(16 * 365 * 86_400))
        created_ms = int(created.timestamp() * 1000)
        snowflake_ids = created_ms > SNOWFLAKE_EPOCH_MS + 86_400_000 * 365 * 4  # accounts since ~2015
        user_id = str(snowflake(created_ms, index) if snowflake_ids else rng.randrange(10**6, 4 * 10**9))
        obj = {
            "id": user_id,
            "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "name": f"{first.title()} {rng.choice(_WORDS['en']).title()}",
            "username": username,
            "public_metrics": {"followers_count": int(rng.paretovariate(1.1) * 20), "following_count": rng.randrange(5000),
                               "tweet_count": rng.randrange(200_000), "listed_count": rng.randrange(50)},
            "url": "" if rng.random() < 0.7 else _tco(rng),
            "verified": rng.random() < 0.02,
            "protected": False,
            "description": _body(rng, lang, rng.randrange(0, 160)) if rng.random() < 0.8 else "",
            "location": rng.choice(("", "", "Bangkok", "Madrid", "São Paulo", "Tokyo", "USA", "Earth 🌍")),
            "profile_image_url": f"https://pbs.twimg.com/profile_images/{rng.randrange(10**18)}/{username}_normal.jpg",
        }
        return _User(user_id, username, json.dumps(obj))

    def next_id(self, time_ms: int) -> str:
        self.sequence += 1
        return str(snowflake(time_ms, self.sequence))

    def tweet(self, time_ms: int, author: int, *, kind: str, ref: _Tweet | None = None,
              metrics_scale: int = 3) -> _Tweet:
        """One tweet object: ``kind`` is original, retweet (of ``ref``), reply (to ``ref``) or quote (of ``ref``)."""
        rng = self.rng
        lang = ref.lang if kind == "retweet" else _pick_lang(rng)
        tweet_id = self.next_id(time_ms)
        obj: dict = {}
        note = None
        if kind == "retweet":
            ref_user = self.users[ref.author]
            text = f"RT @{ref_user.username}: {ref.text}"
            if len(text) > 140:
                text = text[:139] + "…"
        else:
            text = _body(rng, lang, _text_length(rng))
            if kind == "reply":
                targets = [self.users[ref.author].username] + [self.users[_skewed(rng, self.n_users)].username
                                                               for _ in range(rng.choice((0, 0, 0, 1, 2)))]
                text = " ".join("@" + t for t in targets) + " " + text
            elif rng.random() < 0.15:
                text += " @" + self.users[_skewed(rng, self.n_users)].username
            if kind == "original" and rng.random() < 0.03:  # a long post: truncated text, full note_tweet
                note = text + "\n\n" + _body(rng, lang, rng.randrange(300, 2000))
                text = note[:274] + "… " + _tco(rng)
            elif rng.random() < 0.35:
                text += " " + _tco(rng)
            if kind == "quote":
                text += f" https://twitter.com/{self.users[ref.author].username}/status/{ref.id}"
        if kind == "retweet":
            obj["referenced_tweets"] = [{"type": "retweeted", "id": ref.id}]
        elif kind == "reply":
            obj["referenced_tweets"] = [{"type": "replied_to", "id": ref.id}]
            obj["in_reply_to_user_id"] = self.users[ref.author].id
        elif kind == "quote":
            obj["referenced_tweets"] = [{"type": "quoted", "id": ref.id}]
        obj["source"] = rng.choice(_CLIENTS)
        if rng.random() < 0.4:
            obj["context_annotations"] = [{"domain": d, "entity": e} for d, e in rng.sample(_CONTEXT, rng.randrange(1, 4))]
        obj["possibly_sensitive"] = rng.random() < 0.02
        obj["conversation_id"] = ref.id if kind == "reply" else tweet_id
        s = metrics_scale
        obj["public_metrics"] = {"retweet_count": int(rng.paretovariate(1.3) * s) - s, "reply_count": rng.randrange(s),
                                 "like_count": int(rng.paretovariate(1.2) * s) - s, "quote_count": rng.randrange(s) // 2}
        obj["lang"] = lang if lang != "und" else "qme"
        obj["id"] = tweet_id
        entities = self._entities(text)
        if entities:
            obj["entities"] = entities
        media_keys: tuple[str, ...] = ()
        if kind != "retweet" and rng.random() < 0.15:
            media_keys = (f"3_{tweet_id}",)
            obj["attachments"] = {"media_keys": list(media_keys)}
        obj["author_id"] = self.users[author].id
        obj["reply_settings"] = "everyone"
        obj["created_at"] = dt.datetime.fromtimestamp(time_ms / 1000, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        obj["text"] = text
        if note is not None:
            obj["note_tweet"] = {"text": note}
        return _Tweet(tweet_id, author, text, lang, json.dumps(obj), media_keys)

    def _entities(self, text: str) -> dict:
        """X API v2 ``entities`` of a text, with character offsets into it."""
        rng = self.rng
        entities: dict = {}
        urls = []
        for m in _TCO.finditer(text):
            expanded = _expanded(m.group())
            url = {"start": m.start(), "end": m.end(), "url": m.group(), "expanded_url": expanded,
                   "display_url": expanded.removeprefix("https://")[:26] + "…"}
            if rng.random() < 0.5:
                url.update({"images": [{"url": f"https://pbs.twimg.com/news_img/{zlib.crc32(expanded.encode())}/x?format=jpg&name=orig",
                                        "width": 750, "height": 457}],
                            "status": 200, "title": "Story " + expanded[-8:],
                            "description": "A linked article about the story, as the site's preview card describes it.",
                            "unwound_url": expanded})
            urls.append(url)
        if urls:
            entities["urls"] = urls
        tags = [{"start": m.start(), "end": m.end(), "tag": m.group(1)} for m in _TAG.finditer(text)]
        if tags:
            entities["hashtags"] = tags
        mentions = []
        for m in _MENTION.finditer(text):
            index = self.user_by_name.get(m.group(1))
            mention = {"start": m.start(), "end": m.end(), "username": m.group(1)}
            if index is not None:
                mention["id"] = self.users[index].id
            mentions.append(mention)
        if mentions:
            entities["mentions"] = mentions
        if rng.random() < 0.3 and len(text) > 20:
            start = rng.randrange(len(text) - 10)
            entities["annotations"] = [{"start": start, "end": start + 5, "probability": round(rng.random(), 4),
                                        "type": rng.choice(_ENTITY_TYPES), "normalized_text": text[start:start + 6]}]
        return entities


def write_twarc2_pages(path: str | Path, *, n_posts: int, seed: int = 1) -> GeneratedFile:
    """Write ``n_posts`` tweets as twarc2 raw response pages (JSONL, ``PAGE_SIZE`` tweets a line).

    Args:
        path: output file (overwritten).
        n_posts: tweets in the pages' ``data`` arrays (referenced tweets in ``includes.tweets``
            come on top; many of them repeat across pages, as in real collections).
        seed: random seed; the same seed and ``n_posts`` give identical bytes.

    Returns:
        What was written (``records`` = pages).
    """
    started = time.perf_counter()
    world = _PagesWorld(n_posts, seed)
    rng = world.rng
    now_ms = int(PAGES_NEWEST.timestamp() * 1000)
    query = "(election OR vote OR #news) -is:nullcast"
    pages = 0
    written = 0
    path = Path(path)
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        while written < n_posts:
            size = min(PAGE_SIZE, n_posts - written)
            tweets: list[_Tweet] = []
            referenced: dict[str, _Tweet] = {}
            for _ in range(size):
                now_ms -= int(rng.expovariate(1 / MEAN_GAP_SECONDS) * 1000) + 1
                author = _skewed(rng, world.n_users)
                r = rng.random()
                kind = "retweet" if r < 0.40 else "reply" if r < 0.60 else "quote" if r < 0.67 else "original"
                ref = world.popular[_skewed(rng, world.n_popular)] if kind != "original" else None
                if ref is not None:
                    referenced.setdefault(ref.id, ref)
                tweets.append(world.tweet(now_ms, author, kind=kind, ref=ref))
            user_ids: dict[int, None] = {}
            for t in tweets + list(referenced.values()):
                user_ids.setdefault(t.author)
                for name in _MENTION.findall(t.text):
                    if name in world.user_by_name:
                        user_ids.setdefault(world.user_by_name[name])
            media = [json.dumps({"media_key": key, "type": "photo", "width": 1200, "height": 675,
                                 "url": f"https://pbs.twimg.com/media/{key[2:]}.jpg"})
                     for t in tweets for key in t.media_keys]
            retrieved = dt.datetime.fromtimestamp(PAGES_NEWEST.timestamp() + 3600 + pages * 2, dt.timezone.utc)
            meta = {"newest_id": tweets[0].id, "oldest_id": tweets[-1].id, "result_count": size,
                    "next_token": "".join(rng.choices(_B62[:36], k=45))}
            twarc = {"url": "https://api.twitter.com/2/tweets/search/all?expansions=author_id%2Creferenced_tweets.id"
                            "%2Centities.mentions.username%2Cin_reply_to_user_id%2Cattachments.media_keys"
                            f"&max_results=100&query={query.replace(' ', '+')}"
                            + (f"&next_token={meta['next_token']}" if pages else ""),
                     "version": "2.14.0", "retrieved_at": retrieved.isoformat(timespec="seconds")}
            parts = ['{"data": [', ", ".join(t.json for t in tweets), '], "includes": {"users": [',
                     ", ".join(world.users[i].json for i in user_ids), '], "tweets": [',
                     ", ".join(t.json for t in referenced.values()), '], "media": [', ", ".join(media), "]}"]
            if rng.random() < 0.05:
                missing = rng.randrange(10**18, 10**19)
                parts.append(', "errors": [' + json.dumps({
                    "value": str(missing), "detail": f"Could not find tweet with referenced_tweets.id: [{missing}].",
                    "title": "Not Found Error", "resource_type": "tweet", "parameter": "referenced_tweets.id",
                    "resource_id": str(missing), "type": "https://api.twitter.com/2/problems/resource-not-found"}) + "]")
            parts.append(', "meta": ' + json.dumps(meta) + ', "__twarc": ' + json.dumps(twarc) + "}\n")
            out.write("".join(parts))
            written += size
            pages += 1
    return GeneratedFile(str(path), n_posts, pages, path.stat().st_size, time.perf_counter() - started)


# -- X information-operations archive -------------------------------------------------------
def _hashed_id(seed: int, index: int) -> str:
    """A hashed account id as in the hashed releases: base64 of a SHA-256 (44 characters)."""
    return base64.b64encode(hashlib.sha256(f"{seed}:{index}".encode()).digest()).decode()


def write_io_archive_tweets(path: str | Path, *, n_posts: int, seed: int = 1) -> GeneratedFile:
    """Write ``n_posts`` rows of an X information-operations archive tweets CSV.

    Args:
        path: output file (overwritten).
        n_posts: data rows (the header comes on top).
        seed: random seed; the same seed and ``n_posts`` give identical bytes.

    Returns:
        What was written (``records`` = data rows).
    """
    started = time.perf_counter()
    rng = random.Random(seed)
    n_accounts = max(500, n_posts // 50)
    accounts = []
    for i in range(n_accounts):  # the network's accounts: mostly hashed, a few large ones named
        hashed = rng.random() < 0.95
        uid = _hashed_id(seed, i) if hashed else str(rng.randrange(10**8, 10**18))
        created = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(5 * 365))
        lang = rng.choice(("th", "th", "en"))
        accounts.append((
            uid, uid if hashed else f"Army {rng.choice(_WORDS['en']).title()}", uid if hashed else f"army_pr_{i}",
            "" if rng.random() < 0.8 else rng.choice(("Bangkok", "Thailand", "ประเทศไทย")),
            "" if rng.random() < 0.6 else _body(rng, "th", rng.randrange(10, 120)),
            "" if rng.random() < 0.9 else _tco(rng),
            str(int(rng.paretovariate(1.5)) - 1 if hashed else rng.randrange(5000, 500_000)),
            str(rng.randrange(300)), created.isoformat(), lang,
        ))
    targets = [str(rng.randrange(10**7, 10**19)) for _ in range(300)]  # accounts outside the network
    handles = [f"pr_{rng.choice(_WORDS['en'])}_{i}"[:15] for i in range(300)]
    now = int(ARCHIVE_NEWEST.timestamp())
    sequence = 0
    recent: list[tuple[str, str, str]] = []  # (tweetid, userid index, text) of recent own tweets
    path = Path(path)
    with open(path, "w", encoding="utf-8", newline="") as stream:
        out = csv.writer(stream, quoting=csv.QUOTE_ALL, lineterminator="\n")
        out.writerow(IO_ARCHIVE_COLUMNS)
        for _ in range(n_posts):
            now -= int(rng.expovariate(1 / (MEAN_GAP_SECONDS * 40))) + 1
            sequence += 1
            tweet_id = str(snowflake(now * 1000, sequence))
            a = _skewed(rng, n_accounts, 1.8)
            account = accounts[a]
            lang = rng.choice(("th", "th", "th", "th", "und", "en"))
            r = rng.random()
            in_reply_user = in_reply_tweet = quoted = rt_user = rt_tweet = ""
            mentions: list[str] = []
            if r < 0.50 and recent:  # a retweet of one of the network's own recent tweets
                rt_tweet, source_account, original = recent[_skewed(rng, len(recent), 1.5)]
                rt_user = "" if accounts[int(source_account)][0].endswith("=") else accounts[int(source_account)][0]
                handle = rng.choice(handles)
                text = f"RT @{handle}: {original}"
                text = text if len(text) <= 140 else text[:139] + "…"
                mentions.append(rng.choice(targets))
            else:
                text = _body(rng, lang, min(280, max(8, int(rng.lognormvariate(4.2, 0.7)))))
                if r < 0.75:  # a reply to an outside account
                    k = rng.randrange(len(targets))
                    in_reply_user, in_reply_tweet = targets[k], str(snowflake((now - rng.randrange(60, 86_400)) * 1000, k))
                    text = f"@{handles[k]} " + text
                    mentions.append(targets[k])
                elif r < 0.78:
                    quoted = str(snowflake((now - rng.randrange(60, 86_400)) * 1000, sequence + 1))
                if rng.random() < 0.12 and "\n" not in text:
                    text += rng.choice(("\n", "\n\n", "\n----------------------------\n")) + _body(rng, lang, rng.randrange(20, 120))
                if rng.random() < 0.12:
                    text += " " + _tco(rng)
                if rng.random() < 0.03:
                    text = f'"{text}"'
                recent.append((tweet_id, str(a), text))
                if len(recent) > 2_000:
                    del recent[:1_000]
            hashtags = [m for m in _TAG.findall(text)]
            urls = [_expanded(u) for u in _TCO.findall(text)]
            out.writerow((
                tweet_id, *account[:10], lang, text,
                dt.datetime.fromtimestamp(now, dt.timezone.utc).strftime("%Y-%m-%d %H:%M"),
                rng.choice(_CLIENTS[:4]), in_reply_user, in_reply_tweet, quoted,
                "true" if rt_tweet else "false", rt_user, rt_tweet, "absent", "absent",
                str(rng.randrange(3)), str(rng.randrange(3)), str(int(rng.paretovariate(2)) - 1),
                str(int(rng.paretovariate(1.5)) - 1), repr(hashtags), repr(urls), repr(mentions),
            ))
    return GeneratedFile(str(path), n_posts, n_posts, path.stat().st_size, time.perf_counter() - started)


def main(argv: list[str] | None = None) -> None:
    """Command line: write both benchmark inputs into a directory."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=100_000, help="posts per file (default 100000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", default="bench/data", help="output directory (default bench/data)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for written in (write_twarc2_pages(out / f"twarc2_pages_{args.posts}.jsonl", n_posts=args.posts, seed=args.seed),
                    write_io_archive_tweets(out / f"io_archive_tweets_{args.posts}.csv", n_posts=args.posts, seed=args.seed)):
        print(f"{written.path}: {written.posts:,} posts, {written.records:,} records, "
              f"{written.size_bytes / 1e6:,.1f} MB in {written.seconds:.1f} s")


if __name__ == "__main__":
    main()
