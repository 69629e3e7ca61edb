"""The rest of the verbs and buttons: schedule, pause, edit, pin, unvote; register() in an app."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from qa_core_slack import Publisher, register
from qa_core_slack.logs import RedactSecrets, redact
from qa_core_slack.testing import FakeSlack
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from slack_support import (
    AMA,
    HOST,
    MOD,
    SECRET,
    Harness,
    action_ids,
    card_for,
    config_file,
    public_for,
    setup_ama,
)

from qa_core import load_config
from qa_core.app import build_engine


async def test_schedule_open_pause_resume_close(bot: Harness) -> None:
    await bot.slash("schedule 2030-01-02T18:00Z Later AMA | soon", user=HOST)
    assert "scheduled" in json.dumps(bot.messages(AMA)[0].blocks)
    await bot.slash("open", user=HOST)
    await bot.slash("pause", user=HOST)
    await bot.slash("resume", user=HOST)
    await bot.slash("pause", user="U0001")  # a participant: refused by the engine
    assert "AMA is now" not in bot.last_reply()
    await bot.slash("ask Can I ask once it has resumed?", user="U0001")
    assert "Your question is #1" in bot.last_reply()
    await bot.slash("close", user=HOST)
    await bot.slash("ask Can I still ask after it closed?", user="U0002")
    assert "Your question" not in bot.last_reply()
    notes = [m.text for m in bot.messages(AMA) if "is now" in m.text]
    assert len(notes) == 4  # live, paused, live, closed
    announcement = bot.messages(AMA)[0]
    assert announcement.edits >= 1 and "closed" in json.dumps(announcement.blocks)
    assert "qa:ask" not in json.dumps(announcement.blocks)


async def test_edit_pin_and_remove_my_vote(bot: Harness) -> None:
    await setup_ama(bot)
    await bot.slash("ask Waht is teh hardest part of diplomacy?", user="U0001")
    card = card_for(bot, 1)
    await bot.click(card, "qa:edit:1", user=MOD)
    edit = bot.last_view(MOD)
    assert edit.body["callback_id"] == "qa:edit"
    await bot.submit(edit, {"text": {"text": "What is the hardest part of diplomacy?"}}, user=MOD)
    await bot.click(card_for(bot, 1), "qa:approve:1", user=MOD)
    await bot.click(card_for(bot, 1), "qa:pin:1", user=MOD)
    public = public_for(bot, 1)
    assert "What is the hardest part" in json.dumps(public.blocks)
    assert "pinned" in json.dumps(public.blocks) and "edited" in json.dumps(public.blocks)
    assert "qa:unpin:1" in action_ids(card_for(bot, 1))

    await bot.click(public, "qa:vote:1", user="U0002")
    reply = bot.fake.responses[-1].body
    assert reply["response_type"] == "ephemeral" and "Upvoted #1" in reply["text"]
    await bot.click(public_for(bot, 1), "qa:vote:1", user="U0002")
    assert "already upvoted" in bot.fake.responses[-1].body["text"]
    await bot.click(public_for(bot, 1), "qa:unvote:1", user="U0002")
    assert "(0)" in json.dumps(public_for(bot, 1).blocks)
    await bot.click(public_for(bot, 1), "qa:vote:1", user="U0001")  # one's own question
    assert "own question" in bot.last_reply()


async def test_register_inside_an_existing_app_leaves_its_other_buttons_alone(
    fake: FakeSlack, tmp_path: Path
) -> None:
    client = AsyncWebClient(token=fake.bot_token, base_url=fake.url)

    async def clients(team: str) -> AsyncWebClient:
        return client

    publisher = Publisher(clients, update_interval=0)
    engine = build_engine(load_config(config_file(tmp_path), env={}), plugins=[publisher])
    app = AsyncApp(client=client, signing_secret=SECRET)
    theirs: list[str] = []
    qa = register(app, engine, publisher=publisher)  # first: it must not claim their button

    @app.action("other:thing")
    async def their_button(ack: AsyncAck, body: dict[str, object]) -> None:
        await ack()
        theirs.append("clicked")

    factory = fake.request_factory()
    try:
        created = factory.slash_command("/ama", "create Embedded", user_id=HOST, channel_id=AMA)
        assert (await app.async_dispatch(created.to_async_bolt_request())).status == 200
        await qa.settle()
        assert fake.messages(AMA)[0].text == "AMA: Embedded"
        replies = len(fake.responses)
        click = factory.block_actions("other:thing", "x", user_id="U0001", channel_id=AMA)
        assert (await app.async_dispatch(click.to_async_bolt_request())).status == 200
        await qa.settle()
        assert theirs == ["clicked"] and len(fake.responses) == replies
    finally:
        await engine.stop()


def test_secrets_are_masked_in_logs() -> None:
    line = "body: {'access_token': 'xoxb-123-456-abc', 'app': 'xapp-1-A1-2-ff', 'u': 'https://hooks.slack.com/actions/T1/2/x'}"
    assert (
        "xoxb" not in redact(line)
        and "xapp" not in redact(line)
        and "hooks.slack" not in redact(line)
    )
    record = logging.LogRecord(
        "slack_sdk", logging.DEBUG, __file__, 1, "token %s", ("xoxb-9-9",), None
    )
    RedactSecrets().filter(record)
    assert record.getMessage() == "token [redacted]"


async def test_vote_unvote_vote_on_the_same_rendering_counts(bot: Harness) -> None:
    await setup_ama(bot)
    await bot.slash("settings moderation post", user=HOST)
    await bot.slash("create Post AMA", user=HOST)
    await bot.slash("ask Does a quick change of mind count?", user="U0001")
    public = public_for(bot, 1)  # the same rendering for all three clicks
    for action in ("qa:vote:1", "qa:unvote:1", "qa:vote:1"):
        bot.clock.advance(0.3)  # each click has its own action_ts
        await bot.click(public, action, user="U0002")
    assert "(1)" in json.dumps(public_for(bot, 1).blocks)
