"""The read side: what adapters render. Each view reads only what it shows."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TypeVar

import attrs

from .context import Context
from .errors import NotFound
from .events import Event
from .handlers.stage import selection_for
from .models import (
    Actor,
    Person,
    Question,
    QuestionState,
    Session,
    SessionSettings,
    TenantSettings,
    UserRef,
)
from .plugins import Hooks
from .ports import QueueOrder, RestrictionRecord, Store, Transaction
from .rules import questions as rules
from .rules.permissions import Action
from .serialization import load_event

T = TypeVar("T")
ANONYMOUS = "Anonymous"


def redact(question: Question) -> Question:
    """The question as the audience sees it: no anonymous asker's identity, no words a
    moderator edited out, none of the moderators' flags or notes."""
    # "" keeps ``edited`` true for the audience while hiding the words that were replaced.
    original = "" if question.edited else question.text
    public = attrs.evolve(question, original_text=original, flags=(), rejection=None)
    if not question.anonymous:
        return public
    hidden = Person(user=UserRef(tenant=question.author.user.tenant, id=""), name=ANONYMOUS)
    return attrs.evolve(public, author=hidden)


def _public_record(question: Question) -> Question | None:
    """The question as a public transcript may show it, or None.

    A merged duplicate is kept only to credit its asker: its own words, which may never
    have been approved, are dropped; one merged after a rejection is left out entirely.
    """
    if question.state is QuestionState.MERGED:
        if question.state_before_merge is QuestionState.REJECTED:
            return None
        return redact(attrs.evolve(question, text="", original_text=""))
    return redact(question) if question.state in rules.PUBLIC else None


@attrs.frozen
class SessionSummary:
    session: Session
    counts: Mapping[QuestionState, int]
    on_stage: Question | None

    @property
    def waiting(self) -> int:
        return sum(self.counts.get(s, 0) for s in rules.SELECTABLE)

    @property
    def pending(self) -> int:
        return self.counts.get(QuestionState.PENDING, 0)

    @property
    def answered(self) -> int:
        return self.counts.get(QuestionState.ANSWERED, 0)


@attrs.frozen
class AuditEntry:
    seq: int
    actor: str
    event: Event


@attrs.frozen
class Transcript:
    """Everything an exporter needs. ``full`` ones carry identities and voters."""

    session: Session
    questions: tuple[Question, ...]  # every question, by number
    full: bool
    voters: Mapping[int, tuple[UserRef, ...]] = attrs.field(factory=dict)
    restrictions: tuple[RestrictionRecord, ...] = ()

    def answered(self) -> list[Question]:
        """Answered questions in the order the guest answered them."""
        done = [(q.answer.at, q.id, q) for q in self.questions if q.answer is not None]
        return [q for _, _, q in sorted(done)]

    def duplicates_of(self, question: Question) -> list[Question]:
        return [q for q in self.questions if q.merged_into == question.id]


