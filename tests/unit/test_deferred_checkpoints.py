"""Bulk stores commit to the write-ahead log and checkpoint once, at the end of the run of stores."""

import duckdb
import pytest

from warehouse.store import checkpoints_deferred


def _threshold(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("SELECT current_setting('checkpoint_threshold')").fetchone()[0]


def _store_texts(con: duckdb.DuckDBPyConnection, batches: int) -> None:
    for batch in range(batches):
        con.execute("BEGIN TRANSACTION")
        con.execute("INSERT INTO texts SELECT ? * 1000 + i, repeat('ketamine ', 2000) FROM range(1000) t(i)", [batch])
        con.execute("COMMIT")


def test_commits_inside_go_to_the_log_and_one_checkpoint_ends_them(tmp_path):
    path = tmp_path / "w.duckdb"
    wal = tmp_path / "w.duckdb.wal"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE texts (id BIGINT, text VARCHAR)")
        con.execute("CHECKPOINT")
        default = _threshold(con)
        with checkpoints_deferred(con):
            _store_texts(con, 3)             # ~54 MB of text: past the default threshold
            assert _threshold(con) != default
            assert wal.exists() and wal.stat().st_size > 0
        assert _threshold(con) == default
        assert not wal.exists() or wal.stat().st_size == 0
    with duckdb.connect(str(path)) as con:
        assert con.execute("SELECT count(*) FROM texts").fetchone()[0] == 3000


def test_a_failing_run_of_stores_keeps_what_it_committed_and_the_threshold(tmp_path):
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE texts (id BIGINT, text VARCHAR)")
        default = _threshold(con)
        with pytest.raises(RuntimeError), checkpoints_deferred(con):
            _store_texts(con, 1)
            raise RuntimeError("a batch failed")
        assert _threshold(con) == default
    with duckdb.connect(str(path)) as con:
        assert con.execute("SELECT count(*) FROM texts").fetchone()[0] == 1000
