"""The AMA flow through the public API, on every store."""

from __future__ import annotations

import pytest
from tests.support import ask, live_session

from qa_core import (
    AnswerQuestion,
    CastVote,
    CloseSession,
    DeferQuestion,
    EditQuestion,
    Engine,
    MergeQuestions,
    ModerationMode,
    NextQuestion,
    PauseSession,
    PinQuestion,
    QuestionAnswered,
    QuestionRejected,
    QuestionState,
    RejectQuestion,
    RejectReason,
    ResumeSession,
    SessionState,
    SkipQuestion,
    SubmitQuestion,
    TagQuestion,
    UnmergeQuestion,
    WithdrawQuestion,
)
from qa_core.testing import Cast, ManualClock


async def test_the_whole_flow(qa_engine: Engine, qa_cast: Cast, qa_clock: ManualClock) -> None:
    engine, cast = qa_engine, qa_cast
    sid = await live_session(engine, cast)
    visa = await ask(engine, cast, sid, 1, "How long does a visa appeal take?")
    book = await ask(engine, cast, sid, 2, "What made you write your book?", anonymous=True)
    for voter in range(10, 15):
        await engine.execute(CastVote(question_id=visa.id), cast.person(voter))
    await engine.execute(CastVote(question_id=book.id), cast.person(10))

    chosen = await engine.execute(NextQuestion(session_id=sid), cast.guest)
    assert chosen.question is not None and chosen.question.id == visa.id
    summary = await engine.views.summary(sid, cast.person(99))
    assert summary.on_stage is not None and summary.on_stage.id == visa.id

    answered = await engine.execute(
        AnswerQuestion(question_id=visa.id, text="Usually three months."), cast.guest
    )
    [event] = answered.events
    assert isinstance(event, QuestionAnswered)
    assert event.notify == (cast.person(1).user,)
    assert (await engine.views.summary(sid, cast.host)).on_stage is None

    await engine.execute(CloseSession(session_id=sid), cast.host)
    transcript = await engine.views.transcript(sid, cast.person(50), full=False)
    markdown = engine.hooks.exporters["md"].render(transcript)
    assert "How long does a visa appeal take?" in markdown
    assert "Usually three months." in markdown
    assert "Person 2" not in markdown  # anonymous, and unanswered anyway


async def test_pre_moderation_hides_until_approved(qa_engine: Engine, qa_cast: Cast) -> None:
    sid = await live_session(qa_engine, qa_cast)
    pending = await ask(qa_engine, qa_cast, sid, 1, "Is this visible yet?", approve=False)
    assert pending.state is QuestionState.PENDING
    assert await qa_engine.views.public_queue(sid, qa_cast.person(2)) == []
    queue = await qa_engine.views.moderation_queue(sid, qa_cast.moderator)
    assert [q.id for q in queue] == [pending.id]


async def test_post_moderation_publishes_at_once_but_holds_flagged(
    qa_engine: Engine, qa_cast: Cast
) -> None:
    sid = await live_session(qa_engine, qa_cast, moderation=ModerationMode.POST)
    fine = await ask(qa_engine, qa_cast, sid, 1, "What do you read on flights?", approve=False)
    rude = await ask(qa_engine, qa_cast, sid, 2, "Why are diplomats such idiots?", approve=False)
    comment = await ask(
        qa_engine, qa_cast, sid, 3, "Great talk so far, thanks a lot", approve=False
    )
    assert fine.state is QuestionState.APPROVED
    assert rude.state is QuestionState.PENDING
    assert [f.code for f in rude.flags] == ["word_filter"]
    assert comment.state is QuestionState.PENDING
    assert [f.code for f in comment.flags] == ["not_a_question"]


async def test_votes_toggle_and_count_distinct_voters(qa_engine: Engine, qa_cast: Cast) -> None:
    sid = await live_session(qa_engine, qa_cast)
    q = await ask(qa_engine, qa_cast, sid, 1, "Which language helped you most?")
    voter = qa_cast.person(5)
    assert (await qa_engine.execute(CastVote(question_id=q.id), voter)).events[0].votes == 1
    assert (await qa_engine.execute(CastVote(question_id=q.id), voter)).events[0].votes == 0
    await qa_engine.execute(CastVote(question_id=q.id, up=True), voter)
    again = await qa_engine.execute(CastVote(question_id=q.id, up=True), voter)
    assert again.events == ()  # already up: nothing to do
    assert (await qa_engine.views.question(q.id, voter)).votes == 1
    assert await qa_engine.views.my_votes([q.id], voter) == {q.id}


