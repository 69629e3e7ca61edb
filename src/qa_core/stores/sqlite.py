"""The embedded default store: SQLite in WAL mode, one connection on its own thread.

Each command is one ``BEGIN IMMEDIATE`` transaction, so several processes may share a
file and still count every vote exactly. In WAL mode with ``synchronous=NORMAL`` a
committed transaction survives the process being killed (only an OS crash or power cut
can lose the last few); set ``durability="full"`` to survive those too.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from heapq import merge
from typing import Any, TypeVar

import attrs

from ..models import Question, QuestionState, Restriction, Session, TenantSettings, UserRef
from ..ports import POSTINGS_PER_TERM, AuditRecord, QueueOrder, RestrictionRecord
from ..serialization import converter
from .sqlite_schema import MIGRATIONS

T = TypeVar("T")


def _dump(value: object) -> str:
    return json.dumps(converter.unstructure(value), separators=(",", ":"), ensure_ascii=False)


class SQLiteStore:
    def __init__(self, path: str, *, durability: str = "normal", busy_timeout_ms: int = 10_000):
        self.path = path
        self._busy_timeout = busy_timeout_ms / 1000
        self._pragmas = (
            f"PRAGMA busy_timeout={int(busy_timeout_ms)}",
            f"PRAGMA synchronous={'FULL' if durability == 'full' else 'NORMAL'}",
            "PRAGMA foreign_keys=ON",
        )
        # sqlite3 connections belong to one thread: every call runs on this one.
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qa-sqlite")
        self._tx: _SQLiteTransaction | None = None

    def _connect(self) -> _SQLiteTransaction:
        if self._tx is None:
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=True)
            for pragma in self._pragmas:
                db.execute(pragma)
            _use_wal(db, self._busy_timeout)
            migrate(db)
            self._tx = _SQLiteTransaction(db)
        return self._tx

    def _transaction(self, work: Callable[[_SQLiteTransaction], T], begin: str) -> T:
        tx = self._connect()
        tx.db.execute(begin)
        try:
            result = work(tx)
        except BaseException:
            tx.db.execute("ROLLBACK")
            raise
        tx.db.execute("COMMIT")
        return result

    async def _run(self, work: Callable[[_SQLiteTransaction], T], begin: str) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, self._transaction, work, begin)

    async def write(self, work: Callable[[_SQLiteTransaction], T]) -> T:
        return await self._run(work, "BEGIN IMMEDIATE")

    async def read(self, work: Callable[[_SQLiteTransaction], T]) -> T:
        return await self._run(work, "BEGIN")

    async def close(self) -> None:
        def shut() -> None:
            if self._tx is not None:
                self._tx.db.close()
                self._tx = None

        await asyncio.get_running_loop().run_in_executor(self._thread, shut)
        self._thread.shutdown(wait=True)


def _use_wal(db: sqlite3.Connection, patience: float) -> None:
    """Switch to WAL. SQLite does not wait on its busy handler for this switch, so when
    several processes open a new file at once the losers retry until it is done."""
    deadline = time.monotonic() + patience
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def migrate(db: sqlite3.Connection) -> int:
    """Bring the schema up to date; returns the version it is at.

    The version is read under the write lock, so processes opening a new file at the same
    time migrate it once: the others wait, then find it done.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        version: int = db.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            # executescript would commit on its own; run statement by statement instead.
            for statement in filter(str.strip, script.split(";")):
                db.execute(statement)
            db.execute(f"PRAGMA user_version={number}")
            version = number
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    return version


_QUESTION = "SELECT data, votes FROM questions"
_ORDER_SQL = {
    (QueueOrder.VOTES, False): "votes DESC, id",
    (QueueOrder.VOTES, True): "pinned DESC, votes DESC, id",
    (QueueOrder.NEWEST, False): "id DESC",
    (QueueOrder.NEWEST, True): "pinned DESC, id DESC",
    (QueueOrder.OLDEST, False): "id",
    (QueueOrder.OLDEST, True): "pinned DESC, id",
}


def _sort_key(order: QueueOrder, pinned_first: bool) -> Callable[[Question], tuple[Any, ...]]:
    def key(q: Question) -> tuple[Any, ...]:
        pin = (not q.pinned,) if pinned_first else ()
        by = {QueueOrder.VOTES: (-q.votes, q.id), QueueOrder.NEWEST: (-q.id,)}
        return (*pin, *by.get(order, (q.id,)))

    return key


