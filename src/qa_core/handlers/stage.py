"""Putting questions to the guest and recording the answers."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from ..commands import AnswerQuestion, DeferQuestion, NextQuestion, SkipQuestion
from ..context import Context
from ..errors import InvalidInput, InvalidState
from ..events import (
    QuestionAnswered,
    QuestionDeferred,
    QuestionEvent,
    QuestionSelected,
    QuestionSkipped,
)
from ..models import Answer, QuestionState, Session, UserRef
from ..ports import QueueOrder
from ..rules import questions as rules
from ..rules.permissions import Action
from ..rules.sessions import ensure_collecting, ensure_on_air
from ..selection import Selection
from ..text import clean
from .stage_common import take_off_stage

MAX_ANSWER = 10_000
# Strategies choose from the best-voted and the newest questions; a bounded pool keeps
# "next" fast in a session of 100,000 questions.
POOL_BY_VOTES = 300
POOL_NEWEST = 100
POOL_OLDEST = 100  # so a strategy can also see who has waited longest
PUT_TO_GUEST = (QuestionState.ANSWERED, QuestionState.SKIPPED, QuestionState.SELECTED)


def selection_for(ctx: Context, session: Session, count: int) -> Selection:
    """The bounded candidate pool and history a strategy chooses from."""
    tx, waiting = ctx.tx, rules.SELECTABLE
    by_votes = tx.questions(session.id, waiting, limit=POOL_BY_VOTES, pinned_first=True)
    newest = tx.questions(session.id, waiting, order=QueueOrder.NEWEST, limit=POOL_NEWEST)
    oldest = tx.questions(session.id, waiting, order=QueueOrder.OLDEST, limit=POOL_OLDEST)
    pool = {q.id: q for q in (*by_votes, *newest, *oldest)}
    history = sorted(
        tx.questions(session.id, PUT_TO_GUEST),
        key=lambda q: (q.selected_at or q.created_at, q.id),
    )
    name = session.settings.strategy
    return Selection(
        session=session,
        strategy=name,
        candidates=tuple(pool.values()),
        history=tuple(history),
        count=count,
        now=ctx.now,
        registered=ctx.hooks.strategies.get(name),
    )


def next_question(ctx: Context, cmd: NextQuestion) -> None:
    session = ctx.session(cmd.session_id)
    ctx.authorize(Action.RUN_STAGE, session)
    ensure_on_air(session)
    if session.on_stage is not None:
        current = ctx.tx.question(session.on_stage)
        if current is not None and current.state is QuestionState.SELECTED:
            raise InvalidState(
                f"Question #{current.number} is still with the guest: answer, skip or defer it."
            )
    chosen = ctx.hooks.select_questions(selection_for(ctx, session, count=1))
    if not chosen:
        raise InvalidState("No approved questions are waiting.")
    selected = attrs.evolve(chosen[0], state=QuestionState.SELECTED, selected_at=ctx.now)
    ctx.tx.save_question(selected)
    ctx.tx.save_session(attrs.evolve(session, on_stage=selected.id))
    ctx.emit(QuestionSelected, session.id, question=selected, strategy=session.settings.strategy)


def answer_question(ctx: Context, cmd: AnswerQuestion) -> None:
    question, session = ctx.question(cmd.question_id)
    ensure_collecting(session)
    ctx.authorize(Action.ANSWER, session)
    rules.ensure_allowed(question, "answer")
    text = clean(cmd.text)
    if not text:
        raise InvalidInput("An answer cannot be empty.")
    if len(text) > MAX_ANSWER:
        raise InvalidInput(f"The answer is {len(text)} characters; the limit is {MAX_ANSWER}.")
    answered = attrs.evolve(
        question,
        state=QuestionState.ANSWERED,
        answer=Answer(text=text, by=ctx.actor.person, at=ctx.now),
        selected_at=question.selected_at or ctx.now,
        pinned=False,
    )
    ctx.tx.save_question(answered)
    take_off_stage(ctx, session, question)
    askers = [question.author.user, *(d.author.user for d in ctx.tx.duplicates_of(question.id))]
    notify: tuple[UserRef, ...] = tuple(dict.fromkeys(askers))
    ctx.emit(QuestionAnswered, session.id, question=answered, notify=notify)


def _take_off_stage(
    action: str, state: QuestionState, event: type[QuestionEvent]
) -> Callable[[Context, SkipQuestion | DeferQuestion], None]:
    """Skip (out of the queue) and defer (back in it, behind the rest) differ only in these."""

    def handle(ctx: Context, cmd: SkipQuestion | DeferQuestion) -> None:
        question, session = ctx.question(cmd.question_id)
        ensure_collecting(session)
        ctx.authorize(Action.RUN_STAGE, session)
        rules.ensure_allowed(question, action)
        moved = attrs.evolve(question, state=state, pinned=False)
        ctx.tx.save_question(moved)
        take_off_stage(ctx, session, question)
        ctx.emit(event, session.id, question=moved)

    return handle


skip_question = _take_off_stage("skip", QuestionState.SKIPPED, QuestionSkipped)
defer_question = _take_off_stage("defer", QuestionState.DEFERRED, QuestionDeferred)
