"""Bad input: each gives a typed error a person can read, and nothing changes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from tests.support import ask, live_session

from qa_core import (
    Actor,
    ApproveQuestion,
    CastVote,
    CloseSession,
    CreateSession,
    EditQuestion,
    Engine,
    InvalidInput,
    InvalidState,
    NextQuestion,
    NotFound,
    OpenSession,
    PermissionDenied,
    QaError,
    Refused,
    Restriction,
    RestrictParticipant,
    Role,
    SubmitQuestion,
    UserRef,
    WithdrawQuestion,
)
from qa_core.testing import Cast
from qa_core.transcript import transcript_to_dict


async def snapshot(engine: Engine, session_id: int, cast: Cast) -> object:
    """Everything stored about the session: questions, votes, bans, and the audit log."""
    full = await engine.views.transcript(session_id, cast.host, full=True)
    audit = await engine.views.audit(session_id, cast.host, limit=10_000)
    return transcript_to_dict(full), len(audit)


async def refused(
    engine: Engine,
    cast: Cast,
    session_id: int,
    error: type[QaError],
    match: str,
    attempt: Callable[[], Awaitable[object]],
) -> None:
    """``attempt`` raises ``error`` with a readable message, and changes nothing stored."""
    before = await snapshot(engine, session_id, cast)
    with pytest.raises(error, match=match):
        await attempt()
    assert await snapshot(engine, session_id, cast) == before


async def test_empty_and_oversize_questions(qa_engine: Engine, qa_cast: Cast) -> None:
    sid = await live_session(qa_engine, qa_cast, max_length=100)

    def submit(text: str) -> Callable[[], Awaitable[object]]:
        return lambda: qa_engine.execute(
            SubmitQuestion(session_id=sid, text=text), qa_cast.person(1)
        )

    await refused(qa_engine, qa_cast, sid, Refused, "empty", submit(" \u200b\u2060 \n"))
    await refused(qa_engine, qa_cast, sid, Refused, "at least 10", submit("Why?"))
    await refused(
        qa_engine, qa_cast, sid, Refused, "101 characters; the limit is 100", submit("x" * 101)
    )


async def test_vote_on_a_withdrawn_question(qa_engine: Engine, qa_cast: Cast) -> None:
    sid = await live_session(qa_engine, qa_cast)
    q = await ask(qa_engine, qa_cast, sid, 1, "Will this stay around?")
    await qa_engine.execute(WithdrawQuestion(question_id=q.id), qa_cast.person(1))
    await refused(
        qa_engine,
        qa_cast,
        sid,
        InvalidState,
        "was withdrawn by its author",
        lambda: qa_engine.execute(CastVote(question_id=q.id), qa_cast.person(2)),
    )


async def test_vote_on_a_pending_question(qa_engine: Engine, qa_cast: Cast) -> None:
    sid = await live_session(qa_engine, qa_cast)
    q = await ask(qa_engine, qa_cast, sid, 1, "Not approved yet, right?", approve=False)
    await refused(
        qa_engine,
        qa_cast,
        sid,
        InvalidState,
        "waiting for a moderator",
        lambda: qa_engine.execute(CastVote(question_id=q.id), qa_cast.person(2)),
    )


async def test_a_participant_cannot_approve(qa_engine: Engine, qa_cast: Cast) -> None:
    sid = await live_session(qa_engine, qa_cast)
    q = await ask(qa_engine, qa_cast, sid, 1, "Approve me yourself?", approve=False)
    await refused(
        qa_engine,
        qa_cast,
        sid,
        PermissionDenied,
        "Only moderators",
        lambda: qa_engine.execute(ApproveQuestion(question_id=q.id), qa_cast.person(2)),
    )


async def test_a_guest_or_participant_cannot_create_sessions(
    qa_engine: Engine, qa_cast: Cast
) -> None:
    with pytest.raises(PermissionDenied, match="Only hosts"):
        await qa_engine.execute(
            CreateSession(tenant=qa_cast.tenant, title="Mine"), qa_cast.person(1)
        )


async def test_every_command_on_a_closed_session(qa_engine: Engine, qa_cast: Cast) -> None:
    sid = await live_session(qa_engine, qa_cast)
    q = await ask(qa_engine, qa_cast, sid, 1, "Asked before closing?")
    await qa_engine.execute(CloseSession(session_id=sid), qa_cast.host)
    attempts = [
        (SubmitQuestion(session_id=sid, text="Anyone still here?"), qa_cast.person(2)),
        (CastVote(question_id=q.id), qa_cast.person(2)),
        (ApproveQuestion(question_id=q.id), qa_cast.moderator),
        (NextQuestion(session_id=sid), qa_cast.guest),
        (OpenSession(session_id=sid), qa_cast.host),
    ]
    for command, actor in attempts:
        await refused(
            qa_engine,
            qa_cast,
            sid,
            InvalidState,
            "closed",
            lambda c=command, a=actor: qa_engine.execute(c, a),
        )


async def test_a_banned_user_can_do_nothing_and_a_muted_one_only_votes(
    qa_engine: Engine, qa_cast: Cast
) -> None:
    sid = await live_session(qa_engine, qa_cast)
    q = await ask(qa_engine, qa_cast, sid, 1, "Is anyone banned here?")
    troll, quiet = qa_cast.person(66), qa_cast.person(67)
    await qa_engine.execute(
        RestrictParticipant(
            session_id=sid, user=troll.user, restriction=Restriction.BANNED, reason="abuse"
        ),
        qa_cast.moderator,
    )
    await qa_engine.execute(
        RestrictParticipant(session_id=sid, user=quiet.user, restriction=Restriction.MUTED),
        qa_cast.moderator,
    )
    await refused(
        qa_engine,
        qa_cast,
        sid,
        PermissionDenied,
        "banned",
        lambda: qa_engine.execute(CastVote(question_id=q.id), troll),
    )
    await refused(
        qa_engine,
        qa_cast,
        sid,
        PermissionDenied,
        "banned",
        lambda: qa_engine.execute(SubmitQuestion(session_id=sid, text="Let me back in?"), troll),
    )
    with pytest.raises(PermissionDenied, match="banned"):
        await qa_engine.views.public_queue(sid, troll)
    await refused(
        qa_engine,
        qa_cast,
        sid,
        PermissionDenied,
        "muted",
        lambda: qa_engine.execute(SubmitQuestion(session_id=sid, text="Can I ask now?"), quiet),
    )
    await qa_engine.execute(CastVote(question_id=q.id), quiet)
    with pytest.raises(InvalidInput, match="cannot be restricted"):
        await qa_engine.execute(
            RestrictParticipant(
                session_id=sid, user=qa_cast.guest.user, restriction=Restriction.BANNED
            ),
            qa_cast.moderator,
        )


async def test_unknown_ids(qa_engine: Engine, qa_cast: Cast) -> None:
    sid = await live_session(qa_engine, qa_cast)
    await refused(
        qa_engine,
        qa_cast,
        sid,
        NotFound,
        "no question with id 424242",
        lambda: qa_engine.execute(CastVote(question_id=424242), qa_cast.person(1)),
    )
    with pytest.raises(NotFound, match="no session 9999"):
        await qa_engine.execute(NextQuestion(session_id=9999), qa_cast.host)


async def test_another_tenants_session_looks_absent(qa_engine: Engine, qa_cast: Cast) -> None:
    sid = await live_session(qa_engine, qa_cast)
    q = await ask(qa_engine, qa_cast, sid, 1, "Is this tenant sealed?")
    outsider = Actor(
        UserRef("other:1", "host"), "Other host", frozenset({Role.HOST, Role.MODERATOR})
    )
    for attempt in (
        lambda: qa_engine.execute(ApproveQuestion(question_id=q.id), outsider),
        lambda: qa_engine.execute(CastVote(question_id=q.id), outsider),
        lambda: qa_engine.execute(SubmitQuestion(session_id=sid, text="Crossing over?"), outsider),
        lambda: qa_engine.views.transcript(sid, outsider, full=True),
    ):
        await refused(qa_engine, qa_cast, sid, NotFound, "no (session|question)", attempt)
    with pytest.raises(InvalidInput, match="your own workspace"):
        await qa_engine.execute(CreateSession(tenant=qa_cast.tenant, title="x"), outsider)


async def test_unknown_strategy_is_named(qa_engine: Engine, qa_cast: Cast) -> None:
    with pytest.raises(
        InvalidInput, match="Unknown selection strategy 'magic'; known: hot, newest"
    ):
        await live_session(qa_engine, qa_cast, strategy="magic")


async def test_withdrawing_someone_elses_question(qa_engine: Engine, qa_cast: Cast) -> None:
    sid = await live_session(qa_engine, qa_cast)
    q = await ask(qa_engine, qa_cast, sid, 1, "Whose question is this?")
    await refused(
        qa_engine,
        qa_cast,
        sid,
        PermissionDenied,
        "your own",
        lambda: qa_engine.execute(WithdrawQuestion(question_id=q.id), qa_cast.moderator),
    )


async def test_a_muted_author_cannot_publish_through_an_edit(
    qa_engine: Engine, qa_cast: Cast
) -> None:
    sid = await live_session(qa_engine, qa_cast)
    q = await ask(qa_engine, qa_cast, sid, 1, "An innocent question, approved?")
    await qa_engine.execute(
        RestrictParticipant(
            session_id=sid, user=qa_cast.person(1).user, restriction=Restriction.MUTED
        ),
        qa_cast.moderator,
    )
    await refused(
        qa_engine,
        qa_cast,
        sid,
        PermissionDenied,
        "muted",
        lambda: qa_engine.execute(
            EditQuestion(question_id=q.id, text="Now something else?"), qa_cast.person(1)
        ),
    )
    await qa_engine.execute(
        WithdrawQuestion(question_id=q.id), qa_cast.person(1)
    )  # may still leave


async def test_idempotency_keys_belong_to_one_person_and_one_command(
    qa_engine: Engine, qa_cast: Cast
) -> None:
    sid = await live_session(qa_engine, qa_cast)
    secret = SubmitQuestion(
        session_id=sid, text="My anonymous secret?", anonymous=True, idempotency_key="k-1"
    )
    await qa_engine.execute(secret, qa_cast.person(1))
    # someone else sending the same key gets their own fresh effect, not the first one's events
    theirs = await qa_engine.execute(
        SubmitQuestion(session_id=sid, text="A different question?", idempotency_key="k-1"),
        qa_cast.person(2),
    )
    assert not theirs.replayed and theirs.question is not None
    assert theirs.question.author.user == qa_cast.person(2).user
    with pytest.raises(InvalidInput, match="already used for another command"):
        await qa_engine.execute(
            SubmitQuestion(session_id=sid, text="Not the same words?", idempotency_key="k-1"),
            qa_cast.person(1),
        )
