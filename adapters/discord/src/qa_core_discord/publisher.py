"""The publisher: engine events → messages posted and edited in Discord.

Registered as a plugin at run time (``qa_on_event``). It never blocks a command: events are
queued and handled in order by one worker; count and board edits go through the
``Coalescer``, so a vote storm makes a bounded number of edits per message. Edits re-read the
question or board from the engine, so whichever edit runs last shows the latest state.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import attrs
import discord

import qa_core
from qa_core import (
    Actor,
    Engine,
    Event,
    ModerationMode,
    NotFound,
    QaError,
    Question,
    QuestionAnswered,
    QuestionApproved,
    QuestionEvent,
    QuestionRejected,
    QuestionSelected,
    QuestionsMerged,
    QuestionState,
    QuestionSubmitted,
    QuestionUnmerged,
    Role,
    SessionCreated,
    SessionState,
    SessionStateChanged,
    SessionUpdated,
    UserRef,
    VoteCast,
    VoteRetracted,
)

from . import render
from . import translate as t
from .coalesce import Coalescer
from .components import to_view
from .ledger import Ledger, Place, QuestionPlaces, SessionPlaces

log = logging.getLogger(__name__)

PUBLIC_STATES = frozenset(
    {QuestionState.APPROVED, QuestionState.DEFERRED, QuestionState.SELECTED, QuestionState.ANSWERED}
)
# What a moderator can still act on from a card: pending, or public under post-moderation.
MODERATABLE = frozenset({QuestionState.PENDING, QuestionState.APPROVED, QuestionState.DEFERRED})
OPEN_SESSION_STATES = frozenset({SessionState.SCHEDULED, SessionState.LIVE, SessionState.PAUSED})
CLOSED_NOTE = "session closed: no more moderation"


def reader(tenant: str) -> Actor:
    """The publisher's read-only identity: it sees what the audience sees, and never acts."""
    return Actor(UserRef(tenant, "qa-core-discord"), "QA Bot", frozenset({Role.PARTICIPANT}))


def moderators_reader(tenant: str) -> Actor:
    """The identity that reads what moderators' cards show (pending questions included)."""
    return Actor(UserRef(tenant, "qa-core-discord"), "QA Bot", frozenset({Role.MODERATOR}))


