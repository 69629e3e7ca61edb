"""What may happen to a question in each state."""

from __future__ import annotations

from ..errors import InvalidState
from ..models import Question, QuestionState

_Q = QuestionState

# States where a question is still in play: its author may edit it.
OPEN = frozenset({_Q.PENDING, _Q.APPROVED, _Q.DEFERRED, _Q.SELECTED})
# Pending questions are not public yet: a forged button must not vote on them.
VOTABLE = frozenset({_Q.APPROVED, _Q.DEFERRED, _Q.SELECTED})
PUBLIC = frozenset({_Q.APPROVED, _Q.DEFERRED, _Q.SELECTED, _Q.ANSWERED})
SELECTABLE = frozenset({_Q.APPROVED, _Q.DEFERRED})

ALLOWED: dict[str, frozenset[QuestionState]] = {
    "edit": OPEN,
    "withdraw": frozenset({_Q.PENDING, _Q.APPROVED, _Q.DEFERRED}),
    "vote": VOTABLE,
    "approve": frozenset({_Q.PENDING, _Q.REJECTED, _Q.SKIPPED}),
    "reject": frozenset({_Q.PENDING, _Q.APPROVED, _Q.DEFERRED}),
    "merge": frozenset({_Q.PENDING, _Q.APPROVED, _Q.DEFERRED, _Q.REJECTED}),
    "merge_into": frozenset({_Q.PENDING, _Q.APPROVED, _Q.DEFERRED, _Q.SELECTED, _Q.ANSWERED}),
    "unmerge": frozenset({_Q.MERGED}),
    "pin": frozenset({_Q.PENDING, _Q.APPROVED, _Q.DEFERRED, _Q.SELECTED}),
    "tag": frozenset(set(_Q) - {_Q.MERGED, _Q.WITHDRAWN}),
    "answer": frozenset({_Q.APPROVED, _Q.DEFERRED, _Q.SELECTED, _Q.ANSWERED}),
    "skip": frozenset({_Q.APPROVED, _Q.DEFERRED, _Q.SELECTED}),
    "defer": frozenset({_Q.APPROVED, _Q.SELECTED}),
}

_WHY = {
    _Q.WITHDRAWN: "was withdrawn by its author",
    _Q.MERGED: "was merged into another question",
    _Q.ANSWERED: "has already been answered",
    _Q.REJECTED: "was rejected",
    _Q.SKIPPED: "was skipped",
    _Q.PENDING: "is waiting for a moderator",
    _Q.SELECTED: "is with the guest now",
}


def ensure_allowed(question: Question, action: str) -> None:
    """Raise InvalidState, in words, when ``action`` is not allowed in the question's state."""
    if question.state not in ALLOWED[action]:
        why = _WHY.get(question.state, f"is {question.state.value}")
        raise InvalidState(f"Question #{question.number} {why}; it cannot be {_PAST[action]}.")


_PAST = {
    "edit": "edited",
    "withdraw": "withdrawn",
    "vote": "voted on",
    "approve": "approved",
    "reject": "rejected",
    "merge": "merged",
    "merge_into": "merged into",
    "unmerge": "unmerged",
    "pin": "pinned",
    "tag": "tagged",
    "answer": "answered",
    "skip": "skipped",
    "defer": "deferred",
}


def state_after_approval_edit(question: Question, premoderated: bool) -> QuestionState:
    """An author's edit of a public question goes back to moderators under pre-moderation."""
    if premoderated and question.state in (_Q.APPROVED, _Q.DEFERRED):
        return _Q.PENDING
    return question.state
