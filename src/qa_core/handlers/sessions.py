"""Creating sessions and moving them through their lifecycle."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import attrs

from ..commands import ConfigureTenant, CreateSession, UpdateSession
from ..context import Context
from ..errors import InvalidInput
from ..events import (
    TENANT_WIDE,
    SessionCreated,
    SessionStateChanged,
    SessionUpdated,
    TenantConfigured,
)
from ..models import Person, Session, SessionSettings, SessionState, TenantSettings
from ..rules import sessions as rules
from ..rules.permissions import Action
from ..text import clean

MAX_TITLE = 200
MAX_INTRO = 4000


def _title(text: str) -> str:
    title = clean(text)
    if not title:
        raise InvalidInput("A session needs a title.")
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"The title is {len(title)} characters; the limit is {MAX_TITLE}.")
    return title


def _intro(text: str) -> str:
    intro = clean(text)
    if len(intro) > MAX_INTRO:
        raise InvalidInput(f"The intro is {len(intro)} characters; the limit is {MAX_INTRO}.")
    return intro


def _people(ctx: Context, people: Iterable[Person]) -> tuple[Person, ...]:
    """Unique people, all from the actor's tenant."""
    unique: dict[object, Person] = {}
    for person in people:
        if person.user.tenant != ctx.actor.user.tenant:
            raise InvalidInput(f"{person.name} is not a member of this workspace.")
        unique.setdefault(person.user, person)
    return tuple(unique.values())


def _tenant_defaults(ctx: Context, tenant: str) -> SessionSettings:
    configured = ctx.tx.tenant_settings(tenant)
    return ctx.defaults if configured is None else configured.defaults


def _settings(ctx: Context, settings: SessionSettings) -> SessionSettings:
    ctx.hooks.strategy(settings.strategy)  # raises InvalidInput naming the known ones
    return settings


def configure_tenant(ctx: Context, cmd: ConfigureTenant) -> None:
    if cmd.tenant != ctx.actor.user.tenant:
        raise InvalidInput("You can only configure your own workspace.")
    ctx.authorize(Action.CONFIGURE_TENANT, None)
    settings = ctx.tx.tenant_settings(cmd.tenant) or TenantSettings(defaults=ctx.defaults)
    if cmd.defaults is not None:
        settings = attrs.evolve(settings, defaults=_settings(ctx, cmd.defaults))
    if cmd.options:
        settings = settings.with_options(dict(cmd.options))
    ctx.tx.save_tenant_settings(cmd.tenant, settings)
    ctx.emit(TenantConfigured, TENANT_WIDE, tenant=cmd.tenant, settings=settings)


def create_session(ctx: Context, cmd: CreateSession) -> None:
    if cmd.tenant != ctx.actor.user.tenant:
        raise InvalidInput("Sessions can only be created in your own workspace.")
    ctx.authorize(Action.CREATE_SESSION, None)
    session = ctx.tx.add_session(
        Session(
            id=0,
            tenant=cmd.tenant,
            title=_title(cmd.title),
            intro=_intro(cmd.intro),
            state=SessionState.SCHEDULED,
            created_by=ctx.actor.person,
            created_at=ctx.now,
            scheduled_start=cmd.scheduled_start,
            hosts=_people(ctx, (ctx.actor.person, *cmd.hosts)),
            guests=_people(ctx, cmd.guests),
            moderators=_people(ctx, cmd.moderators),
            settings=_settings(ctx, cmd.settings or _tenant_defaults(ctx, cmd.tenant)),
        )
    )
    ctx.emit(SessionCreated, session.id, session=session)


def update_session(ctx: Context, cmd: UpdateSession) -> None:
    session = ctx.session(cmd.session_id)
    ctx.authorize(Action.MANAGE_SESSION, session)
    rules.ensure_collecting(session)
    changes: dict[str, Any] = {}
    if cmd.title is not None:
        changes["title"] = _title(cmd.title)
    if cmd.intro is not None:
        changes["intro"] = _intro(cmd.intro)
    if cmd.guests is not None:
        changes["guests"] = _people(ctx, cmd.guests)
    if cmd.moderators is not None:
        changes["moderators"] = _people(ctx, cmd.moderators)
    if cmd.scheduled_start is not None:
        changes["scheduled_start"] = cmd.scheduled_start
    if cmd.settings is not None:
        changes["settings"] = _settings(ctx, cmd.settings)
    session = attrs.evolve(session, **changes)
    ctx.tx.save_session(session)
    ctx.emit(SessionUpdated, session.id, session=session)


def lifecycle(verb: str) -> Callable[[Context, object], None]:
    """The handler of one lifecycle command: open, pause, resume, close, archive."""

    def handle(ctx: Context, cmd: object) -> None:
        session = ctx.session(cmd.session_id)  # type: ignore[attr-defined]
        ctx.authorize(Action.MANAGE_SESSION, session)
        changed = rules.transition(session, verb)
        ctx.tx.save_session(changed)
        ctx.emit(SessionStateChanged, session.id, before=session.state, after=changed.state)

    handle.__name__ = f"{verb}_session"
    return handle