class _SQLiteTransaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def _one(self, sql: str, *params: object) -> Any:
        row = self.db.execute(sql, params).fetchone()
        return None if row is None else row[0]

    # -- tenants --------------------------------------------------------------------------------

    def tenant_settings(self, tenant: str) -> TenantSettings | None:
        data = self._one("SELECT data FROM tenants WHERE tenant = ?", tenant)
        return None if data is None else converter.structure(json.loads(data), TenantSettings)

    def save_tenant_settings(self, tenant: str, settings: TenantSettings) -> None:
        self.db.execute(
            "INSERT INTO tenants (tenant, data) VALUES (?, ?)"
            " ON CONFLICT (tenant) DO UPDATE SET data = excluded.data",
            (tenant, _dump(settings)),
        )

    # -- sessions -------------------------------------------------------------------------------

    def add_session(self, session: Session) -> Session:
        cursor = self.db.execute(
            "INSERT INTO sessions (tenant, data) VALUES (?, '{}')", (session.tenant,)
        )
        assert cursor.lastrowid is not None
        session = attrs.evolve(session, id=cursor.lastrowid)
        self.save_session(session)
        return session

    def session(self, session_id: int) -> Session | None:
        data = self._one("SELECT data FROM sessions WHERE id = ?", session_id)
        return None if data is None else converter.structure(json.loads(data), Session)

    def save_session(self, session: Session) -> None:
        self.db.execute("UPDATE sessions SET data = ? WHERE id = ?", (_dump(session), session.id))

    def sessions(self, tenant: str | None = None) -> list[Session]:
        if tenant is None:
            rows = self.db.execute("SELECT data FROM sessions ORDER BY id DESC")
        else:
            rows = self.db.execute(
                "SELECT data FROM sessions WHERE tenant = ? ORDER BY id DESC", (tenant,)
            )
        return [converter.structure(json.loads(data), Session) for (data,) in rows]

    # -- questions ------------------------------------------------------------------------------

    @staticmethod
    def _load(data: str, votes: int) -> Question:
        return attrs.evolve(converter.structure(json.loads(data), Question), votes=votes)

    def add_question(self, question: Question, terms: Iterable[str]) -> Question:
        number = self._one(
            "UPDATE sessions SET last_number = last_number + 1 WHERE id = ? RETURNING last_number",
            question.session_id,
        )
        cursor = self.db.execute(
            "INSERT INTO questions (session_id, number, state, author, created_at, data)"
            " VALUES (?, ?, ?, ?, ?, '{}')",
            (
                question.session_id,
                number,
                question.state.value,
                question.author.user.key,
                question.created_at.timestamp(),
            ),
        )
        assert cursor.lastrowid is not None
        question = attrs.evolve(question, id=cursor.lastrowid, number=number, votes=0)
        self._count(question.session_id, question.state, +1)
        self.save_question(question, terms)
        return question

    def question(self, question_id: int) -> Question | None:
        row = self.db.execute(f"{_QUESTION} WHERE id = ?", (question_id,)).fetchone()
        return None if row is None else self._load(*row)

    def _count(self, session_id: int, state: QuestionState, delta: int) -> None:
        self.db.execute(
            "INSERT INTO question_counts (session_id, state, count) VALUES (?, ?, ?)"
            " ON CONFLICT (session_id, state) DO UPDATE SET count = count + excluded.count",
            (session_id, state.value, delta),
        )

    def question_id_by_number(self, session_id: int, number: int) -> int | None:
        found: int | None = self._one(
            "SELECT id FROM questions WHERE session_id = ? AND number = ?", session_id, number
        )
        return found

    def save_question(self, question: Question, terms: Iterable[str] | None = None) -> None:
        before = self._one("SELECT state FROM questions WHERE id = ?", question.id)
        if before != question.state.value:
            self._count(question.session_id, QuestionState(before), -1)
            self._count(question.session_id, question.state, +1)
        self.db.execute(
            "UPDATE questions SET state = ?, pinned = ?, merged_into = ?, data = ? WHERE id = ?",
            (
                question.state.value,
                int(question.pinned),
                question.merged_into,
                _dump(question),
                question.id,
            ),
        )
        if terms is not None:
            self.db.execute("DELETE FROM terms WHERE question_id = ?", (question.id,))
            self.db.executemany(
                "INSERT INTO terms (session_id, term, question_id) VALUES (?, ?, ?)",
                [(question.session_id, term, question.id) for term in terms],
            )

    def questions(
        self,
        session_id: int,
        states: Collection[QuestionState],
        *,
        order: QueueOrder = QueueOrder.VOTES,
        limit: int | None = None,
        offset: int = 0,
        pinned_first: bool = False,
    ) -> list[Question]:
        # One index range per state, merged here: SQLite would otherwise sort every row
        # of an IN (...) query to return the first page.
        sql = (
            f"{_QUESTION} WHERE session_id = ? AND state = ?"
            f" ORDER BY {_ORDER_SQL[(order, pinned_first)]} LIMIT ?"
        )
        wanted = -1 if limit is None else offset + limit
        key = _sort_key(order, pinned_first)
        runs = [
            [self._load(*row) for row in self.db.execute(sql, (session_id, s.value, wanted))]
            for s in states
        ]
        found = list(merge(*runs, key=key))
        return found[offset:] if limit is None else found[offset : offset + limit]

    def duplicates_of(self, question_id: int) -> list[Question]:
        rows = self.db.execute(f"{_QUESTION} WHERE merged_into = ? ORDER BY id", (question_id,))
        return [self._load(*row) for row in rows]

    def count_questions(self, session_id: int) -> dict[QuestionState, int]:
        rows = self.db.execute(
            "SELECT state, count FROM question_counts WHERE session_id = ? AND count > 0",
            (session_id,),
        )
        return {QuestionState(state): count for state, count in rows}

    def author_count_since(self, session_id: int, author: UserRef, since: datetime) -> int:
        count: int = self._one(
            "SELECT COUNT(*) FROM questions"
            " WHERE session_id = ? AND author = ? AND created_at >= ?",
            session_id,
            author.key,
            since.timestamp(),
        )
        return count

    def author_last_at(self, session_id: int, author: UserRef) -> datetime | None:
        data = self._one(
            "SELECT data FROM questions WHERE session_id = ? AND author = ?"
            " ORDER BY created_at DESC LIMIT 1",
            session_id,
            author.key,
        )
        return None if data is None else converter.structure(json.loads(data), Question).created_at

    def similar(self, session_id: int, terms: Iterable[str], limit: int) -> list[Question]:
        shared: dict[int, int] = {}
        for term in terms:
            rows = self.db.execute(
                "SELECT question_id FROM terms WHERE session_id = ? AND term = ?"
                " ORDER BY question_id DESC LIMIT ?",
                (session_id, term, POSTINGS_PER_TERM),
            )
            for (question_id,) in rows:
                shared[question_id] = shared.get(question_id, 0) + 1
        ranked = sorted(shared.items(), key=lambda item: (-item[1], -item[0]))[:limit]
        found = (self.question(question_id) for question_id, _ in ranked)
        return [q for q in found if q is not None]

    # -- votes ----------------------------------------------------------------------------------

    def voted(self, question_ids: Sequence[int], voter: UserRef) -> list[int]:
        return [
            question_id
            for question_id in question_ids
            if self._one(
                "SELECT 1 FROM votes WHERE question_id = ? AND voter = ?", question_id, voter.key
            )
        ]

    def add_vote(self, question_id: int, voter: UserRef, counted_on: int) -> int:
        self.db.execute(
            "INSERT INTO votes (question_id, voter) VALUES (?, ?)", (question_id, voter.key)
        )
        return self._bump(counted_on, +1)

    def remove_votes(self, question_ids: Sequence[int], voter: UserRef, counted_on: int) -> int:
        self.db.executemany(
            "DELETE FROM votes WHERE question_id = ? AND voter = ?",
            [(question_id, voter.key) for question_id in question_ids],
        )
        return self._bump(counted_on, -1)

    def _bump(self, question_id: int, delta: int) -> int:
        votes: int = self._one(
            "UPDATE questions SET votes = votes + ? WHERE id = ? RETURNING votes",
            delta,
            question_id,
        )
        return votes

    def recount(self, question_id: int) -> int:
        votes: int = self._one(
            "UPDATE questions SET votes = (SELECT COUNT(DISTINCT voter) FROM votes"
            "  WHERE question_id = ?1"
            "     OR question_id IN (SELECT id FROM questions WHERE merged_into = ?1))"
            " WHERE id = ?1 RETURNING votes",
            question_id,
        )
        return votes

    def voters(self, question_id: int) -> list[UserRef]:
        rows = self.db.execute(
            "SELECT voter FROM votes WHERE question_id = ? ORDER BY rowid", (question_id,)
        )
        return [UserRef.from_key(key) for (key,) in rows]

    # -- participants ---------------------------------------------------------------------------

    def restriction(self, session_id: int, user: UserRef) -> Restriction:
        value = self._one(
            "SELECT restriction FROM restrictions WHERE session_id = ? AND user = ?",
            session_id,
            user.key,
        )
        return Restriction.NONE if value is None else Restriction(value)

    def restrict(
        self, session_id: int, user: UserRef, restriction: Restriction, reason: str | None
    ) -> None:
        if restriction is Restriction.NONE:
            self.db.execute(
                "DELETE FROM restrictions WHERE session_id = ? AND user = ?",
                (session_id, user.key),
            )
            return
        self.db.execute(
            "INSERT INTO restrictions (session_id, user, restriction, reason) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (session_id, user) DO UPDATE"
            " SET restriction = excluded.restriction, reason = excluded.reason",
            (session_id, user.key, restriction.value, reason),
        )

    def restrictions(self, session_id: int) -> list[RestrictionRecord]:
        rows = self.db.execute(
            "SELECT user, restriction, reason FROM restrictions WHERE session_id = ?",
            (session_id,),
        )
        return [
            RestrictionRecord(UserRef.from_key(user), Restriction(value), reason)
            for user, value, reason in rows
        ]

    # -- audit and idempotency -------------------------------------------------------------------

    def append_audit(self, record: AuditRecord) -> None:
        self.db.execute(
            "INSERT INTO audit (session_id, at, actor, kind, payload) VALUES (?, ?, ?, ?, ?)",
            (record.session_id, record.at.isoformat(), record.actor, record.kind, record.payload),
        )

    def audit(self, session_id: int, *, after: int = 0, limit: int = 100) -> list[AuditRecord]:
        rows = self.db.execute(
            "SELECT seq, session_id, at, actor, kind, payload FROM audit"
            " WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?",
            (session_id, after, limit),
        )
        return [
            AuditRecord(seq, sid, datetime.fromisoformat(at), actor, kind, payload)
            for seq, sid, at, actor, kind, payload in rows
        ]

    def recall(self, scope: str, key: str) -> str | None:
        payload: str | None = self._one(
            "SELECT payload FROM idempotency WHERE scope = ? AND key = ?", scope, key
        )
        return payload

    def get_value(self, scope: str, key: str) -> str | None:
        value: str | None = self._one(
            "SELECT value FROM adapter_values WHERE scope = ? AND key = ?", scope, key
        )
        return value

    def put_value(
        self, scope: str, key: str, value: str | None, *, expires_at: datetime | None = None
    ) -> None:
        if value is None:
            self.db.execute("DELETE FROM adapter_values WHERE scope = ? AND key = ?", (scope, key))
            return
        self.db.execute(
            "INSERT INTO adapter_values (scope, key, value, expires_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (scope, key) DO UPDATE"
            " SET value = excluded.value, expires_at = excluded.expires_at",
            (scope, key, value, expires_at.timestamp() if expires_at else None),
        )

    def forget(self, before: datetime) -> int:
        cutoff = before.timestamp()
        old = self.db.execute("DELETE FROM idempotency WHERE created_at < ?", (cutoff,))
        expired = self.db.execute("DELETE FROM adapter_values WHERE expires_at < ?", (cutoff,))
        return old.rowcount + expired.rowcount

    def remember(self, scope: str, key: str, payload: str, at: datetime) -> None:
        self.db.execute(
            "INSERT INTO idempotency (scope, key, payload, created_at) VALUES (?, ?, ?, ?)",
            (scope, key, payload, at.timestamp()),
        )
