from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from qa_core.ports import Store
from qa_core.stores.sqlite import SQLiteStore, migrate
from qa_core.stores.sqlite_schema import MIGRATIONS
from qa_core.testing.store_contract import StoreContract


class TestSQLiteStore(StoreContract):
    @pytest.fixture
    def store_factory(self, tmp_path: Path) -> Callable[[], Store]:
        return lambda: SQLiteStore(str(tmp_path / "qa.db"))


def test_migrations_bring_a_new_file_to_the_latest_version(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    assert migrate(db) == len(MIGRATIONS)
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert migrate(db) == len(MIGRATIONS)  # a second run changes nothing


async def test_the_file_is_in_wal_mode(tmp_path: Path) -> None:
    store = SQLiteStore(str(tmp_path / "w.db"))
    mode = await store.read(lambda tx: tx.db.execute("PRAGMA journal_mode").fetchone()[0])
    await store.close()
    assert mode == "wal"


def test_vote_queries_use_indexes_not_scans(tmp_path: Path) -> None:
    """The per-vote and queue queries must stay O(log n): no full table scans."""
    db = sqlite3.connect(tmp_path / "p.db", isolation_level=None)
    migrate(db)
    plans = {
        "vote exists": "SELECT 1 FROM votes WHERE question_id = 1 AND voter = 'x'",
        "bump": "UPDATE questions SET votes = votes + 1 WHERE id = 1",
        "queue page": "SELECT data FROM questions WHERE session_id = 1 AND state = 'approved'"
        " ORDER BY votes DESC, id LIMIT 25",
        "pinned page": "SELECT data FROM questions WHERE session_id = 1 AND state = 'approved'"
        " ORDER BY pinned DESC, votes DESC, id LIMIT 25",
        "rate limit": "SELECT COUNT(*) FROM questions WHERE session_id = 1 AND author = 'a'"
        " AND created_at >= 0",
        "postings": "SELECT question_id FROM terms WHERE session_id = 1 AND term = 'visa'"
        " ORDER BY question_id DESC LIMIT 500",
    }
    for name, sql in plans.items():
        plan = " | ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}"))
        assert "SCAN" not in plan.replace("SCAN CONSTANT", "") and "TEMP B-TREE" not in plan, (
            f"{name}: {plan}"
        )


def test_migration_2_backfills_the_question_counts(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
    for statement in filter(str.strip, MIGRATIONS[0].split(";")):
        db.execute(statement)
    db.execute("PRAGMA user_version=1")
    db.execute("INSERT INTO sessions (id, tenant, data) VALUES (1, 't', '{}')")
    for n, state in enumerate(["approved", "approved", "pending"], start=1):
        db.execute(
            "INSERT INTO questions (session_id, number, state, author, created_at, data)"
            " VALUES (1, ?, ?, 'a', 0, '{}')",
            (n, state),
        )
    assert migrate(db) == len(MIGRATIONS)
    counts = dict(db.execute("SELECT state, count FROM question_counts WHERE session_id = 1"))
    assert counts == {"approved": 2, "pending": 1}


OPEN_AND_WRITE = """
import asyncio, sys, time
from qa_core.stores.sqlite import SQLiteStore
from qa_core.testing.store_contract import new_session

async def main():
    time.sleep(max(0.0, float(sys.argv[2]) - time.time()))  # everyone opens at once
    store = SQLiteStore(sys.argv[1])
    await store.write(lambda tx: tx.add_session(new_session()))
    await store.close()

asyncio.run(main())
"""


def test_processes_opening_a_new_file_at_once_migrate_it_once(tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    for trial in range(2):
        path = str(tmp_path / f"race{trial}.db")
        start = str(time.time() + 1.0)
        children = [
            subprocess.Popen(
                [sys.executable, "-c", OPEN_AND_WRITE, path, start], stderr=subprocess.PIPE
            )
            for _ in range(4)
        ]
        errors = [child.communicate(timeout=60)[1].decode() for child in children]
        assert [child.returncode for child in children] == [0] * 4, errors
        db = sqlite3.connect(path)
        assert db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 4
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
