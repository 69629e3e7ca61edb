"""Fixtures: a fake Discord with an AMA-shaped server, and the real adapter bot on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from discord_support import World, make_bot, settle
from qa_core_discord.runner import AmaBot
from qa_core_discord.testing import FakeDiscord


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server


@pytest_asyncio.fixture
async def world(fake: FakeDiscord) -> World:
    return World(fake)


@pytest_asyncio.fixture
async def database(tmp_path: Path) -> Path:
    return tmp_path / "qa.db"


@pytest_asyncio.fixture
async def bot(fake: FakeDiscord, world: World, database: Path) -> AsyncIterator[AmaBot]:
    client = make_bot(database)
    async with fake.running(client):
        yield client
        await settle(client)
