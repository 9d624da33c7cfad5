"""Account inspector: pick an account, see its profile history, evidence, score with reasons and posts."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..errors import ParameterError
from ..store import Store
from ._display import Explorer, remember_last, show_sections

#: Evidence columns shown first (the rest follow when not empty).
KEY_EVIDENCE = ["created_at", "created_at_source", "age_at_first_post_days", "batch_id", "batch_size", "default_handle",
                "bio_empty", "bio_shared_accounts", "followers", "longest_gap_days", "dormant_from", "reactivated_at",
                "lang_before", "lang_after", "vocabulary_overlap", "previous_handles", "previous_names",
                "reactivated_with_switch", "office_share", "night_share", "copy_share"]


def find_account(store: Store, account: Any) -> tuple[str, str]:
    """Resolve an account given as ``(platform, account_id)``, an account id, or a handle (with or without @).

    Raises:
        ParameterError: no such account, or a handle or id that several accounts share.
    """
    if isinstance(account, (tuple, list)) and len(account) == 2:
        return str(account[0]), str(account[1])
    key = str(account).strip().lstrip("@")
    found = store.rows("""SELECT DISTINCT platform, account_id FROM accounts
                          WHERE account_id = ? OR lower(handle) = lower(?) ORDER BY 1, 2""", [key, key])
    if not found:
        found = store.rows("SELECT DISTINCT platform, account_id FROM posts WHERE account_id = ? ORDER BY 1, 2", [key])
    if not found:
        raise ParameterError(f"account={account!r}: no account with that id or handle in the workspace")
    if len(found) > 1:
        raise ParameterError(f"account={account!r}: {len(found)} accounts match ({found[:3]}); give (platform, account_id)")
    return found[0]


def account_view(store: Store, account: Any, *, max_posts: int = 12) -> dict[str, Any]:
    """Everything the workspace knows about one account, as titled parts.

    Args:
        store: a reconstructed workspace (account_evidence, account_scores).
        account: ``(platform, account_id)``, an account id or a handle.
        max_posts: posts listed (the earliest and the latest, half each).

    Returns:
        dict with ``Score`` (text), ``Reasons`` (table), ``Profile versions`` (account_history),
        ``Evidence`` (the non-empty measured signals), ``Posts per month`` (figure: language of each
        post, so a revived account's switch shows) and ``Posts``.
    """
    platform, account_id = find_account(store, account)
    args = [platform, account_id]
    score_text, reasons = None, None
    if store.has_table("account_scores"):
        row = store.df("SELECT * FROM account_scores WHERE platform = ? AND account_id = ?", args)
        if len(row):
            r = row.iloc[0]
            score_text = (f"score {r['score']:.2f} ({'flagged' if r['flagged'] else 'not flagged'}): coordination "
                          f"{float(r['coordination']):.2f} × inauthenticity {float(r['inauthenticity']):.2f}")
            reasons = pd.DataFrame({"reason": list(r["reasons"])}) if len(r["reasons"]) else None
    history = store.df("""SELECT handle, display_name, description, observed_at, last_observed_at FROM account_history
                          WHERE platform = ? AND account_id = ? ORDER BY observed_at NULLS FIRST""", args) \
        if store.has_table("account_history") else None
    evidence = None
    if store.has_table("account_evidence"):
        ev = store.df("SELECT * FROM account_evidence WHERE platform = ? AND account_id = ?", args)
        if len(ev):
            row = ev.iloc[0]
            ordered = KEY_EVIDENCE + [c for c in ev.columns if c not in KEY_EVIDENCE]
            kept = [(c, row[c]) for c in ordered if c in ev.columns and c not in ("platform", "account_id")
                    and not _empty(row[c])]
            evidence = pd.DataFrame(kept, columns=["signal", "value"]).astype({"value": str})
    lang = "coalesce(t.lang, p.lang)" if store.has_table("post_text") else "p.lang"
    join = "LEFT JOIN post_text t USING (platform, post_id)" if store.has_table("post_text") else ""
    posts = store.df(f"""SELECT p.created_at, p.post_id, {lang} AS lang, p.reply_to_account_id AS replied_to, p.text
                         FROM posts p {join} WHERE p.platform = ? AND p.account_id = ? ORDER BY p.created_at""", args)
    half = max(1, max_posts // 2)
    listed = posts if len(posts) <= max_posts else pd.concat([posts.head(half), posts.tail(half)])
    return {"Account": f"{platform}:{account_id}", "Score": score_text, "Reasons": reasons,
            "Profile versions": history if history is not None and len(history) else None,
            "Evidence": evidence, "Posts per month": _monthly_figure(posts) if len(posts) else None, "Posts": listed}


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, (list, tuple)) or hasattr(value, "__len__") and not isinstance(value, str):
        return len(value) == 0
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _monthly_figure(posts: pd.DataFrame):
    from matplotlib.figure import Figure

    frame = posts.assign(month=pd.to_datetime(posts["created_at"], utc=True).dt.tz_localize(None).dt.to_period("M"),
                         lang=posts["lang"].fillna("und"))
    table = frame.pivot_table(index="month", columns="lang", values="post_id", aggfunc="count", fill_value=0)
    table = table.reindex(pd.period_range(table.index.min(), table.index.max(), freq="M"), fill_value=0)
    fig = Figure(figsize=(9, 2.6))  # not registered with pyplot: shown only where asked
    ax = fig.subplots()
    table.index = table.index.to_timestamp()
    bottom = None
    for lang in table.columns:
        ax.bar(table.index, table[lang], width=25, bottom=bottom, label=str(lang), align="edge")
        bottom = table[lang] if bottom is None else bottom + table[lang]
    ax.set_ylabel("posts per month")
    ax.legend(title="language", fontsize=8)
    fig.tight_layout()
    return fig


def account_choices(store: Store, *, flagged_only: bool = True, limit: int = 500) -> pd.DataFrame:
    """Accounts an inspector offers: flagged ones first, by score (platform, account_id, handle, score, flagged, label)."""
    where = "WHERE flagged" if flagged_only else ""
    frame = store.df(f"""SELECT platform, account_id, handle, score, flagged FROM account_scores {where}
                         ORDER BY score DESC, platform, account_id LIMIT ?""", [int(limit)])
    frame["label"] = [f"{r.platform} · @{r.handle or r.account_id} · score {r.score:.2f}" for r in frame.itertuples(index=False)]
    return frame


def account_inspector(store: Store, *, account: Any = None, flagged_only: bool = True, limit: int = 500) -> Explorer:
    """Inspect accounts: choose one (or type a handle or id); see its history, signals and reasons.

    Args:
        store: a reconstructed workspace.
        account: the account shown first (default: the highest score).
        flagged_only: list only flagged accounts (any account can still be typed in).
        limit: at most this many accounts listed.

    Returns:
        An :class:`~toolkit.explore._display.Explorer`.
    """
    import ipywidgets as widgets

    choices = account_choices(store, flagged_only=flagged_only, limit=limit)
    options = [(label, f"{p}\t{a}") for label, p, a in zip(choices["label"], choices["platform"], choices["account_id"])]
    if account is not None:
        platform, account_id = find_account(store, account)
        first = f"{platform}\t{account_id}"
        if first not in {v for _, v in options}:
            options.insert(0, (f"{platform} · {account_id}", first))
    elif options:
        first = options[0][1]
    else:
        raise ParameterError("no account to inspect: nothing is flagged; pass flagged_only=False or account=...")
    pick = widgets.Dropdown(options=options, value=first, description="account", layout=widgets.Layout(width="520px"))
    typed = widgets.Text(placeholder="or type a handle or account id, then Enter", layout=widgets.Layout(width="320px"))
    message = widgets.HTML()
    output = widgets.Output()
    state = {"key": tuple(first.split("\t"))}

    current = remember_last(lambda: state["key"], lambda: account_view(store, state["key"]))

    def refresh(_: Any = None) -> None:
        show_sections(output, current())

    def picked(change: dict) -> None:
        state["key"] = tuple(change["new"].split("\t"))
        refresh()

    def submitted(change: dict) -> None:
        if not change["new"].strip():
            return
        try:
            state["key"] = find_account(store, change["new"])
            message.value = ""
            refresh()
        except ParameterError as exc:
            message.value = f"<span style='color:#b2182b'>{exc}</span>"

    pick.observe(picked, names="value")
    typed.continuous_update = False
    typed.observe(submitted, names="value")
    refresh()
    return Explorer(widgets.VBox([widgets.HBox([pick, typed]), message, output]),
                    current, "Account inspector")