class DiscordPublisher:
    def __init__(
        self, client: discord.Client, *, edit_interval: float = 1.0, debounce: float = 0.25
    ) -> None:
        self.client = client
        self.engine: Engine | None = None
        self.coalescer = Coalescer(interval=edit_interval, debounce=debounce)
        self._queue: asyncio.Queue[Event] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._origins: dict[tuple[str, str], int] = {}

    # -- plugin hooks -----------------------------------------------------------------------

    @qa_core.hookimpl
    def qa_on_event(self, event: Event, engine: Engine) -> None:
        self.engine = engine
        self._queue.put_nowait(event)
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._work())

    @qa_core.hookimpl
    def qa_startup(self, engine: Engine) -> None:
        self.engine = engine

    # -- control ----------------------------------------------------------------------------

    def note_origin(self, tenant: str, user_id: int, channel_id: int) -> None:
        """Where ``user_id`` is creating a session: the announcement's fallback channel."""
        self._origins[(tenant, str(user_id))] = channel_id

    async def idle(self) -> None:
        """Wait until every queued event is handled and every edit has run (tests, shutdown)."""
        while True:
            await self._queue.join()
            await self.coalescer.drain()
            if self._queue.empty() and not self.coalescer.pending():
                return

    async def close(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
        await self.coalescer.close()

    async def resume(self, tenants: list[str]) -> None:
        """After a (re)start: bring every open session's announcement and board up to date."""
        engine = self._engine()
        for tenant in tenants:
            for session in await engine.views.sessions(reader(tenant)):
                if session.state in OPEN_SESSION_STATES:
                    self._refresh_announcement(tenant, session.id)
                    self._refresh_board(tenant, session.id)
                    continue
                # Closed while the bot was down (e.g. by the CLI): finish its messages now.
                places = await self.ledger.session(tenant, session.id)
                if places is not None and not places.closed:
                    self._refresh_announcement(tenant, session.id)
                    self._refresh_board(tenant, session.id)
                    await self._finish(tenant, session.id)

    @property
    def ledger(self) -> Ledger:
        return Ledger(self._engine().store)

    def _engine(self) -> Engine:
        if self.engine is None:
            raise RuntimeError("the publisher is not registered with a started engine")
        return self.engine

    # -- the worker -------------------------------------------------------------------------

    async def _work(self) -> None:
        while True:
            event = await self._queue.get()
            try:
                await self._handle(event)
            except Exception:
                log.exception("publishing %s failed", type(event).__name__)
            finally:
                self._queue.task_done()

    async def _handle(self, event: Event) -> None:
        if not event.actor.user.tenant.startswith(f"{t.PLATFORM}:"):
            return  # another platform's session, sharing the database
        if isinstance(event, SessionCreated):
            await self._session_created(event)
        elif isinstance(event, SessionUpdated | SessionStateChanged):
            tenant = event.actor.user.tenant
            self._refresh_announcement(tenant, event.session_id)
            self._refresh_board(tenant, event.session_id)
            if isinstance(event, SessionStateChanged) and event.after in render.FINISHED:
                await self._finish(tenant, event.session_id)
        elif isinstance(event, VoteCast | VoteRetracted):
            tenant = event.voter.tenant
            self._refresh_question(tenant, event.question_id, None)
            self._refresh_board(tenant, event.session_id)
        elif isinstance(event, QuestionEvent):
            await self._question_event(event)

    # -- sessions ---------------------------------------------------------------------------

    async def _session_created(self, event: SessionCreated) -> None:
        session, tenant = event.session, event.session.tenant
        engine = self._engine()
        settings = await engine.views.tenant_settings(reader(tenant))
        configured = t.id_list(settings.option(t.AMA_CHANNEL))
        origin = self._origins.pop((tenant, event.actor.user.id), None)
        channel = min(configured) if configured else origin
        if channel is None:
            log.warning("session %s: no AMA channel configured and no origin", session.id)
            return
        mods = t.id_list(settings.option(t.MOD_CHANNEL))
        places = SessionPlaces(channel=channel, mod_channel=min(mods) if mods else None)
        announcement = await self._send(channel, render.announcement(session))
        if announcement is not None and settings.option(t.THREADS) == "on":
            # The announcement stays in the channel; the AMA itself happens in its thread.
            name = render.thread_name(session)
            channel = await self._thread(tenant, announcement, name) or channel
            places = attrs.evolve(places, channel=channel)
        board_payload = render.board(await engine.views.summary(session.id, reader(tenant)), [])
        board = await self._send(channel, board_payload)
        places = SessionPlaces(
            channel=places.channel,
            mod_channel=places.mod_channel,
            announcement=announcement,
            board=board,
        )
        await self.ledger.save_session(tenant, session.id, places)

    async def _finish(self, tenant: str, session_id: int) -> None:
        """A closed session's messages stop inviting clicks: final counts, no live buttons.

        The announcement and board are refreshed by the caller; here every question message
        that still has an Upvote button, and every moderation card that still has controls,
        is edited through the coalescer (one edit per message, rate limits honoured).
        """
        places = await self.ledger.session(tenant, session_id)
        if places is None or places.closed:
            return
        views = self._engine().views
        session = await views.session(session_id, reader(tenant))
        # Cards keep their controls while pending, and under post-moderation while public.
        open_cards = (
            MODERATABLE
            if session.settings.moderation is ModerationMode.POST
            else frozenset({QuestionState.PENDING})
        )
        for question_id in await self.ledger.session_questions(tenant, session_id):
            try:
                question = await views.question(question_id, moderators_reader(tenant))
            except NotFound:
                continue
            if question.state in render.VOTABLE:
                self._refresh_question(tenant, question_id, None)
            known = await self.ledger.question(tenant, question_id)
            card_open = known.card_open
            if card_open is None:  # recorded by an older version: judge by the state
                card_open = question.state in open_cards
            if known.moderation is not None and card_open:
                self._close_card(tenant, question)
        await self.ledger.save_session(tenant, session_id, attrs.evolve(places, closed=True))

    def _close_card(self, tenant: str, question: Question) -> None:
        async def work() -> None:
            known = await self.ledger.question(tenant, question.id)
            if known.moderation is None:
                return
            await self._edit(known.moderation, render.moderation_done(question, CLOSED_NOTE))
            await self._update_places(tenant, question, card_open=False)

        self.coalescer.request(("card", tenant, question.id), work)

    def _refresh_announcement(self, tenant: str, session_id: int) -> None:
        async def work() -> None:
            places = await self.ledger.session(tenant, session_id)
            if places is None or places.announcement is None:
                return
            session = await self._engine().views.session(session_id, reader(tenant))
            await self._edit(places.announcement, render.announcement(session))

        self.coalescer.request(("announcement", tenant, session_id), work)

    def _refresh_board(self, tenant: str, session_id: int) -> None:
        async def work() -> None:
            places = await self.ledger.session(tenant, session_id)
            if places is None or places.board is None:
                return
            views, actor = self._engine().views, reader(tenant)
            summary = await views.summary(session_id, actor)
            top = await views.public_queue(session_id, actor, limit=render.BOARD_SIZE)
            await self._edit(places.board, render.board(summary, top))

        self.coalescer.request(("board", tenant, session_id), work)

    # -- questions --------------------------------------------------------------------------

    async def _question_event(self, event: QuestionEvent) -> None:
        question = event.question
        tenant = event.actor.user.tenant
        places = await self.ledger.session(tenant, question.session_id)
        if places is None:
            return
        if places.mod_channel is None:
            places = await self._late_mod_channel(tenant, question.session_id, places)
        await self._moderation_card(tenant, places, event)
        await self._public_message(tenant, places, question)
        if isinstance(event, QuestionsMerged):
            await self._public_message(tenant, places, event.duplicate)
            await self._moderation_card_for(
                tenant, event.duplicate, render.moderation_note(event.duplicate, event.actor.name)
            )
        if isinstance(event, QuestionUnmerged):
            await self._public_message(tenant, places, event.former_target)
        if isinstance(event, QuestionSelected):
            await self._post_near(tenant, places, question, render.selected_notice(question))
        if isinstance(event, QuestionAnswered):
            await self._answered(tenant, places, event)
        if isinstance(event, QuestionRejected):
            await self._dm(
                int(event.asker.id), render.rejected_dm(question, event.reason, event.message)
            )
        self._refresh_board(tenant, question.session_id)

    async def _late_mod_channel(
        self, tenant: str, session_id: int, places: SessionPlaces
    ) -> SessionPlaces:
        """A moderators' channel configured after the session was created applies from now."""
        settings = await self._engine().views.tenant_settings(reader(tenant))
        mods = t.id_list(settings.option(t.MOD_CHANNEL))
        if not mods:
            return places
        places = attrs.evolve(places, mod_channel=min(mods))
        await self.ledger.save_session(tenant, session_id, places)
        return places

    async def _moderation_card(
        self, tenant: str, places: SessionPlaces, event: QuestionEvent
    ) -> None:
        question = event.question
        if isinstance(event, QuestionSubmitted):
            if question.state in MODERATABLE and places.mod_channel is not None:
                card = render.moderation_card(question, event.suggestion)
                posted = await self._send(places.mod_channel, card)
                await self._update_places(tenant, question, moderation=posted, card_open=True)
            return
        if question.state in MODERATABLE and not isinstance(event, QuestionApproved):
            # Edited or pinned while waiting or public, or sent back to moderators by its author.
            await self._moderation_card_for(tenant, question, None)
            return
        note = render.moderation_note(question, event.actor.name)
        await self._moderation_card_for(tenant, question, note)

    async def _moderation_card_for(self, tenant: str, question: Question, note: str | None) -> None:
        known = await self.ledger.question(tenant, question.id)
        if known.moderation is None:
            if note is None:  # back to pending with no card yet: post one
                places = await self.ledger.session(tenant, question.session_id)
                if places is not None and places.mod_channel is not None:
                    posted = await self._send(
                        places.mod_channel, render.moderation_card(question, None)
                    )
                    await self._update_places(tenant, question, moderation=posted, card_open=True)
            return
        payload = (
            render.moderation_card(question, None)
            if note is None
            else render.moderation_done(question, note)
        )
        try:
            await self._edit(known.moderation, payload)
        except discord.HTTPException as error:  # e.g. the card was deleted by hand
            log.warning("editing the moderation card of question %s failed: %s", question.id, error)
            return
        if known.card_open is not (note is None):
            await self._update_places(tenant, question, card_open=note is None)

    async def _public_message(self, tenant: str, places: SessionPlaces, question: Question) -> None:
        known = await self.ledger.question(tenant, question.id)
        if known.public is None:
            if question.state in PUBLIC_STATES:
                posted = await self._send(places.channel, render.public_question(question))
                await self._update_places(tenant, question, public=posted)
            return
        self._refresh_question(tenant, question.id, question)

    def _refresh_question(self, tenant: str, question_id: int, snapshot: Question | None) -> None:
        """Re-render a public question from what the audience may see now.

        A question that left the public (rejected, withdrawn, reworded) is not readable by
        the audience any more: its latest event's snapshot is rendered, words hidden.
        """

        async def work() -> None:
            known = await self.ledger.question(tenant, question_id)
            if known.public is None:
                return
            views = self._engine().views
            try:
                question = await views.question(question_id, reader(tenant))
            except NotFound:
                if snapshot is None:
                    return
                question = snapshot
            session = await views.session(question.session_id, reader(tenant))
            closed = session.state in render.FINISHED
            await self._edit(known.public, render.public_question(question, closed=closed))

        self.coalescer.request(("question", tenant, question_id), work)

    async def _update_places(
        self,
        tenant: str,
        question: Question,
        *,
        public: Place | None = None,
        moderation: Place | None = None,
        card_open: bool | None = None,
    ) -> None:
        known = await self.ledger.question(tenant, question.id)
        await self.ledger.save_question(
            tenant,
            question.session_id,
            question.id,
            QuestionPlaces(
                public=public or known.public,
                moderation=moderation or known.moderation,
                card_open=known.card_open if card_open is None else card_open,
            ),
        )

    async def _post_near(
        self, tenant: str, places: SessionPlaces, question: Question, payload: render.Payload
    ) -> Place | None:
        """Post in the AMA channel, as a reply to the question's message when there is one."""
        known = await self.ledger.question(tenant, question.id)
        reference = known.public if known.public and known.public[0] == places.channel else None
        return await self._send(places.channel, payload, reply_to=reference)

    async def _answered(self, tenant: str, places: SessionPlaces, event: QuestionAnswered) -> None:
        question = event.question
        # A public ping would unmask an anonymous asker: they (and merged askers) get a DM.
        ping = None if question.anonymous else int(question.author.user.id)
        posts = render.answer_posts(question, ping)
        first: Place | None = None
        for payload in posts:
            posted = await self._post_near(tenant, places, question, payload)
            first = first or posted
        link = _link(tenant, first) if first else None
        for user in event.notify:
            if user.tenant == tenant and (ping is None or int(user.id) != ping):
                await self._dm(int(user.id), render.answered_dm(question, link))

    # -- Discord I/O ------------------------------------------------------------------------

    async def _send(
        self, channel_id: int, payload: render.Payload, *, reply_to: Place | None = None
    ) -> Place | None:
        channel = self.client.get_partial_messageable(channel_id)
        kwargs: dict[str, Any] = {"allowed_mentions": payload.allowed_mentions}
        if payload.content is not None:
            kwargs["content"] = payload.content
        if payload.embed is not None:
            kwargs["embed"] = payload.embed
        if payload.buttons:
            kwargs["view"] = to_view(payload.buttons)
        if reply_to is not None:
            kwargs["reference"] = discord.MessageReference(
                message_id=reply_to[1], channel_id=reply_to[0], fail_if_not_exists=False
            )
        try:
            message = await channel.send(**kwargs)
        except discord.HTTPException as error:
            log.warning("posting in channel %s failed: %s", channel_id, error)
            return None
        return (channel_id, message.id)

    async def _thread(self, tenant: str, starter: Place, name: str) -> int | None:
        guild_id = int(tenant.removeprefix(f"{t.PLATFORM}:"))
        channel = self.client.get_partial_messageable(starter[0], guild_id=guild_id)
        try:
            thread = await channel.get_partial_message(starter[1]).create_thread(name=name)
        except (discord.HTTPException, ValueError) as error:
            log.warning("no thread for the AMA in channel %s: %s", starter[0], error)
            return None
        return thread.id

    async def _edit(self, place: Place, payload: render.Payload) -> None:
        channel = self.client.get_partial_messageable(place[0])
        message = channel.get_partial_message(place[1])
        await message.edit(
            content=payload.content,
            embed=payload.embed,
            view=to_view(payload.buttons) if payload.buttons else None,
            allowed_mentions=payload.allowed_mentions,
        )

    async def _dm(self, user_id: int, payload: render.Payload) -> None:
        try:
            channel = await self.client.create_dm(discord.Object(id=user_id))
            await channel.send(content=payload.content, allowed_mentions=payload.allowed_mentions)
        except (discord.HTTPException, QaError) as error:
            log.info("could not DM user %s: %s", user_id, error)


def _link(tenant: str, place: Place) -> str:
    guild = tenant.removeprefix(f"{t.PLATFORM}:")
    return f"https://discord.com/channels/{guild}/{place[0]}/{place[1]}"
