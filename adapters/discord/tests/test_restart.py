"""A restarted bot: old buttons still work, and live sessions resume from the SQLite file."""

from __future__ import annotations

from pathlib import Path

from discord_support import (
    World,
    ask_with_button,
    board,
    click,
    edits_of,
    embed_text,
    followup_text,
    live_session,
    make_bot,
    mod_card,
    public_message,
    reply,
    settle,
)
from qa_core_discord.testing import FakeDiscord

QUESTION = "Which treaty are you proudest of, and which one do you regret?"


async def test_buttons_survive_a_restart_and_sessions_resume(
    fake: FakeDiscord, world: World, database: Path
) -> None:
    first = make_bot(database)
    async with fake.running(first):
        await live_session(world, first)
        await ask_with_button(world, world.alice, QUESTION)
        await settle(first)
        await click(world, mod_card(world, 1), "qa:approve:1", world.mod)
        await settle(first)
        await click(world, public_message(world, 1), "qa:vote:1", world.bob)
        await settle(first)
    assert "1 vote ·" in embed_text(public_message(world, 1))
    board_edits = edits_of(world, board(world))

    # A new process: nothing in memory, the same database file, the same messages in Discord.
    second = make_bot(database)
    async with fake.running(second):
        await settle(second)
        assert edits_of(world, board(world)) > board_edits, "the live board was re-rendered"
        assert "**#1** (1 vote)" in embed_text(board(world))

        voted = await click(world, public_message(world, 1), "qa:vote:1", world.guest)
        assert "Upvoted (2 votes)" in followup_text(voted)
        again = await click(world, public_message(world, 1), "qa:vote:1", world.bob)
        assert "Vote taken back (1 vote)" in followup_text(again)
        await settle(second)
        assert "1 vote ·" in embed_text(public_message(world, 1))
        assert "**#1** (1 vote)" in embed_text(board(world))

        # The session goes on: the same message ids are edited, nothing is posted twice.
        staged = await reply(await fake.slash_command("ama next", {}, member=world.guest))
        assert "On stage: #1" in followup_text(staged)
        await settle(second)
        assert "on stage" in embed_text(board(world))
        assert "with the guest now" in embed_text(public_message(world, 1))
