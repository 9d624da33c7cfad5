"""Indicators in the Online Operations Kill Chain format platforms and researchers exchange.

Meta publishes the indicators of the networks it removes as CSV files with the columns
``Tactic, Technique, Procedure, Indicator, Note``, where the first three name a step of the
Online Operations Kill Chain (Nimmo & Hutchins, 2023) and URLs are *defanged* (``twitter[.]com``)
so that nobody opens them by accident. :func:`killchain_indicators` writes a workspace's
evidence in that format:

===========================================  ================================================
procedure                                    rows
===========================================  ================================================
0.9.1 / 0.9.4 / ... Acquiring ... accounts   a count per platform, then one row per flagged
                                             account (profile URL, score and reasons)
0.9.9 Acquiring and repurposing accounts     flagged accounts revived after dormancy (hijacked)
3.1.1 Working to a regular shift pattern     the office-hours fit of the campaign's posts
5.2.2 Editing copied content                 templates of campaign messages with varying parts
6.2.x Amplifying with likely fake accounts   campaign posts per platform
7.3.4 Utilising Language-Specific Campaigns  campaign posts per language
7.3.1 Using audience-specific hashtags        hashtags of campaign posts (used twice or more)
7.5.2 Directing audience to website          links in campaign posts (defanged)
7.6.1 Posting negative content about ...     each campaign message's representative text, per language
7.8.2 Replying to social media users         each target, with the campaign's comments to it
===========================================  ================================================

The Tactic / Technique / Procedure names are those of the kill chain's published index
(``data/Online_Operations_Killchain-TTPs.csv``, MIT licence, see ``data/SOURCE.md``),
whitespace tidied; :func:`killchain_row` refuses any other.

Example:
    >>> defang("https://twitter.com/ZoeRich28859010")
    'https://twitter[.]com/ZoeRich28859010'
    >>> refang("https://www[.]quora[.]com/profile/X")
    'https://www.quora.com/profile/X'
    >>> killchain_row("0.9.4", "https://twitter[.]com/x")[:3]
    ('0. Acquiring assets', '0.9 Acquiring social media accounts', '0.9.4 Acquiring X / Twitter accounts')
"""

from __future__ import annotations

import functools
import logging
import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pandas as pd

from ..errors import ParameterError
from ..export import write_csv
from ..store import Store

log = logging.getLogger(__name__)

DATA = Path(__file__).resolve().parent / "data"
#: The kill chain's index of tactics, techniques and procedures, as published (see data/SOURCE.md).
TTP_FILE = DATA / "Online_Operations_Killchain-TTPs.csv"
#: Columns of a kill-chain indicator file, in order.
INDICATOR_COLUMNS = ["Tactic", "Technique", "Procedure", "Indicator", "Note"]

#: Acquiring-accounts procedure per platform (others: 0.9.12 other social media assets).
ACQUIRING = {"facebook": "0.9.1", "instagram": "0.9.2", "threads": "0.9.3", "x": "0.9.4", "twitter": "0.9.4",
             "youtube": "0.9.5", "tiktok": "0.9.6", "telegram": "0.9.7"}
#: Amplifying-with-fake-accounts procedure per platform (others: 6.2.8 online forums).
AMPLIFYING = {"facebook": "6.2.1", "instagram": "6.2.2", "threads": "6.2.3", "x": "6.2.4", "twitter": "6.2.4",
              "youtube": "6.2.5", "tiktok": "6.2.6", "telegram": "6.2.7"}
#: Profile and post URL patterns per platform ({handle}, {account_id}, {post_id}).
PROFILE_URLS = {"x": ("https://{x_domain}/{handle}", "https://{x_domain}/i/user/{account_id}"),
                "facebook": ("https://www.facebook.com/{account_id}", "https://www.facebook.com/{account_id}")}
PLATFORM_NAMES = {"x": "X", "facebook": "Facebook", "instagram": "Instagram", "youtube": "YouTube",
                  "tiktok": "TikTok", "telegram": "Telegram", "threads": "Threads"}


def tidy(text: object) -> str:
    """A name with its whitespace collapsed (the published index has stray spaces and line breaks)."""
    return " ".join(str(text).split()) if text is not None and not (isinstance(text, float) and pd.isna(text)) else ""


