"""A double click has one effect; a click on the re-rendered message is a new one.

The two interactions of a double click have different ids but carry the same person, button
and message version, which is what the idempotency key is made of. ``shown=`` sends a copy
of the message taken before the bot's edit: a second click made on the old rendering that
reaches the bot after the edit (the hard case for a key built on the interaction id).
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any

from discord_support import (
    World,
    ask_with_button,
    click,
    cog_of,
    custom_ids,
    embed_text,
    followup_text,
    live_session,
    mod_card,
    public_message,
    reply,
    settle,
)
from qa_core_discord import translate as t
from qa_core_discord.publisher import moderators_reader
from qa_core_discord.runner import AmaBot
from qa_core_discord.testing import FakeDiscord, FakeMember, InteractionResponses

QUESTION = "How do you prepare for a negotiation that everyone expects to fail?"
JSON = dict[str, Any]


async def pending_question(world: World, bot: AmaBot) -> JSON:
    await live_session(world, bot)
    await ask_with_button(world, world.alice, QUESTION)
    await settle(bot)
    return mod_card(world, 1)


async def public_question(world: World, bot: AmaBot) -> JSON:
    await pending_question(world, bot)
    await click(world, mod_card(world, 1), "qa:approve:1", world.mod)
    await settle(bot)
    return public_message(world, 1)


async def double_click(
    world: World, message: JSON, custom_id: str, member: FakeMember
) -> list[InteractionResponses]:
    """Two clicks on the same rendering, both sent before either is answered."""
    seen = copy.deepcopy(message)
    handles = [
        await world.fake.click(message, custom_id, member=member, shown=seen) for _ in range(2)
    ]
    assert handles[0].payload["id"] != handles[1].payload["id"]
    return list(await asyncio.gather(*(reply(handle) for handle in handles)))


async def recorded(world: World, bot: AmaBot, kind: str) -> int:
    """How many ``kind`` events session 1's audit log holds: what really happened."""
    reader = moderators_reader(t.tenant_of(world.guild.id))
    entries = await cog_of(bot).engine.views.audit(1, reader, limit=1000)
    return sum(type(entry.event).__name__ == kind for entry in entries)


def stage_line(responses: InteractionResponses) -> str:
    return next(line for line in followup_text(responses).split("\n") if "On stage" in line)


def footer(message: JSON) -> str:
    return embed_text(message).split("\n")[-1]


async def test_a_double_click_on_upvote_leaves_one_vote(
    fake: FakeDiscord, world: World, bot: AmaBot
) -> None:
    message = await public_question(world, bot)
    first, second = await double_click(world, message, "qa:vote:1", world.bob)
    assert followup_text(first) == followup_text(second) == "Upvoted (1 vote)."
    await settle(bot)
    assert footer(public_message(world, 1)).startswith("1 vote ·")
    assert await recorded(world, bot, "VoteCast") == 1
    assert await recorded(world, bot, "VoteRetracted") == 0


async def test_a_click_on_the_re_rendered_message_takes_the_vote_back(
    fake: FakeDiscord, world: World, bot: AmaBot
) -> None:
    message = await public_question(world, bot)
    seen = copy.deepcopy(message)
    voted = await click(world, message, "qa:vote:1", world.bob, shown=seen)
    assert followup_text(voted) == "Upvoted (1 vote)."
    await settle(bot)
    rendered = public_message(world, 1)
    assert rendered["edited_timestamp"] != seen["edited_timestamp"]
    assert footer(rendered).startswith("1 vote ·")

    # The second click of the double click, made on the old rendering, arrives late: no effect.
    late = await click(world, message, "qa:vote:1", world.bob, shown=seen)
    assert followup_text(late) == "Upvoted (1 vote)."
    await settle(bot)
    assert footer(public_message(world, 1)).startswith("1 vote ·")

    # A click on what the bot re-rendered is a new one: the toggle takes the vote back...
    back = await click(world, public_message(world, 1), "qa:vote:1", world.bob)
    assert followup_text(back) == "Vote taken back (0 votes)."
    await settle(bot)
    assert footer(public_message(world, 1)).startswith("0 votes ·")
    # ...and the message, back to the words it had, is still a new version: a vote again.
    again = await click(world, public_message(world, 1), "qa:vote:1", world.bob)
    assert followup_text(again) == "Upvoted (1 vote)."
    await settle(bot)
    assert footer(public_message(world, 1)).startswith("1 vote ·")
    assert await recorded(world, bot, "VoteCast") == 2
    assert await recorded(world, bot, "VoteRetracted") == 1


