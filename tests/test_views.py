"""What each view shows to whom: nothing leaks to people who should not see it."""

from __future__ import annotations

from tests.support import ask, live_session

from qa_core import (
    CastVote,
    EditQuestion,
    Engine,
    MergeQuestions,
    QuestionState,
    RejectQuestion,
    RejectReason,
)
from qa_core.testing import Cast


async def test_the_guest_does_not_see_anonymous_askers(qa_engine: Engine, qa_cast: Cast) -> None:
    sid = await live_session(qa_engine, qa_cast)
    await ask(qa_engine, qa_cast, sid, 1, "Were you ever afraid for your life?", anonymous=True)
    [seen_by_guest] = await qa_engine.views.next_up(sid, qa_cast.guest)
    assert seen_by_guest.author.name == "Anonymous" and seen_by_guest.author.user.id == ""
    [seen_by_mod] = await qa_engine.views.next_up(sid, qa_cast.moderator)
    assert seen_by_mod.author.user == qa_cast.person(1).user


async def test_words_a_moderator_edited_out_stay_hidden(qa_engine: Engine, qa_cast: Cast) -> None:
    sid = await live_session(qa_engine, qa_cast)
    q = await ask(qa_engine, qa_cast, sid, 1, "Call me on 555-0100: what is the hardest part?")
    await qa_engine.execute(
        EditQuestion(question_id=q.id, text="What is the hardest part?"), qa_cast.moderator
    )
    for seen in (
        (await qa_engine.views.public_queue(sid, qa_cast.person(2)))[0],
        await qa_engine.views.question(q.id, qa_cast.person(2)),
    ):
        assert "555" not in seen.original_text and seen.edited
        assert seen.flags == () and seen.rejection is None
    assert "555" in (await qa_engine.views.question(q.id, qa_cast.moderator)).original_text


async def test_the_public_transcript_credits_duplicates_without_their_words(
    qa_engine: Engine, qa_cast: Cast
) -> None:
    sid = await live_session(qa_engine, qa_cast)
    main = await ask(qa_engine, qa_cast, sid, 1, "What is the hardest part of diplomacy?")
    pending = await ask(qa_engine, qa_cast, sid, 2, "SECRET unapproved words here?", approve=False)
    rude = await ask(
        qa_engine, qa_cast, sid, 3, "Why is diplomacy so stupid, you idiot?", approve=False
    )
    await qa_engine.execute(
        RejectQuestion(question_id=rude.id, reason=RejectReason.ABUSE), qa_cast.moderator
    )
    for duplicate in (pending, rude):
        await qa_engine.execute(
            MergeQuestions(duplicate_id=duplicate.id, into_id=main.id), qa_cast.moderator
        )
    transcript = await qa_engine.views.transcript(sid, qa_cast.person(9), full=False)
    assert [q.number for q in transcript.questions] == [main.number, pending.number]
    assert (
        transcript.questions[1].text == "" and transcript.questions[1].state is QuestionState.MERGED
    )
    markdown = qa_engine.hooks.exporters["md"].render(transcript)
    assert "SECRET" not in markdown and "idiot" not in markdown and "Person 3" not in markdown


async def test_my_votes_follow_the_merge_group(qa_engine: Engine, qa_cast: Cast) -> None:
    sid = await live_session(qa_engine, qa_cast)
    a = await ask(qa_engine, qa_cast, sid, 1, "How do embassies choose staff?")
    b = await ask(qa_engine, qa_cast, sid, 2, "How are embassy staff chosen?")
    voter = qa_cast.person(10)
    await qa_engine.execute(CastVote(question_id=b.id), voter)
    await qa_engine.execute(MergeQuestions(duplicate_id=b.id, into_id=a.id), qa_cast.moderator)
    assert await qa_engine.views.my_votes([a.id], voter) == {a.id}


async def test_questions_are_found_by_their_number(qa_engine: Engine, qa_cast: Cast) -> None:
    import pytest

    from qa_core import NotFound

    sid = await live_session(qa_engine, qa_cast)
    await ask(qa_engine, qa_cast, sid, 1, "The first question here?")
    second = await ask(qa_engine, qa_cast, sid, 2, "The second one, pending?", approve=False)
    assert (await qa_engine.views.question_by_number(sid, 2, qa_cast.moderator)).id == second.id
    with pytest.raises(NotFound, match="no question #2"):  # pending: not the audience's to see
        await qa_engine.views.question_by_number(sid, 2, qa_cast.person(5))
    with pytest.raises(NotFound, match="no question #9 in session"):
        await qa_engine.views.question_by_number(sid, 9, qa_cast.moderator)


async def test_allowed_says_which_controls_to_show(qa_engine: Engine, qa_cast: Cast) -> None:
    from qa_core import Action

    sid = await live_session(qa_engine, qa_cast)
    assert await qa_engine.views.allowed(Action.MODERATE, sid, qa_cast.moderator)
    assert not await qa_engine.views.allowed(Action.MODERATE, sid, qa_cast.person(1))
    assert await qa_engine.views.allowed(Action.ANSWER, sid, qa_cast.guest)
    assert await qa_engine.views.allowed(Action.CREATE_SESSION, None, qa_cast.host)
