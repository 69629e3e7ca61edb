"""Asking, rewording, withdrawing and voting."""

from __future__ import annotations

from datetime import datetime

import attrs

from ..commands import CastVote, EditQuestion, SubmitQuestion, WithdrawQuestion
from ..context import Context
from ..errors import InvalidInput, PermissionDenied, Refused
from ..events import QuestionEdited, QuestionSubmitted, QuestionWithdrawn, VoteCast, VoteRetracted
from ..models import DuplicateSuggestion, Flag, Question, QuestionState, Session, UserRef
from ..rules import questions as rules
from ..rules.permissions import Action
from ..rules.sessions import ensure_collecting
from ..screening import Submission
from ..text import terms
from .merging import restore_duplicates
from .stage_common import take_off_stage

SIMILAR_CANDIDATES = 20


@attrs.frozen
class _History:
    """The author's questions in the session, read lazily by rate-limit plugins."""

    ctx: Context
    session_id: int
    author: UserRef

    def count_since(self, since: datetime) -> int:
        return self.ctx.tx.author_count_since(self.session_id, self.author, since)

    def last_at(self) -> datetime | None:
        return self.ctx.tx.author_last_at(self.session_id, self.author)


def _screen(
    ctx: Context, session: Session, text: str, anonymous: bool, editing: Question | None
) -> tuple[Submission, tuple[Flag, ...]]:
    """Clean, validate and flag: what every new or reworded question goes through."""
    submission = Submission(
        session=session,
        actor=ctx.actor,
        text=ctx.hooks.clean_text(text),
        anonymous=anonymous,
        now=ctx.now,
        history=_History(ctx, session.id, ctx.actor.user),
        editing=editing,
    )
    refusal = ctx.hooks.validate_question(submission)
    if refusal is not None:
        raise Refused(refusal.message, reason=refusal.reason, retry_after=refusal.retry_after)
    return submission, ctx.hooks.flag_question(submission)


def _suggest(
    ctx: Context, submission: Submission
) -> tuple[DuplicateSuggestion | None, DuplicateSuggestion | None]:
    """The likely duplicate for moderators (pending ones too), and for the asker (public)."""
    found = ctx.tx.similar(submission.session.id, terms(submission.text), SIMILAR_CANDIDATES)
    public = [q for q in found if q.state in rules.PUBLIC]
    pending = [q for q in found if q.state is QuestionState.PENDING]
    for_asker = ctx.hooks.suggest_duplicate(submission, public) if public else None
    for_moderators = ctx.hooks.suggest_duplicate(submission, public + pending) if pending else None
    return for_moderators or for_asker, for_asker


def submit_question(ctx: Context, cmd: SubmitQuestion) -> None:
    session = ctx.session(cmd.session_id)
    ensure_collecting(session)
    ctx.authorize(Action.ASK, session)
    if cmd.anonymous and not session.settings.allow_anonymous:
        raise InvalidInput("Anonymous questions are turned off in this session.")
    submission, flags = _screen(ctx, session, cmd.text, cmd.anonymous, None)
    state = ctx.hooks.moderate_question(submission, flags)
    for_moderators, for_asker = _suggest(ctx, submission)
    if for_moderators is not None:
        flags += (Flag("possible_duplicate", f"#{for_moderators.number}"),)
    question = ctx.tx.add_question(
        Question(
            id=0,
            session_id=session.id,
            number=0,
            author=ctx.actor.person,
            text=submission.text,
            original_text=submission.text,
            state=state,
            created_at=ctx.now,
            anonymous=cmd.anonymous,
            flags=flags,
        ),
        terms(submission.text),
    )
    # The asker is only pointed at questions everyone can already see.
    ctx.emit(QuestionSubmitted, session.id, question=question, suggestion=for_asker)


def edit_question(ctx: Context, cmd: EditQuestion) -> None:
    question, session = ctx.question(cmd.question_id)
    ensure_collecting(session)
    own = question.author.user == ctx.actor.user
    if own:
        ctx.authorize(Action.EDIT_OWN, session, question)
        ctx.authorize(Action.ASK, session)  # new words are a new question: not for the muted
    else:
        ctx.authorize(Action.MODERATE, session)
    rules.ensure_allowed(question, "edit")
    submission, flags = _screen(ctx, session, cmd.text, question.anonymous, question)
    state = question.state
    if own and state in rules.PUBLIC:
        # Screened again, on stage too: the approval was for the old words.
        if ctx.hooks.moderate_question(submission, flags) is QuestionState.PENDING:
            state = QuestionState.PENDING
    edited = attrs.evolve(
        question,
        text=submission.text,
        state=state,
        flags=flags if own else question.flags,
    )
    ctx.tx.save_question(edited, terms(edited.text))
    if question.state is QuestionState.SELECTED and state is QuestionState.PENDING:
        take_off_stage(ctx, session, question)
    ctx.emit(QuestionEdited, session.id, question=edited, before=question.text)


def withdraw_question(ctx: Context, cmd: WithdrawQuestion) -> None:
    question, session = ctx.question(cmd.question_id)
    ensure_collecting(session)
    ctx.authorize(Action.EDIT_OWN, session, question)
    rules.ensure_allowed(question, "withdraw")
    restore_duplicates(ctx, question)  # their askers still want an answer
    withdrawn = attrs.evolve(question, state=QuestionState.WITHDRAWN, pinned=False)
    ctx.tx.save_question(withdrawn)
    ctx.emit(QuestionWithdrawn, session.id, question=withdrawn)


def cast_vote(ctx: Context, cmd: CastVote) -> None:
    question, session = ctx.question(cmd.question_id)
    ensure_collecting(session)
    ctx.authorize(Action.VOTE, session)
    # A vote on a merged duplicate counts for the question it was merged into.
    target = question if question.merged_into is None else ctx.tx.question(question.merged_into)
    assert target is not None, "a merge target is never deleted"
    rules.ensure_allowed(target, "vote")
    group = [target, *ctx.tx.duplicates_of(target.id)]
    voter = ctx.actor.user
    if not session.settings.allow_self_votes and any(q.author.user == voter for q in group):
        raise PermissionDenied("You cannot vote for your own question.")
    already = ctx.tx.voted([q.id for q in group], voter)
    wanted = not already if cmd.up is None else cmd.up
    if wanted and not already:
        # Recorded on the survivor: the duplicate is hidden while merged.
        votes = ctx.tx.add_vote(target.id, voter, counted_on=target.id)
        ctx.emit(
            VoteCast,
            session.id,
            question_id=target.id,
            number=target.number,
            voter=voter,
            votes=votes,
        )
    elif already and not wanted:
        votes = ctx.tx.remove_votes(already, voter, counted_on=target.id)
        ctx.emit(
            VoteRetracted,
            session.id,
            question_id=target.id,
            number=target.number,
            voter=voter,
            votes=votes,
        )