class Views:
    def __init__(
        self,
        store: Store,
        hooks: Hooks,
        clock: Callable[[], datetime],
        defaults: SessionSettings | None = None,
    ) -> None:
        self._store = store
        self._hooks = hooks
        self._clock = clock
        self._defaults = defaults or SessionSettings()

    async def _read(self, actor: Actor, work: Callable[[Context], T]) -> T:
        now = self._clock()

        def run(tx: Transaction) -> T:
            return work(
                Context(tx=tx, actor=actor, now=now, hooks=self._hooks, defaults=self._defaults)
            )

        return await self._store.read(run)

    def _session(self, ctx: Context, session_id: int, action: Action) -> Session:
        session = ctx.session(session_id)
        ctx.authorize(action, session)
        return session

    async def allowed(self, action: Action, session_id: int | None, actor: Actor) -> bool:
        """Whether ``actor`` may do ``action`` (in the session, if given): for showing or
        hiding controls. The engine checks again when the command comes."""

        def work(ctx: Context) -> bool:
            session = None if session_id is None else ctx.session(session_id)
            return ctx.allowed(action, session)

        return await self._read(actor, work)

    async def tenant_settings(self, actor: Actor) -> TenantSettings:
        """The actor's tenant's settings (the configured defaults when never changed)."""

        def work(ctx: Context) -> TenantSettings:
            found = ctx.tx.tenant_settings(actor.user.tenant)
            return found or TenantSettings(defaults=ctx.defaults)

        return await self._read(actor, work)

    async def sessions(self, actor: Actor) -> list[Session]:
        return await self._read(actor, lambda ctx: ctx.tx.sessions(actor.user.tenant))

    async def session(self, session_id: int, actor: Actor) -> Session:
        return await self._read(actor, lambda ctx: self._session(ctx, session_id, Action.VIEW))

    async def question(self, question_id: int, actor: Actor) -> Question:
        """One question, if ``actor`` may see it (pending ones: moderators and the author)."""

        def work(ctx: Context) -> Question:
            question, session = ctx.question(question_id)
            ctx.authorize(Action.VIEW, session)
            if ctx.allowed(Action.MODERATE, session):
                return question
            if question.author.user != actor.user and question.state not in rules.PUBLIC:
                raise NotFound(f"There is no question with id {question_id}.")
            return redact(question)

        return await self._read(actor, work)

    async def question_by_number(self, session_id: int, number: int, actor: Actor) -> Question:
        """Question #``number`` of a session, as ``question`` shows it to ``actor``."""

        missing = NotFound(f"There is no question #{number} in session {session_id}.")

        def work(ctx: Context) -> int:
            ctx.session(session_id)
            found = ctx.tx.question_id_by_number(session_id, number)
            if found is None:
                raise missing
            return found

        try:
            return await self.question(await self._read(actor, work), actor)
        except NotFound:
            raise missing from None

    async def moderation_queue(
        self, session_id: int, actor: Actor, *, limit: int = 25, offset: int = 0
    ) -> list[Question]:
        """Questions waiting for a moderator, oldest first."""

        def work(ctx: Context) -> list[Question]:
            self._session(ctx, session_id, Action.MODERATE)
            return ctx.tx.questions(
                session_id,
                [QuestionState.PENDING],
                order=QueueOrder.OLDEST,
                limit=limit,
                offset=offset,
            )

        return await self._read(actor, work)

    async def public_queue(
        self, session_id: int, actor: Actor, *, limit: int = 25, offset: int = 0
    ) -> list[Question]:
        """The audience's view: public questions still in play, pinned then most voted."""

        def work(ctx: Context) -> list[Question]:
            self._session(ctx, session_id, Action.VIEW)
            found = ctx.tx.questions(
                session_id,
                rules.SELECTABLE | {QuestionState.SELECTED},
                limit=limit,
                offset=offset,
                pinned_first=True,
            )
            return [redact(q) for q in found]

        return await self._read(actor, work)

    async def next_up(self, session_id: int, actor: Actor, *, count: int = 5) -> list[Question]:
        """What "next" would choose, in order: the guest's and host's preview."""

        def work(ctx: Context) -> list[Question]:
            session = self._session(ctx, session_id, Action.RUN_STAGE)
            chosen = ctx.hooks.select_questions(selection_for(ctx, session, count))
            if ctx.allowed(Action.MODERATE, session):
                return chosen
            return [redact(q) for q in chosen]  # the guest does not see anonymous askers

        return await self._read(actor, work)

    async def summary(self, session_id: int, actor: Actor) -> SessionSummary:
        def work(ctx: Context) -> SessionSummary:
            session = self._session(ctx, session_id, Action.VIEW)
            on_stage = ctx.tx.question(session.on_stage) if session.on_stage else None
            return SessionSummary(
                session=session,
                counts=ctx.tx.count_questions(session_id),
                on_stage=redact(on_stage) if on_stage else None,
            )

        return await self._read(actor, work)

    async def audit(
        self, session_id: int, actor: Actor, *, after: int = 0, limit: int = 100
    ) -> list[AuditEntry]:
        def work(ctx: Context) -> list[AuditEntry]:
            self._session(ctx, session_id, Action.READ_AUDIT)
            return [
                AuditEntry(seq=r.seq, actor=r.actor, event=load_event(r.kind, r.payload))
                for r in ctx.tx.audit(session_id, after=after, limit=limit)
            ]

        return await self._read(actor, work)

    async def my_votes(self, question_ids: list[int], actor: Actor) -> set[int]:
        """Which of these questions ``actor`` has upvoted, directly or through a duplicate."""

        def work(ctx: Context) -> set[int]:
            mine = set()
            for question_id in question_ids:
                group = [question_id, *(d.id for d in ctx.tx.duplicates_of(question_id))]
                if ctx.tx.voted(group, actor.user):
                    mine.add(question_id)
            return mine

        return await self._read(actor, work)

    async def transcript(self, session_id: int, actor: Actor, *, full: bool) -> Transcript:
        """The whole session for export; ``full`` needs moderator rights (identities, voters)."""

        def work(ctx: Context) -> Transcript:
            session = self._session(ctx, session_id, Action.EXPORT_FULL if full else Action.VIEW)
            everything = ctx.tx.questions(session_id, list(QuestionState), order=QueueOrder.OLDEST)
            if not full:
                shown = (_public_record(q) for q in everything)
                return Transcript(
                    session=session,
                    questions=tuple(q for q in shown if q is not None),
                    full=False,
                )
            return Transcript(
                session=session,
                questions=tuple(everything),
                full=True,
                voters={q.id: tuple(ctx.tx.voters(q.id)) for q in everything},
                restrictions=tuple(ctx.tx.restrictions(session_id)),
            )

        return await self._read(actor, work)
