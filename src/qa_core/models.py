"""Platform-neutral data: people, sessions, questions. Frozen values, no I/O."""

from __future__ import annotations

import enum
from datetime import datetime

import attrs


class Role(enum.Enum):
    """What a person may do in a session; adapters map platform roles onto these."""

    HOST = "host"
    MODERATOR = "moderator"
    GUEST = "guest"
    PARTICIPANT = "participant"


class SessionState(enum.Enum):
    SCHEDULED = "scheduled"
    LIVE = "live"
    PAUSED = "paused"
    CLOSED = "closed"
    ARCHIVED = "archived"


class QuestionState(enum.Enum):
    PENDING = "pending"  # waiting for a moderator
    APPROVED = "approved"  # public, in the queue
    SELECTED = "selected"  # put to the guest, waiting for the answer
    ANSWERED = "answered"
    DEFERRED = "deferred"  # back in the queue, behind everything approved
    SKIPPED = "skipped"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    MERGED = "merged"  # a duplicate, folded into another question


class ModerationMode(enum.Enum):
    PRE = "pre"  # nothing is public until approved
    POST = "post"  # public at once, removable


class RejectReason(enum.Enum):
    SPAM = "spam"
    ABUSE = "abuse"
    OFF_TOPIC = "off_topic"
    DUPLICATE = "duplicate"
    UNCLEAR = "unclear"
    OTHER = "other"


class Restriction(enum.Enum):
    NONE = "none"
    MUTED = "muted"  # may vote, may not ask
    BANNED = "banned"  # may do nothing


@attrs.frozen(order=True)
class UserRef:
    """A person on one platform, in one tenant: a Discord server, a Slack workspace..."""

    tenant: str  # "<platform>:<id>", e.g. "discord:81384788765712384"
    id: str

    @property
    def key(self) -> str:
        return f"{self.tenant}/{self.id}"

    @classmethod
    def from_key(cls, key: str) -> UserRef:
        tenant, _, user_id = key.rpartition("/")
        return cls(tenant=tenant, id=user_id)


@attrs.frozen
class Person:
    """A user with the display name they had when they acted."""

    user: UserRef
    name: str


@attrs.frozen
class Actor:
    """Whoever issues a command, with the tenant-wide roles the adapter resolved."""

    user: UserRef
    name: str
    roles: frozenset[Role] = frozenset({Role.PARTICIPANT})

    @property
    def person(self) -> Person:
        return Person(user=self.user, name=self.name)


@attrs.frozen
class SessionSettings:
    """Per-session knobs, changed by hosts and moderators while the session runs."""

    moderation: ModerationMode = ModerationMode.PRE
    strategy: str = "representative"
    allow_self_votes: bool = False
    allow_anonymous: bool = True
    min_length: int = attrs.field(default=10, validator=attrs.validators.ge(1))
    max_length: int = attrs.field(default=500, validator=attrs.validators.ge(1))
    rate_limit_count: int = attrs.field(default=3, validator=attrs.validators.ge(1))
    rate_limit_seconds: int = attrs.field(default=60, validator=attrs.validators.ge(0))
    slow_mode_seconds: int = attrs.field(default=0, validator=attrs.validators.ge(0))
    seed: int = 0  # tie-break seed for the selection strategies

    @max_length.validator
    def _max_above_min(self, _attribute: attrs.Attribute[int], value: int) -> None:
        if value < self.min_length:
            raise ValueError(f"max_length ({value}) is below min_length ({self.min_length})")


@attrs.frozen
class TenantSettings:
    """A server's or workspace's own settings: defaults for its sessions, adapter options.

    ``options`` are the adapter's (e.g. ``moderator_roles``, ``ama_channel``): strings the
    core stores and never interprets.
    """

    defaults: SessionSettings = SessionSettings()
    options: tuple[tuple[str, str], ...] = ()

    def option(self, name: str, default: str | None = None) -> str | None:
        return dict(self.options).get(name, default)

    def with_options(self, changes: dict[str, str | None]) -> TenantSettings:
        merged = dict(self.options)
        for name, value in changes.items():
            if value is None:
                merged.pop(name, None)
            else:
                merged[name] = value
        return attrs.evolve(self, options=tuple(sorted(merged.items())))


@attrs.frozen
class Session:
    id: int
    tenant: str
    title: str
    intro: str
    state: SessionState
    created_by: Person
    created_at: datetime
    scheduled_start: datetime | None = None
    hosts: tuple[Person, ...] = ()
    guests: tuple[Person, ...] = ()
    moderators: tuple[Person, ...] = ()
    settings: SessionSettings = SessionSettings()
    on_stage: int | None = None  # the question put to the guest and not yet answered

    def roles_of(self, user: UserRef) -> frozenset[Role]:
        """The roles this session gives ``user`` (on top of their tenant-wide roles)."""
        roles = {Role.PARTICIPANT}
        for role, people in (
            (Role.HOST, self.hosts),
            (Role.GUEST, self.guests),
            (Role.MODERATOR, self.moderators),
        ):
            if any(p.user == user for p in people):
                roles.add(role)
        return frozenset(roles)


@attrs.frozen
class Flag:
    """Something a screening plugin wants a moderator to look at."""

    code: str  # "word_filter", "not_a_question", ...
    detail: str = ""


@attrs.frozen
class Answer:
    text: str
    by: Person
    at: datetime


@attrs.frozen
class Rejection:
    reason: RejectReason
    by: Person
    at: datetime
    message: str | None = None  # told to the asker


@attrs.frozen
class Question:
    id: int
    session_id: int
    number: int  # "#12" in this session; ids are global and unfriendly
    author: Person
    text: str
    state: QuestionState
    created_at: datetime
    original_text: str = ""
    anonymous: bool = False
    votes: int = 0  # kept by the store: distinct voters over this question and its duplicates
    pinned: bool = False
    tags: frozenset[str] = frozenset()
    flags: tuple[Flag, ...] = ()  # raised by screening plugins, for moderators
    merged_into: int | None = None  # the surviving question its votes count for
    merged_under: int | None = None  # what it was merged into directly (that one may be merged)
    state_before_merge: QuestionState | None = None
    answer: Answer | None = None
    rejection: Rejection | None = None
    selected_at: datetime | None = None

    @property
    def edited(self) -> bool:
        return self.text != self.original_text

    def public_author(self) -> str:
        """The asker's name as the audience sees it."""
        return "Anonymous" if self.anonymous else self.author.name


@attrs.frozen
class DuplicateSuggestion:
    """'This looks like #12; vote for it instead?'"""

    question_id: int
    number: int
    text: str
    score: float
