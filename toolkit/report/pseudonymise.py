"""Pseudonymisation for publication: salted hashes in place of account ids and handles.

The X information-operations archive publishes the accounts of a removed network but hashes the
ids and handles of small accounts. :class:`Pseudonymiser` does the same for every output of a
reconstruction: an account is replaced by ``anon_`` and the first 16 hex digits of
``SHA-256(salt | platform | account_id)``; its handle becomes the same token, so that the id and
the handle of one account still go together, and the same account gets the same token in every
file of a run (and across runs given the same salt).

Scopes:

``unflagged``
    accounts that are not flagged are hashed; flagged accounts — the evidence a platform acts
    on — are kept.
``all``
    every account is hashed, flagged ones included.

Targets (the accounts the campaign addressed — members of parliament in the reference case) are
public figures named in the report and are kept unless ``keep_targets=False``.

Example:
    >>> p = Pseudonymiser(salt="correct horse", scope="all", keep=frozenset())
    >>> p.account_id("x", "12345")
    'anon_04e470a5bf047897'
    >>> p.handle("x", "12345", "SomeHandle") == p.account_id("x", "12345")
    True

Caveats:
    Only ids and handles are replaced. Post ids are kept (a post can be looked up on the platform
    while it is online, and with it its author); post texts are never rewritten, and a text may
    name or @mention an account. The salt must stay secret: anyone holding it can test guesses.
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from typing import Iterable

import pandas as pd

from ..errors import ParameterError
from ..store import Store

SCOPES = ("unflagged", "all")


@dataclasses.dataclass(frozen=True)
class Pseudonymiser:
    """Replaces account ids and handles, except those of the accounts in ``keep``.

    Attributes:
        salt: secret text mixed into every hash.
        scope: ``unflagged`` or ``all`` (recorded in the outputs; see the module docstring).
        keep: (platform, account_id) pairs left as they are.
        aliases: (platform, account_id) -> handles and names the account was seen with, hidden
            wherever they appear in a text column of a hashed account (its reasons, say).
    """

    salt: str
    scope: str
    keep: frozenset = frozenset()
    aliases: dict = dataclasses.field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        if self.scope not in SCOPES:
            raise ParameterError(f"pseudonymise scope={self.scope!r}: expected one of {SCOPES}")
        if not isinstance(self.salt, str) or len(self.salt) < 8:
            raise ParameterError("pseudonymise salt: give at least 8 characters of secret text (or None for a random one)")

    def kept(self, platform: str, account_id: str) -> bool:
        """True for an account left as it is."""
        return (str(platform), str(account_id)) in self.keep

    def token(self, platform: str, account_id: str) -> str:
        """The pseudonym of an account (whether or not it is kept)."""
        digest = hashlib.sha256(f"{self.salt}|{platform}|{account_id}".encode("utf-8")).hexdigest()
        return "anon_" + digest[:16]

    def account_id(self, platform: str, account_id) -> str | None:
        """The account id to publish."""
        if account_id is None or (isinstance(account_id, float) and pd.isna(account_id)):
            return None
        return str(account_id) if self.kept(platform, account_id) else self.token(platform, account_id)

    def handle(self, platform: str, account_id, handle) -> str | None:
        """The handle to publish (the account's token when it is hashed)."""
        if account_id is None or (isinstance(account_id, float) and pd.isna(account_id)):
            return None if handle is None or (isinstance(handle, float) and pd.isna(handle)) else "anon_handle"
        if self.kept(platform, account_id):
            return handle
        return self.token(platform, account_id)

    def scrub(self, platform: str, account_id, text):
        """``text`` with the handles and names of a hashed account hidden (its token for ``@handle``)."""
        if not isinstance(text, str) or account_id is None or self.kept(platform, account_id):
            return text
        token = self.token(platform, account_id)
        for alias in self.aliases.get((str(platform), str(account_id)), ()):
            text = text.replace("@" + alias, "@" + token).replace(alias, "(hidden)")
        return text

    def name_account(self, platform: str, account_id, handle) -> tuple[str | None, str | None]:
        """(account id, handle) to publish."""
        return self.account_id(platform, account_id), self.handle(platform, account_id, handle)

    def frame(self, frame: pd.DataFrame, *, platform: str = "platform", account_id: str = "account_id",
              handles: Iterable[str] = ("handle",), drop: Iterable[str] = (), texts: Iterable[str] = ()) -> pd.DataFrame:
        """A copy of ``frame`` with its account id and handle columns replaced.

        Args:
            frame: a table with a platform column and an account id column.
            platform, account_id: those columns' names.
            handles: handle columns of the same account (missing ones are skipped).
            drop: columns that identify the account otherwise (profile links): emptied for hashed
                accounts.
            texts: text columns (reasons) in which a hashed account's handles and names are hidden
                (lists are scrubbed item by item).

        Returns:
            The new DataFrame (the input is not changed).
        """
        out = frame.copy()
        if out.empty:
            return out
        hashed = [not self.kept(p, a) for p, a in zip(out[platform], out[account_id])]
        for column in handles:
            if column in out.columns:
                out[column] = [self.handle(p, a, h) for p, a, h in zip(out[platform], out[account_id], out[column])]
        for column in texts:
            if column in out.columns:
                out[column] = [[self.scrub(p, a, t) for t in v] if isinstance(v, (list, tuple)) or hasattr(v, "tolist")
                               else self.scrub(p, a, v) for p, a, v in zip(out[platform], out[account_id], out[column])]
        for column in drop:
            if column in out.columns:
                out[column] = [None if h else v for h, v in zip(hashed, out[column])]
        out[account_id] = [self.account_id(p, a) for p, a in zip(out[platform], out[account_id])]
        return out

    def describe(self) -> dict:
        """What was done, for the outputs (never the salt)."""
        return {"scope": self.scope, "accounts_kept": len(self.keep),
                "method": "anon_ + first 16 hex digits of SHA-256(salt | platform | account_id), for ids and handles"}


def make_pseudonymiser(store: Store, scope: str = "unflagged", *, salt: str | None = None,
                       keep_targets: bool = True) -> Pseudonymiser:
    """A :class:`Pseudonymiser` for a reconstructed workspace.

    Args:
        store: a workspace with ``account_scores`` (and ``targets``).
        scope: ``unflagged`` (hash accounts that are not flagged) or ``all``.
        salt: secret text; None draws a random one (the pseudonyms then differ from run to run).
        keep_targets: keep the targets' ids and handles (public figures).

    Returns:
        The pseudonymiser.

    Raises:
        ParameterError: unknown scope, too short a salt, or a workspace without ``account_scores``.
    """
    if scope not in SCOPES:
        raise ParameterError(f"pseudonymise scope={scope!r}: expected one of {SCOPES}")
    if not store.has_table("account_scores"):
        raise ParameterError("the workspace has no account_scores; run toolkit.reconstruct.reconstruct(store) first")
    keep: set[tuple[str, str]] = set()
    if scope == "unflagged":
        keep |= {(p, a) for p, a in store.rows("SELECT platform, account_id FROM account_scores WHERE flagged")}
    if keep_targets and store.has_table("targets"):
        keep |= {(str(p), str(a)) for p, a in store.rows("SELECT platform, account_id FROM targets")}
    aliases: dict[tuple[str, str], list[str]] = {}
    for platform, account_id, alias in store.rows("""
            SELECT platform, account_id, alias FROM (
                SELECT platform, account_id, unnest([handle, display_name]) AS alias FROM accounts
                UNION SELECT platform, account_id, unnest([handle, display_name]) FROM account_history)
            WHERE length(alias) >= 3 ORDER BY platform, account_id, length(alias) DESC, alias"""):
        if (platform, account_id) not in keep:
            aliases.setdefault((platform, account_id), []).append(alias)
    return Pseudonymiser(salt=salt if salt is not None else secrets.token_hex(16), scope=scope, keep=frozenset(keep),
                         aliases=aliases)
