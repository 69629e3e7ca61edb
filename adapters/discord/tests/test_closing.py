"""Closing a session: every message the bot posted for it stops inviting clicks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from discord_support import (
    World,
    announcement,
    ask_with_button,
    board,
    click,
    custom_ids,
    edits_of,
    embed_text,
    followup_text,
    live_session,
    make_bot,
    make_config,
    mod_card,
    public_message,
    reply,
    settle,
)
from qa_core_discord import translate as t
from qa_core_discord.runner import AmaBot
from qa_core_discord.testing import FakeDiscord, Routes

from qa_core import Actor, CloseSession, Role
from qa_core.app import build_engine

QUESTIONS = (
    "Which treaty are you proudest of, and why that one?",
    "What do you wish you had said at Geneva in 1999?",
)


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for row in message.get("components") or [] for c in row.get("components") or []]


async def two_questions(world: World, bot: AmaBot) -> None:
    """#1 approved with a vote, #2 still pending."""
    await live_session(world, bot)
    for member, text in zip((world.alice, world.bob), QUESTIONS, strict=True):
        await ask_with_button(world, member, text)
    await settle(bot)
    await click(world, mod_card(world, 1), "qa:approve:1", world.mod)
    await settle(bot)
    await click(world, public_message(world, 1), "qa:vote:1", world.bob)
    await settle(bot)


def assert_finished(world: World) -> None:
    assert custom_ids(announcement(world)) == [], "no Ask button any more"
    assert "Status: Closed" in embed_text(announcement(world))
    question = public_message(world, 1)
    (vote,) = buttons(question)
    assert vote["disabled"] is True and vote["label"] == "▲ Upvote (1)"
    assert "1 vote ·" in embed_text(question) and "voting closed" in embed_text(question)
    card = mod_card(world, 2)
    assert custom_ids(card) == [], "pending questions cannot be handled any more"
    assert "session closed: no more moderation" in embed_text(card)
    assert "Closed: final standings" in embed_text(board(world))
    assert "**#1** (1 vote)" in embed_text(board(world))


async def test_closing_disables_every_button_in_one_edit_each(
    fake: FakeDiscord, world: World, bot: AmaBot
) -> None:
    await two_questions(world, bot)
    watched = [announcement(world), board(world), public_message(world, 1), mod_card(world, 2)]
    before = [edits_of(world, m) for m in watched]
    done_card = edits_of(world, mod_card(world, 1))

    closed = await reply(await fake.slash_command("ama close", {}, member=world.host))
    assert "now closed" in followup_text(closed)
    await settle(bot)

    assert_finished(world)
    after = [edits_of(world, m) for m in watched]
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 1, 1, 1]
    assert edits_of(world, mod_card(world, 1)) == done_card, "a handled card is left alone"
    patches = fake.requests("PATCH", Routes.CHANNEL_MESSAGE)
    assert all(r.status == 200 for r in patches)
    # A client still showing the old button: refused in words, nothing changes.
    late = await click(world, public_message(world, 1), "qa:vote:1", world.alice, forge=True)
    assert "closed; nothing can change" in followup_text(late)
    fake.assert_no_mass_mentions()


async def test_a_session_closed_while_the_bot_was_down_is_finished_at_restart(
    fake: FakeDiscord, world: World, database: Path
) -> None:
    first = make_bot(database)
    async with fake.running(first):
        await two_questions(world, first)
    # The CLI (or another process) closes it while no bot is connected.
    engine = build_engine(make_config(database))
    await engine.start()
    try:
        host = Actor(t.user_ref(world.guild.id, world.host.user.id), "host", frozenset({Role.HOST}))
        await engine.execute(CloseSession(session_id=1), host)
    finally:
        await engine.stop()
    assert custom_ids(announcement(world)) == ["qa:ask:1"]

    second = make_bot(database)
    async with fake.running(second):
        await settle(second)
        assert_finished(world)
        edits = edits_of(world, public_message(world, 1))
    third = make_bot(database)
    async with fake.running(third):
        await settle(third)
        assert edits_of(world, public_message(world, 1)) == edits, "finished only once"
