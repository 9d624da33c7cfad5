"""Seeded synthetic comments with copy-paste squads and their ground truth (near-duplicate benchmark).

:func:`write_near_posts` streams two Parquet files, chunk by chunk (memory does not grow with
the number of posts):

* ``posts.parquet``, a canonical post table (``platform, post_id, account_id, created_at,
  text, reply_to_account_id``) that ``toolkit.load.load_files`` reads as it is;
* ``truth.parquet``, one row per post (``post_id, squad_id, squad_size, copy_index,
  edits``): ``squad_id`` is NULL for an organic post, otherwise the copy group it belongs
  to, and ``edits`` lists the light edits that made this copy (empty: a verbatim copy).

Organic posts are comment-like texts of 10-40 words. Each word comes either from a global
vocabulary (:data:`VOCABULARY_SIZE` words: 120 English function words, then pronounceable
pseudo-words, about 1% of them accented) with Zipf frequencies (exponent 1), or, with
probability :data:`TOPIC_SHARE`, from the vocabulary of the post's topic (one of
:data:`N_TOPICS`: the target it replies to), so that comments on one target share words.
Texts are capitalised, punctuated, and some carry an @mention, a URL, a hashtag, a number or
an emoji, as comments do.

About :data:`SQUAD_SHARE` of all posts are copies: squads of 5-50 accounts post one base
message within :data:`SQUAD_MINUTES` minutes, each copy lightly edited (0-3 edits of four
kinds: a word swapped for another, a typo, punctuation or an emoji, a name inserted).

The same ``(n_posts, seed)`` always gives identical files: chunk ``i`` is generated from
the seed sequence ``(seed, i)`` alone.

Usage::

    .venv/bin/python bench/make_near_posts.py --posts 100000 --out bench/data/near_100000_seed1
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

#: Version of the generator; bump when its output changes (cached files are then rebuilt).
GENERATOR_VERSION = 1
#: Posts generated per chunk (each chunk is independent given the seed).
CHUNK_POSTS = 100_000
#: Words in the global vocabulary.
VOCABULARY_SIZE = 200_000
#: Zipf exponent of word frequencies.
ZIPF_EXPONENT = 1.0
#: Topics (reply targets); each has its own vocabulary of TOPIC_WORDS words.
N_TOPICS = 300
TOPIC_WORDS = 400
#: Probability that a word of a post comes from its topic's vocabulary.
TOPIC_SHARE = 0.25
#: Words per organic text, inclusive range.
WORDS = (10, 40)
#: Share of all posts that are squad copies.
SQUAD_SHARE = 0.10
#: Accounts per squad (copies of one base message), inclusive range.
SQUAD_SIZE = (5, 50)
#: A squad's copies fall within this many minutes of its first post.
SQUAD_MINUTES = 10
#: Probabilities of 0, 1, 2, 3 edits on a copy.
EDIT_COUNTS = (0.15, 0.55, 0.25, 0.05)
#: Kinds of edit, drawn uniformly.
EDIT_KINDS = ("swap", "typo", "punct", "name")
#: Collection period: posts fall in the N_DAYS days before NEWEST.
NEWEST = dt.datetime(2023, 6, 1, tzinfo=dt.timezone.utc)
N_DAYS = 30

_FUNCTION_WORDS = (
    "the to and a of is in you that it for i this on are be with not have we they he she was what "
    "all your so but just do at will my can our as people if no about from their more like who one "
    "get them by has how why there when now or up out an would should me time know us his her them "
    "only think want need make good very really because been were than also even still after over "
    "never again today country government must said say back going right new here any these those "
    "much many every some other way year years day where which could while most being against "
    "well man woman stop let see"
).split()
_ONSETS = ("b c d f g h j k l m n p r s t v w z br ch cl cr dr fl fr gr kr pl pr sh sk sl sp st str th tr "
           "wh").split()
_VOWELS = "a e i o u a e i o ea ou ai io".split()
_CODAS = ("", "", "", "n", "r", "s", "t", "l", "m", "nd", "st", "ck", "ng", "rt", "x")
_ACCENTS = {"a": "á", "e": "é", "i": "í", "o": "ö", "u": "ü"}
_NAMES = ("Justin Pierre Chrystia Jagmeet Erin Yves Melanie Anita Marco Sophie Mary Kevin Hong Han Dong "
          "Michael Jenny Kwan Elizabeth Candice Andrew Mark Karina Joly Danielle Ahmed Patty Omar Steven "
          "Catherine Lena Pablo Ruby Sameer Julie Bob Frank Nathalie Sean Raj Gary Iqra Rachel Chandra").split()
_EMOJI = ("\U0001F600", "\U0001F621", "\U0001F44D", "\U0001F1E8\U0001F1E6", "\u2764\ufe0f", "\U0001F64F",
          "\U0001F525", "\U0001F602", "\U0001F4AF", "\u26a0\ufe0f")
_ENDINGS = (".", ".", ".", "!", "!", "?", "!!", "...", "")


@dataclasses.dataclass
class World:
    """Fixed pools shared by every chunk: vocabulary, Zipf table, topics, accounts."""

    vocabulary: list[str]
    vocabulary_array: np.ndarray
    cdf: np.ndarray
    topics: np.ndarray
    topic_cdf: np.ndarray
    n_accounts: int
    n_squad_accounts: int


def make_world(n_posts: int, seed: int) -> World:
    """The vocabulary (deterministic in ``seed``), its Zipf table, topics and account pools."""
    rng = np.random.default_rng([seed, 1_000_003])
    words = list(dict.fromkeys(_FUNCTION_WORDS))
    seen = set(words)
    while len(words) < VOCABULARY_SIZE:  # pronounceable pseudo-words, drawn in batches
        batch = 100_000
        n_syllables = rng.choice([1, 2, 2, 2, 3, 3], batch)
        onsets, vowels = rng.integers(len(_ONSETS), size=(batch, 3)), rng.integers(len(_VOWELS), size=(batch, 3))
        codas, accent = rng.integers(len(_CODAS), size=batch), rng.random(batch) < 0.01
        accent_at = rng.integers(0, 1 << 30, batch)
        for k in range(batch):
            word = "".join(_ONSETS[onsets[k, j]] + _VOWELS[vowels[k, j]] for j in range(n_syllables[k])) + _CODAS[codas[k]]
            if accent[k]:  # an accented word: a text with it goes through the Unicode path
                places = [i for i, ch in enumerate(word) if ch in _ACCENTS]
                i = places[accent_at[k] % len(places)]
                word = word[:i] + _ACCENTS[word[i]] + word[i + 1:]
            if word not in seen:
                seen.add(word)
                words.append(word)
                if len(words) == VOCABULARY_SIZE:
                    break
    weights = 1.0 / np.arange(1, VOCABULARY_SIZE + 1) ** ZIPF_EXPONENT
    cdf = np.cumsum(weights / weights.sum())
    topics = np.stack([rng.choice(np.arange(len(_FUNCTION_WORDS), 50_000), TOPIC_WORDS, replace=False)
                       for _ in range(N_TOPICS)])
    topic_weights = 1.0 / np.arange(1, TOPIC_WORDS + 1)
    topic_cdf = np.cumsum(topic_weights / topic_weights.sum())
    return World(vocabulary=words, vocabulary_array=np.array(words, dtype=object), cdf=cdf, topics=topics, topic_cdf=topic_cdf,
                 n_accounts=max(n_posts // 10, 100), n_squad_accounts=max(n_posts // 500, 200))


@dataclasses.dataclass
class Decoration:
    """How a word list becomes a comment; a squad's copies share their base message's."""

    commas: tuple  # word positions followed by a comma
    upper: int  # position of a word written in capitals, -1 for none
    number: int  # position where a number is inserted, -1 for none
    number_value: int
    ending: str
    mention: str  # "@Target12 " or ""
    suffix: str  # " #tag5", a URL and/or an emoji, or ""


def _draw_texts(world: World, rng: np.random.Generator, topics: np.ndarray) -> list[list[str]]:
    """Word lists of 10-40 words for posts on these topics (vectorised over the posts)."""
    lengths = rng.integers(WORDS[0], WORDS[1] + 1, len(topics))
    total = int(lengths.sum())
    ranks = np.minimum(np.searchsorted(world.cdf, rng.random(total)), VOCABULARY_SIZE - 1)
    from_topic = rng.random(total) < TOPIC_SHARE
    picks = np.minimum(np.searchsorted(world.topic_cdf, rng.random(int(from_topic.sum()))), TOPIC_WORDS - 1)
    ranks[from_topic] = world.topics[np.repeat(topics, lengths)[from_topic], picks]
    words = world.vocabulary_array[ranks].tolist()
    bounds = np.concatenate([[0], np.cumsum(lengths)]).tolist()
    return [words[bounds[i]:bounds[i + 1]] for i in range(len(topics))]


def _draw_decorations(rng: np.random.Generator, topics: np.ndarray) -> list[Decoration]:
    """One decoration per post: commas, capitals, a number, the ending, mention, hashtag, URL, emoji."""
    n = len(topics)
    u = rng.random((n, 8))
    rows, columns = np.nonzero(rng.random((n, WORDS[1])) < 0.06)
    commas = [() for _ in range(n)]
    for row, start, stop in zip(*_runs(rows)):
        commas[row] = tuple(columns[start:stop].tolist())
    positions = rng.integers(0, WORDS[0], (n, 2))
    numbers = rng.integers(2, 2030, n)
    endings = rng.integers(len(_ENDINGS), size=n)
    emoji = rng.integers(len(_EMOJI), size=n)
    url_letters = rng.integers(0, 26, (n, 10))
    out = []
    for i in range(n):
        suffix = ""
        if u[i, 0] < 0.05:
            suffix += f" #tag{topics[i] % 37}"
        if u[i, 1] < 0.04:
            suffix += " https://t.co/" + "".join(chr(97 + c) for c in url_letters[i])
        if u[i, 2] < 0.12:
            suffix += " " + _EMOJI[emoji[i]]
        out.append(Decoration(
            commas=commas[i], upper=int(positions[i, 0]) if u[i, 3] < 0.03 else -1,
            number=int(positions[i, 1]) if u[i, 4] < 0.04 else -1, number_value=int(numbers[i]),
            ending=_ENDINGS[endings[i]], mention=f"@Target{topics[i]} " if u[i, 5] < 0.08 else "", suffix=suffix))
    return out


def _runs(values: np.ndarray) -> tuple[list, list, list]:
    """(value, start, stop) of each run of equal values in a sorted array."""
    if len(values) == 0:
        return [], [], []
    starts = np.flatnonzero(np.concatenate([[True], values[1:] != values[:-1]]))
    stops = np.concatenate([starts[1:], [len(values)]])
    return values[starts].tolist(), starts.tolist(), stops.tolist()


def _render(words: list[str], decoration: Decoration) -> str:
    """A comment from a word list and its decoration."""
    words = list(words)
    for i in decoration.commas:
        if i < len(words) - 1:
            words[i] += ","
    if 0 <= decoration.upper < len(words):
        words[decoration.upper] = words[decoration.upper].upper()
    if decoration.number >= 0:
        words.insert(min(decoration.number, len(words)), str(decoration.number_value))
    words[0] = words[0][:1].upper() + words[0][1:]
    return decoration.mention + " ".join(words) + decoration.ending + decoration.suffix


def _typo(rng: np.random.Generator, word: str) -> str:
    """One keyboard slip in a word: a letter dropped, doubled, swapped with the next, or replaced."""
    if len(word) < 3:
        return word + word[-1]
    i = int(rng.integers(len(word) - 1))
    kind = int(rng.integers(4))
    if kind == 0:
        return word[:i] + word[i + 1:]
    if kind == 1:
        return word[:i] + word[i] + word[i:]
    if kind == 2:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + chr(97 + int(rng.integers(26))) + word[i + 1:]


def _edit(world: World, rng: np.random.Generator, words: list[str], tail: str) -> tuple[list[str], str, str]:
    """Apply one random light edit to a copy; returns (words, text appended at the end, kind)."""
    kind = EDIT_KINDS[rng.integers(len(EDIT_KINDS))]
    words = list(words)
    i = int(rng.integers(len(words)))
    if kind == "swap":
        words[i] = world.vocabulary[int(rng.integers(len(_FUNCTION_WORDS), VOCABULARY_SIZE))]
    elif kind == "typo":
        words[i] = _typo(rng, words[i])
    elif kind == "punct":
        tail += ("!!!", "...", " " + _EMOJI[rng.integers(len(_EMOJI))])[rng.integers(3)]
    else:
        name = _NAMES[rng.integers(len(_NAMES))]
        words.insert(i, name if rng.random() < 0.5 else "@" + name + str(int(rng.integers(10, 99))))
    return words, tail, kind


def generate_chunk(world: World, chunk: int, n_posts: int, *, seed: int, first_index: int) -> tuple[pa.Table, pa.Table]:
    """Posts and ground truth of one chunk (``n_posts`` rows, ids from ``first_index``)."""
    rng = np.random.default_rng([seed, chunk])
    newest = int(NEWEST.timestamp())
    # squads: sizes until the chunk's share of copies is used up
    sizes, left = [], int(round(n_posts * SQUAD_SHARE))
    while left > 0:
        size = min(int(rng.integers(SQUAD_SIZE[0], SQUAD_SIZE[1] + 1)), left)
        if left - size < SQUAD_SIZE[0]:
            size = left  # the chunk's last squad takes the remainder
        sizes.append(size)
        left -= size
    n_copies = sum(sizes)
    n_organic = n_posts - n_copies
    squad_topics = rng.integers(N_TOPICS, size=len(sizes))
    organic_topics = rng.integers(N_TOPICS, size=n_organic)
    bases = _draw_texts(world, rng, squad_topics)
    base_decorations = _draw_decorations(rng, squad_topics)
    texts, edits = [], []
    for squad, size in enumerate(sizes):
        for _ in range(size):
            words, tail, kinds = bases[squad], "", []
            for _ in range(int(rng.choice(4, p=EDIT_COUNTS))):
                words, tail, kind = _edit(world, rng, words, tail)
                kinds.append(kind)
            texts.append(_render(words, base_decorations[squad]) + tail)
            edits.append("+".join(kinds))
    organic_words = _draw_texts(world, rng, organic_topics)
    organic_decorations = _draw_decorations(rng, organic_topics)
    texts += [_render(w, d) for w, d in zip(organic_words, organic_decorations)]
    edits += [None] * n_organic
    squad_of_copy = np.repeat(np.arange(len(sizes)), sizes)
    starts = newest - rng.integers(N_DAYS * 86_400, size=len(sizes))
    times = np.concatenate([starts[squad_of_copy] + rng.integers(SQUAD_MINUTES * 60, size=n_copies),
                            newest - rng.integers(N_DAYS * 86_400, size=n_organic)])
    members = np.concatenate([rng.choice(world.n_squad_accounts, size, replace=size > world.n_squad_accounts)
                              for size in sizes]) if sizes else np.zeros(0, int)
    accounts = [f"s{m}" for m in members.tolist()] + [f"a{a}" for a in rng.integers(world.n_accounts, size=n_organic).tolist()]
    topics = np.concatenate([squad_topics[squad_of_copy], organic_topics])
    copy_index = np.concatenate([np.arange(size) for size in sizes]) if sizes else np.zeros(0, int)

    order = rng.permutation(n_posts)  # copies are not contiguous in the file
    is_copy = order < n_copies
    squad_ids = np.where(is_copy, chunk * 10_000 + squad_of_copy[np.minimum(order, max(n_copies - 1, 0))], -1)
    squad_sizes = np.where(is_copy, np.asarray(sizes)[squad_of_copy[np.minimum(order, max(n_copies - 1, 0))]], -1)
    copy_indexes = np.where(is_copy, copy_index[np.minimum(order, max(n_copies - 1, 0))], -1)
    post_ids = [f"{first_index + i:012d}" for i in range(n_posts)]
    created = np.char.add(np.datetime_as_string(times[order].astype("datetime64[s]"), unit="s"), "Z")
    posts = pa.table({
        "platform": pa.array(["x"] * n_posts),
        "post_id": pa.array(post_ids),
        "account_id": pa.array([accounts[j] for j in order.tolist()]),
        "created_at": pa.array(created.tolist()),
        "text": pa.array([texts[j] for j in order.tolist()]),
        "reply_to_account_id": pa.array([f"t{t}" for t in topics[order].tolist()]),
    })
    truth = pa.table({
        "post_id": pa.array(post_ids),
        "squad_id": pa.array(squad_ids, pa.int64(), mask=~is_copy),
        "squad_size": pa.array(squad_sizes, pa.int32(), mask=~is_copy),
        "copy_index": pa.array(copy_indexes, pa.int32(), mask=~is_copy),
        "edits": pa.array([edits[j] for j in order.tolist()], pa.string()),
    })
    return posts, truth


@dataclasses.dataclass
class Generated:
    """What :func:`write_near_posts` wrote."""

    posts_path: str
    truth_path: str
    posts: int
    squads: int
    squad_posts: int
    size_bytes: int
    seconds: float


def write_near_posts(out_dir: str | Path, *, n_posts: int, seed: int = 1, progress=None) -> Generated:
    """Write ``posts.parquet`` and ``truth.parquet`` for ``n_posts`` posts into ``out_dir``.

    Args:
        out_dir: directory (created if missing); existing files are replaced.
        n_posts: number of posts.
        seed: generator seed.
        progress: optional callable ``progress(posts_written)`` called after each chunk.
    """
    started = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    world = make_world(n_posts, seed)
    posts_path, truth_path = out / "posts.parquet", out / "truth.parquet"
    writers: dict[str, pq.ParquetWriter] = {}
    squads = squad_posts = 0
    try:
        for chunk, first in enumerate(range(0, n_posts, CHUNK_POSTS)):
            size = min(CHUNK_POSTS, n_posts - first)
            posts, truth = generate_chunk(world, chunk, size, seed=seed, first_index=first + 1)
            for name, table, path in (("posts", posts, posts_path), ("truth", truth, truth_path)):
                if name not in writers:
                    writers[name] = pq.ParquetWriter(path, table.schema, compression="zstd")
                writers[name].write_table(table, row_group_size=CHUNK_POSTS)
            squad_column = truth.column("squad_id").drop_null()
            squads += len(pc.unique(squad_column))
            squad_posts += len(squad_column)
            if progress:
                progress(first + size)
    finally:
        for writer in writers.values():
            writer.close()
    return Generated(posts_path=str(posts_path), truth_path=str(truth_path), posts=n_posts, squads=squads,
                     squad_posts=squad_posts, size_bytes=posts_path.stat().st_size, seconds=time.perf_counter() - started)


def main(argv: list[str] | None = None) -> None:
    """Command line; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=100_000, help="number of posts (default 100000)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    args = parser.parse_args(argv)
    written = write_near_posts(args.out, n_posts=args.posts, seed=args.seed)
    print(f"{written.posts:,} posts ({written.squad_posts:,} copies in {written.squads:,} squads) -> "
          f"{written.posts_path}, {written.truth_path} in {written.seconds:.1f} s")


if __name__ == "__main__":
    main()
