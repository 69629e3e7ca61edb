"""The world the end-to-end tests run in, and the steps people take in it."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from qa_core_discord.cog import AmaCog
from qa_core_discord.runner import AmaBot
from qa_core_discord.testing import (
    FakeChannel,
    FakeDiscord,
    FakeGuild,
    FakeMember,
    InteractionHandle,
    InteractionResponses,
    Routes,
)

from qa_core import Config
from qa_core.config import DatabaseConfig, PluginsConfig

MANAGE_GUILD = 1 << 5
VOTERS = 30
FAST_EDITS = {"edit_interval": 0.1, "edit_debounce": 0.02}


class World:
    """The fake server: a host, a guest, a moderator, askers and a crowd of voters."""

    def __init__(self, fake: FakeDiscord) -> None:
        assert fake.guild is not None
        self.fake = fake
        self.guild: FakeGuild = fake.guild
        hosts = fake.add_role(self.guild, "Hosts", permissions=MANAGE_GUILD)
        self.host: FakeMember = fake.add_member(self.guild, "host", roles=(hosts,))
        self.guest: FakeMember = fake.add_member(self.guild, "guest")
        self.mods: FakeChannel = fake.add_text_channel(self.guild, "mods")
        self.ama: FakeChannel = self.guild.channel("ama")
        self.general: FakeChannel = self.guild.channel("general")
        self.alice = self.guild.member("alice")
        self.bob = self.guild.member("bob")
        self.mod = self.guild.member("mod")
        self.voters = [fake.add_member(self.guild, f"voter{i}") for i in range(VOTERS)]
        self.everyone_role = self.guild.everyone


def make_config(database: Path) -> Config:
    return Config(
        database=DatabaseConfig(url=f"sqlite:///{database}"),
        plugins=PluginsConfig(load_entrypoints=False),
    )


def make_bot(database: Path, **section: Any) -> AmaBot:
    settings: Mapping[str, Any] = {
        "guild_ready_timeout": 0.05,
        "sync_commands": False,
        **FAST_EDITS,
        **section,
    }
    return AmaBot(make_config(database), settings)


def cog_of(bot: AmaBot) -> AmaCog:
    cog = bot.get_cog("AMA")
    assert isinstance(cog, AmaCog)
    return cog


async def settle(bot: AmaBot) -> None:
    """Wait until the publisher has posted and edited everything it was asked to."""
    cog = cog_of(bot)
    await asyncio.wait_for(cog.resumed.wait(), timeout=5)
    await asyncio.wait_for(cog.publisher.idle(), timeout=10)


async def reply(handle: InteractionHandle) -> InteractionResponses:
    """The bot's deferred answer: the callback, then its first follow-up."""
    await handle
    return await handle.wait_followups(1)


def followup_text(responses: InteractionResponses) -> str:
    assert responses.followups, "no follow-up"
    message = responses.followups[0]
    texts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        texts += [embed.get("title") or "", embed.get("description") or ""]
        texts += [f.get("name", "") + " " + f.get("value", "") for f in embed.get("fields") or []]
        texts.append((embed.get("footer") or {}).get("text") or "")
    return "\n".join(texts)


def custom_ids(message: Mapping[str, Any]) -> list[str]:
    return [
        c["custom_id"]
        for row in message.get("components") or []
        for c in row.get("components") or []
        if "custom_id" in c
    ]


def embed_text(message: Mapping[str, Any]) -> str:
    parts = []
    for embed in message.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields") or []]
        parts.append((embed.get("footer") or {}).get("text") or "")
    return "\n".join(parts)


JSON = dict[str, Any]


async def setup_server(world: World, bot: AmaBot, **options: Any) -> None:
    """A host points the bot at #ama and #mods (plus any other settings)."""
    handle = await world.fake.slash_command(
        "ama settings",
        {"ama_channel": world.ama, "mod_channel": world.mods, **options},
        member=world.host,
    )
    text = followup_text(await reply(handle))
    assert "Moderators' channel" in text


async def live_session(world: World, bot: AmaBot, **options: Any) -> JSON:
    """Settings, create, open; returns the announcement message."""
    await setup_server(world, bot, **options)
    created = await reply(
        await world.fake.slash_command(
            "ama create",
            {
                "title": "AMA with Gil",
                "intro": "Gil was a diplomat for thirty years.",
                "guests": f"<@{world.guest.user.id}>",
            },
            member=world.host,
            channel=world.general,
        )
    )
    assert "Created session 1" in followup_text(created)
    opened = await reply(await world.fake.slash_command("ama open", {}, member=world.host))
    assert "now live" in followup_text(opened)
    await settle(bot)
    return announcement(world)


def announcement(world: World, session: int = 1) -> JSON:
    return find(
        world,
        world.ama,
        lambda m: embed_text(m).startswith("AMA:") and f"Session {session} ·" in embed_text(m),
    )


def board(world: World) -> JSON:
    return find(world, world.ama, lambda m: embed_text(m).startswith("Top questions"))


def visible(world: World, channel: FakeChannel) -> list[JSON]:
    """What everyone sees in a channel: its messages without the ephemeral ones."""
    return [m for m in world.fake.messages(channel) if not m["flags"] & 64]


def find(world: World, channel: FakeChannel, match: Any) -> JSON:
    found = [m for m in visible(world, channel) if match(m)]
    assert len(found) == 1, f"{len(found)} matching messages in #{channel.name}"
    return found[0]


def public_message(world: World, number: int) -> JSON:
    return find(world, world.ama, lambda m: embed_text(m).startswith(f"#{number} ·"))


def mod_card(world: World, number: int) -> JSON:
    return find(
        world,
        world.mods,
        lambda m: (
            f"#{number} ·" in embed_text(m).split("\n")[0]
            or embed_text(m).startswith(f"Pending #{number} ·")
        ),
    )


async def ask_with_button(
    world: World, member: FakeMember, text: str, *, anonymous: str = "no"
) -> InteractionResponses:
    opened = await world.fake.click(announcement(world), "qa:ask:1", member=member)
    callback = (await opened).callback
    assert callback is not None and callback.type == 9, "the Ask button opens a modal"
    submitted = await world.fake.submit_modal(opened, {"question": text, "anonymous": anonymous})
    return await reply(submitted)


async def ask_with_command(
    world: World, member: FakeMember, text: str, *, anonymous: bool = False
) -> InteractionResponses:
    opened = await world.fake.slash_command("ama ask", {"anonymous": anonymous}, member=member)
    await opened
    values = {"question": text, "anonymous": "yes" if anonymous else "no"}
    return await reply(await world.fake.submit_modal(opened, values))


async def click(
    world: World, message: JSON, custom_id: str, member: FakeMember, **kwargs: Any
) -> InteractionResponses:
    return await reply(await world.fake.click(message, custom_id, member=member, **kwargs))


def edits_of(world: World, message: JSON) -> int:
    return len(
        [
            r
            for r in world.fake.requests("PATCH", Routes.CHANNEL_MESSAGE)
            if r.params.get("message_id") == message["id"] and r.status < 400
        ]
    )


def question_id_of(message: JSON, verb: str = "vote") -> int:
    for custom_id in custom_ids(message):
        if custom_id.startswith(f"qa:{verb}:"):
            return int(custom_id.split(":")[2])
    raise AssertionError(f"no qa:{verb} button on the message")
