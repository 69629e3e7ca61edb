"""What moderators do: approve, reject, merge, pin, tag, ban and mute."""

from __future__ import annotations

import attrs

from ..commands import (
    ApproveQuestion,
    MergeQuestions,
    PinQuestion,
    RejectQuestion,
    RestrictParticipant,
    TagQuestion,
    UnmergeQuestion,
)
from ..context import Context
from ..errors import InvalidInput
from ..events import (
    ParticipantRestricted,
    QuestionApproved,
    QuestionPinned,
    QuestionRejected,
    QuestionTagged,
)
from ..models import Question, QuestionState, Rejection, Role, Session
from ..rules import questions as rules
from ..rules.permissions import Action
from ..rules.sessions import ensure_collecting
from ..text import clean
from .merging import merge, unmerge

MAX_MESSAGE = 1000
MAX_TAGS = 10
MAX_TAG = 32


def _moderated(ctx: Context, question_id: int, action: str) -> tuple[Question, Session]:
    """Load a question a moderator acts on, checking the session, the role and the state."""
    question, session = ctx.question(question_id)
    ensure_collecting(session)
    ctx.authorize(Action.MODERATE, session)
    rules.ensure_allowed(question, action)
    return question, session


def approve_question(ctx: Context, cmd: ApproveQuestion) -> None:
    question, session = _moderated(ctx, cmd.question_id, "approve")
    approved = attrs.evolve(question, state=QuestionState.APPROVED, rejection=None)
    ctx.tx.save_question(approved)
    ctx.emit(QuestionApproved, session.id, question=approved)


def reject_question(ctx: Context, cmd: RejectQuestion) -> None:
    question, session = _moderated(ctx, cmd.question_id, "reject")
    message = clean(cmd.message) if cmd.message else None
    if message and len(message) > MAX_MESSAGE:
        raise InvalidInput(f"The message to the asker is over {MAX_MESSAGE} characters.")
    rejection = Rejection(reason=cmd.reason, by=ctx.actor.person, at=ctx.now, message=message)
    rejected = attrs.evolve(
        question, state=QuestionState.REJECTED, rejection=rejection, pinned=False
    )
    ctx.tx.save_question(rejected)
    ctx.emit(
        QuestionRejected,
        session.id,
        question=rejected,
        reason=cmd.reason,
        message=message,
        asker=question.author.user,
    )


def merge_questions(ctx: Context, cmd: MergeQuestions) -> None:
    if cmd.duplicate_id == cmd.into_id:
        raise InvalidInput("A question cannot be merged into itself.")
    duplicate, session = _moderated(ctx, cmd.duplicate_id, "merge")
    into, into_session = ctx.question(cmd.into_id)
    if into_session.id != session.id:
        raise InvalidInput("Questions can only be merged within one session.")
    rules.ensure_allowed(into, "merge_into")
    merge(ctx, duplicate, into)


def unmerge_question(ctx: Context, cmd: UnmergeQuestion) -> None:
    duplicate, _ = _moderated(ctx, cmd.question_id, "unmerge")
    unmerge(ctx, duplicate)


def pin_question(ctx: Context, cmd: PinQuestion) -> None:
    question, session = _moderated(ctx, cmd.question_id, "pin")
    pinned = attrs.evolve(question, pinned=cmd.pinned)
    ctx.tx.save_question(pinned)
    ctx.emit(QuestionPinned, session.id, question=pinned)


def _tags(raw: frozenset[str]) -> frozenset[str]:
    tags = frozenset(t for t in (clean(tag).casefold().lstrip("#") for tag in raw) if t)
    if len(tags) > MAX_TAGS:
        raise InvalidInput(f"A question takes at most {MAX_TAGS} topics.")
    if too_long := [t for t in tags if len(t) > MAX_TAG]:
        raise InvalidInput(f"Topic {too_long[0]!r} is over {MAX_TAG} characters.")
    return tags


def tag_question(ctx: Context, cmd: TagQuestion) -> None:
    question, session = _moderated(ctx, cmd.question_id, "tag")
    tagged = attrs.evolve(question, tags=_tags(cmd.tags))
    ctx.tx.save_question(tagged)
    ctx.emit(QuestionTagged, session.id, question=tagged)


def restrict_participant(ctx: Context, cmd: RestrictParticipant) -> None:
    session = ctx.session(cmd.session_id)
    ensure_collecting(session)
    ctx.authorize(Action.MODERATE, session)
    if cmd.user.tenant != session.tenant:
        raise InvalidInput("That person is not a member of this workspace.")
    if cmd.user == ctx.actor.user:
        raise InvalidInput("You cannot restrict yourself.")
    if session.roles_of(cmd.user) & {Role.HOST, Role.MODERATOR, Role.GUEST}:
        raise InvalidInput("Hosts, guests and moderators of a session cannot be restricted.")
    reason = clean(cmd.reason) if cmd.reason else None
    ctx.tx.restrict(session.id, cmd.user, cmd.restriction, reason)
    ctx.emit(
        ParticipantRestricted,
        session.id,
        user=cmd.user,
        restriction=cmd.restriction,
        reason=reason,
    )
