"""Scheduled sessions open themselves at their start time, once."""

from __future__ import annotations

from datetime import timedelta

from qa_core import (
    CreateSession,
    Engine,
    Role,
    Scheduler,
    SessionState,
    SessionStateChanged,
)
from qa_core.scheduling import due, opener
from qa_core.testing import Cast, ManualClock


async def schedule(engine: Engine, cast: Cast, in_minutes: float, tenant: str | None = None) -> int:
    host = cast.host if tenant is None else Cast(tenant).host
    created = await engine.execute(
        CreateSession(
            tenant=host.user.tenant,
            title="Later",
            scheduled_start=engine.clock() + timedelta(minutes=in_minutes),
        ),
        host,
    )
    assert created.session is not None
    return created.session.id


async def test_due_sessions_open_as_their_creator_once(
    qa_engine: Engine, qa_cast: Cast, qa_clock: ManualClock
) -> None:
    soon = await schedule(qa_engine, qa_cast, 5)
    later = await schedule(qa_engine, qa_cast, 60)
    elsewhere = await schedule(qa_engine, qa_cast, 5, tenant="other:1")
    scheduler = Scheduler(qa_engine, lambda tenant: tenant == qa_cast.tenant)
    assert await scheduler.tick() == []  # nothing due yet
    qa_clock.advance(6 * 60)
    assert await scheduler.tick() == [soon]
    assert await Scheduler(qa_engine, lambda tenant: True).tick() == [elsewhere]  # a second bot
    assert await scheduler.tick() == []  # already open: nothing twice
    summary = await qa_engine.views.summary(soon, qa_cast.host)
    assert summary.session.state is SessionState.LIVE
    later_state = (await qa_engine.views.summary(later, qa_cast.host)).session.state
    assert later_state is SessionState.SCHEDULED
    audit = await qa_engine.views.audit(soon, qa_cast.host)
    opened = [e for e in audit if isinstance(e.event, SessionStateChanged)]
    assert len(opened) == 1 and opened[0].event.actor == qa_cast.host.person


def test_the_opener_has_only_the_roles_the_session_gives() -> None:
    from datetime import UTC, datetime

    from qa_core import Person, Session, UserRef

    host = Person(UserRef("t:1", "h"), "H")
    now = datetime(2026, 12, 1, tzinfo=UTC)
    sessions = [
        Session(
            id=n,
            tenant="t:1",
            title="x",
            intro="",
            state=state,
            created_by=host,
            created_at=now,
            scheduled_start=start,
            hosts=(host,),
        )
        for n, state, start in [
            (1, SessionState.SCHEDULED, now - timedelta(minutes=1)),
            (2, SessionState.SCHEDULED, now),
            (3, SessionState.SCHEDULED, now + timedelta(seconds=1)),
            (4, SessionState.SCHEDULED, None),
            (5, SessionState.CLOSED, now - timedelta(hours=1)),
        ]
    ]
    assert [s.id for s in due(sessions, now)] == [1, 2]
    actor = opener(sessions[0])
    assert actor.user == host.user and Role.HOST not in actor.roles
