"""Folding duplicates together and taking them apart again, without losing a vote."""

from __future__ import annotations

import attrs

from ..context import Context
from ..events import QuestionsMerged, QuestionUnmerged
from ..models import Question, QuestionState


def merge(ctx: Context, duplicate: Question, into: Question) -> None:
    # Votes stay on the question they were cast on; the count of the surviving question is
    # the distinct voters of the whole group, so unmerging restores both counts exactly.
    for child in ctx.tx.duplicates_of(duplicate.id):
        ctx.tx.save_question(attrs.evolve(child, merged_into=into.id))
    merged = attrs.evolve(
        duplicate,
        state=QuestionState.MERGED,
        merged_into=into.id,
        state_before_merge=duplicate.state,
        pinned=False,
    )
    ctx.tx.save_question(merged)
    votes = ctx.tx.recount(into.id)
    ctx.emit(
        QuestionsMerged,
        into.session_id,
        question=attrs.evolve(into, votes=votes),
        duplicate=merged,
    )


def unmerge(ctx: Context, duplicate: Question) -> None:
    assert duplicate.merged_into is not None
    target = ctx.tx.question(duplicate.merged_into)
    assert target is not None, "a merge target is never deleted"
    restored = attrs.evolve(
        duplicate,
        state=duplicate.state_before_merge or QuestionState.APPROVED,
        merged_into=None,
        state_before_merge=None,
    )
    ctx.tx.save_question(restored)
    restored = attrs.evolve(restored, votes=ctx.tx.recount(restored.id))
    target = attrs.evolve(target, votes=ctx.tx.recount(target.id))
    ctx.emit(QuestionUnmerged, restored.session_id, question=restored, former_target=target)


def restore_duplicates(ctx: Context, question: Question) -> None:
    """Unmerge everything merged into ``question`` (it is leaving the queue)."""
    for child in ctx.tx.duplicates_of(question.id):
        unmerge(ctx, child)
