"""The rest of the moderators', hosts' and guests' controls, end to end."""

from __future__ import annotations

import asyncio
from typing import Any

from discord_support import (
    World,
    announcement,
    ask_with_button,
    board,
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
    visible,
)
from qa_core_discord.runner import AmaBot
from qa_core_discord.testing import FakeDiscord
from qa_core_discord.translate import modal_values

QUESTION = "How do you prepare for a negotiation that everyone expects to fail?"


async def test_edit_and_pin_from_the_moderation_card(
    fake: FakeDiscord, world: World, bot: AmaBot
) -> None:
    await live_session(world, bot)
    await ask_with_button(world, world.alice, QUESTION)
    await settle(bot)
    opened = await fake.click(mod_card(world, 1), "qa:edit:1", member=world.mod)
    form = (await opened).callback
    assert form is not None and form.type == 9
    assert modal_values(form.data) == {"text": QUESTION}, "the form starts from the question"
    edited = await reply(
        await fake.submit_modal(opened, {"text": "How do you prepare for a hopeless negotiation?"})
    )
    assert "⚠️" not in followup_text(edited)
    pinned = await click(world, mod_card(world, 1), "qa:pin:1", world.mod)
    assert "⚠️" not in followup_text(pinned)
    await settle(bot)
    card = mod_card(world, 1)
    assert "hopeless negotiation" in embed_text(card)
    assert "qa:unpin:1" in custom_ids(card) and "qa:approve:1" in custom_ids(card)
    await click(world, card, "qa:approve:1", world.mod)
    await settle(bot)
    shown = embed_text(public_message(world, 1))
    assert "hopeless negotiation" in shown and "pinned" in shown
    assert "📌 **#1**" in embed_text(board(world))


async def test_post_moderation_publishes_at_once_and_a_rejection_hides_the_text(
    fake: FakeDiscord, world: World, bot: AmaBot
) -> None:
    await live_session(world, bot, moderation="post")
    asked = await ask_with_button(world, world.alice, QUESTION)
    assert "#1 is in the queue" in followup_text(asked)
    await settle(bot)
    assert QUESTION in embed_text(public_message(world, 1))
    card = mod_card(world, 1)
    assert embed_text(card).startswith("Public #1")
    assert "qa:approve:1" not in custom_ids(card) and "qa:reject:1" in custom_ids(card)
    opened = await fake.click(card, "qa:reject:1", member=world.mod)
    await opened
    await reply(await fake.submit_modal(opened, {"reason": "abuse", "message": ""}))
    await settle(bot)
    shown = embed_text(public_message(world, 1))
    assert QUESTION not in shown and "Removed by a moderator" in shown
    assert custom_ids(public_message(world, 1)) == []


async def test_lifecycle_queue_and_stage_controls(
    fake: FakeDiscord, world: World, bot: AmaBot
) -> None:
    await live_session(world, bot, strategy="top")
    for member, text in ((world.alice, QUESTION), (world.bob, "Which treaty do you regret most?")):
        await ask_with_button(world, member, text)
    await settle(bot)
    for number in (1, 2):
        await click(world, mod_card(world, number), f"qa:approve:{number}", world.mod)
    await settle(bot)
    await click(world, public_message(world, 2), "qa:vote:2", world.alice)

    queue = followup_text(await reply(await fake.slash_command("ama queue", {})))
    assert queue.index("**#2**") < queue.index("**#1**"), "most wanted first"
    assert "waiting for a moderator" not in queue, "participants do not see the pending count"
    mod_queue = followup_text(
        await reply(await fake.slash_command("ama queue", {}, member=world.mod))
    )
    assert "0 waiting for a moderator" in mod_queue

    paused = await reply(await fake.slash_command("ama pause", {}, member=world.host))
    assert "now paused" in followup_text(paused)
    refused = await reply(await fake.slash_command("ama next", {}, member=world.guest))
    assert "only while it is live" in followup_text(refused)
    resumed = await reply(await fake.slash_command("ama resume", {}, member=world.host))
    assert "now live" in followup_text(resumed)
    await settle(bot)
    assert "Status: Live" in embed_text(announcement(world))

    refused = await reply(await fake.slash_command("ama next", {}, member=world.alice))
    assert "Only the guest, hosts and moderators" in followup_text(refused)
    staged = await reply(await fake.slash_command("ama next", {}, member=world.guest))
    card = staged.followups[0]
    assert "On stage: #2" in followup_text(staged) and "#1" in followup_text(staged)
    deferred = await click(world, card, "qa:defer:2", world.guest)
    assert "⚠️" not in followup_text(deferred)
    again = await click(world, card, "qa:next:1", world.guest)
    assert "On stage: #1" in followup_text(again)
    stage = followup_text(await reply(await fake.slash_command("ama stage", {}, member=world.host)))
    assert "On stage: #1" in stage
    skipped = await click(world, again.followups[0], "qa:skip:1", world.guest)
    assert "⚠️" not in followup_text(skipped)
    await settle(bot)
    assert "skipped" in embed_text(public_message(world, 1))
    assert "deferred" in embed_text(public_message(world, 2))
    fake.assert_no_mass_mentions()


