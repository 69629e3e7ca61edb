"""What the screening hooks see and answer: a submission, a refusal."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import attrs

from .models import Actor, Question, Session


class AuthorHistory(Protocol):
    """The author's recent questions in this session, read from the store on demand."""

    def count_since(self, since: datetime) -> int: ...

    def last_at(self) -> datetime | None: ...


@attrs.frozen
class Submission:
    """A question being asked (``editing`` is None) or reworded (``editing`` is the question)."""

    session: Session
    actor: Actor
    text: str  # already cleaned by qa_clean_text
    anonymous: bool
    now: datetime
    history: AuthorHistory
    editing: Question | None = None


@attrs.frozen
class Refusal:
    """A screening plugin's 'no', shown to the asker as ``message``."""

    reason: str  # machine-readable: "too_long", "rate_limited", "slow_mode", ...
    message: str
    retry_after: float | None = None  # seconds, when waiting would help
