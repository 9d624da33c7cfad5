"""Handle shape: X's default auto-generated usernames.

When someone signs up on X without choosing a username, the platform proposes one made of
the display name (letters only, cut short) followed by digits, within X's 15-character
limit: ``ZoeRich28859010``, ``WillDav46208593``, ``Camila17216155``. Accounts made in bulk
keep that default far more often than people do. The default pattern used here is

    letters, then at least 8 digits, 15 characters at most  (``^[A-Za-z]+[0-9]{8,}$``)

— the 15-character limit then caps the letters at 7. It is checked against the 35 X accounts
in Meta's Q2 2023 Spamouflage indicators (``Q2_2023_Spamouflage_China_based_CIB_updated.csv``,
procedure 0.9.4): 14 of them have this shape (``ZoeRich28859010``, ``End05201180``,
``qwe12375724748``, ``a7918578348`` ...); the other 21 carry chosen-looking names
(``alixmouton``, ``belle_zuri``, ``HeidiCreel2``), as renamed or purchased accounts do. So a
default handle is evidence of a fresh, low-effort account, and its absence is no evidence of
anything.

Companion measures: ``handle_digits`` (length of the trailing run of digits) and
``handle_matches_name`` (the letters are the start of the display name's letters, as X's
generator makes them).

Caveats:
    Many real people keep the default username, above all recent sign-ups who never post
    much; it is a weak signal alone. Only X's pattern is known here: other platforms' handles
    give NULL (Facebook profiles without a vanity name have no handle at all).

Example:
    >>> from toolkit.accounts.handles import is_default_handle
    >>> [is_default_handle(h) for h in ["ZoeRich28859010", "End05201180", "alixmouton", "john1985", None]]
    [True, True, False, False, None]
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

#: X's default username shape: letters followed by at least 8 digits.
DEFAULT_HANDLE_REGEX = r"^[A-Za-z]+[0-9]{8,}$"
#: X's username length limit.
X_HANDLE_MAX_CHARS = 15
#: Platforms whose default-handle pattern is known (others give NULL).
DEFAULT_HANDLE_PLATFORMS = ("x",)

_DEFAULT = re.compile(DEFAULT_HANDLE_REGEX)
_TRAILING_DIGITS = re.compile(r"[0-9]+$")
_LEADING_LETTERS = re.compile(r"^[A-Za-z]+")


def is_default_handle(handle: Any) -> bool | None:
    """True if an X handle has the platform's default shape (letters + ≥ 8 digits, ≤ 15 chars).

    Args:
        handle: a username, with or without a leading '@'.

    Returns:
        True / False, or None when there is no handle (None or empty).
    """
    if handle is None or (isinstance(handle, float) and handle != handle):
        return None
    text = str(handle).strip().lstrip("@")
    if not text:
        return None
    return bool(len(text) <= X_HANDLE_MAX_CHARS and _DEFAULT.match(text))


def handle_digits(handle: Any) -> int | None:
    """Length of the run of digits a handle ends with (0 if none; None without a handle)."""
    if handle is None or (isinstance(handle, float) and handle != handle) or not str(handle).strip():
        return None
    found = _TRAILING_DIGITS.search(str(handle).strip())
    return len(found.group()) if found else 0


def _letters(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    return "".join(c for c in folded if c.isascii() and c.isalpha()).lower()


def handle_matches_name(handle: Any, display_name: Any) -> bool | None:
    """True if the handle's leading letters start the display name's letters (``ZoeRich…`` / "Zoe Rich").

    Returns None when either is missing or the handle starts with no letter.
    """
    if not handle or not display_name or not isinstance(handle, str) or not isinstance(display_name, str):
        return None
    found = _LEADING_LETTERS.match(handle.strip().lstrip("@"))
    name = _letters(display_name)
    if not found or not name:
        return None
    return name.startswith(found.group().lower())


def default_handle_sql(handle: str, platform: str) -> str:
    """DuckDB expression: the default-handle flag of :func:`is_default_handle` (NULL off X or without handle)."""
    h = f"ltrim(trim({handle}), '@')"
    return (f"(CASE WHEN {platform} NOT IN ({', '.join(repr(p) for p in DEFAULT_HANDLE_PLATFORMS)}) "
            f"OR {handle} IS NULL OR {h} = '' THEN NULL "
            f"ELSE length({h}) <= {X_HANDLE_MAX_CHARS} AND regexp_full_match({h}, '{DEFAULT_HANDLE_REGEX[1:-1]}') END)")


def handle_digits_sql(handle: str) -> str:
    """DuckDB expression: length of the trailing digits of a handle (NULL without handle)."""
    return (f"(CASE WHEN {handle} IS NULL OR trim({handle}) = '' THEN NULL "
            f"ELSE length(regexp_extract(trim({handle}), '[0-9]+$')) END)")


def handle_matches_name_sql(handle: str, display_name: str) -> str:
    """DuckDB expression: :func:`handle_matches_name` (accents stripped, letters only, case ignored)."""
    stem = f"lower(regexp_extract(ltrim(trim({handle}), '@'), '^[A-Za-z]+'))"
    name = f"lower(regexp_replace(strip_accents({display_name}), '[^A-Za-z]', '', 'g'))"
    return f"(CASE WHEN {stem} = '' OR {name} = '' THEN NULL ELSE starts_with({name}, {stem}) END)"
