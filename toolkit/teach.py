"""Exercises with automatic checks, and the instructor versions of the guided notebooks.

Each guided notebook asks a few questions; a student writes an answer and calls
:func:`check`, which compares it with the answer *computed* from the simulator's ground truth
(``truth/`` of ``cib simulate``, the bundled sample's by default) or from the workspace, and
says whether it is right — with a hint, never the answer, when it is not. Because the expected
answers are computed, the same exercises work on a fresh dataset per student
(``cib simulate --out DIR --seed N``).

Instructor versions: every exercise cell of a notebook is tagged ``exercise`` and carries its
solution in the cell's metadata (``"solution"``: the code that replaces the student's blank).
:func:`instructor_notebook` swaps them in, so the two versions come from one source and never
drift apart; ``python -m toolkit.teach --out DIR`` writes them all.

Example:
    >>> from toolkit.teach import check
    >>> check("03.peak_day", "2023-09-03").correct
    True
    >>> check("03.peak_day", "2023-09-04").correct
    False
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import functools
import html
import logging
import math
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from .errors import CibError, ParameterError
from .metrics import CAMPAIGN_POST_ROLE, CAMPAIGN_ROLES, TRAP_ROLES, Detection, Truth, load_truth, score_detection
from .store import Store

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Feedback:
    """The outcome of :func:`check`: ``correct`` (None when nothing was answered or nothing can
    be checked), a message, and a hint when the answer is not right. Shows itself in notebooks."""

    exercise_id: str
    correct: bool | None
    message: str
    hint: str = ""

    def __str__(self) -> str:
        return f"{self.exercise_id}: {self.message}" + (f" Hint: {self.hint}" if self.hint else "")

    def _repr_markdown_(self) -> str:
        mark = {True: "✅ **Correct.**", False: "❌ **Not quite.**", None: "✏️ **Not checked.**"}[self.correct]
        text = f"{mark} {self.message}"
        return text + (f"\n\n*Hint:* {self.hint}" if self.hint else "")

    def _repr_html_(self) -> str:
        colour = {True: "#1a9850", False: "#d73027", None: "#777777"}[self.correct]
        label = {True: "Correct.", False: "Not quite.", None: "Not checked."}[self.correct]
        hint = f"<br><i>Hint:</i> {html.escape(self.hint)}" if self.hint else ""
        return (f'<div style="border-left:4px solid {colour};padding:4px 8px"><b>{label}</b> '
                f"{html.escape(self.message)}{hint}</div>")


@dataclasses.dataclass(frozen=True)
class Exercise:
    """One question: what it asks, what it needs, how the expected answer is computed and compared.

    Attributes:
        exercise_id: ``NN.name`` where NN is the notebook's number.
        question: the question, as the notebook asks it.
        needs: ``truth``, ``store`` or both.
        expected: computes the expected answer from a :class:`Context`.
        accept: (answer, expected) -> bool.
        hint: shown when the answer is not right.
        explain: (expected) -> text shown when the answer is right.
    """

    exercise_id: str
    question: str
    needs: tuple[str, ...]
    expected: Callable[["Context"], Any]
    accept: Callable[[Any, Any], bool]
    hint: str
    explain: Callable[[Any], str] = lambda expected: ""


@dataclasses.dataclass
class Context:
    """What an exercise's expected answer is computed from."""

    truth: Truth | None = None
    store: Store | None = None


# -- answer normalisation ---------------------------------------------------------------------
def _as_date(value: Any) -> dt.date | None:
    if value is None:
        return None
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        return None
    if pd.isna(stamp):
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC")
    return stamp.date()


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        value = value.strip().rstrip("%")
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _as_set(value: Any) -> set[str]:
    if value is None:
        return set()
    if isinstance(value, str):
        value = value.replace(";", ",").split(",")
    try:
        return {str(v).strip().lower() for v in value if str(v).strip()}
    except TypeError:
        return {str(value).strip().lower()}


def _as_key(value: Any) -> str:
    """An account given as handle (with or without @), account id or name: lower-case, trimmed."""
    if value is None:
        return ""
    if isinstance(value, (tuple, list)) and len(value) == 2:
        value = value[1]  # (platform, account_id)
    return str(value).strip().lstrip("@").lower()


