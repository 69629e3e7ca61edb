"""The engine: the one place that runs a command from start to finish.

For each command: replay it if its idempotency key was seen; otherwise load what it needs,
authorize, apply the rules, persist with its audit records, all in one transaction; then
publish the events to plugins.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import attrs

from .commands import Command
from .context import Context
from .errors import InvalidInput
from .events import Event, QuestionEvent, QuestionSubmitted, SessionCreated, SessionUpdated
from .handlers import HANDLERS
from .models import Actor, DuplicateSuggestion, Question, Session, SessionSettings
from .plugins import Hooks, make_plugin_manager
from .ports import AuditRecord, Store, Transaction
from .serialization import dump_event, dump_outcome, fingerprint, load_outcome
from .views import Views


def utcnow() -> datetime:
    return datetime.now(UTC)


@attrs.frozen
class Outcome:
    """What a command did: its events, and whether this was a redelivery."""

    events: tuple[Event, ...]
    replayed: bool = False

    @property
    def question(self) -> Question | None:
        """The question the command was about (the surviving one, for a merge)."""
        found = [e.question for e in self.events if isinstance(e, QuestionEvent)]
        return found[-1] if found else None

    @property
    def session(self) -> Session | None:
        found = [e.session for e in self.events if isinstance(e, SessionCreated | SessionUpdated)]
        return found[-1] if found else None

    @property
    def suggestion(self) -> DuplicateSuggestion | None:
        found = [e.suggestion for e in self.events if isinstance(e, QuestionSubmitted)]
        return found[0] if found else None


class Engine:
    def __init__(
        self,
        store: Store,
        hooks: Hooks | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
        defaults: SessionSettings | None = None,
    ) -> None:
        self.store = store
        self.defaults = defaults or SessionSettings()
        self.hooks = hooks if hooks is not None else Hooks(make_plugin_manager())
        self.clock = clock
        self.views = Views(store, self.hooks, clock, self.defaults)

    async def start(self) -> None:
        await self.hooks.startup(self)

    async def stop(self) -> None:
        await self.hooks.shutdown(self)
        await self.store.close()

    async def purge(self, keep: timedelta = timedelta(days=2)) -> int:
        """Forget idempotency records older than ``keep`` and expired adapter values."""
        before = self.clock() - keep
        return await self.store.write(lambda tx: tx.forget(before))

    async def execute(self, command: Command, actor: Actor) -> Outcome:
        """Run ``command`` as ``actor``; raises a QaError subclass when it is refused."""
        now = self.clock()
        outcome = await self.store.write(lambda tx: self._apply(tx, command, actor, now))
        if not outcome.replayed:
            for event in outcome.events:
                await self.hooks.publish(event, self)
        return outcome

    def _apply(self, tx: Transaction, command: Command, actor: Actor, now: datetime) -> Outcome:
        # Keys are kept per person: another user's key, even the same string, is not theirs.
        scope, key = actor.user.key, command.idempotency_key
        if key is not None and (seen := tx.recall(scope, key)) is not None:
            used_for, events = load_outcome(seen)
            if used_for != fingerprint(command):
                raise InvalidInput("This idempotency key was already used for another command.")
            return Outcome(events=events, replayed=True)
        ctx = Context(tx=tx, actor=actor, now=now, hooks=self.hooks, defaults=self.defaults)
        HANDLERS[type(command)](ctx, command)
        for event in ctx.events:
            tx.append_audit(
                AuditRecord(
                    seq=0,
                    session_id=event.session_id,
                    at=event.at,
                    actor=actor.user.key,
                    kind=type(event).__name__,
                    payload=dump_event(event),
                )
            )
        if key is not None:
            tx.remember(scope, key, dump_outcome(command, ctx.events), now)
        return Outcome(events=tuple(ctx.events))
