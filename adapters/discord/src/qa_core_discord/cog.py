"""The glue: ``/ama`` slash commands, button clicks and modal submits.

Every handler acknowledges first (a deferred ephemeral response, within Discord's 3 s even
when the store is slow), then resolves the actor, translates, runs the engine and follows up
with the outcome or the engine's refusal in words. No rule is decided here.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from qa_core import (
    Actor,
    AnswerQuestion,
    Command,
    Engine,
    InvalidInput,
    MergeQuestions,
    NextQuestion,
    Person,
    QaError,
    Scheduler,
)

from . import render
from . import translate as t
from .components import COG_NAME, QaButton, modal_for
from .components import ask_modal as build_ask_modal
from .publisher import DiscordPublisher
from .replies import Reply, acknowledge, click_key, refuse_now, send

log = logging.getLogger(__name__)

Work = Callable[[Actor], Awaitable[Reply]]


class AmaCog(commands.Cog, name=COG_NAME):
    """AMA sessions: ``/ama`` commands, persistent buttons, and the publisher's lifecycle."""

    ama = app_commands.Group(name="ama", description="Ask-me-anything sessions", guild_only=True)

    def __init__(
        self,
        bot: commands.Bot,
        engine: Engine,
        publisher: DiscordPublisher,
        *,
        own_engine: bool = True,
        schedule_interval: float = 30.0,
    ) -> None:
        self.bot = bot
        self.engine = engine
        self.publisher = publisher
        self._own_engine = own_engine
        self.scheduler = Scheduler.for_tenants(
            engine,
            lambda: [t.tenant_of(g.id) for g in self.bot.guilds],
            interval=schedule_interval,
        )
        self.prefill_budget = 1.0  # seconds a modal may wait for the store (Discord allows 3)
        self._resumed = False
        self.resumed = asyncio.Event()  # set once open sessions are re-rendered after start

    # -- lifecycle --------------------------------------------------------------------------

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(QaButton)
        if self._own_engine:
            await self.engine.start()
        self.publisher.engine = self.engine
        if self.bot.is_ready():
            await self._resume()

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(QaButton)
        await self.scheduler.stop()
        await self.publisher.close()
        if self._own_engine:
            await self.engine.stop()

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        await self._resume()

    async def _resume(self) -> None:
        if self._resumed:
            return
        self._resumed = True
        try:
            await self.publisher.resume([t.tenant_of(g.id) for g in self.bot.guilds])
        except Exception:
            log.exception("resuming the open sessions failed")
        finally:
            self.resumed.set()
        self.scheduler.start()  # after the resume: what opens now is published normally

    # -- the common path: ack, actor, engine, reply -------------------------------------------

    async def _actor(self, interaction: discord.Interaction[Any]) -> Actor:
        guild = interaction.guild
        user = interaction.user
        if guild is None or not isinstance(user, discord.Member):
            raise InvalidInput("AMAs happen in servers; use this in a server channel.")
        perms = interaction.permissions
        facts = t.MemberFacts(
            user_id=user.id,
            name=user.display_name,
            role_ids=frozenset(role.id for role in user.roles),
            manage_messages=perms.manage_messages,
            manage_guild=perms.manage_guild,
            administrator=perms.administrator,
        )
        bare = Actor(t.user_ref(guild.id, user.id), user.display_name)
        settings = await self.engine.views.tenant_settings(bare)
        return t.actor_for(guild.id, facts, settings)

    async def _respond(self, interaction: discord.Interaction[Any], work: Work) -> None:
        if not await acknowledge(interaction):
            return
        try:
            reply = await work(await self._actor(interaction))
        except QaError as error:
            reply = render.error_reply(str(error))
        except Exception:
            log.exception("interaction %s failed", interaction.id)
            reply = render.error_reply("Something went wrong on our side; it has been logged.")
        await send(interaction, reply)

    async def _run(self, actor: Actor, command: Command) -> Reply:
        outcome = await self.engine.execute(command, actor)
        reply = render.outcome_reply(outcome.events)
        buttons = render.suggestion_buttons(outcome.suggestion)
        return render.Payload(content=reply, buttons=buttons) if buttons else reply

    async def _session(self, actor: Actor, requested: int | None, *, finished: bool = False) -> int:
        if requested is not None:
            return requested
        sessions = await self.engine.views.sessions(actor)
        return t.pick_session(sessions, None, finished=finished)

    async def _question_id(self, actor: Actor, session_id: int, number: int) -> int:
        """The id of question #``number``, as far as ``actor`` may see it (NotFound otherwise).

        Read from the store, so questions the bot never saw (asked while it was down, or
        through another adapter or a replay) are found too.
        """
        return (await self.engine.views.question_by_number(session_id, number, actor)).id

    def _key(self, interaction: discord.Interaction[Any]) -> str:
        return t.interaction_key(interaction.id)

    # -- buttons and modals -----------------------------------------------------------------

    async def on_button(self, interaction: discord.Interaction[Any], custom_id: str) -> None:
        try:
            component = t.parse_custom_id(custom_id)
            if component.modal:
                raise InvalidInput("That button is not one of ours.")
        except QaError as error:
            await refuse_now(interaction, str(error))
            return
        if t.opens_modal(component):
            current = None
            if component.verb == "edit":
                try:
                    current = await self._current_text(interaction, component.id)
                except QaError as error:  # e.g. not a question this person may see
                    await refuse_now(interaction, str(error))
                    return
            try:
                await interaction.response.send_modal(modal_for(component, current))
            except discord.HTTPException as error:
                log.info("modal for interaction %s not opened: %s", interaction.id, error)
            return
        key = click_key(interaction, custom_id)

        async def work(actor: Actor) -> Reply:
            command = t.click_command(component, key)
            if component.verb == "next":
                return await self._next(actor, command)
            return await self._run(actor, command)

        await self._respond(interaction, work)

    async def _current_text(
        self, interaction: discord.Interaction[Any], question_id: int
    ) -> str | None:
        """The question's text as the clicker may see it, to prefill the Edit form.

        A modal must be the first response, so this read happens before any acknowledgement:
        it gets ``prefill_budget`` seconds, after which the form opens empty rather than late.
        """

        async def read() -> str:
            actor = await self._actor(interaction)
            return (await self.engine.views.question(question_id, actor)).text

        try:
            return await asyncio.wait_for(read(), timeout=self.prefill_budget)
        except TimeoutError:
            log.info("question %s: the Edit form opens empty (slow store)", question_id)
            return None

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data: dict[str, Any] = dict(interaction.data or {})
        custom_id = data.get("custom_id")
        if not isinstance(custom_id, str) or not custom_id.startswith(f"{t.PREFIX}:"):
            return  # someone else's modal
        try:
            component = t.parse_custom_id(custom_id)
            if not component.modal:
                raise InvalidInput("That form is not one of ours.")
        except QaError as error:
            await refuse_now(interaction, str(error))
            return
        values = t.modal_values(data)
        key = self._key(interaction)

        async def work(actor: Actor) -> Reply:
            current = None
            if component.verb == "asknow":
                if component.id != interaction.guild_id:
                    raise InvalidInput("That form belongs to another server.")
                current = await self._session(actor, None)
            command = t.modal_command(component, values, key, current_session=current)
            if isinstance(command, t.MergeByNumber):
                duplicate = await self.engine.views.question(command.duplicate_id, actor)
                into = await self._question_id(actor, duplicate.session_id, command.into_number)
                command = MergeQuestions(
                    duplicate_id=command.duplicate_id, into_id=into, idempotency_key=key
                )
            return await self._run(actor, command)

        await self._respond(interaction, work)

    async def _next(self, actor: Actor, command: Command) -> Reply:
        outcome = await self.engine.execute(command, actor)
        selected = outcome.question
        session_id = selected.session_id if selected else getattr(command, "session_id", 0)
        upcoming = await self.engine.views.next_up(session_id, actor)
        return render.stage_card(selected, upcoming)

    # -- slash commands ---------------------------------------------------------------------

    @ama.command(name="create", description="Create (or schedule) an AMA")
    @app_commands.describe(
        title="What the AMA is about",
        intro="The announcement's introduction",
        guests="The guests, as mentions (@name @name)",
        moderators="Extra moderators for this AMA, as mentions",
        start="When it starts, e.g. 2026-12-01 18:00 (UTC); leave empty to start by hand",
    )
    async def create(
        self,
        interaction: discord.Interaction[Any],
        title: app_commands.Range[str, 1, 200],
        intro: app_commands.Range[str, 0, 4000] | None = None,
        guests: str | None = None,
        moderators: str | None = None,
        start: str | None = None,
    ) -> None:
        key = self._key(interaction)

        async def work(actor: Actor) -> Reply:
            guest_people = await self._people(interaction, t.user_ids(guests))
            moderator_people = await self._people(interaction, t.user_ids(moderators))
            command = t.create_command(
                actor.user.tenant,
                title=title,
                intro=intro,
                guests=guest_people,
                moderators=moderator_people,
                start=start,
                key=key,
            )
            if interaction.channel_id is not None:
                self.publisher.note_origin(
                    actor.user.tenant, interaction.user.id, interaction.channel_id
                )
            outcome = await self.engine.execute(command, actor)
            session = outcome.session
            if session is None:
                return "Done."
            settings = await self.engine.views.tenant_settings(actor)
            note = ""
            if settings.option(t.MOD_CHANNEL) is None:
                note = (
                    "\nNo moderators' channel is set: questions waiting for a moderator get "
                    "no cards (and /ama queue only counts them) until a host runs "
                    "/ama settings mod_channel."
                )
            if session.scheduled_start is not None:
                stamp = int(session.scheduled_start.timestamp())
                when = f"It opens by itself at <t:{stamp}:F> (or sooner with /ama open)."
            else:
                when = "Open it with /ama open when it starts."
            return f"Created session {session.id}: {render.safe(session.title)}. {when}{note}"

        await self._respond(interaction, work)

    async def _people(self, interaction: discord.Interaction[Any], ids: list[int]) -> list[Person]:
        guild = interaction.guild
        assert guild is not None
        people = []
        for user_id in ids:
            member = guild.get_member(user_id)
            if member is None:
                try:
                    member = await guild.fetch_member(user_id)
                except discord.HTTPException:
                    raise InvalidInput(f"User {user_id} is not a member of this server.") from None
            people.append(t.person(guild.id, member.id, member.display_name))
        return people

    async def _lifecycle(
        self, interaction: discord.Interaction[Any], verb: str, session: int | None
    ) -> None:
        key = self._key(interaction)

        async def work(actor: Actor) -> Reply:
            session_id = await self._session(actor, session)
            await self.engine.execute(t.lifecycle_command(verb, session_id, key), actor)
            state = (await self.engine.views.session(session_id, actor)).state
            return f"Session {session_id} is now {state.value}."

        await self._respond(interaction, work)

    @ama.command(name="open", description="Open an AMA: the guest starts taking questions")
    async def open_(
        self, interaction: discord.Interaction[Any], session: int | None = None
    ) -> None:
        await self._lifecycle(interaction, "open", session)

    @ama.command(name="pause", description="Pause an AMA (questions are still collected)")
    async def pause(
        self, interaction: discord.Interaction[Any], session: int | None = None
    ) -> None:
        await self._lifecycle(interaction, "pause", session)

    @ama.command(name="resume", description="Resume a paused AMA")
    async def resume(
        self, interaction: discord.Interaction[Any], session: int | None = None
    ) -> None:
        await self._lifecycle(interaction, "resume", session)

    @ama.command(name="close", description="Close an AMA")
    async def close(
        self, interaction: discord.Interaction[Any], session: int | None = None
    ) -> None:
        await self._lifecycle(interaction, "close", session)

    @ama.command(name="ask", description="Ask a question (a form opens)")
    @app_commands.describe(
        session="Session number (default: the live one)", anonymous="Hide your name from everyone"
    )
    async def ask(
        self,
        interaction: discord.Interaction[Any],
        session: int | None = None,
        anonymous: bool = False,
    ) -> None:
        # The modal is the acknowledgement; choosing the live session waits for the submit.
        guild_id = interaction.guild_id
        if guild_id is None:
            await refuse_now(interaction, "AMAs happen in servers.")
            return
        try:
            if session is None:
                modal = build_ask_modal(0, anonymous=anonymous, current_guild=guild_id)
            else:
                modal = build_ask_modal(session, anonymous=anonymous)
        except QaError as error:  # a session number no id can be
            await refuse_now(interaction, str(error))
            return
        await interaction.response.send_modal(modal)

    @ama.command(name="queue", description="The questions waiting, most wanted first")
    async def queue(
        self, interaction: discord.Interaction[Any], session: int | None = None
    ) -> None:
        async def work(actor: Actor) -> Reply:
            session_id = await self._session(actor, session)
            views = self.engine.views
            found = await views.session(session_id, actor)
            top = await views.public_queue(session_id, actor, limit=15)
            pending: int | None = None
            try:
                pending = len(await views.moderation_queue(session_id, actor, limit=100))
            except QaError:
                pending = None  # not a moderator: they do not see the pending count
            return render.queue_listing(found, top, pending)

        await self._respond(interaction, work)

    @ama.command(name="next", description="Put the next question to the guest")
    async def next_(
        self, interaction: discord.Interaction[Any], session: int | None = None
    ) -> None:
        key = self._key(interaction)

        async def work(actor: Actor) -> Reply:
            session_id = await self._session(actor, session)
            return await self._next(actor, NextQuestion(session_id=session_id, idempotency_key=key))

        await self._respond(interaction, work)

    @ama.command(name="stage", description="What is with the guest now, and what comes next")
    async def stage(
        self, interaction: discord.Interaction[Any], session: int | None = None
    ) -> None:
        async def work(actor: Actor) -> Reply:
            session_id = await self._session(actor, session)
            upcoming = await self.engine.views.next_up(session_id, actor)
            summary = await self.engine.views.summary(session_id, actor)
            return render.stage_card(summary.on_stage, upcoming)

        await self._respond(interaction, work)

    @ama.command(name="answer", description="Answer the question on stage (or one by number)")
    @app_commands.describe(text="The answer", question="Question number (default: on stage)")
    async def answer(
        self,
        interaction: discord.Interaction[Any],
        text: str,
        question: int | None = None,
        session: int | None = None,
    ) -> None:
        key = self._key(interaction)

        async def work(actor: Actor) -> Reply:
            session_id = await self._session(actor, session)
            if question is None:
                on_stage = (await self.engine.views.summary(session_id, actor)).on_stage
                if on_stage is None:
                    raise InvalidInput("No question is on stage; name one with question:.")
                question_id = on_stage.id
            else:
                question_id = await self._question_id(actor, session_id, question)
            command = AnswerQuestion(question_id=question_id, text=text, idempotency_key=key)
            return await self._run(actor, command)

        await self._respond(interaction, work)

    @ama.command(name="withdraw", description="Withdraw one of your questions")
    async def withdraw(
        self, interaction: discord.Interaction[Any], question: int, session: int | None = None
    ) -> None:
        key = self._key(interaction)

        async def work(actor: Actor) -> Reply:
            session_id = await self._session(actor, session)
            question_id = await self._question_id(actor, session_id, question)
            await self.engine.execute(t.withdraw_command(question_id, key), actor)
            return f"Question #{question} is withdrawn."

        await self._respond(interaction, work)

    @ama.command(name="export", description="The transcript as a file")
    @app_commands.describe(
        format="md: the public transcript; json/csv: the full record (moderators)"
    )
    async def export(
        self,
        interaction: discord.Interaction[Any],
        session: int | None = None,
        format: Literal["md", "json", "csv"] = "md",
    ) -> None:
        if not await acknowledge(interaction):
            return
        try:
            actor = await self._actor(interaction)
            session_id = await self._session(actor, session, finished=True)
            exporter = self.engine.hooks.exporters[format]
            transcript = await self.engine.views.transcript(session_id, actor, full=exporter.full)
            data = exporter.render(transcript).encode("utf-8")
        except QaError as error:
            await send(interaction, render.error_reply(str(error)))
            return
        except Exception:
            log.exception("export for interaction %s failed", interaction.id)
            await send(interaction, render.error_reply("The export failed; it has been logged."))
            return
        name = f"ama-{session_id}{exporter.suffix}"
        await send(
            interaction,
            f"Transcript of session {session_id}.",
            file=discord.File(io.BytesIO(data), filename=name),
        )

    @ama.command(name="settings", description="This server's AMA settings (hosts only to change)")
    @app_commands.describe(
        moderator_roles="Roles that moderate (mentions; 'none' for Manage Messages)",
        host_roles="Roles that host (mentions; 'none' for Manage Server)",
        moderation="pre: approve before public; post: public at once",
        strategy="How the next question is chosen: top, newest, hot, representative",
        ama_channel="Where announcements, questions and answers go",
        mod_channel="Where pending questions wait for moderators",
        threads="Run each AMA in a thread under its announcement",
    )
    async def settings(
        self,
        interaction: discord.Interaction[Any],
        moderator_roles: str | None = None,
        host_roles: str | None = None,
        moderation: Literal["pre", "post"] | None = None,
        strategy: str | None = None,
        ama_channel: discord.TextChannel | None = None,
        mod_channel: discord.TextChannel | None = None,
        threads: bool | None = None,
    ) -> None:
        key = self._key(interaction)

        async def work(actor: Actor) -> Reply:
            current = await self.engine.views.tenant_settings(actor)
            command = t.settings_command(
                actor.user.tenant,
                current,
                moderator_roles=moderator_roles,
                host_roles=host_roles,
                moderation=moderation,
                strategy=strategy,
                ama_channel=ama_channel.id if ama_channel else None,
                mod_channel=mod_channel.id if mod_channel else None,
                threads=threads,
                key=key,
            )
            if command is not None:
                await self.engine.execute(command, actor)
                current = await self.engine.views.tenant_settings(actor)
            return render.settings_summary(current)

        await self._respond(interaction, work)
