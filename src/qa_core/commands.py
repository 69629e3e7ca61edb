"""Commands: what people ask the engine to do. Imperative names, plain data."""

from __future__ import annotations

from datetime import datetime

import attrs

from .models import Person, RejectReason, Restriction, SessionSettings, UserRef


@attrs.frozen(kw_only=True)
class Command:
    # A Slack retry id or a Discord interaction id: a redelivery has exactly one effect.
    idempotency_key: str | None = None


@attrs.frozen(kw_only=True)
class ConfigureTenant(Command):
    """Change a tenant's session defaults and adapter options (None removes an option)."""

    tenant: str
    defaults: SessionSettings | None = None
    options: tuple[tuple[str, str | None], ...] = ()


@attrs.frozen(kw_only=True)
class CreateSession(Command):
    tenant: str
    title: str
    intro: str = ""
    hosts: tuple[Person, ...] = ()  # the creator is always a host
    guests: tuple[Person, ...] = ()
    moderators: tuple[Person, ...] = ()
    scheduled_start: datetime | None = None
    settings: SessionSettings | None = None  # None: the defaults


@attrs.frozen(kw_only=True)
class UpdateSession(Command):
    """Change what a session is about or how it runs; None leaves a field as it is."""

    session_id: int
    title: str | None = None
    intro: str | None = None
    guests: tuple[Person, ...] | None = None
    moderators: tuple[Person, ...] | None = None
    scheduled_start: datetime | None = None
    settings: SessionSettings | None = None


@attrs.frozen(kw_only=True)
class OpenSession(Command):
    session_id: int


@attrs.frozen(kw_only=True)
class PauseSession(Command):
    session_id: int


@attrs.frozen(kw_only=True)
class ResumeSession(Command):
    session_id: int


@attrs.frozen(kw_only=True)
class CloseSession(Command):
    session_id: int


@attrs.frozen(kw_only=True)
class ArchiveSession(Command):
    session_id: int


@attrs.frozen(kw_only=True)
class SubmitQuestion(Command):
    session_id: int
    text: str
    anonymous: bool = False


@attrs.frozen(kw_only=True)
class EditQuestion(Command):
    """The author rewords their question, or a moderator edits it (the original is kept)."""

    question_id: int
    text: str


@attrs.frozen(kw_only=True)
class WithdrawQuestion(Command):
    question_id: int


@attrs.frozen(kw_only=True)
class CastVote(Command):
    """Upvote; ``up=None`` toggles, so a second click takes the vote back."""

    question_id: int
    up: bool | None = None


@attrs.frozen(kw_only=True)
class ApproveQuestion(Command):
    question_id: int


@attrs.frozen(kw_only=True)
class RejectQuestion(Command):
    question_id: int
    reason: RejectReason
    message: str | None = None  # told to the asker


@attrs.frozen(kw_only=True)
class MergeQuestions(Command):
    """Fold ``duplicate_id`` into ``into_id``: votes and askers united, undone by Unmerge."""

    duplicate_id: int
    into_id: int


@attrs.frozen(kw_only=True)
class UnmergeQuestion(Command):
    question_id: int


@attrs.frozen(kw_only=True)
class PinQuestion(Command):
    question_id: int
    pinned: bool = True


@attrs.frozen(kw_only=True)
class TagQuestion(Command):
    question_id: int
    tags: frozenset[str]


@attrs.frozen(kw_only=True)
class RestrictParticipant(Command):
    """Ban or mute someone for one session; ``Restriction.NONE`` lifts it."""

    session_id: int
    user: UserRef
    restriction: Restriction
    reason: str | None = None


@attrs.frozen(kw_only=True)
class NextQuestion(Command):
    """Put the next question to the guest, chosen by the session's strategy."""

    session_id: int


@attrs.frozen(kw_only=True)
class AnswerQuestion(Command):
    question_id: int
    text: str


@attrs.frozen(kw_only=True)
class SkipQuestion(Command):
    question_id: int


@attrs.frozen(kw_only=True)
class DeferQuestion(Command):
    question_id: int