async def test_merge_unites_votes_and_askers_and_unmerge_restores(
    qa_engine: Engine, qa_cast: Cast
) -> None:
    engine, cast = qa_engine, qa_cast
    sid = await live_session(engine, cast)
    a = await ask(engine, cast, sid, 1, "How do I become a diplomat?")
    b = await ask(engine, cast, sid, 2, "What is the path into the diplomatic service?")
    for n in (10, 11, 12):
        await engine.execute(CastVote(question_id=a.id), cast.person(n))
    for n in (12, 13):
        await engine.execute(CastVote(question_id=b.id), cast.person(n))

    merged = await engine.execute(MergeQuestions(duplicate_id=b.id, into_id=a.id), cast.moderator)
    assert merged.question is not None and merged.question.votes == 4  # 12 counted once
    # a vote through the duplicate's old button counts for the survivor, once
    retract = await engine.execute(CastVote(question_id=b.id), cast.person(12))
    assert retract.events[0].votes == 3
    await engine.execute(CastVote(question_id=b.id), cast.person(12))
    with pytest.raises(Exception, match="own question"):
        await engine.execute(CastVote(question_id=a.id), cast.person(2))  # b's asker

    await engine.execute(NextQuestion(session_id=sid), cast.guest)
    answered = await engine.execute(AnswerQuestion(question_id=a.id, text="Exams."), cast.guest)
    assert set(answered.events[0].notify) == {cast.person(1).user, cast.person(2).user}

    restored = await engine.execute(UnmergeQuestion(question_id=b.id), cast.moderator)
    # 12 took the vote back while merged and cast it again on the survivor
    assert restored.question is not None and restored.question.votes == 1
    assert restored.question.state is QuestionState.APPROVED
    assert (await engine.views.question(a.id, cast.host)).votes == 3


async def test_edit_keeps_the_original_and_author_edits_are_screened_again(
    qa_engine: Engine, qa_cast: Cast
) -> None:
    sid = await live_session(qa_engine, qa_cast)
    q = await ask(qa_engine, qa_cast, sid, 1, "What is the hardest posting?")
    mine = await qa_engine.execute(
        EditQuestion(question_id=q.id, text="What was your hardest posting?"), qa_cast.person(1)
    )
    assert mine.question is not None
    assert (
        mine.question.state is QuestionState.PENDING
    )  # pre-moderation: approval was for old words
    assert mine.question.original_text == "What is the hardest posting?"
    by_mod = await qa_engine.execute(
        EditQuestion(question_id=q.id, text="What was the hardest posting of your career?"),
        qa_cast.moderator,
    )
    assert by_mod.question is not None and by_mod.question.edited
    assert by_mod.question.original_text == "What is the hardest posting?"
    audit = await qa_engine.views.audit(sid, qa_cast.moderator)
    edits = [e.event for e in audit if type(e.event).__name__ == "QuestionEdited"]
    assert [e.before for e in edits] == [  # type: ignore[attr-defined]
        "What is the hardest posting?",
        "What was your hardest posting?",
    ]


async def test_reject_tells_the_asker(qa_engine: Engine, qa_cast: Cast) -> None:
    sid = await live_session(qa_engine, qa_cast)
    q = await ask(qa_engine, qa_cast, sid, 1, "Buy cheap watches at example.com?", approve=False)
    out = await qa_engine.execute(
        RejectQuestion(question_id=q.id, reason=RejectReason.SPAM, message="No adverts, please."),
        qa_cast.moderator,
    )
    [event] = out.events
    assert isinstance(event, QuestionRejected)
    assert (event.asker, event.message) == (qa_cast.person(1).user, "No adverts, please.")


