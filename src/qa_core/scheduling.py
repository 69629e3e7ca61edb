"""Scheduled sessions open themselves at their start time.

An adapter runs a ``Scheduler`` beside its bot. Every ``interval`` seconds it looks for the
scheduled sessions of the tenants it serves whose start has passed, and opens each with the
engine's ``OpenSession`` as the session's creator (a host of the session), so the engine
still decides whether it may open. Everything is read from the store on each look: a
restarted bot opens what came due while it was down, and one idempotency key per session
keeps two bots on one database from opening it twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from .commands import OpenSession
from .engine import Engine
from .errors import InvalidState, QaError
from .models import Actor, Session, SessionState

log = logging.getLogger(__name__)


def due(sessions: Sequence[Session], now: datetime) -> list[Session]:
    """The scheduled sessions whose start time has come. Pure."""
    return [
        s
        for s in sessions
        if s.state is SessionState.SCHEDULED
        and s.scheduled_start is not None
        and s.scheduled_start <= now
    ]


def opener(session: Session) -> Actor:
    """Who opens a due session: its creator, with only the roles the session gives them."""
    return Actor(session.created_by.user, session.created_by.name)


class Scheduler:
    """Opens due sessions of the tenants ``serves`` accepts (e.g. those starting "slack:")."""

    def __init__(
        self, engine: Engine, serves: Callable[[str], bool], *, interval: float = 30.0
    ) -> None:
        self.engine = engine
        self.serves = serves
        self.interval = interval
        self._task: asyncio.Task[None] | None = None
        self._refused: set[int] = set()  # sessions the engine would not open: said once

    @classmethod
    def for_tenants(
        cls, engine: Engine, tenants: Callable[[], Iterable[str]], *, interval: float = 30.0
    ) -> Scheduler:
        """A scheduler for the tenants ``tenants()`` names when it looks (a bot's servers)."""
        return cls(engine, lambda tenant: tenant in set(tenants()), interval=interval)

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("opening scheduled sessions failed")
            await asyncio.sleep(self.interval)

    async def tick(self) -> list[int]:
        """Open every session that is due now; the ids opened."""
        now = self.engine.clock()
        everything = await self.engine.store.read(lambda tx: tx.sessions(None))
        opened = []
        for session in due([s for s in everything if self.serves(s.tenant)], now):
            if session.id in self._refused:
                continue
            command = OpenSession(session_id=session.id, idempotency_key=f"schedule:{session.id}")
            try:
                await self.engine.execute(command, opener(session))
            except InvalidState:
                continue  # opened meanwhile, by hand or by another bot
            except QaError as error:
                self._refused.add(session.id)
                log.warning("scheduled session %s was not opened: %s", session.id, error)
                continue
            log.info("opened scheduled session %s", session.id)
            opened.append(session.id)
        return opened
