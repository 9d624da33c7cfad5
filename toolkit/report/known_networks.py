"""Has this network been seen before? Matching a workspace against published indicator lists.

Platforms publish the accounts, links, domains and texts of the networks they remove (Meta's
threat-research CSVs, in the Online Operations Kill Chain format). :func:`read_indicators`
reads such a file into a tidy table, recognising what each indicator is:

=========  ===============================================================================
kind       indicator
=========  ===============================================================================
account    a profile URL (``https://twitter[.]com/ZoeRich28859010``): platform and handle
           (or account id) taken from it
url        any other URL (articles, petitions, channels); its domain too
domain     a bare domain name (``rrn.world``)
text       anything else with letters: headlines, post texts, descriptions
count      a number of assets (``7,704 Facebook accounts``): descriptive, never matched
=========  ===============================================================================

:func:`match_known_networks` reports which accounts, posts and links of the workspace match:

* ``handle`` / ``previous handle`` / ``account id`` / ``mention`` — an account of the list, by
  its current handle, a handle it had before (``account_history``), its id, or mentioned in posts;
* ``url`` — a post links to a listed URL (scheme, ``www.``, case of the host and a trailing
  slash ignored); ``domain`` — a post links to a listed domain or one of its subdomains;
* ``text (exact)`` — a post's normalised text equals a listed text
  (:func:`toolkit.text.normalize.normalise_posts`: case, accents, punctuation, links and numbers
  ignored); ``text (near-duplicate)`` — the Jaccard similarity of their token sets (the tokens
  near-duplicate clustering compares) reaches ``similarity_threshold``, reported with each match.

Meta's lists ship with the toolkit (``data/known_networks/``, MIT licence; :func:`bundled_indicator_files`).

Example:
    >>> from toolkit.report.known_networks import bundled_indicator_files, read_indicators
    >>> lists = read_indicators(bundled_indicator_files())
    >>> q2 = lists[lists.network.str.startswith("Q2_2023")]
    >>> int(((q2.kind == "account") & (q2.platform == "x")).sum())  # Meta's 35 X accounts
    35

Caveats:
    A handle match is only as good as the handle: platforms recycle the handles of removed
    accounts, and default handles (a name and eight digits) can recur by chance. Headlines are
    short: a near-duplicate of a generic headline can be a coincidence. Each match carries its
    evidence (the matched value, the similarity) so that a reader can judge it.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from ..errors import FormatError, ParameterError
from ..load.formats import sql_str
from ..store import Store
from ..text.normalize import tokens_pattern
from .killchain import DATA, INDICATOR_COLUMNS, refang, split_url, tidy

log = logging.getLogger(__name__)

#: Folder of the published indicator lists that ship with the toolkit.
KNOWN_NETWORKS_DIR = DATA / "known_networks"

#: Columns of :func:`read_indicators`' table.
INDICATOR_TABLE_COLUMNS = ["network", "source_file", "indicator_row", "tactic", "technique", "procedure", "indicator",
                           "note", "date", "kind", "platform", "handle", "account_id", "value"]
#: Posts the document frequencies of the published texts' tokens are counted on, about (every k-th post):
#: enough to tell rare tokens from common ones.
DF_SAMPLE_POSTS = 200_000
#: Columns of :func:`match_known_networks`' table.
MATCH_COLUMNS = ["network", "indicator_row", "procedure", "indicator", "kind", "match", "platform", "account_id",
                 "handle", "post_id", "matched_value", "similarity", "note"]

#: Hosts whose first path segment is an account: host -> platform.
ACCOUNT_HOSTS = {"twitter.com": "x", "x.com": "x", "mobile.twitter.com": "x", "facebook.com": "facebook",
                 "m.facebook.com": "facebook", "web.facebook.com": "facebook", "instagram.com": "instagram",
                 "tiktok.com": "tiktok", "youtube.com": "youtube", "t.me": "telegram", "medium.com": "medium",
                 "reddit.com": "reddit", "quora.com": "quora", "tumblr.com": "tumblr", "vk.com": "vk",
                 "threads.net": "threads", "pinterest.com": "pinterest", "soundcloud.com": "soundcloud"}
#: Hosts whose subdomains are accounts (``name.medium.com``): domain -> platform.
SUBDOMAIN_HOSTS = {"medium.com": "medium", "tumblr.com": "tumblr", "livejournal.com": "livejournal",
                   "blogspot.com": "blogger", "substack.com": "substack", "wordpress.com": "wordpress"}
#: First path segments that are not account names.
NOT_ACCOUNTS = {"i", "intent", "hashtag", "search", "home", "share", "sharer", "watch", "groups", "events", "pages",
                "story.php", "permalink.php", "photo.php", "video.php", "hashtags", "explore", "p", "reel", "tv",
                "s", "joinchat", "embed", "results", "playlist", "shorts", "r", "tag", "topic", "topics", "settings"}
#: Path prefixes before an account name: reddit.com/user/NAME, quora.com/profile/NAME, youtube.com/c/NAME ...
ACCOUNT_PREFIXES = {"user", "u", "profile", "c", "channel", "people"}

_COUNT = re.compile(r"^\s*[\d.,]+\s*(k|m|thousand|million)?\s+\S.*$", re.IGNORECASE)
_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}$", re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


def bundled_indicator_files() -> list[Path]:
    """Meta's published indicator lists that ship with the toolkit (see ``data/SOURCE.md``)."""
    return sorted(KNOWN_NETWORKS_DIR.glob("*.csv"))


