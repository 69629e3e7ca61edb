"""The built-in screening plugins, driven through the engine."""

from __future__ import annotations

import pytest
from tests.support import live_session

from qa_core import Engine, Refused, SubmitQuestion
from qa_core.testing import Cast, ManualClock


async def test_rate_limit_refuses_a_burst_and_says_when_to_retry(
    qa_engine: Engine, qa_cast: Cast, qa_clock: ManualClock
) -> None:
    sid = await live_session(qa_engine, qa_cast, rate_limit_count=3, rate_limit_seconds=60)
    spammer = qa_cast.person(13)
    for n in range(3):
        qa_clock.advance(2)
        await qa_engine.execute(
            SubmitQuestion(session_id=sid, text=f"Buy my course number {n}?"), spammer
        )
    with pytest.raises(Refused) as refused:
        await qa_engine.execute(
            SubmitQuestion(session_id=sid, text="Buy my course again?"), spammer
        )
    assert refused.value.reason == "rate_limited" and refused.value.retry_after == 60
    # someone else is not slowed down, and the spammer may ask once the window has passed
    await qa_engine.execute(
        SubmitQuestion(session_id=sid, text="Unrelated question here?"), qa_cast.person(1)
    )
    qa_clock.advance(61)
    await qa_engine.execute(SubmitQuestion(session_id=sid, text="One more, later on?"), spammer)


async def test_slow_mode(qa_engine: Engine, qa_cast: Cast, qa_clock: ManualClock) -> None:
    sid = await live_session(qa_engine, qa_cast, slow_mode_seconds=30)
    asker = qa_cast.person(1)
    await qa_engine.execute(SubmitQuestion(session_id=sid, text="First question of mine?"), asker)
    qa_clock.advance(10)
    with pytest.raises(Refused, match="again in 20 seconds") as refused:
        await qa_engine.execute(
            SubmitQuestion(session_id=sid, text="Second question of mine?"), asker
        )
    assert refused.value.retry_after == pytest.approx(20)
    qa_clock.advance(20)
    await qa_engine.execute(SubmitQuestion(session_id=sid, text="Second question of mine?"), asker)


async def test_hosts_and_moderators_are_not_rate_limited(qa_engine: Engine, qa_cast: Cast) -> None:
    sid = await live_session(qa_engine, qa_cast, rate_limit_count=1, slow_mode_seconds=60)
    for n in range(3):
        await qa_engine.execute(
            SubmitQuestion(session_id=sid, text=f"Seeded question {n}?"), qa_cast.moderator
        )


async def test_invisible_characters_are_stripped_before_the_word_filter(
    qa_engine: Engine, qa_cast: Cast
) -> None:
    sid = await live_session(qa_engine, qa_cast)
    sneaky = "Why are you such an i\u200bd\u2060i\u200do\ufefft? \u202e"
    out = await qa_engine.execute(SubmitQuestion(session_id=sid, text=sneaky), qa_cast.person(1))
    assert out.question is not None
    assert out.question.text == "Why are you such an idiot?"
    assert [f.code for f in out.question.flags] == ["word_filter"]
