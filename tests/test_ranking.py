"""The built-in selection strategies, as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs

from qa_core import Person, Question, QuestionState, Session, SessionSettings, SessionState, UserRef
from qa_core.ranking import hot, newest, representative, top_votes
from qa_core.selection import Selection

T0 = datetime(2026, 1, 1, 18, tzinfo=UTC)
HOST = Person(UserRef("t:1", "host"), "Host")


def q(
    n: int, text: str, votes: int = 0, author: str | None = None, minutes: int = 0, **kw: object
) -> Question:
    return Question(
        id=n,
        session_id=1,
        number=n,
        author=Person(UserRef("t:1", author or f"a{n}"), "x"),
        text=text,
        state=kw.pop("state", QuestionState.APPROVED),  # type: ignore[arg-type]
        created_at=T0 + timedelta(minutes=minutes),
        votes=votes,
        **kw,  # type: ignore[arg-type]
    )


def select(
    candidates: list[Question],
    count: int = 10,
    history: tuple[Question, ...] = (),
    seed: int = 0,
    now: datetime = T0 + timedelta(hours=1),
) -> list[int]:
    session = Session(
        id=1,
        tenant="t:1",
        title="t",
        intro="",
        state=SessionState.LIVE,
        created_by=HOST,
        created_at=T0,
        settings=SessionSettings(seed=seed),
    )
    selection = Selection(session, "x", tuple(candidates), history, count, now)
    return [c.number for c in STRATEGY(selection)]


STRATEGY = top_votes


def run(strategy: object, *args: object, **kw: object) -> list[int]:
    global STRATEGY
    STRATEGY = strategy  # type: ignore[assignment]
    return select(*args, **kw)  # type: ignore[arg-type]


def test_top_votes_with_pins_first_and_deferred_last() -> None:
    pool = [
        q(1, "a", 5),
        q(2, "b", 9),
        q(3, "c", 1, pinned=True),
        q(4, "d", 50, state=QuestionState.DEFERRED),
    ]
    assert run(top_votes, pool) == [3, 2, 1, 4]


def test_newest() -> None:
    assert run(newest, [q(1, "a", minutes=1), q(2, "b", minutes=9), q(3, "c", minutes=5)]) == [
        2,
        3,
        1,
    ]


def test_hot_lets_a_fresh_question_beat_an_old_favourite() -> None:
    old = q(1, "old", votes=10, minutes=0)
    fresh = q(2, "fresh", votes=4, minutes=350)  # ten minutes old
    now = T0 + timedelta(hours=6)
    assert run(hot, [old, fresh], now=now) == [2, 1]
    assert run(top_votes, [old, fresh], now=now) == [1, 2]


def test_representative_covers_topics_before_repeating_one() -> None:
    pool = [
        q(1, "How long does a visa appeal take?", 40),
        q(2, "Can a visa appeal be expedited?", 38),
        q(3, "Why does a visa appeal take so long?", 35),
        q(4, "What book changed how you negotiate?", 10),
        q(5, "Which languages should a young diplomat learn?", 8),
    ]
    order = run(representative, pool, count=5)
    assert order[0] == 1
    assert set(order[1:3]) == {4, 5}  # the other topics come before more visa questions


def test_representative_serves_every_asker_before_anyone_twice() -> None:
    pool = [
        q(1, "Question about trade deals?", 90, author="ann"),
        q(2, "Question about climate talks?", 80, author="ann"),
        q(3, "Question about embassy food?", 1, author="bob"),
    ]
    assert run(representative, pool, count=3) == [1, 3, 2]
    served = (
        q(9, "earlier answered one about peace?", author="bob", state=QuestionState.ANSWERED),
    )
    assert run(representative, pool, count=1, history=served) == [1]
    served = (
        q(9, "earlier answered one about peace?", author="ann", state=QuestionState.ANSWERED),
    )
    assert run(representative, pool, count=1, history=served) == [3]


def test_representative_avoids_topics_the_guest_already_took() -> None:
    pool = [q(1, "More on visa appeals please?", 20), q(2, "Favourite embassy posting?", 15)]
    history = (q(9, "How do visa appeals work?", author="zed", state=QuestionState.ANSWERED),)
    assert run(representative, pool, count=1, history=history) == [2]
    assert run(representative, pool, count=1) == [1]


def test_ties_break_by_seed_reproducibly() -> None:
    pool = [
        q(n, f"Distinct topic number {word}?", 3)
        for n, word in enumerate(["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"], start=1)
    ]
    for strategy in (top_votes, representative):
        first = run(strategy, pool, seed=1)
        assert run(strategy, pool, seed=1) == first
        assert run(strategy, list(reversed(pool)), seed=1) == first
        assert any(run(strategy, pool, seed=s) != first for s in range(2, 12))


def test_strategies_are_pure() -> None:
    pool = [q(1, "a question?", 2), q(2, "another question?", 2)]
    frozen = [attrs.evolve(x) for x in pool]
    for strategy in (top_votes, newest, hot, representative):
        run(strategy, pool)
    assert pool == frozen
