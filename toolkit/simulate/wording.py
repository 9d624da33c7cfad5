"""How the simulated people word their posts: a small phrase grammar and its composer.

Ordinary replies, MPs' own posts and the hijacked accounts' earlier chatter are not
picked from a list of finished sentences (which makes thousands of posts near-copies of
one another) but composed from the phrase banks of :mod:`toolkit.simulate.phrases`:
a topic, a kind of sentence (a fact, a question, a demand, a story, a reaction to the
MP's post), wording alternatives at several points of each phrase, local details
(city, numbers, events, the MP's first name), one to three sentences, openers, closers,
sign-offs and everyday surface variation. The space has many millions of wordings, so two
ordinary replies rarely share a long run of words — as in real replies, where the copies
are a few stock short replies ("Thank you!") and authentic coordination.

Phrase syntax: ``[a|b|c]`` picks one alternative (``[a|]``: optional), alternatives nest;
``{name}`` is a slot given by the caller (``{city}``, ``{n}``...) or, if no slot has that
name, a rule of the grammar expanded in turn; ``{@np}`` is the rule ``np`` of the current
topic (``housing.np``).

A composer draws from a random stream of its own (a child of the simulation's generator;
one per kind of post), so how a post is worded never shifts what happens elsewhere in the
simulation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from . import phrases as ph

_SPECIAL = re.compile(r"[\[\]|{]")


class GrammarError(ValueError):
    """A phrase bank is malformed (unbalanced brackets, unknown rule)."""


def _parse(text: str, i: int = 0, depth: int = 0) -> tuple[list[list], int]:
    """Parse ``text`` from ``i``: a list of alternatives, each a list of items (str, ("alt", ...), ("ref", name))."""
    alternatives: list[list] = [[]]
    while i < len(text):
        c = text[i]
        if c == "[":
            inner, i = _parse(text, i + 1, depth + 1)
            alternatives[-1].append(("alt", inner))
        elif c == "]":
            if depth == 0:
                raise GrammarError(f"unbalanced ']' at {i} in {text!r}")
            return alternatives, i + 1
        elif c == "|":
            if depth == 0:
                raise GrammarError(f"'|' outside brackets at {i} in {text!r}")
            alternatives.append([])
            i += 1
        elif c == "{":
            j = text.find("}", i)
            if j < 0:
                raise GrammarError(f"unclosed '{{' at {i} in {text!r}")
            alternatives[-1].append(("ref", text[i + 1:j]))
            i = j + 1
        else:
            m = _SPECIAL.search(text, i)
            j = m.start() if m else len(text)
            alternatives[-1].append(text[i:j])
            i = j
    if depth:
        raise GrammarError(f"unclosed '[' in {text!r}")
    return alternatives, i


def compile_grammar(banks: dict[str, Sequence[str]]) -> dict[str, list[list]]:
    """Rule name -> list of parsed phrases."""
    return {name: [_parse(p)[0][0] for p in phrases] for name, phrases in banks.items()}


def references(grammar: dict[str, list[list]]) -> set[str]:
    """Every ``{name}`` used in the grammar (to check that each is a rule or a known slot)."""
    found: set[str] = set()

    def walk(items):
        for item in items:
            if isinstance(item, tuple):
                if item[0] == "ref":
                    found.add(item[1])
                else:
                    for alt in item[1]:
                        walk(alt)

    for phrases in grammar.values():
        for items in phrases:
            walk(items)
    return found


_GRAMMARS = {key: compile_grammar(banks) for key, banks in ph.GRAMMARS.items()}
_SPACES = re.compile(r"\s+")
_SPACE_BEFORE = re.compile(r" +([,.?!])")


def _tidy(text: str) -> str:
    text = _SPACE_BEFORE.sub(r"\1", _SPACES.sub(" ", text)).strip()
    return text.replace(",,", ",").replace(",.", ".")


def _end(text: str, mark: str) -> str:
    """``text`` with ``mark`` added unless it already ends a sentence."""
    return text if text[-1:] in ".!?" else text + mark


def capitalise(text: str) -> str:
    """Upper-case the first letter (the rest unchanged)."""
    for k, ch in enumerate(text):
        if ch.isalpha():
            return text[:k] + ch.upper() + text[k + 1:]
        if not (ch.isspace() or ch in "«\"'(¿¡"):
            return text
    return text


class Wording:
    """Composes posts from the phrase grammar with its own random stream.

    Args:
        rng: a generator used by this composer only (e.g. ``simulation_rng.spawn(1)[0]``).
    """

    def __init__(self, rng: np.random.Generator):
        self._rng = rng
        self._buf: list[float] = []
        self._i = 0

    # -- random choices ------------------------------------------------------------------------
    def u(self) -> float:
        """A uniform number in [0, 1)."""
        if self._i == len(self._buf):
            self._buf = self._rng.random(1 << 15).tolist()
            self._i = 0
        v = self._buf[self._i]
        self._i += 1
        return v

    def pick(self, seq: Sequence):
        return seq[int(self.u() * len(seq))]

    def chance(self, p: float) -> bool:
        return self.u() < p

    def weighted(self, options: Sequence[tuple[object, float]]):
        """One of ``(value, weight)`` pairs, with probability proportional to its weight."""
        x = self.u() * sum(w for _, w in options)
        for value, w in options:
            x -= w
            if x < 0:
                return value
        return options[-1][0]

    # -- expansion -----------------------------------------------------------------------------
    def expand(self, grammar_key: str, rule: str, slots: dict[str, str], topic: str = "") -> str:
        """Expand one rule of a grammar (``"en"``, ``"fr"``, ``"mp_en"``...) with ``slots``."""
        out: list[str] = []
        self._rule(_GRAMMARS[grammar_key], rule, slots, topic, out)
        return _tidy("".join(out))

    def _rule(self, grammar, name, slots, topic, out):
        if name.startswith("@"):
            name = f"{topic}.{name[1:]}"
        phrases = grammar.get(name)
        if phrases is None:
            raise GrammarError(f"unknown rule {name!r} (topic {topic!r}); slots given: {sorted(slots)}")
        self._items(grammar, phrases[int(self.u() * len(phrases))], slots, topic, out)

    def _items(self, grammar, items, slots, topic, out):
        for item in items:
            if type(item) is str:
                out.append(item)
            elif item[0] == "alt":
                alts = item[1]
                self._items(grammar, alts[int(self.u() * len(alts))], slots, topic, out)
            else:
                name = item[1]
                value = slots.get(name)
                if value is not None:
                    out.append(value)
                else:
                    self._rule(grammar, name, slots, topic, out)

    # -- ordinary replies ----------------------------------------------------------------------
    def reply_parts(self, lang: str, slots: dict[str, str], *, after_vocative: bool = False) -> list[str]:
        """An ordinary reply to an MP as a list of parts (opener, sentences, closer, sign-off).

        The caller joins them with spaces, dropping parts from the end where the platform's
        length limit requires it. ``after_vocative``: the reply follows "Hi Anna, ", so its
        first word keeps a small letter (unless it is a name or "I").
        """
        topics = ph.REPLY_TOPICS[lang]
        n_sentences = self.weighted([(1, 0.52), (2, 0.36), (3, 0.12)])
        parts: list[str] = []
        if self.chance(0.48 if n_sentences == 1 else 0.35):
            opener = self.expand(lang, "opener", slots)
            if opener[-1:] not in ".,:!?":
                opener += self.pick(["."] * 3 + ["!"] * 2 + [","])
            if not (after_vocative and slots.get("first") and slots["first"] in opener):  # not "Hi Anna, hi Anna!"
                parts.append(opener if after_vocative else capitalise(opener))
        topic = self.pick(topics)
        used: set[tuple[str, str]] = set()
        for k in range(n_sentences):
            if k and self.chance(0.45):
                topic = self.pick(topics)
            kind = self.weighted(ph.SENTENCE_KINDS)
            for _ in range(8):  # one post does not say the same kind of thing twice on one topic
                if (kind, "" if kind in ph.GENERIC_KINDS else topic) not in used:
                    break
                kind, topic = self.weighted(ph.SENTENCE_KINDS), self.pick(topics)
            used.add((kind, "" if kind in ph.GENERIC_KINDS else topic))
            sentence = self.expand(lang, kind, slots, topic)
            joined = parts[-1].endswith(",") or (lang == "fr" and parts[-1].endswith(":")) if parts else after_vocative
            lower = joined and sentence[:1].islower()
            parts.append(sentence if lower else capitalise(sentence))  # a name or "I" keeps its capital
            if k + 1 < n_sentences and parts[-1][-1:] not in ".!?":
                parts[-1] += "."
        if self.chance(0.45 if n_sentences == 1 else 0.25):
            if parts[-1][-1:] not in ".!?":
                parts[-1] += "."
            closer = self.expand(lang, "closer", slots)
            if closer[-1:] not in ".!?":
                closer += self.pick([".", ".", "!", ""])
            parts.append(capitalise(closer))
        if self.chance(0.035):
            parts.append(self.expand(lang, "signoff", slots))
        if self.chance(0.05):
            parts.append(self.pick(ph.REPLY_HASHTAGS[lang]))
        return parts

    def casual(self, lang: str, text: str) -> str:
        """Everyday informality on some posts: all lower case, texting short forms, a slip."""
        if self.chance(0.08):
            text = text.lower()
        if lang == "en" and self.chance(0.1):
            for pattern, options in ph.EN_SHORT_FORMS:
                if self.chance(0.6):
                    text = pattern.sub(lambda m: self.pick(options), text)
        if self.chance(0.06):
            text = typo(self, text)
        return text

    # -- MPs' own posts ------------------------------------------------------------------------
    def mp_sentence(self, lang: str, kind: int, slots: dict[str, str]) -> str:
        """One sentence (or two) of an MP's post; ``kind`` chooses the occasion (an index into :data:`phrases.MP_KINDS`)."""
        kinds = ph.MP_KINDS
        text = _end(capitalise(self.expand(f"mp_{lang}", kinds[kind % len(kinds)], slots)), self.pick(".....!"))
        if self.chance(0.4):
            text += " " + _end(capitalise(self.expand(f"mp_{lang}", "mp_extra", slots)), self.pick("...!"))
        return text

    def mp_tail(self, lang: str, kind: int, slots: dict[str, str]) -> str:
        """A closing line of an MP's post (``kind``: index into :data:`phrases.MP_TAIL_KINDS`)."""
        kinds = ph.MP_TAIL_KINDS
        return capitalise(self.expand(f"mp_{lang}", kinds[kind % len(kinds)], slots))

    # -- the hijacked accounts' earlier chatter ------------------------------------------------
    def chatter(self, topic: str) -> str:
        """One post of an earlier life (``"indonesian"`` or ``"kpop"``)."""
        text = self.expand(topic, "post", {})
        if topic == "indonesian" and self.chance(0.15):
            text = text.lower()
        return text


_WORD_RE = re.compile(r"[A-Za-zÀ-ÿ]{5,}")


def typo(w: Wording, text: str) -> str:
    """One keyboard slip in a word of 5+ letters: swapped, doubled or dropped letter."""
    words = list(_WORD_RE.finditer(text))
    if not words:
        return text
    m = w.pick(words)
    word = m.group(0)
    i = 1 + int(w.u() * (len(word) - 3))
    kind = int(w.u() * 3)
    if kind == 0:
        new = word[:i] + word[i + 1] + word[i] + word[i + 2:]
    elif kind == 1:
        new = word[:i] + word[i] + word[i:]
    else:
        new = word[:i] + word[i + 1:]
    return text[: m.start()] + new + text[m.end():]
