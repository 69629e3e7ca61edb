"""Scheduled sessions open by themselves at their start time, also across a restart."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from discord_support import (
    World,
    announcement,
    embed_text,
    followup_text,
    make_bot,
    reply,
    settle,
    setup_server,
)
from qa_core_discord.runner import AmaBot
from qa_core_discord.testing import FakeDiscord


async def create_scheduled(world: World, bot: AmaBot, start: datetime) -> None:
    await setup_server(world, bot)
    created = await reply(
        await world.fake.slash_command(
            "ama create",
            {"title": "AMA with Gil", "start": start.isoformat()},
            member=world.host,
        )
    )
    assert "It opens by itself at <t:" in followup_text(created)
    await settle(bot)
    assert "Status: Scheduled" in embed_text(announcement(world))


async def live_soon(world: World, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while "Status: Live" not in embed_text(announcement(world)):
            await asyncio.sleep(0.02)


async def test_a_scheduled_session_opens_at_its_start(
    fake: FakeDiscord, world: World, database: Path
) -> None:
    bot = make_bot(database, schedule_interval=0.05)
    async with fake.running(bot):
        await create_scheduled(world, bot, datetime.now(UTC) + timedelta(seconds=1))
        await live_soon(world)
        opened = await reply(await fake.slash_command("ama open", {}, member=world.host))
        assert "Session 1 is live; it cannot open now." in followup_text(opened)
        await settle(bot)


async def test_a_start_that_passed_while_the_bot_was_down_opens_at_restart(
    fake: FakeDiscord, world: World, database: Path
) -> None:
    start = datetime.now(UTC) + timedelta(seconds=0.3)
    first = make_bot(database, schedule_interval=60)
    async with fake.running(first):
        await create_scheduled(world, first, start)
    await asyncio.sleep(max(0.0, (start - datetime.now(UTC)).total_seconds()) + 0.05)
    assert "Status: Scheduled" in embed_text(announcement(world))

    second = make_bot(database, schedule_interval=60)
    async with fake.running(second):
        await live_soon(world)
        await settle(second)