def classify_indicator(indicator: str) -> dict:
    """What one published indicator is (see the module docstring).

    Returns:
        dict with kind, platform, handle, account_id and value (the refanged, normalised form
        compared with the workspace: a URL without scheme and ``www.``, a lower-case domain, a
        handle without ``@``, the text itself).

    Example:
        >>> classify_indicator("https://twitter[.]com/ZoeRich28859010")["handle"]
        'ZoeRich28859010'
        >>> classify_indicator("rrn[.]world")["kind"]
        'domain'
    """
    out = {"kind": "text", "platform": None, "handle": None, "account_id": None, "value": tidy(indicator)}
    text = tidy(indicator)
    if not text:
        return {**out, "kind": "empty"}
    plain = refang(text)
    if re.match(r"^[a-z][a-z0-9+.-]*://", plain, re.IGNORECASE) or plain.lower().startswith("www."):
        url = plain if "://" in plain else "https://" + plain
        _, host, rest = split_url(url)
        value = normalise_url(url)
        platform = ACCOUNT_HOSTS.get(host)
        parent = host.split(".", 1)[1] if host.count(".") >= 2 else ""
        if not platform and parent in SUBDOMAIN_HOSTS and not rest.strip("/"):
            return {**out, "kind": "account", "platform": SUBDOMAIN_HOSTS[parent], "handle": host.split(".")[0], "value": value}
        if platform:
            path = [p for p in rest.split("?")[0].split("/") if p]
            query = dict(q.split("=", 1) for q in rest.split("?", 1)[1].split("&") if "=" in q) if "?" in rest else {}
            if platform == "facebook" and query.get("id", "").isdigit():
                return {**out, "kind": "account", "platform": platform, "account_id": query["id"], "value": value}
            if platform == "x" and len(path) >= 3 and path[0] == "i" and path[1] == "user":
                return {**out, "kind": "account", "platform": platform, "account_id": path[2], "value": value}
            if path and path[0].lower() in ACCOUNT_PREFIXES and len(path) >= 2:
                path = path[1:]
            if path and path[0].lower() not in NOT_ACCOUNTS and (len(path) == 1 or platform in ("medium", "tumblr")):
                handle = path[0].lstrip("@")
                if platform == "facebook" and handle.isdigit():
                    return {**out, "kind": "account", "platform": platform, "account_id": handle, "value": value}
                return {**out, "kind": "account", "platform": platform, "handle": handle, "value": value}
        return {**out, "kind": "url", "platform": platform, "value": value}
    if " " not in plain and _DOMAIN.match(plain):
        return {**out, "kind": "domain", "value": plain.lower().removeprefix("www.")}
    if _COUNT.match(plain) and len(plain.split()) <= 6:
        return {**out, "kind": "count"}
    if not _LETTER.search(plain):
        return {**out, "kind": "other"}
    return out


