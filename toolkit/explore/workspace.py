"""Workspaces for the notebooks: the bundled sample reconstructed once, or the user's own file.

Reconstructing the bundled sample (copy clusters above all) takes a minute or two; the guided
notebooks each start from a fresh kernel, so the reconstruction is kept in a cache and every
notebook opens a private copy of it (its own changes never reach the cache or another
notebook). The cache is keyed by the content of the sample files *and* of the toolkit's own
source, so a changed method never serves stale results.

==================================  ==============================================================
:func:`open_workspace`              the sample (a private reconstructed copy) or the user's workspace
:func:`sample_workspace`            path of the cached reconstructed sample (built on first use)
:func:`campaign_summary`            the reconstruction's summary (what ``campaign.json`` holds)
:func:`campaign_posts`              the posts of the clusters judged to be the campaign's
:func:`sample_targets`              the bundled sample's target list (``data/sample/mps.csv``)
==================================  ==============================================================

The cache folder is ``$CIB_CACHE_DIR``, else ``$XDG_CACHE_HOME/cib-toolkit``, else
``~/.cache/cib-toolkit``.

Example:
    >>> from toolkit.explore import open_workspace, campaign_summary
    >>> store = open_workspace()                      # doctest: +SKIP
    >>> campaign_summary(store)["peak_day"]           # doctest: +SKIP
    '2023-09-03'
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import weakref
from pathlib import Path

import pandas as pd

from ..demo import SAMPLE_POST_FILES, load_sample, sample_dir
from ..errors import WorkspaceError
from ..store import Store

log = logging.getLogger(__name__)

#: Table in which :func:`open_workspace` keeps the reconstruction's summary (one row, JSON).
SUMMARY_TABLE = "campaign_summary"
#: Tables a reconstructed workspace has.
RECONSTRUCTED_TABLES = ("clusters", "cluster_summary", "cluster_judgement", "account_evidence", "account_scores",
                        "coordination_edges", "coordination_nodes", "targets")


def cache_dir() -> Path:
    """The folder of cached workspaces (created if missing)."""
    root = os.environ.get("CIB_CACHE_DIR")
    if root:
        folder = Path(root)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        folder = Path(base) / "cib-toolkit"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _cache_key() -> str:
    """Hash of the sample's files and of the toolkit's source (any change gives a new key)."""
    digest = hashlib.sha256()
    folder = sample_dir()
    for name in (*SAMPLE_POST_FILES, "mps.csv"):
        digest.update(name.encode())
        digest.update((folder / name).read_bytes())
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def sample_targets() -> pd.DataFrame:
    """The bundled sample's target list (one row per MP per platform), as :func:`toolkit.targets.read_targets` reads it."""
    from ..targets import read_targets

    return read_targets(sample_dir() / "mps.csv")


def _reconstruct_into(store: Store, targets: pd.DataFrame | None) -> dict:
    from ..reconstruct import reconstruct

    summary = reconstruct(store, targets=targets)
    store.execute(f"CREATE OR REPLACE TABLE {SUMMARY_TABLE} (summary JSON)")
    store.execute(f"INSERT INTO {SUMMARY_TABLE} VALUES (?)", [json.dumps(summary, default=str)])
    return summary


def sample_workspace(*, rebuild: bool = False) -> Path:
    """Path of the cached workspace holding the bundled sample, loaded and reconstructed.

    Built on first use (a minute or two) and reused while neither the sample nor the toolkit
    changes; older cached versions are removed. Open it read-only, or use :func:`open_workspace`,
    which gives a private copy.

    Args:
        rebuild: build it again even if it is cached.

    Returns:
        The ``.duckdb`` file's path.
    """
    folder = cache_dir()
    path = folder / f"sample-{_cache_key()}.duckdb"
    if path.exists() and not rebuild:
        return path
    log.info("reconstructing the bundled sample into %s (once; later calls reuse it)", path)
    partial = Path(tempfile.mkdtemp(prefix="building-", dir=folder)) / path.name
    try:
        with Store(partial) as store:
            load_sample(store)
            _reconstruct_into(store, sample_targets())
        os.replace(partial, path)  # atomic: a concurrent reader sees the old file or the whole new one
    finally:
        shutil.rmtree(partial.parent, ignore_errors=True)
    for old in folder.glob("sample-*.duckdb"):
        if old != path:
            old.unlink(missing_ok=True)
    return path