async def test_withdraw_skip_defer_pin_tag(qa_engine: Engine, qa_cast: Cast) -> None:
    engine, cast = qa_engine, qa_cast
    sid = await live_session(engine, cast, strategy="top")
    one = await ask(engine, cast, sid, 1, "First question, any thoughts?")
    two = await ask(engine, cast, sid, 2, "Second question, any thoughts?")
    three = await ask(engine, cast, sid, 3, "Third question, what now?")
    await engine.execute(CastVote(question_id=one.id), cast.person(9))  # top: one before two
    await engine.execute(PinQuestion(question_id=three.id), cast.moderator)
    tagged = await engine.execute(
        TagQuestion(question_id=two.id, tags=frozenset({"#Visa", " career "})), cast.moderator
    )
    assert tagged.question is not None and tagged.question.tags == {"visa", "career"}
    nxt = await engine.execute(NextQuestion(session_id=sid), cast.host)
    assert nxt.question is not None and nxt.question.id == three.id  # pinned goes first
    await engine.execute(DeferQuestion(question_id=three.id), cast.host)
    nxt = await engine.execute(NextQuestion(session_id=sid), cast.host)
    assert nxt.question is not None and nxt.question.id == one.id
    await engine.execute(SkipQuestion(question_id=one.id), cast.host)
    await engine.execute(WithdrawQuestion(question_id=two.id), cast.person(2))
    nxt = await engine.execute(NextQuestion(session_id=sid), cast.host)
    assert nxt.question is not None and nxt.question.id == three.id  # deferred comes back last


async def test_pause_stops_the_stage_but_not_the_questions(
    qa_engine: Engine, qa_cast: Cast
) -> None:
    sid = await live_session(qa_engine, qa_cast)
    await qa_engine.execute(PauseSession(session_id=sid), qa_cast.host)
    await ask(qa_engine, qa_cast, sid, 1, "Can I ask during the break?")
    with pytest.raises(Exception, match="only while it is live"):
        await qa_engine.execute(NextQuestion(session_id=sid), qa_cast.guest)
    await qa_engine.execute(ResumeSession(session_id=sid), qa_cast.host)
    assert (await qa_engine.views.summary(sid, qa_cast.host)).session.state is SessionState.LIVE


async def test_duplicate_suggestion_points_at_a_public_question(
    qa_engine: Engine, qa_cast: Cast
) -> None:
    sid = await live_session(qa_engine, qa_cast)
    first = await ask(qa_engine, qa_cast, sid, 1, "How do visa appeals work?")
    again = await qa_engine.execute(
        SubmitQuestion(session_id=sid, text="How do visa appeals work exactly?"), qa_cast.person(2)
    )
    assert again.suggestion is not None and again.suggestion.question_id == first.id
    assert again.question is not None
    assert [f.detail for f in again.question.flags if f.code == "possible_duplicate"] == [
        f"#{first.number}"
    ]
    # a pending question is not shown to other askers (its text is not public yet)
    hidden = await ask(qa_engine, qa_cast, sid, 3, "Do you miss living in Nairobi?", approve=False)
    third = await qa_engine.execute(
        SubmitQuestion(session_id=sid, text="Do you miss living in Nairobi at all?"),
        qa_cast.person(4),
    )
    assert third.suggestion is None
    assert third.question is not None and f"#{hidden.number}" in {
        f.detail for f in third.question.flags
    }


async def test_idempotency_key_gives_exactly_one_effect(qa_engine: Engine, qa_cast: Cast) -> None:
    sid = await live_session(qa_engine, qa_cast)
    q = await ask(qa_engine, qa_cast, sid, 1, "Does a double click count twice?")
    vote = CastVote(question_id=q.id, idempotency_key="interaction-123")
    first = await qa_engine.execute(vote, qa_cast.person(9))
    second = await qa_engine.execute(vote, qa_cast.person(9))
    assert not first.replayed and second.replayed
    assert second.events == first.events
    assert (await qa_engine.views.question(q.id, qa_cast.host)).votes == 1
    asked = SubmitQuestion(
        session_id=sid, text="Asked once, delivered twice?", idempotency_key="ev-7"
    )
    a = await qa_engine.execute(asked, qa_cast.person(3))
    b = await qa_engine.execute(asked, qa_cast.person(3))
    assert a.question == b.question
    counts = (await qa_engine.views.summary(sid, qa_cast.host)).counts
    assert sum(counts.values()) == 2


async def test_anonymous_askers_are_hidden_from_the_audience_only(
    qa_engine: Engine, qa_cast: Cast
) -> None:
    sid = await live_session(qa_engine, qa_cast)
    q = await ask(qa_engine, qa_cast, sid, 1, "Were you ever afraid for your life?", anonymous=True)
    public = await qa_engine.views.public_queue(sid, qa_cast.person(2))
    assert public[0].author.name == "Anonymous" and public[0].author.user.id == ""
    seen_by_mod = await qa_engine.views.question(q.id, qa_cast.moderator)
    assert seen_by_mod.author.user == qa_cast.person(1).user
    full = await qa_engine.views.transcript(sid, qa_cast.moderator, full=True)
    assert full.questions[0].author.user == qa_cast.person(1).user


