"""A local fake of Discord (REST + gateway on 127.0.0.1) that the real discord.py connects to.

Adapter tests run the real ``discord.Client`` / ``commands.Bot`` against it: the fake logs the
bot in, sends READY and GUILD_CREATE, lets the test dispatch slash commands, button clicks and
modal submits, and records every REST call the bot makes while enforcing Discord's limits,
deadlines and rate limits. See ``FakeDiscord`` for a usage example.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any

import discord
import discord.gateway
import discord.http
import yarl
from aiohttp import web

from .gateway import Gateway
from .interactions import (
    Place,
    command_data,
    component_data,
    interaction_payload,
    modal_submit_data,
)
from .limits import MAX_UPLOAD_BYTES
from .ratelimit import RateLimiter, RateLimitRule
from .records import (
    ChangeSignal,
    InteractionHandle,
    MentionViolation,
    RecordedRequest,
    Routes,
    mention_violations,
)
from .rest import RestApi
from .state import (
    APPLICATION_COMMAND,
    DM,
    JSON,
    MESSAGE_COMPONENT,
    MODAL,
    MODAL_SUBMIT,
    MODERATOR_PERMISSIONS,
    Clock,
    FakeChannel,
    FakeClock,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeState,
    FakeUser,
)


@contextlib.contextmanager
def patch_discord(api_base: str, gateway_url: str) -> Iterator[None]:
    """Point discord.py's REST base and default gateway at the fake; restore them afterwards.

    Webhooks and interaction callbacks build their URLs from the same ``Route.BASE``, and a
    plain ``Client`` connects to ``DEFAULT_GATEWAY`` without asking ``GET /gateway``.
    """
    route, websocket = discord.http.Route, discord.gateway.DiscordWebSocket
    saved = (route.BASE, websocket.DEFAULT_GATEWAY)
    route.BASE, websocket.DEFAULT_GATEWAY = api_base, yarl.URL(gateway_url)
    try:
        yield
    finally:
        route.BASE, websocket.DEFAULT_GATEWAY = saved


class FakeDiscord:
    """Fake Discord API for end-to-end tests of a discord.py bot.

    Usage::

        async with FakeDiscord() as fake:            # server up, discord.py patched
            bot = commands.Bot(command_prefix="!", intents=discord.Intents.default(),
                               guild_ready_timeout=0.05)   # else on_ready waits 2 s
            async with fake.running(bot):            # logged in, on_ready fired
                handle = await fake.slash_command("ama ask", {"question": "Why?"})
                responses = await handle             # waits for the interaction callback
                assert responses.callback.type == 4
                fake.assert_no_mass_mentions()

    A default guild ``fake.guild`` has roles ``@everyone`` and ``Moderator`` (Manage Messages),
    text channels ``general`` and ``ama``, and members ``alice``, ``bob`` and ``mod``. Build
    more with ``add_guild``/``add_role``/``add_text_channel``/``add_member`` *before* the bot
    connects: the fake does not send update events for later changes.
    """

    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        clock: Clock | None = None,
        default_guild: bool = True,
        interaction_deadline: float = 3.0,
        token_lifetime: float = 15 * 60.0,
        default_rate_limit: tuple[int, float] = (50, 1.0),
        patch: bool = True,
    ) -> None:
        self.token = token
        self.clock: Clock = clock or FakeClock()
        self.state = FakeState(self.clock)
        self.signal = ChangeSignal()
        self.limiter = RateLimiter(self.clock, *default_rate_limit)
        self.rest = RestApi(
            self.state,
            self.limiter,
            self.signal,
            token=token,
            gateway_url=lambda: self.gateway_url,
            interaction_deadline=interaction_deadline,
            token_lifetime=token_lifetime,
        )
        self.gateway = Gateway(self.state, self.signal, lambda: self.gateway_url)
        self._patch = patch
        self._runner: web.AppRunner | None = None
        self._patcher: contextlib.ExitStack | None = None
        self._port = 0
        self.guild: FakeGuild | None = self._default_guild() if default_guild else None

    # -- lifecycle ------------------------------------------------------------------------

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Serve on an ephemeral port of 127.0.0.1 and, unless ``patch=False``, patch discord.py."""
        app = web.Application(
            middlewares=[self.rest.middleware], client_max_size=MAX_UPLOAD_BYTES * 2
        )
        app.router.add_get("/", self.gateway.handle)
        app.router.add_routes([*self.rest.routes(), self.rest.unmatched_route()])
        app.on_shutdown.append(lambda _: self.gateway.close())
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        self.state.cdn_base = self.url
        if self._patch:
            self._patcher = contextlib.ExitStack()
            self._patcher.enter_context(patch_discord(self.api_url, self.gateway_url))

    async def stop(self) -> None:
        if self._patcher is not None:
            self._patcher.close()
            self._patcher = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self._port}/"

    def patch_discord(self) -> contextlib.AbstractContextManager[None]:
        """The patch on its own, for ``FakeDiscord(patch=False)``."""
        return patch_discord(self.api_url, self.gateway_url)

    @contextlib.asynccontextmanager
    async def running(
        self, client: discord.Client, *, timeout: float = 5.0, token: str | None = None
    ) -> AsyncIterator[discord.Client]:
        """Start ``client`` (with the fake's token by default); yield once ready; close it.

        The client should be built with ``guild_ready_timeout=0.05``: discord.py otherwise
        waits 2 s after the last GUILD_CREATE before firing ``on_ready``.
        """
        task = asyncio.create_task(client.start(token or self.token))
        try:
            async with asyncio.timeout(timeout):
                while not client.is_ready():
                    if task.done():
                        task.result()
                        raise RuntimeError("the client stopped before it became ready")
                    await asyncio.sleep(0.005)
            yield client
        finally:
            await client.close()
            with contextlib.suppress(Exception):
                await task

    def advance(self, seconds: float) -> None:
        """Move the fake's clock forward (needs the default ``FakeClock`` or one like it)."""
        if not isinstance(self.clock, FakeClock):
            raise TypeError("advance() needs a FakeClock; move your own clock instead")
        self.clock.advance(seconds)

    # -- world building -------------------------------------------------------------------

    def _default_guild(self) -> FakeGuild:
        guild = self.add_guild("QA Guild")
        moderator = self.add_role(guild, "Moderator", permissions=MODERATOR_PERMISSIONS)
        self.add_text_channel(guild, "general")
        self.add_text_channel(guild, "ama")
        self.add_member(guild, "alice")
        self.add_member(guild, "bob")
        self.add_member(guild, "mod", roles=(moderator,))
        return guild

    def add_guild(self, name: str) -> FakeGuild:
        return self.state.add_guild(name)

    def add_role(
        self, guild: FakeGuild, name: str, *, permissions: int = 0, mentionable: bool = False
    ) -> FakeRole:
        return self.state.add_role(guild, name, permissions=permissions, mentionable=mentionable)

    def add_text_channel(self, guild: FakeGuild, name: str) -> FakeChannel:
        return self.state.add_channel(guild, name)

    def add_user(self, username: str, *, global_name: str | None = None) -> FakeUser:
        return self.state.add_user(username, global_name=global_name)

    def add_member(
        self,
        guild: FakeGuild,
        user: str | FakeUser,
        *,
        roles: Sequence[FakeRole] = (),
        nick: str | None = None,
    ) -> FakeMember:
        if isinstance(user, str):
            user = self.state.add_user(user)
        return self.state.add_member(guild, user, roles=roles, nick=nick)

    def add_message(
        self,
        channel: FakeChannel,
        content: str = "",
        *,
        components: Sequence[JSON] = (),
        embeds: Sequence[JSON] = (),
        author: FakeUser | None = None,
    ) -> JSON:
        """Seed a message (by default the bot's), e.g. a board posted before a restart."""
        body = {"content": content, "components": list(components), "embeds": list(embeds)}
        return self.state.create_message(channel, body, author=author or self.state.bot_user)

    def refuse_dms(self, user: FakeUser) -> None:
        """Make sends to ``user``'s DM channel fail with 403 / 50007, like closed DMs."""
        self.state.dm_refused.add(user.id)

    # -- rate limits ----------------------------------------------------------------------

    def add_rate_limit(
        self, method: str, route: str, *, limit: int, per: float, bucket: str | None = None
    ) -> None:
        """A bucket for ``route`` (a ``Routes`` template), per channel/guild/webhook."""
        self.limiter.add_rule(RateLimitRule(method, route, limit, per, bucket))

    def rate_limit_next(
        self,
        method: str,
        route: str,
        *,
        count: int = 1,
        retry_after: float = 0.05,
        is_global: bool = False,
    ) -> None:
        """Answer the next ``count`` requests to ``route`` with 429 (honoured by discord.py)."""
        self.limiter.script(
            method, route, count=count, retry_after=retry_after, is_global=is_global
        )

    # -- driving the bot ------------------------------------------------------------------

    async def dispatch(self, event: str, data: JSON) -> None:
        """Send any gateway event to the connected bot."""
        await self.gateway.dispatch(event, data)

    async def wait_until_connected(self, timeout: float = 5.0) -> None:
        """Wait for a client to identify (``running`` already waits for ``on_ready``)."""
        await self.signal.wait_for(
            lambda: True if self.gateway.connected else None,
            timeout=timeout,
            what="a client to identify",
        )

    async def slash_command(
        self,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        member: FakeMember | None = None,
        channel: FakeChannel | None = None,
        user: FakeUser | None = None,
        permissions: int | None = None,
    ) -> InteractionHandle:
        """Invoke ``/command`` (``"ama ask"``: command ``ama``, subcommand ``ask``).

        ``options`` map names to str/int/float/bool values. Pass ``user`` for a DM invocation,
        otherwise ``member`` (default: ``alice`` or the guild's first human) in ``channel``.
        ``permissions`` overrides the member's computed permission bitfield.
        """
        parts = command.split()
        where = self._place(channel, member, user)
        data = command_data(self.state, parts, options or {}, where.guild_id)
        return await self._interact(APPLICATION_COMMAND, data, where, permissions=permissions)

    async def click(
        self,
        message: JSON | int,
        custom_id: str,
        *,
        member: FakeMember | None = None,
        user: FakeUser | None = None,
        values: Sequence[str] | None = None,
        permissions: int | None = None,
        forge: bool = False,
        shown: JSON | None = None,
    ) -> InteractionHandle:
        """Press a button (or pick ``values`` in a select) on a message the fake holds.

        Like Discord, only custom ids present on that message can be used -- unless ``forge``:
        then the click carries ``custom_id`` anyway, with the button added to the message the
        interaction shows, as a modified client or a stale message could.

        ``shown``: a copy of the message taken earlier, sent as the message the click was made
        on (default: the message as it is now). It is how the second click of a double click
        looks when both were made before the bot's edit but this one arrives after it.
        """
        message_id = int(message if isinstance(message, int) else message["id"])
        stored = self.state.messages[message_id]
        if shown is not None:
            if int(shown["id"]) != message_id:
                raise ValueError("shown must be a copy of the clicked message")
            stored = dict(shown)
        if forge:
            button = {"type": 2, "style": 2, "label": "forged", "custom_id": custom_id}
            stored = dict(stored)
            stored["components"] = [
                *(stored.get("components") or []),
                {"type": 1, "components": [button]},
            ]
        data = component_data(stored, custom_id, values)
        channel = self.state.channels[int(stored["channel_id"])]
        where = self._place(channel, member, user)
        return await self._interact(
            MESSAGE_COMPONENT, data, where, permissions=permissions, message=stored
        )

    async def submit_modal(
        self,
        origin: InteractionHandle,
        values: Mapping[str, str],
        *,
        permissions: int | None = None,
    ) -> InteractionHandle:
        """Submit the modal the bot opened in answer to ``origin``, as the same person.

        Values are checked against the modal's inputs (unknown ids, required, min/max length)
        because the Discord client would not let a user submit anything else.
        """
        callback = origin.callback
        if callback is None or callback.type != MODAL or callback.data is None:
            raise ValueError(f"{origin!r} was not answered with a modal")
        data = modal_submit_data(callback.data, values)
        where = self._origin_place(origin)
        message_id = origin.payload.get("message", {}).get("id")
        message = self.state.messages.get(int(message_id)) if message_id else None
        return await self._interact(
            MODAL_SUBMIT, data, where, permissions=permissions, message=message
        )

    async def redeliver(self, handle: InteractionHandle) -> InteractionHandle:
        """Send the same INTERACTION_CREATE again (same id and token), as a gateway replay would."""
        await self.gateway.dispatch("INTERACTION_CREATE", handle.payload)
        return handle

    def _place(
        self, channel: FakeChannel | None, member: FakeMember | None, user: FakeUser | None
    ) -> Place:
        if user is not None or (channel is not None and channel.type == DM):
            person = user or (channel.recipient if channel else None)
            assert person is not None, "a DM interaction needs a user"
            return Place(channel or self.state.dm_channel(person), None, person)
        guild = self._guild_of(channel, member)
        channel = channel or next(c for c in guild.channels.values() if c.type == 0)
        member = member or self._default_member(guild)
        return Place(channel, member, member.user)

    def _origin_place(self, origin: InteractionHandle) -> Place:
        channel = self.state.channels[int(origin.payload["channel_id"])]
        if "member" in origin.payload:
            guild = self.state.guilds[int(origin.payload["guild_id"])]
            member = guild.members[int(origin.payload["member"]["user"]["id"])]
            return Place(channel, member, member.user)
        return Place(channel, None, self.state.users[int(origin.payload["user"]["id"])])

    def _guild_of(self, channel: FakeChannel | None, member: FakeMember | None) -> FakeGuild:
        guild_id = channel.guild_id if channel else member.guild_id if member else None
        guild = self.state.guilds.get(guild_id) if guild_id else self.guild
        if guild is None:
            raise ValueError("no guild: pass a channel or member, or keep the default guild")
        return guild

    def _default_member(self, guild: FakeGuild) -> FakeMember:
        humans = [m for m in guild.members.values() if not m.user.bot]
        return next((m for m in humans if m.user.username == "alice"), humans[0])

    async def _interact(
        self,
        kind: int,
        data: JSON,
        where: Place,
        *,
        permissions: int | None,
        message: JSON | None = None,
    ) -> InteractionHandle:
        payload = interaction_payload(self.state, kind, data, where, permissions)
        if message is not None:
            payload["message"] = dict(message)
        interaction = self.state.new_interaction(kind, payload, where.channel.id)
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        return InteractionHandle(interaction, self.state, self.signal, lambda: self.rest.records)

    # -- inspecting what happened ---------------------------------------------------------

    def requests(
        self, method: str | None = None, route: str | None = None
    ) -> list[RecordedRequest]:
        """Recorded requests, oldest first, filtered by method and ``Routes`` template."""
        return [
            r
            for r in self.rest.records
            if (method is None or r.method == method) and (route is None or r.route == route)
        ]

    def unmatched_requests(self) -> list[RecordedRequest]:
        return self.requests(route=Routes.UNMATCHED)

    async def wait_for_requests(
        self, method: str, route: str, *, count: int = 1, timeout: float = 2.0
    ) -> list[RecordedRequest]:
        """Wait until the bot has made ``count`` such requests (its work runs after the ack)."""

        def probe() -> list[RecordedRequest] | None:
            found = self.requests(method, route)
            return found if len(found) >= count else None

        return await self.signal.wait_for(
            probe, timeout=timeout, what=f"{count} x {method} {route}"
        )

    def messages(self, channel: FakeChannel | int) -> list[JSON]:
        """Messages currently in a channel (ephemeral ones included, flagged 64), oldest first."""
        channel_id = channel if isinstance(channel, int) else channel.id
        return self.state.channel_messages_of(channel_id)

    def message(self, message_id: int | str) -> JSON:
        return self.state.messages[int(message_id)]

    def channel(self, channel_id: int | str) -> FakeChannel:
        return self.state.channels[int(channel_id)]

    @property
    def identifies(self) -> list[JSON]:
        """IDENTIFY payloads received (intents, properties, shard...)."""
        return self.gateway.identifies

    def mention_violations(self, *, allow_roles: bool = False) -> list[MentionViolation]:
        return mention_violations(self.rest.records, allow_roles=allow_roles)

    def assert_no_mass_mentions(self, *, allow_roles: bool = False) -> None:
        """Fail if any message the bot wrote could have pinged @everyone, roles or parsed users."""
        violations = self.mention_violations(allow_roles=allow_roles)
        if violations:
            lines = [f"{v.request.method} {v.request.path}: {v.reason}" for v in violations]
            raise AssertionError("messages that could ping people:\n" + "\n".join(lines))
