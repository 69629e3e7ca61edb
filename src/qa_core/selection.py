"""What selection strategies see: the candidates, what the guest already took, a seed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import attrs

from .models import Question, Session

# Orders candidates for the guest, best first. Pure: the same Selection, the same answer.
Strategy = Callable[["Selection"], Sequence[Question]]


@attrs.frozen
class Selection:
    """A request for the next ``count`` questions to put to the guest, best first."""

    session: Session
    strategy: str
    candidates: tuple[Question, ...]  # approved and deferred, a bounded pool
    history: tuple[Question, ...]  # already put to the guest, oldest first
    count: int
    now: datetime
    registered: Strategy | None = None  # what is registered under ``strategy``, if anything

    @property
    def seed(self) -> int:
        return self.session.settings.seed
