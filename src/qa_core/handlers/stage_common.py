"""The stage as other handlers touch it."""

from __future__ import annotations

import attrs

from ..context import Context
from ..models import Question, Session


def take_off_stage(ctx: Context, session: Session, question: Question) -> None:
    """The guest no longer has ``question`` in front of them."""
    if session.on_stage == question.id:
        ctx.tx.save_session(attrs.evolve(session, on_stage=None))
