"""The workspace: canonical tables, versions, and refusing what it cannot open."""

from __future__ import annotations

import duckdb
import pytest

from toolkit import __version__
from toolkit.errors import WorkspaceError
from toolkit.schema import SCHEMA_VERSION, TABLES, column_names, describe
from toolkit.store import Store


def test_new_workspace_has_canonical_tables_and_versions(tmp_path):
    path = tmp_path / "campaign.duckdb"
    with Store(path) as store:
        assert set(store.counts()) == set(TABLES)
        assert store.meta()["schema_version"] == str(SCHEMA_VERSION)
        assert store.meta()["toolkit_version"] == __version__
        types = dict(store.rows("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'posts'"))
        assert types["created_at"] == "TIMESTAMP WITH TIME ZONE"
        assert list(types) == column_names("posts")
    with Store(path, read_only=True) as again:  # reopening keeps it
        assert again.counts()["posts"] == 0


def test_incompatible_schema_version_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "old.duckdb"
    with Store(path) as store:
        store.execute("UPDATE _meta SET value = '0' WHERE key = 'schema_version'")
    with pytest.raises(WorkspaceError) as err:
        Store(path)
    message = str(err.value)
    assert "schema version 0" in message and f"reads schema version {SCHEMA_VERSION}" in message
    assert "cib load" in message  # says what to do


def test_other_duckdb_file_is_not_taken_for_a_workspace(tmp_path):
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE customers (id INTEGER)")
    con.close()
    with pytest.raises(WorkspaceError, match="not a cib workspace"):
        Store(path)


def test_a_text_file_is_not_a_workspace(tmp_path):
    path = tmp_path / "notes.duckdb"
    path.write_text("just some notes\n" * 100)
    with pytest.raises(WorkspaceError, match="cannot open as a DuckDB workspace"):
        Store(path)


def test_times_are_utc_whatever_the_session_zone(tmp_path):
    with Store(tmp_path / "w.duckdb") as store:
        assert store.scalar("SELECT current_setting('TimeZone')") == "UTC"
        assert str(store.scalar("SELECT TIMESTAMPTZ '2023-09-02 06:00:00-04:00'")) == "2023-09-02 10:00:00+00:00"


def test_transaction_rolls_back_everything_on_error(store):
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.execute("INSERT INTO rejects VALUES (1, 1, 'x', 'test')")
            raise RuntimeError("boom")
    assert store.counts()["rejects"] == 0


def test_each_statement_is_logged_with_its_seconds_at_debug(store, caplog):
    """A slow step can be traced to its statements: each one is logged with how long it took."""
    import logging

    with caplog.at_level(logging.DEBUG, logger="toolkit.store"):
        store.execute("CREATE TEMP TABLE _slow AS SELECT sum(i) FROM range(2000000) r(i)")
        store.scalar("SELECT   count(*)\n FROM _slow")
    logged = [r.getMessage() for r in caplog.records if r.name == "toolkit.store"]
    assert logged[0].startswith("ran ") and logged[0].endswith(" s: CREATE TEMP TABLE _slow AS SELECT sum(i) FROM range(2000000) r(i)")
    assert float(logged[0].split()[1]) >= 0
    assert logged[1].endswith(" s: SELECT count(*) FROM _slow")  # on one line
    with caplog.at_level(logging.INFO, logger="toolkit.store"):
        caplog.clear()
        store.scalar("SELECT 1")
    assert not [r for r in caplog.records if r.name == "toolkit.store"]


def test_schema_is_documented_for_every_column():
    for table in TABLES:
        doc = describe(table)
        for name in column_names(table):
            assert f"| {name} |" in doc


def test_workspace_doc_lists_the_schema_as_defined():
    from conftest import REPO

    doc = (REPO / "docs" / "workspace.md").read_text()
    for table in TABLES:
        assert describe(table) in doc, f"docs/workspace.md is out of date for table {table}"
