"""The publisher on its own: coalesced edits, the per-workspace budget, 429 Retry-After."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from qa_core_slack.publisher import ORIGIN, Origin, Publisher
from qa_core_slack.testing import FakeSlack
from slack_sdk.web.async_client import AsyncWebClient
from slack_support import AMA, Clock

from qa_core import (
    Actor,
    CastVote,
    CreateSession,
    Engine,
    Hooks,
    ModerationMode,
    OpenSession,
    Role,
    SessionSettings,
    SubmitQuestion,
    UserRef,
    make_plugin_manager,
    open_store,
)

TENANT = "slack:T0001"
HOST = Actor(UserRef(TENANT, "U0HOST"), "hana", frozenset({Role.HOST}))


def person(n: int) -> Actor:
    return Actor(UserRef(TENANT, f"U{n:04d}"), f"person{n}")


class Setup:
    def __init__(self, fake: FakeSlack, clock: Clock) -> None:
        client = AsyncWebClient(token=fake.bot_token, base_url=fake.url)

        async def clients(team: str) -> AsyncWebClient:
            return client

        self.fake = fake
        self.clock = clock
        self.publisher = Publisher(
            clients, update_interval=2.0, updates_per_minute=40, update_burst=3, clock=clock
        )
        self.engine = Engine(
            open_store("memory:"), Hooks(make_plugin_manager(plugins=[self.publisher]))
        )

    async def session_with_questions(self, count: int) -> list[int]:
        token = ORIGIN.set(Origin(AMA))
        try:
            settings = SessionSettings(moderation=ModerationMode.POST, rate_limit_count=100)
            created = await self.engine.execute(
                CreateSession(tenant=TENANT, title="AMA", settings=settings), HOST
            )
        finally:
            ORIGIN.reset(token)
        assert created.session is not None
        sid = created.session.id
        await self.engine.execute(OpenSession(session_id=sid), HOST)
        ids = []
        for n in range(count):
            text = f"Question number {n} about topic {'abcdefghij'[n]}{n} and more?"
            outcome = await self.engine.execute(
                SubmitQuestion(session_id=sid, text=text), person(n + 1)
            )
            assert outcome.question is not None
            ids.append(outcome.question.id)
        self.fake.rate_limits.reset()
        for _ in range(10):  # post everything, waiting out the per-channel burst limit
            await self.publisher.flush()
            self.clock.advance(1.5)
        assert self.publisher.idle
        return ids

    def updates(self) -> list[str]:
        return [str(c.params["ts"]) for c in self.fake.calls_to("chat.update", ok=True)]


@pytest_asyncio.fixture
async def setup(fake: FakeSlack, clock: Clock) -> AsyncIterator[Setup]:
    s = Setup(fake, clock)
    yield s
    await s.engine.stop()


async def test_edits_to_one_message_are_coalesced_per_interval(setup: Setup) -> None:
    [qid] = await setup.session_with_questions(1)
    before = len(setup.updates())
    for n in range(10, 30):
        await setup.engine.execute(CastVote(question_id=qid, up=True), person(n))
    await setup.publisher.flush()
    first = setup.updates()[before:]
    assert len(first) == 2  # the question's message and the board, once each
    await setup.engine.execute(CastVote(question_id=qid, up=True), person(40))
    await setup.publisher.flush()
    assert len(setup.updates()) - before == 2  # too soon: waits for the interval
    setup.clock.advance(2.0)
    await setup.publisher.flush()
    assert len(setup.updates()) - before == 4
    last = setup.fake.calls_to("chat.update", ok=True)[-2:]
    assert any("(21)" in str(c.params) for c in last)  # the latest count, not an old one
    assert all(c.params.get("parse") == "none" for c in last)


async def test_the_workspace_budget_is_shared_by_all_messages(setup: Setup) -> None:
    ids = await setup.session_with_questions(6)
    before = len(setup.updates())
    for qid in ids:
        await setup.engine.execute(CastVote(question_id=qid, up=True), person(50))
    await setup.publisher.flush()
    assert len(setup.updates()) - before == 3  # the burst: 3 edits, the rest wait
    setup.clock.advance(60 / 40 * 2)  # 40 a minute: two more edits 3 seconds later
    await setup.publisher.flush()
    assert len(setup.updates()) - before == 5
    setup.clock.advance(60)
    await setup.publisher.flush()
    assert setup.publisher.idle


async def test_a_429_is_waited_out_for_its_retry_after(setup: Setup) -> None:
    [qid] = await setup.session_with_questions(1)
    before = len(setup.fake.calls_to("chat.update"))
    setup.fake.rate_limits.fail_next("chat.update", 1, retry_after=7)
    await setup.engine.execute(CastVote(question_id=qid, up=True), person(9))
    await setup.publisher.flush()
    assert len(setup.fake.calls_to("chat.update", ok=False)) == 1
    assert not setup.publisher.idle
    setup.clock.advance(5)
    await setup.publisher.flush()
    # still inside Retry-After: no call at all, not even for the board
    assert len(setup.fake.calls_to("chat.update")) - before == 1
    setup.clock.advance(2.5)
    await setup.publisher.flush()
    ok = setup.fake.calls_to("chat.update")[before + 1 :]
    assert len(ok) == 2 and all(c.ok for c in ok)
    assert [c for c in ok if str(c.params["text"]).startswith("Question #1 (1 vote)")]
    setup.clock.advance(3)
    await setup.publisher.flush()
    assert setup.publisher.idle


async def test_a_429_on_a_post_keeps_the_post_and_its_order(setup: Setup) -> None:
    setup.fake.rate_limits.fail_next("chat.postMessage", 1, retry_after=3)
    await setup.session_with_questions(2)
    texts = [m.text for m in setup.fake.messages(AMA)]
    assert texts[0].startswith("AMA") and texts[1].startswith("Top questions")
    assert [t.split(" ")[1] for t in texts if t.startswith("Question #")] == ["#1", "#2"]
    # the scripted 429 and the channel's own burst limit: each post retried once allowed
    assert len(setup.fake.calls_to("chat.postMessage", ok=False)) >= 1
    assert len(setup.fake.messages(AMA)) == 5  # announcement, board, live note, two questions


async def test_the_background_worker_publishes_on_its_own(fake: FakeSlack) -> None:
    import asyncio

    client = AsyncWebClient(token=fake.bot_token, base_url=fake.url)

    async def clients(team: str) -> AsyncWebClient:
        return client

    publisher = Publisher(clients, update_interval=0.01)
    engine = Engine(open_store("memory:"), Hooks(make_plugin_manager(plugins=[publisher])))
    publisher.start()
    try:
        token = ORIGIN.set(Origin(AMA))
        try:
            await engine.execute(CreateSession(tenant=TENANT, title="Worker AMA"), HOST)
        finally:
            ORIGIN.reset(token)
        await fake.wait_for_call("chat.postMessage", count=2)
        for _ in range(100):
            if publisher.idle:
                break
            await asyncio.sleep(0.01)
        assert publisher.idle
    finally:
        await publisher.stop()
        await engine.stop()
