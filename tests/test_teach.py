"""Exercise checks: the right answer is accepted, a wrong one rejected with a hint, a blank is not judged.

Expected answers are worked out here from the ground-truth files directly (campaign.json,
accounts.csv, posts.csv), independently of the code in toolkit.teach.
"""

from __future__ import annotations

import json
import re

import nbformat
import pandas as pd
import pytest

from conftest import REPO, SAMPLE
from toolkit.errors import ParameterError
from toolkit.teach import EXERCISES, check, exercises, instructor_notebook, truth_for, write_instructor_notebooks

CAMPAIGN = json.loads((SAMPLE / "truth" / "campaign.json").read_text(encoding="utf-8"))
ACCOUNTS = pd.read_csv(SAMPLE / "truth" / "accounts.csv", dtype=str, keep_default_na=False)
POSTS = pd.read_csv(SAMPLE / "truth" / "posts.csv", dtype=str, keep_default_na=False)
CAMPAIGN_POSTS = POSTS[POSTS.role == "campaign"].assign(created_at=lambda f: pd.to_datetime(f.created_at, utc=True))


def _first_mp() -> str:
    first = CAMPAIGN_POSTS.sort_values("created_at").iloc[0]
    mp = ACCOUNTS[(ACCOUNTS.platform == first.platform) & (ACCOUNTS.account_id == first.reply_to_account_id)]
    return mp.name.iloc[0]


def _busiest_hour() -> int:
    return int(CAMPAIGN_POSTS.created_at.dt.hour.value_counts().idxmax())


def _labour_day_share() -> float:
    days = CAMPAIGN_POSTS.created_at.dt.strftime("%Y-%m-%d")
    return float(days.isin(["2023-09-02", "2023-09-03", "2023-09-04"]).mean())


# (exercise, right answer, wrong answer, why)
TRUTH_CASES = [
    ("01.first_day", CAMPAIGN["first_post"][:10], "2023-09-03", "the first post's UTC date, not the peak"),
    ("01.campaign_hour", lambda: _busiest_hour(), lambda: (_busiest_hour() + 12) % 24, "busiest UTC hour, ±1 accepted"),
    ("02.languages", {k for k, v in CAMPAIGN["posts_by_language"].items() if v}, {"en", "fr"}, "every language"),
    ("03.peak_day", CAMPAIGN["peak_day"], "2023-08-07", "the truth's peak day"),
    ("03.office_offset", CAMPAIGN["beijing_utc_offset_hours"], -4, "Beijing office hours, not Ottawa's"),
    ("03.long_weekend_share", lambda: _labour_day_share(), lambda: _labour_day_share() + 0.1, "within 3 points"),
    ("04.hijacked_account", lambda: ACCOUNTS[ACCOUNTS.role == "campaign_hijacked"].account_id.iloc[0],
     lambda: ACCOUNTS[ACCOUNTS.role == "organic"].account_id.iloc[0], "an organic account is not hijacked"),
    ("04.batch_account", lambda: "@" + ACCOUNTS[(ACCOUNTS.role == "campaign_new") & (ACCOUNTS.handle != "")].handle.iloc[0],
     lambda: ACCOUNTS[ACCOUNTS.role == "campaign_hijacked"].account_id.iloc[0], "a hijacked account was not made new"),
    ("06.targets_hit", CAMPAIGN["targeted_mps"], CAMPAIGN["targeted_mps"] + 3, "distinct MPs"),
    ("06.first_target", lambda: _first_mp(), "nobody", "the MP of the earliest campaign post"),
]


@pytest.mark.parametrize("exercise_id,right,wrong,why", TRUTH_CASES, ids=[c[0] for c in TRUTH_CASES])
def test_truth_exercises_accept_right_and_reject_wrong(exercise_id, right, wrong, why):
    right = right() if callable(right) else right
    wrong = wrong() if callable(wrong) else wrong
    ok = check(exercise_id, right)
    assert ok.correct is True, (why, ok)
    bad = check(exercise_id, wrong)
    assert bad.correct is False, (why, bad)
    assert bad.hint and str(wrong) not in bad.hint


def test_spellings_of_one_answer_are_accepted():
    day = CAMPAIGN["peak_day"]
    for answer in (day, pd.Timestamp(day), pd.Timestamp(day + "T12:00:00Z"), pd.Timestamp(day).date()):
        assert check("03.peak_day", answer).correct
    assert check("02.languages", ", ".join(k for k in CAMPAIGN["posts_by_language"])).correct
    assert check("03.long_weekend_share", f"{100 * _labour_day_share():.1f}%").correct


@pytest.mark.parametrize("answer", [None, ...])
def test_a_blank_is_not_judged(answer):
    feedback = check("03.peak_day", answer)
    assert feedback.correct is None and "Not answered" in feedback.message and feedback.hint


def test_feedback_renders_in_notebooks():
    feedback = check("03.peak_day", "2023-01-01")
    assert "Not quite" in feedback._repr_markdown_() and "Hint" in feedback._repr_html_()
    assert "03.peak_day" in str(feedback)


def test_unknown_exercise_and_missing_inputs():
    with pytest.raises(ParameterError, match="no such exercise"):
        check("99.nothing", 1)
    assert check("03.peak_day", "2023-09-03", truth=None).correct is None
    assert check("00.x_posts", 5).correct is None  # needs the workspace