async def test_tenant_settings_are_the_defaults_of_new_sessions(
    qa_engine: Engine, qa_cast: Cast
) -> None:
    from qa_core import ConfigureTenant, CreateSession, PermissionDenied, SessionSettings

    configure = ConfigureTenant(
        tenant=qa_cast.tenant,
        defaults=SessionSettings(moderation=ModerationMode.POST, strategy="hot"),
        options=(("ama_channel", "1234"), ("moderator_roles", "55,66")),
    )
    with pytest.raises(PermissionDenied, match="Only hosts"):
        await qa_engine.execute(configure, qa_cast.moderator)
    await qa_engine.execute(configure, qa_cast.host)
    await qa_engine.execute(
        ConfigureTenant(tenant=qa_cast.tenant, options=(("moderator_roles", None),)), qa_cast.host
    )
    settings = await qa_engine.views.tenant_settings(qa_cast.person(1))
    assert settings.option("ama_channel") == "1234" and settings.option("moderator_roles") is None
    created = await qa_engine.execute(
        CreateSession(tenant=qa_cast.tenant, title="Inherits defaults"), qa_cast.host
    )
    assert created.session is not None
    assert created.session.settings.strategy == "hot"
    assert created.session.settings.moderation is ModerationMode.POST


async def test_an_author_edit_on_stage_is_screened_again(qa_engine: Engine, qa_cast: Cast) -> None:
    sid = await live_session(qa_engine, qa_cast)  # pre-moderation
    q = await ask(qa_engine, qa_cast, sid, 1, "A harmless question, approved?")
    await qa_engine.execute(NextQuestion(session_id=sid), qa_cast.guest)
    edited = await qa_engine.execute(
        EditQuestion(question_id=q.id, text="Buy cheap pills at spam.example?"), qa_cast.person(1)
    )
    assert edited.question is not None and edited.question.state is QuestionState.PENDING
    summary = await qa_engine.views.summary(sid, qa_cast.person(2))
    assert summary.on_stage is None
    assert await qa_engine.views.public_queue(sid, qa_cast.person(2)) == []


async def test_merges_of_merged_questions_unwind_exactly(qa_engine: Engine, qa_cast: Cast) -> None:
    engine, cast = qa_engine, qa_cast
    sid = await live_session(engine, cast)
    a = await ask(engine, cast, sid, 1, "Question A about treaties?")
    b = await ask(engine, cast, sid, 2, "Question B about treaties?")
    c = await ask(engine, cast, sid, 3, "Question C about treaties?")
    for voter, question in ((10, a), (11, b), (12, b), (13, c)):
        await engine.execute(CastVote(question_id=question.id), cast.person(voter))
    await engine.execute(MergeQuestions(duplicate_id=a.id, into_id=b.id), cast.moderator)
    await engine.execute(MergeQuestions(duplicate_id=b.id, into_id=c.id), cast.moderator)
    assert (await engine.views.question(c.id, cast.host)).votes == 4
    restored = await engine.execute(UnmergeQuestion(question_id=b.id), cast.moderator)
    assert restored.question is not None and restored.question.votes == 3  # b's two and a's one
    a_now = await engine.views.question(a.id, cast.host)
    assert (a_now.state, a_now.merged_into) == (QuestionState.MERGED, b.id)
    assert (await engine.views.question(c.id, cast.host)).votes == 1


async def test_the_asker_is_pointed_at_the_best_public_match(
    qa_engine: Engine, qa_cast: Cast
) -> None:
    sid = await live_session(qa_engine, qa_cast)
    public = await ask(qa_engine, qa_cast, sid, 1, "How do visa appeals work in practice?")
    hidden = await ask(
        qa_engine, qa_cast, sid, 2, "How do visa appeals work in practice now?", approve=False
    )
    out = await qa_engine.execute(
        SubmitQuestion(session_id=sid, text="How do visa appeals work in practice now?"),
        qa_cast.person(3),
    )
    assert out.suggestion is not None and out.suggestion.question_id == public.id
    assert out.question is not None
    flagged = [f.detail for f in out.question.flags if f.code == "possible_duplicate"]
    assert flagged == [f"#{hidden.number}"]  # moderators see the closest, pending or not
