"""Small helpers shared by the engine tests."""

from __future__ import annotations

from qa_core import (
    ApproveQuestion,
    CreateSession,
    Engine,
    ModerationMode,
    OpenSession,
    Question,
    SessionSettings,
    SubmitQuestion,
)
from qa_core.testing import Cast


async def live_session(
    engine: Engine,
    cast: Cast,
    *,
    moderation: ModerationMode = ModerationMode.PRE,
    **settings: object,
) -> int:
    created = await engine.execute(
        CreateSession(
            tenant=cast.tenant,
            title="AMA with Gil",
            intro="Gil has been a diplomat for thirty years.",
            guests=(cast.guest.person,),
            moderators=(cast.moderator.person,),
            settings=SessionSettings(moderation=moderation, **settings),  # type: ignore[arg-type]
        ),
        cast.host,
    )
    assert created.session is not None
    await engine.execute(OpenSession(session_id=created.session.id), cast.host)
    return created.session.id


async def ask(
    engine: Engine,
    cast: Cast,
    session_id: int,
    n: int,
    text: str,
    *,
    approve: bool = True,
    anonymous: bool = False,
) -> Question:
    outcome = await engine.execute(
        SubmitQuestion(session_id=session_id, text=text, anonymous=anonymous), cast.person(n)
    )
    assert outcome.question is not None
    if approve and outcome.question.state.value == "pending":
        outcome = await engine.execute(
            ApproveQuestion(question_id=outcome.question.id), cast.moderator
        )
        assert outcome.question is not None
    return outcome.question