def test_an_exercise_that_does_not_apply_says_so():
    from toolkit.metrics import Truth

    early = CAMPAIGN_POSTS[CAMPAIGN_POSTS.created_at < "2023-08-20"]
    truth = Truth(accounts=ACCOUNTS, posts=POSTS[POSTS.post_id.isin(early.post_id)].assign(
        created_at=lambda f: pd.to_datetime(f.created_at, utc=True)), campaign=CAMPAIGN)
    feedback = check("03.long_weekend_share", 0.3, truth=truth)
    assert feedback.correct is None and "does not apply" in feedback.message


def test_truth_for_parameters():
    assert truth_for(None) is not None
    assert truth_for("campaign.duckdb") is None
    assert truth_for("anything", SAMPLE).campaign["peak_day"] == CAMPAIGN["peak_day"]


@pytest.fixture(scope="module")
def reconstructed():
    from toolkit.explore import open_workspace

    store = open_workspace()
    yield store
    store.close()


def test_workspace_exercises(reconstructed):
    store = reconstructed
    x_posts = store.scalar("SELECT count(*) FROM posts WHERE platform = 'x'")
    assert check("00.x_posts", x_posts, store=store).correct
    assert check("00.x_posts", x_posts + 1, store=store).correct is False
    assert check("00.rejected_rows", [], store=store).correct is False  # the sample has no rejects: nothing to find


def test_cluster_and_community_exercises(reconstructed):
    store = reconstructed
    clusters = store.df("SELECT cluster_id, platform, post_id FROM clusters")
    roles = clusters.merge(POSTS[["platform", "post_id", "role", "template_id", "lang"]], on=["platform", "post_id"])
    per = roles.groupby("cluster_id").agg(campaign=("role", lambda r: (r == "campaign").mean()),
                                          langs=("lang", "nunique"), posts=("role", "size"),
                                          trap=("role", lambda r: r.isin(["advocacy", "viral", "hyperactive"]).mean()))
    multilingual = per[(per.campaign == 1) & (per.langs >= 2)].index
    organic = per[(per.campaign == 0) & (per.trap == 0)].index
    authentic = per[(per.trap > 0.9) & (per.posts >= 10)].index
    assert len(multilingual) and len(organic) and len(authentic)
    assert check("02.same_message", int(multilingual[0]), store=store).correct
    assert check("02.same_message", int(organic[0]), store=store).correct is False
    assert check("05.authentic_cluster", int(authentic[0]), store=store).correct
    assert check("05.authentic_cluster", int(multilingual[0]), store=store).correct is False
    assert check("02.same_message", "not a number", store=store).correct is False

    nodes = store.df("SELECT platform, account_id, community_id FROM coordination_nodes")
    mix = nodes.merge(ACCOUNTS[["platform", "account_id", "role"]], on=["platform", "account_id"])
    share = mix.assign(c=mix.role.isin(["campaign_new", "campaign_hijacked"])).groupby("community_id").c.agg(["mean", "size"])
    assert check("05.campaign_community", int(share[(share["mean"] >= 0.9) & (share["size"] >= 5)].index[0]),
                 store=store).correct
    assert check("05.campaign_community", int(share[share["mean"] == 0].index[0]), store=store).correct is False


def test_precision_and_recall_exercises(reconstructed):
    store = reconstructed
    flags = store.df("SELECT platform, account_id, flagged FROM account_scores")
    roles = flags.merge(ACCOUNTS[["platform", "account_id", "role"]], on=["platform", "account_id"], how="left")
    positive = roles.role.isin(["campaign_new", "campaign_hijacked"])
    precision = (positive & roles.flagged).sum() / roles.flagged.sum()
    recall = (positive & roles.flagged).sum() / (ACCOUNTS.role.isin(["campaign_new", "campaign_hijacked"])).sum()
    assert check("07.precision", precision, store=store).correct
    assert check("07.precision", precision - 0.05, store=store).correct is False
    assert check("07.recall", recall, store=store).correct
    assert check("07.recall", recall / 2, store=store).correct is False


def test_exercise_table_and_notebooks_agree():
    table = exercises()
    assert list(table.exercise_id) == list(EXERCISES)
    used = set()
    for path in sorted((REPO / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            used.update(re.findall(r'check\("([0-9]{2}\.[a-z_]+)"', "".join(cell.source)))
    assert used == set(EXERCISES), "every exercise is asked in a notebook and every check names a known exercise"


def test_instructor_versions_swap_in_solutions(tmp_path):
    written = write_instructor_notebooks(REPO / "notebooks", tmp_path)
    assert len(written) == len(list((REPO / "notebooks").glob("*.ipynb")))
    for path in written:
        student = nbformat.read(REPO / "notebooks" / path.name, as_version=4)
        teacher = nbformat.read(path, as_version=4)
        assert len(student.cells) == len(teacher.cells)
        for s, t in zip(student.cells, teacher.cells):
            if "exercise" in s.metadata.get("tags", []):
                assert "answer = None" in s.source and "answer = None" not in t.source
                assert t.source == s.metadata["solution"]
            else:
                assert s.source == t.source


def test_instructor_version_needs_a_solution():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("answer = None", metadata={"tags": ["exercise"]})])
    with pytest.raises(ParameterError, match="no metadata"):
        instructor_notebook(nb)
    with pytest.raises(ParameterError, match="another folder"):
        write_instructor_notebooks(REPO / "notebooks", REPO / "notebooks")


def test_docstring_examples_run():
    import doctest

    import toolkit.teach

    result = doctest.testmod(toolkit.teach, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted and not result.failed
