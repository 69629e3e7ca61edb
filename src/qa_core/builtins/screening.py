"""Automatic screening that runs before a moderator sees a question."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import timedelta

from ..hookspecs import hookimpl
from ..models import DuplicateSuggestion, Flag, ModerationMode, Question, QuestionState, Role
from ..rules.permissions import effective_roles
from ..screening import Refusal, Submission
from ..text import clean, contains_any, looks_like_question, similarity

STAFF = frozenset({Role.HOST, Role.MODERATOR})


def _is_staff(submission: Submission) -> bool:
    return bool(effective_roles(submission.actor, submission.session) & STAFF)


class CleanText:
    """Invisible and control characters out (they defeat word filters), whitespace tidied."""

    @hookimpl(trylast=True)
    def qa_clean_text(self, text: str) -> str:
        return clean(text)


class LengthLimit:
    @hookimpl(trylast=True)
    def qa_validate_question(self, submission: Submission) -> Refusal | None:
        settings, length = submission.session.settings, len(submission.text)
        if length == 0:
            return Refusal("empty", "Your question is empty.")
        if length < settings.min_length:
            return Refusal(
                "too_short",
                f"Your question is {length} characters; please write at least "
                f"{settings.min_length}.",
            )
        if length > settings.max_length:
            return Refusal(
                "too_long",
                f"Your question is {length} characters; the limit is {settings.max_length}. "
                "Please shorten it.",
            )
        return None


class RateLimit:
    """At most N questions per window per person; hosts and moderators are exempt."""

    @hookimpl(trylast=True)
    def qa_validate_question(self, submission: Submission) -> Refusal | None:
        settings = submission.session.settings
        if (
            submission.editing is not None
            or _is_staff(submission)
            or not settings.rate_limit_seconds
        ):
            return None
        window = timedelta(seconds=settings.rate_limit_seconds)
        if submission.history.count_since(submission.now - window) < settings.rate_limit_count:
            return None
        return Refusal(
            "rate_limited",
            f"You can ask {settings.rate_limit_count} questions every "
            f"{settings.rate_limit_seconds} seconds; please wait before asking again.",
            retry_after=float(settings.rate_limit_seconds),
        )


class SlowMode:
    """A moderator's brake for busy moments: one question per person per interval."""

    @hookimpl(trylast=True)
    def qa_validate_question(self, submission: Submission) -> Refusal | None:
        interval = submission.session.settings.slow_mode_seconds
        if not interval or submission.editing is not None or _is_staff(submission):
            return None
        last = submission.history.last_at()
        if last is None:
            return None
        wait = interval - (submission.now - last).total_seconds()
        if wait <= 0:
            return None
        return Refusal(
            "slow_mode",
            f"Slow mode is on: one question every {interval} seconds. "
            f"You can ask again in {math.ceil(wait)} seconds.",
            retry_after=wait,
        )


class WordFilter:
    """Flags (never silently drops) questions containing blocked words, for a moderator."""

    def __init__(self, blocked: Iterable[str]) -> None:
        self.blocked = tuple(blocked)

    @hookimpl(trylast=True)
    def qa_flag_question(self, submission: Submission) -> Flag | None:
        found = contains_any(submission.text, self.blocked)
        return Flag("word_filter", ", ".join(found)) if found else None


class NotAQuestion:
    @hookimpl(trylast=True)
    def qa_flag_question(self, submission: Submission) -> Flag | None:
        if looks_like_question(submission.text):
            return None
        return Flag("not_a_question", "reads like a comment, not a question")


class DuplicateFinder:
    def __init__(self, threshold: float) -> None:
        self.threshold = threshold

    @hookimpl(trylast=True)
    def qa_suggest_duplicate(
        self, submission: Submission, candidates: Sequence[Question]
    ) -> DuplicateSuggestion | None:
        scored = [
            (similarity(submission.text, q.text), q)
            for q in candidates
            if q.author.user != submission.actor.user
        ]
        if not scored:
            return None
        score, best = max(scored, key=lambda pair: (pair[0], -pair[1].id))
        if score < self.threshold:
            return None
        return DuplicateSuggestion(
            question_id=best.id, number=best.number, text=best.text, score=round(score, 3)
        )


class DefaultModeration:
    """Pre-moderation holds everything; post-moderation holds only what was flagged."""

    @hookimpl(trylast=True)
    def qa_moderate_question(self, submission: Submission, flags: Sequence[Flag]) -> QuestionState:
        mode = submission.session.settings.moderation
        if mode is ModerationMode.PRE or flags:
            return QuestionState.PENDING
        return QuestionState.APPROVED