@functools.cache
def ttp_table() -> pd.DataFrame:
    """The kill chain's tactics, techniques and procedures (one row per procedure).

    Returns:
        DataFrame with columns code (``0.9.4``), tactic, technique, procedure (names tidied).
    """
    raw = pd.read_csv(TTP_FILE, dtype=str, keep_default_na=False)
    table = pd.DataFrame({"tactic": raw["Tactic"].map(tidy), "technique": raw["Technique"].map(tidy),
                          "procedure": raw["Procedure"].map(tidy)})
    table = table[table.procedure != ""].reset_index(drop=True)
    table.insert(0, "code", table.procedure.str.split(" ").str[0])
    return table


def killchain_row(code: str, indicator: str, note: str = "") -> tuple[str, str, str, str, str]:
    """One indicator row for the procedure numbered ``code`` (e.g. ``"0.9.4"``).

    Raises:
        ParameterError: ``code`` is not a procedure of the published index.
    """
    names = _procedures()
    if code not in names:
        raise ParameterError(f"kill-chain procedure {code!r}: not in the published index {TTP_FILE.name}; "
                             f"expected a code such as '0.9.4' (of {len(names)} procedures).")
    return (*names[code], indicator, note)


@functools.cache
def _procedures() -> dict[str, tuple[str, str, str]]:
    """(tactic, technique, procedure) of each procedure code (the first row of a repeated code)."""
    table = ttp_table()
    return {code: (row.tactic, row.technique, row.procedure)
            for code, row in table.drop_duplicates("code").set_index("code").iterrows()}


_HOST = re.compile(r"^(?P<scheme>[a-z][a-z0-9+.-]*://)?(?P<host>[^/?#\s]+)(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)

_DEFANGED_DOT = re.compile(r"\[\.\]|\(\.\)|\[dot\]|\{\.\}", re.IGNORECASE)
_HXXP = re.compile(r"^hxxp", re.IGNORECASE)


def refang(value: str) -> str:
    """Undo defanging: ``[.]``, ``(.)``, ``[dot]`` become ``.``, ``hxxp`` becomes ``http``, ``[:]`` becomes ``:``."""
    if not isinstance(value, str):
        return value
    out = _HXXP.sub("http", _DEFANGED_DOT.sub(".", value))
    return out.replace("[:]", ":").replace("[://]", "://")


def defang(value: str) -> str:
    """Defang a URL or domain as Meta's indicator files do: the dots of the host become ``[.]``
    (``https://twitter[.]com/name``); the path is left as it is. Defanging twice changes nothing."""
    if not isinstance(value, str) or not value:
        return value
    match = _HOST.match(refang(value.strip()))
    if not match:
        return value
    return (match.group("scheme") or "") + match.group("host").replace(".", "[.]") + match.group("rest")


def profile_url(platform: str, account_id: str, handle: str | None, *, x_domain: str = "twitter.com") -> str | None:
    """The public profile URL of an account (not defanged), or None for a platform without a known pattern."""
    patterns = PROFILE_URLS.get(platform)
    if patterns is None:
        return None
    pattern = patterns[0] if handle else patterns[1]
    return pattern.format(x_domain=x_domain, handle=handle, account_id=account_id)


def _campaign_sql() -> str:
    return """SELECT c.cluster_id, c.platform, c.post_id, c.lang FROM clusters c
              JOIN cluster_judgement j USING (cluster_id) WHERE j.campaign"""


def _yes(value) -> bool:
    """Truth of a cell that may be missing (pandas NA, None, NaN count as no)."""
    return False if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) else bool(value)


