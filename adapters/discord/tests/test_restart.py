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
    make_config,
    mod_card,
    public_message,
    reply,
    settle,
)
from qa_core_discord import translate as t
from qa_core_discord.testing import FakeDiscord

from qa_core import Actor, ApproveQuestion, Role, SubmitQuestion
from qa_core.app import build_engine

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


async def test_questions_asked_while_the_bot_was_down_are_found_by_number(
    fake: FakeDiscord, world: World, database: Path
) -> None:
    first = make_bot(database)
    async with fake.running(first):
        await live_session(world, first)
    # Asked and approved with no bot connected (a CLI replay, another adapter...).
    engine = build_engine(make_config(database))
    await engine.start()
    try:
        alice = Actor(t.user_ref(world.guild.id, world.alice.user.id), "alice")
        moderator = frozenset({Role.MODERATOR})
        mod = Actor(t.user_ref(world.guild.id, world.mod.user.id), "mod", moderator)
        asked = await engine.execute(SubmitQuestion(session_id=1, text=QUESTION), alice)
        assert asked.question is not None and asked.question.number == 1
        await engine.execute(ApproveQuestion(question_id=asked.question.id), mod)
    finally:
        await engine.stop()

    second = make_bot(database)
    async with fake.running(second):
        await settle(second)
        assert "**#1** (0 votes)" in embed_text(board(world)), "the resumed board shows it"
        # A duplicate asked through the bot is merged into the offline #1 by its number.
        await ask_with_button(world, world.bob, "Which treaty are you proudest of, honestly?")
        await settle(second)
        opened = await fake.click(mod_card(world, 2), "qa:merge:2", member=world.mod)
        await opened
        merged = await reply(await fake.submit_modal(opened, {"number": "1"}))
        assert "Merged #2 into #1" in followup_text(merged)
        answered = await reply(
            await fake.slash_command(
                "ama answer", {"text": "The Ohrid one.", "question": 1}, member=world.guest
            )
        )
        assert "Answer to #1 posted" in followup_text(answered)
        missing = await reply(
            await fake.slash_command("ama withdraw", {"question": 9}, member=world.alice)
        )
        assert "There is no question #9 in session 1." in followup_text(missing)
        await settle(second)
        posted = [m for m in fake.messages(world.ama) if m["content"].startswith("**Answer to #1")]
        assert len(posted) == 1 and "The Ohrid one." in posted[0]["content"]