def open_workspace(workspace: str | Path | None = None, *, targets: str | Path | None = None,
                   reconstruct_if_needed: bool = True) -> Store:
    """Open the workspace a notebook works on.

    Args:
        workspace: None for the bundled sample (a private copy of the cached reconstruction,
            removed when the store is garbage-collected or Python exits); else the path of the
            user's ``.duckdb`` workspace (``cib load FILE... --db PATH``).
        targets: a targets CSV (``platform, account_id, handle, name, party, province``) used
            when the workspace has to be reconstructed; None: the sample's list for the sample; for a
            user's workspace, the list an earlier ``cib reconstruct --targets`` stored in it, else
            targets inferred from replies.
        reconstruct_if_needed: run :func:`toolkit.reconstruct.reconstruct` on a user's workspace
            that has not been reconstructed yet (it writes its derived tables into the file).

    Returns:
        An open :class:`~toolkit.store.Store`.

    Raises:
        WorkspaceError: the user's workspace does not exist or holds no posts.
    """
    from ..targets import read_targets

    if workspace is None:
        source = sample_workspace()
        folder = Path(tempfile.mkdtemp(prefix="cib-notebook-"))
        shutil.copyfile(source, folder / "sample.duckdb")
        store = Store(folder / "sample.duckdb")
        weakref.finalize(store, shutil.rmtree, str(folder), True)
        return store
    path = Path(workspace)
    if not path.exists():
        raise WorkspaceError(f"{path}: no such workspace. Load your exports first: cib load FILE... --db {path} "
                             "(or leave WORKSPACE = None for the bundled sample)")
    store = Store(path)
    if not store.scalar("SELECT count(*) FROM posts"):
        store.close()
        raise WorkspaceError(f"{path}: the workspace has no posts; load exports first with cib load FILE... --db {path}")
    if reconstruct_if_needed and not all(store.has_table(t) for t in RECONSTRUCTED_TABLES + (SUMMARY_TABLE,)):
        log.info("%s: reconstructing (clusters, accounts, scores, network, timeline)", path)
        _reconstruct_into(store, read_targets(targets) if targets else _given_targets(store))
    return store


def _given_targets(store: Store) -> pd.DataFrame | None:
    """The targets an earlier run read from a file (``cib reconstruct --targets``), to keep them; None: infer."""
    if not store.has_table("targets"):
        return None
    given = store.df("SELECT platform, account_id, handle, name, party, province FROM targets WHERE source = 'file'")
    return given if len(given) else None


def campaign_summary(store: Store) -> dict:
    """The summary of the workspace's reconstruction (the content of ``campaign.json``).

    Raises:
        WorkspaceError: the workspace was not reconstructed through :func:`open_workspace`.
    """
    if not store.has_table(SUMMARY_TABLE):
        raise WorkspaceError(f"{store.path}: no reconstruction summary; open it with "
                             "toolkit.explore.open_workspace(path), which reconstructs it first")
    return json.loads(store.scalar(f"SELECT summary FROM {SUMMARY_TABLE}"))


def campaign_posts(store: Store) -> pd.DataFrame:
    """Posts of the copy clusters judged to be the campaign's.

    Returns:
        DataFrame (platform, post_id, cluster_id, account_id, created_at, lang, reply_to_account_id),
        sorted by time: the selection the timeline functions take.
    """
    return store.df("""
        SELECT c.platform, c.post_id, c.cluster_id, p.account_id, p.created_at, c.lang, p.reply_to_account_id
        FROM clusters c JOIN cluster_judgement j USING (cluster_id) JOIN posts p USING (platform, post_id)
        WHERE j.campaign ORDER BY p.created_at, c.platform, c.post_id""")