def killchain_indicators(store: Store, *, summary: dict | None = None, matches: pd.DataFrame | None = None,
                         pseudonymiser=None, x_domain: str = "twitter.com", max_text_chars: int = 500) -> pd.DataFrame:
    """The workspace's evidence as kill-chain indicator rows (see the module docstring).

    Args:
        store: a workspace where :func:`toolkit.reconstruct.reconstruct` ran (``account_scores``,
            ``account_evidence``, ``clusters``, ``cluster_judgement``, ``cluster_summary``, ``targets``).
        summary: the campaign summary :func:`toolkit.reconstruct.reconstruct` returned (for the
            office-hours fit); None leaves that row out.
        matches: :func:`toolkit.report.known_networks.match_known_networks` output: flagged accounts
            found in a published list say so in their Note.
        pseudonymiser: a :class:`toolkit.report.pseudonymise.Pseudonymiser`: the ids and handles of
            the accounts it does not keep are replaced, and hidden in the reasons; None keeps them.
        x_domain: domain of X profile URLs (``twitter.com``, as Meta's files use, or ``x.com``).
        max_text_chars: message texts longer than this are cut (with an ellipsis).

    Returns:
        DataFrame with columns Tactic, Technique, Procedure, Indicator, Note; URLs defanged.

    Caveats:
        The rows describe what the data shows (flagged accounts, copied messages, timing); they are
        leads for a platform's own investigation, not proof of who runs the accounts.
    """
    scrub = pseudonymiser.scrub if pseudonymiser is not None else (lambda platform, account_id, text: text)

    def account_indicator(platform: str, account_id: str, handle: str | None) -> str:
        """The defanged profile URL, or the pseudonym of an account the pseudonymiser hashes."""
        if pseudonymiser is not None and not pseudonymiser.kept(platform, account_id):
            return f"{platform} account {pseudonymiser.token(platform, account_id)}"
        return defang(profile_url(platform, account_id, handle, x_domain=x_domain) or f"{platform}:{account_id}")
    rows: list[tuple] = []
    known = _known_notes(matches, pseudonymiser)
    accounts = store.df("""
        SELECT s.platform, s.account_id, s.handle, s.score, array_to_string(s.reasons, '; ') AS reasons,
               coalesce(e.reactivated_with_switch, false) AS hijacked, s.campaign_posts,
               round(e.longest_gap_days / 365.25, 1) AS silent_years, strftime(e.dormant_from, '%Y-%m-%d') AS dormant_from,
               strftime(e.reactivated_at, '%Y-%m-%d') AS revived, e.lang_before, e.lang_after, e.topic_switch,
               e.renamed, e.bio_changed
        FROM account_scores s LEFT JOIN account_evidence e USING (platform, account_id)
        WHERE s.flagged ORDER BY s.platform, s.score DESC, s.account_id""")
    for platform, group in accounts.groupby("platform", sort=True):
        code = ACQUIRING.get(platform, "0.9.12")
        name = PLATFORM_NAMES.get(platform, platform)
        rows.append(killchain_row(code, f"{len(group):,} {name} accounts", "flagged: coordinated posting of campaign "
                                  "messages and signs of new, mass-made or hijacked accounts"))
        for r in group.itertuples(index=False):
            url = account_indicator(r.platform, r.account_id, r.handle)
            note = f"score {r.score:.2f}: {scrub(r.platform, r.account_id, r.reasons)}" + known.get((r.platform, r.account_id), "")
            rows.append(killchain_row(code, url, note))
    for r in accounts[accounts.hijacked].itertuples(index=False):
        url = account_indicator(r.platform, r.account_id, r.handle)
        switches = [f"language {r.lang_before} → {r.lang_after}" if _yes(r.lang_before != r.lang_after) and _yes(r.lang_before)
                    and _yes(r.lang_after) else None, "other vocabulary" if _yes(r.topic_switch) else None,
                    "renamed" if _yes(r.renamed) else None, "bio changed" if _yes(r.bio_changed) else None]
        note = (f"silent for {r.silent_years:g} years (last post {r.dormant_from}), revived {r.revived}: "
                + ", ".join(x for x in switches if x))
        rows.append(killchain_row("0.9.9", url, note))
    office = ((summary or {}).get("office_hours") or {}).get("campaign") or {}
    if office.get("offset_hours") is not None and not pd.isna(office.get("offset_hours")):
        share = office.get("office_share")
        sign = "+" if office["offset_hours"] >= 0 else ""
        text = f"the campaign's posts fit weekday office hours at UTC{sign}{office['offset_hours']:g}"
        if share is not None and not pd.isna(share):
            text += f" ({100 * share:.0f}% of its posts in them)"
        rows.append(killchain_row("3.1.1", text, "timing indicator only: it does not attribute the campaign"))
    templates = store.df(f"""
        WITH camp AS ({_campaign_sql()}),
        tc AS (SELECT DISTINCT cl.text_cluster_id, cl.cluster_id FROM clusters cl JOIN camp USING (platform, post_id))
        SELECT tc.cluster_id, t.text_cluster_id, t.template, t.n_texts,
               (SELECT count(*) FROM clusters x WHERE x.text_cluster_id = t.text_cluster_id) AS n_posts
        FROM templates t JOIN tc USING (text_cluster_id)
        WHERE t.template LIKE '%{{slot%' ORDER BY tc.cluster_id, n_posts DESC, t.text_cluster_id""")
    for r in templates.itertuples(index=False):
        rows.append(killchain_row("5.2.2", _cut(r.template, max_text_chars),
                                  f"message {r.cluster_id}: {r.n_texts} variants over {r.n_posts} posts; "
                                  "{slotN} marks the part that varies"))
    for platform, posts, accounts_n in store.rows(f"""
            WITH camp AS ({_campaign_sql()})
            SELECT camp.platform, count(*), count(DISTINCT p.account_id) FROM camp JOIN posts p USING (platform, post_id)
            GROUP BY 1 ORDER BY 1"""):
        on = PLATFORM_NAMES.get(platform, platform)
        rows.append(killchain_row(AMPLIFYING.get(platform, "6.2.8"), f"{posts:,} campaign posts by {accounts_n:,} accounts on {on}",
                                  "posts of copy clusters judged part of the campaign"))
    for lang, posts, messages in store.rows(f"""WITH camp AS ({_campaign_sql()})
            SELECT coalesce(lang, 'und'), count(*), count(DISTINCT cluster_id) FROM camp GROUP BY 1 ORDER BY 2 DESC, 1"""):
        rows.append(killchain_row("7.3.4", f"{posts:,} campaign posts in language '{lang}'", f"{messages} messages"))
    for tag, posts in store.rows(f"""WITH camp AS ({_campaign_sql()})
            SELECT '#' || lower(h) AS tag, count(*) FROM camp JOIN posts p USING (platform, post_id), unnest(p.hashtags) AS u(h)
            GROUP BY 1 HAVING count(*) >= 2 ORDER BY 2 DESC, 1"""):
        rows.append(killchain_row("7.3.1", tag, f"in {posts:,} campaign posts"))
    for url, posts in store.rows(f"""WITH camp AS ({_campaign_sql()})
            SELECT u, count(*) FROM camp JOIN posts p USING (platform, post_id), unnest(p.urls) AS x(u)
            GROUP BY 1 ORDER BY 2 DESC, 1"""):
        rows.append(killchain_row("7.5.2", defang(url), f"linked in {posts:,} campaign posts"))
    texts = store.df(f"""
        WITH camp AS ({_campaign_sql()}),
        counted AS (SELECT cluster_id, coalesce(lang, 'und') AS lang, count(*) AS n FROM camp GROUP BY ALL)
        SELECT s.cluster_id, k.lang, k.n, s.text_by_language[k.lang] AS text, s.n_posts, s.n_accounts,
               strftime(s.first_at, '%Y-%m-%d') AS first_day, strftime(s.last_at, '%Y-%m-%d') AS last_day
        FROM cluster_summary s JOIN counted k USING (cluster_id)
        ORDER BY s.cluster_id, k.n DESC, k.lang""")
    for r in texts.itertuples(index=False):
        if not isinstance(r.text, str):
            continue
        rows.append(killchain_row("7.6.1", _cut(r.text, max_text_chars),
                                  f"message {r.cluster_id} ({r.lang}): {r.n:,} of its {r.n_posts:,} posts, "
                                  f"{r.n_accounts:,} accounts, {r.first_day} to {r.last_day}"))
    targets = store.df(f"""
        WITH camp AS ({_campaign_sql()})
        SELECT p.platform, p.reply_to_account_id AS account_id, any_value(t.handle) AS handle, any_value(t.name) AS name,
               any_value(t.party) AS party, any_value(t.province) AS province, count(*) AS posts,
               strftime(min(p.created_at), '%Y-%m-%d') AS first_day
        FROM camp JOIN posts p USING (platform, post_id)
        LEFT JOIN targets t ON t.platform = p.platform AND t.account_id = p.reply_to_account_id
        WHERE p.reply_to_account_id IS NOT NULL GROUP BY 1, 2 ORDER BY min(p.created_at), 1, 2""")
    for r in targets.itertuples(index=False):
        handle = r.handle if isinstance(r.handle, str) and r.handle else None
        url = profile_url(r.platform, r.account_id, handle, x_domain=x_domain) or f"{r.platform}:{r.account_id}"
        who = ", ".join(x for x in (r.name, r.party, r.province) if isinstance(x, str) and x)
        rows.append(killchain_row("7.8.2", defang(url),
                                  f"target{': ' + who if who else ''}; {r.posts:,} campaign comments, first on {r.first_day}"))
    return pd.DataFrame(rows, columns=INDICATOR_COLUMNS)


