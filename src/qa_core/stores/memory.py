"""An in-memory store: for tests and throwaway demos. Atomic through an undo log."""

from __future__ import annotations

import heapq
import itertools
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

import attrs

from ..models import Question, QuestionState, Restriction, Session, TenantSettings, UserRef
from ..ports import POSTINGS_PER_TERM, AuditRecord, QueueOrder, RestrictionRecord

T = TypeVar("T")
_MISSING = object()


class MemoryStore:
    def __init__(self) -> None:
        self._tx = _MemoryTransaction()

    async def write(self, work: Callable[[_MemoryTransaction], T]) -> T:
        # No await inside: the whole transaction runs without yielding the event loop.
        try:
            return work(self._tx)
        except BaseException:
            self._tx.rollback()
            raise
        finally:
            self._tx.undo.clear()

    async def read(self, work: Callable[[_MemoryTransaction], T]) -> T:
        return work(self._tx)

    async def close(self) -> None:
        pass


class _MemoryTransaction:
    def __init__(self) -> None:
        self.undo: list[tuple[dict[Any, Any], Any, Any]] = []
        self.seq: dict[str, int] = {}
        self._sessions: dict[int, Session] = {}
        self._questions: dict[int, Question] = {}
        self.counts: dict[int, int] = {}
        self.by_state: dict[tuple[int, QuestionState], dict[int, None]] = {}
        self.children: dict[int, dict[int, None]] = {}
        self.votes: dict[int, dict[str, None]] = {}
        self.postings: dict[tuple[int, str], dict[int, None]] = {}
        self.terms_of: dict[int, frozenset[str]] = {}
        self.by_author: dict[tuple[int, str], dict[int, None]] = {}
        self.restricted: dict[tuple[int, str], RestrictionRecord] = {}
        self.audit_log: dict[int, dict[int, AuditRecord]] = {}
        self.memory: dict[tuple[str, str], tuple[str, datetime]] = {}
        self.values: dict[tuple[str, str], tuple[str, datetime | None]] = {}
        self.numbers: dict[tuple[int, int], int] = {}
        self.tenants: dict[str, TenantSettings] = {}

    # -- the undo log -----------------------------------------------------------------------------

    def _put(self, mapping: dict[Any, Any], key: Any, value: Any) -> None:
        self.undo.append((mapping, key, mapping.get(key, _MISSING)))
        mapping[key] = value

    def _pop(self, mapping: dict[Any, Any], key: Any) -> None:
        if key in mapping:
            self.undo.append((mapping, key, mapping.pop(key)))

    def _bucket(self, mapping: dict[Any, dict[Any, Any]], key: Any) -> dict[Any, Any]:
        if key not in mapping:
            self._put(mapping, key, {})
        bucket: dict[Any, Any] = mapping[key]
        return bucket

    def _next(self, name: str) -> int:
        value = self.seq.get(name, 0) + 1
        self._put(self.seq, name, value)
        return value

    def rollback(self) -> None:
        for mapping, key, old in reversed(self.undo):
            if old is _MISSING:
                mapping.pop(key, None)
            else:
                mapping[key] = old

    # -- tenants --------------------------------------------------------------------------------

    def tenant_settings(self, tenant: str) -> TenantSettings | None:
        return self.tenants.get(tenant)

    def save_tenant_settings(self, tenant: str, settings: TenantSettings) -> None:
        self._put(self.tenants, tenant, settings)

    # -- sessions -------------------------------------------------------------------------------

    def add_session(self, session: Session) -> Session:
        session = attrs.evolve(session, id=self._next("session"))
        self._put(self._sessions, session.id, session)
        return session

    def session(self, session_id: int) -> Session | None:
        return self._sessions.get(session_id)

    def save_session(self, session: Session) -> None:
        self._put(self._sessions, session.id, session)

    def sessions(self, tenant: str | None = None) -> list[Session]:
        found = [s for s in self._sessions.values() if tenant is None or s.tenant == tenant]
        return sorted(found, key=lambda s: -s.id)

    # -- questions ------------------------------------------------------------------------------

    def add_question(self, question: Question, terms: Iterable[str]) -> Question:
        number = self._next(f"number:{question.session_id}")
        question = attrs.evolve(question, id=self._next("question"), number=number, votes=0)
        self._put(self.numbers, (question.session_id, number), question.id)
        self._put(self.counts, question.id, 0)
        self._store(question, None)
        self._index(question, frozenset(terms))
        author = (question.session_id, question.author.user.key)
        self._put(self._bucket(self.by_author, author), question.id, None)
        return question

    def _store(self, question: Question, before: Question | None) -> None:
        if before is not None and before.state is not question.state:
            self._pop(self.by_state[(before.session_id, before.state)], before.id)
        bucket = self._bucket(self.by_state, (question.session_id, question.state))
        self._put(bucket, question.id, None)
        if before is not None and before.merged_into not in (None, question.merged_into):
            self._pop(self.children[before.merged_into], before.id)
        if question.merged_into is not None:
            self._put(self._bucket(self.children, question.merged_into), question.id, None)
        self._put(self._questions, question.id, question)

    def _index(self, question: Question, terms: frozenset[str]) -> None:
        for term in self.terms_of.get(question.id, frozenset()) - terms:
            self._pop(self.postings[(question.session_id, term)], question.id)
        for term in terms:
            self._put(self._bucket(self.postings, (question.session_id, term)), question.id, None)
        self._put(self.terms_of, question.id, terms)

    def question(self, question_id: int) -> Question | None:
        found = self._questions.get(question_id)
        return None if found is None else attrs.evolve(found, votes=self.counts[question_id])

    def question_id_by_number(self, session_id: int, number: int) -> int | None:
        return self.numbers.get((session_id, number))

    def save_question(self, question: Question, terms: Iterable[str] | None = None) -> None:
        self._store(question, self._questions[question.id])
        if terms is not None:
            self._index(question, frozenset(terms))

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
        # Sorts ids on the raw records, and copies out only the page: this store is for
        # tests, so O(n) per page is fine, but not with a copy of every question.
        ids = itertools.chain.from_iterable(
            self.by_state.get((session_id, state), {}) for state in states
        )

        def key(question_id: int) -> tuple[int, ...]:
            pin = (not self._questions[question_id].pinned,) if pinned_first else ()
            if order is QueueOrder.VOTES:
                return (*pin, -self.counts[question_id], question_id)
            return (*pin, -question_id if order is QueueOrder.NEWEST else question_id)

        if limit is None:
            page = sorted(ids, key=key)[offset:]
        else:
            page = heapq.nsmallest(offset + limit, ids, key=key)[offset:]
        return [q for q in (self.question(i) for i in page) if q is not None]

    def duplicates_of(self, question_id: int) -> list[Question]:
        found = (self.question(i) for i in sorted(self.children.get(question_id, {})))
        return [q for q in found if q is not None]

    def count_questions(self, session_id: int) -> dict[QuestionState, int]:
        return {
            state: len(self.by_state.get((session_id, state), {}))
            for state in QuestionState
            if self.by_state.get((session_id, state))
        }

    def author_count_since(self, session_id: int, author: UserRef, since: datetime) -> int:
        count = 0
        for question_id in reversed(self.by_author.get((session_id, author.key), {})):
            if self._questions[question_id].created_at < since:
                break
            count += 1
        return count

    def author_last_at(self, session_id: int, author: UserRef) -> datetime | None:
        ids = self.by_author.get((session_id, author.key), {})
        return self._questions[next(reversed(ids))].created_at if ids else None

    def similar(self, session_id: int, terms: Iterable[str], limit: int) -> list[Question]:
        shared: Counter[int] = Counter()
        for term in terms:
            postings = self.postings.get((session_id, term), {})
            shared.update(itertools.islice(reversed(postings), POSTINGS_PER_TERM))
        ranked = sorted(shared.items(), key=lambda item: (-item[1], -item[0]))[:limit]
        found = (self.question(question_id) for question_id, _ in ranked)
        return [q for q in found if q is not None]

    # -- votes ----------------------------------------------------------------------------------

    def voted(self, question_ids: Sequence[int], voter: UserRef) -> list[int]:
        return [i for i in question_ids if voter.key in self.votes.get(i, {})]

    def add_vote(self, question_id: int, voter: UserRef, counted_on: int) -> int:
        self._put(self._bucket(self.votes, question_id), voter.key, None)
        self._put(self.counts, counted_on, self.counts[counted_on] + 1)
        return self.counts[counted_on]

    def remove_votes(self, question_ids: Sequence[int], voter: UserRef, counted_on: int) -> int:
        for question_id in question_ids:
            self._pop(self.votes.get(question_id, {}), voter.key)
        self._put(self.counts, counted_on, self.counts[counted_on] - 1)
        return self.counts[counted_on]

    def recount(self, question_id: int) -> int:
        group = [question_id, *self.children.get(question_id, {})]
        voters = set(itertools.chain.from_iterable(self.votes.get(i, {}) for i in group))
        self._put(self.counts, question_id, len(voters))
        return len(voters)

    def voters(self, question_id: int) -> list[UserRef]:
        return [UserRef.from_key(k) for k in self.votes.get(question_id, {})]

    # -- participants ---------------------------------------------------------------------------

    def restriction(self, session_id: int, user: UserRef) -> Restriction:
        record = self.restricted.get((session_id, user.key))
        return Restriction.NONE if record is None else record.restriction

    def restrict(
        self, session_id: int, user: UserRef, restriction: Restriction, reason: str | None
    ) -> None:
        if restriction is Restriction.NONE:
            self._pop(self.restricted, (session_id, user.key))
        else:
            record = RestrictionRecord(user, restriction, reason)
            self._put(self.restricted, (session_id, user.key), record)

    def restrictions(self, session_id: int) -> list[RestrictionRecord]:
        return [r for (sid, _), r in self.restricted.items() if sid == session_id]

    # -- audit and idempotency -------------------------------------------------------------------

    def append_audit(self, record: AuditRecord) -> None:
        record = attrs.evolve(record, seq=self._next("audit"))
        self._put(self._bucket(self.audit_log, record.session_id), record.seq, record)

    def audit(self, session_id: int, *, after: int = 0, limit: int = 100) -> list[AuditRecord]:
        records = (r for seq, r in self.audit_log.get(session_id, {}).items() if seq > after)
        return list(itertools.islice(records, limit))

    def recall(self, scope: str, key: str) -> str | None:
        found = self.memory.get((scope, key))
        return None if found is None else found[0]

    def remember(self, scope: str, key: str, payload: str, at: datetime) -> None:
        self._put(self.memory, (scope, key), (payload, at))

    def get_value(self, scope: str, key: str) -> str | None:
        found = self.values.get((scope, key))
        return None if found is None else found[0]

    def put_value(
        self, scope: str, key: str, value: str | None, *, expires_at: datetime | None = None
    ) -> None:
        if value is None:
            self._pop(self.values, (scope, key))
        else:
            self._put(self.values, (scope, key), (value, expires_at))

    def forget(self, before: datetime) -> int:
        old = [k for k, (_, at) in self.memory.items() if at < before]
        expired = [k for k, (_, until) in self.values.items() if until and until < before]
        for key in old:
            self._pop(self.memory, key)
        for key in expired:
            self._pop(self.values, key)
        return len(old) + len(expired)