def normalise_url(url: str) -> str:
    """The form URLs are compared in: no scheme, no ``www.``, lower-case host, no trailing slash or fragment."""
    return _url_form(url)[0]


def _url_form(url: str) -> tuple[str, str]:
    """(:func:`normalise_url` of ``url``, its host without ``www.``; '' if not a URL)."""
    _, host, rest = split_url(url)
    return ((host + rest).rstrip("/") if host else url.strip()), host


def _unneutralise(value: str) -> str:
    """Undo the spreadsheet guard of :func:`toolkit.export.write_csv` (a ``'`` before a formula trigger)."""
    from ..export import FORMULA_TRIGGERS

    if isinstance(value, str) and value.startswith("'") and value[1:2] and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def read_indicators(paths: str | Path | Iterable[str | Path], *, network: str | None = None) -> pd.DataFrame:
    """Read published indicator lists into one tidy table.

    Two layouts are recognised by their column names (case and spacing ignored): the kill-chain
    layout ``Tactic, Technique, Procedure, Indicator[, Note]`` and the older
    ``indicator_type, indicator_value[, comment, ds]``. Rows with no indicator (the blank lines
    that separate tactics) are skipped and counted in ``attrs['skipped_rows']``. A cell written by
    this toolkit's spreadsheet guard (``'=...``) is read back as it was.

    Args:
        paths: one CSV file or several.
        network: the name given to the network(s) of these files; default: each file's name
            without ``.csv``.

    Returns:
        DataFrame with :data:`INDICATOR_TABLE_COLUMNS`: network, source_file, indicator_row (1-based,
        header excluded), tactic, technique, procedure, indicator (as published), note, date, and
        kind, platform, handle, account_id, value from :func:`classify_indicator`.

    Raises:
        FormatError: a file cannot be read, or has neither layout (its columns are named).
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    frames, skipped = [], {}
    for path in map(Path, paths):
        try:
            raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise FormatError(f"{path}: cannot read as a UTF-8 CSV indicator list ({exc})") from None
        columns = {re.sub(r"[\s_]+", "", c).lower(): c for c in raw.columns}
        if {"procedure", "indicator"} <= columns.keys():
            get = lambda key: raw[columns[key]] if key in columns else pd.Series("", index=raw.index)  # noqa: E731
            frame = pd.DataFrame({"tactic": get("tactic"), "technique": get("technique"), "procedure": get("procedure"),
                                  "indicator": get("indicator"), "note": get("note"), "date": ""})
        elif {"indicatortype", "indicatorvalue"} <= columns.keys():
            get = lambda key: raw[columns[key]] if key in columns else pd.Series("", index=raw.index)  # noqa: E731
            frame = pd.DataFrame({"tactic": "", "technique": "", "procedure": get("indicatortype"),
                                  "indicator": get("indicatorvalue"), "note": get("comment"), "date": get("ds")})
        else:
            raise FormatError(f"{path}: not an indicator list: columns {list(raw.columns)}; expected "
                              f"{INDICATOR_COLUMNS} (Meta's kill-chain files) or indicator_type, indicator_value, comment, ds")
        frame = frame.map(_unneutralise)
        frame.insert(0, "indicator_row", np.arange(1, len(frame) + 1))
        keep = frame.indicator.str.strip() != ""
        skipped[path.name] = int((~keep).sum())
        frame = frame[keep].copy()
        frame.insert(0, "source_file", path.name)
        frame.insert(0, "network", network or path.stem.strip())
        classified = pd.DataFrame([classify_indicator(v) for v in frame.indicator], index=frame.index)
        frames.append(pd.concat([frame, classified], axis=1))
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=INDICATOR_TABLE_COLUMNS)
    table = table[INDICATOR_TABLE_COLUMNS]
    table.attrs["skipped_rows"] = skipped
    return table


def indicators_as_killchain(table: pd.DataFrame) -> pd.DataFrame:
    """The kill-chain columns of a :func:`read_indicators` table (to write it back with
    :func:`toolkit.report.killchain.write_indicators`)."""
    return pd.DataFrame({"Tactic": table.tactic, "Technique": table.technique, "Procedure": table.procedure,
                         "Indicator": table.indicator, "Note": table.note}).reset_index(drop=True)


def match_known_networks(store: Store, indicators: pd.DataFrame | None = None, *, similarity_threshold: float = 0.6,
                         min_tokens: int = 4) -> pd.DataFrame:
    """Which accounts, posts and links of the workspace match published indicators.

    Args:
        store: a loaded workspace. Text matching uses ``post_text`` (made by
            :func:`toolkit.clusters.find_clusters`); if it is missing it is made here with the default
            normalisation.
        indicators: :func:`read_indicators` output; None: the lists that ship with the toolkit.
        similarity_threshold: minimum Jaccard similarity of token sets for a near-duplicate text
            match (0–1; the near-duplicate clustering default, 0.6).
        min_tokens: texts (published or posted) with fewer tokens are matched exactly only.

    Returns:
        DataFrame with :data:`MATCH_COLUMNS`, one row per (indicator, account or post) match:
        ``match`` says how (see the module docstring), ``matched_value`` what matched in the
        workspace, ``similarity`` 1.0 for exact matches. Ordered by network, indicator row, match.

    Raises:
        ParameterError: a parameter out of range, or ``indicators`` without the columns of
            :func:`read_indicators`.

    Caveats:
        See the module docstring: handles get recycled and short headlines recur by chance.
    """
    if not 0 < similarity_threshold <= 1:
        raise ParameterError(f"similarity_threshold={similarity_threshold}: must be in (0, 1], e.g. 0.6")
    if int(min_tokens) < 1:
        raise ParameterError(f"min_tokens={min_tokens}: must be at least 1")
    if indicators is None:
        indicators = read_indicators(bundled_indicator_files())
    missing = [c for c in INDICATOR_TABLE_COLUMNS if c not in indicators.columns]
    if missing:
        raise ParameterError(f"indicators: missing column(s) {missing}. Hint: read the lists with read_indicators(paths).")
    ind = indicators.reset_index(drop=True).copy()
    ind["iid"] = np.arange(len(ind))
    parts = [_match_accounts(store, ind), _match_links(store, ind)]
    texts = ind[ind.kind == "text"]
    if len(texts):
        parts.append(_match_texts(store, ind, texts, similarity_threshold, int(min_tokens)))
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=MATCH_COLUMNS)
    found = pd.concat(parts, ignore_index=True)
    found = found.merge(ind[["iid", "network", "indicator_row", "procedure", "indicator", "kind", "note"]], on="iid")
    order = {"handle": 0, "account id": 1, "previous handle": 2, "mention": 3, "url": 4, "domain": 5,
             "text (exact)": 6, "text (near-duplicate)": 7}
    for column in ("platform", "account_id", "handle", "post_id", "matched_value"):
        found[column] = found[column].astype(object).where(found[column].notna(), None)
    found["_o"] = found["match"].map(order)
    found = found.sort_values(["network", "indicator_row", "_o", "platform", "account_id", "post_id"], na_position="first")
    return found[MATCH_COLUMNS].reset_index(drop=True)


def _match_accounts(store: Store, ind: pd.DataFrame) -> pd.DataFrame:
    acc = ind[ind.kind == "account"][["iid", "platform", "handle", "account_id"]]
    if acc.empty:
        return pd.DataFrame()
    store.register("_known_accounts", acc)
    try:
        return store.df("""
            WITH k AS (SELECT iid, platform, lower(handle) AS h, account_id AS aid FROM _known_accounts)
            SELECT k.iid, 'handle' AS match, a.platform, a.account_id, a.handle, NULL AS post_id, '@' || a.handle AS matched_value,
                   1.0 AS similarity
            FROM k JOIN accounts a ON a.platform = k.platform AND lower(a.handle) = k.h
            UNION ALL
            SELECT k.iid, 'account id', a.platform, a.account_id, a.handle, NULL, a.platform || ':' || a.account_id, 1.0
            FROM k JOIN accounts a ON a.platform = k.platform AND a.account_id = k.aid
            UNION ALL
            SELECT DISTINCT k.iid, 'previous handle', h.platform, h.account_id, a.handle, NULL, '@' || h.handle, 1.0
            FROM k JOIN account_history h ON h.platform = k.platform AND lower(h.handle) = k.h
            LEFT JOIN accounts a ON a.platform = h.platform AND a.account_id = h.account_id
            WHERE lower(coalesce(a.handle, '')) <> k.h
            UNION ALL
            SELECT k.iid, 'mention', p.platform, p.account_id, a.handle, p.post_id, '@' || p.m, 1.0
            FROM (SELECT platform, post_id, account_id, unnest(mentions) AS m FROM posts) p
            JOIN k ON k.platform = p.platform AND lower(p.m) = k.h
            LEFT JOIN accounts a ON a.platform = p.platform AND a.account_id = p.account_id""")
    finally:
        store.unregister("_known_accounts")


def _post_links_sql() -> str:
    """Every link of every post: the urls column, and URLs written in the text (the pattern runs
    only on texts holding '://' or 'www.', which each of its matches needs)."""
    return r"""
        SELECT platform, post_id, account_id, u AS url FROM posts, unnest(urls) AS x(u)
        UNION
        SELECT platform, post_id, account_id, unnest(regexp_extract_all(text, '(?:https?://|www\.)[^\s<>"]+')) FROM posts
        WHERE contains(text, '://') OR contains(text, 'www.')"""


def _match_links(store: Store, ind: pd.DataFrame) -> pd.DataFrame:
    urls = ind[ind.kind.isin(["url", "account"])][["iid", "value"]]
    domains = ind[ind.kind == "domain"][["iid", "value"]]
    if urls.empty and domains.empty:
        return pd.DataFrame()
    links = store.df(f"SELECT DISTINCT * FROM ({_post_links_sql()})")
    if links.empty:
        return pd.DataFrame()
    forms = {u: _url_form(u if "://" in u else "https://" + u) for u in links.url.unique()}  # each distinct link once
    links["norm"] = links.url.map(lambda u: forms[u][0])
    links["host"] = links.url.map(lambda u: forms[u][1])
    store.register("_links", links)
    store.register("_known_urls", urls)
    store.register("_known_domains", domains)
    try:
        return store.df("""
            SELECT k.iid, 'url' AS match, l.platform, l.account_id, a.handle, l.post_id, l.url AS matched_value, 1.0 AS similarity
            FROM _known_urls k JOIN _links l ON lower(l.norm) = lower(k.value)
            LEFT JOIN accounts a ON a.platform = l.platform AND a.account_id = l.account_id
            UNION ALL
            SELECT k.iid, 'domain', l.platform, l.account_id, a.handle, l.post_id, l.url, 1.0
            FROM _known_domains k JOIN _links l ON l.host = k.value OR l.host LIKE '%.' || k.value
            LEFT JOIN accounts a ON a.platform = l.platform AND a.account_id = l.account_id""")
    finally:
        for name in ("_links", "_known_urls", "_known_domains"):
            store.unregister(name)


def _normalised_indicator_texts(texts: pd.DataFrame, min_tokens: int) -> pd.DataFrame:
    """Normalise published texts exactly as posts are (toolkit.text.normalize), in a scratch workspace."""
    from ..text.normalize import normalise_posts

    rows = pd.DataFrame({"platform": "indicator", "post_id": texts.iid.astype(str), "text": texts.indicator,
                         "created_at": pd.Timestamp("2000-01-01", tz="UTC"), "source_id": 0,
                         "source_row": texts.iid.astype("int64")})
    with Store(":memory:") as scratch:
        scratch.register("_rows", rows)
        scratch.execute("INSERT INTO posts (platform, post_id, text, created_at, source_id, source_row) "
                        "SELECT platform, post_id, text, created_at, source_id, source_row FROM _rows")
        normalise_posts(scratch, min_tokens=min_tokens)
        out = scratch.df("SELECT post_id::BIGINT AS iid, norm_text, tokens, n_tokens, status FROM post_text")
    return out


def _match_texts(store: Store, ind: pd.DataFrame, texts: pd.DataFrame, threshold: float, min_tokens: int) -> pd.DataFrame:
    if not store.has_table("post_text"):
        from ..text.normalize import normalise_posts

        log.info("known networks: the workspace has no post_text yet; normalising its posts")
        normalise_posts(store, min_tokens=min_tokens)
    known = _normalised_indicator_texts(texts, min_tokens)
    known = known[known.status != "empty"]
    store.register("_known_texts", known)
    eligible = f"status IN ('ok', 'truncated') AND n_tokens >= {min_tokens}"
    try:
        # Near-duplicates with a prefix filter: a text whose Jaccard similarity with a published text A
        # reaches t shares at least ceil(t |A|) tokens with it, hence at least one of any
        # |A| - ceil(t |A|) + 1 tokens of A. The rarest are taken (document frequencies counted on
        # every k-th post, so that few texts qualify), the workspace's texts holding one of them are
        # found by one pattern, and only those are compared.
        store.execute(f"""CREATE OR REPLACE TEMP TABLE _known_tokens AS
                          SELECT iid, list_distinct(string_split(tokens, ' ')) AS toks FROM _known_texts WHERE {eligible}""")
        store.execute(f"""
            CREATE OR REPLACE TEMP TABLE _known_prefix AS
            WITH kl AS (SELECT * FROM _known_tokens),
            vocabulary AS (SELECT DISTINCT unnest(toks) AS tok FROM kl),
            counted AS (
                SELECT tok, count(*) AS df
                FROM (SELECT unnest(string_split(tokens, ' ')) AS tok FROM post_text
                      WHERE {eligible} AND pid % greatest(1, (SELECT count(*) FROM post_text) // {DF_SAMPLE_POSTS}) = 0)
                WHERE tok IN (SELECT tok FROM vocabulary) GROUP BY tok),
            ranked AS (SELECT kt.iid, kt.tok, len(kt.toks) AS n,
                              row_number() OVER (PARTITION BY kt.iid ORDER BY coalesce(counted.df, 0), kt.tok) AS r
                       FROM (SELECT iid, toks, unnest(toks) AS tok FROM kl) kt LEFT JOIN counted USING (tok))
            SELECT iid, tok FROM ranked WHERE r <= n - ceil({threshold} * n) + 1""")
        tokens = sorted({tok for (tok,) in store.rows("SELECT DISTINCT tok FROM _known_prefix")})
        holding = f"AND regexp_matches(tokens, {sql_str(tokens_pattern(tokens))})" if tokens else "AND false"
        return store.df(f"""
            WITH k AS (SELECT * FROM _known_texts),
            exact AS (
                SELECT k.iid, pt.platform, pt.post_id, 1.0 AS similarity, 'text (exact)' AS match
                FROM k JOIN post_text pt ON pt.norm_text = k.norm_text AND pt.status <> 'empty'),
            texts AS MATERIALIZED (
                SELECT row_number() OVER (ORDER BY norm_text) AS tid, norm_text, tokens
                FROM (SELECT norm_text, any_value(tokens) AS tokens FROM post_text WHERE {eligible} {holding} GROUP BY norm_text)),
            kl AS (SELECT * FROM _known_tokens),
            tt AS (SELECT DISTINCT tid, tok FROM (SELECT tid, unnest(string_split(tokens, ' ')) AS tok FROM texts)),
            candidates AS (SELECT DISTINCT p.iid, tt.tid FROM _known_prefix p JOIN tt USING (tok)),
            near AS (
                SELECT iid, norm_text, s / (len(a) + len(b) - s) AS similarity
                FROM (SELECT c.iid, t.norm_text, kl.toks AS a, list_distinct(string_split(t.tokens, ' ')) AS b,
                             len(list_intersect(kl.toks, list_distinct(string_split(t.tokens, ' ')))) AS s
                      FROM candidates c JOIN kl USING (iid) JOIN texts t USING (tid))
                WHERE s / (len(a) + len(b) - s) >= {threshold}),
            near_posts AS (
                SELECT n.iid, pt.platform, pt.post_id, round(n.similarity, 4) AS similarity, 'text (near-duplicate)' AS match
                FROM near n JOIN post_text pt USING (norm_text) JOIN k USING (iid)
                WHERE k.norm_text <> n.norm_text),
            found AS (SELECT * FROM exact UNION ALL SELECT * FROM near_posts)
            SELECT f.iid, f.match, f.platform, p.account_id, a.handle, f.post_id, p.text AS matched_value, f.similarity
            FROM found f JOIN posts p USING (platform, post_id)
            LEFT JOIN accounts a ON a.platform = p.platform AND a.account_id = p.account_id""")
    finally:
        store.unregister("_known_texts")
        for name in ("_known_tokens", "_known_prefix"):
            store.execute(f"DROP TABLE IF EXISTS {name}")


def summarise_matches(matches: pd.DataFrame) -> pd.DataFrame:
    """One row per (network, match): indicators matched, accounts and posts involved.

    Returns:
        DataFrame with network, match, indicators, accounts, posts, examples (up to 5 matched values).
    """
    if matches.empty:
        return pd.DataFrame(columns=["network", "match", "indicators", "accounts", "posts", "examples"])
    rows = []
    for (network, match), group in matches.groupby(["network", "match"], sort=True):
        rows.append({"network": network, "match": match, "indicators": group.indicator_row.nunique(),
                     "accounts": group.dropna(subset=["account_id"])[["platform", "account_id"]].drop_duplicates().shape[0],
                     "posts": group.post_id.dropna().nunique(),
                     "examples": list(dict.fromkeys(group.matched_value.astype(str)))[:5]})
    return pd.DataFrame(rows)


#: What a pseudonymised output shows instead of a published indicator that names a hashed account.
WITHHELD = "(withheld: it names a pseudonymised account)"
#: Matches that identify the workspace account by its own handle or id.
ACCOUNT_MATCHES = ("handle", "previous handle", "account id")


def pseudonymise_matches(matches: pd.DataFrame, pseudonymiser) -> pd.DataFrame:
    """A copy of :func:`match_known_networks` output with the accounts a pseudonymiser hashes replaced.

    The account id and handle become the account's token; so does ``matched_value`` where it is the
    account's own handle or id, and then the published indicator and its row are withheld too (they
    would name the account). Other indicators (texts, links, a mentioned account) are kept as published.

    Args:
        matches: :func:`match_known_networks` output.
        pseudonymiser: a :class:`toolkit.report.pseudonymise.Pseudonymiser`.

    Returns:
        The new DataFrame.
    """
    out = matches.astype({"indicator_row": object}).copy()
    for i, (platform, account_id, match) in enumerate(zip(out.platform, out.account_id, out["match"])):
        if account_id is None or (isinstance(account_id, float) and pd.isna(account_id)) \
                or pseudonymiser.kept(platform, account_id):
            continue
        token = pseudonymiser.token(platform, account_id)
        out.iat[i, out.columns.get_loc("account_id")] = token
        out.iat[i, out.columns.get_loc("handle")] = token
        if match in ACCOUNT_MATCHES:
            out.iat[i, out.columns.get_loc("matched_value")] = token
            out.iat[i, out.columns.get_loc("indicator")] = WITHHELD
            out.iat[i, out.columns.get_loc("indicator_row")] = None
    return out
