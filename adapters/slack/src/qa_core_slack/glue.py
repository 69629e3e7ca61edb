"""Glue: Bolt listeners that acknowledge first, translate, call the engine, render.

``register(app, engine)`` attaches everything to an existing ``AsyncApp``; the runner uses
the same function. No business rule lives here: who may do what, what a state allows and
what a command changes are the engine's; this module only moves data between Slack and it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import attrs
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from qa_core import (
    Actor,
    Command,
    Engine,
    Outcome,
    PermissionDenied,
    Person,
    QaError,
    Question,
    QuestionState,
    Role,
    Session,
    SessionState,
    events,
)

from . import render, translate
from .publisher import ORIGIN, Origin, Publisher, system_actor
from .state import AdapterState
from .text import escape
from .translate import OPT_AMA_CHANNEL, OPT_MODERATOR_GROUP, Ama, BadInput, Verb

log = logging.getLogger(__name__)

ROLE_CACHE_SECONDS = 60.0
HOME_SESSIONS = 5
OPEN_STATES = frozenset({SessionState.SCHEDULED, SessionState.LIVE, SessionState.PAUSED})
Body = Mapping[str, Any]


class SlackQA:
    """What ``register`` attached: the engine, the publisher, and a way to wait for quiet."""

    def __init__(
        self,
        engine: Engine,
        *,
        publisher: Publisher | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self.publisher = publisher
        self.state = AdapterState(engine.store)
        self.clock = clock
        self._actors: dict[tuple[str, str], tuple[float, Actor]] = {}
        self._groups: dict[tuple[str, str], tuple[float, frozenset[str]]] = {}
        self._inflight = 0

    # ----- bookkeeping ---------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _busy(self) -> AsyncIterator[None]:
        self._inflight += 1
        try:
            yield
        finally:
            self._inflight -= 1

    async def settle(self, timeout: float = 5.0) -> None:
        """Wait until no listener runs and the publisher has sent everything it can (tests)."""
        deadline = time.monotonic() + timeout
        while True:
            while self._inflight:
                if time.monotonic() > deadline:
                    raise TimeoutError("listeners still running")
                await asyncio.sleep(0.002)
            if self.publisher is not None:
                await self.publisher.flush()
            if not self._inflight:
                return

    # ----- identity ------------------------------------------------------------------------

    async def actor(
        self, client: AsyncWebClient, team_id: str, user_id: str, fallback: str
    ) -> Actor:
        """The person behind a payload with the tenant-wide roles Slack implies (cached)."""
        ref = translate.user_ref(team_id, user_id)
        now = self.clock()
        cached = self._actors.get((team_id, user_id))
        if cached and now - cached[0] < ROLE_CACHE_SECONDS:
            return cached[1]
        settings = await self.engine.views.tenant_settings(system_actor(ref.tenant))
        info = await self._user_info(client, user_id)
        group = settings.option(OPT_MODERATOR_GROUP)
        members = await self._group_members(client, team_id, group) if group else frozenset()
        roles = translate.roles_for(user_id, info, settings, members)
        actor = Actor(user=ref, name=translate.display_name(info, fallback), roles=roles)
        self._actors[(team_id, user_id)] = (now, actor)
        return actor

    def forget_roles(self, team_id: str) -> None:
        for key in [k for k in self._actors if k[0] == team_id]:
            del self._actors[key]
        for key in [k for k in self._groups if k[0] == team_id]:
            del self._groups[key]

    async def _user_info(self, client: AsyncWebClient, user_id: str) -> dict[str, Any] | None:
        try:
            response = await client.users_info(user=user_id)
        except SlackApiError:
            return None
        user = response.get("user")
        return user if isinstance(user, dict) else None

    async def _group_members(
        self, client: AsyncWebClient, team_id: str, group: str
    ) -> frozenset[str]:
        cached = self._groups.get((team_id, group))
        if cached and self.clock() - cached[0] < ROLE_CACHE_SECONDS:
            return cached[1]
        try:
            response = await client.usergroups_users_list(usergroup=group)
            members = frozenset(str(u) for u in response.get("users") or [])
        except SlackApiError:
            members = frozenset()
        self._groups[(team_id, group)] = (self.clock(), members)
        return members

    async def _execute(self, command: Command, actor: Actor, channel: str | None = None) -> Outcome:
        token = ORIGIN.set(Origin(channel) if channel else None)
        try:
            return await self.engine.execute(command, actor)
        finally:
            ORIGIN.reset(token)

    async def _ama_channel(self, tenant: str) -> str | None:
        """The channel set with ``/ama settings ama-channel``, if any."""
        settings = await self.engine.views.tenant_settings(system_actor(tenant))
        return settings.option(OPT_AMA_CHANNEL)

    async def _channel_session(self, tenant: str, channel: str) -> int:
        sid = await self.state.session_of_channel(tenant, channel)
        if sid is None:
            # Typed elsewhere (the moderators' channel, say): the AMA channel's session.
            ama_channel = await self._ama_channel(tenant)
            if ama_channel and ama_channel != channel:
                sid = await self.state.session_of_channel(tenant, ama_channel)
        if sid is None:
            raise BadInput("There is no AMA in this channel. Start one with /ama create Title.")
        return sid

    # ----- /ama ----------------------------------------------------------------------------

    async def on_command(
        self, ack: AsyncAck, body: Body, client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        async with self._busy():
            await ack()
            try:
                await self._ama(body, client, respond)
            except (BadInput, QaError) as error:
                await respond(**render.notice(str(error)))
            except SlackApiError as error:
                log.warning("Slack refused a call for /ama: %s", error.response.get("error"))
                await respond(**render.notice(_slack_refused(error)))

    async def _ama(self, body: Body, client: AsyncWebClient, respond: AsyncRespond) -> None:
        team, user, channel = (
            str(body.get("team_id")),
            str(body.get("user_id")),
            str(body.get("channel_id")),
        )
        tenant = translate.tenant_of(team)
        request = translate.parse_ama(str(body.get("text") or ""))
        key = f"cmd:{body.get('trigger_id')}"
        actor = await self.actor(client, team, user, str(body.get("user_name") or ""))
        verb = request.verb
        if verb is Ama.HELP:
            await respond(**render.notice(translate.HELP))
        elif verb in (Ama.CREATE, Ama.SCHEDULE):
            guests = [await self._person(client, team, g) for g in request.guests]
            command = translate.create_command(request, tenant, guests, key=key)
            # The AMA lives in the AMA channel when one is set, else where /ama create ran.
            home = await self._ama_channel(tenant) or channel
            outcome = await self._execute(command, actor, home)
            session = outcome.session
            assert session is not None
            if verb is Ama.CREATE:
                opened = translate.session_command(
                    attrs.evolve(request, verb=Ama.OPEN), session.id, key=key + ":open"
                )
                await self._execute(opened, actor, home)
            # notice() escapes everything, so the channel is described, not linked.
            where = "this channel" if home == channel else "the AMA channel (settings ama-channel)"
            await respond(
                **render.notice(f"AMA #{session.id} “{session.title}” is set up in {where}.")
            )
        elif verb in (Ama.OPEN, Ama.PAUSE, Ama.RESUME, Ama.CLOSE, Ama.NEXT):
            sid = await self._channel_session(tenant, channel)
            outcome = await self._execute(
                translate.session_command(request, sid, key=key), actor, channel
            )
            await respond(**render.notice(_done(outcome)))
        elif verb is Ama.ASK:
            sid = await self._channel_session(tenant, channel)
            if not request.text:
                session = await self.engine.views.session(sid, actor)
                await client.views_open(
                    trigger_id=str(body.get("trigger_id")), view=render.ask_modal(session)
                )
                return
            ask = translate.ask_command(sid, request.text, anonymous=False, key=key)
            await respond(**render.notice(_submitted(await self._execute(ask, actor, channel))))
        elif verb is Ama.QUEUE:
            sid = await self._channel_session(tenant, channel)
            session = await self.engine.views.session(sid, actor)
            top = await self.engine.views.public_queue(sid, actor, limit=render.BOARD_SIZE)
            pending = None
            with contextlib.suppress(PermissionDenied):
                # Only those the core lets see the moderation queue learn how long it is.
                await self.engine.views.moderation_queue(sid, actor, limit=1)
                pending = (await self.engine.views.summary(sid, actor)).pending
            await respond(**render.queue_reply(session, top, pending))
        elif verb is Ama.ANSWER:
            sid = await self._channel_session(tenant, channel)
            current = (await self.engine.views.summary(sid, actor)).on_stage
            if current is None:
                raise BadInput("No question is with the guest: use /ama next first.")
            outcome = await self._execute(
                translate.answer_command(current.id, request.text, key=key), actor, channel
            )
            await respond(**render.notice(_done(outcome)))
        elif verb is Ama.EXPORT:
            await self._export(client, tenant, channel, actor, respond)
        elif verb is Ama.SETTINGS:
            await self._settings(request, team, tenant, actor, key, respond)

    async def _person(self, client: AsyncWebClient, team: str, user_id: str) -> Person:
        info = await self._user_info(client, user_id)
        return Person(
            user=translate.user_ref(team, user_id), name=translate.display_name(info, user_id)
        )

    async def _export(
        self, client: AsyncWebClient, tenant: str, channel: str, actor: Actor, respond: AsyncRespond
    ) -> None:
        sid = await self._channel_session(tenant, channel)
        refs = await self.state.session_refs(tenant, sid)
        channel = refs.channel if refs is not None else channel  # the AMA's own channel
        transcript = await self.engine.views.transcript(sid, actor, full=False)
        exporter = self.engine.hooks.exporters["md"]
        content = exporter.render(transcript)
        title = transcript.session.title
        await client.files_upload_v2(
            channel=channel,
            content=content,
            filename=f"ama-{sid}{exporter.suffix}",
            title=f"Transcript: {title}"[:250],
            initial_comment=f"Transcript of “{escape(title)}”",
            request_file_info=False,
        )
        await respond(**render.notice("Transcript uploaded."))

    async def _settings(
        self,
        request: translate.AmaRequest,
        team: str,
        tenant: str,
        actor: Actor,
        key: str,
        respond: AsyncRespond,
    ) -> None:
        current = await self.engine.views.tenant_settings(actor)
        if request.setting:
            command = translate.configure_command(request, tenant, current, key=key)
            outcome = await self._execute(command, actor)
            self.forget_roles(team)
            current = next(
                e.settings for e in outcome.events if isinstance(e, events.TenantConfigured)
            )
        d = current.defaults
        lines = [f"{name}: {value}" for name, value in current.options]
        lines += [
            f"moderation: {d.moderation.value}",
            f"anonymous: {'on' if d.allow_anonymous else 'off'}",
        ]
        lines.append(f"strategy: {d.strategy}")
        await respond(**render.settings_reply(lines))

    # ----- buttons -------------------------------------------------------------------------

    async def on_action(
        self, ack: AsyncAck, body: Body, client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        async with self._busy():
            await ack()
            try:
                await self._click(body, client, respond)
            except (BadInput, QaError) as error:
                await self._explain(body, client, respond, str(error))
            except SlackApiError as error:
                log.warning("Slack refused a call for a click: %s", error.response.get("error"))
                await self._explain(body, client, respond, _slack_refused(error))

    async def _click(self, body: Body, client: AsyncWebClient, respond: AsyncRespond) -> None:
        team, user = _team_user(body)
        acts = body.get("actions")
        action = acts[0] if isinstance(acts, list) and acts and isinstance(acts[0], Mapping) else {}
        click = translate.parse_action(action.get("action_id"), action.get("value"))
        actor = await self.actor(
            client, team, user, str((body.get("user") or {}).get("name") or "")
        )
        trigger = str(body.get("trigger_id"))
        views = self.engine.views
        if click.verb is Verb.ASK:
            session = await views.session(click.target, actor)
            await client.views_open(trigger_id=trigger, view=render.ask_modal(session))
            return
        if click.verb in (Verb.REJECT, Verb.EDIT, Verb.MERGE):
            question = await views.question(click.target, actor)
            # Opening a moderator's form needs a moderator: the core's moderation view decides.
            await views.moderation_queue(question.session_id, actor, limit=1)
            await client.views_open(
                trigger_id=trigger, view=await self._modal(click.verb, question, actor)
            )
            return
        command = translate.click_command(click, key=translate.click_key(body, action, user))
        assert command is not None
        outcome = await self._execute(command, actor)
        if click.verb is Verb.VOTE and outcome.question is None:
            question = await views.question(click.target, actor)
            cast = any(isinstance(e, events.VoteCast) for e in outcome.events)
            if "response_url" in body:
                await respond(
                    **render.voted_reply(question, already=not cast and not outcome.replayed)
                )
        if (body.get("container") or {}).get("type") == "view":
            await self.publish_home(client, team, user)

    async def _modal(self, verb: Verb, question: Question, actor: Actor) -> dict[str, Any]:
        if verb is Verb.REJECT:
            return render.reject_modal(question)
        if verb is Verb.EDIT:
            return render.edit_modal(question)
        views = self.engine.views
        candidates = await views.public_queue(question.session_id, actor, limit=100)
        return render.merge_modal(question, candidates)

    async def _explain(
        self, body: Body, client: AsyncWebClient, respond: AsyncRespond, text: str
    ) -> None:
        """A refusal, told only to the person who clicked."""
        try:
            if body.get("response_url"):
                await respond(**render.notice(text), replace_original=False)
                return
            _team, user = _team_user(body)
            await self._dm(client, user, render.notice(text))
        except (BadInput, SlackApiError) as error:
            log.warning("could not explain a refusal: %s", error)

    async def _dm(self, client: AsyncWebClient, user: str, payload: Mapping[str, Any]) -> None:
        opened = await client.conversations_open(users=user)
        channel = (opened.get("channel") or {}).get("id")
        if channel:
            await client.chat_postMessage(
                channel=channel, text=payload["text"], blocks=payload.get("blocks")
            )

    # ----- modals --------------------------------------------------------------------------

    async def on_view(self, ack: AsyncAck, body: Body, client: AsyncWebClient) -> None:
        async with self._busy():
            await ack()
            try:
                await self._submitted(body, client)
            except (BadInput, QaError) as error:
                _team, user = _team_user(body)
                await self._dm(client, user, render.notice(str(error)))

    async def _submitted(self, body: Body, client: AsyncWebClient) -> None:
        team, user = _team_user(body)
        view = body.get("view") or {}
        actor = await self.actor(
            client, team, user, str((body.get("user") or {}).get("name") or "")
        )
        key = translate.view_key(view)
        callback = view.get("callback_id")
        command: Command
        if callback == "qa:ask":
            command = translate.ask_submission(view, key=key)
        elif callback == "qa:reject":
            command = translate.reject_command(view, key=key)
        elif callback == "qa:edit":
            command = translate.edit_command(view, key=key)
        elif callback == "qa:merge":
            command = translate.merge_command(view, key=key)
        else:
            raise BadInput("That form is not one of ours.")
        outcome = await self._execute(command, actor)
        if callback == "qa:ask":
            await self._dm(client, user, render.notice(_submitted(outcome)))

    # ----- events --------------------------------------------------------------------------

    async def on_home_opened(self, ack: AsyncAck, body: Body, client: AsyncWebClient) -> None:
        async with self._busy():
            await ack()
            team = str(body.get("team_id"))
            event = body.get("event") or {}
            if event.get("tab", "home") != "home":
                return
            try:
                tenant = translate.tenant_of(team)
                # Slack redelivers events it thinks we missed; each event has one effect.
                if not await self.state.claim_event(tenant, str(body.get("event_id"))):
                    return
                await self.publish_home(client, team, str(event.get("user")), opened=True)
            except (BadInput, QaError, SlackApiError) as error:
                log.warning("App Home not published: %s", error)

    async def publish_home(
        self, client: AsyncWebClient, team: str, user: str, *, opened: bool = False
    ) -> None:
        """Publish ``user``'s App Home now (they opened it, or acted from it)."""
        view = await self.home_view(client, team, user, opened=opened)
        tenant = translate.tenant_of(team)
        try:
            await client.views_publish(user_id=user, view=view)
        except SlackApiError as error:
            if error.response.status_code != 429 or self.publisher is None:
                raise
            retry_after = float(error.response.headers.get("Retry-After", "1"))
            self.publisher.home_rate_limited(tenant, user, retry_after)
            return
        if self.publisher is not None:
            self.publisher.home_published(tenant, user)

    async def home_view(
        self, client: AsyncWebClient, team: str, user: str, *, opened: bool = False
    ) -> dict[str, Any]:
        """``user``'s App Home; remembers moderators who open it, so it can be kept live."""
        actor = await self.actor(client, team, user, "")
        views = self.engine.views
        sessions = [s for s in await views.sessions(actor) if s.state in OPEN_STATES][
            :HOME_SESSIONS
        ]
        moderation: list[tuple[Session, list[Question]]] = []
        stage: list[tuple[Session, Question | None, list[Question]]] = []
        audience: list[tuple[Session, list[Question]]] = []
        for session in sessions:
            shown = False
            with contextlib.suppress(PermissionDenied):
                moderation.append(
                    (session, await views.moderation_queue(session.id, actor, limit=10))
                )
                shown = True
            with contextlib.suppress(PermissionDenied):
                upcoming = await views.next_up(session.id, actor, count=5)
                current = (await views.summary(session.id, actor)).on_stage
                stage.append((session, current, upcoming))
                shown = True
            if not shown:
                audience.append((session, await views.public_queue(session.id, actor, limit=5)))
        # Whom to keep live is a rendering choice, not a permission: the engine still decides
        # what each refresh shows. Tenant-wide hosts and moderators count even between AMAs.
        tenant = actor.user.tenant
        if moderation or actor.roles & {Role.HOST, Role.MODERATOR}:
            if opened:
                await self.state.watch_home(tenant, user)
        else:
            await self.state.unwatch_home(tenant, user)
        return render.home(moderation, stage, audience)