async def test_a_double_approve_approves_once_and_says_so_twice(
    fake: FakeDiscord, world: World, bot: AmaBot
) -> None:
    card = await pending_question(world, bot)
    first, second = await double_click(world, card, "qa:approve:1", world.mod)
    assert followup_text(first) == followup_text(second) == "Approved #1."
    await settle(bot)
    public_message(world, 1)  # posted once (exactly one match)
    assert await recorded(world, bot, "QuestionApproved") == 1
    card = mod_card(world, 1)
    assert "qa:approve:1" not in custom_ids(card)
    # The old card's button, pressed again long after (a stale client): the late click of
    # the double click has no effect and gets the same answer.
    late = await click(world, card, "qa:approve:1", world.mod, shown=first_version(world, card))
    assert followup_text(late) == "Approved #1."
    # An Approve on the card as it is now is a new click, and the engine says why not.
    forged = await click(world, card, "qa:approve:1", world.mod, forge=True)
    assert followup_text(forged).startswith("⚠️")
    assert "approved" in followup_text(forged).casefold()


def first_version(world: World, card: JSON) -> JSON:
    """The card as it was posted: the one with the Approve button, before any edit."""
    posted = next(
        r.response
        for r in world.fake.requests("POST")
        if isinstance(r.response, dict) and r.response.get("id") == card["id"]
    )
    assert isinstance(posted, dict) and "qa:approve:1" in custom_ids(posted)
    return copy.deepcopy(posted)


async def test_a_double_pin_pins_once_and_unpin_then_works(
    fake: FakeDiscord, world: World, bot: AmaBot
) -> None:
    card = await pending_question(world, bot)
    first, second = await double_click(world, card, "qa:pin:1", world.mod)
    assert "⚠️" not in followup_text(first)
    assert followup_text(first) == followup_text(second)
    await settle(bot)
    card = mod_card(world, 1)
    assert "qa:unpin:1" in custom_ids(card) and "qa:pin:1" not in custom_ids(card)
    assert await recorded(world, bot, "QuestionPinned") == 1
    unpinned = await click(world, card, "qa:unpin:1", world.mod)
    assert "⚠️" not in followup_text(unpinned)
    await settle(bot)
    card = mod_card(world, 1)
    assert "qa:pin:1" in custom_ids(card) and "qa:unpin:1" not in custom_ids(card)
    assert await recorded(world, bot, "QuestionPinned") == 2


async def test_double_clicks_on_the_stage_card_skip_once_and_move_on_once(
    fake: FakeDiscord, world: World, bot: AmaBot
) -> None:
    await public_question(world, bot)
    for text in ("What surprised you most in thirty years?", "Which treaty are you proudest of?"):
        await ask_with_button(world, world.bob, text)
        await settle(bot)
    for number in (2, 3):
        await click(world, mod_card(world, number), f"qa:approve:{number}", world.mod)
    await settle(bot)
    staged = await reply(await fake.slash_command("ama next", {}, member=world.guest))
    card = staged.followups[0]
    assert stage_line(staged).startswith("On stage: #3")
    # Skip twice: one skip, two calm answers (a second skip would be refused).
    skipped = await double_click(world, card, "qa:skip:3", world.guest)
    assert followup_text(skipped[0]) == followup_text(skipped[1])
    assert "⚠️" not in followup_text(skipped[0])
    # Next question twice on the same card: one question moves on stage, and both answers
    # show it (a second NextQuestion would be refused: that question is with the guest).
    first, second = await double_click(world, card, "qa:next:1", world.guest)
    assert followup_text(first) == followup_text(second)
    moved = stage_line(first)
    assert moved.startswith(("On stage: #1", "On stage: #2"))
    stage = await reply(await fake.slash_command("ama stage", {}, member=world.host))
    assert stage_line(stage) == moved
    await settle(bot)
    assert "skipped" in embed_text(public_message(world, 3))
    assert await recorded(world, bot, "QuestionSkipped") == 1
    assert await recorded(world, bot, "QuestionSelected") == 2


async def test_a_redelivered_click_has_one_effect_even_after_a_re_render(
    fake: FakeDiscord, world: World, bot: AmaBot
) -> None:
    message = await public_question(world, bot)
    handle = await fake.click(message, "qa:vote:1", member=world.bob)
    assert followup_text(await reply(handle)) == "Upvoted (1 vote)."
    await settle(bot)
    back = await click(world, public_message(world, 1), "qa:vote:1", world.bob)
    assert followup_text(back) == "Vote taken back (0 votes)."
    await settle(bot)
    await fake.redeliver(handle)  # the first click again, same id, same payload
    rejected = await handle.wait_rejected(1)
    assert rejected[0].response["code"] == 40060
    await settle(bot)
    assert footer(public_message(world, 1)).startswith("0 votes ·")
    assert len(handle.followups) == 1
    assert await recorded(world, bot, "VoteCast") == 1