def _as_int(value: Any) -> int | None:
    number = _as_number(value)
    return None if number is None or number != int(number) else int(number)


def _account_keys(accounts: pd.DataFrame) -> set[str]:
    """Every way to name these accounts: id, handle, old handle, name."""
    keys: set[str] = set()
    for column in ("account_id", "handle", "old_handle", "name"):
        if column in accounts.columns:
            keys.update(str(v).strip().lower() for v in accounts[column] if str(v).strip())
    return keys


# -- expected answers ---------------------------------------------------------------------------
def _campaign_posts(ctx: Context) -> pd.DataFrame:
    posts = ctx.truth.posts
    return posts[posts["role"] == CAMPAIGN_POST_ROLE]


def _truth_by_post(ctx: Context, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (platform, post_id, ...) with the truth's role, template and language of each post."""
    truth = ctx.truth.posts[["platform", "post_id", "role", "template_id", "lang"]].rename(columns={"lang": "true_lang"})
    return frame.astype({"platform": str, "post_id": str}).merge(truth, on=["platform", "post_id"], how="left")


def _cluster_posts(ctx: Context, cluster_id: int) -> pd.DataFrame:
    return _truth_by_post(ctx, ctx.store.df("SELECT platform, post_id, lang FROM clusters WHERE cluster_id = ?",
                                            [int(cluster_id)]))


def _x_posts(ctx: Context) -> int:
    return int(ctx.store.scalar("SELECT count(*) FROM posts WHERE platform = 'x'"))


def _last_rejected_rows(ctx: Context) -> set[str]:
    rows = ctx.store.rows("SELECT source_row FROM rejects WHERE source_id = (SELECT max(source_id) FROM sources)")
    return {str(r[0]) for r in rows}


def _first_day(ctx: Context) -> dt.date:
    return _as_date(ctx.truth.campaign["first_post"])


def _campaign_hour(ctx: Context) -> list[int]:
    hours = _campaign_posts(ctx)["created_at"].dt.hour.value_counts()
    return sorted(int(h) for h in hours[hours == hours.max()].index)


def _languages(ctx: Context) -> set[str]:
    return {str(k).lower() for k, v in ctx.truth.campaign["posts_by_language"].items() if v}


def _peak_day(ctx: Context) -> dt.date:
    return _as_date(ctx.truth.campaign["peak_day"])


def _office_offset(ctx: Context) -> float:
    return float(ctx.truth.campaign["beijing_utc_offset_hours"])


def _long_weekend_share(ctx: Context) -> float:
    from .timeline import calendar_days

    posts = _campaign_posts(ctx)
    days = calendar_days(posts["created_at"].min(), posts["created_at"].max(), country="CA")
    labour = days[days["holiday"].fillna("").str.contains(r"Labou?r Day") & days["long_weekend"]]
    if labour.empty:
        raise ParameterError("this dataset's campaign does not span a Labour Day long weekend")
    day = pd.Timestamp(labour["date"].iloc[0])
    run = days[days["long_weekend"]].copy()
    run["date"] = pd.to_datetime(run["date"])
    run = run[(run["date"] - day).abs() <= pd.Timedelta(days=3)]
    on = posts["created_at"].dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize().isin(run["date"])
    return float(on.mean())


def _accounts_of(ctx: Context, roles: tuple[str, ...]) -> pd.DataFrame:
    accounts = ctx.truth.accounts
    return accounts[accounts["role"].isin(roles)]


def _campaign_targets(ctx: Context) -> pd.DataFrame:
    """The MPs' accounts the campaign replied to, with the MP's name, first hit and posts."""
    posts = _campaign_posts(ctx)
    hits = posts.groupby(["platform", "reply_to_account_id"]).agg(first_at=("created_at", "min"), posts=("post_id", "size"))
    hits = hits.reset_index().rename(columns={"reply_to_account_id": "account_id"})
    mps = ctx.truth.accounts[["platform", "account_id", "handle", "name"]]
    return hits.merge(mps, on=["platform", "account_id"], how="left")


def _mp_keys(ctx: Context, name: str) -> set[str]:
    """Every way to name one MP: name, and the handle and id of each of their accounts."""
    accounts = ctx.truth.accounts
    return _account_keys(accounts[(accounts["role"] == "mp") & (accounts["name"] == name)]) | {name.lower()}


def _first_target(ctx: Context) -> set[str]:
    targets = _campaign_targets(ctx).sort_values("first_at")
    return _mp_keys(ctx, str(targets["name"].iloc[0]))


def _most_hit(ctx: Context) -> set[str]:
    per_mp = _campaign_targets(ctx).groupby("name")["posts"].sum()
    return set().union(*(_mp_keys(ctx, str(n)) for n in per_mp[per_mp == per_mp.max()].index))


def _targets_hit(ctx: Context) -> int:
    return int(_campaign_targets(ctx)["name"].nunique())


def _flag_metrics(ctx: Context) -> pd.Series:
    accounts = ctx.store.df("SELECT platform, account_id, score, flagged FROM account_scores")
    return score_detection(ctx.truth, Detection(accounts=accounts)).set_index("metric")["value"]


def _precision(ctx: Context) -> float:
    return float(_flag_metrics(ctx)["account_precision"])


def _recall(ctx: Context) -> float:
    return float(_flag_metrics(ctx)["account_recall"])


# -- acceptance rules ---------------------------------------------------------------------------
def _same_date(answer: Any, expected: dt.date) -> bool:
    return _as_date(answer) == expected


def _within(tolerance: float) -> Callable[[Any, float], bool]:
    def accept(answer: Any, expected: float) -> bool:
        number = _as_number(answer)
        return number is not None and abs(number - float(expected)) <= tolerance
    return accept


def _hour_near(answer: Any, expected: list[int]) -> bool:
    hour = _as_int(answer)
    return hour is not None and any(min((hour - h) % 24, (h - hour) % 24) <= 1 for h in expected)


def _share_within(tolerance: float) -> Callable[[Any, float], bool]:
    def accept(answer: Any, expected: float) -> bool:
        number = _as_number(answer)
        if number is None:
            return False
        if number > 1:  # given as a percentage
            number /= 100
        return abs(number - expected) <= tolerance
    return accept


def _key_in(answer: Any, expected: set[str]) -> bool:
    return bool(_as_key(answer)) and _as_key(answer) in expected


def _account_in_roles(roles: tuple[str, ...]) -> Callable[[Context], set[str]]:
    return lambda ctx: _account_keys(_accounts_of(ctx, roles))


def _cluster_check(kind: str) -> Callable[[Context], Callable[[int], tuple[bool, str]]]:
    """Expected answer for cluster questions: a judge of a cluster id (computed per answer)."""
    def expected(ctx: Context) -> Callable[[int], tuple[bool, str]]:
        def judge(cluster_id: int) -> tuple[bool, str]:
            posts = _cluster_posts(ctx, cluster_id)
            if posts.empty:
                return False, f"there is no cluster {cluster_id} in this workspace"
            if kind == "multilingual campaign message":
                campaign = posts[posts["role"] == CAMPAIGN_POST_ROLE]
                share = len(campaign) / len(posts)
                template_share = campaign["template_id"].value_counts(normalize=True).max() if len(campaign) else 0.0
                languages = sorted(campaign["true_lang"].dropna().unique())
                ok = share >= 0.8 and template_share >= 0.8 and len(languages) >= 2
                return ok, (f"cluster {cluster_id}: {share:.0%} of its {len(posts)} posts are the campaign's, "
                            f"{template_share:.0%} of those copy one template, in {', '.join(languages) or 'no language'}")
            roles = posts["role"].value_counts(normalize=True)
            share = float(roles[roles.index.isin(TRAP_ROLES)].sum())
            top = roles.index[0] if len(roles) else "none"
            return share >= 0.5, f"cluster {cluster_id}: {share:.0%} of its {len(posts)} posts are authentic coordination (mostly {top})"
        return judge
    return expected


def _community_check(ctx: Context) -> Callable[[int], tuple[bool, str]]:
    nodes = ctx.store.df("SELECT platform, account_id, community_id FROM coordination_nodes")
    roles = ctx.truth.accounts[["platform", "account_id", "role"]]
    merged = nodes.merge(roles, on=["platform", "account_id"], how="left")
    merged["campaign"] = merged["role"].isin(CAMPAIGN_ROLES)

    def judge(community_id: int) -> tuple[bool, str]:
        members = merged[merged["community_id"] == int(community_id)]
        if members.empty:
            return False, f"there is no community {community_id} in the coordination network"
        share = float(members["campaign"].mean())
        return share >= 0.8 and len(members) >= 5, f"community {community_id}: {share:.0%} of its {len(members)} accounts are the campaign's"
    return judge


def _judged(answer: Any, judge: Callable[[int], tuple[bool, str]]) -> bool:
    number = _as_int(answer)
    return number is not None and judge(number)[0]


EXERCISES: dict[str, Exercise] = {e.exercise_id: e for e in [
    Exercise("00.x_posts", "How many posts from X does the workspace hold?", ("store",), _x_posts,
             lambda a, e: _as_int(a) == e,
             "Count the rows of the posts table whose platform is 'x' (duplicates merged count once).",
             lambda e: f"{e:,} X posts."),
    Exercise("00.rejected_rows", "Which row number(s) of the last file loaded were rejected?", ("store",),
             _last_rejected_rows, lambda a, e: bool(e) and _as_set(a) == e,
             "Look at rejects(store): its source_row column gives each refused row's number.",
             lambda e: f"row(s) {', '.join(sorted(e, key=int))}."),
    Exercise("01.first_day", "On which day (UTC) did the campaign's first copied comment appear?", ("truth",),
             _first_day, _same_date, "Look at the earliest posts of the copy clusters on the MPs' pages, not at the peak.",
             lambda e: f"the campaign began on {e:%A %d %B %Y}."),
    Exercise("01.campaign_hour", "At which hour of the day (UTC) are the campaign's comments most often posted?", ("truth",),
             _campaign_hour, _hour_near, "Count the copied comments by hour of the day in UTC and take the busiest hour "
             "(within an hour is accepted).", lambda e: f"the busiest hour is {e[0]:02d}:00 UTC."),
    Exercise("02.languages", "In which languages did the campaign post (ISO 639-1 codes, e.g. {'en', 'de'})?", ("truth",),
             _languages, lambda a, e: _as_set(a) == e,
             "Read the languages column of the campaign's clusters; one message can come in several languages.",
             lambda e: f"{', '.join(sorted(e))}."),
    Exercise("02.same_message", "Give the cluster_id of one campaign message posted in two or more languages.",
             ("store", "truth"), _cluster_check("multilingual campaign message"), _judged,
             "Pick a campaign cluster (cluster_judgement.campaign) whose languages list has more than one entry."),
    Exercise("03.peak_day", "Which day (UTC) saw the most campaign posts?", ("truth",), _peak_day, _same_date,
             "Take the day with the most campaign posts in the daily volume series (not the baseline).",
             lambda e: f"the peak day was {e:%A %d %B %Y}."),
    Exercise("03.office_offset", "Under which UTC offset (hours) do the campaign's posts look like a working day?",
             ("truth",), _office_offset, _within(1.0),
             "fit_utc_offset scores every offset; read offset_hours of the campaign series (within an hour is accepted).",
             lambda e: f"UTC{e:+g}: Beijing time (UTC+8), while the MPs' audience lives around UTC−4 to UTC−7."),
    Exercise("03.long_weekend_share", "What share of the campaign's posts fell on the Labour Day long weekend (0–1)?",
             ("truth",), _long_weekend_share, _share_within(0.03),
             "Sum the campaign's daily posts over the long-weekend days (Saturday to Monday) and divide by all its posts "
             "(within 3 points is accepted).", lambda e: f"{e:.0%} of the campaign's posts, in three days out of about 36."),
    Exercise("04.hijacked_account", "Give the handle (or account id) of one hijacked account of the campaign.",
             ("truth",), _account_in_roles(("campaign_hijacked",)), _key_in,
             "Hijacked accounts are old: look for accounts revived after a long silence with another language, "
             "topic or name (reactivated_with_switch).", lambda e: "that account was taken over for the campaign."),
    Exercise("04.batch_account", "Give the handle (or account id) of one account created in a batch for the campaign.",
             ("truth",), _account_in_roles(("campaign_new",)), _key_in,
             "Look at account_evidence rows with a batch_id whose accounts posted copies shortly after being created.",
             lambda e: "that account was made for the campaign."),
    Exercise("05.authentic_cluster", "Give the cluster_id of a message copied by many authentic accounts "
             "(coordinated, but not inauthentic).", ("store", "truth"), _cluster_check("authentic"), _judged,
             "Look for big clusters that cluster_judgement does not count as the campaign, and read their reason."),
    Exercise("05.campaign_community", "Give the community_id of a coordination community made of the campaign's accounts.",
             ("store", "truth"), _community_check, _judged,
             "Count flagged accounts per community in coordination_nodes joined with account_scores."),
    Exercise("06.targets_hit", "How many MPs did the campaign reply to?", ("truth",), _targets_hit,
             lambda a, e: _as_int(a) == e,
             "Count distinct people, not accounts: an MP can be hit on X and on Facebook.",
             lambda e: f"{e} MPs."),
    Exercise("06.first_target", "Which MP was hit first (name, handle or account id)?", ("truth",), _first_target,
             _key_in, "Sort the targets by the time of their first campaign post.", lambda e: "that MP was hit first."),
    Exercise("06.most_hit", "Which MP received the most campaign posts (name, handle or account id)?", ("truth",),
             _most_hit, _key_in, "Add up campaign posts per MP across platforms.", lambda e: "that MP was hit most."),
    Exercise("07.precision", "What share of the flagged accounts belong to the campaign (precision, 0–1)?",
             ("store", "truth"), _precision, _share_within(0.01),
             "Score the flags against the ground truth with toolkit.metrics.score_detection and read 'account_precision'.",
             lambda e: f"precision {e:.3f}."),
    Exercise("07.recall", "What share of the campaign's accounts did the flags find (recall, 0–1)?",
             ("store", "truth"), _recall, _share_within(0.01),
             "score_detection's 'account_recall' row.", lambda e: f"recall {e:.3f}."),
]}


@functools.cache
def _sample_truth() -> Truth:
    from .demo import sample_dir

    return load_truth(sample_dir())


def exercises() -> pd.DataFrame:
    """Every exercise: id, question, what it is checked against."""
    return pd.DataFrame([(e.exercise_id, e.question, " and ".join(e.needs)) for e in EXERCISES.values()],
                        columns=["exercise_id", "question", "checked_against"])


def truth_for(workspace: Any = None, truth: str | Path | None = None) -> Truth | None:
    """The ground truth that goes with a notebook's parameters.

    Args:
        workspace: the notebook's WORKSPACE parameter (None: the bundled sample).
        truth: a ``cib simulate`` output folder (or its ``truth/``); None: the sample's truth when
            ``workspace`` is None, else no truth (real data has none).

    Returns:
        A :class:`~toolkit.metrics.Truth`, or None.
    """
    if truth is not None:
        return load_truth(truth)
    return _sample_truth() if workspace is None else None


def check(exercise_id: str, answer: Any, *, store: Store | None = None, truth: Truth | str | Path | None = "sample") -> Feedback:
    """Tell a student whether ``answer`` to an exercise is right.

    Args:
        exercise_id: e.g. ``"03.peak_day"`` (see :func:`exercises`).
        answer: the student's answer (a date, number, set of codes, handle, cluster id... as the
            question asks; common spellings are accepted: '2023-09-03' or a Timestamp, '@handle').
        store: the workspace, for exercises about it.
        truth: the ground truth, a folder to load it from, None for none, or ``"sample"`` (default)
            for the bundled sample's.

    Returns:
        A :class:`Feedback` (``correct`` True/False; None when the answer is still None or the
        exercise cannot be checked without ground truth or workspace).

    Raises:
        ParameterError: unknown exercise id.
    """
    if exercise_id not in EXERCISES:
        raise ParameterError(f"exercise_id={exercise_id!r}: no such exercise; known: {', '.join(EXERCISES)}")
    exercise = EXERCISES[exercise_id]
    if isinstance(truth, str) and truth == "sample":
        truth = _sample_truth()
    elif isinstance(truth, (str, Path)):
        truth = load_truth(truth)
    if answer is None or (isinstance(answer, type(Ellipsis))):
        return Feedback(exercise_id, None, f"Not answered yet: {exercise.question}", exercise.hint)
    missing = [n for n, have in (("truth", truth), ("store", store)) if n in exercise.needs and have is None]
    if missing:
        what = " and ".join("ground truth (a simulated dataset)" if m == "truth" else "the workspace (store=...)"
                            for m in missing)
        return Feedback(exercise_id, None, f"This exercise is checked against {what}, which was not given.")
    try:
        expected = exercise.expected(Context(truth=truth, store=store))
    except CibError as exc:  # e.g. a simulated campaign that does not span the long weekend
        return Feedback(exercise_id, None, f"This exercise does not apply to this dataset: {exc}")
    if callable(expected):  # a judge of the answer (cluster and community questions)
        number = _as_int(answer)
        if number is None:
            return Feedback(exercise_id, False, f"Expected a whole number (an id), got {answer!r}.", exercise.hint)
        ok, reason = expected(number)
        return Feedback(exercise_id, ok, reason[0].upper() + reason[1:] + ".", "" if ok else exercise.hint)
    if exercise.accept(answer, expected):
        return Feedback(exercise_id, True, f"Right: {exercise.explain(expected)}".rstrip(": "))
    return Feedback(exercise_id, False, f"{answer!r} is not the answer.", exercise.hint)


# -- instructor versions ------------------------------------------------------------------------
EXERCISE_TAG = "exercise"


def instructor_notebook(notebook: Any) -> Any:
    """The instructor version of a notebook: each ``exercise`` cell's source replaced by its solution.

    Args:
        notebook: an ``nbformat`` notebook (or a path to one).

    Returns:
        A new notebook (the input is not changed), outputs cleared.

    Raises:
        ParameterError: an exercise cell has no ``solution`` in its metadata.
    """
    import copy

    import nbformat

    nb = nbformat.read(str(notebook), as_version=4) if isinstance(notebook, (str, Path)) else copy.deepcopy(notebook)
    for index, cell in enumerate(nb.cells):
        if EXERCISE_TAG in cell.get("metadata", {}).get("tags", []):
            solution = cell["metadata"].get("solution")
            if not solution:
                raise ParameterError(f"cell {index} is tagged {EXERCISE_TAG!r} but has no metadata['solution']")
            cell["source"] = solution
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
    nb.metadata["instructor_version"] = True
    return nb


def write_instructor_notebooks(source_dir: str | Path, out_dir: str | Path) -> list[Path]:
    """Write the instructor version of every notebook in ``source_dir`` into ``out_dir``.

    Returns:
        The paths written.
    """
    import nbformat

    out = Path(out_dir)
    if out.resolve() == Path(source_dir).resolve():
        raise ParameterError(f"out_dir={out_dir!r}: choose another folder than the notebooks' own")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(Path(source_dir).glob("*.ipynb")):
        target = out / path.name
        nbformat.write(instructor_notebook(path), str(target))
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m toolkit.teach --out DIR``: write the instructor notebooks."""
    parser = argparse.ArgumentParser(prog="python -m toolkit.teach",
                                     description="Write the instructor versions (with solutions) of the guided notebooks.")
    parser.add_argument("--notebooks", default=str(Path(__file__).resolve().parent.parent / "notebooks"),
                        help="folder of the guided notebooks (default: the repository's notebooks/)")
    parser.add_argument("--out", required=True, help="output folder")
    args = parser.parse_args(argv)
    for path in write_instructor_notebooks(args.notebooks, args.out):
        log.info("wrote %s", path)
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
