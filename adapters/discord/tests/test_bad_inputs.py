"""What people should not be able to do, and what the bot says when they try."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from discord_support import (
    World,
    ask_with_button,
    click,
    cog_of,
    custom_ids,
    edits_of,
    embed_text,
    find,
    followup_text,
    live_session,
    make_bot,
    mod_card,
    public_message,
    reply,
    settle,
    visible,
)
from qa_core_discord.runner import AmaBot
from qa_core_discord.testing import (
    FakeDiscord,
    InteractionHandle,
    InteractionResponses,
    Routes,
)

T = TypeVar("T")
QUESTION = "How do you prepare for a negotiation that everyone expects to fail?"


async def approved_question(world: World, bot: AmaBot, text: str = QUESTION) -> dict[str, Any]:
    await ask_with_button(world, world.alice, text)
    await settle(bot)
    number = int(embed_text(visible(world, world.mods)[-1]).split("#")[1].split(" ")[0])
    await click(world, mod_card(world, number), f"qa:approve:{number}", world.mod)
    await settle(bot)
    return public_message(world, number)


async def answer_of(handle: InteractionHandle) -> InteractionResponses:
    """The first answer: a direct reply, or a defer and its follow-up."""
    responses = await handle
    if responses.callback is not None and responses.callback.type == 5:
        return await handle.wait_followups(1)
    return responses


def ephemeral_text(responses: Any) -> str:
    """An answer given at once (callback) or after a defer (follow-up); always ephemeral."""
    callback = responses.callback
    if callback.type == 4:
        assert callback.data["flags"] & 64
        return str(callback.data["content"])
    assert responses.followups and responses.followups[0]["flags"] & 64
    return followup_text(responses)


# -- mentions ---------------------------------------------------------------------------


async def test_mention_injection_in_a_question_pings_nobody(
    fake: FakeDiscord, world: World, bot: AmaBot
) -> None:
    await live_session(world, bot)
    role = fake.state.add_role(world.guild, "Everyone-ish", mentionable=True)
    sneaky = f"Hey @everyone @here <@&{role.id}> <@{world.bob.user.id}>: is diplomacy dead?"
    message = await approved_question(world, bot, sneaky)
    shown = embed_text(message)
    assert "is diplomacy dead?" in shown
    assert "@everyone" not in shown and "@here" not in shown
    assert "@\u200beveryone" in shown and f"<@\u200b&{role.id}>" in shown
    fake.assert_no_mass_mentions()


async def test_a_display_name_cannot_ping_either(
    fake: FakeDiscord, world: World, bot: AmaBot
) -> None:
    await live_session(world, bot, strategy="top")
    troll = fake.state.add_member(world.guild, fake.add_user("troll"), nick="@everyone")
    await ask_with_button(world, troll, QUESTION)
    await settle(bot)
    await click(world, mod_card(world, 1), "qa:approve:1", world.mod)
    await reply(await fake.slash_command("ama next", {}, member=world.guest))
    await settle(bot)
    notice = find(world, world.ama, lambda m: "Now with the guest" in m["content"])
    assert "asked by @\u200beveryone" in notice["content"]
    fake.assert_no_mass_mentions()


async def test_mention_injection_in_an_answer_pings_only_the_asker(
    fake: FakeDiscord, world: World, bot: AmaBot
) -> None:
    await live_session(world, bot)
    await approved_question(world, bot)
    answer = "@here read this, <@&123456789012345678> too, and <@" + str(world.bob.user.id) + ">"
    done = await reply(
        await fake.slash_command("ama answer", {"text": answer, "question": 1}, member=world.guest)
    )
    assert "Answer to #1 posted" in followup_text(done)
    await settle(bot)
    posted = find(world, world.ama, lambda m: m["content"].startswith("**Answer to #1**"))
    assert (
        "@\u200bhere" in posted["content"] and f"<@\u200b{world.bob.user.id}>" in posted["content"]
    )
    body = next(
        r.json
        for r in fake.requests("POST", Routes.CHANNEL_MESSAGES)
        if r.response and r.response.get("id") == posted["id"]
    )
    assert body["allowed_mentions"]["parse"] == []
    assert [str(u) for u in body["allowed_mentions"]["users"]] == [str(world.alice.user.id)]
    fake.assert_no_mass_mentions()


async def test_an_anonymous_asker_is_told_privately_not_pinged(
    fake: FakeDiscord, world: World, bot: AmaBot
) -> None:
    await live_session(world, bot)
    await ask_with_button(world, world.alice, QUESTION, anonymous="yes")
    await settle(bot)
    await click(world, mod_card(world, 1), "qa:approve:1", world.mod)
    await reply(
        await fake.slash_command(
            "ama answer", {"text": "Preparation.", "question": 1}, member=world.guest
        )
    )
    await settle(bot)
    posted = find(world, world.ama, lambda m: m["content"].startswith("**Answer to #1**"))
    assert str(world.alice.user.id) not in str(posted)
    dm = fake.messages(fake.state.dm_channel(world.alice.user))
    assert "Your question #1 was answered" in dm[-1]["content"]
    fake.assert_no_mass_mentions()


# -- lengths ----------------------------------------------------------------------------


async def test_an_oversize_question_is_refused_with_the_reason(
    fake: FakeDiscord, world: World, bot: AmaBot
) -> None:
    await live_session(world, bot)
    asked = await ask_with_button(world, world.alice, "Why " + "so " * 1000 + "?")
    text = ephemeral_text(asked)
    assert text.startswith("⚠️") and "500" in text
    await settle(bot)
    assert visible(world, world.mods) == []


async def test_a_long_answer_is_split_into_numbered_parts(
    fake: FakeDiscord, world: World, bot: AmaBot
) -> None:
    await live_session(world, bot)
    await approved_question(world, bot)
    long_answer = " ".join(f"word{i}" for i in range(700))  # about 5,300 characters
    await reply(
        await fake.slash_command(
            "ama answer", {"text": long_answer, "question": 1}, member=world.guest
        )
    )
    await settle(bot)
    parts = [m for m in visible(world, world.ama) if m["content"].startswith(("**Answer", "word"))]
    assert len(parts) >= 3
    assert all(len(p["content"]) <= 2000 for p in parts)
    total = len(parts)
    assert [p["content"].rsplit(" ", 1)[1] for p in parts] == [
        f"({i}/{total})" for i in range(1, total + 1)
    ]
    words = " ".join(p["content"].rsplit(" ", 1)[0] for p in parts).split()
    assert words[words.index("word0") :] == long_answer.split(), "nothing lost or reordered"


async def test_long_titles_and_intros_fit_discord_limits(
    fake: FakeDiscord, world: World, bot: AmaBot
) -> None:
    await reply(
        await fake.slash_command(
            "ama settings",
            {"ama_channel": world.ama, "mod_channel": world.mods},
            member=world.host,
        )
    )
    created = await reply(
        await fake.slash_command(
            "ama create", {"title": "T" * 200, "intro": "I" * 4000}, member=world.host
        )
    )
    assert "Created session 1" in followup_text(created)
    await settle(bot)
    announcement = find(world, world.ama, lambda m: "qa:ask:1" in custom_ids(m))
    assert len(announcement["embeds"][0]["description"]) == 4000
    assert not [r for r in fake.requests() if r.status == 400]


# -- authorisation and untrusted ids ----------------------------------------------------


async def test_a_participant_clicking_approve_is_refused(
    fake: FakeDiscord, world: World, bot: AmaBot
) -> None:
    await live_session(world, bot)
    await ask_with_button(world, world.bob, QUESTION)
    await settle(bot)
    refused = await click(world, mod_card(world, 1), "qa:approve:1", world.alice)
    assert ephemeral_text(refused) == "⚠️ Only moderators can do that."
    await settle(bot)
    assert "qa:approve:1" in custom_ids(mod_card(world, 1)), "still pending"
    assert visible(world, world.ama)[2:] == []


async def test_a_click_on_a_withdrawn_question_is_explained(
    fake: FakeDiscord, world: World, bot: AmaBot
) -> None:
    await live_session(world, bot)
    message = await approved_question(world, bot)
    withdrawn = await reply(
        await fake.slash_command("ama withdraw", {"question": 1}, member=world.alice)
    )
    assert "withdrawn" in followup_text(withdrawn)
    await settle(bot)
    assert custom_ids(public_message(world, 1)) == [], "the Upvote button is gone"
    assert QUESTION not in embed_text(public_message(world, 1))
    # A client still showing the old message clicks the button anyway.
    late = await click(world, message, "qa:vote:1", world.bob, forge=True)
    assert "was withdrawn by its author" in ephemeral_text(late)


async def test_a_redelivered_interaction_has_one_effect(
    fake: FakeDiscord, world: World, bot: AmaBot
) -> None:
    await live_session(world, bot)
    message = await approved_question(world, bot)
    handle = await fake.click(message, "qa:vote:1", member=world.bob)
    assert "Upvoted (1 vote)" in followup_text(await reply(handle))
    await fake.redeliver(handle)
    rejected = await handle.wait_rejected(1)
    assert rejected[0].response["code"] == 40060
    await settle(bot)
    assert "1 vote ·" in embed_text(public_message(world, 1))
    assert len(handle.followups) == 1


@pytest.mark.parametrize(
    ("custom_id", "expected"),
    [
        ("qa:approve:1", "Only moderators can do that."),
        ("qa:vote:424242", "There is no question with id 424242."),
        ("qa:vote:abc", "That button carries an invalid id."),
        ("qa:vote:01", "That button carries an invalid id."),
        ("qa:vote:99999999999999999999", "That button carries an invalid id."),
        ("qa:frobnicate:1", "That button is not one of ours."),
        ("qa:vote:1:2", "That button is not one of ours."),
        ("qa:m:ask:1", "That button is not one of ours."),
        ("qa:pin:1", "Only moderators can do that."),
        ("qa:mergeinto:1:1", "A question cannot be merged into itself."),
    ],
)
async def test_forged_custom_ids_get_an_ephemeral_refusal(
    fake: FakeDiscord, world: World, bot: AmaBot, custom_id: str, expected: str
) -> None:
    await live_session(world, bot)
    message = await approved_question(world, bot)
    before = embed_text(public_message(world, 1))
    refused = await answer_of(await fake.click(message, custom_id, member=world.alice, forge=True))
    assert ephemeral_text(refused) == f"⚠️ {expected}"
    await settle(bot)
    assert embed_text(public_message(world, 1)) == before


async def test_a_participant_cannot_create_or_configure(
    fake: FakeDiscord, world: World, bot: AmaBot
) -> None:
    created = await reply(await fake.slash_command("ama create", {"title": "Mine"}))
    assert ephemeral_text(created) == "⚠️ Only hosts can create sessions."
    configured = await reply(
        await fake.slash_command("ama settings", {"moderation": "post"}, member=world.mod)
    )
    assert "Only hosts" in ephemeral_text(configured)


async def test_configured_moderator_roles_replace_manage_messages(
    fake: FakeDiscord, world: World, database: Path
) -> None:
    # Roles exist before the bot connects: the fake sends no GUILD_ROLE_CREATE afterwards.
    helpers = fake.add_role(world.guild, "AMA helpers")
    helper = fake.add_member(world.guild, "helper", roles=(helpers,))
    bot = make_bot(database)
    async with fake.running(bot):
        await live_session(world, bot, moderator_roles=f"<@&{helpers.id}>")
        await ask_with_button(world, world.bob, QUESTION)
        await settle(bot)
        refused = await click(world, mod_card(world, 1), "qa:approve:1", world.mod)
        assert ephemeral_text(refused) == "⚠️ Only moderators can do that."
        approved = await click(world, mod_card(world, 1), "qa:approve:1", helper)
        assert "Approved #1" in ephemeral_text(approved)
        await settle(bot)


# -- deadlines and rate limits ----------------------------------------------------------


def slowed(work: Callable[..., Awaitable[T]], delay: float) -> Callable[..., Awaitable[T]]:
    async def slow(*args: Any) -> T:
        await asyncio.sleep(delay)
        return await work(*args)

    return slow


async def test_clicks_are_acknowledged_in_time_when_the_store_is_slow(
    tmp_path: Path,
) -> None:
    # Discord's 3 s, scaled down: the fake refuses callbacks after 0.3 s, the store takes 0.5 s.
    async with FakeDiscord(interaction_deadline=0.3) as fake:
        world = World(fake)
        bot = make_bot(tmp_path / "slow.db")
        async with fake.running(bot):
            message = await approved_question_on(world, bot)
            store = cog_of(bot).engine.store
            read, write = store.read, store.write
            store.read = slowed(read, 0.5)  # type: ignore[method-assign, assignment]
            store.write = slowed(write, 0.5)  # type: ignore[method-assign, assignment]
            handle = await fake.click(message, "qa:vote:1", member=world.bob)
            answered = await handle.wait_followups(1, timeout=10)
            assert answered.callback is not None and answered.callback.type == 5
            assert handle.rejected == ()
            assert "Upvoted" in followup_text(answered)
            store.read, store.write = read, write  # type: ignore[method-assign]
            await settle(bot)


async def approved_question_on(world: World, bot: AmaBot) -> dict[str, Any]:
    await live_session(world, bot)
    return await approved_question(world, bot)


async def test_a_429_on_an_edit_is_honoured(fake: FakeDiscord, world: World, bot: AmaBot) -> None:
    await live_session(world, bot)
    message = await approved_question(world, bot)
    fake.rate_limit_next("PATCH", Routes.CHANNEL_MESSAGE, count=2, retry_after=0.05)
    await click(world, message, "qa:vote:1", world.bob)
    await settle(bot)
    statuses = [r.status for r in fake.requests("PATCH", Routes.CHANNEL_MESSAGE)]
    assert statuses.count(429) == 2
    assert "1 vote ·" in embed_text(public_message(world, 1))


async def test_a_vote_storm_stays_within_a_channel_edit_limit(
    fake: FakeDiscord, world: World, bot: AmaBot
) -> None:
    await live_session(world, bot)
    message = await approved_question(world, bot)
    edits_before = edits_of(world, message)
    fake.add_rate_limit("PATCH", Routes.CHANNEL_MESSAGE, limit=5, per=1.0)
    clicks = await asyncio.gather(
        *(fake.click(message, "qa:vote:1", member=v) for v in world.voters)
    )
    await asyncio.gather(*(reply(c) for c in clicks))
    await settle(bot)
    patches = fake.requests("PATCH", Routes.CHANNEL_MESSAGE)
    # discord.py mostly waits on the bucket headers; a 429 that slips through (the bucket
    # changed under it) is retried: each one is followed by a success on the same message.
    limited = [r for r in patches if r.status == 429]
    assert len(limited) <= 3
    for hit in limited:
        assert any(r.seq > hit.seq and r.status == 200 and r.params == hit.params for r in patches)
    assert f"{len(world.voters)} votes" in embed_text(public_message(world, 1))
    assert edits_of(world, message) - edits_before < len(world.voters) // 3