def _cut(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _known_notes(matches: pd.DataFrame | None, pseudonymiser=None) -> dict:
    """(platform, account_id) -> '. Listed in ...' for accounts found in published lists (without the row,
    which would name the account, when the pseudonymiser hashes it)."""
    if matches is None or matches.empty:
        return {}
    found = matches[matches.account_id.notna() & matches.match.isin(["handle", "previous handle", "account id"])]
    notes = {}
    for (platform, account_id), group in found.groupby(["platform", "account_id"]):
        hidden = pseudonymiser is not None and not pseudonymiser.kept(platform, account_id)
        lists = "; ".join(sorted({f"{r.network}{'' if hidden else f' row {r.indicator_row}'} ({r.match})"
                                  for r in group.itertuples(index=False)}))
        notes[(platform, account_id)] = f". Listed in a published indicator file: {lists}"
    return notes


def validate_indicators(frame: pd.DataFrame, *, name: str = "indicators") -> None:
    """Check a kill-chain indicator table before it is shared.

    Raises:
        ParameterError: columns other than :data:`INDICATOR_COLUMNS`, a procedure not in the published
            index, or a tactic / technique that does not belong to its procedure (rows named).
    """
    if list(frame.columns) != INDICATOR_COLUMNS:
        raise ParameterError(f"{name}: columns {list(frame.columns)}; expected {INDICATOR_COLUMNS}")
    table = ttp_table()
    parents = dict(zip(table.procedure, zip(table.tactic, table.technique)))
    bad = []
    for i, r in enumerate(frame.itertuples(index=False), start=1):
        procedure = tidy(r.Procedure)
        if procedure not in parents:
            bad.append(f"row {i}: unknown procedure {r.Procedure!r}")
        elif (tidy(r.Tactic), tidy(r.Technique)) != parents[procedure]:
            bad.append(f"row {i}: {r.Tactic!r} / {r.Technique!r} do not go with {procedure!r}")
    if bad:
        raise ParameterError(f"{name}: {len(bad)} row(s) do not follow the kill chain's index: {'; '.join(bad[:5])}. "
                             f"Hint: build rows with killchain_row(code, indicator, note).")


def write_indicators(frame: pd.DataFrame, path: str | Path, *, validate: bool = True) -> Path:
    """Write a kill-chain indicator table as CSV (spreadsheet-safe, see :func:`toolkit.export.write_csv`).

    Args:
        frame: columns :data:`INDICATOR_COLUMNS`.
        path: the file to write.
        validate: refuse procedures that are not in the published index (:func:`validate_indicators`).
            Published files of others use their own spellings; re-writing them needs ``validate=False``.

    Returns:
        The path written.
    """
    if validate:
        validate_indicators(frame, name=str(path))
    return write_csv(frame[INDICATOR_COLUMNS].fillna(""), path)


def split_url(url: str) -> tuple[str, str, str]:
    """(scheme, host without ``www.``, rest) of a refanged URL, lower-case host; ('', '', url) if not a URL."""
    parts = urlsplit(refang(url.strip()))
    if not parts.netloc:
        return "", "", url
    host = parts.netloc.lower().split("@")[-1].split(":")[0]
    host = host[4:] if host.startswith("www.") else host
    return parts.scheme.lower(), host, urlunsplit(("", "", parts.path, parts.query, ""))