async def test_a_thread_per_ama(fake: FakeDiscord, world: World, bot: AmaBot) -> None:
    await live_session(world, bot, threads=True)
    threads = [c for c in world.guild.channels.values() if c.parent_id == world.ama.id]
    assert [t.name for t in threads] == ["AMA: AMA with Gil"]
    thread = threads[0]
    assert str(thread.id) == announcement(world)["id"], "started from the announcement"
    await ask_with_button(world, world.alice, QUESTION)
    await settle(bot)
    await click(world, mod_card(world, 1), "qa:approve:1", world.mod)
    await reply(
        await fake.slash_command(
            "ama answer", {"text": "Slowly.", "question": 1}, member=world.guest
        )
    )
    await settle(bot)
    in_thread = [embed_text(m) or m["content"] for m in visible(world, thread)]
    assert in_thread[0].startswith("Top questions")
    assert in_thread[1].startswith("#1 · asked by alice")
    assert in_thread[2].startswith("**Answer to #1**")
    assert len(visible(world, world.ama)) == 1, "only the announcement in the channel"


async def test_a_reworded_public_question_is_hidden_until_approved_again(
    fake: FakeDiscord, world: World, bot: AmaBot
) -> None:
    await live_session(world, bot)
    await ask_with_button(world, world.alice, QUESTION)
    await settle(bot)
    await click(world, mod_card(world, 1), "qa:approve:1", world.mod)
    await settle(bot)
    # The author rewords it with the form a moderator would use: the engine decides who may.
    opened = await fake.click(mod_card(world, 1), "qa:edit:1", member=world.alice, forge=True)
    await opened
    reworded = "Why are all diplomats such liars, honestly, tell me now?"
    await reply(await fake.submit_modal(opened, {"text": reworded}))
    await settle(bot)
    public = embed_text(public_message(world, 1))
    assert reworded not in public and "waiting for a moderator again" in public
    card = mod_card(world, 1)
    assert reworded in embed_text(card) and "qa:approve:1" in custom_ids(card)


async def test_the_edit_form_opens_in_time_even_when_the_store_is_slow(
    fake: FakeDiscord, world: World, bot: AmaBot
) -> None:
    await live_session(world, bot)
    await ask_with_button(world, world.alice, QUESTION)
    await settle(bot)
    cog = cog_of(bot)
    cog.prefill_budget = 0.05
    store = cog.engine.store
    read = store.read

    async def slow(work: Any) -> Any:
        await asyncio.sleep(0.5)
        return await read(work)

    store.read = slow  # type: ignore[method-assign]
    try:
        opened = await fake.click(mod_card(world, 1), "qa:edit:1", member=world.mod)
        form = (await opened).callback
    finally:
        store.read = read  # type: ignore[method-assign]
    assert form is not None and form.type == 9, "still a form, only not prefilled"
    assert modal_values(form.data) == {"text": ""}
    assert opened.rejected == ()


async def test_the_edit_form_is_refused_to_who_cannot_see_the_question(
    fake: FakeDiscord, world: World, bot: AmaBot
) -> None:
    await live_session(world, bot)
    await ask_with_button(world, world.alice, QUESTION)
    await settle(bot)
    opened = await fake.click(mod_card(world, 1), "qa:edit:1", member=world.bob, forge=True)
    refused = (await opened).callback
    assert refused is not None and refused.type == 4 and refused.data["flags"] & 64
    assert refused.data["content"] == "⚠️ There is no question with id 1."


async def test_a_moderators_channel_set_after_create_gets_the_cards(
    fake: FakeDiscord, world: World, bot: AmaBot
) -> None:
    await reply(
        await fake.slash_command("ama settings", {"ama_channel": world.ama}, member=world.host)
    )
    created = await reply(
        await fake.slash_command("ama create", {"title": "Late mods"}, member=world.host)
    )
    assert "No moderators' channel is set" in followup_text(created)
    await settle(bot)
    await reply(
        await fake.slash_command("ama settings", {"mod_channel": world.mods}, member=world.host)
    )
    await ask_with_button(world, world.alice, QUESTION)
    await settle(bot)
    assert "qa:approve:1" in custom_ids(mod_card(world, 1))
