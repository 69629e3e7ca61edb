"""The built-in selection strategies. Pure: same Selection in, same order out.

Every strategy puts pinned questions first and deferred ones last; within those bands each
orders in its own way, and ties break on a hash of (seed, id) so runs are reproducible.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime

from .models import Question, QuestionState, UserRef
from .selection import Selection
from .text import terms

SortKey = Callable[[Question], tuple[float, ...]]


def tiebreak(seed: int, question: Question) -> int:
    digest = hashlib.blake2b(f"{seed}:{question.id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def bands(candidates: Sequence[Question]) -> list[list[Question]]:
    """Pinned, then the ordinary queue, then deferred."""
    pinned = [q for q in candidates if q.pinned]
    deferred = [q for q in candidates if not q.pinned and q.state is QuestionState.DEFERRED]
    ordinary = [q for q in candidates if not q.pinned and q.state is not QuestionState.DEFERRED]
    return [pinned, ordinary, deferred]


def _by_key(key: Callable[[Selection], SortKey]) -> Callable[[Selection], list[Question]]:
    def strategy(selection: Selection) -> list[Question]:
        sort_key = key(selection)
        ordered: list[Question] = []
        for band in bands(selection.candidates):
            ordered += sorted(band, key=lambda q: (*sort_key(q), tiebreak(selection.seed, q)))
        return ordered[: selection.count]

    return strategy


def _timestamp(when: datetime) -> float:
    return when.timestamp()


top_votes = _by_key(lambda s: lambda q: (-q.votes, _timestamp(q.created_at)))
newest = _by_key(lambda s: lambda q: (-_timestamp(q.created_at),))


def hot_score(question: Question, now: datetime, gravity: float = 1.5) -> float:
    """Votes decayed by age, as news aggregators rank: fresh questions get a chance."""
    age_hours = max((now - question.created_at).total_seconds(), 0.0) / 3600
    return float((question.votes + 1) / (age_hours + 2) ** gravity)


hot = _by_key(lambda s: lambda q: (-hot_score(q, s.now),))


# -- representative --------------------------------------------------------------------------

RELEVANCE_WEIGHT = 0.5  # λ of maximal marginal relevance: votes vs. novelty
HISTORY_WINDOW = 50  # how many past questions count for novelty


TAG_WEIGHT = 0.25  # a shared moderator tag counts, but less than shared content words

Topic = tuple[frozenset[str], frozenset[str]]  # (content words, tags)


def _topic(question: Question) -> Topic:
    return terms(question.text), question.tags


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the smaller set found in the other: a rewording scores near 1."""
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def topic_overlap(a: Topic, b: Topic) -> float:
    """0..1: how much two questions are about the same thing."""
    words, tags = _overlap(a[0], b[0]), _overlap(a[1], b[1])
    return max(words, (1 - TAG_WEIGHT) * words + TAG_WEIGHT * tags)


def representative(selection: Selection) -> list[Question]:
    """A cross-section: distinct topics (MMR over content words and tags) and distinct askers.

    No asker gets a second question before every asker in the pool has had a first.
    """
    served = Counter(q.author.user for q in selection.history)
    seen = [_topic(q) for q in selection.history[-HISTORY_WINDOW:]]
    picked: list[Question] = []
    for band in bands(selection.candidates):
        picked += _mmr(band, served, seen, selection, selection.count - len(picked))
        if len(picked) >= selection.count:
            break
    return picked


def _mmr(
    pool: list[Question],
    served: Counter[UserRef],
    seen: list[Topic],
    selection: Selection,
    count: int,
) -> list[Question]:
    topics = {q.id: _topic(q) for q in pool}
    top = max((q.votes for q in pool), default=0)
    # Log-scaled, so a pile of votes on one topic cannot drown out every other topic.
    relevance = {q.id: math.log1p(q.votes) / math.log1p(top) if top else 0.0 for q in pool}
    remaining = list(pool)
    picked: list[Question] = []
    while remaining and len(picked) < count:
        fewest = min(served[q.author.user] for q in remaining)
        eligible = [q for q in remaining if served[q.author.user] == fewest]

        def score(q: Question) -> tuple[float, int]:
            overlap = max((topic_overlap(topics[q.id], s) for s in seen), default=0.0)
            mmr = RELEVANCE_WEIGHT * relevance[q.id] - (1 - RELEVANCE_WEIGHT) * overlap
            return (-mmr, tiebreak(selection.seed, q))

        best = min(eligible, key=score)
        picked.append(best)
        remaining.remove(best)
        served[best.author.user] += 1
        seen.append(topics[best.id])
    return picked


BUILTIN_STRATEGIES = {
    "top": top_votes,
    "newest": newest,
    "hot": hot,
    "representative": representative,
}