# ----- helpers -------------------------------------------------------------------------------


def _team_user(body: Body) -> tuple[str, str]:
    team = (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id")
    user = (body.get("user") or {}).get("id")
    if not isinstance(team, str) or not isinstance(user, str):
        raise BadInput("This request does not come from a Slack user.")
    return team, user


def _slack_refused(error: SlackApiError) -> str:
    return f"Slack refused that ({error.response.get('error')}); please try again."


def _done(outcome: Outcome) -> str:
    for event in outcome.events:
        if isinstance(event, events.SessionStateChanged):
            return f"The AMA is now {event.after.value}."
        if isinstance(event, events.QuestionSelected):
            return f"Question #{event.question.number} is with the guest now."
        if isinstance(event, events.QuestionAnswered):
            return f"Answer posted under #{event.question.number}."
    return "Done." if outcome.events or outcome.replayed else "Nothing changed."


def _submitted(outcome: Outcome) -> str:
    question = outcome.question
    if question is None:
        return "Done."
    where = (
        "It waits for a moderator."
        if question.state is QuestionState.PENDING
        else "It is in the queue."
    )
    text = f"Thanks! Your question is #{question.number}. {where}"
    suggestion = outcome.suggestion
    if suggestion is not None:
        text += f" It looks like #{suggestion.number}: you can upvote that one too."
    return text


def register(
    app: AsyncApp,
    engine: Engine,
    *,
    publisher: Publisher | None = None,
    command: str = "/ama",
    all_actions: bool = False,
) -> SlackQA:
    """Attach the Q&A listeners to ``app``; returns the object that holds them.

    The engine must have ``publisher`` registered as a plugin for messages to be posted
    (``qa_core.app.build_engine(config, plugins=[publisher])``). ``all_actions`` makes the
    Q&A listener answer every block action, so a forged or stale id is explained rather than
    left unanswered; leave it off in an app that has buttons of its own (the standalone
    runner turns it on).
    """
    qa = SlackQA(engine, publisher=publisher)
    if publisher is not None:
        publisher.homes = qa.home_view  # the publisher keeps App Homes live with it
    app.command(command)(qa.on_command)
    # One listener for every action: ids are parsed, and forged ones refused, in translate.
    app.action(re.compile(r".*" if all_actions else r"^qa:"))(qa.on_action)
    app.view(re.compile(r"^qa:"))(qa.on_view)
    app.event("app_home_opened")(qa.on_home_opened)
    return qa


__all__ = ["SlackQA", "register"]
