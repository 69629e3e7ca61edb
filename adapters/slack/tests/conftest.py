"""Fixtures: the fake Slack, and the adapter built by the runner over it (HTTP and Socket Mode)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from qa_core_slack.testing import FakeSlack
from slack_support import SECRET, Clock, Harness, add_people, start_harness, stop_harness


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest_asyncio.fixture
async def fake(clock: Clock) -> AsyncIterator[FakeSlack]:
    async with FakeSlack(teams=("T0001", "T0002"), signing_secret=SECRET, clock=clock) as server:
        add_people(server, "T0001")
        add_people(server, "T0002")
        yield server


@pytest_asyncio.fixture(params=["http", "socket"])
async def bot(
    request: pytest.FixtureRequest, fake: FakeSlack, clock: Clock, tmp_path: Path
) -> AsyncIterator[Harness]:
    harness = await start_harness(fake, clock, tmp_path, request.param)
    try:
        yield harness
    finally:
        await stop_harness(harness)


@pytest_asyncio.fixture
async def http_bot(fake: FakeSlack, clock: Clock, tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await start_harness(fake, clock, tmp_path, "http")
    try:
        yield harness
    finally:
        await stop_harness(harness)
