"""The storage port: what the engine needs from a database, and nothing more.

A command runs as one ``Store.write`` call: a synchronous function over a ``Transaction``,
committed (durably) before ``write`` returns, rolled back entirely if it raises. Every
method does work bounded by what it touches, never by the size of the session, except
those documented as exports.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import datetime
from typing import Protocol, TypeVar

import attrs

from .models import Question, QuestionState, Restriction, Session, TenantSettings, UserRef

T = TypeVar("T")

# Each content word of a new question looks at no more than this many recent questions
# sharing it, so finding duplicates costs the same in a session of 100 or 100,000.
POSTINGS_PER_TERM = 500


class QueueOrder(enum.Enum):
    VOTES = "votes"  # most votes first, then oldest
    NEWEST = "newest"
    OLDEST = "oldest"


@attrs.frozen
class AuditRecord:
    seq: int  # assigned by the store, increasing
    session_id: int
    at: datetime
    actor: str  # UserRef.key
    kind: str  # the event's class name
    payload: str  # the event as JSON


@attrs.frozen
class RestrictionRecord:
    user: UserRef
    restriction: Restriction
    reason: str | None


class Transaction(Protocol):
    # -- tenants
    def tenant_settings(self, tenant: str) -> TenantSettings | None: ...

    def save_tenant_settings(self, tenant: str, settings: TenantSettings) -> None: ...

    # -- sessions
    def add_session(self, session: Session) -> Session:
        """Insert with a new id (``session.id`` is ignored) and return it."""

    def session(self, session_id: int) -> Session | None: ...

    def save_session(self, session: Session) -> None: ...

    def sessions(self, tenant: str | None = None) -> list[Session]:
        """Every session of ``tenant`` (all tenants when None), newest first."""

    # -- questions
    def add_question(self, question: Question, terms: Iterable[str]) -> Question:
        """Insert with a new id and the session's next number; index ``terms``."""

    def question(self, question_id: int) -> Question | None: ...

    def question_id_by_number(self, session_id: int, number: int) -> int | None:
        """The id of question #``number`` of the session, as people name it."""

    def save_question(self, question: Question, terms: Iterable[str] | None = None) -> None:
        """Store everything but ``votes`` (the store keeps that); re-index when terms given."""

    def questions(
        self,
        session_id: int,
        states: Collection[QuestionState],
        *,
        order: QueueOrder = QueueOrder.VOTES,
        limit: int | None = None,
        offset: int = 0,
        pinned_first: bool = False,
    ) -> list[Question]: ...

    def duplicates_of(self, question_id: int) -> list[Question]:
        """Questions merged into ``question_id``, oldest first."""

    def count_questions(self, session_id: int) -> dict[QuestionState, int]: ...

    def author_count_since(self, session_id: int, author: UserRef, since: datetime) -> int: ...

    def author_last_at(self, session_id: int, author: UserRef) -> datetime | None: ...

    def similar(self, session_id: int, terms: Iterable[str], limit: int) -> list[Question]:
        """Questions sharing the most ``terms`` (each term reads at most POSTINGS_PER_TERM)."""

    # -- votes
    def voted(self, question_ids: Sequence[int], voter: UserRef) -> list[int]:
        """Which of ``question_ids`` ``voter`` has voted on."""

    def add_vote(self, question_id: int, voter: UserRef, counted_on: int) -> int:
        """Record a vote on ``question_id``, add one to ``counted_on``'s count; the new count."""

    def remove_votes(self, question_ids: Sequence[int], voter: UserRef, counted_on: int) -> int:
        """Drop ``voter``'s votes on ``question_ids``, take one from ``counted_on``; the count."""

    def recount(self, question_id: int) -> int:
        """Set the count to the distinct voters over the question and its duplicates."""

    def voters(self, question_id: int) -> list[UserRef]:
        """Who voted on this very question (not its duplicates), in voting order."""

    # -- participants
    def restriction(self, session_id: int, user: UserRef) -> Restriction: ...

    def restrict(
        self, session_id: int, user: UserRef, restriction: Restriction, reason: str | None
    ) -> None: ...

    def restrictions(self, session_id: int) -> list[RestrictionRecord]: ...

    # -- audit and idempotency
    def append_audit(self, record: AuditRecord) -> None:
        """Append; ``record.seq`` is ignored and assigned."""

    def audit(self, session_id: int, *, after: int = 0, limit: int = 100) -> list[AuditRecord]: ...

    def recall(self, scope: str, key: str) -> str | None:
        """What ``remember`` stored under (scope, key), if anything."""

    def remember(self, scope: str, key: str, payload: str, at: datetime) -> None: ...

    # -- adapters' own state (which platform message shows which question, ...)
    def get_value(self, scope: str, key: str) -> str | None: ...

    def put_value(
        self, scope: str, key: str, value: str | None, *, expires_at: datetime | None = None
    ) -> None:
        """Store ``value`` under (scope, key); None deletes it. ``expires_at``: ``forget``
        may drop it after then (it is still returned until it does)."""

    def forget(self, before: datetime) -> int:
        """Drop idempotency records made before ``before`` and adapter values expired by
        then; how many went. Redeliveries come within minutes, so days of memory is plenty."""


class Store(Protocol):
    async def write(self, work: Callable[[Transaction], T]) -> T:
        """Run ``work`` in one transaction; committed durably when this returns."""

    async def read(self, work: Callable[[Transaction], T]) -> T:
        """Run ``work`` against a consistent view; it must not write."""

    async def close(self) -> None: ...
