"""Events: what happened. Past-tense names; the audit log is the stream of these."""

from __future__ import annotations

from datetime import datetime

import attrs

from .models import (
    DuplicateSuggestion,
    Person,
    Question,
    RejectReason,
    Restriction,
    Session,
    SessionState,
    TenantSettings,
    UserRef,
)


@attrs.frozen(kw_only=True)
class Event:
    session_id: int
    actor: Person
    at: datetime


TENANT_WIDE = 0  # the session_id of events about a whole tenant


@attrs.frozen(kw_only=True)
class TenantConfigured(Event):
    tenant: str
    settings: TenantSettings


@attrs.frozen(kw_only=True)
class SessionCreated(Event):
    session: Session


@attrs.frozen(kw_only=True)
class SessionUpdated(Event):
    session: Session


@attrs.frozen(kw_only=True)
class SessionStateChanged(Event):
    before: SessionState
    after: SessionState


@attrs.frozen(kw_only=True)
class QuestionEvent(Event):
    """An event about one question, with the question as it is afterwards."""

    question: Question


@attrs.frozen(kw_only=True)
class QuestionSubmitted(QuestionEvent):
    suggestion: DuplicateSuggestion | None = None


@attrs.frozen(kw_only=True)
class QuestionEdited(QuestionEvent):
    before: str


@attrs.frozen(kw_only=True)
class QuestionWithdrawn(QuestionEvent):
    pass


@attrs.frozen(kw_only=True)
class QuestionApproved(QuestionEvent):
    pass


@attrs.frozen(kw_only=True)
class QuestionRejected(QuestionEvent):
    reason: RejectReason
    message: str | None = None  # for the asker
    asker: UserRef


@attrs.frozen(kw_only=True)
class QuestionsMerged(QuestionEvent):
    """``question`` is the surviving one; ``duplicate`` was folded into it."""

    duplicate: Question


@attrs.frozen(kw_only=True)
class QuestionUnmerged(QuestionEvent):
    """``question`` is restored; ``former_target`` is what it had been merged into."""

    former_target: Question


@attrs.frozen(kw_only=True)
class QuestionPinned(QuestionEvent):
    pass


@attrs.frozen(kw_only=True)
class QuestionTagged(QuestionEvent):
    pass


@attrs.frozen(kw_only=True)
class QuestionSelected(QuestionEvent):
    strategy: str


@attrs.frozen(kw_only=True)
class QuestionAnswered(QuestionEvent):
    notify: tuple[UserRef, ...]  # the asker and everyone whose duplicate was merged in


@attrs.frozen(kw_only=True)
class QuestionSkipped(QuestionEvent):
    pass


@attrs.frozen(kw_only=True)
class QuestionDeferred(QuestionEvent):
    pass


@attrs.frozen(kw_only=True)
class VoteCast(Event):
    question_id: int  # the question counted (a vote on a duplicate counts for its target)
    number: int  # its number in the session, for people reading the audit log
    voter: UserRef
    votes: int


@attrs.frozen(kw_only=True)
class VoteRetracted(Event):
    question_id: int
    number: int
    voter: UserRef
    votes: int


@attrs.frozen(kw_only=True)
class ParticipantRestricted(Event):
    user: UserRef
    restriction: Restriction
    reason: str | None = None
