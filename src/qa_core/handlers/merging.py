"""Folding duplicates together and taking them apart again, without losing a vote.

Votes stay on the question they were cast on. A duplicate's ``merged_into`` is always the
surviving question (so a vote finds its count in one step), and ``merged_under`` is what it
was merged into directly, so merges of merged questions unwind exactly.
"""

from __future__ import annotations

import attrs

from ..context import Context
from ..events import QuestionsMerged, QuestionUnmerged
from ..models import Question, QuestionState


def merge(ctx: Context, duplicate: Question, into: Question) -> None:
    for child in ctx.tx.duplicates_of(duplicate.id):
        ctx.tx.save_question(attrs.evolve(child, merged_into=into.id))
    merged = attrs.evolve(
        duplicate,
        state=QuestionState.MERGED,
        merged_into=into.id,
        merged_under=into.id,
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


def _descendants(group: list[Question], root: int) -> list[Question]:
    """Everything merged, directly or through others, under ``root``."""
    children: dict[int | None, list[Question]] = {}
    for question in group:
        children.setdefault(question.merged_under, []).append(question)
    found, frontier = [], [root]
    while frontier:
        below = children.get(frontier.pop(), [])
        found += below
        frontier += [q.id for q in below]
    return found


def unmerge(ctx: Context, duplicate: Question) -> None:
    assert duplicate.merged_into is not None
    target = ctx.tx.question(duplicate.merged_into)
    assert target is not None, "a merge target is never deleted"
    restored = attrs.evolve(
        duplicate,
        state=duplicate.state_before_merge or QuestionState.APPROVED,
        merged_into=None,
        merged_under=None,
        state_before_merge=None,
    )
    ctx.tx.save_question(restored)
    # What had been merged under it comes back with it.
    for below in _descendants(ctx.tx.duplicates_of(target.id), duplicate.id):
        ctx.tx.save_question(attrs.evolve(below, merged_into=duplicate.id))
    restored = attrs.evolve(restored, votes=ctx.tx.recount(restored.id))
    target = attrs.evolve(target, votes=ctx.tx.recount(target.id))
    ctx.emit(QuestionUnmerged, restored.session_id, question=restored, former_target=target)


def restore_duplicates(ctx: Context, question: Question) -> None:
    """Unmerge what was merged directly into ``question`` (it is leaving the queue);
    each takes its own duplicates along."""
    for child in ctx.tx.duplicates_of(question.id):
        if child.merged_under == question.id:
            unmerge(ctx, ctx.tx.question(child.id) or child)
