"""The guided notebooks: the skeleton, no committed outputs, no logic; and each one executed top to
bottom in a fresh kernel on the bundled sample, followed by its exercise solutions, which the checks
must accept."""

from __future__ import annotations

import re
import time

import nbformat
import pytest

from conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
NAMES = [p.name for p in NOTEBOOKS]

#: Headings every notebook has, in this order (the house skeleton).
SKELETON = ["Learning goals", "Prerequisites and time", "Parameters", "Imports", "Summary", "What's next", "References"]
#: Longest code cell (non-blank lines): longer belongs in toolkit/.
MAX_CELL_LINES = 12
#: Per-notebook execution budget on the bundled sample, seconds.
BUDGET_SECONDS = 60

#: Text that must appear in a notebook's outputs when it runs: the key result of each.
KEY_OUTPUTS = {
    "00_start_here.ipynb": ["reconciles", "comments.csv", "rows_rejected"],
    "01_first_signs.ipynb": ["repeated messages on the targets' pages", "p_value", "<Figure"],
    "02_copy_paste.ipynb": ["verified pairs", "campaign clusters", "rarest words that form its keys"],
    "03_timeline.ipynb": ["campaign posts from", "offset", "long_weekend"],
    "04_accounts.ipynb": ["accounts flagged", "batch_id", "lang_before"],
    "05_network.ipynb": ["links between", "modularity", "community_id"],
    "06_targets_narratives.ipynb": ["target accounts hit", "campaign_posts", "deepfake"],
    "07_report.ipynb": ["report.html", "evidence.csv", "precision"],
}


def test_the_eight_notebooks_are_there():
    assert NAMES == sorted(KEY_OUTPUTS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_skeleton_and_no_logic(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert markdown[0].startswith(f"# {path.name[:2]} · "), "a title first"
    headings = [line[3:].strip() for text in markdown for line in text.splitlines() if line.startswith("## ")]
    found = [h for h in headings if h in SKELETON]
    assert found == SKELETON, f"skeleton headings in order, found {headings}"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", []), "parameters in the first code cell, tagged"
    assert all(re.match(r"^[A-Z_]+ = ", line) for line in code[0].source.splitlines()), "parameters are assignments"
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None, "committed without outputs"
        assert not re.search(r"^\s*(def|class|async def)\s", cell.source, re.M), f"no logic in notebooks:\n{cell.source}"
        lines = [line for line in cell.source.splitlines() if line.strip()]
        assert len(lines) <= MAX_CELL_LINES, f"cell too long:\n{cell.source}"
        if "exercise" in cell.metadata.get("tags", []):
            assert "answer = None" in cell.source and "check(" in cell.metadata["solution"]


def _with_solutions(nb):
    """The notebook as committed, then each exercise's solution appended at the end (same kernel)."""
    solutions = [c for c in nb.cells if "exercise" in c.metadata.get("tags", [])]
    for cell in solutions:
        extra = nbformat.v4.new_code_cell(cell.metadata["solution"])
        extra.metadata["solution_of"] = cell.id
        nb.cells.append(extra)
    return nb, len(solutions)


def _text(output) -> str:
    if output.get("output_type") == "stream":
        return output.get("text", "")
    data = output.get("data", {})
    return "\n".join(str(data.get(k, "")) for k in ("text/plain", "text/html", "text/markdown"))


@pytest.fixture(scope="module")
def reconstructed_sample():
    """Build the cached reconstruction once, before the notebooks (each opens a private copy)."""
    from toolkit.explore import sample_workspace

    return sample_workspace()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_notebook_runs_top_to_bottom(path, reconstructed_sample, tmp_path):
    from nbclient import NotebookClient

    nb, n_solutions = _with_solutions(nbformat.read(path, as_version=4))
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    started = time.monotonic()
    client.execute()  # raises CellExecutionError on any error
    seconds = time.monotonic() - started
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    text = "\n".join(_text(o) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    for expected in KEY_OUTPUTS[path.name]:
        assert expected in text, f"{path.name}: expected {expected!r} in the outputs"
    blanks = [c for c in nb.cells if "exercise" in c.metadata.get("tags", [])]
    for cell in blanks:
        assert "Not answered yet" in "".join(_text(o) for o in cell.outputs)
    solved = [c for c in nb.cells if "solution_of" in c.metadata]
    assert len(solved) == n_solutions
    for cell in solved:
        shown = "".join(_text(o) for o in cell.outputs)
        assert "correct=True" in shown, f"{path.name}: the solution\n{cell.source}\nwas not accepted: {shown}"
    assert seconds < BUDGET_SECONDS, f"{path.name} took {seconds:.0f} s"
